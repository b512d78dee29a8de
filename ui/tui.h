/* tui.h: internal interface of the interactive ncurses UI (ui/tui*.c): the context every screen
 * shares, the screens' entry points, and the drawing helpers that escape wire text. */
#ifndef SS_TUI_H
#define SS_TUI_H

/* wcwidth() and the wide-character curses calls are X/Open: this header comes first. */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include <curses.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/tui_query.h"
#include "ui/cli.h"
#include "ui/ladder.h"

#define TUI_MAX_CALLS 256

/* curses attributes as int (they are unsigned chtype bits; these fit an int). */
enum {
    TA_NORMAL = (int)A_NORMAL,
    TA_BOLD = (int)A_BOLD,
    TA_REVERSE = (int)A_REVERSE,
    TA_DIM = (int)A_DIM,
    TA_UNDERLINE = (int)A_UNDERLINE
}; /* calls drawn together in one ladder */

enum tui_screen { TUI_LIST, TUI_LADDER, TUI_RAW, TUI_DIFF };
enum tui_dialog { TUI_DLG_NONE, TUI_DLG_HELP, TUI_DLG_FILTER, TUI_DLG_COLUMNS, TUI_DLG_CODE };

/* Colour pairs (attributes instead when NO_COLOR is set). */
enum tui_pair {
    TP_NONE,
    TP_HEADER,
    TP_CURSOR,
    TP_SELECTED,
    TP_REQ,
    TP_1XX,
    TP_2XX,
    TP_3XX,
    TP_4XX,
    TP_5XX,
    TP_6XX,
    TP_RTP,
    TP_DIM,
    TP_KEY,
    TP_DEL,
    TP_ADD,
    TP_TITLE,
    TP_N
};

struct tui_list {
    struct tq *q, *qall; /* the filtered list; the unfiltered count (same captures) */
    struct tq_filter f;
    char payload[TQ_TEXT]; /* the filter's PCRE2 pattern ("" = none) */
    enum tq_col sort;
    bool desc;
    enum tq_col order[TQ_NCOLS]; /* column order on screen */
    bool show[TQ_NCOLS];
    struct tq_row *win; /* cache: rows at positions base .. base+nwin */
    size_t nwin, capwin;
    int64_t base, total, all, cursor, top;
    int64_t *sel; /* selected call ids */
    size_t nsel, capsel;
    bool searching;
    char search_save[TQ_TEXT];
    int64_t version;  /* PRAGMA data_version seen last */
    double reload_at; /* a materialized order is rebuilt no sooner than this */
    double sort_at;   /* a changed sort is applied at this time (0 = none pending) */
};

/* One RTP stream of the ladder (store/media_store.h), with owned strings. */
struct tui_rtp {
    char src[64], dst[64], label[LADDER_LABEL];
};

struct tui_ladder {
    int64_t calls[TUI_MAX_CALLS];
    size_t ncalls;
    struct tq_msgs msgs;
    struct ladder_msg *lm;
    struct tui_rtp *rtp;      /* the calls' RTP streams (owned), drawn as rows */
    struct ladder_stream *ls; /* their ladder view (owned, points into rtp) */
    size_t nrtp;
    struct ladder_layout lay;
    bool have_layout;
    size_t cur, top, hoff; /* selected row, first row shown, first host column shown */
    bool by_addr, pane;
    long mark[2]; /* messages marked for a diff (-1 = none) */

    struct export_finding *finds; /* the calls' diagnostics findings (owned, may be NULL) */
    size_t nfinds;
};

struct tui_textline {
    char *s;
    int pair;
};

/* A scrolling text screen: the raw view, or the two sides of a diff. */
struct tui_text {
    struct tui_textline *l, *r; /* r only for a diff */
    size_t n, cap, top;
    char title[160];
    enum tui_screen back; /* where Esc returns */
};

struct tui_filter_dlg {
    char field[5][TQ_TEXT]; /* from, to, source, destination, payload */
    unsigned methods, statuses;
    int focus;
};

struct tui_import {
    pthread_t th;
    bool running;
    atomic_bool done;
    int rc;
    double t0;
};

struct cap_live;
struct ingest;

/* -i IFACE: the capture thread (capture/live.h) and our store thread T2 (frames -> ingest). */
struct tui_live {
    struct cap_live *cap;
    struct ingest *in;
    const char *iface;
    pthread_t th;
    bool running;
    atomic_bool stop, paused, failed;
    atomic_uint_fast64_t frames, skipped; /* stored, and dropped while paused */
    int64_t capture;                      /* captures.id of this live capture */
    char err[512];
};

