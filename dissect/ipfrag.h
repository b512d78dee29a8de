/* ipfrag.h: IPv4 and IPv6 fragment reassembly (RFC 791 §3.2, RFC 8200 §4.5), bounded in time,
 * datagram count and bytes. */
#ifndef SS_IPFRAG_H
#define SS_IPFRAG_H

#include "dissect/net_priv.h"

#define IPFRAG_MAX_DGRAM 65535u /* largest reassembled payload (16-bit length fields) */
#define IPFRAG_MAX_SPANS 32     /* disjoint received ranges per datagram; more drops it */

struct ipfrag;

/* Creates a reassembly table bounded by lim (frag_* fields); counters go to *st. Aborts on OOM. */
struct ipfrag *ipfrag_new(const struct net_limits *lim, struct net_stats *st);
/* Frees the table and every datagram under reassembly. */
void ipfrag_free(struct ipfrag *t);

/* Adds the fragment *ip (is_frag set, not truncated) seen at now_ns. Returns true when it
 * completed its datagram: *ip then describes the whole datagram (reassembled set, is_frag
 * cleared, proto from the first fragment); its payload belongs to t and stays valid until the
 * next call on t. Returns false otherwise (kept, or dropped and counted). */
bool ipfrag_add(struct ipfrag *t, struct ip_pkt *ip, int64_t now_ns);

/* Drops datagrams whose first fragment is older than now_ns - frag_timeout_ms. */
void ipfrag_expire(struct ipfrag *t, int64_t now_ns);

#endif
