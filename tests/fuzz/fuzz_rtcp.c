/* fuzz_rtcp.c: libFuzzer target for the RTCP compound parser (RFC 3550 §6.4, RFC 3611 §4.7) and
 * the round-trip time of its report blocks. */
#include "dissect/rtcp.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rtcp_info in;
    enum dis_result r = rtcp_parse(slice_make(data, size), &in);
    double sum = 0;
    for (size_t i = 0; (r == DIS_OK || r == DIS_TRUNC) && i < in.nblocks; i++)
        sum += rtcp_rtt_ms(&in.blocks[i], 1767225600000000000LL);
    return sum < -1e300; /* keeps the loop */
}
