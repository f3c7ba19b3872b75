// SPDX-License-Identifier: GPL-2.0-only
/*
 * gen.bpf.c - the benchmark's traffic generator.
 *
 * Run by vxbench through BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES: the
 * kernel hands the prebuilt VXLAN frame to this program `repeat` times and
 * performs the returned verdict for real, so XDP_REDIRECT puts the frame on
 * the mirror namespace's veth, towards the sensor's ens5.  Each frame gets a
 * sequence number and a bpf_ktime_get_ns() stamp at VXB_HDR_LEN (the start of
 * the inner UDP payload); the inner UDP checksum is 0 so that neither the
 * stamp nor the DNAT rewrite invalidates it.  Inner IPv6 (inner6 set) has
 * its stamp at VXB_HDR6_LEN and a real checksum, which the word after the
 * stamp keeps right (vxb_stamp_fix()).
 *
 * Paced in the program (pps set): a run sends only when the rate owes a
 * frame at that moment (from t0_ns to end_ns), else it drops the frame
 * unsent, so that one long BPF_PROG_RUN paces at nanosecond grain; after a
 * gap (between two runs of BPF_PROG_RUN) at most burst frames go back to
 * back, the rest of the debt is forgiven.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "bench_abi.h"

const volatile __u32 out_ifindex;
const volatile __u64 pps;
const volatile __u64 burst;
const volatile __u32 inner6;
__u8 hdr[VXB_HDR6_LEN];

__u64 seq;
__u64 t0_ns, end_ns, forgiven;

/* Whether the rate owes a frame now (paced in the program). */
static __always_inline int vxb_due(void)
{
	__u64 now = bpf_ktime_get_ns(), due;

	if (now >= end_ns || now < t0_ns)
		return 0;
	due = (now - t0_ns) / 1000 * pps / 1000000 - forgiven;
	if (seq >= due)
		return 0;
	if (burst && due - seq > burst)
		forgiven += due - seq - burst;
	return 1;
}

/* The header copied, the stamp written at `off` (a constant), fixed for IPv6. */
static __always_inline int vxb_stamp_at(struct xdp_md *ctx, const __u32 off, const int fix)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct vxb_stamp *st = data + off;
	__u16 *w = (void *)(st + 1);

	if ((void *)(st + 1) > end || (fix && (void *)(w + 1) > end))
		return XDP_ABORTED;
	if (pps && !vxb_due())
		return XDP_DROP;
	__builtin_memcpy(data, hdr, off);
	st->magic = VXB_MAGIC;
	st->seq = __sync_fetch_and_add(&seq, 1);
	st->tstamp_ns = bpf_ktime_get_ns();
	if (fix)
		*w = vxb_stamp_fix(st);
	return bpf_redirect(out_ifindex, 0);
}

SEC("xdp")
int vxb_gen(struct xdp_md *ctx)
{
	if (inner6)
		return vxb_stamp_at(ctx, VXB_HDR6_LEN, 1);
	return vxb_stamp_at(ctx, VXB_HDR_LEN, 0);
}

char LICENSE[] SEC("license") = "GPL";
