// SPDX-License-Identifier: GPL-2.0-only
/*
 * doctor_xdp.c - doctor's XDP probes: a trivial program attached natively,
 * then generically, to the ingress interface and detached at once (never
 * replacing a program already there), what the kernel said when it
 * refused, whose program is attached, and the mode run will use.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/if_link.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attached.h"
#include "doctor_checks.h"
#include "host.h"
#include "vxfwd_abi.h"

/* What the kernel said (doctor_checks.h). */
char xdp_kernel_msg[256];

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

int capture_print(enum libbpf_print_level level, const char *fmt, va_list ap)
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
	struct host_ethtool et;
	char hint[160];

	host_ethtool(d->rs->ingress, &et);
	if (d->in_mtu > ENA_XDP_MAX_MTU) {
		snprintf(hint, sizeof(hint), "ip link set dev %s mtu %d", d->rs->ingress,
			 ENA_XDP_MAX_MTU);
		report(d, DR_WARN, hint,
		       "xdp %s: ENA takes native XDP only up to MTU %d, the MTU is %d; "
		       "a lower MTU truncates mirrored packets above %d bytes (see mtu)",
		       d->rs->ingress, ENA_XDP_MAX_MTU, d->in_mtu,
		       ENA_XDP_MAX_MTU - VXLAN_OVERHEAD);
	}
	if (et.max_combined && et.combined > et.max_combined / 2) {
		snprintf(hint, sizeof(hint), "ethtool -L %s combined %u", d->rs->ingress,
			 et.max_combined / 2);
		report(d, DR_WARN, hint,
		       "xdp %s: ENA needs half of its queues free for XDP: %u of %u channels "
		       "in use",
		       d->rs->ingress, et.combined, et.max_combined);
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
	const char *mode;
	int whose;
	__u32 id;

	d->xdp = XDP_BUSY;
	host_xdp_attached(d->in_ifindex, &id, &mode);
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

void check_xdp(struct doctor *d)
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

void check_mode(struct doctor *d)
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
