// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_doctor.c - `vxfwd doctor [-f file]`: probe the host for what a rules
 * file needs and say plainly what will happen and what to change.
 *
 * Every check prints one line, `ok|warn|fail  subject: finding [hint]`;
 * with -j the checks are one JSON object instead (json-c), each with its
 * subject, status, finding and hint, the rules file's diagnostics as
 * check -j gives them, and the overall result.
 * Nothing is changed on the host: the only probes with an effect are a
 * trivial XDP program attached to the ingress interface and detached at
 * once (never replacing a program already there), an io_uring instance
 * with a registered buffer the size of the engine's send pool, and an
 * AF_PACKET socket, all closed before the next check.
 *
 * Interface facts come from ioctls and rtnetlink, never from /sys/class/net,
 * so that the answers belong to the network namespace doctor runs in.
 *
 * doctor_preflight() (doctor.h) runs the same checks for `vxfwd run`, only
 * those that probe nothing with an effect, and logs the problems instead of
 * printing every finding.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <getopt.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>
#include <liburing.h>

#include "attached.h"
#include "config.h"
#include "cmd.h"
#include "doctor.h"
#include "host.h"
#include "instance.h"
#include "log.h"
#include "tx.h"
#include "vxfwd_abi.h"
#include "vxfwd_dsl.h"
#include "vxfwd.skel.h"

/* Outer IPv4 + UDP + VXLAN + inner Ethernet around an inner IP packet. */
#define VXLAN_OVERHEAD (20 + 8 + 8 + 14)
/* Largest MTU at which the ENA driver accepts a native XDP program. */
#define ENA_XDP_MAX_MTU 3498
/* vxfwd's program is multi-buffer aware (SEC("xdp.frags")) since 5.18. */
#define MIN_KERNEL_MAJOR 5
#define MIN_KERNEL_MINOR 18
/* Neighbour states whose link-layer address can be used (the kernel's NUD_VALID). */
#define NUD_USABLE (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY)

/* DR_INFO reads "ok" in doctor's report; the preflight logs it as information. */
enum dr_level { DR_OK, DR_WARN, DR_FAIL, DR_INFO };

enum xdp_probe {
	XDP_UNTRIED = 0,
	XDP_NATIVE_OK,	    /* attached natively and detached */
	XDP_NATIVE_REFUSED, /* generic attaches instead */
	XDP_BUSY,	    /* another program is attached */
	XDP_NONE,	    /* neither native nor generic attaches */
};

struct doctor {
	const char *file;
	struct vxfwd_instance inst;
	const struct vxfwd_ruleset *rs; /* NULL when the rules did not load */
	struct vxfwd_ruleset *own;	/* what check_rules loaded */
	int preflight;			/* log problems only (doctor_preflight) */
	int warns;			/* problems the preflight logged */
	int in_ifindex;			/* 0 when missing */
	int out_ifindex;
	int nbr_ifindex; /* egress, or its bridge master */
	char nbr_dev[IF_NAMESIZE];
	char in_driver[32];
	int in_mtu;
	int out_mtu;
	__u8 out_mac[6];
	enum xdp_probe xdp;
	int shared_subnet;
	int can_bpf; /* CAP_BPF (or CAP_SYS_ADMIN) effective: probes can tell */
	int on_ec2;
	unsigned int fails;
	unsigned int n_warns; /* checks reported as warn */
	int config_failed;
	struct json_object *json;  /* -j: the checks, an array; NULL otherwise */
	struct json_object *diags; /* -j: the rules file's diagnostics, an array */
};

