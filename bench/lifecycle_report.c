/* SPDX-License-Identifier: BSD-2-Clause */
#define _POSIX_C_SOURCE 200809L
#include "lifecycle_report.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common.h" /* bench_wall_ns */

static void parse(int argc, char **argv, struct lc_opts *o, unsigned flags, const char *extra_flag)
{
	o->n = 100000;
	o->max_seconds = 60;
	o->flags = flags;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rst"))
			o->rst = 1;
		else if (extra_flag && !strcmp(argv[i], extra_flag))
			o->extra = 1;
		else if (!strcmp(argv[i], "--n") && i + 1 < argc)
			o->n = strtoull(argv[++i], NULL, 10);
		else if ((flags & LC_BUDGET) && !strcmp(argv[i], "--max-seconds") && i + 1 < argc)
			o->max_seconds = strtod(argv[++i], NULL);
		else if (!strcmp(argv[i], "--csv") && i + 1 < argc)
			o->csv_path = argv[++i];
		else {
			fprintf(stderr, "usage: %s [--n LIFECYCLES] [--rst] [--csv PATH]%s%s%s%s\n", argv[0],
				flags & LC_BUDGET ? " [--max-seconds S]" : "", extra_flag ? " [" : "",
				extra_flag ? extra_flag : "", extra_flag ? "]" : "");
			exit(2);
		}
	}
}

void lc_begin(struct lc_run *run, const char *stack, int argc, char **argv, unsigned flags,
	      const char *extra_flag)
{
	memset(run, 0, sizeof *run);
	parse(argc, argv, &run->opts, flags, extra_flag);
	run->stack = stack;
	run->tenth = run->opts.n / 10 ? run->opts.n / 10 : 1;
	if (!run->opts.csv_path)
		return;
	run->csv = fopen(run->opts.csv_path, "a");
	if (!run->csv) {
		perror(run->opts.csv_path);
		exit(1);
	}
	fseek(run->csv, 0, SEEK_END);
	if (ftell(run->csv) == 0)
		fprintf(run->csv, "stack,close,n,tenth,conn_per_s,time_wait,ns_per_conn\n");
}

void lc_print_header(const struct lc_run *run, const char *stack_line)
{
	printf("lifecycles %llu, close by %s\n", (unsigned long long)run->opts.n,
	       run->opts.rst ? "RST (abort)" : "FIN (TIME-WAIT kept)");
	if (stack_line)
		printf("%s\n", stack_line);
	printf("%-8s %12s %14s %12s\n", "tenth", "conn/s", "TIME-WAIT", "ns/conn");
	if (run->opts.flags & LC_UNTIMED_REPORT)
		fflush(stdout);
}

void lc_start(struct lc_run *run)
{
	run->t0 = run->tenth_start = bench_wall_ns();
}

int lc_budget_exceeded(struct lc_run *run)
{
	if (!(run->opts.flags & LC_BUDGET) || run->done % 64 != 0 ||
	    (double)(bench_wall_ns() - run->t0) / 1e9 <= run->opts.max_seconds)
		return 0;
	snprintf(run->why, sizeof run->why, "budget (%.0f s)", run->opts.max_seconds);
	return 1;
}

void lc_stop(struct lc_run *run, const char *why)
{
	snprintf(run->why, sizeof run->why, "%s", why);
}

void lc_tenth_stop(struct lc_run *run)
{
	run->t = bench_wall_ns();
}

void lc_tenth_done(struct lc_run *run, long long time_wait)
{
	double secs = (double)(run->t - run->tenth_start) / 1e9;
	double cps = (double)run->tenth / secs, ns = secs * 1e9 / (double)run->tenth;
	unsigned long long tenth_no = (unsigned long long)(run->done / run->tenth);
	printf("%-8llu %12.0f %14lld %12.0f\n", tenth_no, cps, time_wait, ns);
	if (run->opts.flags & LC_UNTIMED_REPORT)
		fflush(stdout);
	if (run->csv)
		fprintf(run->csv, "%s,%s,%llu,%llu,%.0f,%lld,%.0f\n", run->stack, run->opts.rst ? "rst" : "fin",
			(unsigned long long)run->opts.n, tenth_no, cps, time_wait, ns);
	if (run->opts.flags & LC_UNTIMED_REPORT) {
		run->tenth_start = bench_wall_ns();
		run->untimed += run->tenth_start - run->t;
	} else {
		run->tenth_start = run->t;
	}
}

void lc_end(struct lc_run *run)
{
	run->end = bench_wall_ns();
}

void lc_stopped(const struct lc_run *run, long long time_wait)
{
	if (!run->why[0])
		return;
	uint64_t part = run->done % run->tenth;
	printf("stopped: %s, in tenth %llu after %llu lifecycles (%llu into it, %.0f conn/s; TIME-WAIT %lld)\n",
	       run->why, (unsigned long long)(run->done / run->tenth + 1), (unsigned long long)run->done,
	       (unsigned long long)part, part ? (double)part * 1e9 / (double)(run->end - run->tenth_start) : 0.0,
	       time_wait);
}

void lc_finish(struct lc_run *run, const char *fmt, ...)
{
	/* Without the untimed work at tenth boundaries (0 without LC_UNTIMED_REPORT). */
	double total = (double)(run->end - run->t0 - run->untimed) / 1e9;
	uint64_t done = run->done;
	printf("total: %.0f lifecycles/s (%.0f ns each)", done ? (double)done / total : 0.0,
	       done ? total * 1e9 / (double)done : 0.0);
	if (run->opts.flags & LC_BUDGET)
		printf(" over %llu", (unsigned long long)done);
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (run->csv)
		fclose(run->csv);
	run->csv = NULL;
}
