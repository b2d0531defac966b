/*
 * Disk images (see image.h): raw files through pread/pwrite, and a
 * copy-on-write overlay so that the base image is never written.
 *
 * Overlay file format (version 1, little-endian):
 *   0x000  "POPEKCOW"            magic
 *   0x008  u32 version (1)
 *   0x00C  u32 cluster size (65536)
 *   0x010  u64 base image size
 *   0x018  u32 crc32 of the base image's first 64 KiB (catches an overlay
 *              paired with the wrong base)
 *   0x01C  u32 0
 *   0x020  u64 table offset (4096)
 *   0x028  u64 table entries (base size / cluster size, rounded up)
 *   0x1FC  u32 crc32 of bytes 0x000-0x1FB (a torn or foreign header is
 *              refused instead of being trusted)
 *   table: one u64 per cluster of the base: the file offset of its copy in
 *          the overlay, 0 while the guest has not written the cluster.
 *   data:  whole clusters, cluster-aligned, after the table.
 * zlib's crc32 is used for these two checks only: compressing clusters would
 * turn every guest write into a read-modify-recompress-append cycle, and disk
 * images rarely compress well enough to pay for it.
 *
 * Crash consistency: the first write to a cluster copies it (base data
 * patched with the guest's bytes) to a fresh cluster at the end of the file,
 * syncs it (fdatasync), and only then writes the one table entry that points
 * at it. A process killed in between leaves an unreferenced cluster at the
 * end (ignored; later clusters go after it) and the old data visible. Later
 * writes to the cluster go in place, with the sector atomicity of a real disk.
 * Guest FLUSH CACHE and exit fdatasync the overlay (or the raw image).
 * --snapshot uses the same code on an unlinked temporary file, without syncs.
 */
#define _GNU_SOURCE
#include "frontend/image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "devices/fdc.h"
#include "devices/machine.h"
#include "frontend/options.h"

#define COW_MAGIC "POPEKCOW"
#define COW_VERSION 1u
#define COW_CLUSTER 65536u
#define COW_HEADER 512u
#define COW_TABLE_OFF 4096u
#define COW_FINGERPRINT 65536u

struct image {
	int fd;          /* the base image */
	int cow_fd;      /* the overlay, or -1 */
	bool read_only;
	bool cow_sync;   /* false for --snapshot: the file dies with us */
	bool failed;     /* a flush or write failed */
	enum blockdev_kind kind;
	uint64_t size;
	uint64_t *table; /* cluster -> overlay file offset (0: not copied) */
	uint64_t entries;
	uint64_t next_alloc;
	uint8_t *cluster; /* scratch for copy-on-write */
};

/* ---- file I/O that finishes or fails ---- */

static int full_pread(int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;
	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			memset(p, 0, len); /* past the end of a file reads as zeros */
			return 0;
		}
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int full_pwrite(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;
	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned k = 0; k < 4; k++)
		p[k] = (uint8_t)(v >> (8 * k));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (unsigned k = 0; k < 8; k++)
		p[k] = (uint8_t)(v >> (8 * k));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static bool in_range(const struct image *img, uint64_t off, uint32_t len)
{
	return off <= img->size && len <= img->size - off;
}

/* ---- copy-on-write overlay ---- */

static int cow_read(struct image *img, uint64_t off, uint8_t *buf, uint32_t len)
{
	while (len) {
		uint64_t c = off / COW_CLUSTER, in = off % COW_CLUSTER;
		uint32_t n = (uint32_t)(COW_CLUSTER - in < len ? COW_CLUSTER - in : len);
		int fd = img->table[c] ? img->cow_fd : img->fd;
		uint64_t at = img->table[c] ? img->table[c] + in : off;
		if (full_pread(fd, buf, n, at) < 0)
			return -1;
		buf += n;
		off += n;
		len -= n;
	}
	return 0;
}

static int cow_sync(struct image *img)
{
	return img->cow_sync ? fdatasync(img->cow_fd) : 0;
}

/* First write to cluster c: its new copy, synced, then the table entry. */
static int cow_alloc(struct image *img, uint64_t c, uint32_t in, const uint8_t *buf, uint32_t n)
{
	uint64_t start = c * COW_CLUSTER;
	uint64_t have = img->size - start < COW_CLUSTER ? img->size - start : COW_CLUSTER;
	memset(img->cluster, 0, COW_CLUSTER);
	if (full_pread(img->fd, img->cluster, (size_t)have, start) < 0)
		return -1;
	memcpy(img->cluster + in, buf, n);
	uint64_t at = img->next_alloc;
	if (full_pwrite(img->cow_fd, img->cluster, COW_CLUSTER, at) < 0 || cow_sync(img) < 0)
		return -1;
	uint8_t entry[8];
	put64(entry, at);
	if (full_pwrite(img->cow_fd, entry, 8, COW_TABLE_OFF + c * 8) < 0)
		return -1;
	img->table[c] = at;
	img->next_alloc = at + COW_CLUSTER;
	return 0;
}

