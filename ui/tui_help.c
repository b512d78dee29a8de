/* tui_help.c: the help of each screen (F1, ?, h: only keys that work there), the footer key bar,
 * and the response-code explanation (dissect/sip_codes.h, the table `stats` and the docs use). */
#include "ui/tui.h"

#include <stdio.h>
#include <string.h>

#include "dissect/sip_codes.h"

struct key_help {
    const char *keys, *what;
};

static const struct key_help list_keys[] = {
    {"Up Down k j", "move"},
    {"PgUp PgDn ^B ^F", "page up / down"},
    {"Home End g G", "first / last call"},
    {"Enter", "call flow of the selected calls (else of this one)"},
    {"Space", "select / unselect this call"},
    {"A", "clear the selection"},
    {"F3 /", "search as you type (any text column)"},
    {"F4 x", "call flow with the related legs"},
    {"F5", "clear the list (the history is kept)"},
    {"F6 R", "raw messages of the selected calls"},
    {"F7 f", "filter: From, To, source, destination, payload, methods, status"},
    {"F10 c", "choose and order columns"},
    {"< >", "sort by the previous / next column"},
    {"z", "reverse the sort order"},
    {"F2 s", "save the selected calls: .pcap .txt .html .svg .mmd .puml"},
    {"F9 S", "statistics (the figures of sipscope stats)"},
    {"p", "pause live capture (live mode only)"},
    {"F1 ? h", "this help"},
    {"q Esc", "quit"},
};

static const struct key_help ladder_keys[] = {
    {"Up Down k j", "select the previous / next message"},
    {"PgUp PgDn", "page up / down"},
    {"Home End g G", "first / last message"},
    {"Left Right h l", "scroll the hosts"},
    {"Enter", "raw text of this message"},
    {"F6 R", "raw text of every message"},
    {"Space", "mark a message; a second mark shows the diff"},
    {"i", "what this response code means and what to do"},
    {"e", "the diagnostics findings at this message (rows marked !)"},
    {"t", "show / hide the raw side pane"},
    {"a", "one column per address instead of address:port"},
    {"F4 x", "add the related legs"},
    {"F2 s", "save this ladder: .pcap .txt .html .svg .mmd .puml"},
    {"F1 ?", "this help"},
    {"q Esc", "back to the call list"},
};

static const struct key_help text_keys[] = {
    {"Up Down k j", "scroll"},
    {"PgUp PgDn Space", "page up / down"},
    {"Home End g G", "top / bottom"},
    {"F1 ? h", "this help"},
    {"q Esc", "back"},
};

static const struct key_help *keys_of(const struct tui *t, size_t *n)
{
    if (t->screen == TUI_LIST) {
        *n = sizeof list_keys / sizeof list_keys[0];
        return list_keys;
    }
    if (t->screen == TUI_LADDER) {
        *n = sizeof ladder_keys / sizeof ladder_keys[0];
        return ladder_keys;
    }
    *n = sizeof text_keys / sizeof text_keys[0];
    return text_keys;
}

/* Writes text word-wrapped into [x, x+w) from line *y up to line ymax (exclusive). */
static void wrap(struct tui *t, int *y, int ymax, int x, int w, const char *text, int attr)
{
    const char *p = text;
    while (*p && *y < ymax) {
        size_t len = strlen(p), cut = len;
        if ((int)len > w) {
            cut = (size_t)w;
            while (cut > 0 && p[cut] != ' ')
                cut--;
            if (cut == 0)
                cut = (size_t)w;
        }
        char line[256];
        snprintf(line, sizeof line, "%.*s", (int)(cut < 255 ? cut : 255), p);
        tui_put(t, (*y)++, x, w, line, attr, false);
        p += cut;
        while (*p == ' ')
            p++;
    }
}

