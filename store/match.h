/* match.h: `calls --match REGEX`: a PCRE2 pattern (JIT-compiled where available) tried against
 * the raw SIP messages of a call, read back from the spool. */
#ifndef SS_MATCH_H
#define SS_MATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"

struct q_match;

/* Compiles pattern; on error returns NULL with "REGEX: message at offset N" in err. */
struct q_match *q_match_new(struct db *db, const char *pattern, char *err, size_t errlen);
/* True when some message of the call matches. Sets *failed on a read error. */
bool q_match_call(struct q_match *m, int64_t call, bool *failed);
void q_match_free(struct q_match *m);

#endif
