// SPDX-License-Identifier: GPL-2.0-only
/*
 * eval.c - semantic checks and name resolution over the whole AST.
 *
 * Macros are substituted, set references resolved and sets flattened
 * (nested sets folded in), values range-checked, organizations given slots
 * and sets given mask bits.  Rules are then compared pairwise: a rule that
 * an earlier one covers completely can never match (error); two rules that
 * share traffic but act differently are ambiguous (warning: the first wins).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dsl_int.h"

#define VNI_MAX 0xffffffu


/* How messages name a rule: its name, or "rule N" (1-based position). */
static const char *rule_name(const struct dsl_rule *r, char *buf, size_t len)
{
	if (r->name)
		snprintf(buf, len, "%s", r->name);
	else
		snprintf(buf, len, "rule %d", r->pos + 1);
	return buf;
}

/* ---- macros -------------------------------------------------------------- */

static struct dsl_macro *macro_find(struct dsl_ctx *ctx, const char *name)
{
	struct dsl_macro *m;

	for (m = ctx->macros; m; m = m->next)
		if (!strcmp(m->name, name))
			return m;
	return NULL;
}

static void suggest_macro(struct dsl_ctx *ctx, const struct dsl_val *v)
{
	const char *cands[64], *pick;
	struct dsl_macro *m;
	size_t n = 0;

	for (m = ctx->macros; m && n < 64; m = m->next)
		cands[n++] = m->name;
	pick = dsl_suggest(v->name, cands, n);
	if (pick)
		dsl_error(ctx, &v->loc, "macro '$%s' is not defined; did you mean '$%s'?",
			  v->name, pick);
	else
		dsl_error(ctx, &v->loc, "macro '$%s' is not defined", v->name);
}

static const char *const kind_names[] = {
	[DSL_V_ANY] = "'any'",
	[DSL_V_ADDR] = "an address",
	[DSL_V_PREFIX] = "a prefix",
	[DSL_V_NUM] = "a number",
	[DSL_V_RANGE] = "a port range",
	[DSL_V_SET] = "a set reference",
	[DSL_V_MACRO] = "a macro",
};

#define K(kind) DSL_K(kind)

/*
 * Replace a $macro by its value (keeping the use's location and `!`) and
 * check the kind is one of `allowed` (DSL_K() bits).  Returns 0 or -EINVAL
 * (reported).
 */
int dsl_resolve(struct dsl_ctx *ctx, struct dsl_val *v, unsigned int allowed,
		const char *what)
{
	struct dsl_macro *m;

	if (v->bad)
		return -EINVAL;
	if (v->kind == DSL_V_MACRO) {
		m = macro_find(ctx, v->name);
		if (!m) {
			suggest_macro(ctx, v);
			return -EINVAL;
		}
		m->used = 1;
		free(v->name);
		v->name = NULL;
		if (m->val->name) {
			v->name = strdup(m->val->name);
			if (!v->name) {
				dsl_error(ctx, &v->loc, "out of memory");
				return -EINVAL;
			}
		}
		if (m->val->bad)
			return -EINVAL;
		v->kind = m->val->kind;
		v->fam = m->val->fam;
		v->addr = m->val->addr;
		v->plen = m->val->plen;
		v->lo = m->val->lo;
		v->hi = m->val->hi;
	}
	if (!(allowed & K(v->kind))) {
		char buf[64];

		dsl_fmt_val(buf, sizeof(buf), v);
		dsl_error(ctx, &v->loc, "%s must be %s%s, not %s '%s'", what,
			  allowed & K(DSL_V_ADDR) ? "an address" : "a number",
			  allowed & K(DSL_V_SET) ? ", a prefix or a set" :
			  allowed & K(DSL_V_RANGE) ? " or a range" : "",
			  kind_names[v->kind], buf);
		return -EINVAL;
	}
	return 0;
}

static void check_macros(struct dsl_ctx *ctx)
{
	struct dsl_macro *m, *p;

	for (m = ctx->macros; m; m = m->next)
		for (p = ctx->macros; p != m; p = p->next)
			if (!strcmp(p->name, m->name)) {
				dsl_error(ctx, &m->loc, "macro '%s' defined twice", m->name);
				dsl_note(ctx, &p->loc, "first defined here");
				m->used = 1;
				break;
			}
}

/* A number in [lo, hi]; `what` names it in the message. */
/* A number in [lo, hi]; `who` (a rule name or NULL) and `what` name it. */
static int check_range(struct dsl_ctx *ctx, const struct dsl_val *v, unsigned long long lo,
		       unsigned long long hi, const char *who, const char *what)
{
	char pfx[96] = "";

	if (who)
		snprintf(pfx, sizeof(pfx), "rule '%s': ", who);
	if (v->lo < lo || v->lo > hi || v->hi < lo || v->hi > hi) {
		dsl_error(ctx, &v->loc, "%s%s %llu out of range (%llu-%llu)", pfx, what,
			  v->lo > hi || v->lo < lo ? v->lo : v->hi, lo, hi);
		return -EINVAL;
	}
	if (v->lo > v->hi) {
		dsl_error(ctx, &v->loc, "%s%s range %llu-%llu is empty", pfx, what, v->lo, v->hi);
		return -EINVAL;
	}
	return 0;
}

/* ---- interfaces ---------------------------------------------------------- */

/* A name the kernel can hold, and one the host has (when the caller says). */
static void check_iface(struct dsl_ctx *ctx, const char *name, const struct dsl_loc *loc,
			const char *role)
{
	const struct vxfwd_dsl_host *host = ctx->host;

	if (strlen(name) >= VXFWD_DSL_IFNAME_SIZE) {
		dsl_error(ctx, loc, "%s interface name '%s' longer than %d characters", role,
			  name, VXFWD_DSL_IFNAME_SIZE - 1);
		return;
	}
	if (!host || !host->iface_exists || host->iface_exists(name, host->arg))
		return;
	if (ctx->flags & VXFWD_DSL_F_IFACE_STRICT)
		dsl_error(ctx, loc, "%s interface '%s' does not exist", role, name);
	else
		dsl_warning(ctx, loc, "%s interface '%s' does not exist on this host", role,
			    name);
}

