/*
 * Floppy disk controller: an Intel 82077AA in PC/AT mode (82077AA data
 * sheet, sections 2 "Register description", 5 "Command set", 6 "Status
 * register encoding"). Ports: DOR 0x3F2, TDR 0x3F3, MSR (read) / DSR
 * (write) 0x3F4, FIFO 0x3F5, DIR (read) / CCR (write) 0x3F7; 0x3F6 belongs to
 * the IDE controller. ISA IRQ 6, DMA channel 2. Drives 0 and 1 are A and B;
 * drives 2 and 3 are never connected.
 *
 * A command runs when its last byte arrives: the data moves through the DMA
 * controller at once, and the result phase (with IRQ 6) follows after a
 * short, deterministic virtual-time delay for the seek and the sectors.
 *
 * READ and WRITE DATA also run in non-DMA mode (SPECIFY ND bit): the host
 * moves each byte through the FIFO, with an interrupt per byte.
 *
 * Deviations: FORMAT TRACK uses DMA even in non-DMA mode; the data rate, the motor bits and the step
 * rate are latched but not checked; 512-byte sectors only (other N values
 * find no sector); an EOT beyond the track's last sector ends the track
 * there (see fdc_next_sector); READ/WRITE DELETED DATA, READ TRACK, VERIFY, SCAN and
 * RELATIVE SEEK are invalid commands; the FIFO threshold has no effect; a
 * reset always reports four polling interrupts, even with polling disabled;
 * a read or write on a drive without media fails at once (not ready,
 * missing address mark) where hardware waits for index pulses forever.
 */
#include "devices/fdc.h"

#include <stdlib.h>
#include <string.h>

#include "devices/dma.h"
#include "devices/machine.h"
#include "devices/rtc.h"

#define FDC_BASE 0x3F0
#define FDC_DRIVES 4
#define FDC_SECTOR 512u
#define FDC_IRQ 6
#define FDC_DMA 2

/* Virtual-time costs: small, so that guests polling for IRQ 6 do not spin
 * long, but never zero, so that the interrupt follows the command. */
#define NS_RESET 20000u
#define NS_COMMAND 50000u
#define NS_STEP 20000u
#define NS_SECTOR 30000u

#define DOR_SEL 0x03u
#define DOR_NRESET 0x04u
#define DOR_DMAGATE 0x08u

#define MSR_RQM 0x80u
#define MSR_DIO 0x40u
#define MSR_CB 0x10u

#define DSR_SWRESET 0x80u

#define ST0_IC_ABNORMAL 0x40u
#define ST0_IC_INVALID 0x80u
#define ST0_IC_POLL 0xC0u
#define ST0_SE 0x20u
#define ST0_EC 0x10u
#define ST0_NR 0x08u
#define ST1_EN 0x80u
#define ST1_DE 0x20u
#define ST1_OR 0x10u
#define ST1_ND 0x04u
#define ST1_NW 0x02u
#define ST1_MA 0x01u
#define ST2_DD 0x20u
#define ST2_WC 0x10u
#define ST3_WP 0x40u
#define ST3_ONE 0x28u /* RDY and bit 3 read as 1 on the 82077AA */
#define ST3_T0 0x10u

#define CMD_MT 0x80u
#define CMD_OPCODE 0x1Fu
#define CFG_EIS 0x40u
#define SPEC_ND 0x01u
#define MSR_NDMA 0x20u
#define CFG_DEFAULT 0x20u /* FIFO disabled, polling enabled, threshold 1 */

enum fdc_phase { PH_COMMAND, PH_EXEC, PH_RESULT, PH_RESET };

struct fdc;

struct fdc_drive {
	struct fdc *f;
	struct blockdev bd;
	struct fdc_geometry geo;
	struct timer seek_timer;
	bool media;
	bool changed;     /* DIR bit 7 */
	bool seeking;     /* MSR drive-busy bit */
	bool seek_done;   /* a SENSE INTERRUPT STATUS is owed */
	uint8_t seek_st0;
	uint8_t cyl;      /* present cylinder number */
	uint8_t next_sect; /* rotation, for READ ID */
	unsigned index;
};

/* A READ, WRITE or FORMAT in progress. */
struct fdc_xfer {
	struct fdc_drive *d;
	uint8_t head;      /* physical head (HDS bit) */
	uint8_t last_head; /* of the last sector moved, for ST0 */
	uint8_t chrn[4];   /* sector ID the controller looks for next */
	uint8_t st0, st1, st2;
	unsigned sectors;  /* moved, for the delay */
};

