// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_status.c - `vxfwd status`: every running instance, or one, as the
 * kernel and its state file show it: pid and uptime, ingress with the XDP
 * program's id and mode, egress, the active generation with its rules file
 * and time, rule/set/organization counts, each next hop with the MAC the
 * program uses and the kernel's neighbour state, the workers with their CPU
 * and backend, and the leak guard.  "Running" means the pid-file lock is
 * held.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attached.h"
#include "cmd.h"
#include "config.h"
#include "guard.h"
#include "host.h"
#include "inspect.h"
#include "loader.h"
#include "log.h"
#include "maps.h"

/* What status shows of one instance, read before printing. */
struct status {
	struct vxfwd_instance in;
	struct vxfwd_state st;
	pid_t pid;
	long uptime; /* seconds, -1 when unknown */
	__u32 prog_id, xdp_flags, gen;
	int have_gen;
	struct vxfwd_nh nh[VXFWD_MAX_NEXTHOPS];
	int have_nh[VXFWD_MAX_NEXTHOPS];
	char neigh[VXFWD_MAX_NEXTHOPS][48]; /* "REACHABLE on br0" */
	int guard;			    /* 1 attached, 0 not */
	int elsewhere;			    /* runs in another network namespace */
	struct vxfwd_count guard_cnt[VXFWD_G_MAX];
};

/* Seconds since process `pid` started, from /proc; -1 when unknown. */
static long proc_uptime(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	double up = 0;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	p = p ? strrchr(buf, ')') : NULL;
	/* Field 22 (starttime) is the 20th after the command name. */
	for (i = 0; p && i < 20; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %llu", &start) != 1)
		return -1;
	f = fopen("/proc/uptime", "re");
	if (!f)
		return -1;
	i = fscanf(f, "%lf", &up);
	fclose(f);
	if (i != 1)
		return -1;
	return (long)(up - (double)start / (double)sysconf(_SC_CLK_TCK));
}

/* The neighbour state as `ip neigh` spells it: host_nud_name() in capitals. */
static const char *nud_name(__u16 state, char *buf, size_t len)
{
	const char *name = host_nud_name(state);
	size_t i;

	for (i = 0; name[i] && i + 1 < len; i++)
		buf[i] = (char)toupper((unsigned char)name[i]);
	buf[i] = '\0';
	return buf;
}

struct neigh_dump {
	struct status *s;
	int ingress;
};

/* One neighbour of a dump: record its state if it is one of our next hops. */
static void neigh_dump_msg(const struct nlmsghdr *h, void *arg)
{
	struct neigh_dump *nd = arg;
	struct status *s = nd->s;
	char ifname[IF_NAMESIZE], state[16];
	struct host_neigh n;
	unsigned int i;

	if (h->nlmsg_type != RTM_NEWNEIGH || host_neigh_parse(h, &n) || !n.has_addr ||
	    n.ifindex == nd->ingress)
		return;
	for (i = 0; i < s->st.n_nexthops; i++)
		if (s->st.nexthop[i].family == n.family &&
		    !memcmp(s->st.nexthop[i].addr, n.family == AF_INET6 ? n.addr6 : (__u8 *)&n.addr,
			    n.family == AF_INET6 ? 16 : 4))
			snprintf(s->neigh[i], sizeof(s->neigh[i]), "%s on %s",
				 nud_name(n.state, state, sizeof(state)),
				 if_indextoname((unsigned int)n.ifindex, ifname) ? ifname : "?");
}

/* The kernel's neighbour entries of the next hops (RTM_GETNEIGH dump). */
static void neigh_states(struct status *s)
{
	struct {
		struct nlmsghdr h;
		struct ndmsg nd;
	} req = {.h = {.nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETNEIGH,
		       .nlmsg_flags = NLM_F_DUMP},
		 .nd = {.ndm_family = AF_UNSPEC}}; /* ARP and NDP tables */
	struct neigh_dump nd = {.s = s, .ingress = (int)if_nametoindex(s->st.where.ingress)};

	host_nl_request(&req.h, neigh_dump_msg, &nd);
}

/* The leak guard's tc filter on the ingress interface, and its counters. */
static void guard_state(struct status *s)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = VXFWD_GUARD_HANDLE, .priority = VXFWD_GUARD_PRIO);
	int pfd, fd;

	hook.ifindex = (int)if_nametoindex(s->st.where.ingress);
	s->guard = hook.ifindex && bpf_tc_query(&hook, &opts) == 0 && opts.prog_id;
	if (!s->guard)
		return;
	pfd = attached_prog_fd(opts.prog_id, NULL, NULL);
	if (pfd < 0)
		return;
	fd = attached_map_fd(pfd, lmap_name(LMAP_GUARD_CNT));
	close(pfd);
	if (fd < 0)
		return;
	guard_read(fd, s->guard_cnt);
	close(fd);
}

