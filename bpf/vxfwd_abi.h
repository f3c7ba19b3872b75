/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vxfwd_abi.h - every byte that crosses the kernel/user boundary.
 *
 * This is the only header shared by the XDP program (bpf/vxfwd.bpf.c) and
 * user space (engine/, dsl/, tests/).  Map keys and values, the ring record,
 * counter and verdict enums and the limits live here and nowhere else.
 *
 * Rules: fixed-width types only, explicit padding, no pointers, no bool.
 * User space pins the layout with _Static_assert()s in engine/abi_check.c.
 *
 * Byte order: fields named *_be are network order, everything else is host
 * order.  Addresses are always network order (__be32, or 16 bytes for IPv6).
 */
#ifndef VXFWD_ABI_H
#define VXFWD_ABI_H

#include <linux/types.h>

/*
 * Limits.  Guarded so that tests can shrink them (e.g. -DVXFWD_MAX_RULES=4)
 * and check that exceeding one is a located error, not a load failure.
 */
#ifndef VXFWD_MAX_RULES
#define VXFWD_MAX_RULES 64		/* forward rules in one ruleset */
#endif
#ifndef VXFWD_MAX_SETS
#define VXFWD_MAX_SETS 64		/* sets (named + anonymous); a __u64 mask */
#endif
#ifndef VXFWD_MAX_PREFIXES
#define VXFWD_MAX_PREFIXES 131072	/* LPM entries in one ruleset, after merging */
#endif
#ifndef VXFWD_MAX_VNIS
#define VXFWD_MAX_VNIS 256		/* VNIs accepted on ingress */
#endif
#ifndef VXFWD_MAX_VXLAN_PORTS
#define VXFWD_MAX_VXLAN_PORTS 4		/* `vxlan port` values */
#endif
#ifndef VXFWD_MAX_GENEVE_PORTS
#define VXFWD_MAX_GENEVE_PORTS 4	/* `geneve port` values */
#endif
#ifndef VXFWD_MAX_ORGS
#define VXFWD_MAX_ORGS 256		/* organization labels */
#endif
#ifndef VXFWD_MAX_WORKERS
#define VXFWD_MAX_WORKERS 16		/* engine workers, one ring each */
#endif
#ifndef VXFWD_MAX_NEXTHOPS
#define VXFWD_MAX_NEXTHOPS 64		/* distinct DNAT targets */
#endif
#define VXFWD_MAX_TARGETS 4		/* DNAT targets of one rule (fan-out) */

/* Largest inner frame copied to the ring: 9000-byte MTU + Ethernet + VLAN. */
#define VXFWD_MAX_FRAME 9216

/* Two generations of every ruleset map: one active, one being written. */
#define VXFWD_GENS 2

#define VXFWD_VXLAN_DEFAULT_PORT 4789
#define VXFWD_VXLAN_FLAG_I 0x08	/* first byte of the VXLAN header */

/*
 * GENEVE (RFC 8926) as a Gateway Load Balancer endpoint sends it: the
 * payload is an IPv4 packet (protocol type 0x0800), the mirror's own
 * IPv4/UDP/VXLAN packet, after options of class 0x0108 (AWS).
 */
#define VXFWD_GENEVE_DEFAULT_PORT 6081
#define VXFWD_GENEVE_F_OAM 0x80		/* O: a control message, never data */
#define VXFWD_GENEVE_OPT_CRIT 0x80	/* the critical bit of an option's type */
#define VXFWD_GENEVE_CLASS_AWS 0x0108

/*
 * Counters.  Every frame the program sees increments VXFWD_C_RX and exactly
 * one other counter, so that
 *
 *	RX == PASS + FORWARD + sum(DROP_*)
 *
 * holds at any instant the per-CPU values are summed.  The order is ABI:
 * append only.
 */
