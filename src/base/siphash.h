/* SPDX-License-Identifier: BSD-2-Clause */
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

/** The same as sf_siphash24(key, bytes, 8 * nwords) where bytes is words[]
 *  serialized little-endian and k0, k1 are sf_siphash_key_word(key, 0 / 1). */
uint64_t sf_siphash24_words(uint64_t k0, uint64_t k1, const uint64_t *words, size_t nwords);

/** Half of the key as SipHash loads it: bytes 0-7 (which = 0) or 8-15 (which = 1), little-endian. */
uint64_t sf_siphash_key_word(const uint8_t key[SF_SIPHASH_KEY_LEN], int which);

#endif