/* The program on ingress, its active generation and the next hops it uses. */
static void prog_state(struct status *s)
{
	int pfd, fd, fd6, f;
	unsigned int i;
	__u32 zero = 0;

	pfd = attached_instance_prog(&s->in, NULL, &s->prog_id, &s->xdp_flags);
	if (pfd < 0)
		return;
	fd = inspect_map_fd(&s->in, pfd, lmap_name(LMAP_ACTIVE));
	if (fd >= 0) {
		s->have_gen = bpf_map_lookup_elem(fd, &zero, &s->gen) == 0;
		close(fd);
	}
	fd = inspect_map_fd(&s->in, pfd, lmap_name(LMAP_NEXTHOP));
	fd6 = inspect_map_fd(&s->in, pfd, lmap_name(LMAP_NEXTHOP6));
	for (i = 0; i < s->st.n_nexthops; i++) {
		f = s->st.nexthop[i].family == AF_INET6 ? fd6 : fd;
		s->have_nh[i] = f >= 0 &&
				bpf_map_lookup_elem(f, s->st.nexthop[i].addr, &s->nh[i]) == 0;
	}
	if (fd >= 0)
		close(fd);
	if (fd6 >= 0)
		close(fd6);
	close(pfd);
}

static int status_take(struct status *s, const char *name)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	if (instance_init(&s->in, NULL, name))
		return -EINVAL;
	if (instance_running_pid(&s->in, &s->pid))
		return -ESRCH;
	if (inspect_state_read(s->in.statefile, &s->st))
		return -ESRCH;
	s->uptime = proc_uptime(s->pid);
	for (i = 0; i < s->st.n_nexthops; i++)
		snprintf(s->neigh[i], sizeof(s->neigh[i]), "no neighbour entry");
	/* Interfaces and neighbours are those of the namespace it runs in. */
	s->elsewhere = s->st.where.netns && s->st.where.netns != attached_netns();
	if (s->elsewhere)
		return 0;
	prog_state(s);
	neigh_states(s);
	guard_state(s);
	return 0;
}

static const char *mode_name(__u32 flags)
{
	return flags & XDP_FLAGS_DRV_MODE ? "native" : flags & XDP_FLAGS_SKB_MODE ? "generic" : "none";
}

static void nh_text(const struct status *s, unsigned int i, char *buf, size_t len)
{
	char mac[18];

	if (!s->have_nh[i] || !(s->nh[i].flags & VXFWD_NH_F_VALID))
		snprintf(buf, len, "unresolved");
	else
		snprintf(buf, len, "%s%s", inspect_mac(s->nh[i].mac, mac),
			 s->nh[i].flags & VXFWD_NH_F_STATIC ? " (static)" : "");
}