static void report(struct doctor *d, enum dr_level lvl, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Before `run`: one line per problem, "doctor: subject: finding; fix". */
static void preflight_log(struct doctor *d, enum dr_level lvl, const char *hint, const char *msg)
{
	const char *sep = hint ? "; " : "";

	if (!hint)
		hint = "";
	switch (lvl) {
	case DR_OK:
		return;
	case DR_INFO:
		log_info("doctor: %s%s%s", msg, sep, hint);
		return;
	case DR_WARN:
	case DR_FAIL:
		d->warns++;
		log_warnx("doctor: %s%s%s", msg, sep, hint);
		return;
	}
}

static const char *const dr_words[] = {"ok", "warn", "fail", "ok"};

/* -j: one check as {subject, status, finding, hint}; msg is "subject: finding". */
static void report_json(struct doctor *d, enum dr_level lvl, const char *hint, const char *msg)
{
	struct json_object *o = json_object_new_object();
	const char *colon = strstr(msg, ": ");
	size_t n = colon ? (size_t)(colon - msg) : strlen(msg);

	if (!o)
		return;
	json_object_object_add(o, "subject", json_object_new_string_len(msg, (int)n));
	json_object_object_add(o, "status", json_object_new_string(dr_words[lvl]));
	json_object_object_add(o, "finding", json_object_new_string(colon ? colon + 2 : ""));
	json_object_object_add(o, "hint", hint ? json_object_new_string(hint) : NULL);
	json_object_array_add(d->json, o);
}

static void report(struct doctor *d, enum dr_level lvl, const char *hint, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (lvl == DR_FAIL)
		d->fails++;
	if (lvl == DR_WARN)
		d->n_warns++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (d->preflight) {
		preflight_log(d, lvl, hint, msg);
		return;
	}
	if (d->json) {
		report_json(d, lvl, hint, msg);
		return;
	}
	printf("%-4s  %s", dr_words[lvl], msg);
	if (hint)
		printf(" [%s]", hint);
	putchar('\n');
}

static int read_file_line(const char *path, char *buf, size_t len)
{
	FILE *f;
	int ret = 0;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		ret = ferror(f) ? -EIO : -ENODATA;
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return ret;
}

static int read_sysctl_int(const char *path, int *val)
{
	char buf[32];
	int ret;

	ret = read_file_line(path, buf, sizeof(buf));
	if (ret)
		return ret;
	*val = atoi(buf);
	return 0;
}

static const char *fmt_mac(const __u8 *m, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return buf;
}

static const char *fmt_addr(__be32 a, char *buf, size_t len)
{
	struct in_addr in = {.s_addr = a};

	return inet_ntop(AF_INET, &in, buf, (socklen_t)len);
}

/* ---- kernel and process ------------------------------------------------ */

static void check_kernel(struct doctor *d)
{
	struct utsname u;
	unsigned int major = 0, minor = 0;

	if (uname(&u) < 0 || sscanf(u.release, "%u.%u", &major, &minor) != 2) {
		report(d, DR_WARN, NULL, "kernel: cannot read the release: %s", strerror(errno));
		return;
	}
	if (major < MIN_KERNEL_MAJOR || (major == MIN_KERNEL_MAJOR && minor < MIN_KERNEL_MINOR))
		report(d, DR_FAIL, "upgrade the kernel",
		       "kernel: %s is older than %d.%d: vxfwd's XDP program needs multi-buffer XDP "
		       "(5.18), atomic XDP replacement (5.7), ring buffers and CAP_BPF (5.8)",
		       u.release, MIN_KERNEL_MAJOR, MIN_KERNEL_MINOR);
	else
		report(d, DR_OK, NULL, "kernel: %s %s", u.sysname, u.release);
}

static int proc_cap_eff(__u64 *caps)
{
	char line[256];
	FILE *f;
	int ret = -ENOENT;

	f = fopen("/proc/self/status", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v;

		if (sscanf(line, "CapEff: %llx", &v) == 1) {
			*caps = v;
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

static void check_privileges(struct doctor *d)
{
	static const struct {
		int cap;
		const char *name;
		const char *why;
	} need[] = {
		{CAP_BPF, "CAP_BPF", "load the program and create maps"},
		{CAP_NET_ADMIN, "CAP_NET_ADMIN", "attach XDP, resolve next hops"},
		{CAP_NET_RAW, "CAP_NET_RAW", "open the AF_PACKET socket"},
	};
	char missing[256] = "";
	__u64 caps = 0;
	size_t i;
	int ret;

	ret = proc_cap_eff(&caps);
	if (ret) {
		report(d, DR_WARN, NULL, "privileges: cannot read /proc/self/status: %s",
		       strerror(-ret));
		return;
	}
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		int have = !!(caps & (1ULL << need[i].cap));

		/* Before CAP_BPF existed, CAP_SYS_ADMIN did its work. */
		if (need[i].cap == CAP_BPF && (caps & (1ULL << CAP_SYS_ADMIN)))
			have = 1;
		if (need[i].cap == CAP_BPF)
			d->can_bpf = have;
		if (!have)
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing),
				 "%s%s (%s)", missing[0] ? ", " : "", need[i].name, need[i].why);
	}
	if (missing[0])
		report(d, DR_FAIL, "run as root or from vxfwd.service, which grants them",
		       "privileges: missing %s; the probes below that need them fail too", missing);
	else
		report(d, DR_OK, NULL, "privileges: CAP_BPF, CAP_NET_ADMIN and CAP_NET_RAW held");
}

static void check_btf(struct doctor *d)
{
	struct stat st;

	if (stat("/sys/kernel/btf/vmlinux", &st) == 0)
		report(d, DR_OK, NULL, "btf: kernel BTF present (/sys/kernel/btf/vmlinux)");
	else
		report(d, DR_WARN, "a kernel built with CONFIG_DEBUG_INFO_BTF=y",
		       "btf: no kernel BTF: vxfwd does not need it, but tools that trace the "
		       "XDP program (xdpdump) do");
}

static void check_bpf(struct doctor *d)
{
	int xdp, rb;

	/* Without CAP_BPF every probe load fails and would read "unsupported". */
	if (!d->can_bpf) {
		report(d, DR_WARN, "run doctor as root",
		       "bpf: cannot probe XDP and ring buffer support without CAP_BPF");
		return;
	}
	xdp = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_XDP, NULL);
	rb = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL);
	if (xdp == 1 && rb == 1) {
		report(d, DR_OK, NULL, "bpf: XDP programs and BPF ring buffers supported");
		return;
	}
	if (xdp < 0 || rb < 0) {
		report(d, DR_FAIL, "run as root", "bpf: cannot probe program and map types: %s",
		       strerror(-(xdp < 0 ? xdp : rb)));
		return;
	}
	report(d, DR_FAIL, "a 5.8 or later kernel with CONFIG_BPF_SYSCALL=y",
	       "bpf: %s not supported by this kernel",
	       xdp != 1 ? "XDP programs" : "BPF ring buffers");
}

static void check_bpffs(struct doctor *d)
{
	struct statfs sf;
	char hint[PATH_MAX + 64];

	snprintf(hint, sizeof(hint), "mount -t bpf bpf %s", VXFWD_BPFFS);
	if (statfs(VXFWD_BPFFS, &sf) < 0) {
		report(d, DR_FAIL, hint, "bpffs: %s: %s", VXFWD_BPFFS, strerror(errno));
		return;
	}
	if (sf.f_type != BPF_FS_MAGIC) {
		if (d->preflight)
			return; /* run mounts it */
		report(d, DR_FAIL, hint,
		       "bpffs: %s is not a BPF file system: run cannot pin the program, so a "
		       "killed daemon would let mirror traffic reach the ingress stack",
		       VXFWD_BPFFS);
		return;
	}
	if (access(VXFWD_BPFFS, W_OK) < 0) {
		report(d, DR_FAIL, "run as root; under systemd ReadWritePaths=/sys/fs/bpf",
		       "bpffs: %s mounted but not writable: %s", VXFWD_BPFFS, strerror(errno));
		return;
	}
	report(d, DR_OK, NULL, "bpffs: mounted on %s, pins go to %s", VXFWD_BPFFS, d->inst.pindir);
}

static void check_memlock(struct doctor *d)
{
	const unsigned long long pool = (unsigned long long)VXFWD_TX_SLOTS * VXFWD_TX_SLOT_SIZE;
	struct rlimit rl;

	if (getrlimit(RLIMIT_MEMLOCK, &rl) < 0) {
		report(d, DR_WARN, NULL, "memlock: getrlimit: %s", strerror(errno));
		return;
	}
	if (rl.rlim_cur == RLIM_INFINITY)
		report(d, DR_OK, NULL, "memlock: unlimited");
	else if (rl.rlim_cur >= pool)
		report(d, DR_OK, NULL, "memlock: %llu KiB, enough for the %llu KiB send pool",
		       (unsigned long long)rl.rlim_cur / 1024, pool / 1024);
	else
		report(d, DR_FAIL, "ulimit -l unlimited; under systemd LimitMEMLOCK=infinity",
		       "memlock: %llu KiB is less than the %llu KiB of send buffers "
		       "registered with io_uring",
		       (unsigned long long)rl.rlim_cur / 1024, pool / 1024);
}

