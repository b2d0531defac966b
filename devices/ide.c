/*
 * PIIX3 IDE controller (82371FB/SB data sheet: IDE configuration registers
 * and bus master IDE I/O registers; SFF-8038i rev 1.0 for the bus-master
 * protocol) and the ATA register interface of its drives (ATA/ATAPI-6, T13
 * 1410D: register descriptions, protocols, device 0/device 1 rules).
 *
 * Per channel: the command block (data, error/features, sector count, LBA
 * low/mid/high, device, status/command) and the control block (alternate
 * status/device control). Both devices latch every command block write, with
 * a one-deep history for the 48-bit HOB reads; only the selected device
 * executes a command or drives INTRQ. A missing device 1 reads status 00h;
 * a channel with no device at all floats (reads FFh) so probes skip it fast.
 *
 * Command latency: every command, every DRQ block after the first and the
 * end of a soft reset take IDE_DELAY_NS of virtual time (BSY set meanwhile),
 * then the device raises INTRQ; so a guest that polls BSY and one that
 * sleeps until IRQ 14/15 both work, and an interrupt never arrives before
 * the OUT that started the command has retired.
 *
 * Deviations: the IDETIM decode-enable bits are ignored (the legacy ports
 * always decode); the bus-master read/write control bit is not checked
 * against the command's direction; a PRD table shorter than the transfer
 * ends the command with ABRT instead of leaving the drive waiting; a whole
 * DMA transfer completes in one step after the latency.
 */
#include "devices/ide.h"

#include <stdlib.h>
#include <string.h>

#include "devices/machine.h"
#include "devices/pci.h"
#include "devices/piix3.h"

#define IDE_DELAY_NS 2000u

#define BM_START 0x01
#define BM_WRITE 0x08 /* direction: write to memory */
#define BMS_ACTIVE 0x01
#define BMS_ERROR 0x02
#define BMS_INTR 0x04
#define BMS_CAPS 0x60 /* drive 0/1 DMA capable: plain storage */
#define PRD_MAX 8192u /* a 64 KiB table of 8-byte entries */

static const uint16_t cmd_base[2] = { 0x1F0, 0x170 };
static const uint16_t ctl_base[2] = { 0x3F6, 0x376 };
static const unsigned chan_irq[2] = { 14, 15 };

static bool chan_present(const struct ide_channel *ch)
{
	return ch->d[0].kind != IDE_NONE || ch->d[1].kind != IDE_NONE;
}

struct ide_drive *ide_cur(struct ide_channel *ch) { return &ch->d[ch->sel & 1]; }

static void irq_update(struct ide_channel *ch)
{
	struct ide_drive *d = ide_cur(ch);
	int level = d->kind != IDE_NONE && d->intrq && !(ch->devctl & CTL_NIEN);
	if (level != ch->irq_level) {
		ch->irq_level = level;
		irq_set(ch->irq, level);
	}
}

void ide_raise(struct ide_channel *ch, struct ide_drive *d)
{
	d->intrq = true;
	ch->bm_status |= BMS_INTR;
	irq_update(ch);
}

void ide_schedule(struct ide_channel *ch, struct ide_drive *d, enum ide_event ev)
{
	struct sched *s = machine_sched(ch->ide->m);
	d->status = (uint8_t)((d->status & ~(ST_DRQ | ST_ERR)) | ST_BSY);
	ch->ev = ev;
	ch->ev_drive = (unsigned)(d - ch->d);
	ch->ev_deadline = sched_now(s) + IDE_DELAY_NS;
	timer_arm(s, &ch->timer, ch->ev_deadline);
}

void ide_abort(struct ide_channel *ch, struct ide_drive *d)
{
	d->error = ER_ABRT;
	d->status = ST_DRDY | ST_ERR | (d->kind == IDE_DISK ? ST_DSC : 0);
	d->xfer = XFER_NONE;
	ide_raise(ch, d);
}

