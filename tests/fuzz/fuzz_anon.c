/*
 * tests/fuzz/fuzz_anon.c: libFuzzer target for an anonymised import's rules (server/engine/xfer/
 * anon.c, the fakers of anon_fake.c) and the records they apply to, read as an import reads them
 * (reader.c's DYNAMODB_JSON line, ion.c's ION line, an incremental export's record). The input's
 * first line is the rule file (docs/import.md), each other line a record: one that starts with '{'
 * as DYNAMODB_JSON, any other as ION. The table is keyed pk (S) and sk (N).
 * Properties: a rule file or a record refused says why; a fake date's range reads back as the
 * same days; rules that compile make of a record the same item every time (each rule is a function
 * of the value and the key alone); a key attribute sent as its type comes out of that type (a
 * hashed or faked key is still a key); what comes out is written as JSON that parses again.
 * Build: CC=clang cmake -DDDB_FUZZ=ON ...; run: ./fuzz_anon -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/json.h"
#include "server/base/clock.h"
#include "server/engine/xfer/anon.h"
#include "server/engine/xfer/reader.h"

static const char TABLE[] = "{\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},"
                            "{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],\"AttributeDefinitions\":["
                            "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
                            "{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"}]}";

/* A fake date's range, days since the epoch, read back as a date and again as days. */
static void days_round_trip(const ddb_anon_rule *r)
{
    long long y;
    unsigned m, d;

    if (r->action != DDB_ANON_FAKE || r->fake != DDB_FAKE_date)
        return;
    ddb_anon_civil(r->min, &y, &m, &d);
    if (ddb_days_from_civil(y, m, d) != r->min)
        abort();
    ddb_anon_civil(r->max, &y, &m, &d);
    if (ddb_days_from_civil(y, m, d) != r->max)
        abort();
}

/* The record's item anonymised, written as JSON (NULL: the rules refused it, saying why). */
static char *anonymised(const ddb_anon *an, ddb_arena *a, const ddb_json *doc, const ddb_json **item)
{
    const ddb_json *out = NULL;
    const char *e = ddb_anon_apply(an, a, doc, &out);
    ddb_buf b = {0};
    ddb_jw w;

    if (e != NULL) {
        if (e[0] == '\0')
            abort(); /* refused without a word */
        return NULL;
    }
    ddb_jw_init(&w, &b);
    ddb_jw_json(&w, out);
    ddb_buf_putc(&b, '\0');
    if (ddb_json_parse(a, b.data, b.len - 1) == NULL)
        abort(); /* written as JSON that does not parse */
    *item = ddb_anon_item_of(out);
    return b.data;
}

/* A key attribute sent as its type (an AttributeValue of that one member, a string) comes out as it. */
static void key_kept(const ddb_json *in, const ddb_json *out, const char *name, const char *type)
{
    const ddb_json *v = ddb_json_get(in, name), *o = ddb_json_get(out, name);

    if (v == NULL || v->type != DDB_JSON_OBJECT || v->n != 1 || ddb_json_get_str(v, type) == NULL)
        return;
    if (o == NULL || o->type != DDB_JSON_OBJECT || o->n != 1 || ddb_json_get_str(o, type) == NULL)
        abort();
}

static void record(const ddb_anon *an, ddb_arena *a, ddb_buf *scratch, const char *line, size_t len)
{
    int ion = len == 0 || line[0] != '{';
    const ddb_json *doc = NULL, *item1 = NULL, *item2 = NULL;
    char err[256] = "", *t1, *t2;
    const char *msg = ddb_xfer_line_doc(ion, line, len, a, scratch, &doc, err, sizeof(err));

    if (msg != NULL && msg[0] == '\0')
        abort();
    if (ion && msg != NULL && strstr(msg, DDB_ANON_ION_NO_ITEM) != NULL) /* as bulk_batch.c reads it */
        msg = ddb_anon_ion_incremental(a, scratch, line, len, &doc);
    if (doc == NULL || (msg != NULL && strcmp(msg, DDB_XFER_NO_ITEM) != 0))
        return;
    t1 = anonymised(an, a, doc, &item1);
    t2 = anonymised(an, a, doc, &item2);
    if ((t1 == NULL) != (t2 == NULL) || (t1 != NULL && strcmp(t1, t2) != 0))
        abort(); /* the same record made two items */
    if (item1 != NULL) {
        key_kept(ddb_anon_item_of(doc), item1, "pk", "S");
        key_kept(ddb_anon_item_of(doc), item1, "sk", "N");
    }
    free(t1);
    free(t2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ddb_arena arena;
    static int ready;
    const char *p = (const char *)data, *end = p + size, *nl = memchr(p, '\n', size);
    const ddb_json *rules, *table;
    ddb_anon an;
    ddb_buf scratch = {0};
    char err[512] = "";

    if (!ready) {
        ddb_arena_init(&arena);
        ready = 1;
    }
    ddb_arena_reset(&arena);
    rules = ddb_json_parse_input(&arena, p, (size_t)((nl ? nl : end) - p), NULL);
    table = ddb_json_parse(&arena, TABLE, sizeof(TABLE) - 1);
    if (ddb_anon_compile(&an, rules, table, err, sizeof(err)) != 0) {
        if (err[0] == '\0')
            abort(); /* a rule file refused without a word */
        ddb_anon_free(&an);
        return 0;
    }
    days_round_trip(&an.dflt);
    for (size_t i = 0; i < an.n; i++)
        days_round_trip(&an.rules[i]);
    for (p = nl ? nl + 1 : end; p < end;) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        size_t len = (size_t)((e ? e : end) - p);
        record(&an, &arena, &scratch, p, len);
        p += len + 1;
    }
    ddb_buf_free(&scratch);
    ddb_anon_free(&an);
    return 0;
}
