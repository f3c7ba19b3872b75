// SPDX-License-Identifier: GPL-2.0-only
/*
 * compile.c - the checked AST to a flat list of map operations.
 *
 * Order (the apply order): CFG, VNI, LPM, RULE, NEXTHOP.  Keys carry
 * generation 0; engine/maps.c stamps the generation it writes.
 *
 * LPM: the program reads only the longest match, so each prefix of any set
 * (named or a rule's literal) carries the bits of every set containing it,
 * shorter covering prefixes included, and the organization of its most
 * specific member that has one (the first organization, by order of
 * appearance, when two members tie).  Then the entries are merged as long
 * as every address keeps its value: a prefix with the value of its nearest
 * covering entry is dropped, two halves with one value become their
 * parent (256 contiguous /32s of one set and organization are one /24).
 * The limit VXFWD_MAX_PREFIXES counts the entries after merging.  IPv4
 * and IPv6 prefixes go to two tries (LPM and LPM6) and are merged each on
 * their own; the limit counts both.
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

/* One prefix of one set, for building the LPM. */
struct lpm_ent {
	unsigned int fam;
	dsl_u128 addr;
	unsigned int plen;
	int bit;
	const struct dsl_org *org;
	const struct dsl_val *val;
};

static int ent_cmp(const void *a, const void *b)
{
	const struct lpm_ent *x = a, *y = b;
	int c = dsl_pfx_order(x->fam, x->addr, x->plen, y->fam, y->addr, y->plen);

	return c ? c : x->bit - y->bit;
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
			e->fam = s->flat[i].fam;
			e->addr = s->flat[i].addr;
			e->plen = s->flat[i].plen;
			e->bit = s->bit;
			e->org = s->flat[i].org;
			e->val = s->flat[i].val;
		}
	}
	return 0;
}

/* One LPM entry being built: a prefix, its value, and where it was written. */
struct lpm_out {
	unsigned int fam;
	dsl_u128 addr;
	unsigned int plen;
	int merged;			/* made by joining two halves */
	struct vxfwd_lpm_val val;
	const struct dsl_val *where;	/* a member it came from, for messages */
};

static int covers(const struct lpm_out *p, const struct lpm_out *q)
{
	return dsl_covers(p->fam, p->addr, p->plen, q->fam, q->addr, q->plen);
}

static int same_val(const struct vxfwd_lpm_val *a, const struct vxfwd_lpm_val *b)
{
	return a->sets == b->sets && a->org == b->org;
}

/*
 * The value of each distinct prefix of ents[] (sorted by address, then
 * length): the bits of every set holding it or a prefix covering it, and
 * the organization of the longest of those that has one (the first
 * organization when two tie).  Coverers come before what they cover, so one
 * sweep with a stack of the prefixes covering the current one does it.
 */
static size_t lpm_values(const struct lpm_ent *ents, size_t n, struct lpm_out *out,
			 size_t *stack)
{
	const struct dsl_org *org;
	size_t i, j, k = 0, depth = 0;

	for (i = 0; i < n; i = j) {
		struct lpm_out *o = &out[k];

		memset(o, 0, sizeof(*o));
		o->fam = ents[i].fam;
		o->addr = ents[i].addr;
		o->plen = ents[i].plen;
		o->where = ents[i].val;
		org = NULL;
		for (j = i; j < n && ents[j].fam == o->fam && ents[j].addr == o->addr &&
			    ents[j].plen == o->plen; j++) {
			o->val.sets |= 1ull << ents[j].bit;
			if (ents[j].org && (!org || ents[j].org->slot < org->slot))
				org = ents[j].org;
		}
		while (depth && !covers(&out[stack[depth - 1]], o))
			depth--;
		if (depth) {
			o->val.sets |= out[stack[depth - 1]].val.sets;
			o->val.org = out[stack[depth - 1]].val.org;
		}
		if (org)
			o->val.org = (__u32)org->slot + 1;
		stack[depth++] = k++;
	}
	return k;
}

/*
 * Drop every entry whose value is its nearest coverer's: the longest match
 * of each address then gives the same value.  v[] sorted; returns the count.
 */
static size_t lpm_drop_contained(struct lpm_out *v, size_t n, size_t *stack)
{
	size_t i, k = 0, depth = 0;

	for (i = 0; i < n; i++) {
		while (depth && !covers(&v[stack[depth - 1]], &v[i]))
			depth--;
		if (depth && same_val(&v[stack[depth - 1]].val, &v[i].val))
			continue;
		v[k] = v[i];
		stack[depth++] = k++;
	}
	return k;
}

static int out_cmp(const void *pa, const void *pb)
{
	const struct lpm_out *a = pa, *b = pb;

	return dsl_pfx_order(a->fam, a->addr, a->plen, b->fam, b->addr, b->plen);
}

