/*
 * client/cli/replay_check.c: --check's comparison of a replayed answer with the recorded one (see
 * replay_check.h): both written canonically, object members sorted, the members that legitimately
 * differ left out (IGNORED: times, ids, stream positions, ARNs), the elements of sets (SS, NS, BS)
 * and of the lists whose order DynamoDB leaves open (BatchGetItem's Responses of a table,
 * ConsumedCapacity) sorted, numbers as their value. An error is compared by its status and __type
 * (its message is not). A NextToken is compared by its presence: it is opaque, and some hold an id.
 */
#include "client/cli/replay_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "client/cli/replay_order.h"
#include "proto/buf.h"
#include "proto/json.h"

/* Members whose values differ between two runs of the same requests. */
static const char *const IGNORED[] = {"TableId", "LatestStreamLabel", "StreamLabel", "SequenceNumber",
                                      "ShardIterator", "NextShardIterator", "eventID", "ResponseMetadata",
                                      "ExportManifest" /* (the export's id in its path) */};

/* ---- JSON written back, plainly or canonically ---- */

static void put_string(ddb_buf *b, const char *s)
{
    ddb_buf_putc(b, '"');
    ddb_json_escape(b, s, strlen(s));
    ddb_buf_putc(b, '"');
}

static int ignored(const char *key)
{
    size_t n = strlen(key);

    for (size_t i = 0; i < sizeof(IGNORED) / sizeof(IGNORED[0]); i++)
        if (strcmp(key, IGNORED[i]) == 0)
            return 1;
    /* times (CreationDateTime, ...) and ARNs (an account's, a stream's or a backup's time in them) */
    return (n >= 8 && strcmp(key + n - 8, "DateTime") == 0) || (n >= 3 && strcmp(key + n - 3, "Arn") == 0);
}

/* A token compared by its presence (a NextToken: opaque, an export's id in some: replay_tokens.h). */
static int opaque(const char *key, yajl_val v)
{
    return strcmp(key, "NextToken") == 0 && v != NULL && v->type == yajl_t_string;
}

static void emit(ddb_buf *b, yajl_val v, int canon, int unordered);

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_key(const void *a, const void *b, void *obj)
{
    yajl_val o = obj;
    return strcmp(o->u.object.keys[*(const size_t *)a], o->u.object.keys[*(const size_t *)b]);
}

static void emit_object(ddb_buf *b, yajl_val v, int canon)
{
    size_t n = v->u.object.len, *order = malloc((n + 1) * sizeof(size_t)), k = 0;
    int responses_of_tables = 0;

    if (order == NULL)
        abort();
    for (size_t i = 0; i < n; i++)
        if (!canon || !ignored(v->u.object.keys[i]))
            order[k++] = i;
    if (canon)
        qsort_r(order, k, sizeof(size_t), cmp_key, v);
    ddb_buf_append(b, "{", 1);
    for (size_t i = 0; i < k; i++) {
        const char *key = v->u.object.keys[order[i]];
        yajl_val val = v->u.object.values[order[i]];
        int unordered = canon && (strcmp(key, "SS") == 0 || strcmp(key, "NS") == 0 || strcmp(key, "BS") == 0 ||
                                  strcmp(key, "ConsumedCapacity") == 0);

        if (i > 0)
            ddb_buf_append(b, ",", 1);
        put_string(b, key);
        ddb_buf_append(b, ":", 1);
        if (canon && opaque(key, val)) {
            ddb_buf_puts(b, "\"(a token)\"");
            continue;
        }
        if (canon && strcmp(key, "Responses") == 0 && val->type == yajl_t_object)
            responses_of_tables = 1; /* BatchGetItem: each table's items in no order */
        if (responses_of_tables) {
            ddb_buf_append(b, "{", 1);
            for (size_t t = 0; t < val->u.object.len; t++) {
                if (t > 0)
                    ddb_buf_append(b, ",", 1);
                put_string(b, val->u.object.keys[t]);
                ddb_buf_append(b, ":", 1);
                emit(b, val->u.object.values[t], canon, 1);
            }
            ddb_buf_append(b, "}", 1);
            responses_of_tables = 0;
        } else {
            emit(b, val, canon, unordered);
        }
    }
    ddb_buf_append(b, "}", 1);
    free(order);
}

