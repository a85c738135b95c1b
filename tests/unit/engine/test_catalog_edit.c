/*
 * tests/unit/engine/test_catalog_edit.c: the stored table descriptions every kind of catalog change
 * writes (CreateTable, UpdateTimeToLive, TagResource/UntagResource, UpdateContinuousBackups,
 * UpdateTable's members, GSI creation and deletion, streams, an index turning ACTIVE and leaving,
 * a stream's new generation of shards, restores, the format-1 migration), held to the texts the
 * JSON rewrites wrote before the catalog's typed edits (engine/catalog/catalog_edit.h) replaced them: the
 * same members, values and member order, so data directories and DescribeTable answers stay as
 * they were.
 *
 * Requests go through ddb_dispatch() in process (tests/harness/inproc.h); the background worker
 * runs its jobs only when a test lets it (a gate job first in its list), so every intermediate
 * description is seen. Ids come from the catalog's counter and are compared as they are (the same
 * changes take the same ids); what the clock or randomness decides is replaced by "~" before
 * comparing (normalised()).
 * DDB_CATALOG_EDIT_PRINT=1 prints each test's texts as C strings, to capture new expectations.
 * The last tests hold the edits' compare-and-swap to ddb_catalog_update's: an edit of a replaced
 * description loses (2) with nothing of it (nor of its extra batch) written, and the loop builds
 * it again from the winner.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "server/engine/catalog/catalog_edit.h"
#include "server/engine/jobs/backups.h"
#include "server/engine/jobs/indexes.h"
#include "server/engine/jobs/purge.h"
#include "server/engine/jobs/tasks.h"
#include "server/engine/jobs/ttl.h"
#include "server/engine/keycodec.h"
#include "server/engine/table_stats.h"
#include "test.h"
#include "test_store.h"
#include "tests/harness/inproc.h"

/* ---- a server whose worker runs only when asked ---- */

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static int gate_open, gate_done;

/* First in the worker's list: holds every round until the test opens one. */
static int gate_work(ddb_engine *eng, void *state, int (*stopping)(void *), void *sctx)
{
    (void)eng;
    (void)state;
    pthread_mutex_lock(&gate_lock);
    while (gate_open == 0) {
        struct timespec until;
        pthread_mutex_unlock(&gate_lock);
        if (stopping(sctx))
            return 0;
        pthread_mutex_lock(&gate_lock);
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 5000000;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&gate_cond, &gate_lock, &until);
    }
    gate_open--;
    pthread_mutex_unlock(&gate_lock);
    return 0;
}

/* Last in the list: a round is done. */
static int gate_tail(ddb_engine *eng, void *state, int (*stopping)(void *), void *sctx)
{
    (void)eng;
    (void)state;
    (void)stopping;
    (void)sctx;
    pthread_mutex_lock(&gate_lock);
    gate_done++;
    pthread_cond_broadcast(&gate_cond);
    pthread_mutex_unlock(&gate_lock);
    return 0;
}

static const ddb_job gate_job = {.name = "test gate", .work = gate_work};
static const ddb_job tail_job = {.name = "test tail", .work = gate_tail};
static const ddb_job *const GATED_JOBS[] = {&gate_job, &ddb_job_table_purge, &ddb_job_indexes, &ddb_job_backups,
                                            &tail_job};

/* A server (tests/harness/inproc.h) whose worker runs the gated jobs in place of its own. */
static inproc_server *open_gated(const char *dir, unsigned shards)
{
    inproc_server *e = inproc_open(dir, shards);

    if (e == NULL)
        return NULL;
    ddb_worker_stop(ddb_tasks_worker(e->eng->tasks));
    pthread_mutex_lock(&gate_lock);
    gate_open = gate_done = 0;
    pthread_mutex_unlock(&gate_lock);
    e->eng->tasks = ddb_tasks_start(e->eng, GATED_JOBS, sizeof(GATED_JOBS) / sizeof(GATED_JOBS[0]));
    return e;
}

/* Lets the worker run `rounds` rounds of its jobs, one after the other. */
static void run_jobs(inproc_server *e, int rounds)
{
    for (int i = 0; i < rounds; i++) {
        int target;
        pthread_mutex_lock(&gate_lock);
        target = gate_done + 1;
        gate_open++;
        pthread_cond_broadcast(&gate_cond);
        pthread_mutex_unlock(&gate_lock);
        ddb_tasks_kick(e->eng->tasks);
        pthread_mutex_lock(&gate_lock);
        while (gate_done < target)
            pthread_cond_wait(&gate_cond, &gate_lock);
        pthread_mutex_unlock(&gate_lock);
    }
}

/* ---- descriptions, normalised ---- */

/* Members whose values the clock or randomness decides. */
static int varies(const char *key)
{
    static const char *const keys[] = {"TableId",          "CreationDateTime",     "Changed",
                                       "Base",             "Label",                "Until",
                                       "RestoreDateTime",  "BillingModeUpdated",   "LastIncreaseDateTime",
                                       "LastDecreaseDateTime", "ddbdDecreasesDay", "SourceBackupArn", "TableClassUpdated",
                                       NULL};

    for (int i = 0; keys[i] != NULL; i++)
        if (strcmp(keys[i], key) == 0)
            return 1;
    return 0;
}

static void write_normalised(ddb_jw *w, const ddb_json *v)
{
    if (v->type == DDB_JSON_OBJECT) {
        ddb_jw_obj_begin(w);
        for (uint32_t i = 0; i < v->n; i++) {
            ddb_jw_keyn(w, v->u.members[i].key, v->u.members[i].klen);
            if (varies(v->u.members[i].key))
                ddb_jw_str(w, "~");
            else
                write_normalised(w, v->u.members[i].val);
        }
        ddb_jw_obj_end(w);
    } else if (v->type == DDB_JSON_ARRAY) {
        ddb_jw_arr_begin(w);
        for (uint32_t i = 0; i < v->n; i++)
            write_normalised(w, v->u.items[i]);
        ddb_jw_arr_end(w);
    } else {
        ddb_jw_json(w, v);
    }
}

/* The stored description of table `name`, normalised (malloc'd), or NULL. */
static char *normalised(inproc_server *e, const char *name)
{
    const ddb_table *t = ddb_catalog_get(e->eng->catalog, name);
    ddb_arena a;
    ddb_buf buf = {0};
    ddb_jw w;
    const ddb_json *j;
    char *out = NULL;

    if (t == NULL)
        return NULL;
    ddb_arena_init(&a);
    j = ddb_json_parse(&a, t->desc_text, t->desc_len);
    if (j != NULL) {
        ddb_jw_init(&w, &buf);
        write_normalised(&w, j);
        out = strndup(buf.data, buf.len);
    }
    ddb_buf_free(&buf);
    ddb_arena_free(&a);
    return out;
}

/* What one test saw, in order. */
typedef struct transcript {
    const char *test;
    const char *labels[64];
    char *texts[64];
    int n;
} transcript;

static void see(transcript *tr, inproc_server *e, const char *label, const char *table)
{
    if (tr->n == 64)
        abort();
    tr->labels[tr->n] = label;
    tr->texts[tr->n++] = normalised(e, table);
}

static void print_c_string(const char *s)
{
    putchar('"');
    for (; *s != '\0'; s++) {
        if (*s == '"' || *s == '\\')
            putchar('\\');
        putchar(*s);
    }
    putchar('"');
}

/* Compares the transcript with the expectation: {label, text} pairs, NULL-terminated. */
static void check_transcript(transcript *tr, const char *const *expected)
{
    int i;

    TEST_COUNT_ASSERT();
    if (getenv("DDB_CATALOG_EDIT_PRINT") != NULL) {
        printf("/* %s */\n", tr->test);
        for (i = 0; i < tr->n; i++) {
            printf("    \"%s\",\n    ", tr->labels[i]);
            print_c_string(tr->texts[i] ? tr->texts[i] : "(none)");
            printf(",\n");
        }
    }
    for (i = 0; i < tr->n && expected[2 * i] != NULL; i++) {
        const char *got = tr->texts[i] ? tr->texts[i] : "(none)";
        if (strcmp(expected[2 * i], tr->labels[i]) != 0 || strcmp(expected[2 * i + 1], got) != 0) {
            ddb_test_fail(__FILE__, __LINE__, "%s: %s:\n    want %s\n    got  %s\n", tr->test, tr->labels[i],
                          expected[2 * i + 1], got);
            break;
        }
    }
    if (i == tr->n && expected[2 * i] != NULL)
        ddb_test_fail(__FILE__, __LINE__, "%s: %s was not seen", tr->test, expected[2 * i]);
    if (i < tr->n && expected[2 * i] == NULL)
        ddb_test_fail(__FILE__, __LINE__, "%s: %s was not expected", tr->test, tr->labels[i]);
    for (i = 0; i < tr->n; i++)
        free(tr->texts[i]);
}

/* The request succeeds, or the test jumps to its `out:` label (one assertion). */
#define CALL_OK(c, op, ...) INPROC_CALL_OK_ELSE(goto out, c, op, __VA_ARGS__)

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        TEST_COUNT_ASSERT();                                                                                           \
        if (!(cond)) {                                                                                                 \
            ddb_test_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);                                                     \
            goto out;                                                                                                  \
        }                                                                                                              \
    } while (0)

#define DEF(n, t) "{\"AttributeName\":\"" n "\",\"AttributeType\":\"" t "\"}"
#define KEY(n, k) "{\"AttributeName\":\"" n "\",\"KeyType\":\"" k "\"}"
#define ARN "arn:aws:dynamodb:us-east-1:000000000000:table/"

/* A table with every member CreateTable stores: an LSI, a GSI, a stream, SSE, a table class, tags. */
#define CREATE_T                                                                                                       \
    "{\"TableName\":\"tab\",\"AttributeDefinitions\":[" DEF("pk", "S") "," DEF("sk", "N") "," DEF("l", "S") ","      \
    DEF("g", "S") "],\"KeySchema\":[" KEY("pk", "HASH") "," KEY("sk", "RANGE") "],"                                   \
    "\"BillingMode\":\"PAY_PER_REQUEST\",\"LocalSecondaryIndexes\":[{\"IndexName\":\"lsi\",\"KeySchema\":["          \
    KEY("pk", "HASH") "," KEY("l", "RANGE") "],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}}],"                 \
    "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\",\"KeySchema\":[" KEY("g", "HASH") "],\"Projection\":{"       \
    "\"ProjectionType\":\"INCLUDE\",\"NonKeyAttributes\":[\"a\"]}}],\"StreamSpecification\":{"                        \
    "\"StreamEnabled\":true,\"StreamViewType\":\"NEW_AND_OLD_IMAGES\"},\"SSESpecification\":{\"Enabled\":true},"    \
    "\"TableClass\":\"STANDARD\",\"DeletionProtectionEnabled\":false,\"Tags\":[{\"Key\":\"a\",\"Value\":\"1\"},"     \
    "{\"Key\":\"b\",\"Value\":\"2\"}]}"

/* A smaller one: a GSI, a stream, a table class, tags. */
#define CREATE_M                                                                                                       \
    "{\"TableName\":\"mid\",\"AttributeDefinitions\":[" DEF("pk", "S") "," DEF("g", "S") "],\"KeySchema\":["         \
    KEY("pk", "HASH") "],\"BillingMode\":\"PAY_PER_REQUEST\",\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\","   \
    "\"KeySchema\":[" KEY("g", "HASH") "],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}}],"                      \
    "\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"KEYS_ONLY\"},"                              \
    "\"TableClass\":\"STANDARD\",\"Tags\":[{\"Key\":\"a\",\"Value\":\"1\"},{\"Key\":\"b\",\"Value\":\"2\"}]}"

/* A provisioned table with a provisioned GSI, no stream, no tags. */
#define CREATE_P                                                                                                       \
    "{\"TableName\":\"prov\",\"AttributeDefinitions\":[" DEF("pk", "S") "," DEF("g", "N") "],\"KeySchema\":["        \
    KEY("pk", "HASH") "],\"ProvisionedThroughput\":{\"ReadCapacityUnits\":5,\"WriteCapacityUnits\":5},"              \
    "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"pgsi\",\"KeySchema\":[" KEY("g", "HASH") "],\"Projection\":{"      \
    "\"ProjectionType\":\"ALL\"},\"ProvisionedThroughput\":{\"ReadCapacityUnits\":2,\"WriteCapacityUnits\":2}}]}"

