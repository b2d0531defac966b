/* ATAPI CD-ROM through the ports: PACKET protocol (ATA/ATAPI-6 9.8, interrupt
 * reason and byte count registers), IDENTIFY PACKET DEVICE, and the SPC/MMC
 * commands with their sense data. */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "devices/ide.h"
#include "tests/ide_util.h"
#include "tests/tm.h"

#define CD_SECTORS 300u

struct rig {
	struct machine *m;
	struct irq_log log;
	struct memdisk md;
	struct blockdev bd[4];
};

/* A CD-ROM as secondary master, with a disc of CD_SECTORS unless empty. */
static struct rig *rig_cd(bool disc)
{
	struct rig *r = calloc(1, sizeof(*r));
	r->bd[2] = memdisk_new(&r->md, BLOCKDEV_CDROM, disc ? CD_SECTORS * 2048 : 0, 0,
			       disc ? CD_SECTORS * 2048 : 0, true);
	r->m = ide_machine(r->bd, &r->log);
	return r;
}

static void rig_free(struct rig *r)
{
	machine_free(r->m);
	memdisk_free(&r->md);
	free(r);
}

struct reply {
	uint8_t status;  /* at the end */
	uint8_t error;
	uint32_t len;    /* bytes moved */
	unsigned chunks; /* DRQ data phases */
	uint32_t chunk[8];
	uint8_t data[32768];
};

/* Run one packet command with the byte count limit; PIO only. */
static void packet(struct machine *m, const uint8_t *cdb, uint16_t limit, struct reply *rep)
{
	memset(rep, 0, sizeof(*rep));
	outb(m, SEC + 1, 0);
	outb(m, SEC + 4, (uint8_t)limit);
	outb(m, SEC + 5, (uint8_t)(limit >> 8));
	uint8_t st = ide_cmd(m, SEC, 0xA0);
	cr_assert_eq(st & 0x89, 0x08, "DRQ for the packet");
	cr_assert_eq(inb(m, SEC + 2) & 3, IR_COD, "interrupt reason: command packet");
	uint8_t pkt[12] = { 0 };
	memcpy(pkt, cdb, 12);
	ide_write_data(m, SEC, pkt, 12);
	ide_wait(m);
	for (;;) {
		st = inb(m, SEC + 7);
		if (!(st & 0x08))
			break;
		cr_assert_eq(inb(m, SEC + 2) & 3, IR_IO, "interrupt reason: data to host");
		uint32_t n = inb(m, SEC + 4) | inb(m, SEC + 5) << 8;
		cr_assert(rep->len + n <= sizeof(rep->data));
		if (rep->chunks < 8)
			rep->chunk[rep->chunks] = n;
		rep->chunks++;
		ide_read_data(m, SEC, rep->data + rep->len, n);
		rep->len += n;
		ide_wait(m);
	}
	cr_assert_eq(inb(m, SEC + 2) & 3, IR_IO | IR_COD, "interrupt reason: status");
	rep->status = st;
	rep->error = inb(m, SEC + 1);
}

static void sense(struct machine *m, uint8_t *key, uint8_t *asc, uint8_t *ascq)
{
	const uint8_t cdb[12] = { 0x03, 0, 0, 0, 18 };
	struct reply rep;
	packet(m, cdb, 0xFFFE, &rep);
	cr_assert_eq(rep.status, 0x40);
	cr_assert_eq(rep.len, 18);
	cr_assert_eq(rep.data[0], 0x70, "current error, fixed format");
	*key = rep.data[2] & 15;
	*asc = rep.data[12];
	*ascq = rep.data[13];
}

static const uint8_t tur[12] = { 0x00 };

/* Consume the power-on unit attention. */
static void clear_ua(struct machine *m)
{
	struct reply rep;
	packet(m, tur, 0, &rep);
	uint8_t k, a, q;
	sense(m, &k, &a, &q);
}

