// SPDX-License-Identifier: GPL-2.0-only
/*
 * host_rx.c - which CPUs process an interface's receive (host.h): the
 * affinity of its IRQs, its RPS masks and its threaded NAPI kthreads.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "host.h"

/* ---- CPU sets as the kernel writes them ----------------------------------- */

int host_cpu_list_parse(const char *s, cpu_set_t *set)
{
	unsigned long lo, hi;
	char *end;

	CPU_ZERO(set);
	while (*s && *s != '\n') {
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		lo = hi = strtoul(s, &end, 10);
		if (*end == '-') {
			if (!isdigit((unsigned char)end[1]))
				return -EINVAL;
			hi = strtoul(end + 1, &end, 10);
		}
		if (hi < lo || hi >= CPU_SETSIZE)
			return -ERANGE;
		for (; lo <= hi; lo++)
			CPU_SET(lo, set);
		if (*end == ',')
			end++;
		else if (*end && *end != '\n')
			return -EINVAL;
		s = end;
	}
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int host_cpu_mask_parse(const char *s, cpu_set_t *set)
{
	size_t len = strcspn(s, "\n"), bit = 0;
	int v, b;

	CPU_ZERO(set);
	if (!len)
		return -EINVAL;
	/* The last digit holds CPUs 0-3; commas only separate 32-bit words. */
	while (len--) {
		if (s[len] == ',')
			continue;
		v = hex_digit(s[len]);
		if (v < 0)
			return -EINVAL;
		for (b = 0; b < 4; b++, bit++)
			if (v & (1 << b)) {
				if (bit >= CPU_SETSIZE)
					return -ERANGE;
				CPU_SET(bit, set);
			}
	}
	return 0;
}

const char *host_cpu_list_fmt(const cpu_set_t *set, char *buf, size_t len)
{
	size_t off = 0;
	int cpu, end;

	buf[0] = '\0';
	for (cpu = 0; cpu < CPU_SETSIZE && off < len; cpu++) {
		if (!CPU_ISSET(cpu, set))
			continue;
		for (end = cpu; end + 1 < CPU_SETSIZE && CPU_ISSET(end + 1, set); end++)
			;
		if (end == cpu)
			off += (size_t)snprintf(buf + off, len - off, "%s%d", off ? "," : "", cpu);
		else
			off += (size_t)snprintf(buf + off, len - off, "%s%d-%d", off ? "," : "",
						cpu, end);
		cpu = end;
	}
	return buf;
}

/* ---- the sources ------------------------------------------------------------ */

/* A token of /proc/interrupts naming `name`: "ens5", "ens5-Tx-Rx-0", "i40e-ens5-TxRx-0". */
static int irq_names(const char *tok, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	if (strcmp(tok, name) == 0)
		return 1;
	for (p = strstr(tok, name); p; p = strstr(p + 1, name))
		if ((p == tok || p[-1] == '-') && p[n] == '-')
			return 1;
	return 0;
}

static void irq_affinity(struct host_rx_cpus *rx, unsigned int irq)
{
	static const char *const files[] = {"effective_affinity_list", "smp_affinity_list"};
	char path[64], line[1024];
	cpu_set_t set;
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "/proc/irq/%u/%s", irq, files[i]);
		if (host_read_line(path, line, sizeof(line)) == 0 &&
		    host_cpu_list_parse(line, &set) == 0 && CPU_COUNT(&set)) {
			CPU_OR(&rx->cpus, &rx->cpus, &set);
			rx->sources |= HOST_RX_IRQ;
			rx->n_irqs++;
			return;
		}
	}
}

/* (a) The IRQs /proc/interrupts names after the interface. */
static void rx_irqs(struct host_rx_cpus *rx, const char *name)
{
	char line[4096], *tok, *save;
	unsigned int irq;
	FILE *f;

	f = fopen("/proc/interrupts", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %u:", &irq) != 1)
			continue;
		for (tok = strtok_r(strchr(line, ':') + 1, " \t\n,", &save); tok;
		     tok = strtok_r(NULL, " \t\n,", &save))
			if (irq_names(tok, name)) {
				irq_affinity(rx, irq);
				break;
			}
	}
	fclose(f);
}

