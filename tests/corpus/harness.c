// SPDX-License-Identifier: GPL-2.0-only
/* harness.c - see harness.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "vxfwd.skel.h"
#include "vxfwd_dsl.h"

const __u8 hx_egress_mac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
const __u8 hx_nh_mac[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};

const char *const hx_counter_names[VXFWD_C_MAX] = {
	[VXFWD_C_RX] = "rx",
	[VXFWD_C_PASS] = "pass",
	[VXFWD_C_FORWARD] = "forward",
	[VXFWD_C_DROP_NO_CONFIG] = "drop_no_config",
	[VXFWD_C_DROP_OUTER_FRAG] = "drop_outer_frag",
	[VXFWD_C_DROP_VXLAN_HDR] = "drop_vxlan_hdr",
	[VXFWD_C_DROP_VNI] = "drop_vni",
	[VXFWD_C_DROP_INNER_NOT_IP] = "drop_inner_not_ip",
	[VXFWD_C_DROP_INNER_MALFORMED] = "drop_inner_malformed",
	[VXFWD_C_DROP_INNER_TRUNCATED] = "drop_inner_truncated",
	[VXFWD_C_DROP_INNER_CSUM] = "drop_inner_csum",
	[VXFWD_C_DROP_INNER_FRAG] = "drop_inner_frag",
	[VXFWD_C_DROP_INNER_PROTO] = "drop_inner_proto",
	[VXFWD_C_DROP_SRC_NOT_ALLOWED] = "drop_src_not_allowed",
	[VXFWD_C_DROP_NO_RULE] = "drop_no_rule",
	[VXFWD_C_DROP_NO_NEXTHOP] = "drop_no_nexthop",
	[VXFWD_C_DROP_TOO_BIG] = "drop_too_big",
	[VXFWD_C_DROP_RING_FULL] = "drop_ring_full",
	[VXFWD_C_DROP_OUTER_LEN] = "drop_outer_len",
};

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !getenv("HX_VERBOSE"))
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
		return HX_EXIT_SKIP;
	}
	if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_XDP, NULL) <= 0 ||
	    libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) <= 0) {
		printf("SKIP: the kernel has no XDP programs or BPF ring buffers\n");
		return HX_EXIT_SKIP;
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
		ret = maps_set_nexthop(&h->m, hx_addr(nexthops[i]), hx_nh_mac, VXFWD_NH_F_VALID);
		if (ret < 0) {
			fprintf(stderr, "next hop %s: set: %s\n", nexthops[i], strerror(-ret));
			return ret;
		}
	}
	return 0;
}

int hx_run(struct hx *h, const __u8 *data, size_t len, __u32 repeat)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data, .data_size_in = (__u32)len,
		    .data_out = h->out, .data_size_out = sizeof(h->out), .repeat = repeat, );
	int ret;

	h->n_recs = 0;
	if (bpf_prog_test_run_opts(bpf_program__fd(h->skel->progs.vxfwd_xdp), &opts))
		return -errno;
	h->retval = opts.retval;
	h->out_len = opts.data_size_out;
	ret = ring_buffer__consume(h->rb);
	return ret < 0 ? ret : 0;
}

int hx_counters(const struct hx *h, struct vxfwd_count *c)
{
	return maps_read_counters(&h->m, c);
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