static void check_vlist_dups(struct dsl_ctx *ctx, struct dsl_vlist *l, const char *what)
{
	struct dsl_vlist *a, *b;

	for (a = l; a; a = a->next)
		for (b = l; b != a; b = b->next)
			if (a->val->kind == DSL_V_NUM && b->val->kind == DSL_V_NUM &&
			    a->val->lo == b->val->lo) {
				dsl_warning(ctx, &a->val->loc, "%s %llu listed twice", what,
					    a->val->lo);
				dsl_note(ctx, &b->val->loc, "first listed here");
				break;
			}
}

/* Where a message about the whole file points: the top file, no line. */
static struct dsl_loc top_loc(const struct dsl_ctx *ctx)
{
	struct dsl_loc top = { .src = ctx->srcs };

	for (; top.src && top.src->parent; top.src = top.src->parent)
		;
	return top;
}

/* No `role` interface in the file: an error, unless the parse already failed. */
static void no_iface(struct dsl_ctx *ctx, const char *role, const char *hint)
{
	struct dsl_loc top = top_loc(ctx);

	if (!ctx->parse_errors)
		dsl_error(ctx, &top, "no '%s' interface; add '%s'", role, hint);
}

/* A list of `what`s: numbers in [lo, hi], at most `max` (`plural`), each once. */
static void check_numbers(struct dsl_ctx *ctx, struct dsl_vlist *list, const char *what,
			  const char *plural, unsigned long long lo, unsigned long long hi,
			  size_t max)
{
	struct dsl_vlist *l;
	size_t n;

	for (n = 0, l = list; l; l = l->next, n++) {
		if (dsl_resolve(ctx, l->val, K(DSL_V_NUM), what))
			continue;
		check_range(ctx, l->val, lo, hi, NULL, what);
		if (n == max)
			dsl_error(ctx, &l->val->loc, "more than %zu %s", max, plural);
	}
	check_vlist_dups(ctx, list, what);
}

/* The vxlan port `port` is listed as (NULL: not listed), or none is listed. */
static const struct dsl_vlist *vxlan_port_find(const struct dsl_ingress *in,
					       unsigned long long port)
{
	const struct dsl_vlist *v;

	for (v = in->ports; v; v = v->next)
		if (v->val->kind == DSL_V_NUM && v->val->lo == port)
			return v;
	return NULL;
}

/*
 * A UDP port is either VXLAN or GENEVE: the program would read a GENEVE
 * datagram to a vxlan port as VXLAN.  Without `vxlan port` the vxlan port
 * is the default one.
 */
static void check_geneve_vs_vxlan(struct dsl_ctx *ctx, const struct dsl_ingress *in)
{
	const struct dsl_vlist *g, *v;

	for (g = in->geneve_ports; g; g = g->next) {
		if (g->val->kind != DSL_V_NUM)
			continue;
		v = vxlan_port_find(in, g->val->lo);
		if (v) {
			dsl_error(ctx, &g->val->loc, "geneve port %llu is also a vxlan port",
				  g->val->lo);
			dsl_note(ctx, &v->val->loc, "vxlan port listed here");
		} else if (!in->ports && g->val->lo == VXFWD_VXLAN_DEFAULT_PORT) {
			dsl_error(ctx, &g->val->loc,
				  "geneve port %u is the default vxlan port; give 'vxlan port N' "
				  "with another port",
				  VXFWD_VXLAN_DEFAULT_PORT);
		}
	}
}

static void eval_ingress(struct dsl_ctx *ctx)
{
	struct dsl_ingress *in = ctx->ingress;

	if (!in) {
		no_iface(ctx, "ingress", "ingress IF { vni N }");
		return;
	}
	check_iface(ctx, in->name, &in->loc, "ingress");
	check_numbers(ctx, in->ports, "vxlan port", "vxlan ports", 1, 65535,
		      VXFWD_MAX_VXLAN_PORTS);
	check_numbers(ctx, in->geneve_ports, "geneve port", "geneve ports", 1, 65535,
		      VXFWD_MAX_GENEVE_PORTS);
	check_geneve_vs_vxlan(ctx, in);
	check_numbers(ctx, in->vnis, "vni", "VNIs", 0, VNI_MAX, VXFWD_MAX_VNIS);
	if (!in->vnis)
		dsl_error(ctx, &in->loc,
			  "ingress '%s' accepts no VNI; add 'vni N' with the mirror sessions' VNIs",
			  in->name);
}

static void eval_egress(struct dsl_ctx *ctx)
{
	struct dsl_egress *eg = ctx->egress;

	if (!eg) {
		no_iface(ctx, "egress", "egress IF");
		return;
	}
	if (ctx->ingress && !strcmp(ctx->ingress->name, eg->name)) {
		dsl_error(ctx, &eg->loc,
			  "egress '%s' is the ingress interface; forwarded frames must leave through another one",
			  eg->name);
		dsl_note(ctx, &ctx->ingress->loc, "ingress defined here");
		return;
	}
	check_iface(ctx, eg->name, &eg->loc, "egress");
}

/* ---- sets ---------------------------------------------------------------- */

static struct dsl_set *set_find(struct dsl_ctx *ctx, const char *name)
{
	struct dsl_set *s;

	if (!name)
		return NULL;
	for (s = ctx->sets; s; s = s->next)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

static struct dsl_set *set_lookup(struct dsl_ctx *ctx, const struct dsl_val *v)
{
	const char *cands[VXFWD_MAX_SETS * 2], *pick;
	struct dsl_set *s = set_find(ctx, v->name);
	size_t n = 0;

