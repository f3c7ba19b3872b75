// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_xdp.c - the XDP program through BPF_PROG_TEST_RUN, no network.
 *
 * Maps are seeded from rules text through vxfwd_dsl_load_string() and
 * maps_apply(), the path `vxfwd run` takes (tests/lib/harness.h).  Each
 * case builds a frame, runs it once and checks the verdict, the ring output
 * (exact bytes against a rewrite computed here with full checksums) and the
 * counter deltas.  With -p, every frame of the real captures in
 * VXFWD_PCAP_DIR is replayed instead, each checked against a reference
 * model written here.
 *
 * A failing case writes input, actual and expected frames to
 * $VXFWD_TEST_OUTDIR/fail-GROUP-CASE.pcap.  Exit 0 pass, 1 fail, 77 skip.
 */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <netinet/in.h>

#include <bpf/libbpf.h>

#include "harness.h"
#include "pcap.h"
#include "pkt.h"
#include "vxfwd_dsl.h"
#include "vxfwd_limits.h"
#include "vxfwd_test.h"
#include "xdp_fanout.h"

#define RING_BYTES (256u << 10) /* small, so that RING_FULL is reachable */

/* One case: a frame, the counter it must land in, what must come out. */
struct tcase {
	const char *name;
	struct pkt_spec p;
	enum vxfwd_counter want;
	const char *rule;  /* FORWARD: name of the matching rule */
	const char *nat;   /* FORWARD: DNAT target */
	__u16 nat_port;	   /* FORWARD: new port, 0 = unchanged */
	const char *org;   /* FORWARD: organization counted, NULL none */
	int out_csum_ffff; /* tune the payload so the new UDP sum is 0 */
};

struct group {
	const char *name;
	const char *rules;	     /* NULL: run before any ruleset is applied */
	const char *const *nexthops; /* DNAT targets given a next hop */
	const struct tcase *cases;
	size_t n_cases;
};

struct t {
	struct hx h;
	struct t_report rep; /* rep.group: the group running */
};

#define fail(t, name, ...) t_fail(&(t)->rep, name, __VA_ARGS__)

/* ---- rule sets and cases ------------------------------------------------ */

static const char main_rules[] =
	HX_RULES_INGRESS("1, 7")
	"set exporters {\n"
	HX_RULES_EXAMPLE_ORG
	"	org \"Other Org\" id 1002 {\n"
	"		203.0.113.0/28\n"
	"	}\n"
	"}\n"
	"set lab { 192.0.2.0/24 }\n"
	HX_RULES_DNS_SSH
	"forward range udp from @exporters to port 5000-5009 dnat 172.30.82.96\n"
	"forward vni7 udp from @lab to port 6000 vni 7 dnat 172.30.82.97 port 6001\n"
	"forward nonh udp from @lab to port 7000 dnat 172.30.82.99\n"
	"forward notexp udp from !@exporters to 10.0.0.0/8 port 9000 dnat 172.30.82.98\n"
	"forward first udp from @exporters to port 4000-4010 dnat 172.30.82.95 port 1\n"
	"forward second udp from @exporters to port 4005-4020 dnat 172.30.82.96 port 2\n"
	"forward anydst tcp from @lab to any port 443 dnat 172.30.82.95\n"
	"forward notdst udp from @lab to !10.0.0.1 port 8000 dnat 172.30.82.96 port 8001\n";

static const char *const main_nexthops[] = {
	"172.30.82.95", "172.30.82.96", "172.30.82.97", "172.30.82.98", NULL,
};

#define FWD(n, r, a, pt, o) .want = VXFWD_C_FORWARD, .rule = r, .nat = a, .nat_port = pt, .org = o
#define UDP_DNS		    FWD("dns", "dns", "172.30.82.95", 8081, "Example Org")
#define TCP		    6
#define ICMP		    1
#define GRE		    47
/* Bytes of a default inner frame: 14 + 20 + 8. */
#define INNER_MIN 42
/* Outer UDP length and IPv4 total length of a frame with `pl` payload bytes. */
#define O_UDP(pl) (8 + 8 + INNER_MIN + (pl))
#define O_TOT(pl) (20 + O_UDP(pl))

