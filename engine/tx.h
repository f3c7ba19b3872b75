/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tx.h - the sender: one AF_PACKET socket bound to the egress interface
 * (protocol 0: it sends, it never receives) behind four backends.
 *
 *   write-fixed  frames copied once from the ring into slots of one
 *                registered buffer, IORING_OP_WRITE_FIXED (tx_uring.c)
 *   send         IORING_OP_SEND straight from the ring's memory; a record
 *                is released when its send completes (tx_uring.c)
 *   sendmmsg     sendmmsg(2) straight from the ring, synchronous
 *                (tx_mmsg.c)
 *   tx-ring      PACKET_TX_RING (TPACKET_V2): frames copied into the
 *                socket's mapped ring, one send(2) per batch (tx_ring.c)
 *
 * The worker drives every backend the same way: reap completions, queue
 * frames while there is room, flush once per batch, release the ring up to
 * the position ops->release() returns.  A frame counts as sent only when the kernel says it was:
 * a completion of the full length, sendmmsg's msg_len, a TX ring frame
 * handed back.  Failures are counted by errno.
 */
#ifndef VXFWD_TX_H
#define VXFWD_TX_H

#include <liburing.h>
#include <sys/socket.h>

#include "vxfwd_abi.h"
#include "vxfwd_conf.h"

#define VXFWD_TX_SLOT_SIZE 9216 /* VXFWD_MAX_FRAME, 64-byte aligned */
#define VXFWD_TX_SLOTS	   512	/* frames in flight per worker */

struct vxfwd_tx;

struct vxfwd_tx_ops {
	int (*open)(struct vxfwd_tx *tx);
	void (*close)(struct vxfwd_tx *tx);
	/* Frames that can be queued now. */
	unsigned int (*room)(struct vxfwd_tx *tx);
	/* Queue one frame; `end` is the ring position just after its record. */
	void (*queue)(struct vxfwd_tx *tx, const void *frame, __u32 len, unsigned long end);
	/* Hand everything queued to the kernel; 0 or -errno. */
	int (*flush)(struct vxfwd_tx *tx);
	/* Account completed frames; returns how many. */
	unsigned int (*reap)(struct vxfwd_tx *tx);
	/* Ring position up to which records may be released. */
	unsigned long (*release)(struct vxfwd_tx *tx, unsigned long taken);
	/* Wait up to `ms` for a completion. */
	void (*wait)(struct vxfwd_tx *tx, int ms);
};

struct vxfwd_tx {
	const struct vxfwd_tx_ops *ops;
	int sock;
	unsigned int nslots;
	unsigned int queued;   /* queued, not yet handed to the kernel */
	unsigned int inflight; /* handed to the kernel, not yet completed */
	int fd;		       /* for epoll: readable on completions, or -1 */
	struct vxfwd_engine_stats *st;

	/* io_uring backends */
	struct io_uring ring;
	int ring_ok;
	unsigned char *buf; /* write-fixed: nslots * VXFWD_TX_SLOT_SIZE, registered */
	size_t buf_len;
	unsigned int *free; /* write-fixed: stack of free slot numbers */
	unsigned int nfree;
	__u32 *len;	    /* length handed over, per slot */
	unsigned long *end; /* send: ring position after each record, per slot */
	unsigned char *done;
	unsigned int head, tail; /* send: FIFO of slots in ring order */
	unsigned long released;

	/* sendmmsg */
	struct mmsghdr *msg;
	struct iovec *iov;

	/* tx-ring */
	unsigned char *map;
	size_t map_len;
	unsigned int frame_size; /* largest frame the egress MTU takes */
	int again;		 /* the last send() found the socket full */
};

struct vxfwd_tx_opts {
	int ifindex;
	enum vxfwd_backend backend; /* names: vxfwd_backend_name() */
	unsigned int nslots;	    /* 0: VXFWD_TX_SLOTS */
	int qdisc_bypass;
	unsigned long ring_pos; /* the ring's consumer position at start */
};

extern const struct vxfwd_tx_ops tx_write_fixed_ops, tx_send_ops, tx_sendmmsg_ops,
	tx_tx_ring_ops;

int tx_open(struct vxfwd_tx *tx, const struct vxfwd_tx_opts *o, struct vxfwd_engine_stats *st);
void tx_close(struct vxfwd_tx *tx);

/* Wait up to `ms` milliseconds for everything in flight to complete. */
void tx_drain(struct vxfwd_tx *tx, int ms);

/* Shared by the backends: count one frame's outcome. */
void tx_account(struct vxfwd_tx *tx, __u32 want, int res);

#endif /* VXFWD_TX_H */
