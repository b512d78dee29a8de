/* diag_sdp.c: diagnostics rules over SDP offer/answer (RFC 3264 §5, §6, §8.4) and the call's RTP
 * streams (RFC 3550): m= line and codec mismatch, directions, addresses, missing or one-way media,
 * quality thresholds. One rule per function (dissect/diag_priv.h). */
#include "dissect/banned.h"
#include "dissect/diag_priv.h"

#define DIAG_MAX_PAIRS 16 /* offer/answer exchanges looked at per call */

struct oa {
    size_t offer, answer; /* message indexes; answer DIAG_NONE when none was seen */
};

static const struct sdp *sdp_at(const struct diag_ctx *x, size_t i)
{
    return x->c->msg[i].sdp;
}

/* First response to (cseq, method) after i with SDP (status > 100), or DIAG_NONE. */
static size_t sdp_response(const struct diag_ctx *x, size_t i, uint32_t cseq, uint8_t method,
                           bool only_2xx)
{
    for (size_t j = i + 1; j < x->n; j++) {
        const struct dm *e = &x->dm[j];
        if (e->m && !e->req && e->cseq == cseq && e->method == method && e->status > 100 &&
            e->status < 300 && (!only_2xx || e->status >= 200) && sdp_at(x, j))
            return j;
    }
    return DIAG_NONE;
}

/* The offer/answer exchanges (RFC 3264 §3; RFC 3261 §13.2.1: offer in INVITE and answer in a
 * reliable response, or offer in the 2xx and answer in the ACK). One per CSeq/method, so a
 * proxied call's second leg does not count twice. */
static size_t pairs_of(const struct diag_ctx *x, struct oa *p)
{
    size_t n = 0;
    uint32_t seen_cseq[DIAG_MAX_PAIRS];
    uint8_t seen_m[DIAG_MAX_PAIRS];
    for (size_t i = 0; i < x->n && n < DIAG_MAX_PAIRS; i++) {
        const struct dm *d = &x->dm[i];
        if (!d->m || !d->req || d->first != i || !d->has_cseq ||
            (d->method != SIP_M_INVITE && d->method != SIP_M_UPDATE && d->method != SIP_M_PRACK))
            continue;
        size_t k = 0;
        while (k < n && !(seen_cseq[k] == d->cseq && seen_m[k] == d->method))
            k++;
        if (k < n)
            continue;
        if (sdp_at(x, i)) {
            p[n] = (struct oa){i, sdp_response(x, i, d->cseq, d->method, false)};
        } else if (d->method == SIP_M_INVITE) {
            size_t off = sdp_response(x, i, d->cseq, d->method, true);
            if (off == DIAG_NONE)
                continue;
            size_t ans = DIAG_NONE;
            for (size_t j = off + 1; j < x->n && ans == DIAG_NONE; j++)
                if (x->dm[j].m && x->dm[j].method == SIP_M_ACK && x->dm[j].cseq == d->cseq &&
                    sdp_at(x, j))
                    ans = j;
            p[n] = (struct oa){off, ans};
        } else {
            continue;
        }
        seen_cseq[n] = d->cseq;
        seen_m[n] = d->method;
        n++;
    }
    return n;
}

static bool fmt_same(const struct sdp_fmt *a, const struct sdp_fmt *b)
{
    if (a->encoding.len && b->encoding.len)
        return a->encoding.len == b->encoding.len &&
               slice_ieq(a->encoding, (const char *)b->encoding.p, b->encoding.len) &&
               a->clock_rate == b->clock_rate;
    return a->pt == b->pt && a->pt < 96;
}

static bool common_codec(const struct sdp_media *o, const struct sdp_media *a)
{
    for (unsigned i = 0; i < a->nfmt; i++)
        for (unsigned j = 0; j < o->nfmt; j++)
            if (fmt_same(&a->fmt[i], &o->fmt[j]))
                return true;
    return false;
}

