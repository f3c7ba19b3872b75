// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_host_rx.c - the CPU sets the kernel writes, as host_rx.c reads them
 * for the receive CPUs of an interface: RPS masks ("00000003", words of 32
 * CPUs separated by commas, "ff,00000001"), IRQ affinity lists ("0-3,8"),
 * what is refused, and the list written back.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "host.h"
#include "vxfwd_test.h"

static const struct {
	const char *in;
	int mask; /* 1: host_cpu_mask_parse, 0: host_cpu_list_parse */
	int ret;
	const char *cpus; /* host_cpu_list_fmt() of the result */
} cases[] = {
	{"00000003", 1, 0, "0-1"},
	{"00000001", 1, 0, "0"},
	{"00000002\n", 1, 0, "1"},
	{"0", 1, 0, ""},
	{"ff,00000001", 1, 0, "0,32-39"},
	{"00000000,00000000,80000000", 1, 0, "31"},
	{"A", 1, 0, "1,3"},
	{"", 1, -EINVAL, ""},
	{"0x3", 1, -EINVAL, ""},
	{"0-3,8", 0, 0, "0-3,8"},
	{"1", 0, 0, "1"},
	{"0,2,4-5\n", 0, 0, "0,2,4-5"},
	{"", 0, 0, ""},
	{"3-1", 0, -ERANGE, ""},
	{"0-", 0, -EINVAL, ""},
	{"a", 0, -EINVAL, ""},
	{"1;2", 0, -EINVAL, ""},
};

int main(void)
{
	char buf[128];
	unsigned int fails = 0;
	cpu_set_t set;
	size_t i;
	int ret;

	for (i = 0; i < T_ARRAY_SIZE(cases); i++) {
		ret = cases[i].mask ? host_cpu_mask_parse(cases[i].in, &set)
				    : host_cpu_list_parse(cases[i].in, &set);
		if (ret != cases[i].ret) {
			printf("FAIL %s \"%s\": returned %d, expected %d\n",
			       cases[i].mask ? "mask" : "list", cases[i].in, ret, cases[i].ret);
			fails++;
			continue;
		}
		if (!ret && strcmp(host_cpu_list_fmt(&set, buf, sizeof(buf)), cases[i].cpus)) {
			printf("FAIL %s \"%s\": CPUs \"%s\", expected \"%s\"\n",
			       cases[i].mask ? "mask" : "list", cases[i].in, buf, cases[i].cpus);
			fails++;
			continue;
		}
		printf("ok: %s \"%.*s\"\n", cases[i].mask ? "mask" : "list",
		       (int)strcspn(cases[i].in, "\n"), cases[i].in);
	}
	printf("test_host_rx: %u failure(s)\n", fails);
	return fails ? T_EXIT_FAIL : T_EXIT_PASS;
}
