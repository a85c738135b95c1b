/*
 * server/seed/readers/seed_yaml.c: YAML into proto/json.h's tree, with libyaml's event parser (see seed_yaml.h).
 *
 * The builder keeps one frame per open mapping or sequence; a closed one becomes a node of its
 * parent. Nothing here is recursive, so a deep document costs a frame per level, up to the limit.
 */
#include "server/seed/readers/seed_yaml.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define TAG_YAML "tag:yaml.org,2002:"

typedef struct frame {
    ddb_json *node; /* the ARRAY or OBJECT being filled */
    ddb_json **items;
    ddb_json_member *members;
    size_t n, cap;
    const char *key; /* a mapping's key waiting for its value */
    const char *anchor, *tag;
    size_t nodes_at_start; /* the node count when it opened: its size, for an anchor */
} frame;

typedef struct anchor {
    const char *name;
    ddb_json *node;
    size_t size; /* the nodes it expands to */
} anchor;

typedef struct builder {
    ddb_arena *a;
    frame stack[DDB_JSON_MAX_DEPTH];
    int depth;
    anchor *anchors;
    size_t nanchors, acap;
    size_t nodes;
    ddb_json *root;
    int documents;
    char *err;
    size_t errlen;
    unsigned *line;
    int failed;
} builder;

__attribute__((format(printf, 3, 4))) static void fail(builder *b, const yaml_mark_t *at, const char *fmt, ...)
{
    va_list ap;

    if (b->failed++)
        return;
    va_start(ap, fmt);
    vsnprintf(b->err, b->errlen, fmt, ap);
    va_end(ap);
    *b->line = at != NULL ? (unsigned)at->line + 1 : 0;
}

static ddb_json *node(builder *b, ddb_json_type type)
{
    ddb_json *n = DDB_NEW(b->a, ddb_json);

    n->type = type;
    b->nodes++;
    return n;
}

static ddb_json *string(builder *b, const char *s, size_t len)
{
    ddb_json *n = node(b, DDB_JSON_STRING);
    char *copy = ddb_arena_alloc(b->a, len + 1);

    memcpy(copy, s, len);
    copy[len] = '\0';
    n->u.s = copy;
    n->n = (uint32_t)len;
    return n;
}

static int one_of(const char *s, size_t n, const char *const *words)
{
    for (; *words != NULL; words++) {
        if (strlen(*words) == n && memcmp(*words, s, n) == 0)
            return 1;
    }
    return 0;
}

/* A plain (unquoted, untagged) scalar, typed as YAML's core schema types it. */
static ddb_json *plain_scalar(builder *b, const char *s, size_t n)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const trues[] = {"true", "True", "TRUE", NULL};
    static const char *const falses[] = {"false", "False", "FALSE", NULL};
    ddb_json *v;

    if (one_of(s, n, nulls))
        return node(b, DDB_JSON_NULL);
    if (one_of(s, n, trues) || one_of(s, n, falses)) {
        v = node(b, DDB_JSON_BOOL);
        v->u.b = one_of(s, n, trues);
        return v;
    }
    v = string(b, s, n);
    if (ddb_json_number_text(s, n))
        v->type = DDB_JSON_NUMBER;
    return v;
}

/* {"<key>": v} */
static ddb_json *wrap(builder *b, const char *key, ddb_json *v)
{
    ddb_json *o = node(b, DDB_JSON_OBJECT);

    o->n = 1;
    o->u.members = DDB_NEW(b->a, ddb_json_member);
    o->u.members[0].key = key;
    o->u.members[0].klen = (uint32_t)strlen(key);
    o->u.members[0].val = v;
    return o;
}

/* `!GetAtt A.B.C` is ["A", "B.C"]: the resource's name has no dot, the attribute's may. */
static ddb_json *getatt(builder *b, ddb_json *v)
{
    const char *dot;
    ddb_json *list;

    if (v->type != DDB_JSON_STRING || (dot = strchr(v->u.s, '.')) == NULL)
        return v;
    list = node(b, DDB_JSON_ARRAY);
    list->n = 2;
    list->u.items = ddb_arena_alloc(b->a, 2 * sizeof(ddb_json *));
    list->u.items[0] = string(b, v->u.s, (size_t)(dot - v->u.s));
    list->u.items[1] = string(b, dot + 1, strlen(dot + 1));
    return list;
}

/* CloudFormation's short forms: !Ref, !Condition, and !Name for each Fn::Name. */
#define CFN_SHORT_FORMS(X) X(Ref) X(Condition) X(GetAtt) X(Sub) X(Join) X(Select) X(Split) X(FindInMap) X(If) \
    X(Equals) X(And) X(Or) X(Not) X(Base64) X(Cidr) X(ImportValue) X(GetAZs) X(Transform) X(ToJsonString) X(Length) \
    X(Contains) X(EachMemberEquals) X(EachMemberIn) X(RefAll) X(ValueOf) X(ValueOfAll) X(ForEach)

