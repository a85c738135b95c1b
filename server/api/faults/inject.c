/*
 * server/api/faults/inject.c: the injected faults' rules and the pipeline's decision (see inject.h).
 */
#include "server/api/faults/inject.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "proto/ops.h"
#include "server/api/dispatch.h"
#include "server/api/rates.h"
#include "server/base/alloc.h"
#include "server/base/arn.h"
#include "server/base/clock.h"
#include "server/base/faults.h"

/* The texts DynamoDB answers with: the developer guide's error list, and the throughput errors' texts
   captured from DynamoDB (engine/capacity/throttle.c answers them too; docs/compatibility.md, "Capacity
   enforcement" names the captures); an internal error's is base/error.h's DDB_MSG_INTERNAL. */
#define UNAVAILABLE_TEXT "DynamoDB is currently unavailable. (This should be a temporary state.)"
#define RATE_TEXT DDB_RATE_TEXT /* a control plane call's (rates.h) */
#define HOT_TEXT                                                                                                       \
    "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your table "   \
    "or index so please try again shortly. If exceptions persist, check if you have a hot key: "                      \
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html"
#define TABLE_TEXT                                                                                                     \
    "The level of configured provisioned throughput for the table was exceeded. Consider increasing your "            \
    "provisioning level with the UpdateTable API."
#define ACCOUNT_TEXT                                                                                                   \
    "Throughput exceeds the current throughput limit for your account. Please contact AWS Support at "                \
    "https://aws.amazon.com/support request a limit increase"
#define CONFLICT_TEXT "Transaction is ongoing for the item"

#define ANY_OP (-1)
#define READ_OPS (-2)
#define WRITE_OPS (-3)

typedef struct rule {
    int op;                 /* a ddb_op, or ANY_OP, READ_OPS, WRITE_OPS */
    char table[256];        /* "" any */
    int kind;               /* ddb_inject_kind */
    long long count;        /* as given; -1: no limit */
    long long remaining;    /* of count */
    double probability;     /* 0..1 */
    unsigned latency_ms;    /* ReplicationLag: the replication's, not the answer's */
    long long after_ms, for_ms; /* the window, from when the rule was added; -1: open */
    uint64_t added_ms;      /* the server's clock then */
    char message[256];      /* "" the kind's own */
    char reason[64];        /* ThrottlingReasons' reason; "" the kind's own */
    uint64_t rng;           /* the rule's generator (splitmix64) */
    unsigned long long injected;
} rule;

/* One server's rules, their seed and counts: each server its own (two in one process, as the
   in-process tests open, share none of them). */
struct ddb_inject {
    int *armed; /* the pipeline's flag (ddb_api.inject_armed): nrules > 0, written under the lock */
    pthread_mutex_t lock;
    rule rules[DDB_INJECT_MAX_RULES];
    unsigned nrules, nadded;
    unsigned long long seed;
    unsigned long long injected[DDB_OP__COUNT][DDB_INJECT__COUNT]; /* atomic: /metrics reads without the lock */
};

#define DEFAULT_SEED 0x6464626466617531ull /* "ddbdfau1": a run repeats without --fault-seed too */

static const char *const KIND_NAMES[] = {
#define X(id, name, code) name,
    DDB_INJECT_KINDS(X)
#undef X
};
static const int KIND_CODES[] = {
#define X(id, name, code) code,
    DDB_INJECT_KINDS(X)
#undef X
};

static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* ---- rules, as written ---- */

/* A fault as the operation's answer names it: a BatchGetItem's unprocessed half is UnprocessedKeys
   (UnprocessedItems is BatchWriteItem's member), in /metrics, the access log and the rules listed. */
static const char *fault_name(int kind, int op)
{
    return kind == DDB_INJECT_UNPROCESSED && op == DDB_OP_BatchGetItem ? "UnprocessedKeys" : KIND_NAMES[kind];
}


static int kind_of(const char *s)
{
    static const struct {
        const char *alias;
        int kind;
    } ALIASES[] = {{"ServiceUnavailable", DDB_INJECT_UNAVAILABLE},
                   {"TransactionConflictException", DDB_INJECT_CONFLICT},
                   {"UnprocessedKeys", DDB_INJECT_UNPROCESSED}};

    for (int k = 0; k < DDB_INJECT__COUNT; k++)
        if (strcmp(s, KIND_NAMES[k]) == 0)
            return k;
    for (size_t i = 0; i < sizeof(ALIASES) / sizeof(ALIASES[0]); i++)
        if (strcmp(s, ALIASES[i].alias) == 0)
            return ALIASES[i].kind;
    return -1;
}

