// SPDX-License-Identifier: GPL-2.0-only
/*
 * check_main.c - `vxfwd check` alone, for the golden files: the daemon's
 * cmd_check.c with the rules compiler, plain, with sanitizers and with
 * shrunken limits (tests/rules/meson.build).  Invoked as
 * "PROG check [-jqv] [-f file]" like the daemon, -h answered as main.c does.
 *
 * Its host is a fixed one instead of engine/host.c's: the interfaces lo,
 * ens5 and ens6 exist and no other, whoever runs it and wherever, so the
 * golden files need neither root nor a network namespace.  golden.sh --host
 * runs the daemon itself in a namespace holding those three.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "host.h"
#include "log.h"

static const char *const lab_ifaces[] = { "lo", "ens5", "ens6", NULL };

static int lab_iface_exists(const char *name, void *arg)
{
	const char *const *n;

	for (n = arg; *n; n++)
		if (!strcmp(*n, name))
			return 1;
	return 0;
}

const struct vxfwd_dsl_host host_ifaces = { lab_iface_exists, (void *)lab_ifaces };

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
