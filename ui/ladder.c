/* ladder.c: the pure ladder layout (ladder.h): hosts -> columns in order of first appearance,
 * messages and RTP streams -> rows in time order, labels made printable. No I/O. */
#include "ui/ladder.h"
#include "ui/textsafe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LADDER_OTHERS "(other hosts)"

size_t ladder_printable(char *dst, size_t cap, const char *src)
{
    size_t k = 0;
    if (cap == 0)
        return 0;
    const unsigned char *p = (const unsigned char *)(src ? src : "");
    size_t n = strlen((const char *)p);
    for (size_t i = 0; i < n && k + 1 < cap;) {
        unsigned cp = 0;
        size_t l = text_utf8_len(p + i, n - i, &cp);
        bool c1 = cp >= 0x80 && cp < 0xA0;
        if (l == 0 || c1 || (l == 1 && (p[i] < 0x20 || p[i] == 0x7F))) {
            dst[k++] = '?';
            i += l ? l : 1; /* one '?' for a whole C1 character */
            continue;
        }
        if (k + l >= cap)
            break; /* never cut a character in two */
        memcpy(dst + k, p + i, l);
        k += l;
        i += l;
    }
    dst[k] = '\0';
    return k;
}

/* The column title of an endpoint: as is, or its address alone when folding by address
 * ("[2001:db8::1]:5060" -> "2001:db8::1", "192.0.2.1:5060" -> "192.0.2.1"). */
static void column_name(const char *ep, bool by_address, char *out, size_t cap)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%s", ep ? ep : "?");
    if (by_address) {
        char *colon = strrchr(tmp, ':');
        if (tmp[0] == '[') {
            char *close = strchr(tmp, ']');
            if (close) {
                *close = '\0';
                memmove(tmp, tmp + 1, strlen(tmp + 1) + 1);
            }
        } else if (colon && strchr(tmp, ':') == colon) {
            *colon = '\0';
        }
    }
    ladder_printable(out, cap, tmp);
}

/* Column of an endpoint, added when new; beyond LADDER_MAX_HOSTS every new one folds into the
 * last column, renamed "(other hosts)". */
static size_t column_of(struct ladder_layout *l, const char *ep, bool by_address)
{
    char name[64];
    column_name(ep, by_address, name, sizeof name);
    for (size_t i = 0; i < l->nhosts; i++) {
        if (strcmp(l->hosts[i], name) == 0)
            return i;
    }
    if (l->nhosts < LADDER_MAX_HOSTS) {
        snprintf(l->hosts[l->nhosts], sizeof l->hosts[0], "%s", name);
        return l->nhosts++;
    }
    snprintf(l->hosts[LADDER_MAX_HOSTS - 1], sizeof l->hosts[0], "%s", LADDER_OTHERS);
    return LADDER_MAX_HOSTS - 1;
}

/* A stream endpoint goes to the column of the same address when there is one (RTP ports differ
 * from SIP ports), else to a column of its own. */
static size_t stream_column(struct ladder_layout *l, const char *ep, bool by_address)
{
    char addr[64];
    column_name(ep, true, addr, sizeof addr);
    for (size_t i = 0; i < l->nhosts; i++) {
        char h[64];
        column_name(l->hosts[i], true, h, sizeof h);
        if (strcmp(h, addr) == 0)
            return i;
    }
    return column_of(l, ep, by_address);
}

static void label_msg(const struct ladder_msg *m, char *out, size_t cap)
{
    char tmp[256];
    int k;
    if (m->status)
        k = snprintf(tmp, sizeof tmp, "%d %s", m->status, m->reason ? m->reason : "");
    else
        k = snprintf(tmp, sizeof tmp, "%s", m->method ? m->method : "?");
    size_t len = k < 0 ? 0 : ((size_t)k < sizeof tmp ? (size_t)k : sizeof tmp - 1);
    while (len > 0 && tmp[len - 1] == ' ')
        len--;
    tmp[len] = '\0';
    char safe[LADDER_LABEL];
    size_t room = cap - 1 - (m->sdp ? 6 : 0) - (m->retrans ? 6 : 0);
    ladder_printable(safe, room + 1 < sizeof safe ? room + 1 : sizeof safe, tmp);
    size_t n = strlen(safe);
    memcpy(out, safe, n);
    if (m->sdp) {
        memcpy(out + n, " (SDP)", 6);
        n += 6;
    }
    if (m->retrans) {
        memcpy(out + n, " [rtx]", 6);
        n += 6;
    }
    out[n] = '\0';
}

static int class_of(const struct ladder_msg *m)
{
    if (m->status >= 100 && m->status <= 699)
        return m->status / 100;
    return LADDER_REQUEST;
}