	if (s)
		return s;
	for (s = ctx->sets; s && n < VXFWD_MAX_SETS * 2; s = s->next)
		cands[n++] = s->name;
	pick = dsl_suggest(v->name, cands, n);
	if (pick)
		dsl_error(ctx, &v->loc, "set '@%s' is not defined; did you mean '@%s'?", v->name,
			  pick);
	else
		dsl_error(ctx, &v->loc, "set '@%s' is not defined", v->name);
	return NULL;
}

static int flat_add(struct dsl_ctx *ctx, struct dsl_set *s, const struct dsl_pfx *p)
{
	struct dsl_pfx *n;

	if (s->n_flat == s->cap_flat) {
		size_t cap = s->cap_flat ? s->cap_flat * 2 : 8;

		n = realloc(s->flat, cap * sizeof(*n));
		if (!n) {
			dsl_error(ctx, &p->val->loc, "out of memory");
			return -ENOMEM;
		}
		s->flat = n;
		s->cap_flat = cap;
	}
	s->flat[s->n_flat++] = *p;
	return 0;
}

/* Prefix members: macros substituted, host bits reported and cleared. */
static int member_prefix(struct dsl_ctx *ctx, struct dsl_set *s, struct dsl_member *m)
{
	struct dsl_val *v = m->val;
	char given[DSL_ADDR_STRLEN], masked[DSL_ADDR_STRLEN];
	dsl_u128 addr;

	if (dsl_resolve(ctx, v, K(DSL_V_ADDR) | K(DSL_V_PREFIX) | K(DSL_V_SET), "set member"))
		return -EINVAL;
	if (v->kind == DSL_V_SET)
		return 1;
	addr = v->addr & dsl_mask(v->plen);
	if (addr != v->addr) {
		dsl_fmt_val(given, sizeof(given), v);
		v->addr = addr;
		dsl_fmt_val(masked, sizeof(masked), v);
		dsl_warning(ctx, &v->loc, "prefix %s has host bits set; using %s", given, masked);
	}
	return 0;
}

/* Members in the order they were written, for sorting. */
struct member_ref {
	const struct dsl_member *m;
	size_t order;
};

static int member_ref_cmp(const void *pa, const void *pb)
{
	const struct member_ref *a = pa, *b = pb;
	const struct dsl_val *x = a->m->val, *y = b->m->val;
	int c = dsl_pfx_order(x->fam, x->addr, x->plen, y->fam, y->addr, y->plen);

	if (c)
		return c;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

static int member_same(const struct dsl_member *a, const struct dsl_member *b)
{
	return a->val->kind == b->val->kind && a->val->fam == b->val->fam &&
	       a->val->addr == b->val->addr && a->val->plen == b->val->plen;
}

/*
 * Warn about a prefix written twice in one set (orgs included).  Sorted, so
 * that a set of 100,000 addresses costs n log n, not n squared.
 */
static void check_member_dups(struct dsl_ctx *ctx, struct dsl_set *s)
{
	struct member_ref *refs = NULL;
	const struct dsl_member *m, *a, *b;
	size_t n = 0, i, j, k;
	char buf[DSL_ADDR_STRLEN];

	for (m = s->members; m; m = m->next)
		n++;
	if (n < 2 || !(refs = calloc(n, sizeof(*refs))))
		return;
	for (n = 0, m = s->members; m; m = m->next) {
		if ((m->val->kind != DSL_V_ADDR && m->val->kind != DSL_V_PREFIX) || m->val->bad)
			continue;
		refs[n].m = m;
		refs[n].order = n;
		n++;
	}
	qsort(refs, n, sizeof(*refs), member_ref_cmp);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && member_same(refs[j].m, refs[i].m); j++) {
			a = refs[j].m;
			for (k = i; k < j; k++) {
				b = refs[k].m;
				if (a->org && b->org && strcmp(a->org->name, b->org->name))
					continue;	/* check_org_conflicts() reports it */
				dsl_fmt_val(buf, sizeof(buf), a->val);
				dsl_warning(ctx, &a->val->loc, "%s listed twice in set '%s'", buf,
					    s->name);
				dsl_note(ctx, &b->val->loc, "first listed here");
				break;
			}
		}
	}
	free(refs);
}

static int flatten(struct dsl_ctx *ctx, struct dsl_set *s);

/* Flattened sets are sorted by address, then length: lookups are binary searches. */
static int flat_cmp(const void *a, const void *b)
{
	const struct dsl_pfx *x = a, *y = b;

	return dsl_pfx_order(x->fam, x->addr, x->plen, y->fam, y->addr, y->plen);
}

static int flatten_ref(struct dsl_ctx *ctx, struct dsl_set *s, struct dsl_member *m)
{
	struct dsl_set *sub = set_lookup(ctx, m->val);
	size_t i;

	if (!sub)
		return -EINVAL;
	m->val->set = sub;
	if (sub->state == 1) {
		dsl_error(ctx, &m->val->loc, "set '%s' contains itself through '@%s'", s->name,
			  sub->name);
		return -EINVAL;
	}
	if (flatten(ctx, sub))
		return -EINVAL;
	for (i = 0; i < sub->n_flat; i++)
		if (flat_add(ctx, s, &sub->flat[i]))
			return -EINVAL;
	return 0;
}

static int flatten(struct dsl_ctx *ctx, struct dsl_set *s)
{
	struct dsl_member *m;
	int ret = 0, r;

	if (s->state == 2)
		return 0;
	s->state = 1;
	for (m = s->members; m; m = m->next) {
		r = member_prefix(ctx, s, m);
		if (r < 0) {
			ret = -EINVAL;
			continue;
		}
		if (r == 1) {
			if (flatten_ref(ctx, s, m))
				ret = -EINVAL;
			continue;
		}
		struct dsl_pfx p = {
			.fam = m->val->fam,
			.addr = m->val->addr,
			.plen = m->val->plen,
			.org = m->org,
			.val = m->val,
		};
		if (flat_add(ctx, s, &p))
			ret = -EINVAL;
	}
	s->state = 2;
	if (s->n_flat > 1)
		qsort(s->flat, s->n_flat, sizeof(*s->flat), flat_cmp);
	return ret;
}

