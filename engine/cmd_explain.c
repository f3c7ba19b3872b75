// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_explain.c - `vxfwd explain`: the XDP program's own verdict for one
 * packet, or for every frame of a capture (-r).
 *
 * A second copy of the program is loaded, with the ruleset maps of the
 * running instance (-n: reused as they are, never written) or with fresh
 * ones that maps.c fills from the rules file (-f), and with counters, rings
 * and a monitor of its own, so that the instance's statistics do not move.
 * The frame runs through it with BPF_PROG_TEST_RUN: the counter that moved
 * is the verdict, the monitor event names the rule, the ring record is the
 * frame as it would leave egress.  Nothing here matches rules itself.
 *
 * The frame of the command line is built by explain_frame.c, the frames of
 * a capture read by explain_pcap.c, the verdict printed by explain_print.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attached.h"
#include "cmd.h"
#include "host.h"
#include "inspect.h"
#include "loader.h"
#include "log.h"
#include "explain.h"
#include "maps.h"
#include "vxfwd_dsl.h"

#define EXPLAIN_RING_BYTES (64u << 10)

struct explain {
	struct vxfwd_bpf *skel;
	struct vxfwd_maps m;
	struct ring_buffer *rb;
	struct vxfwd_ruleset *rs; /* names and locations of rules; may be NULL */
	struct vxfwd_state st;	  /* -n: the instance's state file */
	struct vxfwd_instance in;
	int live;
	int json;
	struct verdict *v; /* filled by the ring callbacks */
};

/* ---- the program ------------------------------------------------------ */

static int on_rec(void *ctx, void *data, size_t size)
{
	struct explain *x = ctx;
	const struct vxfwd_rec *r = data;
	size_t n;

	if (size < sizeof(*r) || r->len > size - sizeof(*r) || x->v->n_recs >= VXFWD_MAX_TARGETS)
		return 0;
	n = r->len < sizeof(x->v->rec[0]) ? r->len : sizeof(x->v->rec[0]);
	memcpy(x->v->rec[x->v->n_recs], r->frame, n);
	x->v->rec_len[x->v->n_recs++] = r->len;
	return 0;
}

static int on_ev(void *ctx, void *data, size_t size)
{
	struct explain *x = ctx;

	if (size < sizeof(x->v->ev))
		return 0;
	memcpy(&x->v->ev, data, sizeof(x->v->ev));
	x->v->have_ev = 1;
	return 0;
}

/* -n: the ruleset maps of the live program, shared, before load. */
static int reuse_live(struct explain *x)
{
	int pfd, fd, ret = 0, id;

	pfd = attached_instance_prog(&x->in, NULL, NULL, NULL);
	for (id = 0; !ret && id < LMAP_MAX; id++) {
		if (!(lmap_table[id].flags & LMAP_F_RULESET))
			continue;
		fd = inspect_map_fd(&x->in, pfd, lmap_name(id));
		if (fd < 0) {
			ret = fd;
			break;
		}
		ret = loader_reuse(x->skel, id, fd);
		close(fd);
	}
	if (pfd >= 0)
		close(pfd);
	if (ret)
		log_warnx("%s: the ruleset maps of its XDP program cannot be opened: %s (is it "
			  "running, or was it detached?)",
			  x->in.name, strerror(-ret));
	return ret;
}

/* Every frame's event: the monitor on, no sampling, no rate limit. */
static const struct vxfwd_mon_cfg explain_mon = {.on = 1, .rate = 1u << 30, .burst = 1u << 30};

static int open_load(struct explain *x)
{
	const struct loader_opts o = {.ring_bytes = EXPLAIN_RING_BYTES, .mon = &explain_mon};
	int ret;

	ret = loader_open(&x->skel, &o);
	if (!ret && x->live)
		ret = reuse_live(x);
	if (ret)
		return ret;
	ret = loader_load(x->skel);
	if (ret) {
		log_warnx("XDP program: load failed: %s", strerror(-ret));
		return ret;
	}
	maps_from_skel(&x->m, x->skel);
	x->rb = ring_buffer__new(x->m.ring, on_rec, x, NULL);
	if (!x->rb)
		return -errno;
	if (ring_buffer__add(x->rb, x->m.mon_ring, on_ev, x))
		return -errno;
	return 0;
}

