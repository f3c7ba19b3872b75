// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_check.c - `vxfwd check [-jqv] [-f file]`: parse, evaluate and compile
 * the rules exactly as `run` does, and stop before the kernel.
 *
 * Exit: 0 and "configuration OK" on stdout; 1 with diagnostics on stderr
 * when the file has errors or cannot be read; 2 on a usage error.  With -j
 * the result and every diagnostic are one JSON object on stdout instead
 * (json-c), with the same exit status.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "config.h"
#include "cmd.h"
#include "host.h"
#include "instance.h"
#include "log.h"
#include "vxfwd_dsl.h"

/* What -j collects while the rules load. */
struct check_json {
	struct json_object *diags;	/* array */
	int errors;
	int warnings;
};

/* A position: a number, or null when not known. */
static struct json_object *json_pos(unsigned int v)
{
	return v ? json_object_new_int64(v) : NULL;
}

struct json_object *check_diag_json(const struct vxfwd_diag_rec *r, int with_notes)
{
	struct json_object *o = json_object_new_object(), *notes;
	size_t i;

	if (!o)
		return NULL;
	json_object_object_add(o, "file", r->file ? json_object_new_string(r->file) : NULL);
	json_object_object_add(o, "line", json_pos(r->line));
	json_object_object_add(o, "column", json_pos(r->column));
	json_object_object_add(o, "end_line", json_pos(r->end_line));
	json_object_object_add(o, "end_column", json_pos(r->end_column));
	json_object_object_add(o, "severity", json_object_new_string(r->severity));
	json_object_object_add(o, "message", json_object_new_string(r->message));
	if (r->included_from) {
		struct json_object *inc = json_object_new_object();

		if (inc) {
			json_object_object_add(inc, "file", json_object_new_string(r->included_from));
			json_object_object_add(inc, "line", json_pos(r->included_line));
		}
		json_object_object_add(o, "included_from", inc);
	}
	if (!with_notes)
		return o;
	notes = json_object_new_array();
	for (i = 0; notes && i < r->n_notes; i++)
		json_object_array_add(notes, check_diag_json(&r->notes[i], 0));
	json_object_object_add(o, "notes", notes);
	return o;
}

static void json_sink(void *arg, const struct vxfwd_diag_rec *rec)
{
	struct check_json *cj = arg;

	if (!strcmp(rec->severity, "error"))
		cj->errors++;
	else if (!strcmp(rec->severity, "warning"))
		cj->warnings++;
	json_object_array_add(cj->diags, check_diag_json(rec, 1));
}

/* The whole result of -j on stdout; the exit status is the caller's. */
static int check_json_print(struct check_json *cj, const char *path, int valid)
{
	struct json_object *top = json_object_new_object();
	const char *text;
	int ret = 0;

	if (!top)
		return -ENOMEM;
	json_object_object_add(top, "file", json_object_new_string(path));
	json_object_object_add(top, "valid", json_object_new_boolean(valid));
	json_object_object_add(top, "errors", json_object_new_int(cj->errors));
	json_object_object_add(top, "warnings", json_object_new_int(cj->warnings));
	json_object_object_add(top, "diagnostics", json_object_get(cj->diags));
	text = json_object_to_json_string_ext(top, JSON_C_TO_STRING_PRETTY |
						   JSON_C_TO_STRING_SPACED |
						   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text || printf("%s\n", text) < 0)
		ret = -EIO;
	json_object_put(top);
	return ret;
}

/* check -j: load with the diagnostics as records, print one JSON object. */
static int check_json(const char *path, unsigned int flags)
{
	struct check_json cj = { .diags = json_object_new_array() };
	struct vxfwd_diag_sink sink = { .fn = json_sink, .arg = &cj };
	const char *shown = strcmp(path, "-") ? path : "<stdin>";
	struct vxfwd_ruleset *rs = NULL;
	char msg[512];
	int ret, status;

	if (!cj.diags) {
		log_warnx("check: out of memory");
		return VXFWD_EXIT_RUNTIME;
	}
	ret = vxfwd_dsl_load_records(path, NULL, flags, &host_ifaces, &sink, &rs);
	vxfwd_ruleset_free(rs);
	if (ret && ret != -EINVAL) {
		struct vxfwd_diag_rec rec = { .severity = "error", .file = shown,
					      .message = msg };

		snprintf(msg, sizeof(msg), "cannot read the rules: %s", strerror(-ret));
		json_sink(&cj, &rec);
	}
	status = ret ? VXFWD_EXIT_CONFIG : VXFWD_EXIT_OK;
	if (check_json_print(&cj, shown, !ret) || fflush(stdout) == EOF) {
		log_warn("check: standard output");
		status = VXFWD_EXIT_RUNTIME;
	}
	json_object_put(cj.diags);
	return status;
}

int cmd_check(int argc, char **argv)
{
	const char *path = VXFWD_DEFAULT_RULES;
	struct vxfwd_ruleset *rs = NULL;
	FILE *diag;
	int quiet = 0, verbose = 0, json = 0, ch, ret;

	optind = 0;
	while ((ch = opt_next(&check_cmd, argc, argv)) != -1) {
		switch (ch) {
		case 'f':
			path = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			opt_usage(&check_cmd, stderr);
			return VXFWD_EXIT_USAGE;
		}
	}
	if (optind != argc || (quiet && verbose) || (json && verbose)) {
		opt_usage(&check_cmd, stderr);
		return VXFWD_EXIT_USAGE;
	}
	if (json)
		return check_json(path, quiet ? VXFWD_DSL_F_QUIET : 0);

	diag = log_diag_open();
	ret = vxfwd_dsl_load(path, NULL, quiet ? VXFWD_DSL_F_QUIET : 0, &host_ifaces, diag, &rs);
	log_diag_close(diag);
	if (ret == -EINVAL)
		return VXFWD_EXIT_CONFIG;
	if (ret) {
		log_warnx("check: %s: cannot read the rules: %s",
			  strcmp(path, "-") ? path : "standard input", strerror(-ret));
		return VXFWD_EXIT_CONFIG;
	}
	if (verbose)
		vxfwd_ruleset_dump(rs, stdout);
	if (!quiet)
		printf("configuration OK\n");
	vxfwd_ruleset_free(rs);
	if (fflush(stdout) == EOF) {
		log_warn("check: standard output");
		return VXFWD_EXIT_RUNTIME;
	}
	return VXFWD_EXIT_OK;
}
