/* banned.h: poisons the unbounded libc string functions inside dissect/ (docs/architecture.md). */
#ifndef SS_BANNED_H
#define SS_BANNED_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#pragma GCC poison strcpy strcat sprintf vsprintf sscanf atoi atol strtok gets
/* strlen and strtol are also forbidden on packet bytes; they stay usable on our own literals via
 * the slice helpers, so they are not poisoned (a poisoned strlen breaks glibc's headers). */

#endif
