// SPDX-License-Identifier: GPL-2.0-only
/*
 * maps.c - the only writer of BPF maps; see maps.h.
 *
 * Apply order: clear the inactive generation, write the compiled operations
 * stamped with it, then flip vxfwd_active.  Nothing before the flip touches
 * the active generation, so an error leaves the running ruleset as it was.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "loader.h"
#include "log.h"
#include "maps.h"
#include "vxfwd_dsl.h"

/* Keys and values of one map, gathered for a batch update. */
struct batch {
	void *keys;
	void *vals;
	size_t key_size;
	size_t val_size;
	__u32 n;
	__u32 max;
};

int maps_active_gen(const struct vxfwd_maps *m, __u32 *gen)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(m->active, &zero, gen))
		return -errno;
	if (*gen >= VXFWD_GENS)
		return -ERANGE;
	return 0;
}

static int batch_init(struct batch *b, size_t key_size, size_t val_size, __u32 max)
{
	b->key_size = key_size;
	b->val_size = val_size;
	b->n = 0;
	b->max = max;
	b->keys = calloc(max ? max : 1, key_size);
	b->vals = calloc(max ? max : 1, val_size);
	if (!b->keys || !b->vals)
		return -ENOMEM;
	return 0;
}

static void batch_free(struct batch *b)
{
	free(b->keys);
	free(b->vals);
	b->keys = NULL;
	b->vals = NULL;
}

static int batch_add(struct batch *b, const void *key, const void *val)
{
	if (b->n >= b->max)
		return -E2BIG;
	memcpy((char *)b->keys + (size_t)b->n * b->key_size, key, b->key_size);
	if (val)
		memcpy((char *)b->vals + (size_t)b->n * b->val_size, val, b->val_size);
	b->n++;
	return 0;
}

/* The kernel's ENOTSUPP (524) is not in user space's errno.h. */
#define KERNEL_ENOTSUPP 524

static int batch_unsupported(int err)
{
	return err == EINVAL || err == EOPNOTSUPP || err == KERNEL_ENOTSUPP;
}

/*
 * Write every gathered entry.  Kernels without batch support for the map
 * type answer EINVAL or EOPNOTSUPP; fall back to one update per entry then.
 */
static int batch_update(int fd, const struct batch *b)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = 0, .flags = 0);
	__u32 count = b->n, i;

	if (!b->n)
		return 0;
	if (!bpf_map_update_batch(fd, b->keys, b->vals, &count, &opts))
		return 0;
	if (!batch_unsupported(errno))
		return -errno;
	for (i = 0; i < b->n; i++) {
		if (bpf_map_update_elem(fd, (char *)b->keys + (size_t)i * b->key_size,
					(char *)b->vals + (size_t)i * b->val_size, BPF_ANY))
			return -errno;
	}
	return 0;
}

static int batch_delete(int fd, const struct batch *b)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 count = b->n, i;

	if (!b->n)
		return 0;
	if (!bpf_map_delete_batch(fd, b->keys, &count, &opts))
		return 0;
	if (!batch_unsupported(errno))
		return -errno;
	for (i = 0; i < b->n; i++) {
		if (bpf_map_delete_elem(fd, (char *)b->keys + (size_t)i * b->key_size) &&
		    errno != ENOENT)
			return -errno;
	}
	return 0;
}

/*
 * Delete every key of a generational hash or LPM map whose gen field (at
 * `gen_off` in the key) is `gen`.  Keys are gathered first: deleting while
 * walking with get_next_key may restart the walk.
 */
static int delete_gen(int fd, size_t key_size, size_t gen_off, __u32 max, __u32 gen)
{
	char key[sizeof(struct vxfwd_lpm6_key)], next[sizeof(struct vxfwd_lpm6_key)];
	struct batch b = {0};
	void *prev = NULL;
	__u32 kgen;
	int ret;

	ret = batch_init(&b, key_size, 1, max);
	if (ret < 0)
		goto out;
	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(&kgen, next + gen_off, sizeof(kgen));
		if (kgen == gen) {
			ret = batch_add(&b, next, NULL);
			if (ret < 0)
				goto out;
		}
		memcpy(key, next, key_size);
		prev = key;
	}
	if (errno != ENOENT) {
		ret = -errno;
		goto out;
	}
	ret = batch_delete(fd, &b);
