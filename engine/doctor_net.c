// SPDX-License-Identifier: GPL-2.0-only
/*
 * doctor_net.c - doctor's checks of the network: the ingress and egress
 * links (and egress's bridge master), MTU, shared subnets, rp_filter and
 * the next hop of every DNAT target.  Facts from host.h, so that the
 * answers belong to the network namespace doctor runs in.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <linux/neighbour.h>

#include "doctor_checks.h"
#include "host.h"
#include "vxfwd_abi.h"

/* ---- interfaces -------------------------------------------------------- */

struct link_facts {
	struct host_link link;
	struct host_ethtool tool;
};

static void describe_link(char *buf, size_t len, const struct link_facts *lf)
{
	char mac[18];

	snprintf(buf, len, "%s, %s, driver %s, MTU %d, MAC %s", lf->link.up ? "up" : "down",
		 lf->link.carrier ? "carrier" : "no carrier", lf->tool.driver, lf->link.mtu,
		 fmt_mac(lf->link.mac, mac, sizeof(mac)));
}

static int check_link(struct doctor *d, const char *role, const char *name, struct link_facts *lf)
{
	char desc[160], hint[64];
	int ifindex, ret;

	memset(lf, 0, sizeof(*lf));
	ifindex = (int)if_nametoindex(name);
	if (!ifindex) {
		report(d, DR_FAIL, "the rules file names it; see 'ip link'",
		       "%s %s: no such interface: run would fail", role, name);
		return 0;
	}
	ret = host_link_get(ifindex, &lf->link);
	if (ret) {
		memset(lf, 0, sizeof(*lf));
		report(d, DR_WARN, NULL, "%s %s: cannot query it: socket: %s", role, name,
		       strerror(-ret));
		return ifindex;
	}
	host_ethtool(name, &lf->tool);
	describe_link(desc, sizeof(desc), lf);
	snprintf(hint, sizeof(hint), "ip link set dev %s up", name);
	if (!lf->link.up)
		report(d, DR_WARN, hint, "%s %s: %s: nothing %s until it is up", role, name, desc,
		       strcmp(role, "ingress") ? "is sent" : "arrives");
	else if (!lf->link.carrier)
		report(d, DR_WARN, "check the cable, the ENI attachment or the veth peer",
		       "%s %s: %s", role, name, desc);
	else
		report(d, DR_OK, NULL, "%s %s: %s", role, name, desc);
	return ifindex;
}

void check_ingress(struct doctor *d)
{
	struct link_facts lf;

	d->in_ifindex = check_link(d, "ingress", d->rs->ingress, &lf);
	d->in_mtu = lf.link.mtu;
	snprintf(d->in_driver, sizeof(d->in_driver), "%s", lf.tool.driver);
	if (!strcmp(lf.tool.driver, "ena"))
		d->on_ec2 = 1;
}

void check_egress(struct doctor *d)
{
	struct link_facts lf;
	int master;

	d->out_ifindex = check_link(d, "egress", d->rs->egress, &lf);
	if (!d->out_ifindex)
		return;
	d->out_mtu = lf.link.mtu;
	memcpy(d->out_mac, lf.link.mac, sizeof(d->out_mac));
	if (!strcmp(lf.tool.driver, "ena"))
		d->on_ec2 = 1;
	d->nbr_ifindex = d->out_ifindex;
	snprintf(d->nbr_dev, sizeof(d->nbr_dev), "%s", d->rs->egress);
	master = lf.link.master;
	if (master > 0 && if_indextoname((unsigned int)master, d->nbr_dev)) {
		d->nbr_ifindex = master;
		report(d, DR_OK, NULL,
		       "egress %s: port of %s: next hops are looked up in %s's neighbour "
		       "table, frames still leave on %s",
		       d->rs->egress, d->nbr_dev, d->nbr_dev, d->rs->egress);
	}
}

/* ---- addresses, subnets, rp_filter, MTU -------------------------------- */

void check_subnet(struct doctor *d)
{
	struct host_addr a[8], b[8];
	char s1[16], s2[16], s3[16];
	int na, nb, i, j;

	if (!d->in_ifindex || !d->nbr_ifindex)
		return;
	na = host_if_addrs(d->rs->ingress, a, 8);
	nb = host_if_addrs(d->nbr_dev, b, 8);
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb; j++) {
			int plen = a[i].plen < b[j].plen ? a[i].plen : b[j].plen;
			__be32 m = host_plen_mask(plen);

			if ((a[i].addr & m) != (b[j].addr & m))
				continue;
			d->shared_subnet = 1;
			report(d, DR_INFO, NULL,
			       "subnet: %s %s/%d and %s %s/%d share %s/%d: a route lookup for a "
			       "DNAT target may answer %s, but vxfwd never routes: next hops come "
			       "from %s's neighbour table and frames leave on a packet socket "
			       "bound to %s, so nothing forwarded leaves %s",
			       d->rs->ingress, fmt_addr(a[i].addr, s1, sizeof(s1)), a[i].plen,
			       d->nbr_dev, fmt_addr(b[j].addr, s2, sizeof(s2)), b[j].plen,
			       fmt_addr(a[i].addr & m, s3, sizeof(s3)), plen, d->rs->ingress,
			       d->nbr_dev, d->rs->egress, d->rs->ingress);
			return;
		}
	}
	report(d, DR_OK, NULL, "subnet: %s and %s share no IPv4 subnet", d->rs->ingress,
	       d->nbr_dev);
}

