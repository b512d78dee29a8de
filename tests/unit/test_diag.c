/* test_diag.c: unit tests of the diagnostics engine (dissect/diag*.c) on crafted calls: the edges
 * the bundled captures do not reach (stale challenges, probes with Max-Forwards 0, an early-dialog
 * BYE by the caller, late offers, RTP thresholds, overflow of the findings array) and the rule
 * table itself. Messages are written as text (LF turned into CRLF) and parsed by sip_parse. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dissect/diag.h"

#define A    "10.0.0.1:5060"
#define B    "10.0.0.2:5060"
#define MAXM 40

struct call {
    char raw[MAXM][2048];
    struct sip_msg sip[MAXM];
    struct sdp sdp[MAXM];
    struct diag_msg m[MAXM];
    size_t n;
    struct diag_rtp rtp[4];
    size_t nrtp;
    struct diag_result r;
};

/* Adds a message: text with LF line ends (CRLF on the wire), from src to dst at t ms. */
static void add(struct call *c, const char *src, const char *dst, int t, const char *text,
                const char *transport)
{
    size_t k = 0, i = c->n++;
    for (const char *p = text; *p && k + 2 < sizeof c->raw[i]; p++) {
        if (*p == '\n')
            c->raw[i][k++] = '\r';
        c->raw[i][k++] = *p;
    }
    c->m[i] = (struct diag_msg){.ts_ns = (int64_t)t * 1000000,
                                .src = src,
                                .dst = dst,
                                .transport = transport ? transport : "UDP"};
    if (sip_parse(&c->sip[i], slice_make(c->raw[i], k)) != DIS_OK)
        return;
    c->m[i].sip = &c->sip[i];
    struct slice body = sip_sdp_body(&c->sip[i]);
    if (body.len && sdp_parse(&c->sdp[i], body) == DIS_OK)
        c->m[i].sdp = &c->sdp[i];
}

static void run(struct call *c)
{
    struct diag_call dc = {.msg = c->m, .nmsg = c->n, .rtp = c->rtp, .nrtp = c->nrtp};
    CHECK(diag_run(&dc, &c->r) == 0);
}

static int count(const struct call *c, const char *rule)
{
    int n = 0;
    for (size_t i = 0; i < c->r.n; i++)
        n += strcmp(c->r.f[i].rule, rule) == 0;
    return n;
}

static enum diag_sev sev_of(const struct call *c, const char *rule)
{
    for (size_t i = 0; i < c->r.n; i++)
        if (strcmp(c->r.f[i].rule, rule) == 0)
            return c->r.f[i].sev;
    return 0;
}

#define HDRS(method, cseq, branch, totag)                                                          \
    "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=" branch "\n"                                           \
    "From: <sip:a@x>;tag=aa\n"                                                                     \
    "To: <sip:b@x>" totag "\n"                                                                     \
    "Call-ID: c1@x\n"                                                                              \
    "CSeq: " cseq " " method "\n"
#define REQ(method, cseq, branch, totag)                                                           \
    method " sip:b@10.0.0.2 SIP/2.0\n" HDRS(method, cseq, branch,                                  \
                                            totag) "Max-Forwards: 70\n"                            \
                                                   "Contact: <sip:a@10.0.0.1>\n"
#define RESP(code, method, cseq, branch, totag)                                                    \
    "SIP/2.0 " code "\n" HDRS(method, cseq, branch, totag) "Contact: <sip:b@10.0.0.2>\n"
/* Text of a message ending in an SDP body (fills its Content-Length). */
static const char *with_sdp(char *buf, size_t n, const char *head, const char *pt, const char *enc,
                            const char *dir)
{
    char body[512];
    int bl = snprintf(body, sizeof body,
                      "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 10.0.0.1\nt=0 0\n"
                      "m=audio 4000 RTP/AVP %s\na=rtpmap:%s %s/8000\na=%s\n",
                      pt, pt, enc, dir);
    size_t lines = 0;
    for (int i = 0; i < bl; i++)
        lines += body[i] == '\n';
    snprintf(buf, n, "%sContent-Type: application/sdp\nContent-Length: %zu\n\n%s", head,
             (size_t)bl + lines, body);
    return buf;
}

