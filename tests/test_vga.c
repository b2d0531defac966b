/*
 * VGA through its ports and memory window. Register layouts, reserved bits,
 * write and read modes and the mode 3 parameter values come from the IBM
 * VGA Technical Reference; 70 Hz / 449-line timing from its 400-line mode
 * (28.322 MHz clock, 900 dots per line); chain-4 plane placement from the
 * mode 13h memory organisation (pixel n in plane n & 3 at address n); the
 * PCI function from the PCI 2.1 header layout and the QEMU/Bochs standard
 * VGA IDs; DISPI from Bochs's vbe.h. The register, memory and DISPI cases
 * are scripts of port and memory accesses, rows of one table run by one
 * parameterized test; each row keeps the name it had as a test of its own.
 */
#define _POSIX_C_SOURCE 200809L /* mkstemp, fdopen */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/vga.h"
#include "frontend/screen_dump.h"
#include "tests/bus_util.h"
#include "tests/script.h"

#define VGA_DEVFN (2u << 3)
#define US 1000ull
#define MS 1000000ull

static uint8_t rd_idx(struct machine *m, uint16_t port, uint8_t idx)
{
	outb(m, port, idx);
	return inb(m, (uint16_t)(port + 1));
}

static void wr_idx(struct machine *m, uint16_t port, uint8_t idx, uint8_t v)
{
	outb(m, port, idx);
	outb(m, (uint16_t)(port + 1), v);
}

static void ar_wr(struct machine *m, uint8_t idx, uint8_t v)
{
	inb(m, 0x3DA);
	outb(m, 0x3C0, idx);
	outb(m, 0x3C0, v);
}

static uint8_t mem_rd(struct machine *m, paddr_t a) { return (uint8_t)memmap_load(machine_mem(m), a, 1); }

static void mem_wr(struct machine *m, paddr_t a, uint8_t v) { memmap_store(machine_mem(m), a, v, 1); }

/* BIOS mode 3 (80x25 colour text, 9x16 cells) from the IBM parameter table. */
static void set_mode3(struct machine *m)
{
	static const uint8_t sr[5] = { 0x03, 0x00, 0x03, 0x00, 0x02 };
	static const uint8_t cr[25] = { 0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F, 0x00,
					0x4F, 0x0D, 0x0E, 0x00, 0x00, 0x00, 0x00, 0x9C, 0x8E,
					0x8F, 0x28, 0x1F, 0x96, 0xB9, 0xA3, 0xFF };
	static const uint8_t ar[21] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A,
					0x3B, 0x3C, 0x3D, 0x3E, 0x3F, 0x0C, 0x00, 0x0F, 0x08, 0x00 };
	static const uint8_t gr[9] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0E, 0x00, 0xFF };
	outb(m, 0x3C2, 0x67);
	for (uint8_t i = 0; i < 5; i++)
		wr_idx(m, 0x3C4, i, sr[i]);
	wr_idx(m, 0x3D4, 0x11, 0x00); /* lift the write protect first */
	for (uint8_t i = 0; i < 25; i++)
		wr_idx(m, 0x3D4, i, cr[i]);
	for (uint8_t i = 0; i < 21; i++)
		ar_wr(m, i, ar[i]);
	outb(m, 0x3C0, 0x20);
	for (uint8_t i = 0; i < 9; i++)
		wr_idx(m, 0x3CE, i, gr[i]);
}

/* Planar access to all of 0xA0000-0xAFFFF: no odd/even, no chain-4. */
static void set_planar(struct machine *m)
{
	wr_idx(m, 0x3C4, 0x04, 0x06);
	wr_idx(m, 0x3C4, 0x02, 0x0F);
	wr_idx(m, 0x3CE, 0x05, 0x00);
	wr_idx(m, 0x3CE, 0x06, 0x05);
	wr_idx(m, 0x3CE, 0x08, 0xFF);
}

static uint8_t plane_byte(struct machine *m, unsigned plane, uint32_t addr)
{
	wr_idx(m, 0x3CE, 0x04, (uint8_t)plane);
	return mem_rd(m, 0xA0000 + addr);
}

static void put_text(struct machine *m, unsigned row, unsigned col, const char *s)
{
	paddr_t a = 0xB8000 + (row * 80 + col) * 2;
	for (; *s; s++, a += 2) {
		mem_wr(m, a, (uint8_t)*s);
		mem_wr(m, a + 1, 0x07);
	}
}

static void clear_text(struct machine *m, unsigned cells)
{
	for (unsigned i = 0; i < cells; i++) {
		mem_wr(m, 0xB8000 + 2 * i, ' ');
		mem_wr(m, 0xB8000 + 2 * i + 1, 0x07);
	}
}

static uint16_t dispi_rd(struct machine *m, uint16_t idx)
{
	io_out(m, 0x1CE, idx, 2);
	return (uint16_t)io_in(m, 0x1CF, 2);
}

static void dispi_wr(struct machine *m, uint16_t idx, uint16_t v)
{
	io_out(m, 0x1CE, idx, 2);
	io_out(m, 0x1CF, v, 2);
}

