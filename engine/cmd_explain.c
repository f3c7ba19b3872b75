// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_explain.c - `vxfwd explain`: the XDP program's own verdict for one
 * packet, or for every frame of a capture (-r).
 *
 * A second copy of the program is loaded, with the ruleset maps of the
 * running instance (-n: reused as they are, never written) or with fresh
 * ones that maps.c fills from the rules file (-f), and with counters, rings
 * and a monitor of its own, so that the instance's statistics do not move.
 * The frame runs through it with BPF_PROG_TEST_RUN: the counter that moved
 * is the verdict, the monitor event names the rule, the ring record is the
 * frame as it would leave egress.  Nothing here matches rules itself.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attached.h"
#include "cmd.h"
#include "host.h"
#include "inspect.h"
#include "log.h"
#include "maps.h"
#include "vxfwd.skel.h"
#include "vxfwd_dsl.h"

#define EXPLAIN_RING_BYTES (64u << 10)
#define EXPLAIN_SPORT	   40000
#define PAYLOAD_LEN	   16
#define VXLAN_HLEN	   8

static const char *const ruleset_maps[] = {
	"vxfwd_active", "vxfwd_cfg", "vxfwd_vni", "vxfwd_lpm", "vxfwd_rule", "vxfwd_nexthop",
};

/* The packet of the command line. */
struct query {
	__u8 proto;
	__be32 src, dst;
	__u16 sport, dport;
	__u32 vni;
	int have_vni;
};

/* What one run of the program decided. */
struct verdict {
	__u32 counter;
	int have_ev;
	struct vxfwd_mon_ev ev;
	int have_rec;
	__u32 rec_len;
	__u8 rec[128]; /* the headers of the frame as it leaves */
};

struct explain {
	struct vxfwd_bpf *skel;
	struct vxfwd_maps m;
	struct ring_buffer *rb;
	struct vxfwd_ruleset *rs; /* names and locations of rules; may be NULL */
	struct vxfwd_state st;	  /* -n: the instance's state file */
	struct vxfwd_instance in;
	int live;
	int json;
	struct verdict *v; /* filled by the ring callbacks */
};

static const struct opt explain_opts[] = {
	{'j', "json", NULL, "Print JSON", 0},
	{'f', "file", "file", "Explain with the rules of <file> (the default file without -n)", 1},
	{'n', "name", "name", "Explain with the live maps of the running instance <name>", 1},
	{'r', "read", "pcap", "Explain every frame of the capture <pcap>", 2},
	{0, NULL, NULL, NULL, 0},
};

static const struct opt explain_operands[] = {
	{0, NULL, "udp | tcp", "The inner protocol", 0},
	{0, NULL, "src[:sport]", "The inner source address and port (default port 40000)", 0},
	{0, NULL, "dst:dport", "The inner destination address and port", 0},
	{0, NULL, "vni N", "The VNI (default the smallest one the rules accept)", 0},
	{0, NULL, NULL, NULL, 0},
};

const struct opt_cmd explain_cmd = {
	.name = "explain",
	.summary = "Say what the XDP program does with a packet: the rule that forwards it and "
		   "what it becomes, or why it is dropped.",
	.opts = explain_opts,
	.synopsis_args = "udp | tcp src[:sport] dst:dport [vni N]",
	.args_group = 2,
	.in_order = 1,
	.operands = explain_operands,
};

static void explain_usage(void)
{
	opt_usage(&explain_cmd, stderr);
}

/* ---- the frame ---------------------------------------------------------- */

static __u16 csum_fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

static __u32 csum_add(__u32 sum, const __u8 *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (__u32)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (__u32)(p[n - 1] << 8);
	return sum;
}

static void put_ipv4(__u8 *p, __u8 proto, __be32 src, __be32 dst, size_t payload)
{
	struct iphdr ip = {0};
	__u16 c;

	ip.version = 4;
	ip.ihl = 5;
	ip.ttl = 64;
	ip.protocol = proto;
	ip.tot_len = htons((__u16)(sizeof(ip) + payload));
	ip.saddr = src;
	ip.daddr = dst;
	memcpy(p, &ip, sizeof(ip));
	c = htons(csum_fold(csum_add(0, p, sizeof(ip))));
	memcpy(p + offsetof(struct iphdr, check), &c, 2);
}

