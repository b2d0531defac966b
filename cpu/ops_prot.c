/*
 * Protected-mode system instructions on descriptors and selectors: LAR, LSL,
 * VERR, VERW, ARPL, SLDT, STR, LLDT, LTR (Intel SDM vol. 2 pseudo-code of
 * each; vol. 3, 5.10.1 "Checking Access Rights", 5.10.3 "Checking Caller
 * Access Privileges"). All are #UD in real and virtual-8086 mode. LAR, LSL,
 * VERR, VERW, SLDT and STR work at any CPL (they are not privileged).
 * Deviation: LAR with a 32-bit destination returns bits 16-23 of the
 * descriptor's high dword as stored (the SDM leaves bits 16-19 undefined).
 */
#include "cpu/desc.h"
#include "cpu/mmu.h"
#include "cpu/ops.h"

static void need_prot(struct cpu *c)
{
	if (!cpu_prot_mode(c))
		cpu_raise(c, EXC_UD, EXC_NO_ERROR);
}

static void set_zf(struct cpu *c, bool zf)
{
	uint32_t f = cpu_get_eflags(c);
	c->eflags = zf ? f | F_ZF : f & ~F_ZF;
	c->lf.kind = LF_NONE;
}

static uint16_t src_r(struct cpu *c, const struct insn *i) { return c->r[i->rm].w; }
static uint16_t src_m(struct cpu *c, const struct insn *i) { return cpu_rd16(c, i->seg, insn_ea(c, i)); }

/* Descriptor visible to LAR/LSL/VERR/VERW at the current CPL and the
 * selector's RPL; conforming code segments skip the privilege check. */
static bool visible(struct cpu *c, uint16_t sel, struct desc *d)
{
	if (sel_null(sel) || !desc_fetch(c, sel, d))
		return false;
	if (desc_conforming(d))
		return true;
	unsigned dpl = desc_dpl(d);
	return dpl >= c->cpl && dpl >= (sel & 3u);
}

static bool lar_type_ok(const struct desc *d)
{
	return desc_s(d) || ((1u << desc_type(d)) & 0x1A3Eu); /* 1-5, 9, 11, 12 */
}

static bool lsl_type_ok(const struct desc *d)
{
	return desc_s(d) || ((1u << desc_type(d)) & 0x0A0Eu); /* 1-3, 9, 11 */
}

static void lar(struct cpu *c, const struct insn *i, uint16_t sel, bool o32)
{
	struct desc d;
	bool ok = visible(c, sel, &d) && lar_type_ok(&d);
	if (ok) {
		if (o32)
			c->r[i->reg].d = d.hi & 0x00FFFF00u;
		else
			c->r[i->reg].w = (uint16_t)(d.hi & 0xFF00);
	}
	set_zf(c, ok);
}

static void lsl(struct cpu *c, const struct insn *i, uint16_t sel, bool o32)
{
	struct desc d;
	bool ok = visible(c, sel, &d) && lsl_type_ok(&d);
	if (ok) {
		if (o32)
			c->r[i->reg].d = desc_limit(&d);
		else
			c->r[i->reg].w = (uint16_t)desc_limit(&d);
	}
	set_zf(c, ok);
}

#define SEL_OP(name, fn, o32)                                         \
	void op_##name##_r(struct cpu *c, const struct insn *i)      \
	{                                                             \
		need_prot(c);                                         \
		fn(c, i, src_r(c, i), o32);                           \
	}                                                             \
	void op_##name##_m(struct cpu *c, const struct insn *i)      \
	{                                                             \
		need_prot(c);                                         \
		fn(c, i, src_m(c, i), o32);                           \
	}

SEL_OP(LAR_GwEw, lar, false)
SEL_OP(LAR_GdEw, lar, true)
SEL_OP(LSL_GwEw, lsl, false)
SEL_OP(LSL_GdEw, lsl, true)

static void verr(struct cpu *c, const struct insn *i, uint16_t sel, bool unused)
{
	(void)i;
	(void)unused;
	struct desc d;
	set_zf(c, visible(c, sel, &d) && desc_readable(&d));
}

