// SPDX-License-Identifier: GPL-2.0-only
/*
 * import_merge.c - the addresses of an imported allowlist settled into what
 * is printed: each prefix once per organization, the flat list's entries
 * that no organization's prefix holds, a warning for a prefix that two
 * organizations share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"

/*
 * The order of prefixes, as the rules language sorts them: IPv4 first,
 * then by address, then by length, shortest first.
 */
static int pfx_order(const struct imp_pfx *a, const struct imp_pfx *b)
{
	if (a->fam != b->fam)
		return a->fam < b->fam ? -1 : 1;
	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	if (a->plen != b->plen)
		return a->plen < b->plen ? -1 : 1;
	return 0;
}

static int pfx_cmp(const void *pa, const void *pb)
{
	const struct imp_pfx *a = pa, *b = pb;
	int c = pfx_order(a, b);

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

static int same_pfx(const struct imp_pfx *a, const struct imp_pfx *b)
{
	return !pfx_order(a, b);
}

/* Is p inside some prefix (of its family) of the sorted array `s`? */
static int held(const struct imp_pfx *s, size_t n, const struct imp_pfx *p)
{
	struct imp_pfx key = { .fam = p->fam };
	size_t lo, hi, mid;

	for (key.plen = 0; key.plen <= p->plen; key.plen++) {
		key.addr = p->addr & imp_mask(key.plen);
		lo = 0;
		hi = n;
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (pfx_order(&s[mid], &key) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < n && same_pfx(&s[lo], &key))
			return 1;
	}
	return 0;
}

/* A prefix in two organizations (pfx[] sorted): counted under the first. */
static void warn_shared(const struct import *im, size_t n)
{
	const struct imp_pfx *a = NULL, *b;
	char shown[IMP_PFX_STRLEN];
	size_t i;

	for (i = 0; i < n; i++) {
		b = &im->pfx[i];
		if (!a || !same_pfx(a, b)) {
			a = b; /* the first of the prefix: the one counted */
			continue;
		}
		if (a->org == b->org)
			continue;
		imp_fmt(shown, sizeof(shown), a);
		fprintf(stderr,
			"%s: warning: %s%s is in organizations '%s' and '%s'; "
			"vxfwd counts it under '%s'\n",
			im->path, shown, strchr(shown, '/') ? "" : a->fam == 6 ? "/128" : "/32",
			im->orgs[a->org].name, im->orgs[b->org].name, im->orgs[a->org].name);
		while (i + 1 < n && same_pfx(&im->pfx[i + 1], a))
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
		if (!k || !same_pfx(&im->pfx[i], &im->pfx[k - 1]) ||
		    im->pfx[i].org != im->pfx[k - 1].org)
			im->pfx[k++] = im->pfx[i];
	/* keep the sorted organizations' prefixes for the lookups below */
	for (i = n_org, *n_unassigned = 0; i < im->n_pfx; i++)
		if (!held(im->pfx, k, &im->pfx[i]))
			im->pfx[k + (*n_unassigned)++] = im->pfx[i];
	pfx_sort(im->pfx + k, *n_unassigned, pfx_cmp);
	for (i = 0, n_org = k; i < *n_unassigned; i++)
		if (!i || !same_pfx(&im->pfx[n_org + i], &im->pfx[k - 1]))
			im->pfx[k++] = im->pfx[n_org + i];
	*n_unassigned = k - n_org;
	im->n_pfx = k;
	im->n_org_pfx = n_org;
	pfx_sort(im->pfx, n_org, order_cmp);
	pfx_sort(im->pfx + n_org, *n_unassigned, order_cmp);
}
