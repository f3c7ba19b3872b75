// SPDX-License-Identifier: GPL-2.0-only
/*
 * diag.c - diagnostics, queued while loading and printed GCC style:
 *
 *	In file included from vxfwd.rules:3:
 *	lab.rules:2:19: error: set 'lab' defined twice
 *	set lab { 192.0.2.1 }
 *	    ^~~
 *
 * so that editors can jump to them.  Columns count bytes; tabs in front of
 * the span are repeated in the caret line so the carets line up.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "dsl_int.h"

static const char *const sev_names[] = {
	[DSL_ERROR] = "error",
	[DSL_WARNING] = "warning",
	[DSL_NOTE] = "note",
};

void dsl_diag(struct dsl_ctx *ctx, enum dsl_sev sev, const struct dsl_loc *loc,
	      const char *fmt, ...)
{
	struct dsl_diag *d;
	va_list ap;
	int ret;

	if (sev == DSL_ERROR)
		ctx->errors++;
	else if (sev == DSL_WARNING)
		ctx->warnings++;

	d = calloc(1, sizeof(*d));
	if (!d)
		return;
	d->sev = sev;
	if (loc)
		d->loc = *loc;
	va_start(ap, fmt);
	ret = vasprintf(&d->msg, fmt, ap);
	va_end(ap);
	if (ret < 0) {
		free(d);
		return;
	}
	*ctx->diag_tail = d;
	ctx->diag_tail = &d->next;
}

/* Start of line `line` (1-based) in src, or NULL. */
static const char *find_line(const struct dsl_src *src, int line, size_t *len)
{
	const char *p = src->text, *end = src->text + src->len, *nl;
	int n;

	for (n = 1; n < line && p < end; n++) {
		nl = memchr(p, '\n', end - p);
		if (!nl)
			return NULL;
		p = nl + 1;
	}
	if (n != line || p > end)
		return NULL;
	nl = memchr(p, '\n', end - p);
	*len = nl ? (size_t)(nl - p) : (size_t)(end - p);
	return p;
}

static void print_chain(const struct dsl_src *src, FILE *out)
{
	const struct dsl_src *p;
	int first = 1;

	for (p = src; p->parent; p = p->parent) {
		fprintf(out, "%s %s:%d", first ? "In file included from" : "                 from",
			p->parent->path, p->incl_line);
		fputs(p->parent->parent ? ",\n" : ":\n", out);
		first = 0;
	}
}

/*
 * Lines longer than this are shown as a window around the span, with
 * "..." where they are cut, so that a 10,000-byte line of addresses does
 * not bury the message.
 */
#define DIAG_LINE_MAX 160
#define DIAG_LEAD 60

static void print_source(const struct dsl_loc *loc, FILE *out)
{
	const char *line;
	size_t len, i, first, last, from = 0, to;

	line = find_line(loc->src, loc->first_line, &len);
	if (!line || (!len && line == loc->src->text + loc->src->len))
		return;		/* the end of the file: nothing to show */

	first = loc->first_column > 0 ? (size_t)loc->first_column - 1 : 0;
	last = loc->last_line == loc->first_line && loc->last_column > 0 ?
		(size_t)loc->last_column - 1 : (len ? len - 1 : 0);
	if (last < first)
		last = first;
	to = len;
	if (len > DIAG_LINE_MAX) {
		from = first > DIAG_LEAD ? first - DIAG_LEAD : 0;
		to = from + DIAG_LINE_MAX < len ? from + DIAG_LINE_MAX : len;
		if (last >= to)
			last = to ? to - 1 : 0;
	}
	fprintf(out, "%s%.*s%s\n", from ? "..." : "", (int)(to - from), line + from,
		to < len ? "..." : "");
	if (from)
		fputs("   ", out);
	for (i = from; i < first; i++)
		fputc(i < len && line[i] == '\t' ? '\t' : ' ', out);
	fputc('^', out);
	for (i = first + 1; i <= last; i++)
		fputc('~', out);
	fputc('\n', out);
}

static void print_one(const struct dsl_diag *d, const struct dsl_src **last_src, FILE *out)
{
	const struct dsl_loc *loc = &d->loc;

	if (!loc->src) {
		fprintf(out, "vxfwd: %s: %s\n", sev_names[d->sev], d->msg);
		return;
	}
	if (loc->src != *last_src && loc->src->parent)
		print_chain(loc->src, out);
	*last_src = loc->src;
	if (loc->first_line <= 0) {
		fprintf(out, "%s: %s: %s\n", loc->src->path, sev_names[d->sev], d->msg);
		return;
	}
	fprintf(out, "%s:%d:%d: %s: %s\n", loc->src->path, loc->first_line, loc->first_column,
		sev_names[d->sev], d->msg);
	print_source(loc, out);
}

static int loc_cmp(const struct dsl_loc *a, const struct dsl_loc *b)
{
	int sa = a->src ? a->src->seq : -1, sb = b->src ? b->src->seq : -1;

	if (sa != sb)
		return sa - sb;
	if (a->first_line != b->first_line)
		return a->first_line - b->first_line;
	return a->first_column - b->first_column;
}

