/* cli_capture.c: `sipscope capture -i IFACE [-w OUT] [--duration S] [-c N] [-Z USER] [FILTER]`
 * (CLI.md): the headless live monitor. This thread is T2 of docs/architecture.md: it owns the
 * dialog table and the database, pops frames from the capture thread's ring, commits every
 * 250 ms, prints one line per call as it ends and the capture statistics at the end. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/live.h"
#include "dissect/dialog.h"
#include "dissect/net.h"
#include "store/ingest.h"
#include "ui/cli_hep.h"
#include "ui/cli.h"
#include "ui/stop_signal.h"

#define TICK_NS         250000000 /* commit, write changed calls, print ended ones */
#define FRAMES_PER_LOOP 1024      /* frames taken between clock and signal checks */
#define IDLE_SLEEP_NS   500000    /* nothing in the ring: wait this long, doubling while idle */
#define IDLE_SLEEP_MAX  8000000 /* ... up to this (the ring holds far more than 8 ms of traffic) */
#define CALL_TIMEOUT_S  3600    /* default --call-timeout */
#define LINGER_MS       1000    /* an ended call is printed after this long without a message */
#define MAX_FILTER      4096

struct cap_args {
    struct cap_live_opts live;
    const char *out;  /* -w */
    const char *user; /* -Z */
    const char *filter;
    char filter_buf[MAX_FILTER];
    double duration;          /* --duration seconds, 0 = until stopped */
    uint32_t call_timeout_ms; /* --call-timeout, 0 = never */
    struct cli_hep_agent hep; /* --hep ... (docs/hep.md) */
};

static int64_t clock_ns(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Parses a non-negative number no larger than max; returns 0 or -1. */
static int parse_num(const char *s, double max, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !(v >= 0) || v > max)
        return -1;
    *out = v;
    return 0;
}

/* One option with a numeric value; returns 1 matched, 0 not this option, or an exit code. */
static int num_opt(struct cli *c, int *i, const char *name, double max, double *out)
{
    const char *v = NULL;
    int r = cli_opt(c, c->argc, c->argv, i, name, true, &v);
    if (r <= 0)
        return r < 0 ? EXIT_USAGE : 0;
    if (parse_num(v, max, out) < 0)
        return cli_usage_error(c, "%s: not a valid number: '%s'", name, v);
    return 1;
}

static int add_filter_word(struct cli *c, struct cap_args *a, const char *w)
{
    size_t len = strlen(a->filter_buf);
    if (len + strlen(w) + 2 > sizeof a->filter_buf)
        return cli_usage_error(c, "filter too long");
    snprintf(a->filter_buf + len, sizeof a->filter_buf - len, "%s%s", len ? " " : "", w);
    a->filter = a->filter_buf;
    return 0;
}

static int string_opt(struct cli *c, int *i, const char **dst)
{
    static const char *const names[] = {"-i", "-w", "-Z"};
    for (int k = 0; k < 3; k++) {
        int r = cli_opt(c, c->argc, c->argv, i, names[k], true, &dst[k]);
        if (r != 0)
            return r < 0 ? EXIT_USAGE : 1;
    }
    return 0;
}

/* Matches one numeric option at argv[*i]; returns 1, 0 (not one of them) or an exit code. */
static int numeric_opts(struct cli *c, struct cap_args *a, int *i)
{
    double v = 0;
    int r;
    if ((r = num_opt(c, i, "--duration", 1e9, &a->duration)) != 0)
        return r;
    if ((r = num_opt(c, i, "-c", 1e18, &v)) != 0) {
        a->live.max_packets = (uint64_t)v;
        return r;
    }
    if ((r = num_opt(c, i, "-B", 4194304, &v)) != 0) {
        a->live.buffer_kib = (int)v;
        return r;
    }
    if ((r = num_opt(c, i, "--ring-mb", 1024, &v)) != 0) {
        a->live.ring_bytes = (size_t)(v * 1048576) + 1; /* + 1: 0 would mean the default */
        return r;
    }
    if ((r = num_opt(c, i, "--call-timeout", 4e6, &v)) != 0) {
        a->call_timeout_ms = (uint32_t)(v * 1000);
        return r;
    }
    return 0;
}

