/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dsl_lex.h - state of one scanner (one file), kept in flex's yyextra.
 */
#ifndef VXFWD_DSL_LEX_H
#define VXFWD_DSL_LEX_H

struct dsl_ctx;
struct dsl_src;

struct dsl_lex {
	struct dsl_ctx *ctx;
	struct dsl_src *src;
	int line;		/* 1-based */
	int col;		/* 1-based byte column of the next character */
	int eof_done;		/* the NL that ends the last statement was sent */
};

#endif /* VXFWD_DSL_LEX_H */