/* io_uring with WRITE_FIXED and a registered buffer the size of the pool. */
static int probe_uring(char *why, size_t len)
{
	const size_t pool = (size_t)VXFWD_TX_SLOTS * VXFWD_TX_SLOT_SIZE;
	struct io_uring_probe *probe = NULL;
	struct io_uring ring;
	struct iovec iov;
	void *buf;
	int ret;

	ret = io_uring_queue_init(4, &ring, 0);
	if (ret) {
		snprintf(why, len, "io_uring_setup: %s", strerror(-ret));
		return ret;
	}
	probe = io_uring_get_probe_ring(&ring);
	if (!probe || !io_uring_opcode_supported(probe, IORING_OP_WRITE_FIXED)) {
		snprintf(why, len, "IORING_OP_WRITE_FIXED not supported");
		ret = -EOPNOTSUPP;
		goto out;
	}
	buf = mmap(NULL, pool, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		ret = -errno;
		snprintf(why, len, "mmap %zu bytes: %s", pool, strerror(errno));
		goto out;
	}
	iov.iov_base = buf;
	iov.iov_len = pool;
	ret = io_uring_register_buffers(&ring, &iov, 1);
	if (ret)
		snprintf(why, len, "registering %zu KiB of send buffers: %s", pool / 1024,
			 strerror(-ret));
	else
		io_uring_unregister_buffers(&ring);
	munmap(buf, pool);
out:
	if (probe)
		io_uring_free_probe(probe);
	io_uring_queue_exit(&ring);
	return ret;
}

static void check_io_uring(struct doctor *d)
{
	char why[256];
	int disabled = 0;
	int ret;

	if (read_sysctl_int("/proc/sys/kernel/io_uring_disabled", &disabled) == 0 &&
	    disabled == 2) {
		report(d, DR_FAIL, "sysctl -w kernel.io_uring_disabled=0",
		       "io_uring: disabled by kernel.io_uring_disabled=2");
		return;
	}
	ret = probe_uring(why, sizeof(why));
	if (ret == -ENOMEM)
		report(d, DR_FAIL, "ulimit -l unlimited; under systemd LimitMEMLOCK=infinity",
		       "io_uring: %s", why);
	else if (ret == -EPERM && disabled == 1)
		report(d, DR_FAIL,
		       "sysctl -w kernel.io_uring_disabled=0, or add vxfwd's "
		       "group to kernel.io_uring_group",
		       "io_uring: %s (kernel.io_uring_disabled=1)", why);
	else if (ret)
		report(d, DR_FAIL, "a kernel with CONFIG_IO_URING", "io_uring: %s", why);
	else
		report(d, DR_OK, NULL,
		       "io_uring: WRITE_FIXED supported, %u KiB of send buffers registered",
		       (unsigned int)((size_t)VXFWD_TX_SLOTS * VXFWD_TX_SLOT_SIZE / 1024));
}

static void check_packet(struct doctor *d)
{
	int fd;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		report(d, DR_FAIL, errno == EPERM ? "needs CAP_NET_RAW" : NULL,
		       "af_packet: cannot open a packet socket: %s", strerror(errno));
		return;
	}
	close(fd);
	report(d, DR_OK, NULL, "af_packet: packet sockets available");
}

/* ---- the rules file and the instance ----------------------------------- */

/* The distinct DNAT targets of the rules, in rule order. */
static size_t dnat_targets(const struct vxfwd_ruleset *rs, __be32 *out, size_t max)
{
	size_t i, j, n = 0;

	for (i = 0; i < rs->n_ops && n < max; i++) {
		if (rs->ops[i].map != VXFWD_MAP_RULE)
			continue;
		for (j = 0; j < n && out[j] != rs->ops[i].val.rule.nat_addr; j++)
			;
		if (j == n)
			out[n++] = rs->ops[i].val.rule.nat_addr;
	}
	return n;
}

static void diag_to_json(void *arg, const struct vxfwd_diag_rec *rec)
{
	struct doctor *d = arg;

	json_object_array_add(d->diags, check_diag_json(rec, 1));
}

static void check_rules(struct doctor *d)
{
	struct vxfwd_diag_sink sink = {.fn = diag_to_json, .arg = d};
	__be32 t[VXFWD_MAX_NEXTHOPS];
	char hint[PATH_MAX + 32];
	int ret;

	snprintf(hint, sizeof(hint), "vxfwd check -f %s", d->file);
	if (d->json)
		ret = vxfwd_dsl_load_records(d->file, NULL, 0, &host_ifaces, &sink, &d->own);
	else
		ret = vxfwd_dsl_load(d->file, NULL, 0, &host_ifaces, stderr, &d->own);
	d->rs = d->own;
	if (ret == -EINVAL) {
		d->config_failed = 1;
		report(d, DR_FAIL, hint,
		       "rules %s: has errors (%s); interface checks need a valid file", d->file,
		       d->json ? "in diagnostics" : "above");
		return;
	}
	if (ret) {
		d->config_failed = 1;
		report(d, DR_FAIL, NULL, "rules %s: cannot be read: %s", d->file, strerror(-ret));
		return;
	}
	report(d, DR_OK, NULL,
	       "rules %s: %zu forward rules, %zu DNAT targets, ingress %s, egress %s", d->file,
	       d->rs->n_rules, dnat_targets(d->rs, t, VXFWD_MAX_NEXTHOPS), d->rs->ingress,
	       d->rs->egress);
}

static void check_instance(struct doctor *d)
{
	char hint[VXFWD_NAME_MAX + 32];
	pid_t pid = 0;
	struct stat st;

	if (instance_running_pid(&d->inst, &pid) == 0) {
		report(d, DR_OK, NULL,
		       "instance %s: running (pid %d); run would refuse a second copy",
		       d->inst.name, (int)pid);
		return;
	}
	snprintf(hint, sizeof(hint), "vxfwd detach -n %s removes it", d->inst.name);
	if (stat(d->inst.pindir, &st) == 0)
		report(d, DR_WARN, hint,
		       "instance %s: not running, but %s exists: the XDP program of a "
		       "run stopped with -k or killed may still be attached and dropping "
		       "mirror traffic; run adopts it",
		       d->inst.name, d->inst.pindir);
	else
		report(d, DR_OK, NULL, "instance %s: not running, no pins left behind",
		       d->inst.name);
}

/* ---- interfaces -------------------------------------------------------- */

struct link_facts {
	int up;
	int carrier;
	int mtu;
	__u8 mac[6];
	char driver[32];
	__u32 combined; /* ETHTOOL_GCHANNELS, 0 when unknown */
	__u32 max_combined;
};

static void link_query(int fd, const char *name, struct link_facts *lf)
{
	struct ethtool_drvinfo drv = {.cmd = ETHTOOL_GDRVINFO};
	struct ethtool_channels ch = {.cmd = ETHTOOL_GCHANNELS};
	struct ifreq ifr;

	memset(lf, 0, sizeof(*lf));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		lf->up = !!(ifr.ifr_flags & IFF_UP);
		lf->carrier = !!(ifr.ifr_flags & IFF_RUNNING);
	}
	if (ioctl(fd, SIOCGIFMTU, &ifr) == 0)
		lf->mtu = ifr.ifr_mtu;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) == 0)
		memcpy(lf->mac, ifr.ifr_hwaddr.sa_data, 6);
	ifr.ifr_data = (char *)&drv;
	if (ioctl(fd, SIOCETHTOOL, &ifr) == 0)
		snprintf(lf->driver, sizeof(lf->driver), "%s", drv.driver);
	else
		snprintf(lf->driver, sizeof(lf->driver), "unknown");
	ifr.ifr_data = (char *)&ch;
	if (ioctl(fd, SIOCETHTOOL, &ifr) == 0) {
		lf->combined = ch.combined_count;
		lf->max_combined = ch.max_combined;
	}
}

