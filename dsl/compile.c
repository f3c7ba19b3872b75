// SPDX-License-Identifier: GPL-2.0-only
/*
 * compile.c - the checked AST to a flat list of map operations.
 *
 * Order (the apply order): CFG, VNI, LPM, RULE, NEXTHOP.  Keys carry
 * generation 0; engine/maps.c stamps the generation it writes.
 *
 * LPM: one entry per distinct prefix of any set (named or a rule's literal).
 * The program reads only the longest match, so each entry carries the bits
 * of every set containing it, shorter covering prefixes included, and the
 * organization of its most specific member that has one (the first
 * organization, by order of appearance, when two members tie).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dsl_int.h"

struct oplist {
	struct vxfwd_op *ops;
	size_t n;
	size_t cap;
};

static struct vxfwd_op *op_add(struct oplist *l, enum vxfwd_map_id map)
{
	struct vxfwd_op *n;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;

		n = realloc(l->ops, cap * sizeof(*n));
		if (!n)
			return NULL;
		l->ops = n;
		l->cap = cap;
	}
	n = &l->ops[l->n++];
	memset(n, 0, sizeof(*n));
	n->map = map;
	return n;
}

static __u32 pfx_mask(unsigned int plen)
{
	return plen ? ~0u << (32 - plen) : 0;
}

/* One prefix of one set, for building the LPM. */
struct lpm_ent {
	__u32 addr;
	unsigned int plen;
	int bit;
	const struct dsl_org *org;
	const struct dsl_val *val;
};

static int ent_cmp(const void *a, const void *b)
{
	const struct lpm_ent *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->plen != y->plen)
		return x->plen < y->plen ? -1 : 1;
	return x->bit - y->bit;
}

static int collect(struct dsl_set *list, struct lpm_ent **ents, size_t *n, size_t *cap)
{
	struct lpm_ent *e;
	struct dsl_set *s;
	size_t i;

	for (s = list; s; s = s->next) {
		if (s->bit < 0)
			continue;
		for (i = 0; i < s->n_flat; i++) {
			if (*n == *cap) {
				size_t c = *cap ? *cap * 2 : 256;

				e = realloc(*ents, c * sizeof(*e));
				if (!e)
					return -ENOMEM;
				*ents = e;
				*cap = c;
			}
			e = &(*ents)[(*n)++];
			e->addr = s->flat[i].addr;
			e->plen = s->flat[i].plen;
			e->bit = s->bit;
			e->org = s->flat[i].org;
			e->val = s->flat[i].val;
		}
	}
	return 0;
}

/*
 * Value of prefix ents[k]: walk every entry covering it.  Entries are
 * sorted by address then length, so coverers of ents[k] are found by
 * looking up each shorter length's network address.
 */
static void lpm_value(const struct lpm_ent *ents, size_t n, const struct lpm_ent *p,
		      struct vxfwd_lpm_val *val)
{
	const struct lpm_ent *best_org = NULL;
	struct lpm_ent key;
	unsigned int len;
	size_t lo, hi, mid, i;

