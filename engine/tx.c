// SPDX-License-Identifier: GPL-2.0-only
/* tx.c - see tx.h: the socket, backend selection, accounting. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_packet.h>

#include "tx.h"

/*
 * Socket send buffer: every frame in flight holds an skb charged to it.  The
 * default (212992 bytes) holds ~250 small skbs, fewer than the slots, and a
 * send that finds it full makes io_uring arm a poll and retry later: a stall
 * for a whole batch.  Sized for every slot of the largest class.
 */
#define TX_SNDBUF (32 << 20)

static const struct vxfwd_tx_ops *const backends[] = {
	[VXFWD_BACKEND_WRITE_FIXED] = &tx_write_fixed_ops,
	[VXFWD_BACKEND_SEND] = &tx_send_ops,
	[VXFWD_BACKEND_SENDMMSG] = &tx_sendmmsg_ops,
	[VXFWD_BACKEND_TX_RING] = &tx_tx_ring_ops,
};

static int packet_socket(const struct vxfwd_tx_opts *o)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = 0,
		.sll_ifindex = o->ifindex,
	};
	int one = 1, sndbuf = TX_SNDBUF, fd, ret;

	/* Protocol 0: no packet_type is registered, nothing is ever queued to us. */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (o->qdisc_bypass &&
	    setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) < 0)
		goto fail;
	/* FORCE needs CAP_NET_ADMIN, which run holds here; the plain one is capped. */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) < 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)) < 0)
		goto fail;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		goto fail;
	return fd;
fail:
	ret = -errno;
	close(fd);
	return ret;
}

int tx_open(struct vxfwd_tx *tx, const struct vxfwd_tx_opts *o, struct vxfwd_engine_stats *st)
{
	int ret;

	memset(tx, 0, sizeof(*tx));
	tx->sock = -1;
	tx->fd = -1;
	tx->st = st;
	tx->nslots = o->nslots ? o->nslots : VXFWD_TX_SLOTS;
	tx->released = o->ring_pos;
	if ((size_t)o->backend >= sizeof(backends) / sizeof(backends[0]) || !backends[o->backend])
		return -EINVAL;
	tx->ops = backends[o->backend];

	ret = packet_socket(o);
	if (ret < 0)
		return ret;
	tx->sock = ret;
	ret = tx->ops->open(tx);
	if (ret < 0) {
		tx_close(tx);
		return ret;
	}
	return 0;
}

void tx_close(struct vxfwd_tx *tx)
{
	if (tx->ops)
		tx->ops->close(tx);
	if (tx->sock >= 0)
		close(tx->sock);
	tx->sock = -1;
	tx->ops = NULL;
}

void tx_account(struct vxfwd_tx *tx, __u32 want, int res)
{
	struct vxfwd_engine_stats *st = tx->st;

	if (res >= 0 && (__u32)res == want) {
		st->sent_packets++;
		st->sent_bytes += res;
		return;
	}
	st->send_errors++;
	if (res < 0)
		st->send_errno[-res < VXFWD_ERRNO_SLOTS ? -res : 0]++;
	else
		st->send_errno[0]++; /* short write */
}

void tx_drain(struct vxfwd_tx *tx, int ms)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	tx->ops->flush(tx);
	tx->ops->reap(tx);
	while (tx->inflight) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >= ms)
			break;
		tx->ops->wait(tx, 10);
		tx->ops->reap(tx);
	}
}
