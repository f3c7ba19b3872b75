// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_reload.c - `vxfwd reload`: check the rules file the instance runs,
 * signal it (SIGHUP) and wait for its answer, read from its engine counters:
 * `reloads` grows when the new rules are active, `reload_failures` when it
 * refused them and kept the old ones.  The exit status says which, so that
 * `systemctl reload` fails on a broken file instead of reporting success.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "attached.h"
#include "cmd.h"
#include "host.h"
#include "instance.h"
#include "loader.h"
#include "log.h"
#include "vxfwd_abi.h"
#include "vxfwd_dsl.h"

/* The daemon flips within its next-hop wait (1 s); this bounds a stuck one. */
#define ANSWER_MS 15000
#define POLL_MS	  20

struct answer {
	__u64 reloads;
	__u64 failures;
};

/* The workers' entries of vxfwd_engine, the two reload counters summed. */
static int answer_read(int fd, struct answer *a)
{
	struct vxfwd_engine_stats st;
	__u32 k;

	a->reloads = a->failures = 0;
	for (k = 0; k < VXFWD_MAX_WORKERS; k++) {
		if (bpf_map_lookup_elem(fd, &k, &st))
			return k ? 0 : -errno;
		a->reloads += st.reloads;
		a->failures += st.reload_failures;
	}
	return 0;
}

/*
 * The file the instance runs, checked as `vxfwd check -q` does.  Its
 * interfaces are the daemon's to check, in its own network namespace: a
 * change of interface is refused by the daemon and reported as such.
 */
static int check_rules(const struct vxfwd_instance *in, const char *rules)
{
	struct vxfwd_ruleset *rs = NULL;
	FILE *diag;
	int ret;

	diag = log_diag_open();
	ret = vxfwd_dsl_load(rules, NULL, VXFWD_DSL_F_QUIET, &host_ifaces, diag, &rs);
	log_diag_close(diag);
	vxfwd_ruleset_free(rs);
	if (ret == -EINVAL)
		log_errx("%s: %s has errors (above): not reloaded, the running rules stay", in->name,
			 rules);
	else if (ret)
		log_errx("%s: %s: cannot read it: %s: not reloaded", in->name, rules,
			 strerror(-ret));
	return ret;
}

static int wait_answer(const struct vxfwd_instance *in, int fd, const struct answer *before)
{
	struct timespec nap = {.tv_nsec = POLL_MS * 1000000L};
	struct answer now;
	int waited;

	for (waited = 0; waited < ANSWER_MS; waited += POLL_MS) {
		nanosleep(&nap, NULL);
		if (answer_read(fd, &now))
			break;
		if (now.failures > before->failures) {
			log_errx("%s: the instance refused the new rules and keeps the previous "
				 "ones; its log says why",
				 in->name);
			return VXFWD_EXIT_CONFIG;
		}
		if (now.reloads > before->reloads) {
			printf("%s: reloaded, the new rules are active\n", in->name);
			return VXFWD_EXIT_OK;
		}
	}
	log_errx("%s: no answer to the reload within %d ms", in->name, ANSWER_MS);
	return VXFWD_EXIT_RUNTIME;
}

int cmd_reload(int argc, char **argv)
{
	struct vxfwd_instance in;
	struct vxfwd_where w;
	struct answer before;
	pid_t pid;
	int fd, ret;

	if (instance_from_args(&in, &reload_cmd, argc, argv))
		return opt_usage_error(&reload_cmd);
	if (instance_running_pid(&in, &pid)) {
		log_errx("%s: not running: %s has no live owner", in.name, in.pidfile);
		return VXFWD_EXIT_RUNTIME;
	}
	if (attached_where(in.statefile, &w) == 0 && w.rules[0])
		snprintf(in.rules, sizeof(in.rules), "%s", w.rules);
	if (check_rules(&in, in.rules))
		return VXFWD_EXIT_CONFIG;
	fd = attached_instance_map(&in, lmap_name(LMAP_ENGINE));
	if (fd < 0 || answer_read(fd, &before)) {
		log_errx("%s: cannot read its engine counters: %s", in.name,
			 strerror(fd < 0 ? -fd : errno));
		if (fd >= 0)
			close(fd);
		return VXFWD_EXIT_RUNTIME;
	}
	if (kill(pid, SIGHUP) < 0) {
		log_err("%s: signalling pid %d failed", in.name, (int)pid);
		close(fd);
		return VXFWD_EXIT_RUNTIME;
	}
	ret = wait_answer(&in, fd, &before);
	close(fd);
	return ret;
}