struct tui {
    struct cli *cli;
    struct db *db; /* the UI's own read-only connection (cli->db for ":memory:") */
    bool own_db, color, utf8, quit;
    enum tui_screen screen;
    enum tui_dialog dialog;
    char status[200];
    double status_until;
    char source[160];
    struct tui_import imp;
    struct tui_live live;
    struct hep_bg *hep;  /* -L: the HEP collector thread (ui/cli_listen.h), or NULL */
    int64_t hep_capture; /* its captures.id */
    struct tui_list list;
    struct tui_ladder lad;
    struct tui_text text;
    struct tui_filter_dlg fd;
    int col_focus, help_top;
    bool saving; /* the save prompt is open */
    char save_path[256];
};

/* The `ui` command (also declared in ui/cli.h for main.c). */
int cmd_ui(struct cli *c);

/* tui.c: helpers shared by the screens. */
int tui_attr(const struct tui *t, enum tui_pair p);
/* The colour pair of a response code (TP_REQ for 0). */
enum tui_pair tui_code_pair(int status);
/* Writes s at (y, x) in at most width terminal columns (padded with spaces when pad), escaping
 * what is not printable (control bytes, escape sequences, invalid UTF-8 become '?').
 * Returns the columns written. */
int tui_put(const struct tui *t, int y, int x, int width, const char *s, int attr, bool pad);
/* Makes a printable copy of n bytes of wire text (tabs expanded, controls -> '?'). Owned. */
char *tui_printable(const char *s, size_t n);
void tui_message(struct tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
double tui_now(void);
/* Draws a bordered box and returns its origin; fills the inside with spaces. */
void tui_box(const struct tui *t, int y, int x, int h, int w, const char *title);
/* Formats ns as local "HH:MM:SS.mmm". */
void tui_clock(char *buf, size_t n, int64_t ns, int decimals);

/* tui_list.c */
void tui_list_init(struct tui *t);
void tui_list_free(struct tui *t);
int tui_list_apply(struct tui *t); /* re-prepares after a filter or sort change */
void tui_list_refresh(struct tui *t, bool force);
void tui_list_draw(struct tui *t);
/* The header line (source, counts, filter, drops) and the import progress footer. */
void tui_list_header(struct tui *t);
void tui_list_progress(struct tui *t);
void tui_list_key(struct tui *t, int ch);
/* The calls the ladder/raw view work on: the selection, else the call under the cursor. */
size_t tui_list_targets(struct tui *t, int64_t *ids, size_t max);

/* tui_ladder.c */
int tui_ladder_open(struct tui *t, const int64_t *calls, size_t n);
void tui_ladder_free(struct tui *t);
void tui_ladder_draw(struct tui *t);
void tui_ladder_key(struct tui *t, int ch);
/* The response code of the selected arrow, 0 when it is a request. */
int tui_ladder_code(const struct tui *t);

/* tui_raw.c */
int tui_raw_open(struct tui *t, const struct tq_msg *const *msgs, size_t n);
int tui_diff_open(struct tui *t, const struct tq_msg *a, const struct tq_msg *b);
/* The statistics screen (store/stats.h) over the captures (n = 0: the whole history). */
int tui_stats_open(struct tui *t, const int64_t *captures, size_t n);
void tui_text_free(struct tui *t);
void tui_text_draw(struct tui *t);
void tui_text_key(struct tui *t, int ch);
/* Raw bytes of one message read from the spool: NUL-terminated, owned, NULL on error. */
char *tui_raw_read(struct tui *t, const struct tq_msg *m, size_t *len);
/* "HEPvN agent NAME (id N) from PEER" of a message a HEP collector stored; 0 when none. */
int tui_raw_agent(struct db *db, int64_t msg_id, char *buf, size_t n);

/* tui_filter.c */
void tui_filter_open(struct tui *t);
void tui_filter_draw(struct tui *t);
void tui_filter_key(struct tui *t, int ch);
void tui_columns_draw(struct tui *t);
void tui_columns_key(struct tui *t, int ch);
void tui_search_key(struct tui *t, int ch);
void tui_search_draw(struct tui *t);
void tui_save_open(struct tui *t);
void tui_save_draw(struct tui *t);
void tui_save_key(struct tui *t, int ch);

/* tui_help.c */
void tui_help_draw(struct tui *t);
void tui_help_key(struct tui *t, int ch);
void tui_code_draw(struct tui *t);
/* The footer key bar of the current screen. */
void tui_keybar(struct tui *t);

#endif
