// SPDX-License-Identifier: GPL-2.0-only
/* vxfwd_test.c - see vxfwd_test.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcap.h"
#include "vxfwd_test.h"

void t_report_init(struct t_report *r, const char *prefix)
{
	const char *dir = getenv("VXFWD_TEST_OUTDIR");

	memset(r, 0, sizeof(*r));
	r->outdir = dir ? dir : ".";
	r->prefix = prefix;
}

void t_fail(struct t_report *r, const char *name, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FAIL %s%s%s: ", r->group ? r->group : "", r->group ? "/" : "", name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	r->failed++;
}

void t_fail_pcap(const struct t_report *r, const char *name, const __u8 *in, size_t in_len,
		 const __u8 *act, size_t act_len, const __u8 *exp, size_t exp_len)
{
	struct pcap_frame f[3];
	char path[4096];
	size_t n = 0;
	int ret;

	f[n++] = (struct pcap_frame){in, in_len};
	if (act)
		f[n++] = (struct pcap_frame){act, act_len};
	if (exp)
		f[n++] = (struct pcap_frame){exp, exp_len};
	snprintf(path, sizeof(path), "%s/%s-%s%s%s.pcap", r->outdir, r->prefix,
		 r->group ? r->group : "", r->group ? "-" : "", name);
	ret = pcap_write(path, f, n);
	if (ret < 0)
		fprintf(stderr, "  %s: cannot write: %s\n", path, strerror(-ret));
	else
		fprintf(stderr, "  input%s%s frames written to %s\n", act ? ", actual" : "",
			exp ? ", expected" : "", path);
}
