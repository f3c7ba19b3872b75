// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_rules.c - libFuzzer target: any bytes through the whole rules
 * compiler (scan, parse, evaluate, compile, print diagnostics and the
 * dump).  `include` is disabled so that inputs cannot read the host's files.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsl_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct vxfwd_ruleset *rs = NULL;
	char *text;

	if (!sink)
		sink = fopen("/dev/null", "w");
	if (!sink)
		abort();
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (vxfwd_dsl_load("fuzz.rules", text, DSL_F_NO_INCLUDE, NULL, sink, &rs) == 0) {
		if (!rs || !rs->n_ops)
			abort();	/* success must yield a ruleset with a CFG op */
		vxfwd_ruleset_dump(rs, sink);
	} else if (rs) {
		abort();	/* failure must not leave a half-built ruleset */
	}
	vxfwd_ruleset_free(rs);
	free(text);
	return 0;
}
