/* writer.c: batched inserts of captures, calls, messages and SDP media (one transaction per
 * WRITER_BATCH rows, statements prepared once), raw bytes appended to the spool. Message rows are
 * held until WRITER_MSG_ROWS of them go in one multi-row INSERT (a statement's fixed cost, a third
 * of a row's, is then paid once per group); their ids are assigned here, counting on from the
 * max(id) read when the writer starts (it is the history's only writer: the spool lock), so
 * callers get a message's id at once and rows it keys (SDP media, tunnels, HEP agents) need not
 * wait. */
#include "store/writer.h"

#include "store/stats.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#define SPOOL_BUF (1u << 20)

enum pm_text { PM_SRC, PM_DST, PM_METHOD, PM_REASON, PM_CSEQ_METHOD, PM_UA, PM_NTEXT };
#define MSG_COLS    18 /* parameters of one message row */
#define EP_TEXT_MAX 64 /* "[v6]:port" fits */

/* A message row waiting for its group's INSERT; its text is in the writer's arena. */
struct pend_msg {
    int64_t id, call, capture, frame, ts_ns, cseq, raw_off, raw_len;
    unsigned idx, status, flags;
    int transport;
    uint32_t off[PM_NTEXT], len[PM_NTEXT]; /* enum pm_text; len 0 binds NULL */
};

struct writer {
    struct db *db;
    sqlite3_stmt *ins_msgs; /* WRITER_MSG_ROWS rows */
    struct pend_msg pend[WRITER_MSG_ROWS];
    unsigned npend;
    char *arena; /* text of the held rows */
    size_t alen, acap;
    int64_t next_msg_id;
    /* the open message_spans row: ids first..last of this capture, times lo..hi (n = 0: none) */
    struct {
        int64_t first, last, lo, hi;
        unsigned n;
    } span;
    sqlite3_stmt *put_span;
    sqlite3_stmt *ins_msg, *ins_call, *ins_sdp, *ins_cap, *end_cap, *get_call;
    sqlite3_stmt *new_call; /* plain INSERT: the usual case, cheaper than INSERT OR REPLACE */
    int64_t capture;
    struct st_tally *tally; /* the capture's message counts (capture_stats) */
    unsigned pending;
    bool in_txn;
    uint8_t *sbuf;
    size_t slen;
    uint64_t spool_end; /* offset of the next byte appended */
    char err[512];
};

#define SQL_MSG_HEAD                                                                               \
    "INSERT INTO messages(id,call,capture,frame,idx,ts_ns,src,dst,transport,method,status,"        \
    "reason,cseq,cseq_method,flags,raw_off,raw_len,ua) VALUES"
#define SQL_MSG_ROW "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
static const char SQL_MSG[] = SQL_MSG_HEAD SQL_MSG_ROW;
static const char SQL_MAX_MSG[] = "SELECT coalesce(max(id), 0) + 1 FROM messages";
static const char SQL_SPAN[] = "INSERT OR REPLACE INTO message_spans VALUES(?,?,?,?,?)";
static const char SQL_CALL[] =
    "INSERT OR REPLACE INTO calls(id,capture,call_id,method,from_uri,to_uri,src,dst,transport,"
    "start_ns,end_ns,messages,final_status,state,init_cseq,invite_ns,ring_ns,answer_ns,bye_ns,"
    "cancel_seen,rtp_streams) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
static const char SQL_NEW_CALL[] =
    "INSERT INTO calls(id,capture,call_id,method,from_uri,to_uri,src,dst,transport,"
    "start_ns,end_ns,messages,final_status,state,init_cseq,invite_ns,ring_ns,answer_ns,bye_ns,"
    "cancel_seen,rtp_streams) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
static const char SQL_SDP[] =
    "INSERT INTO sdp_media(message,idx,media,addr,port,proto,formats,direction,rtcp_port)"
    " VALUES(?,?,?,?,?,?,?,?,?)";
static const char SQL_CAP[] =
    "INSERT INTO captures(name,quick,linktype,started_at,complete) VALUES(?,?,?,?,0)";
