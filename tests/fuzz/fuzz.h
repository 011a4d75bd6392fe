/* tests/fuzz/fuzz.h - the one entry point every fuzz target defines.
 *
 * Contract: fuzz_one() takes any bytes and must neither crash nor leak nor
 * trip a sanitizer, whatever they hold: bad input is reported, never
 * trusted. The same target links either with libFuzzer (cmake -DFUZZ=ON,
 * clang) or with corpus_main.c, which replays files through it, so the
 * corpus runs in every build (under ASan + UBSan in the sanitizer build).
 */
#ifndef SWSIM_TESTS_FUZZ_H
#define SWSIM_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
