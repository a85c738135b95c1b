/*
 * tests/unit/doors/test_server_state.c: two servers in one process share no state above the engine
 * (issue 63, item 4). The injected faults' rules, their seed and counts (api/faults/inject.c) and the cost
 * report's window (doors/usage.c) were once the process's: a rule added through one server's
 * /ddbd/faults fired on the other's requests, a seed posted to one reseeded both, and the second
 * server's open restarted the first's window. Each server here is a whole one opened in the test's
 * process (tests/harness/inproc.h), both in memory with a table of the same name, each with its
 * own admin door (doors/admin.h), through which the tests reach the state as ddbd's users do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/api/faults/inject.h"
#include "server/base/clock.h"
#include "server/doors/admin.h"
#include "server/server.h"
#include "test.h"
#include "tests/harness/inproc.h"

/* A server, its admin door and a client, with the table "tab". */
typedef struct side {
    inproc_server *s;
    ddb_admin adm;
    inproc_client c;
    ddb_buf out;
} side;

#define TABLE                                                                                                          \
    "{\"TableName\":\"tab\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"                           \
    "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}"

static int side_open(side *x)
{
    memset(x, 0, sizeof(*x));
    if ((x->s = inproc_open(NULL, 1)) == NULL)
        return -1;
    ddb_admin_open(&x->adm, x->s->server);
    inproc_client_init(&x->c, x->s->api);
    INPROC_CALL_OK_ELSE(return -1, &x->c, "CreateTable", "%s", TABLE);
    return 0;
}

static void side_close(side *x)
{
    inproc_client_free(&x->c);
    ddb_admin_close(&x->adm);
    inproc_close(x->s);
    ddb_buf_free(&x->out);
}

/* An admin request; the answer's body, NUL-terminated, in x->out (valid until the next). */
static int door(side *x, const char *method, const char *path, const char *body)
{
    int status;

    x->out.len = 0;
    status = ddb_admin_handle(&x->adm, method, path, strlen(path), body, body ? strlen(body) : 0, &x->out);
    ddb_buf_putc(&x->out, '\0');
    return status;
}

/* The number after "name": in the answer (the first), or -1. */
static double member(const side *x, const char *name)
{
    char key[64];
    const char *at;

    snprintf(key, sizeof(key), "\"%s\":", name);
    at = strstr(x->out.data, key);
    return at != NULL ? strtod(at + strlen(key), NULL) : -1;
}

/* n PutItems of table tab: bit i set when the i-th failed with the injected InternalServerError. */
static unsigned long long faulted_puts(side *x, int n)
{
    unsigned long long bits = 0;

    for (int i = 0; i < n; i++) {
        inproc_result r = inproc_callf(&x->c, "PutItem", "{\"TableName\":\"tab\",\"Item\":{\"pk\":{\"S\":\"k%d\"}}}", i);
        bits |= (unsigned long long)(r.code == DDB_E_INTERNAL) << i;
    }
    return bits;
}

#define HALF_THE_PUTS(seed)                                                                                            \
    "{\"seed\":" #seed ",\"faults\":[{\"operation\":\"PutItem\",\"table\":\"tab\",\"error\":\"InternalServerError\","   \
    "\"probability\":0.5}]}"

/* A rule added to one server never fires on the other's requests, nor is listed there. */
TEST(a_fault_rule_is_one_servers)
{
    side a, b;
    unsigned long long on_b;

    ASSERT_EQ(side_open(&a), 0);
    ASSERT_EQ(side_open(&b), 0);
    ASSERT_EQ(door(&a, "POST", "/ddbd/faults",
                   "{\"faults\":[{\"operation\":\"*\",\"table\":\"tab\",\"error\":\"InternalServerError\"}]}"),
              200);
    on_b = faulted_puts(&b, 20);
    ASSERT_EQ(faulted_puts(&a, 1), 1ull); /* the rule is in force where it was added */
    ASSERT_EQ(door(&b, "GET", "/ddbd/faults", NULL), 200);
    ASSERT(strstr(b.out.data, "\"faults\":[]") != NULL);
    ASSERT_EQ(door(&a, "GET", "/ddbd/faults", NULL), 200);
    ASSERT_EQ(member(&a, "injected"), 1);
    /* clearing the other's clears nothing here */
    ASSERT_EQ(door(&b, "DELETE", "/ddbd/faults", NULL), 200);
    ASSERT_EQ(faulted_puts(&a, 1), 1ull);
    side_close(&a);
    side_close(&b);
    ASSERT_EQ(on_b, 0ull);
}

