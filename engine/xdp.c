// SPDX-License-Identifier: GPL-2.0-only
/*
 * xdp.c - attach the XDP program as a bpf_link and pin it with the maps
 * under BPFFS/vxfwd/NAME/, so that a daemon killed with SIGKILL leaves the
 * program attached and dropping (fail closed).  A pinned link left by a dead
 * run is updated in place to the new program: there is no window without XDP.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "config.h"
#include "engine.h"
#include "log.h"
#include "vxfwd.skel.h"

static const char *const pinned_maps[] = {
	"vxfwd_active",	 "vxfwd_cfg",	  "vxfwd_vni",	    "vxfwd_lpm",
	"vxfwd_rule",	 "vxfwd_nexthop", "vxfwd_counters", "vxfwd_rule_cnt",
	"vxfwd_org_cnt", "vxfwd_engine",  "vxfwd_ring",
};

static int pin_dirs(const struct engine *e)
{
	if (mkdir(VXFWD_BPFFS "/vxfwd", 0700) < 0 && errno != EEXIST)
		return -errno;
	if (mkdir(e->inst.pindir, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (chmod(e->inst.pindir, 0700) < 0)
		return -errno;
	return 0;
}

static const char *attached_mode(int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	if (bpf_xdp_query(ifindex, 0, &q))
		return "unknown";
	switch (q.attach_mode) {
	case XDP_ATTACHED_DRV:
		return "native";
	case XDP_ATTACHED_SKB:
		return "generic";
	case XDP_ATTACHED_HW:
		return "offload";
	default:
		return "unknown";
	}
}

static int prog_fd(const struct engine *e)
{
	return bpf_program__fd(e->skel->progs.vxfwd_xdp);
}

/* A link pinned by a dead run on our interface, updated to our program. */
static int link_adopt(struct engine *e, const char *path)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);
	int fd;

	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.type == BPF_LINK_TYPE_XDP &&
	    (int)info.xdp.ifindex == e->ingress_ifindex &&
	    bpf_link_update(fd, prog_fd(e), NULL) == 0) {
		log_info("%s: pinned XDP link of a previous run updated to the new program",
			 e->ingress);
		return fd;
	}
	log_warnx("%s: pinned link %s not reusable (other interface or update refused): "
		  "replacing it",
		  e->ingress, path);
	bpf_link_detach(fd);
	close(fd);
	unlink(path);
	return 0;
}

static int link_try(const struct engine *e, __u32 flags)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = flags);
	int fd;

	fd = bpf_link_create(prog_fd(e), e->ingress_ifindex, BPF_XDP, &opts);
	return fd < 0 ? -errno : fd;
}

static int link_create(const struct engine *e)
{
	int mode = e->xdp_mode >= 0 ? e->xdp_mode : (int)e->rs->xdp_mode;
	int fd;

	if (mode == VXFWD_XDP_GENERIC)
		return link_try(e, XDP_FLAGS_SKB_MODE);
	fd = link_try(e, XDP_FLAGS_DRV_MODE);
	if (fd >= 0 || mode == VXFWD_XDP_NATIVE || fd == -EBUSY || fd == -EEXIST)
		return fd;
	log_info("%s: native XDP refused: %s; using generic mode (see vxfwd doctor)", e->ingress,
		 strerror(-fd));
	return link_try(e, XDP_FLAGS_SKB_MODE);
}

int xdp_attach(struct engine *e)
{
	char path[PATH_MAX];
	int fd, ret;

	ret = pin_dirs(e);
	if (ret)
		return ret;
	ret = instance_pin_path(&e->inst, "link", path, sizeof(path));
	if (ret)
		return ret;
	fd = link_adopt(e, path);
	if (fd == 0) {
		fd = link_create(e);
		if (fd == -EBUSY || fd == -EEXIST)
			log_warnx("%s: another XDP program is attached; see "
				  "'ip link show %s' or 'xdp-loader status'",
				  e->ingress, e->ingress);
		if (fd < 0)
			return fd;
		if (bpf_obj_pin(fd, path) < 0 || chmod(path, 0600) < 0) {
			ret = -errno;
			bpf_link_detach(fd);
			close(fd);
			unlink(path);
			return ret;
		}
	}
	e->link_fd = fd;
	log_info("%s: XDP attached in %s mode", e->ingress, attached_mode(e->ingress_ifindex));
	return 0;
}

int xdp_pin_maps(struct engine *e)
{
	char path[PATH_MAX];
	struct bpf_map *map;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(pinned_maps) / sizeof(pinned_maps[0]); i++) {
		map = bpf_object__find_map_by_name(e->skel->obj, pinned_maps[i]);
		if (!map)
			return -ENOENT;
		ret = instance_pin_path(&e->inst, pinned_maps[i], path, sizeof(path));
		if (ret)
			return ret;
		if (unlink(path) < 0 && errno != ENOENT)
			return -errno;
		if (bpf_obj_pin(bpf_map__fd(map), path) < 0 || chmod(path, 0600) < 0)
			return -errno;
	}
	e->pinned = 1;
	return 0;
}

void xdp_unpin(const struct vxfwd_instance *in)
{
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(pinned_maps) / sizeof(pinned_maps[0]); i++)
		if (!instance_pin_path(in, pinned_maps[i], path, sizeof(path)))
			unlink(path);
	if (!instance_pin_path(in, "link", path, sizeof(path)))
		unlink(path);
	/* Left by a guard of a killed run that could not be attached again. */
	if (!instance_pin_path(in, "vxfwd_guard_cnt", path, sizeof(path)))
		unlink(path);
	rmdir(in->pindir);
}

/*
 * run -k: leave the link (and the pins that name it) in place.  The program
 * keeps dropping mirror traffic, counted as ring-full once nobody drains the
 * ring, until the next run takes the link over or `vxfwd detach` removes it.
 */
void xdp_keep(struct engine *e)
{
	if (e->link_fd < 0)
		return;
	close(e->link_fd);
	e->link_fd = -1;
	log_info("%s: XDP left attached and dropping mirror traffic (-k); the next run takes it "
		 "over, 'vxfwd detach -n %s' removes it",
		 e->ingress, e->inst.name);
}

void xdp_detach(struct engine *e)
{
	if (e->link_fd >= 0) {
		if (bpf_link_detach(e->link_fd) < 0)
			log_warn("%s: XDP detach failed", e->ingress);
		close(e->link_fd);
		e->link_fd = -1;
		log_info("%s: XDP detached", e->ingress);
	}
	xdp_unpin(&e->inst);
	e->pinned = 0;
}
