/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * \file
 * A capture file writer, readable by tshark and Wireshark: classic pcap or
 * pcapng, link type RAW (each record is a bare IPv4 or IPv6 datagram), with
 * nanosecond timestamps. In pcapng a packet may carry a comment, which
 * Wireshark shows beside it ("lost", "dropped: TCP_CHECKSUM"); classic pcap
 * has nowhere to put one and leaves it out.
 *
 * A driver library (libsynfin-pcap, <synfin/pcap.h>), not part of the core:
 * the simulator and the TUN driver tee into it. It needs nothing but C's
 * stdio.
 */
#ifndef SYNFIN_PCAP_H
#define SYNFIN_PCAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct sf_pcap;

/** The file formats. */
enum sf_pcap_format {
	SF_PCAP_CLASSIC = 0, /**< libpcap's format, nanosecond magic */
	SF_PCAP_NG = 1,      /**< pcapng: per-packet comments */
};

/** Create (truncate) path as classic pcap and write the file header. NULL with errno set on failure. */
struct sf_pcap *sf_pcap_open(const char *path);
/** The same in a chosen format. NULL with errno set (EINVAL for an unknown format). */
struct sf_pcap *sf_pcap_open_format(const char *path, enum sf_pcap_format format);
/** Write classic pcap to an already open stream (not closed by sf_pcap_close). NULL on failure. */
struct sf_pcap *sf_pcap_open_stream(FILE *stream);
/** The same in a chosen format. */
struct sf_pcap *sf_pcap_open_stream_format(FILE *stream, enum sf_pcap_format format);
/** The format the file is written in. */
enum sf_pcap_format sf_pcap_format(const struct sf_pcap *pcap);
/** Append one datagram captured at ts_ns (virtual or real nanoseconds). 0 or -errno. */
int sf_pcap_write(struct sf_pcap *pcap, uint64_t ts_ns, const void *dgram, size_t len);
/**
 * The same with a comment (NULL: none; cut at 1024 bytes), kept in pcapng
 * and left out in classic pcap. 0 or -errno: -EINVAL, -EMSGSIZE (over
 * 65535 bytes), -ERANGE (a classic timestamp past 2106), or the write's
 * error, after which every write fails (the file ends at its last whole
 * record).
 */
int sf_pcap_write_comment(struct sf_pcap *pcap, uint64_t ts_ns, const void *dgram, size_t len, const char *comment);
/** Number of records written so far. */
uint64_t sf_pcap_count(const struct sf_pcap *pcap);
/** Flush, close (if sf_pcap_open opened it) and free. 0 or -errno. NULL is a no-op. */
int sf_pcap_close(struct sf_pcap *pcap);

#ifdef __cplusplus
}
#endif
#endif