/* The placeholder next hop of DNAT target `op` unless a valid one is there. */
static int placeholder_nexthop(const struct explain *x, const struct vxfwd_op *op)
{
	static const __u8 unresolved[6] = {0};
	int v6 = op->map == VXFWD_MAP_NEXTHOP6;
	struct vxfwd_nh nh;

	if (maps_get_nexthop(&x->m, v6 ? AF_INET6 : AF_INET,
			     v6 ? (const void *)op->key.addr6.addr : (const void *)&op->key.addr,
			     &nh) == 0 &&
	    (nh.flags & VXFWD_NH_F_VALID))
		return 0;
	if (v6)
		return maps_set_nexthop6(&x->m, op->key.addr6.addr, unresolved, 0);
	return maps_set_nexthop(&x->m, op->key.addr, unresolved, 0);
}

/*
 * -f: the rules as `run` writes them.  Next hops are resolved only by a
 * running instance: each DNAT target (of either family) gets a placeholder
 * MAC unless the rules pin one, so the verdict is the rules' own.
 */
static int fill_from_rules(struct explain *x)
{
	struct vxfwd_apply_env env = {.egress_ifindex = if_nametoindex(x->rs->egress)};
	const struct vxfwd_op *op;
	size_t i;
	int ret;

	ret = maps_apply(&x->m, x->rs, &env, NULL);
	if (ret) {
		log_warnx("maps: applying the ruleset failed: %s", strerror(-ret));
		return ret;
	}
	for (i = 0; i < x->rs->n_ops; i++) {
		op = &x->rs->ops[i];
		if (op->map != VXFWD_MAP_NEXTHOP && op->map != VXFWD_MAP_NEXTHOP6)
			continue;
		ret = placeholder_nexthop(x, op);
		if (ret)
			return ret;
	}
	return 0;
}

static int active_cfg(const struct explain *x, __u32 *gen, struct vxfwd_cfg *cfg)
{
	int ret = maps_active_gen(&x->m, gen);

	if (ret)
		return ret;
	return bpf_map_lookup_elem(x->m.cfg, gen, cfg) ? -errno : 0;
}

/* The smallest VNI the active generation accepts; -ENOENT for none. */
static int first_vni(const struct explain *x, __u32 gen, __u32 *vni)
{
	struct vxfwd_vni_key k, prev;
	int found = 0;
	void *p = NULL;

	while (!bpf_map_get_next_key(x->m.vni, p, &k)) {
		if (k.gen == gen && (!found || k.vni < *vni)) {
			*vni = k.vni;
			found = 1;
		}
		prev = k;
		p = &prev;
	}
	return found ? 0 : -ENOENT;
}

static int run_frame(struct explain *x, const __u8 *frame, __u32 len, struct verdict *v)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = len, .repeat = 1);
	struct vxfwd_count before[VXFWD_C_MAX], after[VXFWD_C_MAX];
	int ret, moved = 0;
	__u32 i;

	memset(v, 0, sizeof(*v));
	ret = maps_read_counters(&x->m, before);
	if (ret)
		return ret;
	if (bpf_prog_test_run_opts(loader_prog_fd(x->skel), &o))
		return -errno;
	ret = maps_read_counters(&x->m, after);
	if (ret)
		return ret;
	/* The ring callbacks fill `v`, only while it exists. */
	x->v = v;
	ring_buffer__consume(x->rb);
	x->v = NULL;
	for (i = VXFWD_C_PASS; i < VXFWD_C_MAX; i++) {
		if (after[i].packets != before[i].packets) {
			v->counter = i;
			moved++;
		}
	}
	return moved == 1 ? 0 : -EPROTO;
}

/* ---- one packet, or every frame of a capture ---------------------------- */

/* The rules `x` explains with, for the rules' names and places. */
static struct explain_rules rules_of(const struct explain *x)
{
	return (struct explain_rules){.rs = x->rs, .live = x->live ? &x->st : NULL};
}

static int explain_one(struct explain *x, struct query *q)
{
	struct explain_rules r = rules_of(x);
	__u8 frame[EXPLAIN_FRAME_MAX];
	struct verdict v;
	struct vxfwd_cfg cfg;
	__u32 gen;
	size_t len;
	int ret;

	ret = active_cfg(x, &gen, &cfg);
	if (ret)
		return ret;
	if (!(cfg.flags & VXFWD_CFG_F_VALID) || !cfg.n_vxlan_ports)
		cfg.vxlan_port_be[0] = htons(VXFWD_VXLAN_DEFAULT_PORT);
	if (!q->have_vni && first_vni(x, gen, &q->vni))
		q->vni = 1;
	len = explain_build_frame(frame, q, cfg.vxlan_port_be[0]);
	ret = run_frame(x, frame, (__u32)len, &v);
	if (ret) {
		log_warnx("explain: running the XDP program failed: %s", strerror(-ret));
		return ret;
	}
	if (x->json) {
		explain_print_json(&r, &v, -1);
		return 0;
	}
	explain_print_query(q, x->live ? "instance" : "rules", x->live ? x->in.name : x->in.rules);
	explain_print_text(&r, &v);
	return 0;
}

