// SPDX-License-Identifier: GPL-2.0-only
/*
 * tx_uring_ring.c - the uring-ring backend (see tx.h): frames copied into a
 * PACKET_TX_RING (tx_ring.h), one IORING_OP_SEND of length 0 per batch
 * (tx_uring.h) to kick it: tpacket_snd() sends every frame marked
 * SEND_REQUEST.
 *
 * A kick's CQE says only what the kick did; a frame counts as sent when the
 * kernel gives it back, which posts no CQE, so tx->fd is -1 and the worker
 * comes back every millisecond while frames are in flight.  At most one
 * kick is out at a time; frames queued meanwhile are kicked once its CQE is
 * reaped.  A kick that found the socket full or the device queue busy
 * (EAGAIN, ENOBUFS) leaves frames marked: they are kicked again at the next
 * flush or wait.  A kick the kernel refused before touching the ring (link
 * down) leaves the frames queued too; its error is returned by the next
 * flush, as tx-ring returns send()'s, and until a kick succeeds a wait
 * sleeps instead of kicking again.
 *
 * Frames go with a virtio_net_hdr (tx_ring.h), so that tpacket_snd() copies
 * each into a linear skb rather than attaching the ring's pages to it: the
 * bench (veth, 64-byte frames) measured ~610 ns of daemon CPU per frame with
 * the header against ~760 without, and tx-ring's ~720.
 */
#include <errno.h>
#include <poll.h>

#include "tx_backends.h"
#include "tx_ring.h"
#include "tx_uring.h"

#define UR_ENTRIES 4 /* SQ entries: one kick is out at most */
#define UR_VNET	   1 /* a virtio_net_hdr before each frame (see above) */

struct ur_tx {
	struct tpring r; /* first: tpring_op_room() and _queue() take the state as one */
	struct uring io;
	unsigned int kicks; /* submitted, CQE not reaped: 0 or 1 */
	int again;	    /* frames may be marked and not kicked */
	int failed;	    /* the last kick was refused (link down) */
	int err;	    /* its error, for the next flush */
};

void ur_close(struct vxfwd_tx *tx)
{
	struct ur_tx *s = tx->priv;

	if (!s)
		return;
	uring_close(&s->io);
	tpring_close(&s->r);
	tx_priv_free(tx);
}

int ur_open(struct vxfwd_tx *tx, const struct vxfwd_tx_opts *o)
{
	struct ur_tx *s;
	int ret;

	s = tx_priv_alloc(tx, sizeof(*s));
	if (!s)
		return -ENOMEM;
	ret = uring_open(tx, &s->io, UR_ENTRIES);
	if (ret < 0)
		return ret;
	tx->fd = -1; /* frames handed back post no CQE */
	return tpring_open(&s->r, tx->sock, o, UR_VNET);
}

/* Hand every marked frame to the kernel: one SEND of nothing. */
static int ur_kick(struct vxfwd_tx *tx, struct ur_tx *s)
{
	struct io_uring_sqe *sqe;
	int ret;

	tx->inflight += tx->queued;
	tx->queued = 0;
	s->again = 1;
	if (s->kicks)
		return 0;
	sqe = io_uring_get_sqe(&s->io.ring);
	io_uring_prep_send(sqe, 0, NULL, 0, 0);
	sqe->flags |= IOSQE_FIXED_FILE;
	ret = io_uring_submit(&s->io.ring);
	if (ret < 0)
		return ret;
	s->kicks++;
	s->again = 0;
	s->failed = 0;
	tx->st->batches++;
	return 0;
}

int ur_flush(struct vxfwd_tx *tx)
{
	struct ur_tx *s = tx->priv;
	int ret = s->err, kick;

	uring_start(&s->io);
	s->err = 0;
	if (tx->queued || s->again) {
		kick = ur_kick(tx, s);
		if (kick < 0 && !ret)
			ret = kick;
	}
	return ret;
}

static void kick_done(struct ur_tx *s, int res)
{
	if (res >= 0)
		return;
	s->again = 1;
	if (res == -EAGAIN || res == -ENOBUFS || res == -EINTR)
		return;
	s->failed = 1;
	s->err = res;
}

static void ur_reap_kicks(struct ur_tx *s)
{
	struct io_uring_cqe *cqe[UR_ENTRIES];
	unsigned int i, n;

	n = io_uring_peek_batch_cqe(&s->io.ring, cqe, UR_ENTRIES);
	for (i = 0; i < n; i++)
		kick_done(s, cqe[i]->res);
	io_uring_cq_advance(&s->io.ring, n);
	s->kicks -= n;
}

unsigned int ur_reap(struct vxfwd_tx *tx)
{
	struct ur_tx *s = tx->priv;

	if (s->kicks)
		ur_reap_kicks(s);
	return tpring_reap(tx, &s->r);
}

void ur_wait(struct vxfwd_tx *tx, int ms)
{
	struct __kernel_timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long long)(ms % 1000) * 1000000,
	};
	struct pollfd p = {.fd = tx->sock, .events = POLLOUT};
	struct ur_tx *s = tx->priv;
	struct io_uring_cqe *cqe;

	/* Frames left marked by a full socket are kicked again first. */
	if (s->again && !s->failed)
		ur_kick(tx, s);
	if (s->kicks) {
		/* Entering the kernel also runs a kick deferred to task work. */
		io_uring_wait_cqe_timeout(&s->io.ring, &cqe, &ts);
		ur_reap_kicks(s);
	}
	if (s->failed)
		poll(NULL, 0, ms);
	else if (tx->inflight)
		poll(&p, 1, ms);
}