/* IFLA_MASTER of `ifindex` through RTM_GETLINK; 0 when none. */
static int link_master(int ifindex)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
		.nh.nlmsg_type = RTM_GETLINK,
		.nh.nlmsg_flags = NLM_F_REQUEST,
		.ifi.ifi_family = AF_UNSPEC,
		.ifi.ifi_index = ifindex,
	};
	char buf[16384];
	struct nlmsghdr *nh;
	struct rtattr *rta;
	int fd, len, attrlen, master = 0;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0 ||
	    (len = (int)recv(fd, buf, sizeof(buf), 0)) < 0) {
		master = -errno;
		goto out;
	}
	nh = (struct nlmsghdr *)buf;
	if (!NLMSG_OK(nh, (unsigned int)len) || nh->nlmsg_type != RTM_NEWLINK) {
		master = -EPROTO;
		goto out;
	}
	attrlen = (int)IFLA_PAYLOAD(nh);
	for (rta = IFLA_RTA(NLMSG_DATA(nh)); RTA_OK(rta, attrlen); rta = RTA_NEXT(rta, attrlen))
		if (rta->rta_type == IFLA_MASTER)
			master = (int)*(__u32 *)RTA_DATA(rta);
out:
	close(fd);
	return master;
}

static void describe_link(char *buf, size_t len, const struct link_facts *lf)
{
	char mac[18];

	snprintf(buf, len, "%s, %s, driver %s, MTU %d, MAC %s", lf->up ? "up" : "down",
		 lf->carrier ? "carrier" : "no carrier", lf->driver, lf->mtu,
		 fmt_mac(lf->mac, mac, sizeof(mac)));
}

static int check_link(struct doctor *d, const char *role, const char *name, struct link_facts *lf)
{
	char desc[160], hint[64];
	int fd, ifindex;

	memset(lf, 0, sizeof(*lf));
	ifindex = (int)if_nametoindex(name);
	if (!ifindex) {
		report(d, DR_FAIL, "the rules file names it; see 'ip link'",
		       "%s %s: no such interface: run would fail", role, name);
		return 0;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		report(d, DR_WARN, NULL, "%s %s: cannot query it: socket: %s", role, name,
		       strerror(errno));
		return ifindex;
	}
	link_query(fd, name, lf);
	close(fd);
	describe_link(desc, sizeof(desc), lf);
	snprintf(hint, sizeof(hint), "ip link set dev %s up", name);
	if (!lf->up)
		report(d, DR_WARN, hint, "%s %s: %s: nothing %s until it is up", role, name, desc,
		       strcmp(role, "ingress") ? "is sent" : "arrives");
	else if (!lf->carrier)
		report(d, DR_WARN, "check the cable, the ENI attachment or the veth peer",
		       "%s %s: %s", role, name, desc);
	else
		report(d, DR_OK, NULL, "%s %s: %s", role, name, desc);
	return ifindex;
}

static void check_ingress(struct doctor *d)
{
	struct link_facts lf;

	d->in_ifindex = check_link(d, "ingress", d->rs->ingress, &lf);
	d->in_mtu = lf.mtu;
	snprintf(d->in_driver, sizeof(d->in_driver), "%s", lf.driver);
	if (!strcmp(lf.driver, "ena"))
		d->on_ec2 = 1;
}

static void check_egress(struct doctor *d)
{
	struct link_facts lf;
	int master;

	d->out_ifindex = check_link(d, "egress", d->rs->egress, &lf);
	if (!d->out_ifindex)
		return;
	d->out_mtu = lf.mtu;
	memcpy(d->out_mac, lf.mac, sizeof(d->out_mac));
	if (!strcmp(lf.driver, "ena"))
		d->on_ec2 = 1;
	d->nbr_ifindex = d->out_ifindex;
	snprintf(d->nbr_dev, sizeof(d->nbr_dev), "%s", d->rs->egress);
	master = link_master(d->out_ifindex);
	if (master > 0 && if_indextoname((unsigned int)master, d->nbr_dev)) {
		d->nbr_ifindex = master;
		report(d, DR_OK, NULL,
		       "egress %s: port of %s: next hops are looked up in %s's neighbour "
		       "table, frames still leave on %s",
		       d->rs->egress, d->nbr_dev, d->nbr_dev, d->rs->egress);
	}
}

/* ---- native XDP --------------------------------------------------------- */

/*
 * What the kernel said, caught from libbpf's output (its print callback has
 * no context pointer): the netlink extack of a refused attach, or the line
 * of the verifier log that names the reason a program was refused.
 */
static char xdp_kernel_msg[256];

/* The verifier log's last line before "processed N insns". */
static void catch_verifier_reason(const char *log)
{
	const char *end = strstr(log, "\nprocessed ");
	const char *start;

	if (!end)
		return;
	for (start = end; start > log && start[-1] != '\n'; start--)
		;
	snprintf(xdp_kernel_msg, sizeof(xdp_kernel_msg), "%.*s", (int)(end - start), start);
}

static int capture_print(enum libbpf_print_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static int capture_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	static const char tag[] = "Kernel error message: ";
	char *msg = NULL;
	const char *p;

	if (vasprintf(&msg, fmt, ap) < 0)
		return 0;
	p = strstr(msg, tag);
	if (p) {
		snprintf(xdp_kernel_msg, sizeof(xdp_kernel_msg), "%s", p + strlen(tag));
		xdp_kernel_msg[strcspn(xdp_kernel_msg, "\n")] = '\0';
	} else if (strstr(msg, "-- BEGIN PROG LOAD LOG --")) {
		catch_verifier_reason(msg);
	}
	free(msg);
	return 0;
}

/* Load (and verify) vxfwd's own XDP program with our capabilities. */
static void check_program(struct doctor *d)
{
	struct vxfwd_bpf *skel;
	const char *hint = NULL;
	libbpf_print_fn_t old;
	__u64 caps = 0;
	int ret;

	xdp_kernel_msg[0] = '\0';
	old = libbpf_set_print(capture_print);
	skel = vxfwd_bpf__open();
	ret = skel ? vxfwd_bpf__load(skel) : -errno;
	libbpf_set_print(old);
	vxfwd_bpf__destroy(skel);
	if (!ret) {
		report(d, DR_OK, NULL,
		       "program: vxfwd's XDP program loads and verifies with "
		       "these capabilities");
		return;
	}
	proc_cap_eff(&caps);
	if (ret == -EACCES && !(caps & (1ULL << CAP_PERFMON)))
		hint = "the verifier lets CAP_PERFMON read uninitialised stack; "
		       "vxfwd.service grants it";
	else if (ret == -EPERM)
		hint = "needs CAP_BPF and CAP_NET_ADMIN";
	report(d, DR_FAIL, hint, "program: the kernel refuses vxfwd's XDP program: %s%s%s",
	       strerror(-ret), xdp_kernel_msg[0] ? ": " : "", xdp_kernel_msg);
}