/* Longest first, then by address. */
static int len_cmp(const void *pa, const void *pb)
{
	const struct lpm_out *a = pa, *b = pb;

	if (a->plen != b->plen)
		return a->plen > b->plen ? -1 : 1;
	return out_cmp(pa, pb);
}

/*
 * The entries of length `len`: those of v[] (from *pos, sorted by address)
 * merged with the ones joined at len + 1 (sorted too).  At one address a
 * joined entry wins: its halves covered all of the entry written there, so
 * the entry's own value was never the longest match of any address.
 */
static size_t lpm_level(const struct lpm_out *v, size_t n, size_t *pos, unsigned int len,
			const struct lpm_out *joined, size_t n_joined, struct lpm_out *cur)
{
	size_t k = 0, j = 0;

	while ((*pos < n && v[*pos].plen == len) || j < n_joined) {
		if (j < n_joined && *pos < n && v[*pos].plen == len &&
		    v[*pos].addr == joined[j].addr)
			(*pos)++;
		if (j < n_joined && (*pos >= n || v[*pos].plen != len ||
				     joined[j].addr < v[*pos].addr))
			cur[k++] = joined[j++];
		else
			cur[k++] = v[(*pos)++];
	}
	return k;
}

/*
 * Join the two halves of a prefix when they carry the same value, from the
 * family's longest (/32, /128) up: 256 contiguous /32s of one set and
 * organization become one /24.  v[] (n entries, one family) is rewritten,
 * sorted by address then length; returns the new count (0 with *err set on
 * failure).
 */
static size_t lpm_join(struct lpm_out *v, size_t n, int *err)
{
	struct lpm_out *out = NULL, *cur = NULL, *joined = NULL, *next = NULL, *t;
	size_t pos = 0, n_out = 0, n_cur, n_joined = 0, n_next, i;
	unsigned int len;
	dsl_u128 bit;

	out = malloc(n * sizeof(*out));
	cur = malloc(n * sizeof(*cur));
	joined = malloc(n * sizeof(*joined));
	next = malloc(n * sizeof(*next));
	*err = out && cur && joined && next ? 0 : -ENOMEM;
	if (*err)
		goto done;
	qsort(v, n, sizeof(*v), len_cmp);
	for (len = dsl_fam_bits(v[0].fam);; len--) {
		n_cur = lpm_level(v, n, &pos, len, joined, n_joined, cur);
		n_next = 0;
		bit = len ? (dsl_u128)1 << (128 - len) : 0;
		for (i = 0; i < n_cur; i++) {
			if (len && i + 1 < n_cur && !(cur[i].addr & bit) &&
			    cur[i + 1].addr == (cur[i].addr | bit) &&
			    same_val(&cur[i].val, &cur[i + 1].val)) {
				next[n_next] = cur[i];
				next[n_next].plen = len - 1;
				next[n_next++].merged = 1;
				i++;
				continue;
			}
			out[n_out++] = cur[i];
		}
		t = joined;
		joined = next;
		next = t;
		n_joined = n_next;
		if (!len)
			break;
	}
	memcpy(v, out, n_out * sizeof(*v));
	qsort(v, n_out, sizeof(*v), out_cmp);
done:
	free(out);
	free(cur);
	free(joined);
	free(next);
	return *err ? 0 : n_out;
}

/*
 * The LPM entries of all sets, as few as give every address the same
 * longest-match value (sets and organization) as one entry per prefix
 * would: the verdict of every rule and the counter of every organization
 * stay the same.
 */
