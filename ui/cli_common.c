/* cli_common.c: option matching, error lines, opening the database, and importing -r files
 * (idempotent: a file already imported, by content hash, is not imported again). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/hash.h"
#include "capture/reader.h"
#include "dissect/net.h"
#include "store/call_media.h"
#include "store/ingest.h"
#include "ui/cli.h"

#define QUICK_BYTES 65536

int cli_usage_error(const struct cli *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "sipscope%s%s: ", c->cmd ? " " : "", c->cmd ? c->cmd : "");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return EXIT_USAGE;
}

int cli_runtime_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("sipscope: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return EXIT_RUNTIME;
}

int cli_opt(struct cli *c, int argc, char **argv, int *i, const char *name, bool has_value,
            const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0)
        return 0;
    if (a[n] == '\0') {
        if (!has_value)
            return 1;
        if (*i + 1 >= argc) {
            cli_usage_error(c, "option %s needs a value", name);
            return -1;
        }
        *value = argv[++*i];
        return 1;
    }
    if (has_value && a[n] == '=' && name[1] == '-') {
        *value = a + n + 1;
        return 1;
    }
    return 0;
}

int cli_open_db(struct cli *c)
{
    if (c->db)
        return 0;
    const char *path = c->db_path ? c->db_path : db_default_path(c->db_buf, sizeof c->db_buf);
    char err[1024];
    c->db = db_open(path, false, err, sizeof err);
    if (!c->db)
        return cli_runtime_error("%s", err);
    if (call_media_schema(c->db, err, sizeof err) < 0) /* a file older than call_media */
        return cli_runtime_error("%s", err);
    return 0;
}

/* Hash of the first QUICK_BYTES and the size: finds candidate duplicates without a full read. */
static int quick_hash(const char *path, char out[33])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    unsigned char *buf = malloc(QUICK_BYTES);
    if (!buf)
        abort();
    size_t n = fread(buf, 1, QUICK_BYTES, f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    struct chash h;
    chash_init(&h);
    chash_update(&h, buf, n);
    chash_update(&h, &size, sizeof size);
    free(buf);
    chash_hex(&h, out);
    return 0;
}

