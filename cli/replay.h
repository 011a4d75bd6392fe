/* cli/replay.h - the `replay` command: drives the allocator core with an op
 * trace (tests/conformance/FORMAT.md) and prints one answer per op.
 *
 * Contract: answers go to `out` as each op completes; the first malformed
 * line stops the replay with "FILE:LINE: what is wrong" on `errout`, nothing
 * printed for that line, and a non-zero return. With `check`, the
 * allocator's invariants are verified after every op (an invariant failure
 * is reported the same way). */
#ifndef SWSIM_CLI_REPLAY_H
#define SWSIM_CLI_REPLAY_H

#include <stdbool.h>
#include <stdio.h>

int replay_trace(FILE *in, const char *path, FILE *out, FILE *errout,
		 bool check);
/* The command line: swiotlb-sim replay [--check] FILE|- */
int cmd_replay(int argc, char **argv);

#endif
