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
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "log.h"
#include "neigh.h"

#define NUD_USABLE	 (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT | NUD_NOARP)
#define BACKOFF_MIN_MS	 100
#define BACKOFF_MAX_MS	 5000
#define STALE_REFRESH_MS 1000

struct nl_req {
	struct nlmsghdr nh;
	union {
		struct ndmsg ndm;
		struct ifinfomsg ifi;
	};
	char attrs[64];
};

/* An interface's name for messages, its index when it has none. */
static const char *ifname(int ifindex, char *buf)
{
	if (!if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "ifindex %d", ifindex);
	return buf;
}

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

static void add_attr(struct nlmsghdr *nh, unsigned short type, const void *data, unsigned short len)
{
	struct rtattr *rta = (struct rtattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

static int nl_send(struct vxfwd_neigh *n, struct nl_req *req)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};

	req->nh.nlmsg_seq = ++n->seq;
	if (sendto(n->fd, req, req->nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return 0;
}

static struct vxfwd_nh_target *target_find(struct vxfwd_neigh *n, __be32 addr)
{
	unsigned int i;

	for (i = 0; i < n->n; i++)
		if (n->t[i].addr == addr)
			return &n->t[i];
	return NULL;
}

/* Ask the kernel to resolve `t` on the neighbour device, no route involved. */
static int neigh_trigger(struct vxfwd_neigh *n, struct vxfwd_nh_target *t)
{
	struct nl_req req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg)),
		.nh.nlmsg_type = RTM_NEWNEIGH,
		.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK,
		.ndm.ndm_family = AF_INET,
		.ndm.ndm_ifindex = n->neigh_ifindex,
		.ndm.ndm_state = NUD_NONE,
		.ndm.ndm_flags = NTF_USE,
	};
	char a[INET_ADDRSTRLEN], dev[IF_NAMESIZE];

	add_attr(&req.nh, NDA_DST, &t->addr, sizeof(t->addr));
	if (t->backoff_ms < BACKOFF_MIN_MS)
		t->backoff_ms = BACKOFF_MIN_MS;
	else if (t->backoff_ms < BACKOFF_MAX_MS)
		t->backoff_ms *= 2;
	ts_after(&t->next, t->backoff_ms);
	log_debug("%s: resolving next hop on %s", inet_ntop(AF_INET, &t->addr, a, sizeof(a)),
		  ifname(n->neigh_ifindex, dev));
	return nl_send(n, &req);
}

