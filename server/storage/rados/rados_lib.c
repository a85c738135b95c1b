/*
 * server/storage/rados/rados_lib.c: loads librados on first use (see rados_lib.h).
 */
#define DDB_RADOS_LIB_IMPL
#include "server/storage/rados/rados_lib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ddb_rados_lib ddb_rados;
unsigned long long ddb_rados_ops[DDB_RADOS_OP_NKINDS];

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char *load_error; /* NULL once loaded */

static void load(void)
{
    /* RTLD_NODELETE: librados' threads and atexit handlers outlive any close we might do */
    void *h = dlopen("librados.so.2", RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    char msg[512];

    if (h == NULL) {
        snprintf(msg, sizeof(msg), "cannot load librados (Debian: librados2): %s", dlerror());
        load_error = strdup(msg);
        return;
    }
#define X(f)                                                                                  \
    if (load_error == NULL && (*(void **)&ddb_rados.f = dlsym(h, #f)) == NULL) {              \
        snprintf(msg, sizeof(msg), "librados.so.2 has no %s: too old a librados", #f);       \
        load_error = strdup(msg);                                                             \
    }
    DDB_RADOS_FUNCTIONS(X)
#undef X
}

int ddb_rados_lib_load(char **err)
{
    pthread_once(&once, load);
    if (load_error == NULL)
        return 0;
    if (err != NULL)
        *err = strdup(load_error);
    return -1;
}
