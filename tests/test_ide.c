/* IDE controller and ATA disks through the ports (ATA/ATAPI-6: 7.x registers,
 * 8.x commands, 8.15 IDENTIFY DEVICE words; SFF-8038i bus-master DMA). */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "cpu/interrupt.h"
#include "devices/ide.h"
#include "tests/ide_util.h"
#include "tests/tm.h"

#define MIB (1024u * 1024u)

struct rig {
	struct machine *m;
	struct irq_log log;
	struct memdisk md[4];
	struct blockdev bd[4];
};

/* One disk of size bytes (data window [base, base + len)) as primary master. */
static struct rig *rig_disk(uint64_t size, uint64_t base, uint32_t len, bool ro)
{
	struct rig *r = calloc(1, sizeof(*r));
	r->bd[0] = memdisk_new(&r->md[0], BLOCKDEV_DISK, size, base, len, ro);
	r->m = ide_machine(r->bd, &r->log);
	return r;
}

static void rig_free(struct rig *r)
{
	machine_free(r->m);
	for (unsigned i = 0; i < 4; i++)
		memdisk_free(&r->md[i]);
	free(r);
}

static void identify(struct machine *m, uint16_t *w)
{
	cr_assert_eq(ide_cmd(m, PRI, 0xEC), 0x58, "DRDY DSC DRQ");
	uint8_t b[512];
	ide_read_data(m, PRI, b, 512);
	for (unsigned i = 0; i < 256; i++)
		w[i] = (uint16_t)(b[2 * i] | b[2 * i + 1] << 8);
}

Test(ide, identify_words)
{
	struct rig *r = rig_disk(64 * MIB, 0, 0, false);
	uint16_t w[256];
	outb(r->m, PRI + 6, 0xA0);
	identify(r->m, w);
	cr_assert_eq(w[0] & 0x8080, 0, "ATA device, not removable");
	cr_assert_eq(w[1], 130, "131072 / (16 * 63) cylinders");
	cr_assert_eq(w[3], 16);
	cr_assert_eq(w[6], 63);
	cr_assert_eq(w[47], 0x8010, "80h, up to 16 sectors per DRQ block");
	cr_assert_eq(w[49] & 0x0300, 0x0300, "LBA and DMA supported");
	cr_assert_eq(w[53] & 0x0007, 0x0007);
	cr_assert_eq(w[60] | (uint32_t)w[61] << 16, 131072u);
	cr_assert_eq(w[83] & 0xC400, 0x4400, "48-bit address feature set, bit 14 one");
	cr_assert_eq(w[88] & 0x00FF, 0x003F);
	cr_assert_eq(w[100] | (uint32_t)w[101] << 16, 131072u);
	cr_assert_eq(w[102] | w[103], 0);
	cr_assert_eq(w[27], 'P' << 8 | 'O', "strings: first character in the high byte");
	cr_assert_eq(w[28], 'P' << 8 | 'E');
	cr_assert_eq(w[33], 'S' << 8 | 'K');
	cr_assert_eq(w[34], ' ' << 8 | ' ', "padded with spaces");
	cr_assert_eq(w[46], ' ' << 8 | ' ');
	uint8_t sum = 0;
	for (unsigned i = 0; i < 256; i++)
		sum = (uint8_t)(sum + (w[i] & 0xFF) + (w[i] >> 8));
	cr_assert_eq(w[255] & 0xFF, 0xA5, "signature of the integrity word");
	cr_assert_eq(sum, 0, "checksum makes the byte sum zero");
	cr_assert_eq(inb(r->m, PRI + 7), 0x50, "DRQ clear after 256 words");
	rig_free(r);
}

Test(ide, identify_large_disk_caps_chs_and_lba28)
{
	uint64_t sectors = 419430400; /* 200 GiB: past the 28-bit limit */
	struct rig *r = rig_disk(sectors * 512, 0, 0, false);
	uint16_t w[256];
	identify(r->m, w);
	cr_assert_eq(w[1], 16383);
	cr_assert_eq(w[60] | (uint32_t)w[61] << 16, 0x0FFFFFFFu);
	cr_assert_eq(w[100] | (uint64_t)w[101] << 16 | (uint64_t)w[102] << 32 | (uint64_t)w[103] << 48, sectors);
	rig_free(r);
}

