/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * parser.y - grammar of the rules language (see vxfwd.rules(5)).
 *
 * Ownership: an action that hands a string or value to the AST sets its $n
 * to NULL, so that the %destructor of a symbol discarded during error
 * recovery never frees what the AST holds.
 *
 * Pure and reentrant: the scanner and the load context are parameters.
 * Statements end at a newline or ';'.  A syntax error skips to the end of
 * the statement (or of the enclosing block) and parsing goes on, so that one
 * run reports every error.  Actions only record what was written, with its
 * location; names are resolved and values checked later, in eval.c.
 */
%define api.pure full
%locations
%define parse.error custom
%define api.location.type {struct dsl_loc}
%lex-param {void *scanner}
%parse-param {void *scanner} {struct dsl_ctx *ctx}

%code requires {
#include "dsl_int.h"
}

%code provides {
int yylex(YYSTYPE *lval, YYLTYPE *lloc, void *scanner);
}

%code {
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#define YYLLOC_DEFAULT(cur, rhs, n)						\
	do {									\
		if (n) {							\
			(cur).src = YYRHSLOC(rhs, 1).src;			\
			(cur).first_line = YYRHSLOC(rhs, 1).first_line;		\
			(cur).first_column = YYRHSLOC(rhs, 1).first_column;	\
			(cur).last_line = YYRHSLOC(rhs, n).last_line;		\
			(cur).last_column = YYRHSLOC(rhs, n).last_column;	\
		} else {							\
			(cur).src = YYRHSLOC(rhs, 0).src;			\
			(cur).first_line = (cur).last_line =			\
				YYRHSLOC(rhs, 0).last_line;			\
			(cur).first_column = (cur).last_column =		\
				YYRHSLOC(rhs, 0).last_column;			\
		}								\
	} while (0)

/* An address or prefix as read; one the scanner refused stays marked. */
static struct dsl_val *pfx_val(enum dsl_val_kind kind, unsigned int fam, dsl_u128 addr,
			       unsigned int plen, int bad, const YYLTYPE *loc);

static void yyerror(const YYLTYPE *loc, void *scanner, struct dsl_ctx *ctx, const char *msg)
{
	dsl_error(ctx, loc, "%s", msg);
}
}

%union {
	char *str;
	unsigned long long num;
	struct {
		unsigned int fam;	/* DSL_FAM4 or DSL_FAM6 */
		dsl_u128 addr;
		unsigned int plen;
		int bad;		/* already reported: kept out of every check */
	} pfx;
	__u8 mac[6];
	struct {
		unsigned long long num;
		char *unit;
	} nu;
	struct dsl_val *val;
	struct dsl_vlist *vlist;
	struct dsl_target *tlist;
	int i;
}

%token NL
%token <str> NAME STRING SETREF MACRO
%token <num> NUMBER
%token <nu> NUMUNIT
%token <pfx> ADDR PREFIX
%token <mac> MAC

%token KW_ANY "any"
%token KW_AUTO "auto"
%token KW_BACKEND "backend"
%token KW_BATCH "batch"
%token KW_BUSY_POLL "busy-poll"
%token KW_CPUS "cpus"
%token KW_DEFINE "define"
%token KW_DNAT "dnat"
%token KW_EGRESS "egress"
%token KW_ENGINE "engine"
%token KW_FORWARD "forward"
%token KW_FROM "from"
%token KW_GENERIC "generic"
%token KW_GENEVE "geneve"
%token KW_HEALTH "health"
%token KW_ID "id"
%token KW_INCLUDE "include"
%token KW_INGRESS "ingress"
%token KW_LISTEN "listen"
%token KW_MAC "mac"
%token KW_NATIVE "native"
%token KW_NEXT_HOP "next-hop"
%token KW_ORG "org"
%token KW_PORT "port"
%token KW_QDISC_BYPASS "qdisc-bypass"
%token KW_RING_SIZE "ring-size"
%token KW_SCHED "sched"
%token KW_SET "set"
%token KW_TCP "tcp"
%token KW_TO "to"
%token KW_UDP "udp"
%token KW_VNI "vni"
%token KW_VXLAN "vxlan"
%token KW_WORKERS "workers"
%token KW_XDP_MODE "xdp-mode"

%type <val> endpoint opt_endpoint endpoint_atom portval numval addrval opt_vni opt_natport
%type <val> macro_value quantity opt_prio
%type <vlist> cpu_list port_vals
%type <tlist> targets
%type <str> opt_name ident
%type <i> proto protos xdp_mode name_kw