	memset(val, 0, sizeof(*val));
	for (len = 0; len <= p->plen; len++) {
		key.addr = p->addr & pfx_mask(len);
		key.plen = len;
		key.bit = -1;
		lo = 0;
		hi = n;
		while (lo < hi) {
			mid = (lo + hi) / 2;
			if (ent_cmp(&ents[mid], &key) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (i = lo; i < n && ents[i].addr == key.addr && ents[i].plen == len; i++) {
			val->sets |= 1ull << ents[i].bit;
			/* the longest prefix wins; in a tie, the first organization */
			if (ents[i].org && (!best_org || ents[i].plen > best_org->plen ||
					    ents[i].org->slot < best_org->org->slot))
				best_org = &ents[i];
		}
	}
	if (best_org)
		val->org = (__u32)best_org->org->slot + 1;
}

static int compile_lpm(struct dsl_ctx *ctx, struct oplist *l)
{
	struct lpm_ent *ents = NULL;
	size_t n = 0, cap = 0, i, distinct = 0;
	struct vxfwd_op *op;
	int ret;

	ret = collect(ctx->sets, &ents, &n, &cap);
	if (!ret)
		ret = collect(ctx->anon, &ents, &n, &cap);
	if (ret)
		goto out;
	if (n)
		qsort(ents, n, sizeof(*ents), ent_cmp);
	for (i = 0; i < n; i++) {
		if (i && ents[i].addr == ents[i - 1].addr && ents[i].plen == ents[i - 1].plen)
			continue;
		if (++distinct > VXFWD_MAX_PREFIXES) {
			dsl_error(ctx, &ents[i].val->loc, "more than %d distinct prefixes in sets",
				  VXFWD_MAX_PREFIXES);
			ret = -EINVAL;
			goto out;
		}
		op = op_add(l, VXFWD_MAP_LPM);
		if (!op) {
			ret = -ENOMEM;
			goto out;
		}
		op->key.lpm.prefixlen = 32 + ents[i].plen;
		op->key.lpm.addr = htonl(ents[i].addr);
		lpm_value(ents, n, &ents[i], &op->val.lpm);
	}
out:
	free(ents);
	return ret;
}

static int compile_cfg(struct dsl_ctx *ctx, struct oplist *l)
{
	struct vxfwd_op *op = op_add(l, VXFWD_MAP_CFG);
	struct dsl_vlist *v;
	__u32 n = 0;

	if (!op)
		return -ENOMEM;
	op->key.idx = 0;
	op->val.cfg.flags = VXFWD_CFG_F_VALID;
	for (v = ctx->ingress->ports; v && n < VXFWD_MAX_VXLAN_PORTS; v = v->next) {
		__be16 port = htons((__u16)v->val->lo);
		__u32 i;

		for (i = 0; i < n && op->val.cfg.vxlan_port_be[i] != port; i++)
			;
		if (i == n)
			op->val.cfg.vxlan_port_be[n++] = port;
	}
	if (!n)
		op->val.cfg.vxlan_port_be[n++] = htons(VXFWD_VXLAN_DEFAULT_PORT);
	op->val.cfg.n_vxlan_ports = n;
	return 0;
}

static int compile_vnis(struct dsl_ctx *ctx, struct oplist *l)
{
	struct dsl_vlist *v, *p;
	struct vxfwd_op *op;

	for (v = ctx->ingress->vnis; v; v = v->next) {
		for (p = ctx->ingress->vnis; p != v; p = p->next)
			if (p->val->lo == v->val->lo)
				break;
		if (p != v)
			continue;
		op = op_add(l, VXFWD_MAP_VNI);
		if (!op)
			return -ENOMEM;
		op->key.vni.vni = (__u32)v->val->lo;
		op->val.one = 1;
	}
	return 0;
}

static void side_flags(const struct dsl_val *v, __u32 *flags, __u64 *sets, __u32 any, __u32 neg)
{
	if (!v || v->kind == DSL_V_ANY) {
		*flags |= any;
		return;
	}
	*sets = 1ull << v->set->bit;
	if (v->neg)
		*flags |= neg;
}

static void compile_rule(const struct dsl_rule *r, struct vxfwd_rule *out)
{
	memset(out, 0, sizeof(*out));
	out->proto = (__u8)r->proto;
	out->dport_lo = (__u16)r->port->lo;
	out->dport_hi = (__u16)r->port->hi;
	if (r->vni) {
		out->flags |= VXFWD_RULE_F_VNI;
		out->vni = (__u32)r->vni->lo;
	}
	side_flags(r->src, &out->flags, &out->src_sets, VXFWD_RULE_F_SRC_ANY,
		   VXFWD_RULE_F_SRC_NEG);
	side_flags(r->dst, &out->flags, &out->dst_sets, VXFWD_RULE_F_DST_ANY,
		   VXFWD_RULE_F_DST_NEG);
	out->nat_addr = htonl(r->dnat->addr);
	if (r->dnat_port) {
		out->flags |= VXFWD_RULE_F_NAT_PORT;
		out->nat_port_be = htons((__u16)r->dnat_port->lo);
	}
}

static int compile_rules(struct dsl_ctx *ctx, struct oplist *l, struct vxfwd_ruleset *rs)
{
	struct vxfwd_rule_info *info;
	struct dsl_rule *r;
	struct vxfwd_op *op;
	size_t n = 0;

	for (r = ctx->rules; r; r = r->next)
		n++;
	rs->rules = calloc(n ? n : 1, sizeof(*rs->rules));
	if (!rs->rules)
		return -ENOMEM;
	for (r = ctx->rules; r; r = r->next) {
		op = op_add(l, VXFWD_MAP_RULE);
		if (!op)
			return -ENOMEM;
		op->key.idx = (__u32)r->pos;
		compile_rule(r, &op->val.rule);
		info = &rs->rules[rs->n_rules++];
		if (r->name)
			snprintf(info->name, sizeof(info->name), "%s", r->name);
		else
			snprintf(info->name, sizeof(info->name), "rule %d", r->pos + 1);
		snprintf(info->file, sizeof(info->file), "%s", r->loc.src->path);
		info->line = (unsigned int)r->loc.first_line;
	}
	return 0;
}

static int compile_nexthops(struct dsl_ctx *ctx, struct oplist *l)
{
	struct dsl_rule *r, *p;
	struct vxfwd_op *op;
	int n = 0;

	for (r = ctx->rules; r; r = r->next) {
		for (p = ctx->rules; p != r; p = p->next)
			if (p->dnat->addr == r->dnat->addr)
				break;
		if (p != r)
			continue;
		if (n++ == VXFWD_MAX_NEXTHOPS) {
			dsl_error(ctx, &r->dnat->loc, "more than %d distinct DNAT targets",
				  VXFWD_MAX_NEXTHOPS);
			return -EINVAL;
		}
		op = op_add(l, VXFWD_MAP_NEXTHOP);
		if (!op)
			return -ENOMEM;
		op->key.addr = htonl(r->dnat->addr);
		if (ctx->egress->have_mac) {
			memcpy(op->val.nh.mac, ctx->egress->mac, 6);
			op->val.nh.flags = VXFWD_NH_F_VALID | VXFWD_NH_F_STATIC;
		}
	}
	return 0;
}

static int compile_orgs(struct dsl_ctx *ctx, struct vxfwd_ruleset *rs)
{
	struct dsl_org *o;
	size_t n = 0;

	for (o = ctx->orgs; o; o = o->next)
		if (o->slot >= 0 && (size_t)o->slot + 1 > n)
			n = (size_t)o->slot + 1;
	rs->orgs = calloc(n ? n : 1, sizeof(*rs->orgs));
	if (!rs->orgs)
		return -ENOMEM;
	rs->n_orgs = n;
	for (o = ctx->orgs; o; o = o->next) {
		if (o->slot < 0)
			continue;
		snprintf(rs->orgs[o->slot].name, sizeof(rs->orgs[o->slot].name), "%s", o->name);
		rs->orgs[o->slot].id = (__u32)o->id;
	}
	return 0;
}

/* Set bit -> name, for the dump and for messages of the engine. */
static int compile_sets(struct dsl_ctx *ctx, struct vxfwd_ruleset *rs)
{
	struct dsl_set *lists[2] = { ctx->sets, ctx->anon }, *s;
	struct vxfwd_set_info *info;
	char a[16];
	int i;

	rs->sets = calloc(ctx->n_bits ? (size_t)ctx->n_bits : 1, sizeof(*rs->sets));
	if (!rs->sets)
		return -ENOMEM;
	for (i = 0; i < 2; i++) {
		for (s = lists[i]; s; s = s->next) {
			if (s->bit < 0)
				continue;
			info = &rs->sets[s->bit];
			if (s->name) {
				snprintf(info->name, sizeof(info->name), "@%s", s->name);
			} else {
				dsl_fmt_addr(a, sizeof(a), s->flat[0].addr);
				snprintf(info->name, sizeof(info->name), "%s/%u", a,
					 s->flat[0].plen);
			}
			if ((size_t)s->bit + 1 > rs->n_sets)
				rs->n_sets = (size_t)s->bit + 1;
		}
	}
	return 0;
}

static void compile_ifaces(struct dsl_ctx *ctx, struct vxfwd_ruleset *rs)
{
	snprintf(rs->ingress, sizeof(rs->ingress), "%s", ctx->ingress->name);
	snprintf(rs->egress, sizeof(rs->egress), "%s", ctx->egress->name);
	rs->xdp_mode = ctx->ingress->have_mode ? ctx->ingress->mode : VXFWD_XDP_AUTO;
	rs->nh_mac_pinned = ctx->egress->have_mac;
	memcpy(rs->nh_mac, ctx->egress->mac, 6);
}

int dsl_compile(struct dsl_ctx *ctx, struct vxfwd_ruleset **out)
{
	struct vxfwd_ruleset *rs = calloc(1, sizeof(*rs));
	struct oplist l = { 0 };
	int ret;

	if (!rs)
		return -ENOMEM;
	if (ctx->engine)
		rs->engine = ctx->engine->conf;
	else
		vxfwd_engine_conf_init(&rs->engine);
	compile_ifaces(ctx, rs);
	ret = compile_cfg(ctx, &l);
	if (!ret)
		ret = compile_vnis(ctx, &l);
	if (!ret)
		ret = compile_lpm(ctx, &l);
	if (!ret)
		ret = compile_rules(ctx, &l, rs);
	if (!ret)
		ret = compile_nexthops(ctx, &l);
	if (!ret)
		ret = compile_orgs(ctx, rs);
	if (!ret)
		ret = compile_sets(ctx, rs);
	if (ret)
		goto fail;
	l.ops[0].val.cfg.n_rules = (__u32)rs->n_rules;
	rs->ops = l.ops;
	rs->n_ops = l.n;
	*out = rs;
	return 0;
fail:
	free(l.ops);
	vxfwd_ruleset_free(rs);
	if (ret == -ENOMEM)
		dsl_error(ctx, NULL, "out of memory compiling the rules");
	return ret;
}
