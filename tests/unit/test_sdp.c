/* test_sdp.c: unit tests of the SDP parser (dissect/sdp.c) and of SDP extraction from SIP bodies
 * (dissect/sip_body.c: application/sdp, multipart/mixed|alternative|related), with a prefix sweep
 * of sdp_parse over real SDP bodies and of sip_parse -> sip_sdp_body -> sdp_parse. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dissect/sdp.h"
#include "dissect/sip.h"

#define SL(lit) slice_make((lit), sizeof(lit) - 1)

/* Real SDP bodies (tshark -e udp.payload) from tests/data: pub01_udp_basic_rtp.pcap frame 1 */
static const char d_offer[] = "v=0\r\n"
                              "o=alice 53655765 2353687637 IN IP4 127.0.10.1\r\n"
                              "s=-\r\n"
                              "c=IN IP4 127.0.10.1\r\n"
                              "t=0 0\r\n"
                              "m=audio 30000 RTP/AVP 8 101\r\n"
                              "a=rtpmap:8 PCMA/8000\r\n"
                              "a=rtpmap:101 telephone-event/8000\r\n"
                              "a=fmtp:101 0-15\r\n"
                              "a=sendrecv\r\n";
/* pub03_ipv6_udp.pcap frame 1 */
static const char d_ipv6[] = "v=0\r\n"
                             "o=alice 53655765 2353687637 IN IP6 ::1\r\n"
                             "s=-\r\n"
                             "c=IN IP6 ::1\r\n"
                             "t=0 0\r\n"
                             "m=audio 30000 RTP/AVP 8 101\r\n"
                             "a=rtpmap:8 PCMA/8000\r\n"
                             "a=rtpmap:101 telephone-event/8000\r\n"
                             "a=fmtp:101 0-15\r\n"
                             "a=sendrecv\r\n";
/* pub06_early_media_hold_vlan.pcap frame 233 (re-INVITE putting the call on hold) */
static const char d_hold[] = "v=0\r\n"
                             "o=alice 500 2 IN IP4 198.51.100.10\r\n"
                             "s=-\r\n"
                             "c=IN IP4 198.51.100.10\r\n"
                             "t=0 0\r\n"
                             "m=audio 30100 RTP/AVP 8\r\n"
                             "a=rtpmap:8 PCMA/8000\r\n"
                             "a=sendonly\r\n";
/* Synthetic: session-level direction and c= inherited, media-level c= (with TTL) overriding,
 * a=rtcp with an address, port/n, static payload types, non-RTP formats, LF-only endings. */
static const char d_multi[] = "v=0\n"
                              "o=- 1 1 IN IP4 192.0.2.1\n"
                              "c=IN IP4 192.0.2.1\n"
                              "a=inactive\n"
                              "a=rtpmap:0 session-level-ignored/1\n"
                              "m=audio 49170/2 RTP/AVP 0 18 96 97\n"
                              "a=rtpmap:96 opus/48000/2\n"
                              "a=rtpmap:98 not-listed/8000\n"
                              "a=rtcp:53020 IN IP4 192.0.2.7\n"
                              "m=video 51372 RTP/SAVPF 99\n"
                              "c=IN IP4 233.252.0.1/127/3\n"
                              "a=recvonly\n"
                              "m=image 0 udptl t38\n"
                              "c=IN IP6 2001:db8::1\n"
                              "m=audio 7000 RTP/AVP 18 \r\n"
                              "c=IN IP4 example.com\n"
                              "a=sendonly\n";

static const char s_multipart[] = "INVITE sip:b@y SIP/2.0\r\n"
                                  "Call-ID: mp@y\r\n"
                                  "CSeq: 1 INVITE\r\n"
                                  "Content-Type: multipart/mixed;boundary=unique-boundary-1\r\n"
                                  "\r\n"
                                  "preamble\r\n"
                                  "--unique-boundary-1\r\n"
                                  "Content-Type: application/isup; version=itu-t92+\r\n"
                                  "\r\n"
                                  "\x01\x02\x03--unique-boundary-1x\r\n"
                                  "--unique-boundary-1\r\n"
                                  "Content-Type: application/sdp\r\n"
                                  "Content-Disposition: session\r\n"
                                  "\r\n"
                                  "v=0\r\n"
                                  "m=audio 4000 RTP/AVP 0\r\n"
                                  "--unique-boundary-1--\r\n"
                                  "epilogue\r\n";