Test(atapi, signature_after_power_on_and_soft_reset)
{
	struct rig *r = rig_cd(true);
	cr_assert_eq(inb(r->m, SEC + 4), 0x14);
	cr_assert_eq(inb(r->m, SEC + 5), 0xEB);
	cr_assert_eq(inb(r->m, SEC + 7), 0x00, "packet device: DRDY clear after reset");
	outb(r->m, SEC + 4, 0);
	outb(r->m, SEC + 5, 0);
	outb(r->m, 0x376, 0x04);
	outb(r->m, 0x376, 0x00);
	ide_wait(r->m);
	cr_assert_eq(inb(r->m, SEC + 2), 0x01);
	cr_assert_eq(inb(r->m, SEC + 3), 0x01);
	cr_assert_eq(inb(r->m, SEC + 4), 0x14);
	cr_assert_eq(inb(r->m, SEC + 5), 0xEB);
	cr_assert_eq(inb(r->m, SEC + 1), 0x01);
	cr_assert_eq(inb(r->m, 0x376), 0x00);
	rig_free(r);
}

Test(atapi, identify_device_aborts_with_signature)
{
	struct rig *r = rig_cd(true);
	outb(r->m, SEC + 4, 0);
	outb(r->m, SEC + 5, 0);
	cr_assert_eq(ide_cmd(r->m, SEC, 0xEC), 0x41);
	cr_assert_eq(inb(r->m, SEC + 1), ER_ABRT);
	cr_assert_eq(inb(r->m, SEC + 4), 0x14);
	cr_assert_eq(inb(r->m, SEC + 5), 0xEB);
	cr_assert_eq(r->log.raises[15], 1);
	rig_free(r);
}

Test(atapi, identify_packet_device)
{
	struct rig *r = rig_cd(true);
	cr_assert_eq(ide_cmd(r->m, SEC, 0xA1), 0x48);
	uint8_t b[512];
	ide_read_data(r->m, SEC, b, 512);
	uint16_t w[256];
	for (unsigned i = 0; i < 256; i++)
		w[i] = (uint16_t)(b[2 * i] | b[2 * i + 1] << 8);
	cr_assert_eq(w[0] >> 14, 2, "ATAPI device");
	cr_assert_eq(w[0] >> 8 & 0x1F, 0x05, "CD-ROM device type");
	cr_assert_eq(w[0] & 0x80, 0x80, "removable");
	cr_assert_eq(w[0] & 3, 0, "12-byte packets");
	cr_assert_eq(w[49] & 0x0300, 0x0300);
	cr_assert_eq(w[27], 'P' << 8 | 'O');
	cr_assert_eq(w[82] & 0x0010, 0x0010, "PACKET feature set");
	ide_wait(r->m);
	cr_assert_eq(inb(r->m, SEC + 7) & 0x88, 0x00);
	rig_free(r);
}

Test(atapi, unit_attention_after_power_on_then_ready)
{
	struct rig *r = rig_cd(true);
	struct reply rep;
	const uint8_t inq[12] = { 0x12, 0, 0, 0, 36 };
	packet(r->m, inq, 0xFFFE, &rep);
	cr_assert_eq(rep.status, 0x40, "INQUIRY passes a unit attention");
	packet(r->m, tur, 0, &rep);
	cr_assert_eq(rep.status, 0x41, "CHECK CONDITION");
	cr_assert_eq(rep.error >> 4, 0x6, "sense key in the error register");
	uint8_t k, a, q;
	sense(r->m, &k, &a, &q);
	cr_assert_eq(k, 0x6);
	cr_assert_eq(a, 0x29, "power on or reset occurred");
	packet(r->m, tur, 0, &rep);
	cr_assert_eq(rep.status, 0x40);
	sense(r->m, &k, &a, &q);
	cr_assert_eq(k, 0, "NO SENSE");
	rig_free(r);
}

