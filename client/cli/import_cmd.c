/*
 * client/cli/import_cmd.c: `ddb import REQUEST RULES [dry-run]` (see import_cmd.h).
 *
 * The request and the rules go to POST /ddbd/import as they are, {"ImportTable": REQUEST,
 * "Rules": RULES}: ddbd checks both (its messages are printed as they come). Then DescribeImport
 * is asked until the import ends, as `aws dynamodb wait` would, so that a script can use the table
 * on its next line.
 */
#include "client/cli/import_cmd.h"
#include "client/cli/read_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define POLL_MS 100

static int usage(const char *fmt, const char *arg)
{
    fputs("ddb: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nddb: see 'ddb help import'\n", stderr);
    return 2;
}

/* FILE, file://FILE, or (the request) the JSON itself. */
static char *input(const char *arg, int inline_ok)
{
    if (inline_ok && arg[strspn(arg, " \t\r\n")] == '{')
        return strdup(arg);
    return ddb_cli_read_file(strncmp(arg, "file://", 7) == 0 ? arg + 7 : arg);
}

/* Appends s as a JSON string. */
static void put_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* {"ImportTable": request, "Rules": rules[, "DryRun": true]}, $DDB_IMPORT_KEY as the rules' first
   member (a member repeated is read as its last: the file's own key wins) */
static char *door_body(const char *request, const char *rules, int dry, size_t *len)
{
    const char *key = getenv("DDB_IMPORT_KEY"), *brace = strchr(rules, '{');
    char *out = NULL;
    FILE *f = open_memstream(&out, len);

    if (f == NULL)
        abort();
    fprintf(f, "{\"ImportTable\":%s,\"Rules\":", request);
    if (key != NULL && key[0] && brace != NULL) {
        fwrite(rules, 1, (size_t)(brace - rules) + 1, f);
        fputs("\"key\":", f);
        put_json_string(f, key);
        brace++;
        fputs(brace[strspn(brace, " \t\r\n")] == '}' ? "" : ",", f);
        fputs(brace, f);
    } else {
        fputs(rules, f);
    }
    fprintf(f, "%s}", dry ? ",\"DryRun\":true" : "");
    fclose(f);
    return out;
}

/* A member of the description, "0" when it has none. */
static const char *member(const ddb_result *r, const char *name)
{
    char path[128];
    const char *v;

    snprintf(path, sizeof(path), "ImportTableDescription.%s", name);
    v = ddb_result_get(r, path);
    return v != NULL ? v : "0";
}

/* Asks DescribeImport until the import ends: 0 COMPLETED, 1 otherwise. */
static int wait_import(ddb_client *db, const char *arn)
{
    struct timespec pause = {0, POLL_MS * 1000000L};
    char req[2048 + 32];

    snprintf(req, sizeof(req), "{\"ImportArn\":\"%s\"}", arn);
    for (;;) {
        ddb_result *r = NULL;
        int rc = ddb_call(db, "DescribeImport", req, strlen(req), &r);
        const char *status = rc == DDB_OK ? ddb_result_get(r, "ImportTableDescription.ImportStatus") : NULL;
        if (rc != DDB_OK) {
            fprintf(stderr, "ddb: import: DescribeImport: %s: %s\n", ddb_result_error_type(r), ddb_result_message(r));
            ddb_result_free(r);
            return 1;
        }
        if (status != NULL && strcmp(status, "IN_PROGRESS") != 0) {
            const char *code = ddb_result_get(r, "ImportTableDescription.FailureCode");
            const char *msg = ddb_result_get(r, "ImportTableDescription.FailureMessage");
            int ok = strcmp(status, "COMPLETED") == 0;
            printf("%s: %s items imported into %s, %s processed, %s errors\n", status, member(r, "ImportedItemCount"),
                   member(r, "TableCreationParameters.TableName"), member(r, "ProcessedItemCount"),
                   member(r, "ErrorCount"));
            if (!ok)
                fprintf(stderr, "ddb: import %s: %s: %s\n", status, code ? code : "", msg ? msg : "");
            ddb_result_free(r);
            return ok ? 0 : 1;
        }
        ddb_result_free(r);
        nanosleep(&pause, NULL);
    }
}

int ddb_cli_import(ddb_client *db, const char *const *args, int nargs)
{
    char *request, *rules, *body, *answer = NULL, arn[2048];
    size_t len = 0, alen = 0;
    int dry = nargs == 3 && strcmp(args[2], "dry-run") == 0, rc;
    ddb_result *r;

    if (nargs != 2 && !dry)
        return usage("import takes %s", DDB_CLI_IMPORT_ARGS);
    if ((request = input(args[0], 1)) == NULL)
        return usage("import: cannot read the request '%s'", args[0]);
    if ((rules = input(args[1], 0)) == NULL) {
        free(request);
        return usage("import: cannot read the rules '%s'", args[1]);
    }
    body = door_body(request, rules, dry, &len);
    free(request);
    free(rules);
    rc = ddb_post_path(db, "/ddbd/import", body, len, &answer, &alen);
    free(body);
    if (answer == NULL) {
        fprintf(stderr, "ddb: import: no answer from the endpoint (%s)\n", ddb_status_name(rc));
        return 1;
    }
    if (rc != DDB_OK || dry) {
        fprintf(rc == DDB_OK ? stdout : stderr, "%s%s\n", rc == DDB_OK ? "" : "ddb: import refused: ", answer);
        free(answer);
        return rc == DDB_OK ? 0 : 1;
    }
    r = ddb_result_from_json(answer, alen);
    snprintf(arn, sizeof(arn), "%s", ddb_result_get(r, "ImportTableDescription.ImportArn") ?
                                         ddb_result_get(r, "ImportTableDescription.ImportArn") : "");
    ddb_result_free(r);
    free(answer);
    printf("import started: %s\n", arn);
    fflush(stdout);
    return wait_import(db, arn);
}
