/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The terminal diagram: a canvas of cells, one per display column, drawn
 * row by row with UTF-8 box drawing (or plain ASCII), coloured with ANSI
 * escapes only when asked (on a TTY).
 */
#include <stdlib.h>
#include <string.h>

#include "layout.h"

struct cell {
	char s[5];   /* one UTF-8 character; "" for the right half of a wide one */
	uint8_t color;
};

struct glyphs {
	const char *line, *down, *head_r, *head_l, *body, *tee_r, *tee_l, *cross, *lost, *vdots;
};

static const struct glyphs utf8_glyphs = { "│", "┆", "▶", "◀", "─", "├", "┤", "┼", "✕", "⋮" };
static const struct glyphs ascii_glyphs = { "|", ":", ">", "<", "-", "+", "+", "+", "X", ":" };

static const char *const ansi[COL__COUNT] = {
	[COL_NONE] = "",           [COL_STATE] = "\033[1;33m", [COL_SYN] = "\033[32m",
	[COL_FIN] = "\033[36m",    [COL_RST] = "\033[31m",     [COL_DATA] = "\033[1m",
	[COL_LOST] = "\033[1;31m", [COL_TIMER] = "\033[35m",   [COL_APP] = "\033[34;1m",
	[COL_DIM] = "\033[2m",     [COL_CRASH] = "\033[1;31m", [COL_NOTE] = "\033[33m",
};

struct canvas {
	struct cell *c;
	int w;
};

static void clear(struct canvas *cv)
{
	for (int i = 0; i < cv->w; i++) {
		strcpy(cv->c[i].s, " ");
		cv->c[i].color = COL_NONE;
	}
}

static void put(struct canvas *cv, int x, const char *g, enum row_color color)
{
	if (x < 0 || x >= cv->w)
		return;
	snprintf(cv->c[x].s, sizeof cv->c[x].s, "%s", g);
	cv->c[x].color = (uint8_t)color;
}

/* Write UTF-8 text from column x; returns the column after it. */
static int put_text(struct canvas *cv, int x, const char *s, enum row_color color)
{
	while (*s) {
		const unsigned char u = (unsigned char)*s;
		int len = u < 0x80 ? 1 : (u & 0xe0) == 0xc0 ? 2 : (u & 0xf0) == 0xe0 ? 3 : (u & 0xf8) == 0xf0 ? 4 : 1;
		char ch[5] = { 0 };
		for (int i = 0; i < len && s[i]; i++)
			ch[i] = s[i];
		int w = demo_text_width(ch);
		if (x >= 0 && x < cv->w) {
			put(cv, x, ch, color);
			if (w == 2 && x + 1 < cv->w) {
				cv->c[x + 1].s[0] = 0;
				cv->c[x + 1].color = (uint8_t)color;
			}
		}
		x += w;
		s += len;
	}
	return x;
}

static void emit(FILE *out, const struct canvas *cv, bool color)
{
	int last = cv->w - 1;
	while (last >= 0 && !strcmp(cv->c[last].s, " "))
		last--;
	uint8_t cur = COL_NONE;
	for (int i = 0; i <= last; i++) {
		if (color && cv->c[i].color != cur && cv->c[i].s[0]) {
			if (cur != COL_NONE)
				fputs("\033[0m", out);
			cur = cv->c[i].color;
			fputs(ansi[cur], out);
		}
		fputs(cv->c[i].s, out);
	}
	if (color && cur != COL_NONE)
		fputs("\033[0m", out);
	fputc('\n', out);
}

static void timelines(struct canvas *cv, const struct layout *L, const struct glyphs *g, uint8_t down)
{
	for (int h = 0; h < L->nhosts; h++)
		put(cv, L->x[h], (down >> h) & 1 ? g->down : g->line, COL_NONE);
}

static void draw_arrow(struct canvas *cv, const struct layout *L, const struct glyphs *g, const struct row *r)
{
	int from = L->x[r->host];
	int to = r->peer >= 0 ? L->x[r->peer] : (r->host == 0 ? L->x[r->host] + L->gap : L->x[r->host] - L->gap);
	bool right = to > from;
	int lo = right ? from : to, hi = right ? to : from;
	int tw = demo_text_width(r->text);
	enum row_color c = r->color;

	/* the shaft, crossing any timeline in between */
	for (int x = lo + 1; x < hi; x++)
		put(cv, x, g->body, c);
	for (int h = 0; h < L->nhosts; h++)
		if (L->x[h] > lo && L->x[h] < hi)
			put(cv, L->x[h], g->cross, c);
	put(cv, from, right ? g->tee_r : g->tee_l, c);
	if (right)
		put(cv, hi - 1, g->head_r, c);
	else
		put(cv, lo + 1, g->head_l, c);

	/* the label, after the left end of the arrow */
	int lx = lo + (right ? 3 : 4);
	if (r->lost) {
		/* The arrow stops where the datagram died: at the receiver if it
		 * was down, otherwise on the way. */
		int death, router = r->died_at >= 0 ? L->x[r->died_at] : -1;
		if (right) {
			death = router > lo && router < hi ? router - 1 : r->at_receiver ? hi - 2 : lo + (hi - lo) * 2 / 3;
			if (death < lx + tw + 2)
				death = lx + tw + 2;
			if (death > hi - 2)
				death = hi - 2;
			for (int x = death + 1; x < hi; x++)
				put(cv, x, " ", COL_NONE);
			put(cv, death, g->lost, COL_LOST);
		} else {
			death = router > lo && router < hi ? router + 1 : r->at_receiver ? lo + 2 : lo + (hi - lo) / 3;
			if (death > hi - tw - 5)
				death = hi - tw - 5;
			if (death < lo + 2)
				death = lo + 2;
			for (int x = lo + 1; x < death; x++)
				put(cv, x, " ", COL_NONE);
			put(cv, death, g->lost, COL_LOST);
			lx = death + 3;
		}
	}
	/* A timeline the cut-off arrow no longer crosses shows again. */
	for (int h = 0; h < L->nhosts; h++)
		if (L->x[h] > lo && L->x[h] < hi && !strcmp(cv->c[L->x[h]].s, " "))
			put(cv, L->x[h], (r->down >> h) & 1 ? g->down : g->line, COL_NONE);
	put(cv, lx - 1, " ", c);
	int end = put_text(cv, lx, r->text, c);
	put(cv, end, " ", c);
}