out:
	batch_free(&b);
	return ret;
}

/* Zero `n` slots from `first` of an array or per-CPU array map. */
static int zero_range(int fd, size_t val_size, __u32 first, __u32 n)
{
	struct batch b = {0};
	__u32 i;
	int ret;

	ret = batch_init(&b, sizeof(__u32), val_size, n);
	if (ret < 0)
		goto out;
	for (i = 0; i < n; i++) {
		__u32 key = first + i;

		ret = batch_add(&b, &key, NULL);
		if (ret < 0)
			goto out;
	}
	ret = batch_update(fd, &b);
out:
	batch_free(&b);
	return ret;
}

static size_t percpu_size(size_t val_size)
{
	int ncpu = libbpf_num_possible_cpus();

	if (ncpu < 0)
		return 0;
	return (size_t)ncpu * ((val_size + 7) & ~(size_t)7);
}

static int clear_gen(const struct vxfwd_maps *m, __u32 gen)
{
	struct vxfwd_cfg cfg = {0};
	size_t pcpu = percpu_size(sizeof(struct vxfwd_count));
	int ret;

	if (!pcpu)
		return -EINVAL;
	if (bpf_map_update_elem(m->cfg, &gen, &cfg, BPF_ANY))
		return -errno;
	ret = delete_gen(m->vni, sizeof(struct vxfwd_vni_key), offsetof(struct vxfwd_vni_key, gen),
			 VXFWD_GENS * VXFWD_MAX_VNIS, gen);
	if (ret < 0)
		return ret;
	ret = delete_gen(m->lpm, sizeof(struct vxfwd_lpm_key), offsetof(struct vxfwd_lpm_key, gen),
			 VXFWD_GENS * VXFWD_MAX_PREFIXES, gen);
	if (ret < 0)
		return ret;
	ret = delete_gen(m->lpm6, sizeof(struct vxfwd_lpm6_key),
			 offsetof(struct vxfwd_lpm6_key, gen), VXFWD_GENS * VXFWD_MAX_PREFIXES, gen);
	if (ret < 0)
		return ret;
	ret = zero_range(m->rule, sizeof(struct vxfwd_rule), gen * VXFWD_MAX_RULES,
			 VXFWD_MAX_RULES);
	if (ret < 0)
		return ret;
	ret = zero_range(m->rule_counters, pcpu, gen * VXFWD_MAX_RULES, VXFWD_MAX_RULES);
	if (ret < 0)
		return ret;
	ret = zero_range(m->target_counters, percpu_size(sizeof(struct vxfwd_target_count)),
			 gen * VXFWD_MAX_RULES * VXFWD_MAX_TARGETS,
			 VXFWD_MAX_RULES * VXFWD_MAX_TARGETS);
	if (ret < 0)
		return ret;
	return zero_range(m->org_counters, pcpu, gen * VXFWD_MAX_ORGS, VXFWD_MAX_ORGS);
}

static int write_cfg(const struct vxfwd_maps *m, const struct vxfwd_op *op,
		     const struct vxfwd_apply_env *env, __u32 gen)
{
	struct vxfwd_cfg cfg = op->val.cfg;

	if (op->key.idx != 0)
		return -EINVAL;
	cfg.flags |= VXFWD_CFG_F_VALID;
	cfg.egress_ifindex = env->egress_ifindex;
	memcpy(cfg.egress_mac, env->egress_mac, sizeof(cfg.egress_mac));
	if (bpf_map_update_elem(m->cfg, &gen, &cfg, BPF_ANY))
		return -errno;
	return 0;
}

/* LPM tries have no batch operations: one update per prefix. */
static int write_lpm(const struct vxfwd_maps *m, const struct vxfwd_op *op, __u32 gen)
{
	struct vxfwd_lpm_key key = op->key.lpm;

	key.gen = gen;
	if (bpf_map_update_elem(m->lpm, &key, &op->val.lpm, BPF_ANY))
		return -errno;
	return 0;
}

static int write_lpm6(const struct vxfwd_maps *m, const struct vxfwd_op *op, __u32 gen)
{
	struct vxfwd_lpm6_key key = op->key.lpm6;

	key.gen = gen;
	if (bpf_map_update_elem(m->lpm6, &key, &op->val.lpm, BPF_ANY))
		return -errno;
	return 0;
}

