/* cli_ladder.c: `sipscope ladder CALL`: one or several calls' message sequence as text or JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/query.h"
#include "ui/cli.h"
#include "ui/json.h"

#define LADDER_MAX_HOSTS 32

struct lmsg {
    int64_t ts_ns;
    char *src, *dst, *transport, *method, *reason, *cseq_method, *call_id;
    int status;
    int64_t cseq;
    int flags;
};

struct ladder {
    struct lmsg *v;
    size_t n, cap;
};

static char *dup_or_null(const char *s)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        abort();
    return d;
}

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
        .ts_ns = m->ts_ns,
        .src = dup_or_null(m->src),
        .dst = dup_or_null(m->dst),
        .transport = dup_or_null(m->transport),
        .method = dup_or_null(m->method),
        .reason = dup_or_null(m->reason),
        .cseq_method = dup_or_null(m->cseq_method),
        .call_id = dup_or_null(m->call_id),
        .status = m->status,
        .cseq = m->cseq,
        .flags = m->flags,
    };
    return 0;
}

static void ladder_free(struct ladder *l)
{
    for (size_t i = 0; i < l->n; i++) {
        struct lmsg *m = &l->v[i];
        free(m->src);
        free(m->dst);
        free(m->transport);
        free(m->method);
        free(m->reason);
        free(m->cseq_method);
        free(m->call_id);
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

static void json_ladder(FILE *o, const struct ladder *l, char **ids, size_t nids)
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
    fputs("],\"rtp_streams\":[]}\n", o);
}

/* A printable copy of wire text for the terminal: control bytes and non-ASCII become '?'. */
static void safe_copy(char *dst, size_t cap, const char *s)
{
    size_t k = 0;
    for (; s && *s && k + 1 < cap; s++) {
        unsigned char ch = (unsigned char)*s;
        dst[k++] = (ch < 0x20 || ch >= 0x7F) ? '?' : (char)ch;
    }
    dst[k] = '\0';
}

static void label_of(const struct lmsg *m, char *buf, size_t n)
{
    char tmp[128];
    if (m->status)
        snprintf(tmp, sizeof tmp, "%d %s", m->status, m->reason ? m->reason : "");
    else
        snprintf(tmp, sizeof tmp, "%s", m->method ? m->method : "?");
    size_t len = strlen(tmp);
    if (m->flags & DB_MSG_SDP)
        snprintf(tmp + len, sizeof tmp - len, " (SDP)");
    len = strlen(tmp);
    if (m->flags & DB_MSG_RETRANS)
        snprintf(tmp + len, sizeof tmp - len, " [rtx]");
    safe_copy(buf, n, tmp);
}

static size_t host_index(const char **hosts, size_t nh, const char *h)
{
    for (size_t i = 0; i < nh; i++) {
        if (strcmp(hosts[i], h) == 0)
            return i;
    }
    return 0;
}

/* Draws one arrow row into line (len w): lanes '|' at each host, the arrow between a and b. */
static void draw_arrow(char *line, size_t w, const size_t *x, size_t nh, size_t a, size_t b,
                       const char *label)
{
    memset(line, ' ', w);
    line[w] = '\0';
    for (size_t i = 0; i < nh; i++)
        line[x[i]] = '|';
    size_t lo = x[a] < x[b] ? x[a] : x[b], hi = x[a] < x[b] ? x[b] : x[a];
    if (a == b) {
        hi = lo + 6 < w ? lo + 6 : w - 1;
    }
    for (size_t i = lo + 1; i < hi; i++)
        line[i] = '-';
    if (x[a] <= x[b])
        line[hi - 1] = '>';
    else
        line[lo + 1] = '<';
    size_t span = hi - lo > 4 ? hi - lo - 4 : 0;
    size_t ll = strlen(label);
    if (ll > span)
        ll = span;
    size_t start = lo + 2 + (span - ll) / 2;
    memcpy(line + start, label, ll);
}

