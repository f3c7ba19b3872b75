// SPDX-License-Identifier: GPL-2.0-only
/*
 * hsrv.c - the health and metrics listener (hsrv.h): one thread, one epoll
 * set holding the listening socket, a stop eventfd and up to
 * HSRV_MAX_CONNS connections, each read -> answer -> linger -> close.
 * Requests are parsed by http_req.c; the pages are built here from what
 * the kernel says (XDP attachment, maps) and from the workers' beats.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <bpf/bpf.h>

#include "engine.h"
#include "host.h"
#include "hsrv.h"
#include "http_req.h"
#include "loader.h"
#include "log.h"
#include "stats.h"

#define TICK_MS	   250
#define LINGER_MAX (256u << 10) /* bytes read and dropped after an answer */
#define EV_LISTEN  0xffff0000u
#define EV_STOP	   0xffff0001u

enum conn_state { C_FREE = 0, C_READ, C_WRITE, C_LINGER };

struct conn {
	int fd;
	enum conn_state st;
	__u64 since;	/* accepted, for the eviction of the oldest */
	__u64 deadline; /* of the current state */
	char in[HSRV_HEAD_MAX];
	size_t in_len;
	char *out;
	size_t out_len;
	size_t out_off;
	size_t dropped;
};

struct hsrv_nh {
	int family;    /* AF_INET: addr holds 4 bytes, AF_INET6: 16 */
	__u8 addr[16]; /* a DNAT target of the active ruleset */
};

struct hsrv {
	struct engine *e;
	struct vxfwd_health_listen l;
	char where[40]; /* ADDR:PORT for messages */
	int lfd;
	int stop_fd;
	int epfd;
	int running;
	pthread_t thread;
	__u32 prog_id; /* our XDP program, as the kernel numbers it */
	pthread_mutex_t mu;
	int have_rs;
	struct hsrv_nh nh[VXFWD_MAX_NEXTHOPS];
	unsigned int n_nh;
	struct health_beats beats;
	struct conn c[HSRV_MAX_CONNS];
};

/* ---- the pages ------------------------------------------------------------ */

/* The XDP program on the ingress interface is still ours. */
static void check_xdp(struct hsrv *h, FILE *out)
{
	const char *mode;
	__u32 id = 0;
	int ret;

	ret = host_xdp_attached(h->e->ingress_ifindex, &id, &mode);
	if (ret)
		fprintf(out, "xdp: %s: the kernel's XDP query failed: %s\n", h->e->ingress,
			strerror(-ret));
	else if (!id)
		fprintf(out, "xdp: %s: no XDP program attached\n", h->e->ingress);
	else if (id != h->prog_id)
		fprintf(out, "xdp: %s: program id %u attached, not vxfwd's (id %u)\n",
			h->e->ingress, id, h->prog_id);
}

/* The workers' beats moved within HSRV_STALL_MS. */
static void check_workers(struct hsrv *h, FILE *out)
{
	__u64 stalled;
	unsigned int i;

	if (!health_beats_look(h->e, &h->beats, health_now_ms(), HSRV_STALL_MS, &stalled))
		return;
	for (i = 0; i < h->e->conf.workers; i++)
		if (stalled & (1ull << i))
			fprintf(out, "worker %u: no progress for %d ms or more\n", i,
				HSRV_STALL_MS);
}

/* A ruleset is active and every next hop of it is valid for XDP. */
static void check_rules(struct hsrv *h, FILE *out)
{
	struct hsrv_nh nh[VXFWD_MAX_NEXTHOPS];
	unsigned int n, i;
	struct vxfwd_nh v;
	char a[INET6_ADDRSTRLEN];
	__u32 gen;
	int have, ret;

	pthread_mutex_lock(&h->mu);
	have = h->have_rs;
	n = h->n_nh;
	memcpy(nh, h->nh, n * sizeof(nh[0]));
	pthread_mutex_unlock(&h->mu);
	ret = maps_active_gen(&h->e->maps, &gen);
	if (!have || ret) {
		fprintf(out, "rules: no ruleset active%s%s\n", ret ? ": " : "",
			ret ? strerror(-ret) : "");
		return;
	}
	for (i = 0; i < n; i++) {
		ret = maps_get_nexthop(&h->e->maps, nh[i].family, nh[i].addr, &v);
		if (!ret && (v.flags & VXFWD_NH_F_VALID))
			continue;
		inet_ntop(nh[i].family, nh[i].addr, a, sizeof(a));
		fprintf(out, "next hop %s: not resolved on %s\n", a, h->e->egress);
	}
}