static void verw(struct cpu *c, const struct insn *i, uint16_t sel, bool unused)
{
	(void)i;
	(void)unused;
	struct desc d;
	set_zf(c, visible(c, sel, &d) && desc_writable_data(&d));
}

SEL_OP(VERR_Ew, verr, false)
SEL_OP(VERW_Ew, verw, false)

static void lldt(struct cpu *c, const struct insn *i, uint16_t sel, bool unused)
{
	(void)i;
	(void)unused;
	struct desc d;
	if (c->cpl != 0)
		cpu_raise(c, EXC_GP, 0);
	if (sel_null(sel)) {
		c->ldtr = (struct seg){ .sel = sel };
		return;
	}
	if ((sel & 4) || !desc_fetch(c, sel, &d) || desc_s(&d) || desc_type(&d) != DT_LDT)
		cpu_raise(c, EXC_GP, sel_err(sel, false));
	if (!desc_present(&d))
		cpu_raise(c, EXC_NP, sel_err(sel, false));
	desc_to_seg(&d, sel, &c->ldtr);
}

static void ltr(struct cpu *c, const struct insn *i, uint16_t sel, bool unused)
{
	(void)i;
	(void)unused;
	struct desc d;
	if (c->cpl != 0)
		cpu_raise(c, EXC_GP, 0);
	if (sel_null(sel))
		cpu_raise(c, EXC_GP, 0);
	if ((sel & 4) || !desc_fetch(c, sel, &d) || desc_s(&d) ||
	    (desc_type(&d) != DT_TSS16 && desc_type(&d) != DT_TSS32))
		cpu_raise(c, EXC_GP, sel_err(sel, false));
	if (!desc_present(&d))
		cpu_raise(c, EXC_NP, sel_err(sel, false));
	desc_set_busy(c, sel, true);
	d.hi |= 0x200;
	desc_to_seg(&d, sel, &c->tr);
}

SEL_OP(LLDT_Ew, lldt, false)
SEL_OP(LTR_Ew, ltr, false)

/* SLDT, STR: a register destination takes the selector zero-extended to
 * the operand size; memory always gets 16 bits. */
#define STORE_SEL(name, field, o32)                                   \
	void op_##name##_r(struct cpu *c, const struct insn *i)      \
	{                                                             \
		need_prot(c);                                         \
		if (o32)                                              \
			c->r[i->rm].d = c->field.sel;                 \
		else                                                  \
			c->r[i->rm].w = c->field.sel;                 \
	}                                                             \
	void op_##name##_m(struct cpu *c, const struct insn *i)      \
	{                                                             \
		need_prot(c);                                         \
		cpu_wr16(c, i->seg, insn_ea(c, i), c->field.sel);     \
	}

STORE_SEL(SLDT_Ew, ldtr, false)
STORE_SEL(SLDT_Ed, ldtr, true)
STORE_SEL(STR_Ew, tr, false)
STORE_SEL(STR_Ed, tr, true)

/* ARPL: raise the destination's RPL to the source's (ZF = 1 when it did). */
static bool arpl_adjust(uint16_t *dst, uint16_t src)
{
	if ((*dst & 3u) >= (src & 3u))
		return false;
	*dst = (uint16_t)((*dst & ~3u) | (src & 3u));
	return true;
}

void op_ARPL_EwGw_r(struct cpu *c, const struct insn *i)
{
	need_prot(c);
	uint16_t v = c->r[i->rm].w;
	bool adjusted = arpl_adjust(&v, c->r[i->reg].w);
	c->r[i->rm].w = v;
	set_zf(c, adjusted);
}

void op_ARPL_EwGw_m(struct cpu *c, const struct insn *i)
{
	need_prot(c);
	uint32_t off = insn_ea(c, i);
	uint16_t v = cpu_rd16(c, i->seg, off);
	bool adjusted = arpl_adjust(&v, c->r[i->reg].w);
	if (adjusted)
		cpu_wr16(c, i->seg, off, v);
	set_zf(c, adjusted);
}
