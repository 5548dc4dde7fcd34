/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The shared argument parser of the `synfin` subcommands (cli.h).
 */
#define _GNU_SOURCE
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void cli_init(struct cli *c, const char *cmd, const char *usage, const char *shorts, const struct option *options,
	      int argc, char **argv)
{
	memset(c, 0, sizeof *c);
	c->cmd = cmd;
	c->usage = usage;
	c->shorts = shorts ? shorts : "";
	c->options = options;
	c->argc = argc;
	c->argv = argv;
	optind = 0; /* glibc: start afresh (another argv may have been parsed before) */
	opterr = 0; /* the messages are ours */
}

static void vmessage(const struct cli *c, const char *fmt, va_list ap)
{
	fprintf(stderr, "synfin%s%s: ", c->cmd ? " " : "", c->cmd ? c->cmd : "");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n(synfin%s%s --help lists the options)\n", c->cmd ? " " : "", c->cmd ? c->cmd : "");
}

int cli_error(const struct cli *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmessage(c, fmt, ap);
	va_end(ap);
	return 2;
}

int cli_bad(const struct cli *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return cli_error(c, "%s '%s': %s", c->opt ? c->opt : "argument", c->value ? c->value : "", msg);
}

/* The long option whose val is val, or NULL. */
static const struct option *by_val(const struct cli *c, int val)
{
	for (const struct option *o = c->options; o->name; o++)
		if (o->val == val && !o->flag)
			return o;
	return NULL;
}

/* "--name" (or "-x") of the option val, for messages. */
static const char *name_of(struct cli *c, int val)
{
	const struct option *o = by_val(c, val);
	if (o)
		snprintf(c->optbuf, sizeof c->optbuf, "--%s", o->name);
	else
		snprintf(c->optbuf, sizeof c->optbuf, "-%c", val);
	return c->optbuf;
}

int cli_next(struct cli *c)
{
	char shorts[32];
	/* "-": positionals come back in order (as 1); ":": a missing value is ':' */
	snprintf(shorts, sizeof shorts, "-:h%s", c->shorts);
	int longindex = -1;
	int val = getopt_long(c->argc, c->argv, shorts, c->options, &longindex);

	c->opt = NULL;
	c->value = optarg;
	if (val == -1)
		return CLI_END;
	if (val == 1)
		return CLI_ARG;
	if (val == ':')
		return cli_error(c, "option '%s' needs a value", name_of(c, optopt)), CLI_ERROR;
	if (val == '?') {
		const char *arg = optind > 0 && optind <= c->argc ? c->argv[optind - 1] : "?";
		if (optopt == 0) {
			/* an unknown long option, or an ambiguous abbreviation */
			size_t n = strcspn(arg, "=");
			char list[256] = "";
			size_t len = 0;
			for (const struct option *o = c->options; o->name && n > 2; o++) {
				if (strncmp(o->name, arg + 2, n - 2))
					continue;
				int k = snprintf(list + len, sizeof list - len, "%s--%s", len ? ", " : "", o->name);
				if (k > 0 && (size_t)k < sizeof list - len)
					len += (size_t)k;
			}
			if (len && !strncmp(arg, "--", 2))
				return cli_error(c, "ambiguous option '%.*s' (%s)", (int)n, arg, list), CLI_ERROR;
			return cli_error(c, "unknown option '%.*s'", (int)n, arg), CLI_ERROR;
		}
		if (optopt >= CLI_LONG || (by_val(c, optopt) && !strncmp(arg, "--", 2)))
			return cli_error(c, "option '%s' takes no value (in '%s')", name_of(c, optopt), arg), CLI_ERROR;
		return cli_error(c, "unknown option '-%c'", optopt), CLI_ERROR;
	}
	if (val == 'h') {
		fputs(c->usage, stdout);
		exit(ferror(stdout) || fflush(stdout) ? 1 : 0);
	}
	if (longindex >= 0)
		snprintf(c->optbuf, sizeof c->optbuf, "--%s", c->options[longindex].name);
	else
		snprintf(c->optbuf, sizeof c->optbuf, "-%c", val);
	c->opt = c->optbuf;
	if (longindex >= 0 && c->options[longindex].has_arg == required_argument) {
		/* "--pcap --check": the next option is no value; "--pcap=": nor is nothing */
		bool separate = optind >= 2 && optarg == c->argv[optind - 1];
		if (!optarg || !*optarg || (separate && !strncmp(optarg, "--", 2) && optarg[2])) {
			if (separate && optarg && *optarg)
				return cli_error(c, "option '%s' needs a value (got the option '%s')", c->opt, optarg),
				       CLI_ERROR;
			return cli_error(c, "option '%s' needs a value", c->opt), CLI_ERROR;
		}
	}
	return val;
}

