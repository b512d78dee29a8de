/* tui_query.h: readers for the interactive UI: the call list paged from SQLite by keyset (any
 * sort column, filters applied in SQL), the messages and SDP of a ladder, related legs. */
#ifndef SS_TUI_QUERY_H
#define SS_TUI_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/db.h"
#include "store/match.h"

/* Columns of the call list; each is also a sort key. */
enum tq_col {
    TQ_COL_INDEX,
    TQ_COL_START,
    TQ_COL_METHOD,
    TQ_COL_FROM,
    TQ_COL_TO,
    TQ_COL_SRC,
    TQ_COL_DST,
    TQ_COL_MSGS,
    TQ_COL_STATE,
    TQ_COL_STATUS,
    TQ_COL_DURATION,
    TQ_COL_CALLID,
    TQ_COL_TRANSPORT,
    TQ_COL_MOS,   /* worst MOS of the call's streams (call_media) */
    TQ_COL_LOST,  /* total lost RTP packets (call_media) */
    TQ_COL_AGENT, /* HEP agent (name, else id) of the call's first message from one (hep_messages)
                   */
    TQ_NCOLS
};

/* Methods of the filter's checkboxes (bit i = tq_method_name(i)); the last one is "other". */
#define TQ_NMETHODS 11
/* Status checkboxes: bit 0 = no final status yet, bits 2..6 = 2xx..6xx. */
#define TQ_STATUS_ALL 0x7D

#define TQ_TEXT 128

struct tq_filter {
    const int64_t *captures; /* restrict to these capture ids (n = 0: all) */
    size_t ncaptures;
    const char *const *capture_names; /* or to captures with these names (while importing) */
    size_t nnames;
    int64_t min_id;                  /* calls with a larger id only (F5 "clear list"), 0 = all */
    char from[TQ_TEXT], to[TQ_TEXT]; /* substrings (case-insensitive) */
    char src[TQ_TEXT], dst[TQ_TEXT];
    char search[TQ_TEXT];  /* `/`: substring of any text column */
    unsigned methods;      /* checkbox bits; all set = no condition */
    unsigned statuses;     /* TQ_STATUS_ALL = no condition */
    struct q_match *match; /* payload regex (store/match.h), or NULL */
};

/* One call-list row: bounded copies (display only; paging uses the id). */
struct tq_row {
    int64_t id;
    char call_id[TQ_TEXT], method[24], from[TQ_TEXT], to[TQ_TEXT], src[64], dst[64];
    char state[16], transport[8];
    int64_t start_ns, end_ns, answer_ns, bye_ns, messages;
    int final_status; /* 0 = none */
    double mos;       /* worst MOS, < 0 when none (call_media) */
    int64_t lost;     /* lost RTP packets, -1 when the call has no media verdict */
    char agent[64];   /* HEP agent, "" when none (TQ_COL_AGENT) */
};

struct tq;

/* A list reader on db (the UI's own connection). NULL with err on failure. */
struct tq *tq_new(struct db *db, char *err, size_t errlen);
void tq_free(struct tq *q);

/* Sets filter (copied; captures/names/match borrowed) and sort order; prepares the statements.
 * 0 or -1 with err. */
int tq_set(struct tq *q, const struct tq_filter *f, enum tq_col sort, bool desc, char *err,
           size_t errlen);

/* Lists sorted by a column without an index, or filtered by a regex, are materialized into a
 * temporary table of positions when set (one full scan; then any page is a direct lookup).
 * tq_random_access() tells whether q is such a list: tq_page_at() is then as cheap as keyset
 * paging. tq_reload() refreshes the materialized order after the database changed. */
bool tq_random_access(const struct tq *q);
int tq_reload(struct tq *q);

/* Number of calls that pass the filter. -1 on error. */
int64_t tq_count(struct tq *q);
/* Position (0-based) of call id in the sorted filtered list. -1 on error. */
int64_t tq_position(struct tq *q, int64_t id);

/* Rows at positions [off, off+max) in list order. Returns the number of rows, -1 on error. */
long tq_page_at(struct tq *q, int64_t off, struct tq_row *out, size_t max);
/* Rows at positions [total-off-max, total-off) in list order (read backwards from the end). */
long tq_page_from_end(struct tq *q, int64_t off, struct tq_row *out, size_t max);
/* Up to max rows after (forward) or before (backward) the row with id anchor, in list order. */
long tq_page_after(struct tq *q, int64_t anchor, struct tq_row *out, size_t max);
long tq_page_before(struct tq *q, int64_t anchor, struct tq_row *out, size_t max);

/* A version of the data: changes when another connection committed or this one wrote. */
int64_t tq_data_version(struct tq *q);
/* Largest call id in the database (0 when none). */
int64_t tq_max_id(struct tq *q);

/* The worst severity (1 info, 2 warning, 3 error) of the call's cached diagnostics findings
 * (docs/diagnostics.md), 0 when none are cached (never computed here). */
int tq_call_findings(struct db *db, int64_t call);

/* Name of method checkbox i (< TQ_NMETHODS), "other" for the last. */
const char *tq_method_name(unsigned i);
/* Column title and the column's SQL sort key are kept here; title for the UI. */
const char *tq_col_title(enum tq_col c);

/* One message of a ladder: owned copies. */
struct tq_msg {
    int64_t id, call, frame, ts_ns, cseq, raw_off, raw_len;
    int status, flags;
    char *src, *dst, *transport, *method, *reason, *cseq_method, *call_id;
    char *sdp; /* "PCMA 10.0.0.1:4000 sendrecv" summary of the first m= line, or NULL */
};

struct tq_msgs {
    struct tq_msg *v;
    size_t n, cap;
};

/* Messages of the calls in capture order with their SDP summaries. 0 or -1 with err. */
int tq_msgs_load(struct db *db, const int64_t *calls, size_t ncalls, struct tq_msgs *out, char *err,
                 size_t errlen);
void tq_msgs_free(struct tq_msgs *m);

/* Calls related to call (other legs: same media address:port in SDP, or same dialled user
 * within the call's time +- 5 s). *ids is malloc'd (caller frees). 0 or -1 with err. */
int tq_related(struct db *db, int64_t call, int64_t **ids, size_t *n, char *err, size_t errlen);

/* The capture rows named in names (import progress): how many are complete and how many calls
 * the database holds for them. */
int tq_import_progress(struct db *db, const char *const *names, size_t n, int *complete,
                       int64_t *calls);

#endif
