/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * `synfin demo`: the options, the list, and running one scenario or all of
 * them into the chosen outputs (diagram and explanation, --check, --json,
 * --pcap, --svg).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demo.h"

#define DEFAULT_ID "handshake"

struct cli {
	struct demo_opts opt;
	const char *id;
	bool list, check, json;
	const char *pcap, *svg;
	int color; /* -1 auto, 0 never, 1 always */
};

static void usage(FILE *out)
{
	fputs("usage: synfin demo [ID | all] [options]\n"
	      "       synfin demo --list\n"
	      "\n"
	      "Plays a TCP scenario between synfin stacks on a simulated network, on virtual\n"
	      "time, and draws it as a time-sequence diagram with an explanation. The\n"
	      "scenarios show opening and closing a connection (also with lost segments,\n"
	      "half-close, simultaneous open and close), initial sequence numbers, the MSS\n"
	      "option, TIME-WAIT and CLOSE-WAIT, the listen queues, half-open connections and\n"
	      "keepalive, TIME-WAIT assassination (RFC 1337), and the anomaly figures of\n"
	      "RFC 9293 section 3.5. Without an ID it plays \"" DEFAULT_ID "\".\n"
	      "\n"
	      "  --list               list the scenarios\n"
	      "  --check              check the scenario's expectations only (exit 1 if one fails)\n"
	      "  --ascii              ASCII instead of UTF-8 box drawing\n"
	      "  --color, --no-color  force colour on or off (default: on a terminal only)\n"
	      "  --lang en|zh         language of the explanation and notes (default en)\n"
	      "  --json               print the event trace as JSON instead of the diagram\n"
	      "  --pcap FILE          write every datagram sent (lost ones too) to FILE\n"
	      "  --svg FILE           draw the diagram as an SVG figure into FILE\n"
	      "                       (with `all`, FILE-ID.pcap / FILE-ID.svg per scenario)\n"
	      "  --seed N             seed of the simulator and of the hosts' secrets (1)\n"
	      "  --loss P             random loss on every link, 0..1 (exact expectations skipped)\n"
	      "  --msl MS             maximum segment lifetime in ms (TIME-WAIT lasts 2 x MSL)\n"
	      "  --rfc1337=on|off     ignore RST in TIME-WAIT (RFC 1337; default on)\n"
	      "  --strict-time-wait   no SYN reopens a 4-tuple in TIME-WAIT before 2MSL ends\n"
	      "  --backlog N          listen backlog\n"
	      "  --delay MS           one-way link delay (10)\n"
	      "  --width N            diagram width in columns (100)\n",
	      out);
}

static int bad(const char *what, const char *arg)
{
	fprintf(stderr, "synfin demo: bad %s: %s\n", what, arg ? arg : "(missing)");
	return 2;
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;
	if (!s || !*s)
		return false;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 0);
	if (errno || *end || *s == '-')
		return false;
	*v = x;
	return true;
}

/* "--name=value" or "--name value": the value, advancing *i as needed. */
static const char *value_of(int argc, char **argv, int *i, const char *name, bool *matched)
{
	size_t n = strlen(name);
	*matched = false;
	if (strncmp(argv[*i], name, n))
		return NULL;
	if (argv[*i][n] == '=') {
		*matched = true;
		return argv[*i] + n + 1;
	}
	if (argv[*i][n] == 0) {
		*matched = true;
		return *i + 1 < argc ? argv[++*i] : NULL;
	}
	return NULL;
}

