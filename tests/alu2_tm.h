/*
 * Helpers shared by the shift, multiply, BCD, bit and extension tests:
 * state set directly in the CPU (no dependence on MOV or POPF), one
 * instruction, then HLT.
 */
#ifndef POPEK_TESTS_ALU2_TM_H
#define POPEK_TESTS_ALU2_TM_H

#include <criterion/criterion.h>

#include "tests/tm.h"

#define T2_DATA 0x2000u /* scratch memory operands live here (DS = 0) */

/* Set all six arithmetic flags at once. */
static inline void t2_flags(struct cpu *c, uint32_t f)
{
	c->eflags = (c->eflags & ~F_ARITH) | f;
	c->lf.kind = LF_NONE;
}

static inline uint32_t t2_arith(struct cpu *c) { return cpu_get_eflags(c) & F_ARITH; }

/* Run to the HLT after the code; it must not have gone through a vector. */
static inline void t2_run(struct machine *m)
{
	cr_assert_eq(tm_run(m), MACHINE_HALTED);
	cr_assert_eq(tm_cpu(m)->seg[S_CS].sel, TM_CODE >> 4, "an exception was raised");
}

/* Run and expect exception vector v, with CS:IP of the frame at the code. */
static inline void t2_run_fault(struct machine *m, unsigned v)
{
	cr_assert_eq(tm_run(m), MACHINE_HALTED);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->seg[S_CS].sel, 0);
	cr_assert_eq(c->eip, TM_HANDLERS + v + 1, "expected vector %u, ended at %x", v, c->eip);
	cr_assert_eq(tm_peek16(m, 0x8000 - 6), 0, "frame IP is not the faulting instruction");
}

#endif
