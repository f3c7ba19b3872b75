// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_ring.c - the ringbuf consumer against a ring laid out by hand in a
 * memfd (consumer page, producer page, data), as the kernel lays it out:
 * committed records are returned in order, a busy record stops the reader,
 * discarded ones are skipped, an impossible length is refused and skipped,
 * and nothing is released before ring_commit().
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "ring.h"
#include "vxfwd_test.h"

#define SIZE 4096

static int fails;

#define CHECK(cond, what)                                                                          \
	do {                                                                                       \
		if (cond) {                                                                        \
			printf("ok: %s\n", what);                                                  \
		} else {                                                                           \
			printf("FAIL: %s (line %d)\n", what, __LINE__);                            \
			fails++;                                                                   \
		}                                                                                  \
	} while (0)

struct fake {
	unsigned long *consumer;
	unsigned long *producer;
	unsigned char *data;
	unsigned long prod;
};

/* Append a record of `len` bytes filled with `fill`, with header flags. */
static void put(struct fake *f, __u32 len, __u32 flags, unsigned char fill)
{
	__u32 *hdr = (__u32 *)(f->data + (f->prod & (SIZE - 1)));

	hdr[0] = len | flags;
	hdr[1] = 0;
	/* An impossible length only gets its header: it would not fit. */
	if (len < SIZE / 2)
		memset(hdr + 2, fill, len);
	f->prod += (8 + len + 7) & ~7UL;
	*f->producer = f->prod;
}

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	struct vxfwd_ring r;
	struct fake f;
	const unsigned char *s;
	const void *sample;
	unsigned char *m;
	__u32 len;
	int fd, ret;

	fd = memfd_create("vxfwd-test-ring", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 2 * page + SIZE) < 0) {
		perror("memfd");
		return T_EXIT_SKIP;
	}
	m = mmap(NULL, 2 * page + SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		perror("mmap");
		return T_EXIT_FAIL;
	}
	f.consumer = (unsigned long *)m;
	f.producer = (unsigned long *)(m + page);
	f.data = m + 2 * page;
	f.prod = 0;

	CHECK(ring_open(&r, fd, 3000) == -EINVAL, "a size that is not a power of two is refused");
	CHECK(ring_open(&r, fd, SIZE) == 0, "ring_open maps consumer, producer and data");
	CHECK(ring_next(&r, &sample, &len) == 0 && !ring_pending(&r), "empty ring: no record");

	put(&f, 20, 0, 0xaa);
	put(&f, 5, BPF_RINGBUF_DISCARD_BIT, 0xbb);
	put(&f, 33, 0, 0xcc);
	put(&f, 40, BPF_RINGBUF_BUSY_BIT, 0xdd);

	ret = ring_next(&r, &sample, &len);
	s = sample;
	CHECK(ret == 1 && len == 20 && s[0] == 0xaa && s[19] == 0xaa, "first record returned");
	ret = ring_next(&r, &sample, &len);
	s = sample;
	CHECK(ret == 1 && len == 33 && s[0] == 0xcc, "discarded record skipped");
	CHECK(ring_next(&r, &sample, &len) == 0 && ring_pending(&r),
	      "busy record stops the reader and stays pending");
	CHECK(*f.consumer == 0, "nothing released before ring_commit()");
	ring_commit(&r);
	CHECK(*f.consumer == 32 + 16 + 48, "ring_commit() releases every record taken");

	/* The producer commits the busy record; then an impossible length. */
	*(__u32 *)(f.data + *f.consumer) = 40;
	ret = ring_next(&r, &sample, &len);
	CHECK(ret == 1 && len == 40, "record returned once committed");
	put(&f, SIZE, 0, 0xee);
	CHECK(ring_next(&r, &sample, &len) == -EBADMSG, "length beyond the ring refused");
	ring_commit(&r);
	CHECK(*f.consumer == f.prod && !ring_pending(&r), "bad record skipped to the producer");

	ring_close(&r);
	munmap(m, 2 * page + SIZE);
	close(fd);
	if (fails)
		printf("%d failure(s)\n", fails);
	return fails ? T_EXIT_FAIL : T_EXIT_PASS;
}