#define VXFWD_COUNTERS(X)                                                     \
	X(RX, "rx")			/* every frame seen */                 \
	X(PASS, "pass")			/* not mirror traffic: XDP_PASS */     \
	X(FORWARD, "forward")		/* rewritten, copied into the ring */  \
	X(DROP_NO_CONFIG, "drop_no_config") /* no active ruleset yet */       \
	X(DROP_OUTER_FRAG, "drop_outer_frag") /* outer IPv4 fragment to a VXLAN port */ \
	X(DROP_VXLAN_HDR, "drop_vxlan_hdr") /* VXLAN header short, I flag clear, reserved bits set */ \
	X(DROP_VNI, "drop_vni")		/* VNI not in the ingress list */      \
	X(DROP_INNER_NOT_IP, "drop_inner_not_ip") /* inner ARP, VLAN, other ethertypes */ \
	X(DROP_INNER_MALFORMED, "drop_inner_malformed") /* inner header short, bad IHL, bad length */ \
	X(DROP_INNER_TRUNCATED, "drop_inner_truncated") /* inner IP total length beyond the captured bytes */ \
	X(DROP_INNER_CSUM, "drop_inner_csum") /* inner IPv4 header checksum wrong */ \
	X(DROP_INNER_FRAG, "drop_inner_frag") /* inner IPv4 fragment (first or not), inner IPv6 fragment header */ \
	X(DROP_INNER_PROTO, "drop_inner_proto") /* inner IP but neither UDP nor TCP */ \
	X(DROP_SRC_NOT_ALLOWED, "drop_src_not_allowed") /* inner source in no set and no rule takes any */ \
	X(DROP_NO_RULE, "drop_no_rule")	/* allowed source, but no rule matched */ \
	X(DROP_NO_NEXTHOP, "drop_no_nexthop") /* DNAT target's MAC not resolved */ \
	X(DROP_TOO_BIG, "drop_too_big")	/* inner frame larger than VXFWD_MAX_FRAME */ \
	X(DROP_RING_FULL, "drop_ring_full") /* no room in the ring for the largest frame, known before the inner packet is parsed */         \
	X(DROP_OUTER_LEN, "drop_outer_len") /* outer IPv4 total or UDP length beyond the frame, short of the VXLAN header or the inner frame, or the two disagreeing */ \
	X(DROP_GENEVE_HDR, "drop_geneve_hdr") /* GENEVE header short, version not 0, O (control) flag set, options beyond the datagram, an option past the option area, too many options */ \
	X(DROP_GENEVE_PROTO, "drop_geneve_proto") /* GENEVE protocol type not 0x0800 (IPv4) */ \
	X(DROP_GENEVE_CRIT, "drop_geneve_crit") /* a GENEVE option with the critical bit set: vxfwd knows none */ \
	X(DROP_GENEVE_INNER, "drop_geneve_inner") /* GENEVE payload not an IPv4 UDP datagram to a vxlan port */ \
	X(DROP_INNER6_UDP_ZERO_CSUM, "drop_inner6_udp_zero_csum") /* inner IPv6 UDP with checksum 0 (invalid in IPv6) */ \
	X(DROP_INNER6_EXT, "drop_inner6_ext") /* inner IPv6 with a routing header or more than VXFWD_IPV6_MAX_EXT extension headers */

#define VXFWD_COUNTER_ENUM(id, name) VXFWD_C_##id,
enum vxfwd_counter {
	VXFWD_COUNTERS(VXFWD_COUNTER_ENUM)
	VXFWD_C_MAX,
};
#undef VXFWD_COUNTER_ENUM

/*
 * Frames per encapsulation layer (vxfwd_layer_cnt, percpu array of struct
 * vxfwd_count), beside the counters above and not part of their sum: a
 * frame to a GENEVE port increments GENEVE there and, as any frame, RX and
 * one counter of VXFWD_COUNTERS.  Plain VXLAN mirror frames are not counted
 * here (that would cost their path a lookup): they are RX - PASS - GENEVE.
 * Append only.
 */
#define VXFWD_LAYERS(X)                                                       \
	X(GENEVE, "geneve")		/* frames to a geneve port, any verdict */

#define VXFWD_LAYER_ENUM(id, name) VXFWD_L_##id,
enum vxfwd_layer {
	VXFWD_LAYERS(VXFWD_LAYER_ENUM)
	VXFWD_L_MAX,
};
#undef VXFWD_LAYER_ENUM

#ifndef __bpf__
/* The layers' names in `stats` output. */
#define VXFWD_LAYER_NAME(id, name) [VXFWD_L_##id] = name,
static const char *const vxfwd_layer_names[VXFWD_L_MAX] __attribute__((unused)) = {
	VXFWD_LAYERS(VXFWD_LAYER_NAME)
};
#undef VXFWD_LAYER_NAME
#endif