void check_rp_filter(struct doctor *d)
{
	static const char *const names[] = {"off", "strict", "loose"};
	char path[128], hint[160];
	int all = 0, dev = 0, eff;

	if (!d->in_ifindex)
		return;
	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/rp_filter", d->rs->ingress);
	if (host_read_sysctl_int("/proc/sys/net/ipv4/conf/all/rp_filter", &all) ||
	    host_read_sysctl_int(path, &dev)) {
		report(d, DR_WARN, NULL, "rp_filter: cannot read %s: %s", path, strerror(errno));
		return;
	}
	eff = all > dev ? all : dev;
	if (eff < 0 || eff > 2)
		eff = 1;
	snprintf(hint, sizeof(hint),
		 "sysctl -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.%s.rp_filter=2",
		 d->rs->ingress);
	if (eff == 1 && d->shared_subnet)
		report(d, DR_WARN, hint,
		       "rp_filter: %s is strict and shares a subnet with %s: ordinary traffic "
		       "to %s whose reverse route is %s is dropped by the stack; mirror "
		       "traffic is not affected (XDP takes it first)",
		       d->rs->ingress, d->nbr_dev, d->rs->ingress, d->nbr_dev);
	else
		report(d, DR_OK, NULL,
		       "rp_filter: %s is %s; mirror traffic never reaches the stack, XDP takes "
		       "it first",
		       d->rs->ingress, names[eff]);
}

/* GENEVE_OVERHEAD when the rules take GENEVE (a geneve port), else 0. */
static int geneve_overhead(const struct vxfwd_ruleset *rs)
{
	size_t i;

	if (!rs)
		return 0;
	for (i = 0; i < rs->n_ops; i++)
		if (rs->ops[i].map == VXFWD_MAP_CFG)
			return rs->ops[i].val.cfg.n_geneve_ports ? GENEVE_OVERHEAD : 0;
	return 0;
}

/* The ingress MTU's verdict on the inner packets; returns the largest whole one. */
static int check_in_mtu(struct doctor *d)
{
	int gen = geneve_overhead(d->rs);
	int inner = d->in_mtu - VXLAN_OVERHEAD - gen; /* largest whole inner IP packet */
	char over[96];

	if (gen)
		snprintf(over, sizeof(over),
			 "%d of VXLAN overhead and %d of GENEVE with the GWLB's %d bytes of options",
			 VXLAN_OVERHEAD, gen, GENEVE_GWLB_OPTS);
	else
		snprintf(over, sizeof(over), "%d of VXLAN overhead", VXLAN_OVERHEAD);
	if (inner < 1500)
		report(d, DR_WARN, "AWS mirror targets take MTU 9001",
		       "mtu: %s MTU %d carries inner packets up to %d bytes whole (%s); "
		       "larger mirrored packets, even 1500-byte ones, arrive truncated and are "
		       "dropped (counter inner_truncated)",
		       d->rs->ingress, d->in_mtu, inner, over);
	else
		report(d, DR_OK, NULL,
		       "mtu: %s MTU %d carries inner packets up to %d bytes whole (%s); "
		       "larger mirrored packets arrive truncated and are counted as "
		       "inner_truncated",
		       d->rs->ingress, d->in_mtu, inner, over);
	return inner;
}

void check_mtu(struct doctor *d)
{
	int inner, hint_mtu;
	char hint[96];

	if (!d->in_ifindex || !d->in_mtu)
		return;
	inner = check_in_mtu(d);
	if (inner + 14 > VXFWD_MAX_FRAME)
		report(d, DR_WARN, NULL,
		       "mtu: inner frames above %d bytes are dropped (counter too_big)",
		       VXFWD_MAX_FRAME);
	if (!d->out_ifindex || !d->out_mtu)
		return;
	hint_mtu = inner < VXFWD_MAX_FRAME - 14 ? inner : VXFWD_MAX_FRAME - 14;
	snprintf(hint, sizeof(hint), "ip link set dev %s mtu %d", d->rs->egress, hint_mtu);
	if (d->out_mtu < hint_mtu)
		report(d, DR_WARN, hint,
		       "mtu: %s MTU %d is below the %d bytes an inner packet can have: larger "
		       "ones fail to send (EMSGSIZE, counted in send errors)",
		       d->rs->egress, d->out_mtu, hint_mtu);
	else
		report(d, DR_OK, NULL, "mtu: %s MTU %d sends every inner packet that arrives whole",
		       d->rs->egress, d->out_mtu);
}

