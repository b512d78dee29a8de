/* tunnel_store.h: the message_tunnels table (docs/schema.md): the outermost tunnel and addresses
 * of SIP messages that came out of a tunnel. */
#ifndef SS_TUNNEL_STORE_H
#define SS_TUNNEL_STORE_H

#include <stdint.h>

#include "dissect/net.h"
#include "store/db.h"

struct tunnel_store;

/* Creates the table if needed and prepares the insert; NULL with err on failure. */
struct tunnel_store *tunnel_store_new(struct db *db, char *err, size_t errlen);
/* Records the tunnel of message msg_id when pl came out of one (else does nothing). Returns 0 or
 * -1 (the first error is kept in tunnel_store_error). */
int tunnel_store_message(struct tunnel_store *ts, uint64_t msg_id, const struct net_payload *pl);
/* Writes "tunnel GRE (depth 1): outer 10.0.0.1 -> 10.0.0.2" for message msg_id into buf when it
 * came out of a tunnel; returns 1 then, 0 when it did not (or the table is absent). For the raw
 * view, which shows the outer addresses the ladder leaves out. */
int tunnel_store_describe(struct db *db, int64_t msg_id, char *buf, size_t n);
const char *tunnel_store_error(const struct tunnel_store *ts);
void tunnel_store_free(struct tunnel_store *ts);

#endif
