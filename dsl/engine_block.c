// SPDX-License-Identifier: GPL-2.0-only
/*
 * engine_block.c - the `engine { ... }` block: its values checked and turned
 * into the struct vxfwd_engine_conf that `run` hands to the engine.
 *
 * The words of the block (backend names, scheduling policies, on/off) are
 * names to the grammar and are looked up here, with a suggestion for a
 * misspelt one.  Numbers may be macros; busy-poll and ring-size also take a
 * unit (50us, 4M).  A setting left out stays unset (0, _UNSET or -1) and the
 * engine uses its own default.  The words, ranges, units and CPU entries are
 * conf/'s (vxfwd_conf.h), shared with `run`'s options; the messages, with
 * their places in the file, are the language's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dsl_int.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define CPU_LIMIT VXFWD_ENGINE_CPU_LIMIT
#define RING_MAX VXFWD_ENGINE_RING_MAX
#define POLL_MAX_US VXFWD_ENGINE_POLL_MAX_US
#define BATCH_MAX VXFWD_ENGINE_BATCH_MAX
#define PRIO_MAX VXFWD_ENGINE_PRIO_MAX

const char *const dsl_eng_names[DSL_ENG_N] = {
	[DSL_ENG_BACKEND] = "backend",
	[DSL_ENG_WORKERS] = "workers",
	[DSL_ENG_CPUS] = "cpus",
	[DSL_ENG_SCHED] = "sched",
	[DSL_ENG_BUSY_POLL] = "busy-poll",
	[DSL_ENG_RING_SIZE] = "ring-size",
	[DSL_ENG_BATCH] = "batch",
	[DSL_ENG_QDISC_BYPASS] = "qdisc-bypass",
};

static const struct vxfwd_conf_word on_off[] = {
	{ "on", 1 },
	{ "off", 0 },
	{ NULL, 0 },
};

/* Where each CPU of conf.cpus[] was written, for the warnings. */
struct eng_state {
	struct dsl_engine *e;
	const struct dsl_val *cpu_val[VXFWD_MAX_WORKERS];
	int bad[DSL_ENG_N];		/* the setting had an error */
};

/* The value of word `it->word` in `tab` (NULL-terminated), or -1 (reported). */
static int lookup_word(struct dsl_ctx *ctx, const struct dsl_eng_item *it,
		       const struct vxfwd_conf_word *tab, const char *what)
{
	const char *cands[8] = { NULL }, *pick;
	char list[128];
	size_t i, n, off = 0;

	for (n = 0; tab[n].name; n++) {
		if (!strcmp(it->word, tab[n].name))
			return tab[n].value;
		if (n < N_ELEMS(cands))
			cands[n] = tab[n].name;
	}
	pick = dsl_suggest(it->word, cands, n < N_ELEMS(cands) ? n : N_ELEMS(cands));
	if (pick) {
		dsl_error(ctx, &it->word_loc, "unknown %s '%s'; did you mean '%s'?", what, it->word,
			  pick);
		return -1;
	}
	for (i = 0; i < n && off < sizeof(list); i++)
		off += snprintf(list + off, sizeof(list) - off, "%s'%s'",
				i == 0 ? "" : i == n - 1 ? " or " : ", ", tab[i].name);
	dsl_error(ctx, &it->word_loc, "unknown %s '%s'; expected %s", what, it->word, list);
	return -1;
}

/* A plain number (macros resolved) in [lo, hi]. */
static int get_number(struct dsl_ctx *ctx, struct dsl_val *v, const char *what,
		      unsigned long long lo, unsigned long long hi, unsigned long long *out)
{
	if (dsl_resolve(ctx, v, DSL_K(DSL_V_NUM), what))
		return -EINVAL;
	if (v->lo < lo || v->lo > hi) {
		dsl_error(ctx, &v->loc, "engine: %s %llu out of range (%llu-%llu)", what, v->lo, lo,
			  hi);
		return -EINVAL;
	}
	*out = v->lo;
	return 0;
}

