/*
 * server/base/stripe.h: a thread's stripe of a figure that every request thread writes.
 *
 * Why: a counter that each request adds to, if one cache line, moves between the cores of the
 * request threads on every add; at eight threads that traffic was a measured part of a write's
 * CPU (bench/README.md, "Writes across cores"). A striped figure keeps one copy per stripe, each
 * on a cache line of its own; a thread adds to its own stripe and a reader sums the stripes.
 * Threads take stripes in turn at their first call, so up to DDB_STRIPES threads never share
 * one; more threads share them (still correct: adds are atomic).
 */
#ifndef DDB_STRIPE_H
#define DDB_STRIPE_H

#define DDB_STRIPES 16
#define DDB_CACHE_LINE 64

/* This thread's stripe, in [0, DDB_STRIPES). */
unsigned ddb_stripe_self(void);

#endif
