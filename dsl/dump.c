// SPDX-License-Identifier: GPL-2.0-only
/*
 * dump.c - the compiled ruleset as text (`vxfwd check -v`).
 *
 * One line per fact, stable so that goldens and operators can diff it; the
 * format is documented in vxfwd.rules(5), section "COMPILED FORM":
 *
 *	ingress ens5 xdp-mode=auto
 *	egress ens6 next-hop=resolve
 *	engine backend=send workers=2 cpus=0,1 sched=fifo:50 ring-size=4194304
 *	health listen 172.30.82.108 port 9000	(only with a health statement)
 *	set 0 @exporters
 *	org 1 "Example Org" id 1001
 *	lpm-merge prefixes=258 entries=3	(only when merging saved entries)
 *	cfg flags=0x1 rules=1 vxlan-ports=4789 geneve-ports=6081	(geneve: when given)
 *	vni 1
 *	lpm 198.51.100.10/32 sets=0x1 org=1 ("Example Org" id 1001)
 *	lpm6 2001:db8::/32 sets=0x1 org=1 ("Example Org" id 1001)
 *	rule 0 udp dport=31765 src=0x1 dst=any dnat=172.30.82.95:8081 flags=0x28 ("rule 1" f:18)
 *	rule 1 udp dport=53 src=0x1 dst=any dnat=[fd00:82::5]:8081 flags=0xaa ("rule 2" f:19)
 *	rule 2 udp dport=2055 src=0x1 dst=any dnat=172.30.82.95,172.30.82.96:2055 flags=0x8 ("rule
 *3" f:20) nexthop 172.30.82.95 resolve nexthop6 fd00:82::5 resolve
 *
 * Everything after `cfg` is one line per map operation, in apply order.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "dsl_int.h"

static const char *const xdp_modes[] = {
	[VXFWD_XDP_AUTO] = "auto",
	[VXFWD_XDP_NATIVE] = "native",
	[VXFWD_XDP_GENERIC] = "generic",
};

static void put_addr(FILE *out, __be32 addr)
{
	char buf[DSL_ADDR_STRLEN];

	dsl_fmt_addr(buf, sizeof(buf), DSL_FAM4, dsl_from_v4(ntohl(addr)));
	fputs(buf, out);
}

static void put_addr6(FILE *out, const __u8 *addr)
{
	char buf[DSL_ADDR_STRLEN];

	dsl_fmt_addr(buf, sizeof(buf), DSL_FAM6, dsl_from_bytes(addr));
	fputs(buf, out);
}

static void put_mac(FILE *out, const __u8 *m)
{
	fprintf(out, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/*
 * The engine block: only the settings given, in a fixed order; no line
 * when none was given (the engine then uses its defaults throughout).
 */
static void dump_engine(const struct vxfwd_engine_conf *c, FILE *out)
{
	char line[512];
	size_t off = 0;
	unsigned int i;

#define PUT(...)								\
	do {									\
		if (off < sizeof(line))						\
			off += snprintf(line + off, sizeof(line) - off, __VA_ARGS__); \
	} while (0)

	if (vxfwd_backend_name(c->backend))
		PUT(" backend=%s", vxfwd_backend_name(c->backend));
	if (c->workers)
		PUT(" workers=%u", c->workers);
	for (i = 0; i < c->n_cpus && i < VXFWD_MAX_WORKERS; i++)
		PUT("%s%u", i ? "," : " cpus=", c->cpus[i]);
	if (vxfwd_sched_name(c->sched)) {
		PUT(" sched=%s", vxfwd_sched_name(c->sched));
		if (c->sched != VXFWD_SCHED_OTHER)
			PUT(":%u", c->sched_prio);
	}
	if (c->poll_us >= 0)
		PUT(" busy-poll=%dus", c->poll_us);
	if (c->ring_bytes)
		PUT(" ring-size=%llu", (unsigned long long)c->ring_bytes);
	if (c->batch)
		PUT(" batch=%u", c->batch);
	if (c->qdisc_bypass >= 0)
		PUT(" qdisc-bypass=%s", c->qdisc_bypass ? "on" : "off");
#undef PUT
	if (off)
		fprintf(out, "engine%s\n", line);
}

