// SPDX-License-Identifier: GPL-2.0-only
/*
 * tx_ring.c - the mapped PACKET_TX_RING (tx_ring.h) and the tx-ring backend
 * on it (see tx.h): one send(MSG_DONTWAIT) per batch hands every queued
 * frame to the kernel.
 *
 * While the interface is down, send() fails before touching the ring:
 * frames stay queued, the worker stops taking records and XDP counts
 * ring-full drops; the queued frames go out when the link returns.
 */
#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>

#include "tx_backends.h"
#include "tx_ring.h"

#define TR_FRAME_MAX  (16u << 10)
#define TR_BLOCK_SIZE (64u << 10)
#define TR_DATA_OFF   TPACKET_ALIGN(sizeof(struct tpacket2_hdr))

/* tx-ring: the ring, and whether the last send() left frames unsent. */
struct tr_tx {
	struct tpring r; /* first: tpring_op_room() and _queue() take the state as one */
	int again;	 /* the last send() found the socket full */
};

/* ---- the mapped ring -------------------------------------------------- */

/*
 * The ring frame after the one at byte offset `off`, in the kernel's order:
 * the next one in its block, else the first of the next block (frames do
 * not straddle blocks), after the last block the first.
 */
static size_t next_off(const struct tpring *r, size_t off)
{
	off += r->stride;
	if ((off & (TR_BLOCK_SIZE - 1)) + r->stride > TR_BLOCK_SIZE)
		off = (off + TR_BLOCK_SIZE - 1) & ~(size_t)(TR_BLOCK_SIZE - 1);
	return off < r->map_len ? off : 0;
}

/* PACKET_VNET_HDR must come before the ring. */
static int ring_sockopts(int sock, struct tpacket_req *req, int vnet)
{
	int v = TPACKET_V2, one = 1;

	if (vnet && setsockopt(sock, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) < 0)
		return -errno;
	if (setsockopt(sock, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)) < 0 ||
	    setsockopt(sock, SOL_PACKET, PACKET_LOSS, &one, sizeof(one)) < 0 ||
	    setsockopt(sock, SOL_PACKET, PACKET_TX_RING, req, sizeof(*req)) < 0)
		return -errno;
	return 0;
}

int tpring_open(struct tpring *r, int sock, const struct vxfwd_tx_opts *o, int vnet)
{
	struct tpacket_req req;
	unsigned int per_block;
	int ret;

	r->vnet = vnet ? sizeof(struct virtio_net_hdr) : 0;
	/* untagged: a longer frame would stop the kernel's walk (tx_ring.h) */
	r->frame_size = o->max_frame - 4 /* VLAN */;
	/*
	 * A ring frame holds the longest frame the egress takes, not a jumbo
	 * one: the kernel maps every page of the ring into the process at
	 * mmap(), so its size is resident memory.
	 */
	r->stride = TPACKET_ALIGN(TR_DATA_OFF + r->vnet + o->max_frame);
	if (r->stride > TR_FRAME_MAX)
		r->stride = TR_FRAME_MAX;
	per_block = TR_BLOCK_SIZE / r->stride;
	r->nslots = (o->nslots + per_block - 1) / per_block * per_block; /* whole blocks */
	req.tp_frame_size = r->stride;
	req.tp_block_size = TR_BLOCK_SIZE;
	req.tp_frame_nr = r->nslots;
	req.tp_block_nr = r->nslots / per_block;
	ret = ring_sockopts(sock, &req, vnet);
	if (ret < 0)
		return ret;
	r->map_len = (size_t)req.tp_block_nr * req.tp_block_size;
	r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, sock, 0);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		return -errno;
	}
	return 0;
}

void tpring_close(struct tpring *r)
{
	if (r->map)
		munmap(r->map, r->map_len);
	r->map = NULL;
}

unsigned int tpring_room(const struct tpring *r)
{
	return r->nslots - r->used;
}