static void eval_sets(struct dsl_ctx *ctx)
{
	struct dsl_set *s, *p;

	for (s = ctx->sets; s; s = s->next) {
		for (p = ctx->sets; p != s; p = p->next)
			if (!strcmp(p->name, s->name)) {
				dsl_error(ctx, &s->loc, "set '%s' defined twice", s->name);
				dsl_note(ctx, &p->loc, "first defined here");
				break;
			}
	}
	for (s = ctx->sets; s; s = s->next) {
		flatten(ctx, s);
		check_member_dups(ctx, s);
		if (!s->members && !ctx->parse_errors)
			dsl_warning(ctx, &s->loc, "set '%s' is empty", s->name);
		if (ctx->n_bits == VXFWD_MAX_SETS) {
			dsl_error(ctx, &s->loc, "set '%s': more than %d sets", s->name,
				  VXFWD_MAX_SETS);
			continue;
		}
		s->bit = ctx->n_bits++;
	}
}

/* ---- organizations ------------------------------------------------------- */

static void eval_orgs(struct dsl_ctx *ctx)
{
	struct dsl_org *o, *p;
	int slots = 0;

	for (o = ctx->orgs; o; o = o->next) {
		for (p = ctx->orgs; p != o; p = p->next) {
			if (!strcmp(p->name, o->name) && p->id == o->id) {
				o->slot = p->slot;
				break;
			}
			if (!strcmp(p->name, o->name) || p->id == o->id) {
				dsl_error(ctx, &o->loc,
					  "organization '%s' id %llu conflicts with organization '%s' id %llu",
					  o->name, o->id, p->name, p->id);
				dsl_note(ctx, &p->loc, "'%s' defined here", p->name);
				break;
			}
		}
		if (p != o)
			continue;
		if (o->id > 0xffffffffull)
			dsl_error(ctx, &o->loc, "organization '%s': id %llu out of range (0-%u)",
				  o->name, o->id, 0xffffffffu);
		if (strlen(o->name) >= sizeof(((struct vxfwd_org_info *)0)->name))
			dsl_error(ctx, &o->loc, "organization name '%s' is too long", o->name);
		if (slots == VXFWD_MAX_ORGS) {
			dsl_error(ctx, &o->loc, "organization '%s': more than %d organizations",
				  o->name, VXFWD_MAX_ORGS);
			continue;
		}
		o->slot = slots++;
	}
}

static int pfx_cmp(const void *a, const void *b)
{
	const struct dsl_pfx *x = *(const struct dsl_pfx *const *)a;
	const struct dsl_pfx *y = *(const struct dsl_pfx *const *)b;
	int c = dsl_pfx_order(x->fam, x->addr, x->plen, y->fam, y->addr, y->plen);

	if (c)
		return c;
	return x->val->loc.src->seq != y->val->loc.src->seq ?
		x->val->loc.src->seq - y->val->loc.src->seq :
		x->val->loc.first_line != y->val->loc.first_line ?
		x->val->loc.first_line - y->val->loc.first_line :
		x->val->loc.first_column - y->val->loc.first_column;
}

static int same_pfx(const struct dsl_pfx *a, const struct dsl_pfx *b)
{
	return a->fam == b->fam && a->addr == b->addr && a->plen == b->plen;
}

/*
 * One prefix in two organizations (in any sets): the counters can only
 * credit one of them, the first written.  Reported once per prefix.
 */
static void check_org_conflicts(struct dsl_ctx *ctx)
{
	const struct dsl_pfx **all = NULL;
	const struct dsl_org *win;
	size_t n = 0, i, j, k;
	struct dsl_set *s;
	char buf[DSL_ADDR_STRLEN];

	for (s = ctx->sets; s; s = s->next)
		n += s->n_flat;
	if (!n)
		return;
	all = calloc(n, sizeof(*all));
	if (!all)
		return;
	for (k = 0, s = ctx->sets; s; s = s->next)
		for (i = 0; i < s->n_flat; i++)
			if (s->flat[i].org)
				all[k++] = &s->flat[i];
	qsort(all, k, sizeof(*all), pfx_cmp);
	for (i = 0; i < k; i = j) {
		for (j = i + 1; j < k && same_pfx(all[j], all[i]); j++) {
			if (all[j]->org->slot == all[i]->org->slot || all[j]->val == all[i]->val)
				continue;
			win = all[i]->org->slot < all[j]->org->slot ? all[i]->org : all[j]->org;
			dsl_fmt_val(buf, sizeof(buf), all[j]->val);
			dsl_warning(ctx, &all[j]->val->loc,
				    "%s is in organizations '%s' and '%s'; it is counted under '%s'",
				    buf, all[i]->org->name, all[j]->org->name, win->name);
			dsl_note(ctx, &all[i]->val->loc, "first listed here");
			break;
		}
		while (j < k && same_pfx(all[j], all[i]))
			j++;
	}
	free(all);
}

/* ---- rules --------------------------------------------------------------- */

/* What one side of a rule matches. */
struct match {
	int any;
	int neg;
	const struct dsl_pfx *p;
	size_t n;
	int bit;			/* the set's bit: results cached per pair of sets */
	unsigned int fam;		/* the family the rule sees: others are left out */
	signed char *cache;		/* ctx->pfx_cache */
};

static struct dsl_set *anon_set(struct dsl_ctx *ctx, struct dsl_val *v)
{
	struct dsl_set *s;
	struct dsl_pfx p = { .fam = v->fam, .addr = v->addr, .plen = v->plen, .val = v };

	for (s = ctx->anon; s; s = s->next)
		if (same_pfx(&s->flat[0], &p))
			return s;
	if (ctx->n_bits == VXFWD_MAX_SETS) {
		dsl_error(ctx, &v->loc, "more than %d sets (named, and addresses in rules)",
			  VXFWD_MAX_SETS);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s || flat_add(ctx, s, &p)) {
		free(s);
		return NULL;
	}
	s->tail = &s->members;
	s->loc = v->loc;
	s->bit = ctx->n_bits++;
	*ctx->anon_tail = s;
	ctx->anon_tail = &s->next;
	return s;
}

/*
 * One side of a rule.  `fam` is the family of the rule's DNAT target (the
 * only family the rule sees), 0 when the target is not known.
 */
