/* media.c: expected media flows from SDP (RFC 3264 §5, RFC 8866 §5.7/§5.14, RFC 3605) and RTP
 * streams keyed by source, destination and SSRC (RFC 3550 §5.1, §8), with Wireshark-compatible
 * statistics (rtp_stats.c) and RFC 4733 §2.3 DTMF events. */
#include "dissect/hash.h"
#include "dissect/media.h"
#include "dissect/rtp.h"
#include "dissect/rtp_heur.h"
#include "dissect/banned.h"

#ifndef MEDIA_BUCKETS
#define FLOW_BUCKETS   65536u /* power of two; MEDIA_MAX_FLOWS flows: chains of one */
#define STREAM_BUCKETS 16384u /* power of two */
#else                         /* the fuzz build sets a small one (tests/fuzz) */
#define FLOW_BUCKETS   MEDIA_BUCKETS
#define STREAM_BUCKETS MEDIA_BUCKETS
#endif
#ifndef MEDIA_BUCKETS
#define HEUR_CANDIDATES RTP_HEUR_MAX_CANDIDATES
#else
#define HEUR_CANDIDATES MEDIA_BUCKETS
#endif
#define NS_PER_MS    1000000
#define DTMF_MIN_LEN 4 /* RFC 4733 §2.3: event, E/R/volume, duration */

struct media_pt {
    uint8_t pt;
    bool tel_event;
    uint32_t rate; /* from rtpmap (0: none given) */
    char enc[MEDIA_MAX_ENC];
};

/* An address:port announced by SDP (Wireshark's RTP/RTCP conversation). */
struct flow {
    struct flow *next;          /* hash chain */
    struct flow *older, *newer; /* the use list, by queued_ns: oldest first (media_ctx.oldest) */
    struct net_endpoint ep;
    uint64_t call;
    int64_t last_ns;   /* last SDP or packet */
    int64_t queued_ns; /* last_ns when the flow took its place in the use list (<= last_ns) */
    bool rtcp;
    uint8_t npt;
    struct media_pt *pts; /* npt entries, own allocation (NULL when none): most m= lines map
                           * one dynamic type or none, and up to MEDIA_MAX_FLOWS flows are held
                           * for an hour, so a fixed SDP_MAX_FMT array would dominate the RSS */
};

struct media_ctx {
    struct flow *flows[FLOW_BUCKETS];
    struct media_stream *streams[STREAM_BUCKETS];
    size_t nflows, nstreams;
    /* flows in the order they were queued (an SDP, or a requeue by forget_idle), so expiry and
     * eviction take the longest idle from the head without walking the buckets */
    struct flow *oldest, *newest;
    /* at most the smallest last_ns of any stream: an expiry pass with a limit at or below it has
     * nothing to do and skips the walk of every bucket */
    int64_t stream_floor;
    uint64_t next_id;
    media_stream_fn on_done;
    void *user;
    struct media_counters cnt;
    uint64_t rtcp_call;    /* call of the flow of the last RTCP packet */
    uint64_t rtp_call;     /* call of the stream of the last RTP packet */
    struct rtp_heur *heur; /* --rtp-heuristic candidates, NULL when off */
    uint64_t capture;      /* media_set_capture */
};

static bool ep_eq(const struct net_endpoint *a, const struct net_endpoint *b)
{
    size_t alen = a->addr.family == 6 ? 16 : 4;
    return a->port == b->port && a->addr.family == b->addr.family &&
           memcmp(a->addr.a, b->addr.a, alen) == 0;
}

struct media_ctx *media_new(uint64_t first_id, media_stream_fn on_done, void *user)
{
    struct media_ctx *m = calloc(1, sizeof *m);
    if (!m)
        abort();
    m->next_id = first_id;
    m->stream_floor = INT64_MAX;
    m->on_done = on_done;
    m->user = user;
    return m;
}

void media_free(struct media_ctx *m)
{
    if (!m)
        return;
    for (size_t b = 0; b < FLOW_BUCKETS; b++) {
        for (struct flow *f = m->flows[b], *n; f; f = n) {
            n = f->next;
            free(f->pts);
            free(f);
        }
    }
    for (size_t b = 0; b < STREAM_BUCKETS; b++) {
        for (struct media_stream *s = m->streams[b], *n; s; s = n) {
            n = s->next;
            free(s);
        }
    }
    rtp_heur_free(m->heur);
    free(m);
}

static void lower(int64_t *floor, int64_t ns)
{
    if (ns < *floor)
        *floor = ns;
}