static void set_row(struct ladder_row *r, size_t from, size_t to)
{
    r->from = from;
    r->to = to;
    r->left_to_right = from <= to;
}

/* Stream order by first_ns (stable: ties keep their order), as an index array. */
static size_t *stream_order(const struct ladder_stream *s, size_t n)
{
    size_t *ord = malloc((n ? n : 1) * sizeof *ord);
    if (!ord)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        while (j > 0 && s[ord[j - 1]].first_ns > s[i].first_ns) {
            ord[j] = ord[j - 1];
            j--;
        }
        ord[j] = i;
    }
    return ord;
}

static void add_stream_row(struct ladder_layout *l, const struct ladder_stream *s, bool by_addr)
{
    struct ladder_row *r = &l->rows[l->nrows++];
    memset(r, 0, sizeof *r);
    size_t from = stream_column(l, s->src, by_addr); /* the source's column comes first */
    set_row(r, from, stream_column(l, s->dst, by_addr));
    r->cls = LADDER_RTP;
    ladder_printable(r->label, sizeof r->label, s->label ? s->label : "RTP");
    r->stream = s;
    r->rel_ns = s->first_ns;
}

static void add_msg_row(struct ladder_layout *l, const struct ladder_msg *m, bool by_addr)
{
    struct ladder_row *r = &l->rows[l->nrows++];
    memset(r, 0, sizeof *r);
    size_t from = column_of(l, m->src, by_addr); /* the source's column comes first */
    set_row(r, from, column_of(l, m->dst, by_addr));
    r->cls = class_of(m);
    label_msg(m, r->label, sizeof r->label);
    r->msg = m;
    r->rel_ns = m->ts_ns;
}

int ladder_build(const struct ladder_msg *msgs, size_t nmsgs, const struct ladder_stream *streams,
                 size_t nstreams, const struct ladder_opts *opts, struct ladder_layout *out)
{
    memset(out, 0, sizeof *out);
    bool by_addr = opts && opts->by_address;
    size_t total = nmsgs + nstreams;
    out->rows = malloc((total ? total : 1) * sizeof *out->rows);
    size_t *ord = stream_order(streams, nstreams);
    if (!out->rows || !ord) {
        free(out->rows);
        free(ord);
        out->rows = NULL;
        return -1;
    }
    size_t si = 0;
    for (size_t i = 0; i < nmsgs; i++) {
        for (; si < nstreams && streams[ord[si]].first_ns < msgs[i].ts_ns; si++)
            add_stream_row(out, &streams[ord[si]], by_addr);
        add_msg_row(out, &msgs[i], by_addr);
    }
    for (; si < nstreams; si++)
        add_stream_row(out, &streams[ord[si]], by_addr);
    free(ord);
    /* rel_ns holds each row's absolute time until here */
    int64_t t0 = out->nrows ? out->rows[0].rel_ns : 0, prev = t0;
    for (size_t i = 0; i < out->nrows; i++) {
        int64_t t = out->rows[i].rel_ns;
        out->rows[i].rel_ns = t - t0;
        out->rows[i].delta_ns = t - prev;
        prev = t;
    }
    out->t0_ns = t0;
    return 0;
}

void ladder_layout_free(struct ladder_layout *l)
{
    if (!l)
        return;
    free(l->rows);
    l->rows = NULL;
    l->nrows = 0;
    l->nhosts = 0;
}

const char *ladder_class_name(int cls)
{
    static const char *const names[] = {"request", "1xx", "2xx", "3xx", "4xx",
                                        "5xx",     "6xx", "",    "",    "rtp"};
    if (cls < 0 || cls > LADDER_RTP || !names[cls][0])
        return "request";
    return names[cls];
}

char *ladder_rtp_label(char *out, size_t cap, const struct ladder_rtp_fig *f)
{
    char codec[64], dtmf[48] = "", mos[32] = "", tmp[256];
    ladder_printable(codec, sizeof codec, f->codec ? f->codec : "?");
    if (f->mos >= 0)
        snprintf(mos, sizeof mos, " MOS %.2f", f->mos);
    if (f->dtmf && f->dtmf[0]) {
        char d[40];
        ladder_printable(d, sizeof d, f->dtmf);
        snprintf(dtmf, sizeof dtmf, " DTMF %s", d);
    }
    snprintf(tmp, sizeof tmp, "RTP %s %lld pkts %lld lost max jitter %.2f ms%s%s%s", codec,
             (long long)f->packets, (long long)f->lost, f->max_jitter_ms, mos, dtmf,
             f->problem ? " [seq/ts errors]" : "");
    if (cap)
        snprintf(out, cap, "%s", tmp);
    return out;
}