/* r0 = XDP_PASS; exit.  Multi-buffer aware like vxfwd's own program. */
static int probe_prog_load(void)
{
	struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS},
		{.code = BPF_JMP | BPF_EXIT},
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .prog_flags = BPF_F_XDP_HAS_FRAGS);
	int fd;

	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "vxfwd_doctor", "GPL", insns, 2, &opts);
	return fd < 0 ? -errno : fd;
}

/*
 * Attach `prog` in `mode` only if no program is attached, then detach it
 * again, naming it so that nothing else can be detached by mistake.
 */
static int probe_attach(int ifindex, int prog, __u32 mode)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = prog);
	libbpf_print_fn_t old;
	int ret;

	xdp_kernel_msg[0] = '\0';
	old = libbpf_set_print(capture_print);
	ret = bpf_xdp_attach(ifindex, prog, mode | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
	libbpf_set_print(old);
	if (ret)
		return ret;
	bpf_xdp_detach(ifindex, mode, &opts);
	return 0;
}

static void explain_ena(struct doctor *d)
{
	struct link_facts lf;
	char hint[160];
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	link_query(fd, d->rs->ingress, &lf);
	close(fd);
	if (lf.mtu > ENA_XDP_MAX_MTU) {
		snprintf(hint, sizeof(hint), "ip link set dev %s mtu %d", d->rs->ingress,
			 ENA_XDP_MAX_MTU);
		report(d, DR_WARN, hint,
		       "xdp %s: ENA takes native XDP only up to MTU %d, the MTU is %d; "
		       "a lower MTU truncates mirrored packets above %d bytes (see mtu)",
		       d->rs->ingress, ENA_XDP_MAX_MTU, lf.mtu, ENA_XDP_MAX_MTU - VXLAN_OVERHEAD);
	}
	if (lf.max_combined && lf.combined > lf.max_combined / 2) {
		snprintf(hint, sizeof(hint), "ethtool -L %s combined %u", d->rs->ingress,
			 lf.max_combined / 2);
		report(d, DR_WARN, hint,
		       "xdp %s: ENA needs half of its queues free for XDP: %u of %u channels "
		       "in use",
		       d->rs->ingress, lf.combined, lf.max_combined);
	}
}

/* Program `id` is vxfwd's: 2 pinned by this instance, 1 another run's, 0 not. */
static int prog_whose(const struct doctor *d, __u32 id)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int fd, mine = 0;

	if (!instance_pin_path(&d->inst, "prog", path, sizeof(path))) {
		fd = bpf_obj_get(path);
		memset(&info, 0, sizeof(info));
		mine = fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.id == id;
		if (fd >= 0)
			close(fd);
	}
	if (mine)
		return 2;
	fd = attached_prog_fd(id, NULL, VXFWD_XDP_PROG_NAME);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static void probe_busy(struct doctor *d)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	const char *mode = "unknown";
	int whose;
	__u32 id;

	d->xdp = XDP_BUSY;
	if (bpf_xdp_query(d->in_ifindex, 0, &q) == 0)
		mode = q.attach_mode == XDP_ATTACHED_DRV     ? "native"
		       : q.attach_mode == XDP_ATTACHED_SKB   ? "generic"
		       : q.attach_mode == XDP_ATTACHED_MULTI ? "several"
							     : "other";
	id = q.prog_id ? q.prog_id : q.drv_prog_id ? q.drv_prog_id : q.skb_prog_id;
	whose = id ? prog_whose(d, id) : 0;
	if (whose == 2)
		report(d, DR_OK, NULL,
		       "xdp %s: instance %s's program is attached (%s mode, id %u); run takes "
		       "it over in place, so the mode stays; not probed",
		       d->rs->ingress, d->inst.name, mode, id);
	else if (whose == 1)
		report(d, DR_OK, NULL,
		       "xdp %s: a vxfwd program of an earlier run is attached (%s mode, id %u); "
		       "run takes it over in place unless another instance runs on it; not "
		       "probed",
		       d->rs->ingress, mode, id);
	else
		report(d, DR_WARN, "ip link show; bpftool net",
		       "xdp %s: a program of another tool is attached (%s mode, id %u): run "
		       "will fail to attach; not probed",
		       d->rs->ingress, mode, id);
}

static void check_xdp(struct doctor *d)
{
	const char *in = d->rs->ingress;
	char why[300];
	int prog, ret;

	if (!d->in_ifindex)
		return;
	prog = probe_prog_load();
	if (prog < 0) {
		report(d, DR_FAIL, "needs CAP_BPF and a 5.18 kernel",
		       "xdp %s: cannot load a multi-buffer XDP program: %s", in, strerror(-prog));
		d->xdp = XDP_NONE;
		return;
	}
	ret = probe_attach(d->in_ifindex, prog, XDP_FLAGS_DRV_MODE);
	if (ret == -EBUSY || ret == -EEXIST) {
		probe_busy(d);
		goto out;
	}
	if (ret == 0) {
		d->xdp = XDP_NATIVE_OK;
		report(d, DR_OK, NULL,
		       "xdp %s: native XDP attaches (driver %s; tried and detached)", in,
		       d->in_driver);
		goto out;
	}
	snprintf(why, sizeof(why), "%s", xdp_kernel_msg[0] ? xdp_kernel_msg : strerror(-ret));
	d->xdp = XDP_NATIVE_REFUSED;
	report(d, DR_WARN, NULL, "xdp %s: native XDP refused by driver %s: %s", in, d->in_driver,
	       why);
	if (!strcmp(d->in_driver, "ena"))
		explain_ena(d);
	ret = probe_attach(d->in_ifindex, prog, XDP_FLAGS_SKB_MODE);
	if (ret) {
		d->xdp = XDP_NONE;
		report(d, DR_FAIL, NULL, "xdp %s: generic XDP refused as well: %s", in,
		       xdp_kernel_msg[0] ? xdp_kernel_msg : strerror(-ret));
	}
out:
	close(prog);
}

