/*
 * The VGA's PCI function and the Bochs VBE display interface.
 *
 * PCI (PCI Local Bus Specification 2.1, 6.2.5): vendor 0x1234, device
 * 0x1111, class 0x030000 (VGA-compatible display) at 00:02.0, as the
 * "standard VGA" of QEMU and Bochs that SeaBIOS's vgabios-stdvga.bin
 * drives. BAR0 is the linear framebuffer: 16 MiB of prefetchable memory,
 * all of VRAM. The expansion ROM BAR carries the VGA BIOS from the machine
 * configuration, padded to a power of two.
 *
 * DISPI (Bochs vbe.h/vbe.txt, "VBE_DISPI" registers, IDs 0xB0C0-0xB0C5):
 * index port 0x1CE, data port 0x1CF (0x1D0 answers as data too, as a word
 * write to 0x1CF spills there). The registers are stored and read back;
 * GETCAPS makes XRES/YRES/BPP read their maxima; enabling clears VRAM
 * unless NOCLEARMEM, and recomputes the virtual size. The BIOS programs the
 * legacy VGA registers for the mode itself.
 *
 * Deviations: the framebuffer BAR is mapped as plain memory onto VRAM (no
 * MMIO callbacks: bulk pixel writes run at RAM speed and moving the BAR
 * never consumes memory-map MMIO slots); a future renderer must rescan
 * VRAM instead of relying on write notifications. A BAR that overlaps
 * guest RAM or the BIOS ROM is not mapped (the host bridge sends those
 * cycles to DRAM or the ROM). Graphics modes are not rendered yet.
 */
#include "devices/vga_state.h"

#include <stdlib.h>
#include <string.h>

#include "devices/machine.h"

#define VGA_DEVFN (2u << 3)
#define VBE_MAX_XRES 2560
#define VBE_MAX_YRES 1600
#define VBE_MAX_BPP 32
#define VBE_ID0 0xB0C0
#define VBE_ID5 0xB0C5

/* ---- BARs ---- */

static bool bar_placeable(struct vga *v, uint32_t addr, uint32_t size)
{
	size_t bios_len;
	machine_bios_rom(v->m, &bios_len);
	uint64_t end = (uint64_t)addr + size;
	if (addr < machine_mem(v->m)->ram_size)
		return false;
	return end <= 0x100000000ull - bios_len;
}

static void vga_bar_mapped(struct pci_device *d, unsigned bar, uint32_t addr)
{
	struct vga *v = d->opaque;
	unsigned slot = bar == PCI_BAR_ROM ? 1 : 0;
	uint32_t size = slot ? v->rom_size : VGA_VRAM_SIZE;
	struct memmap *mem = machine_mem(v->m);
	if (bar != 0 && bar != PCI_BAR_ROM)
		return;
	if (v->mapped_at[slot] != PCI_UNMAPPED) {
		memmap_unmap(mem, v->mapped_at[slot], size);
		v->mapped_at[slot] = PCI_UNMAPPED;
	}
	if (addr == PCI_UNMAPPED || !bar_placeable(v, addr, size))
		return;
	if (slot)
		memmap_map_rom(mem, addr, size, v->rom);
	else
		memmap_map(mem, addr, size, v->vram, v->vram);
	v->mapped_at[slot] = addr;
}

static uint32_t pow2_at_least(size_t n)
{
	uint32_t size = PAGE_SIZE;
	while (size < n)
		size <<= 1;
	return size;
}

static int load_rom(struct vga *v)
{
	const struct machine_config *cfg = machine_config(v->m);
	if (!cfg->vgabios || !cfg->vgabios_len)
		return 0;
	if (cfg->vgabios_len > (1u << 20)) {
		machine_error(v->m, "vga: VGA BIOS of %zu bytes is over 1 MiB", cfg->vgabios_len);
		return -1;
	}
	v->rom_size = pow2_at_least(cfg->vgabios_len);
	v->rom = calloc(1, v->rom_size);
	if (!v->rom) {
		machine_error(v->m, "vga: out of memory for the VGA BIOS");
		return -1;
	}
	memcpy(v->rom, cfg->vgabios, cfg->vgabios_len);
	return 0;
}

/* ---- DISPI ---- */

static unsigned bytes_per_line(const struct vga *v, unsigned width)
{
	unsigned bpp = v->vbe[VBE_BPP];
	return bpp == 4 ? width / 2 : width * ((bpp + 7) / 8);
}

static void update_virt_height(struct vga *v)
{
	unsigned line = bytes_per_line(v, v->vbe[VBE_VIRT_WIDTH]);
	uint32_t h = line ? VGA_VRAM_SIZE / line : 0;
	v->vbe[VBE_VIRT_HEIGHT] = (uint16_t)(h > 0xFFFF ? 0xFFFF : h);
}