static int eval_backend(struct dsl_ctx *ctx, struct dsl_engine *e)
{
	int b = lookup_word(ctx, &e->item[DSL_ENG_BACKEND], vxfwd_backend_words, "backend");

	if (b < 0)
		return -EINVAL;
	e->conf.backend = (enum vxfwd_backend)b;
	return 0;
}

/* Setting `k`, a count in [1, max], into *out. */
static int eval_count(struct dsl_ctx *ctx, struct dsl_engine *e, enum dsl_eng_key k,
		      unsigned int max, unsigned int *out)
{
	unsigned long long n;

	if (get_number(ctx, e->item[k].num, dsl_eng_names[k], 1, max, &n))
		return -EINVAL;
	*out = (unsigned int)n;
	return 0;
}

static int eval_workers(struct dsl_ctx *ctx, struct dsl_engine *e)
{
	return eval_count(ctx, e, DSL_ENG_WORKERS, VXFWD_MAX_WORKERS, &e->conf.workers);
}

static int eval_batch(struct dsl_ctx *ctx, struct dsl_engine *e)
{
	return eval_count(ctx, e, DSL_ENG_BATCH, BATCH_MAX, &e->conf.batch);
}

static int eval_sched(struct dsl_ctx *ctx, struct dsl_engine *e)
{
	struct dsl_eng_item *it = &e->item[DSL_ENG_SCHED];
	unsigned long long prio;
	int pol;

	pol = lookup_word(ctx, it, vxfwd_sched_words, "scheduling policy");
	if (pol < 0)
		return -EINVAL;
	if (!vxfwd_sched_has_prio((enum vxfwd_sched)pol) && it->num) {
		dsl_error(ctx, &it->num->loc, "engine: sched %s takes no priority", it->word);
		return -EINVAL;
	}
	if (vxfwd_sched_has_prio((enum vxfwd_sched)pol) && !it->num) {
		dsl_error(ctx, &it->word_loc,
			  "engine: sched %s needs a priority (1-%d), like 'sched %s 50'", it->word,
			  PRIO_MAX, it->word);
		return -EINVAL;
	}
	if (it->num && get_number(ctx, it->num, "sched priority", 1, PRIO_MAX, &prio))
		return -EINVAL;
	e->conf.sched = (enum vxfwd_sched)pol;
	e->conf.sched_prio = it->num ? (unsigned int)prio : 0;
	return 0;
}

/* busy-poll N or Nus: microseconds. */
static int eval_busy_poll(struct dsl_ctx *ctx, struct dsl_engine *e)
{
	struct dsl_val *v = e->item[DSL_ENG_BUSY_POLL].num;

	if (dsl_resolve(ctx, v, DSL_K(DSL_V_NUM), "busy-poll"))
		return -EINVAL;
	if (v->name && strcmp(v->name, "us")) {
		dsl_error(ctx, &v->loc,
			  "engine: busy-poll takes microseconds ('50us' or '50'), not '%llu%s'",
			  v->lo, v->name);
		return -EINVAL;
	}
	if (v->lo > POLL_MAX_US) {
		dsl_error(ctx, &v->loc, "engine: busy-poll %lluus out of range (0-%dus)", v->lo,
			  POLL_MAX_US);
		return -EINVAL;
	}
	e->conf.poll_us = (int)v->lo;
	return 0;
}

/* The unit of a ring-size as a shift, or -1 (reported). */
static int size_shift(struct dsl_ctx *ctx, const struct dsl_val *v)
{
	int shift;

	if (!v->name)
		return 0;
	shift = vxfwd_conf_size_shift(v->name);
	if (shift >= 0)
		return shift;
	dsl_error(ctx, &v->loc, "engine: unknown size unit '%s' in '%llu%s'; expected K, M or G",
		  v->name, v->lo, v->name);
	return -1;
}

