// SPDX-License-Identifier: GPL-2.0-only
/* host.c - see host.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>

#include <bpf/libbpf.h>

#include "host.h"

/* ---- rtnetlink ----------------------------------------------------------- */

int host_nl_socket(unsigned int groups)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = groups};
	int one = 1, rcvbuf = 1 << 20, fd, ret;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	if (!groups)
		return fd;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

void host_nl_attr(struct nlmsghdr *nh, unsigned short type, const void *data, unsigned short len)
{
	struct rtattr *rta = (struct rtattr *)((char *)nh + NLMSG_ALIGN(nh->nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

int host_nl_send(int fd, struct nlmsghdr *req, __u32 seq)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};

	req->nlmsg_seq = seq;
	if (sendto(fd, req, req->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return 0;
}

/* The reply to `seq` ends with NLMSG_DONE (a dump) or its ack (NLMSG_ERROR). */
static int reply_end(const struct nlmsghdr *nh, __u32 seq)
{
	return seq && nh->nlmsg_seq == seq &&
	       (nh->nlmsg_type == NLMSG_DONE || nh->nlmsg_type == NLMSG_ERROR);
}

int host_nl_read(int fd, __u32 seq, int ms, const struct host_nl_cb *cb)
{
	char buf[32768] __attribute__((aligned(4)));
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	const struct nlmsghdr *nh;
	ssize_t len;
	int done = 0;

	for (;;) {
		len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (len < 0 && errno == EAGAIN) {
			if (!seq || done || !ms || poll(&pfd, 1, ms) <= 0)
				return done;
			continue;
		}
		if (len < 0 && errno == ENOBUFS && cb->lost) {
			cb->lost(cb->arg);
			continue;
		}
		if (len < 0)
			return errno == EINTR ? done : -errno;
		for (nh = (const struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)len);
		     nh = NLMSG_NEXT(nh, len)) {
			done |= reply_end(nh, seq);
			cb->msg(nh, cb->arg);
		}
	}
}

struct request {
	__u32 seq;
	int error;
	host_nl_fn fn;
	void *arg;
};

/* host_nl_request(): the reply's messages to the caller, its ack's error kept. */
static void request_msg(const struct nlmsghdr *nh, void *arg)
{
	struct request *r = arg;

	if (nh->nlmsg_seq != r->seq || nh->nlmsg_type == NLMSG_DONE)
		return;
	if (nh->nlmsg_type != NLMSG_ERROR) {
		r->fn(nh, r->arg);
		return;
	}
	if (nh->nlmsg_len >= NLMSG_LENGTH(sizeof(struct nlmsgerr)))
		r->error = ((const struct nlmsgerr *)NLMSG_DATA(nh))->error;
	else
		r->error = -EPROTO;
}

int host_nl_request(struct nlmsghdr *req, host_nl_fn fn, void *arg)
{
	struct request r = {.seq = 1, .fn = fn, .arg = arg};
	struct host_nl_cb cb = {.msg = request_msg, .arg = &r};
	int fd, ret;

	req->nlmsg_flags |= NLM_F_REQUEST;
	if (!(req->nlmsg_flags & NLM_F_DUMP))
		req->nlmsg_flags |= NLM_F_ACK;
	fd = host_nl_socket(0);
	if (fd < 0)
		return fd;
	ret = host_nl_send(fd, req, r.seq);
	if (!ret)
		ret = host_nl_read(fd, r.seq, -1, &cb);
	close(fd);
	if (ret < 0)
		return ret;
	if (!ret)
		return -ETIMEDOUT;
	return r.error;
}

/* ---- links ---------------------------------------------------------------- */

int host_link_parse(const struct nlmsghdr *nh, struct host_link *out)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	const struct rtattr *rta;
	int len = (int)NLMSG_PAYLOAD(nh, sizeof(*ifi));

	if (nh->nlmsg_type != RTM_NEWLINK || nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->ifindex = ifi->ifi_index;
	out->up = !!(ifi->ifi_flags & IFF_UP);
	out->carrier = !!(ifi->ifi_flags & IFF_RUNNING);
	for (rta = IFLA_RTA(ifi); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == IFLA_MASTER && RTA_PAYLOAD(rta) == 4)
			out->master = *(const int *)RTA_DATA(rta);
		else if (rta->rta_type == IFLA_MTU && RTA_PAYLOAD(rta) == 4)
			out->mtu = *(const int *)RTA_DATA(rta);
		else if (rta->rta_type == IFLA_ADDRESS && RTA_PAYLOAD(rta) == 6) {
			memcpy(out->mac, RTA_DATA(rta), 6);
			out->has_mac = 1;
		}
	}
	return 0;
}

struct link_get {
	struct host_link *out;
	int found;
};

static void link_get_msg(const struct nlmsghdr *nh, void *arg)
{
	struct link_get *g = arg;
	struct host_link l;

	if (host_link_parse(nh, &l) == 0 && l.ifindex == g->out->ifindex) {
		*g->out = l;
		g->found = 1;
	}
}

int host_link_get(int ifindex, struct host_link *out)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
		.nh.nlmsg_type = RTM_GETLINK,
		.ifi.ifi_family = AF_UNSPEC,
		.ifi.ifi_index = ifindex,
	};
	struct link_get g = {.out = out};
	int ret;

	memset(out, 0, sizeof(*out));
	out->ifindex = ifindex;
	ret = host_nl_request(&req.nh, link_get_msg, &g);
	if (ret)
		return ret;
	return g.found ? 0 : -ENODEV;
}