/* True when path starts with the gzip magic bytes. */
static bool is_gzip(const char *path)
{
    unsigned char m[2] = {0, 0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t n = fread(m, 1, 2, f);
    fclose(f);
    return n == 2 && m[0] == 0x1f && m[1] == 0x8b;
}

/* The id of a complete capture with this full content hash, or 0. */
static int64_t capture_by_hash(struct cli *c, const char *hash)
{
    sqlite3_stmt *st = NULL;
    const char *sql = "SELECT id FROM captures WHERE hash=? AND complete=1 ORDER BY id LIMIT 1";
    if (sqlite3_prepare_v2(c->db->h, sql, -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    int64_t id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return id;
}

/* Looks for an earlier import of path: returns its id (complete) or 0, and deletes interrupted
 * imports of the same file. A plain file is found through its quick key, then confirmed by the
 * full hash; a gzip file by the full hash of its decompressed bytes (the same content as an
 * uncompressed copy). -1 on error. */
static int64_t find_previous(struct cli *c, const char *path, const char *quick)
{
    sqlite3_stmt *st = NULL;
    char err[1024], full[33] = "";
    int64_t found = 0, stale[16];
    int nstale = 0;
    if (is_gzip(path) && cap_hash_file(path, full, err, sizeof err) == 0)
        found = capture_by_hash(c, full);
    const char *sql = "SELECT id,hash,complete FROM captures WHERE quick=?";
    if (sqlite3_prepare_v2(c->db->h, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, quick, -1, SQLITE_STATIC);
    while (!found && sqlite3_step(st) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        const char *h = (const char *)sqlite3_column_text(st, 1);
        if (sqlite3_column_int(st, 2) != 1) {
            if (nstale < 16)
                stale[nstale++] = id;
            continue;
        }
        if (!full[0] && cap_hash_file(path, full, err, sizeof err) < 0)
            break;
        if (h && strcmp(h, full) == 0)
            found = id;
    }
    sqlite3_finalize(st);
    for (int i = 0; i < nstale && !found; i++) {
        if (db_delete_capture(c->db, stale[i], err, sizeof err) < 0) {
            cli_runtime_error("%s", err);
            return -1;
        }
    }
    return found;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void progress(const struct cli *c, struct cap_reader *r, const char *path, double *last)
{
    double t = now_s();
    if (t - *last < 0.2)
        return;
    *last = t;
    uint64_t size = cap_file_size(r);
    if (size)
        fprintf(stderr, "\r%s: %3.0f%%", path, 100.0 * (double)cap_bytes_read(r) / (double)size);
    else
        fprintf(stderr, "\r%s: %llu MB", path, (unsigned long long)(cap_bytes_read(r) >> 20));
    (void)c;
}

/* Reads every frame of r into in. Returns 1 at a clean end, 2 after a read error (printed). */
static int read_all(const struct cli *c, struct cap_reader *r, struct ingest *in, const char *path)
{
    bool tty = !c->quiet && isatty(STDERR_FILENO);
    double last = now_s();
    struct frame f;
    char err[1024];
    int rc;
    unsigned n = 0;
    while ((rc = cap_next(r, &f, err, sizeof err)) == 1) {
        ingest_frame(in, &f);
        if (tty && (++n & 0xFFF) == 0)
            progress(c, r, path, &last);
        if ((n & 0xFFF) == 0 && ingest_error(in))
            break;
    }
    if (tty)
        fprintf(stderr, "\r\033[K");
    if (rc < 0) {
        cli_runtime_error("%s", err);
        return 2;
    }
    return 1;
}

/* stdin cannot be hashed before reading: drop the new copy if the same content was there. */
static int dedupe_stdin(struct cli *c, const char *hash, int64_t *id)
{
    int64_t prev = capture_by_hash(c, hash);
    char err[1024];
    if (prev && prev != *id) {
        if (db_delete_capture(c->db, *id, err, sizeof err) < 0) {
            cli_runtime_error("%s", err);
            return -1;
        }
        *id = prev;
    }
    return 0;
}

static int import_one(struct cli *c, struct ingest *in, const char *path, bool summary, int64_t *id)
{
    char err[1024], quick[33] = "";
    bool is_stdin = strcmp(path, "-") == 0;
    if (!is_stdin && quick_hash(path, quick) == 0) {
        int64_t prev = find_previous(c, path, quick);
        if (prev < 0)
            return EXIT_RUNTIME;
        if (prev > 0) {
            *id = prev;
            if (!c->quiet && summary)
                printf("already imported %s (capture %lld): nothing added\n", path,
                       (long long)prev);
            return 0;
        }
    }
    struct cap_reader *r = cap_open(path, 0, err, sizeof err);
    if (!r)
        return cli_runtime_error("%s", err);
    int lt = cap_linktype(r);
    if (!net_linktype_supported(lt)) {
        cap_close(r);
        return cli_runtime_error("%s: unsupported link type %d (%s)", path, lt,
                                 net_linktype_name(lt));
    }
    if (ingest_capture_begin(in, path, quick[0] ? quick : NULL, lt, err, sizeof err) < 0) {
        cap_close(r);
        return cli_runtime_error("%s", err);
    }
    double t0 = now_s();
    int complete = read_all(c, r, in, path);
    char hash[33];
    cap_hash_hex(r, hash);
    uint64_t size = cap_bytes_read(r);
    cap_close(r);
    if (ingest_error(in))
        return cli_runtime_error("%s", ingest_error(in));
    if (ingest_capture_end(in, complete, hash, size, err, sizeof err) < 0)
        return cli_runtime_error("%s", err);
    const struct ingest_stats *s = ingest_get_stats(in);
    double dt = now_s() - t0;
    *id = ingest_capture_id(in);
    if (is_stdin && dedupe_stdin(c, hash, id) < 0)
        return EXIT_RUNTIME;
    if (!c->quiet && summary)
        printf("imported %s: %llu packets, %llu sip messages, %llu calls, %llu rtp streams "
               "in %.2f s (%.0f pkt/s)\n",
               path, (unsigned long long)s->packets, (unsigned long long)s->sip_messages,
               (unsigned long long)s->calls, (unsigned long long)s->rtp_streams, dt,
               dt > 0 ? (double)s->packets / dt : 0.0);
    if (!c->quiet && summary && (s->frag_evicted || s->tcp_evicted || s->calls_evicted))
        printf("evicted at memory limits: %llu fragmented datagrams and %llu tcp streams dropped, "
               "%llu calls written and freed\n",
               (unsigned long long)s->frag_evicted, (unsigned long long)s->tcp_evicted,
               (unsigned long long)s->calls_evicted);
    return complete == 1 ? 0 : EXIT_RUNTIME;
}

int cli_import_files(struct cli *c, const char *const *files, int nfiles, bool summary)
{
    int rc = cli_open_db(c);
    if (rc != 0)
        return rc;
    char err[1024];
    struct ingest *in = ingest_new(c->db, err, sizeof err);
    if (!in)
        return cli_runtime_error("%s", err);
    ingest_set_vxlan_port(in, c->vxlan_port);
    if ((c->store_rtp && ingest_store_rtp(in, err, sizeof err) < 0) ||
        (c->rtp_heuristic && ingest_rtp_heuristic(in, err, sizeof err) < 0)) {
        ingest_free(in, NULL, 0);
        return cli_runtime_error("%s", err);
    }
    int result = 0;
    for (int i = 0; i < nfiles; i++) {
        int64_t id = 0;
        rc = import_one(c, in, files[i], summary, &id);
        if (id > 0 && c->ncaptures < CLI_MAX_FILES)
            c->captures[c->ncaptures++] = id;
        if (rc != 0)
            result = rc;
    }
    if (ingest_free(in, err, sizeof err) < 0 && result == 0)
        result = cli_runtime_error("%s", err);
    return result;
}