static void emit_array(ddb_buf *b, yajl_val v, int canon, int unordered)
{
    size_t n = v->u.array.len;

    ddb_buf_append(b, "[", 1);
    if (canon && unordered && n > 1) {
        char **parts = malloc(n * sizeof(char *));
        if (parts == NULL)
            abort();
        for (size_t i = 0; i < n; i++) {
            ddb_buf e = {0};
            emit(&e, v->u.array.values[i], canon, 0);
            parts[i] = e.data != NULL ? e.data : strdup("");
        }
        qsort(parts, n, sizeof(char *), cmp_str);
        for (size_t i = 0; i < n; i++) {
            if (i > 0)
                ddb_buf_append(b, ",", 1);
            ddb_buf_puts(b, parts[i]);
            free(parts[i]);
        }
        free(parts);
    } else {
        for (size_t i = 0; i < n; i++) {
            if (i > 0)
                ddb_buf_append(b, ",", 1);
            emit(b, v->u.array.values[i], canon, 0);
        }
    }
    ddb_buf_append(b, "]", 1);
}

static void emit(ddb_buf *b, yajl_val v, int canon, int unordered)
{
    char num[64];

    if (v == NULL) {
        ddb_buf_puts(b, "null");
        return;
    }
    switch (v->type) {
    case yajl_t_string:
        put_string(b, v->u.string);
        break;
    case yajl_t_number: /* canonically its value: 1.0 and 1 are one number */
        if (canon && (v->u.number.flags & YAJL_NUMBER_DOUBLE_VALID)) {
            snprintf(num, sizeof(num), "%.17g", v->u.number.d);
            ddb_buf_puts(b, num);
        } else {
            ddb_buf_puts(b, v->u.number.r);
        }
        break;
    case yajl_t_object:
        emit_object(b, v, canon);
        break;
    case yajl_t_array:
        emit_array(b, v, canon, unordered);
        break;
    case yajl_t_true:
        ddb_buf_puts(b, "true");
        break;
    case yajl_t_false:
        ddb_buf_puts(b, "false");
        break;
    default:
        ddb_buf_puts(b, "null");
    }
}

static char *canonical(yajl_val v)
{
    ddb_buf b = {0};

    emit(&b, v, 1, 0);
    return b.data;
}

static yajl_val member(yajl_val obj, const char *key)
{
    for (size_t i = 0; obj != NULL && obj->type == yajl_t_object && i < obj->u.object.len; i++)
        if (strcmp(obj->u.object.keys[i], key) == 0)
            return obj->u.object.values[i];
    return NULL;
}

static const char *str_of(yajl_val obj, const char *key, const char *dflt)
{
    yajl_val v = member(obj, key);
    return v != NULL && v->type == yajl_t_string ? v->u.string : dflt;
}

static const char *short_type(yajl_val body)
{
    const char *t = str_of(body, "__type", "");
    const char *hash = strrchr(t, '#');
    return hash != NULL ? hash + 1 : t;
}

