/*
 * IBM VGA registers and display memory (IBM VGA Technical Reference,
 * "Video Subsystem": sequencer, CRT controller, graphics controller,
 * attribute controller, video DAC, general registers; and the
 * "Programming Considerations" chapter for the memory write and read
 * modes). Ports 0x3B0-0x3BB and 0x3D0-0x3DF (mono or colour, chosen by
 * misc output bit 0), 0x3C0-0x3CF, and the 0xA0000-0xBFFFF memory window
 * as MMIO, decoded through graphics register 6.
 *
 * Input status 1 derives vertical retrace and display enable from virtual
 * time and the CRTC timing registers (the dot clock from misc output bits
 * 3-2), falling back to 640x400 at 70 Hz when they hold nothing sensible
 * (before the BIOS programs them), so retrace polling always ends.
 *
 * Deviations: the odd/even page bit (misc output bit 5) is ignored, as
 * QEMU and Bochs do: odd/even accesses use the CPU address with bit 0
 * cleared, and the CRTC scans the same addresses. Chain-4 accesses bypass
 * the write modes (the latches are still loaded by reads). Palette
 * registers are writable whatever the palette address source bit. Input
 * status 0 reads 0 (no switch sense, no retrace interrupt: the CRTC never
 * raises IRQ 2). Ports 0x3B0-0x3B3 and 0x3D0-0x3D3 (CRTC aliases on some
 * cards), 0x3C3 and 0x3CD read 0xFF.
 */
#include "devices/vga_state.h"

#include <stdlib.h>
#include <string.h>

#include "devices/machine.h"

/* Writable bits of each register; zero for registers the VGA lacks. */
static const uint8_t sr_wmask[8] = { 0x03, 0x3D, 0x0F, 0x3F, 0x0E };
static const uint8_t gr_wmask[16] = { 0x0F, 0x0F, 0x0F, 0x1F, 0x03, 0x7B, 0x0F, 0x0F, 0xFF };
#define CR_COUNT 0x19
#define AR_COUNT 0x15
#define CR11_PROTECT 0x80
#define CR07_LINE_COMPARE8 0x10

/* ---- timing ---- */

struct vga_timing {
	uint64_t line_ns, frame_ns, hdisp_ns;
	unsigned vdisp, vrs, vre; /* lines */
};

static const struct vga_timing default_timing = {
	/* 800 dots at 25.175 MHz, 449 lines: the IBM 400-line 70 Hz timing. */
	.line_ns = 31778, .frame_ns = 31778ull * 449, .hdisp_ns = 25422,
	.vdisp = 400, .vrs = 412, .vre = 414,
};

static unsigned cr_lines(const struct vga *v, unsigned reg, unsigned bit8, unsigned bit9)
{
	unsigned ov = v->cr[7];
	return v->cr[reg] | ((ov >> bit8) & 1) << 8 | ((ov >> bit9) & 1) << 9;
}

static struct vga_timing vga_timing(const struct vga *v)
{
	static const uint32_t dot_hz[4] = { 25175000, 28322000, 25175000, 25175000 };
	uint64_t hz = dot_hz[(v->misc >> 2) & 3];
	unsigned dots = (v->sr[1] & VGA_SR1_8DOT) ? 8 : 9;
	if (v->sr[1] & 0x08)
		dots *= 2; /* dot clock divided by two */
	unsigned htotal = v->cr[0] + 5u, hdisp = v->cr[1] + 1u;
	unsigned vtotal = cr_lines(v, 6, 0, 5) + 2;
	struct vga_timing t;
	t.line_ns = (uint64_t)htotal * dots * 1000000000ull / hz;
	t.hdisp_ns = (uint64_t)hdisp * dots * 1000000000ull / hz;
	t.frame_ns = t.line_ns * vtotal;
	t.vdisp = cr_lines(v, 0x12, 1, 6) + 1;
	t.vrs = cr_lines(v, 0x10, 2, 7);
	unsigned width = ((v->cr[0x11] & 0x0F) - t.vrs) & 0x0F;
	t.vre = t.vrs + (width ? width : 16);
	/* 40 to 120 Hz with the display inside the frame, or the fallback. */
	if (hdisp >= htotal || t.vdisp > vtotal || t.vrs >= vtotal ||
	    t.frame_ns < 1000000000ull / 120 || t.frame_ns > 1000000000ull / 40)
		return default_timing;
	return t;
}

