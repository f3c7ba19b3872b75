/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vxfwd_limits.h - limits private to the XDP program.  The limits shared
 * with user space are in vxfwd_abi.h; these are #ifndef-guarded so tests can
 * change them.
 */
#ifndef VXFWD_LIMITS_H
#define VXFWD_LIMITS_H

/* Ring size in bytes (a power of two, a multiple of the page size). */
#ifndef VXFWD_RING_BYTES
#define VXFWD_RING_BYTES (16u << 20)
#endif

/*
 * What must stay free in a ring for a frame to be taken: a record of the
 * largest size class and the ring's 8-byte record header, rounded up.
 */
#define VXFWD_RING_HEADROOM (VXFWD_MAX_FRAME + 64)

/* IPv4 options are at most 40 bytes: IHL 15. */
#define VXFWD_IPV4_MAX_HLEN 60

/*
 * GENEVE options walked before a frame is dropped as having too many.  A
 * Gateway Load Balancer sends three (endpoint id, attachment id, flow
 * cookie); the option area holds at most 63 (252 bytes of 4-byte options).
 */
#ifndef VXFWD_GENEVE_MAX_OPTS
#define VXFWD_GENEVE_MAX_OPTS 16
#endif

/*
 * Inner IPv6 extension headers walked before the UDP or TCP header
 * (hop-by-hop and destination options); more: DROP_INNER6_EXT.
 */
#ifndef VXFWD_IPV6_MAX_EXT
#define VXFWD_IPV6_MAX_EXT 4
#endif

#endif /* VXFWD_LIMITS_H */
