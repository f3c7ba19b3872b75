/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * neigh.h - next-hop MACs of DNAT targets from the kernel neighbour table.
 *
 * The table consulted is the egress interface's, or its bridge master's when
 * egress is a bridge port (IFLA_MASTER).  A route lookup is never made: on
 * the real host ingress and egress sit in the same subnet, and the main
 * table may well answer with the ingress interface.  Missing entries are
 * created and resolved on that device with RTM_NEWNEIGH + NTF_USE, retried
 * with backoff (for an IPv6 target the kernel then sends a neighbour
 * solicitation, as it sends an ARP request for an IPv4 one); RTNLGRP_NEIGH
 * and RTNLGRP_LINK events keep the vxfwd_nexthop and vxfwd_nexthop6 maps
 * and the egress MAC current, on one subscribed socket; requests,
 * dumps and parsing go through host.h's rtnetlink helpers.
 */
#ifndef VXFWD_NEIGH_H
#define VXFWD_NEIGH_H

#include <time.h>
#include <linux/types.h>

#include "maps.h"

struct vxfwd_neigh;

/* Called when the egress MAC or its up/down state changes. */
typedef void (*neigh_link_cb)(void *ctx, const __u8 *mac, int up);

/* A DNAT target: IPv4 (AF_INET: the first 4 bytes of addr) or IPv6 (AF_INET6). */
struct neigh_addr {
	int family;
	__u8 addr[16];
};

struct vxfwd_nh_target {
	struct neigh_addr a;
	int is_static; /* pinned in the rules file: never resolved */
	int valid;     /* written to the map as VALID */
	__u8 mac[6];
	__u16 state; /* last NUD_* seen, 0 when none */
	unsigned int backoff_ms;
	struct timespec next; /* next trigger, zero when none is due */
};

struct vxfwd_neigh {
	int fd;
	__u32 seq;
	int egress_ifindex;
	int neigh_ifindex; /* egress or its master */
	int egress_up;
	__u8 egress_mac[6];
	const struct vxfwd_maps *maps;
	neigh_link_cb link_cb;
	void *link_ctx;
	struct vxfwd_nh_target t[VXFWD_MAX_NEXTHOPS];
	unsigned int n;
};

/* Open the socket, learn the egress link (MAC, state, master). */
int neigh_open(struct vxfwd_neigh *n, const struct vxfwd_maps *maps, int egress_ifindex,
	       neigh_link_cb cb, void *ctx);
void neigh_close(struct vxfwd_neigh *n);

/*
 * Track exactly `addrs` (statics[i] set for pinned ones): targets no longer
 * listed are cleared from the map, new ones looked up and resolved.  With
 * `wait_ms`, wait up to that long for every new target to resolve.  Returns 0
 * or -errno (a netlink failure; unresolved targets are not an error).
 */
int neigh_set_targets(struct vxfwd_neigh *n, const struct neigh_addr *addrs, const int *statics,
		      unsigned int count, int wait_ms);

/* Read and apply every pending netlink message. */
int neigh_process(struct vxfwd_neigh *n);

/* Send due triggers; returns the milliseconds until the next one, or -1. */
int neigh_tick(struct vxfwd_neigh *n);

/* Count targets without a valid MAC. */
unsigned int neigh_unresolved(const struct vxfwd_neigh *n);

#endif /* VXFWD_NEIGH_H */
