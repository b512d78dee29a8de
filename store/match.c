/* match.c: PCRE2 matching of calls' raw SIP messages (spool bytes located by the messages rows). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "store/match.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

struct q_match {
    struct db *db;
    pcre2_code *re;
    pcre2_match_data *md;
    sqlite3_stmt *msgs;
    uint8_t *buf;
    size_t cap;
};

struct q_match *q_match_new(struct db *db, const char *pattern, char *err, size_t errlen)
{
    int code;
    PCRE2_SIZE off;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &code, &off, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof msg);
        snprintf(err, errlen, "bad regular expression '%s': %s at offset %zu", pattern,
                 (const char *)msg, (size_t)off);
        return NULL;
    }
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* falls back to the interpreter if absent */
    struct q_match *m = calloc(1, sizeof *m);
    if (!m)
        abort();
    m->db = db;
    m->re = re;
    m->md = pcre2_match_data_create_from_pattern(re, NULL);
    m->msgs = db_prepare(db, "SELECT raw_off, raw_len FROM messages WHERE call=? ORDER BY id", err,
                         errlen);
    if (!m->md || !m->msgs) {
        q_match_free(m);
        return NULL;
    }
    return m;
}

static bool match_one(struct q_match *m, int64_t off, size_t len, bool *failed)
{
    if (len > m->cap) {
        m->cap = len;
        m->buf = realloc(m->buf, len);
        if (!m->buf)
            abort();
    }
    if (db_spool_read(m->db, (uint64_t)off, m->buf, len) < 0) {
        *failed = true;
        return false;
    }
    int rc = pcre2_match(m->re, m->buf, len, 0, 0, m->md, NULL);
    return rc >= 0;
}

bool q_match_call(struct q_match *m, int64_t call, bool *failed)
{
    bool hit = false;
    sqlite3_bind_int64(m->msgs, 1, call);
    while (!hit && sqlite3_step(m->msgs) == SQLITE_ROW) {
        int64_t off = sqlite3_column_int64(m->msgs, 0);
        int64_t len = sqlite3_column_int64(m->msgs, 1);
        if (len > 0)
            hit = match_one(m, off, (size_t)len, failed);
    }
    sqlite3_reset(m->msgs);
    return hit;
}

void q_match_free(struct q_match *m)
{
    if (!m)
        return;
    pcre2_code_free(m->re);
    pcre2_match_data_free(m->md);
    sqlite3_finalize(m->msgs);
    free(m->buf);
    free(m);
}
