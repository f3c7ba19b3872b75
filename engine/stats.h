/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * stats.h - one look at an instance's counters (struct stats_snap) and the
 * Prometheus text of it, shared by `vxfwd stats` (cmd_stats.c: table, JSON,
 * -p) and the daemon's health listener (hsrv.c: GET /metrics), so that the
 * metric names exist once.
 */
#ifndef VXFWD_STATS_H
#define VXFWD_STATS_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "instance.h"
#include "maps.h"
#include "vxfwd_abi.h"

/* The fields of struct vxfwd_engine_stats that are printed, in order. */
struct stats_field {
	const char *name;
	size_t off;
};

extern const struct stats_field stats_engine_fields[];
extern const size_t stats_n_engine;

struct stats_named {
	char name[160];
	__u32 id;
	struct vxfwd_count c;
};

/*
 * One DNAT target of a rule of the active generation ("target POS T LABEL"
 * of the state file) and its copies.  `queued` of a single-target rule's
 * target is its rule's frames (the program counts only its refused copies).
 */
struct stats_target {
	unsigned int rule;
	unsigned int t;
	char name[64]; /* ADDR, ADDR:PORT or [ADDR6]:PORT */
	struct vxfwd_target_count c;
};

/* The results of a copy, in the order of struct vxfwd_target_count. */
#define STATS_TARGET_RESULTS 3
extern const char *const stats_target_results[STATS_TARGET_RESULTS];

struct stats_snap {
	struct timespec ts;
	int up; /* the instance runs (its pid-file lock is held) */
	int have_guard;
	struct vxfwd_count guard[VXFWD_G_MAX];
	__u32 gen;
	struct vxfwd_count c[VXFWD_C_MAX];
	struct vxfwd_count layer[VXFWD_L_MAX]; /* beside c[], not in its sum */
	struct vxfwd_engine_stats eng;
	struct stats_named rules[VXFWD_MAX_RULES];
	unsigned int n_rules;
	struct stats_named orgs[VXFWD_MAX_ORGS];
	unsigned int n_orgs;
	struct stats_target targets[VXFWD_MAX_RULES * VXFWD_MAX_TARGETS];
	unsigned int n_targets;
	struct vxfwd_count extra; /* copies beyond each forwarded frame's first, all generations */
};

/* Copies queued into the ring, all generations: FORWARD + extra. */
__u64 stats_copies(const struct stats_snap *s);

/* Result `k` (stats_target_results[k]) of a target's counters. */
const struct vxfwd_count *stats_target_result(const struct stats_target *t, unsigned int k);

/* Where a look reads: the maps, the guard's counters, the state file's names. */
struct stats_src {
	struct vxfwd_maps m;
	int guard; /* leak guard counters, -1 when none */
	const struct vxfwd_instance *inst;
	int up;
};

/* engine statistics field `i` of `s`. */
__u64 stats_eng_field(const struct vxfwd_engine_stats *s, size_t i);

/* Read everything into `s` (read only: maps.c stays the only writer).  0 or -errno. */
int stats_snap_take(const struct stats_src *p, struct stats_snap *s);

/* The Prometheus text exposition of `s` (format 0.0.4) to `out`. */
void stats_prom(FILE *out, const char *name, const struct stats_snap *s);

/* vxfwd_up alone, for an instance whose maps are gone. */
void stats_prom_up(FILE *out, const char *name, int up);

#endif /* VXFWD_STATS_H */
