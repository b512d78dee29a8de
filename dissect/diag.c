/* diag.c: the diagnostics engine (dissect/diag.h): the rule table, one pass that finds each
 * message's transaction (RFC 3261 §17.1.3: top Via branch + CSeq method) and first copy on its hop,
 * then every rule in table order; shared helpers of the rule files. */
#include <stdarg.h>

#include "dissect/banned.h"
#include "dissect/diag_priv.h"

struct rule {
    struct diag_rule_info info;
    void (*fn)(struct diag_ctx *x);
};

#define R(id, sev, spec, title, fn)                                                                \
    {                                                                                              \
        {id, sev, spec, title}, fn                                                                 \
    }
static const struct rule rules[] = {
    R("invite-retrans", DIAG_WARNING, "RFC 3261 §17.1.1.2", "INVITE retransmitted (timer A)",
      rule_invite_retrans),
    R("request-retrans", DIAG_WARNING, "RFC 3261 §17.1.2.2",
      "non-INVITE request retransmitted (timer E)", rule_request_retrans),
    R("2xx-no-ack", DIAG_ERROR, "RFC 3261 §13.3.1.4", "2xx to INVITE never acknowledged",
      rule_2xx_no_ack),
    R("invite-no-final", DIAG_ERROR, "RFC 3261 §17.1.1.2",
      "INVITE without final response (timer B)", rule_invite_no_final),
    R("non-invite-no-final", DIAG_ERROR, "RFC 3261 §17.1.2.2",
      "non-INVITE request without final response (timer F)", rule_non_invite_no_final),
    R("cancel-after-final", DIAG_WARNING, "RFC 3261 §9.1", "CANCEL after a final response",
      rule_cancel_after_final),
    R("ack-branch", DIAG_ERROR, "RFC 3261 §17.1.1.3", "ACK for a non-2xx on another branch",
      rule_ack_branch),
    R("bye-no-dialog", DIAG_WARNING, "RFC 3261 §15", "BYE without a confirmed dialog",
      rule_bye_no_dialog),
    R("cseq-backwards", DIAG_WARNING, "RFC 3261 §12.2.1.1", "CSeq going backwards in a dialog",
      rule_cseq_backwards),
    R("to-tag-changed", DIAG_WARNING, "RFC 3261 §12.2.1.1, §12.2.2, §8.2.6.2",
      "To/From tags of no established dialog in an in-dialog message", rule_to_tag_changed),
    R("missing-contact", DIAG_ERROR, "RFC 3261 §8.1.1.8, §12.1.1",
      "no Contact in a dialog-creating request or 2xx", rule_missing_contact),
    R("max-forwards", DIAG_ERROR, "RFC 3261 §16.3 item 2, §8.1.1.6",
      "Max-Forwards exhausted (0 / 483)", rule_max_forwards),
    R("loop-detected", DIAG_ERROR, "RFC 3261 §16.3 item 4, §21.4.20", "482 Loop Detected",
      rule_loop_482),
    R("trying-forwarded", DIAG_WARNING, "RFC 3261 §16.7 items 3, 5; §16.11",
      "100 Trying forwarded upstream by a proxy", rule_trying_forwarded),
    R("via-branch-cookie", DIAG_WARNING, "RFC 3261 §8.1.1.7",
      "Via branch without the z9hG4bK magic cookie", rule_via_cookie),
    R("content-length", DIAG_ERROR, "RFC 3261 §18.3, §20.14",
      "Content-Length disagrees with the body", rule_content_length),
    R("missing-header", DIAG_ERROR, "RFC 3261 §8.1.1, §8.2.6.2", "required header missing",
      rule_missing_header),
    R("auth-loop", DIAG_ERROR, "RFC 3261 §22.2, §22.3", "credentials challenged again",
      rule_auth_loop),
    R("register-no-auth", DIAG_INFO, "3GPP TS 24.229 §5.1.1.2; RFC 3261 §22.2",
      "initial REGISTER without Authorization answered 401", rule_register_no_auth),
    R("register-423", DIAG_WARNING, "RFC 3261 §10.2.8, §10.3",
      "423 Interval Too Brief not followed by a higher Expires", rule_register_423),
    R("retry-after-ignored", DIAG_WARNING, "RFC 3261 §20.33, §21.5.4",
      "request repeated before Retry-After elapsed", rule_retry_after),
    R("post-dial-delay", DIAG_WARNING, "ITU-T E.721; RFC 6076 §4.1",
      "post-dial delay above threshold", rule_post_dial_delay),
    R("sdp-mline-mismatch", DIAG_ERROR, "RFC 3264 §6", "answer m= lines do not match the offer",
      rule_sdp_mismatch),
    R("no-common-codec", DIAG_ERROR, "RFC 3264 §6.1, RFC 3261 §21.4.26",
      "offer and answer share no codec / 488", rule_no_common_codec),
    R("answer-direction", DIAG_WARNING, "RFC 3264 §6.1",
      "answer direction inconsistent with the offer", rule_answer_direction),
    R("sdp-zero-addr", DIAG_INFO, "RFC 3264 §8.4", "SDP connection address 0.0.0.0",
      rule_sdp_zero_addr),
    R("sdp-private-addr", DIAG_WARNING, "RFC 1918; RFC 3264 §5",
      "private media address in SDP across a public path", rule_sdp_private_addr),
    R("no-rtp", DIAG_INFO, "RFC 3264 §5; RFC 3550", "no RTP after the call was answered",
      rule_no_rtp),
    R("one-way-rtp", DIAG_WARNING, "RFC 3264 §6.1; RFC 3550", "RTP in one direction only",
      rule_one_way_rtp),
    R("rtp-quality", DIAG_WARNING, "RFC 3550 §6.4.1; ITU-T G.107",
      "RTP loss, jitter or MOS beyond thresholds", rule_rtp_quality),
    R("rtp-unannounced-port", DIAG_WARNING, "RFC 3264 §5; RFC 8866 §5.14",
      "RTP to a port SDP never announced", rule_rtp_unannounced_port),
};

