/* test_net.c: unit tests of the network layers (dissect/net.c, link.c, ip4.c, ip6.c, ipfrag.c,
 * tcp.c, tcp_stream.c) on frames built in memory, with a prefix-truncation sweep. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dissect/net.h"

#include "net_frames.h"

/* ---- link layers ---- */

static void expect_one_udp(struct pkt *p, int family, const char *what)
{
    struct net_ctx *n = ctx();
    struct got g = {0};
    enum dis_result r = run(n, p, 0, &g);
    if (r != DIS_OK || g.n != 1)
        fprintf(stderr, "link case %s\n", what);
    CHECK_EQ_INT(r, DIS_OK);
    CHECK_EQ_INT(g.n, 1);
    GOT_IS(&g, 0, "hello");
    CHECK_EQ_INT(g.m[0].pl.src.addr.family, family);
    CHECK_EQ_INT(g.m[0].pl.src.port, 5060);
    CHECK_EQ_INT(g.m[0].pl.dst.port, 5080);
    CHECK_EQ_INT(g.m[0].pl.transport, NET_T_UDP);
    CHECK(!g.m[0].pl.truncated && !g.m[0].pl.reassembled && g.m[0].in_frame);
    net_free(n);
}

/* Prepends a link header (hdr of n bytes) to an IPv4 or IPv6 UDP packet. */
static struct pkt with_link(int linktype, const uint8_t *hdr, size_t hn, bool v6)
{
    struct pkt p = {.len = 0};
    p.linktype = linktype;
    put(&p, hdr, hn);
    if (v6)
        ip6(&p, 17, 13);
    else
        ip4(&p, 17, 13, 1, 0, 0);
    udp(&p, "hello");
    return p;
}

static void test_link_types(void)
{
    struct pkt p = udp4_eth("hello");
    expect_one_udp(&p, 4, "eth4");
    p = udp6_eth("hello");
    expect_one_udp(&p, 6, "eth6");
    uint8_t sll[16] = {0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00};
    p = with_link(113, sll, 16, false);
    expect_one_udp(&p, 4, "sll4");
    sll[14] = 0x86;
    sll[15] = 0xdd;
    p = with_link(113, sll, 16, true);
    expect_one_udp(&p, 6, "sll6");
    uint8_t sll2[20] = {0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6};
    p = with_link(276, sll2, 20, false);
    expect_one_udp(&p, 4, "sll2");
    uint8_t nul_le[4] = {2, 0, 0, 0}, nul_be[4] = {0, 0, 0, 2};
    p = with_link(0, nul_le, 4, false);
    expect_one_udp(&p, 4, "null le");
    p = with_link(0, nul_be, 4, false);
    expect_one_udp(&p, 4, "null be");
    const uint8_t fam6[] = {10, 24, 28, 30};
    for (size_t i = 0; i < sizeof fam6; i++) {
        uint8_t le[4] = {fam6[i], 0, 0, 0}, be[4] = {0, 0, 0, fam6[i]};
        p = with_link(0, le, 4, true);
        expect_one_udp(&p, 6, "null6 le");
        p = with_link(0, be, 4, true);
        expect_one_udp(&p, 6, "null6 be");
    }
    p = with_link(108, nul_be, 4, false);
    expect_one_udp(&p, 4, "loop");
    uint8_t loop6[4] = {0, 0, 0, 30};
    p = with_link(108, loop6, 4, true);
    expect_one_udp(&p, 6, "loop6");
    const int raw[] = {101, 12, 14};
    for (size_t i = 0; i < 3; i++) {
        p = with_link(raw[i], NULL, 0, false);
        expect_one_udp(&p, 4, "raw4");
        p = with_link(raw[i], NULL, 0, true);
        expect_one_udp(&p, 6, "raw6");
    }
    p = with_link(228, NULL, 0, false);
    expect_one_udp(&p, 4, "ipv4");
    p = with_link(229, NULL, 0, true);
    expect_one_udp(&p, 6, "ipv6");
}

static void test_link_errors(void)
{
    struct pkt p;
    struct net_ctx *n = ctx();
    struct got g = {0};
    p = with_link(229, NULL, 0, false); /* IPv4 bytes under LINKTYPE_IPV6 */
    CHECK_EQ_INT(run(n, &p, 0, &g), DIS_BAD);
    p = with_link(147, NULL, 0, false); /* unknown link type */
    CHECK_EQ_INT(run(n, &p, 0, &g), DIS_NOT_MINE);
    p = with_link(0, (const uint8_t[]){7, 0, 0, 0}, 4, false); /* AF 7 */
    CHECK_EQ_INT(run(n, &p, 0, &g), DIS_NOT_MINE);
    CHECK_EQ_INT(g.n, 0);
    CHECK_EQ_INT(net_get_stats(n)->non_ip, 2);
    CHECK_EQ_INT(net_get_stats(n)->bad, 1);
    net_free(n);

    CHECK(net_linktype_supported(1) && net_linktype_supported(276) && net_linktype_supported(0));
    CHECK(!net_linktype_supported(147));
    CHECK(strcmp(net_linktype_name(113), "LINUX_SLL") == 0);
    CHECK(strcmp(net_linktype_name(9999), "unknown") == 0);
    CHECK(strcmp(net_transport_name(NET_T_TCP), "TCP") == 0);
}

