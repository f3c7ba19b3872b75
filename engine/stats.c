// SPDX-License-Identifier: GPL-2.0-only
/*
 * stats.c - one look at an instance's counters and its Prometheus text
 * (stats.h): the maps' per-CPU counters summed, the engine statistics of
 * every worker, the active generation's per-rule and per-organization
 * counters with the names the state file gives them.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>

#include "guard.h"
#include "log.h"
#include "stats.h"

const struct stats_field stats_engine_fields[] = {
	{"records", offsetof(struct vxfwd_engine_stats, records)},
	{"bad_records", offsetof(struct vxfwd_engine_stats, bad_records)},
	{"sent_packets", offsetof(struct vxfwd_engine_stats, sent_packets)},
	{"sent_bytes", offsetof(struct vxfwd_engine_stats, sent_bytes)},
	{"send_errors", offsetof(struct vxfwd_engine_stats, send_errors)},
	{"batches", offsetof(struct vxfwd_engine_stats, batches)},
	{"wakeups", offsetof(struct vxfwd_engine_stats, wakeups)},
	{"reloads", offsetof(struct vxfwd_engine_stats, reloads)},
	{"reload_failures", offsetof(struct vxfwd_engine_stats, reload_failures)},
	{"full_waits", offsetof(struct vxfwd_engine_stats, full_waits)},
	{"poll_hits", offsetof(struct vxfwd_engine_stats, poll_hits)},
};

const size_t stats_n_engine = sizeof(stats_engine_fields) / sizeof(stats_engine_fields[0]);

__u64 stats_eng_field(const struct vxfwd_engine_stats *s, size_t i)
{
	return *(const __u64 *)((const char *)s + stats_engine_fields[i].off);
}

const char *const stats_target_results[STATS_TARGET_RESULTS] = {"queued", "no_nexthop",
								"ring_full"};

const struct vxfwd_count *stats_target_result(const struct stats_target *t, unsigned int k)
{
	return k == 0 ? &t->c.queued : k == 1 ? &t->c.no_nexthop : &t->c.ring_full;
}

__u64 stats_copies(const struct stats_snap *s)
{
	return s->c[VXFWD_C_FORWARD].packets + s->extra.packets;
}

/* A "target POS T LABEL" line, targets in the order the state file has them. */
static void target_line(const char *line, struct stats_snap *s)
{
	struct stats_target *t;
	unsigned int pos, k;
	int off;

	if (sscanf(line, "target %u %u %n", &pos, &k, &off) != 2 || pos >= VXFWD_MAX_RULES ||
	    k >= VXFWD_MAX_TARGETS || s->n_targets == VXFWD_MAX_RULES * VXFWD_MAX_TARGETS)
		return;
	t = &s->targets[s->n_targets++];
	t->rule = pos;
	t->t = k;
	snprintf(t->name, sizeof(t->name), "%s", line + off);
}

/* Names from the state file: "rule POS NAME", "org SLOT ID NAME", "target POS T LABEL". */
static void state_read(const struct vxfwd_instance *in, struct stats_snap *s)
{
	char line[512];
	unsigned int pos, id;
	int off;
	FILE *f;

	s->n_rules = 0;
	s->n_orgs = 0;
	s->n_targets = 0;
	f = fopen(in->statefile, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "rule %u %n", &pos, &off) == 1 && pos < VXFWD_MAX_RULES &&
		    pos == s->n_rules) {
			snprintf(s->rules[s->n_rules].name, sizeof(s->rules[0].name), "%s",
				 line + off);
			s->rules[s->n_rules++].id = pos;
		} else if (sscanf(line, "org %u %u %n", &pos, &id, &off) == 2 &&
			   pos < VXFWD_MAX_ORGS && pos == s->n_orgs) {
			snprintf(s->orgs[s->n_orgs].name, sizeof(s->orgs[0].name), "%s",
				 line + off);
			s->orgs[s->n_orgs++].id = id;
		} else if (!strncmp(line, "target ", 7)) {
			target_line(line, s);
		}
	}
	fclose(f);
}

/* The workers' entries of vxfwd_engine, summed field by field. */
static int engine_sum(int fd, struct vxfwd_engine_stats *out)
{
	struct bpf_map_info info = {0};
	__u32 info_len = sizeof(info), k, i;
	__u64 *dst = (__u64 *)out, *one;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (bpf_obj_get_info_by_fd(fd, &info, &info_len))
		return -errno;
	one = calloc(1, info.value_size + 8);
	if (!one)
		return -ENOMEM;
	for (k = 0; k < info.max_entries; k++) {
		if (bpf_map_lookup_elem(fd, &k, one)) {
			ret = -errno;
			break;
		}
		/* Fields another version of vxfwd does not have stay 0. */
		for (i = 0; i < sizeof(*out) / 8 && i < info.value_size / 8; i++)
			dst[i] += one[i];
	}
	free(one);
	return ret;
}