/* A diagnostic and the notes after it move together. */
static int group_cmp(const void *pa, const void *pb)
{
	const struct dsl_diag *a = *(const struct dsl_diag *const *)pa;
	const struct dsl_diag *b = *(const struct dsl_diag *const *)pb;
	int c = loc_cmp(&a->loc, &b->loc);

	if (c)
		return c;
	return a->order < b->order ? -1 : a->order > b->order;
}

/*
 * The diagnostics in file order, each followed by its notes: an array of
 * the first diagnostic of each group, or NULL (no memory: emission order).
 */
static struct dsl_diag **diag_groups(struct dsl_ctx *ctx, size_t *n_out)
{
	struct dsl_diag *d, **groups;
	size_t n = 0;

	for (d = ctx->diags; d; d = d->next)
		if (d->sev != DSL_NOTE || d == ctx->diags)
			d->order = n++;
	*n_out = n;
	groups = calloc(n ? n : 1, sizeof(*groups));
	if (!groups)
		return NULL;
	for (d = ctx->diags; d; d = d->next)
		if (d->sev != DSL_NOTE || d == ctx->diags)
			groups[d->order] = d;
	qsort(groups, n, sizeof(*groups), group_cmp);
	return groups;
}

static int diag_shown(const struct dsl_ctx *ctx, const struct dsl_diag *d)
{
	return !(d->sev == DSL_WARNING && (ctx->flags & VXFWD_DSL_F_QUIET));
}

/* Print every queued diagnostic, in file order, and forget them. */
void dsl_diag_flush(struct dsl_ctx *ctx, FILE *out)
{
	const struct dsl_src *last_src = NULL;
	struct dsl_diag *d, **groups;
	size_t n = 0, i;

	groups = diag_groups(ctx, &n);
	if (!groups) {
		/* no memory to sort: emission order is still right, only less tidy */
		for (d = ctx->diags; d; d = d->next)
			if (!(ctx->flags & VXFWD_DSL_F_QUIET) || d->sev == DSL_ERROR)
				print_one(d, &last_src, out);
		goto out;
	}
	for (i = 0; i < n; i++) {
		d = groups[i];
		if (!diag_shown(ctx, d))
			continue;
		do {
			print_one(d, &last_src, out);
			d = d->next;
		} while (d && d->sev == DSL_NOTE);
	}
out:
	free(groups);
	fflush(out);
	dsl_diag_free(ctx);
}

static void diag_rec(const struct dsl_diag *d, struct vxfwd_diag_rec *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->severity = sev_names[d->sev];
	rec->message = d->msg;
	if (!d->loc.src)
		return;
	rec->file = d->loc.src->path;
	if (d->loc.src->parent) {
		rec->included_from = d->loc.src->parent->path;
		rec->included_line = (unsigned int)d->loc.src->incl_line;
	}
	if (d->loc.first_line <= 0)
		return;
	rec->line = (unsigned int)d->loc.first_line;
	rec->column = d->loc.first_column > 0 ? (unsigned int)d->loc.first_column : 0;
	rec->end_line = d->loc.last_line > 0 ? (unsigned int)d->loc.last_line : rec->line;
	rec->end_column = d->loc.last_column > 0 ? (unsigned int)d->loc.last_column :
						   rec->column;
}

/* One diagnostic and the notes after it, as records. */
static void emit_group(const struct dsl_diag *d, const struct vxfwd_diag_sink *sink)
{
	struct vxfwd_diag_rec rec, *notes = NULL;
	const struct dsl_diag *n;
	size_t k = 0;

	for (n = d->next; n && n->sev == DSL_NOTE; n = n->next)
		k++;
	if (k)
		notes = calloc(k, sizeof(*notes));
	diag_rec(d, &rec);
	if (notes) {
		for (k = 0, n = d->next; n && n->sev == DSL_NOTE; n = n->next)
			diag_rec(n, &notes[k++]);
		rec.notes = notes;
		rec.n_notes = k;
	}
	sink->fn(sink->arg, &rec);
	free(notes);
}

/* Hand every queued diagnostic to `sink`, in file order, and forget them. */
void dsl_diag_emit(struct dsl_ctx *ctx, const struct vxfwd_diag_sink *sink)
{
	struct dsl_diag *d, **groups;
	size_t n = 0, i;

	groups = diag_groups(ctx, &n);
	if (!groups) {
		/* no memory to sort: every one alone, in emission order */
		for (d = ctx->diags; d; d = d->next)
			if (d->sev != DSL_NOTE && diag_shown(ctx, d))
				emit_group(d, sink);
	}
	for (i = 0; groups && i < n; i++)
		if (diag_shown(ctx, groups[i]))
			emit_group(groups[i], sink);
	free(groups);
	dsl_diag_free(ctx);
}

void dsl_diag_free(struct dsl_ctx *ctx)
{
	struct dsl_diag *d, *next;

	for (d = ctx->diags; d; d = next) {
		next = d->next;
		free(d->msg);
		free(d);
	}
	ctx->diags = NULL;
	ctx->diag_tail = &ctx->diags;
}

/* The byte at the start of `loc`, or -1. */
int dsl_loc_char(const struct dsl_loc *loc)
{
	const char *line;
	size_t len;

	if (!loc->src || loc->first_line <= 0 || loc->first_column <= 0)
		return -1;
	line = find_line(loc->src, loc->first_line, &len);
	if (!line || (size_t)loc->first_column > len)
		return -1;
	return (unsigned char)line[loc->first_column - 1];
}