static void basic_call(struct call *c, bool ack)
{
    char b[1024];
    add(c, A, B, 0,
        with_sdp(b, sizeof b, REQ("INVITE", "1", "z9hG4bK1", ""), "8", "PCMA", "sendrecv"), NULL);
    add(c, B, A, 10, RESP("100 Trying", "INVITE", "1", "z9hG4bK1", "") "Content-Length: 0\n\n",
        NULL);
    add(c, B, A, 500,
        with_sdp(b, sizeof b, RESP("200 OK", "INVITE", "1", "z9hG4bK1", ";tag=bb"), "8", "PCMA",
                 "sendrecv"),
        NULL);
    if (ack)
        add(c, A, B, 510, REQ("ACK", "1", "z9hG4bK2", ";tag=bb") "Content-Length: 0\n\n", NULL);
    add(c, A, B, 1000, REQ("BYE", "2", "z9hG4bK3", ";tag=bb") "Content-Length: 0\n\n", NULL);
    add(c, B, A, 1010, RESP("200 OK", "BYE", "2", "z9hG4bK3", ";tag=bb") "Content-Length: 0\n\n",
        NULL);
}

static void test_clean(void)
{
    struct call *c = calloc(1, sizeof *c);
    basic_call(c, true);
    run(c);
    CHECK_EQ_INT(c->r.n, 0);
    for (size_t i = 0; i < c->r.n; i++)
        fprintf(stderr, "  unexpected: %s %s\n", c->r.f[i].rule, c->r.f[i].text);
    free(c);
}

static void test_no_ack(void)
{
    struct call *c = calloc(1, sizeof *c);
    basic_call(c, false);
    run(c);
    CHECK_EQ_INT(count(c, "2xx-no-ack"), 1);
    CHECK_EQ_INT(sev_of(c, "2xx-no-ack"), DIAG_WARNING); /* not retransmitted, but BYE came */
    free(c);
}

static void test_auth_stale(void)
{
    struct call *c = calloc(1, sizeof *c);
    add(c, A, B, 0, REQ("REGISTER", "1", "z9hG4bK1", "") "Content-Length: 0\n\n", NULL);
    add(c, B, A, 5,
        RESP("401 Unauthorized", "REGISTER", "1", "z9hG4bK1",
             ";tag=r") "WWW-Authenticate: Digest realm=\"x\", nonce=\"n1\"\nContent-Length: 0\n\n",
        NULL);
    add(c, A, B, 10,
        REQ("REGISTER", "2", "z9hG4bK2", "") "Authorization: Digest username=\"a\", nonce=\"n1\", "
                                             "response=\"r\"\nContent-Length: 0\n\n",
        NULL);
    add(c, B, A, 15,
        RESP("401 Unauthorized", "REGISTER", "2", "z9hG4bK2",
             ";tag=r") "WWW-Authenticate: Digest realm=\"x\", nonce=\"n2\", "
                       "stale=true\nContent-Length: 0\n\n",
        NULL);
    add(c, A, B, 20,
        REQ("REGISTER", "3", "z9hG4bK3", "") "Authorization: Digest username=\"a\", nonce=\"n2\", "
                                             "response=\"r\"\nContent-Length: 0\n\n",
        NULL);
    add(c, B, A, 25, RESP("200 OK", "REGISTER", "3", "z9hG4bK3", ";tag=r") "Content-Length: 0\n\n",
        NULL);
    run(c);
    CHECK_EQ_INT(count(c, "auth-loop"), 0); /* a stale nonce is renewed, not a rejection */
    CHECK_EQ_INT(count(c, "register-no-auth"), 1);
    CHECK_EQ_INT(sev_of(c, "register-no-auth"), DIAG_INFO);
    free(c);
}