/* A case is a script (tests/script.h) run on a fresh machine; numbers are
 * written as in C (0x.. hex, else decimal). Words:
 *   out P V, outw P V     write byte / word V to port P
 *   in P V, inw P V       port P reads V (byte / word)
 *   inm P MASK V          port P reads V under MASK
 *   read P                read port P (for its side effect)
 *   wr P I V, rd P I V    indexed register I at P, P + 1: write V / reads V
 *   dwr I V, drd I V      DISPI register I: write V / reads V
 *   mw A V, mw16, mw32    store V at physical A (1, 2, 4 bytes)
 *   mr A V, mr16, mr32    physical A loads V (1, 2, 4 bytes)
 *   latch A               load physical A (to fill the VGA latches)
 *   plane P A V           byte A of plane P reads V (read map select P)
 *   cfg OFF V SIZE        PCI configuration write to the VGA function
 *   mode3, planar, reset  set_mode3, set_planar, machine_reset
 * Scripts are held in arrays, not pointed to: Criterion copies each row
 * into the test's own process, where a pointer into this one means nothing. */
struct vga_case {
	char name[72];
	char script[640];
};

static const struct vga_case scripts[] = {
	/* ---- registers ---- */
	{ "sequencer_index_is_three_bits_and_reserved_bits_read_zero",
	  "out 0x3c4 0x0a; in 0x3c4 0x02; out 0x3c5 0xff; "
	  "rd 0x3c4 0x02 0x0f # map mask has four bits; wr 0x3c4 0x01 0xff; "
	  "rd 0x3c4 0x01 0x3d # clocking mode bits 1 and 6-7 reserved; wr 0x3c4 0x04 0xff; "
	  "rd 0x3c4 0x04 0x0e; wr 0x3c4 0x03 0x2d; rd 0x3c4 0x03 0x2d" },
	{ "word_out_writes_index_then_data",
	  "outw 0x3c4 0x0502; rd 0x3c4 0x02 0x05; outw 0x3ce 0xf008; rd 0x3ce 0x08 0xf0" },
	{ "crtc_follows_misc_output_io_select",
	  "out 0x3c2 0x67; in 0x3cc 0x67; out 0x3d4 0x2e # index is five bits: 0x0E; "
	  "in 0x3d4 0x0e; out 0x3d5 0x12; rd 0x3d4 0x0e 0x12; "
	  "in 0x3b4 0xff # mono CRTC ports are off in colour mode; in 0x3b5 0xff; "
	  "out 0x3c2 0x66; rd 0x3b4 0x0e 0x12 # same CRTC at 0x3B4 in mono mode; "
	  "in 0x3d5 0xff" },
	{ "crtc_write_protect_covers_registers_0_to_7_but_line_compare_bit",
	  "out 0x3c2 0x01; wr 0x3d4 0x01 0x4f; wr 0x3d4 0x07 0x00; wr 0x3d4 0x11 0x80; "
	  "wr 0x3d4 0x01 0x27; rd 0x3d4 0x01 0x4f; wr 0x3d4 0x07 0xff; rd 0x3d4 0x07 0x10; "
	  "wr 0x3d4 0x0c 0x34; rd 0x3d4 0x0c 0x34 # registers above 7 stay writable" },
	{ "graphics_controller_round_trip_and_masks",
	  "out 0x3ce 0x15; in 0x3ce 0x05 # index is four bits; out 0x3cf 0xff; "
	  "rd 0x3ce 0x05 0x7b # mode register bits 2 and 7 reserved; wr 0x3ce 0x00 0xff; "
	  "rd 0x3ce 0x00 0x0f; wr 0x3ce 0x01 0xff; rd 0x3ce 0x01 0x0f; wr 0x3ce 0x02 0xff; "
	  "rd 0x3ce 0x02 0x0f; wr 0x3ce 0x03 0xff; rd 0x3ce 0x03 0x1f; wr 0x3ce 0x04 0xff; "
	  "rd 0x3ce 0x04 0x03; wr 0x3ce 0x05 0xff; rd 0x3ce 0x05 0x7b; wr 0x3ce 0x06 0xff; "
	  "rd 0x3ce 0x06 0x0f; wr 0x3ce 0x07 0xff; rd 0x3ce 0x07 0x0f; wr 0x3ce 0x08 0xff; "
	  "rd 0x3ce 0x08 0xff" },
	{ "attribute_flip_flop_alternates_and_status_read_resets_it",
	  "out 0x3c2 0x01; read 0x3da; out 0x3c0 0x01; out 0x3c0 0x3f; "
	  "out 0x3c0 0x32 # third write is an index again: 0x12 with PAS; in 0x3c0 0x32; "
	  "out 0x3c0 0xff; in 0x3c1 0x3f # colour plane enable: bits 6-7 reserved; "
	  "out 0x3c0 0x01; in 0x3c0 0x01 # index written after data; "
	  "in 0x3c1 0x3f # palette register 1 kept its value; "
	  "out 0x3c0 0x15 # this is data for index 1; in 0x3c1 0x15; "
	  "out 0x3c0 0x02 # index; read 0x3da # back to index state; out 0x3c0 0x10; "
	  "out 0x3c0 0xff; in 0x3c0 0x10; in 0x3c1 0xef # mode control bit 4 reserved" },
	{ "attribute_flip_flop_reset_by_mono_status_in_mono_mode",
	  "out 0x3c2 0x00; out 0x3c0 0x03; read 0x3ba; out 0x3c0 0x04; out 0x3c0 0x2a; "
	  "in 0x3c0 0x04; in 0x3c1 0x2a" },
	{ "dac_write_and_read_cycles_of_three",
	  "out 0x3c8 0x05; inm 0x3c7 3 0x00 # write mode; out 0x3c9 0x3f; out 0x3c9 0x20; "
	  "out 0x3c9 0x01; out 0x3c9 0xff; out 0x3c9 0x15; out 0x3c9 0x2a; "
	  "in 0x3c8 0x07 # write index advanced per three bytes; out 0x3c7 0x05; "
	  "inm 0x3c7 3 0x03 # read mode; in 0x3c9 0x3f # six-bit values; in 0x3c9 0x20; "
	  "in 0x3c9 0x01; in 0x3c9 0x3f # six-bit value of 0xFF; in 0x3c9 0x15; "
	  "in 0x3c9 0x2a; out 0x3c6 0x0f; in 0x3c6 0x0f" },
	{ "dac_partial_write_cycle_restarts_on_new_index",
	  "out 0x3c8 0x10; out 0x3c9 0x11; out 0x3c9 0x12; out 0x3c8 0x20; out 0x3c9 0x01; "
	  "out 0x3c9 0x02; out 0x3c9 0x03; out 0x3c7 0x20; in 0x3c9 0x01; in 0x3c9 0x02; "
	  "in 0x3c9 0x03; out 0x3c7 0x10; "
	  "in 0x3c9 0x00 # the unfinished cycle never landed" },
	{ "misc_output_and_feature_control",
	  "out 0x3c2 0xe3; in 0x3cc 0xe3; out 0x3da 0x03; in 0x3ca 0x03; "
	  "out 0x3ba 0x00 # mono port ignored in colour mode; in 0x3ca 0x03" },

	/* ---- memory ---- */
	{ "text_memory_lands_in_planes_0_and_1_with_odd_even",
	  "mode3; mw 0xb8000 0x41 # 'A'; mw 0xb8001 0x1f; mw 0xb8002 0x42 # 'B'; "
	  "mw 0xb8003 0x2e; mr 0xb8000 0x41; mr 0xb8003 0x2e; "
	  "mr 0xa0000 0xff # mode 3 maps only 0xB8000-0xBFFFF; planar; plane 0 0 0x41; "
	  "plane 1 0 0x1f; plane 0 2 0x42; plane 1 2 0x2e; "
	  "plane 2 0 0x00 # map mask 3 keeps plane 2 (fonts) clean; plane 0 1 0x00" },
	{ "word_write_to_text_memory_stores_char_and_attribute",
	  "mode3; mw16 0xb8010 0x4e5a; mr16 0xb8010 0x4e5a; planar; plane 0 0x10 0x5a; "
	  "plane 1 0x10 0x4e" },
	{ "memory_map_select_windows",
	  "planar; wr 0x3c4 0x02 0x01; "
	  "wr 0x3ce 0x06 0x01 # A0000, 128 KiB: B0004 is address 0x10004; mw 0xb0004 0x5a; "
	  "mr 0xb0004 0x5a; wr 0x3ce 0x06 0x09 # B0000, 32 KiB: B0000 is address 0; "
	  "mr 0xb0004 0x00; mw 0xb0000 0x33; "
	  "mr 0xb8000 0xff # B8000 is outside the B0000 window; mr 0xa0000 0xff; "
	  "wr 0x3ce 0x06 0x0d # B8000, 32 KiB; mr 0xb8000 0x33; mr 0xb0000 0xff; "
	  "wr 0x3ce 0x06 0x05 # A0000, 64 KiB; mr 0xa0000 0x33; "
	  "mr 0xb0004 0xff # B0000 is outside the 64 KiB window" },
	{ "write_mode_0_set_reset_and_bit_mask",
	  "planar; wr 0x3ce 0x08 0xff; mw 0xa0010 0x3c # all four planes 0x3C; "
	  "latch 0xa0010 # latches = 0x3C in every plane; "
	  "wr 0x3ce 0x00 0x05 # set/reset: planes 0 and 2 ones; "
	  "wr 0x3ce 0x01 0x07 # enabled for planes 0-2; wr 0x3ce 0x08 0xf0; "
	  "mw 0xa0010 0x81; plane 0 0x10 0xfc # masked-off bits keep the latch; "
	  "plane 1 0x10 0x0c; plane 2 0x10 0xfc; "
	  "plane 3 0x10 0x8c # plane 3 takes the CPU byte" },
	{ "write_mode_0_rotate_and_logical_functions",
	  "planar; wr 0x3ce 0x08 0xff; mw 0xa0000 0x0f; latch 0xa0000; "
	  "wr 0x3ce 0x03 0x1c # XOR, rotate right by 4; "
	  "mw 0xa0000 0x3c # rotated: 0xC3, XOR 0x0F = 0xCC; plane 1 0 0xcc; "
	  "wr 0x3ce 0x03 0x08 # AND, no rotate, latches now 0xCC; mw 0xa0000 0xf0; "
	  "plane 2 0 0xc0; wr 0x3ce 0x03 0x10 # OR; mw 0xa0000 0x03; plane 3 0 0xc3" },
	{ "write_modes_1_2_3",
	  "planar; wr 0x3ce 0x08 0xff; "
	  "wr 0x3ce 0x05 0x02 # mode 2: plane n = bit n of the byte; mw 0xa0000 0x05; "
	  "latch 0xa0000; wr 0x3ce 0x05 0x01 # mode 1: latches copied; mw 0xa0020 0x00; "
	  "plane 0 0x20 0xff; plane 1 0x20 0x00; plane 2 0x20 0xff; plane 3 0x20 0x00; "
	  "wr 0x3ce 0x05 0x03 # mode 3: set/reset data, mask = CPU & GR8; "
	  "wr 0x3ce 0x00 0x0a; wr 0x3ce 0x08 0x3c; latch 0xa0020; "
	  "mw 0xa0020 0x0f # effective mask 0x0C; plane 0 0x20 0xf3; plane 1 0x20 0x0c; "
	  "plane 2 0x20 0xf3; plane 3 0x20 0x0c" },
	{ "read_mode_1_color_compare_with_dont_care",
	  "planar; wr 0x3ce 0x08 0xff; wr 0x3c4 0x02 0x01; mw 0xa0100 0xf0; "
	  "wr 0x3c4 0x02 0x02; mw 0xa0100 0xcc; wr 0x3c4 0x02 0x04; mw 0xa0100 0xaa; "
	  "wr 0x3c4 0x02 0x08; mw 0xa0100 0x00; wr 0x3ce 0x05 0x08; "
	  "wr 0x3ce 0x02 0x03 # colour 3; wr 0x3ce 0x07 0x0f; "
	  "mr 0xa0100 0x40 # pixel colours, bit 7 to 0: 7 3 5 1 6 2 4 0; "
	  "wr 0x3ce 0x07 0x03 # only planes 0 and 1 matter; mr 0xa0100 0xc0; "
	  "wr 0x3ce 0x07 0x00; "
	  "mr 0xa0100 0xff # everything matches when all are don't care" },
	{ "chain_4_low_address_bits_select_the_plane",
	  "wr 0x3c4 0x02 0x0f; wr 0x3c4 0x04 0x0e; wr 0x3ce 0x05 0x40; wr 0x3ce 0x06 0x05; "
	  "mw 0xa0000 0x11; mw 0xa0001 0x22; mw 0xa0002 0x33; mw 0xa0003 0x44; "
	  "mw 0xa0004 0x55; mr 0xa0002 0x33; mr32 0xa0000 0x44332211; planar; "
	  "plane 0 0 0x11; plane 1 1 0x22; plane 2 2 0x33; plane 3 3 0x44; plane 0 4 0x55; "
	  "plane 1 0 0x00 # three bytes in four of each plane unused" },
	{ "map_mask_gates_chain_4_writes",
	  "wr 0x3c4 0x02 0x05; wr 0x3c4 0x04 0x0e; wr 0x3ce 0x06 0x05; "
	  "mw32 0xa0000 0x44332211; mr32 0xa0000 0x00330011" },

	/* ---- Bochs VBE (DISPI) ---- */
	{ "dispi_id_and_video_memory",
	  "drd 0 0xb0c5; dwr 0 0xb0c2; drd 0 0xb0c2 # a supported ID is accepted; "
	  "dwr 0 0xb0c9; drd 0 0xb0c2 # an unknown ID is not; "
	  "drd 0x0a 256 # 16 MiB in 64 KiB units; inw 0x1ce 0x0a # index reads back" },
	{ "dispi_mode_registers_round_trip",
	  "dwr 1 1024; dwr 2 768; dwr 3 32; drd 1 1024; drd 2 768; drd 3 32; dwr 3 7; "
	  "drd 3 32 # 7 bpp is refused; dwr 4 0x02 # GETCAPS; drd 1 2560; drd 2 1600; "
	  "drd 3 32; dwr 4 0x00; drd 1 1024; dwr 5 3; drd 5 3; dwr 5 256; "
	  "drd 5 3 # bank past VRAM refused; dwr 8 16; dwr 9 32; drd 8 16; drd 9 32" },
	{ "dispi_enable_sets_virtual_size_and_clears_unless_noclearmem",
	  "cfg 0x10 0xe0000000 4; cfg 0x04 0x0002 2; mw 0xe0000100 0x77; dwr 1 800; "
	  "dwr 2 600; dwr 3 16; dwr 4 0xc1 # 0x41 | 0x80: enabled, LFB, no clear; "
	  "drd 4 0xc1; mr 0xe0000100 0x77; drd 6 800; "
	  "drd 7 10485 # 16 MiB / 1600-byte lines; dwr 1 640; "
	  "drd 1 800 # resolution is locked while enabled; dwr 6 1024; drd 7 8192; "
	  "dwr 4 0x00; dwr 4 0x41; mr 0xe0000100 0x00 # enable clears VRAM" },
	{ "dispi_bank_moves_the_legacy_window",
	  "cfg 0x10 0xe0000000 4; cfg 0x04 0x0002 2; wr 0x3c4 0x02 0x0f; "
	  "wr 0x3c4 0x04 0x0e; wr 0x3ce 0x06 0x05; dwr 3 8; dwr 4 0x41; dwr 5 2; "
	  "mw 0xa0005 0x99; mr 0xe0020005 0x99 # bank 2 = VRAM offset 128 KiB" },
	{ "dispi_8bit_dac_keeps_full_bytes",
	  "dwr 4 0x20; out 0x3c8 0; out 0x3c9 0xff; out 0x3c9 0x80; out 0x3c9 0x41; "
	  "out 0x3c7 0; in 0x3c9 0xff; in 0x3c9 0x80; in 0x3c9 0x41" },
	{ "reset_restores_power_on_registers",
	  "mode3; dwr 1 1024; reset; in 0x3cc 0x00; rd 0x3c4 0x02 0x00; in 0x3c6 0xff; "
	  "drd 1 640" },
};