/* ---- UpdateTimeToLive, TagResource and UntagResource, UpdateContinuousBackups ---- */

/* clang-format off */
static const char *const SMALL_CHANGES[] = {
    "created",
    "{\"ddbdTableId\":2,\"ddbdVersion\":1,\"CreationDateTime\":\"~\",\"TableId\":\"~\",\"AttributeDefinitions\":["
    "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],\"KeyS"
    "chema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\",\"GlobalSecond"
    "aryIndexes\":[{\"IndexName\":\"gsi\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projec"
    "tion\":{\"ProjectionType\":\"KEYS_ONLY\"},\"IndexStatus\":\"ACTIVE\",\"ddbdIndexId\":3}],\"TableClass\":\"ST"
    "ANDARD\",\"ddbdTags\":[{\"Key\":\"a\",\"Value\":\"1\"},{\"Key\":\"b\",\"Value\":\"2\"}],\"StreamSpecificatio"
    "n\":{\"StreamEnabled\":true,\"StreamViewType\":\"KEYS_ONLY\"},\"ddbdStream\":{\"Id\":1,\"Label\":\"~\",\"Vie"
    "w\":\"KEYS_ONLY\",\"Enabled\":true,\"Shards\":[2]}}",
    "ttl enabled",
    "{\"ddbdTableId\":2,\"ddbdVersion\":2,\"CreationDateTime\":\"~\",\"TableId\":\"~\",\"AttributeDefinitions\":["
    "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],\"KeyS"
    "chema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\",\"TableClass\""
    ":\"STANDARD\",\"ddbdTags\":[{\"Key\":\"a\",\"Value\":\"1\"},{\"Key\":\"b\",\"Value\":\"2\"}],\"StreamSpecifi"
    "cation\":{\"StreamEnabled\":true,\"StreamViewType\":\"KEYS_ONLY\"},\"ddbdStream\":{\"Id\":1,\"Label\":\"~\","
    "\"View\":\"KEYS_ONLY\",\"Enabled\":true,\"Shards\":[2]},\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\","
    "\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"KEYS_ONL"
    "Y\"},\"IndexStatus\":\"ACTIVE\",\"ddbdIndexId\":3}],\"ddbdTtl\":{\"Attr\":\"exp\",\"Enabled\":true,\"Changed"
    "\":\"~\"}}",
    "tagged",
    "{\"ddbdTableId\":2,\"ddbdVersion\":3,\"CreationDateTime\":\"~\",\"TableId\":\"~\",\"AttributeDefinitions\":["
    "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],\"KeyS"
    "chema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\",\"TableClass\""
    ":\"STANDARD\",\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"KEYS_ONLY\"},\"ddbdStream"
    "\":{\"Id\":1,\"Label\":\"~\",\"View\":\"KEYS_ONLY\",\"Enabled\":true,\"Shards\":[2]},\"ddbdTtl\":{\"Attr\":"
    "\"exp\",\"Enabled\":true,\"Changed\":\"~\"},\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\",\"KeySchema\""
    ":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"},\"IndexS"
    "tatus\":\"ACTIVE\",\"ddbdIndexId\":3}],\"ddbdTags\":[{\"Key\":\"a\",\"Value\":\"1\"},{\"Key\":\"b\",\"Value"
    "\":\"3\"},{\"Key\":\"c\",\"Value\":\"4\"}]}",
    "untagged",
    "{\"ddbdTableId\":2,\"ddbdVersion\":4,\"CreationDateTime\":\"~\",\"TableId\":\"~\",\"AttributeDefinitions\":["
    "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],\"KeyS"
    "chema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\",\"TableClass\""
    ":\"STANDARD\",\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"KEYS_ONLY\"},\"ddbdStream"
    "\":{\"Id\":1,\"Label\":\"~\",\"View\":\"KEYS_ONLY\",\"Enabled\":true,\"Shards\":[2]},\"ddbdTtl\":{\"Attr\":"
    "\"exp\",\"Enabled\":true,\"Changed\":\"~\"},\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\",\"KeySchema\""
    ":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"},\"IndexS"
    "tatus\":\"ACTIVE\",\"ddbdIndexId\":3}],\"ddbdTags\":[{\"Key\":\"b\",\"Value\":\"3\"}]}",
    "untagged all",
    "{\"ddbdTableId\":2,\"ddbdVersion\":5,\"CreationDateTime\":\"~\",\"TableId\":\"~\",\"AttributeDefinitions\":["
    "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],\"KeyS"
    "chema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\",\"TableClass\""
    ":\"STANDARD\",\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"KEYS_ONLY\"},\"ddbdStream"
    "\":{\"Id\":1,\"Label\":\"~\",\"View\":\"KEYS_ONLY\",\"Enabled\":true,\"Shards\":[2]},\"ddbdTtl\":{\"Attr\":"
    "\"exp\",\"Enabled\":true,\"Changed\":\"~\"},\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\",\"KeySchema\""
    ":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"},\"IndexS"
    "tatus\":\"ACTIVE\",\"ddbdIndexId\":3}]}",
    "tagged again",
    "{\"ddbdTableId\":2,\"ddbdVersion\":6,\"CreationDateTime\":\"~\",\"TableId\":\"~\",\"AttributeDefinitions\":["
    "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],\"KeyS"
    "chema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\",\"TableClass\""
    ":\"STANDARD\",\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"KEYS_ONLY\"},\"ddbdStream"
    "\":{\"Id\":1,\"Label\":\"~\",\"View\":\"KEYS_ONLY\",\"Enabled\":true,\"Shards\":[2]},\"ddbdTtl\":{\"Attr\":"
    "\"exp\",\"Enabled\":true,\"Changed\":\"~\"},\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\",\"KeySchema\""
    ":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"},\"IndexS"
    "tatus\":\"ACTIVE\",\"ddbdIndexId\":3}],\"ddbdTags\":[{\"Key\":\"d\",\"Value\":\"5\"}]}",
    "pitr on",
    "{\"ddbdTableId\":2,\"ddbdVersion\":7,\"CreationDateTime\":\"~\",\"TableId\":\"~\",\"AttributeDefinitions\":["
    "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],\"KeyS"
    "chema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\",\"TableClass\""
    ":\"STANDARD\",\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"KEYS_ONLY\"},\"ddbdStream"
    "\":{\"Id\":1,\"Label\":\"~\",\"View\":\"KEYS_ONLY\",\"Enabled\":true,\"Shards\":[2]},\"ddbdTtl\":{\"Attr\":"
    "\"exp\",\"Enabled\":true,\"Changed\":\"~\"},\"ddbdTags\":[{\"Key\":\"d\",\"Value\":\"5\"}],\"GlobalSecondary"
    "Indexes\":[{\"IndexName\":\"gsi\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projectio"
    "n\":{\"ProjectionType\":\"KEYS_ONLY\"},\"IndexStatus\":\"ACTIVE\",\"ddbdIndexId\":3}],\"ddbdPitr\":{\"Log\":"
    "4,\"Base\":\"~\",\"Days\":10}}",
    "pitr period",
    "{\"ddbdTableId\":2,\"ddbdVersion\":8,\"CreationDateTime\":\"~\",\"TableId\":\"~\",\"AttributeDefinitions\":["
    "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],\"KeyS"
    "chema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\",\"TableClass\""
    ":\"STANDARD\",\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"KEYS_ONLY\"},\"ddbdStream"
    "\":{\"Id\":1,\"Label\":\"~\",\"View\":\"KEYS_ONLY\",\"Enabled\":true,\"Shards\":[2]},\"ddbdTtl\":{\"Attr\":"
    "\"exp\",\"Enabled\":true,\"Changed\":\"~\"},\"ddbdTags\":[{\"Key\":\"d\",\"Value\":\"5\"}],\"GlobalSecondary"
    "Indexes\":[{\"IndexName\":\"gsi\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projectio"
    "n\":{\"ProjectionType\":\"KEYS_ONLY\"},\"IndexStatus\":\"ACTIVE\",\"ddbdIndexId\":3}],\"ddbdPitr\":{\"Log\":"
    "4,\"Base\":\"~\",\"Days\":20}}",
    "pitr off",
    "{\"ddbdTableId\":2,\"ddbdVersion\":9,\"CreationDateTime\":\"~\",\"TableId\":\"~\",\"AttributeDefinitions\":["
    "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],\"KeyS"
    "chema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\",\"TableClass\""
    ":\"STANDARD\",\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"KEYS_ONLY\"},\"ddbdStream"
    "\":{\"Id\":1,\"Label\":\"~\",\"View\":\"KEYS_ONLY\",\"Enabled\":true,\"Shards\":[2]},\"ddbdTtl\":{\"Attr\":"
    "\"exp\",\"Enabled\":true,\"Changed\":\"~\"},\"ddbdTags\":[{\"Key\":\"d\",\"Value\":\"5\"}],\"GlobalSecondary"
    "Indexes\":[{\"IndexName\":\"gsi\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projectio"
    "n\":{\"ProjectionType\":\"KEYS_ONLY\"},\"IndexStatus\":\"ACTIVE\",\"ddbdIndexId\":3}]}",
    "pitr on again",
    "{\"ddbdTableId\":2,\"ddbdVersion\":10,\"CreationDateTime\":\"~\",\"TableId\":\"~\",\"AttributeDefinitions\":"
    "[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],\"Key"
    "Schema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\",\"TableClass"
    "\":\"STANDARD\",\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"KEYS_ONLY\"},\"ddbdStre"
    "am\":{\"Id\":1,\"Label\":\"~\",\"View\":\"KEYS_ONLY\",\"Enabled\":true,\"Shards\":[2]},\"ddbdTtl\":{\"Attr\""
    ":\"exp\",\"Enabled\":true,\"Changed\":\"~\"},\"ddbdTags\":[{\"Key\":\"d\",\"Value\":\"5\"}],\"GlobalSecondar"
    "yIndexes\":[{\"IndexName\":\"gsi\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projecti"
    "on\":{\"ProjectionType\":\"KEYS_ONLY\"},\"IndexStatus\":\"ACTIVE\",\"ddbdIndexId\":3}],\"ddbdPitr\":{\"Log\""
    ":6,\"Base\":\"~\",\"Days\":35}}",
    "created p",
    "{\"ddbdTableId\":8,\"ddbdVersion\":1,\"CreationDateTime\":\"~\",\"TableId\":\"~\",\"AttributeDefinitions\":["
    "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"N\"}],\"KeyS"
    "chema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"ProvisionedThroughput\":{\"ReadCapacityUnits\":5"
    ",\"WriteCapacityUnits\":5},\"GlobalSecondaryIndexes\":[{\"IndexName\":\"pgsi\",\"KeySchema\":[{\"AttributeNa"
    "me\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"},\"ProvisionedThroughput\":{\"R"
    "eadCapacityUnits\":2,\"WriteCapacityUnits\":2},\"IndexStatus\":\"ACTIVE\",\"ddbdIndexId\":9}]}",
    "ttl refused",
    "{\"ddbdTableId\":8,\"ddbdVersion\":1,\"CreationDateTime\":\"~\",\"TableId\":\"~\",\"AttributeDefinitions\":["
    "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"N\"}],\"KeyS"
    "chema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"ProvisionedThroughput\":{\"ReadCapacityUnits\":5"
    ",\"WriteCapacityUnits\":5},\"GlobalSecondaryIndexes\":[{\"IndexName\":\"pgsi\",\"KeySchema\":[{\"AttributeNa"
    "me\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"},\"ProvisionedThroughput\":{\"R"
    "eadCapacityUnits\":2,\"WriteCapacityUnits\":2},\"IndexStatus\":\"ACTIVE\",\"ddbdIndexId\":9}]}",
    NULL,
};
/* clang-format on */

