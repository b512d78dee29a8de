/* tui.c: `sipscope [ui]`: the interactive ncurses UI: options, -r import in a thread, -i live
 * capture and -L HEP collector in the background, terminal set-up and restore (exit, Ctrl-C,
 * fatal signals), the main loop and the text helpers. */
#include "ui/tui.h"

#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>
#include <wctype.h>

#include "capture/hep_listen.h"
#include "capture/live.h"
#include "store/ingest.h"
#include "store/schema.sql.h"
#include "ui/cli_listen.h"
#include "ui/stop_signal.h"

/* Signal-handling state, the only mutable globals of the UI (ARCHITECTURE.md allows these):
 * the real stderr (stderr goes to a file while curses owns the terminal) and the handlers that
 * were installed before ours for the fatal signals. The stop request of SIGINT/SIGTERM/SIGHUP
 * is ui/stop_signal's. */
static volatile sig_atomic_t tui_saved_stderr = -1;
static struct sigaction tui_old_fatal[32];

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

/* Puts the terminal back (endwin is not async-signal-safe, but it is what every curses program
 * does on the way down: the alternative is a dead terminal) and the real stderr back. */
static void restore_terminal(void)
{
    if (!isendwin())
        endwin();
    if (tui_saved_stderr >= 0)
        dup2(tui_saved_stderr, STDERR_FILENO);
}

static void on_fatal(int sig)
{
    restore_terminal();
    if (sig > 0 && sig < 32)
        sigaction(sig, &tui_old_fatal[sig], NULL);
    raise(sig);
}

static void install_signals(void)
{
    stop_signal_install(true, restore_terminal); /* a second one: the terminal back, then exit */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_fatal;
    sa.sa_flags = SA_RESETHAND;
    for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
        sigaction(fatal_signals[i], &sa, &tui_old_fatal[fatal_signals[i]]);
}

static int on_progress(void *user)
{
    (void)user;
    return stop_signal_get() != 0; /* non-zero interrupts a long query on Ctrl-C */
}

double tui_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void tui_message(struct tui *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->status, sizeof t->status, fmt, ap);
    va_end(ap);
    t->status_until = tui_now() + 4.0;
}

void tui_clock(char *buf, size_t n, int64_t ns, int decimals)
{
    time_t s = (time_t)(ns / 1000000000);
    struct tm tm;
    localtime_r(&s, &tm);
    char hms[16];
    strftime(hms, sizeof hms, "%H:%M:%S", &tm);
    long frac = (long)(ns % 1000000000);
    if (decimals == 3)
        snprintf(buf, n, "%s.%03ld", hms, frac / 1000000);
    else if (decimals == 6)
        snprintf(buf, n, "%s.%06ld", hms, frac / 1000);
    else
        snprintf(buf, n, "%s", hms);
}

/* Colour pairs, or attributes that say the same without colour (NO_COLOR). */
static const struct {
    short fg, bg;
    int attr, mono;
} pairs[TP_N] = {
    [TP_HEADER] = {COLOR_BLACK, COLOR_CYAN, 0, TA_REVERSE},
    [TP_CURSOR] = {COLOR_BLACK, COLOR_WHITE, 0, TA_REVERSE},
    [TP_SELECTED] = {COLOR_MAGENTA, -1, TA_BOLD, TA_BOLD},
    [TP_REQ] = {-1, -1, 0, 0},
    [TP_1XX] = {COLOR_CYAN, -1, 0, 0},
    [TP_2XX] = {COLOR_GREEN, -1, TA_BOLD, 0},
    [TP_3XX] = {COLOR_BLUE, -1, TA_BOLD, 0},
    [TP_4XX] = {COLOR_YELLOW, -1, TA_BOLD, TA_BOLD},
    [TP_5XX] = {COLOR_RED, -1, TA_BOLD, TA_BOLD},
    [TP_6XX] = {COLOR_MAGENTA, -1, TA_BOLD, TA_BOLD},
    [TP_RTP] = {COLOR_GREEN, -1, 0, TA_DIM},
    [TP_DIM] = {-1, -1, TA_DIM, TA_DIM},
    [TP_KEY] = {COLOR_BLACK, COLOR_CYAN, 0, TA_REVERSE},
    [TP_DEL] = {COLOR_RED, -1, TA_BOLD, TA_BOLD},
    [TP_ADD] = {COLOR_GREEN, -1, TA_BOLD, TA_UNDERLINE},
    [TP_TITLE] = {-1, -1, TA_BOLD, TA_BOLD},
};

