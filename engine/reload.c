// SPDX-License-Identifier: GPL-2.0-only
/*
 * reload.c - apply a ruleset (first start, SIGHUP, egress MAC change), report
 * what a reload changed, and write the state file `vxfwd stats` reads names
 * from.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attached.h"
#include "engine.h"
#include "host.h"
#include "log.h"

#define RELOAD_WAIT_MS 1000 /* bound on next-hop resolution before a flip */
#define DIFF_LINES_MAX 32   /* itemized changes per kind; the rest is counted */

struct targets {
	struct neigh_addr addr[2 * VXFWD_MAX_NEXTHOPS];
	int statics[2 * VXFWD_MAX_NEXTHOPS];
	unsigned int n;
};

static void targets_add(struct targets *t, const struct vxfwd_ruleset *rs)
{
	const struct vxfwd_op *op;
	struct neigh_addr a;
	unsigned int j;
	size_t i;

	for (i = 0; i < rs->n_ops; i++) {
		op = &rs->ops[i];
		if (op->map != VXFWD_MAP_NEXTHOP && op->map != VXFWD_MAP_NEXTHOP6)
			continue;
		memset(&a, 0, sizeof(a));
		a.family = op->map == VXFWD_MAP_NEXTHOP6 ? AF_INET6 : AF_INET;
		if (a.family == AF_INET6)
			memcpy(a.addr, op->key.addr6.addr, 16);
		else
			memcpy(a.addr, &op->key.addr, 4);
		for (j = 0; j < t->n && memcmp(&t->addr[j], &a, sizeof(a)); j++)
			;
		if (j == t->n) {
			if (t->n == sizeof(t->addr) / sizeof(t->addr[0]))
				return;
			t->addr[t->n++] = a;
		}
		t->statics[j] = !!(op->val.nh.flags & VXFWD_NH_F_STATIC);
	}
}

/* The DNAT target of a NEXTHOP or NEXTHOP6 operation (buf of INET6_ADDRSTRLEN). */
static const char *op_addr(const struct vxfwd_op *op, char *buf)
{
	if (op->map == VXFWD_MAP_NEXTHOP6)
		return inet_ntop(AF_INET6, op->key.addr6.addr, buf, INET6_ADDRSTRLEN);
	return inet_ntop(AF_INET, &op->key.addr, buf, INET6_ADDRSTRLEN);
}

/* "target POS T ADDR[:PORT]": every target of every rule, for `stats`' per-target counters. */
static void state_targets(FILE *f, const struct vxfwd_ruleset *rs)
{
	const struct vxfwd_rule *r;
	char t[64];
	unsigned int k;
	size_t i;

	for (i = 0; i < rs->n_ops; i++) {
		if (rs->ops[i].map != VXFWD_MAP_RULE)
			continue;
		r = &rs->ops[i].val.rule;
		for (k = 0; k < vxfwd_rule_n_targets(r); k++) {
			vxfwd_target_fmt(t, sizeof(t), r, k);
			fprintf(f, "target %u %u %s\n", rs->ops[i].key.idx, k, t);
		}
	}
}

int state_write(const struct engine *e)
{
	char tmp[PATH_MAX + 8];
	const struct vxfwd_ruleset *rs = e->rs;
	char a[INET6_ADDRSTRLEN];
	__u32 gen = 0;
	FILE *f;
	size_t i;

	maps_active_gen(&e->maps, &gen);
	snprintf(tmp, sizeof(tmp), "%s.tmp", e->inst.statefile);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "gen %u\ningress %s\negress %s\nifindex %d\nnetns %llu\nrules %s\n", gen,
		e->ingress, e->egress, e->ingress_ifindex, (unsigned long long)attached_netns(),
		e->inst.rules);
	/* What `vxfwd status` shows: the ruleset's origin and the engine's shape. */
	fprintf(f, "pid %d\napplied %lld\nsets %zu\nbackend %s\n", (int)getpid(),
		(long long)time(NULL), rs->n_sets, vxfwd_backend_name(e->conf.backend));
	for (i = 0; i < e->conf.workers; i++)
		fprintf(f, "worker %zu cpu %d\n", i, e->w[i].cpu);
	for (i = 0; i < rs->n_ops; i++)
		if (rs->ops[i].map == VXFWD_MAP_NEXTHOP || rs->ops[i].map == VXFWD_MAP_NEXTHOP6)
			fprintf(f, "nexthop %s\n", op_addr(&rs->ops[i], a));
	for (i = 0; i < rs->n_rules; i++)
		fprintf(f, "rule %zu %s\n", i, rs->rules[i].name);
	state_targets(f, rs);
	for (i = 0; i < rs->n_orgs; i++)
		fprintf(f, "org %zu %u %s\n", i, rs->orgs[i].id, rs->orgs[i].name);
	if (fclose(f) == EOF || rename(tmp, e->inst.statefile) < 0) {
		unlink(tmp);
		return -errno;
	}
	return 0;
}

/*
 * Write `rs` and make it active.  With wait_ms, DNAT targets are resolved
 * first (old and new both tracked), so no frame meets a rule whose next hop
 * is still unknown because of the swap.
 */