/* Inner L4 header and payload at p; the checksum over the pseudo header. */
static size_t put_l4(__u8 *p, const struct query *q)
{
	size_t hl = q->proto == IPPROTO_TCP ? sizeof(struct tcphdr) : sizeof(struct udphdr);
	__u8 pseudo[12];
	__u16 c, len = (__u16)(hl + PAYLOAD_LEN);
	struct tcphdr tcp = {0};
	struct udphdr udp = {0};

	memset(p + hl, 'x', PAYLOAD_LEN);
	if (q->proto == IPPROTO_TCP) {
		tcp.source = htons(q->sport);
		tcp.dest = htons(q->dport);
		tcp.doff = 5;
		tcp.ack = 1;
		tcp.psh = 1;
		tcp.window = htons(512);
		memcpy(p, &tcp, sizeof(tcp));
	} else {
		udp.source = htons(q->sport);
		udp.dest = htons(q->dport);
		udp.len = htons(len);
		memcpy(p, &udp, sizeof(udp));
	}
	memcpy(pseudo, &q->src, 4);
	memcpy(pseudo + 4, &q->dst, 4);
	pseudo[8] = 0;
	pseudo[9] = q->proto;
	pseudo[10] = (__u8)(len >> 8);
	pseudo[11] = (__u8)len;
	c = htons(csum_fold(csum_add(csum_add(0, pseudo, sizeof(pseudo)), p, len)));
	if (q->proto == IPPROTO_UDP && !c)
		c = 0xffff;
	memcpy(p + (q->proto == IPPROTO_TCP ? offsetof(struct tcphdr, check)
					    : offsetof(struct udphdr, check)),
	       &c, 2);
	return len;
}

static void put_eth(__u8 *p, __u8 last_dst, __u8 last_src)
{
	static const __u8 base[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x00};
	__be16 type = htons(ETH_P_IP);

	memcpy(p, base, 6);
	p[5] = last_dst;
	memcpy(p + 6, base, 6);
	p[11] = last_src;
	memcpy(p + 12, &type, 2);
}

/* Outer Ethernet/IPv4/UDP/VXLAN around the inner packet of `q`. */
static size_t build_frame(__u8 *f, const struct query *q, __be16 vxport)
{
	size_t o_ip = ETH_HLEN, o_udp = o_ip + 20, o_vx = o_udp + 8, i_eth = o_vx + VXLAN_HLEN;
	size_t i_ip = i_eth + ETH_HLEN, l4len;
	struct udphdr udp = {0};
	__be32 vni = htonl(q->vni << 8);

	put_eth(f, 1, 2);
	put_eth(f + i_eth, 3, 4);
	l4len = put_l4(f + i_ip + 20, q);
	put_ipv4(f + i_ip, q->proto, q->src, q->dst, l4len);
	memset(f + o_vx, 0, VXLAN_HLEN);
	f[o_vx] = VXFWD_VXLAN_FLAG_I;
	memcpy(f + o_vx + 4, &vni, 4);
	udp.source = htons(49152);
	udp.dest = vxport;
	udp.len = htons((__u16)(8 + VXLAN_HLEN + ETH_HLEN + 20 + l4len));
	memcpy(f + o_udp, &udp, sizeof(udp));
	put_ipv4(f + o_ip, IPPROTO_UDP, htonl(0xc0000201), htonl(0xc0000202),
		 8 + VXLAN_HLEN + ETH_HLEN + 20 + l4len);
	return i_ip + 20 + l4len;
}

/* ---- the program ------------------------------------------------------ */

static int on_rec(void *ctx, void *data, size_t size)
{
	struct explain *x = ctx;
	const struct vxfwd_rec *r = data;
	size_t n;

	if (size < sizeof(*r) || r->len > size - sizeof(*r))
		return 0;
	n = r->len < sizeof(x->v->rec) ? r->len : sizeof(x->v->rec);
	memcpy(x->v->rec, r->frame, n);
	x->v->rec_len = r->len;
	x->v->have_rec = 1;
	return 0;
}

