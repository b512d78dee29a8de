/* test_dialog.c: the Call-ID table, INVITE state machine, CLI.md's final-status rule,
 * per-hop retransmission detection, and eviction with reload through the store callback. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dissect/dialog.h"
#include "dissect/sip.h"

static struct sip_msg msg;
static int64_t now_ns = 1700000000LL * 1000000000LL;

static struct net_endpoint ep(uint8_t last, uint16_t port)
{
    struct net_endpoint e = {.addr = {.family = 4, .a = {10, 0, 0, last}}, .port = port};
    return e;
}

/* Feeds one message text from a to b at now_ns (advanced by 10 ms per message). */
static struct dlg_event feed(struct dlg_ctx *d, const char *text, uint8_t a, uint8_t b)
{
    struct frame f = {.ts_ns = now_ns, .index = 1};
    now_ns += 10000000;
    struct net_payload pl = {.src = ep(a, 5060),
                             .dst = ep(b, 5060),
                             .transport = NET_T_UDP,
                             .frame = &f,
                             .data = slice_make(text, strlen(text))};
    CHECK(sip_parse(&msg, pl.data) == DIS_OK);
    struct dlg_event ev;
    dlg_message(d, &msg, &pl, &ev);
    return ev;
}

static char buf[16][1024];

/* Builds a request or response for Call-ID cid. start: "INVITE sip:b@x SIP/2.0" or
 * "SIP/2.0 200 OK"; cseq: "1 INVITE"; branch; to_tag may be "". */
static const char *mk(int slot, const char *start, const char *cid, const char *cseq,
                      const char *branch, const char *to_tag)
{
    snprintf(buf[slot], sizeof buf[slot],
             "%s\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=%s\r\nFrom: \"A\" "
             "<sip:alice@10.0.0.1>;tag=fa\r\nTo: <sip:bob@10.0.0.2>%s%s\r\nCall-ID: %s\r\n"
             "CSeq: %s\r\nContent-Length: 0\r\n\r\n",
             start, branch, to_tag[0] ? ";tag=" : "", to_tag, cid, cseq);
    return buf[slot];
}

static void test_answered_call(void)
{
    struct dlg_ctx *d = dlg_new(NULL, 1, NULL, NULL, NULL);
    const char *c = "call-1";
    struct dlg_event ev =
        feed(d, mk(0, "INVITE sip:bob@10.0.0.2 SIP/2.0", c, "1 INVITE", "z9hG4bK1", ""), 1, 2);
    CHECK(ev.new_call);
    CHECK(!ev.retransmission);
    struct dlg_call *call = ev.call;
    CHECK_EQ_INT(call->id, 1);
    CHECK(strcmp(call->method, "INVITE") == 0);
    CHECK(strcmp(call->from_uri, "sip:alice@10.0.0.1") == 0);
    CHECK(strcmp(call->to_uri, "sip:bob@10.0.0.2") == 0);
    CHECK_EQ_INT(call->state, DLG_ST_CALLING);
    feed(d, mk(1, "SIP/2.0 100 Trying", c, "1 INVITE", "z9hG4bK1", ""), 2, 1);
    CHECK_EQ_INT(call->state, DLG_ST_CALLING);
    CHECK_EQ_INT(call->ring_ns, 0);
    feed(d, mk(2, "SIP/2.0 180 Ringing", c, "1 INVITE", "z9hG4bK1", "tb"), 2, 1);
    CHECK_EQ_INT(call->state, DLG_ST_RINGING);
    CHECK_EQ_INT(call->ring_ns - call->invite_ns, 20000000);
    feed(d, mk(3, "SIP/2.0 200 OK", c, "1 INVITE", "z9hG4bK1", "tb"), 2, 1);
    CHECK_EQ_INT(call->state, DLG_ST_IN_CALL);
    CHECK_EQ_INT(call->final_status, 200);
    ev = feed(d, mk(3, "SIP/2.0 200 OK", c, "1 INVITE", "z9hG4bK1", "tb"), 2, 1);
    CHECK(ev.retransmission);
    feed(d, mk(4, "ACK sip:bob@10.0.0.2 SIP/2.0", c, "1 ACK", "z9hG4bK2", "tb"), 1, 2);
    feed(d, mk(5, "BYE sip:bob@10.0.0.2 SIP/2.0", c, "2 BYE", "z9hG4bK3", "tb"), 1, 2);
    CHECK_EQ_INT(call->state, DLG_ST_COMPLETED);
    feed(d, mk(6, "SIP/2.0 200 OK", c, "2 BYE", "z9hG4bK3", "tb"), 2, 1);
    CHECK_EQ_INT(call->final_status, 200);
    CHECK_EQ_INT(call->nmsgs, 8);
    CHECK_EQ_INT(call->bye_ns - call->answer_ns, 30000000);
    CHECK_EQ_INT(dlg_count(d), 1);
    dlg_free(d);
}