TEST(ttl_tags_and_pitr_changes)
{
    transcript tr = {.test = "ttl_tags_and_pitr_changes"};
    inproc_server *e = open_gated(NULL, 2);
    inproc_client c;

    ASSERT(e != NULL);
    inproc_client_init(&c, e->api);
    CALL_OK(&c, "CreateTable", "%s", CREATE_M);
    see(&tr, e, "created", "mid");
    CALL_OK(&c, "UpdateTimeToLive",
            "{\"TableName\":\"mid\",\"TimeToLiveSpecification\":{\"AttributeName\":\"exp\",\"Enabled\":true}}");
    see(&tr, e, "ttl enabled", "mid");
    CALL_OK(&c, "TagResource", "{\"ResourceArn\":\"" ARN "mid\",\"Tags\":[{\"Key\":\"b\",\"Value\":\"3\"},"
            "{\"Key\":\"c\",\"Value\":\"4\"}]}");
    see(&tr, e, "tagged", "mid");
    CALL_OK(&c, "UntagResource", "{\"ResourceArn\":\"" ARN "mid\",\"TagKeys\":[\"a\",\"c\",\"zz\"]}");
    see(&tr, e, "untagged", "mid");
    CALL_OK(&c, "UntagResource", "{\"ResourceArn\":\"" ARN "mid\",\"TagKeys\":[\"b\"]}");
    see(&tr, e, "untagged all", "mid");
    CALL_OK(&c, "TagResource", "{\"ResourceArn\":\"" ARN "mid\",\"Tags\":[{\"Key\":\"d\",\"Value\":\"5\"}]}");
    see(&tr, e, "tagged again", "mid");
    CALL_OK(&c, "UpdateContinuousBackups", "{\"TableName\":\"mid\",\"PointInTimeRecoverySpecification\":{"
            "\"PointInTimeRecoveryEnabled\":true,\"RecoveryPeriodInDays\":10}}");
    see(&tr, e, "pitr on", "mid");
    run_jobs(e, 2);
    CALL_OK(&c, "UpdateContinuousBackups", "{\"TableName\":\"mid\",\"PointInTimeRecoverySpecification\":{"
            "\"PointInTimeRecoveryEnabled\":true,\"RecoveryPeriodInDays\":20}}");
    see(&tr, e, "pitr period", "mid");
    CALL_OK(&c, "UpdateContinuousBackups",
            "{\"TableName\":\"mid\",\"PointInTimeRecoverySpecification\":{\"PointInTimeRecoveryEnabled\":false}}");
    see(&tr, e, "pitr off", "mid");
    run_jobs(e, 2);
    CALL_OK(&c, "UpdateContinuousBackups",
            "{\"TableName\":\"mid\",\"PointInTimeRecoverySpecification\":{\"PointInTimeRecoveryEnabled\":true}}");
    see(&tr, e, "pitr on again", "mid");
    CALL_OK(&c, "CreateTable", "%s", CREATE_P);
    see(&tr, e, "created p", "prov");
    /* refused ("TimeToLive is already disabled"): nothing changes */
    CHECK(inproc_callf(&c, "UpdateTimeToLive", "{\"TableName\":\"prov\",\"TimeToLiveSpecification\":{"
                       "\"AttributeName\":\"x\",\"Enabled\":false}}")
              .code == DDB_E_VALIDATION);
    see(&tr, e, "ttl refused", "prov");
out:
    check_transcript(&tr, SMALL_CHANGES);
    inproc_client_free(&c);
    inproc_close(e);
}

/* ---- UpdateTable ---- */

/* clang-format off */
static const char *const UPDATE_TABLE[] = {
    "created p",
    "{\"ddbdTableId\":4,\"ddbdVersion\":1,\"CreationDateTime\":\"~\",\"TableId\":\"~\",\"AttributeDefinit"
    "ions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType"
    "\":\"N\"}],\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"ProvisionedThroughput\""
    ":{\"ReadCapacityUnits\":5,\"WriteCapacityUnits\":5},\"GlobalSecondaryIndexes\":[{\"IndexName\":\"pgs"
    "i\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType"
    "\":\"ALL\"},\"ProvisionedThroughput\":{\"ReadCapacityUnits\":2,\"WriteCapacityUnits\":2},\"IndexStat"
    "us\":\"ACTIVE\",\"ddbdIndexId\":5}]}",
    "throughput down",
    "{\"ddbdTableId\":4,\"ddbdVersion\":2,\"CreationDateTime\":\"~\",\"TableId\":\"~\",\"KeySchema\":[{\""
    "AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"GlobalSecondaryIndexes\":[{\"IndexName\":\"pgsi\",\""
    "KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"AL"
    "L\"},\"ProvisionedThroughput\":{\"ReadCapacityUnits\":2,\"WriteCapacityUnits\":2},\"IndexStatus\":\""
    "ACTIVE\",\"ddbdIndexId\":5}],\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":"
    "\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"N\"}],\"BillingMode\":\"PROVISIONED\",\"Provisio"
    "nedThroughput\":{\"ReadCapacityUnits\":3,\"WriteCapacityUnits\":5,\"LastDecreaseDateTime\":\"~\",\"N"
    "umberOfDecreasesToday\":1,\"ddbdDecreasesDay\":\"~\"}}",
    "throughput up",
    "{\"ddbdTableId\":4,\"ddbdVersion\":3,\"CreationDateTime\":\"~\",\"TableId\":\"~\",\"KeySchema\":[{\""
    "AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"GlobalSecondaryIndexes\":[{\"IndexName\":\"pgsi\",\""
    "KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"AL"
    "L\"},\"ProvisionedThroughput\":{\"ReadCapacityUnits\":2,\"WriteCapacityUnits\":2},\"IndexStatus\":\""
    "ACTIVE\",\"ddbdIndexId\":5}],\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":"
    "\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"N\"}],\"BillingMode\":\"PROVISIONED\",\"Provisio"
    "nedThroughput\":{\"ReadCapacityUnits\":4,\"WriteCapacityUnits\":6,\"LastIncreaseDateTime\":\"~\",\"L"
    "astDecreaseDateTime\":\"~\",\"NumberOfDecreasesToday\":1,\"ddbdDecreasesDay\":\"~\"}}",
    "gsi throughput",
    "{\"ddbdTableId\":4,\"ddbdVersion\":4,\"CreationDateTime\":\"~\",\"TableId\":\"~\",\"KeySchema\":[{\""
    "AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"GlobalSecondaryIndexes\":[{\"IndexName\":\"pgsi\",\""
    "KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"AL"
    "L\"},\"IndexStatus\":\"ACTIVE\",\"ddbdIndexId\":5,\"ProvisionedThroughput\":{\"ReadCapacityUnits\":7"
    ",\"WriteCapacityUnits\":8}}],\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":"
    "\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"N\"}],\"BillingMode\":\"PROVISIONED\",\"Provisio"
    "nedThroughput\":{\"ReadCapacityUnits\":4,\"WriteCapacityUnits\":6,\"LastIncreaseDateTime\":\"~\",\"L"
    "astDecreaseDateTime\":\"~\",\"NumberOfDecreasesToday\":1,\"ddbdDecreasesDay\":\"~\"}}",
    "on demand",
    "{\"ddbdTableId\":4,\"ddbdVersion\":5,\"CreationDateTime\":\"~\",\"TableId\":\"~\",\"KeySchema\":[{\""
    "AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"GlobalSecondaryIndexes\":[{\"IndexName\":\"pgsi\",\""
    "KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"AL"
    "L\"},\"IndexStatus\":\"ACTIVE\",\"ddbdIndexId\":5,\"ProvisionedThroughput\":{\"ReadCapacityUnits\":7"
    ",\"WriteCapacityUnits\":8}}],\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":"
    "\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"N\"}],\"BillingMode\":\"PAY_PER_REQUEST\",\"Bill"
    "ingModeUpdated\":\"~\",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":4,\"WriteCapacityUnits\":6,"
    "\"LastIncreaseDateTime\":\"~\",\"LastDecreaseDateTime\":\"~\",\"NumberOfDecreasesToday\":1,\"ddbdDec"
    "reasesDay\":\"~\"},\"WarmThroughput\":{\"ReadUnitsPerSecond\":4,\"WriteUnitsPerSecond\":6}}",
    "provisioned again",
    "{\"ddbdTableId\":4,\"ddbdVersion\":6,\"CreationDateTime\":\"~\",\"TableId\":\"~\",\"KeySchema\":[{\""
    "AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"GlobalSecondaryIndexes\":[{\"IndexName\":\"pgsi\",\""
    "KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"AL"
    "L\"},\"IndexStatus\":\"ACTIVE\",\"ddbdIndexId\":5,\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1"
    ",\"WriteCapacityUnits\":1}}],\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":"
    "\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"N\"}],\"BillingMode\":\"PROVISIONED\",\"BillingM"
    "odeUpdated\":\"~\",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,\"WriteCapacityUnits\":1,\"Las"
    "tIncreaseDateTime\":\"~\",\"LastDecreaseDateTime\":\"~\",\"NumberOfDecreasesToday\":1,\"ddbdDecrease"
    "sDay\":\"~\"},\"WarmThroughput\":{\"ReadUnitsPerSecond\":12000,\"WriteUnitsPerSecond\":4000}}",
    "protected",
    "{\"ddbdTableId\":4,\"ddbdVersion\":7,\"CreationDateTime\":\"~\",\"TableId\":\"~\",\"KeySchema\":[{\""
    "AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"WarmThroughput\":{\"ReadUnitsPerSecond\":12000,\"Wri"
    "teUnitsPerSecond\":4000},\"GlobalSecondaryIndexes\":[{\"IndexName\":\"pgsi\",\"KeySchema\":[{\"Attri"
    "buteName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"},\"IndexStatus\":"
    "\"ACTIVE\",\"ddbdIndexId\":5,\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,\"WriteCapacityUnits"
    "\":1}}],\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeNam"
    "e\":\"g\",\"AttributeType\":\"N\"}],\"BillingMode\":\"PROVISIONED\",\"BillingModeUpdated\":\"~\",\"P"
    "rovisionedThroughput\":{\"ReadCapacityUnits\":1,\"WriteCapacityUnits\":1,\"LastIncreaseDateTime\":\""
    "~\",\"LastDecreaseDateTime\":\"~\",\"NumberOfDecreasesToday\":1,\"ddbdDecreasesDay\":\"~\"},\"Deleti"
    "onProtectionEnabled\":true}",
    "table class",
    "{\"ddbdTableId\":4,\"ddbdVersion\":8,\"CreationDateTime\":\"~\",\"TableId\":\"~\",\"KeySchema\":[{\""
    "AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"WarmThroughput\":{\"ReadUnitsPerSecond\":12000,\"Wri"
    "teUnitsPerSecond\":4000},\"GlobalSecondaryIndexes\":[{\"IndexName\":\"pgsi\",\"KeySchema\":[{\"Attri"
    "buteName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"},\"IndexStatus\":"
    "\"ACTIVE\",\"ddbdIndexId\":5,\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,\"WriteCapacityUnits"
    "\":1}}],\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeNam"
    "e\":\"g\",\"AttributeType\":\"N\"}],\"BillingMode\":\"PROVISIONED\",\"BillingModeUpdated\":\"~\",\"P"
    "rovisionedThroughput\":{\"ReadCapacityUnits\":1,\"WriteCapacityUnits\":1,\"LastIncreaseDateTime\":\""
    "~\",\"LastDecreaseDateTime\":\"~\",\"NumberOfDecreasesToday\":1,\"ddbdDecreasesDay\":\"~\"},\"TableC"
    "lass\":\"STANDARD_INFREQUENT_ACCESS\",\"DeletionProtectionEnabled\":true,\"TableClassUpdated\":\"~\""
    "}",
    "stream on",
    "{\"ddbdTableId\":4,\"ddbdVersion\":9,\"CreationDateTime\":\"~\",\"TableId\":\"~\",\"KeySchema\":[{\""
    "AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"WarmThroughput\":{\"ReadUnitsPerSecond\":12000,\"Wri"
    "teUnitsPerSecond\":4000},\"GlobalSecondaryIndexes\":[{\"IndexName\":\"pgsi\",\"KeySchema\":[{\"Attri"
    "buteName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"},\"IndexStatus\":"
    "\"ACTIVE\",\"ddbdIndexId\":5,\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,\"WriteCapacityUnits"
    "\":1}}],\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeNam"
    "e\":\"g\",\"AttributeType\":\"N\"}],\"BillingMode\":\"PROVISIONED\",\"BillingModeUpdated\":\"~\",\"P"
    "rovisionedThroughput\":{\"ReadCapacityUnits\":1,\"WriteCapacityUnits\":1,\"LastIncreaseDateTime\":\""
    "~\",\"LastDecreaseDateTime\":\"~\",\"NumberOfDecreasesToday\":1,\"ddbdDecreasesDay\":\"~\"},\"TableC"
    "lass\":\"STANDARD_INFREQUENT_ACCESS\",\"DeletionProtectionEnabled\":true,\"TableClassUpdated\":\"~\""
    ",\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"KEYS_ONLY\"},\"ddbdStream\":{"
    "\"Id\":6,\"Label\":\"~\",\"View\":\"KEYS_ONLY\",\"Enabled\":true,\"Shards\":[2]}}",
    "unprotected, stream kept",
    "{\"ddbdTableId\":4,\"ddbdVersion\":10,\"CreationDateTime\":\"~\",\"TableId\":\"~\",\"KeySchema\":[{"
    "\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"WarmThroughput\":{\"ReadUnitsPerSecond\":12000,\"W"
    "riteUnitsPerSecond\":4000},\"GlobalSecondaryIndexes\":[{\"IndexName\":\"pgsi\",\"KeySchema\":[{\"Att"
    "ributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"},\"IndexStatus"
    "\":\"ACTIVE\",\"ddbdIndexId\":5,\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,\"WriteCapacityUn"
    "its\":1}}],\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"Attribute"
    "Name\":\"g\",\"AttributeType\":\"N\"}],\"BillingMode\":\"PROVISIONED\",\"BillingModeUpdated\":\"~\","
    "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,\"WriteCapacityUnits\":1,\"LastIncreaseDateTime\""
    ":\"~\",\"LastDecreaseDateTime\":\"~\",\"NumberOfDecreasesToday\":1,\"ddbdDecreasesDay\":\"~\"},\"Tab"
    "leClass\":\"STANDARD_INFREQUENT_ACCESS\",\"DeletionProtectionEnabled\":false,\"TableClassUpdated\":"
    "\"~\",\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"KEYS_ONLY\"},\"ddbdStream"
    "\":{\"Id\":6,\"Label\":\"~\",\"View\":\"KEYS_ONLY\",\"Enabled\":true,\"Shards\":[2]}}",
    "stream off",
    "{\"ddbdTableId\":4,\"ddbdVersion\":11,\"CreationDateTime\":\"~\",\"TableId\":\"~\",\"KeySchema\":[{"
    "\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"WarmThroughput\":{\"ReadUnitsPerSecond\":12000,\"W"
    "riteUnitsPerSecond\":4000},\"GlobalSecondaryIndexes\":[{\"IndexName\":\"pgsi\",\"KeySchema\":[{\"Att"
    "ributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"},\"IndexStatus"
    "\":\"ACTIVE\",\"ddbdIndexId\":5,\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,\"WriteCapacityUn"
    "its\":1}}],\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"Attribute"
    "Name\":\"g\",\"AttributeType\":\"N\"}],\"BillingMode\":\"PROVISIONED\",\"BillingModeUpdated\":\"~\","
    "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,\"WriteCapacityUnits\":1,\"LastIncreaseDateTime\""
    ":\"~\",\"LastDecreaseDateTime\":\"~\",\"NumberOfDecreasesToday\":1,\"ddbdDecreasesDay\":\"~\"},\"Tab"
    "leClass\":\"STANDARD_INFREQUENT_ACCESS\",\"DeletionProtectionEnabled\":false,\"TableClassUpdated\":"
    "\"~\",\"ddbdStream\":{\"Id\":6,\"Label\":\"~\",\"View\":\"KEYS_ONLY\",\"Enabled\":false,\"Shards\":["
    "2]}}",
    "stream stays off",
    "{\"ddbdTableId\":4,\"ddbdVersion\":12,\"CreationDateTime\":\"~\",\"TableId\":\"~\",\"KeySchema\":[{"
    "\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"WarmThroughput\":{\"ReadUnitsPerSecond\":12000,\"W"
    "riteUnitsPerSecond\":4000},\"GlobalSecondaryIndexes\":[{\"IndexName\":\"pgsi\",\"KeySchema\":[{\"Att"
    "ributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"},\"IndexStatus"
    "\":\"ACTIVE\",\"ddbdIndexId\":5,\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,\"WriteCapacityUn"
    "its\":1}}],\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"Attribute"
    "Name\":\"g\",\"AttributeType\":\"N\"}],\"BillingMode\":\"PROVISIONED\",\"BillingModeUpdated\":\"~\","
    "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,\"WriteCapacityUnits\":1,\"LastIncreaseDateTime\""
    ":\"~\",\"LastDecreaseDateTime\":\"~\",\"NumberOfDecreasesToday\":1,\"ddbdDecreasesDay\":\"~\"},\"Tab"
    "leClass\":\"STANDARD\",\"DeletionProtectionEnabled\":false,\"TableClassUpdated\":\"~\",\"ddbdStream"
    "\":{\"Id\":6,\"Label\":\"~\",\"View\":\"KEYS_ONLY\",\"Enabled\":false,\"Shards\":[2]}}",
    "new stream",
    "{\"ddbdTableId\":4,\"ddbdVersion\":13,\"CreationDateTime\":\"~\",\"TableId\":\"~\",\"KeySchema\":[{"
    "\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"WarmThroughput\":{\"ReadUnitsPerSecond\":12000,\"W"
    "riteUnitsPerSecond\":4000},\"GlobalSecondaryIndexes\":[{\"IndexName\":\"pgsi\",\"KeySchema\":[{\"Att"
    "ributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"},\"IndexStatus"
    "\":\"ACTIVE\",\"ddbdIndexId\":5,\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,\"WriteCapacityUn"
    "its\":1}}],\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"Attribute"
    "Name\":\"g\",\"AttributeType\":\"N\"}],\"BillingMode\":\"PROVISIONED\",\"BillingModeUpdated\":\"~\","
    "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,\"WriteCapacityUnits\":1,\"LastIncreaseDateTime\""
    ":\"~\",\"LastDecreaseDateTime\":\"~\",\"NumberOfDecreasesToday\":1,\"ddbdDecreasesDay\":\"~\"},\"Tab"
    "leClass\":\"STANDARD\",\"DeletionProtectionEnabled\":false,\"TableClassUpdated\":\"~\",\"StreamSpeci"
    "fication\":{\"StreamEnabled\":true,\"StreamViewType\":\"NEW_IMAGE\"},\"ddbdStream\":{\"Id\":7,\"Labe"
    "l\":\"~\",\"View\":\"NEW_IMAGE\",\"Enabled\":true,\"Shards\":[2]}}",
    "created mid",
    "{\"ddbdTableId\":2,\"ddbdVersion\":1,\"CreationDateTime\":\"~\",\"TableId\":\"~\",\"AttributeDefinit"
    "ions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType"
    "\":\"S\"}],\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER"
    "_REQUEST\",\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\",\"KeySchema\":[{\"AttributeName\":\"g"
    "\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"},\"IndexStatus\":\"ACTIVE"
    "\",\"ddbdIndexId\":3}],\"TableClass\":\"STANDARD\",\"ddbdTags\":[{\"Key\":\"a\",\"Value\":\"1\"},{\""
    "Key\":\"b\",\"Value\":\"2\"}],\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"K"
    "EYS_ONLY\"},\"ddbdStream\":{\"Id\":1,\"Label\":\"~\",\"View\":\"KEYS_ONLY\",\"Enabled\":true,\"Shard"
    "s\":[2]}}",
    "mid stream off",
    "{\"ddbdTableId\":2,\"ddbdVersion\":2,\"CreationDateTime\":\"~\",\"TableId\":\"~\",\"KeySchema\":[{\""
    "AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"ddbdTags\":[{\"Key\":\"a\",\"Value\":\"1\"},{\"Key\""
    ":\"b\",\"Value\":\"2\"}],\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\",\"KeySchema\":[{\"Attrib"
    "uteName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"},\"IndexStat"
    "us\":\"ACTIVE\",\"ddbdIndexId\":3}],\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeT"
    "ype\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],\"BillingMode\":\"PAY_PER_REQUEST\","
    "\"BillingModeUpdated\":\"~\",\"ProvisionedThroughput\":null,\"TableClass\":\"STANDARD\",\"ddbdStream"
    "\":{\"Id\":1,\"Label\":\"~\",\"View\":\"KEYS_ONLY\",\"Enabled\":false,\"Shards\":[2]}}",
    "mid same mode",
    "{\"ddbdTableId\":2,\"ddbdVersion\":3,\"CreationDateTime\":\"~\",\"TableId\":\"~\",\"KeySchema\":[{\""
    "AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"ddbdTags\":[{\"Key\":\"a\",\"Value\":\"1\"},{\"Key\""
    ":\"b\",\"Value\":\"2\"}],\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\",\"KeySchema\":[{\"Attrib"
    "uteName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"},\"IndexStat"
    "us\":\"ACTIVE\",\"ddbdIndexId\":3}],\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeT"
    "ype\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],\"BillingMode\":\"PAY_PER_REQUEST\","
    "\"BillingModeUpdated\":\"~\",\"ProvisionedThroughput\":null,\"TableClass\":\"STANDARD\",\"ddbdStream"
    "\":{\"Id\":1,\"Label\":\"~\",\"View\":\"KEYS_ONLY\",\"Enabled\":false,\"Shards\":[2]}}",
    NULL,
};
/* clang-format on */

