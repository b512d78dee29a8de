/* test_sip.c: unit tests of the SIP parser (dissect/sip.c, sip_hdr.c, sip_body.c) on real messages
 * from tests/data captures and on malformed input, with a prefix-truncation sweep. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dissect/sip.h"

/* Real messages (tshark -e udp.payload) from tests/data: pub01_udp_basic_rtp.pcap frames 1, 4 */
static const char s_invite[] = "INVITE sip:bob@127.0.10.2:5060 SIP/2.0\r\n"
                               "Via: SIP/2.0/UDP 127.0.10.1:5060;branch=z9hG4bK-4911-1-0\r\n"
                               "From: \"Alice\" <sip:alice@127.0.10.1:5060>;tag=4911SIPpTag001\r\n"
                               "To: <sip:bob@127.0.10.2:5060>\r\n"
                               "Call-ID: 1-4911@127.0.10.1\r\n"
                               "CSeq: 1 INVITE\r\n"
                               "Contact: <sip:alice@127.0.10.1:5060;transport=UDP>\r\n"
                               "Max-Forwards: 70\r\n"
                               "User-Agent: SIPp corpus UAC\r\n"
                               "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\n"
                               "Subject: corpus basic call\r\n"
                               "Content-Type: application/sdp\r\n"
                               "Content-Length:   200\r\n"
                               "\r\n"
                               "v=0\r\n"
                               "o=alice 53655765 2353687637 IN IP4 127.0.10.1\r\n"
                               "s=-\r\n"
                               "c=IN IP4 127.0.10.1\r\n"
                               "t=0 0\r\n"
                               "m=audio 30000 RTP/AVP 8 101\r\n"
                               "a=rtpmap:8 PCMA/8000\r\n"
                               "a=rtpmap:101 telephone-event/8000\r\n"
                               "a=fmtp:101 0-15\r\n"
                               "a=sendrecv\r\n";
static const char s_200ok[] = "SIP/2.0 200 OK\r\n"
                              "Via: SIP/2.0/UDP 127.0.10.1:5060;branch=z9hG4bK-4911-1-0\r\n"
                              "From: \"Alice\" <sip:alice@127.0.10.1:5060>;tag=4911SIPpTag001\r\n"
                              "To: <sip:bob@127.0.10.2:5060>;tag=4900SIPpTag011\r\n"
                              "Call-ID: 1-4911@127.0.10.1\r\n"
                              "CSeq: 1 INVITE\r\n"
                              "Contact: <sip:bob@127.0.10.2:5060;transport=UDP>\r\n"
                              "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\n"
                              "Server: SIPp corpus UAS\r\n"
                              "Content-Type: application/sdp\r\n"
                              "Content-Length:   188\r\n"
                              "\r\n"
                              "v=0\r\n"
                              "o=bob 1234 5678 IN IP4 127.0.10.2\r\n"
                              "s=-\r\n"
                              "c=IN IP4 127.0.10.2\r\n"
                              "t=0 0\r\n"
                              "m=audio 20000 RTP/AVP 8 101\r\n"
                              "a=rtpmap:8 PCMA/8000\r\n"
                              "a=rtpmap:101 telephone-event/8000\r\n"
                              "a=fmtp:101 0-15\r\n"
                              "a=sendrecv\r\n";
/* pub07_register_options_message_subscribe.pcap frames 1 and 2 */
static const char s_register[] = "REGISTER sip:127.0.0.3:5060 SIP/2.0\r\n"
                                 "Via: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-6186-1-0\r\n"
                                 "From: <sip:dave@127.0.0.3>;tag=6186SIPpTagReg1\r\n"
                                 "To: <sip:dave@127.0.0.3>\r\n"
                                 "Call-ID: 1-6186@127.0.0.2\r\n"
                                 "CSeq: 1 REGISTER\r\n"
                                 "Contact: <sip:dave@127.0.0.2:5070;transport=UDP>\r\n"
                                 "Expires: 300\r\n"
                                 "Max-Forwards: 70\r\n"
                                 "User-Agent: SIPp corpus registrar client\r\n"
                                 "Content-Length: 0\r\n"
                                 "\r\n";
static const char s_401[] =
    "SIP/2.0 401 Unauthorized\r\n"
    "Via: SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK-6186-1-0\r\n"
    "From: <sip:dave@127.0.0.3>;tag=6186SIPpTagReg1\r\n"
    "To: <sip:dave@127.0.0.3>;tag=cfb91c7679e34a54e2a4fb2df92fd000.76f28012\r\n"
    "Call-ID: 1-6186@127.0.0.2\r\n"
    "CSeq: 1 REGISTER\r\n"
    "WWW-Authenticate: Digest realm=\"127.0.0.3\", nonce=\"awTjCmsE4d6hwgLVsOCWJWRq6QOXN3MK\"\r\n"
    "Server: kamailio corpus proxy\r\n"
    "Content-Length: 0\r\n"
    "\r\n";
/* pub08_proxy_kamailio.pcap frame 3 (Kamailio-proxied: Record-Route, 2 Vias) */
static const char s_proxied[] =
    "INVITE sip:bob@127.0.0.3:5060 SIP/2.0\r\n"
    "Record-Route: <sip:127.0.0.3;lr;ftag=5306SIPpTag001>\r\n"
    "Via: SIP/2.0/UDP 127.0.0.3;branch=z9hG4bK2b63.13bb5b384b2a7506af3b5dcd2aa09124.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bK-5306-1-0\r\n"
    "From: \"Alice\" <sip:alice@127.0.0.2:5060>;tag=5306SIPpTag001\r\n"
    "To: <sip:bob@127.0.0.3:5060>\r\n"
    "Call-ID: 1-5306@127.0.0.2\r\n"
    "CSeq: 1 INVITE\r\n"
    "Contact: <sip:alice@127.0.0.2:5060;transport=UDP>\r\n"
    "Max-Forwards: 69\r\n"
    "User-Agent: SIPp corpus UAC\r\n"
    "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS\r\n"
    "Subject: corpus basic call\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length:   198\r\n"
    "\r\n"
    "v=0\r\n"
    "o=alice 53655765 2353687637 IN IP4 127.0.0.2\r\n"
    "s=-\r\n"
    "c=IN IP4 127.0.0.2\r\n"
    "t=0 0\r\n"
    "m=audio 30000 RTP/AVP 8 101\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-15\r\n"
    "a=sendrecv\r\n";
