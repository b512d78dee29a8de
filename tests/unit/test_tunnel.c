/* test_tunnel.c: unit tests of the tunnel decapsulators (dissect/tunnel.c, tunnel_gre.c,
 * tunnel_udp.c) through net_frame: IP-in-IP in all four combinations, GRE with every option
 * combination and protocol type, ERSPAN I/II/III, VXLAN (fixed and configured port), GTP-U with
 * optional fields and extension chains, nesting up to the limit, TCP and IP fragments inside and
 * outside tunnels, broken headers, and a prefix-truncation sweep over every crafted frame. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dissect/net.h"

#include "net_frames.h"

static const uint8_t C4[4] = {192, 0, 2, 1}, D4[4] = {192, 0, 2, 2};
static const uint8_t C6[16] = {0x20, 0x01, 0x0d, 0xb8, 0xff, [15] = 1};
static const uint8_t D6[16] = {0x20, 0x01, 0x0d, 0xb8, 0xff, [15] = 2};

/* ---- builders: each returns a new packet = header(s) + the inner bytes ---- */

static struct pkt inner_udp4(const char *msg)
{
    struct pkt p = {.len = 0, .linktype = 101};
    ip4(&p, 17, 8 + strlen(msg), 1, 0, 0);
    udp(&p, msg);
    return p;
}

static struct pkt inner_udp6(const char *msg)
{
    struct pkt p = {.len = 0, .linktype = 101};
    ip6(&p, 17, 8 + strlen(msg));
    udp(&p, msg);
    return p;
}

static void put_pkt(struct pkt *p, const struct pkt *in)
{
    put(p, in->b, in->len);
}

/* Outer IPv4 (192.0.2.1 -> 192.0.2.2) with protocol proto around in; frag = flags/offset. */
static struct pkt outer4(unsigned proto, const struct pkt *in, unsigned frag)
{
    struct pkt p = {.len = 0, .linktype = 101};
    put8(&p, 0x45);
    put8(&p, 0);
    put16(&p, (unsigned)(20 + in->len));
    put16(&p, 99);
    put16(&p, frag);
    put8(&p, 64);
    put8(&p, proto);
    put16(&p, 0);
    put(&p, C4, 4);
    put(&p, D4, 4);
    put_pkt(&p, in);
    return p;
}

static struct pkt outer6(unsigned nh, const struct pkt *in)
{
    struct pkt p = {.len = 0, .linktype = 101};
    put32(&p, 0x60000000);
    put16(&p, (unsigned)in->len);
    put8(&p, nh);
    put8(&p, 64);
    put(&p, C6, 16);
    put(&p, D6, 16);
    put_pkt(&p, in);
    return p;
}

/* Ethernet II around an IP packet (ethertype from its version), with VLAN tags tpids[]. */
static struct pkt ether(const struct pkt *ip, const unsigned *tpids, int ntags)
{
    struct pkt p = {.len = 0};
    static const uint8_t macs[12] = {2, 0, 0, 0, 0, 3, 2, 0, 0, 0, 0, 4};
    put(&p, macs, 12);
    for (int i = 0; i < ntags; i++) {
        put16(&p, tpids[i]);
        put16(&p, 100u + (unsigned)i);
    }
    put16(&p, (ip->b[0] >> 4) == 4 ? 0x0800 : 0x86dd);
    put_pkt(&p, ip);
    p.linktype = 1;
    return p;
}

/* GRE header with the C/K/S options as asked, protocol type, around in. */
static struct pkt gre(bool c, bool k, bool s, unsigned type, const struct pkt *in)
{
    struct pkt p = {.len = 0, .linktype = 101};
    put16(&p, (c ? 0x8000u : 0) | (k ? 0x2000u : 0) | (s ? 0x1000u : 0));
    put16(&p, type);
    if (c)
        put32(&p, 0);
    if (k)
        put32(&p, 0x1234);
    if (s)
        put32(&p, 7);
    put_pkt(&p, in);
    return p;
}

/* UDP (src -> dst port) around in; the addresses come from the outer IP. */
static struct pkt udp_around(unsigned sport, unsigned dport, const struct pkt *in)
{
    struct pkt p = {.len = 0, .linktype = 101};
    put16(&p, sport);
    put16(&p, dport);
    put16(&p, (unsigned)(8 + in->len));
    put16(&p, 0);
    put_pkt(&p, in);
    return p;
}

