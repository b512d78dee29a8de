/* rtp_stats.c: Wireshark-compatible RTP stream statistics (RFC 3550 §6.4.1 jitter, §A.1-style
 * sequence accounting, lost = expected - received) and the ITU-T G.107 E-model. */
#include "dissect/rtp_stats.h"
#include <math.h>
#include "dissect/rtp.h"
#include "dissect/banned.h"

#define SEQ_MOD      65536
#define SEQ_BIG_JUMP 0xFF00 /* a drop this large is taken as a wrap with lost packets */
#define TS_HALF      0x80000000ull
#define NS_PER_MS    1e6

void rtp_stats_init(struct rtp_stats *s)
{
    *s = (struct rtp_stats){.min_delta = -1, .min_jitter = -1};
}

static void first_packet(struct rtp_stats *s, const struct rtp_stat_pkt *p)
{
    s->started = true;
    s->start_seq = s->stop_seq = s->seq_num = p->seq;
    s->first_ts = p->ts;
    s->time_ns = p->ts_ns;
    s->pt = s->reg_pt = p->pt;
    s->total = 1;
    s->flags = RTP_SF_FIRST | (p->marker ? RTP_SF_MARKER : 0);
}

/* Wrap counting: a sequence number below the first one starts a new cycle. */
static void count_cycles(struct rtp_stats *s, uint16_t seq, bool in_time)
{
    if (!in_time)
        return;
    if (!s->under && (seq < s->start_seq || (seq == 0 && s->stop_seq == SEQ_MOD - 1))) {
        s->cycles++;
        s->under = true;
    } else if (s->under && seq > s->start_seq) {
        s->under = false;
    }
}

/* In order, wrapped, gap (lost), or late/duplicate. */
static void check_seq(struct rtp_stats *s, uint16_t seq, bool in_time)
{
    int last = s->seq_num, cur = seq;
    if (in_time && (last + 1 == cur || (last == SEQ_MOD - 1 && cur == 0))) {
        s->seq_num = seq;
    } else if (in_time && (last + 1 < cur || last - cur > SEQ_BIG_JUMP)) {
        s->seq_num = seq;
        s->seq_errors++;
        s->flags |= RTP_SF_WRONG_SEQ;
    } else if (last + 1 > cur) {
        s->seq_errors++;
        s->flags |= RTP_SF_WRONG_SEQ;
    }
}

static void check_pt(struct rtp_stats *s, const struct rtp_stat_pkt *p)
{
    if (p->pt == RTP_PT_CN || p->pt == RTP_PT_CN_OLD)
        s->flags |= RTP_SF_PT_CN;
    if (s->pt == RTP_PT_CN || s->pt == RTP_PT_CN_OLD)
        s->flags |= RTP_SF_FOLLOW_CN;
    if (p->pt != s->pt)
        s->flags |= RTP_SF_PT_CHANGE;
    s->pt = p->pt;
    if (p->tel_event)
        s->flags |= RTP_SF_TEL_EVENT;
}

/* For a packet not before the first one in RTP time: the delta to the last such packet and,
 * with a clock, the jitter estimate against the nominal time since the first packet (the last
 * nominal time is kept only for packets with a clock). Returns the new jitter (0 without). */
static double timing(struct rtp_stats *s, const struct rtp_stat_pkt *p)
{
    s->delta = (double)(p->ts_ns - s->time_ns) / NS_PER_MS;
    uint32_t per_ms = p->clock / 1000; /* integer, as Wireshark divides */
    if (p->clock == 0 || per_ms == 0)
        return 0;
    s->clock = p->clock;
    double nominal = (double)(uint32_t)(p->ts - s->first_ts) / (double)per_ms;
    double diff = fabs(s->delta - (nominal - s->last_nominal));
    s->jitter = (15 * s->jitter + diff) / 16;
    s->last_nominal = nominal;
    return s->jitter;
}

/* Min/mean/max over "regular" packets: not first, marker, comfort noise (or just after it), or
 * a timestamp going backwards. Means divide by the packets before this one, as Wireshark. */
static void summarize(struct rtp_stats *s, const struct rtp_stat_pkt *p, double cur_jitter)
{
    const uint32_t skip =
        RTP_SF_FIRST | RTP_SF_MARKER | RTP_SF_PT_CN | RTP_SF_WRONG_TS | RTP_SF_FOLLOW_CN;
    if (s->flags & skip)
        return;
    double n = (double)s->total;
    if (s->delta > s->max_delta)
        s->max_delta = s->delta;
    if (s->min_delta < 0 || s->delta < s->min_delta)
        s->min_delta = s->delta;
    s->mean_delta = (s->mean_delta * (n - 1) + s->delta) / n;
    if (p->clock == 0 || p->clock / 1000 == 0)
        return;
    if (s->jitter > s->max_jitter)
        s->max_jitter = s->jitter;
    s->mean_jitter = (s->mean_jitter * (n - 1) + cur_jitter) / n;
    if (s->min_jitter < 0 || s->jitter < s->min_jitter)
        s->min_jitter = s->jitter;
}

