/* diag_leg.c: diagnostics rules over dialog identity and proxied legs: the To/From tags of
 * in-dialog messages against the dialogs the initial INVITE created (RFC 3261 §8.2.6.2, §12.1,
 * §12.2.1.1, §12.2.2), and 100 Trying relayed upstream by a proxy (RFC 3261 §16.7 items 3 and 5,
 * §16.11). One rule per function (dissect/diag_priv.h). */
#include "dissect/banned.h"
#include "dissect/diag_priv.h"

#define DIAG_MAX_TAGS 16 /* caller / callee tags of one call followed by to-tag-changed */
#define DIAG_MAX_VIAS 32 /* Via entries compared by trying-forwarded; more: not compared */

struct tagset {
    struct slice t[DIAG_MAX_TAGS];
    size_t n;
    bool full; /* a tag did not fit: the set is incomplete, nothing is judged against it */
};

static bool tag_in(const struct tagset *s, struct slice tag)
{
    for (size_t k = 0; k < s->n; k++)
        if (diag_slice_same(s->t[k], tag))
            return true;
    return false;
}

static void tag_add(struct tagset *s, struct slice tag)
{
    if (!tag.len || tag_in(s, tag))
        return;
    if (s->n < DIAG_MAX_TAGS)
        s->t[s->n++] = tag;
    else
        s->full = true;
}

/* A tag for "%.*s": at most 40 bytes, never a NULL pointer (an absent tag is ""). */
static int show(struct slice s)
{
    return s.len > 40 ? 40 : (int)s.len;
}

static const char *txt(struct slice s)
{
    return s.len ? (const char *)s.p : "";
}

/* A response whose tags differ from those of the in-dialog request it answers (§8.2.6.2: From
 * equal, and the To tag of a request that had one kept). 100 Trying, responses whose request was
 * not captured, or that answer a request outside any dialog (its To tag is the UAS's choice), are
 * not judged. */
static void response_tags(struct diag_ctx *x, size_t i)
{
    const struct dm *d = &x->dm[i];
    if (d->status == 100 || d->txn == DIAG_NONE || x->tx[d->txn].req == DIAG_NONE)
        return; /* a 100 is hop by hop, made by a transaction layer: its tags break nothing */
    size_t rq = x->tx[d->txn].req;
    const struct sip_msg *q = x->dm[rq].m;
    if (sip_to_tag(q).len == 0)
        return;
    struct slice to = sip_to_tag(d->m), qto = sip_to_tag(q);
    struct slice from = sip_from_tag(d->m), qfrom = sip_from_tag(q);
    if (diag_slice_same(to, qto) && diag_slice_same(from, qfrom))
        return;
    size_t refs[2] = {rq, i};
    bool to_bad = !diag_slice_same(to, qto);
    diag_emit(
        x, 0, refs, 2,
        "%u response to in-dialog %s (CSeq %u) has %s tag \"%.*s\", the request's is \"%.*s\"",
        d->status, diag_method_text(d), (unsigned)d->cseq, to_bad ? "To" : "From",
        show(to_bad ? to : from), txt(to_bad ? to : from), show(to_bad ? qto : qfrom),
        txt(to_bad ? qto : qfrom));
}

/* to-tag-changed: the initial INVITEs (no To tag) give the caller's From tags; every To tag of
 * their responses (provisional, 2xx or error, from any fork) is a callee tag of an early or
 * confirmed dialog. Later messages with a To tag must carry a caller tag and a callee tag (either
 * way round); a response to an in-dialog request must carry that request's tags. Forks (other To
 * tags in responses to the initial INVITE) are new dialogs, never a finding. */
