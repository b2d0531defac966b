/*
 * Helpers for the IDE/ATA/ATAPI suites: in-memory block backends (a data
 * window inside a possibly much larger reported size, optional I/O failure
 * or read-only), a PC machine with those drives, and register-level access
 * to the primary (0x1F0) and secondary (0x170) channels.
 */
#ifndef POPEK_TESTS_IDE_UTIL_H
#define POPEK_TESTS_IDE_UTIL_H

#include "devices/blockdev.h"
#include "devices/machine.h"
#include "tests/bus_util.h"

struct memdisk {
	uint8_t *data;  /* bytes [base, base + len) of the image; the rest reads 0 */
	uint64_t base;
	uint32_t len;
	bool fail;      /* every read and write returns -1 */
	unsigned flushes;
	unsigned writes;
};

/* A backend of size bytes over md; data is allocated (len bytes at base)
 * and filled with memdisk_byte(). */
struct blockdev memdisk_new(struct memdisk *md, enum blockdev_kind kind, uint64_t size,
			    uint64_t base, uint32_t len, bool read_only);
void memdisk_free(struct memdisk *md);
/* The test pattern at an image offset. */
uint8_t memdisk_byte(uint64_t off);

/* A PC with drives[0..3] in the IDE slots (kind NONE for empty). */
struct machine *ide_machine(const struct blockdev *drives, struct irq_log *log);

#define PRI 0x1F0
#define SEC 0x170
/* Let the drive finish what it is busy with. */
void ide_wait(struct machine *m);
/* Write the command, wait, return the status. */
uint8_t ide_cmd(struct machine *m, uint16_t base, uint8_t cmd);
void ide_read_data(struct machine *m, uint16_t base, uint8_t *buf, uint32_t len);
void ide_write_data(struct machine *m, uint16_t base, const uint8_t *buf, uint32_t len);
/* LBA28 task file: device register 0xE0 | dev << 4 | lba >> 24. */
void ide_lba28(struct machine *m, uint16_t base, unsigned dev, uint32_t lba, uint8_t count);
void ide_lba48(struct machine *m, uint16_t base, unsigned dev, uint64_t lba, uint16_t count);

#endif
