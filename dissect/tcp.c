/* tcp.c: TCP segments (RFC 9293 §3.1, §3.4) to framed messages: per-direction reassembly with
 * retransmission trimming, out-of-order holding, gap skipping and zero-copy delivery; a stream
 * that performs a SIP WebSocket handshake (RFC 7118) is framed by RFC 6455 from then on (ws.c). */
#include "dissect/tcp_stream.h"
#include "dissect/ws.h"
#include "dissect/banned.h"

#define TCP_MIN_HDR 20
#define TCP_FIN     0x01
#define TCP_SYN     0x02
#define TCP_RST     0x04
#define NS_PER_MS   1000000

/* What frame_one found: a message for the framer's protocol, a WebSocket handshake, a frame. */
enum frame_kind {
    FK_MSG,
    FK_HANDSHAKE,
    FK_WS,
};

/* Asks the framer for the first message of rest; anything but a sane DIS_OK / DIS_SHORT is
 * DIS_NOT_MINE. Without a framer each segment's bytes are one message. A WebSocket stream is
 * framed by RFC 6455; a plain one is checked for a SIP WebSocket handshake first. */
static enum dis_result frame_one(const struct net_ctx *n, const struct tcp_stream *s,
                                 struct slice rest, size_t *m, int *kind)
{
    *m = 0;
    *kind = FK_MSG;
    if (s->ws == WS_FRAMES) {
        *kind = FK_WS;
        enum dis_result w = ws_frame_len(rest, m);
        return w == DIS_OK || w == DIS_SHORT ? w : DIS_NOT_MINE;
    }
    if (n->framer) {
        enum dis_result h = ws_handshake(rest, m);
        if (h != DIS_NOT_MINE) {
            *kind = FK_HANDSHAKE; /* whole, or the start of one: never a SIP message */
            return h;
        }
    }
    if (!n->framer) {
        *m = rest.len;
        return DIS_OK;
    }
    enum dis_result r = n->framer(rest, m);
    if (r == DIS_OK && (*m == 0 || *m > rest.len))
        return DIS_NOT_MINE;
    if (r != DIS_OK && r != DIS_SHORT)
        return DIS_NOT_MINE;
    return r;
}

/* Hands one framed unit on: a message up, a handshake switches the stream to WebSocket frames,
 * a WebSocket frame to ws.c. */
static void deliver(struct net_ctx *n, struct ip_pkt *ip, struct tcp_stream *s, int kind,
                    struct slice msg, bool reassembled)
{
    if (kind == FK_HANDSHAKE) {
        s->ws = WS_FRAMES;
        n->st.ws_handshakes++;
    } else if (kind == FK_WS) {
        ws_frame(n, ip, s, msg, reassembled);
    } else {
        net_emit(n, ip, NET_T_TCP, msg, reassembled, false);
    }
}

/* Frames bytes straight from segment data d (nothing buffered): complete messages are delivered
 * in place, a partial tail is copied into the stream buffer (or delivered cut when cut). */
static void from_segment(struct net_ctx *n, struct ip_pkt *ip, struct tcp_stream *s, struct slice d,
                         bool cut)
{
    size_t off = 0;
    while (off < d.len) {
        struct slice rest = slice_sub(d, off, d.len);
        size_t m;
        int kind;
        enum dis_result r = frame_one(n, s, rest, &m, &kind);
        if (r == DIS_OK) {
            deliver(n, ip, s, kind, slice_sub(rest, 0, m), false);
            off += m;
            continue;
        }
        if (r == DIS_SHORT && cut && kind == FK_MSG)
            net_emit(n, ip, NET_T_TCP, rest, false, true);
        else if (r == DIS_SHORT)
            (void)tcp_stream_buf_append(n->tcp, s, rest); /* on failure the tail is dropped */
        return;
    }
}

/* Appends d to the partial message buffered in s and frames from there. Returns the part of d
 * still to be framed in place once the buffered bytes are used up (empty when none). */
static struct slice from_buffer(struct net_ctx *n, struct ip_pkt *ip, struct tcp_stream *s,
                                struct slice d, bool cut)
{
    size_t old = s->len;
    if (!tcp_stream_buf_append(n->tcp, s, d)) {
        tcp_stream_buf_consume(n->tcp, s, s->len); /* too big: give up on this message */
        return SLICE_NULL;
    }
    size_t off = 0;
    for (;;) {
        struct slice rest = slice_make(s->buf + off, s->len - off);
        size_t m;
        int kind;
        enum dis_result r = frame_one(n, s, rest, &m, &kind);
        if (r == DIS_OK) {
            deliver(n, ip, s, kind, slice_sub(rest, 0, m), true);
            off += m;
            if (off < old)
                continue;
            tcp_stream_buf_consume(n->tcp, s, s->len);
            return slice_sub(d, off - old, d.len);
        }
        if (r == DIS_SHORT && !cut) {
            tcp_stream_buf_consume(n->tcp, s, off);
            return SLICE_NULL;
        }
        if (r == DIS_SHORT && kind == FK_MSG)
            net_emit(n, ip, NET_T_TCP, rest, true, true);
        tcp_stream_buf_consume(n->tcp, s, s->len);
        return SLICE_NULL;
    }
}

