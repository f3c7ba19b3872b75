/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dsl_int.h - internals of the rules compiler: source files, locations, the
 * AST, diagnostics and the keyword table.  Not installed, not used outside
 * dsl/ (tests/ include it to check the keyword table).
 *
 * Pipeline: parser.y builds the AST into a struct dsl_ctx, eval.c checks it
 * and resolves names, compile.c turns it into struct vxfwd_op entries.
 */
#ifndef VXFWD_DSL_INT_H
#define VXFWD_DSL_INT_H

#include <stddef.h>
#include <stdio.h>

#include "vxfwd_dsl.h"

/* Internal load flags, beside the VXFWD_DSL_F_* of vxfwd_dsl.h. */
#define DSL_F_NO_INCLUDE 0x100		/* `include` is an error (the fuzzer) */

/* One source text: the top file, an included file or a string. */
struct dsl_src {
	char *path;			/* as given or as built from an include */
	char *text;			/* whole file, NUL terminated */
	size_t len;
	struct dsl_src *parent;		/* including file, NULL for the top */
	int incl_line;			/* line of the include in parent */
	int seq;			/* order in which files were opened */
	struct dsl_src *next;		/* all sources, for freeing */
};

/* A span: first and last character, 1-based, both inclusive. */
struct dsl_loc {
	const struct dsl_src *src;
	int first_line;
	int first_column;
	int last_line;
	int last_column;
};

/* ---- diagnostics --------------------------------------------------------- */

enum dsl_sev { DSL_ERROR, DSL_WARNING, DSL_NOTE };

struct dsl_diag {
	enum dsl_sev sev;
	struct dsl_loc loc;		/* loc.src NULL: no location */
	char *msg;
	size_t order;			/* emission order of its group */
	struct dsl_diag *next;
};

/* ---- values -------------------------------------------------------------- */

/*
 * An address of either family in 128 bits, most significant bit first:
 * IPv6 as written, IPv4 in the top 32 bits.  A prefix of length plen keeps
 * its top plen bits whatever its family, so one mask and one comparison
 * serve both; the family (DSL_FAM4, DSL_FAM6) travels beside it and two
 * families never cover, meet or equal each other.
 */
typedef unsigned __int128 dsl_u128;

#define DSL_FAM4 4
#define DSL_FAM6 6

static inline unsigned int dsl_fam_bits(unsigned int fam)
{
	return fam == DSL_FAM6 ? 128 : 32;
}

static inline dsl_u128 dsl_mask(unsigned int plen)
{
	return plen ? ~(dsl_u128)0 << (128 - plen) : 0;
}

static inline dsl_u128 dsl_from_v4(__u32 addr)
{
	return (dsl_u128)addr << 96;
}

static inline __u32 dsl_to_v4(dsl_u128 addr)
{
	return (__u32)(addr >> 96);
}

/* Order of prefixes: family (IPv4 first), address, then length. */
static inline int dsl_pfx_order(unsigned int af, dsl_u128 a, unsigned int alen, unsigned int bf,
				dsl_u128 b, unsigned int blen)
{
	if (af != bf)
		return af < bf ? -1 : 1;
	if (a != b)
		return a < b ? -1 : 1;
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return 0;
}

/* Does prefix a contain prefix b (same family)? */
static inline int dsl_covers(unsigned int af, dsl_u128 a, unsigned int alen, unsigned int bf,
			     dsl_u128 b, unsigned int blen)
{
	return af == bf && alen <= blen && ((a ^ b) & dsl_mask(alen)) == 0;
}

void dsl_to_bytes(dsl_u128 addr, __u8 out[16]);
dsl_u128 dsl_from_bytes(const __u8 in[16]);

enum dsl_val_kind {
	DSL_V_ANY,		/* `any` */
	DSL_V_ADDR,		/* 192.0.2.1 */
	DSL_V_PREFIX,		/* 192.0.2.0/24 */
	DSL_V_NUM,		/* 4789 */
	DSL_V_RANGE,		/* 1000-2000 */
	DSL_V_SET,		/* @name */
	DSL_V_MACRO,		/* $name, replaced by eval.c */
};

