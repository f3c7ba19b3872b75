// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_monitor.c - `vxfwd monitor`: a live stream of what the XDP program of
 * an instance decides for mirror frames, one line per event: reason, VNI,
 * inner 5-tuple (an IPv6 address in brackets before its port) and rule.
 *
 * The program's monitor (bpf/vxfwd_mon.h) is off unless vxfwd_mon.on is set
 * in its .bss map; this command sets it with the sample rate and the
 * per-CPU token bucket, reads vxfwd_mon_ring and clears the flag when it
 * stops.  The counters never depend on it.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attached.h"
#include "cmd.h"
#include "inspect.h"
#include "loader.h"
#include "log.h"

_Static_assert(sizeof(struct vxfwd_mon_cfg) == 16, "vxfwd_mon_cfg");

/* The event of a program older than its IPv6 fields ends where they begin. */
#define MON_EV_V4_SIZE offsetof(struct vxfwd_mon_ev, saddr6)

#define MON_RATE_DEFAULT 100 /* events per second per CPU */
#define MON_MAX_MAPS	 64

static volatile sig_atomic_t mon_stop;

struct monitor {
	struct vxfwd_instance in;
	struct vxfwd_state st;
	long count; /* events still to print, -1: no limit */
	long long mono_to_real_ns;
};

static void on_signal(int sig)
{
	(void)sig;
	mon_stop = 1;
}

/* The .bss map of the program: the one holding struct vxfwd_mon_cfg. */
static int bss_fd(int prog_fd)
{
	__u32 ids[MON_MAX_MAPS], i, len;
	struct bpf_prog_info pi;
	struct bpf_map_info mi;
	size_t n;
	int fd;

	memset(&pi, 0, sizeof(pi));
	pi.nr_map_ids = MON_MAX_MAPS;
	pi.map_ids = (__u64)(unsigned long)ids;
	len = sizeof(pi);
	if (bpf_obj_get_info_by_fd(prog_fd, &pi, &len))
		return -errno;
	for (i = 0; i < pi.nr_map_ids && i < MON_MAX_MAPS; i++) {
		fd = bpf_map_get_fd_by_id(ids[i]);
		if (fd < 0)
			return -errno;
		memset(&mi, 0, sizeof(mi));
		len = sizeof(mi);
		if (bpf_obj_get_info_by_fd(fd, &mi, &len) == 0 && (n = strlen(mi.name)) > 4 &&
		    strcmp(mi.name + n - 4, ".bss") == 0 &&
		    mi.value_size == sizeof(struct vxfwd_mon_cfg))
			return fd;
		close(fd);
	}
	return -ENOENT;
}

static int mon_set(int fd, const struct vxfwd_mon_cfg *cfg)
{
	__u32 zero = 0;

	return bpf_map_update_elem(fd, &zero, cfg, BPF_ANY) ? -errno : 0;
}

static long long now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void ev_time(const struct monitor *m, __u64 mono, char *buf, size_t len)
{
	long long real = (long long)mono + m->mono_to_real_ns;
	time_t t = (time_t)(real / 1000000000LL);
	struct tm tm;

	localtime_r(&t, &tm);
	snprintf(buf, len, "%02d:%02d:%02d.%06lld", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (real % 1000000000LL) / 1000);
}

static void ev_tuple(const struct vxfwd_mon_ev *ev, char *buf, size_t len)
{
	const char *p = ev->proto == IPPROTO_UDP ? "udp" : ev->proto == IPPROTO_TCP ? "tcp" : NULL;
	char s[INSPECT_ENDPOINT_LEN], d[INSPECT_ENDPOINT_LEN];

	if (inspect_ev_ends(ev, p != NULL, s, d, sizeof(s)))
		snprintf(buf, len, "-");
	else if (p)
		snprintf(buf, len, "%s %s -> %s", p, s, d);
	else
		snprintf(buf, len, "proto %u %s -> %s", ev->proto, s, d);
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct monitor *m = ctx;
	struct vxfwd_mon_ev full = {0}, *ev = &full;
	char when[32], tuple[160], rule[96] = "";

	if (size < MON_EV_V4_SIZE || m->count == 0)
		return 0;
	memcpy(&full, data, size < sizeof(full) ? size : sizeof(full));
	ev_time(m, ev->tstamp_ns, when, sizeof(when));
	ev_tuple(ev, tuple, sizeof(tuple));
	if (ev->rule != VXFWD_MON_NO_RULE)
		snprintf(rule, sizeof(rule), " rule '%s'",
			 ev->rule < m->st.n_rules ? m->st.rule[ev->rule] : "?");
	printf("%s cpu %u %s vni %u %s len %u%s", when, ev->cpu, inspect_counter_name(ev->counter),
	       ev->vni, tuple, ev->len, rule);
	if (ev->suppressed)
		printf(" (%u not shown before it)", ev->suppressed);
	putchar('\n');
	if ((m->count > 0 && --m->count == 0) || ferror(stdout))
		mon_stop = 1;
	return 0;
}

