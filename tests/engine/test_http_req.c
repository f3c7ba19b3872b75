// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_http_req.c - the health listener's request parser (engine/http_req.c)
 * against a table of request heads: each with the verdict, the status the
 * listener answers (the parser's refusal, or http_req_route()'s) and, for
 * those it takes, the path.  Every head is also fed in every split: a
 * prefix must be INCOMPLETE, or already the final refusal, never another
 * verdict.
 */
#include <stdio.h>
#include <string.h>

#include "http_req.h"

#define MAX 4096

struct tcase {
	const char *name;
	const char *req;
	size_t len;		/* 0: strlen(req) */
	enum http_verdict want;
	int status;		/* 0: none (INCOMPLETE) */
	const char *path;	/* NULL: not checked */
};

#define H11 "Host: sensor\r\n"

static const struct tcase cases[] = {
	{"good healthz", "GET /healthz HTTP/1.1\r\n" H11 "\r\n", 0, HTTP_REQ_OK, 200, "/healthz"},
	{"good metrics 1.0 no Host", "GET /metrics HTTP/1.0\r\n\r\n", 0, HTTP_REQ_OK, 200,
	 "/metrics"},
	{"headers and OWS", "GET /healthz HTTP/1.1\r\nHost:  sensor \r\nAccept: */*\r\n"
	 "User-Agent: curl/7.88.1\r\n\r\n", 0, HTTP_REQ_OK, 200, "/healthz"},
	{"query string", "GET /healthz?verbose=1&x=%20 HTTP/1.1\r\n" H11 "\r\n", 0, HTTP_REQ_OK,
	 200, "/healthz"},
	{"absolute URI", "GET http://172.30.82.108:9000/metrics HTTP/1.1\r\n" H11 "\r\n", 0,
	 HTTP_REQ_OK, 200, "/metrics"},
	{"absolute URI, no path", "GET HTTP://sensor HTTP/1.1\r\n" H11 "\r\n", 0, HTTP_REQ_OK,
	 404, "/"},
	{"absolute URI, no authority", "GET http:///healthz HTTP/1.1\r\n" H11 "\r\n", 0,
	 HTTP_REQ_BAD, 400, NULL},
	{"other scheme", "GET https://sensor/healthz HTTP/1.1\r\n" H11 "\r\n", 0, HTTP_REQ_BAD,
	 400, NULL},
	{"unknown path", "GET /favicon.ico HTTP/1.1\r\n" H11 "\r\n", 0, HTTP_REQ_OK, 404, NULL},
	{"path prefix", "GET /healthz/x HTTP/1.1\r\n" H11 "\r\n", 0, HTTP_REQ_OK, 404, NULL},
	{"bad method POST", "POST /healthz HTTP/1.1\r\n" H11 "Content-Length: 3\r\n\r\nabc", 0,
	 HTTP_REQ_OK, 405, "/healthz"},
	{"bad method HEAD", "HEAD /healthz HTTP/1.1\r\n" H11 "\r\n", 0, HTTP_REQ_OK, 405, NULL},
	{"lower-case get", "get /healthz HTTP/1.1\r\n" H11 "\r\n", 0, HTTP_REQ_OK, 405, NULL},
	{"method with a slash", "G/T /healthz HTTP/1.1\r\n" H11 "\r\n", 0, HTTP_REQ_BAD, 400,
	 NULL},
	{"method too long", "GETGETGETGETGETGET /healthz HTTP/1.1\r\n" H11 "\r\n", 0,
	 HTTP_REQ_BAD, 400, NULL},
	{"bad version 2.0", "GET /healthz HTTP/2.0\r\n" H11 "\r\n", 0, HTTP_REQ_VERSION, 505,
	 NULL},
	{"bad version 0.9", "GET /healthz HTTP/0.9\r\n\r\n", 0, HTTP_REQ_VERSION, 505, NULL},
	{"HTTP/1.2 is 1.x", "GET /healthz HTTP/1.2\r\n" H11 "\r\n", 0, HTTP_REQ_OK, 200, NULL},
	{"bad version word", "GET /healthz HTTX/1.1\r\n" H11 "\r\n", 0, HTTP_REQ_BAD, 400, NULL},
	{"lower-case version", "GET /healthz http/1.1\r\n" H11 "\r\n", 0, HTTP_REQ_BAD, 400,
	 NULL},
	{"version 1.10", "GET /healthz HTTP/1.10\r\n" H11 "\r\n", 0, HTTP_REQ_BAD, 400, NULL},
	{"no version (0.9 style)", "GET /healthz\r\n\r\n", 0, HTTP_REQ_BAD, 400, NULL},
	{"two spaces", "GET  /healthz HTTP/1.1\r\n" H11 "\r\n", 0, HTTP_REQ_BAD, 400, NULL},
	{"trailing space", "GET /healthz HTTP/1.1 \r\n" H11 "\r\n", 0, HTTP_REQ_BAD, 400, NULL},
	{"missing CRLF: bare LF", "GET /healthz HTTP/1.1\n" "Host: sensor\n\n", 0, HTTP_REQ_BAD,
	 400, NULL},
	{"missing CRLF: bare CR", "GET /healthz HTTP/1.1\rHost: x\r\n\r\n", 0, HTTP_REQ_BAD, 400,
	 NULL},
	{"LF ending the head only", "GET /healthz HTTP/1.1\r\n" H11 "\n", 0, HTTP_REQ_BAD, 400,
	 NULL},
	{"missing final CRLF", "GET /healthz HTTP/1.1\r\n" H11, 0, HTTP_REQ_INCOMPLETE, 0, NULL},
	{"header folding SP", "GET /healthz HTTP/1.1\r\n" H11 "X-A: one\r\n two\r\n\r\n", 0,
	 HTTP_REQ_BAD, 400, NULL},
	{"header folding HTAB", "GET /healthz HTTP/1.1\r\n" H11 "X-A: one\r\n\ttwo\r\n\r\n", 0,
	 HTTP_REQ_BAD, 400, NULL},
	{"space before colon", "GET /healthz HTTP/1.1\r\nHost : sensor\r\n\r\n", 0, HTTP_REQ_BAD,
	 400, NULL},
	{"no colon", "GET /healthz HTTP/1.1\r\n" H11 "Garbage\r\n\r\n", 0, HTTP_REQ_BAD, 400,
	 NULL},
	{"empty field name", "GET /healthz HTTP/1.1\r\n" H11 ": x\r\n\r\n", 0, HTTP_REQ_BAD, 400,
	 NULL},
	{"NUL in the path", "GET /heal\0thz HTTP/1.1\r\n" H11 "\r\n", 38, HTTP_REQ_BAD, 400, NULL},
	{"NUL in a header", "GET /healthz HTTP/1.1\r\nHost: se\0nsor\r\n\r\n", 39, HTTP_REQ_BAD,
	 400, NULL},
	{"NUL first", "\0GET /healthz HTTP/1.1\r\n", 24, HTTP_REQ_BAD, 400, NULL},
	{"control char in a value", "GET /healthz HTTP/1.1\r\n" H11 "X-A: a\x01" "b\r\n\r\n", 0,
	 HTTP_REQ_BAD, 400, NULL},
	{"DEL in a value", "GET /healthz HTTP/1.1\r\n" H11 "X-A: a\x7f\r\n\r\n", 0, HTTP_REQ_BAD,
	 400, NULL},
	{"obs-text in a value", "GET /healthz HTTP/1.1\r\n" H11 "X-A: caf\xc3\xa9\r\n\r\n", 0,
	 HTTP_REQ_OK, 200, NULL},
	{"non-ASCII in the path", "GET /h\xc3\xa9 HTTP/1.1\r\n" H11 "\r\n", 0, HTTP_REQ_BAD, 400,
	 NULL},
	{"fragment", "GET /healthz#top HTTP/1.1\r\n" H11 "\r\n", 0, HTTP_REQ_BAD, 400, NULL},
	{"asterisk form", "GET * HTTP/1.1\r\n" H11 "\r\n", 0, HTTP_REQ_BAD, 400, NULL},
	{"relative path", "GET healthz HTTP/1.1\r\n" H11 "\r\n", 0, HTTP_REQ_BAD, 400, NULL},
	{"1.1 without Host", "GET /healthz HTTP/1.1\r\nAccept: */*\r\n\r\n", 0, HTTP_REQ_BAD, 400,
	 NULL},
	{"two Host fields", "GET /healthz HTTP/1.1\r\n" H11 "HOST: other\r\n\r\n", 0,
	 HTTP_REQ_BAD, 400, NULL},
	{"empty line first", "\r\nGET /healthz HTTP/1.1\r\n" H11 "\r\n", 0, HTTP_REQ_BAD, 400,
	 NULL},
	{"empty", "", 0, HTTP_REQ_INCOMPLETE, 0, NULL},
	{"request line only", "GET /healthz HTTP/1.1\r\n", 0, HTTP_REQ_INCOMPLETE, 0, NULL},
	{"ends in CR", "GET /healthz HTTP/1.1\r", 0, HTTP_REQ_INCOMPLETE, 0, NULL},
};