%destructor { free($$); } <str>
%destructor { free($$.unit); } <nu>
%destructor { dsl_val_free($$); } <val>
%destructor { dsl_vlist_free($$); } <vlist>
%destructor { dsl_target_free($$); } <tlist>

%%

file		: %empty
		| file NL
		| file stmt NL
		| file error NL
		;

stmt		: ingress
		| egress
		| set
		| rule
		| define
		| include
		| engine
		| health
		;

/*
 * A name (interface, set, rule, macro).  The words of the engine block are
 * names too outside it: files written before it may use them.
 */
ident		: NAME
		| name_kw
			{
				$$ = strdup(dsl_keyword_name($1));
				if (!$$)
					YYNOMEM;
			}
		;

name_kw		: KW_BACKEND			{ $$ = KW_BACKEND; }
		| KW_BATCH			{ $$ = KW_BATCH; }
		| KW_BUSY_POLL			{ $$ = KW_BUSY_POLL; }
		| KW_CPUS			{ $$ = KW_CPUS; }
		| KW_ENGINE			{ $$ = KW_ENGINE; }
		| KW_GENEVE			{ $$ = KW_GENEVE; }
		| KW_HEALTH			{ $$ = KW_HEALTH; }
		| KW_LISTEN			{ $$ = KW_LISTEN; }
		| KW_QDISC_BYPASS		{ $$ = KW_QDISC_BYPASS; }
		| KW_RING_SIZE			{ $$ = KW_RING_SIZE; }
		| KW_SCHED			{ $$ = KW_SCHED; }
		| KW_WORKERS			{ $$ = KW_WORKERS; }
		;

/* ---- ingress IF [{ vxlan port N[, M]; geneve port N[, M]; vni A[, B]; xdp-mode MODE }] ---- */

ingress		: KW_INGRESS ident
			{ dsl_ast_ingress(ctx, $2, &@2); $2 = NULL; }
		  ingress_body
			{ ctx->cur_ingress = NULL; }
		;

ingress_body	: %empty
		| '{' ing_seq '}'
		| '{' ing_seq ing_item '}'
		| '{' ing_seq error '}'
		;

ing_seq		: %empty
		| ing_seq NL
		| ing_seq ing_item NL
		| ing_seq error NL
		;

ing_item	: KW_VXLAN KW_PORT port_list
		| KW_GENEVE KW_PORT geneve_list
		| KW_VNI vni_list
		| KW_XDP_MODE xdp_mode
			{ dsl_ast_xdp_mode(ctx, $2, &@2); }
		;

port_list	: numval			{ dsl_ast_vxlan_port(ctx, $1); }
		| port_list ',' numval		{ dsl_ast_vxlan_port(ctx, $3); }
		;

geneve_list	: numval			{ dsl_ast_geneve_port(ctx, $1); }
		| geneve_list ',' numval	{ dsl_ast_geneve_port(ctx, $3); }
		;

vni_list	: numval			{ dsl_ast_vni(ctx, $1); }
		| vni_list ',' numval		{ dsl_ast_vni(ctx, $3); }
		;

xdp_mode	: KW_AUTO			{ $$ = VXFWD_XDP_AUTO; }
		| KW_NATIVE			{ $$ = VXFWD_XDP_NATIVE; }
		| KW_GENERIC			{ $$ = VXFWD_XDP_GENERIC; }
		;

/* ---- egress IF [{ next-hop mac XX:XX:XX:XX:XX:XX }] ---- */

egress		: KW_EGRESS ident
			{ dsl_ast_egress(ctx, $2, &@2); $2 = NULL; }
		  egress_body
			{ ctx->cur_egress = NULL; }
		;

egress_body	: %empty
		| '{' eg_seq '}'
		| '{' eg_seq eg_item '}'
		| '{' eg_seq error '}'
		;

eg_seq		: %empty
		| eg_seq NL
		| eg_seq eg_item NL
		| eg_seq error NL
		;

eg_item		: KW_NEXT_HOP KW_MAC MAC
			{ dsl_ast_nh_mac(ctx, $3, &@3); }
		;

/* ---- set NAME { member... } ---- */

set		: KW_SET ident '{'
			{ dsl_ast_set_begin(ctx, $2, &@2); $2 = NULL; }
		  set_close
			{ ctx->cur_set = NULL; }
		;

set_close	: set_body '}'
		| set_body error '}'
		;

set_body	: %empty
		| set_body NL
		| set_body ','
		| set_body member
		| set_body org
		| set_body error NL
		;

