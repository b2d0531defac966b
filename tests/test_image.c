/* Disk images (frontend/image.c): raw read/write, read-only images, the
 * copy-on-write overlay (base never written, persistence, a process killed
 * in the middle of writing), size checks, and the drive options. */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "devices/machine.h"
#include "frontend/image.h"
#include "frontend/options.h"

#define MIB (1u << 20)

struct tmp {
	char dir[64];
	char base[128];
	char ovl[128];
};

static void tmp_init(struct tmp *t)
{
	strcpy(t->dir, "/tmp/popek-image-XXXXXX");
	cr_assert_not_null(mkdtemp(t->dir));
	snprintf(t->base, sizeof(t->base), "%s/base.img", t->dir);
	snprintf(t->ovl, sizeof(t->ovl), "%s/changes.ovl", t->dir);
}

static void tmp_free(struct tmp *t)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	cr_assert_eq(system(cmd), 0);
}

static uint8_t pattern(uint64_t off)
{
	return (uint8_t)((off >> 9) * 5 + (off & 511) * 3 + 7);
}

static void write_file(const char *path, uint64_t size)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f);
	for (uint64_t o = 0; o < size; o++)
		fputc(pattern(o), f);
	cr_assert_eq(fclose(f), 0);
}

static uint32_t file_crc(const char *path)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f);
	uint8_t buf[4096];
	uint32_t crc = 0;
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		crc = (uint32_t)crc32(crc, buf, (uInt)n);
	fclose(f);
	return crc;
}

static struct image *open_img(const char *path, enum blockdev_kind kind, bool ro, bool snap,
			      const char *ovl, struct blockdev *bd)
{
	char err[256] = "";
	struct image_request rq = { .path = path, .kind = kind, .read_only = ro, .snapshot = snap,
				    .overlay = ovl };
	struct image *img = image_open(&rq, err, sizeof(err));
	cr_assert_not_null(img, "open failed: %s", err);
	*bd = image_blockdev(img);
	return img;
}

static void fill(uint8_t *b, size_t n, uint8_t v)
{
	memset(b, v, n);
}

static void check_sector(struct blockdev *bd, uint64_t off, int expect_fill)
{
	uint8_t b[512];
	cr_assert_eq(bd->read(bd->opaque, off, b, 512), 0);
	for (unsigned k = 0; k < 512; k++) {
		uint8_t want = expect_fill >= 0 ? (uint8_t)expect_fill : pattern(off + k);
		cr_assert_eq(b[k], want, "offset %llu: %02x, expected %02x",
			     (unsigned long long)(off + k), b[k], want);
	}
}

Test(image, raw_read_and_write)
{
	struct tmp t;
	tmp_init(&t);
	write_file(t.base, MIB);
	struct blockdev bd;
	struct image *img = open_img(t.base, BLOCKDEV_DISK, false, false, NULL, &bd);
	cr_assert_eq(bd.size, MIB);
	cr_assert_not(bd.read_only);
	check_sector(&bd, 512 * 9, -1);
	uint8_t b[1024];
	fill(b, sizeof(b), 0xAB);
	cr_assert_eq(bd.write(bd.opaque, 512 * 100, b, sizeof(b)), 0);
	cr_assert_eq(bd.flush(bd.opaque), 0);
	cr_assert_eq(bd.write(bd.opaque, MIB - 512, b, 1024), -1, "past the end is refused");
	cr_assert_eq(image_close(img), 0);
	FILE *f = fopen(t.base, "rb");
	uint8_t got[1536];
	fseek(f, 512 * 100, SEEK_SET);
	cr_assert_eq(fread(got, 1, sizeof(got), f), sizeof(got));
	fclose(f);
	for (unsigned k = 0; k < 1024; k++)
		cr_assert_eq(got[k], 0xAB);
	cr_assert_eq(got[1024], pattern(512 * 102));
	tmp_free(&t);
}