static struct pkt vxlan(unsigned dport, const struct pkt *eth_frame, unsigned flags)
{
    struct pkt v = {.len = 0};
    put32(&v, flags << 24);
    put32(&v, 42u << 8);
    put_pkt(&v, eth_frame);
    struct pkt u = udp_around(40001, dport, &v);
    return outer4(17, &u, 0);
}

/* GTP-U v1 G-PDU; opt: add seq/N-PDU/next; ext: extension units chain (n headers). */
static struct pkt gtpu(const struct pkt *ip, bool opt, int next_ext, unsigned type)
{
    struct pkt g = {.len = 0};
    struct pkt body = {.len = 0};
    if (opt) {
        put16(&body, 5);
        put8(&body, 0);
        put8(&body, next_ext ? 0x85 : 0);
        for (int i = 0; i < next_ext; i++) { /* 2-unit headers: len, 6 bytes, next type */
            put8(&body, 2);
            put(&body, "\1\2\3\4\5\6", 6);
            put8(&body, i + 1 < next_ext ? 0x85 : 0);
        }
    }
    put_pkt(&body, ip);
    put8(&g, 0x30 | (opt ? (next_ext ? 0x06 : 0x02) : 0));
    put8(&g, type);
    put16(&g, (unsigned)body.len);
    put32(&g, 0xabcd);
    put_pkt(&g, &body);
    struct pkt u = udp_around(2152, 2152, &g);
    return outer4(17, &u, 0);
}

/* ---- checks ---- */

/* Runs p (raw IP unless it has a link type) and expects one UDP "hello" from the inner
 * 10.0.0.1:5060 (or 2001:db8::1) with the tunnel fields given. */
static void expect_inner(const struct pkt *p, int family, int encap, int depth, int outer_family,
                         const char *what)
{
    struct net_ctx *n = ctx();
    struct got g = {0};
    enum dis_result r = run(n, p, 0, &g);
    if (r != DIS_OK || g.n != 1 || g.m[0].pl.encap != encap || g.m[0].pl.encap_depth != depth)
        fprintf(stderr, "tunnel case %s: r=%d n=%d encap=%d depth=%d\n", what, r, g.n,
                g.n ? g.m[0].pl.encap : -1, g.n ? g.m[0].pl.encap_depth : -1);
    CHECK_EQ_INT(r, DIS_OK);
    CHECK_EQ_INT(g.n, 1);
    if (g.n != 1) {
        net_free(n);
        return;
    }
    GOT_IS(&g, 0, "hello");
    const struct net_payload *pl = &g.m[0].pl;
    CHECK_EQ_INT(pl->src.addr.family, family);
    CHECK(memcmp(pl->src.addr.a, family == 4 ? A4 : A6, family == 4 ? 4 : 16) == 0);
    CHECK(memcmp(pl->dst.addr.a, family == 4 ? B4 : B6, family == 4 ? 4 : 16) == 0);
    CHECK_EQ_INT(pl->src.port, 5060);
    CHECK_EQ_INT(pl->dst.port, 5080);
    CHECK_EQ_INT(pl->transport, NET_T_UDP);
    CHECK_EQ_INT(pl->encap, encap);
    CHECK_EQ_INT(pl->encap_depth, depth);
    CHECK_EQ_INT(pl->outer_src.addr.family, outer_family);
    if (outer_family == 4)
        CHECK(memcmp(pl->outer_src.addr.a, C4, 4) == 0 && memcmp(pl->outer_dst.addr.a, D4, 4) == 0);
    if (outer_family == 6)
        CHECK(memcmp(pl->outer_src.addr.a, C6, 16) == 0 &&
              memcmp(pl->outer_dst.addr.a, D6, 16) == 0);
    CHECK(g.m[0].in_frame && !pl->truncated);
    CHECK_EQ_INT(net_get_stats(n)->tunnels, depth);
    net_free(n);
}

static void expect_result(const struct pkt *p, enum dis_result want, int want_n, const char *what)
{
    struct net_ctx *n = ctx();
    struct got g = {0};
    enum dis_result r = run(n, p, 0, &g);
    if (r != want || g.n != want_n)
        fprintf(stderr, "tunnel case %s: r=%d n=%d\n", what, r, g.n);
    CHECK_EQ_INT(r, want);
    CHECK_EQ_INT(g.n, want_n);
    net_free(n);
}