TEST(update_table_members)
{
    transcript tr = {.test = "update_table_members"};
    inproc_server *e = open_gated(NULL, 2);
    inproc_client c;

    ASSERT(e != NULL);
    inproc_client_init(&c, e->api);
    CALL_OK(&c, "CreateTable", "%s", CREATE_M);
    CALL_OK(&c, "CreateTable", "%s", CREATE_P);
    see(&tr, e, "created p", "prov");
    CALL_OK(&c, "UpdateTable", "{\"TableName\":\"prov\",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":3,"
            "\"WriteCapacityUnits\":5}}");
    see(&tr, e, "throughput down", "prov");
    CALL_OK(&c, "UpdateTable", "{\"TableName\":\"prov\",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":4,"
            "\"WriteCapacityUnits\":6}}");
    see(&tr, e, "throughput up", "prov");
    CALL_OK(&c, "UpdateTable", "{\"TableName\":\"prov\",\"GlobalSecondaryIndexUpdates\":[{\"Update\":{"
            "\"IndexName\":\"pgsi\",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":7,\"WriteCapacityUnits\":8}}}]}");
    see(&tr, e, "gsi throughput", "prov");
    CALL_OK(&c, "UpdateTable", "{\"TableName\":\"prov\",\"BillingMode\":\"PAY_PER_REQUEST\"}");
    see(&tr, e, "on demand", "prov");
    CALL_OK(&c, "UpdateTable", "{\"TableName\":\"prov\",\"BillingMode\":\"PROVISIONED\",\"ProvisionedThroughput\":{"
            "\"ReadCapacityUnits\":1,\"WriteCapacityUnits\":1},\"GlobalSecondaryIndexUpdates\":[{\"Update\":{"
            "\"IndexName\":\"pgsi\",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,\"WriteCapacityUnits\":1}}}]}");
    see(&tr, e, "provisioned again", "prov");
    CALL_OK(&c, "UpdateTable", "{\"TableName\":\"prov\",\"DeletionProtectionEnabled\":true}");
    see(&tr, e, "protected", "prov");
    CALL_OK(&c, "UpdateTable", "{\"TableName\":\"prov\",\"TableClass\":\"STANDARD_INFREQUENT_ACCESS\"}");
    see(&tr, e, "table class", "prov");
    CALL_OK(&c, "UpdateTable", "{\"TableName\":\"prov\",\"StreamSpecification\":{\"StreamEnabled\":true,"
            "\"StreamViewType\":\"KEYS_ONLY\"}}");
    see(&tr, e, "stream on", "prov");
    CALL_OK(&c, "UpdateTable", "{\"TableName\":\"prov\",\"DeletionProtectionEnabled\":false}");
    see(&tr, e, "unprotected, stream kept", "prov");
    CALL_OK(&c, "UpdateTable", "{\"TableName\":\"prov\",\"StreamSpecification\":{\"StreamEnabled\":false}}");
    see(&tr, e, "stream off", "prov");
    CALL_OK(&c, "UpdateTable", "{\"TableName\":\"prov\",\"TableClass\":\"STANDARD\"}");
    see(&tr, e, "stream stays off", "prov");
    CALL_OK(&c, "UpdateTable", "{\"TableName\":\"prov\",\"StreamSpecification\":{\"StreamEnabled\":true,"
            "\"StreamViewType\":\"NEW_IMAGE\"}}");
    see(&tr, e, "new stream", "prov");
    see(&tr, e, "created mid", "mid");
    CALL_OK(&c, "UpdateTable", "{\"TableName\":\"mid\",\"StreamSpecification\":{\"StreamEnabled\":false}}");
    see(&tr, e, "mid stream off", "mid");
    CALL_OK(&c, "UpdateTable", "{\"TableName\":\"mid\",\"BillingMode\":\"PAY_PER_REQUEST\","
            "\"AttributeDefinitions\":[" DEF("pk", "S") "]}");
    see(&tr, e, "mid same mode", "mid");
out:
    check_transcript(&tr, UPDATE_TABLE);
    inproc_client_free(&c);
    inproc_close(e);
}

