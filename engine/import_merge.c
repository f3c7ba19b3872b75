// SPDX-License-Identifier: GPL-2.0-only
/*
 * import_merge.c - the addresses of an imported allowlist settled into what
 * is printed: each prefix once per organization, the flat list's entries
 * that no organization's prefix holds, a warning for a prefix that two
 * organizations share.
 */
#include <stdio.h>
#include <stdlib.h>

#include "import.h"
#include "vxfwd_dsl.h"

static int pfx_cmp(const void *pa, const void *pb)
{
	const struct imp_pfx *a = pa, *b = pb;
	int c = vxfwd_pfx_order(a->addr, a->plen, b->addr, b->plen);

	if (c)
		return c;
	if (a->org != b->org)
		return a->org < b->org ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

static int order_cmp(const void *pa, const void *pb)
{
	const struct imp_pfx *a = pa, *b = pb;

	return a->order < b->order ? -1 : a->order > b->order;
}

/* Is addr/plen inside some prefix of the sorted array `s`? */
static int held(const struct imp_pfx *s, size_t n, __u32 addr, unsigned int plen)
{
	struct imp_pfx key;
	size_t lo, hi, mid;
	unsigned int len;

	for (len = 0; len <= plen; len++) {
		key.addr = len ? addr & (0xffffffffu << (32 - len)) : 0;
		key.plen = len;
		key.order = 0;
		lo = 0;
		hi = n;
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (s[mid].addr < key.addr ||
			    (s[mid].addr == key.addr && s[mid].plen < key.plen))
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < n && s[lo].addr == key.addr && s[lo].plen == len)
			return 1;
	}
	return 0;
}

/* A prefix in two organizations (pfx[] sorted): counted under the first. */
static void warn_shared(const struct import *im, size_t n)
{
	const struct imp_pfx *a = NULL, *b;
	size_t i;

	for (i = 0; i < n; i++) {
		b = &im->pfx[i];
		if (!a || a->addr != b->addr || a->plen != b->plen) {
			a = b; /* the first of the prefix: the one counted */
			continue;
		}
		if (a->org == b->org)
			continue;
		fprintf(stderr,
			"%s: warning: %u.%u.%u.%u/%u is in organizations '%s' and '%s'; "
			"vxfwd counts it under '%s'\n",
			im->path, a->addr >> 24, (a->addr >> 16) & 0xff, (a->addr >> 8) & 0xff,
			a->addr & 0xff, a->plen, im->orgs[a->org].name, im->orgs[b->org].name,
			im->orgs[a->org].name);
		while (i + 1 < n && im->pfx[i + 1].addr == a->addr &&
		       im->pfx[i + 1].plen == a->plen)
			i++; /* once per prefix */
	}
}

/* qsort() of `n` prefixes; none or one (pfx may then be NULL) is sorted. */
static void pfx_sort(struct imp_pfx *pfx, size_t n, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(pfx, n, sizeof(*pfx), cmp);
}

/*
 * Sort out what is printed: duplicates within one organization (or within
 * the flat list) dropped, flat-list entries that an organization's prefix
 * holds dropped.  pfx[] ends in input order.
 */
void import_settle(struct import *im, size_t *n_unassigned)
{
	size_t i, k, n_org = im->n_org_pfx;

	pfx_sort(im->pfx, n_org, pfx_cmp);
	warn_shared(im, n_org);
	for (i = k = 0; i < n_org; i++)
		if (!k || im->pfx[i].addr != im->pfx[k - 1].addr ||
		    im->pfx[i].plen != im->pfx[k - 1].plen || im->pfx[i].org != im->pfx[k - 1].org)
			im->pfx[k++] = im->pfx[i];
	/* keep the sorted organizations' prefixes for the lookups below */
	for (i = n_org, *n_unassigned = 0; i < im->n_pfx; i++)
		if (!held(im->pfx, k, im->pfx[i].addr, im->pfx[i].plen))
			im->pfx[k + (*n_unassigned)++] = im->pfx[i];
	pfx_sort(im->pfx + k, *n_unassigned, pfx_cmp);
	for (i = 0, n_org = k; i < *n_unassigned; i++)
		if (!i || im->pfx[n_org + i].addr != im->pfx[k - 1].addr ||
		    im->pfx[n_org + i].plen != im->pfx[k - 1].plen)
			im->pfx[k++] = im->pfx[n_org + i];
	*n_unassigned = k - n_org;
	im->n_pfx = k;
	im->n_org_pfx = n_org;
	pfx_sort(im->pfx, n_org, order_cmp);
	pfx_sort(im->pfx + n_org, *n_unassigned, order_cmp);
}