/* Not before the first packet in RTP time: less than half the 32-bit range after it, counting
 * across a wrap (Wireshark's test, which lets a gap of exactly half pass only across a wrap). */
static bool in_time_sequence(uint32_t first, uint32_t ts)
{
    if (first <= ts)
        return ts - first < TS_HALF;
    return (uint64_t)(UINT32_MAX - first) + ts < TS_HALF;
}

void rtp_stats_add(struct rtp_stats *s, const struct rtp_stat_pkt *p)
{
    if (!s->started) {
        first_packet(s, p);
        return;
    }
    s->flags = 0;
    bool in_time = in_time_sequence(s->first_ts, p->ts);
    if (!in_time)
        s->flags |= RTP_SF_WRONG_TS;
    count_cycles(s, p->seq, in_time);
    check_seq(s, p->seq, in_time);
    check_pt(s, p);
    double cur_jitter = in_time ? timing(s, p) : 0;
    if (p->marker)
        s->flags |= RTP_SF_MARKER;
    summarize(s, p, cur_jitter);
    if (!(s->flags & RTP_SF_PT_CN))
        s->reg_pt = s->pt;
    if (in_time)
        s->time_ns = p->ts_ns;
    if (s->flags & (RTP_SF_WRONG_SEQ | RTP_SF_WRONG_TS))
        s->problem = true;
    s->stop_seq = p->seq;
    s->total++;
}

int64_t rtp_stats_expected(const struct rtp_stats *s)
{
    if (!s->started)
        return 0;
    return (int64_t)s->stop_seq + (int64_t)s->cycles * SEQ_MOD - s->start_seq + 1;
}

int32_t rtp_stats_lost(const struct rtp_stats *s)
{
    uint32_t expected = (uint32_t)rtp_stats_expected(s);
    return (int32_t)(expected - s->total);
}

/* ITU-T G.107 (06/2015) defaults: Ro - Is with all other parameters at their default values. */
#define EMODEL_R0_MINUS_IS   93.2
#define EMODEL_DELAY_KNEE_MS 177.3
#define EMODEL_BURST_R       1.0 /* random loss */

double rtp_r_factor(const struct rtp_mos_in *in)
{
    double d = in->delay_ms + 2 * in->jitter_ms; /* a jitter buffer of twice the mean jitter */
    double id = 0.024 * d + (d > EMODEL_DELAY_KNEE_MS ? 0.11 * (d - EMODEL_DELAY_KNEE_MS) : 0);
    double ppl = in->loss_pct < 0 ? 0 : (in->loss_pct > 100 ? 100 : in->loss_pct);
    double ie_eff = in->ie + (95 - in->ie) * ppl / (ppl / EMODEL_BURST_R + in->bpl);
    return EMODEL_R0_MINUS_IS - id - ie_eff;
}

double rtp_mos_of_r(double r)
{
    if (r <= 0)
        return 1.0;
    if (r >= 100)
        return 4.5;
    return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
}

struct codec_imp {
    const char *prefix;
    double ie, bpl;
};

/* G.113 Appendix I values (Ie, Bpl); wideband codecs are rated on the narrowband scale. */
static const struct codec_imp impairments[] = {
    {"PCMU", 0, 25.1},  {"PCMA", 0, 25.1},  {"G722", 0, 25.1}, {"G729", 11, 19.0},
    {"G723", 15, 16.1}, {"GSM-EFR", 5, 10}, {"GSM", 20, 10},   {"AMR-WB", 0, 10},
    {"AMR", 5, 10},     {"iLBC", 10, 32},   {"opus", 0, 20},   {"SPEEX", 8, 10},
};

void rtp_codec_impairment(const char *enc, double *ie, double *bpl)
{
    *ie = 0;
    *bpl = 25.1;
    for (size_t i = 0; enc && i < sizeof impairments / sizeof impairments[0]; i++) {
        size_t n = 0;
        while (impairments[i].prefix[n])
            n++;
        size_t m = 0;
        while (enc[m] && m < n)
            m++;
        if (m == n && slice_istarts(slice_make(enc, m), impairments[i].prefix, n)) {
            *ie = impairments[i].ie;
            *bpl = impairments[i].bpl;
            return;
        }
    }
}