static int write_nexthop(const struct vxfwd_maps *m, const struct vxfwd_op *op)
{
	if (!(op->val.nh.flags & VXFWD_NH_F_STATIC))
		return 0;
	if (op->map == VXFWD_MAP_NEXTHOP6)
		return maps_set_nexthop6(m, op->key.addr6.addr, op->val.nh.mac, op->val.nh.flags);
	return maps_set_nexthop(m, op->key.addr, op->val.nh.mac, op->val.nh.flags);
}

/* The maps of the compiler's operations, in loader.c's table. */
static const enum lmap op_maps[VXFWD_MAP_ID_MAX] = {
	[VXFWD_MAP_CFG] = LMAP_CFG,	    [VXFWD_MAP_VNI] = LMAP_VNI,
	[VXFWD_MAP_LPM] = LMAP_LPM,	    [VXFWD_MAP_RULE] = LMAP_RULE,
	[VXFWD_MAP_NEXTHOP] = LMAP_NEXTHOP, [VXFWD_MAP_LPM6] = LMAP_LPM6,
	[VXFWD_MAP_NEXTHOP6] = LMAP_NEXTHOP6,
};

static const char *map_name(enum vxfwd_map_id id)
{
	if ((unsigned int)id >= VXFWD_MAP_ID_MAX)
		return "an unknown map";
	return lmap_name(op_maps[id]);
}

/* Gather VNI and rule operations for batches, write the others now. */
static int write_op(const struct vxfwd_maps *m, const struct vxfwd_op *op,
		    const struct vxfwd_apply_env *env, __u32 gen, struct batch *vnis,
		    struct batch *rules)
{
	struct vxfwd_vni_key vk;
	__u32 idx;

	switch (op->map) {
	case VXFWD_MAP_CFG:
		return write_cfg(m, op, env, gen);
	case VXFWD_MAP_VNI:
		vk = op->key.vni;
		vk.gen = gen;
		return batch_add(vnis, &vk, &op->val.one);
	case VXFWD_MAP_LPM:
		return write_lpm(m, op, gen);
	case VXFWD_MAP_LPM6:
		return write_lpm6(m, op, gen);
	case VXFWD_MAP_RULE:
		if (op->key.idx >= VXFWD_MAX_RULES)
			return -E2BIG;
		idx = gen * VXFWD_MAX_RULES + op->key.idx;
		return batch_add(rules, &idx, &op->val.rule);
	case VXFWD_MAP_NEXTHOP:
	case VXFWD_MAP_NEXTHOP6:
		return write_nexthop(m, op);
	default:
		return -EINVAL;
	}
}

static int write_gen(const struct vxfwd_maps *m, const struct vxfwd_ruleset *rs,
		     const struct vxfwd_apply_env *env, __u32 gen)
{
	struct batch vnis = {0}, rules = {0};
	int ret, n_cfg = 0;
	size_t i;

	ret = batch_init(&vnis, sizeof(struct vxfwd_vni_key), sizeof(__u32), VXFWD_MAX_VNIS);
	if (ret < 0)
		goto out;
	ret = batch_init(&rules, sizeof(__u32), sizeof(struct vxfwd_rule), VXFWD_MAX_RULES);
	if (ret < 0)
		goto out;
	for (i = 0; i < rs->n_ops; i++) {
		ret = write_op(m, &rs->ops[i], env, gen, &vnis, &rules);
		if (ret < 0) {
			log_warnx("maps: generation %u: operation %zu on %s: %s", gen, i,
				  map_name(rs->ops[i].map), strerror(-ret));
			goto out;
		}
		n_cfg += rs->ops[i].map == VXFWD_MAP_CFG;
	}
	if (n_cfg != 1) {
		log_warnx("maps: generation %u: %d %s operations, want 1", gen, n_cfg,
			  lmap_name(LMAP_CFG));
		ret = -EINVAL;
		goto out;
	}
	ret = batch_update(m->vni, &vnis);
	if (ret < 0)
		goto out;
	ret = batch_update(m->rule, &rules);
out:
	batch_free(&vnis);
	batch_free(&rules);
	return ret;
}