/* ---- GSIs created and deleted, and the worker's changes ---- */

/* clang-format off */
static const char *const INDEXES[] = {
    "gsi created",
    "{\"ddbdTableId\":2,\"ddbdVersion\":2,\"CreationDateTime\":\"~\",\"ddbdCollectionsId\":3,\"TableId\":\"~\",\""
    "KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\""
    "}],\"SSESpecification\":{\"Enabled\":true},\"ddbdTags\":[{\"Key\":\"a\",\"Value\":\"1\"},{\"Key\":\"b\",\"Va"
    "lue\":\"2\"}],\"LocalSecondaryIndexes\":[{\"IndexName\":\"lsi\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"K"
    "eyType\":\"HASH\"},{\"AttributeName\":\"l\",\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"KEY"
    "S_ONLY\"},\"IndexStatus\":\"ACTIVE\",\"ddbdIndexId\":4}],\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\","
    "\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"INCLUDE"
    "\",\"NonKeyAttributes\":[\"a\"]},\"IndexStatus\":\"ACTIVE\",\"ddbdIndexId\":5},{\"IndexName\":\"gsi2\",\"Key"
    "Schema\":[{\"AttributeName\":\"h\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"},"
    "\"IndexStatus\":\"CREATING\",\"Backfilling\":true,\"ddbdIndexId\":6}],\"AttributeDefinitions\":[{\"Attribute"
    "Name\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"},{\"AttributeName\""
    ":\"l\",\"AttributeType\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"S\"},{\"AttributeName\":\"h\","
    "\"AttributeType\":\"N\"}],\"BillingMode\":\"PAY_PER_REQUEST\",\"BillingModeUpdated\":\"~\",\"ProvisionedThro"
    "ughput\":null,\"TableClass\":\"STANDARD\",\"DeletionProtectionEnabled\":false,\"StreamSpecification\":{\"Str"
    "eamEnabled\":true,\"StreamViewType\":\"NEW_AND_OLD_IMAGES\"},\"ddbdStream\":{\"Id\":1,\"Label\":\"~\",\"View"
    "\":\"NEW_AND_OLD_IMAGES\",\"Enabled\":true,\"Shards\":[2]}}",
    "gsi active",
    "{\"ddbdTableId\":2,\"ddbdVersion\":3,\"CreationDateTime\":\"~\",\"ddbdCollectionsId\":3,\"TableId\":\"~\",\""
    "KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\""
    "}],\"SSESpecification\":{\"Enabled\":true},\"ddbdTags\":[{\"Key\":\"a\",\"Value\":\"1\"},{\"Key\":\"b\",\"Va"
    "lue\":\"2\"}],\"BillingMode\":\"PAY_PER_REQUEST\",\"BillingModeUpdated\":\"~\",\"ProvisionedThroughput\":nul"
    "l,\"TableClass\":\"STANDARD\",\"DeletionProtectionEnabled\":false,\"StreamSpecification\":{\"StreamEnabled\""
    ":true,\"StreamViewType\":\"NEW_AND_OLD_IMAGES\"},\"ddbdStream\":{\"Id\":1,\"Label\":\"~\",\"View\":\"NEW_AND"
    "_OLD_IMAGES\",\"Enabled\":true,\"Shards\":[2]},\"LocalSecondaryIndexes\":[{\"IndexName\":\"lsi\",\"KeySchema"
    "\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"l\",\"KeyType\":\"RANGE\"}],\"Proje"
    "ction\":{\"ProjectionType\":\"KEYS_ONLY\"},\"IndexStatus\":\"ACTIVE\",\"ddbdIndexId\":4}],\"GlobalSecondaryI"
    "ndexes\":[{\"IndexName\":\"gsi\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection"
    "\":{\"ProjectionType\":\"INCLUDE\",\"NonKeyAttributes\":[\"a\"]},\"IndexStatus\":\"ACTIVE\",\"ddbdIndexId\":"
    "5},{\"IndexName\":\"gsi2\",\"KeySchema\":[{\"AttributeName\":\"h\",\"KeyType\":\"HASH\"}],\"Projection\":{\""
    "ProjectionType\":\"KEYS_ONLY\"},\"ddbdIndexId\":6,\"IndexStatus\":\"ACTIVE\"}],\"AttributeDefinitions\":[{\""
    "AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"},{\"Attrib"
    "uteName\":\"l\",\"AttributeType\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"S\"},{\"AttributeName"
    "\":\"h\",\"AttributeType\":\"N\"}]}",
    "gsi deleting",
    "{\"ddbdTableId\":2,\"ddbdVersion\":4,\"CreationDateTime\":\"~\",\"ddbdCollectionsId\":3,\"TableId\":\"~\",\""
    "KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\""
    "}],\"SSESpecification\":{\"Enabled\":true},\"ddbdTags\":[{\"Key\":\"a\",\"Value\":\"1\"},{\"Key\":\"b\",\"Va"
    "lue\":\"2\"}],\"LocalSecondaryIndexes\":[{\"IndexName\":\"lsi\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"K"
    "eyType\":\"HASH\"},{\"AttributeName\":\"l\",\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"KEY"
    "S_ONLY\"},\"IndexStatus\":\"ACTIVE\",\"ddbdIndexId\":4}],\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\","
    "\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"INCLUDE"
    "\",\"NonKeyAttributes\":[\"a\"]},\"IndexStatus\":\"ACTIVE\",\"ddbdIndexId\":5},{\"IndexName\":\"gsi2\",\"Key"
    "Schema\":[{\"AttributeName\":\"h\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"},"
    "\"ddbdIndexId\":6,\"IndexStatus\":\"DELETING\"}],\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"Attri"
    "buteType\":\"S\"},{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"},{\"AttributeName\":\"l\",\"AttributeTyp"
    "e\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"S\"},{\"AttributeName\":\"h\",\"AttributeType\":\"N"
    "\"}],\"BillingMode\":\"PAY_PER_REQUEST\",\"BillingModeUpdated\":\"~\",\"ProvisionedThroughput\":null,\"Table"
    "Class\":\"STANDARD\",\"DeletionProtectionEnabled\":false,\"StreamSpecification\":{\"StreamEnabled\":true,\"S"
    "treamViewType\":\"NEW_AND_OLD_IMAGES\"},\"ddbdStream\":{\"Id\":1,\"Label\":\"~\",\"View\":\"NEW_AND_OLD_IMAG"
    "ES\",\"Enabled\":true,\"Shards\":[2]}}",
    "gsi dropped",
    "{\"ddbdTableId\":2,\"ddbdVersion\":5,\"CreationDateTime\":\"~\",\"ddbdCollectionsId\":3,\"TableId\":\"~\",\""
    "KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\""
    "}],\"SSESpecification\":{\"Enabled\":true},\"ddbdTags\":[{\"Key\":\"a\",\"Value\":\"1\"},{\"Key\":\"b\",\"Va"
    "lue\":\"2\"}],\"BillingMode\":\"PAY_PER_REQUEST\",\"BillingModeUpdated\":\"~\",\"ProvisionedThroughput\":nul"
    "l,\"TableClass\":\"STANDARD\",\"DeletionProtectionEnabled\":false,\"StreamSpecification\":{\"StreamEnabled\""
    ":true,\"StreamViewType\":\"NEW_AND_OLD_IMAGES\"},\"ddbdStream\":{\"Id\":1,\"Label\":\"~\",\"View\":\"NEW_AND"
    "_OLD_IMAGES\",\"Enabled\":true,\"Shards\":[2]},\"LocalSecondaryIndexes\":[{\"IndexName\":\"lsi\",\"KeySchema"
    "\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"l\",\"KeyType\":\"RANGE\"}],\"Proje"
    "ction\":{\"ProjectionType\":\"KEYS_ONLY\"},\"IndexStatus\":\"ACTIVE\",\"ddbdIndexId\":4}],\"GlobalSecondaryI"
    "ndexes\":[{\"IndexName\":\"gsi\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection"
    "\":{\"ProjectionType\":\"INCLUDE\",\"NonKeyAttributes\":[\"a\"]},\"IndexStatus\":\"ACTIVE\",\"ddbdIndexId\":"
    "5}],\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"sk\","
    "\"AttributeType\":\"N\"},{\"AttributeName\":\"l\",\"AttributeType\":\"S\"},{\"AttributeName\":\"g\",\"Attrib"
    "uteType\":\"S\"}]}",
    "last gsi deleting",
    "{\"ddbdTableId\":2,\"ddbdVersion\":6,\"CreationDateTime\":\"~\",\"ddbdCollectionsId\":3,\"TableId\":\"~\",\""
    "KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\""
    "}],\"SSESpecification\":{\"Enabled\":true},\"ddbdTags\":[{\"Key\":\"a\",\"Value\":\"1\"},{\"Key\":\"b\",\"Va"
    "lue\":\"2\"}],\"LocalSecondaryIndexes\":[{\"IndexName\":\"lsi\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"K"
    "eyType\":\"HASH\"},{\"AttributeName\":\"l\",\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"KEY"
    "S_ONLY\"},\"IndexStatus\":\"ACTIVE\",\"ddbdIndexId\":4}],\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\","
    "\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"INCLUDE"
    "\",\"NonKeyAttributes\":[\"a\"]},\"ddbdIndexId\":5,\"IndexStatus\":\"DELETING\"}],\"AttributeDefinitions\":["
    "{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"},{\"Att"
    "ributeName\":\"l\",\"AttributeType\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],\"BillingMode"
    "\":\"PAY_PER_REQUEST\",\"BillingModeUpdated\":\"~\",\"ProvisionedThroughput\":null,\"TableClass\":\"STANDARD"
    "\",\"DeletionProtectionEnabled\":false,\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\""
    "NEW_AND_OLD_IMAGES\"},\"ddbdStream\":{\"Id\":1,\"Label\":\"~\",\"View\":\"NEW_AND_OLD_IMAGES\",\"Enabled\":t"
    "rue,\"Shards\":[2]}}",
    "last gsi dropped",
    "{\"ddbdTableId\":2,\"ddbdVersion\":7,\"CreationDateTime\":\"~\",\"ddbdCollectionsId\":3,\"TableId\":\"~\",\""
    "KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\""
    "}],\"SSESpecification\":{\"Enabled\":true},\"ddbdTags\":[{\"Key\":\"a\",\"Value\":\"1\"},{\"Key\":\"b\",\"Va"
    "lue\":\"2\"}],\"BillingMode\":\"PAY_PER_REQUEST\",\"BillingModeUpdated\":\"~\",\"ProvisionedThroughput\":nul"
    "l,\"TableClass\":\"STANDARD\",\"DeletionProtectionEnabled\":false,\"StreamSpecification\":{\"StreamEnabled\""
    ":true,\"StreamViewType\":\"NEW_AND_OLD_IMAGES\"},\"ddbdStream\":{\"Id\":1,\"Label\":\"~\",\"View\":\"NEW_AND"
    "_OLD_IMAGES\",\"Enabled\":true,\"Shards\":[2]},\"LocalSecondaryIndexes\":[{\"IndexName\":\"lsi\",\"KeySchema"
    "\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"l\",\"KeyType\":\"RANGE\"}],\"Proje"
    "ction\":{\"ProjectionType\":\"KEYS_ONLY\"},\"IndexStatus\":\"ACTIVE\",\"ddbdIndexId\":4}],\"AttributeDefinit"
    "ions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"sk\",\"AttributeType\":\"N\""
    "},{\"AttributeName\":\"l\",\"AttributeType\":\"S\"}]}",
    "gsi into an empty list",
    "{\"ddbdTableId\":2,\"ddbdVersion\":8,\"CreationDateTime\":\"~\",\"ddbdCollectionsId\":3,\"TableId\":\"~\",\""
    "KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\""
    "}],\"SSESpecification\":{\"Enabled\":true},\"ddbdTags\":[{\"Key\":\"a\",\"Value\":\"1\"},{\"Key\":\"b\",\"Va"
    "lue\":\"2\"}],\"LocalSecondaryIndexes\":[{\"IndexName\":\"lsi\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"K"
    "eyType\":\"HASH\"},{\"AttributeName\":\"l\",\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"KEY"
    "S_ONLY\"},\"IndexStatus\":\"ACTIVE\",\"ddbdIndexId\":4}],\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi3\""
    ",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE"
    "\"}],\"Projection\":{\"ProjectionType\":\"INCLUDE\",\"NonKeyAttributes\":[\"h\"]},\"IndexStatus\":\"CREATING"
    "\",\"Backfilling\":true,\"ddbdIndexId\":7}],\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeT"
    "ype\":\"S\"},{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"},{\"AttributeName\":\"l\",\"AttributeType\":"
    "\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],\"BillingMode\":\"PAY_PER_REQUEST\",\"BillingModeU"
    "pdated\":\"~\",\"ProvisionedThroughput\":null,\"TableClass\":\"STANDARD\",\"DeletionProtectionEnabled\":fals"
    "e,\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"NEW_AND_OLD_IMAGES\"},\"ddbdStream\":"
    "{\"Id\":1,\"Label\":\"~\",\"View\":\"NEW_AND_OLD_IMAGES\",\"Enabled\":true,\"Shards\":[2]}}",
    "it is active",
    "{\"ddbdTableId\":2,\"ddbdVersion\":9,\"CreationDateTime\":\"~\",\"ddbdCollectionsId\":3,\"TableId\":\"~\",\""
    "KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\""
    "}],\"SSESpecification\":{\"Enabled\":true},\"ddbdTags\":[{\"Key\":\"a\",\"Value\":\"1\"},{\"Key\":\"b\",\"Va"
    "lue\":\"2\"}],\"BillingMode\":\"PAY_PER_REQUEST\",\"BillingModeUpdated\":\"~\",\"ProvisionedThroughput\":nul"
    "l,\"TableClass\":\"STANDARD\",\"DeletionProtectionEnabled\":false,\"StreamSpecification\":{\"StreamEnabled\""
    ":true,\"StreamViewType\":\"NEW_AND_OLD_IMAGES\"},\"ddbdStream\":{\"Id\":1,\"Label\":\"~\",\"View\":\"NEW_AND"
    "_OLD_IMAGES\",\"Enabled\":true,\"Shards\":[2]},\"LocalSecondaryIndexes\":[{\"IndexName\":\"lsi\",\"KeySchema"
    "\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"l\",\"KeyType\":\"RANGE\"}],\"Proje"
    "ction\":{\"ProjectionType\":\"KEYS_ONLY\"},\"IndexStatus\":\"ACTIVE\",\"ddbdIndexId\":4}],\"GlobalSecondaryI"
    "ndexes\":[{\"IndexName\":\"gsi3\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"},{\"Attribute"
    "Name\":\"sk\",\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"INCLUDE\",\"NonKeyAttributes\":["
    "\"h\"]},\"ddbdIndexId\":7,\"IndexStatus\":\"ACTIVE\"}],\"AttributeDefinitions\":[{\"AttributeName\":\"pk\","
    "\"AttributeType\":\"S\"},{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"},{\"AttributeName\":\"l\",\"Attri"
    "buteType\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}]}",
    NULL,
};
/* clang-format on */

