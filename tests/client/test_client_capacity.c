/*
 * tests/client/test_client_capacity.c: libddb's standard retries against real throttling: a ddbd
 * with --enforce-capacity, a new table of 1 write unit a second (its bucket first holds one
 * second of it, server/engine/capacity/bucket.c), and puts one after the other. After the first, each is throttled (ProvisionedThroughputExceededException), retried after
 * the throttling backoff ([0, 1000 * 2^i) ms) and succeeds once the bucket refilled, or fails after
 * the standard 4 attempts with the server's error. The attempts the client counts are the ones
 * the server logged: ddbd's --access-log has one line per request with its errorType.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "test.h"

#define PUTS 4

typedef struct delays {
    unsigned n, ms[16];
} delays;

/* Records each delay and sleeps it: the server's bucket refills in real time. */
static void record_and_sleep(void *arg, unsigned ms)
{
    delays *d = arg;
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

    if (d->n < sizeof(d->ms) / sizeof(d->ms[0]))
        d->ms[d->n] = ms;
    d->n++;
    nanosleep(&ts, NULL);
}

/* PutItem lines of the access log for `table`: all of them, and the throttled ones. */
static void count_puts(const char *path, const char *table, int *all, int *throttled)
{
    FILE *f = fopen(path, "r");
    char line[4096], want[128];

    *all = *throttled = 0;
    if (f == NULL)
        return;
    snprintf(want, sizeof(want), "\"table\":\"%s\"", table);
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strstr(line, "\"operation\":\"PutItem\"") == NULL || strstr(line, want) == NULL)
            continue;
        (*all)++;
        *throttled += strstr(line, "\"errorType\":\"ProvisionedThroughputExceededException\"") != NULL;
    }
    fclose(f);
}

static int put(ddb_client *c, const char *table, const char *pk, size_t pad, ddb_result **r)
{
    ddb_item *it = ddb_item_new();
    char *v = malloc(pad + 1);
    int rc;

    memset(v, 'x', pad);
    v[pad] = '\0';
    ddb_item_set_s(it, "pk", pk);
    ddb_item_set_s(it, "v", v);
    rc = ddb_put_item(c, table, it, NULL, r);
    free(v);
    ddb_item_free(it);
    return rc;
}

TEST(throttled_puts_are_retried_by_the_standard_policy)
{
    char log[] = "/tmp/ddb_capacity_log_XXXXXX", ep[64], body[512];
    const char *extra[] = {"--enforce-capacity", "--access-log", log, NULL};
    const char *table = tc_name("cap");
    unsigned attempts[PUTS], total = 0, retried_ok = 0, ok = 0;
    int fd = mkstemp(log), pid, all, throttled;
    ddb_config *cfg = ddb_config_new();
    ddb_client *c = NULL;
    ddb_result *r = NULL;
    delays d;

    ASSERT(fd >= 0);
    close(fd);
    pid = tc_ddbd_spawn(extra, ep, sizeof(ep));
    ddb_config_set_endpoint(cfg, ep);
    ddb_config_set_credentials(cfg, "AKIDTEST", "secret", NULL);
    ddb_config_set_sleep(cfg, record_and_sleep, &d); /* the library's defaults otherwise */
    ASSERT_EQ(ddb_client_new(cfg, &c), DDB_OK);
    ddb_config_free(cfg);
    snprintf(body, sizeof(body),
             "{\"TableName\":\"%s\",\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}],"
             "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PROVISIONED\","
             "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,\"WriteCapacityUnits\":1}}",
             table);
    ASSERT_EQ(ddb_call(c, "CreateTable", body, strlen(body), NULL), DDB_OK);
    ASSERT_EQ(ddb_wait_table_active(c, table, 10000), DDB_OK);
    /* the bucket's one unit: the puts after it wait for the refill */
    ASSERT_EQ(put(c, table, "first", 10, NULL), DDB_OK);
    for (int i = 0; i < PUTS; i++) {
        char pk[16];
        int rc;

        snprintf(pk, sizeof(pk), "small%d", i);
        memset(&d, 0, sizeof(d));
        rc = put(c, table, pk, 10, &r);
        attempts[i] = ddb_result_attempts(r);
        ASSERT(attempts[i] >= 1 && attempts[i] <= 4);
        ASSERT_EQ(d.n, attempts[i] - 1);
        for (unsigned j = 0; j < d.n && j < 16; j++)
            ASSERT(d.ms[j] < 1000u << j); /* the throttling backoff: [0, 1000 * 2^j) */
        if (rc == DDB_OK) {
            ok++;
            retried_ok += attempts[i] > 1;
        } else { /* spent: the standard 4 attempts, the server's error */
            ASSERT_EQ(rc, DDB_E_THROUGHPUT_EXCEEDED);
            ASSERT_EQ(attempts[i], 4);
            ASSERT_STR_EQ(ddb_result_error_type(r), "ProvisionedThroughputExceededException");
        }
        total += attempts[i];
        ddb_result_free(r);
        r = NULL;
    }
    ddb_client_free(c);
    tc_ddbd_stop(pid);
    ASSERT(retried_ok >= 1); /* throttled, retried, then written */
    count_puts(log, table, &all, &throttled);
    ASSERT_EQ(all, (int)(1 + total));       /* every attempt reached the server once */
    ASSERT_EQ(throttled, (int)(total - ok)); /* and each retry followed a throttled one */
    ASSERT(throttled >= 1);
    unlink(log);
}
