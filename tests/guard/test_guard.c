// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_guard.c - the egress leak guard (bpf/vxfwd_guard.bpf.c, engine/guard.c).
 *
 * 1. BPF_PROG_TEST_RUN: the guard loaded on the XDP program's maps, seeded
 *    through maps_apply() like `vxfwd run` does, drops frames to a DNAT
 *    target (untagged and 802.1Q) and lets everything else through; after a
 *    second ruleset is applied it follows the new generation.
 * 2. Live, in a private network namespace: the guard attached to the egress
 *    of a veth, datagrams sent by the kernel to a DNAT target routed through
 *    that veth never reach the far end (an AF_PACKET socket on the peer),
 *    datagrams to another address do, and once the guard is detached the
 *    DNAT target's datagrams arrive too: the guard is what stopped them.
 *
 * Exit 0 pass, 1 fail, 77 skip.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/pkt_cls.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "guard.h"
#include "harness.h"
#include "pkt.h"
#include "vxfwd.skel.h"

#define N_SEND 50

static const char rules_a[] = "ingress ens5 { vxlan port 4789; vni 1 }\n"
			      "egress ens6\n"
			      "forward a udp from any to port 31765 dnat 172.30.82.95 port 8081\n"
			      "forward b tcp from any to port 22 dnat 172.30.82.96\n"
			      "forward a6 udp from any to port 31765 dnat fd00:82::5 port 8081\n"
			      "forward fan udp from any to port 2055 dnat 172.30.82.95,"
			      " 172.30.82.97 port 2055, 172.30.82.98, 172.30.82.99 port 1\n"
			      "forward fan6 udp from any to port 2055 dnat fd00:82::5 port 1,"
			      " fd00:82::7\n";

static const char rules_b[] = "ingress ens5 { vxlan port 4789; vni 1 }\n"
			      "egress ens6\n"
			      "forward c udp from any to port 31765 dnat 172.30.82.50\n";

static unsigned int failed;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void fail(const char *fmt, ...)
{
	va_list ap;

	fputs("FAIL ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	failed++;
}

/*
 * An Ethernet/IPv4/UDP frame to `dst` (IPv6 when it has a colon), optionally
 * 802.1Q-tagged or not IP.
 */
static size_t frame(__u8 *b, const char *dst, int vlan, __u16 ethertype)
{
	static struct pkt p;
	struct pkt_spec s = {.dst = dst, .payload = 18, .i6 = strchr(dst, ':') != NULL};
	size_t n = 0;

	pkt_build(&s, &p);
	memcpy(b, p.buf + p.inner_off, 12);
	n = 12;
	if (vlan) {
		b[n++] = 0x81;
		b[n++] = 0x00;
		b[n++] = 0x00;
		b[n++] = 0x07;
	}
	memcpy(b + n, p.buf + p.inner_off + 12, p.inner_len - 12);
	if (ethertype) {
		b[n] = ethertype >> 8;
		b[n + 1] = ethertype & 0xff;
	}
	return n + p.inner_len - 12;
}

/*
 * An ICMP error of `type` (with a 20-byte IPv4 header, or `ihl` 32-bit
 * words) from the sensor to the mirror source, quoting an IPv4 packet of
 * protocol `qproto` to UDP port `qdport`, as the stack sends when a mirror
 * datagram reaches it.
 */
static size_t icmp_frame(__u8 *b, __u8 type, __u8 qproto, __u16 qdport, int ihl)
{
	static const __u8 eth[14] = {2, 0, 0, 0, 0, 0x20, 2, 0, 0, 0, 0, 0x08, 0x08, 0x00};
	size_t n = sizeof(eth), ip = n;

	memcpy(b, eth, n);
	memset(b + n, 0, 200);
	b[n] = (__u8)(0x40 | ihl);
	b[n + 8] = 64;
	b[n + 9] = 1; /* ICMP */
	memcpy(b + n + 12, (__u8[]){172, 30, 82, 108}, 4);
	memcpy(b + n + 16, (__u8[]){172, 30, 82, 20}, 4);
	n += (size_t)ihl * 4;
	b[n] = type;
	b[n + 1] = type == 3 ? 3 : 0;
	n += 8;
	b[n] = 0x45; /* the quoted packet: mirror source -> sensor */
	b[n + 9] = qproto;
	memcpy(b + n + 12, (__u8[]){172, 30, 82, 20}, 4);
	memcpy(b + n + 16, (__u8[]){172, 30, 82, 108}, 4);
	n += 20;
	b[n] = 0xc3;
	b[n + 1] = 0x50;
	b[n + 2] = (__u8)(qdport >> 8);
	b[n + 3] = (__u8)qdport;
	n += 8;
	b[ip + 2] = (__u8)((n - ip) >> 8);
	b[ip + 3] = (__u8)(n - ip);
	return n;
}

struct gcase {
	const char *name;
	const char *dst;
	int vlan;
	__u16 ethertype;
	int drop;
	int icmp;	/* an ICMP message instead (icmp_frame) */
	__u8 icmp_type;
	__u8 qproto;
	__u16 qdport;
	int ihl;
};

static void run_cases(struct vxfwd_guard *g, const char *rules, const struct gcase *c, size_t n)
{
	struct vxfwd_count a[VXFWD_G_MAX], b[VXFWD_G_MAX];
	__u8 buf[256], out[512];
	size_t i, len;
	int k;

	for (i = 0; i < n; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_out = out,
			    .data_size_out = sizeof(out), .repeat = 1);

		len = c[i].icmp ? icmp_frame(buf, c[i].icmp_type, c[i].qproto, c[i].qdport,
					     c[i].ihl ? c[i].ihl : 5)
				: frame(buf, c[i].dst, c[i].vlan, c[i].ethertype);
		o.data_size_in = (__u32)len;
		if (guard_read(guard_cnt_fd(g), a) ||
		    bpf_prog_test_run_opts(guard_prog_fd(g), &o) ||
		    guard_read(guard_cnt_fd(g), b)) {
			fail("%s/%s: BPF_PROG_TEST_RUN: %s", rules, c[i].name, strerror(errno));
			continue;
		}
		if ((int)o.retval != (c[i].drop ? TC_ACT_SHOT : TC_ACT_UNSPEC))
			fail("%s/%s: tc verdict %d, want %s", rules, c[i].name, (int)o.retval,
			     c[i].drop ? "TC_ACT_SHOT" : "TC_ACT_UNSPEC");
		for (k = 0; k < VXFWD_G_MAX; k++) {
			__u64 want = k == (c[i].drop ? VXFWD_G_DROP : VXFWD_G_PASS);

			if (b[k].packets - a[k].packets != want ||
			    b[k].bytes - a[k].bytes != (want ? len : 0))
				fail("%s/%s: guard counter %d moved by %llu", rules, c[i].name, k,
				     (unsigned long long)(b[k].packets - a[k].packets));
		}
	}
}

