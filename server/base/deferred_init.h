/*
 * server/base/deferred_init.h: the C++ libraries' static initialisers, run when first needed
 * rather than before main.
 *
 * RocksDB's 153 static constructors (option tables, std::string and std::unordered_map globals),
 * libstdc++'s and hnswlib's touch about 2.7 MB of code and data before main, where a server that
 * has no table yet needs none of it (bench/README.md, "Start-up and idle memory"). In the static
 * release build, deferred_init.ld moves those archives' and objects' .init_array entries into
 * a section of their own, which the loader does not run; ddb_deferred_init runs them, once, in
 * their link order, and everything that reaches C++ code calls it first: the RocksDB backend's
 * open and the approximate vector index's creation. In the other builds (shared RocksDB:
 * sanitizers, fuzzers) the section does not exist and the call does nothing: the loader has run
 * them as usual.
 */
#ifndef DDB_DEFERRED_INIT_H
#define DDB_DEFERRED_INIT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

void ddb_deferred_init(void);

/* How many were set aside (0: this build defers none), and whether ddb_deferred_init has run:
   for the tests that check nothing ran them before a table was used. */
size_t ddb_deferred_init_count(void);
int ddb_deferred_init_done(void);

#ifdef __cplusplus
}
#endif

#endif
