/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guard.h - the egress leak guard (bpf/vxfwd_guard.bpf.c): a tc program on
 * the ingress interface's egress that drops frames derived from mirror
 * traffic: addressed to a DNAT target, or ICMP errors quoting a datagram to
 * a VXLAN port.  It shares the XDP skeleton's ruleset maps, so it always judges
 * by the active generation.
 *
 * Lifecycle: guard_open() (load on the XDP object's maps) -> guard_attach()
 * -> ... -> guard_detach() -> guard_close().  The tc filter is held by
 * the interface, like the XDP program: it outlives a killed daemon, and the
 * next guard_attach() replaces it.
 */
#ifndef VXFWD_GUARD_H
#define VXFWD_GUARD_H

#include <limits.h>

#include "vxfwd_abi.h"

struct bpf_object;
struct vxfwd_guard_bpf;

/* tc handle and priority of the guard's filter on the egress hook. */
#define VXFWD_GUARD_HANDLE 0x7866
#define VXFWD_GUARD_PRIO   1

struct vxfwd_guard {
	struct vxfwd_guard_bpf *skel;
	int ifindex;	    /* attached to, 0 when not */
	char pin[PATH_MAX]; /* vxfwd_guard_cnt pin, "" when not pinned */
};

/* Open and load the guard on the maps of `xdp_obj`.  0 or -errno. */
int guard_open(struct vxfwd_guard *g, struct bpf_object *xdp_obj);

/*
 * Attach to the egress of `ifindex` (replacing a filter left by a dead run)
 * and pin the counter map at `cnt_pin` (NULL: not pinned).  0 or -errno.
 */
int guard_attach(struct vxfwd_guard *g, int ifindex, const char *cnt_pin);

/* 1 when a guard's filter is on the egress of `ifindex`, else 0. */
int guard_attached(int ifindex);

/* Remove the filter (if there) and the pin; the clsact qdisc stays for others. */
void guard_detach(struct vxfwd_guard *g);

void guard_close(struct vxfwd_guard *g);

/* fd of the guard's program and of its counter map. */
int guard_prog_fd(const struct vxfwd_guard *g);
int guard_cnt_fd(const struct vxfwd_guard *g);

/* Sum the per-CPU counters of map `fd` into out[VXFWD_G_MAX]. */
int guard_read(int fd, struct vxfwd_count *out);

#endif /* VXFWD_GUARD_H */
