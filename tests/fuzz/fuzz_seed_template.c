/*
 * tests/fuzz/fuzz_seed_template.c: libFuzzer target for the seed's template readers
 * (server/seed/readers/: seed_yaml.c, seed_template.c, seed_cfn.c, seed_cfn_eval.c, seed_tf.c,
 * seed_workbench.c).
 * The input's first byte picks the reader: 'y' reads the rest as a YAML template (libyaml, the
 * short-form tags, the CloudFormation reader), anything else as a JSON document (a CloudFormation
 * template, a Terraform plan or a CDK manifest, whose named files are never found here; a NoSQL
 * Workbench model). Every table a reader hands on must be a CreateTable request and a list of
 * calls that parse (the writer never writes broken JSON, whatever the template), and every problem
 * must come with a message.
 * Build: CC=clang cmake -DDDB_FUZZ=ON ...; run: ./fuzz_seed_template -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/json.h"
#include "server/base/log.h"
#include "server/seed/readers/seed_template.h"

static int on_table(void *ctx, const char *path, unsigned line, const char *name, const char *region,
                    const ddb_json *create, const ddb_json *after)
{
    if (name == NULL || create == NULL || create->type != DDB_JSON_OBJECT || after == NULL ||
        after->type != DDB_JSON_ARRAY)
        abort(); /* a table handed on that is no request */
    for (uint32_t i = 0; i < after->n; i++) {
        if (ddb_json_get_str(after->u.items[i], "op") == NULL || ddb_json_get(after->u.items[i], "request") == NULL)
            abort();
    }
    return 0;
}

static void on_fail(void *ctx, const char *path, unsigned line, const char *msg)
{
    if (msg == NULL || msg[0] == '\0')
        abort(); /* a problem without a message */
}

static char *no_file(const char *path, size_t *len, char *msg, size_t msglen)
{
    strncpy(msg, "no files here", msglen);
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static cfn_param params[2];
    seed_tpl_env env = {params, 2, on_table, on_fail, no_file, NULL, NULL, 0, 0, 0, 0, NULL, seed_template_nested};
    const char *text = (const char *)data + 1;
    size_t len = size > 0 ? size - 1 : 0;
    ddb_arena a;
    const ddb_json *doc;

    ddb_log_threshold = DDB_LOG_ERROR; /* (the readers' warnings and notes) */
    params[0] = (cfn_param){"Stage", "prod", 0};
    params[1] = (cfn_param){"AWS::Region", "eu-west-1", 0};
    if (size == 0)
        return 0;
    if (data[0] == 'y') {
        seed_template_yaml(&env, "fuzz.yaml", text, len);
        return 0;
    }
    ddb_arena_init(&a);
    if ((doc = ddb_json_parse_input(&a, text, len, NULL)) != NULL)
        seed_template_read(&env, "fuzz.json", text, len, doc);
    ddb_arena_free(&a);
    return 0;
}
