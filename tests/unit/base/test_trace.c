/*
 * tests/unit/base/test_trace.c: the trace header parsers (server/base/trace.h): W3C traceparent's
 * exact form (lower-case hex, all-zero ids, version ff, a later version's extra fields) and
 * X-Amzn-Trace-Id's fields (Root converted to a 32-digit trace id, Parent, Sampled, other fields
 * passed over, blanks), and the child spans a traced thread notes.
 */
#include <string.h>

#include "server/base/trace.h"
#include "test.h"

#define TRACE "4bf92f3577b34da6a3ce929d0e0e4736"
#define PARENT "00f067aa0ba902b7"

static int tp(const char *s, ddb_trace_ctx *c)
{
    return ddb_trace_parse_traceparent(s, strlen(s), c);
}

static int amzn(const char *s, ddb_trace_ctx *c)
{
    return ddb_trace_parse_amzn(s, strlen(s), c);
}

static void expect_ids(const ddb_trace_ctx *c, const char *trace, const char *parent)
{
    char hex[33];

    ddb_trace_hex(c->trace_id, 16, hex);
    ASSERT_STR_EQ(hex, trace);
    if (parent == NULL) {
        ASSERT_EQ(c->has_parent, 0);
        return;
    }
    ASSERT_EQ(c->has_parent, 1);
    ddb_trace_hex(c->parent_id, 8, hex);
    ASSERT_STR_EQ(hex, parent);
}

TEST(traceparent_valid)
{
    ddb_trace_ctx c;

    ASSERT_EQ(tp("00-" TRACE "-" PARENT "-01", &c), 0);
    expect_ids(&c, TRACE, PARENT);
    ASSERT_EQ(c.sampled, 1);
    ASSERT_EQ(tp("00-" TRACE "-" PARENT "-00", &c), 0);
    ASSERT_EQ(c.sampled, 0);
    ASSERT_EQ(tp("00-" TRACE "-" PARENT "-03", &c), 0); /* other flags: the sampled bit alone counts */
    ASSERT_EQ(c.sampled, 1);
    ASSERT_EQ(tp("01-" TRACE "-" PARENT "-01-what-the-future-brings", &c), 0);
    expect_ids(&c, TRACE, PARENT);
    ASSERT_EQ(tp("01-" TRACE "-" PARENT "-01", &c), 0);
}

TEST(traceparent_invalid)
{
    ddb_trace_ctx c;

    ASSERT_EQ(tp("", &c), -1);
    ASSERT_EQ(tp("00-" TRACE "-" PARENT "-0", &c), -1);
    ASSERT_EQ(tp("00-" TRACE "-" PARENT "-01-", &c), -1);  /* version 00 is 55 characters */
    ASSERT_EQ(tp("01-" TRACE "-" PARENT "-01x", &c), -1);  /* more only after a '-' */
    ASSERT_EQ(tp("ff-" TRACE "-" PARENT "-01", &c), -1);
    ASSERT_EQ(tp("0g-" TRACE "-" PARENT "-01", &c), -1);
    ASSERT_EQ(tp("00-4BF92F3577B34DA6A3CE929D0E0E4736-" PARENT "-01", &c), -1);
    ASSERT_EQ(tp("00-" TRACE "-00F067AA0BA902B7-01", &c), -1);
    ASSERT_EQ(tp("00-00000000000000000000000000000000-" PARENT "-01", &c), -1);
    ASSERT_EQ(tp("00-" TRACE "-0000000000000000-01", &c), -1);
    ASSERT_EQ(tp("00_" TRACE "-" PARENT "-01", &c), -1);
    ASSERT_EQ(tp("00-" TRACE "_" PARENT "-01", &c), -1);
    ASSERT_EQ(tp("00-" TRACE "-" PARENT "_01", &c), -1);
    ASSERT_EQ(tp("00-" TRACE "-" PARENT "-0Z", &c), -1);
    ASSERT_EQ(tp(" 00-" TRACE "-" PARENT "-01", &c), -1);
}

