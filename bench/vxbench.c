// SPDX-License-Identifier: GPL-2.0-only
/*
 * vxbench.c - the benchmark's helper: generator, far-side counters, peer (b).
 *
 *	vxbench gen ...			offer frames (vxb_gen.c), -6: inner IPv6
 *	vxbench collector -i IF -d DIR	XDP counter + latency on the collector
 *	vxbench leak -i IF -d DIR	tc ingress leak counter on the mirror
 *	vxbench pass -i IF		XDP_PASS, so a veth accepts redirects
 *	vxbench xredir -i IF -o IF -D MAC -d DIR -a PREFIX... [-g]
 *					peer (b): XDP decap + DNAT + redirect
 *	vxbench read -d DIR		tallies of the pinned maps as JSON
 *	vxbench reset -d DIR		zero them
 *
 * Attach commands pin their maps in DIR and exit; the XDP and tc programs
 * stay attached through netlink until the interface (namespace) goes away.
 * XDP attaches in native (driver) mode, or generic (skb) mode with -g.
 * Run them in the right namespace with nsenter --net.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench_abi.h"
#include "collect.skel.h"
#include "vxbench.h"
#include "xredir.skel.h"

#define VXB_DNAT_ADDR	"172.30.82.95"
#define VXB_DNAT_ADDR6	"fd00:82::95"	/* gen -6: bench6.rules, peers6.nft */
#define VXB_DNAT_PORT	8081
#define VXB_DNAT_ADDR2	"172.30.82.96" /* the fan-out row's second target */
#define VXB_MATCH_PORT	31765

struct attach_opts {
	const char *ifname, *out, *dir;
	__u8 mac[VXB_ETH_ALEN];
	char *allow[64];
	int n_allow;
	__u32 xdp_flags;
};

int vxb_parse_mac(const char *s, __u8 mac[VXB_ETH_ALEN])
{
	if (sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3],
		   &mac[4], &mac[5]) != VXB_ETH_ALEN)
		return -EINVAL;
	return 0;
}

int vxb_if_mac(const char *ifname, __u8 mac[VXB_ETH_ALEN])
{
	struct ifreq ifr = { 0 };
	int fd, ret = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		ret = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, VXB_ETH_ALEN);
	close(fd);
	return ret;
}

int vxb_if_index(const char *ifname)
{
	return if_nametoindex(ifname);
}

int vxb_pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

uint64_t vxb_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Pins map as DIR/NAME, replacing the pin of an earlier attach. */
static int pin_map(struct bpf_map *map, const char *dir)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, bpf_map__name(map));
	if (unlink(path) && errno != ENOENT)
		return -errno;
	return bpf_map__pin(map, path);
}

static int xdp_attach(struct bpf_program *prog, const struct attach_opts *o)
{
	int ifindex = vxb_if_index(o->ifname);

	if (!ifindex)
		return -ENODEV;
	return bpf_xdp_attach(ifindex, bpf_program__fd(prog), o->xdp_flags, NULL);
}

static int attach_parse(int argc, char **argv, struct attach_opts *o)
{
	int c;

	o->xdp_flags = XDP_FLAGS_DRV_MODE;
	while ((c = getopt(argc, argv, "a:d:D:gi:o:")) != -1) {
		switch (c) {
		case 'a':
			if (o->n_allow == (int)(sizeof(o->allow) / sizeof(o->allow[0])))
				return -E2BIG;
			o->allow[o->n_allow++] = optarg;
			break;
		case 'd':
			o->dir = optarg;
			break;
		case 'D':
			if (vxb_parse_mac(optarg, o->mac))
				return -EINVAL;
			break;
		case 'g':
			o->xdp_flags = XDP_FLAGS_SKB_MODE;
			break;
		case 'i':
			o->ifname = optarg;
			break;
		case 'o':
			o->out = optarg;
			break;
		default:
			return -EINVAL;
		}
	}
	return o->ifname || o->dir ? 0 : -EINVAL;
}

