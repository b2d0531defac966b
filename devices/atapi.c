/*
 * An ATAPI CD-ROM: the PACKET command feature set (ATA/ATAPI-6: PACKET,
 * IDENTIFY PACKET DEVICE, and the packet protocols with the
 * interrupt reason in the sector count register and the byte count limit in
 * the LBA mid/high registers) carrying SCSI/MMC commands (SPC-2 for TEST UNIT
 * READY, REQUEST SENSE, INQUIRY, MODE SENSE(10); MMC-3 for READ CAPACITY,
 * READ(10)/(12), READ TOC/PMA/ATIP formats 0 and 1, GET CONFIGURATION, GET
 * EVENT STATUS NOTIFICATION, PREVENT/ALLOW MEDIUM REMOVAL, START STOP UNIT),
 * on an ISO image of 2048-byte sectors.
 *
 * Unit attention: 6/29/00 after power-on with a disc, 6/28/00 after an
 * insert; it fails the next command other than INQUIRY, REQUEST SENSE, GET
 * CONFIGURATION and GET EVENT STATUS NOTIFICATION once, and REQUEST SENSE
 * then reports it. Deviations: a single data track (no audio, no READ CD);
 * MODE SENSE returns current values for every page control except saved
 * values; the tray is never reported open; GET CONFIGURATION lists only the
 * profile list and core features.
 */
#include <string.h>

#include "devices/ide.h"

#define CD_SECTOR 2048u

/* SCSI sense keys and additional sense codes */
#define SK_NOT_READY 0x2
#define SK_MEDIUM_ERROR 0x3
#define SK_ILLEGAL 0x5
#define SK_UNIT_ATTENTION 0x6

static uint32_t be16(const uint8_t *p) { return (uint32_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }
static void put_be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, v >> 16);
	put_be16(p + 2, v);
}

static bool has_medium(const struct ide_drive *d) { return d->bd.kind == BLOCKDEV_CDROM && d->nsectors; }

static void set_sense(struct ide_drive *d, uint8_t key, uint8_t asc, uint8_t ascq)
{
	d->sense_key = key;
	d->asc = asc;
	d->ascq = ascq;
}

void atapi_init_drive(struct ide_drive *d, bool power_on)
{
	d->nsectors = d->bd.kind == BLOCKDEV_CDROM ? d->bd.size / CD_SECTOR : 0;
	d->locked = false;
	d->in_packet = false;
	d->media_event = false;
	set_sense(d, 0, 0, 0);
	d->unit_attention = false;
	if (power_on && has_medium(d)) {
		set_sense(d, SK_UNIT_ATTENTION, 0x29, 0x00);
		d->unit_attention = true;
	}
}

void atapi_media_change(struct ide_drive *d, const struct blockdev *bd)
{
	memset(&d->bd, 0, sizeof(d->bd));
	d->nsectors = 0;
	d->locked = false;
	if (bd && bd->kind == BLOCKDEV_CDROM) {
		d->bd = *bd;
		d->nsectors = bd->size / CD_SECTOR;
		set_sense(d, SK_UNIT_ATTENTION, 0x28, 0x00);
		d->unit_attention = true;
		d->media_event = true;
	}
}

/* ---- phases ---- */

static void complete(struct ide_channel *ch, struct ide_drive *d)
{
	if (!d->unit_attention)
		set_sense(d, 0, 0, 0);
	d->xfer = XFER_NONE;
	d->status = ST_DRDY;
	d->nsect = IR_IO | IR_COD;
	ide_raise(ch, d);
}

static void check_condition(struct ide_channel *ch, struct ide_drive *d, uint8_t key, uint8_t asc,
			    uint8_t ascq)
{
	set_sense(d, key, asc, ascq);
	d->error = (uint8_t)(key << 4 | (key == SK_ILLEGAL ? ER_ABRT : 0));
	d->xfer = XFER_NONE;
	d->status = ST_DRDY | ST_ERR;
	d->nsect = IR_IO | IR_COD;
	ide_raise(ch, d);
}

/* Read the next sectors of a READ into buf; false after reporting an error. */
static bool refill(struct ide_channel *ch, struct ide_drive *d)
{
	uint32_t n = d->left < IDE_BUF_SIZE / CD_SECTOR ? d->left : IDE_BUF_SIZE / CD_SECTOR;
	if (!d->bd.read || d->bd.read(d->bd.opaque, d->lba * CD_SECTOR, d->buf, n * CD_SECTOR) < 0) {
		check_condition(ch, d, SK_MEDIUM_ERROR, 0x11, 0x00);
		return false;
	}
	d->lba += n;
	d->left -= n;
	d->pos = 0;
	d->len = n * CD_SECTOR;
	return true;
}

