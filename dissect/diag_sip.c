/* diag_sip.c: diagnostics rules over SIP transactions, dialogs and headers (RFC 3261 §8.1.1,
 * §12, §13.3.1.4, §15, §16.3, §17, §18.3, §20.14). One rule per function (dissect/diag_priv.h). */
#include "dissect/banned.h"
#include "dissect/diag_priv.h"

static double secs(int64_t ns)
{
    return (double)ns / 1e9;
}

static int64_t ts(const struct diag_ctx *x, size_t i)
{
    return x->c->msg[i].ts_ns;
}

static void retrans(struct diag_ctx *x, bool invite)
{
    for (size_t k = 0; k < x->ntx; k++) {
        const struct dtxn *t = &x->tx[k];
        if (t->req == DIAG_NONE || t->req_copies < 2 || (t->method == SIP_M_INVITE) != invite)
            continue;
        const struct dm *d = &x->dm[t->req];
        size_t refs[2] = {t->req, t->last_req};
        const char *after = t->prov != DIAG_NONE    ? "answered late"
                            : t->final != DIAG_NONE ? "answered late"
                                                    : "never answered";
        diag_emit(x, 0, refs, 2, "%s (CSeq %u) sent %u times from %s to %s over %.1f s (%s)",
                  diag_method_text(d), (unsigned)t->cseq, t->req_copies, x->c->msg[t->req].src,
                  x->c->msg[t->req].dst, secs(ts(x, t->last_req) - ts(x, t->req)), after);
    }
}

void rule_invite_retrans(struct diag_ctx *x)
{
    retrans(x, true);
}

void rule_request_retrans(struct diag_ctx *x)
{
    retrans(x, false);
}

/* First ACK after message i with CSeq number cseq, or DIAG_NONE. */
static size_t ack_after(const struct diag_ctx *x, size_t i, uint32_t cseq)
{
    for (size_t j = i + 1; j < x->n; j++)
        if (x->dm[j].m && x->dm[j].req && x->dm[j].method == SIP_M_ACK && x->dm[j].cseq == cseq)
            return j;
    return DIAG_NONE;
}

void rule_2xx_no_ack(struct diag_ctx *x)
{
    for (size_t k = 0; k < x->ntx; k++) {
        const struct dtxn *t = &x->tx[k];
        if (t->method != SIP_M_INVITE || t->final == DIAG_NONE || x->dm[t->final].status >= 300)
            continue;
        if (ack_after(x, t->final, t->cseq) != DIAG_NONE)
            continue;
        size_t last = t->final;
        for (size_t j = t->final + 1; j < x->n; j++)
            if (x->dm[j].first == t->final)
                last = j;
        size_t refs[2] = {t->final, last};
        if (t->final_copies > 1)
            diag_emit(x, DIAG_ERROR, refs, 2,
                      "%u response to INVITE (CSeq %u) sent %u times over %.1f s, no ACK seen: the "
                      "UAS ends the dialog after 64*T1",
                      x->dm[t->final].status, (unsigned)t->cseq, t->final_copies,
                      secs(ts(x, last) - ts(x, t->final)));
        else if (t->final + 1 < x->n)
            diag_emit(x, DIAG_WARNING, refs, 1,
                      "%u response to INVITE (CSeq %u) never acknowledged", x->dm[t->final].status,
                      (unsigned)t->cseq);
    }
}

static void no_final(struct diag_ctx *x, bool invite)
{
    for (size_t k = 0; k < x->ntx; k++) {
        const struct dtxn *t = &x->tx[k];
        if (t->req == DIAG_NONE || t->final != DIAG_NONE || (t->method == SIP_M_INVITE) != invite)
            continue;
        int64_t waited = x->end_ns - ts(x, t->req);
        const struct dm *d = &x->dm[t->req];
        size_t refs[2] = {t->req, t->prov};
        if (t->prov != DIAG_NONE && invite) {
            diag_emit(x, DIAG_INFO, refs, 2,
                      "INVITE (CSeq %u) answered only provisionally (%u) until the capture ended",
                      (unsigned)t->cseq, x->dm[t->prov].status);
            continue;
        }
        enum diag_sev sev = waited >= DIAG_TIMER_B_NS ? DIAG_ERROR : DIAG_WARNING;
        diag_emit(x, sev, refs, 2, "%s (CSeq %u) from %s got %s final response in %.1f s%s",
                  diag_method_text(d), (unsigned)t->cseq, x->c->msg[t->req].src,
                  t->prov != DIAG_NONE ? "a provisional but no" : "no", secs(waited),
                  waited >= DIAG_TIMER_B_NS ? " (the transaction timed out)" : "");
    }
}