static int page_healthz(struct hsrv *h, FILE *out)
{
	long before = ftell(out);

	check_xdp(h, out);
	check_rules(h, out);
	check_workers(h, out);
	if (ftell(out) != before)
		return 503;
	fputs("ok\n", out);
	return 200;
}

static int page_metrics(struct hsrv *h, FILE *out)
{
	struct engine *e = h->e;
	struct stats_src src = {
		.m = e->maps,
		.guard = e->guard_ok ? guard_cnt_fd(&e->guard) : -1,
		.inst = &e->inst,
		.up = 1,
	};
	struct stats_snap *s = calloc(1, sizeof(*s));
	int ret;

	ret = s ? stats_snap_take(&src, s) : -ENOMEM;
	if (ret) {
		fprintf(out, "reading the counters failed: %s\n", strerror(-ret));
		free(s);
		return 500;
	}
	stats_prom(out, e->inst.name, s);
	free(s);
	return 200;
}

/* The body of a request http_req_route() sent to a page, with its status. */
static int page(struct hsrv *h, enum http_target t, FILE *out)
{
	if (t == HTTP_T_METRICS)
		return page_metrics(h, out);
	return page_healthz(h, out);
}

/* ---- connections ---------------------------------------------------------- */

static void conn_close(struct hsrv *h, struct conn *c)
{
	epoll_ctl(h->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static int conn_watch(struct hsrv *h, struct conn *c, __u32 events)
{
	struct epoll_event ev = {.events = events, .data.u32 = (__u32)(c - h->c)};

	return epoll_ctl(h->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Head and body of the answer into c->out. */
static int answer_build(struct conn *c, int code, const char *type, const char *body, size_t len)
{
	FILE *f = open_memstream(&c->out, &c->out_len);

	if (!f)
		return -ENOMEM;
	fprintf(f,
		"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
		"Cache-Control: no-store\r\nConnection: close\r\n\r\n",
		code, http_status_text(code), type, len, code == 405 ? "Allow: GET\r\n" : "");
	fwrite(body, 1, len, f);
	return fclose(f) ? -ENOMEM : 0;
}

/* What a request gets: a page, or the status the parser or router chose. */
static int answer(struct hsrv *h, struct conn *c, const struct http_req *r)
{
	const char *type = "text/plain; charset=utf-8";
	enum http_target t = HTTP_T_NONE;
	char *body = NULL;
	size_t len = 0;
	FILE *f;
	int code, ret;

	f = open_memstream(&body, &len);
	if (!f)
		return -ENOMEM;
	if (r->verdict != HTTP_REQ_OK) {
		code = http_req_status(r->verdict);
		fprintf(f, "%s\n", r->why ? r->why : http_status_text(code));
	} else if ((code = http_req_route(r, &t)) != 200) {
		fprintf(f, "%s\n", http_status_text(code));
	} else {
		code = page(h, t, f);
		if (t == HTTP_T_METRICS && code == 200)
			type = "text/plain; version=0.0.4";
	}
	if (fclose(f)) {
		free(body);
		return -ENOMEM;
	}
	ret = answer_build(c, code, type, body, len);
	free(body);
	if (r->verdict != HTTP_REQ_OK || code >= 400)
		log_debug("health: %s: %d %s", h->where, code, r->why ? r->why : "");
	return ret;
}

/* Send what the socket takes; 1 when all is sent, 0 for more, -errno. */
static int conn_send(struct conn *c)
{
	ssize_t n;

	while (c->out_off < c->out_len) {
		n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		c->out_off += (size_t)n;
	}
	return 1;
}

/*
 * The answer is out: close our side and read what the client still sends
 * (a body, the rest of a refused head) until it closes, so that the
 * unread bytes do not reset the connection before it read the answer.
 */
static void conn_linger(struct hsrv *h, struct conn *c)
{
	shutdown(c->fd, SHUT_WR);
	c->st = C_LINGER;
	c->deadline = health_now_ms() + HSRV_LINGER_MS;
	if (conn_watch(h, c, EPOLLIN))
		conn_close(h, c);
}

static void conn_write(struct hsrv *h, struct conn *c)
{
	int ret = conn_send(c);

	if (ret < 0)
		conn_close(h, c);
	else if (ret > 0)
		conn_linger(h, c);
}

static void conn_respond(struct hsrv *h, struct conn *c, const struct http_req *r)
{
	if (answer(h, c, r)) {
		conn_close(h, c);
		return;
	}
	c->st = C_WRITE;
	c->deadline = health_now_ms() + HSRV_WRITE_MS;
	if (conn_watch(h, c, EPOLLOUT)) {
		conn_close(h, c);
		return;
	}
	conn_write(h, c);
}

/* Read until the head is whole, refused, or the socket is empty. */
static void conn_read(struct hsrv *h, struct conn *c)
{
	struct http_req r;
	ssize_t n;

	for (;;) {
		n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			conn_close(h, c); /* closed or failed before a whole head */
			return;
		}
		c->in_len += (size_t)n;
		if (http_req_parse(c->in, c->in_len, sizeof(c->in), &r) != HTTP_REQ_INCOMPLETE) {
			conn_respond(h, c, &r);
			return;
		}
	}
}

static void conn_drain(struct hsrv *h, struct conn *c)
{
	char buf[4096];
	ssize_t n;

	for (;;) {
		n = recv(c->fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0 || (c->dropped += (size_t)n) > LINGER_MAX) {
			conn_close(h, c);
			return;
		}
	}
}

static void conn_event(struct hsrv *h, struct conn *c)
{
	if (c->st == C_READ)
		conn_read(h, c);
	else if (c->st == C_WRITE)
		conn_write(h, c);
	else if (c->st == C_LINGER)
		conn_drain(h, c);
}

/* A free slot, or the oldest still reading (pushed out), or NULL. */
static struct conn *slot_for_new(struct hsrv *h)
{
	struct conn *old = NULL;
	size_t i;

	for (i = 0; i < HSRV_MAX_CONNS; i++) {
		if (h->c[i].st == C_FREE)
			return &h->c[i];
		if (h->c[i].st == C_READ && (!old || h->c[i].since < old->since))
			old = &h->c[i];
	}
	if (old) {
		log_debug("health: %s: %d connections; the oldest idle one is closed", h->where,
			  HSRV_MAX_CONNS);
		conn_close(h, old);
	}
	return old;
}

static void accept_all(struct hsrv *h)
{
	struct epoll_event ev = {.events = EPOLLIN};
	struct conn *c;
	int fd;

	while ((fd = accept4(h->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		c = slot_for_new(h);
		if (!c) {
			close(fd); /* every slot is answering: refused */
			continue;
		}
		c->fd = fd;
		c->st = C_READ;
		c->since = health_now_ms();
		c->deadline = c->since + HSRV_READ_MS;
		ev.data.u32 = (__u32)(c - h->c);
		if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, fd, &ev))
			conn_close(h, c);
	}
}

/* Connections past their state's deadline are closed. */
static void expire(struct hsrv *h, __u64 now)
{
	size_t i;

	for (i = 0; i < HSRV_MAX_CONNS; i++)
		if (h->c[i].st != C_FREE && now >= h->c[i].deadline)
			conn_close(h, &h->c[i]);
}

static void dispatch(struct hsrv *h, const struct epoll_event *ev, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (ev[i].data.u32 == EV_LISTEN)
			accept_all(h);
		else if (ev[i].data.u32 < HSRV_MAX_CONNS)
			conn_event(h, &h->c[ev[i].data.u32]);
	}
}

static int stopping(const struct hsrv *h)
{
	__u64 v;

	return read(h->stop_fd, &v, sizeof(v)) == sizeof(v);
}

static void *hsrv_main(void *arg)
{
	struct hsrv *h = arg;
	struct epoll_event ev[HSRV_MAX_CONNS + 2];
	__u64 stalled, now;
	int n;

	for (;;) {
		n = epoll_wait(h->epfd, ev, sizeof(ev) / sizeof(ev[0]), TICK_MS);
		if (n < 0 && errno != EINTR) {
			log_warn("health: %s: epoll_wait failed; the listener stops", h->where);
			break;
		}
		if (stopping(h))
			break;
		dispatch(h, ev, n > 0 ? n : 0);
		now = health_now_ms();
		expire(h, now);
		/* Looked at every tick, so that a stall dates from when it began. */
		health_beats_look(h->e, &h->beats, now, HSRV_STALL_MS, &stalled);
	}
	return NULL;
}

/* ---- lifecycle ------------------------------------------------------------ */

static int listen_socket(struct hsrv *h)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = h->l.addr,
		.sin_port = htons(h->l.port),
	};
	int one = 1;

	h->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (h->lfd < 0)
		return -errno;
	setsockopt(h->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(h->lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(h->lfd, 64))
		return -errno;
	return 0;
}

static int epoll_setup(struct hsrv *h)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = EV_LISTEN};

	h->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	h->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (h->stop_fd < 0 || h->epfd < 0 || epoll_ctl(h->epfd, EPOLL_CTL_ADD, h->lfd, &ev))
		return -errno;
	ev.data.u32 = EV_STOP;
	if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, h->stop_fd, &ev))
		return -errno;
	return 0;
}

