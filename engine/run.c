// SPDX-License-Identifier: GPL-2.0-only
/*
 * run.c - `vxfwd run`: one skeleton lifecycle (STYLE.md 4).
 *
 *   rules -> interfaces -> pid lock -> bpffs -> open -> load -> apply ->
 *   neighbours -> attach + pins -> socket + io_uring -> ring -> drop
 *   capabilities -> loop
 *
 * Every failure jumps to the one cleanup label, which undoes in reverse.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <syslog.h>
#include <unistd.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cmd.h"
#include "config.h"
#include "engine.h"
#include "log.h"
#include "vxfwd.skel.h"

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

static void run_usage(FILE *f)
{
	fprintf(f, "usage: vxfwd run [-v] [-f file] [-n name] [-x mode]\n");
}

static int parse_mode(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(xdp_modes) / sizeof(xdp_modes[0]); i++)
		if (strcmp(s, xdp_modes[i].name) == 0)
			return xdp_modes[i].mode;
	return -1;
}

static int ifmac(const char *ifname, __u8 *mac)
{
	struct ifreq ifr = {0};
	int fd, ret = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		ret = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return ret;
}

/* Interfaces of the rules file: unknown names are configuration errors. */
static int resolve_ifaces(struct engine *e)
{
	int ret;

	snprintf(e->ingress, sizeof(e->ingress), "%s", e->rs->ingress);
	snprintf(e->egress, sizeof(e->egress), "%s", e->rs->egress);
	e->ingress_ifindex = if_nametoindex(e->ingress);
	if (!e->ingress_ifindex) {
		log_warnx("%s: ingress interface not found: %s", e->ingress, strerror(errno));
		return -ENODEV;
	}
	e->egress_ifindex = if_nametoindex(e->egress);
	if (!e->egress_ifindex) {
		log_warnx("%s: egress interface not found: %s", e->egress, strerror(errno));
		return -ENODEV;
	}
	if (e->ingress_ifindex == e->egress_ifindex) {
		log_warnx("%s: ingress and egress are the same interface", e->ingress);
		return -EINVAL;
	}
	ret = ifmac(e->egress, e->egress_mac);
	if (ret)
		log_warnx("%s: cannot read the MAC address: %s", e->egress, strerror(-ret));
	return ret;
}

static int mount_bpffs(void)
{
	struct statfs sfs;

	if (statfs(VXFWD_BPFFS, &sfs) == 0 && sfs.f_type == BPF_FS_MAGIC)
		return 0;
	if (mount("bpf", VXFWD_BPFFS, "bpf", 0, "mode=0700") < 0) {
		log_warn("%s: mounting the BPF file system failed", VXFWD_BPFFS);
		return -errno;
	}
	log_info("%s: BPF file system mounted", VXFWD_BPFFS);
	return 0;
}

