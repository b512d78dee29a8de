/* dialog.c: Call-ID table, per-hop retransmission detection, INVITE state machine and timings
 * (RFC 3261 §13, §17; CLI.md's final_status rule), LRU eviction with a Bloom filter of evicted
 * Call-IDs so a late message finds its call again through the store. */
#include "dissect/dialog.h"

#include <stdlib.h>
#include <string.h>

#include "dissect/hash.h"
#include "dissect/banned.h"

#define BLOOM_BITS (1u << 23) /* default: 1 MiB, ~1% false positives at 800k evicted calls */

struct dlg_ctx {
    struct dlg_limits lim;
    struct dlg_call **slots; /* open addressing, linear probing, tombstone-free (backshift) */
    size_t cap, count;
    struct dlg_call *lru_head, *lru_tail; /* least recently active first */
    uint64_t next_id, evicted;
    uint8_t *bloom;      /* allocated at the first eviction: short captures never need it */
    uint32_t bloom_mask; /* bits - 1 */
    dlg_evict_fn on_evict;
    dlg_reload_fn on_reload;
    void *user;
};

static const char *const state_names[] = {
    [DLG_ST_NONE] = NULL,
    [DLG_ST_CALLING] = "calling",
    [DLG_ST_RINGING] = "ringing",
    [DLG_ST_IN_CALL] = "in-call",
    [DLG_ST_COMPLETED] = "completed",
    [DLG_ST_REJECTED] = "rejected",
    [DLG_ST_CANCELLED] = "cancelled",
    [DLG_ST_FAILED] = "failed",
    [DLG_ST_PENDING] = "pending",
    [DLG_ST_TIMED_OUT] = "timed-out",
};

const char *dlg_state_name(int state)
{
    if (state < 0 || state > DLG_ST_TIMED_OUT)
        return NULL;
    return state_names[state];
}

bool dlg_state_final(int state)
{
    return state >= DLG_ST_COMPLETED && state != DLG_ST_PENDING;
}

int dlg_state_of(const char *name)
{
    for (int i = 1; i <= DLG_ST_TIMED_OUT; i++) {
        if (strcmp(state_names[i], name) == 0)
            return i;
    }
    return -1;
}

static uint64_t final_mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

uint64_t dlg_hash(struct slice call_id)
{
    return final_mix(hash_fnv(HASH_FNV_OFFSET, call_id.p, call_id.len));
}

struct dlg_ctx *dlg_new(const struct dlg_limits *lim, uint64_t first_id, dlg_evict_fn on_evict,
                        dlg_reload_fn on_reload, void *user)
{
    struct dlg_ctx *d = calloc(1, sizeof *d);
    if (!d)
        abort();
    d->lim.max_calls = 100000;
    d->lim.idle_evict_ms = 60000;
    if (lim && lim->max_calls)
        d->lim.max_calls = lim->max_calls;
    if (lim && lim->idle_evict_ms)
        d->lim.idle_evict_ms = lim->idle_evict_ms;
    unsigned bits = lim && lim->bloom_bits >= 64 ? lim->bloom_bits : BLOOM_BITS;
    while (bits & (bits - 1))
        bits &= bits - 1; /* round down to a power of two */
    d->bloom_mask = bits - 1;
    d->cap = 1024;
    d->slots = calloc(d->cap, sizeof *d->slots);
    if (!d->slots)
        abort();
    d->next_id = first_id ? first_id : 1;
    d->on_evict = on_evict;
    d->on_reload = on_reload;
    d->user = user;
    return d;
}

void dlg_set_limits(struct dlg_ctx *d, const struct dlg_limits *lim)
{
    if (lim->max_calls)
        d->lim.max_calls = lim->max_calls;
    if (lim->idle_evict_ms)
        d->lim.idle_evict_ms = lim->idle_evict_ms;
}