static int eval_endpoint(struct dsl_ctx *ctx, struct dsl_val *v, unsigned int fam,
			 const char *who, const char *side)
{
	char what[128];

	snprintf(what, sizeof(what), "rule '%s': %s", who, side);
	if (dsl_resolve(ctx, v, K(DSL_V_ANY) | K(DSL_V_ADDR) | K(DSL_V_PREFIX) | K(DSL_V_SET),
			what))
		return -EINVAL;
	if (v->kind == DSL_V_PREFIX && v->plen == 0 && v->fam == fam) {
		/* 0.0.0.0/0 (::/0) is every address the rule sees: the same as `any` */
		if (v->neg) {
			dsl_error(ctx, &v->loc, "rule '%s': '!%s' matches nothing", who,
				  fam == DSL_FAM6 ? "::/0" : "0.0.0.0/0");
			return -EINVAL;
		}
		v->kind = DSL_V_ANY;
	}
	if (v->kind == DSL_V_ANY) {
		if (v->neg) {
			dsl_error(ctx, &v->loc, "rule '%s': '!any' matches nothing", who);
			return -EINVAL;
		}
		return 0;
	}
	if (v->kind == DSL_V_SET) {
		v->set = set_lookup(ctx, v);
		return v->set && v->set->bit >= 0 ? 0 : -EINVAL;
	}
	if (v->addr & ~dsl_mask(v->plen)) {
		char given[DSL_ADDR_STRLEN], masked[DSL_ADDR_STRLEN];

		dsl_fmt_val(given, sizeof(given), v);
		v->addr &= dsl_mask(v->plen);
		dsl_fmt_val(masked, sizeof(masked), v);
		dsl_warning(ctx, &v->loc, "prefix %s has host bits set; using %s", given, masked);
	}
	v->set = anon_set(ctx, v);
	return v->set ? 0 : -EINVAL;
}

static void match_of(struct dsl_ctx *ctx, const struct dsl_val *v, unsigned int fam,
		     struct match *m)
{
	memset(m, 0, sizeof(*m));
	m->fam = fam;
	if (!v || v->kind == DSL_V_ANY) {
		m->any = 1;
		return;
	}
	m->neg = v->neg;
	m->p = v->set->flat;
	m->n = v->set->n_flat;
	m->bit = v->set->bit;
	m->cache = ctx->pfx_cache;
}

/*
 * Where the answer of `op` (0 within, 1 meet) for sets a and b, seen by
 * rules of one family, is kept: 1 yes, -1 no, 0 not known yet.  NULL when it
 * cannot be kept.
 */
static signed char *cached(const struct match *a, const struct match *b, int op)
{
	if (!a->cache || a->bit < 0 || b->bit < 0 || a->bit >= VXFWD_MAX_SETS ||
	    b->bit >= VXFWD_MAX_SETS)
		return NULL;
	return &a->cache[((size_t)a->bit * VXFWD_MAX_SETS + (size_t)b->bit) * 4 +
			 (a->fam == DSL_FAM6 ? 2 : 0) + (size_t)op];
}

