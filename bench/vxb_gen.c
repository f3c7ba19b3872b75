// SPDX-License-Identifier: GPL-2.0-only
/*
 * vxb_gen.c - `vxbench gen`: offer prebuilt VXLAN mirror frames to ens5.
 *
 * Frames up to VXB_LIVE_MAX bytes go through BPF_PROG_RUN with
 * BPF_F_TEST_XDP_LIVE_FRAMES (gen.bpf.c stamps and redirects them out of the
 * mirror-side veth).  Live frames must fit in one page, so jumbo frames are
 * sent with sendmmsg() on an AF_PACKET socket instead, stamped here with
 * CLOCK_MONOTONIC, the clock behind bpf_ktime_get_ns().  -P sends every
 * size that way: XDP_REDIRECTed frames reach a veth's peer only when it has
 * a native XDP program, frames sent through the stack reach it whatever it
 * runs (generic XDP, or none), and RPS can steer their receive to a CPU.
 * -6 makes the inner packet IPv6/UDP (2001:db8:1::10 -> 2001:db8:ff::40,
 * a real UDP checksum, kept right under the stamp by the word after it).
 *
 * Rate: -r PPS paces by batches on a 100 us grid (each tick sends what the
 * target rate owes); -r 0 sends as fast as possible.  -B FRAMES caps the
 * frames sent back to back: after a late wake-up the debt beyond FRAMES is
 * forgiven instead of sent in one burst, which a receiver on another CPU
 * would take as a burst larger than veth's 256-frame ring.  With live
 * frames -B also moves the pacing into the program (gen.bpf.c): each
 * BPF_PROG_RUN costs tens of milliseconds of set-up and teardown, so paced
 * from here every call would be such a burst; paced there, one long call
 * spins the generator's CPU, dropping unsent the runs the rate does not owe.  The count reported is
 * what the generator put on the wire, read back from the program's sequence
 * counter (live mode) or from sendmmsg() (jumbo mode).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench_abi.h"
#include "gen.skel.h"
#include "vxbench.h"

/* One page less XDP headroom and skb_shared_info, as bpf_prog_test_run_xdp(). */
#define VXB_LIVE_MAX	3500
#define VXB_OUTER_LEN	(14 + 20 + 8 + 8)
#define VXB_TICK_NS	100000ULL
#define VXB_MMSG	64
/* Paced in the program: each BPF_PROG_RUN lasts about this long. */
#define VXB_CALL_NS	500000000ULL
#define VXB_RUNS_MAX	(1ULL << 30)

struct gen_opts {
	const char *ifname;
	__u8 dmac[VXB_ETH_ALEN];
	__u8 smac[VXB_ETH_ALEN];
	struct in_addr outer_src, outer_dst, inner_src, inner_dst;
	struct in6_addr inner_src6, inner_dst6;
	unsigned int payload, batch, seconds, vni, dport, burst;
	uint64_t pps;
	int cpu, force_packet, inner6;
	size_t stamp_off; /* VXB_HDR_LEN, or VXB_HDR6_LEN with -6 */
};

struct gen_result {
	uint64_t sent, forgiven;
	double seconds;
	const char *mode;
};