static void dump_header(const struct vxfwd_ruleset *rs, FILE *out)
{
	char a[INET_ADDRSTRLEN];
	size_t i, n_lpm;

	fprintf(out, "ingress %s xdp-mode=%s\n", rs->ingress, xdp_modes[rs->xdp_mode]);
	fprintf(out, "egress %s next-hop=", rs->egress);
	if (rs->nh_mac_pinned)
		put_mac(out, rs->nh_mac);
	else
		fputs("resolve", out);
	fputc('\n', out);
	dump_engine(&rs->engine, out);
	if (rs->health.on) {
		inet_ntop(AF_INET, &rs->health.addr, a, sizeof(a));
		fprintf(out, "health listen %s port %u\n", a, rs->health.port);
	}
	for (i = 0; i < rs->n_sets; i++)
		fprintf(out, "set %zu %s\n", i, rs->sets[i].name);
	for (i = 0; i < rs->n_orgs; i++)
		fprintf(out, "org %zu \"%s\" id %u\n", i + 1, rs->orgs[i].name, rs->orgs[i].id);
	for (i = 0, n_lpm = 0; i < rs->n_ops; i++)
		n_lpm += rs->ops[i].map == VXFWD_MAP_LPM || rs->ops[i].map == VXFWD_MAP_LPM6;
	if (n_lpm != rs->n_prefixes)
		fprintf(out, "lpm-merge prefixes=%zu entries=%zu\n", rs->n_prefixes, n_lpm);
}

static void dump_cfg(const struct vxfwd_cfg *c, FILE *out)
{
	__u32 i;

	fprintf(out, "cfg flags=0x%x rules=%u vxlan-ports=", c->flags, c->n_rules);
	for (i = 0; i < c->n_vxlan_ports && i < VXFWD_MAX_VXLAN_PORTS; i++)
		fprintf(out, "%s%u", i ? "," : "", ntohs(c->vxlan_port_be[i]));
	for (i = 0; i < c->n_geneve_ports && i < VXFWD_MAX_GENEVE_PORTS; i++)
		fprintf(out, "%s%u", i ? "," : " geneve-ports=", ntohs(c->geneve_port_be[i]));
	fputc('\n', out);
}

static void dump_lpm(const struct vxfwd_ruleset *rs, const struct vxfwd_op *op, FILE *out)
{
	const struct vxfwd_org_info *org;

	if (op->map == VXFWD_MAP_LPM6) {
		fputs("lpm6 ", out);
		put_addr6(out, op->key.lpm6.addr);
	} else {
		fputs("lpm ", out);
		put_addr(out, op->key.lpm.addr);
	}
	/* prefixlen sits first in both keys */
	fprintf(out, "/%u sets=0x%llx org=%u", op->key.lpm.prefixlen - 32,
		(unsigned long long)op->val.lpm.sets, op->val.lpm.org);
	if (op->val.lpm.org && op->val.lpm.org <= rs->n_orgs) {
		org = &rs->orgs[op->val.lpm.org - 1];
		fprintf(out, " (\"%s\" id %u)", org->name, org->id);
	}
	fputc('\n', out);
}

static void dump_side(FILE *out, const char *side, __u32 flags, __u32 any, __u32 neg,
		      __u64 sets)
{
	if (flags & any)
		fprintf(out, " %s=any", side);
	else
		fprintf(out, " %s=%s0x%llx", side, flags & neg ? "!" : "",
			(unsigned long long)sets);
}

unsigned int vxfwd_rule_n_targets(const struct vxfwd_rule *r)
{
	return r->n_targets > 1 && r->n_targets <= VXFWD_MAX_TARGETS ? r->n_targets : 1;
}

int vxfwd_rule_target(const struct vxfwd_rule *r, unsigned int t, struct vxfwd_target *out)
{
	memset(out, 0, sizeof(*out));
	if (t >= vxfwd_rule_n_targets(r))
		return -ERANGE;
	if (t) {
		*out = r->more[t - 1];
		return 0;
	}
	out->addr = r->nat_addr;
	memcpy(out->addr6, r->nat_addr6, sizeof(out->addr6));
	if (r->flags & VXFWD_RULE_F_NAT_PORT) {
		out->flags = VXFWD_TARGET_F_PORT;
		out->port_be = r->nat_port_be;
	}
	return 0;
}

