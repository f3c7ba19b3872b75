// SPDX-License-Identifier: GPL-2.0-only
/*
 * keywords.c - the keyword table is sorted, unique, found by lookup, and
 * every keyword is documented in vxfwd.rules(5) (argv[1], optional).  The
 * words of the engine block and of the health statement, and only they, may
 * also stand for names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsl_int.h"

static int check_order(void)
{
	int bad = 0;
	size_t i;

	for (i = 1; i < dsl_n_keywords; i++) {
		if (strcmp(dsl_keywords[i - 1].name, dsl_keywords[i].name) >= 0) {
			fprintf(stderr, "keywords: '%s' before '%s': table not sorted\n",
				dsl_keywords[i - 1].name, dsl_keywords[i].name);
			bad = 1;
		}
	}
	for (i = 0; i < dsl_n_keywords; i++) {
		if (dsl_keyword_lookup(dsl_keywords[i].name) != dsl_keywords[i].token) {
			fprintf(stderr, "keywords: lookup of '%s' fails\n", dsl_keywords[i].name);
			bad = 1;
		}
	}
	if (dsl_keyword_lookup("ens5") || dsl_keyword_lookup("") || dsl_keyword_lookup("zzz")) {
		fprintf(stderr, "keywords: a non-keyword is found\n");
		bad = 1;
	}
	return bad;
}

static const char *const name_words[] = {
	"backend", "batch", "busy-poll", "cpus", "engine", "health", "listen", "qdisc-bypass",
	"ring-size", "sched", "workers",
};

static int is_name_word(const char *w)
{
	size_t i;

	for (i = 0; i < sizeof(name_words) / sizeof(name_words[0]); i++)
		if (!strcmp(w, name_words[i]))
			return 1;
	return 0;
}

static int check_names(void)
{
	const struct dsl_keyword *kw;
	int bad = 0;
	size_t i;

	for (i = 0; i < dsl_n_keywords; i++) {
		kw = &dsl_keywords[i];
		if (strcmp(dsl_keyword_name(kw->token), kw->name)) {
			fprintf(stderr, "keywords: token of '%s' names '%s'\n", kw->name,
				dsl_keyword_name(kw->token));
			bad = 1;
		}
		if (dsl_keyword_is_name(kw->token) != is_name_word(kw->name)) {
			fprintf(stderr, "keywords: '%s' %s a name, expected the opposite\n",
				kw->name, dsl_keyword_is_name(kw->token) ? "may be" : "may not be");
			bad = 1;
		}
	}
	for (i = 0; i < sizeof(name_words) / sizeof(name_words[0]); i++) {
		if (!dsl_keyword_lookup(name_words[i])) {
			fprintf(stderr, "keywords: '%s' is not a keyword\n", name_words[i]);
			bad = 1;
		}
	}
	if (dsl_keyword_is_name(0) || *dsl_keyword_name(0)) {
		fprintf(stderr, "keywords: token 0 is taken for a keyword\n");
		bad = 1;
	}
	return bad;
}

static int check_suggest(void)
{
	static const char *const cands[] = { "forward", "from", "ingress" };

	if (!dsl_suggest("forwrd", cands, 3) || strcmp(dsl_suggest("forwrd", cands, 3), "forward") ||
	    dsl_suggest("xyzzy", cands, 3) || dsl_edit_distance("kitten", "sitting") != 3) {
		fprintf(stderr, "keywords: edit-distance suggestions are wrong\n");
		return 1;
	}
	return 0;
}

/*
 * The list of reserved words in the man page is the table, in its order:
 * one line ".Ic any , auto , ... , xdp-mode ."
 */
static int check_reserved_list(const char *text, const char *path)
{
	char want[1024];
	size_t off = 0, i;

	off += snprintf(want + off, sizeof(want) - off, "\n.Ic");
	for (i = 0; i < dsl_n_keywords && off < sizeof(want); i++)
		off += snprintf(want + off, sizeof(want) - off, " %s %s", dsl_keywords[i].name,
				i + 1 < dsl_n_keywords ? "," : ".\n");
	if (off < sizeof(want) && strstr(text, want))
		return 0;
	fprintf(stderr, "keywords: %s does not list the reserved words as the table has them:%s",
		path, want);
	return 1;
}

/* Each keyword appears in the man page as ".Ic keyword" or "Ic keyword". */
static int check_manual(const char *path)
{
	char *text = NULL, pat[64];
	size_t cap = 0;
	ssize_t len;
	int bad = 0;
	FILE *f;
	size_t i;

	f = fopen(path, "r");
	if (!f) {
		perror(path);
		return 1;
	}
	len = getdelim(&text, &cap, '\0', f);
	fclose(f);
	if (len < 0) {
		free(text);
		return 1;
	}
	for (i = 0; i < dsl_n_keywords; i++) {
		snprintf(pat, sizeof(pat), "Ic %s", dsl_keywords[i].name);
		if (!strstr(text, pat)) {
			fprintf(stderr, "keywords: '%s' is not documented in %s\n",
				dsl_keywords[i].name, path);
			bad = 1;
		}
	}
	bad |= check_reserved_list(text, path);
	free(text);
	return bad;
}

int main(int argc, char **argv)
{
	int bad = check_order() | check_suggest() | check_names();

	if (argc > 1)
		bad |= check_manual(argv[1]);
	if (!bad)
		printf("keywords: %zu keywords, sorted and documented\n", dsl_n_keywords);
	return bad;
}
