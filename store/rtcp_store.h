/* rtcp_store.h: RTCP aggregates in the rtcp_reports table: written from each RTCP compound
 * packet on a call's flow (dissect/rtcp.h), read back per RTP stream for `ladder --format json`. */
#ifndef SS_RTCP_STORE_H
#define SS_RTCP_STORE_H

#include "dissect/net.h"
#include "dissect/rtcp.h"
#include "store/db.h"

/* Creates rtcp_reports in a file made before it existed (no-op when read-only). 0 or -1 + err. */
int rtcp_store_schema(struct db *db, char *err, size_t errlen);

struct rtcp_store;
struct rtcp_store *rtcp_store_new(struct db *db, char *err, size_t errlen);
void rtcp_store_free(struct rtcp_store *rs);
/* Adds what one compound packet from src, received at arrival_ns on call's flow, reports.
 * 0 or -1 (the db's error). */
int rtcp_store_add(struct rtcp_store *rs, uint64_t call, const struct net_endpoint *src,
                   const struct rtcp_info *in, int64_t arrival_ns);

/* What the RTCP of a call says about one SSRC (the reporter with most reports). */
struct rtcp_row {
    int64_t reports, xr_reports;
    double fraction_lost;       /* last, 0..1 */
    double max_fraction_lost;   /* 0..1 */
    int64_t cum_lost;           /* last */
    int64_t jitter, max_jitter; /* RTP timestamp units */
    int64_t rtt_n;              /* report blocks with a round-trip time */
    double rtt_min_ms, rtt_mean_ms, rtt_max_ms;
    double xr_loss_rate, xr_discard_rate;        /* last, 0..1 */
    int xr_rtt_ms, xr_end_delay_ms, xr_r_factor; /* -1 when unavailable */
    double xr_mos_lq, xr_mos_cq;                 /* < 0 when unavailable */
};
/* Fills out for (call, ssrc): 1 found, 0 none (or no table), -1 error. */
int rtcp_store_read(struct db *db, int64_t call, uint32_t ssrc, struct rtcp_row *out);

#endif
