/* tui_filter.c: the filter dialog (From, To, source, destination, payload PCRE2, method and
 * status checkboxes: applied in the SQL query), the column selector, `/` incremental search, and
 * the save prompt (ui/export.h formats chosen by file extension). */
#include "ui/tui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/export.h"

enum {
    F_TEXTS = 5,
    F_METHOD0 = F_TEXTS,
    F_STATUS0 = F_METHOD0 + TQ_NMETHODS,
    F_NSTATUS = 6,
    F_APPLY = F_STATUS0 + F_NSTATUS,
    F_CLEAR,
    F_CANCEL,
    F_N
};

static const char *const field_names[F_TEXTS] = {"From", "To", "Source", "Destination", "Payload"};
static const char *const status_names[F_NSTATUS] = {"none", "2xx", "3xx", "4xx", "5xx", "6xx"};

/* Status checkbox k (0 = no final status, 1..5 = 2xx..6xx) as a tq_filter status bit. */
static unsigned status_bit(int k)
{
    return k == 0 ? 1u : 1u << (k + 1);
}

static char *field_of(struct tui *t, int i)
{
    return t->fd.field[i];
}

void tui_filter_open(struct tui *t)
{
    struct tui_filter_dlg *d = &t->fd;
    const struct tq_filter *f = &t->list.f;
    snprintf(d->field[0], TQ_TEXT, "%s", f->from);
    snprintf(d->field[1], TQ_TEXT, "%s", f->to);
    snprintf(d->field[2], TQ_TEXT, "%s", f->src);
    snprintf(d->field[3], TQ_TEXT, "%s", f->dst);
    snprintf(d->field[4], TQ_TEXT, "%s", t->list.payload);
    d->methods = f->methods;
    d->statuses = f->statuses;
    d->focus = 0;
    t->dialog = TUI_DLG_FILTER;
}

static void checkbox(struct tui *t, int y, int x, int item, bool on, const char *name)
{
    char buf[32];
    snprintf(buf, sizeof buf, "[%c] %s", on ? 'x' : ' ', name);
    tui_put(t, y, x, 13, buf, t->fd.focus == item ? TA_REVERSE : TA_NORMAL, false);
}

static void draw_fields(struct tui *t, int y, int x, int w)
{
    for (int i = 0; i < F_TEXTS; i++) {
        tui_put(t, y + i, x, 13, field_names[i], TA_NORMAL, false);
        char buf[TQ_TEXT + 2];
        snprintf(buf, sizeof buf, "%s%s", field_of(t, i), t->fd.focus == i ? "_" : "");
        int a = t->fd.focus == i ? TA_REVERSE : TA_UNDERLINE;
        tui_put(t, y + i, x + 13, w - 13, buf, a, true);
    }
    tui_put(t, y + F_TEXTS, x + 13, w - 13, "(PCRE2 regex over the raw SIP messages)",
            tui_attr(t, TP_DIM), false);
}

void tui_filter_draw(struct tui *t)
{
    struct tui_filter_dlg *d = &t->fd;
    int w = COLS - 2 < 74 ? COLS - 2 : 74, h = 17;
    int y = (LINES - h) / 2 > 0 ? (LINES - h) / 2 : 0, x = (COLS - w) / 2;
    tui_box(t, y, x, h, w, " Filter calls ");
    draw_fields(t, y + 1, x + 2, w - 4);
    tui_put(t, y + 7, x + 2, 10, "Methods:", TA_BOLD, false);
    for (int i = 0; i < TQ_NMETHODS; i++)
        checkbox(t, y + 8 + i / 4, x + 4 + 14 * (i % 4), F_METHOD0 + i, (d->methods >> i) & 1,
                 tq_method_name((unsigned)i));
    tui_put(t, y + 11, x + 2, 14, "Final status:", TA_BOLD, false);
    for (int k = 0; k < F_NSTATUS; k++)
        checkbox(t, y + 12, x + 4 + 10 * k, F_STATUS0 + k, (d->statuses & status_bit(k)) != 0,
                 status_names[k]);
    static const char *const buttons[] = {"[ Apply ]", "[ Clear ]", "[ Cancel ]"};
    for (int i = 0; i < 3; i++)
        tui_put(t, y + 14, x + 4 + 13 * i, 11, buttons[i],
                d->focus == F_APPLY + i ? TA_REVERSE : TA_BOLD, false);
    tui_put(t, y + 15, x + 2, w - 4, "Tab/arrows move  Space toggles  Enter applies  Esc cancels",
            tui_attr(t, TP_DIM), false);
}

/* Copies the dialog into the list's filter (the payload regex compiled here). 0 or -1. */
static int apply(struct tui *t)
{
    struct tui_filter_dlg *d = &t->fd;
    struct tui_list *l = &t->list;
    if (strcmp(d->field[4], l->payload) != 0) {
        struct q_match *m = NULL;
        char err[512];
        if (d->field[4][0] && !(m = q_match_new(t->db, d->field[4], err, sizeof err))) {
            tui_message(t, "%s", err);
            return -1;
        }
        q_match_free(l->f.match);
        l->f.match = m;
        snprintf(l->payload, sizeof l->payload, "%s", d->field[4]);
    }
    snprintf(l->f.from, TQ_TEXT, "%s", d->field[0]);
    snprintf(l->f.to, TQ_TEXT, "%s", d->field[1]);
    snprintf(l->f.src, TQ_TEXT, "%s", d->field[2]);
    snprintf(l->f.dst, TQ_TEXT, "%s", d->field[3]);
    l->f.methods = d->methods;
    l->f.statuses = d->statuses;
    tui_list_apply(t);
    return 0;
}

