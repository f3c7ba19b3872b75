// SPDX-License-Identifier: GPL-2.0-only
/*
 * opts.c - getopt_long() tables, synopsis and help built from a
 * subcommand's option table (opts.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "opts.h"

#define OPT_MAX 24
/* The column the descriptions start at in opt_help(), at least. */
#define HELP_COL 28
/* Where opt_help() folds the summary. */
#define WRAP_COL 80

static const struct opt help_opt = {'h', "help", NULL, "Show this help and exit", 0};

/* getopt's view of one command, rebuilt when another command asks. */
struct getopt_tab {
	const struct opt_cmd *cmd;
	char shorts[2 * OPT_MAX + 4];
	struct option longs[OPT_MAX + 2];
};

static void tab_build(struct getopt_tab *t, const struct opt_cmd *c)
{
	const struct opt *o;
	size_t s = 0, l = 0;

	memset(t, 0, sizeof(*t));
	t->cmd = c;
	if (c->in_order)
		t->shorts[s++] = '+';
	for (o = c->opts; o && o->ch && l < OPT_MAX; o++, l++) {
		t->shorts[s++] = (char)o->ch;
		if (o->arg)
			t->shorts[s++] = ':';
		t->longs[l] = (struct option){o->name, o->arg ? required_argument : no_argument,
					      NULL, o->ch};
	}
	/* A longer table would be documented and not parsed. */
	if (o && o->ch)
		fatalx("%s: more than %d options in its table", c->name, OPT_MAX);
	t->shorts[s] = (char)help_opt.ch;
	t->longs[l] = (struct option){help_opt.name, no_argument, NULL, help_opt.ch};
}

static const struct getopt_tab *tab_for(const struct opt_cmd *c)
{
	static struct getopt_tab t;

	if (t.cmd != c)
		tab_build(&t, c);
	return &t;
}

int opt_next(const struct opt_cmd *c, int argc, char **argv)
{
	const struct getopt_tab *t = tab_for(c);
	int ch;

	do
		ch = getopt_long(argc, argv, t->shorts, t->longs, NULL);
	while (ch == help_opt.ch);
	return ch;
}

int opt_wants_help(const struct opt_cmd *c, int argc, char **argv)
{
	const struct getopt_tab *t = tab_for(c);
	int ch, saved = opterr, help = 0;

	opterr = 0;
	optind = 0;
	while ((ch = getopt_long(argc, argv, t->shorts, t->longs, NULL)) != -1)
		if (ch == help_opt.ch)
			help = 1;
	opterr = saved;
	optind = 0;
	return help;
}

static void put_opt(const struct opt *o, FILE *f)
{
	fprintf(f, "-%c%s%s", o->ch, o->arg ? " " : "", o->arg ? o->arg : "");
}

/* "[-a x | -b y]" for group `g`, the operands last when they alternate too. */
static void put_group(const struct opt_cmd *c, int g, FILE *f)
{
	const struct opt *o;
	const char *sep = "";

	fputs(" [", f);
	for (o = c->opts; o->ch; o++) {
		if (o->group != g)
			continue;
		fputs(sep, f);
		put_opt(o, f);
		sep = " | ";
	}
	if (c->synopsis_args && c->args_group == g)
		fprintf(f, "%s%s", sep, c->synopsis_args);
	fputc(']', f);
}

static int group_seen_before(const struct opt_cmd *c, const struct opt *at)
{
	const struct opt *o;

	for (o = c->opts; o != at; o++)
		if (o->group == at->group)
			return 1;
	return 0;
}

/* Flags outside groups come first, together; then the rest in table order. */
void opt_synopsis(const struct opt_cmd *c, FILE *f)
{
	const struct opt *o;
	int flags = 0;

	for (o = c->opts; o && o->ch; o++) {
		if (o->arg || o->group)
			continue;
		fputs(flags++ ? "" : " [-", f);
		fputc(o->ch, f);
	}
	if (flags)
		fputc(']', f);
	for (o = c->opts; o && o->ch; o++) {
		if (!o->group && !o->arg)
			continue;
		if (!o->group) {
			fputs(" [", f);
			put_opt(o, f);
			fputc(']', f);
		} else if (!group_seen_before(c, o)) {
			put_group(c, o->group, f);
		}
	}
	if (c->synopsis_args && !c->args_group)
		fprintf(f, " %s", c->synopsis_args);
}

const struct opt opt_instance_opts[] = {
	OPT_INSTANCE_FILE(1),
	OPT_INSTANCE_NAME(1),
	{0, NULL, NULL, NULL, 0},
};

int opt_instance(int c, const char *arg, const char **file, const char **name)
{
	if (c == 'f' && !*name)
		*file = arg;
	else if (c == 'n' && !*file)
		*name = arg;
	else
		return -EINVAL;
	return 0;
}

void opt_usage_line(const struct opt_cmd *c, int first, FILE *f)
{
	fprintf(f, "%s vxfwd %s", first ? "usage:" : "      ", c->name);
	opt_synopsis(c, f);
	fputc('\n', f);
}

void opt_usage(const struct opt_cmd *c, FILE *f)
{
	opt_usage_line(c, 1, f);
}

int opt_usage_error(const struct opt_cmd *c)
{
	opt_usage(c, stderr);
	return VXFWD_EXIT_USAGE;
}

static int opt_width(const struct opt *o)
{
	int n = (int)strlen(o->name) + 8; /* " -X, --" and the space after */

	return o->arg ? n + (int)strlen(o->arg) + 3 : n;
}

static void help_line(const struct opt *o, int col, FILE *f)
{
	int n;

	if (!o->ch) {
		fprintf(f, "  %-*s%s\n", col - 2, o->arg, o->help);
		return;
	}
	n = fprintf(f, " -%c, --%s", o->ch, o->name);
	if (o->arg)
		n += fprintf(f, " <%s>", o->arg);
	fprintf(f, "%*s%s\n", col > n ? col - n : 1, "", o->help);
}

/* `text` folded at spaces into lines of at most WRAP_COL, each indented by one. */
static void put_wrapped(const char *text, FILE *f)
{
	const char *p = text, *brk;
	int len;

	while (*p) {
		len = (int)strlen(p);
		if (len > WRAP_COL - 1) {
			for (brk = p + WRAP_COL - 1; brk > p && *brk != ' '; brk--)
				;
			len = brk > p ? (int)(brk - p) : len;
		}
		fprintf(f, " %.*s\n", len, p);
		p += len;
		while (*p == ' ')
			p++;
	}
}

void opt_help(const struct opt_cmd *c, FILE *f)
{
	const struct opt *o;
	int col = HELP_COL;

	for (o = c->opts; o && o->ch; o++)
		if (opt_width(o) + 1 > col)
			col = opt_width(o) + 1;
	for (o = c->operands; o && o->arg; o++)
		if ((int)strlen(o->arg) + 4 > col)
			col = (int)strlen(o->arg) + 4;
	opt_usage(c, f);
	fputc('\n', f);
	put_wrapped(c->summary, f);
	if (c->operands) {
		fputs("\nOperands:\n", f);
		for (o = c->operands; o->arg; o++)
			help_line(o, col, f);
	}
	fputs("\nOptions:\n", f);
	for (o = c->opts; o && o->ch; o++)
		help_line(o, col, f);
	help_line(&help_opt, col, f);
}
