// SPDX-License-Identifier: GPL-2.0-only
/*
 * main.c - vxfwd: subcommands dispatched from one table.
 *
 * The synopsis below is the contract of HACKING.md and vxfwd(8); a test
 * compares them, so change all three together.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "log.h"

struct subcmd {
	const char *name;
	int (*handler)(int argc, char **argv);
	const char *args; /* synopsis after "vxfwd NAME" */
};

static const struct subcmd subcmds[] = {
	{"run", cmd_run,
	 " [-kQv] [-B batch] [-b backend] [-c cpus] [-f file] [-n name] [-p usec] [-r size]"
	 " [-s policy] [-w workers] [-x mode]"},
#ifdef VXFWD_HAVE_CHECK
	{"check", cmd_check, " [-jqv] [-f file]"},
#else
	{"check", NULL, " [-jqv] [-f file]"},
#endif
	{"reload", cmd_reload, " [-f file | -n name]"},
	{"detach", cmd_detach, " [-f file | -n name]"},
	{"stats", cmd_stats, " [-j | -p] [-w seconds] [-f file | -n name]"},
	{"status", cmd_status, " [-j] [-n name]"},
	{"monitor", cmd_monitor, " [-c count] [-n name] [-r rate] [-s sample]"},
	{"explain", cmd_explain,
	 " [-j] [-f file | -n name] [-r pcap | udp | tcp src[:sport] dst:dport [vni N]]"},
#ifdef VXFWD_HAVE_DOCTOR
	{"doctor", cmd_doctor, " [-f file]"},
#else
	{"doctor", NULL, " [-f file]"},
#endif
	{"import-allowlist", cmd_import_allowlist, " [-s set] file"},
	{"version", cmd_version, ""},
};

#define N_SUBCMDS (sizeof(subcmds) / sizeof(subcmds[0]))

static void usage(FILE *f)
{
	size_t i;

	for (i = 0; i < N_SUBCMDS; i++)
		fprintf(f, "%s vxfwd %s%s\n", i ? "      " : "usage:", subcmds[i].name,
			subcmds[i].args);
}

static const struct subcmd *lookup(const char *name)
{
	size_t i;

	for (i = 0; i < N_SUBCMDS; i++)
		if (strcmp(subcmds[i].name, name) == 0)
			return &subcmds[i];
	return NULL;
}

static int is_help(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

int main(int argc, char **argv)
{
	const struct subcmd *c;

	log_init(0);
	if (argc < 2) {
		usage(stderr);
		return VXFWD_EXIT_USAGE;
	}
	if (is_help(argv[1])) {
		usage(stdout);
		return VXFWD_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("vxfwd %s\n", VXFWD_VERSION);
		return VXFWD_EXIT_OK;
	}
	c = lookup(argv[1]);
	if (!c) {
		log_warnx("%s: unknown command", argv[1]);
		usage(stderr);
		return VXFWD_EXIT_USAGE;
	}
	if (argc > 2 && is_help(argv[2])) {
		printf("usage: vxfwd %s%s\n", c->name, c->args);
		return VXFWD_EXIT_OK;
	}
	if (!c->handler) {
		log_warnx("%s: not available in this build", c->name);
		return VXFWD_EXIT_USAGE;
	}
	return c->handler(argc - 1, argv + 1);
}