int maps_apply(const struct vxfwd_maps *m, const struct vxfwd_ruleset *rs,
	       const struct vxfwd_apply_env *env, __u32 *gen_out)
{
	__u32 zero = 0, active, gen;
	int ret;

	ret = maps_active_gen(m, &active);
	if (ret < 0)
		return ret;
	gen = (active + 1) % VXFWD_GENS;
	ret = clear_gen(m, gen);
	if (ret < 0)
		return ret;
	ret = write_gen(m, rs, env, gen);
	if (ret < 0)
		return ret;
	if (bpf_map_update_elem(m->active, &zero, &gen, BPF_ANY))
		return -errno;
	if (gen_out)
		*gen_out = gen;
	return 0;
}

int maps_set_nexthop(const struct vxfwd_maps *m, __be32 addr, const __u8 *mac, __u16 flags)
{
	struct vxfwd_nh nh = {0};

	if (!mac) {
		if (bpf_map_delete_elem(m->nexthop, &addr) && errno != ENOENT)
			return -errno;
		return 0;
	}
	memcpy(nh.mac, mac, sizeof(nh.mac));
	nh.flags = flags | VXFWD_NH_F_VALID;
	if (bpf_map_update_elem(m->nexthop, &addr, &nh, BPF_ANY))
		return -errno;
	return 0;
}

int maps_set_nexthop6(const struct vxfwd_maps *m, const __u8 *addr, const __u8 *mac,
		      __u16 flags)
{
	struct vxfwd_nh nh = {0};
	struct vxfwd_in6 key;

	memcpy(key.addr, addr, sizeof(key.addr));
	if (!mac) {
		if (bpf_map_delete_elem(m->nexthop6, &key) && errno != ENOENT)
			return -errno;
		return 0;
	}
	memcpy(nh.mac, mac, sizeof(nh.mac));
	nh.flags = flags | VXFWD_NH_F_VALID;
	if (bpf_map_update_elem(m->nexthop6, &key, &nh, BPF_ANY))
		return -errno;
	return 0;
}

int maps_get_nexthop(const struct vxfwd_maps *m, int family, const void *addr,
		     struct vxfwd_nh *out)
{
	if (bpf_map_lookup_elem(family == AF_INET6 ? m->nexthop6 : m->nexthop, addr, out))
		return -errno;
	return 0;
}

int maps_set_ring(const struct vxfwd_maps *m, __u32 worker, int ring_fd)
{
	if (bpf_map_update_elem(m->rings, &worker, &ring_fd, BPF_ANY))
		return -errno;
	return 0;
}

/*
 * Slots first..first+n-1 of a per-CPU map whose value is `per` struct
 * vxfwd_count, summed over CPUs into out[n * per].
 */
static int count_sum(int fd, __u32 first, __u32 n, size_t per, struct vxfwd_count *out)
{
	int ncpu = libbpf_num_possible_cpus();
	struct vxfwd_count *pc, *o;
	__u32 i, key;
	size_t k;
	int c, ret = 0;

	if (ncpu < 0)
		return ncpu;
	pc = calloc((size_t)ncpu * per, sizeof(*pc));
	if (!pc)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		key = first + i;
		if (bpf_map_lookup_elem(fd, &key, pc)) {
			ret = -errno;
			break;
		}
		for (k = 0; k < per; k++) {
			o = &out[i * per + k];
			o->packets = 0;
			o->bytes = 0;
			for (c = 0; c < ncpu; c++) {
				o->packets += pc[c * per + k].packets;
				o->bytes += pc[c * per + k].bytes;
			}
		}
	}
	free(pc);
	return ret;
}

int maps_count_sum(int fd, __u32 first, __u32 n, struct vxfwd_count *out)
{
	return count_sum(fd, first, n, 1, out);
}

int maps_target_sum(int fd, __u32 slot, struct vxfwd_target_count *out)
{
	_Static_assert(sizeof(*out) == 3 * sizeof(struct vxfwd_count),
		       "struct vxfwd_target_count is three struct vxfwd_count");
	return count_sum(fd, slot, 1, 3, (struct vxfwd_count *)out);
}

int maps_read_counters(const struct vxfwd_maps *m, struct vxfwd_count *out)
{
	return maps_count_sum(m->counters, 0, VXFWD_C_MAX, out);
}
