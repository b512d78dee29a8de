/* test_ws.c: unit tests of SIP over WebSocket (dissect/ws.c with tcp.c) through net_frame: the
 * Upgrade handshake (whole, split, refused), masked and unmasked frames with 7-, 16- and 64-bit
 * lengths, text and binary, several frames per segment, continuation frames with control frames
 * between them, frames split across segments, broken frames, and a prefix-truncation sweep. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dissect/net.h"

#include "net_frames.h"

static const char REQ[] = "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                          "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: sip\r\n\r\n";
static const char RESP[] = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\n"
                           "Connection: Upgrade\r\nSec-WebSocket-Protocol: SIP\r\n\r\n";

struct buf {
    uint8_t b[3000];
    size_t len;
};

static void add(struct buf *o, const void *d, size_t n)
{
    memcpy(o->b + o->len, d, n);
    o->len += n;
}

/* Appends one frame: fin, opcode, masked or not, length form 7/16/64 (0: the shortest). */
static void wsf(struct buf *o, bool fin, unsigned op, bool mask, int form, const char *d)
{
    size_t n = strlen(d);
    uint8_t h[14];
    size_t k = 0;
    h[k++] = (uint8_t)((fin ? 0x80 : 0) | op);
    int f = form ? form : n > 125 ? 16 : 7;
    uint8_t m = mask ? 0x80 : 0;
    if (f == 7) {
        h[k++] = (uint8_t)(m | n);
    } else if (f == 16) {
        h[k++] = m | 126;
        h[k++] = (uint8_t)(n >> 8);
        h[k++] = (uint8_t)n;
    } else {
        h[k++] = m | 127;
        for (int i = 7; i >= 0; i--)
            h[k++] = (uint8_t)((uint64_t)n >> (8 * i));
    }
    add(o, h, k);
    static const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
    if (mask)
        add(o, key, 4);
    for (size_t i = 0; i < n; i++) {
        uint8_t c = (uint8_t)d[i];
        o->b[o->len++] = mask ? (uint8_t)(c ^ key[i % 4]) : c;
    }
}

/* A TCP segment (IPv4, Ethernet) from port sp to dp carrying bytes d. */
static struct pkt seg(unsigned sp, unsigned dp, uint32_t seq, const uint8_t *d, size_t n)
{
    struct pkt p = {.len = 0};
    eth(&p, 0x0800);
    ip4(&p, 6, 20 + n, 1, 0, 0);
    put16(&p, sp);
    put16(&p, dp);
    put32(&p, seq);
    put32(&p, 0);
    put8(&p, 0x50);
    put8(&p, 0x18);
    put16(&p, 65535);
    put32(&p, 0);
    put(&p, d, n);
    return p;
}

static void test_client_side(void)
{
    struct net_ctx *n = ctx();
    struct got g = {0};
    struct buf o = {.len = 0};
    add(&o, REQ, strlen(REQ));
    wsf(&o, true, 1, true, 0, "hello");
    wsf(&o, true, 9, true, 0, "ping");
    wsf(&o, true, 2, true, 0, "binary!");
    struct pkt p = seg(40000, 8080, 1, o.b, o.len);
    CHECK_EQ_INT(run(n, &p, 0, &g), DIS_OK);
    CHECK_EQ_INT(g.n, 2);
    GOT_IS(&g, 0, "hello");
    GOT_IS(&g, 1, "binary!");
    CHECK_EQ_INT(g.m[0].pl.transport, NET_T_WS);
    CHECK_EQ_INT(g.m[1].pl.index_in_frame, 1);
    CHECK_EQ_INT(g.m[0].pl.dst.port, 8080);
    /* fragmented: text FIN=0, a ping, continuation, continuation FIN=1; 16- and 64-bit forms */
    struct buf f = {.len = 0};
    wsf(&f, false, 1, true, 16, "abc");
    wsf(&f, true, 9, true, 0, "");
    wsf(&f, false, 0, true, 64, "def");
    struct pkt q = seg(40000, 8080, 1 + (uint32_t)o.len, f.b, f.len);
    run(n, &q, 1, &g);
    CHECK_EQ_INT(g.n, 2);
    struct buf f2 = {.len = 0};
    wsf(&f2, true, 0, true, 0, "ghi");
    struct pkt r = seg(40000, 8080, 1 + (uint32_t)(o.len + f.len), f2.b, f2.len);
    run(n, &r, 2, &g);
    CHECK_EQ_INT(g.n, 3);
    GOT_IS(&g, 2, "abcdefghi");
    CHECK(g.m[2].pl.reassembled && !g.m[2].in_frame);
    CHECK_EQ_INT(net_get_stats(n)->ws_handshakes, 1);
    CHECK_EQ_INT(net_get_stats(n)->ws_messages, 3);
    net_free(n);
}

