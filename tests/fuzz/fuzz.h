/* fuzz.h: the libFuzzer entry point every target defines; replay.c drives it from files when
 * the suite is built without libFuzzer. */
#ifndef SS_FUZZ_H
#define SS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