Test(image, read_only_refuses_writes)
{
	struct tmp t;
	tmp_init(&t);
	write_file(t.base, MIB);
	uint32_t before = file_crc(t.base);
	struct blockdev bd;
	struct image *img = open_img(t.base, BLOCKDEV_DISK, true, false, NULL, &bd);
	cr_assert(bd.read_only);
	uint8_t b[512];
	fill(b, sizeof(b), 1);
	cr_assert_eq(bd.write(bd.opaque, 0, b, 512), -1);
	check_sector(&bd, 0, -1);
	image_close(img);
	cr_assert_eq(file_crc(t.base), before);
	tmp_free(&t);
}

Test(image, unwritable_file_opens_read_only_with_a_warning)
{
	if (geteuid() == 0)
		cr_skip_test("root can write to a 0444 file");
	struct tmp t;
	tmp_init(&t);
	write_file(t.base, MIB);
	chmod(t.base, 0444);
	char warn[512] = "";
	FILE *w = fmemopen(warn, sizeof(warn), "w");
	char err[256];
	struct image_request rq = { .path = t.base, .kind = BLOCKDEV_DISK, .warn = w };
	struct image *img = image_open(&rq, err, sizeof(err));
	fclose(w);
	cr_assert_not_null(img, "%s", err);
	cr_assert(image_blockdev(img).read_only);
	cr_assert(strstr(warn, "read-only") != NULL, "warning: %s", warn);
	image_close(img);
	tmp_free(&t);
}

Test(image, cdrom_is_read_only)
{
	struct tmp t;
	tmp_init(&t);
	write_file(t.base, 2048 * 16);
	struct blockdev bd;
	struct image *img = open_img(t.base, BLOCKDEV_CDROM, false, false, NULL, &bd);
	cr_assert(bd.read_only);
	cr_assert_eq(bd.kind, BLOCKDEV_CDROM);
	image_close(img);
	tmp_free(&t);
}

/* Writes at a cluster start, in the middle of a cluster, across a cluster
 * boundary and in the (partial) last cluster of a base that is not a
 * multiple of the 64 KiB cluster. */
static const uint64_t spots[] = { 0, 512 * 37, 65536 - 512, MIB + 4096 - 1024 };

static void write_spots(struct blockdev *bd)
{
	uint8_t b[1024];
	for (unsigned k = 0; k < 4; k++) {
		fill(b, sizeof(b), (uint8_t)(0xA0 + k));
		cr_assert_eq(bd->write(bd->opaque, spots[k], b, sizeof(b)), 0);
	}
}

static void check_spots(struct blockdev *bd, bool written)
{
	for (unsigned k = 0; k < 4; k++) {
		check_sector(bd, spots[k], written ? 0xA0 + (int)k : -1);
		check_sector(bd, spots[k] + 512, written ? 0xA0 + (int)k : -1);
	}
	check_sector(bd, 512 * 39, -1);
	check_sector(bd, 65536 + 512, -1);
	check_sector(bd, MIB + 4096 - 2048, -1);
}

Test(image, overlay_keeps_base_identical_and_persists)
{
	struct tmp t;
	tmp_init(&t);
	uint64_t size = MIB + 4096;
	write_file(t.base, size);
	uint32_t before = file_crc(t.base);
	struct blockdev bd;
	struct image *img = open_img(t.base, BLOCKDEV_DISK, false, false, t.ovl, &bd);
	cr_assert_not(bd.read_only);
	check_spots(&bd, false);
	write_spots(&bd);
	check_spots(&bd, true);
	cr_assert_eq(bd.flush(bd.opaque), 0);
	cr_assert_eq(image_close(img), 0);
	cr_assert_eq(file_crc(t.base), before, "base image byte-identical");

	img = open_img(t.base, BLOCKDEV_DISK, false, false, t.ovl, &bd);
	check_spots(&bd, true);
	uint8_t b[512];
	fill(b, sizeof(b), 0x55);
	cr_assert_eq(bd.write(bd.opaque, spots[1], b, 512), 0, "rewrite in place");
	image_close(img);
	img = open_img(t.base, BLOCKDEV_DISK, true, false, t.ovl, &bd);
	check_sector(&bd, spots[1], 0x55);
	check_sector(&bd, spots[1] + 512, 0xA1);
	image_close(img);

	img = open_img(t.base, BLOCKDEV_DISK, false, false, NULL, &bd);
	check_spots(&bd, false);
	image_close(img);
	cr_assert_eq(file_crc(t.base), before);
	tmp_free(&t);
}

