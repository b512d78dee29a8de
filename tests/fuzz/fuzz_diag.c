/* fuzz_diag.c: libFuzzer target for the diagnostics engine (dissect/diag*.c): messages separated by
 * a 0xFF byte are parsed (SIP, then SDP from their bodies), given alternating endpoints (one of
 * them public, so the address rules run) and advancing times, with two RTP streams whose figures
 * come from the input's first bytes; every rule then runs over the call. */
#include <stdlib.h>
#include <string.h>

#include "dissect/diag.h"
#include "fuzz.h"

#define FUZZ_DIAG_MSGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sip_msg sip[FUZZ_DIAG_MSGS];
    static struct sdp sdp[FUZZ_DIAG_MSGS];
    static struct diag_msg m[FUZZ_DIAG_MSGS];
    static struct diag_result r;
    static const char *ep[2] = {"203.0.113.1:5060", "192.168.1.2:5060"};
    static const char *tr[2] = {"UDP", "TCP"};
    size_t off = 0, n = 0;
    while (off < size && n < FUZZ_DIAG_MSGS) {
        const uint8_t *end = memchr(data + off, 0xFF, size - off);
        size_t len = end ? (size_t)(end - (data + off)) : size - off;
        struct slice s = slice_make(data + off, len);
        m[n] = (struct diag_msg){.ts_ns = (int64_t)n * 700000000,
                                 .src = ep[n & 1],
                                 .dst = ep[~n & 1],
                                 .transport = tr[(n >> 1) & 1],
                                 .truncated = n % 7 == 6};
        if (sip_parse(&sip[n], s) == DIS_OK) {
            m[n].sip = &sip[n];
            struct slice body = sip_sdp_body(&sip[n]);
            if (body.len && sdp_parse(&sdp[n], body) == DIS_OK)
                m[n].sdp = &sdp[n];
        }
        n++;
        off += len + 1;
    }
    int64_t v = size ? data[0] : 0;
    struct diag_rtp rtp[2] = {{"192.168.1.2:4000", "203.0.113.1:4000", v, v + 3, 3, (double)v, 1.0,
                               v % 2 ? 3.0 : -1, 0, 1},
                              {"203.0.113.1:4000", "0.0.0.0:0", 0, 0, 0, 0, 0, -1, 0, 0}};
    struct diag_call c = {
        .msg = m, .nmsg = n, .rtp = rtp, .nrtp = size % 3, .capture_end_ns = (int64_t)v << 28};
    diag_run(&c, &r);
    return 0;
}
