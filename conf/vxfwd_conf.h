/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vxfwd_conf.h - the engine's settings, owned by neither the rules language
 * nor the daemon: the backend and scheduling words, the range of each
 * setting, struct vxfwd_engine_conf, and one parser each for the text forms
 * both spell the same way (sizes with a unit, CPU lists, policy[:prio]).
 *
 * The rules file's `engine { ... }` block (dsl/engine_block.c) and the
 * options of `run` (engine/cmd_run.c) fill the same struct through these
 * functions and turn their -errno into their own messages.  Nothing here
 * prints, allocates or looks at the host.
 */
#ifndef VXFWD_CONF_H
#define VXFWD_CONF_H

#include <sched.h>
#include <stddef.h>

#include "vxfwd_abi.h"

/* How the engine sends (rules `engine { backend ... }`, run --backend). */
enum vxfwd_backend {
	VXFWD_BACKEND_UNSET = 0,
	VXFWD_BACKEND_WRITE_FIXED,	/* io_uring WRITE_FIXED from registered slots */
	VXFWD_BACKEND_SEND,		/* io_uring SEND straight from the ring */
	VXFWD_BACKEND_SENDMMSG,		/* sendmmsg(2) straight from the ring */
	VXFWD_BACKEND_TX_RING,		/* PACKET_TX_RING (TPACKET_V2) */
	VXFWD_BACKEND_URING_RING,	/* PACKET_TX_RING kicked by io_uring SEND */
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
/* CPU numbers are below this: what a cpu_set_t, and so sched_setaffinity(2), holds. */
#define VXFWD_ENGINE_CPU_LIMIT	  CPU_SETSIZE

/*
 * The engine settings: every field 0 (or _UNSET) when not given, and the
 * engine then uses its built-in default.  The command line of `run`
 * overrides each field of the rules file's.  None of these can change at
 * reload (the rings and workers exist for the life of the process): reload
 * only reports them.
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
 * A word and its value.  The tables end with a NULL name, in the order
 * messages list them.
 */
struct vxfwd_conf_word {
	const char *name;
	int value;
};

extern const struct vxfwd_conf_word vxfwd_backend_words[];
extern const struct vxfwd_conf_word vxfwd_sched_words[];

/*
 * The words for every user of them (the rules language, run's options, the
 * engine's log lines).  _name() returns NULL for _UNSET or an out-of-range
 * value; _parse() returns _UNSET for an unknown word.
 */
const char *vxfwd_backend_name(enum vxfwd_backend b);
enum vxfwd_backend vxfwd_backend_parse(const char *word);
const char *vxfwd_sched_name(enum vxfwd_sched s);
enum vxfwd_sched vxfwd_sched_parse(const char *word);

/* 1 when policy `s` takes a priority (fifo, rr), 0 when it takes none. */
int vxfwd_sched_has_prio(enum vxfwd_sched s);

/* ---- sizes: N, NK, NM, NG (binary units) --------------------------------- */

/* The shift of unit "K", "M" or "G" (10, 20, 30), or -EINVAL. */
int vxfwd_conf_size_shift(const char *unit);

/*
 * "N[K|M|G]" in [min, max]: 0 and *out, -EINVAL when it is not a decimal
 * number with an optional unit (or does not fit 64 bits), -ERANGE outside
 * [min, max].
 */
int vxfwd_conf_parse_size(const char *s, unsigned long long min, unsigned long long max,
			  unsigned long long *out);

/*
 * A ring size in bytes: 0, -ERANGE outside VXFWD_ENGINE_RING_MIN..MAX,
 * -EDOM when it is not a power of two.
 */
int vxfwd_conf_ring_check(unsigned long long bytes);

/* `bytes` in the largest unit that divides it: 4M, 64K, 1000. */
void vxfwd_conf_fmt_size(char *buf, size_t len, unsigned long long bytes);

/* ---- CPU lists: "0,2-3" ------------------------------------------------- */

/*
 * CPUs lo..hi as one entry of a list: 0, -ERANGE when one of them is not
 * below VXFWD_ENGINE_CPU_LIMIT, -EDOM when hi < lo (an empty range).
 */
int vxfwd_conf_cpu_check(unsigned long long lo, unsigned long long hi);

/* Append `cpu` to conf->cpus: 0, or -E2BIG when VXFWD_MAX_WORKERS are there. */
int vxfwd_conf_add_cpu(struct vxfwd_engine_conf *conf, unsigned int cpu);

/*
 * "0,2-3": conf->cpus and n_cpus in the order written.  0, -E2BIG beyond
 * VXFWD_MAX_WORKERS CPUs, -EINVAL for anything else that is not a list of
 * CPUs and ranges each vxfwd_conf_cpu_check() takes.
 */
int vxfwd_conf_parse_cpus(const char *s, struct vxfwd_engine_conf *conf);

/* ---- policy: "other", "fifo:50", "rr:10" -------------------------------- */

/*
 * A policy word and, after a colon, its priority (1..VXFWD_ENGINE_PRIO_MAX)
 * when the policy takes one: 0 and conf->sched, conf->sched_prio set, or
 * -EINVAL (conf unchanged).
 */
int vxfwd_conf_parse_sched(const char *s, struct vxfwd_engine_conf *conf);

#endif /* VXFWD_CONF_H */
