/* cli_hep.h: the HEP agent options shared by `capture` and `import` (--hep PROTO:HOST:PORT,
 * --hep-id N, --hep-name S, --hep-password P): parsing, the ingest hook that sends every SIP
 * message, the closing counters. docs/hep.md. */
#ifndef SS_CLI_HEP_H
#define SS_CLI_HEP_H

#include "capture/hep_send.h"
#include "store/ingest.h"
#include "ui/cli.h"

struct cli_hep_agent {
    struct hep_agent_opts o; /* o.url NULL: no agent */
    struct hep_sender *s;
};

/* Matches one agent option at c->argv[*i] (advancing *i past a value). Returns 1 when matched,
 * 0 when not an agent option, or an exit code (usage error printed). */
int cli_hep_agent_opt(struct cli *c, int *i, struct cli_hep_agent *a);
/* Opens the sender and hooks it to in (nothing when no --hep). Returns 0 or an exit code. */
int cli_hep_agent_start(struct cli_hep_agent *a, struct ingest *in);
/* TCP: writes what is due. */
void cli_hep_agent_poll(struct cli_hep_agent *a);
/* Drains (TCP, up to wait_ms), closes and prints the counters line unless quiet. */
void cli_hep_agent_finish(struct cli_hep_agent *a, int wait_ms, bool quiet);

/* `import FILE... --hep URL`: replays the files' SIP messages to the collector through a
 * throwaway in-memory history (nothing stored locally), at most rate messages/s (0: no limit).
 * Returns 0 or an exit code. */
int cli_hep_replay(struct cli *c, const char *const *files, int nfiles, struct cli_hep_agent *a,
                   double rate);

#endif
