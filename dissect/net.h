/* net.h: link layer -> IPv4/IPv6 (fragment reassembly) -> tunnels (IP-in-IP, GRE, ERSPAN, VXLAN,
 * GTP-U, nested up to NET_MAX_ENCAP) -> UDP / TCP (stream reassembly with message framing).
 * Delivers UDP datagrams and framed TCP messages to a callback.
 * Link types: EN10MB (802.1Q/802.1ad/QinQ), LINUX_SLL, LINUX_SLL2, NULL, LOOP, RAW, IPV4, IPV6.
 * RFC 791, RFC 8200 (extension headers, fragments), RFC 768, RFC 9293; docs/transports.md. */
#ifndef SS_NET_H
#define SS_NET_H

#include "dissect/dis.h"
#include "dissect/frame.h"
#include "dissect/slice.h"

enum net_transport {
    NET_T_NONE = 0,
    NET_T_UDP,
    NET_T_TCP,
    NET_T_TLS,
    NET_T_WS,
    NET_T_WSS,
    NET_T_SCTP,
};

/* Tunnels a payload can come out of (the outermost one is reported). */
enum net_encap {
    NET_E_NONE = 0,
    NET_E_IPIP,   /* IPv4/IPv6 in IPv4/IPv6 (RFC 2003, RFC 4213, RFC 2473) */
    NET_E_GRE,    /* GRE (RFC 2784, RFC 2890), incl. transparent Ethernet bridging and MPLS */
    NET_E_ERSPAN, /* ERSPAN type I/II/III over GRE */
    NET_E_VXLAN,  /* VXLAN (RFC 7348) */
    NET_E_GTPU,   /* GTP-U G-PDU (3GPP TS 29.281) */
};

#define NET_MAX_ENCAP  4    /* tunnels nested in one frame before giving up */
#define NET_VXLAN_PORT 4789 /* IANA VXLAN port (RFC 7348 §5) */
#define NET_GTPU_PORT  2152 /* GTP-U port (3GPP TS 29.281 §4.4.2) */

/* "IPIP", "GRE", "ERSPAN", "VXLAN", "GTP-U"; "" for NET_E_NONE. */
const char *net_encap_name(int e);

struct net_ctx;

/* Decodes UDP port as VXLAN too (besides 4789); 0 = none. */
void net_set_vxlan_port(struct net_ctx *n, uint16_t port);

/* "UDP", "TCP", ... */
const char *net_transport_name(int t);

struct net_addr {
    uint8_t family; /* 4, 6, or 0 when none */
    uint8_t a[16];  /* IPv4 in a[0..3] */
};

struct net_endpoint {
    struct net_addr addr;
    uint16_t port;
};

/* One payload delivered up: a UDP datagram (possibly rebuilt from IP fragments) or one message
 * framed out of a TCP stream. data is borrowed and valid only during the callback. */
struct net_payload {
    struct net_endpoint src;
    struct net_endpoint dst;
    uint8_t transport;         /* enum net_transport */
    bool truncated;            /* the capture cut this payload (caplen < wire length) */
    bool reassembled;          /* rebuilt from several IP fragments or TCP segments */
    const struct frame *frame; /* the frame that completed it */
    unsigned index_in_frame;   /* 0,1,... for several messages in one TCP segment */
    struct slice data;
    /* Tunnels: src/dst above are the innermost addresses; these are the outermost IP addresses
     * (with the UDP ports for VXLAN and GTP-U) of the frame that completed the payload. */
    uint8_t encap;       /* enum net_encap of the outermost tunnel, NET_E_NONE when none */
    uint8_t encap_depth; /* tunnels crossed, 0 when none */
    struct net_endpoint outer_src;
    struct net_endpoint outer_dst;
};

typedef void (*net_deliver_fn)(void *user, const struct net_payload *pl);

/* Message framing for TCP streams. Given the bytes buffered at a message boundary, returns
 * DIS_OK with *len = length of the first complete message, DIS_SHORT when more bytes are needed
 * (a start was recognised), or DIS_NOT_MINE when the bytes do not start a message. */
typedef enum dis_result (*net_framer_fn)(struct slice buffered, size_t *len);

struct net_limits {
    size_t frag_max_bytes;       /* all fragments held at once (default 16 MiB) */
    unsigned frag_max_datagrams; /* datagrams under reassembly at once (default 4096) */
    uint32_t frag_timeout_ms;    /* a datagram not completed in this time is dropped (30 s) */
    unsigned tcp_max_streams;    /* tracked TCP directions (default 65536) */
    size_t tcp_max_stream_bytes; /* buffered bytes per direction (default 256 KiB) */
    size_t tcp_max_total_bytes;  /* buffered bytes over all streams (default 64 MiB) */
    uint32_t tcp_timeout_ms;     /* idle stream dropped after this (default 300 s) */
    uint16_t vxlan_port;         /* a UDP port decoded as VXLAN besides 4789 (0: none) */
};

struct net_stats {
    uint64_t frames;
    uint64_t non_ip;    /* frames whose link payload is not IP */
    uint64_t bad;       /* malformed link/IP/UDP/TCP headers */
    uint64_t truncated; /* frames cut by the snap length */
    uint64_t ip4, ip6, udp, tcp, other_l4;
    uint64_t frags, frag_datagrams, frag_evicted, frag_timeouts;
    uint64_t tcp_streams, tcp_evicted, tcp_retrans, tcp_ooo, tcp_gaps, tcp_messages;
    uint64_t tunnels;     /* tunnel headers decapsulated */
    uint64_t tunnel_deep; /* frames nesting more than NET_MAX_ENCAP tunnels */
    uint64_t sctp, sctp_data, sctp_reassembled, sctp_evicted; /* packets, DATA chunks, messages */
    uint64_t ws_handshakes, ws_messages; /* SIP WebSocket upgrades seen, messages delivered */
};

struct net_ctx;

/* Creates a context; lim NULL means defaults, framer frames TCP messages. Aborts on OOM. */
struct net_ctx *net_new(const struct net_limits *lim, net_framer_fn framer);
void net_free(struct net_ctx *n);

/* True when net_frame understands this LINKTYPE_* number. */
bool net_linktype_supported(int linktype);
/* A readable name for a LINKTYPE_* number ("EN10MB", "LINUX_SLL2", ...; "unknown" else). */
const char *net_linktype_name(int linktype);

/* Dissects one frame; calls deliver for every UDP payload and every complete TCP message it
 * completes (zero, one or several). Returns DIS_OK, DIS_NOT_MINE (not IP, or not UDP/TCP),
 * DIS_TRUNC or DIS_BAD. Never reads past f->caplen. */
enum dis_result net_frame(struct net_ctx *n, const struct frame *f, net_deliver_fn deliver,
                          void *user);

/* Drops fragments and TCP streams idle since before now_ns - timeout. */
void net_expire(struct net_ctx *n, int64_t now_ns);

const struct net_stats *net_get_stats(const struct net_ctx *n);

/* Writes "a.b.c.d:port" or "[v6]:port" (RFC 5952 form) NUL-terminated into buf; returns length. */
size_t net_endpoint_fmt(const struct net_endpoint *e, char *buf, size_t n);
/* Writes the address alone ("a.b.c.d" or "v6"); returns length. */
size_t net_addr_fmt(const struct net_addr *a, char *buf, size_t n);
/* Parses a textual IPv4/IPv6 address (e.g. from SDP c=); returns true on success. */
bool net_addr_parse(struct slice s, struct net_addr *out);

#endif
