/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * notify.h - tell the service manager how `vxfwd run` is doing (sd_notify):
 * ready once XDP is attached, the first ruleset active and the workers
 * running, so that units ordered after vxfwd.service (network-pre.target)
 * start only then.  Without libsystemd, or outside a Type=notify unit, these
 * do nothing.
 */
#ifndef VXFWD_NOTIFY_H
#define VXFWD_NOTIFY_H

/* READY=1 with STATUS=`status`. */
void notify_ready(const char *status);

/* STOPPING=1. */
void notify_stopping(void);

/* STATUS=`status`. */
void notify_status(const char *status);

/* WATCHDOG=1. */
void notify_watchdog(void);

/* A service manager listens (NOTIFY_SOCKET): 1, else 0. */
int notify_enabled(void);

/* The unit's WatchdogSec= in microseconds, 0 when not set. */
unsigned long long notify_watchdog_usec(void);

#endif /* VXFWD_NOTIFY_H */
