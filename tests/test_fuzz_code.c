/*
 * The guest is untrusted: random bytes run as guest code on the full PC
 * (every device, the real 8259A pair, an IDE disk and CD-ROM, a floppy), in
 * real mode and in flat 32-bit protected mode (the tm_new and pu_new
 * set-ups), with port I/O biased in: MOV DX/AL then IN/OUT of every size,
 * immediate-port forms, and REP INS/OUTS with random counts, aimed at the
 * ports devices claim. Exceptions land on the set-up's HLT handlers;
 * interrupts the devices raise go through the PIC the code itself programs.
 * The only assertion is survival (the sanitizer build reports any stray host
 * access); seeds are fixed and a crash names the seed and round.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/interrupt.h"
#include "tests/bus_util.h"
#include "tests/fuzz_util.h"
#include "tests/ide_util.h"
#include "tests/prot_util.h"
#include "tests/tm.h"

#define CODE_LEN 768
#define SEEDS 400

static uint32_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return (uint32_t)(*x >> 16);
}

static const uint16_t ports[] = { 0x00, 0x04, 0x08, 0x0A, 0x0B, 0x0C, 0x20, 0x21, 0x40, 0x42, 0x43, 0x60,
				  0x61, 0x64, 0x70, 0x71, 0x81, 0x87, 0x92, 0xA0, 0xA1, 0xC0, 0xC4,
				  0xD4, 0xD6, 0x170, 0x177, 0x1CE, 0x1CF, 0x1F0, 0x1F2, 0x1F6, 0x1F7,
				  0x2F8, 0x2FB, 0x376, 0x3B4, 0x3B5, 0x3C0, 0x3C4, 0x3C5, 0x3C9, 0x3CE,
				  0x3CF, 0x3D4, 0x3D5, 0x3DA, 0x3F2, 0x3F4, 0x3F5, 0x3F6, 0x3F7, 0x3F8,
				  0x3F9, 0x3FB, 0x3FD, 0x510, 0x511, 0x514, 0x518, 0xCF8, 0xCF9, 0xCFC,
				  0xCFE, 0x4D0, 0xE9, 0x402 };

/* Appends one I/O snippet at out; returns its length (at most 8). */
static unsigned io_snippet(uint64_t *x, uint8_t *out)
{
	uint16_t port = ports[rnd(x) % (sizeof(ports) / sizeof(ports[0]))];
	uint32_t r = rnd(x);
	unsigned n = 0;
	out[n++] = 0xB0; /* mov al, imm8 */
	out[n++] = (uint8_t)(r >> 8);
	if (port < 0x100 && r % 4 == 0) {
		static const uint8_t imm_io[] = { 0xE4, 0xE5, 0xE6, 0xE7 };
		out[n++] = imm_io[r % 16 / 4];
		out[n++] = (uint8_t)port;
		return n;
	}
	out[n++] = 0xBA; /* mov (e)dx, imm: the low 16 bits are what matter */
	out[n++] = (uint8_t)port;
	out[n++] = (uint8_t)(port >> 8);
	if (r % 8 == 1) { /* rep ins/outs with a small random CX (byte or word) */
		out[n++] = 0xB1; /* mov cl, imm8 */
		out[n++] = (uint8_t)(r >> 16);
		out[n++] = 0xF3;
		out[n++] = (uint8_t)(0x6C + (r >> 24) % 4);
		return n;
	}
	static const uint8_t dx_io[] = { 0xEC, 0xED, 0xEE, 0xEF };
	if (r % 8 == 2)
		out[n++] = 0x66; /* the other operand size: word vs dword */
	out[n++] = dx_io[(r >> 24) % 4];
	return n;
}

static void random_code(uint64_t *x, uint8_t *code)
{
	unsigned i = 0;
	while (i < CODE_LEN - 8) {
		if (rnd(x) % 4 == 0)
			i += io_snippet(x, code + i);
		else
			code[i++] = (uint8_t)rnd(x);
	}
	while (i < CODE_LEN)
		code[i++] = 0xF4;
}

