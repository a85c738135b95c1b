/*
 * server/doors/console/console.c: the console's built-in files, looked up (see console.h).
 */
#include "server/doors/console/console.h"

#include <string.h>

#include "server/doors/console/assets.h"

const char *const ddb_console_headers[] = {
    "Content-Security-Policy",
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options", "nosniff",
    "Referrer-Policy", "no-referrer",
    "Cache-Control", "no-cache",
    NULL,
};

const ddb_console_file *ddb_console_find(const char *path, size_t len)
{
    static const char PAGE[] = "/index.html";

    if (len == 0 || (len == 1 && path[0] == '/')) {
        path = PAGE;
        len = sizeof(PAGE) - 1;
    }
    for (size_t i = 0; i < ddb_console_nfiles; i++) {
        const ddb_console_file *f = &ddb_console_files[i];
        if (strlen(f->name) == len && memcmp(f->name, path, len) == 0)
            return f;
    }
    return NULL;
}

const ddb_console_file *ddb_console_session(int auth)
{
#define SESSION_FILE(on) {"/session.js", "text/javascript; charset=utf-8", (const unsigned char *)(on), sizeof(on) - 1}
    static const ddb_console_file with = SESSION_FILE("export const auth = true;\n");
    static const ddb_console_file without = SESSION_FILE("export const auth = false;\n");
#undef SESSION_FILE

    return auth ? &with : &without;
}
