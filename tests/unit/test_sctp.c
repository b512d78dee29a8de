/* test_sctp.c: unit tests of SCTP (dissect/sctp.c) through net_frame: whole DATA and I-DATA
 * chunks, several chunks per packet with padding and control chunks between them, fragmented user
 * messages in order, out of order, retransmitted, with a lost piece and interleaved per stream,
 * limits, broken chunk lengths, SCTP inside a tunnel, and a prefix-truncation sweep. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dissect/net.h"

#include "net_frames.h"

/* One chunk to put in a packet. */
struct ch {
    unsigned type, flags;
    uint32_t tsn;
    unsigned sid;
    uint32_t mid, fsn; /* I-DATA */
    const char *data;
};

/* IPv4 + SCTP common header (ports 5060 -> 5061, tag 0x1234) + the chunks, raw IP link type. */
static struct pkt sctp(const struct ch *c, int n)
{
    struct pkt body = {.len = 0};
    for (int i = 0; i < n; i++) {
        size_t dl = c[i].data ? strlen(c[i].data) : 0;
        size_t hl = c[i].type == 0 ? 16 : c[i].type == 64 ? 20 : 4;
        put8(&body, c[i].type);
        put8(&body, c[i].flags);
        put16(&body, (unsigned)(hl + dl));
        if (c[i].type == 0) {
            put32(&body, c[i].tsn);
            put16(&body, c[i].sid);
            put16(&body, 0);
            put32(&body, 0);
        } else if (c[i].type == 64) {
            put32(&body, c[i].tsn);
            put16(&body, c[i].sid);
            put16(&body, 0);
            put32(&body, c[i].mid);
            put32(&body, (c[i].flags & 2) ? 0 : c[i].fsn);
        }
        put(&body, c[i].data, dl);
        while (body.len % 4)
            put8(&body, 0);
    }
    struct pkt p = {.len = 0, .linktype = 101};
    ip4(&p, 132, 12 + body.len, 7, 0, 0);
    put16(&p, 5060);
    put16(&p, 5061);
    put32(&p, 0x1234);
    put32(&p, 0);
    put(&p, body.b, body.len);
    return p;
}

static struct pkt one(unsigned type, unsigned flags, uint32_t tsn, unsigned sid, const char *d)
{
    struct ch c = {.type = type, .flags = flags, .tsn = tsn, .sid = sid, .data = d};
    return sctp(&c, 1);
}

#define SCTP_TIMEOUT_MS_FOR_TEST 30000 /* dissect/sctp.h SCTP_TIMEOUT_MS (a private header) */

static void expect_bad(const struct pkt *p, enum dis_result want)
{
    struct net_ctx *n = ctx();
    struct got g = {0};
    CHECK_EQ_INT(run(n, p, 0, &g), want);
    CHECK_EQ_INT(g.n, 0);
    net_free(n);
}

static void test_whole_messages(void)
{
    struct net_ctx *n = ctx();
    struct got g = {0};
    struct pkt p = one(0, 3, 100, 0, "hello");
    CHECK_EQ_INT(run(n, &p, 0, &g), DIS_OK);
    CHECK_EQ_INT(g.n, 1);
    GOT_IS(&g, 0, "hello");
    CHECK_EQ_INT(g.m[0].pl.transport, NET_T_SCTP);
    CHECK_EQ_INT(g.m[0].pl.src.port, 5060);
    CHECK_EQ_INT(g.m[0].pl.dst.port, 5061);
    CHECK(g.m[0].in_frame && !g.m[0].pl.reassembled);
    /* SACK, DATA, HEARTBEAT, I-DATA, DATA (unordered) in one packet; odd lengths padded */
    const struct ch many[] = {
        {.type = 3, .data = "\0\0\0\1\0\1\0\0\0\0\0\0"},
        {.type = 0, .flags = 3, .tsn = 101, .data = "first"},
        {.type = 4, .data = "\0\1\0\x08hbhb"},
        {.type = 64, .flags = 3, .tsn = 102, .mid = 9, .data = "second!"},
        {.type = 0, .flags = 7, .tsn = 103, .data = "3rd"},
    };
    p = sctp(many, 5);
    g.n = 0;
    CHECK_EQ_INT(run(n, &p, 1, &g), DIS_OK);
    CHECK_EQ_INT(g.n, 3);
    GOT_IS(&g, 0, "first");
    GOT_IS(&g, 1, "second!");
    GOT_IS(&g, 2, "3rd");
    CHECK_EQ_INT(g.m[2].pl.index_in_frame, 2);
    CHECK_EQ_INT(net_get_stats(n)->sctp_data, 4);
    net_free(n);
}