static long arg(struct script *s) { return script_num(s, 0); }

/* The word's size suffix: "mw" 1, "mw16" 2, "mw32" 4. */
static unsigned size_of(const char *w)
{
	return strcmp(w + 2, "16") == 0 ? 2 : strcmp(w + 2, "32") == 0 ? 4 : 1;
}

static void check(struct script *s, uint32_t got, long want)
{
	cr_assert_eq(got, (uint32_t)want, SCRIPT_FMT "%#x", SCRIPT_ARGS(s), got);
}

static void run_step(struct script *s, const char *w, void *ctx)
{
	struct machine *m = ctx;
	if (strcmp(w, "out") == 0) {
		uint16_t port = (uint16_t)arg(s);
		outb(m, port, (uint8_t)arg(s));
	} else if (strcmp(w, "outw") == 0) {
		uint16_t port = (uint16_t)arg(s);
		io_out(m, port, (uint32_t)arg(s), 2);
	} else if (strcmp(w, "in") == 0) {
		uint16_t port = (uint16_t)arg(s);
		check(s, inb(m, port), arg(s));
	} else if (strcmp(w, "inw") == 0) {
		uint16_t port = (uint16_t)arg(s);
		check(s, io_in(m, port, 2), arg(s));
	} else if (strcmp(w, "inm") == 0) {
		uint16_t port = (uint16_t)arg(s);
		uint32_t mask = (uint32_t)arg(s);
		check(s, inb(m, port) & mask, arg(s));
	} else if (strcmp(w, "read") == 0) {
		inb(m, (uint16_t)arg(s));
	} else if (strcmp(w, "wr") == 0 || strcmp(w, "rd") == 0) {
		uint16_t port = (uint16_t)arg(s);
		uint8_t idx = (uint8_t)arg(s);
		if (w[0] == 'w')
			wr_idx(m, port, idx, (uint8_t)arg(s));
		else
			check(s, rd_idx(m, port, idx), arg(s));
	} else if (strcmp(w, "dwr") == 0 || strcmp(w, "drd") == 0) {
		uint16_t idx = (uint16_t)arg(s);
		if (w[1] == 'w')
			dispi_wr(m, idx, (uint16_t)arg(s));
		else
			check(s, dispi_rd(m, idx), arg(s));
	} else if (strncmp(w, "mw", 2) == 0 || strncmp(w, "mr", 2) == 0) {
		unsigned size = size_of(w);
		cr_assert(size > 1 || w[2] == '\0', SCRIPT_FMT "no such size", SCRIPT_ARGS(s));
		paddr_t a = (paddr_t)arg(s);
		if (w[1] == 'w')
			memmap_store(machine_mem(m), a, (uint32_t)arg(s), size);
		else
			check(s, (uint32_t)memmap_load(machine_mem(m), a, size), arg(s));
	} else if (strcmp(w, "latch") == 0) {
		mem_rd(m, (paddr_t)arg(s));
	} else if (strcmp(w, "plane") == 0) {
		unsigned plane = (unsigned)arg(s);
		uint32_t a = (uint32_t)arg(s);
		check(s, plane_byte(m, plane, a), arg(s));
	} else if (strcmp(w, "cfg") == 0) {
		unsigned off = (unsigned)arg(s);
		uint32_t v = (uint32_t)arg(s);
		cfg_write(m, VGA_DEVFN, off, v, (unsigned)arg(s));
	} else if (strcmp(w, "mode3") == 0) {
		set_mode3(m);
	} else if (strcmp(w, "planar") == 0) {
		set_planar(m);
	} else if (strcmp(w, "reset") == 0) {
		machine_reset(m);
	} else {
		cr_assert_fail(SCRIPT_FMT "unknown word \"%s\"", SCRIPT_ARGS(s), w);
	}
}

