/* test_sip_codes.c: the response-code table (RFC 3261 §21, IANA SIP Response Codes registry):
 * every registered code present and complete, sorted and unique, and the class rules for unknown
 * codes (RFC 3261 §8.1.3.2). */
#include <stdbool.h>
#include <string.h>

#include "check.h"
#include "dissect/sip_codes.h"

/* The IANA registry's Response Codes, in order (RFC 3261 §21 plus the later RFCs). */
static const unsigned registered[] = {
    100, 180, 181, 182, 183, 199, 200, 202, 204, 300, 301, 302, 305, 380, 400, 401, 402, 403, 404,
    405, 406, 407, 408, 410, 412, 413, 414, 415, 416, 417, 420, 421, 422, 423, 424, 425, 428, 429,
    430, 433, 436, 437, 438, 439, 440, 469, 470, 480, 481, 482, 483, 484, 485, 486, 487, 488, 489,
    491, 493, 494, 500, 501, 502, 503, 504, 505, 513, 555, 580, 600, 603, 604, 606, 607, 608,
};
#define NREG (sizeof registered / sizeof registered[0])

static bool nonempty(const char *s)
{
    return s && s[0] != '\0';
}

/* Plain printable ASCII, or UTF-8 (the only non-ASCII we use is the section sign). */
static bool plain_text(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f || *p == '|')
            return false;
    }
    return true;
}

static void test_registry_complete(void)
{
    CHECK_EQ_INT(sip_code_count(), NREG);
    for (size_t i = 0; i < NREG; i++) {
        const struct sip_code_info *e = sip_code_lookup(registered[i]);
        CHECK(e != NULL);
        if (!e) {
            fprintf(stderr, "  missing code %u\n", registered[i]);
            continue;
        }
        CHECK_EQ_INT(e->code, registered[i]);
        CHECK(nonempty(e->reason) && nonempty(e->rfc) && nonempty(e->meaning) &&
              nonempty(e->action));
        CHECK(strncmp(e->rfc, "RFC ", 4) == 0);
        CHECK(plain_text(e->reason) && plain_text(e->meaning) && plain_text(e->action));
        bool exact = false;
        CHECK(sip_code_describe(registered[i], &exact) == e);
        CHECK(exact);
    }
}

static void test_sorted_unique(void)
{
    size_t n = sip_code_count();
    for (size_t i = 0; i < n; i++) {
        const struct sip_code_info *e = sip_code_at(i);
        CHECK(e != NULL);
        if (!e)
            continue;
        CHECK(e->code >= 100 && e->code <= 699);
        if (i > 0)
            CHECK(sip_code_at(i - 1)->code < e->code);
        CHECK(sip_code_lookup(e->code) == e);
    }
    CHECK(sip_code_at(n) == NULL);
    CHECK(sip_code_at((size_t)-1) == NULL);
}

static void check_entry(unsigned code, const char *reason, const char *rfc)
{
    const struct sip_code_info *e = sip_code_lookup(code);
    CHECK(e != NULL);
    if (!e)
        return;
    CHECK(strcmp(e->reason, reason) == 0);
    CHECK(strcmp(e->rfc, rfc) == 0);
}

static void test_known_entries(void)
{
    check_entry(486, "Busy Here", "RFC 3261");
    check_entry(580, "Precondition Failure", "RFC 3312");
    check_entry(199, "Early Dialog Terminated", "RFC 6228");
    check_entry(202, "Accepted (Deprecated)", "RFC 6665");
    check_entry(204, "No Notification", "RFC 5839");
    check_entry(437, "Unsupported Credential", "RFC 8224");
    check_entry(500, "Server Internal Error", "RFC 3261");
    check_entry(504, "Server Time-out", "RFC 3261");
    check_entry(555, "Push Notification Service Not Supported", "RFC 8599");
    check_entry(607, "Unwanted", "RFC 8197");
    check_entry(608, "Rejected", "RFC 8688");
    /* the actions the issue names */
    CHECK(strstr(sip_code_lookup(401)->action, "Authorization") != NULL);
    CHECK(strstr(sip_code_lookup(407)->action, "Proxy-Authorization") != NULL);
    CHECK(strstr(sip_code_lookup(423)->action, "Min-Expires") != NULL);
    CHECK(strstr(sip_code_lookup(503)->action, "Retry-After") != NULL);
    /* RFC 2543 codes that RFC 3261 dropped are not registered */
    CHECK(sip_code_lookup(409) == NULL);
    CHECK(sip_code_lookup(411) == NULL);
}

static void check_as(unsigned code, unsigned as)
{
    bool exact = true;
    const struct sip_code_info *e = sip_code_describe(code, &exact);
    CHECK(e != NULL);
    if (!e)
        return;
    CHECK_EQ_INT(e->code, as);
    CHECK(!exact);
}

static void test_unknown_codes(void)
{
    check_as(499, 400);
    check_as(431, 400);
    check_as(699, 600);
    check_as(601, 600);
    check_as(299, 200);
    check_as(399, 300);
    check_as(599, 500);
    check_as(101, 183); /* RFC 3261 §8.1.3.2: unknown provisional responses are 183 */
    check_as(198, 183);
    CHECK(sip_code_lookup(499) == NULL);
    bool exact = true;
    CHECK(sip_code_describe(700, &exact) == NULL);
    CHECK(!exact);
    CHECK(sip_code_describe(99, NULL) == NULL);
    CHECK(sip_code_describe(0, NULL) == NULL);
    CHECK(sip_code_describe(100000, NULL) == NULL);
    CHECK(sip_code_describe(486, NULL) == sip_code_lookup(486));
    CHECK(sip_code_lookup(700) == NULL);
    CHECK(sip_code_lookup(0) == NULL);
}

static void test_classes(void)
{
    static const struct {
        unsigned code;
        const char *cls, *name;
    } t[] = {
        {100, "1xx", "Provisional"},    {199, "1xx", "Provisional"},
        {200, "2xx", "Success"},        {300, "3xx", "Redirection"},
        {486, "4xx", "Client Failure"}, {499, "4xx", "Client Failure"},
        {503, "5xx", "Server Failure"}, {600, "6xx", "Global Failure"},
        {699, "6xx", "Global Failure"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        CHECK(strcmp(sip_code_class(t[i].code), t[i].cls) == 0);
        CHECK(strcmp(sip_code_class_name(t[i].code), t[i].name) == 0);
    }
    CHECK(sip_code_class(99) == NULL);
    CHECK(sip_code_class(700) == NULL);
    CHECK(sip_code_class_name(99) == NULL);
    CHECK(sip_code_class_name(700) == NULL);
    CHECK(sip_code_class(0) == NULL);
}

int main(void)
{
    test_registry_complete();
    test_sorted_unique();
    test_known_entries();
    test_unknown_codes();
    test_classes();
    return check_done();
}
