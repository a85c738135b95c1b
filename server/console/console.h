/*
 * server/console/console.h: --console, the web console's files (assets/: HTML, JS, CSS),
 * built into ddbd at build time (embed.cmake writes them into a C array) and served under
 * /ddbd/console/ on the API port. The files carry no data: the page calls the DynamoDB API and GET
 * /metrics as any client does, signed in the browser with the key the user enters under --auth
 * (docs/console.md), so the guard passes them to everyone (guard.h).
 */
#ifndef DDB_CONSOLE_H
#define DDB_CONSOLE_H

#include <stddef.h>

/* One built-in file: its name under /ddbd/console ("/app.js"), media type and bytes. */
typedef struct ddb_console_file {
    const char *name;
    const char *ctype;
    const unsigned char *data;
    size_t len;
} ddb_console_file;

/* The file at `path` (the request's path after "/ddbd/console"; "" and "/" are the page itself), or
   NULL: the caller answers 404. */
const ddb_console_file *ddb_console_find(const char *path, size_t len);

/* The page's session.js, `export const auth = true;` or false: whether the API checks signatures
   (--auth), so the page asks for a key before its first call instead of after a refused one; and
   `export const admin = ...;`: whether /ddbd/... is served (--admin), so the usage and faults
   screens are offered only where their endpoints answer (no request fails by design). */
const ddb_console_file *ddb_console_session(int auth, int admin);

/* The headers every answer of the console carries, NULL-terminated name/value pairs: a policy that
   lets the page load nothing but its own files and be framed by no other site. */
extern const char *const ddb_console_headers[];

#endif