static int on_ev(void *ctx, void *data, size_t size)
{
	struct explain *x = ctx;

	if (size < sizeof(x->v->ev))
		return 0;
	memcpy(&x->v->ev, data, sizeof(x->v->ev));
	x->v->have_ev = 1;
	return 0;
}

/* -n: the ruleset maps of the live program, shared, before load. */
static int reuse_live(struct explain *x)
{
	struct bpf_map *map;
	int pfd, fd, ret = 0;
	size_t i;

	pfd = attached_instance_prog(&x->in, NULL, NULL, NULL);
	for (i = 0; !ret && i < sizeof(ruleset_maps) / sizeof(ruleset_maps[0]); i++) {
		fd = inspect_map_fd(&x->in, pfd, ruleset_maps[i]);
		if (fd < 0) {
			ret = fd;
			break;
		}
		map = bpf_object__find_map_by_name(x->skel->obj, ruleset_maps[i]);
		ret = map ? bpf_map__reuse_fd(map, fd) : -ENOENT;
		close(fd);
	}
	if (pfd >= 0)
		close(pfd);
	if (ret)
		log_warnx("%s: the ruleset maps of its XDP program cannot be opened: %s (is it "
			  "running, or was it detached?)",
			  x->in.name, strerror(-ret));
	return ret;
}

static int open_load(struct explain *x)
{
	int ret;

	x->skel = vxfwd_bpf__open();
	if (!x->skel)
		return -errno;
	ret = bpf_map__set_max_entries(x->skel->maps.vxfwd_ring, EXPLAIN_RING_BYTES);
	if (!ret && x->live)
		ret = reuse_live(x);
	if (ret)
		return ret;
	x->skel->bss->vxfwd_mon.on = 1;
	x->skel->bss->vxfwd_mon.rate = 1u << 30;
	x->skel->bss->vxfwd_mon.burst = 1u << 30;
	ret = vxfwd_bpf__load(x->skel);
	if (ret) {
		log_warnx("XDP program: load failed: %s", strerror(-ret));
		return ret;
	}
	maps_from_skel(&x->m, x->skel);
	x->rb = ring_buffer__new(x->m.ring, on_rec, x, NULL);
	if (!x->rb)
		return -errno;
	if (ring_buffer__add(x->rb, bpf_map__fd(x->skel->maps.vxfwd_mon_ring), on_ev, x))
		return -errno;
	return 0;
}

/*
 * -f: the rules as `run` writes them.  Next hops are resolved only by a
 * running instance: each DNAT target gets a placeholder MAC unless the rules
 * pin one, so the verdict is the rules' own.
 */
static int fill_from_rules(struct explain *x)
{
	struct vxfwd_apply_env env = {.egress_ifindex = if_nametoindex(x->rs->egress)};
	static const __u8 unresolved[6] = {0};
	struct vxfwd_nh nh;
	size_t i;
	int ret;

	ret = maps_apply(&x->m, x->rs, &env, NULL);
	if (ret) {
		log_warnx("maps: applying the ruleset failed: %s", strerror(-ret));
		return ret;
	}
	for (i = 0; i < x->rs->n_ops; i++) {
		if (x->rs->ops[i].map != VXFWD_MAP_NEXTHOP)
			continue;
		if (bpf_map_lookup_elem(x->m.nexthop, &x->rs->ops[i].key.addr, &nh) == 0 &&
		    (nh.flags & VXFWD_NH_F_VALID))
			continue;
		ret = maps_set_nexthop(&x->m, x->rs->ops[i].key.addr, unresolved, 0);
		if (ret)
			return ret;
	}
	return 0;
}

static int active_cfg(const struct explain *x, __u32 *gen, struct vxfwd_cfg *cfg)
{
	int ret = maps_active_gen(&x->m, gen);

	if (ret)
		return ret;
	return bpf_map_lookup_elem(x->m.cfg, gen, cfg) ? -errno : 0;
}

/* The smallest VNI the active generation accepts; -ENOENT for none. */
static int first_vni(const struct explain *x, __u32 gen, __u32 *vni)
{
	struct vxfwd_vni_key k, prev;
	int found = 0;
	void *p = NULL;

	while (!bpf_map_get_next_key(x->m.vni, p, &k)) {
		if (k.gen == gen && (!found || k.vni < *vni)) {
			*vni = k.vni;
			found = 1;
		}
		prev = k;
		p = &prev;
	}
	return found ? 0 : -ENOENT;
}

