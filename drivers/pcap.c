/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pcap and pcapng writers (see pcap.h).
 *
 * Classic pcap: a 24-byte global header followed by one 16-byte record
 * header plus the datagram per packet. pcapng (the IETF draft
 * draft-ietf-opsawg-pcapng): a Section Header Block, one Interface
 * Description Block with if_tsresol 9 (nanoseconds), then an Enhanced
 * Packet Block per packet, which may carry an opt_comment.
 *
 * Like libpcap, all fields are written in the host's byte order; the magic
 * number (the byte-order magic in pcapng) tells readers which order that
 * was. Nanosecond timestamps keep simulated (virtual) time exact.
 */
#include "pcap.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define PCAP_MAGIC_NSEC 0xa1b23c4dU
#define PCAP_VERSION_MAJOR 2
#define PCAP_VERSION_MINOR 4
#define PCAP_SNAPLEN 65535U
#define PCAP_LINKTYPE_RAW 101U

#define PCAP_FILE_HDR_LEN 24
#define PCAP_REC_HDR_LEN 16

#define NSEC_PER_SEC UINT64_C(1000000000)

#define PCAPNG_SHB 0x0A0D0D0AU
#define PCAPNG_IDB 0x00000001U
#define PCAPNG_EPB 0x00000006U
#define PCAPNG_BYTE_ORDER_MAGIC 0x1A2B3C4DU
#define PCAPNG_OPT_END 0
#define PCAPNG_OPT_COMMENT 1
#define PCAPNG_IF_TSRESOL 9
/* A comment longer than this is cut (an option's length is 16 bits). */
#define PCAPNG_COMMENT_MAX 1024

struct sf_pcap {
	FILE *stream;
	enum sf_pcap_format format;
	/* Whether we opened stream, and so must fclose it. */
	bool owned;
	/*
	 * First write error, as a negative errno. Once a write has failed part
	 * way the file is no longer a sequence of whole records, so later
	 * writes are refused rather than appended after a torn one.
	 */
	int err;
	uint64_t count;
};

/* Host-order stores through memcpy: no alignment or aliasing assumptions. */
static void put_u16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void put_u32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

/*
 * fwrite() that turns a short write into a negative errno. POSIX has stdio
 * set errno on a failed write; C alone does not, hence the EIO fallback.
 */
static int write_all(FILE *stream, const void *buf, size_t len)
{
	if (len == 0)
		return 0;
	errno = 0;
	if (fwrite(buf, 1, len, stream) != len)
		return errno ? -errno : -EIO;
	return 0;
}

static int flush_stream(FILE *stream)
{
	errno = 0;
	if (fflush(stream) != 0)
		return errno ? -errno : -EIO;
	return 0;
}

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* The pcapng Section Header Block and the one Interface Description Block. */
static size_t pcapng_header(uint8_t *p)
{
	/* SHB: type, length, byte-order magic, version 1.0, section length unknown (-1), no options. */
	put_u32(p + 0, PCAPNG_SHB);
	put_u32(p + 4, 28);
	put_u32(p + 8, PCAPNG_BYTE_ORDER_MAGIC);
	put_u16(p + 12, 1);
	put_u16(p + 14, 0);
	memset(p + 16, 0xff, 8);
	put_u32(p + 24, 28);
	/* IDB: link type, snaplen, if_tsresol = 9 (10^-9 s), end of options. */
	uint8_t *q = p + 28;
	put_u32(q + 0, PCAPNG_IDB);
	put_u32(q + 4, 32);
	put_u16(q + 8, PCAP_LINKTYPE_RAW);
	put_u16(q + 10, 0);
	put_u32(q + 12, PCAP_SNAPLEN);
	put_u16(q + 16, PCAPNG_IF_TSRESOL);
	put_u16(q + 18, 1);
	q[20] = 9;
	memset(q + 21, 0, 3);
	put_u16(q + 24, PCAPNG_OPT_END);
	put_u16(q + 26, 0);
	put_u32(q + 28, 32);
	return 28 + 32;
}

static struct sf_pcap *pcap_start(FILE *stream, bool owned, enum sf_pcap_format format)
{
	uint8_t hdr[64];
	size_t hlen = PCAP_FILE_HDR_LEN;
	struct sf_pcap *pcap;
	int err;

	if (format != SF_PCAP_CLASSIC && format != SF_PCAP_NG) {
		errno = EINVAL;
		return NULL;
	}
	pcap = calloc(1, sizeof(*pcap));
	if (!pcap) {
		errno = ENOMEM;
		return NULL;
	}
	pcap->stream = stream;
	pcap->owned = owned;
	pcap->format = format;

	if (format == SF_PCAP_NG) {
		hlen = pcapng_header(hdr);
	} else {
		put_u32(hdr + 0, PCAP_MAGIC_NSEC);
		put_u16(hdr + 4, PCAP_VERSION_MAJOR);
		put_u16(hdr + 6, PCAP_VERSION_MINOR);
		put_u32(hdr + 8, 0);	/* thiszone: timestamps are already UTC */
		put_u32(hdr + 12, 0);	/* sigfigs: always 0 in practice */
		put_u32(hdr + 16, PCAP_SNAPLEN);
		put_u32(hdr + 20, PCAP_LINKTYPE_RAW);
	}

	/*
	 * Flush the header now so that an unwritable destination (full disk,
	 * closed pipe) is reported by open rather than by a later close.
	 */
	err = write_all(stream, hdr, hlen);
	if (!err)
		err = flush_stream(stream);
	if (err) {
		free(pcap);
		errno = -err;
		return NULL;
	}
	return pcap;
}

struct sf_pcap *sf_pcap_open(const char *path)
{
	return sf_pcap_open_format(path, SF_PCAP_CLASSIC);
}

