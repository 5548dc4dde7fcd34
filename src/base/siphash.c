/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
 * 2012): two SipRounds per 8-byte message word, four in finalization, 64-bit
 * output.
 *
 * Everything is read a byte at a time and assembled little-endian so that the
 * result is the same on any host and no unaligned or type-punned load happens.
 */
#include "base/siphash.h"

/* Initialization constants: "somepseudorandomlygeneratedbytes" in ASCII. */
#define SIP_C0 UINT64_C(0x736f6d6570736575)
#define SIP_C1 UINT64_C(0x646f72616e646f6d)
#define SIP_C2 UINT64_C(0x6c7967656e657261)
#define SIP_C3 UINT64_C(0x7465646279746573)

#define SIP_C_ROUNDS 2
#define SIP_D_ROUNDS 4

struct sip_state {
	uint64_t v0, v1, v2, v3;
};

/* b is always a constant in 1..63, so neither shift can be by 64. */
static inline uint64_t rotl64(uint64_t x, unsigned int b)
{
	return (x << b) | (x >> (64 - b));
}

/* Little-endian 64-bit load of 8 bytes, independent of host order and alignment. */
static inline uint64_t load_le64(const uint8_t *p)
{
	uint64_t w = 0;
	unsigned int i;

	for (i = 0; i < 8; i++)
		w |= (uint64_t)p[i] << (8 * i);
	return w;
}

/* One SipRound: the ARX network of the paper's figure, on unsigned (wrapping) words. */
static inline void sip_round(struct sip_state *s)
{
	s->v0 += s->v1;
	s->v1 = rotl64(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = rotl64(s->v0, 32);

	s->v2 += s->v3;
	s->v3 = rotl64(s->v3, 16);
	s->v3 ^= s->v2;

	s->v0 += s->v3;
	s->v3 = rotl64(s->v3, 21);
	s->v3 ^= s->v0;

	s->v2 += s->v1;
	s->v1 = rotl64(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = rotl64(s->v2, 32);
}

static inline void sip_compress(struct sip_state *s, uint64_t m)
{
	int i;

	s->v3 ^= m;
	for (i = 0; i < SIP_C_ROUNDS; i++)
		sip_round(s);
	s->v0 ^= m;
}

static inline struct sip_state sip_init(uint64_t k0, uint64_t k1)
{
	struct sip_state s = {
		.v0 = k0 ^ SIP_C0,
		.v1 = k1 ^ SIP_C1,
		.v2 = k0 ^ SIP_C2,
		.v3 = k1 ^ SIP_C3,
	};
	return s;
}

static inline uint64_t sip_finish(struct sip_state *s)
{
	int r;

	s->v2 ^= 0xff;
	for (r = 0; r < SIP_D_ROUNDS; r++)
		sip_round(s);
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

uint64_t sf_siphash24(const uint8_t key[SF_SIPHASH_KEY_LEN], const void *data, size_t len)
{
	const uint8_t *p = data;
	struct sip_state s = sip_init(load_le64(key), load_le64(key + 8));
	size_t full = len / 8;
	size_t left = len % 8;
	uint64_t last;
	size_t i;

	/*
	 * With len == 0 the loops below do not run, so p is never dereferenced
	 * (or offset) and a NULL data pointer is fine.
	 */
	for (i = 0; i < full; i++)
		sip_compress(&s, load_le64(p + 8 * i));

	/*
	 * The final word carries the remaining 0..7 bytes in its low end and
	 * the message length modulo 256 in its top byte.
	 */
	last = (uint64_t)(len & 0xff) << 56;
	for (i = 0; i < left; i++)
		last |= (uint64_t)p[8 * full + i] << (8 * i);
	sip_compress(&s, last);
	return sip_finish(&s);
}

/*
 * The same function on a message that is a whole number of words, already
 * assembled (as the little-endian values its bytes would load as) under a key
 * already loaded: the hot callers hash 16- or 40-byte tuples and need neither
 * the byte loop nor the key load.
 */
uint64_t sf_siphash24_words(uint64_t k0, uint64_t k1, const uint64_t *words, size_t nwords)
{
	struct sip_state s = sip_init(k0, k1);
	size_t i;

	for (i = 0; i < nwords; i++)
		sip_compress(&s, words[i]);
	sip_compress(&s, (uint64_t)((nwords * 8) & 0xff) << 56);
	return sip_finish(&s);
}

uint64_t sf_siphash_key_word(const uint8_t key[SF_SIPHASH_KEY_LEN], int which)
{
	return load_le64(key + (which ? 8 : 0));
}
