/*
 * Stack instructions: PUSH/POP of registers, memory, immediates and segment
 * registers, PUSHA/POPA, PUSHF/POPF, ENTER/LEAVE (Intel SDM vol. 2, the
 * instruction pages of each; vol. 3, 20.2.7 for the IOPL-sensitive
 * PUSHF/POPF in virtual-8086 mode with and without CR4.VME).
 *
 * Every handler pushes on a local stack pointer and commits ESP only after
 * its last memory access, so a fault leaves the registers as they were.
 *
 * Deviations: a 32-bit PUSH Sreg writes only the low 16 bits of its slot
 * (the SDM allows this; P6 and later do it), and the stack pointer is
 * adjusted by the stack size in effect before a POP SS loaded the new SS.
 */
#include "cpu/ops.h"

#include "cpu/mmu.h"
#include "cpu/seg.h"
#include "cpu/stack.h"

/* Flags a POPF can change at CPL 0 (real mode included), by operand size.
 * Reserved bits, VM, VIF and VIP never change; RF is cleared by the 32-bit form. */
#define POPF_MASK16 0x7FD5u
#define POPF_MASK32 (POPF_MASK16 | F_AC | F_ID)

static unsigned iopl(const struct cpu *c) { return (c->eflags & F_IOPL) >> 12; }

/* ---- general registers, memory, immediates ---- */

void op_PUSH_Rw(struct cpu *c, const struct insn *i) { cpu_push16(c, c->r[i->reg].w); }
/* 32-bit pushes of a value known before the push: a frameless fast path
 * and a slow twin (cpu/stack.h, stack_fast_push32), which has a fast path
 * of its own for a 16-bit stack. PUSH ESP pushes the value ESP had before
 * the instruction: it is read before the commit. */
#define PUSH32_FAST(name, value)                                              \
	static MMU_SLOW void name##_slow(struct cpu *c, const struct insn *i) \
	{                                                                     \
		uint32_t esp;                                                 \
		uint8_t *p;                                                   \
		if (stack_fast_push32_sp16(c, &esp, &p)) {                    \
			host_st32(p, value);                                  \
			c->r[R_ESP].d = esp;                                  \
			return;                                               \
		}                                                             \
		cpu_push32(c, value);                                         \
	}                                                                     \
	void name(struct cpu *c, const struct insn *i)                        \
	{                                                                     \
		uint32_t sp;                                                  \
		uint8_t *p;                                                   \
		if (unlikely(!stack_fast_push32(c, &sp, &p))) {               \
			name##_slow(c, i);                                    \
			return;                                               \
		}                                                             \
		host_st32(p, value);                                          \
		c->r[R_ESP].d = sp;                                           \
	}

PUSH32_FAST(op_PUSH_Rd, c->r[i->reg].d)
void op_PUSH_Ew_r(struct cpu *c, const struct insn *i) { cpu_push16(c, c->r[i->rm].w); }
void op_PUSH_Ed_r(struct cpu *c, const struct insn *i) { cpu_push32(c, c->r[i->rm].d); }
void op_PUSH_Iw(struct cpu *c, const struct insn *i) { cpu_push16(c, (uint16_t)i->imm); }
PUSH32_FAST(op_PUSH_Id, i->imm)
void op_PUSH_Ib16(struct cpu *c, const struct insn *i) { cpu_push16(c, (uint16_t)i->imm); }
PUSH32_FAST(op_PUSH_Ib32, i->imm)

void op_PUSH_Ew_m(struct cpu *c, const struct insn *i)
{
	cpu_push16(c, cpu_rd16(c, i->seg, insn_ea(c, i)));
}

void op_PUSH_Ed_m(struct cpu *c, const struct insn *i)
{
	cpu_push32(c, cpu_rd32(c, i->seg, insn_ea(c, i)));
}

/* POP ESP/SP: the register receives the popped value, not the incremented pointer. */
void op_POP_Rw(struct cpu *c, const struct insn *i)
{
	uint16_t v = cpu_pop16(c);
	c->r[i->reg].w = v;
}

static MMU_SLOW void op_POP_Rd_slow(struct cpu *c, const struct insn *i)
{
	uint32_t esp;
	uint8_t *p;
	if (stack_fast_pop32_sp16(c, &esp, &p)) {
		uint32_t v = host_ld32(p);
		c->r[R_ESP].d = esp;
		c->r[i->reg].d = v;
		return;
	}
	uint32_t v = cpu_pop32(c);
	c->r[i->reg].d = v;
}

/* ESP is incremented before the register is written, so POP ESP loads the
 * popped value, as the SDM specifies. */
void op_POP_Rd(struct cpu *c, const struct insn *i)
{
	uint8_t *p;
	if (unlikely(!stack_fast_pop32(c, &p))) {
		op_POP_Rd_slow(c, i);
		return;
	}
	uint32_t v = host_ld32(p);
	c->r[R_ESP].d += 4;
	c->r[i->reg].d = v;
}

