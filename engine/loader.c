// SPDX-License-Identifier: GPL-2.0-only
/*
 * loader.c - the XDP object's skeleton and the table of its maps; see
 * loader.h.  Nothing here logs: callers name what failed in their words.
 */
#include <errno.h>
#include <stddef.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "loader.h"
#include "maps.h"
#include "vxfwd.skel.h"

#define FD(field) ((int)offsetof(struct vxfwd_maps, field))

const struct lmap_info lmap_table[LMAP_MAX] = {
	[LMAP_ACTIVE] = {"vxfwd_active", FD(active), LMAP_F_PIN | LMAP_F_RULESET | LMAP_F_STATS},
	[LMAP_CFG] = {"vxfwd_cfg", FD(cfg), LMAP_F_PIN | LMAP_F_RULESET},
	[LMAP_VNI] = {"vxfwd_vni", FD(vni), LMAP_F_PIN | LMAP_F_RULESET},
	[LMAP_LPM] = {"vxfwd_lpm", FD(lpm), LMAP_F_PIN | LMAP_F_RULESET},
	[LMAP_RULE] = {"vxfwd_rule", FD(rule), LMAP_F_PIN | LMAP_F_RULESET},
	[LMAP_NEXTHOP] = {"vxfwd_nexthop", FD(nexthop), LMAP_F_PIN | LMAP_F_RULESET},
	[LMAP_COUNTERS] = {"vxfwd_counters", FD(counters), LMAP_F_PIN | LMAP_F_STATS},
	[LMAP_RULE_CNT] = {"vxfwd_rule_cnt", FD(rule_counters), LMAP_F_PIN | LMAP_F_STATS},
	[LMAP_ORG_CNT] = {"vxfwd_org_cnt", FD(org_counters), LMAP_F_PIN | LMAP_F_STATS},
	[LMAP_LAYER_CNT] = {"vxfwd_layer_cnt", FD(layer_counters), LMAP_F_PIN | LMAP_F_STATS},
	[LMAP_ENGINE] = {"vxfwd_engine", FD(engine), LMAP_F_PIN | LMAP_F_STATS | LMAP_F_BIND},
	[LMAP_RING] = {"vxfwd_ring", FD(ring), LMAP_F_PIN},
	[LMAP_RINGS] = {"vxfwd_rings", FD(rings), 0},
	[LMAP_MON_TB] = {"vxfwd_mon_tb", -1, 0},
	[LMAP_MON_RING] = {"vxfwd_mon_ring", FD(mon_ring), 0},
	[LMAP_GUARD_CNT] = {"vxfwd_guard_cnt", -1, LMAP_F_GUARD},
	[LMAP_LPM6] = {"vxfwd_lpm6", FD(lpm6), LMAP_F_PIN | LMAP_F_RULESET},
	[LMAP_NEXTHOP6] = {"vxfwd_nexthop6", FD(nexthop6), LMAP_F_PIN | LMAP_F_RULESET},
	[LMAP_TARGET_CNT] = {"vxfwd_tgt_cnt", FD(target_counters), LMAP_F_PIN | LMAP_F_STATS},
};

const char *lmap_name(enum lmap id)
{
	return lmap_table[id].name;
}

int *lmap_fd_slot(struct vxfwd_maps *m, enum lmap id)
{
	if (lmap_table[id].fd_off < 0)
		return NULL;
	return (int *)((char *)m + lmap_table[id].fd_off);
}

static struct bpf_map *find_map(const struct vxfwd_bpf *bpf, enum lmap id)
{
	return bpf_object__find_map_by_name(bpf->obj, lmap_table[id].name);
}

int loader_open(struct vxfwd_bpf **bpf, const struct loader_opts *o)
{
	struct vxfwd_bpf *b;
	int ret;

	*bpf = b = vxfwd_bpf__open();
	if (!b)
		return -errno;
	if (o->nr_rings)
		b->rodata->vxfwd_nr_rings = o->nr_rings;
	if (o->mon)
		b->bss->vxfwd_mon = *o->mon;
	if (!o->ring_bytes)
		return 0;
	ret = bpf_map__set_max_entries(b->maps.vxfwd_ring, o->ring_bytes);
	return ret < 0 ? ret : 0;
}

int loader_reuse(struct vxfwd_bpf *bpf, enum lmap id, int fd)
{
	struct bpf_map *map = find_map(bpf, id);

	return map ? bpf_map__reuse_fd(map, fd) : -ENOENT;
}

int loader_load(struct vxfwd_bpf *bpf)
{
	return vxfwd_bpf__load(bpf);
}

void loader_close(struct vxfwd_bpf *bpf)
{
	vxfwd_bpf__destroy(bpf);
}

int loader_probe(void)
{
	struct vxfwd_bpf *bpf;
	int ret;

	bpf = vxfwd_bpf__open();
	ret = bpf ? vxfwd_bpf__load(bpf) : -errno;
	vxfwd_bpf__destroy(bpf);
	return ret;
}

struct bpf_object *loader_obj(const struct vxfwd_bpf *bpf)
{
	return bpf->obj;
}

int loader_prog_fd(const struct vxfwd_bpf *bpf)
{
	return bpf_program__fd(bpf->progs.vxfwd_xdp);
}

int loader_map_fd(const struct vxfwd_bpf *bpf, enum lmap id)
{
	struct bpf_map *map = find_map(bpf, id);

	return map ? bpf_map__fd(map) : -ENOENT;
}

/* Declared in maps.h, where tests/ find it beside struct vxfwd_maps. */
void maps_from_skel(struct vxfwd_maps *m, const struct vxfwd_bpf *skel)
{
	int *slot;
	int id;

	for (id = 0; id < LMAP_MAX; id++) {
		slot = lmap_fd_slot(m, id);
		if (slot)
			*slot = loader_map_fd(skel, id);
	}
}