static int cow_write(struct image *img, uint64_t off, const uint8_t *buf, uint32_t len)
{
	while (len) {
		uint64_t c = off / COW_CLUSTER;
		uint32_t in = (uint32_t)(off % COW_CLUSTER);
		uint32_t n = COW_CLUSTER - in < len ? COW_CLUSTER - in : len;
		int r = img->table[c] ? full_pwrite(img->cow_fd, buf, n, img->table[c] + in)
				      : cow_alloc(img, c, in, buf, n);
		if (r < 0)
			return -1;
		buf += n;
		off += n;
		len -= n;
	}
	return 0;
}

static uint32_t base_fingerprint(const struct image *img, int *ok)
{
	size_t n = img->size < COW_FINGERPRINT ? (size_t)img->size : COW_FINGERPRINT;
	uint8_t *b = malloc(COW_FINGERPRINT);
	*ok = b && full_pread(img->fd, b, n, 0) == 0;
	uint32_t crc = *ok ? (uint32_t)crc32(0, b, (uInt)n) : 0;
	free(b);
	return crc;
}

static void cow_header(const struct image *img, uint32_t fp, uint8_t h[COW_HEADER])
{
	memset(h, 0, COW_HEADER);
	memcpy(h, COW_MAGIC, 8);
	put32(h + 0x08, COW_VERSION);
	put32(h + 0x0C, COW_CLUSTER);
	put64(h + 0x10, img->size);
	put32(h + 0x18, fp);
	put64(h + 0x20, COW_TABLE_OFF);
	put64(h + 0x28, img->entries);
	put32(h + 0x1FC, (uint32_t)crc32(0, h, 0x1FC));
}

static uint64_t cow_data_start(const struct image *img)
{
	uint64_t end = COW_TABLE_OFF + img->entries * 8;
	return (end + COW_CLUSTER - 1) / COW_CLUSTER * COW_CLUSTER;
}

/* A new overlay: the (all-zero) table before the header, so that a file
 * with a valid header always has its table. */
static int cow_create(struct image *img, uint32_t fp, const char *path, char *err, size_t errlen)
{
	uint8_t h[COW_HEADER];
	cow_header(img, fp, h);
	if (ftruncate(img->cow_fd, (off_t)cow_data_start(img)) < 0 ||
	    (img->cow_sync && fdatasync(img->cow_fd) < 0) ||
	    full_pwrite(img->cow_fd, h, COW_HEADER, 0) < 0 || cow_sync(img) < 0) {
		snprintf(err, errlen, "cannot write overlay '%s': %s", path, strerror(errno));
		return -1;
	}
	img->next_alloc = cow_data_start(img);
	return 0;
}

static int cow_load_table(struct image *img, uint64_t file_size)
{
	size_t bytes = (size_t)img->entries * 8;
	uint8_t *raw = malloc(bytes ? bytes : 1);
	if (!raw || full_pread(img->cow_fd, raw, bytes, COW_TABLE_OFF) < 0) {
		free(raw);
		return -1;
	}
	uint64_t data = cow_data_start(img), end = data;
	int r = 0;
	for (uint64_t c = 0; c < img->entries && r == 0; c++) {
		uint64_t at = get64(raw + c * 8);
		if (at && (at % COW_CLUSTER || at < data || at > file_size - COW_CLUSTER))
			r = -1;
		img->table[c] = at;
		if (at + COW_CLUSTER > end)
			end = at + COW_CLUSTER;
	}
	free(raw);
	/* Clusters past the last referenced one may be left from a crash. */
	uint64_t tail = (file_size + COW_CLUSTER - 1) / COW_CLUSTER * COW_CLUSTER;
	img->next_alloc = tail > end ? tail : end;
	return r;
}

static int cow_check(struct image *img, uint32_t fp, uint64_t file_size, const char *path,
		     char *err, size_t errlen)
{
	uint8_t h[COW_HEADER], want[COW_HEADER];
	cow_header(img, fp, want);
	if (file_size < COW_HEADER || full_pread(img->cow_fd, h, COW_HEADER, 0) < 0 ||
	    memcmp(h, COW_MAGIC, 8) || get32(h + 0x1FC) != (uint32_t)crc32(0, h, 0x1FC)) {
		snprintf(err, errlen, "'%s' is not a popek overlay file", path);
		return -1;
	}
	if (memcmp(h, want, COW_HEADER)) {
		snprintf(err, errlen, "overlay '%s' belongs to another base image (size or contents differ)",
			 path);
		return -1;
	}
	if (file_size < cow_data_start(img) || cow_load_table(img, file_size) < 0) {
		snprintf(err, errlen, "overlay '%s' is damaged (bad cluster table)", path);
		return -1;
	}
	return 0;
}