void op_POP_Ew_r(struct cpu *c, const struct insn *i)
{
	uint16_t v = cpu_pop16(c);
	c->r[i->rm].w = v;
}

void op_POP_Ed_r(struct cpu *c, const struct insn *i)
{
	uint32_t v = cpu_pop32(c);
	c->r[i->rm].d = v;
}

/* POP to memory computes its address with ESP already incremented (SDM
 * POP), yet must leave ESP unchanged if the store faults. */
static uint32_t pop_ea(struct cpu *c, const struct insn *i, uint32_t new_sp)
{
	uint32_t old = c->r[R_ESP].d;
	stack_commit(c, new_sp);
	uint32_t off = insn_ea(c, i);
	c->r[R_ESP].d = old;
	return off;
}

void op_POP_Ew_m(struct cpu *c, const struct insn *i)
{
	uint32_t sp = stack_sp(c);
	uint16_t v = pop16_at(c, &sp);
	cpu_wr16(c, i->seg, pop_ea(c, i, sp), v);
	stack_commit(c, sp);
}

void op_POP_Ed_m(struct cpu *c, const struct insn *i)
{
	uint32_t sp = stack_sp(c);
	uint32_t v = pop32_at(c, &sp);
	cpu_wr32(c, i->seg, pop_ea(c, i, sp), v);
	stack_commit(c, sp);
}

/* ---- segment registers (i->reg is the Sreg number from the opcode) ---- */

void op_PUSH_Sw16(struct cpu *c, const struct insn *i) { cpu_push16(c, c->seg[i->reg].sel); }

void op_PUSH_Sw32(struct cpu *c, const struct insn *i)
{
	uint32_t sp = (stack_sp(c) - 4) & stack_mask(c);
	cpu_wr16(c, S_SS, sp, c->seg[i->reg].sel);
	stack_commit(c, sp);
}

/* The pointer update uses the stack size of the SS the value came from. */
static void pop_seg(struct cpu *c, unsigned s, unsigned bytes)
{
	uint32_t mask = stack_mask(c);
	uint32_t sp = stack_sp(c);
	uint16_t sel = cpu_rd16(c, S_SS, sp);
	cpu_load_seg(c, s, sel);
	c->r[R_ESP].d = (c->r[R_ESP].d & ~mask) | ((sp + bytes) & mask);
	if (s == S_SS)
		cpu_ss_shadow(c);
}

void op_POP_Sw16(struct cpu *c, const struct insn *i) { pop_seg(c, i->reg, 2); }
void op_POP_Sw32(struct cpu *c, const struct insn *i) { pop_seg(c, i->reg, 4); }

/* ---- PUSHA / POPA ---- */

void op_PUSHA16(struct cpu *c, const struct insn *i)
{
	(void)i;
	uint32_t sp = stack_sp(c);
	uint16_t old_sp = c->r[R_ESP].w;
	for (unsigned r = R_EAX; r <= R_EDI; r++)
		sp = push16_at(c, sp, r == R_ESP ? old_sp : c->r[r].w);
	stack_commit(c, sp);
}

void op_PUSHA32(struct cpu *c, const struct insn *i)
{
	(void)i;
	uint32_t sp = stack_sp(c);
	uint32_t old_sp = c->r[R_ESP].d;
	for (unsigned r = R_EAX; r <= R_EDI; r++)
		sp = push32_at(c, sp, r == R_ESP ? old_sp : c->r[r].d);
	stack_commit(c, sp);
}

/* POPA reads every slot first and skips the one PUSHA stored SP in. */
void op_POPA16(struct cpu *c, const struct insn *i)
{
	(void)i;
	uint32_t sp = stack_sp(c);
	uint16_t v[8];
	for (unsigned r = 8; r-- > 0;)
		v[r] = pop16_at(c, &sp);
	stack_commit(c, sp);
	for (unsigned r = R_EAX; r <= R_EDI; r++)
		if (r != R_ESP)
			c->r[r].w = v[r];
}

void op_POPA32(struct cpu *c, const struct insn *i)
{
	(void)i;
	uint32_t sp = stack_sp(c);
	uint32_t v[8];
	for (unsigned r = 8; r-- > 0;)
		v[r] = pop32_at(c, &sp);
	stack_commit(c, sp);
	for (unsigned r = R_EAX; r <= R_EDI; r++)
		if (r != R_ESP)
			c->r[r].d = v[r];
}

/* ---- PUSHF / POPF ---- */

/* Virtual-8086 mode with IOPL < 3: #GP(0) unless CR4.VME and a 16-bit form. */
static bool v86_trapped(struct cpu *c, bool o32)
{
	if (!cpu_v86_mode(c) || iopl(c) == 3)
		return false;
	if (o32 || !(c->cr4 & CR4_VME))
		cpu_raise(c, EXC_GP, 0);
	return true;
}

