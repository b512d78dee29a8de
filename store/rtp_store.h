/* rtp_store.h: `--store-rtp`: the RTP and RTCP packets of calls kept for per-call pcaps. The
 * packet bytes (UDP payloads) go to the raw spool through the writer; the rtp_packets table
 * (created only when asked, docs/schema.md) indexes them per call in capture order. */
#ifndef SS_RTP_STORE_H
#define SS_RTP_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "dissect/net.h"
#include "store/db.h"

struct writer;
struct rtp_store;

/* Creates the rtp_packets table when missing and drops rows of calls at or above first_call_id
 * (left by an interrupted import). NULL with err on failure. */
struct rtp_store *rtp_store_new(struct db *db, struct writer *w, uint64_t first_call_id, char *err,
                                size_t errlen);
void rtp_store_free(struct rtp_store *rs);
/* Keeps one RTP (kind 0) or RTCP (kind 1) UDP payload of call. Returns 0 or -1 (error kept). */
int rtp_store_packet(struct rtp_store *rs, uint64_t call, int kind, const struct net_payload *pl);
/* The first storage error, or NULL. */
const char *rtp_store_error(const struct rtp_store *rs);

/* One kept packet as read back: addresses as "ip:port" / "[v6]:port", the UDP payload. */
struct rtp_pkt {
    int64_t ts_ns;
    int kind;
    char src[64], dst[64];
    uint8_t *data;
    size_t len;
};

/* The kept packets of the given calls in capture order (none when the table does not exist).
 * *v is malloc'd (free with rtp_store_pkts_free). Returns 0, or -1 with err. */
int rtp_store_load(struct db *db, const int64_t *calls, size_t ncalls, struct rtp_pkt **v,
                   size_t *n, char *err, size_t errlen);
void rtp_store_pkts_free(struct rtp_pkt *v, size_t n);

#endif