/* The explanation of code (on the wire with reason) from line *y. */
static void code_info(struct tui *t, int *y, int ymax, int x, int w, int code, const char *reason)
{
    bool exact = false;
    const struct sip_code_info *ci = sip_code_describe((unsigned)code, &exact);
    char buf[256];
    if (!ci) {
        snprintf(buf, sizeof buf, "%d is not a valid SIP response code", code);
        wrap(t, y, ymax, x, w, buf, TA_BOLD);
        return;
    }
    snprintf(buf, sizeof buf, "%d %s", code, exact ? ci->reason : "(unregistered code)");
    wrap(t, y, ymax, x, w, buf, tui_attr(t, tui_code_pair(code)) | TA_BOLD);
    snprintf(buf, sizeof buf, "Class: %s %s    Defined in: %s", sip_code_class((unsigned)code),
             sip_code_class_name((unsigned)code), ci->rfc);
    wrap(t, y, ymax, x, w, buf, TA_NORMAL);
    if (!exact) {
        snprintf(buf, sizeof buf, "Handled as %u %s (RFC 3261 section 8.1.3.2)", ci->code,
                 ci->reason);
        wrap(t, y, ymax, x, w, buf, TA_NORMAL);
    }
    if (reason && reason[0] && strcmp(reason, ci->reason) != 0) {
        snprintf(buf, sizeof buf, "Reason phrase on the wire: %.120s", reason);
        wrap(t, y, ymax, x, w, buf, tui_attr(t, TP_DIM));
    }
    (*y)++;
    wrap(t, y, ymax, x, w, "Meaning:", TA_BOLD);
    wrap(t, y, ymax, x + 2, w - 2, ci->meaning, TA_NORMAL);
    wrap(t, y, ymax, x, w, "What to do:", TA_BOLD);
    wrap(t, y, ymax, x + 2, w - 2, ci->action, TA_NORMAL);
}

/* The wire reason phrase of the selected ladder arrow, or NULL. */
static const char *selected_reason(const struct tui *t)
{
    const struct tui_ladder *d = &t->lad;
    if (!d->have_layout || d->cur >= d->lay.nrows || !d->lay.rows[d->cur].msg)
        return NULL;
    return d->lay.rows[d->cur].msg->reason;
}

void tui_help_draw(struct tui *t)
{
    int w = COLS - 4 < 76 ? COLS - 4 : 76, h = LINES - 2;
    int y0 = 1, x = (COLS - w) / 2, y = y0 + 1, ymax = y0 + h - 1;
    tui_box(t, y0, x, h, w, " Help (Esc closes) ");
    int code = t->screen == TUI_LADDER ? tui_ladder_code(t) : 0;
    if (code) {
        code_info(t, &y, ymax, x + 2, w - 4, code, selected_reason(t));
        y++;
    }
    size_t n;
    const struct key_help *k = keys_of(t, &n);
    size_t first = (size_t)t->help_top < n ? (size_t)t->help_top : 0;
    for (size_t i = first; i < n && y < ymax; i++, y++) {
        tui_put(t, y, x + 2, 18, k[i].keys, tui_attr(t, TP_TITLE), false);
        tui_put(t, y, x + 21, w - 23, k[i].what, TA_NORMAL, false);
    }
}

void tui_code_draw(struct tui *t)
{
    int w = COLS - 4 < 72 ? COLS - 4 : 72, h = LINES - 4 < 16 ? LINES - 4 : 16;
    int y0 = (LINES - h) / 2, x = (COLS - w) / 2, y = y0 + 1;
    char title[64];
    snprintf(title, sizeof title, " Response code %d (Esc closes) ", tui_ladder_code(t));
    tui_box(t, y0, x, h, w, title);
    code_info(t, &y, y0 + h - 1, x + 2, w - 4, tui_ladder_code(t), selected_reason(t));
}

void tui_help_key(struct tui *t, int ch)
{
    if (ch == KEY_DOWN || ch == 'j')
        t->help_top++;
    else if (ch == KEY_UP || ch == 'k')
        t->help_top = t->help_top > 0 ? t->help_top - 1 : 0;
    else
        t->dialog = TUI_DLG_NONE;
}

void tui_keybar(struct tui *t)
{
    static const char *const list[] = {"Enter", "Flow",   "Space", "Select",  "F3", "Search",
                                       "F7",    "Filter", "F4",    "Related", "F6", "Raw",
                                       "F1",    "Help",   "q",     "Quit",    NULL};
    static const char *const ladder[] = {"Enter",     "Raw",  "Space", "Diff", "i",
                                         "Code info", "t",    "Pane",  "a",    "Address",
                                         "F1",        "Help", "q",     "Back", NULL};
    static const char *const text[] = {"Arrows", "Scroll", "F1", "Help", "q", "Back", NULL};
    const char *const *k = t->screen == TUI_LIST ? list : t->screen == TUI_LADDER ? ladder : text;
    tui_put(t, LINES - 1, 0, COLS, "", TA_NORMAL, true);
    int x = 0;
    for (size_t i = 0; k[i] && x < COLS; i += 2) {
        x += tui_put(t, LINES - 1, x, COLS - x, k[i], tui_attr(t, TP_KEY), false);
        char label[32];
        snprintf(label, sizeof label, " %s  ", k[i + 1]);
        x += tui_put(t, LINES - 1, x, COLS - x, label, TA_NORMAL, false);
    }
}
