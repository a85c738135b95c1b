/*
 * tests/fuzz/fuzz_dispatch.c: libFuzzer target for the whole request pipeline (issue 49): the first
 * byte of an input picks a served operation (a row of proto/ops.def, as fuzz_request.c picks one),
 * the rest is its body, sent through ddb_dispatch() (parse, validation, authorization header, the
 * handler, storage) of an in-memory server opened once (tests/harness/inproc.h), so a mutated body
 * reaches the handlers and what they write back, not only the validator. Its tables: "fuzz" (pk S, a
 * GSI "gsi" on g, a stream) with the item pk "a", made again when an input deleted it; the whole
 * server is reopened every RESET_EVERY inputs so that the store stays small.
 *
 * Beside the sanitizers, the oracle is the answer: a success must be a JSON object (ddbd's own
 * parser) and an error no 5xx (InternalServerError: a handler that gave up). Seeds:
 * tests/fuzz/corpus/fuzz_dispatch/<op>-<what>, a few valid bodies per family, each one's first byte
 * the operation's row among the HANDLED ones.
 * Build: CC=clang cmake -DDDB_FUZZ=ON ...; run: ./fuzz_dispatch -max_total_time=60 corpus_dir
 * (FUZZ_DISPATCH_PRINT=1: each input's operation and answer on stderr, to see what seeds reach).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/errors.h"
#include "proto/ops.h"
#include "tests/harness/inproc.h"

/* The served operations' X-Amz-Target values, in proto/ops.def's order (fuzz_request.c's). */
#define TARGET_DYNAMODB "DynamoDB_20120810."
#define TARGET_STREAMS "DynamoDBStreams_20120810."
static const char *const TARGETS[] = {
#define X(camel, snake, svc, impl, flags) DDB_IF_HANDLED(impl, TARGET_##svc #camel, )
#include "proto/ops.def"
#undef X
};
#define N_TARGETS (sizeof(TARGETS) / sizeof(TARGETS[0]))
#define RESET_EVERY 20000

static inproc_server *srv;
static inproc_client cli;
static unsigned runs;

static void call(const char *op, const char *body)
{
    inproc_call(&cli, op, body);
}

/* The table the seeds name, made again when an input dropped it (an error when it exists). */
static void ensure_table(void)
{
    inproc_result r = inproc_call(&cli, "DescribeTable", "{\"TableName\":\"fuzz\"}");

    if (r.code == DDB_OK)
        return;
    call("CreateTable", "{\"TableName\":\"fuzz\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],"
                        "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
                        "{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],\"GlobalSecondaryIndexes\":[{\"IndexName\":"
                        "\"gsi\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":"
                        "{\"ProjectionType\":\"ALL\"}}],\"StreamSpecification\":{\"StreamEnabled\":true,"
                        "\"StreamViewType\":\"NEW_AND_OLD_IMAGES\"},\"BillingMode\":\"PAY_PER_REQUEST\"}");
    call("PutItem", "{\"TableName\":\"fuzz\",\"Item\":{\"pk\":{\"S\":\"a\"},\"g\":{\"S\":\"a\"},\"v\":{\"N\":\"1\"}}}");
}

static void open_server(void)
{
    if ((srv = inproc_open(NULL, 2)) == NULL)
        abort();
    inproc_client_init(&cli, srv->api);
}

static void close_server(void)
{
    inproc_client_free(&cli);
    inproc_close(srv);
    srv = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    open_server(); /* left open at exit: closing it under libFuzzer's exit() races the server's threads */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ddb_arena a;
    inproc_result r;
    const ddb_json *answer;

    if (size < 1)
        return 0;
    if (++runs % RESET_EVERY == 0) {
        close_server();
        open_server();
    }
    ensure_table();
    r = inproc_send(&cli, TARGETS[data[0] % N_TARGETS], (const char *)data + 1, size - 1);
    if (getenv("FUZZ_DISPATCH_PRINT") != NULL) /* to see what the seeds reach: their answers */
        fprintf(stderr, "%s: %s %s %.200s\n", TARGETS[data[0] % N_TARGETS], ddb_strerror(r.code), r.msg, r.body);
    /* the answer, whatever the body: a success is a JSON object (or nothing, as TagResource answers,
       as DynamoDB does); an error is none of the 5xx that
       DynamoDB keeps for its own outages (InternalServerError: a handler gave up; 503 is overload) */
    ddb_arena_init(&a);
    if (r.code == DDB_OK && r.body[0] != '\0') {
        answer = ddb_json_parse(&a, r.body, strlen(r.body));
        if (answer == NULL || answer->type != DDB_JSON_OBJECT) {
            fprintf(stderr, "fuzz_dispatch: %s answered no JSON object: %.300s\n", TARGETS[data[0] % N_TARGETS],
                    r.body);
            __builtin_trap();
        }
    } else if (r.code != DDB_OK && ddb_error_lookup(r.code)->http_status >= 500 && r.code != DDB_E_SERVICE_UNAVAILABLE) {
        fprintf(stderr, "fuzz_dispatch: %s: %s (%d): %s\n", TARGETS[data[0] % N_TARGETS], ddb_strerror(r.code), r.code,
                r.msg);
        __builtin_trap();
    }
    ddb_arena_free(&a);
    return 0;
}