static const struct gcase cases_a[] = {
	{"dnat-target", "172.30.82.95", 0, 0, 1},
	{"second-dnat-target", "172.30.82.96", 0, 0, 1},
	{"dnat-target-8021q", "172.30.82.95", 1, 0, 1},
	{"other-address", "172.30.82.94", 0, 0, 0},
	{"later-generation-target", "172.30.82.50", 0, 0, 0},
	{"ipv6-ethertype", "172.30.82.95", 0, ETH_P_IPV6, 0},
	{"ipv6-dnat-target", "fd00:82::5", 0, 0, 1},
	{"ipv6-dnat-target-8021q", "fd00:82::5", 1, 0, 1},
	{"ipv6-other-address", "fd00:82::6", 0, 0, 0},
	{"fanout-second-target", "172.30.82.97", 0, 0, 1},
	{"fanout-last-target", "172.30.82.99", 0, 0, 1},
	{"ipv6-fanout-second-target", "fd00:82::7", 0, 0, 1},
	{"ipv6-v4-mapped-target", "::ffff:172.30.82.95", 0, 0, 0},
	{"ipv4-zero-address", "0.0.0.0", 0, 0, 0},
	{"arp-ethertype", "172.30.82.95", 0, ETH_P_ARP, 0},
	{"icmp-port-unreachable-quoting-vxlan", NULL, 0, 0, 1, 1, 3, IPPROTO_UDP, 4789, 0},
	{"icmp-port-unreachable-options-quoting-vxlan", NULL, 0, 0, 1, 1, 3, IPPROTO_UDP, 4789, 6},
	{"icmp-time-exceeded-quoting-vxlan", NULL, 0, 0, 1, 1, 11, IPPROTO_UDP, 4789, 0},
	{"icmp-param-problem-quoting-vxlan", NULL, 0, 0, 1, 1, 12, IPPROTO_UDP, 4789, 0},
	{"icmp-port-unreachable-quoting-other-port", NULL, 0, 0, 0, 1, 3, IPPROTO_UDP, 53, 0},
	{"icmp-unreachable-quoting-tcp-4789", NULL, 0, 0, 0, 1, 3, IPPROTO_TCP, 4789, 0},
	{"icmp-echo-reply", NULL, 0, 0, 0, 1, 0, IPPROTO_UDP, 4789, 0},
	{"icmp-echo-request", NULL, 0, 0, 0, 1, 8, IPPROTO_UDP, 4789, 0},
};

