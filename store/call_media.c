/* call_media.c: the per-call media verdict (call_media.h): both ways / one way / none after the
 * answer, main codec, worst MOS, total loss, from the call's rtp_streams rows. */
#include "store/call_media.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/schema.sql.h"

#define CM_MAX_STREAMS 256 /* streams of one call taken into the verdict; beyond, ignored */

struct call_media {
    struct db *db;
    sqlite3_stmt *read, *ins, *answer;
    struct cm_stream *buf; /* CM_MAX_STREAMS, reused for every call */
};

static const char SQL_READ[] = "SELECT src,dst,codec,packets,expected,lost,last_ns,mos,"
                               "max_jitter_ms FROM rtp_streams WHERE call=? ORDER BY first_ns,id";
static const char SQL_INS[] =
    "INSERT OR REPLACE INTO call_media(call,answer_ns,media,flagged,streams,codec,packets,"
    "expected,lost,mos,max_jitter_ms) VALUES(?,?,?,?,?,?,?,?,?,?,?)";
static const char SQL_ANSWER[] = "SELECT coalesce(answer_ns,0) FROM call_media WHERE call=?";

const char *cm_media_name(enum cm_media m)
{
    switch (m) {
    case CM_BOTH:
        return "both";
    case CM_ONE_WAY:
        return "one-way";
    case CM_NONE:
        return "none";
    default:
        return NULL;
    }
}

/* Length of the address part of "ip:port" / "[v6]:port". */
static size_t ip_len(const char *ep)
{
    const char *colon = strrchr(ep, ':');
    return colon ? (size_t)(colon - ep) : strlen(ep);
}

static bool same_ip(const char *a, const char *b)
{
    size_t n = ip_len(a);
    return n == ip_len(b) && memcmp(a, b, n) == 0;
}

static bool opposite(const struct cm_stream *a, const struct cm_stream *b)
{
    if (!a->src || !a->dst || !b->src || !b->dst)
        return false;
    if (strcmp(a->dst, b->src) == 0 || strcmp(a->src, b->dst) == 0)
        return true;
    return !same_ip(a->src, a->dst) && same_ip(a->src, b->dst) && same_ip(a->dst, b->src);
}

/* Telephone-event and comfort noise say nothing about the voice codec. */
static bool voice_codec(const char *codec)
{
    return codec && strncasecmp(codec, "telephone-event", 15) != 0 &&
           strncasecmp(codec, "CN/", 3) != 0;
}

static void totals(const struct cm_stream *s, size_t n, struct cm_summary *o)
{
    int64_t best = -1;
    for (size_t i = 0; i < n; i++) {
        o->packets += s[i].packets;
        o->expected += s[i].expected;
        o->lost += s[i].lost > 0 ? s[i].lost : 0;
        if (s[i].mos >= 0 && (o->mos < 0 || s[i].mos < o->mos))
            o->mos = s[i].mos;
        if (s[i].packets > 0 && s[i].max_jitter_ms > o->max_jitter_ms)
            o->max_jitter_ms = s[i].max_jitter_ms;
        if (voice_codec(s[i].codec) && s[i].packets > best) {
            best = s[i].packets;
            snprintf(o->codec, sizeof o->codec, "%s", s[i].codec);
        }
    }
}

void cm_summarize(const struct cm_stream *s, size_t n, int64_t answer_ns, struct cm_summary *o)
{
    *o = (struct cm_summary){.media = CM_NOT_ANSWERED, .mos = -1, .max_jitter_ms = -1};
    totals(s, n, o);
    if (answer_ns <= 0)
        return;
    bool both = false;
    for (size_t i = 0; i < n; i++) {
        if (s[i].packets <= 0 || s[i].last_ns < answer_ns)
            continue;
        o->streams++;
        for (size_t j = i + 1; j < n && !both; j++)
            both = s[j].packets > 0 && s[j].last_ns >= answer_ns && opposite(&s[i], &s[j]);
    }
    o->media = o->streams == 0 ? CM_NONE : (both ? CM_BOTH : CM_ONE_WAY);
    o->flagged = o->media != CM_BOTH;
}

int call_media_schema(struct db *db, char *err, size_t errlen)
{
    return db->readonly ? 0 : db_exec(db, SCHEMA_CALL_MEDIA, err, errlen);
}

