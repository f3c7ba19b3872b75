/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * loader.h - the XDP object (bpf/vxfwd.bpf.c through its skeleton): open it
 * with what must be set before load, load, destroy, its program, and the
 * one table of the maps an instance is known by, with what each one is for.
 *
 * loader.c is the only file in engine/ that includes the skeleton; the rest
 * holds a struct vxfwd_bpf as an opaque handle.  It writes no map (maps.c
 * does): it only sets the object up and hands out file descriptors.
 */
#ifndef VXFWD_LOADER_H
#define VXFWD_LOADER_H

#include <linux/types.h>

#include "vxfwd_abi.h"

struct bpf_object;
struct vxfwd_bpf;
struct vxfwd_maps;

/* The maps of an instance: the XDP object's, then the leak guard's counters. */
enum lmap {
	LMAP_ACTIVE,
	LMAP_CFG,
	LMAP_VNI,
	LMAP_LPM,
	LMAP_RULE,
	LMAP_NEXTHOP,
	LMAP_COUNTERS,
	LMAP_RULE_CNT,
	LMAP_ORG_CNT,
	LMAP_LAYER_CNT,
	LMAP_ENGINE,
	LMAP_RING,
	LMAP_RINGS,
	LMAP_MON_TB,
	LMAP_MON_RING,
	LMAP_GUARD_CNT,
	LMAP_LPM6,
	LMAP_NEXTHOP6,
	LMAP_TARGET_CNT,
	LMAP_MAX
};

/* What a map is for (struct lmap_info.flags). */
#define LMAP_F_PIN     0x01u /* pinned by `run` under the pin directory (xdp.c) */
#define LMAP_F_RULESET 0x02u /* the live ruleset: `explain -n` reuses the instance's */
#define LMAP_F_STATS   0x04u /* opened by `vxfwd stats`, from pins or the program */
#define LMAP_F_BIND    0x08u /* used only by user space: bound to the program */
#define LMAP_F_GUARD   0x10u /* the leak guard's, pinned by `run` beside the others */

struct lmap_info {
	const char *name; /* in the object, in pins, in bpf_map_info */
	int fd_off;	  /* offset of its fd in struct vxfwd_maps, -1 for none */
	unsigned int flags;
};

extern const struct lmap_info lmap_table[LMAP_MAX];

/* The name of map `id`. */
const char *lmap_name(enum lmap id);

/* Where struct vxfwd_maps keeps the fd of map `id`, or NULL. */
int *lmap_fd_slot(struct vxfwd_maps *m, enum lmap id);

/* What is set between open and load. */
struct loader_opts {
	__u32 nr_rings;			 /* rodata vxfwd_nr_rings; 0 keeps 1 */
	__u32 ring_bytes;		 /* size of vxfwd_ring (worker 0's); 0 keeps it */
	const struct vxfwd_mon_cfg *mon; /* the monitor's .bss vxfwd_mon; NULL: off */
};

/*
 * Open the object into *bpf and apply `o`.  0 or -errno: *bpf is NULL when
 * the open itself failed, set (loader_close() frees it) when a setting did.
 */
int loader_open(struct vxfwd_bpf **bpf, const struct loader_opts *o);

/* Before load: map `id` of the object is the existing map `fd`.  0 or -errno. */
int loader_reuse(struct vxfwd_bpf *bpf, enum lmap id, int fd);

/* Load (and verify) the object.  0 or -errno. */
int loader_load(struct vxfwd_bpf *bpf);

/* Destroy the object: its program and the maps no one else holds.  NULL is fine. */
void loader_close(struct vxfwd_bpf *bpf);

/* Open, load and destroy a copy: does this kernel take the program?  0 or -errno. */
int loader_probe(void);

/* The object, for the leak guard to share its maps (guard_open()). */
struct bpf_object *loader_obj(const struct vxfwd_bpf *bpf);

/* The XDP program's fd, after load. */
int loader_prog_fd(const struct vxfwd_bpf *bpf);

/* The fd of map `id` of the object, or -ENOENT (not the object's). */
int loader_map_fd(const struct vxfwd_bpf *bpf, enum lmap id);

#endif /* VXFWD_LOADER_H */
