/* privs.c: dropping root after the capture device is open (-Z USER, as tcpdump does): POSIX
 * setgid/setuid plus initgroups, and a check that root cannot be regained. */
#define _DEFAULT_SOURCE /* initgroups */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "capture/live.h"

int cap_drop_privileges(const char *user, char *err, size_t errlen)
{
    errno = 0;
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        snprintf(err, errlen, "-Z %s: no such user", user);
        return -1;
    }
    if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
        setuid(pw->pw_uid) < 0) {
        int e = errno;
        snprintf(err, errlen, "-Z %s: cannot switch to that user: %s%s", user, strerror(e),
                 e == EPERM ? " (only root can; start sipscope as root to use -Z)" : "");
        return -1;
    }
    if (pw->pw_uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
        snprintf(err, errlen, "-Z %s: root privileges could be regained; refusing to go on", user);
        return -1;
    }
    return 0;
}
