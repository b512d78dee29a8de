/* xalloc.h: allocation that cannot fail quietly. sipscope's bounded tables make running out of
 * memory a bug or a dying machine, so the allocating helpers abort instead of returning NULL. */
#ifndef SS_XALLOC_H
#define SS_XALLOC_H

#include <stdlib.h>
#include <string.h>

/* A copy of s, or NULL when s is NULL. */
static inline char *xstrdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (!d)
        abort();
    return memcpy(d, s, n);
}

#endif
