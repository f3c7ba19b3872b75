/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vxfwd_test.h - what every C test shares: its exit codes (meson reads 77
 * as SKIP) and the report of failed cases, which names the case and keeps
 * the frames of a failure in a pcap file.
 */
#ifndef VXFWD_TEST_H
#define VXFWD_TEST_H

#include <stddef.h>
#include <linux/types.h>

#define T_EXIT_PASS 0
#define T_EXIT_FAIL 1
#define T_EXIT_SKIP 77

#define T_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Cases run and failed.  A failure prints "FAIL GROUP/NAME: why" (no group:
 * "FAIL NAME: why"); its frames go to OUTDIR/PREFIX-GROUP-NAME.pcap.
 */
struct t_report {
	const char *outdir; /* $VXFWD_TEST_OUTDIR, "." without it */
	const char *prefix; /* of the pcap files of failed cases */
	const char *group;  /* NULL: none */
	unsigned int cases, failed;
};

/* The report of a test whose failure pcaps start with `prefix`. */
void t_report_init(struct t_report *r, const char *prefix);

void t_fail(struct t_report *r, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Input frame `in`, and the actual and expected ones when not NULL. */
void t_fail_pcap(const struct t_report *r, const char *name, const __u8 *in, size_t in_len,
		 const __u8 *act, size_t act_len, const __u8 *exp, size_t exp_len);

#endif /* VXFWD_TEST_H */
