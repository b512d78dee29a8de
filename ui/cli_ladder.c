/* cli_ladder.c: `sipscope ladder CALL`: one or several calls' ladder in any export format
 * (docs/exports.md), related legs with --related, every call of a capture with --all. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dissect/xalloc.h"
#include "store/media_store.h"
#include "store/rtcp_store.h"
#include "store/rtp_store.h"
#include "store/query.h"
#include "ui/cli.h"
#include "ui/export.h"
#include "ui/json.h"
#include "ui/ladder.h"

struct lmsg {
    int64_t id, raw_off, raw_len; /* messages.id and the raw bytes in the spool */
    char *sdp_summary;            /* "audio PCMA/8000 192.0.2.1:4000 sendrecv", or NULL */
    int64_t ts_ns;
    char *src, *dst, *transport, *method, *reason, *cseq_method, *call_id;
    int status;
    int64_t cseq;
    int flags;
};

/* One RTP stream of the ladder's calls (store/media_store.h), with owned strings. */
struct lrtp {
    struct ms_row r;
    char src[64], dst[64], codec[40];
    char dtmf[40]; /* RFC 4733 digits (MEDIA_MAX_DTMF fits) */
    bool has_rtcp; /* rtcp_reports has a row about this SSRC in this call */
    struct rtcp_row rtcp;
};

struct ladder {
    struct lmsg *v;
    size_t n, cap;
    struct lrtp *rtp;
    size_t nrtp, caprtp;
};

static int collect(void *user, const struct q_msg *m)
{
    struct ladder *l = user;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v)
            abort();
    }
    l->v[l->n++] = (struct lmsg){
        .id = m->id,
        .raw_off = m->raw_off,
        .raw_len = m->raw_len,
        .ts_ns = m->ts_ns,
        .src = xstrdup(m->src),
        .dst = xstrdup(m->dst),
        .transport = xstrdup(m->transport),
        .method = xstrdup(m->method),
        .reason = xstrdup(m->reason),
        .cseq_method = xstrdup(m->cseq_method),
        .call_id = xstrdup(m->call_id),
        .status = m->status,
        .cseq = m->cseq,
        .flags = m->flags,
    };
    return 0;
}

static int collect_rtp(void *user, const struct ms_row *r)
{
    struct ladder *l = user;
    if (l->nrtp == l->caprtp) {
        l->caprtp = l->caprtp ? l->caprtp * 2 : 8;
        l->rtp = realloc(l->rtp, l->caprtp * sizeof *l->rtp);
        if (!l->rtp)
            abort();
    }
    struct lrtp *x = &l->rtp[l->nrtp++];
    x->r = *r;
    snprintf(x->src, sizeof x->src, "%s", r->src ? r->src : "");
    snprintf(x->dst, sizeof x->dst, "%s", r->dst ? r->dst : "");
    snprintf(x->codec, sizeof x->codec, "%s", r->codec ? r->codec : "");
    x->r.src = x->src;
    x->r.dst = x->dst;
    x->r.codec = r->codec ? x->codec : NULL;
    snprintf(x->dtmf, sizeof x->dtmf, "%s", r->dtmf ? r->dtmf : "");
    x->r.dtmf = r->dtmf ? x->dtmf : NULL;
    return 0;
}

static void json_num(FILE *o, const char *key, double v, bool ok, int decimals)
{
    fprintf(o, ",\"%s\":", key);
    if (ok)
        fprintf(o, "%.*f", decimals, v);
    else
        fputs("null", o);
}

/* The optional "rtcp" object of a stream: what the RTCP of the call reports about its SSRC
 * (docs/media.md): last and max fraction lost, last cumulative lost, jitter in ms with the
 * stream's clock, round-trip times, XR VoIP metrics. */
