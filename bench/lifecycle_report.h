/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared pieces of the three lifecycle benchmarks (synfin-bench-lifecycles,
 * synfin-bench-lwip-lifecycles, synfin-bench-kernel-lifecycles): the command
 * line, the wall clock of the run and of each tenth of it, the per-tenth row
 * (table + CSV `stack,close,n,tenth,conn_per_s,time_wait,ns_per_conn`), the
 * early stop (wall-clock budget or the stack running out of something) and the
 * "total:" line. Each program keeps only its stack's workload; the loop is
 *
 *	lc_begin(&run, "stack", argc, argv, flags, "--extra"); // + the CSV
 *	... set up, lc_print_header(&run, line), lc_start(&run) ...
 *	for (i = 0; i < run.opts.n; i++) {
 *		if (lc_budget_exceeded(&run))    // LC_BUDGET only
 *			break;
 *		... one lifecycle (or lc_stop(&run, why); break;) ...
 *		if (lc_lifecycle_done(&run))     // tenth over: its clock is stopped
 *			lc_tenth_done(&run, time_wait_count);
 *	}
 *	lc_end(&run);                            // the run's clock is stopped
 *	lc_stopped(&run, time_wait_count);       // "stopped: ..." if it was
 *	lc_finish(&run, "; what the stack has left %llu", ...);
 *
 * Counting TIME-WAIT between lc_lifecycle_done() and lc_tenth_done() (or
 * after lc_end()) keeps the count out of the timed part.
 */
#ifndef SYNFIN_BENCH_LIFECYCLE_REPORT_H
#define SYNFIN_BENCH_LIFECYCLE_REPORT_H

#include <stdint.h>
#include <stdio.h>

/* lc_begin() flags. */
enum {
	/* Accept --max-seconds S (default 60): lc_budget_exceeded() can stop the
	 * run early, and the total line says over how many lifecycles. */
	LC_BUDGET = 1,
	/* The work at a tenth's end (TIME-WAIT count, row, CSV, stdout flushed)
	 * is left out of the next tenth's time and out of the total. Without it
	 * the next tenth starts when the last one ended (the row's printing is
	 * timed with it) and the total is the wall time of the whole loop. */
	LC_UNTIMED_REPORT = 2,
};

struct lc_opts {
	uint64_t n;            /* --n: lifecycles (default 100000) */
	int rst;               /* --rst: the client aborts (RST) instead of closing (FIN) */
	const char *csv_path;  /* --csv: append one row per tenth (header written when new) */
	double max_seconds;    /* --max-seconds, with LC_BUDGET (default 60) */
	int extra;             /* the program's own flag (extra_flag of lc_begin) was given */
	unsigned flags;        /* LC_* */
};

struct lc_run {
	struct lc_opts opts;
	const char *stack;     /* first CSV column: synfin, lwip, linux */
	FILE *csv;
	uint64_t tenth;        /* lifecycles per tenth (at least 1) */
	uint64_t done;         /* lifecycles completed */
	uint64_t t0, tenth_start, t, end, untimed; /* wall clock, ns */
	char why[160];         /* why the run stopped early ("" if it did not) */
};

/* Set up run: parse argv into run->opts (defaults first; extra_flag is the
 * program's one boolean option, "--ephemeral", or NULL; anything else prints
 * the usage and exits 2), then open the CSV (perror and exit 1 if it cannot be). */
void lc_begin(struct lc_run *run, const char *stack, int argc, char **argv, unsigned flags,
	      const char *extra_flag);
/* "lifecycles N, close by ...", stack_line (if not NULL), the column header. */
void lc_print_header(const struct lc_run *run, const char *stack_line);
/* Start the run's clock and the first tenth's. */
void lc_start(struct lc_run *run);
/* With LC_BUDGET, call before each lifecycle: 1 (and the run is stopped) once
 * the budget is spent; the clock is read every 64 lifecycles. */
int lc_budget_exceeded(struct lc_run *run);
/* The run stops early for another reason (printed in the "stopped:" line). */
void lc_stop(struct lc_run *run, const char *why);
/* Stop the clock of the tenth that just ended (lc_lifecycle_done() does). */
void lc_tenth_stop(struct lc_run *run);
/* One more lifecycle done; 1 if that ends a tenth, whose clock is then
 * stopped. Inline: it runs once per lifecycle, inside the timed part. */
static inline int lc_lifecycle_done(struct lc_run *run)
{
	if (++run->done % run->tenth)
		return 0;
	lc_tenth_stop(run);
	return 1;
}
/* After lc_lifecycle_done() returned 1: the tenth's row (table and CSV). */
void lc_tenth_done(struct lc_run *run, long long time_wait);
/* Stop the run's clock. */
void lc_end(struct lc_run *run);
/* After lc_end(): the "stopped: ..." line if the run stopped early. */
void lc_stopped(const struct lc_run *run, long long time_wait);
/* After lc_end(): "total: R lifecycles/s (T ns each)", with LC_BUDGET " over N",
 * then the stack's own text (fmt) and a newline; closes the CSV. */
void lc_finish(struct lc_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
