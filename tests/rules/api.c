// SPDX-License-Identifier: GPL-2.0-only
/*
 * api.c - the DSL library's API as `run` uses it: interfaces the caller's
 * host lacks are warnings by default and errors with
 * VXFWD_DSL_F_IFACE_STRICT, without a host they are not checked, a failed
 * load returns no ruleset, the compiled ops carry ABI values, and the engine
 * block fills struct vxfwd_engine_conf (unset fields stay 0, _UNSET or -1).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vxfwd_dsl.h"

static const char rules[] =
	"ingress nosuchif0 { vni 5 }\n"
	"egress lo\n"
	"set s { 198.51.100.0/24 }\n"
	"forward udp from @s to port 31765 dnat 172.30.82.95 port 8081\n";

static const char engine_rules[] =
	"ingress lo { vni 5 }\n"
	"egress nosuchif0\n"
	"forward udp from any to port 53 dnat 192.0.2.53\n"
	"engine {\n"
	"\tbackend tx-ring; workers 3; cpus 2, 4-5; sched rr 7\n"
	"\tbusy-poll 0; ring-size 8M; batch 32; qdisc-bypass off\n"
	"}\n";

/* A host with the interfaces in `arg` (NULL-terminated names) and no other. */
static int iface_exists(const char *name, void *arg)
{
	const char *const *n;

	for (n = arg; *n; n++)
		if (!strcmp(*n, name))
			return 1;
	return 0;
}

static const char *const lo_only[] = { "lo", NULL };
static const struct vxfwd_dsl_host host = { iface_exists, (void *)lo_only };

static int load_text(const char *text, unsigned int flags, const struct vxfwd_dsl_host *h,
		     struct vxfwd_ruleset **rs, char *diag, size_t len)
{
	FILE *f = fmemopen(diag, len, "w");
	int ret;

	if (!f)
		return -errno;
	diag[0] = '\0';	/* stays empty when nothing is printed */
	ret = vxfwd_dsl_load("api.rules", text, flags, h, f, rs);
	fclose(f);
	return ret;
}

static int load(unsigned int flags, const struct vxfwd_dsl_host *h, struct vxfwd_ruleset **rs,
		char *diag, size_t len)
{
	return load_text(rules, flags, h, rs, diag, len);
}

/* No engine block: every field unset. */
static int check_engine_unset(const struct vxfwd_engine_conf *c)
{
	return c->backend != VXFWD_BACKEND_UNSET || c->workers || c->n_cpus ||
	       c->sched != VXFWD_SCHED_UNSET || c->sched_prio || c->poll_us != -1 ||
	       c->ring_bytes || c->batch || c->qdisc_bypass != -1;
}

static int check_engine(void)
{
	struct vxfwd_ruleset *rs = NULL;
	const struct vxfwd_engine_conf *c;
	char diag[4096];
	int ret, bad;

	ret = load_text(engine_rules, 0, &host, &rs, diag, sizeof(diag));
	if (ret || !rs) {
		fprintf(stderr, "api: engine block: ret %d, diagnostics:\n%s", ret, diag);
		return 1;
	}
	c = &rs->engine;
	bad = c->backend != VXFWD_BACKEND_TX_RING || c->workers != 3 || c->n_cpus != 3 ||
	      c->cpus[0] != 2 || c->cpus[1] != 4 || c->cpus[2] != 5 ||
	      c->sched != VXFWD_SCHED_RR || c->sched_prio != 7 || c->poll_us != 0 ||
	      c->ring_bytes != 8ull << 20 || c->batch != 32 || c->qdisc_bypass != 0;
	if (bad)
		fprintf(stderr, "api: engine block: settings differ from what was written\n");
	vxfwd_ruleset_free(rs);
	return bad;
}

static int check_ops(const struct vxfwd_ruleset *rs)
{
	const struct vxfwd_op *op = rs->ops;

	if (rs->n_ops != 5 || op[0].map != VXFWD_MAP_CFG || op[1].map != VXFWD_MAP_VNI ||
	    op[2].map != VXFWD_MAP_LPM || op[3].map != VXFWD_MAP_RULE ||
	    op[4].map != VXFWD_MAP_NEXTHOP)
		return 1;
	if (op[0].val.cfg.n_rules != 1 || op[0].val.cfg.vxlan_port_be[0] != htons(4789) ||
	    op[1].key.vni.vni != 5 || op[2].key.lpm.prefixlen != 56 ||
	    op[2].key.lpm.addr != inet_addr("198.51.100.0") || op[2].val.lpm.sets != 1)
		return 1;
	if (op[3].val.rule.n_dports != 1 || op[3].val.rule.dport[0].lo != 31765 ||
	    op[3].val.rule.nat_port_be != htons(8081) || op[3].val.rule.nat_addr != inet_addr("172.30.82.95") || op[3].val.rule.proto != 17)
		return 1;
	return op[4].key.addr != inet_addr("172.30.82.95") || op[4].val.nh.flags != 0;
}

int main(void)
{
	struct vxfwd_ruleset *rs = NULL;
	char diag[4096];
	int ret, bad = 0;

	ret = load(0, &host, &rs, diag, sizeof(diag));
	if (ret || !rs || !strstr(diag, "warning: ingress interface 'nosuchif0' does not exist")) {
		fprintf(stderr, "api: default load: ret %d, diagnostics:\n%s", ret, diag);
		bad = 1;
	} else if (check_ops(rs)) {
		fprintf(stderr, "api: compiled ops differ from the ABI contract\n");
		bad = 1;
	} else if (check_engine_unset(&rs->engine)) {
		fprintf(stderr, "api: engine settings set without an engine block\n");
		bad = 1;
	}
	vxfwd_ruleset_free(rs);

	rs = (struct vxfwd_ruleset *)1;
	ret = load(VXFWD_DSL_F_IFACE_STRICT, &host, &rs, diag, sizeof(diag));
	if (ret != -EINVAL || rs || !strstr(diag, "error: ingress interface 'nosuchif0' does not exist")) {
		fprintf(stderr, "api: strict load: ret %d, diagnostics:\n%s", ret, diag);
		bad = 1;
	}

	/* No host: the names are not checked, strict or not. */
	ret = load(VXFWD_DSL_F_IFACE_STRICT, NULL, &rs, diag, sizeof(diag));
	if (ret || !rs || strstr(diag, "nosuchif0")) {
		fprintf(stderr, "api: load without a host: ret %d, diagnostics:\n%s", ret, diag);
		bad = 1;
	}
	vxfwd_ruleset_free(rs);
	bad |= check_engine();
	if (!bad)
		printf("api: ok\n");
	return bad;
}