void rule_sdp_mismatch(struct diag_ctx *x)
{
    struct oa p[DIAG_MAX_PAIRS];
    size_t n = pairs_of(x, p);
    for (size_t k = 0; k < n; k++) {
        if (p[k].answer == DIAG_NONE)
            continue;
        const struct sdp *o = sdp_at(x, p[k].offer), *a = sdp_at(x, p[k].answer);
        size_t refs[2] = {p[k].offer, p[k].answer};
        if (o->nmedia != a->nmedia) {
            diag_emit(x, 0, refs, 2, "offer has %u m= line(s), the answer %u", o->nmedia,
                      a->nmedia);
            continue;
        }
        for (unsigned i = 0; i < o->nmedia; i++)
            if (!diag_slice_same(o->media[i].media, a->media[i].media)) {
                diag_emit(x, 0, refs, 2, "m= line %u is %.*s in the offer, %.*s in the answer", i,
                          (int)o->media[i].media.len, (const char *)o->media[i].media.p,
                          (int)a->media[i].media.len, (const char *)a->media[i].media.p);
                break;
            }
    }
}

static void fmt_list(const struct sdp_media *m, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = 0;
    for (unsigned i = 0; i < m->nfmt && len + 24 < size; i++) {
        const struct sdp_fmt *f = &m->fmt[i];
        int w = f->encoding.len ? snprintf(buf + len, size - len, "%s%.*s", len ? "," : "",
                                           (int)(f->encoding.len > 16 ? 16 : f->encoding.len),
                                           (const char *)f->encoding.p)
                                : snprintf(buf + len, size - len, "%s%u", len ? "," : "", f->pt);
        if (w > 0 && (size_t)w < size - len)
            len += (size_t)w;
    }
}

void rule_no_common_codec(struct diag_ctx *x)
{
    struct oa p[DIAG_MAX_PAIRS];
    size_t n = pairs_of(x, p);
    char list[80];
    for (size_t k = 0; k < n; k++) {
        const struct sdp *o = sdp_at(x, p[k].offer);
        size_t refs[2] = {p[k].offer, p[k].answer};
        if (p[k].answer == DIAG_NONE) {
            const struct dm *d = &x->dm[p[k].offer];
            const struct dtxn *t = d->txn != DIAG_NONE ? &x->tx[d->txn] : NULL;
            unsigned st = t && t->final != DIAG_NONE ? x->dm[t->final].status : 0;
            if (d->req && (st == 488 || st == 606) && o->nmedia) {
                fmt_list(&o->media[0], list, sizeof list);
                refs[1] = t->final;
                diag_emit(x, 0, refs, 2,
                          "offer (%s) rejected with %u: no acceptable codec or media", list, st);
            }
            continue;
        }
        const struct sdp *a = sdp_at(x, p[k].answer);
        unsigned nm = o->nmedia < a->nmedia ? o->nmedia : a->nmedia, accepted = 0;
        for (unsigned i = 0; i < nm; i++) {
            if (a->media[i].port == 0)
                continue;
            accepted++;
            if (!common_codec(&o->media[i], &a->media[i])) {
                fmt_list(&a->media[i], list, sizeof list);
                diag_emit(x, 0, refs, 2, "answer m= line %u accepts %s, none of them offered", i,
                          list);
            }
        }
        if (nm && !accepted && o->media[0].port != 0)
            diag_emit(x, 0, refs, 2, "answer rejects every offered media stream (port 0)");
    }
}

static uint8_t dir_of(const struct sdp *s, unsigned i)
{
    uint8_t d = s->media[i].dir;
    return d == SDP_DIR_NONE ? SDP_DIR_SENDRECV : d;
}

static const char *dir_name(uint8_t d)
{
    static const char *n[] = {"sendrecv", "sendrecv", "sendonly", "recvonly", "inactive"};
    return d < 5 ? n[d] : "?";
}

void rule_answer_direction(struct diag_ctx *x)
{
    struct oa p[DIAG_MAX_PAIRS];
    size_t n = pairs_of(x, p);
    for (size_t k = 0; k < n; k++) {
        if (p[k].answer == DIAG_NONE)
            continue;
        const struct sdp *o = sdp_at(x, p[k].offer), *a = sdp_at(x, p[k].answer);
        unsigned nm = o->nmedia < a->nmedia ? o->nmedia : a->nmedia;
        for (unsigned i = 0; i < nm; i++) {
            uint8_t od = dir_of(o, i), ad = dir_of(a, i);
            bool ok = od == SDP_DIR_SENDRECV || ad == SDP_DIR_INACTIVE ||
                      (od == SDP_DIR_SENDONLY && ad == SDP_DIR_RECVONLY) ||
                      (od == SDP_DIR_RECVONLY && ad == SDP_DIR_SENDONLY);
            if (ok || a->media[i].port == 0)
                continue;
            size_t refs[2] = {p[k].offer, p[k].answer};
            diag_emit(x, 0, refs, 2, "m= line %u offered %s, answered %s", i, dir_name(od),
                      dir_name(ad));
        }
    }
}