struct fdc {
	struct machine *m;
	struct sched *sched;
	struct irq_line irq;
	struct timer timer;
	struct fdc_drive drv[FDC_DRIVES];
	enum fdc_phase phase;
	uint8_t dor, tdr, rate;
	uint8_t cmd[9], cmd_len, cmd_pos;
	uint8_t res[10], res_len, res_pos;
	uint8_t reset_senses; /* polling statuses still owed after a reset */
	bool irq_req;
	bool irq_level;
	uint8_t specify[2];
	uint8_t config, pretrk, perp;
	bool lock;
	uint8_t eot; /* last EOT, for DUMPREG */
	/* Non-DMA execution: the host moves buf through the FIFO. */
	bool pio, pio_to_memory;
	uint16_t pio_pos;
	int64_t pio_off;
	struct fdc_xfer x;
	uint8_t buf[FDC_SECTOR];
};

struct fdc_cmd {
	uint8_t opcode; /* low 5 bits */
	uint8_t len;
	void (*run)(struct fdc *f);
};

/* ---- geometry ---- */

static const struct fdc_geometry fdc_formats[] = {
	{ 40, 1, 8, 1, 2 },  /* 160K */
	{ 40, 1, 9, 1, 2 },  /* 180K */
	{ 40, 2, 8, 1, 2 },  /* 320K */
	{ 40, 2, 9, 1, 2 },  /* 360K */
	{ 80, 2, 9, 3, 2 },  /* 720K */
	{ 80, 2, 15, 2, 0 }, /* 1.2M */
	{ 80, 2, 18, 4, 0 }, /* 1.44M */
	{ 80, 2, 36, 5, 3 }, /* 2.88M */
};

bool fdc_geometry_for_size(uint64_t size, struct fdc_geometry *g)
{
	for (size_t k = 0; k < sizeof(fdc_formats) / sizeof(fdc_formats[0]); k++) {
		const struct fdc_geometry *e = &fdc_formats[k];
		if ((uint64_t)e->tracks * e->heads * e->spt * FDC_SECTOR == size) {
			*g = *e;
			return true;
		}
	}
	return false;
}

/* ---- interrupt, phases ---- */

static void fdc_update_irq(struct fdc *f)
{
	/* In PC/AT mode the DMA gate bit of the DOR also gates the IRQ pin. */
	bool level = f->irq_req && (f->dor & DOR_DMAGATE);
	if (level != f->irq_level) {
		f->irq_level = level;
		irq_set(f->irq, level);
	}
}

static void fdc_set_irq(struct fdc *f, bool on)
{
	f->irq_req = on;
	fdc_update_irq(f);
}

static void fdc_to_command(struct fdc *f)
{
	f->phase = PH_COMMAND;
	f->cmd_pos = 0;
	f->res_pos = f->res_len = 0;
}

static void fdc_to_result(struct fdc *f, unsigned len)
{
	f->phase = PH_RESULT;
	f->res_len = (uint8_t)len;
	f->res_pos = 0;
}

/* Result phase after delay ns, with IRQ 6 when irq is set. */
static void fdc_finish_later(struct fdc *f, vtime_t delay)
{
	f->phase = PH_EXEC;
	timer_arm(f->sched, &f->timer, sched_now(f->sched) + delay);
}

static void fdc_timer(void *opaque, vtime_t now)
{
	struct fdc *f = opaque;
	(void)now;
	if (f->phase == PH_RESET) {
		f->reset_senses = FDC_DRIVES;
		fdc_to_command(f);
		fdc_set_irq(f, true);
		return;
	}
	fdc_to_result(f, f->res_len);
	fdc_set_irq(f, true);
}

/* ---- drives and seeks ---- */

static struct fdc_drive *fdc_unit(struct fdc *f, uint8_t b)
{
	return &f->drv[b & 3];
}

static uint8_t fdc_hd_ds(uint8_t b)
{
	return b & 7;
}

static void fdc_seek_timer(void *opaque, vtime_t now)
{
	struct fdc_drive *d = opaque;
	(void)now;
	d->seeking = false;
	d->seek_done = true;
	fdc_set_irq(d->f, true);
}

static void fdc_start_seek(struct fdc_drive *d, uint8_t target, uint8_t st0)
{
	unsigned steps = target > d->cyl ? target - d->cyl : d->cyl - target;
	d->cyl = target;
	if (d->media && steps)
		d->changed = false;
	d->seeking = true;
	d->seek_done = false;
	d->seek_st0 = st0;
	timer_arm(d->f->sched, &d->seek_timer,
		  sched_now(d->f->sched) + NS_COMMAND + (vtime_t)steps * NS_STEP);
}

/* ---- result helpers ---- */

static void fdc_result7(struct fdc *f, uint8_t st0, uint8_t st1, uint8_t st2,
			const uint8_t chrn[4])
{
	f->res[0] = st0;
	f->res[1] = st1;
	f->res[2] = st2;
	memcpy(&f->res[3], chrn, 4);
	f->res_len = 7;
}

