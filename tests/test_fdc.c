/* 82077AA floppy controller through its ports, IRQ 6 and DMA channel 2
 * (82077AA data sheet: command set, status registers ST0-ST3, result phase
 * C/H/R/N table; 8237A mode register for the DMA setup), with an in-memory
 * 1.44 MB image: 80 cylinders, 2 heads, 18 sectors of 512 bytes, so that
 * LBA = (C * 2 + H) * 18 + R - 1. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/fdc.h"
#include "devices/rtc.h"
#include "tests/bus_util.h"
#include "tests/tm.h"

#define SIZE_144 1474560u
#define MSR 0x3F4
#define FIFO 0x3F5
#define DOR 0x3F2
#define DMA_TO_MEM 0x46   /* single, increment, write (I/O -> memory), channel 2 */
#define DMA_FROM_MEM 0x4A /* single, increment, read (memory -> I/O), channel 2 */
#define BUF 0x20000u

struct memdisk {
	uint8_t *data;
	uint64_t size;
};

static int md_read(void *opaque, uint64_t off, void *buf, uint32_t len)
{
	struct memdisk *d = opaque;
	cr_assert(off + len <= d->size, "controller read outside the image");
	memcpy(buf, d->data + off, len);
	return 0;
}

static int md_write(void *opaque, uint64_t off, const void *buf, uint32_t len)
{
	struct memdisk *d = opaque;
	cr_assert(off + len <= d->size, "controller wrote outside the image");
	memcpy(d->data + off, buf, len);
	return 0;
}

static int md_flush(void *opaque)
{
	(void)opaque;
	return 0;
}

static uint8_t pattern(uint64_t off)
{
	return (uint8_t)((off >> 9) * 7 + (off & 511) * 13 + 1);
}

struct rig {
	struct machine *m;
	struct irq_log irqs;
	struct memdisk disk;
};

static void rig_init(struct rig *r, uint64_t size, bool read_only)
{
	r->disk.size = size;
	r->disk.data = malloc(size);
	for (uint64_t o = 0; o < size; o++)
		r->disk.data[o] = pattern(o);
	struct machine_config cfg = { 0 };
	cfg.drives[DRIVE_FDA] = (struct blockdev){
		.kind = BLOCKDEV_FLOPPY, .size = size, .read_only = read_only, .opaque = &r->disk,
		.read = md_read, .write = md_write, .flush = md_flush,
	};
	r->m = bus_machine(NULL, 0, &cfg);
	bus_log_irqs(r->m, &r->irqs);
}

static void rig_free(struct rig *r)
{
	machine_free(r->m);
	free(r->disk.data);
}

static void cmd(struct rig *r, const uint8_t *bytes, unsigned n)
{
	for (unsigned k = 0; k < n; k++) {
		cr_assert_eq(inb(r->m, MSR) & 0xC0, 0x80, "RQM, host to controller before byte %u", k);
		outb(r->m, FIFO, bytes[k]);
	}
}

static void result(struct rig *r, uint8_t *out, unsigned n)
{
	for (unsigned k = 0; k < n; k++) {
		cr_assert_eq(inb(r->m, MSR) & 0xD0, 0xD0, "RQM, DIO, CB before result byte %u", k);
		out[k] = inb(r->m, FIFO);
	}
	cr_assert_eq(inb(r->m, MSR) & 0xD0, 0x80, "back to the command phase");
}

#define CMD(r, ...) do { const uint8_t b_[] = { __VA_ARGS__ }; cmd(r, b_, sizeof(b_)); } while (0)

static void wait_irq(struct rig *r)
{
	bus_skip(r->m, 10000000);
	cr_assert_eq(r->irqs.level[6], 1, "IRQ 6 raised");
}

static void sense_int(struct rig *r, uint8_t st0, uint8_t pcn)
{
	uint8_t res[2];
	CMD(r, 0x08);
	result(r, res, 2);
	cr_assert_eq(res[0], st0);
	cr_assert_eq(res[1], pcn);
}