/* ---- next hops ---------------------------------------------------------- */

static int on_link4(const char *dev, const void *addr)
{
	__be32 a;

	memcpy(&a, addr, sizeof(a));
	return host_addr_on_link(dev, a);
}

static int lookup4(int ifindex, const void *addr, struct host_neigh *nb)
{
	__be32 a;

	memcpy(&a, addr, sizeof(a));
	return host_neigh_lookup(ifindex, a, nb);
}

static int on_link6(const char *dev, const void *addr)
{
	return host_addr6_on_link(dev, addr);
}

static int lookup6(int ifindex, const void *addr, struct host_neigh *nb)
{
	return host_neigh_lookup6(ifindex, addr, nb);
}

/* What differs between an IPv4 target (ARP) and an IPv6 one (NDP). */
static const struct target_family {
	int af;
	enum vxfwd_map_id map;	/* its NEXTHOP operations */
	size_t len;		/* address bytes, at the start of the operation's key */
	const char *subnet;	/* "not in %s of DEV" */
	const char *table;	/* "no entry in DEV's %sneighbour table" */
	const char *ask;	/* how run asks for a missing entry */
	const char *answer;	/* what the target must answer */
	int (*on_link)(const char *dev, const void *addr);
	int (*lookup)(int ifindex, const void *addr, struct host_neigh *nb);
} target_families[] = {
	{AF_INET, VXFWD_MAP_NEXTHOP, 4, "a subnet", "", "asks for it", "ARP", on_link4, lookup4},
	{AF_INET6, VXFWD_MAP_NEXTHOP6, 16, "an IPv6 subnet", "IPv6 ", "solicits it",
	 "neighbour solicitations", on_link6, lookup6},
};

/* The NEXTHOP operation of `addr` when it pins a MAC, or NULL. */
static const struct vxfwd_op *static_nexthop(const struct vxfwd_ruleset *rs,
					     const struct target_family *f, const void *addr)
{
	size_t i;

	for (i = 0; i < rs->n_ops; i++)
		if (rs->ops[i].map == f->map && !memcmp(&rs->ops[i].key, addr, f->len) &&
		    (rs->ops[i].val.nh.flags & VXFWD_NH_F_STATIC))
			return &rs->ops[i];
	return NULL;
}

/* A DNAT target: pinned, on the egress link, and what its neighbour entry says. */
static void check_target(struct doctor *d, const struct target_family *f, const void *addr)
{
	const struct vxfwd_op *pin = static_nexthop(d->rs, f, addr);
	char a[INET6_ADDRSTRLEN], mac[18], hint[96];
	struct host_neigh nb;
	int ret;

	inet_ntop(f->af, addr, a, sizeof(a));
	if (pin) {
		report(d, DR_OK, NULL, "nexthop %s: MAC %s pinned in the rules file, not resolved",
		       a, fmt_mac(pin->val.nh.mac, mac, sizeof(mac)));
		return;
	}
	if (!f->on_link(d->nbr_dev, addr))
		report(d, DR_WARN, "put the target on the egress link, or pin next-hop mac",
		       "nexthop %s: not in %s of %s: vxfwd does not route, it resolves "
		       "the target itself on the egress link",
		       a, f->subnet, d->nbr_dev);
	ret = f->lookup(d->nbr_ifindex, addr, &nb);
	snprintf(hint, sizeof(hint), "ping -c 1 -I %s %s", d->nbr_dev, a);
	if (ret < 0)
		report(d, DR_WARN, NULL, "nexthop %s: cannot read %s's neighbour table: %s", a,
		       d->nbr_dev, strerror(-ret));
	else if (!ret)
		report(d, DR_WARN, hint,
		       "nexthop %s: no entry in %s's %sneighbour table yet: run %s at "
		       "start and drops frames for it (no_nexthop) until it answers",
		       a, d->nbr_dev, f->table, f->ask);
	else if ((nb.state & HOST_NUD_USABLE) && nb.has_mac)
		report(d, DR_OK, NULL, "nexthop %s: %s on %s (%s)", a,
		       fmt_mac(nb.mac, mac, sizeof(mac)), d->nbr_dev, host_nud_name(nb.state));
	else
		report(d, DR_WARN, hint,
		       "nexthop %s: not resolved on %s (%s): frames for it are dropped "
		       "(no_nexthop) until it answers %s",
		       a, d->nbr_dev, host_nud_name(nb.state), f->answer);
}

