/* Test helpers for the IDE suites (see ide_util.h). */
#include "tests/ide_util.h"

#include <stdlib.h>
#include <string.h>

uint8_t memdisk_byte(uint64_t off) { return (uint8_t)(off * 7 + (off >> 9) * 13 + (off >> 17)); }

static int md_read(void *opaque, uint64_t off, void *buf, uint32_t len)
{
	struct memdisk *md = opaque;
	if (md->fail)
		return -1;
	uint8_t *out = buf;
	for (uint32_t i = 0; i < len; i++) {
		uint64_t o = off + i;
		out[i] = o >= md->base && o - md->base < md->len ? md->data[o - md->base] : 0;
	}
	return 0;
}

static int md_write(void *opaque, uint64_t off, const void *buf, uint32_t len)
{
	struct memdisk *md = opaque;
	if (md->fail)
		return -1;
	const uint8_t *in = buf;
	md->writes++;
	for (uint32_t i = 0; i < len; i++) {
		uint64_t o = off + i;
		if (o >= md->base && o - md->base < md->len)
			md->data[o - md->base] = in[i];
	}
	return 0;
}

static int md_flush(void *opaque)
{
	struct memdisk *md = opaque;
	md->flushes++;
	return md->fail ? -1 : 0;
}

struct blockdev memdisk_new(struct memdisk *md, enum blockdev_kind kind, uint64_t size,
			    uint64_t base, uint32_t len, bool read_only)
{
	memset(md, 0, sizeof(*md));
	md->data = malloc(len ? len : 1);
	md->base = base;
	md->len = len;
	for (uint32_t i = 0; i < len; i++)
		md->data[i] = memdisk_byte(base + i);
	return (struct blockdev){ .kind = kind, .size = size, .read_only = read_only, .opaque = md,
				  .read = md_read, .write = md_write, .flush = md_flush };
}

void memdisk_free(struct memdisk *md) { free(md->data); }

struct machine *ide_machine(const struct blockdev *drives, struct irq_log *log)
{
	struct machine_config cfg = { 0 };
	for (unsigned i = 0; i < 4; i++)
		cfg.drives[DRIVE_HDA + i] = drives[i];
	struct machine *m = bus_machine(NULL, 0, &cfg);
	if (log)
		bus_log_irqs(m, log);
	return m;
}

void ide_wait(struct machine *m)
{
	/* In steps, so that events the drive arms while busy also fire. */
	for (unsigned i = 0; i < 100; i++)
		bus_skip(m, 1000);
}

uint8_t ide_cmd(struct machine *m, uint16_t base, uint8_t cmd)
{
	outb(m, (uint16_t)(base + 7), cmd);
	ide_wait(m);
	return inb(m, (uint16_t)(base + 7));
}

void ide_read_data(struct machine *m, uint16_t base, uint8_t *buf, uint32_t len)
{
	for (uint32_t i = 0; i < len; i += 2) {
		uint16_t w = (uint16_t)io_in(m, base, 2);
		buf[i] = (uint8_t)w;
		if (i + 1 < len)
			buf[i + 1] = (uint8_t)(w >> 8);
	}
}

void ide_write_data(struct machine *m, uint16_t base, const uint8_t *buf, uint32_t len)
{
	for (uint32_t i = 0; i < len; i += 2)
		io_out(m, base, (uint32_t)(buf[i] | buf[i + 1] << 8), 2);
}

void ide_lba28(struct machine *m, uint16_t base, unsigned dev, uint32_t lba, uint8_t count)
{
	outb(m, (uint16_t)(base + 6), (uint8_t)(0xE0 | dev << 4 | (lba >> 24 & 15)));
	outb(m, (uint16_t)(base + 2), count);
	outb(m, (uint16_t)(base + 3), (uint8_t)lba);
	outb(m, (uint16_t)(base + 4), (uint8_t)(lba >> 8));
	outb(m, (uint16_t)(base + 5), (uint8_t)(lba >> 16));
}

void ide_lba48(struct machine *m, uint16_t base, unsigned dev, uint64_t lba, uint16_t count)
{
	outb(m, (uint16_t)(base + 6), (uint8_t)(0x40 | dev << 4));
	outb(m, (uint16_t)(base + 2), (uint8_t)(count >> 8));
	outb(m, (uint16_t)(base + 3), (uint8_t)(lba >> 24));
	outb(m, (uint16_t)(base + 4), (uint8_t)(lba >> 32));
	outb(m, (uint16_t)(base + 5), (uint8_t)(lba >> 40));
	outb(m, (uint16_t)(base + 2), (uint8_t)count);
	outb(m, (uint16_t)(base + 3), (uint8_t)lba);
	outb(m, (uint16_t)(base + 4), (uint8_t)(lba >> 8));
	outb(m, (uint16_t)(base + 5), (uint8_t)(lba >> 16));
}
