// SPDX-License-Identifier: GPL-2.0-only
/*
 * explain_print.c - the verdict of `vxfwd explain` put into words, or JSON:
 * the counter that moved and what it means, the rule that took the frame
 * with its place in the rules file, and the frame as it leaves egress.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>

#include "explain.h"
#include "vxfwd_dsl.h"

static const char *proto_name(__u8 p)
{
	return p == IPPROTO_UDP ? "udp" : p == IPPROTO_TCP ? "tcp" : "ip";
}

/* The rule at position `pos`: name, and file:line when the rules file still matches. */
static void rule_where(const struct explain_rules *r, __u32 pos, char *name, size_t nlen, char *loc,
		       size_t llen)
{
	const char *state_name = r->live && pos < r->live->n_rules ? r->live->rule[pos] : NULL;

	snprintf(name, nlen, "rule %u", pos + 1);
	loc[0] = '\0';
	if (state_name)
		snprintf(name, nlen, "%s", state_name);
	if (!r->rs || pos >= r->rs->n_rules)
		return;
	if (state_name && strcmp(state_name, r->rs->rules[pos].name) != 0)
		return;
	snprintf(name, nlen, "%s", r->rs->rules[pos].name);
	snprintf(loc, llen, "%s:%u", r->rs->rules[pos].file, r->rs->rules[pos].line);
}

/* The rewritten frame's addresses, from ring record `k` (a fan-out rule: one per target). */
struct sent {
	char eth_dst[18], eth_src[18];
	char src[INSPECT_ENDPOINT_LEN], dst[INSPECT_ENDPOINT_LEN];
	const char *proto;
};

/*
 * The L4 header of the IPv6 packet at f + ETH_HLEN (rec_len bytes of the
 * frame held): after the hop-by-hop and destination options headers the
 * program lets through; its offset and protocol, or 0.
 */
static size_t ipv6_l4(const __u8 *f, size_t rec_len, __u8 *proto)
{
	size_t off = ETH_HLEN + sizeof(struct ipv6hdr);
	__u8 nh = f[ETH_HLEN + offsetof(struct ipv6hdr, nexthdr)];

	while (nh == 0 || nh == 60) { /* each step moves 8 bytes on at least */
		if (off + 2 > rec_len)
			return 0;
		nh = f[off];
		off += ((size_t)f[off + 1] + 1) * 8;
	}
	*proto = nh;
	return off;
}

static int sent_parse(const struct verdict *v, unsigned int k, struct sent *s)
{
	const __u8 *f = v->rec[k];
	size_t held;
	int v6;
	struct iphdr ip;
	__u8 proto;
	size_t l4;

	if (k >= v->n_recs)
		return -EINVAL;
	held = v->rec_len[k] < sizeof(v->rec[k]) ? v->rec_len[k] : sizeof(v->rec[k]);
	v6 = held > ETH_HLEN && f[12] == 0x86 && f[13] == 0xdd;
	if (held < ETH_HLEN + (v6 ? sizeof(struct ipv6hdr) : sizeof(ip)))
		return -EINVAL;
	if (v6) {
		l4 = ipv6_l4(f, held, &proto);
	} else {
		memcpy(&ip, f + ETH_HLEN, sizeof(ip));
		l4 = ETH_HLEN + (size_t)ip.ihl * 4;
		proto = ip.protocol;
	}
	if (!l4 || l4 + 4 > held)
		return -EINVAL;
	inspect_mac(f, s->eth_dst);
	inspect_mac(f + 6, s->eth_src);
	inspect_endpoint(s->src, sizeof(s->src), v6 ? AF_INET6 : AF_INET,
			 f + ETH_HLEN + (v6 ? offsetof(struct ipv6hdr, saddr) : offsetof(struct iphdr, saddr)),
			 f[l4] << 8 | f[l4 + 1]);
	inspect_endpoint(s->dst, sizeof(s->dst), v6 ? AF_INET6 : AF_INET,
			 f + ETH_HLEN + (v6 ? offsetof(struct ipv6hdr, daddr) : offsetof(struct iphdr, daddr)),
			 f[l4 + 2] << 8 | f[l4 + 3]);
	s->proto = proto_name(proto);
	return 0;
}

