/*
 * Disk images as block backends (devices/blockdev.h): raw image files, opened
 * read-only on request or when the file is not writable, and a copy-on-write
 * overlay that keeps every guest write out of the base image, either in a
 * persistent overlay file (--overlay DRIVE=FILE) or in an unlinked temporary
 * file discarded at exit (--snapshot). See image.c for the overlay format.
 */
#ifndef POPEK_IMAGE_H
#define POPEK_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "devices/blockdev.h"

struct options;
struct machine_config;

struct image_request {
	const char *path;
	enum blockdev_kind kind;
	bool read_only;       /* the guest may not write */
	bool snapshot;        /* writes go to a temporary overlay, lost at exit */
	const char *overlay;  /* persistent overlay file (created when missing), or NULL */
	FILE *warn;           /* where warnings go (stderr), or NULL */
};

struct image;

/* Open an image. NULL with a one-line message in err when the file is
 * missing, unreadable, empty, of a size that kind cannot have (a disk not a
 * multiple of 512 bytes, a CD not a multiple of 2048, a floppy of no known
 * format), or when the overlay does not belong to this base image. */
struct image *image_open(const struct image_request *rq, char *err, size_t errlen);
/* The backend the controllers use; valid until image_close. */
struct blockdev image_blockdev(struct image *img);
/* Flush (fdatasync) and close; returns -1 when a flush failed. NULL is fine. */
int image_close(struct image *img);

/* Every drive of the options (--hda..--hdd, --cdrom, --fda, --fdb with
 * --snapshot, --overlay, --read-only) into cfg->drives, and the boot order.
 * Returns 0, or -1 with a one-line message (nothing left open). */
int image_open_drives(const struct options *o, struct machine_config *cfg,
		      struct image *imgs[DRIVE_COUNT], FILE *warn, char *err, size_t errlen);
/* Close them all; -1 when a flush or an earlier write failed. */
int image_close_drives(struct image *imgs[DRIVE_COUNT]);

#endif