/* pub10_noisy_mixed.pcap frame 158: no Call-ID, CSeq "notanumber", Content-Length 999 */
static const char s_malformed[] = "INVITE sip:broken@127.0.10.32:5067 SIP/2.0\r\n"
                                  "Via: SIP/2.0/UDP 127.0.10.31:5066;branch=z9hG4bK-7042-1-0\r\n"
                                  "From: <sip:mallory@127.0.10.31>;tag=bad1\r\n"
                                  "To: <sip:broken@127.0.10.32>\r\n"
                                  "CSeq: notanumber INVITE\r\n"
                                  "Content-Type: application/sdp\r\n"
                                  "Content-Length: 999\r\n"
                                  "\r\n"
                                  "v=0\r\n"
                                  "o=- truncated\r\n";
/* Synthetic messages. */
static const char s_compact[] =
    "SIP/2.0 180 Ringing\r\nv: SIP/2.0/TCP 10.0.0.1;branch=z9hG4bKc1\r\nf: <sip:a@x>;tag=fa\r\n"
    "t: <sip:b@y>;tag=tb\r\ni: cid-compact@x\r\nCSeq: 7 INVITE\r\nm: <sip:b@10.0.0.2>\r\n"
    "k: timer\r\ns: hello\r\ne: gzip\r\no: presence\r\nr: <sip:c@z>\r\nb: <sip:d@z>\r\nu: talk\r\n"
    "a: *;audio\r\nj: *;video\r\nd: proxy\r\nx: 1800;refresher=uac\r\ny: abc\r\n"
    "c: application/sdp\r\nl: 4\r\n\r\nv=0\n";
static const char s_folded_lf[] = "OPTIONS sip:x@y SIP/2.0\n"
                                  "Via: SIP/2.0/UDP h;branch=z9hG4bKf\r\n"
                                  "Subject: first\r\n"
                                  "  second\n"
                                  "\tthird\n"
                                  "Call-ID: fold@y\n"
                                  "Warning:\r\n"
                                  " 399 h \"w\"\n"
                                  "CSeq: 3 OPTIONS\n"
                                  "\n"
                                  "tail";
struct sample {
    const char *name;
    const char *text;
    size_t len;
    bool framed; /* Content-Length matches the body: sip_frame_len frames exactly len bytes */
};

#define SAMPLE(s, f)                                                                               \
    {                                                                                              \
#s, s, sizeof(s) - 1, f                                                                    \
    }

static const struct sample samples[] = {
    SAMPLE(s_invite, true),  SAMPLE(s_200ok, true),      SAMPLE(s_register, true),
    SAMPLE(s_401, true),     SAMPLE(s_proxied, true),    SAMPLE(s_malformed, false),
    SAMPLE(s_compact, true), SAMPLE(s_folded_lf, false),
};

#define SL(lit) slice_make((lit), sizeof(lit) - 1)

static enum dis_result parse_str(struct sip_msg *m, const char *s)
{
    return sip_parse(m, slice_make(s, strlen(s)));
}

static struct sip_msg *new_msg(void)
{
    struct sip_msg *m = malloc(sizeof(*m));
    if (!m)
        abort();
    memset(m, 0xa5, sizeof(*m)); /* garbage: the parser must reset what it uses */
    return m;
}

static void test_invite(void)
{
    struct sip_msg *m = new_msg();
    CHECK_EQ_INT(parse_str(m, s_invite), DIS_OK);
    CHECK_EQ_INT(m->flags, 0);
    CHECK(m->is_request);
    CHECK_SLICE(m->method, "INVITE");
    CHECK_EQ_INT(m->method_id, SIP_M_INVITE);
    CHECK_SLICE(m->ruri, "sip:bob@127.0.10.2:5060");
    CHECK_EQ_INT(m->status, 0);
    CHECK_EQ_INT(m->nhdr, 12);
    CHECK_SLICE(m->hdr[0].name, "Via");
    CHECK_EQ_INT(m->hdr[0].id, SIP_H_VIA);
    CHECK_SLICE(sip_call_id(m), "1-4911@127.0.10.1");
    uint32_t n = 0;
    struct slice meth = SLICE_NULL;
    CHECK(sip_cseq(m, &n, &meth));
    CHECK_EQ_INT(n, 1);
    CHECK_SLICE(meth, "INVITE");
    CHECK_SLICE(sip_from_tag(m), "4911SIPpTag001");
    CHECK_EQ_INT(sip_to_tag(m).len, 0);
    CHECK_SLICE(sip_via_branch(m), "z9hG4bK-4911-1-0");
    CHECK_SLICE(sip_uri_of(sip_hdr_get(m, SIP_H_FROM)), "sip:alice@127.0.10.1:5060");
    CHECK_SLICE(sip_uri_of(sip_hdr_get(m, SIP_H_CONTACT)),
                "sip:alice@127.0.10.1:5060;transport=UDP");
    CHECK_SLICE(sip_hdr_get(m, SIP_H_CONTENT_LENGTH), "200");
    CHECK_SLICE(sip_hdr_get(m, SIP_H_USER_AGENT), "SIPp corpus UAC");
    CHECK_SLICE(sip_hdr_find(m, "user-AGENT", 10), "SIPp corpus UAC");
    CHECK_EQ_INT(sip_hdr_find(m, "X-CID", 5).len, 0);
    CHECK_EQ_INT(sip_hdr_get(m, SIP_H_RECORD_ROUTE).len, 0);
    CHECK_EQ_INT(sip_hdr_count(m, SIP_H_VIA), 1);
    CHECK(m->has_cl);
    CHECK_EQ_INT(m->content_length, 200);
    CHECK_EQ_INT(m->body.len, 200);
    CHECK(m->body.len >= 5 && memcmp(m->body.p, "v=0\r\n", 5) == 0);
    CHECK(sip_sdp_body(m).p == m->body.p && sip_sdp_body(m).len == 200);
    CHECK(m->raw.len == sizeof(s_invite) - 1);
    CHECK(sip_looks_like(slice_make(s_invite, sizeof(s_invite) - 1)));
    free(m);
}