member		: ADDR
			{ dsl_ast_member(ctx, pfx_val(DSL_V_ADDR, $1.fam, $1.addr, $1.plen, $1.bad, &@1)); }
		| PREFIX
			{ dsl_ast_member(ctx, pfx_val(DSL_V_PREFIX, $1.fam, $1.addr, $1.plen, $1.bad, &@1)); }
		| SETREF
			{ dsl_ast_member(ctx, dsl_ast_named(DSL_V_SET, $1, &@1)); }
		| MACRO
			{ dsl_ast_member(ctx, dsl_ast_named(DSL_V_MACRO, $1, &@1)); }
		;

org		: KW_ORG STRING KW_ID numval '{'
			{ dsl_ast_org_begin(ctx, $2, $4, &@2); $2 = NULL; $4 = NULL; }
		  org_close
			{ ctx->cur_org = NULL; }
		;

org_close	: set_body '}'
		| set_body error '}'
		;

/*
 * ---- forward [NAME] PROTO[, PROTO] from SRC to [DST] port P[-Q][, ...]
 *	[vni N[-M]] dnat ADDR [port N][, ADDR [port N] ...] ----
 */

rule		: KW_FORWARD opt_name protos KW_FROM endpoint KW_TO opt_endpoint
		  KW_PORT port_vals opt_vni KW_DNAT targets
			{
				struct dsl_rule r = {
					.name = $2,
					.loc = @1,
					.name_loc = $2 ? @2 : @1,
					.protos = (unsigned int)$3,
					.src = $5,
					.dst = $7,
					.ports = $9,
					.vni = $10,
					.targets = $12,
				};

				dsl_ast_rule(ctx, &r);
			}
		;

opt_name	: %empty			{ $$ = NULL; }
		| ident
		;

proto		: KW_UDP			{ $$ = DSL_PROTO_UDP; }
		| KW_TCP			{ $$ = DSL_PROTO_TCP; }
		;

protos		: proto
		| protos ',' proto		{ $$ = $1 | $3; }
		;

port_vals	: portval			{ $$ = NULL; dsl_vlist_append(ctx, &$$, $1); }
		| port_vals ',' portval		{ $$ = $1; dsl_vlist_append(ctx, &$$, $3); }
		;

endpoint	: endpoint_atom
		| '!' endpoint_atom
			{
				$$ = $2;
				if ($$) {
					$$->neg = 1;
					$$->loc = @$;
				}
			}
		;

endpoint_atom	: KW_ANY			{ $$ = dsl_val_new(DSL_V_ANY, &@1); }
		| ADDR		{ $$ = pfx_val(DSL_V_ADDR, $1.fam, $1.addr, $1.plen, $1.bad, &@1); }
		| PREFIX	{ $$ = pfx_val(DSL_V_PREFIX, $1.fam, $1.addr, $1.plen, $1.bad, &@1); }
		| SETREF			{ $$ = dsl_ast_named(DSL_V_SET, $1, &@1); }
		| MACRO				{ $$ = dsl_ast_named(DSL_V_MACRO, $1, &@1); }
		;

opt_endpoint	: %empty			{ $$ = NULL; }
		| endpoint
		;

portval		: numval
		| NUMBER '-' NUMBER		{ $$ = dsl_ast_range($1, $3, &@$); }
		;

numval		: NUMBER			{ $$ = dsl_ast_range($1, $1, &@1); }
		| MACRO				{ $$ = dsl_ast_named(DSL_V_MACRO, $1, &@1); }
		;

addrval		: ADDR		{ $$ = pfx_val(DSL_V_ADDR, $1.fam, $1.addr, $1.plen, $1.bad, &@1); }
		| MACRO				{ $$ = dsl_ast_named(DSL_V_MACRO, $1, &@1); }
		;

opt_vni		: %empty			{ $$ = NULL; }
		| KW_VNI portval		{ $$ = $2; }
		;

/* `ADDR [port N], ADDR [port N], ...`: every target gets a copy */
targets		: addrval opt_natport		{ $$ = dsl_target_append(ctx, NULL, $1, $2); }
		| targets ',' addrval opt_natport
			{ $$ = dsl_target_append(ctx, $1, $3, $4); }
		;

opt_natport	: %empty			{ $$ = NULL; }
		| KW_PORT numval		{ $$ = $2; }
		;

/* ---- define NAME = VALUE ---- */

define		: KW_DEFINE ident '=' macro_value
			{ dsl_ast_macro(ctx, $2, &@2, $4); }
		;