static void fdc_invalid(struct fdc *f)
{
	f->res[0] = ST0_IC_INVALID;
	fdc_to_result(f, 1);
}

/* ---- commands without data transfer ---- */

static void cmd_specify(struct fdc *f)
{
	f->specify[0] = f->cmd[1];
	f->specify[1] = f->cmd[2];
	fdc_to_command(f);
}

static void cmd_sense_drive(struct fdc *f)
{
	struct fdc_drive *d = fdc_unit(f, f->cmd[1]);
	uint8_t st3 = (uint8_t)(ST3_ONE | fdc_hd_ds(f->cmd[1]));
	if (!d->media || d->bd.read_only)
		st3 |= ST3_WP;
	if (d->cyl == 0)
		st3 |= ST3_T0;
	f->res[0] = st3;
	fdc_to_result(f, 1);
}

static void cmd_recalibrate(struct fdc *f)
{
	struct fdc_drive *d = fdc_unit(f, f->cmd[1]);
	uint8_t st0 = (uint8_t)(ST0_SE | (f->cmd[1] & 3));
	/* Without a drive, track 0 never shows up: equipment check. */
	if (!d->media)
		st0 |= ST0_IC_ABNORMAL | ST0_EC;
	fdc_start_seek(d, 0, st0);
	fdc_to_command(f);
}

static void cmd_seek(struct fdc *f)
{
	struct fdc_drive *d = fdc_unit(f, f->cmd[1]);
	fdc_start_seek(d, f->cmd[2], (uint8_t)(ST0_SE | fdc_hd_ds(f->cmd[1])));
	fdc_to_command(f);
}

static void cmd_sense_interrupt(struct fdc *f)
{
	fdc_set_irq(f, false);
	if (f->reset_senses) {
		unsigned n = FDC_DRIVES - f->reset_senses--;
		f->res[0] = (uint8_t)(ST0_IC_POLL | n);
		f->res[1] = f->drv[n].cyl;
		fdc_to_result(f, 2);
		return;
	}
	for (unsigned n = 0; n < FDC_DRIVES; n++) {
		struct fdc_drive *d = &f->drv[n];
		if (d->seek_done) {
			d->seek_done = false;
			f->res[0] = d->seek_st0;
			f->res[1] = d->cyl;
			fdc_to_result(f, 2);
			return;
		}
	}
	fdc_invalid(f);
}

static void cmd_version(struct fdc *f)
{
	f->res[0] = 0x90;
	fdc_to_result(f, 1);
}

static void cmd_configure(struct fdc *f)
{
	f->config = f->cmd[2] & 0x7F;
	f->pretrk = f->cmd[3];
	fdc_to_command(f);
}

static void cmd_lock(struct fdc *f)
{
	f->lock = (f->cmd[0] & CMD_MT) != 0;
	f->res[0] = (uint8_t)(f->lock ? 0x10 : 0);
	fdc_to_result(f, 1);
}

static void cmd_perpendicular(struct fdc *f)
{
	uint8_t v = f->cmd[1];
	/* The drive bits change only when OW (bit 7) is set. */
	uint8_t drives = (v & 0x80) ? (v & 0x3C) : (f->perp & 0x3C);
	f->perp = (uint8_t)(drives | (v & 3));
	fdc_to_command(f);
}

static void cmd_dumpreg(struct fdc *f)
{
	for (unsigned n = 0; n < FDC_DRIVES; n++)
		f->res[n] = f->drv[n].cyl;
	f->res[4] = f->specify[0];
	f->res[5] = f->specify[1];
	f->res[6] = f->eot;
	f->res[7] = (uint8_t)((f->lock ? 0x80 : 0) | f->perp);
	f->res[8] = f->config;
	f->res[9] = f->pretrk;
	fdc_to_result(f, 10);
}

/* ---- sector access ---- */

static void fdc_xfer_init(struct fdc *f, struct fdc_xfer *x)
{
	uint8_t head = (f->cmd[1] >> 2) & 1;
	*x = (struct fdc_xfer){ .d = fdc_unit(f, f->cmd[1]), .head = head, .last_head = head };
	memcpy(x->chrn, &f->cmd[2], 4);
	x->st0 = fdc_hd_ds(f->cmd[1]);
}

static void fdc_xfer_fail(struct fdc_xfer *x, uint8_t st0, uint8_t st1, uint8_t st2)
{
	x->st0 |= (uint8_t)(ST0_IC_ABNORMAL | st0);
	x->st1 |= st1;
	x->st2 |= st2;
}

/* Check that the track under the head holds the sector x->chrn names;
 * returns its byte offset in the image, or -1 with the status set. */
