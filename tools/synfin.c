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

#include "cli.h"
#include "demo/demo.h"
#include "net/net.h"

static const char usage_text[] =
	"usage: synfin demo [ID | all] [options]   (synfin demo --help for the options)\n"
	"       synfin demo --list\n"
	"       synfin serve --tun NAME --addr A --port P [options] echo|discard|chargen|http\n"
	"       synfin connect --tun NAME --addr A [options] HOST PORT\n"
	"       synfin --version\n"
	"\n"
	"  demo     TCP scenarios on a simulated network, drawn as time-sequence diagrams\n"
	"  serve    a server on a synfin stack over a TUN device (docs/INTEROP.md)\n"
	"  connect  a client on a synfin stack over a TUN device (docs/INTEROP.md)\n"
	"  -h, --help     this text (synfin COMMAND --help: the command's options)\n"
	"  -V, --version  the version of the command and of the library\n";

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli p;
	const char *cmd = NULL;
	int val, nrest;

	cli_init(&p, NULL, usage_text, "V", options, argc, argv);
	while (!cmd && (val = cli_next(&p)) != CLI_END) {
		if (val == CLI_ERROR)
			return 2;
		if (val == 'V') {
			printf("synfin %s (library %s)\n", SYNFIN_VERSION, sf_version());
			return 0;
		}
		if (val == CLI_ARG)
			cmd = p.value;
	}
	/* the command and its arguments: argv[i..argc) */
	int i = optind - 1;
	if (!cmd) {
		char **rest = cli_rest(&p, &nrest);
		if (nrest == 0) {
			fputs(usage_text, stderr);
			return 2;
		}
		cmd = rest[0];
		i = (int)(rest - argv);
	}
	if (strcmp(cmd, "demo") == 0)
		return demo_main(argc - i, argv + i);
	if (strcmp(cmd, "serve") == 0)
		return net_serve_main(argc - i, argv + i);
	if (strcmp(cmd, "connect") == 0)
		return net_connect_main(argc - i, argv + i);
	return cli_error(&p, "unknown command '%s' (demo, serve or connect)", cmd);
}
