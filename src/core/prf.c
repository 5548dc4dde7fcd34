/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The keyed hash of a 4-tuple: the ISN's F (RFC 6528), the demux bucket, the
 * timestamp offset (RFC 7323 §5.4) and the ephemeral port offset (RFC 6056)
 * all come from it, each in its own domain.
 */

#include "base/siphash.h"
#include "core/service.h"

/* Bytes i..i+3 of an address as the low or high half of a little-endian word. */
static inline uint64_t le32_at(const uint8_t *b)
{
	return (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 | (uint64_t)b[3] << 24;
}

static inline uint64_t le64_at(const uint8_t *b)
{
	return le32_at(b) | le32_at(b + 4) << 32;
}

/* The tuple as SipHash message words, the domain left out (zero in its byte). */
static size_t pack_tuple(const struct sf_endpoint *local, const struct sf_endpoint *remote, uint64_t w[5])
{
	uint64_t tail = (uint64_t)local->port | (uint64_t)remote->port << 16 | (uint64_t)local->addr.family << 40;

	if (local->addr.family == SF_AF_INET) {
		w[0] = le32_at(local->addr.bytes) | le32_at(remote->addr.bytes) << 32;
		w[1] = tail;
		return 2;
	}
	w[0] = le64_at(local->addr.bytes);
	w[1] = le64_at(local->addr.bytes + 8);
	w[2] = le64_at(remote->addr.bytes);
	w[3] = le64_at(remote->addr.bytes + 8);
	w[4] = tail;
	return 5;
}

/*
 * The keyed hash of a 4-tuple: SipHash-2-4 under the stack's secret, with a
 * domain byte so that what one use reveals (an ISN, a timestamp offset)
 * tells nothing about another (a hash bucket, a port offset).
 *
 * The message is the tuple packed into whole words, as short as the family
 * allows (an IPv4 tuple is two words, an IPv6 one five): the demux hashes
 * every datagram that misses its cache and every connection is hashed for
 * its ISN, timestamp offset and table slot, so each word saved is paid for
 * at a million connections a second. The family is in the message, so an
 * IPv4 tuple never hashes like an IPv6 one.
 */
static uint64_t hash_packed(const struct sf_stack *st, enum sf_prf_domain domain, uint64_t w[5], size_t n)
{
	w[n - 1] |= (uint64_t)domain << 32;
	return sf_siphash24_words(st->prf_k0, st->prf_k1, w, n);
}

uint64_t sf_tuple_prf_uncached(const struct sf_stack *st, enum sf_prf_domain domain, const struct sf_endpoint *local,
			       const struct sf_endpoint *remote)
{
	uint64_t w[5];
	size_t n = pack_tuple(local, remote, w);

	return hash_packed(st, domain, w, n);
}

uint64_t sf_tuple_prf_counted(const struct sf_stack *st, enum sf_prf_domain domain, const struct sf_endpoint *local,
			      const struct sf_endpoint *remote, uint64_t word)
{
	uint64_t w[6];
	size_t n = pack_tuple(local, remote, w);

	w[n - 1] |= (uint64_t)domain << 32; /* the domain with the tuple, the extra word after it */
	w[n] = word;
	return sf_siphash24_words(st->prf_k0, st->prf_k1, w, n + 1);
}

/* The memo's tuple against this one: two words for IPv4, five for IPv6,
 * compared as words (a library memcmp of a variable length costs more than
 * the compare on every datagram). */
static bool memo_holds(const struct sf_prf_memo *m, const uint64_t w[5], size_t n)
{
	uint64_t diff = m->nwords ^ n;
	for (size_t i = 0; i < n; i++)
		diff |= m->words[i] ^ w[i];
	return diff == 0;
}

uint64_t sf_tuple_prf(const struct sf_stack *st, enum sf_prf_domain domain, const struct sf_endpoint *local,
		      const struct sf_endpoint *remote)
{
	/* The ephemeral-port offset hashes (address, 0, remote): kept out of the
	 * memo, it would only evict the tuple the candidate port then makes. */
	if (domain == SF_PRF_EPHEMERAL)
		return sf_tuple_prf_uncached(st, domain, local, remote);

	struct sf_prf_memo *m = st->prf_memo;
	uint64_t w[5];
	size_t n = pack_tuple(local, remote, w);
	if (!memo_holds(m, w, n)) {
		for (size_t i = 0; i < n; i++)
			m->words[i] = w[i];
		m->nwords = (uint8_t)n;
		m->have = 0;
	}
	if (!(m->have & (1u << domain))) {
		m->value[domain] = hash_packed(st, domain, w, n);
		m->have |= (uint8_t)(1u << domain);
	}
	return m->value[domain];
}

