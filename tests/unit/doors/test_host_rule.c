/*
 * tests/unit/doors/test_host_rule.c: server/guard/guard.c's Host rule (issue 51, finding 5):
 * which Host headers a server answers, case by case, and the words of a refusal.
 */
#include "test.h"

#include <stdlib.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "server/guard/guard.h"

static int allowed(const char *bound, const char *list, const char *host)
{
    ddb_door_hosts hs;

    ddb_door_hosts_init(&hs, bound, list);
    return ddb_door_host_allowed(&hs, host, host ? strlen(host) : 0);
}

TEST(a_loopback_server_answers_its_own_names_on_any_port)
{
    static const struct {
        const char *bound, *list, *host;
        int ok;
    } cases[] = {
        {"127.0.0.1", NULL, "127.0.0.1:8000", 1},
        {"127.0.0.1", NULL, "127.0.0.1", 1},
        {"127.0.0.1", NULL, "localhost:8000", 1},
        {"127.0.0.1", NULL, "LOCALHOST", 1},
        {"127.0.0.1", NULL, "[::1]:8000", 1},
        {"127.0.0.1", NULL, "[::1]", 1},
        {"127.0.0.1", NULL, NULL, 1}, /* no Host: no browser's request */
        {"127.0.0.1", NULL, "evil.example", 0},
        {"127.0.0.1", NULL, "evil.example:8000", 0},
        {"127.0.0.1", NULL, "localhost.evil.example", 0},
        {"127.0.0.1", NULL, "127.0.0.1.evil.example:80", 0},
        {"127.0.0.1", NULL, "localhost.", 0},
        {"127.0.0.1", NULL, ":8000", 0},
        {"127.0.0.1", NULL, "[]:1", 0},
        {"127.0.0.1", NULL, "[", 0},
        {"127.0.0.1", NULL, "127.0.0.2", 0}, /* another loopback address is no name of this server */
        {"127.0.0.5", NULL, "127.0.0.5:1", 1}, /* --host's own */
        {"::1", NULL, "[::1]:8000", 1},
        {"localhost", NULL, "evil.example", 0},
        {"127.0.0.1", "ddbd.test,[fd00::5]", "ddbd.test:8000", 1},
        {"127.0.0.1", "ddbd.test,[fd00::5]", "DDBD.Test", 1},
        {"127.0.0.1", "ddbd.test,[fd00::5]", "[fd00::5]:1", 1},
        {"127.0.0.1", "ddbd.test,[fd00::5]", "ddbd.test.evil", 0},
        {"127.0.0.1", "*", "evil.example", 1},
        {"0.0.0.0", NULL, "evil.example", 1}, /* not loopback: the compose service's name */
        {"0.0.0.0", "ddbd", "evil.example", 0}, /* --allowed-hosts given: checked */
        {"0.0.0.0", "ddbd", "ddbd:8000", 1},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (allowed(cases[i].bound, cases[i].list, cases[i].host) != cases[i].ok)
            ddb_test_fail(__FILE__, __LINE__, "--host %s --allowed-hosts %s, Host %s: want %d", cases[i].bound,
                          cases[i].list ? cases[i].list : "(none)", cases[i].host ? cases[i].host : "(none)",
                          cases[i].ok);
}

TEST(a_refusal_names_the_host_without_its_port)
{
    ddb_arena arena;
    ddb_req r;
    ddb_door_hosts hs;

    ddb_arena_init(&arena);
    memset(&r, 0, sizeof(r));
    r.arena = &arena;
    ddb_door_hosts_init(&hs, "127.0.0.1", NULL);
    ASSERT_EQ(ddb_door_host_check(&hs, &r, "evil.example:8000", 17), DDB_E_ACCESS_DENIED);
    ASSERT(strncmp(r.err.msg, "Host 'evil.example' is not a name of this server", 48) == 0);
    ddb_arena_free(&arena);
}

TEST(a_malformed_list_is_refused)
{
    ASSERT_NULL(ddb_door_hosts_invalid(NULL));
    ASSERT_NULL(ddb_door_hosts_invalid("*"));
    ASSERT_NULL(ddb_door_hosts_invalid("a.example,[fd00::5],fd00::6,10.0.0.5"));
    ASSERT(ddb_door_hosts_invalid("a,,b") != NULL);
    ASSERT(ddb_door_hosts_invalid("a,") != NULL);
    ASSERT(ddb_door_hosts_invalid("") != NULL);
    ASSERT(ddb_door_hosts_invalid("a.example:8000") != NULL);
    ASSERT(ddb_door_hosts_invalid("a/b") != NULL);
    ASSERT(ddb_door_hosts_invalid("[fd00::5") != NULL);
}

/* The CORS rule (issue 61, item 5): which Origin the API grants, serves or refuses under --cors. */
TEST(the_cors_rule_grants_loopback_pages_by_default)
{
    static const struct {
        const char *cors, *origin, *host;
        ddb_origin_verdict want;
    } cases[] = {
        {DDB_CORS_DEFAULT, NULL, "127.0.0.1:8000", DDB_ORIGIN_NONE},
        {DDB_CORS_DEFAULT, "http://localhost:3000", "127.0.0.1:8000", DDB_ORIGIN_LISTED},
        {DDB_CORS_DEFAULT, "https://127.0.0.1:8443", NULL, DDB_ORIGIN_LISTED},
        {DDB_CORS_DEFAULT, "http://[::1]:5173", NULL, DDB_ORIGIN_LISTED},
        {DDB_CORS_DEFAULT, "http://localhost", NULL, DDB_ORIGIN_LISTED},
        {DDB_CORS_DEFAULT, "https://evil.example", "127.0.0.1:8000", DDB_ORIGIN_FOREIGN},
        {DDB_CORS_DEFAULT, "http://localhost.evil.example", NULL, DDB_ORIGIN_FOREIGN},
        {DDB_CORS_DEFAULT, "http://localhost:", NULL, DDB_ORIGIN_FOREIGN},
        {DDB_CORS_DEFAULT, "http://localhost:123456", NULL, DDB_ORIGIN_FOREIGN},
        {DDB_CORS_DEFAULT, "http://localhost:80x", NULL, DDB_ORIGIN_FOREIGN},
        {DDB_CORS_DEFAULT, "ftp://localhost", NULL, DDB_ORIGIN_FOREIGN},
        {DDB_CORS_DEFAULT, "null", NULL, DDB_ORIGIN_FOREIGN},
        {DDB_CORS_DEFAULT, "http://LOCALHOST:1", NULL, DDB_ORIGIN_FOREIGN}, /* a browser writes it lower case */
        {DDB_CORS_DEFAULT, "http://ddbd.test:8000", "ddbd.test:8000", DDB_ORIGIN_SAME},
        {DDB_CORS_DEFAULT, "https://DDBD.test:8000", "ddbd.test:8000", DDB_ORIGIN_SAME},
        {DDB_CORS_DEFAULT, "http://ddbd.test:8001", "ddbd.test:8000", DDB_ORIGIN_FOREIGN},
        {DDB_CORS_DEFAULT, "http://", "", DDB_ORIGIN_FOREIGN},
        {"*", "https://evil.example", NULL, DDB_ORIGIN_ANY},
        {"*", "null", NULL, DDB_ORIGIN_ANY},
        {"https://a.example,*", "https://evil.example", NULL, DDB_ORIGIN_LISTED},
        {"https://a.example", "https://a.example", NULL, DDB_ORIGIN_LISTED},
        {"https://a.example", "https://a.example:443", NULL, DDB_ORIGIN_FOREIGN},
        {"https://a.example", "http://localhost:3000", NULL, DDB_ORIGIN_FOREIGN},
        {"http://a.example:*", "http://a.example:81", NULL, DDB_ORIGIN_LISTED},
        {"http://a.example:*", "http://a.example", NULL, DDB_ORIGIN_LISTED},
        {"http://a.example:*", "http://a.example.evil:81", NULL, DDB_ORIGIN_FOREIGN},
        {"loopback,https://a.example", "http://127.0.0.1:9", NULL, DDB_ORIGIN_LISTED},
        {"", "http://localhost:3000", NULL, DDB_ORIGIN_FOREIGN},
        {NULL, "http://localhost:3000", NULL, DDB_ORIGIN_FOREIGN},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *o = cases[i].origin, *h = cases[i].host;
        ddb_origin_verdict v = ddb_door_origin(cases[i].cors, o, o ? strlen(o) : 0, h, h ? strlen(h) : 0);
        if (v != cases[i].want)
            ddb_test_fail(__FILE__, __LINE__, "--cors %s, Origin %s, Host %s: got %d, want %d",
                          cases[i].cors ? cases[i].cors : "(none)", o ? o : "(none)", h ? h : "(none)", (int)v,
                          (int)cases[i].want);
    }
}
