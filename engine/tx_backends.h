/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tx_backends.h - the steps of every send backend, as tx.c's table of
 * backends (struct vxfwd_tx_ops) names them.  Internal to the sender: only
 * tx.c and the backend files include it; each backend's state stays private
 * to its file (tx->priv).
 */
#ifndef VXFWD_TX_BACKENDS_H
#define VXFWD_TX_BACKENDS_H

#include "tx.h"

/* io_uring, shared by write-fixed and send (tx_uring.c). */
int uring_flush(struct vxfwd_tx *tx);
void uring_wait(struct vxfwd_tx *tx, int ms);

/* write-fixed: copies into registered slots, WRITE_FIXED (tx_uring.c). */
int wf_open(struct vxfwd_tx *tx, const struct vxfwd_tx_opts *o);
void wf_close(struct vxfwd_tx *tx);
unsigned int wf_room(struct vxfwd_tx *tx);
void wf_queue(struct vxfwd_tx *tx, void *priv, const void *frame, __u32 len, unsigned long end);
unsigned int wf_reap(struct vxfwd_tx *tx);

/* send: SEND straight from the ring (tx_uring.c). */
int snd_open(struct vxfwd_tx *tx, const struct vxfwd_tx_opts *o);
void snd_close(struct vxfwd_tx *tx);
unsigned int snd_room(struct vxfwd_tx *tx);
void snd_queue(struct vxfwd_tx *tx, void *priv, const void *frame, __u32 len, unsigned long end);
unsigned int snd_reap(struct vxfwd_tx *tx);
unsigned long snd_release(struct vxfwd_tx *tx, unsigned long taken);

/* sendmmsg (tx_mmsg.c). */
int mm_open(struct vxfwd_tx *tx, const struct vxfwd_tx_opts *o);
void mm_close(struct vxfwd_tx *tx);
unsigned int mm_room(struct vxfwd_tx *tx);
void mm_queue(struct vxfwd_tx *tx, void *priv, const void *frame, __u32 len, unsigned long end);
int mm_flush(struct vxfwd_tx *tx);
unsigned int mm_reap(struct vxfwd_tx *tx);
void mm_wait(struct vxfwd_tx *tx, int ms);

/*
 * The PACKET_TX_RING backends' room and queue, for a private state that
 * starts with its struct tpring (tx_ring.c).
 */
unsigned int tpring_op_room(struct vxfwd_tx *tx);
void tpring_op_queue(struct vxfwd_tx *tx, void *priv, const void *frame, __u32 len,
		     unsigned long end);

/* tx-ring: send(2) per batch (tx_ring.c). */
int tr_open(struct vxfwd_tx *tx, const struct vxfwd_tx_opts *o);
void tr_close(struct vxfwd_tx *tx);
int tr_flush(struct vxfwd_tx *tx);
unsigned int tr_reap(struct vxfwd_tx *tx);
void tr_wait(struct vxfwd_tx *tx, int ms);

/* uring-ring: an io_uring SEND of nothing per batch (tx_uring_ring.c). */
int ur_open(struct vxfwd_tx *tx, const struct vxfwd_tx_opts *o);
void ur_close(struct vxfwd_tx *tx);
int ur_flush(struct vxfwd_tx *tx);
unsigned int ur_reap(struct vxfwd_tx *tx);
void ur_wait(struct vxfwd_tx *tx, int ms);

#endif /* VXFWD_TX_BACKENDS_H */
