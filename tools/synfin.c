/*
 * The synfin command.
 *
 *   synfin demo [ID | all] [options]   the seed note's sections (SPEC 13.1-13.10)
 *                                      and RFC 9293's anomaly figures played on
 *                                      the simulated network and drawn as
 *                                      time-sequence diagrams (tools/demo/)
 *   synfin demo --list                 the scenarios
 */
#include <stdio.h>
#include <string.h>

#include "demo/demo.h"

static int usage(FILE *out)
{
	fprintf(out, "usage: synfin demo [ID | all] [options]   (synfin demo --help for the options)\n"
		     "       synfin demo --list\n");
	return out == stderr ? 2 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return usage(stdout);
	if (strcmp(argv[1], "demo") == 0)
		return demo_main(argc - 1, argv + 1);
	return usage(stderr);
}