/* Offer the next DRQ chunk, at most the byte count limit (rounded down to
 * even, as a limit of FFFFh or 0 stands for FFFEh). */
static void send_chunk(struct ide_channel *ch, struct ide_drive *d)
{
	if (d->pos >= d->len && d->left && !refill(ch, d))
		return;
	if (d->pos >= d->len) {
		complete(ch, d);
		return;
	}
	uint32_t limit = d->byte_limit;
	if (limit == 0 || limit == 0xFFFF)
		limit = 0xFFFE;
	limit &= ~1u;
	if (limit == 0)
		limit = 2;
	uint32_t n = d->len - d->pos < limit ? d->len - d->pos : limit;
	d->chunk_end = d->pos + n;
	d->lbam = (uint8_t)n;
	d->lbah = (uint8_t)(n >> 8);
	d->nsect = IR_IO;
	d->status = ST_DRDY | ST_DRQ;
	d->xfer = XFER_PIO_IN;
	ide_raise(ch, d);
}

static void data_in(struct ide_channel *ch, struct ide_drive *d)
{
	if (d->packet_dma) {
		d->xfer = XFER_DMA_IN;
		d->status = ST_DRDY | ST_DRQ | ST_BSY;
		d->nsect = IR_IO;
		ide_dma_ready(ch);
		return;
	}
	send_chunk(ch, d);
}

/* A reply built in buf: send at most alloc bytes of its len. */
static void reply(struct ide_channel *ch, struct ide_drive *d, uint32_t len, uint32_t alloc)
{
	d->left = 0;
	d->pos = 0;
	d->len = len < alloc ? len : alloc;
	if (d->len == 0) {
		complete(ch, d);
		return;
	}
	data_in(ch, d);
}

int atapi_dma_fill(struct ide_channel *ch, struct ide_drive *d)
{
	if (d->pos < d->len)
		return (int)(d->len - d->pos);
	if (d->left == 0)
		return 0;
	return refill(ch, d) ? (int)d->len : -1;
}

/* ---- SCSI/MMC commands ---- */

static void scsi_request_sense(struct ide_channel *ch, struct ide_drive *d, const uint8_t *cdb)
{
	uint8_t *b = d->buf;
	memset(b, 0, 18);
	b[0] = 0x70;
	b[2] = d->sense_key;
	b[7] = 10;
	b[12] = d->asc;
	b[13] = d->ascq;
	d->unit_attention = false;
	reply(ch, d, 18, cdb[4]);
}

static void scsi_inquiry(struct ide_channel *ch, struct ide_drive *d, const uint8_t *cdb)
{
	uint8_t *b = d->buf;
	memset(b, 0, 36);
	b[0] = 0x05; /* CD/DVD device */
	b[1] = 0x80; /* removable */
	b[3] = 0x21; /* ATAPI version 2, response data format 1 */
	b[4] = 31;
	memcpy(&b[8], "POPEK   ", 8);
	memcpy(&b[16], "CD-ROM          ", 16);
	memcpy(&b[32], "1.0 ", 4);
	reply(ch, d, 36, be16(&cdb[3]));
}

static void scsi_read_capacity(struct ide_channel *ch, struct ide_drive *d)
{
	put_be32(&d->buf[0], (uint32_t)(d->nsectors - 1));
	put_be32(&d->buf[4], CD_SECTOR);
	reply(ch, d, 8, 8);
}

static void scsi_read(struct ide_channel *ch, struct ide_drive *d, const uint8_t *cdb)
{
	uint64_t lba = be32(&cdb[2]);
	uint32_t n = cdb[0] == 0x28 ? be16(&cdb[7]) : be32(&cdb[6]);
	if (lba + n > d->nsectors) {
		check_condition(ch, d, SK_ILLEGAL, 0x21, 0x00);
		return;
	}
	d->lba = lba;
	d->left = n;
	d->pos = d->len = 0;
	if (n == 0)
		complete(ch, d);
	else
		data_in(ch, d);
}

/* One TOC address: LBA, or MSF with the 2-second lead-in offset. */
static void toc_addr(uint8_t *p, uint32_t lba, bool msf)
{
	if (!msf) {
		put_be32(p, lba);
		return;
	}
	lba += 150;
	p[0] = 0;
	p[1] = (uint8_t)(lba / (75 * 60));
	p[2] = (uint8_t)(lba / 75 % 60);
	p[3] = (uint8_t)(lba % 75);
}

