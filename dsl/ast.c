// SPDX-License-Identifier: GPL-2.0-only
/*
 * ast.c - building and freeing the AST.  Grammar actions call these; they
 * only record what was written and where.  Checks that need the whole file
 * (names, ranges, overlaps) are in eval.c.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "dsl_int.h"

static void oom(struct dsl_ctx *ctx, const struct dsl_loc *loc)
{
	dsl_error(ctx, loc, "out of memory");
}

struct dsl_val *dsl_val_new(enum dsl_val_kind kind, const struct dsl_loc *loc)
{
	struct dsl_val *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	v->kind = kind;
	v->loc = *loc;
	return v;
}

void dsl_val_free(struct dsl_val *v)
{
	if (!v)
		return;
	free(v->name);
	free(v);
}

void dsl_vlist_free(struct dsl_vlist *l)
{
	struct dsl_vlist *next;

	for (; l; l = next) {
		next = l->next;
		dsl_val_free(l->val);
		free(l);
	}
}

struct dsl_val *dsl_ast_prefix(enum dsl_val_kind kind, __u32 addr, unsigned int plen,
			       const struct dsl_loc *loc)
{
	struct dsl_val *v = dsl_val_new(kind, loc);

	if (!v)
		return NULL;
	v->addr = addr;
	v->plen = plen;
	return v;
}

struct dsl_val *dsl_ast_named(enum dsl_val_kind kind, char *name, const struct dsl_loc *loc)
{
	struct dsl_val *v = dsl_val_new(kind, loc);

	if (!v) {
		free(name);
		return NULL;
	}
	v->name = name;
	return v;
}

struct dsl_val *dsl_ast_range(unsigned long long lo, unsigned long long hi,
			      const struct dsl_loc *loc)
{
	struct dsl_val *v = dsl_val_new(lo == hi ? DSL_V_NUM : DSL_V_RANGE, loc);

	if (!v)
		return NULL;
	v->lo = lo;
	v->hi = hi;
	return v;
}

void dsl_ast_ingress(struct dsl_ctx *ctx, char *name, const struct dsl_loc *loc)
{
	struct dsl_ingress *in;

	ctx->cur_ingress = NULL;
	if (ctx->ingress) {
		dsl_error(ctx, loc, "ingress interface defined twice");
		dsl_note(ctx, &ctx->ingress->loc, "first defined here");
		free(name);
		return;
	}
	in = calloc(1, sizeof(*in));
	if (!in) {
		oom(ctx, loc);
		free(name);
		return;
	}
	in->name = name;
	in->loc = *loc;
	ctx->ingress = ctx->cur_ingress = in;
}

void dsl_ast_xdp_mode(struct dsl_ctx *ctx, int mode, const struct dsl_loc *loc)
{
	struct dsl_ingress *in = ctx->cur_ingress;

	if (!in)
		return;
	if (in->have_mode) {
		dsl_error(ctx, loc, "xdp-mode given twice");
		dsl_note(ctx, &in->mode_loc, "first given here");
		return;
	}
	in->have_mode = 1;
	in->mode = mode;
	in->mode_loc = *loc;
}

void dsl_vlist_append(struct dsl_ctx *ctx, struct dsl_vlist **head, struct dsl_val *v)
{
	struct dsl_vlist *l, **pp;

	if (!v)
		return;
	l = calloc(1, sizeof(*l));
	if (!l) {
		oom(ctx, &v->loc);
		dsl_val_free(v);
		return;
	}
	l->val = v;
	for (pp = head; *pp; pp = &(*pp)->next)
		;
	*pp = l;
}

void dsl_ast_vxlan_port(struct dsl_ctx *ctx, struct dsl_val *v)
{
	if (!ctx->cur_ingress) {
		dsl_val_free(v);
		return;
	}
	dsl_vlist_append(ctx, &ctx->cur_ingress->ports, v);
}

void dsl_ast_vni(struct dsl_ctx *ctx, struct dsl_val *v)
{
	if (!ctx->cur_ingress) {
		dsl_val_free(v);
		return;
	}
	dsl_vlist_append(ctx, &ctx->cur_ingress->vnis, v);
}

void dsl_ast_egress(struct dsl_ctx *ctx, char *name, const struct dsl_loc *loc)
{
	struct dsl_egress *eg;

	ctx->cur_egress = NULL;
	if (ctx->egress) {
		dsl_error(ctx, loc, "egress interface defined twice");
		dsl_note(ctx, &ctx->egress->loc, "first defined here");
		free(name);
		return;
	}
	eg = calloc(1, sizeof(*eg));
	if (!eg) {
		oom(ctx, loc);
		free(name);
		return;
	}
	eg->name = name;
	eg->loc = *loc;
	ctx->egress = ctx->cur_egress = eg;
}

void dsl_ast_nh_mac(struct dsl_ctx *ctx, const __u8 *mac, const struct dsl_loc *loc)
{
	struct dsl_egress *eg = ctx->cur_egress;

	if (!eg)
		return;
	if (eg->have_mac) {
		dsl_error(ctx, loc, "next-hop mac given twice");
		dsl_note(ctx, &eg->mac_loc, "first given here");
		return;
	}
	eg->have_mac = 1;
	memcpy(eg->mac, mac, 6);
	eg->mac_loc = *loc;
}

void dsl_ast_engine(struct dsl_ctx *ctx, const struct dsl_loc *loc)
{
	struct dsl_engine *e;

	ctx->cur_engine = NULL;
	if (ctx->engine) {
		dsl_error(ctx, loc, "engine block defined twice");
		dsl_note(ctx, &ctx->engine->loc, "first defined here");
		return;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		oom(ctx, loc);
		return;
	}
	e->loc = *loc;
	ctx->engine = ctx->cur_engine = e;
}

static void eng_item_free(struct dsl_eng_item *it)
{
	free(it->word);
	dsl_val_free(it->num);
	dsl_vlist_free(it->list);
}

/*
 * One setting of the engine block: `word` for backend, sched and
 * qdisc-bypass, `num` for the numbers and the sched priority, `list` for
 * cpus.  Values are checked in engine_block.c.
 */
