/* The synfin command. Subcommands grow with the project; see README.md. */
#include <stdio.h>
#include <string.h>

#include "synfin.h"

static int usage(FILE *out)
{
	fprintf(out, "usage: synfin demo [ARGS]\n");
	return out == stderr ? 2 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return usage(stdout);
	if (strcmp(argv[1], "demo") == 0) {
		printf("synfin: the demo arrives with the connection-management core\n");
		return 0;
	}
	return usage(stderr);
}