Test(image, snapshot_discards_writes)
{
	struct tmp t;
	tmp_init(&t);
	write_file(t.base, MIB + 4096);
	uint32_t before = file_crc(t.base);
	struct blockdev bd;
	struct image *img = open_img(t.base, BLOCKDEV_DISK, false, true, NULL, &bd);
	write_spots(&bd);
	check_spots(&bd, true);
	cr_assert_eq(bd.flush(bd.opaque), 0);
	image_close(img);
	cr_assert_eq(file_crc(t.base), before);
	img = open_img(t.base, BLOCKDEV_DISK, false, true, NULL, &bd);
	check_spots(&bd, false);
	image_close(img);
	tmp_free(&t);
}

Test(image, overlay_of_another_base_or_damaged_is_refused)
{
	struct tmp t;
	tmp_init(&t);
	write_file(t.base, MIB);
	struct blockdev bd;
	image_close(open_img(t.base, BLOCKDEV_DISK, false, false, t.ovl, &bd));
	char other[160], err[256];
	snprintf(other, sizeof(other), "%s/other.img", t.dir);
	write_file(other, 2 * MIB);
	struct image_request rq = { .path = other, .kind = BLOCKDEV_DISK, .overlay = t.ovl };
	cr_assert_null(image_open(&rq, err, sizeof(err)));
	cr_assert(strstr(err, "another base") != NULL, "%s", err);

	int fd = open(t.ovl, O_WRONLY);
	cr_assert_eq(pwrite(fd, "X", 1, 20), 1);
	close(fd);
	rq.path = t.base;
	cr_assert_null(image_open(&rq, err, sizeof(err)));
	cr_assert(strstr(err, "not a popek overlay") != NULL, "%s", err);
	tmp_free(&t);
}

/* A crash between the data and the table update, as the file looks after it:
 * a valid overlay with an extra, unreferenced cluster at its end. */
Test(image, orphan_cluster_after_a_crash_is_ignored)
{
	struct tmp t;
	tmp_init(&t);
	write_file(t.base, MIB + 4096);
	uint32_t before = file_crc(t.base);
	struct blockdev bd;
	struct image *img = open_img(t.base, BLOCKDEV_DISK, false, false, t.ovl, &bd);
	write_spots(&bd);
	image_close(img);
	struct stat st;
	stat(t.ovl, &st);
	int fd = open(t.ovl, O_WRONLY);
	uint8_t junk[65536];
	fill(junk, sizeof(junk), 0xEE);
	cr_assert_eq(pwrite(fd, junk, sizeof(junk), st.st_size), (ssize_t)sizeof(junk));
	close(fd);

	img = open_img(t.base, BLOCKDEV_DISK, false, false, t.ovl, &bd);
	check_sector(&bd, 200 * 1024, -1);
	uint8_t b[512];
	fill(b, sizeof(b), 0x77);
	cr_assert_eq(bd.write(bd.opaque, 200 * 1024, b, 512), 0);
	image_close(img);
	img = open_img(t.base, BLOCKDEV_DISK, false, false, t.ovl, &bd);
	check_sector(&bd, 200 * 1024, 0x77);
	check_sector(&bd, spots[1], 0xA1);
	image_close(img);
	stat(t.ovl, &st);
	cr_assert_geq(st.st_size, 65536 * 3, "the new cluster went after the orphan");
	cr_assert_eq(file_crc(t.base), before);
	tmp_free(&t);
}

/* A child writes one sector in each of many clusters (each a new cluster:
 * data, sync, table entry) and is killed with SIGKILL while it does. */
