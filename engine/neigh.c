// SPDX-License-Identifier: GPL-2.0-only
/* neigh.c - see neigh.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "host.h"
#include "log.h"
#include "neigh.h"

#define BACKOFF_MIN_MS	 100
#define BACKOFF_MAX_MS	 5000
#define STALE_REFRESH_MS 1000

struct nl_req {
	struct nlmsghdr nh;
	struct ndmsg ndm;
	char attrs[64];
};

static void ts_after(struct timespec *ts, unsigned int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

static long ts_ms_until(const struct timespec *ts)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (ts->tv_sec - now.tv_sec) * 1000 + (ts->tv_nsec - now.tv_nsec) / 1000000;
}

static int nl_send(struct vxfwd_neigh *n, struct nl_req *req)
{
	return host_nl_send(n->fd, &req->nh, ++n->seq);
}

static size_t addr_len(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

static int addr_eq(const struct neigh_addr *a, const struct neigh_addr *b)
{
	return a->family == b->family && !memcmp(a->addr, b->addr, addr_len(a->family));
}

/* A target's address for messages (buf of INET6_ADDRSTRLEN). */
static const char *addr_str(const struct neigh_addr *a, char *buf)
{
	if (!inet_ntop(a->family, a->addr, buf, INET6_ADDRSTRLEN))
		snprintf(buf, INET6_ADDRSTRLEN, "?");
	return buf;
}

static struct vxfwd_nh_target *target_find(struct vxfwd_neigh *n, const struct neigh_addr *a)
{
	unsigned int i;

	for (i = 0; i < n->n; i++)
		if (addr_eq(&n->t[i].a, a))
			return &n->t[i];
	return NULL;
}

/* Set or clear the target's entry in the map of its family. */
static int nh_map_set(struct vxfwd_neigh *n, const struct neigh_addr *a, const __u8 *mac,
		      __u16 flags)
{
	__be32 a4;

	if (a->family == AF_INET6)
		return maps_set_nexthop6(n->maps, a->addr, mac, flags);
	memcpy(&a4, a->addr, 4);
	return maps_set_nexthop(n->maps, a4, mac, flags);
}

/* Ask the kernel to resolve `t` on the neighbour device, no route involved. */
static int neigh_trigger(struct vxfwd_neigh *n, struct vxfwd_nh_target *t)
{
	struct nl_req req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg)),
		.nh.nlmsg_type = RTM_NEWNEIGH,
		.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK,
		.ndm.ndm_family = (__u8)t->a.family,
		.ndm.ndm_ifindex = n->neigh_ifindex,
		.ndm.ndm_state = NUD_NONE,
		.ndm.ndm_flags = NTF_USE,
	};
	char a[INET6_ADDRSTRLEN], dev[IF_NAMESIZE];

	/* IPv4: an ARP request; IPv6: a neighbour solicitation */
	host_nl_attr(&req.nh, NDA_DST, t->a.addr, addr_len(t->a.family));
	if (t->backoff_ms < BACKOFF_MIN_MS)
		t->backoff_ms = BACKOFF_MIN_MS;
	else if (t->backoff_ms < BACKOFF_MAX_MS)
		t->backoff_ms *= 2;
	ts_after(&t->next, t->backoff_ms);
	log_debug("%s: resolving next hop on %s", addr_str(&t->a, a),
		  host_ifname(n->neigh_ifindex, dev));
	return nl_send(n, &req);
}

static void target_set(struct vxfwd_neigh *n, struct vxfwd_nh_target *t, const __u8 *mac)
{
	char a[INET6_ADDRSTRLEN];
	int ret;

	if (mac && t->valid && memcmp(t->mac, mac, 6) == 0)
		return;
	if (!mac && !t->valid)
		return;
	addr_str(&t->a, a);
	ret = nh_map_set(n, &t->a, mac, mac ? VXFWD_NH_F_VALID : 0);
	if (ret) {
		log_warnx("%s: next hop update failed: %s", a, strerror(-ret));
		return;
	}
	t->valid = mac != NULL;
	if (mac) {
		memcpy(t->mac, mac, 6);
		log_info("%s: next hop %02x:%02x:%02x:%02x:%02x:%02x", a, mac[0], mac[1], mac[2],
			 mac[3], mac[4], mac[5]);
	} else {
		log_info("%s: next hop lost, frames to it are dropped until it resolves", a);
	}
}