static void test_responses(void)
{
    struct sip_msg *m = new_msg();
    CHECK_EQ_INT(parse_str(m, s_200ok), DIS_OK);
    CHECK_EQ_INT(m->flags, 0);
    CHECK(!m->is_request);
    CHECK_EQ_INT(m->status, 200);
    CHECK_SLICE(m->reason, "OK");
    CHECK_EQ_INT(m->method_id, SIP_M_INVITE);
    CHECK_EQ_INT(m->method.len, 0);
    CHECK_SLICE(sip_to_tag(m), "4900SIPpTag011");
    CHECK_EQ_INT(m->body.len, 188);
    CHECK_EQ_INT(parse_str(m, s_401), DIS_OK);
    CHECK_EQ_INT(m->flags, 0);
    CHECK_EQ_INT(m->status, 401);
    CHECK_SLICE(m->reason, "Unauthorized");
    CHECK_EQ_INT(m->method_id, SIP_M_REGISTER);
    CHECK_SLICE(sip_hdr_get(m, SIP_H_WWW_AUTHENTICATE),
                "Digest realm=\"127.0.0.3\", nonce=\"awTjCmsE4d6hwgLVsOCWJWRq6QOXN3MK\"");
    CHECK_SLICE(sip_to_tag(m), "cfb91c7679e34a54e2a4fb2df92fd000.76f28012");
    CHECK(m->has_cl);
    CHECK_EQ_INT(m->body.len, 0);
    CHECK_EQ_INT(sip_sdp_body(m).len, 0);
    CHECK_EQ_INT(parse_str(m, s_register), DIS_OK);
    CHECK_EQ_INT(m->method_id, SIP_M_REGISTER);
    CHECK_SLICE(m->ruri, "sip:127.0.0.3:5060");
    CHECK_SLICE(sip_hdr_get(m, SIP_H_EXPIRES), "300");
    CHECK_SLICE(sip_uri_of(sip_hdr_get(m, SIP_H_TO)), "sip:dave@127.0.0.3");
    free(m);
}

static void test_proxied(void)
{
    struct sip_msg *m = new_msg();
    CHECK_EQ_INT(parse_str(m, s_proxied), DIS_OK);
    CHECK_EQ_INT(m->flags, 0);
    CHECK_EQ_INT(sip_hdr_count(m, SIP_H_VIA), 2);
    CHECK_SLICE(sip_via_branch(m), "z9hG4bK2b63.13bb5b384b2a7506af3b5dcd2aa09124.0");
    CHECK_SLICE(m->hdr[m->first[SIP_H_VIA]].value,
                "SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bK-5306-1-0");
    struct slice rr = sip_hdr_get(m, SIP_H_RECORD_ROUTE);
    CHECK_SLICE(sip_uri_of(rr), "sip:127.0.0.3;lr;ftag=5306SIPpTag001");
    bool present = false;
    CHECK_EQ_INT(sip_param(rr, "lr", 2, &present).len, 0); /* inside <>: not a header param */
    CHECK(!present);
    CHECK_SLICE(sip_hdr_get(m, SIP_H_MAX_FORWARDS), "69");
    CHECK_EQ_INT(m->body.len, 198);
    free(m);
}

static void test_malformed_real(void)
{
    struct sip_msg *m = new_msg();
    CHECK_EQ_INT(parse_str(m, s_malformed), DIS_OK);
    CHECK(m->flags & SIP_F_NO_CALL_ID);
    CHECK(m->flags & SIP_F_BAD_CSEQ);
    CHECK(m->flags & SIP_F_CL_LONG);
    CHECK(!(m->flags & (SIP_F_BAD_START | SIP_F_CL_SHORT | SIP_F_BAD_CL | SIP_F_NO_BODY_SEP)));
    CHECK(m->has_cl);
    CHECK_EQ_INT(m->content_length, 999);
    CHECK_SLICE(m->body, "v=0\r\no=- truncated\r\n");
    CHECK_SLICE(sip_sdp_body(m), "v=0\r\no=- truncated\r\n");
    uint32_t n = 1234;
    struct slice meth;
    CHECK(!sip_cseq(m, &n, &meth));
    CHECK_EQ_INT(sip_call_id(m).len, 0);
    CHECK_SLICE(sip_from_tag(m), "bad1");
    free(m);
}

