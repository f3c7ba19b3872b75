// SPDX-License-Identifier: GPL-2.0-only
/*
 * import_json.c - the JSON allowlist of `vxfwd import-allowlist` read with
 * json-c, strictly: a syntax error is reported at its line and column, a
 * value of the wrong shape by its path (organizations[2].ips[0]).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "import.h"
#include "vxfwd_dsl.h"

static void __attribute__((format(printf, 4, 0)))
imp_vreport(const struct import *im, const char *kind, const char *where, const char *fmt,
	    va_list ap)
{
	fprintf(stderr, "%s: %s: %s%s", im->path, kind, where ? where : "", where ? ": " : "");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* "FILE: error: PATH: message", like the rules' diagnostics but placed by JSON path. */
void imp_error(struct import *im, const char *where, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	imp_vreport(im, "error", where, fmt, ap);
	va_end(ap);
	im->errors++;
}

void imp_warning(const struct import *im, const char *where, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	imp_vreport(im, "warning", where, fmt, ap);
	va_end(ap);
}

void imp_fmt(char *buf, size_t len, const struct imp_pfx *p)
{
	unsigned int host = p->fam == 6 ? 128 : 32;
	unsigned char b[16];
	char a[INET6_ADDRSTRLEN];
	__u32 a4;
	int i;

	if (p->fam == 6) {
		for (i = 0; i < 16; i++)
			b[i] = (unsigned char)(p->addr >> (120 - 8 * i));
		if (!inet_ntop(AF_INET6, b, a, sizeof(a)))
			a[0] = '\0';
	} else {
		a4 = (__u32)(p->addr >> 96);
		snprintf(a, sizeof(a), "%u.%u.%u.%u", a4 >> 24, (a4 >> 16) & 0xff,
			 (a4 >> 8) & 0xff, a4 & 0xff);
	}
	if (p->plen == host)
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s/%u", a, p->plen);
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

/* "/n" after an address: 1 to `digits` digits, at most `max`; 0 or -EINVAL. */
static int parse_len(const char *s, size_t digits, unsigned int max, unsigned int *plen)
{
	unsigned long n;
	char *end;

	if (!*s || strlen(s) > digits || *s < '0' || *s > '9')
		return -EINVAL;
	n = strtoul(s, &end, 10);
	if (*end || n > max)
		return -EINVAL;
	*plen = (unsigned int)n;
	return 0;
}

/*
 * a.b.c.d, a.b.c.d/n, an IPv6 address (anything inet_pton takes) or one
 * with /n, nothing else, into p's family, address and length; 0 or -EINVAL.
 */
static int parse_pfx(const char *s, struct imp_pfx *p)
{
	unsigned char a[16];
	char buf[64], *slash;
	int i;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, strlen(s) + 1);
	p->fam = strchr(buf, ':') ? 6 : 4;
	p->plen = p->fam == 6 ? 128 : 32;
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (parse_len(slash + 1, p->fam == 6 ? 3 : 2, p->plen, &p->plen))
			return -EINVAL;
	}
	if (inet_pton(p->fam == 6 ? AF_INET6 : AF_INET, buf, a) != 1)
		return -EINVAL;
	p->addr = 0;
	for (i = 0; i < (p->fam == 6 ? 16 : 4); i++)
		p->addr |= (unsigned __int128)a[i] << (120 - 8 * i);
	return 0;
}

static int add_pfx(struct import *im, const struct imp_pfx *p, size_t org)
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
	*n = *p;
	n->org = org;
	n->order = im->n_pfx++;
	return 0;
}

/*
 * Host bits in a prefix: the rules language's warning, and the prefix it
 * uses (the host bits cleared).
 */
static void clear_host_bits(const struct import *im, struct imp_pfx *p, const char *path)
{
	char given[IMP_PFX_STRLEN], used[IMP_PFX_STRLEN];

	if (!(p->addr & ~imp_mask(p->plen)))
		return;
	imp_fmt(given, sizeof(given), p);
	p->addr &= imp_mask(p->plen);
	imp_fmt(used, sizeof(used), p);
	imp_warning(im, path, "prefix %s has host bits set; using %s", given, used);
}

/* An array of address strings at `where`; each one checked. */
static int read_ips(struct import *im, struct json_object *arr, const char *where, size_t org)
{
	char path[256], shown[64];
	struct json_object *v;
	struct imp_pfx p;
	size_t i, n;

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
		if (parse_pfx(json_object_get_string(v), &p)) {
			imp_error(im, path, "'%s' is not an IPv%c address or prefix", shown,
				  strchr(shown, ':') ? '6' : '4');
			continue;
		}
		clear_host_bits(im, &p, path);
		if (add_pfx(im, &p, org))
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
			imp_error(im, where,
				  "org_name '%s' holds a '\"' or a control character, "
				  "which a rules file cannot hold",
				  name);
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
			imp_error(im, where,
				  "organization '%s' id %llu conflicts with organization "
				  "'%s' id %llu (organizations[%zu])",
				  name, id, im->orgs[i].name, im->orgs[i].id, i);
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
	const char *nm;
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
	nm = json_object_get_string(name);
	snprintf(sub, sizeof(sub), "%s.org_name", where);
	if (!nm || check_name(im, nm, sub))
		return 0;
	snprintf(sub, sizeof(sub), "%s.org_id", where);
	if (!json_object_object_get_ex(o, "org_id", &id)) {
		imp_error(im, where, "org_id missing");
		return 0;
	}
	if (read_id(im, id, sub, &idv))
		return 0;
	slot = find_org(im, nm, idv, where);
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
	im->n_orgs = 0;
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

int import_read(struct import *im, struct json_object **doc)
{
	size_t len = 0;
	char *text = NULL;
	int ret;

	*doc = NULL;
	ret = read_file(im->path, &text, &len);
	if (ret || !text) {
		imp_error(im, NULL, "cannot read the allowlist: %s", strerror(ret ? -ret : EIO));
		return 0;
	}
	*doc = parse_json(im, text, len);
	ret = *doc ? read_doc(im, *doc) : 0;
	free(text);
	return ret;
}
