/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vxfwd_dsl.h - the rules language: parse -> evaluate -> compile.
 *
 * The DSL library knows nothing of libbpf.  It turns a rules file into a
 * struct vxfwd_ruleset: the interface settings plus a flat list of map
 * operations in ABI types (bpf/vxfwd_abi.h).  engine/maps.c is the only code
 * that writes those operations into BPF maps; `vxfwd check` stops before it.
 *
 * Generations: operation keys carry gen = 0.  The engine stamps the
 * generation it writes (see engine/maps.c), so the compiled form is the same
 * for `check` and `run`.
 */
#ifndef VXFWD_DSL_H
#define VXFWD_DSL_H

#include <net/if.h>
#include <stdio.h>

#include "vxfwd_abi.h"

enum vxfwd_xdp_mode {
	VXFWD_XDP_AUTO = 0,	/* native if the driver takes it, generic otherwise */
	VXFWD_XDP_NATIVE,
	VXFWD_XDP_GENERIC,
};

/* How the engine sends (rules `engine { backend ... }`, run --backend). */
enum vxfwd_backend {
	VXFWD_BACKEND_UNSET = 0,
	VXFWD_BACKEND_WRITE_FIXED,	/* io_uring WRITE_FIXED from registered slots */
	VXFWD_BACKEND_SEND,		/* io_uring SEND straight from the ring */
	VXFWD_BACKEND_SENDMMSG,		/* sendmmsg(2) straight from the ring */
	VXFWD_BACKEND_TX_RING,		/* PACKET_TX_RING (TPACKET_V2) */
};

/* Scheduling policy of the engine's workers (`engine { sched ... }`). */
enum vxfwd_sched {
	VXFWD_SCHED_UNSET = 0,
	VXFWD_SCHED_OTHER,
	VXFWD_SCHED_FIFO,
	VXFWD_SCHED_RR,
};

/* Ranges of the engine settings, checked by the rules language and by run. */
#define VXFWD_ENGINE_BATCH_MAX	  1024
#define VXFWD_ENGINE_POLL_MAX_US  10000
#define VXFWD_ENGINE_RING_MIN	  (64ull << 10)
#define VXFWD_ENGINE_RING_MAX	  (1ull << 30)
#define VXFWD_ENGINE_PRIO_MAX	  99

/*
 * The `engine { ... }` block: every field 0 (or _UNSET) when not given, and
 * the engine then uses its built-in default.  The command line of `run`
 * overrides each field.  None of these can change at reload (the rings and
 * workers exist for the life of the process): reload only reports them.
 */
struct vxfwd_engine_conf {
	enum vxfwd_backend backend;
	unsigned int workers;		/* 1..VXFWD_MAX_WORKERS */
	unsigned int n_cpus;		/* CPUs the workers are pinned to, in order */
	unsigned int cpus[VXFWD_MAX_WORKERS];
	enum vxfwd_sched sched;
	unsigned int sched_prio;	/* 1..99 with FIFO and RR */
	int poll_us;			/* -1 unset; 0..10000: busy-poll before sleeping */
	__u64 ring_bytes;		/* per worker; power of two, 64 KiB..1 GiB */
	unsigned int batch;		/* records per submission, 1..1024 */
	int qdisc_bypass;		/* -1 unset, 0 off, 1 on */
};

/* Every field unset: 0, _UNSET, and -1 for poll_us and qdisc_bypass. */
void vxfwd_engine_conf_init(struct vxfwd_engine_conf *conf);

/*
 * The words of the engine block, for every user of them (the dump, run's
 * options, the engine's log lines).  _name() returns NULL for _UNSET or an
 * out-of-range value; _parse() returns _UNSET for an unknown word.
 */
const char *vxfwd_backend_name(enum vxfwd_backend b);
enum vxfwd_backend vxfwd_backend_parse(const char *word);
const char *vxfwd_sched_name(enum vxfwd_sched s);
enum vxfwd_sched vxfwd_sched_parse(const char *word);

/* One map operation: write `val` at `key` in map `map`. */
struct vxfwd_op {
	enum vxfwd_map_id map;
	union {
		__u32 idx;			/* CFG (0), RULE (position) */
		struct vxfwd_vni_key vni;	/* VNI */
		struct vxfwd_lpm_key lpm;	/* LPM */
		__be32 addr;			/* NEXTHOP: DNAT target */
	} key;
	union {
		struct vxfwd_cfg cfg;
		__u32 one;			/* VNI: always 1 */
		struct vxfwd_lpm_val lpm;
		struct vxfwd_rule rule;
		struct vxfwd_nh nh;		/* NEXTHOP: flags 0 unless pinned */
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
	__be32 addr;
	__u32 plen;
	struct vxfwd_lpm_val val;
};

struct vxfwd_ruleset {
	char ingress[IF_NAMESIZE];
	char egress[IF_NAMESIZE];
	enum vxfwd_xdp_mode xdp_mode;
	int nh_mac_pinned;		/* egress { next-hop mac ... } given */
	__u8 nh_mac[6];
	struct vxfwd_engine_conf engine;

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
 * Parse, evaluate and compile a rules file.  `path` "-" reads standard input.
 * Diagnostics (errors and warnings, GCC style, with source line and carets)
 * go to `diag`.  Returns 0 and sets *out, or a negative errno: -EINVAL when
 * the file has errors (already reported), another -errno when it cannot be
 * read.  Nothing is returned on error: no half-built ruleset.
 */
int vxfwd_dsl_load_file(const char *path, FILE *diag, struct vxfwd_ruleset **out);

/* The same for text in memory; `name` is used in diagnostics. */
int vxfwd_dsl_load_string(const char *name, const char *text, FILE *diag,
			  struct vxfwd_ruleset **out);

/* Load flags (vxfwd_dsl_load()). */
#define VXFWD_DSL_F_IFACE_STRICT 0x1	/* unknown interface names are errors (run) */
#define VXFWD_DSL_F_QUIET	0x2	/* print errors only, no warnings (check -q) */

/*
 * vxfwd_dsl_load_file() with flags: `run` passes VXFWD_DSL_F_IFACE_STRICT,
 * `check` 0 (unknown interfaces are then warnings).  `text` non-NULL parses
 * that string under the name `path` instead of reading the file.
 */
int vxfwd_dsl_load(const char *path, const char *text, unsigned int flags, FILE *diag,
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
			   const struct vxfwd_diag_sink *sink, struct vxfwd_ruleset **out);

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

#endif /* VXFWD_DSL_H */