static int64_t fdc_locate(struct fdc_xfer *x)
{
	struct fdc_drive *d = x->d;
	const struct fdc_geometry *g = &d->geo;
	if (!d->media) {
		fdc_xfer_fail(x, ST0_NR, ST1_MA, 0);
		return -1;
	}
	if (d->cyl >= g->tracks || x->head >= g->heads) {
		fdc_xfer_fail(x, 0, ST1_MA, 0);
		return -1;
	}
	if (x->chrn[0] != d->cyl) {
		fdc_xfer_fail(x, 0, ST1_ND, ST2_WC);
		return -1;
	}
	if (x->chrn[1] != x->head || x->chrn[2] < 1 || x->chrn[2] > g->spt || x->chrn[3] != 2) {
		fdc_xfer_fail(x, 0, ST1_ND, 0);
		return -1;
	}
	uint64_t lba = ((uint64_t)d->cyl * g->heads + x->head) * g->spt + (x->chrn[2] - 1u);
	return (int64_t)(lba * FDC_SECTOR);
}

/* Advance to the next sector ID after a whole sector moved; false at the
 * end of the cylinder (with the result ID set as the data sheet's table
 * "Result phase C, H, R, N" gives it). */
static bool fdc_next_sector(struct fdc *f, struct fdc_xfer *x, bool mt)
{
	/* The track also ends at its last sector when EOT lies beyond it:
	 * SeaBIOS passes EOT = first sector + count - 1 and expects a
	 * multi-track read to go on to head 1 (hardware would stop with
	 * "no data" looking for sector spt + 1). */
	if (x->chrn[2] != f->cmd[6] && x->chrn[2] < x->d->geo.spt) {
		x->chrn[2]++;
		return true;
	}
	x->chrn[2] = 1;
	if (mt && x->head == 0 && x->d->geo.heads > 1) {
		x->head = 1;
		x->chrn[1] ^= 1;
		return true;
	}
	if (mt)
		x->chrn[1] ^= 1;
	x->chrn[0]++;
	return false;
}

/* Move one sector between the image and DMA channel 2; returns the bytes
 * the DMA controller took (a short count means terminal count). */
static size_t fdc_move(struct fdc *f, struct fdc_xfer *x, int64_t off, bool to_memory)
{
	struct dma *dma = dma_machine(f->m);
	struct blockdev *bd = &x->d->bd;
	size_t n;
	if (!dma || !(f->dor & DOR_DMAGATE) || dma_remaining(dma, FDC_DMA) == 0) {
		fdc_xfer_fail(x, 0, ST1_OR, 0);
		return 0;
	}
	if (to_memory) {
		if (bd->read(bd->opaque, (uint64_t)off, f->buf, FDC_SECTOR) < 0) {
			fdc_xfer_fail(x, 0, ST1_DE, ST2_DD);
			return 0;
		}
		return dma_transfer(dma, FDC_DMA, f->buf, FDC_SECTOR, true);
	}
	memset(f->buf, 0, FDC_SECTOR);
	n = dma_transfer(dma, FDC_DMA, f->buf, FDC_SECTOR, false);
	if (bd->write(bd->opaque, (uint64_t)off, f->buf, FDC_SECTOR) < 0) {
		fdc_xfer_fail(x, 0, ST1_DE, 0);
		return 0;
	}
	return n;
}

static void fdc_rw_done(struct fdc *f, struct fdc_xfer *x)
{
	f->pio = false;
	x->st0 = (uint8_t)((x->st0 & ~4u) | x->last_head << 2);
	fdc_result7(f, x->st0, x->st1, x->st2, x->chrn);
	fdc_finish_later(f, NS_COMMAND + (vtime_t)x->sectors * NS_SECTOR);
}

/* After a whole sector: on to the next ID, or false at the end of the
 * cylinder (abnormal with EN: only terminal count ends a transfer well). */
static bool fdc_sector_done(struct fdc *f, struct fdc_xfer *x)
{
	x->sectors++;
	x->last_head = x->head;
	if (fdc_next_sector(f, x, (f->cmd[0] & CMD_MT) != 0))
		return true;
	fdc_xfer_fail(x, 0, ST1_EN, 0);
	return false;
}

static void fdc_dma_rw(struct fdc *f, struct fdc_xfer *x, bool to_memory)
{
	while (!(x->st0 & ST0_IC_ABNORMAL)) {
		int64_t off = fdc_locate(x);
		if (off < 0)
			break;
		size_t n = fdc_move(f, x, off, to_memory);
		if (x->st0 & ST0_IC_ABNORMAL)
			break;
		bool tc = n < FDC_SECTOR || dma_remaining(dma_machine(f->m), FDC_DMA) == 0;
		if (tc) {
			x->sectors++;
			x->last_head = x->head;
			fdc_next_sector(f, x, (f->cmd[0] & CMD_MT) != 0);
			break;
		}
		if (!fdc_sector_done(f, x))
			break;
	}
	fdc_rw_done(f, x);
}