/* Loads collect.bpf.c with only the program pick() names; NULL and errno on failure. */
static struct collect_bpf *collect_open(struct bpf_program *(*pick)(struct collect_bpf *),
					const char *ifname)
{
	struct collect_bpf *skel;
	struct bpf_program *p;

	if (!ifname) {
		errno = EINVAL;
		return NULL;
	}
	skel = collect_bpf__open();
	if (!skel)
		return NULL;
	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, p == pick(skel));
	inet_pton(AF_INET, VXB_DNAT_ADDR, (void *)&skel->rodata->want_addr);
	inet_pton(AF_INET6, VXB_DNAT_ADDR6, (void *)skel->rodata->want_addr6);
	inet_pton(AF_INET, VXB_DNAT_ADDR2, (void *)&skel->rodata->want_addr2);
	skel->rodata->want_port = htons(VXB_DNAT_PORT);
	if (vxb_if_mac(ifname, (__u8 *)skel->rodata->want_mac) || collect_bpf__load(skel)) {
		collect_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

static struct bpf_program *pick_collect(struct collect_bpf *s)
{
	return s->progs.vxb_collect;
}

static struct bpf_program *pick_leak(struct collect_bpf *s)
{
	return s->progs.vxb_leak;
}

static struct bpf_program *pick_pass(struct collect_bpf *s)
{
	return s->progs.vxb_pass;
}

/* The collector (its counters pinned in o->dir) or the bare XDP_PASS program on o->ifname. */
static int collect_xdp(struct attach_opts *o, int collector)
{
	struct collect_bpf *skel;
	int ret = 0;

	if (collector && !o->dir)
		return -EINVAL;
	skel = collect_open(collector ? pick_collect : pick_pass, o->ifname);
	if (!skel)
		return -errno;
	if (collector)
		ret = pin_map(skel->maps.vxb_coll, o->dir);
	if (!ret)
		ret = xdp_attach(collector ? pick_collect(skel) : pick_pass(skel), o);
	collect_bpf__destroy(skel);
	return ret;
}

static int do_collector(struct attach_opts *o)
{
	return collect_xdp(o, 1);
}

static int do_pass(struct attach_opts *o)
{
	return collect_xdp(o, 0);
}

static int do_leak(struct attach_opts *o)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, tc);
	struct collect_bpf *skel;
	int ret;

	if (!o->dir)
		return -EINVAL;
	skel = collect_open(pick_leak, o->ifname);
	if (!skel)
		return -errno;
	hook.ifindex = vxb_if_index(o->ifname);
	tc.prog_fd = bpf_program__fd(skel->progs.vxb_leak);
	ret = pin_map(skel->maps.vxb_leak_cnt, o->dir);
	if (ret)
		goto out;
	ret = bpf_tc_hook_create(&hook);
	if (ret && ret != -EEXIST)
		goto out;
	ret = bpf_tc_attach(&hook, &tc);
out:
	collect_bpf__destroy(skel);
	return ret;
}

static int xredir_allow(struct xredir_bpf *skel, struct attach_opts *o)
{
	struct vxb_lpm_key key;
	__u32 one = 1;
	char buf[32], *slash;
	int i;

	for (i = 0; i < o->n_allow; i++) {
		snprintf(buf, sizeof(buf), "%s", o->allow[i]);
		slash = strchr(buf, '/');
		key.prefixlen = slash ? atoi(slash + 1) : 32;
		if (slash)
			*slash = '\0';
		if (inet_pton(AF_INET, buf, &key.addr) != 1 || key.prefixlen > 32)
			return -EINVAL;
		if (bpf_map__update_elem(skel->maps.vxb_allow, &key, sizeof(key), &one,
					 sizeof(one), BPF_ANY))
			return -errno;
	}
	return 0;
}