static void test_headers(void)
{
    struct call *c = calloc(1, sizeof *c);
    /* an OPTIONS probe with Max-Forwards 0 is legitimate (RFC 3261 §11) */
    add(c, A, B, 0,
        "OPTIONS sip:b@10.0.0.2 SIP/2.0\n" HDRS("OPTIONS", "1", "z9hG4bK1",
                                                "") "Max-Forwards: 0\nContent-Length: 0\n\n",
        NULL);
    add(c, B, A, 5, RESP("200 OK", "OPTIONS", "1", "z9hG4bK1", ";tag=x") "Content-Length: 0\n\n",
        NULL);
    run(c);
    CHECK_EQ_INT(c->r.n, 0);
    /* on TCP a message needs a Content-Length; over UDP bytes past it are a warning */
    add(c, A, B, 10, REQ("MESSAGE", "2", "z9hG4bK2", "") "\n", "TCP");
    add(c, B, A, 15,
        "SIP/2.0 200 OK\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK2\nCall-ID: c1@x\n"
        "CSeq: 2 MESSAGE\nContent-Length: 2\n\nhello",
        NULL);
    run(c);
    CHECK_EQ_INT(count(c, "content-length"), 2);
    CHECK_EQ_INT(count(c, "missing-header"), 1); /* the 200 lacks From and To */
    CHECK_EQ_INT(sev_of(c, "missing-header"), DIAG_ERROR);
    free(c);
}

static void test_early_bye_by_caller(void)
{
    struct call *c = calloc(1, sizeof *c);
    add(c, A, B, 0, REQ("INVITE", "1", "z9hG4bK1", "") "Content-Length: 0\n\n", NULL);
    add(c, B, A, 5,
        RESP("180 Ringing", "INVITE", "1", "z9hG4bK1", ";tag=bb") "Content-Length: 0\n\n", NULL);
    add(c, A, B, 50, REQ("BYE", "2", "z9hG4bK2", ";tag=bb") "Content-Length: 0\n\n", NULL);
    run(c);
    CHECK_EQ_INT(count(c, "bye-no-dialog"), 0); /* the caller may end an early dialog (§15) */
    CHECK_EQ_INT(count(c, "invite-no-final"), 1);
    free(c);
}

static void test_late_offer_and_direction(void)
{
    struct call *c = calloc(1, sizeof *c);
    char b[1024];
    add(c, A, B, 0, REQ("INVITE", "1", "z9hG4bK1", "") "Content-Length: 0\n\n", NULL);
    add(c, B, A, 5,
        with_sdp(b, sizeof b, RESP("200 OK", "INVITE", "1", "z9hG4bK1", ";tag=bb"), "0", "PCMU",
                 "sendonly"),
        NULL);
    add(c, A, B, 10,
        with_sdp(b, sizeof b, REQ("ACK", "1", "z9hG4bK2", ";tag=bb"), "8", "PCMA", "sendonly"),
        NULL);
    run(c);
    CHECK_EQ_INT(count(c, "no-common-codec"), 1);  /* offer in the 200, answer in the ACK */
    CHECK_EQ_INT(count(c, "answer-direction"), 1); /* sendonly answered sendonly */
    free(c);
}

static void test_rtp_thresholds(void)
{
    struct call *c = calloc(1, sizeof *c);
    basic_call(c, true);
    c->rtp[0] = (struct diag_rtp){"10.0.0.1:4000", "10.0.0.1:4000", 98, 100, 2, 1, 1, 4.2, 0, 0};
    c->rtp[1] = (struct diag_rtp){"10.0.0.1:4000", "10.0.0.1:4000", 90, 100, 10, 5, 2, 4.0, 0, 0};
    c->rtp[2] = (struct diag_rtp){"10.0.0.1:4000", "10.0.0.1:4000", 100, 100, 0, 80, 9, 3.0, 0, 0};
    c->nrtp = 3;
    run(c);
    CHECK_EQ_INT(count(c, "rtp-quality"), 3);
    CHECK_EQ_INT(c->r.f[0].sev, DIAG_INFO);    /* 2 % loss */
    CHECK_EQ_INT(c->r.f[1].sev, DIAG_WARNING); /* 10 % loss */
    CHECK_EQ_INT(c->r.f[2].sev, DIAG_WARNING); /* jitter 80 ms, MOS 3.0 */
    free(c);
}

