/*
 * client/cli/replay_tokens.c: what a recorded server handed out stood for by the replay's own (see
 * replay_tokens.h). The values are kept raw, as their JSON strings' contents (escapes kept): a
 * recorded request names one as the recorded answer wrote it, and the replay's goes into the
 * request as its server wrote it, so nothing is unescaped or escaped again.
 */
#include "client/cli/replay_tokens.h"

#include <stdlib.h>
#include <string.h>

/* Where answers hand out values: the operation, the member of its answer that holds them (an
   object, or an array of objects; NULL: the answer itself), and the member that is the value. */
static const struct handed {
    const char *op, *in, *member;
} HANDED[] = {
    {"GetShardIterator", NULL, "ShardIterator"},
    {"GetRecords", NULL, "NextShardIterator"},
    {"CreateBackup", "BackupDetails", "BackupArn"},
    {"ListBackups", "BackupSummaries", "BackupArn"},
    {"ExportTableToPointInTime", "ExportDescription", "ExportArn"},
    {"ListExports", "ExportSummaries", "ExportArn"},
    {"ListExports", NULL, "NextToken"},
    {"ImportTable", "ImportTableDescription", "ImportArn"},
    {"ListImports", "ImportSummaryList", "ImportArn"},
    {"ListImports", NULL, "NextToken"},
    {"StartBulkPutItems", NULL, "BulkOperationArn"},
    {"ListBulkOperations", "BulkOperationsSummaryList", "BulkOperationArn"},
    {"ListBulkOperations", NULL, "NextToken"},
};

/* The request members that name a value handed out (whatever the operation: a value is found by
   itself, and an id or token is no other's). */
static const char *const NAMED[] = {"ShardIterator", "BackupArn", "ExclusiveStartBackupArn", "ExportArn",
                                    "ImportArn", "BulkOperationArn", "NextToken"};

#define BUCKETS (2 * RP_TOKENS_KEEP) /* a power of two */

typedef struct entry {
    char *rec; /* the recorded value (NULL: a free slot) */
    size_t rlen;
    char *rep; /* the replay's stand-in; NULL until its request is answered again with one */
    size_t plen;
    uint64_t seq;      /* the (latest) request that got it */
    uint32_t hash;
    unsigned next;     /* the next entry of its bucket, its index + 1 (0: none) */
} entry;

struct rp_tokens {
    entry e[RP_TOKENS_KEEP];
    unsigned bucket[BUCKETS]; /* each chain's first entry, its index + 1 */
    size_t added;             /* the next entry goes in slot added % RP_TOKENS_KEEP, the oldest's */
};

static uint32_t hash_of(const char *p, size_t n)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 16777619u;
    return h;
}

