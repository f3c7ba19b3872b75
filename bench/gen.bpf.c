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
 * stamp nor the DNAT rewrite invalidates it.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "bench_abi.h"

const volatile __u32 out_ifindex;
__u8 hdr[VXB_HDR_LEN];

__u64 seq;

SEC("xdp")
int vxb_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct vxb_stamp *st = data + VXB_HDR_LEN;

	if ((void *)(st + 1) > end)
		return XDP_ABORTED;
	__builtin_memcpy(data, hdr, VXB_HDR_LEN);
	st->magic = VXB_MAGIC;
	st->seq = __sync_fetch_and_add(&seq, 1);
	st->tstamp_ns = bpf_ktime_get_ns();
	return bpf_redirect(out_ifindex, 0);
}

char LICENSE[] SEC("license") = "GPL";