void ide_signature(struct ide_drive *d)
{
	d->nsect = 1;
	d->lbal = 1;
	d->lbam = d->kind == IDE_CDROM ? 0x14 : 0;
	d->lbah = d->kind == IDE_CDROM ? 0xEB : 0;
	d->device = 0;
}

/* ---- command block ---- */

static uint32_t data_read(struct ide_channel *ch, unsigned size)
{
	struct ide_drive *d = ide_cur(ch);
	if (d->xfer != XFER_PIO_IN)
		return 0;
	uint32_t v = 0;
	for (unsigned b = 0; b < size && d->pos < d->chunk_end; b++)
		v |= (uint32_t)d->buf[d->pos++] << (8 * b);
	if (d->pos < d->chunk_end)
		return v;
	d->xfer = XFER_NONE;
	/* The last block of a disk read ends the command with no interrupt. */
	if (d->kind == IDE_DISK && d->left == 0)
		d->status = ST_DRDY | ST_DSC;
	else
		ide_schedule(ch, d, EV_PIO_NEXT);
	return v;
}

static void data_write(struct ide_channel *ch, uint32_t v, unsigned size)
{
	struct ide_drive *d = ide_cur(ch);
	if (d->xfer != XFER_PIO_OUT)
		return;
	for (unsigned b = 0; b < size && d->pos < d->chunk_end; b++)
		d->buf[d->pos++] = (uint8_t)(v >> (8 * b));
	if (d->pos >= d->chunk_end) {
		d->xfer = XFER_NONE;
		ide_schedule(ch, d, EV_PIO_NEXT);
	}
}

static uint8_t status_of(struct ide_channel *ch)
{
	struct ide_drive *d = ide_cur(ch);
	return d->kind == IDE_NONE ? 0 : d->status;
}

static uint8_t reg_read(struct ide_channel *ch, unsigned reg)
{
	struct ide_drive *d = ide_cur(ch);
	bool hob = ch->devctl & CTL_HOB;
	switch (reg) {
	case 1: return d->error;
	case 2: return hob ? d->hob_nsect : d->nsect;
	case 3: return hob ? d->hob_lbal : d->lbal;
	case 4: return hob ? d->hob_lbam : d->lbam;
	case 5: return hob ? d->hob_lbah : d->lbah;
	case 6: return d->device;
	default:
		d->intrq = false;
		irq_update(ch);
		return status_of(ch);
	}
}

static void latch(uint8_t *reg, uint8_t *hob, uint8_t v)
{
	*hob = *reg;
	*reg = v;
}

static void start_command(struct ide_channel *ch, uint8_t cmd)
{
	struct ide_drive *d = ide_cur(ch);
	if (cmd == 0x90) /* EXECUTE DEVICE DIAGNOSTIC: both devices, device 0 answers */
		ch->sel = 0;
	d = ide_cur(ch);
	if (d->kind == IDE_NONE)
		return;
	bool reset = cmd == 0x08 && d->kind == IDE_CDROM;
	if ((d->status & ST_BSY) && !reset)
		return;
	d->cmd = cmd;
	d->error = 0;
	d->xfer = XFER_NONE;
	d->intrq = false;
	irq_update(ch);
	ide_schedule(ch, d, EV_EXEC);
}

static void reg_write(struct ide_channel *ch, unsigned reg, uint8_t v)
{
	if (reg == 7) {
		start_command(ch, v);
		return;
	}
	ch->devctl &= (uint8_t)~CTL_HOB;
	for (unsigned n = 0; n < 2; n++) {
		struct ide_drive *d = &ch->d[n];
		switch (reg) {
		case 1: latch(&d->feature, &d->hob_feature, v); break;
		case 2: latch(&d->nsect, &d->hob_nsect, v); break;
		case 3: latch(&d->lbal, &d->hob_lbal, v); break;
		case 4: latch(&d->lbam, &d->hob_lbam, v); break;
		case 5: latch(&d->lbah, &d->hob_lbah, v); break;
		default: d->device = v; break;
		}
	}
	if (reg == 6) {
		ch->sel = v >> 4 & 1;
		irq_update(ch);
	}
}