static void check_pattern(const uint8_t *b, uint64_t off, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		cr_assert_eq(b[i], memdisk_byte(off + i), "byte %u of offset %llu", i, (unsigned long long)off);
}

Test(ide, read_sectors_lba28)
{
	struct rig *r = rig_disk(MIB, 0, MIB, false);
	ide_lba28(r->m, PRI, 0, 5, 2);
	outb(r->m, PRI + 7, 0x20);
	cr_assert_eq(inb(r->m, 0x3F6) & 0x88, 0x80, "BSY until the command's latency has passed");
	ide_wait(r->m);
	cr_assert_eq(r->log.raises[14], 1);
	cr_assert_eq(inb(r->m, 0x3F6), 0x58, "alternate status leaves INTRQ alone");
	cr_assert_eq(r->log.level[14], 1);
	cr_assert_eq(inb(r->m, PRI + 7), 0x58);
	cr_assert_eq(r->log.level[14], 0, "reading status clears INTRQ");
	uint8_t b[1024];
	ide_read_data(r->m, PRI, b, 512);
	ide_wait(r->m);
	cr_assert_eq(r->log.raises[14], 2, "an interrupt per DRQ block");
	cr_assert_eq(inb(r->m, PRI + 7), 0x58);
	ide_read_data(r->m, PRI, b + 512, 512);
	ide_wait(r->m);
	cr_assert_eq(r->log.raises[14], 2, "no interrupt at the end of a PIO read");
	cr_assert_eq(inb(r->m, PRI + 7), 0x50);
	check_pattern(b, 5 * 512, 1024);
	rig_free(r);
}

Test(ide, read_with_32bit_data_port)
{
	struct rig *r = rig_disk(MIB, 0, MIB, false);
	ide_lba28(r->m, PRI, 0, 9, 1);
	cr_assert_eq(ide_cmd(r->m, PRI, 0x20), 0x58);
	uint8_t b[512];
	for (unsigned i = 0; i < 512; i += 4) {
		uint32_t v = io_in(r->m, PRI, 4);
		memcpy(&b[i], &v, 4);
	}
	check_pattern(b, 9 * 512, 512);
	ide_wait(r->m);
	cr_assert_eq(inb(r->m, PRI + 7), 0x50);
	rig_free(r);
}

