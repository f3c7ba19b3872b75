// SPDX-License-Identifier: GPL-2.0-only
/*
 * check_main.c - `vxfwd check` alone, for the golden files: the daemon's
 * cmd_check.c with the rules compiler, plain, with sanitizers and with
 * shrunken limits (tests/rules/meson.build).  Invoked as
 * "PROG check [-jqv] [-f file]" like the daemon, -h answered as main.c does.
 *
 * Its host is a fixed one instead of engine/host.c's: the interfaces lo,
 * ens5 and ens6 exist and no other, whoever runs it and wherever, so the
 * golden files need neither root nor a network namespace.  Their addresses
 * are the lab's (tests/lab/lib.sh): ens5 and ens6 share 172.30.82.0/24, as
 * a sensor's interfaces share the VPC subnet.  golden.sh --host
 * runs the daemon itself in a namespace holding those three.
 */
#include <arpa/inet.h>
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

static const struct {
	const char *name;
	const char *addr;
	unsigned int plen;
} lab_addrs[] = {
	{ "lo", "127.0.0.1", 8 },
	{ "ens5", "172.30.82.108", 24 },
	{ "ens6", "172.30.82.192", 24 },
};

static int lab_addr_where(__be32 addr, const char *name, void *arg)
{
	struct in_addr a;
	__be32 mask;
	size_t i;
	int w = 0;

	(void)arg;
	for (i = 0; i < sizeof(lab_addrs) / sizeof(lab_addrs[0]); i++) {
		if (strcmp(lab_addrs[i].name, name) || !inet_aton(lab_addrs[i].addr, &a))
			continue;
		mask = htonl(~0u << (32 - lab_addrs[i].plen));
		if (a.s_addr == addr)
			return VXFWD_DSL_ADDR_OWN;
		if ((a.s_addr & mask) == (addr & mask))
			w = VXFWD_DSL_ADDR_SUBNET;
	}
	return w;
}

const struct vxfwd_dsl_host host_ifaces = { lab_iface_exists, (void *)lab_ifaces,
					     lab_addr_where };

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
