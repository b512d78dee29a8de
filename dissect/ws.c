/* ws.c: SIP over WebSocket (RFC 7118): the HTTP/1.1 Upgrade handshake (RFC 6455 §4.1, §4.2.2:
 * "Upgrade: websocket", Sec-WebSocket-Protocol "sip", the 101 answer) recognised on any TCP port,
 * then RFC 6455 §5 frames: FIN, opcodes continuation/text/binary (data) and close/ping/pong
 * (control, skipped, allowed between fragments), client masking, 7-, 16- and 64-bit payload
 * lengths; fragmented messages are joined, bounded by WS_MAX_MSG and WS_MAX_FRAGMENTS. */
#include "dissect/ws.h"
#include "dissect/cur.h"
#include "dissect/banned.h"

#define WS_FIN         0x80u
#define WS_RSV         0x70u
#define WS_OPCODE      0x0fu
#define WS_MASK        0x80u
#define WS_LEN7        0x7fu
#define WS_LEN16       126
#define WS_LEN64       127
#define WS_MASK_LEN    4
#define WS_OP_CONT     0x0
#define WS_OP_TEXT     0x1
#define WS_OP_BINARY   0x2
#define WS_OP_CONTROL  0x8 /* 0x8..0xf: close, ping, pong, reserved */
#define WS_MAX_CONTROL 125 /* RFC 6455 §5.5 */

static bool ieq(uint8_t a, uint8_t b)
{
    if (a >= 'A' && a <= 'Z')
        a = (uint8_t)(a - 'A' + 'a');
    if (b >= 'A' && b <= 'Z')
        b = (uint8_t)(b - 'A' + 'a');
    return a == b;
}

static bool starts(struct slice s, const char *lit, size_t n)
{
    if (s.len < n)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!ieq(s.p[i], (uint8_t)lit[i]))
            return false;
    }
    return true;
}

/* True when the value v (a comma list) holds the token tok, case-insensitively. */
static bool has_token(struct slice v, const char *tok, size_t n)
{
    size_t i = 0;
    while (i < v.len) {
        while (i < v.len && (v.p[i] == ' ' || v.p[i] == '\t' || v.p[i] == ','))
            i++;
        size_t b = i;
        while (i < v.len && v.p[i] != ',' && v.p[i] != ' ' && v.p[i] != '\t')
            i++;
        if (i - b == n && starts(slice_sub(v, b, i - b), tok, n))
            return true;
    }
    return false;
}

/* Looks at each header line of head for Upgrade: websocket and Sec-WebSocket-Protocol: sip. */
static bool upgrade_to_sip(struct slice head)
{
    bool up = false, sip = false;
    size_t i = 0;
    while (i < head.len) {
        size_t e = i;
        while (e < head.len && head.p[e] != '\r' && head.p[e] != '\n')
            e++;
        struct slice line = slice_sub(head, i, e - i);
        size_t colon = slice_chr(line, ':');
        if (colon < line.len) {
            struct slice v = slice_sub(line, colon + 1, line.len - colon - 1);
            if (colon == 7 && starts(line, "upgrade", 7))
                up = up || has_token(v, "websocket", 9);
            if (colon == 22 && starts(line, "sec-websocket-protocol", 22))
                sip = sip || has_token(v, "sip", 3);
        }
        i = e + 1;
    }
    return up && sip;
}

enum dis_result ws_handshake(struct slice b, size_t *len)
{
    size_t need = b.len < 12 ? b.len : 12;
    if (!starts(b, "GET ", need < 4 ? need : 4) && !starts(b, "HTTP/1.1 101", need))
        return DIS_NOT_MINE;
    size_t lim = b.len < WS_MAX_HANDSHAKE ? b.len : WS_MAX_HANDSHAKE;
    for (size_t i = 0; i + 4 <= lim; i++) {
        if (b.p[i] == '\r' && b.p[i + 1] == '\n' && b.p[i + 2] == '\r' && b.p[i + 3] == '\n') {
            if (!upgrade_to_sip(slice_sub(b, 0, i)))
                return DIS_NOT_MINE;
            *len = i + 4;
            return DIS_OK;
        }
    }
    return b.len < WS_MAX_HANDSHAKE && b.len >= 4 ? DIS_SHORT : DIS_NOT_MINE;
}

