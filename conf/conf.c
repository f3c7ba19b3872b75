// SPDX-License-Identifier: GPL-2.0-only
/*
 * conf.c - the engine's settings (vxfwd_conf.h): words, defaults of the
 * struct, and the parsers the rules language and `run` share.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vxfwd_conf.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

const struct vxfwd_conf_word vxfwd_backend_words[] = {
	{ "write-fixed", VXFWD_BACKEND_WRITE_FIXED },
	{ "send", VXFWD_BACKEND_SEND },
	{ "sendmmsg", VXFWD_BACKEND_SENDMMSG },
	{ "tx-ring", VXFWD_BACKEND_TX_RING },
	{ "uring-ring", VXFWD_BACKEND_URING_RING },
	{ NULL, 0 },
};

const struct vxfwd_conf_word vxfwd_sched_words[] = {
	{ "other", VXFWD_SCHED_OTHER },
	{ "fifo", VXFWD_SCHED_FIFO },
	{ "rr", VXFWD_SCHED_RR },
	{ NULL, 0 },
};

struct size_unit {
	const char *name;
	unsigned int shift;
};

static const struct size_unit size_units[] = {
	{ "K", 10 },
	{ "M", 20 },
	{ "G", 30 },
};

void vxfwd_engine_conf_init(struct vxfwd_engine_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->poll_us = -1;
	conf->qdisc_bypass = -1;
}

static const char *word_name(const struct vxfwd_conf_word *tab, int value)
{
	for (; tab->name; tab++)
		if (tab->value == value)
			return tab->name;
	return NULL;
}

static int word_value(const struct vxfwd_conf_word *tab, const char *word)
{
	for (; tab->name; tab++)
		if (!strcmp(tab->name, word))
			return tab->value;
	return 0; /* _UNSET */
}

const char *vxfwd_backend_name(enum vxfwd_backend b)
{
	return word_name(vxfwd_backend_words, (int)b);
}

enum vxfwd_backend vxfwd_backend_parse(const char *word)
{
	return (enum vxfwd_backend)word_value(vxfwd_backend_words, word);
}

const char *vxfwd_sched_name(enum vxfwd_sched sc)
{
	return word_name(vxfwd_sched_words, (int)sc);
}

enum vxfwd_sched vxfwd_sched_parse(const char *word)
{
	return (enum vxfwd_sched)word_value(vxfwd_sched_words, word);
}

int vxfwd_sched_has_prio(enum vxfwd_sched sc)
{
	return sc == VXFWD_SCHED_FIFO || sc == VXFWD_SCHED_RR;
}

int vxfwd_conf_size_shift(const char *unit)
{
	size_t i;

	for (i = 0; i < N_ELEMS(size_units); i++)
		if (!strcmp(unit, size_units[i].name))
			return (int)size_units[i].shift;
	return -EINVAL;
}

int vxfwd_conf_parse_size(const char *s, unsigned long long min, unsigned long long max,
			  unsigned long long *out)
{
	char unit[2] = { 0 };
	unsigned long long v;
	char *end;
	int shift;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return -EINVAL;
	unit[0] = *end;
	shift = *end ? vxfwd_conf_size_shift(unit) : -EINVAL;
	if (shift > 0) {
		if (v > ULLONG_MAX >> shift)
			return -EINVAL;
		v <<= shift;
		end++;
	}
	if (*end)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int vxfwd_conf_ring_check(unsigned long long bytes)
{
	if (bytes < VXFWD_ENGINE_RING_MIN || bytes > VXFWD_ENGINE_RING_MAX)
		return -ERANGE;
	if (bytes & (bytes - 1))
		return -EDOM;
	return 0;
}

void vxfwd_conf_fmt_size(char *buf, size_t len, unsigned long long bytes)
{
	size_t i;

	for (i = N_ELEMS(size_units); i-- > 0;) {
		if (bytes && !(bytes & ((1ull << size_units[i].shift) - 1))) {
			snprintf(buf, len, "%llu%s", bytes >> size_units[i].shift,
				 size_units[i].name);
			return;
		}
	}
	snprintf(buf, len, "%llu", bytes);
}

int vxfwd_conf_cpu_check(unsigned long long lo, unsigned long long hi)
{
	if (lo >= VXFWD_ENGINE_CPU_LIMIT || hi >= VXFWD_ENGINE_CPU_LIMIT)
		return -ERANGE;
	if (lo > hi)
		return -EDOM;
	return 0;
}

int vxfwd_conf_add_cpu(struct vxfwd_engine_conf *conf, unsigned int cpu)
{
	if (conf->n_cpus == VXFWD_MAX_WORKERS)
		return -E2BIG;
	conf->cpus[conf->n_cpus++] = cpu;
	return 0;
}

/* A decimal CPU number at *s; *s moves past it.  -EINVAL when there is none. */
static int cpu_number(const char **s, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(*s, &end, 10);
	if (errno || end == *s)
		return -EINVAL;
	*s = end;
	return 0;
}

/* One entry, "N" or "N-M", and the comma after it; *s moves past both. */
static int cpu_entry(const char **s, struct vxfwd_engine_conf *conf)
{
	unsigned long long lo, hi, c;
	int ret;

	if (cpu_number(s, &lo))
		return -EINVAL;
	hi = lo;
	if (**s == '-') {
		(*s)++;
		if (cpu_number(s, &hi))
			return -EINVAL;
	}
	if (vxfwd_conf_cpu_check(lo, hi))
		return -EINVAL;
	for (c = lo; c <= hi; c++) {
		ret = vxfwd_conf_add_cpu(conf, (unsigned int)c);
		if (ret)
			return ret;
	}
	if (**s == ',')
		(*s)++;
	else if (**s)
		return -EINVAL;
	return 0;
}

int vxfwd_conf_parse_cpus(const char *s, struct vxfwd_engine_conf *conf)
{
	int ret;

	conf->n_cpus = 0;
	while (*s) {
		ret = cpu_entry(&s, conf);
		if (ret)
			return ret;
	}
	return conf->n_cpus ? 0 : -EINVAL;
}

int vxfwd_conf_parse_sched(const char *s, struct vxfwd_engine_conf *conf)
{
	const char *colon = strchr(s, ':');
	unsigned long long prio = 0;
	enum vxfwd_sched sc;
	char word[16];

	snprintf(word, sizeof(word), "%.*s", colon ? (int)(colon - s) : (int)strlen(s), s);
	sc = vxfwd_sched_parse(word);
	if (sc == VXFWD_SCHED_UNSET)
		return -EINVAL;
	/* A priority with fifo and rr, none with other. */
	if (vxfwd_sched_has_prio(sc) != !!colon ||
	    (colon && vxfwd_conf_parse_size(colon + 1, 1, VXFWD_ENGINE_PRIO_MAX, &prio)))
		return -EINVAL;
	conf->sched = sc;
	conf->sched_prio = (unsigned int)prio;
	return 0;
}