void rule_invite_no_final(struct diag_ctx *x)
{
    no_final(x, true);
}

void rule_non_invite_no_final(struct diag_ctx *x)
{
    no_final(x, false);
}

/* The INVITE transaction with this branch and CSeq number, or DIAG_NONE. */
static size_t invite_txn(const struct diag_ctx *x, struct slice branch, uint32_t cseq)
{
    for (size_t k = 0; k < x->ntx; k++)
        if (x->tx[k].method == SIP_M_INVITE && x->tx[k].cseq == cseq &&
            diag_slice_same(x->tx[k].branch, branch))
            return k;
    return DIAG_NONE;
}

void rule_cancel_after_final(struct diag_ctx *x)
{
    for (size_t k = 0; k < x->ntx; k++) {
        const struct dtxn *t = &x->tx[k];
        if (t->method != SIP_M_CANCEL || t->req == DIAG_NONE)
            continue;
        size_t inv = invite_txn(x, t->branch, t->cseq);
        if (inv == DIAG_NONE || x->tx[inv].final == DIAG_NONE || x->tx[inv].final > t->req)
            continue;
        size_t refs[2] = {x->tx[inv].final, t->req};
        diag_emit(x, 0, refs, 2, "CANCEL sent %.3f s after the final response %u to its INVITE",
                  secs(ts(x, t->req) - ts(x, x->tx[inv].final)), x->dm[x->tx[inv].final].status);
    }
}

void rule_ack_branch(struct diag_ctx *x)
{
    for (size_t k = 0; k < x->ntx; k++) {
        const struct dtxn *t = &x->tx[k];
        if (t->method != SIP_M_INVITE || t->req == DIAG_NONE || t->final == DIAG_NONE ||
            x->dm[t->final].status < 300)
            continue;
        size_t other = DIAG_NONE;
        bool same = false;
        for (size_t j = t->final + 1; j < x->n && !same; j++) {
            const struct dm *d = &x->dm[j];
            if (!d->m || d->method != SIP_M_ACK || !d->req || d->cseq != t->cseq ||
                !diag_same_hop(x, j, t->req))
                continue;
            if (diag_slice_same(d->branch, t->branch))
                same = true;
            else if (other == DIAG_NONE)
                other = j;
        }
        if (same || other == DIAG_NONE)
            continue;
        size_t refs[2] = {t->req, other};
        diag_emit(x, 0, refs, 2,
                  "ACK for the %u response to INVITE (CSeq %u) has another Via branch than the "
                  "INVITE: the server transaction never matches it",
                  x->dm[t->final].status, (unsigned)t->cseq);
    }
}

void rule_bye_no_dialog(struct diag_ctx *x)
{
    size_t invite = DIAG_NONE;
    for (size_t i = 0; i < x->n; i++) {
        const struct dm *d = &x->dm[i];
        if (!d->m || d->first != i)
            continue;
        if (d->req && d->method == SIP_M_INVITE && invite == DIAG_NONE)
            invite = i;
        if (!d->req || d->method != SIP_M_BYE || invite == DIAG_NONE)
            continue;
        bool confirmed = false, early = false;
        bool from_caller = diag_slice_same(sip_from_tag(d->m), sip_from_tag(x->dm[invite].m));
        for (size_t j = 0; j < i && !confirmed; j++) {
            const struct dm *e = &x->dm[j];
            if (!e->m || e->req || e->method != SIP_M_INVITE || e->status <= 100)
                continue;
            if (e->status >= 200 && e->status < 300)
                confirmed = true;
            else if (e->status < 200 &&
                     diag_slice_same(sip_to_tag(e->m),
                                     from_caller ? sip_to_tag(d->m) : sip_from_tag(d->m)))
                early = true;
        }
        if (confirmed || (early && from_caller))
            continue;
        size_t refs[2] = {invite, i};
        diag_emit(x, 0, refs, 2, "BYE from %s before any 2xx to the INVITE%s", x->c->msg[i].src,
                  early ? " (the callee may not end an early dialog)" : " (no dialog exists)");
    }
}

