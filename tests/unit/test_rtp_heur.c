/* test_rtp_heur.c: the --rtp-heuristic detector (dissect/rtp_heur.c) and its use by the media
 * table (dissect/media.c): probation across a sequence wrap, an SSRC change, a sequence break,
 * the bounded candidate ring (oldest evicted, counted); through media_packet: nothing without
 * the option, RTCP never a candidate, held packets replayed so the figures equal those of the
 * same packets on an SDP flow, a stream tied to the call whose SDP announced its address at
 * another port, and a stream found before its SDP handed over to the SDP flow's stream. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "dissect/media.h"
#include "dissect/rtp.h"
#include "dissect/rtp_heur.h"

#define T0_NS   1000100000000LL
#define MAX_GOT 8

static struct net_endpoint ep(const char *ip, uint16_t port)
{
    struct net_endpoint e = {.port = port};
    CHECK(net_addr_parse(slice_make(ip, strlen(ip)), &e.addr));
    return e;
}

static struct rtp_heur_pkt hp(uint16_t seq)
{
    return (struct rtp_heur_pkt){.ts_ns = T0_NS + seq, .frame = seq, .ts = 160u * seq, .seq = seq};
}

static void test_probation_wrap(void)
{
    struct rtp_heur *h = rtp_heur_new(RTP_HEUR_MAX_CANDIDATES);
    struct net_endpoint a = ep("10.0.0.1", 4000), b = ep("10.0.0.2", 5000);
    struct rtp_heur_pkt out[RTP_HEUR_PROBATION], p;
    uint16_t seqs[] = {65534, 65535, 0, 1};
    for (unsigned i = 0; i < 3; i++) {
        p = hp(seqs[i]);
        CHECK_EQ_INT(rtp_heur_feed(h, &a, &b, 0x11, &p, out), 0);
    }
    CHECK_EQ_INT(rtp_heur_pending(h), 1);
    p = hp(seqs[3]);
    CHECK_EQ_INT(rtp_heur_feed(h, &a, &b, 0x11, &p, out), RTP_HEUR_PROBATION);
    for (unsigned i = 0; i < RTP_HEUR_PROBATION; i++)
        CHECK_EQ_INT(out[i].seq, seqs[i]);
    CHECK_EQ_INT(rtp_heur_pending(h), 0);
    CHECK_EQ_INT(rtp_heur_counters(h)->promoted, 1);
    rtp_heur_free(h);
}

/* A new SSRC on the same ports is another candidate; a sequence break starts over. */
static void test_ssrc_change_and_break(void)
{
    struct rtp_heur *h = rtp_heur_new(RTP_HEUR_MAX_CANDIDATES);
    struct net_endpoint a = ep("10.0.0.1", 4000), b = ep("10.0.0.2", 5000);
    struct rtp_heur_pkt out[RTP_HEUR_PROBATION], p;
    for (uint16_t s = 1; s <= 2; s++) {
        p = hp(s);
        CHECK_EQ_INT(rtp_heur_feed(h, &a, &b, 0xA, &p, out), 0);
    }
    for (uint16_t s = 3; s <= 5; s++) {
        p = hp(s);
        CHECK_EQ_INT(rtp_heur_feed(h, &a, &b, 0xB, &p, out), 0);
    }
    p = hp(6);
    CHECK_EQ_INT(rtp_heur_feed(h, &a, &b, 0xB, &p, out), RTP_HEUR_PROBATION);
    CHECK_EQ_INT(out[0].seq, 3);
    CHECK_EQ_INT(rtp_heur_pending(h), 1); /* 0xA still on probation */
    p = hp(3);
    CHECK_EQ_INT(rtp_heur_feed(h, &b, &a, 0xA, &p, out), 0); /* other direction: its own */
    CHECK_EQ_INT(rtp_heur_pending(h), 2);
    p = hp(4); /* 0xA had 1, 2: 4 breaks the sequence */
    CHECK_EQ_INT(rtp_heur_feed(h, &a, &b, 0xA, &p, out), 0);
    CHECK_EQ_INT(rtp_heur_counters(h)->restarted, 1);
    for (uint16_t s = 5; s <= 6; s++) {
        p = hp(s);
        CHECK_EQ_INT(rtp_heur_feed(h, &a, &b, 0xA, &p, out), 0);
    }
    p = hp(7);
    CHECK_EQ_INT(rtp_heur_feed(h, &a, &b, 0xA, &p, out), RTP_HEUR_PROBATION);
    CHECK_EQ_INT(out[0].seq, 4);
    CHECK_EQ_INT(out[3].seq, 7);
    p = hp(7); /* a duplicate is a break too */
    CHECK_EQ_INT(rtp_heur_feed(h, &b, &a, 0xA, &p, out), 0);
    p = hp(7);
    CHECK_EQ_INT(rtp_heur_feed(h, &b, &a, 0xA, &p, out), 0);
    CHECK_EQ_INT(rtp_heur_counters(h)->restarted, 3);
    rtp_heur_free(h);
}

