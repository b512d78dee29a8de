/* sctp.h: SCTP (RFC 9260) for the network layers: the common header, DATA chunks (RFC 9260 §3.3.1)
 * and I-DATA chunks (RFC 8260 §2.1), several chunks per packet, and the reassembly of fragmented
 * user messages (by TSN for DATA, by MID/FSN for I-DATA), bounded. Private to dissect/. */
#ifndef SS_SCTP_H
#define SS_SCTP_H

#include "dissect/net_priv.h"

#define SCTP_MAX_PARTIAL   1024         /* user messages under reassembly at once */
#define SCTP_MAX_FRAGS     256          /* fragments of one user message */
#define SCTP_MAX_MSG_BYTES (256u << 10) /* bytes of one reassembled user message */
#define SCTP_MAX_CHUNKS    4096         /* chunks walked in one packet */
#define SCTP_TIMEOUT_MS    30000        /* a partial message idle this long is dropped */

struct sctp_table;

/* Creates an empty reassembly table; counters go to *st. Aborts on OOM. */
struct sctp_table *sctp_table_new(struct net_stats *st);
void sctp_table_free(struct sctp_table *t);
/* Drops partial messages idle since before now_ns - SCTP_TIMEOUT_MS. */
void sctp_expire(struct sctp_table *t, int64_t now_ns);

/* Handles one SCTP packet (ip->payload): delivers every complete user message of its DATA and
 * I-DATA chunks as NET_T_SCTP. Returns DIS_OK, DIS_TRUNC or DIS_BAD. */
enum dis_result sctp_input(struct net_ctx *n, struct ip_pkt *ip);

#endif