static int prog_id(struct hsrv *h)
{
	struct bpf_prog_info info = {0};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(loader_prog_fd(h->e->skel), &info, &len))
		return -errno;
	h->prog_id = info.id;
	return 0;
}

static struct hsrv *hsrv_new(const struct vxfwd_health_listen *l, struct engine *e)
{
	struct hsrv *h = calloc(1, sizeof(*h));
	char a[INET_ADDRSTRLEN];
	size_t i;

	if (!h)
		return NULL;
	h->e = e;
	h->l = *l;
	h->lfd = h->stop_fd = h->epfd = -1;
	for (i = 0; i < HSRV_MAX_CONNS; i++)
		h->c[i].fd = -1;
	pthread_mutex_init(&h->mu, NULL);
	inet_ntop(AF_INET, &l->addr, a, sizeof(a));
	snprintf(h->where, sizeof(h->where), "%s:%u", a, l->port);
	return h;
}

int hsrv_open(struct hsrv **out, const struct vxfwd_health_listen *l, struct engine *e)
{
	struct hsrv *h = hsrv_new(l, e);
	int ret;

	*out = NULL;
	if (!h)
		return -ENOMEM;
	ret = listen_socket(h);
	if (ret) {
		log_errx("health: %s: cannot listen: %s%s", h->where, strerror(-ret),
			 ret == -EADDRNOTAVAIL ? "; the address is none of this host's" : "");
		goto fail;
	}
	ret = epoll_setup(h);
	if (!ret)
		ret = prog_id(h);
	if (ret) {
		log_errx("health: %s: listener setup failed: %s", h->where, strerror(-ret));
		goto fail;
	}
	*out = h;
	return 0;
fail:
	hsrv_close(h);
	return ret;
}

