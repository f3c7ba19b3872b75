// SPDX-License-Identifier: GPL-2.0-only
/*
 * doctor_sys.c - doctor's checks of the kernel and the process: release,
 * capabilities, BTF, BPF program and map types, the BPF file system,
 * memlock, io_uring, AF_PACKET, and whether this is an EC2 instance.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/magic.h>

#include <bpf/libbpf.h>
#include <liburing.h>

#include "config.h"
#include "doctor_checks.h"
#include "host.h"
#include "tx.h"

/* vxfwd's program is multi-buffer aware (SEC("xdp.frags")) since 5.18. */
#define MIN_KERNEL_MAJOR 5
#define MIN_KERNEL_MINOR 18

void check_kernel(struct doctor *d)
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

int proc_cap_eff(__u64 *caps)
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

void check_privileges(struct doctor *d)
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

void check_btf(struct doctor *d)
{
	struct stat st;

	if (stat("/sys/kernel/btf/vmlinux", &st) == 0)
		report(d, DR_OK, NULL, "btf: kernel BTF present (/sys/kernel/btf/vmlinux)");
	else
		report(d, DR_WARN, "a kernel built with CONFIG_DEBUG_INFO_BTF=y",
		       "btf: no kernel BTF: vxfwd does not need it, but tools that trace the "
		       "XDP program (xdpdump) do");
}

void check_bpf(struct doctor *d)
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

void check_bpffs(struct doctor *d)
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

void check_memlock(struct doctor *d)
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

/*
 * io_uring with SEND (uring-ring, the default, and send) and WRITE_FIXED with
 * a registered buffer the size of write-fixed's largest pool.
 */
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
	if (!probe || !io_uring_opcode_supported(probe, IORING_OP_SEND) ||
	    !io_uring_opcode_supported(probe, IORING_OP_WRITE_FIXED)) {
		snprintf(why, len, "IORING_OP_%s not supported",
			 probe && io_uring_opcode_supported(probe, IORING_OP_SEND) ? "WRITE_FIXED"
										 : "SEND");
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

void check_io_uring(struct doctor *d)
{
	char why[256];
	int disabled = 0;
	int ret;

	if (host_read_sysctl_int("/proc/sys/kernel/io_uring_disabled", &disabled) == 0 &&
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
		       "io_uring: SEND and WRITE_FIXED supported, %u KiB of send buffers registered",
		       (unsigned int)((size_t)VXFWD_TX_SLOTS * VXFWD_TX_SLOT_SIZE / 1024));
}

void check_packet(struct doctor *d)
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

/* EC2 and its source/destination check, which doctor cannot see. */
void check_aws(struct doctor *d)
{
	char vendor[64] = "", mac[18], hint[512];

	if (host_read_line("/sys/class/dmi/id/sys_vendor", vendor, sizeof(vendor)) == 0 &&
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