static uint32_t cmd_read(void *opaque, uint32_t off, unsigned size)
{
	struct ide_channel *ch = opaque;
	if (!chan_present(ch))
		return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
	if (off == 0)
		return data_read(ch, size);
	uint32_t v = 0;
	for (unsigned b = 0; b < size; b++)
		v |= (uint32_t)reg_read(ch, (off + b) & 7) << (8 * b);
	return v;
}

static void cmd_write(void *opaque, uint32_t off, uint32_t v, unsigned size)
{
	struct ide_channel *ch = opaque;
	if (!chan_present(ch))
		return;
	if (off == 0) {
		data_write(ch, v, size);
		return;
	}
	for (unsigned b = 0; b < size; b++)
		reg_write(ch, (off + b) & 7, (uint8_t)(v >> (8 * b)));
}

static const struct io_ops cmd_ops = { cmd_read, cmd_write };

/* ---- control block: alternate status, device control, soft reset ---- */

static void drive_reset(struct ide_channel *ch, struct ide_drive *d)
{
	(void)ch;
	d->xfer = XFER_NONE;
	d->intrq = false;
	d->error = 1; /* diagnostic code: no error */
	ide_signature(d);
	d->status = d->kind == IDE_DISK ? ST_DRDY | ST_DSC : 0;
}

static void ctl_write(void *opaque, uint32_t off, uint32_t v, unsigned size)
{
	struct ide_channel *ch = opaque;
	(void)off;
	(void)size;
	uint8_t old = ch->devctl;
	ch->devctl = (uint8_t)v & (CTL_NIEN | CTL_SRST | CTL_HOB);
	if ((v & CTL_SRST) && !(old & CTL_SRST)) {
		timer_cancel(machine_sched(ch->ide->m), &ch->timer);
		for (unsigned n = 0; n < 2; n++) {
			ch->d[n].status = ST_BSY;
			ch->d[n].xfer = XFER_NONE;
			ch->d[n].intrq = false;
		}
	} else if (!(v & CTL_SRST) && (old & CTL_SRST)) {
		ide_schedule(ch, &ch->d[0], EV_RESET_DONE);
	}
	irq_update(ch);
}

static uint32_t ctl_read(void *opaque, uint32_t off, unsigned size)
{
	struct ide_channel *ch = opaque;
	(void)off;
	if (!chan_present(ch))
		return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
	return status_of(ch);
}

static const struct io_ops ctl_ops = { ctl_read, ctl_write };

/* ---- bus-master DMA (SFF-8038i) ---- */

static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

static bool master_enabled(struct ide_channel *ch)
{
	return ch->ide->pci->config[PCI_COMMAND] & PCI_CMD_MASTER;
}

void ide_dma_ready(struct ide_channel *ch)
{
	struct ide_drive *d = ide_cur(ch);
	bool dma = d->xfer == XFER_DMA_IN || d->xfer == XFER_DMA_OUT;
	if (dma && (ch->bm_cmd & BM_START) && ch->ev == EV_NONE) {
		ch->ev = EV_DMA;
		ch->ev_drive = ch->sel & 1;
		struct sched *s = machine_sched(ch->ide->m);
		ch->ev_deadline = sched_now(s) + IDE_DELAY_NS;
		timer_arm(s, &ch->timer, ch->ev_deadline);
	}
}

/* Move up to cnt bytes between guest memory at a and the drive; returns the
 * bytes moved, 0 when the drive has nothing left, -1 on a drive error. */