static char *dup(const char *p, size_t n)
{
    char *s = malloc(n + 1);

    if (s == NULL)
        abort();
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

rp_tokens *rp_tokens_new(void)
{
    rp_tokens *it = calloc(1, sizeof(*it));

    if (it == NULL)
        abort();
    return it;
}

void rp_tokens_free(rp_tokens *it)
{
    for (size_t i = 0; it != NULL && i < RP_TOKENS_KEEP; i++) {
        free(it->e[i].rec);
        free(it->e[i].rep);
    }
    free(it);
}

static entry *find(rp_tokens *it, ddb_jspan s)
{
    uint32_t h = hash_of(s.p, s.n);

    for (unsigned i = it->bucket[h & (BUCKETS - 1)]; i != 0; i = it->e[i - 1].next) {
        entry *e = &it->e[i - 1];
        if (e->hash == h && e->rlen == s.n && memcmp(e->rec, s.p, s.n) == 0)
            return e;
    }
    return NULL;
}

/* Slot `slot` forgotten: out of its chain, its strings freed. */
static void forget(rp_tokens *it, unsigned slot)
{
    entry *e = &it->e[slot];
    unsigned *link = &it->bucket[e->hash & (BUCKETS - 1)];

    while (*link != 0 && *link != slot + 1)
        link = &it->e[*link - 1].next;
    if (*link != 0)
        *link = e->next;
    free(e->rec);
    free(e->rep);
    memset(e, 0, sizeof(*e));
}

int rp_tokens_hands_out(ddb_jspan op)
{
    for (size_t i = 0; i < sizeof(HANDED) / sizeof(HANDED[0]); i++)
        if (ddb_jspan_is(op, HANDED[i].op))
            return 1;
    return 0;
}

/* The values an answer hands out, in their order (HANDED's rows, then each array's elements). */
typedef struct values {
    ddb_jspan *v;
    size_t n, cap;
    const char *member;
} values;

static int add_value(void *arg, ddb_jspan elem)
{
    values *vs = arg;
    ddb_jspan s = ddb_jscan_string(ddb_jscan_member(elem, vs->member));

    if (vs->n == vs->cap && (vs->v = realloc(vs->v, (vs->cap = vs->cap * 2 + 4) * sizeof(ddb_jspan))) == NULL)
        abort();
    vs->v[vs->n++] = s; /* (an element without one keeps its place: {NULL, 0}) */
    return 0;
}

static void handed_in(ddb_jspan op, ddb_jspan answer, values *vs)
{
    vs->n = 0;
    for (size_t i = 0; i < sizeof(HANDED) / sizeof(HANDED[0]); i++) {
        ddb_jspan in = HANDED[i].in != NULL ? ddb_jscan_member(answer, HANDED[i].in) : answer;
        if (!ddb_jspan_is(op, HANDED[i].op) || in.p == NULL)
            continue;
        vs->member = HANDED[i].member;
        if (in.n > 0 && in.p[0] == '[') /* (a member's span starts at its value) */
            ddb_jscan_each_element(in, add_value, vs);
        else
            add_value(vs, in);
    }
}

/* Value s handed out by request seq. */
static void note(rp_tokens *it, ddb_jspan s, uint64_t seq)
{
    entry *e;
    unsigned slot;

    if ((e = find(it, s)) != NULL) { /* handed out again: the later request's stands for it */
        e->seq = seq;
        free(e->rep);
        e->rep = NULL;
        return;
    }
    slot = (unsigned)(it->added++ % RP_TOKENS_KEEP);
    if (it->e[slot].rec != NULL)
        forget(it, slot);
    e = &it->e[slot];
    *e = (entry){dup(s.p, s.n), s.n, NULL, 0, seq, hash_of(s.p, s.n), 0};
    e->next = it->bucket[e->hash & (BUCKETS - 1)];
    it->bucket[e->hash & (BUCKETS - 1)] = slot + 1;
}

void rp_tokens_handed(rp_tokens *it, ddb_jspan op, ddb_jspan response, uint64_t seq)
{
    values vs = {0};

    handed_in(op, response, &vs);
    for (size_t i = 0; i < vs.n; i++)
        if (vs.v[i].p != NULL)
            note(it, vs.v[i], seq);
    free(vs.v);
}

/* The request's member that names a value handed out, found in one pass over its members. */
typedef struct naming {
    rp_tokens *it;
    ddb_jspan value; /* its string's contents */
    entry *e;
} naming;

static int names_one(void *arg, ddb_jspan key, ddb_jspan val)
{
    naming *nm = arg;

    for (size_t i = 0; i < sizeof(NAMED) / sizeof(NAMED[0]); i++) {
        ddb_jspan s;
        if (!ddb_jspan_is(key, NAMED[i]) || (s = ddb_jscan_string(val)).p == NULL)
            continue;
        if ((nm->e = find(nm->it, s)) != NULL) {
            nm->value = s;
            return 1;
        }
    }
    return 0;
}

static entry *named(rp_tokens *it, ddb_jspan request, ddb_jspan *s)
{
    naming nm = {it, {NULL, 0}, NULL};

    if (it->added == 0) /* (nothing handed out: most recordings) */
        return NULL;
    ddb_jscan_each_member(request, names_one, &nm);
    *s = nm.value;
    return nm.e;
}

int rp_tokens_named(rp_tokens *it, ddb_jspan request, uint64_t *seq, int *known)
{
    ddb_jspan s;
    entry *e = named(it, request, &s);

    if (e == NULL)
        return 0;
    *seq = e->seq;
    *known = e->rep != NULL;
    return 1;
}

void rp_tokens_answered(rp_tokens *it, ddb_jspan op, ddb_jspan response, const char *body, size_t len)
{
    values rec = {0}, rep = {0};

    handed_in(op, response, &rec);
    handed_in(op, (ddb_jspan){body, len}, &rep);
    for (size_t i = 0; i < rec.n && i < rep.n; i++) { /* each value by its place */
        entry *e = rec.v[i].p != NULL && rep.v[i].p != NULL ? find(it, rec.v[i]) : NULL;
        if (e == NULL)
            continue;
        free(e->rep);
        e->rep = dup(rep.v[i].p, rep.v[i].n);
        e->plen = rep.v[i].n;
    }
    free(rec.v);
    free(rep.v);
}

char *rp_tokens_rewrite(rp_tokens *it, ddb_jspan request, size_t *len)
{
    ddb_jspan s;
    entry *e = named(it, request, &s);
    size_t head, tail;
    char *out;

    if (e == NULL || e->rep == NULL)
        return NULL;
    head = (size_t)(s.p - request.p);                   /* up to the string's contents, its quote kept */
    tail = request.n - (size_t)(s.p + s.n - request.p); /* from its closing quote on */
    *len = head + e->plen + tail;
    if ((out = malloc(*len + 1)) == NULL)
        abort();
    memcpy(out, request.p, head);
    memcpy(out + head, e->rep, e->plen);
    memcpy(out + head + e->plen, s.p + s.n, tail);
    out[*len] = '\0';
    return out;
}
