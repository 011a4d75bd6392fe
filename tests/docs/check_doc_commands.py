#!/usr/bin/env python3
"""tests/docs/check_doc_commands.py - every swiotlb-sim command the README
and docs/ show is run, so an example a user copies works.

  check_doc_commands.py SOURCE_DIR BINARY

Runs, in a scratch folder that sees the checkout's scenarios/, tests/ and
plots/:
- each line of a fenced ```sh block that calls swiotlb-sim (backslash
  continuations joined), in order; a block that needs another program
  (parallel, sbatch, trace-cmd and the capture it makes, the benchmarks)
  is left out whole, and so is a synopsis line (one with [optional]
  parts or ARG...); of a line, only the commands that call swiotlb-sim
  run;
- each inline `--set key=value` example of the prose, as `validate` of
  scenarios/default.yaml with it.
Runs and sweeps get short durations (run.duration=2ms, no warm-up), so the
check takes seconds; `validate` is run as written. Exits 1 naming every
example that failed, with its error.
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile

# What needs other programs or their output: job runners, a kernel
# capture (trace-cmd, tracefs, the capture it leaves), the benchmarks.
OTHER_PROGRAMS = ("parallel", "sbatch", "trace-cmd", "/sys/kernel/tracing",
                  "dmesg", "journalctl",
                  "capture.txt", "bench/")
SHORT = ["--set", "run.duration=2ms", "--set", "run.warmup=0",
         "--set", "run.sample_interval=1ms"]


def doc_files(src):
    files = [os.path.join(src, "README.md")]
    docs = os.path.join(src, "docs")
    if os.path.isdir(docs):
        files += sorted(os.path.join(docs, f) for f in os.listdir(docs)
                        if f.endswith(".md"))
    return files


def sh_blocks(text):
    return re.findall(r"^```sh\n(.*?)^```", text, re.S | re.M)


def commands(block):
    joined = re.sub(r"\\\n\s*", " ", block)
    for line in joined.splitlines():
        line = line.split(" #")[0].strip()
        if "swiotlb-sim" not in line:
            continue
        for part in line.split("&&"):
            if "swiotlb-sim" in part:
                yield part.strip()


def inline_sets(text):
    prose = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    for span in re.findall(r"`(--set[^`]*)`", prose, re.S):
        span = " ".join(span.split())
        # Placeholders (`--set key=value`, `--set swiotlb.param=...`)
        # show the syntax, not an example.
        if "=" in span and "key.path" not in span and \
           not re.search(r"--set key=|\.\.\.", span):
            yield span


def shorten(argv):
    """Short runs: the overrides go after the user's, so they win."""
    if len(argv) > 1 and argv[1] in ("run", "sweep") and \
       "--collect" not in argv:
        return argv + SHORT
    return argv


def run(argv, cwd):
    r = subprocess.run(argv, cwd=cwd, capture_output=True, text=True,
                       timeout=300)
    return r.returncode, (r.stderr or r.stdout).strip()


def main():
    src, binary = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    failures, count = [], 0
    with tempfile.TemporaryDirectory(prefix="swsim-docs-") as scratch:
        for d in ("scenarios", "tests", "plots"):
            os.symlink(os.path.join(src, d), os.path.join(scratch, d))
        os.makedirs(os.path.join(scratch, "build"))
        os.symlink(binary, os.path.join(scratch, "build", "swiotlb-sim"))
        for path in doc_files(src):
            text = open(path, encoding="utf-8").read()
            name = os.path.relpath(path, src)
            for block in sh_blocks(text):
                if any(p in block for p in OTHER_PROGRAMS):
                    continue
                for cmd in commands(block):
                    argv = shlex.split(cmd)
                    # A redirection or pipe is the shell's: run the
                    # command alone, its output discarded.
                    for i, a in enumerate(argv):
                        if a in (">", ">>", "|"):
                            argv = argv[:i]
                            break
                    if any(a.startswith("[") or a.endswith("...")
                           for a in argv):
                        continue
                    argv = shorten(argv)
                    count += 1
                    rc, out = run(argv, scratch)
                    if rc:
                        failures.append("%s: %s\n  %s" % (name, cmd, out))
            for span in inline_sets(text):
                argv = [binary, "validate", "scenarios/default.yaml"] + \
                       shlex.split(span)
                count += 1
                rc, out = run(argv, scratch)
                if rc:
                    failures.append("%s: `%s`\n  %s" % (name, span, out))
    for f in failures:
        print("FAIL " + f)
    print("%d examples, %d failed" % (count, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