static int cow_open_file(const struct image_request *rq, bool *fresh, char *err, size_t errlen)
{
	if (rq->snapshot) {
		const char *dir = getenv("TMPDIR");
		char tmpl[4096];
		snprintf(tmpl, sizeof(tmpl), "%s/popek-snapshot-XXXXXX", dir && *dir ? dir : "/tmp");
		int fd = mkstemp(tmpl);
		if (fd >= 0)
			unlink(tmpl);
		else
			snprintf(err, errlen, "cannot create a snapshot file in %s: %s",
				 dir && *dir ? dir : "/tmp", strerror(errno));
		*fresh = true;
		return fd;
	}
	int fd = open(rq->overlay, (rq->read_only ? O_RDONLY : O_RDWR | O_CREAT) | O_CLOEXEC, 0644);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "cannot open overlay '%s': %s", rq->overlay, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*fresh = st.st_size == 0;
	return fd;
}

static int cow_open(struct image *img, const struct image_request *rq, char *err, size_t errlen)
{
	const char *name = rq->snapshot ? "snapshot" : rq->overlay;
	bool fresh;
	img->entries = (img->size + COW_CLUSTER - 1) / COW_CLUSTER;
	img->cow_sync = !rq->snapshot;
	img->table = calloc((size_t)img->entries ? (size_t)img->entries : 1, sizeof(uint64_t));
	img->cluster = malloc(COW_CLUSTER);
	if (!img->table || !img->cluster) {
		snprintf(err, errlen, "out of memory for the overlay of '%s'", rq->path);
		return -1;
	}
	img->cow_fd = cow_open_file(rq, &fresh, err, errlen);
	if (img->cow_fd < 0)
		return -1;
	int ok;
	uint32_t fp = base_fingerprint(img, &ok);
	if (!ok) {
		snprintf(err, errlen, "cannot read '%s'", rq->path);
		return -1;
	}
	if (fresh && rq->read_only && !rq->snapshot) {
		snprintf(err, errlen, "overlay '%s' is empty and the drive is read-only", name);
		return -1;
	}
	if (fresh)
		return cow_create(img, fp, name, err, errlen);
	off_t end = lseek(img->cow_fd, 0, SEEK_END);
	return cow_check(img, fp, end < 0 ? 0 : (uint64_t)end, name, err, errlen);
}

/* ---- blockdev callbacks ---- */

static int image_read_cb(void *opaque, uint64_t off, void *buf, uint32_t len)
{
	struct image *img = opaque;
	if (!in_range(img, off, len))
		return -1;
	return img->cow_fd >= 0 ? cow_read(img, off, buf, len) : full_pread(img->fd, buf, len, off);
}

static int image_write_cb(void *opaque, uint64_t off, const void *buf, uint32_t len)
{
	struct image *img = opaque;
	if (img->read_only || !in_range(img, off, len))
		return -1;
	int r = img->cow_fd >= 0 ? cow_write(img, off, buf, len) : full_pwrite(img->fd, buf, len, off);
	if (r < 0)
		img->failed = true;
	return r;
}

static int image_flush_cb(void *opaque)
{
	struct image *img = opaque;
	if (img->read_only)
		return 0;
	int r = img->cow_fd >= 0 ? cow_sync(img) : fdatasync(img->fd);
	if (r < 0)
		img->failed = true;
	return r;
}

/* ---- opening ---- */

static int check_size(const struct image_request *rq, uint64_t size, char *err, size_t errlen)
{
	struct fdc_geometry g;
	unsigned long long s = (unsigned long long)size;
	if (size == 0)
		snprintf(err, errlen, "image '%s' is empty", rq->path);
	else if (rq->kind == BLOCKDEV_DISK && size % 512)
		snprintf(err, errlen, "disk image '%s' is %llu bytes, not a multiple of 512", rq->path, s);
	else if (rq->kind == BLOCKDEV_CDROM && size % 2048)
		snprintf(err, errlen, "CD-ROM image '%s' is %llu bytes, not a multiple of 2048", rq->path, s);
	else if (rq->kind == BLOCKDEV_FLOPPY && !fdc_geometry_for_size(size, &g))
		snprintf(err, errlen,
			 "floppy image '%s' is %llu bytes: no floppy format (160K to 2.88M) has that size",
			 rq->path, s);
	else
		return 0;
	return -1;
}