static void json_rtcp(FILE *o, const struct rtcp_row *x, int clock)
{
    fprintf(o, ",\"rtcp\":{\"reports\":%lld", (long long)x->reports);
    json_num(o, "fraction_lost", x->fraction_lost, x->reports > 0, 4);
    json_num(o, "max_fraction_lost", x->max_fraction_lost, x->reports > 0, 4);
    json_num(o, "cumulative_lost", (double)x->cum_lost, x->reports > 0, 0);
    bool jit = x->reports > 0 && clock > 0;
    json_num(o, "jitter_ms", (double)x->jitter * 1000.0 / (clock > 0 ? clock : 1), jit, 3);
    json_num(o, "max_jitter_ms", (double)x->max_jitter * 1000.0 / (clock > 0 ? clock : 1), jit, 3);
    fprintf(o, ",\"rtt_reports\":%lld", (long long)x->rtt_n);
    json_num(o, "rtt_min_ms", x->rtt_min_ms, x->rtt_n > 0, 3);
    json_num(o, "rtt_mean_ms", x->rtt_mean_ms, x->rtt_n > 0, 3);
    json_num(o, "rtt_max_ms", x->rtt_max_ms, x->rtt_n > 0, 3);
    if (x->xr_reports > 0) {
        fprintf(o, ",\"xr\":{\"reports\":%lld", (long long)x->xr_reports);
        json_num(o, "loss_rate", x->xr_loss_rate, x->xr_loss_rate >= 0, 4);
        json_num(o, "discard_rate", x->xr_discard_rate, x->xr_discard_rate >= 0, 4);
        json_num(o, "rtt_ms", x->xr_rtt_ms, x->xr_rtt_ms >= 0, 0);
        json_num(o, "end_system_delay_ms", x->xr_end_delay_ms, x->xr_end_delay_ms >= 0, 0);
        json_num(o, "r_factor", x->xr_r_factor, x->xr_r_factor >= 0, 0);
        json_num(o, "mos_lq", x->xr_mos_lq, x->xr_mos_lq >= 0, 1);
        json_num(o, "mos_cq", x->xr_mos_cq, x->xr_mos_cq >= 0, 1);
        putc('}', o);
    }
    putc('}', o);
}

/* The "rtp_streams" array members of CLI.md. */
static void json_rtp(FILE *o, const struct ladder *l)
{
    for (size_t i = 0; i < l->nrtp; i++) {
        const struct ms_row *r = &l->rtp[i].r;
        fputs(i ? ",\n{\"src\":" : "\n{\"src\":", o);
        json_cstr(o, r->src);
        fputs(",\"dst\":", o);
        json_cstr(o, r->dst);
        fprintf(o, ",\"ssrc\":\"0x%08x\",\"payload_type\":%d,\"codec\":", (unsigned)r->ssrc,
                r->payload_type);
        json_cstr(o, r->codec);
        fprintf(o,
                ",\"packets\":%lld,\"lost\":%lld,\"max_delta_ms\":%.3f,\"max_jitter_ms\":%.3f,"
                "\"mean_jitter_ms\":%.3f,\"mos\":",
                (long long)r->packets, (long long)r->lost, r->max_delta_ms, r->max_jitter_ms,
                r->mean_jitter_ms);
        if (r->mos >= 0)
            fprintf(o, "%.2f", r->mos);
        else
            fputs("null", o);
        if (r->heuristic)
            fputs(",\"heuristic\":true", o);
        if (l->rtp[i].has_rtcp)
            json_rtcp(o, &l->rtp[i].rtcp, r->clock_rate);
        putc('}', o);
    }
}

static void ladder_free(struct ladder *l)
{
    free(l->rtp);
    for (size_t i = 0; i < l->n; i++) {
        struct lmsg *m = &l->v[i];
        free(m->src);
        free(m->dst);
        free(m->transport);
        free(m->method);
        free(m->reason);
        free(m->cseq_method);
        free(m->call_id);
        free(m->sdp_summary);
    }
    free(l->v);
}

