/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * http_req.h - the health listener's HTTP/1.x request head parser.
 *
 * Pure: bytes in, a verdict out; no sockets, no allocation, no state kept
 * between calls (the caller passes everything received so far, again and
 * again), so that tests/fuzz/fuzz_http.c can feed it anything.  What it
 * takes (RFC 9112, strictly):
 *
 *   METHOD SP request-target SP HTTP/1.x CRLF
 *   *( field-name ":" OWS field-value OWS CRLF )
 *   CRLF
 *
 * Lines end with CRLF only (a bare CR or LF is refused), no NUL byte,
 * no folded field (a line starting with SP or HTAB), no space before a
 * colon, one Host field (required by HTTP/1.1).  The request target is an
 * origin form ("/path?query") or an absolute form ("http://host/path");
 * the query is split off the path.  A head is at most `max` bytes.
 */
#ifndef VXFWD_HTTP_REQ_H
#define VXFWD_HTTP_REQ_H

#include <stddef.h>

#define HTTP_METHOD_MAX 16
#define HTTP_PATH_MAX 256

enum http_verdict {
	HTTP_REQ_INCOMPLETE = 0, /* no fault so far, the head has not ended */
	HTTP_REQ_OK,		 /* a whole head: method, path, version */
	HTTP_REQ_BAD,		 /* 400: not HTTP/1.x as RFC 9112 writes it */
	HTTP_REQ_TOO_LARGE,	 /* 431: no end of the head within `max` bytes */
	HTTP_REQ_URI_TOO_LONG,	 /* 414: a path longer than HTTP_PATH_MAX - 1 */
	HTTP_REQ_VERSION,	 /* 505: HTTP/2 and up in an HTTP/1 request line */
};

struct http_req {
	enum http_verdict verdict;
	const char *why;	      /* what was refused, for logs and tests */
	char method[HTTP_METHOD_MAX]; /* as sent (case matters: "get" is not GET) */
	char path[HTTP_PATH_MAX];     /* without the query */
	int minor;		      /* HTTP/1.minor */
	int has_query;
	size_t head_len;	      /* bytes up to and with the empty line */
};

/*
 * Parse the `len` bytes of `buf` received so far.  Returns out->verdict;
 * out->method, path and minor are valid with HTTP_REQ_OK (and with a
 * refused method, which is the caller's to answer: 405).
 */
enum http_verdict http_req_parse(const char *buf, size_t len, size_t max, struct http_req *out);

/* The status code a verdict other than OK and INCOMPLETE answers with. */
int http_req_status(enum http_verdict v);

/* What the listener serves. */
enum http_target {
	HTTP_T_NONE = 0,
	HTTP_T_HEALTHZ, /* GET /healthz */
	HTTP_T_METRICS, /* GET /metrics */
};

/*
 * The answer to a request parsed OK: 405 for any method but GET (the
 * listener serves nothing else), 404 for a path it does not serve, else
 * 200 and *t, the page to build (whose own status may still be 503).
 */
int http_req_route(const struct http_req *r, enum http_target *t);

#endif /* VXFWD_HTTP_REQ_H */
