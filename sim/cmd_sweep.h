/* sim/cmd_sweep.h - the `sweep` command line (sim/sweep.h does the work).
 *
 * Contract: returns the exit status: 0 when every point finished, 1 when
 * some failed or the scenario is wrong (one line each on stderr), 2 for a
 * bad command line, 128 + the signal when SIGINT/SIGTERM/SIGHUP stopped
 * the sweep. */
#ifndef SWSIM_SIM_CMD_SWEEP_H
#define SWSIM_SIM_CMD_SWEEP_H

/* swiotlb-sim sweep SCENARIO.yaml [-o DIR] [--set k=v]... [--vary k=VALUES]...
 *                   [--replications R] [--jobs N] [--no-charts] [--quiet]
 *                   [--export gnu-parallel|slurm] [--exe PATH]
 * swiotlb-sim sweep --collect DIR [--no-charts] */
int cmd_sweep(int argc, char **argv);

#endif