static void bloom_add(struct dlg_ctx *d, uint64_t k)
{
    if (!d->bloom) {
        d->bloom = calloc(((size_t)d->bloom_mask + 1) / 8, 1);
        if (!d->bloom)
            abort();
    }
    for (int i = 0; i < 3; i++) {
        uint32_t b = (uint32_t)(k >> (i * 21)) & d->bloom_mask;
        d->bloom[b >> 3] |= (uint8_t)(1u << (b & 7));
    }
}

static bool bloom_has(const struct dlg_ctx *d, uint64_t k)
{
    if (!d->bloom)
        return false;
    for (int i = 0; i < 3; i++) {
        uint32_t b = (uint32_t)(k >> (i * 21)) & d->bloom_mask;
        if (!(d->bloom[b >> 3] & (1u << (b & 7))))
            return false;
    }
    return true;
}

static void lru_unlink(struct dlg_ctx *d, struct dlg_call *c)
{
    if (c->lru_prev)
        c->lru_prev->lru_next = c->lru_next;
    else
        d->lru_head = c->lru_next;
    if (c->lru_next)
        c->lru_next->lru_prev = c->lru_prev;
    else
        d->lru_tail = c->lru_prev;
    c->lru_prev = c->lru_next = NULL;
}

static void lru_append(struct dlg_ctx *d, struct dlg_call *c)
{
    c->lru_prev = d->lru_tail;
    c->lru_next = NULL;
    if (d->lru_tail)
        d->lru_tail->lru_next = c;
    else
        d->lru_head = c;
    d->lru_tail = c;
}

static size_t slot_of(const struct dlg_ctx *d, uint64_t key, struct slice cid, bool *found)
{
    size_t mask = d->cap - 1;
    size_t i = (size_t)key & mask;
    while (d->slots[i]) {
        const struct dlg_call *c = d->slots[i];
        if (c->key == key && c->call_id_len == cid.len && memcmp(c->call_id, cid.p, cid.len) == 0) {
            *found = true;
            return i;
        }
        i = (i + 1) & mask;
    }
    *found = false;
    return i;
}

static void grow(struct dlg_ctx *d)
{
    size_t oldcap = d->cap;
    struct dlg_call **old = d->slots;
    d->cap *= 2;
    d->slots = calloc(d->cap, sizeof *d->slots);
    if (!d->slots)
        abort();
    for (size_t i = 0; i < oldcap; i++) {
        if (!old[i])
            continue;
        size_t j = (size_t)old[i]->key & (d->cap - 1);
        while (d->slots[j])
            j = (j + 1) & (d->cap - 1);
        d->slots[j] = old[i];
    }
    free(old);
}

/* Removes slot i with backward-shift deletion (keeps probe chains intact without tombstones). */
static void slot_remove(struct dlg_ctx *d, size_t i)
{
    size_t mask = d->cap - 1;
    size_t j = i;
    d->slots[i] = NULL;
    for (;;) {
        j = (j + 1) & mask;
        if (!d->slots[j])
            return;
        size_t home = (size_t)d->slots[j]->key & mask;
        bool movable = (j > i) ? (home <= i || home > j) : (home <= i && home > j);
        if (movable) {
            d->slots[i] = d->slots[j];
            d->slots[j] = NULL;
            i = j;
        }
    }
}

static void evict(struct dlg_ctx *d, struct dlg_call *c)
{
    bool found;
    size_t i = slot_of(d, c->key, slice_make(c->call_id, c->call_id_len), &found);
    if (d->on_evict)
        d->on_evict(d->user, c);
    if (found)
        slot_remove(d, i);
    lru_unlink(d, c);
    bloom_add(d, c->key);
    d->count--;
    d->evicted++;
    free(c);
}

static struct dlg_call *call_new(struct dlg_ctx *d, struct slice cid, uint64_t key, bool *created)
{
    bool found;
    size_t i = slot_of(d, key, cid, &found);
    if (found) {
        *created = false;
        return d->slots[i];
    }
    struct dlg_call *c = calloc(1, sizeof *c);
    if (!c)
        abort();
    c->key = key;
    c->call_id_len = (uint16_t)cid.len;
    memcpy(c->call_id, cid.p, cid.len);
    c->call_id[cid.len] = '\0';
    bool reloaded = bloom_has(d, key) && d->on_reload && d->on_reload(d->user, c);
    c->reloaded = reloaded;
    if (!reloaded)
        c->id = d->next_id++;
    d->slots[i] = c;
    d->count++;
    lru_append(d, c);
    if (d->count * 2 > d->cap)
        grow(d);
    *created = !reloaded;
    return c;
}

