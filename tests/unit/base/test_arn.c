/*
 * tests/unit/base/test_arn.c: the one ARN splitter (server/base/arn.h) as each reader uses it: any
 * service's fields kept (empty ones too, for the caller to judge), the resource split at its '/'s,
 * and the strict rule of a DynamoDB table ARN (more cases in tests/unit/api/test_resources.c).
 */
#include <string.h>

#include "server/base/arn.h"
#include "test.h"

static int parts(const char *s, ddb_arn *a)
{
    return ddb_arn_parts(s, strlen(s), a);
}

static int eq(const char *p, size_t n, const char *lit)
{
    return p != NULL && n == strlen(lit) && memcmp(p, lit, n) == 0;
}

TEST(any_arn_keeps_its_fields)
{
    ddb_arn a;

    ASSERT_EQ(parts("arn:aws:kinesis:eu-west-1:111122223333:stream/orders", &a), 0);
    ASSERT(eq(a.service, a.service_len, "kinesis") && eq(a.region, a.region_len, "eu-west-1"));
    ASSERT(ddb_arn_type_is(&a, "stream") && eq(a.path, a.path_len, "orders") && a.sub == NULL);
    /* empty fields are the caller's to refuse (the policy operations name each one) */
    ASSERT_EQ(parts("arn::dynamodb:::table/t", &a), 0);
    ASSERT(a.partition_len == 0 && a.region_len == 0 && a.account_len == 0 && eq(a.name, a.name_len, "t"));
    /* the resource keeps its colons; the id keeps its slashes */
    ASSERT_EQ(parts("arn:aws:dynamodb:r:1:table/t/stream/a/b:c", &a), 0);
    ASSERT(ddb_arn_is(&a, "stream") && eq(a.id, a.id_len, "a/b:c"));
    ASSERT(eq(a.resource, a.resource_len, "table/t/stream/a/b:c"));
    /* a resource without '/' is all type */
    ASSERT_EQ(parts("arn:aws:iam::1:root", &a), 0);
    ASSERT(ddb_arn_type_is(&a, "root") && a.path == NULL && a.name == NULL);
    /* a <kind> without its '/': there, with no id */
    ASSERT_EQ(parts("arn:aws:dynamodb:r:1:table/t/index", &a), 0);
    ASSERT(ddb_arn_is(&a, "index") && a.id == NULL);
    ASSERT_EQ(parts("arn:aws:dynamodb:r:1:table/t/index/", &a), 0);
    ASSERT(ddb_arn_is(&a, "index") && a.id != NULL && a.id_len == 0);
}

TEST(not_an_arn)
{
    ddb_arn a;

    ASSERT_EQ(parts("arn:aws:dynamodb:r:1", &a), -1); /* five fields */
    ASSERT_EQ(parts("urn:aws:dynamodb:r:1:table/t", &a), -1);
    ASSERT_EQ(parts("", &a), -1);
    ASSERT(ddb_arn_like("arn:", 4) && !ddb_arn_like("arn", 3) && !ddb_arn_like("orders", 6));
    /* the strict rule: a <kind> comes with its id */
    ASSERT_EQ(ddb_arn_split("arn:aws:dynamodb:r:1:table/t/index/", strlen("arn:aws:dynamodb:r:1:table/t/index/"), &a), -1);
    ASSERT_EQ(ddb_arn_split("arn:aws:dynamodb:r:1:table/t/index/i", strlen("arn:aws:dynamodb:r:1:table/t/index/i"), &a), 0);
}

/* The one writer of a table's ARN: the region defaulted, a <kind>/<id> after it, and what it
   writes split back by the strict rule. */
TEST(a_table_arn_is_written_by_one_rule)
{
    ddb_arena ar;
    ddb_arn a;
    const char *arn;

    ddb_arena_init(&ar);
    ASSERT_STR_EQ(ddb_arn_table(&ar, "eu-west-1", "111122223333", "orders", NULL, NULL),
                  "arn:aws:dynamodb:eu-west-1:111122223333:table/orders");
    ASSERT_STR_EQ(ddb_arn_table(&ar, NULL, "1", "t", NULL, NULL), "arn:aws:dynamodb:us-east-1:1:table/t");
    ASSERT_STR_EQ(ddb_arn_table(&ar, "", "1", "t", NULL, NULL), "arn:aws:dynamodb:us-east-1:1:table/t");
    arn = ddb_arn_table(&ar, "r", "1", "t", "index", "i");
    ASSERT_STR_EQ(arn, "arn:aws:dynamodb:r:1:table/t/index/i");
    ASSERT_EQ(ddb_arn_split(arn, strlen(arn), &a), 0);
    ASSERT(ddb_arn_is(&a, "index") && eq(a.name, a.name_len, "t") && eq(a.id, a.id_len, "i"));
    ASSERT_STR_EQ(ddb_arn_table(&ar, "r", "1", "t", "stream", "2026-01-01T00:00:00.000"),
                  "arn:aws:dynamodb:r:1:table/t/stream/2026-01-01T00:00:00.000");
    ddb_arena_free(&ar);
}