static int parse_args(struct cli *c, struct cap_args *a)
{
    const char *s[3] = {NULL, NULL, NULL}; /* -i -w -Z */
    a->call_timeout_ms = CALL_TIMEOUT_S * 1000;
    bool words_only = false;
    for (int i = 0; i < c->argc; i++) {
        const char *arg = c->argv[i];
        int r;
        if (!words_only && strcmp(arg, "--") == 0) {
            words_only = true;
        } else if (words_only || arg[0] != '-') {
            if ((r = add_filter_word(c, a, arg)) != 0)
                return r;
        } else if ((r = string_opt(c, &i, s)) != 0 || (r = numeric_opts(c, a, &i)) != 0) {
            if (r != 1)
                return r;
        } else if ((r = cli_hep_agent_opt(c, &i, &a->hep)) != 0) {
            if (r != 1)
                return r;
        } else if (strcmp(arg, "-p") == 0) {
            a->live.no_promisc = true;
        } else if (strcmp(arg, "--store-rtp") == 0) {
            c->store_rtp = true;
        } else {
            return cli_usage_error(c, "unknown option %s", arg);
        }
    }
    a->live.device = s[0];
    a->out = s[1];
    a->user = s[2];
    if (!a->live.device || !*a->live.device)
        return cli_usage_error(c, "no interface given (usage: sipscope capture -i IFACE "
                                  "[-w OUT.pcap] [--duration S] [-c N] [-Z USER] [FILTER])");
    return 0;
}

/* Wire text for a terminal: control bytes, DEL and non-ASCII become '?'. */
static void safe(char *dst, size_t cap, const char *s)
{
    size_t n = 0;
    for (; s && *s && n + 1 < cap; s++)
        dst[n++] = (*s < 0x20 || *s >= 0x7f) ? '?' : *s;
    dst[n] = '\0';
}

/* One line per call as it ends (ingest_live.on_call_end). */
static void print_call(void *user, const struct dlg_call *c)
{
    (void)user;
    char from[DLG_MAX_URI], to[DLG_MAX_URI], cid[SIP_MAX_CALL_ID + 1], when[32] = "?";
    char status[8] = "-";
    safe(from, sizeof from, c->from_uri[0] ? c->from_uri : "-");
    safe(to, sizeof to, c->to_uri[0] ? c->to_uri : "-");
    safe(cid, sizeof cid, c->call_id);
    time_t sec = (time_t)(c->end_ns / 1000000000);
    struct tm tm;
    if (localtime_r(&sec, &tm))
        strftime(when, sizeof when, "%H:%M:%S", &tm);
    if (c->final_status)
        snprintf(status, sizeof status, "%u", c->final_status);
    const char *state = dlg_state_name(c->state);
    printf("%s.%03d %-9s %3s %s %s -> %s %u msgs  %s\n", when,
           (int)(c->end_ns % 1000000000 / 1000000), state ? state : "-", status,
           c->method[0] ? c->method : "-", from, to, c->nmsgs, cid);
}

struct run {
    struct cli *c;
    struct cap_args *a;
    struct cap_live *l;
    struct ingest *in;
    char err[1024];
};

/* caught_up: the ring was empty, so the wall clock may advance call time; with a backlog, only
 * the frames' own stamps do (else a lagging store would time out calls whose next messages are
 * still waiting in the ring). */
static int tick(struct run *r, bool caught_up)
{
    ingest_tick(r->in, caught_up ? clock_ns(CLOCK_REALTIME) : 0);
    cli_hep_agent_poll(&r->a->hep);
    if (ingest_commit(r->in, r->err, sizeof r->err) < 0)
        return -1;
    fflush(stdout);
    return 0;
}

/* T2: frames from the ring into the store until the capture thread has ended and every frame
 * it captured was stored. Returns 0, or -1 on a storage error (in r->err). */
static int store_loop(struct run *r)
{
    int64_t now = clock_ns(CLOCK_MONOTONIC), next_tick = now + TICK_NS;
    int64_t deadline = r->a->duration > 0 ? now + (int64_t)(r->a->duration * 1e9) : 0;
    bool stopping = false;
    int failed = 0;
    long nap = IDLE_SLEEP_NS;
    for (;;) {
        struct frame f;
        int got = 0, rc = 0;
        while (got < FRAMES_PER_LOOP && (rc = cap_live_next(r->l, &f)) == 1) {
            ingest_frame(r->in, &f);
            cap_live_release(r->l);
            got++;
        }
        if (rc < 0)
            return failed;
        now = clock_ns(CLOCK_MONOTONIC);
        if (!stopping && (stop_signal_get() || (deadline && now >= deadline) || failed)) {
            cap_live_stop(r->l);
            stopping = true;
        }
        if (now >= next_tick && !failed) {
            failed = tick(r, rc == 0);
            next_tick = now + TICK_NS;
        }
        if (got == 0) {
            struct timespec ts = {0, nap};
            nanosleep(&ts, NULL);
            nap = nap * 2 > IDLE_SLEEP_MAX ? IDLE_SLEEP_MAX : nap * 2;
        } else {
            nap = IDLE_SLEEP_NS;
        }
    }
}