static void copy_text(char *dst, size_t cap, struct slice s)
{
    size_t n = s.len < cap - 1 ? s.len : cap - 1;
    if (n > 0) /* an absent header is an empty slice with a NULL pointer */
        memcpy(dst, s.p, n);
    dst[n] = '\0';
}

static uint64_t message_key(const struct sip_msg *m, const struct net_payload *pl)
{
    uint32_t cseq = 0;
    struct slice cm = SLICE_NULL;
    sip_cseq(m, &cseq, &cm);
    uint64_t h = HASH_FNV_OFFSET;
    h = hash_fnv(h, &m->status, sizeof m->status);
    h = hash_fnv(h, m->method.p, m->method.len);
    h = hash_fnv(h, &cseq, sizeof cseq);
    h = hash_fnv(h, cm.p, cm.len);
    struct slice br = sip_via_branch(m);
    h = hash_fnv(h, br.p, br.len);
    struct slice tt = sip_to_tag(m);
    h = hash_fnv(h, tt.p, tt.len);
    h = hash_endpoint(h, &pl->src);
    h = hash_endpoint(h, &pl->dst);
    return final_mix(h);
}

static bool seen_before(struct dlg_call *c, uint64_t k)
{
    for (unsigned i = 0; i < c->nrkeys; i++) {
        if (c->rkeys[i] == k)
            return true;
    }
    c->rkeys[c->rkpos] = k;
    c->rkpos = (uint8_t)((c->rkpos + 1) % DLG_RETRANS_KEYS);
    if (c->nrkeys < DLG_RETRANS_KEYS)
        c->nrkeys++;
    return false;
}

static void on_request(struct dlg_call *c, const struct sip_msg *m, const struct net_payload *pl)
{
    int64_t ts = pl->frame->ts_ns;
    if (c->method[0] == '\0') {
        copy_text(c->method, sizeof c->method, m->method);
        c->method_id = m->method_id;
        copy_text(c->from_uri, sizeof c->from_uri, sip_uri_of(sip_hdr_get(m, SIP_H_FROM)));
        copy_text(c->to_uri, sizeof c->to_uri, sip_uri_of(sip_hdr_get(m, SIP_H_TO)));
        c->src = pl->src;
        c->dst = pl->dst;
        c->transport = pl->transport;
    }
    bool same_method =
        m->method.len == strlen(c->method) && memcmp(m->method.p, c->method, m->method.len) == 0;
    uint32_t cseq = 0;
    struct slice cm;
    bool initial = same_method && sip_to_tag(m).len == 0 && sip_cseq(m, &cseq, &cm);
    if (initial && (!c->has_init || cseq != c->init_cseq)) {
        c->has_init = true;
        c->init_cseq = cseq;
        c->final_status = 0;
        c->state = c->method_id == SIP_M_INVITE ? DLG_ST_CALLING : DLG_ST_PENDING;
        if (c->method_id == SIP_M_INVITE && c->invite_ns == 0)
            c->invite_ns = ts;
    }
    if (m->method_id == SIP_M_CANCEL)
        c->cancel_seen = true;
    if (m->method_id == SIP_M_BYE && c->method_id == SIP_M_INVITE) {
        if (c->bye_ns == 0 && c->answer_ns != 0)
            c->bye_ns = ts;
        /* a BYE after a live timeout closes the answered call properly after all */
        if (c->state == DLG_ST_IN_CALL || (c->state == DLG_ST_TIMED_OUT && c->answer_ns != 0))
            c->state = DLG_ST_COMPLETED;
    }
}