static void test_auth_retry_and_reinvite(void)
{
    struct dlg_ctx *d = dlg_new(NULL, 1, NULL, NULL, NULL);
    const char *c = "call-auth";
    struct dlg_call *call =
        feed(d, mk(0, "INVITE sip:bob@x SIP/2.0", c, "1 INVITE", "z9hG4bKa", ""), 1, 2).call;
    feed(d, mk(1, "SIP/2.0 407 Proxy Authentication Required", c, "1 INVITE", "z9hG4bKa", "p"), 2,
         1);
    CHECK_EQ_INT(call->final_status, 407);
    CHECK_EQ_INT(call->state, DLG_ST_REJECTED);
    feed(d, mk(2, "ACK sip:bob@x SIP/2.0", c, "1 ACK", "z9hG4bKa", "p"), 1, 2);
    feed(d, mk(3, "INVITE sip:bob@x SIP/2.0", c, "2 INVITE", "z9hG4bKb", ""), 1, 2);
    CHECK_EQ_INT(call->final_status, 0); /* the retry resets it */
    CHECK_EQ_INT(call->state, DLG_ST_CALLING);
    feed(d, mk(4, "SIP/2.0 200 OK", c, "2 INVITE", "z9hG4bKb", "t"), 2, 1);
    CHECK_EQ_INT(call->final_status, 200);
    /* a late 407 retransmission of the first transaction changes nothing */
    feed(d, mk(1, "SIP/2.0 407 Proxy Authentication Required", c, "1 INVITE", "z9hG4bKa", "p"), 2,
         1);
    CHECK_EQ_INT(call->final_status, 200);
    /* in-dialog re-INVITE (To tag) rejected with 491: final status and state stay */
    feed(d, mk(5, "INVITE sip:bob@x SIP/2.0", c, "3 INVITE", "z9hG4bKc", "t"), 1, 2);
    feed(d, mk(6, "SIP/2.0 491 Request Pending", c, "3 INVITE", "z9hG4bKc", "t"), 2, 1);
    CHECK_EQ_INT(call->final_status, 200);
    CHECK_EQ_INT(call->state, DLG_ST_IN_CALL);
    dlg_free(d);
}

static void test_cancel_reject_fail(void)
{
    struct dlg_ctx *d = dlg_new(NULL, 1, NULL, NULL, NULL);
    struct dlg_call *a =
        feed(d, mk(0, "INVITE sip:b@x SIP/2.0", "cx", "1 INVITE", "z9hG4bK1", ""), 1, 2).call;
    feed(d, mk(1, "SIP/2.0 180 Ringing", "cx", "1 INVITE", "z9hG4bK1", "t"), 2, 1);
    feed(d, mk(2, "CANCEL sip:b@x SIP/2.0", "cx", "1 CANCEL", "z9hG4bK1", ""), 1, 2);
    feed(d, mk(3, "SIP/2.0 200 OK", "cx", "1 CANCEL", "z9hG4bK1", "t"), 2, 1);
    CHECK_EQ_INT(a->final_status, 0); /* 200 to CANCEL is not the INVITE's answer */
    CHECK_EQ_INT(a->state, DLG_ST_RINGING);
    feed(d, mk(4, "SIP/2.0 487 Request Terminated", "cx", "1 INVITE", "z9hG4bK1", "t"), 2, 1);
    CHECK_EQ_INT(a->final_status, 487);
    CHECK_EQ_INT(a->state, DLG_ST_CANCELLED);
    struct dlg_call *b =
        feed(d, mk(0, "INVITE sip:b@x SIP/2.0", "busy", "1 INVITE", "z9hG4bK2", ""), 1, 2).call;
    feed(d, mk(1, "SIP/2.0 486 Busy Here", "busy", "1 INVITE", "z9hG4bK2", "t"), 2, 1);
    CHECK_EQ_INT(b->state, DLG_ST_REJECTED);
    CHECK_EQ_INT(b->ring_ns, 0);
    struct dlg_call *f =
        feed(d, mk(0, "INVITE sip:b@x SIP/2.0", "fail", "1 INVITE", "z9hG4bK3", ""), 1, 2).call;
    feed(d, mk(1, "SIP/2.0 503 Service Unavailable", "fail", "1 INVITE", "z9hG4bK3", "t"), 2, 1);
    CHECK_EQ_INT(f->state, DLG_ST_FAILED);
    CHECK_EQ_INT(f->final_status, 503);
    CHECK(b->id != a->id && f->id != b->id);
    dlg_free(d);
}

