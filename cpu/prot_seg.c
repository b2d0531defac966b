/*
 * Protected-mode segment register loads: MOV Sreg, POP Sreg, LDS/LES/LFS/
 * LGS/LSS (Intel SDM vol. 2, MOV and POP pseudo-code; vol. 3, 5.5-5.7
 * "Privilege Levels", 5.10 "Privilege Level Checking When Accessing Data
 * Segments"). Task switches use the same rules with #TS instead of #GP
 * (vol. 3, 7.3 table 7-1).
 * Deviation: CS cannot be loaded here (MOV CS is #UD at decode).
 */
#include "cpu/desc.h"
#include "cpu/mmu.h"
#include "cpu/seg.h"
#include "cpu/task.h"

void prot_check_ss(struct cpu *c, uint16_t sel, struct desc *d, unsigned cpl, int vec, bool ext)
{
	int32_t err = sel_err(sel, ext);
	if (sel_null(sel) || !desc_fetch(c, sel, d))
		cpu_raise(c, vec, err);
	if ((sel & 3u) != cpl || !desc_writable_data(d) || desc_dpl(d) != cpl)
		cpu_raise(c, vec, err);
	if (!desc_present(d))
		cpu_raise(c, EXC_SS, err);
}

static void check_data(struct cpu *c, uint16_t sel, struct desc *d, unsigned cpl, int vec, bool ext)
{
	int32_t err = sel_err(sel, ext);
	if (!desc_fetch(c, sel, d) || !desc_readable(d))
		cpu_raise(c, vec, err);
	unsigned dpl = desc_dpl(d);
	if (!desc_conforming(d) && ((sel & 3u) > dpl || cpl > dpl))
		cpu_raise(c, vec, err);
	if (!desc_present(d))
		cpu_raise(c, EXC_NP, err);
}

void prot_seg_load(struct cpu *c, unsigned s, uint16_t sel, unsigned cpl, int vec, bool ext)
{
	struct desc d;
	if (s == S_SS) {
		prot_check_ss(c, sel, &d, cpl, vec, ext);
	} else {
		if (sel_null(sel)) {
			prot_load_null(c, s, sel);
			return;
		}
		check_data(c, sel, &d, cpl, vec, ext);
	}
	desc_set_accessed(c, sel, &d);
	desc_to_seg(&d, sel, &c->seg[s]);
	seg_update_chk(c, s);
}

void seg_load_prot(struct cpu *c, unsigned s, uint16_t sel)
{
	if (s >= S_NONE || s == S_CS)
		cpu_raise(c, EXC_UD, EXC_NO_ERROR);
	prot_seg_load(c, s, sel, c->cpl, EXC_GP, false);
}
