// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_stats.c - `vxfwd stats`: find a running instance by its
 * rules file or name, read its pinned maps, or without pins those of the XDP
 * program on its ingress interface (per-CPU counters summed, engine
 * statistics, per-rule and per-organization counters of the active
 * generation with names from the state file) and print them as a table,
 * JSON or Prometheus text.
 */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/bpf.h>

#include "attached.h"
#include "cmd.h"
#include "guard.h"
#include "inspect.h"
#include "instance.h"
#include "log.h"
#include "maps.h"

enum fmt { FMT_TABLE, FMT_JSON, FMT_PROM };

static const struct {
	const char *name;
	size_t off;
} engine_fields[] = {
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

#define N_ENGINE (sizeof(engine_fields) / sizeof(engine_fields[0]))

struct named {
	char name[160];
	__u32 id;
	struct vxfwd_count c;
};

struct snap {
	struct timespec ts;
	int up; /* the instance runs (its pid-file lock is held) */
	int have_guard;
	struct vxfwd_count guard[VXFWD_G_MAX];
	__u32 gen;
	struct vxfwd_count c[VXFWD_C_MAX];
	struct vxfwd_count layer[VXFWD_L_MAX]; /* beside c[], not in its sum */
	struct vxfwd_engine_stats eng;
	struct named rules[VXFWD_MAX_RULES];
	unsigned int n_rules;
	struct named orgs[VXFWD_MAX_ORGS];
	unsigned int n_orgs;
};

struct pins {
	struct vxfwd_maps m;
	int guard; /* leak guard counters, -1 when not pinned */
	const struct vxfwd_instance *inst;
	int up;
};

static __u64 eng_field(const struct vxfwd_engine_stats *s, size_t i)
{
	return *(const __u64 *)((const char *)s + engine_fields[i].off);
}

static int pins_open(struct pins *p, const struct vxfwd_instance *in)
{
	int ret;

	p->inst = in;
	ret = attached_stats_open(in, &p->m, &p->guard);
	if (ret && p->up)
		log_warnx("%s: no pinned maps under %s and no vxfwd XDP program found on its "
			  "ingress interface: %s (is it running, or was it detached?)",
			  in->name, in->pindir, strerror(-ret));
	return ret;
}

/* Names from the state file: "rule POS NAME", "org SLOT ID NAME". */
static void state_read(const struct vxfwd_instance *in, struct snap *s)
{
	char line[512];
	unsigned int pos, id;
	int off;
	FILE *f;

	s->n_rules = 0;
	s->n_orgs = 0;
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

static int snap_take(const struct pins *p, struct snap *s)
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
	if (ret)
		log_warnx("%s: reading counters failed: %s", p->inst->pindir, strerror(-ret));
	return ret;
}

static __u64 drops(const struct snap *s)
{
	__u64 d = 0;
	int i;

	for (i = VXFWD_C_DROP_NO_CONFIG; i < VXFWD_C_MAX; i++)
		d += s->c[i].packets;
	return d;
}

static long long backlog(const struct snap *s)
{
	return (long long)s->c[VXFWD_C_FORWARD].packets - (long long)s->eng.records -
	       (long long)s->eng.bad_records;
}

static long long inflight(const struct snap *s)
{
	return (long long)s->eng.records - (long long)s->eng.sent_packets -
	       (long long)s->eng.send_errors;
}

static double rate(__u64 now, __u64 then, double dt)
{
	return dt > 0 && now >= then ? (double)(now - then) / dt : 0;
}

static void table_row(const char *name, const struct vxfwd_count *c, const struct vxfwd_count *o,
		      double dt)
{
	printf("  %-24s %16llu %18llu", name, (unsigned long long)c->packets,
	       (unsigned long long)c->bytes);
	if (o)
		printf(" %12.0f %14.0f", rate(c->packets, o->packets, dt),
		       8 * rate(c->bytes, o->bytes, dt));
	putchar('\n');
}

static void print_table(const char *name, const struct snap *s, const struct snap *o)
{
	double dt = o ? (s->ts.tv_sec - o->ts.tv_sec) + (s->ts.tv_nsec - o->ts.tv_nsec) / 1e9 : 0;
	unsigned int i;

	printf("instance %s, generation %u%s\n", name, s->gen,
	       s->up ? "" : " (not running: its XDP program is still attached)");
	printf("  %-24s %16s %18s%s\n", "counter", "packets", "bytes",
	       o ? "          pps          bit/s" : "");
	for (i = 0; i < VXFWD_C_MAX; i++)
		table_row(vxfwd_counter_names[i], &s->c[i], o ? &o->c[i] : NULL, dt);
	printf("layers (frames per encapsulation, counted beside the above)\n");
	for (i = 0; i < VXFWD_L_MAX; i++)
		table_row(vxfwd_layer_names[i], &s->layer[i], o ? &o->layer[i] : NULL, dt);
	printf("rules\n");
	for (i = 0; i < s->n_rules; i++)
		table_row(s->rules[i].name, &s->rules[i].c,
			  o && i < o->n_rules ? &o->rules[i].c : NULL, dt);
	printf("organizations\n");
	for (i = 0; i < s->n_orgs; i++)
		table_row(s->orgs[i].name, &s->orgs[i].c, o && i < o->n_orgs ? &o->orgs[i].c : NULL,
			  dt);
	if (s->have_guard) {
		printf("leak guard (egress of the ingress interface)\n");
		table_row("guard_pass", &s->guard[VXFWD_G_PASS], o ? &o->guard[VXFWD_G_PASS] : NULL,
			  dt);
		table_row("guard_drop", &s->guard[VXFWD_G_DROP], o ? &o->guard[VXFWD_G_DROP] : NULL,
			  dt);
	}
	printf("engine\n");
	for (i = 0; i < N_ENGINE; i++)
		printf("  %-24s %16llu\n", engine_fields[i].name,
		       (unsigned long long)eng_field(&s->eng, i));
	for (i = 0; i < VXFWD_ERRNO_SLOTS; i++)
		if (s->eng.send_errno[i])
			printf("  send_errno %-13s %16llu\n", i ? strerrorname_np(i) : "other",
			       (unsigned long long)s->eng.send_errno[i]);
	printf("invariant rx %llu == pass + forward + drops %llu: %s\n",
	       (unsigned long long)s->c[VXFWD_C_RX].packets,
	       (unsigned long long)(s->c[VXFWD_C_PASS].packets + s->c[VXFWD_C_FORWARD].packets +
				    drops(s)),
	       s->c[VXFWD_C_RX].packets ==
			       s->c[VXFWD_C_PASS].packets + s->c[VXFWD_C_FORWARD].packets + drops(s)
		       ? "ok"
		       : "MISMATCH");
	printf("balance forward %llu == records %llu + bad %llu + ring backlog %lld; "
	       "records == sent %llu + errors %llu + in flight %lld\n",
	       (unsigned long long)s->c[VXFWD_C_FORWARD].packets,
	       (unsigned long long)s->eng.records, (unsigned long long)s->eng.bad_records,
	       backlog(s), (unsigned long long)s->eng.sent_packets,
	       (unsigned long long)s->eng.send_errors, inflight(s));
}

static void json_named(const char *key, const struct named *v, unsigned int n)
{
	unsigned int i;

	printf(",\"%s\":[", key);
	for (i = 0; i < n; i++) {
		printf("%s{\"name\":", i ? "," : "");
		inspect_json_str(v[i].name);
		printf(",\"id\":%u,\"packets\":%llu,\"bytes\":%llu}", v[i].id,
		       (unsigned long long)v[i].c.packets, (unsigned long long)v[i].c.bytes);
	}
	putchar(']');
}

static void print_json(const char *name, const struct snap *s)
{
	unsigned int i, first = 1;

	printf("{\"instance\":");
	inspect_json_str(name);
	printf(",\"running\":%s,\"generation\":%u,\"counters\":{", s->up ? "true" : "false",
	       s->gen);
	for (i = 0; i < VXFWD_C_MAX; i++)
		printf("%s\"%s\":{\"packets\":%llu,\"bytes\":%llu}", i ? "," : "", vxfwd_counter_names[i],
		       (unsigned long long)s->c[i].packets, (unsigned long long)s->c[i].bytes);
	printf("},\"layers\":{");
	for (i = 0; i < VXFWD_L_MAX; i++)
		printf("%s\"%s\":{\"packets\":%llu,\"bytes\":%llu}", i ? "," : "",
		       vxfwd_layer_names[i], (unsigned long long)s->layer[i].packets,
		       (unsigned long long)s->layer[i].bytes);
	putchar('}');
	json_named("rules", s->rules, s->n_rules);
	json_named("orgs", s->orgs, s->n_orgs);
	if (s->have_guard)
		printf(",\"guard\":{\"pass\":{\"packets\":%llu,\"bytes\":%llu},"
		       "\"drop\":{\"packets\":%llu,\"bytes\":%llu}}",
		       (unsigned long long)s->guard[VXFWD_G_PASS].packets,
		       (unsigned long long)s->guard[VXFWD_G_PASS].bytes,
		       (unsigned long long)s->guard[VXFWD_G_DROP].packets,
		       (unsigned long long)s->guard[VXFWD_G_DROP].bytes);
	printf(",\"engine\":{");
	for (i = 0; i < N_ENGINE; i++)
		printf("%s\"%s\":%llu", i ? "," : "", engine_fields[i].name,
		       (unsigned long long)eng_field(&s->eng, i));
	printf(",\"send_errno\":{");
	for (i = 0; i < VXFWD_ERRNO_SLOTS; i++) {
		if (!s->eng.send_errno[i])
			continue;
		printf("%s\"%s\":%llu", first ? "" : ",", i ? strerrorname_np(i) : "other",
		       (unsigned long long)s->eng.send_errno[i]);
		first = 0;
	}
	printf("}},\"invariant_ok\":%s,\"ring_backlog\":%lld,\"in_flight\":%lld}\n",
	       s->c[VXFWD_C_RX].packets ==
			       s->c[VXFWD_C_PASS].packets + s->c[VXFWD_C_FORWARD].packets + drops(s)
		       ? "true"
		       : "false",
	       backlog(s), inflight(s));
}

static void prom_label(const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if (*s == '\n')
			printf("\\n");
		else
			putchar(*s);
	}
}

