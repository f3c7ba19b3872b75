// SPDX-License-Identifier: GPL-2.0-only
/*
 * tx_uring.c - the io_uring of a sender (tx_uring.h) and the write-fixed
 * and send backends on it (see tx.h).
 *
 * Both size the SQ to the slots (one SQE per slot at most: the SQ never
 * overflows) and reap CQEs in batches.  write-fixed copies each frame once
 * into a slot of one registered region; send points the SQE at the record
 * in the ring and holds the record until its completion, releasing the ring
 * in order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "tx_backends.h"
#include "log.h"
#include "tx_uring.h"

#define REAP_BATCH 64

/* What both backends hold: the first member of their state. */
struct uring_tx {
	struct uring io;
	unsigned int nslots;
	__u32 *len; /* length handed over, per slot */
};

/* write-fixed: slots of one registered buffer, free ones on a stack. */
struct wf_tx {
	struct uring_tx u;
	unsigned char *buf; /* nslots * slot, registered */
	size_t buf_len;
	unsigned int slot; /* bytes a slot holds: the egress's largest frame */
	unsigned int *free; /* stack of free slot numbers */
	unsigned int nfree;
};

/* send: slots in ring order, a FIFO released as its head completes. */
struct snd_tx {
	struct uring_tx u;
	unsigned long *end; /* ring position after each slot's record */
	unsigned char *done;
	unsigned int head, tail;
	unsigned long released; /* ring position up to the first busy slot */
};

/* ---- the io_uring of a sender ----------------------------------------- */

/* Setups, fastest first; a kernel that refuses one (EINVAL) gets the next. */
static const struct {
	unsigned int flags;
	const char *name;
} setups[] = {
	{IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_TASKRUN_FLAG |
		 IORING_SETUP_SUBMIT_ALL | IORING_SETUP_R_DISABLED,
	 "single issuer, deferred task work"},
	{IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG | IORING_SETUP_SUBMIT_ALL,
	 "cooperative task work"},
	{0, "default"},
};

/* Debug messages about what the kernel refused: once per process. */
static int log_once(int *done)
{
	return !__atomic_exchange_n(done, 1, __ATOMIC_RELAXED);
}

static int uring_setup(struct uring *u, unsigned int entries)
{
	static int logged;
	struct io_uring_params p;
	unsigned int i;
	int ret = -EINVAL;

	for (i = 0; i < sizeof(setups) / sizeof(setups[0]) && ret == -EINVAL; i++) {
		memset(&p, 0, sizeof(p));
		p.flags = setups[i].flags;
		ret = io_uring_queue_init_params(entries, &u->ring, &p);
		if (ret == -EINVAL && i + 1 < sizeof(setups) / sizeof(setups[0]) &&
		    log_once(&logged))
			log_debug("io_uring: %s setup refused by the kernel, trying %s",
				  setups[i].name, setups[i + 1].name);
	}
	if (ret < 0)
		return ret;
	u->ok = 1;
	u->disabled = !!(p.flags & IORING_SETUP_R_DISABLED);
	return 0;
}

int uring_open(struct vxfwd_tx *tx, struct uring *u, unsigned int entries)
{
	int ret = uring_setup(u, entries);

	if (ret < 0)
		return ret;
	/* Deferred completions do not make the fd readable (tx_uring.h). */
	tx->fd = u->ring.flags & IORING_SETUP_DEFER_TASKRUN ? -1 : u->ring.ring_fd;
	return io_uring_register_files(&u->ring, &tx->sock, 1);
}

void uring_start(struct uring *u)
{
	static int logged;
	int ret;

	if (u->started)
		return;
	u->started = 1;
	/* liburing 2.3 declares io_uring_enable_rings() but does not export it. */
	if (u->disabled && syscall(__NR_io_uring_register, u->ring.ring_fd,
				   IORING_REGISTER_ENABLE_RINGS, NULL, 0) < 0)
		log_warn("io_uring: enabling the ring failed");
	ret = io_uring_register_ring_fd(&u->ring);
	if (ret < 0 && log_once(&logged))
		log_debug("io_uring: registering the ring fd failed: %s", strerror(-ret));
}