static struct flow **flow_slot(struct media_ctx *m, const struct net_endpoint *ep)
{
    struct flow **pp = &m->flows[hash_endpoint(HASH_FNV_OFFSET, ep) & (FLOW_BUCKETS - 1)];
    while (*pp && !ep_eq(&(*pp)->ep, ep))
        pp = &(*pp)->next;
    return pp;
}

static void copy_enc(char *dst, struct slice s)
{
    size_t n = s.len < MEDIA_MAX_ENC - 1 ? s.len : MEDIA_MAX_ENC - 1;
    for (size_t i = 0; i < n; i++)
        dst[i] = (s.p[i] > 0x20 && s.p[i] < 0x7f) ? (char)s.p[i] : '?';
    dst[n] = '\0';
}

/* The dynamic payload map of an m= line (rtpmap entries for types 96..127). */
static bool is_mapped(const struct sdp_fmt *fm)
{
    return fm->pt >= RTP_PT_DYN_FIRST && fm->encoding.len != 0;
}

static void flow_set_map(struct flow *f, const struct sdp_media *md)
{
    unsigned want = 0;
    for (unsigned i = 0; i < md->nfmt && i < SDP_MAX_FMT; i++)
        want += is_mapped(&md->fmt[i]);
    if (want != f->npt) {
        free(f->pts);
        f->pts = want ? calloc(want, sizeof *f->pts) : NULL;
        if (want && !f->pts)
            abort();
    }
    f->npt = 0;
    for (unsigned i = 0; i < md->nfmt && f->npt < want; i++) {
        const struct sdp_fmt *fm = &md->fmt[i];
        if (!is_mapped(fm))
            continue;
        struct media_pt *p = &f->pts[f->npt++];
        p->pt = fm->pt;
        p->rate = fm->clock_rate;
        copy_enc(p->enc, fm->encoding);
        p->tel_event = SLICE_ISTARTS(fm->encoding, "telephone-event");
    }
}

static void use_unlink(struct media_ctx *m, struct flow *f)
{
    *(f->older ? &f->older->newer : &m->oldest) = f->newer;
    *(f->newer ? &f->newer->older : &m->newest) = f->older;
    f->older = f->newer = NULL;
}

/* Puts f at the end of the use list, queued at its last use (capture times that go back a little
 * leave the list nearly, not strictly, ordered; expiry is then late by that much). */
static void flow_queue(struct media_ctx *m, struct flow *f)
{
    f->queued_ns = f->last_ns;
    if (m->newest == f)
        return;
    if (f->older || m->oldest == f)
        use_unlink(m, f);
    f->older = m->newest;
    *(m->newest ? &m->newest->newer : &m->oldest) = f;
    m->newest = f;
}

/* Forgets the flows unused since before_ns, oldest first, while more than keep are held; returns
 * how many went. A packet only moves a flow's last_ns (no list work per packet): a head used
 * since it was queued is queued again at its last use instead, so each packet-refreshed flow is
 * moved at most once per pass, and a head queued at or after before_ns ends the pass. */
static size_t forget_idle(struct media_ctx *m, int64_t before_ns, size_t keep)
{
    size_t gone = 0;
    while (m->oldest && m->nflows > keep && m->oldest->queued_ns < before_ns) {
        struct flow *f = m->oldest;
        if (f->last_ns >= before_ns) {
            flow_queue(m, f);
            continue;
        }
        *flow_slot(m, &f->ep) = f->next;
        use_unlink(m, f);
        m->nflows--;
        free(f->pts);
        free(f);
        gone++;
    }
    return gone;
}

/* The flow table is full (a long busy capture announces more flows within MEDIA_FLOW_IDLE_MS than
 * it holds): forget the flows idle longest, never one used within MEDIA_FLOW_MIN_IDLE_MS, until a
 * quarter of the table is free, so the newest calls' media is still tied to them. The cost is
 * that of the flows forgotten or requeued. */
static void make_room(struct media_ctx *m, int64_t now_ns)
{
    int64_t before = now_ns - (int64_t)MEDIA_FLOW_MIN_IDLE_MS * NS_PER_MS + 1;
    m->cnt.flows_evicted += forget_idle(m, before, MEDIA_MAX_FLOWS / 4 * 3);
}

/* A new flow replaces the one at the same address:port (Wireshark opens a new conversation for
 * each SDP that names it: fresh timestamp extension, that SDP's payload map). */
