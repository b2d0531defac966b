/*
 * VGA adapter as a PCI function (vendor 0x1234, device 0x1111: the
 * "standard VGA" of QEMU and Bochs): the IBM VGA registers and planar
 * memory, a linear framebuffer BAR, the VGA BIOS as expansion ROM and the
 * Bochs VBE "DISPI" mode registers. Device name "vga". See vga.c.
 *
 * The text-mode view below is what front ends and tests use: the screen as
 * the CRTC would scan it, in characters and attributes.
 */
#ifndef POPEK_VGA_H
#define POPEK_VGA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/device.h"

struct vga;

extern const struct device_class vga_class;

/* The alphanumeric screen as the CRTC and attribute controller define it. */
struct vga_text_info {
	unsigned cols, rows;     /* characters shown */
	unsigned char_height;    /* scan lines per character row (max scan line + 1) */
	unsigned char_width;     /* 8 or 9 dots (sequencer clocking mode bit 0) */
	int cursor_row, cursor_col; /* -1 when disabled or off the screen */
	unsigned cursor_start, cursor_end; /* scan lines within the character cell */
	bool blink;              /* attribute bit 7 blinks instead of brightening */
};

/* False (and *ti zeroed) when the adapter is in a graphics mode. */
bool vga_text_info(struct vga *v, struct vga_text_info *ti);
/* Character (low byte) and attribute (high byte) at row, col of the screen. */
uint16_t vga_text_cell(struct vga *v, unsigned row, unsigned col);
/* Row line (0-31) of the glyph for ch under attr, from the font in plane 2
 * chosen by the character map select register and attribute bit 3. */
uint8_t vga_text_glyph_row(struct vga *v, uint8_t ch, uint8_t attr, unsigned line);

/*
 * The text screen as plain text: one line per row ending in '\n', trailing
 * blanks removed. CP437 bytes 0x20-0x7E are themselves; 0x00 and 0xFF
 * (blank glyphs) are spaces; box-drawing lines become '-', '|' and '+',
 * shade and block characters '#'; everything else is '?'. So the output is
 * always ASCII. Writes at most outlen bytes including a terminating NUL
 * (out may be NULL when outlen is 0) and returns the length the whole text
 * needs, without the NUL, as snprintf does. *cols and *rows (either may be
 * NULL) receive the screen size, 0 x 0 in graphics modes (empty text).
 */
size_t vga_text_snapshot(struct vga *v, char *out, size_t outlen, unsigned *cols, unsigned *rows);

#endif
