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
 *
 * Members are of both families, mixed in the sets: an IPv6 member is the
 * same draw moved into 2001:db8::/96 (low 32 bits, length + 96), so that
 * IPv4 and IPv6 members share their low bits and any leak of one family's
 * entries into the other's trie or merge shows.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vxfwd_dsl.h"

#define N_MEMBERS 48
#define N_SETS 3
#define N_ORGS 3

#define V6_NET "2001:db8::"	/* the /96 IPv6 members live in */

struct member {
	int v6;		/* 1: the address is V6_NET + addr, length plen + 96 */
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
static void expect(const struct member *m, size_t n, const int *slot, int v6, __u32 a,
		   __u64 *sets, __u32 *org)
{
	const struct member *best = NULL;
	size_t i;

	*sets = 0;
	for (i = 0; i < n; i++) {
		if (m[i].v6 != v6 || (a & mask(m[i].plen)) != m[i].addr)
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

/*
 * The length (in the 32 bits of the model) of IPv6 entry `op` if it lies in
 * V6_NET and matches `a`, else -1.  An entry shorter than /96 would cover
 * what no member holds: reported by the caller as a mismatch.
 */
static int match6(const struct vxfwd_op *op, __u32 a)
{
	struct in6_addr net;
	unsigned int plen = op->key.lpm6.prefixlen - 32;
	__u32 low;

	inet_pton(AF_INET6, V6_NET, &net);
	if (plen < 96)
		return (int)plen - 96;
	if (memcmp(op->key.lpm6.addr, net.s6_addr, 12))
		return -200;
	memcpy(&low, op->key.lpm6.addr + 12, 4);
	return (a & mask(plen - 96)) == ntohl(low) ? (int)plen - 96 : -200;
}

/* The length of the entry `op` matching `a` of its family, or < 0. */
static int match_len(const struct vxfwd_op *op, int v6, __u32 a)
{
	unsigned int plen;

	if (op->map == VXFWD_MAP_LPM6)
		return v6 ? match6(op, a) : -200;
	if (op->map != VXFWD_MAP_LPM || v6)
		return -200;
	plen = op->key.lpm.prefixlen - 32;
	return (a & mask(plen)) == ntohl(op->key.lpm.addr) ? (int)plen : -200;
}

/* Longest match among the compiled LPM entries of the family. */
static void lookup(const struct vxfwd_ruleset *rs, int v6, __u32 a, __u64 *sets, __u32 *org)
{
	const struct vxfwd_op *best = NULL;
	int len, best_len = -1;
	size_t i;

	for (i = 0; i < rs->n_ops; i++) {
		len = match_len(&rs->ops[i], v6, a);
		if (len < -100)
			continue;
		if (len < 0) {
			/* an IPv6 entry above V6_NET: never the right answer */
			*sets = ~0ull;
			*org = ~0u;
			return;
		}
		if (len > best_len) {
			best = &rs->ops[i];
			best_len = len;
		}
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
			if (m[i].v6)
				fprintf(f, " %s%x:%x/%u ", V6_NET, m[i].addr >> 16,
					m[i].addr & 0xffff, m[i].plen + 96);
			else
				fprintf(f, " %u.%u.%u.%u/%u ", m[i].addr >> 24,
					(m[i].addr >> 16) & 0xff, (m[i].addr >> 8) & 0xff,
					m[i].addr & 0xff, m[i].plen);
			fputs(m[i].org >= 0 ? "}\n" : "\n", f);
		}
		fputs("}\n", f);
	}
	for (s = 0; s < N_SETS; s++)
		fprintf(f, "forward udp from @s%d to port %d dnat 192.0.2.1\n"
			"forward udp from @s%d to port %d dnat fd00::1\n", s, 100 + s, s, 200 + s);
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
	int v6;
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
		/* every set holds both families (a rule of each family takes it) */
		m[i].v6 = i < 2 * N_SETS ? i >= N_SETS : (int)rnd(2);
		if (i < 2 * N_SETS)
			m[i].set = (int)(i % N_SETS);
		if (i >= 2 * N_SETS && rnd(4) == 0) {
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
		for (j = 0; j < 8 && !bad; j++) {
			/* each probe in both families */
			a = probe[j / 2];
			v6 = (int)(j & 1);
			expect(m, N_MEMBERS, slot, v6, a, &ws, &wo);
			lookup(rs, v6, a, &gs, &go);
			if (ws != gs || wo != go) {
				fprintf(stderr, "round %u: %s%u.%u.%u.%u: sets 0x%llx org %u, expected "
					"sets 0x%llx org %u\n%s", round, v6 ? "IPv6 (low bits) " : "",
					a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff,
					(unsigned long long)gs, go, (unsigned long long)ws, wo, text);
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
	printf("lpm merge: %u random rule sets of IPv4 and IPv6 prefixes, every probed address keeps its sets and organization\n",
	       rounds);
	return 0;
}