static struct pkt vlan_frame(const unsigned *tags, size_t ntags)
{
    struct pkt p = {.len = 0};
    eth(&p, ntags ? tags[0] : 0x0800);
    for (size_t i = 0; i < ntags; i++) {
        put16(&p, 100 + (unsigned)i);
        put16(&p, i + 1 < ntags ? tags[i + 1] : 0x0800);
    }
    ip4(&p, 17, 13, 1, 0, 0);
    udp(&p, "hello");
    return p;
}

static void test_vlan(void)
{
    const unsigned q[] = {0x8100}, qinq[] = {0x88a8, 0x8100}, old[] = {0x9100, 0x8100, 0x8100};
    struct pkt p = vlan_frame(q, 1);
    expect_one_udp(&p, 4, "802.1Q");
    p = vlan_frame(qinq, 2);
    expect_one_udp(&p, 4, "802.1ad");
    p = vlan_frame(old, 3);
    expect_one_udp(&p, 4, "0x9100");
    unsigned many[12];
    for (int i = 0; i < 12; i++)
        many[i] = 0x8100;
    p = vlan_frame(many, 12);
    struct net_ctx *n = ctx();
    struct got g = {0};
    CHECK_EQ_INT(run(n, &p, 0, &g), DIS_BAD);
    p = (struct pkt){.len = 0};
    eth(&p, 0x0806); /* ARP */
    put(&p, "arp arp arp arp arp arp arp", 28);
    CHECK_EQ_INT(run(n, &p, 0, &g), DIS_NOT_MINE);
    CHECK_EQ_INT(g.n, 0);
    net_free(n);
}

/* ---- IP layers ---- */

static void test_ip_headers(void)
{
    struct pkt p = {.len = 0};
    eth(&p, 0x0800);
    ip4(&p, 17, 13, 1, 0, 3); /* 12 bytes of options */
    udp(&p, "hello");
    expect_one_udp(&p, 4, "ip4 options");

    p = (struct pkt){.len = 0};
    eth(&p, 0x86dd);
    ip6(&p, 0, 8 + 16 + 24 + 13);
    put8(&p, 60); /* hop-by-hop, 8 bytes */
    put8(&p, 0);
    put(&p, "\x01\x04\0\0\0\0", 6);
    put8(&p, 43); /* destination options, 16 bytes */
    put8(&p, 1);
    put(&p, "\x01\x0c\0\0\0\0\0\0\0\0\0\0\0\0", 14);
    put8(&p, 17); /* routing, 24 bytes, then UDP */
    put8(&p, 2);
    put(&p, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 22);
    udp(&p, "hello");
    expect_one_udp(&p, 6, "ip6 ext");

    p = (struct pkt){.len = 0};
    eth(&p, 0x86dd);
    ip6(&p, 51, 16 + 13);
    put8(&p, 17); /* AH: payload len 2 -> (2+2)*4 = 16 bytes */
    put8(&p, 2);
    put(&p, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 14);
    udp(&p, "hello");
    expect_one_udp(&p, 6, "ip6 AH");

    struct net_ctx *n = ctx();
    struct got g = {0};
    p = (struct pkt){.len = 0};
    eth(&p, 0x86dd);
    ip6(&p, 59, 13); /* No Next Header */
    udp(&p, "hello");
    CHECK_EQ_INT(run(n, &p, 0, &g), DIS_NOT_MINE);
    p = (struct pkt){.len = 0}; /* IHL of 4 */
    eth(&p, 0x0800);
    ip4(&p, 17, 13, 1, 0, 0);
    p.b[14] = 0x44;
    udp(&p, "hello");
    CHECK_EQ_INT(run(n, &p, 0, &g), DIS_BAD);
    CHECK_EQ_INT(g.n, 0);
    net_free(n);
}