/* Parses a frame header: opcode, flags, header length and payload length. */
static enum dis_result frame_hdr(struct slice b, uint8_t *b0, size_t *hl, uint64_t *plen)
{
    struct cur c = cur_of(b);
    *b0 = cur_u8(&c);
    uint8_t b1 = cur_u8(&c);
    uint64_t n = b1 & WS_LEN7;
    if (n == WS_LEN16)
        n = cur_be16(&c);
    else if (n == WS_LEN64)
        n = ((uint64_t)cur_be32(&c) << 32) | cur_be32(&c);
    if (b1 & WS_MASK)
        cur_skip(&c, WS_MASK_LEN);
    if (c.err)
        return DIS_SHORT;
    unsigned op = *b0 & WS_OPCODE;
    if ((*b0 & WS_RSV) || (op > WS_OP_BINARY && op < WS_OP_CONTROL) || op > 0xa)
        return DIS_BAD; /* no extension negotiated; reserved opcodes */
    if (op >= WS_OP_CONTROL && (n > WS_MAX_CONTROL || !(*b0 & WS_FIN)))
        return DIS_BAD;
    if (n > WS_MAX_MSG)
        return DIS_BAD;
    *hl = (size_t)(c.p - b.p);
    *plen = n;
    return DIS_OK;
}

enum dis_result ws_frame_len(struct slice b, size_t *len)
{
    uint8_t b0;
    size_t hl;
    uint64_t n;
    enum dis_result r = frame_hdr(b, &b0, &hl, &n);
    if (r != DIS_OK)
        return r;
    if (n > b.len - hl)
        return DIS_SHORT;
    *len = hl + (size_t)n;
    return DIS_OK;
}

void ws_stream_reset(struct tcp_stream *s)
{
    free(s->ws_msg);
    s->ws_msg = NULL;
    s->ws_len = 0;
    s->ws_cap = 0;
    s->ws_frags = 0;
}

/* Appends the payload of a frame, unmasked, to s's message buffer; false when over the bounds. */
static bool append(struct tcp_stream *s, const uint8_t *p, size_t n, const uint8_t *key)
{
    if (n > WS_MAX_MSG - s->ws_len || s->ws_frags >= WS_MAX_FRAGMENTS)
        return false;
    if (s->ws_len + n > s->ws_cap) {
        size_t cap = s->ws_cap ? s->ws_cap : 1024;
        while (cap < s->ws_len + n)
            cap *= 2;
        s->ws_msg = net_xrealloc(s->ws_msg, cap);
        s->ws_cap = cap;
    }
    for (size_t i = 0; i < n; i++)
        s->ws_msg[s->ws_len + i] = key ? (uint8_t)(p[i] ^ key[i % WS_MASK_LEN]) : p[i];
    s->ws_len += n;
    s->ws_frags++;
    return true;
}

void ws_frame(struct net_ctx *n, struct ip_pkt *ip, struct tcp_stream *s, struct slice fr,
              bool reassembled)
{
    uint8_t b0;
    size_t hl;
    uint64_t plen;
    if (frame_hdr(fr, &b0, &hl, &plen) != DIS_OK || plen != fr.len - hl)
        return;
    unsigned op = b0 & WS_OPCODE;
    if (op >= WS_OP_CONTROL)
        return; /* close, ping, pong: nothing for SIP */
    const uint8_t *key = (fr.p[1] & WS_MASK) ? fr.p + hl - WS_MASK_LEN : NULL;
    const uint8_t *p = fr.p + hl;
    bool fin = (b0 & WS_FIN) != 0;
    if (op != WS_OP_CONT) {
        s->ws_len = 0; /* a new message: an unfinished one before it is lost */
        s->ws_frags = 0;
        s->ws_open = true;
        s->ws_joined = false;
        if (fin && !key) {
            n->st.ws_messages++;
            net_emit(n, ip, NET_T_WS, slice_make(p, (size_t)plen), reassembled, false);
            s->ws_open = false;
            return;
        }
    } else if (!s->ws_open) {
        return; /* a continuation without its start (capture began mid-message) */
    } else {
        s->ws_joined = true;
    }
    if (!append(s, p, (size_t)plen, key)) {
        s->ws_open = false;
        s->ws_len = 0;
        return;
    }
    if (!fin)
        return;
    s->ws_open = false;
    n->st.ws_messages++;
    net_emit(n, ip, NET_T_WS, slice_make(s->ws_msg, s->ws_len), reassembled || s->ws_joined, false);
    s->ws_len = 0;
    s->ws_frags = 0;
    if (s->ws_cap > TCP_BUF_KEEP)
        ws_stream_reset(s);
}