static int run_frame(struct explain *x, const __u8 *frame, __u32 len, struct verdict *v)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = len, .repeat = 1);
	struct vxfwd_count before[VXFWD_C_MAX], after[VXFWD_C_MAX];
	int ret, moved = 0;
	__u32 i;

	memset(v, 0, sizeof(*v));
	ret = maps_read_counters(&x->m, before);
	if (ret)
		return ret;
	if (bpf_prog_test_run_opts(bpf_program__fd(x->skel->progs.vxfwd_xdp), &o))
		return -errno;
	ret = maps_read_counters(&x->m, after);
	if (ret)
		return ret;
	/* The ring callbacks fill `v`, only while it exists. */
	x->v = v;
	ring_buffer__consume(x->rb);
	x->v = NULL;
	for (i = VXFWD_C_PASS; i < VXFWD_C_MAX; i++) {
		if (after[i].packets != before[i].packets) {
			v->counter = i;
			moved++;
		}
	}
	return moved == 1 ? 0 : -EPROTO;
}

/* ---- what it means ------------------------------------------------------ */

static void addr_port(char *buf, size_t len, __be32 a, __u16 port)
{
	char s[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, s, sizeof(s));
	snprintf(buf, len, "%s:%u", s, port);
}

static const char *proto_name(__u8 p)
{
	return p == IPPROTO_UDP ? "udp" : p == IPPROTO_TCP ? "tcp" : "ip";
}

/* The rule at position `pos`: name, and file:line when the rules file still matches. */
static void rule_where(const struct explain *x, __u32 pos, char *name, size_t nlen, char *loc,
		       size_t llen)
{
	const char *state_name = x->live && pos < x->st.n_rules ? x->st.rule[pos] : NULL;

	snprintf(name, nlen, "rule %u", pos + 1);
	loc[0] = '\0';
	if (state_name)
		snprintf(name, nlen, "%s", state_name);
	if (!x->rs || pos >= x->rs->n_rules)
		return;
	if (state_name && strcmp(state_name, x->rs->rules[pos].name) != 0)
		return;
	snprintf(name, nlen, "%s", x->rs->rules[pos].name);
	snprintf(loc, llen, "%s:%u", x->rs->rules[pos].file, x->rs->rules[pos].line);
}

/* The rewritten frame's addresses, from the ring record. */
struct sent {
	char eth_dst[18], eth_src[18];
	char src[32], dst[32];
	const char *proto;
};

static int sent_parse(const struct verdict *v, struct sent *s)
{
	const __u8 *f = v->rec;
	struct iphdr ip;
	__u16 sport, dport;
	size_t l4;

	if (!v->have_rec || v->rec_len < ETH_HLEN + sizeof(ip) + 4)
		return -EINVAL;
	memcpy(&ip, f + ETH_HLEN, sizeof(ip));
	l4 = ETH_HLEN + (size_t)ip.ihl * 4;
	if (l4 + 4 > sizeof(v->rec))
		return -EINVAL;
	sport = (__u16)(f[l4] << 8 | f[l4 + 1]);
	dport = (__u16)(f[l4 + 2] << 8 | f[l4 + 3]);
	inspect_mac(f, s->eth_dst);
	inspect_mac(f + 6, s->eth_src);
	addr_port(s->src, sizeof(s->src), ip.saddr, sport);
	addr_port(s->dst, sizeof(s->dst), ip.daddr, dport);
	s->proto = proto_name(ip.protocol);
	return 0;
}

static int has_rule(const struct verdict *v)
{
	return v->have_ev && v->ev.rule != VXFWD_MON_NO_RULE;
}

