/* cli_listen.c: `sipscope listen --hep PROTO:ADDR:PORT... [--password P] [--keep-duplicates]
 * [--dup-window MS]`: a HEP collector. Every decoded SIP packet goes into the history through
 * ingest_payload with the addresses, ports, transport and time of its HEP header, tagged with
 * its agent in hep_messages; a message several agents saw (same bytes, same addresses, times
 * within the window) is stored once. SIGINT/SIGTERM: flush, per-agent counts. docs/hep.md.
 * hep_bg_*: the same collector on a background thread for the interactive UI (`sipscope -L`). */
#include "ui/cli_listen.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/hep_listen.h"
#include "dissect/hash.h"
#include "dissect/sip.h"
#include "store/ingest.h"
#include "store/schema.sql.h"
#include "ui/cli.h"
#include "ui/stop_signal.h"

#define TICK_MS        250
#define MAX_AGENTS     1024       /* distinct (id, name, peer address) counted; more share a row */
#define DUP_SLOTS      (1u << 16) /* recent messages remembered for duplicate detection */
#define DUP_WINDOW_MS  100        /* default --dup-window */
#define CALL_TIMEOUT_S 3600

struct agent {
    uint32_t id;
    char name[64];
    char peer[64];
    uint64_t stored, duplicates, not_sip;
};

/* A sending host's token bucket (--rate-limit): rate tokens a second, at most rate saved. */
struct source {
    char host[64];
    double tokens;
    int64_t last_ns;
    uint64_t limited;
};

struct dup_slot {
    uint64_t hash;
    int64_t ts_ns;
    uint32_t agent; /* index + 1 */
};

struct listen {
    struct cli *c;
    const char *urls[HEP_LISTEN_MAX];
    int nurls;
    const char *password;
    bool keep_dups;
    int64_t window_ns;
    struct ingest *in;
    sqlite3_stmt *ins;
    struct agent *agents;
    int nagents;
    struct dup_slot *dups;
    struct source *sources;
    int nsources;
    double rate; /* --rate-limit messages/s per sending host, 0 = none */
    uint64_t rate_limited;
    uint64_t frames, auth_failed, not_sip, duplicates;
    int cur_agent; /* of the packet being stored */
    int version;
    char err[1024];
    /* background mode (hep_bg): the stop request and the figures the UI thread reads */
    atomic_bool bg_stop;
    atomic_uint_fast64_t a_packets, a_stored, a_agents;
};

static int parse_args(struct cli *c, struct listen *l)
{
    for (int i = 0; i < c->argc; i++) {
        const char *v = NULL;
        int r;
        if ((r = cli_opt(c, c->argc, c->argv, &i, "--hep", true, &v)) != 0) {
            if (r < 0)
                return EXIT_USAGE;
            if (l->nurls >= HEP_LISTEN_MAX)
                return cli_usage_error(c, "too many --hep listeners (max %d)", HEP_LISTEN_MAX);
            l->urls[l->nurls++] = v;
        } else if ((r = cli_opt(c, c->argc, c->argv, &i, "--password", true, &v)) != 0) {
            if (r < 0)
                return EXIT_USAGE;
            l->password = v;
        } else if ((r = cli_opt(c, c->argc, c->argv, &i, "--dup-window", true, &v)) != 0) {
            char *end = NULL;
            double ms = r > 0 ? strtod(v, &end) : -1;
            if (r < 0 || !*v || *end || !(ms >= 0 && ms <= 60000))
                return cli_usage_error(c, "--dup-window wants milliseconds 0-60000");
            l->window_ns = (int64_t)(ms * 1e6);
        } else if ((r = cli_opt(c, c->argc, c->argv, &i, "--rate-limit", true, &v)) != 0) {
            char *end = NULL;
            l->rate = r > 0 ? strtod(v, &end) : -1;
            if (r < 0 || !*v || *end || !(l->rate >= 0 && l->rate <= 1e7))
                return cli_usage_error(c, "--rate-limit wants messages per second 0-10000000");
        } else if (strcmp(c->argv[i], "--keep-duplicates") == 0) {
            l->keep_dups = true;
        } else {
            return cli_usage_error(c, "unknown argument %s", c->argv[i]);
        }
    }
    if (l->nurls == 0)
        return cli_usage_error(c, "no listener given (usage: sipscope listen --hep "
                                  "udp:ADDR:PORT [--hep tcp:ADDR:PORT]...)");
    return 0;
}

/* Wire text for the database and the terminal: printable ASCII only, bounded. */
static void safe_copy(char *dst, size_t cap, struct slice s)
{
    size_t n = 0;
    for (size_t i = 0; i < s.len && n + 1 < cap; i++)
        dst[n++] = s.p[i] >= 0x20 && s.p[i] < 0x7F ? (char)s.p[i] : '?';
    dst[n] = '\0';
}

