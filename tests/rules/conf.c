// SPDX-License-Identifier: GPL-2.0-only
/*
 * conf.c - conf/'s parsers, which `run`'s options and the rules file's
 * engine block share: each table row is an input and what comes of it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vxfwd_conf.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *s;
	unsigned long long min, max;
	int ret;
	unsigned long long v;
} sizes[] = {
	{ "0", 0, 10, 0, 0 },
	{ "10", 0, 10, 0, 10 },
	{ "11", 0, 10, -ERANGE, 0 },
	{ "4M", 0, 1ull << 30, 0, 4ull << 20 },
	{ "64K", 0, 1ull << 30, 0, 64ull << 10 },
	{ "1G", 0, 1ull << 30, 0, 1ull << 30 },
	{ "2G", 0, 1ull << 30, -ERANGE, 0 },
	{ "4T", 0, ~0ull, -EINVAL, 0 },
	{ "4k", 0, ~0ull, -EINVAL, 0 },
	{ "4MB", 0, ~0ull, -EINVAL, 0 },
	{ "-1", 0, ~0ull, -EINVAL, 0 },
	{ "", 0, ~0ull, -EINVAL, 0 },
	{ "K", 0, ~0ull, -EINVAL, 0 },
	{ "17179869184G", 0, ~0ull, -EINVAL, 0 },	/* 2^64 bytes */
	{ "99999999999999999999", 0, ~0ull, -EINVAL, 0 },
};

static const struct {
	const char *s;
	int ret;
	unsigned int n;
	unsigned int cpus[4];
} cpu_lists[] = {
	{ "0,2-3", 0, 3, { 0, 2, 3 } },
	{ "5", 0, 1, { 5 } },
	{ "1,", 0, 1, { 1 } },
	{ "3-3", 0, 1, { 3 } },
	{ "1023", 0, 1, { 1023 } },
	{ "1024", -EINVAL, 0, { 0 } },
	{ "3-2", -EINVAL, 0, { 0 } },
	{ "0-15", 0, 16, { 0, 1, 2, 3 } },
	{ "0-16", -E2BIG, 0, { 0 } },
	{ "", -EINVAL, 0, { 0 } },
	{ ",", -EINVAL, 0, { 0 } },
	{ "1-", -EINVAL, 0, { 0 } },
	{ "1;2", -EINVAL, 0, { 0 } },
};

static const struct {
	const char *s;
	int ret;
	enum vxfwd_sched sched;
	unsigned int prio;
} scheds[] = {
	{ "other", 0, VXFWD_SCHED_OTHER, 0 },
	{ "fifo:50", 0, VXFWD_SCHED_FIFO, 50 },
	{ "rr:1", 0, VXFWD_SCHED_RR, 1 },
	{ "rr:99", 0, VXFWD_SCHED_RR, 99 },
	{ "rr:100", -EINVAL, VXFWD_SCHED_UNSET, 0 },
	{ "fifo:0", -EINVAL, VXFWD_SCHED_UNSET, 0 },
	{ "fifo", -EINVAL, VXFWD_SCHED_UNSET, 0 },
	{ "other:1", -EINVAL, VXFWD_SCHED_UNSET, 0 },
	{ "batch", -EINVAL, VXFWD_SCHED_UNSET, 0 },
	{ "fifo:", -EINVAL, VXFWD_SCHED_UNSET, 0 },
};

static int check_sizes(void)
{
	unsigned long long v;
	size_t i;
	int bad = 0, ret;

	for (i = 0; i < N_ELEMS(sizes); i++) {
		v = 0;
		ret = vxfwd_conf_parse_size(sizes[i].s, sizes[i].min, sizes[i].max, &v);
		if (ret != sizes[i].ret || (!ret && v != sizes[i].v)) {
			fprintf(stderr, "conf: size '%s': ret %d value %llu\n", sizes[i].s, ret, v);
			bad = 1;
		}
	}
	return bad;
}

static int check_cpus(void)
{
	struct vxfwd_engine_conf c;
	size_t i;
	int bad = 0, ret;

	for (i = 0; i < N_ELEMS(cpu_lists); i++) {
		vxfwd_engine_conf_init(&c);
		ret = vxfwd_conf_parse_cpus(cpu_lists[i].s, &c);
		if (ret != cpu_lists[i].ret ||
		    (!ret && (c.n_cpus != cpu_lists[i].n ||
			      memcmp(c.cpus, cpu_lists[i].cpus,
				     sizeof(unsigned int) * (c.n_cpus < 4 ? c.n_cpus : 4))))) {
			fprintf(stderr, "conf: cpus '%s': ret %d, %u cpus\n", cpu_lists[i].s, ret,
				c.n_cpus);
			bad = 1;
		}
	}
	return bad;
}

static int check_scheds(void)
{
	struct vxfwd_engine_conf c;
	size_t i;
	int bad = 0, ret;

	for (i = 0; i < N_ELEMS(scheds); i++) {
		vxfwd_engine_conf_init(&c);
		ret = vxfwd_conf_parse_sched(scheds[i].s, &c);
		if (ret != scheds[i].ret || c.sched != scheds[i].sched ||
		    c.sched_prio != scheds[i].prio) {
			fprintf(stderr, "conf: sched '%s': ret %d, policy %d prio %u\n",
				scheds[i].s, ret, c.sched, c.sched_prio);
			bad = 1;
		}
	}
	return bad;
}

/* Every word of the tables names its value back and forth. */
static int check_words(void)
{
	const struct vxfwd_conf_word *w;
	int bad = 0;

	for (w = vxfwd_backend_words; w->name; w++)
		bad |= vxfwd_backend_parse(w->name) != (enum vxfwd_backend)w->value ||
		       strcmp(vxfwd_backend_name((enum vxfwd_backend)w->value), w->name);
	for (w = vxfwd_sched_words; w->name; w++)
		bad |= vxfwd_sched_parse(w->name) != (enum vxfwd_sched)w->value ||
		       strcmp(vxfwd_sched_name((enum vxfwd_sched)w->value), w->name);
	bad |= vxfwd_backend_name(VXFWD_BACKEND_UNSET) != NULL ||
	       vxfwd_backend_parse("nope") != VXFWD_BACKEND_UNSET;
	if (bad)
		fprintf(stderr, "conf: the word tables do not name their values back\n");
	return bad;
}

static int check_ring(void)
{
	char buf[32];
	int bad;

	bad = vxfwd_conf_ring_check(64ull << 10) || vxfwd_conf_ring_check(1ull << 30) ||
	      vxfwd_conf_ring_check(32ull << 10) != -ERANGE ||
	      vxfwd_conf_ring_check(2ull << 30) != -ERANGE ||
	      vxfwd_conf_ring_check(3ull << 20) != -EDOM;
	vxfwd_conf_fmt_size(buf, sizeof(buf), 3ull << 20);
	bad |= strcmp(buf, "3M") != 0;
	vxfwd_conf_fmt_size(buf, sizeof(buf), 1000);
	bad |= strcmp(buf, "1000") != 0;
	if (bad)
		fprintf(stderr, "conf: ring sizes checked or printed wrong\n");
	return bad;
}

int main(void)
{
	int bad = check_sizes() | check_cpus() | check_scheds() | check_words() | check_ring();

	if (!bad)
		printf("conf: ok\n");
	return bad;
}
