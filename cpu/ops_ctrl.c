/*
 * Control transfer: Jcc, JMP, CALL, RET near and far, LOOP/LOOPE/LOOPNE,
 * JCXZ/JECXZ, INT n, INT3, INTO, INT1 (ICEBP), IRET, BOUND (Intel SDM
 * vol. 2, the instruction pages of each). Far transfers, IRET and
 * interrupts go through cpu/seg.h and cpu/interrupt.h, which handle every
 * mode; near transfers are handled here.
 *
 * A near target beyond the CS limit raises #GP(0) in the branch itself, so
 * the fault reports the branch, not its target. With 16-bit operand size
 * the target is masked to 16 bits.
 *
 * INT n in virtual-8086 mode follows the six methods of SDM vol. 3, 20.3.3:
 * with CR4.VME a clear bit in the TSS interrupt redirection bitmap sends it
 * to the 8086 handler in the task's own vector table at linear 0.
 */
#include "cpu/ops.h"

#include "cpu/interrupt.h"
#include "cpu/mmu.h"
#include "cpu/seg.h"
#include "cpu/stack.h"

/* ---- conditional and unconditional near jumps ---- */

void op_Jcc_Jb16(struct cpu *c, const struct insn *i)
{
	if (lf_cond(&c->lf, c->eflags, i->op & 15))
		near_to(c, rel16(c, i));
}

void op_Jcc_Jb32(struct cpu *c, const struct insn *i)
{
	if (lf_cond(&c->lf, c->eflags, i->op & 15))
		near_to(c, rel32(c, i));
}

void op_Jcc_Jv16(struct cpu *c, const struct insn *i) { op_Jcc_Jb16(c, i); }
void op_Jcc_Jv32(struct cpu *c, const struct insn *i) { op_Jcc_Jb32(c, i); }
void op_JMP_Jb16(struct cpu *c, const struct insn *i) { near_to(c, rel16(c, i)); }
void op_JMP_Jb32(struct cpu *c, const struct insn *i) { near_to(c, rel32(c, i)); }
void op_JMP_Jw(struct cpu *c, const struct insn *i) { near_to(c, rel16(c, i)); }
void op_JMP_Jd(struct cpu *c, const struct insn *i) { near_to(c, rel32(c, i)); }
void op_JMP_Ew_r(struct cpu *c, const struct insn *i) { near_to(c, c->r[i->rm].w); }
void op_JMP_Ed_r(struct cpu *c, const struct insn *i) { near_to(c, c->r[i->rm].d); }

void op_JMP_Ew_m(struct cpu *c, const struct insn *i)
{
	near_to(c, cpu_rd16(c, i->seg, insn_ea(c, i)));
}

void op_JMP_Ed_m(struct cpu *c, const struct insn *i)
{
	near_to(c, cpu_rd32(c, i->seg, insn_ea(c, i)));
}

/* ---- near calls and returns ---- */

static void call16(struct cpu *c, uint32_t target)
{
	uint32_t ret = c->next_eip;
	near_to(c, target);
	cpu_push16(c, (uint16_t)ret);
}

static void call32(struct cpu *c, uint32_t target)
{
	uint32_t ret = c->next_eip;
	near_to(c, target);
	cpu_push32(c, ret);
}

void op_CALL_Jw(struct cpu *c, const struct insn *i) { call16(c, rel16(c, i)); }

/* CALL rel32 and RET with a 32-bit stack: frameless fast paths, with the
 * general versions as slow twins (cpu/stack.h). The target is checked
 * against the CS limit before anything changes, as in call32/ret32. */
static MMU_SLOW void op_CALL_Jd_slow(struct cpu *c, const struct insn *i) { call32(c, rel32(c, i)); }

void op_CALL_Jd(struct cpu *c, const struct insn *i)
{
	uint32_t target = rel32(c, i), sp;
	uint8_t *p;
	if (unlikely(target > c->seg[S_CS].limit || !stack_fast_push32(c, &sp, &p))) {
		op_CALL_Jd_slow(c, i);
		return;
	}
	host_st32(p, c->next_eip);
	c->r[R_ESP].d = sp;
	c->next_eip = target;
}
void op_CALL_Ew_r(struct cpu *c, const struct insn *i) { call16(c, c->r[i->rm].w); }
void op_CALL_Ed_r(struct cpu *c, const struct insn *i) { call32(c, c->r[i->rm].d); }

void op_CALL_Ew_m(struct cpu *c, const struct insn *i)
{
	call16(c, cpu_rd16(c, i->seg, insn_ea(c, i)));
}

void op_CALL_Ed_m(struct cpu *c, const struct insn *i)
{
	call32(c, cpu_rd32(c, i->seg, insn_ea(c, i)));
}

