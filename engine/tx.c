// SPDX-License-Identifier: GPL-2.0-only
/* tx.c - see tx.h: the socket, backend selection, what the backends share. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "host.h"
#include "tx.h"
#include "tx_backends.h"

/*
 * Socket send buffer: every frame in flight holds an skb charged to it.  The
 * default (212992 bytes) holds ~250 small skbs, fewer than the slots, and a
 * send that finds it full makes io_uring arm a poll and retry later: a stall
 * for a whole batch.  Sized for every slot of the largest class.
 */
#define TX_SNDBUF (32 << 20)

/* Every backend: what implements each step (tx_backends.h). */
static const struct vxfwd_tx_ops backends[] = {
	[VXFWD_BACKEND_WRITE_FIXED] =
		{
			.open = wf_open,
			.close = wf_close,
			.room = wf_room,
			.queue = wf_queue,
			.flush = uring_flush,
			.reap = wf_reap,
			.release = tx_release_taken,
			.wait = uring_wait,
		},
	[VXFWD_BACKEND_SEND] =
		{
			.open = snd_open,
			.close = snd_close,
			.room = snd_room,
			.queue = snd_queue,
			.flush = uring_flush,
			.reap = snd_reap,
			.release = snd_release,
			.wait = uring_wait,
		},
	[VXFWD_BACKEND_SENDMMSG] =
		{
			.open = mm_open,
			.close = mm_close,
			.room = mm_room,
			.queue = mm_queue,
			.flush = mm_flush,
			.reap = mm_reap,
			.release = tx_release_taken,
			.wait = mm_wait,
		},
	[VXFWD_BACKEND_TX_RING] =
		{
			.open = tr_open,
			.close = tr_close,
			.room = tpring_op_room,
			.queue = tpring_op_queue,
			.flush = tr_flush,
			.reap = tr_reap,
			.release = tx_release_taken,
			.wait = tr_wait,
		},
	[VXFWD_BACKEND_URING_RING] =
		{
			.open = ur_open,
			.close = ur_close,
			.room = tpring_op_room,
			.queue = tpring_op_queue,
			.flush = ur_flush,
			.reap = ur_reap,
			.release = tx_release_taken,
			.wait = ur_wait,
		},
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
	struct vxfwd_tx_opts bo = *o;
	struct host_link link;
	int ret;

	memset(tx, 0, sizeof(*tx));
	tx->sock = -1;
	tx->fd = -1;
	tx->st = st;
	if (!bo.nslots)
		bo.nslots = VXFWD_TX_SLOTS;
	/* read once: a frame longer than this fails as the kernel would fail it */
	ret = host_link_get(o->ifindex, &link);
	if (ret < 0)
		return ret;
	bo.max_frame = (unsigned int)link.mtu + ETH_HLEN + 4 /* VLAN */;
	if ((size_t)o->backend >= sizeof(backends) / sizeof(backends[0]) ||
	    !backends[o->backend].open)
		return -EINVAL;
	tx->ops = &backends[o->backend];

	ret = packet_socket(o);
	if (ret < 0)
		return ret;
	tx->sock = ret;
	ret = tx->ops->open(tx, &bo);
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
	tx->fd = -1;
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

void *tx_priv_alloc(struct vxfwd_tx *tx, size_t size)
{
	tx->priv = calloc(1, size);
	return tx->priv;
}

void tx_priv_free(struct vxfwd_tx *tx)
{
	free(tx->priv);
	tx->priv = NULL;
}

unsigned long tx_release_taken(struct vxfwd_tx *tx, unsigned long taken)
{
	(void)tx;
	return taken;
}
