/* fuzz_hep.c: libFuzzer target for the HEP decoder (dissect/hep.c): the input is one HEP packet
 * (v1/v2/v3); a decoded packet is re-encoded (dissect/hep_enc.c) and decoded again, and its SIP
 * payload parsed; the same bytes are also fed to the TCP framer. */
#include <stdlib.h>
#include <string.h>

#include "dissect/hep.h"
#include "dissect/sip.h"
#include "fuzz.h"

static void check_round_trip(const struct hep_msg *m)
{
    static uint8_t buf[HEP_MAX_PACKET];
    size_t n = hep_encode(m, buf, sizeof buf);
    if (n == 0)
        return;
    struct hep_msg again;
    if (hep_parse(slice_make(buf, n), &again) != DIS_OK)
        abort(); /* what we encode, we must decode */
    if (again.payload.len != m->payload.len || again.src.port != m->src.port ||
        again.dst.port != m->dst.port || again.ts_sec != m->ts_sec)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hep_msg m;
    size_t len = 0;
    (void)hep_frame_len(slice_make(data, size), &len);
    if (hep_parse(slice_make(data, size), &m) != DIS_OK)
        return 0;
    check_round_trip(&m);
    if (m.payload.len > 0 && !m.compressed && sip_looks_like(m.payload)) {
        static struct sip_msg sm;
        (void)sip_parse(&sm, m.payload);
    }
    return 0;
}