struct call_media *call_media_new(struct db *db, char *err, size_t errlen)
{
    struct call_media *cm = calloc(1, sizeof *cm);
    if (!cm)
        abort();
    cm->db = db;
    cm->buf = calloc(CM_MAX_STREAMS, sizeof *cm->buf);
    if (!cm->buf)
        abort();
    if (call_media_schema(db, err, errlen) < 0)
        goto fail;
    cm->read = db_prepare(db, SQL_READ, err, errlen);
    cm->ins = cm->read ? db_prepare(db, SQL_INS, err, errlen) : NULL;
    cm->answer = cm->ins ? db_prepare(db, SQL_ANSWER, err, errlen) : NULL;
    if (!cm->answer)
        goto fail;
    return cm;
fail:
    call_media_free(cm);
    return NULL;
}

void call_media_free(struct call_media *cm)
{
    if (!cm)
        return;
    sqlite3_finalize(cm->read);
    sqlite3_finalize(cm->ins);
    sqlite3_finalize(cm->answer);
    free(cm->buf);
    free(cm);
}

static double col_real(sqlite3_stmt *st, int i, double none)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? none : sqlite3_column_double(st, i);
}

/* Reads up to CM_MAX_STREAMS streams of call into s (strings owned: free_streams). */
static int read_streams(struct call_media *cm, int64_t call, struct cm_stream *s, size_t *n)
{
    sqlite3_stmt *st = cm->read;
    sqlite3_bind_int64(st, 1, call);
    *n = 0;
    int rc = sqlite3_step(st);
    for (; rc == SQLITE_ROW && *n < CM_MAX_STREAMS; rc = sqlite3_step(st)) {
        s[*n] = (struct cm_stream){
            .src = db_col_dup(st, 0),
            .dst = db_col_dup(st, 1),
            .codec = db_col_dup(st, 2),
            .packets = sqlite3_column_int64(st, 3),
            .expected = sqlite3_column_int64(st, 4),
            .lost = sqlite3_column_int64(st, 5),
            .last_ns = sqlite3_column_int64(st, 6),
            .mos = col_real(st, 7, -1),
            .max_jitter_ms = col_real(st, 8, -1),
        };
        (*n)++;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static void free_streams(struct cm_stream *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((char *)s[i].src);
        free((char *)s[i].dst);
        free((char *)s[i].codec);
    }
}

static void bind_opt_real(sqlite3_stmt *st, int i, double v)
{
    if (v >= 0)
        sqlite3_bind_double(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

static int write_row(struct call_media *cm, int64_t call, int64_t answer_ns,
                     const struct cm_summary *m)
{
    sqlite3_stmt *st = cm->ins;
    const char *name = cm_media_name(m->media);
    sqlite3_bind_int64(st, 1, call);
    if (answer_ns > 0)
        sqlite3_bind_int64(st, 2, answer_ns);
    else
        sqlite3_bind_null(st, 2);
    if (name)
        sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 3);
    sqlite3_bind_int(st, 4, m->flagged);
    sqlite3_bind_int(st, 5, m->streams);
    if (m->codec[0])
        sqlite3_bind_text(st, 6, m->codec, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 6);
    sqlite3_bind_int64(st, 7, m->packets);
    sqlite3_bind_int64(st, 8, m->expected);
    sqlite3_bind_int64(st, 9, m->lost);
    bind_opt_real(st, 10, m->mos);
    bind_opt_real(st, 11, m->max_jitter_ms);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int call_media_update(struct call_media *cm, int64_t call, int64_t answer_ns)
{
    struct cm_stream *s = cm->buf;
    size_t n = 0;
    int rc = read_streams(cm, call, s, &n);
    if (rc == 0) {
        struct cm_summary m;
        cm_summarize(s, n, answer_ns, &m);
        rc = write_row(cm, call, answer_ns, &m);
    }
    free_streams(s, n);
    return rc;
}

int call_media_set_none(struct call_media *cm, int64_t call, int64_t answer_ns)
{
    struct cm_summary m;
    cm_summarize(NULL, 0, answer_ns, &m);
    return write_row(cm, call, answer_ns, &m);
}

int call_media_refresh(struct call_media *cm, int64_t call)
{
    sqlite3_stmt *st = cm->answer;
    sqlite3_bind_int64(st, 1, call);
    int rc = sqlite3_step(st);
    int64_t answer_ns = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW)
        return -1;
    return call_media_update(cm, call, answer_ns);
}
