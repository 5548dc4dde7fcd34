/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Address helpers (parse, format, construct, unicast check) and drop-reason
 * names.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "synfin.h"
#include "wire/wire.h"

static struct sf_addr parse_ok(const char *text)
{
	struct sf_addr a;
	int rc;

	memset(&a, 0xaa, sizeof(a));
	rc = sf_addr_parse(text, &a);
	if (rc != 0)
		print_error("sf_addr_parse(\"%s\") = %d\n", text, rc);
	assert_int_equal(rc, 0);
	return a;
}

/* Parse text and format it back; expect the canonical form. */
static void check_canonical(const char *text, const char *want)
{
	struct sf_addr a = parse_ok(text);
	char buf[64];
	int n = sf_addr_format(&a, buf, sizeof(buf));

	assert_int_equal(n, (int)strlen(want));
	assert_string_equal(buf, want);
}

static void test_v4_parse_format(void **state)
{
	struct sf_addr a, want;
	char buf[16];

	(void)state;
	a = parse_ok("192.0.2.1");
	want = sf_addr_v4(192, 0, 2, 1);
	assert_int_equal(a.family, SF_AF_INET);
	/* Unused bytes are zero, so memcmp compares addresses. */
	assert_memory_equal(&a, &want, sizeof(a));
	check_canonical("192.0.2.1", "192.0.2.1");
	check_canonical("0.0.0.0", "0.0.0.0");
	check_canonical("255.255.255.255", "255.255.255.255");
	check_canonical("10.0.100.9", "10.0.100.9");
	/* The longest IPv4 form needs exactly 16 bytes. */
	assert_int_equal(sf_addr_format(&want, buf, sizeof(buf)), 9);
	want = sf_addr_v4(255, 255, 255, 255);
	assert_int_equal(sf_addr_format(&want, buf, 16), 15);
	assert_string_equal(buf, "255.255.255.255");
}

static void test_v4_constructor_zeroes(void **state)
{
	struct sf_addr a = sf_addr_v4(1, 2, 3, 4);
	size_t i;

	(void)state;
	assert_int_equal(a.family, SF_AF_INET);
	assert_int_equal(a.bytes[0], 1);
	assert_int_equal(a.bytes[3], 4);
	for (i = 4; i < 16; i++)
		assert_int_equal(a.bytes[i], 0);
}