void rule_to_tag_changed(struct diag_ctx *x)
{
    struct tagset caller = {.n = 0, .full = false}, callee = {.n = 0, .full = false};
    size_t est = DIAG_NONE; /* the first 2xx to an initial INVITE */
    for (size_t i = 0; i < x->n; i++) {
        const struct dm *d = &x->dm[i];
        if (!d->m || !d->has_cseq || x->c->msg[i].truncated || d->method == SIP_M_CANCEL)
            continue; /* a CANCEL and its 200 carry the INVITE's tags or a fresh one (§9) */
        struct slice to = sip_to_tag(d->m), from = sip_from_tag(d->m);
        if (d->req && d->method == SIP_M_INVITE && to.len == 0) {
            tag_add(&caller, from);
            continue;
        }
        size_t rq = d->txn != DIAG_NONE ? x->tx[d->txn].req : DIAG_NONE;
        if (!d->req && rq != DIAG_NONE && x->dm[rq].method == SIP_M_INVITE &&
            sip_to_tag(x->dm[rq].m).len == 0) {
            /* every response to an initial INVITE, not only first copies: the engine takes a
             * fork's 180 or 200 (another To tag, same code and hop) for a copy of the first */
            tag_add(&callee, to);
            if (est == DIAG_NONE && d->status >= 200 && d->status < 300)
                est = i;
            continue;
        }
        if (d->first != i)
            continue;
        if (caller.n == 0 || callee.n == 0 || caller.full || callee.full)
            continue; /* no dialog of this capture to compare with, or not all of them known */
        if (!d->req) {
            response_tags(x, i); /* judged against its request, even without a To tag itself */
            continue;
        }
        if (to.len == 0)
            continue; /* a request outside any dialog */
        if ((tag_in(&caller, from) && tag_in(&callee, to)) ||
            (tag_in(&caller, to) && tag_in(&callee, from)))
            continue;
        unsigned final = d->txn != DIAG_NONE && x->tx[d->txn].final != DIAG_NONE
                             ? x->dm[x->tx[d->txn].final].status
                             : 0;
        size_t refs[3] = {est, i, final == 481 ? x->tx[d->txn].final : DIAG_NONE};
        diag_emit(x, final == 481 ? DIAG_ERROR : 0, refs, 3,
                  "%s (CSeq %u) from %s has To tag \"%.*s\" / From tag \"%.*s\", of no dialog the "
                  "INVITE created%s",
                  diag_method_text(d), (unsigned)d->cseq, x->c->msg[i].src, show(to), txt(to),
                  show(from), txt(from), final == 481 ? ": answered 481, the request failed" : "");
    }
}

/* Via entries of a message (one header line may hold several, comma separated), top first.
 * Returns their number, or DIAG_MAX_VIAS + 1 when there are more than out can hold. */
static size_t via_entries(const struct sip_msg *m, struct slice *out)
{
    size_t n = 0;
    for (unsigned h = 0; h < m->nhdr; h++) {
        if (m->hdr[h].id != SIP_H_VIA)
            continue;
        struct slice v = m->hdr[h].value;
        size_t start = 0;
        bool quoted = false;
        for (size_t k = 0; k <= v.len; k++) {
            if (k < v.len && v.p[k] == '"')
                quoted = !quoted;
            if (k < v.len && (quoted || v.p[k] != ','))
                continue;
            struct slice e = slice_trim(slice_sub(v, start, k - start));
            start = k + 1;
            if (!e.len)
                continue;
            if (n == DIAG_MAX_VIAS)
                return DIAG_MAX_VIAS + 1;
            out[n++] = e;
        }
    }
    return n;
}

/* Same headers other than Via, in the same order, with the same values. */
static bool same_but_via(const struct sip_msg *a, const struct sip_msg *b)
{
    unsigned i = 0, j = 0;
    for (;;) {
        while (i < a->nhdr && a->hdr[i].id == SIP_H_VIA)
            i++;
        while (j < b->nhdr && b->hdr[j].id == SIP_H_VIA)
            j++;
        if (i == a->nhdr || j == b->nhdr)
            return i == a->nhdr && j == b->nhdr;
        const struct sip_hdr *p = &a->hdr[i++], *q = &b->hdr[j++];
        if (p->id != q->id || !diag_slice_same(p->value, q->value) ||
            (p->id == SIP_H_OTHER && !slice_ieq(p->name, (const char *)q->name.p, q->name.len)))
            return false;
    }
}

/* up is the downstream 100 dn relayed: dn's Via list without its top entry, the rest alike. */
static bool relayed_copy(const struct sip_msg *up, const struct sip_msg *dn)
{
    struct slice a[DIAG_MAX_VIAS], b[DIAG_MAX_VIAS];
    size_t na = via_entries(up, a), nb = via_entries(dn, b);
    if (na == 0 || na > DIAG_MAX_VIAS || nb != na + 1)
        return false;
    for (size_t k = 0; k < na; k++)
        if (!diag_slice_same(a[k], b[k + 1]))
            return false;
    return same_but_via(up, dn);
}

static bool usable_100(const struct diag_ctx *x, size_t i)
{
    const struct dm *d = &x->dm[i];
    return d->m && !d->req && d->status == 100 && d->has_cseq && !x->c->msg[i].truncated &&
           !(d->m->flags & SIP_F_TOO_MANY_HDRS);
}