/* Hosts in order of first appearance. */
static size_t hosts_of(const struct ladder *l, const char **hosts)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++) {
        const char *ep[2] = {l->v[i].src, l->v[i].dst};
        for (int k = 0; k < 2; k++) {
            size_t j = 0;
            while (j < n && strcmp(hosts[j], ep[k]) != 0)
                j++;
            if (j == n && n < LADDER_MAX_HOSTS)
                hosts[n++] = ep[k];
        }
    }
    return n;
}

/* The "findings" member (docs/diagnostics.md): indexes into the messages array. */
static void json_findings(FILE *o, struct db *db, const struct ladder *l)
{
    int64_t *ids = malloc((l->n ? l->n : 1) * sizeof *ids);
    if (!ids)
        abort();
    for (size_t i = 0; i < l->n; i++)
        ids[i] = l->v[i].id;
    char err[512];
    if (check_json_ladder(o, db, ids, l->n, err, sizeof err) < 0)
        fprintf(stderr, "sipscope: %s\n", err);
    free(ids);
}

static void json_ladder(FILE *o, struct db *db, const struct ladder *l, char **ids, size_t nids)
{
    const char *hosts[LADDER_MAX_HOSTS];
    size_t nh = hosts_of(l, hosts);
    fputs("{\"call_ids\":[", o);
    for (size_t i = 0; i < nids; i++) {
        fputs(i ? "," : "", o);
        json_cstr(o, ids[i]);
    }
    fputs("],\"hosts\":[", o);
    for (size_t i = 0; i < nh; i++) {
        fputs(i ? "," : "", o);
        json_cstr(o, hosts[i]);
    }
    fputs("],\"messages\":[", o);
    for (size_t i = 0; i < l->n; i++) {
        const struct lmsg *m = &l->v[i];
        fputs(i ? ",\n{\"ts\":" : "\n{\"ts\":", o);
        json_epoch(o, m->ts_ns);
        fputs(",\"src\":", o);
        json_cstr(o, m->src);
        fputs(",\"dst\":", o);
        json_cstr(o, m->dst);
        fputs(",\"transport\":", o);
        json_cstr(o, m->transport);
        fputs(",\"method\":", o);
        json_cstr(o, m->status ? NULL : m->method);
        fputs(",\"status\":", o);
        if (m->status)
            fprintf(o, "%d", m->status);
        else
            fputs("null", o);
        fputs(",\"reason\":", o);
        json_cstr(o, m->status ? (m->reason ? m->reason : "") : NULL);
        fputs(",\"cseq\":", o);
        if (m->cseq >= 0) {
            char cs[96];
            int k = snprintf(cs, sizeof cs, "%lld %s", (long long)m->cseq,
                             m->cseq_method ? m->cseq_method : "");
            json_str(o, cs, k < 0 ? 0 : ((size_t)k < sizeof cs ? (size_t)k : sizeof cs - 1));
        } else {
            fputs("null", o);
        }
        fputs(",\"call_id\":", o);
        json_cstr(o, m->call_id);
        fprintf(o, ",\"sdp\":%s,\"retransmission\":%s}", (m->flags & DB_MSG_SDP) ? "true" : "false",
                (m->flags & DB_MSG_RETRANS) ? "true" : "false");
    }
    fputs("],\"rtp_streams\":[", o);
    json_rtp(o, l);
    fputs("],\"findings\":", o);
    json_findings(o, db, l);
    fputs("}\n", o);
}

