/* i440FX PAM and SMRAM routing, PIIX3 reset control and PIIX4-style power
 * management (440FX data sheet 3.2; PIIX3/PIIX4 data sheets). */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "tests/bus_util.h"
#include "cpu/interrupt.h"
#include "tests/tm.h"

#define HOST 0x00
#define PM 0x0B
#define BIOS_LEN 0x20000u

static uint8_t bios_byte(size_t i) { return (uint8_t)(i * 7 + 3); }

/* 128 KiB image: a pattern, with HLT at the reset vector (last 16 bytes). */
static struct machine *with_bios(void)
{
	uint8_t *img = malloc(BIOS_LEN);
	for (size_t i = 0; i < BIOS_LEN; i++)
		img[i] = bios_byte(i);
	img[BIOS_LEN - 16] = 0xF4;
	struct machine *m = bus_machine(img, BIOS_LEN, NULL);
	free(img);
	return m;
}

static uint8_t rd8(struct machine *m, paddr_t a) { return tm_peek8(m, a); }

static void wr8(struct machine *m, paddr_t a, uint8_t v) { memmap_write(machine_mem(m), a, &v, 1); }

Test(chipset, pam_reset_routes_bios_area_to_rom)
{
	struct machine *m = with_bios();
	for (unsigned r = 0x59; r <= 0x5F; r++)
		cr_assert_eq(cfg_read(m, HOST, r, 1), 0);
	cr_assert_eq(rd8(m, 0xF0000), bios_byte(BIOS_LEN - 0x10000));
	cr_assert_eq(rd8(m, 0xE1234), bios_byte(0x1234));
	wr8(m, 0xF0000, 0x5A);
	cr_assert_eq(rd8(m, 0xF0000), bios_byte(BIOS_LEN - 0x10000), "ROM ignores writes");
	machine_free(m);
}

Test(chipset, pam_shadowing_sequence_for_the_f_segment)
{
	struct machine *m = with_bios();
	cfg_write(m, HOST, 0x59, 0x20, 1); /* writes to DRAM, reads from ROM */
	wr8(m, 0xF0010, 0xA5);
	cr_assert_eq(rd8(m, 0xF0010), bios_byte(BIOS_LEN - 0x10000 + 0x10));
	cr_assert_eq(machine_mem(m)->ram[0xF0010], 0xA5, "the write landed in DRAM");
	cfg_write(m, HOST, 0x59, 0x30, 1); /* reads and writes to DRAM */
	cr_assert_eq(rd8(m, 0xF0010), 0xA5);
	cfg_write(m, HOST, 0x59, 0x10, 1); /* read-only shadow: writes dropped */
	wr8(m, 0xF0010, 0x11);
	cr_assert_eq(rd8(m, 0xF0010), 0xA5);
	size_t len;
	const uint8_t *rom = machine_bios_rom(m, &len);
	cr_assert_eq(rom[BIOS_LEN - 0x10000 + 0x10], bios_byte(BIOS_LEN - 0x10000 + 0x10), "ROM untouched");
	cfg_write(m, HOST, 0x59, 0x00, 1);
	cr_assert_eq(rd8(m, 0xF0010), bios_byte(BIOS_LEN - 0x10000 + 0x10), "back to ROM");
	machine_free(m);
}

Test(chipset, pam_nibbles_select_16k_blocks)
{
	struct machine *m = with_bios();
	cfg_write(m, HOST, 0x5B, 0x03, 1); /* PAM2 low nibble: 0xC8000-0xCBFFF */
	wr8(m, 0xC8000, 0x42);
	wr8(m, 0xCBFFF, 0x44); /* the block's last byte */
	wr8(m, 0xCC000, 0x43);
	cr_assert_eq(rd8(m, 0xC8000), 0x42);
	cr_assert_eq(rd8(m, 0xCBFFF), 0x44);
	cr_assert_eq(rd8(m, 0xCC000), 0xFF, "PAM2 high nibble still 0: nothing there");
	cfg_write(m, HOST, 0x5E, 0x30, 1); /* PAM5 high nibble: 0xE4000-0xE7FFF */
	cr_assert_eq(rd8(m, 0xE0000), bios_byte(0), "0xE0000 block still ROM");
	wr8(m, 0xE4000, 0x77);
	cr_assert_eq(rd8(m, 0xE4000), 0x77);
	machine_free(m);
}