/* Non-DMA mode: locate the next sector and offer it through the FIFO,
 * with an interrupt for each byte (data sheet, "Non-DMA mode"). */
static void fdc_pio_sector(struct fdc *f)
{
	struct fdc_xfer *x = &f->x;
	int64_t off = x->st0 & ST0_IC_ABNORMAL ? -1 : fdc_locate(x);
	if (off >= 0 && f->pio_to_memory &&
	    x->d->bd.read(x->d->bd.opaque, (uint64_t)off, f->buf, FDC_SECTOR) < 0) {
		fdc_xfer_fail(x, 0, ST1_DE, ST2_DD);
		off = -1;
	}
	if (off < 0) {
		fdc_rw_done(f, x);
		return;
	}
	f->pio = true;
	f->pio_off = off;
	f->pio_pos = 0;
	f->phase = PH_EXEC;
	fdc_set_irq(f, true);
}

static void fdc_pio_byte_done(struct fdc *f)
{
	struct fdc_xfer *x = &f->x;
	if (++f->pio_pos < FDC_SECTOR) {
		fdc_set_irq(f, true);
		return;
	}
	if (!f->pio_to_memory &&
	    x->d->bd.write(x->d->bd.opaque, (uint64_t)f->pio_off, f->buf, FDC_SECTOR) < 0)
		fdc_xfer_fail(x, 0, ST1_DE, 0);
	if (!(x->st0 & ST0_IC_ABNORMAL))
		fdc_sector_done(f, x);
	fdc_pio_sector(f);
}

static void fdc_rw(struct fdc *f, bool to_memory)
{
	struct fdc_xfer *x = &f->x;
	fdc_xfer_init(f, x);
	f->eot = f->cmd[6];
	if ((f->config & CFG_EIS) && x->d->cyl != f->cmd[2])
		x->d->cyl = f->cmd[2];
	if (!to_memory && x->d->media && x->d->bd.read_only)
		fdc_xfer_fail(x, 0, ST1_NW, 0);
	if (f->specify[1] & SPEC_ND) {
		f->pio_to_memory = to_memory;
		fdc_pio_sector(f);
	} else {
		fdc_dma_rw(f, x, to_memory);
	}
}

static void cmd_read(struct fdc *f)
{
	fdc_rw(f, true);
}

static void cmd_write(struct fdc *f)
{
	fdc_rw(f, false);
}

static void cmd_read_id(struct fdc *f)
{
	struct fdc_xfer x;
	fdc_xfer_init(f, &x);
	struct fdc_drive *d = x.d;
	x.chrn[0] = d->cyl;
	x.chrn[1] = x.head;
	x.chrn[3] = 2;
	if (!d->media)
		fdc_xfer_fail(&x, ST0_NR, ST1_MA, 0);
	else if (d->cyl >= d->geo.tracks || x.head >= d->geo.heads)
		fdc_xfer_fail(&x, 0, ST1_MA, 0);
	else {
		/* The ID field that passes under the head next. */
		x.chrn[2] = (uint8_t)(d->next_sect % d->geo.spt + 1);
		d->next_sect = (uint8_t)(x.chrn[2] % d->geo.spt);
	}
	fdc_result7(f, x.st0, x.st1, x.st2, x.chrn);
	fdc_finish_later(f, NS_COMMAND);
}

/* FORMAT TRACK: the host supplies C, H, R, N of each sector by DMA; the
 * image keeps the fixed geometry, so an ID it cannot hold is an error. */
static void fdc_format_sector(struct fdc *f, struct fdc_xfer *x)
{
	struct dma *dma = dma_machine(f->m);
	if (!dma || !(f->dor & DOR_DMAGATE) ||
	    dma_transfer(dma, FDC_DMA, x->chrn, 4, false) != 4) {
		fdc_xfer_fail(x, 0, ST1_OR, 0);
		return;
	}
	int64_t off = fdc_locate(x);
	if (off < 0)
		return;
	memset(f->buf, f->cmd[5], FDC_SECTOR);
	if (x->d->bd.write(x->d->bd.opaque, (uint64_t)off, f->buf, FDC_SECTOR) < 0)
		fdc_xfer_fail(x, 0, ST1_DE, 0);
	x->sectors++;
}

