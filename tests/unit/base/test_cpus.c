/*
 * tests/unit/base/test_cpus.c: the CPU count behind the default thread and shard counts (server/base/cpus.h):
 * cpu.max and the v1 CFS pair parsed from sample strings, and the quota found in fake cgroup
 * trees laid out as a container sees them (cgroup v2 with a namespace, v1 without one, where
 * /proc/self/cgroup names a host path that does not exist under the container's mount).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/base/cpus.h"
#include "test.h"

TEST(cpu_max_parse)
{
    ASSERT_EQ(ddb_cpu_max_parse("max 100000\n"), 0);
    ASSERT_EQ(ddb_cpu_max_parse("max"), 0);
    ASSERT_EQ(ddb_cpu_max_parse("100000 100000\n"), 1);
    ASSERT_EQ(ddb_cpu_max_parse("150000 100000\n"), 2); /* --cpus 1.5: rounded up */
    ASSERT_EQ(ddb_cpu_max_parse("50000 100000"), 1);    /* half a CPU still gets one thread */
    ASSERT_EQ(ddb_cpu_max_parse("1000 100000"), 1);
    ASSERT_EQ(ddb_cpu_max_parse("400000 100000"), 4);
    ASSERT_EQ(ddb_cpu_max_parse("200000 50000"), 4);
    ASSERT_EQ(ddb_cpu_max_parse("300000"), 3); /* the period defaults to 100000 */
    ASSERT_EQ(ddb_cpu_max_parse(""), 0);
    ASSERT_EQ(ddb_cpu_max_parse("garbage"), 0);
    ASSERT_EQ(ddb_cpu_max_parse("100000 x"), 0);
    ASSERT_EQ(ddb_cpu_max_parse("100000 0"), 0);
    ASSERT_EQ(ddb_cpu_max_parse("-1 100000"), 0);
}

TEST(cpu_cfs_parse)
{
    ASSERT_EQ(ddb_cpu_cfs_parse("-1\n", "100000\n"), 0);
    ASSERT_EQ(ddb_cpu_cfs_parse("100000\n", "100000\n"), 1);
    ASSERT_EQ(ddb_cpu_cfs_parse("250000\n", "100000\n"), 3);
    ASSERT_EQ(ddb_cpu_cfs_parse("0", "100000"), 0);
    ASSERT_EQ(ddb_cpu_cfs_parse("100000", "0"), 0);
    ASSERT_EQ(ddb_cpu_cfs_parse("", "100000"), 0);
}

/* ---- fake cgroup trees ---- */

static void put_file(const char *root, const char *rel, const char *text)
{
    char path[4096], *slash;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", root, rel);
    for (slash = strchr(path + strlen(root) + 1, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        mkdir(path, 0755);
        *slash = '/';
    }
    f = fopen(path, "w");
    if (f == NULL) {
        perror(path);
        abort();
    }
    fputs(text, f);
    fclose(f);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static char *fake_root(void)
{
    char tmpl[] = "/tmp/ddbd-cpus-XXXXXX";
    char *dir = mkdtemp(tmpl);

    if (dir == NULL)
        abort();
    return strdup(dir);
}

TEST(cpu_quota_v2_in_a_namespace)
{
    char *root = fake_root();

    /* a container with a cgroup namespace: its cgroup is "/" and mounted at the root */
    put_file(root, "cpu.max", "150000 100000\n");
    ASSERT_EQ(ddb_cpu_quota_in(root, "0::/\n"), 2);
    put_file(root, "cpu.max", "max 100000\n");
    ASSERT_EQ(ddb_cpu_quota_in(root, "0::/\n"), 0);
    nftw(root, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    free(root);
}

TEST(cpu_quota_v2_ancestors_limit_children)
{
    char *root = fake_root();

    /* a host view: the limit may sit on a parent (a systemd slice) of the process's cgroup */
    put_file(root, "cpu.max", "max 100000\n");
    put_file(root, "system.slice/cpu.max", "300000 100000\n");
    put_file(root, "system.slice/app.service/cpu.max", "max 100000\n");
    ASSERT_EQ(ddb_cpu_quota_in(root, "0::/system.slice/app.service\n"), 3);
    put_file(root, "system.slice/app.service/cpu.max", "100000 100000\n");
    ASSERT_EQ(ddb_cpu_quota_in(root, "0::/system.slice/app.service\n"), 1);
    /* no file at all: no limit */
    ASSERT_EQ(ddb_cpu_quota_in(root, "0::/elsewhere\n"), 0);
    nftw(root, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    free(root);
}

TEST(cpu_quota_v1_container_without_namespace)
{
    char *root = fake_root();
    const char *proc = "12:pids:/docker/abc\n"
                       "4:cpu,cpuacct:/docker/abc\n"
                       "3:cpuset:/docker/abc\n"
                       "0::/docker/abc\n";

    /* docker mounts the container's own cgroup at /sys/fs/cgroup/cpu,cpuacct, while
       /proc/self/cgroup still says /docker/<id>: the walk up reaches the mount's root */
    put_file(root, "cpu,cpuacct/cpu.cfs_quota_us", "200000\n");
    put_file(root, "cpu,cpuacct/cpu.cfs_period_us", "100000\n");
    ASSERT_EQ(ddb_cpu_quota_in(root, proc), 2);
    put_file(root, "cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
    ASSERT_EQ(ddb_cpu_quota_in(root, proc), 0);
    /* a separate "cpu" mount, the limit on the process's own cgroup below it */
    put_file(root, "cpu/docker/abc/cpu.cfs_quota_us", "50000\n");
    put_file(root, "cpu/docker/abc/cpu.cfs_period_us", "100000\n");
    ASSERT_EQ(ddb_cpu_quota_in(root, proc), 1);
    /* "cpuacct" or "cpuset" alone is not the cpu controller */
    ASSERT_EQ(ddb_cpu_quota_in(root, "4:cpuacct:/docker/abc\n3:cpuset:/docker/abc\n"), 0);
    nftw(root, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    free(root);
}

TEST(cpu_quota_tightest_of_both_hierarchies)
{
    char *root = fake_root();

    put_file(root, "cpu.max", "400000 100000\n");
    put_file(root, "cpu/cpu.cfs_quota_us", "100000\n");
    put_file(root, "cpu/cpu.cfs_period_us", "100000\n");
    ASSERT_EQ(ddb_cpu_quota_in(root, "0::/\n5:cpu:/\n"), 1);
    ASSERT_EQ(ddb_cpu_quota_in(root, "malformed line\n0::/\n"), 4);
    ASSERT_EQ(ddb_cpu_quota_in(root, ""), 0);
    nftw(root, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    free(root);
}

TEST(cpu_count_is_at_least_one_and_at_most_the_online_cores)
{
    unsigned n = ddb_cpu_count();
    long online = sysconf(_SC_NPROCESSORS_ONLN);

    ASSERT(n >= 1);
    ASSERT(online < 1 || n <= (unsigned)online);
}
