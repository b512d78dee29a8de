/* diag_flow.c: diagnostics rules over the call's course: authentication (RFC 3261 §22, 3GPP TS
 * 24.229 §5.1.1.2), registration intervals (§10.2.8), Retry-After (§20.33) and post-dial delay
 * (RFC 6076 §4.1). One rule per function (dissect/diag_priv.h). */
#include "dissect/banned.h"
#include "dissect/diag_priv.h"

/* The credentials of a request (Authorization, else Proxy-Authorization), or an empty slice. */
static struct slice credentials(const struct sip_msg *m)
{
    struct slice v = sip_hdr_get(m, SIP_H_AUTHORIZATION);
    if (!v.len)
        v = sip_hdr_get(m, SIP_H_PROXY_AUTHORIZATION);
    return v;
}

static struct slice challenge(const struct sip_msg *m)
{
    struct slice v = sip_hdr_get(m, SIP_H_WWW_AUTHENTICATE);
    if (!v.len)
        v = sip_hdr_get(m, SIP_H_PROXY_AUTHENTICATE);
    return v;
}

/* Digest parameters follow the scheme token ("Digest nonce=..."). */
static struct slice auth_params(struct slice v)
{
    if (!v.len)
        return SLICE_NULL;
    size_t i = 0;
    while (i < v.len && v.p[i] != ' ' && v.p[i] != '\t')
        i++;
    return slice_sub(v, i, v.len - i);
}

static void auth_emit(struct diag_ctx *x, unsigned run, size_t start, size_t last, bool same_nonce)
{
    size_t refs[2] = {start, last};
    const struct dm *d = &x->dm[start];
    if (run > DIAG_MAX_CHALLENGES)
        diag_emit(x, DIAG_ERROR, refs, 2,
                  "challenge loop: %u %s requests with credentials challenged in a row%s", run,
                  diag_method_text(d), same_nonce ? " (the same nonce retried)" : "");
    else
        diag_emit(x, DIAG_WARNING, refs, 2,
                  "%s with credentials challenged again (%u time%s%s): wrong user, password or "
                  "realm",
                  diag_method_text(d), run, run > 1 ? "s" : "",
                  same_nonce ? ", the same nonce retried" : "");
}

void rule_auth_loop(struct diag_ctx *x)
{
    unsigned run = 0;
    size_t start = DIAG_NONE, last = DIAG_NONE;
    bool same_nonce = false;
    struct slice prev_nonce = SLICE_NULL;
    for (size_t i = 0; i < x->n; i++) {
        const struct dm *d = &x->dm[i];
        if (!d->m || d->req || d->first != i || d->txn == DIAG_NONE)
            continue;
        size_t rq = x->tx[d->txn].req;
        if (d->status >= 200 && d->status < 300 && run) {
            auth_emit(x, run, start, last, same_nonce);
            run = 0;
            same_nonce = false;
        }
        if ((d->status != 401 && d->status != 407) || rq == DIAG_NONE)
            continue;
        struct slice cred = credentials(x->dm[rq].m);
        struct slice stale = diag_auth_param(auth_params(challenge(d->m)), "stale", 5);
        if (!cred.len || SLICE_IEQ(stale, "true"))
            continue;
        struct slice nonce = diag_auth_param(auth_params(cred), "nonce", 5);
        if (run && nonce.len && diag_slice_same(nonce, prev_nonce))
            same_nonce = true;
        if (!run)
            start = rq;
        prev_nonce = nonce;
        last = i;
        run++;
    }
    if (run)
        auth_emit(x, run, start, last, same_nonce);
}

void rule_register_no_auth(struct diag_ctx *x)
{
    for (size_t i = 0; i < x->n; i++) {
        const struct dm *d = &x->dm[i];
        if (!d->m || !d->req || d->method != SIP_M_REGISTER)
            continue;
        if (credentials(d->m).len || d->txn == DIAG_NONE)
            return;
        const struct dtxn *t = &x->tx[d->txn];
        if (t->final != DIAG_NONE && x->dm[t->final].status == 401) {
            size_t refs[2] = {i, t->final};
            diag_emit(x, 0, refs, 2,
                      "initial REGISTER carries no Authorization header and is answered 401 (IMS "
                      "cores expect one)");
        }
        return;
    }
}

