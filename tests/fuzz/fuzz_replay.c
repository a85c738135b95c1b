/*
 * tests/fuzz/fuzz_replay.c: libFuzzer target for the recording reader of `ddb replay`
 * (client/cli/replay.c; a line's members read by proto/record_line.c with proto/json_scan.c's
 * scanner; the order in replay_order.c, an injected fault's carried
 * part in replay_faults.c, --check's comparison in replay_check.c). The input is a recording
 * (docs/record-replay.md: JSON lines, any bytes, any length): it is replayed as `ddb replay
 * --dry-run --check` replays it, every line read whole (--check reads a line's answer too), taken
 * in arrival order, ordered against the others and its schedule printed, nothing sent. Then each
 * line's recorded answer is compared with itself by --check's comparison: the same answer never
 * diverges (one that nests past ddbd's depth is said to, and not compared). And each line goes
 * through the stand-ins of what a server hands out (replay_tokens.c): its answer handed out as an
 * operation's that hands out shard iterators or ids (a GetShardIterator's, a ListBackups', ...),
 * answered again with itself, its request rewritten, which must leave it the same bytes; and its
 * answer as a poll's (replay_polls.c), which is never behind itself; and each line read as a line of
 * --keys' key file (replay_keys.c): a key has an access key id and a secret, no word of them empty.
 * Build: CC=clang cmake -DDDB_FUZZ=ON ...; run: ./fuzz_replay -max_total_time=60
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "client/cli/replay.h"
#include "client/cli/replay_check.h"
#include "client/cli/replay_keys.h"
#include "client/cli/replay_order.h"
#include "client/cli/replay_polls.h"
#include "client/cli/replay_tokens.h"
#include "proto/json.h"

static FILE *sink(void)
{
    static FILE *f;

    if (f == NULL && (f = fopen("/dev/null", "w")) == NULL)
        abort();
    return f;
}

/* The recording replayed as a dry run, from a memory file (ddb_replay reads a path). */
static void replay(const uint8_t *data, size_t size)
{
    ddb_replay_opts o = {.speed = 1, .check = 1, .dry_run = 1, .connections = 4};
    char path[64];
    int fd = memfd_create("recording", 0);

    if (fd < 0 || (size > 0 && write(fd, data, size) != (ssize_t)size))
        abort();
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    if (ddb_replay(NULL, path, &o, sink(), sink()) == 1)
        abort(); /* a dry run answers 0, or 2 for a line that is no recorded request */
    close(fd);
}

/* Line `line`'s recorded answer compared with itself. */
static void self_check(const char *line, size_t len)
{
    ddb_jspan whole = {line, len}, response = ddb_jscan_member(whole, "response");
    char *text, *why = NULL, *rec_text = NULL;
    int status = (int)ddb_jscan_int(ddb_jscan_member(whole, "status"), 200);

    if (response.p == NULL)
        return;
    if ((text = strndup(response.p, response.n)) == NULL)
        abort();
    if (rp_check(status, text, status, text, &why, &rec_text)) {
        if (why == NULL || rec_text == NULL)
            abort(); /* a divergence that does not say where */
        if (ddb_jscan_depth_within(text, strlen(text), DDB_JSON_RECORD_DEPTH))
            abort(); /* an answer diverges from itself */
    }
    free(why);
    free(rec_text);
    free(text);
}

/* Line `line`'s answer and request through the stand-ins: an answer that hands out an iterator or
   an id stands for itself, so a request naming one is rewritten to the same bytes. */
static void tokens(rp_tokens *it, const char *line, size_t len, uint64_t seq)
{
    static const ddb_jspan ops[] = {{"GetShardIterator", 16}, {"GetRecords", 10}, {"CreateBackup", 12},
                                    {"ListBackups", 11}, {"ListExports", 11}, {"StartBulkPutItems", 17}};
    ddb_jspan whole = {line, len}, response = ddb_jscan_member(whole, "response"), request = ddb_jscan_member(whole, "request");
    ddb_jspan op = ops[seq % (sizeof(ops) / sizeof(ops[0]))];
    uint64_t from;
    int known;
    size_t n;
    char *out;

    if (!rp_tokens_hands_out(op))
        abort();
    if (response.p != NULL && rp_poll_compare((ddb_jspan){"DescribeTable", 13}, response, response.p, response.n) ==
                                  RP_POLL_BEHIND)
        abort(); /* an answer is never behind itself */
    if (response.p != NULL) {
        rp_tokens_handed(it, op, response, seq);
        rp_tokens_answered(it, op, response, response.p, response.n);
    }
    if (request.p == NULL || !rp_tokens_named(it, request, &from, &known))
        return;
    if ((out = rp_tokens_rewrite(it, request, &n)) != NULL) {
        if (n != request.n || memcmp(out, request.p, n) != 0)
            abort(); /* a value that stands for itself changed the request */
        free(out);
    }
}

/* A line of the input as a line of a --keys file. */
static void key_line(const char *p, size_t len)
{
    char *line = strndup(p, len);
    ddb_pipe_key k;

    if (line == NULL)
        abort();
    if (rp_keys_parse_line(line, &k) == 1) {
        if (k.access_key[0] == '\0' || k.secret[0] == '\0' || (k.token != NULL && k.token[0] == '\0'))
            abort(); /* a word is never empty */
        rp_key_clear(&k);
    }
    free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    rp_tokens *it = rp_tokens_new();
    uint64_t seq = 0;

    replay(data, size);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = (size_t)((nl ? nl : end) - p);
        self_check(p, len);
        tokens(it, p, len, seq++);
        key_line(p, len);
        p += len + 1;
    }
    rp_tokens_free(it);
    return 0;
}