static void peer_fmt(const struct sockaddr_storage *ss, char *buf, size_t n)
{
    struct net_endpoint e = {0};
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
        e.addr.family = 4;
        memcpy(e.addr.a, &a->sin_addr, 4);
        e.port = ntohs(a->sin_port);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
        e.addr.family = 6;
        memcpy(e.addr.a, &a->sin6_addr, 16);
        e.port = ntohs(a->sin6_port);
    }
    net_addr_fmt(&e.addr, buf, n); /* the agent's host; its source port changes per socket */
}

/* The agent row of (capture id, name, peer host): found, added, or the last row when full. */
static int find_agent(struct listen *l, const struct hep_msg *m, const char *peer)
{
    char name[64];
    safe_copy(name, sizeof name, m->node_name);
    uint32_t id = m->has_capture_id ? m->capture_id : 0;
    for (int i = 0; i < l->nagents; i++) {
        struct agent *a = &l->agents[i];
        if (a->id == id && strcmp(a->name, name) == 0 && strcmp(a->peer, peer) == 0)
            return i;
    }
    if (l->nagents >= MAX_AGENTS)
        return MAX_AGENTS - 1;
    struct agent *a = &l->agents[l->nagents];
    memset(a, 0, sizeof *a);
    a->id = id;
    snprintf(a->name, sizeof a->name, "%s", name);
    snprintf(a->peer, sizeof a->peer, "%s", peer);
    return l->nagents++;
}

static int64_t wall_ns(void);

/* True when the sending host is over its rate (then counted); a full table shares its last row. */
static bool rate_limited(struct listen *l, const char *host)
{
    if (l->rate <= 0)
        return false;
    int i = 0;
    while (i < l->nsources && strcmp(l->sources[i].host, host) != 0)
        i++;
    if (i == l->nsources && l->nsources < MAX_AGENTS) {
        struct source *n = &l->sources[l->nsources++];
        snprintf(n->host, sizeof n->host, "%s", host);
        n->tokens = l->rate;
        n->last_ns = wall_ns();
    }
    struct source *s = &l->sources[i < MAX_AGENTS ? i : MAX_AGENTS - 1];
    int64_t now = wall_ns();
    s->tokens += (double)(now - s->last_ns) / 1e9 * l->rate;
    if (s->tokens > l->rate)
        s->tokens = l->rate;
    s->last_ns = now;
    if (s->tokens < 1) {
        s->limited++;
        l->rate_limited++;
        return true;
    }
    s->tokens -= 1;
    return false;
}

/* True when another agent delivered the same message within the window (then counted). */
static bool duplicate(struct listen *l, const struct hep_msg *m, int64_t ts, int agent)
{
    if (l->keep_dups)
        return false;
    uint64_t h = hash_fnv(HASH_FNV_OFFSET, m->payload.p, m->payload.len);
    h = hash_fnv(h, &m->src, sizeof m->src);
    h = hash_fnv(h, &m->dst, sizeof m->dst);
    struct dup_slot *s = &l->dups[h & (DUP_SLOTS - 1)];
    int64_t d = ts - s->ts_ns;
    if (s->hash == h && s->agent != (uint32_t)agent + 1 && d <= l->window_ns && d >= -l->window_ns)
        return true;
    *s = (struct dup_slot){h, ts, (uint32_t)agent + 1};
    return false;
}

static uint8_t transport_of(uint8_t ip_proto)
{
    return ip_proto == 6 ? NET_T_TCP : ip_proto == 132 ? NET_T_SCTP : NET_T_UDP;
}

static int64_t wall_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void on_packet(void *user, const struct hep_msg *m, const struct sockaddr_storage *peer,
                      bool tcp)
{
    struct listen *l = user;
    (void)tcp;
    if (l->password && !slice_eq(m->auth_key, l->password, strlen(l->password))) {
        l->auth_failed++;
        return;
    }
    char ph[64];
    peer_fmt(peer, ph, sizeof ph);
    if (rate_limited(l, ph))
        return;
    int ai = find_agent(l, m, ph);
    if (m->proto_type != HEP_PROTO_SIP || !sip_looks_like(m->payload) ||
        (m->src.addr.family != 4 && m->src.addr.family != 6)) {
        l->agents[ai].not_sip++;
        l->not_sip++;
        return;
    }
    int64_t ts =
        m->has_ts ? (int64_t)m->ts_sec * 1000000000 + (int64_t)m->ts_usec * 1000 : wall_ns();
    if (duplicate(l, m, ts, ai)) {
        l->agents[ai].duplicates++;
        l->duplicates++;
        return;
    }
    struct frame f = {.ts_ns = ts, .index = ++l->frames, .linktype = 0};
    struct net_payload pl = {.src = m->src,
                             .dst = m->dst,
                             .transport = transport_of(m->ip_proto),
                             .frame = &f,
                             .data = m->payload};
    l->cur_agent = ai;
    l->version = m->version;
    ingest_payload(l->in, &pl);
}