Test(image, killed_writer_leaves_base_and_overlay_consistent)
{
	struct tmp t;
	tmp_init(&t);
	const unsigned clusters = 64;
	write_file(t.base, (uint64_t)clusters * 65536);
	uint32_t before = file_crc(t.base);
	int pipefd[2];
	cr_assert_eq(pipe(pipefd), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		char err[256];
		struct image_request rq = { .path = t.base, .kind = BLOCKDEV_DISK, .overlay = t.ovl };
		struct image *img = image_open(&rq, err, sizeof(err));
		if (!img)
			_exit(1);
		struct blockdev bd = image_blockdev(img);
		uint8_t b[512];
		for (unsigned round = 0;; round++)
			for (unsigned c = 0; c < clusters; c++) {
				memset(b, (int)(c + 1), sizeof(b));
				bd.write(bd.opaque, (uint64_t)c * 65536 + 1024, b, 512);
				if (round == 0 && c == 8 && write(pipefd[1], "x", 1) != 1)
					_exit(1);
			}
	}
	close(pipefd[1]);
	char x;
	cr_assert_eq(read(pipefd[0], &x, 1), 1, "the child started writing");
	kill(pid, SIGKILL);
	int status;
	waitpid(pid, &status, 0);
	close(pipefd[0]);
	cr_assert(WIFSIGNALED(status));
	cr_assert_eq(file_crc(t.base), before, "base byte-identical");

	struct blockdev bd;
	struct image *img = open_img(t.base, BLOCKDEV_DISK, false, false, t.ovl, &bd);
	for (unsigned c = 0; c < clusters; c++) {
		uint64_t at = (uint64_t)c * 65536;
		uint8_t b[512];
		cr_assert_eq(bd.read(bd.opaque, at + 1024, b, 512), 0);
		bool old = b[0] == pattern(at + 1024);
		for (unsigned k = 0; k < 512; k++)
			cr_assert_eq(b[k], old ? pattern(at + 1024 + k) : c + 1, "cluster %u byte %u", c, k);
		check_sector(&bd, at + 512, -1);
	}
	for (unsigned c = 0; c <= 8; c++)
		check_sector(&bd, (uint64_t)c * 65536 + 1024, (int)c + 1);
	image_close(img);
	tmp_free(&t);
}

static void expect_open_error(const char *path, enum blockdev_kind kind, const char *needle)
{
	char err[256] = "";
	struct image_request rq = { .path = path, .kind = kind };
	cr_assert_null(image_open(&rq, err, sizeof(err)), "%s opened", path);
	cr_assert(strstr(err, needle) != NULL, "message: %s", err);
	cr_assert_null(strchr(err, '\n'), "one line");
}

Test(image, bad_images_give_one_line)
{
	struct tmp t;
	tmp_init(&t);
	char p[160];
	expect_open_error("/nonexistent/disk.img", BLOCKDEV_DISK, "cannot open");
	snprintf(p, sizeof(p), "%s/empty.img", t.dir);
	write_file(p, 0);
	expect_open_error(p, BLOCKDEV_DISK, "empty");
	snprintf(p, sizeof(p), "%s/odd.img", t.dir);
	write_file(p, 1000);
	expect_open_error(p, BLOCKDEV_DISK, "multiple of 512");
	write_file(p, 2048 * 3 + 512);
	expect_open_error(p, BLOCKDEV_CDROM, "multiple of 2048");
	write_file(p, 1474560 + 512);
	expect_open_error(p, BLOCKDEV_FLOPPY, "no floppy format");
	expect_open_error(t.dir, BLOCKDEV_DISK, "directory");
	tmp_free(&t);
}

static int parse(struct options *o, char **argv, char *err)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	return options_parse(o, argc, argv, err, 256);
}