static void test_compact(void)
{
    static const struct {
        char c;
        enum sip_hdr_id id;
    } forms[] = {
        {'i', SIP_H_CALL_ID},
        {'f', SIP_H_FROM},
        {'t', SIP_H_TO},
        {'v', SIP_H_VIA},
        {'m', SIP_H_CONTACT},
        {'l', SIP_H_CONTENT_LENGTH},
        {'c', SIP_H_CONTENT_TYPE},
        {'k', SIP_H_SUPPORTED},
        {'s', SIP_H_SUBJECT},
        {'e', SIP_H_CONTENT_ENCODING},
        {'o', SIP_H_EVENT},
        {'r', SIP_H_REFER_TO},
        {'b', SIP_H_REFERRED_BY},
        {'u', SIP_H_ALLOW_EVENTS},
        {'a', SIP_H_ACCEPT_CONTACT},
        {'j', SIP_H_REJECT_CONTACT},
        {'d', SIP_H_REQUEST_DISPOSITION},
        {'x', SIP_H_SESSION_EXPIRES},
        {'y', SIP_H_IDENTITY},
    };
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        char lo = forms[i].c, up = (char)(forms[i].c - 32);
        CHECK_EQ_INT(sip_hdr_id_of(slice_make(&lo, 1)), forms[i].id);
        CHECK_EQ_INT(sip_hdr_id_of(slice_make(&up, 1)), forms[i].id);
    }
    CHECK_EQ_INT(sip_hdr_id_of(SL("g")), SIP_H_OTHER);
    CHECK_EQ_INT(sip_hdr_id_of(SL("1")), SIP_H_OTHER);
    CHECK_EQ_INT(sip_hdr_id_of(SLICE_NULL), SIP_H_OTHER);
    struct sip_msg *m = new_msg();
    CHECK_EQ_INT(parse_str(m, s_compact), DIS_OK);
    CHECK_EQ_INT(m->flags, 0);
    CHECK_EQ_INT(m->method_id, SIP_M_INVITE);
    CHECK_SLICE(m->reason, "Ringing");
    CHECK_SLICE(sip_call_id(m), "cid-compact@x");
    CHECK_SLICE(sip_from_tag(m), "fa");
    CHECK_SLICE(sip_to_tag(m), "tb");
    CHECK_SLICE(sip_via_branch(m), "z9hG4bKc1");
    CHECK_SLICE(sip_hdr_get(m, SIP_H_SESSION_EXPIRES), "1800;refresher=uac");
    CHECK_SLICE(sip_hdr_get(m, SIP_H_IDENTITY), "abc");
    CHECK_SLICE(sip_hdr_get(m, SIP_H_REQUEST_DISPOSITION), "proxy");
    CHECK_SLICE(sip_sdp_body(m), "v=0\n");
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
        CHECK(m->first[forms[i].id] != 0);
    free(m);
}

static void test_names(void)
{
    for (int id = 1; id < SIP_H__COUNT; id++) {
        const char *name = sip_hdr_name((enum sip_hdr_id)id);
        CHECK(name != NULL);
        if (!name)
            continue;
        CHECK_EQ_INT(sip_hdr_id_of(slice_make(name, strlen(name))), id);
    }
    CHECK_EQ_INT(sip_hdr_id_of(SL("WWW-AUTHENTICATE")), SIP_H_WWW_AUTHENTICATE);
    CHECK(sip_hdr_name(SIP_H_OTHER) == NULL);
    CHECK(sip_hdr_name(SIP_H__COUNT) == NULL);
    CHECK_EQ_INT(sip_hdr_id_of(SL("x-cid")), SIP_H_X_CALL_ID);
    CHECK_EQ_INT(sip_hdr_id_of(SL("Call-IDs")), SIP_H_OTHER);
    CHECK_EQ_INT(sip_hdr_id_of(SL("Call_ID")), SIP_H_OTHER);
    CHECK_EQ_INT(sip_hdr_id_of(SL("\xc3\xa9t\xc3\xa9")), SIP_H_OTHER);
    for (int id = SIP_M_INVITE; id < SIP_M__COUNT; id++) {
        const char *name = sip_method_name((enum sip_method)id);
        CHECK(name != NULL);
        if (name)
            CHECK_EQ_INT(sip_method_of(slice_make(name, strlen(name))), id);
    }
    CHECK(sip_method_name(SIP_M_NONE) == NULL);
    CHECK(sip_method_name(SIP_M_OTHER) == NULL);
    CHECK(sip_method_name(SIP_M__COUNT) == NULL);
    CHECK_EQ_INT(sip_method_of(SL("invite")), SIP_M_OTHER); /* case-sensitive */
    CHECK_EQ_INT(sip_method_of(SL("INVITED")), SIP_M_OTHER);
    CHECK_EQ_INT(sip_method_of(SL("SUBSCRIBES")), SIP_M_OTHER);
    CHECK_EQ_INT(sip_method_of(SLICE_NULL), SIP_M_OTHER);
}

static void test_folded_lf(void)
{
    struct sip_msg *m = new_msg();
    CHECK_EQ_INT(parse_str(m, s_folded_lf), DIS_OK);
    CHECK_EQ_INT(m->flags, 0);
    CHECK_EQ_INT(m->nhdr, 5);
    CHECK_SLICE(sip_hdr_get(m, SIP_H_SUBJECT), "first\r\n  second\n\tthird");
    CHECK_SLICE(sip_hdr_get(m, SIP_H_WARNING), "399 h \"w\"");
    CHECK_SLICE(sip_call_id(m), "fold@y");
    CHECK_EQ_INT(m->method_id, SIP_M_OPTIONS);
    CHECK(!m->has_cl);
    CHECK_SLICE(m->body, "tail"); /* no Content-Length: the rest (UDP) */
    CHECK_EQ_INT(parse_str(m, "BYE sip:a SIP/2.0\n  folded-first\nCall-ID: c\n\n"), DIS_OK);
    CHECK(m->flags & SIP_F_BAD_HDR);
    CHECK_SLICE(sip_call_id(m), "c");
    CHECK_EQ_INT(parse_str(m, "\r\n\r\nACK sip:a SIP/2.0\r\nCall-ID: k\r\nCSeq: 1 ACK\r\n\r\n"),
                 DIS_OK);
    CHECK_EQ_INT(m->flags, 0);
    CHECK_SLICE(m->method, "ACK");
    CHECK_EQ_INT(parse_str(m, "ACK sip:a SIP/2.0\r\nCall-ID: k\r\nCSeq: 1 ACK\r\n"), DIS_OK);
    CHECK(m->flags & SIP_F_NO_BODY_SEP);
    CHECK_EQ_INT(m->body.len, 0);
    CHECK_EQ_INT(parse_str(m, "ACK sip:a SIP/2.0\r\nCall-ID: k\r\nCSeq: 1 ACK\r\n\r"), DIS_OK);
    CHECK(m->flags & SIP_F_NO_BODY_SEP);
    CHECK_EQ_INT(parse_str(m, "SIP/2.0 180 end\r\r\nCall-ID: k\r\n\r\n"), DIS_OK); /* bare CR */
    CHECK(sip_call_id(m).len == 0 && m->body.len == 14); /* ends the line, as in Wireshark */
    CHECK_EQ_INT(parse_str(m, "ACK sip:a SIP/2.0\r\nCall-ID : sp\r\nCSeq:\t1\tACK\r\n\r\n"),
                 DIS_OK);
    CHECK_EQ_INT(m->flags, 0);
    CHECK_SLICE(m->hdr[0].name, "Call-ID");
    CHECK_SLICE(sip_call_id(m), "sp");
    free(m);
}

