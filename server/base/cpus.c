/*
 * server/base/cpus.c: the CPUs this process may use (see cpus.h).
 */
#include "server/base/cpus.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* quota/period CPUs, rounded up: 1.5 CPUs of quota keep two threads busy part of the time */
static unsigned ceil_cpus(unsigned long long quota, unsigned long long period)
{
    unsigned long long n;

    if (quota == 0 || period == 0)
        return 0;
    n = (quota + period - 1) / period;
    return n > 4096 ? 4096 : (unsigned)n;
}

unsigned ddb_cpu_max_parse(const char *text)
{
    unsigned long long quota, period = 100000; /* the kernel's default period */
    char *end;

    while (*text == ' ' || *text == '\t')
        text++;
    if (strncmp(text, "max", 3) == 0 || *text < '0' || *text > '9')
        return 0;
    quota = strtoull(text, &end, 10);
    if (*end == ' ') {
        const char *p = end + 1;
        if (*p < '0' || *p > '9')
            return 0;
        period = strtoull(p, &end, 10);
    }
    if (*end != '\0' && *end != '\n')
        return 0;
    return ceil_cpus(quota, period);
}

unsigned ddb_cpu_cfs_parse(const char *quota, const char *period)
{
    char *end;
    long long q = strtoll(quota, &end, 10);
    unsigned long long p;

    if (end == quota || q <= 0) /* -1: no limit */
        return 0;
    if (*period < '0' || *period > '9')
        return 0;
    p = strtoull(period, &end, 10);
    return ceil_cpus((unsigned long long)q, p);
}

/* Reads a small file into buf (NUL-terminated); -1 when it cannot be read. */
static int read_small(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return -1;
    n = read(fd, buf, size - 1);
    close(fd);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    return 0;
}

/* The quota set in one cgroup directory (v2: cpu.max; v1: the CFS pair); 0 for none. */
static unsigned limit_at(const char *dir, int v2)
{
    char path[PATH_MAX + 32], a[64], b[64];

    if (v2) {
        snprintf(path, sizeof(path), "%s/cpu.max", dir);
        return read_small(path, a, sizeof(a)) == 0 ? ddb_cpu_max_parse(a) : 0;
    }
    snprintf(path, sizeof(path), "%s/cpu.cfs_quota_us", dir);
    if (read_small(path, a, sizeof(a)) != 0)
        return 0;
    snprintf(path, sizeof(path), "%s/cpu.cfs_period_us", dir);
    if (read_small(path, b, sizeof(b)) != 0)
        return 0;
    return ddb_cpu_cfs_parse(a, b);
}

/*
 * The least quota of `root + cgpath` and each ancestor up to `root` itself. Inside a container
 * the cgroup file system is usually mounted at the container's own cgroup while /proc/self/cgroup
 * still names the host's path (cgroup v1, no cgroup namespace): that path does not exist under
 * the mount, and walking up reaches the mount's root, which is the container's cgroup.
 */
static unsigned walk_up(const char *root, const char *cgpath, int v2)
{
    char dir[PATH_MAX];
    size_t rootlen;
    unsigned best = 0;

    if (snprintf(dir, sizeof(dir), "%s%s", root, cgpath) >= (int)sizeof(dir))
        return 0;
    rootlen = strlen(root);
    for (;;) {
        size_t len = strlen(dir);
        unsigned n;
        while (len > rootlen && dir[len - 1] == '/') /* "/sys/fs/cgroup/" for the path "/" */
            dir[--len] = '\0';
        n = limit_at(dir, v2);
        if (n != 0 && (best == 0 || n < best))
            best = n;
        if (len <= rootlen)
            return best;
        char *slash = strrchr(dir + rootlen, '/');
        if (slash == NULL)
            dir[rootlen] = '\0';
        else
            *slash = '\0';
    }
}

/* Whether the comma-separated controller list names "cpu" (not only "cpuacct" or "cpuset"). */
static int names_cpu(const char *list, size_t len)
{
    size_t i = 0;

    while (i < len) {
        size_t j = i;
        while (j < len && list[j] != ',')
            j++;
        if (j - i == 3 && memcmp(list + i, "cpu", 3) == 0)
            return 1;
        i = j + 1;
    }
    return 0;
}

unsigned ddb_cpu_quota_in(const char *sysfs, const char *proc_cgroup)
{
    /* v1's cpu controller is mounted under one of these names (the others are symlinks or absent) */
    static const char *const v1_mounts[] = {"cpu", "cpu,cpuacct", "cpuacct,cpu"};
    unsigned best = 0;
    const char *line = proc_cgroup;

    while (*line != '\0') {
        const char *eol = strchr(line, '\n'), *c1 = strchr(line, ':'), *c2;
        char path[PATH_MAX], root[PATH_MAX];
        size_t plen;

        if (eol == NULL)
            eol = line + strlen(line);
        if (c1 == NULL || c1 > eol || (c2 = memchr(c1 + 1, ':', (size_t)(eol - c1 - 1))) == NULL)
            goto next;
        plen = (size_t)(eol - c2 - 1);
        if (plen >= sizeof(path))
            goto next;
        memcpy(path, c2 + 1, plen);
        path[plen] = '\0';
        if (c2 == c1 + 1) { /* "0::/path": the cgroup v2 hierarchy */
            unsigned n = walk_up(sysfs, path, 1);
            if (n != 0 && (best == 0 || n < best))
                best = n;
        } else if (names_cpu(c1 + 1, (size_t)(c2 - c1 - 1))) {
            for (size_t i = 0; i < sizeof(v1_mounts) / sizeof(v1_mounts[0]); i++) {
                unsigned n;
                snprintf(root, sizeof(root), "%s/%s", sysfs, v1_mounts[i]);
                n = walk_up(root, path, 0);
                if (n != 0 && (best == 0 || n < best))
                    best = n;
            }
        }
    next:
        line = *eol == '\n' ? eol + 1 : eol;
    }
    return best;
}

unsigned ddb_cpu_count(void)
{
    char text[8192];
    unsigned quota = 0, n = 0;
    cpu_set_t set;

    if (sched_getaffinity(0, sizeof(set), &set) == 0)
        n = (unsigned)CPU_COUNT(&set);
    if (n == 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        n = cores > 0 ? (unsigned)cores : 1;
    }
    if (read_small("/proc/self/cgroup", text, sizeof(text)) == 0)
        quota = ddb_cpu_quota_in("/sys/fs/cgroup", text);
    return quota != 0 && quota < n ? quota : n;
}