int tui_attr(const struct tui *t, enum tui_pair p)
{
    if ((unsigned)p >= TP_N || p == TP_NONE)
        return TA_NORMAL;
    if (!t->color)
        return pairs[p].mono;
    return COLOR_PAIR(p) | pairs[p].attr;
}

enum tui_pair tui_code_pair(int status)
{
    if (status < 100 || status > 699)
        return TP_REQ;
    return (enum tui_pair)(TP_1XX + status / 100 - 1);
}

static void colors_init(struct tui *t)
{
    const char *nc = getenv("NO_COLOR");
    t->color = has_colors() && !(nc && nc[0]);
    if (!t->color)
        return;
    start_color();
    use_default_colors();
    for (int i = 1; i < TP_N; i++)
        init_pair((short)i, pairs[i].fg, pairs[i].bg);
}

/* Bidirectional controls rearrange what follows them on some terminals: shown as '?'. */
static bool is_bidi(wchar_t wc)
{
    return (wc >= 0x200B && wc <= 0x200F) || (wc >= 0x202A && wc <= 0x202E) ||
           (wc >= 0x2066 && wc <= 0x2069);
}

/* The next character of s (len bytes) as one printable wide char and its width; *k bytes. */
static wchar_t next_char(const struct tui *t, const char *s, size_t len, mbstate_t *st, size_t *k,
                         int *w)
{
    wchar_t wc = L'?';
    *k = 1;
    if (t->utf8) {
        size_t r = mbrtowc(&wc, s, len, st);
        if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
            memset(st, 0, sizeof *st);
            wc = L'?';
        } else {
            *k = r;
        }
        if (!iswprint((wint_t)wc) || is_bidi(wc))
            wc = L'?';
    } else {
        unsigned char c = (unsigned char)*s;
        wc = (c >= 0x20 && c < 0x7F) ? (wchar_t)c : L'?';
    }
    *w = wcwidth(wc);
    if (*w < 1) { /* combining marks and the like: dropped rather than guessed */
        *w = 0;
    }
    return wc;
}

int tui_put(const struct tui *t, int y, int x, int width, const char *s, int attr, bool pad)
{
    if (width <= 0 || y < 0 || y >= LINES || x >= COLS)
        return 0;
    if (x + width > COLS)
        width = COLS - x;
    attron(attr);
    move(y, x);
    int used = 0;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t len = s ? strlen(s) : 0;
    while (len > 0 && used < width) {
        size_t k;
        int w;
        wchar_t wc = next_char(t, s, len, &st, &k, &w);
        s += k;
        len -= k;
        if (w == 0)
            continue;
        if (used + w > width)
            break;
        addnwstr(&wc, 1);
        used += w;
    }
    for (; pad && used < width; used++)
        addch(' ');
    attroff(attr);
    return used;
}

char *tui_printable(const char *s, size_t n)
{
    char *out = malloc(n * 4 + 1);
    if (!out)
        abort();
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\t') {
            memcpy(out + k, "    ", 4);
            k += 4;
        } else {
            out[k++] = (c < 0x20 || c == 0x7F) ? '?' : (char)c;
        }
    }
    out[k] = '\0';
    return out;
}

void tui_box(const struct tui *t, int y, int x, int h, int w, const char *title)
{
    for (int i = 0; i < h; i++)
        mvhline(y + i, x, ' ', w);
    mvaddch(y, x, ACS_ULCORNER);
    mvhline(y, x + 1, ACS_HLINE, w - 2);
    mvaddch(y, x + w - 1, ACS_URCORNER);
    mvvline(y + 1, x, ACS_VLINE, h - 2);
    mvvline(y + 1, x + w - 1, ACS_VLINE, h - 2);
    mvaddch(y + h - 1, x, ACS_LLCORNER);
    mvhline(y + h - 1, x + 1, ACS_HLINE, w - 2);
    mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
    if (title)
        tui_put(t, y, x + 2, w - 4, title, tui_attr(t, TP_TITLE), false);
}

static void *import_main(void *arg)
{
    struct tui *t = arg;
    t->imp.rc = cli_import_files(t->cli, t->cli->files, t->cli->nfiles, false);
    atomic_store(&t->imp.done, true);
    return NULL;
}

