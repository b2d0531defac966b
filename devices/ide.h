/*
 * The PIIX3 IDE function: two ATA channels at the legacy ports (primary
 * 0x1F0-0x1F7/0x3F6, IRQ 14; secondary 0x170-0x177/0x376, IRQ 15) with a
 * master and a slave each, and SFF-8038i bus-master DMA behind BAR4 of PCI
 * function 00:01.1. Drives come from machine_config.drives[DRIVE_HDA..HDD]:
 * BLOCKDEV_DISK slots become ATA disks (ata.c), BLOCKDEV_CDROM slots ATAPI
 * CD-ROMs (atapi.c).
 *
 * The structures below are shared by ide.c, ata.c and atapi.c only; other
 * code uses the device class and ide_cdrom_change().
 */
#ifndef POPEK_IDE_H
#define POPEK_IDE_H

#include "devices/blockdev.h"
#include "devices/device.h"
#include "devices/irq.h"
#include "devices/sched.h"

struct machine;
struct pci_device;

extern const struct device_class ide_class;

/* Insert (bd non-NULL, kind BLOCKDEV_CDROM) or eject (bd NULL) the medium of
 * the CD-ROM in slot DRIVE_HDA..DRIVE_HDD; the guest sees a unit attention.
 * Returns -1 when that slot holds no CD-ROM drive. */
int ide_cdrom_change(struct machine *m, unsigned slot, const struct blockdev *bd);

/* ---- internals of the controller ---- */

#define IDE_BUF_SIZE (32 * 512) /* holds a DRQ block of 32 disk or 8 CD sectors */
#define IDE_MAX_MULT 16         /* largest READ/WRITE MULTIPLE block */

/* Status register (ATA/ATAPI-6) */
#define ST_ERR 0x01
#define ST_DRQ 0x08
#define ST_DSC 0x10
#define ST_DF 0x20
#define ST_DRDY 0x40
#define ST_BSY 0x80
/* Error register */
#define ER_AMNF 0x01
#define ER_ABRT 0x04
#define ER_IDNF 0x10
#define ER_UNC 0x40
/* Device register */
#define DEV_LBA 0x40
#define DEV_DEV 0x10
/* Device control register */
#define CTL_NIEN 0x02
#define CTL_SRST 0x04
#define CTL_HOB 0x80
/* ATAPI interrupt reason in the sector count register */
#define IR_COD 0x01
#define IR_IO 0x02

enum ide_kind { IDE_NONE, IDE_DISK, IDE_CDROM };
enum ide_xfer { XFER_NONE, XFER_PIO_IN, XFER_PIO_OUT, XFER_DMA_IN, XFER_DMA_OUT };
/* What the channel timer does when it fires. */
enum ide_event { EV_NONE, EV_EXEC, EV_PIO_NEXT, EV_RESET_DONE, EV_DMA };

struct ide_drive {
	enum ide_kind kind;
	struct blockdev bd;     /* kind BLOCKDEV_NONE: no medium (CD-ROM) */
	unsigned slot;          /* DRIVE_HDA..DRIVE_HDD */
	uint64_t nsectors;      /* in 512-byte (disk) or 2048-byte (CD) blocks */
	uint16_t cyls, heads, spt;      /* default CHS translation */
	uint16_t cur_heads, cur_spt;    /* INITIALIZE DEVICE PARAMETERS */
	uint8_t mult;           /* READ/WRITE MULTIPLE block size, 0 = disabled */
	uint8_t xfer_mode;      /* last SET FEATURES transfer mode value */
	/* task file as the device latched it; hob_* hold the previous writes */
	uint8_t feature, nsect, lbal, lbam, lbah, device;
	uint8_t hob_feature, hob_nsect, hob_lbal, hob_lbam, hob_lbah;
	uint8_t status, error;
	bool intrq;             /* the device asserts INTRQ (when nIEN allows) */
	/* command in progress */
	uint8_t cmd;
	enum ide_xfer xfer;
	uint64_t lba;           /* next block to move */
	uint32_t left;          /* blocks still to move */
	uint32_t block;         /* disk sectors per DRQ block */
	uint32_t pos, len;      /* window of buf holding data */
	uint32_t chunk_end;     /* ATAPI: end of the current DRQ chunk in buf */
	/* ATAPI */
	uint8_t sense_key, asc, ascq;
	bool locked;
	bool in_packet;         /* DRQ phase receiving the command packet */
	bool packet_dma;        /* PACKET with the DMA feature bit */
	bool unit_attention;    /* sense_key 6 not yet reported by a command */
	bool media_event;       /* a new medium not yet reported by GET EVENT */
	uint16_t byte_limit;    /* byte count limit of the PACKET command */
	uint8_t packet[12];
	uint8_t buf[IDE_BUF_SIZE];
};

struct ide;

struct ide_channel {
	struct ide *ide;
	unsigned idx;
	struct ide_drive d[2];
	unsigned sel;           /* selected device (DEV bit) */
	uint8_t devctl;
	struct irq_line irq;
	int irq_level;
	struct timer timer;
	enum ide_event ev;
	unsigned ev_drive;
	vtime_t ev_deadline;    /* when ev happens (kept for snapshots) */
	/* bus master (SFF-8038i): command, status, PRD table address */
	uint8_t bm_cmd, bm_status;
	uint32_t bm_prd;
};

struct ide {
	struct machine *m;
	struct pci_device *pci;
	uint16_t bm_base;       /* 0: BAR4 not decoded */
	struct ide_channel ch[2];
};

/* ide.c services for the command sets */
struct ide_drive *ide_cur(struct ide_channel *ch);
void ide_raise(struct ide_channel *ch, struct ide_drive *d);
void ide_schedule(struct ide_channel *ch, struct ide_drive *d, enum ide_event ev);
void ide_abort(struct ide_channel *ch, struct ide_drive *d);
void ide_dma_ready(struct ide_channel *ch);
void ide_signature(struct ide_drive *d);

/* ata.c: commands of an ATA disk */
void ata_init_drive(struct ide_drive *d);
void ata_command(struct ide_channel *ch, struct ide_drive *d);
/* A PIO DRQ block was fully transferred. */
void ata_pio_done(struct ide_channel *ch, struct ide_drive *d);
/* DMA: fill buf with the next data (returns bytes, 0 at the end, -1 on an
 * error already reported) or store len bytes of buf (returns 0 or -1). */
int ata_dma_fill(struct ide_channel *ch, struct ide_drive *d);
int ata_dma_store(struct ide_channel *ch, struct ide_drive *d, uint32_t len);
void ata_identify_common(struct ide_drive *d, uint16_t *w);
/* Checksum w (word 255) and start its PIO data-in phase. */
void ata_identify_send(struct ide_channel *ch, struct ide_drive *d, uint16_t *w);
void ata_set_features(struct ide_channel *ch, struct ide_drive *d);
void ide_put_string(uint16_t *w, const char *s, unsigned words);

/* atapi.c: the PACKET command set of a CD-ROM */
void atapi_init_drive(struct ide_drive *d, bool power_on);
void atapi_command(struct ide_channel *ch, struct ide_drive *d);
void atapi_pio_done(struct ide_channel *ch, struct ide_drive *d);
int atapi_dma_fill(struct ide_channel *ch, struct ide_drive *d);
void atapi_media_change(struct ide_drive *d, const struct blockdev *bd);

#endif