/* More candidates than the ring of max holds: the oldest go, counted; the newest are still
 * there. */
static void test_bounded(unsigned max)
{
    struct rtp_heur *h = rtp_heur_new(max);
    struct net_endpoint a = ep("10.0.0.1", 4000), b = ep("10.0.0.2", 5000);
    struct rtp_heur_pkt out[RTP_HEUR_PROBATION], p = hp(10);
    unsigned extra = 10;
    for (unsigned i = 0; i < max + extra; i++)
        CHECK(rtp_heur_feed(h, &a, &b, i, &p, out) == 0);
    CHECK_EQ_INT(rtp_heur_pending(h), max);
    CHECK_EQ_INT(rtp_heur_counters(h)->evicted, extra);
    CHECK_EQ_INT(rtp_heur_counters(h)->candidates, max + extra);
    /* the newest continues: promoted after 3 more */
    unsigned newest = max + extra - 1, got = 0;
    for (uint16_t s = 11; s <= 13; s++) {
        p = hp(s);
        got = rtp_heur_feed(h, &a, &b, newest, &p, out);
    }
    CHECK_EQ_INT(got, RTP_HEUR_PROBATION);
    /* the oldest was evicted: its next packet is a new candidate */
    p = hp(11);
    CHECK_EQ_INT(rtp_heur_feed(h, &a, &b, 0, &p, out), 0);
    CHECK_EQ_INT(rtp_heur_counters(h)->candidates, max + extra + 1);
    rtp_heur_free(h);
}

struct got {
    struct media_stream s[MAX_GOT];
    size_t n;
};

static void keep(void *user, struct media_stream *s)
{
    struct got *g = user;
    if (g->n < MAX_GOT)
        g->s[g->n++] = *s;
}

static size_t rtp(uint8_t *buf, uint16_t seq, uint32_t ts, uint32_t ssrc, uint8_t pt)
{
    buf[0] = 0x80;
    buf[1] = pt;
    buf[2] = (uint8_t)(seq >> 8);
    buf[3] = (uint8_t)seq;
    for (int i = 0; i < 4; i++) {
        buf[4 + i] = (uint8_t)(ts >> (24 - 8 * i));
        buf[8 + i] = (uint8_t)(ssrc >> (24 - 8 * i));
    }
    memset(buf + 12, 0xd5, 160);
    return 172;
}

static enum media_kind feed(struct media_ctx *m, struct net_endpoint src, struct net_endpoint dst,
                            int64_t ts_ns, uint64_t index, const uint8_t *b, size_t n,
                            struct media_stream **created)
{
    struct frame f = {.ts_ns = ts_ns, .index = index};
    struct net_payload pl = {
        .src = src, .dst = dst, .transport = NET_T_UDP, .frame = &f, .data = slice_make(b, n)};
    return media_packet(m, &pl, created);
}

static void sdp_at(struct sdp *s, char *buf, size_t n, const char *ip, int port)
{
    int k = snprintf(buf, n,
                     "v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
                     "m=audio %d RTP/AVP 8\r\n",
                     ip, ip, port);
    CHECK(sdp_parse(s, slice_make(buf, (size_t)k)) == DIS_OK);
}

/* Arrival jitter of a few ms and a loss, fed as 30 packets (no. 13 lost). */
static int64_t arrival(unsigned i)
{
    return T0_NS + (int64_t)i * 20000000 + (int64_t)((i * 7919u) % 5) * 1000000;
}

static void feed_stream(struct media_ctx *m, struct net_endpoint a, struct net_endpoint b,
                        uint64_t *created_n)
{
    uint8_t pkt[200];
    for (unsigned i = 0; i < 30; i++) {
        if (i == 13)
            continue;
        struct media_stream *c = NULL;
        size_t n = rtp(pkt, (uint16_t)(65530 + i), 1000 + 160 * i, 0x5151, 8);
        enum media_kind k = feed(m, a, b, arrival(i), i + 1, pkt, n, &c);
        CHECK(k == (i < RTP_HEUR_PROBATION - 1 ? MEDIA_NONE : MEDIA_RTP) || m == NULL);
        *created_n += c != NULL;
    }
}