/* The base image: writable only when the guest writes to it directly. */
static int open_base(struct image *img, const struct image_request *rq, char *err, size_t errlen)
{
	bool direct_rw = !img->read_only && !rq->snapshot && !rq->overlay;
	img->fd = direct_rw ? open(rq->path, O_RDWR | O_CLOEXEC) : -1;
	if (img->fd < 0 && direct_rw && (errno == EACCES || errno == EROFS || errno == EPERM)) {
		img->fd = open(rq->path, O_RDONLY | O_CLOEXEC);
		if (img->fd >= 0) {
			img->read_only = true;
			if (rq->warn)
				fprintf(rq->warn, "popek: warning: '%s' is not writable: the guest sees it read-only\n",
					rq->path);
		}
	} else if (!direct_rw) {
		img->fd = open(rq->path, O_RDONLY | O_CLOEXEC);
	}
	struct stat st;
	if (img->fd < 0 || fstat(img->fd, &st) < 0) {
		snprintf(err, errlen, "cannot open image '%s': %s", rq->path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "image '%s' is a directory", rq->path);
		return -1;
	}
	off_t end = lseek(img->fd, 0, SEEK_END);
	if (end < 0) {
		snprintf(err, errlen, "cannot read image '%s': %s", rq->path, strerror(errno));
		return -1;
	}
	img->size = (uint64_t)end;
	return check_size(rq, img->size, err, errlen);
}

struct image *image_open(const struct image_request *rq, char *err, size_t errlen)
{
	struct image *img = calloc(1, sizeof(*img));
	if (!img) {
		snprintf(err, errlen, "out of memory opening '%s'", rq->path);
		return NULL;
	}
	img->fd = img->cow_fd = -1;
	img->kind = rq->kind;
	img->read_only = rq->read_only || rq->kind == BLOCKDEV_CDROM;
	if (open_base(img, rq, err, errlen) < 0 ||
	    ((rq->snapshot || rq->overlay) && cow_open(img, rq, err, errlen) < 0)) {
		image_close(img);
		return NULL;
	}
	return img;
}

struct blockdev image_blockdev(struct image *img)
{
	return (struct blockdev){
		.kind = img->kind,
		.size = img->size,
		.read_only = img->read_only,
		.opaque = img,
		.read = image_read_cb,
		.write = image_write_cb,
		.flush = image_flush_cb,
	};
}

int image_close(struct image *img)
{
	if (!img)
		return 0;
	int r = img->failed ? -1 : 0;
	if (!img->read_only && image_flush_cb(img) < 0)
		r = -1;
	if (img->cow_fd >= 0)
		close(img->cow_fd);
	if (img->fd >= 0)
		close(img->fd);
	free(img->table);
	free(img->cluster);
	free(img);
	return r;
}

/* ---- the drives of the command line ---- */

static enum blockdev_kind drive_kind(const struct options *o, unsigned n)
{
	if (n == DRIVE_FDA || n == DRIVE_FDB)
		return BLOCKDEV_FLOPPY;
	if (n == DRIVE_HDC && o->cdrom)
		return BLOCKDEV_CDROM;
	return BLOCKDEV_DISK;
}

int image_open_drives(const struct options *o, struct machine_config *cfg,
		      struct image *imgs[DRIVE_COUNT], FILE *warn, char *err, size_t errlen)
{
	for (unsigned n = 0; n < DRIVE_COUNT; n++)
		imgs[n] = NULL;
	for (unsigned n = 0; n < DRIVE_COUNT; n++) {
		const char *path = n == DRIVE_HDC && o->cdrom ? o->cdrom : o->drive[n];
		if (!path)
			continue;
		struct image_request rq = {
			.path = path, .kind = drive_kind(o, n), .read_only = o->read_only[n],
			.snapshot = o->snapshot && !o->overlay[n], .overlay = o->overlay[n], .warn = warn,
		};
		imgs[n] = image_open(&rq, err, errlen);
		if (!imgs[n]) {
			image_close_drives(imgs);
			return -1;
		}
		cfg->drives[n] = image_blockdev(imgs[n]);
	}
	for (unsigned k = 0; k < 4; k++)
		cfg->boot_order[k] = o->boot_order[k];
	return 0;
}

int image_close_drives(struct image *imgs[DRIVE_COUNT])
{
	int r = 0;
	for (unsigned n = 0; n < DRIVE_COUNT; n++) {
		if (image_close(imgs[n]) < 0)
			r = -1;
		imgs[n] = NULL;
	}
	return r;
}
