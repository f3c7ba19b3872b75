/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * engine.h - state of `vxfwd run`, shared by its modules: run.c (lifecycle),
 * xdp.c (attach and pins), loop.c (ring -> io_uring, signals, netlink),
 * reload.c (SIGHUP, change report, state file).
 */
#ifndef VXFWD_ENGINE_H
#define VXFWD_ENGINE_H

#include <net/if.h>
#include <time.h>

#include "guard.h"
#include "instance.h"
#include "maps.h"
#include "neigh.h"
#include "ring.h"
#include "tx.h"
#include "vxfwd_dsl.h"

#define VXFWD_RING_DEFAULT (4u << 20)

struct vxfwd_bpf;

struct engine {
	struct vxfwd_instance inst;
	struct vxfwd_ruleset *rs;
	struct vxfwd_bpf *skel;
	struct vxfwd_maps maps;
	struct vxfwd_engine_stats *st; /* mmap of vxfwd_engine */
	size_t st_len;
	struct vxfwd_ring ring;
	struct vxfwd_tx tx;
	struct vxfwd_neigh neigh;
	struct vxfwd_guard guard; /* egress leak guard on the ingress interface */
	int guard_ok;
	int neigh_ok;
	int ring_ok;
	int tx_ok;
	int link_fd;
	int pinned;
	int xdp_mode; /* -x, or -1 for the rules file's */
	int ingress_ifindex;
	int egress_ifindex;
	__u8 egress_mac[6];
	char ingress[IF_NAMESIZE];
	char egress[IF_NAMESIZE];
	int sfd;
	int epfd;
	int stop;
	int reapply;		       /* egress MAC changed: apply again */
	struct vxfwd_ruleset *pending; /* compiled by SIGHUP, waiting for next hops */
	struct timespec pending_until;
};

/* xdp.c */
int xdp_attach(struct engine *e);
int xdp_pin_maps(struct engine *e);
void xdp_detach(struct engine *e);

/* reload.c */
int engine_apply(struct engine *e, const struct vxfwd_ruleset *rs, int wait_ms);
void engine_reload(struct engine *e);
/* Flip a pending reload when due; ms until it is due, or -1 for none. */
int engine_reload_poll(struct engine *e);
void engine_reload_cancel(struct engine *e);
int state_write(const struct engine *e);

/* loop.c */
int engine_loop(struct engine *e);

/* privs.c */
int privs_drop(void);

#endif /* VXFWD_ENGINE_H */