/* DOR reset pulse, then the four polling interrupts of the data sheet. */
static void reset_fdc(struct rig *r)
{
	outb(r->m, DOR, 0x00);
	outb(r->m, DOR, 0x1C); /* drive 0, motor A, DMA gate, out of reset */
	wait_irq(r);
	for (uint8_t n = 0; n < 4; n++)
		sense_int(r, 0xC0 | n, 0);
	cr_assert_eq(r->irqs.level[6], 0);
}

static void seek(struct rig *r, uint8_t head_drive, uint8_t cyl)
{
	CMD(r, 0x0F, head_drive, cyl);
	wait_irq(r);
	sense_int(r, (uint8_t)(0x20 | (head_drive & 7)), cyl);
}

static void dma_setup(struct rig *r, uint8_t mode, uint32_t addr, uint16_t count)
{
	outb(r->m, 0x0A, 0x06); /* mask channel 2 */
	outb(r->m, 0x0C, 0);
	outb(r->m, 0x0B, mode);
	outb(r->m, 0x04, addr & 0xFF);
	outb(r->m, 0x04, (addr >> 8) & 0xFF);
	outb(r->m, 0x81, (uint8_t)(addr >> 16));
	outb(r->m, 0x05, count & 0xFF);
	outb(r->m, 0x05, count >> 8);
	outb(r->m, 0x0A, 0x02); /* unmask */
}

static uint64_t lba(unsigned c, unsigned h, unsigned s)
{
	return (c * 2 + h) * 18 + s - 1;
}

static void check_result(const uint8_t *res, const uint8_t *want)
{
	for (unsigned k = 0; k < 7; k++)
		cr_assert_eq(res[k], want[k], "result byte %u: %02x, expected %02x", k, res[k], want[k]);
}

Test(fdc, reset_raises_irq_and_four_polling_statuses)
{
	struct rig r;
	rig_init(&r, SIZE_144, false);
	reset_fdc(&r);
	uint8_t res[1];
	CMD(&r, 0x08);
	result(&r, res, 1);
	cr_assert_eq(res[0], 0x80, "nothing pending: invalid command status");
	rig_free(&r);
}

Test(fdc, version_and_invalid_command)
{
	struct rig r;
	rig_init(&r, SIZE_144, false);
	reset_fdc(&r);
	uint8_t res[1];
	CMD(&r, 0x10);
	result(&r, res, 1);
	cr_assert_eq(res[0], 0x90);
	CMD(&r, 0x1F);
	result(&r, res, 1);
	cr_assert_eq(res[0], 0x80);
	rig_free(&r);
}

Test(fdc, seek_and_recalibrate)
{
	struct rig r;
	rig_init(&r, SIZE_144, false);
	reset_fdc(&r);
	cr_assert_eq(inb(r.m, 0x3F7) & 0x80, 0x80, "disk change set since power-on");
	CMD(&r, 0x0F, 0x00, 40);
	cr_assert_eq(inb(r.m, MSR), 0x81, "RQM with drive 0 busy seeking");
	cr_assert_eq(r.irqs.level[6], 0);
	wait_irq(&r);
	sense_int(&r, 0x20, 40);
	cr_assert_eq(inb(r.m, MSR), 0x80);
	cr_assert_eq(inb(r.m, 0x3F7) & 0x80, 0, "a step with a disk clears disk change");
	uint8_t st3[1];
	CMD(&r, 0x04, 0x00);
	result(&r, st3, 1);
	cr_assert_eq(st3[0], 0x28, "not track 0, not protected");
	CMD(&r, 0x07, 0x00);
	wait_irq(&r);
	sense_int(&r, 0x20, 0);
	CMD(&r, 0x04, 0x00);
	result(&r, st3, 1);
	cr_assert_eq(st3[0], 0x38, "track 0");
	rig_free(&r);
}

