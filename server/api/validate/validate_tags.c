/*
 * server/api/validate/validate_tags.c: what TagResource, UntagResource and ListTagsOfResource accept, and
 * the tag rules CreateTable shares (its Tags member); ops/ops_tags.c stores and lists the tags.
 *
 * The members are checked by the API model (ResourceArn 1-1283 characters and required, Tags and
 * TagKeys required) in the constraint form. A Tag's own members are not: DynamoDB reports them with
 * its tag service's texts, captured by a public conformance suite against DynamoDB (2026-10):
 *   "The Tag Key provided is invalid, Key: <key>"       missing ("null"), empty, over 128, characters
 *   "Tag Key cannot be prefixed with aws:, Key: <key>"  any case ("AWS:foo" too), also in UntagResource
 *   "The Tag Value provided is invalid, Value: <value>" missing ("null"), over 256, characters
 *   "Duplicate Tag Keys provided as input: Duplicate Tag Key found <key>"
 *   "Atleast one Tag needs to be provided as Input."    (TagResource; CreateTable accepts Tags=[])
 *   "Atleast one Tag Key needs to be provided as Input." (UntagResource)
 *   "Number of Tags exceed the current limit for the provided ResourceArn" (over 50: CreateTable,
 *   UntagResource's TagKeys, and TagResource counted after the merge, in the handler)
 * Characters are those of AWS's tag pattern, [\p{L}\p{Z}\p{N}_.:/=+\-@]*: letters of any script,
 * separators, digits and + - = . _ : / @ (the suite: Cyrillic, CJK, NBSP and ideographic space
 * accepted; emoji, % , ; ? | \ < > ~ * & quotes and # refused). Lengths are Java's (UTF-16 units).
 *
 * ResourceArn: "One or more parameter values were invalid: ARNs must start with 'arn:': <arn>" (the
 * suite); an index ARN "... Invalid resource arn provided, only table or stream is accepted.
 * Provided resource arn: <arn>" and a backup ARN "... Provided Arn is not a DynamoDB resource arn:
 * <arn>" (the suite); anything else validate_arn.c resolves as it resolves TableName ("Invalid
 * TableArn: Invalid ResourceArn provided as input <arn>", AccessDeniedException for another account).
 * The order (ARN, then the empty list, then each tag in turn, then duplicates) follows dynalite's
 * tests against DynamoDB for the first two; the rest is not confirmed (docs/compatibility.md, Tags).
 */
#include <locale.h>
#include <pthread.h>
#include <strings.h>
#include <wctype.h>

#include "ddb/ddb_status.h"
#include "server/api/validate/validate_internal.h"
#include "server/base/arn.h"

#define INVALID_KEY "The Tag Key provided is invalid, Key: "
#define INVALID_VALUE "The Tag Value provided is invalid, Value: "

static const ddb_field TAG_FIELDS[] = {
    {"Key", DDB_V_STRING},
    {"Value", DDB_V_STRING},
    {NULL},
};
const ddb_field ddb_tag_member[] = {{"member", DDB_V_STRUCT, .children = TAG_FIELDS}};
static const ddb_field TAG_KEY_MEMBER[] = {{"member", DDB_V_STRING}};

#define F_RESOURCE_ARN                                                                                                 \
    {"ResourceArn", DDB_V_STRING, DDB_VF_NOT_NULL | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 1283}

static const ddb_field TAG_RESOURCE_FIELDS[] = {
    F_RESOURCE_ARN,
    {"Tags", DDB_V_LIST, DDB_VF_NOT_NULL, .children = ddb_tag_member},
    {NULL},
};

static const ddb_field UNTAG_RESOURCE_FIELDS[] = {
    F_RESOURCE_ARN,
    {"TagKeys", DDB_V_LIST, DDB_VF_NOT_NULL, .children = TAG_KEY_MEMBER},
    {NULL},
};