/* The import thread ended: the list now shows exactly the imported captures. */
static void import_finished(struct tui *t)
{
    pthread_join(t->imp.th, NULL);
    t->imp.running = false;
    t->list.f.captures = t->cli->captures;
    t->list.f.ncaptures = t->cli->ncaptures;
    t->list.f.capture_names = NULL;
    t->list.f.nnames = 0;
    tui_list_apply(t);
    if (t->imp.rc != 0)
        tui_message(t, "import of %s failed: see the message after quitting",
                    t->cli->nfiles == 1 ? t->cli->files[0] : "the files");
    else
        tui_message(t, "imported %d file%s in %.1f s", t->cli->nfiles,
                    t->cli->nfiles == 1 ? "" : "s", tui_now() - t->imp.t0);
}

static void draw(struct tui *t)
{
    erase();
    if (LINES < 5 || COLS < 20) {
        tui_put(t, 0, 0, COLS, "terminal too small", TA_BOLD, false);
        refresh();
        return;
    }
    if (t->screen == TUI_LIST)
        tui_list_draw(t);
    else if (t->screen == TUI_LADDER)
        tui_ladder_draw(t);
    else
        tui_text_draw(t);
    if (t->screen == TUI_LIST)
        tui_list_header(t);
    if (t->dialog == TUI_DLG_HELP)
        tui_help_draw(t);
    else if (t->dialog == TUI_DLG_FILTER)
        tui_filter_draw(t);
    else if (t->dialog == TUI_DLG_COLUMNS)
        tui_columns_draw(t);
    else if (t->dialog == TUI_DLG_CODE)
        tui_code_draw(t);
    if (t->saving || (t->screen == TUI_LIST && t->list.searching)) {
        if (t->saving)
            tui_save_draw(t);
        else
            tui_search_draw(t);
        refresh();
        return;
    }
    if (t->status[0] && tui_now() < t->status_until)
        tui_put(t, LINES - 1, 0, COLS, t->status, tui_attr(t, TP_KEY), true);
    else if (t->imp.running)
        tui_list_progress(t);
    else
        tui_keybar(t);
    refresh();
}

static void dispatch(struct tui *t, int ch)
{
    if (t->dialog == TUI_DLG_HELP || t->dialog == TUI_DLG_CODE)
        return tui_help_key(t, ch);
    if (t->dialog == TUI_DLG_FILTER)
        return tui_filter_key(t, ch);
    if (t->dialog == TUI_DLG_COLUMNS)
        return tui_columns_key(t, ch);
    if (t->saving)
        return tui_save_key(t, ch);
    if (t->screen == TUI_LIST && t->list.searching)
        return tui_search_key(t, ch);
    if (ch == KEY_F(1) || ch == '?' || (ch == 'h' && t->screen != TUI_LADDER)) {
        t->dialog = TUI_DLG_HELP;
        t->help_top = 0;
        return;
    }
    if (t->screen == TUI_LIST)
        tui_list_key(t, ch);
    else if (t->screen == TUI_LADDER)
        tui_ladder_key(t, ch);
    else
        tui_text_key(t, ch);
}

static void loop(struct tui *t)
{
    double last_refresh = 0;
    while (!t->quit && !stop_signal_get()) {
        draw(t);
        int ch = getch();
        if (ch == KEY_RESIZE)
            t->list.nwin = 0; /* the page size changed: refill */
        else if (ch != ERR)
            dispatch(t, ch);
        if (t->imp.running && atomic_load(&t->imp.done))
            import_finished(t);
        double now = tui_now();
        if (now - last_refresh >= 0.1) { /* at most ~10 refreshes a second */
            last_refresh = now;
            tui_list_refresh(t, false);
        }
    }
}

#define LIVE_TICK_NS         250000000 /* commit and write changed calls (the UI reads them) */
#define LIVE_CALL_TIMEOUT_MS (3600 * 1000)
#define LIVE_LINGER_MS       1000

