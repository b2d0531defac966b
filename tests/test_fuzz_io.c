/*
 * The guest is untrusted: random port I/O against the full PC (every device
 * of pc_devices.c, the real 8259A pair, an IDE disk and CD-ROM and a floppy)
 * interleaved with virtual time, so timers, DMA and interrupts fire in the
 * middle of it. Beside plain random traffic the fuzzer sets up the hostile
 * cases on purpose: 8237 and bus-master DMA aimed at the end of RAM or past
 * it with huge counts, floppy and ATA commands with absurd parameters, VGA
 * and Bochs VBE indices out of range, fw_cfg DMA with bad addresses, PCI
 * BARs moved anywhere. The only assertion is survival (the sanitizer build
 * turns any stray host access into a failure) and that virtual time still
 * advances afterwards. Seeds are fixed; a failure names the seed and step.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "tests/bus_util.h"
#include "tests/fuzz_util.h"
#include "tests/ide_util.h"

#define RAM (16u << 20) /* bus_machine's size */
#define BM 0xC000       /* bus-master IDE base we map BAR4 to */
#define FLOPPY (1474560u)

struct fuzz {
	struct machine *m;
	uint64_t x; /* xorshift64 state */
	struct memdisk md[3];
};

static uint32_t rnd(struct fuzz *f)
{
	f->x ^= f->x << 13;
	f->x ^= f->x >> 7;
	f->x ^= f->x << 17;
	return (uint32_t)(f->x >> 16);
}

/* A value biased to the edges, where the bugs live. */
static uint32_t rnd_val(struct fuzz *f)
{
	static const uint32_t edge[] = { 0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x8000, 0xFFFFFFFFu, 0xFFFFFFF0u };
	uint32_t r = rnd(f);
	return r % 4 == 0 ? edge[(r >> 8) % (sizeof(edge) / sizeof(edge[0]))] : rnd(f);
}

/* Port ranges the PC's devices claim, plus the whole space now and then. */
static const struct { uint16_t base, len; } ranges[] = {
	{ 0x00, 0x10 },   { 0x20, 2 },    { 0x40, 4 },    { 0x60, 1 },   { 0x61, 1 },  { 0x64, 1 },
	{ 0x70, 2 },      { 0x80, 0x10 }, { 0x92, 1 },    { 0xA0, 2 },   { 0xC0, 0x20 }, { 0x170, 8 },
	{ 0x1CE, 3 },     { 0x1F0, 8 },   { 0x2F8, 8 },   { 0x376, 1 },  { 0x3B0, 0x30 }, { 0x3F0, 8 },
	{ 0x3F6, 1 },     { 0x3F8, 8 },   { 0x402, 1 },   { 0x4D0, 2 },  { 0x510, 2 },  { 0x514, 8 },
	{ 0xCF8, 8 },     { 0xCF9, 1 },   { 0xE9, 1 },    { BM, 16 },    { 0xB000, 64 }, { 0, 0xFFFF },
};

static uint16_t rnd_port(struct fuzz *f)
{
	unsigned i = rnd(f) % (sizeof(ranges) / sizeof(ranges[0]));
	return (uint16_t)(ranges[i].base + rnd(f) % ranges[i].len);
}

static void random_io(struct fuzz *f)
{
	uint16_t port = rnd_port(f);
	unsigned size = 1u << (rnd(f) % 3);
	if (rnd(f) & 1)
		io_out(f->m, port, rnd_val(f), size);
	else
		io_in(f->m, port, size);
}

/* 8237 channel 2 (floppy) or 1..7 at the top of the 24-bit space or of RAM
 * with the largest count, unmasked, in a random mode. */
static void dma_hostile(struct fuzz *f)
{
	unsigned ch = rnd(f) % 8;
	uint32_t addr = rnd(f) & 1 ? RAM - 1 - rnd(f) % 16 : 0xFFFFFF - rnd(f) % 16;
	static const uint8_t page_port[8] = { 0x87, 0x83, 0x81, 0x82, 0x8F, 0x8B, 0x89, 0x8A };
	if (ch < 4) {
		outb(f->m, 0x0C, 0);
		outb(f->m, (uint16_t)(ch * 2), (uint8_t)addr);
		outb(f->m, (uint16_t)(ch * 2), (uint8_t)(addr >> 8));
		outb(f->m, 0x0C, 0);
		outb(f->m, (uint16_t)(ch * 2 + 1), 0xFF);
		outb(f->m, (uint16_t)(ch * 2 + 1), 0xFF);
		outb(f->m, 0x0B, (uint8_t)((rnd(f) & 0xFC) | ch));
		outb(f->m, 0x0A, (uint8_t)ch);
	} else {
		uint16_t base = (uint16_t)(0xC0 + (ch - 4) * 4);
		outb(f->m, 0xD8, 0);
		outb(f->m, base, (uint8_t)(addr >> 1));
		outb(f->m, base, (uint8_t)(addr >> 9));
		outb(f->m, (uint16_t)(base + 2), 0xFF);
		outb(f->m, (uint16_t)(base + 2), 0xFF);
		outb(f->m, 0xD6, (uint8_t)((rnd(f) & 0xFC) | (ch - 4)));
		outb(f->m, 0xD4, (uint8_t)(ch - 4));
	}
	outb(f->m, page_port[ch], (uint8_t)(addr >> 16));
}

