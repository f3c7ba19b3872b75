/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vxfwd_csum.h - Internet checksum helpers (RFC 1071, RFC 1624).
 */
#ifndef VXFWD_CSUM_H
#define VXFWD_CSUM_H

#include <linux/types.h>
#include <bpf/bpf_helpers.h>

static __always_inline __u16 csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/*
 * RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), for a 16-bit field changing from
 * `from` to `to`.  All values are in the same (network) byte order, which
 * one's complement addition does not care about.
 */
static __always_inline __u16 csum_replace2(__u16 check, __u16 from, __u16 to)
{
	__u32 sum = (__u16)~check;

	sum += (__u16)~from;
	sum += to;
	return (__u16)~csum_fold(sum);
}

static __always_inline __u16 csum_replace4(__u16 check, __u32 from, __u32 to)
{
	__u32 sum = (__u16)~check;

	sum += (__u16) ~(from >> 16);
	sum += (__u16) ~(from & 0xffff);
	sum += to >> 16;
	sum += to & 0xffff;
	return (__u16)~csum_fold(sum);
}

/*
 * True when the IPv4 header `hdr` of `hlen` bytes (a multiple of 4, at most
 * 60, checksum field included) sums to 0xffff.
 */
static __always_inline int ipv4_csum_ok(__be32 *hdr, __u32 hlen)
{
	__s64 sum = bpf_csum_diff(0, 0, hdr, hlen & 0x3c, 0);

	if (sum < 0)
		return 0;
	return csum_fold((__u32)sum) == 0xffff;
}

#endif /* VXFWD_CSUM_H */