/* The downstream 100 that the 100 i (hop P->X) is a relayed copy of: an earlier 100 to P from
 * another host than X, same CSeq, Via list one entry longer. DIAG_NONE when none. */
static size_t relayed_from(const struct diag_ctx *x, size_t i)
{
    const struct diag_msg *cm = x->c->msg;
    const struct dm *d = &x->dm[i];
    for (size_t j = 0; j < i; j++) {
        const struct dm *e = &x->dm[j];
        if (usable_100(x, j) && e->cseq == d->cseq && e->method == d->method &&
            strcmp(cm[j].dst, cm[i].src) == 0 && strcmp(cm[j].src, cm[i].dst) != 0 &&
            relayed_copy(d->m, e->m))
            return j;
    }
    return DIAG_NONE;
}

/* trying-forwarded, on a capture that sees a proxy P's legs. (a) A 100 sent by P that answers a
 * request P sent itself (its top Via is P's own, the branch of P's request downstream): P relayed
 * the 100 without removing its Via (§16.7 items 3, 5; §16.11 for a stateless proxy alike). (b) P
 * sent upstream its own 100 for a request and then also the downstream 100 for the same CSeq,
 * relayed: the Via list of the one P received minus P's entry, every other header equal. Having
 * generated a 100, P is stateful and must not forward one (§16.7 item 5); a stateless proxy, which
 * forwards every response (§16.11), never generates one, so relayed 100s alone are not flagged. */
void rule_trying_forwarded(struct diag_ctx *x)
{
    const struct diag_msg *cm = x->c->msg;
    for (size_t i = 0; i < x->n; i++) {
        const struct dm *d = &x->dm[i];
        if (!usable_100(x, i) || d->first != i || strcmp(cm[i].src, cm[i].dst) == 0)
            continue;
        size_t rq = d->txn != DIAG_NONE ? x->tx[d->txn].req : DIAG_NONE;
        if (rq != DIAG_NONE && strcmp(cm[rq].src, cm[i].src) == 0 &&
            strcmp(cm[rq].dst, cm[i].dst) != 0) {
            size_t refs[2] = {rq, i};
            diag_emit(x, 0, refs, 2,
                      "100 Trying to %s (CSeq %u %s) relayed by %s with its own Via still on top "
                      "(the branch of its request to %s): a proxy must not forward a 100",
                      cm[i].dst, (unsigned)d->cseq, diag_method_text(d), cm[i].src, cm[rq].dst);
        }
    }
    /* (b): every 100 on a hop P->X (retransmissions too: an own 100 and a relayed copy are two
     * copies of the same transaction's 100 on that hop). */
    size_t done[DIAG_MAX_FINDINGS], ndone = 0; /* a 100 per transaction and hop reported */
    for (size_t i = 0; i < x->n; i++) {
        if (!usable_100(x, i) || strcmp(cm[i].src, cm[i].dst) == 0)
            continue;
        const struct dm *d = &x->dm[i];
        bool seen = false;
        for (size_t k = 0; k < ndone && !seen; k++)
            seen = x->dm[done[k]].txn == d->txn && diag_same_hop(x, i, done[k]);
        if (seen || d->txn == DIAG_NONE)
            continue;
        size_t dn = relayed_from(x, i), own = DIAG_NONE;
        if (dn == DIAG_NONE)
            continue;
        /* P's own 100: another 100 on this hop for this transaction that is no relayed copy (a
         * stateless P relaying two different downstream 100s generated none) */
        for (size_t j = 0; j < x->n && own == DIAG_NONE; j++)
            if (j != i && usable_100(x, j) && x->dm[j].txn == d->txn && diag_same_hop(x, i, j) &&
                !same_but_via(x->dm[j].m, d->m) && relayed_from(x, j) == DIAG_NONE)
                own = j;
        if (own == DIAG_NONE)
            continue;
        size_t refs[3] = {own, dn, i};
        diag_emit(x, 0, refs, 3,
                  "%s sent its own 100 Trying to %s (CSeq %u %s), then relayed the 100 from %s "
                  "too: a stateful proxy must not forward a 100",
                  cm[i].src, cm[i].dst, (unsigned)d->cseq, diag_method_text(d), cm[dn].src);
        if (ndone < DIAG_MAX_FINDINGS)
            done[ndone++] = i;
    }
}