static int dma_step(struct ide_channel *ch, struct ide_drive *d, paddr_t a, uint32_t cnt)
{
	struct memmap *mem = machine_mem(ch->ide->m);
	if (d->xfer == XFER_DMA_IN) {
		if (d->pos >= d->len) {
			int r = d->kind == IDE_DISK ? ata_dma_fill(ch, d) : atapi_dma_fill(ch, d);
			if (r <= 0)
				return r;
		}
		uint32_t n = d->len - d->pos < cnt ? d->len - d->pos : cnt;
		memmap_write(mem, a, d->buf + d->pos, n);
		d->pos += n;
		return (int)n;
	}
	if (d->left == 0)
		return 0;
	if (d->len == 0) {
		d->len = (d->left < IDE_BUF_SIZE / 512 ? d->left : IDE_BUF_SIZE / 512) * 512;
		d->pos = 0;
	}
	uint32_t n = d->len - d->pos < cnt ? d->len - d->pos : cnt;
	memmap_read(mem, a, d->buf + d->pos, n);
	d->pos += n;
	if (d->pos == d->len) {
		if (ata_dma_store(ch, d, d->len) < 0)
			return -1;
		d->len = 0;
	}
	return (int)n;
}

static bool drive_finished(const struct ide_drive *d)
{
	return d->left == 0 && (d->xfer == XFER_DMA_OUT || d->pos >= d->len);
}

static void dma_run(struct ide_channel *ch, struct ide_drive *d)
{
	struct memmap *mem = machine_mem(ch->ide->m);
	bool eot = false, err = false, ended = false;
	uint32_t cnt = 0;
	for (uint32_t k = 0; k < PRD_MAX && !eot && !err && !ended; k++) {
		uint8_t e[8];
		/* The table may not cross a 64 KiB boundary: the offset wraps. */
		paddr_t at = (ch->bm_prd & 0xFFFF0000u) | ((ch->bm_prd + 8 * k) & 0xFFFFu);
		memmap_read(mem, at, e, sizeof(e));
		paddr_t a = le32(e) & ~1u;
		cnt = (e[4] | e[5] << 8) & 0xFFFEu;
		if (cnt == 0)
			cnt = 0x10000;
		eot = e[7] & 0x80;
		while (cnt) {
			int n = dma_step(ch, d, a, cnt);
			if (n <= 0) {
				err = n < 0;
				ended = n == 0;
				break;
			}
			a += (uint32_t)n;
			cnt -= (uint32_t)n;
		}
	}
	if (err) {
		ch->bm_status &= (uint8_t)~BMS_ACTIVE;
		return; /* the command set reported the error and raised INTRQ */
	}
	if (!drive_finished(d)) {
		ch->bm_status &= (uint8_t)~BMS_ACTIVE;
		ide_abort(ch, d);
		return;
	}
	if (eot && cnt == 0)
		ch->bm_status &= (uint8_t)~BMS_ACTIVE;
	d->xfer = XFER_NONE;
	d->status = ST_DRDY | (d->kind == IDE_DISK ? ST_DSC : 0);
	if (d->kind == IDE_CDROM)
		d->nsect = IR_IO | IR_COD;
	ide_raise(ch, d);
}

static uint32_t bm_read(void *opaque, uint32_t off, unsigned size)
{
	struct ide *ide = opaque;
	uint32_t v = 0;
	for (unsigned b = 0; b < size; b++) {
		unsigned o = (off + b) & 15;
		struct ide_channel *ch = &ide->ch[o >> 3];
		uint8_t byte = 0;
		switch (o & 7) {
		case 0: byte = ch->bm_cmd; break;
		case 2: byte = ch->bm_status; break;
		case 4: case 5: case 6: case 7: byte = (uint8_t)(ch->bm_prd >> (8 * ((o & 7) - 4))); break;
		default: break;
		}
		v |= (uint32_t)byte << (8 * b);
	}
	return v;
}

static void bm_cmd_write(struct ide_channel *ch, uint8_t v)
{
	uint8_t old = ch->bm_cmd;
	ch->bm_cmd = v & (BM_START | BM_WRITE);
	if ((v & BM_START) && !(old & BM_START)) {
		ch->bm_status |= BMS_ACTIVE;
		if (master_enabled(ch))
			ide_dma_ready(ch);
	} else if (!(v & BM_START) && (old & BM_START)) {
		ch->bm_status &= (uint8_t)~BMS_ACTIVE;
		if (ch->ev == EV_DMA) {
			timer_cancel(machine_sched(ch->ide->m), &ch->timer);
			ch->ev = EV_NONE;
		}
	}
}