Test(atapi, media_change_raises_unit_attention)
{
	struct rig *r = rig_cd(true);
	clear_ua(r->m);
	struct memdisk md2;
	struct blockdev bd = memdisk_new(&md2, BLOCKDEV_CDROM, 10 * 2048, 0, 10 * 2048, true);
	cr_assert_eq(ide_cdrom_change(r->m, DRIVE_HDC, &bd), 0);
	cr_assert_eq(ide_cdrom_change(r->m, DRIVE_HDA, &bd), -1, "no CD-ROM there");
	struct reply rep;
	const uint8_t cap[12] = { 0x25 };
	packet(r->m, cap, 0xFFFE, &rep);
	cr_assert_eq(rep.status, 0x41);
	uint8_t k, a, q;
	sense(r->m, &k, &a, &q);
	cr_assert_eq(k, 0x6);
	cr_assert_eq(a, 0x28, "not ready to ready change, medium may have changed");
	cr_assert_eq(q, 0x00);
	packet(r->m, cap, 0xFFFE, &rep);
	cr_assert_eq(rep.status, 0x40);
	cr_assert_eq(rep.data[3], 9, "last LBA of the new disc");
	const uint8_t gesn[12] = { 0x4A, 1, 0, 0, 0x10, 0, 0, 0, 8 };
	packet(r->m, gesn, 0xFFFE, &rep);
	cr_assert_eq(rep.len, 8);
	cr_assert_eq(rep.data[2], 0x04, "media class");
	cr_assert_eq(rep.data[4], 0x02, "new media event");
	cr_assert_eq(rep.data[5] & 2, 2, "media present");
	packet(r->m, gesn, 0xFFFE, &rep);
	cr_assert_eq(rep.data[4], 0x00, "the event was reported once");
	memdisk_free(&md2);
	rig_free(r);
}

Test(atapi, inquiry)
{
	struct rig *r = rig_cd(true);
	struct reply rep;
	const uint8_t inq[12] = { 0x12, 0, 0, 0, 96 };
	packet(r->m, inq, 0xFFFE, &rep);
	cr_assert_eq(rep.len, 36);
	cr_assert_eq(rep.data[0], 0x05, "peripheral device type: CD/DVD");
	cr_assert_eq(rep.data[1], 0x80, "removable medium");
	cr_assert_eq(rep.data[4], 31, "additional length");
	cr_assert_eq(memcmp(&rep.data[8], "POPEK   ", 8), 0);
	const uint8_t shortinq[12] = { 0x12, 0, 0, 0, 5 };
	packet(r->m, shortinq, 0xFFFE, &rep);
	cr_assert_eq(rep.len, 5, "allocation length truncates");
	rig_free(r);
}

Test(atapi, read_capacity)
{
	struct rig *r = rig_cd(true);
	clear_ua(r->m);
	struct reply rep;
	const uint8_t cap[12] = { 0x25 };
	packet(r->m, cap, 0xFFFE, &rep);
	cr_assert_eq(rep.len, 8);
	const uint8_t want[8] = { 0, 0, (CD_SECTORS - 1) >> 8, (CD_SECTORS - 1) & 0xFF, 0, 0, 0x08, 0x00 };
	cr_assert_arr_eq(rep.data, want, 8);
	rig_free(r);
}

static void check_cd(const uint8_t *b, uint32_t lba, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		cr_assert_eq(b[i], memdisk_byte((uint64_t)lba * 2048 + i), "byte %u", i);
}

Test(atapi, read10_in_byte_count_limited_chunks)
{
	struct rig *r = rig_cd(true);
	clear_ua(r->m);
	struct reply rep;
	const uint8_t rd[12] = { 0x28, 0, 0, 0, 0, 7, 0, 0, 3 };
	unsigned irqs = r->log.raises[15];
	packet(r->m, rd, 2048, &rep);
	cr_assert_eq(rep.status, 0x40);
	cr_assert_eq(rep.len, 3 * 2048);
	cr_assert_eq(rep.chunks, 3);
	cr_assert_eq(rep.chunk[0], 2048);
	cr_assert_eq(r->log.raises[15] - irqs, 4, "one per data phase and one for status");
	check_cd(rep.data, 7, 3 * 2048);
	packet(r->m, rd, 1001, &rep);
	cr_assert_eq(rep.chunk[0], 1000, "an odd limit is rounded down to even");
	cr_assert_eq(rep.len, 3 * 2048);
	check_cd(rep.data, 7, 3 * 2048);
	const uint8_t rd12[12] = { 0x28, 0, 0, 0, 0, 40, 0, 0, 12 };
	packet(r->m, rd12, 0, &rep);
	cr_assert_eq(rep.len, 12 * 2048, "a limit of 0 stands for FFFEh: more than the request");
	cr_assert_leq(rep.chunks, 3, "large chunks, not a tiny limit");
	for (unsigned i = 0; i < rep.chunks && i < 8; i++)
		cr_assert_leq(rep.chunk[i], 0xFFFE);
	check_cd(rep.data, 40, 12 * 2048);
	rig_free(r);
}