/* 8237 channel 2 aimed at the end of RAM or of the 24-bit space, then a
 * reset 82077AA given a whole data command with random parameters (track,
 * head, sector, size code N up to 255, EOT, gap, DTL), so that it really
 * transfers. */
static void fdc_hostile(struct fuzz *f)
{
	uint32_t addr = rnd(f) & 1 ? RAM - 1 - rnd(f) % 1024 : 0xFFFFFF - rnd(f) % 1024;
	uint16_t count = rnd(f) & 1 ? 0xFFFF : (uint16_t)rnd(f);
	outb(f->m, 0x0A, 0x06);
	outb(f->m, 0x0C, 0);
	outb(f->m, 0x0B, (uint8_t)((rnd(f) & 0xDC) | 2));
	outb(f->m, 0x04, (uint8_t)addr);
	outb(f->m, 0x04, (uint8_t)(addr >> 8));
	outb(f->m, 0x81, (uint8_t)(addr >> 16));
	outb(f->m, 0x05, (uint8_t)count);
	outb(f->m, 0x05, (uint8_t)(count >> 8));
	outb(f->m, 0x0A, 0x02);
	outb(f->m, 0x3F2, 0x00);
	outb(f->m, 0x3F2, (uint8_t)(0x1C | (rnd(f) & 3)));
	bus_skip(f->m, 100000); /* the reset takes 20 us */
	for (unsigned k = 0; k < 4; k++) {
		outb(f->m, 0x3F5, 0x08);
		inb(f->m, 0x3F5);
		inb(f->m, 0x3F5);
	}
	static const uint8_t cmds[] = { 0x46, 0x66, 0xE6, 0xC5, 0x45, 0x56, 0x42, 0x4D, 0x4A, 0x0F };
	static const uint8_t nparams[] = { 8, 8, 8, 8, 8, 8, 8, 5, 1, 2 };
	unsigned c = rnd(f) % sizeof(cmds);
	outb(f->m, 0x3F5, cmds[c]);
	for (unsigned n = 0; n < nparams[c]; n++)
		outb(f->m, 0x3F5, (uint8_t)(rnd(f) & 1 ? rnd(f) % 4 : rnd_val(f)));
	bus_skip(f->m, rnd(f) % 5000000);
}

/* An ATAPI packet of a real opcode with random fields (LBA, lengths,
 * allocation sizes), by PIO or DMA, to the secondary master CD-ROM. */
static void atapi_hostile(struct fuzz *f)
{
	static const uint8_t ops[] = { 0x00, 0x03, 0x12, 0x1B, 0x1E, 0x25, 0x28, 0x2B, 0x43, 0x46,
				       0x4A, 0x51, 0x5A, 0xA8, 0xAD, 0xBB, 0xBD, 0xBE, 0x42, 0x44 };
	uint8_t pkt[12];
	for (unsigned i = 0; i < 12; i++)
		pkt[i] = (uint8_t)(rnd(f) & 1 ? rnd(f) : rnd(f) % 3 ? 0 : 0xFF);
	pkt[0] = ops[rnd(f) % sizeof(ops)];
	outb(f->m, SEC + 6, 0xA0);
	outb(f->m, SEC + 1, (uint8_t)(rnd(f) & 1));
	outb(f->m, SEC + 4, (uint8_t)rnd_val(f));
	outb(f->m, SEC + 5, (uint8_t)rnd_val(f));
	outb(f->m, SEC + 7, 0xA0);
	bus_skip(f->m, 20000); /* until the drive asks for the packet (DRQ) */
	for (unsigned i = 0; i < 12; i += 2)
		io_out(f->m, SEC, (uint32_t)(pkt[i] | pkt[i + 1] << 8), 2);
	bus_skip(f->m, rnd(f) % 200000);
	for (unsigned n = rnd(f) % 300; n; n--)
		io_in(f->m, SEC, 2);
}

/* A PRD table at the very end of RAM (so its last entry runs past it) whose
 * entries point at the end of RAM, past it, or at MMIO, then an ATA or
 * ATAPI DMA command with a huge count. */