static const struct tcase main_cases[] = {
	/* forwarded */
	{"udp-dnat", {.payload = 32}, UDP_DNS},
	{"tcp-dnat",
	 {.i_proto = TCP, .dport = 22, .payload = 100},
	 FWD("ssh", "ssh", "172.30.82.95", 2222, "Example Org")},
	{"udp-csum-0-kept", {.udp_csum0 = 1, .payload = 20}, UDP_DNS},
	{"udp-csum-becomes-ffff", {.payload = 20}, UDP_DNS, .out_csum_ffff = 1},
	{"inner-ipv4-options", {.i_opts = 12, .payload = 10}, UDP_DNS},
	{"inner-ipv4-options-max-tcp",
	 {.i_opts = 40, .i_proto = TCP, .dport = 22, .payload = 7},
	 FWD("ssh", "ssh", "172.30.82.95", 2222, "Example Org")},
	{"outer-ipv4-options", {.o_opts = 16, .payload = 10}, UDP_DNS},
	{"outer-ipv4-options-max", {.o_opts = 40, .payload = 10}, UDP_DNS},
	{"second-vxlan-port", {.o_dport = 8472, .payload = 10}, UDP_DNS},
	{"second-org",
	 {.src = "203.0.113.5", .payload = 10},
	 FWD("dns", "dns", "172.30.82.95", 8081, "Other Org")},
	{"range-low", {.dport = 5000}, FWD("r", "range", "172.30.82.96", 0, "Example Org")},
	{"range-high", {.dport = 5009}, FWD("r", "range", "172.30.82.96", 0, "Example Org")},
	{"vni-rule",
	 {.vni = 7, .src = "192.0.2.5", .dport = 6000},
	 FWD("v", "vni7", "172.30.82.97", 6001, NULL)},
	{"first-match-wins", {.dport = 4005}, FWD("f", "first", "172.30.82.95", 1, "Example Org")},
	{"first-match-first-only",
	 {.dport = 4010},
	 FWD("f", "first", "172.30.82.95", 1, "Example Org")},
	{"first-match-second",
	 {.dport = 4011},
	 FWD("s", "second", "172.30.82.96", 2, "Example Org")},
	{"negated-source-unknown",
	 {.src = "8.8.8.8", .dst = "10.1.2.3", .dport = 9000},
	 FWD("n", "notexp", "172.30.82.98", 0, NULL)},
	{"negated-source-lab",
	 {.src = "192.0.2.9", .dst = "10.1.2.3", .dport = 9000},
	 FWD("n", "notexp", "172.30.82.98", 0, NULL)},
	{"any-destination",
	 {.i_proto = TCP, .src = "192.0.2.7", .dst = "100.64.1.1", .dport = 443},
	 FWD("a", "anydst", "172.30.82.95", 0, NULL)},
	{"negated-destination",
	 {.src = "192.0.2.7", .dst = "10.0.0.2", .dport = 8000},
	 FWD("d", "notdst", "172.30.82.96", 8001, NULL)},
	{"frame-64-bytes", {.payload = 64 - INNER_MIN}, UDP_DNS},
	{"frame-1514-bytes",
	 {.i_proto = TCP, .dport = 22, .payload = 1500 - 40},
	 FWD("ssh", "ssh", "172.30.82.95", 2222, "Example Org")},
	{"frame-9000-udp-frags", {.payload = 9000 - 28}, UDP_DNS},
	{"frame-9014-tcp-frags",
	 {.i_proto = TCP, .dport = 22, .payload = 9000 - 40},
	 FWD("ssh", "ssh", "172.30.82.95", 2222, "Example Org")},
	{"frame-9216-largest", {.payload = 9216 - INNER_MIN}, UDP_DNS},
	{"mirror-padding-stripped", {.payload = 4, .pad = 20}, UDP_DNS},
	{"jumbo-padding-stripped", {.payload = 3000, .pad = 60}, UDP_DNS},
	{"outer-ethernet-padding", {.payload = 4, .o_pad = 20}, UDP_DNS},
	{"outer-ethernet-and-mirror-padding", {.payload = 4, .pad = 6, .o_pad = 30}, UDP_DNS},
	{"outer-ethernet-padding-options", {.o_opts = 8, .payload = 9, .o_pad = 1}, UDP_DNS},
	{"outer-lengths-end-at-inner-frame",
	 {.payload = 10, .pad = 20, .o_tot_len = O_TOT(10), .o_udp_len = O_UDP(10)},
	 UDP_DNS},

	/* not mirror traffic: passed untouched */
	{"pass-outer-ipv6", {.o_ethertype = ETH_P_IPV6}, .want = VXFWD_C_PASS},
	{"pass-outer-arp", {.o_ethertype = ETH_P_ARP}, .want = VXFWD_C_PASS},
	{"pass-outer-vlan", {.o_vlan = 10}, .want = VXFWD_C_PASS},
	{"pass-outer-tcp", {.o_proto = TCP}, .want = VXFWD_C_PASS},
	{"pass-outer-icmp", {.o_proto = ICMP}, .want = VXFWD_C_PASS},
	{"pass-other-udp-port", {.o_dport = 53}, .want = VXFWD_C_PASS},
	{"pass-default-port-not-configured", {.o_dport = 4790}, .want = VXFWD_C_PASS},
	{"pass-outer-non-first-fragment", {.o_frag = 0x00b9}, .want = VXFWD_C_PASS},
	{"pass-outer-non-first-last-fragment", {.o_frag = 0x2010}, .want = VXFWD_C_PASS},
	{"pass-outer-bad-ihl", {.o_ihl = 4}, .want = VXFWD_C_PASS},
	{"pass-outer-not-version-4", {.o_ver = 6}, .want = VXFWD_C_PASS},
	{"pass-outer-short", {.cut = INNER_MIN + 8 + 8 + 6}, .want = VXFWD_C_PASS},
	{"pass-outer-short-lost", {.lost = INNER_MIN + 8 + 8 + 6}, .want = VXFWD_C_PASS},
	{"pass-other-port-udp-len-9", {.o_dport = 53, .o_udp_len = 9}, .want = VXFWD_C_PASS},
	{"pass-other-port-tot-len-long",
	 {.o_dport = 53, .o_tot_len = 4000},
	 .want = VXFWD_C_PASS},
	{"pass-other-port-tot-len-short", {.o_dport = 53, .o_tot_len = 21}, .want = VXFWD_C_PASS},
	{"pass-other-port-lost", {.o_dport = 53, .payload = 50, .lost = 30}, .want = VXFWD_C_PASS},
	{"pass-non-first-fragment-lengths",
	 {.o_frag = 0x00b9, .o_tot_len = 4000, .o_udp_len = 3},
	 .want = VXFWD_C_PASS},
	{"pass-geneve-port-not-configured", {.g_on = 1, .payload = 8}, .want = VXFWD_C_PASS},

	/* mirror traffic, dropped with a reason */
	{"outer-first-fragment", {.o_frag = 0x2000}, .want = VXFWD_C_DROP_OUTER_FRAG},
	{"outer-first-fragment-df", {.o_frag = 0x6000}, .want = VXFWD_C_DROP_OUTER_FRAG},
	/* A first fragment's UDP length is the whole datagram's. */
	{"outer-first-fragment-udp-len",
	 {.o_frag = 0x2000, .o_udp_len = 3000},
	 .want = VXFWD_C_DROP_OUTER_FRAG},
	{"outer-udp-len-9", {.payload = 32, .o_udp_len = 9}, .want = VXFWD_C_DROP_OUTER_LEN},
	{"outer-udp-len-below-header", {.o_udp_len = 4}, .want = VXFWD_C_DROP_OUTER_LEN},
	{"outer-udp-len-in-vxlan", {.o_udp_len = 8 + 4}, .want = VXFWD_C_DROP_OUTER_LEN},
	{"outer-udp-len-vxlan-only", {.o_udp_len = 8 + 8}, .want = VXFWD_C_DROP_OUTER_LEN},
	{"outer-udp-len-in-inner-eth", {.o_udp_len = 16 + 6}, .want = VXFWD_C_DROP_OUTER_LEN},
	{"outer-udp-len-in-inner-ip", {.o_udp_len = 16 + 14 + 10}, .want = VXFWD_C_DROP_OUTER_LEN},
	{"outer-udp-len-one-short",
	 {.payload = 20, .o_udp_len = O_UDP(20) - 1},
	 .want = VXFWD_C_DROP_OUTER_LEN},
	{"outer-udp-len-one-long",
	 {.payload = 20, .o_udp_len = O_UDP(20) + 1},
	 .want = VXFWD_C_DROP_OUTER_LEN},
	{"outer-udp-len-long-into-padding",
	 {.payload = 20, .o_pad = 10, .o_udp_len = O_UDP(20) + 10},
	 .want = VXFWD_C_DROP_OUTER_LEN},
	{"outer-udp-len-65535", {.o_udp_len = 65535}, .want = VXFWD_C_DROP_OUTER_LEN},
	{"outer-udp-len-short-of-mirror-padding",
	 {.payload = 20, .pad = 20, .o_udp_len = O_UDP(20)},
	 .want = VXFWD_C_DROP_OUTER_LEN},
	{"outer-tot-len-below-ihl", {.o_tot_len = 12}, .want = VXFWD_C_DROP_OUTER_LEN},
	{"outer-tot-len-in-udp", {.o_tot_len = 20 + 4}, .want = VXFWD_C_DROP_OUTER_LEN},
	{"outer-tot-len-in-vxlan",
	 {.o_tot_len = 20 + 8 + 4, .o_udp_len = 8 + 4},
	 .want = VXFWD_C_DROP_OUTER_LEN},
	{"outer-tot-len-in-inner-eth",
	 {.o_tot_len = 20 + 16 + 6, .o_udp_len = 16 + 6},
	 .want = VXFWD_C_DROP_OUTER_LEN},
	{"outer-tot-len-in-inner-ip",
	 {.o_tot_len = 20 + 16 + 14 + 10, .o_udp_len = 16 + 14 + 10},
	 .want = VXFWD_C_DROP_OUTER_LEN},
	{"outer-tot-len-in-inner-ip-options",
	 {.i_opts = 20, .o_tot_len = 20 + 16 + 14 + 30, .o_udp_len = 16 + 14 + 30},
	 .want = VXFWD_C_DROP_OUTER_LEN},
	{"outer-tot-len-one-short-of-inner",
	 {.payload = 20, .o_pad = 1, .o_tot_len = O_TOT(20) - 1, .o_udp_len = O_UDP(20) - 1},
	 .want = VXFWD_C_DROP_OUTER_LEN},
	{"outer-tot-len-one-short-of-inner-tcp",
	 {.i_proto = TCP, .dport = 22, .payload = 50, .o_tot_len = O_TOT(62) - 1,
	  .o_udp_len = O_UDP(62) - 1},
	 .want = VXFWD_C_DROP_OUTER_LEN},
	{"outer-tot-len-one-long", {.o_tot_len = O_TOT(0) + 1}, .want = VXFWD_C_DROP_OUTER_LEN},
	{"outer-lengths-one-beyond-frame",
	 {.o_tot_len = O_TOT(0) + 1, .o_udp_len = O_UDP(0) + 1},
	 .want = VXFWD_C_DROP_OUTER_LEN},
	{"outer-tot-len-65535", {.o_tot_len = 65535}, .want = VXFWD_C_DROP_OUTER_LEN},
	{"outer-bytes-lost", {.payload = 100, .lost = 1}, .want = VXFWD_C_DROP_OUTER_LEN},
	{"outer-bytes-lost-jumbo", {.payload = 8972, .lost = 1000}, .want = VXFWD_C_DROP_OUTER_LEN},
	{"outer-bytes-lost-in-vxlan",
	 {.lost = INNER_MIN + 4},
	 .want = VXFWD_C_DROP_OUTER_LEN},
	{"outer-len-before-vxlan-flags",
	 {.vx_flags_xor = 0x08, .o_udp_len = 9},
	 .want = VXFWD_C_DROP_OUTER_LEN},
	/* Only an IPv4 inner frame has a known extent to check. */
	{"outer-len-in-inner-arp",
	 {.i_ethertype = ETH_P_ARP, .o_tot_len = 20 + 16 + 20, .o_udp_len = 16 + 20},
	 .want = VXFWD_C_DROP_INNER_NOT_IP},
	{"outer-len-before-rules",
	 {.src = "8.8.4.4", .o_udp_len = 9},
	 .want = VXFWD_C_DROP_OUTER_LEN},
	{"vxlan-i-flag-clear", {.vx_flags_xor = 0x08}, .want = VXFWD_C_DROP_VXLAN_HDR},
	{"vxlan-extra-flag", {.vx_flags_xor = 0x80}, .want = VXFWD_C_DROP_VXLAN_HDR},
	{"vxlan-reserved-bits", {.vx_rsvd = 1}, .want = VXFWD_C_DROP_VXLAN_HDR},
	{"vxlan-short", {.cut = INNER_MIN + 4}, .want = VXFWD_C_DROP_VXLAN_HDR},
	{"vni-unknown", {.vni = 2}, .want = VXFWD_C_DROP_VNI},
	{"inner-arp", {.i_ethertype = ETH_P_ARP}, .want = VXFWD_C_DROP_INNER_NOT_IP},
	{"inner-ipv6-no-ipv6-sets", {.i6 = 1}, .want = VXFWD_C_DROP_SRC_NOT_ALLOWED},
	{"inner-ipv6-ethertype-ipv4-header",
	 {.i_ethertype = ETH_P_IPV6},
	 .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"inner-vlan", {.i_vlan = 100}, .want = VXFWD_C_DROP_INNER_NOT_IP},
	{"inner-qinq", {.i_qinq = 200, .i_vlan = 100}, .want = VXFWD_C_DROP_INNER_NOT_IP},
	{"inner-eth-short", {.cut = INNER_MIN - 6}, .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"inner-ip-short", {.cut = INNER_MIN - 14 - 10}, .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"inner-ihl-4", {.i_ihl = 4}, .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"inner-not-version-4", {.i_ver = 5}, .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"inner-options-short", {.i_ihl = 15, .payload = 0}, .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"inner-tot-len-below-ihl", {.i_tot_len = 16}, .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"inner-udp-short", {.i_tot_len = 24, .payload = 10}, .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"inner-tcp-short",
	 {.i_proto = TCP, .dport = 22, .i_tot_len = 30, .payload = 10},
	 .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"inner-tcp-doff-4",
	 {.i_proto = TCP, .dport = 22, .tcp_doff = 4},
	 .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"inner-tcp-doff-beyond",
	 {.i_proto = TCP, .dport = 22, .tcp_doff = 15, .payload = 8},
	 .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"inner-truncated", {.payload = 100, .cut = 1}, .want = VXFWD_C_DROP_INNER_TRUNCATED},
	{"inner-truncated-jumbo",
	 {.payload = 8972, .cut = 8000},
	 .want = VXFWD_C_DROP_INNER_TRUNCATED},
	{"inner-truncated-before-rules",
	 {.src = "8.8.4.4", .payload = 100, .cut = 1},
	 .want = VXFWD_C_DROP_INNER_TRUNCATED},
	{"inner-bad-csum", {.i_bad_csum = 1}, .want = VXFWD_C_DROP_INNER_CSUM},
	{"inner-first-fragment",
	 {.i_frag = 0x2000, .payload = 16},
	 .want = VXFWD_C_DROP_INNER_FRAG},
	{"inner-non-first-fragment",
	 {.i_frag = 0x0002, .payload = 16},
	 .want = VXFWD_C_DROP_INNER_FRAG},
	{"inner-icmp", {.i_proto = ICMP}, .want = VXFWD_C_DROP_INNER_PROTO},
	{"inner-gre", {.i_proto = GRE}, .want = VXFWD_C_DROP_INNER_PROTO},
	{"source-not-allowed", {.src = "8.8.4.4"}, .want = VXFWD_C_DROP_SRC_NOT_ALLOWED},
	{"source-outside-prefix", {.src = "203.0.113.16"}, .want = VXFWD_C_DROP_SRC_NOT_ALLOWED},
	{"no-rule-port", {.dport = 1234}, .want = VXFWD_C_DROP_NO_RULE},
	{"no-rule-range-above", {.dport = 5021}, .want = VXFWD_C_DROP_NO_RULE},
	{"no-rule-proto", {.i_proto = TCP, .dport = 31765}, .want = VXFWD_C_DROP_NO_RULE},
	{"no-rule-vni",
	 {.vni = 1, .src = "192.0.2.5", .dport = 6000},
	 .want = VXFWD_C_DROP_NO_RULE},
	{"no-rule-negated-source",
	 {.dst = "10.1.2.3", .dport = 9000},
	 .want = VXFWD_C_DROP_NO_RULE},
	{"no-rule-negated-destination",
	 {.src = "192.0.2.7", .dst = "10.0.0.1", .dport = 8000},
	 .want = VXFWD_C_DROP_NO_RULE},
	{"no-nexthop", {.src = "192.0.2.5", .dport = 7000}, .want = VXFWD_C_DROP_NO_NEXTHOP},
	{"too-big", {.payload = 9216 - INNER_MIN + 1}, .want = VXFWD_C_DROP_TOO_BIG},
};