static void draw_label(struct canvas *cv, const struct layout *L, const struct row *r)
{
	int from = L->x[r->host];
	int to = r->peer >= 0 ? L->x[r->peer] : from + L->gap;
	int lo = from < to ? from : to;
	put_text(cv, lo + 3, r->text, r->color);
}

/* A note beside host h's timeline: to its right, or to its left for the last host. */
static void draw_beside(struct canvas *cv, const struct layout *L, int h, const char *text, enum row_color c)
{
	int w = demo_text_width(text);
	if (h == L->nhosts - 1 && L->nhosts > 1)
		put_text(cv, L->x[h] - 2 - w, text, c);
	else
		put_text(cv, L->x[h] + 2, text, c);
}

static void draw_state(struct canvas *cv, const struct layout *L, const struct row *r)
{
	int h = r->host;
	int w = demo_text_width(r->text);

	if (h == 0) {
		put_text(cv, L->x[0] - 2 - w + 1, r->text, COL_STATE);
		if (*r->cause)
			draw_beside(cv, L, 0, r->cause, COL_DIM);
	} else if (h == L->nhosts - 1) {
		put_text(cv, L->x[h] + 2, r->text, COL_STATE);
		if (*r->cause)
			draw_beside(cv, L, h, r->cause, COL_DIM);
	} else {
		int end = put_text(cv, L->x[h] + 2, r->text, COL_STATE);
		if (*r->cause) {
			put_text(cv, end + 1, "(", COL_DIM);
			end = put_text(cv, end + 2, r->cause, COL_DIM);
			put_text(cv, end, ")", COL_DIM);
		}
	}
}

static void header(FILE *out, struct canvas *cv, const struct layout *L, const struct demo *d, const struct glyphs *g,
		   bool color)
{
	clear(cv);
	put_text(cv, 0, demo_tr(d, "time (ms)"), COL_NONE);
	for (int h = 0; h < L->nhosts; h++) {
		int w = demo_text_width(d->host[h].name);
		put_text(cv, L->x[h] - w / 2, d->host[h].name, COL_STATE);
	}
	emit(out, cv, color);
	clear(cv);
	for (int h = 0; h < L->nhosts; h++) {
		int w = demo_text_width(d->host[h].addr);
		int x = L->x[h] - w / 2;
		if (h == L->nhosts - 1 && x + w > L->width)
			x = L->width - w;
		if (h == 0 && x < L->time_w)
			x = L->time_w;
		put_text(cv, x, d->host[h].addr, COL_DIM);
	}
	emit(out, cv, color);
	clear(cv);
	timelines(cv, L, g, 0);
	emit(out, cv, color);
}

void demo_render_text(FILE *out, const struct demo *d)
{
	struct layout L;
	const struct glyphs *g = d->opt->ascii ? &ascii_glyphs : &utf8_glyphs;
	bool color = d->opt->color;

	if (demo_layout(d, &L) != 0) {
		fprintf(stderr, "synfin demo: out of memory\n");
		return;
	}
	struct canvas cv = { calloc((size_t)L.width + 8, sizeof(struct cell)), L.width + 8 };
	if (!cv.c) {
		demo_layout_free(&L);
		return;
	}
	header(out, &cv, &L, d, g, color);
	uint8_t down = 0;
	for (size_t i = 0; i < L.n; i++) {
		const struct row *r = &L.rows[i];
		clear(&cv);
		down = r->down;
		timelines(&cv, &L, g, r->down);
		if (r->show_time) {
			char tb[32];
			demo_time_text(r->t, tb, sizeof tb);
			put_text(&cv, L.time_w - 1 - (int)strlen(tb), tb, COL_NONE);
		}
		switch (r->kind) {
		case ROW_ARROW:
			draw_arrow(&cv, &L, g, r);
			break;
		case ROW_LABEL:
			draw_label(&cv, &L, r);
			break;
		case ROW_STATE:
			draw_state(&cv, &L, r);
			break;
		case ROW_NOTE:
			draw_beside(&cv, &L, r->host, r->text, r->color);
			break;
		case ROW_GAP: {
			for (int h = 0; h < L.nhosts; h++)
				put(&cv, L.x[h], g->vdots, COL_NONE);
			int w = demo_text_width(r->text);
			put_text(&cv, L.x[0] + (L.gap - w) / 2 + 1, r->text, COL_DIM);
			break;
		}
		}
		emit(out, &cv, color);
	}
	clear(&cv);
	timelines(&cv, &L, g, down);
	emit(out, &cv, color);

	if (d->nconn > 1) {
		fprintf(out, "\n%s:\n", demo_tr(d, "Connections"));
		for (int i = 0; i < d->nconn; i++) {
			char a[64], b[64];
			sf_addr_format(&d->conn[i].a.addr, a, sizeof a);
			sf_addr_format(&d->conn[i].b.addr, b, sizeof b);
			fprintf(out, "  #%-3d %s:%u %s %s:%u\n", i + 1, a, d->conn[i].a.port, d->opt->ascii ? "<->" : "⇄",
				b, d->conn[i].b.port);
		}
	}
	free(cv.c);
	demo_layout_free(&L);
}