static void check_mode(struct doctor *d)
{
	static const char *const names[] = {"auto", "native", "generic"};
	const char *in = d->rs->ingress;
	const char *set = names[d->rs->xdp_mode];

	switch (d->xdp) {
	case XDP_UNTRIED:
	case XDP_BUSY:
		return;
	case XDP_NONE:
		report(d, DR_FAIL, NULL, "mode: run cannot attach to %s in any mode", in);
		return;
	case XDP_NATIVE_OK:
		if (d->rs->xdp_mode == VXFWD_XDP_GENERIC)
			report(d, DR_OK, "xdp-mode auto in the ingress block uses native",
			       "mode: run will attach in generic mode (xdp-mode generic), "
			       "though native would work");
		else
			report(d, DR_OK, NULL,
			       "mode: run will attach to %s in native mode (xdp-mode %s)", in, set);
		return;
	case XDP_NATIVE_REFUSED:
		if (d->rs->xdp_mode == VXFWD_XDP_NATIVE)
			report(d, DR_FAIL, "fix the cause above, or xdp-mode auto or -x generic",
			       "mode: run will fail: xdp-mode native, and the driver refuses it");
		else if (d->rs->xdp_mode == VXFWD_XDP_GENERIC)
			report(d, DR_OK, NULL,
			       "mode: run will attach to %s in generic mode (xdp-mode generic)",
			       in);
		else
			report(d, DR_WARN, "fix the cause above for native mode",
			       "mode: run will attach to %s in generic mode (xdp-mode %s): it "
			       "forwards correctly, at a higher cost per frame",
			       in, set);
		return;
	}
}

/* ---- addresses, subnets, rp_filter, MTU -------------------------------- */

struct if_addr {
	__be32 addr;
	int plen;
};

static int if_addrs(const char *name, struct if_addr *out, int max)
{
	struct ifaddrs *ifa, *p;
	int n = 0;

	if (getifaddrs(&ifa) < 0)
		return -errno;
	for (p = ifa; p && n < max; p = p->ifa_next) {
		struct sockaddr_in *a = (struct sockaddr_in *)p->ifa_addr;
		struct sockaddr_in *m = (struct sockaddr_in *)p->ifa_netmask;

		if (!a || !m || a->sin_family != AF_INET || strcmp(p->ifa_name, name))
			continue;
		out[n].addr = a->sin_addr.s_addr;
		out[n].plen = __builtin_popcount(m->sin_addr.s_addr);
		n++;
	}
	freeifaddrs(ifa);
	return n;
}

static __be32 plen_mask(int plen)
{
	return plen ? htonl(~0U << (32 - plen)) : 0;
}

static void check_subnet(struct doctor *d)
{
	struct if_addr a[8], b[8];
	char s1[16], s2[16], s3[16];
	int na, nb, i, j;

	if (!d->in_ifindex || !d->nbr_ifindex)
		return;
	na = if_addrs(d->rs->ingress, a, 8);
	nb = if_addrs(d->nbr_dev, b, 8);
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb; j++) {
			int plen = a[i].plen < b[j].plen ? a[i].plen : b[j].plen;
			__be32 m = plen_mask(plen);

			if ((a[i].addr & m) != (b[j].addr & m))
				continue;
			d->shared_subnet = 1;
			report(d, DR_INFO, NULL,
			       "subnet: %s %s/%d and %s %s/%d share %s/%d: a route lookup for a "
			       "DNAT target may answer %s, but vxfwd never routes: next hops come "
			       "from %s's neighbour table and frames leave on a packet socket "
			       "bound to %s, so nothing forwarded leaves %s",
			       d->rs->ingress, fmt_addr(a[i].addr, s1, sizeof(s1)), a[i].plen,
			       d->nbr_dev, fmt_addr(b[j].addr, s2, sizeof(s2)), b[j].plen,
			       fmt_addr(a[i].addr & m, s3, sizeof(s3)), plen, d->rs->ingress,
			       d->nbr_dev, d->rs->egress, d->rs->ingress);
			return;
		}
	}
	report(d, DR_OK, NULL, "subnet: %s and %s share no IPv4 subnet", d->rs->ingress,
	       d->nbr_dev);
}

static void check_rp_filter(struct doctor *d)
{
	static const char *const names[] = {"off", "strict", "loose"};
	char path[128], hint[160];
	int all = 0, dev = 0, eff;

	if (!d->in_ifindex)
		return;
	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/rp_filter", d->rs->ingress);
	if (read_sysctl_int("/proc/sys/net/ipv4/conf/all/rp_filter", &all) ||
	    read_sysctl_int(path, &dev)) {
		report(d, DR_WARN, NULL, "rp_filter: cannot read %s: %s", path, strerror(errno));
		return;
	}
	eff = all > dev ? all : dev;
	if (eff < 0 || eff > 2)
		eff = 1;
	snprintf(hint, sizeof(hint),
		 "sysctl -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.%s.rp_filter=2",
		 d->rs->ingress);
	if (eff == 1 && d->shared_subnet)
		report(d, DR_WARN, hint,
		       "rp_filter: %s is strict and shares a subnet with %s: ordinary traffic "
		       "to %s whose reverse route is %s is dropped by the stack; mirror "
		       "traffic is not affected (XDP takes it first)",
		       d->rs->ingress, d->nbr_dev, d->rs->ingress, d->nbr_dev);
	else
		report(d, DR_OK, NULL,
		       "rp_filter: %s is %s; mirror traffic never reaches the stack, XDP takes "
		       "it first",
		       d->rs->ingress, names[eff]);
}

static void check_mtu(struct doctor *d)
{
	int inner, hint_mtu;
	char hint[96];

	if (!d->in_ifindex || !d->in_mtu)
		return;
	inner = d->in_mtu - VXLAN_OVERHEAD; /* largest whole inner IP packet */
	if (inner < 1500)
		report(d, DR_WARN, "AWS mirror targets take MTU 9001",
		       "mtu: %s MTU %d carries inner packets up to %d bytes whole; larger "
		       "mirrored packets, even 1500-byte ones, arrive truncated and are "
		       "dropped (counter inner_truncated)",
		       d->rs->ingress, d->in_mtu, inner);
	else
		report(d, DR_OK, NULL,
		       "mtu: %s MTU %d carries inner packets up to %d bytes whole (%d of "
		       "VXLAN overhead); larger mirrored packets arrive truncated and are "
		       "counted as inner_truncated",
		       d->rs->ingress, d->in_mtu, inner, VXLAN_OVERHEAD);
	if (inner + 14 > VXFWD_MAX_FRAME)
		report(d, DR_WARN, NULL,
		       "mtu: inner frames above %d bytes are dropped (counter too_big)",
		       VXFWD_MAX_FRAME);
	if (!d->out_ifindex || !d->out_mtu)
		return;
	hint_mtu = inner < VXFWD_MAX_FRAME - 14 ? inner : VXFWD_MAX_FRAME - 14;
	snprintf(hint, sizeof(hint), "ip link set dev %s mtu %d", d->rs->egress, hint_mtu);
	if (d->out_mtu < hint_mtu)
		report(d, DR_WARN, hint,
		       "mtu: %s MTU %d is below the %d bytes an inner packet can have: larger "
		       "ones fail to send (EMSGSIZE, counted in send errors)",
		       d->rs->egress, d->out_mtu, hint_mtu);
	else
		report(d, DR_OK, NULL, "mtu: %s MTU %d sends every inner packet that arrives whole",
		       d->rs->egress, d->out_mtu);
}

