// SPDX-License-Identifier: GPL-2.0-only
/*
 * load.c - reading rules files, `include`, and the public entry points:
 * parse -> evaluate -> compile, diagnostics printed once at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dsl_int.h"
#include "dsl_lex.h"
#include "parser.tab.h"
#include "scanner.yy.h"

#define DSL_MAX_INCLUDE_DEPTH 16
#define DSL_MAX_FILE_SIZE (64u << 20)

int vxfwd_read_fd(int fd, size_t max, char **out, size_t *out_len)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *nbuf;
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (cap - len < 2) {
			if (cap >= max) {
				free(buf);
				return -EFBIG;
			}
			nbuf = realloc(buf, cap * 2);
			if (!nbuf) {
				free(buf);
				return -ENOMEM;
			}
			buf = nbuf;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			free(buf);
			return (int)n;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	return 0;
}

/* Rules decide what leaves the host: refuse files anyone may change. */
static int check_perms(struct dsl_ctx *ctx, int fd, const char *path,
		       const struct dsl_loc *from)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (S_ISREG(st.st_mode) && (st.st_mode & S_IWOTH)) {
		dsl_error(ctx, from, "%s: refusing a world-writable rules file; run 'chmod o-w %s'",
			  path, path);
		return -EPERM;
	}
	return 0;
}

static struct dsl_src *src_add(struct dsl_ctx *ctx, const char *path, char *text, size_t len,
			       const struct dsl_loc *from)
{
	struct dsl_src *src = calloc(1, sizeof(*src));

	if (!src)
		return NULL;
	src->path = strdup(path);
	if (!src->path) {
		free(src);
		return NULL;
	}
	src->text = text;
	src->len = len;
	if (from && from->src) {
		src->parent = (struct dsl_src *)from->src;
		src->incl_line = from->first_line;
	}
	src->seq = ctx->n_srcs++;
	src->next = ctx->srcs;
	ctx->srcs = src;
	return src;
}

static int parse_src(struct dsl_ctx *ctx, struct dsl_src *src)
{
	struct dsl_src *saved = ctx->cur;
	struct dsl_lex st = {
		.ctx = ctx,
		.src = src,
		.line = 1,
		.col = 1,
	};
	yyscan_t scanner;
	YY_BUFFER_STATE buf;
	int ret;

	if (yylex_init_extra(&st, &scanner))
		return -errno;
	buf = yy_scan_bytes(src->text, (int)src->len, scanner);
	if (!buf) {
		yylex_destroy(scanner);
		return -ENOMEM;
	}
	ctx->cur = src;
	ret = yyparse(scanner, ctx);
	ctx->cur = saved;
	yy_delete_buffer(buf, scanner);
	yylex_destroy(scanner);
	return ret == 2 ? -ENOMEM : 0;
}

/*
 * Read and parse `path`; `text` non-NULL is the content already.  `from` is
 * the include statement, NULL for the top file.  Errors the user must see
 * are queued as diagnostics; the return value says whether the file could
 * be read at all.
 */
static int load_src(struct dsl_ctx *ctx, const char *path, const char *text,
		    const struct dsl_loc *from)
{
	struct dsl_loc none = { .src = from ? from->src : NULL };
	struct dsl_src *src;
	size_t len = 0;
	char *buf = NULL;
	int fd = -1, ret;

	if (text) {
		buf = strdup(text);
		len = strlen(text);
		ret = buf ? 0 : -ENOMEM;
		goto have_text;
	}
	if (!strcmp(path, "-") && !from) {
		fd = STDIN_FILENO;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		ret = check_perms(ctx, fd, path, from ? from : &none);
		if (ret)
			goto out;
	}
	ret = vxfwd_read_fd(fd, DSL_MAX_FILE_SIZE, &buf, &len);
have_text:
	if (ret)
		goto out;
	/* a UTF-8 byte-order mark (editors on Windows write one) is not text */
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3)) {
		memmove(buf, buf + 3, len - 3 + 1);
		len -= 3;
	}
	if (len && memchr(buf, '\0', len)) {
		ret = -EILSEQ;
		goto out;
	}
	src = src_add(ctx, !strcmp(path, "-") && !from ? "<stdin>" : path, buf, len, from);
	if (!src) {
		ret = -ENOMEM;
		goto out;
	}
	buf = NULL;
	ret = parse_src(ctx, src);
out:
	free(buf);
	if (fd > STDIN_FILENO)
		close(fd);
	return ret;
}

