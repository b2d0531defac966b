/*
 * Integer arithmetic and logic: ADD OR ADC SBB AND SUB XOR CMP in every
 * form (00-3D, group 80-83), TEST (84/85, A8/A9, F6/F7 /0 /1), INC/DEC
 * (40-4F, FE/FF /0 /1), NOT and NEG (F6/F7 /2 /3). Intel SDM vol. 2,
 * instruction reference; flags per vol. 1 appendix A.
 *
 * Flags are lazy (flags.h). A memory read-modify-write reads, computes into
 * a local lazy state, writes, and only then commits the flags, so a write
 * that faults leaves the flags as they were. Each memory form first tries
 * the frameless fast path (a host pointer valid for the whole access, write
 * permission included for read-modify-write) and otherwise runs its slow
 * twin through the checked accessors. LOCK is accepted on memory
 * destinations by the decoder and needs nothing here: one CPU, no other bus
 * master sees the half-done operation.
 *
 * Deviations: AF after logic instructions is undefined in the SDM; it reads
 * 0 (flags.c), as on the 386 and later.
 */
#include "cpu/mmu.h"
#include "cpu/ops.h"

_Static_assert(LF_ADC == LF_ADD + 1 && LF_SBB == LF_SUB + 1,
	       "ADC/SBB kinds must follow ADD/SUB: the carry selects the kind");

static const uint32_t alu_mask[3] = { 0xFF, 0xFFFF, 0xFFFFFFFFu };

/* The operations: compute the result masked to size sz and record the
 * flags in *lf (not yet in the CPU). */
static inline uint32_t alu_add(struct cpu *c, struct lazy_flags *lf, unsigned sz, uint32_t a,
			       uint32_t b)
{
	(void)c;
	uint32_t r = (a + b) & alu_mask[sz];
	lf_set(lf, LF_ADD, sz, r, a, b);
	return r;
}

static inline uint32_t alu_adc(struct cpu *c, struct lazy_flags *lf, unsigned sz, uint32_t a,
			       uint32_t b)
{
	unsigned cf = lf_cf(&c->lf, c->eflags);
	uint32_t r = (a + b + cf) & alu_mask[sz];
	lf_set(lf, (enum lf_kind)(LF_ADD + cf), sz, r, a, b);
	return r;
}

static inline uint32_t alu_sub(struct cpu *c, struct lazy_flags *lf, unsigned sz, uint32_t a,
			       uint32_t b)
{
	(void)c;
	uint32_t r = (a - b) & alu_mask[sz];
	lf_set(lf, LF_SUB, sz, r, a, b);
	return r;
}

static inline uint32_t alu_sbb(struct cpu *c, struct lazy_flags *lf, unsigned sz, uint32_t a,
			       uint32_t b)
{
	unsigned cf = lf_cf(&c->lf, c->eflags);
	uint32_t r = (a - b - cf) & alu_mask[sz];
	lf_set(lf, (enum lf_kind)(LF_SUB + cf), sz, r, a, b);
	return r;
}

#define ALU_LOGIC(name, expr)                                                                  \
	static inline uint32_t alu_##name(struct cpu *c, struct lazy_flags *lf, unsigned sz,   \
					  uint32_t a, uint32_t b)                              \
	{                                                                                      \
		(void)c;                                                                       \
		uint32_t r = (expr) & alu_mask[sz];                                            \
		lf_set(lf, LF_LOGIC, sz, r, a, b);                                             \
		return r;                                                                      \
	}
ALU_LOGIC(and, a & b)
ALU_LOGIC(or, a | b)
ALU_LOGIC(xor, a ^ b)

/* INC and DEC leave CF alone: the current CF rides in the lazy b operand. */
static inline uint32_t alu_inc(struct cpu *c, struct lazy_flags *lf, unsigned sz, uint32_t a,
			       uint32_t b)
{
	(void)b;
	uint32_t r = (a + 1) & alu_mask[sz];
	lf_set(lf, LF_INC, sz, r, a, lf_cf(&c->lf, c->eflags));
	return r;
}

static inline uint32_t alu_dec(struct cpu *c, struct lazy_flags *lf, unsigned sz, uint32_t a,
			       uint32_t b)
{
	(void)b;
	uint32_t r = (a - 1) & alu_mask[sz];
	lf_set(lf, LF_DEC, sz, r, a, lf_cf(&c->lf, c->eflags));
	return r;
}

