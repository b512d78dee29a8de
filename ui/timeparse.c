/* timeparse.c: epoch and ISO 8601 time parsing for query filters. */
#include "ui/timeparse.h"

#include <ctype.h>
#include <string.h>

static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)**p))
            return -1;
        v = v * 10 + (**p - '0');
        (*p)++;
    }
    *out = v;
    return 0;
}

static int64_t frac_ns(const char **p)
{
    int64_t v = 0, scale = 100000000;
    if (**p != '.')
        return 0;
    (*p)++;
    while (isdigit((unsigned char)**p)) {
        v += (**p - '0') * scale;
        scale /= 10;
        (*p)++;
    }
    return v;
}

static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int parse_epoch(const char *s, int64_t *ns)
{
    const char *p = s;
    int64_t sec = 0;
    if (!isdigit((unsigned char)*p))
        return -1;
    while (isdigit((unsigned char)*p)) {
        if (sec > 100000000000LL)
            return -1;
        sec = sec * 10 + (*p++ - '0');
    }
    int64_t f = frac_ns(&p);
    if (*p != '\0')
        return -1;
    *ns = sec * 1000000000 + f;
    return 0;
}

static int parse_offset(const char *p, int64_t *off_s)
{
    *off_s = 0;
    if (*p == '\0' || ((*p == 'Z' || *p == 'z') && p[1] == '\0'))
        return 0;
    if (*p != '+' && *p != '-')
        return -1;
    int sign = *p == '-' ? -1 : 1, hh, mm = 0;
    p++;
    if (digits(&p, 2, &hh) < 0)
        return -1;
    if (*p == ':')
        p++;
    if (*p && digits(&p, 2, &mm) < 0)
        return -1;
    if (*p != '\0' || hh > 23 || mm > 59)
        return -1;
    *off_s = sign * (hh * 3600 + mm * 60);
    return 0;
}

int time_parse(const char *s, int64_t *ns)
{
    if (!s || !*s)
        return -1;
    if (strchr(s, '-') == NULL || s[0] == '-')
        return parse_epoch(s, ns);
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, se = 0;
    if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 || *p++ != '-' ||
        digits(&p, 2, &d) < 0)
        return -1;
    int64_t f = 0;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (digits(&p, 2, &h) < 0 || *p++ != ':' || digits(&p, 2, &mi) < 0)
            return -1;
        if (*p == ':') {
            p++;
            if (digits(&p, 2, &se) < 0)
                return -1;
            f = frac_ns(&p);
        }
    }
    int64_t off;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60 ||
        parse_offset(p, &off) < 0)
        return -1;
    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
    *ns = secs * 1000000000 + f;
    return 0;
}

int time_parse_end(const char *s, int64_t *ns)
{
    if (time_parse(s, ns) < 0)
        return -1;
    const char *dot = strchr(s, '.');
    if (!dot)
        return 0;
    size_t digits = strspn(dot + 1, "0123456789");
    int64_t unit = 1;
    for (size_t i = digits; i < 9; i++)
        unit *= 10;
    *ns += unit - 1;
    return 0;
}
