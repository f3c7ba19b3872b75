// SPDX-License-Identifier: GPL-2.0-only
/*
 * http_req.c - the health listener's request head parser (http_req.h):
 * one pass over what arrived so far, line by line, each line checked as
 * soon as its CRLF is in; the first fault decides.
 */
#include <string.h>
#include <strings.h>

#include "http_req.h"

#define LINE_MORE (-1L) /* the line has not ended yet */
#define LINE_BAD (-2L)	/* a bare CR or LF, or a NUL */

static const struct {
	const char *path;
	enum http_target t;
} routes[] = {
	{"/healthz", HTTP_T_HEALTHZ},
	{"/metrics", HTTP_T_METRICS},
};

static const struct {
	enum http_verdict v;
	int status;
} statuses[] = {
	{HTTP_REQ_BAD, 400},
	{HTTP_REQ_TOO_LARGE, 431},
	{HTTP_REQ_URI_TOO_LONG, 414},
	{HTTP_REQ_VERSION, 505},
};

static enum http_verdict verdict(struct http_req *r, enum http_verdict v, const char *why)
{
	r->verdict = v;
	r->why = why;
	return v;
}

/* RFC 9110 tchar: the characters of a method and of a field name. */
static int is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Characters of a field value: visible, SP, HTAB, obs-text. */
static int is_field_char(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/*
 * The length of the line at `off` without its CRLF, *next set past it;
 * LINE_MORE when it has not ended, LINE_BAD for a bare CR or LF or a NUL.
 */
static long line_at(const char *b, size_t len, size_t off, size_t *next)
{
	size_t i;

	for (i = off; i < len; i++) {
		if (b[i] == '\0' || b[i] == '\n')
			return LINE_BAD;
		if (b[i] != '\r')
			continue;
		if (i + 1 == len)
			return LINE_MORE;
		if (b[i + 1] != '\n')
			return LINE_BAD;
		*next = i + 2;
		return (long)(i - off);
	}
	return LINE_MORE;
}

/* A run of tchars at the start of s[0 .. n): its length. */
static size_t token_len(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && is_tchar((unsigned char)s[i]); i++)
		;
	return i;
}

/* "HTTP/1.x" exactly: its minor version in r. */
static enum http_verdict version(struct http_req *r, const char *s, size_t n)
{
	if (n != 8 || memcmp(s, "HTTP/", 5) || s[6] != '.' || s[5] < '0' || s[5] > '9' ||
	    s[7] < '0' || s[7] > '9')
		return verdict(r, HTTP_REQ_BAD, "malformed HTTP version");
	if (s[5] != '1')
		return verdict(r, HTTP_REQ_VERSION, "HTTP version other than 1.x");
	r->minor = s[7] - '0';
	return HTTP_REQ_OK;
}

/* The path of an absolute-form target "http://authority[/path]", or NULL. */
static const char *absolute_path(const char *s, size_t n, const char **end)
{
	const char *p;

	if (n < 8 || strncasecmp(s, "http://", 7))
		return NULL;
	for (p = s + 7; p < s + n && *p != '/' && *p != '?'; p++)
		;
	if (p == s + 7)
		return NULL; /* no authority */
	*end = s + n;
	return p;
}

/* The request target: visible characters, no fragment; path and query split. */
static enum http_verdict target(struct http_req *r, const char *s, size_t n)
{
	const char *p = s, *end = s + n, *q;
	size_t i, plen;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f || s[i] == '#')
			return verdict(r, HTTP_REQ_BAD, "invalid character in the request target");
	if (n == 0 || (*s != '/' && !(p = absolute_path(s, n, &end))))
		return verdict(r, HTTP_REQ_BAD, "request target neither a path nor http://");
	q = memchr(p, '?', (size_t)(end - p));
	r->has_query = q != NULL;
	plen = (size_t)((q ? q : end) - p);
	if (plen >= sizeof(r->path))
		return verdict(r, HTTP_REQ_URI_TOO_LONG, "request target too long");
	if (plen == 0)
		memcpy(r->path, "/", 2); /* "http://host" and "http://host?x" */
	else
		memcpy(r->path, p, plen);
	return HTTP_REQ_OK;
}

/* METHOD SP request-target SP HTTP-version. */
static enum http_verdict request_line(struct http_req *r, const char *s, size_t n)
{
	size_t m = token_len(s, n), t;
	enum http_verdict v;

	if (m == 0 || m >= sizeof(r->method) || m == n || s[m] != ' ')
		return verdict(r, HTTP_REQ_BAD, "malformed method");
	memcpy(r->method, s, m);
	s += m + 1;
	n -= m + 1;
	for (t = 0; t < n && s[t] != ' '; t++)
		;
	if (t == n)
		return verdict(r, HTTP_REQ_BAD, "request line without an HTTP version");
	v = target(r, s, t);
	if (v != HTTP_REQ_OK)
		return v;
	return version(r, s + t + 1, n - t - 1);
}

/* field-name ":" value; counts the Host fields. */
static enum http_verdict field_line(struct http_req *r, const char *s, size_t n, int *hosts)
{
	size_t k = token_len(s, n), i;

	if (s[0] == ' ' || s[0] == '\t')
		return verdict(r, HTTP_REQ_BAD, "folded header line");
	if (k == 0 || k == n || s[k] != ':')
		return verdict(r, HTTP_REQ_BAD, "malformed header field name");
	for (i = k + 1; i < n; i++)
		if (!is_field_char((unsigned char)s[i]))
			return verdict(r, HTTP_REQ_BAD, "control character in a header value");
	if (k == 4 && !strncasecmp(s, "host", 4) && ++*hosts > 1)
		return verdict(r, HTTP_REQ_BAD, "more than one Host header");
	return HTTP_REQ_OK;
}

/* The empty line: HTTP/1.1 wants exactly one Host field. */
static enum http_verdict head_end(struct http_req *r, int hosts, size_t next)
{
	if (r->minor >= 1 && hosts != 1)
		return verdict(r, HTTP_REQ_BAD, "HTTP/1.1 request without a Host header");
	r->head_len = next;
	return verdict(r, HTTP_REQ_OK, NULL);
}

enum http_verdict http_req_parse(const char *buf, size_t len, size_t max, struct http_req *out)
{
	size_t off = 0, next = 0;
	enum http_verdict v;
	int line, hosts = 0;
	long n;

	memset(out, 0, sizeof(*out));
	for (line = 0;; line++, off = next) {
		n = line_at(buf, len, off, &next);
		if (n == LINE_BAD)
			return verdict(out, HTTP_REQ_BAD, "bare CR or LF, or a NUL byte");
		if (n == LINE_MORE)
			break;
		if (next > max)
			break;
		if (line == 0)
			v = request_line(out, buf + off, (size_t)n);
		else if (n == 0)
			return head_end(out, hosts, next);
		else
			v = field_line(out, buf + off, (size_t)n, &hosts);
		if (v != HTTP_REQ_OK)
			return v;
	}
	if (len >= max)
		return verdict(out, HTTP_REQ_TOO_LARGE, "request head too large");
	return verdict(out, HTTP_REQ_INCOMPLETE, NULL);
}

int http_req_status(enum http_verdict v)
{
	size_t i;

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (statuses[i].v == v)
			return statuses[i].status;
	return 400;
}

int http_req_route(const struct http_req *r, enum http_target *t)
{
	size_t i;

	*t = HTTP_T_NONE;
	if (strcmp(r->method, "GET"))
		return 405;
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (!strcmp(r->path, routes[i].path)) {
			*t = routes[i].t;
			return 200;
		}
	}
	return 404;
}