/* Before the first apply: fail closed on the default ports only. */
static const struct tcase noconfig_cases[] = {
	{"no-config-default-port", {.payload = 8}, .want = VXFWD_C_DROP_NO_CONFIG},
	{"no-config-default-port-udp-len-9", {.o_udp_len = 9}, .want = VXFWD_C_DROP_NO_CONFIG},
	{"no-config-default-geneve-port", {.g_on = 1}, .want = VXFWD_C_DROP_NO_CONFIG},
	{"no-config-other-port", {.o_dport = 8472}, .want = VXFWD_C_PASS},
	{"no-config-other-geneve-port", {.g_on = 1, .g_dport = 6082}, .want = VXFWD_C_PASS},
	{"no-config-outer-tcp", {.o_proto = TCP}, .want = VXFWD_C_PASS},
	{"no-config-non-first-fragment", {.o_frag = 0x0010}, .want = VXFWD_C_PASS},
};

/* A second ruleset replaces the first: old rules must be gone. */
static const char reload_rules[] =
	"ingress ens5 { vxlan port 4789; vni 9 }\n"
	"egress ens6\n"
	"set lab { 192.0.2.0/24 }\n"
	"forward moved udp from @lab to port 31765 dnat 172.30.82.96 port 9999\n";

static const char *const reload_nexthops[] = {"172.30.82.96", NULL};

static const struct tcase reload_cases[] = {
	{"reload-new-rule",
	 {.vni = 9, .src = "192.0.2.1"},
	 FWD("m", "moved", "172.30.82.96", 9999, NULL)},
	{"reload-old-vni-gone", {.vni = 1}, .want = VXFWD_C_DROP_VNI},
	{"reload-old-set-gone", {.vni = 9}, .want = VXFWD_C_DROP_SRC_NOT_ALLOWED},
	{"reload-old-port-gone", {.o_dport = 8472, .vni = 9}, .want = VXFWD_C_PASS},
};

/*
 * Back to the generation the main ruleset used: nothing of it may be left
 * (VNIs, prefixes, counters).
 */
static const char reload_back_rules[] =
	"ingress ens5 { vxlan port 4789; vni 9 }\n"
	"egress ens6\n"
	"forward back udp from 192.0.2.1 to port 31765 dnat 172.30.82.96\n";

static const struct tcase reload_back_cases[] = {
	{"back-new-rule",
	 {.vni = 9, .src = "192.0.2.1"},
	 FWD("b", "back", "172.30.82.96", 0, NULL)},
	{"back-main-vni-gone",
	 {.vni = 7, .src = "192.0.2.5", .dport = 6000},
	 .want = VXFWD_C_DROP_VNI},
	{"back-main-set-gone", {.vni = 9}, .want = VXFWD_C_DROP_SRC_NOT_ALLOWED},
	{"back-main-prefix-gone",
	 {.vni = 9, .src = "203.0.113.1"},
	 .want = VXFWD_C_DROP_SRC_NOT_ALLOWED},
};

/* Several protocols, ports and port ranges, and a VNI range, in one rule each. */
static const char lists_rules[] =
	"ingress ens5 { vxlan port 4789; vni 1, 7, 100, 150, 250 }\n"
	"egress ens6\n"
	"set lab { 192.0.2.0/24 }\n"
	"forward both udp, tcp from @lab to port 53, 5353, 8000-8010 dnat 172.30.82.95\n"
	"forward vnis udp from @lab to port 6000 vni 100-199 dnat 172.30.82.96 port 6001\n";

static const char *const lists_nexthops[] = {"172.30.82.95", "172.30.82.96", NULL};

#define LAB(...) {.src = "192.0.2.5", __VA_ARGS__}

static const struct tcase lists_cases[] = {
	{"lists-udp-first-port", LAB(.dport = 53), FWD("b", "both", "172.30.82.95", 0, NULL)},
	{"lists-tcp-second-port",
	 LAB(.i_proto = TCP, .dport = 5353),
	 FWD("b", "both", "172.30.82.95", 0, NULL)},
	{"lists-range-low", LAB(.dport = 8000), FWD("b", "both", "172.30.82.95", 0, NULL)},
	{"lists-range-high",
	 LAB(.i_proto = TCP, .dport = 8010),
	 FWD("b", "both", "172.30.82.95", 0, NULL)},
	{"lists-between-ports", LAB(.dport = 54), .want = VXFWD_C_DROP_NO_RULE},
	{"lists-after-range", LAB(.i_proto = TCP, .dport = 8011), .want = VXFWD_C_DROP_NO_RULE},
	{"lists-vni-range-low",
	 LAB(.vni = 100, .dport = 6000),
	 FWD("v", "vnis", "172.30.82.96", 6001, NULL)},
	{"lists-vni-range-inside",
	 LAB(.vni = 150, .dport = 6000),
	 FWD("v", "vnis", "172.30.82.96", 6001, NULL)},
	{"lists-vni-below", LAB(.vni = 7, .dport = 6000), .want = VXFWD_C_DROP_NO_RULE},
	{"lists-vni-above", LAB(.vni = 250, .dport = 6000), .want = VXFWD_C_DROP_NO_RULE},
	{"lists-vni-range-tcp", LAB(.vni = 100, .i_proto = TCP, .dport = 6000),
	 .want = VXFWD_C_DROP_NO_RULE},
};

/*
 * GENEVE ingress: a Gateway Load Balancer endpoint wraps the mirror's
 * IPv4/UDP/VXLAN packet in Ethernet/IPv4/UDP 6081/GENEVE with its options.
 */
static const char geneve_rules[] =
	"ingress ens5 {\n"
	"\tvxlan port 4789\n"
	"\tgeneve port 6081, 6082\n"
	"\tvni 1\n"
	"}\n"
	"egress ens6\n"
	"set exporters {\n"
	HX_RULES_EXAMPLE_ORG
	"}\n"
	HX_RULES_DNS_SSH;

#define G(...) {.g_on = 1, __VA_ARGS__}
#define G_OPTS(o) .g_opts = o, .g_opts_len = sizeof(o)
/* Bytes of the GENEVE header and a GWLB's options. */
#define G_HLEN (8 + 32)
/* Length of the carried IPv4 packet with `pl` inner payload bytes. */
#define G_MID(pl) O_TOT(pl)

static const __u8 g_none[1];
static const __u8 g_zero4[16] = {0x01, 0x08, 0x10, 0, 0x01, 0x08, 0x11, 0,
				 0x01, 0x08, 0x12, 0, 0x01, 0x08, 0x13, 0};
static const __u8 g_zero16[VXFWD_GENEVE_MAX_OPTS * 4] = {0x01, 0x08, 0x10, 0};
static const __u8 g_zero17[(VXFWD_GENEVE_MAX_OPTS + 1) * 4] = {0x01, 0x08, 0x10, 0};
static const __u8 g_zero63[63 * 4];
/* One option of 4 + 124 bytes, the largest an option can be. */
static const __u8 g_long[128] = {0x01, 0x08, 0x04, 0x1f};
/* An option whose length (4 + 124) runs past an 8-byte option area. */
static const __u8 g_past[8] = {0x01, 0x08, 0x04, 0x1f};
static const __u8 g_crit[8] = {0x01, 0x08, 0x81, 0x01, 1, 2, 3, 4};
static const __u8 g_crit_last[36] = {
	0x01, 0x08, 0x01, 0x02, 0x0e, 0x1f, 0x2a, 0x3b, 0x4c, 0x5d, 0x6e, 0x7f,
	0x01, 0x08, 0x02, 0x02, 0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f, 0x60, 0x71,
	0x01, 0x08, 0x03, 0x01, 0xde, 0xad, 0xbe, 0xef, 0xff, 0xff, 0xff, 0x00,
};

