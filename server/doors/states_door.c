/*
 * server/doors/states_door.c: /ddbd/table-states (states_door.h).
 */
#include "server/doors/states_door.h"

#include <string.h>

#include "proto/arena.h"
#include "proto/json.h"
#include "server/doors/door_message.h"
#include "server/engine/emulate/table_states.h"

/* The options' bounds (server/options.def). */
#define MAX_STATES_MS 86400000LL
#define MAX_REFRESH_S 604800LL

static int state(ddb_engine *eng, ddb_buf *out)
{
    ddb_jw w;

    ddb_jw_init(&w, out);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "tableStatesMs");
    ddb_jw_int(&w, ddb_table_states_ms(eng));
    ddb_jw_key(&w, "countRefreshSeconds");
    ddb_jw_int(&w, ddb_count_refresh_s(eng));
    ddb_jw_obj_end(&w);
    return 200;
}

static int refuse(ddb_buf *out)
{
    return ddb_door_message(out, 400,
                            "expected {\"tableStatesMs\": ms (0 to 86400000), \"countRefreshSeconds\": s (0 to 604800)}");
}

/* Member `name` of `in` into *v when present: a whole number from 0 to max; -1 when it is not. */
static int member(const ddb_json *in, const char *name, long long max, unsigned *v)
{
    const ddb_json *m = ddb_json_get(in, name);
    long long n;

    if (m == NULL)
        return 0;
    if (m->type != DDB_JSON_NUMBER || (n = ddb_json_integer(m, -1)) < 0 || n > max)
        return -1;
    *v = (unsigned)n;
    return 0;
}

/* Every member one the door reads: a misspelt one would otherwise be answered as taken. */
static int members_known(const ddb_json *in)
{
    for (uint32_t i = 0; i < in->n; i++)
        if (strcmp(in->u.members[i].key, "tableStatesMs") != 0 &&
            strcmp(in->u.members[i].key, "countRefreshSeconds") != 0)
            return 0;
    return 1;
}

static int set(ddb_engine *eng, const char *body, size_t blen, ddb_buf *out)
{
    unsigned ms = ddb_table_states_ms(eng), every = ddb_count_refresh_s(eng);
    const ddb_json *in;
    ddb_arena a;
    int ok;

    ddb_arena_init(&a);
    in = blen > 0 ? ddb_json_parse_input(&a, body, blen, NULL) : NULL;
    ok = in != NULL && in->type == DDB_JSON_OBJECT && members_known(in) &&
         member(in, "tableStatesMs", MAX_STATES_MS, &ms) == 0 &&
         member(in, "countRefreshSeconds", MAX_REFRESH_S, &every) == 0;
    ddb_arena_free(&a);
    if (!ok)
        return refuse(out);
    ddb_table_states_set(eng, ms);
    ddb_count_refresh_set(eng, every);
    return state(eng, out);
}

int ddb_states_door(const ddb_door_call *c, ddb_buf *out)
{
    return c->post ? set(c->eng, c->body, c->blen, out) : state(c->eng, out);
}
