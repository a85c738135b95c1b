/*
 * server/base/footprint.h: give back the code pages that only start-up ran.
 *
 * Start-up (the loader, RocksDB's static option tables, opening the store, binding) touches
 * about 8 MB of code and read-only data in ddbd and its shared objects, and the kernel maps
 * each fault's neighbours too (fault-around, 64 KB). Most of it never runs again, yet it stays
 * in the process's resident set. Dropping the read-only mappings' pages once the server is
 * ready takes them out of the resident set; the page cache keeps them, so code that does run
 * again comes back with a minor fault on its first use (idle RSS 13 -> 6.2 MB; tests/footprint
 * gates it).
 */
#ifndef DDB_FOOTPRINT_H
#define DDB_FOOTPRINT_H

/*
 * Unmap the resident pages of every loaded object's read-only segments (code, constants),
 * never a writable or relocated one. Safe while other threads run. Off when the environment
 * sets DDBD_KEEP_STARTUP_PAGES (to compare).
 */
void ddb_footprint_trim(void);

#endif
