/*
 * tests/fuzz/fuzz_trace.c: libFuzzer target for the trace header parsers (server/base/trace.h).
 * The input's first byte picks the header: a traceparent or an X-Amzn-Trace-Id value. An accepted
 * value must give a non-zero trace id; an accepted traceparent a non-zero parent and, written
 * back as version 00, the same ids (round trip).
 * Build: CC=clang cmake -DDDB_FUZZ=ON ...; run: ./fuzz_trace -max_total_time=60
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/base/trace.h"

static int zero(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0)
            return 0;
    return 1;
}

static void round_trip(const ddb_trace_ctx *c)
{
    char t[33], p[17], text[64];
    ddb_trace_ctx back;

    ddb_trace_hex(c->trace_id, 16, t);
    ddb_trace_hex(c->parent_id, 8, p);
    snprintf(text, sizeof(text), "00-%s-%s-0%d", t, p, c->sampled);
    if (ddb_trace_parse_traceparent(text, strlen(text), &back) != 0 ||
        memcmp(back.trace_id, c->trace_id, 16) != 0 || memcmp(back.parent_id, c->parent_id, 8) != 0 ||
        back.sampled != c->sampled)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ddb_trace_ctx c;
    char *s;

    if (size == 0)
        return 0;
    s = malloc(size - 1 + 1); /* exactly the value's bytes: reads past them are caught */
    memcpy(s, data + 1, size - 1);
    if (data[0] % 2 == 0) {
        if (ddb_trace_parse_traceparent(s, size - 1, &c) == 0) {
            if (zero(c.trace_id, 16) || zero(c.parent_id, 8) || !c.has_parent)
                abort();
            round_trip(&c);
        }
    } else if (ddb_trace_parse_amzn(s, size - 1, &c) == 0 && zero(c.trace_id, 16)) {
        abort();
    }
    free(s);
    return 0;
}