/* Requested registration interval: Expires header, else the first Contact's expires param. */
static bool expires_of(const struct sip_msg *m, uint64_t *out)
{
    struct slice v = sip_hdr_get(m, SIP_H_EXPIRES);
    if (v.len)
        return slice_u64(v, UINT32_MAX, out);
    bool present;
    v = sip_param(sip_hdr_get(m, SIP_H_CONTACT), "expires", 7, &present);
    return present && slice_u64(v, UINT32_MAX, out);
}

void rule_register_423(struct diag_ctx *x)
{
    for (size_t i = 0; i < x->n; i++) {
        const struct dm *d = &x->dm[i];
        if (!d->m || d->req || d->first != i || d->status != 423 || d->txn == DIAG_NONE)
            continue;
        uint64_t min = 0, before = 0, after = 0;
        bool has_min = slice_u64(sip_hdr_get(d->m, SIP_H_MIN_EXPIRES), UINT32_MAX, &min);
        size_t rq = x->tx[d->txn].req;
        bool has_before = rq != DIAG_NONE && expires_of(x->dm[rq].m, &before);
        for (size_t j = i + 1; j < x->n; j++) {
            const struct dm *e = &x->dm[j];
            if (!e->m || !e->req || e->first != j || e->method != d->method || e->txn == d->txn)
                continue;
            bool has_after = expires_of(e->m, &after);
            bool low = has_after && ((has_min && after < min) || (has_before && after <= before));
            if (low) {
                size_t refs[2] = {i, j};
                diag_emit(x, 0, refs, 2,
                          "after 423 (Min-Expires %llu) the next %s asks Expires %llu again",
                          (unsigned long long)min, diag_method_text(e), (unsigned long long)after);
            }
            break;
        }
    }
}

/* Retry-After delta-seconds of a response (RFC 3261 §20.33), false when absent. */
static bool retry_after(const struct sip_msg *m, uint64_t *secs)
{
    struct slice v = sip_hdr_get(m, SIP_H_RETRY_AFTER);
    size_t k = 0;
    while (k < v.len && v.p[k] >= '0' && v.p[k] <= '9')
        k++;
    return k > 0 && slice_u64(slice_sub(v, 0, k), UINT32_MAX, secs);
}

void rule_retry_after(struct diag_ctx *x)
{
    for (size_t i = 0; i < x->n; i++) {
        const struct dm *d = &x->dm[i];
        uint64_t wait;
        if (!d->m || d->req || d->first != i || d->status < 300 || d->txn == DIAG_NONE ||
            !retry_after(d->m, &wait))
            continue;
        for (size_t j = i + 1; j < x->n; j++) {
            const struct dm *e = &x->dm[j];
            if (!e->m || !e->req || e->first != j || e->method != d->method || e->txn == d->txn ||
                strcmp(x->c->msg[j].src, x->c->msg[i].dst) != 0)
                continue;
            int64_t gap = x->c->msg[j].ts_ns - x->c->msg[i].ts_ns;
            if (gap < (int64_t)wait * 1000000000LL) {
                size_t refs[2] = {i, j};
                diag_emit(x, 0, refs, 2,
                          "%u with Retry-After %llu s, yet %s sent again after %.1f s", d->status,
                          (unsigned long long)wait, diag_method_text(e), (double)gap / 1e9);
            }
            break;
        }
    }
}

void rule_post_dial_delay(struct diag_ctx *x)
{
    size_t inv = DIAG_NONE;
    for (size_t i = 0; i < x->n; i++) {
        const struct dm *d = &x->dm[i];
        if (!d->m || d->first != i)
            continue;
        if (inv == DIAG_NONE) {
            if (d->req && d->method == SIP_M_INVITE && sip_to_tag(d->m).len == 0)
                inv = i;
            continue;
        }
        if (d->req || d->method != SIP_M_INVITE || d->status < 180 || d->status >= 300)
            continue;
        int64_t pdd = x->c->msg[i].ts_ns - x->c->msg[inv].ts_ns;
        if (pdd > DIAG_PDD_NS) {
            size_t refs[2] = {inv, i};
            diag_emit(x, 0, refs, 2, "post-dial delay %.1f s (INVITE to first %u), above %lld s",
                      (double)pdd / 1e9, d->status, (long long)(DIAG_PDD_NS / 1000000000LL));
        }
        return;
    }
}