static void test_padding_and_truncation(void)
{
    struct net_ctx *n = ctx();
    struct got g = {0};
    struct pkt p = udp4_eth("hi");
    while (p.len < 60)
        put8(&p, 0xee); /* Ethernet minimum-size padding */
    CHECK_EQ_INT(run(n, &p, 0, &g), DIS_OK);
    CHECK_EQ_INT(g.n, 1);
    GOT_IS(&g, 0, "hi");

    p = udp6_eth("hi"); /* IPv6 too */
    while (p.len < 90)
        put8(&p, 0xee);
    g.n = 0;
    CHECK_EQ_INT(run(n, &p, 0, &g), DIS_OK);
    GOT_IS(&g, 0, "hi");

    p = udp4_eth("INVITE sip:bob SIP/2.0"); /* snap length cuts the payload */
    g.n = 0;
    CHECK_EQ_INT(run_cap(n, &p, p.len - 7, 0, &g), DIS_TRUNC);
    CHECK_EQ_INT(g.n, 1);
    GOT_IS(&g, 0, "INVITE sip:bob ");
    CHECK(g.m[0].pl.truncated);
    CHECK_EQ_INT(net_get_stats(n)->truncated, 1);

    p = udp4_eth("hello"); /* UDP length beyond the IP length: bad */
    set16(&p, 14 + 20 + 4, 100);
    g.n = 0;
    CHECK_EQ_INT(run(n, &p, 0, &g), DIS_BAD);
    p = udp4_eth("hello"); /* UDP length shorter than the IP payload narrows the view */
    set16(&p, 14 + 20 + 4, 8 + 3);
    CHECK_EQ_INT(run(n, &p, 0, &g), DIS_OK);
    GOT_IS(&g, 0, "hel");
    p = udp4_eth(""); /* empty datagram: nothing delivered */
    g.n = 0;
    CHECK_EQ_INT(run(n, &p, 0, &g), DIS_OK);
    CHECK_EQ_INT(g.n, 0);
    p = udp4_eth("hello"); /* IP total length beyond the capture */
    set16(&p, 14 + 2, 20 + 13 + 50);
    set16(&p, 14 + 20 + 4, 8 + 5 + 50);
    CHECK_EQ_INT(run(n, &p, 0, &g), DIS_TRUNC);
    CHECK_EQ_INT(g.n, 1);
    CHECK(g.m[0].pl.truncated);
    GOT_IS(&g, 0, "hello");
    net_free(n);
}

static void test_icmp(void)
{
    struct net_ctx *n = ctx();
    struct got g = {0};
    struct pkt inner = {.len = 0};
    ip4(&inner, 17, 8 + 22, 7, 0, 0);
    udp(&inner, "INVITE sip:x SIP/2.0\r\n");
    struct pkt p = {.len = 0};
    eth(&p, 0x0800);
    ip4(&p, 1, 8 + inner.len, 2, 0, 0);
    put(&p, "\x03\x03\0\0\0\0\0\0", 8); /* port unreachable */
    put(&p, inner.b, inner.len);
    CHECK_EQ_INT(run(n, &p, 0, &g), DIS_NOT_MINE);
    p = (struct pkt){.len = 0};
    eth(&p, 0x86dd);
    ip6(&p, 58, 8 + 48 + 22);
    put(&p, "\x01\x04\0\0\0\0\0\0", 8);
    ip6(&p, 17, 30);
    udp(&p, "INVITE sip:x SIP/2.0\r\n");
    CHECK_EQ_INT(run(n, &p, 0, &g), DIS_NOT_MINE);
    CHECK_EQ_INT(g.n, 0);
    CHECK_EQ_INT(net_get_stats(n)->other_l4, 2);
    net_free(n);
}

/* ---- fragments ---- */

/* An IPv4 fragment of the UDP datagram dg (header included): bytes [off, off+len). */
static struct pkt frag4(const struct pkt *dg, size_t off, size_t len, bool more, unsigned id)
{
    struct pkt p = {.len = 0};
    eth(&p, 0x0800);
    ip4(&p, 17, len, id, (more ? 0x2000u : 0) | (unsigned)(off / 8), 0);
    put(&p, dg->b + off, len);
    return p;
}

static struct pkt frag6(const struct pkt *dg, size_t off, size_t len, bool more, uint32_t id,
                        unsigned nh)
{
    struct pkt p = {.len = 0};
    eth(&p, 0x86dd);
    ip6(&p, 44, 8 + len);
    put8(&p, nh);
    put8(&p, 0);
    put16(&p, (unsigned)off | (more ? 1u : 0u));
    put32(&p, id);
    put(&p, dg->b + off, len);
    return p;
}

/* A UDP datagram of 8 + 64 bytes: "M" + 61 letters + "\n\n". */
static struct pkt dgram(void)
{
    char msg[65];
    msg[0] = 'M';
    for (int i = 1; i < 62; i++)
        msg[i] = (char)('a' + i % 26);
    msg[62] = '\n';
    msg[63] = '\n';
    msg[64] = '\0';
    struct pkt d = {.len = 0};
    udp(&d, msg);
    return d;
}