macro_value	: ADDR		{ $$ = pfx_val(DSL_V_ADDR, $1.fam, $1.addr, $1.plen, $1.bad, &@1); }
		| PREFIX	{ $$ = pfx_val(DSL_V_PREFIX, $1.fam, $1.addr, $1.plen, $1.bad, &@1); }
		| NUMBER			{ $$ = dsl_ast_range($1, $1, &@1); }
		| NUMBER '-' NUMBER		{ $$ = dsl_ast_range($1, $3, &@$); }
		| SETREF			{ $$ = dsl_ast_named(DSL_V_SET, $1, &@1); }
		;

/* ---- engine { backend B; workers N; cpus C[, C]; sched P [PRIO]; ... } ---- */

engine		: KW_ENGINE '{'
			{ dsl_ast_engine(ctx, &@1); }
		  eng_close
			{ ctx->cur_engine = NULL; }
		;

eng_close	: eng_seq '}'
		| eng_seq eng_item '}'
		| eng_seq error '}'
		;

eng_seq		: %empty
		| eng_seq NL
		| eng_seq eng_item NL
		| eng_seq error NL
		;

eng_item	: KW_BACKEND NAME
			{ dsl_ast_eng_item(ctx, DSL_ENG_BACKEND, &@1, $2, &@2, NULL, NULL); }
		| KW_WORKERS numval
			{ dsl_ast_eng_item(ctx, DSL_ENG_WORKERS, &@1, NULL, NULL, $2, NULL); }
		| KW_CPUS cpu_list
			{ dsl_ast_eng_item(ctx, DSL_ENG_CPUS, &@1, NULL, NULL, NULL, $2); }
		| KW_SCHED NAME opt_prio
			{ dsl_ast_eng_item(ctx, DSL_ENG_SCHED, &@1, $2, &@2, $3, NULL); }
		| KW_BUSY_POLL quantity
			{ dsl_ast_eng_item(ctx, DSL_ENG_BUSY_POLL, &@1, NULL, NULL, $2, NULL); }
		| KW_RING_SIZE quantity
			{ dsl_ast_eng_item(ctx, DSL_ENG_RING_SIZE, &@1, NULL, NULL, $2, NULL); }
		| KW_BATCH numval
			{ dsl_ast_eng_item(ctx, DSL_ENG_BATCH, &@1, NULL, NULL, $2, NULL); }
		| KW_QDISC_BYPASS NAME
			{ dsl_ast_eng_item(ctx, DSL_ENG_QDISC_BYPASS, &@1, $2, &@2, NULL, NULL); }
		;

cpu_list	: portval			{ $$ = NULL; dsl_vlist_append(ctx, &$$, $1); }
		| cpu_list ',' portval		{ $$ = $1; dsl_vlist_append(ctx, &$$, $3); }
		;

opt_prio	: %empty			{ $$ = NULL; }
		| numval
		;

/* A number, or a number with a unit (50us, 4M) that engine_block.c applies. */
quantity	: numval
		| NUMUNIT
			{
				$$ = dsl_ast_range($1.num, $1.num, &@1);
				if ($$)
					$$->name = $1.unit;
				else
					free($1.unit);
			}
		;

/* ---- health listen ADDR port N ---- */

health		: KW_HEALTH KW_LISTEN addrval KW_PORT numval
			{ dsl_ast_health(ctx, &@1, $3, $5); $3 = NULL; $5 = NULL; }
		;

/* ---- include "PATH" ---- */

include		: KW_INCLUDE STRING
			{ dsl_include(ctx, $2, &@2); free($2); }
		;

%%

static struct dsl_val *pfx_val(enum dsl_val_kind kind, unsigned int fam, dsl_u128 addr,
			       unsigned int plen, int bad, const YYLTYPE *loc)
{
	struct dsl_val *v = dsl_ast_prefix(kind, fam, addr, plen, loc);

	if (v)
		v->bad = bad;
	return v;
}