static int has_rule(const struct verdict *v)
{
	return v->have_ev && v->ev.rule != VXFWD_MON_NO_RULE;
}

void explain_print_text(const struct explain_rules *r, const struct verdict *v)
{
	char name[160], loc[300];
	unsigned int k;
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
		rule_where(r, v->ev.rule, name, sizeof(name), loc, sizeof(loc));
		printf("  rule '%s'%s%s%s\n", name, loc[0] ? " (" : "", loc, loc[0] ? ")" : "");
	}
	for (k = 0; v->counter == VXFWD_C_FORWARD && k < v->n_recs; k++) {
		if (sent_parse(v, k, &s))
			continue;
		printf("  sent as %s %s -> %s, ethernet %s -> %s%s\n", s.proto, s.src, s.dst,
		       s.eth_src, s.eth_dst,
		       r->live ? "" : " (next-hop MAC: resolved by the running instance)");
	}
}

static void json_sent(const struct explain_rules *r, const struct sent *s)
{
	printf("{\"proto\":\"%s\",\"src\":\"%s\",\"dst\":\"%s\",\"eth_src\":\"%s\","
	       "\"eth_dst\":\"%s\",\"nexthop_resolved\":%s}",
	       s->proto, s->src, s->dst, s->eth_src, s->eth_dst, r->live ? "true" : "false");
}

void explain_print_json(const struct explain_rules *r, const struct verdict *v, long frame)
{
	char name[160], loc[300], a[INSPECT_ENDPOINT_LEN], b[INSPECT_ENDPOINT_LEN];
	unsigned int k;
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
	if (v->have_ev && !inspect_ev_ends(&v->ev, 1, a, b, sizeof(a)))
		printf(",\"packet\":{\"family\":\"ipv%u\",\"proto\":\"%s\",\"src\":\"%s\","
		       "\"dst\":\"%s\"}",
		       v->ev.family ? v->ev.family : 4, proto_name(v->ev.proto), a, b);
	if (has_rule(v)) {
		rule_where(r, v->ev.rule, name, sizeof(name), loc, sizeof(loc));
		printf(",\"rule\":{\"position\":%u,\"name\":", v->ev.rule);
		inspect_json_str(name);
		printf(",\"location\":");
		inspect_json_str(loc);
		putchar('}');
	}
	if (v->counter == VXFWD_C_FORWARD && sent_parse(v, 0, &s) == 0) {
		printf(",\"sent\":");
		json_sent(r, &s);
		/* every copy, the first included: one per target of a fan-out rule */
		printf(",\"copies\":[");
		for (k = 0; k < v->n_recs; k++) {
			if (sent_parse(v, k, &s))
				continue;
			printf("%s", k ? "," : "");
			json_sent(r, &s);
		}
		putchar(']');
	}
	printf("}\n");
}

void explain_print_frame(const struct explain_rules *r, const struct verdict *v, long n)
{
	char name[160], loc[300], a[INSPECT_ENDPOINT_LEN], b[INSPECT_ENDPOINT_LEN];

	printf("%ld %s", n, inspect_counter_name(v->counter));
	if (v->have_ev && v->ev.proto && !inspect_ev_ends(&v->ev, 1, a, b, sizeof(a)))
		printf(" vni %u %s %s -> %s", v->ev.vni, proto_name(v->ev.proto), a, b);
	if (has_rule(v)) {
		rule_where(r, v->ev.rule, name, sizeof(name), loc, sizeof(loc));
		printf(" rule '%s'%s%s", name, loc[0] ? " " : "", loc);
	}
	putchar('\n');
}

void explain_print_query(const struct query *q, const char *what, const char *which)
{
	char a[INSPECT_ENDPOINT_LEN], b[INSPECT_ENDPOINT_LEN];

	inspect_endpoint(a, sizeof(a), q->family, q->src, q->sport);
	inspect_endpoint(b, sizeof(b), q->family, q->dst, q->dport);
	printf("%s %s -> %s vni %u, %s %s\n", proto_name(q->proto), a, b, q->vni, what, which);
}
