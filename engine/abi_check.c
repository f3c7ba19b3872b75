// SPDX-License-Identifier: GPL-2.0-only
/*
 * abi_check.c - pin the layout of bpf/vxfwd_abi.h as user space sees it.
 * The BPF side compiles the same header; a size or offset that moves here is
 * an ABI break, caught at build time.
 */
#include <stddef.h>

#include "vxfwd_abi.h"

_Static_assert(sizeof(struct vxfwd_count) == 16, "vxfwd_count");
_Static_assert(sizeof(struct vxfwd_cfg) == 44, "vxfwd_cfg");
_Static_assert(offsetof(struct vxfwd_cfg, n_geneve_ports) == 32, "vxfwd_cfg.n_geneve_ports");
_Static_assert(offsetof(struct vxfwd_cfg, geneve_port_be) == 36, "vxfwd_cfg.geneve_port_be");
_Static_assert(offsetof(struct vxfwd_cfg, egress_ifindex) == 20, "vxfwd_cfg.egress_ifindex");
_Static_assert(sizeof(struct vxfwd_vni_key) == 8, "vxfwd_vni_key");
_Static_assert(sizeof(struct vxfwd_lpm_key) == 12, "vxfwd_lpm_key");
_Static_assert(offsetof(struct vxfwd_lpm_key, addr) == 8, "vxfwd_lpm_key.addr");
_Static_assert(sizeof(struct vxfwd_lpm_val) == 16, "vxfwd_lpm_val");
_Static_assert(sizeof(struct vxfwd_lpm6_key) == 24, "vxfwd_lpm6_key");
_Static_assert(offsetof(struct vxfwd_lpm6_key, addr) == 8, "vxfwd_lpm6_key.addr");
_Static_assert(sizeof(struct vxfwd_in6) == 16, "vxfwd_in6");
_Static_assert(sizeof(struct vxfwd_rule) ==
		       56 + 4 * VXFWD_RULE_MAX_DPORTS + (VXFWD_MAX_TARGETS - 1) * 24,
	       "vxfwd_rule");
_Static_assert(offsetof(struct vxfwd_rule, n_targets) == 6, "vxfwd_rule.n_targets");
_Static_assert(offsetof(struct vxfwd_rule, more) == 56 + 4 * VXFWD_RULE_MAX_DPORTS,
	       "vxfwd_rule.more");
_Static_assert(sizeof(struct vxfwd_target) == 24, "vxfwd_target");
_Static_assert(offsetof(struct vxfwd_target, addr6) == 8, "vxfwd_target.addr6");
_Static_assert(sizeof(struct vxfwd_target_count) == 48, "vxfwd_target_count");
_Static_assert(offsetof(struct vxfwd_rule, dport) == 16, "vxfwd_rule.dport");
_Static_assert(offsetof(struct vxfwd_rule, src_sets) == 16 + 4 * VXFWD_RULE_MAX_DPORTS,
	       "vxfwd_rule.src_sets");
_Static_assert(offsetof(struct vxfwd_rule, nat_addr) == 32 + 4 * VXFWD_RULE_MAX_DPORTS,
	       "vxfwd_rule.nat_addr");
_Static_assert(offsetof(struct vxfwd_rule, nat_addr6) == 40 + 4 * VXFWD_RULE_MAX_DPORTS,
	       "vxfwd_rule.nat_addr6");
_Static_assert(sizeof(struct vxfwd_nh) == 8, "vxfwd_nh");
_Static_assert(sizeof(struct vxfwd_rec) == 16, "vxfwd_rec");
_Static_assert(offsetof(struct vxfwd_rec, frame) == 16, "vxfwd_rec.frame");
_Static_assert(sizeof(struct vxfwd_engine_stats) == (11 + VXFWD_ERRNO_SLOTS) * 8,
	       "vxfwd_engine_stats");
_Static_assert(sizeof(struct vxfwd_mon_ev) == 80, "vxfwd_mon_ev");
_Static_assert(offsetof(struct vxfwd_mon_ev, family) == 29, "vxfwd_mon_ev.family");
_Static_assert(offsetof(struct vxfwd_mon_ev, saddr) == 32, "vxfwd_mon_ev.saddr");
_Static_assert(offsetof(struct vxfwd_mon_ev, suppressed) == 44, "vxfwd_mon_ev.suppressed");
_Static_assert(offsetof(struct vxfwd_mon_ev, saddr6) == 48, "vxfwd_mon_ev.saddr6");
_Static_assert(offsetof(struct vxfwd_mon_ev, daddr6) == 64, "vxfwd_mon_ev.daddr6");
_Static_assert(VXFWD_L_MAX == 1, "enum vxfwd_layer is append-only");
_Static_assert(VXFWD_C_MAX == 25, "enum vxfwd_counter is append-only");
