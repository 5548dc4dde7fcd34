/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the datagram parser. Any bytes must either be rejected
 * with a named reason or parse into a segment that builds back into a
 * datagram which parses to the same fields (the parser and builder agree).
 * A fragment is parsed as reassembly parses it, and what it gives must lie
 * inside the datagram and keep the fragment rules.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sf_segment seg, again;
	uint8_t *copy = malloc(size ? size : 1); /* an exact-size buffer: ASan sees any overread */
	static uint8_t out[65536 + SF_MAX_HEADERS_LEN];

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	enum sf_drop_reason r = sf_wire_parse(copy, size, &seg);
	if (r >= SF_DROP__COUNT)
		abort();
	if (r == SF_DROP_NOT_TCP) {
		/* ICMP errors are parsed from the same bytes, the quote included. */
		struct sf_icmp_error e;
		if (sf_wire_parse_icmp(copy, size, &e) >= SF_DROP__COUNT)
			abort();
	}
	if (r == SF_DROP_IPV4_FRAGMENT || r == SF_DROP_IPV6_FRAGMENT) {
		/* What reassembly takes from a fragment lies inside it. */
		struct sf_ip_fragment f;
		enum sf_drop_reason fr = sf_wire_parse_fragment(copy, size, &f);
		if (fr >= SF_DROP__COUNT)
			abort();
		if (fr == SF_DROP_NONE && (f.payload_off + f.payload_len != size || f.unfrag_len > f.payload_off ||
					   f.nh_at >= f.payload_off || f.offset + f.payload_len > 65535 ||
					   (f.more && f.payload_len % 8 != 0) || (f.offset == 0 && !f.more)))
			abort();
	}
	if (r == SF_DROP_NONE) {
		/* Unknown options are not rebuilt, so compare what the builder writes. */
		size_t n = sf_wire_build(out, sizeof out, &seg, NULL, 0);
		if (n == 0 && sf_wire_options_len(&seg.opt) <= SF_TCP_MAX_OPTIONS_LEN)
			abort();
		if (n) {
			if (sf_wire_parse(out, n, &again) != SF_DROP_NONE)
				abort();
			if (again.seq != seg.seq || again.ack != seg.ack || again.flags != seg.flags ||
			    again.window != seg.window || again.payload_len != seg.payload_len ||
			    again.sport != seg.sport || again.dport != seg.dport ||
			    memcmp(&again.src, &seg.src, sizeof seg.src) != 0 ||
			    memcmp(again.payload, seg.payload, seg.payload_len) != 0)
				abort();
		}
	}
	free(copy);
	return 0;
}