static void flow_add(struct media_ctx *m, uint64_t call, const struct net_endpoint *ep,
                     const struct sdp_media *md, bool rtcp, int64_t now_ns)
{
    struct flow **pp = flow_slot(m, ep);
    struct flow *f = *pp;
    if (!f) {
        if (m->nflows >= MEDIA_MAX_FLOWS) {
            make_room(m, now_ns);
            pp = flow_slot(m, ep); /* the sweep may have freed the flow pp pointed into */
        }
        if (m->nflows >= MEDIA_MAX_FLOWS) {
            m->cnt.flows_dropped++;
            return;
        }
        f = calloc(1, sizeof *f);
        if (!f)
            abort();
        f->ep = *ep;
        *pp = f;
        m->nflows++;
        m->cnt.flows++;
    }
    f->call = call;
    f->last_ns = now_ns;
    flow_queue(m, f);
    f->rtcp = rtcp;
    if (rtcp) {
        free(f->pts);
        f->pts = NULL;
        f->npt = 0;
    } else
        flow_set_map(f, md);
}

static bool is_rtp_profile(struct slice proto)
{
    for (size_t i = 0; i + 4 <= proto.len; i++) {
        if (slice_istarts(slice_sub(proto, i, 4), "RTP/", 4))
            return true;
    }
    return false;
}

void media_sdp(struct media_ctx *m, uint64_t call, const struct sdp *s, int64_t now_ns)
{
    for (unsigned i = 0; i < s->nmedia; i++) {
        const struct sdp_media *md = &s->media[i];
        if (md->port == 0 || md->conn.family == 0 || !is_rtp_profile(md->proto))
            continue;
        struct net_endpoint ep = {md->conn, md->port};
        uint16_t rtcp_port = md->rtcp_port ? md->rtcp_port : (uint16_t)(md->port + 1);
        struct net_endpoint rep = {md->conn, rtcp_port};
        if (rtcp_port != md->port && md->port != UINT16_MAX)
            flow_add(m, call, &rep, md, true, now_ns);
        flow_add(m, call, &ep, md, false, now_ns);
    }
}

static struct media_stream **stream_slot(struct media_ctx *m, const struct net_payload *pl,
                                         uint32_t ssrc)
{
    uint64_t h = hash_endpoint(
        hash_endpoint(hash_fnv(HASH_FNV_OFFSET, &ssrc, sizeof ssrc), &pl->src), &pl->dst);
    struct media_stream **pp = &m->streams[h & (STREAM_BUCKETS - 1)];
    while (*pp &&
           !((*pp)->ssrc == ssrc && ep_eq(&(*pp)->src, &pl->src) && ep_eq(&(*pp)->dst, &pl->dst)))
        pp = &(*pp)->next;
    return pp;
}

static const struct media_pt *dyn_pt(const struct flow *f, uint8_t pt)
{
    for (unsigned i = 0; f && i < f->npt; i++) {
        if (f->pts[i].pt == pt)
            return &f->pts[i];
    }
    return NULL;
}

/* Clock rate for the analysis, as Wireshark picks it: the static table below 96; for dynamic
 * types the flow's rtpmap (telephone-event: none), its rate or a default for its name. */
static uint32_t analysis_clock(const struct flow *f, uint8_t pt, bool *tel)
{
    *tel = false;
    if (pt < RTP_PT_DYN_FIRST)
        return rtp_pt_analysis_clock(pt);
    const struct media_pt *d = dyn_pt(f, pt);
    if (!d)
        return 0;
    if (d->tel_event) {
        *tel = true;
        return 0;
    }
    if (d->rate)
        return d->rate;
    return rtp_enc_default_clock(slice_make(d->enc, strnlen(d->enc, MEDIA_MAX_ENC)));
}

static void stream_codec(struct media_stream *s, const struct flow *f, uint8_t pt)
{
    s->pt = pt;
    const char *name = rtp_pt_name(pt);
    const struct media_pt *d = pt >= RTP_PT_DYN_FIRST ? dyn_pt(f, pt) : NULL;
    if (d) {
        memcpy(s->enc, d->enc, MEDIA_MAX_ENC);
        s->enc_rate = d->rate;
    } else if (name) {
        size_t n = strnlen(name, MEDIA_MAX_ENC - 1);
        memcpy(s->enc, name, n);
        s->enc[n] = '\0';
        s->enc_rate = rtp_pt_clock(pt);
    }
}

static struct media_stream *stream_new(struct media_ctx *m, struct media_stream **slot,
                                       const struct net_payload *pl, const struct flow *f,
                                       const struct rtp_hdr *h)
{
    if (m->nstreams >= MEDIA_MAX_STREAMS) {
        m->cnt.streams_dropped++;
        return NULL;
    }
    struct media_stream *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    s->id = m->next_id++;
    s->call = f ? f->call : 0;
    s->src = pl->src;
    s->dst = pl->dst;
    s->ssrc = h->ssrc;
    s->first_frame = pl->frame->index;
    s->first_ns = pl->frame->ts_ns;
    s->capture = m->capture;
    rtp_stats_init(&s->st);
    stream_codec(s, f, h->pt);
    *slot = s;
    m->nstreams++;
    m->cnt.streams++;
    return s;
}

