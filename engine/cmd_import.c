// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_import.c - `vxfwd import-allowlist [-s set] file`: the allowlist of
 * the previous system (JSON) as vxfwd.rules(5) sets, on standard output.
 *
 *	{
 *	  "organizations": [
 *	    { "org_name": "Example Org", "org_id": "1001",
 *	      "ips": ["198.51.100.10", "203.0.113.0/28"] }
 *	  ],
 *	  "flat_ip_list": ["198.51.100.10", "192.0.2.7"]
 *	}
 *
 * becomes a set SET_unassigned with the addresses of flat_ip_list that no
 * organization holds (a comment says so) and a set SET with one `org` block
 * per organization plus @SET_unassigned.  The JSON is read with json-c;
 * a syntax error is reported at its line and column, a value of the wrong
 * shape by its path (organizations[2].ips[0]).  The text printed is loaded
 * by the rules compiler before it is printed: what `check` would refuse is
 * never printed.
 *
 * Exit: 0; 1 when the file cannot be read or holds something that cannot be
 * imported; 2 on a usage error; 3 when standard output fails.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cmd.h"
#include "log.h"
#include "vxfwd_dsl.h"

#define IMPORT_MAX_BYTES (256u << 20)
#define IMPORT_NAME_MAX 127	/* struct vxfwd_org_info.name holds 128 bytes */

/* One address or prefix (host order), and whose it is. */
struct imp_pfx {
	__u32 addr;
	unsigned int plen;
	size_t org;		/* index in orgs[]; SIZE_MAX: the flat list */
	size_t order;		/* position in the input */
};

struct imp_org {
	const char *name;	/* points into the JSON tree */
	unsigned long long id;
};

struct import {
	const char *path;
	struct imp_org *orgs;
	size_t n_orgs;
	struct imp_pfx *pfx;	/* organizations' prefixes, then the flat list's */
	size_t n_pfx, cap_pfx;
	size_t n_org_pfx;	/* how many of pfx[] are organizations' */
	int errors;
};

static const struct opt import_opts[] = {
	{'s', "set", "set", "Name of the set to print (default allowlist)", 0},
	{0, NULL, NULL, NULL, 0},
};

static const struct opt import_operands[] = {
	{0, NULL, "file", "The JSON allowlist (organizations, flat_ip_list); - reads standard input",
	 0},
	{0, NULL, NULL, NULL, 0},
};

const struct opt_cmd import_allowlist_cmd = {
	.name = "import-allowlist",
	.summary = "Print a JSON allowlist of the previous system as sets of the rules language.",
	.opts = import_opts,
	.synopsis_args = "file",
	.operands = import_operands,
};

static void import_usage(FILE *out)
{
	opt_usage(&import_allowlist_cmd, out);
}