static void summary(const struct run *r, const struct cap_live_stats *st)
{
    const struct ingest_stats *s = ingest_get_stats(r->in);
    printf("captured on %s: %llu packets received, %llu dropped by sipscope (ring full), "
           "%llu dropped by the kernel, %llu dropped by the interface; %llu sip messages, "
           "%llu calls\n",
           r->a->live.device, (unsigned long long)st->received, (unsigned long long)st->ring_drops,
           (unsigned long long)st->kernel_drops, (unsigned long long)st->if_drops,
           (unsigned long long)s->sip_messages, (unsigned long long)s->calls);
    fflush(stdout);
}

/* Stores the capture: begin, loop, end. Returns an exit code. */
static int capture_run(struct run *r)
{
    char name[300];
    snprintf(name, sizeof name, "live:%s", r->a->live.device);
    if (ingest_capture_begin(r->in, name, NULL, cap_live_linktype(r->l), r->err, sizeof r->err))
        return cli_runtime_error("%s", r->err);
    struct ingest_live lv = {r->a->call_timeout_ms, LINGER_MS, r->c->quiet ? NULL : print_call,
                             NULL};
    ingest_set_live(r->in, &lv);
    stop_signal_install(false, NULL);
    if (cap_live_start(r->l, r->err, sizeof r->err) < 0)
        return cli_runtime_error("%s", r->err);
    int store_failed = store_loop(r);
    struct cap_live_stats st;
    char cerr[1024];
    int cap_failed = cap_live_join(r->l, &st, cerr, sizeof cerr);
    if (store_failed)
        return cli_runtime_error("%s", r->err);
    ingest_tick(r->in, clock_ns(CLOCK_REALTIME));
    if (ingest_capture_end(r->in, cap_failed ? 2 : 1, NULL, 0, r->err, sizeof r->err) < 0)
        return cli_runtime_error("%s", r->err);
    cap_live_close(r->l); /* the -w file complete before the summary */
    r->l = NULL;
    if (!r->c->quiet)
        summary(r, &st);
    cli_hep_agent_finish(&r->a->hep, 2000, r->c->quiet);
    return cap_failed ? cli_runtime_error("%s", cerr) : 0;
}

/* Device first (privileged), filter, then -Z, then the -w file and the database. */
static int open_all(struct run *r)
{
    char warn[512];
    r->l = cap_live_open(&r->a->live, warn, sizeof warn, r->err, sizeof r->err);
    if (!r->l)
        return cli_runtime_error("%s", r->err);
    if (warn[0])
        fprintf(stderr, "sipscope: %s\n", warn);
    if (cap_live_set_filter(r->l, r->a->filter, r->err, sizeof r->err) < 0)
        return cli_usage_error(r->c, "bad filter '%s': %s", r->a->filter ? r->a->filter : "",
                               r->err);
    if (r->a->user && cap_drop_privileges(r->a->user, r->err, sizeof r->err) < 0)
        return cli_runtime_error("%s", r->err);
    if (r->a->out && cap_live_open_dump(r->l, r->a->out, r->err, sizeof r->err) < 0)
        return cli_runtime_error("%s", r->err);
    int rc = cli_open_db(r->c);
    if (rc != 0)
        return rc;
    r->in = ingest_new(r->c->db, r->err, sizeof r->err);
    if (!r->in)
        return cli_runtime_error("%s", r->err);
    ingest_set_vxlan_port(r->in, r->c->vxlan_port);
    if (r->c->store_rtp && ingest_store_rtp(r->in, r->err, sizeof r->err) < 0)
        return cli_runtime_error("%s", r->err);
    if (r->c->rtp_heuristic && ingest_rtp_heuristic(r->in, r->err, sizeof r->err) < 0)
        return cli_runtime_error("%s", r->err);
    return cli_hep_agent_start(&r->a->hep, r->in);
}

int cmd_capture(struct cli *c)
{
    struct cap_args a;
    memset(&a, 0, sizeof a);
    if (c->nfiles > 0)
        return cli_usage_error(c, "-r cannot be used with capture (use import)");
    int rc = parse_args(c, &a);
    if (rc != 0)
        return rc;
    struct run r = {.c = c, .a = &a};
    rc = open_all(&r);
    if (rc == 0)
        rc = capture_run(&r);
    cap_live_close(r.l);
    cli_hep_agent_finish(&a.hep, 0, true);
    char err[1024];
    if (r.in && ingest_free(r.in, err, sizeof err) < 0 && rc == 0)
        rc = cli_runtime_error("%s", err);
    return rc;
}