static void test_start_lines(void)
{
    static const struct {
        const char *text;
        enum dis_result r;
        uint32_t flags;
    } cases[] = {
        {"SIP/2.0 99 Low\r\n\r\n", DIS_OK, SIP_F_BAD_START},
        {"SIP/2.0 700 High\r\n\r\n", DIS_OK, SIP_F_BAD_START},
        {"SIP/2.0 2000 OK\r\n\r\n", DIS_OK, SIP_F_BAD_START},
        {"SIP/2.0 abc OK\r\n\r\n", DIS_OK, SIP_F_BAD_START},
        {"SIP/2.0 180\r\n\r\n", DIS_OK, 0},
        {"sip/2.0 486 Busy Here\r\n\r\n", DIS_OK, 0},
        {"INVITE  SIP/2.0\r\n\r\n", DIS_OK, SIP_F_BAD_START},
        {"INVITE sip:x SIP/3.0\r\n\r\n", DIS_NOT_MINE, 0},
        {"HTTP/1.1 200 OK\r\n\r\n", DIS_NOT_MINE, 0},
        {"GET / HTTP/1.1\r\n\r\n", DIS_NOT_MINE, 0},
        {"SIP/2.0/UDP x\r\n\r\n", DIS_NOT_MINE, 0},
        {"INV(TE sip:x SIP/2.0\r\n\r\n", DIS_NOT_MINE, 0},
        {" INVITE sip:x SIP/2.0\r\n\r\n", DIS_NOT_MINE, 0},
        {"\x80\x08\x00\x01", DIS_NOT_MINE, 0},
        {"\r\n\r\n", DIS_NOT_MINE, 0},
        {"", DIS_NOT_MINE, 0},
        {"INVITE sip:x SIP/2.0", DIS_BAD, SIP_F_NO_BODY_SEP},
    };
    struct sip_msg *m = new_msg();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        enum dis_result r = parse_str(m, cases[i].text);
        CHECK_EQ_INT(r, cases[i].r);
        if (r == DIS_OK)
            CHECK_EQ_INT(m->flags & ~(uint32_t)(SIP_F_NO_CALL_ID | SIP_F_BAD_CSEQ), cases[i].flags);
        else if (r == DIS_BAD)
            CHECK(m->flags & cases[i].flags);
    }
    CHECK_EQ_INT(parse_str(m, "SIP/2.0 180\r\n\r\n"), DIS_OK);
    CHECK_EQ_INT(m->status, 180);
    CHECK_EQ_INT(m->reason.len, 0);
    CHECK_EQ_INT(parse_str(m, "FOO-BAR.x sip:x;a=b SIP/2.0\r\nCSeq: 5 FOO-BAR.x\r\n\r\n"), DIS_OK);
    CHECK_EQ_INT(m->method_id, SIP_M_OTHER);
    CHECK_SLICE(m->method, "FOO-BAR.x");
    CHECK_SLICE(m->ruri, "sip:x;a=b");
    CHECK_EQ_INT(parse_str(m, "SIP/2.0 200 OK\r\nCSeq: 2 FOO\r\n\r\n"), DIS_OK);
    CHECK_EQ_INT(m->method_id, SIP_M_OTHER);
    CHECK_EQ_INT(parse_str(m, "INVITE sip:x sip/2.0  \r\n\r\n"), DIS_OK);
    CHECK_SLICE(m->ruri, "sip:x");
    free(m);
}

static void test_content_length(void)
{
    struct sip_msg *m = new_msg();
    CHECK_EQ_INT(parse_str(m, "BYE sip:a SIP/2.0\r\nl: 10\r\n\r\nabc"), DIS_OK);
    CHECK(m->flags & SIP_F_CL_LONG);
    CHECK_SLICE(m->body, "abc");
    CHECK_EQ_INT(parse_str(m, "BYE sip:a SIP/2.0\r\nContent-Length: 2\r\n\r\nabc"), DIS_OK);
    CHECK(m->flags & SIP_F_CL_SHORT);
    CHECK_SLICE(m->body, "ab");
    CHECK_EQ_INT(m->raw.len, 43); /* raw keeps the bytes past Content-Length */
    CHECK_EQ_INT(parse_str(m, "BYE sip:a SIP/2.0\r\ncontent-length: x1\r\n\r\nabc"), DIS_OK);
    CHECK(m->flags & SIP_F_BAD_CL);
    CHECK(!m->has_cl);
    CHECK_SLICE(m->body, "abc");
    CHECK_EQ_INT(parse_str(m, "BYE sip:a SIP/2.0\r\nContent-Length: 99999999999\r\n\r\n"), DIS_OK);
    CHECK(m->flags & SIP_F_BAD_CL);
    CHECK_EQ_INT(parse_str(m, "BYE sip:a SIP/2.0\r\nContent-Length:\r\n\r\n"), DIS_OK);
    CHECK(m->flags & SIP_F_BAD_CL);
    CHECK_EQ_INT(parse_str(m, "BYE sip:a SIP/2.0\r\nContent-Length: 3\r\n\r\nabc"), DIS_OK);
    CHECK(!(m->flags & (SIP_F_CL_LONG | SIP_F_CL_SHORT | SIP_F_BAD_CL)));
    CHECK_EQ_INT(m->content_length, 3);
    free(m);
}