void host_ethtool(const char *name, struct host_ethtool *out)
{
	struct ethtool_drvinfo drv = {.cmd = ETHTOOL_GDRVINFO};
	struct ethtool_channels ch = {.cmd = ETHTOOL_GCHANNELS};
	struct ifreq ifr;
	int fd;

	memset(out, 0, sizeof(*out));
	snprintf(out->driver, sizeof(out->driver), "unknown");
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_data = (char *)&drv;
	if (ioctl(fd, SIOCETHTOOL, &ifr) == 0)
		snprintf(out->driver, sizeof(out->driver), "%s", drv.driver);
	ifr.ifr_data = (char *)&ch;
	if (ioctl(fd, SIOCETHTOOL, &ifr) == 0) {
		out->combined = ch.combined_count;
		out->max_combined = ch.max_combined;
	}
	close(fd);
}

const char *host_ifname(int ifindex, char *buf)
{
	if (!if_indextoname((unsigned int)ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "ifindex %d", ifindex);
	return buf;
}

/* ---- neighbours ------------------------------------------------------------ */

int host_neigh_parse(const struct nlmsghdr *nh, struct host_neigh *out)
{
	const struct ndmsg *ndm = NLMSG_DATA(nh);
	const struct rtattr *rta;
	int len = (int)NLMSG_PAYLOAD(nh, sizeof(*ndm));

	if ((nh->nlmsg_type != RTM_NEWNEIGH && nh->nlmsg_type != RTM_DELNEIGH) ||
	    nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ndm)) ||
	    (ndm->ndm_family != AF_INET && ndm->ndm_family != AF_INET6))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->family = ndm->ndm_family;
	out->ifindex = ndm->ndm_ifindex;
	out->state = ndm->ndm_state;
	out->deleted = nh->nlmsg_type == RTM_DELNEIGH;
	for (rta = (const struct rtattr *)((const char *)ndm + NLMSG_ALIGN(sizeof(*ndm)));
	     RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == NDA_DST && out->family == AF_INET && RTA_PAYLOAD(rta) == 4) {
			memcpy(&out->addr, RTA_DATA(rta), 4);
			out->has_addr = 1;
		} else if (rta->rta_type == NDA_DST && out->family == AF_INET6 &&
			   RTA_PAYLOAD(rta) == 16) {
			memcpy(out->addr6, RTA_DATA(rta), 16);
			out->has_addr = 1;
		} else if (rta->rta_type == NDA_LLADDR && RTA_PAYLOAD(rta) == 6) {
			memcpy(out->mac, RTA_DATA(rta), 6);
			out->has_mac = 1;
		}
	}
	return 0;
}

