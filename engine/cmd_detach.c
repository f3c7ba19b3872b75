// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_detach.c - `vxfwd detach`: remove what a stopped instance left on the
 * host: its XDP program on the ingress interface (left on purpose by
 * `run -k`, or by a run killed with SIGKILL), the leak guard on the same
 * interface's egress, the pins and the state file.  The interface comes
 * from the state file, the program from the interface (attached.h), so
 * detach works from any mount namespace of the instance's network
 * namespace.  A running instance is refused: SIGTERM (without -k) detaches
 * it.  A program that is not vxfwd's is left alone.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attached.h"
#include "cmd.h"
#include "engine.h"
#include "log.h"

/* A bpf_link pinned by an earlier vxfwd. */
static void detach_old_link(const struct vxfwd_instance *in)
{
	char path[PATH_MAX];
	int fd;

	if (instance_pin_path(in, "link", path, sizeof(path)))
		return;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return;
	if (bpf_link_detach(fd) < 0 && errno != ENOLINK)
		log_warn("%s: detaching the pinned XDP link failed", path);
	close(fd);
}

/* vxfwd's program on `ifindex`: 1 detached, 0 none there, or -errno. */
static int detach_prog(const struct vxfwd_instance *in, const char *ifname, int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
	char pin[PATH_MAX];
	__u32 id, mode;
	int fd, ret;

	ret = attached_xdp_query(ifindex, &id, &mode);
	if (ret || !id)
		return ret;
	if (instance_pin_path(in, "prog", pin, sizeof(pin)))
		pin[0] = '\0';
	fd = attached_prog_fd(id, pin[0] ? pin : NULL, VXFWD_XDP_PROG_NAME);
	if (fd == -EEXIST) {
		log_warnx("%s: XDP program id %u is not vxfwd's: left attached", ifname, id);
		return 0;
	}
	if (fd < 0) {
		log_warnx("%s: XDP program id %u: cannot open it: %s", ifname, id, strerror(-fd));
		return fd;
	}
	opts.old_prog_fd = fd;
	ret = bpf_xdp_detach(ifindex, mode | XDP_FLAGS_REPLACE, &opts) ? -errno : 1;
	close(fd);
	if (ret < 0)
		log_warnx("%s: detaching XDP program id %u failed: %s", ifname, id, strerror(-ret));
	return ret;
}

static int detach_where(const struct vxfwd_instance *in, const struct vxfwd_where *w)
{
	struct vxfwd_guard guard = {0};
	int ifindex, ret, had_guard;

	if (w->netns && w->netns != attached_netns()) {
		log_warnx("%s: attached to %s in another network namespace (inode %llu); run "
			  "'vxfwd detach' there, e.g. with 'ip netns exec'",
			  in->name, w->ingress, (unsigned long long)w->netns);
		return -EXDEV;
	}
	ifindex = (int)if_nametoindex(w->ingress);
	if (!ifindex) {
		printf("%s: %s is gone, and with it what was attached\n", in->name, w->ingress);
		return 0;
	}
	ret = detach_prog(in, w->ingress, ifindex);
	if (ret < 0)
		return ret;
	guard.ifindex = ifindex;
	had_guard = guard_attached(ifindex);
	guard_detach(&guard);
	printf("%s: %s from %s, %s, pins removed\n", in->name,
	       ret ? "XDP detached" : "no vxfwd XDP program attached", w->ingress,
	       had_guard ? "leak guard detached" : "no leak guard there");
	return 0;
}

int cmd_detach(int argc, char **argv)
{
	struct vxfwd_instance in;
	struct vxfwd_where w;
	pid_t pid;

	if (instance_from_args(&in, &detach_cmd, argc, argv))
		return opt_usage_error(&detach_cmd);
	if (instance_running_pid(&in, &pid) == 0) {
		log_warnx("%s: running as pid %d; stop it first (SIGTERM detaches, unless it "
			  "runs with -k)",
			  in.name, (int)pid);
		return VXFWD_EXIT_RUNTIME;
	}
	detach_old_link(&in);
	if (access(in.statefile, F_OK) < 0 && access(in.rules, F_OK) < 0) {
		xdp_unpin(&in);
		printf("%s: nothing attached (no state file %s, no rules file %s)\n", in.name,
		       in.statefile, in.rules);
		return VXFWD_EXIT_OK;
	}
	if (attached_where_find(&in, &w)) {
		log_warnx("%s: no state file %s and no readable rules file %s: the ingress "
			  "interface is unknown; give the rules file with -f",
			  in.name, in.statefile, in.rules);
		return VXFWD_EXIT_RUNTIME;
	}
	if (detach_where(&in, &w))
		return VXFWD_EXIT_RUNTIME;
	xdp_unpin(&in);
	unlink(in.statefile);
	return VXFWD_EXIT_OK;
}
