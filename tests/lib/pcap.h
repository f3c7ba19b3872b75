/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pcap.h - just enough of the classic pcap format for the BPF tests:
 * read Ethernet captures, write actual vs expected frames of a failed case.
 */
#ifndef VXFWD_TEST_PCAP_H
#define VXFWD_TEST_PCAP_H

#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

struct pcap_reader {
	FILE *f;
	int swapped; /* file written on the other byte order */
};

/* Returns 0, or -errno; -EPROTO when it is not an Ethernet pcap file. */
int pcap_open(struct pcap_reader *r, const char *path);

/* Reads the next frame into buf (size bytes).  Returns its captured length,
 * 0 at the end of the file, or -errno (-EMSGSIZE: frame larger than buf). */
int pcap_next(struct pcap_reader *r, __u8 *buf, size_t size);

void pcap_close(struct pcap_reader *r);

/*
 * Call fn(ctx, frame, len) for every frame of the capture at `path`, read
 * into buf (size bytes); *n counts the frames read.  0, -errno from the file
 * or the first negative value fn returns.
 */
int pcap_each(const char *path, __u8 *buf, size_t size,
	      int (*fn)(void *ctx, const __u8 *f, size_t len), void *ctx, unsigned int *n);

/*
 * The captures the tests replay: the *.pcap files of $VXFWD_PCAP_DIR (default:
 * VXFWD_PCAP_DIR_DEFAULT) in *dir, sorted into *ents (scandir(3); the
 * caller frees them).  Returns their number, 0 or less when there are none.
 */
struct dirent;
int pcap_dir_list(const char **dir, struct dirent ***ents);

struct pcap_frame {
	const __u8 *data;
	size_t len;
};

/* Write `n` frames to a new pcap file at `path`.  Returns 0 or -errno. */
int pcap_write(const char *path, const struct pcap_frame *frames, size_t n);

#endif /* VXFWD_TEST_PCAP_H */
