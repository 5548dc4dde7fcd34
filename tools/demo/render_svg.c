/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The diagram as an SVG figure: the same rows and columns as the terminal
 * diagram (one character cell = CW x RH pixels, monospace text), with the
 * arrows drawn as TCP/IP Illustrated draws them, slanting down from the
 * moment a segment is sent to the moment it arrives (or to where it dies).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"

#define CW 7.25   /* cell width: DejaVu Sans Mono's advance at 12 px */
#define RH 16.0   /* row height */
#define TOP 64.0  /* the title and the host names above the first row */
#define PAD 12.0

/*
 * The fonts, first choice first. A Chinese figure names a CJK monospace font
 * first, so that rsvg and browsers draw every glyph, Latin and Chinese, from
 * one face whose Chinese characters are two Latin cells wide, as in the
 * terminal. ./run installs it: WenQuanYi Zen Hei Mono is in Debian's
 * fonts-wqy-zenhei (docs/demo/README.md).
 */
#define FONTS_EN "DejaVu Sans Mono, Menlo, Consolas, Noto Sans Mono CJK SC, WenQuanYi Zen Hei Mono, monospace"
#define FONTS_ZH "WenQuanYi Zen Hei Mono, Noto Sans Mono CJK SC, DejaVu Sans Mono, Menlo, Consolas, monospace"

static const char *const svg_color[COL__COUNT] = {
	[COL_NONE] = "#57606a",  [COL_STATE] = "#9a6700", [COL_SYN] = "#1a7f37", [COL_FIN] = "#0969da",
	[COL_RST] = "#cf222e",   [COL_DATA] = "#24292f",  [COL_LOST] = "#cf222e", [COL_TIMER] = "#8250df",
	[COL_APP] = "#0550ae",   [COL_DIM] = "#6e7781",   [COL_CRASH] = "#cf222e", [COL_NOTE] = "#953800",
};

static void xml_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		default: fputc(*s, out);
		}
	}
}

/* A square root without libm (Newton's method; x >= 0). */
static double root(double x)
{
	double r = x > 1 ? x : 1;
	for (int i = 0; i < 60; i++)
		r = (r + x / r) / 2;
	return r;
}

static double row_y(size_t i)
{
	return TOP + (double)i * RH; /* the top of row i */
}

static double col_x(double col)
{
	return PAD + col * CW;
}

static void text(FILE *out, double x, double y, const char *anchor, enum row_color c, bool bold, const char *s)
{
	fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\"%s%s%s>", x, y, svg_color[c],
		anchor ? " text-anchor=\"" : "", anchor ? anchor : "", anchor ? "\"" : "");
	if (bold)
		fputs("<tspan font-weight=\"bold\">", out);
	xml_text(out, s);
	if (bold)
		fputs("</tspan>", out);
	fputs("</text>\n", out);
}

/* Where a segment's arrow ends: the top of the first later row at or after its arrival. */
static double arrival_y(const struct layout *L, size_t i, uint64_t t)
{
	size_t j = i + 1;
	while (j < L->n && L->rows[j].ev == L->rows[i].ev)
		j++;
	while (j < L->n && L->rows[j].t < t)
		j++;
	return row_y(j) + 3;
}