/* RTP on an announced address at a port no SDP named (either end); an announced end or unknown
 * addresses give nothing. */
static void test_rtp_unannounced_port(void)
{
    struct call *c = calloc(1, sizeof *c);
    basic_call(c, true);
    c->rtp[0] = (struct diag_rtp){"10.0.0.1:4000", "10.0.0.9:5000", 50, 50, 0, 1, 1, 4.4, 0, 0};
    c->rtp[1] = (struct diag_rtp){"10.0.0.9:5000", "10.0.0.1:4002", 50, 50, 0, 1, 1, 4.4, 0, 0};
    c->rtp[2] = (struct diag_rtp){"10.0.0.9:5000", "10.0.0.8:6000", 50, 50, 0, 1, 1, 4.4, 0, 0};
    c->rtp[3] = (struct diag_rtp){"10.0.0.1:4002", "10.0.0.7:7000", 50, 50, 0, 1, 1, 4.4, 0, 0};
    c->nrtp = 4;
    run(c);
    CHECK_EQ_INT(count(c, "rtp-unannounced-port"), 2);
    CHECK_EQ_INT(sev_of(c, "rtp-unannounced-port"), DIAG_WARNING);
    for (size_t i = 0; i < c->r.n; i++) {
        if (strcmp(c->r.f[i].rule, "rtp-unannounced-port") == 0) {
            CHECK(strstr(c->r.f[i].text, "10.0.0.1:4002 is a port") != NULL);
            CHECK(strstr(c->r.f[i].text, "announced 10.0.0.1:4000") != NULL);
            CHECK_EQ_INT(c->r.f[i].nref, 0);
        }
    }
    free(c);
}

static void test_overflow_and_table(void)
{
    struct call *c = calloc(1, sizeof *c);
    for (int i = 0; i < MAXM; i++) /* 40 requests, each lacking a Max-Forwards and answered 482 */
        add(c, A, B, i,
            i % 2 ? RESP("482 Loop Detected", "MESSAGE", "1", "z9hG4bK1",
                         ";tag=t") "Content-Length: 0\n\n"
                  : "MESSAGE sip:b@x SIP/2.0\n" HDRS("MESSAGE", "1", "z9hG4bK1",
                                                     "") "Content-Length: 0\n\n",
            NULL);
    run(c);
    CHECK(c->r.n <= DIAG_MAX_FINDINGS);
    size_t n;
    const struct diag_rule_info *r = diag_rules(&n);
    CHECK(n >= 25);
    for (size_t i = 0; i < n; i++) {
        CHECK(diag_rule_known(r[i].id));
        CHECK(r[i].spec && r[i].spec[0]);
        for (size_t j = i + 1; j < n; j++)
            CHECK(strcmp(r[i].id, r[j].id) != 0);
    }
    CHECK(!diag_rule_known("nope"));
    CHECK_EQ_INT(diag_sev_parse("warning"), DIAG_WARNING);
    CHECK_EQ_INT(diag_sev_parse("WARN"), 0);
    free(c);
}

/* Found by fuzz_diag: a REGISTER without CSeq (no transaction), and a 401 without any
 * WWW-Authenticate to a request with credentials. */
static void test_fuzz_finds(void)
{
    struct call *c = calloc(1, sizeof *c);
    add(c, A, B, 0,
        "REGISTER sip:x SIP/2.0\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\nCall-ID: c1@x\n\n",
        NULL);
    add(c, A, B, 5,
        REQ("INVITE", "1", "z9hG4bK2",
            "") "Authorization: Digest nonce=\"n\"\nContent-Length: 0\n\n",
        NULL);
    add(c, B, A, 9, RESP("401 Unauthorized", "INVITE", "1", "z9hG4bK2", ";tag=t") "\n", NULL);
    run(c);
    CHECK_EQ_INT(count(c, "register-no-auth"), 0);
    CHECK_EQ_INT(count(c, "auth-loop"), 1);
    free(c);
}