int hsrv_start(struct hsrv *h)
{
	int ret;

	health_beats_look(h->e, &h->beats, health_now_ms(), HSRV_STALL_MS, &(__u64){0});
	ret = pthread_create(&h->thread, NULL, hsrv_main, h);
	if (ret) {
		log_errx("health: %s: thread not started: %s", h->where, strerror(ret));
		return -ret;
	}
	h->running = 1;
	log_info("health: listening on %s (GET /healthz, /metrics)", h->where);
	return 0;
}

void hsrv_publish(struct hsrv *h, const struct vxfwd_ruleset *rs)
{
	size_t i;

	if (!h)
		return;
	pthread_mutex_lock(&h->mu);
	h->n_nh = 0;
	for (i = 0; i < rs->n_ops && h->n_nh < VXFWD_MAX_NEXTHOPS; i++) {
		const struct vxfwd_op *op = &rs->ops[i];
		int v6 = op->map == VXFWD_MAP_NEXTHOP6;

		if (!v6 && op->map != VXFWD_MAP_NEXTHOP)
			continue;
		h->nh[h->n_nh].family = v6 ? AF_INET6 : AF_INET;
		memcpy(h->nh[h->n_nh++].addr, &op->key, v6 ? 16 : 4); /* the address leads the key */
	}
	h->have_rs = 1;
	pthread_mutex_unlock(&h->mu);
}

int hsrv_same(const struct hsrv *h, const struct vxfwd_health_listen *l)
{
	return l->on && h->l.addr == l->addr && h->l.port == l->port;
}

void hsrv_close(struct hsrv *h)
{
	__u64 one = 1;
	size_t i;

	if (!h)
		return;
	if (h->running) {
		if (write(h->stop_fd, &one, sizeof(one)) != sizeof(one))
			log_warn("health: %s: waking the listener failed", h->where);
		pthread_join(h->thread, NULL);
	}
	for (i = 0; i < HSRV_MAX_CONNS; i++)
		if (h->c[i].st != C_FREE)
			conn_close(h, &h->c[i]);
	if (h->epfd >= 0)
		close(h->epfd);
	if (h->stop_fd >= 0)
		close(h->stop_fd);
	if (h->lfd >= 0)
		close(h->lfd);
	pthread_mutex_destroy(&h->mu);
	free(h);
}