/* The first path at which two canonical answers differ, into path. */
static void first_difference(yajl_val a, yajl_val b, ddb_buf *path)
{
    char *ca, *cb, idx[32];
    int same;

    if (a == NULL || b == NULL || a->type != b->type || (a->type != yajl_t_object && a->type != yajl_t_array))
        return;
    if (a->type == yajl_t_array) {
        if (a->u.array.len != b->u.array.len) {
            snprintf(idx, sizeof(idx), " (%zu vs %zu elements)", a->u.array.len, b->u.array.len);
            ddb_buf_puts(path, idx);
            return;
        }
        for (size_t i = 0; i < a->u.array.len; i++) {
            ca = canonical(a->u.array.values[i]);
            cb = canonical(b->u.array.values[i]);
            same = strcmp(ca, cb) == 0;
            free(ca);
            free(cb);
            if (!same) {
                snprintf(idx, sizeof(idx), "[%zu]", i);
                ddb_buf_puts(path, idx);
                first_difference(a->u.array.values[i], b->u.array.values[i], path);
                return;
            }
        }
        return;
    }
    for (int side = 0; side < 2; side++) {
        yajl_val x = side == 0 ? a : b, y = side == 0 ? b : a;
        for (size_t i = 0; i < x->u.object.len; i++) {
            const char *key = x->u.object.keys[i];
            yajl_val other = member(y, key);
            if (ignored(key) || (opaque(key, x->u.object.values[i]) && opaque(key, other)))
                continue;
            ca = canonical(x->u.object.values[i]);
            cb = other != NULL ? canonical(other) : NULL;
            same = cb != NULL && strcmp(ca, cb) == 0;
            free(ca);
            free(cb);
            if (!same) {
                ddb_buf_puts(path, ".");
                ddb_buf_puts(path, key);
                if (other != NULL)
                    first_difference(side == 0 ? x->u.object.values[i] : other,
                                     side == 0 ? other : x->u.object.values[i], path);
                return;
            }
        }
    }
}

/* Whether the replayed answer (status, body text) diverges; if so, what and where in *why. */
static int diverges(int rstatus, yajl_val response, int status, const char *body, ddb_buf *why)
{
    char err[128];
    yajl_val got = body != NULL && body[0] != '\0' ? yajl_tree_parse(body, err, sizeof(err)) : NULL;
    char *ca = NULL, *cb = NULL;
    int differs;

    if (status != rstatus) {
        char s[64];
        snprintf(s, sizeof(s), "status %d, recorded %d", status, rstatus);
        ddb_buf_puts(why, s);
        differs = 1;
    } else if (status >= 400) {
        differs = strcmp(short_type(got), short_type(response)) != 0;
        if (differs)
            ddb_buf_puts(why, "__type");
    } else {
        ca = canonical(response);
        cb = canonical(got);
        differs = strcmp(ca, cb) != 0;
        if (differs) {
            ddb_buf_puts(why, "at ");
            first_difference(response, got, why);
            if (why->len == 3)
                ddb_buf_puts(why, "the answer");
        }
    }
    free(ca);
    free(cb);
    yajl_tree_free(got);
    return differs;
}

/* An answer deeper than ddbd ever writes (DDB_JSON_RECORD_DEPTH, what it reads back of its own) is
   not made a tree (it is walked recursively): a divergence, said, its text cut short. */
static int too_deep(const char *recorded, const char *body, char **why, char **rec_text)
{
    int rec_deep = recorded != NULL && !ddb_jscan_depth_within(recorded, strlen(recorded), DDB_JSON_RECORD_DEPTH);
    int got_deep = body != NULL && !ddb_jscan_depth_within(body, strlen(body), DDB_JSON_RECORD_DEPTH);
    ddb_buf w = {0};

    if (!rec_deep && !got_deep)
        return 0;
    ddb_buf_printf(&w, "the %s answer nests deeper than %d levels (ddbd's limit): not compared",
                   rec_deep ? "recorded" : "replayed", DDB_JSON_RECORD_DEPTH);
    *why = w.data;
    *rec_text = strndup(recorded != NULL ? recorded : "(no body)", 200);
    if (*why == NULL || *rec_text == NULL)
        abort();
    return 1;
}

int rp_check(int rstatus, const char *recorded, int status, const char *body, char **why, char **rec_text)
{
    char err[128];
    yajl_val response;
    ddb_buf w = {0}, rb = {0};
    int differs;

    if (too_deep(recorded, body, why, rec_text))
        return 1;
    response = recorded != NULL ? yajl_tree_parse(recorded, err, sizeof(err)) : NULL;
    differs = diverges(rstatus, response, status, body, &w);

    if (differs) {
        emit(&rb, response, 0, 0);
        *why = w.data != NULL ? w.data : strdup("");
        *rec_text = rb.data != NULL ? rb.data : strdup("(no body)");
    } else {
        free(w.data);
    }
    yajl_tree_free(response);
    return differs;
}
