/* test_ladder.c: the ladder layout (ui/ladder.c) and the escaping of every export format. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ui/export.h"
#include "ui/ladder.h"

static struct ladder_msg req(int64_t ts, const char *src, const char *dst, const char *method)
{
    return (struct ladder_msg){.id = ts,
                               .ts_ns = ts,
                               .src = src,
                               .dst = dst,
                               .transport = "UDP",
                               .method = method,
                               .cseq = 1,
                               .cseq_method = method,
                               .call_id = "c1"};
}

static struct ladder_msg resp(int64_t ts, const char *src, const char *dst, int status,
                              const char *reason)
{
    struct ladder_msg m = req(ts, src, dst, NULL);
    m.status = status;
    m.reason = reason;
    m.cseq_method = "INVITE";
    return m;
}

static void test_columns_and_directions(void)
{
    struct ladder_msg m[] = {
        req(1000, "10.0.0.1:5060", "10.0.0.2:5060", "INVITE"),
        resp(2000, "10.0.0.2:5060", "10.0.0.1:5060", 100, "Trying"),
        req(3000, "10.0.0.2:5060", "10.0.0.3:5080", "INVITE"),
        resp(5000, "10.0.0.3:5080", "10.0.0.2:5060", 486, "Busy Here"),
        req(6000, "10.0.0.3:5080", "10.0.0.3:5080", "OPTIONS"),
    };
    m[0].sdp = true;
    m[1].retrans = true;
    struct ladder_layout l;
    CHECK_EQ_INT(ladder_build(m, 5, NULL, 0, NULL, &l), 0);
    CHECK_EQ_INT(l.nhosts, 3);
    CHECK(strcmp(l.hosts[0], "10.0.0.1:5060") == 0);
    CHECK(strcmp(l.hosts[1], "10.0.0.2:5060") == 0);
    CHECK(strcmp(l.hosts[2], "10.0.0.3:5080") == 0);
    CHECK_EQ_INT(l.nrows, 5);
    CHECK(l.rows[0].from == 0 && l.rows[0].to == 1 && l.rows[0].left_to_right);
    CHECK(l.rows[1].from == 1 && l.rows[1].to == 0 && !l.rows[1].left_to_right);
    CHECK(l.rows[4].from == 2 && l.rows[4].to == 2); /* to itself */
    CHECK(strcmp(l.rows[0].label, "INVITE (SDP)") == 0);
    CHECK(strcmp(l.rows[1].label, "100 Trying [rtx]") == 0);
    CHECK_EQ_INT(l.rows[0].cls, LADDER_REQUEST);
    CHECK_EQ_INT(l.rows[1].cls, LADDER_1XX);
    CHECK_EQ_INT(l.rows[3].cls, LADDER_4XX);
    CHECK(strcmp(ladder_class_name(l.rows[3].cls), "4xx") == 0);
    CHECK(strcmp(ladder_class_name(LADDER_RTP), "rtp") == 0);
    CHECK_EQ_INT(l.rows[0].rel_ns, 0);
    CHECK_EQ_INT(l.rows[3].rel_ns, 4000);
    CHECK_EQ_INT(l.rows[3].delta_ns, 2000);
    CHECK_EQ_INT(l.t0_ns, 1000);
    CHECK(l.rows[2].msg == &m[2] && l.rows[2].stream == NULL);
    ladder_layout_free(&l);
}

static void test_by_address(void)
{
    struct ladder_msg m[] = {
        req(1, "10.0.0.1:5060", "10.0.0.2:5060", "INVITE"),
        req(2, "10.0.0.1:5070", "10.0.0.2:5080", "INVITE"),
        req(3, "[2001:db8::1]:5060", "[2001:db8::1]:5062", "MESSAGE"),
    };
    struct ladder_opts o = {.by_address = true};
    struct ladder_layout l;
    CHECK_EQ_INT(ladder_build(m, 3, NULL, 0, &o, &l), 0);
    CHECK_EQ_INT(l.nhosts, 3);
    CHECK(strcmp(l.hosts[0], "10.0.0.1") == 0);
    CHECK(strcmp(l.hosts[1], "10.0.0.2") == 0);
    CHECK(strcmp(l.hosts[2], "2001:db8::1") == 0);
    CHECK(l.rows[1].from == 0 && l.rows[1].to == 1);
    CHECK(l.rows[2].from == 2 && l.rows[2].to == 2);
    ladder_layout_free(&l);
    CHECK_EQ_INT(ladder_build(m, 3, NULL, 0, NULL, &l), 0);
    CHECK_EQ_INT(l.nhosts, 6);
    ladder_layout_free(&l);
}

