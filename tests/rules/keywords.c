// SPDX-License-Identifier: GPL-2.0-only
/*
 * keywords.c - the keyword table is sorted, unique, found by lookup, and
 * every keyword is documented in vxfwd.rules(5) (argv[1], optional).
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
	free(text);
	return bad;
}

int main(int argc, char **argv)
{
	int bad = check_order() | check_suggest();

	if (argc > 1)
		bad |= check_manual(argv[1]);
	if (!bad)
		printf("keywords: %zu keywords, sorted and documented\n", dsl_n_keywords);
	return bad;
}
