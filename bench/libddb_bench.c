/*
 * bench/libddb_bench.c: GetItem or PutItem through libddb from N threads sharing one client.
 *
 *   libddb_bench ENDPOINT TABLE get|put [THREADS=16] [SECONDS=5]
 *
 * Prints one line: operation, threads, requests, requests/s, and the process's CPU per request
 * (user, system, total) in microseconds. The table needs a hash key "pk" (S); `get` reads items
 * written by a short `put` warm-up. User CPU is libddb's own work (JSON, signing, parsing); system
 * CPU is the kernel's TCP loopback path, the same for any client.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "ddb/ddb.h"

#define KEYS 1000

static ddb_client *db;
static const char *table;
static int do_put;
static atomic_int stop;
static atomic_long total, errors;

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu(int user)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return user ? ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 : ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int one(unsigned i, ddb_item *it, char *pk)
{
    ddb_result *r = NULL;
    int rc;

    snprintf(pk, 32, "key%u", i % KEYS);
    ddb_item_set_s(it, "pk", pk);
    if (do_put) {
        ddb_item_set_int(it, "v", (long long)i);
        return ddb_put_item(db, table, it, NULL, NULL);
    }
    rc = ddb_get_item(db, table, it, NULL, &r);
    if (rc == DDB_OK && ddb_result_item(r) == NULL)
        rc = DDB_E_PROTOCOL;
    ddb_result_free(r);
    return rc;
}

static void *worker(void *arg)
{
    unsigned i = (unsigned)(size_t)arg * 7919u;
    long n = 0, bad = 0;
    char pk[32];

    while (!stop) {
        ddb_item *it = ddb_item_new();

        bad += one(i++, it, pk) != DDB_OK;
        ddb_item_free(it);
        n++;
    }
    total += n;
    errors += bad;
    return NULL;
}

static void warm_up(void)
{
    char pk[32];
    int saved = do_put;

    do_put = 1;
    for (unsigned i = 0; i < KEYS; i++) {
        ddb_item *it = ddb_item_new();

        if (one(i, it, pk) != DDB_OK) {
            fprintf(stderr, "warm-up put failed\n");
            exit(1);
        }
        ddb_item_free(it);
    }
    do_put = saved;
}

int main(int argc, char **argv)
{
    int threads = argc > 4 ? atoi(argv[4]) : 16;
    double seconds = argc > 5 ? atof(argv[5]) : 5, t0, u0, s0, wall, user, sys;
    pthread_t th[256];
    ddb_config *cfg = ddb_config_new();
    struct timespec run;

    if (argc < 4 || threads < 1 || threads > 256) {
        fprintf(stderr, "usage: libddb_bench ENDPOINT TABLE get|put [THREADS] [SECONDS]\n");
        return 2;
    }
    table = argv[2];
    do_put = strcmp(argv[3], "put") == 0;
    ddb_config_set_endpoint(cfg, argv[1]);
    if (ddb_client_new(cfg, &db) != DDB_OK)
        return 1;
    warm_up();
    t0 = now();
    u0 = cpu(1);
    s0 = cpu(0);
    for (int i = 0; i < threads; i++)
        pthread_create(&th[i], NULL, worker, (void *)(size_t)i);
    run.tv_sec = (time_t)seconds;
    run.tv_nsec = (long)((seconds - (double)run.tv_sec) * 1e9);
    nanosleep(&run, NULL);
    stop = 1;
    for (int i = 0; i < threads; i++)
        pthread_join(th[i], NULL);
    wall = now() - t0;
    user = cpu(1) - u0;
    sys = cpu(0) - s0;
    printf("libddb %s threads=%d requests=%ld errors=%ld req/s=%.0f cpu_us_per_req user=%.2f sys=%.2f total=%.2f\n",
           argv[3], threads, (long)total, (long)errors, total / wall, user * 1e6 / total, sys * 1e6 / total,
           (user + sys) * 1e6 / total);
    ddb_client_free(db);
    ddb_config_free(cfg);
    return errors > 0;
}