/* A literal, a set reference or a macro use, with where it was written. */
struct dsl_val {
	enum dsl_val_kind kind;
	int neg;			/* `!` in front (rule endpoints) */
	int bad;			/* not a valid value, already reported */
	unsigned int fam;		/* ADDR and PREFIX: DSL_FAM4 or DSL_FAM6 */
	dsl_u128 addr;			/* ADDR and PREFIX, see dsl_u128 */
	unsigned int plen;		/* 32 or 128 for ADDR */
	unsigned long long lo;		/* NUM, RANGE */
	unsigned long long hi;		/* RANGE (NUM: == lo) */
	char *name;			/* SET, MACRO; NUM: unit (50us, 4M) or NULL */
	struct dsl_set *set;		/* SET, after eval */
	struct dsl_loc loc;
};

/* ---- the AST ------------------------------------------------------------- */

struct dsl_org {
	char *name;
	unsigned long long id;
	struct dsl_loc loc;
	int slot;			/* index in ruleset orgs[], after eval */
	struct dsl_org *next;
};

/* A prefix after evaluation (host bits cleared). */
struct dsl_pfx {
	unsigned int fam;
	dsl_u128 addr;
	unsigned int plen;
	struct dsl_org *org;		/* NULL: none */
	const struct dsl_val *val;	/* where it was written */
};

/* One member of a set: a prefix (ADDR/PREFIX), @set or $macro. */
struct dsl_member {
	struct dsl_val *val;
	struct dsl_org *org;		/* enclosing `org` block or NULL */
	struct dsl_member *next;
};

struct dsl_set {
	char *name;			/* NULL: anonymous (a rule's literal) */
	struct dsl_loc loc;		/* the name */
	struct dsl_member *members;
	struct dsl_member **tail;
	struct dsl_pfx *flat;		/* every prefix, nested sets folded in */
	size_t n_flat;
	size_t cap_flat;
	int bit;			/* -1 until eval assigns one */
	int state;			/* eval: 0 new, 1 visiting, 2 done */
	struct dsl_set *next;
};

struct dsl_macro {
	char *name;
	struct dsl_val *val;
	struct dsl_loc loc;
	int used;
	struct dsl_macro *next;
};

/* Protocols of a rule (`udp`, `tcp`, `udp, tcp`). */
#define DSL_PROTO_UDP 0x1
#define DSL_PROTO_TCP 0x2

/* An inclusive range of numbers (a rule's ports or VNIs after eval). */
struct dsl_range {
	unsigned int lo;
	unsigned int hi;
};

/* One DNAT target of a rule as written: `ADDRESS [port N]`. */
struct dsl_target {
	struct dsl_val *addr;
	struct dsl_val *port;		/* NULL: keep the port */
	struct dsl_target *next;
};

struct dsl_rule {
	char *name;			/* NULL: unnamed */
	struct dsl_loc loc;		/* the `forward` keyword */
	struct dsl_loc name_loc;
	unsigned int protos;		/* DSL_PROTO_* */
	struct dsl_val *src;
	struct dsl_val *dst;		/* NULL: any */
	struct dsl_vlist *ports;	/* numbers and ranges, as written */
	struct dsl_range pr[VXFWD_RULE_MAX_DPORTS];	/* after eval: sorted, joined */
	int n_pr;
	struct dsl_val *vni;		/* NULL: every ingress VNI; a number or a range */
	struct dsl_target *targets;	/* owns the targets, in the order written */
	struct dsl_val *dnat;		/* the first target's address (in targets) */
	struct dsl_val *dnat_port;	/* the first target's port, NULL: keep the port */
	int pos;			/* position, after eval */
	int bad;			/* eval found an error in it */
	struct dsl_rule *next;
};

/* A list of numbers with their locations (`vxlan port`, `geneve port`, `vni`). */
struct dsl_vlist {
	struct dsl_val *val;
	struct dsl_vlist *next;
};

struct dsl_ingress {
	char *name;
	struct dsl_loc loc;
	struct dsl_vlist *ports;
	struct dsl_vlist *geneve_ports;
	struct dsl_vlist *vnis;
	int have_mode;
	enum vxfwd_xdp_mode mode;
	struct dsl_loc mode_loc;
};

struct dsl_egress {
	char *name;
	struct dsl_loc loc;
	int have_mac;
	__u8 mac[6];
	struct dsl_loc mac_loc;
};

/* Settings of the `engine { ... }` block; engine_block.c names them. */
enum dsl_eng_key {
	DSL_ENG_BACKEND,
	DSL_ENG_WORKERS,
	DSL_ENG_CPUS,
	DSL_ENG_SCHED,
	DSL_ENG_BUSY_POLL,
	DSL_ENG_RING_SIZE,
	DSL_ENG_BATCH,
	DSL_ENG_QDISC_BYPASS,
	DSL_ENG_N,
};

