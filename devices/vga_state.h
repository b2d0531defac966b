/*
 * The VGA's state, shared by vga.c (registers and memory), vga_text.c
 * (alphanumeric view) and vga_pci.c (PCI function and Bochs VBE). Not for
 * other devices: they use vga.h.
 *
 * VRAM layout: plane p of plane address a is vram[a * 4 + p], so chain-4
 * and the linear framebuffer see VRAM as plain bytes, and the planar view
 * (text, 16-colour modes) interleaves the four planes.
 */
#ifndef POPEK_VGA_STATE_H
#define POPEK_VGA_STATE_H

#include "devices/pci.h"
#include "devices/vga.h"

#define VGA_VRAM_SIZE (16u << 20) /* also the size of BAR0 */
#define VGA_VRAM_MASK (VGA_VRAM_SIZE - 1)
#define VGA_PLANE_MASK (VGA_VRAM_SIZE / 4 - 1)

/* Register bits used by more than one file. */
#define VGA_MISC_COLOR 0x01   /* CRTC at 0x3D4, input status 1 at 0x3DA */
#define VGA_SR1_8DOT 0x01
#define VGA_SR4_ODDEVEN_OFF 0x04
#define VGA_SR4_CHAIN4 0x08
#define VGA_GR5_READ_MODE1 0x08
#define VGA_GR5_ODDEVEN 0x10
#define VGA_GR6_GRAPHICS 0x01
#define VGA_AR10_BLINK 0x08

/* Bochs VBE display interface ("DISPI") registers, ports 0x1CE/0x1CF. */
enum vbe_reg {
	VBE_ID,
	VBE_XRES,
	VBE_YRES,
	VBE_BPP,
	VBE_ENABLE,
	VBE_BANK,
	VBE_VIRT_WIDTH,
	VBE_VIRT_HEIGHT,
	VBE_X_OFFSET,
	VBE_Y_OFFSET,
	VBE_VIDEO_MEMORY_64K,
	VBE_NREGS,
};
#define VBE_ENABLED 0x01
#define VBE_GETCAPS 0x02
#define VBE_8BIT_DAC 0x20
#define VBE_LFB_ENABLED 0x40
#define VBE_NOCLEARMEM 0x80

struct vga {
	struct machine *m;
	struct pci_device pci;
	uint8_t *rom;          /* expansion ROM image, rom_size bytes (NULL: none) */
	uint32_t rom_size;
	uint32_t mapped_at[2]; /* where BAR0 and the ROM are mapped (PCI_UNMAPPED) */

	uint8_t misc;          /* miscellaneous output */
	uint8_t feature;       /* feature control */
	uint8_t sr_index, sr[8];
	uint8_t cr_index, cr[32];
	uint8_t gr_index, gr[16];
	uint8_t ar_index;      /* index in bits 4-0, palette address source in bit 5 */
	uint8_t ar_flip;       /* 0: the next 0x3C0 write is an index, 1: data */
	uint8_t ar[32];
	uint8_t dac_mask, dac_read_index, dac_write_index, dac_sub, dac_reading;
	uint8_t dac_pending[3]; /* a write cycle's red and green, until blue comes */
	uint8_t dac[256][3];
	uint8_t latch[4];
	uint16_t vbe_index;
	uint16_t vbe[VBE_NREGS];

	uint8_t vram[VGA_VRAM_SIZE];
};

/* vga_pci.c: the PCI function and the DISPI ports (create, reset, free). */
int vga_pci_init(struct vga *v);
void vga_pci_reset(struct vga *v);
void vga_pci_destroy(struct vga *v);

static inline bool vga_vbe_enabled(const struct vga *v)
{
	return (v->vbe[VBE_ENABLE] & VBE_ENABLED) != 0;
}

#endif