void dsl_ast_eng_item(struct dsl_ctx *ctx, enum dsl_eng_key key, const struct dsl_loc *loc,
		      char *word, const struct dsl_loc *word_loc, struct dsl_val *num,
		      struct dsl_vlist *list)
{
	struct dsl_eng_item it = { .given = 1, .loc = *loc, .word = word, .num = num,
				   .list = list };
	struct dsl_engine *e = ctx->cur_engine;

	if (word_loc)
		it.word_loc = *word_loc;
	if (!e) {
		eng_item_free(&it);	/* a second block: already reported */
		return;
	}
	if (e->item[key].given) {
		dsl_error(ctx, loc, "'%s' set twice in the engine block", dsl_eng_names[key]);
		dsl_note(ctx, &e->item[key].loc, "first set here");
		eng_item_free(&it);
		return;
	}
	e->item[key] = it;
}

void dsl_ast_set_begin(struct dsl_ctx *ctx, char *name, const struct dsl_loc *loc)
{
	struct dsl_set *s = calloc(1, sizeof(*s));

	ctx->cur_set = NULL;
	if (!s) {
		oom(ctx, loc);
		free(name);
		return;
	}
	s->name = name;
	s->loc = *loc;
	s->tail = &s->members;
	s->bit = -1;
	*ctx->sets_tail = s;
	ctx->sets_tail = &s->next;
	ctx->cur_set = s;
}

void dsl_ast_org_begin(struct dsl_ctx *ctx, char *name, struct dsl_val *id,
		       const struct dsl_loc *loc)
{
	struct dsl_org *o;

	if (ctx->cur_org) {
		dsl_error(ctx, loc, "organization '%s' inside organization '%s'", name,
			  ctx->cur_org->name);
		goto out;
	}
	o = calloc(1, sizeof(*o));
	if (!o) {
		oom(ctx, loc);
		goto out;
	}
	o->name = name;
	name = NULL;
	o->loc = *loc;
	o->slot = -1;
	if (id && id->kind == DSL_V_NUM) {
		o->id = id->lo;
	} else if (id) {
		dsl_error(ctx, &id->loc, "organization id must be a number");
	}
	*ctx->orgs_tail = o;
	ctx->orgs_tail = &o->next;
	ctx->cur_org = o;
out:
	free(name);
	dsl_val_free(id);
}

void dsl_ast_member(struct dsl_ctx *ctx, struct dsl_val *v)
{
	struct dsl_member *m;

	if (!v)
		return;
	if (!ctx->cur_set) {
		dsl_val_free(v);
		return;
	}
	if (v->kind == DSL_V_SET && ctx->cur_org) {
		dsl_error(ctx, &v->loc, "set reference '@%s' inside organization '%s'",
			  v->name, ctx->cur_org->name);
		dsl_val_free(v);
		return;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		oom(ctx, &v->loc);
		dsl_val_free(v);
		return;
	}
	m->val = v;
	m->org = ctx->cur_org;
	*ctx->cur_set->tail = m;
	ctx->cur_set->tail = &m->next;
}

