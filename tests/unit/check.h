/* check.h: a minimal assertion kit for the unit tests; each test executable prints its tally as
 * "N passed, N failed" and exits non-zero on any failure. */
#ifndef SS_CHECK_H
#define SS_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_pass, check_fail;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (cond) {                                                                                \
            check_pass++;                                                                          \
        } else {                                                                                   \
            check_fail++;                                                                          \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                         \
    do {                                                                                           \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);                            \
        if (check_a_ == check_b_) {                                                                \
            check_pass++;                                                                          \
        } else {                                                                                   \
            check_fail++;                                                                          \
            fprintf(stderr, "%s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a,          \
                    check_a_, check_b_);                                                           \
        }                                                                                          \
    } while (0)

/* Compares a slice (p,len) with a C string literal. */
#define CHECK_SLICE(s, lit)                                                                        \
    do {                                                                                           \
        struct slice check_s_ = (s);                                                               \
        if (check_s_.len == strlen(lit) && memcmp(check_s_.p, lit, check_s_.len) == 0) {           \
            check_pass++;                                                                          \
        } else {                                                                                   \
            check_fail++;                                                                          \
            fprintf(stderr, "%s:%d: %s is \"%.*s\", expected \"%s\"\n", __FILE__, __LINE__, #s,    \
                    (int)check_s_.len, (const char *)check_s_.p, lit);                             \
        }                                                                                          \
    } while (0)

static inline int check_done(void)
{
    printf("%d passed, %d failed\n", check_pass, check_fail);
    return check_fail ? 1 : 0;
}

#endif