struct neigh_find {
	int ifindex;
	int family;
	const void *addr;	/* 4 or 16 bytes */
	struct host_neigh *out;
	int found;
};

static void neigh_find_msg(const struct nlmsghdr *nh, void *arg)
{
	struct neigh_find *f = arg;
	struct host_neigh n;

	if (host_neigh_parse(nh, &n) || n.family != f->family || n.ifindex != f->ifindex ||
	    !n.has_addr)
		return;
	if (memcmp(f->family == AF_INET6 ? (const void *)n.addr6 : (const void *)&n.addr, f->addr,
		   f->family == AF_INET6 ? 16 : 4))
		return;
	*f->out = n;
	f->found = 1;
}

static int neigh_lookup(int ifindex, int family, const void *addr, struct host_neigh *out)
{
	struct {
		struct nlmsghdr nh;
		struct ndmsg ndm;
	} req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg)),
		.nh.nlmsg_type = RTM_GETNEIGH,
		.nh.nlmsg_flags = NLM_F_DUMP,
		.ndm.ndm_family = (__u8)family,
	};
	struct neigh_find f = {.ifindex = ifindex, .family = family, .addr = addr, .out = out};
	int ret;

	/* Strict checking refuses ndm_ifindex in a dump: filtered here. */
	memset(out, 0, sizeof(*out));
	ret = host_nl_request(&req.nh, neigh_find_msg, &f);
	return ret ? ret : f.found;
}

int host_neigh_lookup(int ifindex, __be32 addr, struct host_neigh *out)
{
	return neigh_lookup(ifindex, AF_INET, &addr, out);
}

int host_neigh_lookup6(int ifindex, const __u8 *addr, struct host_neigh *out)
{
	return neigh_lookup(ifindex, AF_INET6, addr, out);
}

const char *host_nud_name(__u16 state)
{
	static const struct {
		__u16 state;
		const char *name;
	} names[] = {
		{NUD_INCOMPLETE, "incomplete"}, {NUD_REACHABLE, "reachable"},
		{NUD_STALE, "stale"},		{NUD_DELAY, "delay"},
		{NUD_PROBE, "probe"},		{NUD_FAILED, "failed"},
		{NUD_NOARP, "noarp"},		{NUD_PERMANENT, "permanent"},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (state & names[i].state)
			return names[i].name;
	return "none";
}

/* ---- addresses ------------------------------------------------------------- */

int host_if_addrs(const char *name, struct host_addr *out, int max)
{
	struct ifaddrs *ifa, *p;
	int n = 0;

	if (getifaddrs(&ifa) < 0)
		return -errno;
	for (p = ifa; p && n < max; p = p->ifa_next) {
		struct sockaddr_in *a = (struct sockaddr_in *)p->ifa_addr;
		struct sockaddr_in *m = (struct sockaddr_in *)p->ifa_netmask;

		if (!a || !m || a->sin_family != AF_INET || strcmp(p->ifa_name, name))
			continue;
		out[n].addr = a->sin_addr.s_addr;
		out[n].plen = __builtin_popcount(m->sin_addr.s_addr);
		n++;
	}
	freeifaddrs(ifa);
	return n;
}

__be32 host_plen_mask(int plen)
{
	return plen ? htonl(~0U << (32 - plen)) : 0;
}

int host_addr_on_link(const char *name, __be32 addr)
{
	struct host_addr a[8] = {{0}};
	int n, i;

	n = host_if_addrs(name, a, 8);
	for (i = 0; i < n; i++)
		if ((a[i].addr & host_plen_mask(a[i].plen)) == (addr & host_plen_mask(a[i].plen)))
			return 1;
	return 0;
}

/* Do a and b agree in their first plen bits? */
static int same_prefix6(const __u8 *a, const __u8 *b, unsigned int plen)
{
	unsigned int full = plen / 8, rest = plen % 8;
	__u8 m = (__u8)(0xff << (8 - rest));

	if (memcmp(a, b, full))
		return 0;
	return !rest || ((a[full] ^ b[full]) & m) == 0;
}

/* The length of an IPv6 netmask: its leading one bits. */
static unsigned int mask6_plen(const struct in6_addr *m)
{
	unsigned int i, n = 0;

	for (i = 0; i < 16; i++)
		n += (unsigned int)__builtin_popcount(m->s6_addr[i]);
	return n > 128 ? 128 : n;
}

int host_addr6_on_link(const char *name, const __u8 *addr)
{
	struct ifaddrs *ifa, *p;
	int on = 0;

	if (getifaddrs(&ifa) < 0)
		return 0;
	for (p = ifa; p && !on; p = p->ifa_next) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)p->ifa_addr;
		struct sockaddr_in6 *m = (struct sockaddr_in6 *)p->ifa_netmask;

		if (!a || !m || a->sin6_family != AF_INET6 || strcmp(p->ifa_name, name))
			continue;
		on = same_prefix6(a->sin6_addr.s6_addr, addr, mask6_plen(&m->sin6_addr));
	}
	freeifaddrs(ifa);
	return on;
}

