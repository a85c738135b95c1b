/*
 * tests/unit/engine/test_decision.c: "a decision may run again" held by types (issue 63, item 3).
 * A run of the decision and every feature row's hook (feature.h, derive.h) see the request as const, and
 * write only the run's outcome and state: a STRONG mirror's kind and item, once rewritten in the
 * request by each run, are the run's own (ddb_decision_now). Checked on the types themselves, so a
 * hook or a decision given a writable request again no longer builds.
 */
#include "server/engine/derive.h"
#include "test.h"

/* 1 when expression `e` has type `type` exactly (qualifiers of what it points to included). */
#define HAS_TYPE(e, type) _Generic((e), type: 1, default: 0)

#define D ((ddb_decision *)0)
#define R ((ddb_feature *)0)

_Static_assert(HAS_TYPE(D->m, const ddb_mutation *), "the decision's request is const");
_Static_assert(HAS_TYPE(D->out, ddb_mutation_outcome *), "a run writes the outcome");
_Static_assert(HAS_TYPE(D->now.kind, ddb_mut_kind), "the kind a run writes is its own");
_Static_assert(HAS_TYPE(D->now.item, const ddb_attr *), "the item a run writes is its own");
_Static_assert(HAS_TYPE(R->prepare, int (*)(const ddb_feature_slot *, ddb_decision *)), "prepare sees the decision");
_Static_assert(HAS_TYPE(R->wants_old, int (*)(const ddb_decision *)), "wants_old writes nothing");
_Static_assert(HAS_TYPE(R->derive, void (*)(const ddb_feature_slot *, ddb_decision *, ddb_batch *)),
               "derive sees the decision");
_Static_assert(HAS_TYPE(R->committed, void (*)(const ddb_feature_slot *, struct ddb_engine *, ddb_arena *,
                                               const ddb_decision *, size_t)),
               "what follows a commit only reads its runs");

TEST(decision_request_is_const)
{
    ASSERT(HAS_TYPE(D->m, const ddb_mutation *));
    ASSERT(!HAS_TYPE(D->m, ddb_mutation *));
    ASSERT(HAS_TYPE(R->wants_old, int (*)(const ddb_decision *)));
}
