/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tx_uring.h - the io_uring of one sender, shared by the io_uring backends
 * (tx_uring.c: write-fixed and send; tx_uring_ring.c: uring-ring).
 * Internal to the backends.
 *
 * uring_open() sets the ring up with the fastest setup the kernel takes:
 * SINGLE_ISSUER | DEFER_TASKRUN, created disabled so that the worker thread,
 * not the thread that opens it, becomes its only submitter; else
 * COOP_TASKRUN; else the defaults (logged once at debug level).  The socket
 * is fixed file 0 (no fget/fput per SQE).  uring_start(), on the submitting
 * thread before its first submit, enables the ring and registers its fd
 * with that thread (no fdget per io_uring_enter).
 *
 * Completions of deferred task work (a send that found the socket full and
 * was retried from a poll wake-up) are posted only when the submitter enters
 * the kernel to wait for events, and they do not make the ring's fd
 * readable: with DEFER_TASKRUN tx->fd is -1, so the worker comes back every
 * millisecond while frames are in flight, and its reap (a peek, which enters
 * the kernel when IORING_SQ_TASKRUN says work is pending) runs them.  Sends
 * completed at submission are posted at once either way.
 */
#ifndef VXFWD_TX_URING_H
#define VXFWD_TX_URING_H

#include <liburing.h>

#include "tx.h"

struct uring {
	struct io_uring ring;
	int ok;	      /* set up: io_uring_queue_exit() is due */
	int disabled; /* created disabled: uring_start() enables it */
	int started;  /* uring_start() ran */
};

/* Set `u` up for `entries` SQEs with tx->sock as fixed file 0; 0 or -errno. */
int uring_open(struct vxfwd_tx *tx, struct uring *u, unsigned int entries);

/* On the submitting thread, before its first submit; once. */
void uring_start(struct uring *u);

void uring_close(struct uring *u);

#endif /* VXFWD_TX_URING_H */
