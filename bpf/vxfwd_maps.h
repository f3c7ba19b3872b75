/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vxfwd_maps.h - the maps of the XDP program (names are ABI: HACKING.md).
 *
 * Ruleset maps are keyed by generation; user space (engine/maps.c) writes the
 * inactive generation and flips vxfwd_active.
 */
#ifndef VXFWD_MAPS_BPF_H
#define VXFWD_MAPS_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "vxfwd_abi.h"
#include "vxfwd_limits.h"

/* A map definition without flags: type, entries, key and value types. */
#define VXFWD_MAP(t, n, k, v)                                                  \
	struct {                                                               \
		__uint(type, t);                                               \
		__uint(max_entries, n);                                        \
		__type(key, k);                                                \
		__type(value, v);                                              \
	}

VXFWD_MAP(BPF_MAP_TYPE_ARRAY, 1, __u32, __u32) vxfwd_active SEC(".maps");

VXFWD_MAP(BPF_MAP_TYPE_ARRAY, VXFWD_GENS, __u32, struct vxfwd_cfg) vxfwd_cfg SEC(".maps");

VXFWD_MAP(BPF_MAP_TYPE_HASH, VXFWD_GENS * VXFWD_MAX_VNIS, struct vxfwd_vni_key,
	  __u32) vxfwd_vni SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, VXFWD_GENS *VXFWD_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct vxfwd_lpm_key);
	__type(value, struct vxfwd_lpm_val);
} vxfwd_lpm SEC(".maps");

/* IPv6 sources and destinations: the same values as vxfwd_lpm, own keys. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, VXFWD_GENS *VXFWD_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct vxfwd_lpm6_key);
	__type(value, struct vxfwd_lpm_val);
} vxfwd_lpm6 SEC(".maps");

VXFWD_MAP(BPF_MAP_TYPE_ARRAY, VXFWD_GENS * VXFWD_MAX_RULES, __u32,
	  struct vxfwd_rule) vxfwd_rule SEC(".maps");

VXFWD_MAP(BPF_MAP_TYPE_HASH, VXFWD_MAX_NEXTHOPS, __be32,
	  struct vxfwd_nh) vxfwd_nexthop SEC(".maps");

VXFWD_MAP(BPF_MAP_TYPE_HASH, VXFWD_MAX_NEXTHOPS, struct vxfwd_in6,
	  struct vxfwd_nh) vxfwd_nexthop6 SEC(".maps");

VXFWD_MAP(BPF_MAP_TYPE_PERCPU_ARRAY, VXFWD_C_MAX, __u32,
	  struct vxfwd_count) vxfwd_counters SEC(".maps");

VXFWD_MAP(BPF_MAP_TYPE_PERCPU_ARRAY, VXFWD_L_MAX, __u32,
	  struct vxfwd_count) vxfwd_layer_cnt SEC(".maps");

VXFWD_MAP(BPF_MAP_TYPE_PERCPU_ARRAY, VXFWD_GENS * VXFWD_MAX_RULES, __u32,
	  struct vxfwd_count) vxfwd_rule_cnt SEC(".maps");

VXFWD_MAP(BPF_MAP_TYPE_PERCPU_ARRAY, VXFWD_GENS * VXFWD_MAX_ORGS, __u32,
	  struct vxfwd_count) vxfwd_org_cnt SEC(".maps");

VXFWD_MAP(BPF_MAP_TYPE_PERCPU_ARRAY, VXFWD_TARGET_CNT_SLOTS, __u32,
	  struct vxfwd_target_count) vxfwd_tgt_cnt SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VXFWD_MAX_WORKERS); /* one per worker */
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct vxfwd_engine_stats);
} vxfwd_engine SEC(".maps");

/*
 * The ring of worker 0, and the only one with one worker.  User space may
 * resize it with bpf_map__set_max_entries() before load.
 */
struct vxfwd_ringbuf {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, VXFWD_RING_BYTES);
};

struct vxfwd_ringbuf vxfwd_ring SEC(".maps");

/*
 * One ring per engine worker, used when vxfwd_nr_rings > 1: slot 0 is
 * vxfwd_ring, user space creates the others and stores them before attach.
 * A ringbuf's producer position is shared by every CPU that writes it; with
 * a ring per worker, XDP on CPU c writes ring c % vxfwd_nr_rings and CPUs
 * that feed different workers never contend.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, VXFWD_MAX_WORKERS);
	__type(key, __u32);
	__array(values, struct vxfwd_ringbuf);
} vxfwd_rings SEC(".maps") = {
	.values = {[0] = &vxfwd_ring},
};

/* 1 when `port` (network order) is a VXLAN port of `cfg`'s generation. */
static __always_inline int cfg_vxlan_port(const struct vxfwd_cfg *cfg, __be16 port)
{
	__u32 i;

	for (i = 0; i < VXFWD_MAX_VXLAN_PORTS; i++) {
		if (i >= cfg->n_vxlan_ports)
			break;
		if (cfg->vxlan_port_be[i] == port)
			return 1;
	}
	return 0;
}

/* 1 when `port` (network order) is a GENEVE port of `cfg`'s generation. */
static __always_inline int cfg_geneve_port(const struct vxfwd_cfg *cfg, __be16 port)
{
	__u32 i;

	for (i = 0; i < VXFWD_MAX_GENEVE_PORTS; i++) {
		if (i >= cfg->n_geneve_ports)
			break;
		if (cfg->geneve_port_be[i] == port)
			return 1;
	}
	return 0;
}

#endif /* VXFWD_MAPS_BPF_H */