static void test_media_replay(void)
{
    struct net_endpoint a = ep("10.0.0.1", 4000), b = ep("10.0.0.2", 5000);
    struct got gh = {0}, gs = {0};
    struct media_ctx *off = media_new(1, NULL, NULL), *heur = media_new(1, keep, &gh);
    struct media_ctx *sdp = media_new(1, keep, &gs);
    uint8_t pkt[200];
    struct media_stream *c = NULL;
    for (unsigned i = 0; i < 6; i++) {
        size_t n = rtp(pkt, (uint16_t)i, 160 * i, 0x5151, 8);
        CHECK(feed(off, a, b, arrival(i), i + 1, pkt, n, &c) == MEDIA_NONE); /* no option */
    }
    media_set_heuristic(heur);
    uint8_t rr[8] = {0x80, 201, 0, 1, 0, 0, 0xab, 0xcd};
    for (unsigned i = 0; i < 6; i++)
        CHECK(feed(heur, a, b, arrival(i), i + 1, rr, sizeof rr, &c) == MEDIA_NONE); /* RTCP */
    uint64_t nh = 0, ns = 0;
    feed_stream(heur, a, b, &nh);
    struct sdp s;
    char buf[512];
    sdp_at(&s, buf, sizeof buf, "10.0.0.2", 5000);
    media_sdp(sdp, 3, &s, T0_NS - 1);
    for (unsigned i = 0; i < 30; i++) { /* the same packets on an SDP flow */
        if (i == 13)
            continue;
        size_t n = rtp(pkt, (uint16_t)(65530 + i), 1000 + 160 * i, 0x5151, 8);
        ns += feed(sdp, a, b, arrival(i), i + 1, pkt, n, &c) == MEDIA_RTP && c;
    }
    CHECK_EQ_INT(nh, 1);
    CHECK_EQ_INT(ns, 1);
    CHECK_EQ_INT(media_get_counters(heur)->heur_streams, 1);
    CHECK_EQ_INT(media_get_counters(heur)->rtp, 29);
    media_flush_all(heur);
    media_flush_all(sdp);
    CHECK_EQ_INT(gh.n, 1);
    CHECK_EQ_INT(gs.n, 1);
    const struct media_stream *x = &gh.s[0], *y = &gs.s[0];
    CHECK(x->heuristic && !y->heuristic);
    CHECK_EQ_INT(x->call, 0);
    CHECK_EQ_INT(x->packets, 29);
    CHECK_EQ_INT(x->packets, y->packets);
    CHECK_EQ_INT(x->first_frame, 1);
    CHECK_EQ_INT(x->first_ns, y->first_ns);
    CHECK_EQ_INT(rtp_stats_lost(&x->st), 1);
    CHECK_EQ_INT(rtp_stats_lost(&x->st), rtp_stats_lost(&y->st));
    CHECK(x->st.max_jitter == y->st.max_jitter && x->st.mean_jitter == y->st.mean_jitter);
    CHECK(x->st.max_delta == y->st.max_delta && x->st.max_jitter > 0);
    CHECK(strcmp(x->enc, "PCMA") == 0);
    media_free(off);
    media_free(heur);
    media_free(sdp);
}

/* Tied to the call whose SDP announced the address (another port); found before its SDP, a
 * stream is finished there and the SDP flow's stream starts. */
static void test_media_attach_and_handover(void)
{
    struct got g = {0};
    struct media_ctx *m = media_new(1, keep, &g);
    media_set_heuristic(m);
    struct sdp s;
    char buf[512];
    sdp_at(&s, buf, sizeof buf, "10.0.0.2", 5000);
    media_sdp(m, 7, &s, T0_NS - 1);
    struct net_endpoint a = ep("10.0.0.1", 4000), b2 = ep("10.0.0.2", 5002);
    struct net_endpoint c = ep("10.0.0.9", 6000), d = ep("10.0.0.8", 7000);
    uint64_t n = 0;
    feed_stream(m, a, b2, &n); /* to 10.0.0.2, port 5002 never announced */
    feed_stream(m, c, d, &n);  /* no SDP address at all */
    uint8_t pkt[200];
    struct media_stream *cr = NULL;
    sdp_at(&s, buf, sizeof buf, "10.0.0.8", 7000); /* now an SDP announces d */
    media_sdp(m, 9, &s, arrival(31));
    CHECK(feed(m, c, d, arrival(31), 99, pkt, rtp(pkt, 30, 1000 + 160 * 31, 0x5151, 8), &cr) ==
          MEDIA_RTP);
    CHECK(cr != NULL && cr->call == 9 && !cr->heuristic);
    CHECK_EQ_INT(g.n, 1); /* the heuristic part before the SDP is finished */
    CHECK(g.s[0].heuristic && g.s[0].call == 0 && g.s[0].packets == 29);
    media_flush_all(m);
    CHECK_EQ_INT(g.n, 3);
    for (size_t i = 1; i < g.n; i++) {
        if (g.s[i].dst.port == 5002)
            CHECK(g.s[i].heuristic && g.s[i].call == 7 && g.s[i].packets == 29);
        else
            CHECK(!g.s[i].heuristic && g.s[i].call == 9 && g.s[i].packets == 1);
    }
    media_free(m);
}

int main(void)
{
    test_probation_wrap();
    test_ssrc_change_and_break();
    test_bounded(RTP_HEUR_MAX_CANDIDATES);
    test_bounded(5); /* a small table (the fuzz build's kind): not a power of two */
    test_media_replay();
    test_media_attach_and_handover();
    printf("test_rtp_heur: %d passed, %d failed\n", check_pass, check_fail);
    return check_fail ? 1 : 0;
}
