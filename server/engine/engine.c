/*
 * server/engine/engine.c: what the engine context answers of its store (see engine.h).
 */
#include "server/engine/engine.h"

uint64_t ddb_engine_hash(const ddb_engine *eng, const void *data, size_t len)
{
    return ddb_store_secret_hash(eng->store, data, len);
}

unsigned ddb_engine_nshards(const ddb_engine *eng)
{
    return ddb_store_nshards(eng->store);
}