ParameterizedTestParameters(vga, scripts)
{
	return cr_make_param_array(struct vga_case, scripts, sizeof(scripts) / sizeof(scripts[0]));
}

ParameterizedTest(const struct vga_case *k, vga, scripts)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	script_run(k->name, k->script, run_step, m);
	machine_free(m);
}

/* ---- retrace timing ---- */

/* Times of the rising edges of vertical retrace, sampled every 2 us. */
static unsigned retrace_edges(struct machine *m, uint16_t port, vtime_t span, vtime_t *edge,
			      unsigned max, vtime_t *width)
{
	vtime_t t0 = sched_now(machine_sched(m));
	unsigned n = 0;
	int was = inb(m, port) & 8;
	vtime_t rise = 0;
	for (vtime_t t = t0; t < t0 + span; t += 2 * US) {
		sched_skip_to(machine_sched(m), t);
		int now = inb(m, port) & 8;
		if (now && !was) {
			rise = t;
			if (n < max)
				edge[n++] = t;
		}
		if (!now && was && rise)
			*width = t - rise;
		was = now;
	}
	return n;
}

Test(vga, retrace_toggles_at_70_hz_before_the_bios_programs_timing)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	vtime_t edge[4], width = 0;
	unsigned n = retrace_edges(m, 0x3BA, 50 * MS, edge, 4, &width);
	cr_assert_geq(n, 3);
	vtime_t period = edge[1] - edge[0];
	/* 70.09 Hz: 14.27 ms; sampling adds at most 2 us. */
	cr_assert(period > 14260 * US && period < 14280 * US, "period %llu ns",
		  (unsigned long long)period);
	cr_assert(width > 50 * US && width < 70 * US, "two 31.8 us lines, got %llu",
		  (unsigned long long)width);
	machine_free(m);
}