static uint8_t input_status1(struct vga *v)
{
	struct vga_timing t = vga_timing(v);
	vtime_t now = sched_now(machine_sched(v->m));
	uint64_t in_frame = now % t.frame_ns;
	uint64_t line = in_frame / t.line_ns, dot_time = in_frame % t.line_ns;
	uint8_t s = 0;
	if (line >= t.vrs && line < t.vre)
		s |= 0x08;
	if (line >= t.vdisp || dot_time >= t.hdisp_ns)
		s |= 0x01; /* display enable NOT: in a blanking interval */
	return s;
}

/* ---- attribute controller and DAC ---- */

static void ar_write(struct vga *v, uint8_t val)
{
	if (!v->ar_flip) {
		v->ar_index = val & 0x3F;
	} else {
		unsigned i = v->ar_index & 0x1F;
		static const uint8_t ar_wmask_hi[5] = { 0xEF, 0xFF, 0x3F, 0x0F, 0x0F };
		if (i < 0x10)
			v->ar[i] = val & 0x3F;
		else if (i < AR_COUNT)
			v->ar[i] = val & ar_wmask_hi[i - 0x10];
	}
	v->ar_flip ^= 1;
}

static uint8_t dac_value_mask(const struct vga *v)
{
	return (v->vbe[VBE_ENABLE] & VBE_8BIT_DAC) ? 0xFF : 0x3F;
}

static void dac_data_write(struct vga *v, uint8_t val)
{
	v->dac_pending[v->dac_sub] = val & dac_value_mask(v);
	if (++v->dac_sub < 3)
		return;
	memcpy(v->dac[v->dac_write_index], v->dac_pending, 3);
	v->dac_write_index++;
	v->dac_sub = 0;
}

static uint8_t dac_data_read(struct vga *v)
{
	uint8_t val = v->dac[v->dac_read_index][v->dac_sub];
	if (++v->dac_sub == 3) {
		v->dac_sub = 0;
		v->dac_read_index++;
	}
	return val;
}

/* ---- port dispatch ---- */

/* Ports 0x3Bx answer only in mono mode and 0x3Dx only in colour mode. */
static bool port_active(const struct vga *v, uint16_t port)
{
	if ((port & 0xFFF0) == 0x3B0)
		return !(v->misc & VGA_MISC_COLOR);
	if ((port & 0xFFF0) == 0x3D0)
		return (v->misc & VGA_MISC_COLOR) != 0;
	return true;
}

static uint8_t crtc_read(struct vga *v) { return v->cr_index < CR_COUNT ? v->cr[v->cr_index] : 0; }

static void crtc_write(struct vga *v, uint8_t val)
{
	unsigned i = v->cr_index;
	if (i >= CR_COUNT)
		return;
	if ((v->cr[0x11] & CR11_PROTECT) && i <= 7) {
		if (i == 7)
			v->cr[7] = (uint8_t)((v->cr[7] & ~CR07_LINE_COMPARE8) | (val & CR07_LINE_COMPARE8));
		return;
	}
	v->cr[i] = val;
}