static void dispi_enable(struct vga *v, uint16_t val)
{
	bool was = vga_vbe_enabled(v);
	v->vbe[VBE_ENABLE] = val & (VBE_ENABLED | VBE_GETCAPS | VBE_8BIT_DAC | VBE_LFB_ENABLED |
				    VBE_NOCLEARMEM);
	if (!(val & VBE_ENABLED) || was)
		return;
	v->vbe[VBE_VIRT_WIDTH] = v->vbe[VBE_XRES];
	update_virt_height(v);
	v->vbe[VBE_X_OFFSET] = v->vbe[VBE_Y_OFFSET] = 0;
	v->vbe[VBE_BANK] = 0;
	if (!(val & VBE_NOCLEARMEM))
		memset(v->vram, 0, VGA_VRAM_SIZE);
}

static bool valid_bpp(uint16_t bpp)
{
	return bpp == 4 || bpp == 8 || bpp == 15 || bpp == 16 || bpp == 24 || bpp == 32;
}

static void dispi_write(struct vga *v, uint16_t val)
{
	unsigned i = v->vbe_index;
	bool locked = vga_vbe_enabled(v); /* the mode cannot change while shown */
	switch (i) {
	case VBE_ID:
		if (val >= VBE_ID0 && val <= VBE_ID5)
			v->vbe[i] = val;
		break;
	case VBE_XRES:
		if (!locked && val <= VBE_MAX_XRES)
			v->vbe[i] = val;
		break;
	case VBE_YRES:
		if (!locked && val <= VBE_MAX_YRES)
			v->vbe[i] = val;
		break;
	case VBE_BPP:
		if (!locked && (val == 0 || valid_bpp(val)))
			v->vbe[i] = val ? val : 8;
		break;
	case VBE_ENABLE: dispi_enable(v, val); break;
	case VBE_BANK:
		if (val < VGA_VRAM_SIZE >> 16)
			v->vbe[i] = val;
		break;
	case VBE_VIRT_WIDTH:
		v->vbe[i] = val;
		update_virt_height(v);
		break;
	case VBE_VIRT_HEIGHT:
	case VBE_X_OFFSET:
	case VBE_Y_OFFSET: v->vbe[i] = val; break;
	default: break;
	}
}

static uint16_t dispi_read(const struct vga *v)
{
	unsigned i = v->vbe_index;
	if (v->vbe[VBE_ENABLE] & VBE_GETCAPS) {
		if (i == VBE_XRES)
			return VBE_MAX_XRES;
		if (i == VBE_YRES)
			return VBE_MAX_YRES;
		if (i == VBE_BPP)
			return VBE_MAX_BPP;
	}
	if (i == VBE_VIDEO_MEMORY_64K)
		return VGA_VRAM_SIZE >> 16;
	return i < VBE_NREGS ? v->vbe[i] : 0;
}

static uint32_t dispi_port_read(void *opaque, uint32_t off, unsigned size)
{
	struct vga *v = opaque;
	(void)size;
	return off == 0 ? v->vbe_index : dispi_read(v);
}

static void dispi_port_write(void *opaque, uint32_t off, uint32_t val, unsigned size)
{
	struct vga *v = opaque;
	(void)size;
	if (off == 0)
		v->vbe_index = (uint16_t)val;
	else
		dispi_write(v, (uint16_t)val);
}

static const struct io_ops dispi_ops = { dispi_port_read, dispi_port_write };

/* ---- lifecycle ---- */

int vga_pci_init(struct vga *v)
{
	v->mapped_at[0] = v->mapped_at[1] = PCI_UNMAPPED;
	if (ioport_register(machine_io(v->m), 0x1CE, 3, &dispi_ops, v) < 0) {
		machine_error(v->m, "vga: ports 0x1CE-0x1D0 are taken");
		return -1;
	}
	struct pci_bus *bus = pci_machine_bus(v->m);
	if (!bus)
		return 0;
	if (load_rom(v) < 0)
		return -1;
	struct pci_device *d = &v->pci;
	d->name = "vga";
	d->devfn = VGA_DEVFN;
	d->opaque = v;
	d->bar_mapped = vga_bar_mapped;
	pci_set_ids(d, 0x1234, 0x1111, 0x030000u << 8, 0);
	pci_set_bar(d, 0, VGA_VRAM_SIZE, PCI_BAR_PREFETCH);
	if (v->rom)
		pci_set_bar(d, PCI_BAR_ROM, v->rom_size, 0);
	if (pci_register(bus, d) < 0) {
		machine_error(v->m, "vga: PCI slot 2 is taken");
		return -1;
	}
	return 0;
}

void vga_pci_reset(struct vga *v)
{
	memset(v->vbe, 0, sizeof(v->vbe));
	v->vbe_index = 0;
	v->vbe[VBE_ID] = VBE_ID5;
	v->vbe[VBE_XRES] = 640;
	v->vbe[VBE_YRES] = 480;
	v->vbe[VBE_BPP] = 8;
	v->vbe[VBE_VIRT_WIDTH] = 640;
	update_virt_height(v);
}

void vga_pci_destroy(struct vga *v) { free(v->rom); }
