// SPDX-License-Identifier: GPL-2.0-only
/*
 * check_main.c - `vxfwd check` alone, for the sanitizer and small-limit
 * builds of the rules compiler (tests/rules/meson.build).  Invoked as
 * "PROG check [-jqv] [-f file]" like the daemon, -h answered as main.c does.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "log.h"

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "check")) {
		fprintf(stderr, "usage: %s check [-jqv] [-f file]\n", argv[0]);
		return VXFWD_EXIT_USAGE;
	}
	log_init(0);
	if (opt_wants_help(&check_cmd, argc - 1, argv + 1)) {
		opt_help(&check_cmd, stdout);
		return VXFWD_EXIT_OK;
	}
	optind = 0;
	return cmd_check(argc - 1, argv + 1);
}