TEST(indexes_created_built_deleted_and_dropped)
{
    transcript tr = {.test = "indexes_created_built_deleted_and_dropped"};
    inproc_server *e = open_gated(NULL, 2);
    inproc_client c;

    ASSERT(e != NULL);
    inproc_client_init(&c, e->api);
    CALL_OK(&c, "CreateTable", "%s", CREATE_T);
    CALL_OK(&c, "PutItem", "{\"TableName\":\"tab\",\"Item\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},"
            "\"h\":{\"N\":\"2\"},\"g\":{\"S\":\"x\"}}}");
    CALL_OK(&c, "UpdateTable", "{\"TableName\":\"tab\",\"AttributeDefinitions\":[" DEF("h", "N") "," DEF("pk", "S")
            "],\"GlobalSecondaryIndexUpdates\":[{\"Create\":{\"IndexName\":\"gsi2\",\"KeySchema\":[" KEY("h", "HASH")
            "],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}}}]}");
    see(&tr, e, "gsi created", "tab");
    run_jobs(e, 2);
    see(&tr, e, "gsi active", "tab");
    CALL_OK(&c, "UpdateTable", "{\"TableName\":\"tab\",\"GlobalSecondaryIndexUpdates\":[{\"Delete\":{"
            "\"IndexName\":\"gsi2\"}}]}");
    see(&tr, e, "gsi deleting", "tab");
    run_jobs(e, 2);
    see(&tr, e, "gsi dropped", "tab");
    CALL_OK(&c, "UpdateTable", "{\"TableName\":\"tab\",\"GlobalSecondaryIndexUpdates\":[{\"Delete\":{"
            "\"IndexName\":\"gsi\"}}]}");
    see(&tr, e, "last gsi deleting", "tab");
    run_jobs(e, 2);
    see(&tr, e, "last gsi dropped", "tab");
    CALL_OK(&c, "UpdateTable", "{\"TableName\":\"tab\",\"AttributeDefinitions\":[" DEF("g", "S") "," DEF("sk", "N")
            "],\"GlobalSecondaryIndexUpdates\":[{\"Create\":{\"IndexName\":\"gsi3\",\"KeySchema\":["
            KEY("g", "HASH") "," KEY("sk", "RANGE") "],\"Projection\":{\"ProjectionType\":\"INCLUDE\","
            "\"NonKeyAttributes\":[\"h\"]}}}]}");
    see(&tr, e, "gsi into an empty list", "tab");
    run_jobs(e, 2);
    see(&tr, e, "it is active", "tab");
out:
    check_transcript(&tr, INDEXES);
    inproc_client_free(&c);
    inproc_close(e);
}

/* ---- restores ---- */

/* clang-format off */
static const char *const RESTORES[] = {
    "restoring from a backup",
    "{\"ddbdTableId\":7,\"ddbdVersion\":1,\"CreationDateTime\":\"~\",\"ddbdCollectionsId\":8,\"TableId\":\"~\",\""
    "AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"sk\",\"Attri"
    "buteType\":\"N\"},{\"AttributeName\":\"l\",\"AttributeType\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType"
    "\":\"S\"}],\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyTyp"
    "e\":\"RANGE\"}],\"BillingMode\":\"PAY_PER_REQUEST\",\"LocalSecondaryIndexes\":[{\"IndexName\":\"lsi\",\"KeyS"
    "chema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"l\",\"KeyType\":\"RANGE\"}],\""
    "Projection\":{\"ProjectionType\":\"KEYS_ONLY\"},\"IndexStatus\":\"ACTIVE\",\"ddbdIndexId\":9}],\"GlobalSecon"
    "daryIndexes\":[{\"IndexName\":\"gsi\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Proje"
    "ction\":{\"ProjectionType\":\"INCLUDE\",\"NonKeyAttributes\":[\"a\"]},\"IndexStatus\":\"ACTIVE\",\"ddbdIndex"
    "Id\":10}],\"SSESpecification\":{\"Enabled\":true},\"TableClass\":\"STANDARD\",\"ddbdRestore\":{\"Keyspace\":"
    "6,\"SourceBackupArn\":\"~\",\"SourceTableArn\":\"arn:aws:dynamodb:us-east-1:000000000000:table/tab\",\"Resto"
    "reDateTime\":\"~\",\"InProgress\":true}}",
    "restored from a backup",
    "{\"ddbdTableId\":7,\"ddbdVersion\":2,\"CreationDateTime\":\"~\",\"ddbdCollectionsId\":8,\"TableId\":\"~\",\""
    "AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"sk\",\"Attri"
    "buteType\":\"N\"},{\"AttributeName\":\"l\",\"AttributeType\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType"
    "\":\"S\"}],\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyTyp"
    "e\":\"RANGE\"}],\"BillingMode\":\"PAY_PER_REQUEST\",\"SSESpecification\":{\"Enabled\":true},\"TableClass\":"
    "\"STANDARD\",\"LocalSecondaryIndexes\":[{\"IndexName\":\"lsi\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"Ke"
    "yType\":\"HASH\"},{\"AttributeName\":\"l\",\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"KEYS"
    "_ONLY\"},\"IndexStatus\":\"ACTIVE\",\"ddbdIndexId\":9}],\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\","
    "\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"INCLUDE"
    "\",\"NonKeyAttributes\":[\"a\"]},\"IndexStatus\":\"ACTIVE\",\"ddbdIndexId\":10}],\"ddbdRestore\":{\"Keyspace"
    "\":6,\"SourceBackupArn\":\"~\",\"SourceTableArn\":\"arn:aws:dynamodb:us-east-1:000000000000:table/tab\",\"Re"
    "storeDateTime\":\"~\",\"InProgress\":false}}",
    "restoring to a point in time",
    "{\"ddbdTableId\":15,\"ddbdVersion\":1,\"CreationDateTime\":\"~\",\"TableId\":\"~\",\"AttributeDefinitions\":"
    "[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"N\"}],\"Key"
    "Schema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PROVISIONED\",\"ProvisionedThro"
    "ughput\":{\"ReadCapacityUnits\":5,\"WriteCapacityUnits\":5},\"GlobalSecondaryIndexes\":[{\"IndexName\":\"pgs"
    "i\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL"
    "\"},\"ProvisionedThroughput\":{\"ReadCapacityUnits\":2,\"WriteCapacityUnits\":2},\"IndexStatus\":\"ACTIVE\","
    "\"ddbdIndexId\":16}],\"ddbdRestore\":{\"Keyspace\":14,\"Log\":13,\"Until\":\"~\",\"UntilSeq\":1,\"SourceTableArn\":\"arn:aw"
    "s:dynamodb:us-east-1:000000000000:table/prov\",\"RestoreDateTime\":\"~\",\"InProgress\":true}}",
    "restored to a point in time",
    "{\"ddbdTableId\":15,\"ddbdVersion\":2,\"CreationDateTime\":\"~\",\"TableId\":\"~\",\"AttributeDefinitions\":"
    "[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType\":\"N\"}],\"Key"
    "Schema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PROVISIONED\",\"ProvisionedThro"
    "ughput\":{\"ReadCapacityUnits\":5,\"WriteCapacityUnits\":5},\"GlobalSecondaryIndexes\":[{\"IndexName\":\"pgs"
    "i\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL"
    "\"},\"ProvisionedThroughput\":{\"ReadCapacityUnits\":2,\"WriteCapacityUnits\":2},\"IndexStatus\":\"ACTIVE\","
    "\"ddbdIndexId\":16}],\"ddbdRestore\":{\"Keyspace\":14,\"Log\":13,\"Until\":\"~\",\"UntilSeq\":1,\"SourceTableArn\":\"arn:aw"
    "s:dynamodb:us-east-1:000000000000:table/prov\",\"RestoreDateTime\":\"~\",\"InProgress\":false}}",
    NULL,
};
/* clang-format on */