/* ---- IP in IP ---- */

static void test_ipip(void)
{
    struct pkt i4 = inner_udp4("hello"), i6 = inner_udp6("hello");
    struct pkt p = outer4(4, &i4, 0);
    expect_inner(&p, 4, NET_E_IPIP, 1, 4, "4in4");
    p = outer4(41, &i6, 0);
    expect_inner(&p, 6, NET_E_IPIP, 1, 4, "6in4");
    p = outer6(4, &i4);
    expect_inner(&p, 4, NET_E_IPIP, 1, 6, "4in6");
    p = outer6(41, &i6);
    expect_inner(&p, 6, NET_E_IPIP, 1, 6, "6in6");
    struct pkt e = ether(&p, NULL, 0);
    expect_inner(&e, 6, NET_E_IPIP, 1, 6, "6in6 on Ethernet");
    p = outer4(4, &i6, 0); /* protocol 4 but an IPv6 packet inside */
    expect_result(&p, DIS_BAD, 0, "4in4 with v6 inside");
    struct pkt empty = {.len = 0};
    p = outer4(41, &empty, 0);
    expect_result(&p, DIS_TRUNC, 0, "6in4 empty");
}

/* ---- GRE ---- */

static void test_gre(void)
{
    struct pkt i4 = inner_udp4("hello"), i6 = inner_udp6("hello");
    for (int opts = 0; opts < 8; opts++) {
        struct pkt g = gre(opts & 1, opts & 2, opts & 4, 0x0800, &i4);
        struct pkt p = outer4(47, &g, 0);
        expect_inner(&p, 4, NET_E_GRE, 1, 4, "gre4 options");
        g = gre(opts & 1, opts & 2, opts & 4, 0x86dd, &i6);
        p = outer6(47, &g);
        expect_inner(&p, 6, NET_E_GRE, 1, 6, "gre6 options");
    }
    /* MPLS label stack (two labels, bottom of stack on the second) */
    struct pkt m = {.len = 0};
    put32(&m, (16001u << 12) | 64);
    put32(&m, (20u << 12) | 0x100 | 64);
    put_pkt(&m, &i4);
    struct pkt g = gre(false, true, false, 0x8847, &m);
    struct pkt p = outer4(47, &g, 0);
    expect_inner(&p, 4, NET_E_GRE, 1, 4, "gre mpls");
    /* transparent Ethernet bridging with QinQ inside */
    const unsigned qinq[] = {0x88a8, 0x8100};
    struct pkt e = ether(&i4, qinq, 2);
    g = gre(false, true, false, 0x6558, &e);
    p = outer4(47, &g, 0);
    expect_inner(&p, 4, NET_E_GRE, 1, 4, "gre teb qinq");
    /* not for us: version 1 (PPTP), routing present, an unknown protocol type, ARP bridged */
    g = gre(false, false, false, 0x0800, &i4);
    g.b[1] = 1;
    p = outer4(47, &g, 0);
    expect_result(&p, DIS_NOT_MINE, 0, "gre version 1");
    g.b[1] = 0;
    g.b[0] = 0x40;
    p = outer4(47, &g, 0);
    expect_result(&p, DIS_NOT_MINE, 0, "gre routing");
    g = gre(false, false, false, 0x1234, &i4);
    p = outer4(47, &g, 0);
    expect_result(&p, DIS_NOT_MINE, 0, "gre unknown type");
    /* the header claims options the packet does not hold */
    struct pkt tiny = {.len = 0};
    put16(&tiny, 0xb000);
    put16(&tiny, 0x0800);
    put32(&tiny, 0);
    p = outer4(47, &tiny, 0);
    expect_result(&p, DIS_TRUNC, 0, "gre options cut");
}

/* ---- ERSPAN ---- */

