// SPDX-License-Identifier: GPL-2.0-only
/* ring.c - see ring.h. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "ring.h"

#define RING_HDR_SZ 8 /* BPF_RINGBUF_HDR_SZ: __u32 len, __u32 pg_off */

int ring_open(struct vxfwd_ring *r, int fd, size_t size)
{
	void *p;
	int ret;

	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->page = sysconf(_SC_PAGESIZE);
	r->size = size;
	if (!size || (size & (size - 1)))
		return -EINVAL;

	p = mmap(NULL, r->page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	r->consumer = p;

	p = mmap(NULL, r->page + 2 * size, PROT_READ, MAP_SHARED, fd, r->page);
	if (p == MAP_FAILED) {
		ret = -errno;
		munmap(r->consumer, r->page);
		r->consumer = NULL;
		return ret;
	}
	r->producer_map = p;
	r->data = (const unsigned char *)p + r->page;
	r->pos = __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE);
	r->committed = r->pos;
	return 0;
}

void ring_close(struct vxfwd_ring *r)
{
	if (r->producer_map)
		munmap(r->producer_map, r->page + 2 * r->size);
	if (r->consumer)
		munmap(r->consumer, r->page);
	r->producer_map = NULL;
	r->consumer = NULL;
}

static unsigned long producer_pos(const struct vxfwd_ring *r)
{
	return __atomic_load_n((const unsigned long *)r->producer_map, __ATOMIC_ACQUIRE);
}

int ring_pending(const struct vxfwd_ring *r)
{
	return producer_pos(r) != r->pos;
}

int ring_next(struct vxfwd_ring *r, const void **sample, __u32 *len)
{
	unsigned long prod = producer_pos(r);
	const __u32 *hdr;
	__u32 hlen, dlen;

	while (r->pos < prod) {
		hdr = (const __u32 *)(r->data + (r->pos & (r->size - 1)));
		hlen = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
		if (hlen & BPF_RINGBUF_BUSY_BIT)
			return 0;
		dlen = hlen & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
		if (dlen > r->size - RING_HDR_SZ || r->pos + RING_HDR_SZ + dlen > prod) {
			r->pos = prod;
			return -EBADMSG;
		}
		r->pos += (RING_HDR_SZ + dlen + 7) & ~7UL;
		if (hlen & BPF_RINGBUF_DISCARD_BIT)
			continue;
		*sample = hdr + 2;
		*len = dlen;
		return 1;
	}
	return 0;
}

void ring_commit(struct vxfwd_ring *r)
{
	ring_release(r, r->pos);
}

void ring_release(struct vxfwd_ring *r, unsigned long pos)
{
	if (pos > r->pos)
		pos = r->pos;
	if (pos <= r->committed)
		return;
	__atomic_store_n(r->consumer, pos, __ATOMIC_RELEASE);
	r->committed = pos;
}
