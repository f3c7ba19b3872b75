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

static struct tpacket2_hdr *frame_at(const struct vxfwd_tx *tx, unsigned int i)
{
	return (struct tpacket2_hdr *)(tx->map + (size_t)(i % tx->nslots) * TR_FRAME_SIZE);
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

static int tr_open(struct vxfwd_tx *tx)
{
	int v = TPACKET_V2, one = 1, mtu;
	struct tpacket_req req;

	tx->nslots = (tx->nslots + 3) & ~3u; /* whole blocks */
	req.tp_frame_size = TR_FRAME_SIZE;
	req.tp_block_size = TR_BLOCK_SIZE;
	req.tp_frame_nr = tx->nslots;
	req.tp_block_nr = tx->nslots / (TR_BLOCK_SIZE / TR_FRAME_SIZE);
	mtu = egress_mtu(tx->sock);
	if (mtu < 0)
		return mtu;
	tx->frame_size = (unsigned int)mtu + ETH_HLEN;
	if (setsockopt(tx->sock, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)) < 0 ||
	    setsockopt(tx->sock, SOL_PACKET, PACKET_LOSS, &one, sizeof(one)) < 0 ||
	    setsockopt(tx->sock, SOL_PACKET, PACKET_TX_RING, &req, sizeof(req)) < 0)
		return -errno;
	tx->map_len = (size_t)req.tp_block_nr * req.tp_block_size;
	tx->map = mmap(NULL, tx->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, tx->sock, 0);
	if (tx->map == MAP_FAILED) {
		tx->map = NULL;
		return -errno;
	}
	return 0;
}

static void tr_close(struct vxfwd_tx *tx)
{
	if (tx->map)
		munmap(tx->map, tx->map_len);
	tx->map = NULL;
}

static unsigned int tr_room(struct vxfwd_tx *tx)
{
	return tx->nslots - (tx->tail - tx->head);
}

static void tr_queue(struct vxfwd_tx *tx, const void *frame, __u32 len, unsigned long end)
{
	struct tpacket2_hdr *h;

	(void)end;
	if (len > tx->frame_size || len > TR_FRAME_SIZE - TR_DATA_OFF) {
		tx_account(tx, len, -EMSGSIZE);
		return;
	}
	h = frame_at(tx, tx->tail++);
	memcpy((unsigned char *)h + TR_DATA_OFF, frame, len);
	h->tp_len = len;
	__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
	tx->queued++;
}

static int tr_flush(struct vxfwd_tx *tx)
{
	ssize_t n;

	if (!tx->queued && !tx->again)
		return 0;
	n = send(tx->sock, NULL, 0, MSG_DONTWAIT);
	tx->inflight += tx->queued;
	tx->queued = 0;
	tx->again = n < 0;
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
	struct tpacket2_hdr *h;
	unsigned int n = 0;
	__u32 status;

	while (tx->head != tx->tail) {
		h = frame_at(tx, tx->head);
		status = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);
		if (status & TP_STATUS_WRONG_FORMAT) {
			tx_account(tx, h->tp_len, -EBADMSG);
			__atomic_store_n(&h->tp_status, TP_STATUS_AVAILABLE, __ATOMIC_RELEASE);
		} else if (status == TP_STATUS_AVAILABLE) {
			tx_account(tx, h->tp_len, (int)h->tp_len);
		} else {
			break;
		}
		tx->head++;
		tx->inflight--;
		n++;
	}
	return n;
}

static unsigned long tr_release(struct vxfwd_tx *tx, unsigned long taken)
{
	(void)tx;
	return taken;
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
	.release = tr_release,
	.wait = tr_wait,
};
