/* db.h: the history database: opening (created 0600 with parent directories), the versioned
 * schema (docs/schema.md), the raw-message spool beside it, and small shared helpers. */
#ifndef SS_DB_H
#define SS_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define DB_SCHEMA_VERSION 2 /* 2: message_spans instead of the messages(capture, ts_ns) index */

/* messages.flags bits (docs/schema.md). */
enum db_msg_flag {
    DB_MSG_RETRANS = 1,     /* same request/response already seen on this hop */
    DB_MSG_SDP = 2,         /* carries an SDP body */
    DB_MSG_MALFORMED = 4,   /* the parser flagged it (see sip_flags) */
    DB_MSG_TRUNCATED = 8,   /* the capture cut it (snap length) */
    DB_MSG_REASSEMBLED = 16 /* rebuilt from IP fragments or TCP segments */
};

struct db {
    sqlite3 *h;
    char *path;       /* as given (":memory:" allowed) */
    int spool_fd;     /* raw SIP bytes, append-only; -1 until opened */
    char *spool_path; /* NULL for an anonymous spool (":memory:") */
    bool readonly;
};

/* Opens or creates the database at path (":memory:" keeps nothing). Creates the schema, refuses
 * a newer schema version, turns on WAL. Returns NULL with one line "PATH: reason" in err. */
struct db *db_open(const char *path, bool readonly, char *err, size_t errlen);
void db_close(struct db *d);

/* The default path: $SIPSCOPE_DB, else $XDG_DATA_HOME/sipscope/history.db, else
 * ~/.local/share/sipscope/history.db. Writes into buf; returns buf. */
const char *db_default_path(char *buf, size_t n);

/* Opens the spool for appending (created 0600 beside the DB as PATH.spool). 0 or -1 with err. */
int db_spool_open(struct db *d, char *err, size_t errlen);
/* Reads len raw bytes at off from the spool into buf. Returns 0 or -1. */
int db_spool_read(struct db *d, uint64_t off, void *buf, size_t len);

/* Runs SQL without results; returns 0 or -1 with "PATH: message" in err. */
int db_exec(struct db *d, const char *sql, char *err, size_t errlen);

/* Prepares a statement (persistent); on error writes "PATH: message" in err and returns NULL. */
sqlite3_stmt *db_prepare(struct db *d, const char *sql, char *err, size_t errlen);

/* The first row of sql (one `?` bound to id) for an optional table (created only when a feature
 * was used, e.g. message_tunnels, hep_messages): the statement stands on that row, to be
 * finalized by the caller; NULL when there is no row or no such table. */
sqlite3_stmt *db_optional_row(struct db *d, const char *sql, int64_t id);

/* A copy of column i of the current row as text, or NULL when it is NULL (dissect/xalloc.h). */
char *db_col_dup(sqlite3_stmt *st, int i);

/* Deletes a capture and every row that came from it (an interrupted or duplicate import). */
int db_delete_capture(struct db *d, int64_t id, char *err, size_t errlen);

/* Formats an SQLite error for d as "PATH: what: message". */
void db_error(struct db *d, const char *what, char *err, size_t errlen);

#endif