/* A neighbour event or dump entry: the next hop it is, if any, follows it. */
static void on_neigh(struct vxfwd_neigh *n, const struct nlmsghdr *nh)
{
	struct vxfwd_nh_target *t;
	struct neigh_addr a = {0};
	struct host_neigh nb;

	if (host_neigh_parse(nh, &nb) || nb.ifindex != n->neigh_ifindex || !nb.has_addr)
		return;
	a.family = nb.family;
	if (nb.family == AF_INET6)
		memcpy(a.addr, nb.addr6, 16);
	else
		memcpy(a.addr, &nb.addr, 4);
	t = target_find(n, &a);
	if (!t || t->is_static)
		return;
	log_debug("rtnetlink: neighbour %s state 0x%x%s", nb.deleted ? "deleted" : "update",
		  nb.state, nb.has_mac ? "" : " without lladdr");
	t->state = nb.deleted ? 0 : nb.state;
	if (t->state & HOST_NUD_USABLE && nb.has_mac) {
		target_set(n, t, nb.mac);
		t->backoff_ms = 0;
		/* Our frames bypass the stack: confirm a stale entry ourselves. */
		if (t->state & NUD_STALE)
			ts_after(&t->next, STALE_REFRESH_MS);
		else
			memset(&t->next, 0, sizeof(t->next));
		return;
	}
	target_set(n, t, NULL);
	if (!(t->state & NUD_INCOMPLETE) && !t->next.tv_sec)
		ts_after(&t->next, BACKOFF_MIN_MS);
}

static int neigh_dump(struct vxfwd_neigh *n, int wait_ms);

/* Next hops move to the neighbour table of the egress link's new master. */
static void neigh_dev_change(struct vxfwd_neigh *n, int master)
{
	char e_name[IF_NAMESIZE], m_name[IF_NAMESIZE];
	unsigned int i;

	n->neigh_ifindex = master ? master : n->egress_ifindex;
	log_info("%s: next hops are looked up in the neighbour table of %s%s",
		 host_ifname(n->egress_ifindex, e_name), host_ifname(n->neigh_ifindex, m_name),
		 master ? " (its bridge master)" : "");
	for (i = 0; i < n->n; i++)
		if (!n->t[i].is_static)
			target_set(n, &n->t[i], NULL);
	neigh_dump(n, 0);
}

/* The egress link as the kernel describes it now: MAC, up/down, master. */
static void egress_link_update(struct vxfwd_neigh *n, const struct host_link *l)
{
	int up, mac_changed = 0, up_changed;
	unsigned int i;

	if (l->has_mac && memcmp(n->egress_mac, l->mac, 6)) {
		memcpy(n->egress_mac, l->mac, 6);
		mac_changed = 1;
	}
	up = l->up && l->carrier;
	up_changed = up != n->egress_up;
	n->egress_up = up;
	if ((l->master ? l->master : n->egress_ifindex) != n->neigh_ifindex)
		neigh_dev_change(n, l->master);
	if (up_changed && up)
		for (i = 0; i < n->n; i++)
			if (!n->t[i].valid && !n->t[i].is_static)
				ts_after(&n->t[i].next, 0);
	if ((mac_changed || up_changed) && n->link_cb)
		n->link_cb(n->link_ctx, n->egress_mac, up);
}

/* A link event: only the egress link's matter. */
static void on_link_event(struct vxfwd_neigh *n, const struct nlmsghdr *nh)
{
	struct host_link l;

	if (host_link_parse(nh, &l) == 0 && l.ifindex == n->egress_ifindex)
		egress_link_update(n, &l);
}

/* Every message of the subscription socket: events, dump entries, acks. */
static void on_msg(const struct nlmsghdr *nh, void *arg)
{
	struct vxfwd_neigh *n = arg;
	const struct nlmsgerr *err;

	switch (nh->nlmsg_type) {
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		on_neigh(n, nh);
		break;
	case RTM_NEWLINK:
	case RTM_DELLINK:
		on_link_event(n, nh);
		break;
	case NLMSG_ERROR:
		err = NLMSG_DATA(nh);
		if (err->error)
			log_warnx("rtnetlink: request %u refused: %s", nh->nlmsg_seq,
				  strerror(-err->error));
		break;
	}
}

static void on_lost(void *arg)
{
	log_warnx("rtnetlink: events lost: socket buffer full; dumping again");
	neigh_dump(arg, 0);
}

/* Read what is pending (or wait up to `ms` for `seq`); 1 when seq ended. */
static int nl_read(struct vxfwd_neigh *n, __u32 seq, int ms)
{
	const struct host_nl_cb cb = {.msg = on_msg, .lost = on_lost, .arg = n};

	return host_nl_read(n->fd, seq, ms, &cb);
}

/*
 * The neighbour table, dumped through the subscription socket rather than a
 * socket of its own (host_nl_request()): its entries then come in order
 * with the events, and an older event read after the dump cannot undo what
 * it found.  With `wait_ms`, wait that long for the whole dump.
 */