/* The message with this id (l->v is in id order), or NULL. */
static struct lmsg *find_msg(const struct ladder *l, int64_t id)
{
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->v[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < l->n && l->v[lo].id == id ? &l->v[lo] : NULL;
}

/* Adds one m= line to its message's SDP summary: "audio PCMA/8000 192.0.2.1:4000 sendrecv". */
static int collect_sdp(void *user, const struct q_sdp *s)
{
    struct lmsg *m = find_msg(user, s->message);
    if (!m || (m->sdp_summary && strlen(m->sdp_summary) > 200))
        return 0;
    const char *f = s->formats ? s->formats : "", *sp = strchr(f, ' ');
    size_t flen = strcspn(f, ",");
    if (sp && (size_t)(sp - f) < flen) { /* "8 PCMA/8000" -> "PCMA/8000" */
        flen -= (size_t)(sp - f) + 1;
        f = sp + 1;
    }
    bool v6 = s->addr && strchr(s->addr, ':');
    char one[256];
    snprintf(one, sizeof one, "%s%s%s %.*s %s%s%s:%d%s%s", m->sdp_summary ? m->sdp_summary : "",
             m->sdp_summary ? ", " : "", s->media ? s->media : "?", (int)(flen < 64 ? flen : 64), f,
             v6 ? "[" : "", s->addr ? s->addr : "?", v6 ? "]" : "", s->port,
             s->direction ? " " : "", s->direction ? s->direction : "");
    free(m->sdp_summary);
    m->sdp_summary = xstrdup(one);
    return 0;
}

struct raw_src {
    struct db *db;
    const struct ladder *l;
};

/* export_raw_fn: a message's bytes from the spool. */
static char *raw_get(void *user, const struct ladder_msg *lm, size_t *len)
{
    const struct raw_src *rs = user;
    const struct lmsg *m = lm ? find_msg(rs->l, lm->id) : NULL;
    if (!m || m->raw_len <= 0 || m->raw_off < 0)
        return NULL;
    char *buf = malloc((size_t)m->raw_len);
    if (!buf)
        abort();
    if (db_spool_read(rs->db, (uint64_t)m->raw_off, buf, (size_t)m->raw_len) < 0) {
        free(buf);
        return NULL;
    }
    *len = (size_t)m->raw_len;
    return buf;
}

/* The layout's view of the loaded messages (strings borrowed from l). */
static struct ladder_msg *to_msgs(const struct ladder *l)
{
    struct ladder_msg *v = calloc(l->n ? l->n : 1, sizeof *v);
    if (!v)
        abort();
    for (size_t i = 0; i < l->n; i++) {
        const struct lmsg *m = &l->v[i];
        v[i] = (struct ladder_msg){
            .id = m->id,
            .ts_ns = m->ts_ns,
            .src = m->src,
            .dst = m->dst,
            .transport = m->transport,
            .method = m->status ? NULL : m->method,
            .status = m->status,
            .reason = m->reason,
            .cseq = m->cseq,
            .cseq_method = m->cseq_method,
            .call_id = m->call_id,
            .sdp = (m->flags & DB_MSG_SDP) != 0,
            .retrans = (m->flags & DB_MSG_RETRANS) != 0,
            .sdp_summary = m->sdp_summary,
        };
    }
    return v;
}

struct ladder_args {
    enum export_format format;
    const char *out, *links;
    bool ascii, by_address, related, all;
    int width;
};

/* The RTP streams as ladder rows, labelled by ladder_rtp_label. */
static struct ladder_stream *to_streams(const struct ladder *l)
{
    struct ladder_stream *v = calloc(l->nrtp ? l->nrtp : 1, sizeof *v);
    if (!v)
        abort();
    for (size_t i = 0; i < l->nrtp; i++) {
        const struct ms_row *r = &l->rtp[i].r;
        char label[LADDER_LABEL];
        struct ladder_rtp_fig f = {.codec = r->codec,
                                   .packets = r->packets,
                                   .lost = r->lost,
                                   .max_jitter_ms = r->max_jitter_ms,
                                   .mos = r->mos,
                                   .dtmf = r->dtmf,
                                   .problem = r->problem};
        v[i] = (struct ladder_stream){.src = r->src,
                                      .dst = r->dst,
                                      .first_ns = r->first_ns,
                                      .last_ns = r->last_ns,
                                      .label = xstrdup(ladder_rtp_label(label, sizeof label, &f))};
    }
    return v;
}

/* Writes the loaded ladder in the chosen format; title lists the Call-IDs. */
static int write_ladder(struct cli *c, const struct ladder_args *a, const struct ladder *l,
                        char **ids, size_t nids, FILE *o, const int64_t *calls, size_t ncalls)
{
    if (a->format == EXPORT_JSON) {
        json_ladder(o, c->db, l, ids, nids);
        return 0;
    }
    char title[1024] = "";
    for (size_t i = 0, k = 0; i < nids && k + 1 < sizeof title; i++)
        k += (size_t)snprintf(title + k, sizeof title - k, "%s%s", i ? ", " : "", ids[i]);
    struct ladder_msg *msgs = to_msgs(l);
    struct ladder_stream *streams = to_streams(l);
    struct ladder_layout lay;
    struct ladder_opts lo = {.by_address = a->by_address};
    if (ladder_build(msgs, l->n, streams, l->nrtp, &lo, &lay) < 0)
        abort();
    struct raw_src rs = {.db = c->db, .l = l};
    struct export_ctx x = {.layout = &lay,
                           .title = title,
                           .ascii = a->ascii,
                           .width = a->width,
                           .raw = raw_get,
                           .raw_user = &rs};
    struct rtp_pkt *kept = NULL; /* --store-rtp packets, pcap only */
    size_t nkept = 0;
    struct export_pkt *media = NULL;
    char err[1024];
    if (a->format == EXPORT_PCAP &&
        rtp_store_load(c->db, calls, ncalls, &kept, &nkept, err, sizeof err) < 0)
        fprintf(stderr, "sipscope: %s (pcap written without RTP)\n", err);
    if (nkept) {
        media = calloc(nkept, sizeof *media);
        if (!media)
            abort();
        for (size_t i = 0; i < nkept; i++)
            media[i] = (struct export_pkt){.ts_ns = kept[i].ts_ns,
                                           .src = kept[i].src,
                                           .dst = kept[i].dst,
                                           .data = kept[i].data,
                                           .len = kept[i].len};
        x.media = media;
        x.nmedia = nkept;
    }
    struct export_finding *fv = NULL;
    size_t nf = 0;
    if (a->format == EXPORT_TEXT || a->format == EXPORT_HTML) { /* docs/diagnostics.md */
        int64_t *mids = malloc((l->n ? l->n : 1) * sizeof *mids);
        char ferr[512];
        if (!mids)
            abort();
        for (size_t i = 0; i < l->n; i++)
            mids[i] = l->v[i].id;
        if (check_findings_load(c->db, mids, l->n, &fv, &nf, ferr, sizeof ferr) < 0)
            fprintf(stderr, "sipscope: %s\n", ferr);
        free(mids);
        x.findings = fv;
        x.nfindings = nf;
    }
    int rc = export_write(a->format, &x, o);
    free(media);
    rtp_store_pkts_free(kept, nkept);
    check_findings_free(fv, nf);
    ladder_layout_free(&lay);
    for (size_t i = 0; i < l->nrtp; i++)
        free((char *)streams[i].label);
    free(streams);
    free(msgs);
    return rc;
}

static size_t split_ids(char *arg, char **ids, size_t max)
{
    size_t n = 0;
    char *p = arg;
    while (p && n < max) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (*p)
            ids[n++] = p;
        p = comma ? comma + 1 : NULL;
    }
    return n;
}

