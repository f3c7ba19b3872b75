// SPDX-License-Identifier: GPL-2.0-only
/* harness.c - see harness.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "pkt.h"
#include "vxfwd.skel.h"
#include "vxfwd_dsl.h"

const __u8 hx_egress_mac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
const __u8 hx_nh_mac[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};

int hx_verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !hx_verbose && !getenv("HX_VERBOSE"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct hx *h = ctx;
	const struct vxfwd_rec *rec = data;
	struct hx_rec *r;

	if (h->n_recs++ >= HX_RECS)
		return 0;
	r = &h->recs[h->n_recs - 1];
	r->size = size;
	r->fits = 0;
	if (size < sizeof(*rec))
		return 0;
	memcpy(&r->hdr, rec, sizeof(r->hdr));
	if (rec->len > size - sizeof(*rec) || rec->len > sizeof(r->frame))
		return 0;
	memcpy(r->frame, rec->frame, rec->len);
	r->fits = 1;
	return 0;
}

int hx_open(struct hx *h, __u32 ring_bytes)
{
	int ret;

	memset(h, 0, sizeof(*h));
	libbpf_set_print(libbpf_print);
	if (geteuid() != 0) {
		printf("SKIP: BPF_PROG_TEST_RUN needs root\n");
		return T_EXIT_SKIP;
	}
	if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_XDP, NULL) <= 0 ||
	    libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) <= 0) {
		printf("SKIP: the kernel has no XDP programs or BPF ring buffers\n");
		return T_EXIT_SKIP;
	}
	h->skel = vxfwd_bpf__open();
	if (!h->skel)
		return -errno;
	if (ring_bytes) {
		ret = bpf_map__set_max_entries(h->skel->maps.vxfwd_ring, ring_bytes);
		if (ret < 0)
			return ret;
	}
	ret = vxfwd_bpf__load(h->skel);
	if (ret < 0)
		return ret;
	maps_from_skel(&h->m, h->skel);
	h->rb = ring_buffer__new(h->m.ring, on_record, h, NULL);
	if (!h->rb)
		return -errno;
	return 0;
}

void hx_close(struct hx *h)
{
	ring_buffer__free(h->rb);
	vxfwd_bpf__destroy(h->skel);
	vxfwd_ruleset_free(h->rs);
	memset(h, 0, sizeof(*h));
}

__be32 hx_addr(const char *s)
{
	struct in_addr a = {0};

	if (inet_pton(AF_INET, s, &a) != 1)
		return 0;
	return a.s_addr;
}

static int load_rules(const char *name, const char *text, struct vxfwd_ruleset **rs)
{
	char *diag = NULL;
	size_t diag_len = 0;
	FILE *f;
	int ret;

	f = open_memstream(&diag, &diag_len);
	if (!f)
		return -errno;
	ret = vxfwd_dsl_load_string(name, text, f, rs);
	fclose(f);
	if (ret < 0)
		fprintf(stderr, "rules '%s': load: %s\n%s", name, strerror(-ret), diag ? diag : "");
	free(diag);
	return ret;
}

int hx_apply(struct hx *h, const char *name, const char *rules, const char *const *nexthops)
{
	struct vxfwd_apply_env env = {.egress_ifindex = 1};
	struct vxfwd_ruleset *rs = NULL;
	size_t i;
	int ret;

	memcpy(env.egress_mac, hx_egress_mac, sizeof(env.egress_mac));
	ret = load_rules(name, rules, &rs);
	if (ret < 0)
		return ret;
	ret = maps_apply(&h->m, rs, &env, &h->gen);
	if (ret < 0) {
		fprintf(stderr, "rules '%s': apply: %s\n", name, strerror(-ret));
		vxfwd_ruleset_free(rs);
		return ret;
	}
	vxfwd_ruleset_free(h->rs);
	h->rs = rs;
	for (i = 0; nexthops && nexthops[i]; i++) {
		if (strchr(nexthops[i], ':')) {
			struct in6_addr a6 = {0};

			inet_pton(AF_INET6, nexthops[i], &a6);
			ret = maps_set_nexthop6(&h->m, a6.s6_addr, hx_nh_mac, VXFWD_NH_F_VALID);
		} else {
			ret = maps_set_nexthop(&h->m, hx_addr(nexthops[i]), hx_nh_mac,
					       VXFWD_NH_F_VALID);
		}
		if (ret < 0) {
			fprintf(stderr, "next hop %s: set: %s\n", nexthops[i], strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/* The clock bpf_ktime_get_ns() reads. */
static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

int hx_run(struct hx *h, const __u8 *data, size_t len, __u32 repeat)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data, .data_size_in = (__u32)len,
		    .data_out = h->out, .data_size_out = sizeof(h->out), .repeat = repeat, );
	int ret;

	h->n_recs = 0;
	h->t0 = mono_ns();
	if (bpf_prog_test_run_opts(bpf_program__fd(h->skel->progs.vxfwd_xdp), &opts))
		return -errno;
	h->t1 = mono_ns();
	h->retval = opts.retval;
	h->out_len = opts.data_size_out;
	ret = ring_buffer__consume(h->rb);
	return ret < 0 ? ret : 0;
}

int hx_run_counted(struct hx *h, const __u8 *data, size_t len, __u32 repeat,
		   struct vxfwd_count *before, struct vxfwd_count *after)
{
	int ret;

	ret = hx_counters(h, before);
	if (!ret)
		ret = hx_run(h, data, len, repeat);
	if (!ret)
		ret = hx_counters(h, after);
	return ret;
}

int hx_counters(const struct hx *h, struct vxfwd_count *c)
{
	return maps_read_counters(&h->m, c);
}

