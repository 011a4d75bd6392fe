/* cli/cmd_import.h - the `import` command: converts a kernel ftrace capture
 * of the dma: events into a timed op trace (traces/ftrace_import.h).
 *
 * Contract: with -o OUT, the trace is written to a temporary file beside OUT
 * and renamed over it only when the whole import succeeded; otherwise to
 * stdout. The summary goes to stderr. Returns 0, 1 when the import failed
 * ("FILE:LINE: what is wrong" on stderr), 2 for a bad command line. */
#ifndef SWSIM_CLI_CMD_IMPORT_H
#define SWSIM_CLI_CMD_IMPORT_H

/* swiotlb-sim import FILE|- [-o OUT|-] [--all-devices] [--keep-unmatched]
 *                   [--annotate] [--min-align-mask DEV=MASK]...
 *                   [--seg-boundary DEV=MASK]... */
int cmd_import(int argc, char **argv);

#endif
