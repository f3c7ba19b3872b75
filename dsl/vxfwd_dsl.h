/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vxfwd_dsl.h - the rules language: parse -> evaluate -> compile.
 *
 * The DSL library knows nothing of libbpf.  It turns a rules file into a
 * struct vxfwd_ruleset: the interface settings plus a flat list of map
 * operations in ABI types (bpf/vxfwd_abi.h).  engine/maps.c is the only code
 * that writes those operations into BPF maps; `vxfwd check` stops before it.
 *
 * The library does not look at the host either: what the rules name on it
 * (interfaces) is checked through the caller's struct vxfwd_dsl_host.
 * The engine block's settings are conf/'s (vxfwd_conf.h).
 *
 * Generations: operation keys carry gen = 0.  The engine stamps the
 * generation it writes (see engine/maps.c), so the compiled form is the same
 * for `check` and `run`.
 */
#ifndef VXFWD_DSL_H
#define VXFWD_DSL_H

#include <stdio.h>

#include "vxfwd_abi.h"
#include "vxfwd_conf.h"

/* An interface name with its NUL (IF_NAMESIZE; the engine asserts they agree). */
#define VXFWD_DSL_IFNAME_SIZE 16

enum vxfwd_xdp_mode {
	VXFWD_XDP_AUTO = 0,	/* native if the driver takes it, generic otherwise */
	VXFWD_XDP_NATIVE,
	VXFWD_XDP_GENERIC,
};

/* One map operation: write `val` at `key` in map `map`. */
struct vxfwd_op {
	enum vxfwd_map_id map;
	union {
		__u32 idx;			/* CFG (0), RULE (position) */
		struct vxfwd_vni_key vni;	/* VNI */
		struct vxfwd_lpm_key lpm;	/* LPM */
		__be32 addr;			/* NEXTHOP: DNAT target */
		struct vxfwd_lpm6_key lpm6;	/* LPM6 */
		struct vxfwd_in6 addr6;		/* NEXTHOP6: DNAT target */
	} key;
	union {
		struct vxfwd_cfg cfg;
		__u32 one;			/* VNI: always 1 */
		struct vxfwd_lpm_val lpm;	/* LPM and LPM6 */
		struct vxfwd_rule rule;
		struct vxfwd_nh nh;		/* NEXTHOP(6): flags 0 unless pinned */
	} val;
};

/* Names for counters and messages; index = rule position / org slot. */
struct vxfwd_rule_info {
	char name[64];		/* given name, or "rule N" (1-based) */
	char file[256];		/* where the rule was defined */
	unsigned int line;
};

struct vxfwd_org_info {
	char name[128];
	__u32 id;
};

struct vxfwd_set_info {
	char name[64];		/* "@name", or the prefix of an address in a rule */
};

/*
 * One distinct prefix of the sets, as written (before the LPM entries were
 * merged), with the value its own LPM entry would carry; sorted by address,
 * then length.  For reports of what changed (reload), not for the maps.
 */
struct vxfwd_prefix {
	__be32 addr;			/* IPv4 (family 4) */
	__u32 plen;
	struct vxfwd_lpm_val val;
	__u32 family;			/* 4 or 6 */
	__u8 addr6[16];			/* IPv6 (family 6) */
};

/* `health listen ADDR port N`: where `run` answers /healthz and /metrics. */
struct vxfwd_health_listen {
	int on;				/* the statement was given */
	__be32 addr;			/* 0: every address (0.0.0.0) */
	__u16 port;			/* host order */
};

struct vxfwd_ruleset {
	char ingress[VXFWD_DSL_IFNAME_SIZE];
	char egress[VXFWD_DSL_IFNAME_SIZE];
	enum vxfwd_xdp_mode xdp_mode;
	int nh_mac_pinned;		/* egress { next-hop mac ... } given */
	__u8 nh_mac[6];
	struct vxfwd_engine_conf engine;
	struct vxfwd_health_listen health;

	struct vxfwd_op *ops;		/* in apply order */
	size_t n_ops;

	struct vxfwd_rule_info *rules;	/* n_rules entries */
	size_t n_rules;
	struct vxfwd_org_info *orgs;	/* n_orgs entries; LPM org = slot + 1 */
	size_t n_orgs;
	struct vxfwd_set_info *sets;	/* n_sets entries; index = bit in LPM sets */
	size_t n_sets;
	struct vxfwd_prefix *prefixes;	/* n_prefixes entries: the distinct prefixes
					 * in sets before the LPM entries were merged */
	size_t n_prefixes;
};

/*
 * What a load asks of the host the rules are for.  The library never looks
 * at the host itself: a load without one (NULL) does not check interface
 * names against anything.  The engine passes the running host's
 * (engine/host.c), tests pass their own.
 */
