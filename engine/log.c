// SPDX-License-Identifier: GPL-2.0-only
/* log.c - see log.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"

static int verbosity;
static int journal;

void log_init(int verbose)
{
	verbosity = verbose;
	journal = getenv("JOURNAL_STREAM") != NULL;
}

int log_verbose(void)
{
	return verbosity;
}

/*
 * One line, one write(2), whole: stderr's stdio may split a line into
 * several writes, and the lines of worker threads would interleave.
 */
static void put_line(const char *line, int len)
{
	ssize_t n;

	while (len > 0) {
		n = write(STDERR_FILENO, line, (size_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		line += n;
		len -= (int)n;
	}
}

/* The length snprintf() wrote into a buffer of `size` bytes, truncated or not. */
static int put_len(int n, size_t size)
{
	return n < (int)size ? n : (int)size - 1;
}

static void logv(int pri, const char *cause, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* "vxfwd: msg[: cause]", or "<pri>msg[: cause]" for the journal. */
static void logv(int pri, const char *cause, const char *fmt, va_list ap)
{
	char msg[1024], line[1280];
	int n;

	if (pri == LOG_DEBUG && verbosity < 1)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (journal)
		n = snprintf(line, sizeof(line), "<%d>%s%s%s\n", pri, msg, cause ? ": " : "",
			     cause ? cause : "");
	else
		n = snprintf(line, sizeof(line), "vxfwd: %s%s%s\n", msg, cause ? ": " : "",
			     cause ? cause : "");
	put_line(line, put_len(n, sizeof(line)));
}

void vlog(int pri, const char *fmt, va_list ap)
{
	logv(pri, NULL, fmt, ap);
}

/*
 * The printf-like verbs: `fn` logs at `pri`, with ": strerror(errno)"
 * appended when `cause` is 1; errno is left as it was.
 */
#define LOG_VERB(fn, pri, cause)                                                                   \
	void fn(const char *fmt, ...)                                                              \
	{                                                                                          \
		int saved = errno;                                                                 \
		va_list ap;                                                                        \
                                                                                                   \
		va_start(ap, fmt);                                                                 \
		logv(pri, (cause) ? strerror(saved) : NULL, fmt, ap);                              \
		va_end(ap);                                                                        \
		errno = saved;                                                                     \
	}

LOG_VERB(log_err, LOG_ERR, 1)
LOG_VERB(log_errx, LOG_ERR, 0)
LOG_VERB(log_warn, LOG_WARNING, 1)
LOG_VERB(log_warnx, LOG_WARNING, 0)
LOG_VERB(log_info, LOG_INFO, 0)
LOG_VERB(log_debug, LOG_DEBUG, 0)

/*
 * Diagnostics of the rules language under the journal: each line gets the
 * priority of the diagnostic it belongs to (error, warning; notes, source
 * lines and carets follow the one before them).
 */
struct diag_cookie {
	int pri;
	char line[4096];
	size_t len;
};

static void diag_flush(struct diag_cookie *c)
{
	char out[sizeof(c->line) + 16];
	int n;

	if (!c->len)
		return;
	c->line[c->len] = '\0';
	if (strstr(c->line, ": error: "))
		c->pri = LOG_ERR;
	else if (strstr(c->line, ": warning: "))
		c->pri = LOG_WARNING;
	n = snprintf(out, sizeof(out), "<%d>%s\n", c->pri, c->line);
	put_line(out, put_len(n, sizeof(out)));
	c->len = 0;
}

static ssize_t diag_write(void *cookie, const char *buf, size_t size)
{
	struct diag_cookie *c = cookie;
	size_t i;

	for (i = 0; i < size; i++) {
		if (buf[i] == '\n' || c->len == sizeof(c->line) - 1)
			diag_flush(c);
		if (buf[i] != '\n')
			c->line[c->len++] = buf[i];
	}
	return (ssize_t)size;
}

static int diag_close(void *cookie)
{
	diag_flush(cookie);
	free(cookie);
	return 0;
}

FILE *log_diag_open(void)
{
	cookie_io_functions_t io = {.write = diag_write, .close = diag_close};
	struct diag_cookie *c;
	FILE *f;

	if (!journal)
		return stderr;
	c = calloc(1, sizeof(*c));
	if (!c)
		return stderr;
	c->pri = LOG_NOTICE;
	f = fopencookie(c, "w", io);
	if (!f) {
		free(c);
		return stderr;
	}
	setvbuf(f, NULL, _IOLBF, 0);
	return f;
}

void log_diag_close(FILE *f)
{
	if (f && f != stderr)
		fclose(f);
}

void fatal(const char *fmt, ...)
{
	const char *cause = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	logv(LOG_CRIT, cause, fmt, ap);
	va_end(ap);
	exit(VXFWD_EXIT_RUNTIME);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	logv(LOG_CRIT, NULL, fmt, ap);
	va_end(ap);
	exit(VXFWD_EXIT_RUNTIME);
}