static int open_load(struct engine *e)
{
	int ret;

	e->skel = vxfwd_bpf__open();
	if (!e->skel) {
		ret = -errno;
		log_warnx("XDP program: open failed: %s", strerror(-ret));
		return ret;
	}
	ret = bpf_map__set_max_entries(e->skel->maps.vxfwd_ring, VXFWD_RING_DEFAULT);
	if (ret) {
		log_warnx("vxfwd_ring: setting the size failed: %s", strerror(-ret));
		return ret;
	}
	ret = vxfwd_bpf__load(e->skel);
	if (ret) {
		log_warnx("XDP program: load failed: %s; the verifier log is shown with -vv, "
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

	e->st_len = (sizeof(*e->st) + page - 1) & ~(size_t)(page - 1);
	p = mmap(NULL, e->st_len, PROT_READ | PROT_WRITE, MAP_SHARED, e->maps.engine, 0);
	if (p == MAP_FAILED) {
		log_warn("vxfwd_engine: mmap failed");
		return -errno;
	}
	e->st = p;
	return 0;
}

static void on_link(void *ctx, const __u8 *mac, int up)
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

static int start_io(struct engine *e)
{
	struct vxfwd_tx_opts o = {.ifindex = e->egress_ifindex};
	int ret;

	ret = tx_open(&e->tx, &o, e->st);
	if (ret) {
		log_warnx("%s: AF_PACKET/io_uring sender setup failed: %s", e->egress,
			  strerror(-ret));
		return ret;
	}
	e->tx_ok = 1;
	ret = ring_open(&e->ring, e->maps.ring, bpf_map__max_entries(e->skel->maps.vxfwd_ring));
	if (ret) {
		log_warnx("vxfwd_ring: mmap failed: %s", strerror(-ret));
		return ret;
	}
	e->ring_ok = 1;
	return 0;
}

/*
 * The leak guard is a second belt: XDP already keeps mirror traffic off the
 * stack.  Without it vxfwd still forwards and drops correctly, so a failure
 * is a warning, not a reason to detach XDP and exit.
 */
static void start_guard(struct engine *e)
{
	char path[PATH_MAX];

	if (instance_pin_path(&e->inst, "vxfwd_guard_cnt", path, sizeof(path)) ||
	    guard_open(&e->guard, e->skel->obj)) {
		guard_close(&e->guard);
		log_warnx("%s: leak guard not active; XDP alone keeps mirror traffic off it",
			  e->ingress);
		return;
	}
	if (guard_attach(&e->guard, e->ingress_ifindex, path)) {
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
		log_warnx("%s: already running as pid %d (%s)", e->inst.name, (int)owner,
			  e->inst.pidfile);
	else if (ret)
		log_warnx("%s: pid file lock failed: %s", e->inst.pidfile, strerror(-ret));
	return ret;
}

static int start(struct engine *e)
{
	int ret;

	ret = lock_instance(e);
	if (ret)
		return ret;
	ret = mount_bpffs();
	if (ret)
		return ret;
	ret = open_load(e);
	if (ret)
		return ret;
	maps_from_skel(&e->maps, e->skel);
	ret = map_engine_stats(e);
	if (ret)
		return ret;
	ret = neigh_open(&e->neigh, &e->maps, e->egress_ifindex, on_link, e);
	if (ret) {
		log_warnx("rtnetlink: socket setup failed: %s", strerror(-ret));
		return ret;
	}
	e->neigh_ok = 1;
	ret = engine_apply(e, e->rs, 1000);
	if (ret)
		return ret;
	ret = state_write(e);
	if (ret)
		log_warnx("%s: state file not written: %s", e->inst.statefile, strerror(-ret));
	ret = xdp_attach(e);
	if (ret) {
		log_warnx("%s: XDP attach failed: %s", e->ingress, strerror(-ret));
		return ret;
	}
	ret = xdp_pin_maps(e);
	if (ret) {
		log_warnx("%s: pinning maps failed: %s", e->inst.pindir, strerror(-ret));
		return ret;
	}
	start_guard(e);
	ret = start_io(e);
	if (ret)
		return ret;
	return privs_drop();
}

static void stop(struct engine *e)
{
	if (e->tx_ok)
		tx_close(&e->tx);
	if (e->ring_ok)
		ring_close(&e->ring);
	if (e->guard_ok) {
		guard_detach(&e->guard);
		guard_close(&e->guard);
	}
	/* Pins belong to whoever holds the name: not us when the lock failed. */
	if (e->inst.pid_fd >= 0)
		xdp_detach(e);
	if (e->neigh_ok)
		neigh_close(&e->neigh);
	if (e->st)
		munmap(e->st, e->st_len);
	vxfwd_bpf__destroy(e->skel);
	if (e->inst.pid_fd >= 0)
		unlink(e->inst.statefile);
	instance_unlock(&e->inst);
}

static int parse_run(int argc, char **argv, struct engine *e, const char **file, const char **name,
		     int *verbose)
{
	int c;

	optind = 1;
	while ((c = getopt(argc, argv, "vf:n:x:")) != -1) {
		switch (c) {
		case 'v':
			(*verbose)++;
			break;
		case 'f':
			*file = optarg;
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
			run_usage(stderr);
			return -EINVAL;
		}
	}
	if (optind != argc) {
		run_usage(stderr);
		return -EINVAL;
	}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	struct engine e = {.link_fd = -1, .xdp_mode = -1, .sfd = -1, .epfd = -1};
	const char *file = NULL, *name = NULL;
	int verbose = 0, ret, status = VXFWD_EXIT_RUNTIME;
	sigset_t set;

	e.inst.pid_fd = -1;
	if (parse_run(argc, argv, &e, &file, &name, &verbose))
		return VXFWD_EXIT_USAGE;
	log_init(verbose);
	libbpf_set_print(libbpf_log);
	ret = instance_init(&e.inst, file, name);
	if (ret) {
		log_warnx("%s: cannot derive an instance name: %s; use -n", file ? file : "-",
			  strerror(-ret));
		return VXFWD_EXIT_USAGE;
	}
	ret = vxfwd_dsl_load(e.inst.rules, NULL, VXFWD_DSL_F_IFACE_STRICT, stderr, &e.rs);
	if (ret) {
		if (ret != -EINVAL)
			log_warnx("%s: cannot read the rules: %s", e.inst.rules, strerror(-ret));
		return VXFWD_EXIT_CONFIG;
	}
	if (resolve_ifaces(&e)) {
		vxfwd_ruleset_free(e.rs);
		return VXFWD_EXIT_CONFIG;
	}
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
	log_info("%s: forwarding from %s to %s", e.inst.name, e.ingress, e.egress);
	ret = engine_loop(&e);
	if (ret == 0)
		status = VXFWD_EXIT_OK;
out:
	stop(&e);
	vxfwd_ruleset_free(e.rs);
	return status;
}