static int parse(int argc, char **argv, struct cli *c)
{
	memset(c, 0, sizeof *c);
	c->opt.seed = 1;
	c->opt.rfc1337 = -1;
	c->opt.delay_ms = 10;
	c->opt.width = 100;
	c->color = -1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		bool m;
		uint64_t x;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(a, "--list")) {
			c->list = true;
		} else if (!strcmp(a, "--check")) {
			c->check = true;
		} else if (!strcmp(a, "--ascii")) {
			c->opt.ascii = true;
		} else if (!strcmp(a, "--color") || !strcmp(a, "--colour")) {
			c->color = 1;
		} else if (!strcmp(a, "--no-color") || !strcmp(a, "--no-colour")) {
			c->color = 0;
		} else if (!strcmp(a, "--json")) {
			c->json = true;
		} else if (!strcmp(a, "--strict-time-wait")) {
			c->opt.strict_time_wait = true;
		} else if ((v = value_of(argc, argv, &i, "--lang", &m)), m) {
			if (v && !strcmp(v, "en"))
				c->opt.lang = DEMO_EN;
			else if (v && !strcmp(v, "zh"))
				c->opt.lang = DEMO_ZH;
			else
				return bad("language (en or zh)", v);
		} else if ((v = value_of(argc, argv, &i, "--pcap", &m)), m) {
			if (!v || !*v)
				return bad("--pcap file", v);
			c->pcap = v;
		} else if ((v = value_of(argc, argv, &i, "--svg", &m)), m) {
			if (!v || !*v)
				return bad("--svg file", v);
			c->svg = v;
		} else if ((v = value_of(argc, argv, &i, "--seed", &m)), m) {
			if (!parse_u64(v, &c->opt.seed))
				return bad("seed", v);
		} else if ((v = value_of(argc, argv, &i, "--loss", &m)), m) {
			char *end;
			double p = v ? strtod(v, &end) : -1;
			if (!v || *end || !(p >= 0 && p <= 1))
				return bad("loss (0..1)", v);
			c->opt.loss = p;
		} else if ((v = value_of(argc, argv, &i, "--msl", &m)), m) {
			if (!parse_u64(v, &x) || x < 1 || x > 3600000)
				return bad("MSL (1..3600000 ms)", v);
			c->opt.msl_ms = (uint32_t)x;
		} else if ((v = value_of(argc, argv, &i, "--rfc1337", &m)), m) {
			if (v && (!strcmp(v, "on") || !strcmp(v, "1")))
				c->opt.rfc1337 = 1;
			else if (v && (!strcmp(v, "off") || !strcmp(v, "0")))
				c->opt.rfc1337 = 0;
			else
				return bad("--rfc1337 (on or off)", v);
		} else if ((v = value_of(argc, argv, &i, "--backlog", &m)), m) {
			if (!parse_u64(v, &x) || x < 1 || x > 65535)
				return bad("backlog (1..65535)", v);
			c->opt.backlog = (int)x;
		} else if ((v = value_of(argc, argv, &i, "--delay", &m)), m) {
			if (!parse_u64(v, &x) || x > 10000)
				return bad("delay (0..10000 ms)", v);
			c->opt.delay_ms = (uint32_t)x;
		} else if ((v = value_of(argc, argv, &i, "--width", &m)), m) {
			if (!parse_u64(v, &x) || x < 60 || x > 400)
				return bad("width (60..400)", v);
			c->opt.width = (int)x;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "synfin demo: unknown option %s\n", a);
			return 2;
		} else if (!c->id) {
			c->id = a;
		} else {
			fprintf(stderr, "synfin demo: more than one scenario given (%s, %s)\n", c->id, a);
			return 2;
		}
	}
	c->opt.color = c->color == 1 || (c->color == -1 && isatty(STDOUT_FILENO));
	return 0;
}

/* The longest scenario ID: the width of the ID column in --list and --check. */
static int id_width(void)
{
	size_t w = 0;
	for (size_t i = 0; i < demo_nscenarios; i++)
		if (strlen(demo_scenarios[i]->id) > w)
			w = strlen(demo_scenarios[i]->id);
	return (int)w;
}

static void list(FILE *out, enum demo_lang lang)
{
	for (size_t i = 0; i < demo_nscenarios; i++) {
		const struct demo_scenario *s = demo_scenarios[i];
		fprintf(out, "  %-*s %s\n", id_width(), s->id, lang == DEMO_ZH ? s->title_zh : s->title_en);
	}
}

/* FILE-ID.ext for one scenario of several. */
static void per_scenario_path(const char *path, const char *id, bool several, char *out, size_t cap)
{
	if (!several) {
		snprintf(out, cap, "%s", path);
		return;
	}
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
	if (dot && (!slash || dot > slash))
		snprintf(out, cap, "%.*s-%s%s", (int)(dot - path), path, id, dot);
	else
		snprintf(out, cap, "%s-%s", path, id);
}

static void print_checks(FILE *out, const struct demo *d)
{
	for (int i = 0; i < d->nchecks; i++) {
		const struct demo_check *c = &d->checks[i];
		char text[256];
		snprintf(text, sizeof text, "%s", c->text);
		demo_asciify(d, text, sizeof text);
		fprintf(out, "%-*s %-4s  %s\n", id_width(), d->sc->id, c->skipped ? "skip" : c->ok ? "ok" : "FAIL", text);
	}
}

static void print_rule(FILE *out, const struct demo *d)
{
	int w = d->opt->width;
	for (int i = 0; i < w; i++)
		fputs(d->opt->ascii ? "=" : "═", out);
	fputc('\n', out);
}

