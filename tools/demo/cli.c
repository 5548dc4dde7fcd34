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

#include "../cli.h"
#include "demo.h"

#define DEFAULT_ID "handshake"

struct cli_demo {
	struct demo_opts opt;
	const char *id;
	bool list, check, json;
	const char *pcap, *svg;
	int color; /* -1 auto, 0 never, 1 always */
};

static const char usage_text[] =
	"usage: synfin demo [ID | all] [options]\n"
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
	"  -h, --help           this text\n"
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
	"  --width N            diagram width in columns (100)\n"
	      "Every option with a value takes it as --opt VALUE or --opt=VALUE.\n";

enum {
	O_LIST = CLI_LONG,
	O_CHECK,
	O_ASCII,
	O_COLOR,
	O_NO_COLOR,
	O_JSON,
	O_STRICT_TIME_WAIT,
	O_LANG,
	O_PCAP,
	O_SVG,
	O_SEED,
	O_LOSS,
	O_MSL,
	O_RFC1337,
	O_BACKLOG,
	O_DELAY,
	O_WIDTH,
};

static const struct option options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "list", no_argument, NULL, O_LIST },
	{ "check", no_argument, NULL, O_CHECK },
	{ "ascii", no_argument, NULL, O_ASCII },
	{ "color", no_argument, NULL, O_COLOR },
	{ "colour", no_argument, NULL, O_COLOR },
	{ "no-color", no_argument, NULL, O_NO_COLOR },
	{ "no-colour", no_argument, NULL, O_NO_COLOR },
	{ "json", no_argument, NULL, O_JSON },
	{ "strict-time-wait", no_argument, NULL, O_STRICT_TIME_WAIT },
	{ "lang", required_argument, NULL, O_LANG },
	{ "pcap", required_argument, NULL, O_PCAP },
	{ "svg", required_argument, NULL, O_SVG },
	{ "seed", required_argument, NULL, O_SEED },
	{ "loss", required_argument, NULL, O_LOSS },
	{ "msl", required_argument, NULL, O_MSL },
	{ "rfc1337", required_argument, NULL, O_RFC1337 },
	{ "backlog", required_argument, NULL, O_BACKLOG },
	{ "delay", required_argument, NULL, O_DELAY },
	{ "width", required_argument, NULL, O_WIDTH },
	{ NULL, 0, NULL, 0 },
};

/* The option at hand (p->opt, p->value) into c: 0, or 2 after the message. */
static int option(const struct cli *p, int val, struct cli_demo *c)
{
	static const char *const langs[] = { "en", "zh", NULL };
	static const char *const onoff[] = { "off", "on", "0", "1", NULL };
	uint64_t x;
	int k, rc = 0;

	switch (val) {
	case O_LIST: c->list = true; break;
	case O_CHECK: c->check = true; break;
	case O_ASCII: c->opt.ascii = true; break;
	case O_COLOR: c->color = 1; break;
	case O_NO_COLOR: c->color = 0; break;
	case O_JSON: c->json = true; break;
	case O_STRICT_TIME_WAIT: c->opt.strict_time_wait = true; break;
	case O_LANG:
		if (!(rc = cli_choice(p, langs, &k)))
			c->opt.lang = k ? DEMO_ZH : DEMO_EN;
		break;
	case O_PCAP: c->pcap = p->value; break;
	case O_SVG: c->svg = p->value; break;
	case O_SEED: rc = cli_uint(p, 0, UINT64_MAX, &c->opt.seed); break;
	case O_LOSS: rc = cli_double(p, 0, 1, &c->opt.loss); break;
	case O_MSL:
		if (!(rc = cli_uint(p, 1, 3600000, &x)))
			c->opt.msl_ms = (uint32_t)x;
		break;
	case O_RFC1337:
		if (!(rc = cli_choice(p, onoff, &k)))
			c->opt.rfc1337 = k & 1;
		break;
	case O_BACKLOG: rc = cli_int(p, 1, 65535, &c->opt.backlog); break;
	case O_DELAY:
		if (!(rc = cli_uint(p, 0, 10000, &x)))
			c->opt.delay_ms = (uint32_t)x;
		break;
	case O_WIDTH: rc = cli_int(p, 60, 400, &c->opt.width); break;
	}
	return rc;
}

static int parse(int argc, char **argv, struct cli_demo *c)
{
	struct cli p;
	int val, rc;

	memset(c, 0, sizeof *c);
	c->opt.seed = 1;
	c->opt.rfc1337 = -1;
	c->opt.delay_ms = 10;
	c->opt.width = 100;
	c->color = -1;

	cli_init(&p, "demo", usage_text, NULL, options, argc, argv);
	while ((val = cli_next(&p)) != CLI_END) {
		if (val == CLI_ERROR)
			return 2;
		if (val != CLI_ARG) {
			if ((rc = option(&p, val, c)))
				return rc;
		} else if (!c->id) {
			c->id = p.value;
		} else {
			return cli_error(&p, "unexpected argument '%s' after the scenario %s (one ID, or all)", p.value,
					 c->id);
		}
	}
	int nrest;
	char **rest = cli_rest(&p, &nrest);
	for (int i = 0; i < nrest; i++) {
		if (c->id)
			return cli_error(&p, "unexpected argument '%s' after the scenario %s (one ID, or all)", rest[i],
					 c->id);
		c->id = rest[i];
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

/* FILE-ID.ext for one scenario of several; false if it does not fit in out. */
static bool per_scenario_path(const char *path, const char *id, bool several, char *out, size_t cap)
{
	int n;
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
	if (!several)
		n = snprintf(out, cap, "%s", path);
	else if (dot && (!slash || dot > slash))
		n = snprintf(out, cap, "%.*s-%s%s", (int)(dot - path), path, id, dot);
	else
		n = snprintf(out, cap, "%s-%s", path, id);
	return n >= 0 && (size_t)n < cap;
}

/* Every file --pcap and --svg will write can be written: checked before a
 * long run, not after it. 0, or 2 after the message. */
static int check_outputs(int argc, char **argv, const struct cli_demo *c, bool all)
{
	struct cli p;
	const char *opts[2] = { c->pcap, c->svg }, *names[2] = { "--pcap", "--svg" };

	cli_init(&p, "demo", usage_text, NULL, options, argc, argv);
	for (int k = 0; k < 2; k++) {
		if (!opts[k])
			continue;
		p.opt = names[k];
		for (size_t i = 0; i < (all ? demo_nscenarios : 1); i++) {
			char path[1024];
			const char *id = all ? demo_scenarios[i]->id : "";
			p.value = opts[k];
			if (!per_scenario_path(opts[k], id, all, path, sizeof path))
				return cli_bad(&p, "the file name is too long");
			int rc = cli_check_output(&p, path);
			if (rc)
				return rc;
		}
	}
	return 0;
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

static int run_one(const struct demo_scenario *s, const struct cli_demo *c, bool several, int *nchecks)
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
	struct cli_demo c;
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
			fprintf(stderr, "synfin demo: no scenario '%s'; these exist (or all):\n", c.id);
			list(stderr, c.opt.lang);
			return 2;
		}
	}
	if ((rc = check_outputs(argc, argv, &c, all)))
		return rc;

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
