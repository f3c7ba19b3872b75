// SPDX-License-Identifier: GPL-2.0-only
/*
 * worker.c - engine workers: one BPF ringbuf, one sender, one thread each.
 *
 * XDP on CPU c writes ring c % workers (bpf/vxfwd.bpf.c); worker i drains
 * ring i on the i-th configured CPU.  Workers share nothing on the hot path:
 * each has its own sender (socket and backend state, tx.h) and entry of
 * vxfwd_engine.  The main thread keeps signals, rtnetlink and reloads
 * (loop.c).
 *
 * A worker's loop, driving its sender through tx->ops only: reap
 * completions, move up to `batch` records into the sender, flush once,
 * release the ring up to where ops->release() says, and repeat while records
 * wait.  When the ring is empty it polls the producer position for
 * `busy-poll` microseconds (latency under load without a wakeup per batch),
 * then sleeps in epoll_wait() on the ring (the kernel wakes a consumer that
 * has caught up), the sender's completion fd (the io_uring ring, unless
 * DEFER_TASKRUN: tx_uring.h; without one it comes back after 1 ms while
 * frames are in flight, having reaped what completed) and the stop eventfd.
 * When every send slot is in flight it waits up to 1 ms for a completion.
 * At exit it flushes and waits up to DRAIN_MS for what is in flight.
 */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "engine.h"
#include "loader.h"
#include "log.h"

#define DRAIN_MS 1000 /* bound on the wait for in-flight sends at exit */
#define FULL_MS	 1    /* wait for a completion when every slot is in flight */

static int stopping(const struct engine *e)
{
	return __atomic_load_n(&e->stop, __ATOMIC_RELAXED);
}

/* Move up to `batch` records to the sender; 1 when the ring holds more. */
static int drain(struct worker *w, unsigned int batch)
{
	struct vxfwd_tx *tx = &w->tx;
	const struct vxfwd_tx_ops *ops = tx->ops;
	void *priv = tx->priv;
	unsigned int room = ops->room(tx), n = 0;
	const struct vxfwd_rec *rec;
	const void *sample;
	int ret, more;
	__u32 len;

	while (n < batch && room) {
		ret = ring_next(&w->ring, &sample, &len);
		if (ret == 0)
			break;
		if (ret < 0) {
			w->st->bad_records++;
			continue;
		}
		/* Never trust a record: its length must fit what the ring holds. */
		rec = sample;
		if (len < sizeof(*rec) || rec->len > len - sizeof(*rec) || rec->len == 0 ||
		    rec->len > VXFWD_TX_SLOT_SIZE) {
			w->st->bad_records++;
			continue;
		}
		ops->queue(tx, priv, rec->frame, rec->len, w->ring.pos);
		w->st->records++;
		n++;
		room--;
	}
	ret = ops->flush(tx);
	if (ret && ret != -ENETDOWN && ret != -ENXIO)
		log_warnx("%s: worker %u: %s: send failed: %s", w->e->egress, w->id,
			  vxfwd_backend_name(w->e->conf.backend), strerror(-ret));
	ring_release(&w->ring, ops->release(tx, w->ring.pos));
	more = ring_pending(&w->ring);
	if (!room && more) {
		w->st->full_waits++;
		ops->wait(tx, FULL_MS);
	}
	return more;
}

static __u64 now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (__u64)t.tv_sec * 1000000000ull + (__u64)t.tv_nsec;
}

/* Poll the producer for `us` microseconds; 1 when a record came. */
static int busy_poll(struct worker *w, int us)
{
	__u64 until;

	if (us <= 0)
		return 0;
	until = now_ns() + (__u64)us * 1000;
	do {
		if (ring_pending(&w->ring)) {
			w->st->poll_hits++;
			return 1;
		}
		if (w->tx.inflight)
			w->tx.ops->reap(&w->tx);
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
	} while (now_ns() < until && !stopping(w->e));
	return 0;
}

/* At exit: hand over what is queued, wait up to DRAIN_MS for what is in flight. */
static void drain_sends(struct vxfwd_tx *tx)
{
	__u64 until = now_ns() + DRAIN_MS * 1000000ull;

	tx->ops->flush(tx);
	tx->ops->reap(tx);
	while (tx->inflight && now_ns() < until) {
		tx->ops->wait(tx, 10);
		tx->ops->reap(tx);
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct engine *e = w->e;
	unsigned int batch = e->conf.batch;
	struct epoll_event ev[4];
	cpu_set_t set;
	int timeout;

	if (w->cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(w->cpu, &set);
		if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set))
			log_warnx("worker %u: pinning to CPU %d failed", w->id, w->cpu);
	}
	while (!stopping(e)) {
		w->tx.ops->reap(&w->tx);
		if (drain(w, batch))
			continue;
		if (busy_poll(w, e->conf.poll_us))
			continue;
		/*
		 * Sends completed at submission are accounted before sleeping;
		 * without a completion fd (tx_uring.h), come back for the rest.
		 */
		if (w->tx.inflight)
			w->tx.ops->reap(&w->tx);
		timeout = w->tx.inflight && w->tx.fd < 0 ? 1 : e->beat_ms;
		__atomic_store_n(&w->beat, w->beat + 1, __ATOMIC_RELAXED);
		w->st->wakeups++;
		if (epoll_wait(w->epfd, ev, sizeof(ev) / sizeof(ev[0]), timeout) < 0 &&
		    errno != EINTR) {
			log_warn("worker %u: epoll_wait failed", w->id);
			break;
		}
	}
	/* Records already taken are sent; the rest stays for nobody. */
	drain_sends(&w->tx);
	if (w->tx.inflight)
		log_warnx("%s: worker %u: %u sends still in flight after %d ms", e->egress, w->id,
			  w->tx.inflight, DRAIN_MS);
	ring_release(&w->ring, w->tx.ops->release(&w->tx, w->ring.pos));
	return NULL;
}

