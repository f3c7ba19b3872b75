// SPDX-License-Identifier: GPL-2.0-only
/* cmd_version.c - `vxfwd version`: our version, the libraries', the kernel's. */
#include <getopt.h>
#include <stdio.h>
#include <sys/utsname.h>
#include <bpf/libbpf.h>

#include "cmd.h"
#include "config.h"
#include "log.h"

int cmd_version(int argc, char **argv)
{
	struct utsname u;

	optind = 0;
	if (opt_next(&version_cmd, argc, argv) != -1 || optind != argc) {
		opt_usage(&version_cmd, stderr);
		return VXFWD_EXIT_USAGE;
	}
	printf("vxfwd %s\n", VXFWD_VERSION);
	printf("libbpf %s\n", libbpf_version_string());
	printf("liburing %s\n", VXFWD_LIBURING_VERSION);
	if (uname(&u) == 0)
		printf("kernel %s %s %s\n", u.sysname, u.release, u.machine);
	return VXFWD_EXIT_OK;
}