TEST(restores_start_and_finish)
{
    transcript tr = {.test = "restores_start_and_finish"};
    inproc_server *e = open_gated(NULL, 2);
    inproc_client c;
    const char *arn;

    ASSERT(e != NULL);
    inproc_client_init(&c, e->api);
    CALL_OK(&c, "CreateTable", "%s", CREATE_T);
    CALL_OK(&c, "PutItem", "{\"TableName\":\"tab\",\"Item\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}}}");
    CALL_OK(&c, "CreateBackup", "{\"TableName\":\"tab\",\"BackupName\":\"bak1\"}");
    arn = strstr(c.out.data, "\"BackupArn\":\"");
    CHECK(arn != NULL);
    arn = ddb_arena_strndup(&c.arena, arn + 13, (size_t)(strchr(arn + 13, '"') - (arn + 13)));
    arn = strdup(arn);
    run_jobs(e, 2);
    CALL_OK(&c, "RestoreTableFromBackup", "{\"TargetTableName\":\"res1\",\"BackupArn\":\"%s\"}", arn);
    free((char *)arn);
    see(&tr, e, "restoring from a backup", "res1");
    run_jobs(e, 2);
    see(&tr, e, "restored from a backup", "res1");
    CALL_OK(&c, "CreateTable", "%s", CREATE_P);
    CALL_OK(&c, "UpdateContinuousBackups",
            "{\"TableName\":\"prov\",\"PointInTimeRecoverySpecification\":{\"PointInTimeRecoveryEnabled\":true}}");
    run_jobs(e, 2);
    CALL_OK(&c, "PutItem", "{\"TableName\":\"prov\",\"Item\":{\"pk\":{\"S\":\"a\"},\"g\":{\"N\":\"1\"}}}");
    CALL_OK(&c, "RestoreTableToPointInTime",
            "{\"SourceTableName\":\"prov\",\"TargetTableName\":\"res2\",\"UseLatestRestorableTime\":true}");
    see(&tr, e, "restoring to a point in time", "res2");
    run_jobs(e, 2);
    see(&tr, e, "restored to a point in time", "res2");
out:
    check_transcript(&tr, RESTORES);
    inproc_client_free(&c);
    inproc_close(e);
}

/* ---- a stream's new generation of shards; the format-1 migration ---- */

static int make_temp_dir(char *dir, size_t cap)
{
    snprintf(dir, cap, "/tmp/ddbd-test-catalog-edit-XXXXXX");
    return mkdtemp(dir) != NULL ? 0 : -1;
}

/* clang-format off */
static const char *const STREAM_GENERATION[] = {
    "one shard",
    "{\"ddbdTableId\":2,\"ddbdVersion\":1,\"CreationDateTime\":\"~\",\"ddbdCollectionsId\":3,\"TableId\":\"~\",\""
    "AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"sk\",\"Attri"
    "buteType\":\"N\"},{\"AttributeName\":\"l\",\"AttributeType\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType"
    "\":\"S\"}],\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyTyp"
    "e\":\"RANGE\"}],\"BillingMode\":\"PAY_PER_REQUEST\",\"LocalSecondaryIndexes\":[{\"IndexName\":\"lsi\",\"KeyS"
    "chema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"l\",\"KeyType\":\"RANGE\"}],\""
    "Projection\":{\"ProjectionType\":\"KEYS_ONLY\"},\"IndexStatus\":\"ACTIVE\",\"ddbdIndexId\":4}],\"GlobalSecon"
    "daryIndexes\":[{\"IndexName\":\"gsi\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Proje"
    "ction\":{\"ProjectionType\":\"INCLUDE\",\"NonKeyAttributes\":[\"a\"]},\"IndexStatus\":\"ACTIVE\",\"ddbdIndex"
    "Id\":5}],\"SSESpecification\":{\"Enabled\":true},\"TableClass\":\"STANDARD\",\"DeletionProtectionEnabled\":f"
    "alse,\"ddbdTags\":[{\"Key\":\"a\",\"Value\":\"1\"},{\"Key\":\"b\",\"Value\":\"2\"}],\"StreamSpecification\":"
    "{\"StreamEnabled\":true,\"StreamViewType\":\"NEW_AND_OLD_IMAGES\"},\"ddbdStream\":{\"Id\":1,\"Label\":\"~\","
    "\"View\":\"NEW_AND_OLD_IMAGES\",\"Enabled\":true,\"Shards\":[1]}}",
    "three shards",
    "{\"ddbdTableId\":2,\"ddbdVersion\":2,\"CreationDateTime\":\"~\",\"ddbdCollectionsId\":3,\"TableId\":\"~\",\""
    "AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"sk\",\"Attri"
    "buteType\":\"N\"},{\"AttributeName\":\"l\",\"AttributeType\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType"
    "\":\"S\"}],\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyTyp"
    "e\":\"RANGE\"}],\"BillingMode\":\"PAY_PER_REQUEST\",\"SSESpecification\":{\"Enabled\":true},\"TableClass\":"
    "\"STANDARD\",\"DeletionProtectionEnabled\":false,\"ddbdTags\":[{\"Key\":\"a\",\"Value\":\"1\"},{\"Key\":\"b"
    "\",\"Value\":\"2\"}],\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"NEW_AND_OLD_IMAGES"
    "\"},\"LocalSecondaryIndexes\":[{\"IndexName\":\"lsi\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":"
    "\"HASH\"},{\"AttributeName\":\"l\",\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}"
    ",\"IndexStatus\":\"ACTIVE\",\"ddbdIndexId\":4}],\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\",\"KeySche"
    "ma\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"INCLUDE\",\"NonKe"
    "yAttributes\":[\"a\"]},\"IndexStatus\":\"ACTIVE\",\"ddbdIndexId\":5}],\"ddbdStream\":{\"Id\":1,\"Label\":\"~"
    "\",\"View\":\"NEW_AND_OLD_IMAGES\",\"Enabled\":true,\"Shards\":[1,3]}}",
    "four shards",
    "{\"ddbdTableId\":2,\"ddbdVersion\":3,\"CreationDateTime\":\"~\",\"ddbdCollectionsId\":3,\"TableId\":\"~\",\""
    "AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},{\"AttributeName\":\"sk\",\"Attri"
    "buteType\":\"N\"},{\"AttributeName\":\"l\",\"AttributeType\":\"S\"},{\"AttributeName\":\"g\",\"AttributeType"
    "\":\"S\"}],\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyTyp"
    "e\":\"RANGE\"}],\"BillingMode\":\"PAY_PER_REQUEST\",\"SSESpecification\":{\"Enabled\":true},\"TableClass\":"
    "\"STANDARD\",\"DeletionProtectionEnabled\":false,\"ddbdTags\":[{\"Key\":\"a\",\"Value\":\"1\"},{\"Key\":\"b"
    "\",\"Value\":\"2\"}],\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"NEW_AND_OLD_IMAGES"
    "\"},\"LocalSecondaryIndexes\":[{\"IndexName\":\"lsi\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":"
    "\"HASH\"},{\"AttributeName\":\"l\",\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}"
    ",\"IndexStatus\":\"ACTIVE\",\"ddbdIndexId\":4}],\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\",\"KeySche"
    "ma\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"INCLUDE\",\"NonKe"
    "yAttributes\":[\"a\"]},\"IndexStatus\":\"ACTIVE\",\"ddbdIndexId\":5}],\"ddbdStream\":{\"Id\":1,\"Label\":\"~"
    "\",\"View\":\"NEW_AND_OLD_IMAGES\",\"Enabled\":true,\"Shards\":[1,3,4]}}",
    NULL,
};
/* clang-format on */

TEST(stream_generation_after_more_shards)
{
    transcript tr = {.test = "stream_generation_after_more_shards"};
    char dir[64];
    inproc_server *e = NULL;
    inproc_client c;
    int have_client = 0;

    ASSERT(make_temp_dir(dir, sizeof(dir)) == 0);
    CHECK((e = open_gated(dir, 1)) != NULL);
    inproc_client_init(&c, e->api);
    have_client = 1;
    CALL_OK(&c, "CreateTable", "%s", CREATE_T);
    see(&tr, e, "one shard", "tab");
    inproc_client_free(&c);
    have_client = 0;
    inproc_close(e);
    CHECK((e = open_gated(dir, 3)) != NULL);
    see(&tr, e, "three shards", "tab");
    inproc_close(e);
    CHECK((e = open_gated(dir, 4)) != NULL);
    see(&tr, e, "four shards", "tab");
out:
    check_transcript(&tr, STREAM_GENERATION);
    if (have_client)
        inproc_client_free(&c);
    inproc_close(e);
    inproc_rm_rf(dir);
}

#define LEGACY_DESC                                                                                                    \
    "{\"ddbdTableId\":3,\"CreationDateTime\":1700000000.123,\"TableId\":\"3f1c0a62-8d7e-4b44-9a41-5b2f0e6c9d10\","    \
    "\"AttributeDefinitions\":[" DEF("pk", "S") "," DEF("sk", "N") "," DEF("l", "N") "," DEF("g", "S") "],"          \
    "\"KeySchema\":[" KEY("pk", "HASH") "," KEY("sk", "RANGE") "],\"BillingMode\":\"PAY_PER_REQUEST\","              \
    "\"LocalSecondaryIndexes\":[{\"IndexName\":\"byL\",\"KeySchema\":[" KEY("pk", "HASH") "," KEY("l", "RANGE")      \
    "],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}}],\"GlobalSecondaryIndexes\":[{\"IndexName\":\"byG\","        \
    "\"KeySchema\":[" KEY("g", "HASH") "],\"Projection\":{\"ProjectionType\":\"ALL\"},\"IndexStatus\":\"ACTIVE\"}]}"

/* clang-format off */
static const char *const MIGRATION[] = {
    "migrated",
    "{\"ddbdTableId\":3,\"ddbdVersion\":1,\"CreationDateTime\":1700000000.123,\"ddbdCollectionsId\":4,\"TableId\""
    ":\"3f1c0a62-8d7e-4b44-9a41-5b2f0e6c9d10\",\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeTyp"
    "e\":\"S\"},{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"},{\"AttributeName\":\"l\",\"AttributeType\":\"N"
    "\"},{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":"
    "\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}],\"BillingMode\":\"PAY_PER_REQUEST\",\"LocalSecon"
    "daryIndexes\":[{\"IndexName\":\"byL\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"Attr"
    "ibuteName\":\"l\",\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"},\"ddbdIndexId\":"
    "5,\"IndexStatus\":\"CREATING\",\"Backfilling\":true}],\"GlobalSecondaryIndexes\":[{\"IndexName\":\"byG\",\"K"
    "eySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"},\"In"
    "dexStatus\":\"ACTIVE\",\"ddbdIndexId\":6}]}",
    NULL,
};
/* clang-format on */

/* A format-1 description (indexes without ids): the catalog gives them ids when it opens. */
TEST(format1_indexes_get_ids)
{
    transcript tr = {.test = "format1_indexes_get_ids"};
    char dir[64];
    ddb_store_options o;
    ddb_store *st = NULL;
    ddb_catalog *cat = NULL;
    ddb_arena a;
    ddb_batch b;
    char *err = NULL;
    const ddb_table *t;

    ASSERT(make_temp_dir(dir, sizeof(dir)) == 0);
    memset(&o, 0, sizeof(o));
    o.path = dir;
    o.nshards = 2;
    o.key_hash = ddb_key_part_hash;
    o.partition_bytes = DDB_KEY_PARTITION_BYTES;
    ddb_arena_init(&a);
    CHECK((st = ddb_store_open(&o, &err)) != NULL);
    ddb_batch_init(&b, &a);
    ddb_batch_meta_put(&b, "ddbd/format", 11, "1", 1);
    ddb_batch_meta_put(&b, "ddbd/next_table_id", 18, "4", 1);
    ddb_batch_meta_put(&b, "table/legacy", 12, LEGACY_DESC, strlen(LEGACY_DESC));
    CHECK(ddb_store_write(st, &b) == 0);
    CHECK((cat = ddb_catalog_open(st, NULL, &err)) != NULL);
    CHECK((t = ddb_catalog_get(cat, "legacy")) != NULL);
    tr.labels[0] = "migrated";
    tr.texts[0] = strndup(t->desc_text, t->desc_len);
    tr.n = 1;
out:
    check_transcript(&tr, MIGRATION);
    ddb_catalog_close(cat);
    ddb_store_close(st);
    free(err);
    ddb_arena_free(&a);
    inproc_rm_rf(dir);
}

/* ---- compare-and-swap ---- */

/* The catalog of these tests reads the ttl row's member (feature.h), as the server's reads every row's. */
static const ddb_feature *const TTL_ROW[] = {&ddb_feature_ttl};
static const ddb_feature_rows TTL_ROWS = {TTL_ROW, 1};

#define SMALL_DESC "{\"AttributeDefinitions\":[" DEF("pk", "S") "],\"KeySchema\":[" KEY("pk", "HASH") "]}"

