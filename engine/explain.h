/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * explain.h - the parts of `vxfwd explain` (cmd_explain.c) around the XDP
 * program it runs: the packet of the command line built into a frame
 * (explain_frame.c), the frames of a capture (explain_pcap.c) and the
 * verdict put into words or JSON (explain_print.c).
 */
#ifndef VXFWD_EXPLAIN_H
#define VXFWD_EXPLAIN_H

#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#include "inspect.h"
#include "vxfwd_abi.h"

struct vxfwd_ruleset;

#define EXPLAIN_SPORT	  40000
#define EXPLAIN_FRAME_MAX 256 /* the frame of the command line, either family */

/* The packet of the command line. */
struct query {
	__u8 proto;
	int family;	      /* AF_INET or AF_INET6, both addresses alike */
	__u8 src[16], dst[16]; /* network order; AF_INET: the first 4 bytes */
	__u16 sport, dport;
	__u32 vni;
	int have_vni;
};

/* What one run of the program decided. */
struct verdict {
	__u32 counter;
	int have_ev;
	struct vxfwd_mon_ev ev;
	unsigned int n_recs; /* ring records: one per copy (fan-out: per target) */
	__u32 rec_len[VXFWD_MAX_TARGETS];
	__u8 rec[VXFWD_MAX_TARGETS][128]; /* the headers of each frame as it leaves */
};

/*
 * Where a rule's name and place come from: the rules file (NULL when it
 * could not be read) and, for a running instance, its state file (NULL
 * when the rules file is all there is).
 */
struct explain_rules {
	const struct vxfwd_ruleset *rs;
	const struct vxfwd_state *live;
};

/*
 * "udp|tcp src[:sport] dst:dport [vni N]" (argc 3 or 5), IPv4 or IPv6
 * (written [addr]:port, or addr alone for a source without a port), both
 * addresses of one family: 0 or -EINVAL.
 */
int explain_parse_query(int argc, char **argv, struct query *q);

/*
 * Outer Ethernet/IPv4/UDP/VXLAN to `vxport` around `q` (inner IPv4 or IPv6);
 * its length (< EXPLAIN_FRAME_MAX).
 */
size_t explain_build_frame(__u8 *f, const struct query *q, __be16 vxport);

/* A capture file (pcap, Ethernet) opened for explain_pcap_read(). */
struct pcap_in {
	FILE *f;
	int swap;
};

/* 0, -errno, -EINVAL (not a pcap) or -EPROTONOSUPPORT (not Ethernet). */
int explain_pcap_open(struct pcap_in *p, const char *path);

/* The next frame into buf; its length, 0 at the end, or -errno. */
long explain_pcap_read(struct pcap_in *p, __u8 *buf, size_t size);

/* "udp 10.0.0.1:40000 -> 10.0.0.2:53 vni 7, `what` `which`" ([IPv6]:port). */
void explain_print_query(const struct query *q, const char *what, const char *which);

/* The verdict of the packet of the command line, in words. */
void explain_print_text(const struct explain_rules *r, const struct verdict *v);

/* The verdict as one JSON object; "frame" with it when frame >= 0. */
void explain_print_json(const struct explain_rules *r, const struct verdict *v, long frame);

/* One line for frame `n` of a capture. */
void explain_print_frame(const struct explain_rules *r, const struct verdict *v, long n);

#endif /* VXFWD_EXPLAIN_H */
