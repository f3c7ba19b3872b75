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

/* calloc(1, size), or NULL with "out of memory" reported at `loc`. */
static void *zalloc(struct dsl_ctx *ctx, size_t size, const struct dsl_loc *loc)
{
	void *p = calloc(1, size);

	if (!p)
		dsl_error(ctx, loc, "out of memory");
	return p;
}

/*
 * Is `what`, written at `loc`, a second one?  `first` is where the first one
 * was (NULL: none yet); `verb` says how it was written ("defined", "given").
 */
static int twice(struct dsl_ctx *ctx, const struct dsl_loc *loc, const struct dsl_loc *first,
		 const char *what, const char *verb)
{
	if (!first)
		return 0;
	dsl_error(ctx, loc, "%s %s twice", what, verb);
	dsl_note(ctx, first, "first %s here", verb);
	return 1;
}

/*
 * A zeroed block that a file has at most once (`first`: where it already
 * is), or NULL, reported; `name` is freed with the NULL.
 */
static void *block_new(struct dsl_ctx *ctx, size_t size, const struct dsl_loc *first,
		       const char *what, char *name, const struct dsl_loc *loc)
{
	void *b = NULL;

	if (!twice(ctx, loc, first, what, "defined"))
		b = zalloc(ctx, size, loc);
	if (!b)
		free(name);
	return b;
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

struct dsl_val *dsl_ast_prefix(enum dsl_val_kind kind, unsigned int fam, dsl_u128 addr,
			       unsigned int plen, const struct dsl_loc *loc)
{
	struct dsl_val *v = dsl_val_new(kind, loc);

	if (!v)
		return NULL;
	v->fam = fam;
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
	in = block_new(ctx, sizeof(*in), ctx->ingress ? &ctx->ingress->loc : NULL,
		       "ingress interface", name, loc);
	if (!in)
		return;
	in->name = name;
	in->loc = *loc;
	ctx->ingress = ctx->cur_ingress = in;
}

void dsl_ast_xdp_mode(struct dsl_ctx *ctx, int mode, const struct dsl_loc *loc)
{
	struct dsl_ingress *in = ctx->cur_ingress;

	if (!in || twice(ctx, loc, in->have_mode ? &in->mode_loc : NULL, "xdp-mode", "given"))
		return;
	in->have_mode = 1;
	in->mode = mode;
	in->mode_loc = *loc;
}

/* Append v to the list at *head; with no head (no list to take it), drop it. */
void dsl_vlist_append(struct dsl_ctx *ctx, struct dsl_vlist **head, struct dsl_val *v)
{
	struct dsl_vlist *l, **pp;

	if (!v)
		return;
	l = head ? zalloc(ctx, sizeof(*l), &v->loc) : NULL;
	if (!l) {
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
	dsl_vlist_append(ctx, ctx->cur_ingress ? &ctx->cur_ingress->ports : NULL, v);
}

void dsl_ast_geneve_port(struct dsl_ctx *ctx, struct dsl_val *v)
{
	dsl_vlist_append(ctx, ctx->cur_ingress ? &ctx->cur_ingress->geneve_ports : NULL, v);
}

void dsl_ast_vni(struct dsl_ctx *ctx, struct dsl_val *v)
{
	dsl_vlist_append(ctx, ctx->cur_ingress ? &ctx->cur_ingress->vnis : NULL, v);
}

void dsl_ast_egress(struct dsl_ctx *ctx, char *name, const struct dsl_loc *loc)
{
	struct dsl_egress *eg;

	ctx->cur_egress = NULL;
	eg = block_new(ctx, sizeof(*eg), ctx->egress ? &ctx->egress->loc : NULL,
		       "egress interface", name, loc);
	if (!eg)
		return;
	eg->name = name;
	eg->loc = *loc;
	ctx->egress = ctx->cur_egress = eg;
}

void dsl_ast_nh_mac(struct dsl_ctx *ctx, const __u8 *mac, const struct dsl_loc *loc)
{
	struct dsl_egress *eg = ctx->cur_egress;

	if (!eg || twice(ctx, loc, eg->have_mac ? &eg->mac_loc : NULL, "next-hop mac", "given"))
		return;
	eg->have_mac = 1;
	memcpy(eg->mac, mac, 6);
	eg->mac_loc = *loc;
}

void dsl_ast_engine(struct dsl_ctx *ctx, const struct dsl_loc *loc)
{
	struct dsl_engine *e;

	ctx->cur_engine = NULL;
	e = block_new(ctx, sizeof(*e), ctx->engine ? &ctx->engine->loc : NULL, "engine block",
		      NULL, loc);
	if (!e)
		return;
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
	struct dsl_set *s = zalloc(ctx, sizeof(*s), loc);

	ctx->cur_set = NULL;
	if (!s) {
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
	o = zalloc(ctx, sizeof(*o), loc);
	if (!o)
		goto out;
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
	m = zalloc(ctx, sizeof(*m), &v->loc);
	if (!m) {
		dsl_val_free(v);
		return;
	}
	m->val = v;
	m->org = ctx->cur_org;
	*ctx->cur_set->tail = m;
	ctx->cur_set->tail = &m->next;
}

/* What a rule owns, not the rule itself. */
static void rule_fields_free(const struct dsl_rule *r)
{
	free(r->name);
	dsl_val_free(r->src);
	dsl_val_free(r->dst);
	dsl_vlist_free(r->ports);
	dsl_val_free(r->vni);
	dsl_target_free(r->targets);
}

/* Append `addr [port]` to the list `head` (NULL: a new list); the list. */
struct dsl_target *dsl_target_append(struct dsl_ctx *ctx, struct dsl_target *head,
				     struct dsl_val *addr, struct dsl_val *port)
{
	struct dsl_target *t, **pp;

	t = addr ? zalloc(ctx, sizeof(*t), &addr->loc) : NULL;
	if (!t) {
		dsl_val_free(addr);
		dsl_val_free(port);
		return head;
	}
	t->addr = addr;
	t->port = port;
	for (pp = &head; *pp; pp = &(*pp)->next)
		;
	*pp = t;
	return head;
}

void dsl_target_free(struct dsl_target *t)
{
	struct dsl_target *next;

	for (; t; t = next) {
		next = t->next;
		dsl_val_free(t->addr);
		dsl_val_free(t->port);
		free(t);
	}
}

void dsl_ast_rule(struct dsl_ctx *ctx, const struct dsl_rule *tmpl)
{
	struct dsl_rule *r = zalloc(ctx, sizeof(*r), &tmpl->loc);

	if (!r || !tmpl->src || !tmpl->ports || !tmpl->targets) {
		/* out of memory, or a value could not be allocated: reported */
		rule_fields_free(tmpl);
		free(r);
		return;
	}
	*r = *tmpl;
	r->next = NULL;
	r->dnat = r->targets->addr;
	r->dnat_port = r->targets->port;
	*ctx->rules_tail = r;
	ctx->rules_tail = &r->next;
}

void dsl_ast_macro(struct dsl_ctx *ctx, char *name, const struct dsl_loc *loc,
		   struct dsl_val *v)
{
	struct dsl_macro *m;

	if (!v) {
		free(name);
		return;
	}
	m = zalloc(ctx, sizeof(*m), loc);
	if (!m) {
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
		dsl_vlist_free(ctx->ingress->geneve_ports);
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
	dsl_health_free(ctx);
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
		rule_fields_free(r);
		free(r);
	}
	for (o = ctx->orgs; o; o = on) {
		on = o->next;
		free(o->name);
		free(o);
	}
}

void dsl_to_bytes(dsl_u128 addr, __u8 out[16])
{
	int i;

	for (i = 15; i >= 0; i--, addr >>= 8)
		out[i] = (__u8)addr;
}

dsl_u128 dsl_from_bytes(const __u8 in[16])
{
	dsl_u128 a = 0;
	int i;

	for (i = 0; i < 16; i++)
		a = a << 8 | in[i];
	return a;
}

/* An address in its usual text form: dotted quad, or RFC 5952 for IPv6. */
void dsl_fmt_addr(char *buf, size_t len, unsigned int fam, dsl_u128 addr)
{
	__u8 b[16];
	__u32 a4;

	if (fam == DSL_FAM6) {
		dsl_to_bytes(addr, b);
		if (!inet_ntop(AF_INET6, b, buf, (socklen_t)len) && len)
			buf[0] = '\0';
		return;
	}
	a4 = dsl_to_v4(addr);
	snprintf(buf, len, "%u.%u.%u.%u", a4 >> 24, (a4 >> 16) & 0xff, (a4 >> 8) & 0xff,
		 a4 & 0xff);
}

/* A value as the user would write it (for messages and the dump). */
void dsl_fmt_val(char *buf, size_t len, const struct dsl_val *v)
{
	char a[DSL_ADDR_STRLEN];
	const char *neg = v->neg ? "!" : "";

	switch (v->kind) {
	case DSL_V_ANY:
		snprintf(buf, len, "%sany", neg);
		break;
	case DSL_V_ADDR:
		dsl_fmt_addr(a, sizeof(a), v->fam, v->addr);
		snprintf(buf, len, "%s%s", neg, a);
		break;
	case DSL_V_PREFIX:
		dsl_fmt_addr(a, sizeof(a), v->fam, v->addr);
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
