/* ip4.c: IPv4 header (RFC 791 §3.1): IHL with options, total-length narrowing, fragment fields. */
#include "dissect/net_priv.h"
#include "dissect/cur.h"
#include "dissect/banned.h"

#define IP4_MIN_HDR   20
#define IP4_ADDR_LEN  4
#define IP4_FLAG_MF   0x2000u
#define IP4_OFF_MASK  0x1fffu
#define IP4_OFF_UNITS 8u

/* Sets the address part of an endpoint to the IPv4 address at p. */
static void ip4_addr(struct net_endpoint *e, const uint8_t *p)
{
    *e = (struct net_endpoint){0};
    e->addr.family = 4;
    memcpy(e->addr.a, p, IP4_ADDR_LEN);
}

enum dis_result ip4_parse(struct slice l3, struct ip_pkt *o)
{
    if (l3.len < IP4_MIN_HDR)
        return DIS_TRUNC;
    const uint8_t *h = l3.p;
    if ((h[0] >> 4) != 4)
        return DIS_BAD;
    size_t hl = (size_t)(h[0] & 0x0f) * 4;
    size_t tot = ((size_t)h[2] << 8) | h[3];
    uint32_t fl = ((uint32_t)h[6] << 8) | h[7];
    if (hl < IP4_MIN_HDR)
        return DIS_BAD;
    if (hl > l3.len)
        return DIS_TRUNC;
    if (tot == 0) /* TCP segmentation offload on the capturing host: the length is unknown */
        tot = l3.len;
    if (tot < hl)
        return DIS_BAD;
    o->truncated = tot > l3.len;
    size_t have = o->truncated ? l3.len : tot;
    o->payload = slice_make(h + hl, have - hl);
    o->declared = tot - hl;
    o->proto = h[9];
    o->reassembled = false;
    o->frag_id = ((uint32_t)h[4] << 8) | h[5];
    o->frag_off = (fl & IP4_OFF_MASK) * IP4_OFF_UNITS;
    o->more_frags = (fl & IP4_FLAG_MF) != 0;
    o->is_frag = o->more_frags || o->frag_off != 0;
    ip4_addr(&o->src, h + 12);
    ip4_addr(&o->dst, h + 16);
    return DIS_OK;
}