/* Sends the fragments named by order (pieces of 24 bytes; last piece ends the datagram). */
static int send_frags(struct net_ctx *n, const struct pkt *d, const int *order, int count,
                      unsigned id, struct got *g)
{
    for (int i = 0; i < count; i++) {
        size_t off = (size_t)order[i] * 24;
        size_t len = off + 24 >= d->len ? d->len - off : 24;
        struct pkt f = frag4(d, off, len, off + len < d->len, id);
        run(n, &f, i, g);
    }
    return g->n;
}

static void check_dgram(struct got *g, const struct pkt *d)
{
    CHECK_EQ_INT(g->n, 1);
    CHECK_EQ_INT(g->m[0].len, d->len - 8);
    CHECK(memcmp(g->m[0].data, d->b + 8, d->len - 8) == 0);
    CHECK(g->m[0].pl.reassembled);
    CHECK(g->m[0].pl.frame == (const struct frame *)(uintptr_t)1);
    CHECK_EQ_INT(g->m[0].pl.dst.port, 5080);
}

static void test_frag4(void)
{
    struct pkt d = dgram(); /* 72 bytes: pieces 0,1,2 */
    const int in_order[] = {0, 1, 2}, reversed[] = {2, 1, 0}, dup[] = {0, 0, 2, 2, 1};
    struct net_ctx *n = ctx();
    struct got g = {0};
    send_frags(n, &d, in_order, 3, 1, &g);
    check_dgram(&g, &d);
    g.n = 0;
    send_frags(n, &d, reversed, 3, 2, &g);
    check_dgram(&g, &d);
    g.n = 0;
    send_frags(n, &d, dup, 5, 3, &g);
    check_dgram(&g, &d);
    g.n = 0; /* overlapping: [0,32) [16,56) [48,72) */
    struct pkt f = frag4(&d, 0, 32, true, 4);
    run(n, &f, 0, &g);
    f = frag4(&d, 48, 24, false, 4);
    run(n, &f, 0, &g);
    CHECK_EQ_INT(g.n, 0);
    f = frag4(&d, 16, 40, true, 4);
    run(n, &f, 0, &g);
    check_dgram(&g, &d);
    const struct net_stats *st = net_get_stats(n);
    CHECK_EQ_INT(st->frag_datagrams, 4);
    CHECK_EQ_INT(st->frags, 14);

    g.n = 0; /* incomplete: times out */
    send_frags(n, &d, in_order, 2, 5, &g);
    CHECK_EQ_INT(g.n, 0);
    net_expire(n, 29000 * MS);
    CHECK_EQ_INT(st->frag_timeouts, 0);
    net_expire(n, 31000 * MS);
    CHECK_EQ_INT(st->frag_timeouts, 1);
    f = frag4(&d, 48, 24, false, 5); /* the missing piece comes too late */
    run(n, &f, 31000, &g);
    CHECK_EQ_INT(g.n, 0);
    net_free(n);
}

static void test_frag4_bounds(void)
{
    struct pkt d = dgram();
    struct got g = {0};
    struct pkt f;
    struct net_limits lim = {.frag_max_bytes = 4096, .frag_max_datagrams = 2};
    struct net_ctx *n = net_new(&lim, framer);
    const struct net_stats *st = net_get_stats(n);
    for (unsigned id = 10; id < 13; id++) { /* three pending datagrams, room for two */
        f = frag4(&d, 0, 24, true, id);
        run(n, &f, 0, &g);
    }
    CHECK_EQ_INT(st->frag_evicted, 1);
    f = frag4(&d, 24, 48, false, 10); /* id 10 was the oldest: evicted */
    run(n, &f, 0, &g);
    CHECK_EQ_INT(g.n, 0);
    f = frag4(&d, 24, 48, false, 12);
    run(n, &f, 0, &g);
    check_dgram(&g, &d);
    g.n = 0; /* a 4 KiB memory bound evicts for a datagram ending past it */
    f = frag4(&d, 0, 24, true, 20);
    run(n, &f, 0, &g);
    struct pkt big = {.len = 0};
    eth(&big, 0x0800);
    ip4(&big, 17, 1480, 21, 0x2000u | (4000 / 8), 0);
    memset(big.b + big.len, 'x', 1480);
    big.len += 1480;
    run(n, &big, 0, &g); /* evicts 10 (count bound), 20 (bytes), then itself (still too big) */
    CHECK_EQ_INT(st->frag_evicted, 5);
    CHECK_EQ_INT(g.n, 0);
    net_free(n);
}

