/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cmd.h - subcommands, dispatched from the table in main.c.
 *
 * Each takes the arguments after the subcommand name (argv[0] is the
 * subcommand) and returns an exit status (log.h: VXFWD_EXIT_*).
 */
#ifndef VXFWD_CMD_H
#define VXFWD_CMD_H

#include "opts.h"

struct json_object;
struct vxfwd_diag_rec;

/* Each subcommand's options (opts.h), in the command table (commands.c). */
extern const struct opt_cmd run_cmd;
extern const struct opt_cmd check_cmd;
extern const struct opt_cmd reload_cmd;
extern const struct opt_cmd detach_cmd;
extern const struct opt_cmd stats_cmd;
extern const struct opt_cmd status_cmd;
extern const struct opt_cmd explain_cmd;
extern const struct opt_cmd monitor_cmd;
extern const struct opt_cmd doctor_cmd;
extern const struct opt_cmd import_allowlist_cmd;
extern const struct opt_cmd version_cmd;

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

/*
 * A diagnostic as check -j prints it (doctor -j too): file, line, column,
 * end_line, end_column, severity, message, included_from and, with
 * `with_notes`, its notes.  NULL when out of memory.
 */
struct json_object *check_diag_json(const struct vxfwd_diag_rec *r, int with_notes);

#endif /* VXFWD_CMD_H */
