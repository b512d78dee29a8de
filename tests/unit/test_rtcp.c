/* test_rtcp.c: dissect/rtcp.c on crafted compound packets: SR with two report blocks + RR + XR
 * VoIP metrics (RFC 3550 §6.4, RFC 3611 §4.7) field by field as built; negative cumulative loss;
 * round-trip time from LSR/DLSR (§6.4.1) for a chosen arrival time; every prefix of the compound
 * (under ASan: no read past it) gives DIS_TRUNC or DIS_NOT_MINE with only whole blocks kept; an
 * XR block whose length runs past its packet is dropped; non-RTCP bytes are not mine. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dissect/rtcp.h"

static size_t put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
    return 4;
}

static size_t put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
    return 2;
}

static size_t block(uint8_t *p, uint32_t ssrc, uint8_t frac, int32_t cum, uint32_t jit,
                    uint32_t lsr, uint32_t dlsr)
{
    size_t n = put32(p, ssrc);
    n += put32(p + n, ((uint32_t)frac << 24) | ((uint32_t)cum & 0xFFFFFFu));
    n += put32(p + n, 0x00010064u); /* ext highest seq: 1 cycle, seq 100 */
    n += put32(p + n, jit);
    n += put32(p + n, lsr);
    n += put32(p + n, dlsr);
    return n;
}

/* SR(2 blocks) + RR(1 block) + XR(VoIP metrics). Returns its length. */
static size_t compound(uint8_t *p)
{
    size_t n = 0;
    p[n++] = 0x82; /* V=2, RC=2 */
    p[n++] = 200;
    n += put16(p + n, (4 + 20 + 2 * 24) / 4); /* words after the header */
    n += put32(p + n, 0xAAAA0001u);
    for (int i = 0; i < 5; i++)
        n += put32(p + n, 0x01020304u + (uint32_t)i); /* NTP, RTP ts, counts */
    n += block(p + n, 0x11111111u, 64, 5, 80, 0x12345678u, 0x00020000u);
    n += block(p + n, 0x22222222u, 0, -3, 7, 0, 0);
    p[n++] = 0x81; /* RR, RC=1 */
    p[n++] = 201;
    n += put16(p + n, 7);
    n += put32(p + n, 0xBBBB0002u);
    n += block(p + n, 0x33333333u, 255, 0x7FFFFF, 1234, 1, 2);
    p[n++] = 0x80; /* XR */
    p[n++] = 207;
    n += put16(p + n, 1 + 9);
    n += put32(p + n, 0xCCCC0003u);
    p[n++] = RTCP_XR_VOIP;
    p[n++] = 0;
    n += put16(p + n, 8);
    n += put32(p + n, 0x44444444u);
    p[n++] = 13; /* loss rate */
    p[n++] = 2;  /* discard rate */
    p[n++] = 0;  /* burst density */
    p[n++] = 0;  /* gap density */
    n += put32(p + n, 0);
    n += put16(p + n, 45);  /* round trip delay ms */
    n += put16(p + n, 70);  /* end system delay ms */
    n += put32(p + n, 0);   /* signal, noise, RERL, Gmin */
    p[n++] = 88;            /* R factor */
    p[n++] = 127;           /* ext R */
    p[n++] = 41;            /* MOS-LQ 4.1 */
    p[n++] = 39;            /* MOS-CQ 3.9 */
    n += put16(p + n, 0);   /* RX config, reserved */
    n += put16(p + n, 40);  /* JB nominal */
    n += put16(p + n, 80);  /* JB max */
    n += put16(p + n, 120); /* JB abs max */
    return n;
}