static int do_xredir(struct attach_opts *o)
{
	struct xredir_bpf *skel = NULL;
	int ret = -EINVAL;

	if (!o->ifname || !o->out || !o->dir || !o->n_allow)
		return ret;
	if (!vxb_if_index(o->out))
		return -ENODEV;
	skel = xredir_bpf__open();
	if (!skel)
		return -errno;
	skel->rodata->egress_ifindex = vxb_if_index(o->out);
	skel->rodata->match_port = htons(VXB_MATCH_PORT);
	skel->rodata->nat_port = htons(VXB_DNAT_PORT);
	inet_pton(AF_INET, VXB_DNAT_ADDR, (void *)&skel->rodata->nat_addr);
	memcpy((void *)skel->rodata->dst_mac, o->mac, VXB_ETH_ALEN);
	ret = vxb_if_mac(o->out, (__u8 *)skel->rodata->src_mac);
	if (!ret)
		ret = xredir_bpf__load(skel);
	if (!ret)
		ret = xredir_allow(skel, o);
	if (!ret)
		ret = pin_map(skel->maps.vxb_xr_cnt, o->dir);
	if (!ret)
		ret = xdp_attach(skel->progs.vxb_xredir, o);
	xredir_bpf__destroy(skel);
	return ret;
}

/*
 * Opens the pinned per-CPU map dir/name into *fd with a zeroed buffer of one
 * value per possible CPU (`words` u64 each) into *vals; -errno (*fd < 0 when
 * the pin is missing).
 */
static int open_percpu(const char *dir, const char *name, size_t words, int *fd, __u64 **vals)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	*vals = NULL;
	*fd = bpf_obj_get(path);
	if (*fd < 0)
		return -errno;
	*vals = calloc(libbpf_num_possible_cpus(), words * sizeof(__u64));
	if (*vals)
		return 0;
	close(*fd);
	return -ENOMEM;
}

/* Sums a pinned per-CPU map's entry `key` into out (u64 words); -errno if absent. */
static int read_percpu(const char *dir, const char *name, __u32 key, __u64 *out, size_t words)
{
	size_t i, n = (size_t)libbpf_num_possible_cpus() * words;
	__u64 *vals;
	int fd, ret;

	ret = open_percpu(dir, name, words, &fd, &vals);
	if (ret)
		return ret;
	if (bpf_map_lookup_elem(fd, &key, vals)) {
		ret = -errno;
	} else {
		memset(out, 0, words * sizeof(__u64));
		for (i = 0; i < n; i++)
			out[i % words] += vals[i];
	}
	free(vals);
	close(fd);
	return ret;
}

/* Zeroes entries 0..n-1 of a pinned per-CPU map; a missing pin is nothing to zero. */
static int zero_percpu(const char *dir, const char *name, __u32 n, size_t words)
{
	__u64 *vals;
	__u32 key;
	int fd, ret;

	ret = open_percpu(dir, name, words, &fd, &vals);
	if (ret)
		return fd < 0 && ret == -ENOENT ? 0 : ret;
	for (key = 0; key < n && !ret; key++)
		if (bpf_map_update_elem(fd, &key, vals, BPF_ANY))
			ret = -errno;
	free(vals);
	close(fd);
	return ret;
}

/* Midpoint of latency bucket b, the inverse of vxb_bucket() in collect.bpf.c. */
static double bucket_ns(unsigned int b)
{
	unsigned int m, sub;

	if (b < VXB_HIST_SUB)
		return b;
	m = b / VXB_HIST_SUB + VXB_HIST_SHIFT - 1;
	sub = b % VXB_HIST_SUB;
	return (double)((VXB_HIST_SUB + sub) << (m - VXB_HIST_SHIFT)) +
	       (double)(1ULL << (m - VXB_HIST_SHIFT)) / 2;
}

static double percentile(const struct vxb_coll *c, double q)
{
	__u64 want = (__u64)(q * c->good), seen = 0;
	unsigned int b;

	if (!c->good)
		return 0;
	for (b = 0; b < VXB_HIST_N; b++) {
		seen += c->hist[b];
		if (seen > want)
			return bucket_ns(b);
	}
	return bucket_ns(VXB_HIST_N - 1);
}

static void print_coll(const struct vxb_coll *c)
{
	printf("\"good\": %llu, \"good2\": %llu, \"wrong\": %llu, \"good_bytes\": %llu, "
	       "\"lat_avg_ns\": %.0f, \"lat_p50_ns\": %.0f, \"lat_p99_ns\": %.0f, "
	       "\"lat_p999_ns\": %.0f",
	       (unsigned long long)c->good, (unsigned long long)c->good2,
	       (unsigned long long)c->wrong, (unsigned long long)c->good_bytes,
	       c->good ? (double)c->lat_sum_ns / c->good : 0.0, percentile(c, 0.50),
	       percentile(c, 0.99), percentile(c, 0.999));
}