static const char SQL_END_CAP[] =
    "UPDATE captures SET hash=?1,size=?2,packets=?3,sip_messages=?4,calls=?5,first_ns=?6,"
    "last_ns=?7,complete=?9 WHERE id=?8";
static const char SQL_GET_CALL[] =
    "SELECT id,method,from_uri,to_uri,src,dst,transport,start_ns,end_ns,messages,final_status,"
    "state,init_cseq,invite_ns,ring_ns,answer_ns,bye_ns,cancel_seen,rtp_streams FROM calls"
    " WHERE call_id=? AND capture>=? ORDER BY id DESC LIMIT 1";

static bool failed(const struct writer *w)
{
    return w->err[0] != '\0';
}

static void fail_db(struct writer *w, const char *what)
{
    if (!failed(w))
        db_error(w->db, what, w->err, sizeof w->err);
}

struct writer *writer_new(struct db *db, char *err, size_t errlen)
{
    struct writer *w = calloc(1, sizeof *w);
    w->sbuf = malloc(SPOOL_BUF);
    if (!w || !w->sbuf)
        abort();
    w->db = db;
    w->tally = st_tally_new();
    if (db_spool_open(db, err, errlen) < 0)
        goto fail;
    /* One writer per history: ids of calls, streams and messages are taken from the history when
     * a writer starts or begins a transaction and the spool offsets are kept here, so a second
     * writing process (an import during a live capture into the same file) would reuse ids and
     * misplace raw bytes. The lock goes with the descriptor: at exit, or kill -9. */
    if (flock(db->spool_fd, LOCK_EX | LOCK_NB) < 0) {
        if (errno == EWOULDBLOCK)
            snprintf(err, errlen,
                     "%s: another sipscope is writing this history (import, capture or listen); "
                     "wait for it to end, or give this one another --db",
                     db->path);
        else
            snprintf(err, errlen, "%s: cannot lock the spool: %s", db->path, strerror(errno));
        goto fail;
    }
    off_t end = lseek(db->spool_fd, 0, SEEK_END);
    w->spool_end = end > 0 ? (uint64_t)end : 0;
    w->ins_msg = db_prepare(db, SQL_MSG, err, errlen);
    w->ins_call = w->ins_msg ? db_prepare(db, SQL_CALL, err, errlen) : NULL;
    w->ins_sdp = w->ins_call ? db_prepare(db, SQL_SDP, err, errlen) : NULL;
    w->ins_cap = w->ins_sdp ? db_prepare(db, SQL_CAP, err, errlen) : NULL;
    w->end_cap = w->ins_cap ? db_prepare(db, SQL_END_CAP, err, errlen) : NULL;
    w->get_call = w->end_cap ? db_prepare(db, SQL_GET_CALL, err, errlen) : NULL;
    w->new_call = w->get_call ? db_prepare(db, SQL_NEW_CALL, err, errlen) : NULL;
    w->put_span = w->new_call ? db_prepare(db, SQL_SPAN, err, errlen) : NULL;
    sqlite3_stmt *max_msg = w->put_span ? db_prepare(db, SQL_MAX_MSG, err, errlen) : NULL;
    if (!max_msg)
        goto fail;
    int rc = sqlite3_step(max_msg);
    w->next_msg_id = rc == SQLITE_ROW ? sqlite3_column_int64(max_msg, 0) : 0;
    sqlite3_finalize(max_msg);
    if (rc != SQLITE_ROW) {
        db_error(db, "next message id", err, errlen);
        goto fail;
    }
    char sql[sizeof SQL_MSG_HEAD + WRITER_MSG_ROWS * sizeof SQL_MSG_ROW];
    size_t n = (size_t)snprintf(sql, sizeof sql, "%s", SQL_MSG_HEAD);
    for (unsigned i = 0; i < WRITER_MSG_ROWS; i++)
        n += (size_t)snprintf(sql + n, sizeof sql - n, "%s" SQL_MSG_ROW, i ? "," : "");
    w->ins_msgs = db_prepare(db, sql, err, errlen);
    if (!w->ins_msgs)
        goto fail;
    return w;
fail:
    writer_free(w, NULL, 0);
    return NULL;
}

