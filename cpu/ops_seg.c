/*
 * Segment-register moves and loads (MOV Sreg, LDS/LES/LFS/LGS/LSS), XLAT,
 * CLI/STI with their IOPL, PVI and VME rules, WAIT and the x87 escape
 * opcodes D8-DF (Intel SDM vol. 2, the instruction pages of each; vol. 3,
 * 20.4 "Protected-mode virtual interrupts" and 20.3 for VME).
 *
 * Every segment load goes through cpu_load_seg, which applies the checks of
 * the current mode; MOV SS (not LSS) then starts the interrupt shadow.
 *
 * Deviation: no x87 is modelled yet. ESC raises #NM when CR0.EM or CR0.TS
 * is set and otherwise does nothing at all (its operand is decoded, never
 * accessed); WAIT raises #NM when CR0.MP and CR0.TS are both set.
 */
#include "cpu/ops.h"

#include "cpu/mmu.h"
#include "cpu/seg.h"

/* ---- MOV Sreg ---- */

/* Sreg 6 and 7 do not exist; CS cannot be a MOV destination. */
static void check_sreg_dst(struct cpu *c, const struct insn *i)
{
	if (i->reg >= S_NONE || i->reg == S_CS)
		cpu_raise(c, EXC_UD, EXC_NO_ERROR);
}

static void check_sreg_src(struct cpu *c, const struct insn *i)
{
	if (i->reg >= S_NONE)
		cpu_raise(c, EXC_UD, EXC_NO_ERROR);
}

void op_MOV_SwEw_r(struct cpu *c, const struct insn *i)
{
	check_sreg_dst(c, i);
	cpu_load_seg(c, i->reg, c->r[i->rm].w);
	if (i->reg == S_SS)
		cpu_ss_shadow(c);
}

void op_MOV_SwEw_m(struct cpu *c, const struct insn *i)
{
	check_sreg_dst(c, i);
	cpu_load_seg(c, i->reg, cpu_rd16(c, i->seg, insn_ea(c, i)));
	if (i->reg == S_SS)
		cpu_ss_shadow(c);
}

void op_MOV_EwSw_r(struct cpu *c, const struct insn *i)
{
	check_sreg_src(c, i);
	c->r[i->rm].w = c->seg[i->reg].sel;
}

/* P6 and later zero-extend into the full register (SDM MOV, note on 32-bit operands). */
void op_MOV_EdSw_r(struct cpu *c, const struct insn *i)
{
	check_sreg_src(c, i);
	c->r[i->rm].d = c->seg[i->reg].sel;
}

/* The memory form always stores 16 bits, whatever the operand size. */
void op_MOV_EwSw_m(struct cpu *c, const struct insn *i)
{
	check_sreg_src(c, i);
	cpu_wr16(c, i->seg, insn_ea(c, i), c->seg[i->reg].sel);
}

void op_MOV_EdSw_m(struct cpu *c, const struct insn *i) { op_MOV_EwSw_m(c, i); }

/* ---- LDS LES LFS LGS LSS: offset then selector; the segment load can
 * fault, so it comes before the general register is written ---- */

static void load_far16(struct cpu *c, const struct insn *i, unsigned s)
{
	uint32_t ea = insn_ea(c, i);
	uint16_t off = cpu_rd16(c, i->seg, ea);
	uint16_t sel = cpu_rd16(c, i->seg, (ea + 2) & i->amask);
	cpu_load_seg(c, s, sel);
	c->r[i->reg].w = off;
}

static void load_far32(struct cpu *c, const struct insn *i, unsigned s)
{
	uint32_t ea = insn_ea(c, i);
	uint32_t off = cpu_rd32(c, i->seg, ea);
	uint16_t sel = cpu_rd16(c, i->seg, (ea + 4) & i->amask);
	cpu_load_seg(c, s, sel);
	c->r[i->reg].d = off;
}

void op_LES_GwMp_m(struct cpu *c, const struct insn *i) { load_far16(c, i, S_ES); }
void op_LES_GdMp_m(struct cpu *c, const struct insn *i) { load_far32(c, i, S_ES); }
void op_LDS_GwMp_m(struct cpu *c, const struct insn *i) { load_far16(c, i, S_DS); }
void op_LDS_GdMp_m(struct cpu *c, const struct insn *i) { load_far32(c, i, S_DS); }
void op_LSS_GwMp_m(struct cpu *c, const struct insn *i) { load_far16(c, i, S_SS); }
void op_LSS_GdMp_m(struct cpu *c, const struct insn *i) { load_far32(c, i, S_SS); }
void op_LFS_GwMp_m(struct cpu *c, const struct insn *i) { load_far16(c, i, S_FS); }
void op_LFS_GdMp_m(struct cpu *c, const struct insn *i) { load_far32(c, i, S_FS); }
void op_LGS_GwMp_m(struct cpu *c, const struct insn *i) { load_far16(c, i, S_GS); }
void op_LGS_GdMp_m(struct cpu *c, const struct insn *i) { load_far32(c, i, S_GS); }

/* ---- XLAT: AL = [seg:(E)BX + AL], segment override allowed ---- */

void op_XLAT(struct cpu *c, const struct insn *i)
{
	uint32_t off = (c->r[R_EBX].d + c->r[R_EAX].b[0]) & i->amask;
	c->r[R_EAX].b[0] = cpu_rd8(c, i->seg, off);
}

/* ---- CLI / STI (SDM CLI and STI operation sections) ---- */

enum if_target { IF_REAL, IF_VIRTUAL };

/* Whether CLI/STI act on IF or on VIF; #GP(0) when on neither. VIP set
 * also refuses a virtual STI. */
static enum if_target if_target(struct cpu *c, bool sti)
{
	unsigned iopl = (c->eflags & F_IOPL) >> 12;
	bool vip_ok = !sti || !(c->eflags & F_VIP);
	if (cpu_real_mode(c))
		return IF_REAL;
	if (cpu_v86_mode(c)) {
		if (iopl == 3)
			return IF_REAL;
		if ((c->cr4 & CR4_VME) && vip_ok)
			return IF_VIRTUAL;
	} else {
		if (c->cpl <= iopl)
			return IF_REAL;
		if (c->cpl == 3 && (c->cr4 & CR4_PVI) && vip_ok)
			return IF_VIRTUAL;
	}
	cpu_raise(c, EXC_GP, 0);
}

void op_CLI(struct cpu *c, const struct insn *i)
{
	(void)i;
	c->eflags &= if_target(c, false) == IF_REAL ? ~F_IF : ~F_VIF;
}

/* Interrupts stay held off for one more instruction after STI sets IF. */
void op_STI(struct cpu *c, const struct insn *i)
{
	(void)i;
	if (if_target(c, true) == IF_VIRTUAL) {
		c->eflags |= F_VIF;
		return;
	}
	if (!(c->eflags & F_IF)) {
		c->eflags |= F_IF;
		c->shadow_icount = cpu_icount(c) + 1;
		cpu_kick(c);
	}
}

/* ---- WAIT and ESC: no x87 yet ---- */

void op_WAIT(struct cpu *c, const struct insn *i)
{
	(void)i;
	if ((c->cr0 & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS))
		cpu_raise(c, EXC_NM, EXC_NO_ERROR);
}

/* Without an FPU an escape does nothing unless CR0 asks for #NM. */
void op_ESC_r(struct cpu *c, const struct insn *i)
{
	(void)i;
	if (c->cr0 & (CR0_EM | CR0_TS))
		cpu_raise(c, EXC_NM, EXC_NO_ERROR);
}

void op_ESC_m(struct cpu *c, const struct insn *i) { op_ESC_r(c, i); }