/* Is `src` (or a file including it) the file `path`? */
static int include_loop(const struct dsl_src *src, const char *path)
{
	struct stat a, b;

	if (stat(path, &a) < 0)
		return 0;
	for (; src; src = src->parent)
		if (stat(src->path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			return 1;
	return 0;
}

static void include_one(struct dsl_ctx *ctx, const char *path, const struct dsl_loc *loc)
{
	int ret;

	if (include_loop(loc->src, path)) {
		dsl_error(ctx, loc, "'%s' includes itself", path);
		return;
	}
	ret = load_src(ctx, path, NULL, loc);
	if (ret == -EPERM)
		return;
	if (ret)
		dsl_error(ctx, loc, "cannot include '%s': %s", path, strerror(-ret));
}

/* Join `pattern` to the directory of the including file unless absolute. */
static char *include_path(const struct dsl_src *src, const char *pattern)
{
	char *copy, *dir, *out = NULL;

	if (pattern[0] == '/' || !src || !strcmp(src->path, "-") || !strchr(src->path, '/'))
		return strdup(pattern);
	copy = strdup(src->path);
	if (!copy)
		return NULL;
	dir = dirname(copy);
	if (asprintf(&out, "%s/%s", dir, pattern) < 0)
		out = NULL;
	free(copy);
	return out;
}

/*
 * include "path" and include "dir/<glob>": relative to the including file,
 * glob matches in sorted order; a pattern that matches nothing is fine, a
 * plain path that does not exist is an error.
 */
void dsl_include(struct dsl_ctx *ctx, const char *pattern, const struct dsl_loc *loc)
{
	glob_t g = { 0 };
	char *path;
	size_t i;
	int ret;

	if (ctx->flags & DSL_F_NO_INCLUDE) {
		dsl_error(ctx, loc, "include is not allowed here");
		return;
	}
	if (ctx->depth >= DSL_MAX_INCLUDE_DEPTH) {
		dsl_error(ctx, loc, "includes nested more than %d deep", DSL_MAX_INCLUDE_DEPTH);
		return;
	}
	path = include_path(loc->src, pattern);
	if (!path) {
		dsl_error(ctx, loc, "out of memory");
		return;
	}
	ctx->depth++;
	if (!strpbrk(pattern, "*?[")) {
		include_one(ctx, path, loc);
		goto out;
	}
	ret = glob(path, 0, NULL, &g);
	if (ret == GLOB_NOMATCH)
		goto out;
	if (ret) {
		dsl_error(ctx, loc, "cannot expand '%s': %s", path,
			  ret == GLOB_NOSPACE ? "out of memory" : "read error");
		goto out;
	}
	for (i = 0; i < g.gl_pathc; i++)
		include_one(ctx, g.gl_pathv[i], loc);
out:
	ctx->depth--;
	globfree(&g);
	free(path);
}

static void ctx_init(struct dsl_ctx *ctx, unsigned int flags, const struct vxfwd_dsl_host *host)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->flags = flags;
	ctx->host = host;
	ctx->diag_tail = &ctx->diags;
	ctx->sets_tail = &ctx->sets;
	ctx->anon_tail = &ctx->anon;
	ctx->macros_tail = &ctx->macros;
	ctx->rules_tail = &ctx->rules;
	ctx->orgs_tail = &ctx->orgs;
}

static void ctx_free(struct dsl_ctx *ctx)
{
	struct dsl_src *s, *next;

	dsl_ctx_free_ast(ctx);
	dsl_diag_free(ctx);
	for (s = ctx->srcs; s; s = next) {
		next = s->next;
		free(s->path);
		free(s->text);
		free(s);
	}
}

static int dsl_load(const char *path, const char *text, unsigned int flags,
		    const struct vxfwd_dsl_host *host, FILE *diag,
		    const struct vxfwd_diag_sink *sink, struct vxfwd_ruleset **out)
{
	struct dsl_ctx ctx;
	int ret;

	*out = NULL;
	ctx_init(&ctx, flags, host);
	ret = load_src(&ctx, path, text, NULL);
	if (ret == -EPERM && ctx.errors)
		ret = -EINVAL;
	if (ret)
		goto out;
	ctx.parse_errors = ctx.errors;
	ret = dsl_eval(&ctx);
	if (!ret && !ctx.errors)
		ret = dsl_compile(&ctx, out);
	if (ctx.errors)
		ret = -EINVAL;
out:
	if (sink)
		dsl_diag_emit(&ctx, sink);
	else if (diag)
		dsl_diag_flush(&ctx, diag);
	if (ret && *out) {
		vxfwd_ruleset_free(*out);
		*out = NULL;
	}
	ctx_free(&ctx);
	return ret;
}

int vxfwd_dsl_load(const char *path, const char *text, unsigned int flags,
		   const struct vxfwd_dsl_host *host, FILE *diag, struct vxfwd_ruleset **out)
{
	return dsl_load(path, text, flags, host, diag, NULL, out);
}

int vxfwd_dsl_load_records(const char *path, const char *text, unsigned int flags,
			   const struct vxfwd_dsl_host *host, const struct vxfwd_diag_sink *sink,
			   struct vxfwd_ruleset **out)
{
	return dsl_load(path, text, flags, host, NULL, sink, out);
}

int vxfwd_dsl_load_file(const char *path, FILE *diag, struct vxfwd_ruleset **out)
{
	return vxfwd_dsl_load(path, NULL, 0, NULL, diag, out);
}

int vxfwd_dsl_load_string(const char *name, const char *text, FILE *diag,
			  struct vxfwd_ruleset **out)
{
	return vxfwd_dsl_load(name, text, 0, NULL, diag, out);
}

void vxfwd_ruleset_free(struct vxfwd_ruleset *rs)
{
	if (!rs)
		return;
	free(rs->ops);
	free(rs->prefixes);
	free(rs->rules);
	free(rs->orgs);
	free(rs->sets);
	free(rs);
}