/* Database ids of the calls named by ids (several per Call-ID across captures), plus the
 * related legs with --related. Caller frees *calls. 0 or an exit code. */
static int resolve(struct cli *c, const struct ladder_args *a, char **ids, size_t nids,
                   int64_t **calls, size_t *ncalls)
{
    char err[1024];
    size_t n = 0;
    int64_t *all = malloc(256 * sizeof *all);
    if (!all)
        abort();
    for (size_t i = 0; i < nids; i++) {
        int64_t *v = NULL;
        size_t k = 0;
        if (q_call_ids(c->db, ids[i], c->captures, c->ncaptures, &v, &k, err, sizeof err) < 0) {
            free(all);
            return cli_runtime_error("%s", err);
        }
        if (k == 0) {
            free(v);
            free(all);
            return cli_runtime_error("%s: no such call in %s", ids[i], c->db->path);
        }
        for (size_t j = 0; j < k && n < 256; j++)
            all[n++] = v[j];
        free(v);
    }
    if (a->related) {
        int64_t *rel = NULL;
        size_t nrel = 0;
        int r = q_related_calls(c->db, all, n, a->links, c->captures, c->ncaptures, &rel, &nrel,
                                err, sizeof err);
        free(all);
        if (r < 0)
            return cli_runtime_error("%s", err);
        all = rel;
        n = nrel < 256 ? nrel : 256;
    }
    *calls = all;
    *ncalls = n;
    return 0;
}