Test(chipset, pam_reserved_bits_read_zero)
{
	struct machine *m = with_bios();
	cfg_write(m, HOST, 0x59, 0xFF, 1);
	cfg_write(m, HOST, 0x5A, 0xFF, 1);
	cr_assert_eq(cfg_read(m, HOST, 0x59, 1), 0x30);
	cr_assert_eq(cfg_read(m, HOST, 0x5A, 1), 0x33);
	machine_free(m);
}

Test(chipset, smram_d_open_shows_dram_under_vga_window)
{
	struct machine *m = with_bios();
	cr_assert_eq(cfg_read(m, HOST, 0x72, 1), 0x02);
	machine_mem(m)->ram[0xA0000] = 0x99;
	cr_assert_neq(rd8(m, 0xA0000), 0x99, "the VGA window, not DRAM");
	cfg_write(m, HOST, 0x72, 0x4A, 1);
	cr_assert_eq(cfg_read(m, HOST, 0x72, 1), 0x4A);
	cr_assert_eq(rd8(m, 0xA0000), 0x99);
	cfg_write(m, HOST, 0x72, 0x0A, 1);
	cr_assert_neq(rd8(m, 0xA0000), 0x99, "the VGA window again");
	machine_free(m);
}

Test(chipset, smram_lock_closes_and_freezes_d_open)
{
	struct machine *m = with_bios();
	cfg_write(m, HOST, 0x72, 0x4A, 1);
	cfg_write(m, HOST, 0x72, 0x5A, 1); /* D_LCK */
	cr_assert_eq(cfg_read(m, HOST, 0x72, 1) & 0x40, 0);
	cfg_write(m, HOST, 0x72, 0x4A, 1);
	cr_assert_eq(cfg_read(m, HOST, 0x72, 1) & 0x50, 0x10, "locked until reset");
	machine_reset(m);
	cr_assert_eq(cfg_read(m, HOST, 0x72, 1), 0x02);
	machine_free(m);
}

Test(chipset, cf9_rcpu_with_srst_resets_the_machine)
{
	struct machine *m = with_bios();
	struct cpu *c = machine_cpu(m);
	cfg_write(m, HOST, 0x59, 0x30, 1);
	c->r[R_EAX].d = 0x1234;
	outb(m, 0xCF9, 0x02);
	cr_assert_eq(inb(m, 0xCF9), 0x02);
	outb(m, 0xCF9, 0x06);
	cr_assert_eq(machine_run(m, c->icount + 100), MACHINE_HALTED);
	/* Reset cleared EAX and the CPU ran the HLT at the reset vector. */
	cr_assert_eq(c->r[R_EAX].d, 0);
	cr_assert_eq(c->seg[S_CS].sel, 0xF000);
	cr_assert_eq(c->eip, 0xFFF1);
	cr_assert_eq(cfg_read(m, HOST, 0x59, 1), 0, "PAM back to reset values");
	cr_assert_eq(inb(m, 0xCF9), 0x00);
	machine_free(m);
}

Test(chipset, cf9_without_rcpu_edge_does_not_reset)
{
	struct machine *m = with_bios();
	struct cpu *c = machine_cpu(m);
	c->r[R_EAX].d = 0x1234;
	outb(m, 0xCF9, 0x02);
	cr_assert_eq(machine_run(m, c->icount + 100), MACHINE_HALTED);
	cr_assert_eq(c->r[R_EAX].d, 0x1234);
	machine_free(m);
}

static uint16_t pm_enable(struct machine *m, uint16_t base)
{
	cfg_write(m, PM, 0x40, base | 1u, 4);
	cfg_write(m, PM, 0x80, 0x01, 1);
	return base;
}

