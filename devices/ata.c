/*
 * The ATA command set of a hard disk behind the IDE controller
 * (ATA/ATAPI-6, T13 1410D: feature sets, command descriptions including
 * the IDENTIFY DEVICE word table; PIO data-in/out, DMA and non-data
 * protocols).
 *
 * Addressing: CHS through the current translation (default 16 heads, 63
 * sectors per track; INITIALIZE DEVICE PARAMETERS changes it), LBA28 and
 * LBA48. A range past the end reports IDNF; a backend read error reports
 * UNC; a failed write (or any write to a read-only image, refused before data
 * moves) reports ABRT. Deviations: no error LBA is written back to the task
 * file; READ VERIFY checks the range only; SET FEATURES accepts and ignores
 * cache settings; power modes are accepted and the drive stays active.
 */
#include <string.h>

#include "devices/ide.h"

#define SECTOR 512u

static bool cmd_is_ext(uint8_t c)
{
	return c == 0x24 || c == 0x25 || c == 0x29 || c == 0x34 || c == 0x35 || c == 0x39 ||
	       c == 0x42;
}

static void finish(struct ide_channel *ch, struct ide_drive *d)
{
	d->status = ST_DRDY | ST_DSC;
	d->xfer = XFER_NONE;
	ide_raise(ch, d);
}

static void fail(struct ide_channel *ch, struct ide_drive *d, uint8_t err)
{
	d->error = err;
	d->status = ST_DRDY | ST_DSC | ST_ERR;
	d->xfer = XFER_NONE;
	ide_raise(ch, d);
}

void ata_init_drive(struct ide_drive *d)
{
	d->nsectors = d->bd.size / SECTOR;
	d->heads = 16;
	d->spt = 63;
	uint64_t cyl = d->nsectors / (16 * 63);
	d->cyls = (uint16_t)(cyl > 16383 ? 16383 : cyl);
	d->cur_heads = d->heads;
	d->cur_spt = d->spt;
	d->mult = 0;
	d->xfer_mode = 0;
}

/* ---- addressing ---- */

/* The first sector of the command, or -1 for a CHS address outside the
 * current translation. */
static int64_t task_lba(const struct ide_drive *d, bool ext)
{
	if (ext)
		return (int64_t)(d->lbal | d->lbam << 8 | d->lbah << 16 | (uint64_t)d->hob_lbal << 24 |
				 (uint64_t)d->hob_lbam << 32 | (uint64_t)d->hob_lbah << 40);
	if (d->device & DEV_LBA)
		return d->lbal | d->lbam << 8 | d->lbah << 16 | (int64_t)(d->device & 15) << 24;
	unsigned cyl = d->lbam | d->lbah << 8, head = d->device & 15, sec = d->lbal;
	if (sec == 0 || sec > d->cur_spt || head >= d->cur_heads)
		return -1;
	return ((int64_t)cyl * d->cur_heads + head) * d->cur_spt + sec - 1;
}

static uint32_t task_count(const struct ide_drive *d, bool ext)
{
	if (ext) {
		uint32_t n = d->nsect | d->hob_nsect << 8;
		return n ? n : 65536;
	}
	return d->nsect ? d->nsect : 256;
}

/* Load lba/left from the task file; false (IDNF reported) when out of range. */
static bool setup_range(struct ide_channel *ch, struct ide_drive *d)
{
	bool ext = cmd_is_ext(d->cmd);
	int64_t lba = task_lba(d, ext);
	uint32_t n = task_count(d, ext);
	if (lba < 0 || (uint64_t)lba + n > d->nsectors) {
		fail(ch, d, ER_IDNF);
		return false;
	}
	d->lba = (uint64_t)lba;
	d->left = n;
	d->len = 0;
	d->pos = 0;
	return true;
}

static int disk_read(struct ide_drive *d, uint32_t n)
{
	if (!d->bd.read)
		return -1;
	return d->bd.read(d->bd.opaque, d->lba * SECTOR, d->buf, n * SECTOR);
}

