/* rtp.c: RTP header parser (RFC 3550 §5.1, §5.3.1), RFC 5761 §4 RTCP demultiplexing, and the
 * RFC 3551 §6 static payload table. */
#include "dissect/rtp.h"
#include "dissect/cur.h"
#include "dissect/banned.h"

#define RTP_MUX_PT_FIRST 64 /* RFC 5761 §4: with the marker bit, these collide with RTCP */
#define RTP_MUX_PT_LAST  95
#define RTCP_PT_FIRST    192
#define RTCP_PT_LAST     223
#define RTP_STATIC_PTS   35

struct pt_entry {
    const char *name;
    uint32_t clock;
};

/* RFC 3551 Tables 4 and 5 (payload types 0..34). */
static const struct pt_entry static_pts[RTP_STATIC_PTS] = {
    [0] = {"PCMU", 8000},   [2] = {"G721", 8000},   [3] = {"GSM", 8000},    [4] = {"G723", 8000},
    [5] = {"DVI4", 8000},   [6] = {"DVI4", 16000},  [7] = {"LPC", 8000},    [8] = {"PCMA", 8000},
    [9] = {"G722", 8000},   [10] = {"L16", 44100},  [11] = {"L16", 44100},  [12] = {"QCELP", 8000},
    [13] = {"CN", 8000},    [14] = {"MPA", 90000},  [15] = {"G728", 8000},  [16] = {"DVI4", 11025},
    [17] = {"DVI4", 22050}, [18] = {"G729", 8000},  [19] = {"CN", 8000},    [25] = {"CelB", 90000},
    [26] = {"JPEG", 90000}, [28] = {"nv", 90000},   [31] = {"H261", 90000}, [32] = {"MPV", 90000},
    [33] = {"MP2T", 90000}, [34] = {"H263", 90000},
};

/* Encoding names without a static type and the clock Wireshark assumes for them. */
static const struct pt_entry dyn_clocks[] = {
    {"AMR", 8000},        {"AMR-WB", 16000},
    {"BMPEG", 90000},     {"BT656", 90000},
    {"DV", 90000},        {"EVRC", 8000},
    {"EVRC0", 8000},      {"EVRC1", 8000},
    {"EVRCB", 8000},      {"EVRCB0", 8000},
    {"EVRCB1", 8000},     {"EVRCWB", 16000},
    {"EVRCWB0", 16000},   {"EVRCWB1", 16000},
    {"EVS", 16000},       {"G7221", 16000},
    {"G726-16", 8000},    {"G726-24", 8000},
    {"G726-32", 8000},    {"G726-40", 8000},
    {"G729D", 8000},      {"G729E", 8000},
    {"GSM-EFR", 8000},    {"H263-1998", 90000},
    {"H263-2000", 90000}, {"H264", 90000},
    {"MP1S", 90000},      {"MP2P", 90000},
    {"MP4V-ES", 90000},   {"mpa-robust", 90000},
    {"opus", 48000},      {"pointer", 90000},
    {"raw", 90000},       {"red", 1000},
    {"SMV", 8000},        {"SMV0", 8000},
    {"t140", 1000},       {"telephone-event", 8000},
};

bool rtp_looks_like(struct slice s)
{
    if (s.len < RTP_HDR_LEN || (s.p[0] >> 6) != RTP_VERSION)
        return false;
    unsigned pt = s.p[1] & 0x7f;
    return !((s.p[1] & 0x80) && pt >= RTP_MUX_PT_FIRST && pt <= RTP_MUX_PT_LAST);
}

bool rtp_is_rtcp(struct slice s)
{
    return s.len >= 4 && (s.p[0] >> 6) == RTP_VERSION && s.p[1] >= RTCP_PT_FIRST &&
           s.p[1] <= RTCP_PT_LAST;
}

/* Skips the CSRC list and the header extension; false when they overrun. */
static bool skip_extras(struct cur *c, const struct rtp_hdr *h)
{
    cur_skip(c, (size_t)h->csrc_count * 4);
    if (h->extension) {
        cur_skip(c, 2);
        size_t words = cur_be16(c);
        cur_skip(c, words * 4);
    }
    return !c->err;
}

enum dis_result rtp_parse(struct slice s, struct rtp_hdr *h)
{
    struct cur c = cur_of(s);
    uint8_t b0 = cur_u8(&c);
    uint8_t b1 = cur_u8(&c);
    if (s.len < RTP_HDR_LEN || (b0 >> 6) != RTP_VERSION)
        return DIS_NOT_MINE;
    h->padding = (b0 & 0x20) != 0;
    h->extension = (b0 & 0x10) != 0;
    h->csrc_count = b0 & 0x0f;
    h->marker = (b1 & 0x80) != 0;
    h->pt = b1 & 0x7f;
    h->seq = cur_be16(&c);
    h->ts = cur_be32(&c);
    h->ssrc = cur_be32(&c);
    h->payload = SLICE_NULL;
    if (!skip_extras(&c, h))
        return DIS_BAD;
    struct slice rest = cur_rest(&c);
    if (h->padding) {
        size_t pad = rest.len ? rest.p[rest.len - 1] : 0;
        if (pad == 0 || pad > rest.len)
            return DIS_BAD;
        rest.len -= pad;
    }
    h->payload = rest;
    return DIS_OK;
}

const char *rtp_pt_name(uint8_t pt)
{
    return pt < RTP_STATIC_PTS ? static_pts[pt].name : NULL;
}

uint32_t rtp_pt_clock(uint8_t pt)
{
    return pt < RTP_STATIC_PTS ? static_pts[pt].clock : 0;
}

uint32_t rtp_pt_analysis_clock(uint8_t pt)
{
    return pt == 1 ? 8000 : rtp_pt_clock(pt); /* pt 1: the old FS-1016, still in its table */
}

static bool prefix_ieq(struct slice s, const char *lit)
{
    size_t n = 0;
    while (lit[n])
        n++;
    return slice_istarts(s, lit, n);
}

uint32_t rtp_enc_default_clock(struct slice enc)
{
    /* Reverse order, as Wireshark searches, so "AMR-WB" wins over its prefix "AMR". */
    for (size_t i = sizeof dyn_clocks / sizeof dyn_clocks[0]; i-- > 0;) {
        if (prefix_ieq(enc, dyn_clocks[i].name))
            return dyn_clocks[i].clock;
    }
    return 0;
}