static bool zero_addr(const struct net_addr *a)
{
    static const uint8_t z[16];
    return a->family == 4 && memcmp(a->a, z, 4) == 0;
}

void rule_sdp_zero_addr(struct diag_ctx *x)
{
    for (size_t i = 0; i < x->n; i++) {
        const struct sdp *s = sdp_at(x, i);
        if (!s || x->dm[i].first != i)
            continue;
        for (unsigned k = 0; k < s->nmedia; k++)
            if (s->media[k].port && zero_addr(&s->media[k].conn)) {
                diag_emit(x, 0, &i, 1,
                          "SDP media address 0.0.0.0 (RFC 2543 hold; use a=sendonly/inactive)");
                break;
            }
    }
}

void rule_sdp_private_addr(struct diag_ctx *x)
{
    for (size_t i = 0; i < x->n; i++) {
        const struct sdp *s = sdp_at(x, i);
        struct net_addr src, dst;
        if (!s || x->dm[i].first != i || !diag_endpoint_addr(x->c->msg[i].src, &src) ||
            !diag_endpoint_addr(x->c->msg[i].dst, &dst))
            continue;
        if (!diag_addr_public(&src) && !diag_addr_public(&dst))
            continue;
        for (unsigned k = 0; k < s->nmedia; k++) {
            if (!s->media[k].port || !diag_addr_private(&s->media[k].conn))
                continue;
            char a[64];
            net_addr_fmt(&s->media[k].conn, a, sizeof a);
            diag_emit(x, 0, &i, 1,
                      "SDP announces private media address %s in a message sent from %s to %s", a,
                      x->c->msg[i].src, x->c->msg[i].dst);
            break;
        }
    }
}

/* The first exchange answered in a 2xx (or its ACK) whose audio is live both ways, or false. */
static bool answered_media(const struct diag_ctx *x, struct oa *out, size_t *ok2xx)
{
    struct oa p[DIAG_MAX_PAIRS];
    size_t n = pairs_of(x, p);
    for (size_t k = 0; k < n; k++) {
        if (p[k].answer == DIAG_NONE)
            continue;
        const struct dm *o = &x->dm[p[k].offer], *a = &x->dm[p[k].answer];
        size_t ok = !o->req ? p[k].offer : (a->status >= 200 ? p[k].answer : DIAG_NONE);
        if (o->method != SIP_M_INVITE || ok == DIAG_NONE)
            continue;
        const struct sdp *so = sdp_at(x, p[k].offer), *sa = sdp_at(x, p[k].answer);
        if (!so->nmedia || !sa->nmedia || !so->media[0].port || !sa->media[0].port ||
            zero_addr(&so->media[0].conn) || zero_addr(&sa->media[0].conn) ||
            dir_of(so, 0) != SDP_DIR_SENDRECV || dir_of(sa, 0) != SDP_DIR_SENDRECV)
            continue;
        *out = p[k];
        *ok2xx = ok;
        return true;
    }
    return false;
}

void rule_no_rtp(struct diag_ctx *x)
{
    struct oa p;
    size_t ok;
    if (x->c->nrtp || !answered_media(x, &p, &ok))
        return;
    int64_t end = x->end_ns;
    for (size_t j = ok + 1; j < x->n; j++)
        if (x->dm[j].m && x->dm[j].req && x->dm[j].method == SIP_M_BYE) {
            end = x->c->msg[j].ts_ns;
            break;
        }
    if (end - x->c->msg[ok].ts_ns < DIAG_NO_RTP_NS)
        return;
    diag_emit(x, 0, &ok, 1, "no RTP stream seen in %.1f s after the call was answered",
              (double)(end - x->c->msg[ok].ts_ns) / 1e9);
}

static void endpoint_of(const struct sdp_media *m, char *buf, size_t n)
{
    struct net_endpoint e = {.addr = m->conn, .port = m->port};
    net_endpoint_fmt(&e, buf, n);
}