static int disk_write(struct ide_drive *d, uint32_t n)
{
	if (d->bd.read_only || !d->bd.write)
		return -1;
	return d->bd.write(d->bd.opaque, d->lba * SECTOR, d->buf, n * SECTOR);
}

/* ---- PIO data-in and data-out ---- */

static void pio_read_block(struct ide_channel *ch, struct ide_drive *d)
{
	uint32_t n = d->left < d->block ? d->left : d->block;
	if (disk_read(d, n) < 0) {
		fail(ch, d, ER_UNC);
		return;
	}
	d->lba += n;
	d->left -= n;
	d->pos = 0;
	d->len = d->chunk_end = n * SECTOR;
	d->xfer = XFER_PIO_IN;
	d->status = ST_DRDY | ST_DSC | ST_DRQ;
	ide_raise(ch, d);
}

static void pio_write_block(struct ide_drive *d)
{
	uint32_t n = d->left < d->block ? d->left : d->block;
	d->pos = 0;
	d->len = d->chunk_end = n * SECTOR;
	d->xfer = XFER_PIO_OUT;
	d->status = ST_DRDY | ST_DSC | ST_DRQ;
}

static bool is_write(uint8_t c)
{
	return c == 0x30 || c == 0x31 || c == 0x34 || c == 0x39 || c == 0xC5;
}

void ata_pio_done(struct ide_channel *ch, struct ide_drive *d)
{
	if (!is_write(d->cmd)) {
		if (d->left == 0)
			d->status = ST_DRDY | ST_DSC;
		else
			pio_read_block(ch, d);
		return;
	}
	uint32_t n = d->len / SECTOR;
	if (disk_write(d, n) < 0) {
		fail(ch, d, ER_ABRT);
		return;
	}
	d->lba += n;
	d->left -= n;
	if (d->left == 0) {
		finish(ch, d);
		return;
	}
	pio_write_block(d);
	ide_raise(ch, d);
}

static void cmd_rw_pio(struct ide_channel *ch, struct ide_drive *d, bool multiple)
{
	if (multiple && d->mult == 0) {
		ide_abort(ch, d);
		return;
	}
	if (is_write(d->cmd) && d->bd.read_only) {
		ide_abort(ch, d);
		return;
	}
	if (!setup_range(ch, d))
		return;
	d->block = multiple ? d->mult : 1;
	if (is_write(d->cmd))
		pio_write_block(d);
	else
		pio_read_block(ch, d);
}

/* ---- DMA (the controller moves the data through ata_dma_fill/store) ---- */

static void cmd_dma(struct ide_channel *ch, struct ide_drive *d, bool write)
{
	if (write && d->bd.read_only) {
		ide_abort(ch, d);
		return;
	}
	if (!setup_range(ch, d))
		return;
	d->xfer = write ? XFER_DMA_OUT : XFER_DMA_IN;
	d->status = ST_DRDY | ST_DSC | ST_DRQ | ST_BSY;
}

int ata_dma_fill(struct ide_channel *ch, struct ide_drive *d)
{
	if (d->left == 0)
		return 0;
	uint32_t n = d->left < IDE_BUF_SIZE / SECTOR ? d->left : IDE_BUF_SIZE / SECTOR;
	if (disk_read(d, n) < 0) {
		fail(ch, d, ER_UNC);
		return -1;
	}
	d->lba += n;
	d->left -= n;
	d->pos = 0;
	d->len = n * SECTOR;
	return (int)d->len;
}

int ata_dma_store(struct ide_channel *ch, struct ide_drive *d, uint32_t len)
{
	uint32_t n = len / SECTOR;
	if (disk_write(d, n) < 0) {
		fail(ch, d, ER_ABRT);
		return -1;
	}
	d->lba += n;
	d->left -= n;
	return 0;
}

/* ---- IDENTIFY DEVICE ---- */

