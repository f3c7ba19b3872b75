/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * host.h - this host as the rules loader asks about it: every
 * vxfwd_dsl_load*() of the engine passes &host_ifaces, so interface names
 * in a rules file are checked against the network namespace vxfwd runs in.
 */
#ifndef VXFWD_HOST_H
#define VXFWD_HOST_H

#include "vxfwd_dsl.h"

extern const struct vxfwd_dsl_host host_ifaces;

#endif /* VXFWD_HOST_H */