static int op_of(const char *s)
{
    ddb_op op;

    if (strcmp(s, "*") == 0)
        return ANY_OP;
    if (strcmp(s, "read") == 0)
        return READ_OPS;
    if (strcmp(s, "write") == 0)
        return WRITE_OPS;
    op = ddb_op_from_name(s, strlen(s));
    return op == DDB_OP_NONE ? DDB_OP_NONE : (int)op;
}

static const char *op_text(int op)
{
    return op == ANY_OP ? "*" : op == READ_OPS ? "read" : op == WRITE_OPS ? "write" : ddb_op_name((ddb_op)op);
}

/* A whole non-negative decimal number (at most max) in *out, or -1. */
static int number(const char *s, long long max, long long *out)
{
    char *end;
    long long n = strtoll(s, &end, 10);

    if (*s < '0' || *s > '9' || *end != '\0' || n < 0 || n > max)
        return -1;
    *out = n;
    return 0;
}

/* Sets one member of r; NULL, or what is wrong. */
static const char *set_member(rule *r, const char *key, const char *val, char *err, size_t errlen)
{
    long long n;
    char *end;

    if (strcmp(key, "operation") == 0) {
        if ((r->op = op_of(val)) == DDB_OP_NONE)
            return snprintf(err, errlen, "no DynamoDB operation is named '%s' (or use \"*\", \"read\", \"write\")", val), err;
    } else if (strcmp(key, "table") == 0) {
        if (strlen(val) >= sizeof(r->table))
            return "a table name is at most 255 characters";
        snprintf(r->table, sizeof(r->table), "%s", strcmp(val, "*") == 0 ? "" : val);
    } else if (strcmp(key, "error") == 0) {
        if ((r->kind = kind_of(val)) < 0)
            return snprintf(err, errlen, "no injected fault is named '%s'", val), err;
    } else if (strcmp(key, "count") == 0) {
        if (number(val, 1LL << 40, &r->count) != 0)
            return "\"count\" is a whole number of requests";
        r->remaining = r->count;
    } else if (strcmp(key, "probability") == 0) {
        r->probability = strtod(val, &end);
        if (*val == '\0' || *end != '\0' || !(r->probability >= 0 && r->probability <= 1))
            return "\"probability\" is a number from 0 to 1";
    } else if (strcmp(key, "latency_ms") == 0) {
        if (number(val, 600000, &n) != 0)
            return "\"latency_ms\" is a whole number of milliseconds, at most 600000";
        r->latency_ms = (unsigned)n;
    } else if (strcmp(key, "after_ms") == 0 || strcmp(key, "for_ms") == 0) {
        if (number(val, 1LL << 50, key[0] == 'a' ? &r->after_ms : &r->for_ms) != 0)
            return "\"after_ms\" and \"for_ms\" are whole numbers of milliseconds";
    } else if (strcmp(key, "message") == 0 || strcmp(key, "reason") == 0) {
        char *to = key[0] == 'm' ? r->message : r->reason;
        size_t cap = key[0] == 'm' ? sizeof(r->message) : sizeof(r->reason);
        if (strlen(val) >= cap)
            return "\"message\" is at most 255 characters, \"reason\" 63";
        memcpy(to, val, strlen(val) + 1);
    } else {
        return snprintf(err, errlen,
                        "unknown member '%s' (operation, table, error, count, probability, latency_ms, after_ms, "
                        "for_ms, message, reason)",
                        key),
               err;
    }
    return NULL;
}

static void rule_init(rule *r)
{
    memset(r, 0, sizeof(*r));
    r->op = ANY_OP;
    r->kind = -1;
    r->count = r->remaining = -1;
    r->probability = 1;
    r->after_ms = r->for_ms = -1;
}

/* A rule as written is whole: something to inject (a replication lag spike: how long). */
static const char *rule_check(rule *r)
{
    if (r->kind < 0 && r->latency_ms == 0)
        return "a fault needs \"error\" (InternalServerError, ServiceUnavailableException, ThrottlingException, "
               "ProvisionedThroughputExceededException, RequestLimitExceeded, TransactionConflict, UnprocessedItems, "
               "StreamLag, ReplicationLag) or \"latency_ms\"";
    if (r->kind == DDB_INJECT_REPLICATION_LAG && r->latency_ms == 0)
        return "\"ReplicationLag\" needs \"latency_ms\": how much later the writes reach the other replicas";
    if (r->kind < 0)
        r->kind = DDB_INJECT_LATENCY;
    return NULL;
}