static int spool_flush(struct writer *w)
{
    size_t done = 0;
    while (done < w->slen) {
        ssize_t n = write(w->db->spool_fd, w->sbuf + done, w->slen - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (!failed(w))
                snprintf(w->err, sizeof w->err, "%s: cannot write: %s",
                         w->db->spool_path ? w->db->spool_path : "spool",
                         strerror(n < 0 ? errno : ENOSPC));
            return -1;
        }
        done += (size_t)n;
    }
    w->slen = 0;
    return 0;
}

/* Appends raw bytes to the spool; returns their offset. */
static uint64_t spool_append(struct writer *w, struct slice raw)
{
    uint64_t off = w->spool_end;
    if (raw.len > SPOOL_BUF - w->slen && spool_flush(w) < 0)
        return off;
    if (raw.len > SPOOL_BUF) {
        ssize_t n = write(w->db->spool_fd, raw.p, raw.len);
        if (n != (ssize_t)raw.len && !failed(w))
            snprintf(w->err, sizeof w->err, "%s: cannot write: %s", w->db->spool_path,
                     strerror(errno ? errno : ENOSPC));
    } else {
        memcpy(w->sbuf + w->slen, raw.p, raw.len);
        w->slen += raw.len;
    }
    w->spool_end += raw.len;
    return off;
}

uint64_t writer_spool(struct writer *w, struct slice raw)
{
    return spool_append(w, raw);
}

/* The write lock is taken at once (IMMEDIATE): another connection writing other tables (`check`
 * storing findings) then waits for this transaction instead of meeting a failed lock upgrade. */