void ide_put_string(uint16_t *w, const char *s, unsigned words)
{
	size_t n = strlen(s);
	for (unsigned i = 0; i < words; i++) {
		uint8_t hi = 2 * i < n ? (uint8_t)s[2 * i] : ' ';
		uint8_t lo = 2 * i + 1 < n ? (uint8_t)s[2 * i + 1] : ' ';
		w[i] = (uint16_t)(hi << 8 | lo);
	}
}

/* Words shared by IDENTIFY DEVICE and IDENTIFY PACKET DEVICE: strings,
 * transfer modes, versions, and the integrity word. */
void ata_identify_common(struct ide_drive *d, uint16_t *w)
{
	char serial[21] = "POPEK0000000000000";
	serial[17] = (char)('0' + (d->slot & 7));
	ide_put_string(&w[10], serial, 10);
	ide_put_string(&w[23], "1.0", 4);
	w[51] = 0x0200; /* PIO mode 2 timing */
	unsigned mode = d->xfer_mode;
	w[62] = 0;
	w[63] = 0x0007 | ((mode & 0xF8) == 0x20 ? 0x100 << (mode & 7) : 0);
	w[64] = 0x0003; /* PIO modes 3 and 4 */
	w[65] = w[66] = w[67] = w[68] = 120;
	w[80] = 0x007E; /* ATA-1 to ATA-6 */
	w[88] = 0x003F | ((mode & 0xF8) == 0x40 ? 0x100 << (mode & 7) : 0);
}

static void put32w(uint16_t *w, uint32_t v)
{
	w[0] = (uint16_t)v;
	w[1] = (uint16_t)(v >> 16);
}

void ata_identify_send(struct ide_channel *ch, struct ide_drive *d, uint16_t *w)
{
	uint8_t sum = 0xA5;
	w[255] = 0xA5;
	for (unsigned i = 0; i < 256; i++) {
		if (i < 255)
			sum = (uint8_t)(sum + (w[i] & 0xFF) + (w[i] >> 8));
		d->buf[2 * i] = (uint8_t)w[i];
		d->buf[2 * i + 1] = (uint8_t)(w[i] >> 8);
	}
	d->buf[511] = (uint8_t)-sum;
	d->left = 0;
	d->pos = 0;
	d->len = d->chunk_end = SECTOR;
	d->xfer = XFER_PIO_IN;
	d->status = ST_DRDY | ST_DRQ | (d->kind == IDE_DISK ? ST_DSC : 0);
	ide_raise(ch, d);
}

static void cmd_identify(struct ide_channel *ch, struct ide_drive *d)
{
	uint16_t w[256];
	memset(w, 0, sizeof(w));
	w[0] = 0x0040; /* fixed device */
	w[1] = d->cyls;
	w[3] = d->heads;
	w[6] = d->spt;
	ata_identify_common(d, w);
	ide_put_string(&w[27], "POPEK HARDDISK", 20);
	w[47] = 0x8000 | IDE_MAX_MULT;
	w[49] = 0x0B00; /* IORDY, LBA, DMA */
	w[50] = 0x4000;
	w[53] = 0x0007; /* words 54-58, 64-70 and 88 are valid */
	uint32_t cap28 = d->nsectors > 0x0FFFFFFF ? 0x0FFFFFFF : (uint32_t)d->nsectors;
	uint64_t cur_cyl = d->nsectors / ((uint32_t)d->cur_heads * d->cur_spt);
	w[54] = (uint16_t)(cur_cyl > 65535 ? 65535 : cur_cyl);
	w[55] = d->cur_heads;
	w[56] = d->cur_spt;
	uint64_t cur_cap = (uint64_t)w[54] * w[55] * w[56];
	put32w(&w[57], cur_cap > cap28 ? cap28 : (uint32_t)cur_cap);
	w[59] = d->mult ? 0x100 | d->mult : 0;
	put32w(&w[60], cap28);
	w[82] = 0x4000;  /* NOP */
	w[83] = 0x7400;  /* FLUSH CACHE EXT, FLUSH CACHE, 48-bit addresses */
	w[84] = 0x4000;
	w[85] = 0x4000;
	w[86] = 0x3400;
	w[87] = 0x4000;
	put32w(&w[100], (uint32_t)d->nsectors);
	put32w(&w[102], (uint32_t)(d->nsectors >> 32));
	ata_identify_send(ch, d, w);
}

