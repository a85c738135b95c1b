/*
 * tests/harness/inproc.h: a ddbd server opened inside the test's process, and clients that send it
 * requests through the whole request pipeline (server/api/dispatch.c: parse, operation lookup,
 * authentication header, validation, the handler, storage) with no sockets, so the sanitizer
 * build covers the server's code paths end to end.
 *
 * The one place the unit tests build the server's wiring (ddb_server_open, a ddb_req and its
 * ddb_http_in, ddb_dispatch): when that changes, inproc.c changes and the tests do not. A test
 * reads or changes what lies underneath through the engine (s->eng: store, catalog, background
 * work) and the pipeline's settings through s->api. Compiled into the unit tests that use it
 * (tests/tests.cmake links the library ddb_test_inproc; only what a test calls is linked in).
 */
#ifndef DDB_TEST_INPROC_H
#define DDB_TEST_INPROC_H

#include <stddef.h>

#include "ddb/ddb_status.h"
#include "proto/arena.h"
#include "proto/buf.h"
#include "server/api/dispatch.h"
#include "server/engine/engine.h"
#include "test.h"

typedef struct inproc_server {
    ddb_engine *eng; /* the engine (engine/engine.h): the store, the catalog, the tokens, the background work */
    ddb_api *api;    /* what requests run against; a setting changed here (lenient_numbers) applies from the
                        next request */
    struct ddb_server *server;    /* the whole server (server/server.h), for a door's test */
    struct inproc_wiring *wiring; /* inproc.c's: the server, its configuration, the data directory's name */
} inproc_server;

/* Opens a server on the data directory `data_dir` (NULL: in memory) with `shards` shards (0: the
   directory's count, or the default), every other setting ddbd's default; the log shows warnings
   and errors only (DDB_TEST_VERBOSE set: information too). NULL, the reason printed, when it cannot. */
inproc_server *inproc_open(const char *data_dir, unsigned shards);
/* Closes the server (NULL: nothing); its clients must be done with their requests. */
void inproc_close(inproc_server *s);
/* Removes a test's data directory and everything in it (a directory server's leftovers). */
void inproc_rm_rf(const char *dir);

/* A client: the arena and the output buffer of its requests, one request at a time; one client
   per thread. */
typedef struct inproc_client {
    const ddb_api *api;
    ddb_arena arena;
    ddb_buf out;
} inproc_client;

/* `api`: a server's (s->api), or a pipeline of the test's own, such as one with an operation table
   and no engine for what is answered before anything is looked up. */
void inproc_client_init(inproc_client *c, const ddb_api *api);
void inproc_client_free(inproc_client *c);

/* An answer, valid until the client's next request. */
typedef struct inproc_result {
    int code;         /* DDB_OK or the error's DDB_E_* (ddb/ddb_status.h) */
    const char *msg;  /* the error's message; "" on success or when the error has none */
    const char *body; /* what the pipeline wrote to the output buffer, NUL-terminated */
    ddb_error err;    /* the error as the pipeline left it (err.msg NULL: no message field) */
} inproc_result;

/* One request with the X-Amz-Target `target` as given ("DynamoDB_20120810.GetItem"), the body as
   sent, a well-formed Signature V4 Authorization header and a date (verified only by a server
   with --auth, which inproc_open never sets). */
inproc_result inproc_send(inproc_client *c, const char *target, const char *body, size_t len);
/* A DynamoDB operation by name ("GetItem"), with the body `body`. */
inproc_result inproc_call(inproc_client *c, const char *op, const char *body);
/* The same with the body made by printf. */
inproc_result inproc_callf(inproc_client *c, const char *op, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* CALL_OK_ELSE(on_fail, client, op, fmt, ...): asserts (one assertion) that the request succeeds;
   if not, prints the operation and its error and runs `on_fail` (return; goto out; ...). */
#define INPROC_CALL_OK_ELSE(on_fail, c, op, ...)                                                                       \
    do {                                                                                                               \
        TEST_COUNT_ASSERT();                                                                                           \
        inproc_result r_ = inproc_callf((c), op, __VA_ARGS__);                                                         \
        if (r_.code != DDB_OK) {                                                                                       \
            ddb_test_fail(__FILE__, __LINE__, "%s failed: %d %s", op, r_.code, r_.msg);                                \
            on_fail;                                                                                                   \
        }                                                                                                              \
    } while (0)

#endif