static const struct tcase geneve_cases[] = {
	/* forwarded */
	{"geneve-gwlb-options", G(.payload = 32), UDP_DNS},
	{"geneve-tcp",
	 G(.i_proto = TCP, .dport = 22, .payload = 100),
	 FWD("ssh", "ssh", "172.30.82.95", 2222, "Example Org")},
	{"geneve-no-options", G(.g_opts = g_none, .g_opts_len = 0, .payload = 8), UDP_DNS},
	{"geneve-zero-length-options", G(G_OPTS(g_zero4), .payload = 8), UDP_DNS},
	{"geneve-most-options", G(G_OPTS(g_zero16), .payload = 8), UDP_DNS},
	{"geneve-longest-option", G(G_OPTS(g_long), .payload = 8), UDP_DNS},
	{"geneve-c-flag-no-critical-option", G(.g_flags = 0x40, .payload = 8), UDP_DNS},
	{"geneve-reserved-flags-ignored", G(.g_flags = 0x3f, .payload = 8), UDP_DNS},
	{"geneve-second-port", G(.g_dport = 6082, .payload = 8), UDP_DNS},
	{"geneve-mirror-options", G(.o_opts = 12, .i_opts = 8, .payload = 8), UDP_DNS},
	{"geneve-mirror-padding", G(.payload = 8, .pad = 10), UDP_DNS},
	{"geneve-jumbo-frags", G(.payload = 8900), UDP_DNS},
	/* the GENEVE header and options */
	{"geneve-short-header", G(.g_keep = 4), .want = VXFWD_C_DROP_GENEVE_HDR},
	{"geneve-version-1", G(.g_ver = 1), .want = VXFWD_C_DROP_GENEVE_HDR},
	{"geneve-version-3", G(.g_ver = 3), .want = VXFWD_C_DROP_GENEVE_HDR},
	{"geneve-control-message", G(.g_flags = 0x80), .want = VXFWD_C_DROP_GENEVE_HDR},
	{"geneve-optlen-past-datagram", G(.g_optlen = 63), .want = VXFWD_C_DROP_GENEVE_HDR},
	{"geneve-optlen-ends-inside-option", G(.g_optlen = 5), .want = VXFWD_C_DROP_GENEVE_HDR},
	{"geneve-option-past-area", G(G_OPTS(g_past)), .want = VXFWD_C_DROP_GENEVE_HDR},
	{"geneve-too-many-options", G(G_OPTS(g_zero17)), .want = VXFWD_C_DROP_GENEVE_HDR},
	{"geneve-63-zero-length-options", G(G_OPTS(g_zero63)), .want = VXFWD_C_DROP_GENEVE_HDR},
	{"geneve-critical-option", G(G_OPTS(g_crit)), .want = VXFWD_C_DROP_GENEVE_CRIT},
	{"geneve-critical-option-last",
	 G(G_OPTS(g_crit_last), .g_flags = 0x40),
	 .want = VXFWD_C_DROP_GENEVE_CRIT},
	{"geneve-proto-ipv6", G(.g_proto = ETH_P_IPV6), .want = VXFWD_C_DROP_GENEVE_PROTO},
	{"geneve-proto-ethernet", G(.g_proto = 0x6558), .want = VXFWD_C_DROP_GENEVE_PROTO},
	/* the carried IPv4/UDP packet */
	{"geneve-inner-other-port", G(.o_dport = 53), .want = VXFWD_C_DROP_GENEVE_INNER},
	{"geneve-inner-unconfigured-vxlan-port",
	 G(.o_dport = 8472),
	 .want = VXFWD_C_DROP_GENEVE_INNER},
	{"geneve-inner-geneve-port", G(.o_dport = 6081), .want = VXFWD_C_DROP_GENEVE_INNER},
	{"geneve-inner-tcp", G(.o_proto = TCP), .want = VXFWD_C_DROP_GENEVE_INNER},
	{"geneve-inner-version-6", G(.o_ver = 6), .want = VXFWD_C_DROP_GENEVE_INNER},
	{"geneve-inner-ihl-4", G(.o_ihl = 4), .want = VXFWD_C_DROP_GENEVE_INNER},
	{"geneve-inner-ip-short", G(.g_keep = G_HLEN + 10), .want = VXFWD_C_DROP_GENEVE_INNER},
	{"geneve-inner-udp-short",
	 G(.g_keep = G_HLEN + 24),
	 .want = VXFWD_C_DROP_GENEVE_INNER},
	{"geneve-inner-first-fragment", G(.o_frag = 0x2000), .want = VXFWD_C_DROP_OUTER_FRAG},
	{"geneve-inner-non-first-fragment",
	 G(.o_frag = 0x00b9),
	 .want = VXFWD_C_DROP_OUTER_FRAG},
	{"geneve-outer-first-fragment", G(.g_frag = 0x2000), .want = VXFWD_C_DROP_OUTER_FRAG},
	{"geneve-outer-non-first-fragment", G(.g_frag = 0x00b9), .want = VXFWD_C_PASS},
	/* lengths at each layer */
	{"geneve-outer-udp-len-one-long",
	 G(.g_udp_len = 8 + G_HLEN + G_MID(0) + 1),
	 .want = VXFWD_C_DROP_OUTER_LEN},
	{"geneve-outer-udp-len-one-short",
	 G(.g_udp_len = 8 + G_HLEN + G_MID(0) - 1),
	 .want = VXFWD_C_DROP_OUTER_LEN},
	{"geneve-outer-lengths-in-header",
	 G(.g_tot_len = 20 + 8 + 4, .g_udp_len = 8 + 4),
	 .want = VXFWD_C_DROP_OUTER_LEN},
	{"geneve-outer-lengths-in-carried-ip",
	 G(.g_tot_len = 20 + 8 + G_HLEN + 10, .g_udp_len = 8 + G_HLEN + 10),
	 .want = VXFWD_C_DROP_OUTER_LEN},
	{"geneve-outer-lengths-in-carried-udp",
	 G(.g_tot_len = 20 + 8 + G_HLEN + 24, .g_udp_len = 8 + G_HLEN + 24),
	 .want = VXFWD_C_DROP_OUTER_LEN},
	{"geneve-outer-lengths-short-of-carried",
	 G(.g_tot_len = 20 + 8 + G_HLEN + G_MID(0) - 1, .g_udp_len = 8 + G_HLEN + G_MID(0) - 1),
	 .want = VXFWD_C_DROP_OUTER_LEN},
	{"geneve-outer-tot-len-beyond-frame",
	 G(.g_tot_len = 20 + 8 + G_HLEN + G_MID(0) + 1),
	 .want = VXFWD_C_DROP_OUTER_LEN},
	{"geneve-bytes-lost", G(.payload = 100, .g_lost = 1), .want = VXFWD_C_DROP_OUTER_LEN},
	{"geneve-inner-udp-len-one-short",
	 G(.o_udp_len = O_UDP(0) - 1),
	 .want = VXFWD_C_DROP_OUTER_LEN},
	{"geneve-inner-udp-len-one-long",
	 G(.o_udp_len = O_UDP(0) + 1),
	 .want = VXFWD_C_DROP_OUTER_LEN},
	{"geneve-inner-tot-len-beyond-datagram",
	 G(.o_tot_len = O_TOT(0) + 1, .o_udp_len = O_UDP(0) + 1),
	 .want = VXFWD_C_DROP_OUTER_LEN},
	{"geneve-inner-tot-len-in-udp", G(.o_tot_len = 20 + 4), .want = VXFWD_C_DROP_OUTER_LEN},
	{"geneve-inner-lengths-in-vxlan",
	 G(.o_tot_len = 20 + 8 + 4, .o_udp_len = 8 + 4),
	 .want = VXFWD_C_DROP_OUTER_LEN},
	{"geneve-inner-lengths-in-inner-ip",
	 G(.o_tot_len = 20 + 16 + 14 + 10, .o_udp_len = 16 + 14 + 10),
	 .want = VXFWD_C_DROP_OUTER_LEN},
	/* VXLAN and the inner packet, as on the plain path */
	{"geneve-vxlan-i-flag-clear", G(.vx_flags_xor = 0x08), .want = VXFWD_C_DROP_VXLAN_HDR},
	{"geneve-vni-unknown", G(.vni = 2), .want = VXFWD_C_DROP_VNI},
	{"geneve-inner-arp", G(.i_ethertype = ETH_P_ARP), .want = VXFWD_C_DROP_INNER_NOT_IP},
	{"geneve-inner-bad-csum", G(.i_bad_csum = 1), .want = VXFWD_C_DROP_INNER_CSUM},
	{"geneve-inner-truncated", G(.payload = 100, .cut = 1), .want = VXFWD_C_DROP_INNER_TRUNCATED},
	{"geneve-source-not-allowed",
	 G(.src = "8.8.4.4"),
	 .want = VXFWD_C_DROP_SRC_NOT_ALLOWED},
	/* plain VXLAN beside GENEVE, and ports that are neither */
	{"geneve-group-plain-vxlan", {.payload = 32}, UDP_DNS},
	{"geneve-plain-vxlan-to-geneve-port",
	 {.o_dport = 6081},
	 .want = VXFWD_C_DROP_GENEVE_PROTO},
	{"geneve-other-port", G(.g_dport = 6083), .want = VXFWD_C_PASS},
};

/* Inner IPv6: exporters of both families, rules to targets of both. */
static const char ipv6_rules[] =
	HX_RULES_INGRESS("1, 7")
	"set exporters {\n"
	"	org \"Example Org\" id 1001 {\n"
	"		2001:db8:1::/64\n"
	"		198.51.100.10\n"
	"	}\n"
	"	2001:db8:2::5\n"
	"}\n"
	"forward dns6 udp from @exporters to port 31765 dnat fd00:82::5 port 8081\n"
	"forward ssh6 tcp from @exporters to port 22 dnat fd00:82::5 port 2222\n"
	"forward dns4 udp from @exporters to port 31765 dnat 172.30.82.95 port 8081\n"
	"forward keep6 udp from @exporters to !2001:db8:ff::9 port 5000 dnat fd00:82::6\n"
	"forward nonh6 udp from @exporters to port 7000 dnat fd00:82::99\n";