static void scsi_read_toc(struct ide_channel *ch, struct ide_drive *d, const uint8_t *cdb)
{
	bool msf = cdb[1] & 2;
	unsigned format = cdb[2] & 0x0F, track = cdb[6];
	uint8_t *b = d->buf;
	uint32_t len = 4;
	memset(b, 0, 32);
	b[2] = 1;
	b[3] = 1;
	if (format == 0) {
		if (track > 1 && track != 0xAA) {
			check_condition(ch, d, SK_ILLEGAL, 0x24, 0x00);
			return;
		}
		if (track <= 1) {
			b[len + 1] = 0x14; /* ADR 1, data track */
			b[len + 2] = 1;
			toc_addr(&b[len + 4], 0, msf);
			len += 8;
		}
		b[len + 1] = 0x14;
		b[len + 2] = 0xAA;
		toc_addr(&b[len + 4], (uint32_t)d->nsectors, msf);
		len += 8;
	} else if (format == 1) {
		b[len + 1] = 0x14;
		b[len + 2] = 1;
		toc_addr(&b[len + 4], 0, msf);
		len += 8;
	} else {
		check_condition(ch, d, SK_ILLEGAL, 0x24, 0x00);
		return;
	}
	put_be16(b, len - 2);
	reply(ch, d, len, be16(&cdb[7]));
}

static uint32_t mode_page(const struct ide_drive *d, unsigned page, uint8_t *p)
{
	switch (page) {
	case 0x01: /* read error recovery */
		memset(p, 0, 8);
		p[0] = 0x01;
		p[1] = 6;
		p[3] = 5; /* read retry count */
		return 8;
	case 0x2A: /* CD capabilities and mechanical status */
		memset(p, 0, 20);
		p[0] = 0x2A;
		p[1] = 18;
		p[4] = 0x71;
		p[5] = 0x00;
		p[6] = (uint8_t)(0x29 | (d->locked ? 0x02 : 0)); /* lock, eject, tray */
		p[7] = 0x03;
		put_be16(&p[8], 706); /* 4x, KB/s */
		put_be16(&p[10], 256);
		put_be16(&p[12], 512);
		put_be16(&p[14], 706);
		return 20;
	default: return 0;
	}
}

static void scsi_mode_sense(struct ide_channel *ch, struct ide_drive *d, const uint8_t *cdb)
{
	unsigned pc = cdb[2] >> 6, page = cdb[2] & 0x3F;
	uint8_t *b = d->buf;
	if (pc == 3) {
		check_condition(ch, d, SK_ILLEGAL, 0x39, 0x00);
		return;
	}
	memset(b, 0, 8);
	b[2] = has_medium(d) ? 0x01 : 0x70; /* 120 mm data disc, or none */
	uint32_t len = 8;
	if (page == 0x3F) {
		len += mode_page(d, 0x01, &b[len]);
		len += mode_page(d, 0x2A, &b[len]);
	} else {
		uint32_t n = mode_page(d, page, &b[len]);
		if (n == 0) {
			check_condition(ch, d, SK_ILLEGAL, 0x24, 0x00);
			return;
		}
		len += n;
	}
	put_be16(b, len - 2);
	reply(ch, d, len, be16(&cdb[7]));
}

static void scsi_get_configuration(struct ide_channel *ch, struct ide_drive *d, const uint8_t *cdb)
{
	uint8_t *b = d->buf;
	bool m = has_medium(d);
	memset(b, 0, 24);
	put_be16(&b[6], m ? 0x0008 : 0); /* current profile: CD-ROM */
	/* feature 0000h: profile list with the CD-ROM profile */
	b[10] = 0x03;
	b[11] = 4;
	put_be16(&b[12], 0x0008);
	b[14] = m ? 1 : 0;
	/* feature 0001h: core, ATAPI physical interface */
	put_be16(&b[16], 0x0001);
	b[18] = 0x07;
	b[19] = 4;
	put_be32(&b[20], 2);
	put_be32(b, 24 - 4);
	reply(ch, d, 24, be16(&cdb[7]));
}

static void scsi_event_status(struct ide_channel *ch, struct ide_drive *d, const uint8_t *cdb)
{
	uint8_t *b = d->buf;
	if (!(cdb[1] & 1)) { /* only polled operation */
		check_condition(ch, d, SK_ILLEGAL, 0x24, 0x00);
		return;
	}
	memset(b, 0, 8);
	b[3] = 0x10; /* supported: media class */
	uint32_t len = 4;
	if (cdb[4] & 0x10) {
		b[2] = 0x04;
		b[4] = d->media_event ? 0x02 : 0x00; /* new media */
		b[5] = has_medium(d) ? 0x02 : 0x00;
		d->media_event = false;
		len = 8;
	} else {
		b[2] = 0x80; /* no event available */
	}
	put_be16(b, len - 2);
	reply(ch, d, len, be16(&cdb[7]));
}

