/* net_priv.h: private glue of the network layers (net.c, ip4.c, ip6.c, tcp.c); not for users
 * of dissect/net.h. RFC 791, RFC 8200. */
#ifndef SS_NET_PRIV_H
#define SS_NET_PRIV_H

#include "dissect/net.h"

#define IP_PROTO_IPIP 4
#define IP_PROTO_TCP  6
#define IP_PROTO_UDP  17
#define IP_PROTO_IPV6 41
#define IP_PROTO_GRE  47
#define IP_PROTO_SCTP 132

/* One IP datagram (or fragment) after the IP layer: addresses, upper protocol, payload view. */
struct ip_pkt {
    struct net_endpoint src; /* address filled by the IP layer, port by UDP/TCP */
    struct net_endpoint dst;
    uint8_t proto;        /* upper-layer protocol (after IPv6 extension headers) */
    bool truncated;       /* the capture holds fewer bytes than the IP header claims */
    bool reassembled;     /* payload rebuilt from fragments */
    bool is_frag;         /* this is one fragment of a larger datagram */
    bool more_frags;      /* MF flag / M flag */
    uint32_t frag_id;     /* Identification (16 bits for IPv4, 32 for IPv6) */
    uint32_t frag_off;    /* fragment offset in bytes */
    size_t declared;      /* payload length the IP header claims */
    struct slice payload; /* payload, narrowed to declared and clamped to the capture */
};

struct ipfrag;
struct tcp_table;
struct sctp_table;

/* The context behind struct net_ctx: limits, counters, tables and the current frame's sink. */
struct net_ctx {
    struct net_limits lim;
    net_framer_fn framer;
    struct net_stats st;
    struct ipfrag *frag;
    struct tcp_table *tcp;
    struct sctp_table *sctp;
    int64_t next_expire_ns;
    /* set by net_frame for the frame being dissected */
    net_deliver_fn deliver;
    void *user;
    const struct frame *f;
    unsigned index;
    bool frame_truncated;
    /* tunnels of the frame being dissected (tunnel.c) */
    unsigned depth;
    uint8_t encap;
    struct net_endpoint outer_src, outer_dst;
};

/* Parses an IPv4 header at l3 (RFC 791 §3.1) into *o. Returns DIS_OK, DIS_TRUNC (header cut),
 * or DIS_BAD. */
enum dis_result ip4_parse(struct slice l3, struct ip_pkt *o);

/* Parses an IPv6 header and its extension headers (RFC 8200 §3, §4) into *o. Returns DIS_OK,
 * DIS_TRUNC, DIS_BAD, or DIS_NOT_MINE (No Next Header). */
enum dis_result ip6_parse(struct slice l3, struct ip_pkt *o);

/* Skips the IPv6 extension headers at the start of o->payload, starting from o->proto; stops at
 * an upper-layer header or at a fragment header (sets o->is_frag). Same results as ip6_parse. */
enum dis_result ip6_ext_walk(struct ip_pkt *o);

/* Handles one TCP segment (RFC 9293 §3.1): stream reassembly and message framing. */
enum dis_result tcp_input(struct net_ctx *n, struct ip_pkt *ip);

/* malloc/realloc that abort with a message when memory runs out. */
void *net_xrealloc(void *p, size_t n);
void *net_xcalloc(size_t n, size_t size);

/* True when more than age ns passed from then to now (false when time went backwards). */
static inline bool net_older(int64_t then, int64_t now, int64_t age)
{
    return now > then && (uint64_t)now - (uint64_t)then > (uint64_t)age;
}

/* A 32-bit hash of n bytes (a murmur3-style mix of 4-byte words), seeded. */
static inline uint32_t net_hash_bytes(const uint8_t *p, size_t n, uint32_t h)
{
    size_t i = 0;
    for (; n - i >= 4; i += 4) {
        uint32_t k = (uint32_t)p[i] | ((uint32_t)p[i + 1] << 8) | ((uint32_t)p[i + 2] << 16) |
                     ((uint32_t)p[i + 3] << 24);
        k *= 0xcc9e2d51u;
        k = (k << 15) | (k >> 17);
        h ^= k * 0x1b873593u;
        h = ((h << 13) | (h >> 19)) * 5u + 0xe6546b64u;
    }
    for (; i < n; i++)
        h = (h ^ p[i]) * 0x01000193u;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    return h;
}

/* Dissects an IP packet (version ver) found at l3: the frame's own or one out of a tunnel. */
enum dis_result net_l3(struct net_ctx *n, struct slice l3, int ver);

/* Hands one payload of the current frame to the user's callback. */
void net_emit(struct net_ctx *n, const struct ip_pkt *ip, uint8_t transport, struct slice data,
              bool reassembled, bool truncated);

#endif
