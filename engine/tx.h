/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tx.h - the io_uring sender.
 *
 * Frames are copied once from the ring into a slot of one registered buffer
 * region and written with IORING_OP_WRITE_FIXED to an AF_PACKET socket bound
 * to the egress interface (protocol 0: it sends, it never receives).  SQEs
 * are submitted in batches and CQEs reaped in batches; a frame counts as sent
 * only when its completion reports the full length.
 */
#ifndef VXFWD_TX_H
#define VXFWD_TX_H

#include <liburing.h>

#include "vxfwd_abi.h"

#define VXFWD_TX_SLOT_SIZE 9216 /* VXFWD_MAX_FRAME, 64-byte aligned */
#define VXFWD_TX_SLOTS	   256

struct vxfwd_tx {
	struct io_uring ring;
	int ring_ok;
	int sock;
	unsigned char *buf; /* nslots * VXFWD_TX_SLOT_SIZE, registered */
	size_t buf_len;
	unsigned int nslots;
	unsigned int *free; /* stack of free slot numbers */
	unsigned int nfree;
	__u32 *len;	       /* length queued in each slot */
	unsigned int queued;   /* prepared, not yet submitted */
	unsigned int inflight; /* submitted, not yet completed */
	struct vxfwd_engine_stats *st;
};

struct vxfwd_tx_opts {
	int ifindex;
	unsigned int nslots; /* 0: VXFWD_TX_SLOTS */
	int qdisc_bypass;
};

int tx_open(struct vxfwd_tx *tx, const struct vxfwd_tx_opts *o, struct vxfwd_engine_stats *st);
void tx_close(struct vxfwd_tx *tx);

/* A free slot's buffer, or NULL when every slot is in flight. */
unsigned char *tx_slot(struct vxfwd_tx *tx, unsigned int *slot);

/* Give back a slot taken with tx_slot() and not queued. */
void tx_unslot(struct vxfwd_tx *tx, unsigned int slot);

/* Wait up to `ms` milliseconds for one completion (slots all in flight). */
void tx_wait(struct vxfwd_tx *tx, int ms);

/* Queue `len` bytes of slot `slot` (taken with tx_slot()). */
void tx_queue(struct vxfwd_tx *tx, unsigned int slot, __u32 len);

/* One io_uring_submit() for everything queued.  Returns 0 or -errno. */
int tx_submit(struct vxfwd_tx *tx);

/* Account every available completion and free its slot; returns the count. */
unsigned int tx_reap(struct vxfwd_tx *tx);

/* Wait up to `ms` milliseconds for everything in flight to complete. */
void tx_drain(struct vxfwd_tx *tx, int ms);

static inline int tx_fd(const struct vxfwd_tx *tx)
{
	return tx->ring.ring_fd;
}

#endif /* VXFWD_TX_H */