static const struct gcase cases_b[] = {
	{"old-target-released", "172.30.82.95", 0, 0, 0},
	{"ipv6-old-target-released", "fd00:82::5", 0, 0, 0},
	{"new-target", "172.30.82.50", 0, 0, 1},
};

/* ---- live: a veth pair in a private namespace -------------------------------- */

static int sh(const char *cmd)
{
	int ret = system(cmd);

	if (ret)
		fprintf(stderr, "# '%s' exited %d\n", cmd, ret);
	return ret ? -EIO : 0;
}

/* The peer wiring in the private namespace; a command that fails has
 * already printed its own message on stderr. */
static int netns_setup(void)
{
	return sh("sysctl -qw net.ipv6.conf.all.disable_ipv6=1 && "
		  "sysctl -qw net.ipv6.conf.default.disable_ipv6=1 && "
		  "sysctl -qw net.ipv4.icmp_ratelimit=0 && "
		  "ip link add gd0 type veth peer name gd1 && "
		  "ip link set gd0 up && ip link set gd1 up && "
		  "ip addr add 10.99.0.1/24 dev gd0 && "
		  "ip route add 172.30.82.0/24 dev gd0 && "
		  "ip neigh add 172.30.82.95 lladdr 02:00:00:00:00:95 dev gd0 && "
		  "ip neigh add 172.30.82.94 lladdr 02:00:00:00:00:94 dev gd0 && "
		  "ip neigh add 10.99.0.2 lladdr \"$(ip -br link show gd1 | awk '{ print $3 }')\" "
		  "dev gd0");
}

/* Frames to `dst` seen on gd1 within `ms` of the last one. */
static int count_at_peer(int ps, __be32 dst, int ms)
{
	__u8 b[2048];
	struct pollfd p = {.fd = ps, .events = POLLIN};
	int n = 0;
	ssize_t len;

	while (poll(&p, 1, ms) > 0) {
		len = recv(ps, b, sizeof(b), 0);
		if (len < ETH_HLEN + 20)
			continue;
		if (b[12] == 0x08 && b[13] == 0x00 && !memcmp(b + ETH_HLEN + 16, &dst, 4))
			n++;
	}
	return n;
}

static int send_to(int us, const char *dst, int n)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(8081)};
	int i;

	sin.sin_addr.s_addr = hx_addr(dst);
	for (i = 0; i < n; i++)
		sendto(us, "leak?", 5, 0, (struct sockaddr *)&sin, sizeof(sin));
	return 0;
}

static int ifmac(const char *name, __u8 *mac)
{
	struct ifreq ifr = {0};
	int fd, ret = 0;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		ret = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	if (fd >= 0)
		close(fd);
	return ret;
}

/*
 * `n` VXLAN-port datagrams from the peer (gd1) to gd0's own address, which
 * no socket listens on: the stack answers each with an ICMP port
 * unreachable out of gd0, as a sensor's does for mirror traffic that no
 * XDP program took.  Returns how many ICMP errors reached the peer.
 */
static int icmp_echoes(int ps, int n)
{
	__u8 f[64] = {0}, b[2048];
	struct pollfd p = {.fd = ps, .events = POLLIN};
	int i, got = 0;
	__u16 csum;
	ssize_t len;

	if (ifmac("gd0", f) || ifmac("gd1", f + 6))
		return -1;
	f[12] = 0x08;
	f[14] = 0x45;
	f[17] = 20 + 8 + 8; /* total length */
	f[22] = 64;
	f[23] = IPPROTO_UDP;
	memcpy(f + 26, (__u8[]){10, 99, 0, 2}, 4);
	memcpy(f + 30, (__u8[]){10, 99, 0, 1}, 4);
	csum = (__u16)~csum_fold_sum(f + 14, 20, 0); /* a big-endian sum */
	f[24] = (__u8)(csum >> 8);
	f[25] = (__u8)csum;
	f[34] = 0xc3;
	f[36] = 4789 >> 8;
	f[37] = 4789 & 0xff;
	f[39] = 16; /* UDP length; checksum 0 */
	for (i = 0; i < n; i++)
		send(ps, f, 14 + 36, 0);
	while (poll(&p, 1, 300) > 0) {
		len = recv(ps, b, sizeof(b), 0);
		if (len >= 14 + 20 + 8 && b[12] == 0x08 && b[13] == 0x00 && b[23] == IPPROTO_ICMP &&
		    b[34] == 3)
			got++;
	}
	return got;
}

