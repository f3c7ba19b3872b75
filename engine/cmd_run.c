// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_run.c - `vxfwd run`: one skeleton lifecycle (STYLE.md 4).
 *
 *   rules -> interfaces -> pid lock -> bpffs -> open -> load -> apply ->
 *   neighbours -> attach + pins -> socket + io_uring -> ring -> health
 *   listener -> drop capabilities -> loop
 *
 * Every failure jumps to the one cleanup label, which undoes in reverse.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <syslog.h>
#include <unistd.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cmd.h"
#include "config.h"
#include "doctor.h"
#include "engine.h"
#include "host.h"
#include "hsrv.h"
#include "loader.h"
#include "log.h"

static const struct {
	const char *name;
	int mode;
} xdp_modes[] = {
	{"auto", VXFWD_XDP_AUTO},
	{"native", VXFWD_XDP_NATIVE},
	{"generic", VXFWD_XDP_GENERIC},
};

__attribute__((format(printf, 2, 0))) static int libbpf_log(enum libbpf_print_level level,
							    const char *fmt, va_list ap)
{
	char buf[1024];
	size_t n;

	if (log_verbose() < 2)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	log_debug("libbpf: %s", buf);
	return 0;
}

static int parse_mode(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(xdp_modes) / sizeof(xdp_modes[0]); i++)
		if (strcmp(s, xdp_modes[i].name) == 0)
			return xdp_modes[i].mode;
	return -1;
}

/* Interfaces of the rules file: unknown names are configuration errors. */
static int resolve_ifaces(struct engine *e)
{
	struct host_link egress;
	int ret;

	snprintf(e->ingress, sizeof(e->ingress), "%s", e->rs->ingress);
	snprintf(e->egress, sizeof(e->egress), "%s", e->rs->egress);
	e->ingress_ifindex = if_nametoindex(e->ingress);
	if (!e->ingress_ifindex) {
		log_errx("%s: ingress interface not found: %s", e->ingress, strerror(errno));
		return -ENODEV;
	}
	e->egress_ifindex = if_nametoindex(e->egress);
	if (!e->egress_ifindex) {
		log_errx("%s: egress interface not found: %s", e->egress, strerror(errno));
		return -ENODEV;
	}
	if (e->ingress_ifindex == e->egress_ifindex) {
		log_errx("%s: ingress and egress are the same interface", e->ingress);
		return -EINVAL;
	}
	ret = host_link_get(e->egress_ifindex, &egress);
	if (ret) {
		log_errx("%s: cannot read the MAC address: %s", e->egress, strerror(-ret));
		return ret;
	}
	memcpy(e->egress_mac, egress.mac, sizeof(e->egress_mac));
	return 0;
}

/* Same mount namespace as PID 1: a BPF file system mounted here is the host's. */
static int host_mount_ns(void)
{
	struct stat self, init;

	return stat("/proc/self/ns/mnt", &self) == 0 && stat("/proc/1/ns/mnt", &init) == 0 &&
	       self.st_ino == init.st_ino && self.st_dev == init.st_dev;
}

/*
 * Pins are optional (xdp.c): mount a BPF file system only where it outlives
 * us, in the host's mount namespace.  In a private one (ip netns exec,
 * unshare -m, a container) a mount of our own would vanish with it.
 */
static void mount_bpffs(void)
{
	struct statfs sfs;

	if (statfs(VXFWD_BPFFS, &sfs) == 0 && sfs.f_type == BPF_FS_MAGIC)
		return;
	if (!host_mount_ns()) {
		log_info("%s: no BPF file system in this private mount namespace; none mounted, "
			 "since it would vanish with the namespace",
			 VXFWD_BPFFS);
		return;
	}
	if (mount("bpf", VXFWD_BPFFS, "bpf", 0, "mode=0700") < 0)
		log_warn("%s: mounting the BPF file system failed; nothing is pinned",
			 VXFWD_BPFFS);
	else
		log_info("%s: BPF file system mounted", VXFWD_BPFFS);
}

static int open_load(struct engine *e)
{
	const struct loader_opts o = {
		.nr_rings = e->conf.workers,
		.ring_bytes = (__u32)e->conf.ring_bytes,
	};
	int ret;

	ret = loader_open(&e->skel, &o);
	if (ret && !e->skel) {
		log_errx("XDP program: open failed: %s", strerror(-ret));
		return ret;
	}
	if (ret) {
		log_errx("%s: setting the size failed: %s", lmap_name(LMAP_RING), strerror(-ret));
		return ret;
	}
	ret = loader_load(e->skel);
	if (ret) {
		log_errx("XDP program: load failed: %s; the verifier log is shown with -vv, "
			  "'vxfwd doctor' checks the kernel's BPF features",
			  strerror(-ret));
		return ret;
	}
	return 0;
}