/* to-tag-changed: requests of the callee (tags the other way round), a forked early dialog,
 * CANCEL with a fresh tag in its 200, a call whose INVITE the capture missed; and a re-INVITE of
 * the callee with another From tag. */
static void test_to_tag_edges(void)
{
    struct call *c = calloc(1, sizeof *c);
    add(c, A, B, 0, REQ("INVITE", "1", "z9hG4bK1", "") "Content-Length: 0\n\n", NULL);
    add(c, B, A, 5, RESP("180 Ringing", "INVITE", "1", "z9hG4bK1", ";tag=b1") "\n", NULL);
    add(c, A, B, 6, REQ("PRACK", "2", "z9hG4bK2", ";tag=b1") "Content-Length: 0\n\n", NULL);
    add(c, B, A, 7, RESP("200 OK", "PRACK", "2", "z9hG4bK2", ";tag=b1") "\n", NULL);
    add(c, B, A, 9, RESP("200 OK", "INVITE", "1", "z9hG4bK1", ";tag=b2") "\n", NULL);
    add(c, A, B, 10, REQ("ACK", "1", "z9hG4bK3", ";tag=b2") "Content-Length: 0\n\n", NULL);
    add(c, A, B, 11, REQ("CANCEL", "1", "z9hG4bK1", "") "Content-Length: 0\n\n", NULL);
    add(c, B, A, 12, RESP("200 OK", "CANCEL", "1", "z9hG4bK1", ";tag=fresh") "\n", NULL);
    add(c, B, A, 20,
        "BYE sip:a@10.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK9\n"
        "From: <sip:b@x>;tag=b2\nTo: <sip:a@x>;tag=aa\nCall-ID: c1@x\nCSeq: 7 BYE\n"
        "Max-Forwards: 70\nContent-Length: 0\n\n",
        NULL);
    add(c, A, B, 21,
        "SIP/2.0 200 OK\nVia: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK9\n"
        "From: <sip:b@x>;tag=b2\nTo: <sip:a@x>;tag=aa\nCall-ID: c1@x\nCSeq: 7 BYE\n\n",
        NULL);
    run(c);
    CHECK_EQ_INT(count(c, "to-tag-changed"), 0);
    /* the callee's re-INVITE with a From tag of no dialog */
    add(c, B, A, 30,
        "INVITE sip:a@10.0.0.1 SIP/2.0\nVia: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK10\n"
        "From: <sip:b@x>;tag=zz\nTo: <sip:a@x>;tag=aa\nCall-ID: c1@x\nCSeq: 8 INVITE\n"
        "Max-Forwards: 70\nContact: <sip:b@10.0.0.2>\nContent-Length: 0\n\n",
        NULL);
    run(c);
    CHECK_EQ_INT(count(c, "to-tag-changed"), 1);
    CHECK_EQ_INT(sev_of(c, "to-tag-changed"), DIAG_WARNING);
    free(c);
    c = calloc(1, sizeof *c); /* capture started mid-call: nothing to compare with */
    add(c, A, B, 0, REQ("BYE", "2", "z9hG4bK3", ";tag=q") "Content-Length: 0\n\n", NULL);
    add(c, B, A, 1, RESP("200 OK", "BYE", "2", "z9hG4bK3", ";tag=r") "\n", NULL);
    run(c);
    CHECK_EQ_INT(count(c, "to-tag-changed"), 0);
    free(c);
    c = calloc(1, sizeof *c); /* the 200 to a BYE without the To tag of the BYE */
    add(c, A, B, 0, REQ("INVITE", "1", "z9hG4bK1", "") "Content-Length: 0\n\n", NULL);
    add(c, B, A, 9, RESP("200 OK", "INVITE", "1", "z9hG4bK1", ";tag=t") "\n", NULL);
    add(c, A, B, 10, REQ("BYE", "2", "z9hG4bK3", ";tag=t") "Content-Length: 0\n\n", NULL);
    add(c, B, A, 11, RESP("200 OK", "BYE", "2", "z9hG4bK3", "") "\n", NULL);
    run(c);
    CHECK_EQ_INT(count(c, "to-tag-changed"), 1);
    for (size_t i = 0; i < c->r.n; i++)
        if (strcmp(c->r.f[i].rule, "to-tag-changed") == 0)
            CHECK(strstr(c->r.f[i].text, "has To tag \"\", the request's is \"t\"") != NULL);
    free(c);
}