/* Sends the pieces of "ABCDEFGHI" (3 fragments) in the order given; returns what came out. */
static int fragments(const int *order, int n_send, bool idata, struct got *g)
{
    static const char *piece[3] = {"ABC", "DEF", "GHI"};
    struct net_ctx *n = ctx();
    for (int i = 0; i < n_send; i++) {
        int k = order[i];
        unsigned flags = (k == 0 ? 2u : 0u) | (k == 2 ? 1u : 0u);
        struct ch c = {.type = idata ? 64 : 0,
                       .flags = flags,
                       .tsn = 0xfffffffeu + (uint32_t)k, /* wraps */
                       .mid = 5,
                       .fsn = (uint32_t)k,
                       .data = piece[k]};
        struct pkt p = sctp(&c, 1);
        CHECK_EQ_INT(run(n, &p, i, g), DIS_OK);
    }
    net_free(n);
    return g->n;
}

static void test_fragments(void)
{
    const int orders[][5] = {{0, 1, 2}, {2, 0, 1}, {1, 2, 0}, {0, 0, 1, 1, 2}, {0, 2}};
    const int lens[] = {3, 3, 3, 5, 2};
    for (int idata = 0; idata < 2; idata++) {
        for (int o = 0; o < 5; o++) {
            struct got g = {0};
            int got = fragments(orders[o], lens[o], idata, &g);
            CHECK_EQ_INT(got, o == 4 ? 0 : 1); /* a lost middle piece: nothing */
            if (got == 1) {
                GOT_IS(&g, 0, "ABCDEFGHI");
                CHECK(g.m[0].pl.reassembled && g.m[0].pl.transport == NET_T_SCTP);
            }
        }
    }
    /* DATA: a message that lost its end on stream 2, a whole one on stream 1, then a new B on
     * stream 2 replaces the broken one */
    struct net_ctx *n = ctx();
    struct got g = {0};
    struct pkt p[] = {one(0, 2, 1, 2, "lost-a"), one(0, 2, 2, 1, "s1-a"), one(0, 1, 3, 1, "s1-b"),
                      one(0, 2, 10, 2, "new-a"), one(0, 1, 11, 2, "new-b")};
    for (int i = 0; i < 5; i++)
        run(n, &p[i], i, &g);
    CHECK_EQ_INT(g.n, 2);
    GOT_IS(&g, 0, "s1-as1-b");
    GOT_IS(&g, 1, "new-anew-b");
    CHECK_EQ_INT(net_get_stats(n)->sctp_reassembled, 2);
    /* I-DATA: fragments of two streams interleaved (RFC 8260 allows it) */
    const struct ch il[] = {
        {.type = 64, .flags = 2, .tsn = 20, .sid = 1, .mid = 4, .data = "one-"},
        {.type = 64, .flags = 2, .tsn = 21, .sid = 2, .mid = 4, .data = "two-"},
        {.type = 64, .flags = 1, .tsn = 22, .sid = 1, .mid = 4, .fsn = 1, .data = "1"},
        {.type = 64, .flags = 1, .tsn = 23, .sid = 2, .mid = 4, .fsn = 1, .data = "2"},
    };
    for (int i = 0; i < 4; i++) {
        struct pkt q = sctp(&il[i], 1);
        run(n, &q, 5, &g);
    }
    CHECK_EQ_INT(g.n, 4);
    GOT_IS(&g, 2, "one-1");
    GOT_IS(&g, 3, "two-2");
    /* a partial message is forgotten after the timeout */
    struct pkt a = one(0, 2, 50, 3, "old"), b = one(0, 1, 51, 3, "end");
    run(n, &a, 10, &g);
    run(n, &b, 10 + SCTP_TIMEOUT_MS_FOR_TEST + 2000, &g);
    CHECK_EQ_INT(g.n, 4);
    net_free(n);
}

