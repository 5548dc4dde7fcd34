/*
 * SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit PRF used for
 * initial sequence numbers (RFC 6528), 4-tuple hash-table keys and SYN cookies.
 */
#ifndef SYNFIN_SIPHASH_H
#define SYNFIN_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SF_SIPHASH_KEY_LEN 16

/** SipHash-2-4 of data under a 16-byte key; the result as the reference's little-endian 64-bit value. */
uint64_t sf_siphash24(const uint8_t key[SF_SIPHASH_KEY_LEN], const void *data, size_t len);

#endif
