/*
 * proto/errors.c: lookup tables generated from include/ddb/ddb_errors.def.
 */
#include "proto/errors.h"

#include <string.h>

static const ddb_error_info error_table[] = {
    [DDB_OK] = {"OK", "", 200, 0},
#define X(code, type, ns, http, members) [DDB_E_##code] = {type, ns, http, members},
#include "ddb/ddb_errors.def"
#undef X
};

static const char *const member_names[] = {
#define X(name) [DDB_EM_BIT_##name] = #name,
    DDB_ERROR_MEMBERS(X)
#undef X
};

const char *ddb_error_member_name(unsigned bit)
{
    return bit < DDB_EM__COUNT ? member_names[bit] : NULL;
}

const char *ddb_error_member(const ddb_error_info *e, unsigned either)
{
    unsigned have = e->members & either;

    return have != 0 ? member_names[__builtin_ctz(have)] : NULL;
}

const ddb_error_info *ddb_error_lookup(int code)
{
    if (code <= DDB_OK || code >= DDB_E__SERVER_LAST)
        return &error_table[DDB_E_INTERNAL];
    return &error_table[code];
}

const char *ddb_strerror(int status)
{
    if (status >= DDB_OK && status < DDB_E__SERVER_LAST)
        return error_table[status].type;
    switch (status) {
    case DDB_E_TRANSPORT:
        return "TransportError";
    case DDB_E_PROTOCOL:
        return "ProtocolError";
    case DDB_E_INVALID_ARGUMENT:
        return "InvalidArgument";
    default:
        return "UnknownError";
    }
}

int ddb_error_from_type(const char *type, size_t len)
{
    const char *hash = memchr(type, '#', len);

    if (hash != NULL) {
        len -= (size_t)(hash + 1 - type);
        type = hash + 1;
    }
    for (int i = DDB_OK + 1; i < DDB_E__SERVER_LAST; i++) {
        if (strlen(error_table[i].type) == len && memcmp(error_table[i].type, type, len) == 0)
            return i;
    }
    return DDB_E_UNKNOWN_ERROR;
}