static void test_limits_and_errors(void)
{
    /* more fragments than one message may hold: never delivered */
    struct net_ctx *n = ctx();
    struct got g = {0};
    for (uint32_t i = 0; i < 300; i++) {
        struct pkt p = one(0, i == 0 ? 2 : i == 299 ? 1 : 0, i, 0, "x");
        run(n, &p, 0, &g);
    }
    CHECK_EQ_INT(g.n, 0);
    net_free(n);
    struct pkt p = one(0, 3, 1, 0, "hello");
    p.b[20 + 12 + 3] = 2; /* chunk length 2 < 4 */
    expect_bad(&p, DIS_BAD);
    p = one(0, 3, 1, 0, "hello");
    p.b[20 + 12 + 3] = 0x7f; /* longer than the packet, not cut by the capture */
    expect_bad(&p, DIS_BAD);
    p = one(0, 3, 1, 0, "");
    expect_bad(&p, DIS_BAD); /* DATA without user data */
    struct pkt s = {.len = 0, .linktype = 101};
    ip4(&s, 132, 8, 1, 0, 0);
    put32(&s, 0);
    put32(&s, 0);
    expect_bad(&s, DIS_BAD); /* shorter than the common header */
}

static void test_in_tunnel(void)
{
    struct pkt in = one(0, 3, 1, 0, "tunnelled");
    struct pkt p = {.len = 0};
    eth(&p, 0x0800);
    ip4(&p, 4, in.len, 9, 0, 0);
    put(&p, in.b, in.len);
    struct net_ctx *n = ctx();
    struct got g = {0};
    CHECK_EQ_INT(run(n, &p, 0, &g), DIS_OK);
    CHECK_EQ_INT(g.n, 1);
    GOT_IS(&g, 0, "tunnelled");
    CHECK(g.m[0].pl.transport == NET_T_SCTP && g.m[0].pl.encap == NET_E_IPIP);
    net_free(n);
}

static void test_sweep(void)
{
    struct net_ctx *n = ctx();
    const struct ch many[] = {
        {.type = 3, .data = "\0\0\0\1\0\1\0\0\0\0\0\0"},
        {.type = 0, .flags = 3, .tsn = 1, .data = "INVITE sip:a@b SIP/2.0\r\n"},
        {.type = 64, .flags = 2, .tsn = 2, .mid = 1, .data = "frag"},
        {.type = 64, .flags = 1, .tsn = 3, .mid = 1, .fsn = 1, .data = "ment"},
    };
    struct pkt p = sctp(many, 4);
    struct got g = {0};
    for (size_t cap = 0; cap <= p.len; cap++) {
        g.n = 0;
        enum dis_result r = run_cap(n, &p, cap, (int64_t)cap, &g);
        CHECK(r <= DIS_NOT_MINE);
        for (int i = 0; i < g.n; i++) { /* whole messages, or a cut one flagged truncated */
            const struct got_msg *m = &g.m[i];
            bool whole = (m->len == 24 && memcmp(m->data, many[1].data, 24) == 0) ||
                         (m->len == 8 && memcmp(m->data, "fragment", 8) == 0);
            bool prefix = m->len < 24 && memcmp(m->data, many[1].data, m->len) == 0;
            CHECK(whole || (m->pl.truncated && prefix));
        }
    }
    net_free(n);
}

int main(void)
{
    test_whole_messages();
    test_fragments();
    test_limits_and_errors();
    test_in_tunnel();
    test_sweep();
    return check_done();
}