void op_PUSHF16(struct cpu *c, const struct insn *i)
{
	(void)i;
	uint32_t f = cpu_get_eflags(c);
	if (v86_trapped(c, false)) /* VME: the guest sees VIF as IF, and IOPL 3 */
		f = (f & ~F_IF) | ((c->eflags & F_VIF) ? F_IF : 0) | F_IOPL;
	cpu_push16(c, (uint16_t)f);
}

void op_PUSHF32(struct cpu *c, const struct insn *i)
{
	(void)i;
	v86_trapped(c, true);
	cpu_push32(c, cpu_get_eflags(c) & ~(F_VM | F_RF));
}

/* Which flags POPF may write (SDM POPF operation). */
static uint32_t popf_mask(const struct cpu *c, bool o32)
{
	uint32_t m = o32 ? POPF_MASK32 : POPF_MASK16;
	unsigned cpl = cpu_v86_mode(c) ? 3 : c->cpl;
	if (cpu_real_mode(c) || cpl == 0)
		return m;
	m &= ~F_IOPL;
	if (cpl > iopl(c))
		m &= ~F_IF;
	return m;
}

/* CR4.VME, IOPL < 3, 16-bit POPF: IF goes to VIF; TF, or IF with VIP, trap. */
static void popf_vme(struct cpu *c, uint16_t v, uint32_t sp)
{
	if ((v & F_TF) || ((v & F_IF) && (c->eflags & F_VIP)))
		cpu_raise(c, EXC_GP, 0);
	stack_commit(c, sp);
	cpu_set_eflags(c, v, POPF_MASK16 & ~(F_IF | F_IOPL));
	c->eflags = (c->eflags & ~F_VIF) | ((v & F_IF) ? F_VIF : 0);
}

void op_POPF16(struct cpu *c, const struct insn *i)
{
	(void)i;
	bool vme = v86_trapped(c, false);
	uint32_t sp = stack_sp(c);
	uint16_t v = pop16_at(c, &sp);
	if (vme) {
		popf_vme(c, v, sp);
		return;
	}
	stack_commit(c, sp);
	cpu_set_eflags(c, v, popf_mask(c, false));
}

void op_POPF32(struct cpu *c, const struct insn *i)
{
	(void)i;
	v86_trapped(c, true);
	uint32_t sp = stack_sp(c);
	uint32_t v = pop32_at(c, &sp);
	stack_commit(c, sp);
	cpu_set_eflags(c, v & ~F_RF, popf_mask(c, true) | F_RF);
}

/* ---- ENTER / LEAVE ---- */

/* SDM ENTER: push the old frame pointer, copy level-1 outer frame pointers
 * from the old frame, push the new frame pointer, then allocate. */
static void enter(struct cpu *c, const struct insn *i, bool o32)
{
	uint32_t mask = stack_mask(c);
	unsigned level = i->imm2 & 31;
	uint32_t bp = c->r[R_EBP].d;
	uint32_t sp = stack_sp(c);
	sp = o32 ? push32_at(c, sp, bp) : push16_at(c, sp, (uint16_t)bp);
	uint32_t frame = sp;
	if (level) {
		for (unsigned n = 1; n < level; n++) {
			if (o32) {
				bp -= 4;
				sp = push32_at(c, sp, cpu_rd32(c, S_SS, bp & mask));
			} else {
				bp -= 2;
				sp = push16_at(c, sp, cpu_rd16(c, S_SS, bp & mask));
			}
		}
		sp = o32 ? push32_at(c, sp, frame) : push16_at(c, sp, (uint16_t)frame);
	}
	sp = (sp - (i->imm & 0xFFFF)) & mask;
	seg_linear(c, S_SS, sp, 1, SEG_DENY_WRITE); /* #SS if the new top is outside SS */
	if (o32)
		c->r[R_EBP].d = frame;
	else
		c->r[R_EBP].w = (uint16_t)frame;
	stack_commit(c, sp);
}

void op_ENTER16(struct cpu *c, const struct insn *i) { enter(c, i, false); }
void op_ENTER32(struct cpu *c, const struct insn *i) { enter(c, i, true); }

void op_LEAVE16(struct cpu *c, const struct insn *i)
{
	(void)i;
	uint32_t sp = c->r[R_EBP].d & stack_mask(c);
	uint16_t v = pop16_at(c, &sp);
	stack_commit(c, sp);
	c->r[R_EBP].w = v;
}

void op_LEAVE32(struct cpu *c, const struct insn *i)
{
	(void)i;
	uint32_t sp = c->r[R_EBP].d & stack_mask(c);
	uint32_t v = pop32_at(c, &sp);
	stack_commit(c, sp);
	c->r[R_EBP].d = v;
}