static void bm_hostile(struct fuzz *f)
{
	paddr_t prd = rnd(f) & 1 ? RAM - 8 * (1 + rnd(f) % 3) : 0xFFFFFFF8u & (rnd(f) | 0xFFF00000u);
	uint32_t e[2] = { rnd(f) & 1 ? RAM - rnd(f) % 4096 : rnd_val(f),
			  (rnd(f) & 0xFFFF) | (rnd(f) & 1 ? 0x80000000u : 0) };
	uint8_t b[8];
	for (unsigned i = 0; i < 4; i++) {
		b[i] = (uint8_t)(e[0] >> 8 * i);
		b[4 + i] = (uint8_t)(e[1] >> 8 * i);
	}
	if (prd < RAM)
		memmap_write(machine_mem(f->m), prd, b, prd + 8 <= RAM ? 8 : RAM - prd);
	uint16_t base = rnd(f) & 1 ? PRI : SEC;
	uint16_t bm = (uint16_t)(BM + (base == SEC ? 8 : 0));
	io_out(f->m, (uint16_t)(bm + 4), prd, 4);
	outb(f->m, (uint16_t)(bm + 2), 0x06);
	outb(f->m, (uint16_t)(base + 6), (uint8_t)(0xE0 | (rnd(f) & 0x10)));
	/* LBA48 commands take each register twice; a small LBA is mostly
	 * inside the 1 MiB disk, so the transfer really starts. */
	for (unsigned k = 0; k < 2; k++) {
		outb(f->m, (uint16_t)(base + 2), (uint8_t)rnd(f));
		outb(f->m, (uint16_t)(base + 3), (uint8_t)(rnd(f) & 1 ? rnd(f) : rnd(f) % 8));
		outb(f->m, (uint16_t)(base + 4), (uint8_t)(rnd(f) & 1 ? rnd(f) : 0));
		outb(f->m, (uint16_t)(base + 5), (uint8_t)(rnd(f) & 1 ? rnd(f) : 0));
	}
	static const uint8_t cmds[] = { 0xC8, 0xCA, 0x25, 0x35, 0xA0, 0xC4, 0xC5, 0x20, 0x30, 0x24, 0x34,
					0x29, 0x39, 0xEC, 0xA1, 0xC6 };
	outb(f->m, (uint16_t)(base + 7), cmds[rnd(f) % sizeof(cmds)]);
	bus_skip(f->m, 20000); /* until DRQ */
	/* PIO data or an ATAPI packet, whichever the command wants */
	for (unsigned i = rnd(f) & 1 ? 6 : rnd(f) % 1200; i; i--)
		io_out(f->m, base, rnd_val(f), 2);
	outb(f->m, bm, (uint8_t)(1 | (rnd(f) & 8)));
}

/* fw_cfg DMA: an access structure at a bad place, or a good place holding
 * a bad destination and length. */
static void fw_cfg_hostile(struct fuzz *f)
{
	uint32_t acc = rnd(f) % 3 == 0 ? rnd_val(f) : RAM - 16 + rnd(f) % 24;
	if (acc + 16 <= RAM && acc < acc + 16) {
		uint8_t a[16];
		uint32_t ctl = rnd_val(f), len = rnd_val(f), dst = RAM - rnd(f) % 64;
		for (unsigned i = 0; i < 4; i++) {
			a[i] = (uint8_t)(ctl >> (24 - 8 * i));
			a[4 + i] = (uint8_t)(len >> (24 - 8 * i));
			a[8 + i] = 0;
			a[12 + i] = (uint8_t)(dst >> (24 - 8 * i));
		}
		memmap_write(machine_mem(f->m), acc, a, 16);
	}
	io_out(f->m, 0x514, rnd(f) & 7 ? 0 : rnd_val(f), 4); /* high half, big-endian */
	uint32_t be = __builtin_bswap32(acc);
	io_out(f->m, 0x518, be, 4);
}

/* VGA and Bochs VBE indexed registers with any index and value, and the
 * memory window behind whatever mode that leaves. */
static void vga_hostile(struct fuzz *f)
{
	static const uint16_t idx[] = { 0x3C4, 0x3CE, 0x3D4, 0x3B4, 0x1CE };
	uint16_t p = idx[rnd(f) % 5];
	if (p == 0x1CE) {
		io_out(f->m, 0x1CE, rnd(f) % 16, 2);
		io_out(f->m, 0x1CF, rnd_val(f), 2);
	} else {
		io_out(f->m, p, rnd(f), 1);
		io_out(f->m, (uint16_t)(p + 1), rnd(f), 1);
	}
	inb(f->m, 0x3DA);
	outb(f->m, 0x3C0, (uint8_t)rnd(f));
	outb(f->m, 0x3C0, (uint8_t)rnd(f));
	for (unsigned n = 0; n < 8; n++) {
		paddr_t a = 0xA0000 + rnd(f) % 0x20000;
		if (rnd(f) & 1)
			memmap_store(machine_mem(f->m), a, rnd(f), 1u << rnd(f) % 3);
		else
			memmap_load(machine_mem(f->m), a, 1u << rnd(f) % 3);
	}
}

