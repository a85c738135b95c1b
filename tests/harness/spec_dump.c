/*
 * tests/harness/spec_dump.c: prints, as JSON, every member path each served operation's spec
 * (ddb_spec_<snake>, server/api/validate/validate_*.c) knows, for tests/js/sdk_members.test.mjs, which
 * holds them against the newest SDK's input shapes: a member DynamoDB acts on must be handled
 * (in the spec) or deliberately ignored, never silently dropped.
 *
 * {"CreateTable": {"TableName": "string", "KeySchema": "list", "KeySchema[]": "struct",
 *  "KeySchema[].AttributeName": "string", ...}, ...}: a list's member is "<path>[]", a map's value
 * "<path>{}"; an AttributeValue is "attr" (proto/attr.c checks it whole), a member the spec refuses
 * (DDB_VF_REFUSED) "refused", and a member another operation's spec checks has that operation's name
 * in brackets ("struct [CreateTable]").
 *
 * `ddb_spec_dump --resources` prints instead the resource-bearing members --auth decides
 * (server/api/resources.def), for tests/js/resource_members.test.mjs and the security suite's
 * matrix: [{"op": "GetItem", "path": "TableName", "kind": "TABLE", "actions": ["GetItem"]}, ...].
 *
 * `ddb_spec_dump --errors` prints the members each error type's body may carry beside `__type`, as
 * the renderer names them (include/ddb/ddb_errors.def), for tests/js/error_members.test.mjs:
 * {"ThrottlingException": ["message", "throttlingReasons"], ...}.
 */
#include <stdio.h>
#include <string.h>

#include "proto/errors.h"
#include "server/api/resources.h"
#include "server/api/validate/validate.h"

static const char *const TYPE_NAMES[] = {
    [DDB_V_STRING] = "string", [DDB_V_BOOLEAN] = "boolean", [DDB_V_INTEGER] = "integer",
    [DDB_V_LONG] = "long",     [DDB_V_DOUBLE] = "double",   [DDB_V_BLOB] = "blob",
    [DDB_V_LIST] = "list",     [DDB_V_MAP] = "map",         [DDB_V_STRUCT] = "struct",
    [DDB_V_ATTR] = "attr",
};

/*
 * Members checked by another operation's spec, not their own: ImportTable's TableCreationParameters
 * are CreateTable's, validated by its spec when ops/ops_import.c creates the table.
 */
static const struct {
    const char *op, *member, *by;
    const ddb_spec *spec;
} DELEGATED[] = {
    {"ImportTable", "TableCreationParameters", "CreateTable", &ddb_spec_create_table},
};

static int first;
static const char *via; /* the operation whose spec is printed for another's member, or NULL */

static void print_field(const char *path, const ddb_field *f);

static void print_path(const char *path, const ddb_field *f)
{
    const char *type = f->flags & DDB_VF_REFUSED ? "refused" : TYPE_NAMES[f->type];

    printf("%s\n    \"%s\": \"%s%s%s%s\"", first ? "" : ",", path, type, via ? " [" : "", via ? via : "",
           via ? "]" : "");
    first = 0;
}

static void print_fields(const char *prefix, const ddb_field *fields)
{
    char path[512];

    for (const ddb_field *f = fields; f != NULL && f->name != NULL; f++) {
        snprintf(path, sizeof(path), "%s%s%s", prefix, prefix[0] ? "." : "", f->name);
        print_field(path, f);
    }
}

static void print_field(const char *path, const ddb_field *f)
{
    char inner[512];

    print_path(path, f);
    if (f->children == NULL || (f->flags & DDB_VF_REFUSED))
        return;
    if (f->type == DDB_V_LIST || f->type == DDB_V_MAP) {
        snprintf(inner, sizeof(inner), "%s%s", path, f->type == DDB_V_LIST ? "[]" : "{}");
        print_field(inner, &f->children[0]);
    } else if (f->type == DDB_V_STRUCT) {
        print_fields(path, f->children);
    }
}

static void print_op(const char *camel, const ddb_spec *spec, int *first_op)
{
    printf("%s\n  \"%s\": {", *first_op ? "" : ",", camel);
    first = 1;
    print_fields("", spec->fields);
    for (size_t i = 0; i < sizeof(DELEGATED) / sizeof(DELEGATED[0]); i++) {
        if (strcmp(DELEGATED[i].op, camel) != 0)
            continue;
        via = DELEGATED[i].by;
        print_fields(DELEGATED[i].member, DELEGATED[i].spec->fields);
        via = NULL;
    }
    printf("\n  }");
    *first_op = 0;
}

static int print_resources(void)
{
    static const char *const kinds[] = {"NONE", "TABLE", "ARN", "STREAM", "GLOBAL", "BACKUP", "XFER", "ITERATOR",
                                        "STATEMENT", "INDEX", "SOURCE"};
    size_t n;
    const ddb_res_member *m = ddb_res_list(&n);

    printf("[");
    for (size_t i = 0; i < n; i++) {
        printf("%s\n {\"op\": \"%s\", \"path\": \"%s\", \"kind\": \"%s\", \"actions\": [", i ? "," : "",
               ddb_op_name(m[i].op), m[i].path, kinds[m[i].kind]);
        for (const char *const *a = ddb_res_action_names(m[i].op, m[i].actions); *a != NULL; a++)
            printf("%s\"%s\"", a == ddb_res_action_names(m[i].op, m[i].actions) ? "" : ", ", *a);
        printf("]}");
    }
    printf("\n]\n");
    return 0;
}

static int print_errors(void)
{
    printf("{");
    for (int code = DDB_OK + 1; code < DDB_E__SERVER_LAST; code++) {
        const ddb_error_info *e = ddb_error_lookup(code);
        int n = 0;

        printf("%s\n  \"%s\": [", code == DDB_OK + 1 ? "" : ",", e->type);
        for (unsigned bit = 0; bit < DDB_EM__COUNT; bit++) {
            if (e->members & (1u << bit))
                printf("%s\"%s\"", n++ ? ", " : "", ddb_error_member_name(bit));
        }
        printf("]");
    }
    printf("\n}\n");
    return 0;
}

int main(int argc, char **argv)
{
    int first_op = 1;

    if (argc > 1 && strcmp(argv[1], "--resources") == 0)
        return print_resources();
    if (argc > 1 && strcmp(argv[1], "--errors") == 0)
        return print_errors();

    printf("{");
#define X(camel, snake, svc, impl, flags) DDB_IF_HANDLED(impl, print_op(#camel, &ddb_spec_##snake, &first_op);)
#include "proto/ops.def"
#undef X
    printf("\n}\n");
    return 0;
}
