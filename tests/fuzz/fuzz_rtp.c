/* fuzz_rtp.c: libFuzzer target for RTP (dissect/rtp.c), the stream statistics (rtp_stats.c) and
 * the media table (media.c). The input is an SDP body, a 0xFF byte, then packet records
 * [flags][time step][2-byte length][bytes]: each packet is parsed on its own (rtp_parse, the
 * RTCP test, a standalone rtp_stats) and delivered to the media table on one of the flows the
 * SDP announced (flags pick the m= line, RTP or RTCP port, the direction); a record with flags
 * 0xFE is a new SDP for the table instead. Streams are expired and flushed as time advances.
 * An SDP part of odd length turns --rtp-heuristic on (media_set_heuristic): packets off the
 * announced flows (flags 0x20, or no SDP) then go through the candidate detector. */
#include <stdlib.h>
#include <string.h>

#include "dissect/media.h"
#include "dissect/rtp.h"
#include "dissect/rtp_stats.h"
#include "dissect/sdp.h"
#include "fuzz.h"

#define FUZZ_SDP_AGAIN 0xFE /* record flags: the bytes are another SDP body */

static void on_done(void *user, struct media_stream *s)
{
    unsigned *n = user;
    (*n)++;
    (void)rtp_stats_lost(&s->st);
    (void)media_dtmf_char((uint8_t)s->packets);
}

/* The endpoint of a flow the SDP announced, chosen by flags (or a fixed one when none). */
static struct net_endpoint pick_flow(const struct sdp *s, uint8_t flags)
{
    struct net_endpoint ep = {.addr = {.family = 4, .a = {192, 0, 2, 9}}, .port = 4000};
    if (s->nmedia == 0)
        return ep;
    const struct sdp_media *md = &s->media[flags % s->nmedia];
    ep.addr = md->conn.family ? md->conn : s->conn;
    ep.port = md->port;
    if (flags & 0x10)
        ep.port = md->rtcp_port ? md->rtcp_port : (uint16_t)(md->port + 1);
    if (flags & 0x20)
        ep.port = (uint16_t)(ep.port + 2 * ((flags >> 6) & 1)); /* further ports of port/n */
    return ep;
}

/* Parses one packet by itself and updates a standalone statistics record. */
static void parse_alone(struct rtp_stats *st, const uint8_t *p, size_t len, int64_t t)
{
    struct slice s = slice_make(p, len);
    (void)rtp_looks_like(s);
    (void)rtp_is_rtcp(s);
    struct rtp_hdr h;
    if (rtp_parse(s, &h) != DIS_OK)
        return;
    if (h.payload.len > len || (h.payload.len && (h.payload.p < p || h.payload.p > p + len)))
        abort(); /* the payload view must stay inside the packet */
    uint32_t clock = rtp_pt_analysis_clock(h.pt);
    if (!clock)
        clock = rtp_enc_default_clock(h.payload);
    (void)rtp_pt_name(h.pt);
    struct rtp_stat_pkt pk = {.ts_ns = t,
                              .seq = h.seq,
                              .ts = h.ts,
                              .pt = h.pt,
                              .marker = h.marker,
                              .clock = clock,
                              .tel_event = h.pt == 101};
    rtp_stats_add(st, &pk);
    (void)rtp_stats_expected(st);
    (void)rtp_stats_lost(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sdp sdp; /* views into the input, valid for this run */
    const uint8_t *sep = memchr(data, 0xFF, size);
    size_t sdp_len = sep ? (size_t)(sep - data) : 0;
    size_t off = sep ? sdp_len + 1 : 0;
    unsigned done = 0;
    struct media_ctx *m = media_new(1, on_done, &done);
    if (sdp_len & 1)
        media_set_heuristic(m);
    memset(&sdp, 0, sizeof sdp);
    int64_t t = 1000000000;
    if (sdp_parse(&sdp, slice_make(data, sdp_len)) == DIS_OK)
        media_sdp(m, 1, &sdp, t);
    struct rtp_stats st;
    rtp_stats_init(&st);
    struct net_endpoint peer = {.addr = {.family = 4, .a = {198, 51, 100, 7}}, .port = 30000};
    uint64_t idx = 0;
    while (size - off >= 4) {
        uint8_t flags = data[off];
        t += (int64_t)data[off + 1] * 1000000; /* 0..255 ms */
        size_t len = (size_t)data[off + 2] << 8 | data[off + 3];
        off += 4;
        if (len > size - off)
            len = size - off;
        if (flags == FUZZ_SDP_AGAIN) {
            if (sdp_parse(&sdp, slice_make(data + off, len)) == DIS_OK)
                media_sdp(m, 2 + idx, &sdp, t);
            off += len;
            continue;
        }
        uint8_t *copy = malloc(len ? len : 1); /* exact size so ASan sees any over-read */
        if (!copy)
            abort();
        memcpy(copy, data + off, len);
        parse_alone(&st, copy, len, t);
        struct frame f = {.ts_ns = t, .caplen = (uint32_t)len, .index = ++idx, .data = copy};
        struct net_payload pl = {
            .transport = NET_T_UDP, .frame = &f, .data = slice_make(copy, len)};
        pl.dst = pick_flow(&sdp, flags);
        pl.src = peer;
        if (flags & 0x80) {
            pl.src = pl.dst;
            pl.dst = peer;
        }
        struct media_stream *created = NULL;
        (void)media_packet(m, &pl, &created);
        free(copy);
        if ((idx & 255) == 0) /* a scan of every bucket: not per packet */
            media_expire(m, t);
        off += len;
    }
    media_expire(m, t + (int64_t)MEDIA_FLOW_IDLE_MS * 2000000);
    media_flush_all(m);
    (void)media_get_counters(m);
    media_free(m);
    return 0;
}