static void imp_error(struct import *im, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "FILE: PATH: message", like the rules' diagnostics but placed by JSON path. */
static void imp_error(struct import *im, const char *where, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: error: %s%s", im->path, where ? where : "", where ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	im->errors++;
}

static int read_file(const char *path, char **out, size_t *out_len)
{
	int fd, ret;

	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	if (fd < 0)
		return -errno;
	ret = vxfwd_read_fd(fd, IMPORT_MAX_BYTES, out, out_len);
	if (fd != STDIN_FILENO)
		close(fd);
	return ret;
}

/* Line and column (1-based, bytes) of offset `off` in `text`. */
static void text_position(const char *text, size_t off, unsigned int *line, unsigned int *col)
{
	size_t i, bol = 0;

	*line = 1;
	for (i = 0; i < off; i++)
		if (text[i] == '\n') {
			(*line)++;
			bol = i + 1;
		}
	*col = (unsigned int)(off - bol + 1);
}

/* The whole document, strictly; syntax errors at their line and column. */
static struct json_object *parse_json(struct import *im, const char *text, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	enum json_tokener_error jerr;
	struct json_object *obj = NULL;
	unsigned int line, col;
	const char *why = NULL;
	size_t end;

	if (!tok) {
		imp_error(im, NULL, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_continue) {
		why = "unexpected end of file";
		end = len;
	} else if (jerr != json_tokener_success) {
		why = json_tokener_error_desc(jerr);
	} else if (end + strspn(text + end, " \t\r\n") < len) {
		end += strspn(text + end, " \t\r\n");
		why = "data after the end of the JSON document";
	}
	if (why) {
		text_position(text, end, &line, &col);
		fprintf(stderr, "%s:%u:%u: error: invalid JSON: %s\n", im->path, line, col, why);
		im->errors++;
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	return obj;
}

/* a.b.c.d or a.b.c.d/n, nothing else; 0 or -EINVAL. */
static int parse_pfx(const char *s, __u32 *addr, unsigned int *plen)
{
	char buf[32], *slash, *end;
	struct in_addr a;
	unsigned long n = 32;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, strlen(s) + 1);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (!slash[1] || strlen(slash + 1) > 2 || slash[1] < '0' || slash[1] > '9')
			return -EINVAL;
		n = strtoul(slash + 1, &end, 10);
		if (*end || n > 32)
			return -EINVAL;
	}
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -EINVAL;
	*addr = ntohl(a.s_addr);
	*plen = (unsigned int)n;
	return 0;
}

static int add_pfx(struct import *im, __u32 addr, unsigned int plen, size_t org)
{
	struct imp_pfx *n;

	if (im->n_pfx == im->cap_pfx) {
		size_t cap = im->cap_pfx ? im->cap_pfx * 2 : 1024;

		n = realloc(im->pfx, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		im->pfx = n;
		im->cap_pfx = cap;
	}
	n = &im->pfx[im->n_pfx];
	n->addr = addr;
	n->plen = plen;
	n->org = org;
	n->order = im->n_pfx++;
	return 0;
}

/* An array of address strings at `where`; each one checked. */
static int read_ips(struct import *im, struct json_object *arr, const char *where, size_t org)
{
	char path[256], shown[64];
	struct json_object *v;
	unsigned int plen;
	size_t i, n;
	__u32 addr;

	if (!json_object_is_type(arr, json_type_array)) {
		imp_error(im, where, "expected an array of addresses");
		return 0;
	}
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(arr, i);
		snprintf(path, sizeof(path), "%s[%zu]", where, i);
		if (!json_object_is_type(v, json_type_string)) {
			imp_error(im, path, "expected an address as a string");
			continue;
		}
		snprintf(shown, sizeof(shown), "%s", json_object_get_string(v));
		if (strchr(shown, ':')) {
			imp_error(im, path, "IPv6 address '%s' is not supported yet; vxfwd matches IPv4 only",
				  shown);
			continue;
		}
		if (parse_pfx(json_object_get_string(v), &addr, &plen)) {
			imp_error(im, path, "'%s' is not an IPv4 address or prefix", shown);
			continue;
		}
		if (plen < 32 && (addr & (0xffffffffu >> plen))) {
			imp_error(im, path, "prefix '%s' has host bits set", shown);
			continue;
		}
		if (add_pfx(im, addr, plen, org))
			return -ENOMEM;
	}
	return 0;
}

/* The name as a rules-file string: printable, no quote, not too long. */
static int check_name(struct import *im, const char *name, const char *where)
{
	const unsigned char *p;

	if (!*name) {
		imp_error(im, where, "org_name is empty");
		return -EINVAL;
	}
	if (strlen(name) > IMPORT_NAME_MAX) {
		imp_error(im, where, "org_name is longer than %d bytes", IMPORT_NAME_MAX);
		return -EINVAL;
	}
	for (p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '"') {
			imp_error(im, where, "org_name '%s' holds a '\"' or a control character, "
				  "which a rules file cannot hold", name);
			return -EINVAL;
		}
	return 0;
}

/* org_id: a string of digits (a JSON integer is taken too), 0-4294967295. */
static int read_id(struct import *im, struct json_object *v, const char *where,
		   unsigned long long *id)
{
	const char *s;
	char *end;

	if (json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0) {
		*id = (unsigned long long)json_object_get_int64(v);
	} else if (json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 10) {
			imp_error(im, where, "org_id '%s' is not a string of digits", s);
			return -EINVAL;
		}
		errno = 0;
		*id = strtoull(s, &end, 10);
	} else {
		imp_error(im, where, "org_id must be a string of digits");
		return -EINVAL;
	}
	if (*id > 0xffffffffull) {
		imp_error(im, where, "org_id %llu out of range (0-4294967295)", *id);
		return -EINVAL;
	}
	return 0;
}

/* Two organizations of one name or one id must be the same organization. */
static size_t find_org(struct import *im, const char *name, unsigned long long id,
		       const char *where)
{
	size_t i;

	for (i = 0; i < im->n_orgs; i++) {
		if (!strcmp(im->orgs[i].name, name) && im->orgs[i].id == id)
			return i;
		if (!strcmp(im->orgs[i].name, name) || im->orgs[i].id == id) {
			imp_error(im, where, "organization '%s' id %llu conflicts with organization "
				  "'%s' id %llu (organizations[%zu])", name, id, im->orgs[i].name,
				  im->orgs[i].id, i);
			return SIZE_MAX;
		}
	}
	im->orgs[im->n_orgs].name = name;
	im->orgs[im->n_orgs].id = id;
	return im->n_orgs++;
}

