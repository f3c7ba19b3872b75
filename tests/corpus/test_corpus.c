// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_corpus.c - the hostile packet corpus through BPF_PROG_TEST_RUN.
 *
 * Every case of corpus_cases[] runs once against corpus_rules: the verdict,
 * every counter's delta (packets and bytes), the ring (one record, exact
 * bytes against a rewrite computed with full checksums, for FORWARD; none
 * otherwise) and, for PASS, the frame left untouched.  Then every sweep
 * cuts its frame to every length from 14 bytes up and checks the same.
 *
 * A failing case writes input, actual and expected frames to
 * $VXFWD_TEST_OUTDIR/corpus-fail-CASE.pcap.  Exit 0 pass, 1 fail, 77 skip.
 *
 * With -w DIR nothing runs: the corpus is written for the lab
 * (tests/corpus/corpus-lab.sh) as DIR/corpus.rules, DIR/corpus.pcap (every
 * case and every cut of every sweep whose frame fits on the lab's mirror
 * wire, MTU 9216) and DIR/corpus.expect ("counter N" per line).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <netinet/in.h>

#include "corpus.h"
#include "harness.h"
#include "pcap.h"
#include "vxfwd_dsl.h"
#include "vxfwd_test.h"

struct t {
	struct hx h;
	struct t_report rep;
	unsigned int hist[VXFWD_C_MAX];
	int verbose;
};

#define fail(t, name, ...) t_fail(&(t)->rep, name, __VA_ARGS__)

static struct pkt pkt_buf;
static __u8 exp_buf[HX_OUT_MAX];

/* The forwarded frame of `p` to `nat` (either family), into exp_buf. */
static int expect(const struct pkt *p, const char *nat, __u16 nat_port)
{
	struct in6_addr a6;

	if (!strchr(nat, ':'))
		return pkt_expect(p->buf + p->inner_off, p->inner_len, hx_addr(nat), nat_port,
				  hx_nh_mac, hx_egress_mac, exp_buf);
	if (inet_pton(AF_INET6, nat, &a6) != 1)
		return -EINVAL;
	return pkt_expect6(p->buf + p->inner_off, p->inner_len, a6.s6_addr, nat_port, hx_nh_mac,
			   hx_egress_mac, exp_buf);
}

/*
 * Run frame `p` and check it lands in `want`; FORWARD frames must come out
 * as pkt_expect() computes them for (nat, nat_port) through rule `rule`.
 */
static void run_one(struct t *t, const char *name, const struct pkt *p, enum vxfwd_counter want,
		    const char *rule, const char *nat, __u16 nat_port)
{
	struct vxfwd_count a[VXFWD_C_MAX], b[VXFWD_C_MAX];
	struct hx_want w = {.counter = want, .rule = rule, .exp = exp_buf, .exp_len = p->inner_len};
	int ret;

	t->rep.cases++;
	t->hist[want]++;
	if (want == VXFWD_C_FORWARD && expect(p, nat, nat_port)) {
		fail(t, name, "cannot compute the expected frame");
		return;
	}
	ret = hx_run_counted(&t->h, p->buf, p->len, 1, a, b);
	if (ret < 0) {
		fail(t, name, "BPF_PROG_TEST_RUN: %s", strerror(-ret));
		return;
	}
	if (t->verbose)
		printf("# %s: %zu bytes: verdict %u\n", name, p->len, t->h.retval);
	hx_judge(&t->rep, name, &t->h, p->buf, p->len, a, b, &w);
}

static void run_cases(struct t *t)
{
	const struct corpus_case *c;
	size_t i;

	for (i = 0; i < corpus_n_cases; i++) {
		c = &corpus_cases[i];
		if (corpus_build(c, &pkt_buf)) {
			fail(t, c->name, "cannot build the frame");
			continue;
		}
		run_one(t, c->name, &pkt_buf, c->want, c->rule, c->nat, c->nat_port);
	}
}

static enum vxfwd_counter sweep_want(const struct corpus_sweep *s, const size_t *bound, size_t len)
{
	int b;

	for (b = 0; b < CB_MAX; b++)
		if (len < bound[b])
			return s->band[b];
	return s->full;
}