Test(atapi, read12_and_range_check)
{
	struct rig *r = rig_cd(true);
	clear_ua(r->m);
	struct reply rep;
	const uint8_t rd[12] = { 0xA8, 0, 0, 0, 0x01, 0x2B, 0, 0, 0, 1 };
	packet(r->m, rd, 0xFFFE, &rep);
	cr_assert_eq(rep.len, 2048);
	check_cd(rep.data, 299, 2048);
	const uint8_t bad[12] = { 0x28, 0, 0, 0, 0x01, 0x2B, 0, 0, 2 };
	packet(r->m, bad, 0xFFFE, &rep);
	cr_assert_eq(rep.status, 0x41);
	cr_assert_eq(rep.error >> 4, 0x5);
	uint8_t k, a, q;
	sense(r->m, &k, &a, &q);
	cr_assert_eq(k, 0x5);
	cr_assert_eq(a, 0x21, "logical block address out of range");
	rig_free(r);
}

Test(atapi, read_toc_formats)
{
	struct rig *r = rig_cd(true);
	clear_ua(r->m);
	struct reply rep;
	const uint8_t toc[12] = { 0x43, 0, 0, 0, 0, 0, 0, 0, 0xFF };
	packet(r->m, toc, 0xFFFE, &rep);
	const uint8_t want[20] = { 0, 18, 1, 1, 0, 0x14, 1, 0, 0, 0, 0, 0,
				   0, 0x14, 0xAA, 0, 0, 0, CD_SECTORS >> 8, CD_SECTORS & 0xFF };
	cr_assert_eq(rep.len, 20);
	cr_assert_arr_eq(rep.data, want, 20);
	const uint8_t tocmsf[12] = { 0x43, 2, 0, 0, 0, 0, 0, 0, 0xFF };
	packet(r->m, tocmsf, 0xFFFE, &rep);
	cr_assert_eq(rep.data[9], 0, "track 1 at 00:02:00");
	cr_assert_eq(rep.data[10], 2);
	cr_assert_eq(rep.data[11], 0);
	/* lead-out at LBA 300 + 150 = 450 frames = 00:06:00 */
	cr_assert_eq(rep.data[17], 0);
	cr_assert_eq(rep.data[18], 6);
	cr_assert_eq(rep.data[19], 0);
	const uint8_t sess[12] = { 0x43, 0, 1, 0, 0, 0, 0, 0, 0xFF };
	packet(r->m, sess, 0xFFFE, &rep);
	const uint8_t wsess[12] = { 0, 10, 1, 1, 0, 0x14, 1, 0, 0, 0, 0, 0 };
	cr_assert_eq(rep.len, 12);
	cr_assert_arr_eq(rep.data, wsess, 12);
	rig_free(r);
}

Test(atapi, mode_sense_capabilities_page)
{
	struct rig *r = rig_cd(true);
	clear_ua(r->m);
	struct reply rep;
	const uint8_t ms[12] = { 0x5A, 0, 0x2A, 0, 0, 0, 0, 0, 0xFF };
	packet(r->m, ms, 0xFFFE, &rep);
	cr_assert_eq(rep.status, 0x40);
	cr_assert_eq(rep.len, 28);
	cr_assert_eq(rep.data[1], 26, "mode data length excludes itself");
	cr_assert_eq(rep.data[8], 0x2A);
	cr_assert_eq(rep.data[9], 18);
	const uint8_t bad[12] = { 0x5A, 0, 0x05, 0, 0, 0, 0, 0, 0xFF };
	packet(r->m, bad, 0xFFFE, &rep);
	cr_assert_eq(rep.status, 0x41);
	rig_free(r);
}

