// SPDX-License-Identifier: GPL-2.0-only
/* attached.c - see attached.h. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attached.h"
#include "config.h"
#include "guard.h"
#include "loader.h"
#include "host.h"
#include "maps.h"
#include "vxfwd_dsl.h"

#define MAX_PROG_MAPS 64

__u64 attached_netns(void)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st) < 0)
		return 0;
	return (__u64)st.st_ino;
}

int attached_where(const char *statefile, struct vxfwd_where *w)
{
	char line[256], name[IF_NAMESIZE];
	unsigned long long ino;
	FILE *f;
	int idx;

	memset(w, 0, sizeof(*w));
	f = fopen(statefile, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "ingress %15s", name) == 1)
			snprintf(w->ingress, sizeof(w->ingress), "%s", name);
		else if (sscanf(line, "ifindex %d", &idx) == 1)
			w->ifindex = idx;
		else if (sscanf(line, "netns %llu", &ino) == 1)
			w->netns = ino;
		else if (strncmp(line, "rules ", 6) == 0)
			snprintf(w->rules, sizeof(w->rules), "%.*s", (int)strcspn(line + 6, "\n"),
				 line + 6);
	}
	fclose(f);
	return w->ingress[0] ? 0 : -ENOENT;
}

int attached_where_find(const struct vxfwd_instance *in, struct vxfwd_where *w)
{
	struct vxfwd_ruleset *rs = NULL;
	int ret;

	if (attached_where(in->statefile, w) == 0)
		return 0;
	ret = vxfwd_dsl_load(in->rules, NULL, VXFWD_DSL_F_QUIET, &host_ifaces, stderr, &rs);
	if (ret)
		return ret;
	snprintf(w->ingress, sizeof(w->ingress), "%s", rs->ingress);
	vxfwd_ruleset_free(rs);
	return 0;
}

int attached_xdp_query(int ifindex, __u32 *prog_id, __u32 *xdp_flags)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	*prog_id = 0;
	*xdp_flags = 0;
	if (bpf_xdp_query(ifindex, 0, &q))
		return -errno;
	if (q.drv_prog_id) {
		*prog_id = q.drv_prog_id;
		*xdp_flags = XDP_FLAGS_DRV_MODE;
	} else if (q.skb_prog_id) {
		*prog_id = q.skb_prog_id;
		*xdp_flags = XDP_FLAGS_SKB_MODE;
	}
	return 0;
}

static int prog_info(int fd, struct bpf_prog_info *info, __u32 *map_ids, __u32 n_maps)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	if (map_ids) {
		info->nr_map_ids = n_maps;
		info->map_ids = (__u64)(unsigned long)map_ids;
	}
	return bpf_obj_get_info_by_fd(fd, info, &len) ? -errno : 0;
}

int attached_prog_fd(__u32 id, const char *pin, const char *want_name)
{
	struct bpf_prog_info info;
	int fd = -1, ret;

	if (pin) {
		fd = bpf_obj_get(pin);
		if (fd >= 0 && (prog_info(fd, &info, NULL, 0) || info.id != id)) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0)
		fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	ret = prog_info(fd, &info, NULL, 0);
	if (!ret && want_name && strcmp(info.name, want_name) != 0)
		ret = -EEXIST;
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

int attached_map_fd(int prog_fd, const char *name)
{
	__u32 ids[MAX_PROG_MAPS], i, len;
	struct bpf_prog_info info;
	struct bpf_map_info mi;
	int fd, ret;

	ret = prog_info(prog_fd, &info, ids, MAX_PROG_MAPS);
	if (ret)
		return ret;
	for (i = 0; i < info.nr_map_ids && i < MAX_PROG_MAPS; i++) {
		fd = bpf_map_get_fd_by_id(ids[i]);
		if (fd < 0)
			return -errno;
		len = sizeof(mi);
		memset(&mi, 0, sizeof(mi));
		if (bpf_obj_get_info_by_fd(fd, &mi, &len) == 0 && strcmp(mi.name, name) == 0)
			return fd;
		close(fd);
	}
	return -ENOENT;
}

int attached_instance_prog(const struct vxfwd_instance *in, int *ifindex, __u32 *prog_id,
			   __u32 *xdp_flags)
{
	struct vxfwd_where w;
	char pin[PATH_MAX];
	__u32 id, flags;
	int idx, ret;

	ret = attached_where_find(in, &w);
	if (ret)
		return ret;
	/* Its interface name means another interface here. */
	if (w.netns && w.netns != attached_netns())
		return -EXDEV;
	idx = (int)if_nametoindex(w.ingress);
	if (!idx)
		return -ENODEV;
	ret = attached_xdp_query(idx, &id, &flags);
	if (ret)
		return ret;
	if (!id)
		return -ENOENT;
	if (ifindex)
		*ifindex = idx;
	if (prog_id)
		*prog_id = id;
	if (xdp_flags)
		*xdp_flags = flags;
	if (instance_pin_path(in, "prog", pin, sizeof(pin)))
		pin[0] = '\0';
	ret = attached_prog_fd(id, pin[0] ? pin : NULL, VXFWD_XDP_PROG_NAME);
	return ret == -EEXIST ? -ENOENT : ret;
}

