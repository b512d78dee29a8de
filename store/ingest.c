/* ingest.c: per frame: link/IP/UDP/TCP (dissect/net) -> SIP (dissect/sip) -> SDP -> dialog ->
 * batched rows (store/writer). Non-SIP payloads are dropped after a few byte compares. */
#include "store/ingest.h"

#include <stdlib.h>
#include <string.h>

#include "dissect/dialog.h"
#include "dissect/net.h"
#include "dissect/sdp.h"
#include "dissect/sip.h"
#include "store/media_store.h"
#include "store/tunnel_store.h"
#include "store/writer.h"

#define EXPIRE_EVERY  4096 /* frames between dialog/net expiry passes */
#define INGEST_MAX_UA 256  /* User-Agent/Server bytes kept per message */

struct ingest {
    struct db *db;
    struct writer *w;
    struct net_ctx *net;
    struct dlg_ctx *dlg;
    struct sip_msg *msg;      /* scratch, reused (large: the header array) */
    struct sdp *sdp;          /* scratch */
    struct media_store *ms;   /* SDP flows and RTP streams (docs/media.md) */
    struct tunnel_store *tun; /* message_tunnels rows */
    int64_t first_capture;
    struct ingest_stats st;
    uint64_t since_expire;
    struct ingest_live live; /* all zero unless ingest_set_live */
    int64_t clock_ns;        /* live: the latest of the last tick and the last frame */
    bool flushing;           /* ingest_capture_end is writing every call */
    uint64_t base_frag, base_tcp, base_calls; /* eviction counters when the capture began */
    ingest_sip_fn sip_hook;                   /* ingest_set_sip_hook, or NULL */
    void *sip_hook_user;
};

/* Live: a call leaving memory idle beyond the timeout (not at the end) is closed as timed out. */
static void time_out(struct ingest *in, struct dlg_call *c)
{
    uint32_t t = in->live.call_timeout_ms;
    if (t == 0 || in->flushing || c->state == DLG_ST_NONE || dlg_state_final(c->state))
        return;
    if (in->clock_ns - c->end_ns >= (int64_t)t * 1000000)
        c->state = DLG_ST_TIMED_OUT;
}

static void report(struct ingest *in, struct dlg_call *c)
{
    if (in->live.on_call_end && !c->reported)
        in->live.on_call_end(in->live.user, c);
    c->reported = true;
}

static void on_evict(void *user, struct dlg_call *c)
{
    struct ingest *in = user;
    time_out(in, c);
    media_store_call(in->ms, c);
    writer_call(in->w, c);
    report(in, c);
}

static bool on_reload(void *user, struct dlg_call *c)
{
    struct ingest *in = user;
    return in->first_capture > 0 && writer_reload_call(in->w, in->first_capture, c);
}