#ifndef __bpf__
/* The counters' names in `stats`, JSON and Prometheus output and the tests. */
#define VXFWD_COUNTER_NAME(id, name) [VXFWD_C_##id] = name,
static const char *const vxfwd_counter_names[VXFWD_C_MAX] __attribute__((unused)) = {
	VXFWD_COUNTERS(VXFWD_COUNTER_NAME)
};
#undef VXFWD_COUNTER_NAME
#endif

/* Per-CPU value of the counter maps (global, per rule, per organization). */
struct vxfwd_count {
	__u64 packets;
	__u64 bytes;
};

/* ---- ruleset maps (keyed by generation) -------------------------------- */

/* Map identities used by the compiled operation list (dsl -> engine). */
enum vxfwd_map_id {
	VXFWD_MAP_CFG = 0,	/* array[VXFWD_GENS]: struct vxfwd_cfg */
	VXFWD_MAP_VNI,		/* hash: struct vxfwd_vni_key -> __u32 (1) */
	VXFWD_MAP_LPM,		/* lpm trie: struct vxfwd_lpm_key -> struct vxfwd_lpm_val */
	VXFWD_MAP_RULE,		/* array[VXFWD_GENS * VXFWD_MAX_RULES]: struct vxfwd_rule */
	VXFWD_MAP_NEXTHOP,	/* hash: __be32 address -> struct vxfwd_nh (not generational) */
	VXFWD_MAP_LPM6,		/* lpm trie: struct vxfwd_lpm6_key -> struct vxfwd_lpm_val */
	VXFWD_MAP_NEXTHOP6,	/* hash: 16-byte IPv6 address -> struct vxfwd_nh (not generational) */
	VXFWD_MAP_ID_MAX,
};

#define VXFWD_CFG_F_VALID 0x1

/* Per-generation ingress/egress settings; index = generation. */
struct vxfwd_cfg {
	__u32 flags;				/* VXFWD_CFG_F_* */
	__u32 n_rules;				/* rules [0, n_rules) are live */
	__u32 n_vxlan_ports;
	__be16 vxlan_port_be[VXFWD_MAX_VXLAN_PORTS];
	__u32 egress_ifindex;			/* filled in by the engine at apply */
	__u8 egress_mac[6];			/* filled in by the engine at apply */
	__u8 pad[2];
	__u32 n_geneve_ports;			/* 0: no GENEVE ingress */
	__be16 geneve_port_be[VXFWD_MAX_GENEVE_PORTS];
};

struct vxfwd_vni_key {
	__u32 gen;
	__u32 vni;				/* 24-bit VNI, host order */
};

/*
 * LPM key: prefixlen counts the bits of gen (always all 32) and addr, so a
 * /24 set member is stored with prefixlen 32 + 24.
 */
struct vxfwd_lpm_key {
	__u32 prefixlen;
	__u32 gen;
	__be32 addr;
};

/* The IPv6 LPM key (vxfwd_lpm6): prefixlen counts gen's 32 bits too. */
struct vxfwd_lpm6_key {
	__u32 prefixlen;
	__u32 gen;
	__u8 addr[16];
};

/* The IPv6 next-hop key (vxfwd_nexthop6): the DNAT target. */
struct vxfwd_in6 {
	__u8 addr[16];
};

/*
 * LPM value (both families: sets and organizations are shared).  `sets` is the mask of every set containing the address (the
 * compiler folds shorter prefixes into longer ones, so the longest match
 * alone is enough).  `org` is an organization slot + 1, 0 for none.
 */
struct vxfwd_lpm_val {
	__u64 sets;
	__u32 org;
	__u32 pad;
};

#define VXFWD_RULE_F_VNI	0x01	/* match only rule.vni */
#define VXFWD_RULE_F_SRC_ANY	0x02	/* source matches anything */
#define VXFWD_RULE_F_SRC_NEG	0x04	/* source must be in none of src_sets */
#define VXFWD_RULE_F_DST_ANY	0x08	/* destination matches anything */
#define VXFWD_RULE_F_DST_NEG	0x10	/* destination must be in none of dst_sets */
#define VXFWD_RULE_F_NAT_PORT	0x20	/* rewrite the L4 destination port too */
#define VXFWD_RULE_F_ANY_PROTO	0x40	/* UDP or TCP (proto is 0) */
#define VXFWD_RULE_F_NAT6	0x80	/* IPv6 rule: DNAT to nat_addr6, matches IPv6 only;
					   without it the rule matches IPv4 only */