/* One setting as written: a word, a number, a list, or a word and a number. */
struct dsl_eng_item {
	int given;
	struct dsl_loc loc;		/* the setting's keyword */
	char *word;			/* backend, sched policy, on/off */
	struct dsl_loc word_loc;
	struct dsl_val *num;		/* the value; sched: the priority or NULL */
	struct dsl_vlist *list;		/* cpus */
};

struct dsl_engine {
	struct dsl_loc loc;		/* the `engine` keyword */
	struct dsl_eng_item item[DSL_ENG_N];
	struct vxfwd_engine_conf conf;	/* filled by dsl_eval_engine() */
};

/* `health listen ADDR port N` (health.c). */
struct dsl_health {
	struct dsl_loc loc;		/* the `health` keyword */
	struct dsl_val *addr;
	struct dsl_val *port;
	int bad;			/* eval found an error in it */
};

/* Everything one load works on.  No globals: the scanner and the parser
 * reach it through their extra/parse-param pointers. */
struct dsl_ctx {
	unsigned int flags;		/* VXFWD_DSL_F_* */
	const struct vxfwd_dsl_host *host;	/* NULL: interfaces not checked */
	struct dsl_src *srcs;
	struct dsl_src *cur;		/* file being parsed */
	int depth;			/* include depth */

	struct dsl_diag *diags;
	struct dsl_diag **diag_tail;
	int n_srcs;
	int errors;
	int warnings;
	int parse_errors;		/* errors while reading: the AST is partial */

	struct dsl_ingress *ingress;
	struct dsl_egress *egress;
	struct dsl_engine *engine;	/* NULL: no engine block */
	struct dsl_health *health;	/* NULL: no health listener */
	struct dsl_set *sets;		/* named, in definition order */
	struct dsl_set **sets_tail;
	struct dsl_set *anon;		/* anonymous, created by eval */
	struct dsl_set **anon_tail;
	struct dsl_macro *macros;
	struct dsl_macro **macros_tail;
	struct dsl_rule *rules;
	struct dsl_rule **rules_tail;
	struct dsl_org *orgs;
	struct dsl_org **orgs_tail;

	struct dsl_set *cur_set;	/* set body being parsed */
	struct dsl_org *cur_org;	/* org block being parsed */
	struct dsl_ingress *cur_ingress;
	struct dsl_egress *cur_egress;
	struct dsl_engine *cur_engine;

	int n_bits;			/* set bits handed out */
	signed char *pfx_cache;		/* eval: set-against-set answers, see eval.c */
	int tok, prev_tok;		/* last two tokens read, for messages */
	struct dsl_loc tok_loc, prev_loc;
	char last_word[128];		/* text of the last word read */
	char prev_word[128];		/* and of the one before */
};