static void clear_dlg(struct tui_filter_dlg *d)
{
    for (int i = 0; i < F_TEXTS; i++)
        d->field[i][0] = '\0';
    d->methods = (1u << TQ_NMETHODS) - 1;
    d->statuses = TQ_STATUS_ALL;
}

static void edit(char *s, int ch)
{
    size_t n = strlen(s);
    if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
        while (n > 0 && ((unsigned char)s[n - 1] & 0xC0) == 0x80)
            n--; /* a whole UTF-8 character */
        if (n > 0)
            n--;
        s[n] = '\0';
    } else if (ch >= 0x20 && ch < 0x100 && ch != 0x7F && n + 1 < TQ_TEXT) {
        s[n] = (char)ch;
        s[n + 1] = '\0';
    }
}

static void toggle(struct tui_filter_dlg *d)
{
    if (d->focus >= F_METHOD0 && d->focus < F_STATUS0)
        d->methods ^= 1u << (d->focus - F_METHOD0);
    else if (d->focus >= F_STATUS0 && d->focus < F_APPLY)
        d->statuses ^= status_bit(d->focus - F_STATUS0);
}

static void activate(struct tui *t)
{
    struct tui_filter_dlg *d = &t->fd;
    if (d->focus == F_CANCEL) {
        t->dialog = TUI_DLG_NONE;
    } else if (d->focus == F_CLEAR) {
        clear_dlg(d);
    } else if (apply(t) == 0) {
        t->dialog = TUI_DLG_NONE;
    }
}

void tui_filter_key(struct tui *t, int ch)
{
    struct tui_filter_dlg *d = &t->fd;
    bool text = d->focus < F_TEXTS;
    switch (ch) {
    case 27:
        t->dialog = TUI_DLG_NONE;
        return;
    case '\t':
    case KEY_DOWN:
        d->focus = (d->focus + 1) % F_N;
        return;
    case KEY_BTAB:
    case KEY_UP:
        d->focus = (d->focus + F_N - 1) % F_N;
        return;
    case KEY_RIGHT:
        if (!text)
            d->focus = (d->focus + 1) % F_N;
        return;
    case KEY_LEFT:
        if (!text)
            d->focus = (d->focus + F_N - 1) % F_N;
        return;
    case '\r':
    case '\n':
    case KEY_ENTER:
        activate(t);
        return;
    case KEY_F(5):
        clear_dlg(d);
        return;
    default:
        break;
    }
    if (text)
        edit(d->field[d->focus], ch);
    else if (ch == ' ')
        toggle(d);
    else if (ch == 'q')
        t->dialog = TUI_DLG_NONE;
}

void tui_search_draw(struct tui *t)
{
    char buf[TQ_TEXT + 64];
    snprintf(buf, sizeof buf, "/ %s_", t->list.f.search);
    int w = tui_put(t, LINES - 1, 0, COLS, buf, TA_BOLD, true);
    (void)w;
    tui_put(t, LINES - 1, COLS > 40 ? COLS - 34 : 0, 34, " Enter keeps  Esc cancels",
            tui_attr(t, TP_DIM), false);
}

void tui_search_key(struct tui *t, int ch)
{
    struct tui_list *l = &t->list;
    if (ch == '\r' || ch == '\n' || ch == KEY_ENTER) {
        l->searching = false;
        return;
    }
    if (ch == 27) {
        snprintf(l->f.search, sizeof l->f.search, "%s", l->search_save);
        l->searching = false;
    } else if (ch == KEY_F(5)) {
        l->f.search[0] = '\0';
    } else {
        edit(l->f.search, ch);
    }
    tui_list_apply(t);
}

void tui_columns_draw(struct tui *t)
{
    const struct tui_list *l = &t->list;
    int w = 40, h = TQ_NCOLS + 4;
    int y = (LINES - h) / 2 > 0 ? (LINES - h) / 2 : 0, x = (COLS - w) / 2 > 0 ? (COLS - w) / 2 : 0;
    tui_box(t, y, x, h, w, " Columns ");
    for (int i = 0; i < TQ_NCOLS && y + 1 + i < LINES - 1; i++) {
        char buf[64];
        enum tq_col c = l->order[i];
        snprintf(buf, sizeof buf, "[%c] %s", l->show[c] ? 'x' : ' ', tq_col_title(c));
        tui_put(t, y + 1 + i, x + 2, w - 4, buf, i == t->col_focus ? TA_REVERSE : TA_NORMAL, true);
    }
    tui_put(t, y + h - 2, x + 2, w - 4, "Space shows/hides  -/+ move  Esc", tui_attr(t, TP_DIM),
            false);
}