static int short_form(const char *name)
{
#define X(n) #n,
    static const char *const names[] = {CFN_SHORT_FORMS(X) NULL};
#undef X
    return one_of(name, strlen(name), names);
}

/* A node with its tag applied: YAML's own (!!str, ...), or CloudFormation's short forms. */
static ddb_json *tagged(builder *b, const char *tag, ddb_json *v, const yaml_mark_t *at)
{
    if (tag == NULL || strcmp(tag, "!") == 0 || strcmp(tag, TAG_YAML "map") == 0 || strcmp(tag, TAG_YAML "seq") == 0)
        return v;
    if (strncmp(tag, TAG_YAML, strlen(TAG_YAML)) == 0) {
        const char *t = tag + strlen(TAG_YAML);
        if (strcmp(t, "str") == 0 && (v->type == DDB_JSON_NUMBER || v->type == DDB_JSON_STRING))
            v->type = DDB_JSON_STRING;
        else if ((strcmp(t, "int") == 0 || strcmp(t, "float") == 0) && v->type == DDB_JSON_STRING && ddb_json_number_text(v->u.s, v->n))
            v->type = DDB_JSON_NUMBER;
        else if (strcmp(t, "null") != 0 && strcmp(t, "bool") != 0)
            fail(b, at, "the tag !!%s is not one a template uses here", t);
        return v;
    }
    if (tag[0] != '!' || tag[1] == '\0') {
        fail(b, at, "the tag %s is not one of CloudFormation's (!Ref, !Sub, !GetAtt, ...)", tag);
        return v;
    }
    if (!short_form(tag + 1)) {
        fail(b, at, "the tag %s is not one of CloudFormation's (!Ref, !Sub, !GetAtt, ...)", tag);
        return v;
    }
    if (strcmp(tag, "!Ref") == 0 || strcmp(tag, "!Condition") == 0)
        return wrap(b, ddb_arena_strndup(b->a, tag + 1, strlen(tag + 1)), v); /* (the event's tag is freed) */
    if (strcmp(tag, "!GetAtt") == 0)
        v = getatt(b, v);
    return wrap(b, ddb_arena_sprintf(b->a, "Fn::%s", tag + 1), v);
}

static void remember(builder *b, const char *name, ddb_json *n, size_t size)
{
    if (name == NULL)
        return;
    if (b->nanchors == b->acap) {
        b->acap = b->acap ? 2 * b->acap : 16;
        if ((b->anchors = realloc(b->anchors, b->acap * sizeof(*b->anchors))) == NULL)
            abort();
    }
    b->anchors[b->nanchors++] = (anchor){name, n, size};
}

static const anchor *find_anchor(builder *b, const char *name)
{
    for (size_t i = b->nanchors; i-- > 0;) { /* a name anchored again means its latest node */
        if (strcmp(b->anchors[i].name, name) == 0)
            return &b->anchors[i];
    }
    return NULL;
}

/* Adds a finished node to the open mapping or sequence (or makes it the document). */
static void add(builder *b, ddb_json *v, const yaml_mark_t *at)
{
    frame *f;

    if (b->nodes > SEED_YAML_MAX_NODES)
        fail(b, at, "the document expands to more than %d nodes (aliases included)", SEED_YAML_MAX_NODES);
    if (b->depth == 0) {
        b->root = v;
        return;
    }
    f = &b->stack[b->depth - 1];
    if (f->node->type == DDB_JSON_OBJECT && f->key == NULL) {
        /* (keys come through key(); a collection or an alias is no key a template has) */
        fail(b, at, "%s", "a mapping's key is a mapping, a sequence or an alias; a template's keys are names");
        f->key = "";
        return;
    }
    if (f->n == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 8;
        if (f->node->type == DDB_JSON_OBJECT)
            f->members = realloc(f->members, f->cap * sizeof(*f->members));
        else
            f->items = realloc(f->items, f->cap * sizeof(*f->items));
        if (f->members == NULL && f->items == NULL)
            abort();
    }
    if (f->node->type == DDB_JSON_OBJECT) {
        f->members[f->n++] = (ddb_json_member){f->key, (uint32_t)strlen(f->key), v};
        f->key = NULL;
    } else {
        f->items[f->n++] = v;
    }
}

static const char *arena_str(builder *b, const yaml_char_t *s)
{
    return s != NULL ? ddb_arena_strndup(b->a, (const char *)s, strlen((const char *)s)) : NULL;
}

