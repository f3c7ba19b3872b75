/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vxbench.h - the benchmark's helper tool: subcommands and shared helpers.
 */
#ifndef VXBENCH_H
#define VXBENCH_H

#include <linux/types.h>
#include <stdint.h>

#define VXB_ETH_ALEN 6

int vxb_cmd_gen(int argc, char **argv);

int vxb_parse_mac(const char *s, __u8 mac[VXB_ETH_ALEN]);
int vxb_if_mac(const char *ifname, __u8 mac[VXB_ETH_ALEN]);
int vxb_if_index(const char *ifname);
int vxb_pin_cpu(int cpu);
uint64_t vxb_now_ns(void);

#endif /* VXBENCH_H */
