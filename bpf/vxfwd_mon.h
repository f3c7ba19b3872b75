/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vxfwd_mon.h - the monitor of the XDP program (`vxfwd monitor`): off unless
 * user space sets vxfwd_mon.on; then a sampled, rate-limited event per
 * mirror frame into vxfwd_mon_ring.  The counters never depend on it.
 */
#ifndef VXFWD_MON_BPF_H
#define VXFWD_MON_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "vxfwd_abi.h"

/* In .bss: a plain load per frame, no helper call, while nobody watches. */
struct vxfwd_mon_cfg vxfwd_mon = {};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vxfwd_mon_tb);
} vxfwd_mon_tb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, VXFWD_MON_RING_BYTES);
} vxfwd_mon_ring SEC(".maps");

#define MON_NS 1000000000ull

/* One token from this CPU's bucket, refilled at vxfwd_mon.rate per second. */
static __always_inline int mon_take(struct vxfwd_mon_tb *tb, __u64 now)
{
	__u64 rate = vxfwd_mon.rate ? vxfwd_mon.rate : 1;
	__u64 burst = vxfwd_mon.burst ? vxfwd_mon.burst : 1;
	__u64 dt = now - tb->last_ns, add;

	if (dt >= MON_NS) {
		tb->tokens = burst;
		tb->last_ns = now;
	} else {
		add = dt * rate / MON_NS;
		if (add) {
			tb->tokens = tb->tokens + add > burst ? burst : tb->tokens + add;
			tb->last_ns = now;
		}
	}
	if (!tb->tokens)
		return 0;
	tb->tokens--;
	return 1;
}

static __always_inline int mon_sampled(void)
{
	__u32 n = vxfwd_mon.sample;

	return n <= 1 || bpf_get_prandom_u32() % n == 0;
}

#endif /* VXFWD_MON_BPF_H */
