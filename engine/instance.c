// SPDX-License-Identifier: GPL-2.0-only
/* instance.c - see instance.h. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "instance.h"
#include "opts.h"

static int name_from_rules(const char *rules, char *name, size_t len)
{
	const char *base = strrchr(rules, '/');
	size_t n;

	base = base ? base + 1 : rules;
	n = strlen(base);
	if (n > 6 && strcmp(base + n - 6, ".rules") == 0)
		n -= 6;
	if (n == 0 || n >= len)
		return -EINVAL;
	memcpy(name, base, n);
	name[n] = '\0';
	return 0;
}

static int name_valid(const char *name)
{
	const char *p;

	if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	for (p = name; *p; p++)
		if (*p == '/' || *p < 0x21 || *p > 0x7e)
			return 0;
	return 1;
}

int instance_init(struct vxfwd_instance *in, const char *rules, const char *name)
{
	int ret;

	memset(in, 0, sizeof(*in));
	in->pid_fd = -1;
	if (!rules)
		rules = VXFWD_DEFAULT_RULES;
	if (snprintf(in->rules, sizeof(in->rules), "%s", rules) >= (int)sizeof(in->rules))
		return -ENAMETOOLONG;
	if (name) {
		if (snprintf(in->name, sizeof(in->name), "%s", name) >= (int)sizeof(in->name))
			return -ENAMETOOLONG;
	} else {
		ret = name_from_rules(rules, in->name, sizeof(in->name));
		if (ret)
			return ret;
	}
	if (!name_valid(in->name))
		return -EINVAL;
	snprintf(in->pidfile, sizeof(in->pidfile), "%s/%s.pid", VXFWD_RUNDIR, in->name);
	snprintf(in->statefile, sizeof(in->statefile), "%s/%s.rules.state", VXFWD_RUNDIR, in->name);
	snprintf(in->pindir, sizeof(in->pindir), "%s/vxfwd/%s", VXFWD_BPFFS, in->name);
	return 0;
}

int instance_from_args(struct vxfwd_instance *in, const struct opt_cmd *c, int argc, char **argv)
{
	const char *file = NULL, *name = NULL;
	int ch;

	optind = 0;
	while ((ch = opt_next(c, argc, argv)) != -1)
		if (opt_instance(ch, optarg, &file, &name))
			return -EINVAL;
	if (optind != argc)
		return -EINVAL;
	return instance_init(in, file, name) ? -EINVAL : 0;
}

int instance_pin_path(const struct vxfwd_instance *in, const char *obj, char *buf, size_t len)
{
	if (snprintf(buf, len, "%s/%s", in->pindir, obj) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

static int read_pid(int fd, pid_t *pid)
{
	char buf[32];
	ssize_t n;
	long v;
	char *end;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return n < 0 ? -errno : -ENOENT;
	buf[n] = '\0';
	v = strtol(buf, &end, 10);
	if (end == buf || v <= 0)
		return -EINVAL;
	*pid = (pid_t)v;
	return 0;
}

int instance_lock(struct vxfwd_instance *in, pid_t *owner)
{
	char buf[32];
	int fd, n, ret;

	if (mkdir(VXFWD_RUNDIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	fd = open(in->pidfile, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		ret = errno == EWOULDBLOCK ? -EBUSY : -errno;
		if (owner && read_pid(fd, owner))
			*owner = 0;
		close(fd);
		return ret;
	}
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, n, 0) != n) {
		ret = -errno;
		close(fd);
		return ret;
	}
	in->pid_fd = fd;
	return 0;
}

void instance_unlock(struct vxfwd_instance *in)
{
	if (in->pid_fd < 0)
		return;
	unlink(in->pidfile);
	close(in->pid_fd);
	in->pid_fd = -1;
}

int instance_running_pid(const struct vxfwd_instance *in, pid_t *pid)
{
	int fd, ret;

	fd = open(in->pidfile, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		/* Nobody holds the exclusive lock: a leftover of a dead run. */
		close(fd);
		return -ESRCH;
	}
	ret = read_pid(fd, pid);
	close(fd);
	return ret;
}