static void ret16(struct cpu *c, uint16_t release)
{
	uint32_t sp = stack_sp(c);
	uint16_t ip = pop16_at(c, &sp);
	near_to(c, ip);
	stack_commit(c, sp + release);
}

static void ret32(struct cpu *c, uint16_t release)
{
	uint32_t sp = stack_sp(c);
	uint32_t ip = pop32_at(c, &sp);
	near_to(c, ip);
	stack_commit(c, sp + release);
}

void op_RET16(struct cpu *c, const struct insn *i) { (void)i; ret16(c, 0); }
static MMU_SLOW void op_RET32_slow(struct cpu *c, const struct insn *i)
{
	(void)i;
	ret32(c, 0);
}

void op_RET32(struct cpu *c, const struct insn *i)
{
	uint8_t *p;
	uint32_t ip;
	if (unlikely(!stack_fast_pop32(c, &p) || (ip = host_ld32(p)) > c->seg[S_CS].limit)) {
		op_RET32_slow(c, i);
		return;
	}
	c->r[R_ESP].d += 4;
	c->next_eip = ip;
}
void op_RET_Iw16(struct cpu *c, const struct insn *i) { ret16(c, (uint16_t)i->imm); }
void op_RET_Iw32(struct cpu *c, const struct insn *i) { ret32(c, (uint16_t)i->imm); }

/* ---- far transfers ---- */

void op_JMPF_Ap16(struct cpu *c, const struct insn *i) { cpu_far_jmp(c, i->imm2, i->imm, false); }
void op_JMPF_Ap32(struct cpu *c, const struct insn *i) { cpu_far_jmp(c, i->imm2, i->imm, true); }
void op_CALLF_Ap16(struct cpu *c, const struct insn *i) { cpu_far_call(c, i->imm2, i->imm, false); }
void op_CALLF_Ap32(struct cpu *c, const struct insn *i) { cpu_far_call(c, i->imm2, i->imm, true); }

/* m16:16 or m16:32: offset first, selector after it. */
static uint16_t far_ptr(struct cpu *c, const struct insn *i, bool o32, uint32_t *off)
{
	uint32_t ea = insn_ea(c, i);
	*off = o32 ? cpu_rd32(c, i->seg, ea) : cpu_rd16(c, i->seg, ea);
	return cpu_rd16(c, i->seg, (ea + (o32 ? 4 : 2)) & i->amask);
}

void op_JMPF_Mp16_m(struct cpu *c, const struct insn *i)
{
	uint32_t off;
	uint16_t sel = far_ptr(c, i, false, &off);
	cpu_far_jmp(c, sel, off, false);
}

void op_JMPF_Mp32_m(struct cpu *c, const struct insn *i)
{
	uint32_t off;
	uint16_t sel = far_ptr(c, i, true, &off);
	cpu_far_jmp(c, sel, off, true);
}

void op_CALLF_Mp16_m(struct cpu *c, const struct insn *i)
{
	uint32_t off;
	uint16_t sel = far_ptr(c, i, false, &off);
	cpu_far_call(c, sel, off, false);
}

void op_CALLF_Mp32_m(struct cpu *c, const struct insn *i)
{
	uint32_t off;
	uint16_t sel = far_ptr(c, i, true, &off);
	cpu_far_call(c, sel, off, true);
}

void op_RETF16(struct cpu *c, const struct insn *i) { (void)i; cpu_far_ret(c, false, 0); }
void op_RETF32(struct cpu *c, const struct insn *i) { (void)i; cpu_far_ret(c, true, 0); }
void op_RETF_Iw16(struct cpu *c, const struct insn *i) { cpu_far_ret(c, false, (uint16_t)i->imm); }
void op_RETF_Iw32(struct cpu *c, const struct insn *i) { cpu_far_ret(c, true, (uint16_t)i->imm); }
void op_IRET16(struct cpu *c, const struct insn *i) { (void)i; cpu_iret(c, false); }
void op_IRET32(struct cpu *c, const struct insn *i) { (void)i; cpu_iret(c, true); }

/* ---- LOOP family: the counter is CX or ECX by address size ---- */

static uint32_t loop_target(const struct cpu *c, const struct insn *i)
{
	return (i->flags & I_O32) ? rel32(c, i) : rel16(c, i);
}

/* Decrement the counter and branch if it is not zero and cond holds. The
 * limit check comes before the counter write so a fault changes nothing. */
static void loop_common(struct cpu *c, const struct insn *i, bool cond)
{
	uint32_t am = i->amask;
	uint32_t n = (c->r[R_ECX].d - 1) & am;
	if (n != 0 && cond)
		near_to(c, loop_target(c, i));
	c->r[R_ECX].d = (c->r[R_ECX].d & ~am) | n;
}