/* Loads the calls' messages and SDP summaries into l. 0 or an exit code. */
static int load_calls(struct cli *c, const int64_t *calls, size_t n, struct ladder *l)
{
    char err[1024];
    if (q_messages(c->db, calls, n, collect, l, err, sizeof err) < 0 ||
        q_sdp_media(c->db, calls, n, collect_sdp, l, err, sizeof err) < 0 ||
        media_store_read(c->db, calls, n, collect_rtp, l, err, sizeof err) < 0)
        return cli_runtime_error("%s", err);
    for (size_t i = 0; i < l->nrtp; i++) {
        struct lrtp *x = &l->rtp[i];
        int rc = rtcp_store_read(c->db, x->r.call, x->r.ssrc, &x->rtcp);
        if (rc < 0)
            return cli_runtime_error("%s: rtcp_reports: %s", c->db->path, sqlite3_errmsg(c->db->h));
        x->has_rtcp = rc == 1;
    }
    return 0;
}

/* The Call-IDs to name: the asked ones, then those of related legs in order of appearance. */
static size_t name_ids(const struct ladder *l, char **ids, size_t nids, char **out)
{
    size_t n = 0;
    for (size_t i = 0; i < nids; i++)
        out[n++] = ids[i];
    for (size_t i = 0; i < l->n; i++) {
        size_t j = 0;
        while (j < n && (!l->v[i].call_id || strcmp(out[j], l->v[i].call_id) != 0))
            j++;
        if (j == n && l->v[i].call_id)
            out[n++] = l->v[i].call_id;
    }
    return n;
}

/* Exports the calls to path ("-" = stdout). 0 or an exit code. */
static int export_calls(struct cli *c, const struct ladder_args *a, const int64_t *calls,
                        size_t ncalls, char **ids, size_t nids, const char *path)
{
    struct ladder l = {0};
    int rc = load_calls(c, calls, ncalls, &l);
    char **names = malloc((nids + l.n + 1) * sizeof *names);
    if (!names)
        abort();
    size_t nnames = name_ids(&l, ids, nids, names);
    FILE *o = stdout;
    if (rc == 0 && strcmp(path, "-") != 0) {
        o = fopen(path, "wb");
        if (!o)
            rc = cli_runtime_error("%s: cannot write: %s", path, strerror(errno));
    }
    if (rc == 0) {
        int w = write_ladder(c, a, &l, names, nnames, o, calls, ncalls);
        if ((o == stdout ? fflush(o) : fclose(o)) != 0 || w != 0)
            rc = cli_runtime_error("%s: write error", path);
    }
    free(names);
    ladder_free(&l);
    return rc;
}

struct call_list {
    int64_t *id;
    char **call_id, **line; /* line: the index page's cells, already escaped */
    size_t n, cap;
};

static void cell(FILE *o, const char *s)
{
    fputs("<td>", o);
    export_xml_text(o, s, s ? strlen(s) : 0, false);
    fputs("</td>", o);
}