/* ring-size N[K|M|G]: bytes per worker, a power of two. */
static int eval_ring_size(struct dsl_ctx *ctx, struct dsl_engine *e)
{
	struct dsl_val *v = e->item[DSL_ENG_RING_SIZE].num;
	char given[48], lo[32], hi[32];
	unsigned long long bytes;
	int shift, ret;

	if (dsl_resolve(ctx, v, DSL_K(DSL_V_NUM), "ring-size"))
		return -EINVAL;
	shift = size_shift(ctx, v);
	if (shift < 0)
		return -EINVAL;
	snprintf(given, sizeof(given), "%llu%s", v->lo, v->name ? v->name : "");
	bytes = v->lo > (RING_MAX << 1) >> shift ? ~0ull : v->lo << shift;
	ret = vxfwd_conf_ring_check(bytes);
	if (ret == -ERANGE) {
		dsl_error(ctx, &v->loc, "engine: ring-size %s out of range (64K-1G)", given);
		return -EINVAL;
	}
	if (ret) {
		for (shift = 62; shift > 0 && !(bytes >> shift); shift--)
			;
		vxfwd_conf_fmt_size(lo, sizeof(lo), 1ull << shift);
		vxfwd_conf_fmt_size(hi, sizeof(hi), 1ull << (shift + 1));
		dsl_error(ctx, &v->loc, "engine: ring-size %s is not a power of two; use %s or %s",
			  given, lo, hi);
		return -EINVAL;
	}
	e->conf.ring_bytes = bytes;
	return 0;
}

static int eval_qdisc_bypass(struct dsl_ctx *ctx, struct dsl_engine *e)
{
	struct dsl_eng_item *it = &e->item[DSL_ENG_QDISC_BYPASS];
	int on = lookup_word(ctx, it, on_off, "qdisc-bypass value");

	if (on < 0)
		return -EINVAL;
	if (on)
		dsl_warning(ctx, &it->word_loc,
			    "engine: frames sent with qdisc bypass are invisible to tcpdump -i %s",
			    ctx->egress ? ctx->egress->name : "EGRESS");
	e->conf.qdisc_bypass = on;
	return 0;
}

/* One entry of `cpus`: a CPU or a range, appended in order. */
static int cpu_entry(struct dsl_ctx *ctx, struct eng_state *st, struct dsl_val *v,
		     const struct dsl_val **seen)
{
	struct vxfwd_engine_conf *conf = &st->e->conf;
	unsigned long long c;
	int dup = 0, ret;

	if (dsl_resolve(ctx, v, DSL_K(DSL_V_NUM) | DSL_K(DSL_V_RANGE), "cpus"))
		return -EINVAL;
	ret = vxfwd_conf_cpu_check(v->lo, v->hi);
	if (ret == -ERANGE) {
		dsl_error(ctx, &v->loc, "engine: cpu %llu out of range (0-%d)",
			  v->lo >= CPU_LIMIT ? v->lo : v->hi, CPU_LIMIT - 1);
		return -EINVAL;
	}
	if (ret) {
		dsl_error(ctx, &v->loc, "engine: cpu range %llu-%llu is empty", v->lo, v->hi);
		return -EINVAL;
	}
	for (c = v->lo; c <= v->hi; c++) {
		if (seen[c] && !dup) {
			dsl_warning(ctx, &v->loc, "engine: cpu %llu listed twice", c);
			dsl_note(ctx, &seen[c]->loc, "first listed here");
			dup = 1;
		}
		if (!seen[c])
			seen[c] = v;
		if (vxfwd_conf_add_cpu(conf, (unsigned int)c)) {
			dsl_error(ctx, &v->loc, "engine: more than %d cpus", VXFWD_MAX_WORKERS);
			return -E2BIG;
		}
		st->cpu_val[conf->n_cpus - 1] = v;
	}
	return 0;
}