Test(vga, retrace_period_follows_programmed_mode_3_timing)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	set_mode3(m);
	vtime_t edge[4], width = 0;
	unsigned n = retrace_edges(m, 0x3DA, 50 * MS, edge, 4, &width);
	cr_assert_geq(n, 3);
	/* 449 lines of 900 dots at 28.322 MHz: 14.268 ms. */
	vtime_t period = edge[2] - edge[1];
	cr_assert(period > 14262 * US && period < 14274 * US, "period %llu", (unsigned long long)period);
	/* Retrace lines 412-413 (CR10 = 0x19C, CR11 end = 0xE): 2 x 31.78 us. */
	cr_assert(width > 60 * US && width < 67 * US, "width %llu", (unsigned long long)width);
	machine_free(m);
}

Test(vga, display_enable_bit_toggles_within_a_line)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	set_mode3(m);
	struct sched *s = machine_sched(m);
	vtime_t t = sched_now(s);
	while (!(inb(m, 0x3DA) & 8))
		sched_skip_to(s, t += US);
	/* 2 ms after retrace starts is line 26 of the next frame: active video. */
	t += 2 * MS;
	unsigned active = 0, blank = 0;
	for (unsigned i = 0; i < 62; i++) {
		sched_skip_to(s, t + i * 500);
		if (inb(m, 0x3DA) & 1)
			blank++;
		else
			active++;
	}
	/* 720 of 900 dots are shown: 80% of the samples, within sampling error. */
	cr_assert(active >= 45 && active <= 52, "active %u", active);
	cr_assert(blank >= 9, "blank %u", blank);
	machine_free(m);
}