struct rig {
	struct memdisk md[3];
	struct machine_config cfg;
};

static struct machine *build(struct rig *r, bool prot, const uint8_t *code)
{
	r->cfg = (struct machine_config){ .ram_size = 16u << 20 };
	r->cfg.drives[DRIVE_HDA] = memdisk_new(&r->md[0], BLOCKDEV_DISK, 1u << 20, 0, 1u << 16, false);
	r->cfg.drives[DRIVE_HDC] = memdisk_new(&r->md[1], BLOCKDEV_CDROM, 1u << 20, 0, 1u << 16, true);
	r->cfg.drives[DRIVE_FDA] = memdisk_new(&r->md[2], BLOCKDEV_FLOPPY, 1474560, 0, 1u << 16, false);
	struct machine *m = tm_new_cfg(&r->cfg, "");
	/* Bus-master IDE at 0xC000 so random code can start DMA too. */
	cfg_write(m, 0x09, 0x20, 0xC000 | 1, 4);
	cfg_write(m, 0x09, 0x04, 0x0005, 2);
	memmap_write(machine_mem(m), TM_CODE, code, CODE_LEN);
	return prot ? pu_enter(m) : m;
}

static void rig_free(struct rig *r, struct machine *m)
{
	machine_free(m);
	for (unsigned i = 0; i < 3; i++)
		memdisk_free(&r->md[i]);
}

/* Back into the code at a random offset with a fresh stack: a round mostly
 * ends at an exception's HLT handler, and one pass through random bytes
 * runs only a few dozen instructions before it faults. */
static void reenter(struct machine *m, bool prot, uint32_t off)
{
	struct cpu *c = machine_cpu(m);
	c->halted = false;
	c->r[R_ESP].d = 0x8000;
	if (prot) {
		pu_seg(c, S_CS, PU_CS0);
		pu_seg(c, S_SS, PU_DS0);
		c->eip = TM_CODE + off;
	} else {
		seg_load_real(c, S_CS, TM_CODE >> 4);
		seg_load_real(c, S_SS, 0);
		c->eip = off;
	}
}

/* Run in rounds; between them time passes (interrupts, resets and DMA
 * completions act on whatever state the code left) and the CPU re-enters
 * the code somewhere. Returns the instructions retired. */
static uint64_t run_seed(uint32_t seed, bool prot)
{
	uint64_t x = 0x2545F4914F6CDD1Dull ^ seed;
	uint8_t code[CODE_LEN];
	random_code(&x, code);
	struct rig r;
	struct machine *m = build(&r, prot, code);
	uint64_t start = machine_cpu(m)->icount;
	for (unsigned round = 0; round < 16; round++) {
		fuzz_where(seed, round);
		machine_run(m, machine_cpu(m)->icount + 2000);
		bus_skip(m, rnd(&x) % 1000000);
		reenter(m, prot, rnd(&x) % CODE_LEN);
	}
	uint64_t ran = machine_cpu(m)->icount - start;
	rig_free(&r, m);
	return ran;
}

Test(fuzz_code, random_code_with_devices_real_mode, .timeout = 120)
{
	fuzz_where_init("fuzz_code real mode");
	uint64_t ran = 0;
	for (uint32_t seed = 1; seed <= SEEDS; seed++)
		ran += run_seed(seed, false);
	/* Survival is the test; this only shows the rounds really run code. */
	cr_assert_gt(ran, SEEDS * 2000ull, "only %llu instructions ran", (unsigned long long)ran);
}

Test(fuzz_code, random_code_with_devices_protected_mode, .timeout = 120)
{
	fuzz_where_init("fuzz_code protected mode");
	uint64_t ran = 0;
	for (uint32_t seed = 1; seed <= SEEDS; seed++)
		ran += run_seed(seed, true);
	/* Survival is the test; this only shows the rounds really run code. */
	cr_assert_gt(ran, SEEDS * 2000ull, "only %llu instructions ran", (unsigned long long)ran);
}