Test(atapi, no_disc_is_not_ready)
{
	struct rig *r = rig_cd(false);
	struct reply rep;
	packet(r->m, tur, 0, &rep);
	cr_assert_eq(rep.status, 0x41);
	cr_assert_eq(rep.error >> 4, 0x2);
	uint8_t k, a, q;
	sense(r->m, &k, &a, &q);
	cr_assert_eq(k, 0x2);
	cr_assert_eq(a, 0x3A, "medium not present");
	rig_free(r);
}

Test(atapi, prevent_removal_blocks_eject)
{
	struct rig *r = rig_cd(true);
	clear_ua(r->m);
	struct reply rep;
	const uint8_t lock[12] = { 0x1E, 0, 0, 0, 1 };
	const uint8_t eject[12] = { 0x1B, 0, 0, 0, 2 };
	packet(r->m, lock, 0, &rep);
	cr_assert_eq(rep.status, 0x40);
	packet(r->m, eject, 0, &rep);
	cr_assert_eq(rep.status, 0x41);
	const uint8_t unlock[12] = { 0x1E };
	packet(r->m, unlock, 0, &rep);
	packet(r->m, eject, 0, &rep);
	cr_assert_eq(rep.status, 0x40);
	packet(r->m, tur, 0, &rep);
	cr_assert_eq(rep.status, 0x41, "no disc after the eject");
	rig_free(r);
}

Test(atapi, unknown_opcode_is_illegal_request)
{
	struct rig *r = rig_cd(true);
	clear_ua(r->m);
	struct reply rep;
	const uint8_t op[12] = { 0xFF };
	packet(r->m, op, 0, &rep);
	cr_assert_eq(rep.status, 0x41);
	cr_assert_eq(rep.error, 0x54, "ILLEGAL REQUEST, ABRT");
	uint8_t k, a, q;
	sense(r->m, &k, &a, &q);
	cr_assert_eq(a, 0x20, "invalid command operation code");
	rig_free(r);
}

Test(atapi, get_configuration_profile)
{
	struct rig *r = rig_cd(true);
	struct reply rep;
	const uint8_t gc[12] = { 0x46, 0, 0, 0, 0, 0, 0, 0, 0xFF };
	packet(r->m, gc, 0xFFFE, &rep);
	cr_assert_eq(rep.status, 0x40);
	cr_assert_eq(rep.data[6] << 8 | rep.data[7], 0x0008, "current profile: CD-ROM");
	rig_free(r);
}

Test(atapi, dma_read)
{
	struct rig *r = rig_cd(true);
	clear_ua(r->m);
	cfg_write(r->m, 0x09, 0x20, 0xC001, 4);
	cfg_write(r->m, 0x09, 0x04, 0x0005, 2);
	const uint8_t prd[16] = { 0x00, 0x00, 0x05, 0x00, 0x00, 0x08, 0, 0,
				  0x00, 0x00, 0x06, 0x00, 0x00, 0x08, 0, 0x80 };
	memmap_write(machine_mem(r->m), 0x7000, prd, 16);
	io_out(r->m, 0xC00C, 0x7000, 4);
	outb(r->m, 0xC008, 0x09);
	outb(r->m, SEC + 1, 1); /* DMA */
	cr_assert_eq(ide_cmd(r->m, SEC, 0xA0) & 0x88, 0x08);
	const uint8_t rd[12] = { 0x28, 0, 0, 0, 0, 20, 0, 0, 2 };
	ide_write_data(r->m, SEC, rd, 12);
	ide_wait(r->m);
	cr_assert_eq(inb(r->m, 0xC00A) & 7, 0x04);
	cr_assert_eq(inb(r->m, SEC + 7), 0x40);
	cr_assert_eq(inb(r->m, SEC + 2) & 3, 3);
	uint8_t b[4096];
	memmap_read(machine_mem(r->m), 0x50000, b, 2048);
	memmap_read(machine_mem(r->m), 0x60000, b + 2048, 2048);
	check_cd(b, 20, 4096);
	rig_free(r);
}