static void print_text(const struct explain *x, const struct verdict *v)
{
	char name[160], loc[300];
	struct sent s;

	if (v->counter == VXFWD_C_PASS) {
		printf("pass: %s\n", inspect_counter_why(v->counter));
		return;
	}
	printf("%s: %s", inspect_counter_name(v->counter), inspect_counter_why(v->counter));
	if (v->counter == VXFWD_C_DROP_VNI && v->have_ev)
		printf(" (VNI %u)", v->ev.vni);
	putchar('\n');
	if (has_rule(v)) {
		rule_where(x, v->ev.rule, name, sizeof(name), loc, sizeof(loc));
		printf("  rule '%s'%s%s%s\n", name, loc[0] ? " (" : "", loc, loc[0] ? ")" : "");
	}
	if (v->counter == VXFWD_C_FORWARD && sent_parse(v, &s) == 0) {
		printf("  sent as %s %s -> %s, ethernet %s -> %s%s\n", s.proto, s.src, s.dst,
		       s.eth_src, s.eth_dst,
		       x->live ? "" : " (next-hop MAC: resolved by the running instance)");
	}
}

static void print_json(const struct explain *x, const struct verdict *v, long frame)
{
	char name[160], loc[300], a[32], b[32];
	struct sent s;

	printf("{");
	if (frame >= 0)
		printf("\"frame\":%ld,", frame);
	printf("\"verdict\":\"%s\",\"counter\":\"%s\",\"reason\":",
	       v->counter == VXFWD_C_FORWARD ? "forward"
	       : v->counter == VXFWD_C_PASS  ? "pass"
					     : "drop",
	       inspect_counter_name(v->counter));
	inspect_json_str(inspect_counter_why(v->counter));
	/* The inner packet as far as the program parsed it. */
	if (v->have_ev)
		printf(",\"vni\":%u", v->ev.vni);
	if (v->have_ev && (v->ev.saddr || v->ev.daddr)) {
		addr_port(a, sizeof(a), v->ev.saddr, ntohs(v->ev.sport_be));
		addr_port(b, sizeof(b), v->ev.daddr, ntohs(v->ev.dport_be));
		printf(",\"packet\":{\"proto\":\"%s\",\"src\":\"%s\",\"dst\":\"%s\"}",
		       proto_name(v->ev.proto), a, b);
	}
	if (has_rule(v)) {
		rule_where(x, v->ev.rule, name, sizeof(name), loc, sizeof(loc));
		printf(",\"rule\":{\"position\":%u,\"name\":", v->ev.rule);
		inspect_json_str(name);
		printf(",\"location\":");
		inspect_json_str(loc);
		putchar('}');
	}
	if (v->counter == VXFWD_C_FORWARD && sent_parse(v, &s) == 0)
		printf(",\"sent\":{\"proto\":\"%s\",\"src\":\"%s\",\"dst\":\"%s\",\"eth_src\":\"%s\","
		       "\"eth_dst\":\"%s\",\"nexthop_resolved\":%s}",
		       s.proto, s.src, s.dst, s.eth_src, s.eth_dst, x->live ? "true" : "false");
	printf("}\n");
}

/* ---- the command line --------------------------------------------------- */

static int parse_hostport(const char *arg, __be32 *addr, __u16 *port, int need_port)
{
	char buf[64], *colon, *end;
	unsigned long p;

	if (snprintf(buf, sizeof(buf), "%s", arg) >= (int)sizeof(buf))
		return -EINVAL;
	colon = strchr(buf, ':');
	if (colon)
		*colon = '\0';
	if (inet_pton(AF_INET, buf, addr) != 1)
		return -EINVAL;
	if (!colon)
		return need_port ? -EINVAL : 0;
	p = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || p == 0 || p > 65535)
		return -EINVAL;
	*port = (__u16)p;
	return 0;
}

static int parse_query(int argc, char **argv, struct query *q)
{
	char *end;
	unsigned long n;

	memset(q, 0, sizeof(*q));
	q->sport = EXPLAIN_SPORT;
	if (argc != 3 && argc != 5)
		return -EINVAL;
	if (strcmp(argv[0], "udp") == 0)
		q->proto = IPPROTO_UDP;
	else if (strcmp(argv[0], "tcp") == 0)
		q->proto = IPPROTO_TCP;
	else
		return -EINVAL;
	if (parse_hostport(argv[1], &q->src, &q->sport, 0) ||
	    parse_hostport(argv[2], &q->dst, &q->dport, 1))
		return -EINVAL;
	if (argc == 3)
		return 0;
	n = strtoul(argv[4], &end, 0);
	if (strcmp(argv[3], "vni") != 0 || !argv[4][0] || *end || n > 0xffffff)
		return -EINVAL;
	q->vni = (__u32)n;
	q->have_vni = 1;
	return 0;
}