/* Targets of rule `pos` in the snapshot. */
static unsigned int rule_targets(const struct stats_snap *s, unsigned int pos)
{
	unsigned int i, n = 0;

	for (i = 0; i < s->n_targets; i++)
		n += s->targets[i].rule == pos;
	return n;
}

/*
 * The targets' counters of the active generation, and the extra copies; a
 * single-target rule's queued copies are its frames.
 */
static int targets_read(const struct stats_src *p, struct stats_snap *s)
{
	struct vxfwd_target_count extra;
	struct stats_target *t;
	unsigned int i;
	int ret;

	if (p->m.target_counters < 0) /* an instance of a vxfwd without fan-out */
		return 0;
	for (i = 0; i < s->n_targets; i++) {
		t = &s->targets[i];
		ret = maps_target_sum(
			p->m.target_counters,
			(s->gen * VXFWD_MAX_RULES + t->rule) * VXFWD_MAX_TARGETS + t->t, &t->c);
		if (ret)
			return ret;
		if (rule_targets(s, t->rule) == 1 && t->rule < s->n_rules) {
			t->c.queued.packets += s->rules[t->rule].c.packets;
			t->c.queued.bytes += s->rules[t->rule].c.bytes;
		}
	}
	ret = maps_target_sum(p->m.target_counters, VXFWD_TARGET_CNT_EXTRA, &extra);
	s->extra = extra.queued;
	return ret;
}

int stats_snap_take(const struct stats_src *p, struct stats_snap *s)
{
	__u32 i;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &s->ts);
	s->up = p->up;
	state_read(p->inst, s);
	ret = maps_active_gen(&p->m, &s->gen);
	if (!ret)
		ret = maps_read_counters(&p->m, s->c);
	if (!ret)
		ret = maps_count_sum(p->m.layer_counters, 0, VXFWD_L_MAX, s->layer);
	if (!ret)
		ret = engine_sum(p->m.engine, &s->eng);
	s->have_guard = p->guard >= 0 && !ret && guard_read(p->guard, s->guard) == 0;
	for (i = 0; !ret && i < s->n_rules; i++)
		ret = maps_count_sum(p->m.rule_counters, s->gen * VXFWD_MAX_RULES + i, 1,
				     &s->rules[i].c);
	for (i = 0; !ret && i < s->n_orgs; i++)
		ret = maps_count_sum(p->m.org_counters, s->gen * VXFWD_MAX_ORGS + i, 1,
				     &s->orgs[i].c);
	if (!ret)
		ret = targets_read(p, s);
	if (ret)
		log_warnx("%s: reading counters failed: %s", p->inst->pindir, strerror(-ret));
	return ret;
}

static void prom_label(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
}

static void prom_named(FILE *out, const char *metric, const char *label, const char *name,
		       const struct stats_named *v, unsigned int n)
{
	const char *unit[] = {"packets", "bytes"};
	unsigned int i, u;

	for (u = 0; u < 2; u++) {
		fprintf(out, "# HELP vxfwd_%s_%s_total %s forwarded per %s.\n", metric, unit[u],
			unit[u], metric);
		fprintf(out, "# TYPE vxfwd_%s_%s_total counter\n", metric, unit[u]);
		for (i = 0; i < n; i++) {
			fprintf(out, "vxfwd_%s_%s_total{instance=\"", metric, unit[u]);
			prom_label(out, name);
			fprintf(out, "\",%s=\"", label);
			prom_label(out, v[i].name);
			fprintf(out, "\"} %llu\n",
				(unsigned long long)(u ? v[i].c.bytes : v[i].c.packets));
		}
	}
}

/* The name of rule `pos`, or "" when the state file has none. */
static const char *rule_name(const struct stats_snap *s, unsigned int pos)
{
	return pos < s->n_rules ? s->rules[pos].name : "";
}

/*
 * Copies per DNAT target and result, and the copies queued in all (ring
 * records: FORWARD plus the copies beyond each frame's first).
 */