/* ---- text screen ---- */

Test(vga, text_snapshot_80x25)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	set_mode3(m);
	clear_text(m, 80 * 25);
	put_text(m, 0, 0, "SeaBIOS (version test)");
	put_text(m, 2, 4, "Booting from Hard Disk...");
	put_text(m, 24, 70, "last row");
	mem_wr(m, 0xB8000 + (5 * 80) * 2, 0xC9); /* box corner */
	mem_wr(m, 0xB8000 + (5 * 80 + 1) * 2, 0xCD);
	mem_wr(m, 0xB8000 + (5 * 80 + 2) * 2, 0x01); /* smiley */
	struct vga *v = machine_device(m, "vga");
	cr_assert_not_null(v);
	char buf[4096];
	unsigned cols, rows;
	size_t len = vga_text_snapshot(v, buf, sizeof(buf), &cols, &rows);
	cr_assert_eq(cols, 80);
	cr_assert_eq(rows, 25);
	const char *want = "SeaBIOS (version test)\n\n    Booting from Hard Disk...\n\n\n+-?\n"
			   "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
			   "                                                                      last row\n";
	cr_assert_str_eq(buf, want);
	cr_assert_eq(len, strlen(want));
	machine_free(m);
}

Test(vga, text_snapshot_truncates_and_reports_needed_length)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	set_mode3(m);
	clear_text(m, 80 * 25);
	put_text(m, 0, 0, "HELLO");
	struct vga *v = machine_device(m, "vga");
	char buf[4];
	size_t need = vga_text_snapshot(v, buf, sizeof(buf), NULL, NULL);
	cr_assert_eq(need, 6 + 24);
	cr_assert_str_eq(buf, "HEL");
	cr_assert_eq(vga_text_snapshot(v, NULL, 0, NULL, NULL), need);
	machine_free(m);
}

Test(vga, text_snapshot_80x50_from_max_scan_line_7)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	set_mode3(m);
	wr_idx(m, 0x3D4, 0x09, 0x47);
	clear_text(m, 80 * 50);
	put_text(m, 49, 0, "row 49");
	put_text(m, 25, 10, "row 25");
	struct vga *v = machine_device(m, "vga");
	static char buf[8192];
	unsigned cols, rows;
	vga_text_snapshot(v, buf, sizeof(buf), &cols, &rows);
	cr_assert_eq(cols, 80);
	cr_assert_eq(rows, 50);
	const char *line = buf;
	for (unsigned r = 0; r < 25; r++)
		line = strchr(line, '\n') + 1;
	cr_assert_eq(strncmp(line, "          row 25\n", 17), 0);
	for (unsigned r = 25; r < 49; r++)
		line = strchr(line, '\n') + 1;
	cr_assert_str_eq(line, "row 49\n");
	machine_free(m);
}