static void test_cseq(void)
{
    struct sip_msg *m = new_msg();
    static const struct {
        const char *v;
        bool ok;
        uint32_t n;
        const char *meth;
    } cseq[] = {
        {"1 INVITE", true, 1, "INVITE"},
        {"2147483647 BYE", true, 2147483647u, "BYE"},
        {"2147483648 BYE", false, 0, ""},
        {"0\tACK ", true, 0, "ACK"},
        {"notanumber INVITE", false, 0, ""},
        {"1", false, 0, ""},
        {"1 ", false, 0, ""},
        {"1 INV ITE", false, 0, ""},
        {"1INVITE", false, 0, ""},
        {"-1 INVITE", false, 0, ""},
        {"00000000000000000000001 X", false, 0, ""},
    };
    for (size_t i = 0; i < sizeof(cseq) / sizeof(cseq[0]); i++) {
        char buf[128];
        snprintf(buf, sizeof(buf), "BYE sip:a SIP/2.0\r\nCall-ID: c\r\nCSeq: %s\r\n\r\n",
                 cseq[i].v);
        CHECK_EQ_INT(parse_str(m, buf), DIS_OK);
        uint32_t n = 0;
        struct slice meth = SLICE_NULL;
        CHECK_EQ_INT(sip_cseq(m, &n, &meth), cseq[i].ok);
        CHECK_EQ_INT(!(m->flags & SIP_F_BAD_CSEQ), cseq[i].ok);
        if (cseq[i].ok) {
            CHECK_EQ_INT(n, cseq[i].n);
            CHECK_SLICE(meth, cseq[i].meth);
        }
    }
    free(m);
}

