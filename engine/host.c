// SPDX-License-Identifier: GPL-2.0-only
/*
 * host.c - the interfaces of this host for the rules loader (host.h).
 */
#include <net/if.h>

#include "host.h"

/* The ruleset's interface names are copied into IF_NAMESIZE buffers. */
_Static_assert(VXFWD_DSL_IFNAME_SIZE == IF_NAMESIZE,
	       "the rules language's interface names must fit the kernel's");

static int iface_exists(const char *name, void *arg)
{
	return if_nametoindex(name) != 0;
}

const struct vxfwd_dsl_host host_ifaces = { .iface_exists = iface_exists };
