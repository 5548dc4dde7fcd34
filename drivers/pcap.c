/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Classic pcap writer (not pcapng): a 24-byte global header followed by one
 * 16-byte record header plus the datagram per packet.
 *
 * Like libpcap, all header fields are written in the host's byte order; the
 * magic number tells readers which order that was. The nanosecond-resolution
 * magic makes the second timestamp field nanoseconds rather than microseconds,
 * so simulated (virtual) time survives exactly.
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

struct sf_pcap {
	FILE *stream;
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

static struct sf_pcap *pcap_start(FILE *stream, bool owned)
{
	uint8_t hdr[PCAP_FILE_HDR_LEN];
	struct sf_pcap *pcap;
	int err;

	pcap = calloc(1, sizeof(*pcap));
	if (!pcap) {
		errno = ENOMEM;
		return NULL;
	}
	pcap->stream = stream;
	pcap->owned = owned;

	put_u32(hdr + 0, PCAP_MAGIC_NSEC);
	put_u16(hdr + 4, PCAP_VERSION_MAJOR);
	put_u16(hdr + 6, PCAP_VERSION_MINOR);
	put_u32(hdr + 8, 0);	/* thiszone: timestamps are already UTC */
	put_u32(hdr + 12, 0);	/* sigfigs: always 0 in practice */
	put_u32(hdr + 16, PCAP_SNAPLEN);
	put_u32(hdr + 20, PCAP_LINKTYPE_RAW);

	/*
	 * Flush the header now so that an unwritable destination (full disk,
	 * closed pipe) is reported by open rather than by a later close.
	 */
	err = write_all(stream, hdr, sizeof(hdr));
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

	pcap = pcap_start(stream, true);
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
	if (!stream) {
		errno = EINVAL;
		return NULL;
	}
	return pcap_start(stream, false);
}

int sf_pcap_write(struct sf_pcap *pcap, uint64_t ts_ns, const void *dgram, size_t len)
{
	uint8_t hdr[PCAP_REC_HDR_LEN];
	uint64_t sec = ts_ns / NSEC_PER_SEC;
	int err;

	if (!pcap || (!dgram && len != 0))
		return -EINVAL;
	if (pcap->err)
		return pcap->err;
	/* Never truncate: a record longer than the snaplen could not be whole. */
	if (len > PCAP_SNAPLEN)
		return -EMSGSIZE;
	/* ts_sec is a 32-bit field; refuse rather than wrap (year 2106 and on). */
	if (sec > UINT32_MAX)
		return -ERANGE;

	put_u32(hdr + 0, (uint32_t)sec);
	put_u32(hdr + 4, (uint32_t)(ts_ns % NSEC_PER_SEC));
	put_u32(hdr + 8, (uint32_t)len);	/* incl_len */
	put_u32(hdr + 12, (uint32_t)len);	/* orig_len */

	err = write_all(pcap->stream, hdr, sizeof(hdr));
	if (!err)
		err = write_all(pcap->stream, dgram, len);
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
