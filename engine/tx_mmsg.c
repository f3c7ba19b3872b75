// SPDX-License-Identifier: GPL-2.0-only
/*
 * tx_mmsg.c - the sendmmsg(2) backend (see tx.h).
 *
 * Message vectors point straight into the ring; flush sends them all in one
 * blocking call (the socket waits for send buffer space, as the io_uring
 * backends do), so nothing is in flight afterwards and every taken record
 * may be released.  A message the kernel refuses is counted with its errno
 * and skipped; the rest of the batch is sent.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tx.h"

static int mm_open(struct vxfwd_tx *tx)
{
	tx->msg = calloc(tx->nslots, sizeof(*tx->msg));
	tx->iov = calloc(tx->nslots, sizeof(*tx->iov));
	return tx->msg && tx->iov ? 0 : -ENOMEM;
}

static void mm_close(struct vxfwd_tx *tx)
{
	free(tx->msg);
	free(tx->iov);
	tx->msg = NULL;
	tx->iov = NULL;
}

static unsigned int mm_room(struct vxfwd_tx *tx)
{
	return tx->nslots - tx->queued;
}

static void mm_queue(struct vxfwd_tx *tx, const void *frame, __u32 len, unsigned long end)
{
	unsigned int i = tx->queued++;

	(void)end;
	tx->iov[i].iov_base = (void *)frame;
	tx->iov[i].iov_len = len;
	memset(&tx->msg[i], 0, sizeof(tx->msg[i]));
	tx->msg[i].msg_hdr.msg_iov = &tx->iov[i];
	tx->msg[i].msg_hdr.msg_iovlen = 1;
}

static int mm_flush(struct vxfwd_tx *tx)
{
	unsigned int done = 0, i;
	int n;

	while (done < tx->queued) {
		n = sendmmsg(tx->sock, tx->msg + done, tx->queued - done, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* The first message failed: count it, go on with the next. */
			tx_account(tx, (__u32)tx->iov[done].iov_len, -errno);
			done++;
			continue;
		}
		tx->st->batches++;
		for (i = done; i < done + (unsigned int)n; i++)
			tx_account(tx, (__u32)tx->iov[i].iov_len, (int)tx->msg[i].msg_len);
		done += n;
	}
	tx->queued = 0;
	return 0;
}

static unsigned int mm_reap(struct vxfwd_tx *tx)
{
	(void)tx;
	return 0;
}

static unsigned long mm_release(struct vxfwd_tx *tx, unsigned long taken)
{
	(void)tx;
	return taken;
}

static void mm_wait(struct vxfwd_tx *tx, int ms)
{
	(void)tx;
	(void)ms;
}

const struct vxfwd_tx_ops tx_sendmmsg_ops = {
	.open = mm_open,
	.close = mm_close,
	.room = mm_room,
	.queue = mm_queue,
	.flush = mm_flush,
	.reap = mm_reap,
	.release = mm_release,
	.wait = mm_wait,
};
