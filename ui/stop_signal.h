/* stop_signal: SIGINT/SIGTERM (and SIGHUP where asked) for the long-running commands: capture,
 * listen and the interactive UI.
 *
 * The first signal asks for a clean stop: the command's loop polls stop_signal_get(), drains what
 * it holds, commits and ends. A second signal exits at once with status 128 + its number, after
 * an optional hook (the UI puts the terminal back); what was committed is safe in the WAL
 * database. The same signal again within STOP_SIGNAL_DUP_NS of the first is not a second request
 * but the first one delivered twice: timeout(1) and other wrappers send their signal to the
 * child and then to the child's whole process group. */
#ifndef SIPSCOPE_UI_STOP_SIGNAL_H
#define SIPSCOPE_UI_STOP_SIGNAL_H

#include <stdbool.h>

#define STOP_SIGNAL_DUP_NS 250000000LL /* 250 ms: far below a person's second keypress */

/* Installs the handler for SIGINT and SIGTERM (and SIGHUP if hup), without SA_RESTART so that
 * blocking calls return EINTR. before_exit (may be NULL) runs before the immediate exit. */
void stop_signal_install(bool hup, void (*before_exit)(void));

/* The number of the first stop signal received, 0 while none. */
int stop_signal_get(void);

#endif