char media_dtmf_char(uint8_t event)
{
    static const char map[] = "0123456789*#ABCD";
    return event < 16 ? map[event] : '?';
}

/* RFC 4733 §2.5.1: an event keeps its RTP timestamp for all its packets; a new one starts a
 * digit. */
static void dtmf(struct media_stream *s, const struct rtp_hdr *h)
{
    if (h->payload.len < DTMF_MIN_LEN || s->last_event_ts == (uint64_t)h->ts + 1)
        return;
    s->last_event_ts = (uint64_t)h->ts + 1;
    if (s->dtmf_events < MEDIA_MAX_DTMF)
        s->dtmf[s->dtmf_events] = media_dtmf_char(h->payload.p[0]);
    s->dtmf_events++;
}

static void stream_packet(struct media_stream *s, struct flow *conv, int64_t ts_ns,
                          const struct rtp_hdr *h)
{
    struct rtp_stat_pkt p = {
        .ts_ns = ts_ns, .seq = h->seq, .ts = h->ts, .pt = h->pt, .marker = h->marker};
    p.clock = analysis_clock(conv, h->pt, &p.tel_event);
    rtp_stats_add(&s->st, &p);
    s->packets++;
    s->last_ns = ts_ns;
    s->markers += h->marker;
    s->cn_packets += (h->pt == RTP_PT_CN || h->pt == RTP_PT_CN_OLD);
    if (p.tel_event)
        dtmf(s, h);
    s->dirty = true;
}

/* The call whose SDP announced addr (at any port), of the flow queued last (its latest SDP, or
 * its last use as of the latest pass of forget_idle); 0: none. A walk of the use list from its
 * newest end, once per stream the heuristic confirms. */
static uint64_t addr_call(const struct media_ctx *m, const struct net_addr *addr)
{
    size_t alen = addr->family == 6 ? 16 : 4;
    for (const struct flow *f = m->newest; f; f = f->older) {
        if (f->call && f->ep.addr.family == addr->family &&
            memcmp(f->ep.addr.a, addr->a, alen) == 0)
            return f->call;
    }
    return 0;
}

/* --rtp-heuristic: a datagram on no expected flow. RTP of a known heuristic stream, else a
 * candidate packet (dissect/rtp_heur.h); the packets held while the candidate was on probation
 * are counted when it is confirmed, so the figures are those of every packet. */
static enum media_kind heur_packet(struct media_ctx *m, const struct net_payload *pl,
                                   struct media_stream **created)
{
    struct rtp_hdr h;
    if (rtp_is_rtcp(pl->data) || rtp_parse(pl->data, &h) != DIS_OK)
        return MEDIA_NONE;
    struct media_stream **slot = stream_slot(m, pl, h.ssrc);
    struct media_stream *s = *slot;
    if (!s) {
        struct rtp_heur_pkt held[RTP_HEUR_PROBATION];
        struct rtp_heur_pkt p = {.ts_ns = pl->frame->ts_ns,
                                 .frame = pl->frame->index,
                                 .ts = h.ts,
                                 .seq = h.seq,
                                 .pt = h.pt,
                                 .marker = h.marker};
        unsigned n = rtp_heur_feed(m->heur, &pl->src, &pl->dst, h.ssrc, &p, held);
        m->cnt.heur_evicted = rtp_heur_counters(m->heur)->evicted;
        if (n == 0 || !(s = stream_new(m, slot, pl, NULL, &h)))
            return MEDIA_NONE;
        s->heuristic = true;
        s->call = addr_call(m, &pl->dst.addr);
        if (!s->call)
            s->call = addr_call(m, &pl->src.addr);
        s->first_frame = held[0].frame;
        s->first_ns = held[0].ts_ns;
        m->cnt.heur_streams++;
        for (unsigned i = 0; i + 1 < n; i++) {
            struct rtp_hdr hh = {
                .marker = held[i].marker, .pt = held[i].pt, .seq = held[i].seq, .ts = held[i].ts};
            stream_packet(s, NULL, held[i].ts_ns, &hh);
            m->cnt.rtp++;
        }
        *created = s;
    }
    stream_packet(s, NULL, pl->frame->ts_ns, &h);
    m->rtp_call = 0; /* --store-rtp keeps the packets of SDP flows only */
    lower(&m->stream_floor, s->last_ns);
    m->cnt.rtp++;
    return MEDIA_RTP;
}