/* The distinct prefixes before merging, kept in the ruleset for reports. */
static int keep_prefixes(const struct lpm_out *v, size_t n, struct vxfwd_ruleset *rs)
{
	struct vxfwd_prefix *p;
	size_t i;

	p = realloc(rs->prefixes, (rs->n_prefixes + n + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	rs->prefixes = p;
	p += rs->n_prefixes;
	memset(p, 0, (n + 1) * sizeof(*p));
	for (i = 0; i < n; i++) {
		p[i].family = v[i].fam;
		if (v[i].fam == DSL_FAM6)
			dsl_to_bytes(v[i].addr, p[i].addr6);
		else
			p[i].addr = htonl(dsl_to_v4(v[i].addr));
		p[i].plen = v[i].plen;
		p[i].val = v[i].val;
	}
	rs->n_prefixes += n;
	return 0;
}

static int lpm_build(const struct lpm_ent *ents, size_t n, struct vxfwd_ruleset *rs,
		     struct lpm_out **vout, size_t *n_out)
{
	size_t *stack = malloc((n ? n : 1) * sizeof(*stack)), k = 0;
	struct lpm_out *v = malloc((n ? n : 1) * sizeof(*v));
	int err = 0;

	if (!stack || !v) {
		err = -ENOMEM;
		goto out;
	}
	k = lpm_values(ents, n, v, stack);
	err = keep_prefixes(v, k, rs);
	if (err)
		goto out;
	k = lpm_drop_contained(v, k, stack);
	if (k)
		k = lpm_join(v, k, &err);
	if (!err)
		k = lpm_drop_contained(v, k, stack);
out:
	free(stack);
	if (err) {
		free(v);
		return err;
	}
	*vout = v;
	*n_out = k;
	return 0;
}

/* The operation writing LPM entry `o` (of either family). */
static int lpm_op(struct oplist *l, const struct lpm_out *o)
{
	struct vxfwd_op *op = op_add(l, o->fam == DSL_FAM6 ? VXFWD_MAP_LPM6 : VXFWD_MAP_LPM);

	if (!op)
		return -ENOMEM;
	if (o->fam == DSL_FAM6) {
		op->key.lpm6.prefixlen = 32 + o->plen;
		dsl_to_bytes(o->addr, op->key.lpm6.addr);
	} else {
		op->key.lpm.prefixlen = 32 + o->plen;
		op->key.lpm.addr = htonl(dsl_to_v4(o->addr));
	}
	op->val.lpm = o->val;
	return 0;
}

/*
 * The merged entries of one family: ents[] (n, sorted) are that family's.
 * *total counts the entries of both families against VXFWD_MAX_PREFIXES.
 */
static int compile_lpm_fam(struct dsl_ctx *ctx, struct oplist *l, struct vxfwd_ruleset *rs,
			   const struct lpm_ent *ents, size_t n, size_t *total)
{
	struct lpm_out *v = NULL;
	size_t i, k = 0;
	int ret;

	ret = lpm_build(ents, n, rs, &v, &k);
	if (ret)
		return ret;
	if (*total + k > VXFWD_MAX_PREFIXES) {
		dsl_error(ctx, &v[VXFWD_MAX_PREFIXES - *total].where->loc,
			  "more than %d distinct prefixes in sets (%zu after merging adjacent ones)",
			  VXFWD_MAX_PREFIXES, *total + k);
		ret = -EINVAL;
		goto out;
	}
	*total += k;
	for (i = 0; i < k && !ret; i++)
		ret = lpm_op(l, &v[i]);
out:
	free(v);
	return ret;
}

static int compile_lpm(struct dsl_ctx *ctx, struct oplist *l, struct vxfwd_ruleset *rs)
{
	struct lpm_ent *ents = NULL;
	size_t n = 0, cap = 0, n4, total = 0;
	int ret;

	ret = collect(ctx->sets, &ents, &n, &cap);
	if (!ret)
		ret = collect(ctx->anon, &ents, &n, &cap);
	if (ret)
		goto out;
	if (n)
		qsort(ents, n, sizeof(*ents), ent_cmp);
	/* IPv4 sorts first */
	for (n4 = 0; n4 < n && ents[n4].fam == DSL_FAM4; n4++)
		;
	ret = compile_lpm_fam(ctx, l, rs, ents, n4, &total);
	/* ents is NULL when no set has a member: no pointer arithmetic on it */
	if (!ret && n > n4)
		ret = compile_lpm_fam(ctx, l, rs, ents + n4, n - n4, &total);
out:
	free(ents);
	return ret;
}

/* The ports of `list` into out[], each once, at most `max`; returns how many. */
static __u32 ports_be(const struct dsl_vlist *list, __be16 *out, __u32 max)
{
	const struct dsl_vlist *v;
	__u32 i, n = 0;

	for (v = list; v && n < max; v = v->next) {
		__be16 port = htons((__u16)v->val->lo);

		for (i = 0; i < n && out[i] != port; i++)
			;
		if (i == n)
			out[n++] = port;
	}
	return n;
}

static int compile_cfg(struct dsl_ctx *ctx, struct oplist *l)
{
	struct vxfwd_op *op = op_add(l, VXFWD_MAP_CFG);
	__u32 n;

	if (!op)
		return -ENOMEM;
	op->key.idx = 0;
	op->val.cfg.flags = VXFWD_CFG_F_VALID;
	n = ports_be(ctx->ingress->ports, op->val.cfg.vxlan_port_be, VXFWD_MAX_VXLAN_PORTS);
	if (!n)
		op->val.cfg.vxlan_port_be[n++] = htons(VXFWD_VXLAN_DEFAULT_PORT);
	op->val.cfg.n_vxlan_ports = n;
	n = ports_be(ctx->ingress->geneve_ports, op->val.cfg.geneve_port_be,
		     VXFWD_MAX_GENEVE_PORTS);
	op->val.cfg.n_geneve_ports = n;
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

static void compile_more(const struct dsl_rule *r, struct vxfwd_rule *out)
{
	const struct dsl_target *t;
	struct vxfwd_target *m;
	int n = 1;

	for (t = r->targets->next; t && n < VXFWD_MAX_TARGETS; t = t->next, n++) {
		m = &out->more[n - 1];
		if (t->addr->fam == DSL_FAM6)
			dsl_to_bytes(t->addr->addr, m->addr6);
		else
			m->addr = htonl(dsl_to_v4(t->addr->addr));
		if (t->port) {
			m->flags |= VXFWD_TARGET_F_PORT;
			m->port_be = htons((__u16)t->port->lo);
		}
	}
	if (n > 1)
		out->n_targets = (__u8)n;
}

static void compile_rule(const struct dsl_rule *r, struct vxfwd_rule *out)
{
	int i;

	memset(out, 0, sizeof(*out));
	if (r->protos == (DSL_PROTO_UDP | DSL_PROTO_TCP))
		out->flags |= VXFWD_RULE_F_ANY_PROTO;
	else
		out->proto = r->protos == DSL_PROTO_TCP ? IPPROTO_TCP : IPPROTO_UDP;
	for (i = 0; i < r->n_pr; i++) {
		out->dport[i].lo = (__u16)r->pr[i].lo;
		out->dport[i].hi = (__u16)r->pr[i].hi;
	}
	out->n_dports = (__u8)r->n_pr;
	if (r->vni) {
		out->flags |= VXFWD_RULE_F_VNI;
		out->vni = (__u32)r->vni->lo;
		out->vni_hi = (__u32)r->vni->hi;
	}
	side_flags(r->src, &out->flags, &out->src_sets, VXFWD_RULE_F_SRC_ANY,
		   VXFWD_RULE_F_SRC_NEG);
	side_flags(r->dst, &out->flags, &out->dst_sets, VXFWD_RULE_F_DST_ANY,
		   VXFWD_RULE_F_DST_NEG);
	if (r->dnat->fam == DSL_FAM6) {
		out->flags |= VXFWD_RULE_F_NAT6;
		dsl_to_bytes(r->dnat->addr, out->nat_addr6);
	} else {
		out->nat_addr = htonl(dsl_to_v4(r->dnat->addr));
	}
	if (r->dnat_port) {
		out->flags |= VXFWD_RULE_F_NAT_PORT;
		out->nat_port_be = htons((__u16)r->dnat_port->lo);
	}
	compile_more(r, out);
}

/* Targets after the first (fan-out); n_targets stays 0 for a single target. */
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

/* Has an earlier target (of this rule or an earlier one) the address of `v`? */
static int target_seen(const struct dsl_ctx *ctx, const struct dsl_rule *r,
		       const struct dsl_target *t)
{
	const struct dsl_target *q;
	const struct dsl_rule *p;

	for (p = ctx->rules; p; p = p->next)
		for (q = p->targets; q; q = q->next) {
			if (p == r && q == t)
				return 0;
			if (q->addr->fam == t->addr->fam && q->addr->addr == t->addr->addr)
				return 1;
		}
	return 0;
}

/* One NEXTHOP(6) operation per distinct DNAT target of every rule, first seen first. */
static int compile_nexthops(struct dsl_ctx *ctx, struct oplist *l)
{
	const struct dsl_target *t;
	struct dsl_rule *r;
	struct vxfwd_op *op;
	int n = 0;

	for (r = ctx->rules; r; r = r->next)
		for (t = r->targets; t; t = t->next) {
			if (target_seen(ctx, r, t))
				continue;
			if (n++ == VXFWD_MAX_NEXTHOPS) {
				dsl_error(ctx, &t->addr->loc, "more than %d distinct DNAT targets",
					  VXFWD_MAX_NEXTHOPS);
				return -EINVAL;
			}
			op = op_add(l, t->addr->fam == DSL_FAM6 ? VXFWD_MAP_NEXTHOP6
								: VXFWD_MAP_NEXTHOP);
			if (!op)
				return -ENOMEM;
			if (t->addr->fam == DSL_FAM6)
				dsl_to_bytes(t->addr->addr, op->key.addr6.addr);
			else
				op->key.addr = htonl(dsl_to_v4(t->addr->addr));
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
	char a[46];	/* INET6_ADDRSTRLEN: the set name has room for it and /128 */
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
				dsl_fmt_addr(a, sizeof(a), s->flat[0].fam, s->flat[0].addr);
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
	dsl_compile_health(ctx, rs);
	ret = compile_cfg(ctx, &l);
	if (!ret)
		ret = compile_vnis(ctx, &l);
	if (!ret)
		ret = compile_lpm(ctx, &l, rs);
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