static int meta_has(ddb_store *st, const char *key)
{
    ddb_arena a;
    char *v = NULL;
    size_t n = 0;
    int rc;

    ddb_arena_init(&a);
    rc = ddb_store_meta_get(st, &a, key, strlen(key), &v, &n) == DDB_STORE_OK && v != NULL;
    ddb_arena_free(&a);
    return rc;
}

/* An edit of a replaced description loses, its extra batch with it; one of the live one wins. */
TEST(an_edit_of_a_stale_description_loses_with_its_batch)
{
    ddb_store *st = mem_store(2);
    char *err = NULL;
    ddb_catalog *c = ddb_catalog_open(st, &TTL_ROWS, &err);
    ddb_arena a;
    ddb_batch extra;
    ddb_desc_edit *e;
    const ddb_table *t0, *t1, *t2;
    ddb_tag tags[] = {{"k", "v"}};

    ASSERT(c != NULL);
    ddb_arena_init(&a);
    ASSERT_EQ(ddb_catalog_create(c, "cas", SMALL_DESC, strlen(SMALL_DESC), 1.0, NULL, &t0), 0);
    e = ddb_desc_edit_of(&a, t0);
    ddb_edit_ttl(e, "exp", 1, 5);
    ASSERT_EQ(ddb_catalog_commit(c, e, &t1), 0);
    ASSERT(t1->ttl.enabled && strcmp(t1->ttl.attr, "exp") == 0 && t1->ttl.changed_ms == 5);
    ASSERT(ddb_table_retired(t0));

    e = ddb_desc_edit_of(&a, t0); /* built from the replaced version */
    ddb_edit_tags(e, tags, 1);
    ddb_batch_init(&extra, &a);
    ddb_batch_meta_put(&extra, "test/extra", 10, "1", 1);
    ddb_edit_extra(e, &extra);
    ASSERT_EQ(ddb_catalog_commit(c, e, &t2), 2);
    ASSERT(!meta_has(st, "test/extra"));
    ASSERT(ddb_catalog_get(c, "cas") == t1);

    e = ddb_desc_edit_of(&a, t1);
    ddb_edit_tags(e, tags, 1);
    ddb_edit_extra(e, &extra);
    ASSERT_EQ(ddb_catalog_commit(c, e, &t2), 0);
    ASSERT(meta_has(st, "test/extra"));
    ASSERT(t2->ttl.enabled && t2->version == t1->version + 1);
    ASSERT_EQ(ddb_table_tags(t2, &a, 0, &(ddb_tag *){NULL}), 1);

    ddb_arena_free(&a);
    ddb_catalog_close(c);
    ddb_store_close(st);
}

typedef struct racer {
    ddb_catalog *c;
    ddb_arena *a;
    int builds;
    int race;       /* builds that another change overtakes before their commit */
    int unchanged;  /* the build after that finds nothing to change */
} racer;

/* Builds a tag edit of the live table; while `race` lasts, another change lands before it commits. */
static int racing_build(void *ctx, ddb_desc_edit **e)
{
    racer *r = ctx;
    const ddb_table *t = ddb_catalog_get(r->c, "cas");
    ddb_desc_edit *other;
    ddb_tag *tags;
    size_t n;

    r->builds++;
    if (t == NULL)
        return 1;
    if (r->unchanged && r->builds > r->race)
        return DDB_EDIT_NONE;
    n = ddb_table_tags(t, r->a, 1, &tags);
    tags[n++] = (ddb_tag){ddb_arena_sprintf(r->a, "k%d", r->builds), "v"};
    *e = ddb_desc_edit_of(r->a, t);
    ddb_edit_tags(*e, tags, n);
    if (r->builds <= r->race) {
        other = ddb_desc_edit_of(r->a, t);
        ddb_edit_ttl(other, "exp", 1, (uint64_t)r->builds);
        if (ddb_catalog_commit(r->c, other, NULL) != 0)
            return -1;
    }
    return 0;
}

/* The loop builds again from the winner (both changes kept), up to its tries, and stops when
   there is nothing to change or the table is gone. */
TEST(the_edit_loop_recomputes_from_the_winner)
{
    ddb_store *st = mem_store(2);
    char *err = NULL;
    ddb_catalog *c = ddb_catalog_open(st, &TTL_ROWS, &err);
    ddb_arena a;
    const ddb_table *t = NULL, *t0;
    ddb_tag *tags;
    racer r;

    ASSERT(c != NULL);
    ddb_arena_init(&a);
    ASSERT_EQ(ddb_catalog_create(c, "cas", SMALL_DESC, strlen(SMALL_DESC), 1.0, NULL, &t0), 0);

    r = (racer){c, &a, 0, 2, 0};
    ASSERT_EQ(ddb_catalog_edit(c, 16, racing_build, &r, &t), 0);
    ASSERT_EQ(r.builds, 3);
    ASSERT(t == ddb_catalog_get(c, "cas") && t->ttl.enabled && t->ttl.changed_ms == 2);
    ASSERT_EQ(ddb_table_tags(t, &a, 0, &tags), 1);
    ASSERT_STR_EQ(tags[0].key, "k3");

    r = (racer){c, &a, 0, 100, 0}; /* every race lost: 2 after the tries */
    ASSERT_EQ(ddb_catalog_edit(c, 4, racing_build, &r, &t), 2);
    ASSERT_EQ(r.builds, 4);

    r = (racer){c, &a, 0, 1, 1}; /* lost once, then nothing to change */
    t0 = ddb_catalog_get(c, "cas");
    ASSERT_EQ(ddb_catalog_edit(c, 16, racing_build, &r, &t), 0);
    ASSERT_EQ(r.builds, 2);
    ASSERT(ddb_catalog_get(c, "cas")->version == t0->version + 1); /* only the other change */

    ASSERT_EQ(ddb_catalog_delete(c, ddb_catalog_get(c, "cas"), NULL), 0);
    r = (racer){c, &a, 0, 0, 0};
    ASSERT_EQ(ddb_catalog_edit(c, 16, racing_build, &r, &t), 1);

    ddb_arena_free(&a);
    ddb_catalog_close(c);
    ddb_store_close(st);
}

/* ---- a feature's table member (engine/feature.h): its row reads and writes it, the core names none ---- */

static int probe_reads;
static char probe_seen[64];

/* what every table version held ("-": none) */
static void probe_read(ddb_table *t, const ddb_json *v)
{
    (void)t;
    probe_reads++;
    snprintf(probe_seen, sizeof(probe_seen), "%s", v != NULL && v->type == DDB_JSON_STRING ? v->u.s : "-");
}

/* the stored value (cur) and the edit's, joined: the writer sees both */
static void probe_write(ddb_jw *w, const ddb_member_edit *e)
{
    char joined[64];

    snprintf(joined, sizeof(joined), "%s%s", e->cur != NULL ? e->cur->u.s : "", *(const char *const *)e->value);
    ddb_jw_str(w, joined);
}

static const ddb_table_member probe_member = {"ddbdProbe", probe_read, probe_write};
static const ddb_table_member *const probe_members[] = {&probe_member, NULL};

/* its figures per table (feature.h's table_size): opened with a mark, counted when closed */
typedef struct probe_figures {
    uint64_t mark, hits;
} probe_figures;
static int probe_opened, probe_closed;

static void probe_open(void *figures, const ddb_table *t)
{
    ((probe_figures *)figures)->mark = t->id;
    probe_opened++;
}

static void probe_close(void *figures)
{
    probe_closed += ((probe_figures *)figures)->hits > 0;
}

static const ddb_feature probe_row = {.name = "probe", .members = probe_members, .table_size = sizeof(probe_figures),
                                      .table_open = probe_open, .table_close = probe_close};
static const ddb_feature *const PROBE_ROW[] = {&probe_row};
static const ddb_feature_rows PROBE_ROWS = {PROBE_ROW, 1};

static const char *probe_text(const ddb_table *t)
{
    const char *v = ddb_json_get_str(t->desc, "ddbdProbe");

    return v != NULL ? v : "-";
}

/* The catalog reads a row's member into every version it builds and an edit writes it with the
   row's writer; a catalog handed no rows reads none. */
TEST(a_rows_table_member_is_read_and_written_by_its_row)
{
    ddb_store *st = mem_store(2);
    char *err = NULL;
    ddb_catalog *c = ddb_catalog_open(st, &PROBE_ROWS, &err), *bare;
    ddb_arena a;
    ddb_desc_edit *e;
    const ddb_table *t0, *t;
    const char *one = "one", *two = "+two";

    ASSERT(c != NULL);
    ddb_arena_init(&a);
    probe_reads = 0;
    ASSERT_EQ(ddb_catalog_create(c, "m", SMALL_DESC, strlen(SMALL_DESC), 1.0, NULL, &t0), 0);
    ASSERT(probe_reads == 1 && strcmp(probe_seen, "-") == 0);
    e = ddb_desc_edit_of(&a, t0);
    ddb_edit_member(e, &probe_member, &one, sizeof(one));
    ASSERT_EQ(ddb_catalog_commit(c, e, &t), 0);
    ASSERT(probe_reads == 2 && strcmp(probe_seen, "one") == 0);
    ASSERT_STR_EQ(probe_text(t), "one");
    e = ddb_desc_edit_of(&a, t);
    ddb_edit_member(e, &probe_member, &two, sizeof(two));
    ASSERT_EQ(ddb_catalog_commit(c, e, &t), 0);
    ASSERT_STR_EQ(probe_seen, "one+two");
    e = ddb_desc_edit_of(&a, t);
    ddb_edit_member(e, &probe_member, NULL, 0); /* removed */
    ASSERT_EQ(ddb_catalog_commit(c, e, &t), 0);
    ASSERT(probe_reads == 4 && strcmp(probe_seen, "-") == 0 && strcmp(probe_text(t), "-") == 0);
    ddb_catalog_close(c);

    bare = ddb_catalog_open(st, NULL, &err); /* the stored table again, read with no rows */
    ASSERT(bare != NULL && ddb_catalog_get(bare, "m") != NULL);
    ASSERT_EQ(probe_reads, 4);
    ddb_catalog_close(bare);
    ddb_arena_free(&a);
    ddb_store_close(st);
}

/* A row's figures per table: made (zeroed, opened) with the table's figures, the same across its
   versions, closed with them; none in a catalog handed no rows. */
TEST(a_rows_figures_per_table_follow_the_table)
{
    ddb_store *st = mem_store(2);
    char *err = NULL;
    ddb_catalog *c = ddb_catalog_open(st, &PROBE_ROWS, &err), *bare;
    ddb_arena a;
    ddb_desc_edit *e;
    const ddb_table *t0, *t;
    const char *one = "one";
    probe_figures *f;

    ASSERT(c != NULL);
    ddb_arena_init(&a);
    probe_opened = probe_closed = 0;
    ASSERT_EQ(ddb_catalog_create(c, "f", SMALL_DESC, strlen(SMALL_DESC), 1.0, NULL, &t0), 0);
    ASSERT((f = ddb_table_stats_slot(t0->stats, &probe_row)) != NULL);
    ASSERT(f->mark == t0->id && f->hits == 0 && probe_opened == 1);
    ASSERT(((uintptr_t)f & (DDB_CACHE_LINE - 1)) == 0);
    ASSERT(ddb_table_stats_slot(t0->stats, &ddb_feature_ttl) == NULL); /* not among the catalog's rows */
    f->hits = 2;
    e = ddb_desc_edit_of(&a, t0);
    ddb_edit_member(e, &probe_member, &one, sizeof(one));
    ASSERT_EQ(ddb_catalog_commit(c, e, &t), 0);
    ASSERT(t != t0 && ddb_table_stats_slot(t->stats, &probe_row) == f && f->hits == 2 && probe_opened == 1);
    ASSERT_EQ(probe_closed, 0);
    ddb_catalog_close(c);
    ASSERT_EQ(probe_closed, 1);

    bare = ddb_catalog_open(st, NULL, &err);
    ASSERT(bare != NULL && (t = ddb_catalog_get(bare, "f")) != NULL);
    ASSERT(ddb_table_stats_slot(t->stats, &probe_row) == NULL && probe_opened == 1);
    ddb_catalog_close(bare);
    ddb_arena_free(&a);
    ddb_store_close(st);
}