TEST(amzn_valid)
{
    ddb_trace_ctx c;

    ASSERT_EQ(amzn("Root=1-5759e988-bd862e3fe1be46a994272793", &c), 0);
    expect_ids(&c, "5759e988bd862e3fe1be46a994272793", NULL);
    ASSERT_EQ(c.sampled, 1);
    ASSERT_EQ(amzn("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0", &c), 0);
    expect_ids(&c, "5759e988bd862e3fe1be46a994272793", "53995c3f42cd8ad8");
    ASSERT_EQ(c.sampled, 0);
    /* any order, blanks around fields, other fields, empty fields, upper-case hex */
    ASSERT_EQ(amzn(" Self=1-67891234-12456789abcdef012345678 ; Sampled=? ;Lineage=a87bd80c:1|x;;"
                   "Parent=53995C3F42CD8AD8; Root=1-5759E988-BD862E3FE1BE46A994272793 ",
                   &c),
              0);
    expect_ids(&c, "5759e988bd862e3fe1be46a994272793", "53995c3f42cd8ad8");
    ASSERT_EQ(c.sampled, 1);
}

TEST(amzn_invalid)
{
    ddb_trace_ctx c;

    ASSERT_EQ(amzn("", &c), -1);
    ASSERT_EQ(amzn("Parent=53995c3f42cd8ad8;Sampled=1", &c), -1);
    ASSERT_EQ(amzn("root=1-5759e988-bd862e3fe1be46a994272793", &c), -1); /* names are case-sensitive */
    ASSERT_EQ(amzn("Root=2-5759e988-bd862e3fe1be46a994272793", &c), -1);
    ASSERT_EQ(amzn("Root=1-5759e988-bd862e3fe1be46a99427279", &c), -1);
    ASSERT_EQ(amzn("Root=1-5759e988-bd862e3fe1be46a9942727933", &c), -1);
    ASSERT_EQ(amzn("Root=1-5759e988_bd862e3fe1be46a994272793", &c), -1);
    ASSERT_EQ(amzn("Root=1-5759e98x-bd862e3fe1be46a994272793", &c), -1);
    ASSERT_EQ(amzn("Root=1-00000000-000000000000000000000000", &c), -1);
    ASSERT_EQ(amzn("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad", &c), -1);
    ASSERT_EQ(amzn("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=yes", &c), -1);
    ASSERT_EQ(amzn("Root=1-5759e988-bd862e3fe1be46a994272793;junk", &c), -1);
}

TEST(child_spans_nest_and_cost_nothing_untraced)
{
    ddb_span s;
    int a, b;

    ddb_trace_active = NULL;
    ASSERT_EQ(ddb_trace_child_open("x"), -1);
    ddb_trace_child_close(-1);
    memset(&s, 0, sizeof(s));
    s.open_child = -1;
    ddb_trace_active = &s;
    a = ddb_trace_child_open("storage.meta_commit");
    b = ddb_trace_child_open("storage.write");
    ddb_trace_child_close(b);
    ddb_trace_child_close(a);
    ASSERT_EQ(s.nchildren, 2);
    ASSERT_EQ(s.children[0].parent, -1);
    ASSERT_EQ(s.children[1].parent, 0);
    ASSERT(s.children[0].start_ns <= s.children[1].start_ns);
    ASSERT(s.children[1].end_ns <= s.children[0].end_ns);
    for (int i = 0; i < DDB_TRACE_CHILDREN; i++)
        ddb_trace_child_close(ddb_trace_child_open("round trip"));
    ASSERT_EQ(s.nchildren, DDB_TRACE_CHILDREN);
    ASSERT_EQ(s.children_dropped, 2);
    ASSERT_EQ(s.open_child, -1);
    ddb_trace_active = NULL;
}