static void test_streams(void)
{
    struct ladder_msg m[] = {
        req(100, "10.0.0.1:5060", "10.0.0.2:5060", "INVITE"),
        resp(200, "10.0.0.2:5060", "10.0.0.1:5060", 200, "OK"),
        req(900, "10.0.0.1:5060", "10.0.0.2:5060", "BYE"),
    };
    struct ladder_stream s[] = {
        {.src = "10.0.0.2:7000",
         .dst = "10.0.0.1:6000",
         .first_ns = 400,
         .last_ns = 800,
         .label = "RTP PCMA 2"},
        {.src = "10.0.0.1:6000",
         .dst = "10.0.0.2:7000",
         .first_ns = 300,
         .last_ns = 800,
         .label = "RTP PCMA 1"},
        {.src = "10.0.0.9:6000",
         .dst = "10.0.0.1:6000",
         .first_ns = 2000,
         .last_ns = 3000,
         .label = "late\x1b[31m"},
    };
    struct ladder_layout l;
    CHECK_EQ_INT(ladder_build(m, 3, s, 3, NULL, &l), 0);
    CHECK_EQ_INT(l.nrows, 6);
    CHECK(l.rows[2].stream == &s[1] && l.rows[3].stream == &s[0]); /* by first_ns */
    CHECK(l.rows[2].from == 0 && l.rows[2].to == 1);               /* same address columns */
    CHECK(l.rows[3].from == 1 && l.rows[3].to == 0);
    CHECK_EQ_INT(l.rows[2].cls, LADDER_RTP);
    CHECK(l.rows[4].msg == &m[2]);
    CHECK(l.rows[5].stream == &s[2]); /* after the last message */
    CHECK_EQ_INT(l.nhosts, 3);        /* an unknown address gets its own column */
    CHECK(strcmp(l.rows[5].label, "late?[31m") == 0);
    CHECK_EQ_INT(l.rows[2].rel_ns, 200);
    CHECK_EQ_INT(l.rows[2].delta_ns, 100);
    ladder_layout_free(&l);
}

static void test_printable(void)
{
    struct ladder_msg m[] = {
        resp(1, "a:1", "b:2", 200, "O\x1b[2J\r\nK \xff\xfe caf\xc3\xa9 \xc2\x9b"),
    };
    struct ladder_layout l;
    CHECK_EQ_INT(ladder_build(m, 1, NULL, 0, NULL, &l), 0);
    CHECK(strcmp(l.rows[0].label, "200 O?[2J??K ?? caf\xc3\xa9 ?") == 0);
    ladder_layout_free(&l);
    char buf[8];
    CHECK_EQ_INT(ladder_printable(buf, sizeof buf, "abcdef\xc3\xa9"), 6); /* no half char */
    CHECK(strcmp(buf, "abcdef") == 0);
    char big[300];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    m[0].reason = big;
    m[0].sdp = true;
    CHECK_EQ_INT(ladder_build(m, 1, NULL, 0, NULL, &l), 0);
    size_t n = strlen(l.rows[0].label);
    CHECK(n < LADDER_LABEL && strcmp(l.rows[0].label + n - 6, " (SDP)") == 0);
    ladder_layout_free(&l);
}

static void test_overflow(void)
{
    enum { N = LADDER_MAX_HOSTS + 10 };
    static char names[N][32];
    static struct ladder_msg m[N];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "10.0.%d.%d:5060", i / 250, i % 250 + 1);
        m[i] = req(i, names[0], names[i], "OPTIONS");
    }
    struct ladder_layout l;
    CHECK_EQ_INT(ladder_build(m, N, NULL, 0, NULL, &l), 0);
    CHECK_EQ_INT(l.nhosts, LADDER_MAX_HOSTS);
    CHECK(strcmp(l.hosts[LADDER_MAX_HOSTS - 1], "(other hosts)") == 0);
    CHECK_EQ_INT(l.rows[N - 1].to, LADDER_MAX_HOSTS - 1);
    CHECK_EQ_INT(l.rows[LADDER_MAX_HOSTS - 2].to, LADDER_MAX_HOSTS - 2);
    for (size_t i = 0; i < l.nrows; i++)
        CHECK(l.rows[i].to < l.nhosts);
    ladder_layout_free(&l);
    CHECK_EQ_INT(ladder_build(NULL, 0, NULL, 0, NULL, &l), 0);
    CHECK_EQ_INT(l.nrows, 0);
    ladder_layout_free(&l);
}