/* Appends the rules (under the lock), each with its own generator. */
static const char *add_rules(ddb_inject *in, rule *add, unsigned n)
{
    pthread_mutex_lock(&in->lock);
    if (in->nrules + n > DDB_INJECT_MAX_RULES) {
        pthread_mutex_unlock(&in->lock);
        return "at most 64 faults at once (DELETE /ddbd/faults clears them)";
    }
    for (unsigned i = 0; i < n; i++) {
        add[i].added_ms = ddb_clock_now_ms();
        add[i].rng = in->seed ^ (0x9e3779b97f4a7c15ull * ++in->nadded);
        in->rules[in->nrules++] = add[i];
    }
    __atomic_store_n(in->armed, in->nrules > 0, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&in->lock);
    return NULL;
}

ddb_inject *ddb_inject_new(int *armed)
{
    ddb_inject *in = ddb_zalloc(sizeof(*in));

    in->armed = armed;
    in->seed = DEFAULT_SEED;
    pthread_mutex_init(&in->lock, NULL);
    __atomic_store_n(armed, 0, __ATOMIC_RELEASE);
    return in;
}

void ddb_inject_free(ddb_inject *in)
{
    if (in == NULL)
        return;
    __atomic_store_n(in->armed, 0, __ATOMIC_RELEASE);
    pthread_mutex_destroy(&in->lock);
    free(in);
}

void ddb_inject_seed(ddb_inject *in, unsigned long long s)
{
    pthread_mutex_lock(&in->lock);
    in->seed = s;
    in->nadded = 0;
    pthread_mutex_unlock(&in->lock);
    ddb_fault_seed(s); /* the conflict rates' draws too (faults.h; those are still the process's) */
}

/* --fault's "key=value,key=value" form into r; NULL, or what is wrong. */
static const char *parse_spec(const char *spec, rule *r, char *err, size_t errlen)
{
    char buf[1024], *save = NULL, *pair;
    const char *bad;

    if (strlen(spec) >= sizeof(buf))
        return "--fault SPEC is at most 1023 characters";
    snprintf(buf, sizeof(buf), "%s", spec);
    rule_init(r);
    for (pair = strtok_r(buf, ",", &save); pair != NULL; pair = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(pair, '=');
        if (eq == NULL)
            return snprintf(err, errlen, "--fault wants key=value pairs, comma-separated (got '%s')", pair), err;
        *eq = '\0';
        if ((bad = set_member(r, pair, eq + 1, err, errlen)) != NULL)
            return bad;
    }
    return rule_check(r);
}

const char *ddb_inject_check_spec(const char *spec, char *err, size_t errlen)
{
    rule r;

    return parse_spec(spec, &r, err, errlen);
}

const char *ddb_inject_add_spec(ddb_inject *in, const char *spec, char *err, size_t errlen)
{
    rule r;
    const char *bad = parse_spec(spec, &r, err, errlen);

    return bad != NULL ? bad : add_rules(in, &r, 1);
}

const char *ddb_inject_add_json(ddb_inject *inj, const ddb_json *in, char *err, size_t errlen)
{
    const ddb_json *list = ddb_json_get(in, "faults"), *s = ddb_json_get(in, "seed");
    rule add[DDB_INJECT_MAX_RULES];
    const char *bad;
    long long n;

    if (list == NULL || list->type != DDB_JSON_ARRAY)
        return "expected {\"faults\": [{\"operation\": ..., \"table\": ..., \"error\": ..., \"count\": ...}]}";
    if (list->n > DDB_INJECT_MAX_RULES)
        return "at most 64 faults at once (DELETE /ddbd/faults clears them)";
    if (s != NULL && (s->type != DDB_JSON_NUMBER || number(s->u.s, 1LL << 62, &n) != 0))
        return "\"seed\" is a whole number";
    for (uint32_t i = 0; i < list->n; i++) {
        const ddb_json *f = list->u.items[i];
        rule_init(&add[i]);
        if (f->type != DDB_JSON_OBJECT)
            return "each fault is an object";
        for (uint32_t m = 0; m < f->n; m++) {
            const ddb_json *v = f->u.members[m].val;
            if (v->type != DDB_JSON_STRING && v->type != DDB_JSON_NUMBER)
                return snprintf(err, errlen, "\"%s\" is a string or a number", f->u.members[m].key), err;
            if ((bad = set_member(&add[i], f->u.members[m].key, v->u.s, err, errlen)) != NULL)
                return bad;
        }
        if ((bad = rule_check(&add[i])) != NULL)
            return bad;
    }
    if (s != NULL)
        ddb_inject_seed(inj, (unsigned long long)n);
    return add_rules(inj, add, list->n);
}

