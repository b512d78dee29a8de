/* stop_signal: the first stop signal asks for a clean stop, a second exits at once; see the
 * header for the duplicate rule. Everything here runs in the signal handler or reads what it
 * wrote; SIGINT, SIGTERM and SIGHUP are blocked while the handler runs, so it never nests. */
#include "ui/stop_signal.h"

#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The only mutable globals of this module (ARCHITECTURE.md allows signal state): written by the
 * handler alone. */
static volatile sig_atomic_t first_signal;
static struct timespec first_at; /* read and written only by the handler */
static void (*volatile exit_hook)(void);

static long long elapsed_ns(const struct timespec *a, const struct timespec *b)
{
    return (long long)(b->tv_sec - a->tv_sec) * 1000000000LL + (b->tv_nsec - a->tv_nsec);
}

static void on_stop(int sig)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now); /* async-signal-safe (POSIX.1-2008) */
    if (!first_signal) {
        first_signal = sig;
        first_at = now;
        return;
    }
    if (sig == first_signal && elapsed_ns(&first_at, &now) < STOP_SIGNAL_DUP_NS)
        return; /* the same signal delivered twice, e.g. by timeout(1) */
    if (exit_hook)
        exit_hook();
    _exit(128 + sig);
}

void stop_signal_install(bool hup, void (*before_exit)(void))
{
    exit_hook = before_exit;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    sigaddset(&sa.sa_mask, SIGHUP);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (hup)
        sigaction(SIGHUP, &sa, NULL);
}

int stop_signal_get(void)
{
    return first_signal;
}
