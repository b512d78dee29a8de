/* fuzz_sip.c: libFuzzer target for the SIP parser, its accessors, TCP framing and SDP bodies. */
#include <stdlib.h>
#include <string.h>

#include "dissect/sdp.h"
#include "dissect/sip.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sip_msg m; /* large: keep it off the stack (fuzz target only) */
    struct slice in = slice_make(data, size);
    size_t len;
    (void)sip_looks_like(in);
    (void)sip_frame_len(in, &len);
    if (sip_parse(&m, in) == DIS_NOT_MINE)
        return 0;
    uint32_t cseq;
    struct slice cm;
    (void)sip_cseq(&m, &cseq, &cm);
    (void)sip_call_id(&m);
    (void)sip_from_tag(&m);
    (void)sip_to_tag(&m);
    (void)sip_via_branch(&m);
    (void)sip_uri_of(sip_hdr_get(&m, SIP_H_CONTACT));
    (void)sip_hdr_find(&m, "X-CID", 5);
    (void)sip_hdr_count(&m, SIP_H_VIA);
    struct slice body = sip_sdp_body(&m);
    struct sdp s;
    if (body.len && sdp_parse(&s, body) == DIS_OK) {
        char buf[128];
        sdp_summary(&s, buf, sizeof buf);
    }
    return 0;
}