static const ddb_field LIST_TAGS_OF_RESOURCE_FIELDS[] = {
    F_RESOURCE_ARN,
    {"NextToken", DDB_V_STRING},
    {NULL},
};

/* ---- characters ---- */

static locale_t utf8_locale;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

static void utf8_init(void)
{
    utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/* The next code point of s[0..n) at *i (advanced); -1 for a malformed sequence. */
static long next_cp(const char *s, size_t n, size_t *i)
{
    unsigned char c = (unsigned char)s[*i];
    int extra = c < 0x80 ? 0 : c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : -1;
    long cp = extra == 0 ? c : extra == 1 ? c & 0x1f : extra == 2 ? c & 0x0f : c & 0x07;

    if (extra < 0 || *i + (size_t)extra >= n)
        return (*i)++, -1;
    for (int k = 1; k <= extra; k++) {
        unsigned char cc = (unsigned char)s[*i + (size_t)k];
        if ((cc & 0xc0) != 0x80)
            return (*i)++, -1;
        cp = (cp << 6) | (cc & 0x3f);
    }
    *i += (size_t)extra + 1;
    return cp;
}

/* \p{L}, \p{N} and \p{Z} by the C.UTF-8 locale's classes (without it, any non-ASCII character). */
static int cp_allowed(long cp)
{
    if (cp < 0)
        return 0;
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') || cp == ' ' ||
               strchr("_.:/=+-@", (int)cp) != NULL;
    if (cp == 0xa0 || cp == 0x2007 || cp == 0x202f) /* the no-break spaces, Zs but not iswspace */
        return 1;
    pthread_once(&utf8_once, utf8_init);
    if (utf8_locale == (locale_t)0)
        return 1;
    return iswalnum_l((wint_t)cp, utf8_locale) || iswspace_l((wint_t)cp, utf8_locale);
}

static int chars_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        if (!cp_allowed(next_cp(s, n, &i)))
            return 0;
    }
    return 1;
}

/* ---- one key, one tag ---- */

static int text_ok(const ddb_json *v, size_t min, size_t max)
{
    size_t len;
    if (v == NULL || v->type != DDB_JSON_STRING)
        return 0;
    len = ddb_utf16_len(v->u.s, v->n);
    return len >= min && len <= max && chars_ok(v->u.s, v->n);
}

static const char *or_null(const ddb_json *v)
{
    return v != NULL && v->type == DDB_JSON_STRING ? v->u.s : "null";
}

/* A tag key of either operation: valid characters and length, then the reserved prefix. */
static const char *key_rule(ddb_req *req, const ddb_json *key)
{
    if (!text_ok(key, 1, 128))
        return ddb_arena_sprintf(req->arena, INVALID_KEY "%s", or_null(key));
    if (strncasecmp(key->u.s, "aws:", 4) == 0)
        return ddb_arena_sprintf(req->arena, "Tag Key cannot be prefixed with aws:, Key: %s", key->u.s);
    return NULL;
}

static const char *tag_rule(ddb_req *req, const ddb_json *tag)
{
    const ddb_json *value = ddb_v_get(tag, "Value");
    const char *msg = key_rule(req, ddb_v_get(tag, "Key"));

    if (msg == NULL && !text_ok(value, 0, 256))
        msg = ddb_arena_sprintf(req->arena, INVALID_VALUE "%s", or_null(value));
    return msg;
}

/* Each tag in turn, then duplicate keys, then (`limit`) the count. */
static const char *tag_list_rules(ddb_req *req, const ddb_json *tags, int limit)
{
    uint32_t n = list_len(tags);

    for (uint32_t i = 0; i < n; i++) {
        const char *msg = tag_rule(req, item_at(tags, i));
        if (msg != NULL)
            return msg;
    }
    for (uint32_t i = 1; i < n; i++) {
        const char *key = ddb_v_get(item_at(tags, i), "Key")->u.s;
        for (uint32_t j = 0; j < i; j++) {
            if (strcmp(key, ddb_v_get(item_at(tags, j), "Key")->u.s) == 0)
                return ddb_arena_sprintf(req->arena,
                                         "Duplicate Tag Keys provided as input: Duplicate Tag Key found %s", key);
        }
    }
    if (limit && n > DDB_MAX_TAGS)
        return DDB_TAGS_OVER_LIMIT;
    return NULL;
}

