/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * maps.h - the only writer of BPF maps, and the readers of their counters.
 *
 * A compiled ruleset (dsl/vxfwd_dsl.h) is applied in three steps:
 *   1. clear the inactive generation,
 *   2. write every operation with key.gen / index stamped to that generation,
 *   3. flip vxfwd_active to it (one 4-byte array write: the XDP program reads
 *      the generation once per frame, so no frame sees a mix of two rulesets).
 * Next-hop entries are not generational: static ones are written before the
 * flip, resolved ones by engine/neigh.c through maps_set_nexthop().
 */
#ifndef VXFWD_MAPS_H
#define VXFWD_MAPS_H

#include <linux/types.h>

#include "vxfwd_abi.h"

struct vxfwd_ruleset;
struct vxfwd_bpf;

/*
 * File descriptors of the maps, from the skeleton (maps_from_skel(), in
 * loader.c) or from pins; names, types and facts are in loader.c's table and
 * HACKING.md's map table.
 */
struct vxfwd_maps {
	int active;	   /* array[1]: __u32 active generation */
	int cfg;	   /* array[VXFWD_GENS]: struct vxfwd_cfg */
	int vni;	   /* hash: struct vxfwd_vni_key -> __u32 */
	int lpm;	   /* lpm_trie: struct vxfwd_lpm_key -> struct vxfwd_lpm_val */
	int rule;	   /* array[VXFWD_GENS * VXFWD_MAX_RULES]: struct vxfwd_rule */
	int nexthop;	   /* hash: __be32 -> struct vxfwd_nh */
	int counters;	   /* percpu array[VXFWD_C_MAX]: struct vxfwd_count */
	int rule_counters; /* percpu array[VXFWD_GENS * VXFWD_MAX_RULES] */
	int org_counters;  /* percpu array[VXFWD_GENS * VXFWD_MAX_ORGS] */
	int layer_counters; /* percpu array[VXFWD_L_MAX]: frames per encapsulation */
	int engine;	   /* mmapable array[VXFWD_MAX_WORKERS]: struct vxfwd_engine_stats */
	int ring;	   /* ringbuf of worker 0 */
	int rings;	   /* array of maps[VXFWD_MAX_WORKERS]: worker -> its ringbuf */
	int mon_ring;	   /* ringbuf of struct vxfwd_mon_ev (the monitor) */
	int lpm6;	   /* lpm_trie: struct vxfwd_lpm6_key -> struct vxfwd_lpm_val */
	int nexthop6;	   /* hash: struct vxfwd_in6 -> struct vxfwd_nh */
	int target_counters; /* percpu array[GENS * MAX_RULES * MAX_TARGETS]: struct vxfwd_target_count */
};

/* What the engine knows of the host and the compiler does not. */
struct vxfwd_apply_env {
	__u32 egress_ifindex;
	__u8 egress_mac[6];
};

/* Every fd of `skel`'s maps (defined in loader.c, the skeleton's owner). */
void maps_from_skel(struct vxfwd_maps *m, const struct vxfwd_bpf *skel);

/*
 * Apply `rs` to the inactive generation and make it active.  Returns 0 or a
 * negative errno; on error the active generation is unchanged.  *gen_out, if
 * not NULL, receives the generation now active.
 */
int maps_apply(const struct vxfwd_maps *m, const struct vxfwd_ruleset *rs,
	       const struct vxfwd_apply_env *env, __u32 *gen_out);

/* The active generation, or a negative errno. */
int maps_active_gen(const struct vxfwd_maps *m, __u32 *gen);

/* Set or clear (mac == NULL) the resolved next hop of DNAT target `addr`. */
int maps_set_nexthop(const struct vxfwd_maps *m, __be32 addr, const __u8 *mac, __u16 flags);

/* The same for IPv6 DNAT target `addr` (16 bytes, vxfwd_nexthop6). */
int maps_set_nexthop6(const struct vxfwd_maps *m, const __u8 *addr, const __u8 *mac,
		      __u16 flags);

/*
 * The next hop of DNAT target `addr` (AF_INET: 4 bytes, AF_INET6: 16) as
 * XDP sees it: 0, -ENOENT or -errno.
 */
int maps_get_nexthop(const struct vxfwd_maps *m, int family, const void *addr,
		     struct vxfwd_nh *out);

/*
 * Store worker `worker`'s ringbuf `ring_fd` in its slot of vxfwd_rings (the
 * rings of workers 1 and up; slot 0 is vxfwd_ring, set by the program).
 */
int maps_set_ring(const struct vxfwd_maps *m, __u32 worker, int ring_fd);

/*
 * Sum the per-CPU struct vxfwd_count of keys first .. first + n - 1 of
 * per-CPU array `fd` into out[0 .. n - 1].  0 or -errno.
 */
int maps_count_sum(int fd, __u32 first, __u32 n, struct vxfwd_count *out);

/* Slot `slot` of vxfwd_tgt_cnt summed over CPUs. */
int maps_target_sum(int fd, __u32 slot, struct vxfwd_target_count *out);

/* Sum the per-CPU global counters into out[VXFWD_C_MAX]. */
int maps_read_counters(const struct vxfwd_maps *m, struct vxfwd_count *out);

#endif /* VXFWD_MAPS_H */
