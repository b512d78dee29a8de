/* test_sip_cache.c: unit tests of the fields sip_parse caches in struct sip_msg (CSeq, To tag, top
 * Via branch): they equal what the header scanners find in the same message, and a reused scratch
 * message never keeps a previous message's values. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "dissect/sip.h"

/* pub01_udp_basic_rtp.pcap frame 4 (tshark -e udp.payload), body removed. */
static const char s_200ok[] = "SIP/2.0 200 OK\r\n"
                              "Via: SIP/2.0/UDP 127.0.10.1:5060;branch=z9hG4bK-4911-1-0\r\n"
                              "From: \"Alice\" <sip:alice@127.0.10.1:5060>;tag=4911SIPpTag001\r\n"
                              "To: <sip:bob@127.0.10.2:5060>;tag=4900SIPpTag011\r\n"
                              "Call-ID: 1-4911@127.0.10.1\r\n"
                              "CSeq: 1 INVITE\r\n"
                              "Content-Length: 0\r\n"
                              "\r\n";
/* A request with compact headers, two Vias in one line, a quoted To param and LWS in CSeq. */
static const char s_compact[] =
    "BYE sip:bob@h SIP/2.0\r\n"
    "v: SIP/2.0/UDP a;branch=z9hG4bKtop, SIP/2.0/UDP b;branch=second\r\n"
    "f: <sip:a@h>;tag=ft\r\n"
    "t: \"x;tag=no\" <sip:b@h>;TAG=tt2\r\n"
    "i: abc\r\n"
    "CSeq:  4711   BYE\r\n"
    "l: 0\r\n"
    "\r\n";
/* No To tag, no Via branch, no CSeq. */
static const char s_bare[] = "OPTIONS sip:x@h SIP/2.0\r\n"
                             "Via: SIP/2.0/UDP a\r\n"
                             "To: <sip:x@h>\r\n"
                             "Call-ID: bare\r\n"
                             "Content-Length: 0\r\n"
                             "\r\n";
/* Malformed CSeq (method missing). */
static const char s_badcseq[] = "INVITE sip:x@h SIP/2.0\r\n"
                                "Via: SIP/2.0/UDP a;branch=b1\r\n"
                                "Call-ID: c\r\n"
                                "CSeq: 12\r\n"
                                "\r\n";

static struct sip_msg msg; /* large: off the stack, and reused like ingest's scratch message */

static enum dis_result parse(const char *s)
{
    return sip_parse(&msg, slice_make((const uint8_t *)s, strlen(s)));
}

/* The cached answers equal a fresh scan of the same headers. */
static void check_against_scan(enum dis_result r)
{
    struct slice to = sip_param(sip_hdr_get(&msg, SIP_H_TO), "tag", 3, NULL);
    struct slice br = sip_param(sip_hdr_get(&msg, SIP_H_VIA), "branch", 6, NULL);
    CHECK(sip_to_tag(&msg).len == to.len && sip_to_tag(&msg).p == to.p);
    CHECK(sip_via_branch(&msg).len == br.len && sip_via_branch(&msg).p == br.p);
    uint32_t n1 = 0, n2 = 0;
    struct slice m1 = SLICE_NULL, m2 = SLICE_NULL;
    bool ok1 = sip_cseq(&msg, &n1, &m1);
    bool ok2 = sip_cseq_parse(sip_hdr_get(&msg, SIP_H_CSEQ), &n2, &m2);
    CHECK_EQ_INT(ok1, ok2);
    CHECK_EQ_INT(n1, n2);
    CHECK(m1.len == m2.len && m1.p == m2.p);
    if (r != DIS_NOT_MINE) /* a start line that is not SIP sets no flags */
        CHECK_EQ_INT(ok1, (msg.flags & SIP_F_BAD_CSEQ) == 0);
}

static void test_real_response(void)
{
    CHECK_EQ_INT(parse(s_200ok), DIS_OK);
    check_against_scan(DIS_OK);
    CHECK_SLICE(sip_to_tag(&msg), "4900SIPpTag011");
    CHECK_SLICE(sip_via_branch(&msg), "z9hG4bK-4911-1-0");
    uint32_t n = 0;
    struct slice m = SLICE_NULL;
    CHECK(sip_cseq(&msg, &n, &m));
    CHECK_EQ_INT(n, 1);
    CHECK_SLICE(m, "INVITE");
    CHECK_EQ_INT(msg.method_id, SIP_M_INVITE);
}

static void test_compact_forms(void)
{
    CHECK_EQ_INT(parse(s_compact), DIS_OK);
    check_against_scan(DIS_OK);
    CHECK_SLICE(sip_to_tag(&msg), "tt2");            /* not the one inside the quotes */
    CHECK_SLICE(sip_via_branch(&msg), "z9hG4bKtop"); /* the top Via of the list */
    uint32_t n = 0;
    struct slice m = SLICE_NULL;
    CHECK(sip_cseq(&msg, &n, &m));
    CHECK_EQ_INT(n, 4711);
    CHECK_SLICE(m, "BYE");
}

/* The scratch message is reused: values of the previous message must not survive. */
static void test_reuse_clears(void)
{
    CHECK_EQ_INT(parse(s_200ok), DIS_OK);
    CHECK_EQ_INT(parse(s_bare), DIS_OK);
    check_against_scan(DIS_OK);
    CHECK_EQ_INT(sip_to_tag(&msg).len, 0);
    CHECK_EQ_INT(sip_via_branch(&msg).len, 0);
    uint32_t n = 99;
    struct slice m = SLICE_NULL;
    CHECK(!sip_cseq(&msg, &n, &m));
    CHECK_EQ_INT(n, 99); /* untouched on failure */
    CHECK(msg.flags & SIP_F_BAD_CSEQ);

    CHECK_EQ_INT(parse(s_200ok), DIS_OK);
    CHECK_EQ_INT(parse(s_badcseq), DIS_OK);
    check_against_scan(DIS_OK);
    CHECK(!sip_cseq(&msg, &n, &m));
    CHECK_SLICE(sip_via_branch(&msg), "b1");

    /* a start line only (no header section end): nothing cached from before */
    CHECK_EQ_INT(parse(s_200ok), DIS_OK);
    CHECK_EQ_INT(parse("SIP/2.0 180 Ringing"), DIS_BAD);
    CHECK(!sip_cseq(&msg, &n, &m));
    CHECK_EQ_INT(sip_to_tag(&msg).len, 0);
    CHECK_EQ_INT(sip_via_branch(&msg).len, 0);
}

/* Every prefix of a real message: the cache always agrees with a fresh scan. */
static void test_prefixes(void)
{
    size_t n = strlen(s_compact);
    for (size_t k = 1; k <= n; k++) {
        check_against_scan(sip_parse(&msg, slice_make((const uint8_t *)s_compact, k)));
    }
}

int main(void)
{
    test_real_response();
    test_compact_forms();
    test_reuse_clears();
    test_prefixes();
    return check_done();
}