static const char *const ipv6_nexthops[] = {"fd00:82::5", "fd00:82::6", "172.30.82.95", NULL};

#define FWD6(r, a, pt, o) .want = VXFWD_C_FORWARD, .rule = r, .nat = a, .nat_port = pt, .org = o
#define UDP_DNS6	  FWD6("dns6", "fd00:82::5", 8081, "Example Org")
#define HOPOPT		  0
#define ROUTING		  43
#define FRAGMENT	  44
#define DSTOPTS		  60
#define ESP		  50
#define ICMPV6		  58
/* Bytes of a default inner IPv6 frame: 14 + 40 + 8. */
#define INNER6_MIN 62

static const struct tcase ipv6_cases[] = {
	{"udp6-dnat", {.i6 = 1, .payload = 32}, UDP_DNS6},
	{"tcp6-dnat",
	 {.i6 = 1, .i_proto = TCP, .dport = 22, .payload = 100},
	 FWD6("ssh6", "fd00:82::5", 2222, "Example Org")},
	{"udp6-port-kept", {.i6 = 1, .dport = 5000}, FWD6("keep6", "fd00:82::6", 0, "Example Org")},
	{"udp6-no-org", {.i6 = 1, .src = "2001:db8:2::5"}, FWD6("dns6", "fd00:82::5", 8081, NULL)},
	{"udp6-hop-limit-1-kept", {.i6 = 1, .i6_hlim = 1, .payload = 5}, UDP_DNS6},
	{"udp4-beside-ipv6", {.payload = 8}, FWD("dns4", "dns4", "172.30.82.95", 8081, "Example Org")},
	{"udp6-hop-by-hop", {.i6 = 1, .i6_n_ext = 1, .i6_ext = {HOPOPT}, .payload = 3}, UDP_DNS6},
	{"tcp6-hop-by-hop-dstopts",
	 {.i6 = 1, .i6_n_ext = 2, .i6_ext = {HOPOPT, DSTOPTS}, .i_proto = TCP, .dport = 22},
	 FWD6("ssh6", "fd00:82::5", 2222, "Example Org")},
	{"udp6-ext-max",
	 {.i6 = 1, .i6_n_ext = 4, .i6_ext = {HOPOPT, DSTOPTS, DSTOPTS, DSTOPTS}, .payload = 9},
	 UDP_DNS6},
	{"udp6-frame-9000", {.i6 = 1, .payload = 9000 - 48}, UDP_DNS6},
	{"tcp6-frame-9000",
	 {.i6 = 1, .i_proto = TCP, .dport = 22, .payload = 9000 - 60},
	 FWD6("ssh6", "fd00:82::5", 2222, "Example Org")},
	{"udp6-frame-9216-largest", {.i6 = 1, .payload = 9216 - INNER6_MIN}, UDP_DNS6},
	{"udp6-mirror-padding-stripped", {.i6 = 1, .payload = 4, .pad = 20}, UDP_DNS6},

	{"udp6-too-big", {.i6 = 1, .payload = 9216 - INNER6_MIN + 1}, .want = VXFWD_C_DROP_TOO_BIG},
	{"udp6-zero-csum", {.i6 = 1, .udp_csum0 = 1}, .want = VXFWD_C_DROP_INNER6_UDP_ZERO_CSUM},
	{"udp6-zero-csum-no-rule",
	 {.i6 = 1, .udp_csum0 = 1, .src = "2001:db8:9::1"},
	 .want = VXFWD_C_DROP_INNER6_UDP_ZERO_CSUM},
	{"ipv6-ext-too-many",
	 {.i6 = 1, .i6_n_ext = 5, .i6_ext = {HOPOPT, DSTOPTS, DSTOPTS, DSTOPTS, DSTOPTS}},
	 .want = VXFWD_C_DROP_INNER6_EXT},
	{"ipv6-routing", {.i6 = 1, .i6_n_ext = 1, .i6_ext = {ROUTING}}, .want = VXFWD_C_DROP_INNER6_EXT},
	{"ipv6-fragment", {.i6 = 1, .i6_n_ext = 1, .i6_ext = {FRAGMENT}}, .want = VXFWD_C_DROP_INNER_FRAG},
	{"ipv6-hop-by-hop-fragment",
	 {.i6 = 1, .i6_n_ext = 2, .i6_ext = {HOPOPT, FRAGMENT}},
	 .want = VXFWD_C_DROP_INNER_FRAG},
	{"ipv6-icmpv6", {.i6 = 1, .i_proto = ICMPV6}, .want = VXFWD_C_DROP_INNER_PROTO},
	{"ipv6-esp", {.i6 = 1, .i_proto = ESP}, .want = VXFWD_C_DROP_INNER_PROTO},
	{"ipv6-version-4", {.i6 = 1, .i_ver = 4}, .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"ipv6-plen-65535", {.i6 = 1, .i6_plen = 0xffff},
	 .want = VXFWD_C_DROP_INNER_TRUNCATED},
	{"ipv6-plen-short-of-udp", {.i6 = 1, .i6_plen = 4, .pad = 4}, .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"ipv6-plen-short-of-tcp",
	 {.i6 = 1, .i_proto = TCP, .dport = 22, .i6_plen = 12, .pad = 8},
	 .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"ipv6-udp-len-beyond-payload",
	 {.i6 = 1, .i6_plen = 8, .payload = 4, .pad = 4},
	 .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"ipv6-ext-beyond-payload",
	 {.i6 = 1, .i6_n_ext = 1, .i6_ext = {HOPOPT}, .i6_plen = 4, .pad = 12},
	 .want = VXFWD_C_DROP_INNER_MALFORMED},
	{"ipv6-plen-one-beyond", {.i6 = 1, .i6_plen = 9}, .want = VXFWD_C_DROP_INNER_TRUNCATED},
	{"ipv6-truncated-jumbo", {.i6 = 1, .payload = 8900, .cut = 5000}, .want = VXFWD_C_DROP_INNER_TRUNCATED},
	{"ipv6-bytes-lost", {.i6 = 1, .payload = 100, .lost = 1}, .want = VXFWD_C_DROP_OUTER_LEN},
	{"ipv6-outer-len-short",
	 {.i6 = 1, .payload = 20, .o_udp_len = 16 + INNER6_MIN + 20 - 1,
	  .o_tot_len = 20 + 16 + INNER6_MIN + 20 - 1, .o_pad = 1},
	 .want = VXFWD_C_DROP_OUTER_LEN},
	{"ipv6-outer-len-in-header",
	 {.i6 = 1, .o_udp_len = 16 + 14 + 30, .o_tot_len = 20 + 16 + 14 + 30},
	 .want = VXFWD_C_DROP_OUTER_LEN},
	{"ipv6-source-not-allowed", {.i6 = 1, .src = "2001:db8:9::1"}, .want = VXFWD_C_DROP_SRC_NOT_ALLOWED},
	{"ipv6-v4-mapped-source-not-allowed",
	 {.i6 = 1, .src = "::ffff:198.51.100.10"},
	 .want = VXFWD_C_DROP_SRC_NOT_ALLOWED},
	{"ipv6-no-rule-port", {.i6 = 1, .dport = 1234}, .want = VXFWD_C_DROP_NO_RULE},
	{"ipv6-no-rule-negated-destination",
	 {.i6 = 1, .dst = "2001:db8:ff::9", .dport = 5000},
	 .want = VXFWD_C_DROP_NO_RULE},
	{"ipv6-no-nexthop", {.i6 = 1, .dport = 7000}, .want = VXFWD_C_DROP_NO_NEXTHOP},
};

static const struct group groups[] = {
	{"noconfig", NULL, NULL, noconfig_cases, T_ARRAY_SIZE(noconfig_cases)},
	{"main", main_rules, main_nexthops, main_cases, T_ARRAY_SIZE(main_cases)},
	{"reload", reload_rules, reload_nexthops, reload_cases, T_ARRAY_SIZE(reload_cases)},
	{"reload-back", reload_back_rules, reload_nexthops, reload_back_cases,
	 T_ARRAY_SIZE(reload_back_cases)},
	{"lists", lists_rules, lists_nexthops, lists_cases, T_ARRAY_SIZE(lists_cases)},
	{"geneve", geneve_rules, main_nexthops, geneve_cases, T_ARRAY_SIZE(geneve_cases)},
	{"ipv6", ipv6_rules, ipv6_nexthops, ipv6_cases, T_ARRAY_SIZE(ipv6_cases)},
};

/* ---- helpers ------------------------------------------------------------ */

static int org_slot(const struct vxfwd_ruleset *rs, const char *name)
{
	size_t i;

	for (i = 0; i < rs->n_orgs; i++)
		if (!strcmp(rs->orgs[i].name, name))
			return (int)i;
	return -1;
}

static size_t size_class(size_t len)
{
	static const size_t classes[] = {128, 256, 512, 1024, 2048, 4096, 9216};
	size_t i;

	for (i = 0; i < T_ARRAY_SIZE(classes); i++)
		if (len <= classes[i])
			return classes[i];
	return 0;
}

/* ---- running one frame -------------------------------------------------- */

struct run {
	struct vxfwd_count before[VXFWD_C_MAX], after[VXFWD_C_MAX];
};