static void test_non_invite_and_hops(void)
{
    struct dlg_ctx *d = dlg_new(NULL, 1, NULL, NULL, NULL);
    struct dlg_call *r =
        feed(d, mk(0, "REGISTER sip:x SIP/2.0", "reg", "1 REGISTER", "z9hG4bKr1", ""), 1, 3).call;
    CHECK_EQ_INT(r->state, DLG_ST_PENDING);
    feed(d, mk(1, "SIP/2.0 401 Unauthorized", "reg", "1 REGISTER", "z9hG4bKr1", "k"), 3, 1);
    CHECK_EQ_INT(r->state, DLG_ST_FAILED);
    feed(d, mk(2, "REGISTER sip:x SIP/2.0", "reg", "2 REGISTER", "z9hG4bKr2", ""), 1, 3);
    CHECK_EQ_INT(r->state, DLG_ST_PENDING);
    feed(d, mk(3, "SIP/2.0 200 OK", "reg", "2 REGISTER", "z9hG4bKr2", "k"), 3, 1);
    CHECK_EQ_INT(r->state, DLG_ST_COMPLETED);
    CHECK_EQ_INT(r->final_status, 200);
    /* the same INVITE forwarded by a proxy on a second hop is not a retransmission */
    struct dlg_event e1 =
        feed(d, mk(4, "INVITE sip:b@x SIP/2.0", "px", "1 INVITE", "z9hG4bKp", ""), 1, 3);
    struct dlg_event e2 =
        feed(d, mk(4, "INVITE sip:b@x SIP/2.0", "px", "1 INVITE", "z9hG4bKp", ""), 3, 4);
    struct dlg_event e3 =
        feed(d, mk(4, "INVITE sip:b@x SIP/2.0", "px", "1 INVITE", "z9hG4bKp", ""), 1, 3);
    CHECK(!e1.retransmission && !e2.retransmission && e3.retransmission);
    CHECK(e1.call == e2.call);
    /* a message without Call-ID makes no call */
    const char *nocid = "OPTIONS sip:x SIP/2.0\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    struct dlg_event e4 = feed(d, nocid, 1, 2);
    CHECK(e4.call == NULL);
    /* capture started mid-call: a response first, then a request */
    struct dlg_call *m =
        feed(d, mk(5, "SIP/2.0 200 OK", "mid", "5 BYE", "z9hG4bKm", "t"), 2, 1).call;
    CHECK_EQ_INT(m->method[0], '\0');
    CHECK_EQ_INT(m->final_status, 0);
    feed(d, mk(6, "ACK sip:b@x SIP/2.0", "mid", "6 ACK", "z9hG4bKm2", "t"), 1, 2);
    CHECK(strcmp(m->method, "ACK") == 0);
    CHECK_EQ_INT(m->final_status, 0);
    dlg_free(d);
}

/* A tiny "store" for the eviction test: the last evicted call by Call-ID. */
struct fake_store {
    struct dlg_call saved[4];
    int nsaved, reloads;
};

static void on_evict(void *user, struct dlg_call *c)
{
    struct fake_store *s = user;
    if (s->nsaved < 4)
        s->saved[s->nsaved++] = *c;
}

static bool on_reload(void *user, struct dlg_call *c)
{
    struct fake_store *s = user;
    for (int i = 0; i < s->nsaved; i++) {
        if (strcmp(s->saved[i].call_id, c->call_id) == 0) {
            struct dlg_call keep = *c;
            *c = s->saved[i];
            c->lru_prev = keep.lru_prev;
            c->lru_next = keep.lru_next;
            s->reloads++;
            return true;
        }
    }
    return false;
}