static void test_frag6(void)
{
    struct pkt d = dgram();
    struct net_ctx *n = ctx();
    struct got g = {0};
    struct pkt f = frag6(&d, 40, 32, false, 0xdeadbeef, 17);
    run(n, &f, 0, &g);
    f = frag6(&d, 0, 40, true, 0xdeadbeef, 17);
    run(n, &f, 0, &g);
    check_dgram(&g, &d);
    CHECK_EQ_INT(g.m[0].pl.src.addr.family, 6);

    /* destination options inside the fragmentable part: walked after reassembly */
    struct pkt d2 = {.len = 0};
    put8(&d2, 17);
    put8(&d2, 0);
    put(&d2, "\x01\x04\0\0\0\0", 6);
    put(&d2, d.b, d.len);
    g.n = 0;
    f = frag6(&d2, 0, 48, true, 7, 60);
    run(n, &f, 0, &g);
    f = frag6(&d2, 48, d2.len - 48, false, 7, 60);
    run(n, &f, 0, &g);
    check_dgram(&g, &d);
    g.n = 0; /* an atomic fragment (offset 0, M clear) is no fragment at all */
    f = frag6(&d, 0, d.len, false, 8, 17);
    CHECK_EQ_INT(run(n, &f, 0, &g), DIS_OK);
    CHECK_EQ_INT(g.n, 1);
    CHECK(!g.m[0].pl.reassembled);
    net_free(n);
}

/* ---- TCP ---- */

static void test_tcp_basic(void)
{
    struct net_ctx *n = ctx();
    const struct net_stats *st = net_get_stats(n);
    struct got g = {0};
    struct pkt p = tcp4_eth(1000, 0x02, ""); /* SYN: ISN 1000 */
    CHECK_EQ_INT(run(n, &p, 0, &g), DIS_OK);
    p = tcp4_eth(1001, 0x18, "M one\n\nM two\n\nM thr");
    CHECK_EQ_INT(run(n, &p, 1, &g), DIS_OK);
    CHECK_EQ_INT(g.n, 2);
    GOT_IS(&g, 0, "M one\n\n");
    GOT_IS(&g, 1, "M two\n\n");
    CHECK_EQ_INT(g.m[0].pl.index_in_frame, 0);
    CHECK_EQ_INT(g.m[1].pl.index_in_frame, 1);
    CHECK(g.m[0].in_frame && g.m[1].in_frame && !g.m[1].pl.reassembled);
    CHECK_EQ_INT(g.m[0].pl.transport, NET_T_TCP);
    CHECK_EQ_INT(g.m[0].pl.src.port, 40000);
    g.n = 0; /* "M three\n\n" finishes over two more segments, then another message follows */
    p = tcp4_eth(1001 + 19, 0x18, "ee");
    run(n, &p, 2, &g);
    CHECK_EQ_INT(g.n, 0);
    p = tcp4_eth(1001 + 21, 0x18, "\n\nM four\n\n");
    run(n, &p, 3, &g);
    CHECK_EQ_INT(g.n, 2);
    GOT_IS(&g, 0, "M three\n\n");
    CHECK(g.m[0].pl.reassembled && !g.m[0].in_frame);
    CHECK(g.m[0].pl.frame == (const struct frame *)(uintptr_t)1);
    GOT_IS(&g, 1, "M four\n\n");
    CHECK(!g.m[1].pl.reassembled && g.m[1].in_frame);
    CHECK_EQ_INT(g.m[1].pl.index_in_frame, 1);
    g.n = 0; /* a retransmission of the last segment is ignored */
    run(n, &p, 4, &g);
    CHECK_EQ_INT(g.n, 0);
    CHECK_EQ_INT(st->tcp_retrans, 1);
    g.n = 0; /* a retransmission overlapping new data is trimmed */
    p = tcp4_eth(1001 + 25, 0x18, "four\n\nM five\n\n");
    run(n, &p, 5, &g);
    CHECK_EQ_INT(g.n, 1);
    GOT_IS(&g, 0, "M five\n\n");
    CHECK_EQ_INT(st->tcp_retrans, 2);
    CHECK_EQ_INT(st->tcp_messages, 5);
    g.n = 0; /* FIN frees the stream: the same seq later is new data, not a retransmission */
    p = tcp4_eth(1001 + 39, 0x11, "");
    run(n, &p, 6, &g);
    p = tcp4_eth(1001, 0x18, "M again\n\n");
    run(n, &p, 7, &g);
    CHECK_EQ_INT(g.n, 1);
    CHECK_EQ_INT(st->tcp_streams, 2);
    net_free(n);
}

