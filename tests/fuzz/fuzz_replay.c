/* tests/fuzz/fuzz_replay.c - an op trace of arbitrary bytes through
 * `swiotlb-sim replay --check`: the parser, the allocator and its invariant
 * checker. */
#include "tests/fuzz/fuzz.h"

#include <stdio.h>

#include "cli/replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *in = size ? fmemopen((void *)data, size, "r") : NULL;
	FILE *sink = fopen("/dev/null", "w");

	if (in && sink)
		replay_trace(in, "fuzz.trace", sink, sink, true);
	if (in)
		fclose(in);
	if (sink)
		fclose(sink);
	return 0;
}