static void test_erspan(void)
{
    struct pkt i4 = inner_udp4("hello");
    const unsigned dot1q[] = {0x8100};
    struct pkt e = ether(&i4, dot1q, 1);
    struct pkt g = gre(false, false, false, 0x88be, &e); /* type I */
    struct pkt p = outer4(47, &g, 0);
    expect_inner(&p, 4, NET_E_ERSPAN, 1, 4, "erspan I");
    struct pkt h = {.len = 0}; /* type II: ver 1 */
    put32(&h, (1u << 28) | (100u << 16) | 123);
    put32(&h, 0);
    put_pkt(&h, &e);
    g = gre(false, false, true, 0x88be, &h);
    p = outer4(47, &g, 0);
    expect_inner(&p, 4, NET_E_ERSPAN, 1, 4, "erspan II");
    h.b[0] = 0x20; /* wrong version for type II */
    g = gre(false, false, true, 0x88be, &h);
    p = outer4(47, &g, 0);
    expect_result(&p, DIS_BAD, 0, "erspan II bad version");
    for (int o = 0; o < 2; o++) { /* type III: ver 2, FT 0, with and without the sub-header */
        struct pkt h3 = {.len = 0};
        put32(&h3, (2u << 28) | (100u << 16) | 321);
        put32(&h3, 123456);
        put16(&h3, 0);
        put8(&h3, 0);
        put8(&h3, (unsigned)o);
        if (o)
            put(&h3, "\0\1\0\0\0\0\0\0", 8);
        put_pkt(&h3, &e);
        g = gre(false, false, true, 0x22eb, &h3);
        p = outer4(47, &g, 0);
        expect_inner(&p, 4, NET_E_ERSPAN, 1, 4, o ? "erspan III sub-header" : "erspan III");
    }
    struct pkt h3 = {.len = 0}; /* type III carrying an IP packet (FT 2) */
    put32(&h3, (2u << 28) | 5);
    put32(&h3, 0);
    put16(&h3, 0);
    put8(&h3, 2u << 2);
    put8(&h3, 0);
    put_pkt(&h3, &i4);
    g = gre(false, false, true, 0x22eb, &h3);
    p = outer4(47, &g, 0);
    expect_inner(&p, 4, NET_E_ERSPAN, 1, 4, "erspan III ip");
}

/* ---- VXLAN ---- */

static void test_vxlan(void)
{
    struct pkt i6 = inner_udp6("hello");
    const unsigned qinq[] = {0x88a8, 0x8100};
    struct pkt e = ether(&i6, qinq, 2);
    struct pkt p = vxlan(4789, &e, 0x08);
    expect_inner(&p, 6, NET_E_VXLAN, 1, 4, "vxlan 4789");
    p = vxlan(4789, &e, 0x00); /* no I flag: not VXLAN, plain UDP */
    expect_result(&p, DIS_OK, 1, "vxlan without I flag");
    p = vxlan(8472, &e, 0x08); /* another port: plain UDP until configured */
    expect_result(&p, DIS_OK, 1, "vxlan 8472 unconfigured");
    struct net_ctx *n = ctx();
    net_set_vxlan_port(n, 8472);
    struct got g = {0};
    CHECK_EQ_INT(run(n, &p, 0, &g), DIS_OK);
    CHECK_EQ_INT(g.n, 1);
    GOT_IS(&g, 0, "hello");
    CHECK_EQ_INT(g.m[0].pl.encap, NET_E_VXLAN);
    CHECK_EQ_INT(g.m[0].pl.outer_dst.port, 8472);
    CHECK_EQ_INT(g.m[0].pl.outer_src.port, 40001);
    net_free(n);
    struct pkt arp = {.len = 0};
    put(&arp, e.b, 12);
    put16(&arp, 0x0806);
    put(&arp, "\0\1\x08\0\6\4\0\1", 8);
    p = vxlan(4789, &arp, 0x08);
    expect_result(&p, DIS_NOT_MINE, 0, "vxlan arp");
}

/* ---- GTP-U ---- */

static void test_gtpu(void)
{
    struct pkt i4 = inner_udp4("hello"), i6 = inner_udp6("hello");
    struct pkt p = gtpu(&i4, false, 0, 0xff);
    expect_inner(&p, 4, NET_E_GTPU, 1, 4, "gtpu plain");
    p = gtpu(&i6, true, 0, 0xff);
    expect_inner(&p, 6, NET_E_GTPU, 1, 4, "gtpu seq");
    p = gtpu(&i4, true, 3, 0xff);
    expect_inner(&p, 4, NET_E_GTPU, 1, 4, "gtpu 3 extension headers");
    p = gtpu(&i4, false, 0, 1); /* echo request: not a G-PDU, plain UDP */
    expect_result(&p, DIS_OK, 1, "gtpu echo");
    p = gtpu(&i4, true, 1, 0xff);
    p.b[20 + 8 + 12] = 0; /* extension length 0 */
    expect_result(&p, DIS_BAD, 0, "gtpu ext length 0");
    p = gtpu(&i4, true, 1, 0xff);
    p.b[20 + 8 + 12] = 200; /* extension longer than the packet */
    expect_result(&p, DIS_TRUNC, 0, "gtpu ext too long");
    p = gtpu(&i4, false, 0, 0xff);
    p.b[20 + 8 + 2] = 0; /* declared length 0: nothing inside */
    p.b[20 + 8 + 3] = 0;
    expect_result(&p, DIS_NOT_MINE, 0, "gtpu empty");
    p = gtpu(&i4, false, 0, 0xff);
    p.b[20 + 8 + 8] = 0x10; /* not IP inside */
    expect_result(&p, DIS_NOT_MINE, 0, "gtpu non-IP");
}