static int begin(struct writer *w)
{
    if (w->in_txn || failed(w))
        return failed(w) ? -1 : 0;
    if (sqlite3_exec(w->db->h, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        fail_db(w, "begin");
        return -1;
    }
    w->in_txn = true;
    return 0;
}

static void bind_pend(const struct writer *w, sqlite3_stmt *st, int b, const struct pend_msg *p)
{
    sqlite3_bind_int64(st, b + 1, p->id);
    if (p->call)
        sqlite3_bind_int64(st, b + 2, p->call);
    else
        sqlite3_bind_null(st, b + 2);
    sqlite3_bind_int64(st, b + 3, p->capture);
    sqlite3_bind_int64(st, b + 4, p->frame);
    sqlite3_bind_int(st, b + 5, (int)p->idx);
    sqlite3_bind_int64(st, b + 6, p->ts_ns);
    static const int col[PM_NTEXT] = {7, 8, 10, 12, 14, 18};
    for (int t = 0; t < PM_NTEXT; t++) {
        if (p->len[t] == 0)
            sqlite3_bind_null(st, b + col[t]);
        else
            sqlite3_bind_text(st, b + col[t], w->arena + p->off[t], (int)p->len[t], SQLITE_STATIC);
    }
    sqlite3_bind_text(st, b + 9, net_transport_name(p->transport), -1, SQLITE_STATIC);
    if (p->status)
        sqlite3_bind_int(st, b + 11, (int)p->status);
    else
        sqlite3_bind_null(st, b + 11);
    if (p->cseq >= 0)
        sqlite3_bind_int64(st, b + 13, p->cseq);
    else
        sqlite3_bind_null(st, b + 13);
    sqlite3_bind_int(st, b + 15, (int)p->flags);
    sqlite3_bind_int64(st, b + 16, p->raw_off);
    sqlite3_bind_int64(st, b + 17, p->raw_len);
}

static int step(struct writer *w, sqlite3_stmt *st, const char *what);

/* Writes the open span's row (replacing it as the span grows); a full span is closed. */
static int put_span(struct writer *w)
{
    if (w->span.n == 0)
        return 0;
    sqlite3_stmt *st = w->put_span;
    sqlite3_bind_int64(st, 1, w->capture);
    sqlite3_bind_int64(st, 2, w->span.first);
    sqlite3_bind_int64(st, 3, w->span.last);
    sqlite3_bind_int64(st, 4, w->span.lo);
    sqlite3_bind_int64(st, 5, w->span.hi);
    if (w->span.n >= WRITER_SPAN_ROWS)
        w->span.n = 0;
    return step(w, st, "insert message span");
}

/* Adds message id (capture time ts) to the open span; the writer's ids grow by one. */
static void span_add(struct writer *w, int64_t id, int64_t ts)
{
    if (w->span.n == 0) {
        w->span.first = id;
        w->span.lo = w->span.hi = ts;
    }
    w->span.last = id;
    w->span.lo = ts < w->span.lo ? ts : w->span.lo;
    w->span.hi = ts > w->span.hi ? ts : w->span.hi;
    if (++w->span.n >= WRITER_SPAN_ROWS)
        put_span(w);
}

/* Inserts the held message rows: one statement for a full group, else one per row. */
static int flush_msgs(struct writer *w)
{
    int rc = 0;
    if (w->npend == WRITER_MSG_ROWS) {
        for (unsigned i = 0; i < w->npend; i++)
            bind_pend(w, w->ins_msgs, (int)i * MSG_COLS, &w->pend[i]);
        rc = step(w, w->ins_msgs, "insert message");
    } else {
        for (unsigned i = 0; i < w->npend && rc == 0; i++) {
            bind_pend(w, w->ins_msg, 0, &w->pend[i]);
            rc = step(w, w->ins_msg, "insert message");
        }
    }
    w->npend = 0;
    w->alen = 0;
    return rc;
}

int writer_commit(struct writer *w)
{
    if (!w->in_txn)
        return failed(w) ? -1 : 0;
    if ((w->npend && !failed(w) && flush_msgs(w) < 0) || (!failed(w) && put_span(w) < 0) ||
        spool_flush(w) < 0) {
        sqlite3_exec(w->db->h, "ROLLBACK", NULL, NULL, NULL);
        w->in_txn = false;
        return -1;
    }
    if (sqlite3_exec(w->db->h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        fail_db(w, "commit");
        sqlite3_exec(w->db->h, "ROLLBACK", NULL, NULL, NULL);
        w->in_txn = false;
        return -1;
    }
    w->in_txn = false;
    w->pending = 0;
    return 0;
}

static void row_done(struct writer *w)
{
    if (++w->pending >= WRITER_BATCH)
        writer_commit(w);
}

static int step(struct writer *w, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        fail_db(w, what);
        return -1;
    }
    return 0;
}

static void bind_slice(sqlite3_stmt *st, int i, struct slice s)
{
    if (s.len == 0)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_text(st, i, (const char *)s.p, (int)s.len, SQLITE_STATIC);
}

/* Text is bound SQLITE_STATIC (no copy) everywhere: each writer function binds every parameter of
 * its statement from memory that lives until its sqlite3_step returns, and steps and resets it
 * before returning, so SQLite never reads a binding after its buffer is gone. */
static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
    if (!s || !*s)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

static void bind_ns(sqlite3_stmt *st, int i, int64_t v)
{
    if (v == 0)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int64(st, i, v);
}

int64_t writer_capture_begin(struct writer *w, const char *name, const char *quick_hash,
                             int linktype)
{
    if (begin(w) < 0)
        return -1;
    put_span(w); /* the previous capture's last span is closed: ids go on, the capture not */
    w->span.n = 0;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    sqlite3_bind_text(w->ins_cap, 1, name, -1, SQLITE_TRANSIENT);
    bind_text_or_null(w->ins_cap, 2, quick_hash);
    sqlite3_bind_int(w->ins_cap, 3, linktype);
    sqlite3_bind_int64(w->ins_cap, 4, (int64_t)now.tv_sec * 1000000000 + now.tv_nsec);
    if (step(w, w->ins_cap, "insert capture") < 0)
        return -1;
    w->capture = sqlite3_last_insert_rowid(w->db->h);
    st_tally_reset(w->tally);
    return w->capture;
}

int64_t writer_capture_id(const struct writer *w)
{
    return w->capture;
}

int writer_capture_end(struct writer *w, int complete, const char *hash, uint64_t size,
                       uint64_t packets, uint64_t sip_messages, uint64_t calls, int64_t first_ns,
                       int64_t last_ns)
{
    if (begin(w) < 0)
        return -1;
    sqlite3_stmt *st = w->end_cap;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (int64_t)size);
    sqlite3_bind_int64(st, 3, (int64_t)packets);
    sqlite3_bind_int64(st, 4, (int64_t)sip_messages);
    sqlite3_bind_int64(st, 5, (int64_t)calls);
    sqlite3_bind_int64(st, 6, first_ns);
    sqlite3_bind_int64(st, 7, last_ns);
    sqlite3_bind_int64(st, 8, w->capture);
    sqlite3_bind_int(st, 9, complete);
    if (step(w, st, "finish capture") < 0)
        return -1;
    char serr[512];
    if (st_tally_store(w->tally, w->db, w->capture, serr, sizeof serr) < 0) {
        if (!failed(w))
            snprintf(w->err, sizeof w->err, "%s", serr);
        return -1;
    }
    return writer_commit(w);
}