static int64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Starts fn on a thread that takes no signal (SIGINT, SIGWINCH... stay with the UI thread). */
static int start_thread(pthread_t *th, void *(*fn)(void *), void *arg)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(th, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

/* Takes up to a batch of frames from the ring into the store; returns what cap_live_next said
 * last (-1: the capture thread ended and the ring is empty). *got counts the frames. */
static int live_batch(struct tui_live *lv, int *got)
{
    struct frame f;
    int rc = 0;
    *got = 0;
    while (*got < 1024 && (rc = cap_live_next(lv->cap, &f)) == 1) {
        if (atomic_load(&lv->paused))
            atomic_fetch_add(&lv->skipped, 1);
        else
            ingest_frame(lv->in, &f);
        atomic_fetch_add(&lv->frames, 1);
        cap_live_release(lv->cap);
        (*got)++;
    }
    return rc;
}

/* T2: frames into the store, a commit every 250 ms, until the capture thread has ended. */
static void *live_main(void *arg)
{
    struct tui_live *lv = arg;
    int64_t next = clock_ns(CLOCK_MONOTONIC) + LIVE_TICK_NS;
    bool stopping = false;
    for (;;) {
        int got;
        if (live_batch(lv, &got) < 0)
            break;
        if (!stopping && (atomic_load(&lv->stop) || atomic_load(&lv->failed))) {
            cap_live_stop(lv->cap);
            stopping = true;
        }
        int64_t now = clock_ns(CLOCK_MONOTONIC);
        if (now >= next && !atomic_load(&lv->failed)) {
            ingest_tick(lv->in, clock_ns(CLOCK_REALTIME));
            if (ingest_commit(lv->in, lv->err, sizeof lv->err) < 0)
                atomic_store(&lv->failed, true);
            next = now + LIVE_TICK_NS;
        }
        if (got == 0) {
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
        }
    }
    ingest_tick(lv->in, clock_ns(CLOCK_REALTIME));
    return NULL;
}

/* Opens the device (first, while privileged), the filter, the store; starts both threads. */
static int live_open(struct tui *t, const char *iface, const char *filter)
{
    struct tui_live *lv = &t->live;
    struct cap_live_opts o = {.device = iface};
    char warn[512];
    lv->iface = iface;
    lv->cap = cap_live_open(&o, warn, sizeof warn, lv->err, sizeof lv->err);
    if (!lv->cap)
        return cli_runtime_error("%s", lv->err);
    if (cap_live_set_filter(lv->cap, filter, lv->err, sizeof lv->err) < 0)
        return cli_usage_error(t->cli, "bad filter '%s': %s", filter ? filter : "", lv->err);
    int rc = cli_open_db(t->cli);
    if (rc != 0)
        return rc;
    lv->in = ingest_new(t->cli->db, lv->err, sizeof lv->err);
    char name[300];
    snprintf(name, sizeof name, "live:%s", iface);
    if (!lv->in ||
        (t->cli->rtp_heuristic && ingest_rtp_heuristic(lv->in, lv->err, sizeof lv->err) < 0) ||
        ingest_capture_begin(lv->in, name, NULL, cap_live_linktype(lv->cap), lv->err,
                             sizeof lv->err) < 0 ||
        ingest_commit(lv->in, lv->err, sizeof lv->err) < 0)
        return cli_runtime_error("%s", lv->err);
    struct ingest_live il = {LIVE_CALL_TIMEOUT_MS, LIVE_LINGER_MS, NULL, NULL};
    ingest_set_live(lv->in, &il);
    lv->capture = ingest_capture_id(lv->in);
    if (cap_live_start(lv->cap, lv->err, sizeof lv->err) < 0)
        return cli_runtime_error("%s", lv->err);
    if (start_thread(&lv->th, live_main, lv) != 0)
        return cli_runtime_error("%s: cannot start the store thread", iface);
    lv->running = true;
    return 0;
}

/* Stops the capture, stores what it still held, closes the capture row; prints the figures. */
static int live_close(struct tui *t)
{
    struct tui_live *lv = &t->live;
    int rc = 0;
    if (lv->running) {
        atomic_store(&lv->stop, true);
        pthread_join(lv->th, NULL);
        lv->running = false;
        struct cap_live_stats st = {0};
        char cerr[512];
        bool cap_failed = cap_live_join(lv->cap, &st, cerr, sizeof cerr) < 0;
        if (ingest_capture_end(lv->in, cap_failed ? 2 : 1, NULL, 0, lv->err, sizeof lv->err) < 0 ||
            atomic_load(&lv->failed))
            rc = cli_runtime_error("%s", lv->err);
        if (cap_failed)
            rc = cli_runtime_error("%s", cerr);
        if (!t->cli->quiet)
            printf("captured on %s: %llu packets received, %llu dropped by sipscope (ring full), "
                   "%llu dropped by the kernel, %llu dropped by the interface\n",
                   lv->iface, (unsigned long long)st.received, (unsigned long long)st.ring_drops,
                   (unsigned long long)st.kernel_drops, (unsigned long long)st.if_drops);
    }
    cap_live_close(lv->cap);
    lv->cap = NULL;
    char err[512];
    if (lv->in && ingest_free(lv->in, err, sizeof err) < 0 && rc == 0)
        rc = cli_runtime_error("%s", err);
    lv->in = NULL;
    return rc;
}

/* stderr goes to a temporary file while curses owns the terminal (so a library message cannot
 * scribble on the screen); finish_stderr() puts it back and replays what was written. */
static FILE *capture_stderr(void)
{
    FILE *f = tmpfile();
    int saved = dup(STDERR_FILENO);
    if (!f || saved < 0) {
        if (f)
            fclose(f);
        if (saved >= 0)
            close(saved);
        return NULL;
    }
    fflush(stderr);
    tui_saved_stderr = saved;
    dup2(fileno(f), STDERR_FILENO);
    return f;
}

static void finish_stderr(FILE *f)
{
    if (!f)
        return;
    fflush(stderr);
    dup2(tui_saved_stderr, STDERR_FILENO);
    close(tui_saved_stderr);
    tui_saved_stderr = -1;
    rewind(f);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, stderr);
    fclose(f);
}

