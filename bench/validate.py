#!/usr/bin/env python3
"""bench/validate.py - runs the simulator against the real kernel's
measurements (scenarios/validation/groundtruth.csv) and prints the two side
by side, PASS or FAIL per row; exits with status 1 when a bar is missed.

Rows and bars (scenarios/validation/README.md explains the model):
  device-bound  swiotlb=16384,4,force, the disk throttled to 2000 IOPS and
                100 MiB/s. Bars: the simulated high-water mark within 5% of
                the real one; the block layer's request sizes (after the
                252 KiB split) the same as the kernel's. Printed, not
                judged: the map-size mix (share of mapped bytes in 4 KiB
                maps, in 8-60 KiB maps, in maps of 64 KiB or more), IOPS,
                failure counts.
  small-pool    swiotlb=1024,1,force, no throttle. Bars: maps fail in
                exactly the rows where the kernel's failed (the counts
                depend on the emulated guest's timing and are printed
                only), every failed map requeues its request, no I/O is
                lost (issued = completed + in flight).
The cpu-bound rows are not simulated: their high-water marks measure how
slowly the emulated guest CPU refilled fio's queues, not swiotlb.

Each row runs the dataset's scenario with --set overrides (overrides())
for the simulated time of the real run (runtime_s).

Usage (from the repository root, after scripts/setup.sh):
  bench/validate.py [-j N] [--rows REGEX] [--duration TIME] [--seed N]
                    [--keep DIR]
  bench/validate.py --fit      # the contiguity default and its fit
Exit status: 0 every bar met, 1 a bar missed, 2 a usage or set-up error.
Only the Python standard library is used.
"""
import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VALIDATION = os.path.join(ROOT, "scenarios", "validation")
GROUNDTRUTH = os.path.join(VALIDATION, "groundtruth.csv")
SHARED_GROUNDTRUTH = os.path.join(ROOT, "..", "shared", "groundtruth",
                                  "results.csv")

KiB = 1024
MiB = 1024 * KiB
SLOT = 2 * KiB                 # IO_TLB_SIZE
HUGE_PAGE = 2 * MiB            # a transparent huge page (PMD) on x86-64
HIWATER_TOLERANCE = 0.05       # the bar: |sim / real - 1| <= 5%

# The contiguity default (scenarios/validation/README.md; --fit prints the
# fit). huge_page_fraction comes from the buffer's size (thp_share());
# adjacent_page_probability, the chance that the next 4 KiB page of an
# I/O outside a huge page is physically adjacent, was fitted to the
# device-bound rows' map_size_hist.
ADJACENT_PAGE_PROBABILITY = 0.05
ADJACENT_CANDIDATES = (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4)

DATASETS = {
    "device-bound": "device-bound.yaml",
    "small-pool": "small-pool.yaml",
}


def die(message):
    """A usage or set-up error: exit status 2 (1 is a missed bar)."""
    print("validate: %s" % message, file=sys.stderr)
    sys.exit(2)


# ---- rows and the scenario overrides -------------------------------------

def size_bytes(text):
    """A size as results.csv writes it ("4k", "252k ", "1m") in bytes."""
    m = re.fullmatch(r"(\d+)([kKmM]?)", text.strip())
    if not m:
        raise ValueError("bad size %r" % text)
    return int(m.group(1)) * {"": 1, "k": KiB, "m": MiB}[m.group(2).lower()]


def fio_buffer(row):
    """fio's I/O buffer per job: one allocation of iodepth x bs bytes."""
    return int(row["iodepth"]) * size_bytes(row["bs"])


def thp_share(buf):
    """The share of a buffer of `buf` bytes, at a page-aligned address
    that is random modulo 2 MiB, that lies in whole 2 MiB-aligned chunks
    (which transparent huge pages back): on average (buf - 2 MiB) / buf,
    and 0 for buffers of 2 MiB or less."""
    return max(0.0, 1.0 - HUGE_PAGE / buf)


