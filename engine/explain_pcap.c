// SPDX-License-Identifier: GPL-2.0-only
/*
 * explain_pcap.c - the frames of a capture for `vxfwd explain -r`: classic
 * pcap, either byte order, microsecond or nanosecond, Ethernet only.
 */
#include <errno.h>
#include <stdio.h>

#include "explain.h"

static __u32 pcap_u32(const struct pcap_in *p, __u32 v)
{
	return p->swap ? __builtin_bswap32(v) : v;
}

int explain_pcap_open(struct pcap_in *p, const char *path)
{
	__u32 hdr[6];

	p->f = fopen(path, "re");
	if (!p->f)
		return -errno;
	if (fread(hdr, sizeof(hdr), 1, p->f) != 1)
		return -EINVAL;
	if (hdr[0] == 0xa1b2c3d4 || hdr[0] == 0xa1b23c4d)
		p->swap = 0;
	else if (hdr[0] == 0xd4c3b2a1 || hdr[0] == 0x4d3cb2a1)
		p->swap = 1;
	else
		return -EINVAL;
	return pcap_u32(p, hdr[5]) == 1 ? 0 : -EPROTONOSUPPORT; /* LINKTYPE_ETHERNET */
}

long explain_pcap_read(struct pcap_in *p, __u8 *buf, size_t size)
{
	__u32 rh[4], caplen;

	if (fread(rh, sizeof(rh), 1, p->f) != 1)
		return 0;
	caplen = pcap_u32(p, rh[2]);
	if (caplen > size)
		return -EFBIG;
	if (fread(buf, 1, caplen, p->f) != caplen)
		return -EINVAL;
	return caplen;
}