static int explain_pcap(struct explain *x, const char *path)
{
	static __u8 buf[65536];
	struct explain_rules r = rules_of(x);
	unsigned long totals[VXFWD_C_MAX] = {0};
	struct pcap_in p = {NULL, 0};
	struct verdict v;
	long n, len;
	int ret;
	__u32 i;

	ret = explain_pcap_open(&p, path);
	for (n = 1; !ret && (len = explain_pcap_read(&p, buf, sizeof(buf))) > 0; n++) {
		ret = run_frame(x, buf, (__u32)len, &v);
		if (ret)
			break;
		totals[v.counter]++;
		if (x->json)
			explain_print_json(&r, &v, n);
		else
			explain_print_frame(&r, &v, n);
	}
	if (!ret && len < 0)
		ret = (int)len;
	if (p.f)
		fclose(p.f);
	if (ret) {
		log_warnx("%s: frame %ld: %s", path, n, strerror(-ret));
		return ret;
	}
	if (x->json)
		return 0;
	for (i = VXFWD_C_PASS; i < VXFWD_C_MAX; i++)
		if (totals[i])
			printf("total %s %lu\n", inspect_counter_name(i), totals[i]);
	return 0;
}

/* -n: the instance's state, and its rules file for the rules' locations. */
static int load_live(struct explain *x, const char *name)
{
	int ret;

	if (instance_init(&x->in, NULL, name))
		return -EINVAL;
	ret = inspect_state_read(x->in.statefile, &x->st);
	if (ret) {
		log_warnx("%s: not running: no state file %s", name, x->in.statefile);
		return -ESRCH;
	}
	x->live = 1;
	if (x->st.rules[0] &&
	    vxfwd_dsl_load(x->st.rules, NULL, VXFWD_DSL_F_QUIET, &host_ifaces, NULL, &x->rs) != 0)
		x->rs = NULL;
	return 0;
}

static int load_file(struct explain *x, const char *file)
{
	int ret;

	if (instance_init(&x->in, file, NULL) && instance_init(&x->in, file, "explain"))
		return -EINVAL;
	ret = vxfwd_dsl_load(x->in.rules, NULL, VXFWD_DSL_F_QUIET, &host_ifaces, stderr, &x->rs);
	if (ret == -EINVAL)
		return -EINVAL;
	if (ret)
		log_warnx("%s: cannot read the rules: %s", x->in.rules, strerror(-ret));
	return ret;
}

static int explain_prepare(struct explain *x, const char *file, const char *name)
{
	int ret;

	ret = name ? load_live(x, name) : load_file(x, file);
	if (ret)
		return ret == -EINVAL ? VXFWD_EXIT_CONFIG : VXFWD_EXIT_RUNTIME;
	ret = open_load(x);
	if (!ret && !x->live)
		ret = fill_from_rules(x);
	if (ret) {
		log_warnx("explain: %s", strerror(-ret));
		return VXFWD_EXIT_RUNTIME;
	}
	return VXFWD_EXIT_OK;
}

static void explain_free(struct explain *x)
{
	ring_buffer__free(x->rb);
	loader_close(x->skel);
	if (x->rs)
		vxfwd_ruleset_free(x->rs);
}

int cmd_explain(int argc, char **argv)
{
	const char *file = NULL, *name = NULL, *pcap = NULL;
	struct explain x;
	struct query q;
	int c, status;

	memset(&x, 0, sizeof(x));
	optind = 0;
	while ((c = opt_next(&explain_cmd, argc, argv)) != -1) {
		if (c == 'j') {
			x.json = 1;
		} else if (c == 'r') {
			pcap = optarg;
		} else if (opt_instance(c, optarg, &file, &name)) {
			return opt_usage_error(&explain_cmd);
		}
	}
	/* -j may also follow the packet: "explain udp A B:P vni 1 -j". */
	while (argc - optind > 0 &&
	       (strcmp(argv[argc - 1], "-j") == 0 || strcmp(argv[argc - 1], "--json") == 0)) {
		x.json = 1;
		argc--;
	}
	if ((pcap && optind != argc) ||
	    (!pcap && explain_parse_query(argc - optind, argv + optind, &q)))
		return opt_usage_error(&explain_cmd);
	status = explain_prepare(&x, file, name);
	if (status == VXFWD_EXIT_OK &&
	    (pcap ? explain_pcap(&x, pcap) : explain_one(&x, &q)) != 0)
		status = VXFWD_EXIT_RUNTIME;
	explain_free(&x);
	return status;
}
