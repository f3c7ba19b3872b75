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

/* One address or prefix (host order), and whose it is. */
struct imp_pfx {
	__u32 addr;
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

/* "FILE: error: PATH: message" on stderr, counted in im->errors. */
void imp_error(struct import *im, const char *where, const char *fmt, ...)
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
