/* rtp_stats.h: per-stream RTP statistics computed exactly as Wireshark's RTP stream analysis
 * (tshark -z rtp,streams) computes them: RFC 3550 §6.4.1 interarrival jitter in ms with each
 * codec's clock, §A.1-style sequence accounting with wrap, lost = expected - received, deltas,
 * the "problem" flag; and the ITU-T G.107 E-model MOS (docs/media.md). Pure: no I/O. */
#ifndef SS_RTP_STATS_H
#define SS_RTP_STATS_H

#include <stdbool.h>
#include <stdint.h>

/* Flags of the last packet analysed (Wireshark's STAT_FLAG_* meanings). */
enum rtp_stat_flag {
    RTP_SF_FIRST = 1,       /* first packet of the stream */
    RTP_SF_MARKER = 2,      /* marker bit set */
    RTP_SF_WRONG_SEQ = 4,   /* sequence gap, late or duplicate */
    RTP_SF_WRONG_TS = 8,    /* timestamp went backwards */
    RTP_SF_PT_CN = 16,      /* comfort noise */
    RTP_SF_FOLLOW_CN = 32,  /* the packet before was comfort noise */
    RTP_SF_PT_CHANGE = 64,  /* payload type differs from the packet before */
    RTP_SF_TEL_EVENT = 128, /* telephone-event (RFC 4733): no jitter update */
};

/* One packet as the analysis sees it. */
struct rtp_stat_pkt {
    int64_t ts_ns; /* arrival (capture) time */
    uint16_t seq;
    uint32_t ts; /* RTP timestamp */
    uint8_t pt;
    bool marker;
    uint32_t clock; /* RTP clock rate used for jitter; 0 = none (no jitter update) */
    bool tel_event; /* telephone-event payload */
};

struct rtp_stats {
    bool started;
    bool under;         /* sequence numbers are below the start after a wrap */
    bool problem;       /* a packet had RTP_SF_WRONG_SEQ or RTP_SF_WRONG_TS */
    uint8_t pt, reg_pt; /* last payload type; last one that was not comfort noise */
    uint16_t start_seq, stop_seq, seq_num;
    uint32_t cycles;      /* sequence wraps */
    uint32_t seq_errors;  /* packets with a wrong sequence number */
    uint32_t total;       /* packets analysed */
    uint32_t flags;       /* enum rtp_stat_flag of the last packet */
    uint32_t clock;       /* last clock rate used */
    uint32_t first_ts;    /* RTP timestamp of the first packet */
    double last_nominal;  /* ms of RTP time from the first packet to the last timed one */
    int64_t time_ns;      /* arrival of the last packet not before the first in RTP time */
    double delta, jitter; /* ms, of the last packet */
    double min_delta, mean_delta, max_delta; /* ms; min -1 until set */
    double min_jitter, mean_jitter, max_jitter;
};

/* Starts empty statistics. */
void rtp_stats_init(struct rtp_stats *s);
/* Adds one packet (in capture order). */
void rtp_stats_add(struct rtp_stats *s, const struct rtp_stat_pkt *p);
/* Packets expected from the first and last sequence numbers and the wraps. */
int64_t rtp_stats_expected(const struct rtp_stats *s);
/* expected - received, as a signed 32-bit value (negative with duplicates), as tshark prints. */
int32_t rtp_stats_lost(const struct rtp_stats *s);

/* E-model inputs (ITU-T G.107 with G.113 codec impairments, docs/media.md). */
struct rtp_mos_in {
    double ie;        /* codec equipment impairment Ie */
    double bpl;       /* packet-loss robustness Bpl */
    double loss_pct;  /* packet loss, percent of expected */
    double jitter_ms; /* mean interarrival jitter */
    double delay_ms;  /* one-way mouth-to-ear delay estimate */
};
/* R factor for the inputs. */
double rtp_r_factor(const struct rtp_mos_in *in);
/* MOS-CQE from an R factor (G.107 Annex B), 1.0 .. 4.5. */
double rtp_mos_of_r(double r);
/* Ie and Bpl for an encoding name (G.113 Appendix I); unknown codecs get G.711's values. */
void rtp_codec_impairment(const char *enc, double *ie, double *bpl);

#endif