Test(fdc, read_data_by_dma)
{
	struct rig r;
	rig_init(&r, SIZE_144, false);
	reset_fdc(&r);
	seek(&r, 0x04, 1);
	dma_setup(&r, DMA_TO_MEM, BUF, 511);
	CMD(&r, 0xE6, 0x04, 1, 1, 3, 2, 18, 0x1B, 0xFF);
	cr_assert_eq(inb(r.m, MSR) & 0xF0, 0x10, "execution: busy, no RQM");
	wait_irq(&r);
	uint8_t res[7];
	result(&r, res, 7);
	check_result(res, (const uint8_t[]){ 0x04, 0, 0, 1, 1, 4, 2 });
	cr_assert_eq(r.irqs.level[6], 0, "reading the result cleared the interrupt");
	uint64_t at = lba(1, 1, 3) * 512;
	for (unsigned k = 0; k < 512; k++)
		cr_assert_eq(tm_peek8(r.m, BUF + k), pattern(at + k), "byte %u", k);
	cr_assert_eq(tm_peek8(r.m, BUF + 512), 0, "stopped at terminal count");
	rig_free(&r);
}

Test(fdc, write_data_by_dma)
{
	struct rig r;
	rig_init(&r, SIZE_144, false);
	reset_fdc(&r);
	seek(&r, 0x00, 79);
	for (unsigned k = 0; k < 1024; k++)
		tm_poke(r.m, BUF + k, k & 1 ? "a5" : "3c");
	dma_setup(&r, DMA_FROM_MEM, BUF, 1023);
	CMD(&r, 0xC5, 0x00, 79, 0, 17, 2, 18, 0x1B, 0xFF);
	wait_irq(&r);
	uint8_t res[7];
	result(&r, res, 7);
	/* MT set, ended on EOT of head 0: C, H complemented, R = 1. */
	check_result(res, (const uint8_t[]){ 0x00, 0, 0, 79, 1, 1, 2 });
	uint64_t at = lba(79, 0, 17) * 512;
	for (unsigned k = 0; k < 1024; k++)
		cr_assert_eq(r.disk.data[at + k], k & 1 ? 0xA5 : 0x3C);
	cr_assert_eq(r.disk.data[at + 1024], pattern(at + 1024), "the next sector is untouched");
	cr_assert_eq(r.disk.data[at - 1], pattern(at - 1));
	rig_free(&r);
}

Test(fdc, multitrack_read_crosses_to_head_1)
{
	struct rig r;
	rig_init(&r, SIZE_144, false);
	reset_fdc(&r);
	seek(&r, 0x00, 2);
	dma_setup(&r, DMA_TO_MEM, BUF, 4 * 512 - 1);
	CMD(&r, 0xE6, 0x00, 2, 0, 17, 2, 18, 0x1B, 0xFF);
	wait_irq(&r);
	uint8_t res[7];
	result(&r, res, 7);
	check_result(res, (const uint8_t[]){ 0x04, 0, 0, 2, 1, 3, 2 });
	uint64_t first = lba(2, 0, 17) * 512;
	for (unsigned k = 0; k < 4 * 512; k++)
		cr_assert_eq(tm_peek8(r.m, BUF + k), pattern(first + k), "byte %u", k);
	rig_free(&r);
}

/* SeaBIOS's floppy_read sends EOT = first sector + count - 1, which can lie
 * past the 18th sector; the read must still go on to head 1. */
Test(fdc, multitrack_read_with_eot_past_the_track)
{
	struct rig r;
	rig_init(&r, SIZE_144, false);
	reset_fdc(&r);
	dma_setup(&r, DMA_TO_MEM, BUF, 36 * 512 - 1);
	CMD(&r, 0xE6, 0x00, 0, 0, 1, 2, 36, 0x1B, 0xFF);
	wait_irq(&r);
	uint8_t res[7];
	result(&r, res, 7);
	check_result(res, (const uint8_t[]){ 0x04, 0, 0, 1, 0, 1, 2 });
	for (unsigned k = 0; k < 36 * 512; k += 509)
		cr_assert_eq(tm_peek8(r.m, BUF + k), pattern(k), "byte %u", k);
	rig_free(&r);
}