/* How a token is named in "unexpected X; expected Y" messages. */
static const char *token_desc(yysymbol_kind_t kind, char *buf, size_t len)
{
	const char *name;

	switch (kind) {
	case YYSYMBOL_YYEOF:
		return "end of file";
	case YYSYMBOL_NL:
		return "end of line";
	case YYSYMBOL_NAME:
		return "name";
	case YYSYMBOL_STRING:
		return "string";
	case YYSYMBOL_SETREF:
		return "set reference";
	case YYSYMBOL_MACRO:
		return "macro";
	case YYSYMBOL_NUMBER:
		return "number";
	case YYSYMBOL_NUMUNIT:
		return "number with a unit";
	case YYSYMBOL_ADDR:
		return "address";
	case YYSYMBOL_PREFIX:
		return "prefix";
	case YYSYMBOL_MAC:
		return "MAC address";
	default:
		break;
	}
	name = yysymbol_name(kind);
	if (dsl_keyword_lookup(name)) {
		snprintf(buf, len, "'%s'", name);
		return buf;
	}
	return name;
}

static int report_unknown_word(struct dsl_ctx *ctx, const YYLTYPE *loc,
			       const yysymbol_kind_t *exp, int n)
{
	const char *words[YYNTOKENS], *pick;
	size_t k = 0;
	int i;

	for (i = 0; i < n; i++)
		if (dsl_keyword_lookup(yysymbol_name(exp[i])))
			words[k++] = yysymbol_name(exp[i]);
	pick = dsl_suggest(ctx->last_word, words, k);
	if (!pick)
		return 0;
	dsl_error(ctx, loc, "unknown keyword '%s'; did you mean '%s'?", ctx->last_word, pick);
	return 1;
}

/* `forward icmp from`: the word taken as a rule name was meant as the protocol. */
static int report_protocol(struct dsl_ctx *ctx, const yysymbol_kind_t *exp, int n)
{
	static const char *const protos[] = { "tcp", "udp" };
	const char *pick;
	int i;

	for (i = 0; i < n && exp[i] != YYSYMBOL_KW_UDP; i++)
		;
	if (i == n)
		return 0;
	pick = dsl_suggest(ctx->prev_word, protos, 2);
	if (pick)
		dsl_error(ctx, &ctx->prev_loc, "unknown protocol '%s'; did you mean '%s'?",
			  ctx->prev_word, pick);
	else
		dsl_error(ctx, &ctx->prev_loc, "unknown protocol '%s'; expected 'tcp' or 'udp'",
			  ctx->prev_word);
	return 1;
}

/* Where a name is expected, the keywords that may be names go unsaid. */
static int drop_name_keywords(yysymbol_kind_t *exp, int n)
{
	int i, k, name = 0;

	for (i = 0; i < n; i++)
		name |= exp[i] == YYSYMBOL_NAME;
	if (!name)
		return n;
	for (i = k = 0; i < n; i++)
		if (!dsl_keyword_is_name(dsl_keyword_lookup(yysymbol_name(exp[i]))))
			exp[k++] = exp[i];
	return k;
}

static int yyreport_syntax_error(const yypcontext_t *pctx, void *scanner, struct dsl_ctx *ctx)
{
	yysymbol_kind_t exp[YYNTOKENS], tok = yypcontext_token(pctx);
	const YYLTYPE *loc = yypcontext_location(pctx);
	char msg[512], tbuf[64], ebuf[64];
	const char *what;
	size_t off = 0;
	int n, i;

	n = yypcontext_expected_tokens(pctx, exp, YYNTOKENS);
	if (n < 0)
		return n;
	n = drop_name_keywords(exp, n);
	if (tok == YYSYMBOL_KW_FROM && ctx->prev_tok == NAME && report_protocol(ctx, exp, n))
		return 0;
	if (tok == YYSYMBOL_NAME && report_unknown_word(ctx, loc, exp, n))
		return 0;

	what = token_desc(tok, tbuf, sizeof(tbuf));
	if (tok == YYSYMBOL_NAME)
		off = snprintf(msg, sizeof(msg), "unexpected word '%s'", ctx->last_word);
	else if (tok == YYSYMBOL_NUMUNIT)
		off = snprintf(msg, sizeof(msg), "unexpected '%s'", ctx->last_word);
	else if (tok == YYSYMBOL_NL && dsl_loc_char(loc) == ';')
		off = snprintf(msg, sizeof(msg), "unexpected ';'");
	else
		off = snprintf(msg, sizeof(msg), "unexpected %s", what);

	if (n > 0 && n <= 10) {
		off += snprintf(msg + off, sizeof(msg) - off, "; expected ");
		for (i = 0; i < n && off < sizeof(msg); i++)
			off += snprintf(msg + off, sizeof(msg) - off, "%s%s",
					i == 0 ? "" : i == n - 1 ? " or " : ", ",
					token_desc(exp[i], ebuf, sizeof(ebuf)));
	}
	dsl_error(ctx, loc, "%s", msg);
	return 0;
}