/* Destination port ranges of one rule (`port 53, 5353, 8000-8100`). */
#ifndef VXFWD_RULE_MAX_DPORTS
#define VXFWD_RULE_MAX_DPORTS 8
#endif

struct vxfwd_port_range {
	__u16 lo;			/* inclusive, host order */
	__u16 hi;
};

#define VXFWD_TARGET_F_PORT	0x1	/* rewrite the L4 destination port to port_be */

/* A further DNAT target of a rule (targets 1.., struct vxfwd_rule.more). */
struct vxfwd_target {
	__be32 addr;			/* IPv4 rule */
	__be16 port_be;			/* with VXFWD_TARGET_F_PORT */
	__u8 flags;			/* VXFWD_TARGET_F_* */
	__u8 pad;
	__u8 addr6[16];			/* IPv6 rule (VXFWD_RULE_F_NAT6) */
};

/* One forward rule; index = gen * VXFWD_MAX_RULES + position (first match wins). */
struct vxfwd_rule {
	__u32 flags;			/* VXFWD_RULE_F_* */
	__u8 proto;			/* IPPROTO_UDP or IPPROTO_TCP; 0 with F_ANY_PROTO */
	__u8 n_dports;			/* ranges used in dport[], 1..VXFWD_RULE_MAX_DPORTS */
	__u8 n_targets;			/* 0 or 1: nat_* alone; 2..VXFWD_MAX_TARGETS: fan-out */
	__u8 pad;
	__u32 vni;			/* with VXFWD_RULE_F_VNI: VNIs vni..vni_hi */
	__u32 vni_hi;
	struct vxfwd_port_range dport[VXFWD_RULE_MAX_DPORTS];
	__u64 src_sets;			/* mask over vxfwd_lpm_val.sets */
	__u64 dst_sets;
	__be32 nat_addr;		/* DNAT target address */
	__be16 nat_port_be;		/* with VXFWD_RULE_F_NAT_PORT */
	__u16 pad2;
	__u8 nat_addr6[16];		/* with VXFWD_RULE_F_NAT6: DNAT target (nat_addr 0) */
	/* targets 1..n_targets-1 of a fan-out rule, of the family of the first */
	struct vxfwd_target more[VXFWD_MAX_TARGETS - 1];
};

/*
 * Per-target counters of fan-out (vxfwd_tgt_cnt, percpu array, index
 * gen * VXFWD_MAX_RULES * VXFWD_MAX_TARGETS + rule * VXFWD_MAX_TARGETS + t;
 * target 0 is the rule's nat_*).  A copy of a frame for one target is
 * queued (a ring record), or not for want of a valid next hop, or refused
 * by a full ring.  A single-target rule counts here only the copies it
 * could not queue: its queued copies are its frames in vxfwd_rule_cnt
 * (the single-target path pays no per-target count).
 *
 * One more slot after the generations' (VXFWD_TARGET_CNT_EXTRA), never
 * cleared by an apply: its `queued` counts the copies queued beyond the
 * first of each forwarded frame, so that at any instant
 *
 *	ring records (copies queued) == FORWARD + extra.queued
 *
 * (FORWARD alone for single-target rules); its other fields stay 0.
 */
#define VXFWD_TARGET_CNT_EXTRA (VXFWD_GENS * VXFWD_MAX_RULES * VXFWD_MAX_TARGETS)
#define VXFWD_TARGET_CNT_SLOTS (VXFWD_TARGET_CNT_EXTRA + 1)
struct vxfwd_target_count {
	struct vxfwd_count queued;
	struct vxfwd_count no_nexthop;
	struct vxfwd_count ring_full;
};

#define VXFWD_NH_F_VALID	0x1	/* mac holds a usable next-hop MAC */
#define VXFWD_NH_F_STATIC	0x2	/* pinned in the rules file, never resolved */

/* Next hop of a DNAT target on the egress side; key = target (__be32, or
 * struct vxfwd_in6 in vxfwd_nexthop6). */
struct vxfwd_nh {
	__u8 mac[6];
	__u16 flags;			/* VXFWD_NH_F_* */
};

/* ---- the ring ---------------------------------------------------------- */

/*
 * One forwarded frame.  `len` bytes of Ethernet frame follow the header; the
 * record itself may be larger (size classes), user space must never read
 * past `len` and must check `len` against the record size it was given.
 */
