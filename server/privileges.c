/*
 * server/privileges.c: --user, the privilege drop of a container started as root (privileges.h).
 */
#include <errno.h>
#include <ftw.h>
#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/base/log.h"
#include "server/privileges.h"

/* A decimal id, or -1 when text is not one. */
static long parse_id(const char *text)
{
    char *end;
    long id;

    if (*text < '0' || *text > '9')
        return -1;
    errno = 0;
    id = strtol(text, &end, 10);
    return errno != 0 || *end != '\0' || id > 0x7fffffffL ? -1 : id;
}

/* USER[:GROUP] into ids; a named user without a group takes its passwd entry's. 0, or -1 logged. */
static int resolve(const char *spec, uid_t *uid, gid_t *gid)
{
    char name[256];
    const char *colon = strchr(spec, ':');
    size_t n = colon ? (size_t)(colon - spec) : strlen(spec);
    struct passwd *pw;
    struct group *gr;
    long id;

    if (n == 0 || n >= sizeof(name) || (colon && colon[1] == '\0'))
        goto unknown;
    memcpy(name, spec, n);
    name[n] = '\0';
    if ((id = parse_id(name)) >= 0) {
        *uid = (uid_t)id;
        *gid = (gid_t)id; /* a bare number: the group of the same number, as Docker's --user 1000 */
    } else if ((pw = getpwnam(name)) != NULL) {
        *uid = pw->pw_uid;
        *gid = pw->pw_gid;
    } else {
        goto unknown;
    }
    if (colon == NULL)
        return 0;
    if ((id = parse_id(colon + 1)) >= 0)
        *gid = (gid_t)id;
    else if ((gr = getgrnam(colon + 1)) != NULL)
        *gid = gr->gr_gid;
    else
        goto unknown;
    return 0;
unknown:
    ddb_log(DDB_LOG_ERROR, "--user %s: no such user or group", spec);
    return -1;
}

/* nftw has no context argument; this runs once, at start-up, before any thread exists */
static uid_t owner_uid;
static gid_t owner_gid;

static int give(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)type;
    (void)ftw;
    if ((st->st_uid != owner_uid || st->st_gid != owner_gid) && lchown(path, owner_uid, owner_gid) != 0)
        return errno;
    return 0;
}

/* The data directory, made if missing, and all it holds, owned by uid:gid (a warning if not). */
static void give_data_dir(const char *dir, uid_t uid, gid_t gid)
{
    int rc;

    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        ddb_log(DDB_LOG_WARN, "--user: cannot create %s: %s", dir, strerror(errno));
        return;
    }
    owner_uid = uid;
    owner_gid = gid;
    /* FTW_PHYS: a symbolic link is given away itself, never followed out of the directory */
    if ((rc = nftw(dir, give, 16, FTW_PHYS)) != 0)
        ddb_log(DDB_LOG_WARN, "--user: cannot give %s to %u:%u: %s", dir, (unsigned)uid, (unsigned)gid,
                strerror(rc > 0 ? rc : errno));
}

int ddb_drop_privileges(const char *user, const char *data_dir)
{
    uid_t uid;
    gid_t gid;

    if (user == NULL || geteuid() != 0)
        return 0;
    if (resolve(user, &uid, &gid) != 0)
        return -1;
    if (data_dir != NULL)
        give_data_dir(data_dir, uid, gid);
    /* the groups first: once the uid is not 0 they can no longer be changed */
    if (setgroups(1, &gid) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
        ddb_log(DDB_LOG_ERROR, "--user %s: cannot switch to %u:%u: %s", user, (unsigned)uid, (unsigned)gid,
                strerror(errno));
        return -1;
    }
    /* The uid change made the process non-dumpable, which hides /proc/1/exe from the health check
       (root without CAP_SYS_PTRACE in a container); an exec, as with gosu, would have restored it,
       and nothing of root's is held that a dump or a same-user reader could expose */
    prctl(PR_SET_DUMPABLE, 1);
    return 0;
}
