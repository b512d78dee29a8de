/* timeparse.h: reads the times users give (--since/--until): epoch seconds (with fraction) or
 * ISO 8601 "YYYY-MM-DD[THH:MM[:SS[.frac]]][Z|+HH:MM]" (UTC unless an offset is given). */
#ifndef SS_TIMEPARSE_H
#define SS_TIMEPARSE_H

#include <stdint.h>

/* Returns 0 and nanoseconds since the epoch in *ns, or -1 when s is not a time. */
int time_parse(const char *s, int64_t *ns);
/* Same, for the end of a window: a time given with a fraction of a second covers that whole last
 * unit ("...843654" ends at ...843654999 ns), so a start time copied from the output (printed to
 * the microsecond) is inside a window that ends there. */
int time_parse_end(const char *s, int64_t *ns);

#endif