static void cmd_format(struct fdc *f)
{
	struct fdc_xfer x;
	fdc_xfer_init(f, &x);
	memset(x.chrn, 0, 4);
	uint8_t count = f->cmd[3];
	if (!x.d->media)
		fdc_xfer_fail(&x, ST0_NR, ST1_MA, 0);
	else if (x.d->bd.read_only)
		fdc_xfer_fail(&x, 0, ST1_NW, 0);
	else if (f->cmd[2] != 2 || count > x.d->geo.spt)
		fdc_xfer_fail(&x, 0, ST1_ND, 0);
	for (unsigned k = 0; k < count && !(x.st0 & ST0_IC_ABNORMAL); k++)
		fdc_format_sector(f, &x);
	x.st0 |= (uint8_t)(x.head << 2);
	fdc_result7(f, x.st0, x.st1, x.st2, x.chrn);
	fdc_finish_later(f, NS_COMMAND + (vtime_t)x.sectors * NS_SECTOR);
}

/* ---- the command interpreter ---- */

static const struct fdc_cmd fdc_cmds[] = {
	{ 0x03, 3, cmd_specify },
	{ 0x04, 2, cmd_sense_drive },
	{ 0x05, 9, cmd_write },
	{ 0x06, 9, cmd_read },
	{ 0x07, 2, cmd_recalibrate },
	{ 0x08, 1, cmd_sense_interrupt },
	{ 0x0A, 2, cmd_read_id },
	{ 0x0D, 6, cmd_format },
	{ 0x0E, 1, cmd_dumpreg },
	{ 0x0F, 3, cmd_seek },
	{ 0x10, 1, cmd_version },
	{ 0x12, 2, cmd_perpendicular },
	{ 0x13, 4, cmd_configure },
	{ 0x14, 1, cmd_lock },
};

/* Opcode bits above the low five that each command accepts (MT, MFM, SK
 * and LOCK's lock bit); anything else is an invalid command. */
static bool fdc_cmd_bits_ok(uint8_t b)
{
	switch (b & CMD_OPCODE) {
	case 0x05: return (b & 0x20) == 0;
	case 0x06: return true;
	case 0x0A: case 0x0D: return (b & 0xA0) == 0;
	case 0x14: return (b & 0x60) == 0;
	default: return (b & 0xE0) == 0;
	}
}

static const struct fdc_cmd *fdc_lookup(uint8_t b)
{
	if (!fdc_cmd_bits_ok(b))
		return NULL;
	for (size_t k = 0; k < sizeof(fdc_cmds) / sizeof(fdc_cmds[0]); k++)
		if (fdc_cmds[k].opcode == (b & CMD_OPCODE))
			return &fdc_cmds[k];
	return NULL;
}

static void fdc_fifo_write(struct fdc *f, uint8_t v)
{
	if (f->phase == PH_EXEC && f->pio && !f->pio_to_memory) {
		fdc_set_irq(f, false);
		f->buf[f->pio_pos % FDC_SECTOR] = v;
		fdc_pio_byte_done(f);
		return;
	}
	if (f->phase != PH_COMMAND)
		return;
	if (f->cmd_pos == 0) {
		const struct fdc_cmd *c = fdc_lookup(v);
		if (!c) {
			fdc_invalid(f);
			return;
		}
		f->cmd_len = c->len;
	}
	f->cmd[f->cmd_pos++ % sizeof(f->cmd)] = v;
	if (f->cmd_pos < f->cmd_len)
		return;
	fdc_lookup(f->cmd[0])->run(f);
}

static uint8_t fdc_fifo_read(struct fdc *f)
{
	if (f->phase == PH_EXEC && f->pio && f->pio_to_memory) {
		fdc_set_irq(f, false);
		uint8_t v = f->buf[f->pio_pos % FDC_SECTOR];
		fdc_pio_byte_done(f);
		return v;
	}
	if (f->phase != PH_RESULT)
		return 0;
	fdc_set_irq(f, false);
	uint8_t v = f->res[f->res_pos++ % sizeof(f->res)];
	if (f->res_pos >= f->res_len)
		fdc_to_command(f);
	return v;
}

static uint8_t fdc_msr(const struct fdc *f)
{
	uint8_t v = 0;
	for (unsigned n = 0; n < FDC_DRIVES; n++)
		if (f->drv[n].seeking)
			v |= (uint8_t)(1u << n);
	switch (f->phase) {
	case PH_COMMAND: return (uint8_t)(v | MSR_RQM | (f->cmd_pos ? MSR_CB : 0));
	case PH_EXEC:
		if (f->pio)
			return (uint8_t)(v | MSR_RQM | MSR_NDMA | MSR_CB | (f->pio_to_memory ? MSR_DIO : 0));
		return (uint8_t)(v | MSR_CB);
	case PH_RESULT: return (uint8_t)(v | MSR_RQM | MSR_DIO | MSR_CB);
	default: return v;
	}
}

/* ---- reset ---- */