Test(image, drive_and_boot_options)
{
	struct options o;
	char err[256];
	char *a1[] = { "popek", "--fda", "a.img", "--hda", "c.img", "--cdrom", "d.iso", "--boot", "order=dca",
		       "--snapshot", "--overlay", "hda=c.ovl", "--read-only", "fda", NULL };
	cr_assert_eq(parse(&o, a1, err), 0, "%s", err);
	cr_assert_str_eq(o.drive[DRIVE_FDA], "a.img");
	cr_assert_str_eq(o.drive[DRIVE_HDA], "c.img");
	cr_assert_str_eq(o.cdrom, "d.iso");
	cr_assert(o.snapshot);
	cr_assert_str_eq(o.overlay[DRIVE_HDA], "c.ovl");
	cr_assert(o.read_only[DRIVE_FDA]);
	cr_assert_eq(o.boot_order[0], 3);
	cr_assert_eq(o.boot_order[1], 2);
	cr_assert_eq(o.boot_order[2], 1);
	char *a2[] = { "popek", "--boot", "d", NULL };
	cr_assert_eq(parse(&o, a2, err), 0, "%s", err);
	cr_assert_eq(o.boot_order[0], 3);
	cr_assert_eq(o.boot_order[1], 0);
	char *bad[][4] = {
		{ "popek", "--boot", "x", NULL },      { "popek", "--boot", "cc", NULL },
		{ "popek", "--boot", "once=d", NULL }, { "popek", "--overlay", "hdz=f", NULL },
		{ "popek", "--read-only", "q", NULL }, { "popek", "--overlay", "hda", NULL },
	};
	for (unsigned k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		cr_assert_eq(parse(&o, bad[k], err), -1, "%s %s accepted", bad[k][1], bad[k][2]);
	char *a3[] = { "popek", "--hdc", "x.img", "--cdrom", "y.iso", NULL };
	cr_assert_eq(parse(&o, a3, err), -1);
}

Test(image, open_drives_fills_config_and_fails_cleanly)
{
	struct tmp t;
	tmp_init(&t);
	char fd[160];
	snprintf(fd, sizeof(fd), "%s/a.img", t.dir);
	write_file(fd, 737280);
	write_file(t.base, MIB);
	struct options o;
	char err[256];
	char *ok[] = { "popek", "--fda", fd, "--hda", t.base, "--boot", "a", NULL };
	cr_assert_eq(parse(&o, ok, err), 0);
	struct machine_config cfg = { 0 };
	struct image *imgs[DRIVE_COUNT];
	cr_assert_eq(image_open_drives(&o, &cfg, imgs, NULL, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cfg.drives[DRIVE_FDA].kind, BLOCKDEV_FLOPPY);
	cr_assert_eq(cfg.drives[DRIVE_FDA].size, 737280);
	cr_assert_eq(cfg.drives[DRIVE_HDA].kind, BLOCKDEV_DISK);
	cr_assert_eq(cfg.drives[DRIVE_HDB].kind, BLOCKDEV_NONE);
	cr_assert_eq(cfg.boot_order[0], 1);
	cr_assert_eq(image_close_drives(imgs), 0);

	char *bad[] = { "popek", "--fda", t.base, NULL }; /* 1 MiB is no floppy */
	cr_assert_eq(parse(&o, bad, err), 0);
	cr_assert_eq(image_open_drives(&o, &cfg, imgs, NULL, err, sizeof(err)), -1);
	cr_assert(strstr(err, "floppy") != NULL, "%s", err);
	tmp_free(&t);
}

/* The program itself: a bad image is one line on stderr and exit status 2. */
Test(image, popek_exits_2_on_a_bad_image)
{
	if (access("./popek", X_OK) != 0)
		cr_skip_test("./popek not built in this directory");
	struct tmp t;
	tmp_init(&t);
	write_file(t.base, 1000);
	char cmd[640], out[160], bios[160];
	snprintf(out, sizeof(out), "%s/stderr", t.dir);
	snprintf(bios, sizeof(bios), "%s/bios.bin", t.dir);
	write_file(bios, 65536);
	snprintf(cmd, sizeof(cmd), "./popek --headless --bios '%s' --max-insns 1 --hda '%s' 2>'%s'",
		 bios, t.base, out);
	int st = system(cmd);
	cr_assert(WIFEXITED(st));
	cr_assert_eq(WEXITSTATUS(st), 2);
	FILE *f = fopen(out, "r");
	char line[512];
	unsigned lines = 0;
	bool named = false;
	while (fgets(line, sizeof(line), f)) {
		lines++;
		named |= strstr(line, "multiple of 512") != NULL;
	}
	fclose(f);
	cr_assert_eq(lines, 1);
	cr_assert(named, "the message names the problem");
	tmp_free(&t);
}
