/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A pcap file writer (LINKTYPE_RAW: each record is a bare IPv4 or IPv6
 * datagram) with nanosecond timestamps, readable by tshark and Wireshark.
 * A driver, not part of the core library: the simulator and the TUN driver tee
 * into it.
 */
#ifndef SYNFIN_PCAP_H
#define SYNFIN_PCAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct sf_pcap;

/** Create (truncate) path and write the file header. NULL with errno set on failure. */
struct sf_pcap *sf_pcap_open(const char *path);
/** Write to an already open stream (not closed by sf_pcap_close). NULL on failure. */
struct sf_pcap *sf_pcap_open_stream(FILE *stream);
/** Append one datagram captured at ts_ns (virtual or real nanoseconds). 0 or -errno. */
int sf_pcap_write(struct sf_pcap *pcap, uint64_t ts_ns, const void *dgram, size_t len);
/** Number of records written so far. */
uint64_t sf_pcap_count(const struct sf_pcap *pcap);
/** Flush, close (if sf_pcap_open opened it) and free. 0 or -errno. NULL is a no-op. */
int sf_pcap_close(struct sf_pcap *pcap);

#endif
