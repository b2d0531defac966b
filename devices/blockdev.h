/*
 * Block backends: what a disk controller (ATA, ATAPI, floppy) reads and
 * writes. The core never opens host files; the front end hands each drive a
 * struct blockdev whose callbacks do the host I/O (raw image, copy-on-write
 * overlay, --snapshot). Offsets and lengths are in bytes; controllers only
 * ask for whole sectors inside [0, size).
 */
#ifndef POPEK_BLOCKDEV_H
#define POPEK_BLOCKDEV_H

#include "mem/types.h"

enum blockdev_kind { BLOCKDEV_NONE, BLOCKDEV_DISK, BLOCKDEV_CDROM, BLOCKDEV_FLOPPY };

struct blockdev {
	enum blockdev_kind kind;
	uint64_t size;  /* bytes */
	bool read_only; /* writes fail with -1: the controller reports a guest-visible error */
	void *opaque;
	/* 0 on success, -1 on a host I/O error (reported to the guest as a media error). */
	int (*read)(void *opaque, uint64_t offset, void *buf, uint32_t len);
	int (*write)(void *opaque, uint64_t offset, const void *buf, uint32_t len);
	int (*flush)(void *opaque);
};

/* Drive slots of the PC: ATA primary master/slave, secondary master/slave
 * (hda-hdd; a CD-ROM takes the secondary master by default as in QEMU), and
 * floppy A/B. Set in struct machine_config.drives. */
enum { DRIVE_HDA, DRIVE_HDB, DRIVE_HDC, DRIVE_HDD, DRIVE_FDA, DRIVE_FDB, DRIVE_COUNT };

#endif
