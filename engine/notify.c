// SPDX-License-Identifier: GPL-2.0-only
/* notify.c - see notify.h. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "notify.h"

#if VXFWD_HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>

static void notify(const char *what, const char *state)
{
	int ret = sd_notify(0, state);

	if (ret < 0)
		log_warnx("systemd: telling it %s failed: %s", what, strerror(-ret));
	else if (ret > 0)
		log_debug("systemd: %s", state);
}

/* `head` (state lines, "" for none) followed by STATUS=`status`. */
static void notify_with_status(const char *what, const char *head, const char *status)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%sSTATUS=%s", head, status);
	notify(what, buf);
}

void notify_ready(const char *status)
{
	notify_with_status("ready", "READY=1\n", status);
}

void notify_stopping(void)
{
	notify("stopping", "STOPPING=1");
}

void notify_status(const char *status)
{
	notify_with_status("the status", "", status);
}

void notify_watchdog(void)
{
	notify("the watchdog", "WATCHDOG=1");
}

int notify_enabled(void)
{
	return getenv("NOTIFY_SOCKET") != NULL;
}

unsigned long long notify_watchdog_usec(void)
{
	uint64_t usec = 0;

	return sd_watchdog_enabled(0, &usec) > 0 ? (unsigned long long)usec : 0;
}
#else
void notify_ready(const char *status)
{
	(void)status;
}

void notify_stopping(void)
{
}

void notify_status(const char *status)
{
	(void)status;
}

void notify_watchdog(void)
{
}

int notify_enabled(void)
{
	return 0;
}

unsigned long long notify_watchdog_usec(void)
{
	return 0;
}
#endif