static void test_tcp_ooo_wrap(void)
{
    struct net_ctx *n = ctx();
    const struct net_stats *st = net_get_stats(n);
    struct got g = {0};
    uint32_t s0 = 0xfffffff8u; /* the stream wraps past 2^32 inside the message */
    struct pkt p = tcp4_eth(s0, 0x18, "M wr");
    run(n, &p, 0, &g);
    struct pkt p3 = tcp4_eth(s0 + 10, 0x18, "\nM x\n\n"); /* arrives before p2 */
    run(n, &p3, 1, &g);
    CHECK_EQ_INT(g.n, 0);
    CHECK_EQ_INT(st->tcp_ooo, 1);
    struct pkt p2 = tcp4_eth(s0 + 4, 0x18, "apped\n");
    run(n, &p2, 2, &g);
    CHECK_EQ_INT(g.n, 2);
    GOT_IS(&g, 0, "M wrapped\n\n");
    GOT_IS(&g, 1, "M x\n\n");
    CHECK(g.m[0].pl.reassembled);
    g.n = 0;
    run(n, &p2, 3, &g); /* old data after the wrap: retransmission */
    CHECK_EQ_INT(g.n, 0);
    CHECK_EQ_INT(st->tcp_retrans, 1);

    g.n = 0; /* a gap that never fills: skipped once too many segments wait */
    uint32_t s = s0 + 16;
    for (unsigned i = 0; i < 40; i++) {
        p = tcp4_eth(s + 100 + 9 * i, 0x18, "M gap!\n\n\n");
        run(n, &p, 10 + i, &g);
    }
    CHECK_EQ_INT(st->tcp_gaps, 1);
    CHECK_EQ_INT(g.n, 40);
    GOT_IS(&g, 0, "M gap!\n\n");
    g.n = 0; /* a hole older than a few seconds is skipped when the stream moves on */
    s += 100 + 9 * 40;
    p = tcp4_eth(s + 5, 0x18, "M late\n\n");
    run(n, &p, 100, &g);
    p = tcp4_eth(s + 5 + 8, 0x18, "M later\n\n");
    run(n, &p, 2000, &g);
    CHECK_EQ_INT(g.n, 0);
    p = tcp4_eth(s + 5 + 17, 0x18, "M latest\n\n");
    run(n, &p, 3200, &g);
    CHECK_EQ_INT(g.n, 3);
    CHECK_EQ_INT(st->tcp_gaps, 2);
    net_free(n);
}

static void test_tcp_framing(void)
{
    struct net_limits lim = {.tcp_max_stream_bytes = 64, .tcp_max_streams = 2};
    struct net_ctx *n = net_new(&lim, framer);
    const struct net_stats *st = net_get_stats(n);
    struct got g = {0};
    struct pkt p = tcp4_eth(1, 0x18, "GET / HTTP/1.1\r\n\r\n"); /* not ours: dropped */
    run(n, &p, 0, &g);
    p = tcp4_eth(19, 0x18, "M resync at a segment start\n\n");
    run(n, &p, 1, &g);
    CHECK_EQ_INT(g.n, 1);
    GOT_IS(&g, 0, "M resync at a segment start\n\n");
    CHECK_EQ_INT(st->tcp_messages, 1);
    g.n = 0; /* a partial message larger than the stream bound is dropped */
    uint32_t seq = 19 + 29;
    const char *chunk = "M 0123456789012345678901234567890123456789";
    for (int i = 0; i < 3; i++) {
        p = tcp4_eth(seq, 0x18, i ? chunk + 2 : chunk);
        run(n, &p, 2 + i, &g);
        seq += (uint32_t)strlen(i ? chunk + 2 : chunk);
    }
    p = tcp4_eth(seq, 0x18, "\n\nM after\n\n");
    run(n, &p, 5, &g);
    CHECK_EQ_INT(g.n, 0); /* the tail of the dropped message starts the segment: not mine */
    p = tcp4_eth(seq + 11, 0x18, "M after\n\n");
    run(n, &p, 6, &g);
    CHECK_EQ_INT(g.n, 1);
    g.n = 0; /* a snap length cutting a segment delivers the captured part, flagged */
    p = tcp4_eth(seq + 20, 0x18, "M cut here\n\n");
    run_cap(n, &p, p.len - 6, 7, &g);
    CHECK_EQ_INT(g.n, 1);
    GOT_IS(&g, 0, "M cut ");
    CHECK(g.m[0].pl.truncated);
    p = tcp4_eth(seq + 32, 0x18, "M next\n\n"); /* continues after the cut */
    run(n, &p, 8, &g);
    CHECK_EQ_INT(g.n, 2);
    net_free(n);
}