static __u16 ip_csum(const void *p, size_t len)
{
	const __u16 *w = p;
	__u32 sum = 0;

	for (; len > 1; len -= 2)
		sum += *w++;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static void put_ip(struct iphdr *ip, unsigned int len, struct in_addr s, struct in_addr d)
{
	memset(ip, 0, sizeof(*ip));
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(len);
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->saddr = s.s_addr;
	ip->daddr = d.s_addr;
	ip->check = ip_csum(ip, sizeof(*ip));
}

/* One's complement sum of len bytes (even) at p, not folded. */
static __u32 sum16(const void *p, size_t len, __u32 sum)
{
	const __u16 *w = p;

	for (; len > 1; len -= 2)
		sum += *w++;
	return sum;
}

/* The inner IPv6 header and the UDP checksum over it and the datagram at udp. */
static void put_ip6(struct ip6_hdr *ip6, struct udphdr *udp, size_t ulen,
		    const struct gen_opts *o)
{
	__u32 sum;

	memset(ip6, 0, sizeof(*ip6));
	ip6->ip6_flow = htonl(6u << 28);
	ip6->ip6_plen = htons(ulen);
	ip6->ip6_nxt = IPPROTO_UDP;
	ip6->ip6_hlim = 64;
	ip6->ip6_src = o->inner_src6;
	ip6->ip6_dst = o->inner_dst6;
	udp->check = 0;
	sum = sum16(&ip6->ip6_src, 32, 0) + htons(ulen) + htons(IPPROTO_UDP);
	sum = sum16(udp, ulen & ~1UL, sum);
	if (ulen & 1)
		sum += htons(((const __u8 *)udp)[ulen - 1] << 8);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	udp->check = (__u16)~sum ? (__u16)~sum : 0xffff;
}

/* Builds the outer+inner frame into buf; returns its length. */
static size_t build_frame(const struct gen_opts *o, __u8 *buf)
{
	static const __u8 in_smac[] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };
	static const __u8 in_dmac[] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x02 };
	size_t iph = o->inner6 ? 40 : 20, inner_ip = iph + 8 + o->payload;
	size_t len = VXB_OUTER_LEN + 14 + inner_ip;
	struct ether_header *eth = (void *)buf;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	__u8 *vx = (void *)(udp + 1);
	struct ether_header *ieth = (void *)(vx + 8);
	struct iphdr *iip = (void *)(ieth + 1);
	struct udphdr *iudp = (void *)((__u8 *)iip + iph);
	size_t i, pattern = o->stamp_off + sizeof(struct vxb_stamp) + (o->inner6 ? 2 : 0);

	memset(buf, 0, len);
	memcpy(eth->ether_dhost, o->dmac, VXB_ETH_ALEN);
	memcpy(eth->ether_shost, o->smac, VXB_ETH_ALEN);
	eth->ether_type = htons(ETHERTYPE_IP);
	put_ip(ip, len - 14, o->outer_src, o->outer_dst);
	udp->source = htons(49152 + (o->payload & 0x3fff));
	udp->dest = htons(4789);
	udp->len = htons(len - 14 - 20);
	vx[0] = 0x08;
	vx[4] = o->vni >> 16;
	vx[5] = o->vni >> 8;
	vx[6] = o->vni;
	memcpy(ieth->ether_dhost, in_dmac, VXB_ETH_ALEN);
	memcpy(ieth->ether_shost, in_smac, VXB_ETH_ALEN);
	ieth->ether_type = htons(o->inner6 ? ETHERTYPE_IPV6 : ETHERTYPE_IP);
	iudp->source = htons(40000);
	iudp->dest = htons(o->dport);
	iudp->len = htons(8 + o->payload);
	for (i = pattern; i < len; i++)
		buf[i] = i;
	/* the stamp and its fix-up word are 0 here: the checksum holds for any stamp */
	if (o->inner6)
		put_ip6((struct ip6_hdr *)iip, iudp, 8 + o->payload, o);
	else
		put_ip(iip, inner_ip, o->inner_src, o->inner_dst);
	return len;
}

/*
 * Frames owed at time now by a generator that started at t0, at most
 * o->burst of them (when set); what is beyond is added to *forgiven.
 */
static uint64_t owed(const struct gen_opts *o, uint64_t t0, uint64_t now, uint64_t done,
		     uint64_t *forgiven)
{
	uint64_t due = (now - t0) / 1000 * o->pps / 1000000 - *forgiven;
	uint64_t n = due > done ? due - done : 0;

	if (o->burst && n > o->burst) {
		*forgiven += n - o->burst;
		n = o->burst;
	}
	return n;
}

static void wait_tick(uint64_t t0, uint64_t now)
{
	uint64_t next = t0 + ((now - t0) / VXB_TICK_NS + 1) * VXB_TICK_NS;
	struct timespec ts = { .tv_sec = next / 1000000000ULL, .tv_nsec = next % 1000000000ULL };

	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

static int live_run(int prog_fd, __u8 *frame, size_t len, unsigned int n, unsigned int batch)
{
	struct xdp_md ctx_in = { .data_end = len };
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = frame,
		.data_size_in = len,
		.ctx_in = &ctx_in,
		.ctx_size_in = sizeof(ctx_in),
		.repeat = n,
		.batch_size = batch,
		.flags = BPF_F_TEST_XDP_LIVE_FRAMES,
	);

	return bpf_prog_test_run_opts(prog_fd, &opts) ? -errno : 0;
}

/*
 * Paced in the program until end: calls of BPF_PROG_RUN sized to last
 * about VXB_CALL_NS each, from the runs per second of the previous call.
 */
static int live_paced(int prog_fd, const struct gen_opts *o, __u8 *frame, size_t len,
		      uint64_t end)
{
	uint64_t runs = 1 << 16, t, d;
	int ret = 0;

	while (!ret && (t = vxb_now_ns()) < end) {
		ret = live_run(prog_fd, frame, len, runs, o->batch);
		d = vxb_now_ns() - t;
		if (d)
			runs = runs * (VXB_CALL_NS < end - t ? VXB_CALL_NS : end - t) / d + 1;
		if (runs > VXB_RUNS_MAX)
			runs = VXB_RUNS_MAX;
	}
	return ret;
}