/* ---- nesting ---- */

static void test_nesting(void)
{
    struct pkt cur = inner_udp4("hello");
    for (int depth = 1; depth <= NET_MAX_ENCAP + 1; depth++) {
        struct pkt next;
        if (depth % 3 == 1) {
            struct pkt g = gre(false, true, true, 0x0800, &cur);
            next = outer4(47, &g, 0);
        } else if (depth % 3 == 2) {
            next = gtpu(&cur, true, 1, 0xff);
        } else {
            struct pkt e = ether(&cur, NULL, 0);
            next = vxlan(4789, &e, 0x08);
        }
        cur = next;
        int first = depth % 3 == 1 ? NET_E_GRE : depth % 3 == 2 ? NET_E_GTPU : NET_E_VXLAN;
        if (depth <= NET_MAX_ENCAP) {
            expect_inner(&cur, 4, first, depth, 4, "nested");
        } else {
            struct net_ctx *n = ctx();
            struct got g = {0};
            CHECK_EQ_INT(run(n, &cur, 0, &g), DIS_NOT_MINE);
            CHECK_EQ_INT(g.n, 0);
            CHECK_EQ_INT(net_get_stats(n)->tunnel_deep, 1);
            net_free(n);
        }
    }
}

/* ---- TCP and fragments ---- */

static void test_tcp_and_fragments(void)
{
    struct net_ctx *n = ctx();
    struct got g = {0};
    struct pkt t1 = {.len = 0, .linktype = 101}, t2 = {.len = 0, .linktype = 101};
    ip4(&t1, 6, 20 + 7, 1, 0, 0);
    tcp(&t1, 1000, 0x18, "M one\nM");
    ip4(&t2, 6, 20 + 8, 2, 0, 0);
    tcp(&t2, 1007, 0x18, " two\n\n\n");
    struct pkt g1 = gre(false, true, true, 0x0800, &t1), g2 = gre(false, true, true, 0x0800, &t2);
    struct pkt p1 = outer4(47, &g1, 0), p2 = outer4(47, &g2, 0);
    run(n, &p1, 1, &g);
    run(n, &p2, 2, &g);
    CHECK_EQ_INT(g.n, 1);
    GOT_IS(&g, 0, "M one\nM two\n\n");
    CHECK_EQ_INT(g.m[0].pl.transport, NET_T_TCP);
    CHECK_EQ_INT(g.m[0].pl.encap, NET_E_GRE);
    CHECK(g.m[0].pl.reassembled);
    net_free(n);
    /* the outer IPv4 packet carrying GRE is fragmented: reassembled, then opened */
    struct pkt i4 = inner_udp4("hello, fragmented tunnel");
    struct pkt g0 = gre(false, false, false, 0x0800, &i4);
    struct pkt a = {.len = 0}, b = {.len = 0};
    put(&a, g0.b, 16);
    put(&b, g0.b + 16, g0.len - 16);
    struct pkt f1 = outer4(47, &a, 0x2000), f2 = outer4(47, &b, 2);
    n = ctx();
    struct got h = {0};
    run(n, &f1, 1, &h);
    CHECK_EQ_INT(h.n, 0);
    run(n, &f2, 2, &h);
    CHECK_EQ_INT(h.n, 1);
    if (h.n == 1) {
        GOT_IS(&h, 0, "hello, fragmented tunnel");
        CHECK(h.m[0].pl.encap == NET_E_GRE && h.m[0].pl.encap_depth == 1);
    }
    net_free(n);
}

/* A fragment inside a tunnel packet that was itself fragmented: the inner fragment lives in the
 * outer reassembly buffer while it is stored (ASan catches a use after free here). */
