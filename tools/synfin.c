/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The synfin command.
 *
 *   synfin demo [ID | all] [options]   TCP connection scenarios (handshake,
 *                                      TIME-WAIT, CLOSE-WAIT, ...) and RFC
 *                                      9293's anomaly figures played on the
 *                                      simulated network and drawn as
 *                                      time-sequence diagrams (tools/demo/)
 *   synfin demo --list                 the scenarios
 *   synfin serve --tun NAME --addr A --port P echo|discard|chargen|http
 *   synfin connect --tun NAME --addr A HOST PORT
 *                                      a synfin stack on a TUN device against
 *                                      real peers (tools/net/, docs/INTEROP.md)
 */
#include <stdio.h>
#include <string.h>

#include <synfin.h>

#include "demo/demo.h"
#include "net/net.h"

static int usage(FILE *out)
{
	fprintf(out, "usage: synfin demo [ID | all] [options]   (synfin demo --help for the options)\n"
		     "       synfin demo --list\n"
		     "       synfin serve --tun NAME --addr A --port P [options] echo|discard|chargen|http\n"
		     "       synfin connect --tun NAME --addr A [options] HOST PORT\n"
		     "       synfin --version\n");
	return out == stderr ? 2 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return usage(stdout);
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("synfin %s (library %s)\n", SYNFIN_VERSION, sf_version());
		return 0;
	}
	if (strcmp(argv[1], "demo") == 0)
		return demo_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "serve") == 0)
		return net_serve_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "connect") == 0)
		return net_connect_main(argc - 1, argv + 1);
	return usage(stderr);
}