static void text_ladder(FILE *o, const struct ladder *l, int width)
{
    const char *hosts[LADDER_MAX_HOSTS];
    size_t nh = hosts_of(l, hosts);
    const size_t left = 22; /* "  12.345678 +0.000123 " */
    size_t colw = nh ? ((size_t)width - left) / nh : 20;
    if (colw < 18)
        colw = 18;
    size_t x[LADDER_MAX_HOSTS], w = left + colw * nh;
    char *line = malloc(w + 1);
    if (!line)
        abort();
    memset(line, ' ', w);
    line[w] = '\0';
    for (size_t i = 0; i < nh; i++) {
        x[i] = left + colw * i + colw / 2;
        char h[64];
        safe_copy(h, sizeof h, hosts[i]);
        size_t hl = strlen(h) < colw - 1 ? strlen(h) : colw - 1;
        memcpy(line + x[i] - hl / 2, h, hl);
    }
    fprintf(o, "%s\n", line);
    int64_t t0 = l->n ? l->v[0].ts_ns : 0, prev = t0;
    for (size_t i = 0; i < l->n; i++) {
        const struct lmsg *m = &l->v[i];
        char label[128];
        label_of(m, label, sizeof label);
        draw_arrow(line, w, x, nh, host_index(hosts, nh, m->src), host_index(hosts, nh, m->dst),
                   label);
        int64_t rel = m->ts_ns - t0, d = m->ts_ns - prev;
        prev = m->ts_ns;
        char stamp[32];
        snprintf(stamp, sizeof stamp, "%9.6f +%.6f", (double)rel / 1e9, (double)d / 1e9);
        memcpy(line, stamp, strlen(stamp) < left - 1 ? strlen(stamp) : left - 1);
        fprintf(o, "%s\n", line);
    }
    free(line);
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

static int load(struct cli *c, char **ids, size_t nids, struct ladder *l)
{
    char err[1024];
    int64_t all[256];
    size_t nall = 0;
    for (size_t i = 0; i < nids; i++) {
        int64_t *v = NULL;
        size_t n = 0;
        if (q_call_ids(c->db, ids[i], c->captures, c->ncaptures, &v, &n, err, sizeof err) < 0)
            return cli_runtime_error("%s", err);
        if (n == 0) {
            free(v);
            return cli_runtime_error("%s: no such call in %s", ids[i], c->db->path);
        }
        for (size_t k = 0; k < n && nall < 256; k++)
            all[nall++] = v[k];
        free(v);
    }
    if (q_messages(c->db, all, nall, collect, l, err, sizeof err) < 0)
        return cli_runtime_error("%s", err);
    return 0;
}

int cmd_ladder(struct cli *c)
{
    const char *format = "text", *out = "-", *width_s = NULL;
    char *call = NULL;
    for (int i = 0; i < c->argc; i++) {
        const char *v = NULL;
        int r;
        if ((r = cli_opt(c, c->argc, c->argv, &i, "--format", true, &v)) != 0) {
            format = v;
        } else if ((r = cli_opt(c, c->argc, c->argv, &i, "-o", true, &v)) != 0) {
            out = v;
        } else if ((r = cli_opt(c, c->argc, c->argv, &i, "--width", true, &v)) != 0) {
            width_s = v;
        } else if ((r = cli_opt(c, c->argc, c->argv, &i, "--ascii", false, NULL)) != 0) {
            r = 1;
        } else if (c->argv[i][0] == '-' || call) {
            return cli_usage_error(c, "unexpected argument %s", c->argv[i]);
        } else {
            call = c->argv[i];
            r = 1;
        }
        if (r < 0)
            return EXIT_USAGE;
    }
    if (!call)
        return cli_usage_error(c, "which call? (usage: sipscope ladder CALL-ID [--format F])");
    bool json = strcmp(format, "json") == 0;
    if (!json && strcmp(format, "text") != 0)
        return cli_usage_error(c, "unknown or not yet supported format '%s' (text, json)", format);
    int width = width_s ? atoi(width_s) : 100;
    if (width < 40 || width > 1000)
        return cli_usage_error(c, "--width wants 40..1000, not '%s'", width_s);
    int rc = c->nfiles ? cli_import_files(c, c->files, c->nfiles, false) : cli_open_db(c);
    if (rc != 0)
        return rc;
    char *ids[64];
    size_t nids = split_ids(call, ids, 64);
    struct ladder l = {0};
    rc = load(c, ids, nids, &l);
    FILE *o = stdout;
    if (rc == 0 && strcmp(out, "-") != 0) {
        o = fopen(out, "w");
        if (!o)
            rc = cli_runtime_error("%s: cannot write: %m", out);
    }
    if (rc == 0) {
        if (json)
            json_ladder(o, &l, ids, nids);
        else
            text_ladder(o, &l, width);
        if ((o == stdout ? fflush(o) : fclose(o)) != 0)
            rc = cli_runtime_error("%s: write error", out);
    }
    ladder_free(&l);
    return rc;
}