static void prom_named(const char *metric, const char *label, const char *name,
		       const struct named *v, unsigned int n)
{
	const char *unit[] = {"packets", "bytes"};
	unsigned int i, u;

	for (u = 0; u < 2; u++) {
		printf("# HELP vxfwd_%s_%s_total %s forwarded per %s.\n", metric, unit[u], unit[u],
		       metric);
		printf("# TYPE vxfwd_%s_%s_total counter\n", metric, unit[u]);
		for (i = 0; i < n; i++) {
			printf("vxfwd_%s_%s_total{instance=\"", metric, unit[u]);
			prom_label(name);
			printf("\",%s=\"", label);
			prom_label(v[i].name);
			printf("\"} %llu\n",
			       (unsigned long long)(u ? v[i].c.bytes : v[i].c.packets));
		}
	}
}

/* Whether the instance runs: 1 while its pid-file lock is held, else 0. */
static void print_up(const char *name, int up)
{
	printf("# HELP vxfwd_up Whether the instance is running (its pid-file lock is held).\n"
	       "# TYPE vxfwd_up gauge\nvxfwd_up{instance=\"");
	prom_label(name);
	printf("\"} %d\n", up);
}

static void print_prom(const char *name, const struct snap *s)
{
	unsigned int i, u;

	print_up(name, s->up);

	for (u = 0; u < 2; u++) {
		printf("# HELP vxfwd_xdp_%s_total XDP %s by verdict and drop reason.\n",
		       u ? "bytes" : "packets", u ? "bytes" : "frames");
		printf("# TYPE vxfwd_xdp_%s_total counter\n", u ? "bytes" : "packets");
		for (i = 0; i < VXFWD_C_MAX; i++) {
			printf("vxfwd_xdp_%s_total{instance=\"", u ? "bytes" : "packets");
			prom_label(name);
			printf("\",counter=\"%s\"} %llu\n", vxfwd_counter_names[i],
			       (unsigned long long)(u ? s->c[i].bytes : s->c[i].packets));
		}
	}
	printf("# HELP vxfwd_xdp_layer_packets_total XDP frames by encapsulation (beside "
	       "vxfwd_xdp_packets_total, not part of its sum).\n"
	       "# TYPE vxfwd_xdp_layer_packets_total counter\n");
	for (i = 0; i < VXFWD_L_MAX; i++) {
		printf("vxfwd_xdp_layer_packets_total{instance=\"");
		prom_label(name);
		printf("\",layer=\"%s\"} %llu\n", vxfwd_layer_names[i],
		       (unsigned long long)s->layer[i].packets);
	}
	if (s->have_guard) {
		printf("# HELP vxfwd_guard_packets_total Frames seen by the egress leak guard.\n"
		       "# TYPE vxfwd_guard_packets_total counter\n");
		for (i = 0; i < VXFWD_G_MAX; i++) {
			printf("vxfwd_guard_packets_total{instance=\"");
			prom_label(name);
			printf("\",verdict=\"%s\"} %llu\n", i == VXFWD_G_DROP ? "drop" : "pass",
			       (unsigned long long)s->guard[i].packets);
		}
	}
	prom_named("rule", "rule", name, s->rules, s->n_rules);
	prom_named("org", "org", name, s->orgs, s->n_orgs);
	for (i = 0; i < N_ENGINE; i++) {
		printf("# TYPE vxfwd_engine_%s_total counter\nvxfwd_engine_%s_total{instance=\"",
		       engine_fields[i].name, engine_fields[i].name);
		prom_label(name);
		printf("\"} %llu\n", (unsigned long long)eng_field(&s->eng, i));
	}
	printf("# TYPE vxfwd_engine_send_errno_total counter\n");
	for (i = 0; i < VXFWD_ERRNO_SLOTS; i++) {
		if (!s->eng.send_errno[i])
			continue;
		printf("vxfwd_engine_send_errno_total{instance=\"");
		prom_label(name);
		printf("\",errno=\"%s\"} %llu\n", i ? strerrorname_np(i) : "other",
		       (unsigned long long)s->eng.send_errno[i]);
	}
}

