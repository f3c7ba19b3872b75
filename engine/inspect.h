/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * inspect.h - what `vxfwd status`, `explain` and `monitor` share: the names
 * and meanings of the XDP counters, the state file of an instance read in
 * full, and the live program and maps of an instance, found through its
 * pins or, without them, through the kernel (attached.h).
 */
#ifndef VXFWD_INSPECT_H
#define VXFWD_INSPECT_H

#include <limits.h>
#include <linux/types.h>

#include "attached.h"
#include "instance.h"
#include "vxfwd_abi.h"

/* The stats name of a counter ("drop_vni"), or "?" out of range. */
const char *inspect_counter_name(__u32 c);

/* What a counter means for the frame that landed in it, one phrase. */
const char *inspect_counter_why(__u32 c);

/* Everything the state file of a running instance records (reload.c). */
struct vxfwd_state {
	struct vxfwd_where where;
	char egress[IF_NAMESIZE];
	char rules[PATH_MAX];
	char backend[32];
	long long applied; /* time(2) the active generation was written */
	int pid;
	unsigned int gen;
	unsigned int n_sets;
	unsigned int n_rules;
	unsigned int n_orgs;
	unsigned int n_workers;
	unsigned int n_nexthops;
	int worker_cpu[VXFWD_MAX_WORKERS];
	struct inspect_nh {
		int family;	/* AF_INET (the first 4 bytes of addr) or AF_INET6 */
		__u8 addr[16];
	} nexthop[VXFWD_MAX_NEXTHOPS];
	char rule[VXFWD_MAX_RULES][64];
};

/* Read the state file at `path`.  0, or -errno (-ENOENT without ingress). */
int inspect_state_read(const char *path, struct vxfwd_state *st);

/* An fd of map `name` of instance `in`: through `prog_fd`, else its pin. */
int inspect_map_fd(const struct vxfwd_instance *in, int prog_fd, const char *name);

/* Print "aa:bb:cc:dd:ee:ff" into buf (18 bytes). */
const char *inspect_mac(const __u8 *mac, char *buf);

/* A JSON string literal of `s` on stdout. */
void inspect_json_str(const char *s);

#endif /* VXFWD_INSPECT_H */