/* A growing byte buffer for building large messages. */
struct buf {
    char *p;
    size_t len, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

#define PUTS(b, s) put((b), (s), strlen(s))

static void test_many_headers(void)
{
    struct buf b = {0};
    PUTS(&b, "INVITE sip:x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nVia: dup\r\n");
    char line[64];
    for (int i = 0; i < 500; i++) {
        snprintf(line, sizeof(line), "X-H-%d: v%d\r\n", i, i);
        PUTS(&b, line);
        if (i == 400)
            PUTS(&b, "Call-ID: late@x\r\nCSeq: 9 INVITE\r\nVia: ignored\r\n");
        if (i == 450)
            PUTS(&b, "f: <sip:a@b>;tag=late\r\nContent-Length: 2\r\n");
    }
    PUTS(&b, "\r\nxy");
    struct sip_msg *m = new_msg();
    CHECK_EQ_INT(sip_parse(m, slice_make(b.p, b.len)), DIS_OK);
    CHECK_EQ_INT(m->flags, SIP_F_TOO_MANY_HDRS);
    CHECK_EQ_INT(m->nhdr, SIP_MAX_HEADERS);
    CHECK_SLICE(sip_call_id(m), "late@x");
    CHECK_SLICE(sip_from_tag(m), "late");
    CHECK_SLICE(sip_via_branch(m), "z9hG4bK1");
    CHECK_EQ_INT(sip_hdr_count(m, SIP_H_VIA), 2);
    CHECK_SLICE(m->body, "xy");
    CHECK_SLICE(m->hdr[2].value, "v0");
    for (int id = 1; id < SIP_H__COUNT; id++) {
        unsigned f = m->first[id];
        CHECK(f == 0 || (f <= m->nhdr && m->hdr[f - 1].id == id));
    }
    free(m);
    free(b.p);
}

static void test_big_and_odd_bytes(void)
{
    struct buf b = {0};
    PUTS(&b, "MESSAGE sip:x SIP/2.0\r\nSubject: ");
    for (int i = 0; i < 100000; i++)
        put(&b, i % 2 ? "\xff" : "a", 1);
    PUTS(&b, "\r\nCall-ID: big\r\nCSeq: 1 MESSAGE\r\n\r\n");
    struct sip_msg *m = new_msg();
    CHECK_EQ_INT(sip_parse(m, slice_make(b.p, b.len)), DIS_OK);
    CHECK_EQ_INT(m->flags, 0);
    CHECK_EQ_INT(sip_hdr_get(m, SIP_H_SUBJECT).len, 100000);
    CHECK_SLICE(sip_call_id(m), "big");
    static const char nul[] = "OPTIONS sip:x SIP/2.0\r\nSubject: a\0b\r\nCall-ID: n\xc3\x28l\r\n"
                              "CSeq: 1 OPTIONS\r\n\r\nbody\0";
    CHECK_EQ_INT(sip_parse(m, slice_make(nul, sizeof(nul) - 1)), DIS_OK);
    CHECK_EQ_INT(m->flags, SIP_F_NUL);
    CHECK_SLICE(sip_call_id(m), "n\xc3\x28l");
    CHECK_EQ_INT(sip_hdr_get(m, SIP_H_SUBJECT).len, 3);
    CHECK_EQ_INT(m->body.len, 5);
    CHECK_EQ_INT(parse_str(m, "BYE sip:a SIP/2.0\r\nthis line has no colon\r\n: empty name\r\n"
                              "Call-ID: after\r\nCSeq: 1 BYE\r\n\r\n"),
                 DIS_OK);
    CHECK_EQ_INT(m->flags, SIP_F_BAD_HDR);
    CHECK_EQ_INT(m->nhdr, 2);
    CHECK_SLICE(sip_call_id(m), "after");
    free(m);
    free(b.p);
}

static void test_params(void)
{
    bool pr = false;
    struct slice from = SL("\"A;tag=no\" <sip:a@x;tag=no>;tag=yes");
    CHECK_SLICE(sip_param(from, "tag", 3, &pr), "yes");
    CHECK(pr);
    CHECK_SLICE(sip_param(SL("<sip:a>;TAG = 1 ;x"), "tag", 3, NULL), "1");
    CHECK_EQ_INT(sip_param(SL("<sip:a>;Tag=1,<sip:b>;x=2"), "x", 1, &pr).len, 0);
    CHECK(!pr);
    CHECK_SLICE(sip_param(SL("SIP/2.0/UDP h;rport;branch=z9"), "rport", 5, &pr), "");
    CHECK(pr);
    CHECK_SLICE(sip_param(SL("SIP/2.0/UDP h;rport;branch=z9"), "BRANCH", 6, NULL), "z9");
    CHECK_SLICE(sip_param(SL("x;a=\"q;,r\";b=2"), "a", 1, NULL), "\"q;,r\"");
    CHECK_SLICE(sip_param(SL("x;a=\"q;,r\";b=2"), "b", 1, NULL), "2");
    CHECK_SLICE(sip_param(SL("x;a=\"unterminated"), "a", 1, NULL), "\"unterminated");
    CHECK_SLICE(sip_param(SL("x;ab=1;a=2"), "a", 1, NULL), "2");
    CHECK_SLICE(sip_param(SL("\"esc\\\";tag=no\" <s>;tag=t"), "tag", 3, NULL), "t");
    CHECK_EQ_INT(sip_param(SL("<sip:unclosed;tag=no"), "tag", 3, &pr).len, 0);
    CHECK(!pr);
    CHECK_EQ_INT(sip_param(SLICE_NULL, "tag", 3, &pr).len, 0);
    CHECK_SLICE(sip_uri_of(SL("\"Alice\" <sip:alice@x;transport=udp>;tag=1")),
                "sip:alice@x;transport=udp");
    CHECK_SLICE(sip_uri_of(SL("sip:alice@x;tag=1")), "sip:alice@x");
    CHECK_SLICE(sip_uri_of(SL(" sip:alice@x ")), "sip:alice@x");
    CHECK_SLICE(sip_uri_of(SL("\"a<b>\" <tel:+1>")), "tel:+1");
    CHECK_SLICE(sip_uri_of(SL("Bob <sip:b@y")), "sip:b@y");
    CHECK_SLICE(sip_uri_of(SL("<sip:a@b>, <sip:c@d>")), "sip:a@b");
    CHECK_EQ_INT(sip_uri_of(SLICE_NULL).len, 0);
}

static void test_looks_like(void)
{
    static const uint8_t rtp[] = {0x80, 0x08, 0x12, 0x34, 0, 0, 0, 160, 1, 2, 3, 4, 0xd5, 0xd5};
    static const uint8_t dns[] = {'I', 'N', 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'w', 'w', 'w'};
    CHECK(!sip_looks_like(slice_make(rtp, sizeof(rtp))));
    CHECK(!sip_looks_like(slice_make(dns, sizeof(dns))));
    CHECK(!sip_looks_like(SLICE_NULL));
    CHECK(!sip_looks_like(SL("SIP/2.0 20")));
    CHECK(sip_looks_like(SL("SIP/2.0 200")));
    CHECK(sip_looks_like(SL("sip/2.0 100 Trying\r\n")));
    CHECK(!sip_looks_like(SL("SIP/2.0 OK\r\n")));
    CHECK(sip_looks_like(SL("X x SIP/2.0")));
    CHECK(sip_looks_like(SL("NOTIFY sip:x SIP/2.0\n")));
    CHECK(!sip_looks_like(SL("GET / HTTP/1.1\r\nHost: x\r\n\r\n")));
    CHECK(!sip_looks_like(SL("invite sip:x SIP/2.0\r\n")));
    CHECK(!sip_looks_like(SL("INVITE sip:x SIP/2.0X\r\n")));
    CHECK(!sip_looks_like(SL("INVITEsip:x SIP/2.0\r\n")));
    struct buf b = {0};
    PUTS(&b, "INVITE sip:");
    for (int i = 0; i < 2000; i++)
        PUTS(&b, "a");
    PUTS(&b, " SIP/2.0\r\n\r\n");
    CHECK(sip_looks_like(slice_make(b.p, b.len)));
    memcpy(b.p + 7, "http:", 5);
    CHECK(!sip_looks_like(slice_make(b.p, b.len)));
    free(b.p);
}

static void test_frame_len(void)
{
    struct buf b = {0};
    PUTS(&b, "\r\n\r\n");
    put(&b, s_register, sizeof(s_register) - 1);
    put(&b, s_invite, sizeof(s_invite) - 1);
    PUTS(&b, "SIP/2.0 100 Trying\nl: 3\n\nabc");
    PUTS(&b, "ACK sip:a SIP/2.0\r\nCall-ID: x\r\n\r\n"); /* no Content-Length: 0 on a stream */
    PUTS(&b, "BYE sip:a SIP/2.0\r\nContent-Length: 10\r\n\r\nonly");
    const size_t want[] = {4, sizeof(s_register) - 1, sizeof(s_invite) - 1, 28, 33};
    struct slice rest = slice_make(b.p, b.len);
    size_t len = 99;
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        CHECK_EQ_INT(sip_frame_len(rest, &len), DIS_OK);
        CHECK_EQ_INT(len, want[i]);
        rest = slice_sub(rest, len, rest.len);
    }
    CHECK_EQ_INT(sip_frame_len(rest, &len), DIS_SHORT);
    CHECK_EQ_INT(sip_frame_len(SLICE_NULL, &len), DIS_SHORT);
    CHECK_EQ_INT(sip_frame_len(SL("GET / HTTP/1.1\r\n\r\n"), &len), DIS_NOT_MINE);
    CHECK_EQ_INT(sip_frame_len(SL("GET / HTTP/1.1"), &len), DIS_NOT_MINE);
    CHECK_EQ_INT(sip_frame_len(SL("\x16\x03\x01\x02\x00"), &len), DIS_NOT_MINE);
    CHECK_EQ_INT(sip_frame_len(SL("INVITE sip:x SIP/2.0\r\nl: 1x\r\n\r\n"), &len), DIS_NOT_MINE);
    CHECK_EQ_INT(sip_frame_len(SL("INVITE sip:x SIP/2.0\r\nl: 1048576\r\n\r\n"), &len),
                 DIS_NOT_MINE);
    CHECK_EQ_INT(sip_frame_len(SL("INVITE sip:x SIP/2.0\r\nl: 1000000\r\n\r\n"), &len), DIS_SHORT);
    CHECK_EQ_INT(sip_frame_len(SL("SIP/2.0 1"), &len), DIS_SHORT);
    CHECK_EQ_INT(sip_frame_len(SL("SIP/2.0 1x"), &len), DIS_NOT_MINE);
    CHECK_EQ_INT(sip_frame_len(SL("INVITE sip:x HTTP"), &len), DIS_NOT_MINE);
    CHECK_EQ_INT(sip_frame_len(SL("INVITE sip:x\x01"), &len), DIS_NOT_MINE);
    free(b.p);
    b = (struct buf){0};
    PUTS(&b, "INVITE sip:x SIP/2.0\r\n");
    while (b.len <= 270000) /* past the 256 KiB header-section bound */
        PUTS(&b, "X-Pad: 0123456789012345678901234567890123456789\r\n");
    CHECK_EQ_INT(sip_frame_len(slice_make(b.p, 200000), &len), DIS_SHORT);
    CHECK_EQ_INT(sip_frame_len(slice_make(b.p, b.len), &len), DIS_NOT_MINE);
    memset(b.p + 7, 'a', 9000);
    CHECK_EQ_INT(sip_frame_len(slice_make(b.p, 8000), &len), DIS_SHORT);
    CHECK_EQ_INT(sip_frame_len(slice_make(b.p, 8500), &len), DIS_NOT_MINE);
    free(b.p);
}