const struct diag_rule_info *diag_rules(size_t *n)
{
    static struct diag_rule_info info[sizeof rules / sizeof rules[0]];
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        info[i] = rules[i].info;
    *n = sizeof rules / sizeof rules[0];
    return info;
}

bool diag_rule_known(const char *id)
{
    for (size_t i = 0; id && i < sizeof rules / sizeof rules[0]; i++)
        if (strcmp(rules[i].info.id, id) == 0)
            return true;
    return false;
}

const char *diag_sev_name(enum diag_sev s)
{
    return s == DIAG_ERROR ? "error" : s == DIAG_WARNING ? "warning" : "info";
}

enum diag_sev diag_sev_parse(const char *s)
{
    static const char *names[] = {"info", "warning", "error"};
    for (int i = 0; i < 3; i++)
        if (s && strcmp(s, names[i]) == 0)
            return (enum diag_sev)(i + 1);
    return 0;
}

void diag_emit(struct diag_ctx *x, enum diag_sev sev, const size_t *refs, unsigned nref,
               const char *fmt, ...)
{
    struct diag_result *r = x->r;
    if (r->n >= DIAG_MAX_FINDINGS) {
        r->dropped++;
        return;
    }
    struct diag_finding *f = &r->f[r->n++];
    const struct rule *ru = &rules[x->rule];
    f->rule = ru->info.id;
    f->sev = sev ? sev : ru->info.sev;
    f->spec = ru->info.spec;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->text, sizeof f->text, fmt, ap);
    va_end(ap);
    f->nref = 0;
    for (unsigned i = 0; i < nref && f->nref < DIAG_MAX_REFS; i++)
        if (refs[i] != DIAG_NONE)
            f->ref[f->nref++] = refs[i];
}

bool diag_slice_same(struct slice a, struct slice b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

bool diag_same_hop(const struct diag_ctx *x, size_t a, size_t b)
{
    const struct diag_msg *m = x->c->msg;
    return strcmp(m[a].src, m[b].src) == 0 && strcmp(m[a].dst, m[b].dst) == 0;
}

const char *diag_method_text(const struct dm *d)
{
    const char *s = sip_method_name((enum sip_method)d->method);
    return s ? s : "request";
}

struct slice diag_auth_param(struct slice v, const char *name, size_t n)
{
    size_t i = 0;
    while (i < v.len) {
        while (i < v.len && (v.p[i] == ' ' || v.p[i] == ',' || v.p[i] == '\t'))
            i++;
        size_t start = i;
        while (i < v.len && v.p[i] != '=' && v.p[i] != ',' && v.p[i] != ' ')
            i++;
        bool hit = slice_ieq(slice_make(v.p + start, i - start), name, n);
        while (i < v.len && v.p[i] == ' ')
            i++;
        if (i >= v.len || v.p[i] != '=') {
            continue;
        }
        i++;
        while (i < v.len && v.p[i] == ' ')
            i++;
        size_t vs = i;
        if (i < v.len && v.p[i] == '"') {
            vs = ++i;
            while (i < v.len && v.p[i] != '"')
                i++;
        } else {
            while (i < v.len && v.p[i] != ',' && v.p[i] != ' ')
                i++;
        }
        if (hit)
            return slice_make(v.p + vs, i - vs);
        if (i < v.len && v.p[i] == '"')
            i++;
    }
    return SLICE_NULL;
}

bool diag_endpoint_addr(const char *ep, struct net_addr *out)
{
    const char *colon = strrchr(ep, ':');
    if (!colon)
        return false;
    return net_addr_parse(slice_make(ep, (size_t)(colon - ep)), out);
}

bool diag_addr_private(const struct net_addr *a)
{
    const uint8_t *b = a->a;
    if (a->family == 4)
        return b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168) ||
               (b[0] == 100 && (b[1] & 0xc0) == 64);
    if (a->family == 6)
        return (b[0] & 0xfe) == 0xfc;
    return false;
}

