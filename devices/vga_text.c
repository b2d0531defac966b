/*
 * The VGA alphanumeric screen as the CRT controller scans it (IBM VGA
 * Technical Reference, CRT controller registers 0x01, 0x07, 0x09, 0x0A-0x0F,
 * 0x12-0x14, 0x17; sequencer character map select; attribute mode control):
 * character codes in plane 0 and attributes in plane 1 at the CRTC's
 * address, glyphs in plane 2, 32 bytes per character.
 *
 * Columns come from horizontal display end, rows from vertical display end
 * divided by the character height (max scan line + 1), halved when double
 * scanning. The address counter starts at the start address and advances
 * by twice the offset register per row; byte, word or doubleword mode then
 * shifts it into a plane address, as the CRTC's address mapping does.
 *
 * Deviations: the line compare (split screen), preset row scan and the
 * 13-bit address wrap of word mode without bit 13/15 selection are ignored;
 * the screen is read as one 64 KiB plane.
 */
#include "devices/vga_state.h"

#include <string.h>

#define CR09_DOUBLE_SCAN 0x80
#define CR0A_CURSOR_OFF 0x20
#define CR14_DWORD 0x40
#define CR17_BYTE_MODE 0x40
#define TEXT_PLANE_MASK 0xFFFFu

static unsigned display_lines(const struct vga *v)
{
	unsigned ov = v->cr[7];
	unsigned end = v->cr[0x12] | ((ov >> 1) & 1) << 8 | ((ov >> 6) & 1) << 9;
	return end + 1;
}

static unsigned addr_shift(const struct vga *v)
{
	if (v->cr[0x14] & CR14_DWORD)
		return 2;
	return (v->cr[0x17] & CR17_BYTE_MODE) ? 0 : 1;
}

static uint32_t row_pitch(const struct vga *v) { return 2u * v->cr[0x13]; }

static uint32_t start_address(const struct vga *v)
{
	return (uint32_t)v->cr[0x0C] << 8 | v->cr[0x0D];
}

static void cursor_place(const struct vga *v, struct vga_text_info *ti)
{
	ti->cursor_row = ti->cursor_col = -1;
	ti->cursor_start = v->cr[0x0A] & 0x1F;
	ti->cursor_end = v->cr[0x0B] & 0x1F;
	uint32_t pitch = row_pitch(v);
	uint32_t loc = (uint32_t)v->cr[0x0E] << 8 | v->cr[0x0F];
	uint32_t rel = (loc - start_address(v)) & 0xFFFF;
	if ((v->cr[0x0A] & CR0A_CURSOR_OFF) || pitch == 0)
		return;
	uint32_t row = rel / pitch, col = rel % pitch;
	if (row < ti->rows && col < ti->cols) {
		ti->cursor_row = (int)row;
		ti->cursor_col = (int)col;
	}
}

bool vga_text_info(struct vga *v, struct vga_text_info *ti)
{
	memset(ti, 0, sizeof(*ti));
	if ((v->gr[6] & VGA_GR6_GRAPHICS) || vga_vbe_enabled(v))
		return false;
	ti->char_height = (v->cr[9] & 0x1F) + 1u;
	ti->char_width = (v->sr[1] & VGA_SR1_8DOT) ? 8 : 9;
	unsigned lines = display_lines(v);
	if (v->cr[9] & CR09_DOUBLE_SCAN)
		lines /= 2;
	ti->cols = v->cr[1] + 1u;
	ti->rows = lines / ti->char_height;
	ti->blink = (v->ar[0x10] & VGA_AR10_BLINK) != 0;
	cursor_place(v, ti);
	return true;
}

uint16_t vga_text_cell(struct vga *v, unsigned row, unsigned col)
{
	uint32_t counter = start_address(v) + row * row_pitch(v) + col;
	uint32_t addr = (counter << addr_shift(v)) & TEXT_PLANE_MASK;
	const uint8_t *cell = &v->vram[addr * 4];
	return (uint16_t)(cell[0] | cell[1] << 8);
}

uint8_t vga_text_glyph_row(struct vga *v, uint8_t ch, uint8_t attr, unsigned line)
{
	/* Map numbers 0-7 to their 8 KiB blocks in plane 2: 0-3 at 16 KiB
	 * steps, 4-7 in the gaps. Attribute bit 3 selects map A. */
	static const uint32_t map_base[8] = { 0x0000, 0x4000, 0x8000, 0xC000,
					      0x2000, 0x6000, 0xA000, 0xE000 };
	uint8_t sel = v->sr[3];
	unsigned map = (attr & 0x08) ? ((sel >> 2) & 3) | ((sel >> 3) & 4)
				     : (sel & 3) | ((sel >> 2) & 4);
	uint32_t addr = map_base[map] + ch * 32u + (line & 31);
	return v->vram[(addr & TEXT_PLANE_MASK) * 4 + 2];
}

/* ---- plain-text snapshot ---- */

static char cp437_to_ascii(uint8_t ch)
{
	if (ch >= 0x20 && ch < 0x7F)
		return (char)ch;
	if (ch == 0x00 || ch == 0xFF)
		return ' ';
	if (ch == 0xB3 || ch == 0xBA)
		return '|';
	if (ch == 0xC4 || ch == 0xCD)
		return '-';
	if ((ch >= 0xB4 && ch <= 0xDA))
		return '+';
	if ((ch >= 0xB0 && ch <= 0xB2) || (ch >= 0xDB && ch <= 0xDF))
		return '#';
	return '?';
}

struct text_out {
	char *buf;
	size_t cap, len;
};

static void put(struct text_out *o, char ch)
{
	if (o->len + 1 < o->cap)
		o->buf[o->len] = ch;
	o->len++;
}

static void put_row(struct vga *v, struct text_out *o, unsigned row, unsigned cols)
{
	char line[256];
	unsigned n = 0;
	for (unsigned col = 0; col < cols && col < sizeof(line); col++) {
		line[col] = cp437_to_ascii((uint8_t)vga_text_cell(v, row, col));
		if (line[col] != ' ')
			n = col + 1;
	}
	for (unsigned i = 0; i < n; i++)
		put(o, line[i]);
	put(o, '\n');
}

size_t vga_text_snapshot(struct vga *v, char *out, size_t outlen, unsigned *cols, unsigned *rows)
{
	struct vga_text_info ti;
	struct text_out o = { out, out ? outlen : 0, 0 };
	vga_text_info(v, &ti);
	for (unsigned row = 0; row < ti.rows; row++)
		put_row(v, &o, row, ti.cols);
	if (o.cap)
		o.buf[o.len < o.cap ? o.len : o.cap - 1] = '\0';
	if (cols)
		*cols = ti.cols;
	if (rows)
		*rows = ti.rows;
	return o.len;
}