def demand_slots(row):
    """In-flight demand: iodepth x numjobs x bs, in 2 KiB slots."""
    return fio_buffer(row) * int(row["numjobs"]) // SLOT


def overrides(row, adjacent, duration, seed):
    """The --set options that make the dataset's scenario this row: one
    submitting CPU per fio job (numjobs 1: CPU 0; 4: CPUs 0-3), each with
    queue_depth = iodepth; bs; read or write; the contiguity default."""
    numjobs = int(row["numjobs"])
    if row["rw"] not in ("randread", "randwrite"):
        raise ValueError("%s: unexpected rw %s" % (row["name"], row["rw"]))
    sets = {
        "name": row["name"],
        "workloads.0.cpus": "0" if numjobs == 1 else "0-%d" % (numjobs - 1),
        "workloads.0.queue_depth": row["iodepth"],
        "workloads.0.size": str(size_bytes(row["bs"])),
        "workloads.0.read_fraction": "1" if row["rw"] == "randread" else "0",
        "workloads.0.huge_page_fraction": "%.6f" % thp_share(fio_buffer(row)),
        "workloads.0.adjacent_page_probability": "%g" % adjacent,
        "run.duration": duration or "%ss" % row["runtime_s"],
    }
    if seed is not None:
        sets["run.seed"] = str(seed)
    args = []
    for key, value in sets.items():
        args += ["--set", "%s=%s" % (key, value)]
    return args


def load_rows(path, pattern):
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["dataset"] in DATASETS]
    if pattern:
        rows = [r for r in rows if re.search(pattern, r["name"])]
    return rows


def check_groundtruth_copy(path):
    """Warns when ../shared/groundtruth/results.csv differs from the copy."""
    if path != GROUNDTRUTH or not os.path.exists(SHARED_GROUNDTRUTH):
        return
    with open(path, "rb") as a, open(SHARED_GROUNDTRUTH, "rb") as b:
        if a.read() != b.read():
            print("note: %s differs from %s; refresh the copy or pass "
                  "--groundtruth" % (os.path.relpath(path, ROOT),
                                     os.path.normpath(SHARED_GROUNDTRUTH)),
                  file=sys.stderr)


# ---- histograms ----------------------------------------------------------

def parse_hist(text):
    """"4096x12;8192x3" or "8k x2;252k x4" -> [(bytes, count)]."""
    out = []
    for entry in (text or "").split(";"):
        if entry.strip():
            size, count = entry.rsplit("x", 1)
            out.append((size_bytes(size), int(count)))
    return out


def map_mix(hist):
    """Shares of mapped bytes in 4 KiB maps, in maps above 4 KiB and below
    64 KiB, and in maps of 64 KiB or more."""
    total = sum(s * c for s, c in hist)
    if not total:
        return (0.0, 0.0, 0.0)
    small = sum(s * c for s, c in hist if s <= 4 * KiB)
    large = sum(s * c for s, c in hist if s >= 64 * KiB)
    return (small / total, (total - small - large) / total, large / total)


def fmt_mix(mix):
    return "/".join("%.2f" % v for v in mix)


def size_set(hist):
    return sorted(s for s, c in hist if c)