void rule_one_way_rtp(struct diag_ctx *x)
{
    struct oa p;
    size_t ok;
    if (!x->c->nrtp || !answered_media(x, &p, &ok))
        return;
    char oep[64], aep[64];
    endpoint_of(&sdp_at(x, p.offer)->media[0], oep, sizeof oep);
    endpoint_of(&sdp_at(x, p.answer)->media[0], aep, sizeof aep);
    unsigned to_o = 0, to_a = 0;
    for (size_t i = 0; i < x->c->nrtp; i++) {
        to_o += strcmp(x->c->rtp[i].dst, oep) == 0 && x->c->rtp[i].packets > 0;
        to_a += strcmp(x->c->rtp[i].dst, aep) == 0 && x->c->rtp[i].packets > 0;
    }
    if ((to_o == 0) == (to_a == 0))
        return;
    size_t refs[2] = {p.offer, p.answer};
    diag_emit(x, 0, refs, 2, "RTP reaches %s only; nothing reaches %s (NAT or firewall?)",
              to_o ? oep : aep, to_o ? aep : oep);
}

void rule_rtp_quality(struct diag_ctx *x)
{
    for (size_t i = 0; i < x->c->nrtp; i++) {
        const struct diag_rtp *r = &x->c->rtp[i];
        double loss = r->expected > 0 ? 100.0 * (double)r->lost / (double)r->expected : 0;
        enum diag_sev sev = 0;
        if (loss > DIAG_LOSS_INFO_PCT)
            sev = DIAG_INFO;
        if (loss > DIAG_LOSS_WARN_PCT || r->max_jitter_ms > DIAG_JITTER_WARN_MS ||
            (r->mos >= 0 && r->mos < DIAG_MOS_WARN))
            sev = DIAG_WARNING;
        if (!sev)
            continue;
        char mos[16] = "-";
        if (r->mos >= 0)
            snprintf(mos, sizeof mos, "%.2f", r->mos);
        diag_emit(x, sev, NULL, 0,
                  "RTP %s -> %s: %lld lost of %lld (%.1f %%), max jitter %.1f ms, MOS %s", r->src,
                  r->dst, (long long)r->lost, (long long)r->expected, loss, r->max_jitter_ms, mos);
    }
}

/* The length of the address part of an "ip:port" / "[v6]:port" endpoint. */
static size_t host_len(const char *ep)
{
    const char *colon = strrchr(ep, ':');
    return colon ? (size_t)(colon - ep) : strlen(ep);
}

/* True when an SDP of the call announced ep (addr_only: its address at any port); the
 * announced endpoint into match. */
static bool sdp_announced(const struct diag_ctx *x, const char *ep, bool addr_only, char *match,
                          size_t n)
{
    size_t hl = host_len(ep);
    for (size_t i = 0; i < x->n; i++) {
        const struct sdp *s = x->c->msg[i].sdp;
        for (unsigned k = 0; s && k < s->nmedia && k < SDP_MAX_MEDIA; k++) {
            char buf[64];
            if (!s->media[k].port || !s->media[k].conn.family)
                continue;
            endpoint_of(&s->media[k], buf, sizeof buf);
            bool hit =
                addr_only ? host_len(buf) == hl && memcmp(buf, ep, hl) == 0 : strcmp(buf, ep) == 0;
            if (hit) {
                snprintf(match, n, "%s", buf);
                return true;
            }
        }
    }
    return false;
}

/* A stream of the call on no endpoint its SDP announced, at an address it did announce (found
 * by --rtp-heuristic, docs/media.md): media sent to a port the offer/answer never named. */
void rule_rtp_unannounced_port(struct diag_ctx *x)
{
    for (size_t i = 0; i < x->c->nrtp; i++) {
        const struct diag_rtp *r = &x->c->rtp[i];
        char m[64];
        if (sdp_announced(x, r->src, false, m, sizeof m) ||
            sdp_announced(x, r->dst, false, m, sizeof m))
            continue;
        const char *side = r->dst;
        if (!sdp_announced(x, side, true, m, sizeof m)) {
            side = r->src;
            if (!sdp_announced(x, side, true, m, sizeof m))
                continue;
        }
        diag_emit(x, 0, NULL, 0,
                  "RTP %s -> %s (%lld packets): %s is a port no SDP of the call announced (SDP "
                  "announced %s)",
                  r->src, r->dst, (long long)r->packets, side, m);
    }
}