int demo_render_svg(const char *path, const struct demo *d)
{
	struct layout L;
	FILE *out = fopen(path, "w");

	if (!out)
		return -1;
	if (demo_layout(d, &L) != 0) {
		fclose(out);
		errno = ENOMEM;
		return -1;
	}
	double width = 2 * PAD + L.width * CW;
	double height = TOP + (double)(L.n + 1) * RH + PAD;
	bool zh = d->opt->lang == DEMO_ZH;

	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		     "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%.0f\" height=\"%.0f\" "
		     "viewBox=\"0 0 %.0f %.0f\" font-family=\"%s\" font-size=\"12\">\n",
		width, height, width, height, zh ? FONTS_ZH : FONTS_EN);
	fputs("<title>", out);
	xml_text(out, d->sc->id);
	fputs(" ", out);
	xml_text(out, zh ? d->sc->title_zh : d->sc->title_en);
	fputs("</title>\n", out);
	fputs("<defs>\n", out);
	for (int c = 0; c < COL__COUNT; c++)
		fprintf(out,
			"<marker id=\"head%d\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" "
			"markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"%s\"/></marker>\n",
			c, svg_color[c]);
	fputs("</defs>\n", out);
	fprintf(out, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	fprintf(out, "<g stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\" stroke-linejoin=\"round\">\n");

	/* title, time column head, hosts */
	char title[512];
	snprintf(title, sizeof title, "%s  %s", d->sc->id, zh ? d->sc->title_zh : d->sc->title_en);
	text(out, PAD, 18, NULL, COL_DATA, true, title);
	text(out, col_x(L.time_w - 1), TOP - 20, "end", COL_DIM, false, demo_tr(d, "time (ms)"));
	for (int h = 0; h < L.nhosts; h++) {
		text(out, col_x(L.x[h] + 0.5), TOP - 26, "middle", COL_STATE, true, d->host[h].name);
		text(out, col_x(L.x[h] + 0.5), TOP - 12, "middle", COL_DIM, false, d->host[h].addr);
	}
	fputs("</g>\n", out);

	/* timelines: solid while up, dashed while down */
	for (int h = 0; h < L.nhosts; h++) {
		double x = col_x(L.x[h] + 0.5);
		size_t i = 0;
		while (i <= L.n) {
			bool down = i < L.n && ((L.rows[i].down >> h) & 1);
			size_t j = i;
			while (j < L.n && (((L.rows[j].down >> h) & 1) != 0) == down)
				j++;
			double y0 = row_y(i) - (i == 0 ? 4 : 0), y1 = row_y(j == L.n ? L.n + 1 : j);
			fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#24292f\" stroke-width=\"%s\"%s/>\n",
				x, y0, x, y1, down ? "1" : "1.5", down ? " stroke-dasharray=\"3,3\"" : "");
			if (j == L.n)
				break;
			i = j;
		}
	}

	/* The arrows (pass 0), then their labels and the marks where lost ones died (pass 1). */
	for (int pass = 0; pass < 2; pass++)
	for (size_t i = 0; i < L.n; i++) {
		const struct row *r = &L.rows[i];
		if (r->kind != ROW_ARROW)
			continue;
		const struct demo_event *e = &d->ev[r->ev];
		int to_col = r->peer >= 0 ? L.x[r->peer] : (r->host == 0 ? L.x[r->host] + L.gap : L.x[r->host] - L.gap);
		double x0 = col_x(L.x[r->host] + 0.5), x1 = col_x(to_col + 0.5);
		double y0 = row_y(i) + RH / 2;
		double y1 = e->fate == FATE_DELIVERED ? arrival_y(&L, i, e->fate_t) : y0 + RH;
		const char *col = svg_color[r->color];
		if (y1 < y0)
			y1 = y0;
		double xe = x1, ye = y1;
		if (r->lost) {
			double f = r->at_receiver ? 0.95 : 0.62;
			if (r->died_at >= 0 && x1 != x0) /* at the router that refused it */
				f = (col_x(L.x[r->died_at] + 0.5) - x0) / (x1 - x0);
			xe = x0 + (x1 - x0) * f;
			ye = y0 + (y1 - y0) * f;
		}
		if (pass == 0 && r->lost) {
			fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1.3\"/>\n",
				x0, y0, xe, ye, col);
		} else if (pass == 0) {
			fprintf(out,
				"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1.3\" "
				"marker-end=\"url(#head%d)\"%s/>\n",
				x0, y0, x1, y1, col, (int)r->color, e->fate == FATE_IN_FLIGHT ? " stroke-dasharray=\"5,3\"" : "");
		}
		if (pass == 0)
			continue;
		if (y1 - y0 > 2.5 * RH) {
			/* A long slant (many events before it arrives): the label stays on
			 * its rows, as in the terminal, on a white ground over the lines. */
			int lo = L.x[r->host] < to_col ? L.x[r->host] : to_col;
			for (size_t j = i; j < L.n && L.rows[j].ev == r->ev; j++) {
				double w = demo_text_width(L.rows[j].text) * (j == i ? 6.7 : 5.5);
				double yb = row_y(j) + RH - 4;
				fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"white\"/>\n",
					col_x(lo + 3) - 2, row_y(j) + 2, w + 4, RH - 3);
				fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\" font-size=\"%s\"%s>", col_x(lo + 3), yb, col,
					j == i ? "11" : "9", j == i ? " font-weight=\"bold\"" : "");
				xml_text(out, L.rows[j].text);
				fputs("</text>\n", out);
			}
		} else {
			/* The label centred on the path, turned to its slope: the first
			 * line above the arrow, the others below it. */
			double dx = x1 - x0, dy = y1 - y0;
			double cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
			if (dx < 0) {
				dx = -dx;
				dy = -dy;
			}
			double len = root(dx * dx + dy * dy);
			double c = len > 0 ? dx / len : 1, sn = len > 0 ? dy / len : 0;
			fprintf(out,
				"<g transform=\"matrix(%.4f %.4f %.4f %.4f %.2f %.2f)\" stroke=\"white\" stroke-width=\"3\" "
				"paint-order=\"stroke\" text-anchor=\"middle\" fill=\"%s\">\n",
				c, sn, -sn, c, cx - c * cx + sn * cy, cy - sn * cx - c * cy, col);
			fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" font-weight=\"bold\">", cx, cy - 4);
			xml_text(out, r->text);
			fputs("</text>\n", out);
			double ly = cy + 10;
			for (size_t j = i + 1; j < L.n && L.rows[j].kind == ROW_LABEL && L.rows[j].ev == r->ev; j++, ly += 10) {
				fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\">", cx, ly);
				xml_text(out, L.rows[j].text);
				fputs("</text>\n", out);
			}
			fputs("</g>\n", out);
		}
		if (r->lost) /* where it died, over the label */
			fprintf(out, "<path d=\"M%.1f,%.1f l10,10 m0,-10 l-10,10\" stroke=\"%s\" stroke-width=\"2.2\"/>\n",
				xe - 5, ye - 5, svg_color[COL_LOST]);
	}

	fprintf(out, "<g stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\" stroke-linejoin=\"round\">\n");
	for (size_t i = 0; i < L.n; i++) {
		const struct row *r = &L.rows[i];
		double yb = row_y(i) + RH - 4; /* baseline */
		if (r->show_time) {
			char tb[32];
			demo_time_text(r->t, tb, sizeof tb);
			text(out, col_x(L.time_w - 1), yb, "end", COL_DIM, false, tb);
		}
		int h = r->host;
		bool last = h == L.nhosts - 1 && L.nhosts > 1;
		switch (r->kind) {
		case ROW_ARROW:
		case ROW_LABEL:
			break; /* drawn along the arrow */
		case ROW_STATE:
			if (h == 0) {
				text(out, col_x(L.x[0] - 1), yb, "end", COL_STATE, true, r->text);
				text(out, col_x(L.x[0] + 2), yb, NULL, COL_DIM, false, r->cause);
			} else if (last) {
				text(out, col_x(L.x[h] + 2), yb, NULL, COL_STATE, true, r->text);
				text(out, col_x(L.x[h] - 1), yb, "end", COL_DIM, false, r->cause);
			} else {
				char both[320];
				snprintf(both, sizeof both, "%s (%s)", r->text, r->cause);
				text(out, col_x(L.x[h] + 2), yb, NULL, COL_STATE, true, both);
			}
			break;
		case ROW_NOTE:
			if (last)
				text(out, col_x(L.x[h] - 1), yb, "end", r->color, r->color == COL_CRASH, r->text);
			else
				text(out, col_x(L.x[h] + 2), yb, NULL, r->color, r->color == COL_CRASH, r->text);
			break;
		case ROW_GAP:
			text(out, col_x(L.x[0] + L.gap / 2.0 + 1), yb, "middle", COL_DIM, false, r->text);
			break;
		}
	}
	fputs("</g>\n</svg>\n", out);
	demo_layout_free(&L);
	return fclose(out) == 0 ? 0 : -1;
}
