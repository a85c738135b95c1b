/*
 * client/cli/read_file.h: a whole file read into memory, for the commands that take one (a
 * request, a rule file, a saved usage report): ddb_cli.c's and import_cmd.c's.
 */
#ifndef DDB_CLI_READ_FILE_H
#define DDB_CLI_READ_FILE_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* A whole file, NUL-terminated; NULL (errno set) when it cannot be read. */
static inline char *ddb_cli_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    size_t len = 0, got;

    if (f == NULL)
        return NULL;
    do {
        char *grown = realloc(text, len + 65536 + 1);

        if (grown == NULL)
            abort();
        text = grown;
        got = fread(text + len, 1, 65536, f);
        len += got;
    } while (got > 0);
    text[len] = '\0';
    if (ferror(f)) {
        free(text);
        text = NULL;
        errno = EIO;
    }
    fclose(f);
    return text;
}

#endif