static void bm_write(void *opaque, uint32_t off, uint32_t v, unsigned size)
{
	struct ide *ide = opaque;
	for (unsigned b = 0; b < size; b++) {
		unsigned o = (off + b) & 15;
		struct ide_channel *ch = &ide->ch[o >> 3];
		uint8_t byte = (uint8_t)(v >> (8 * b));
		unsigned shift = 8 * ((o & 7) - 4);
		switch (o & 7) {
		case 0: bm_cmd_write(ch, byte); break;
		case 2:
			ch->bm_status = (uint8_t)((ch->bm_status & ~BMS_CAPS & ~(byte & (BMS_ERROR | BMS_INTR))) |
						  (byte & BMS_CAPS));
			break;
		case 4: case 5: case 6: case 7:
			ch->bm_prd = (ch->bm_prd & ~(0xFFu << shift)) | (uint32_t)byte << shift;
			ch->bm_prd &= ~3u;
			break;
		default: break;
		}
	}
}

static const struct io_ops bm_ops = { bm_read, bm_write };

static void bar_mapped(struct pci_device *pd, unsigned bar, uint32_t addr)
{
	struct ide *ide = pd->opaque;
	if (bar != 4)
		return;
	struct ioport_table *io = machine_io(ide->m);
	if (ide->bm_base)
		ioport_unregister(io, ide->bm_base, 16);
	ide->bm_base = 0;
	if (addr != PCI_UNMAPPED && ioport_register(io, (uint16_t)addr, 16, &bm_ops, ide) == 0)
		ide->bm_base = (uint16_t)addr;
}

/* ---- timer: the device finishes what it was busy with ---- */

/* EXECUTE DEVICE DIAGNOSTIC: both devices reset their registers; device 0
 * reports (ATA/ATAPI-6, EXECUTE DEVICE DIAGNOSTIC). */
static void ide_diagnostic(struct ide_channel *ch)
{
	for (unsigned n = 0; n < 2; n++)
		drive_reset(ch, &ch->d[n]);
	ch->sel = 0;
	ide_raise(ch, &ch->d[0]);
}

static void reset_done(struct ide_channel *ch)
{
	for (unsigned n = 0; n < 2; n++)
		drive_reset(ch, &ch->d[n]);
	ch->sel = 0;
}

static void ide_timer(void *opaque, vtime_t now)
{
	struct ide_channel *ch = opaque;
	(void)now;
	enum ide_event ev = ch->ev;
	struct ide_drive *d = &ch->d[ch->ev_drive & 1];
	bool disk = d->kind == IDE_DISK;
	ch->ev = EV_NONE;
	switch (ev) {
	case EV_EXEC:
		if (d->cmd == 0x90)
			ide_diagnostic(ch);
		else if (disk)
			ata_command(ch, d);
		else
			atapi_command(ch, d);
		ide_dma_ready(ch);
		break;
	case EV_PIO_NEXT:
		if (disk)
			ata_pio_done(ch, d);
		else
			atapi_pio_done(ch, d);
		break;
	case EV_RESET_DONE: reset_done(ch); break;
	case EV_DMA:
		if (master_enabled(ch) && (d->xfer == XFER_DMA_IN || d->xfer == XFER_DMA_OUT))
			dma_run(ch, d);
		break;
	default: break;
	}
	irq_update(ch);
}

/* ---- the device ---- */

static void drive_setup(struct ide_drive *d, const struct blockdev *bd, unsigned slot)
{
	memset(d, 0, sizeof(*d));
	d->slot = slot;
	if (bd->kind == BLOCKDEV_DISK) {
		d->kind = IDE_DISK;
		d->bd = *bd;
	} else if (bd->kind == BLOCKDEV_CDROM) {
		d->kind = IDE_CDROM;
		if (bd->size)
			d->bd = *bd;
	}
}

