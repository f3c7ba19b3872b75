/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tx.h - the sender: one AF_PACKET socket bound to the egress interface
 * (protocol 0: it sends, it never receives) behind five backends.
 *
 *   write-fixed  frames copied once from the ring into slots of one
 *                registered buffer, IORING_OP_WRITE_FIXED (tx_uring.c)
 *   send         IORING_OP_SEND straight from the ring's memory; a record
 *                is released when its send completes (tx_uring.c)
 *   sendmmsg     sendmmsg(2) straight from the ring, synchronous
 *                (tx_mmsg.c)
 *   tx-ring      PACKET_TX_RING (TPACKET_V2): frames copied into the
 *                socket's mapped ring, one send(2) per batch (tx_ring.c)
 *   uring-ring   the same ring, kicked by one IORING_OP_SEND of length 0
 *                per batch (tx_uring_ring.c)
 *
 * tx_ring.h (the mapped ring) and tx_uring.h (an io_uring and its setup)
 * are what backends share beyond this header.
 *
 * tx_open() makes the socket and picks the backend, whose open allocates
 * its own state (tx->priv, a struct private to its .c file) and whose close
 * frees it; tx_close() undoes both.  In between the worker drives every
 * backend the same way, through tx->ops only: reap completions, queue
 * frames while there is room, flush once per batch, release the ring up to
 * the position ops->release() returns.  A frame counts as sent only when
 * the kernel says it was: a completion of the full length, sendmmsg's
 * msg_len, a TX ring frame handed back.  Failures are counted by errno
 * (tx_account()).
 */
#ifndef VXFWD_TX_H
#define VXFWD_TX_H

#include <sys/socket.h>

#include "vxfwd_abi.h"
#include "vxfwd_conf.h"

#define VXFWD_TX_SLOT_SIZE 9216 /* VXFWD_MAX_FRAME, 64-byte aligned */
#define VXFWD_TX_SLOTS	   256	/* frames in flight per worker: a default batch */

struct vxfwd_tx_opts {
	int ifindex;
	enum vxfwd_backend backend; /* names: vxfwd_backend_name() */
	unsigned int nslots;	    /* 0: VXFWD_TX_SLOTS (a backend's open sees it resolved) */
	/*
	 * Set by tx_open from the egress's MTU: the longest frame packet_snd()
	 * takes, MTU + Ethernet + VLAN header; what the backends that copy
	 * frames size their buffers for.
	 */
	unsigned int max_frame;
	int qdisc_bypass;
	unsigned long ring_pos; /* the ring's consumer position at start */
};

/* What every backend shares; the rest is behind priv. */
struct vxfwd_tx {
	const struct vxfwd_tx_ops *ops;
	void *priv;	       /* the backend's own state, from its open */
	int sock;	       /* the AF_PACKET socket, bound to the egress */
	int fd;		       /* for epoll: readable on completions, or -1 */
	unsigned int queued;   /* queued, not yet handed to the kernel */
	unsigned int inflight; /* handed to the kernel, not yet completed */
	struct vxfwd_engine_stats *st;
};

struct vxfwd_tx_ops {
	/*
	 * Allocate tx->priv and set the backend up on tx->sock; 0 or -errno.
	 * close frees what open got, a failed open's included.
	 */
	int (*open)(struct vxfwd_tx *tx, const struct vxfwd_tx_opts *o);
	void (*close)(struct vxfwd_tx *tx);
	/* Frames that can be queued now. */
	unsigned int (*room)(struct vxfwd_tx *tx);
	/*
	 * Queue one frame; `end` is the ring position just after its record.
	 * `priv` is tx->priv, loaded by the caller once per batch rather than
	 * by the backend once per frame.
	 */
	void (*queue)(struct vxfwd_tx *tx, void *priv, const void *frame, __u32 len,
		      unsigned long end);
	/* Hand everything queued to the kernel; 0 or -errno. */
	int (*flush)(struct vxfwd_tx *tx);
	/* Account completed frames; returns how many. */
	unsigned int (*reap)(struct vxfwd_tx *tx);
	/* Ring position up to which records may be released. */
	unsigned long (*release)(struct vxfwd_tx *tx, unsigned long taken);
	/* Wait up to `ms` for a completion. */
	void (*wait)(struct vxfwd_tx *tx, int ms);
};

int tx_open(struct vxfwd_tx *tx, const struct vxfwd_tx_opts *o, struct vxfwd_engine_stats *st);
void tx_close(struct vxfwd_tx *tx);

/*
 * Shared by the backends: their state, zeroed, as tx->priv (NULL when out of
 * memory), and its release once close freed what the state points to.
 */
void *tx_priv_alloc(struct vxfwd_tx *tx, size_t size);
void tx_priv_free(struct vxfwd_tx *tx);

/* Shared by the backends: count one frame's outcome. */
void tx_account(struct vxfwd_tx *tx, __u32 want, int res);

/* Shared by the backends that read no record after queueing it: release all taken. */
unsigned long tx_release_taken(struct vxfwd_tx *tx, unsigned long taken);

#endif /* VXFWD_TX_H */
