// SPDX-License-Identifier: GPL-2.0-only
/*
 * privs.c - drop capabilities once XDP is attached and the sockets are open.
 *
 * Kept (effective and permitted; bounding set cleared of everything else):
 *   CAP_BPF        BPF commands a reload may make on the objects we hold;
 *   CAP_NET_ADMIN  RTM_NEWNEIGH (NTF_USE) to resolve new DNAT targets, and
 *                  link operations on the pinned XDP link.
 * Dropped: CAP_NET_RAW (the AF_PACKET socket is open), CAP_SYS_ADMIN (bpffs
 * is mounted, the program loaded), CAP_SYS_RESOURCE, CAP_IPC_LOCK and the
 * rest.  Map updates go through file descriptors we already own.
 */
#include <errno.h>
#include <cap-ng.h>
#include <linux/capability.h>

#include "engine.h"
#include "log.h"

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

int privs_drop(void)
{
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_updatev(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_BPF, CAP_NET_ADMIN,
			  -1) < 0) {
		log_warnx("capabilities: building the reduced set failed");
		return -EINVAL;
	}
	if (capng_apply(CAPNG_SELECT_BOTH) < 0) {
		log_warnx("capabilities: dropping to CAP_BPF,CAP_NET_ADMIN failed");
		return -EPERM;
	}
	log_debug("capabilities: kept cap_bpf, cap_net_admin");
	return 0;
}
