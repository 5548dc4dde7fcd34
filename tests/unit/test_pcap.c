/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The pcap writer, checked by reading its output back byte by byte: global
 * header, each record header and payload, and the error paths. Self-contained
 * on purpose (no tshark here; the simulator tests cover interoperability).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcap.h"

#define FILE_HDR_LEN 24
#define REC_HDR_LEN 16
#define TEMPLATE "/tmp/synfin-test-pcap-XXXXXX"

/* Header fields are in host byte order, as libpcap writes them. */
static uint32_t get_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint16_t get_u16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Create an empty temporary file and return its descriptor; path is filled in. */
static int make_temp(char path[sizeof(TEMPLATE)])
{
	int fd;

	memcpy(path, TEMPLATE, sizeof(TEMPLATE));
	fd = mkstemp(path);
	assert_true(fd >= 0);
	return fd;
}

/* Read all of stream from its start into a malloc'd buffer. */
static uint8_t *slurp_stream(FILE *stream, size_t *len)
{
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0;
	int c;

	rewind(stream);
	while ((c = fgetc(stream)) != EOF) {
		if (n == cap) {
			cap = cap ? 2 * cap : 4096;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		buf[n++] = (uint8_t)c;
	}
	assert_false(ferror(stream));
	*len = n;
	return buf;
}

static uint8_t *slurp_path(const char *path, size_t *len)
{
	FILE *stream = fopen(path, "rb");
	uint8_t *buf;

	assert_non_null(stream);
	buf = slurp_stream(stream, len);
	assert_int_equal(fclose(stream), 0);
	return buf;
}

static void check_file_header(const uint8_t *p)
{
	assert_int_equal(get_u32(p + 0), 0xa1b23c4dU);	/* nanosecond magic */
	assert_int_equal(get_u16(p + 4), 2);		/* version major */
	assert_int_equal(get_u16(p + 6), 4);		/* version minor */
	assert_int_equal(get_u32(p + 8), 0);		/* thiszone */
	assert_int_equal(get_u32(p + 12), 0);		/* sigfigs */
	assert_int_equal(get_u32(p + 16), 65535);	/* snaplen */
	assert_int_equal(get_u32(p + 20), 101);		/* LINKTYPE_RAW */
}

/* Check one record at *off and advance past it. */
static void check_record(const uint8_t *buf, size_t buf_len, size_t *off,
			 uint32_t sec, uint32_t nsec, const uint8_t *payload, size_t len)
{
	const uint8_t *p = buf + *off;

	assert_true(*off + REC_HDR_LEN + len <= buf_len);
	assert_int_equal(get_u32(p + 0), sec);
	assert_int_equal(get_u32(p + 4), nsec);
	assert_int_equal(get_u32(p + 8), len);		/* incl_len */
	assert_int_equal(get_u32(p + 12), len);		/* orig_len */
	if (len)
		assert_memory_equal(p + REC_HDR_LEN, payload, len);
	*off += REC_HDR_LEN + len;
}

/* A recognisable, length-specific payload so records cannot be confused. */
static void fill_payload(uint8_t *p, size_t len, uint8_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

struct rec {
	uint64_t ts_ns;
	uint32_t sec, nsec;
	size_t len;
	uint8_t seed;
};

static const struct rec recs[] = {
	{ 0, 0, 0, 20, 0x45 },				/* bare IPv4 header */
	{ 123456789, 0, 123456789, 40, 0x60 },		/* bare IPv6 header */
	{ 1000000000, 1, 0, 1, 0x11 },			/* exactly one second */
	{ 3999999999, 3, 999999999, 1500, 0x22 },	/* last ns of a second */
	{ 1700000000123456789ULL, 1700000000, 123456789, 0, 0 },	/* empty */
	{ 4294967295999999999ULL, 4294967295U, 999999999, 65535, 0x33 },	/* maxima */
};

#define NRECS (sizeof(recs) / sizeof(recs[0]))

static void test_roundtrip(void **state)
{
	static uint8_t payload[65535];
	char path[sizeof(TEMPLATE)];
	struct sf_pcap *pcap;
	uint8_t *buf;
	size_t len, off, i;

	(void)state;
	close(make_temp(path));
	pcap = sf_pcap_open(path);
	assert_non_null(pcap);
	assert_int_equal(sf_pcap_count(pcap), 0);
	for (i = 0; i < NRECS; i++) {
		fill_payload(payload, recs[i].len, recs[i].seed);
		/* The empty record passes NULL, which len 0 allows. */
		assert_int_equal(sf_pcap_write(pcap, recs[i].ts_ns,
					       recs[i].len ? payload : NULL,
					       recs[i].len), 0);
		assert_int_equal(sf_pcap_count(pcap), i + 1);
	}
	assert_int_equal(sf_pcap_close(pcap), 0);

	buf = slurp_path(path, &len);
	assert_true(len >= FILE_HDR_LEN);
	check_file_header(buf);
	off = FILE_HDR_LEN;
	for (i = 0; i < NRECS; i++) {
		fill_payload(payload, recs[i].len, recs[i].seed);
		check_record(buf, len, &off, recs[i].sec, recs[i].nsec,
			     payload, recs[i].len);
	}
	/* Nothing after the last record. */
	assert_int_equal(off, len);
	free(buf);
	assert_int_equal(unlink(path), 0);
}

/* Opening an existing file truncates it: only our header remains. */
static void test_open_truncates(void **state)
{
	static const char junk[] = "not a pcap file, and longer than its header";
	char path[sizeof(TEMPLATE)];
	int fd = make_temp(path);
	struct sf_pcap *pcap;
	uint8_t *buf;
	size_t len;

	(void)state;
	assert_int_equal(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	close(fd);

	pcap = sf_pcap_open(path);
	assert_non_null(pcap);
	assert_int_equal(sf_pcap_close(pcap), 0);

	buf = slurp_path(path, &len);
	assert_int_equal(len, FILE_HDR_LEN);
	check_file_header(buf);
	free(buf);
	assert_int_equal(unlink(path), 0);
}

static void test_open_bad_path(void **state)
{
	(void)state;
	errno = 0;
	assert_null(sf_pcap_open("/nonexistent-synfin-dir/x/out.pcap"));
	assert_int_equal(errno, ENOENT);

	errno = 0;
	assert_null(sf_pcap_open(NULL));
	assert_int_equal(errno, EINVAL);

	errno = 0;
	assert_null(sf_pcap_open_stream(NULL));
	assert_int_equal(errno, EINVAL);
}

/*
 * Refused writes leave no trace: the count and the file are as if they never
 * happened, and the writer keeps working.
 */
static void test_write_rejects(void **state)
{
	static uint8_t big[65536];
	static const uint8_t small[3] = { 1, 2, 3 };
	char path[sizeof(TEMPLATE)];
	struct sf_pcap *pcap;
	uint8_t *buf;
	size_t len, off;

	(void)state;
	close(make_temp(path));
	pcap = sf_pcap_open(path);
	assert_non_null(pcap);

	assert_int_equal(sf_pcap_write(pcap, 0, big, sizeof(big)), -EMSGSIZE);
	assert_int_equal(sf_pcap_write(pcap, 0, NULL, 1), -EINVAL);
	assert_int_equal(sf_pcap_write(NULL, 0, small, sizeof(small)), -EINVAL);
	/* ts_sec is 32 bits: 2^32 s does not fit. */
	assert_int_equal(sf_pcap_write(pcap, 4294967296ULL * 1000000000ULL,
				       small, sizeof(small)), -ERANGE);
	assert_int_equal(sf_pcap_count(pcap), 0);

	assert_int_equal(sf_pcap_write(pcap, 5, small, sizeof(small)), 0);
	assert_int_equal(sf_pcap_count(pcap), 1);
	assert_int_equal(sf_pcap_close(pcap), 0);

	buf = slurp_path(path, &len);
	check_file_header(buf);
	off = FILE_HDR_LEN;
	check_record(buf, len, &off, 0, 5, small, sizeof(small));
	assert_int_equal(off, len);
	free(buf);
	assert_int_equal(unlink(path), 0);
}

static void test_close_null(void **state)
{
	(void)state;
	assert_int_equal(sf_pcap_close(NULL), 0);
	assert_int_equal(sf_pcap_count(NULL), 0);
}

/*
 * A caller's stream is written to but stays open after sf_pcap_close: under
 * ASan, using it afterwards would fault if it had been fclose'd.
 */
static void test_open_stream(void **state)
{
	static const uint8_t dgram[28] = { 0x45, 0x00, 0x00, 0x1c };
	static const char trailer[] = "still open";
	char path[sizeof(TEMPLATE)];
	struct sf_pcap *pcap;
	FILE *stream;
	uint8_t *buf;
	size_t len, off;
	int fd = make_temp(path);

	(void)state;
	stream = fdopen(fd, "w+b");
	assert_non_null(stream);

	pcap = sf_pcap_open_stream(stream);
	assert_non_null(pcap);
	assert_int_equal(sf_pcap_write(pcap, 2500000000ULL, dgram, sizeof(dgram)), 0);
	assert_int_equal(sf_pcap_count(pcap), 1);
	assert_int_equal(sf_pcap_close(pcap), 0);

	/* Still ours: append to it and read everything back through it. */
	assert_int_equal(fwrite(trailer, 1, sizeof(trailer), stream), sizeof(trailer));
	buf = slurp_stream(stream, &len);
	check_file_header(buf);
	off = FILE_HDR_LEN;
	check_record(buf, len, &off, 2, 500000000, dgram, sizeof(dgram));
	assert_int_equal(len - off, sizeof(trailer));
	assert_memory_equal(buf + off, trailer, sizeof(trailer));
	free(buf);

	assert_int_equal(fclose(stream), 0);
	assert_int_equal(unlink(path), 0);
}

/* pcapng: the Section Header Block, the Interface Description Block with
 * nanosecond resolution, and Enhanced Packet Blocks: data padded to 4
 * bytes, the comment as opt_comment, each block's length at both ends. */
static void test_pcapng_blocks_and_comments(void **state)
{
	static const uint8_t dgram[30] = { 0x45, 0x00, 0x00, 0x1e };
	static const char comment[] = "dropped: TCP_CHECKSUM";
	char longer[1100];
	FILE *stream = tmpfile();
	size_t len, off = 0;

	(void)state;
	assert_non_null(stream);
	memset(longer, 'x', sizeof longer - 1);
	longer[sizeof longer - 1] = 0;
	struct sf_pcap *pcap = sf_pcap_open_stream_format(stream, SF_PCAP_NG);
	assert_non_null(pcap);
	assert_int_equal(sf_pcap_format(pcap), SF_PCAP_NG);
	assert_int_equal(sf_pcap_write_comment(pcap, 0x123456789ULL, dgram, sizeof dgram, comment), 0);
	assert_int_equal(sf_pcap_write(pcap, 7, dgram, 4), 0);
	assert_int_equal(sf_pcap_write_comment(pcap, 8, dgram, 4, longer), 0);
	assert_int_equal(sf_pcap_count(pcap), 3);
	assert_int_equal(sf_pcap_close(pcap), 0);
	uint8_t *buf = slurp_stream(stream, &len);
	fclose(stream);

	/* SHB */
	assert_int_equal(get_u32(buf + 0), 0x0A0D0D0A);
	assert_int_equal(get_u32(buf + 4), 28);
	assert_int_equal(get_u32(buf + 8), 0x1A2B3C4D);
	assert_int_equal(get_u16(buf + 12), 1);
	assert_int_equal(get_u32(buf + 24), 28);
	off = 28;
	/* IDB: LINKTYPE_RAW, if_tsresol 9 */
	assert_int_equal(get_u32(buf + off), 1);
	assert_int_equal(get_u16(buf + off + 8), 101);
	assert_int_equal(get_u16(buf + off + 16), 9);
	assert_int_equal(get_u16(buf + off + 18), 1);
	assert_int_equal(buf[off + 20], 9);
	off += get_u32(buf + off + 4);
	/* EPB 1: 30 bytes padded to 32, then the 21-byte comment padded to 24 */
	const uint8_t *b = buf + off;
	uint32_t total = get_u32(b + 4);
	assert_int_equal(get_u32(b), 6);
	assert_int_equal(total, 28 + 32 + 4 + 24 + 4 + 4);
	assert_int_equal(get_u32(b + total - 4), total);
	assert_int_equal(get_u32(b + 12), 0x1);        /* timestamp, high word */
	assert_int_equal(get_u32(b + 16), 0x23456789); /* low word, nanoseconds */
	assert_int_equal(get_u32(b + 20), 30);
	assert_memory_equal(b + 28, dgram, 30);
	assert_int_equal(b[58] | b[59], 0);
	assert_int_equal(get_u16(b + 60), 1);
	assert_int_equal(get_u16(b + 62), strlen(comment));
	assert_memory_equal(b + 64, comment, strlen(comment));
	assert_int_equal(get_u32(b + 88), 0); /* opt_endofopt */
	off += total;
	/* EPB 2: no comment, no options */
	b = buf + off;
	assert_int_equal(get_u32(b + 4), 28 + 4 + 4);
	off += get_u32(b + 4);
	/* EPB 3: the comment cut at 1024 bytes */
	b = buf + off;
	assert_int_equal(get_u16(b + 28 + 4 + 2), 1024);
	off += get_u32(b + 4);
	assert_int_equal(off, len);
	free(buf);
}

/* Classic pcap has nowhere for a comment: the record is as without one. */
static void test_classic_ignores_comments(void **state)
{
	static const uint8_t dgram[20] = { 0x45 };
	FILE *a = tmpfile(), *b = tmpfile();
	size_t la, lb;

	(void)state;
	struct sf_pcap *pa = sf_pcap_open_stream(a), *pb = sf_pcap_open_stream_format(b, SF_PCAP_CLASSIC);
	assert_int_equal(sf_pcap_write(pa, 5, dgram, sizeof dgram), 0);
	assert_int_equal(sf_pcap_write_comment(pb, 5, dgram, sizeof dgram, "lost"), 0);
	sf_pcap_close(pa);
	sf_pcap_close(pb);
	uint8_t *ba = slurp_stream(a, &la), *bb = slurp_stream(b, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(ba, bb, la);
	free(ba);
	free(bb);
	fclose(a);
	fclose(b);
	assert_null(sf_pcap_open_stream_format(stdout, (enum sf_pcap_format)7));
	assert_int_equal(errno, EINVAL);
}

/* Two writers at once share nothing (no global state). */
static void test_independent_writers(void **state)
{
	static const uint8_t a[4] = { 0xaa, 0xaa, 0xaa, 0xaa };
	static const uint8_t b[6] = { 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb };
	char path_a[sizeof(TEMPLATE)], path_b[sizeof(TEMPLATE)];
	struct sf_pcap *pa, *pb;
	uint8_t *buf;
	size_t len, off;

	(void)state;
	close(make_temp(path_a));
	close(make_temp(path_b));
	pa = sf_pcap_open(path_a);
	pb = sf_pcap_open(path_b);
	assert_non_null(pa);
	assert_non_null(pb);

	assert_int_equal(sf_pcap_write(pa, 1, a, sizeof(a)), 0);
	assert_int_equal(sf_pcap_write(pb, 2, b, sizeof(b)), 0);
	assert_int_equal(sf_pcap_write(pa, 3, a, sizeof(a)), 0);
	assert_int_equal(sf_pcap_count(pa), 2);
	assert_int_equal(sf_pcap_count(pb), 1);
	assert_int_equal(sf_pcap_close(pa), 0);
	assert_int_equal(sf_pcap_close(pb), 0);

	buf = slurp_path(path_a, &len);
	off = FILE_HDR_LEN;
	check_record(buf, len, &off, 0, 1, a, sizeof(a));
	check_record(buf, len, &off, 0, 3, a, sizeof(a));
	assert_int_equal(off, len);
	free(buf);

	buf = slurp_path(path_b, &len);
	off = FILE_HDR_LEN;
	check_record(buf, len, &off, 0, 2, b, sizeof(b));
	assert_int_equal(off, len);
	free(buf);

	assert_int_equal(unlink(path_a), 0);
	assert_int_equal(unlink(path_b), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_open_truncates),
		cmocka_unit_test(test_open_bad_path),
		cmocka_unit_test(test_write_rejects),
		cmocka_unit_test(test_close_null),
		cmocka_unit_test(test_open_stream),
		cmocka_unit_test(test_independent_writers),
		cmocka_unit_test(test_pcapng_blocks_and_comments),
		cmocka_unit_test(test_classic_ignores_comments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