#define DIAG_MAX_SIDES 8 /* From tags followed by cseq-backwards */

void rule_cseq_backwards(struct diag_ctx *x)
{
    struct side {
        struct slice tag;
        uint32_t max;
        size_t at;
    } s[DIAG_MAX_SIDES];
    size_t ns = 0;
    for (size_t i = 0; i < x->n; i++) {
        const struct dm *d = &x->dm[i];
        if (!d->m || !d->req || d->first != i || !d->has_cseq || d->method == SIP_M_ACK ||
            d->method == SIP_M_CANCEL)
            continue;
        struct slice tag = sip_from_tag(d->m);
        size_t k = 0;
        while (k < ns && !diag_slice_same(s[k].tag, tag))
            k++;
        if (k == ns) {
            if (ns == DIAG_MAX_SIDES)
                continue;
            s[ns++] = (struct side){tag, d->cseq, i};
            continue;
        }
        if (d->cseq < s[k].max) {
            size_t refs[2] = {s[k].at, i};
            diag_emit(x, 0, refs, 2,
                      "%s with CSeq %u after a request with CSeq %u from the same UA",
                      diag_method_text(d), (unsigned)d->cseq, (unsigned)s[k].max);
        } else {
            s[k].max = d->cseq;
            s[k].at = i;
        }
    }
}

static bool dialog_creating(uint8_t method)
{
    return method == SIP_M_INVITE || method == SIP_M_SUBSCRIBE || method == SIP_M_REFER;
}

void rule_missing_contact(struct diag_ctx *x)
{
    for (size_t i = 0; i < x->n; i++) {
        const struct dm *d = &x->dm[i];
        if (!d->m || d->first != i || x->c->msg[i].truncated || !dialog_creating(d->method))
            continue;
        if (sip_hdr_get(d->m, SIP_H_CONTACT).len || d->m->first[SIP_H_CONTACT])
            continue;
        if (d->req && sip_to_tag(d->m).len == 0) {
            diag_emit(x, 0, &i, 1, "%s creates a dialog but has no Contact header",
                      diag_method_text(d));
        } else if (!d->req && d->status >= 200 && d->status < 300 && d->method != SIP_M_REFER) {
            diag_emit(x, 0, &i, 1, "%u response to %s has no Contact header", d->status,
                      diag_method_text(d));
        }
    }
}

void rule_max_forwards(struct diag_ctx *x)
{
    size_t first483 = DIAG_NONE, zero = DIAG_NONE;
    unsigned n483 = 0, nzero = 0;
    for (size_t i = 0; i < x->n; i++) {
        const struct dm *d = &x->dm[i];
        if (!d->m || d->first != i)
            continue;
        if (!d->req && d->status == 483) {
            first483 = first483 == DIAG_NONE ? i : first483;
            n483++;
            continue;
        }
        uint64_t mf;
        struct slice v = sip_hdr_get(d->m, SIP_H_MAX_FORWARDS);
        if (!d->req || d->method == SIP_M_OPTIONS || !v.len || !slice_u64(v, 255, &mf) || mf != 0)
            continue;
        zero = zero == DIAG_NONE ? i : zero;
        nzero++;
    }
    if (first483 != DIAG_NONE)
        diag_emit(x, DIAG_ERROR, &first483, 1,
                  "483 Too Many Hops to %s (CSeq %u)%s: a routing loop or too long a path",
                  diag_method_text(&x->dm[first483]), (unsigned)x->dm[first483].cseq,
                  n483 > 1 ? ", relayed over several hops" : "");
    else if (zero != DIAG_NONE)
        diag_emit(x, DIAG_WARNING, &zero, 1,
                  "%s from %s arrives with Max-Forwards 0 (%u request(s))",
                  diag_method_text(&x->dm[zero]), x->c->msg[zero].src, nzero);
}

