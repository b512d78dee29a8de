/* ip6.c: IPv6 header and extension headers (RFC 8200 §3, §4; AH length rule RFC 4302 §2.2;
 * Mobility RFC 6275, HIP RFC 7401, Shim6 RFC 5533 skipped by their generic length). */
#include "dissect/net_priv.h"
#include "dissect/cur.h"
#include "dissect/banned.h"

#define IP6_HDR_LEN  40
#define IP6_ADDR_LEN 16
#define IP6_MAX_EXT  16 /* extension headers followed before giving up */
#define IP6_FRAG_LEN 8
#define IP6_OFF_MASK 0xfff8u
#define IP6_FLAG_M   0x0001u

enum ip6_nh {
    IP6_NH_HOPOPTS = 0,
    IP6_NH_ROUTING = 43,
    IP6_NH_FRAGMENT = 44,
    IP6_NH_AH = 51,
    IP6_NH_NONE = 59,
    IP6_NH_DSTOPTS = 60,
    IP6_NH_MOBILITY = 135,
    IP6_NH_HIP = 139,
    IP6_NH_SHIM6 = 140,
};

static void ip6_addr(struct net_endpoint *e, const uint8_t *p)
{
    *e = (struct net_endpoint){0};
    e->addr.family = 6;
    memcpy(e->addr.a, p, IP6_ADDR_LEN);
}

/* True when nh names an extension header this walker skips. */
static bool is_ext(uint8_t nh)
{
    switch (nh) {
    case IP6_NH_HOPOPTS:
    case IP6_NH_ROUTING:
    case IP6_NH_FRAGMENT:
    case IP6_NH_AH:
    case IP6_NH_DSTOPTS:
    case IP6_NH_MOBILITY:
    case IP6_NH_HIP:
    case IP6_NH_SHIM6:
        return true;
    default:
        return false;
    }
}

/* Length of the extension header nh at p (2 bytes readable), or 0 when nh is not one. */
static size_t ext_len(uint8_t nh, const uint8_t *p)
{
    switch (nh) {
    case IP6_NH_HOPOPTS:
    case IP6_NH_ROUTING:
    case IP6_NH_DSTOPTS:
    case IP6_NH_MOBILITY:
    case IP6_NH_HIP:
    case IP6_NH_SHIM6:
        return ((size_t)p[1] + 1) * 8;
    case IP6_NH_AH:
        return ((size_t)p[1] + 2) * 4;
    case IP6_NH_FRAGMENT:
        return IP6_FRAG_LEN;
    default:
        return 0;
    }
}

/* Reads the fragment header at p; returns true when it describes a real fragment (not an
 * atomic fragment, RFC 6946). */
static bool frag_hdr(struct ip_pkt *o, const uint8_t *p)
{
    uint32_t offm = ((uint32_t)p[2] << 8) | p[3];
    o->frag_off = offm & IP6_OFF_MASK;
    o->more_frags = (offm & IP6_FLAG_M) != 0;
    o->frag_id = ((uint32_t)p[4] << 24) | ((uint32_t)p[5] << 16) | ((uint32_t)p[6] << 8) | p[7];
    return o->frag_off != 0 || o->more_frags;
}

enum dis_result ip6_ext_walk(struct ip_pkt *o)
{
    for (unsigned i = 0; i < IP6_MAX_EXT; i++) {
        uint8_t nh = o->proto;
        if (nh == IP6_NH_NONE)
            return DIS_NOT_MINE;
        if (!is_ext(nh))
            return DIS_OK; /* an upper-layer protocol */
        if (o->payload.len < 2)
            return o->declared < 2 ? DIS_BAD : DIS_TRUNC;
        const uint8_t *p = o->payload.p;
        size_t hl = ext_len(nh, p);
        if (hl > o->payload.len)
            return hl > o->declared ? DIS_BAD : DIS_TRUNC;
        o->proto = p[0];
        o->payload = slice_make(p + hl, o->payload.len - hl);
        o->declared -= hl;
        if (nh == IP6_NH_FRAGMENT && frag_hdr(o, p)) {
            o->is_frag = true;
            return DIS_OK;
        }
    }
    return DIS_BAD;
}

enum dis_result ip6_parse(struct slice l3, struct ip_pkt *o)
{
    if (l3.len < IP6_HDR_LEN)
        return DIS_TRUNC;
    const uint8_t *h = l3.p;
    if ((h[0] >> 4) != 6)
        return DIS_BAD;
    size_t plen = ((size_t)h[4] << 8) | h[5];
    size_t have = l3.len - IP6_HDR_LEN;
    if (plen == 0) /* jumbogram or segmentation offload: take what was captured */
        plen = have;
    o->truncated = plen > have;
    o->payload = slice_make(h + IP6_HDR_LEN, o->truncated ? have : plen);
    o->declared = plen;
    o->proto = h[6];
    o->reassembled = false;
    o->is_frag = false;
    o->more_frags = false;
    o->frag_off = 0;
    o->frag_id = 0;
    ip6_addr(&o->src, h + 8);
    ip6_addr(&o->dst, h + 24);
    return ip6_ext_walk(o);
}
