/* query.h: readers of the history for the commands and the UI: calls with filters, messages of
 * calls (ladders), captures. Rows are handed to a callback; strings live until it returns. */
#ifndef SS_QUERY_H
#define SS_QUERY_H

#include "store/db.h"
#include "store/match.h"

struct q_filter {
    const int64_t *captures; /* restrict to these capture ids (n = 0: all) */
    size_t ncaptures;
    bool invite_only;
    const char *from, *to;      /* substring of the From / To URI */
    const char *method;         /* first request's method */
    int status;                 /* exact final status, or 0 */
    int status_class;           /* 1..6 for "1xx".."6xx", or 0 */
    int64_t since_ns, until_ns; /* start time window, 0 = open */
    int64_t limit;              /* 0 = no limit */
    struct q_match *match;      /* raw-message regex (store/match.h), or NULL */
    const char *agent;          /* HEP agent name or id (hep_messages, docs/hep.md), or NULL */
    bool has_hep;               /* set by q_calls: the hep_messages table exists */

    const char *has_finding; /* rule id: calls with such a finding (findings table), or NULL */
};

struct q_call {
    int64_t id;
    const char *call_id, *method, *from, *to, *src, *dst, *state, *transport;
    int64_t start_ns, end_ns, invite_ns, ring_ns, answer_ns, bye_ns;
    int64_t messages;
    int final_status; /* 0 = none */
    int rtp_streams;
    /* call_media (INVITE calls, docs/schema.md); has_media false when the call has no row */
    bool has_media;
    const char *media, *codec; /* "both" | "one-way" | "none" | NULL (not answered); codec */
    double mos;                /* worst MOS, < 0 when none */
    int64_t lost;              /* total lost packets */
};

struct q_msg {
    int64_t id, call, frame;
    int idx;
    int64_t ts_ns;
    const char *src, *dst, *transport, *method, *reason, *cseq_method, *call_id;
    int status;   /* 0 for requests */
    int64_t cseq; /* -1 when none */
    int flags;    /* enum db_msg_flag */
    int64_t raw_off, raw_len;
};

typedef int (*q_call_fn)(void *user, const struct q_call *c);
typedef int (*q_msg_fn)(void *user, const struct q_msg *m);

/* Calls matching f, ordered by start time; fn returning non-zero stops. 0 or -1 with err. */
int q_calls(struct db *db, const struct q_filter *f, q_call_fn fn, void *user, char *err,
            size_t errlen);

/* Ids of the calls whose Call-ID is call_id (within captures when given). Caller frees *ids. */
int q_call_ids(struct db *db, const char *call_id, const int64_t *captures, size_t ncaptures,
               int64_t **ids, size_t *nids, char *err, size_t errlen);

/* Messages of the given calls in capture order. */
int q_messages(struct db *db, const int64_t *calls, size_t ncalls, q_msg_fn fn, void *user,
               char *err, size_t errlen);

/* One m= line of an SDP body (sdp_media row); strings live until the callback returns. */
struct q_sdp {
    int64_t message; /* messages.id */
    int idx, port;
    const char *media, *addr, *proto, *formats, *direction;
};
typedef int (*q_sdp_fn)(void *user, const struct q_sdp *s);

/* The SDP media lines of the given calls' messages, by message id then m= line. */
int q_sdp_media(struct db *db, const int64_t *calls, size_t ncalls, q_sdp_fn fn, void *user,
                char *err, size_t errlen);

/* Headers that link the legs of a call through a B2BUA (--related): a comma-separated list of
 * header names, "Name:param" taking a parameter's value instead of the value before ';'. */
#define Q_LINK_HEADERS "X-Call-ID,X-CID,P-Charging-Vector:icid-value,Session-ID"

/* The calls related to the given ones: same Call-ID (other captures, proxy hops) or sharing a
 * value of one of the link headers (links: Q_LINK_HEADERS syntax) in their requests, found among
 * the calls within 60 s of them (within captures when given), transitively. *out (caller frees)
 * holds the given calls first, then the related ones as found. 0 or -1 with err. */
int q_related_calls(struct db *db, const int64_t *calls, size_t ncalls, const char *links,
                    const int64_t *captures, size_t ncaptures, int64_t **out, size_t *nout,
                    char *err, size_t errlen);

#endif