/* The prefix of `m` of length `len` covering `addr`, or NULL (m->p is sorted). */
static const struct dsl_pfx *match_at(const struct match *m, unsigned int fam, dsl_u128 addr,
				      unsigned int len)
{
	struct dsl_pfx key = { .fam = fam, .addr = addr & dsl_mask(len), .plen = len };
	size_t lo = 0, hi = m->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (flat_cmp(&m->p[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->n && !flat_cmp(&m->p[lo], &key) ? &m->p[lo] : NULL;
}

/* Is some prefix of `m`, at least `min_len` long, covering `addr/plen`? */
static const struct dsl_pfx *match_find(const struct match *m, const struct dsl_pfx *p,
					unsigned int min_len)
{
	const struct dsl_pfx *hit;
	unsigned int len;

	for (len = min_len; len <= p->plen; len++) {
		hit = match_at(m, p->fam, p->addr, len);
		if (hit)
			return hit;
	}
	return NULL;
}

/* test(a, b), its answer kept in the cache of the pair's sets under `op`. */
static int memo(const struct match *a, const struct match *b, int op,
		int (*test)(const struct match *, const struct match *))
{
	signed char *c = cached(a, b, op);

	if (!c)
		return test(a, b);
	if (!*c)
		*c = test(a, b) ? 1 : -1;
	return *c > 0;
}

/* Every prefix of b inside some prefix of a. */
static int pfxs_within_uncached(const struct match *a, const struct match *b)
{
	size_t i;

	if (a->p == b->p)
		return 1;
	for (i = 0; i < b->n; i++)
		if (b->p[i].fam == b->fam && !match_find(a, &b->p[i], 0))
			return 0;
	return 1;
}

static int pfxs_within(const struct match *a, const struct match *b)
{
	return memo(a, b, 0, pfxs_within_uncached);
}

/* Some prefix of a overlapping some prefix of b: one of them covers the other. */
static int pfxs_meet_uncached(const struct match *a, const struct match *b)
{
	size_t i;

	if (a->p == b->p)
		return a->n > 0;
	for (i = 0; i < b->n; i++)
		if (b->p[i].fam == b->fam && match_find(a, &b->p[i], 0))
			return 1;
	for (i = 0; i < a->n; i++)
		if (a->p[i].fam == a->fam && match_find(b, &a->p[i], 0))
			return 1;
	return 0;
}

static int pfxs_meet(const struct match *a, const struct match *b)
{
	return memo(a, b, 1, pfxs_meet_uncached);
}

/* Does a match everything b matches?  (Sound: "yes" is always true.) */
static int match_contains(const struct match *a, const struct match *b)
{
	if (a->any)
		return 1;
	if (b->any)
		return 0;
	if (!a->neg && !b->neg)
		return pfxs_within(a, b);
	if (a->neg && !b->neg)
		return !pfxs_meet(a, b);
	if (a->neg && b->neg)
		return pfxs_within(b, a);
	return 0;
}

/* Can a and b match the same address?  (Sound: "no" is always true.) */
static int match_meets(const struct match *a, const struct match *b)
{
	if (a->any || b->any)
		return 1;
	if (!a->neg && !b->neg)
		return pfxs_meet(a, b);
	if (a->neg && !b->neg)
		return !pfxs_within(a, b);
	if (!a->neg && b->neg)
		return !pfxs_within(b, a);
	return 1;
}

/* Do two targets send to the same address and port (no port: the frame's)? */
static int same_target(const struct dsl_target *a, const struct dsl_target *b)
{
	if (a->addr->fam != b->addr->fam || a->addr->addr != b->addr->addr)
		return 0;
	if (!a->port != !b->port)
		return 0;
	return !a->port || a->port->lo == b->port->lo;
}

static int same_action(const struct dsl_rule *a, const struct dsl_rule *b)
{
	const struct dsl_target *x, *y;

	for (x = a->targets, y = b->targets; x && y; x = x->next, y = y->next)
		if (!same_target(x, y))
			return 0;
	return !x && !y;
}

/* The VNIs a rule matches: its range, or all of them. */
static struct dsl_range rule_vnis(const struct dsl_rule *r)
{
	struct dsl_range v = { 0, VNI_MAX };

	if (r->vni) {
		v.lo = (unsigned int)r->vni->lo;
		v.hi = (unsigned int)r->vni->hi;
	}
	return v;
}

/* Do the port ranges of a and b share a port? */
static int ports_meet(const struct dsl_rule *a, const struct dsl_rule *b)
{
	int i, j;

	for (i = 0; i < a->n_pr; i++)
		for (j = 0; j < b->n_pr; j++)
			if (a->pr[i].lo <= b->pr[j].hi && b->pr[j].lo <= a->pr[i].hi)
				return 1;
	return 0;
}

/* Is every port of b one of a's?  (a's ranges are joined: one must hold each.) */
static int ports_within(const struct dsl_rule *a, const struct dsl_rule *b)
{
	int i, j;

	for (j = 0; j < b->n_pr; j++) {
		for (i = 0; i < a->n_pr; i++)
			if (a->pr[i].lo <= b->pr[j].lo && b->pr[j].hi <= a->pr[i].hi)
				break;
		if (i == a->n_pr)
			return 0;
	}
	return 1;
}

/* Does a match every protocol, port and VNI b matches? */
static int keys_within(const struct dsl_rule *a, const struct dsl_rule *b)
{
	struct dsl_range av = rule_vnis(a), bv = rule_vnis(b);

	return !(b->protos & ~a->protos) && ports_within(a, b) && av.lo <= bv.lo &&
	       bv.hi <= av.hi;
}

static void compare_rules(struct dsl_ctx *ctx, struct dsl_rule *a, struct dsl_rule *b)
{
	struct dsl_range av = rule_vnis(a), bv = rule_vnis(b);
	unsigned int fam = a->dnat->fam;
	struct match as, ad, bs, bd;
	char an[64], bn[64];

	/* a rule sees only its target's family: rules of two families share nothing */
	if (fam != b->dnat->fam)
		return;
	if (!(a->protos & b->protos) || av.hi < bv.lo || bv.hi < av.lo || !ports_meet(a, b))
		return;
	match_of(ctx, a->src, fam, &as);
	match_of(ctx, a->dst, fam, &ad);
	match_of(ctx, b->src, fam, &bs);
	match_of(ctx, b->dst, fam, &bd);
	if (!match_meets(&as, &bs) || !match_meets(&ad, &bd))
		return;
	if (keys_within(a, b) && match_contains(&as, &bs) && match_contains(&ad, &bd)) {
		dsl_error(ctx, &b->name_loc, "rule '%s' never matches: rule '%s' takes all its traffic",
			  rule_name(b, bn, sizeof(bn)), rule_name(a, an, sizeof(an)));
		dsl_note(ctx, &a->name_loc, "rule '%s' is here", an);
		b->bad = 1;
		return;
	}
	if (same_action(a, b))
		return;
	/* a carves an exception out of b: deliberate, not ambiguous */
	if (keys_within(b, a) && match_contains(&bs, &as) && match_contains(&bd, &ad))
		return;
	dsl_warning(ctx, &b->name_loc,
		    "rules '%s' and '%s' overlap; '%s' comes first and wins where both match",
		    rule_name(a, an, sizeof(an)), rule_name(b, bn, sizeof(bn)), an);
	dsl_note(ctx, &a->name_loc, "rule '%s' is here", an);
}

/* A DNAT target must not be traffic the rule itself forwards. */
static void check_dnat_loop(struct dsl_ctx *ctx, struct dsl_rule *r, const struct dsl_val *dnat,
			    const char *who)
{
	const struct dsl_val *sides[2] = { r->src, r->dst };
	const struct dsl_pfx *hit, target = {
		.fam = dnat->fam,
		.addr = dnat->addr,
		.plen = dsl_fam_bits(dnat->fam),
	};
	struct match m;
	char a[DSL_ADDR_STRLEN];
	int i;

	for (i = 0; i < 2; i++) {
		if (!sides[i] || sides[i]->kind == DSL_V_ANY || sides[i]->neg)
			continue;
		match_of(ctx, sides[i], dnat->fam, &m);
		/* 0.0.0.0/0 in a set is every address, as `any` is: not a loop */
		hit = match_find(&m, &target, 1);
		if (!hit)
			continue;
		dsl_fmt_addr(a, sizeof(a), dnat->fam, dnat->addr);
		dsl_error(ctx, &dnat->loc,
			  "rule '%s': DNAT target %s is matched by the rule's %s", who, a,
			  i ? "destination" : "source");
		dsl_note(ctx, &hit->val->loc, "%s matched here", a);
		r->bad = 1;
	}
}

static const char *fam_name(unsigned int fam)
{
	return fam == DSL_FAM6 ? "IPv6" : "IPv4";
}

/*
 * Does one side of a rule hold an address of family `fam`?  `any` and a
 * negation do (they match every address not excluded, of both families);
 * so does, for this check, a set without any prefix (empty or in error:
 * reported on its own).
 */
static int side_has_fam(const struct dsl_val *v, unsigned int fam)
{
	size_t i;

	if (!v || v->kind == DSL_V_ANY || v->neg || !v->set || !v->set->n_flat)
		return 1;
	for (i = 0; i < v->set->n_flat; i++)
		if (v->set->flat[i].fam == fam)
			return 1;
	return 0;
}

/*
 * A rule sees only the family of its DNAT target: vxfwd never turns IPv4
 * into IPv6 or back.  A source or destination without an address of that
 * family would make the rule match nothing.
 */
static void check_rule_family(struct dsl_ctx *ctx, struct dsl_rule *r, const char *who)
{
	const struct dsl_val *sides[2] = { r->src, r->dst };
	char a[DSL_ADDR_STRLEN], v[DSL_ADDR_STRLEN];
	unsigned int fam = r->dnat->fam;
	int i;

	for (i = 0; i < 2; i++) {
		if (side_has_fam(sides[i], fam))
			continue;
		dsl_fmt_addr(a, sizeof(a), fam, r->dnat->addr);
		dsl_fmt_val(v, sizeof(v), sides[i]);
		dsl_error(ctx, &r->dnat->loc,
			  "rule '%s': DNAT target %s is %s but the rule's %s %s holds only %s "
			  "addresses; vxfwd does not translate between IPv4 and IPv6",
			  who, a, fam_name(fam), i ? "destination" : "source", v,
			  fam_name(fam == DSL_FAM6 ? DSL_FAM4 : DSL_FAM6));
		dsl_note(ctx, &sides[i]->loc, "%s given here", i ? "destination" : "source");
		r->bad = 1;
		return;
	}
}

static int range_cmp(const void *pa, const void *pb)
{
	const struct dsl_range *a = pa, *b = pb;

	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return a->hi < b->hi ? -1 : a->hi > b->hi;
}

/*
 * A rule's destination ports: each number or range checked, then sorted and
 * joined where they touch, into at most VXFWD_RULE_MAX_DPORTS ranges.
 */
static int eval_ports(struct dsl_ctx *ctx, struct dsl_rule *r, const char *who)
{
	struct dsl_range all[64];
	struct dsl_vlist *l;
	int n = 0, k, i, bad = 0;

	for (l = r->ports; l; l = l->next) {
		if (dsl_resolve(ctx, l->val, K(DSL_V_NUM) | K(DSL_V_RANGE), "port") ||
		    check_range(ctx, l->val, 1, 65535, who, "port")) {
			bad = -EINVAL;
			continue;
		}
		if (n == (int)(sizeof(all) / sizeof(all[0]))) {
			dsl_error(ctx, &l->val->loc, "rule '%s': more than %zu ports and port ranges",
				  who, sizeof(all) / sizeof(all[0]));
			return -EINVAL;
		}
		all[n].lo = (unsigned int)l->val->lo;
		all[n++].hi = (unsigned int)l->val->hi;
	}
	if (bad || !n)
		return -EINVAL;
	qsort(all, (size_t)n, sizeof(all[0]), range_cmp);
	for (i = 1, k = 0; i < n; i++) {
		if (all[i].lo <= all[k].hi + 1) {
			if (all[i].hi > all[k].hi)
				all[k].hi = all[i].hi;
			continue;
		}
		all[++k] = all[i];
	}
	if (++k > VXFWD_RULE_MAX_DPORTS) {
		struct dsl_loc span = r->ports->val->loc;

		for (l = r->ports; l->next; l = l->next)
			;
		span.last_line = l->val->loc.last_line;
		span.last_column = l->val->loc.last_column;
		dsl_error(ctx, &span,
			  "rule '%s': %d separate port ranges, at most %d in one rule", who, k,
			  VXFWD_RULE_MAX_DPORTS);
		return -EINVAL;
	}
	memcpy(r->pr, all, (size_t)k * sizeof(all[0]));
	r->n_pr = k;
	return 0;
}

/* One target's address and port; 0 or -EINVAL (reported). */
static int eval_target(struct dsl_ctx *ctx, struct dsl_target *t, const char *who)
{
	int bad = 0;

	if (dsl_resolve(ctx, t->addr, K(DSL_V_ADDR), "DNAT target"))
		bad = -EINVAL;
	if (t->port && (dsl_resolve(ctx, t->port, K(DSL_V_NUM), "DNAT port") ||
			check_range(ctx, t->port, 1, 65535, who, "DNAT port")))
		bad = -EINVAL;
	return bad;
}

/*
 * Target `t` (the n-th, from 0) among the rule's earlier ones: at most
 * VXFWD_MAX_TARGETS, all of the first's family (a rule matches one family),
 * none sending to the address and port of another (the same address with
 * another port is a second collector on that host: allowed).
 */
static int check_target(struct dsl_ctx *ctx, const struct dsl_rule *r,
			const struct dsl_target *t, int n, const char *who)
{
	const struct dsl_target *p;
	char a[DSL_ADDR_STRLEN], f[DSL_ADDR_STRLEN];

	if (n == VXFWD_MAX_TARGETS) {
		dsl_error(ctx, &t->addr->loc, "rule '%s': more than %d DNAT targets", who,
			  VXFWD_MAX_TARGETS);
		return -EINVAL;
	}
	dsl_fmt_addr(a, sizeof(a), t->addr->fam, t->addr->addr);
	if (t->addr->fam != r->dnat->fam) {
		dsl_fmt_addr(f, sizeof(f), r->dnat->fam, r->dnat->addr);
		dsl_error(ctx, &t->addr->loc,
			  "rule '%s': DNAT target %s is %s but the first target %s is %s; all "
			  "targets of one rule are of one family",
			  who, a, fam_name(t->addr->fam), f, fam_name(r->dnat->fam));
		dsl_note(ctx, &r->dnat->loc, "first target here");
		return -EINVAL;
	}
	for (p = r->targets; p != t; p = p->next) {
		if (!same_target(p, t))
			continue;
		if (t->port)
			dsl_error(ctx, &t->addr->loc,
				  "rule '%s': DNAT target %s port %llu is given twice", who, a,
				  t->port->lo);
		else
			dsl_error(ctx, &t->addr->loc, "rule '%s': DNAT target %s is given twice",
				  who, a);
		dsl_note(ctx, &p->addr->loc, "first given here");
		return -EINVAL;
	}
	return 0;
}

/* Every target resolved, then checked against the ones before it. */
static int eval_targets(struct dsl_ctx *ctx, struct dsl_rule *r, const char *who)
{
	struct dsl_target *t;
	int n, bad = 0;

	if (!r->targets) /* dsl_ast_rule() keeps no rule without one */
		return -EINVAL;
	for (t = r->targets; t; t = t->next)
		if (eval_target(ctx, t, who))
			bad = -EINVAL;
	if (bad)
		return bad;
	for (t = r->targets->next, n = 1; t; t = t->next, n++)
		if (check_target(ctx, r, t, n, who)) {
			bad = -EINVAL;
			if (n == VXFWD_MAX_TARGETS)
				break;
		}
	return bad;
}

static int eval_rule_values(struct dsl_ctx *ctx, struct dsl_rule *r, const char *who)
{
	unsigned int fam = 0;
	int bad = 0;

	if (eval_targets(ctx, r, who))
		bad = -EINVAL;
	if (r->dnat->kind == DSL_V_ADDR)
		fam = r->dnat->fam;
	if (eval_endpoint(ctx, r->src, fam, who, "source"))
		bad = -EINVAL;
	if (r->dst && eval_endpoint(ctx, r->dst, fam, who, "destination"))
		bad = -EINVAL;
	if (eval_ports(ctx, r, who))
		bad = -EINVAL;
	if (r->vni && (dsl_resolve(ctx, r->vni, K(DSL_V_NUM) | K(DSL_V_RANGE), "vni") ||
		       check_range(ctx, r->vni, 0, VNI_MAX, who, "vni")))
		bad = -EINVAL;
	return bad;
}

/* A rule's VNI that the ingress never accepts would never match. */
static void check_rule_vni(struct dsl_ctx *ctx, struct dsl_rule *r, const char *who)
{
	struct dsl_vlist *l;

	if (!r->vni || !ctx->ingress || !ctx->ingress->vnis)
		return;
	for (l = ctx->ingress->vnis; l; l = l->next)
		if (l->val->kind == DSL_V_NUM && l->val->lo >= r->vni->lo &&
		    l->val->lo <= r->vni->hi)
			return;
	if (r->vni->kind == DSL_V_RANGE)
		dsl_error(ctx, &r->vni->loc,
			  "rule '%s': no vni in %llu-%llu is accepted on ingress '%s'", who,
			  r->vni->lo, r->vni->hi, ctx->ingress->name);
	else
		dsl_error(ctx, &r->vni->loc, "rule '%s': vni %llu is not accepted on ingress '%s'",
			  who, r->vni->lo, ctx->ingress->name);
	dsl_note(ctx, &ctx->ingress->loc, "ingress defined here");
	r->bad = 1;
}

static void check_rule_names(struct dsl_ctx *ctx)
{
	struct dsl_rule *r, *p;

	for (r = ctx->rules; r; r = r->next) {
		if (!r->name)
			continue;
		if (strlen(r->name) >= sizeof(((struct vxfwd_rule_info *)0)->name))
			dsl_error(ctx, &r->name_loc, "rule name '%s' is too long", r->name);
		for (p = ctx->rules; p != r; p = p->next)
			if (p->name && !strcmp(p->name, r->name)) {
				dsl_error(ctx, &r->name_loc, "rule '%s' defined twice", r->name);
				dsl_note(ctx, &p->name_loc, "first defined here");
				r->bad = 1;
				break;
			}
	}
}

static void eval_rules(struct dsl_ctx *ctx)
{
	struct dsl_target *t;
	struct dsl_rule *r, *p;
	const char *who;
	char buf[64];
	int pos = 0;

	check_rule_names(ctx);
	for (r = ctx->rules; r; r = r->next, pos++) {
		r->pos = pos;
		if (pos == VXFWD_MAX_RULES)
			dsl_error(ctx, &r->loc, "more than %d forward rules", VXFWD_MAX_RULES);
		who = rule_name(r, buf, sizeof(buf));
		if (eval_rule_values(ctx, r, who)) {
			r->bad = 1;
			continue;
		}
		check_rule_vni(ctx, r, who);
		check_rule_family(ctx, r, who);
		for (t = r->targets; t; t = t->next)
			check_dnat_loop(ctx, r, t->addr, who);
	}
	/* rules often share sets: compare each pair of sets once */
	ctx->pfx_cache = calloc((size_t)VXFWD_MAX_SETS * VXFWD_MAX_SETS * 4, 1);
	for (r = ctx->rules; r; r = r->next)
		for (p = ctx->rules; p != r && !r->bad; p = p->next)
			if (!p->bad)
				compare_rules(ctx, p, r);
	free(ctx->pfx_cache);
	ctx->pfx_cache = NULL;
	if (!ctx->rules && ctx->srcs && !ctx->parse_errors) {
		struct dsl_loc top = top_loc(ctx);

		dsl_warning(ctx, &top, "no forward rules; all mirror traffic will be dropped");
	}
}

static void check_macros_used(struct dsl_ctx *ctx)
{
	struct dsl_macro *m;

	if (ctx->parse_errors)
		return;
	for (m = ctx->macros; m; m = m->next)
		if (!m->used)
			dsl_warning(ctx, &m->loc, "macro '%s' is never used", m->name);
}

static void resolve_macro_sets(struct dsl_ctx *ctx)
{
	struct dsl_macro *m;

	for (m = ctx->macros; m; m = m->next)
		if (m->val->kind == DSL_V_SET && !set_find(ctx, m->val->name))
			set_lookup(ctx, m->val);
}

int dsl_eval(struct dsl_ctx *ctx)
{
	check_macros(ctx);
	resolve_macro_sets(ctx);
	eval_ingress(ctx);
	eval_egress(ctx);
	dsl_eval_engine(ctx);
	eval_sets(ctx);
	eval_orgs(ctx);
	check_org_conflicts(ctx);
	eval_rules(ctx);
	dsl_eval_health(ctx);
	check_macros_used(ctx);
	return 0;
}