/* diag.c */
void dsl_diag(struct dsl_ctx *ctx, enum dsl_sev sev, const struct dsl_loc *loc,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
#define dsl_error(ctx, loc, ...) dsl_diag(ctx, DSL_ERROR, loc, __VA_ARGS__)
#define dsl_warning(ctx, loc, ...) dsl_diag(ctx, DSL_WARNING, loc, __VA_ARGS__)
#define dsl_note(ctx, loc, ...) dsl_diag(ctx, DSL_NOTE, loc, __VA_ARGS__)
void dsl_diag_flush(struct dsl_ctx *ctx, FILE *out);
void dsl_diag_emit(struct dsl_ctx *ctx, const struct vxfwd_diag_sink *sink);
void dsl_diag_free(struct dsl_ctx *ctx);
int dsl_loc_char(const struct dsl_loc *loc);

/* keywords.c */
#define DSL_KW_NAME 0x1		/* also a name where one may appear */

struct dsl_keyword {
	const char *name;
	int token;
	unsigned int flags;		/* DSL_KW_* */
};

extern const struct dsl_keyword dsl_keywords[];
extern const size_t dsl_n_keywords;
int dsl_keyword_lookup(const char *word);
const char *dsl_keyword_name(int token);
int dsl_keyword_is_name(int token);
const char *dsl_suggest(const char *word, const char *const *cands, size_t n);
unsigned int dsl_edit_distance(const char *a, const char *b);

/* load.c: `include` statements, called from the grammar. */
void dsl_include(struct dsl_ctx *ctx, const char *pattern, const struct dsl_loc *loc);

/* ast.c: grammar actions record what was written; they take ownership of
 * the strings and values they are given. */
void dsl_ast_ingress(struct dsl_ctx *ctx, char *name, const struct dsl_loc *loc);
void dsl_ast_xdp_mode(struct dsl_ctx *ctx, int mode, const struct dsl_loc *loc);
void dsl_ast_vxlan_port(struct dsl_ctx *ctx, struct dsl_val *v);
void dsl_ast_geneve_port(struct dsl_ctx *ctx, struct dsl_val *v);
void dsl_ast_vni(struct dsl_ctx *ctx, struct dsl_val *v);
void dsl_ast_egress(struct dsl_ctx *ctx, char *name, const struct dsl_loc *loc);
void dsl_ast_nh_mac(struct dsl_ctx *ctx, const __u8 *mac, const struct dsl_loc *loc);
void dsl_ast_set_begin(struct dsl_ctx *ctx, char *name, const struct dsl_loc *loc);
void dsl_ast_org_begin(struct dsl_ctx *ctx, char *name, struct dsl_val *id,
		       const struct dsl_loc *loc);
void dsl_ast_member(struct dsl_ctx *ctx, struct dsl_val *v);
void dsl_ast_engine(struct dsl_ctx *ctx, const struct dsl_loc *loc);
void dsl_ast_eng_item(struct dsl_ctx *ctx, enum dsl_eng_key key, const struct dsl_loc *loc,
		      char *word, const struct dsl_loc *word_loc, struct dsl_val *num,
		      struct dsl_vlist *list);
void dsl_vlist_append(struct dsl_ctx *ctx, struct dsl_vlist **head, struct dsl_val *v);
void dsl_ast_rule(struct dsl_ctx *ctx, const struct dsl_rule *r);
struct dsl_target *dsl_target_append(struct dsl_ctx *ctx, struct dsl_target *head,
				     struct dsl_val *addr, struct dsl_val *port);
void dsl_target_free(struct dsl_target *t);
void dsl_ast_macro(struct dsl_ctx *ctx, char *name, const struct dsl_loc *loc,
		   struct dsl_val *v);
struct dsl_val *dsl_ast_prefix(enum dsl_val_kind kind, unsigned int fam, dsl_u128 addr,
			       unsigned int plen, const struct dsl_loc *loc);
struct dsl_val *dsl_ast_named(enum dsl_val_kind kind, char *name, const struct dsl_loc *loc);
struct dsl_val *dsl_ast_range(unsigned long long lo, unsigned long long hi,
			      const struct dsl_loc *loc);
struct dsl_val *dsl_val_new(enum dsl_val_kind kind, const struct dsl_loc *loc);
void dsl_val_free(struct dsl_val *v);
void dsl_vlist_free(struct dsl_vlist *l);
void dsl_ctx_free_ast(struct dsl_ctx *ctx);
/* Room for any address or prefix dsl_fmt_val() prints, `!` included. */
#define DSL_ADDR_STRLEN 64
void dsl_fmt_addr(char *buf, size_t len, unsigned int fam, dsl_u128 addr);
void dsl_fmt_val(char *buf, size_t len, const struct dsl_val *v);

/* engine_block.c: the engine block's names, checks and settings. */
extern const char *const dsl_eng_names[DSL_ENG_N];
void dsl_eval_engine(struct dsl_ctx *ctx);

/* health.c: the health statement, recorded, checked, compiled. */
void dsl_ast_health(struct dsl_ctx *ctx, const struct dsl_loc *loc, struct dsl_val *addr,
		    struct dsl_val *port);
void dsl_health_free(struct dsl_ctx *ctx);
void dsl_eval_health(struct dsl_ctx *ctx);
void dsl_compile_health(const struct dsl_ctx *ctx, struct vxfwd_ruleset *rs);

/* eval.c / compile.c */
#define DSL_K(kind) (1u << (kind))
int dsl_resolve(struct dsl_ctx *ctx, struct dsl_val *v, unsigned int allowed,
		const char *what);
int dsl_eval(struct dsl_ctx *ctx);
int dsl_compile(struct dsl_ctx *ctx, struct vxfwd_ruleset **out);

#endif /* VXFWD_DSL_INT_H */
