/* textsafe.c: terminal-safe copies of wire text (see textsafe.h). */
#include "ui/textsafe.h"

#include <string.h>

static char safe_char(char c)
{
    unsigned char ch = (unsigned char)c;
    return (ch < 0x20 || ch >= 0x7F) ? '?' : c;
}

static size_t copy_safe(char *dst, const char *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = safe_char(src[i]);
    return n;
}

void text_fit(char *buf, size_t w, const char *s)
{
    if (!s)
        s = "";
    size_t n = strlen(s);
    size_t k;
    if (n <= w) {
        k = copy_safe(buf, s, n);
    } else if (w == 0) {
        k = 0;
    } else {
        size_t head = (w - 1) / 2, tail = w - 1 - head;
        copy_safe(buf, s, head);
        buf[head] = '~';
        copy_safe(buf + head + 1, s + n - tail, tail);
        k = w;
    }
    buf[k] = '\0';
}
