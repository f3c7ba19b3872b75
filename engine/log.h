/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * log.h - OpenBSD-style logging: one grammar, "subject: what failed: cause".
 *
 * log_warn() appends ": strerror(errno)"; log_warnx() does not; log_err()
 * and log_errx() are the same at error priority, for what stops an operation
 * (warnings are for what vxfwd works around).  fatal() and
 * fatalx() log and exit(VXFWD_EXIT_RUNTIME).  Output goes to stderr; under
 * systemd (JOURNAL_STREAM set) each line starts with a "<N>" priority prefix
 * so that the journal keeps the level.
 */
#ifndef VXFWD_LOG_H
#define VXFWD_LOG_H

#include <stdarg.h>
#include <stdio.h>

enum {
	VXFWD_EXIT_OK = 0,
	VXFWD_EXIT_CONFIG = 1,	/* the rules file has errors */
	VXFWD_EXIT_USAGE = 2,	/* bad command line */
	VXFWD_EXIT_RUNTIME = 3,	/* the kernel or the host refused something */
};

void log_init(int verbose);
int log_verbose(void);
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_errx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vlog(int pri, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/*
 * Where the rules language writes its diagnostics: stderr, or under the
 * journal a stream that gives each line its diagnostic's priority.  Close
 * with log_diag_close().
 */
FILE *log_diag_open(void);
void log_diag_close(FILE *f);
__attribute__((noreturn)) void fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void fatalx(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#endif /* VXFWD_LOG_H */