void uring_close(struct uring *u)
{
	if (u->ok)
		io_uring_queue_exit(&u->ring);
	u->ok = 0;
}

/* ---- what write-fixed and send share ---------------------------------- */

static int uring_init(struct vxfwd_tx *tx, struct uring_tx *u, unsigned int nslots)
{
	int ret;

	u->nslots = nslots;
	ret = uring_open(tx, &u->io, nslots);
	if (ret < 0)
		return ret;
	u->len = calloc(nslots, sizeof(*u->len));
	return u->len ? 0 : -ENOMEM;
}

static void uring_exit(struct uring_tx *u)
{
	uring_close(&u->io);
	free(u->len);
}

/* A prepared SQE: on the socket, for `slot`, which holds `len` bytes. */
static void uring_queued(struct vxfwd_tx *tx, struct uring_tx *u, struct io_uring_sqe *sqe,
			 unsigned int slot, __u32 len)
{
	sqe->flags |= IOSQE_FIXED_FILE;
	io_uring_sqe_set_data64(sqe, slot);
	u->len[slot] = len;
	tx->queued++;
}

int uring_flush(struct vxfwd_tx *tx)
{
	struct uring_tx *u = tx->priv;
	int ret;

	uring_start(&u->io);
	if (!tx->queued)
		return 0;
	ret = io_uring_submit(&u->io.ring);
	if (ret < 0)
		return ret;
	tx->st->batches++;
	tx->inflight += ret;
	tx->queued -= ret;
	return 0;
}

void uring_wait(struct vxfwd_tx *tx, int ms)
{
	struct __kernel_timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long long)(ms % 1000) * 1000000,
	};
	struct uring_tx *u = tx->priv;
	struct io_uring_cqe *cqe;

	if (tx->inflight)
		io_uring_wait_cqe_timeout(&u->io.ring, &cqe, &ts);
}

/* Account every available CQE, REAP_BATCH at a time; `done` frees its slot. */
static unsigned int uring_reap(struct vxfwd_tx *tx,
			       void (*done)(struct uring_tx *u, unsigned int slot))
{
	struct io_uring_cqe *cqe[REAP_BATCH];
	struct uring_tx *u = tx->priv;
	unsigned int i, n, slot, total = 0;

	do {
		n = io_uring_peek_batch_cqe(&u->io.ring, cqe, REAP_BATCH);
		for (i = 0; i < n; i++) {
			slot = (unsigned int)io_uring_cqe_get_data64(cqe[i]);
			tx_account(tx, u->len[slot], cqe[i]->res);
			done(u, slot);
		}
		io_uring_cq_advance(&u->io.ring, n);
		tx->inflight -= n;
		total += n;
	} while (n == REAP_BATCH);
	return total;
}

/* ---- write-fixed ------------------------------------------------------- */

void wf_close(struct vxfwd_tx *tx)
{
	struct wf_tx *s = tx->priv;

	if (!s)
		return;
	uring_exit(&s->u);
	if (s->buf)
		munmap(s->buf, s->buf_len);
	free(s->free);
	tx_priv_free(tx);
}

/*
 * A slot holds the longest frame the egress takes (o->max_frame) in 64-byte
 * steps: at MTU 1500, 1536 bytes, a sixth of a jumbo slot, which is what
 * the registered (pinned, resident) region costs.  A frame beyond a slot
 * fails as the kernel would fail it, EMSGSIZE.
 */
static unsigned int wf_slot_size(unsigned int max_frame)
{
	unsigned int n = (max_frame + 63) & ~63u;

	return n < VXFWD_TX_SLOT_SIZE ? n : VXFWD_TX_SLOT_SIZE;
}

