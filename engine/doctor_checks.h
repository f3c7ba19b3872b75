/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * doctor_checks.h - the checks of `vxfwd doctor` and of the preflight of
 * `vxfwd run` (doctor.h), shared by the files that hold them:
 *
 *   preflight.c    the checks table, report(), doctor_preflight()
 *   cmd_doctor.c   the command, its text and JSON output, and the load of
 *                  vxfwd's own program (handed to the table as
 *                  d->program_check: only the command runs it)
 *   doctor_rules.c the rules file and the instance
 *   doctor_sys.c   kernel, privileges, BPF, bpffs, memlock, io_uring,
 *                  AF_PACKET, AWS
 *   doctor_net.c   the interfaces, MTU, subnets, rp_filter, next hops, the
 *                  CPUs that process the ingress's receive
 *   doctor_xdp.c   the XDP attach probes and the mode run will use
 *
 * Host facts come from host.h.
 */
#ifndef VXFWD_DOCTOR_CHECKS_H
#define VXFWD_DOCTOR_CHECKS_H

#include <net/if.h>
#include <stdarg.h>
#include <stddef.h>
#include <linux/types.h>

#include <bpf/libbpf.h>

#include "instance.h"
#include "vxfwd_dsl.h"

struct json_object;

/* Outer IPv4 + UDP + VXLAN + inner Ethernet around an inner IP packet. */
#define VXLAN_OVERHEAD (20 + 8 + 8 + 14)
/*
 * What a Gateway Load Balancer adds around that when the rules have a
 * geneve port: outer IPv4 + UDP + GENEVE header + the GWLB's options (its
 * three TLVs of class 0x0108: endpoint id, attachment id, flow cookie).
 */
#define GENEVE_GWLB_OPTS 32
#define GENEVE_OVERHEAD (20 + 8 + 8 + GENEVE_GWLB_OPTS)
/* Largest MTU at which the ENA driver accepts a native XDP program. */
#define ENA_XDP_MAX_MTU 3498

/* DR_INFO reads "ok" in doctor's report; the preflight logs it as information. */
enum dr_level { DR_OK, DR_WARN, DR_FAIL, DR_INFO };

enum xdp_probe {
	XDP_UNTRIED = 0,
	XDP_NATIVE_OK,	    /* attached natively and detached */
	XDP_NATIVE_REFUSED, /* generic attaches instead */
	XDP_BUSY,	    /* another program is attached */
	XDP_NONE,	    /* neither native nor generic attaches */
};

struct doctor;

/* Where report() sends a check: doctor's text or JSON, or the preflight's log. */
typedef void (*doctor_print_fn)(struct doctor *d, enum dr_level lvl, const char *hint,
				const char *msg);

struct doctor {
	const char *file;
	struct vxfwd_instance inst;
	const struct vxfwd_ruleset *rs; /* NULL when the rules did not load */
	struct vxfwd_ruleset *own;	/* what check_rules loaded */
	int preflight;			/* log problems only (doctor_preflight) */
	doctor_print_fn print;		/* doctor's output; unused by the preflight */
	void (*program_check)(struct doctor *d); /* cmd_doctor.c's check_program */
	int warns;	 /* problems the preflight logged */
	int in_ifindex;	 /* 0 when missing */
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

/* One check's finding, "subject: finding", with an optional hint. */
void report(struct doctor *d, enum dr_level lvl, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Every check in order (only the preflight's with d->preflight). */
void doctor_run_checks(struct doctor *d);

const char *fmt_mac(const __u8 *m, char *buf, size_t len);
const char *fmt_addr(__be32 a, char *buf, size_t len);

/* The effective capabilities of this process (CapEff). */
int proc_cap_eff(__u64 *caps);

/* The distinct IPv4 DNAT targets of the rules, in rule order. */
size_t dnat_targets(const struct vxfwd_ruleset *rs, __be32 *out, size_t max);

/* The distinct IPv6 DNAT targets (16 bytes each), in rule order. */
size_t dnat_targets6(const struct vxfwd_ruleset *rs, struct vxfwd_in6 *out, size_t max);

/*
 * What the kernel said, caught from libbpf's output by capture_print() (its
 * print callback has no context pointer): the netlink extack of a refused
 * attach, or the line of the verifier log that names the reason a program
 * was refused.
 */
extern char xdp_kernel_msg[256];
int capture_print(enum libbpf_print_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* doctor_rules.c */
void check_rules(struct doctor *d);
void check_instance(struct doctor *d);

/* doctor_sys.c */
void check_kernel(struct doctor *d);
void check_privileges(struct doctor *d);
void check_btf(struct doctor *d);
void check_bpf(struct doctor *d);
void check_bpffs(struct doctor *d);
void check_memlock(struct doctor *d);
void check_io_uring(struct doctor *d);
void check_packet(struct doctor *d);
void check_aws(struct doctor *d);

/* doctor_net.c */
void check_ingress(struct doctor *d);
void check_egress(struct doctor *d);
void check_mtu(struct doctor *d);
void check_subnet(struct doctor *d);
void check_rp_filter(struct doctor *d);
void check_nexthops(struct doctor *d);
void check_rx_cpus(struct doctor *d);

/* doctor_xdp.c */
void check_xdp(struct doctor *d);
void check_mode(struct doctor *d);

#endif /* VXFWD_DOCTOR_CHECKS_H */