Test(ide, write_sectors_lba28)
{
	struct rig *r = rig_disk(MIB, 0, MIB, false);
	uint8_t b[1024];
	for (unsigned i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(0xC3 ^ i);
	ide_lba28(r->m, PRI, 0, 100, 2);
	cr_assert_eq(ide_cmd(r->m, PRI, 0x30), 0x58, "DRQ for the first block, no interrupt");
	cr_assert_eq(r->log.raises[14], 0);
	ide_write_data(r->m, PRI, b, 512);
	ide_wait(r->m);
	cr_assert_eq(r->log.raises[14], 1);
	cr_assert_eq(inb(r->m, PRI + 7), 0x58);
	ide_write_data(r->m, PRI, b + 512, 512);
	ide_wait(r->m);
	cr_assert_eq(r->log.raises[14], 2);
	cr_assert_eq(inb(r->m, PRI + 7), 0x50);
	cr_assert_arr_eq(r->md[0].data + 100 * 512, b, sizeof(b));
	cr_assert_eq(r->md[0].data[102 * 512], memdisk_byte(102 * 512), "next sector untouched");
	rig_free(r);
}

Test(ide, read_and_write_lba48_above_32_bits)
{
	uint64_t lba = 0x100000010ull;
	struct rig *r = rig_disk((lba + 100) * 512, lba * 512, 4096, false);
	ide_lba48(r->m, PRI, 0, lba, 2);
	outb(r->m, 0x3F6, 0x80);
	cr_assert_eq(inb(r->m, PRI + 4), 0x01, "HOB: previous LBA mid (bits 39:32)");
	cr_assert_eq(inb(r->m, PRI + 2), 0x00, "HOB: previous sector count");
	outb(r->m, 0x3F6, 0x00);
	cr_assert_eq(inb(r->m, PRI + 3), 0x10);
	cr_assert_eq(ide_cmd(r->m, PRI, 0x24), 0x58);
	uint8_t b[1024];
	ide_read_data(r->m, PRI, b, 512);
	ide_wait(r->m);
	ide_read_data(r->m, PRI, b + 512, 512);
	check_pattern(b, lba * 512, 1024);
	ide_wait(r->m);
	memset(b, 0x5A, 512);
	ide_lba48(r->m, PRI, 0, lba + 3, 1);
	cr_assert_eq(ide_cmd(r->m, PRI, 0x34), 0x58);
	ide_write_data(r->m, PRI, b, 512);
	ide_wait(r->m);
	cr_assert_eq(inb(r->m, PRI + 7), 0x50);
	cr_assert_eq(r->md[0].data[3 * 512], 0x5A);
	cr_assert_eq(r->md[0].data[4 * 512 - 1], 0x5A);
	rig_free(r);
}

static void chs(struct machine *m, unsigned cyl, unsigned head, unsigned sec, uint8_t count)
{
	outb(m, PRI + 6, (uint8_t)(0xA0 | head));
	outb(m, PRI + 2, count);
	outb(m, PRI + 3, (uint8_t)sec);
	outb(m, PRI + 4, (uint8_t)cyl);
	outb(m, PRI + 5, (uint8_t)(cyl >> 8));
}

Test(ide, chs_default_and_initialized_translation)
{
	struct rig *r = rig_disk(4 * MIB, 0, 4 * MIB, false);
	uint8_t b[512];
	chs(r->m, 2, 3, 4, 1); /* (2 * 16 + 3) * 63 + 4 - 1 */
	cr_assert_eq(ide_cmd(r->m, PRI, 0x20), 0x58);
	ide_read_data(r->m, PRI, b, 512);
	check_pattern(b, 2208 * 512, 512);
	ide_wait(r->m);
	outb(r->m, PRI + 6, 0xA3); /* 4 heads */
	outb(r->m, PRI + 2, 17);
	cr_assert_eq(ide_cmd(r->m, PRI, 0x91), 0x50);
	chs(r->m, 1, 2, 5, 1); /* (1 * 4 + 2) * 17 + 5 - 1 */
	cr_assert_eq(ide_cmd(r->m, PRI, 0x20), 0x58);
	ide_read_data(r->m, PRI, b, 512);
	check_pattern(b, 106 * 512, 512);
	ide_wait(r->m);
	chs(r->m, 0, 4, 1, 1);
	cr_assert_eq(ide_cmd(r->m, PRI, 0x20), 0x51, "head outside the translation");
	cr_assert_eq(inb(r->m, PRI + 1), 0x10, "IDNF");
	chs(r->m, 0, 0, 0, 1);
	cr_assert_eq(ide_cmd(r->m, PRI, 0x20), 0x51, "sector 0 does not exist");
	uint16_t w[256];
	identify(r->m, w);
	cr_assert_eq(w[55], 4);
	cr_assert_eq(w[56], 17);
	cr_assert_eq(w[54], 8192 / (4 * 17));
	rig_free(r);
}

Test(ide, read_multiple_blocks)
{
	struct rig *r = rig_disk(MIB, 0, MIB, false);
	ide_lba28(r->m, PRI, 0, 0, 1);
	cr_assert_eq(ide_cmd(r->m, PRI, 0xC4), 0x51, "READ MULTIPLE before SET MULTIPLE aborts");
	cr_assert_eq(inb(r->m, PRI + 1), ER_ABRT);
	outb(r->m, PRI + 2, 3);
	cr_assert_eq(ide_cmd(r->m, PRI, 0xC6), 0x51, "block size must be a power of two");
	outb(r->m, PRI + 2, 4);
	cr_assert_eq(ide_cmd(r->m, PRI, 0xC6), 0x50);
	unsigned before = r->log.raises[14];
	ide_lba28(r->m, PRI, 0, 20, 6);
	cr_assert_eq(ide_cmd(r->m, PRI, 0xC4), 0x58);
	uint8_t b[6 * 512];
	ide_read_data(r->m, PRI, b, 4 * 512);
	cr_assert_eq(inb(r->m, 0x3F6) & 0x88, 0x80, "one DRQ block is 4 sectors");
	ide_wait(r->m);
	cr_assert_eq(inb(r->m, PRI + 7), 0x58);
	ide_read_data(r->m, PRI, b + 4 * 512, 2 * 512);
	ide_wait(r->m);
	cr_assert_eq(inb(r->m, PRI + 7), 0x50, "the last, partial block had 2 sectors");
	cr_assert_eq(r->log.raises[14] - before, 2);
	check_pattern(b, 20 * 512, sizeof(b));
	uint16_t w[256];
	identify(r->m, w);
	cr_assert_eq(w[59], 0x0104);
	rig_free(r);
}

Test(ide, write_multiple)
{
	struct rig *r = rig_disk(MIB, 0, MIB, false);
	outb(r->m, PRI + 2, 2);
	cr_assert_eq(ide_cmd(r->m, PRI, 0xC6), 0x50);
	uint8_t b[4 * 512];
	for (unsigned i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(i * 3);
	ide_lba28(r->m, PRI, 0, 40, 4);
	cr_assert_eq(ide_cmd(r->m, PRI, 0xC5), 0x58);
	ide_write_data(r->m, PRI, b, 1024);
	ide_wait(r->m);
	cr_assert_eq(inb(r->m, PRI + 7), 0x58);
	ide_write_data(r->m, PRI, b + 1024, 1024);
	ide_wait(r->m);
	cr_assert_eq(inb(r->m, PRI + 7), 0x50);
	cr_assert_arr_eq(r->md[0].data + 40 * 512, b, sizeof(b));
	rig_free(r);
}

/* BAR4 at 0xC000 with I/O decoding and bus mastering on. */
#define BM 0xC000
static void bm_setup(struct machine *m, paddr_t prd, const uint32_t *ent, unsigned n)
{
	cfg_write(m, 0x09, 0x20, BM | 1, 4);
	cfg_write(m, 0x09, 0x04, 0x0005, 2);
	for (unsigned i = 0; i < n; i++) {
		uint8_t e[8];
		for (unsigned b = 0; b < 4; b++) {
			e[b] = (uint8_t)(ent[2 * i] >> (8 * b));
			e[4 + b] = (uint8_t)(ent[2 * i + 1] >> (8 * b));
		}
		memmap_write(machine_mem(m), prd + 8 * i, e, 8);
	}
	io_out(m, BM + 4, prd, 4);
	outb(m, BM + 2, 0x06); /* clear interrupt and error */
}

Test(ide, bus_master_dma_read_two_prd_entries)
{
	struct rig *r = rig_disk(MIB, 0, MIB, false);
	const uint32_t prd[] = { 0x10000, 1024, 0x23000, 0x80000000u | 1024 };
	bm_setup(r->m, 0x8000, prd, 2);
	cr_assert_eq(io_in(r->m, BM + 4, 4), 0x8000);
	ide_lba28(r->m, PRI, 0, 10, 4);
	outb(r->m, PRI + 7, 0xC8);
	ide_wait(r->m);
	cr_assert_eq(inb(r->m, BM + 2) & 0x07, 0, "nothing moves before START");
	outb(r->m, BM, 0x09); /* start, device to memory */
	cr_assert_eq(inb(r->m, BM + 2) & 0x01, 0x01, "active");
	ide_wait(r->m);
	cr_assert_eq(inb(r->m, BM + 2) & 0x07, 0x04, "interrupt, not active: PRD exactly consumed");
	cr_assert_eq(r->log.raises[14], 1);
	cr_assert_eq(inb(r->m, PRI + 7), 0x50);
	uint8_t b[2048];
	memmap_read(machine_mem(r->m), 0x10000, b, 1024);
	memmap_read(machine_mem(r->m), 0x23000, b + 1024, 1024);
	check_pattern(b, 10 * 512, 2048);
	cr_assert_eq(tm_peek8(r->m, 0x10400), 0, "first entry stops at its count");
	outb(r->m, BM, 0x00);
	outb(r->m, BM + 2, 0x04);
	cr_assert_eq(inb(r->m, BM + 2) & 0x04, 0, "interrupt bit is write-one-to-clear");
	rig_free(r);
}

Test(ide, bus_master_dma_write)
{
	struct rig *r = rig_disk(MIB, 0, MIB, false);
	uint8_t b[1536];
	for (unsigned i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(i ^ 0x3C);
	memmap_write(machine_mem(r->m), 0x30000, b, 512);
	memmap_write(machine_mem(r->m), 0x40000, b + 512, 1024);
	const uint32_t prd[] = { 0x30000, 512, 0x40000, 0x80000000u | 1024 };
	bm_setup(r->m, 0x9000, prd, 2);
	outb(r->m, BM, 0x01); /* start, memory to device */
	ide_lba28(r->m, PRI, 0, 50, 3);
	outb(r->m, PRI + 7, 0xCA);
	ide_wait(r->m);
	cr_assert_eq(inb(r->m, BM + 2) & 0x07, 0x04);
	cr_assert_eq(inb(r->m, PRI + 7), 0x50);
	cr_assert_arr_eq(r->md[0].data + 50 * 512, b, sizeof(b));
	rig_free(r);
}

Test(ide, dma_prd_larger_than_transfer_stays_active)
{
	struct rig *r = rig_disk(MIB, 0, MIB, false);
	const uint32_t prd[] = { 0x10000, 0x80000000u | 4096 };
	bm_setup(r->m, 0x8000, prd, 1);
	outb(r->m, BM, 0x09);
	ide_lba28(r->m, PRI, 0, 0, 1);
	outb(r->m, PRI + 7, 0xC8);
	ide_wait(r->m);
	cr_assert_eq(inb(r->m, BM + 2) & 0x07, 0x05, "SFF-8038i: interrupt with active still set");
	cr_assert_eq(inb(r->m, PRI + 7), 0x50);
	rig_free(r);
}

Test(ide, out_of_range_reports_idnf)
{
	struct rig *r = rig_disk(MIB, 0, MIB, false);
	ide_lba28(r->m, PRI, 0, 2047, 2);
	cr_assert_eq(ide_cmd(r->m, PRI, 0x20), 0x51, "DRDY DSC ERR, no DRQ");
	cr_assert_eq(inb(r->m, PRI + 1), ER_IDNF);
	cr_assert_eq(r->log.raises[14], 1);
	ide_lba28(r->m, PRI, 0, 2047, 1);
	cr_assert_eq(ide_cmd(r->m, PRI, 0x20), 0x58, "the last sector is fine");
	rig_free(r);
}

Test(ide, read_only_image_refuses_writes)
{
	struct rig *r = rig_disk(MIB, 0, MIB, true);
	ide_lba28(r->m, PRI, 0, 3, 1);
	cr_assert_eq(ide_cmd(r->m, PRI, 0x30), 0x51, "aborted before any data phase");
	cr_assert_eq(inb(r->m, PRI + 1), ER_ABRT);
	io_out(r->m, PRI, 0xFFFF, 2);
	ide_lba28(r->m, PRI, 0, 3, 1);
	cr_assert_eq(ide_cmd(r->m, PRI, 0xCA), 0x51, "WRITE DMA too");
	cr_assert_eq(r->md[0].writes, 0);
	check_pattern(r->md[0].data, 0, 8 * 512);
	rig_free(r);
}

Test(ide, backend_errors_are_guest_visible)
{
	struct rig *r = rig_disk(MIB, 0, MIB, false);
	r->md[0].fail = true;
	ide_lba28(r->m, PRI, 0, 3, 1);
	cr_assert_eq(ide_cmd(r->m, PRI, 0x20), 0x51);
	cr_assert_eq(inb(r->m, PRI + 1), ER_UNC);
	ide_lba28(r->m, PRI, 0, 3, 1);
	cr_assert_eq(ide_cmd(r->m, PRI, 0x30), 0x58);
	uint8_t b[512] = { 0 };
	ide_write_data(r->m, PRI, b, 512);
	ide_wait(r->m);
	cr_assert_eq(inb(r->m, PRI + 7), 0x51);
	cr_assert_eq(inb(r->m, PRI + 1), ER_ABRT);
	cr_assert_eq(ide_cmd(r->m, PRI, 0xE7), 0x51, "a failed flush aborts");
	rig_free(r);
}

Test(ide, flush_cache_calls_backend)
{
	struct rig *r = rig_disk(MIB, 0, MIB, false);
	cr_assert_eq(ide_cmd(r->m, PRI, 0xE7), 0x50);
	cr_assert_eq(ide_cmd(r->m, PRI, 0xEA), 0x50);
	cr_assert_eq(r->md[0].flushes, 2);
	rig_free(r);
}

Test(ide, soft_reset_signature_disk)
{
	struct rig *r = rig_disk(MIB, 0, MIB, false);
	ide_lba28(r->m, PRI, 0, 0x123456, 7);
	outb(r->m, 0x3F6, 0x04);
	cr_assert_eq(inb(r->m, 0x3F6) & 0x80, 0x80, "BSY during reset");
	outb(r->m, 0x3F6, 0x00);
	ide_wait(r->m);
	cr_assert_eq(inb(r->m, PRI + 7), 0x50);
	cr_assert_eq(inb(r->m, PRI + 1), 0x01, "diagnostic code: device 0 passed");
	cr_assert_eq(inb(r->m, PRI + 2), 0x01);
	cr_assert_eq(inb(r->m, PRI + 3), 0x01);
	cr_assert_eq(inb(r->m, PRI + 4), 0x00);
	cr_assert_eq(inb(r->m, PRI + 5), 0x00);
	cr_assert_eq(r->log.raises[14], 0, "no interrupt after a soft reset");
	rig_free(r);
}

Test(ide, missing_devices)
{
	struct rig *r = rig_disk(MIB, 0, MIB, false);
	outb(r->m, PRI + 6, 0xB0);
	cr_assert_eq(inb(r->m, PRI + 7), 0x00, "absent device 1 reads status 00h");
	cr_assert_eq(inb(r->m, 0x3F6), 0x00);
	outb(r->m, PRI + 2, 0x55);
	cr_assert_eq(inb(r->m, PRI + 2), 0x55, "registers still latch writes");
	cr_assert_eq(ide_cmd(r->m, PRI, 0xEC), 0x00, "nobody executes the command");
	cr_assert_eq(r->log.raises[14], 0);
	cr_assert_eq(inb(r->m, SEC + 7), 0xFF, "empty channel floats");
	outb(r->m, SEC + 2, 0x55);
	cr_assert_eq(inb(r->m, SEC + 2), 0xFF);
	rig_free(r);
}

Test(ide, nien_masks_intrq)
{
	struct rig *r = rig_disk(MIB, 0, MIB, false);
	outb(r->m, 0x3F6, CTL_NIEN);
	cr_assert_eq(ide_cmd(r->m, PRI, 0xE7), 0x50);
	cr_assert_eq(r->log.raises[14], 0);
	outb(r->m, 0x3F6, 0);
	cr_assert_eq(ide_cmd(r->m, PRI, 0xE7), 0x50);
	cr_assert_eq(r->log.raises[14], 1);
	rig_free(r);
}

Test(ide, slave_disk_on_secondary_uses_irq15)
{
	struct rig *r = calloc(1, sizeof(*r));
	r->bd[3] = memdisk_new(&r->md[3], BLOCKDEV_DISK, MIB, 0, MIB, false);
	r->m = ide_machine(r->bd, &r->log);
	outb(r->m, SEC + 6, 0x00);
	cr_assert_eq(inb(r->m, SEC + 7), 0x00, "device 0 absent");
	ide_lba28(r->m, SEC, 1, 7, 1);
	cr_assert_eq(ide_cmd(r->m, SEC, 0x20), 0x58);
	cr_assert_eq(r->log.raises[15], 1);
	cr_assert_eq(r->log.raises[14], 0);
	uint8_t b[512];
	ide_read_data(r->m, SEC, b, 512);
	check_pattern(b, 7 * 512, 512);
	rig_free(r);
}

Test(ide, misc_commands)
{
	struct rig *r = rig_disk(MIB, 0, MIB, false);
	cr_assert_eq(ide_cmd(r->m, PRI, 0x10), 0x50, "RECALIBRATE");
	cr_assert_eq(ide_cmd(r->m, PRI, 0xE1), 0x50, "IDLE IMMEDIATE");
	outb(r->m, PRI + 2, 0);
	cr_assert_eq(ide_cmd(r->m, PRI, 0xE5), 0x50);
	cr_assert_eq(inb(r->m, PRI + 2), 0xFF, "CHECK POWER MODE: active");
	outb(r->m, PRI + 1, 0x03);
	outb(r->m, PRI + 2, 0x22);
	cr_assert_eq(ide_cmd(r->m, PRI, 0xEF), 0x50, "SET FEATURES: multiword DMA 2");
	uint16_t w[256];
	identify(r->m, w);
	cr_assert_eq(w[63], 0x0407);
	outb(r->m, PRI + 1, 0x03);
	outb(r->m, PRI + 2, 0x47);
	cr_assert_eq(ide_cmd(r->m, PRI, 0xEF), 0x51, "UDMA 7 does not exist");
	cr_assert_eq(ide_cmd(r->m, PRI, 0x08), 0x51, "DEVICE RESET is for packet devices");
	cr_assert_eq(ide_cmd(r->m, PRI, 0xFF), 0x51);
	cr_assert_eq(inb(r->m, PRI + 1), ER_ABRT);
	ide_lba28(r->m, PRI, 0, 2040, 8);
	cr_assert_eq(ide_cmd(r->m, PRI, 0x40), 0x50, "READ VERIFY in range");
	ide_lba28(r->m, PRI, 0, 2041, 8);
	cr_assert_eq(ide_cmd(r->m, PRI, 0x40), 0x51);
	cr_assert_eq(ide_cmd(r->m, PRI, 0x90), 0x50, "EXECUTE DEVICE DIAGNOSTIC");
	cr_assert_eq(inb(r->m, PRI + 1), 0x01);
	rig_free(r);
}

/* A guest that polls BSY sees the command finish after the latency: the
 * timer armed by its OUT must pull in the CPU's run budget (machine.c). */
Test(ide, polling_guest_sees_completion_in_virtual_time)
{
	struct rig *r = rig_disk(MIB, 0, MIB, false);
	struct cpu *c = machine_cpu(r->m);
	/* mov dx,1F7h; mov al,E7h; out dx,al; l: in al,dx; test al,80h; jnz l; hlt */
	tm_poke(r->m, 0x10000, "baf701 b0e7 ee ec a880 75fb f4");
	seg_load_real(c, S_CS, 0x1000);
	c->eip = 0;
	c->eflags &= ~(uint32_t)F_IF;
	uint64_t start = c->icount;
	cr_assert_eq(machine_run(r->m, start + 1000000), MACHINE_HALTED);
	cr_assert_lt(c->icount - start, 2000, "ran %llu instructions", (unsigned long long)(c->icount - start));
	cr_assert_eq(*cpu_reg8(c, 0), 0x50, "AL: status after BSY");
	cr_assert_eq(r->md[0].flushes, 1);
	rig_free(r);
}

/* Untrusted guest: random register traffic (commands, data, bus master with
 * random PRD tables) must neither crash nor wedge the controller; a soft
 * reset always brings the disk back. */
Test(ide, random_register_traffic_then_reset)
{
	struct rig *r = calloc(1, sizeof(*r));
	r->bd[0] = memdisk_new(&r->md[0], BLOCKDEV_DISK, MIB, 0, MIB, false);
	r->bd[2] = memdisk_new(&r->md[2], BLOCKDEV_CDROM, 64 * 2048, 0, 64 * 2048, true);
	r->m = ide_machine(r->bd, &r->log);
	cfg_write(r->m, 0x09, 0x20, BM | 1, 4);
	cfg_write(r->m, 0x09, 0x04, 0x0005, 2);
	static const uint16_t ports[] = { PRI, PRI + 1, PRI + 2, PRI + 3, PRI + 4, PRI + 5, PRI + 6, PRI + 7,
					  0x3F6, SEC, SEC + 2, SEC + 4, SEC + 5, SEC + 6, SEC + 7, 0x376,
					  BM, BM + 2, BM + 4, BM + 8, BM + 10, BM + 12 };
	uint32_t x = 12345;
	for (unsigned i = 0; i < 200000; i++) {
		x = x * 1103515245u + 12345u;
		uint16_t port = ports[(x >> 8) % ARRAY_SIZE(ports)];
		unsigned size = 1u << ((x >> 4) % 3);
		uint32_t v = x >> 5;
		if (x & 0x80000000u)
			io_out(r->m, port, v, size);
		else
			io_in(r->m, port, size);
		if ((x & 0x3F) == 0)
			bus_skip(r->m, 3000);
	}
	outb(r->m, 0x3F6, 0x04);
	outb(r->m, 0x3F6, 0x00);
	ide_wait(r->m);
	cr_assert_eq(inb(r->m, PRI + 7), 0x50);
	ide_lba28(r->m, PRI, 0, 1, 1);
	cr_assert_eq(ide_cmd(r->m, PRI, 0x20), 0x58);
	rig_free(r);
}