/* (b) The RPS mask of every receive queue. */
static void rx_rps(struct host_rx_cpus *rx, const char *name)
{
	char pattern[128], line[1024];
	cpu_set_t set;
	glob_t g;
	size_t i;

	snprintf(pattern, sizeof(pattern), "/sys/class/net/%s/queues/rx-*/rps_cpus", name);
	if (glob(pattern, 0, NULL, &g))
		return;
	for (i = 0; i < g.gl_pathc; i++)
		if (host_read_line(g.gl_pathv[i], line, sizeof(line)) == 0 &&
		    host_cpu_mask_parse(line, &set) == 0 && CPU_COUNT(&set)) {
			CPU_OR(&rx->cpus, &rx->cpus, &set);
			rx->sources |= HOST_RX_RPS;
		}
	globfree(&g);
}

/* A kthread's comm is cut to 15 characters: "napi/NAME-" compared as far as it goes. */
static int napi_comm(const char *comm, const char *name)
{
	char want[64];
	size_t n;

	snprintf(want, sizeof(want), "napi/%s-", name);
	n = strlen(want) < 15 ? strlen(want) : 15;
	return strncmp(comm, want, n) == 0;
}

/* (c) With threaded NAPI, where the kthreads napi/NAME-ID may run. */
static void rx_napi(struct host_rx_cpus *rx, const char *name)
{
	char path[300], comm[32];
	struct dirent *de;
	cpu_set_t set;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/class/net/%s/threaded", name);
	if (host_read_line(path, comm, sizeof(comm)) || strcmp(comm, "1"))
		return;
	dir = opendir("/proc");
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		if (host_read_line(path, comm, sizeof(comm)) || !napi_comm(comm, name) ||
		    sched_getaffinity(atoi(de->d_name), sizeof(set), &set))
			continue;
		CPU_OR(&rx->cpus, &rx->cpus, &set);
		rx->sources |= HOST_RX_NAPI;
		if (!rx->n_napi++)
			snprintf(rx->napi, sizeof(rx->napi), "%.15s", comm);
	}
	closedir(dir);
}

/*
 * /sys/class/net is the namespace's that mounted sysfs: ours when the
 * interface there has our ifindex and MAC address.
 */
static int sysfs_ours(const char *name)
{
	struct host_link l;
	char path[128], line[64], mac[18];
	int ifindex = (int)if_nametoindex(name);

	snprintf(path, sizeof(path), "/sys/class/net/%s/ifindex", name);
	if (!ifindex || host_read_line(path, line, sizeof(line)) || atoi(line) != ifindex ||
	    host_link_get(ifindex, &l))
		return 0;
	snprintf(path, sizeof(path), "/sys/class/net/%s/address", name);
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", l.mac[0], l.mac[1], l.mac[2],
		 l.mac[3], l.mac[4], l.mac[5]);
	return !l.has_mac || (host_read_line(path, line, sizeof(line)) == 0 && !strcmp(line, mac));
}

void host_rx_cpus(const char *name, struct host_rx_cpus *rx)
{
	char path[128];
	struct stat st;

	memset(rx, 0, sizeof(*rx));
	CPU_ZERO(&rx->cpus);
	rx->sysfs = sysfs_ours(name);
	if (!rx->sysfs)
		return;
	/* /proc/interrupts is the host's: only a device's IRQs can be its own. */
	snprintf(path, sizeof(path), "/sys/class/net/%s/device", name);
	if (stat(path, &st) == 0)
		rx_irqs(rx, name);
	rx_rps(rx, name);
	rx_napi(rx, name);
}

const char *host_rx_sources(const struct host_rx_cpus *rx, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	if (rx->sources & HOST_RX_IRQ)
		off += (size_t)snprintf(buf + off, len - off, "%d IRQ%s", rx->n_irqs,
					rx->n_irqs == 1 ? "" : "s");
	if ((rx->sources & HOST_RX_RPS) && off < len)
		off += (size_t)snprintf(buf + off, len - off, "%sRPS", off ? ", " : "");
	if ((rx->sources & HOST_RX_NAPI) && off < len)
		snprintf(buf + off, len - off, "%sthreaded NAPI %s%s", off ? ", " : "", rx->napi,
			 rx->n_napi > 1 ? " and others" : "");
	return buf;
}

int host_cpus_free_of_rx(const struct host_rx_cpus *rx, cpu_set_t *out)
{
	cpu_set_t both;

	CPU_ZERO(out);
	if (!rx->sources || sched_getaffinity(0, sizeof(*out), out))
		return 0;
	/* allowed and not receiving: allowed ^ (allowed & rx) */
	CPU_AND(&both, out, &rx->cpus);
	CPU_XOR(out, out, &both);
	return CPU_COUNT(out);
}