static int neigh_dump(struct vxfwd_neigh *n, int wait_ms)
{
	struct nl_req req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg)),
		.nh.nlmsg_type = RTM_GETNEIGH,
		.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		.ndm.ndm_family = AF_UNSPEC, /* the ARP and the NDP tables */
	};
	int ret;

	/* Strict checking refuses ndm_ifindex in a dump; on_neigh() filters. */
	ret = nl_send(n, &req);
	if (ret || !wait_ms)
		return ret;
	ret = nl_read(n, n->seq, wait_ms);
	if (ret < 0)
		return ret;
	return ret ? 0 : -ETIMEDOUT;
}

int neigh_open(struct vxfwd_neigh *n, const struct vxfwd_maps *maps, int egress_ifindex,
	       neigh_link_cb cb, void *ctx)
{
	struct host_link l;
	int ret;

	memset(n, 0, sizeof(*n));
	n->maps = maps;
	n->egress_ifindex = egress_ifindex;
	n->neigh_ifindex = egress_ifindex;
	n->fd = host_nl_socket(RTMGRP_NEIGH | RTMGRP_LINK);
	if (n->fd < 0)
		return n->fd;
	/* Subscribed first: a change after this query comes as an event. */
	ret = host_link_get(egress_ifindex, &l);
	if (ret) {
		close(n->fd);
		n->fd = -1;
		return ret;
	}
	egress_link_update(n, &l);
	/* Callbacks only after the initial state is known. */
	n->link_cb = cb;
	n->link_ctx = ctx;
	return 0;
}

void neigh_close(struct vxfwd_neigh *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}

static void drop_targets(struct vxfwd_neigh *n, const struct neigh_addr *addrs,
			 unsigned int count)
{
	char a[INET6_ADDRSTRLEN];
	unsigned int i, j;

	for (i = 0; i < n->n;) {
		for (j = 0; j < count && !addr_eq(&addrs[j], &n->t[i].a); j++)
			;
		if (j < count) {
			i++;
			continue;
		}
		/* Rules no longer use it: its entry goes, pinned or resolved. */
		if (nh_map_set(n, &n->t[i].a, NULL, 0) == 0)
			log_info("%s: no longer a DNAT target, next hop removed",
				 addr_str(&n->t[i].a, a));
		n->t[i] = n->t[--n->n];
	}
}

int neigh_set_targets(struct vxfwd_neigh *n, const struct neigh_addr *addrs, const int *statics,
		      unsigned int count, int wait_ms)
{
	struct vxfwd_nh_target *t;
	struct timespec end;
	unsigned int i;
	int ret;

	if (count > VXFWD_MAX_NEXTHOPS)
		return -E2BIG;
	drop_targets(n, addrs, count);
	for (i = 0; i < count; i++) {
		t = target_find(n, &addrs[i]);
		if (!t) {
			t = &n->t[n->n++];
			memset(t, 0, sizeof(*t));
			t->a = addrs[i];
		}
		/* Static -> resolved: the pinned MAC stops counting as resolved. */
		t->valid = statics[i] ? 1 : (t->is_static ? 0 : t->valid);
		t->is_static = statics[i];
	}
	ret = neigh_dump(n, 1000);
	if (ret)
		return ret;
	for (i = 0; i < n->n; i++)
		if (!n->t[i].valid && !n->t[i].is_static)
			neigh_trigger(n, &n->t[i]);
	ts_after(&end, wait_ms > 0 ? wait_ms : 0);
	while (neigh_unresolved(n) && ts_ms_until(&end) > 0) {
		ret = nl_read(n, 0, 0);
		if (ret < 0)
			return ret;
		poll(&(struct pollfd){.fd = n->fd, .events = POLLIN}, 1, (int)ts_ms_until(&end));
	}
	return 0;
}

int neigh_process(struct vxfwd_neigh *n)
{
	int ret = nl_read(n, 0, 0);

	return ret < 0 ? ret : 0;
}

int neigh_tick(struct vxfwd_neigh *n)
{
	struct vxfwd_nh_target *t;
	long ms, next = -1;
	unsigned int i;

	for (i = 0; i < n->n; i++) {
		t = &n->t[i];
		if (t->is_static || (!t->next.tv_sec && !t->next.tv_nsec))
			continue;
		ms = ts_ms_until(&t->next);
		if (ms <= 0) {
			if (n->egress_up || t->valid)
				neigh_trigger(n, t);
			else
				ts_after(&t->next, BACKOFF_MAX_MS);
			ms = ts_ms_until(&t->next);
			if (t->valid) /* a stale refresh: once, events follow */
				memset(&t->next, 0, sizeof(t->next));
		}
		if (t->next.tv_sec && (next < 0 || ms < next))
			next = ms < 0 ? 0 : ms;
	}
	return (int)next;
}

unsigned int neigh_unresolved(const struct vxfwd_neigh *n)
{
	unsigned int i, c = 0;

	for (i = 0; i < n->n; i++)
		c += !n->t[i].valid;
	return c;
}