/* A head of `n` bytes: a request line, then X-Pad fields, no end. */
static size_t big_head(char *buf, size_t n)
{
	size_t off = (size_t)snprintf(buf, n, "GET /healthz HTTP/1.1\r\n" H11);

	while (off + 80 < n)
		off += (size_t)snprintf(buf + off, n - off, "X-Pad: %070d\r\n", 0);
	memset(buf + off, 'a', n - off);
	return n;
}

static int fails;

static void check(const char *name, const char *req, size_t len, enum http_verdict want,
		  int status, const char *path)
{
	enum http_target t;
	struct http_req r;
	enum http_verdict v = http_req_parse(req, len, MAX, &r);
	int got = v == HTTP_REQ_OK ? http_req_route(&r, &t) :
		  v == HTTP_REQ_INCOMPLETE ? 0 : http_req_status(v);

	if (v != want || got != status || (path && v == HTTP_REQ_OK && strcmp(path, r.path))) {
		printf("FAIL %s: verdict %d status %d path '%s' (%s); want %d, %d, '%s'\n", name,
		       v, got, r.path, r.why ? r.why : "-", want, status, path ? path : "-");
		fails++;
		return;
	}
	printf("ok %s: %d%s%s\n", name, status, r.why ? ", " : "", r.why ? r.why : "");
}