static int gen_live(const struct gen_opts *o, __u8 *frame, size_t len, struct gen_result *r)
{
	uint64_t t0, end, now, n, chunk = o->pps ? 0 : 1 << 16;
	int in_prog = o->pps && o->burst;
	struct gen_bpf *skel;
	int ret;

	if (!vxb_if_index(o->ifname))
		return -ENODEV;
	skel = gen_bpf__open();
	if (!skel)
		return -errno;
	skel->rodata->out_ifindex = vxb_if_index(o->ifname);
	skel->rodata->pps = in_prog ? o->pps : 0;
	skel->rodata->burst = o->burst;
	skel->rodata->inner6 = o->inner6;
	memcpy(skel->bss->hdr, frame, o->stamp_off);
	ret = gen_bpf__load(skel);
	if (ret)
		goto out;
	t0 = vxb_now_ns();
	end = t0 + o->seconds * 1000000000ULL;
	skel->bss->t0_ns = t0;
	skel->bss->end_ns = end;
	if (in_prog) {
		ret = live_paced(bpf_program__fd(skel->progs.vxb_gen), o, frame, len, end);
		if (ret)
			fprintf(stderr, "vxbench gen: BPF_PROG_RUN live frames on %s: %s\n",
				o->ifname, strerror(-ret));
		r->seconds = o->seconds;
		r->sent = skel->bss->seq;
		r->forgiven = skel->bss->forgiven;
		r->mode = "xdp-live-frames";
		goto out;
	}
	while ((now = vxb_now_ns()) < end) {
		n = chunk ? chunk : owed(o, t0, now, skel->bss->seq, &r->forgiven);
		if (!n) {
			wait_tick(t0, now);
			continue;
		}
		ret = live_run(bpf_program__fd(skel->progs.vxb_gen), frame, len, n, o->batch);
		if (ret) {
			fprintf(stderr, "vxbench gen: BPF_PROG_RUN live frames on %s: %s\n",
				o->ifname, strerror(-ret));
			goto out;
		}
	}
	r->seconds = (vxb_now_ns() - t0) / 1e9;
	r->sent = skel->bss->seq;
	r->mode = "xdp-live-frames";
out:
	gen_bpf__destroy(skel);
	return ret;
}

static int packet_socket(const char *ifname)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int fd, one = 1;

	sll.sll_ifindex = vxb_if_index(ifname);
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* Straight to the driver: a veth has no queue to go through anyway. */
	if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

/* Stamps and sends up to n frames from bufs; returns how many went out or -errno. */
static int packet_burst(const struct gen_opts *o, int fd, __u8 *bufs, size_t len, unsigned int n,
			uint64_t *seq)
{
	struct mmsghdr msg[VXB_MMSG];
	struct iovec iov[VXB_MMSG];
	unsigned int i;
	int ret;

	if (n > VXB_MMSG)
		n = VXB_MMSG;
	memset(msg, 0, sizeof(msg[0]) * n);
	for (i = 0; i < n; i++) {
		struct vxb_stamp st = { VXB_MAGIC, *seq + i, vxb_now_ns() };
		__u16 fix = vxb_stamp_fix(&st);

		memcpy(bufs + i * len + o->stamp_off, &st, sizeof(st));
		if (o->inner6)
			memcpy(bufs + i * len + o->stamp_off + sizeof(st), &fix, sizeof(fix));
		iov[i].iov_base = bufs + i * len;
		iov[i].iov_len = len;
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
	}
	ret = sendmmsg(fd, msg, n, 0);
	if (ret < 0)
		return errno == ENOBUFS || errno == EAGAIN ? 0 : -errno;
	*seq += ret;
	return ret;
}

static int gen_packet(const struct gen_opts *o, __u8 *frame, size_t len, struct gen_result *r)
{
	uint64_t t0, end, now, n, seq = 0;
	__u8 *bufs = NULL;
	int fd, ret = 0;
	unsigned int i;

	fd = packet_socket(o->ifname);
	if (fd < 0)
		return fd;
	bufs = malloc(len * VXB_MMSG);
	if (!bufs) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < VXB_MMSG; i++)
		memcpy(bufs + i * len, frame, len);
	t0 = vxb_now_ns();
	end = t0 + o->seconds * 1000000000ULL;
	while ((now = vxb_now_ns()) < end && ret >= 0) {
		n = o->pps ? owed(o, t0, now, seq, &r->forgiven) : VXB_MMSG;
		if (!n) {
			wait_tick(t0, now);
			continue;
		}
		ret = packet_burst(o, fd, bufs, len, n, &seq);
	}
	if (ret < 0)
		fprintf(stderr, "vxbench gen: sendmmsg on %s: %s\n", o->ifname, strerror(-ret));
	r->seconds = (vxb_now_ns() - t0) / 1e9;
	r->sent = seq;
	r->mode = "af-packet";