int engine_apply(struct engine *e, const struct vxfwd_ruleset *rs, int wait_ms)
{
	struct vxfwd_apply_env env = {.egress_ifindex = e->egress_ifindex};
	struct targets t = {.n = 0};
	__u32 gen;
	int ret;

	memcpy(env.egress_mac, e->egress_mac, sizeof(env.egress_mac));
	if (e->rs != rs)
		targets_add(&t, e->rs);
	targets_add(&t, rs);
	ret = neigh_set_targets(&e->neigh, t.addr, t.statics, t.n, wait_ms);
	if (ret)
		log_warnx("rtnetlink: next-hop lookup failed: %s", strerror(-ret));
	if (neigh_unresolved(&e->neigh))
		log_warnx("%u next hop(s) not resolved yet: their frames count as no_nexthop",
			  neigh_unresolved(&e->neigh));
	ret = maps_apply(&e->maps, rs, &env, &gen);
	if (ret) {
		log_warnx("maps: applying the ruleset failed: %s", strerror(-ret));
		return ret;
	}
	log_info("ruleset generation %u active: %zu rules, %zu organizations", gen, rs->n_rules,
		 rs->n_orgs);
	if (e->rs != rs) {
		t.n = 0;
		targets_add(&t, rs);
		neigh_set_targets(&e->neigh, t.addr, t.statics, t.n, 0);
	}
	return 0;
}

static const struct vxfwd_op *rule_op(const struct vxfwd_ruleset *rs, size_t pos)
{
	size_t i;

	for (i = 0; i < rs->n_ops; i++)
		if (rs->ops[i].map == VXFWD_MAP_RULE && rs->ops[i].key.idx == pos)
			return &rs->ops[i];
	return NULL;
}

static long rule_find(const struct vxfwd_ruleset *rs, const char *name)
{
	size_t i;

	for (i = 0; i < rs->n_rules; i++)
		if (strcmp(rs->rules[i].name, name) == 0)
			return (long)i;
	return -1;
}

static int rule_same(const struct vxfwd_ruleset *a, size_t pa, const struct vxfwd_ruleset *b,
		     size_t pb)
{
	const struct vxfwd_op *x = rule_op(a, pa), *y = rule_op(b, pb);

	if (!x || !y)
		return x == y;
	return memcmp(&x->val.rule, &y->val.rule, sizeof(x->val.rule)) == 0;
}

static void diff_rules(const struct vxfwd_ruleset *o, const struct vxfwd_ruleset *n)
{
	unsigned int added = 0, removed = 0, changed = 0;
	long p;
	size_t i;

	for (i = 0; i < n->n_rules; i++) {
		p = rule_find(o, n->rules[i].name);
		if (p < 0 && ++added)
			log_info("reload: rule '%s' added", n->rules[i].name);
		else if (p >= 0 && !rule_same(o, p, n, i) && ++changed)
			log_info("reload: rule '%s' changed", n->rules[i].name);
	}
	for (i = 0; i < o->n_rules; i++)
		if (rule_find(n, o->rules[i].name) < 0 && ++removed)
			log_info("reload: rule '%s' removed", o->rules[i].name);
	log_info("reload: rules: %u added, %u removed, %u changed", added, removed, changed);
}

/* Set members as written (before the LPM entries were merged), sorted. */
/* The compiler's order: IPv4 first, then by address and length. */
static int prefix_cmp(const struct vxfwd_prefix *x, const struct vxfwd_prefix *y)
{
	__u32 ax = ntohl(x->addr), ay = ntohl(y->addr);
	int c;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	c = x->family == 6 ? memcmp(x->addr6, y->addr6, 16) : ax < ay ? -1 : ax > ay;
	if (c)
		return c;
	return (int)x->plen - (int)y->plen;
}

static void member_line(const char *what, const struct vxfwd_prefix *p, unsigned int nth)
{
	char a[INET6_ADDRSTRLEN];

	if (nth > DIFF_LINES_MAX)
		return;
	if (p->family == 6)
		inet_ntop(AF_INET6, p->addr6, a, sizeof(a));
	else
		inet_ntop(AF_INET, &p->addr, a, sizeof(a));
	log_info("reload: set member %s/%u %s", a, p->plen, what);
}

static void diff_members(const struct vxfwd_ruleset *o, const struct vxfwd_ruleset *n)
{
	const struct vxfwd_prefix *a = o->prefixes, *b = n->prefixes;
	unsigned int added = 0, removed = 0, changed = 0;
	size_t na = o->n_prefixes, nb = n->n_prefixes, i = 0, j = 0;
	int c;

	while (i < na || j < nb) {
		c = i == na ? 1 : j == nb ? -1 : prefix_cmp(&a[i], &b[j]);
		if (c < 0) {
			member_line("removed", &a[i++], ++removed);
		} else if (c > 0) {
			member_line("added", &b[j++], ++added);
		} else {
			if (memcmp(&a[i].val, &b[j].val, sizeof(a[i].val)))
				member_line("moved to other sets", &b[j], ++changed);
			i++;
			j++;
		}
	}
	log_info("reload: set members: %u added, %u removed, %u changed", added, removed, changed);
}

