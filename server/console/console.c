/*
 * server/console/console.c: the console's built-in files, looked up (see console.h).
 */
#include "server/console/console.h"

#include <string.h>

#include "server/console/assets.h"

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

const ddb_console_file *ddb_console_session(int auth, int admin)
{
#define SESSION_FILE(a, d)                                                                                 \
    {"/session.js", "text/javascript; charset=utf-8",                                                     \
     (const unsigned char *)("export const auth = " a ";\nexport const admin = " d ";\n"),                \
     sizeof("export const auth = " a ";\nexport const admin = " d ";\n") - 1}
    /* [auth][admin] */
    static const ddb_console_file files[2][2] = {
        {SESSION_FILE("false", "false"), SESSION_FILE("false", "true")},
        {SESSION_FILE("true", "false"), SESSION_FILE("true", "true")},
    };
#undef SESSION_FILE

    return &files[auth != 0][admin != 0];
}
