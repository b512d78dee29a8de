/* rtcp.c: RTCP compound packets: SR/RR report blocks (RFC 3550 §6.4.1, §6.4.2), round-trip time
 * from LSR/DLSR (§6.4.1), XR VoIP metrics (RFC 3611 §3, §4.7). Bounded by dissect/cur.h. */
#include "dissect/rtcp.h"

#include <string.h>

#include "dissect/banned.h"
#include "dissect/cur.h"

#define RTCP_HDR_LEN   4
#define RTCP_BLOCK_LEN 24          /* report block bytes */
#define RTCP_SR_INFO   20          /* sender info bytes after the sender SSRC */
#define RTCP_VOIP_LEN  32          /* VoIP metrics block bytes after its 4-byte header */
#define NTP_UNIX_DIFF  2208988800u /* seconds from 1900 to 1970 */

static void read_block(struct cur *c, uint32_t reporter, struct rtcp_block *b)
{
    b->reporter = reporter;
    b->ssrc = cur_be32(c);
    uint32_t w = cur_be32(c);
    b->fraction_lost = (uint8_t)(w >> 24);
    uint32_t lost = w & 0xFFFFFFu;
    b->cum_lost = (lost & 0x800000u) ? (int32_t)lost - 0x1000000 : (int32_t)lost;
    b->ext_seq = cur_be32(c);
    b->jitter = cur_be32(c);
    b->lsr = cur_be32(c);
    b->dlsr = cur_be32(c);
}

/* SR (sender info first) or RR: rc report blocks in body. */
static void parse_report(struct cur *c, unsigned rc, bool sr, struct rtcp_info *out)
{
    uint32_t reporter = cur_be32(c);
    if (sr)
        cur_skip(c, RTCP_SR_INFO);
    for (unsigned i = 0; i < rc && !c->err; i++) {
        struct rtcp_block b;
        read_block(c, reporter, &b);
        if (!c->err && out->nblocks < RTCP_MAX_BLOCKS)
            out->blocks[out->nblocks++] = b;
    }
}

static void read_voip(struct cur *c, uint32_t reporter, struct rtcp_xr_voip *v)
{
    v->reporter = reporter;
    v->ssrc = cur_be32(c);
    v->loss_rate = cur_u8(c);
    v->discard_rate = cur_u8(c);
    cur_skip(c, 2 + 4); /* burst/gap density, burst/gap duration */
    v->rtt_ms = cur_be16(c);
    v->end_delay_ms = cur_be16(c);
    cur_skip(c, 4); /* signal level, noise level, RERL, Gmin */
    v->r_factor = cur_u8(c);
    cur_skip(c, 1); /* external R factor */
    v->mos_lq = cur_u8(c);
    v->mos_cq = cur_u8(c);
    cur_skip(c, 2); /* RX config, reserved */
    v->jb_nominal = cur_be16(c);
    v->jb_max = cur_be16(c);
    v->jb_abs_max = cur_be16(c);
}

/* XR: report blocks, each with its own length in 32-bit words (RFC 3611 §3). */
static void parse_xr(struct cur *c, struct rtcp_info *out)
{
    uint32_t reporter = cur_be32(c);
    while (cur_left(c) >= 4) {
        uint8_t bt = cur_u8(c);
        cur_skip(c, 1);
        size_t len = (size_t)cur_be16(c) * 4;
        if (!cur_need(c, len))
            return;
        struct cur blk = {c->p, c->p + len, false};
        cur_skip(c, len);
        if (bt != RTCP_XR_VOIP || len < RTCP_VOIP_LEN)
            continue;
        struct rtcp_xr_voip v;
        read_voip(&blk, reporter, &v);
        if (!blk.err && out->nvoip < RTCP_MAX_XR)
            out->voip[out->nvoip++] = v;
    }
}

enum dis_result rtcp_parse(struct slice s, struct rtcp_info *out)
{
    memset(out, 0, sizeof *out);
    struct cur c = cur_of(s);
    while (cur_left(&c) > 0) {
        if (cur_left(&c) < RTCP_HDR_LEN)
            return out->packets ? DIS_TRUNC : DIS_NOT_MINE;
        uint8_t b0 = cur_u8(&c), pt = cur_u8(&c);
        size_t len = (size_t)cur_be16(&c) * 4;
        if ((b0 >> 6) != 2 || pt < 192 || pt > 223)
            return out->packets ? DIS_BAD : DIS_NOT_MINE;
        out->packets++;
        bool whole = len <= cur_left(&c);
        struct cur body = {c.p, whole ? c.p + len : c.end, false};
        cur_skip(&c, whole ? len : cur_left(&c));
        unsigned rc = b0 & 0x1Fu;
        if (pt == RTCP_PT_SR || pt == RTCP_PT_RR) {
            if (pt == RTCP_PT_SR)
                out->sr++;
            else
                out->rr++;
            parse_report(&body, rc, pt == RTCP_PT_SR, out);
        } else if (pt == RTCP_PT_XR) {
            out->xr++;
            parse_xr(&body, out);
        }
        if (!whole || body.err)
            return DIS_TRUNC;
    }
    return out->packets ? DIS_OK : DIS_NOT_MINE;
}

double rtcp_rtt_ms(const struct rtcp_block *b, int64_t arrival_ns)
{
    if (b->lsr == 0 || arrival_ns < 0)
        return -1;
    uint64_t sec = (uint64_t)(arrival_ns / 1000000000) + NTP_UNIX_DIFF;
    uint64_t frac = ((uint64_t)(arrival_ns % 1000000000) << 16) / 1000000000u;
    uint32_t a = (uint32_t)(((sec & 0xFFFFu) << 16) | frac);
    uint32_t rtt = a - b->lsr - b->dlsr; /* modulo 2^32, as the units wrap */
    if (rtt > 0x80000000u)
        return -1;
    return (double)rtt * 1000.0 / 65536.0;
}
