/* cli_hep.c: HEP agent options and hook for `capture` and `import` (cli_hep.h): each SIP
 * message the ingest path stores is also sent as HEP v3 with its Call-ID as correlation id. */
#include "ui/cli_hep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include "capture/reader.h"
#include "dissect/sip.h"

#define BACKPRESSURE_MS 5000

int cli_hep_agent_opt(struct cli *c, int *i, struct cli_hep_agent *a)
{
    const char *v = NULL;
    int r;
    if ((r = cli_opt(c, c->argc, c->argv, i, "--hep", true, &v)) != 0) {
        if (r < 0)
            return EXIT_USAGE;
        struct hep_url u;
        char err[512];
        if (hep_url_parse(v, &u, err, sizeof err) < 0)
            return cli_usage_error(c, "--hep %s", err);
        a->o.url = v;
        return 1;
    }
    if ((r = cli_opt(c, c->argc, c->argv, i, "--hep-id", true, &v)) != 0) {
        if (r < 0)
            return EXIT_USAGE;
        char *end = NULL;
        unsigned long long id = strtoull(v, &end, 10);
        if (!*v || *end || v[0] == '-' || id > 0xFFFFFFFFull)
            return cli_usage_error(c, "--hep-id '%s': expected a number 0-4294967295", v);
        a->o.id = (uint32_t)id;
        return 1;
    }
    if ((r = cli_opt(c, c->argc, c->argv, i, "--hep-name", true, &v)) != 0) {
        if (r < 0)
            return EXIT_USAGE;
        if (strlen(v) > 255)
            return cli_usage_error(c, "--hep-name: longer than 255 bytes");
        a->o.name = v;
        return 1;
    }
    if ((r = cli_opt(c, c->argc, c->argv, i, "--hep-password", true, &v)) != 0) {
        if (r < 0)
            return EXIT_USAGE;
        if (strlen(v) > 255)
            return cli_usage_error(c, "--hep-password: longer than 255 bytes");
        a->o.password = v;
        return 1;
    }
    return 0;
}

static void on_sip(void *user, const struct net_payload *pl, const struct sip_msg *m,
                   uint64_t msg_id)
{
    struct cli_hep_agent *a = user;
    (void)msg_id;
    hep_sender_payload(a->s, pl, sip_hdr_get(m, SIP_H_CALL_ID));
}

int cli_hep_agent_start(struct cli_hep_agent *a, struct ingest *in)
{
    if (!a->o.url)
        return 0;
    char err[1024];
    a->s = hep_sender_open(&a->o, err, sizeof err);
    if (!a->s)
        return cli_runtime_error("hep collector %s", err);
    ingest_set_sip_hook(in, on_sip, a);
    return 0;
}

void cli_hep_agent_poll(struct cli_hep_agent *a)
{
    if (a->s)
        hep_sender_poll(a->s);
}

void cli_hep_agent_finish(struct cli_hep_agent *a, int wait_ms, bool quiet)
{
    if (!a->s)
        return;
    struct hep_send_stats st;
    hep_sender_close(a->s, wait_ms, &st);
    a->s = NULL;
    if (!quiet)
        printf("hep to %s: %llu sip messages, %llu sent, %llu failed, %llu dropped, "
               "%llu too big, %llu reconnects\n",
               a->o.url, (unsigned long long)st.messages, (unsigned long long)st.sent,
               (unsigned long long)st.failed, (unsigned long long)st.dropped,
               (unsigned long long)st.too_big, (unsigned long long)st.reconnects);
    fflush(stdout);
}

static double mono_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Keeps the sender at most rate messages per second since t0 (rate 0: no limit). */
static void pace(struct cli_hep_agent *a, double rate, double t0)
{
    if (rate <= 0)
        return;
    double due = t0 + (double)hep_sender_stats(a->s)->messages / rate;
    double now = mono_s();
    if (due > now + 0.001) {
        double d = due - now;
        struct timespec t = {(time_t)d, (long)((d - (double)(time_t)d) * 1e9)};
        nanosleep(&t, NULL);
    }
}

/* Replay over TCP: a file can be read faster than a collector stores it; wait (up to
 * BACKPRESSURE_MS each time) for the queue to drain below half instead of dropping. */
static void backpressure(struct cli_hep_agent *a)
{
    for (int i = 0; i < BACKPRESSURE_MS && hep_sender_queued(a->s) > HEP_SEND_QUEUE / 2; i++) {
        hep_sender_poll(a->s);
        struct timespec t = {0, 1000000};
        nanosleep(&t, NULL);
    }
}

/* One file through a throwaway ingest into the sender. Returns 0 or an exit code. */
static int replay_one(struct cli_hep_agent *a, struct ingest *in, const char *path, double rate)
{
    char err[1024];
    struct cap_reader *r = cap_open(path, 0, err, sizeof err);
    if (!r)
        return cli_runtime_error("%s", err);
    if (!net_linktype_supported(cap_linktype(r))) {
        cap_close(r);
        return cli_runtime_error("%s: unsupported link type %d", path, cap_linktype(r));
    }
    if (ingest_capture_begin(in, path, NULL, cap_linktype(r), err, sizeof err) < 0) {
        cap_close(r);
        return cli_runtime_error("%s", err);
    }
    struct frame f;
    int rc;
    unsigned n = 0;
    double t0 = mono_s();
    uint64_t before = hep_sender_stats(a->s)->messages;
    while ((rc = cap_next(r, &f, err, sizeof err)) == 1) {
        ingest_frame(in, &f);
        pace(a, rate, t0 - (double)before / (rate > 0 ? rate : 1));
        if ((++n & 0xFF) == 0) {
            hep_sender_poll(a->s);
            backpressure(a);
        }
    }
    cap_close(r);
    if (rc < 0)
        return cli_runtime_error("%s", err);
    if (ingest_capture_end(in, 1, NULL, 0, err, sizeof err) < 0)
        return cli_runtime_error("%s", err);
    return 0;
}

int cli_hep_replay(struct cli *c, const char *const *files, int nfiles, struct cli_hep_agent *a,
                   double rate)
{
    char err[1024];
    struct db *db = db_open(":memory:", false, err, sizeof err);
    if (!db)
        return cli_runtime_error("%s", err);
    struct ingest *in = ingest_new(db, err, sizeof err);
    int rc = in ? cli_hep_agent_start(a, in) : cli_runtime_error("%s", err);
    for (int i = 0; rc == 0 && i < nfiles; i++)
        rc = replay_one(a, in, files[i], rate);
    cli_hep_agent_finish(a, 10000, c->quiet);
    if (in && ingest_free(in, err, sizeof err) < 0 && rc == 0)
        rc = cli_runtime_error("%s", err);
    db_close(db);
    return rc;
}