static void test_fragment_in_fragment(void)
{
    const char *msg = "hello, fragments on both levels";
    size_t ml = strlen(msg);
    struct pkt whole = {.len = 0}; /* inner UDP datagram bytes */
    put16(&whole, 5060);
    put16(&whole, 5080);
    put16(&whole, (unsigned)(8 + ml));
    put16(&whole, 0);
    put(&whole, msg, ml);
    struct pkt i1 = {.len = 0, .linktype = 101}, i2 = {.len = 0, .linktype = 101};
    ip4(&i1, 17, 16, 55, 0x2000, 0); /* inner fragment 1: bytes 0..15, MF */
    put(&i1, whole.b, 16);
    ip4(&i2, 17, whole.len - 16, 55, 2, 0); /* inner fragment 2: offset 16 */
    put(&i2, whole.b + 16, whole.len - 16);
    struct pkt g1 = gre(false, false, false, 0x0800, &i1);
    struct pkt a = {.len = 0}, b = {.len = 0};
    put(&a, g1.b, 24);
    put(&b, g1.b + 24, g1.len - 24);
    struct pkt o1 = outer4(47, &a, 0x2000), o2 = outer4(47, &b, 3);
    struct pkt g2 = gre(false, false, false, 0x0800, &i2);
    struct pkt o3 = outer4(47, &g2, 0);
    struct net_ctx *n = ctx();
    struct got g = {0};
    run(n, &o1, 1, &g);
    run(n, &o2, 2, &g);
    CHECK_EQ_INT(g.n, 0);
    run(n, &o3, 3, &g);
    CHECK_EQ_INT(g.n, 1);
    if (g.n == 1)
        GOT_IS(&g, 0, "hello, fragments on both levels");
    net_free(n);
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
        if (cap < p->len)
            CHECK(g.n == 0 || g.m[0].pl.truncated || g.m[0].pl.encap == NET_E_NONE);
    }
}

static void test_sweep(void)
{
    struct net_ctx *n = ctx();
    net_set_vxlan_port(n, 8472);
    struct pkt i4 = inner_udp4("INVITE sip:a@b SIP/2.0\r\n"), i6 = inner_udp6("hello");
    const unsigned qinq[] = {0x88a8, 0x8100};
    struct pkt e = ether(&i4, qinq, 2);
    struct pkt s[16];
    int k = 0;
    s[k++] = outer4(4, &i4, 0);
    s[k++] = outer6(41, &i6);
    struct pkt g = gre(true, true, true, 0x86dd, &i6);
    s[k++] = ether(&g, NULL, 0);
    s[k - 1] = outer4(47, &g, 0);
    g = gre(false, true, false, 0x6558, &e);
    s[k++] = outer4(47, &g, 0);
    struct pkt h = {.len = 0};
    put32(&h, (1u << 28) | 7);
    put32(&h, 0);
    put_pkt(&h, &e);
    g = gre(false, false, true, 0x88be, &h);
    s[k++] = outer4(47, &g, 0);
    struct pkt h3 = {.len = 0};
    put32(&h3, 2u << 28);
    put32(&h3, 0);
    put32(&h3, 1);
    put(&h3, "\0\1\0\0\0\0\0\0", 8);
    put_pkt(&h3, &e);
    g = gre(false, false, true, 0x22eb, &h3);
    s[k++] = outer4(47, &g, 0);
    s[k++] = vxlan(4789, &e, 0x08);
    s[k++] = vxlan(8472, &e, 0x08);
    s[k++] = gtpu(&i4, true, 2, 0xff);
    s[k++] = gtpu(&i6, false, 0, 0xff);
    struct pkt nest = gtpu(&i4, true, 1, 0xff);
    struct pkt ne = ether(&nest, qinq, 2);
    s[k++] = vxlan(4789, &ne, 0x08);
    for (int i = 0; i < k; i++)
        sweep_one(n, &s[i]);
    net_free(n);
}

int main(void)
{
    test_ipip();
    test_gre();
    test_erspan();
    test_vxlan();
    test_gtpu();
    test_nesting();
    test_tcp_and_fragments();
    test_fragment_in_fragment();
    test_sweep();
    CHECK(strcmp(net_encap_name(NET_E_GTPU), "GTP-U") == 0 && net_encap_name(99)[0] == '\0');
    return check_done();
}
