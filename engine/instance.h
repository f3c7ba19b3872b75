/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * instance.h - naming of a running instance: rules file, name, pid file,
 * pin directory and state file, and the pid-file lock that makes a name
 * unique on the host.
 */
#ifndef VXFWD_INSTANCE_H
#define VXFWD_INSTANCE_H

#include <limits.h>
#include <sys/types.h>

#define VXFWD_DEFAULT_RULES VXFWD_SYSCONFDIR "/vxfwd/vxfwd.rules"
#define VXFWD_NAME_MAX	    64

struct vxfwd_instance {
	char rules[PATH_MAX];
	char name[VXFWD_NAME_MAX];
	char pidfile[PATH_MAX];
	char statefile[PATH_MAX];
	char pindir[PATH_MAX];
	int pid_fd; /* locked pid file, -1 when not held */
};

/*
 * Fill in the paths.  `rules` may be NULL (default file), `name` NULL (the
 * rules file's base name without ".rules").  Returns 0 or -EINVAL when the
 * name cannot be used in a path.
 */
int instance_init(struct vxfwd_instance *in, const char *rules, const char *name);

struct opt_cmd;

/*
 * The instance that the command line of `c` names, when -f file | -n name
 * (opt_instance()) are all it takes: 0, or -EINVAL for anything else on it
 * or a name that cannot be used.  argv[0] is the command.
 */
int instance_from_args(struct vxfwd_instance *in, const struct opt_cmd *c, int argc, char **argv);

/* Path of object `obj` (a map or "link") below the pin directory. */
int instance_pin_path(const struct vxfwd_instance *in, const char *obj, char *buf, size_t len);

/*
 * Take the pid-file lock and write our pid.  Returns 0, -EBUSY when another
 * process holds it (*owner receives its pid when readable) or another -errno.
 */
int instance_lock(struct vxfwd_instance *in, pid_t *owner);

/* Remove the pid file and drop the lock. */
void instance_unlock(struct vxfwd_instance *in);

/* The pid of the running instance, -ESRCH when none holds the lock. */
int instance_running_pid(const struct vxfwd_instance *in, pid_t *pid);

#endif /* VXFWD_INSTANCE_H */