static void print_snap(enum fmt f, const char *name, const struct snap *s, const struct snap *o)
{
	if (f == FMT_JSON)
		print_json(name, s);
	else if (f == FMT_PROM)
		print_prom(name, s);
	else
		print_table(name, s, o);
	fflush(stdout);
}

static int watch(const struct pins *p, enum fmt f, int secs)
{
	struct snap *s = calloc(2, sizeof(*s));
	int cur = 0, ret;

	if (!s)
		return -ENOMEM;
	ret = snap_take(p, &s[0]);
	while (!ret) {
		sleep(secs);
		cur ^= 1;
		ret = snap_take(p, &s[cur]);
		if (ret)
			break;
		if (f == FMT_TABLE)
			printf("\033[H\033[2J");
		print_snap(f, p->inst->name, &s[cur], &s[cur ^ 1]);
	}
	free(s);
	return ret;
}

static int parse_target(int c, const char *arg, const char **file, const char **name)
{
	if (c == 'f' && !*name) {
		*file = arg;
		return 0;
	}
	if (c == 'n' && !*file) {
		*name = arg;
		return 0;
	}
	return -EINVAL;
}

int cmd_stats(int argc, char **argv)
{
	const char *file = NULL, *name = NULL;
	struct vxfwd_instance in;
	enum fmt f = FMT_TABLE;
	struct pins p = {.inst = NULL, .guard = -1};
	struct snap *s = NULL;
	int c, secs = 0, ret, status = VXFWD_EXIT_RUNTIME;
	pid_t pid;
	char *end;

	optind = 0;
	while ((c = opt_next(&stats_cmd, argc, argv)) != -1) {
		if ((c == 'j' || c == 'p') && f == FMT_TABLE) {
			f = c == 'j' ? FMT_JSON : FMT_PROM;
		} else if (c == 'w') {
			secs = (int)strtol(optarg, &end, 10);
			if (*end || secs <= 0) {
				opt_usage(&stats_cmd, stderr);
				return VXFWD_EXIT_USAGE;
			}
		} else if ((c != 'f' && c != 'n') || parse_target(c, optarg, &file, &name)) {
			opt_usage(&stats_cmd, stderr);
			return VXFWD_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		opt_usage(&stats_cmd, stderr);
		return VXFWD_EXIT_USAGE;
	}
	if (instance_init(&in, file, name)) {
		log_warnx("%s: not a usable instance name", name ? name : file ? file : "-");
		return VXFWD_EXIT_USAGE;
	}
	memset(&p.m, -1, sizeof(p.m));
	p.up = instance_running_pid(&in, &pid) == 0;
	ret = pins_open(&p, &in);
	if (!p.up)
		log_warnx("%s: not running (no live owner of %s)%s", in.name, in.pidfile,
			  ret ? "" : "; its XDP program is still attached and dropping mirror "
				     "traffic: these are its counters");
	if (ret) {
		if (f == FMT_PROM && !p.up)
			print_up(in.name, 0);
		goto out;
	}
	if (secs) {
		ret = watch(&p, f, secs);
	} else {
		s = calloc(1, sizeof(*s));
		ret = s ? snap_take(&p, s) : -ENOMEM;
		if (!ret)
			print_snap(f, in.name, s, NULL);
	}
	if (!ret && p.up)
		status = VXFWD_EXIT_OK;
out:
	free(s);
	attached_stats_close(&p.m, &p.guard);
	return status;
}