Test(fdc, read_past_end_of_track_without_mt_ends_with_en)
{
	struct rig r;
	rig_init(&r, SIZE_144, false);
	reset_fdc(&r);
	dma_setup(&r, DMA_TO_MEM, BUF, 4 * 512 - 1);
	CMD(&r, 0x46, 0x00, 0, 0, 17, 2, 18, 0x1B, 0xFF);
	wait_irq(&r);
	uint8_t res[7];
	result(&r, res, 7);
	check_result(res, (const uint8_t[]){ 0x40, 0x80, 0, 1, 0, 1, 2 });
	cr_assert_eq(tm_peek8(r.m, BUF + 512), pattern(lba(0, 0, 18) * 512));
	cr_assert_eq(tm_peek8(r.m, BUF + 1024), 0, "no data from the other head");
	rig_free(&r);
}

Test(fdc, wrong_cylinder_and_missing_sector)
{
	struct rig r;
	rig_init(&r, SIZE_144, false);
	reset_fdc(&r);
	dma_setup(&r, DMA_TO_MEM, BUF, 511);
	CMD(&r, 0x46, 0x00, 5, 0, 1, 2, 18, 0x1B, 0xFF);
	wait_irq(&r);
	uint8_t res[7];
	result(&r, res, 7);
	cr_assert_eq(res[0], 0x40);
	cr_assert_eq(res[1], 0x04, "no data");
	cr_assert_eq(res[2], 0x10, "wrong cylinder");
	CMD(&r, 0x46, 0x00, 0, 0, 19, 2, 19, 0x1B, 0xFF);
	wait_irq(&r);
	result(&r, res, 7);
	cr_assert_eq(res[0], 0x40);
	cr_assert_eq(res[1], 0x04, "sector 19 does not exist");
	rig_free(&r);
}

Test(fdc, read_id)
{
	struct rig r;
	rig_init(&r, SIZE_144, false);
	reset_fdc(&r);
	seek(&r, 0x04, 3);
	CMD(&r, 0x4A, 0x04);
	wait_irq(&r);
	uint8_t res[7];
	result(&r, res, 7);
	cr_assert_eq(res[0], 0x04);
	cr_assert_eq(res[1], 0);
	cr_assert_eq(res[2], 0);
	cr_assert_eq(res[3], 3);
	cr_assert_eq(res[4], 1);
	cr_assert(res[5] >= 1 && res[5] <= 18);
	cr_assert_eq(res[6], 2);
	rig_free(&r);
}

Test(fdc, write_protected_image)
{
	struct rig r;
	rig_init(&r, SIZE_144, true);
	reset_fdc(&r);
	uint8_t st3[1];
	CMD(&r, 0x04, 0x00);
	result(&r, st3, 1);
	cr_assert_eq(st3[0] & 0x40, 0x40, "ST3 WP");
	dma_setup(&r, DMA_FROM_MEM, BUF, 511);
	CMD(&r, 0xC5, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF);
	wait_irq(&r);
	uint8_t res[7];
	result(&r, res, 7);
	check_result(res, (const uint8_t[]){ 0x40, 0x02, 0, 0, 0, 1, 2 });
	for (unsigned k = 0; k < 512; k++)
		cr_assert_eq(r.disk.data[k], pattern(k));
	rig_free(&r);
}

Test(fdc, drive_without_disk)
{
	struct rig r;
	rig_init(&r, SIZE_144, false);
	reset_fdc(&r);
	dma_setup(&r, DMA_TO_MEM, BUF, 511);
	CMD(&r, 0x46, 0x01, 0, 0, 1, 2, 18, 0x1B, 0xFF);
	wait_irq(&r);
	uint8_t res[7];
	result(&r, res, 7);
	cr_assert_eq(res[0], 0x49, "abnormal, not ready, drive 1");
	cr_assert_eq(res[1], 0x01, "missing address mark");
	CMD(&r, 0x07, 0x01);
	wait_irq(&r);
	sense_int(&r, 0x71, 0); /* abnormal, seek end, equipment check */
	outb(r.m, DOR, 0x1D);
	cr_assert_eq(inb(r.m, 0x3F7) & 0x80, 0x80, "no disk: disk change stays set");
	rig_free(&r);
}