static void test_server_side_and_splits(void)
{
    struct net_ctx *n = ctx();
    struct got g = {0};
    struct buf o = {.len = 0};
    add(&o, RESP, strlen(RESP));
    char big[301];
    memset(big, 'x', 300);
    big[300] = '\0';
    wsf(&o, true, 1, false, 0, big); /* 16-bit length, unmasked: zero copy */
    wsf(&o, true, 1, false, 0, "tail-message");
    size_t cut1 = 20, cut2 = strlen(RESP) + 3; /* handshake split, then a frame header split */
    struct pkt a = seg(8080, 40000, 100, o.b, cut1);
    struct pkt b = seg(8080, 40000, 100 + (uint32_t)cut1, o.b + cut1, cut2 - cut1);
    struct pkt c = seg(8080, 40000, 100 + (uint32_t)cut2, o.b + cut2, o.len - cut2);
    run(n, &a, 0, &g);
    run(n, &b, 1, &g);
    CHECK_EQ_INT(g.n, 0);
    run(n, &c, 2, &g);
    CHECK_EQ_INT(g.n, 2);
    CHECK(g.m[0].len == 300 && g.m[0].data[299] == 'x');
    CHECK(g.m[0].pl.reassembled);
    GOT_IS(&g, 1, "tail-message");
    CHECK(g.m[1].in_frame); /* framed straight from the segment, unmasked: no copy */
    net_free(n);
}

/* A stream whose first bytes are buf, then frame bytes: returns how many messages came out. */
static int after(const char *hs, bool cont_only, unsigned bad_op)
{
    struct net_ctx *n = ctx();
    struct got g = {0};
    struct buf o = {.len = 0};
    add(&o, hs, strlen(hs));
    if (cont_only)
        wsf(&o, true, 0, true, 0, "orphan");
    if (bad_op)
        wsf(&o, true, bad_op, true, 0, "reserved");
    wsf(&o, true, 1, true, 0, "M after\n\n");
    struct pkt p = seg(40000, 8080, 1, o.b, o.len);
    run(n, &p, 0, &g);
    int k = g.n;
    net_free(n);
    return k;
}

static void test_refusals(void)
{
    CHECK_EQ_INT(after(REQ, false, 0), 1);
    CHECK_EQ_INT(after(REQ, true, 0), 1);  /* a continuation without its start is skipped */
    CHECK_EQ_INT(after(REQ, false, 3), 0); /* reserved opcode: the stream is not followed on */
    CHECK_EQ_INT(after("GET / HTTP/1.1\r\nUpgrade: websocket\r\n"
                       "Sec-WebSocket-Protocol: chat\r\n\r\n",
                       false, 0),
                 0); /* not the sip subprotocol */
    CHECK_EQ_INT(after("GET / HTTP/1.1\r\nHost: a\r\n\r\n", false, 0), 0); /* plain HTTP */
    /* an oversized control frame is bad */
    struct buf o = {.len = 0};
    add(&o, REQ, strlen(REQ));
    const uint8_t ping126[] = {0x89, 126, 0, 200};
    add(&o, ping126, sizeof ping126);
    struct net_ctx *n = ctx();
    struct got g = {0};
    struct pkt p = seg(40000, 8080, 1, o.b, o.len);
    run(n, &p, 0, &g);
    CHECK_EQ_INT(g.n, 0);
    net_free(n);
}

static void test_sweep(void)
{
    struct buf o = {.len = 0};
    add(&o, REQ, strlen(REQ));
    wsf(&o, true, 1, true, 0, "INVITE sip:a@b SIP/2.0\r\n");
    wsf(&o, false, 1, true, 16, "frag-");
    wsf(&o, true, 10, true, 0, "pong");
    wsf(&o, true, 0, true, 64, "ment");
    struct pkt p = seg(40000, 8080, 1, o.b, o.len);
    for (size_t cap = 0; cap <= p.len; cap++) {
        struct net_ctx *n = ctx();
        struct got g = {0};
        enum dis_result r = run_cap(n, &p, cap, 0, &g);
        CHECK(r <= DIS_NOT_MINE);
        for (int i = 0; i < g.n; i++) { /* only whole messages come out */
            const struct got_msg *m = &g.m[i];
            CHECK((m->len == 24 && memcmp(m->data, "INVITE sip:a@b SIP/2.0\r\n", 24) == 0) ||
                  (m->len == 9 && memcmp(m->data, "frag-ment", 9) == 0));
        }
        CHECK_EQ_INT(g.n, cap == p.len ? 2 : g.n);
        net_free(n);
    }
}

int main(void)
{
    test_client_side();
    test_server_side_and_splits();
    test_refusals();
    test_sweep();
    return check_done();
}