static void print_scenario(FILE *out, struct demo *d)
{
	const struct demo_scenario *s = d->sc;
	bool zh = d->opt->lang == DEMO_ZH;

	char section[256];
	snprintf(section, sizeof section, "%s", s->section);
	demo_asciify(d, section, sizeof section);
	fprintf(out, "%s%s %s%s\n", d->opt->color ? "\033[1m" : "", s->id, zh ? s->title_zh : s->title_en,
		d->opt->color ? "\033[0m" : "");
	fprintf(out, zh ? "（%s；种子 %llu，单向时延 %u ms%s；虚拟时间）\n\n" : "(%s; seed %llu, %u ms one way%s; virtual time)\n\n",
		section, (unsigned long long)d->opt->seed, d->opt->delay_ms,
		d->opt->loss > 0 ? (zh ? "，随机丢包" : ", random loss") : "");
	demo_render_text(out, d);
	fputc('\n', out);
	demo_explain(out, d);
	fputc('\n', out);
	demo_print_counters(out, d);
	fputc('\n', out);
	int failed = demo_failed(d), skipped = 0;
	for (int i = 0; i < d->nchecks; i++)
		skipped += d->checks[i].skipped;
	if (zh)
		fprintf(out, "预期检查：%d 项，%s", d->nchecks, failed ? "有失败" : "全部成立");
	else
		fprintf(out, "Expectations: %d checked, %s", d->nchecks, failed ? "some FAILED" : "all hold");
	if (skipped)
		fprintf(out, zh ? "（%d 项因随机丢包跳过）" : " (%d skipped: random loss)", skipped);
	fputs(zh ? "。\n" : ".\n", out);
	if (failed) {
		for (int i = 0; i < d->nchecks; i++)
			if (!d->checks[i].ok)
				fprintf(out, "  FAILED: %s\n", d->checks[i].text);
	}
}

static int run_one(const struct demo_scenario *s, const struct cli *c, bool several, int *nchecks)
{
	struct demo d;
	int rc = 0;

	if (demo_init(&d, s, &c->opt) != 0) {
		fprintf(stderr, "synfin demo: out of memory\n");
		return 1;
	}
	s->run(&d);
	if (c->check)
		print_checks(stdout, &d);
	else if (c->json)
		demo_render_json(stdout, &d);
	else
		print_scenario(stdout, &d);
	if (c->pcap) {
		char path[1024];
		per_scenario_path(c->pcap, s->id, several, path, sizeof path);
		if (demo_write_pcap(path, &d) != 0) {
			fprintf(stderr, "synfin demo: cannot write %s: %s\n", path, strerror(errno));
			rc = 1;
		}
	}
	if (c->svg) {
		char path[1024];
		per_scenario_path(c->svg, s->id, several, path, sizeof path);
		if (demo_render_svg(path, &d) != 0) {
			fprintf(stderr, "synfin demo: cannot write %s: %s\n", path, strerror(errno));
			rc = 1;
		}
	}
	*nchecks += d.nchecks;
	if (demo_failed(&d))
		rc = 1;
	demo_fini(&d);
	return rc;
}

int demo_main(int argc, char **argv)
{
	struct cli c;
	int rc = parse(argc, argv, &c);

	if (rc)
		return rc;
	if (c.list) {
		list(stdout, c.opt.lang);
		return 0;
	}
	bool all = c.id && !strcmp(c.id, "all");
	const struct demo_scenario *one = NULL;
	if (!all) {
		one = demo_find_scenario(c.id ? c.id : DEFAULT_ID);
		if (!one) {
			fprintf(stderr, "synfin demo: no scenario %s; these exist:\n", c.id);
			list(stderr, c.opt.lang);
			return 2;
		}
	}

	int failed = 0, nchecks = 0;
	if (all) {
		if (c.json)
			fputs("[\n", stdout);
		for (size_t i = 0; i < demo_nscenarios; i++) {
			if (i && c.json)
				fputs(",\n", stdout);
			if (!c.check && !c.json) {
				if (i)
					fputc('\n', stdout);
				struct demo tmp = { .opt = &c.opt };
				print_rule(stdout, &tmp);
			}
			failed += run_one(demo_scenarios[i], &c, true, &nchecks);
		}
		if (c.json)
			fputs("]\n", stdout);
		if (c.check)
			printf("all: %zu scenarios, %d expectations, %s\n", demo_nscenarios, nchecks,
			       failed ? "some FAILED" : "all hold");
	} else {
		failed = run_one(one, &c, false, &nchecks);
		if (!c.id && !c.check && !c.json)
			printf("\n(This was `synfin demo %s`. `synfin demo --list` lists every scenario; `synfin demo all` plays them all.)\n",
			       DEFAULT_ID);
	}
	return failed ? 1 : 0;
}