static int do_read(struct attach_opts *o)
{
	__u64 xr[VXB_XR_MAX] = { 0 }, v;
	struct vxb_coll *c = calloc(1, sizeof(*c));
	struct vxb_leak l = { 0 };
	const char *sep = "";
	int found = 0;
	__u32 k;

	if (!c)
		return -ENOMEM;
	printf("{");
	if (!read_percpu(o->dir, "vxb_coll", 0, (__u64 *)c, sizeof(*c) / 8)) {
		print_coll(c);
		sep = ", ";
		found++;
	}
	if (!read_percpu(o->dir, "vxb_leak_cnt", 0, (__u64 *)&l, sizeof(l) / 8)) {
		printf("%s\"mirror_rx\": %llu, \"leaked\": %llu", sep,
		       (unsigned long long)l.frames, (unsigned long long)l.leaked);
		sep = ", ";
		found++;
	}
	for (k = 0; k < VXB_XR_MAX; k++)
		if (!read_percpu(o->dir, "vxb_xr_cnt", k, &v, 1))
			xr[k] = v;
	printf("%s\"xredir_pass\": %llu, \"xredir_redirect\": %llu, \"xredir_drop\": %llu}\n",
	       sep, (unsigned long long)xr[VXB_XR_PASS], (unsigned long long)xr[VXB_XR_REDIRECT],
	       (unsigned long long)xr[VXB_XR_DROP]);
	free(c);
	/* No collector and no leak counter: a wrong directory, not a clean run. */
	return found ? 0 : -ENOENT;
}

static int do_reset(struct attach_opts *o)
{
	int ret;

	ret = zero_percpu(o->dir, "vxb_coll", 1, sizeof(struct vxb_coll) / 8);
	if (!ret)
		ret = zero_percpu(o->dir, "vxb_leak_cnt", 1, sizeof(struct vxb_leak) / 8);
	if (!ret)
		ret = zero_percpu(o->dir, "vxb_xr_cnt", VXB_XR_MAX, 1);
	return ret;
}

static const struct {
	const char *name;
	const char *what;
	int (*fn)(struct attach_opts *o);
} vxb_cmds[] = {
	{ "collector", "attaching the collector to", do_collector },
	{ "leak", "attaching the leak counter to", do_leak },
	{ "pass", "attaching XDP_PASS to", do_pass },
	{ "read", "reading the counters in", do_read },
	{ "reset", "zeroing the counters in", do_reset },
	{ "xredir", "attaching the redirect peer to", do_xredir },
};

static int usage(void)
{
	fprintf(stderr, "usage: vxbench gen -i ifname -D dstmac [-6P] [-s payload] [-r pps] "
			"[-t seconds] [-b batch] [-B burst] [-c cpu]\n"
			"       vxbench collector|leak -i ifname -d pindir [-g]\n"
			"       vxbench pass -i ifname [-g]\n"
			"       vxbench xredir -i ifname -o egress -D nexthop-mac -d pindir "
			"-a prefix... [-g]\n"
			"       vxbench read|reset -d pindir\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct attach_opts o = { 0 };
	size_t i;
	int ret;

	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "gen"))
		return vxb_cmd_gen(argc - 1, argv + 1);
	for (i = 0; i < sizeof(vxb_cmds) / sizeof(vxb_cmds[0]); i++) {
		if (strcmp(argv[1], vxb_cmds[i].name))
			continue;
		if (attach_parse(argc - 1, argv + 1, &o))
			return usage();
		ret = vxb_cmds[i].fn(&o);
		if (ret) {
			fprintf(stderr, "vxbench %s: %s %s: %s\n", vxb_cmds[i].name,
				vxb_cmds[i].what, o.ifname ? o.ifname : o.dir, strerror(-ret));
			return 1;
		}
		return 0;
	}
	return usage();
}