static const char s_alt_nested[] = "SIP/2.0 200 OK\n"
                                   "Call-ID: alt@y\n"
                                   "CSeq: 1 INVITE\n"
                                   "Content-Type: multipart/alternative; boundary=\"b 1\"\n"
                                   "\n"
                                   "--b 1\n"
                                   "Content-Type: text/plain\n"
                                   "\n"
                                   "hi\n"
                                   "--b 1\n"
                                   "Content-Type: multipart/mixed; boundary=inner\n"
                                   "\n"
                                   "--inner\n"
                                   "Content-Type: Application/SDP\n"
                                   "\n"
                                   "v=0\n"
                                   "c=IN IP4 192.0.2.9\n"
                                   "--inner--\n"
                                   "--b 1--\n";

static struct sdp *parse_sdp(const char *text, size_t len, enum dis_result want)
{
    struct sdp *s = malloc(sizeof(*s));
    if (!s)
        abort();
    memset(s, 0xa5, sizeof(*s)); /* garbage: the parser must reset what it uses */
    CHECK_EQ_INT(sdp_parse(s, slice_make(text, len)), want);
    return s;
}

static void check_summary(const struct sdp *s, const char *want)
{
    char buf[96];
    size_t n = sdp_summary(s, buf, sizeof(buf));
    CHECK_EQ_INT(n, strlen(want));
    CHECK_SLICE(slice_make(buf, n), want);
    CHECK_EQ_INT(buf[n], '\0');
}

static void test_real(void)
{
    struct sdp *s = parse_sdp(d_offer, sizeof(d_offer) - 1, DIS_OK);
    CHECK_SLICE(s->origin, "alice 53655765 2353687637 IN IP4 127.0.10.1");
    CHECK_EQ_INT(s->conn.family, 4);
    CHECK(memcmp(s->conn.a, "\x7f\x00\x0a\x01", 4) == 0);
    CHECK_EQ_INT(s->nmedia, 1);
    const struct sdp_media *m = &s->media[0];
    CHECK_SLICE(m->media, "audio");
    CHECK_EQ_INT(m->port, 30000);
    CHECK_EQ_INT(m->nports, 1);
    CHECK_SLICE(m->proto, "RTP/AVP");
    CHECK_EQ_INT(m->conn.family, 4);
    CHECK(memcmp(m->conn.a, "\x7f\x00\x0a\x01", 4) == 0);
    CHECK_EQ_INT(m->rtcp_port, 0);
    CHECK_EQ_INT(m->dir, SDP_DIR_SENDRECV);
    CHECK_EQ_INT(m->nfmt, 2);
    CHECK_EQ_INT(m->fmt[0].pt, 8);
    CHECK_SLICE(m->fmt[0].encoding, "PCMA");
    CHECK_EQ_INT(m->fmt[0].clock_rate, 8000);
    CHECK_EQ_INT(m->fmt[1].pt, 101);
    CHECK_SLICE(m->fmt[1].encoding, "telephone-event");
    CHECK_EQ_INT(m->fmt[1].clock_rate, 8000);
    check_summary(s, "PCMA 127.0.10.1:30000 sendrecv");
    free(s);
    s = parse_sdp(d_ipv6, sizeof(d_ipv6) - 1, DIS_OK);
    CHECK_EQ_INT(s->media[0].conn.family, 6);
    CHECK(memcmp(s->media[0].conn.a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) == 0);
    check_summary(s, "PCMA [::1]:30000 sendrecv");
    free(s);
    s = parse_sdp(d_hold, sizeof(d_hold) - 1, DIS_OK);
    CHECK_EQ_INT(s->dir, SDP_DIR_NONE);
    CHECK_EQ_INT(s->media[0].dir, SDP_DIR_SENDONLY);
    CHECK_EQ_INT(s->media[0].nfmt, 1);
    check_summary(s, "PCMA 198.51.100.10:30100 sendonly");
    free(s);
}