/* ---- non-data commands ---- */

static void cmd_set_multiple(struct ide_channel *ch, struct ide_drive *d)
{
	unsigned n = d->nsect;
	if (n > IDE_MAX_MULT || (n & (n - 1))) {
		ide_abort(ch, d);
		return;
	}
	d->mult = (uint8_t)n;
	finish(ch, d);
}

static void cmd_set_features(struct ide_channel *ch, struct ide_drive *d)
{
	switch (d->feature) {
	case 0x03: {
		unsigned v = d->nsect, mode = v & 7;
		bool ok = v <= 1 || ((v & 0xF8) == 0x08 && mode <= 4) ||
			  ((v & 0xF8) == 0x20 && mode <= 2) || ((v & 0xF8) == 0x40 && mode <= 5);
		if (!ok) {
			ide_abort(ch, d);
			return;
		}
		d->xfer_mode = (uint8_t)v;
		break;
	}
	case 0x02: case 0x82: case 0x55: case 0xAA: case 0x66: case 0xCC: break;
	default: ide_abort(ch, d); return;
	}
	if (d->kind == IDE_DISK)
		finish(ch, d);
	else {
		d->status = ST_DRDY;
		ide_raise(ch, d);
	}
}

static void cmd_init_params(struct ide_channel *ch, struct ide_drive *d)
{
	if (d->nsect == 0) {
		ide_abort(ch, d);
		return;
	}
	d->cur_heads = (uint16_t)((d->device & 15) + 1);
	d->cur_spt = d->nsect;
	finish(ch, d);
}

static void cmd_flush(struct ide_channel *ch, struct ide_drive *d)
{
	if (d->bd.flush && d->bd.flush(d->bd.opaque) < 0) {
		ide_abort(ch, d);
		return;
	}
	finish(ch, d);
}

static void cmd_verify(struct ide_channel *ch, struct ide_drive *d)
{
	if (setup_range(ch, d))
		finish(ch, d);
}

void ata_command(struct ide_channel *ch, struct ide_drive *d)
{
	uint8_t c = d->cmd;
	if (c >= 0x10 && c <= 0x1F) { /* RECALIBRATE */
		finish(ch, d);
		return;
	}
	switch (c) {
	case 0x20: case 0x21: case 0x24: case 0x30: case 0x31: case 0x34: cmd_rw_pio(ch, d, false); break;
	case 0xC4: case 0xC5: case 0x29: case 0x39: cmd_rw_pio(ch, d, true); break;
	case 0xC8: case 0xC9: case 0x25: cmd_dma(ch, d, false); break;
	case 0xCA: case 0xCB: case 0x35: cmd_dma(ch, d, true); break;
	case 0x40: case 0x41: case 0x42: cmd_verify(ch, d); break;
	case 0xEC: cmd_identify(ch, d); break;
	case 0xC6: cmd_set_multiple(ch, d); break;
	case 0xEF: cmd_set_features(ch, d); break;
	case 0x91: cmd_init_params(ch, d); break;
	case 0xE7: case 0xEA: cmd_flush(ch, d); break;
	case 0x70: /* SEEK */
	case 0xE0: case 0xE1: case 0xE2: case 0xE3: case 0x94: case 0x95: case 0x96: case 0x97:
		finish(ch, d);
		break;
	case 0xE5: case 0x98: /* CHECK POWER MODE: always active */
		d->nsect = 0xFF;
		finish(ch, d);
		break;
	default: ide_abort(ch, d); break;
	}
}

/* SET FEATURES is shared with packet devices. */
void ata_set_features(struct ide_channel *ch, struct ide_drive *d) { cmd_set_features(ch, d); }