static int read_org(struct import *im, struct json_object *o, size_t idx)
{
	struct json_object *name, *id, *ips;
	unsigned long long idv;
	char where[64], sub[96];
	size_t slot;

	snprintf(where, sizeof(where), "organizations[%zu]", idx);
	if (!json_object_is_type(o, json_type_object)) {
		imp_error(im, where, "expected an object with org_name, org_id and ips");
		return 0;
	}
	if (!json_object_object_get_ex(o, "org_name", &name) ||
	    !json_object_is_type(name, json_type_string)) {
		imp_error(im, where, "org_name missing or not a string");
		return 0;
	}
	snprintf(sub, sizeof(sub), "%s.org_name", where);
	if (check_name(im, json_object_get_string(name), sub))
		return 0;
	snprintf(sub, sizeof(sub), "%s.org_id", where);
	if (!json_object_object_get_ex(o, "org_id", &id)) {
		imp_error(im, where, "org_id missing");
		return 0;
	}
	if (read_id(im, id, sub, &idv))
		return 0;
	slot = find_org(im, json_object_get_string(name), idv, where);
	if (slot == SIZE_MAX)
		return 0;
	snprintf(sub, sizeof(sub), "%s.ips", where);
	if (!json_object_object_get_ex(o, "ips", &ips)) {
		imp_error(im, where, "ips missing");
		return 0;
	}
	return read_ips(im, ips, sub, slot);
}

static int read_doc(struct import *im, struct json_object *doc)
{
	struct json_object *orgs = NULL, *flat = NULL;
	size_t i, n = 0;
	int ret;

	if (!json_object_is_type(doc, json_type_object)) {
		imp_error(im, NULL, "expected a JSON object with organizations and flat_ip_list");
		return 0;
	}
	json_object_object_get_ex(doc, "organizations", &orgs);
	json_object_object_get_ex(doc, "flat_ip_list", &flat);
	if (!orgs && !flat) {
		imp_error(im, NULL, "neither organizations nor flat_ip_list is present");
		return 0;
	}
	if (orgs && !json_object_is_type(orgs, json_type_array)) {
		imp_error(im, "organizations", "expected an array");
		orgs = NULL;
	}
	if (orgs)
		n = json_object_array_length(orgs);
	im->orgs = calloc(n ? n : 1, sizeof(*im->orgs));
	if (!im->orgs)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		ret = read_org(im, json_object_array_get_idx(orgs, i), i);
		if (ret)
			return ret;
	}
	im->n_org_pfx = im->n_pfx;
	if (im->n_orgs > VXFWD_MAX_ORGS)
		imp_error(im, "organizations", "%zu organizations; vxfwd counts at most %d",
			  im->n_orgs, VXFWD_MAX_ORGS);
	return flat ? read_ips(im, flat, "flat_ip_list", SIZE_MAX) : 0;
}

static int pfx_cmp(const void *pa, const void *pb)
{
	const struct imp_pfx *a = pa, *b = pb;

	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	if (a->plen != b->plen)
		return a->plen < b->plen ? -1 : 1;
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
			a = b;		/* the first of the prefix: the one counted */
			continue;
		}
		if (a->org == b->org)
			continue;
		fprintf(stderr, "%s: warning: %u.%u.%u.%u/%u is in organizations '%s' and '%s'; "
			"vxfwd counts it under '%s'\n", im->path, a->addr >> 24,
			(a->addr >> 16) & 0xff, (a->addr >> 8) & 0xff, a->addr & 0xff, a->plen,
			im->orgs[a->org].name, im->orgs[b->org].name, im->orgs[a->org].name);
		while (i + 1 < n && im->pfx[i + 1].addr == a->addr && im->pfx[i + 1].plen == a->plen)
			i++;	/* once per prefix */
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
static void settle(struct import *im, size_t *n_unassigned)
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

static void put_pfx(FILE *out, const struct imp_pfx *p, const char *indent)
{
	fprintf(out, "%s%u.%u.%u.%u", indent, p->addr >> 24, (p->addr >> 16) & 0xff,
		(p->addr >> 8) & 0xff, p->addr & 0xff);
	if (p->plen != 32)
		fprintf(out, "/%u", p->plen);
	fputc('\n', out);
}

