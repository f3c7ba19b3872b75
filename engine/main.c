// SPDX-License-Identifier: GPL-2.0-only
/*
 * main.c - vxfwd: subcommands dispatched from one table.
 *
 * `vxfwd --help` prints the synopsis built from each subcommand's option
 * table (opts.h); it is the contract of HACKING.md and vxfwd(8), and tests
 * compare them, so change all three together.  `vxfwd CMD -h` is answered
 * here, from the same table, before CMD runs.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "log.h"
#include "opts.h"

struct subcmd {
	const struct opt_cmd *opts; /* name, options, synopsis, help */
	int (*handler)(int argc, char **argv);
};

static const struct subcmd subcmds[] = {
	{&run_cmd, cmd_run},
	{&check_cmd, cmd_check},
	{&reload_cmd, cmd_reload},
	{&detach_cmd, cmd_detach},
	{&stats_cmd, cmd_stats},
	{&status_cmd, cmd_status},
	{&monitor_cmd, cmd_monitor},
	{&explain_cmd, cmd_explain},
	{&doctor_cmd, cmd_doctor},
	{&import_allowlist_cmd, cmd_import_allowlist},
	{&version_cmd, cmd_version},
};

#define N_SUBCMDS (sizeof(subcmds) / sizeof(subcmds[0]))

static void usage(FILE *f)
{
	size_t i;

	for (i = 0; i < N_SUBCMDS; i++)
		opt_usage_line(subcmds[i].opts, i == 0, f);
}

static const struct subcmd *lookup(const char *name)
{
	size_t i;

	for (i = 0; i < N_SUBCMDS; i++)
		if (strcmp(subcmds[i].opts->name, name) == 0)
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
	/* --version is `vxfwd version`, output and all. */
	if (strcmp(argv[1], "--version") == 0 && argc == 2)
		return cmd_version(1, argv + 1);
	c = lookup(argv[1]);
	if (!c) {
		log_warnx("%s: unknown command", argv[1]);
		usage(stderr);
		return VXFWD_EXIT_USAGE;
	}
	if (opt_wants_help(c->opts, argc - 1, argv + 1)) {
		opt_help(c->opts, stdout);
		return VXFWD_EXIT_OK;
	}
	optind = 0;
	return c->handler(argc - 1, argv + 1);
}