/* Cut the sweep's frame to every length from ETH_HLEN to whole. */
static void run_sweep(struct t *t, const struct corpus_sweep *s)
{
	size_t bound[CB_MAX], full, len;
	struct pkt_spec spec;
	/* corpus_rules: "ssh" or "dns", "ssh6" or "dns6" for inner IPv6 */
	int tcp = s->p.i_proto == IPPROTO_TCP;
	const char *rule = s->p.i6 ? (tcp ? "ssh6" : "dns6") : (tcp ? "ssh" : "dns");
	char name[160];
	int ret;

	ret = corpus_bounds(&s->p, bound);
	if (ret < 0) {
		fail(t, s->name, "cannot compute the header bounds: %s", strerror(-ret));
		return;
	}
	if (pkt_build(&s->p, &pkt_buf)) {
		fail(t, s->name, "cannot build the frame");
		return;
	}
	full = pkt_buf.len;
	for (len = ETH_HLEN; len <= full; len++) {
		spec = corpus_sweep_spec(s, full, len);
		if (pkt_build(&spec, &pkt_buf)) {
			fail(t, s->name, "cannot build the frame cut to %zu bytes", len);
			return;
		}
		snprintf(name, sizeof(name), "sweep-%s-cut-%zu", s->name, len);
		run_one(t, name, &pkt_buf, sweep_want(s, bound, len), rule,
			s->p.i6 ? "fd00:82::5" : "172.30.82.95", tcp ? 2222 : 8081);
	}
}

/* Write the sweep's outer length with every value, and 65535. */
static void run_len_sweep(struct t *t, const struct corpus_len_sweep *s)
{
	int tcp = s->p.i_proto == IPPROTO_TCP;
	enum vxfwd_counter want;
	unsigned int v, max;
	char name[160];

	if (pkt_build(&s->p, &pkt_buf)) {
		fail(t, s->name, "cannot build the frame");
		return;
	}
	max = corpus_len_max(pkt_buf.len);
	for (v = 1; v <= max + 1; v++) {
		if (v > max)
			v = 65535;
		if (corpus_len_build(s, v, &pkt_buf, &want)) {
			fail(t, s->name, "cannot build the frame with length %u", v);
			return;
		}
		snprintf(name, sizeof(name), "len-%s-%u", s->name, v);
		run_one(t, name, &pkt_buf, want, tcp ? "ssh" : "dns", "172.30.82.95",
			tcp ? 2222 : 8081);
	}
}

static void run_sweeps(struct t *t)
{
	size_t i;

	for (i = 0; i < corpus_n_sweeps; i++)
		run_sweep(t, &corpus_sweeps[i]);
	for (i = 0; i < corpus_n_len_sweeps; i++)
		run_len_sweep(t, &corpus_len_sweeps[i]);
}

/* ---- export for the lab ------------------------------------------------ */

struct export
{
	struct pcap_frame *f;
	size_t n, cap;
	unsigned int hist[VXFWD_C_MAX];
	size_t mtu;
};

static int export_add(struct export *x, const struct pkt *p, enum vxfwd_counter want)
{
	struct pcap_frame *nf;
	__u8 *d;

	if (p->len > x->mtu + ETH_HLEN)
		return 0;
	if (x->n == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 1024;
		nf = realloc(x->f, x->cap * sizeof(*nf));
		if (!nf)
			return -ENOMEM;
		x->f = nf;
	}
	d = malloc(p->len);
	if (!d)
		return -ENOMEM;
	memcpy(d, p->buf, p->len);
	x->f[x->n++] = (struct pcap_frame){d, p->len};
	x->hist[want]++;
	return 0;
}

static int export_len_frames(struct export *x)
{
	const struct corpus_len_sweep *s;
	enum vxfwd_counter want;
	unsigned int v, max;
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < corpus_n_len_sweeps; i++) {
		s = &corpus_len_sweeps[i];
		if (pkt_build(&s->p, &pkt_buf))
			continue;
		max = corpus_len_max(pkt_buf.len);
		for (v = 1; !ret && v <= max + 1; v++) {
			if (v > max)
				v = 65535;
			if (!corpus_len_build(s, v, &pkt_buf, &want))
				ret = export_add(x, &pkt_buf, want);
		}
	}
	return ret;
}

