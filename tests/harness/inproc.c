/*
 * tests/harness/inproc.c: the in-process server and its clients (inproc.h).
 */
#include "tests/harness/inproc.h"

#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/base/log.h"
#include "server/server.h"

struct inproc_wiring {
    ddb_server srv;
    ddb_config cfg; /* srv.config points here */
    char dir[256];
};

inproc_server *inproc_open(const char *data_dir, unsigned shards)
{
    inproc_server *s = calloc(1, sizeof(*s));
    struct inproc_wiring *w = calloc(1, sizeof(*w));
    char *err = NULL;

    if (s == NULL || w == NULL)
        abort();
    ddb_log_threshold = getenv("DDB_TEST_VERBOSE") ? DDB_LOG_INFO : DDB_LOG_WARN;
    if (data_dir != NULL) {
        snprintf(w->dir, sizeof(w->dir), "%s", data_dir);
        w->cfg.data_dir = w->dir;
    } else {
        w->cfg.in_memory = 1;
    }
    w->cfg.shards = shards;
    if (ddb_server_open(&w->srv, &w->cfg, &err) != 0) {
        fprintf(stderr, "cannot open the server: %s\n", err ? err : "?");
        free(err);
        free(w);
        free(s);
        return NULL;
    }
    s->eng = &w->srv.eng;
    s->api = &w->srv.api;
    s->server = &w->srv;
    s->wiring = w;
    return s;
}

void inproc_close(inproc_server *s)
{
    if (s == NULL)
        return;
    ddb_server_close(&s->wiring->srv);
    free(s->wiring);
    free(s);
}

void inproc_client_init(inproc_client *c, const ddb_api *api)
{
    memset(c, 0, sizeof(*c));
    c->api = api;
    ddb_arena_init(&c->arena);
}

void inproc_client_free(inproc_client *c)
{
    ddb_arena_free(&c->arena);
    ddb_buf_free(&c->out);
}

/* One request whose body is in the caller's memory or the client's arena (reset by the caller). */
static inproc_result dispatch(inproc_client *c, const char *target, const char *body, size_t len)
{
    static const char auth[] = "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/dynamodb/aws4_request, "
                               "SignedHeaders=host;x-amz-date, Signature=abc";
    ddb_req req;
    ddb_http_in in;
    inproc_result r;

    memset(&req, 0, sizeof(req));
    req.arena = &c->arena;
    req.body = body;
    req.body_len = len;
    req.outbuf = &c->out;
    ddb_jw_init(&req.out, &c->out);
    memset(&in, 0, sizeof(in));
    in.target = target;
    in.target_len = strlen(target);
    in.auth = auth;
    in.auth_len = sizeof(auth) - 1;
    in.has_date = 1;
    ddb_dispatch(c->api, &req, &in);
    r.err = req.err;
    r.code = req.err.code;
    r.msg = req.err.msg ? req.err.msg : "";
    ddb_buf_putc(&c->out, '\0');
    r.body = c->out.data;
    return r;
}

inproc_result inproc_send(inproc_client *c, const char *target, const char *body, size_t len)
{
    ddb_arena_reset(&c->arena);
    c->out.len = 0;
    return dispatch(c, target, body, len);
}

inproc_result inproc_call(inproc_client *c, const char *op, const char *body)
{
    char target[128];

    snprintf(target, sizeof(target), "DynamoDB_20120810.%s", op);
    return inproc_send(c, target, body, strlen(body));
}

inproc_result inproc_callf(inproc_client *c, const char *op, const char *fmt, ...)
{
    char target[128], *body;
    va_list ap;
    int n;

    ddb_arena_reset(&c->arena);
    c->out.len = 0;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    body = ddb_arena_alloc(&c->arena, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(body, (size_t)n + 1, fmt, ap);
    va_end(ap);
    snprintf(target, sizeof(target), "DynamoDB_20120810.%s", op);
    return dispatch(c, target, body, (size_t)n);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void inproc_rm_rf(const char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}