static int parse_num(const char *s, long max, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v <= 0 || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int watch(struct monitor *m, int ring_fd)
{
	struct ring_buffer *rb;
	int ret = 0;

	rb = ring_buffer__new(ring_fd, on_event, m, NULL);
	if (!rb)
		return -errno;
	while (!mon_stop) {
		ret = ring_buffer__poll(rb, 200);
		if (ret < 0 && ret != -EINTR)
			break;
		ret = 0;
	}
	ring_buffer__free(rb);
	return ret;
}

static int monitor_run(struct monitor *m, const struct vxfwd_mon_cfg *cfg)
{
	struct vxfwd_mon_cfg off = {0}, cur = {0};
	int pfd, bss = -1, ring = -1, ret;
	__u32 zero = 0;

	pfd = attached_instance_prog(&m->in, NULL, NULL, NULL);
	if (pfd == -EXDEV) {
		log_warnx("%s: runs in another network namespace; run 'vxfwd monitor' there "
			  "(nsenter --net=/proc/%d/ns/net)",
			  m->in.name, m->st.pid);
		return pfd;
	}
	if (pfd < 0) {
		log_warnx("%s: not running: no vxfwd XDP program on its ingress interface (%s)",
			  m->in.name, strerror(-pfd));
		return pfd;
	}
	bss = bss_fd(pfd);
	ring = attached_map_fd(pfd, lmap_name(LMAP_MON_RING));
	close(pfd);
	if (bss < 0 || ring < 0) {
		ret = bss < 0 ? bss : ring;
		log_warnx("%s: its XDP program has no monitor (an older vxfwd?): %s", m->in.name,
			  strerror(-ret));
		goto out;
	}
	if (bpf_map_lookup_elem(bss, &zero, &cur) == 0 && cur.on)
		log_warnx("%s: another monitor is on; both share its events", m->in.name);
	ret = mon_set(bss, cfg);
	if (ret) {
		log_warnx("%s: turning the monitor on failed: %s", m->in.name, strerror(-ret));
		goto out;
	}
	ret = watch(m, ring);
	mon_set(bss, &off);
out:
	if (bss >= 0)
		close(bss);
	if (ring >= 0)
		close(ring);
	return ret;
}

int cmd_monitor(int argc, char **argv)
{
	struct vxfwd_mon_cfg cfg = {.on = 1, .rate = MON_RATE_DEFAULT};
	struct sigaction sa = {.sa_handler = on_signal};
	const char *name = NULL;
	struct monitor m;
	long v;
	int c;

	memset(&m, 0, sizeof(m));
	m.count = -1;
	optind = 0;
	while ((c = opt_next(&monitor_cmd, argc, argv)) != -1) {
		if (c == 'n') {
			name = optarg;
			continue;
		}
		if ((c != 'c' && c != 'r' && c != 's') || parse_num(optarg, 1000000000L, &v))
			return opt_usage_error(&monitor_cmd);
		if (c == 'c')
			m.count = v;
		else if (c == 'r')
			cfg.rate = (__u32)v;
		else
			cfg.sample = (__u32)v;
	}
	if (optind != argc || instance_init(&m.in, NULL, name))
		return opt_usage_error(&monitor_cmd);
	cfg.burst = cfg.rate;
	inspect_state_read(m.in.statefile, &m.st);
	m.mono_to_real_ns = now_ns(CLOCK_REALTIME) - now_ns(CLOCK_MONOTONIC);
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return monitor_run(&m, &cfg) ? VXFWD_EXIT_RUNTIME : VXFWD_EXIT_OK;
}