static void drive_power_on(struct ide_drive *d)
{
	if (d->kind == IDE_DISK)
		ata_init_drive(d);
	else if (d->kind == IDE_CDROM)
		atapi_init_drive(d, true);
	d->xfer = XFER_NONE;
	d->intrq = false;
	d->error = 1;
	d->status = d->kind == IDE_DISK ? ST_DRDY | ST_DSC : 0;
	ide_signature(d);
}

static void ide_reset(void *opaque)
{
	struct ide *ide = opaque;
	for (unsigned c = 0; c < 2; c++) {
		struct ide_channel *ch = &ide->ch[c];
		timer_cancel(machine_sched(ide->m), &ch->timer);
		ch->ev = EV_NONE;
		ch->sel = 0;
		ch->devctl = 0;
		ch->bm_cmd = 0;
		ch->bm_status = 0;
		ch->bm_prd = 0;
		for (unsigned n = 0; n < 2; n++)
			drive_power_on(&ch->d[n]);
		irq_update(ch);
	}
}

static void *ide_create(struct machine *m)
{
	struct pci_device *pd = piix3_ide_function(m);
	if (!pd) {
		machine_error(m, "ide: no PIIX3 IDE function");
		return NULL;
	}
	struct ide *ide = calloc(1, sizeof(*ide));
	if (!ide)
		return NULL;
	ide->m = m;
	ide->pci = pd;
	const struct machine_config *cfg = machine_config(m);
	for (unsigned c = 0; c < 2; c++) {
		struct ide_channel *ch = &ide->ch[c];
		ch->ide = ide;
		ch->idx = c;
		ch->irq = machine_isa_irq(m, chan_irq[c]);
		timer_init(&ch->timer, ide_timer, ch);
		for (unsigned n = 0; n < 2; n++)
			drive_setup(&ch->d[n], &cfg->drives[DRIVE_HDA + 2 * c + n], DRIVE_HDA + 2 * c + n);
		struct ioport_table *io = machine_io(m);
		if (ioport_register(io, cmd_base[c], 8, &cmd_ops, ch) < 0 ||
		    ioport_register(io, ctl_base[c], 1, &ctl_ops, ch) < 0) {
			machine_error(m, "ide: ports 0x%x/0x%x are taken", cmd_base[c], ctl_base[c]);
			free(ide);
			return NULL;
		}
	}
	pd->opaque = ide;
	pd->bar_mapped = bar_mapped;
	ide_reset(ide);
	return ide;
}

static void ide_destroy(void *opaque)
{
	struct ide *ide = opaque;
	for (unsigned c = 0; c < 2; c++)
		timer_cancel(machine_sched(ide->m), &ide->ch[c].timer);
	free(ide);
}

/* The media (struct blockdev) are not saved: the front end attaches the
 * same images before loading. */
static void ide_post_load(void *opaque)
{
	struct ide *ide = opaque;
	struct sched *s = machine_sched(ide->m);
	for (unsigned c = 0; c < 2; c++) {
		struct ide_channel *ch = &ide->ch[c];
		ch->ev_drive &= 1;
		ch->sel &= 1;
		timer_cancel(s, &ch->timer);
		if (ch->ev != EV_NONE)
			timer_arm(s, &ch->timer, ch->ev_deadline);
		for (unsigned n = 0; n < 2; n++) {
			struct ide_drive *d = &ch->d[n];
			/* A damaged snapshot must not index past buf. */
			if (d->len > IDE_BUF_SIZE || d->pos > d->len || d->chunk_end > d->len) {
				d->xfer = XFER_NONE;
				d->pos = d->len = d->chunk_end = 0;
			}
		}
		irq_set(ch->irq, ch->irq_level);
	}
}

