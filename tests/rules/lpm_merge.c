// SPDX-License-Identifier: GPL-2.0-only
/*
 * lpm_merge.c - merging LPM entries changes no verdict and no counter.
 *
 * Random rules files: a few sets of prefixes drawn from a small address
 * range (so that they touch, nest and repeat), some inside organizations,
 * one set nested in another.  For each, the value every address must get
 * (the bits of the sets holding it; the organization of its most specific
 * member that has one, the first organization on a tie) is computed here by
 * brute force over the members as written, and compared with the longest
 * match in the LPM entries the compiler emits, for every address at and
 * around each member's ends.  Also checks that 256 contiguous /32s of one
 * organization compile to one /24 entry.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vxfwd_dsl.h"

#define N_MEMBERS 48
#define N_SETS 3
#define N_ORGS 3

struct member {
	__u32 addr;
	unsigned int plen;
	int set;	/* 0..N_SETS-1; set 2 also holds all of set 0 (@s0 in it) */
	int org;	/* -1 or 0..N_ORGS-1 */
	int order;	/* position in the file: ties go to the first org written */
};

static __u32 mask(unsigned int plen)
{
	return plen ? ~0u << (32 - plen) : 0;
}

static unsigned int rnd(unsigned int n)
{
	return (unsigned int)random() % n;
}

/* The value by brute force: sets mask and org slot + 1 (slots by first appearance). */
static void expect(const struct member *m, size_t n, const int *slot, __u32 a, __u64 *sets,
		   __u32 *org)
{
	const struct member *best = NULL;
	size_t i;

	*sets = 0;
	for (i = 0; i < n; i++) {
		if ((a & mask(m[i].plen)) != m[i].addr)
			continue;
		*sets |= 1ull << m[i].set;
		if (m[i].set == 0)
			*sets |= 1ull << 2;
		if (m[i].org < 0)
			continue;
		if (!best || m[i].plen > best->plen ||
		    (m[i].plen == best->plen && slot[m[i].org] < slot[best->org]))
			best = &m[i];
	}
	*org = best ? (__u32)slot[best->org] + 1 : 0;
}

/* Longest match among the compiled LPM entries. */
static void lookup(const struct vxfwd_ruleset *rs, __u32 a, __u64 *sets, __u32 *org)
{
	const struct vxfwd_op *best = NULL, *op;
	unsigned int plen;
	size_t i;

	for (i = 0; i < rs->n_ops; i++) {
		op = &rs->ops[i];
		if (op->map != VXFWD_MAP_LPM)
			continue;
		plen = op->key.lpm.prefixlen - 32;
		if ((a & mask(plen)) != ntohl(op->key.lpm.addr))
			continue;
		if (!best || plen > best->key.lpm.prefixlen - 32)
			best = op;
	}
	*sets = best ? best->val.lpm.sets : 0;
	*org = best ? best->val.lpm.org : 0;
}

/* Write the members as a rules file; orgs[] gets the slot of each org. */
static char *write_rules(const struct member *m, size_t n, int *slot)
{
	static const char *const names[N_ORGS] = { "A", "B", "C" };
	char *text = NULL;
	size_t len = 0, i;
	int s, next = 0, o;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	for (o = 0; o < N_ORGS; o++)
		slot[o] = -1;
	fputs("ingress lo { vni 1 }\negress nosuchif0\n", f);
	for (s = 0; s < N_SETS; s++) {
		fprintf(f, "set s%d {\n", s);
		if (s == 2)
			fputs("\t@s0\n", f);
		for (i = 0; i < n; i++) {
			if (m[i].set != s)
				continue;
			if (m[i].org >= 0 && slot[m[i].org] < 0)
				slot[m[i].org] = next++;
			if (m[i].org >= 0)
				fprintf(f, "\torg \"%s\" id %d {", names[m[i].org], m[i].org + 1);
			fprintf(f, " %u.%u.%u.%u/%u ", m[i].addr >> 24, (m[i].addr >> 16) & 0xff,
				(m[i].addr >> 8) & 0xff, m[i].addr & 0xff, m[i].plen);
			fputs(m[i].org >= 0 ? "}\n" : "\n", f);
		}
		fputs("}\n", f);
	}
	for (s = 0; s < N_SETS; s++)
		fprintf(f, "forward udp from @s%d to port %d dnat 192.0.2.1\n", s, 100 + s);
	fclose(f);
	return text;
}