#define P        "10.0.0.3:5060"
#define VIA_A    "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa"
#define VIA_P    "SIP/2.0/UDP 10.0.0.3:5060;branch=z9hG4bKp"
#define TRY_TAIL "From: <sip:a@x>;tag=aa\nTo: <sip:b@x>\nCall-ID: c1@x\nCSeq: 1 INVITE\n"

/* trying-forwarded: a stateless relay of the 100 (no own 100) is legal, the same after an own 100
 * is not (own 1), nor after relaying another downstream 100 first (own 2: a stateless P behind a
 * proxy that itself relays a 100 - P is not at fault); the Via list compared entry by entry,
 * whether on one line or several. */
static void test_trying_forwarded(void)
{
    for (int own = 0; own < 3; own++) {
        struct call *c = calloc(1, sizeof *c);
        add(c, A, P, 0,
            "INVITE sip:b@x SIP/2.0\nVia: " VIA_A "\n" TRY_TAIL "Max-Forwards: 70\n"
            "Contact: <sip:a@10.0.0.1>\nContent-Length: 0\n\n",
            NULL);
        if (own == 1)
            add(c, P, A, 1, "SIP/2.0 100 Trying\nVia: " VIA_A "\n" TRY_TAIL "Server: p\n\n", NULL);
        add(c, P, B, 2,
            "INVITE sip:b@x SIP/2.0\nVia: " VIA_P "\nVia: " VIA_A "\n" TRY_TAIL
            "Max-Forwards: 69\nContact: <sip:a@10.0.0.1>\nContent-Length: 0\n\n",
            NULL);
        if (own == 2) {
            add(c, B, P, 2,
                "SIP/2.0 100 Trying\nVia: " VIA_P "\nVia: " VIA_A "\n" TRY_TAIL "Server: q\n\n",
                NULL);
            add(c, P, A, 2, "SIP/2.0 100 Trying\nVia: " VIA_A "\n" TRY_TAIL "Server: q\n\n", NULL);
        }
        add(c, B, P, 3, "SIP/2.0 100 Trying\nVia: " VIA_P ", " VIA_A "\n" TRY_TAIL "\n", NULL);
        add(c, P, A, 4, "SIP/2.0 100 Trying\nVia: " VIA_A "\n" TRY_TAIL "\n", NULL);
        run(c);
        CHECK_EQ_INT(count(c, "trying-forwarded"), own == 1);
        for (size_t i = 0; i < c->r.n; i++) /* the own 100, the downstream one, the copy */
            if (strcmp(c->r.f[i].rule, "trying-forwarded") == 0)
                CHECK(c->r.f[i].nref == 3 && c->r.f[i].ref[0] == 1 && c->r.f[i].ref[2] == 4);
        free(c);
    }
}

int main(void)
{
    test_fuzz_finds();
    test_clean();
    test_no_ack();
    test_auth_stale();
    test_headers();
    test_early_bye_by_caller();
    test_late_offer_and_direction();
    test_rtp_thresholds();
    test_rtp_unannounced_port();
    test_overflow_and_table();
    test_to_tag_edges();
    test_trying_forwarded();
    printf("%d passed, %d failed\n", check_pass, check_fail);
    return check_fail ? 1 : 0;
}