int wf_open(struct vxfwd_tx *tx, const struct vxfwd_tx_opts *o)
{
	struct wf_tx *s;
	struct iovec iov;
	unsigned int i;
	int ret;

	s = tx_priv_alloc(tx, sizeof(*s));
	if (!s)
		return -ENOMEM;
	ret = uring_init(tx, &s->u, o->nslots);
	if (ret < 0)
		return ret;
	s->slot = wf_slot_size(o->max_frame);
	s->buf_len = (size_t)o->nslots * s->slot;
	s->buf = mmap(NULL, s->buf_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (s->buf == MAP_FAILED) {
		s->buf = NULL;
		return -errno;
	}
	s->free = calloc(o->nslots, sizeof(*s->free));
	if (!s->free)
		return -ENOMEM;
	for (i = 0; i < o->nslots; i++)
		s->free[i] = o->nslots - 1 - i;
	s->nfree = o->nslots;
	iov.iov_base = s->buf;
	iov.iov_len = s->buf_len;
	return io_uring_register_buffers(&s->u.io.ring, &iov, 1);
}

unsigned int wf_room(struct vxfwd_tx *tx)
{
	const struct wf_tx *s = tx->priv;

	return s->nfree;
}

void wf_queue(struct vxfwd_tx *tx, void *priv, const void *frame, __u32 len, unsigned long end)
{
	struct wf_tx *s = priv;
	struct io_uring_sqe *sqe;
	unsigned int slot;
	unsigned char *p;

	(void)end;
	if (len > s->slot) {
		tx_account(tx, len, -EMSGSIZE);
		return;
	}
	slot = s->free[--s->nfree];
	p = s->buf + (size_t)slot * s->slot;
	sqe = io_uring_get_sqe(&s->u.io.ring);
	memcpy(p, frame, len);
	io_uring_prep_write_fixed(sqe, 0, p, len, 0, 0);
	uring_queued(tx, &s->u, sqe, slot, len);
}

static void wf_done(struct uring_tx *u, unsigned int slot)
{
	struct wf_tx *s = (struct wf_tx *)u; /* u is its first member */

	s->free[s->nfree++] = slot;
}

unsigned int wf_reap(struct vxfwd_tx *tx)
{
	return uring_reap(tx, wf_done);
}

/* ---- send, straight from the ring ------------------------------------- */

void snd_close(struct vxfwd_tx *tx)
{
	struct snd_tx *s = tx->priv;

	if (!s)
		return;
	uring_exit(&s->u);
	free(s->end);
	free(s->done);
	tx_priv_free(tx);
}

int snd_open(struct vxfwd_tx *tx, const struct vxfwd_tx_opts *o)
{
	struct snd_tx *s;
	int ret;

	s = tx_priv_alloc(tx, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->released = o->ring_pos;
	ret = uring_init(tx, &s->u, o->nslots);
	if (ret < 0)
		return ret;
	s->end = calloc(o->nslots, sizeof(*s->end));
	s->done = calloc(o->nslots, sizeof(*s->done));
	return s->end && s->done ? 0 : -ENOMEM;
}

unsigned int snd_room(struct vxfwd_tx *tx)
{
	const struct snd_tx *s = tx->priv;

	return s->u.nslots - (s->tail - s->head);
}

void snd_queue(struct vxfwd_tx *tx, void *priv, const void *frame, __u32 len, unsigned long end)
{
	struct snd_tx *s = priv;
	unsigned int slot = s->tail++ % s->u.nslots;
	struct io_uring_sqe *sqe = io_uring_get_sqe(&s->u.io.ring);

	io_uring_prep_send(sqe, 0, frame, len, 0);
	uring_queued(tx, &s->u, sqe, slot, len);
	s->end[slot] = end;
	s->done[slot] = 0;
}

static void snd_done(struct uring_tx *u, unsigned int slot)
{
	struct snd_tx *s = (struct snd_tx *)u; /* u is its first member */

	s->done[slot] = 1;
}

unsigned int snd_reap(struct vxfwd_tx *tx)
{
	struct snd_tx *s = tx->priv;
	unsigned int n = uring_reap(tx, snd_done);

	/* Completions may come out of order; the ring is released in order. */
	while (s->head != s->tail && s->done[s->head % s->u.nslots]) {
		s->released = s->end[s->head % s->u.nslots];
		s->head++;
	}
	return n;
}

unsigned long snd_release(struct vxfwd_tx *tx, unsigned long taken)
{
	const struct snd_tx *s = tx->priv;

	return s->head == s->tail ? taken : s->released;
}
