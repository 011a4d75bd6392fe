/* cli/cmd_sweep.h - the `sweep` command line (sweep/sweep.h does the work).
 *
 * Contract: returns the exit status: 0 when every point finished, 1 when
 * some failed or the scenario is wrong (one line each on stderr), 2 for a
 * bad command line, 128 + the signal when SIGINT/SIGTERM/SIGHUP stopped
 * the sweep. */
#ifndef SWSIM_CLI_CMD_SWEEP_H
#define SWSIM_CLI_CMD_SWEEP_H

#include <stddef.h>

/* swiotlb-sim sweep SCENARIO.yaml [-o DIR] [--set k=v]... [--vary k=VALUES]...
 *                   [--replications R] [--jobs N] [--no-charts] [--quiet]
 *                   [--export gnu-parallel|slurm] [--exe PATH]
 * swiotlb-sim sweep --collect DIR [--no-charts] */
int cmd_sweep(int argc, char **argv);

/* The overrides that turn `--vary KEY=SPEC` and `--replications R` into
 * the scenario's sweep section: "sweep.vary.N.key=KEY" and
 * "sweep.vary.N.values=SPEC" (N the key's entry in the file's list, or a
 * new one), "sweep.replications=R" (when r > 0). `sets` are loaded first
 * to find the file's list, and come first in *ov (free with
 * sweep_overrides_free); returns the count, or -1 with err (a spec that
 * does not expand is said here, naming --vary). */
int sweep_cli_overrides(const char *scenario, const char *const *sets,
			size_t nsets, const char *const *varies,
			size_t nvaries, long replications, char ***ov,
			char *err, size_t errlen);

#endif