void tui_columns_key(struct tui *t, int ch)
{
    struct tui_list *l = &t->list;
    int i = t->col_focus;
    switch (ch) {
    case KEY_UP:
    case 'k':
        t->col_focus = i > 0 ? i - 1 : 0;
        break;
    case KEY_DOWN:
    case 'j':
        t->col_focus = i + 1 < TQ_NCOLS ? i + 1 : i;
        break;
    case ' ':
        l->show[l->order[i]] = !l->show[l->order[i]];
        break;
    case '-':
    case '+':
        if ((ch == '-' && i > 0) || (ch == '+' && i + 1 < TQ_NCOLS)) {
            int j = ch == '-' ? i - 1 : i + 1;
            enum tq_col tmp = l->order[i];
            l->order[i] = l->order[j];
            l->order[j] = tmp;
            t->col_focus = j;
        }
        break;
    case 27:
    case 'q':
    case '\r':
    case '\n':
    case KEY_ENTER:
    case KEY_F(10):
        t->dialog = TUI_DLG_NONE;
        break;
    default:
        break;
    }
}

/* F2 / s: the ladder of the selected calls written in the format its file extension names. */
void tui_save_open(struct tui *t)
{
    if (t->screen == TUI_LIST) {
        int64_t ids[TUI_MAX_CALLS];
        size_t n = tui_list_targets(t, ids, TUI_MAX_CALLS);
        if (n == 0 || tui_ladder_open(t, ids, n) < 0) {
            tui_message(t, "no call to save");
            return;
        }
    }
    snprintf(t->save_path, sizeof t->save_path, "sipscope-calls.pcap");
    t->saving = true;
}

void tui_save_draw(struct tui *t)
{
    char buf[sizeof t->save_path + 16];
    snprintf(buf, sizeof buf, "Save as: %s_", t->save_path);
    tui_put(t, LINES - 1, 0, COLS, buf, TA_BOLD, true);
    tui_put(t, LINES - 1, COLS > 60 ? COLS - 46 : 0, 46,
            " .pcap .txt .html .svg .mmd .puml  Tab  Esc", tui_attr(t, TP_DIM), false);
}

static char *export_raw(void *user, const struct ladder_msg *m, size_t *len)
{
    struct tui *t = user;
    const struct tq_msg *x = &t->lad.msgs.v[m - t->lad.lm];
    if (x->raw_len <= 0 || x->raw_len > (64 << 20))
        return NULL;
    char *buf = malloc((size_t)x->raw_len);
    if (!buf)
        abort();
    if (db_spool_read(t->db, (uint64_t)x->raw_off, buf, (size_t)x->raw_len) < 0) {
        free(buf);
        return NULL;
    }
    *len = (size_t)x->raw_len;
    return buf;
}

static int format_of(const char *path, enum export_format *f)
{
    const char *dot = strrchr(path, '.');
    for (int i = EXPORT_TEXT; dot && i <= EXPORT_PCAP; i++) {
        if (i != EXPORT_JSON && strcmp(dot + 1, export_format_ext((enum export_format)i)) == 0) {
            *f = (enum export_format)i;
            return 0;
        }
    }
    return -1;
}

static void save(struct tui *t)
{
    enum export_format f;
    if (format_of(t->save_path, &f) < 0) {
        tui_message(t, "unknown extension: use .pcap .txt .html .svg .mmd or .puml");
        return;
    }
    FILE *out = fopen(t->save_path, "wbx"); /* never overwrites */
    if (!out) {
        tui_message(t, "%s: cannot create (it may exist already)", t->save_path);
        return;
    }
    const char *title = t->lad.msgs.n && t->lad.msgs.v[0].call_id ? t->lad.msgs.v[0].call_id : "";
    struct export_ctx x = {
        .layout = &t->lad.lay, .title = title, .width = 100, .raw = export_raw, .raw_user = t};
    int rc = t->lad.have_layout ? export_write(f, &x, out) : -1;
    if (fclose(out) != 0 || rc < 0)
        tui_message(t, "%s: write error", t->save_path);
    else
        tui_message(t, "saved %zu messages to %s", t->lad.msgs.n, t->save_path);
    t->saving = false;
}

/* Tab: the next format's extension. */
static void next_format(struct tui *t)
{
    static const char *const exts[] = {"pcap", "txt", "html", "svg", "mmd", "puml"};
    char *dot = strrchr(t->save_path, '.');
    size_t k = 0;
    for (size_t i = 0; dot && i < 6; i++) {
        if (strcmp(dot + 1, exts[i]) == 0)
            k = (i + 1) % 6;
    }
    if (dot)
        *dot = '\0';
    size_t len = strlen(t->save_path);
    snprintf(t->save_path + len, sizeof t->save_path - len, ".%s", exts[k]);
}

void tui_save_key(struct tui *t, int ch)
{
    if (ch == 27)
        t->saving = false;
    else if (ch == '\r' || ch == '\n' || ch == KEY_ENTER)
        save(t);
    else if (ch == '\t')
        next_format(t);
    else if (strlen(t->save_path) + 1 < sizeof t->save_path)
        edit(t->save_path, ch);
}
