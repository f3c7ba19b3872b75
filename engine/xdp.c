// SPDX-License-Identifier: GPL-2.0-only
/*
 * xdp.c - attach the XDP program to the ingress interface through netlink,
 * and pin it with its maps under BPFFS/vxfwd/NAME/ when a BPF file system is
 * there.
 *
 * A program attached through netlink is held by the interface itself: no
 * file descriptor, link or pin keeps it there, so a daemon killed with
 * SIGKILL, in whatever mount namespace it ran (ip netns exec, unshare -m, a
 * container, a unit with private mounts), leaves it attached and dropping
 * mirror traffic (fail closed).  The next run replaces it atomically
 * (XDP_FLAGS_REPLACE with the old program as the expected one) after
 * checking that it is vxfwd's and that no running instance owns it: there is
 * no moment without a program on the interface.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attached.h"
#include "config.h"
#include "engine.h"
#include "loader.h"
#include "log.h"

/* The pinned program, which lets a later run without CAP_SYS_ADMIN take it over. */
#define PROG_PIN "prog"

static int prog_fd(const struct engine *e)
{
	return loader_prog_fd(e->skel);
}

static const char *mode_name(__u32 flags)
{
	return flags & XDP_FLAGS_DRV_MODE ? "native" : "generic";
}

static int xdp_try(const struct engine *e, __u32 flags, int old_fd)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = old_fd);

	if (bpf_xdp_attach(e->ingress_ifindex, prog_fd(e), flags, old_fd >= 0 ? &opts : NULL))
		return -errno;
	return 0;
}

/* Nothing attached yet: native when the driver takes it (xdp-mode auto). */
static int attach_new(struct engine *e)
{
	int mode = e->xdp_mode >= 0 ? e->xdp_mode : (int)e->rs->xdp_mode;
	__u32 flags = XDP_FLAGS_UPDATE_IF_NOEXIST;
	int ret;

	if (mode == VXFWD_XDP_GENERIC) {
		e->xdp_flags = XDP_FLAGS_SKB_MODE;
		return xdp_try(e, flags | XDP_FLAGS_SKB_MODE, -1);
	}
	e->xdp_flags = XDP_FLAGS_DRV_MODE;
	ret = xdp_try(e, flags | XDP_FLAGS_DRV_MODE, -1);
	if (!ret || mode == VXFWD_XDP_NATIVE || ret == -EBUSY || ret == -EEXIST)
		return ret;
	log_info("%s: native XDP refused: %s; using generic mode (see vxfwd doctor)", e->ingress,
		 strerror(-ret));
	e->xdp_flags = XDP_FLAGS_SKB_MODE;
	return xdp_try(e, flags | XDP_FLAGS_SKB_MODE, -1);
}

static int open_old(const struct engine *e, __u32 id)
{
	char path[PATH_MAX];
	int fd;

	if (instance_pin_path(&e->inst, PROG_PIN, path, sizeof(path)))
		path[0] = '\0';
	fd = attached_prog_fd(id, path[0] ? path : NULL, VXFWD_XDP_PROG_NAME);
	if (fd == -EEXIST)
		log_errx("%s: XDP program id %u is attached and it is not vxfwd's; vxfwd never "
			  "replaces it ('ip link show %s', 'xdp-loader status')",
			  e->ingress, id, e->ingress);
	else if (fd == -EPERM)
		log_errx("%s: XDP program id %u is attached, no pin under %s names it and "
			  "identifying it by id needs CAP_SYS_ADMIN; run 'vxfwd detach' or start "
			  "with CAP_SYS_ADMIN",
			  e->ingress, id, e->inst.pindir);
	else if (fd < 0)
		log_errx("%s: XDP program id %u: cannot open it: %s", e->ingress, id,
			  strerror(-fd));
	return fd;
}

/*
 * vxfwd's program of a stopped or killed run is attached: replace it in
 * place, in the mode it is attached in (the kernel allows one mode at a
 * time, and changing modes would leave the interface without a program).
 */
static int take_over(struct engine *e, __u32 id, __u32 mode)
{
	int want = e->xdp_mode >= 0 ? e->xdp_mode : (int)e->rs->xdp_mode;
	int old, ret;

	old = open_old(e, id);
	if (old < 0)
		return old;
	if ((want == VXFWD_XDP_NATIVE && mode != XDP_FLAGS_DRV_MODE) ||
	    (want == VXFWD_XDP_GENERIC && mode != XDP_FLAGS_SKB_MODE))
		log_warnx("%s: the program taken over is attached in %s mode and stays in it; "
			  "'vxfwd detach' first to change the mode",
			  e->ingress, mode_name(mode));
	e->xdp_flags = mode;
	ret = xdp_try(e, mode | XDP_FLAGS_REPLACE, old);
	close(old);
	if (ret == -EBUSY)
		log_errx("%s: XDP program id %u is held by a bpf_link (an earlier vxfwd?); "
			  "'vxfwd detach' removes it",
			  e->ingress, id);
	if (!ret)
		log_info("%s: XDP program id %u of an earlier run replaced in place", e->ingress,
			 id);
	return ret;
}