Test(chipset, pm_block_decoded_only_when_pmiose_set)
{
	struct machine *m = with_bios();
	cr_assert_eq(cfg_read(m, PM, 0x40, 4), 1, "PMBA reads 1 at reset (I/O indicator)");
	cfg_write(m, PM, 0x40, 0xB001, 4);
	io_out(m, 0xB002, 0x0100, 2);
	cr_assert_eq(io_in(m, 0xB002, 2), 0xFFFF, "PMIOSE clear: ports unclaimed");
	cfg_write(m, PM, 0x80, 0x01, 1);
	io_out(m, 0xB002, 0x0100, 2);
	cr_assert_eq(io_in(m, 0xB002, 2), 0x0100, "PM1_EN is read/write");
	cfg_write(m, PM, 0x40, 0xB101, 4);
	cr_assert_eq(io_in(m, 0xB002, 2), 0xFFFF, "moved away");
	cr_assert_eq(io_in(m, 0xB102, 2), 0x0100);
	cfg_write(m, PM, 0x80, 0x00, 1);
	cr_assert_eq(io_in(m, 0xB102, 2), 0xFFFF);
	machine_free(m);
}

Test(chipset, pm1_cnt_slp_en_with_s5_type_powers_off)
{
	struct machine *m = with_bios();
	uint16_t pm = pm_enable(m, 0xB000);
	io_out(m, pm + 4, 5u << 10 | 0x2000, 2); /* SLP_TYP 5: not S5 here */
	cr_assert_not(machine_poweroff_requested(m));
	cr_assert_eq(io_in(m, pm + 4, 2) & 0x2000, 0, "SLP_EN reads 0");
	io_out(m, pm + 4, 0x2000, 2);
	cr_assert(machine_poweroff_requested(m));
	machine_reset(m);
	cr_assert_not(machine_poweroff_requested(m));
	machine_free(m);
}

Test(chipset, pm_timer_counts_at_3_579545_mhz)
{
	struct machine *m = with_bios();
	uint16_t pm = pm_enable(m, 0xB000);
	uint32_t t0 = io_in(m, pm + 8, 4);
	bus_skip(m, 1000000000u);
	uint32_t t1 = io_in(m, pm + 8, 4);
	cr_assert_eq((t1 - t0) & 0xFFFFFF, 3579545);
	bus_skip(m, 4000000000u); /* the 24-bit counter wraps */
	cr_assert_lt(io_in(m, pm + 8, 4), 0x1000000u);
	machine_free(m);
}

Test(chipset, pm1_sts_bits_are_write_one_to_clear)
{
	struct machine *m = with_bios();
	uint16_t pm = pm_enable(m, 0xB000);
	io_out(m, pm, 0xFFFF, 2);
	cr_assert_eq(io_in(m, pm, 2), 0);
	machine_free(m);
}

Test(chipset, pam_switch_drops_code_decoded_from_rom)
{
	uint8_t *img = calloc(1, 0x10000);
	img[0xFFF0] = 0x90; /* NOP; HLT at F000:FFF0 in ROM */
	img[0xFFF1] = 0xF4;
	struct machine *m = bus_machine(img, 0x10000, NULL);
	free(img);
	struct cpu *c = machine_cpu(m);
	seg_load_real(c, S_CS, 0xF000);
	c->eip = 0xFFF0;
	cr_assert_eq(machine_run(m, c->icount + 10), MACHINE_HALTED);
	cr_assert_eq(c->eip, 0xFFF2);
	machine_mem(m)->ram[0xFFFF0] = 0xF4; /* the shadow copy differs: HLT first */
	cfg_write(m, HOST, 0x59, 0x30, 1);
	c->eip = 0xFFF0;
	c->halted = false;
	cr_assert_eq(machine_run(m, c->icount + 10), MACHINE_HALTED);
	cr_assert_eq(c->eip, 0xFFF1, "ran the DRAM copy, not the decoded ROM bytes");
	machine_free(m);
}