static void print_text(const struct status *s)
{
	char when[64], a[INET6_ADDRSTRLEN], nh[48];
	time_t t = (time_t)s->st.applied;
	unsigned int i;

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %Z", localtime(&t));
	printf("instance %s: running, pid %d, up %lds\n", s->in.name, (int)s->pid, s->uptime);
	if (s->elsewhere)
		printf("  in another network namespace (inode %llu): its program, next hops and "
		       "guard are seen from there (nsenter --net=/proc/%d/ns/net vxfwd status)\n",
		       (unsigned long long)s->st.where.netns, (int)s->pid);
	if (s->prog_id)
		printf("  ingress %s: XDP %s mode, program id %u\n", s->st.where.ingress,
		       mode_name(s->xdp_flags), s->prog_id);
	else if (s->elsewhere)
		printf("  ingress %s\n", s->st.where.ingress);
	else
		printf("  ingress %s: NO vxfwd XDP program attached\n", s->st.where.ingress);
	printf("  egress %s\n", s->st.egress);
	printf("  generation %u, rules file %s, applied %s\n", s->have_gen ? s->gen : s->st.gen,
	       s->st.rules[0] ? s->st.rules : s->in.rules, when);
	printf("  rules %u, sets %u, organizations %u\n", s->st.n_rules, s->st.n_sets,
	       s->st.n_orgs);
	for (i = 0; i < s->st.n_nexthops; i++) {
		inet_ntop(s->st.nexthop[i].family, s->st.nexthop[i].addr, a, sizeof(a));
		nh_text(s, i, nh, sizeof(nh));
		if (s->elsewhere)
			printf("  next hop %s\n", a);
		else
			printf("  next hop %s: %s, neighbour %s\n", a, nh, s->neigh[i]);
	}
	printf("  workers %u, backend %s\n", s->st.n_workers, s->st.backend);
	for (i = 0; i < s->st.n_workers; i++) {
		if (s->st.worker_cpu[i] >= 0)
			printf("    worker %u: cpu %d\n", i, s->st.worker_cpu[i]);
		else
			printf("    worker %u: any cpu\n", i);
	}
	if (s->elsewhere)
		return;
	if (s->guard)
		printf("  leak guard: attached on %s egress, %llu passed, %llu dropped\n",
		       s->st.where.ingress, (unsigned long long)s->guard_cnt[VXFWD_G_PASS].packets,
		       (unsigned long long)s->guard_cnt[VXFWD_G_DROP].packets);
	else
		printf("  leak guard: NOT attached on %s egress: nothing stops the stack from "
		       "sending to a DNAT target out of it\n",
		       s->st.where.ingress);
	if (s->guard && s->guard_cnt[VXFWD_G_DROP].packets)
		printf("    the host tried to send frames to a DNAT target out of %s (a route "
		       "through it?); the guard dropped them\n",
		       s->st.where.ingress);
}

static void print_json(const struct status *s, int first)
{
	char a[INET6_ADDRSTRLEN], nh[48];
	unsigned int i;

	printf("%s{\"instance\":", first ? "" : ",");
	inspect_json_str(s->in.name);
	printf(",\"running\":true,\"pid\":%d,\"uptime\":%ld,\"this_netns\":%s,\"ingress\":",
	       (int)s->pid, s->uptime, s->elsewhere ? "false" : "true");
	inspect_json_str(s->st.where.ingress);
	printf(",\"xdp\":{\"mode\":\"%s\",\"prog_id\":%u},\"egress\":", mode_name(s->xdp_flags),
	       s->prog_id);
	inspect_json_str(s->st.egress);
	printf(",\"generation\":%u,\"rules_file\":", s->have_gen ? s->gen : s->st.gen);
	inspect_json_str(s->st.rules[0] ? s->st.rules : s->in.rules);
	printf(",\"applied\":%lld,\"rules\":%u,\"sets\":%u,\"organizations\":%u,\"nexthops\":[",
	       s->st.applied, s->st.n_rules, s->st.n_sets, s->st.n_orgs);
	for (i = 0; i < s->st.n_nexthops; i++) {
		inet_ntop(s->st.nexthop[i].family, s->st.nexthop[i].addr, a, sizeof(a));
		nh_text(s, i, nh, sizeof(nh));
		printf("%s{\"addr\":\"%s\",\"mac\":\"%s\",\"neighbour\":\"%s\"}", i ? "," : "", a,
		       nh, s->neigh[i]);
	}
	printf("],\"backend\":\"%s\",\"workers\":[", s->st.backend);
	for (i = 0; i < s->st.n_workers; i++)
		printf("%s{\"id\":%u,\"cpu\":%d}", i ? "," : "", i, s->st.worker_cpu[i]);
	printf("],\"guard\":{\"attached\":%s,\"pass\":%llu,\"drop\":%llu}}",
	       s->guard ? "true" : "false",
	       (unsigned long long)s->guard_cnt[VXFWD_G_PASS].packets,
	       (unsigned long long)s->guard_cnt[VXFWD_G_DROP].packets);
}