struct vxfwd_dsl_host {
	/* 1 when interface `name` exists, 0 when it does not. */
	int (*iface_exists)(const char *name, void *arg);
	void *arg;
	/*
	 * Where `addr` (network order) is for interface `name` (or its bridge
	 * master): VXFWD_DSL_ADDR_OWN when it is one of their addresses,
	 * VXFWD_DSL_ADDR_SUBNET when it lies in one of their subnets, 0 when
	 * neither, -errno when it cannot tell.  NULL: not asked (the health
	 * listener's side is then checked against the DNAT targets only).
	 */
	int (*addr_where)(__be32 addr, const char *name, void *arg);
};

#define VXFWD_DSL_ADDR_SUBNET 1
#define VXFWD_DSL_ADDR_OWN 2

/* Load flags (vxfwd_dsl_load()). */
#define VXFWD_DSL_F_IFACE_STRICT 0x1	/* interfaces the host lacks are errors (run) */
#define VXFWD_DSL_F_QUIET	0x2	/* print errors only, no warnings (check -q) */

/*
 * Parse, evaluate and compile a rules file.  `path` "-" reads standard input;
 * `text` non-NULL parses that string under the name `path` instead of
 * reading the file.  Interface names are checked against `host` (NULL: not
 * checked): one it lacks is a warning, or an error with
 * VXFWD_DSL_F_IFACE_STRICT (`run` passes it, `check` does not).
 * Diagnostics (errors and warnings, GCC style, with source line and carets)
 * go to `diag`.  Returns 0 and sets *out, or a negative errno: -EINVAL when
 * the file has errors (already reported), another -errno when it cannot be
 * read.  Nothing is returned on error: no half-built ruleset.
 */
int vxfwd_dsl_load(const char *path, const char *text, unsigned int flags,
		   const struct vxfwd_dsl_host *host, FILE *diag, struct vxfwd_ruleset **out);

/* vxfwd_dsl_load() of a file or of text in memory, no flags, no host. */
int vxfwd_dsl_load_file(const char *path, FILE *diag, struct vxfwd_ruleset **out);
int vxfwd_dsl_load_string(const char *name, const char *text, FILE *diag,
			  struct vxfwd_ruleset **out);

/*
 * Diagnostics as records, for callers that print them in another form
 * (`vxfwd check -j`).  A record's strings live until the callback returns.
 * file is NULL for a diagnostic without a place; line and column are
 * 1-based, 0 when not known (the end of a file has a line, column 1).
 */
struct vxfwd_diag_rec {
	const char *severity;		/* "error", "warning" or "note" */
	const char *file;
	unsigned int line;
	unsigned int column;
	unsigned int end_line;		/* last character of the span */
	unsigned int end_column;
	const char *message;
	const char *included_from;	/* the file whose `include` read `file`, or NULL */
	unsigned int included_line;	/* the line of that include */
	const struct vxfwd_diag_rec *notes;	/* notes of an error or warning */
	size_t n_notes;
};

struct vxfwd_diag_sink {
	void (*fn)(void *arg, const struct vxfwd_diag_rec *rec);
	void *arg;
};

/*
 * vxfwd_dsl_load() that hands each error and warning, with its notes, to
 * `sink` in file order instead of printing them.
 */
int vxfwd_dsl_load_records(const char *path, const char *text, unsigned int flags,
			   const struct vxfwd_dsl_host *host, const struct vxfwd_diag_sink *sink,
			   struct vxfwd_ruleset **out);

void vxfwd_ruleset_free(struct vxfwd_ruleset *rs);

/*
 * Read all of `fd` (a file or a pipe) into a NUL-terminated buffer, as the
 * rules loader reads a file: 0 and *out (free() it) with *out_len bytes,
 * -EFBIG beyond about `max` bytes, or another -errno.
 */
int vxfwd_read_fd(int fd, size_t max, char **out, size_t *out_len);

/*
 * Print the compiled result, every map entry `run` would write, in the
 * stable text form documented in vxfwd.rules(5) (`vxfwd check -v`).
 */
void vxfwd_ruleset_dump(const struct vxfwd_ruleset *rs, FILE *out);

/* The DNAT targets of a compiled rule: 1 (nat_* alone) to VXFWD_MAX_TARGETS. */
unsigned int vxfwd_rule_n_targets(const struct vxfwd_rule *r);

/*
 * Target `t` of rule `r` as one struct (target 0 from nat_*): `port_be`
 * with VXFWD_TARGET_F_PORT set, `addr6` for an IPv6 rule.  -ERANGE past
 * the rule's targets.
 */
int vxfwd_rule_target(const struct vxfwd_rule *r, unsigned int t, struct vxfwd_target *out);

/*
 * Target `t` as the rules write it, "ADDR", "ADDR:PORT" or "[ADDR6]:PORT"
 * (the form of `check -v`, the state file and `stats`); "?" past the end.
 */
void vxfwd_target_fmt(char *buf, size_t size, const struct vxfwd_rule *r, unsigned int t);

#endif /* VXFWD_DSL_H */
