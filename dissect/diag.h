/* diag.h: flow diagnostics, a pure rules engine over one call (docs/diagnostics.md): its SIP
 * messages in capture order (parsed, with time and addresses), their SDP bodies and the figures
 * of its RTP streams in, findings out. One rule per function, a table of rules; no I/O, no SQLite.
 * Rules rest on RFC 3261 (transactions §17, dialogs §12, headers §8.1.1, §20), RFC 3264
 * (offer/answer), RFC 3550 (RTP) and RFC 3261 §22 (authentication). */
#ifndef SS_DIAG_H
#define SS_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/sdp.h"
#include "dissect/sip.h"

#define DIAG_MAX_REFS     4    /* message references kept per finding */
#define DIAG_TEXT_MAX     200  /* one-line message, NUL included */
#define DIAG_MAX_FINDINGS 64   /* findings kept per call; more are counted in diag_result.dropped */
#define DIAG_MAX_MSGS     4096 /* messages of one call the engine looks at (the first ones) */

/* Thresholds (docs/diagnostics.md). */
#define DIAG_TIMER_B_NS     (32LL * 1000000000LL) /* 64*T1: timers B and F (RFC 3261 §17) */
#define DIAG_PDD_NS         (5LL * 1000000000LL)  /* post-dial delay above this: warning */
#define DIAG_NO_RTP_NS      (2LL * 1000000000LL)  /* answered this long without RTP: finding */
#define DIAG_MAX_CHALLENGES 3                     /* consecutive 401/407 answers to credentials */
#define DIAG_LOSS_WARN_PCT  5.0                   /* RTP loss above: warning (above 1 %: info) */
#define DIAG_LOSS_INFO_PCT  1.0
#define DIAG_JITTER_WARN_MS 50.0 /* RTP max jitter above: warning */
#define DIAG_MOS_WARN       3.5  /* MOS below: warning */

/* Bumped whenever a rule changes, so cached findings (store/diag_store.c) are recomputed. */
#define DIAG_ENGINE_VERSION 3

enum diag_sev { DIAG_INFO = 1, DIAG_WARNING = 2, DIAG_ERROR = 3 };

/* One SIP message of the call, in capture order. Strings are NUL-terminated text the caller owns
 * ("ip:port", "[v6]:port"), valid for the run. */
struct diag_msg {
    const struct sip_msg *sip; /* parsed message; NULL when it could not be parsed */
    const struct sdp *sdp;     /* its parsed SDP body, or NULL */
    int64_t ts_ns;
    const char *src, *dst;
    const char *transport; /* "UDP", "TCP", ... */
    bool truncated;        /* the capture cut the message (snap length) */
};

/* One RTP stream tied to the call (store/media_store.h figures). */
struct diag_rtp {
    const char *src, *dst; /* "ip:port" */
    int64_t packets, expected, lost;
    double max_jitter_ms, mean_jitter_ms;
    double mos; /* < 0 when none */
    int64_t first_ns, last_ns;
};

struct diag_call {
    const struct diag_msg *msg;
    size_t nmsg;
    const struct diag_rtp *rtp;
    size_t nrtp;
    int64_t capture_end_ns; /* last frame of the capture (0: unknown, taken as the last message) */
};

struct diag_finding {
    const char *rule; /* stable id, e.g. "invite-retrans" */
    enum diag_sev sev;
    const char *spec; /* "RFC 3261 §17.1.1.2" */
    char text[DIAG_TEXT_MAX];
    size_t ref[DIAG_MAX_REFS]; /* 0-based indexes into diag_call.msg */
    unsigned nref;
};

struct diag_result {
    struct diag_finding f[DIAG_MAX_FINDINGS];
    size_t n;
    size_t dropped; /* findings beyond DIAG_MAX_FINDINGS */
};

/* A rule as documented: id, default severity, spec section, short title. */
struct diag_rule_info {
    const char *id;
    enum diag_sev sev;
    const char *spec;
    const char *title;
};

/* Runs every rule over c into r (cleared first). Returns 0, or -1 when out of memory. */
int diag_run(const struct diag_call *c, struct diag_result *r);

/* The rule table (for listings and docs); *n set to its length. */
const struct diag_rule_info *diag_rules(size_t *n);

/* True when id is the id of a rule of the table. */
bool diag_rule_known(const char *id);

/* "info", "warning", "error". */
const char *diag_sev_name(enum diag_sev s);
/* Parses a severity name; returns 0 when unknown. */
enum diag_sev diag_sev_parse(const char *s);

#endif
