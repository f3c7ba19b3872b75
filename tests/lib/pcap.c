// SPDX-License-Identifier: GPL-2.0-only
/* pcap.c - see pcap.h. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pcap.h"

#define PCAP_MAGIC_US	  0xa1b2c3d4
#define PCAP_MAGIC_NS	  0xa1b23c4d
#define LINKTYPE_ETHERNET 1
#define PCAP_SNAPLEN	  65535

struct pcap_file_hdr {
	__u32 magic;
	__u16 major;
	__u16 minor;
	__s32 thiszone;
	__u32 sigfigs;
	__u32 snaplen;
	__u32 linktype;
};

struct pcap_rec_hdr {
	__u32 ts_sec;
	__u32 ts_frac;
	__u32 caplen;
	__u32 len;
};

static __u32 fix32(const struct pcap_reader *r, __u32 v)
{
	return r->swapped ? __builtin_bswap32(v) : v;
}

int pcap_open(struct pcap_reader *r, const char *path)
{
	struct pcap_file_hdr h;
	int ret;

	r->f = fopen(path, "rb");
	if (!r->f)
		return -errno;
	if (fread(&h, sizeof(h), 1, r->f) != 1) {
		ret = -EPROTO;
		goto fail;
	}
	r->swapped = h.magic == __builtin_bswap32(PCAP_MAGIC_US) ||
		     h.magic == __builtin_bswap32(PCAP_MAGIC_NS);
	if (fix32(r, h.magic) != PCAP_MAGIC_US && fix32(r, h.magic) != PCAP_MAGIC_NS) {
		ret = -EPROTO;
		goto fail;
	}
	if (fix32(r, h.linktype) != LINKTYPE_ETHERNET) {
		ret = -EPROTO;
		goto fail;
	}
	return 0;
fail:
	fclose(r->f);
	r->f = NULL;
	return ret;
}

int pcap_next(struct pcap_reader *r, __u8 *buf, size_t size)
{
	struct pcap_rec_hdr h;
	__u32 caplen;

	if (fread(&h, sizeof(h), 1, r->f) != 1)
		return feof(r->f) ? 0 : -EIO;
	caplen = fix32(r, h.caplen);
	if (caplen > size)
		return -EMSGSIZE;
	if (fread(buf, 1, caplen, r->f) != caplen)
		return -EPROTO;
	return (int)caplen;
}

void pcap_close(struct pcap_reader *r)
{
	if (r->f)
		fclose(r->f);
	r->f = NULL;
}

int pcap_write(const char *path, const struct pcap_frame *frames, size_t n)
{
	struct pcap_file_hdr h = {
		.magic = PCAP_MAGIC_US,
		.major = 2,
		.minor = 4,
		.snaplen = PCAP_SNAPLEN,
		.linktype = LINKTYPE_ETHERNET,
	};
	struct pcap_rec_hdr rh = {0};
	FILE *f;
	size_t i;
	int ret = 0;

	f = fopen(path, "wb");
	if (!f)
		return -errno;
	if (fwrite(&h, sizeof(h), 1, f) != 1)
		ret = -EIO;
	for (i = 0; i < n && !ret; i++) {
		rh.ts_sec = (__u32)i;
		rh.caplen = rh.len = (__u32)frames[i].len;
		if (fwrite(&rh, sizeof(rh), 1, f) != 1 ||
		    fwrite(frames[i].data, 1, frames[i].len, f) != frames[i].len)
			ret = -EIO;
	}
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

int pcap_each(const char *path, __u8 *buf, size_t size,
	      int (*fn)(void *ctx, const __u8 *f, size_t len), void *ctx, unsigned int *n)
{
	struct pcap_reader rd;
	int ret;

	*n = 0;
	ret = pcap_open(&rd, path);
	if (ret < 0)
		return ret;
	while ((ret = pcap_next(&rd, buf, size)) > 0) {
		(*n)++;
		ret = fn(ctx, buf, (size_t)ret);
		if (ret < 0)
			break;
	}
	pcap_close(&rd);
	return ret;
}

static int is_pcap(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 5 && !strcmp(d->d_name + n - 5, ".pcap");
}

int pcap_dir_list(const char **dir, struct dirent ***ents)
{
	*dir = getenv("VXFWD_PCAP_DIR");
	if (!*dir)
		*dir = VXFWD_PCAP_DIR_DEFAULT;
	*ents = NULL;
	return scandir(*dir, ents, is_pcap, alphasort);
}