static void test_tcp_eviction(void)
{
    struct net_limits lim = {.tcp_max_stream_bytes = 64, .tcp_max_streams = 2};
    struct net_ctx *n = net_new(&lim, framer);
    const struct net_stats *st = net_get_stats(n);
    struct got g = {0};
    struct pkt p = tcp4_eth(1, 0x18, "M first\n\n");
    run(n, &p, 0, &g);
    g.n = 0; /* three directions with room for two: the least recently used goes */
    struct pkt q = tcp4_eth(500, 0x18, "M par");
    set16(&q, 14 + 20, 40001);
    run(n, &q, 9, &g);
    struct pkt r = tcp4_eth(700, 0x18, "M tial");
    set16(&r, 14 + 20, 40002);
    run(n, &r, 10, &g);
    CHECK_EQ_INT(st->tcp_evicted, 1);
    q = tcp4_eth(505, 0x18, "\n\n");
    set16(&q, 14 + 20, 40001);
    run(n, &q, 11, &g);
    CHECK_EQ_INT(g.n, 1);
    GOT_IS(&g, 0, "M par\n\n");
    struct pkt t = tcp4_eth(900, 0x18, "M new");
    set16(&t, 14 + 20, 40003);
    run(n, &t, 12, &g); /* evicts 40002, now the least recently used */
    r = tcp4_eth(706, 0x18, "\n\n");
    set16(&r, 14 + 20, 40002);
    run(n, &r, 12, &g);
    CHECK_EQ_INT(g.n, 1);
    CHECK_EQ_INT(st->tcp_evicted, 3); /* and 40002 coming back evicted 40001 */
    g.n = 0;                          /* idle streams expire */
    q = tcp4_eth(507, 0x18, "M idle");
    set16(&q, 14 + 20, 40001);
    run(n, &q, 13, &g);
    net_expire(n, 13 * MS + 301000 * MS);
    q = tcp4_eth(513, 0x18, "\n\n");
    set16(&q, 14 + 20, 40001);
    run(n, &q, 301014, &g);
    CHECK_EQ_INT(g.n, 0);
    net_free(n);
}

/* ---- address text ---- */

static void fmt_is(const char *text, int family, uint16_t port, const char *want)
{
    struct net_endpoint e = {.port = port};
    CHECK(net_addr_parse(slice_make(text, strlen(text)), &e.addr));
    CHECK_EQ_INT(e.addr.family, family);
    char buf[64];
    size_t k = net_endpoint_fmt(&e, buf, sizeof buf);
    CHECK_EQ_INT(k, strlen(want));
    if (strcmp(buf, want) != 0)
        fprintf(stderr, "fmt %s: got %s want %s\n", text, buf, want);
    CHECK(strcmp(buf, want) == 0);
}

static void test_addr_text(void)
{
    fmt_is("10.0.0.1", 4, 5060, "10.0.0.1:5060");
    fmt_is("::1", 6, 5060, "[::1]:5060");
    fmt_is("2001:DB8:0:0:0:0:0:1", 6, 5060, "[2001:db8::1]:5060");
    fmt_is("2001:db8:0:1:0:0:0:1", 6, 1, "[2001:db8:0:1::1]:1");
    fmt_is("2001:0:0:1:0:0:0:1", 6, 1, "[2001:0:0:1::1]:1");
    fmt_is("2001:db8:0:0:1:0:0:1", 6, 1, "[2001:db8::1:0:0:1]:1");
    fmt_is("2001:db8:1:1:1:1:0:1", 6, 0, "[2001:db8:1:1:1:1:0:1]:0");
    fmt_is("::", 6, 65535, "[::]:65535");
    fmt_is("fe80::", 6, 2, "[fe80::]:2");
    fmt_is("::ffff:192.0.2.1", 6, 5060, "[::ffff:192.0.2.1]:5060");
    fmt_is("[2001:db8::2]", 6, 5060, "[2001:db8::2]:5060");
    fmt_is("1:2:3:4:5:6:1.2.3.4", 6, 1, "[1:2:3:4:5:6:102:304]:1");
    const char *bad[] = {"",
                         "1.2.3",
                         "1.2.3.4.5",
                         "256.1.1.1",
                         "01.1.1.1",
                         "1.2.3.4 ",
                         ":",
                         ":::",
                         "1::2::3",
                         "1:2:3:4:5:6:7:8:9",
                         "12345::",
                         "1:2:3:4:5:6:7",
                         ":1::",
                         "1::2:",
                         "g::1",
                         "::1.2.3",
                         "1:2:3:4:5:6:7:1.2.3.4",
                         "[::1",
                         "[]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct net_addr a;
        bool ok = net_addr_parse(slice_make(bad[i], strlen(bad[i])), &a);
        if (ok)
            fprintf(stderr, "parsed bad address \"%s\"\n", bad[i]);
        CHECK(!ok);
    }
}

