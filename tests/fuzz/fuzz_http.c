// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_http.c - libFuzzer target: any bytes through the health listener's
 * request parser (engine/http_req.c), as a whole and at a small size
 * limit, each from a buffer of exactly their size so that a read past the
 * end is caught.  The verdict must be consistent: a head taken is within
 * the bytes and the limit, has a method and a path starting with '/', and
 * is taken again from its own bytes alone; a head not yet ended is
 * shorter than the limit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *buf, size_t size, size_t max)
{
	enum http_target t;
	struct http_req r, again;
	enum http_verdict v = http_req_parse(buf, size, max, &r);
	int status;

	if (v > HTTP_REQ_VERSION)
		abort();
	if (v == HTTP_REQ_INCOMPLETE) {
		if (size >= max)
			abort(); /* more than the limit must be refused */
		return;
	}
	if (v != HTTP_REQ_OK) {
		status = http_req_status(v);
		if (status < 400 || status > 505 || !r.why)
			abort();
		return;
	}
	if (!r.head_len || r.head_len > size || r.head_len > max || !r.method[0] ||
	    r.path[0] != '/' || memchr(r.path, '?', strlen(r.path)))
		abort();
	status = http_req_route(&r, &t);
	if ((status == 200) != (t != HTTP_T_NONE) || (status != 200 && status != 404 && status != 405))
		abort();
	if (http_req_parse(buf, r.head_len, max, &again) != HTTP_REQ_OK ||
	    strcmp(again.path, r.path) || strcmp(again.method, r.method))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	check(buf, size, 4096);
	check(buf, size, 64);
	free(buf);
	return 0;
}