static uint8_t invite_final_state(const struct dlg_call *c, unsigned st)
{
    if (st < 300)
        return DLG_ST_IN_CALL;
    if (st == 487 || c->cancel_seen)
        return DLG_ST_CANCELLED;
    if (st >= 500 && st < 600)
        return DLG_ST_FAILED;
    return DLG_ST_REJECTED;
}

static void on_invite_response(struct dlg_call *c, unsigned st, int64_t ts)
{
    if (st > 100 && st < 200) {
        if (c->state == DLG_ST_CALLING)
            c->state = DLG_ST_RINGING;
        if (c->ring_ns == 0 && st >= 180 && st < 190)
            c->ring_ns = ts;
        return;
    }
    if (st >= 200 && st < 300) {
        if (c->ring_ns == 0)
            c->ring_ns = ts;
        if (c->answer_ns == 0)
            c->answer_ns = ts;
    }
    if (st >= 200 && (c->state == DLG_ST_CALLING || c->state == DLG_ST_RINGING))
        c->state = invite_final_state(c, st);
}

static void on_response(struct dlg_call *c, const struct sip_msg *m, const struct net_payload *pl)
{
    uint32_t cseq = 0;
    struct slice cm;
    if (!c->has_init || !sip_cseq(m, &cseq, &cm) || cseq != c->init_cseq)
        return;
    if (cm.len != strlen(c->method) || memcmp(cm.p, c->method, cm.len) != 0)
        return;
    unsigned st = m->status;
    if (st >= 200 && c->final_status == 0)
        c->final_status = (uint16_t)st;
    if (c->method_id == SIP_M_INVITE) {
        on_invite_response(c, st, pl->frame->ts_ns);
    } else if (st >= 200 && c->state == DLG_ST_PENDING) {
        c->state = st < 300 ? DLG_ST_COMPLETED : DLG_ST_FAILED;
    }
}

void dlg_message(struct dlg_ctx *d, const struct sip_msg *m, const struct net_payload *pl,
                 struct dlg_event *ev)
{
    memset(ev, 0, sizeof *ev);
    struct slice cid = sip_call_id(m);
    if (cid.len == 0)
        return;
    if (cid.len > SIP_MAX_CALL_ID)
        cid.len = SIP_MAX_CALL_ID;
    uint64_t key = dlg_hash(cid);
    struct dlg_call *c = call_new(d, cid, key, &ev->new_call);
    ev->call = c;
    int64_t ts = pl->frame->ts_ns;
    if (c->nmsgs == 0)
        c->start_ns = ts;
    if (ts > c->end_ns || c->nmsgs == 0)
        c->end_ns = ts;
    c->nmsgs++;
    c->dirty = true;
    lru_unlink(d, c);
    lru_append(d, c);
    ev->retransmission = seen_before(c, message_key(m, pl));
    if (m->is_request)
        on_request(c, m, pl);
    else if (m->status >= 100)
        on_response(c, m, pl);
}

void dlg_expire(struct dlg_ctx *d, int64_t now_ns)
{
    int64_t limit = now_ns - (int64_t)d->lim.idle_evict_ms * 1000000;
    while (d->lru_head && (d->lru_head->end_ns < limit || d->count > d->lim.max_calls))
        evict(d, d->lru_head);
}

void dlg_flush_all(struct dlg_ctx *d)
{
    while (d->lru_head)
        evict(d, d->lru_head);
}

void dlg_foreach(struct dlg_ctx *d, void (*fn)(void *user, struct dlg_call *c), void *user)
{
    for (struct dlg_call *c = d->lru_head; c; c = c->lru_next)
        fn(user, c);
}

size_t dlg_count(const struct dlg_ctx *d)
{
    return d->count;
}

uint64_t dlg_evicted(const struct dlg_ctx *d)
{
    return d->evicted;
}

void dlg_free(struct dlg_ctx *d)
{
    if (!d)
        return;
    struct dlg_call *c = d->lru_head;
    while (c) {
        struct dlg_call *n = c->lru_next;
        free(c);
        c = n;
    }
    free(d->slots);
    free(d->bloom);
    free(d);
}