static uint8_t port_read8(struct vga *v, uint16_t port)
{
	if (!port_active(v, port))
		return 0xFF;
	switch (port) {
	case 0x3B4: case 0x3D4: return v->cr_index;
	case 0x3B5: case 0x3D5: return crtc_read(v);
	case 0x3BA: case 0x3DA:
		v->ar_flip = 0;
		return input_status1(v);
	case 0x3C0: return v->ar_index;
	case 0x3C1: return (v->ar_index & 0x1F) < AR_COUNT ? v->ar[v->ar_index & 0x1F] : 0;
	case 0x3C2: return 0;
	case 0x3C4: return v->sr_index;
	case 0x3C5: return v->sr[v->sr_index];
	case 0x3C6: return v->dac_mask;
	case 0x3C7: return v->dac_reading ? 0x03 : 0x00;
	case 0x3C8: return v->dac_write_index;
	case 0x3C9: return dac_data_read(v);
	case 0x3CA: return v->feature;
	case 0x3CC: return v->misc;
	case 0x3CE: return v->gr_index;
	case 0x3CF: return v->gr[v->gr_index];
	default: return 0xFF;
	}
}

static void port_write8(struct vga *v, uint16_t port, uint8_t val)
{
	if (!port_active(v, port))
		return;
	switch (port) {
	case 0x3B4: case 0x3D4: v->cr_index = val & 0x1F; break;
	case 0x3B5: case 0x3D5: crtc_write(v, val); break;
	case 0x3BA: case 0x3DA: v->feature = val & 0x03; break;
	case 0x3C0: ar_write(v, val); break;
	case 0x3C2: v->misc = val; break;
	case 0x3C4: v->sr_index = val & 0x07; break;
	case 0x3C5: v->sr[v->sr_index] = val & sr_wmask[v->sr_index]; break;
	case 0x3C6: v->dac_mask = val; break;
	case 0x3C7:
		v->dac_read_index = val;
		v->dac_sub = 0;
		v->dac_reading = 1;
		break;
	case 0x3C8:
		v->dac_write_index = val;
		v->dac_sub = 0;
		v->dac_reading = 0;
		break;
	case 0x3C9: dac_data_write(v, val); break;
	case 0x3CE: v->gr_index = val & 0x0F; break;
	case 0x3CF: v->gr[v->gr_index] = val & gr_wmask[v->gr_index]; break;
	default: break;
	}
}

/* Word and dword accesses (OUT DX, AX to an index/data pair) are
 * consecutive byte accesses, lowest port first. */
static uint32_t ports_read(struct vga *v, uint16_t port, unsigned size)
{
	uint32_t val = 0;
	for (unsigned b = 0; b < size; b++)
		val |= (uint32_t)port_read8(v, (uint16_t)(port + b)) << (8 * b);
	return val;
}

static void ports_write(struct vga *v, uint16_t port, uint32_t val, unsigned size)
{
	for (unsigned b = 0; b < size; b++)
		port_write8(v, (uint16_t)(port + b), (uint8_t)(val >> (8 * b)));
}

#define VGA_PORT_OPS(name, base)                                                        \
	static uint32_t name##_read(void *opaque, uint32_t off, unsigned size)           \
	{                                                                                \
		return ports_read(opaque, (uint16_t)((base) + off), size);               \
	}                                                                                \
	static void name##_write(void *opaque, uint32_t off, uint32_t val, unsigned size) \
	{                                                                                \
		ports_write(opaque, (uint16_t)((base) + off), val, size);                \
	}                                                                                \
	static const struct io_ops name##_ops = { name##_read, name##_write };

VGA_PORT_OPS(mono_ports, 0x3B0)
VGA_PORT_OPS(ctl_ports, 0x3C0)
VGA_PORT_OPS(color_ports, 0x3D0)

/* ---- display memory ---- */

/* Offset into display memory of a window offset (0-0x1FFFF from 0xA0000),
 * or false when graphics register 6 does not map that part of the window. */
static bool window_offset(const struct vga *v, uint32_t off, uint32_t *out)
{
	static const uint32_t base[4] = { 0, 0, 0x10000, 0x18000 };
	static const uint32_t size[4] = { 0x20000, 0x10000, 0x8000, 0x8000 };
	unsigned map = (v->gr[6] >> 2) & 3;
	off -= base[map];
	if (off >= size[map])
		return false;
	if (vga_vbe_enabled(v))
		off += (uint32_t)v->vbe[VBE_BANK] << 16;
	*out = off;
	return true;
}