static int collect_call(void *user, const struct q_call *q)
{
    struct call_list *cl = user;
    if (cl->n == cl->cap) {
        cl->cap = cl->cap ? cl->cap * 2 : 64;
        cl->id = realloc(cl->id, cl->cap * sizeof *cl->id);
        cl->call_id = realloc(cl->call_id, cl->cap * sizeof *cl->call_id);
        cl->line = realloc(cl->line, cl->cap * sizeof *cl->line);
        if (!cl->id || !cl->call_id || !cl->line)
            abort();
    }
    char *buf = NULL, st[16] = "";
    size_t len = 0;
    FILE *o = open_memstream(&buf, &len);
    if (!o)
        abort();
    if (q->final_status)
        snprintf(st, sizeof st, "%d", q->final_status);
    cell(o, q->method);
    cell(o, q->from);
    cell(o, q->to);
    cell(o, st);
    cell(o, q->state);
    fprintf(o, "<td>%lld</td>", (long long)q->messages);
    fclose(o);
    cl->id[cl->n] = q->id;
    cl->call_id[cl->n] = xstrdup(q->call_id ? q->call_id : "");
    cl->line[cl->n++] = buf;
    return 0;
}

/* A file name for call number i: "0007-" and the Call-ID's safe characters. */
static void file_name(char *buf, size_t n, size_t i, const char *call_id, enum export_format f)
{
    char safe[64];
    size_t k = 0;
    for (const char *p = call_id; *p && k + 1 < sizeof safe; p++)
        safe[k++] = (isalnum((unsigned char)*p) || strchr(".@_-", *p)) ? *p : '_';
    safe[k] = '\0';
    snprintf(buf, n, "%04zu-%s.%s", i + 1, safe, export_format_ext(f));
}

static void index_page(FILE *o, const struct call_list *cl, enum export_format f)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'\">\n<title>sipscope calls</title>\n<style>body{font-family:"
          "sans-serif}table{border-collapse:collapse;font-size:13px}td,th{border:1px solid "
          "#cfd8dc;padding:2px 6px;text-align:left}</style>\n</head>\n<body>\n",
          o);
    fprintf(o,
            "<h1>%zu calls</h1>\n<table>\n<tr><th>Call-ID</th><th>method</th><th>from</th>"
            "<th>to</th><th>status</th><th>state</th><th>messages</th></tr>\n",
            cl->n);
    for (size_t i = 0; i < cl->n; i++) {
        char name[128];
        file_name(name, sizeof name, i, cl->call_id[i], f);
        fprintf(o, "<tr><td><a href=\"%s\">", name);
        export_xml_text(o, cl->call_id[i], strlen(cl->call_id[i]), false);
        fprintf(o, "</a></td>%s</tr>\n", cl->line[i]);
    }
    fputs("</table>\n</body>\n</html>\n", o);
}

static void call_list_free(struct call_list *cl)
{
    for (size_t i = 0; i < cl->n; i++) {
        free(cl->call_id[i]);
        free(cl->line[i]);
    }
    free(cl->id);
    free(cl->call_id);
    free(cl->line);
}

/* --all: one file per call in the directory a->out, and index.html. 0 or an exit code. */
static int ladder_all(struct cli *c, const struct ladder_args *a)
{
    char err[1024], path[4096];
    struct q_filter f = {.captures = c->captures, .ncaptures = c->ncaptures};
    struct call_list cl = {0};
    if (mkdir(a->out, 0777) < 0 && errno != EEXIST)
        return cli_runtime_error("%s: cannot create: %s", a->out, strerror(errno));
    if (q_calls(c->db, &f, collect_call, &cl, err, sizeof err) < 0) {
        call_list_free(&cl);
        return cli_runtime_error("%s", err);
    }
    int rc = 0;
    for (size_t i = 0; i < cl.n && rc == 0; i++) {
        char name[128];
        file_name(name, sizeof name, i, cl.call_id[i], a->format);
        snprintf(path, sizeof path, "%s/%s", a->out, name);
        rc = export_calls(c, a, &cl.id[i], 1, &cl.call_id[i], 1, path);
    }
    snprintf(path, sizeof path, "%s/index.html", a->out);
    FILE *o = rc == 0 ? fopen(path, "w") : NULL;
    if (rc == 0 && !o)
        rc = cli_runtime_error("%s: cannot write: %s", path, strerror(errno));
    if (o) {
        index_page(o, &cl, a->format);
        if (fclose(o) != 0)
            rc = cli_runtime_error("%s: write error", path);
    }
    call_list_free(&cl);
    return rc;
}

