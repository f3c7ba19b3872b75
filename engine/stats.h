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

struct stats_snap {
	struct timespec ts;
	int up; /* the instance runs (its pid-file lock is held) */
	int have_guard;
	struct vxfwd_count guard[VXFWD_G_MAX];
	__u32 gen;
	struct vxfwd_count c[VXFWD_C_MAX];
	struct vxfwd_engine_stats eng;
	struct stats_named rules[VXFWD_MAX_RULES];
	unsigned int n_rules;
	struct stats_named orgs[VXFWD_MAX_ORGS];
	unsigned int n_orgs;
};

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