/* Formatting agrees with inet_ntop, and parsing reverses it, on random addresses with runs of
 * zero groups. */
static void test_addr_random(void)
{
    srand(42);
    int agree = 0;
    for (int t = 0; t < 20000; t++) {
        struct net_addr a = {.family = 6};
        for (int i = 0; i < 8; i++) {
            unsigned w = (rand() & 1) ? 0 : (unsigned)rand() & (rand() & 1 ? 0xffff : 0xf);
            a.a[2 * i] = (uint8_t)(w >> 8);
            a.a[2 * i + 1] = (uint8_t)w;
        }
        static const uint8_t zero10[10];
        if (memcmp(a.a, zero10, 10) == 0 && (a.a[10] | a.a[11]) == 0)
            a.a[0] = 1; /* glibc prints IPv4-compatible forms that RFC 5952 dropped */
        char mine[64], libc[64];
        net_addr_fmt(&a, mine, sizeof mine);
        inet_ntop(AF_INET6, a.a, libc, sizeof libc);
        struct net_addr back;
        bool ok = net_addr_parse(slice_make(mine, strlen(mine)), &back);
        agree += strcmp(mine, libc) == 0 && ok && memcmp(back.a, a.a, 16) == 0;
    }
    CHECK_EQ_INT(agree, 20000);
    char small[6];
    struct net_endpoint e = {.addr = {.family = 4, .a = {192, 168, 100, 200}}, .port = 5060};
    CHECK_EQ_INT(net_endpoint_fmt(&e, small, sizeof small), 5);
    CHECK(strcmp(small, "192.1") == 0);
}

/* ---- prefix-truncation sweep ---- */

static void sweep_one(struct net_ctx *n, const struct pkt *p)
{
    struct got g = {0};
    for (size_t cap = 0; cap <= p->len; cap++) {
        g.n = 0;
        enum dis_result r = run_cap(n, p, cap, (int64_t)cap, &g);
        CHECK(r <= DIS_NOT_MINE);
        for (int i = 0; i < g.n; i++)
            CHECK(g.m[i].pl.truncated || cap == p->len || g.m[i].pl.transport == NET_T_TCP);
    }
}

static void test_sweep(void)
{
    struct net_ctx *n = ctx();
    struct pkt d = dgram();
    struct pkt s[16];
    int k = 0;
    s[k++] = udp4_eth("INVITE sip:bob@example.com SIP/2.0\r\n");
    s[k++] = udp6_eth("hello");
    s[k++] = tcp4_eth(1, 0x18, "M tcp one\n\nM tcp two\n\n");
    s[k++] = frag4(&d, 0, 24, true, 77);
    s[k++] = frag4(&d, 24, 48, false, 77);
    s[k++] = frag6(&d, 0, 40, true, 78, 17);
    s[k++] = frag6(&d, 40, 32, false, 78, 17);
    const unsigned qinq[] = {0x88a8, 0x8100};
    s[k++] = vlan_frame(qinq, 2);
    uint8_t sll[16] = {0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x86, 0xdd};
    s[k++] = with_link(113, sll, 16, true);
    uint8_t sll2[20] = {0x08, 0x00};
    s[k++] = with_link(276, sll2, 20, false);
    s[k++] = with_link(0, (const uint8_t[]){30, 0, 0, 0}, 4, true);
    s[k++] = with_link(108, (const uint8_t[]){0, 0, 0, 2}, 4, false);
    s[k++] = with_link(101, NULL, 0, true);
    struct pkt e = {.len = 0};
    eth(&e, 0x86dd);
    ip6(&e, 0, 8 + 16 + 13);
    put(&e, "\x3c\0\x01\x04\0\0\0\0\x11\x01\x01\x0c\0\0\0\0\0\0\0\0\0\0\0\0", 24);
    udp(&e, "hello");
    s[k++] = e;
    for (int i = 0; i < k; i++)
        sweep_one(n, &s[i]);
    struct frame empty = {.linktype = 1}; /* no bytes at all */
    CHECK_EQ_INT(net_frame(n, &empty, NULL, NULL), DIS_TRUNC);
    net_free(n);
}

int main(void)
{
    test_link_types();
    test_link_errors();
    test_vlan();
    test_ip_headers();
    test_padding_and_truncation();
    test_icmp();
    test_frag4();
    test_frag4_bounds();
    test_frag6();
    test_tcp_basic();
    test_tcp_ooo_wrap();
    test_tcp_framing();
    test_tcp_eviction();
    test_addr_text();
    test_addr_random();
    test_sweep();
    return check_done();
}
