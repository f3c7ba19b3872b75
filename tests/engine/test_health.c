// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_health.c - health.c against a listening NOTIFY_SOCKET: with
 * WatchdogSec= set, WATCHDOG=1 goes out at every look while every worker
 * turns its loop, and stops as soon as one worker makes no progress;
 * STATUS= carries the forwarding rate.  health_beats_look(), which the
 * health listener (hsrv.c) reads the same beats through, against a clock
 * the test turns.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "engine.h"

static int fails;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (cond) {                                                                        \
			printf("ok: " __VA_ARGS__);                                               \
		} else {                                                                           \
			printf("FAIL: " __VA_ARGS__);                                             \
			fails++;                                                                   \
		}                                                                                  \
		putchar('\n');                                                                     \
	} while (0)

/* Datagrams waiting on `fd`: how many carry `what`. */
static int drain(int fd, const char *what, char *last, size_t len)
{
	char buf[512];
	ssize_t n;
	int count = 0;

	while ((n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
		buf[n] = '\0';
		if (strstr(buf, what))
			count++;
		if (last && strstr(buf, "STATUS="))
			snprintf(last, len, "%s", buf);
	}
	return count;
}

/* Turn the clock to the next look; advance the workers listed in `alive`. */
static void look(struct engine *e, const int *alive)
{
	unsigned int i;
	int ms;

	for (i = 0; i < e->conf.workers; i++)
		if (alive[i])
			e->w[i].beat++;
	e->st[0].sent_packets += 1000;
	ms = health_tick(e);
	usleep((unsigned int)(ms > 0 ? ms : 1) * 1000 + 20000);
	for (i = 0; i < e->conf.workers; i++)
		if (alive[i])
			e->w[i].beat++;
	health_tick(e);
}

/* The listener's look: a worker is stalled once its beat stood still for stall_ms. */
static void beats_look(struct engine *e)
{
	struct health_beats b = {{0}};
	__u64 stalled = 0;
	unsigned int n;

	n = health_beats_look(e, &b, 10000, 3000, &stalled);
	CHECK(n == 0, "first look: no stall (%u)", n);
	e->w[0].beat++;
	n = health_beats_look(e, &b, 12000, 3000, &stalled);
	CHECK(n == 0, "2 s later, worker 1 unmoved for 2 s: no stall (%u)", n);
	e->w[0].beat++;
	n = health_beats_look(e, &b, 13000, 3000, &stalled);
	CHECK(n == 1 && stalled == 2, "3 s unmoved: worker 1 stalled (%u, mask %#llx)", n,
	      (unsigned long long)stalled);
	e->w[1].beat++;
	n = health_beats_look(e, &b, 17000, 3000, &stalled);
	CHECK(n == 1 && stalled == 1,
	      "worker 1 moved, worker 0 unmoved for 4 s: worker 0 stalled (%u, mask %#llx)", n,
	      (unsigned long long)stalled);
}

int main(void)
{
	static struct vxfwd_engine_stats st[2];
	static struct engine e;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const int both[2] = {1, 1}, first[2] = {1, 0};
	char status[512] = "";
	int fd, n;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "/tmp/vxfhealth.%d.sock", (int)getpid());
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		printf("FAIL: notify socket %s: %s\n", sa.sun_path, strerror(errno));
		return 1;
	}
	setenv("NOTIFY_SOCKET", sa.sun_path, 1);
	setenv("WATCHDOG_USEC", "400000", 1);
	unsetenv("WATCHDOG_PID");

	e.conf.workers = 2;
	e.st = st;
	snprintf(e.ingress, sizeof(e.ingress), "ens5");
	snprintf(e.egress, sizeof(e.egress), "ens6");
	health_init(&e);
	CHECK(e.health.wd_ms == 400 && e.health.period_ms == 200,
	      "watchdog 400 ms read from the environment, a look every 200 ms (got %llu, %llu)",
	      (unsigned long long)e.health.wd_ms, (unsigned long long)e.health.period_ms);
	CHECK(e.beat_ms == 100, "idle workers wake every 100 ms (got %d)", e.beat_ms);

	for (n = 0; n < 3; n++)
		look(&e, both);
	n = drain(fd, "WATCHDOG=1", status, sizeof(status));
	CHECK(n == 3, "every worker progressing: 3 looks, %d watchdog pings", n);
	CHECK(strstr(status, "forwarding ens5 -> ens6: ") && strstr(status, "frames/s"),
	      "status carries the rate: '%s'", status);

	look(&e, first);
	n = drain(fd, "WATCHDOG=1", NULL, 0);
	CHECK(n == 0, "worker 1 stuck: %d watchdog pings, want 0", n);

	look(&e, both);
	n = drain(fd, "WATCHDOG=1", NULL, 0);
	CHECK(n == 1, "worker 1 back: %d watchdog ping, want 1", n);

	unsetenv("NOTIFY_SOCKET");
	health_init(&e);
	CHECK(e.beat_ms == HEALTH_BEAT_MS && health_tick(&e) == -1,
	      "without a service manager: no reports, idle workers still beat every %d ms (got %d)",
	      HEALTH_BEAT_MS, e.beat_ms);
	beats_look(&e);
	unlink(sa.sun_path);
	close(fd);
	return fails ? 1 : 0;
}