static void fdc_soft_reset(struct fdc *f)
{
	timer_cancel(f->sched, &f->timer);
	for (unsigned n = 0; n < FDC_DRIVES; n++) {
		struct fdc_drive *d = &f->drv[n];
		timer_cancel(f->sched, &d->seek_timer);
		d->seeking = d->seek_done = false;
	}
	f->reset_senses = 0;
	f->pio = false;
	f->cmd_pos = 0;
	f->res_pos = f->res_len = 0;
	/* LOCK keeps the FIFO settings and the precompensation track. */
	if (!f->lock) {
		f->config = CFG_DEFAULT;
		f->pretrk = 0;
	}
	fdc_set_irq(f, false);
	f->phase = PH_RESET;
}

static void fdc_leave_reset(struct fdc *f)
{
	timer_arm(f->sched, &f->timer, sched_now(f->sched) + NS_RESET);
}

static void fdc_write_dor(struct fdc *f, uint8_t v)
{
	uint8_t old = f->dor;
	f->dor = v;
	if (!(v & DOR_NRESET)) {
		if (old & DOR_NRESET)
			fdc_soft_reset(f);
	} else if (!(old & DOR_NRESET)) {
		fdc_leave_reset(f);
	}
	fdc_update_irq(f);
}

/* ---- ports ---- */

static uint32_t fdc_read(void *opaque, uint32_t off, unsigned size)
{
	struct fdc *f = opaque;
	(void)size;
	switch (off) {
	case 2: return f->dor;
	case 3: return f->tdr;
	case 4: return fdc_msr(f);
	case 5: return fdc_fifo_read(f);
	default: return 0xFF;
	}
}

static void fdc_write(void *opaque, uint32_t off, uint32_t v, unsigned size)
{
	struct fdc *f = opaque;
	(void)size;
	switch (off) {
	case 2: fdc_write_dor(f, (uint8_t)v); break;
	case 3: f->tdr = v & 3; break;
	case 4:
		f->rate = v & 3;
		/* The DSR reset bit clears itself after the reset pulse. */
		if ((v & DSR_SWRESET) && (f->dor & DOR_NRESET)) {
			fdc_soft_reset(f);
			fdc_leave_reset(f);
		}
		break;
	case 5: fdc_fifo_write(f, (uint8_t)v); break;
	default: break;
	}
}

/* 0x3F7: DIR when read (bit 7 disk change of the selected drive; the
 * other bits belong to the IDE controller in PC/AT mode), CCR when written. */
static uint32_t fdc_dir_read(void *opaque, uint32_t off, unsigned size)
{
	struct fdc *f = opaque;
	(void)off;
	(void)size;
	return f->drv[f->dor & DOR_SEL].changed ? 0x80 : 0;
}

static void fdc_ccr_write(void *opaque, uint32_t off, uint32_t v, unsigned size)
{
	struct fdc *f = opaque;
	(void)off;
	(void)size;
	f->rate = v & 3;
}

static const struct io_ops fdc_io = { .read = fdc_read, .write = fdc_write };
static const struct io_ops fdc_dir_io = { .read = fdc_dir_read, .write = fdc_ccr_write };

/* ---- device class ---- */

static void fdc_reset(void *dev)
{
	struct fdc *f = dev;
	f->lock = false;
	fdc_soft_reset(f);
	f->dor = 0;
	f->tdr = 0;
	f->rate = 2;
	f->specify[0] = f->specify[1] = 0;
	f->perp = 0;
	f->eot = 0;
	for (unsigned n = 0; n < FDC_DRIVES; n++) {
		f->drv[n].cyl = 0;
		f->drv[n].next_sect = 0;
		f->drv[n].changed = true;
	}
}

static bool fdc_attach(struct fdc *f, unsigned n, const struct blockdev *bd)
{
	struct fdc_drive *d = &f->drv[n];
	if (bd->kind != BLOCKDEV_FLOPPY)
		return true;
	if (!fdc_geometry_for_size(bd->size, &d->geo)) {
		machine_error(f->m, "fdc: floppy %c: %llu bytes match no floppy format",
			      'A' + n, (unsigned long long)bd->size);
		return false;
	}
	d->bd = *bd;
	d->media = true;
	return true;
}

/* CMOS 0x10 (drive types, A in the high nibble) and the equipment byte 0x14
 * (bit 0 floppies present, bits 6-7 count minus one). */
static void fdc_cmos(struct fdc *f)
{
	struct rtc *r = machine_device(f->m, "rtc");
	if (!r)
		return;
	uint8_t types = (uint8_t)(f->drv[0].geo.cmos_type << 4 | f->drv[1].geo.cmos_type);
	unsigned count = f->drv[0].media + f->drv[1].media;
	rtc_set_nvram(r, 0x10, types);
	if (count)
		rtc_set_nvram(r, 0x14, (uint8_t)((rtc_nvram(r, 0x14) & 0x3E) | 1 | (count - 1) << 6));
}