/* The forwarded frame's record beyond its bytes: size class and stamp. */
static int check_record_meta(struct t *t, const char *name, size_t exp_len)
{
	const struct hx_rec *s = &t->h.recs[0];

	if (s->size != sizeof(struct vxfwd_rec) + size_class(exp_len)) {
		fail(t, name, "record of %zu bytes, want %zu (size class of %zu)", s->size,
		     sizeof(struct vxfwd_rec) + size_class(exp_len), exp_len);
		return -1;
	}
	if (s->hdr.tstamp_ns < t->h.t0 || s->hdr.tstamp_ns > t->h.t1 ||
	    s->hdr.cpu >= libbpf_num_possible_cpus()) {
		fail(t, name, "record stamped %llu on CPU %u, run was %llu..%llu",
		     (unsigned long long)s->hdr.tstamp_ns, s->hdr.cpu, (unsigned long long)t->h.t0,
		     (unsigned long long)t->h.t1);
		return -1;
	}
	return 0;
}

/* Per-rule and per-organization counters of a forwarded frame. */
struct count_pair {
	struct vxfwd_count rule, org;
};

static int read_rule_org(struct t *t, const struct tcase *tc, struct count_pair *c)
{
	int pos = hx_rule_pos(&t->h, tc->rule);
	int slot = tc->org ? org_slot(t->h.rs, tc->org) : -1;
	int ret;

	memset(c, 0, sizeof(*c));
	if (pos < 0)
		return -ENOENT;
	ret = hx_percpu_sum(t->h.m.rule_counters, t->h.gen * VXFWD_MAX_RULES + pos, &c->rule);
	if (ret < 0 || slot < 0)
		return ret;
	return hx_percpu_sum(t->h.m.org_counters, t->h.gen * VXFWD_MAX_ORGS + slot, &c->org);
}

static int check_rule_org(struct t *t, const struct tcase *tc, const struct count_pair *before,
			  size_t len)
{
	struct count_pair after;

	if (read_rule_org(t, tc, &after) < 0) {
		fail(t, tc->name, "rule '%s' or org '%s' not in the ruleset", tc->rule,
		     tc->org ? tc->org : "-");
		return -1;
	}
	if (after.rule.packets - before->rule.packets != 1 ||
	    after.rule.bytes - before->rule.bytes != len) {
		fail(t, tc->name, "rule '%s' counter did not count the frame", tc->rule);
		return -1;
	}
	if (tc->org && (after.org.packets - before->org.packets != 1 ||
			after.org.bytes - before->org.bytes != len)) {
		fail(t, tc->name, "org '%s' counter did not count the frame", tc->org);
		return -1;
	}
	return 0;
}

/* ---- one case ----------------------------------------------------------- */

static struct pkt pkt_buf;
static struct run run_buf;
static __u8 exp_buf[HX_OUT_MAX];

/* The expected frame of a forwarded IPv6 case, checked on its own too. */
static int build_expect6(struct t *t, const struct tcase *tc, struct pkt *p, size_t *exp_len)
{
	struct in6_addr nat;

	if (inet_pton(AF_INET6, tc->nat, &nat) != 1 ||
	    pkt_expect6(p->buf + p->inner_off, p->inner_len, nat.s6_addr, tc->nat_port, hx_nh_mac,
			hx_egress_mac, exp_buf)) {
		fail(t, tc->name, "cannot compute the expected frame");
		return -1;
	}
	if (pkt_verify_csums(exp_buf, p->inner_len)) {
		fail(t, tc->name, "expected frame does not verify");
		return -1;
	}
	*exp_len = p->inner_len;
	return 0;
}

static int build_case(struct t *t, const struct tcase *tc, struct pkt *p, size_t *exp_len)
{
	size_t l4;
	__u8 *inner;

	if (pkt_build(&tc->p, p)) {
		fail(t, tc->name, "cannot build the frame");
		return -1;
	}
	inner = p->buf + p->inner_off;
	*exp_len = 0;
	if (tc->want != VXFWD_C_FORWARD)
		return 0;
	if (tc->p.i6)
		return build_expect6(t, tc, p, exp_len);
	if (tc->out_csum_ffff &&
	    pkt_tune_zero_csum(inner, p->inner_len, hx_addr(tc->nat), tc->nat_port)) {
		fail(t, tc->name, "cannot tune the payload for a zero checksum");
		return -1;
	}
	if (pkt_expect(inner, p->inner_len, hx_addr(tc->nat), tc->nat_port, hx_nh_mac,
		       hx_egress_mac, exp_buf)) {
		fail(t, tc->name, "cannot compute the expected frame");
		return -1;
	}
	/* The case must test what it says: the new UDP checksum is 0xffff. */
	l4 = ETH_HLEN + (exp_buf[ETH_HLEN] & 0xf) * 4;
	if (tc->out_csum_ffff && (exp_buf[l4 + 6] != 0xff || exp_buf[l4 + 7] != 0xff)) {
		fail(t, tc->name, "tuned frame does not have a 0xffff UDP checksum");
		return -1;
	}
	*exp_len = p->inner_len;
	return 0;
}

/*
 * Run frame `f` once and judge it (hx_judge(), then the record's size class
 * and stamp); 0 when a FORWARD frame's record is right.
 */
static int run_judge(struct t *t, const char *name, const __u8 *f, size_t len,
		     const struct hx_want *w)
{
	struct run *r = &run_buf;
	int ret;

	ret = hx_run_counted(&t->h, f, len, 1, r->before, r->after);
	if (ret < 0) {
		fail(t, name, "BPF_PROG_TEST_RUN: %s", strerror(-ret));
		return -1;
	}
	if (hx_judge(&t->rep, name, &t->h, f, len, r->before, r->after, w))
		return -1;
	return w->counter == VXFWD_C_FORWARD ? check_record_meta(t, name, w->exp_len) : 0;
}

/*
 * The GENEVE layer count moves by one for every frame to a geneve port
 * (every GENEVE case that is not passed, and the plain frame sent to one)
 * and never otherwise.
 */
static void check_layer(struct t *t, const struct tcase *tc, const struct vxfwd_count *before)
{
	int want = tc->want != VXFWD_C_PASS && (tc->p.g_on || tc->p.o_dport == 6081);
	struct vxfwd_count after;

	if (hx_percpu_sum(t->h.m.layer_counters, VXFWD_L_GENEVE, &after) < 0) {
		fail(t, tc->name, "cannot read vxfwd_layer_cnt");
		return;
	}
	if (after.packets - before->packets != (__u64)want)
		fail(t, tc->name, "layer geneve moved by %llu, want %d",
		     (unsigned long long)(after.packets - before->packets), want);
}

static void run_case(struct t *t, const struct tcase *tc)
{
	struct pkt *p = &pkt_buf;
	struct count_pair before;
	struct vxfwd_count layer;
	struct hx_want w = {.counter = tc->want, .rule = tc->rule, .exp = exp_buf};

	t->rep.cases++;
	if (build_case(t, tc, p, &w.exp_len))
		return;
	if (tc->want == VXFWD_C_FORWARD && read_rule_org(t, tc, &before) < 0) {
		fail(t, tc->name, "rule '%s' or org '%s' not in the ruleset", tc->rule,
		     tc->org ? tc->org : "-");
		return;
	}
	if (hx_percpu_sum(t->h.m.layer_counters, VXFWD_L_GENEVE, &layer) < 0) {
		fail(t, tc->name, "cannot read vxfwd_layer_cnt");
		return;
	}
	if (!run_judge(t, tc->name, p->buf, p->len, &w) && tc->want == VXFWD_C_FORWARD)
		check_rule_org(t, tc, &before, w.exp_len);
	check_layer(t, tc, &layer);
}

/* ---- groups: apply a ruleset, run its cases ------------------------------ */

/* A generation starts with its per-rule and per-organization counters at 0. */
static int check_gen_counters_zero(struct t *t)
{
	struct vxfwd_count c;
	__u32 i, gen = t->h.gen;
	int ret;

	for (i = 0; i < VXFWD_MAX_RULES + VXFWD_MAX_ORGS; i++) {
		if (i < VXFWD_MAX_RULES)
			ret = hx_percpu_sum(t->h.m.rule_counters, gen * VXFWD_MAX_RULES + i, &c);
		else
			ret = hx_percpu_sum(t->h.m.org_counters,
					    gen * VXFWD_MAX_ORGS + i - VXFWD_MAX_RULES, &c);
		if (ret < 0)
			return ret;
		if (c.packets || c.bytes) {
			fprintf(stderr, "generation %u: %s counter %u not cleared\n", gen,
				i < VXFWD_MAX_RULES ? "rule" : "org",
				i < VXFWD_MAX_RULES ? i : i - VXFWD_MAX_RULES);
			return -EPROTO;
		}
	}
	return 0;
}

/* Apply the group's ruleset: the active generation must flip to it. */
static int apply_group(struct t *t, const struct group *g)
{
	__u32 old_gen = 0, gen = 0;
	int ret;

	ret = maps_active_gen(&t->h.m, &old_gen);
	if (!ret)
		ret = hx_apply(&t->h, g->name, g->rules, g->nexthops);
	if (ret < 0)
		return ret;
	if (t->h.gen == old_gen || maps_active_gen(&t->h.m, &gen) || t->h.gen != gen) {
		fprintf(stderr, "rules '%s': generation did not flip (%u -> %u)\n", g->name,
			old_gen, t->h.gen);
		return -EPROTO;
	}
	return check_gen_counters_zero(t);
}

/*
 * Frame `tc` run n times without draining the ring; the deltas of RX,
 * FORWARD and DROP_RING_FULL.  -1 (and a failure reported) when it cannot run.
 */