struct vxfwd_rec {
	__u32 len;			/* frame length in bytes */
	__u16 rule;			/* rule position that matched */
	__u16 cpu;			/* CPU that ran XDP */
	__u64 tstamp_ns;		/* bpf_ktime_get_ns() at XDP */
	__u8 frame[];
};

/* ---- the monitor (`vxfwd monitor`) ------------------------------------ */

/*
 * The global vxfwd_mon of the XDP program (its .bss map, found through the
 * program; a map of this value size whose name ends in ".bss").  `on` 0:
 * the program reads this one word per frame and does nothing else.  With
 * `on` 1, each mirror frame (not PASS) is a candidate: 1 in `sample` is kept
 * (0 or 1: all), then a token bucket per CPU lets `rate` events per second
 * through with bursts of `burst`; the rest are counted in the next event's
 * `suppressed`.  Nothing here touches a counter.
 */
struct vxfwd_mon_cfg {
	__u32 on;
	__u32 sample;
	__u32 rate;			/* events per second per CPU, 0: 1 */
	__u32 burst;			/* 0: 1 */
};

#define VXFWD_MON_RING_BYTES (256u << 10)	/* vxfwd_mon_ring */
#define VXFWD_MON_NO_RULE 0xffff

/* One event in vxfwd_mon_ring: what the program decided for one frame. */
struct vxfwd_mon_ev {
	__u64 tstamp_ns;		/* bpf_ktime_get_ns() */
	__u32 counter;			/* enum vxfwd_counter: FORWARD or a DROP_* */
	__u32 len;			/* frame length */
	__u32 vni;			/* 0 until the VXLAN header was read */
	__u32 gen;			/* generation the frame was matched against */
	__u16 rule;			/* matching rule position or VXFWD_MON_NO_RULE */
	__u16 cpu;
	__u8 proto;			/* inner IP protocol, 0 until parsed */
	__u8 family;			/* 4 or 6: whose addresses hold the inner packet's;
					 * 0 until its header was read */
	__u8 pad[2];
	__be32 saddr;			/* inner IPv4 addresses (family 4), 0 otherwise */
	__be32 daddr;
	__be16 sport_be;		/* inner ports, 0 until parsed */
	__be16 dport_be;
	__u32 suppressed;		/* candidates this CPU left out since its last event */
	struct vxfwd_in6 saddr6;	/* inner IPv6 addresses (family 6), 0 otherwise */
	struct vxfwd_in6 daddr6;
};

/* Per-CPU token bucket of the monitor (vxfwd_mon_tb, percpu array[1]). */
struct vxfwd_mon_tb {
	__u64 last_ns;
	__u64 tokens;
	__u64 suppressed;
};

/* ---- engine statistics (written by user space, read by `vxfwd stats`) --- */

#define VXFWD_ERRNO_SLOTS 136		/* errno values 1..135; 0: short writes, the rest */

/*
 * One entry of vxfwd_engine (an mmap-able array) per engine worker, written
 * by that worker alone; readers sum the entries.  Reloads are counted in
 * entry 0.  Fields are only ever appended.
 */
struct vxfwd_engine_stats {
	__u64 records;			/* ring records taken */
	__u64 bad_records;		/* records whose length did not fit */
	__u64 sent_packets;		/* completions that reported the full length */
	__u64 sent_bytes;
	__u64 send_errors;		/* completions with an error or a short write */
	__u64 batches;			/* io_uring submissions */
	__u64 wakeups;			/* times the engine waited for the ring */
	__u64 reloads;			/* rulesets applied after the first */
	__u64 reload_failures;		/* rulesets rejected on reload */
	__u64 send_errno[VXFWD_ERRNO_SLOTS];
	__u64 full_waits;		/* waits for a completion, every slot in flight */
	__u64 poll_hits;		/* records found by busy-polling, without a wakeup */
};

/* ---- leak guard (bpf/vxfwd_guard.bpf.c: tc egress of the ingress side) -- */

/*
 * Per-CPU counters of vxfwd_guard_cnt (struct vxfwd_count each).  A frame
 * leaving the ingress interface towards a DNAT target of the active ruleset
 * is mirror-derived traffic on the wrong wire: dropped and counted.
 */
enum vxfwd_guard_counter {
	VXFWD_G_PASS = 0,		/* left the interface */
	VXFWD_G_DROP,			/* mirror-derived (to a DNAT target, or an
					   ICMP error quoting a VXLAN datagram): dropped */
	VXFWD_G_MAX,
};

#endif /* VXFWD_ABI_H */
