/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * opts.h - a subcommand's options as data.  One table per subcommand gives
 * getopt_long() its short and long options, the synopsis of `vxfwd --help`
 * and `vxfwd CMD --help`, and the description of each option, so that what
 * is parsed and what is documented cannot differ.  Every subcommand takes
 * -h/--help besides the options of its table.
 */
#ifndef VXFWD_OPTS_H
#define VXFWD_OPTS_H

#include <getopt.h>
#include <stdio.h>

/* An option, or (in a command's `operands`) an operand with `ch` 0. */
struct opt {
	int ch;		  /* the short option, also what opt_next() returns */
	const char *name; /* the long option, without "--" */
	const char *arg;  /* the argument's name; NULL for a flag */
	const char *help; /* one line */
	int group;	  /* options of one nonzero group exclude each other */
};

struct opt_cmd {
	const char *name;	    /* "run" */
	const char *summary;	    /* what the command does, one sentence */
	const struct opt *opts;	    /* ends with an entry whose ch is 0 */
	const char *synopsis_args;  /* the operands in the synopsis, or NULL */
	int args_group;		    /* the group the operands alternate with, or 0 */
	int in_order;		    /* stop at the first operand (getopt's '+') */
	const struct opt *operands; /* described under "Operands:"; may be NULL */
};

/*
 * The next option of argv, as getopt_long() returns it: the option's `ch`,
 * -1 after the last one, '?' (with getopt's message on stderr) for an
 * unknown option or a missing argument.  -h/--help is skipped: the
 * dispatcher answers it (opt_wants_help()) before the command runs.  Set
 * optind to 0 before the first call.
 */
int opt_next(const struct opt_cmd *c, int argc, char **argv);

/* 1 when argv (argv[0] the command) asks for -h or --help among its options. */
int opt_wants_help(const struct opt_cmd *c, int argc, char **argv);

/* What follows "vxfwd NAME" in the synopsis: " [-jqv] [-f file]". */
void opt_synopsis(const struct opt_cmd *c, FILE *f);

/*
 * The options that name an instance, for a command's table: its rules file
 * or its name, of group `g` when they exclude each other.
 */
#define OPT_INSTANCE_FILE(g)                                                                       \
	{                                                                                          \
		'f', "file", "file",                                                               \
			"Rules file of the instance; its name is the file's base name", (g)        \
	}
#define OPT_INSTANCE_NAME(g)                                                                       \
	{                                                                                          \
		'n', "name", "name", "Name of the instance (default vxfwd)", (g)                   \
	}

/* The table of a command that takes -f file | -n name and nothing else. */
extern const struct opt opt_instance_opts[];

/*
 * Option `c` (with its argument) taken as -f file or -n name, which exclude
 * each other: 0, or -EINVAL when `c` is neither or the other one was given.
 */
int opt_instance(int c, const char *arg, const char **file, const char **name);

/* "usage: vxfwd NAME ...", one line. */
void opt_usage(const struct opt_cmd *c, FILE *f);

/* The usage line, or unless `first` the line under it: "       vxfwd NAME ...". */
void opt_usage_line(const struct opt_cmd *c, int first, FILE *f);

/* The usage line on stderr; returns the exit status of a usage error. */
int opt_usage_error(const struct opt_cmd *c);

/* The usage line, the summary, every operand and option described. */
void opt_help(const struct opt_cmd *c, FILE *f);

#endif /* VXFWD_OPTS_H */
