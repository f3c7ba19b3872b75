/* SPDX-License-Identifier: GPL-2.0-only */
/* xdp_fanout.h - test_xdp's group of fan-out rules (xdp_fanout.c). */
#ifndef VXFWD_TEST_XDP_FANOUT_H
#define VXFWD_TEST_XDP_FANOUT_H

#include "harness.h"

/* Apply the fan-out ruleset and run its cases; `ring_bytes`: the ring's size. */
void xdp_fanout(struct hx *h, struct t_report *r, __u32 ring_bytes);

#endif
