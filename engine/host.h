/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * host.h - what the host says about its links, neighbours, addresses and
 * XDP attachments, for `run`, the neighbour tracker and `doctor`.
 *
 * Interface facts come from rtnetlink and ioctls, never from /sys/class/net,
 * so that the answers belong to the caller's network namespace; the one
 * exception, which CPUs process an interface's receive (host_rx.c), reads
 * sysfs only after checking that it is this namespace's.  Every
 * rtnetlink exchange goes through the host_nl_* helpers below: raw
 * NETLINK_ROUTE, no libnl.
 */
#ifndef VXFWD_HOST_H
#define VXFWD_HOST_H

#include <net/if.h>
#include <sched.h>
#include <stddef.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/types.h>

#include "vxfwd_dsl.h"

/* Neighbour states whose link-layer address can be used (the kernel's NUD_VALID). */
#define HOST_NUD_USABLE                                                                  \
	(NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY)

/* ---- rtnetlink ----------------------------------------------------------- */

/* One message of a reply or an event; acks, errors and NLMSG_DONE included. */
typedef void (*host_nl_fn)(const struct nlmsghdr *nh, void *arg);

struct host_nl_cb {
	host_nl_fn msg;
	/* ENOBUFS: the socket dropped messages; NULL makes host_nl_read() fail. */
	void (*lost)(void *arg);
	void *arg;
};

/*
 * A NETLINK_ROUTE socket with strict checking; with `groups` (RTMGRP_*) it
 * is bound to them, with a receive buffer for bursts of events.  Returns the
 * descriptor or -errno.
 */
int host_nl_socket(unsigned int groups);

/* Append attribute `type` to the message `nh` (its buffer must have room). */
void host_nl_attr(struct nlmsghdr *nh, unsigned short type, const void *data, unsigned short len);

/* Send `req` to the kernel as request `seq`: 0 or -errno. */
int host_nl_send(int fd, struct nlmsghdr *req, __u32 seq);

/*
 * Hand every queued message to cb->msg.  With `seq` and `ms` > 0 (or < 0,
 * no limit), wait until the reply to request `seq` ended (NLMSG_DONE or
 * its ack) and read on until nothing is queued.  Returns 1 when it ended,
 * 0 when not (yet), -errno when the socket failed.
 */
int host_nl_read(int fd, __u32 seq, int ms, const struct host_nl_cb *cb);

/*
 * One request on a socket of its own (NLM_F_REQUEST is added, and
 * NLM_F_ACK unless it is a dump): every message of the reply goes to `fn`.
 * Returns 0, the kernel's refusal or -errno.
 */
int host_nl_request(struct nlmsghdr *req, host_nl_fn fn, void *arg);

/* ---- links ---------------------------------------------------------------- */

struct host_link {
	int ifindex;
	int up;	     /* IFF_UP */
	int carrier; /* IFF_RUNNING */
	int mtu;
	int master; /* IFLA_MASTER: the bridge of a port, 0 when none */
	int has_mac;
	__u8 mac[6];
};

/* An RTM_NEWLINK message into `out`: 0, or -EINVAL when it is none. */
int host_link_parse(const struct nlmsghdr *nh, struct host_link *out);

/* The link `ifindex` (RTM_GETLINK): 0 or -errno. */
int host_link_get(int ifindex, struct host_link *out);

/* The driver (ETHTOOL_GDRVINFO, "unknown") and channels (0 when unknown) of `name`. */
struct host_ethtool {
	char driver[32];
	__u32 combined;
	__u32 max_combined;
};

void host_ethtool(const char *name, struct host_ethtool *out);

/* The name of `ifindex` for messages (buf of IF_NAMESIZE), "ifindex N" when none. */
const char *host_ifname(int ifindex, char *buf);

/* ---- neighbours ------------------------------------------------------------ */

struct host_neigh {
	int ifindex;
	int family;	/* AF_INET or AF_INET6 */
	__be32 addr;	/* NDA_DST of an IPv4 entry */
	__u8 addr6[16];	/* NDA_DST of an IPv6 entry */
	int has_addr;
	__u16 state;	/* ndm_state, NUD_* */
	int deleted;	/* an RTM_DELNEIGH */
	int has_mac;
	__u8 mac[6];	/* NDA_LLADDR */
};

/* An IPv4 or IPv6 RTM_NEWNEIGH/RTM_DELNEIGH message into `out`: 0, or -EINVAL. */
int host_neigh_parse(const struct nlmsghdr *nh, struct host_neigh *out);

