/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cmd.h - subcommands, dispatched from the table in main.c.
 *
 * Each takes the arguments after the subcommand name (argv[0] is the
 * subcommand) and returns an exit status (log.h: VXFWD_EXIT_*).
 */
#ifndef VXFWD_CMD_H
#define VXFWD_CMD_H

int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_reload(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_import_allowlist(int argc, char **argv);

#endif /* VXFWD_CMD_H */
