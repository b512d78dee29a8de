/* cli_listen.h: the HEP collector of `sipscope listen` run on a background thread, for the
 * interactive UI on a collector (`sipscope -L PROTO:ADDR:PORT`, ui/tui.c). */
#ifndef SS_CLI_LISTEN_H
#define SS_CLI_LISTEN_H

#include <stdbool.h>
#include <stdint.h>

#include "ui/cli.h"

struct hep_bg;

/* Binds the listeners (urls borrowed, at most HEP_LISTEN_MAX), opens c's database, begins a
 * capture row "hep:URL,..." and starts the collector thread (which takes no signal).
 * 0 and *out, or an exit code after printing the reason. */
int hep_bg_start(struct cli *c, const char *const *urls, int n, struct hep_bg **out);
/* captures.id of the collector's capture row. */
int64_t hep_bg_capture(const struct hep_bg *b);
/* HEP packets received, SIP messages stored, distinct agents, store failed: safe to read while
 * the thread runs. */
void hep_bg_counts(struct hep_bg *b, uint64_t *packets, uint64_t *stored, uint64_t *agents,
                   bool *failed);
/* Stops the thread, commits what it holds, closes the capture row, prints the summary of
 * `listen` (unless c->quiet) and frees b. 0 or an exit code. NULL: nothing. */
int hep_bg_stop(struct hep_bg *b);

#endif