def fmt_sizes(sizes):
    return "+".join("%dk" % (s // KiB) for s in sizes)


# ---- running -------------------------------------------------------------

def run_row(sim, row, outroot, adjacent, duration, seed):
    """Simulates one row; returns a dict of the figures compared."""
    scenario = os.path.join(VALIDATION, DATASETS[row["dataset"]])
    out = os.path.join(outroot, row["name"])
    cmd = [sim, "run", scenario, "-o", out, "--quiet"]
    try:
        cmd += overrides(row, adjacent, duration, seed)
    except (KeyError, ValueError) as e:
        return {"error": "bad row: %s" % e, "wall": 0.0}
    t0 = time.monotonic()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)
    wall = time.monotonic() - t0
    if proc.returncode != 0:
        return {"error": (proc.stderr or proc.stdout).strip() or
                "exit status %d" % proc.returncode, "wall": wall}
    with open(os.path.join(out, "summary.json")) as f:
        summary = json.load(f)
    w = summary["workloads"][0]
    return {
        "hiwater": summary["hiwater_slots"],
        "map_failures": w["map_failures"],
        "requeues": w["requeues"],
        "issued": w["requests_issued"],
        "completed": w["requests_completed"],
        "in_flight": w["in_flight"],
        "mix": map_mix(parse_hist(w["map_size_hist"])),
        "rq_sizes": size_set(parse_hist(w["rq_size_hist"])),
        "iops": w["requests_completed"] /
                (summary["scenario"]["duration_ns"] / 1e9),
        "wall": wall,
    }


def simulate_all(sim, rows, jobs, adjacent, duration, seed, keep):
    outroot = keep or tempfile.mkdtemp(prefix="swiotlb-validate-")
    os.makedirs(outroot, exist_ok=True)
    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(run_row, sim, r, outroot, adjacent,
                                   duration, seed) for r in rows]
            return [f.result() for f in futures]
    finally:
        if not keep:
            shutil.rmtree(outroot, ignore_errors=True)


# ---- device-bound --------------------------------------------------------

def judge_device(row, res):
    """(passed, notes): the high-water bar and the request sizes."""
    if "error" in res:
        return False, res["error"].splitlines()[0]
    notes = []
    ratio = res["hiwater"] / int(row["hiwater"])
    if abs(ratio - 1) > HIWATER_TOLERANCE:
        notes.append("high-water off by %+.1f%%" % (100 * (ratio - 1)))
    real_sizes = size_set(parse_hist(row["rq_issue_size_hist"]))
    if res["rq_sizes"] != real_sizes:
        notes.append("requests %s, kernel %s" % (fmt_sizes(res["rq_sizes"]),
                                                 fmt_sizes(real_sizes)))
    return not notes, "; ".join(notes)


def print_device(rows, results):
    print("DEVICE-BOUND  swiotlb=16384,4,force; NVMe throttled to 2000 IOPS "
          "and 100 MiB/s; high-water marks in 2 KiB slots")
    print("bars: |sim/real - 1| <= %.0f%%, request sizes as the kernel's.  "
          "mix: share of mapped bytes in 4k / 8-60k / >=64k maps"
          % (100 * HIWATER_TOLERANCE))
    head = ("%-27s %6s %6s %6s %6s  %-15s %-14s %-9s %9s  %-13s %s"
            % ("row", "demand", "real", "sim", "ratio", "mix real",
               "mix sim", "requests", "IOPS r/s", "fails r/s", "result"))
    print(head)
    print("-" * len(head))
    failed = retried = 0
    for row, res in zip(rows, results):
        ok, note = judge_device(row, res)
        failed += not ok
        if "error" in res:
            print("%-27s FAIL  %s" % (row["name"], note))
            continue
        star = "*" if int(row["map_fail_count"]) or res["map_failures"] else ""
        retried += bool(star)
        print("%-27s %6d %6d %6d %6.3f  %-15s %-14s %-9s %4.0f/%-4.0f  %-13s "
              "%s%s"
              % (row["name"], demand_slots(row), int(row["hiwater"]),
                 res["hiwater"], res["hiwater"] / int(row["hiwater"]),
                 fmt_mix(map_mix(parse_hist(row["map_size_hist"]))) + star,
                 fmt_mix(res["mix"]), fmt_sizes(res["rq_sizes"]),
                 float(row["iops"]), res["iops"],
                 "%s/%d" % (row["map_fail_count"], res["map_failures"]),
                 "PASS" if ok else "FAIL", "  " + note if note else ""))
    if retried:
        print("* maps failed: the mix counts every map call, retries "
              "included, so the mix of these rows\n  leans to retried "
              "large maps.")
    return failed