static void curses_start(struct tui *t)
{
    const char *cs = setlocale(LC_CTYPE, "");
    t->utf8 = cs && MB_CUR_MAX > 1;
    initscr();
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    timeout(100);
    colors_init(t);
}

static void at_exit_restore(void)
{
    restore_terminal();
}

/* -L PROTO:ADDR:PORT (repeatable): a HEP listener; *nhep counts them. */
static int hep_arg(struct cli *c, int *i, const char **hep, int *nhep)
{
    const char *v = NULL;
    int r = cli_opt(c, c->argc, c->argv, i, "-L", true, &v);
    if (r <= 0)
        return r;
    if (*nhep >= HEP_LISTEN_MAX) {
        cli_usage_error(c, "too many -L listeners (max %d)", HEP_LISTEN_MAX);
        return -1;
    }
    hep[(*nhep)++] = v;
    return 1;
}

/* [-i IFACE] [-L PROTO:ADDR:PORT]... [FILTER words]: the words are joined into one BPF
 * expression. */
static int parse_args(struct cli *c, const char **iface, char *filter, size_t n, const char **hep,
                      int *nhep)
{
    filter[0] = '\0';
    for (int i = 0; i < c->argc; i++) {
        const char *v = NULL;
        int r = cli_opt(c, c->argc, c->argv, &i, "-i", true, &v);
        if (r < 0)
            return EXIT_USAGE;
        if (r > 0) {
            *iface = v;
            continue;
        }
        if ((r = hep_arg(c, &i, hep, nhep)) != 0) {
            if (r < 0)
                return EXIT_USAGE;
            continue;
        }
        if (c->argv[i][0] == '-' && strcmp(c->argv[i], "--") != 0)
            return cli_usage_error(c, "unknown option %s", c->argv[i]);
        size_t len = strlen(filter);
        if (strcmp(c->argv[i], "--") != 0 &&
            (size_t)snprintf(filter + len, n - len, "%s%s", len ? " " : "", c->argv[i]) >= n - len)
            return cli_usage_error(c, "filter too long");
    }
    if (filter[0] && !*iface)
        return cli_usage_error(c, "a capture FILTER is only for live capture (-i IFACE)");
    if (*iface && c->nfiles)
        return cli_usage_error(c, "-r and -i cannot be used together");
    if (*nhep && (*iface || c->nfiles))
        return cli_usage_error(c, "-L cannot be used with -r or -i");
    return 0;
}

/* Opens the UI's read-only connection (or shares the writer's for ":memory:"). */
static int open_reader(struct tui *t)
{
    struct cli *c = t->cli;
    if (strcmp(c->db->path, ":memory:") == 0) {
        t->db = c->db;
        return 0;
    }
    char err[1024];
    t->db = db_open(c->db->path, true, err, sizeof err);
    if (!t->db)
        return cli_runtime_error("%s", err);
    t->own_db = true;
    return 0;
}

static void set_source(struct tui *t)
{
    struct cli *c = t->cli;
    const char *base = c->nfiles ? strrchr(c->files[0], '/') : NULL;
    base = base ? base + 1 : (c->nfiles ? c->files[0] : "");
    if (c->nfiles == 1)
        snprintf(t->source, sizeof t->source, "%s", base);
    else if (c->nfiles > 1)
        snprintf(t->source, sizeof t->source, "%s +%d files", base, c->nfiles - 1);
    else if (t->live.iface)
        snprintf(t->source, sizeof t->source, "live %s", t->live.iface);
    else if (t->hep)
        return; /* hep_open() wrote the listeners */
    else
        snprintf(t->source, sizeof t->source, "history %s", c->db->path);
}