static void scsi_start_stop(struct ide_channel *ch, struct ide_drive *d, const uint8_t *cdb)
{
	bool loej = cdb[4] & 2, start = cdb[4] & 1;
	if (loej && !start) {
		if (d->locked) {
			check_condition(ch, d, SK_ILLEGAL, 0x53, 0x02);
			return;
		}
		atapi_media_change(d, NULL);
	}
	complete(ch, d);
}

static bool needs_medium(uint8_t op)
{
	return op == 0x00 || op == 0x25 || op == 0x28 || op == 0xA8 || op == 0x43 || op == 0x2B;
}

static bool passes_unit_attention(uint8_t op)
{
	return op == 0x03 || op == 0x12 || op == 0x46 || op == 0x4A;
}

static void scsi_command(struct ide_channel *ch, struct ide_drive *d)
{
	const uint8_t *cdb = d->packet;
	uint8_t op = cdb[0];
	if (d->unit_attention && !passes_unit_attention(op)) {
		d->unit_attention = false;
		check_condition(ch, d, d->sense_key, d->asc, d->ascq);
		return;
	}
	if (needs_medium(op) && !has_medium(d)) {
		check_condition(ch, d, SK_NOT_READY, 0x3A, 0x00);
		return;
	}
	switch (op) {
	case 0x00: complete(ch, d); break;
	case 0x03: scsi_request_sense(ch, d, cdb); break;
	case 0x12: scsi_inquiry(ch, d, cdb); break;
	case 0x1B: scsi_start_stop(ch, d, cdb); break;
	case 0x1E: d->locked = cdb[4] & 1; complete(ch, d); break;
	case 0x25: scsi_read_capacity(ch, d); break;
	case 0x28: case 0xA8: scsi_read(ch, d, cdb); break;
	case 0x2B: case 0xBB: complete(ch, d); break; /* SEEK, SET CD SPEED */
	case 0x43: scsi_read_toc(ch, d, cdb); break;
	case 0x46: scsi_get_configuration(ch, d, cdb); break;
	case 0x4A: scsi_event_status(ch, d, cdb); break;
	case 0x5A: scsi_mode_sense(ch, d, cdb); break;
	default: check_condition(ch, d, SK_ILLEGAL, 0x20, 0x00); break;
	}
}

void atapi_pio_done(struct ide_channel *ch, struct ide_drive *d)
{
	if (d->in_packet) {
		d->in_packet = false;
		memcpy(d->packet, d->buf, sizeof(d->packet));
		scsi_command(ch, d);
		return;
	}
	send_chunk(ch, d);
}

/* ---- the ATA commands a packet device takes ---- */

static void cmd_packet(struct ide_drive *d)
{
	d->packet_dma = d->feature & 1;
	d->byte_limit = (uint16_t)(d->lbam | d->lbah << 8);
	d->in_packet = true;
	d->pos = 0;
	d->len = d->chunk_end = sizeof(d->packet);
	d->nsect = IR_COD;
	d->status = ST_DRDY | ST_DRQ;
	d->xfer = XFER_PIO_OUT;
}

static void cmd_identify_packet(struct ide_channel *ch, struct ide_drive *d)
{
	uint16_t w[256];
	memset(w, 0, sizeof(w));
	w[0] = 0x85C0; /* ATAPI, CD-ROM, removable, 50 us DRQ, 12-byte packets */
	ata_identify_common(d, w);
	ide_put_string(&w[27], "POPEK CD-ROM", 20);
	w[49] = 0x0B00; /* IORDY, LBA, DMA */
	w[53] = 0x0006;
	w[82] = 0x4010;  /* NOP, PACKET */
	w[83] = 0x4000;
	w[84] = 0x4000;
	w[85] = 0x4010;
	w[87] = 0x4000;
	ata_identify_send(ch, d, w);
	d->status = ST_DRDY | ST_DRQ;
}

void atapi_command(struct ide_channel *ch, struct ide_drive *d)
{
	switch (d->cmd) {
	case 0xA0: cmd_packet(d); break;
	case 0xA1: cmd_identify_packet(ch, d); break;
	case 0x08: /* DEVICE RESET: no interrupt */
		ide_signature(d);
		d->error = 1;
		d->status = 0;
		d->xfer = XFER_NONE;
		d->in_packet = false;
		break;
	case 0xEF: ata_set_features(ch, d); break;
	case 0xE5: case 0x98:
		d->nsect = 0xFF;
		d->status = ST_DRDY;
		ide_raise(ch, d);
		break;
	case 0xE0: case 0xE1: case 0xE2: case 0xE3: case 0xE6:
		d->status = ST_DRDY;
		ide_raise(ch, d);
		break;
	case 0xEC: { /* IDENTIFY DEVICE: abort with the packet signature */
		uint8_t dev = d->device;
		ide_abort(ch, d);
		ide_signature(d);
		d->device = dev;
		break;
	}
	default: ide_abort(ch, d); break;
	}
}