static void load_latches(struct vga *v, uint32_t addr)
{
	memcpy(v->latch, &v->vram[(addr & VGA_PLANE_MASK) * 4], 4);
}

/* Chain-4 sends address bits 1-0 to the plane select and leaves the plane
 * address whole, so mode 13h uses every fourth byte of each plane (and the
 * CRTC scans it in doubleword mode). VBE modes see VRAM linearly instead,
 * through the bank as through the framebuffer BAR. */
static uint32_t chain4_index(const struct vga *v, uint32_t a)
{
	if (vga_vbe_enabled(v))
		return a & VGA_VRAM_MASK;
	return (a & VGA_PLANE_MASK) * 4 + (a & 3);
}

static uint8_t color_compare(const struct vga *v)
{
	uint8_t same = 0xFF;
	for (unsigned p = 0; p < 4; p++) {
		if (!((v->gr[7] >> p) & 1))
			continue;
		uint8_t want = ((v->gr[2] >> p) & 1) ? 0xFF : 0x00;
		same &= (uint8_t)~(v->latch[p] ^ want);
	}
	return same;
}

static uint8_t mem_read8(struct vga *v, uint32_t off)
{
	uint32_t a;
	if (!window_offset(v, off, &a))
		return 0xFF;
	if (v->sr[4] & VGA_SR4_CHAIN4) {
		load_latches(v, a);
		return v->vram[chain4_index(v, a)];
	}
	unsigned plane = v->gr[4] & 3;
	if (v->gr[5] & VGA_GR5_ODDEVEN) {
		plane = (plane & 2) | (a & 1);
		a &= ~1u;
	}
	load_latches(v, a);
	if (v->gr[5] & VGA_GR5_READ_MODE1)
		return color_compare(v);
	return v->latch[plane];
}

static uint8_t rotate_right(uint8_t val, unsigned n)
{
	n &= 7;
	return (uint8_t)((val >> n) | (val << ((8 - n) & 7)));
}

static uint8_t alu(unsigned func, uint8_t data, uint8_t latch)
{
	switch (func & 3) {
	case 1: return data & latch;
	case 2: return data | latch;
	case 3: return data ^ latch;
	default: return data;
	}
}

/* The graphics controller's data path for one plane (write modes 0-3). */
static uint8_t plane_data(const struct vga *v, unsigned p, uint8_t val, uint8_t rot)
{
	uint8_t sr_fill = ((v->gr[0] >> p) & 1) ? 0xFF : 0x00;
	uint8_t latch = v->latch[p], mask = v->gr[8], data;
	switch (v->gr[5] & 3) {
	case 0: data = ((v->gr[1] >> p) & 1) ? sr_fill : rot; break;
	case 1: return latch;
	case 2: data = ((val >> p) & 1) ? 0xFF : 0x00; break;
	default:
		data = sr_fill;
		mask &= rot;
		break;
	}
	data = alu(v->gr[3] >> 3, data, latch);
	return (uint8_t)((data & mask) | (latch & ~mask));
}

static void planar_write(struct vga *v, uint32_t addr, uint8_t val, unsigned planes)
{
	uint8_t rot = rotate_right(val, v->gr[3]);
	uint8_t *cell = &v->vram[(addr & VGA_PLANE_MASK) * 4];
	for (unsigned p = 0; p < 4; p++)
		if ((planes >> p) & 1)
			cell[p] = plane_data(v, p, val, rot);
}

static void mem_write8(struct vga *v, uint32_t off, uint8_t val)
{
	uint32_t a;
	if (!window_offset(v, off, &a))
		return;
	unsigned planes = v->sr[2] & 0x0F;
	if (v->sr[4] & VGA_SR4_CHAIN4) {
		if ((planes >> (a & 3)) & 1)
			v->vram[chain4_index(v, a)] = val;
		return;
	}
	if (!(v->sr[4] & VGA_SR4_ODDEVEN_OFF)) {
		planes &= (a & 1) ? 0x0A : 0x05;
		a &= ~1u;
	}
	planar_write(v, a, val, planes);
}