static void test_compound(void)
{
    uint8_t p[256];
    size_t n = compound(p);
    struct rtcp_info in;
    CHECK(rtcp_parse(slice_make(p, n), &in) == DIS_OK);
    CHECK_EQ_INT(in.packets, 3);
    CHECK_EQ_INT(in.sr, 1);
    CHECK_EQ_INT(in.rr, 1);
    CHECK_EQ_INT(in.xr, 1);
    CHECK_EQ_INT(in.nblocks, 3);
    CHECK(in.blocks[0].reporter == 0xAAAA0001u && in.blocks[0].ssrc == 0x11111111u);
    CHECK_EQ_INT(in.blocks[0].fraction_lost, 64);
    CHECK_EQ_INT(in.blocks[0].cum_lost, 5);
    CHECK_EQ_INT(in.blocks[0].jitter, 80);
    CHECK(in.blocks[0].ext_seq == 0x00010064u && in.blocks[0].lsr == 0x12345678u);
    CHECK_EQ_INT(in.blocks[1].cum_lost, -3);
    CHECK(in.blocks[2].reporter == 0xBBBB0002u && in.blocks[2].fraction_lost == 255);
    CHECK_EQ_INT(in.blocks[2].cum_lost, 0x7FFFFF);
    CHECK_EQ_INT(in.nvoip, 1);
    const struct rtcp_xr_voip *v = &in.voip[0];
    CHECK(v->reporter == 0xCCCC0003u && v->ssrc == 0x44444444u);
    CHECK(v->loss_rate == 13 && v->discard_rate == 2 && v->rtt_ms == 45 && v->end_delay_ms == 70);
    CHECK(v->r_factor == 88 && v->mos_lq == 41 && v->mos_cq == 39);
    CHECK(v->jb_nominal == 40 && v->jb_max == 80 && v->jb_abs_max == 120);
}

/* Arrival 2026-01-01 00:00:10.5 UTC; LSR = send time - 2 s in NTP short; DLSR 1.25 s: RTT
 * 0.75 s. */
static void test_rtt(void)
{
    int64_t arrival = 1767225610500000000LL;
    uint64_t sec = 1767225610ULL + 2208988800ULL - 2;
    uint32_t lsr = (uint32_t)(((sec & 0xFFFF) << 16) | 0x8000); /* .5 s */
    struct rtcp_block b = {.lsr = lsr, .dlsr = 0x00014000u};    /* 1.25 s */
    CHECK(fabs(rtcp_rtt_ms(&b, arrival) - 750.0) < 0.05);
    b.lsr = 0;
    CHECK(rtcp_rtt_ms(&b, arrival) < 0);
    b.lsr = lsr + 0x00030000u; /* LSR after the arrival: negative, refused */
    CHECK(rtcp_rtt_ms(&b, arrival) < 0);
}

static void test_prefixes(void)
{
    uint8_t p[256];
    size_t n = compound(p);
    for (size_t k = 0; k < n; k++) {
        uint8_t *copy = malloc(k ? k : 1);
        memcpy(copy, p, k);
        struct rtcp_info in;
        enum dis_result r = rtcp_parse(slice_make(copy, k), &in);
        bool boundary = k == 76 || k == 76 + 32; /* after the SR, after the RR: whole packets */
        CHECK(k < 4 ? r == DIS_NOT_MINE : (boundary ? r == DIS_OK : r == DIS_TRUNC));
        size_t whole = k < 28 ? 0 : (k - 28) / 24; /* SR blocks that fit */
        if (k >= 4 && k < 76)
            CHECK_EQ_INT(in.nblocks, whole > 2 ? 2 : whole);
        CHECK(in.nvoip == 0); /* the XR block is the last thing: never whole in a prefix */
        free(copy);
    }
}

static void test_bad(void)
{
    uint8_t p[256];
    size_t n = compound(p);
    struct rtcp_info in;
    uint8_t rtp[12] = {0x80, 8, 0, 1};
    CHECK(rtcp_parse(slice_make(rtp, sizeof rtp), &in) == DIS_NOT_MINE);
    /* XR block length claiming past its packet: the block is dropped, the packet cut */
    uint8_t q[256];
    memcpy(q, p, n);
    put16(q + n - 36 + 2, 60);
    CHECK(rtcp_parse(slice_make(q, n), &in) != DIS_OK);
    CHECK_EQ_INT(in.nvoip, 0);
    CHECK_EQ_INT(in.nblocks, 3);
    /* a second packet that is not RTCP */
    memcpy(q, p, 76);
    q[76] = 0x00;
    q[77] = 0x00;
    CHECK(rtcp_parse(slice_make(q, 80), &in) == DIS_BAD);
}

int main(void)
{
    test_compound();
    test_rtt();
    test_prefixes();
    test_bad();
    return check_done();
}
