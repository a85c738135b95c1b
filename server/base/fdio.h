/*
 * server/base/fdio.h: writing a whole buffer to a file descriptor (a file, a pipe), as the
 * object store's files, the access log and the recording do.
 */
#ifndef DDB_FDIO_H
#define DDB_FDIO_H

#include <errno.h>
#include <stddef.h>
#include <unistd.h>

/* Writes the n bytes at p to fd, writing again after a signal cut a write short; returns how many
   were written: n, or fewer when a write failed (errno says why) or wrote nothing (a full disk),
   so a caller that keeps whole lines knows where the file stops. */
static inline size_t ddb_write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    size_t off = 0;

    while (off < n) {
        ssize_t k = write(fd, c + off, n - off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        off += (size_t)k;
    }
    return off;
}

#endif
