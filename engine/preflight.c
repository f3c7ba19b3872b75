// SPDX-License-Identifier: GPL-2.0-only
/*
 * preflight.c - the checks of `vxfwd doctor` in order, how each finding is
 * reported, and doctor_preflight() (doctor.h): the same checks for `vxfwd
 * run`, only those that probe nothing with an effect, with the problems
 * logged instead of every finding printed.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "doctor.h"
#include "doctor_checks.h"
#include "log.h"

/* Before `run`: one line per problem, "doctor: subject: finding; fix". */
static void preflight_log(struct doctor *d, enum dr_level lvl, const char *hint, const char *msg)
{
	const char *sep = hint ? "; " : "";

	if (!hint)
		hint = "";
	switch (lvl) {
	case DR_OK:
		return;
	case DR_INFO:
		log_info("doctor: %s%s%s", msg, sep, hint);
		return;
	case DR_WARN:
	case DR_FAIL:
		d->warns++;
		log_warnx("doctor: %s%s%s", msg, sep, hint);
		return;
	}
}

void report(struct doctor *d, enum dr_level lvl, const char *hint, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (lvl == DR_FAIL)
		d->fails++;
	if (lvl == DR_WARN)
		d->n_warns++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (d->preflight)
		preflight_log(d, lvl, hint, msg);
	else
		d->print(d, lvl, hint, msg);
}

const char *fmt_mac(const __u8 *m, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return buf;
}

const char *fmt_addr(__be32 a, char *buf, size_t len)
{
	struct in_addr in = {.s_addr = a};

	return inet_ntop(AF_INET, &in, buf, (socklen_t)len);
}

/* vxfwd's own program loads: a check only the command runs (cmd_doctor.c). */
static void check_own_program(struct doctor *d)
{
	if (d->program_check)
		d->program_check(d);
}

/*
 * In order.  `pre`: doctor_preflight() runs it too; the others load a
 * program, attach one, register buffers or repeat what run does at once
 * (run resolves the workers' CPUs against the receive CPUs itself, with
 * its -c, which the preflight does not see).
 */
static const struct {
	void (*fn)(struct doctor *d);
	int needs_rules;
	int pre;
} checks[] = {
	{check_kernel, 0, 1},	{check_privileges, 0, 1}, {check_btf, 0, 0},
	{check_bpf, 0, 1},	{check_own_program, 0, 0},	  {check_bpffs, 0, 1},
	{check_memlock, 0, 1},	{check_io_uring, 0, 0},	  {check_packet, 0, 0},
	{check_rules, 0, 0},	{check_instance, 0, 0},	  {check_ingress, 1, 1},
	{check_egress, 1, 1},	{check_xdp, 1, 0},	  {check_mode, 1, 0},
	{check_mtu, 1, 1},	{check_subnet, 1, 1},	  {check_rp_filter, 1, 1},
	{check_nexthops, 1, 1}, {check_rx_cpus, 1, 0},	  {check_aws, 0, 1},
};

void doctor_run_checks(struct doctor *d)
{
	size_t i;

	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		if (d->preflight && !checks[i].pre)
			continue;
		if (checks[i].needs_rules && !d->rs)
			continue;
		checks[i].fn(d);
	}
}

int doctor_preflight(const char *rules_file, const struct vxfwd_ruleset *rs)
{
	struct doctor d;

	if (!rs)
		return 0;
	memset(&d, 0, sizeof(d));
	d.file = rules_file ? rules_file : VXFWD_DEFAULT_RULES;
	d.rs = rs;
	d.preflight = 1;
	doctor_run_checks(&d);
	if (d.warns)
		log_info("doctor: %s: %d warning%s above; vxfwd doctor -f %s explains every check",
			 d.file, d.warns, d.warns == 1 ? "" : "s", d.file);
	return d.warns;
}
