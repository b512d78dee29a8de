/* test_rtp.c: dissect/rtp.c (RFC 3550 §5.1 header, §5.3.1 extension, padding; RFC 5761 §4
 * demultiplexing; RFC 3551 static payload types) with a prefix-truncation sweep, and the
 * rtp_stats.c E-model (ITU-T G.107). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dissect/rtp.h"
#include "dissect/rtp_stats.h"

/* V=2 P=1 X=1 CC=2, M=1 PT=96, seq 0x1234, ts 0x01020304, ssrc 0xdeadbeef, 2 CSRCs, a one-word
 * extension, 3 payload bytes, 2 padding bytes. */
static const uint8_t full[] = {0xb2, 0xe0, 0x12, 0x34, 0x01, 0x02, 0x03, 0x04, 0xde, 0xad, 0xbe,
                               0xef, 0,    0,    0,    1,    0,    0,    0,    2,    0xbe, 0xde,
                               0,    1,    1,    2,    3,    4,    0xaa, 0xbb, 0xcc, 0,    2};

static void test_parse(void)
{
    struct rtp_hdr h;
    CHECK(rtp_parse(slice_make(full, sizeof full), &h) == DIS_OK);
    CHECK(h.padding && h.extension && h.marker);
    CHECK_EQ_INT(h.csrc_count, 2);
    CHECK_EQ_INT(h.pt, 96);
    CHECK_EQ_INT(h.seq, 0x1234);
    CHECK_EQ_INT(h.ts, 0x01020304);
    CHECK_EQ_INT(h.ssrc, 0xdeadbeefu);
    CHECK_EQ_INT(h.payload.len, 3);
    CHECK(h.payload.len == 3 && h.payload.p[0] == 0xaa);
    uint8_t bad[sizeof full];
    memcpy(bad, full, sizeof full);
    bad[sizeof bad - 1] = 40; /* padding longer than the packet */
    CHECK(rtp_parse(slice_make(bad, sizeof bad), &h) == DIS_BAD);
    CHECK_EQ_INT(h.seq, 0x1234);
    bad[0] = 0x40; /* version 1 */
    CHECK(rtp_parse(slice_make(bad, sizeof bad), &h) == DIS_NOT_MINE);
    CHECK(!rtp_looks_like(slice_make(bad, sizeof bad)));
    CHECK(rtp_looks_like(slice_make(full, 12)));
    CHECK(!rtp_looks_like(slice_make(full, 11)));
}

/* Every prefix parses without reading past it; too short for the fixed header is not RTP, a
 * cut CSRC list or extension is bad. */
static void test_truncation(void)
{
    for (size_t n = 0; n <= sizeof full; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        memcpy(copy, full, n);
        struct rtp_hdr h;
        enum dis_result r = rtp_parse(slice_make(copy, n), &h);
        if (n < RTP_HDR_LEN)
            CHECK(r == DIS_NOT_MINE);
        else if (n < 28)
            CHECK(r == DIS_BAD);
        else
            CHECK(r == DIS_OK || r == DIS_BAD);
        free(copy);
    }
}

static void test_rtcp_mux(void)
{
    const uint8_t sr[] = {0x80, 200, 0, 6, 0, 0, 0, 1, 0, 0, 0, 0};
    const uint8_t rtp_pt72[] = {0x80, 72, 0, 6, 0, 0, 0, 1, 0, 0, 0, 0};
    CHECK(rtp_is_rtcp(slice_make(sr, sizeof sr)));
    CHECK(!rtp_looks_like(slice_make(sr, sizeof sr)));
    CHECK(!rtp_is_rtcp(slice_make(rtp_pt72, sizeof rtp_pt72)));
    CHECK(rtp_looks_like(slice_make(rtp_pt72, sizeof rtp_pt72)));
}

static void test_payload_table(void)
{
    CHECK(strcmp(rtp_pt_name(0), "PCMU") == 0 && strcmp(rtp_pt_name(8), "PCMA") == 0);
    CHECK(strcmp(rtp_pt_name(9), "G722") == 0 && rtp_pt_clock(9) == 8000);
    CHECK(strcmp(rtp_pt_name(18), "G729") == 0 && strcmp(rtp_pt_name(13), "CN") == 0);
    CHECK(rtp_pt_name(96) == NULL && rtp_pt_name(35) == NULL && rtp_pt_name(1) == NULL);
    CHECK(rtp_pt_clock(6) == 16000 && rtp_pt_clock(10) == 44100 && rtp_pt_clock(26) == 90000);
    CHECK(rtp_pt_analysis_clock(1) == 8000 && rtp_pt_analysis_clock(35) == 0);
    CHECK(rtp_enc_default_clock(slice_make("AMR-WB", 6)) == 16000);
    CHECK(rtp_enc_default_clock(slice_make("AMR", 3)) == 8000);
    CHECK(rtp_enc_default_clock(slice_make("OPUS", 4)) == 48000);
    CHECK(rtp_enc_default_clock(slice_make("telephone-event", 15)) == 8000);
    CHECK(rtp_enc_default_clock(slice_make("x-unknown", 9)) == 0);
}

static void test_emodel(void)
{
    double ie, bpl;
    rtp_codec_impairment("PCMA", &ie, &bpl);
    CHECK(ie == 0 && bpl == 25.1);
    rtp_codec_impairment("G729", &ie, &bpl);
    CHECK(ie == 11 && bpl == 19.0);
    rtp_codec_impairment("nonesuch", &ie, &bpl);
    CHECK(ie == 0 && bpl == 25.1);
    struct rtp_mos_in in = {.ie = 0, .bpl = 25.1, .loss_pct = 0, .jitter_ms = 0, .delay_ms = 20};
    double r0 = rtp_r_factor(&in);
    CHECK(r0 > 92.6 && r0 < 92.8);
    double mos0 = rtp_mos_of_r(r0);
    CHECK(mos0 > 4.39 && mos0 < 4.41);
    in.loss_pct = 5;
    double r5 = rtp_r_factor(&in);
    CHECK(r5 < r0 - 10);
    in.loss_pct = 0;
    in.jitter_ms = 100;
    CHECK(rtp_r_factor(&in) < r0 - 5);
    CHECK(rtp_mos_of_r(-3) == 1.0 && rtp_mos_of_r(120) == 4.5);
    CHECK(rtp_mos_of_r(50) < rtp_mos_of_r(60) && rtp_mos_of_r(80) < rtp_mos_of_r(90));
}

int main(void)
{
    test_parse();
    test_truncation();
    test_rtcp_mux();
    test_payload_table();
    test_emodel();
    return check_done();
}