/* Runs one exporter into memory. */
static char *run(enum export_format f, const struct export_ctx *x, size_t *len)
{
    char *buf = NULL;
    FILE *o = open_memstream(&buf, len);
    CHECK(o != NULL);
    CHECK_EQ_INT(export_write(f, x, o), 0);
    fclose(o);
    return buf;
}

static char *raw_of(void *user, const struct ladder_msg *m, size_t *len)
{
    (void)user;
    (void)m;
    static const char raw[] = "SIP/2.0 200 <script>alert(1)</script>\r\nX: \"'`\x1b[31m\r\n\r\n";
    *len = sizeof raw - 1;
    char *p = malloc(sizeof raw);
    memcpy(p, raw, sizeof raw);
    return p;
}

/* Every ';' in s closes an entity code "<lead>digits;" and every lead starts one. */
static int entities_only(const char *s, char lead)
{
    for (const char *p = s; *p; p++) {
        if (*p != lead)
            continue;
        const char *q = p + 1 + (lead == '&' && p[1] == '#');
        size_t d = strspn(q, "0123456789");
        if (d == 0 || q[d] != ';')
            return 0;
        p = q + d;
    }
    for (const char *p = strchr(s, ';'); p; p = strchr(p + 1, ';')) {
        const char *q = p;
        while (q > s && q[-1] >= '0' && q[-1] <= '9')
            q--;
        if (q == p || q == s || (q[-1] != '#'))
            return 0;
    }
    return 1;
}

static const char EVIL[] = "<script>alert(1)</script> \"q' `b` --> end\nnote over @enduml "
                           "participant %%{init}%% #x; \x1b[31m \\n <img:http://x/y.png> **b**";

static void test_export_escaping(void)
{
    struct ladder_msg m[] = {resp(1, "10.0.0.1:5060", "10.0.0.2:5060", 200, EVIL)};
    m[0].sdp_summary = EVIL;
    struct ladder_layout l;
    CHECK_EQ_INT(ladder_build(m, 1, NULL, 0, NULL, &l), 0);
    struct export_ctx x = {.layout = &l, .title = EVIL, .raw = raw_of};
    size_t n;
    char *s = run(EXPORT_MERMAID, &x, &n);
    CHECK(!strstr(s, "<") && !strstr(s, "%%") && strstr(s, "    h0-->>h1: 0.000 200 ") != NULL);
    CHECK(entities_only(s, '#')); /* ';' and '#' only in entity codes */
    CHECK(!strstr(s, "\nend") && !strstr(s, "\nnote") && !strstr(s, "`") && !strstr(s, "\x1b"));
    CHECK(strstr(s, "#60;script#62;") != NULL);
    free(s);
    s = run(EXPORT_PLANTUML, &x, &n);
    CHECK(!strstr(s, "<img") && !strstr(s, "**") && !strstr(s, "\\n") && !strstr(s, "\x1b"));
    CHECK(strstr(s, "\n@enduml") && strstr(s, "\n@enduml") == strrchr(s, '@') - 1);
    CHECK(!strstr(s, "\nnote over @") && !strstr(s, "\nparticipant %"));
    CHECK(entities_only(strstr(s, "participant"), '&'));
    free(s);
    s = run(EXPORT_SVG, &x, &n);
    CHECK(!strstr(s, "<script") && !strstr(s, "<img") && !strstr(s, "\x1b"));
    CHECK(strstr(s, "&lt;script&gt;alert(1)&lt;/script&gt;") != NULL);
    free(s);
    s = run(EXPORT_HTML, &x, &n);
    CHECK(!strstr(s, "<script>alert") && !strstr(s, "\x1b") && !strstr(s, "src=\""));
    CHECK(strstr(s, "Content-Security-Policy") != NULL);
    free(s);
    s = run(EXPORT_TEXT, &x, &n);
    CHECK(!strstr(s, "\x1b") && !strchr(s, '\r'));
    free(s);
    ladder_layout_free(&l);
}

int main(void)
{
    test_columns_and_directions();
    test_by_address();
    test_streams();
    test_printable();
    test_overflow();
    test_export_escaping();
    return check_done();
}