static void target_set(struct vxfwd_neigh *n, struct vxfwd_nh_target *t, const __u8 *mac)
{
	char a[INET_ADDRSTRLEN];
	int ret;

	if (mac && t->valid && memcmp(t->mac, mac, 6) == 0)
		return;
	if (!mac && !t->valid)
		return;
	inet_ntop(AF_INET, &t->addr, a, sizeof(a));
	ret = maps_set_nexthop(n->maps, t->addr, mac, mac ? VXFWD_NH_F_VALID : 0);
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

static void on_neigh(struct vxfwd_neigh *n, const struct nlmsghdr *nh)
{
	const struct ndmsg *ndm = NLMSG_DATA(nh);
	const __u8 *lladdr = NULL;
	struct vxfwd_nh_target *t = NULL;
	const struct rtattr *rta;
	int len = NLMSG_PAYLOAD(nh, sizeof(*ndm));

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ndm)) || ndm->ndm_family != AF_INET ||
	    ndm->ndm_ifindex != n->neigh_ifindex)
		return;
	for (rta = (const struct rtattr *)((const char *)ndm + NLMSG_ALIGN(sizeof(*ndm)));
	     RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == NDA_DST && RTA_PAYLOAD(rta) == 4)
			t = target_find(n, *(const __be32 *)RTA_DATA(rta));
		else if (rta->rta_type == NDA_LLADDR && RTA_PAYLOAD(rta) == 6)
			lladdr = RTA_DATA(rta);
	}
	if (!t || t->is_static)
		return;
	log_debug("rtnetlink: neighbour %s state 0x%x%s",
		  nh->nlmsg_type == RTM_DELNEIGH ? "deleted" : "update", ndm->ndm_state,
		  lladdr ? "" : " without lladdr");
	t->state = nh->nlmsg_type == RTM_DELNEIGH ? 0 : ndm->ndm_state;
	if (t->state & NUD_USABLE && lladdr) {
		target_set(n, t, lladdr);
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

static int neigh_dump(struct vxfwd_neigh *n);

static void on_link(struct vxfwd_neigh *n, const struct nlmsghdr *nh)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	const struct rtattr *rta;
	int len = NLMSG_PAYLOAD(nh, sizeof(*ifi));
	int master = 0, up, mac_changed = 0, up_changed;
	char e_name[IF_NAMESIZE], m_name[IF_NAMESIZE];
	unsigned int i;

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)) || ifi->ifi_index != n->egress_ifindex ||
	    nh->nlmsg_type != RTM_NEWLINK)
		return;
	for (rta = IFLA_RTA(ifi); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == IFLA_MASTER && RTA_PAYLOAD(rta) == 4)
			master = *(const int *)RTA_DATA(rta);
		else if (rta->rta_type == IFLA_ADDRESS && RTA_PAYLOAD(rta) == 6 &&
			 memcmp(n->egress_mac, RTA_DATA(rta), 6)) {
			memcpy(n->egress_mac, RTA_DATA(rta), 6);
			mac_changed = 1;
		}
	}
	up = (ifi->ifi_flags & (IFF_UP | IFF_RUNNING)) == (IFF_UP | IFF_RUNNING);
	up_changed = up != n->egress_up;
	n->egress_up = up;
	if ((master ? master : n->egress_ifindex) != n->neigh_ifindex) {
		n->neigh_ifindex = master ? master : n->egress_ifindex;
		log_info("%s: next hops are looked up in the neighbour table of %s%s",
			 ifname(n->egress_ifindex, e_name), ifname(n->neigh_ifindex, m_name),
			 master ? " (its bridge master)" : "");
		for (i = 0; i < n->n; i++)
			if (!n->t[i].is_static)
				target_set(n, &n->t[i], NULL);
		neigh_dump(n);
	}
	if (up_changed && up)
		for (i = 0; i < n->n; i++)
			if (!n->t[i].valid && !n->t[i].is_static)
				ts_after(&n->t[i].next, 0);
	if ((mac_changed || up_changed) && n->link_cb)
		n->link_cb(n->link_ctx, n->egress_mac, up);
}

/* Returns 1 when the reply to `seq` ended (DONE or ACK), 0 otherwise. */
static int on_msg(struct vxfwd_neigh *n, const struct nlmsghdr *nh, __u32 seq)
{
	const struct nlmsgerr *err;

	switch (nh->nlmsg_type) {
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		on_neigh(n, nh);
		break;
	case RTM_NEWLINK:
	case RTM_DELLINK:
		on_link(n, nh);
		break;
	case NLMSG_ERROR:
		err = NLMSG_DATA(nh);
		if (err->error)
			log_warnx("rtnetlink: request %u refused: %s", nh->nlmsg_seq,
				  strerror(-err->error));
		return seq && nh->nlmsg_seq == seq;
	case NLMSG_DONE:
		return seq && nh->nlmsg_seq == seq;
	}
	return 0;
}

/* Read what is pending (or wait up to `ms` for `seq`); 1 when seq ended. */
static int nl_read(struct vxfwd_neigh *n, __u32 seq, int ms)
{
	char buf[32768] __attribute__((aligned(4)));
	struct pollfd pfd = {.fd = n->fd, .events = POLLIN};
	struct nlmsghdr *nh;
	ssize_t len;
	int done = 0;

	for (;;) {
		len = recv(n->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (len < 0 && errno == EAGAIN) {
			if (!seq || done || ms <= 0 || poll(&pfd, 1, ms) <= 0)
				return done;
			continue;
		}
		if (len < 0 && errno == ENOBUFS) {
			log_warnx("rtnetlink: events lost: socket buffer full; dumping again");
			neigh_dump(n);
			continue;
		}
		if (len < 0)
			return errno == EINTR ? done : -errno;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)len);
		     nh = NLMSG_NEXT(nh, len))
			done |= on_msg(n, nh, seq);
	}
}

