/*
 * Test helper for the control/stack/system instruction tests: run one
 * instruction through its handler outside the run loop. It lets a test put
 * the CPU in states the bare test machine cannot deliver interrupts from yet
 * (protected mode, virtual-8086 mode) and see which exception, if any, the
 * handler raised.
 */
#ifndef POPEK_TESTS_CTRL_DIRECT_H
#define POPEK_TESTS_CTRL_DIRECT_H

#include <setjmp.h>

#include "cpu/decode.h"
#include "cpu/seg.h"

#define DIRECT_NO_FAULT (-1)

/* Decode bytes at the current EIP's place and run them; returns the vector
 * raised or DIRECT_NO_FAULT (EIP then advances as the run loop would). */
static inline int direct_exec(struct cpu *c, const uint8_t *bytes, unsigned len)
{
	struct insn in;
	int n = decode_insn(bytes, len, (c->seg[S_CS].ar & AR_DB) != 0, &in, NULL);
	if (n <= 0)
		return -2;
	c->next_eip = c->eip + (uint32_t)n;
	if (setjmp(c->jmp))
		return c->exc_vector;
	in.fn(c, &in);
	c->eip = c->next_eip;
	return DIRECT_NO_FAULT;
}

/* Protected mode at the given CPL, segments as the real-mode caches left them. */
static inline void direct_enter_prot(struct cpu *c, unsigned cpl)
{
	c->cr0 |= CR0_PE;
	cpu_set_cpl(c, cpl);
	cpu_refresh_segs(c);
}

/* Virtual-8086 mode (CPL 3) with the given IOPL. */
static inline void direct_enter_v86(struct cpu *c, unsigned iopl)
{
	c->cr0 |= CR0_PE;
	c->eflags = (c->eflags & ~F_IOPL) | F_VM | ((uint32_t)iopl << 12);
	cpu_set_cpl(c, 3);
	cpu_refresh_segs(c);
}

#endif
