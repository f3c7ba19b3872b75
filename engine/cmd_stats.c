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
#include "stats.h"

enum fmt { FMT_TABLE, FMT_JSON, FMT_PROM };

static int pins_open(struct stats_src *p, const struct vxfwd_instance *in)
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
static __u64 drops(const struct stats_snap *s)
{
	__u64 d = 0;
	int i;

	for (i = VXFWD_C_DROP_NO_CONFIG; i < VXFWD_C_MAX; i++)
		d += s->c[i].packets;
	return d;
}

/* Copies queued that the engine has not taken yet. */
static long long backlog(const struct stats_snap *s)
{
	return (long long)stats_copies(s) - (long long)s->eng.records -
	       (long long)s->eng.bad_records;
}

static long long inflight(const struct stats_snap *s)
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

/* Copies per DNAT target: one row per result, "RULE -> TARGET result". */
static void print_targets(const struct stats_snap *s, const struct stats_snap *o, double dt)
{
	const struct stats_target *t;
	unsigned int i, k;
	char row[160];

	printf("targets (copies per DNAT target; fan-out rules make one per target)\n");
	for (i = 0; i < s->n_targets; i++) {
		t = &s->targets[i];
		printf("  %s -> %s\n", t->rule < s->n_rules ? s->rules[t->rule].name : "?",
		       t->name);
		for (k = 0; k < STATS_TARGET_RESULTS; k++) {
			snprintf(row, sizeof(row), "  %s", stats_target_results[k]);
			table_row(row, stats_target_result(t, k),
				  o && i < o->n_targets ? stats_target_result(&o->targets[i], k)
							: NULL,
				  dt);
		}
	}
	printf("  %-24s %16llu\n", "copies queued", (unsigned long long)stats_copies(s));
}

static void print_table(const char *name, const struct stats_snap *s, const struct stats_snap *o)
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
	print_targets(s, o, dt);
	if (s->have_guard) {
		printf("leak guard (egress of the ingress interface)\n");
		table_row("guard_pass", &s->guard[VXFWD_G_PASS], o ? &o->guard[VXFWD_G_PASS] : NULL,
			  dt);
		table_row("guard_drop", &s->guard[VXFWD_G_DROP], o ? &o->guard[VXFWD_G_DROP] : NULL,
			  dt);
	}
	printf("engine\n");
	for (i = 0; i < stats_n_engine; i++)
		printf("  %-24s %16llu\n", stats_engine_fields[i].name,
		       (unsigned long long)stats_eng_field(&s->eng, i));
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
	printf("balance copies %llu (forward %llu + fan-out extra %llu) == records %llu + bad %llu "
	       "+ ring backlog %lld; records == sent %llu + errors %llu + in flight %lld\n",
	       (unsigned long long)stats_copies(s),
	       (unsigned long long)s->c[VXFWD_C_FORWARD].packets,
	       (unsigned long long)s->extra.packets, (unsigned long long)s->eng.records,
	       (unsigned long long)s->eng.bad_records, backlog(s),
	       (unsigned long long)s->eng.sent_packets, (unsigned long long)s->eng.send_errors,
	       inflight(s));
}

static void json_named(const char *key, const struct stats_named *v, unsigned int n)
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

/* "targets":[{"rule":..,"pos":..,"target":..,"name":..,"queued":{..},...}],"copies":N */
static void json_targets(const struct stats_snap *s)
{
	const struct stats_target *t;
	const struct vxfwd_count *c;
	unsigned int i, k;

	printf(",\"targets\":[");
	for (i = 0; i < s->n_targets; i++) {
		t = &s->targets[i];
		printf("%s{\"rule\":", i ? "," : "");
		inspect_json_str(t->rule < s->n_rules ? s->rules[t->rule].name : "");
		printf(",\"pos\":%u,\"target\":%u,\"name\":", t->rule, t->t);
		inspect_json_str(t->name);
		for (k = 0; k < STATS_TARGET_RESULTS; k++) {
			c = stats_target_result(t, k);
			printf(",\"%s\":{\"packets\":%llu,\"bytes\":%llu}", stats_target_results[k],
			       (unsigned long long)c->packets, (unsigned long long)c->bytes);
		}
		putchar('}');
	}
	printf("],\"copies\":%llu", (unsigned long long)stats_copies(s));
}

static void print_json(const char *name, const struct stats_snap *s)
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
	json_targets(s);
	if (s->have_guard)
		printf(",\"guard\":{\"pass\":{\"packets\":%llu,\"bytes\":%llu},"
		       "\"drop\":{\"packets\":%llu,\"bytes\":%llu}}",
		       (unsigned long long)s->guard[VXFWD_G_PASS].packets,
		       (unsigned long long)s->guard[VXFWD_G_PASS].bytes,
		       (unsigned long long)s->guard[VXFWD_G_DROP].packets,
		       (unsigned long long)s->guard[VXFWD_G_DROP].bytes);
	printf(",\"engine\":{");
	for (i = 0; i < stats_n_engine; i++)
		printf("%s\"%s\":%llu", i ? "," : "", stats_engine_fields[i].name,
		       (unsigned long long)stats_eng_field(&s->eng, i));
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

static void print_snap(enum fmt f, const char *name, const struct stats_snap *s,
		       const struct stats_snap *o)
{
	if (f == FMT_JSON)
		print_json(name, s);
	else if (f == FMT_PROM)
		stats_prom(stdout, name, s);
	else
		print_table(name, s, o);
	fflush(stdout);
}

static int watch(const struct stats_src *p, enum fmt f, int secs)
{
	struct stats_snap *s = calloc(2, sizeof(*s));
	int cur = 0, ret;

	if (!s)
		return -ENOMEM;
	ret = stats_snap_take(p, &s[0]);
	while (!ret) {
		sleep(secs);
		cur ^= 1;
		ret = stats_snap_take(p, &s[cur]);
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
	struct stats_src p = {.inst = NULL, .guard = -1};
	struct stats_snap *s = NULL;
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
			stats_prom_up(stdout, in.name, 0);
		goto out;
	}
	if (secs) {
		ret = watch(&p, f, secs);
	} else {
		s = calloc(1, sizeof(*s));
		ret = s ? stats_snap_take(&p, s) : -ENOMEM;
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
