// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_detach.c - `vxfwd detach`: remove what a stopped instance left on the
 * host: the pinned XDP link (left on purpose by `run -k`, or by a run killed
 * with SIGKILL), the leak guard on the same interface, and the pins.  A
 * running instance is refused: SIGTERM (without -k) detaches it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/bpf.h>

#include "cmd.h"
#include "engine.h"
#include "log.h"

static void detach_usage(void)
{
	fprintf(stderr, "usage: vxfwd detach [-f file | -n name]\n");
}

int cmd_detach(int argc, char **argv)
{
	const char *file = NULL, *name = NULL;
	struct vxfwd_guard guard = {0};
	struct bpf_link_info info;
	struct vxfwd_instance in;
	char path[PATH_MAX], ifname[IF_NAMESIZE] = "?";
	__u32 len = sizeof(info);
	pid_t pid;
	int c, fd;

	optind = 1;
	while ((c = getopt(argc, argv, "f:n:")) != -1) {
		if ((c == 'f' && !name) || (c == 'n' && !file)) {
			*(c == 'f' ? &file : &name) = optarg;
			continue;
		}
		detach_usage();
		return VXFWD_EXIT_USAGE;
	}
	if (optind != argc || instance_init(&in, file, name)) {
		detach_usage();
		return VXFWD_EXIT_USAGE;
	}
	if (instance_running_pid(&in, &pid) == 0) {
		log_warnx("%s: running as pid %d; stop it first (SIGTERM detaches, unless it "
			  "runs with -k)",
			  in.name, (int)pid);
		return VXFWD_EXIT_RUNTIME;
	}
	if (instance_pin_path(&in, "link", path, sizeof(path)))
		return VXFWD_EXIT_USAGE;
	fd = bpf_obj_get(path);
	if (fd < 0 && errno != ENOENT) {
		log_warn("%s: cannot open the pinned link", path);
		return VXFWD_EXIT_RUNTIME;
	}
	if (fd < 0) {
		xdp_unpin(&in);
		printf("%s: nothing attached\n", in.name);
		return VXFWD_EXIT_OK;
	}
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.type == BPF_LINK_TYPE_XDP) {
		if_indextoname(info.xdp.ifindex, ifname);
		/* The guard run attached next to the program, same interface. */
		guard.ifindex = (int)info.xdp.ifindex;
		guard_detach(&guard);
	}
	if (bpf_link_detach(fd) < 0 && errno != ENOLINK) {
		log_warn("%s: detaching the XDP link failed", in.name);
		close(fd);
		return VXFWD_EXIT_RUNTIME;
	}
	close(fd);
	xdp_unpin(&in);
	printf("%s: XDP and the leak guard detached from %s, pins removed\n", in.name, ifname);
	return VXFWD_EXIT_OK;
}
