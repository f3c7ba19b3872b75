/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * import.h - what `vxfwd import-allowlist` (cmd_import.c) holds while it
 * works: the organizations and addresses read from the JSON allowlist
 * (import_json.c), then settled into what is printed (import_merge.c).
 */
#ifndef VXFWD_IMPORT_H
#define VXFWD_IMPORT_H

#include <stddef.h>
#include <linux/types.h>

#define IMPORT_MAX_BYTES (256u << 20)
#define IMPORT_NAME_MAX	 127 /* struct vxfwd_org_info.name holds 128 bytes */

/*
 * One address or prefix, and whose it is.  The address is kept as the
 * rules language keeps it: 128 bits, an IPv4 one in the top 32, so that a
 * prefix length masks both families alike.
 */
struct imp_pfx {
	unsigned __int128 addr;
	unsigned int fam; /* 4 or 6 */
	unsigned int plen;
	size_t org;   /* index in orgs[]; SIZE_MAX: the flat list */
	size_t order; /* position in the input */
};

struct imp_org {
	const char *name; /* points into the JSON tree */
	unsigned long long id;
};

struct import {
	const char *path;
	struct imp_org *orgs;
	size_t n_orgs;
	struct imp_pfx *pfx; /* organizations' prefixes, then the flat list's */
	size_t n_pfx, cap_pfx;
	size_t n_org_pfx; /* how many of pfx[] are organizations' */
	int errors;
};

struct json_object;

/* The address text of an allowlist entry: "a.b.c.d" or RFC 5952, then "/len". */
#define IMP_PFX_STRLEN 64

/* The top plen bits of 128. */
static inline unsigned __int128 imp_mask(unsigned int plen)
{
	return plen ? ~(unsigned __int128)0 << (128 - plen) : 0;
}

/* p as the rules language writes it; "/len" only when it is not a host's. */
void imp_fmt(char *buf, size_t len, const struct imp_pfx *p);

/* "FILE: error: PATH: message" on stderr, counted in im->errors. */
void imp_error(struct import *im, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "FILE: warning: PATH: message" on stderr; not counted. */
void imp_warning(const struct import *im, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * The allowlist at im->path ("-": standard input) read into im->orgs and
 * im->pfx, with *doc the JSON tree their names point into (NULL when there
 * is none).  What is wrong with the file, unreadable included, is reported
 * with imp_error() and leaves im->errors nonzero; returns 0 or -ENOMEM.
 */
int import_read(struct import *im, struct json_object **doc);

/*
 * Drop what is printed twice: an organization's duplicates, flat-list
 * entries an organization's prefix holds; warn of a prefix in two
 * organizations.  The flat list's survivors are the last *n_unassigned of
 * im->pfx, both parts in input order.
 */
void import_settle(struct import *im, size_t *n_unassigned);

#endif /* VXFWD_IMPORT_H */
