/*
 * tests/unit/base/test_gate.c: the request gate's grace periods (server/base/gate.h), which the
 * catalog frees replaced table descriptions by (issue 61). A mark waits for exactly the requests and
 * holds in flight when it was taken: not for those that began after it, not for a slot that was idle,
 * and not for ever for a busy thread whose requests follow each other.
 */
#include "server/base/gate.h"
#include "test.h"

TEST(a_mark_with_nothing_in_flight_has_passed)
{
    ddb_gate *g = ddb_gate_new(2);
    ddb_gate_mark *m = ddb_gate_mark_new(g);

    ddb_gate_mark_now(g, m);
    ASSERT(ddb_gate_passed(g, m));
    ddb_gate_enter(g, 0); /* one that begins after the mark is not waited for */
    ASSERT(ddb_gate_passed(g, m));
    ddb_gate_leave(g, 0);
    ddb_gate_mark_free(m);
    ddb_gate_free(g);
}

TEST(a_mark_waits_for_the_requests_in_flight_at_it)
{
    ddb_gate *g = ddb_gate_new(3);
    ddb_gate_mark *m = ddb_gate_mark_new(g);

    ddb_gate_enter(g, 0);
    ddb_gate_enter(g, 2);
    ASSERT(ddb_gate_inside());
    ddb_gate_mark_now(g, m);
    ASSERT(!ddb_gate_passed(g, m));
    ddb_gate_leave(g, 0);
    ASSERT(!ddb_gate_passed(g, m)); /* slot 2's request still runs */
    ddb_gate_leave(g, 2);
    ASSERT(ddb_gate_passed(g, m));
    ASSERT(!ddb_gate_inside());
    ddb_gate_mark_free(m);
    ddb_gate_free(g);
}

TEST(a_thread_whose_requests_follow_each_other_passes_the_mark)
{
    ddb_gate *g = ddb_gate_new(1);
    ddb_gate_mark *m = ddb_gate_mark_new(g);

    ddb_gate_enter(g, 0);
    ddb_gate_mark_now(g, m);
    ddb_gate_leave(g, 0);
    ddb_gate_enter(g, 0); /* busy again, but with a request that began after the mark */
    ASSERT(ddb_gate_passed(g, m));
    ddb_gate_leave(g, 0);
    ddb_gate_mark_free(m);
    ddb_gate_free(g);
}

TEST(a_mark_waits_for_the_holds_begun_before_it_only)
{
    ddb_gate *g = ddb_gate_new(1);
    ddb_gate_mark *m = ddb_gate_mark_new(g);
    ddb_gate_hold early, late, nested;

    ddb_gate_hold_begin(g, &early);
    ASSERT(ddb_gate_inside());
    ddb_gate_mark_now(g, m);
    ddb_gate_hold_begin(g, &late);
    ddb_gate_hold_begin(g, &nested);
    ASSERT(!ddb_gate_passed(g, m));
    ddb_gate_hold_end(g, &early);
    ASSERT(ddb_gate_passed(g, m)); /* the two begun after the mark are not waited for */
    ddb_gate_hold_end(g, &nested);
    ddb_gate_hold_end(g, &late);
    ASSERT(!ddb_gate_inside());
    ddb_gate_mark_free(m);
    ddb_gate_free(g);
}

TEST(a_hold_ended_out_of_order_leaves_the_oldest_waited_for)
{
    ddb_gate *g = ddb_gate_new(1);
    ddb_gate_mark *m = ddb_gate_mark_new(g);
    ddb_gate_hold a, b, c;

    ddb_gate_hold_begin(g, &a);
    ddb_gate_hold_begin(g, &b);
    ddb_gate_hold_begin(g, &c);
    ddb_gate_mark_now(g, m);
    ddb_gate_hold_end(g, &b);
    ddb_gate_hold_end(g, &c);
    ASSERT(!ddb_gate_passed(g, m));
    ddb_gate_hold_end(g, &a);
    ASSERT(ddb_gate_passed(g, m));
    ddb_gate_mark_free(m);
    ddb_gate_free(g);
}

TEST(without_a_gate_a_hold_only_counts_the_depth)
{
    ddb_gate_hold h;

    ddb_gate_hold_begin(NULL, &h);
    ASSERT(ddb_gate_inside());
    ddb_gate_hold_end(NULL, &h);
    ASSERT(!ddb_gate_inside());
}