/* Handles in-order data: wire bytes at next_seq of which d (maybe fewer) were captured. */
static void in_order(struct net_ctx *n, struct ip_pkt *ip, struct tcp_stream *s, struct slice d,
                     size_t wire)
{
    bool cut = d.len < wire;
    s->next_seq += (uint32_t)wire;
    if (s->len > 0) {
        d = from_buffer(n, ip, s, d, cut);
        if (d.len == 0)
            return;
    }
    from_segment(n, ip, s, d, cut);
}

/* Feeds held out-of-order segments that the expected sequence number has reached. */
static void drain(struct net_ctx *n, struct ip_pkt *ip, struct tcp_stream *s)
{
    while (s->ooo && !tcp_seq_lt(s->next_seq, s->ooo->seq)) {
        struct tcp_seg *g = tcp_stream_ooo_pop(n->tcp, s);
        uint32_t skip = s->next_seq - g->seq;
        if (skip < g->len)
            in_order(n, ip, s, slice_make(g->data + skip, g->len - skip), g->len - skip);
        tcp_stream_seg_free(g);
    }
}

/* Gives up on the missing bytes before the first held segment: the partial message buffered
 * before the gap is dropped and delivery resumes from that segment. */
static void gap_skip(struct net_ctx *n, struct ip_pkt *ip, struct tcp_stream *s)
{
    if (!s->ooo)
        return;
    n->st.tcp_gaps++;
    tcp_stream_buf_consume(n->tcp, s, s->len);
    s->next_seq = s->ooo->seq;
    drain(n, ip, s);
}

/* Places a segment's data (wire bytes at seq, d captured) in the stream. */
static void segment(struct net_ctx *n, struct ip_pkt *ip, struct tcp_stream *s, uint32_t seq,
                    struct slice d, size_t wire)
{
    for (unsigned round = 0; round <= TCP_MAX_OOO_SEGS + 2; round++) {
        if (tcp_seq_lt(seq, s->next_seq)) {
            uint32_t skip = s->next_seq - seq;
            n->st.tcp_retrans++;
            if (skip >= wire)
                return;
            d = slice_sub(d, skip, d.len);
            wire -= skip;
            seq = s->next_seq;
        }
        if (seq == s->next_seq) {
            in_order(n, ip, s, d, wire);
            drain(n, ip, s);
            return;
        }
        if (round == 0)
            n->st.tcp_ooo++;
        if (d.len == wire && tcp_stream_ooo_add(n->tcp, s, seq, d))
            return;
        if (s->ooo) {
            gap_skip(n, ip, s);
        } else {
            n->st.tcp_gaps++;
            tcp_stream_buf_consume(n->tcp, s, s->len);
            s->next_seq = seq;
        }
    }
}

/* Forgets what s held and restarts its sequence space at isn (a SYN). */
static void stream_restart(struct net_ctx *n, struct tcp_stream *s, uint32_t isn)
{
    tcp_stream_buf_consume(n->tcp, s, s->len);
    while (s->ooo)
        tcp_stream_seg_free(tcp_stream_ooo_pop(n->tcp, s));
    s->next_seq = isn + 1;
    s->seq_known = true;
}

enum dis_result tcp_input(struct net_ctx *n, struct ip_pkt *ip)
{
    struct slice p = ip->payload;
    if (p.len < TCP_MIN_HDR)
        return ip->declared < TCP_MIN_HDR ? DIS_BAD : DIS_TRUNC;
    size_t hl = (size_t)(p.p[12] >> 4) * 4;
    if (hl < TCP_MIN_HDR || hl > ip->declared)
        return DIS_BAD;
    if (hl > p.len)
        return DIS_TRUNC;
    n->st.tcp++;
    ip->src.port = (uint16_t)((p.p[0] << 8) | p.p[1]);
    ip->dst.port = (uint16_t)((p.p[2] << 8) | p.p[3]);
    uint32_t seq =
        ((uint32_t)p.p[4] << 24) | ((uint32_t)p.p[5] << 16) | ((uint32_t)p.p[6] << 8) | p.p[7];
    uint8_t flags = p.p[13];
    struct slice data = slice_make(p.p + hl, p.len - hl);
    size_t wire = ip->declared - hl;
    bool syn = (flags & TCP_SYN) != 0;
    struct tcp_stream *s = tcp_stream_get(n->tcp, &ip->src, &ip->dst, n->f->ts_ns, syn || wire > 0);
    if (!s)
        return DIS_OK;
    if (syn) {
        stream_restart(n, s, seq);
        seq++;
    } else if (!s->seq_known) {
        s->next_seq = seq;
        s->seq_known = true;
    }
    if (s->ooo && net_older(s->ooo_since_ns, s->last_ns, (int64_t)TCP_GAP_WAIT_MS * NS_PER_MS)) {
        gap_skip(n, ip, s); /* the missing bytes are not coming */
        s->ooo_since_ns = s->last_ns;
    }
    if (wire > 0)
        segment(n, ip, s, seq, data, wire);
    if (flags & (TCP_FIN | TCP_RST)) {
        while (s->ooo)
            gap_skip(n, ip, s);
        tcp_stream_close(n->tcp, s);
    }
    return ip->truncated ? DIS_TRUNC : DIS_OK;
}