static void write_sets(const struct import *im, const char *set, size_t n_unassigned,
		       FILE *out)
{
	const struct imp_pfx *flat = im->pfx + im->n_org_pfx;
	size_t o, i;

	fprintf(out, "# Imported by `vxfwd import-allowlist` from %s:\n", im->path);
	fprintf(out, "# %zu organizations, %zu of their addresses and prefixes, %zu of flat_ip_list under no organization.\n",
		im->n_orgs, im->n_org_pfx, n_unassigned);
	if (n_unassigned) {
		fprintf(out, "\n# The addresses of flat_ip_list that no organization holds: their\n"
			"# traffic is forwarded through @%s and counted under no organization.\n",
			set);
		fprintf(out, "set %s_unassigned {\n", set);
		for (i = 0; i < n_unassigned; i++)
			put_pfx(out, &flat[i], "\t");
		fputs("}\n", out);
	}
	fprintf(out, "\nset %s {\n", set);
	for (o = 0; o < im->n_orgs; o++) {
		fprintf(out, "\torg \"%s\" id %llu {\n", im->orgs[o].name, im->orgs[o].id);
		for (i = 0; i < im->n_org_pfx; i++)
			if (im->pfx[i].org == o)
				put_pfx(out, &im->pfx[i], "\t\t");
		fputs("\t}\n", out);
	}
	if (n_unassigned)
		fprintf(out, "\t@%s_unassigned\n", set);
	fputs("}\n", out);
}

/*
 * Load the sets with the rules compiler, behind an ingress and an egress
 * so that nothing else is missing: what it refuses is never printed.
 */
static int verify_sets(const char *text, const char *set)
{
	static const char head[] = "ingress vxfwd-imp0 { vni 1 }\negress vxfwd-imp1\n";
	struct vxfwd_ruleset *rs = NULL;
	char *all = NULL;
	int ret;

	if (asprintf(&all, "%s%s\nforward udp from @%s to port 1 dnat 127.0.0.1\n", head, text,
		     set) < 0)
		return -ENOMEM;
	ret = vxfwd_dsl_load("<import-allowlist>", all, VXFWD_DSL_F_QUIET, NULL, stderr, &rs);
	vxfwd_ruleset_free(rs);
	free(all);
	return ret;
}

static int valid_set_name(const char *s)
{
	size_t i;

	if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return 0;
	for (i = 1; s[i]; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-",
			    s[i]))
			return 0;
	return i < 40;
}

static int import_run(struct import *im, const char *set)
{
	struct json_object *doc = NULL;
	size_t len = 0, n_unassigned = 0, tlen = 0;
	char *text = NULL, *out = NULL;
	FILE *mem = NULL;
	int ret;

	ret = read_file(im->path, &text, &len);
	if (ret || !text) {
		fprintf(stderr, "%s: error: cannot read the allowlist: %s\n", im->path,
			strerror(ret ? -ret : EIO));
		return VXFWD_EXIT_CONFIG;
	}
	doc = parse_json(im, text, len);
	ret = doc ? read_doc(im, doc) : 0;
	if (ret || im->errors) {
		if (ret)
			imp_error(im, NULL, "%s", strerror(-ret));
		ret = VXFWD_EXIT_CONFIG;
		goto out;
	}
	settle(im, &n_unassigned);
	mem = open_memstream(&out, &tlen);
	if (!mem) {
		ret = VXFWD_EXIT_RUNTIME;
		goto out;
	}
	write_sets(im, set, n_unassigned, mem);
	if (fclose(mem) || verify_sets(out, set)) {
		imp_error(im, NULL, "the sets written from it do not compile (see above)");
		ret = VXFWD_EXIT_CONFIG;
		goto out;
	}
	ret = VXFWD_EXIT_OK;
	if (fwrite(out, 1, tlen, stdout) != tlen || fflush(stdout) == EOF) {
		log_warn("import-allowlist: standard output");
		ret = VXFWD_EXIT_RUNTIME;
	}
out:
	free(out);
	json_object_put(doc);
	free(text);
	return ret;
}

int cmd_import_allowlist(int argc, char **argv)
{
	struct import im = { 0 };
	const char *set = "allowlist";
	int ch, ret;

	optind = 0;
	while ((ch = opt_next(&import_allowlist_cmd, argc, argv)) != -1) {
		switch (ch) {
		case 's':
			set = optarg;
			break;
		default:
			import_usage(stderr);
			return VXFWD_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		import_usage(stderr);
		return VXFWD_EXIT_USAGE;
	}
	if (!valid_set_name(set)) {
		log_warnx("import-allowlist: '%s' is not a set name (a letter or '_', then "
			  "letters, digits, '_', '.' or '-')", set);
		return VXFWD_EXIT_USAGE;
	}
	im.path = argv[optind];
	ret = import_run(&im, set);
	free(im.orgs);
	free(im.pfx);
	return ret;
}
