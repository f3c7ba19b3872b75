// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_doctor.c - `vxfwd doctor [-f file]`: probe the host for what a rules
 * file needs and say plainly what will happen and what to change.
 *
 * Every check prints one line, `ok|warn|fail  subject: finding [hint]`;
 * with -j the checks are one JSON object instead (json-c), each with its
 * subject, status, finding and hint, the rules file's diagnostics as
 * check -j gives them, and the overall result.
 * Nothing is changed on the host: the only probes with an effect are a
 * trivial XDP program attached to the ingress interface and detached at
 * once (never replacing a program already there), an io_uring instance
 * with a registered buffer the size of the engine's send pool, and an
 * AF_PACKET socket, all closed before the next check.
 *
 * The checks and the preflight of `vxfwd run` that shares them are in
 * preflight.c and doctor_*.c (doctor_checks.h); this file holds the
 * command, its output and the load of vxfwd's own program.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/capability.h>

#include <bpf/libbpf.h>
#include <json-c/json.h>

#include "cmd.h"
#include "config.h"
#include "doctor.h"
#include "doctor_checks.h"
#include "host.h"
#include "instance.h"
#include "loader.h"
#include "log.h"
#include "vxfwd_dsl.h"

static const char *const dr_words[] = {"ok", "warn", "fail", "ok"};

/* -j: one check as {subject, status, finding, hint}; msg is "subject: finding". */
static void report_json(struct doctor *d, enum dr_level lvl, const char *hint, const char *msg)
{
	struct json_object *o = json_object_new_object();
	const char *colon = strstr(msg, ": ");
	size_t n = colon ? (size_t)(colon - msg) : strlen(msg);

	if (!o)
		return;
	json_object_object_add(o, "subject", json_object_new_string_len(msg, (int)n));
	json_object_object_add(o, "status", json_object_new_string(dr_words[lvl]));
	json_object_object_add(o, "finding", json_object_new_string(colon ? colon + 2 : ""));
	json_object_object_add(o, "hint", hint ? json_object_new_string(hint) : NULL);
	json_object_array_add(d->json, o);
}

/* One line per check: `ok|warn|fail  subject: finding [hint]`. */
static void report_text(struct doctor *d, enum dr_level lvl, const char *hint, const char *msg)
{
	printf("%-4s  %s", dr_words[lvl], msg);
	if (hint)
		printf(" [%s]", hint);
	putchar('\n');
}

/* Load (and verify) vxfwd's own XDP program with our capabilities. */
static void check_program(struct doctor *d)
{
	const char *hint = NULL;
	libbpf_print_fn_t old;
	__u64 caps = 0;
	int ret;

	xdp_kernel_msg[0] = '\0';
	old = libbpf_set_print(capture_print);
	ret = loader_probe();
	libbpf_set_print(old);
	if (!ret) {
		report(d, DR_OK, NULL,
		       "program: vxfwd's XDP program loads and verifies with "
		       "these capabilities");
		return;
	}
	proc_cap_eff(&caps);
	if (ret == -EACCES && !(caps & (1ULL << CAP_PERFMON)))
		hint = "the verifier lets CAP_PERFMON read uninitialised stack; "
		       "vxfwd.service grants it";
	else if (ret == -EPERM)
		hint = "needs CAP_BPF and CAP_NET_ADMIN";
	report(d, DR_FAIL, hint, "program: the kernel refuses vxfwd's XDP program: %s%s%s",
	       strerror(-ret), xdp_kernel_msg[0] ? ": " : "", xdp_kernel_msg);
}

static int doctor_usage(FILE *f)
{
	opt_usage(&doctor_cmd, f);
	return VXFWD_EXIT_USAGE;
}

/* The overall result: the worst status of any check. */
static const char *doctor_result(const struct doctor *d)
{
	if (d->fails || d->config_failed)
		return "fail";
	return d->n_warns ? "warn" : "ok";
}

/* -j: every check and the result, one object on stdout. */
static int doctor_json_print(const struct doctor *d)
{
	struct json_object *top = json_object_new_object();
	const char *text;
	int ret = 0;

	if (!top)
		return -ENOMEM;
	json_object_object_add(top, "file", json_object_new_string(d->file));
	json_object_object_add(top, "instance", json_object_new_string(d->inst.name));
	json_object_object_add(top, "checks", json_object_get(d->json));
	json_object_object_add(top, "diagnostics", json_object_get(d->diags));
	json_object_object_add(top, "warnings", json_object_new_int((int)d->n_warns));
	json_object_object_add(top, "failures", json_object_new_int((int)d->fails));
	json_object_object_add(top, "result", json_object_new_string(doctor_result(d)));
	text = json_object_to_json_string_ext(top, JSON_C_TO_STRING_PRETTY |
						   JSON_C_TO_STRING_SPACED |
						   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text || printf("%s\n", text) < 0 || fflush(stdout) == EOF)
		ret = -EIO;
	json_object_put(top);
	return ret;
}

int cmd_doctor(int argc, char **argv)
{
	struct doctor d;
	int c, ret, json = 0, status;

	memset(&d, 0, sizeof(d));
	d.file = VXFWD_DEFAULT_RULES;
	d.print = report_text;
	d.program_check = check_program;
	optind = 0;
	while ((c = opt_next(&doctor_cmd, argc, argv)) != -1) {
		switch (c) {
		case 'f':
			d.file = optarg;
			break;
		case 'j':
			json = 1;
			break;
		default:
			return doctor_usage(stderr);
		}
	}
	if (optind != argc)
		return doctor_usage(stderr);
	ret = instance_init(&d.inst, d.file, NULL);
	if (ret) {
		log_warnx("doctor: %s: cannot name an instance after it: %s", d.file,
			  strerror(-ret));
		return VXFWD_EXIT_USAGE;
	}
	if (json) {
		d.json = json_object_new_array();
		d.diags = json_object_new_array();
		if (!d.json || !d.diags) {
			json_object_put(d.json);
			json_object_put(d.diags);
			log_warnx("doctor: out of memory");
			return VXFWD_EXIT_RUNTIME;
		}
		d.print = report_json;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	doctor_run_checks(&d);
	vxfwd_ruleset_free(d.own);
	status = d.fails ? VXFWD_EXIT_RUNTIME : VXFWD_EXIT_OK;
	if (d.config_failed)
		status = VXFWD_EXIT_CONFIG;
	if (json && doctor_json_print(&d)) {
		log_warn("doctor: standard output");
		status = VXFWD_EXIT_RUNTIME;
	}
	json_object_put(d.json);
	json_object_put(d.diags);
	return status;
}
