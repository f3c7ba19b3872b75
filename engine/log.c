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

void vlog(int pri, const char *fmt, va_list ap)
{
	if (pri == LOG_DEBUG && verbosity < 1)
		return;
	if (journal)
		fprintf(stderr, "<%d>", pri);
	else
		fputs("vxfwd: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void vlog_errno(int pri, int saved, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void vlog_errno(int pri, int saved, const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (journal)
		fprintf(stderr, "<%d>%s: %s\n", pri, buf, strerror(saved));
	else
		fprintf(stderr, "vxfwd: %s: %s\n", buf, strerror(saved));
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