static void test_multi(void)
{
    struct sdp *s = parse_sdp(d_multi, sizeof(d_multi) - 1, DIS_OK);
    CHECK_EQ_INT(s->dir, SDP_DIR_INACTIVE);
    CHECK_EQ_INT(s->nmedia, 4);
    const struct sdp_media *a = &s->media[0];
    CHECK_EQ_INT(a->port, 49170);
    CHECK_EQ_INT(a->nports, 2);
    CHECK_EQ_INT(a->dir, SDP_DIR_INACTIVE); /* inherited from the session */
    CHECK(a->conn.family == 4 && memcmp(a->conn.a, "\xc0\x00\x02\x01", 4) == 0);
    CHECK_EQ_INT(a->rtcp_port, 53020);
    CHECK_EQ_INT(a->nfmt, 4);
    CHECK_EQ_INT(a->fmt[0].pt, 0);
    CHECK_EQ_INT(a->fmt[0].encoding.len, 0); /* static: no rtpmap, mapped later */
    CHECK_EQ_INT(a->fmt[0].clock_rate, 0);
    CHECK_EQ_INT(a->fmt[1].pt, 18);
    CHECK_SLICE(a->fmt[2].encoding, "opus");
    CHECK_EQ_INT(a->fmt[2].clock_rate, 48000);
    CHECK_EQ_INT(a->fmt[3].pt, 97);
    CHECK_EQ_INT(a->fmt[3].encoding.len, 0);
    const struct sdp_media *v = &s->media[1];
    CHECK_SLICE(v->proto, "RTP/SAVPF");
    CHECK(v->conn.family == 4 && memcmp(v->conn.a, "\xe9\xfc\x00\x01", 4) == 0);
    CHECK_EQ_INT(v->dir, SDP_DIR_RECVONLY);
    const struct sdp_media *i = &s->media[2];
    CHECK_SLICE(i->media, "image");
    CHECK_EQ_INT(i->port, 0);
    CHECK_SLICE(i->proto, "udptl");
    CHECK_EQ_INT(i->nfmt, 0);
    CHECK_EQ_INT(i->conn.family, 6);
    const struct sdp_media *l = &s->media[3];
    CHECK_EQ_INT(l->port, 7000);
    CHECK_EQ_INT(l->nfmt, 1);
    CHECK_EQ_INT(l->dir, SDP_DIR_SENDONLY);
    CHECK(l->conn.family == 4 && memcmp(l->conn.a, "\xc0\x00\x02\x01", 4) == 0); /* bad c= */
    check_summary(s, "PCMU 192.0.2.1:49170 inactive");
    char small[8];
    CHECK_EQ_INT(sdp_summary(s, small, sizeof(small)), 7);
    CHECK_SLICE(slice_make(small, 7), "PCMU 19");
    CHECK_EQ_INT(sdp_summary(s, small, 0), 0);
    free(s);
}

static void test_limits_and_bad(void)
{
    char buf[2048];
    size_t n = (size_t)snprintf(buf, sizeof(buf), "v=0\r\nm=audio 1 RTP/AVP");
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, " %d", 96 + i);
    n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\r\na=rtpmap:96 X/1\r\n");
    for (int i = 0; i < 12; i++)
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "m=audio %d RTP/AVP 0\r\na=sendonly\r\n",
                              2000 + i);
    n += (size_t)snprintf(buf + n, sizeof(buf) - n, "c=IN IP4 10.9.9.9\r\n");
    struct sdp *s = parse_sdp(buf, n, DIS_OK);
    CHECK_EQ_INT(s->nmedia, SDP_MAX_MEDIA);
    CHECK_EQ_INT(s->media[0].nfmt, SDP_MAX_FMT);
    CHECK_SLICE(s->media[0].fmt[0].encoding, "X");
    CHECK_EQ_INT(s->media[SDP_MAX_MEDIA - 1].port, 2000 + SDP_MAX_MEDIA - 2);
    CHECK_EQ_INT(s->media[SDP_MAX_MEDIA - 1].conn.family, 0); /* c= of a dropped m= ignored */
    check_summary(s, "X ?:1 sendrecv");
    free(s);
    static const char *const bad[] = {"", "\r\n", "o=x\r\nv=0\r\n", "garbage", "v", "x=0\nv=0"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        free(parse_sdp(bad[i], strlen(bad[i]), DIS_BAD));
    s = parse_sdp("\r\nv=0", 5, DIS_OK);
    CHECK_EQ_INT(s->nmedia, 0);
    check_summary(s, "");
    free(s);
    static const char odd[] =
        "v=0\nm=audio 99999 RTP/AVP 200 abc 8\nc=IN IP4 1.2.3.4/x\nm=\n"
        "c=ZZ IP4 1.2.3.4\na=rtcp:\na=rtpmap:8\na=rtpmap:8 G/notnum\nm=audio 5/0/1\n";
    s = parse_sdp(odd, sizeof(odd) - 1, DIS_OK);
    CHECK_EQ_INT(s->nmedia, 3);
    CHECK_EQ_INT(s->media[0].port, 0);
    CHECK_EQ_INT(s->media[0].nfmt, 1);
    CHECK_EQ_INT(s->media[0].conn.family, 4);
    CHECK_EQ_INT(s->media[1].media.len, 0);
    CHECK_EQ_INT(s->media[1].conn.family, 0);
    CHECK_EQ_INT(s->media[2].nports, 1);
    free(s);
}

