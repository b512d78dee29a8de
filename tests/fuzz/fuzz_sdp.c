/* fuzz_sdp.c: libFuzzer target for the SDP parser (RFC 8866) and its summary. */
#include "dissect/sdp.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sdp s;
    if (sdp_parse(&s, slice_make(data, size)) == DIS_OK) {
        char buf[96];
        sdp_summary(&s, buf, sizeof buf);
    }
    return 0;
}