static void scalar(builder *b, const yaml_event_t *e)
{
    const char *s = (const char *)e->data.scalar.value;
    size_t n = e->data.scalar.length;
    const char *tag = (const char *)e->data.scalar.tag;
    frame *f = b->depth > 0 ? &b->stack[b->depth - 1] : NULL;
    size_t before = b->nodes;
    ddb_json *v;

    if (f != NULL && f->node->type == DDB_JSON_OBJECT && f->key == NULL) {
        f->key = ddb_arena_strndup(b->a, s, strlen(s)); /* a key: its text, whatever it would type as */
        return;
    }
    if (e->data.scalar.plain_implicit && tag == NULL)
        v = plain_scalar(b, s, n);
    else
        v = string(b, s, n);
    v = tagged(b, tag, v, &e->start_mark);
    b->nodes += n / SEED_YAML_NODE_BYTES; /* a long scalar counts as what it is, aliased or not */
    remember(b, arena_str(b, e->data.scalar.anchor), v, b->nodes - before);
    add(b, v, &e->start_mark);
}

static void open_collection(builder *b, const yaml_event_t *e, ddb_json_type type)
{
    frame *f;
    const yaml_char_t *anchor = type == DDB_JSON_OBJECT ? e->data.mapping_start.anchor : e->data.sequence_start.anchor;
    const yaml_char_t *tag = type == DDB_JSON_OBJECT ? e->data.mapping_start.tag : e->data.sequence_start.tag;

    if (b->depth == DDB_JSON_MAX_DEPTH) {
        fail(b, &e->start_mark, "the document nests deeper than %d levels", DDB_JSON_MAX_DEPTH);
        return;
    }
    f = &b->stack[b->depth++];
    memset(f, 0, sizeof(*f));
    f->nodes_at_start = b->nodes;
    f->node = node(b, type);
    f->anchor = arena_str(b, anchor);
    f->tag = arena_str(b, tag);
}

static void close_collection(builder *b, const yaml_event_t *e)
{
    frame *f = &b->stack[--b->depth];
    ddb_json *v = f->node;

    v->n = (uint32_t)f->n;
    if (v->type == DDB_JSON_OBJECT)
        v->u.members = f->n ? ddb_arena_memdup(b->a, f->members, f->n * sizeof(*f->members)) : NULL;
    else
        v->u.items = f->n ? ddb_arena_memdup(b->a, f->items, f->n * sizeof(*f->items)) : NULL;
    free(f->members);
    free(f->items);
    v = tagged(b, f->tag, v, &e->start_mark);
    remember(b, f->anchor, v, b->nodes - f->nodes_at_start);
    add(b, v, &e->start_mark);
}

static void alias(builder *b, const yaml_event_t *e)
{
    const anchor *an = find_anchor(b, (const char *)e->data.alias.anchor);

    if (an == NULL) {
        fail(b, &e->start_mark, "the alias *%s names no anchor before it", (const char *)e->data.alias.anchor);
        return;
    }
    b->nodes += an->size; /* what it expands to when the tree is walked */
    add(b, an->node, &e->start_mark);
}

/* One event into the tree; 0 at the stream's end. */
static int event(builder *b, const yaml_event_t *e)
{
    switch (e->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++b->documents > 1)
            fail(b, &e->start_mark, "%s", "more than one YAML document: a template is one");
        break;
    case YAML_SCALAR_EVENT:
        scalar(b, e);
        break;
    case YAML_MAPPING_START_EVENT:
        open_collection(b, e, DDB_JSON_OBJECT);
        break;
    case YAML_SEQUENCE_START_EVENT:
        open_collection(b, e, DDB_JSON_ARRAY);
        break;
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
        close_collection(b, e);
        break;
    case YAML_ALIAS_EVENT:
        alias(b, e);
        break;
    case YAML_STREAM_END_EVENT:
        return 0;
    default:
        break;
    }
    return 1;
}

ddb_json *seed_yaml_parse(ddb_arena *a, const char *text, size_t len, char *err, size_t errlen, unsigned *line)
{
    yaml_parser_t parser;
    yaml_event_t e;
    builder b;
    int more = 1;

    memset(&b, 0, sizeof(b));
    b.a = a;
    b.err = err;
    b.errlen = errlen;
    b.line = line;
    if (!yaml_parser_initialize(&parser))
        abort();
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    while (more && !b.failed) {
        if (!yaml_parser_parse(&parser, &e)) {
            fail(&b, &parser.problem_mark, "not valid YAML: %s%s%s", parser.problem ? parser.problem : "",
                 parser.context ? " " : "", parser.context ? parser.context : "");
            break;
        }
        more = event(&b, &e);
        yaml_event_delete(&e);
    }
    while (b.depth > 0) { /* stopped part way: the open frames' lists */
        b.depth--;
        free(b.stack[b.depth].members);
        free(b.stack[b.depth].items);
    }
    yaml_parser_delete(&parser);
    free(b.anchors);
    if (!b.failed && b.root == NULL)
        fail(&b, NULL, "%s", "an empty document");
    return b.failed ? NULL : b.root;
}