/* ---- next hops ---------------------------------------------------------- */

struct nbr {
	int found;
	__u16 state;
	__u8 mac[6];
	int has_mac;
};

static void nbr_parse(struct nlmsghdr *nh, int ifindex, __be32 addr, struct nbr *out)
{
	struct ndmsg *ndm = NLMSG_DATA(nh);
	int len = (int)(nh->nlmsg_len - NLMSG_LENGTH(sizeof(*ndm)));
	struct rtattr *rta;
	int match = 0;
	__u8 mac[6];
	int has_mac = 0;

	if (ndm->ndm_family != AF_INET || ndm->ndm_ifindex != ifindex)
		return;
	for (rta = (struct rtattr *)((char *)ndm + NLMSG_ALIGN(sizeof(*ndm))); RTA_OK(rta, len);
	     rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == NDA_DST && RTA_PAYLOAD(rta) == 4)
			match = !memcmp(RTA_DATA(rta), &addr, 4);
		else if (rta->rta_type == NDA_LLADDR && RTA_PAYLOAD(rta) == 6) {
			memcpy(mac, RTA_DATA(rta), 6);
			has_mac = 1;
		}
	}
	if (!match)
		return;
	out->found = 1;
	out->state = ndm->ndm_state;
	out->has_mac = has_mac;
	if (has_mac)
		memcpy(out->mac, mac, 6);
}

/* Dump the IPv4 neighbour table and find `addr` on `ifindex`. */
static int nbr_lookup(int ifindex, __be32 addr, struct nbr *out)
{
	struct {
		struct nlmsghdr nh;
		struct ndmsg ndm;
	} req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg)),
		.nh.nlmsg_type = RTM_GETNEIGH,
		.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		.ndm.ndm_family = AF_INET,
	};
	char buf[32768];
	int fd, ret = 0, done = 0;

	memset(out, 0, sizeof(*out));
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0) {
		ret = -errno;
		goto out;
	}
	while (!done) {
		struct nlmsghdr *nh;
		ssize_t len = recv(fd, buf, sizeof(buf), 0);

		if (len < 0) {
			ret = -errno;
			goto out;
		}
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)len);
		     nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			if (nh->nlmsg_type == NLMSG_ERROR) {
				ret = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
				goto out;
			}
			if (nh->nlmsg_type == RTM_NEWNEIGH)
				nbr_parse(nh, ifindex, addr, out);
		}
	}
out:
	close(fd);
	return ret;
}

static const char *nud_name(__u16 state)
{
	static const struct {
		__u16 state;
		const char *name;
	} names[] = {
		{NUD_INCOMPLETE, "incomplete"}, {NUD_REACHABLE, "reachable"},
		{NUD_STALE, "stale"},		{NUD_DELAY, "delay"},
		{NUD_PROBE, "probe"},		{NUD_FAILED, "failed"},
		{NUD_NOARP, "noarp"},		{NUD_PERMANENT, "permanent"},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (state & names[i].state)
			return names[i].name;
	return "none";
}

static int on_link(const char *dev, __be32 addr)
{
	struct if_addr a[8] = {{0}};
	int n, i;

	n = if_addrs(dev, a, 8);
	for (i = 0; i < n; i++)
		if ((a[i].addr & plen_mask(a[i].plen)) == (addr & plen_mask(a[i].plen)))
			return 1;
	return 0;
}

/* The NEXTHOP operation of `addr` when it pins a MAC, or NULL. */
static const struct vxfwd_op *static_nexthop(const struct vxfwd_ruleset *rs, __be32 addr)
{
	size_t i;

	for (i = 0; i < rs->n_ops; i++)
		if (rs->ops[i].map == VXFWD_MAP_NEXTHOP && rs->ops[i].key.addr == addr &&
		    (rs->ops[i].val.nh.flags & VXFWD_NH_F_STATIC))
			return &rs->ops[i];
	return NULL;
}

static void check_target(struct doctor *d, __be32 addr)
{
	const struct vxfwd_op *pin = static_nexthop(d->rs, addr);
	char a[16], mac[18], hint[96];
	struct nbr nb;
	int ret;

	fmt_addr(addr, a, sizeof(a));
	if (pin) {
		report(d, DR_OK, NULL, "nexthop %s: MAC %s pinned in the rules file, not resolved",
		       a, fmt_mac(pin->val.nh.mac, mac, sizeof(mac)));
		return;
	}
	if (!on_link(d->nbr_dev, addr))
		report(d, DR_WARN, "put the target on the egress link, or pin next-hop mac",
		       "nexthop %s: not in a subnet of %s: vxfwd does not route, it resolves "
		       "the target itself on the egress link",
		       a, d->nbr_dev);
	ret = nbr_lookup(d->nbr_ifindex, addr, &nb);
	snprintf(hint, sizeof(hint), "ping -c 1 -I %s %s", d->nbr_dev, a);
	if (ret)
		report(d, DR_WARN, NULL, "nexthop %s: cannot read %s's neighbour table: %s", a,
		       d->nbr_dev, strerror(-ret));
	else if (!nb.found)
		report(d, DR_WARN, hint,
		       "nexthop %s: no entry in %s's neighbour table yet: run asks for it at "
		       "start and drops frames for it (no_nexthop) until it answers",
		       a, d->nbr_dev);
	else if ((nb.state & NUD_USABLE) && nb.has_mac)
		report(d, DR_OK, NULL, "nexthop %s: %s on %s (%s)", a,
		       fmt_mac(nb.mac, mac, sizeof(mac)), d->nbr_dev, nud_name(nb.state));
	else
		report(d, DR_WARN, hint,
		       "nexthop %s: not resolved on %s (%s): frames for it are dropped "
		       "(no_nexthop) until it answers ARP",
		       a, d->nbr_dev, nud_name(nb.state));
}

static void check_nexthops(struct doctor *d)
{
	__be32 t[VXFWD_MAX_NEXTHOPS];
	char mac[18];
	size_t i, n;

	if (!d->out_ifindex)
		return;
	if (d->rs->nh_mac_pinned) {
		report(d, DR_OK, NULL, "nexthop: every target uses the pinned MAC %s",
		       fmt_mac(d->rs->nh_mac, mac, sizeof(mac)));
		return;
	}
	n = dnat_targets(d->rs, t, VXFWD_MAX_NEXTHOPS);
	for (i = 0; i < n; i++)
		check_target(d, t[i]);
}

/* ---- AWS ----------------------------------------------------------------- */

static void check_aws(struct doctor *d)
{
	char vendor[64] = "", mac[18], hint[512];

	if (read_file_line("/sys/class/dmi/id/sys_vendor", vendor, sizeof(vendor)) == 0 &&
	    strstr(vendor, "Amazon"))
		d->on_ec2 = 1;
	if (d->out_ifindex)
		fmt_mac(d->out_mac, mac, sizeof(mac));
	else
		snprintf(mac, sizeof(mac), "MAC");
	snprintf(hint, sizeof(hint),
		 "aws ec2 modify-network-interface-attribute --no-source-dest-check "
		 "--network-interface-id $(aws ec2 describe-network-interfaces --filters "
		 "Name=mac-address,Values=%s --query 'NetworkInterfaces[0].NetworkInterfaceId' "
		 "--output text)",
		 mac);
	if (d->on_ec2)
		report(d, d->preflight ? DR_INFO : DR_WARN, hint,
		       "aws: EC2 drops frames whose source is not the sending ENI's address "
		       "unless source/destination checking is disabled on %s's ENI; doctor "
		       "cannot see that attribute from inside",
		       d->rs ? d->rs->egress : "egress");
	else
		report(d, DR_OK, hint,
		       "aws: not an EC2 instance (vendor '%s'); on EC2 the egress ENI needs "
		       "source/destination checking disabled",
		       vendor[0] ? vendor : "unknown");
}

/* ---- the command ---------------------------------------------------------- */

/*
 * In order.  `pre`: doctor_preflight() runs it too; the others load a
 * program, attach one, register buffers or repeat what run does at once.
 */
static const struct {
	void (*fn)(struct doctor *d);
	int needs_rules;
	int pre;
} checks[] = {
	{check_kernel, 0, 1},	{check_privileges, 0, 1}, {check_btf, 0, 0},
	{check_bpf, 0, 1},	{check_program, 0, 0},	  {check_bpffs, 0, 1},
	{check_memlock, 0, 1},	{check_io_uring, 0, 0},	  {check_packet, 0, 0},
	{check_rules, 0, 0},	{check_instance, 0, 0},	  {check_ingress, 1, 1},
	{check_egress, 1, 1},	{check_xdp, 1, 0},	  {check_mode, 1, 0},
	{check_mtu, 1, 1},	{check_subnet, 1, 1},	  {check_rp_filter, 1, 1},
	{check_nexthops, 1, 1}, {check_aws, 0, 1},
};

static void run_checks(struct doctor *d)
{
	size_t i;

	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		if (d->preflight && !checks[i].pre)
			continue;
		if (checks[i].needs_rules && !d->rs)
			continue;
		checks[i].fn(d);
	}
}