void check_nexthops(struct doctor *d)
{
	struct vxfwd_in6 t6[VXFWD_MAX_NEXTHOPS];
	__be32 t[VXFWD_MAX_NEXTHOPS];
	char mac[18];
	size_t i, n;

	if (!d->out_ifindex)
		return;
	if (d->rs->nh_mac_pinned) {
		report(d, DR_OK, NULL, "nexthop: every target uses the pinned MAC %s",
		       fmt_mac(d->rs->nh_mac, mac, sizeof(mac)));
		return;
	}
	n = dnat_targets(d->rs, t, VXFWD_MAX_NEXTHOPS);
	for (i = 0; i < n; i++)
		check_target(d, &target_families[0], &t[i]);
	n = dnat_targets6(d->rs, t6, VXFWD_MAX_NEXTHOPS);
	for (i = 0; i < n; i++)
		check_target(d, &target_families[1], t6[i].addr);
}

/* ---- receive CPUs -------------------------------------------------------- */

/* The CPUs the rules file pins the workers to (doctor takes no -c). */
static int conf_cpus(const struct vxfwd_engine_conf *c, cpu_set_t *set)
{
	unsigned int i;

	CPU_ZERO(set);
	for (i = 0; i < c->n_cpus; i++)
		if (c->cpus[i] < CPU_SETSIZE)
			CPU_SET(c->cpus[i], set);
	return (int)c->n_cpus;
}

/* Receive unknown: say why; where the workers go follows from the rules alone. */
static void rx_unknown(struct doctor *d, const struct host_rx_cpus *rx, const char *workers)
{
	report(d, DR_OK, NULL, "receive CPUs: %s: unknown, %s; %s", d->rs->ingress,
	       rx->sysfs ? "no IRQ, RPS mask or threaded NAPI kthread of its own (a veth has "
			   "none)"
			 : "/sys/class/net is another network namespace's (mount sysfs in this "
			   "one, as ip netns exec does)",
	       workers);
}

void check_rx_cpus(struct doctor *d)
{
	const char *in = d->rs->ingress;
	struct host_rx_cpus rx;
	cpu_set_t work, free_cpus, shared;
	char rxl[256], src[96], wl[256], fl[256], workers[300];
	int pinned, n_free;

	if (!d->in_ifindex)
		return;
	host_rx_cpus(in, &rx);
	n_free = host_cpus_free_of_rx(&rx, &free_cpus);
	pinned = conf_cpus(&d->rs->engine, &work);
	host_cpu_list_fmt(&work, wl, sizeof(wl));
	host_cpu_list_fmt(&free_cpus, fl, sizeof(fl));
	if (pinned)
		snprintf(workers, sizeof(workers), "workers pinned to %s", wl);
	else if (n_free)
		snprintf(workers, sizeof(workers), "no CPUs configured: run pins the workers to %s",
			 fl);
	else
		snprintf(workers, sizeof(workers), "workers float");
	if (!rx.sources) {
		rx_unknown(d, &rx, workers);
		return;
	}
	host_cpu_list_fmt(&rx.cpus, rxl, sizeof(rxl));
	host_rx_sources(&rx, src, sizeof(src));
	CPU_AND(&shared, &work, &rx.cpus);
	if (!n_free && !(rx.sources & HOST_RX_NAPI)) {
		char hint[96];

		snprintf(hint, sizeof(hint), "echo 1 > /sys/class/net/%s/threaded", in);
		report(d, DR_WARN, hint,
		       "receive CPUs: %s receives on CPU%s %s (%s), %s; every CPU the workers "
		       "may use receives, in softirq, which no thread policy preempts: under "
		       "overload the receive takes the workers' time and frames are dropped as "
		       "drop_ring_full; with threaded NAPI the workers preempt it",
		       in, CPU_COUNT(&rx.cpus) == 1 ? "" : "s", rxl, src, workers);
		return;
	}
	if (pinned && CPU_COUNT(&shared) && n_free)
		report(d, DR_WARN,
		       "pin the workers to other CPUs (-c) or move the receive (IRQ affinity, RPS)",
		       "receive CPUs: %s receives on CPU%s %s (%s), %s: they share a CPU with %s's "
		       "receive; under overload frames are dropped as drop_ring_full",
		       in, CPU_COUNT(&rx.cpus) == 1 ? "" : "s", rxl, src, workers, in);
	else
		report(d, DR_OK, NULL, "receive CPUs: %s receives on CPU%s %s (%s), %s%s", in,
		       CPU_COUNT(&rx.cpus) == 1 ? "" : "s", rxl, src, workers,
		       n_free ? "" : "; no CPU is free of its receive");
}
