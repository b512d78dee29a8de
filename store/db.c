/* db.c: opens the history database (0600, parent dirs), applies the versioned schema, WAL, and
 * manages the append-only spool of raw SIP bytes beside it. */
#include "store/db.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dissect/xalloc.h"
#include "store/schema.sql.h"

char *db_col_dup(sqlite3_stmt *st, int i)
{
    return xstrdup((const char *)sqlite3_column_text(st, i));
}

/* sqlite3_db_mutex is NULL (entering it a no-op) except on a shared ":memory:" connection,
 * where the other thread's next call could rewrite the message while it is copied. */
void db_error(struct db *d, const char *what, char *err, size_t errlen)
{
    sqlite3_mutex *mx = sqlite3_db_mutex(d->h);
    sqlite3_mutex_enter(mx);
    snprintf(err, errlen, "%s: %s: %s", d->path, what, sqlite3_errmsg(d->h));
    sqlite3_mutex_leave(mx);
}

int db_exec(struct db *d, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;
    if (sqlite3_exec(d->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", d->path, msg ? msg : "database error");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

sqlite3_stmt *db_prepare(struct db *d, const char *sql, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    sqlite3_mutex *mx = sqlite3_db_mutex(d->h); /* the error read is that prepare's (db_error) */
    sqlite3_mutex_enter(mx);
    if (sqlite3_prepare_v3(d->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
        db_error(d, "prepare", err, errlen); /* the mutex is recursive */
    sqlite3_mutex_leave(mx);
    return st;
}

sqlite3_stmt *db_optional_row(struct db *d, const char *sql, int64_t id)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(d->h, sql, -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return NULL; /* no such table: the feature was never used on this database */
    }
    sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

const char *db_default_path(char *buf, size_t n)
{
    const char *env = getenv("SIPSCOPE_DB");
    if (env && *env) {
        snprintf(buf, n, "%s", env);
        return buf;
    }
    const char *xdg = getenv("XDG_DATA_HOME");
    if (xdg && *xdg) {
        snprintf(buf, n, "%s/sipscope/history.db", xdg);
        return buf;
    }
    const char *home = getenv("HOME");
    snprintf(buf, n, "%s/.local/share/sipscope/history.db", home && *home ? home : ".");
    return buf;
}

/* mkdir -p of the directory part of path, mode 0700 for what it creates. */
static int make_parents(const char *path, char *err, size_t errlen)
{
    char *dup = strdup(path);
    if (!dup)
        abort();
    for (char *p = dup + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dup, 0700) < 0 && errno != EEXIST) {
            snprintf(err, errlen, "%s: cannot create directory %s: %s", path, dup, strerror(errno));
            free(dup);
            return -1;
        }
        *p = '/';
    }
    free(dup);
    return 0;
}

/* Creates the file 0600 when absent so SQLite does not create it with the umask's mode. */
static int create_private(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    close(fd);
    return 0;
}

static int check_schema(struct db *d, char *err, size_t errlen)
{
    sqlite3_stmt *st = db_prepare(d, "PRAGMA user_version", err, errlen);
    if (!st)
        return -1;
    int ver = 0;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        ver = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW) {
        db_error(d, "not a sipscope database", err, errlen);
        return -1;
    }
    if (ver > DB_SCHEMA_VERSION) {
        snprintf(err, errlen,
                 "%s: database schema version %d is newer than this sipscope understands (%d)",
                 d->path, ver, DB_SCHEMA_VERSION);
        return -1;
    }
    if (ver == DB_SCHEMA_VERSION || d->readonly)
        return 0;
    /* a new file (0) gets the schema; a version-1 history also its message spans */
    if (db_exec(d, "BEGIN", err, errlen) < 0 || db_exec(d, SCHEMA_V1, err, errlen) < 0 ||
        db_exec(d, SCHEMA_MIGRATE_V2, err, errlen) < 0 ||
        db_exec(d, "PRAGMA user_version=2; COMMIT", err, errlen) < 0) {
        sqlite3_exec(d->h, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}

static int configure(struct db *d, char *err, size_t errlen)
{
    sqlite3_busy_timeout(d->h, 5000);
    sqlite3_extended_result_codes(d->h, 1);
    if (strcmp(d->path, ":memory:") == 0)
        return db_exec(d, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF", err, errlen);
    if (d->readonly)
        return 0;
    /* A checkpoint every 10,000 WAL pages (40 MiB), not SQLite's 1,000: each costs two
     * fdatasync (WAL, then database), which were 1.2 s of a 200k-call import's 8 s of wall time
     * spent waiting; -6% wall, -4% CPU (BENCHMARKS.md), the same memory. */
    return db_exec(d,
                   "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                   "PRAGMA cache_size=-16384; PRAGMA temp_store=MEMORY;"
                   "PRAGMA wal_autocheckpoint=10000",
                   err, errlen);
}

struct db *db_open(const char *path, bool readonly, char *err, size_t errlen)
{
    struct db *d = calloc(1, sizeof *d);
    if (!d)
        abort();
    d->path = strdup(path);
    d->spool_fd = -1;
    d->readonly = readonly;
    bool mem = strcmp(path, ":memory:") == 0;
    if (!mem && !readonly &&
        (make_parents(path, err, errlen) < 0 || create_private(path, err, errlen) < 0))
        goto fail;
    /* No allocation statistics: they cost a global mutex per sqlite3_malloc/free (about 4% of
     * an import's instructions) and nothing reads them. Only effective before SQLite's first
     * initialisation (later calls return SQLITE_MISUSE and change nothing). */
    static bool configured;
    if (!configured) {
        configured = true;
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    }
    int flags = readonly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    /* A file has one connection per thread (the UI opens its own, read-only): no mutex. A
     * ":memory:" database exists only in its connection, which the live UI's store thread and UI
     * thread then share: serialized, so SQLite locks it per call (docs/architecture.md). */
    flags |= mem ? SQLITE_OPEN_FULLMUTEX : SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &d->h, flags, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: cannot open database: %s", path,
                 d->h ? sqlite3_errmsg(d->h) : "out of memory");
        goto fail;
    }
    if (configure(d, err, errlen) < 0 || check_schema(d, err, errlen) < 0)
        goto fail;
    if (!mem) {
        size_t n = strlen(path) + 8;
        d->spool_path = malloc(n);
        if (!d->spool_path)
            abort();
        snprintf(d->spool_path, n, "%s.spool", path);
    }
    return d;
fail:
    db_close(d);
    return NULL;
}

int db_spool_open(struct db *d, char *err, size_t errlen)
{
    if (d->spool_fd >= 0)
        return 0;
    if (!d->spool_path) {
        char tmpl[] = "/tmp/sipscope-spool-XXXXXX";
        d->spool_fd = mkstemp(tmpl);
        if (d->spool_fd >= 0)
            unlink(tmpl);
    } else {
        int fl = d->readonly ? O_RDONLY : (O_RDWR | O_CREAT | O_APPEND);
        d->spool_fd = open(d->spool_path, fl | O_CLOEXEC, 0600);
    }
    if (d->spool_fd < 0) {
        snprintf(err, errlen, "%s: %s", d->spool_path ? d->spool_path : "spool", strerror(errno));
        return -1;
    }
    return 0;
}

int db_spool_read(struct db *d, uint64_t off, void *buf, size_t len)
{
    char err[256];
    if (db_spool_open(d, err, sizeof err) < 0)
        return -1;
    size_t got = 0;
    while (got < len) {
        ssize_t n = pread(d->spool_fd, (char *)buf + got, len - got, (off_t)(off + got));
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    return 0;
}

void db_close(struct db *d)
{
    if (!d)
        return;
    if (d->h)
        sqlite3_close_v2(d->h);
    if (d->spool_fd >= 0)
        close(d->spool_fd);
    free(d->spool_path);
    free(d->path);
    free(d);
}

int db_delete_capture(struct db *d, int64_t id, char *err, size_t errlen)
{
    char sql[1024];
    snprintf(
        sql, sizeof sql,
        "BEGIN;"
        "CREATE TEMP TABLE IF NOT EXISTS doomed(id INTEGER PRIMARY KEY);"
        "DELETE FROM temp.doomed;"
        "INSERT INTO temp.doomed SELECT m.id FROM message_spans s CROSS JOIN messages m"
        " ON m.id BETWEEN s.first_id AND s.last_id WHERE s.capture=%1$lld AND m.capture=%1$lld;"
        "DELETE FROM sdp_media WHERE message IN temp.doomed;"
        "DELETE FROM messages WHERE id IN temp.doomed;"
        "DELETE FROM message_spans WHERE capture=%1$lld;"
        "DELETE FROM calls WHERE capture=%1$lld;"
        "DELETE FROM captures WHERE id=%1$lld;"
        "DELETE FROM temp.doomed;"
        "COMMIT",
        (long long)id);
    if (db_exec(d, sql, err, errlen) < 0) {
        sqlite3_exec(d->h, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}