int doctor_preflight(const char *rules_file, const struct vxfwd_ruleset *rs)
{
	struct doctor d;

	if (!rs)
		return 0;
	memset(&d, 0, sizeof(d));
	d.file = rules_file ? rules_file : VXFWD_DEFAULT_RULES;
	d.rs = rs;
	d.preflight = 1;
	run_checks(&d);
	if (d.warns)
		log_info("doctor: %s: %d warning%s above; vxfwd doctor -f %s explains every check",
			 d.file, d.warns, d.warns == 1 ? "" : "s", d.file);
	return d.warns;
}

static const struct opt doctor_opts[] = {
	{'f', "file", "file", "Rules file to check the host for (default " VXFWD_DEFAULT_RULES ")",
	 0},
	{'j', "json", NULL, "Print the checks and the result as one JSON object", 0},
	{0, NULL, NULL, NULL, 0},
};

const struct opt_cmd doctor_cmd = {
	.name = "doctor",
	.summary = "Probe the host for what a rules file needs and say what run will do and "
		   "what to change.",
	.opts = doctor_opts,
};

static int doctor_usage(FILE *f)
{
	opt_usage(&doctor_cmd, f);
	return VXFWD_EXIT_USAGE;
}

/* The overall result: the worst status of any check. */
static const char *doctor_result(const struct doctor *d)
{
	if (d->fails || d->config_failed)
		return "fail";
	return d->n_warns ? "warn" : "ok";
}

/* -j: every check and the result, one object on stdout. */
static int doctor_json_print(const struct doctor *d)
{
	struct json_object *top = json_object_new_object();
	const char *text;
	int ret = 0;

	if (!top)
		return -ENOMEM;
	json_object_object_add(top, "file", json_object_new_string(d->file));
	json_object_object_add(top, "instance", json_object_new_string(d->inst.name));
	json_object_object_add(top, "checks", json_object_get(d->json));
	json_object_object_add(top, "diagnostics", json_object_get(d->diags));
	json_object_object_add(top, "warnings", json_object_new_int((int)d->n_warns));
	json_object_object_add(top, "failures", json_object_new_int((int)d->fails));
	json_object_object_add(top, "result", json_object_new_string(doctor_result(d)));
	text = json_object_to_json_string_ext(top, JSON_C_TO_STRING_PRETTY |
						   JSON_C_TO_STRING_SPACED |
						   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text || printf("%s\n", text) < 0 || fflush(stdout) == EOF)
		ret = -EIO;
	json_object_put(top);
	return ret;
}

int cmd_doctor(int argc, char **argv)
{
	struct doctor d;
	int c, ret, json = 0, status;

	memset(&d, 0, sizeof(d));
	d.file = VXFWD_DEFAULT_RULES;
	optind = 0;
	while ((c = opt_next(&doctor_cmd, argc, argv)) != -1) {
		switch (c) {
		case 'f':
			d.file = optarg;
			break;
		case 'j':
			json = 1;
			break;
		default:
			return doctor_usage(stderr);
		}
	}
	if (optind != argc)
		return doctor_usage(stderr);
	ret = instance_init(&d.inst, d.file, NULL);
	if (ret) {
		log_warnx("doctor: %s: cannot name an instance after it: %s", d.file,
			  strerror(-ret));
		return VXFWD_EXIT_USAGE;
	}
	if (json) {
		d.json = json_object_new_array();
		d.diags = json_object_new_array();
		if (!d.json || !d.diags) {
			json_object_put(d.json);
			json_object_put(d.diags);
			log_warnx("doctor: out of memory");
			return VXFWD_EXIT_RUNTIME;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	run_checks(&d);
	vxfwd_ruleset_free(d.own);
	status = d.fails ? VXFWD_EXIT_RUNTIME : VXFWD_EXIT_OK;
	if (d.config_failed)
		status = VXFWD_EXIT_CONFIG;
	if (json && doctor_json_print(&d)) {
		log_warn("doctor: standard output");
		status = VXFWD_EXIT_RUNTIME;
	}
	json_object_put(d.json);
	json_object_put(d.diags);
	return status;
}
