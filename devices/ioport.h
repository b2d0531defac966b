/*
 * The I/O port space: 65536 byte ports, each owned by at most one range.
 * Lookup is one table index; registering an overlapping range is an error.
 * Unclaimed ports read 0xFF per byte and ignore writes, as on an ISA bus.
 * The same io_ops serve MMIO regions (offsets are relative to the range).
 */
#ifndef POPEK_IOPORT_H
#define POPEK_IOPORT_H

#include "mem/types.h"

struct io_ops {
	/* size is 1, 2 or 4; offset is relative to the registered base */
	uint32_t (*read)(void *opaque, uint32_t offset, unsigned size);
	void (*write)(void *opaque, uint32_t offset, uint32_t value, unsigned size);
};

struct io_range {
	uint32_t base, len;
	const struct io_ops *ops;
	void *opaque;
};

#define IOPORT_MAX_RANGES 256

struct ioport_table {
	uint16_t owner[65536]; /* 0 = unclaimed, else index into ranges + 1 */
	struct io_range ranges[IOPORT_MAX_RANGES];
	unsigned nranges;
};

void ioport_init(struct ioport_table *t);
/* Returns 0, or -1 when the range overlaps another or the table is full. */
int ioport_register(struct ioport_table *t, uint16_t base, uint32_t len,
		    const struct io_ops *ops, void *opaque);
/* Release a range registered with exactly this base and len (devices whose
 * ports move, such as PCI I/O BARs); returns 0, or -1 when there is none. */
int ioport_unregister(struct ioport_table *t, uint16_t base, uint32_t len);
uint32_t ioport_read(struct ioport_table *t, uint16_t port, unsigned size);
void ioport_write(struct ioport_table *t, uint16_t port, uint32_t value, unsigned size);

#endif