/* Names of the instances with a pid file, in directory order. */
static int list_names(char names[][VXFWD_NAME_MAX], int max)
{
	struct dirent *d;
	DIR *dir;
	size_t n;
	int count = 0;

	dir = opendir(VXFWD_RUNDIR);
	if (!dir)
		return 0;
	while (count < max && (d = readdir(dir))) {
		n = strlen(d->d_name);
		if (n <= 4 || n - 4 >= VXFWD_NAME_MAX || strcmp(d->d_name + n - 4, ".pid") != 0)
			continue;
		memcpy(names[count], d->d_name, n - 4);
		names[count++][n - 4] = '\0';
	}
	closedir(dir);
	return count;
}

/* Not running: say so, and whether its program is still attached and dropping. */
static void not_running(const char *name)
{
	struct vxfwd_instance in;
	__u32 id = 0, flags = 0;
	int fd;

	if (instance_init(&in, NULL, name)) {
		log_warnx("%s: not running", name);
		return;
	}
	fd = attached_instance_prog(&in, NULL, &id, &flags);
	if (fd >= 0) {
		close(fd);
		log_warnx("%s: not running; its XDP program id %u is still attached (%s mode) and "
			  "drops mirror traffic; 'vxfwd run' takes it over, 'vxfwd detach -n %s' "
			  "removes it",
			  name, id, mode_name(flags), name);
		return;
	}
	log_warnx("%s: not running", name);
}

#define STATUS_MAX 64

int cmd_status(int argc, char **argv)
{
	static char names[STATUS_MAX][VXFWD_NAME_MAX];
	const char *name = NULL;
	struct status *s;
	int c, json = 0, n, i, shown = 0;

	optind = 0;
	while ((c = opt_next(&status_cmd, argc, argv)) != -1) {
		if (c == 'j') {
			json = 1;
		} else if (c == 'n') {
			name = optarg;
		} else {
			return opt_usage_error(&status_cmd);
		}
	}
	if (optind != argc)
		return opt_usage_error(&status_cmd);
	s = calloc(1, sizeof(*s));
	if (!s)
		return VXFWD_EXIT_RUNTIME;
	if (name) {
		snprintf(names[0], sizeof(names[0]), "%s", name);
		n = 1;
	} else {
		n = list_names(names, STATUS_MAX);
	}
	for (i = 0; i < n; i++) {
		if (status_take(s, names[i]))
			continue;
		if (json)
			printf("%s", shown ? "" : "[");
		if (json)
			print_json(s, !shown);
		else
			print_text(s);
		shown++;
	}
	free(s);
	if (json && shown)
		printf("]\n");
	if (shown)
		return VXFWD_EXIT_OK;
	if (name)
		not_running(name);
	else
		log_warnx("no vxfwd instance is running (no live owner of a pid file in %s)",
			  VXFWD_RUNDIR);
	return VXFWD_EXIT_RUNTIME;
}