void rule_loop_482(struct diag_ctx *x)
{
    for (size_t i = 0; i < x->n; i++) {
        const struct dm *d = &x->dm[i];
        if (d->m && d->first == i && !d->req && d->status == 482)
            diag_emit(x, 0, &i, 1, "482 Loop Detected for %s (CSeq %u) from %s",
                      diag_method_text(d), (unsigned)d->cseq, x->c->msg[i].src);
    }
}

void rule_via_cookie(struct diag_ctx *x)
{
    size_t first = DIAG_NONE;
    unsigned count = 0;
    for (size_t i = 0; i < x->n; i++) {
        const struct dm *d = &x->dm[i];
        if (!d->m || !d->req || d->first != i || x->c->msg[i].truncated || !d->m->first[SIP_H_VIA])
            continue;
        if (SLICE_ISTARTS(d->branch, "z9hG4bK") && d->branch.len > 7)
            continue;
        if (first == DIAG_NONE)
            first = i;
        count++;
    }
    if (count)
        diag_emit(x, 0, &first, 1,
                  "%u request(s) with a top Via branch %s the z9hG4bK cookie (RFC 2543 matching)",
                  count, x->dm[first].branch.len ? "without" : "missing, so without");
}

void rule_content_length(struct diag_ctx *x)
{
    for (size_t i = 0; i < x->n; i++) {
        const struct dm *d = &x->dm[i];
        const struct diag_msg *cm = &x->c->msg[i];
        if (!d->m || d->first != i || cm->truncated)
            continue;
        uint32_t f = d->m->flags;
        size_t have = d->m->body.len;
        bool stream = strcmp(cm->transport, "UDP") != 0;
        if (f & SIP_F_BAD_CL)
            diag_emit(x, 0, &i, 1, "Content-Length is not a number");
        else if (f & SIP_F_CL_LONG)
            diag_emit(x, 0, &i, 1, "Content-Length %u but only %zu body bytes present",
                      (unsigned)d->m->content_length, have);
        else if (f & SIP_F_CL_SHORT)
            diag_emit(x, DIAG_WARNING, &i, 1,
                      "Content-Length %u but more bytes follow in the datagram (discarded)",
                      (unsigned)d->m->content_length);
        else if (stream && !d->m->has_cl)
            diag_emit(x, 0, &i, 1, "no Content-Length on a stream transport (%s)", cm->transport);
    }
}

void rule_missing_header(struct diag_ctx *x)
{
    static const struct {
        uint8_t id;
        bool req_only;
    } need[] = {{SIP_H_VIA, false},  {SIP_H_FROM, false},    {SIP_H_TO, false},
                {SIP_H_CSEQ, false}, {SIP_H_CALL_ID, false}, {SIP_H_MAX_FORWARDS, true}};
    for (size_t i = 0; i < x->n; i++) {
        const struct dm *d = &x->dm[i];
        if (!d->m || d->first != i || x->c->msg[i].truncated || (d->m->flags & SIP_F_BAD_START))
            continue;
        char list[96];
        size_t len = 0;
        bool only_mf = true;
        list[0] = 0;
        for (size_t k = 0; k < sizeof need / sizeof need[0]; k++) {
            if (d->m->first[need[k].id] || (need[k].req_only && !d->req))
                continue;
            const char *name = sip_hdr_name((enum sip_hdr_id)need[k].id);
            int w = snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "", name);
            if (w > 0 && (size_t)w < sizeof list - len)
                len += (size_t)w;
            if (need[k].id != SIP_H_MAX_FORWARDS)
                only_mf = false;
        }
        if (len == 0)
            continue;
        if (d->req)
            diag_emit(x, only_mf ? DIAG_WARNING : DIAG_ERROR, &i, 1, "%.*s request lacks %s",
                      (int)(d->m->method.len > 32 ? 32 : d->m->method.len),
                      (const char *)d->m->method.p, list);
        else
            diag_emit(x, DIAG_ERROR, &i, 1, "%u response to %s lacks %s", d->status,
                      diag_method_text(d), list);
    }
}