/* Wireshark hands a datagram to the flow of its source first, then of its destination; the RTP
 * dissector then reads the conversation data (timestamp extension, payload map) by destination
 * first. */
enum media_kind media_packet(struct media_ctx *m, const struct net_payload *pl,
                             struct media_stream **created)
{
    *created = NULL;
    if (pl->transport != NET_T_UDP || (m->nflows == 0 && !m->heur))
        return MEDIA_NONE;
    struct flow *fs = *flow_slot(m, &pl->src);
    struct flow *fd = *flow_slot(m, &pl->dst);
    struct flow *disp = fs ? fs : fd;
    if (!disp)
        return m->heur ? heur_packet(m, pl, created) : MEDIA_NONE;
    disp->last_ns = pl->frame->ts_ns;
    if (disp->rtcp || rtp_is_rtcp(pl->data)) {
        struct flow *rf = (fd && fd->rtcp) ? fd : ((fs && fs->rtcp) ? fs : disp);
        m->rtcp_call = rf->call;
        m->cnt.rtcp++;
        return MEDIA_RTCP;
    }
    struct rtp_hdr h;
    if (rtp_parse(pl->data, &h) == DIS_NOT_MINE)
        return MEDIA_NONE;
    struct flow *conv = (fd && !fd->rtcp) ? fd : (fs && !fs->rtcp ? fs : NULL);
    struct media_stream **slot = stream_slot(m, pl, h.ssrc);
    struct media_stream *s = *slot;
    if (s && s->heuristic) {
        /* found by the heuristic before an SDP announced the flow: that part is finished, the
         * stream of the flow starts here as it does without the heuristic */
        *slot = s->next;
        m->nstreams--;
        if (m->on_done)
            m->on_done(m->user, s);
        free(s);
        slot = stream_slot(m, pl, h.ssrc);
        s = NULL;
    }
    if (!s) {
        s = stream_new(m, slot, pl, conv, &h);
        if (!s)
            return MEDIA_NONE;
        *created = s;
    }
    stream_packet(s, conv, pl->frame->ts_ns, &h);
    m->rtp_call = s->call;
    lower(&m->stream_floor, s->last_ns);
    m->cnt.rtp++;
    return MEDIA_RTP;
}

/* Unlinks and finishes the streams for which done(s, now) is true. */
static void sweep_streams(struct media_ctx *m, int64_t before_ns, bool all)
{
    if (!all && before_ns <= m->stream_floor)
        return;
    m->stream_floor = INT64_MAX;
    for (size_t b = 0; b < STREAM_BUCKETS; b++) {
        struct media_stream **pp = &m->streams[b];
        while (*pp) {
            struct media_stream *s = *pp;
            if (!all && s->last_ns >= before_ns) {
                lower(&m->stream_floor, s->last_ns);
                pp = &s->next;
                continue;
            }
            *pp = s->next;
            m->nstreams--;
            if (m->on_done)
                m->on_done(m->user, s);
            free(s);
        }
    }
}

void media_expire(struct media_ctx *m, int64_t now_ns)
{
    sweep_streams(m, now_ns - (int64_t)MEDIA_STREAM_IDLE_MS * NS_PER_MS, false);
    forget_idle(m, now_ns - (int64_t)MEDIA_FLOW_IDLE_MS * NS_PER_MS, 0);
}

void media_flush_all(struct media_ctx *m)
{
    sweep_streams(m, 0, true);
}

void media_foreach(struct media_ctx *m, media_stream_fn fn, void *user)
{
    for (size_t b = 0; b < STREAM_BUCKETS; b++) {
        for (struct media_stream *s = m->streams[b]; s; s = s->next)
            fn(user, s);
    }
}

void media_set_heuristic(struct media_ctx *m)
{
    if (!m->heur)
        m->heur = rtp_heur_new(HEUR_CANDIDATES);
}

void media_set_capture(struct media_ctx *m, uint64_t capture)
{
    m->capture = capture;
}

void media_set_next_id(struct media_ctx *m, uint64_t id)
{
    if (id > m->next_id)
        m->next_id = id;
}

const struct media_counters *media_get_counters(const struct media_ctx *m)
{
    return &m->cnt;
}

uint64_t media_rtcp_call(const struct media_ctx *m)
{
    return m->rtcp_call;
}

uint64_t media_rtp_call(const struct media_ctx *m)
{
    return m->rtp_call;
}