/* Any PCI configuration write: BARs land anywhere, ROM and command bits. */
static void pci_hostile(struct fuzz *f)
{
	unsigned devfn = rnd(f) % 4 == 0 ? rnd(f) & 0xFF : rnd(f) % 3 << 3 | rnd(f) % 3;
	cfg_write(f->m, devfn, rnd(f) & 0xFC, rnd_val(f), 4);
}

static void fuzz_init(struct fuzz *f, uint32_t seed)
{
	memset(f, 0, sizeof(*f));
	f->x = 0x9E3779B97F4A7C15ull ^ seed;
	struct machine_config cfg = { 0 };
	cfg.drives[DRIVE_HDA] = memdisk_new(&f->md[0], BLOCKDEV_DISK, 1u << 20, 0, 1u << 16, false);
	cfg.drives[DRIVE_HDC] = memdisk_new(&f->md[1], BLOCKDEV_CDROM, 1u << 20, 0, 1u << 16, true);
	cfg.drives[DRIVE_FDA] = memdisk_new(&f->md[2], BLOCKDEV_FLOPPY, FLOPPY, 0, 1u << 16, false);
	f->m = bus_machine(NULL, 0, &cfg);
	cfg_write(f->m, 0x09, 0x20, BM | 1, 4);
	cfg_write(f->m, 0x09, 0x04, 0x0005, 2);
}

static void fuzz_free(struct fuzz *f)
{
	machine_free(f->m);
	for (unsigned i = 0; i < 3; i++)
		memdisk_free(&f->md[i]);
}

static void fuzz_step(struct fuzz *f)
{
	uint32_t r = rnd(f) % 64;
	switch (r) {
	case 0: dma_hostile(f); break;
	case 1: fdc_hostile(f); break;
	case 2: bm_hostile(f); break;
	case 3: fw_cfg_hostile(f); break;
	case 4: vga_hostile(f); break;
	case 5: pci_hostile(f); break;
	case 6: bus_skip(f->m, rnd(f) % 2000000); break;
	case 7: atapi_hostile(f); break;
	default:
		random_io(f);
		if (r < 16)
			bus_skip(f->m, rnd(f) % 20000);
	}
}

/* Registers whose value after a reset and 1 ms does not depend on time:
 * IDE status and error, floppy MSR, UART IER/IIR/LCR/MCR/LSR of both
 * ports, DMA status, VGA misc output, PIC IMRs, fw_cfg signature. (Not
 * the 8042 status: its system flag survives a reset on purpose, the warm
 * boot mark.) */
static const uint16_t settled[] = { 0x1F1, 0x1F7, 0x171, 0x177, 0x3F4, 0x3F9, 0x3FA, 0x3FB, 0x3FC,
				    0x3FD, 0x2F9, 0x2FA, 0x2FB, 0x2FC, 0x2FD, 0x08, 0xD0, 0x3CC,
				    0x21, 0xA1, 0x511 };

/* fw_cfg selector 0 (the signature), as firmware would after a reset. */
static void outw_sel(struct machine *m) { io_out(m, 0x510, 0, 2); }

static void read_settled(struct machine *m, uint8_t *out)
{
	machine_reset(m);
	outw_sel(m);
	bus_skip(m, 1000000);
	for (unsigned i = 0; i < sizeof(settled) / sizeof(settled[0]); i++)
		out[i] = inb(m, settled[i]);
}

/* Survival, and a machine reset afterwards gives back exactly the device
 * state a fresh machine has: nothing the guest did outlives the reset. */
Test(fuzz_io, random_port_io_against_the_full_pc, .timeout = 120)
{
	fuzz_where_init("fuzz_io");
	uint8_t want[sizeof(settled) / sizeof(settled[0])], got[sizeof(want)];
	struct fuzz f;
	fuzz_init(&f, 0);
	read_settled(f.m, want);
	fuzz_free(&f);
	for (uint32_t seed = 1; seed <= 64; seed++) {
		fuzz_init(&f, seed);
		for (unsigned step = 0; step < 8000; step++) {
			fuzz_where(seed, step);
			fuzz_step(&f);
		}
		fuzz_where(seed, 8000);
		read_settled(f.m, got);
		for (unsigned i = 0; i < sizeof(want); i++)
			cr_assert_eq(got[i], want[i], "seed %u: port %#x reads %#x after reset, fresh %#x",
				     seed, settled[i], got[i], want[i]);
		fuzz_free(&f);
	}
}
