/*
 * proto/crc32.h: CRC-32 (IEEE 802.3, zlib's crc32) of a response body, the x-amz-crc32 header
 * every DynamoDB answer carries and every SDK checks; the client verifies it with the same code.
 */
#ifndef DDB_CRC32_H
#define DDB_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Continues `crc` (0 to start) over buf[0..len); same results as zlib's crc32(). */
uint32_t ddb_crc32(uint32_t crc, const void *buf, size_t len);

#endif