/* ---- files and XDP -------------------------------------------------------- */

int host_read_line(const char *path, char *buf, size_t len)
{
	FILE *f;
	int ret = 0;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		ret = ferror(f) ? -EIO : -ENODATA;
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return ret;
}

int host_read_sysctl_int(const char *path, int *val)
{
	char buf[32];
	int ret;

	ret = host_read_line(path, buf, sizeof(buf));
	if (ret)
		return ret;
	*val = atoi(buf);
	return 0;
}

int host_xdp_attached(int ifindex, __u32 *id, const char **mode)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int ret;

	*mode = "unknown";
	ret = bpf_xdp_query(ifindex, 0, &q);
	if (ret == 0)
		*mode = q.attach_mode == XDP_ATTACHED_DRV     ? "native"
			: q.attach_mode == XDP_ATTACHED_SKB   ? "generic"
			: q.attach_mode == XDP_ATTACHED_MULTI ? "several"
							      : "other";
	*id = q.prog_id ? q.prog_id : q.drv_prog_id ? q.drv_prog_id : q.skb_prog_id;
	return ret;
}

/* The ruleset's interface names are copied into IF_NAMESIZE buffers. */
_Static_assert(VXFWD_DSL_IFNAME_SIZE == IF_NAMESIZE,
	       "the rules language's interface names must fit the kernel's");

static int iface_exists(const char *name, void *arg)
{
	(void)arg;
	return if_nametoindex(name) != 0;
}

/* VXFWD_DSL_ADDR_OWN, _SUBNET or 0 for `addr` on interface `name` alone. */
static int addr_on(const char *name, __be32 addr)
{
	struct host_addr a[8] = {{0}};
	int n, i, in = 0;

	n = host_if_addrs(name, a, 8);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		if (a[i].addr == addr)
			return VXFWD_DSL_ADDR_OWN;
		if ((a[i].addr & host_plen_mask(a[i].plen)) == (addr & host_plen_mask(a[i].plen)))
			in = VXFWD_DSL_ADDR_SUBNET;
	}
	return in;
}

/* `addr` on interface `name` or on its bridge master, the closer answer. */
static int addr_where(__be32 addr, const char *name, void *arg)
{
	char master[IF_NAMESIZE];
	struct host_link l;
	int idx = (int)if_nametoindex(name), w, m;

	(void)arg;
	if (!idx)
		return -ENODEV;
	w = addr_on(name, addr);
	if (w == VXFWD_DSL_ADDR_OWN || host_link_get(idx, &l) || !l.master ||
	    !if_indextoname((unsigned int)l.master, master))
		return w;
	m = addr_on(master, addr);
	return m > w ? m : w;
}

const struct vxfwd_dsl_host host_ifaces = {.iface_exists = iface_exists,
					   .addr_where = addr_where};
