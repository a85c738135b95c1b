/*
 * server/seed/readers/seed_tpl.c: a template's table written as its requests, and the readers' messages (see
 * seed_tpl.h).
 */
#include "server/seed/readers/seed_tpl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/base/log.h"
#include "server/seed/readers/seed_yaml.h"

/* ---- messages ---- */

void tpl_file_error(seed_tpl_env *env, const char *path, unsigned line, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    env->errors++;
    if (env->fail != NULL)
        env->fail(env->ctx, path, line, msg);
}

void tpl_warn(const seed_tpl_table *t, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ddb_log(DDB_LOG_WARN, "seed: %s:%u: %s (table %s): %s", t->path, t->line, t->what, t->name, msg);
}

void tpl_error(seed_tpl_table *t, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    t->failed = 1;
    tpl_file_error(t->env, t->path, t->line, "%s: %s", t->what, msg);
}

unsigned tpl_line(const char *text, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    unsigned line = 1;

    if (text == NULL || n == 0)
        return 0;
    for (size_t i = 0; i + n <= len; i++) {
        if (text[i] == '\n')
            line++;
        else if (memcmp(text + i, needle, n) == 0)
            return line;
    }
    return 0;
}

/* ---- the requests ---- */

void tpl_begin(seed_tpl_table *t, seed_tpl_env *env, ddb_arena *a, const char *path, const char *text, size_t len,
               const char *name, const char *what, unsigned line)
{
    memset(t, 0, sizeof(*t));
    t->env = env;
    t->a = a;
    t->path = path;
    t->text = text;
    t->len = len;
    t->name = name;
    t->what = what;
    t->line = line;
    ddb_jw_init(&t->cw, &t->create);
    ddb_jw_obj_begin(&t->cw);
    ddb_jw_key(&t->cw, "TableName");
    ddb_jw_str(&t->cw, name);
    ddb_jw_init(&t->aw, &t->after);
    ddb_jw_arr_begin(&t->aw);
}

void tpl_call(seed_tpl_table *t, const char *op)
{
    ddb_jw_obj_begin(&t->aw);
    ddb_jw_key(&t->aw, "op");
    ddb_jw_str(&t->aw, op);
    ddb_jw_key(&t->aw, "request");
    ddb_jw_obj_begin(&t->aw);
    ddb_jw_key(&t->aw, "TableName");
    ddb_jw_str(&t->aw, t->name);
}

void tpl_call_end(seed_tpl_table *t)
{
    ddb_jw_obj_end(&t->aw);
    ddb_jw_obj_end(&t->aw);
}

void tpl_replica(seed_tpl_table *t, const char *region, int autoscaled)
{
    tpl_call(t, "UpdateTable");
    ddb_jw_key(&t->aw, "ReplicaUpdates");
    ddb_jw_arr_begin(&t->aw);
    ddb_jw_obj_begin(&t->aw);
    ddb_jw_key(&t->aw, "Create");
    ddb_jw_obj_begin(&t->aw);
    ddb_jw_key(&t->aw, "RegionName");
    ddb_jw_str(&t->aw, region);
    ddb_jw_obj_end(&t->aw);
    ddb_jw_obj_end(&t->aw);
    ddb_jw_arr_end(&t->aw);
    ddb_jw_obj_end(&t->aw); /* the request */
    ddb_jw_key(&t->aw, "replica");
    ddb_jw_str(&t->aw, region);
    if (autoscaled) {
        ddb_jw_key(&t->aw, "autoscaled");
        ddb_jw_bool(&t->aw, 1);
    }
    ddb_jw_obj_end(&t->aw);
}

void tpl_end(seed_tpl_table *t)
{
    const ddb_json *create, *after;

    ddb_jw_obj_end(&t->cw);
    ddb_jw_arr_end(&t->aw);
    if (!t->failed && !t->env->stopped) {
        create = ddb_json_parse(t->a, t->create.data, t->create.len);
        after = ddb_json_parse(t->a, t->after.data, t->after.len);
        if (t->env->table(t->env->ctx, t->path, t->line, t->name, t->region, create, after) != 0)
            t->env->stopped = 1;
    }
    ddb_buf_free(&t->create);
    ddb_buf_free(&t->after);
}

/* Members the API takes as numbers, and as booleans, which a template may give as strings. */
#define TPL_NUMBER_KEYS(X) X("ReadCapacityUnits") X("WriteCapacityUnits") X("MaxReadRequestUnits") \
    X("MaxWriteRequestUnits") X("ReadUnitsPerSecond") X("WriteUnitsPerSecond") X("RecoveryPeriodInDays")
#define TPL_BOOL_KEYS(X) X("Enabled") X("DeletionProtectionEnabled") X("PointInTimeRecoveryEnabled") X("StreamEnabled")

static int listed(const char *key, const char *const *keys)
{
    for (; key != NULL && *keys != NULL; keys++) {
        if (strcmp(key, *keys) == 0)
            return 1;
    }
    return 0;
}

void tpl_value(ddb_jw *w, const char *key, const ddb_json *v)
{
#define X(k) k,
    static const char *const numbers[] = {TPL_NUMBER_KEYS(X) NULL}, *const bools[] = {TPL_BOOL_KEYS(X) NULL};
#undef X
    if (v->type == DDB_JSON_STRING && listed(key, numbers) && ddb_json_number_text(v->u.s, v->n)) {
        ddb_jw_raw_number(w, v->u.s);
    } else if (v->type == DDB_JSON_STRING && listed(key, bools) &&
               (strcmp(v->u.s, "true") == 0 || strcmp(v->u.s, "false") == 0)) {
        ddb_jw_bool(w, v->u.s[0] == 't');
    } else if (v->type == DDB_JSON_OBJECT) {
        ddb_jw_obj_begin(w);
        for (uint32_t i = 0; i < v->n; i++) {
            ddb_jw_key(w, v->u.members[i].key);
            tpl_value(w, v->u.members[i].key, v->u.members[i].val);
        }
        ddb_jw_obj_end(w);
    } else if (v->type == DDB_JSON_ARRAY) {
        ddb_jw_arr_begin(w);
        for (uint32_t i = 0; i < v->n; i++)
            tpl_value(w, NULL, v->u.items[i]);
        ddb_jw_arr_end(w);
    } else {
        ddb_jw_json(w, v);
    }
}