static int same_ifaces(const struct engine *e, const struct vxfwd_ruleset *rs)
{
	if (strcmp(rs->ingress, e->ingress) == 0 && strcmp(rs->egress, e->egress) == 0)
		return 1;
	log_warnx("%s: reload refused: ingress/egress changed (%s/%s -> %s/%s); "
		  "restart vxfwd to move it",
		  e->inst.rules, e->ingress, e->egress, rs->ingress, rs->egress);
	return 0;
}

/*
 * The engine block sizes rings and threads that exist for the life of the
 * process: a change is reported, applied at the next start.
 */
static void diff_engine(const struct vxfwd_engine_conf *o, const struct vxfwd_engine_conf *n)
{
	static const struct {
		const char *name;
		size_t off, len;
	} f[] = {
#define F(field, name) {name, offsetof(struct vxfwd_engine_conf, field), \
			sizeof(((struct vxfwd_engine_conf *)0)->field)}
		F(backend, "backend"),	 F(workers, "workers"),	  F(n_cpus, "cpus"),
		F(cpus, "cpus"),	 F(sched, "sched"),	  F(sched_prio, "sched"),
		F(poll_us, "busy-poll"), F(ring_bytes, "ring-size"), F(batch, "batch"),
		F(qdisc_bypass, "qdisc-bypass"),
#undef F
	};
	const char *last = "";
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if (memcmp((const char *)o + f[i].off, (const char *)n + f[i].off, f[i].len) == 0 ||
		    strcmp(last, f[i].name) == 0)
			continue;
		last = f[i].name;
		log_warnx("reload: engine %s changed: it takes effect when vxfwd restarts",
			  f[i].name);
	}
}

static long ms_until(const struct timespec *ts)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (ts->tv_sec - now.tv_sec) * 1000 + (ts->tv_nsec - now.tv_nsec) / 1000000;
}

static void pending_drop(struct engine *e)
{
	if (e->pending)
		vxfwd_ruleset_free(e->pending);
	e->pending = NULL;
}

/*
 * SIGHUP: compile the file now, resolve its new DNAT targets while the loop
 * keeps forwarding, and flip once they resolve or RELOAD_WAIT_MS pass
 * (engine_reload_poll()).  A file with errors changes nothing.
 */
void engine_reload(struct engine *e)
{
	struct vxfwd_ruleset *rs = NULL;
	FILE *diag;
	struct targets t = {.n = 0};
	int ret;

	log_info("%s: reloading", e->inst.rules);
	diag = log_diag_open();
	ret = vxfwd_dsl_load(e->inst.rules, NULL, VXFWD_DSL_F_IFACE_STRICT, &host_ifaces, diag,
			     &rs);
	log_diag_close(diag);
	if (ret) {
		if (ret != -EINVAL)
			log_warnx("%s: cannot read the rules: %s", e->inst.rules, strerror(-ret));
		goto fail;
	}
	if (!same_ifaces(e, rs))
		goto fail;
	targets_add(&t, e->rs);
	targets_add(&t, rs);
	ret = neigh_set_targets(&e->neigh, t.addr, t.statics, t.n, 0);
	if (ret)
		log_warnx("rtnetlink: next-hop lookup failed: %s", strerror(-ret));
	pending_drop(e);
	e->pending = rs;
	clock_gettime(CLOCK_MONOTONIC, &e->pending_until);
	e->pending_until.tv_sec += RELOAD_WAIT_MS / 1000;
	return;
fail:
	if (rs)
		vxfwd_ruleset_free(rs);
	e->st->reload_failures++;
	log_warnx("%s: reload failed: the previous rules stay active", e->inst.rules);
}

static void reload_commit(struct engine *e)
{
	struct vxfwd_ruleset *rs = e->pending;
	struct vxfwd_health_listen old;
	int ret;

	e->pending = NULL;
	ret = engine_apply(e, rs, 0);
	if (ret) {
		vxfwd_ruleset_free(rs);
		e->st->reload_failures++;
		log_warnx("%s: reload failed: the previous rules stay active", e->inst.rules);
		return;
	}
	diff_rules(e->rs, rs);
	diff_members(e->rs, rs);
	diff_engine(&e->rs->engine, &rs->engine);
	old = e->rs->health;
	vxfwd_ruleset_free(e->rs);
	e->rs = rs;
	engine_health_reload(e, &old);
	e->st->reloads++;
	ret = state_write(e);
	if (ret)
		log_warnx("%s: state file not written: %s", e->inst.statefile, strerror(-ret));
}

int engine_reload_poll(struct engine *e)
{
	long ms;

	if (!e->pending)
		return -1;
	ms = ms_until(&e->pending_until);
	if (neigh_unresolved(&e->neigh) == 0 || ms <= 0) {
		reload_commit(e);
		return -1;
	}
	return (int)ms;
}

void engine_reload_cancel(struct engine *e)
{
	pending_drop(e);
}