/* Ring i > 0: created here and stored in vxfwd_rings before XDP attaches. */
static int ring_create(struct engine *e, struct worker *w)
{
	char name[32]; /* the kernel keeps the first 15 bytes */
	int fd;

	snprintf(name, sizeof(name), "%s%u", lmap_name(LMAP_RING), w->id);
	fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, name, 0, 0, (__u32)e->conf.ring_bytes, NULL);
	if (fd < 0)
		return fd;
	w->ring_map = fd;
	return maps_set_ring(&e->maps, w->id, fd);
}

static int worker_open(struct engine *e, struct worker *w)
{
	struct vxfwd_tx_opts o = {
		.ifindex = e->egress_ifindex,
		.backend = e->conf.backend,
		.qdisc_bypass = e->conf.qdisc_bypass,
		/* room for a whole batch when one is larger than the default slots */
		.nslots = e->conf.batch > VXFWD_TX_SLOTS ? e->conf.batch : 0,
	};
	struct epoll_event ev = {.events = EPOLLIN};
	int ret;

	if (w->id > 0) {
		ret = ring_create(e, w);
		if (ret) {
			log_warnx("vxfwd_ring%u: creating a %llu-byte ring failed: %s", w->id,
				  (unsigned long long)e->conf.ring_bytes, strerror(-ret));
			return ret;
		}
	}
	ret = ring_open(&w->ring, w->ring_map, e->conf.ring_bytes);
	if (ret) {
		log_warnx("vxfwd_ring%u: mmap failed: %s", w->id, strerror(-ret));
		return ret;
	}
	w->ring_ok = 1;
	o.ring_pos = w->ring.pos;
	ret = tx_open(&w->tx, &o, w->st);
	if (ret) {
		log_warnx("%s: worker %u: %s sender setup failed: %s", e->egress, w->id,
			  vxfwd_backend_name(e->conf.backend), strerror(-ret));
		return ret;
	}
	w->tx_ok = 1;
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (w->epfd < 0)
		return -errno;
	ev.data.fd = w->ring_map;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->ring_map, &ev) < 0)
		return -errno;
	ev.data.fd = e->wake_fd;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, e->wake_fd, &ev) < 0)
		return -errno;
	if (w->tx.fd >= 0) {
		ev.data.fd = w->tx.fd;
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->tx.fd, &ev) < 0)
			return -errno;
	}
	return 0;
}

/*
 * Rings, senders and epoll sets of every worker, opened while the process
 * still holds its capabilities (the threads start after they are dropped).
 * Called after load and before attach.
 */
int workers_open(struct engine *e)
{
	struct worker *w;
	unsigned int i;
	int ret;

	for (i = 0; i < e->conf.workers; i++) {
		w = &e->w[i];
		w->e = e;
		w->id = i;
		w->epfd = -1;
		w->ring_map = i ? -1 : e->maps.ring;
		w->cpu = e->conf.n_cpus ? (int)e->conf.cpus[i % e->conf.n_cpus] : -1;
		w->st = e->st + i;
	}
	e->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (e->wake_fd < 0)
		return -errno;
	for (i = 0; i < e->conf.workers; i++) {
		ret = worker_open(e, &e->w[i]);
		if (ret)
			return ret;
	}
	return 0;
}

int workers_start(struct engine *e)
{
	unsigned int i;
	int ret;

	for (i = 0; i < e->conf.workers; i++) {
		ret = pthread_create(&e->w[i].thread, NULL, worker_main, &e->w[i]);
		if (ret) {
			log_warnx("worker %u: thread creation failed: %s", i, strerror(ret));
			return -ret;
		}
		e->w[i].started = 1;
	}
	return 0;
}

void workers_stop(struct engine *e)
{
	__u64 one = 1;
	unsigned int i;

	__atomic_store_n(&e->stop, 1, __ATOMIC_RELAXED);
	if (e->wake_fd >= 0 && write(e->wake_fd, &one, sizeof(one)) < 0)
		log_warn("workers: wake-up failed");
	for (i = 0; i < e->conf.workers; i++) {
		if (e->w[i].started)
			pthread_join(e->w[i].thread, NULL);
		e->w[i].started = 0;
	}
}

void workers_close(struct engine *e)
{
	struct worker *w;
	unsigned int i;

	for (i = 0; i < e->conf.workers; i++) {
		w = &e->w[i];
		if (!w->e) /* never opened */
			continue;
		if (w->tx_ok)
			tx_close(&w->tx);
		if (w->ring_ok)
			ring_close(&w->ring);
		if (w->epfd >= 0)
			close(w->epfd);
		if (w->id > 0 && w->ring_map >= 0)
			close(w->ring_map);
		w->tx_ok = 0;
		w->ring_ok = 0;
		w->epfd = -1;
		w->ring_map = -1;
	}
	if (e->wake_fd >= 0)
		close(e->wake_fd);
	e->wake_fd = -1;
}