/* Parses the ladder options; *call gets the CALL argument. 0 or an exit code. */
static int parse_args(struct cli *c, struct ladder_args *a, char **call)
{
    const char *format = "text", *width_s = NULL;
    for (int i = 0; i < c->argc; i++) {
        const char *v = NULL;
        int r;
        if ((r = cli_opt(c, c->argc, c->argv, &i, "--format", true, &v)) != 0)
            format = v;
        else if ((r = cli_opt(c, c->argc, c->argv, &i, "-o", true, &v)) != 0)
            a->out = v;
        else if ((r = cli_opt(c, c->argc, c->argv, &i, "--width", true, &v)) != 0)
            width_s = v;
        else if ((r = cli_opt(c, c->argc, c->argv, &i, "--link-headers", true, &v)) != 0)
            a->links = v;
        else if ((r = cli_opt(c, c->argc, c->argv, &i, "--ascii", false, NULL)) != 0)
            a->ascii = true;
        else if ((r = cli_opt(c, c->argc, c->argv, &i, "--by-address", false, NULL)) != 0)
            a->by_address = true;
        else if ((r = cli_opt(c, c->argc, c->argv, &i, "--related", false, NULL)) != 0)
            a->related = true;
        else if ((r = cli_opt(c, c->argc, c->argv, &i, "--all", false, NULL)) != 0)
            a->all = true;
        else if (c->argv[i][0] == '-' || *call)
            return cli_usage_error(c, "unexpected argument %s", c->argv[i]);
        else
            *call = c->argv[i];
        if (r < 0)
            return EXIT_USAGE;
    }
    if (!*call && !a->all)
        return cli_usage_error(c, "which call? (usage: sipscope ladder CALL-ID [--format F])");
    if (a->all && strcmp(a->out, "-") == 0)
        return cli_usage_error(c, "--all writes one file per call: give a directory with -o DIR");
    if (export_format_parse(format, &a->format) < 0)
        return cli_usage_error(c,
                               "unknown format '%s' (text, json, mermaid, plantuml, html, "
                               "svg, pcap)",
                               format);
    char *end = NULL;
    long w = width_s ? strtol(width_s, &end, 10) : 100;
    if ((width_s && (!*width_s || *end)) || w < 40 || w > 1000)
        return cli_usage_error(c, "--width wants 40..1000, not '%s'", width_s);
    a->width = (int)w;
    return 0;
}

int cmd_ladder(struct cli *c)
{
    struct ladder_args a = {.format = EXPORT_TEXT, .out = "-", .links = Q_LINK_HEADERS};
    char *call = NULL;
    int rc = parse_args(c, &a, &call);
    if (rc == 0)
        rc = c->nfiles ? cli_import_files(c, c->files, c->nfiles, false) : cli_open_db(c);
    if (rc != 0)
        return rc;
    if (a.all)
        return ladder_all(c, &a);
    char *ids[64];
    size_t nids = split_ids(call, ids, 64), ncalls = 0;
    int64_t *calls = NULL;
    rc = resolve(c, &a, ids, nids, &calls, &ncalls);
    if (rc == 0)
        rc = export_calls(c, &a, calls, ncalls, ids, nids, a.out);
    free(calls);
    return rc;
}
