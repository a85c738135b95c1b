/*
 * server/base/cpus.h: how many CPUs this process may use, for the default thread and shard counts.
 *
 * In a container the host's core count says nothing: `docker run --cpus 1.5` on a 64-core host
 * gives the process a CFS quota of 1.5 CPUs, and sysconf(_SC_NPROCESSORS_ONLN) still says 64.
 * So the count is the least of the cgroup CPU quota (rounded up) and the affinity mask.
 */
#ifndef DDB_CPUS_H
#define DDB_CPUS_H

/* The CPUs this process may use: min(ceil(cgroup quota), CPUs in the affinity mask), >= 1. */
unsigned ddb_cpu_count(void);

/*
 * A cgroup v2 cpu.max ("150000 100000", "max 100000", "max"): the CPUs the quota allows, rounded
 * up and at least 1; 0 when there is no limit or the text is not understood.
 */
unsigned ddb_cpu_max_parse(const char *text);

/* A cgroup v1 pair (cpu.cfs_quota_us, cpu.cfs_period_us): as above; quota -1 means no limit. */
unsigned ddb_cpu_cfs_parse(const char *quota, const char *period);

/*
 * The tightest CPU quota found under `sysfs` (normally "/sys/fs/cgroup") for the cgroups that
 * `proc_cgroup` (the text of /proc/self/cgroup) names, looking at each cgroup and its ancestors
 * (a limit on a parent applies to its children); 0 when none is set. Split out for tests.
 */
unsigned ddb_cpu_quota_in(const char *sysfs, const char *proc_cgroup);

#endif