/* Makes room for n more bytes of text in the arena. */
static void arena_reserve(struct writer *w, size_t n)
{
    if (w->alen + n <= w->acap)
        return;
    size_t cap = w->acap ? w->acap : 16384;
    while (cap < w->alen + n)
        cap *= 2;
    w->arena = realloc(w->arena, cap);
    if (!w->arena)
        abort();
    w->acap = cap;
}

/* Copies text into the arena; returns its offset. */
static uint32_t arena_put(struct writer *w, const void *p, size_t n)
{
    arena_reserve(w, n);
    memcpy(w->arena + w->alen, p, n);
    w->alen += n;
    return (uint32_t)(w->alen - n);
}

static void pend_text(struct writer *w, struct pend_msg *p, enum pm_text t, const void *s, size_t n)
{
    p->len[t] = (uint32_t)n;
    p->off[t] = n ? arena_put(w, s, n) : 0;
}

/* An endpoint's "ip:port" text, formatted straight into the arena. */
static void pend_endpoint(struct writer *w, struct pend_msg *p, enum pm_text t,
                          const struct net_endpoint *e)
{
    arena_reserve(w, EP_TEXT_MAX);
    p->off[t] = (uint32_t)w->alen;
    p->len[t] = (uint32_t)net_endpoint_fmt(e, w->arena + w->alen, EP_TEXT_MAX);
    w->alen += p->len[t];
}

uint64_t writer_message(struct writer *w, const struct wr_msg *m)
{
    if (begin(w) < 0)
        return 0;
    int64_t id = w->next_msg_id++;
    struct pend_msg *p = &w->pend[w->npend++];
    *p = (struct pend_msg){.id = id,
                           .call = (int64_t)m->call,
                           .capture = w->capture,
                           .frame = (int64_t)m->frame,
                           .ts_ns = m->ts_ns,
                           .cseq = m->cseq,
                           .raw_len = (int64_t)m->raw.len,
                           .idx = m->idx,
                           .status = m->status,
                           .flags = m->flags,
                           .transport = m->transport};
    pend_endpoint(w, p, PM_SRC, m->src);
    pend_endpoint(w, p, PM_DST, m->dst);
    pend_text(w, p, PM_METHOD, m->method.p, m->method.len);
    pend_text(w, p, PM_REASON, m->reason.p, m->reason.len);
    pend_text(w, p, PM_CSEQ_METHOD, m->cseq_method.p, m->cseq_method.len);
    pend_text(w, p, PM_UA, m->ua.p, m->ua.len);
    p->raw_off = (int64_t)spool_append(w, m->raw);
    span_add(w, id, m->ts_ns);
    st_tally_add(w->tally, m->status, (const char *)m->method.p, m->method.len,
                 (const char *)m->ua.p, m->ua.len);
    if (w->npend == WRITER_MSG_ROWS && flush_msgs(w) < 0)
        return 0;
    row_done(w);
    return (uint64_t)id;
}

static const char *dir_name(int d)
{
    static const char *const n[] = {NULL, "sendrecv", "sendonly", "recvonly", "inactive"};
    return (d > 0 && d <= 4) ? n[d] : NULL;
}

