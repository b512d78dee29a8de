/* tunnel_store.c: writes message_tunnels rows (store/schema.sql.h SCHEMA_MESSAGE_TUNNELS): the
 * outermost tunnel kind, nesting depth and outer endpoints of a tunnelled SIP message. */
#include "store/tunnel_store.h"

#include <stdio.h>
#include <stdlib.h>

#include "store/schema.sql.h"

#define TS_ADDR_MAX 64

struct tunnel_store {
    struct db *db;
    sqlite3_stmt *ins;
    char err[256];
};

static const char SQL_INS[] =
    "INSERT OR REPLACE INTO message_tunnels(message,encap,depth,outer_src,"
    "outer_dst) VALUES(?,?,?,?,?)";

struct tunnel_store *tunnel_store_new(struct db *db, char *err, size_t errlen)
{
    struct tunnel_store *ts = calloc(1, sizeof *ts);
    if (!ts)
        abort();
    ts->db = db;
    if (db_exec(db, SCHEMA_MESSAGE_TUNNELS, err, errlen) < 0)
        goto fail;
    ts->ins = db_prepare(db, SQL_INS, err, errlen);
    if (!ts->ins)
        goto fail;
    return ts;
fail:
    tunnel_store_free(ts);
    return NULL;
}

int tunnel_store_message(struct tunnel_store *ts, uint64_t msg_id, const struct net_payload *pl)
{
    if (pl->encap_depth == 0 || msg_id == 0)
        return 0;
    char src[TS_ADDR_MAX], dst[TS_ADDR_MAX];
    net_endpoint_fmt(&pl->outer_src, src, sizeof src);
    net_endpoint_fmt(&pl->outer_dst, dst, sizeof dst);
    sqlite3_stmt *st = ts->ins;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)msg_id);
    sqlite3_bind_text(st, 2, net_encap_name(pl->encap), -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, pl->encap_depth);
    sqlite3_bind_text(st, 4, src, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, dst, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        if (!ts->err[0])
            db_error(ts->db, "message_tunnels insert", ts->err, sizeof ts->err);
        return -1;
    }
    return 0;
}

const char *tunnel_store_error(const struct tunnel_store *ts)
{
    return ts->err[0] ? ts->err : NULL;
}

void tunnel_store_free(struct tunnel_store *ts)
{
    if (!ts)
        return;
    sqlite3_finalize(ts->ins);
    free(ts);
}