void vxfwd_target_fmt(char *buf, size_t size, const struct vxfwd_rule *r, unsigned int t)
{
	char a[DSL_ADDR_STRLEN];
	struct vxfwd_target x;
	int v6 = !!(r->flags & VXFWD_RULE_F_NAT6);

	if (vxfwd_rule_target(r, t, &x)) {
		snprintf(buf, size, "?");
		return;
	}
	if (v6)
		dsl_fmt_addr(a, sizeof(a), DSL_FAM6, dsl_from_bytes(x.addr6));
	else
		dsl_fmt_addr(a, sizeof(a), DSL_FAM4, dsl_from_v4(ntohl(x.addr)));
	if (!(x.flags & VXFWD_TARGET_F_PORT))
		snprintf(buf, size, "%s", a);
	else if (v6)
		snprintf(buf, size, "[%s]:%u", a, ntohs(x.port_be));
	else
		snprintf(buf, size, "%s:%u", a, ntohs(x.port_be));
}

static void dump_rule(const struct vxfwd_ruleset *rs, const struct vxfwd_op *op, FILE *out)
{
	const struct vxfwd_rule *r = &op->val.rule;
	char t[DSL_ADDR_STRLEN + 8];
	unsigned int i;

	fprintf(out, "rule %u %s dport=", op->key.idx,
		r->flags & VXFWD_RULE_F_ANY_PROTO ? "udp,tcp" :
		r->proto == IPPROTO_TCP ? "tcp" : r->proto == IPPROTO_UDP ? "udp" : "?");
	for (i = 0; i < r->n_dports && i < VXFWD_RULE_MAX_DPORTS; i++) {
		fprintf(out, "%s%u", i ? "," : "", r->dport[i].lo);
		if (r->dport[i].hi != r->dport[i].lo)
			fprintf(out, "-%u", r->dport[i].hi);
	}
	if (r->flags & VXFWD_RULE_F_VNI)
		fprintf(out, " vni=%u", r->vni);
	if ((r->flags & VXFWD_RULE_F_VNI) && r->vni_hi != r->vni)
		fprintf(out, "-%u", r->vni_hi);
	dump_side(out, "src", r->flags, VXFWD_RULE_F_SRC_ANY, VXFWD_RULE_F_SRC_NEG, r->src_sets);
	dump_side(out, "dst", r->flags, VXFWD_RULE_F_DST_ANY, VXFWD_RULE_F_DST_NEG, r->dst_sets);
	fputs(" dnat=", out);
	for (i = 0; i < vxfwd_rule_n_targets(r); i++) {
		vxfwd_target_fmt(t, sizeof(t), r, i);
		fprintf(out, "%s%s", i ? "," : "", t);
	}
	fprintf(out, " flags=0x%x", r->flags);
	if (op->key.idx < rs->n_rules)
		fprintf(out, " (\"%s\" %s:%u)", rs->rules[op->key.idx].name,
			rs->rules[op->key.idx].file, rs->rules[op->key.idx].line);
	fputc('\n', out);
}

static void dump_nexthop(const struct vxfwd_op *op, FILE *out)
{
	if (op->map == VXFWD_MAP_NEXTHOP6) {
		fputs("nexthop6 ", out);
		put_addr6(out, op->key.addr6.addr);
	} else {
		fputs("nexthop ", out);
		put_addr(out, op->key.addr);
	}
	if (op->val.nh.flags & VXFWD_NH_F_VALID) {
		fputs(" mac=", out);
		put_mac(out, op->val.nh.mac);
		fprintf(out, " flags=0x%x\n", op->val.nh.flags);
	} else {
		fputs(" resolve\n", out);
	}
}

void vxfwd_ruleset_dump(const struct vxfwd_ruleset *rs, FILE *out)
{
	const struct vxfwd_op *op;
	size_t i;

	dump_header(rs, out);
	for (i = 0; i < rs->n_ops; i++) {
		op = &rs->ops[i];
		switch (op->map) {
		case VXFWD_MAP_CFG:
			dump_cfg(&op->val.cfg, out);
			break;
		case VXFWD_MAP_VNI:
			fprintf(out, "vni %u\n", op->key.vni.vni);
			break;
		case VXFWD_MAP_LPM:
		case VXFWD_MAP_LPM6:
			dump_lpm(rs, op, out);
			break;
		case VXFWD_MAP_RULE:
			dump_rule(rs, op, out);
			break;
		case VXFWD_MAP_NEXTHOP:
		case VXFWD_MAP_NEXTHOP6:
			dump_nexthop(op, out);
			break;
		default:
			fprintf(out, "unknown map %d\n", op->map);
			break;
		}
	}
}