static int eval_cpus(struct dsl_ctx *ctx, struct eng_state *st)
{
	const struct dsl_val **seen;
	struct dsl_vlist *l;
	int ret = 0, r;

	seen = calloc(CPU_LIMIT, sizeof(*seen));
	if (!seen) {
		dsl_error(ctx, &st->e->item[DSL_ENG_CPUS].loc, "out of memory");
		return -ENOMEM;
	}
	for (l = st->e->item[DSL_ENG_CPUS].list; l; l = l->next) {
		r = cpu_entry(ctx, st, l->val, seen);
		if (r == -E2BIG) {
			ret = r;
			break;
		}
		if (r)
			ret = r;
	}
	free(seen);
	return ret;
}

/* Workers against CPUs: unused CPUs, shared CPUs, unpinned workers. */
static void check_placement(struct dsl_ctx *ctx, struct eng_state *st)
{
	const struct dsl_eng_item *wk = &st->e->item[DSL_ENG_WORKERS];
	const struct dsl_eng_item *cp = &st->e->item[DSL_ENG_CPUS];
	const struct vxfwd_engine_conf *conf = &st->e->conf;
	unsigned int w = conf->workers, n = conf->n_cpus, i;
	char list[128];
	size_t off = 0;

	if (!wk->given || st->bad[DSL_ENG_WORKERS] || st->bad[DSL_ENG_CPUS])
		return;
	if (!cp->given) {
		if (w > 1)
			dsl_warning(ctx, &wk->num->loc,
				    "engine: %u workers without 'cpus'; the workers are not pinned to CPUs",
				    w);
		return;
	}
	if (n > w) {
		for (i = w; i < n && off < sizeof(list); i++)
			off += snprintf(list + off, sizeof(list) - off, "%s%u", i > w ? ", " : "",
					conf->cpus[i]);
		if (n - w > 1)
			dsl_warning(ctx, &st->cpu_val[w]->loc,
				    "engine: %u cpus listed for %u worker%s; the last %u (%s) are unused",
				    n, w, w > 1 ? "s" : "", n - w, list);
		else
			dsl_warning(ctx, &st->cpu_val[w]->loc,
				    "engine: %u cpus listed for %u worker%s; the last one (%s) is unused",
				    n, w, w > 1 ? "s" : "", list);
		dsl_note(ctx, &wk->num->loc, "workers set here");
	} else if (w > n) {
		dsl_warning(ctx, &wk->num->loc,
			    "engine: %u workers on %u cpu%s; the workers wrap around the list (worker %u shares cpu %u with worker 0)",
			    w, n, n > 1 ? "s" : "", n, conf->cpus[0]);
		dsl_note(ctx, &cp->loc, "cpus set here");
	}
}

static int (*const eval_fns[DSL_ENG_N])(struct dsl_ctx *, struct dsl_engine *) = {
	[DSL_ENG_BACKEND] = eval_backend,
	[DSL_ENG_WORKERS] = eval_workers,
	[DSL_ENG_SCHED] = eval_sched,
	[DSL_ENG_BUSY_POLL] = eval_busy_poll,
	[DSL_ENG_RING_SIZE] = eval_ring_size,
	[DSL_ENG_BATCH] = eval_batch,
	[DSL_ENG_QDISC_BYPASS] = eval_qdisc_bypass,
};

static int eval_item(struct dsl_ctx *ctx, struct eng_state *st, int k)
{
	const struct dsl_eng_item *it = &st->e->item[k];

	if (!it->word && !it->num && !it->list)
		return -ENOMEM;		/* the value could not be stored: reported */
	if (k == DSL_ENG_CPUS)
		return eval_cpus(ctx, st);
	return eval_fns[k](ctx, st->e);
}

/* Check every setting given and fill ctx->engine->conf. */
void dsl_eval_engine(struct dsl_ctx *ctx)
{
	struct eng_state st = { .e = ctx->engine };
	int k;

	if (!st.e)
		return;
	vxfwd_engine_conf_init(&st.e->conf);
	for (k = 0; k < DSL_ENG_N; k++)
		if (st.e->item[k].given)
			st.bad[k] = eval_item(ctx, &st, k) != 0;
	check_placement(ctx, &st);
}