int hx_percpu_sum(int fd, __u32 idx, struct vxfwd_count *sum)
{
	int i, ncpu = libbpf_num_possible_cpus();
	struct vxfwd_count *v;
	int ret = 0;

	if (ncpu < 0)
		return ncpu;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &idx, v)) {
		ret = -errno;
		goto out;
	}
	sum->packets = sum->bytes = 0;
	for (i = 0; i < ncpu; i++) {
		sum->packets += v[i].packets;
		sum->bytes += v[i].bytes;
	}
out:
	free(v);
	return ret;
}

int hx_rule_pos(const struct hx *h, const char *name)
{
	size_t i;

	for (i = 0; h->rs && i < h->rs->n_rules; i++)
		if (!strcmp(h->rs->rules[i].name, name))
			return (int)i;
	return -1;
}

const struct vxfwd_rule *hx_rule(const struct hx *h, __u32 pos)
{
	const struct vxfwd_op *op;
	size_t i;

	for (i = 0; h->rs && i < h->rs->n_ops; i++) {
		op = &h->rs->ops[i];
		if (op->map == VXFWD_MAP_RULE && op->key.idx == pos)
			return &op->val.rule;
	}
	return NULL;
}

int hx_sum_check(const struct vxfwd_count *a, const struct vxfwd_count *b, char *why, size_t n)
{
	__u64 p = 0, bytes = 0, rxp, rxb;
	int i;

	for (i = VXFWD_C_RX + 1; i < VXFWD_C_MAX; i++) {
		p += b[i].packets - a[i].packets;
		bytes += b[i].bytes - a[i].bytes;
	}
	rxp = b[VXFWD_C_RX].packets - a[VXFWD_C_RX].packets;
	rxb = b[VXFWD_C_RX].bytes - a[VXFWD_C_RX].bytes;
	if (rxp == p && rxb == bytes)
		return 0;
	snprintf(why, n, "RX moved by %llu packets %llu bytes, the others by %llu/%llu",
		 (unsigned long long)rxp, (unsigned long long)rxb, (unsigned long long)p,
		 (unsigned long long)bytes);
	return -EPROTO;
}

int hx_check_deltas(struct t_report *r, const char *name, const struct vxfwd_count *a,
		    const struct vxfwd_count *b, enum vxfwd_counter want, __u64 n, __u64 bytes)
{
	__u64 dp, db, ep, eb;
	int i, bad = 0;

	for (i = 0; i < VXFWD_C_MAX; i++) {
		dp = b[i].packets - a[i].packets;
		db = b[i].bytes - a[i].bytes;
		ep = (i == VXFWD_C_RX || i == (int)want) ? n : 0;
		eb = ep ? bytes : 0;
		if (dp == ep && db == eb)
			continue;
		t_fail(r, name, "counter %s moved by %llu packets %llu bytes, want %llu/%llu",
		       vxfwd_counter_names[i], (unsigned long long)dp, (unsigned long long)db,
		       (unsigned long long)ep, (unsigned long long)eb);
		bad = 1;
	}
	return bad ? -1 : 0;
}

/* The one ring record of a forwarded frame: its rule, its bytes, checksums. */
static int check_record(struct t_report *r, const char *name, const struct hx *h, const __u8 *in,
			size_t len, const struct hx_want *w)
{
	const struct hx_rec *rec = &h->recs[0];
	int pos = hx_rule_pos(h, w->rule);

	if (h->n_recs != 1) {
		t_fail(r, name, "%u ring records, want 1", h->n_recs);
		return -1;
	}
	if (!rec->fits) {
		t_fail(r, name, "record of %zu bytes claims a %u-byte frame", rec->size,
		       rec->hdr.len);
		return -1;
	}
	if (pos < 0 || rec->hdr.rule != pos) {
		t_fail(r, name, "record names rule %u, want '%s' at %d", rec->hdr.rule, w->rule,
		       pos);
		return -1;
	}
	if (rec->hdr.len != w->exp_len || memcmp(rec->frame, w->exp, w->exp_len)) {
		t_fail(r, name, "ring frame (%u bytes) differs from the expected one (%zu)",
		       rec->hdr.len, w->exp_len);
		t_fail_pcap(r, name, in, len, rec->frame, rec->hdr.len, w->exp, w->exp_len);
		return -1;
	}
	if (pkt_verify_csums(rec->frame, rec->hdr.len)) {
		t_fail(r, name, "forwarded frame has a bad IPv4 or L4 checksum");
		return -1;
	}
	return 0;
}

int hx_judge(struct t_report *r, const char *name, const struct hx *h, const __u8 *in, size_t len,
	     const struct vxfwd_count *a, const struct vxfwd_count *b, const struct hx_want *want)
{
	__u32 want_ret = want->counter == VXFWD_C_PASS ? XDP_PASS : XDP_DROP;

	if (h->retval != want_ret) {
		t_fail(r, name, "verdict %u, want %u (%s)", h->retval, want_ret,
		       vxfwd_counter_names[want->counter]);
		t_fail_pcap(r, name, in, len, NULL, 0, NULL, 0);
	}
	hx_check_deltas(r, name, a, b, want->counter, 1, len);
	if (want->counter == VXFWD_C_PASS && (h->out_len != len || memcmp(h->out, in, len))) {
		t_fail(r, name, "passed frame was modified (%u bytes out, %zu in)", h->out_len,
		       len);
		t_fail_pcap(r, name, in, len, h->out, h->out_len, NULL, 0);
	}
	if (want->counter == VXFWD_C_FORWARD)
		return check_record(r, name, h, in, len, want);
	if (h->n_recs)
		t_fail(r, name, "%u ring records, want none", h->n_recs);
	return 0;
}