void ddb_inject_clear(ddb_inject *in)
{
    pthread_mutex_lock(&in->lock);
    in->nrules = 0;
    in->nadded = 0;
    __atomic_store_n(in->armed, 0, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&in->lock);
}

/* A rule's window as it was given (after_ms, for_ms: each only when set), so that a listing shows
   when the rule fires, not only whether it has. */
static void list_window(const rule *r, ddb_jw *w)
{
    if (r->after_ms >= 0)
        ddb_jw_member_int(w, "after_ms", r->after_ms);
    if (r->for_ms >= 0)
        ddb_jw_member_int(w, "for_ms", r->for_ms);
}

void ddb_inject_list(ddb_inject *in, ddb_jw *w)
{
    pthread_mutex_lock(&in->lock);
    ddb_jw_member_int(w, "seed", (long long)in->seed);
    ddb_jw_key(w, "faults");
    ddb_jw_arr_begin(w);
    for (unsigned i = 0; i < in->nrules; i++) {
        const rule *r = &in->rules[i];
        ddb_jw_obj_begin(w);
        ddb_jw_member_str(w, "operation", op_text(r->op));
        ddb_jw_member_str(w, "table", r->table[0] ? r->table : "*");
        ddb_jw_member_str(w, "error", fault_name(r->kind, r->op));
        if (r->count >= 0) {
            ddb_jw_member_int(w, "count", r->count);
            ddb_jw_member_int(w, "remaining", r->remaining);
        }
        ddb_jw_member_double(w, "probability", r->probability);
        if (r->latency_ms > 0)
            ddb_jw_member_int(w, "latency_ms", r->latency_ms);
        list_window(r, w);
        ddb_jw_member_int(w, "injected", (long long)r->injected);
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
    pthread_mutex_unlock(&in->lock);
}

void ddb_inject_metrics(ddb_inject *in, ddb_buf *out)
{
    ddb_buf_puts(out, "# HELP ddbd_faults_injected_total Faults injected into requests (--fault, /ddbd/faults), by "
                      "operation and fault.\n# TYPE ddbd_faults_injected_total counter\n");
    for (int op = 0; op < DDB_OP__COUNT; op++) {
        for (int k = 0; k < DDB_INJECT__COUNT; k++) {
            unsigned long long n = __atomic_load_n(&in->injected[op][k], __ATOMIC_RELAXED);
            if (n > 0)
                ddb_buf_printf(out, "ddbd_faults_injected_total{operation=\"%s\",error=\"%s\"} %llu\n",
                               ddb_op_name((ddb_op)op), fault_name(k, op), n);
        }
    }
}

/* ---- the decision ---- */

/* The request's table entries: TableName, RequestItems' members, TransactItems' actions'. */
static int names_table(const ddb_json *in, const char *table)
{
    const char *name = ddb_json_get_str(in, "TableName");
    const ddb_json *items = ddb_json_get(in, "RequestItems"), *acts = ddb_json_get(in, "TransactItems");
    static const char *const ACTIONS[] = {"Put", "Update", "Delete", "ConditionCheck", "Get"};

    if (name != NULL)
        return strcmp(name, table) == 0;
    if (items != NULL && items->type == DDB_JSON_OBJECT)
        return ddb_json_get(items, table) != NULL;
    for (uint32_t i = 0; acts != NULL && acts->type == DDB_JSON_ARRAY && i < acts->n; i++)
        for (size_t k = 0; k < sizeof(ACTIONS) / sizeof(ACTIONS[0]); k++)
            if ((name = ddb_json_get_str(ddb_json_get(acts->u.items[i], ACTIONS[k]), "TableName")) != NULL &&
                strcmp(name, table) == 0)
                return 1;
    return 0;
}

/* Requests in a batch: RequestItems' writes or keys. */
static uint32_t batch_size(const ddb_req *req)
{
    const ddb_json *items = ddb_json_get(req->in, "RequestItems");
    uint32_t n = 0;

    for (uint32_t i = 0; items != NULL && items->type == DDB_JSON_OBJECT && i < items->n; i++) {
        const ddb_json *v = items->u.members[i].val;
        n += req->op == DDB_OP_BatchGetItem ? ddb_json_get(v, "Keys") ? ddb_json_get(v, "Keys")->n : 0 : v->n;
    }
    return n;
}

/* The operations that write items, and so make records a global table replicates (PartiQL's whatever
   their statements: a SELECT spends a count too). */
static int writes_items(int op)
{
    switch (op) {
    case DDB_OP_PutItem:
    case DDB_OP_UpdateItem:
    case DDB_OP_DeleteItem:
    case DDB_OP_BatchWriteItem:
    case DDB_OP_TransactWriteItems:
    case DDB_OP_ExecuteStatement:
    case DDB_OP_BatchExecuteStatement:
    case DDB_OP_ExecuteTransaction:
        return 1;
    default:
        return 0;
    }
}

static int op_matches(int want, int op)
{
    if (want == ANY_OP)
        return 1;
    if (want == READ_OPS || want == WRITE_OPS)
        return !(ddb_op_flags((ddb_op)op) & DDB_OPF_READ) == (want == WRITE_OPS);
    return want == op;
}

/* r applies to req now (kinds that only some operations have apply only to those). */
static int applies(const rule *r, const ddb_req *req, uint64_t now)
{
    if (r->remaining == 0 || !op_matches(r->op, req->op) || (r->table[0] && !names_table(req->in, r->table)))
        return 0;
    if (r->after_ms >= 0 && now < r->added_ms + (uint64_t)r->after_ms)
        return 0;
    if (r->for_ms >= 0 && now >= r->added_ms + (uint64_t)(r->after_ms > 0 ? r->after_ms : 0) + (uint64_t)r->for_ms)
        return 0;
    if (r->kind == DDB_INJECT_UNPROCESSED)
        return (req->op == DDB_OP_BatchWriteItem || req->op == DDB_OP_BatchGetItem) && batch_size(req) >= 2;
    if (r->kind == DDB_INJECT_STREAM_LAG)
        return req->op == DDB_OP_GetRecords;
    if (r->kind == DDB_INJECT_REPLICATION_LAG)
        return writes_items(req->op);
    return 1;
}

/* The first table the request names, for ThrottlingReasons' resource. */
static const char *first_table(const ddb_req *req)
{
    const ddb_json *items = ddb_json_get(req->in, "RequestItems"), *acts = ddb_json_get(req->in, "TransactItems");
    const char *name = req->table; /* an ARN resolved to its name by validation */
    static const char *const ACTIONS[] = {"Put", "Update", "Delete", "ConditionCheck", "Get"};

    if (name == NULL && items != NULL && items->type == DDB_JSON_OBJECT && items->n > 0)
        name = items->u.members[0].key;
    for (uint32_t i = 0; name == NULL && acts != NULL && acts->type == DDB_JSON_ARRAY && i < acts->n; i++)
        for (size_t k = 0; name == NULL && k < sizeof(ACTIONS) / sizeof(ACTIONS[0]); k++)
            name = ddb_json_get_str(ddb_json_get(acts->u.items[i], ACTIONS[k]), "TableName");
    return name;
}

/*
 * The throughput errors as DynamoDB answers them since 2025: with ThrottlingReasons naming why
 * (Table + Read|Write + the limit) and the table's ARN. A request that names no table (a control
 * plane call) gets ThrottlingException's rate text and no reasons, as DynamoDB's control plane sends.
 */
static void throughput_error(ddb_req *req, const rule *r, int code)
{
    const char *table = first_table(req), *limit, *text;
    const char *rw = ddb_op_flags((ddb_op)req->op) & DDB_OPF_READ ? "Read" : "Write";

    limit = code == DDB_E_THROUGHPUT_EXCEEDED ? "ProvisionedThroughputExceeded"
            : code == DDB_E_REQUEST_LIMIT_EXCEEDED ? "AccountLimitExceeded"
                                                   : "KeyRangeThroughputExceeded";
    text = code == DDB_E_THROUGHPUT_EXCEEDED ? TABLE_TEXT : code == DDB_E_REQUEST_LIMIT_EXCEEDED ? ACCOUNT_TEXT
           : table != NULL                   ? HOT_TEXT
                                             : RATE_TEXT;
    ddb_req_fail_msg(req, code, r->message[0] ? ddb_arena_strndup(req->arena, r->message, strlen(r->message)) : text);
    if (table == NULL)
        return;
    req->err.throttle_reason =
        r->reason[0] ? ddb_arena_strndup(req->arena, r->reason, strlen(r->reason)) : ddb_arena_sprintf(req->arena, "Table%s%s", rw, limit);
    req->err.throttle_resource =
        ddb_arn_table(req->arena, req->region, req->account != NULL ? req->account : DDB_DEFAULT_ACCOUNT, table, NULL,
                      NULL);
}

/* TransactionCanceledException with one action's reason TransactionConflict (picked by the rule's
   generator), the others None, in DynamoDB's words. */
static void transaction_conflict(ddb_req *req, uint32_t n, uint32_t at)
{
    ddb_cancel_reason *reasons = DDB_NEW_ARRAY(req->arena, ddb_cancel_reason, n);

    reasons[at].code = "TransactionConflict";
    reasons[at].msg = CONFLICT_TEXT;
    ddb_req_fail_cancelled(req, reasons, n);
}

/* What rule r does to req (its draw `pick` chooses a transaction's conflicting action). */
static void inject(ddb_inject *in, ddb_req *req, const rule *r, uint64_t pick)
{
    const ddb_json *acts = ddb_json_get(req->in, req->op == DDB_OP_ExecuteTransaction ? "TransactStatements" : "TransactItems");
    int code = KIND_CODES[r->kind];

    req->fault = fault_name(r->kind, req->op);
    req->fault_delay_ms = r->kind == DDB_INJECT_REPLICATION_LAG ? 0 : r->latency_ms;
    if (r->kind == DDB_INJECT_REPLICATION_LAG)
        req->fault_repl_hold_ms = r->latency_ms; /* each of its writes' records waits that long */
    else if (r->kind == DDB_INJECT_UNPROCESSED)
        req->fault_unprocessed = batch_size(req) / 2;
    else if (r->kind == DDB_INJECT_STREAM_LAG)
        req->fault_stream_lag = 1;
    else if (r->kind == DDB_INJECT_CONN_RESET)
        req->fault_conn = DDB_CONN_FAULT_RESET;
    else if (r->kind == DDB_INJECT_TRUNCATED)
        req->fault_conn = DDB_CONN_FAULT_TRUNCATE;
    else if (r->kind == DDB_INJECT_BAD_CRC)
        req->fault_conn = DDB_CONN_FAULT_BAD_CRC;
    else if (r->kind == DDB_INJECT_CONFLICT && acts != NULL && acts->type == DDB_JSON_ARRAY && acts->n > 0)
        transaction_conflict(req, acts->n, (uint32_t)(pick % acts->n));
    else if (r->kind == DDB_INJECT_CONFLICT)
        ddb_req_fail_msg(req, DDB_E_TRANSACTION_CONFLICT, r->message[0] ? ddb_arena_strndup(req->arena, r->message, strlen(r->message)) : CONFLICT_TEXT);
    else if (code == DDB_E_THROTTLING || code == DDB_E_THROUGHPUT_EXCEEDED || code == DDB_E_REQUEST_LIMIT_EXCEEDED)
        throughput_error(req, r, code);
    else if (code != 0)
        ddb_req_fail_msg(req, code,
                         r->message[0] ? ddb_arena_strndup(req->arena, r->message, strlen(r->message))
                         : code == DDB_E_INTERNAL ? DDB_MSG_INTERNAL
                                                  : UNAVAILABLE_TEXT);
    __atomic_add_fetch(&in->injected[req->op][r->kind], 1, __ATOMIC_RELAXED);
}

void ddb_inject_decide(ddb_inject *in, ddb_req *req)
{
    uint64_t now = ddb_clock_now_ms(), pick = 0;
    rule fired;
    int found = 0;

    if (req->internal || req->op <= DDB_OP_NONE || req->op >= DDB_OP__COUNT)
        return;
    pthread_mutex_lock(&in->lock);
    for (unsigned i = 0; i < in->nrules && !found; i++) {
        rule *r = &in->rules[i];
        if (!applies(r, req, now))
            continue;
        /* a draw only when the rule applies, so that what other requests do leaves its sequence alone */
        if (r->probability < 1 && (double)(next(&r->rng) >> 11) * 0x1.0p-53 >= r->probability)
            continue;
        pick = next(&r->rng);
        if (r->remaining > 0)
            r->remaining--;
        r->injected++;
        fired = *r;
        found = 1;
    }
    pthread_mutex_unlock(&in->lock);
    if (found)
        inject(in, req, &fired, pick);
}