/* Every accessor on a parsed message; results feed a checksum so nothing is optimised away. */
static size_t exercise(const struct sip_msg *m)
{
    size_t sum = 0;
    for (int id = 0; id < SIP_H__COUNT; id++) {
        struct slice v = sip_hdr_get(m, (enum sip_hdr_id)id);
        sum += v.len + sip_hdr_count(m, (enum sip_hdr_id)id);
        sum += sip_param(v, "tag", 3, NULL).len + sip_param(v, "branch", 6, NULL).len;
        sum += sip_uri_of(v).len;
    }
    sum += sip_hdr_find(m, "Subject", 7).len + sip_call_id(m).len;
    uint32_t n;
    struct slice meth;
    if (sip_cseq(m, &n, &meth))
        sum += n + meth.len;
    sum += sip_from_tag(m).len + sip_to_tag(m).len + sip_via_branch(m).len;
    return sum + sip_sdp_body(m).len; /* sdp_parse of SDP bodies: swept in test_sdp.c */
}

/* Parses every prefix of every sample from an exactly-sized heap copy (ASan sees over-reads). */
static void test_prefix_sweep(void)
{
    struct sip_msg *m = new_msg();
    size_t sum = 0;
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        const struct sample *s = &samples[i];
        for (size_t k = 0; k <= s->len; k++) {
            uint8_t *p = malloc(k ? k : 1);
            if (!p)
                abort();
            memcpy(p, s->text, k);
            struct slice d = slice_make(p, k);
            enum dis_result r = sip_parse(m, d);
            if (r == DIS_OK || r == DIS_BAD)
                sum += exercise(m);
            sum += sip_looks_like(d);
            size_t len = 0;
            r = sip_frame_len(d, &len);
            if (s->framed && k < s->len && r != DIS_SHORT) {
                fprintf(stderr, "%s: prefix %zu framed as %d\n", s->name, k, (int)r);
                CHECK(r == DIS_SHORT);
            }
            free(p);
        }
        size_t len = 0;
        if (s->framed) {
            CHECK_EQ_INT(sip_frame_len(slice_make(s->text, s->len), &len), DIS_OK);
            CHECK_EQ_INT(len, s->len);
        }
    }
    CHECK(sum > 0);
    free(m);
}

/* Deterministic random mutations of the samples (bytes flipped, CR/LF/':'/';'/'<' inserted). */
static void test_mutations(void)
{
    static const uint8_t special[] = {'\r', '\n', ':', ';', '<', '>', '"', ' ', '\0', '-', '='};
    struct sip_msg *m = new_msg();
    uint64_t x = 0x9e3779b97f4a7c15u;
    size_t sum = 0;
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        for (int round = 0; round < 2000; round++) {
            size_t len = samples[i].len;
            uint8_t *p = malloc(len);
            if (!p)
                abort();
            memcpy(p, samples[i].text, len);
            for (int k = 0; k < 1 + round % 8; k++) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                uint8_t v =
                    (x >> 32) & 1 ? special[(x >> 40) % sizeof(special)] : (uint8_t)(x >> 48);
                p[(x >> 8) % len] = v;
            }
            size_t cut = (x >> 20) % (len + 1);
            struct slice d = slice_make(p, round % 3 ? len : cut);
            if (sip_parse(m, d) <= DIS_BAD)
                sum += exercise(m);
            size_t fl;
            sum += sip_frame_len(d, &fl) + sip_looks_like(d);
            free(p);
        }
    }
    CHECK(sum > 0);
    free(m);
}

int main(void)
{
    test_invite();
    test_responses();
    test_proxied();
    test_malformed_real();
    test_compact();
    test_names();
    test_folded_lf();
    test_start_lines();
    test_content_length();
    test_cseq();
    test_many_headers();
    test_big_and_odd_bytes();
    test_params();
    test_looks_like();
    test_frame_len();
    test_prefix_sweep();
    test_mutations();
    return check_done();
}
