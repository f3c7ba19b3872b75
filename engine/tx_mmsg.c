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
#include "tx_backends.h"

/* Message vectors, one per slot, rebuilt for each batch. */
struct mm_tx {
	unsigned int nslots;
	struct mmsghdr *msg;
	struct iovec *iov;
};

void mm_close(struct vxfwd_tx *tx)
{
	struct mm_tx *s = tx->priv;

	if (!s)
		return;
	free(s->msg);
	free(s->iov);
	tx_priv_free(tx);
}

int mm_open(struct vxfwd_tx *tx, const struct vxfwd_tx_opts *o)
{
	struct mm_tx *s;

	s = tx_priv_alloc(tx, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->nslots = o->nslots;
	s->msg = calloc(o->nslots, sizeof(*s->msg));
	s->iov = calloc(o->nslots, sizeof(*s->iov));
	return s->msg && s->iov ? 0 : -ENOMEM;
}

unsigned int mm_room(struct vxfwd_tx *tx)
{
	const struct mm_tx *s = tx->priv;

	return s->nslots - tx->queued;
}

void mm_queue(struct vxfwd_tx *tx, void *priv, const void *frame, __u32 len, unsigned long end)
{
	struct mm_tx *s = priv;
	unsigned int i = tx->queued++;

	(void)end;
	s->iov[i].iov_base = (void *)frame;
	s->iov[i].iov_len = len;
	memset(&s->msg[i], 0, sizeof(s->msg[i]));
	s->msg[i].msg_hdr.msg_iov = &s->iov[i];
	s->msg[i].msg_hdr.msg_iovlen = 1;
}

int mm_flush(struct vxfwd_tx *tx)
{
	struct mm_tx *s = tx->priv;
	unsigned int done = 0, i;
	int n;

	while (done < tx->queued) {
		n = sendmmsg(tx->sock, s->msg + done, tx->queued - done, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* The first message failed: count it, go on with the next. */
			tx_account(tx, (__u32)s->iov[done].iov_len, -errno);
			done++;
			continue;
		}
		tx->st->batches++;
		for (i = done; i < done + (unsigned int)n; i++)
			tx_account(tx, (__u32)s->iov[i].iov_len, (int)s->msg[i].msg_len);
		done += n;
	}
	tx->queued = 0;
	return 0;
}

/* Nothing is ever in flight: flush returns when the kernel has every message. */
unsigned int mm_reap(struct vxfwd_tx *tx)
{
	(void)tx;
	return 0;
}

void mm_wait(struct vxfwd_tx *tx, int ms)
{
	(void)tx;
	(void)ms;
}