static uint32_t window_read(void *opaque, uint32_t off, unsigned size)
{
	uint32_t val = 0;
	for (unsigned b = 0; b < size; b++)
		val |= (uint32_t)mem_read8(opaque, off + b) << (8 * b);
	return val;
}

static void window_write(void *opaque, uint32_t off, uint32_t val, unsigned size)
{
	for (unsigned b = 0; b < size; b++)
		mem_write8(opaque, off + b, (uint8_t)(val >> (8 * b)));
}

static const struct io_ops window_ops = { window_read, window_write };

/* ---- device class ---- */

static void vga_reset(void *dev)
{
	struct vga *v = dev;
	v->misc = v->feature = 0;
	v->sr_index = v->cr_index = v->gr_index = v->ar_index = v->ar_flip = 0;
	memset(v->sr, 0, sizeof(v->sr));
	memset(v->cr, 0, sizeof(v->cr));
	memset(v->gr, 0, sizeof(v->gr));
	memset(v->ar, 0, sizeof(v->ar));
	v->dac_mask = 0xFF;
	v->dac_read_index = v->dac_write_index = v->dac_sub = v->dac_reading = 0;
	memset(v->latch, 0, sizeof(v->latch));
	vga_pci_reset(v);
}

static void vga_destroy(void *dev)
{
	struct vga *v = dev;
	if (!v)
		return;
	vga_pci_destroy(v);
	free(v);
}

static void *vga_create(struct machine *m)
{
	struct vga *v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->m = m;
	struct ioport_table *io = machine_io(m);
	if (ioport_register(io, 0x3B0, 12, &mono_ports_ops, v) < 0 ||
	    ioport_register(io, 0x3C0, 16, &ctl_ports_ops, v) < 0 ||
	    ioport_register(io, 0x3D0, 16, &color_ports_ops, v) < 0) {
		machine_error(m, "vga: ports 0x3B0-0x3DF are taken");
		free(v);
		return NULL;
	}
	if (memmap_map_mmio(machine_mem(m), 0xA0000, 0x20000, &window_ops, v) < 0) {
		machine_error(m, "vga: no MMIO slot for 0xA0000-0xBFFFF");
		free(v);
		return NULL;
	}
	if (vga_pci_init(v) < 0) {
		vga_destroy(v);
		return NULL;
	}
	vga_reset(v);
	return v;
}

static const struct state_field vga_fields[] = {
	STATE_FIELD(struct vga, pci.config),
	STATE_FIELD(struct vga, misc),
	STATE_FIELD(struct vga, feature),
	STATE_FIELD(struct vga, sr_index),
	STATE_FIELD(struct vga, sr),
	STATE_FIELD(struct vga, cr_index),
	STATE_FIELD(struct vga, cr),
	STATE_FIELD(struct vga, gr_index),
	STATE_FIELD(struct vga, gr),
	STATE_FIELD(struct vga, ar_index),
	STATE_FIELD(struct vga, ar_flip),
	STATE_FIELD(struct vga, ar),
	STATE_FIELD(struct vga, dac_mask),
	STATE_FIELD(struct vga, dac_read_index),
	STATE_FIELD(struct vga, dac_write_index),
	STATE_FIELD(struct vga, dac_sub),
	STATE_FIELD(struct vga, dac_reading),
	STATE_FIELD(struct vga, dac_pending),
	STATE_FIELD(struct vga, dac),
	STATE_FIELD(struct vga, latch),
	STATE_FIELD(struct vga, vbe_index),
	STATE_FIELD(struct vga, vbe),
	STATE_FIELD(struct vga, vram),
	{ 0 },
};

const struct device_class vga_class = {
	.name = "vga",
	.create = vga_create,
	.reset = vga_reset,
	.destroy = vga_destroy,
	.fields = vga_fields,
};