static int neigh_dump(struct vxfwd_neigh *n)
{
	struct nl_req req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg)),
		.nh.nlmsg_type = RTM_GETNEIGH,
		.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		.ndm.ndm_family = AF_INET,
	};

	/* Strict checking refuses ndm_ifindex in a dump; on_neigh() filters. */
	return nl_send(n, &req);
}

static int request_wait(struct vxfwd_neigh *n, struct nl_req *req, int ms)
{
	int ret = nl_send(n, req);

	if (ret)
		return ret;
	ret = nl_read(n, n->seq, ms);
	if (ret < 0)
		return ret;
	return ret ? 0 : -ETIMEDOUT;
}

int neigh_open(struct vxfwd_neigh *n, const struct vxfwd_maps *maps, int egress_ifindex,
	       neigh_link_cb cb, void *ctx)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = RTMGRP_NEIGH | RTMGRP_LINK,
	};
	struct nl_req req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
		.nh.nlmsg_type = RTM_GETLINK,
		.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
		.ifi.ifi_family = AF_UNSPEC,
		.ifi.ifi_index = egress_ifindex,
	};
	int one = 1, rcvbuf = 1 << 20, ret;

	memset(n, 0, sizeof(*n));
	n->maps = maps;
	n->egress_ifindex = egress_ifindex;
	n->neigh_ifindex = egress_ifindex;
	n->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (n->fd < 0)
		return -errno;
	setsockopt(n->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(n->fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	if (bind(n->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		goto fail;
	}
	ret = request_wait(n, &req, 1000);
	if (ret)
		goto fail;
	/* Callbacks only after the initial state is known. */
	n->link_cb = cb;
	n->link_ctx = ctx;
	return 0;
fail:
	close(n->fd);
	n->fd = -1;
	return ret;
}

void neigh_close(struct vxfwd_neigh *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}

static void drop_targets(struct vxfwd_neigh *n, const __be32 *addrs, unsigned int count)
{
	char a[INET_ADDRSTRLEN];
	unsigned int i, j;

	for (i = 0; i < n->n;) {
		for (j = 0; j < count && addrs[j] != n->t[i].addr; j++)
			;
		if (j < count) {
			i++;
			continue;
		}
		/* Rules no longer use it: its entry goes, pinned or resolved. */
		if (maps_set_nexthop(n->maps, n->t[i].addr, NULL, 0) == 0)
			log_info("%s: no longer a DNAT target, next hop removed",
				 inet_ntop(AF_INET, &n->t[i].addr, a, sizeof(a)));
		n->t[i] = n->t[--n->n];
	}
}

int neigh_set_targets(struct vxfwd_neigh *n, const __be32 *addrs, const int *statics,
		      unsigned int count, int wait_ms)
{
	struct vxfwd_nh_target *t;
	struct nl_req req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg)),
		.nh.nlmsg_type = RTM_GETNEIGH,
		.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		.ndm.ndm_family = AF_INET,
	};
	struct timespec end;
	unsigned int i;
	int ret;

	if (count > VXFWD_MAX_NEXTHOPS)
		return -E2BIG;
	drop_targets(n, addrs, count);
	for (i = 0; i < count; i++) {
		t = target_find(n, addrs[i]);
		if (!t) {
			t = &n->t[n->n++];
			memset(t, 0, sizeof(*t));
			t->addr = addrs[i];
		}
		/* Static -> resolved: the pinned MAC stops counting as resolved. */
		t->valid = statics[i] ? 1 : (t->is_static ? 0 : t->valid);
		t->is_static = statics[i];
	}
	ret = request_wait(n, &req, 1000);
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