Test(fdc, format_track)
{
	struct rig r;
	rig_init(&r, SIZE_144, false);
	reset_fdc(&r);
	seek(&r, 0x04, 10);
	char id[16];
	for (unsigned s = 1; s <= 18; s++) {
		snprintf(id, sizeof(id), "0a 01 %02x 02", s);
		tm_poke(r.m, BUF + (s - 1) * 4, id);
	}
	dma_setup(&r, DMA_FROM_MEM, BUF, 18 * 4 - 1);
	CMD(&r, 0x4D, 0x04, 2, 18, 0x54, 0xF6);
	wait_irq(&r);
	uint8_t res[7];
	result(&r, res, 7);
	cr_assert_eq(res[0] & 0xC0, 0, "normal termination");
	uint64_t at = lba(10, 1, 1) * 512;
	for (unsigned k = 0; k < 18 * 512; k++)
		cr_assert_eq(r.disk.data[at + k], 0xF6);
	cr_assert_eq(r.disk.data[at - 1], pattern(at - 1), "head 0 untouched");
	rig_free(&r);
}

Test(fdc, configure_lock_perpendicular_dumpreg)
{
	struct rig r;
	rig_init(&r, SIZE_144, false);
	reset_fdc(&r);
	CMD(&r, 0x03, 0xAF, 0x02);
	CMD(&r, 0x13, 0x00, 0x57, 0x05);
	CMD(&r, 0x12, 0x87);
	uint8_t res[10];
	CMD(&r, 0x94);
	result(&r, res, 1);
	cr_assert_eq(res[0], 0x10);
	reset_fdc(&r); /* LOCK keeps the CONFIGURE values across resets */
	seek(&r, 0x00, 7);
	CMD(&r, 0x0E);
	result(&r, res, 10);
	const uint8_t want[10] = { 7, 0, 0, 0, 0xAF, 0x02, 0, 0x87, 0x57, 0x05 };
	for (unsigned k = 0; k < 10; k++)
		cr_assert_eq(res[k], want[k], "dumpreg byte %u: %02x", k, res[k]);
	CMD(&r, 0x14);
	result(&r, res, 1);
	cr_assert_eq(res[0], 0x00);
	seek(&r, 0x00, 0);
	reset_fdc(&r);
	CMD(&r, 0x0E);
	result(&r, res, 10);
	cr_assert_eq(res[8], 0x20, "unlocked: reset restores the default configuration");
	cr_assert_eq(res[9], 0);
	rig_free(&r);
}

Test(fdc, dma_gate_off_masks_irq)
{
	struct rig r;
	rig_init(&r, SIZE_144, false);
	outb(r.m, DOR, 0x00);
	outb(r.m, DOR, 0x14);
	bus_skip(r.m, 10000000);
	cr_assert_eq(r.irqs.level[6], 0, "DOR bit 3 gates IRQ 6");
	outb(r.m, DOR, 0x1C);
	cr_assert_eq(r.irqs.level[6], 1);
	rig_free(&r);
}

Test(fdc, cmos_floppy_type_and_geometries)
{
	struct rig r;
	rig_init(&r, SIZE_144, false);
	struct rtc *rtc = machine_device(r.m, "rtc");
	cr_assert_eq(rtc_nvram(rtc, 0x10), 0x40, "1.44M in A, nothing in B");
	cr_assert_eq(rtc_nvram(rtc, 0x14) & 0xC1, 0x01, "one floppy drive");
	rig_free(&r);
	struct fdc_geometry g;
	cr_assert(fdc_geometry_for_size(737280, &g));
	cr_assert(g.tracks == 80 && g.heads == 2 && g.spt == 9 && g.cmos_type == 3);
	cr_assert(fdc_geometry_for_size(2949120, &g));
	cr_assert(g.spt == 36 && g.cmos_type == 5);
	cr_assert(fdc_geometry_for_size(1228800, &g));
	cr_assert(g.spt == 15 && g.cmos_type == 2);
	cr_assert(fdc_geometry_for_size(368640, &g));
	cr_assert(g.tracks == 40 && g.spt == 9 && g.cmos_type == 1);
	cr_assert_not(fdc_geometry_for_size(SIZE_144 + 512, &g));
}

