/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench_abi.h - what the benchmark's BPF programs share with vxbench.
 *
 * The generator stamps every frame with a struct vxb_stamp at the start of
 * the inner UDP payload; the collector and the leak counter look for it.
 * Latency buckets are log2 with VXB_HIST_SUB linear steps per power of two
 * (about 12% resolution), enough for p99.9 without a sort.
 */
#ifndef VXB_ABI_H
#define VXB_ABI_H

#include <linux/types.h>

#define VXB_MAGIC	0x31484342584656ULL	/* "VFXBCH1" little endian */
#define VXB_HIST_SHIFT	3
#define VXB_HIST_SUB	(1 << VXB_HIST_SHIFT)
#define VXB_HIST_N	(64 * VXB_HIST_SUB)

/*
 * Outer Ethernet/IPv4/UDP/VXLAN + inner Ethernet/IPv4/UDP, no options: the
 * stamp sits right after them.
 */
#define VXB_HDR_LEN	(14 + 20 + 8 + 8 + 14 + 20 + 8)
/* The same with an inner IPv6 header (gen -6). */
#define VXB_HDR6_LEN	(14 + 20 + 8 + 8 + 14 + 40 + 8)

/*
 * Written into the inner UDP payload by gen.bpf.c (or by vxbench for jumbo).
 * Inner IPv6 (whose UDP checksum cannot be 0) puts a 16-bit word right
 * after it that cancels the stamp in the one's complement sum, so that the
 * checksum the frame was built with stays right: vxb_stamp_fix().
 */
struct vxb_stamp {
	__u64 magic;
	__u64 seq;
	__u64 tstamp_ns;		/* bpf_ktime_get_ns(), CLOCK_MONOTONIC */
};

/* The word that, after the stamp, adds nothing to a one's complement sum. */
static inline __attribute__((always_inline)) __u16 vxb_stamp_fix(const struct vxb_stamp *st)
{
	const __u16 *w = (const __u16 *)st;
	__u32 sum = 0;
	unsigned int i;

	for (i = 0; i < sizeof(*st) / 2; i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* Collector's per-CPU tally (collect.bpf.c, map vxb_coll). */
struct vxb_coll {
	__u64 good;			/* stamped, DNAT tuple and checksums right */
	__u64 wrong;			/* stamped, but tuple, MAC or checksum wrong */
	__u64 good_bytes;
	__u64 lat_sum_ns;
	__u64 hist[VXB_HIST_N];		/* latency of good frames, see vxb_bucket() */
	__u64 good2;			/* stamped, to the second fan-out target (want_addr2),
					   port, MAC and checksums right; not in good */
};

/* Leak counter's per-CPU tally (collect.bpf.c, tc ingress of the mirror). */
struct vxb_leak {
	__u64 frames;			/* every frame from the sensor */
	__u64 leaked;			/* carrying the marker or the DNAT target */
};

/* Peer (b), the XDP_REDIRECT ceiling (xredir.bpf.c, map vxb_xr_cnt). */
enum vxb_xr_counter {
	VXB_XR_PASS = 0,
	VXB_XR_REDIRECT,
	VXB_XR_DROP,
	VXB_XR_MAX,
};

struct vxb_lpm_key {
	__u32 prefixlen;
	__be32 addr;
};

#endif /* VXB_ABI_H */
