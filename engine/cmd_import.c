// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_import.c - `vxfwd import-allowlist [-s set] file`: the allowlist of
 * the previous system (JSON) as vxfwd.rules(5) sets, on standard output.
 *
 *	{
 *	  "organizations": [
 *	    { "org_name": "Example Org", "org_id": "1001",
 *	      "ips": ["198.51.100.10", "203.0.113.0/28", "2001:db8:10::/48"] }
 *	  ],
 *	  "flat_ip_list": ["198.51.100.10", "192.0.2.7"]
 *	}
 *
 * becomes a set SET_unassigned with the addresses of flat_ip_list that no
 * organization holds (a comment says so) and a set SET with one `org` block
 * per organization plus @SET_unassigned.  IPv4 and IPv6 addresses mix
 * freely; they are written as the rules language writes them (RFC 5952),
 * and a prefix with host bits set gets the language's warning and loses
 * them.  The JSON is read with json-c (import_json.c), the addresses
 * settled by import_merge.c; a syntax error is reported at its line and column, a value of the wrong
 * shape by its path (organizations[2].ips[0]).  The text printed is loaded
 * by the rules compiler before it is printed: what `check` would refuse is
 * never printed.
 *
 * Exit: 0; 1 when the file cannot be read or holds something that cannot be
 * imported; 2 on a usage error; 3 when standard output fails.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cmd.h"
#include "import.h"
#include "log.h"
#include "vxfwd_dsl.h"

static void put_pfx(FILE *out, const struct imp_pfx *p, const char *indent)
{
	char shown[IMP_PFX_STRLEN];

	imp_fmt(shown, sizeof(shown), p);
	fprintf(out, "%s%s\n", indent, shown);
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

/* Does the import hold an address of family `fam`? */
static int has_fam(const struct import *im, unsigned int fam)
{
	size_t i;

	for (i = 0; i < im->n_pfx; i++)
		if (im->pfx[i].fam == fam)
			return 1;
	return 0;
}

/*
 * Load the sets with the rules compiler, behind an ingress and an egress
 * so that nothing else is missing, and used by a rule of each family they
 * hold (a rule sees only its target's family): what it refuses is never
 * printed.
 */
static int verify_sets(const struct import *im, const char *text, const char *set)
{
	static const char head[] = "ingress vxfwd-imp0 { vni 1 }\negress vxfwd-imp1\n";
	static const char rule[] = "forward udp from @%s to port 1 dnat %s\n";
	int v6 = has_fam(im, 6), v4 = !v6 || has_fam(im, 4);
	struct vxfwd_ruleset *rs = NULL;
	char *all = NULL;
	size_t len = 0;
	FILE *mem;
	int ret;

	mem = open_memstream(&all, &len);
	if (!mem)
		return -ENOMEM;
	fprintf(mem, "%s%s\n", head, text);
	if (v4)
		fprintf(mem, rule, set, "127.0.0.1");
	if (v6)
		fprintf(mem, rule, set, "::1");
	if (fclose(mem)) {
		free(all);
		return -ENOMEM;
	}
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
	size_t n_unassigned = 0, tlen = 0;
	char *out = NULL;
	FILE *mem = NULL;
	int ret;

	ret = import_read(im, &doc);
	if (ret || im->errors) {
		if (ret)
			imp_error(im, NULL, "%s", strerror(-ret));
		ret = VXFWD_EXIT_CONFIG;
		goto out;
	}
	import_settle(im, &n_unassigned);
	mem = open_memstream(&out, &tlen);
	if (!mem) {
		ret = VXFWD_EXIT_RUNTIME;
		goto out;
	}
	write_sets(im, set, n_unassigned, mem);
	if (fclose(mem) || verify_sets(im, out, set)) {
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
			return opt_usage_error(&import_allowlist_cmd);
		}
	}
	if (optind != argc - 1)
		return opt_usage_error(&import_allowlist_cmd);
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