static int export_frames(struct export *x)
{
	const struct corpus_sweep *s;
	size_t i, bound[CB_MAX], full, len;
	struct pkt_spec spec;
	int ret = 0;

	for (i = 0; !ret && i < corpus_n_cases; i++)
		if (!corpus_build(&corpus_cases[i], &pkt_buf))
			ret = export_add(x, &pkt_buf, corpus_cases[i].want);
	for (i = 0; !ret && i < corpus_n_sweeps; i++) {
		s = &corpus_sweeps[i];
		if (corpus_bounds(&s->p, bound) || pkt_build(&s->p, &pkt_buf))
			continue;
		full = pkt_buf.len;
		for (len = ETH_HLEN; !ret && len <= full; len++) {
			spec = corpus_sweep_spec(s, full, len);
			if (!pkt_build(&spec, &pkt_buf))
				ret = export_add(x, &pkt_buf, sweep_want(s, bound, len));
		}
	}
	return ret ? ret : export_len_frames(x);
}

static int write_text(const char *dir, const char *name, const char *text)
{
	char path[4096];
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	if (fputs(text, f) == EOF)
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

static int export_corpus(const char *dir, size_t mtu)
{
	struct export x = {.mtu = mtu};
	char path[4096], line[4096] = "";
	size_t i, off = 0;
	int ret;

	ret = export_frames(&x);
	if (!ret) {
		snprintf(path, sizeof(path), "%s/corpus.pcap", dir);
		ret = pcap_write(path, x.f, x.n);
	}
	for (i = 0; i < VXFWD_C_MAX; i++)
		if (x.hist[i] && off < sizeof(line))
			off += (size_t)snprintf(line + off, sizeof(line) - off, "%s %u\n",
						vxfwd_counter_names[i], x.hist[i]);
	if (!ret)
		ret = write_text(dir, "corpus.expect", line);
	if (!ret)
		ret = write_text(dir, "corpus.rules", corpus_rules);
	for (i = 0; i < x.n; i++)
		free((void *)x.f[i].data);
	free(x.f);
	if (ret < 0)
		fprintf(stderr, "test_corpus: %s: writing the corpus failed: %s\n", dir,
			strerror(-ret));
	else
		printf("# %zu frames written to %s/corpus.pcap\n", x.n, dir);
	return ret < 0 ? T_EXIT_FAIL : T_EXIT_PASS;
}

int main(int argc, char **argv)
{
	static struct t t;
	struct vxfwd_count zero[VXFWD_C_MAX] = {{0}}, end[VXFWD_C_MAX];
	char why[200] = "cannot read the counters";
	int ret, i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "-w"))
		return export_corpus(argv[2], 9216);
	t.verbose = argc > 1 && !strcmp(argv[1], "-v");
	t_report_init(&t.rep, "corpus-fail");
	ret = hx_open(&t.h, 0);
	if (ret == T_EXIT_SKIP)
		return ret;
	if (ret < 0) {
		fprintf(stderr, "FAIL: vxfwd.bpf.o: load: %s\n", strerror(-ret));
		ret = T_EXIT_FAIL;
		goto out;
	}
	ret = hx_apply(&t.h, "corpus", corpus_rules, corpus_nexthops);
	if (ret < 0) {
		fprintf(stderr, "FAIL: corpus rules: %s\n", strerror(-ret));
		ret = T_EXIT_FAIL;
		goto out;
	}
	run_cases(&t);
	run_sweeps(&t);
	if (hx_counters(&t.h, end) || hx_sum_check(zero, end, why, sizeof(why)))
		fail(&t, "invariant", "%s", why);
	printf("# %zu cases, %zu sweeps, %zu length sweeps, %u runs, %u failed; verdicts:",
	       corpus_n_cases, corpus_n_sweeps, corpus_n_len_sweeps, t.rep.cases, t.rep.failed);
	for (i = 0; i < VXFWD_C_MAX; i++)
		if (t.hist[i])
			printf(" %s=%u", vxfwd_counter_names[i], t.hist[i]);
	printf("\n");
	ret = t.rep.failed ? T_EXIT_FAIL : T_EXIT_PASS;
out:
	hx_close(&t.h);
	return ret;
}
