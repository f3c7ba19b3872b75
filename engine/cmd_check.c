// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_check.c - `vxfwd check [-qv] [-f file]`: parse, evaluate and compile
 * the rules exactly as `run` does, and stop before the kernel.
 *
 * Exit: 0 and "configuration OK" on stdout; 1 with diagnostics on stderr
 * when the file has errors or cannot be read; 2 on a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "cmd.h"
#include "log.h"
#include "vxfwd_dsl.h"

#define DEFAULT_RULES VXFWD_SYSCONFDIR "/vxfwd/vxfwd.rules"

static void check_usage(FILE *out)
{
	fprintf(out, "usage: vxfwd check [-qv] [-f file]\n");
}

int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = DEFAULT_RULES;
	struct vxfwd_ruleset *rs = NULL;
	FILE *diag;
	int quiet = 0, verbose = 0, ch, ret;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "f:hqv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			path = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			check_usage(stdout);
			return VXFWD_EXIT_OK;
		default:
			check_usage(stderr);
			return VXFWD_EXIT_USAGE;
		}
	}
	if (optind != argc || (quiet && verbose)) {
		check_usage(stderr);
		return VXFWD_EXIT_USAGE;
	}

	diag = log_diag_open();
	ret = vxfwd_dsl_load(path, NULL, quiet ? VXFWD_DSL_F_QUIET : 0, diag, &rs);
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