/*
 * Every prefix: INCOMPLETE, or the same refusal the whole head gets, or OK
 * once it holds the whole head (a body may follow it).
 */
static void check_splits(const struct tcase *c, size_t len)
{
	enum http_verdict v;
	struct http_req r;
	size_t k, head;

	http_req_parse(c->req, len, MAX, &r);
	head = r.head_len ? r.head_len : len + 1;
	for (k = 0; k < len; k++) {
		v = http_req_parse(c->req, k, MAX, &r);
		if (v == HTTP_REQ_INCOMPLETE || (v == c->want && (v != HTTP_REQ_OK || k >= head)))
			continue;
		printf("FAIL %s: the first %zu bytes give verdict %d\n", c->name, k, v);
		fails++;
		return;
	}
}

int main(void)
{
	static char big[MAX * 2];
	struct http_req r;
	size_t i, len;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = cases[i].len ? cases[i].len : strlen(cases[i].req);
		check(cases[i].name, cases[i].req, len, cases[i].want, cases[i].status,
		      cases[i].path);
		check_splits(&cases[i], len);
	}
	check("oversize head (8 KiB)", big, big_head(big, sizeof(big)), HTTP_REQ_TOO_LARGE, 431,
	      NULL);
	check("head of exactly the limit, unfinished", big, big_head(big, MAX),
	      HTTP_REQ_TOO_LARGE, 431, NULL);
	check("head one byte short of the limit", big, big_head(big, MAX - 1),
	      HTTP_REQ_INCOMPLETE, 0, NULL);
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /", 5);
	memcpy(big + 5 + 300, " HTTP/1.1\r\n" H11 "\r\n", 27);
	check("path too long", big, 5 + 300 + 27, HTTP_REQ_URI_TOO_LONG, 414, NULL);
	len = (size_t)snprintf(big, sizeof(big), "GET /healthz HTTP/1.1\r\n" H11 "\r\n");
	http_req_parse(big, len + 10, MAX, &r);
	if (r.head_len != len) {
		printf("FAIL head_len %zu, want %zu (bytes after the head are not its own)\n",
		       r.head_len, len);
		fails++;
	}
	printf("%s: %d failed\n", fails ? "FAIL" : "PASS", fails);
	return fails ? 1 : 0;
}