Test(vga, start_address_scrolls_the_screen)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	set_mode3(m);
	clear_text(m, 80 * 26);
	put_text(m, 1, 0, "second");
	wr_idx(m, 0x3D4, 0x0C, 0x00);
	wr_idx(m, 0x3D4, 0x0D, 80); /* one row, in character units */
	struct vga *v = machine_device(m, "vga");
	cr_assert_eq(vga_text_cell(v, 0, 0), 0x0700 | 's');
	machine_free(m);
}

Test(vga, cursor_position_shape_and_blink)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	set_mode3(m);
	struct vga *v = machine_device(m, "vga");
	wr_idx(m, 0x3D4, 0x0E, 0x07);
	wr_idx(m, 0x3D4, 0x0F, 0xD5); /* 0x7D5 = 2005 = 25 * 80 + 5 */
	struct vga_text_info ti;
	cr_assert(vga_text_info(v, &ti));
	cr_assert_eq(ti.cursor_row, -1, "offset 2005 is past the 25th row");
	wr_idx(m, 0x3D4, 0x0F, 0x85); /* 0x785 = 1925 = 24 * 80 + 5 */
	vga_text_info(v, &ti);
	cr_assert_eq(ti.cursor_row, 24);
	cr_assert_eq(ti.cursor_col, 5);
	cr_assert_eq(ti.cursor_start, 0x0D);
	cr_assert_eq(ti.cursor_end, 0x0E);
	cr_assert_eq(ti.char_height, 16);
	cr_assert_eq(ti.char_width, 9);
	cr_assert(ti.blink, "mode 3 sets attribute mode control bit 3");
	wr_idx(m, 0x3D4, 0x0A, 0x2D); /* cursor disable */
	ar_wr(m, 0x10, 0x04);
	outb(m, 0x3C0, 0x20);
	vga_text_info(v, &ti);
	cr_assert_eq(ti.cursor_row, -1);
	cr_assert_not(ti.blink);
	machine_free(m);
}

Test(vga, graphics_mode_has_no_text)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	set_mode3(m);
	wr_idx(m, 0x3CE, 0x06, 0x05);
	struct vga *v = machine_device(m, "vga");
	struct vga_text_info ti;
	cr_assert_not(vga_text_info(v, &ti));
	unsigned cols = 1, rows = 1;
	char buf[8];
	cr_assert_eq(vga_text_snapshot(v, buf, sizeof(buf), &cols, &rows), 0);
	cr_assert_eq(cols, 0);
	cr_assert_eq(rows, 0);
	cr_assert_str_eq(buf, "");
	machine_free(m);
}

Test(vga, glyphs_come_from_plane_2_by_character_map_select)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	set_planar(m);
	wr_idx(m, 0x3C4, 0x02, 0x04);
	wr_idx(m, 0x3CE, 0x08, 0xFF);
	mem_wr(m, 0xA0000 + 'A' * 32 + 3, 0x7E);          /* map 0 */
	mem_wr(m, 0xA0000 + 0x2000 + 'A' * 32 + 3, 0x18); /* map 4 */
	struct vga *v = machine_device(m, "vga");
	cr_assert_eq(vga_text_glyph_row(v, 'A', 0x07, 3), 0x7E);
	wr_idx(m, 0x3C4, 0x03, 0x20); /* map A = 4, map B = 0 */
	cr_assert_eq(vga_text_glyph_row(v, 'A', 0x0F, 3), 0x18, "attribute bit 3 picks map A");
	cr_assert_eq(vga_text_glyph_row(v, 'A', 0x07, 3), 0x7E);
	machine_free(m);
}

Test(vga, screen_dump_writes_the_text_to_a_file)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	set_mode3(m);
	clear_text(m, 80 * 25);
	put_text(m, 0, 0, "dumped");
	char path[] = "/tmp/popek-vga-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	char err[128];
	cr_assert_eq(screen_dump_write(m, path, err, sizeof(err)), 0, "%s", err);
	FILE *f = fdopen(fd, "r");
	char buf[256];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	remove(path);
	cr_assert_eq(n, 7 + 24);
	cr_assert_eq(strncmp(buf, "dumped\n\n", 8), 0);
	cr_assert_lt(screen_dump_write(m, "/nonexistent-dir/x", err, sizeof(err)), 0);
	machine_free(m);
}

/* ---- PCI function ---- */

static uint32_t bar_size_of(struct machine *m, unsigned off, uint32_t low_mask)
{
	uint32_t old = cfg_read(m, VGA_DEVFN, off, 4);
	cfg_write(m, VGA_DEVFN, off, 0xFFFFFFFF, 4);
	uint32_t probe = cfg_read(m, VGA_DEVFN, off, 4);
	cfg_write(m, VGA_DEVFN, off, old, 4);
	return ~(probe & ~low_mask) + 1;
}