/* NEG is 0 - x for the flags, which also gives CF = (x != 0). */
static inline uint32_t alu_neg(struct cpu *c, struct lazy_flags *lf, unsigned sz, uint32_t a,
			       uint32_t b)
{
	(void)b;
	return alu_sub(c, lf, sz, 0, a);
}

/* Register access by operand width; 8- and 16-bit writes keep the rest. */
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

/* E,G and G,E forms (wb: the result is written back; 0 for CMP and TEST). */
#define ALU_EG(NAME, OPF, WB, E, G, BITS, SZ)                                                  \
	void op_##NAME##_##E##G##_r(struct cpu *c, const struct insn *i)                       \
	{                                                                                      \
		struct lazy_flags lf;                                                          \
		uint32_t r = OPF(c, &lf, SZ, REG##BITS(c, i->rm), REG##BITS(c, i->reg));       \
		if (WB)                                                                        \
			REG##BITS(c, i->rm) = (uint##BITS##_t)r;                               \
		c->lf = lf;                                                                    \
	}                                                                                      \
	static MMU_SLOW void op_##NAME##_##E##G##_m_slow(struct cpu *c, const struct insn *i)  \
	{                                                                                      \
		struct lazy_flags lf;                                                          \
		uint32_t off = insn_ea(c, i);                                                  \
		uint32_t r = OPF(c, &lf, SZ, cpu_rd##BITS(c, i->seg, off), REG##BITS(c, i->reg)); \
		if (WB)                                                                        \
			cpu_wr##BITS(c, i->seg, off, (uint##BITS##_t)r);                       \
		c->lf = lf;                                                                    \
	}                                                                                      \
	void op_##NAME##_##E##G##_m(struct cpu *c, const struct insn *i)                       \
	{                                                                                      \
		MEM_FAST_OR_SLOW(op_##NAME##_##E##G##_m, BITS, WB)                             \
		struct lazy_flags lf;                                                          \
		uint32_t r = OPF(c, &lf, SZ, host_ld##BITS(p), REG##BITS(c, i->reg));          \
		if (WB)                                                                        \
			host_st##BITS(p, (uint##BITS##_t)r);                                   \
		c->lf = lf;                                                                    \
	}

#define ALU_GE(NAME, OPF, WB, G, E, BITS, SZ)                                                  \
	void op_##NAME##_##G##E##_r(struct cpu *c, const struct insn *i)                       \
	{                                                                                      \
		struct lazy_flags lf;                                                          \
		uint32_t r = OPF(c, &lf, SZ, REG##BITS(c, i->reg), REG##BITS(c, i->rm));       \
		if (WB)                                                                        \
			REG##BITS(c, i->reg) = (uint##BITS##_t)r;                              \
		c->lf = lf;                                                                    \
	}                                                                                      \
	static MMU_SLOW void op_##NAME##_##G##E##_m_slow(struct cpu *c, const struct insn *i)  \
	{                                                                                      \
		struct lazy_flags lf;                                                          \
		uint32_t src = cpu_rd##BITS(c, i->seg, insn_ea(c, i));                         \
		uint32_t r = OPF(c, &lf, SZ, REG##BITS(c, i->reg), src);                       \
		if (WB)                                                                        \
			REG##BITS(c, i->reg) = (uint##BITS##_t)r;                              \
		c->lf = lf;                                                                    \
	}                                                                                      \
	void op_##NAME##_##G##E##_m(struct cpu *c, const struct insn *i)                       \
	{                                                                                      \
		MEM_FAST_OR_SLOW(op_##NAME##_##G##E##_m, BITS, false)                          \
		struct lazy_flags lf;                                                          \
		uint32_t r = OPF(c, &lf, SZ, REG##BITS(c, i->reg), host_ld##BITS(p));          \
		if (WB)                                                                        \
			REG##BITS(c, i->reg) = (uint##BITS##_t)r;                              \
		c->lf = lf;                                                                    \
	}

/* E,I forms; the decoder has already sign-extended Ib for group 83. */
#define ALU_EI(NAME, OPF, WB, EI, BITS, SZ)                                                    \
	void op_##NAME##_##EI##_r(struct cpu *c, const struct insn *i)                         \
	{                                                                                      \
		struct lazy_flags lf;                                                          \
		uint32_t r = OPF(c, &lf, SZ, REG##BITS(c, i->rm), i->imm & alu_mask[SZ]);      \
		if (WB)                                                                        \
			REG##BITS(c, i->rm) = (uint##BITS##_t)r;                               \
		c->lf = lf;                                                                    \
	}                                                                                      \
	static MMU_SLOW void op_##NAME##_##EI##_m_slow(struct cpu *c, const struct insn *i)    \
	{                                                                                      \
		struct lazy_flags lf;                                                          \
		uint32_t off = insn_ea(c, i);                                                  \
		uint32_t a = cpu_rd##BITS(c, i->seg, off);                                     \
		uint32_t r = OPF(c, &lf, SZ, a, i->imm & alu_mask[SZ]);                        \
		if (WB)                                                                        \
			cpu_wr##BITS(c, i->seg, off, (uint##BITS##_t)r);                       \
		c->lf = lf;                                                                    \
	}                                                                                      \
	void op_##NAME##_##EI##_m(struct cpu *c, const struct insn *i)                         \
	{                                                                                      \
		MEM_FAST_OR_SLOW(op_##NAME##_##EI##_m, BITS, WB)                               \
		struct lazy_flags lf;                                                          \
		uint32_t r = OPF(c, &lf, SZ, host_ld##BITS(p), i->imm & alu_mask[SZ]);         \
		if (WB)                                                                        \
			host_st##BITS(p, (uint##BITS##_t)r);                                   \
		c->lf = lf;                                                                    \
	}

/* AL/eAX,I forms: the accumulator is register 0 at every width. */
#define ALU_AI(NAME, OPF, WB, AI, BITS, SZ)                                                    \
	void op_##NAME##_##AI(struct cpu *c, const struct insn *i)                             \
	{                                                                                      \
		struct lazy_flags lf;                                                          \
		uint32_t r = OPF(c, &lf, SZ, REG##BITS(c, R_EAX), i->imm & alu_mask[SZ]);      \
		if (WB)                                                                        \
			REG##BITS(c, R_EAX) = (uint##BITS##_t)r;                               \
		c->lf = lf;                                                                    \
	}

/* One-operand E forms (INC, DEC, NEG) and the 40-4F register forms. */
#define ALU_E(NAME, OPF, E, BITS, SZ)                                                          \
	void op_##NAME##_##E##_r(struct cpu *c, const struct insn *i)                          \
	{                                                                                      \
		struct lazy_flags lf;                                                          \
		REG##BITS(c, i->rm) = (uint##BITS##_t)OPF(c, &lf, SZ, REG##BITS(c, i->rm), 0); \
		c->lf = lf;                                                                    \
	}                                                                                      \
	static MMU_SLOW void op_##NAME##_##E##_m_slow(struct cpu *c, const struct insn *i)     \
	{                                                                                      \
		struct lazy_flags lf;                                                          \
		uint32_t off = insn_ea(c, i);                                                  \
		uint32_t r = OPF(c, &lf, SZ, cpu_rd##BITS(c, i->seg, off), 0);                 \
		cpu_wr##BITS(c, i->seg, off, (uint##BITS##_t)r);                               \
		c->lf = lf;                                                                    \
	}                                                                                      \
	void op_##NAME##_##E##_m(struct cpu *c, const struct insn *i)                          \
	{                                                                                      \
		MEM_FAST_OR_SLOW(op_##NAME##_##E##_m, BITS, true)                              \
		struct lazy_flags lf;                                                          \
		host_st##BITS(p, (uint##BITS##_t)OPF(c, &lf, SZ, host_ld##BITS(p), 0));        \
		c->lf = lf;                                                                    \
	}

#define ALU_Z(NAME, OPF, Z, BITS, SZ)                                                          \
	void op_##NAME##_##Z(struct cpu *c, const struct insn *i)                              \
	{                                                                                      \
		struct lazy_flags lf;                                                          \
		REG##BITS(c, i->reg) = (uint##BITS##_t)OPF(c, &lf, SZ, REG##BITS(c, i->reg), 0); \
		c->lf = lf;                                                                    \
	}

/* The eight classic binary operations, every form and width. */
#define ALU_BINARY(NAME, OPF, WB)                          \
	ALU_EG(NAME, OPF, WB, Eb, Gb, 8, 0)                \
	ALU_EG(NAME, OPF, WB, Ew, Gw, 16, 1)               \
	ALU_EG(NAME, OPF, WB, Ed, Gd, 32, 2)               \
	ALU_GE(NAME, OPF, WB, Gb, Eb, 8, 0)                \
	ALU_GE(NAME, OPF, WB, Gw, Ew, 16, 1)               \
	ALU_GE(NAME, OPF, WB, Gd, Ed, 32, 2)               \
	ALU_AI(NAME, OPF, WB, ALIb, 8, 0)                  \
	ALU_AI(NAME, OPF, WB, AXIw, 16, 1)                 \
	ALU_AI(NAME, OPF, WB, EAXId, 32, 2)                \
	ALU_EI(NAME, OPF, WB, EbIb, 8, 0)                  \
	ALU_EI(NAME, OPF, WB, EwIw, 16, 1)                 \
	ALU_EI(NAME, OPF, WB, EdId, 32, 2)                 \
	ALU_EI(NAME, OPF, WB, EwIb, 16, 1)                 \
	ALU_EI(NAME, OPF, WB, EdIb, 32, 2)

ALU_BINARY(ADD, alu_add, 1)
ALU_BINARY(OR, alu_or, 1)
ALU_BINARY(ADC, alu_adc, 1)
ALU_BINARY(SBB, alu_sbb, 1)
ALU_BINARY(AND, alu_and, 1)
ALU_BINARY(SUB, alu_sub, 1)
ALU_BINARY(XOR, alu_xor, 1)
ALU_BINARY(CMP, alu_sub, 0)

/* TEST: AND for the flags only; no G,E or sign-extended-Ib encodings. */
ALU_EG(TEST, alu_and, 0, Eb, Gb, 8, 0)
ALU_EG(TEST, alu_and, 0, Ew, Gw, 16, 1)
ALU_EG(TEST, alu_and, 0, Ed, Gd, 32, 2)
ALU_AI(TEST, alu_and, 0, ALIb, 8, 0)
ALU_AI(TEST, alu_and, 0, AXIw, 16, 1)
ALU_AI(TEST, alu_and, 0, EAXId, 32, 2)
ALU_EI(TEST, alu_and, 0, EbIb, 8, 0)
ALU_EI(TEST, alu_and, 0, EwIw, 16, 1)
ALU_EI(TEST, alu_and, 0, EdId, 32, 2)

ALU_E(INC, alu_inc, Eb, 8, 0)
ALU_E(INC, alu_inc, Ew, 16, 1)
ALU_E(INC, alu_inc, Ed, 32, 2)
ALU_E(DEC, alu_dec, Eb, 8, 0)
ALU_E(DEC, alu_dec, Ew, 16, 1)
ALU_E(DEC, alu_dec, Ed, 32, 2)
ALU_E(NEG, alu_neg, Eb, 8, 0)
ALU_E(NEG, alu_neg, Ew, 16, 1)
ALU_E(NEG, alu_neg, Ed, 32, 2)
ALU_Z(INC, alu_inc, Rw, 16, 1)
ALU_Z(INC, alu_inc, Rd, 32, 2)
ALU_Z(DEC, alu_dec, Rw, 16, 1)
ALU_Z(DEC, alu_dec, Rd, 32, 2)

/* NOT changes no flags. */
#define ALU_NOT(E, BITS)                                                                       \
	void op_NOT_##E##_r(struct cpu *c, const struct insn *i)                               \
	{                                                                                      \
		REG##BITS(c, i->rm) = (uint##BITS##_t)~REG##BITS(c, i->rm);                    \
	}                                                                                      \
	static MMU_SLOW void op_NOT_##E##_m_slow(struct cpu *c, const struct insn *i)          \
	{                                                                                      \
		uint32_t off = insn_ea(c, i);                                                  \
		cpu_wr##BITS(c, i->seg, off, (uint##BITS##_t)~cpu_rd##BITS(c, i->seg, off));   \
	}                                                                                      \
	void op_NOT_##E##_m(struct cpu *c, const struct insn *i)                               \
	{                                                                                      \
		MEM_FAST_OR_SLOW(op_NOT_##E##_m, BITS, true)                                   \
		host_st##BITS(p, (uint##BITS##_t)~host_ld##BITS(p));                           \
	}
ALU_NOT(Eb, 8)
ALU_NOT(Ew, 16)
ALU_NOT(Ed, 32)