static int run_undrained(struct t *t, const struct tcase *tc, __u32 n, __u64 *rx, __u64 *fwd,
			 __u64 *full)
{
	struct pkt *p = &pkt_buf;
	struct run *r = &run_buf;
	int ret;

	t->rep.cases++;
	if (pkt_build(&tc->p, p)) {
		fail(t, tc->name, "cannot build the frame");
		return -1;
	}
	ret = hx_run_counted(&t->h, p->buf, p->len, n, r->before, r->after);
	if (ret < 0) {
		fail(t, tc->name, "BPF_PROG_TEST_RUN: %s", strerror(-ret));
		return -1;
	}
	*rx = r->after[VXFWD_C_RX].packets - r->before[VXFWD_C_RX].packets;
	*fwd = r->after[VXFWD_C_FORWARD].packets - r->before[VXFWD_C_FORWARD].packets;
	*full = r->after[VXFWD_C_DROP_RING_FULL].packets - r->before[VXFWD_C_DROP_RING_FULL].packets;
	return 0;
}

/*
 * A jumbo frame run N times without draining the ring: the frames that fit
 * are forwarded, the others counted as RING_FULL, and nothing else moves.
 */
static void run_ring_full(struct t *t)
{
	const struct tcase tc = {"ring-full", {.payload = 9000 - 28}, UDP_DNS};
	__u32 n = RING_BYTES / 9216 + 8;
	__u64 fwd, full, rx;

	if (run_undrained(t, &tc, n, &rx, &fwd, &full))
		return;
	if (rx != n || fwd + full != n || !fwd || !full || fwd != t->h.n_recs)
		fail(t, tc.name, "%u runs: rx %llu forward %llu ring-full %llu, %u records", n,
		     (unsigned long long)rx, (unsigned long long)fwd, (unsigned long long)full,
		     t->h.n_recs);
}

/*
 * Small frames run without draining the ring stop being taken once the ring
 * has less room than a record of the largest class needs (the program checks
 * it before parsing the inner packet), not when their own records no longer
 * fit: the ring never holds more than RING_BYTES - VXFWD_RING_HEADROOM plus
 * the last record taken.
 */
static void run_ring_high(struct t *t)
{
	const struct tcase tc = {"ring-high-small", {.payload = 32}, UDP_DNS};
	/* A record of the 128-byte class with the ring's 8-byte header. */
	const __u64 rec = (8 + sizeof(struct vxfwd_rec) + 128 + 7) & ~7ull;
	const __u64 high = RING_BYTES - VXFWD_RING_HEADROOM;
	__u32 n = RING_BYTES / rec + 8;
	__u64 fwd, full, rx;

	if (run_undrained(t, &tc, n, &rx, &fwd, &full))
		return;
	if (fwd + full != n || fwd != t->h.n_recs || fwd * rec > high + rec || fwd * rec <= high - rec)
		fail(t, tc.name, "%u runs of %llu-byte records: forward %llu (%llu bytes), "
				 "ring-full %llu; want the ring to stop taking at %llu bytes",
		     n, (unsigned long long)rec, (unsigned long long)fwd,
		     (unsigned long long)(fwd * rec), (unsigned long long)full,
		     (unsigned long long)high);
}

/*
 * Apply a copy of the current ruleset with operation `drop` left out (-1:
 * none) and `extra` appended (NULL: none); it must fail with `want` and leave
 * the active generation alone.
 */
static void apply_bad(struct t *t, const char *name, long drop, const struct vxfwd_op *extra,
		      int want)
{
	struct vxfwd_apply_env env = {.egress_ifindex = 1};
	const struct vxfwd_ruleset *rs = t->h.rs;
	struct vxfwd_ruleset bad = *rs;
	struct vxfwd_op *ops;
	size_t i, n = 0;
	__u32 gen = 0;
	int ret;

	t->rep.cases++;
	ops = calloc(rs->n_ops + 1, sizeof(*ops));
	if (!ops) {
		fail(t, name, "out of memory");
		return;
	}
	for (i = 0; i < rs->n_ops; i++)
		if ((long)i != drop)
			ops[n++] = rs->ops[i];
	if (extra)
		ops[n++] = *extra;
	bad.ops = ops;
	bad.n_ops = n;
	printf("# %s: an error from maps_apply() is expected\n", name);
	ret = maps_apply(&t->h.m, &bad, &env, NULL);
	free(ops);
	if (ret != want)
		fail(t, name, "apply: %s, want %s", strerror(-ret), strerror(-want));
	if (maps_active_gen(&t->h.m, &gen) || gen != t->h.gen)
		fail(t, name, "active generation moved from %u to %u", t->h.gen, gen);
}

static void run_apply_rollback(struct t *t)
{
	struct vxfwd_op beyond = {.map = VXFWD_MAP_RULE, .key.idx = VXFWD_MAX_RULES};
	long cfg = -1;
	size_t i;

	apply_bad(t, "apply-rule-beyond-limit", -1, &beyond, -E2BIG);
	for (i = 0; i < t->h.rs->n_ops; i++)
		if (t->h.rs->ops[i].map == VXFWD_MAP_CFG)
			cfg = (long)i;
	if (cfg < 0) {
		fail(t, "apply-without-cfg", "the ruleset has no vxfwd_cfg operation");
		return;
	}
	apply_bad(t, "apply-without-cfg", cfg, NULL, -EINVAL);
}

/*
 * The verdict of a GWLB frame (payload 8) whose source kept `k` bytes after
 * the outer UDP header and wrote the outer lengths for them: the GENEVE
 * header (8), its options (32), the carried IPv4 (20) and UDP (8) headers,
 * then the carried packet, whose own lengths still count all of it.
 */
static enum vxfwd_counter geneve_kept(size_t k, size_t full)
{
	if (k < G_HLEN)
		return VXFWD_C_DROP_GENEVE_HDR;
	if (k < G_HLEN + 20 + 8)
		return VXFWD_C_DROP_GENEVE_INNER;
	return k < full ? VXFWD_C_DROP_OUTER_LEN : VXFWD_C_FORWARD;
}

/*
 * A GENEVE frame cut at every offset: with the outer lengths written for
 * what was kept (each layer's short-header check), and with bytes lost
 * after they were written (outer lengths beyond the frame; PASS once the
 * outer UDP header itself is gone).
 */
static void run_geneve_cuts(struct t *t)
{
	const size_t full = G_HLEN + G_MID(8), outer = ETH_HLEN + 20 + 8;
	struct hx_want w = {.exp = exp_buf};
	struct pkt *p = &pkt_buf;
	struct tcase tc = {"geneve-cut", G(.payload = 8), UDP_DNS};
	char name[64];
	size_t k;

	for (k = 1; k <= full; k++) {
		tc.p.g_keep = (__u16)k;
		tc.p.g_lost = 0;
		tc.want = geneve_kept(k, full);
		snprintf(name, sizeof(name), "geneve-kept-%zu", k);
		tc.name = name;
		run_case(t, &tc);
	}
	/* BPF_PROG_TEST_RUN takes no frame shorter than an Ethernet header. */
	for (k = 1; k + ETH_HLEN <= outer + full; k++) {
		t->rep.cases++;
		tc.p.g_keep = 0;
		tc.p.g_lost = (__u16)k;
		snprintf(name, sizeof(name), "geneve-lost-%zu", k);
		if (pkt_build(&tc.p, p)) {
			fail(t, name, "cannot build the frame");
			continue;
		}
		w.counter = p->len < outer ? VXFWD_C_PASS : VXFWD_C_DROP_OUTER_LEN;
		run_judge(t, name, p->buf, p->len, &w);
	}
}

/*
 * An inner IPv6/UDP packet cut at every byte of its IPv6 and UDP headers,
 * the outer lengths written for what was kept: a fixed header the frame
 * does not hold is malformed, a payload it does not hold is truncated.
 */
static void run_ipv6_cuts(struct t *t)
{
	struct pkt_spec s = {.i6 = 1, .payload = 0};
	struct hx_want w = {0};
	char name[64];
	size_t keep;

	t->rep.group = "ipv6-cuts";
	for (keep = 0; keep < 40 + 8; keep++) {
		t->rep.cases++;
		s.cut = (__u16)(40 + 8 - keep);
		snprintf(name, sizeof(name), "cut-after-%zu", keep);
		if (pkt_build(&s, &pkt_buf)) {
			fail(t, name, "cannot build the frame");
			continue;
		}
		w.counter = keep < 40 ? VXFWD_C_DROP_INNER_MALFORMED : VXFWD_C_DROP_INNER_TRUNCATED;
		run_judge(t, name, pkt_buf.buf, pkt_buf.len, &w);
	}
}

static void run_group(struct t *t, const struct group *g)
{
	size_t i;

	t->rep.group = g->name;
	if (g->rules && apply_group(t, g) < 0) {
		fail(t, "apply", "cannot seed the maps");
		return;
	}
	for (i = 0; i < g->n_cases; i++)
		run_case(t, &g->cases[i]);
	if (g->cases == geneve_cases)
		run_geneve_cuts(t);
	if (g->cases != main_cases)
		return;
	run_ring_full(t);
	run_ring_high(t);
	run_apply_rollback(t);
	/* After the failed apply, the same ruleset still forwards. */
	run_case(t, &main_cases[0]);
}

/* ---- replay of real captures -------------------------------------------- */

static const char pcap_rules[] = "ingress ens5 { vxlan port 4789; vni 5569041, 37, 100 }\n"
				 "egress ens6\n"
				 "forward anyudp udp from any to port 1-65535 dnat 172.30.82.95\n"
				 "forward anytcp tcp from any to port 1-65535 dnat 172.30.82.95\n";

static const char *const pcap_nexthops[] = {"172.30.82.95", NULL};

static const __u32 pcap_vnis[] = {5569041, 37, 100};

/*
 * The inner packet of a mirror frame: the verdict of a reference model.  The
 * frame ends at `end`, the outer datagram at `dend` (dend <= end).
 */
