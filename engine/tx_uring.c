// SPDX-License-Identifier: GPL-2.0-only
/*
 * tx_uring.c - the io_uring backends (see tx.h).
 *
 * Both register the socket as fixed file 0 (no fget/fput per SQE), size the
 * SQ to the slots (one SQE per slot at most: the SQ never overflows) and
 * reap CQEs in batches.  write-fixed copies each frame once into a slot of
 * one registered region; send points the SQE at the record in the ring and
 * holds the record until its completion, releasing the ring in order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "tx.h"

#define REAP_BATCH 64

static int uring_init(struct vxfwd_tx *tx)
{
	struct io_uring_params p = {
		.flags = IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN,
	};
	int ret;

	ret = io_uring_queue_init_params(tx->nslots, &tx->ring, &p);
	if (ret == -EINVAL) /* an older kernel without those flags */
		ret = io_uring_queue_init(tx->nslots, &tx->ring, 0);
	if (ret < 0)
		return ret;
	tx->ring_ok = 1;
	tx->fd = tx->ring.ring_fd;
	ret = io_uring_register_files(&tx->ring, &tx->sock, 1);
	if (ret < 0)
		return ret;
	tx->len = calloc(tx->nslots, sizeof(*tx->len));
	return tx->len ? 0 : -ENOMEM;
}

static void uring_close(struct vxfwd_tx *tx)
{
	if (tx->ring_ok)
		io_uring_queue_exit(&tx->ring);
	if (tx->buf)
		munmap(tx->buf, tx->buf_len);
	free(tx->free);
	free(tx->len);
	free(tx->end);
	free(tx->done);
	tx->ring_ok = 0;
	tx->buf = NULL;
	tx->free = NULL;
	tx->len = NULL;
	tx->end = NULL;
	tx->done = NULL;
}

static int uring_flush(struct vxfwd_tx *tx)
{
	int ret;

	if (!tx->queued)
		return 0;
	ret = io_uring_submit(&tx->ring);
	if (ret < 0)
		return ret;
	tx->st->batches++;
	tx->inflight += ret;
	tx->queued -= ret;
	return 0;
}

static void uring_wait(struct vxfwd_tx *tx, int ms)
{
	struct __kernel_timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long long)(ms % 1000) * 1000000,
	};
	struct io_uring_cqe *cqe;

	if (tx->inflight)
		io_uring_wait_cqe_timeout(&tx->ring, &cqe, &ts);
}

/* Account every available CQE, REAP_BATCH at a time; `done` frees its slot. */
static unsigned int uring_reap(struct vxfwd_tx *tx,
			       void (*done)(struct vxfwd_tx *tx, unsigned int slot, int res))
{
	struct io_uring_cqe *cqe[REAP_BATCH];
	unsigned int i, n, total = 0;

	do {
		n = io_uring_peek_batch_cqe(&tx->ring, cqe, REAP_BATCH);
		for (i = 0; i < n; i++)
			done(tx, (unsigned int)io_uring_cqe_get_data64(cqe[i]), cqe[i]->res);
		io_uring_cq_advance(&tx->ring, n);
		tx->inflight -= n;
		total += n;
	} while (n == REAP_BATCH);
	return total;
}

static unsigned long release_all(struct vxfwd_tx *tx, unsigned long taken)
{
	(void)tx;
	return taken;
}

/* ---- write-fixed ------------------------------------------------------- */

