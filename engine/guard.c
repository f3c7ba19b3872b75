// SPDX-License-Identifier: GPL-2.0-only
/*
 * guard.c - load, attach and read the egress leak guard (see guard.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "guard.h"
#include "log.h"
#include "maps.h"
#include "vxfwd_guard.skel.h"

static const char *ifname(int ifindex, char *buf)
{
	if (!if_indextoname((unsigned int)ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "ifindex %d", ifindex);
	return buf;
}

/* Every map the guard shares with the XDP program gets the XDP map's fd. */
static int share_maps(struct vxfwd_guard *g, struct bpf_object *xdp_obj)
{
	struct bpf_map *map, *xm;
	int ret;

	bpf_object__for_each_map(map, g->skel->obj)
	{
		xm = bpf_object__find_map_by_name(xdp_obj, bpf_map__name(map));
		if (!xm)
			continue;
		ret = bpf_map__reuse_fd(map, bpf_map__fd(xm));
		if (ret < 0) {
			log_warnx("leak guard: sharing map %s: %s", bpf_map__name(map),
				  strerror(-ret));
			return ret;
		}
	}
	return 0;
}

int guard_open(struct vxfwd_guard *g, struct bpf_object *xdp_obj)
{
	int ret;

	memset(g, 0, sizeof(*g));
	g->skel = vxfwd_guard_bpf__open();
	if (!g->skel) {
		ret = -errno;
		log_warnx("leak guard: open failed: %s", strerror(-ret));
		return ret;
	}
	ret = share_maps(g, xdp_obj);
	if (ret < 0)
		return ret;
	ret = vxfwd_guard_bpf__load(g->skel);
	if (ret < 0)
		log_warnx("leak guard: load failed: %s; the verifier log is shown with -vv",
			  strerror(-ret));
	return ret;
}

static int pin_counters(struct vxfwd_guard *g, const char *path)
{
	int fd = guard_cnt_fd(g);

	unlink(path); /* left by a dead run */
	if (bpf_obj_pin(fd, path) < 0 || chmod(path, 0600) < 0) {
		log_warn("%s: pinning the leak guard's counters failed", path);
		return -errno;
	}
	snprintf(g->pin, sizeof(g->pin), "%s", path);
	return 0;
}

int guard_attach(struct vxfwd_guard *g, int ifindex, const char *cnt_pin)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = VXFWD_GUARD_HANDLE, .priority = VXFWD_GUARD_PRIO,
		    .prog_fd = guard_prog_fd(g), .flags = BPF_TC_F_REPLACE);
	char name[IF_NAMESIZE];
	int ret;

	ret = bpf_tc_hook_create(&hook);
	if (ret < 0 && ret != -EEXIST) {
		log_warnx("%s: creating the clsact qdisc for the leak guard failed: %s",
			  ifname(ifindex, name), strerror(-ret));
		return ret;
	}
	ret = bpf_tc_attach(&hook, &opts);
	if (ret < 0) {
		log_warnx("%s: attaching the leak guard to egress failed: %s",
			  ifname(ifindex, name), strerror(-ret));
		return ret;
	}
	g->ifindex = ifindex;
	if (!cnt_pin)
		return 0;
	ret = pin_counters(g, cnt_pin);
	if (ret < 0)
		guard_detach(g);
	return ret;
}

int guard_attached(int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = VXFWD_GUARD_HANDLE, .priority = VXFWD_GUARD_PRIO);
	libbpf_print_fn_t print;
	int ret;

	/* No clsact qdisc is an answer here, not an error for libbpf to print. */
	print = libbpf_set_print(NULL);
	ret = bpf_tc_query(&hook, &opts);
	libbpf_set_print(print);
	return ret == 0 && opts.prog_id != 0;
}

void guard_detach(struct vxfwd_guard *g)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = g->ifindex, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = VXFWD_GUARD_HANDLE, .priority = VXFWD_GUARD_PRIO);
	char name[IF_NAMESIZE];
	int ret;

	if (g->pin[0] && unlink(g->pin) < 0 && errno != ENOENT)
		log_warn("%s: removing the leak guard's counters failed", g->pin);
	g->pin[0] = '\0';
	if (!g->ifindex || !guard_attached(g->ifindex)) {
		g->ifindex = 0;
		return;
	}
	ret = bpf_tc_detach(&hook, &opts);
	if (ret < 0 && ret != -ENOENT)
		log_warnx("%s: detaching the leak guard failed: %s", ifname(g->ifindex, name),
			  strerror(-ret));
	g->ifindex = 0;
}

void guard_close(struct vxfwd_guard *g)
{
	vxfwd_guard_bpf__destroy(g->skel);
	g->skel = NULL;
}

int guard_prog_fd(const struct vxfwd_guard *g)
{
	return bpf_program__fd(g->skel->progs.vxfwd_guard);
}

int guard_cnt_fd(const struct vxfwd_guard *g)
{
	return bpf_map__fd(g->skel->maps.vxfwd_guard_cnt);
}

int guard_read(int fd, struct vxfwd_count *out)
{
	return maps_count_sum(fd, 0, VXFWD_G_MAX, out);
}
