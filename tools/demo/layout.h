/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The diagram as rows: one column per host (its timeline), time running
 * down, one event per row (a segment's label may take more rows). The text
 * and SVG renderers draw the same rows.
 */
#ifndef SYNFIN_DEMO_LAYOUT_H
#define SYNFIN_DEMO_LAYOUT_H

#include "demo.h"

enum row_kind {
	ROW_ARROW, /* a segment: the arrow and the first line of its label */
	ROW_LABEL, /* more of a segment's label */
	ROW_STATE, /* a state change beside the host's timeline */
	ROW_NOTE,  /* a timer, a discard, the application, a crash, a remark */
	ROW_GAP,   /* a long stretch of quiet time */
};

enum row_color {
	COL_NONE,
	COL_STATE,
	COL_SYN,
	COL_FIN,
	COL_RST,
	COL_DATA,
	COL_LOST,
	COL_TIMER,
	COL_APP,
	COL_DIM,
	COL_CRASH,
	COL_NOTE,
	COL__COUNT
};

struct row {
	enum row_kind kind;
	long ev;          /* the event, -1 for a gap */
	uint64_t t;
	bool show_time;
	int host;         /* STATE/NOTE: whose timeline; ARROW/LABEL: the sender */
	int peer;         /* ARROW/LABEL: the receiver (-1: nowhere) */
	bool lost;        /* ARROW: died on the way */
	bool at_receiver; /* ARROW, lost: died at the receiver (host down) */
	int died_at;      /* ARROW, lost: the router whose column it died at, or -1 */
	char text[192];   /* label line, note text, or state label */
	char cause[96];   /* STATE: why */
	enum row_color color;
	uint8_t down;     /* hosts that are down during this row (bit mask) */
};

struct layout {
	struct row *rows;
	size_t n, cap;
	int nhosts;
	int time_w;   /* the time column */
	int state_w;  /* the state column on each side */
	int gap;      /* columns between two timelines */
	int width;
	int x[DEMO_MAX_HOSTS]; /* column of each timeline */
};

/** Lay out d's trace. 0, or -1 when out of memory. */
int demo_layout(const struct demo *d, struct layout *L);
void demo_layout_free(struct layout *L);
/** The colour of a segment by its flags. */
enum row_color demo_seg_color(const struct sf_segment *seg);

#endif
