// SPDX-License-Identifier: GPL-2.0-only
/* tx.c - see tx.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_packet.h>

#include "tx.h"

static int packet_socket(const struct vxfwd_tx_opts *o)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = 0,
		.sll_ifindex = o->ifindex,
	};
	int one = 1, fd, ret;

	/* Protocol 0: no packet_type is registered, nothing is ever queued to us. */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (o->qdisc_bypass &&
	    setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) < 0)
		goto fail;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		goto fail;
	return fd;
fail:
	ret = -errno;
	close(fd);
	return ret;
}

static int tx_buffers(struct vxfwd_tx *tx)
{
	struct iovec iov;
	unsigned int i;

	tx->buf_len = (size_t)tx->nslots * VXFWD_TX_SLOT_SIZE;
	tx->buf = mmap(NULL, tx->buf_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (tx->buf == MAP_FAILED) {
		tx->buf = NULL;
		return -errno;
	}
	tx->free = calloc(tx->nslots, sizeof(*tx->free));
	tx->len = calloc(tx->nslots, sizeof(*tx->len));
	if (!tx->free || !tx->len)
		return -ENOMEM;
	for (i = 0; i < tx->nslots; i++)
		tx->free[i] = tx->nslots - 1 - i;
	tx->nfree = tx->nslots;
	iov.iov_base = tx->buf;
	iov.iov_len = tx->buf_len;
	return io_uring_register_buffers(&tx->ring, &iov, 1);
}

int tx_open(struct vxfwd_tx *tx, const struct vxfwd_tx_opts *o, struct vxfwd_engine_stats *st)
{
	int ret;

	memset(tx, 0, sizeof(*tx));
	tx->sock = -1;
	tx->st = st;
	tx->nslots = o->nslots ? o->nslots : VXFWD_TX_SLOTS;

	ret = packet_socket(o);
	if (ret < 0)
		return ret;
	tx->sock = ret;
	/* One SQE per slot at most: the SQ can never overflow. */
	ret = io_uring_queue_init(tx->nslots, &tx->ring, 0);
	if (ret < 0)
		goto fail;
	tx->ring_ok = 1;
	ret = tx_buffers(tx);
	if (ret < 0)
		goto fail;
	return 0;
fail:
	tx_close(tx);
	return ret;
}

void tx_close(struct vxfwd_tx *tx)
{
	if (tx->ring_ok)
		io_uring_queue_exit(&tx->ring);
	if (tx->buf)
		munmap(tx->buf, tx->buf_len);
	if (tx->sock >= 0)
		close(tx->sock);
	free(tx->free);
	free(tx->len);
	tx->ring_ok = 0;
	tx->buf = NULL;
	tx->sock = -1;
	tx->free = NULL;
	tx->len = NULL;
}

unsigned char *tx_slot(struct vxfwd_tx *tx, unsigned int *slot)
{
	if (!tx->nfree)
		return NULL;
	*slot = tx->free[--tx->nfree];
	return tx->buf + (size_t)*slot * VXFWD_TX_SLOT_SIZE;
}

void tx_unslot(struct vxfwd_tx *tx, unsigned int slot)
{
	tx->free[tx->nfree++] = slot;
}

void tx_wait(struct vxfwd_tx *tx, int ms)
{
	struct __kernel_timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long long)(ms % 1000) * 1000000,
	};
	struct io_uring_cqe *cqe;

	if (tx->inflight)
		io_uring_wait_cqe_timeout(&tx->ring, &cqe, &ts);
}

void tx_queue(struct vxfwd_tx *tx, unsigned int slot, __u32 len)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&tx->ring);

	/* Cannot be NULL: SQ entries == slots and each slot is queued once. */
	io_uring_prep_write_fixed(sqe, tx->sock, tx->buf + (size_t)slot * VXFWD_TX_SLOT_SIZE, len,
				  0, 0);
	io_uring_sqe_set_data64(sqe, slot);
	tx->len[slot] = len;
	tx->queued++;
}

int tx_submit(struct vxfwd_tx *tx)
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

static void tx_complete(struct vxfwd_tx *tx, unsigned int slot, int res)
{
	struct vxfwd_engine_stats *st = tx->st;

	if (res >= 0 && (__u32)res == tx->len[slot]) {
		st->sent_packets++;
		st->sent_bytes += res;
	} else {
		st->send_errors++;
		if (res < 0)
			st->send_errno[-res < VXFWD_ERRNO_SLOTS ? -res : 0]++;
	}
	tx->free[tx->nfree++] = slot;
	tx->inflight--;
}

unsigned int tx_reap(struct vxfwd_tx *tx)
{
	struct io_uring_cqe *cqe;
	unsigned int head, n = 0;

	io_uring_for_each_cqe(&tx->ring, head, cqe)
	{
		tx_complete(tx, (unsigned int)io_uring_cqe_get_data64(cqe), cqe->res);
		n++;
	}
	io_uring_cq_advance(&tx->ring, n);
	return n;
}

void tx_drain(struct vxfwd_tx *tx, int ms)
{
	struct __kernel_timespec ts = {.tv_sec = 0, .tv_nsec = 10 * 1000000};
	struct io_uring_cqe *cqe;
	int waited = 0;

	tx_submit(tx);
	while (tx->inflight && waited < ms) {
		if (io_uring_wait_cqe_timeout(&tx->ring, &cqe, &ts) == -ETIME)
			waited += 10;
		tx_reap(tx);
	}
}