static uint64_t max_id(struct db *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    uint64_t v = 0;
    if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

struct ingest *ingest_new(struct db *db, char *err, size_t errlen)
{
    struct ingest *in = calloc(1, sizeof *in);
    if (!in)
        abort();
    in->db = db;
    in->w = writer_new(db, err, errlen);
    if (!in->w) {
        free(in);
        return NULL;
    }
    in->net = net_new(NULL, sip_frame_len);
    uint64_t first = max_id(db, "SELECT coalesce(max(id),0)+1 FROM calls");
    in->dlg = dlg_new(NULL, first, on_evict, on_reload, in);
    in->ms = media_store_new(db, first, err, errlen);
    in->tun = in->ms ? tunnel_store_new(db, err, errlen) : NULL;
    in->msg = malloc(sizeof *in->msg);
    in->sdp = malloc(sizeof *in->sdp);
    if (!in->msg || !in->sdp)
        abort();
    if (!in->ms || !in->tun) {
        ingest_free(in, NULL, 0);
        return NULL;
    }
    return in;
}

int ingest_store_rtp(struct ingest *in, char *err, size_t errlen)
{
    return media_store_keep_rtp(in->ms, in->w, err, errlen);
}

int ingest_rtp_heuristic(struct ingest *in, char *err, size_t errlen)
{
    return media_store_heuristic(in->ms, err, errlen);
}

int ingest_capture_begin(struct ingest *in, const char *name, const char *quick_hash, int linktype,
                         char *err, size_t errlen)
{
    memset(&in->st, 0, sizeof in->st);
    in->base_frag = net_get_stats(in->net)->frag_evicted;
    in->base_tcp = net_get_stats(in->net)->tcp_evicted;
    in->base_calls = dlg_evicted(in->dlg);
    int64_t id = writer_capture_begin(in->w, name, quick_hash, linktype);
    if (id < 0) {
        snprintf(err, errlen, "%s", writer_error(in->w));
        return -1;
    }
    if (in->first_capture == 0)
        in->first_capture = id;
    media_store_capture(in->ms, id);
    return 0;
}

static unsigned msg_flags(const struct sip_msg *m, const struct net_payload *pl, bool retrans)
{
    unsigned f = 0;
    if (retrans)
        f |= DB_MSG_RETRANS;
    if (m->flags & ~(uint32_t)SIP_F_TRUNCATED)
        f |= DB_MSG_MALFORMED;
    if (pl->truncated)
        f |= DB_MSG_TRUNCATED;
    if (pl->reassembled)
        f |= DB_MSG_REASSEMBLED;
    return f;
}

static void store_sdp(struct ingest *in, struct slice body, uint64_t msg_id,
                      const struct dlg_call *c, int64_t ts_ns)
{
    if (sdp_parse(in->sdp, body) != DIS_OK)
        return;
    writer_sdp(in->w, msg_id, in->sdp);
    media_store_sdp(in->ms, c, in->sdp, ts_ns);
}

/* The User-Agent value, else Server (responses), bounded for the history. */
static struct slice user_agent(const struct sip_msg *m)
{
    struct slice ua = sip_hdr_get(m, SIP_H_USER_AGENT);
    if (ua.len == 0)
        ua = sip_hdr_get(m, SIP_H_SERVER);
    if (ua.len > INGEST_MAX_UA)
        ua.len = INGEST_MAX_UA;
    return ua;
}

static void on_sip(struct ingest *in, const struct net_payload *pl, struct sip_msg *m)
{
    if (pl->truncated)
        m->flags |= SIP_F_TRUNCATED;
    struct dlg_event ev;
    dlg_message(in->dlg, m, pl, &ev);
    if (ev.new_call) {
        ev.call->capture = writer_capture_id(in->w);
        in->st.calls++;
    }
    uint32_t cseq = 0;
    struct slice cm = SLICE_NULL;
    bool has_cseq = sip_cseq(m, &cseq, &cm);
    struct slice sdp_body = sip_sdp_body(m); /* found once: flag and SDP rows use it */
    bool has_sdp = sdp_body.len > 0;
    struct wr_msg r = {
        .call = ev.call ? ev.call->id : 0,
        .frame = pl->frame->index,
        .idx = pl->index_in_frame,
        .ts_ns = pl->frame->ts_ns,
        .src = &pl->src,
        .dst = &pl->dst,
        .transport = pl->transport,
        .method = m->is_request ? m->method : SLICE_NULL,
        .status = m->is_request ? 0 : m->status,
        .reason = m->is_request ? SLICE_NULL : m->reason,
        .cseq = has_cseq ? (int64_t)cseq : -1,
        .cseq_method = has_cseq ? cm : SLICE_NULL,
        .flags = msg_flags(m, pl, ev.retransmission) | (has_sdp ? DB_MSG_SDP : 0),
        .raw = m->raw,
        .ua = user_agent(m),
    };
    in->st.sip_messages++;
    if (r.flags & DB_MSG_MALFORMED)
        in->st.malformed++;
    uint64_t id = writer_message(in->w, &r);
    if (pl->encap_depth)
        tunnel_store_message(in->tun, id, pl);
    if (id && has_sdp)
        store_sdp(in, sdp_body, id, ev.call, pl->frame->ts_ns);
    if (in->sip_hook)
        in->sip_hook(in->sip_hook_user, pl, m, id);
}

static void deliver(void *user, const struct net_payload *pl)
{
    struct ingest *in = user;
    if (!sip_looks_like(pl->data)) {
        in->st.rtp_streams += (uint64_t)media_store_packet(in->ms, pl);
        return;
    }
    struct sip_msg *m = in->msg;
    if (sip_parse(m, pl->data) == DIS_NOT_MINE)
        return;
    on_sip(in, pl, m);
}

/* Frame bookkeeping shared by ingest_frame and ingest_payload. */
static void count_frame(struct ingest *in, const struct frame *f)
{
    in->st.packets++;
    if (in->st.first_ns == 0 || f->ts_ns < in->st.first_ns)
        in->st.first_ns = f->ts_ns;
    if (f->ts_ns > in->st.last_ns)
        in->st.last_ns = f->ts_ns;
    if (f->ts_ns > in->clock_ns)
        in->clock_ns = f->ts_ns;
}

static void maybe_expire(struct ingest *in, const struct frame *f)
{
    if (++in->since_expire >= EXPIRE_EVERY) {
        in->since_expire = 0;
        net_expire(in->net, f->ts_ns);
        dlg_expire(in->dlg, f->ts_ns);
        media_store_expire(in->ms, f->ts_ns);
    }
}

void ingest_frame(struct ingest *in, const struct frame *f)
{
    count_frame(in, f);
    net_frame(in->net, f, deliver, in);
    maybe_expire(in, f);
}

void ingest_payload(struct ingest *in, const struct net_payload *pl)
{
    count_frame(in, pl->frame);
    deliver(in, pl);
    maybe_expire(in, pl->frame);
}

void ingest_set_sip_hook(struct ingest *in, ingest_sip_fn fn, void *user)
{
    in->sip_hook = fn;
    in->sip_hook_user = user;
}

int ingest_capture_end(struct ingest *in, int complete, const char *hash, uint64_t size, char *err,
                       size_t errlen)
{
    in->st.frag_evicted = net_get_stats(in->net)->frag_evicted - in->base_frag;
    in->st.tcp_evicted = net_get_stats(in->net)->tcp_evicted - in->base_tcp;
    in->st.calls_evicted = dlg_evicted(in->dlg) - in->base_calls; /* before the final flush */
    in->flushing = true;
    media_store_flush(in->ms);
    dlg_flush_all(in->dlg);
    in->flushing = false;
    const struct ingest_stats *s = &in->st;
    if (writer_capture_end(in->w, complete, hash, size, s->packets, s->sip_messages, s->calls,
                           s->first_ns, s->last_ns) < 0) {
        snprintf(err, errlen, "%s", writer_error(in->w));
        return -1;
    }
    return 0;
}

void ingest_set_live(struct ingest *in, const struct ingest_live *lv)
{
    in->live = *lv;
    if (lv->call_timeout_ms) {
        struct dlg_limits lim = {.idle_evict_ms = lv->call_timeout_ms};
        dlg_set_limits(in->dlg, &lim);
    }
}

/* Writes a changed call; reports an ended one that stayed quiet for the linger time. */
static void tick_call(void *user, struct dlg_call *c)
{
    struct ingest *in = user;
    if (c->dirty) {
        writer_call(in->w, c);
        c->dirty = false;
    }
    if (!c->reported && dlg_state_final(c->state) &&
        in->clock_ns - c->end_ns >= (int64_t)in->live.linger_ms * 1000000)
        report(in, c);
}

void ingest_tick(struct ingest *in, int64_t now_ns)
{
    if (now_ns > in->clock_ns)
        in->clock_ns = now_ns;
    net_expire(in->net, in->clock_ns);
    dlg_expire(in->dlg, in->clock_ns);
    media_store_tick(in->ms); /* streams' figures so far, only those that changed */
    dlg_foreach(in->dlg, tick_call, in);
}

int64_t ingest_capture_id(const struct ingest *in)
{
    return writer_capture_id(in->w);
}

const struct ingest_stats *ingest_get_stats(const struct ingest *in)
{
    return &in->st;
}

int ingest_commit(struct ingest *in, char *err, size_t errlen)
{
    if (writer_commit(in->w) < 0) {
        snprintf(err, errlen, "%s", writer_error(in->w));
        return -1;
    }
    return 0;
}

const char *ingest_error(const struct ingest *in)
{
    return writer_error(in->w);
}

int ingest_free(struct ingest *in, char *err, size_t errlen)
{
    if (!in)
        return 0;
    media_store_free(in->ms);
    tunnel_store_free(in->tun);
    int rc = writer_free(in->w, err, errlen);
    net_free(in->net);
    dlg_free(in->dlg);
    free(in->msg);
    free(in->sdp);
    free(in);
    return rc;
}

void ingest_set_vxlan_port(struct ingest *in, uint16_t port)
{
    net_set_vxlan_port(in->net, port);
}
