/*
 * tests/unit/base/test_held_lines.c: a log's lines held for their loop's turn
 * (server/base/held_lines.h). Lines go out in the order they were added, each marked outcome as
 * written or replaced by the failure's, and lines added behind a held one wait with it.
 */
#include <string.h>

#include "server/base/held_lines.h"
#include "test.h"

/* A line "<name>|<outcome>|<rest>\n" into h, its outcome marked when it `waits`. */
static void add(ddb_held_lines *h, const char *name, const char *outcome, int waits)
{
    size_t from;

    ddb_buf_puts(&h->buf, name);
    from = h->buf.len;
    ddb_buf_puts(&h->buf, outcome);
    if (waits)
        ddb_held_lines_mark(h, from, h->buf.len);
    ddb_buf_puts(&h->buf, "|rest\n");
    h->lines++;
}

static int out_is(const ddb_buf *out, const char *want)
{
    return out->len == strlen(want) && memcmp(out->data, want, out->len) == 0;
}

TEST(lines_go_out_as_written_when_the_turns_write_worked)
{
    ddb_held_lines h = {0};
    ddb_buf out = {0};

    ASSERT_EQ(ddb_held_lines_take(&h, 0), 0); /* nothing held: a line goes straight to its log */
    ASSERT_EQ(ddb_held_lines_take(&h, 1), 1);
    add(&h, "a", "|200", 1);
    ASSERT_EQ(ddb_held_lines_take(&h, 0), 1); /* behind a held line, every line waits */
    add(&h, "b", "|400", 0);
    add(&h, "c", "|200", 1);
    ddb_buf_puts(&out, "before\n");
    ddb_held_lines_release(&h, &out, NULL, 0);
    ASSERT(out_is(&out, "before\na|200|rest\nb|400|rest\nc|200|rest\n"));
    ASSERT_EQ(h.buf.len, 0);
    ASSERT_EQ(h.lines, 0);
    ASSERT_EQ(ddb_held_lines_take(&h, 0), 0);
    ddb_buf_free(&out);
    ddb_held_lines_free(&h);
}

TEST(a_failed_write_replaces_each_held_answers_outcome_only)
{
    ddb_held_lines h = {0};
    ddb_buf out = {0};

    for (int turn = 0; turn < 2; turn++) { /* (the marks start over each turn) */
        add(&h, "a", "|200", 1);
        add(&h, "b", "|400", 0); /* not held: its answer went out as it was */
        add(&h, "c", "|200", 1);
        ddb_held_lines_release(&h, &out, "|500", 4);
    }
    ASSERT(out_is(&out, "a|500|rest\nb|400|rest\nc|500|rest\na|500|rest\nb|400|rest\nc|500|rest\n"));
    ddb_buf_free(&out);
    ddb_held_lines_free(&h);
}

TEST(lines_of_a_log_that_went_away_are_dropped)
{
    ddb_held_lines h = {0};

    for (int i = 0; i < 40; i++) /* (more marks than the first array holds) */
        add(&h, "a", "|200", 1);
    ASSERT_EQ(h.lines, 40);
    ddb_held_lines_release(&h, NULL, "|500", 4);
    ASSERT_EQ(h.buf.len, 0);
    ASSERT_EQ(h.nmarks, 0);
    ASSERT_EQ(h.lines, 0);
    ddb_held_lines_free(&h);
}
