/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Address construction, parsing and formatting. The core depends on nothing
 * beyond libc's string.h and errno.h, so this carries its own small strict
 * parser instead of inet_pton.
 */
#include <errno.h>
#include <string.h>

#include "synfin.h"

struct sf_addr sf_addr_v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct sf_addr addr;

	/* Unused bytes must be zero so that addresses compare with memcmp. */
	memset(&addr, 0, sizeof(addr));
	addr.family = SF_AF_INET;
	addr.bytes[0] = a;
	addr.bytes[1] = b;
	addr.bytes[2] = c;
	addr.bytes[3] = d;
	return addr;
}

struct sf_addr sf_addr_v6(const uint8_t bytes[16])
{
	struct sf_addr addr;

	memset(&addr, 0, sizeof(addr));
	addr.family = SF_AF_INET6;
	memcpy(addr.bytes, bytes, 16);
	return addr;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * A dotted quad that must run to the end of the string: exactly four decimal
 * parts of 1-3 digits, each at most 255. A part with a leading zero ("010") is
 * refused because some parsers read it as octal (RFC 6943 §3.1.1).
 */
static int parse_v4(const char *s, uint8_t out[4])
{
	int part;

	for (part = 0; part < 4; part++) {
		unsigned int v = 0;
		int digits = 0;

		if (part > 0) {
			if (*s != '.')
				return -EINVAL;
			s++;
		}
		while (*s >= '0' && *s <= '9') {
			if (digits == 3 || (digits == 1 && v == 0))
				return -EINVAL;
			v = v * 10 + (unsigned int)(*s - '0');
			digits++;
			s++;
		}
		if (digits == 0 || v > 255)
			return -EINVAL;
		out[part] = (uint8_t)v;
	}
	return *s == '\0' ? 0 : -EINVAL;
}

/*
 * IPv6 text (RFC 4291 §2.2): eight groups of 1-4 hex digits, at most one "::"
 * standing for one or more zero groups, and optionally a dotted-quad tail
 * taking the place of the last two groups. No zone index, no brackets.
 */
static int parse_v6(const char *s, uint8_t out[16])
{
	uint8_t b[16];
	int n = 0;   /* groups parsed so far (a dotted-quad tail counts two) */
	int gap = -1; /* group index where "::" stands, or -1 */

	memset(b, 0, sizeof(b));
	if (s[0] == ':') {
		/* A leading colon is only allowed as part of "::". */
		if (s[1] != ':')
			return -EINVAL;
		gap = 0;
		s += 2;
		if (*s == '\0')
			goto done;
	}
	for (;;) {
		const char *start = s;
		unsigned int v = 0;
		int digits = 0;
		int h;

		while ((h = hex_value(*s)) >= 0) {
			if (digits == 4)
				return -EINVAL;
			v = (v << 4) | (unsigned int)h;
			digits++;
			s++;
		}
		if (*s == '.') {
			/* The embedded IPv4 tail ends the text (RFC 4291 §2.2 item 3). */
			if (n > 6 || parse_v4(start, b + 2 * n) != 0)
				return -EINVAL;
			n += 2;
			break;
		}
		if (digits == 0 || n == 8)
			return -EINVAL;
		b[2 * n] = (uint8_t)(v >> 8);
		b[2 * n + 1] = (uint8_t)v;
		n++;
		if (*s == '\0')
			break;
		if (*s != ':')
			return -EINVAL;
		s++;
		if (*s == ':') {
			if (gap >= 0)
				return -EINVAL;
			gap = n;
			s++;
			if (*s == '\0')
				break;
		}
		/* A single trailing ':' fails on the next round: no digits. */
	}
done:
	if (gap < 0) {
		if (n != 8)
			return -EINVAL;
	} else {
		/* "::" must stand for at least one group. */
		if (n > 7)
			return -EINVAL;
		/* Slide the groups after the gap to the end; zero the gap. */
		memmove(b + 16 - 2 * (n - gap), b + 2 * gap, (size_t)(2 * (n - gap)));
		memset(b + 2 * gap, 0, (size_t)(16 - 2 * n));
	}
	memcpy(out, b, 16);
	return 0;
}

int sf_addr_parse(const char *text, struct sf_addr *out)
{
	uint8_t b[16];

	if (!text || !out)
		return -EINVAL;
	/* Any colon means IPv6; a bare dotted quad means IPv4. */
	if (strchr(text, ':')) {
		if (parse_v6(text, b) != 0)
			return -EINVAL;
		*out = sf_addr_v6(b);
	} else {
		if (parse_v4(text, b) != 0)
			return -EINVAL;
		*out = sf_addr_v4(b[0], b[1], b[2], b[3]);
	}
	return 0;
}

/* Append the decimal form of v (0-255) at p; return the new end. */
static char *put_dec(char *p, unsigned int v)
{
	if (v >= 100)
		*p++ = (char)('0' + v / 100);
	if (v >= 10)
		*p++ = (char)('0' + v / 10 % 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

static char *put_v4(char *p, const uint8_t b[4])
{
	int i;

	for (i = 0; i < 4; i++) {
		if (i > 0)
			*p++ = '.';
		p = put_dec(p, b[i]);
	}
	return p;
}

/* Lowercase hex without leading zeros (RFC 5952 §4.1, §4.3). */
static char *put_hex16(char *p, unsigned int v)
{
	static const char digits[] = "0123456789abcdef";
	int shift;
	int started = 0;

	for (shift = 12; shift >= 0; shift -= 4) {
		unsigned int d = (v >> shift) & 0xfu;

		if (d || started || shift == 0) {
			*p++ = digits[d];
			started = 1;
		}
	}
	return p;
}

static char *put_v6(char *p, const uint8_t b[16])
{
	static const uint8_t mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	unsigned int g[8];
	int best = -1, best_len = 0;
	int i;

	/*
	 * RFC 5952 §5: an IPv4-mapped address is known to carry an IPv4
	 * address, so it is written in mixed notation (::ffff:192.0.2.1).
	 */
	if (memcmp(b, mapped_prefix, sizeof(mapped_prefix)) == 0) {
		memcpy(p, "::ffff:", 7);
		return put_v4(p + 7, b + 12);
	}
	for (i = 0; i < 8; i++)
		g[i] = ((unsigned int)b[2 * i] << 8) | b[2 * i + 1];
	/*
	 * RFC 5952 §4.2: "::" replaces the longest run of zero groups, only if
	 * it is at least two groups long, and the first such run on a tie.
	 */
	for (i = 0; i < 8;) {
		int j = i;

		while (j < 8 && g[j] == 0)
			j++;
		if (j - i > best_len) {
			best = i;
			best_len = j - i;
		}
		i = j > i ? j : i + 1;
	}
	if (best_len < 2) {
		best = -1;
		best_len = 0;
	}
	for (i = 0; i < 8; i++) {
		if (i == best) {
			*p++ = ':';
			*p++ = ':';
			i += best_len - 1;
			continue;
		}
		/* No separator right after "::" or before the first group. */
		if (i > 0 && i != best + best_len)
			*p++ = ':';
		p = put_hex16(p, g[i]);
	}
	return p;
}

int sf_addr_format(const struct sf_addr *addr, char *buf, size_t cap)
{
	char tmp[48]; /* the longest form is 39 characters */
	size_t len;
	char *end;

	if (!addr || (!buf && cap))
		return -EINVAL;
	if (addr->family == SF_AF_INET)
		end = put_v4(tmp, addr->bytes);
	else if (addr->family == SF_AF_INET6)
		end = put_v6(tmp, addr->bytes);
	else
		return -EINVAL;
	len = (size_t)(end - tmp);
	if (len + 1 > cap) {
		if (cap)
			buf[0] = '\0';
		return -ENOSPC;
	}
	memcpy(buf, tmp, len);
	buf[len] = '\0';
	return (int)len;
}
