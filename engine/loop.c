// SPDX-License-Identifier: GPL-2.0-only
/*
 * loop.c - the main thread's event loop: signals (stop, reload), rtnetlink
 * (neighbours, the egress link) and pending reloads.  The frames never pass
 * here: the workers (worker.c) move them from their rings to the egress.
 * The loop sleeps in epoll_wait() on the signalfd and the rtnetlink socket;
 * the timeout is the next neighbour retry, reload deadline or report to the
 * service manager (health.c).
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "engine.h"
#include "hsrv.h"
#include "log.h"
#include "notify.h"

static int on_signal(struct engine *e)
{
	struct signalfd_siginfo si;

	while (read(e->sfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			log_info("%s: signal %d: draining and detaching", e->inst.name,
				 (int)si.ssi_signo);
			__atomic_store_n(&e->stop, 1, __ATOMIC_RELAXED);
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
	int fds[] = {e->neigh.fd, -1};
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
	fds[1] = e->sfd;
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

/* Until the next neighbour retry or pending reload, or -1. */
static int loop_timeout(struct engine *e)
{
	int t = neigh_tick(&e->neigh), r = engine_reload_poll(e), h = health_tick(e);

	if (r >= 0 && (t < 0 || r < t))
		t = r;
	if (h >= 0 && (t < 0 || h < t))
		t = h;
	return t;
}

int engine_loop(struct engine *e)
{
	struct epoll_event ev[8];
	char status[128];
	int n, ret;

	ret = loop_setup(e);
	if (ret) {
		log_warnx("engine: event loop setup failed: %s", strerror(-ret));
		goto out;
	}
	health_init(e);
	ret = workers_start(e);
	if (ret)
		goto out;
	/* Off the workers' path: a thread of its own, started once they beat. */
	if (e->hsrv && hsrv_start(e->hsrv)) {
		ret = -EAGAIN;
		goto out;
	}
	snprintf(status, sizeof(status), "forwarding mirror traffic from %s to %s", e->ingress,
		 e->egress);
	notify_ready(status);
	if (e->sched_set) {
		struct sched_param sp = {0};

		/* The workers have the policy; this thread only waits for events. */
		sched_setscheduler(0, SCHED_OTHER, &sp);
	}
	while (!e->stop) {
		n = epoll_wait(e->epfd, ev, sizeof(ev) / sizeof(ev[0]), loop_timeout(e));
		if (n < 0 && errno != EINTR) {
			ret = -errno;
			log_warn("engine: epoll_wait failed");
			goto out;
		}
		dispatch(e, ev, n > 0 ? n : 0);
	}
out:
	notify_stopping();
	hsrv_close(e->hsrv);
	e->hsrv = NULL;
	/* Workers drain what they took, then stop. */
	workers_stop(e);
	loop_teardown(e);
	return ret;
}