static void rule_free(struct dsl_rule *r)
{
	free(r->name);
	dsl_val_free(r->src);
	dsl_val_free(r->dst);
	dsl_vlist_free(r->ports);
	dsl_val_free(r->vni);
	dsl_val_free(r->dnat);
	dsl_val_free(r->dnat_port);
	free(r);
}

void dsl_ast_rule(struct dsl_ctx *ctx, const struct dsl_rule *tmpl)
{
	struct dsl_rule *r = malloc(sizeof(*r));

	if (!r) {
		oom(ctx, &tmpl->loc);
		goto fail;
	}
	*r = *tmpl;
	r->next = NULL;
	if (!r->src || !r->ports || !r->dnat) {
		/* a value could not be allocated; already reported */
		rule_free(r);
		return;
	}
	*ctx->rules_tail = r;
	ctx->rules_tail = &r->next;
	return;
fail:
	free(tmpl->name);
	dsl_val_free(tmpl->src);
	dsl_val_free(tmpl->dst);
	dsl_vlist_free(tmpl->ports);
	dsl_val_free(tmpl->vni);
	dsl_val_free(tmpl->dnat);
	dsl_val_free(tmpl->dnat_port);
}

void dsl_ast_macro(struct dsl_ctx *ctx, char *name, const struct dsl_loc *loc,
		   struct dsl_val *v)
{
	struct dsl_macro *m;

	if (!v) {
		free(name);
		return;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		oom(ctx, loc);
		free(name);
		dsl_val_free(v);
		return;
	}
	m->name = name;
	m->loc = *loc;
	m->val = v;
	*ctx->macros_tail = m;
	ctx->macros_tail = &m->next;
}

static void set_list_free(struct dsl_set *s)
{
	struct dsl_member *m, *mn;
	struct dsl_set *next;

	for (; s; s = next) {
		next = s->next;
		for (m = s->members; m; m = mn) {
			mn = m->next;
			dsl_val_free(m->val);
			free(m);
		}
		free(s->flat);
		free(s->name);
		free(s);
	}
}

void dsl_ctx_free_ast(struct dsl_ctx *ctx)
{
	struct dsl_macro *mac, *macn;
	struct dsl_rule *r, *rn;
	struct dsl_org *o, *on;
	int i;

	if (ctx->ingress) {
		free(ctx->ingress->name);
		dsl_vlist_free(ctx->ingress->ports);
		dsl_vlist_free(ctx->ingress->vnis);
		free(ctx->ingress);
	}
	if (ctx->egress) {
		free(ctx->egress->name);
		free(ctx->egress);
	}
	if (ctx->engine) {
		for (i = 0; i < DSL_ENG_N; i++)
			eng_item_free(&ctx->engine->item[i]);
		free(ctx->engine);
	}
	set_list_free(ctx->sets);
	set_list_free(ctx->anon);
	for (mac = ctx->macros; mac; mac = macn) {
		macn = mac->next;
		free(mac->name);
		dsl_val_free(mac->val);
		free(mac);
	}
	for (r = ctx->rules; r; r = rn) {
		rn = r->next;
		rule_free(r);
	}
	for (o = ctx->orgs; o; o = on) {
		on = o->next;
		free(o->name);
		free(o);
	}
}

void dsl_fmt_addr(char *buf, size_t len, __u32 addr)
{
	snprintf(buf, len, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff,
		 (addr >> 8) & 0xff, addr & 0xff);
}

/* A value as the user would write it (for messages and the dump). */
void dsl_fmt_val(char *buf, size_t len, const struct dsl_val *v)
{
	char a[16];
	const char *neg = v->neg ? "!" : "";

	switch (v->kind) {
	case DSL_V_ANY:
		snprintf(buf, len, "%sany", neg);
		break;
	case DSL_V_ADDR:
		dsl_fmt_addr(a, sizeof(a), v->addr);
		snprintf(buf, len, "%s%s", neg, a);
		break;
	case DSL_V_PREFIX:
		dsl_fmt_addr(a, sizeof(a), v->addr);
		snprintf(buf, len, "%s%s/%u", neg, a, v->plen);
		break;
	case DSL_V_NUM:
		snprintf(buf, len, "%llu", v->lo);
		break;
	case DSL_V_RANGE:
		snprintf(buf, len, "%llu-%llu", v->lo, v->hi);
		break;
	case DSL_V_SET:
		snprintf(buf, len, "%s@%s", neg, v->name);
		break;
	case DSL_V_MACRO:
		snprintf(buf, len, "%s$%s", neg, v->name);
		break;
	}
}
