/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ring.h - a BPF ringbuf consumer that reads records in place.
 *
 * libbpf's ring_buffer__poll() consumes a record before its callback can
 * refuse it; the engine must be able to stop when it has no free send
 * buffer, so it maps the ring itself (Documentation/bpf/ringbuf.rst): the
 * consumer page read-write, the producer page and the data area (mapped
 * twice, so a record never wraps) read-only.  Records are read with
 * ring_next() and released in one store by ring_release(): the worker
 * (worker.c) releases up to the position its sender's ops->release() returns,
 * the first record the sender may still read in place (tx.h).
 */
#ifndef VXFWD_RING_H
#define VXFWD_RING_H

#include <stddef.h>
#include <linux/types.h>

struct vxfwd_ring {
	int fd;
	size_t page;
	size_t size;		 /* data area, a power of two */
	unsigned long *consumer; /* consumer page (RW) */
	void *producer_map;	 /* producer page + 2 * size (RO) */
	const unsigned char *data;
	unsigned long pos;	 /* just after the last record taken */
	unsigned long committed; /* last value stored to *consumer */
};

/* Map ringbuf map `fd` whose data area is `size` bytes. */
int ring_open(struct vxfwd_ring *r, int fd, size_t size);
void ring_close(struct vxfwd_ring *r);

/*
 * Take the next committed record: returns 1 and sets *sample and *len (the
 * record's bytes as the kernel sized them), 0 when none is ready, or
 * -EBADMSG when the header is impossible (the ring is then skipped up to the
 * producer).  Discarded records are skipped.  Nothing is released until
 * ring_release() (or ring_commit()).
 */
int ring_next(struct vxfwd_ring *r, const void **sample, __u32 *len);

/*
 * Release every record taken so far: ring_release(r, r->pos).  Only the
 * tests call it; the worker releases with ring_release().
 */
void ring_commit(struct vxfwd_ring *r);

/*
 * Release the records before position `pos` (at most what was taken; a
 * position behind the last release changes nothing).  For senders that
 * still read records in place after taking them.
 */
void ring_release(struct vxfwd_ring *r, unsigned long pos);

/* True when the producer has written beyond what was taken. */
int ring_pending(const struct vxfwd_ring *r);

#endif /* VXFWD_RING_H */