static int wf_open(struct vxfwd_tx *tx)
{
	struct iovec iov;
	unsigned int i;
	int ret;

	ret = uring_init(tx);
	if (ret < 0)
		return ret;
	tx->buf_len = (size_t)tx->nslots * VXFWD_TX_SLOT_SIZE;
	tx->buf = mmap(NULL, tx->buf_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (tx->buf == MAP_FAILED) {
		tx->buf = NULL;
		return -errno;
	}
	tx->free = calloc(tx->nslots, sizeof(*tx->free));
	if (!tx->free)
		return -ENOMEM;
	for (i = 0; i < tx->nslots; i++)
		tx->free[i] = tx->nslots - 1 - i;
	tx->nfree = tx->nslots;
	iov.iov_base = tx->buf;
	iov.iov_len = tx->buf_len;
	return io_uring_register_buffers(&tx->ring, &iov, 1);
}

static unsigned int wf_room(struct vxfwd_tx *tx)
{
	return tx->nfree;
}

static void wf_queue(struct vxfwd_tx *tx, const void *frame, __u32 len, unsigned long end)
{
	unsigned int slot = tx->free[--tx->nfree];
	unsigned char *p = tx->buf + (size_t)slot * VXFWD_TX_SLOT_SIZE;
	struct io_uring_sqe *sqe = io_uring_get_sqe(&tx->ring);

	(void)end;
	memcpy(p, frame, len);
	io_uring_prep_write_fixed(sqe, 0, p, len, 0, 0);
	sqe->flags |= IOSQE_FIXED_FILE;
	io_uring_sqe_set_data64(sqe, slot);
	tx->len[slot] = len;
	tx->queued++;
}

static void wf_done(struct vxfwd_tx *tx, unsigned int slot, int res)
{
	tx_account(tx, tx->len[slot], res);
	tx->free[tx->nfree++] = slot;
}

static unsigned int wf_reap(struct vxfwd_tx *tx)
{
	return uring_reap(tx, wf_done);
}

const struct vxfwd_tx_ops tx_write_fixed_ops = {
	.open = wf_open,
	.close = uring_close,
	.room = wf_room,
	.queue = wf_queue,
	.flush = uring_flush,
	.reap = wf_reap,
	.release = release_all,
	.wait = uring_wait,
};

/* ---- send, straight from the ring ------------------------------------- */

static int snd_open(struct vxfwd_tx *tx)
{
	int ret;

	ret = uring_init(tx);
	if (ret < 0)
		return ret;
	tx->end = calloc(tx->nslots, sizeof(*tx->end));
	tx->done = calloc(tx->nslots, sizeof(*tx->done));
	return tx->end && tx->done ? 0 : -ENOMEM;
}

static unsigned int snd_room(struct vxfwd_tx *tx)
{
	return tx->nslots - (tx->tail - tx->head);
}

static void snd_queue(struct vxfwd_tx *tx, const void *frame, __u32 len, unsigned long end)
{
	unsigned int slot = tx->tail++ % tx->nslots;
	struct io_uring_sqe *sqe = io_uring_get_sqe(&tx->ring);

	io_uring_prep_send(sqe, 0, frame, len, 0);
	sqe->flags |= IOSQE_FIXED_FILE;
	io_uring_sqe_set_data64(sqe, slot);
	tx->len[slot] = len;
	tx->end[slot] = end;
	tx->done[slot] = 0;
	tx->queued++;
}

static void snd_done(struct vxfwd_tx *tx, unsigned int slot, int res)
{
	tx_account(tx, tx->len[slot], res);
	tx->done[slot] = 1;
}

static unsigned int snd_reap(struct vxfwd_tx *tx)
{
	unsigned int n = uring_reap(tx, snd_done);

	/* Completions may come out of order; the ring is released in order. */
	while (tx->head != tx->tail && tx->done[tx->head % tx->nslots]) {
		tx->released = tx->end[tx->head % tx->nslots];
		tx->head++;
	}
	return n;
}

static unsigned long snd_release(struct vxfwd_tx *tx, unsigned long taken)
{
	return tx->head == tx->tail ? taken : tx->released;
}

const struct vxfwd_tx_ops tx_send_ops = {
	.open = snd_open,
	.close = uring_close,
	.room = snd_room,
	.queue = snd_queue,
	.flush = uring_flush,
	.reap = snd_reap,
	.release = snd_release,
	.wait = uring_wait,
};
