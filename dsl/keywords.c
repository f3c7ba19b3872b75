// SPDX-License-Identifier: GPL-2.0-only
/*
 * keywords.c - the keyword table and "did you mean" suggestions.
 *
 * The table is sorted (tests/rules/keywords checks it) so that lookup is a
 * binary search and the reference in vxfwd.rules(5) reads in order.
 *
 * The words of the engine block (engine, backend, workers, ...) came after
 * files were written that may use them as names: the grammar takes them as
 * names too, wherever a name may appear (flag DSL_KW_NAME).
 */
#include <stdlib.h>
#include <string.h>

#include "dsl_int.h"
#include "parser.tab.h"

const struct dsl_keyword dsl_keywords[] = {
	{ "any", KW_ANY },
	{ "auto", KW_AUTO },
	{ "backend", KW_BACKEND, DSL_KW_NAME },
	{ "batch", KW_BATCH, DSL_KW_NAME },
	{ "busy-poll", KW_BUSY_POLL, DSL_KW_NAME },
	{ "cpus", KW_CPUS, DSL_KW_NAME },
	{ "define", KW_DEFINE },
	{ "dnat", KW_DNAT },
	{ "egress", KW_EGRESS },
	{ "engine", KW_ENGINE, DSL_KW_NAME },
	{ "forward", KW_FORWARD },
	{ "from", KW_FROM },
	{ "generic", KW_GENERIC },
	{ "health", KW_HEALTH, DSL_KW_NAME },
	{ "id", KW_ID },
	{ "include", KW_INCLUDE },
	{ "ingress", KW_INGRESS },
	{ "listen", KW_LISTEN, DSL_KW_NAME },
	{ "mac", KW_MAC },
	{ "native", KW_NATIVE },
	{ "next-hop", KW_NEXT_HOP },
	{ "org", KW_ORG },
	{ "port", KW_PORT },
	{ "qdisc-bypass", KW_QDISC_BYPASS, DSL_KW_NAME },
	{ "ring-size", KW_RING_SIZE, DSL_KW_NAME },
	{ "sched", KW_SCHED, DSL_KW_NAME },
	{ "set", KW_SET },
	{ "tcp", KW_TCP },
	{ "to", KW_TO },
	{ "udp", KW_UDP },
	{ "vni", KW_VNI },
	{ "vxlan", KW_VXLAN },
	{ "workers", KW_WORKERS, DSL_KW_NAME },
	{ "xdp-mode", KW_XDP_MODE },
};

const size_t dsl_n_keywords = sizeof(dsl_keywords) / sizeof(dsl_keywords[0]);

static int kw_cmp(const void *key, const void *elem)
{
	const struct dsl_keyword *kw = elem;

	return strcmp(key, kw->name);
}

/* The token of keyword `word`, or 0 when it is not one. */
int dsl_keyword_lookup(const char *word)
{
	const struct dsl_keyword *kw;

	kw = bsearch(word, dsl_keywords, dsl_n_keywords, sizeof(dsl_keywords[0]), kw_cmp);
	return kw ? kw->token : 0;
}

static const struct dsl_keyword *keyword_by_token(int token)
{
	size_t i;

	for (i = 0; i < dsl_n_keywords; i++)
		if (dsl_keywords[i].token == token)
			return &dsl_keywords[i];
	return NULL;
}

/* The word of keyword `token` ("" when it is not one). */
const char *dsl_keyword_name(int token)
{
	const struct dsl_keyword *kw = keyword_by_token(token);

	return kw ? kw->name : "";
}

/* May keyword `token` also stand for a name (interface, set, rule, macro)? */
int dsl_keyword_is_name(int token)
{
	const struct dsl_keyword *kw = keyword_by_token(token);

	return kw && (kw->flags & DSL_KW_NAME);
}

static unsigned int min3(unsigned int a, unsigned int b, unsigned int c)
{
	unsigned int m = a < b ? a : b;

	return m < c ? m : c;
}

/* Levenshtein distance over bytes; words longer than 63 bytes are "far". */
unsigned int dsl_edit_distance(const char *a, const char *b)
{
	unsigned int row[64], i, j, diag, tmp;
	size_t la = strlen(a), lb = strlen(b);

	if (la >= 64 || lb >= 64)
		return 64;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			row[j] = min3(row[j] + 1, row[j - 1] + 1,
				      diag + (a[i - 1] != b[j - 1]));
			diag = tmp;
		}
	}
	return row[lb];
}

/*
 * The candidate closest to `word`, or NULL when none is close enough: at
 * most a third of the word's length (at least 1, at most 3) edits away.
 */
const char *dsl_suggest(const char *word, const char *const *cands, size_t n)
{
	unsigned int best = ~0u, limit, d;
	const char *pick = NULL;
	size_t i;

	limit = strlen(word) / 3;
	if (limit < 1)
		limit = 1;
	if (limit > 3)
		limit = 3;
	for (i = 0; i < n; i++) {
		if (!cands[i])
			continue;
		d = dsl_edit_distance(word, cands[i]);
		if (d <= limit && d < best) {
			best = d;
			pick = cands[i];
		}
	}
	return pick;
}