out:
	free(bufs);
	close(fd);
	return ret < 0 ? ret : 0;
}

static int gen_parse(int argc, char **argv, struct gen_opts *o)
{
	int c;

	while ((c = getopt(argc, argv, "6b:B:c:D:i:Ps:r:t:")) != -1) {
		switch (c) {
		case '6':
			o->inner6 = 1;
			o->stamp_off = VXB_HDR6_LEN;
			break;
		case 'b':
			o->batch = strtoul(optarg, NULL, 0);
			break;
		case 'B':
			o->burst = strtoul(optarg, NULL, 0);
			break;
		case 'c':
			o->cpu = atoi(optarg);
			break;
		case 'D':
			if (vxb_parse_mac(optarg, o->dmac))
				return -EINVAL;
			break;
		case 'i':
			o->ifname = optarg;
			break;
		case 'P':
			o->force_packet = 1;
			break;
		case 's':
			o->payload = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			o->pps = strtoull(optarg, NULL, 0);
			break;
		case 't':
			o->seconds = strtoul(optarg, NULL, 0);
			break;
		default:
			return -EINVAL;
		}
	}
	if (!o->ifname || o->payload < sizeof(struct vxb_stamp) + 2 * o->inner6 || o->payload > 9000 ||
	    !o->batch || !o->seconds)
		return -EINVAL;
	return 0;
}

int vxb_cmd_gen(int argc, char **argv)
{
	struct gen_opts o = { .payload = 64, .batch = 64, .seconds = 5, .vni = 1,
			      .dport = 31765, .cpu = -1, .stamp_off = VXB_HDR_LEN };
	struct gen_result r = { 0 };
	__u8 frame[VXB_OUTER_LEN + 14 + 40 + 8 + 9000];
	size_t len;
	int ret;

	inet_pton(AF_INET, "172.30.82.20", &o.outer_src);
	inet_pton(AF_INET, "172.30.82.108", &o.outer_dst);
	inet_pton(AF_INET, "198.51.100.10", &o.inner_src);
	inet_pton(AF_INET, "10.20.30.40", &o.inner_dst);
	inet_pton(AF_INET6, "2001:db8:1::10", &o.inner_src6);
	inet_pton(AF_INET6, "2001:db8:ff::40", &o.inner_dst6);
	if (gen_parse(argc, argv, &o)) {
		fprintf(stderr, "usage: vxbench gen -i ifname -D dstmac [-6P] [-s payload] "
				"[-r pps] [-t seconds] [-b batch] [-B burst] [-c cpu]\n");
		return 2;
	}
	ret = vxb_if_mac(o.ifname, o.smac);
	if (ret) {
		fprintf(stderr, "vxbench gen: MAC of %s: %s\n", o.ifname, strerror(-ret));
		return 1;
	}
	if (o.cpu >= 0 && vxb_pin_cpu(o.cpu))
		fprintf(stderr, "vxbench gen: pinning to CPU %d: %s\n", o.cpu, strerror(errno));
	len = build_frame(&o, frame);
	if (len <= VXB_LIVE_MAX && !o.force_packet)
		ret = gen_live(&o, frame, len, &r);
	else
		ret = gen_packet(&o, frame, len, &r);
	if (ret) {
		fprintf(stderr, "vxbench gen: generating on %s: %s\n", o.ifname, strerror(-ret));
		return 1;
	}
	printf("{\"mode\": \"%s\", \"inner\": \"ipv%d\", \"payload\": %u, \"frame_len\": %zu, \"sent\": %llu, "
	       "\"seconds\": %.3f, \"offered_pps\": %llu, \"sent_pps\": %.0f, \"burst\": %u, "
	       "\"forgiven\": %llu}\n",
	       r.mode, o.inner6 ? 6 : 4, o.payload, len, (unsigned long long)r.sent, r.seconds,
	       (unsigned long long)o.pps, r.sent / r.seconds, o.burst,
	       (unsigned long long)r.forgiven);
	return 0;
}
