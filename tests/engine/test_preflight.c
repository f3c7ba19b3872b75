// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_preflight.c RULES - what `vxfwd run` does before it attaches: load
 * RULES the way run does (interfaces must exist) and call
 * doctor_preflight() on the ruleset.  Its lines go through the engine's log
 * module to stderr; stdout gets "warnings N ms T" (the count it returned
 * and the time it took) for preflight.sh to check against those lines.
 * Exit 0, 1 when the rules do not load.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <bpf/libbpf.h>

#include "doctor.h"
#include "host.h"
#include "log.h"
#include "vxfwd_dsl.h"

static long elapsed_ms(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

int main(int argc, char **argv)
{
	struct vxfwd_ruleset *rs = NULL;
	struct timespec t0, t1;
	int ret, warns;

	if (argc != 2) {
		fprintf(stderr, "usage: test_preflight RULES\n");
		return 2;
	}
	log_init(0);
	libbpf_set_print(NULL);
	ret = vxfwd_dsl_load(argv[1], NULL, VXFWD_DSL_F_IFACE_STRICT, &host_ifaces, stderr, &rs);
	if (ret) {
		fprintf(stderr, "%s: cannot load: %s\n", argv[1], strerror(-ret));
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	warns = doctor_preflight(argv[1], rs);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("warnings %d ms %ld\n", warns, elapsed_ms(&t0, &t1));
	vxfwd_ruleset_free(rs);
	return 0;
}