static void fmt_list(const struct sdp_media *md, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < md->nfmt && len + 40 < n; i++) {
        const struct sdp_fmt *f = &md->fmt[i];
        int k = f->encoding.len ? snprintf(buf + len, n - len, "%s%u %.*s/%u", i ? "," : "", f->pt,
                                           (int)(f->encoding.len > 24 ? 24 : f->encoding.len),
                                           (const char *)f->encoding.p, f->clock_rate)
                                : snprintf(buf + len, n - len, "%s%u", i ? "," : "", f->pt);
        if (k < 0)
            break;
        len += (size_t)k;
    }
}

int writer_sdp(struct writer *w, uint64_t msg_id, const struct sdp *s)
{
    sqlite3_stmt *st = w->ins_sdp;
    for (unsigned i = 0; i < s->nmedia; i++) {
        const struct sdp_media *md = &s->media[i];
        char addr[64] = "", fmts[512];
        if (md->conn.family)
            net_addr_fmt(&md->conn, addr, sizeof addr);
        fmt_list(md, fmts, sizeof fmts);
        sqlite3_bind_int64(st, 1, (int64_t)msg_id);
        sqlite3_bind_int(st, 2, (int)i);
        bind_slice(st, 3, md->media);
        bind_text_or_null(st, 4, addr);
        sqlite3_bind_int(st, 5, md->port);
        bind_slice(st, 6, md->proto);
        bind_text_or_null(st, 7, fmts);
        bind_text_or_null(st, 8, dir_name(md->dir));
        if (md->rtcp_port)
            sqlite3_bind_int(st, 9, md->rtcp_port);
        else
            sqlite3_bind_null(st, 9);
        if (step(w, st, "insert sdp") < 0)
            return -1;
        row_done(w);
    }
    return 0;
}

static void bind_call(struct writer *w, sqlite3_stmt *st, const struct dlg_call *c, const char *src,
                      const char *dst)
{
    sqlite3_bind_int64(st, 1, (int64_t)c->id);
    sqlite3_bind_int64(st, 2, c->capture ? c->capture : w->capture);
    sqlite3_bind_text(st, 3, c->call_id, c->call_id_len, SQLITE_STATIC);
    bind_text_or_null(st, 4, c->method);
    bind_text_or_null(st, 5, c->from_uri);
    bind_text_or_null(st, 6, c->to_uri);
    bind_text_or_null(st, 7, src);
    bind_text_or_null(st, 8, dst);
    bind_text_or_null(st, 9, c->src.addr.family ? net_transport_name(c->transport) : NULL);
    sqlite3_bind_int64(st, 10, c->start_ns);
    sqlite3_bind_int64(st, 11, c->end_ns);
    sqlite3_bind_int64(st, 12, c->nmsgs);
    if (c->final_status)
        sqlite3_bind_int(st, 13, c->final_status);
    else
        sqlite3_bind_null(st, 13);
    bind_text_or_null(st, 14, dlg_state_name(c->state));
    sqlite3_bind_int64(st, 15, c->init_cseq);
    bind_ns(st, 16, c->invite_ns);
    bind_ns(st, 17, c->ring_ns);
    bind_ns(st, 18, c->answer_ns);
    bind_ns(st, 19, c->bye_ns);
    sqlite3_bind_int(st, 20, c->cancel_seen);
    sqlite3_bind_int(st, 21, (int)c->rtp_streams);
}

/* A call's row: a plain INSERT first (a call is usually written once, when it leaves memory);
 * when its id is already there (written earlier by a live tick, or reloaded) INSERT OR REPLACE.
 * A single-row INSERT checks the key before writing anything, so the failed attempt leaves the
 * transaction as it was. */
int writer_call(struct writer *w, const struct dlg_call *c)
{
    if (begin(w) < 0)
        return -1;
    char src[64] = "", dst[64] = "";
    if (c->src.addr.family) {
        net_endpoint_fmt(&c->src, src, sizeof src);
        net_endpoint_fmt(&c->dst, dst, sizeof dst);
    }
    bind_call(w, w->new_call, c, src, dst);
    int rc = sqlite3_step(w->new_call);
    sqlite3_reset(w->new_call);
    if (rc != SQLITE_DONE) {
        if ((rc & 0xff) != SQLITE_CONSTRAINT) {
            fail_db(w, "insert call");
            return -1;
        }
        bind_call(w, w->ins_call, c, src, dst);
        if (step(w, w->ins_call, "insert call") < 0)
            return -1;
    }
    row_done(w);
    return 0;
}

