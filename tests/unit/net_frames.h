/* net_frames.h: frame builders and a payload collector for test_net.c (in-memory Ethernet, IPv4,
 * IPv6, UDP and TCP headers; a toy framer). Test-only. */
#ifndef SS_TEST_NET_FRAMES_H
#define SS_TEST_NET_FRAMES_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dissect/net.h"

#define MAX_GOT 64
#define MSG_MAX 2048
#define PKT_MAX 4096
#define MS      1000000LL

/* ---- collecting what net_frame delivers ---- */

struct got_msg {
    struct net_payload pl;
    char data[MSG_MAX];
    size_t len;
    bool in_frame; /* data pointed into the frame bytes (zero copy) */
};

struct got {
    int n;
    const uint8_t *frame_lo, *frame_hi;
    struct got_msg m[MAX_GOT];
};

static inline void deliver(void *user, const struct net_payload *pl)
{
    struct got *g = user;
    if (g->n >= MAX_GOT)
        return;
    struct got_msg *m = &g->m[g->n++];
    m->pl = *pl;
    m->len = pl->data.len < MSG_MAX ? pl->data.len : MSG_MAX;
    if (m->len)
        memcpy(m->data, pl->data.p, m->len);
    m->in_frame = pl->data.p >= g->frame_lo && pl->data.p < g->frame_hi;
    volatile uint8_t sum = 0; /* touch every byte so ASan checks the whole view */
    for (size_t i = 0; i < pl->data.len; i++)
        sum = (uint8_t)(sum + pl->data.p[i]);
    (void)sum;
}

#define GOT_IS(g, i, lit) CHECK_SLICE(slice_make((g)->m[i].data, (g)->m[i].len), lit)

/* Test framer: a message starts with 'M' and ends with a blank line "\n\n". */
static inline enum dis_result framer(struct slice b, size_t *len)
{
    if (b.p[0] != 'M')
        return DIS_NOT_MINE;
    for (size_t i = 1; i + 1 < b.len; i++) {
        if (b.p[i] == '\n' && b.p[i + 1] == '\n') {
            *len = i + 2;
            return DIS_OK;
        }
    }
    return DIS_SHORT;
}

/* ---- building frames ---- */

struct pkt {
    uint8_t b[PKT_MAX];
    size_t len;
    int linktype;
};

static inline void put(struct pkt *p, const void *d, size_t n)
{
    if (n == 0)
        return;
    memcpy(p->b + p->len, d, n);
    p->len += n;
}

static inline void put8(struct pkt *p, unsigned v)
{
    p->b[p->len++] = (uint8_t)v;
}

static inline void put16(struct pkt *p, unsigned v)
{
    put8(p, v >> 8);
    put8(p, v);
}

static inline void put32(struct pkt *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p, v & 0xffff);
}

static inline void set16(struct pkt *p, size_t off, unsigned v)
{
    p->b[off] = (uint8_t)(v >> 8);
    p->b[off + 1] = (uint8_t)v;
}

static const uint8_t A4[4] = {10, 0, 0, 1}, B4[4] = {10, 0, 0, 2};
static const uint8_t A6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t B6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

static inline void eth(struct pkt *p, unsigned type)
{
    static const uint8_t macs[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
    p->linktype = 1;
    put(p, macs, sizeof macs);
    put16(p, type);
}

/* IPv4 header with opt_words 32-bit option words; frag = flags/offset field. */
static inline void ip4(struct pkt *p, unsigned proto, size_t plen, unsigned id, unsigned frag,
                       unsigned opt_words)
{
    put8(p, 0x45 + opt_words);
    put8(p, 0);
    put16(p, (unsigned)(20 + 4 * opt_words + plen));
    put16(p, id);
    put16(p, frag);
    put8(p, 64);
    put8(p, proto);
    put16(p, 0);
    put(p, A4, 4);
    put(p, B4, 4);
    for (unsigned i = 0; i < opt_words; i++)
        put32(p, 0x01010101); /* NOPs */
}

static inline void ip6(struct pkt *p, unsigned nh, size_t plen)
{
    put32(p, 0x60000000);
    put16(p, (unsigned)plen);
    put8(p, nh);
    put8(p, 64);
    put(p, A6, 16);
    put(p, B6, 16);
}

static inline void udp(struct pkt *p, const char *msg)
{
    size_t n = strlen(msg);
    put16(p, 5060);
    put16(p, 5080);
    put16(p, (unsigned)(8 + n));
    put16(p, 0);
    put(p, msg, n);
}

static inline void tcp(struct pkt *p, uint32_t seq, unsigned flags, const char *msg)
{
    put16(p, 40000);
    put16(p, 5060);
    put32(p, seq);
    put32(p, 0);
    put8(p, 0x50);
    put8(p, flags);
    put16(p, 65535);
    put32(p, 0);
    put(p, msg, strlen(msg));
}

static inline struct pkt udp4_eth(const char *msg)
{
    struct pkt p = {.len = 0};
    eth(&p, 0x0800);
    ip4(&p, 17, 8 + strlen(msg), 1, 0, 0);
    udp(&p, msg);
    return p;
}

static inline struct pkt udp6_eth(const char *msg)
{
    struct pkt p = {.len = 0};
    eth(&p, 0x86dd);
    ip6(&p, 17, 8 + strlen(msg));
    udp(&p, msg);
    return p;
}

static inline struct pkt tcp4_eth(uint32_t seq, unsigned flags, const char *msg)
{
    struct pkt p = {.len = 0};
    eth(&p, 0x0800);
    ip4(&p, 6, 20 + strlen(msg), 1, 0, 0);
    tcp(&p, seq, flags, msg);
    return p;
}

/* Runs one frame through n with caplen bytes captured (wirelen = full length), at time ms. */
static inline enum dis_result run_cap(struct net_ctx *n, const struct pkt *p, size_t caplen,
                                      int64_t ms, struct got *g)
{
    uint8_t *copy = malloc(caplen ? caplen : 1); /* exact size: ASan sees any over-read */
    memcpy(copy, p->b, caplen);
    struct frame f = {.ts_ns = ms * MS,
                      .caplen = (uint32_t)caplen,
                      .wirelen = (uint32_t)p->len,
                      .linktype = p->linktype,
                      .index = 1,
                      .data = copy};
    g->frame_lo = copy;
    g->frame_hi = copy + caplen;
    enum dis_result r = net_frame(n, &f, deliver, g);
    for (int i = 0; i < g->n; i++) {
        if (g->m[i].pl.frame == &f)
            g->m[i].pl.frame = (const struct frame *)(uintptr_t)1; /* "this frame" */
    }
    free(copy);
    return r;
}

static inline enum dis_result run(struct net_ctx *n, const struct pkt *p, int64_t ms, struct got *g)
{
    return run_cap(n, p, p->len, ms, g);
}

static inline struct net_ctx *ctx(void)
{
    return net_new(NULL, framer);
}
#endif