/*
 * Maps only user space uses (vxfwd_engine): bound to the program so that
 * the program alone leads to every map `vxfwd stats` reads.
 */
static void bind_maps(const struct engine *e)
{
	int id;

	for (id = 0; id < LMAP_MAX; id++)
		if ((lmap_table[id].flags & LMAP_F_BIND) &&
		    bpf_prog_bind_map(prog_fd(e), loader_map_fd(e->skel, id), NULL))
			log_warn("%s: binding it to the XDP program failed", lmap_name(id));
}

int xdp_attach(struct engine *e)
{
	char owner[VXFWD_NAME_MAX];
	__u32 id, mode;
	int ret;

	bind_maps(e);
	ret = attached_xdp_query(e->ingress_ifindex, &id, &mode);
	if (ret)
		return ret;
	if (id && attached_owner(&e->inst, e->ingress_ifindex, owner, sizeof(owner))) {
		log_errx("%s: instance '%s' is running on it; one instance per interface",
			  e->ingress, owner);
		return -EBUSY;
	}
	ret = id ? take_over(e, id, mode) : attach_new(e);
	if (ret == -EBUSY || ret == -EEXIST)
		log_errx("%s: another XDP program is attached; see 'ip link show %s' or "
			  "'xdp-loader status'",
			  e->ingress, e->ingress);
	if (ret)
		return ret;
	e->xdp_attached = 1;
	log_info("%s: XDP attached in %s mode", e->ingress, mode_name(e->xdp_flags));
	return 0;
}

static int bpffs_here(void)
{
	struct statfs sfs;

	return statfs(VXFWD_BPFFS, &sfs) == 0 && sfs.f_type == BPF_FS_MAGIC;
}

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

static int pin_one(const struct vxfwd_instance *in, const char *obj, int fd)
{
	char path[PATH_MAX];
	int ret;

	ret = instance_pin_path(in, obj, path, sizeof(path));
	if (ret)
		return ret;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	if (bpf_obj_pin(fd, path) < 0 || chmod(path, 0600) < 0)
		return -errno;
	return 0;
}

int xdp_pin_maps(struct engine *e)
{
	int id, fd, ret;

	if (!bpffs_here()) {
		log_info("%s: no BPF file system: nothing pinned; XDP and the leak guard do not "
			 "depend on pins, 'vxfwd stats' finds the maps through %s",
			 VXFWD_BPFFS, e->ingress);
		return 0;
	}
	ret = pin_dirs(e);
	for (id = 0; !ret && id < LMAP_MAX; id++) {
		if (!(lmap_table[id].flags & LMAP_F_PIN))
			continue;
		fd = loader_map_fd(e->skel, id);
		ret = fd >= 0 ? pin_one(&e->inst, lmap_name(id), fd) : fd;
	}
	if (!ret)
		ret = pin_one(&e->inst, PROG_PIN, prog_fd(e));
	if (!ret)
		e->pinned = 1;
	return ret;
}

void xdp_unpin(const struct vxfwd_instance *in)
{
	static const char *const others[] = {PROG_PIN, "link"};
	char path[PATH_MAX];
	size_t i;
	int id;

	for (id = 0; id < LMAP_MAX; id++)
		if ((lmap_table[id].flags & (LMAP_F_PIN | LMAP_F_GUARD)) &&
		    !instance_pin_path(in, lmap_name(id), path, sizeof(path)))
			unlink(path);
	/* "link": a bpf_link pinned by an earlier vxfwd. */
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		if (!instance_pin_path(in, others[i], path, sizeof(path)))
			unlink(path);
	rmdir(in->pindir);
}

/*
 * run -k: leave the program (and the pins that name it) in place.  It keeps
 * dropping mirror traffic, counted as ring-full once nobody drains the ring,
 * until the next run takes it over or `vxfwd detach` removes it.
 */
void xdp_keep(struct engine *e)
{
	if (!e->xdp_attached)
		return;
	e->xdp_attached = 0;
	log_info("%s: XDP left attached and dropping mirror traffic (-k); the next run takes it "
		 "over, 'vxfwd detach -n %s' removes it",
		 e->ingress, e->inst.name);
}

void xdp_detach(struct engine *e)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = prog_fd(e));

	if (e->xdp_attached) {
		/* Only our own program: another may have replaced it meanwhile. */
		if (bpf_xdp_detach(e->ingress_ifindex, e->xdp_flags | XDP_FLAGS_REPLACE, &opts))
			log_warn("%s: XDP detach failed", e->ingress);
		else
			log_info("%s: XDP detached", e->ingress);
		e->xdp_attached = 0;
	}
	xdp_unpin(&e->inst);
	e->pinned = 0;
}
