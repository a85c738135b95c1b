/*
 * tests/fuzz/fuzz_redact.c: libFuzzer target for a recording's redaction rules (server/api/
 * record/record_redact.c: `--record-redact`, POST /ddbd/record's "redact"). The input's first line is the
 * rule file, each other line a request's or an answer's body that the recorder rewrites.
 * Properties: a rule file refused says why; the rules' copy (what each HTTP thread holds) rewrites
 * a body exactly as the rules do, and what comes out is JSON that parses again; in a body's Item,
 * an attribute the rules drop is gone, one they keep is as sent, and an S they redact or hash is
 * "REDACTED" or 32 hex digits (the rule of an attribute: the first that names it, else "*").
 * Build: CC=clang cmake -DDDB_FUZZ=ON ...; run: ./fuzz_redact -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/json.h"
#include "server/api/record/record_redact.h"

static char *text_of(const ddb_json *v)
{
    ddb_buf b = {0};
    ddb_jw w;

    ddb_jw_init(&w, &b);
    ddb_jw_json(&w, v);
    ddb_buf_putc(&b, '\0');
    return b.data;
}

/* One member named `key` of object o (NULL: none, or more than one). */
static const ddb_json *only(const ddb_json *o, const char *key, size_t klen)
{
    const ddb_json *found = NULL;

    for (uint32_t i = 0; o != NULL && o->type == DDB_JSON_OBJECT && i < o->n; i++)
        if (o->u.members[i].klen == klen && memcmp(o->u.members[i].key, key, klen) == 0) {
            if (found != NULL)
                return NULL;
            found = o->u.members[i].val;
        }
    return found;
}

/* The rule of attribute `name` by the rule file's text: the first that names it, else "*". */
static const char *rule_of(const ddb_json *attrs, const char *name, size_t n)
{
    const char *any = "keep";

    for (uint32_t i = 0; i < attrs->n; i++) {
        const ddb_json_member *m = &attrs->u.members[i];
        if (m->klen == 1 && m->key[0] == '*')
            any = m->val->u.s; /* (the last "*") */
        else if (m->klen == n && memcmp(m->key, name, n) == 0 && strlen(m->key) == n)
            return m->val->u.s;
    }
    return any;
}

static int hex32(const char *s)
{
    return s != NULL && strlen(s) == 32 && strspn(s, "0123456789abcdef") == 32;
}

/* Each attribute of the body's Item by its rule. */
static void check_item(const ddb_json *attrs, const ddb_json *in, const ddb_json *out)
{
    const ddb_json *item = only(in, "Item", 4), *done = only(out, "Item", 4);

    if (item == NULL || item->type != DDB_JSON_OBJECT || done == NULL)
        return;
    for (uint32_t i = 0; i < item->n; i++) {
        const ddb_json_member *m = &item->u.members[i];
        const ddb_json *v = m->val, *o;
        const char *rule = rule_of(attrs, m->key, m->klen), *s = ddb_json_get_str(v, "S");
        if (only(item, m->key, m->klen) == NULL || strlen(m->key) != m->klen || m->key[0] == ':' ||
            (m->klen == 1 && m->key[0] == '*'))
            continue; /* (a name sent twice, one holding a NUL, or one a placeholder's or the rest's) */
        o = only(done, m->key, m->klen);
        if (strcmp(rule, "drop") == 0 && o != NULL)
            abort(); /* dropped and still there */
        if (strcmp(rule, "keep") == 0) {
            char *t1 = text_of(v), *t2 = o != NULL ? text_of(o) : NULL;
            if (t2 == NULL || strcmp(t1, t2) != 0)
                abort(); /* kept and changed */
            free(t1);
            free(t2);
        }
        if (s == NULL || v->n != 1 || o == NULL)
            continue;
        if (strcmp(rule, "redact") == 0 && strcmp(ddb_json_get_str(o, "S") ? ddb_json_get_str(o, "S") : "", "REDACTED"))
            abort();
        if (strcmp(rule, "hash") == 0 && !hex32(ddb_json_get_str(o, "S")))
            abort();
    }
}

static void body(const ddb_record_rules *rules, const ddb_record_rules *copy, const ddb_json *attrs, ddb_arena *a,
                 const char *line, size_t len)
{
    ddb_json *d1 = ddb_json_parse_input(a, line, len, NULL), *d2, *in;
    char *t1, *t2;

    if (d1 == NULL)
        return;
    d2 = ddb_json_parse_input(a, line, len, NULL);
    in = ddb_json_parse_input(a, line, len, NULL);
    ddb_record_redact(rules, a, d1);
    ddb_record_redact(copy, a, d2);
    t1 = text_of(d1);
    t2 = text_of(d2);
    if (strcmp(t1, t2) != 0)
        abort(); /* the copy rewrote it otherwise */
    if (ddb_json_parse(a, t1, strlen(t1)) == NULL)
        abort(); /* rewritten into what is not JSON */
    check_item(attrs, in, d1);
    free(t1);
    free(t2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ddb_arena arena;
    static int ready;
    const char *p = (const char *)data, *end = p + size, *nl = memchr(p, '\n', size);
    size_t rlen = (size_t)((nl ? nl : end) - p);
    ddb_record_rules *rules, *copy;
    const ddb_json *attrs;
    char err[512] = "";

    if (!ready) {
        ddb_arena_init(&arena);
        ready = 1;
    }
    ddb_arena_reset(&arena);
    if ((rules = ddb_record_rules_parse(p, rlen, err, sizeof(err))) == NULL) {
        if (err[0] == '\0')
            abort(); /* refused without a word */
        return 0;
    }
    if ((copy = ddb_record_rules_copy(rules)) == NULL)
        abort(); /* accepted, and its copy refused */
    attrs = ddb_json_get(ddb_json_parse(&arena, p, rlen), "attributes");
    for (p = nl ? nl + 1 : end; p < end;) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        size_t len = (size_t)((e ? e : end) - p);
        body(rules, copy, attrs, &arena, p, len);
        p += len + 1;
    }
    ddb_record_rules_free(copy);
    ddb_record_rules_free(rules);
    return 0;
}