static void test_evict_and_reload(void)
{
    struct fake_store st = {.nsaved = 0};
    struct dlg_limits lim = {.max_calls = 1000, .idle_evict_ms = 1000};
    struct dlg_ctx *d = dlg_new(&lim, 7, on_evict, on_reload, &st);
    struct dlg_call *c =
        feed(d, mk(0, "INVITE sip:b@x SIP/2.0", "long", "1 INVITE", "z9hG4bK1", ""), 1, 2).call;
    feed(d, mk(1, "SIP/2.0 200 OK", "long", "1 INVITE", "z9hG4bK1", "t"), 2, 1);
    CHECK_EQ_INT(c->id, 7);
    now_ns += 5LL * 1000000000;
    dlg_expire(d, now_ns);
    CHECK_EQ_INT(dlg_count(d), 0);
    CHECK_EQ_INT(dlg_evicted(d), 1);
    CHECK_EQ_INT(st.nsaved, 1);
    CHECK_EQ_INT(st.saved[0].state, DLG_ST_IN_CALL);
    struct dlg_event ev =
        feed(d, mk(2, "BYE sip:b@x SIP/2.0", "long", "2 BYE", "z9hG4bK2", "t"), 1, 2);
    CHECK(!ev.new_call);
    CHECK_EQ_INT(st.reloads, 1);
    CHECK_EQ_INT(ev.call->id, 7);
    CHECK_EQ_INT(ev.call->nmsgs, 3);
    CHECK_EQ_INT(ev.call->state, DLG_ST_COMPLETED);
    /* a Call-ID never seen is new even after evictions */
    ev = feed(d, mk(3, "OPTIONS sip:b@x SIP/2.0", "fresh", "1 OPTIONS", "z9hG4bK9", ""), 1, 2);
    CHECK(ev.new_call);
    CHECK_EQ_INT(ev.call->id, 8);
    /* the bound on calls in memory evicts the oldest */
    struct dlg_limits small = {.max_calls = 2, .idle_evict_ms = 3600000};
    struct dlg_ctx *d2 = dlg_new(&small, 1, NULL, NULL, NULL);
    char cid[32];
    for (int i = 0; i < 50; i++) {
        snprintf(cid, sizeof cid, "many-%d", i);
        feed(d2, mk(0, "OPTIONS sip:b@x SIP/2.0", cid, "1 OPTIONS", "z9hG4bK1", ""), 1, 2);
        dlg_expire(d2, now_ns);
    }
    CHECK(dlg_count(d2) <= 2);
    CHECK_EQ_INT(dlg_evicted(d2), 48);
    dlg_free(d2);
    dlg_free(d);
}

/* Regression (fuzz_dialog): a request without From/To headers (empty slices with NULL pointers)
 * must not hand NULL to memcpy. */
static void test_missing_headers(void)
{
    struct dlg_ctx *d = dlg_new(NULL, 1, NULL, NULL, NULL);
    const char *bare = "INVITE sip:b@x SIP/2.0\r\nCall-ID: bare\r\nCSeq: 1 INVITE\r\n\r\n";
    struct dlg_event ev = feed(d, bare, 1, 2);
    CHECK(ev.call != NULL);
    CHECK(strcmp(ev.call->from_uri, "") == 0);
    CHECK(strcmp(ev.call->to_uri, "") == 0);
    CHECK(strcmp(ev.call->method, "INVITE") == 0);
    dlg_free(d);
}

static void test_state_names(void)
{
    CHECK(strcmp(dlg_state_name(DLG_ST_IN_CALL), "in-call") == 0);
    CHECK_EQ_INT(dlg_state_of("cancelled"), DLG_ST_CANCELLED);
    CHECK_EQ_INT(dlg_state_of("bogus"), -1);
    CHECK(dlg_state_name(DLG_ST_NONE) == NULL);
    CHECK(dlg_state_name(99) == NULL);
}

int main(void)
{
    test_answered_call();
    test_auth_retry_and_reinvite();
    test_cancel_reject_fail();
    test_non_invite_and_hops();
    test_evict_and_reload();
    test_missing_headers();
    test_state_names();
    return check_done();
}
