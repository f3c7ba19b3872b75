// SPDX-License-Identifier: GPL-2.0-only
/*
 * health.c - the `health listen ADDR port N` statement: where `vxfwd run`
 * answers GET /healthz and GET /metrics (engine/hsrv.c).  Recorded by the
 * grammar, checked here after the rules (a DNAT target is a collector on
 * the egress side, never the listener's address), and, through the
 * caller's struct vxfwd_dsl_host, against the egress interface's subnets:
 * the listener belongs on the ingress (management) side.
 */
#include <arpa/inet.h>
#include <stdlib.h>

#include "dsl_int.h"

void dsl_ast_health(struct dsl_ctx *ctx, const struct dsl_loc *loc, struct dsl_val *addr,
		    struct dsl_val *port)
{
	struct dsl_health *h;

	if (ctx->health) {
		dsl_error(ctx, loc, "health listener defined twice");
		dsl_note(ctx, &ctx->health->loc, "first defined here");
		goto drop;
	}
	if (!addr || !port)
		goto drop;		/* a value could not be stored: reported */
	h = calloc(1, sizeof(*h));
	if (!h) {
		dsl_error(ctx, loc, "out of memory");
		goto drop;
	}
	h->loc = *loc;
	h->addr = addr;
	h->port = port;
	ctx->health = h;
	return;
drop:
	dsl_val_free(addr);
	dsl_val_free(port);
}

void dsl_health_free(struct dsl_ctx *ctx)
{
	if (!ctx->health)
		return;
	dsl_val_free(ctx->health->addr);
	dsl_val_free(ctx->health->port);
	free(ctx->health);
	ctx->health = NULL;
}

/* An IPv4 DNAT target, of any rule without errors, resolved. */
static int v4_target(const struct dsl_rule *r, const struct dsl_target *t)
{
	return !r->bad && t->addr->kind == DSL_V_ADDR && t->addr->fam == DSL_FAM4;
}

/* The first DNAT target (of every rule, every target) that is `addr` (host order), or NULL. */
static const struct dsl_val *dnat_target(const struct dsl_ctx *ctx, __u32 addr)
{
	const struct dsl_target *t;
	const struct dsl_rule *r;

	for (r = ctx->rules; r; r = r->next)
		for (t = r->targets; t; t = t->next)
			if (v4_target(r, t) && dsl_to_v4(t->addr->addr) == addr)
				return t->addr;
	return NULL;
}

static int where(const struct dsl_ctx *ctx, __u32 addr, const char *name)
{
	const struct vxfwd_dsl_host *host = ctx->host;

	return host->addr_where(htonl(addr), name, host->arg);
}

/* A DNAT target in a subnet of the egress interface, or NULL. */
static const struct dsl_val *egress_target(const struct dsl_ctx *ctx)
{
	const struct dsl_target *t;
	const struct dsl_rule *r;

	for (r = ctx->rules; r; r = r->next)
		for (t = r->targets; t; t = t->next)
			if (v4_target(r, t) &&
			    where(ctx, dsl_to_v4(t->addr->addr), ctx->egress->name) > 0)
				return t->addr;
	return NULL;
}

/*
 * What the host says: an address of egress (or its bridge) is refused; one
 * of ingress is fine even when both share a subnet (the VPC's usual
 * layout); any other in an egress subnet holding a DNAT target is refused.
 */
static void check_host_side(struct dsl_ctx *ctx, const struct dsl_health *h, const char *a)
{
	const struct dsl_val *r;
	int eg;

	if (!ctx->host || !ctx->host->addr_where || !ctx->egress || !ctx->ingress)
		return;
	eg = where(ctx, dsl_to_v4(h->addr->addr), ctx->egress->name);
	if (eg == VXFWD_DSL_ADDR_OWN) {
		dsl_error(ctx, &h->addr->loc,
			  "health: %s is an address of egress '%s' (or of its bridge); listen on an ingress-side address",
			  a, ctx->egress->name);
		dsl_note(ctx, &ctx->egress->loc, "egress defined here");
		return;
	}
	if (eg != VXFWD_DSL_ADDR_SUBNET ||
	    where(ctx, dsl_to_v4(h->addr->addr), ctx->ingress->name) == VXFWD_DSL_ADDR_OWN)
		return;
	r = egress_target(ctx);
	if (!r)
		return;
	dsl_error(ctx, &h->addr->loc,
		  "health: %s lies in the subnet of egress '%s' that holds the DNAT targets and is no address of ingress '%s'; listen on an ingress-side address",
		  a, ctx->egress->name, ctx->ingress->name);
	dsl_note(ctx, &r->loc, "DNAT target here");
}

/* Not a collector, not on the egress side (where the host can tell). */
static void check_side(struct dsl_ctx *ctx, const struct dsl_health *h)
{
	const struct dsl_val *r;
	char a[48];

	dsl_fmt_addr(a, sizeof(a), h->addr->fam, h->addr->addr);
	if (!h->addr->addr) {
		dsl_warning(ctx, &h->addr->loc,
			    "health: 0.0.0.0 listens on every interface, egress '%s' included",
			    ctx->egress ? ctx->egress->name : "EGRESS");
		return;
	}
	r = dnat_target(ctx, dsl_to_v4(h->addr->addr));
	if (r) {
		dsl_error(ctx, &h->addr->loc,
			  "health: %s is a DNAT target, on the egress side; listen on an ingress-side address",
			  a);
		dsl_note(ctx, &r->loc, "DNAT target here");
		return;
	}
	check_host_side(ctx, h, a);
}

void dsl_eval_health(struct dsl_ctx *ctx)
{
	struct dsl_health *h = ctx->health;
	int bad = 0;

	if (!h)
		return;
	if (dsl_resolve(ctx, h->addr, DSL_K(DSL_V_ADDR), "health listen address"))
		bad = 1;
	if (dsl_resolve(ctx, h->port, DSL_K(DSL_V_NUM), "health port")) {
		bad = 1;
	} else if (h->port->lo < 1 || h->port->lo > 65535) {
		dsl_error(ctx, &h->port->loc, "health: port %llu out of range (1-65535)",
			  h->port->lo);
		bad = 1;
	}
	if (!bad && h->addr->fam != DSL_FAM4) {
		dsl_error(ctx, &h->addr->loc, "health: the listener takes an IPv4 address");
		bad = 1;
	}
	if (!bad && dsl_to_v4(h->addr->addr) >> 24 == 127)
		dsl_warning(ctx, &h->addr->loc,
			    "health: a loopback address; only this host reaches the listener");
	if (!bad)
		check_side(ctx, h);
	h->bad = bad;
}

void dsl_compile_health(const struct dsl_ctx *ctx, struct vxfwd_ruleset *rs)
{
	const struct dsl_health *h = ctx->health;

	if (!h || h->bad)
		return;
	rs->health.on = 1;
	rs->health.addr = htonl(dsl_to_v4(h->addr->addr));
	rs->health.port = (__u16)h->port->lo;
}