/* Parses "a.b.c.d:port" or "[v6]:port" back into an endpoint. */
static void parse_endpoint(const unsigned char *txt, struct net_endpoint *e)
{
    memset(e, 0, sizeof *e);
    if (!txt)
        return;
    struct slice s = slice_make(txt, strlen((const char *)txt));
    size_t colon = s.len;
    while (colon > 0 && s.p[colon - 1] != ':')
        colon--;
    if (colon == 0)
        return;
    struct slice host = slice_sub(s, 0, colon - 1);
    uint64_t port = 0;
    if (!slice_u64(slice_sub(s, colon, s.len - colon), 65535, &port))
        return;
    if (host.len >= 2 && host.p[0] == '[')
        host = slice_sub(host, 1, host.len - 2);
    if (net_addr_parse(host, &e->addr))
        e->port = (uint16_t)port;
}

static void copy_col(sqlite3_stmt *st, int i, char *dst, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

bool writer_reload_call(struct writer *w, int64_t first_capture, struct dlg_call *c)
{
    sqlite3_stmt *st = w->get_call;
    sqlite3_bind_text(st, 1, c->call_id, c->call_id_len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, first_capture);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return false;
    }
    c->id = (uint64_t)sqlite3_column_int64(st, 0);
    copy_col(st, 1, c->method, sizeof c->method);
    c->method_id = (uint8_t)sip_method_of(slice_make(c->method, strlen(c->method)));
    copy_col(st, 2, c->from_uri, sizeof c->from_uri);
    copy_col(st, 3, c->to_uri, sizeof c->to_uri);
    parse_endpoint(sqlite3_column_text(st, 4), &c->src);
    parse_endpoint(sqlite3_column_text(st, 5), &c->dst);
    const unsigned char *tr = sqlite3_column_text(st, 6);
    c->transport = (tr && strcmp((const char *)tr, "TCP") == 0) ? NET_T_TCP : NET_T_UDP;
    c->start_ns = sqlite3_column_int64(st, 7);
    c->end_ns = sqlite3_column_int64(st, 8);
    c->nmsgs = (uint32_t)sqlite3_column_int64(st, 9);
    c->final_status = (uint16_t)sqlite3_column_int(st, 10);
    const unsigned char *state = sqlite3_column_text(st, 11);
    int sv = state ? dlg_state_of((const char *)state) : 0;
    c->state = (uint8_t)(sv < 0 ? 0 : sv);
    c->init_cseq = (uint32_t)sqlite3_column_int64(st, 12);
    c->has_init = c->method[0] != '\0' && sqlite3_column_type(st, 12) != SQLITE_NULL;
    c->invite_ns = sqlite3_column_int64(st, 13);
    c->ring_ns = sqlite3_column_int64(st, 14);
    c->answer_ns = sqlite3_column_int64(st, 15);
    c->bye_ns = sqlite3_column_int64(st, 16);
    c->cancel_seen = sqlite3_column_int(st, 17) != 0;
    c->rtp_streams = (uint32_t)sqlite3_column_int(st, 18);
    sqlite3_reset(st);
    return true;
}

const char *writer_error(const struct writer *w)
{
    return failed(w) ? w->err : NULL;
}

int writer_free(struct writer *w, char *err, size_t errlen)
{
    if (!w)
        return 0;
    int rc = writer_commit(w);
    if (rc < 0 && err)
        snprintf(err, errlen, "%s", w->err);
    sqlite3_finalize(w->ins_msg);
    sqlite3_finalize(w->ins_msgs);
    sqlite3_finalize(w->put_span);
    free(w->arena);
    sqlite3_finalize(w->ins_call);
    sqlite3_finalize(w->new_call);
    sqlite3_finalize(w->ins_sdp);
    sqlite3_finalize(w->ins_cap);
    sqlite3_finalize(w->end_cap);
    sqlite3_finalize(w->get_call);
    st_tally_free(w->tally);
    free(w->sbuf);
    free(w);
    return rc;
}