const char *ddb_create_table_tag_rules(ddb_req *req, const ddb_json *in)
{
    return tag_list_rules(req, ddb_v_get(in, "Tags"), 1);
}

/* ---- ResourceArn ---- */

/* Whether the ARN names a table's <kind> ("index", "backup") by DynamoDB's layout, whatever else
   is wrong with it (validate_arn.c judges the rest). */
static int names_under_table(const ddb_arn *a, const char *kind)
{
    return ddb_arn_type_is(a, "table") && ddb_arn_is(a, kind) && a->id != NULL;
}

/*
 * The ARN's own problems (NULL when it names a table of this region and account). An error that is
 * not a ValidationException is recorded on the request; the returned text is then ignored.
 */
static const char *arn_rules(ddb_req *req, const ddb_json *in)
{
    const ddb_json *arn = ddb_v_get(in, "ResourceArn");
    ddb_arn a;
    int split;

    if (!ddb_arn_like(arn->u.s, arn->n))
        return ddb_arena_sprintf(req->arena, INVALID "ARNs must start with 'arn:': %s", arn->u.s);
    split = ddb_arn_parts(arn->u.s, arn->n, &a) == 0;
    if (split && names_under_table(&a, "index"))
        return ddb_arena_sprintf(req->arena,
                                 INVALID "Invalid resource arn provided, only table or stream is accepted. Provided "
                                         "resource arn: %s", arn->u.s);
    if (split && names_under_table(&a, "backup"))
        return ddb_arena_sprintf(req->arena, INVALID "Provided Arn is not a DynamoDB resource arn: %s", arn->u.s);
    /* resolved aside, so the handler still sees (and reports) the ARN itself */
    if (ddb_resolve_table_arn(req, arn->u.s, arn->n, NULL) == NULL)
        return req->err.msg != NULL ? req->err.msg : "";
    return NULL;
}

static const char *tag_resource_rules(ddb_req *req, const ddb_json *in)
{
    const char *msg = arn_rules(req, in);

    if (msg != NULL)
        return msg;
    if (list_len(ddb_v_get(in, "Tags")) == 0)
        return "Atleast one Tag needs to be provided as Input.";
    return tag_list_rules(req, ddb_v_get(in, "Tags"), 0);
}

static const char *untag_resource_rules(ddb_req *req, const ddb_json *in)
{
    const ddb_json *keys = ddb_v_get(in, "TagKeys");
    const char *msg = arn_rules(req, in);

    if (msg != NULL)
        return msg;
    if (list_len(keys) == 0)
        return "Atleast one Tag Key needs to be provided as Input.";
    for (uint32_t i = 0; i < list_len(keys); i++) {
        if ((msg = key_rule(req, item_at(keys, i))) != NULL)
            return msg;
    }
    return list_len(keys) > DDB_MAX_TAGS ? DDB_TAGS_OVER_LIMIT : NULL;
}

static const char *list_tags_of_resource_rules(ddb_req *req, const ddb_json *in)
{
    return arn_rules(req, in);
}

/* ---- the specs (proto/ops.def: one per HANDLED row; declared in validate.h) ---- */

const ddb_spec ddb_spec_tag_resource = {TAG_RESOURCE_FIELDS, tag_resource_rules};
const ddb_spec ddb_spec_untag_resource = {UNTAG_RESOURCE_FIELDS, untag_resource_rules};
const ddb_spec ddb_spec_list_tags_of_resource = {LIST_TAGS_OF_RESOURCE_FIELDS, list_tags_of_resource_rules};