bool diag_addr_public(const struct net_addr *a)
{
    const uint8_t *b = a->a;
    if (a->family == 4)
        return !diag_addr_private(a) && b[0] != 127 && b[0] != 0 && !(b[0] == 169 && b[1] == 254) &&
               b[0] < 224;
    if (a->family == 6) {
        static const uint8_t zero[15];
        bool loop = memcmp(b, zero, 15) == 0;
        return !loop && !diag_addr_private(a) && !(b[0] == 0xfe && (b[1] & 0xc0) == 0x80) &&
               b[0] != 0xff;
    }
    return false;
}

/* Transaction of message i (created when new); searches the most recent ones first. */
static size_t txn_of(struct diag_ctx *x, size_t i)
{
    struct dm *d = &x->dm[i];
    for (size_t k = x->ntx; k-- > 0;) {
        struct dtxn *t = &x->tx[k];
        if (t->cseq == d->cseq && t->method == d->method && diag_slice_same(t->branch, d->branch))
            return k;
    }
    struct dtxn *t = &x->tx[x->ntx];
    *t = (struct dtxn){.start = i,
                       .branch = d->branch,
                       .cseq = d->cseq,
                       .method = d->method,
                       .req = DIAG_NONE,
                       .last_req = DIAG_NONE,
                       .prov = DIAG_NONE,
                       .final = DIAG_NONE};
    return x->ntx++;
}

/* The earlier copy of i on the same hop in the same transaction (same method or status). */
static size_t first_copy(struct diag_ctx *x, size_t i)
{
    const struct dm *d = &x->dm[i];
    size_t from = d->txn != DIAG_NONE ? x->tx[d->txn].start : (i > 64 ? i - 64 : 0);
    for (size_t j = from; j < i; j++) {
        const struct dm *e = &x->dm[j];
        if (e->m && e->first == j && e->txn == d->txn && e->req == d->req &&
            e->status == d->status && e->method == d->method && e->cseq == d->cseq &&
            diag_slice_same(e->branch, d->branch) && diag_same_hop(x, i, j))
            return j;
    }
    return i;
}

static void prepare_one(struct diag_ctx *x, size_t i)
{
    const struct diag_msg *cm = &x->c->msg[i];
    struct dm *d = &x->dm[i];
    *d = (struct dm){.m = cm->sip, .first = i, .txn = DIAG_NONE};
    if (!cm->sip)
        return;
    const struct sip_msg *m = cm->sip;
    d->req = m->is_request;
    d->method = m->method_id;
    d->status = m->status;
    struct slice cm_tok;
    d->has_cseq = sip_cseq(m, &d->cseq, &cm_tok);
    if (!d->req && d->has_cseq)
        d->method = (uint8_t)sip_method_of(cm_tok);
    d->branch = sip_via_branch(m);
    if (d->has_cseq && d->method != SIP_M_ACK)
        d->txn = txn_of(x, i);
    d->first = first_copy(x, i);
    if (d->txn == DIAG_NONE)
        return;
    struct dtxn *t = &x->tx[d->txn];
    if (d->first != i) {
        if (d->req && t->req != DIAG_NONE && diag_same_hop(x, i, t->req)) {
            t->req_copies++;
            t->last_req = i;
        } else if (!d->req && d->status >= 200 && t->final != DIAG_NONE &&
                   diag_same_hop(x, i, t->final)) {
            t->final_copies++;
        }
        return;
    }
    if (d->req && t->req == DIAG_NONE) {
        t->req = t->last_req = i;
        t->req_copies = 1;
    } else if (!d->req && d->status < 200 && t->prov == DIAG_NONE) {
        t->prov = i;
    } else if (!d->req && d->status >= 200 && t->final == DIAG_NONE) {
        t->final = i;
        t->final_copies = 1;
    }
}

int diag_run(const struct diag_call *c, struct diag_result *r)
{
    r->n = 0;
    r->dropped = 0;
    struct diag_ctx x = {.c = c, .r = r, .n = c->nmsg < DIAG_MAX_MSGS ? c->nmsg : DIAG_MAX_MSGS};
    if (x.n == 0)
        return 0;
    x.dm = calloc(x.n, sizeof *x.dm);
    x.tx = calloc(x.n, sizeof *x.tx);
    if (!x.dm || !x.tx) {
        free(x.dm);
        free(x.tx);
        return -1;
    }
    x.end_ns = c->msg[x.n - 1].ts_ns;
    if (c->capture_end_ns > x.end_ns)
        x.end_ns = c->capture_end_ns;
    for (size_t i = 0; i < x.n; i++)
        prepare_one(&x, i);
    for (x.rule = 0; x.rule < sizeof rules / sizeof rules[0]; x.rule++)
        rules[x.rule].fn(&x);
    free(x.dm);
    free(x.tx);
    return 0;
}
