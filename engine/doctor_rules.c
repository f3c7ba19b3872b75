// SPDX-License-Identifier: GPL-2.0-only
/*
 * doctor_rules.c - doctor's checks of the rules file (loaded as `check`
 * loads it, its diagnostics kept for -j) and of the instance it names.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "cmd.h"
#include "doctor_checks.h"
#include "host.h"
#include "vxfwd_abi.h"

/* The distinct IPv4 DNAT targets of the rules (every target of each), in rule order. */
size_t dnat_targets(const struct vxfwd_ruleset *rs, __be32 *out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < rs->n_ops && n < max; i++)
		if (rs->ops[i].map == VXFWD_MAP_NEXTHOP)
			out[n++] = rs->ops[i].key.addr;
	return n;
}

size_t dnat_targets6(const struct vxfwd_ruleset *rs, struct vxfwd_in6 *out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < rs->n_ops && n < max; i++)
		if (rs->ops[i].map == VXFWD_MAP_NEXTHOP6)
			out[n++] = rs->ops[i].key.addr6;
	return n;
}

static void diag_to_json(void *arg, const struct vxfwd_diag_rec *rec)
{
	struct doctor *d = arg;

	json_object_array_add(d->diags, check_diag_json(rec, 1));
}

void check_rules(struct doctor *d)
{
	struct vxfwd_diag_sink sink = {.fn = diag_to_json, .arg = d};
	struct vxfwd_in6 t6[VXFWD_MAX_NEXTHOPS];
	__be32 t[VXFWD_MAX_NEXTHOPS];
	char hint[PATH_MAX + 32];
	int ret;

	snprintf(hint, sizeof(hint), "vxfwd check -f %s", d->file);
	if (d->json)
		ret = vxfwd_dsl_load_records(d->file, NULL, 0, &host_ifaces, &sink, &d->own);
	else
		ret = vxfwd_dsl_load(d->file, NULL, 0, &host_ifaces, stderr, &d->own);
	d->rs = d->own;
	if (ret == -EINVAL) {
		d->config_failed = 1;
		report(d, DR_FAIL, hint,
		       "rules %s: has errors (%s); interface checks need a valid file", d->file,
		       d->json ? "in diagnostics" : "above");
		return;
	}
	if (ret) {
		d->config_failed = 1;
		report(d, DR_FAIL, NULL, "rules %s: cannot be read: %s", d->file, strerror(-ret));
		return;
	}
	report(d, DR_OK, NULL,
	       "rules %s: %zu forward rules, %zu DNAT targets, ingress %s, egress %s", d->file,
	       d->rs->n_rules,
	       dnat_targets(d->rs, t, VXFWD_MAX_NEXTHOPS) + dnat_targets6(d->rs, t6, VXFWD_MAX_NEXTHOPS),
	       d->rs->ingress, d->rs->egress);
}

void check_instance(struct doctor *d)
{
	char hint[VXFWD_NAME_MAX + 32];
	pid_t pid = 0;
	struct stat st;

	if (instance_running_pid(&d->inst, &pid) == 0) {
		report(d, DR_OK, NULL,
		       "instance %s: running (pid %d); run would refuse a second copy",
		       d->inst.name, (int)pid);
		return;
	}
	snprintf(hint, sizeof(hint), "vxfwd detach -n %s removes it", d->inst.name);
	if (stat(d->inst.pindir, &st) == 0)
		report(d, DR_WARN, hint,
		       "instance %s: not running, but %s exists: the XDP program of a "
		       "run stopped with -k or killed may still be attached and dropping "
		       "mirror traffic; run adopts it",
		       d->inst.name, d->inst.pindir);
	else
		report(d, DR_OK, NULL, "instance %s: not running, no pins left behind",
		       d->inst.name);
}
