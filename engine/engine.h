/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * engine.h - state of `vxfwd run`, shared by its modules.
 *
 * cmd_run.c sets a run up in one lifecycle and undoes it in reverse: load,
 * apply, open the workers' rings and senders (worker.c), attach (xdp.c;
 * attached.c finds what a run left), drop capabilities (privs.c), then
 * engine_loop() (loop.c) starts the workers.  Two kinds of thread:
 *
 *   workers  worker.c, one per BPF ringbuf, each on its CPU with its own
 *            sender (tx.h) and entry of vxfwd_engine: every frame goes
 *            ring -> sender there and nowhere else
 *   main     loop.c: signals (stop, SIGHUP), rtnetlink (neighbours, the
 *            egress link), pending reloads (reload.c: change report, state
 *            file), what systemd is told (health.c); on exit it sets `stop`,
 *            wakes the workers through `wake_fd` and joins them
 *   health   hsrv.c, with `health listen` in the rules file: answers
 *            /healthz and /metrics from the kernel's maps and the workers'
 *            beats, never touching a frame
 */
#ifndef VXFWD_ENGINE_H
#define VXFWD_ENGINE_H

#include <net/if.h>
#include <pthread.h>
#include <time.h>

#include "guard.h"
#include "instance.h"
#include "maps.h"
#include "neigh.h"
#include "ring.h"
#include "tx.h"
#include "vxfwd_dsl.h"

#define VXFWD_RING_DEFAULT (4u << 20)

#define VXFWD_BATCH_DEFAULT 256

struct vxfwd_bpf;
struct engine;
struct hsrv;

/* One engine worker: a ring, a sender, a thread (worker.c). */
struct worker {
	struct engine *e;
	unsigned int id;
	int cpu;	    /* pinned to this CPU, or -1 */
	int ring_map;	    /* ringbuf map fd (worker 0: the skeleton's, not ours) */
	struct vxfwd_ring ring;
	struct vxfwd_tx tx;
	struct vxfwd_engine_stats *st; /* this worker's entry of vxfwd_engine */
	int epfd;
	int ring_ok;
	int tx_ok;
	int started;
	__u64 beat; /* loop turns, read by health.c */
	pthread_t thread;
};

/* Each worker's beat at a look and when it last moved (health_beats_look()). */
struct health_beats {
	__u64 beat[VXFWD_MAX_WORKERS];
	__u64 at_ms[VXFWD_MAX_WORKERS]; /* CLOCK_MONOTONIC; 0 before the first look */
};

/* An idle worker's longest sleep: the beat the watchdog and /healthz watch. */
#define HEALTH_BEAT_MS 1000

/* What health.c tells the service manager, and when (health.c). */
struct vxfwd_health {
	int on;		  /* a service manager listens */
	__u64 wd_ms;	  /* WatchdogSec=, 0 for none */
	__u64 period_ms;  /* between two looks */
	__u64 next_ms;	  /* CLOCK_MONOTONIC of the next look */
	__u64 at_ms;	  /* of the last look */
	__u64 sent;	  /* frames sent at the last look */
	struct health_beats beats;
};

struct engine {
	struct vxfwd_instance inst;
	struct vxfwd_ruleset *rs;
	struct vxfwd_bpf *skel;
	struct vxfwd_maps maps;
	struct vxfwd_engine_stats *st; /* mmap of vxfwd_engine */
	size_t st_len;
	struct vxfwd_engine_conf conf; /* engine block, then options, then defaults */
	struct worker w[VXFWD_MAX_WORKERS];
	int wake_fd; /* eventfd: readable once the workers must stop */
	int beat_ms; /* longest idle wait of a worker (health.c) */
	struct vxfwd_health health;
	struct hsrv *hsrv; /* the health listener (hsrv.c), NULL when none */
	struct vxfwd_neigh neigh;
	struct vxfwd_guard guard; /* egress leak guard on the ingress interface */
	int guard_ok;
	int neigh_ok;
	int xdp_attached; /* our program is on the ingress interface */
	__u32 xdp_flags;  /* the mode it is attached in: XDP_FLAGS_DRV_MODE or _SKB_MODE */
	int pinned;
	int sched_set; /* the workers' policy was applied */
	int keep;      /* -k: leave XDP and the guard attached at exit */
	int started;   /* start() completed: the instance forwarded */
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
void xdp_keep(struct engine *e);
void xdp_unpin(const struct vxfwd_instance *in);

/* reload.c */
int engine_apply(struct engine *e, const struct vxfwd_ruleset *rs, int wait_ms);
void engine_reload(struct engine *e);
/* Flip a pending reload when due; ms until it is due, or -1 for none. */
int engine_reload_poll(struct engine *e);
void engine_reload_cancel(struct engine *e);
int state_write(const struct engine *e);

/* loop.c */
int engine_loop(struct engine *e);

/* worker.c */
int workers_open(struct engine *e);
int workers_start(struct engine *e);
void workers_stop(struct engine *e);
void workers_close(struct engine *e);

/* health.c */
void health_init(struct engine *e);
/* Report when due; ms until the next report, or -1 for none. */
int health_tick(struct engine *e);
__u64 health_now_ms(void);
/*
 * Look at every worker's beat at `now` (ms, health_now_ms()): the number
 * of workers whose beat has not moved for `stall_ms`, their bits in
 * *stalled.  `b` keeps what the caller saw; a first look sees no stall.
 */
unsigned int health_beats_look(const struct engine *e, struct health_beats *b, __u64 now,
			       __u64 stall_ms, __u64 *stalled);

/* placement.c: before start(), and in start() before the workers run. */
void engine_place_workers(struct engine *e);
void engine_sched_apply(struct engine *e);

/* cmd_run.c: the listener of the active ruleset, moved or closed by a reload. */
void engine_health_reload(struct engine *e, const struct vxfwd_health_listen *old);

/* privs.c */
int privs_drop(void);

#endif /* VXFWD_ENGINE_H */
