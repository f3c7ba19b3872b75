/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dsl_lex.h - state of one scanner (one file), kept in flex's yyextra.
 */
#ifndef VXFWD_DSL_LEX_H
#define VXFWD_DSL_LEX_H

#include "dsl_int.h"

#define DSL_LEX_MAX_PENDING 8
#define DSL_LEX_MAX_DEPTH 8

/* A token the scanner makes up (a '}' it closes for the user, `port N`). */
struct dsl_lex_tok {
	int tok;
	unsigned long long num;
	struct dsl_loc loc;
};

/* An open block: where its '{' is and what opened it. */
struct dsl_lex_block {
	struct dsl_loc loc;
	int kw;			/* the statement's first keyword */
	char name[64];		/* its name ("" when none was read) */
};

struct dsl_lex {
	struct dsl_ctx *ctx;
	struct dsl_src *src;
	int line;		/* 1-based */
	int col;		/* 1-based byte column of the next character */
	int eof_done;		/* the NL that ends the last statement was sent */

	struct dsl_lex_tok pend[DSL_LEX_MAX_PENDING];	/* returned before the next token */
	int n_pend, i_pend;
	int held;		/* a real token waiting behind pend[] */
	struct dsl_loc held_loc;
	int held_valid;

	int last_tok;		/* last token handed to the parser */
	int stmt_pos;		/* tokens read in the statement so far */
	int stmt_kw;		/* first token of the statement */
	char stmt_name[64];	/* second token, when a name or a string */
	struct dsl_lex_block open[DSL_LEX_MAX_DEPTH];
	int depth;		/* open '{' (may exceed DSL_LEX_MAX_DEPTH) */
};

#endif /* VXFWD_DSL_LEX_H */
