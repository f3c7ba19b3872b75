/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * attached.h - what an instance leaves in the kernel, found through the
 * kernel itself: vxfwd's XDP program on the ingress interface (attached
 * through netlink, so it holds on without a file descriptor or a pin), the
 * leak guard's tc filter on its egress, and their maps.
 *
 * Pins under /sys/fs/bpf are a convenience for bpftool and for processes
 * without CAP_SYS_ADMIN; nothing that keeps mirror traffic off the stack
 * depends on them.  A program is recognised as vxfwd's by its name; an
 * instance's interface comes from its state file (/run/vxfwd/NAME.rules.state:
 * "ingress IFNAME", "ifindex N", "netns INODE").
 */
#ifndef VXFWD_ATTACHED_H
#define VXFWD_ATTACHED_H

#include <net/if.h>
#include <sys/types.h>
#include <linux/types.h>

#include "instance.h"

/* The kernel's name of the XDP entry point (bpf/vxfwd.bpf.c). */
#define VXFWD_XDP_PROG_NAME "vxfwd_xdp"

struct vxfwd_maps;

/* Where an instance attached, as recorded in its state file. */
struct vxfwd_where {
	char ingress[IF_NAMESIZE];
	char rules[PATH_MAX]; /* the rules file it runs, "" when not recorded */
	int ifindex;
	__u64 netns; /* inode of the network namespace, 0 when not recorded */
};

/* The inode of this process's network namespace, or 0. */
__u64 attached_netns(void);

/* Read the "ingress", "ifindex", "netns" and "rules" lines of a state file. */
int attached_where(const char *statefile, struct vxfwd_where *w);

/*
 * Where instance `in` attached: its state file, or else the ingress of its
 * rules file (errors in the file are printed to stderr).  0 or -errno.
 */
int attached_where_find(const struct vxfwd_instance *in, struct vxfwd_where *w);

/*
 * The XDP program attached to `ifindex`: *prog_id (0 for none) and
 * *xdp_flags (XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE, the mode it is
 * attached in).  0 or -errno.
 */
int attached_xdp_query(int ifindex, __u32 *prog_id, __u32 *xdp_flags);

/*
 * An fd of program `id`: from pin `pin` when it names that program (no
 * CAP_SYS_ADMIN needed), else by id.  With `want_name`, a program of another
 * name is refused with -EEXIST.  fd or -errno.
 */
int attached_prog_fd(__u32 id, const char *pin, const char *want_name);

/* An fd of the map called `name` that program `prog_fd` uses, or -errno. */
int attached_map_fd(int prog_fd, const char *name);

/*
 * An fd of vxfwd's XDP program on the interface of instance `in` (its pin,
 * else the program attached to the interface its state or rules file
 * names), with the interface's index, the program's id and its attach mode
 * (XDP_FLAGS_DRV_MODE or _SKB_MODE) where not NULL.  fd, or -errno
 * (-ENOENT: no vxfwd program there; -EXDEV: the instance runs in another
 * network namespace, where its interface name means another interface).
 */
int attached_instance_prog(const struct vxfwd_instance *in, int *ifindex, __u32 *prog_id,
			   __u32 *xdp_flags);

/*
 * An fd of map `name` of instance `in`: its pin, or else the map of that
 * name used by its program (attached_instance_prog()).  fd or -errno.
 */
int attached_instance_map(const struct vxfwd_instance *in, const char *name);

/*
 * Open the maps `vxfwd stats` reads (active, counters, rule and organization
 * counters, engine) through the program of instance `in`, and the leak
 * guard's counters into *guard_fd (-errno when no guard is attached).
 * 0 or -errno.
 */
int attached_maps_open(const struct vxfwd_instance *in, struct vxfwd_maps *m, int *guard_fd);

/*
 * The same maps for `vxfwd stats`: from the pins of `in`, or without pins
 * (-ENOENT there) through its program.  Every fd not opened is -1; close
 * them with attached_stats_close() whatever this returns.  0 or -errno.
 */
int attached_stats_open(const struct vxfwd_instance *in, struct vxfwd_maps *m, int *guard_fd);

/* Close what attached_stats_open() opened, leaving every fd -1. */
void attached_stats_close(struct vxfwd_maps *m, int *guard_fd);

/*
 * The name of another running instance attached to `ifindex` in this
 * network namespace, copied to `owner`: 1 when there is one, else 0.
 */
int attached_owner(const struct vxfwd_instance *self, int ifindex, char *owner,
		   size_t len);

#endif /* VXFWD_ATTACHED_H */
