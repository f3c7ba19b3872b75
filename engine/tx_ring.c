// SPDX-License-Identifier: GPL-2.0-only
/*
 * tx_ring.c - the PACKET_TX_RING backend (see tx.h).
 *
 * TPACKET_V2 frames of 16 KiB (a jumbo frame and the header), one per slot,
 * mapped into the process.  A frame is copied in, marked SEND_REQUEST, and
 * one send(MSG_DONTWAIT) per batch hands all of them to the kernel, which
 * gives a frame back (AVAILABLE) when its skb is freed after transmission.
 *
 * The kernel walks the ring from its own head and cannot skip a frame, so a
 * frame it will refuse must never be queued: frames longer than the egress
 * MTU allows are counted as EMSGSIZE here instead.  While the interface is
 * down, send() fails before touching the ring: frames stay queued, the
 * worker stops taking records and XDP counts ring-full drops; the queued
 * frames go out when the link returns.  PACKET_LOSS makes the kernel skip a
 * malformed frame rather than stop; such a frame is counted as sent (it
 * cannot happen with frames built by the XDP program).
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <net/if.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "tx.h"

#define TR_FRAME_SIZE (16u << 10)
#define TR_BLOCK_SIZE (64u << 10)
#define TR_DATA_OFF   TPACKET_ALIGN(sizeof(struct tpacket2_hdr))

/* The mapped ring and the FIFO of frames queued and not yet handed back. */
struct tr_tx {
	unsigned char *map;
	size_t map_len;
	unsigned int nslots;	 /* frames in the ring: whole blocks */
	unsigned int head, tail; /* oldest frame not handed back, next free frame */
	unsigned int frame_size; /* largest frame the egress MTU takes */
	int again;		 /* the last send() found the socket full */
};

static struct tpacket2_hdr *frame_at(const struct tr_tx *s, unsigned int i)
{
	return (struct tpacket2_hdr *)(s->map + (size_t)(i % s->nslots) * TR_FRAME_SIZE);
}

static int egress_mtu(int sock)
{
	struct sockaddr_ll sll = {0};
	socklen_t sl = sizeof(sll);
	struct ifreq ifr = {0};

	if (getsockname(sock, (struct sockaddr *)&sll, &sl) < 0 ||
	    !if_indextoname(sll.sll_ifindex, ifr.ifr_name) || ioctl(sock, SIOCGIFMTU, &ifr) < 0)
		return -errno;
	return ifr.ifr_mtu;
}

static void tr_close(struct vxfwd_tx *tx)
{
	struct tr_tx *s = tx->priv;

	if (!s)
		return;
	if (s->map)
		munmap(s->map, s->map_len);
	tx_priv_free(tx);
}

static int tr_open(struct vxfwd_tx *tx, const struct vxfwd_tx_opts *o)
{
	int v = TPACKET_V2, one = 1, mtu;
	struct tpacket_req req;
	struct tr_tx *s;

	s = tx_priv_alloc(tx, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->nslots = (o->nslots + 3) & ~3u; /* whole blocks */
	req.tp_frame_size = TR_FRAME_SIZE;
	req.tp_block_size = TR_BLOCK_SIZE;
	req.tp_frame_nr = s->nslots;
	req.tp_block_nr = s->nslots / (TR_BLOCK_SIZE / TR_FRAME_SIZE);
	mtu = egress_mtu(tx->sock);
	if (mtu < 0)
		return mtu;
	s->frame_size = (unsigned int)mtu + ETH_HLEN;
	if (setsockopt(tx->sock, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)) < 0 ||
	    setsockopt(tx->sock, SOL_PACKET, PACKET_LOSS, &one, sizeof(one)) < 0 ||
	    setsockopt(tx->sock, SOL_PACKET, PACKET_TX_RING, &req, sizeof(req)) < 0)
		return -errno;
	s->map_len = (size_t)req.tp_block_nr * req.tp_block_size;
	s->map = mmap(NULL, s->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, tx->sock, 0);
	if (s->map == MAP_FAILED) {
		s->map = NULL;
		return -errno;
	}
	return 0;
}

static unsigned int tr_room(struct vxfwd_tx *tx)
{
	const struct tr_tx *s = tx->priv;

	return s->nslots - (s->tail - s->head);
}

static void tr_queue(struct vxfwd_tx *tx, void *priv, const void *frame, __u32 len,
		     unsigned long end)
{
	struct tr_tx *s = priv;
	struct tpacket2_hdr *h;

	(void)end;
	if (len > s->frame_size || len > TR_FRAME_SIZE - TR_DATA_OFF) {
		tx_account(tx, len, -EMSGSIZE);
		return;
	}
	h = frame_at(s, s->tail++);
	memcpy((unsigned char *)h + TR_DATA_OFF, frame, len);
	h->tp_len = len;
	__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
	tx->queued++;
}

static int tr_flush(struct vxfwd_tx *tx)
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

static unsigned int tr_reap(struct vxfwd_tx *tx)
{
	struct tr_tx *s = tx->priv;
	struct tpacket2_hdr *h;
	unsigned int n = 0;
	__u32 status;

	while (s->head != s->tail) {
		h = frame_at(s, s->head);
		status = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);
		if (status & TP_STATUS_WRONG_FORMAT) {
			tx_account(tx, h->tp_len, -EBADMSG);
			__atomic_store_n(&h->tp_status, TP_STATUS_AVAILABLE, __ATOMIC_RELEASE);
		} else if (status == TP_STATUS_AVAILABLE) {
			tx_account(tx, h->tp_len, (int)h->tp_len);
		} else {
			break;
		}
		s->head++;
		tx->inflight--;
		n++;
	}
	return n;
}

static void tr_wait(struct vxfwd_tx *tx, int ms)
{
	struct pollfd p = {.fd = tx->sock, .events = POLLOUT};

	/* Frames refused (socket full, link down) are handed over again first. */
	tr_flush(tx);
	if (tx->inflight)
		poll(&p, 1, ms);
}

const struct vxfwd_tx_ops tx_tx_ring_ops = {
	.open = tr_open,
	.close = tr_close,
	.room = tr_room,
	.queue = tr_queue,
	.flush = tr_flush,
	.reap = tr_reap,
	.release = tx_release_taken,
	.wait = tr_wait,
};
