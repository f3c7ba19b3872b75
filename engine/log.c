// SPDX-License-Identifier: GPL-2.0-only
/* log.c - see log.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

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

/* One line, one write: worker threads never interleave their lines. */
static void emit(int pri, const char *msg, const char *cause)
{
	char line[1280];

	if (journal)
		snprintf(line, sizeof(line), "<%d>%s%s%s\n", pri, msg, cause ? ": " : "",
			 cause ? cause : "");
	else
		snprintf(line, sizeof(line), "vxfwd: %s%s%s\n", msg, cause ? ": " : "",
			 cause ? cause : "");
	fputs(line, stderr);
}

void vlog(int pri, const char *fmt, va_list ap)
{
	char msg[1024];

	if (pri == LOG_DEBUG && verbosity < 1)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	emit(pri, msg, NULL);
}

static void vlog_errno(int pri, int saved, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void vlog_errno(int pri, int saved, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	emit(pri, msg, strerror(saved));
}

void log_err(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(LOG_ERR, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void log_errx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap);
	va_end(ap);
}

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
	if (!c->len)
		return;
	c->line[c->len] = '\0';
	if (strstr(c->line, ": error: "))
		c->pri = LOG_ERR;
	else if (strstr(c->line, ": warning: "))
		c->pri = LOG_WARNING;
	fprintf(stderr, "<%d>%s\n", c->pri, c->line);
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

void log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(LOG_WARNING, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(LOG_CRIT, saved, fmt, ap);
	va_end(ap);
	exit(VXFWD_EXIT_RUNTIME);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(VXFWD_EXIT_RUNTIME);
}