Test(fdc, image_of_no_floppy_size_is_refused)
{
	struct memdisk d = { NULL, 1000 };
	struct machine_config cfg = { .ram_size = 16u << 20 };
	cfg.drives[DRIVE_FDA] = (struct blockdev){ .kind = BLOCKDEV_FLOPPY, .size = 1000, .opaque = &d,
						   .read = md_read, .write = md_write, .flush = md_flush };
	char err[256] = "";
	struct machine *m = machine_new(&cfg, err, sizeof(err));
	cr_assert_null(m);
	cr_assert(strstr(err, "fdc") != NULL, "%s", err);
}

/* Non-DMA mode (SPECIFY ND = 1): MSR shows RQM, NDMA and the direction
 * while the host moves the bytes; without terminal count the transfer ends
 * at EOT with EN set. */
Test(fdc, non_dma_read_and_write_through_the_fifo)
{
	struct rig r;
	rig_init(&r, SIZE_144, false);
	reset_fdc(&r);
	CMD(&r, 0x03, 0xAF, 0x03);
	CMD(&r, 0x46, 0x00, 0, 0, 17, 2, 18, 0x1B, 0xFF);
	for (unsigned k = 0; k < 1024; k++) {
		cr_assert_eq(inb(r.m, MSR), 0xF0, "RQM DIO NDMA CB at byte %u", k);
		cr_assert_eq(inb(r.m, FIFO), pattern(lba(0, 0, 17) * 512 + k), "byte %u", k);
	}
	cr_assert_eq(inb(r.m, MSR) & 0xA0, 0, "execution over");
	wait_irq(&r);
	uint8_t res[7];
	result(&r, res, 7);
	check_result(res, (const uint8_t[]){ 0x40, 0x80, 0, 1, 0, 1, 2 });

	CMD(&r, 0x45, 0x00, 0, 0, 5, 2, 5, 0x1B, 0xFF);
	for (unsigned k = 0; k < 512; k++) {
		cr_assert_eq(inb(r.m, MSR), 0xB0, "RQM NDMA CB, host to controller");
		outb(r.m, FIFO, (uint8_t)(k ^ 0x5A));
	}
	wait_irq(&r);
	result(&r, res, 7);
	check_result(res, (const uint8_t[]){ 0x40, 0x80, 0, 1, 0, 1, 2 });
	for (unsigned k = 0; k < 512; k++)
		cr_assert_eq(r.disk.data[lba(0, 0, 5) * 512 + k], (uint8_t)(k ^ 0x5A));
	rig_free(&r);
}

/* The state fields carry the controller to another machine: copy them,
 * run post_load, and the seek position and SPECIFY values survive. */
Test(fdc, state_fields_round_trip)
{
	struct rig a, b;
	rig_init(&a, SIZE_144, false);
	rig_init(&b, SIZE_144, false);
	reset_fdc(&a);
	CMD(&a, 0x03, 0xDF, 0x02);
	seek(&a, 0x00, 33);
	uint8_t *fa = machine_device(a.m, "fdc"), *fb = machine_device(b.m, "fdc");
	for (const struct state_field *s = fdc_class.fields; s->name; s++)
		memcpy(fb + s->offset, fa + s->offset, s->size);
	fdc_class.post_load(fb);
	uint8_t res[10];
	CMD(&b, 0x0E);
	result(&b, res, 10);
	cr_assert_eq(res[0], 33);
	cr_assert_eq(res[4], 0xDF);
	cr_assert_eq(res[5], 0x02);
	rig_free(&a);
	rig_free(&b);
}