/*
 * `addr` in the IPv4 neighbour table of `ifindex` (a dump): 1 and `out`
 * when there is an entry, 0 when none, -errno.
 */
int host_neigh_lookup(int ifindex, __be32 addr, struct host_neigh *out);

/* The same for IPv6 address `addr` (16 bytes) in the IPv6 neighbour table. */
int host_neigh_lookup6(int ifindex, const __u8 *addr, struct host_neigh *out);

/* "reachable", "stale", ...: the first NUD_* state set in `state`, "none". */
const char *host_nud_name(__u16 state);

/* ---- addresses ------------------------------------------------------------- */

struct host_addr {
	__be32 addr;
	int plen;
};

/* Up to `max` IPv4 addresses of `name`: their count or -errno. */
int host_if_addrs(const char *name, struct host_addr *out, int max);

/* The netmask of a prefix length, network byte order. */
__be32 host_plen_mask(int plen);

/* 1 when `addr` lies in a subnet of one of `name`'s addresses. */
int host_addr_on_link(const char *name, __be32 addr);

/* The same for IPv6 address `addr` (16 bytes) and `name`'s IPv6 addresses. */
int host_addr6_on_link(const char *name, const __u8 *addr);

/* ---- files and XDP -------------------------------------------------------- */

/* The first line of `path` without its newline: 0 or -errno. */
int host_read_line(const char *path, char *buf, size_t len);

/* An integer sysctl under /proc/sys: 0 or -errno. */
int host_read_sysctl_int(const char *path, int *val);

/* The XDP program attached to `ifindex`: its id (0: none) and mode's name. */
int host_xdp_attached(int ifindex, __u32 *id, const char **mode);

/* ---- receive CPUs (host_rx.c) --------------------------------------------- */

enum host_rx_source {
	HOST_RX_IRQ = 1,  /* an IRQ /proc/interrupts names after the interface */
	HOST_RX_RPS = 2,  /* a receive queue's rps_cpus */
	HOST_RX_NAPI = 4, /* a threaded NAPI kthread napi/NAME-ID */
};

struct host_rx_cpus {
	cpu_set_t cpus;	      /* the union of what the sources below said */
	unsigned int sources; /* HOST_RX_*; 0: unknown (a veth has no IRQ) */
	int sysfs;	      /* /sys/class/net/NAME is this namespace's */
	int n_irqs;
	int n_napi;
	char napi[16]; /* the first NAPI kthread's name */
};

/*
 * The CPUs that process `name`'s receive: the affinity of its IRQs
 * (/proc/irq/N/effective_affinity_list, else smp_affinity_list; only for a
 * device, since /proc/interrupts is the host's), every rx queue's RPS mask,
 * and with /sys/class/net/NAME/threaded = 1 the CPUs its napi/NAME-* kthreads
 * may run on.  sysfs is read only when it was mounted in this network
 * namespace (ip netns exec does that); otherwise, or when no source says
 * anything, rx->sources is 0.  NAPI kthreads are matched by name, so a
 * same-named interface of another namespace with threaded NAPI counts too.
 */
void host_rx_cpus(const char *name, struct host_rx_cpus *rx);

/* "2 IRQs, RPS, threaded NAPI napi/ens5-8193": which sources contributed. */
const char *host_rx_sources(const struct host_rx_cpus *rx, char *buf, size_t len);

/*
 * The CPUs this process may use (sched_getaffinity: cgroups and taskset
 * respected) that are not receive CPUs of `rx`, into `out`: their count, 0
 * when the receive CPUs are unknown.
 */
int host_cpus_free_of_rx(const struct host_rx_cpus *rx, cpu_set_t *out);

/* A CPU list as the kernel writes it, "0-3,8": 0, -EINVAL or -ERANGE. */
int host_cpu_list_parse(const char *s, cpu_set_t *set);

/* A hex CPU mask as the kernel writes it, "00000003", "ff,00000001": 0, -EINVAL or -ERANGE. */
int host_cpu_mask_parse(const char *s, cpu_set_t *set);

/* `set` as a CPU list, "0-1,3" ("" when empty). */
const char *host_cpu_list_fmt(const cpu_set_t *set, char *buf, size_t len);

/*
 * This host as the rules loader asks about it: every vxfwd_dsl_load*() of the
 * engine passes &host_ifaces, so interface names in a rules file are checked
 * against the network namespace vxfwd runs in.
 */
extern const struct vxfwd_dsl_host host_ifaces;

#endif /* VXFWD_HOST_H */