# ---- small-pool ----------------------------------------------------------

def judge_small(row, res):
    """(passed, notes): failures where the kernel had them, each one
    requeued, no I/O lost."""
    if "error" in res:
        return False, res["error"].splitlines()[0]
    notes = []
    real_failed = int(row["map_fail_count"]) > 0
    if real_failed != (res["map_failures"] > 0):
        notes.append("no failures, unlike the kernel" if real_failed else
                     "failures where the kernel had none")
    if res["requeues"] != res["map_failures"]:
        notes.append("requeues %d != failures %d" %
                     (res["requeues"], res["map_failures"]))
    if res["issued"] != res["completed"] + res["in_flight"]:
        notes.append("I/O lost: issued %d != %d + %d" %
                     (res["issued"], res["completed"], res["in_flight"]))
    return not notes, "; ".join(notes)


def print_small(rows, results):
    print("SMALL-POOL  swiotlb=1024,1,force; no throttle; failures = "
          "swiotlb_tbl_map_single calls that failed")
    print("bars: maps fail in exactly the rows where the kernel's failed; "
          "each failure requeues; issued = completed + in flight")
    head = ("%-30s %6s %6s %6s  %8s %8s  %8s  %-23s %s"
            % ("row", "demand", "hw r", "hw s", "fails r", "fails s",
               "requeues", "issued=done+in flight", "result"))
    print(head)
    print("-" * len(head))
    failed = 0
    for row, res in zip(rows, results):
        ok, note = judge_small(row, res)
        failed += not ok
        if "error" in res:
            print("%-30s FAIL  %s" % (row["name"], note))
            continue
        books = "%d=%d+%d" % (res["issued"], res["completed"],
                              res["in_flight"])
        print("%-30s %6d %6d %6d  %8s %8d  %8d  %-23s %s%s"
              % (row["name"], demand_slots(row), int(row["hiwater"]),
                 res["hiwater"], row["map_fail_count"], res["map_failures"],
                 res["requeues"], books, "PASS" if ok else "FAIL",
                 "  " + note if note else ""))
    return failed


# ---- the fit of the contiguity default -----------------------------------

def print_thp_fit(rows):
    """The huge-page rule against every row without failures (with
    failures, map_size_hist is swollen by retried large maps)."""
    groups = {}
    for r in rows:
        if r["map_fail_count"] == "0" and size_bytes(r["bs"]) >= 64 * KiB:
            large = map_mix(parse_hist(r["map_size_hist"]))[2]
            groups.setdefault(fio_buffer(r), []).append((r["name"], large))
    print("huge_page_fraction = max(0, 1 - 2 MiB / (iodepth x bs)) against "
          "the real share of bytes in maps >= 64 KiB (rows without failures)")
    print("%8s  %5s  %9s  %s" % ("buffer", "rule", "real mean",
                                 "real, row by row"))
    for buf in sorted(groups):
        shares = [s for _, s in groups[buf]]
        print("%7.3gM  %5.3f  %9.3f  %s"
              % (buf / MiB, thp_share(buf), sum(shares) / len(shares),
                 " ".join("%.2f" % s for s in shares)))


def small_split(mix):
    """Of the bytes in maps below 64 KiB, the share in 4 KiB maps (None
    when there are none): what adjacency alone decides."""
    small = mix[0] + mix[1]
    return mix[0] / small if small > 1e-9 else None


