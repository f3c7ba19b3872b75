// SPDX-License-Identifier: GPL-2.0-only
/*
 * health.c - what the daemon tells its service manager while it runs:
 * STATUS= with the forwarding rate every few seconds and, when the unit
 * sets WatchdogSec=, WATCHDOG=1 only while every worker makes progress.  A
 * worker stuck in a send stops the pings, and systemd restarts the unit;
 * the program stays attached and dropping meanwhile (fail closed).
 *
 * Workers count their loop turns (struct worker.beat); an idle worker wakes
 * at least every HEALTH_BEAT_MS, or every quarter of the watchdog interval
 * when that is shorter, to show it is alive.  health_beats_look() is the
 * one reading of those counters: the watchdog here and the health listener
 * (hsrv.c, GET /healthz) each keep their own struct health_beats.
 */
#include <stdio.h>
#include <time.h>

#include "engine.h"
#include "log.h"
#include "notify.h"

#define STATUS_MS 5000

static __u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000 + (__u64)ts.tv_nsec / 1000000;
}

static __u64 sent_total(const struct engine *e)
{
	__u64 n = 0;
	unsigned int i;

	for (i = 0; i < e->conf.workers; i++)
		n += __atomic_load_n(&e->st[i].sent_packets, __ATOMIC_RELAXED);
	return n;
}

void health_init(struct engine *e)
{
	struct vxfwd_health *h = &e->health;
	__u64 wd_ms, stalled;

	h->on = notify_enabled();
	wd_ms = h->on ? notify_watchdog_usec() / 1000 : 0;
	h->wd_ms = wd_ms;
	h->period_ms = wd_ms && wd_ms / 2 < STATUS_MS ? wd_ms / 2 : STATUS_MS;
	if (h->period_ms < 100)
		h->period_ms = 100;
	e->beat_ms = wd_ms && h->period_ms / 2 < HEALTH_BEAT_MS ? (int)(h->period_ms / 2)
							       : HEALTH_BEAT_MS;
	h->at_ms = now_ms();
	h->next_ms = h->at_ms + h->period_ms;
	h->sent = sent_total(e);
	health_beats_look(e, &h->beats, h->at_ms, 1, &stalled);
	if (h->wd_ms)
		log_info("systemd: watchdog every %llu ms, fed while every worker makes progress",
			 (unsigned long long)h->wd_ms);
}

__u64 health_now_ms(void)
{
	return now_ms();
}

unsigned int health_beats_look(const struct engine *e, struct health_beats *b, __u64 now,
			       __u64 stall_ms, __u64 *stalled)
{
	unsigned int i, n = 0;
	__u64 beat;

	*stalled = 0;
	for (i = 0; i < e->conf.workers; i++) {
		beat = __atomic_load_n(&e->w[i].beat, __ATOMIC_RELAXED);
		if (beat != b->beat[i] || !b->at_ms[i]) {
			b->beat[i] = beat;
			b->at_ms[i] = now;
			continue;
		}
		if (now - b->at_ms[i] >= stall_ms) {
			*stalled |= 1ull << i;
			n++;
		}
	}
	return n;
}

/* Every worker turned its loop since the last look. */
static int workers_alive(struct engine *e, __u64 now)
{
	struct vxfwd_health *h = &e->health;
	unsigned int i;
	__u64 stalled;

	/* Unmoved since the last look, at least 1 ms ago (looks are period_ms apart). */
	if (!health_beats_look(e, &h->beats, now, 1, &stalled))
		return 1;
	for (i = 0; i < e->conf.workers; i++)
		if (stalled & (1ull << i))
			log_errx("worker %u: no progress for %llu ms; the watchdog is not fed", i,
				 (unsigned long long)h->period_ms);
	return 0;
}

int health_tick(struct engine *e)
{
	struct vxfwd_health *h = &e->health;
	char status[160];
	__u64 now, sent;

	if (!h->on)
		return -1;
	now = now_ms();
	if (now < h->next_ms)
		return (int)(h->next_ms - now);
	sent = sent_total(e);
	snprintf(status, sizeof(status), "forwarding %s -> %s: %llu frames/s, %llu sent",
		 e->ingress, e->egress,
		 (unsigned long long)((sent - h->sent) * 1000 / (now - h->at_ms ? now - h->at_ms : 1)),
		 (unsigned long long)sent);
	notify_status(status);
	if (h->wd_ms && workers_alive(e, now))
		notify_watchdog();
	h->sent = sent;
	h->at_ms = now;
	h->next_ms = now + h->period_ms;
	return (int)h->period_ms;
}