static void prom_targets(FILE *out, const char *name, const struct stats_snap *s)
{
	const struct stats_target *t;
	unsigned int i, k;

	fprintf(out, "# HELP vxfwd_target_packets_total Copies of forwarded frames per DNAT "
		     "target of the active ruleset, by result.\n"
		     "# TYPE vxfwd_target_packets_total counter\n");
	for (i = 0; i < s->n_targets; i++) {
		t = &s->targets[i];
		for (k = 0; k < STATS_TARGET_RESULTS; k++) {
			fprintf(out, "vxfwd_target_packets_total{instance=\"");
			prom_label(out, name);
			fprintf(out, "\",rule=\"");
			prom_label(out, rule_name(s, t->rule));
			fprintf(out, "\",target=\"");
			prom_label(out, t->name);
			fprintf(out, "\",result=\"%s\"} %llu\n", stats_target_results[k],
				(unsigned long long)stats_target_result(t, k)->packets);
		}
	}
	fprintf(out, "# HELP vxfwd_copies_total Ring records queued (FORWARD plus the copies "
		     "beyond each fan-out frame's first).\n"
		     "# TYPE vxfwd_copies_total counter\nvxfwd_copies_total{instance=\"");
	prom_label(out, name);
	fprintf(out, "\"} %llu\n", (unsigned long long)stats_copies(s));
}

/* Whether the instance runs: 1 while its pid-file lock is held, else 0. */
void stats_prom_up(FILE *out, const char *name, int up)
{
	fprintf(out,
		"# HELP vxfwd_up Whether the instance is running (its pid-file lock is held).\n"
		"# TYPE vxfwd_up gauge\nvxfwd_up{instance=\"");
	prom_label(out, name);
	fprintf(out, "\"} %d\n", up);
}

void stats_prom(FILE *out, const char *name, const struct stats_snap *s)
{
	unsigned int i, u;

	stats_prom_up(out, name, s->up);

	for (u = 0; u < 2; u++) {
		fprintf(out, "# HELP vxfwd_xdp_%s_total XDP %s by verdict and drop reason.\n",
			u ? "bytes" : "packets", u ? "bytes" : "frames");
		fprintf(out, "# TYPE vxfwd_xdp_%s_total counter\n", u ? "bytes" : "packets");
		for (i = 0; i < VXFWD_C_MAX; i++) {
			fprintf(out, "vxfwd_xdp_%s_total{instance=\"", u ? "bytes" : "packets");
			prom_label(out, name);
			fprintf(out, "\",counter=\"%s\"} %llu\n", vxfwd_counter_names[i],
				(unsigned long long)(u ? s->c[i].bytes : s->c[i].packets));
		}
	}
	fprintf(out, "# HELP vxfwd_xdp_layer_packets_total XDP frames by encapsulation (beside "
		     "vxfwd_xdp_packets_total, not part of its sum).\n"
		     "# TYPE vxfwd_xdp_layer_packets_total counter\n");
	for (i = 0; i < VXFWD_L_MAX; i++) {
		fprintf(out, "vxfwd_xdp_layer_packets_total{instance=\"");
		prom_label(out, name);
		fprintf(out, "\",layer=\"%s\"} %llu\n", vxfwd_layer_names[i],
			(unsigned long long)s->layer[i].packets);
	}
	if (s->have_guard) {
		fprintf(out,
			"# HELP vxfwd_guard_packets_total Frames seen by the egress leak guard.\n"
			"# TYPE vxfwd_guard_packets_total counter\n");
		for (i = 0; i < VXFWD_G_MAX; i++) {
			fprintf(out, "vxfwd_guard_packets_total{instance=\"");
			prom_label(out, name);
			fprintf(out, "\",verdict=\"%s\"} %llu\n",
				i == VXFWD_G_DROP ? "drop" : "pass",
				(unsigned long long)s->guard[i].packets);
		}
	}
	prom_named(out, "rule", "rule", name, s->rules, s->n_rules);
	prom_named(out, "org", "org", name, s->orgs, s->n_orgs);
	prom_targets(out, name, s);
	for (i = 0; i < stats_n_engine; i++) {
		fprintf(out,
			"# TYPE vxfwd_engine_%s_total counter\nvxfwd_engine_%s_total{instance=\"",
			stats_engine_fields[i].name, stats_engine_fields[i].name);
		prom_label(out, name);
		fprintf(out, "\"} %llu\n", (unsigned long long)stats_eng_field(&s->eng, i));
	}
	fprintf(out, "# TYPE vxfwd_engine_send_errno_total counter\n");
	for (i = 0; i < VXFWD_ERRNO_SLOTS; i++) {
		if (!s->eng.send_errno[i])
			continue;
		fprintf(out, "vxfwd_engine_send_errno_total{instance=\"");
		prom_label(out, name);
		fprintf(out, "\",errno=\"%s\"} %llu\n", i ? strerrorname_np(i) : "other",
			(unsigned long long)s->eng.send_errno[i]);
	}
}