static int one_round(unsigned int round)
{
	struct member m[N_MEMBERS];
	struct vxfwd_ruleset *rs = NULL;
	int slot[N_ORGS], bad = 0, ret;
	__u64 ws, gs;
	__u32 wo, go, a, probe[4];
	size_t i, j;
	char *text;

	for (i = 0; i < N_MEMBERS; i++) {
		/* 10.0.0.0/22 and a few shorter prefixes around it */
		m[i].plen = 22 + rnd(11);
		if (!rnd(12))
			m[i].plen = 16 + rnd(6);
		m[i].addr = (0x0a000000u | rnd(1024)) & mask(m[i].plen);
		m[i].set = (int)rnd(N_SETS);
		m[i].org = rnd(3) ? (int)rnd(N_ORGS) : -1;
		m[i].order = (int)i;
		if (i && rnd(4) == 0) {
			/* the neighbour of an earlier member, often with its org and set */
			m[i] = m[rnd((unsigned int)i)];
			m[i].addr ^= 1u << (32 - m[i].plen);
			m[i].order = (int)i;
		}
	}
	text = write_rules(m, N_MEMBERS, slot);
	if (!text)
		return 1;
	ret = vxfwd_dsl_load("merge.rules", text, VXFWD_DSL_F_QUIET, NULL, stderr, &rs);
	if (ret) {
		fprintf(stderr, "round %u: load failed: %d\n%s", round, ret, text);
		free(text);
		return 1;
	}
	for (i = 0; i < N_MEMBERS && !bad; i++) {
		probe[0] = m[i].addr;
		probe[1] = m[i].addr - 1;
		probe[2] = m[i].addr | ~mask(m[i].plen);
		probe[3] = probe[2] + 1;
		for (j = 0; j < 4 && !bad; j++) {
			a = probe[j];
			expect(m, N_MEMBERS, slot, a, &ws, &wo);
			lookup(rs, a, &gs, &go);
			if (ws != gs || wo != go) {
				fprintf(stderr, "round %u: %u.%u.%u.%u: sets 0x%llx org %u, expected "
					"sets 0x%llx org %u\n%s", round, a >> 24, (a >> 16) & 0xff,
					(a >> 8) & 0xff, a & 0xff, (unsigned long long)gs, go,
					(unsigned long long)ws, wo, text);
				vxfwd_ruleset_dump(rs, stderr);
				bad = 1;
			}
		}
	}
	vxfwd_ruleset_free(rs);
	free(text);
	return bad;
}

/* 256 contiguous /32s of one organization: one /24 entry. */
static int check_slash24(void)
{
	struct vxfwd_ruleset *rs = NULL;
	size_t len = 0, i, n_lpm = 0;
	char *text = NULL;
	FILE *f = open_memstream(&text, &len);
	int ret, bad = 0;

	if (!f)
		return 1;
	fputs("ingress lo { vni 1 }\negress nosuchif0\nset s { org \"A\" id 1 {\n", f);
	for (i = 0; i < 256; i++)
		fprintf(f, "198.51.100.%zu\n", i);
	fputs("} }\nforward udp from @s to port 53 dnat 192.0.2.1\n", f);
	fclose(f);
	ret = vxfwd_dsl_load("slash24.rules", text, VXFWD_DSL_F_QUIET, NULL, stderr, &rs);
	free(text);
	if (ret)
		return 1;
	for (i = 0; i < rs->n_ops; i++) {
		if (rs->ops[i].map != VXFWD_MAP_LPM)
			continue;
		n_lpm++;
		if (rs->ops[i].key.lpm.prefixlen != 32 + 24 ||
		    ntohl(rs->ops[i].key.lpm.addr) != 0xc6336400u || rs->ops[i].val.lpm.org != 1)
			bad = 1;
	}
	if (n_lpm != 1 || rs->n_prefixes != 256 || bad) {
		fprintf(stderr, "slash24: %zu LPM entries from %zu prefixes\n", n_lpm,
			rs->n_prefixes);
		vxfwd_ruleset_dump(rs, stderr);
		bad = 1;
	}
	vxfwd_ruleset_free(rs);
	return bad;
}

int main(int argc, char **argv)
{
	unsigned int rounds = argc > 1 ? (unsigned int)atoi(argv[1]) : 400, r;
	int fail = 0;

	srandom(14);
	fail |= check_slash24();
	for (r = 0; r < rounds && !fail; r++)
		fail |= one_round(r);
	if (fail)
		return 1;
	printf("lpm merge: %u random rule sets, every probed address keeps its sets and organization\n",
	       rounds);
	return 0;
}