char **cli_rest(const struct cli *c, int *n)
{
	int i = optind < 1 ? 1 : optind;
	*n = i < c->argc ? c->argc - i : 0;
	return c->argv + i;
}

int cli_uint(const struct cli *c, uint64_t lo, uint64_t hi, uint64_t *out)
{
	const char *s = c->value ? c->value : "";
	int base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s[2])
		base = 16, s += 2;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, base);
	if (!(base == 10 ? s[0] >= '0' && s[0] <= '9' : isxdigit((unsigned char)s[0])) || *end)
		return cli_bad(c, "not a number");
	if (errno == ERANGE || v < lo || v > hi)
		return cli_bad(c, "out of range (%llu..%llu)", (unsigned long long)lo, (unsigned long long)hi);
	*out = v;
	return 0;
}

int cli_int(const struct cli *c, int lo, int hi, int *out)
{
	uint64_t v; /* lo >= 0: no option takes a negative number */
	int rc = cli_uint(c, (uint64_t)lo, (uint64_t)hi, &v);
	if (rc == 0)
		*out = (int)v;
	return rc;
}

int cli_double(const struct cli *c, double lo, double hi, double *out)
{
	const char *s = c->value ? c->value : "";
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || !(s[0] == '.' || s[0] == '+' || s[0] == '-' || (s[0] >= '0' && s[0] <= '9')) ||
	    isnan(v))
		return cli_bad(c, "not a number");
	if (!(v >= lo && v <= hi))
		return cli_bad(c, "out of range (%g..%g)", lo, hi);
	*out = v;
	return 0;
}

int cli_choice(const struct cli *c, const char *const *names, int *out)
{
	char list[256] = "";
	size_t len = 0;
	for (int i = 0; names[i]; i++) {
		if (c->value && !strcmp(c->value, names[i])) {
			*out = i;
			return 0;
		}
		int n = snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", names[i]);
		if (n > 0 && (size_t)n < sizeof list - len)
			len += (size_t)n;
	}
	return cli_bad(c, "not one of %s", list);
}

/* The message for cli_check_output(): the option's value, and the file
 * made of it when that is another name (a scenario's of `all`). */
static int bad_output(const struct cli *c, const char *path, const char *why, const char *detail)
{
	if (c->value && strcmp(c->value, path))
		return cli_bad(c, "%s %s%s", path, why, detail);
	return cli_bad(c, "%s%s", why, detail);
}

int cli_check_output(const struct cli *c, const char *path)
{
	struct stat st;
	char detail[4200];
	if (!path || !*path)
		return cli_bad(c, "no file name");
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return bad_output(c, path, "is a directory, not a file", "");
		if (access(path, W_OK) != 0) {
			snprintf(detail, sizeof detail, ": %s", strerror(errno));
			return bad_output(c, path, "cannot be written", detail);
		}
		return 0;
	}
	if (errno != ENOENT) {
		snprintf(detail, sizeof detail, ": %s", strerror(errno));
		return bad_output(c, path, "cannot be written", detail);
	}
	/* a new file: its directory must exist and let us create it */
	char dir[4096];
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else if (slash == path)
		snprintf(dir, sizeof dir, "/");
	else if ((size_t)(slash - path) >= sizeof dir)
		return bad_output(c, path, "has too long a name", "");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	if (stat(dir, &st) != 0)
		snprintf(detail, sizeof detail, ": directory %s: %s", dir, strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		snprintf(detail, sizeof detail, ": %s is not a directory", dir);
	else if (access(dir, W_OK | X_OK) != 0)
		snprintf(detail, sizeof detail, " in %s: %s", dir, strerror(errno));
	else
		return 0;
	return bad_output(c, path, "cannot be created", detail);
}
