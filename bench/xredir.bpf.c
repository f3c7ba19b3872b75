// SPDX-License-Identifier: GPL-2.0-only
/*
 * xredir.bpf.c - peer (b) of the benchmark: the in-kernel ceiling.
 *
 * The least an XDP program can do for vxfwd's job on ens5: outer
 * Ethernet/IPv4/UDP to vxlan_port, VXLAN with the I flag and VNI vni, inner
 * Ethernet/IPv4/UDP or TCP to match_port from an address in vxb_allow;
 * rewrite the inner destination to nat_addr:nat_port with incremental
 * checksums (a UDP checksum of 0 stays 0), set the MACs, strip the outer
 * headers and XDP_REDIRECT to the egress ifindex.  Other mirror traffic is
 * dropped, everything else passed.  No ring, no user space, no frame copy:
 * what vxfwd is measured against.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "bench_abi.h"

const volatile __u32 egress_ifindex;
const volatile __be16 vxlan_port = bpf_htons(4789);
const volatile __u32 vni = 1;
const volatile __be16 match_port;
const volatile __be32 nat_addr;
const volatile __be16 nat_port;
const volatile __u8 src_mac[ETH_ALEN];
const volatile __u8 dst_mac[ETH_ALEN];

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16384);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct vxb_lpm_key);
	__type(value, __u32);
} vxb_allow SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VXB_XR_MAX);
	__type(key, __u32);
	__type(value, __u64);
} vxb_xr_cnt SEC(".maps");

struct vxlanhdr {
	__u8 flags;
	__u8 rsvd[3];
	__be32 vni_rsvd;
};

static __always_inline int count(__u32 which, int verdict)
{
	__u64 *c = bpf_map_lookup_elem(&vxb_xr_cnt, &which);

	if (c)
		(*c)++;
	return verdict;
}

static __always_inline void csum_replace(__u16 *sum, __u32 from, __u32 to)
{
	__u32 s = (__u16)~*sum;

	s += (__u16)~from + (__u16)(~from >> 16) + (__u16)to + (__u16)(to >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	*sum = ~s;
}

static __always_inline void set_macs(struct ethhdr *eth)
{
	int i;

#pragma unroll
	for (i = 0; i < ETH_ALEN; i++) {
		eth->h_source[i] = src_mac[i];
		eth->h_dest[i] = dst_mac[i];
	}
}

/* Rewrite the inner L4 header at l4; 0 on success, -1 when it does not match. */
static __always_inline int nat_l4(struct iphdr *ip, void *l4, void *end)
{
	struct udphdr *udp = l4;
	struct tcphdr *tcp = l4;

	if (ip->protocol == IPPROTO_UDP) {
		if ((void *)(udp + 1) > end || udp->dest != match_port)
			return -1;
		if (udp->check) {
			csum_replace(&udp->check, ip->daddr, nat_addr);
			csum_replace(&udp->check, udp->dest, nat_port);
			if (!udp->check)
				udp->check = 0xffff;
		}
		udp->dest = nat_port;
		return 0;
	}
	if (ip->protocol != IPPROTO_TCP || (void *)(tcp + 1) > end || tcp->dest != match_port)
		return -1;
	csum_replace(&tcp->check, ip->daddr, nat_addr);
	csum_replace(&tcp->check, tcp->dest, nat_port);
	tcp->dest = nat_port;
	return 0;
}

SEC("xdp.frags")
int vxb_xredir(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data, *ieth;
	struct vxb_lpm_key key = { .prefixlen = 32 };
	struct iphdr *ip = (void *)(eth + 1), *iip;
	struct vxlanhdr *vx;
	struct udphdr *udp;
	__u32 outer;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->protocol != IPPROTO_UDP || ip->ihl < 5)
		return count(VXB_XR_PASS, XDP_PASS);
	udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > end || udp->dest != vxlan_port)
		return count(VXB_XR_PASS, XDP_PASS);
	vx = (void *)(udp + 1);
	ieth = (void *)(vx + 1);
	iip = (void *)(ieth + 1);
	if ((void *)(iip + 1) > end || !(vx->flags & 0x08) ||
	    bpf_ntohl(vx->vni_rsvd) >> 8 != vni || ieth->h_proto != bpf_htons(ETH_P_IP) ||
	    iip->ihl < 5 || (iip->frag_off & bpf_htons(0x3fff)))
		return count(VXB_XR_DROP, XDP_DROP);
	key.addr = iip->saddr;
	if (!bpf_map_lookup_elem(&vxb_allow, &key) ||
	    nat_l4(iip, (void *)iip + iip->ihl * 4, end))
		return count(VXB_XR_DROP, XDP_DROP);
	csum_replace(&iip->check, iip->daddr, nat_addr);
	iip->daddr = nat_addr;
	set_macs(ieth);
	outer = (void *)ieth - data;
	if (bpf_xdp_adjust_head(ctx, outer))
		return count(VXB_XR_DROP, XDP_DROP);
	return count(VXB_XR_REDIRECT, bpf_redirect(egress_ifindex, 0));
}

char LICENSE[] SEC("license") = "GPL";