/* Each server's seed is its own, and so are its rules' draws: the same rule with the same seed on
   both fires on the same requests of each, whatever the other drew before. */
TEST(a_seed_and_its_draws_are_one_servers)
{
    side a, b;
    unsigned long long on_a, on_b;

    ASSERT_EQ(side_open(&a), 0);
    ASSERT_EQ(side_open(&b), 0);
    ASSERT_EQ(door(&a, "POST", "/ddbd/faults", HALF_THE_PUTS(7)), 200);
    on_a = faulted_puts(&a, 40);
    ASSERT_EQ(door(&b, "POST", "/ddbd/faults", HALF_THE_PUTS(7)), 200);
    on_b = faulted_puts(&b, 40);
    ASSERT(on_a != 0 && on_a != (1ull << 40) - 1); /* the draws decide: some fire, some not */
    ASSERT_EQ(on_a, on_b);
    ASSERT_EQ(door(&b, "POST", "/ddbd/faults", "{\"seed\":9,\"faults\":[]}"), 200);
    ASSERT_EQ(member(&b, "seed"), 9);
    ASSERT_EQ(door(&a, "GET", "/ddbd/faults", NULL), 200);
    ASSERT_EQ(member(&a, "seed"), 7);
    ASSERT_EQ(member(&a, "injected"), (double)__builtin_popcountll(on_a));
    side_close(&a);
    side_close(&b);
}

/* /metrics' ddbd_faults_injected_total counts the server's own injections: the other's stay 0. */
TEST(the_injected_counts_are_one_servers)
{
    side a, b;
    ddb_buf ma = {0}, mb = {0};

    ASSERT_EQ(side_open(&a), 0);
    ASSERT_EQ(side_open(&b), 0);
    ASSERT_EQ(door(&a, "POST", "/ddbd/faults",
                   "{\"faults\":[{\"operation\":\"PutItem\",\"error\":\"InternalServerError\",\"count\":3}]}"),
              200);
    ASSERT_EQ(faulted_puts(&a, 5), 7ull);
    ASSERT_EQ(faulted_puts(&b, 5), 0ull);
    ddb_inject_metrics(a.s->api->inject, &ma);
    ddb_inject_metrics(b.s->api->inject, &mb);
    ddb_buf_putc(&ma, '\0');
    ddb_buf_putc(&mb, '\0');
    side_close(&a);
    side_close(&b);
    ASSERT(strstr(ma.data, "ddbd_faults_injected_total{operation=\"PutItem\",error=\"InternalServerError\"} 3\n") != NULL);
    ASSERT(strstr(mb.data, "ddbd_faults_injected_total{") == NULL);
    ddb_buf_free(&ma);
    ddb_buf_free(&mb);
}

/* The cost report's window starts at its own server's open: a server opened later does not restart
   it (the clock frozen, so the windows are exact). */
TEST(the_usage_window_is_one_servers)
{
    side a, b;
    const uint64_t t0 = 1700000000000ull;

    ddb_clock_freeze();
    ddb_clock_set_ms(t0);
    ASSERT_EQ(side_open(&a), 0);
    ddb_clock_set_ms(t0 + 100000);
    ASSERT_EQ(side_open(&b), 0);
    ddb_clock_set_ms(t0 + 150000);
    ASSERT_EQ(door(&a, "GET", "/ddbd/usage", NULL), 200);
    ASSERT_EQ(member(&a, "windowSeconds"), 150);
    ASSERT_EQ(door(&b, "GET", "/ddbd/usage", NULL), 200);
    ASSERT_EQ(member(&b, "windowSeconds"), 50);
    side_close(&a);
    side_close(&b);
    ddb_clock_run();
    ddb_clock_set_offset_ms(0);
}
