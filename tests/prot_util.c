/* Protected-mode test fixtures (see prot_util.h). */
#include "tests/prot_util.h"

#include <stdlib.h>

#include "cpu/decode.h"
#include "cpu/desc.h"
#include "cpu/mmu.h"
#include "cpu/ops_fast.h"
#include "cpu/seg.h"

void pu_poke32(struct machine *m, paddr_t at, uint32_t v)
{
	memmap_write(machine_mem(m), at, &v, 4);
}

void pu_poke16(struct machine *m, paddr_t at, uint16_t v)
{
	memmap_write(machine_mem(m), at, &v, 2);
}

void pu_desc(struct machine *m, paddr_t table, unsigned index, uint32_t base, uint32_t limit,
	     uint8_t access, uint8_t flags)
{
	uint32_t lo = (limit & 0xFFFF) | (base << 16);
	uint32_t hi = ((base >> 16) & 0xFF) | ((uint32_t)access << 8) | (limit & 0xF0000) |
		      ((uint32_t)(flags & 0xF) << 20) | (base & 0xFF000000u);
	pu_poke32(m, table + 8 * index, lo);
	pu_poke32(m, table + 8 * index + 4, hi);
}

void pu_gate(struct machine *m, paddr_t table, unsigned index, uint16_t sel, uint32_t off,
	     uint8_t access, unsigned params)
{
	uint32_t lo = (off & 0xFFFF) | ((uint32_t)sel << 16);
	uint32_t hi = (off & 0xFFFF0000u) | ((uint32_t)access << 8) | (params & 0x1F);
	pu_poke32(m, table + 8 * index, lo);
	pu_poke32(m, table + 8 * index + 4, hi);
}

void pu_seg(struct cpu *c, unsigned s, uint16_t sel)
{
	struct desc d;
	if (!desc_fetch(c, sel, &d))
		abort();
	desc_to_seg(&d, sel, &c->seg[s]);
	if (s == S_CS)
		cpu_set_cpl(c, sel & 3u);
	seg_update_chk(c, s);
}

void pu_ring3(struct cpu *c, uint32_t esp)
{
	pu_seg(c, S_CS, PU_CS3);
	pu_seg(c, S_SS, PU_DS3);
	pu_seg(c, S_DS, PU_DS3);
	pu_seg(c, S_ES, PU_DS3);
	c->r[R_ESP].d = esp;
}

void pu_tss_stack(struct machine *m, paddr_t tss, unsigned ring, uint16_t ss, uint32_t esp)
{
	pu_poke32(m, tss + 4 + 8 * ring, esp);
	pu_poke32(m, tss + 8 + 8 * ring, ss);
}

struct machine *pu_new(const char *hex)
{
	return pu_enter(tm_new(hex));
}

struct machine *pu_enter(struct machine *m)
{
	struct cpu *c = tm_cpu(m);
	pu_desc(m, PU_GDT, 1, 0, 0xFFFFF, PU_CODE, PU_G32);
	pu_desc(m, PU_GDT, 2, 0, 0xFFFFF, PU_DATA, PU_G32);
	pu_desc(m, PU_GDT, 3, 0, 0xFFFFF, PU_CODE | 0x60, PU_G32);
	pu_desc(m, PU_GDT, 4, 0, 0xFFFFF, PU_DATA | 0x60, PU_G32);
	pu_desc(m, PU_GDT, 5, PU_TSS, 0x2067, 0x89, 0);
	pu_desc(m, PU_GDT, 6, PU_LDT, 0xFF, 0x82, 0);
	for (unsigned v = 0; v < 256; v++)
		pu_gate(m, PU_IDT, v, PU_CS0, TM_HANDLERS + v, 0x8E, 0);
	pu_poke16(m, PU_TSS + 0x66, 0x68);
	c->gdtr = (struct dtr){ PU_GDT, 0xFFF };
	c->idtr = (struct dtr){ PU_IDT, 0x7FF };
	c->cr0 |= CR0_PE;
	pu_seg(c, S_CS, PU_CS0);
	pu_seg(c, S_SS, PU_DS0);
	pu_seg(c, S_DS, PU_DS0);
	pu_seg(c, S_ES, PU_DS0);
	pu_seg(c, S_FS, PU_DS0);
	pu_seg(c, S_GS, PU_DS0);
	struct desc d;
	desc_fetch(c, PU_TSS_SEL, &d);
	d.hi |= 0x200;
	desc_to_seg(&d, PU_TSS_SEL, &c->tr);
	pu_poke32(m, PU_GDT + 8 * 5 + 4, d.hi);
	c->eip = TM_CODE;
	c->r[R_ESP].d = 0x8000;
	return m;
}

int pu_run32(struct cpu *c, const char *bytes, unsigned n)
{
	struct insn in;
	if (decode_insn((const uint8_t *)bytes, n, true, &in, NULL) != (int)n)
		abort();
	in.fn = ops_fast_pick(&in);
	c->next_eip = c->eip + n;
	c->exc_vector = -1;
	if (setjmp(c->jmp) == 0) {
		in.fn(c, &in);
		return -1;
	}
	return c->exc_vector;
}