void op_LOOP(struct cpu *c, const struct insn *i) { loop_common(c, i, true); }
void op_LOOPE(struct cpu *c, const struct insn *i) { loop_common(c, i, lf_zf(&c->lf, c->eflags)); }
void op_LOOPNE(struct cpu *c, const struct insn *i) { loop_common(c, i, !lf_zf(&c->lf, c->eflags)); }

void op_JCXZ(struct cpu *c, const struct insn *i)
{
	if ((c->r[R_ECX].d & i->amask) == 0)
		near_to(c, loop_target(c, i));
}

/* ---- software interrupts: the frame holds the next instruction ---- */

/* Bit n of the interrupt redirection bitmap, the 32 bytes just below the I/O
 * map base of the 32-bit TSS, is clear: INT n is redirected. */
static bool v86_redirected(struct cpu *c, unsigned n)
{
	int32_t base = tss_io_map_base(c);
	uint32_t at = (uint32_t)base - 32 + n / 8;
	if (base < 32 || at > c->tr.limit)
		cpu_raise(c, EXC_GP, 0);
	return !((lin_rd8_acc(c, c->tr.base + at, ACC_SYS) >> (n & 7)) & 1);
}

/* Methods 4 and 6: an 8086-style interrupt inside the virtual-8086 task.
 * With IOPL < 3 the pushed image shows VIF as IF and IOPL 3, and VIF (not
 * IF) is cleared. */
static void v86_int_redirect(struct cpu *c, unsigned n)
{
	uint16_t ip = lin_rd16(c, n * 4);
	uint16_t cs = lin_rd16(c, n * 4 + 2);
	uint32_t fl = cpu_get_eflags(c);
	bool iopl3 = (fl & F_IOPL) == F_IOPL;
	uint16_t image = (uint16_t)fl;
	if (!iopl3)
		image = (uint16_t)((image & ~F_IF) | ((fl & F_VIF) ? F_IF : 0) | F_IOPL);
	uint32_t sp = stack_sp(c);
	sp = push16_at(c, sp, image);
	sp = push16_at(c, sp, c->seg[S_CS].sel);
	sp = push16_at(c, sp, (uint16_t)c->next_eip);
	stack_commit(c, sp);
	c->eflags = fl & ~(F_TF | F_RF | (iopl3 ? F_IF : F_VIF));
	c->lf.kind = LF_NONE;
	c->dbg.step = false; /* INT n takes no single-step trap (SDM 17.3.1.4) */
	seg_load_real(c, S_CS, cs);
	c->next_eip = ip;
	cpu_kick(c);
}

void op_INT_Ib(struct cpu *c, const struct insn *i)
{
	unsigned n = i->imm & 0xFF;
	if (cpu_v86_mode(c)) {
		if ((c->cr4 & CR4_VME) && v86_redirected(c, n)) {
			v86_int_redirect(c, n);
			return;
		}
		/* Methods 2 and 5: IOPL-sensitive. */
		if ((c->eflags & F_IOPL) != F_IOPL)
			cpu_raise(c, EXC_GP, 0);
	}
	cpu_interrupt(c, n, INT_SOFTWARE, EXC_NO_ERROR, c->next_eip);
}

void op_INT3(struct cpu *c, const struct insn *i)
{
	(void)i;
	cpu_interrupt(c, EXC_BP, INT_SOFTWARE, EXC_NO_ERROR, c->next_eip);
}

void op_INTO(struct cpu *c, const struct insn *i)
{
	(void)i;
	if (lf_of(&c->lf, c->eflags))
		cpu_interrupt(c, EXC_OF, INT_SOFTWARE, EXC_NO_ERROR, c->next_eip);
}

void op_INT1(struct cpu *c, const struct insn *i)
{
	(void)i;
	cpu_interrupt(c, EXC_DB, INT_ICEBP, EXC_NO_ERROR, c->next_eip);
}

/* ---- BOUND: #BR is a fault, so the frame points at BOUND itself ---- */

void op_BOUND_GwMa_m(struct cpu *c, const struct insn *i)
{
	uint32_t ea = insn_ea(c, i);
	int16_t lo = (int16_t)cpu_rd16(c, i->seg, ea);
	int16_t hi = (int16_t)cpu_rd16(c, i->seg, (ea + 2) & i->amask);
	int16_t v = (int16_t)c->r[i->reg].w;
	if (v < lo || v > hi)
		cpu_raise(c, EXC_BR, EXC_NO_ERROR);
}

void op_BOUND_GdMa_m(struct cpu *c, const struct insn *i)
{
	uint32_t ea = insn_ea(c, i);
	int32_t lo = (int32_t)cpu_rd32(c, i->seg, ea);
	int32_t hi = (int32_t)cpu_rd32(c, i->seg, (ea + 4) & i->amask);
	int32_t v = (int32_t)c->r[i->reg].d;
	if (v < lo || v > hi)
		cpu_raise(c, EXC_BR, EXC_NO_ERROR);
}