struct sf_pcap *sf_pcap_open_format(const char *path, enum sf_pcap_format format)
{
	struct sf_pcap *pcap;
	FILE *stream;
	int saved;

	if (!path) {
		errno = EINVAL;
		return NULL;
	}
	/* fopen sets errno (POSIX) on failure; pass it through unchanged. */
	stream = fopen(path, "wb");
	if (!stream)
		return NULL;

	pcap = pcap_start(stream, true, format);
	if (!pcap) {
		/* Report why the header failed, not what fclose says after. */
		saved = errno;
		fclose(stream);
		errno = saved;
		return NULL;
	}
	return pcap;
}

struct sf_pcap *sf_pcap_open_stream(FILE *stream)
{
	return sf_pcap_open_stream_format(stream, SF_PCAP_CLASSIC);
}

struct sf_pcap *sf_pcap_open_stream_format(FILE *stream, enum sf_pcap_format format)
{
	if (!stream) {
		errno = EINVAL;
		return NULL;
	}
	return pcap_start(stream, false, format);
}

enum sf_pcap_format sf_pcap_format(const struct sf_pcap *pcap)
{
	return pcap ? pcap->format : SF_PCAP_CLASSIC;
}

int sf_pcap_write(struct sf_pcap *pcap, uint64_t ts_ns, const void *dgram, size_t len)
{
	return sf_pcap_write_comment(pcap, ts_ns, dgram, len, NULL);
}

static int classic_record(struct sf_pcap *pcap, uint64_t ts_ns, const void *dgram, size_t len)
{
	uint8_t hdr[PCAP_REC_HDR_LEN];
	uint64_t sec = ts_ns / NSEC_PER_SEC;

	/* ts_sec is a 32-bit field; refuse rather than wrap (year 2106 and on). */
	if (sec > UINT32_MAX)
		return -ERANGE;
	put_u32(hdr + 0, (uint32_t)sec);
	put_u32(hdr + 4, (uint32_t)(ts_ns % NSEC_PER_SEC));
	put_u32(hdr + 8, (uint32_t)len);	/* incl_len */
	put_u32(hdr + 12, (uint32_t)len);	/* orig_len */
	int err = write_all(pcap->stream, hdr, sizeof(hdr));
	return err ? err : write_all(pcap->stream, dgram, len);
}

/* An Enhanced Packet Block: the datagram padded to 4 bytes, then the comment option if any. */
static int pcapng_record(struct sf_pcap *pcap, uint64_t ts_ns, const void *dgram, size_t len, const char *comment)
{
	static const uint8_t zeros[4];
	size_t clen = comment ? strlen(comment) : 0;
	if (clen > PCAPNG_COMMENT_MAX)
		clen = PCAPNG_COMMENT_MAX;
	size_t opts = clen ? 4 + pad4(clen) + 4 : 0;
	size_t total = 28 + pad4(len) + opts + 4;
	uint8_t hdr[28], opt[4], tail[4];

	put_u32(hdr + 0, PCAPNG_EPB);
	put_u32(hdr + 4, (uint32_t)total);
	put_u32(hdr + 8, 0); /* the interface: the one IDB */
	put_u32(hdr + 12, (uint32_t)(ts_ns >> 32));
	put_u32(hdr + 16, (uint32_t)ts_ns);
	put_u32(hdr + 20, (uint32_t)len);
	put_u32(hdr + 24, (uint32_t)len);
	int err = write_all(pcap->stream, hdr, sizeof hdr);
	if (!err)
		err = write_all(pcap->stream, dgram, len);
	if (!err)
		err = write_all(pcap->stream, zeros, pad4(len) - len);
	if (!err && clen) {
		put_u16(opt + 0, PCAPNG_OPT_COMMENT);
		put_u16(opt + 2, (uint16_t)clen);
		err = write_all(pcap->stream, opt, sizeof opt);
		if (!err)
			err = write_all(pcap->stream, comment, clen);
		if (!err)
			err = write_all(pcap->stream, zeros, pad4(clen) - clen);
		put_u32(opt, 0); /* opt_endofopt */
		if (!err)
			err = write_all(pcap->stream, opt, sizeof opt);
	}
	put_u32(tail, (uint32_t)total);
	if (!err)
		err = write_all(pcap->stream, tail, sizeof tail);
	return err;
}

int sf_pcap_write_comment(struct sf_pcap *pcap, uint64_t ts_ns, const void *dgram, size_t len, const char *comment)
{
	int err;

	if (!pcap || (!dgram && len != 0))
		return -EINVAL;
	if (pcap->err)
		return pcap->err;
	/* Never truncate: a record longer than the snaplen could not be whole. */
	if (len > PCAP_SNAPLEN)
		return -EMSGSIZE;
	if (pcap->format == SF_PCAP_NG)
		err = pcapng_record(pcap, ts_ns, dgram, len, comment);
	else
		err = classic_record(pcap, ts_ns, dgram, len);
	if (err == -ERANGE)
		return err; /* nothing written */
	if (err) {
		pcap->err = err;
		return err;
	}
	pcap->count++;
	return 0;
}

uint64_t sf_pcap_count(const struct sf_pcap *pcap)
{
	return pcap ? pcap->count : 0;
}

int sf_pcap_close(struct sf_pcap *pcap)
{
	int err;

	if (!pcap)
		return 0;

	/* Report the first thing that went wrong, as that is the cause. */
	err = flush_stream(pcap->stream);
	if (pcap->owned) {
		errno = 0;
		if (fclose(pcap->stream) != 0 && !err)
			err = errno ? -errno : -EIO;
	}
	if (pcap->err)
		err = pcap->err;
	free(pcap);
	return err;
}