/* Before the UI: the database, and for ":memory:" the import (nothing else can read it). */
static int prepare(struct tui *t)
{
    struct cli *c = t->cli;
    int rc = cli_open_db(c);
    if (rc != 0)
        return rc;
    bool mem = strcmp(c->db->path, ":memory:") == 0;
    char err[512]; /* the list's Agent column reads hep_messages: made here when missing */
    if (db_exec(c->db, SCHEMA_HEP, err, sizeof err) < 0)
        return cli_runtime_error("%s", err);
    if (c->nfiles && mem) {
        rc = cli_import_files(c, c->files, c->nfiles, false);
        if (rc != 0)
            return rc;
    }
    rc = open_reader(t);
    if (rc != 0)
        return rc;
    sqlite3_progress_handler(t->db->h, 20000, on_progress, NULL);
    set_source(t);
    tui_list_init(t);
    if (t->live.iface) {
        t->list.f.captures = &t->live.capture;
        t->list.f.ncaptures = 1;
    } else if (t->hep) {
        t->list.f.captures = &t->hep_capture;
        t->list.f.ncaptures = 1;
        t->list.show[TQ_COL_AGENT] = true; /* on a collector the agents matter */
    } else if (c->nfiles && !mem) {
        t->list.f.capture_names = c->files;
        t->list.f.nnames = (size_t)c->nfiles;
    } else {
        t->list.f.captures = c->captures;
        t->list.f.ncaptures = c->ncaptures;
    }
    return tui_list_apply(t) < 0 ? EXIT_RUNTIME : 0;
}

static void start_import(struct tui *t)
{
    struct cli *c = t->cli;
    if (!c->nfiles || strcmp(c->db->path, ":memory:") == 0)
        return;
    c->quiet = true;
    t->imp.t0 = tui_now();
    atomic_store(&t->imp.done, false);
    if (start_thread(&t->imp.th, import_main, t) == 0)
        t->imp.running = true;
}

static void cleanup(struct tui *t)
{
    tui_ladder_free(t);
    tui_text_free(t);
    tui_list_free(t);
    if (t->own_db)
        db_close(t->db);
    free(t);
}

/* -L: the collector thread (its own writer on c's database) and the header's source. */
static int hep_open(struct tui *t, const char *const *urls, int n)
{
    int rc = hep_bg_start(t->cli, urls, n, &t->hep);
    if (rc != 0)
        return rc;
    t->hep_capture = hep_bg_capture(t->hep);
    size_t len = (size_t)snprintf(t->source, sizeof t->source, "hep");
    for (int i = 0; i < n && len < sizeof t->source; i++)
        len += (size_t)snprintf(t->source + len, sizeof t->source - len, "%s%s", i ? "," : " ",
                                urls[i]);
    return 0;
}

int cmd_ui(struct cli *c)
{
    const char *iface = NULL, *hep[HEP_LISTEN_MAX];
    int nhep = 0;
    char filter[1024];
    int rc = parse_args(c, &iface, filter, sizeof filter, hep, &nhep);
    if (rc != 0)
        return rc;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        return cli_runtime_error("the interactive UI needs a terminal (for scripts: sipscope "
                                 "calls, sipscope ladder)");
    struct tui *t = calloc(1, sizeof *t);
    if (!t)
        abort();
    t->cli = c;
    rc = iface ? live_open(t, iface, filter[0] ? filter : NULL) : 0;
    if (rc == 0 && nhep)
        rc = hep_open(t, hep, nhep);
    if (rc == 0)
        rc = prepare(t);
    if (rc != 0) {
        live_close(t);
        hep_bg_stop(t->hep);
        cleanup(t);
        return rc;
    }
    install_signals();
    atexit(at_exit_restore);
    FILE *errf = capture_stderr();
    curses_start(t);
    start_import(t);
    loop(t);
    restore_terminal();
    finish_stderr(errf);
    if (t->imp.running) { /* the import is cut short: its capture is redone next time */
        fprintf(stderr, "sipscope: import interrupted; it is completed the next time\n");
        fflush(NULL);
        _exit(stop_signal_get() ? 128 + stop_signal_get() : EXIT_RUNTIME);
    }
    int live_rc = live_close(t);
    int hep_rc = hep_bg_stop(t->hep);
    t->hep = NULL;
    rc = t->imp.rc ? t->imp.rc : (live_rc ? live_rc : hep_rc);
    if (stop_signal_get())
        rc = 128 + stop_signal_get();
    cleanup(t);
    return rc;
}