Test(vga, pci_ids_class_and_framebuffer_bar)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	cr_assert_eq(cfg_read(m, VGA_DEVFN, 0x00, 4), 0x11111234);
	cr_assert_eq(cfg_read(m, VGA_DEVFN, 0x08, 4) >> 8, 0x030000);
	cr_assert_eq(cfg_read(m, VGA_DEVFN, 0x0E, 1), 0x00);
	cr_assert_eq(cfg_read(m, VGA_DEVFN, 0x10, 4) & 0xF, 0x8, "32-bit prefetchable memory");
	cr_assert_eq(bar_size_of(m, 0x10, 0xF), 16u << 20);
	cr_assert_eq(cfg_read(m, VGA_DEVFN, 0x14, 4), 0, "no other BARs");
	cr_assert_eq(cfg_read(m, VGA_DEVFN, 0x30, 4), 0, "no ROM without a VGA BIOS");
	machine_free(m);
}

Test(vga, framebuffer_bar_maps_vram_and_follows_moves)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	struct memmap *mem = machine_mem(m);
	cfg_write(m, VGA_DEVFN, 0x10, 0xE0000000, 4);
	cfg_write(m, VGA_DEVFN, 0x04, 0x0003, 2);
	memmap_store(mem, 0xE0000000, 0x11, 1);
	memmap_store(mem, 0xE0000001, 0x22, 1);
	memmap_store(mem, 0xE0FFFFFC, 0xCAFEBABE, 4);
	/* Linear VRAM is plane-interleaved: byte 1 is plane 1 at address 0. */
	set_planar(m);
	cr_assert_eq(plane_byte(m, 0, 0), 0x11);
	cr_assert_eq(plane_byte(m, 1, 0), 0x22);
	cfg_write(m, VGA_DEVFN, 0x10, 0xD0000000, 4);
	cr_assert_eq(memmap_load(mem, 0xE0000000, 1), 0xFF, "old place released");
	cr_assert_eq(memmap_load(mem, 0xD0FFFFFC, 4), 0xCAFEBABE);
	cfg_write(m, VGA_DEVFN, 0x04, 0x0000, 2);
	cr_assert_eq(memmap_load(mem, 0xD0000000, 1), 0xFF, "memory decode off");
	machine_free(m);
}

Test(vga, rom_bar_returns_the_vga_bios_when_enabled)
{
	uint8_t rom[0x9000];
	memset(rom, 0, sizeof(rom));
	rom[0] = 0x55;
	rom[1] = 0xAA;
	rom[2] = sizeof(rom) / 512;
	rom[0x8FFF] = 0x5C;
	struct machine_config base = { .vgabios = rom, .vgabios_len = sizeof(rom) };
	struct machine *m = bus_machine(NULL, 0, &base);
	struct memmap *mem = machine_mem(m);
	cr_assert_eq(bar_size_of(m, 0x30, 0x7FF), 0x10000, "36 KiB rounds up to 64 KiB");
	cfg_write(m, VGA_DEVFN, 0x30, 0xFEB00000, 4);
	cfg_write(m, VGA_DEVFN, 0x04, 0x0002, 2);
	cr_assert_eq(memmap_load(mem, 0xFEB00000, 2), 0xFFFF, "ROM decode bit still clear");
	cfg_write(m, VGA_DEVFN, 0x30, 0xFEB00001, 4);
	cr_assert_eq(cfg_read(m, VGA_DEVFN, 0x30, 4), 0xFEB00001);
	cr_assert_eq(memmap_load(mem, 0xFEB00000, 2), 0xAA55);
	cr_assert_eq(memmap_load(mem, 0xFEB00002, 1), 0x48);
	cr_assert_eq(memmap_load(mem, 0xFEB08FFF, 1), 0x5C);
	memmap_store(mem, 0xFEB00000, 0, 2);
	cr_assert_eq(memmap_load(mem, 0xFEB00000, 2), 0xAA55, "ROM ignores writes");
	cfg_write(m, VGA_DEVFN, 0x30, 0xFEB00000, 4);
	cr_assert_eq(memmap_load(mem, 0xFEB00000, 2), 0xFFFF, "disabled again");
	machine_free(m);
}

Test(vga, rom_bar_over_guest_ram_is_not_mapped)
{
	uint8_t rom[0x1000] = { 0x55, 0xAA, 0x08 };
	struct machine_config base = { .vgabios = rom, .vgabios_len = sizeof(rom) };
	struct machine *m = bus_machine(NULL, 0, &base);
	struct memmap *mem = machine_mem(m);
	memmap_store(mem, 0x100000, 0x1234, 2);
	cfg_write(m, VGA_DEVFN, 0x30, 0x00100001, 4);
	cfg_write(m, VGA_DEVFN, 0x04, 0x0002, 2);
	cr_assert_eq(memmap_load(mem, 0x100000, 2), 0x1234, "DRAM wins below the top of memory");
	cfg_write(m, VGA_DEVFN, 0x30, 0x00000000, 4);
	cr_assert_eq(memmap_load(mem, 0x100000, 2), 0x1234);
	machine_free(m);
}

