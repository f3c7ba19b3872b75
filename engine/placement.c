// SPDX-License-Identifier: GPL-2.0-only
/*
 * placement.c - where the workers run and at what policy: the CPUs free of
 * the ingress's receive when none are configured (host_rx_cpus()), and the
 * scheduling policy, set before the workers start so that they inherit it.
 */
#include <sched.h>
#include <stdio.h>

#include "engine.h"
#include "host.h"
#include "log.h"

/*
 * Every CPU this process may use processes the ingress's receive: the
 * workers float among them and, unless a policy was given, run as
 * SCHED_FIFO 1, above every SCHED_OTHER thread (threaded NAPI, ksoftirqd,
 * the receive deferred to them), so that under overload the receive cannot
 * take the CPU time that empties the rings it fills.
 */
static void share_receive(struct engine *e, const struct host_rx_cpus *rx, const char *rxl,
			  const char *src)
{
	struct vxfwd_engine_conf *c = &e->conf;

	if (c->sched != VXFWD_SCHED_UNSET) {
		log_info("engine: workers float: every CPU this process may use receives on %s "
			 "(CPU %s: %s)",
			 e->ingress, rxl, src);
	} else {
		c->sched = VXFWD_SCHED_FIFO;
		c->sched_prio = 1;
		log_info(
			"engine: workers float, as SCHED_FIFO 1: every CPU this process may use "
			"receives on %s (CPU %s: %s); -s or engine { sched } choose another policy",
			e->ingress, rxl, src);
	}
	/* Receive in softirq is not a thread: no policy preempts it. */
	if (!(rx->sources & HOST_RX_NAPI))
		log_warnx("engine: %s's receive runs in softirq, which the workers cannot preempt: "
			  "under overload it takes their time and frames are dropped as "
			  "drop_ring_full; echo 1 > /sys/class/net/%s/threaded moves it into "
			  "threads they preempt",
			  e->ingress, e->ingress);
}

/*
 * The workers' CPUs when neither -c nor the engine block names them: the
 * CPUs this process may use that do not process the ingress's receive
 * (host_rx_cpus()), so that under overload the receive does not take the
 * CPU that drains its rings; none of them, or receive CPUs unknown: the
 * workers float.  Named CPUs stay, with a warning when they share one
 * with the receive while another is free.
 */
void engine_place_workers(struct engine *e)
{
	struct vxfwd_engine_conf *c = &e->conf;
	struct host_rx_cpus rx;
	cpu_set_t free_cpus;
	char rxl[256], src[96], fl[256];
	unsigned int i;
	int cpu, n_free, shared = 0;

	host_rx_cpus(e->ingress, &rx);
	n_free = host_cpus_free_of_rx(&rx, &free_cpus);
	host_cpu_list_fmt(&rx.cpus, rxl, sizeof(rxl));
	host_rx_sources(&rx, src, sizeof(src));
	if (c->n_cpus) {
		for (i = 0; i < c->n_cpus; i++)
			shared |= c->cpus[i] < CPU_SETSIZE && CPU_ISSET(c->cpus[i], &rx.cpus);
		if (shared && n_free)
			log_warnx(
				"engine: the workers' CPUs share a CPU with %s's receive (CPU %s: "
				"%s); under overload frames are dropped as drop_ring_full",
				e->ingress, rxl, src);
		return;
	}
	if (!rx.sources) {
		log_info("engine: workers float: the CPUs that process %s's receive are "
			 "unknown%s",
			 e->ingress,
			 rx.sysfs ? "" : " (/sys/class/net is another network namespace's)");
		return;
	}
	if (!n_free) {
		share_receive(e, &rx, rxl, src);
		return;
	}
	for (cpu = 0; cpu < CPU_SETSIZE && c->n_cpus < VXFWD_MAX_WORKERS; cpu++)
		if (CPU_ISSET(cpu, &free_cpus))
			c->cpus[c->n_cpus++] = (unsigned int)cpu;
	log_info("engine: workers pinned to CPU %s, free of %s's receive (CPU %s: %s); -c or "
		 "engine { cpus } choose others",
		 host_cpu_list_fmt(&free_cpus, fl, sizeof(fl)), e->ingress, rxl, src);
}

/*
 * The workers' policy, set on the main thread while it still may (FIFO and
 * RR need CAP_SYS_NICE): threads inherit it, and the main thread goes back
 * to SCHED_OTHER once they run (loop.c does not need it).
 */
void engine_sched_apply(struct engine *e)
{
	struct sched_param sp = {.sched_priority = (int)e->conf.sched_prio};
	int policy = e->conf.sched == VXFWD_SCHED_FIFO ? SCHED_FIFO : SCHED_RR;

	if (e->conf.sched != VXFWD_SCHED_FIFO && e->conf.sched != VXFWD_SCHED_RR)
		return;
	if (sched_setscheduler(0, policy, &sp) < 0) {
		log_warn("sched %s %u: not applied, the workers run as SCHED_OTHER (needs "
			 "CAP_SYS_NICE, or systemd's CPUSchedulingPolicy=)",
			 vxfwd_sched_name(e->conf.sched), e->conf.sched_prio);
		return;
	}
	e->sched_set = 1;
}