static enum vxfwd_counter ref_inner(const __u8 *e, const __u8 *end, const __u8 *dend)
{
	const __u8 *ip = e + ETH_HLEN;
	size_t ihl, tot, l4h;

	if (ip > end)
		return VXFWD_C_DROP_INNER_MALFORMED;
	if (ip > dend)
		return VXFWD_C_DROP_OUTER_LEN;
	if (pkt_get16(e + 12) != ETH_P_IP)
		return VXFWD_C_DROP_INNER_NOT_IP;
	if (ip + 20 <= end && ip + 20 > dend)
		return VXFWD_C_DROP_OUTER_LEN;
	if (ip + 20 > end || ip[0] >> 4 != 4 || (ip[0] & 0xf) < 5 || ip + (ip[0] & 0xf) * 4 > end)
		return VXFWD_C_DROP_INNER_MALFORMED;
	ihl = (ip[0] & 0xf) * 4;
	tot = pkt_get16(ip + 2);
	if (tot < ihl)
		return VXFWD_C_DROP_INNER_MALFORMED;
	if (ip + tot > end)
		return VXFWD_C_DROP_INNER_TRUNCATED;
	if (ip + tot > dend)
		return VXFWD_C_DROP_OUTER_LEN;
	if (csum_fold_sum(ip, ihl, 0) != 0xffff)
		return VXFWD_C_DROP_INNER_CSUM;
	if (pkt_get16(ip + 6) & 0x3fff)
		return VXFWD_C_DROP_INNER_FRAG;
	if (ip[9] != IPPROTO_UDP && ip[9] != IPPROTO_TCP)
		return VXFWD_C_DROP_INNER_PROTO;
	l4h = ip[9] == IPPROTO_UDP ? 8 : 20;
	if (tot < ihl + l4h || (ip[9] == IPPROTO_TCP && tot < ihl + (ip[ihl + 12] >> 4) * 4))
		return VXFWD_C_DROP_INNER_MALFORMED;
	return VXFWD_C_FORWARD;
}

/* The whole frame, outer headers first; *inner gets the inner Ethernet. */
static enum vxfwd_counter ref_classify(const __u8 *f, size_t len, size_t *inner)
{
	const __u8 *end = f + len, *ip = f + ETH_HLEN, *udp, *vx, *dend;
	size_t i, ihl, tot;
	__u32 vni;

	if (len < ETH_HLEN + 20 || pkt_get16(f + 12) != ETH_P_IP || ip[0] >> 4 != 4 ||
	    (ip[0] & 0xf) < 5)
		return VXFWD_C_PASS;
	udp = ip + (ip[0] & 0xf) * 4;
	if (ip[9] != IPPROTO_UDP || (pkt_get16(ip + 6) & 0x1fff) || udp + 8 > end ||
	    pkt_get16(udp + 2) != 4789)
		return VXFWD_C_PASS;
	if (pkt_get16(ip + 6) & 0x2000)
		return VXFWD_C_DROP_OUTER_FRAG;
	ihl = (size_t)(udp - ip);
	tot = pkt_get16(ip + 2);
	if (tot < ihl + 8 || ETH_HLEN + tot > len || pkt_get16(udp + 4) != tot - ihl)
		return VXFWD_C_DROP_OUTER_LEN;
	dend = ip + tot;
	vx = udp + 8;
	if (vx + 8 <= end && vx + 8 > dend)
		return VXFWD_C_DROP_OUTER_LEN;
	if (vx + 8 > end || vx[0] != 0x08 || vx[1] || vx[2] || vx[3] || vx[7])
		return VXFWD_C_DROP_VXLAN_HDR;
	vni = (__u32)vx[4] << 16 | vx[5] << 8 | vx[6];
	for (i = 0; i < T_ARRAY_SIZE(pcap_vnis); i++)
		if (pcap_vnis[i] == vni)
			break;
	if (i == T_ARRAY_SIZE(pcap_vnis))
		return VXFWD_C_DROP_VNI;
	*inner = vx + 8 - f;
	return ref_inner(vx + 8, end, dend);
}

struct replay {
	struct t *t;
	const char *file;
	unsigned int n;
	unsigned int hist[VXFWD_C_MAX];
};

static int replay_frame(void *ctx, const __u8 *f, size_t len)
{
	struct replay *rp = ctx;
	struct t *t = rp->t;
	struct hx_want w = {.exp = exp_buf};
	const char *nat = "172.30.82.95";
	size_t inner = 0;
	char name[300];

	snprintf(name, sizeof(name), "%s#%u", rp->file, rp->n);
	w.counter = ref_classify(f, len, &inner);
	rp->hist[w.counter]++;
	t->rep.cases++;
	if (w.counter == VXFWD_C_FORWARD) {
		w.exp_len = ETH_HLEN + pkt_get16(f + inner + ETH_HLEN + 2);
		w.rule = f[inner + ETH_HLEN + 9] == IPPROTO_UDP ? "anyudp" : "anytcp";
		if (pkt_expect(f + inner, w.exp_len, hx_addr(nat), 0, hx_nh_mac, hx_egress_mac,
			       exp_buf)) {
			fail(t, name, "cannot compute the expected frame");
			return 0;
		}
	}
	run_judge(t, name, f, len, &w);
	return 0;
}

static int replay_file(struct t *t, const char *dir, const char *file)
{
	static __u8 frame[PKT_MAX];
	struct replay rp = {.t = t, .file = file};
	char path[4096];
	int ret, i;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	ret = pcap_each(path, frame, sizeof(frame), replay_frame, &rp, &rp.n);
	if (ret < 0) {
		fprintf(stderr, "FAIL %s: frame %u: %s\n", path, rp.n + 1, strerror(-ret));
		t->rep.failed++;
	}
	printf("# %s: %u frames:", file, rp.n);
	for (i = 0; i < VXFWD_C_MAX; i++)
		if (rp.hist[i])
			printf(" %s=%u", vxfwd_counter_names[i], rp.hist[i]);
	printf("\n");
	return rp.n ? 0 : -ENOENT;
}

/* Returns the number of files replayed: 0 when there are none. */
static int replay_pcaps(struct t *t)
{
	struct group g = {"pcap", pcap_rules, pcap_nexthops, NULL, 0};
	struct dirent **ents = NULL;
	const char *dir;
	int i, n, applied;

	n = pcap_dir_list(&dir, &ents);
	if (n <= 0) {
		printf("FAIL: no captures in %s: the real captures belong in ../shared/pcaps "
		       "beside the clone (or set VXFWD_PCAP_DIR)\n",
		       dir);
		free(ents);
		return 0;
	}
	t->rep.group = g.name;
	applied = apply_group(t, &g) == 0;
	if (!applied)
		fail(t, "apply", "cannot seed the maps");
	for (i = 0; i < n; i++) {
		if (applied)
			replay_file(t, dir, ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
	return n;
}

/* ---- main ---------------------------------------------------------------- */

/*
 * RX == PASS + FORWARD + sum(DROP_*), packets and bytes; with `coverage`,
 * every counter must also have moved at least once.
 */
static void check_invariant(struct t *t, int coverage)
{
	struct vxfwd_count zero[VXFWD_C_MAX] = {{0}}, c[VXFWD_C_MAX];
	char why[200];
	int i;

	t->rep.group = "total";
	t->rep.cases++;
	if (hx_counters(&t->h, c) < 0) {
		fail(t, "invariant", "cannot read the counters");
		return;
	}
	for (i = VXFWD_C_RX + 1; coverage && i < VXFWD_C_MAX; i++)
		if (!c[i].packets)
			fail(t, "coverage", "counter %s never moved", vxfwd_counter_names[i]);
	if (!c[VXFWD_C_RX].packets)
		fail(t, "invariant", "RX never moved");
	else if (hx_sum_check(zero, c, why, sizeof(why)))
		fail(t, "invariant", "%s", why);
	printf("# counters: rx %llu packets, %llu bytes\n",
	       (unsigned long long)c[VXFWD_C_RX].packets, (unsigned long long)c[VXFWD_C_RX].bytes);
}

static void usage(void)
{
	fprintf(stderr, "usage: test_xdp [-v] [-p]\n"
			"  -p  replay the captures in $VXFWD_PCAP_DIR instead of the table\n"
			"  -v  show libbpf debug output\n");
}

int main(int argc, char **argv)
{
	static struct t t;
	int opt, pcaps = 0, files = 0, ret;
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "pv")) != -1) {
		switch (opt) {
		case 'p':
			pcaps = 1;
			break;
		case 'v':
			hx_verbose = 1;
			break;
		default:
			usage();
			return 2;
		}
	}
	t_report_init(&t.rep, "fail");
	ret = hx_open(&t.h, RING_BYTES);
	if (ret == T_EXIT_SKIP)
		return ret;
	if (ret < 0) {
		fprintf(stderr, "FAIL: vxfwd.bpf.o: load: %s (verifier log above)\n",
			strerror(-ret));
		ret = T_EXIT_FAIL;
		goto out;
	}
	if (pcaps) {
		files = replay_pcaps(&t);
		if (!files) {
			ret = T_EXIT_FAIL;
			goto out;
		}
	} else {
		for (i = 0; i < T_ARRAY_SIZE(groups); i++)
			run_group(&t, &groups[i]);
		run_ipv6_cuts(&t);
		xdp_fanout(&t.h, &t.rep, RING_BYTES);
	}
	check_invariant(&t, !pcaps);
	printf("# %u cases, %u failed, %d capture files\n", t.rep.cases, t.rep.failed, files);
	ret = t.rep.failed ? T_EXIT_FAIL : T_EXIT_PASS;
out:
	hx_close(&t.h);
	return ret;
}