def fit_adjacency(sim, rows, jobs):
    """Sweeps adjacent_page_probability over the device-bound rows without
    failures; for each value prints the mean absolute error of the share
    of 4 KiB maps among maps below 64 KiB (outside huge pages: what the
    parameter decides), and of the whole mix."""
    rows = [r for r in rows if r["dataset"] == "device-bound" and
            r["map_fail_count"] == "0" and size_bytes(r["bs"]) > 4 * KiB]
    print("adjacent_page_probability against %d device-bound rows without "
          "failures (4k rows have nothing to merge): mean |sim - real|"
          % len(rows))
    print("%8s  %12s  %8s  %8s  %8s" % ("adjacent", "4k of <64k", "mix 4k",
                                        "8-60k", ">=64k"))
    best = None
    for adjacent in ADJACENT_CANDIDATES:
        results = simulate_all(sim, rows, jobs, adjacent, "1s", None, None)
        err, split_err, nsplit = [0.0, 0.0, 0.0], 0.0, 0
        for row, res in zip(rows, results):
            if "error" in res:
                die("%s: %s" % (row["name"], res["error"]))
            real = map_mix(parse_hist(row["map_size_hist"]))
            for i in range(3):
                err[i] += abs(real[i] - res["mix"][i]) / len(rows)
            a, b = small_split(real), small_split(res["mix"])
            if a is not None and b is not None:
                split_err += abs(a - b)
                nsplit += 1
        split_err /= max(nsplit, 1)
        print("%8.2f  %12.3f  %8.3f  %8.3f  %8.3f"
              % (adjacent, split_err, *err))
        if best is None or split_err < best[1]:
            best = (adjacent, split_err)
    print("best: adjacent_page_probability = %g (the default: %g)"
          % (best[0], ADJACENT_PAGE_PROBABILITY))


# ---- main ----------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(
        description="Compare swiotlb-sim with the real kernel's "
                    "measurements (scenarios/validation/README.md).")
    ap.add_argument("--sim", default=os.path.join(ROOT, "build",
                                                  "swiotlb-sim"),
                    help="the simulator (default: build/swiotlb-sim)")
    ap.add_argument("--groundtruth", default=GROUNDTRUTH,
                    help="the real runs' results.csv (default: the copy in "
                         "scenarios/validation/)")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2,
                    help="simulations run at once (default: the CPUs)")
    ap.add_argument("--rows", help="only rows whose name matches this "
                                   "regular expression")
    ap.add_argument("--duration", help="simulated time of every row "
                                       "(default: the real run's runtime_s)")
    ap.add_argument("--seed", type=int,
                    help="run.seed of every row (default: the scenario's)")
    ap.add_argument("--adjacent", type=float,
                    default=ADJACENT_PAGE_PROBABILITY,
                    help="adjacent_page_probability (default: %(default)s)")
    ap.add_argument("--keep", metavar="DIR",
                    help="keep each row's results directory under DIR")
    ap.add_argument("--fit", action="store_true",
                    help="print how the contiguity default fits the rows")
    args = ap.parse_args()

    if not os.access(args.sim, os.X_OK):
        die("%s not found: run scripts/setup.sh first" % args.sim)
    check_groundtruth_copy(args.groundtruth)
    rows = load_rows(args.groundtruth, args.rows)
    if not rows:
        die("no rows to run")
    t0 = time.monotonic()
    if args.fit:
        print_thp_fit(rows)
        print()
        fit_adjacency(args.sim, rows, args.jobs)
        print("%.1f s wall" % (time.monotonic() - t0))
        return 0
    results = simulate_all(args.sim, rows, args.jobs, args.adjacent,
                           args.duration, args.seed, args.keep)
    failed = 0
    for dataset, printer in (("device-bound", print_device),
                             ("small-pool", print_small)):
        pairs = [(r, s) for r, s in zip(rows, results)
                 if r["dataset"] == dataset]
        if pairs:
            failed += printer([p[0] for p in pairs], [p[1] for p in pairs])
            print()
    print("%d of %d rows pass; %.1f s wall (%.1f s of simulations, %d at "
          "once)" % (len(rows) - failed, len(rows), time.monotonic() - t0,
                     sum(r.get("wall", 0) for r in results), args.jobs))
    print("RESULT: %s" % ("PASS" if not failed else "FAIL"))
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:         # the output went to head or similar
        sys.stderr.close()
        sys.exit(0)