#define DRIVE_FIELDS(c, n)                                                                       \
	STATE_FIELD(struct ide, ch[c].d[n].nsectors), STATE_FIELD(struct ide, ch[c].d[n].cur_heads),  \
	STATE_FIELD(struct ide, ch[c].d[n].cur_spt), STATE_FIELD(struct ide, ch[c].d[n].mult),        \
	STATE_FIELD(struct ide, ch[c].d[n].xfer_mode), STATE_FIELD(struct ide, ch[c].d[n].feature),   \
	STATE_FIELD(struct ide, ch[c].d[n].nsect), STATE_FIELD(struct ide, ch[c].d[n].lbal),          \
	STATE_FIELD(struct ide, ch[c].d[n].lbam), STATE_FIELD(struct ide, ch[c].d[n].lbah),           \
	STATE_FIELD(struct ide, ch[c].d[n].device), STATE_FIELD(struct ide, ch[c].d[n].hob_feature),  \
	STATE_FIELD(struct ide, ch[c].d[n].hob_nsect), STATE_FIELD(struct ide, ch[c].d[n].hob_lbal),  \
	STATE_FIELD(struct ide, ch[c].d[n].hob_lbam), STATE_FIELD(struct ide, ch[c].d[n].hob_lbah),   \
	STATE_FIELD(struct ide, ch[c].d[n].status), STATE_FIELD(struct ide, ch[c].d[n].error),        \
	STATE_FIELD(struct ide, ch[c].d[n].intrq), STATE_FIELD(struct ide, ch[c].d[n].cmd),           \
	STATE_FIELD(struct ide, ch[c].d[n].xfer), STATE_FIELD(struct ide, ch[c].d[n].lba),            \
	STATE_FIELD(struct ide, ch[c].d[n].left), STATE_FIELD(struct ide, ch[c].d[n].block),          \
	STATE_FIELD(struct ide, ch[c].d[n].pos), STATE_FIELD(struct ide, ch[c].d[n].len),             \
	STATE_FIELD(struct ide, ch[c].d[n].chunk_end), STATE_FIELD(struct ide, ch[c].d[n].sense_key), \
	STATE_FIELD(struct ide, ch[c].d[n].asc), STATE_FIELD(struct ide, ch[c].d[n].ascq),            \
	STATE_FIELD(struct ide, ch[c].d[n].locked), STATE_FIELD(struct ide, ch[c].d[n].in_packet),    \
	STATE_FIELD(struct ide, ch[c].d[n].packet_dma), STATE_FIELD(struct ide, ch[c].d[n].unit_attention), \
	STATE_FIELD(struct ide, ch[c].d[n].media_event), STATE_FIELD(struct ide, ch[c].d[n].byte_limit), \
	STATE_FIELD(struct ide, ch[c].d[n].packet), STATE_FIELD(struct ide, ch[c].d[n].buf)

#define CHANNEL_FIELDS(c)                                                                        \
	DRIVE_FIELDS(c, 0), DRIVE_FIELDS(c, 1), STATE_FIELD(struct ide, ch[c].sel),                   \
	STATE_FIELD(struct ide, ch[c].devctl), STATE_FIELD(struct ide, ch[c].irq_level),              \
	STATE_FIELD(struct ide, ch[c].ev), STATE_FIELD(struct ide, ch[c].ev_drive),                   \
	STATE_FIELD(struct ide, ch[c].ev_deadline), STATE_FIELD(struct ide, ch[c].bm_cmd),            \
	STATE_FIELD(struct ide, ch[c].bm_status), STATE_FIELD(struct ide, ch[c].bm_prd)

static const struct state_field ide_fields[] = {
	CHANNEL_FIELDS(0),
	CHANNEL_FIELDS(1),
	{ 0 },
};

int ide_cdrom_change(struct machine *m, unsigned slot, const struct blockdev *bd)
{
	struct ide *ide = machine_device(m, "ide");
	if (!ide || slot > DRIVE_HDD)
		return -1;
	struct ide_drive *d = &ide->ch[slot >> 1].d[slot & 1];
	if (d->kind != IDE_CDROM)
		return -1;
	atapi_media_change(d, bd);
	return 0;
}

const struct device_class ide_class = {
	.name = "ide",
	.create = ide_create,
	.reset = ide_reset,
	.destroy = ide_destroy,
	.fields = ide_fields,
	.post_load = ide_post_load,
};
