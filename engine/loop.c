// SPDX-License-Identifier: GPL-2.0-only
/*
 * loop.c - the engine's one event loop.
 *
 * Ring records are copied into free send slots and queued as WRITE_FIXED
 * SQEs; the consumer position is released and the SQEs submitted once per
 * batch.  When the ring is empty the loop sleeps in epoll_wait() on the ring
 * (the kernel wakes a consumer that has caught up), the io_uring (CQEs), the
 * signalfd and the rtnetlink socket; the timeout is the next neighbour retry.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "engine.h"
#include "log.h"

#define BATCH_MAX 64   /* records per submission */
#define DRAIN_MS  1000 /* bound on the wait for in-flight sends at exit */

/* Validate one record and queue its frame; 0 when it was queued. */
static int take(struct engine *e, const void *sample, __u32 len, unsigned char *slot_buf,
		unsigned int slot)
{
	const struct vxfwd_rec *rec = sample;

	if (len < sizeof(*rec) || rec->len > len - sizeof(*rec) || rec->len == 0 ||
	    rec->len > VXFWD_TX_SLOT_SIZE) {
		e->st->bad_records++;
		return -EBADMSG;
	}
	memcpy(slot_buf, rec->frame, rec->len);
	tx_queue(&e->tx, slot, rec->len);
	e->st->records++;
	return 0;
}

/*
 * Move up to BATCH_MAX records from the ring to io_uring.  Returns 1 when the
 * ring may hold more (stopped by the batch size or a lack of slots), 0 when
 * it is empty.
 */
static int drain_batch(struct engine *e)
{
	unsigned int slot, n = 0, have_slot = 0;
	unsigned char *buf = NULL;
	const void *sample;
	__u32 len;
	int ret = 0;

	while (n < BATCH_MAX) {
		if (!have_slot) {
			buf = tx_slot(&e->tx, &slot);
			if (!buf)
				break;
			have_slot = 1;
		}
		ret = ring_next(&e->ring, &sample, &len);
		if (ret == 0)
			break;
		if (ret < 0) {
			e->st->bad_records++;
			continue;
		}
		if (take(e, sample, len, buf, slot) == 0) {
			have_slot = 0;
			n++;
		}
	}
	if (have_slot)
		tx_unslot(&e->tx, slot);
	ring_commit(&e->ring);
	ret = tx_submit(&e->tx);
	if (ret)
		log_warnx("io_uring: submit failed: %s", strerror(-ret));
	return ring_pending(&e->ring);
}

static int on_signal(struct engine *e)
{
	struct signalfd_siginfo si;

	while (read(e->sfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			log_info("%s: signal %d: draining and detaching", e->inst.name,
				 (int)si.ssi_signo);
			e->stop = 1;
			break;
		case SIGHUP:
			engine_reload(e);
			break;
		}
	}
	return 0;
}

static int loop_setup(struct engine *e)
{
	int fds[] = {e->ring.fd, tx_fd(&e->tx), e->neigh.fd, -1};
	struct epoll_event ev = {.events = EPOLLIN};
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	e->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (e->sfd < 0)
		return -errno;
	fds[3] = e->sfd;
	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (e->epfd < 0)
		return -errno;
	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		ev.data.fd = fds[i];
		if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, fds[i], &ev) < 0)
			return -errno;
	}
	return 0;
}

static void loop_teardown(struct engine *e)
{
	engine_reload_cancel(e);
	if (e->epfd >= 0)
		close(e->epfd);
	if (e->sfd >= 0)
		close(e->sfd);
	e->epfd = -1;
	e->sfd = -1;
}

static void dispatch(struct engine *e, const struct epoll_event *ev, int n)
{
	int i, ret;

	for (i = 0; i < n; i++) {
		if (ev[i].data.fd == e->sfd) {
			on_signal(e);
		} else if (ev[i].data.fd == e->neigh.fd) {
			ret = neigh_process(&e->neigh);
			if (ret)
				log_warnx("rtnetlink: read failed: %s", strerror(-ret));
		}
	}
	if (e->reapply) {
		e->reapply = 0;
		engine_apply(e, e->rs, 0);
	}
}

/* Sleep only when there is nothing to move; 0 = poll without sleeping. */
static int loop_timeout(struct engine *e, int more)
{
	int t = neigh_tick(&e->neigh), r = engine_reload_poll(e);

	if (r >= 0 && (t < 0 || r < t))
		t = r;
	if (more && !e->tx.nfree) {
		/* Every slot in flight: wait for completions, not for the ring. */
		tx_wait(&e->tx, 10);
		return 0;
	}
	return more ? 0 : t;
}

int engine_loop(struct engine *e)
{
	struct epoll_event ev[8];
	int more, n, timeout, ret;

	ret = loop_setup(e);
	if (ret) {
		log_warnx("engine: event loop setup failed: %s", strerror(-ret));
		goto out;
	}
	while (!e->stop) {
		tx_reap(&e->tx);
		more = drain_batch(e);
		timeout = loop_timeout(e, more);
		if (timeout)
			e->st->wakeups++;
		n = epoll_wait(e->epfd, ev, sizeof(ev) / sizeof(ev[0]), timeout);
		if (n < 0 && errno != EINTR) {
			ret = -errno;
			log_warn("engine: epoll_wait failed");
			goto out;
		}
		dispatch(e, ev, n > 0 ? n : 0);
	}
	tx_drain(&e->tx, DRAIN_MS);
	if (e->tx.inflight)
		log_warnx("%s: %u sends still in flight after %d ms", e->egress, e->tx.inflight,
			  DRAIN_MS);
out:
	loop_teardown(e);
	return ret;
}
