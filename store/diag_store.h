/* diag_store.h: diagnostics over the history (docs/diagnostics.md): reads each call's messages
 * back from the spool, parses them again (SIP, SDP), adds its RTP streams, runs the rules engine
 * (dissect/diag.h) and caches the findings in the `findings` table (docs/schema.md). */
#ifndef SS_DIAG_STORE_H
#define SS_DIAG_STORE_H

#include "store/db.h"

/* Brings the findings of the given calls (ncalls > 0), else of the calls of the given captures
 * (all when ncaps is 0) up to date: computes those of every such call not yet checked by this
 * engine version, or whose capture is not complete (still importing or live). Returns the number
 * of calls computed, or -1 with err. */
int64_t diag_store_update(struct db *db, const int64_t *calls, size_t ncalls, const int64_t *caps,
                          size_t ncaps, char *err, size_t errlen);

/* One stored finding (strings live until the callback returns). */
struct ds_finding {
    int64_t call; /* calls.id */
    const char *call_id;
    int seq;
    const char *rule;
    int severity; /* enum diag_sev */
    const char *message, *spec;
    const char *msgs;   /* "3,5": 1-based positions of the messages in the call, or "" */
    const char *frames; /* their frame numbers, or "" */
    const char *ids;    /* their messages.id, or "" */
};
typedef int (*ds_fn)(void *user, const struct ds_finding *f);

/* Stored findings of at least min_sev, by call start time then rule order: of the given calls
 * (ncalls > 0), else of the captures' calls (all when ncaps is 0). 0, or -1 with err. */
int diag_store_read(struct db *db, const int64_t *calls, size_t ncalls, const int64_t *caps,
                    size_t ncaps, int min_sev, ds_fn fn, void *user, char *err, size_t errlen);

#endif
