#!/bin/sh
# bench/bench_e2e.sh - the end-to-end scale benchmark (issue #5): runs
# bench/scale-64cpu.yaml (a 64-vCPU CoCo VM, 1 GiB pool in 64 areas, four
# NVMe devices at 2 M I/Os per second, a ~100 Gb/s NIC, 1 simulated second)
# under /usr/bin/time -v and prints wall time, simulated seconds per wall
# second, events per second and peak memory.
#
# Usage: bench/bench_e2e.sh [-b BUILD_DIR] [-n RUNS] [-s SCENARIO] [-- RUN_ARGS...]
#   -b  the build folder holding swiotlb-sim (default: build)
#   -n  runs (default 1); with more, each is printed and then the best and
#       the median, since a shared machine makes single runs noisy
#   -s  another scenario (default: bench/scale-64cpu.yaml)
#   RUN_ARGS go to `swiotlb-sim run` (e.g. --set run.duration=0.2s)
# The target on a 2-core machine: faster than real time (1 simulated second
# in under 1 s of wall time) and under 500 MB of peak memory. Exit status:
# 0 when every run succeeded (whether or not the target was met), 1 if a
# run failed, 2 on bad usage.
set -eu
cd "$(dirname "$0")/.."

build=build
runs=1
scenario=bench/scale-64cpu.yaml
while [ $# -gt 0 ]; do
	case "$1" in
	-b) build=$2; shift 2 ;;
	-n) runs=$2; shift 2 ;;
	-s) scenario=$2; shift 2 ;;
	--) shift; break ;;
	-h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench_e2e: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
sim=$build/swiotlb-sim
timev=/usr/bin/time
if [ ! -x "$sim" ]; then
	echo "bench_e2e: $sim not found: build first (cmake -S . -B $build && cmake --build $build)" >&2
	exit 2
fi
if [ ! -x "$timev" ]; then
	echo "bench_e2e: $timev not found (Debian package 'time')" >&2
	exit 2
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/bench_e2e.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# One run: prints "wall sim_s events rss_kib user sys" on stdout.
one_run() {
	n=$1
	shift
	if ! "$timev" -v -o "$work/time.$n" "$sim" run "$scenario" \
		-o "$work/out.$n" "$@" >"$work/stdout.$n" 2>"$work/stderr.$n"; then
		echo "bench_e2e: run $n failed:" >&2
		cat "$work/stderr.$n" >&2
		return 1
	fi
	rm -rf "$work/out.$n"
	# "scenario NAME: 1.000 s simulated (...)" and
	# "results: DIR/ (X s wall, Y M events)" from the run's summary;
	# elapsed, user, system time and peak RSS from time -v.
	awk -v tf="$work/time.$n" '
		/^scenario .* s simulated/ {
			for (i = 1; i <= NF; i++) if ($i == "simulated") sim = $(i - 2)
		}
		/^results: / {
			for (i = 1; i <= NF; i++) if ($i == "M" && $(i + 1) ~ /^events/)
				ev = $(i - 1)
		}
		END {
			while ((getline line < tf) > 0) {
				n = split(line, f, ": ")
				v = f[n]
				if (line ~ /Elapsed \(wall clock\)/) {
					k = split(v, p, ":"); w = 0
					for (j = 1; j <= k; j++) w = w * 60 + p[j]
				}
				if (line ~ /Maximum resident set size/) rss = v
				if (line ~ /User time/) user = v
				if (line ~ /System time/) sys = v
			}
			printf "%s %s %s %s %s %s\n", w, sim, ev, rss, user, sys
		}' "$work/stdout.$n"
}

echo "bench_e2e: $scenario with $sim, $runs run(s), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-5s %9s %9s %12s %12s %9s %9s\n' run "wall s" "sim s/s" "events" "events/s" "CPU s" "RSS MB"
i=1
while [ "$i" -le "$runs" ]; do
	line=$(one_run "$i" "$@") || exit 1
	echo "$line" >>"$work/all"
	echo "$line" | awk -v i="$i" '{
		printf "%-5s %9.2f %9.3f %10.1f M %10.2f M %9.2f %9.1f\n", i, $1,
			$2 / $1, $3, $3 / $1, $5 + $6, $4 / 1024 }'
	i=$((i + 1))
done
# Best and median by wall time; the verdict on the best run.
sort -n "$work/all" | awk -v runs="$runs" '
	{ w[NR] = $1; s[NR] = $2; e[NR] = $3; r[NR] = $4; c[NR] = $5 + $6
	  if ($4 > peak) peak = $4 }
	END {
		m = int((NR + 1) / 2)
		if (runs > 1) {
			printf "%-5s %9.2f %9.3f %10.1f M %10.2f M %9.2f %9.1f\n", "best",
				w[1], s[1] / w[1], e[1], e[1] / w[1], c[1], r[1] / 1024
			printf "%-5s %9.2f %9.3f %10.1f M %10.2f M %9.2f %9.1f\n", "med",
				w[m], s[m] / w[m], e[m], e[m] / w[m], c[m], r[m] / 1024
		}
		speed = "faster than real time"
		if (w[1] >= s[1])
			speed = sprintf("%.2fx slower than real time", w[1] / s[1])
		mem = "peak memory under 500 MB"
		if (peak / 1024 >= 500)
			mem = "peak memory over 500 MB"
		printf "target (under 1 s wall per simulated s, under 500 MB): %s, %s\n",
			speed, mem
	}'