static struct sip_msg *new_msg(void)
{
    struct sip_msg *m = malloc(sizeof(*m));
    if (!m)
        abort();
    return m;
}

static enum dis_result parse_str(struct sip_msg *m, const char *s)
{
    return sip_parse(m, slice_make(s, strlen(s)));
}

static void test_multipart(void)
{
    struct sip_msg *m = new_msg();
    CHECK_EQ_INT(parse_str(m, s_multipart), DIS_OK);
    CHECK_SLICE(sip_sdp_body(m), "v=0\r\nm=audio 4000 RTP/AVP 0");
    CHECK_EQ_INT(parse_str(m, s_alt_nested), DIS_OK);
    CHECK_SLICE(sip_sdp_body(m), "v=0\nc=IN IP4 192.0.2.9");
    static const char *const bad[] = {
        "INVITE sip:b SIP/2.0\r\nc: multipart/mixed\r\n\r\n--x\r\nc: "
        "application/sdp\r\n\r\nv=0\r\n",
        "INVITE sip:b SIP/2.0\r\nc: multipart/mixed;boundary=y\r\n\r\n--x\r\nc: application/sdp\r\n"
        "\r\nv=0\r\n--x--\r\n",
        "INVITE sip:b SIP/2.0\r\nc: multipart/mixed;boundary=x\r\n\r\n--x--\r\n--x\r\n"
        "c: application/sdp\r\n\r\nv=0\r\n",
        "INVITE sip:b SIP/2.0\r\nc: text/plain\r\n\r\nv=0\r\n",
        "INVITE sip:b SIP/2.0\r\n\r\nv=0\r\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_EQ_INT(parse_str(m, bad[i]), DIS_OK);
        CHECK_EQ_INT(sip_sdp_body(m).len, 0);
    }
    /* no close-delimiter (cut body): the last part runs to the end; part without headers */
    CHECK_EQ_INT(
        parse_str(m, "INVITE sip:b SIP/2.0\r\nc: multipart/related;boundary=\"z\"\r\n\r\n"
                     "--z\r\n\r\nplain\r\n--z\r\nContent-Type :application/sdp ;x=1\r\n\r\nv=0"),
        DIS_OK);
    CHECK_SLICE(sip_sdp_body(m), "v=0");
    free(m);
}

struct sample {
    const char *text;
    size_t len;
    bool sip; /* a SIP message (else an SDP body) */
};

#define SAMPLE(s, sip)                                                                             \
    {                                                                                              \
        s, sizeof(s) - 1, sip                                                                      \
    }

static const struct sample samples[] = {
    SAMPLE(d_offer, false), SAMPLE(d_ipv6, false),     SAMPLE(d_hold, false),
    SAMPLE(d_multi, false), SAMPLE(s_multipart, true), SAMPLE(s_alt_nested, true),
};

/* Every prefix from an exactly-sized heap copy (ASan sees over-reads): SDP bodies through
 * sdp_parse and sdp_summary; SIP messages through sip_parse, sip_sdp_body, then the same. */
static void test_prefix_sweep(void)
{
    struct sip_msg *m = new_msg();
    struct sdp *s = malloc(sizeof(*s));
    if (!s)
        abort();
    size_t sum = 0;
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        for (size_t k = 0; k <= samples[i].len; k++) {
            uint8_t *p = malloc(k ? k : 1);
            if (!p)
                abort();
            memcpy(p, samples[i].text, k);
            struct slice body = slice_make(p, k);
            if (samples[i].sip)
                body = sip_parse(m, body) <= DIS_BAD ? sip_sdp_body(m) : SLICE_NULL;
            if (sdp_parse(s, body) == DIS_OK) {
                char buf[64];
                sum += sdp_summary(s, buf, sizeof(buf)) + s->nmedia;
            }
            free(p);
        }
        CHECK(sum > 0);
    }
    free(s);
    free(m);
}

int main(void)
{
    test_real();
    test_multi();
    test_limits_and_bad();
    test_multipart();
    test_prefix_sweep();
    return check_done();
}