static int map_engine_stats(struct engine *e)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	/* One entry per worker, contiguous: the value size is a multiple of 8. */
	e->st_len = (sizeof(*e->st) * VXFWD_MAX_WORKERS + page - 1) & ~(size_t)(page - 1);
	p = mmap(NULL, e->st_len, PROT_READ | PROT_WRITE, MAP_SHARED, e->maps.engine, 0);
	if (p == MAP_FAILED) {
		log_err("%s: mmap failed", lmap_name(LMAP_ENGINE));
		return -errno;
	}
	e->st = p;
	return 0;
}

/* neigh.c saw the egress MAC or its up/down state change. */
static void egress_link_changed(void *ctx, const __u8 *mac, int up)
{
	struct engine *e = ctx;

	log_info("%s: link %s, MAC %02x:%02x:%02x:%02x:%02x:%02x", e->egress, up ? "up" : "down",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	if (memcmp(e->egress_mac, mac, 6) == 0)
		return;
	memcpy(e->egress_mac, mac, 6);
	/* Applied by the loop, outside the netlink reader that called us. */
	e->reapply = 1;
}

static void log_engine(const struct engine *e)
{
	char cpus[128] = "any";
	size_t off = 0;
	unsigned int i;

	for (i = 0; i < e->conf.n_cpus && off < sizeof(cpus) - 8; i++)
		off += snprintf(cpus + off, sizeof(cpus) - off, "%s%u", i ? "," : "",
				e->conf.cpus[i]);
	log_info("engine: %u worker%s on CPU %s, backend %s, batch %u, busy-poll %d us, ring %llu "
		 "bytes per worker, sched %s %u, qdisc bypass %s",
		 e->conf.workers, e->conf.workers == 1 ? "" : "s", cpus,
		 vxfwd_backend_name(e->conf.backend), e->conf.batch, e->conf.poll_us,
		 (unsigned long long)e->conf.ring_bytes,
		 vxfwd_sched_name(e->sched_set ? e->conf.sched : VXFWD_SCHED_OTHER),
		 e->sched_set ? e->conf.sched_prio : 0, e->conf.qdisc_bypass ? "on" : "off");
}

/*
 * The leak guard is a second belt: XDP already keeps mirror traffic off the
 * stack.  Without it vxfwd still forwards and drops correctly, so a failure
 * is a warning, not a reason to detach XDP and exit.
 */
static void start_guard(struct engine *e)
{
	char path[PATH_MAX];

	if (instance_pin_path(&e->inst, lmap_name(LMAP_GUARD_CNT), path, sizeof(path)) ||
	    guard_open(&e->guard, loader_obj(e->skel))) {
		guard_close(&e->guard);
		log_warnx("%s: leak guard not active; XDP alone keeps mirror traffic off it",
			  e->ingress);
		return;
	}
	if (guard_attach(&e->guard, e->ingress_ifindex, e->pinned ? path : NULL)) {
		guard_close(&e->guard);
		log_warnx("%s: leak guard not active; XDP alone keeps mirror traffic off it",
			  e->ingress);
		return;
	}
	e->guard_ok = 1;
	log_info("%s: leak guard attached to egress", e->ingress);
}

static int lock_instance(struct engine *e)
{
	pid_t owner = 0;
	int ret;

	ret = instance_lock(&e->inst, &owner);
	if (ret == -EBUSY)
		log_errx("%s: already running as pid %d (%s)", e->inst.name, (int)owner,
			  e->inst.pidfile);
	else if (ret)
		log_errx("%s: pid file lock failed: %s", e->inst.pidfile, strerror(-ret));
	return ret;
}

static int start(struct engine *e)
{
	int ret;

	ret = lock_instance(e);
	if (ret)
		return ret;
	mount_bpffs();
	ret = open_load(e);
	if (ret)
		return ret;
	maps_from_skel(&e->maps, e->skel);
	ret = map_engine_stats(e);
	if (ret)
		return ret;
	ret = neigh_open(&e->neigh, &e->maps, e->egress_ifindex, egress_link_changed, e);
	if (ret) {
		log_errx("rtnetlink: socket setup failed: %s", strerror(-ret));
		return ret;
	}
	e->neigh_ok = 1;
	ret = engine_apply(e, e->rs, 1000);
	if (ret)
		return ret;
	/* Rings of every worker exist before XDP can write them. */
	ret = workers_open(e);
	if (ret)
		return ret;
	ret = state_write(e);
	if (ret)
		log_warnx("%s: state file not written: %s", e->inst.statefile, strerror(-ret));
	ret = xdp_attach(e);
	if (ret) {
		log_errx("%s: XDP attach failed: %s", e->ingress, strerror(-ret));
		return ret;
	}
	/* Pins serve bpftool and stats without CAP_SYS_ADMIN; XDP holds without them. */
	ret = xdp_pin_maps(e);
	if (ret)
		log_warnx("%s: pinning maps failed: %s; 'vxfwd stats' finds them through %s",
			  e->inst.pindir, strerror(-ret), e->ingress);
	start_guard(e);
	engine_sched_apply(e);
	log_engine(e);
	/* Bound while every capability is there (a port below 1024 included). */
	if (e->rs->health.on) {
		ret = hsrv_open(&e->hsrv, &e->rs->health, e);
		if (ret)
			return ret;
		hsrv_publish(e->hsrv, e->rs);
	}
	return privs_drop();
}

/*
 * After a reload: the same address and port keep their listener (with the
 * new next hops); another one is bound after the old one closed (a
 * wildcard and a specific address cannot both listen on one port), and
 * when that fails, for a port below 1024 without the capability for
 * example, the old one is bound again; no statement closes it.
 */
void engine_health_reload(struct engine *e, const struct vxfwd_health_listen *old)
{
	const struct vxfwd_health_listen *l = &e->rs->health;

	if (e->hsrv && hsrv_same(e->hsrv, l)) {
		hsrv_publish(e->hsrv, e->rs);
		return;
	}
	hsrv_close(e->hsrv);
	e->hsrv = NULL;
	if (!l->on) {
		if (old->on)
			log_info("health: listener closed: the rules have no health statement");
		return;
	}
	if (hsrv_open(&e->hsrv, l, e) == 0 || !old->on)
		goto start;
	log_warnx("health: keeping the listener where it was");
	if (hsrv_open(&e->hsrv, old, e))
		return;
start:
	if (!e->hsrv)
		return;
	hsrv_publish(e->hsrv, e->rs);
	if (hsrv_start(e->hsrv)) {
		hsrv_close(e->hsrv);
		e->hsrv = NULL;
	}
}

static void stop(struct engine *e)
{
	hsrv_close(e->hsrv);
	e->hsrv = NULL;
	workers_close(e);
	/* -k after a clean start: the program and the guard outlive us. */
	if (e->guard_ok) {
		if (!(e->keep && e->started))
			guard_detach(&e->guard);
		guard_close(&e->guard);
	}
	/* Pins belong to whoever holds the name: not us when the lock failed. */
	if (e->inst.pid_fd >= 0 && e->keep && e->started)
		xdp_keep(e);
	else if (e->inst.pid_fd >= 0)
		xdp_detach(e);
	if (e->neigh_ok)
		neigh_close(&e->neigh);
	if (e->st)
		munmap(e->st, e->st_len);
	loader_close(e->skel);
	/* The state file names the interface for `vxfwd detach` while XDP stays. */
	if (e->inst.pid_fd >= 0 && !(e->keep && e->started))
		unlink(e->inst.statefile);
	instance_unlock(&e->inst);
}

static int bad_opt(int c, const char *arg, const char *want)
{
	log_warnx("-%c %s: %s", c, arg, want);
	return -EINVAL;
}

/*
 * Options override the rules file's engine block field by field; they are
 * kept in `o` and merged once the file is read (merge_conf()).  Their values
 * are read by conf/'s parsers, the rules file's checked against the same
 * limits; numbers take a K, M or G.
 */
static int parse_run(int argc, char **argv, struct engine *e, struct vxfwd_engine_conf *o,
		     const char **file, const char **name, int *verbose)
{
	unsigned long long v;
	int c;

	vxfwd_engine_conf_init(o);
	optind = 0;
	while ((c = opt_next(&run_cmd, argc, argv)) != -1) {
		switch (c) {
		case 'B':
			if (vxfwd_conf_parse_size(optarg, 1, VXFWD_ENGINE_BATCH_MAX, &v))
				return bad_opt(c, optarg, "batch must be 1 to 1024 records");
			o->batch = (unsigned int)v;
			break;
		case 'b':
			o->backend = vxfwd_backend_parse(optarg);
			if (!o->backend)
				return bad_opt(c, optarg,
					       "unknown backend: use write-fixed, send, sendmmsg, "
					       "tx-ring or uring-ring");
			break;
		case 'c':
			if (vxfwd_conf_parse_cpus(optarg, o))
				return bad_opt(c, optarg, "CPU list like 0,2-3 expected (at most "
							  "16 CPUs)");
			break;
		case 'p':
			if (vxfwd_conf_parse_size(optarg, 0, VXFWD_ENGINE_POLL_MAX_US, &v))
				return bad_opt(c, optarg,
					       "busy-poll must be 0 to 10000 microseconds");
			o->poll_us = (int)v;
			break;
		case 'Q':
			o->qdisc_bypass = 1;
			break;
		case 'r':
			if (vxfwd_conf_parse_size(optarg, 0, ULLONG_MAX, &v) ||
			    vxfwd_conf_ring_check(v))
				return bad_opt(c, optarg, "ring size must be a power of two from "
							  "64K to 1G");
			o->ring_bytes = v;
			break;
		case 's':
			if (vxfwd_conf_parse_sched(optarg, o))
				return bad_opt(c, optarg, "use other, fifo:PRIO or rr:PRIO (1-99)");
			break;
		case 'w':
			if (vxfwd_conf_parse_size(optarg, 1, VXFWD_MAX_WORKERS, &v))
				return bad_opt(c, optarg, "workers must be 1 to 16");
			o->workers = (unsigned int)v;
			break;
		case 'v':
			(*verbose)++;
			break;
		case 'f':
			*file = optarg;
			break;
		case 'k':
			e->keep = 1;
			break;
		case 'n':
			*name = optarg;
			break;
		case 'x':
			e->xdp_mode = parse_mode(optarg);
			if (e->xdp_mode < 0) {
				log_warnx("-x %s: unknown XDP mode: use auto, native or generic",
					  optarg);
				return -EINVAL;
			}
			break;
		default:
			opt_usage(&run_cmd, stderr);
			return -EINVAL;
		}
	}
	if (optind != argc) {
		opt_usage(&run_cmd, stderr);
		return -EINVAL;
	}
	return 0;
}

static void merge_conf(struct engine *e, const struct vxfwd_engine_conf *o)
{
	struct vxfwd_engine_conf *c = &e->conf;

	*c = e->rs->engine;
	if (o->backend)
		c->backend = o->backend;
	if (o->workers)
		c->workers = o->workers;
	if (o->n_cpus) {
		c->n_cpus = o->n_cpus;
		memcpy(c->cpus, o->cpus, sizeof(c->cpus));
	}
	if (o->sched) {
		c->sched = o->sched;
		c->sched_prio = o->sched_prio;
	}
	if (o->poll_us >= 0)
		c->poll_us = o->poll_us;
	if (o->ring_bytes)
		c->ring_bytes = o->ring_bytes;
	if (o->batch)
		c->batch = o->batch;
	if (o->qdisc_bypass >= 0)
		c->qdisc_bypass = o->qdisc_bypass;
	/* What neither gave: the engine's defaults, resolved here once. */
	if (!c->backend)
		c->backend = VXFWD_BACKEND_URING_RING;
	if (!c->workers)
		c->workers = 1;
	if (!c->batch)
		c->batch = VXFWD_BATCH_DEFAULT;
	if (!c->ring_bytes)
		c->ring_bytes = VXFWD_RING_DEFAULT;
	if (c->poll_us < 0)
		c->poll_us = 0;
	if (c->qdisc_bypass < 0)
		c->qdisc_bypass = 0;
}

int cmd_run(int argc, char **argv)
{
	struct engine e = {.xdp_mode = -1, .sfd = -1, .epfd = -1, .wake_fd = -1,
			    .beat_ms = -1};
	struct vxfwd_engine_conf opts;
	const char *file = NULL, *name = NULL;
	int verbose = 0, ret, status = VXFWD_EXIT_RUNTIME;
	sigset_t set;
	FILE *diag;

	e.inst.pid_fd = -1;
	if (parse_run(argc, argv, &e, &opts, &file, &name, &verbose))
		return VXFWD_EXIT_USAGE;
	log_init(verbose);
	libbpf_set_print(libbpf_log);
	ret = instance_init(&e.inst, file, name);
	if (ret) {
		log_errx("%s: cannot derive an instance name: %s; use -n", file ? file : "-",
			  strerror(-ret));
		return VXFWD_EXIT_USAGE;
	}
	diag = log_diag_open();
	ret = vxfwd_dsl_load(e.inst.rules, NULL, VXFWD_DSL_F_IFACE_STRICT, &host_ifaces, diag,
			     &e.rs);
	log_diag_close(diag);
	if (ret) {
		if (ret != -EINVAL)
			log_errx("%s: cannot read the rules: %s", e.inst.rules, strerror(-ret));
		return VXFWD_EXIT_CONFIG;
	}
	merge_conf(&e, &opts);
	if (resolve_ifaces(&e)) {
		vxfwd_ruleset_free(e.rs);
		return VXFWD_EXIT_CONFIG;
	}
	engine_place_workers(&e);
	/* Warnings only (it ends with their count): doctor's view of this host. */
	doctor_preflight(e.inst.rules, e.rs);
	/* Signals wait in the signalfd from now on, startup included. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	ret = start(&e);
	if (ret)
		goto out;
	e.started = 1;
	log_info("%s: forwarding from %s to %s", e.inst.name, e.ingress, e.egress);
	ret = engine_loop(&e);
	if (ret == 0)
		status = VXFWD_EXIT_OK;
out:
	stop(&e);
	vxfwd_ruleset_free(e.rs);
	return status;
}