static int live(struct vxfwd_guard *g)
{
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL)};
	struct vxfwd_count a[VXFWD_G_MAX], b[VXFWD_G_MAX];
	int ps = -1, us = -1, ret, got_t, got_o, got_i;

	if (unshare(CLONE_NEWNET)) {
		printf("SKIP live part: unshare(CLONE_NEWNET): %s (a kernel without network "
		       "namespaces)\n",
		       strerror(errno));
		return T_EXIT_SKIP;
	}
	ret = netns_setup();
	if (ret < 0) {
		fail("live: cannot wire the private namespace (sysctl, ip): see the message above");
		goto out;
	}
	ps = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	us = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	sll.sll_ifindex = (int)if_nametoindex("gd1");
	if (ps < 0 || us < 0 || bind(ps, (struct sockaddr *)&sll, sizeof(sll))) {
		ret = -errno;
		fail("live: sockets: %s", strerror(-ret));
		goto out;
	}
	ret = guard_attach(g, (int)if_nametoindex("gd0"), NULL);
	if (ret < 0) {
		fail("live: guard_attach: %s", strerror(-ret));
		goto out;
	}
	guard_read(guard_cnt_fd(g), a);
	send_to(us, "172.30.82.95", N_SEND);
	got_t = count_at_peer(ps, hx_addr("172.30.82.95"), 300);
	guard_read(guard_cnt_fd(g), b);
	printf("# guard attached: %d of %d to the DNAT target and ", got_t, N_SEND);
	send_to(us, "172.30.82.94", N_SEND);
	got_o = count_at_peer(ps, hx_addr("172.30.82.94"), 300);
	printf("%d of %d to another address reached the peer; guard drop counter +%llu\n", got_o,
	       N_SEND, (unsigned long long)(b[VXFWD_G_DROP].packets - a[VXFWD_G_DROP].packets));
	if (got_t || b[VXFWD_G_DROP].packets - a[VXFWD_G_DROP].packets != N_SEND)
		fail("live: the guard let %d through and counted %llu drops, want 0 and %d", got_t,
		     (unsigned long long)(b[VXFWD_G_DROP].packets - a[VXFWD_G_DROP].packets),
		     N_SEND);
	if (got_o != N_SEND)
		fail("live: %d of %d frames to another address arrived", got_o, N_SEND);
	got_i = icmp_echoes(ps, N_SEND);
	printf("# guard attached: %d ICMP port unreachables quoting %d VXLAN-port datagrams "
	       "reached the peer\n",
	       got_i, N_SEND);
	if (got_i != 0)
		fail("live: the guard let %d ICMP errors quoting VXLAN datagrams through", got_i);
	guard_detach(g);
	send_to(us, "172.30.82.95", N_SEND);
	got_t = count_at_peer(ps, hx_addr("172.30.82.95"), 300);
	got_i = icmp_echoes(ps, N_SEND);
	printf("# guard detached: %d of %d to the DNAT target and %d ICMP errors of %d reached "
	       "the peer\n",
	       got_t, N_SEND, got_i, N_SEND);
	/* The stack's global ICMP budget may hold a few answers back. */
	if (got_t != N_SEND || got_i < N_SEND / 2)
		fail("live: without the guard %d of %d frames and %d of %d ICMP errors arrived: the "
		     "test cannot see a leak",
		     got_t, N_SEND, got_i, N_SEND);
	ret = 0;
out:
	if (ps >= 0)
		close(ps);
	if (us >= 0)
		close(us);
	return ret;
}

int main(void)
{
	static struct hx h;
	struct vxfwd_guard g = {0};
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = hx_open(&h, 0);
	if (ret == T_EXIT_SKIP)
		return ret;
	if (!ret)
		ret = hx_apply(&h, "guard-a", rules_a, NULL);
	if (!ret)
		ret = guard_open(&g, h.skel->obj);
	if (ret < 0) {
		fprintf(stderr, "FAIL setup: %s\n", strerror(-ret));
		ret = T_EXIT_FAIL;
		goto out;
	}
	run_cases(&g, "guard-a", cases_a, T_ARRAY_SIZE(cases_a));
	ret = hx_apply(&h, "guard-b", rules_b, NULL);
	if (ret < 0)
		fail("apply guard-b: %s", strerror(-ret));
	else
		run_cases(&g, "guard-b", cases_b, T_ARRAY_SIZE(cases_b));
	ret = hx_apply(&h, "guard-a", rules_a, NULL);
	if (ret < 0)
		fail("apply guard-a again: %s", strerror(-ret));
	else if (live(&g) == T_EXIT_SKIP && !failed)
		ret = T_EXIT_SKIP;
	printf("# %u failures\n", failed);
	if (ret != T_EXIT_SKIP)
		ret = failed ? T_EXIT_FAIL : T_EXIT_PASS;
out:
	guard_detach(&g);
	guard_close(&g);
	hx_close(&h);
	return ret;
}