void tpring_queue(struct vxfwd_tx *tx, struct tpring *r, const void *frame, __u32 len)
{
	unsigned char *data;
	struct tpacket2_hdr *h;

	if (len > r->frame_size || len > r->stride - TR_DATA_OFF - r->vnet) {
		tx_account(tx, len, -EMSGSIZE);
		return;
	}
	h = (struct tpacket2_hdr *)(r->map + r->tail);
	r->tail = next_off(r, r->tail);
	r->used++;
	data = (unsigned char *)h + TR_DATA_OFF;
	if (r->vnet) {
		/* No GSO, no offload: only hdr_len, the bytes copied into the skb's head. */
		memset(data, 0, r->vnet);
		((struct virtio_net_hdr *)data)->hdr_len = htole16((__u16)len);
	}
	memcpy(data + r->vnet, frame, len);
	h->tp_len = len + r->vnet;
	__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
	tx->queued++;
}

unsigned int tpring_reap(struct vxfwd_tx *tx, struct tpring *r)
{
	struct tpacket2_hdr *h;
	unsigned int n = 0;
	__u32 status;

	while (r->used) {
		h = (struct tpacket2_hdr *)(r->map + r->head);
		status = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);
		if (status & TP_STATUS_WRONG_FORMAT) {
			tx_account(tx, h->tp_len - r->vnet, -EBADMSG);
			__atomic_store_n(&h->tp_status, TP_STATUS_AVAILABLE, __ATOMIC_RELEASE);
		} else if (status == TP_STATUS_AVAILABLE) {
			tx_account(tx, h->tp_len - r->vnet, (int)(h->tp_len - r->vnet));
		} else {
			break;
		}
		r->head = next_off(r, r->head);
		r->used--;
		tx->inflight--;
		n++;
	}
	return n;
}

unsigned int tpring_op_room(struct vxfwd_tx *tx)
{
	return tpring_room(tx->priv);
}

void tpring_op_queue(struct vxfwd_tx *tx, void *priv, const void *frame, __u32 len,
		     unsigned long end)
{
	(void)end;
	tpring_queue(tx, priv, frame, len);
}

/* ---- tx-ring: send(2) per batch ---------------------------------------- */

void tr_close(struct vxfwd_tx *tx)
{
	struct tr_tx *s = tx->priv;

	if (!s)
		return;
	tpring_close(&s->r);
	tx_priv_free(tx);
}

int tr_open(struct vxfwd_tx *tx, const struct vxfwd_tx_opts *o)
{
	struct tr_tx *s;

	s = tx_priv_alloc(tx, sizeof(*s));
	if (!s)
		return -ENOMEM;
	return tpring_open(&s->r, tx->sock, o, 0);
}

int tr_flush(struct vxfwd_tx *tx)
{
	struct tr_tx *s = tx->priv;
	ssize_t n;

	if (!tx->queued && !s->again)
		return 0;
	n = send(tx->sock, NULL, 0, MSG_DONTWAIT);
	tx->inflight += tx->queued;
	tx->queued = 0;
	s->again = n < 0;
	/*
	 * Interface down: the frames stay queued and nothing is counted here;
	 * the frames XDP cannot queue meanwhile are its ring-full drops.
	 */
	if (n < 0 && errno != EAGAIN && errno != ENOBUFS && errno != EINTR)
		return -errno;
	tx->st->batches++;
	return 0;
}

unsigned int tr_reap(struct vxfwd_tx *tx)
{
	struct tr_tx *s = tx->priv;

	return tpring_reap(tx, &s->r);
}

void tr_wait(struct vxfwd_tx *tx, int ms)
{
	struct pollfd p = {.fd = tx->sock, .events = POLLOUT};

	/* Frames refused (socket full, link down) are handed over again first. */
	tr_flush(tx);
	if (tx->inflight)
		poll(&p, 1, ms);
}
