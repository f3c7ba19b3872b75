/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tx_ring.h - a PACKET_TX_RING (TPACKET_V2) on a sender's socket and the
 * FIFO of its frames, shared by the backends that send through one
 * (tx_ring.c: send(2) per batch; tx_uring_ring.c: an io_uring SEND per
 * batch).  Internal to the backends.
 *
 * Frames sized for the egress MTU at open (at most 16 KiB: a jumbo frame
 * and the header), one per slot, in 64 KiB blocks mapped into the process.
 * tpring_queue() copies a frame in and marks it SEND_REQUEST; whatever
 * kicks the socket (a send of length 0) makes the kernel send every marked
 * frame; tpring_reap() counts a frame as sent when the kernel gives it back
 * (AVAILABLE), after its skb is freed.
 *
 * The kernel walks the ring from its own head and cannot skip a frame, so a
 * frame it would refuse is never queued: frames longer than the egress MTU
 * allows are counted as EMSGSIZE instead.  PACKET_LOSS makes the kernel skip
 * a malformed frame rather than stop; such a frame is counted as sent (it
 * cannot happen with frames built by the XDP program).
 *
 * With `vnet`, each frame is preceded by a struct virtio_net_hdr (no GSO, no
 * checksum offload) whose hdr_len is the frame's length: tpacket_snd() then
 * copies the whole frame into a linear skb instead of attaching the ring's
 * pages to it.
 */
#ifndef VXFWD_TX_RING_H
#define VXFWD_TX_RING_H

#include "tx.h"

struct tpring {
	unsigned char *map;
	size_t map_len;
	unsigned int nslots;	 /* frames in the ring: whole blocks */
	size_t head, tail;	 /* offsets of the oldest frame not handed back, the next free one */
	unsigned int used;	 /* frames between them */
	unsigned int frame_size; /* largest frame the egress MTU takes */
	unsigned int stride;	 /* bytes from one ring frame to the next in a block */
	unsigned int vnet;	 /* bytes of virtio_net_hdr before each frame: 0 or 10 */
};

/* Set up and map the ring on `sock` for at least `nslots` frames; 0 or -errno. */
int tpring_open(struct tpring *r, int sock, const struct vxfwd_tx_opts *o, int vnet);
void tpring_close(struct tpring *r);

/* Frames that can be queued now. */
unsigned int tpring_room(const struct tpring *r);

/* Copy one frame in and mark it for sending (tx->queued counts it). */
void tpring_queue(struct vxfwd_tx *tx, struct tpring *r, const void *frame, __u32 len);

/* Account the frames the kernel gave back, oldest first; returns how many. */
unsigned int tpring_reap(struct vxfwd_tx *tx, struct tpring *r);

#endif /* VXFWD_TX_RING_H */