static int explain_one(struct explain *x, struct query *q)
{
	char a[32], b[32];
	__u8 frame[256];
	struct verdict v;
	struct vxfwd_cfg cfg;
	__u32 gen;
	size_t len;
	int ret;

	ret = active_cfg(x, &gen, &cfg);
	if (ret)
		return ret;
	if (!(cfg.flags & VXFWD_CFG_F_VALID) || !cfg.n_vxlan_ports)
		cfg.vxlan_port_be[0] = htons(VXFWD_VXLAN_DEFAULT_PORT);
	if (!q->have_vni && first_vni(x, gen, &q->vni))
		q->vni = 1;
	len = build_frame(frame, q, cfg.vxlan_port_be[0]);
	ret = run_frame(x, frame, (__u32)len, &v);
	if (ret) {
		log_warnx("explain: running the XDP program failed: %s", strerror(-ret));
		return ret;
	}
	if (x->json) {
		print_json(x, &v, -1);
		return 0;
	}
	addr_port(a, sizeof(a), q->src, q->sport);
	addr_port(b, sizeof(b), q->dst, q->dport);
	printf("%s %s -> %s vni %u, %s %s\n", proto_name(q->proto), a, b, q->vni,
	       x->live ? "instance" : "rules", x->live ? x->in.name : x->in.rules);
	print_text(x, &v);
	return 0;
}

/* ---- -r: every frame of a capture ------------------------------------- */

struct pcap_in {
	FILE *f;
	int swap;
};

static __u32 pcap_u32(const struct pcap_in *p, __u32 v)
{
	return p->swap ? __builtin_bswap32(v) : v;
}

static int pcap_open_read(struct pcap_in *p, const char *path)
{
	__u32 hdr[6];

	p->f = fopen(path, "re");
	if (!p->f)
		return -errno;
	if (fread(hdr, sizeof(hdr), 1, p->f) != 1)
		return -EINVAL;
	if (hdr[0] == 0xa1b2c3d4 || hdr[0] == 0xa1b23c4d)
		p->swap = 0;
	else if (hdr[0] == 0xd4c3b2a1 || hdr[0] == 0x4d3cb2a1)
		p->swap = 1;
	else
		return -EINVAL;
	return pcap_u32(p, hdr[5]) == 1 ? 0 : -EPROTONOSUPPORT; /* LINKTYPE_ETHERNET */
}

/* The next frame into buf; its length, 0 at the end, or -errno. */
static long pcap_read(struct pcap_in *p, __u8 *buf, size_t size)
{
	__u32 rh[4], caplen;

	if (fread(rh, sizeof(rh), 1, p->f) != 1)
		return 0;
	caplen = pcap_u32(p, rh[2]);
	if (caplen > size)
		return -EFBIG;
	if (fread(buf, 1, caplen, p->f) != caplen)
		return -EINVAL;
	return caplen;
}

static void print_frame_text(const struct explain *x, const struct verdict *v, long n)
{
	char name[160], loc[300], a[32], b[32];

	printf("%ld %s", n, inspect_counter_name(v->counter));
	if (v->have_ev && v->ev.proto) {
		addr_port(a, sizeof(a), v->ev.saddr, ntohs(v->ev.sport_be));
		addr_port(b, sizeof(b), v->ev.daddr, ntohs(v->ev.dport_be));
		printf(" vni %u %s %s -> %s", v->ev.vni, proto_name(v->ev.proto), a, b);
	}
	if (has_rule(v)) {
		rule_where(x, v->ev.rule, name, sizeof(name), loc, sizeof(loc));
		printf(" rule '%s'%s%s", name, loc[0] ? " " : "", loc);
	}
	putchar('\n');
}