static void *fdc_create(struct machine *m)
{
	struct fdc *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->m = m;
	f->sched = machine_sched(m);
	f->irq = machine_isa_irq(m, FDC_IRQ);
	timer_init(&f->timer, fdc_timer, f);
	for (unsigned n = 0; n < FDC_DRIVES; n++) {
		f->drv[n].f = f;
		f->drv[n].index = n;
		timer_init(&f->drv[n].seek_timer, fdc_seek_timer, &f->drv[n]);
	}
	const struct machine_config *cfg = machine_config(m);
	if (!fdc_attach(f, 0, &cfg->drives[DRIVE_FDA]) || !fdc_attach(f, 1, &cfg->drives[DRIVE_FDB])) {
		free(f);
		return NULL;
	}
	if (ioport_register(machine_io(m), FDC_BASE, 6, &fdc_io, f) < 0 ||
	    ioport_register(machine_io(m), FDC_BASE + 7, 1, &fdc_dir_io, f) < 0) {
		machine_error(m, "fdc: ports 0x3F0-0x3F5/0x3F7 already taken");
		free(f);
		return NULL;
	}
	fdc_cmos(f);
	fdc_reset(f);
	return f;
}

static void fdc_destroy(void *dev)
{
	struct fdc *f = dev;
	timer_cancel(f->sched, &f->timer);
	for (unsigned n = 0; n < FDC_DRIVES; n++)
		timer_cancel(f->sched, &f->drv[n].seek_timer);
	free(f);
}

/* Timers are not saved: whatever was in flight completes shortly after a
 * load, and the transfer in progress finds its drive again from the command. */
static void fdc_post_load(void *dev)
{
	struct fdc *f = dev;
	vtime_t soon = sched_now(f->sched) + NS_COMMAND;
	f->x.d = fdc_unit(f, f->cmd[1]);
	irq_set(f->irq, f->irq_level);
	if ((f->phase == PH_EXEC && !f->pio) || (f->phase == PH_RESET && (f->dor & DOR_NRESET)))
		timer_arm(f->sched, &f->timer, soon);
	for (unsigned n = 0; n < FDC_DRIVES; n++)
		if (f->drv[n].seeking)
			timer_arm(f->sched, &f->drv[n].seek_timer, soon);
}

#define FDC_DRIVE_FIELDS(n) \
	STATE_FIELD(struct fdc, drv[n].changed), STATE_FIELD(struct fdc, drv[n].seeking), \
	STATE_FIELD(struct fdc, drv[n].seek_done), STATE_FIELD(struct fdc, drv[n].seek_st0), \
	STATE_FIELD(struct fdc, drv[n].cyl), STATE_FIELD(struct fdc, drv[n].next_sect)

static const struct state_field fdc_fields[] = {
	STATE_FIELD(struct fdc, phase), STATE_FIELD(struct fdc, dor), STATE_FIELD(struct fdc, tdr),
	STATE_FIELD(struct fdc, rate), STATE_FIELD(struct fdc, cmd), STATE_FIELD(struct fdc, cmd_len),
	STATE_FIELD(struct fdc, cmd_pos), STATE_FIELD(struct fdc, res), STATE_FIELD(struct fdc, res_len),
	STATE_FIELD(struct fdc, res_pos), STATE_FIELD(struct fdc, reset_senses),
	STATE_FIELD(struct fdc, irq_req), STATE_FIELD(struct fdc, irq_level),
	STATE_FIELD(struct fdc, specify), STATE_FIELD(struct fdc, config), STATE_FIELD(struct fdc, pretrk),
	STATE_FIELD(struct fdc, perp), STATE_FIELD(struct fdc, lock), STATE_FIELD(struct fdc, eot),
	STATE_FIELD(struct fdc, pio), STATE_FIELD(struct fdc, pio_to_memory),
	STATE_FIELD(struct fdc, pio_pos), STATE_FIELD(struct fdc, pio_off),
	STATE_FIELD(struct fdc, x.head), STATE_FIELD(struct fdc, x.last_head),
	STATE_FIELD(struct fdc, x.chrn), STATE_FIELD(struct fdc, x.st0), STATE_FIELD(struct fdc, x.st1),
	STATE_FIELD(struct fdc, x.st2), STATE_FIELD(struct fdc, x.sectors), STATE_FIELD(struct fdc, buf),
	FDC_DRIVE_FIELDS(0), FDC_DRIVE_FIELDS(1), FDC_DRIVE_FIELDS(2), FDC_DRIVE_FIELDS(3),
	{ 0 },
};

const struct device_class fdc_class = {
	.name = "fdc",
	.create = fdc_create,
	.reset = fdc_reset,
	.destroy = fdc_destroy,
	.fields = fdc_fields,
	.post_load = fdc_post_load,
};
