/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hsrv.h - the health and metrics listener of `vxfwd run` (`health listen
 * ADDR port N` in the rules file): an HTTP/1.x server on a thread of its
 * own, off the workers' path, answering
 *
 *   GET /healthz  200 "ok\n", or 503 with one reason per line: the XDP
 *                 program is no longer the ingress interface's, no
 *                 ruleset is active, a worker made no progress for
 *                 HSRV_STALL_MS, a next hop of the active ruleset is not
 *                 resolved
 *   GET /metrics  200, the Prometheus text of `vxfwd stats -p` (stats.h)
 *
 * and 405 (Allow: GET) for other methods, 404 for other paths, 400/414/
 * 431/505 for requests http_req.c refuses; every answer closes the
 * connection.  At most HSRV_MAX_CONNS connections at once (a new one
 * pushes out the oldest that has not sent a whole request), a request
 * head of at most HSRV_HEAD_MAX bytes within HSRV_READ_MS.
 *
 * Lifecycle: hsrv_open() binds the socket while the process still has its
 * capabilities (cmd_run.c, before privs.c drops them), hsrv_start() runs
 * the thread once the workers run, hsrv_publish() hands it the next hops
 * of each ruleset made active, hsrv_close() stops and joins it (SIGTERM,
 * or a reload that moves or removes the listener).
 */
#ifndef VXFWD_HSRV_H
#define VXFWD_HSRV_H

#include <linux/types.h>

#include "vxfwd_dsl.h"

#define HSRV_MAX_CONNS 16
#define HSRV_HEAD_MAX 4096
#define HSRV_READ_MS 2000
#define HSRV_WRITE_MS 2000
#define HSRV_LINGER_MS 1000 /* reading what a refused client still sends */
#define HSRV_STALL_MS (3 * HEALTH_BEAT_MS)

struct engine;
struct hsrv;

/* Bind and listen on `l` (non-blocking).  0 and *out, or -errno (logged). */
int hsrv_open(struct hsrv **out, const struct vxfwd_health_listen *l, struct engine *e);

/* Start the thread: 0 or -errno. */
int hsrv_start(struct hsrv *h);

/* The next hops of `rs`, now the active ruleset (main thread). */
void hsrv_publish(struct hsrv *h, const struct vxfwd_ruleset *rs);

/* Stop the thread, close every socket, free `h` (NULL: nothing). */
void hsrv_close(struct hsrv *h);

/* 1 when `h` listens where `l` says. */
int hsrv_same(const struct hsrv *h, const struct vxfwd_health_listen *l);

#endif /* VXFWD_HSRV_H */