static int explain_pcap(struct explain *x, const char *path)
{
	static __u8 buf[65536];
	unsigned long totals[VXFWD_C_MAX] = {0};
	struct pcap_in p = {NULL, 0};
	struct verdict v;
	long n, len;
	int ret;
	__u32 i;

	ret = pcap_open_read(&p, path);
	for (n = 1; !ret && (len = pcap_read(&p, buf, sizeof(buf))) > 0; n++) {
		ret = run_frame(x, buf, (__u32)len, &v);
		if (ret)
			break;
		totals[v.counter]++;
		if (x->json)
			print_json(x, &v, n);
		else
			print_frame_text(x, &v, n);
	}
	if (!ret && len < 0)
		ret = (int)len;
	if (p.f)
		fclose(p.f);
	if (ret) {
		log_warnx("%s: frame %ld: %s", path, n, strerror(-ret));
		return ret;
	}
	if (x->json)
		return 0;
	for (i = VXFWD_C_PASS; i < VXFWD_C_MAX; i++)
		if (totals[i])
			printf("total %s %lu\n", inspect_counter_name(i), totals[i]);
	return 0;
}

/* -n: the instance's state, and its rules file for the rules' locations. */
static int load_live(struct explain *x, const char *name)
{
	int ret;

	if (instance_init(&x->in, NULL, name))
		return -EINVAL;
	ret = inspect_state_read(x->in.statefile, &x->st);
	if (ret) {
		log_warnx("%s: not running: no state file %s", name, x->in.statefile);
		return -ESRCH;
	}
	x->live = 1;
	if (x->st.rules[0] &&
	    vxfwd_dsl_load(x->st.rules, NULL, VXFWD_DSL_F_QUIET, &host_ifaces, NULL, &x->rs) != 0)
		x->rs = NULL;
	return 0;
}

static int load_file(struct explain *x, const char *file)
{
	int ret;

	if (instance_init(&x->in, file, NULL) && instance_init(&x->in, file, "explain"))
		return -EINVAL;
	ret = vxfwd_dsl_load(x->in.rules, NULL, VXFWD_DSL_F_QUIET, &host_ifaces, stderr, &x->rs);
	if (ret == -EINVAL)
		return -EINVAL;
	if (ret)
		log_warnx("%s: cannot read the rules: %s", x->in.rules, strerror(-ret));
	return ret;
}

static int explain_prepare(struct explain *x, const char *file, const char *name)
{
	int ret;

	ret = name ? load_live(x, name) : load_file(x, file);
	if (ret)
		return ret == -EINVAL ? VXFWD_EXIT_CONFIG : VXFWD_EXIT_RUNTIME;
	ret = open_load(x);
	if (!ret && !x->live)
		ret = fill_from_rules(x);
	if (ret) {
		log_warnx("explain: %s", strerror(-ret));
		return VXFWD_EXIT_RUNTIME;
	}
	return VXFWD_EXIT_OK;
}

static void explain_free(struct explain *x)
{
	ring_buffer__free(x->rb);
	vxfwd_bpf__destroy(x->skel);
	if (x->rs)
		vxfwd_ruleset_free(x->rs);
}

int cmd_explain(int argc, char **argv)
{
	const char *file = NULL, *name = NULL, *pcap = NULL;
	struct explain x;
	struct query q;
	int c, status;

	memset(&x, 0, sizeof(x));
	optind = 0;
	while ((c = opt_next(&explain_cmd, argc, argv)) != -1) {
		if (c == 'j') {
			x.json = 1;
		} else if (c == 'r') {
			pcap = optarg;
		} else if ((c == 'f' && !name) || (c == 'n' && !file)) {
			*(c == 'f' ? &file : &name) = optarg;
		} else {
			explain_usage();
			return VXFWD_EXIT_USAGE;
		}
	}
	/* -j may also follow the packet: "explain udp A B:P vni 1 -j". */
	while (argc - optind > 0 &&
	       (strcmp(argv[argc - 1], "-j") == 0 || strcmp(argv[argc - 1], "--json") == 0)) {
		x.json = 1;
		argc--;
	}
	if ((pcap && optind != argc) || (!pcap && parse_query(argc - optind, argv + optind, &q))) {
		explain_usage();
		return VXFWD_EXIT_USAGE;
	}
	status = explain_prepare(&x, file, name);
	if (status == VXFWD_EXIT_OK &&
	    (pcap ? explain_pcap(&x, pcap) : explain_one(&x, &q)) != 0)
		status = VXFWD_EXIT_RUNTIME;
	explain_free(&x);
	return status;
}
