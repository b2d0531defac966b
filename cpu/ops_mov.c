/*
 * Data movement that touches no flags: MOV between registers, memory and
 * immediates (88-8B, A0-A3, B0-BF, C6/C7), XCHG (86/87, 91-97), LEA (8D),
 * CBW/CWDE/CWD/CDQ (98/99) and the hint NOP (0F 1F /0). Intel SDM vol. 2,
 * instruction reference.
 *
 * The memory forms of MOV try the frameless fast path of cpu/mmu.h
 * (cpu_fast_ptr) and otherwise run a slow twin with the checked accessors.
 * XCHG with memory reads, then writes memory, then the register, so that a
 * faulting write leaves the register unchanged; its implicit LOCK needs
 * nothing on a single CPU. The hint NOP decodes its operand but accesses
 * nothing, as the SDM describes (a P6 performs no memory access for it).
 */
#include "cpu/mmu.h"
#include "cpu/ops.h"

#define REG8(c, n) (*cpu_reg8((c), (n)))
#define REG16(c, n) ((c)->r[(n)].w)
#define REG32(c, n) ((c)->r[(n)].d)

/* The fast path of a memory form: p = the host address of the BITS-bit
 * operand (writable if WRITE), else the whole instruction goes to FN's slow
 * twin as a tail call, so the fast path needs no stack frame (cpu/mmu.h,
 * cpu_fast_ptr). The twins are the checked-accessor versions. */
#define MEM_FAST_OR_SLOW(FN, BITS, WRITE)                                                      \
	uint8_t *p;                                                                            \
	if (unlikely(!cpu_fast_ptr(c, i->seg, insn_ea(c, i), (BITS) / 8, (WRITE), &p))) {      \
		FN##_slow(c, i);                                                               \
		return;                                                                        \
	}