int attached_instance_map(const struct vxfwd_instance *in, const char *name)
{
	char path[PATH_MAX];
	int fd, pfd, ret;

	ret = instance_pin_path(in, name, path, sizeof(path));
	if (ret)
		return ret;
	fd = bpf_obj_get(path);
	if (fd >= 0 || errno != ENOENT)
		return fd >= 0 ? fd : -errno;
	pfd = attached_instance_prog(in, NULL, NULL, NULL);
	if (pfd < 0)
		return pfd;
	fd = attached_map_fd(pfd, name);
	close(pfd);
	return fd;
}

/* The leak guard's counters, through its tc filter on the egress hook. */
static int guard_cnt_open(int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = VXFWD_GUARD_HANDLE, .priority = VXFWD_GUARD_PRIO);
	int pfd, fd;

	if (bpf_tc_query(&hook, &opts) < 0 || !opts.prog_id)
		return -ENOENT;
	pfd = attached_prog_fd(opts.prog_id, NULL, NULL);
	if (pfd < 0)
		return pfd;
	fd = attached_map_fd(pfd, lmap_name(LMAP_GUARD_CNT));
	close(pfd);
	return fd;
}

int attached_maps_open(const struct vxfwd_instance *in, struct vxfwd_maps *m, int *guard_fd)
{
	int pfd, ifindex = 0, ret = 0, id;
	int *slot;

	pfd = attached_instance_prog(in, &ifindex, NULL, NULL);
	if (pfd < 0)
		return pfd;
	for (id = 0; id < LMAP_MAX && !ret; id++) {
		slot = lmap_fd_slot(m, id);
		if (!slot || !(lmap_table[id].flags & LMAP_F_STATS))
			continue;
		*slot = attached_map_fd(pfd, lmap_name(id));
		if (*slot < 0)
			ret = *slot;
	}
	close(pfd);
	*guard_fd = guard_cnt_open(ifindex);
	return ret;
}

/* The maps `vxfwd stats` reads, from the pins of instance `in`. */
static int pinned_maps_open(const struct vxfwd_instance *in, struct vxfwd_maps *m, int *guard_fd)
{
	char path[PATH_MAX];
	int ret = 0, id;
	int *slot;

	for (id = 0; id < LMAP_MAX && !ret; id++) {
		slot = lmap_fd_slot(m, id);
		if (!slot || !(lmap_table[id].flags & LMAP_F_STATS))
			continue;
		ret = instance_pin_path(in, lmap_name(id), path, sizeof(path));
		if (ret)
			break;
		*slot = bpf_obj_get(path);
		if (*slot < 0)
			ret = -errno;
	}
	if (!ret && !instance_pin_path(in, lmap_name(LMAP_GUARD_CNT), path, sizeof(path)))
		*guard_fd = bpf_obj_get(path);
	return ret;
}

int attached_stats_open(const struct vxfwd_instance *in, struct vxfwd_maps *m, int *guard_fd)
{
	int ret;

	memset(m, -1, sizeof(*m));
	*guard_fd = -1;
	ret = pinned_maps_open(in, m, guard_fd);
	if (ret != -ENOENT)
		return ret;
	attached_stats_close(m, guard_fd);
	/* No pins here (a private mount namespace): the maps of its program. */
	return attached_maps_open(in, m, guard_fd);
}

void attached_stats_close(struct vxfwd_maps *m, int *guard_fd)
{
	int *slot;
	int id;

	for (id = 0; id < LMAP_MAX; id++) {
		slot = lmap_fd_slot(m, id);
		if (slot && *slot >= 0)
			close(*slot);
	}
	if (*guard_fd >= 0)
		close(*guard_fd);
	memset(m, -1, sizeof(*m));
	*guard_fd = -1;
}

/* `in` is running and attached where `w` says, in this namespace. */
static int owner_match(const struct vxfwd_instance *in, int ifindex, __u64 netns)
{
	struct vxfwd_where w;
	pid_t pid;

	if (instance_running_pid(in, &pid) || attached_where(in->statefile, &w))
		return 0;
	return w.ifindex == ifindex && w.netns == netns;
}

int attached_owner(const struct vxfwd_instance *self, int ifindex, char *owner, size_t len)
{
	struct vxfwd_instance other;
	__u64 netns = attached_netns();
	struct dirent *d;
	char name[VXFWD_NAME_MAX];
	size_t n;
	int found = 0;
	DIR *dir;

	dir = opendir(VXFWD_RUNDIR);
	if (!dir)
		return 0;
	while (!found && (d = readdir(dir))) {
		n = strlen(d->d_name);
		if (n <= 4 || n - 4 >= sizeof(name) || strcmp(d->d_name + n - 4, ".pid") != 0)
			continue;
		memcpy(name, d->d_name, n - 4);
		name[n - 4] = '\0';
		if (strcmp(name, self->name) == 0 || instance_init(&other, NULL, name))
			continue;
		found = owner_match(&other, ifindex, netns);
		if (found)
			snprintf(owner, len, "%s", name);
	}
	closedir(dir);
	return found;
}