/* ingest hook: the stored message's agent row. */
static void on_sip(void *user, const struct net_payload *pl, const struct sip_msg *m,
                   uint64_t msg_id)
{
    struct listen *l = user;
    (void)pl, (void)m;
    if (!msg_id)
        return;
    struct agent *a = &l->agents[l->cur_agent];
    a->stored++;
    sqlite3_stmt *st = l->ins;
    sqlite3_bind_int64(st, 1, (int64_t)msg_id);
    sqlite3_bind_int64(st, 2, a->id);
    if (a->name[0])
        sqlite3_bind_text(st, 3, a->name, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 3);
    sqlite3_bind_text(st, 4, a->peer, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, l->version);
    sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

static void summary(const struct listen *l, const struct hep_listener *hl)
{
    const struct hep_listen_stats *s = hep_listener_stats(hl);
    uint64_t bad = 0;
    for (int i = 0; i < HEP_E__COUNT; i++)
        bad += s->bad[i];
    printf("listened: %llu hep packets, %llu bad (%llu lying chunk length, %llu wrong chunk "
           "size), %llu truncated, %llu not hep, %llu auth failed, %llu rate limited, %llu not "
           "sip, %llu duplicates, %llu sip messages stored\n",
           (unsigned long long)s->packets, (unsigned long long)bad,
           (unsigned long long)s->bad[HEP_E_CHUNK_LEN],
           (unsigned long long)s->bad[HEP_E_CHUNK_SIZE], (unsigned long long)s->truncated,
           (unsigned long long)s->not_hep, (unsigned long long)l->auth_failed,
           (unsigned long long)l->rate_limited, (unsigned long long)l->not_sip,
           (unsigned long long)l->duplicates,
           (unsigned long long)ingest_get_stats(l->in)->sip_messages);
    for (int i = 0; i < l->nsources; i++) {
        if (l->sources[i].limited)
            printf("source %s: %llu rate limited\n", l->sources[i].host,
                   (unsigned long long)l->sources[i].limited);
    }
    for (int i = 0; i < l->nagents; i++) {
        const struct agent *a = &l->agents[i];
        printf("agent %u %s from %s: %llu sip messages stored, %llu duplicates, %llu not sip\n",
               a->id, a->name[0] ? a->name : "-", a->peer, (unsigned long long)a->stored,
               (unsigned long long)a->duplicates, (unsigned long long)a->not_sip);
    }
    fflush(stdout);
}

/* Receives until a signal; commits every TICK_MS. Returns 0 or -1 with l->err. */
static int loop(struct listen *l, struct hep_listener *hl)
{
    int64_t next = 0;
    while (!stop_signal_get() && !atomic_load(&l->bg_stop)) {
        hep_listener_poll(hl, TICK_MS / 2, on_packet, l);
        atomic_store(&l->a_packets, hep_listener_stats(hl)->packets);
        atomic_store(&l->a_stored, ingest_get_stats(l->in)->sip_messages);
        atomic_store(&l->a_agents, (uint_fast64_t)l->nagents);
        int64_t now = wall_ns();
        if (now < next)
            continue;
        next = now + (int64_t)TICK_MS * 1000000;
        ingest_tick(l->in, now);
        if (ingest_commit(l->in, l->err, sizeof l->err) < 0)
            return -1;
    }
    return 0;
}

static int open_all(struct listen *l, struct hep_listener *hl)
{
    for (int i = 0; i < l->nurls; i++) {
        if (hep_listener_add(hl, l->urls[i], l->err, sizeof l->err) < 0)
            return cli_runtime_error("listen %s", l->err);
    }
    int rc = cli_open_db(l->c);
    if (rc != 0)
        return rc;
    if (db_exec(l->c->db, SCHEMA_HEP, l->err, sizeof l->err) < 0)
        return cli_runtime_error("%s", l->err);
    l->ins = db_prepare(l->c->db,
                        "INSERT OR REPLACE INTO hep_messages(message,agent_id,agent_name,peer,"
                        "version) VALUES(?,?,?,?,?)",
                        l->err, sizeof l->err);
    if (!l->ins)
        return cli_runtime_error("%s", l->err);
    l->in = ingest_new(l->c->db, l->err, sizeof l->err);
    if (!l->in)
        return cli_runtime_error("%s", l->err);
    char name[600] = "hep:";
    for (int i = 0; i < l->nurls; i++)
        snprintf(name + strlen(name), sizeof name - strlen(name), "%s%s", i ? "," : "", l->urls[i]);
    if (ingest_capture_begin(l->in, name, NULL, 0, l->err, sizeof l->err) < 0 ||
        ingest_commit(l->in, l->err, sizeof l->err) < 0)
        return cli_runtime_error("%s", l->err);
    struct ingest_live lv = {CALL_TIMEOUT_S * 1000, 1000, NULL, NULL};
    ingest_set_live(l->in, &lv);
    ingest_set_sip_hook(l->in, on_sip, l);
    return 0;
}

static void alloc_tables(struct listen *l)
{
    l->agents = calloc(MAX_AGENTS, sizeof *l->agents);
    l->dups = calloc(DUP_SLOTS, sizeof *l->dups);
    l->sources = calloc(MAX_AGENTS, sizeof *l->sources);
    if (!l->agents || !l->dups || !l->sources)
        abort();
}

/* After the loop: closes the capture row, prints the summary (unless quiet), frees; rc kept. */
static int finish(struct listen *l, struct hep_listener *hl, int rc, bool looped)
{
    if (looped) {
        if (rc == 0 && ingest_capture_end(l->in, 1, NULL, 0, l->err, sizeof l->err) < 0)
            rc = cli_runtime_error("%s", l->err);
        if (rc == 0 && !l->c->quiet)
            summary(l, hl);
    }
    hep_listener_free(hl);
    sqlite3_finalize(l->ins);
    l->ins = NULL;
    if (l->in && ingest_free(l->in, l->err, sizeof l->err) < 0 && rc == 0)
        rc = cli_runtime_error("%s", l->err);
    l->in = NULL;
    free(l->agents);
    free(l->dups);
    free(l->sources);
    return rc;
}

struct hep_bg {
    struct listen l;
    struct hep_listener *hl;
    pthread_t th;
    atomic_bool failed;
    int64_t capture;
};

static void *bg_main(void *arg)
{
    struct hep_bg *b = arg;
    if (loop(&b->l, b->hl) < 0)
        atomic_store(&b->failed, true);
    return NULL;
}

int hep_bg_start(struct cli *c, const char *const *urls, int n, struct hep_bg **out)
{
    *out = NULL;
    struct hep_bg *b = calloc(1, sizeof *b);
    if (!b)
        abort();
    b->l.c = c;
    b->l.window_ns = (int64_t)DUP_WINDOW_MS * 1000000;
    for (int i = 0; i < n && i < HEP_LISTEN_MAX; i++)
        b->l.urls[b->l.nurls++] = urls[i];
    alloc_tables(&b->l);
    b->hl = hep_listener_new();
    int rc = open_all(&b->l, b->hl);
    if (rc == 0) {
        b->capture = ingest_capture_id(b->l.in);
        sigset_t all, old; /* the thread takes no signal: they stay with the UI thread */
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        if (pthread_create(&b->th, NULL, bg_main, b) != 0)
            rc = cli_runtime_error("listen: cannot start the collector thread");
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    }
    if (rc != 0) {
        finish(&b->l, b->hl, rc, false);
        free(b);
        return rc;
    }
    *out = b;
    return 0;
}

int64_t hep_bg_capture(const struct hep_bg *b)
{
    return b->capture;
}

void hep_bg_counts(struct hep_bg *b, uint64_t *packets, uint64_t *stored, uint64_t *agents,
                   bool *failed)
{
    *packets = atomic_load(&b->l.a_packets);
    *stored = atomic_load(&b->l.a_stored);
    *agents = atomic_load(&b->l.a_agents);
    *failed = atomic_load(&b->failed);
}

int hep_bg_stop(struct hep_bg *b)
{
    if (!b)
        return 0;
    atomic_store(&b->l.bg_stop, true);
    pthread_join(b->th, NULL);
    int rc = 0;
    if (atomic_load(&b->failed))
        rc = cli_runtime_error("%s", b->l.err);
    else if (ingest_commit(b->l.in, b->l.err, sizeof b->l.err) < 0)
        rc = cli_runtime_error("%s", b->l.err);
    rc = finish(&b->l, b->hl, rc, true);
    free(b);
    return rc;
}

int cmd_listen(struct cli *c)
{
    struct listen l = {.c = c, .window_ns = (int64_t)DUP_WINDOW_MS * 1000000};
    if (c->nfiles > 0)
        return cli_usage_error(c, "-r cannot be used with listen");
    int rc = parse_args(c, &l);
    if (rc != 0)
        return rc;
    alloc_tables(&l);
    struct hep_listener *hl = hep_listener_new();
    stop_signal_install(false, NULL);
    rc = open_all(&l, hl);
    if (rc == 0) {
        if (!c->quiet) {
            for (int i = 0; i < l.nurls; i++)
                printf("listening on %s\n", l.urls[i]);
            fflush(stdout);
        }
        if (loop(&l, hl) < 0)
            rc = cli_runtime_error("%s", l.err);
    }
    return finish(&l, hl, rc, rc == 0);
}
