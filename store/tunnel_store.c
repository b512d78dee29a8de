/* tunnel_store.c: writes message_tunnels rows (store/schema.sql.h SCHEMA_MESSAGE_TUNNELS): the
 * outermost tunnel kind, nesting depth and outer endpoints of a tunnelled SIP message. */
#include "store/tunnel_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* An outer endpoint as stored, without the ":0" of a tunnel that has no ports (GRE, IP-in-IP). */
static const char *no_zero_port(const unsigned char *ep, char *buf, size_t n)
{
    if (!ep)
        return "?";
    snprintf(buf, n, "%s", (const char *)ep);
    size_t len = strlen(buf);
    if (len > 2 && strcmp(buf + len - 2, ":0") == 0) {
        len -= 2;
        buf[len] = '\0';
        if (buf[0] == '[' && len > 2 && buf[len - 1] == ']') { /* "[v6]" -> "v6" */
            memmove(buf, buf + 1, len - 2);
            buf[len - 2] = '\0';
        }
    }
    return buf;
}

int tunnel_store_describe(struct db *db, int64_t msg_id, char *buf, size_t n)
{
    sqlite3_stmt *st = db_optional_row(db,
                                       "SELECT encap, depth, outer_src, outer_dst"
                                       " FROM message_tunnels WHERE message = ?",
                                       msg_id);
    if (!st)
        return 0;
    const unsigned char *e = sqlite3_column_text(st, 0);
    char s[TS_ADDR_MAX], d[TS_ADDR_MAX];
    snprintf(buf, n, "tunnel %s (depth %d): outer %s -> %s", e ? (const char *)e : "?",
             sqlite3_column_int(st, 1), no_zero_port(sqlite3_column_text(st, 2), s, sizeof s),
             no_zero_port(sqlite3_column_text(st, 3), d, sizeof d));
    sqlite3_finalize(st);
    return 1;
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