static void test_v6_parse(void **state)
{
	static const uint8_t doc1[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	static const uint8_t full[16] = {0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8};
	static const uint8_t mapped[16] = {[10] = 0xff, 0xff, 192, 0, 2, 1};
	static const uint8_t zero[16];
	struct sf_addr a, want;

	(void)state;
	a = parse_ok("2001:db8::1");
	want = sf_addr_v6(doc1);
	assert_int_equal(a.family, SF_AF_INET6);
	assert_memory_equal(&a, &want, sizeof(a));
	a = parse_ok("2001:0DB8:0000:0000:0000:0000:0000:0001");
	assert_memory_equal(&a, &want, sizeof(a));
	a = parse_ok("1:2:3:4:5:6:7:8");
	assert_memory_equal(a.bytes, full, 16);
	a = parse_ok("::");
	assert_memory_equal(a.bytes, zero, 16);
	a = parse_ok("::ffff:192.0.2.1");
	assert_memory_equal(a.bytes, mapped, 16);
	a = parse_ok("0:0:0:0:0:ffff:192.0.2.1");
	assert_memory_equal(a.bytes, mapped, 16);
	/* "::" may stand for a single group (RFC 4291 §2.2). */
	a = parse_ok("1:2:3::5:6:7:8");
	assert_int_equal(a.bytes[7], 0);
	assert_int_equal(a.bytes[9], 5);
	a = parse_ok("1:2:3:4:5:6:1.2.3.4");
	assert_int_equal(a.bytes[11], 6);
	assert_int_equal(a.bytes[12], 1);
	assert_int_equal(a.bytes[15], 4);
}

/* RFC 5952 §4: the canonical text form. */
static void test_v6_canonical(void **state)
{
	(void)state;
	check_canonical("2001:DB8::1", "2001:db8::1");
	check_canonical("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1");
	check_canonical("::", "::");
	check_canonical("0:0:0:0:0:0:0:1", "::1");
	check_canonical("1:0:0:0:0:0:0:0", "1::");
	check_canonical("fe80:0:0:0:0:0:0:1", "fe80::1");
	/* §4.2.2: a single zero group is not compressed. */
	check_canonical("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1");
	check_canonical("2001:db8::1:1:1:1:1", "2001:db8:0:1:1:1:1:1");
	check_canonical("0:1:0:1:0:1:0:1", "0:1:0:1:0:1:0:1");
	/* §4.2.3: the longest run wins; on a tie the first one. */
	check_canonical("2001:0:0:1:0:0:0:1", "2001:0:0:1::1");
	check_canonical("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");
	check_canonical("0:0:1:0:0:1:0:0", "::1:0:0:1:0:0");
	check_canonical("1:0:0:1:0:0:0:0", "1:0:0:1::");
	/* §4.1: leading zeros dropped, lowercase. */
	check_canonical("ABCD:00EF:0A00:000A:FFFF:0:1:0010", "abcd:ef:a00:a:ffff:0:1:10");
	check_canonical("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
			"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	/* An embedded dotted quad outside ::ffff:0:0/96 is written in hex. */
	check_canonical("64:ff9b::192.0.2.33", "64:ff9b::c000:221");
	check_canonical("::1.2.3.4", "::102:304");
	/* §5: IPv4-mapped addresses are written in mixed notation. */
	check_canonical("::ffff:c000:201", "::ffff:192.0.2.1");
	check_canonical("::FFFF:0.0.0.0", "::ffff:0.0.0.0");
}

static void test_parse_rejects(void **state)
{
	static const char *const bad[] = {
		"", " ", "1", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.256", "01.2.3.4",
		"1.02.3.4", "1..2.3", ".1.2.3", "1.2.3.4.", " 1.2.3.4", "1.2.3.4 ",
		"a.b.c.d", "1.2.3.-4", "1.2.3.+4", "1234.1.1.1", "0x1.2.3.4", "1.2.3.4/24",
		":", ":::", "1:::2", "1::2::3", "::1::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
		"1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "1:2:3:4::5:6:7:8", "12345::", "1:",
		":1", "1:2:3:4:5:6:7:", ":1:2:3:4:5:6:7", "g::", "::g", "fe80::1%eth0",
		"[::1]", "::1.2.3", "::1.2.3.4:5", "::1.2.3.4.5", "1:2:3:4:5:6:7:1.2.3.4",
		"::ffff:01.2.3.4", "::ffff:1.2.3.256", "1.2.3.4::", "::ffff:1.2.3.4x",
		"1::2:", "2001:db8::1 ", "::-1", "1:2:3:4:5:6:7:8:",
	};
	struct sf_addr a, before;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc;

		memset(&a, 0x5a, sizeof(a));
		before = a;
		rc = sf_addr_parse(bad[i], &a);
		if (rc != -EINVAL)
			print_error("sf_addr_parse(\"%s\") = %d\n", bad[i], rc);
		assert_int_equal(rc, -EINVAL);
		/* A rejected parse leaves the output alone. */
		assert_memory_equal(&a, &before, sizeof(a));
	}
	assert_int_equal(sf_addr_parse(NULL, &a), -EINVAL);
	assert_int_equal(sf_addr_parse("1.2.3.4", NULL), -EINVAL);
}

static void test_format_nospc(void **state)
{
	struct sf_addr v4 = sf_addr_v4(192, 0, 2, 1);
	struct sf_addr v6 = parse_ok("2001:db8::1");
	struct sf_addr big = parse_ok("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	char buf[64];

	(void)state;
	/* "192.0.2.1" is 9 characters: it needs 10 bytes with the NUL. */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(sf_addr_format(&v4, buf, 9), -ENOSPC);
	assert_int_equal(buf[9], 'x');
	assert_int_equal(sf_addr_format(&v4, buf, 10), 9);
	assert_string_equal(buf, "192.0.2.1");
	assert_int_equal(sf_addr_format(&v4, buf, 0), -ENOSPC);
	assert_int_equal(sf_addr_format(&v4, NULL, 0), -ENOSPC);
	assert_int_equal(sf_addr_format(&v6, buf, 11), -ENOSPC);
	assert_int_equal(sf_addr_format(&v6, buf, 12), 11);
	assert_int_equal(sf_addr_format(&big, buf, 39), -ENOSPC);
	assert_int_equal(sf_addr_format(&big, buf, 40), 39);
	/* 46 bytes (INET6_ADDRSTRLEN) always suffice. */
	assert_int_equal(sf_addr_format(&big, buf, 46), 39);
}

static void test_format_bad_family(void **state)
{
	struct sf_addr a;
	char buf[64];

	(void)state;
	memset(&a, 0, sizeof(a));
	assert_int_equal(sf_addr_format(&a, buf, sizeof(buf)), -EINVAL);
	a.family = 5;
	assert_int_equal(sf_addr_format(&a, buf, sizeof(buf)), -EINVAL);
}

static void check_unicast(const char *text, bool want)
{
	struct sf_addr a = parse_ok(text);

	if (sf_addr_is_unicast(&a) != want)
		print_error("sf_addr_is_unicast(%s) != %d\n", text, want);
	assert_true(sf_addr_is_unicast(&a) == want);
}

static void test_is_unicast(void **state)
{
	struct sf_addr none;

	(void)state;
	check_unicast("192.0.2.1", true);
	check_unicast("127.0.0.1", true);
	check_unicast("10.1.2.3", true);
	check_unicast("172.16.0.1", true);
	check_unicast("192.168.1.1", true);
	check_unicast("1.0.0.0", true);
	check_unicast("223.255.255.255", true);
	check_unicast("0.0.0.0", false);
	check_unicast("0.1.2.3", false);
	check_unicast("0.255.255.255", false);
	check_unicast("224.0.0.1", false);
	check_unicast("239.255.255.255", false);
	check_unicast("240.0.0.1", false);
	check_unicast("255.255.255.254", false);
	check_unicast("255.255.255.255", false);
	check_unicast("2001:db8::1", true);
	check_unicast("::1", true);
	check_unicast("fe80::1", true);
	check_unicast("fd00::1", true);
	check_unicast("::1.2.3.4", true);
	check_unicast("::ffff:1:0:0", true);
	check_unicast("fe00::1", true);
	check_unicast("::", false);
	check_unicast("ff02::1", false);
	check_unicast("ff0e::1234", false);
	check_unicast("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false);
	check_unicast("::ffff:192.0.2.1", false);
	check_unicast("::ffff:0.0.0.0", false);
	memset(&none, 0, sizeof(none));
	assert_false(sf_addr_is_unicast(&none));
	none.bytes[0] = 10;
	assert_false(sf_addr_is_unicast(&none));
}

static void test_drop_reason_names(void **state)
{
	int i, j;

	(void)state;
	for (i = 0; i < SF_DROP__COUNT; i++) {
		const char *name = sf_drop_reason_name((enum sf_drop_reason)i);
		const char *text = sf_drop_reason_text((enum sf_drop_reason)i);

		assert_non_null(name);
		assert_non_null(text);
		assert_true(strlen(name) > 0);
		assert_true(strlen(text) > 0);
		assert_string_not_equal(name, "?");
		assert_string_not_equal(text, "?");
		for (j = 0; j < i; j++) {
			assert_string_not_equal(name, sf_drop_reason_name((enum sf_drop_reason)j));
			assert_string_not_equal(text, sf_drop_reason_text((enum sf_drop_reason)j));
		}
	}
	/* Names are the enum's own spelling without the prefix. */
	assert_string_equal(sf_drop_reason_name(SF_DROP_NONE), "NONE");
	assert_string_equal(sf_drop_reason_name(SF_DROP_TRUNCATED), "TRUNCATED");
	assert_string_equal(sf_drop_reason_name(SF_DROP_TCP_CHECKSUM), "TCP_CHECKSUM");
	assert_string_equal(sf_drop_reason_name(SF_DROP_TCP_OPT_TIMESTAMP), "TCP_OPT_TIMESTAMP");
	assert_string_equal(sf_drop_reason_text(SF_DROP_NONE), "not dropped");
	assert_string_equal(sf_drop_reason_text(SF_DROP_TCP_CHECKSUM), "TCP checksum is wrong");
}

static void test_drop_reason_out_of_range(void **state)
{
	(void)state;
	assert_string_equal(sf_drop_reason_name(SF_DROP__COUNT), "?");
	assert_string_equal(sf_drop_reason_text(SF_DROP__COUNT), "?");
	assert_string_equal(sf_drop_reason_name((enum sf_drop_reason)(SF_DROP__COUNT + 100)), "?");
	assert_string_equal(sf_drop_reason_name((enum sf_drop_reason)-1), "?");
	assert_string_equal(sf_drop_reason_text((enum sf_drop_reason)-1), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_parse_format),
		cmocka_unit_test(test_v4_constructor_zeroes),
		cmocka_unit_test(test_v6_parse),
		cmocka_unit_test(test_v6_canonical),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_format_nospc),
		cmocka_unit_test(test_format_bad_family),
		cmocka_unit_test(test_is_unicast),
		cmocka_unit_test(test_drop_reason_names),
		cmocka_unit_test(test_drop_reason_out_of_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
