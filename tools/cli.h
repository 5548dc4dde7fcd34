/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The argument parser every `synfin` subcommand shares: getopt_long in order
 * (so `--opt value` and `--opt=value` both work), with the errors
 * ("synfin SUBCMD: ...", exit status 2) written once.
 */
#ifndef SYNFIN_TOOLS_CLI_H
#define SYNFIN_TOOLS_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

/* What cli_next() returns besides an option's val. */
enum {
	CLI_END = -1,   /* no more arguments */
	CLI_ERROR = -2, /* a usage error, already printed: exit 2 */
	CLI_ARG = 1,    /* a positional argument, in value */
};

/* Long-only options take vals from here on (not a short option's letter). */
#define CLI_LONG 256

struct cli {
	const char *cmd;              /* "demo", "serve", ...; NULL for the top level */
	const char *usage;            /* --help (-h) prints it on stdout and exits 0 */
	const char *shorts;           /* short options besides h, e.g. "V"; may be NULL */
	const struct option *options; /* must contain {"help", no_argument, NULL, 'h'} */
	int argc;
	char **argv;
	/* Set by cli_next(): the current option as the user should read it
	 * ("--seed"), or the positional's name (set by the caller), and its value. */
	const char *opt;
	const char *value;
	char optbuf[64];
};

/* Start parsing argv[1..argc). */
void cli_init(struct cli *c, const char *cmd, const char *usage, const char *shorts, const struct option *options,
	      int argc, char **argv);

/* The next option's val (value set if it takes one), CLI_ARG, CLI_END or
 * CLI_ERROR. After CLI_END, the arguments after a "--" are still to come:
 * cli_rest() gives them. --help prints the usage and exits 0. */
int cli_next(struct cli *c);
/* The arguments left after CLI_END (after "--"); *n their number. */
char **cli_rest(const struct cli *c, int *n);

/* "synfin CMD: MESSAGE" and a pointer to --help on stderr; returns 2. */
int cli_error(const struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "synfin CMD: OPT 'VALUE': MESSAGE" for the current option; returns 2. */
int cli_bad(const struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The current value as an unsigned decimal (or 0x hex) number in lo..hi;
 * 0, or 2 after the message. */
int cli_uint(const struct cli *c, uint64_t lo, uint64_t hi, uint64_t *out);
/* The same, for an int. */
int cli_int(const struct cli *c, int lo, int hi, int *out);
/* The current value as a real number in lo..hi. */
int cli_double(const struct cli *c, double lo, double hi, double *out);
/* The current value as one of names (NULL-terminated): its index in *out. */
int cli_choice(const struct cli *c, const char *const *names, int *out);

/* Whether a file can be written at path (it can be created, or exists and is
 * writable, and is not a directory): 0, or 2 after a message naming the
 * current option and value (and path, if another name). Nothing is created. */
int cli_check_output(const struct cli *c, const char *path);

#endif