#define MOV_WIDTH(E, G, I, BITS)                                                               \
	void op_MOV_##E##G##_r(struct cpu *c, const struct insn *i)                            \
	{                                                                                      \
		REG##BITS(c, i->rm) = REG##BITS(c, i->reg);                                    \
	}                                                                                      \
	static MMU_SLOW void op_MOV_##E##G##_m_slow(struct cpu *c, const struct insn *i)       \
	{                                                                                      \
		cpu_wr##BITS(c, i->seg, insn_ea(c, i), REG##BITS(c, i->reg));                  \
	}                                                                                      \
	void op_MOV_##E##G##_m(struct cpu *c, const struct insn *i)                            \
	{                                                                                      \
		MEM_FAST_OR_SLOW(op_MOV_##E##G##_m, BITS, true)                                \
		host_st##BITS(p, REG##BITS(c, i->reg));                                        \
	}                                                                                      \
	void op_MOV_##G##E##_r(struct cpu *c, const struct insn *i)                            \
	{                                                                                      \
		REG##BITS(c, i->reg) = REG##BITS(c, i->rm);                                    \
	}                                                                                      \
	static MMU_SLOW void op_MOV_##G##E##_m_slow(struct cpu *c, const struct insn *i)       \
	{                                                                                      \
		REG##BITS(c, i->reg) = cpu_rd##BITS(c, i->seg, insn_ea(c, i));                 \
	}                                                                                      \
	void op_MOV_##G##E##_m(struct cpu *c, const struct insn *i)                            \
	{                                                                                      \
		MEM_FAST_OR_SLOW(op_MOV_##G##E##_m, BITS, false)                               \
		REG##BITS(c, i->reg) = host_ld##BITS(p);                                       \
	}                                                                                      \
	void op_MOV_##E##I##_r(struct cpu *c, const struct insn *i)                            \
	{                                                                                      \
		REG##BITS(c, i->rm) = (uint##BITS##_t)i->imm;                                  \
	}                                                                                      \
	static MMU_SLOW void op_MOV_##E##I##_m_slow(struct cpu *c, const struct insn *i)       \
	{                                                                                      \
		cpu_wr##BITS(c, i->seg, insn_ea(c, i), (uint##BITS##_t)i->imm);                \
	}                                                                                      \
	void op_MOV_##E##I##_m(struct cpu *c, const struct insn *i)                            \
	{                                                                                      \
		MEM_FAST_OR_SLOW(op_MOV_##E##I##_m, BITS, true)                                \
		host_st##BITS(p, (uint##BITS##_t)i->imm);                                      \
	}                                                                                      \
	void op_XCHG_##E##G##_r(struct cpu *c, const struct insn *i)                           \
	{                                                                                      \
		uint##BITS##_t t = REG##BITS(c, i->rm);                                        \
		REG##BITS(c, i->rm) = REG##BITS(c, i->reg);                                    \
		REG##BITS(c, i->reg) = t;                                                      \
	}                                                                                      \
	void op_XCHG_##E##G##_m(struct cpu *c, const struct insn *i)                           \
	{                                                                                      \
		uint32_t off = insn_ea(c, i);                                                  \
		uint##BITS##_t t = cpu_rd##BITS(c, i->seg, off);                               \
		cpu_wr##BITS(c, i->seg, off, REG##BITS(c, i->reg));                            \
		REG##BITS(c, i->reg) = t;                                                      \
	}
MOV_WIDTH(Eb, Gb, Ib, 8)
MOV_WIDTH(Ew, Gw, Iw, 16)
MOV_WIDTH(Ed, Gd, Id, 32)

/* Register in the opcode's low bits (B0-BF). */
#define MOV_Z(Z, I, BITS)                                                                   \
	void op_MOV_##Z##I(struct cpu *c, const struct insn *i)                                \
	{                                                                                      \
		REG##BITS(c, i->reg) = (uint##BITS##_t)i->imm;                                 \
	}
MOV_Z(Rb, Ib, 8)
MOV_Z(Rw, Iw, 16)
MOV_Z(Rd, Id, 32)

void op_XCHG_AXRw(struct cpu *c, const struct insn *i)
{
	uint16_t t = c->r[R_EAX].w;
	c->r[R_EAX].w = c->r[i->reg].w;
	c->r[i->reg].w = t;
}

void op_XCHG_EAXRd(struct cpu *c, const struct insn *i)
{
	uint32_t t = c->r[R_EAX].d;
	c->r[R_EAX].d = c->r[i->reg].d;
	c->r[i->reg].d = t;
}

/* moffs: a bare offset in the address size, in DS or the override. */
#define MOV_MOFFS(A, O, BITS)                                                                  \
	void op_MOV_##A##O(struct cpu *c, const struct insn *i)                                \
	{                                                                                      \
		REG##BITS(c, R_EAX) = cpu_rd##BITS(c, i->seg, i->disp & i->amask);             \
	}                                                                                      \
	void op_MOV_##O##A(struct cpu *c, const struct insn *i)                                \
	{                                                                                      \
		cpu_wr##BITS(c, i->seg, i->disp & i->amask, REG##BITS(c, R_EAX));              \
	}
MOV_MOFFS(AL, Ob, 8)
MOV_MOFFS(AX, Ow, 16)
MOV_MOFFS(EAX, Od, 32)

/* LEA computes the offset in the address size and truncates it to the
 * operand size; no segment, no access. */
void op_LEA_GwM_m(struct cpu *c, const struct insn *i) { c->r[i->reg].w = (uint16_t)insn_ea(c, i); }
void op_LEA_GdM_m(struct cpu *c, const struct insn *i) { c->r[i->reg].d = insn_ea(c, i); }

void op_CBW(struct cpu *c, const struct insn *i)
{
	(void)i;
	c->r[R_EAX].w = (uint16_t)(int16_t)(int8_t)c->r[R_EAX].b[0];
}

void op_CWDE(struct cpu *c, const struct insn *i)
{
	(void)i;
	c->r[R_EAX].d = (uint32_t)(int32_t)(int16_t)c->r[R_EAX].w;
}

void op_CWD(struct cpu *c, const struct insn *i)
{
	(void)i;
	c->r[R_EDX].w = (uint16_t)-(c->r[R_EAX].w >> 15);
}

void op_CDQ(struct cpu *c, const struct insn *i)
{
	(void)i;
	c->r[R_EDX].d = -(c->r[R_EAX].d >> 31);
}

void op_NOP_Ev_r(struct cpu *c, const struct insn *i)
{
	(void)c;
	(void)i;
}

void op_NOP_Ev_m(struct cpu *c, const struct insn *i)
{
	(void)c;
	(void)i;
}
