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

/* Room for "[IPv6 address]:port" and its NUL. */
#define INSPECT_ENDPOINT_LEN 56

/*
 * "a.b.c.d:port" (AF_INET, 4 bytes at addr) or "[IPv6 address]:port"
 * (AF_INET6, 16 bytes) into buf; the address alone when port < 0.
 */
void inspect_endpoint(char *buf, size_t len, int family, const void *addr, int port);

/*
 * The inner source and destination of a monitor event, each as
 * inspect_endpoint() writes it (ports when with_ports), into buffers of
 * `len` bytes.  An event of a program older than the IPv6 fields carries
 * family 0 and its IPv4 addresses.  0, or -ENOENT when the inner header
 * was not read.
 */
int inspect_ev_ends(const struct vxfwd_mon_ev *ev, int with_ports, char *src, char *dst,
		    size_t len);

/* A JSON string literal of `s` on stdout. */
void inspect_json_str(const char *s);

#endif /* VXFWD_INSPECT_H */
