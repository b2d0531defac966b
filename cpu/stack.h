/*
 * Stack access through SS with the B bit choosing SP or ESP. The *_at forms
 * work on a local stack pointer so that a handler pushing several values
 * commits ESP only after every write succeeded (faults leave ESP unchanged).
 */
#ifndef POPEK_STACK_H
#define POPEK_STACK_H

#include "cpu/mmu.h"

static inline uint32_t stack_mask(const struct cpu *c)
{
	return (c->seg[S_SS].ar & AR_DB) ? 0xFFFFFFFFu : 0xFFFFu;
}
static inline uint32_t stack_sp(const struct cpu *c) { return c->r[R_ESP].d & stack_mask(c); }
static inline void stack_commit(struct cpu *c, uint32_t sp)
{
	uint32_t m = stack_mask(c);
	c->r[R_ESP].d = (c->r[R_ESP].d & ~m) | (sp & m);
}
static inline uint32_t push16_at(struct cpu *c, uint32_t sp, uint16_t v)
{
	sp = (sp - 2) & stack_mask(c);
	cpu_wr16(c, S_SS, sp, v);
	return sp;
}
static inline uint32_t push32_at(struct cpu *c, uint32_t sp, uint32_t v)
{
	sp = (sp - 4) & stack_mask(c);
	cpu_wr32(c, S_SS, sp, v);
	return sp;
}
static inline uint16_t pop16_at(struct cpu *c, uint32_t *sp)
{
	uint16_t v = cpu_rd16(c, S_SS, *sp);
	*sp = (*sp + 2) & stack_mask(c);
	return v;
}
static inline uint32_t pop32_at(struct cpu *c, uint32_t *sp)
{
	uint32_t v = cpu_rd32(c, S_SS, *sp);
	*sp = (*sp + 4) & stack_mask(c);
	return v;
}
static inline void cpu_push16(struct cpu *c, uint16_t v) { stack_commit(c, push16_at(c, stack_sp(c), v)); }
static inline void cpu_push32(struct cpu *c, uint32_t v) { stack_commit(c, push32_at(c, stack_sp(c), v)); }
static inline uint16_t cpu_pop16(struct cpu *c)
{
	uint32_t sp = stack_sp(c);
	uint16_t v = pop16_at(c, &sp);
	stack_commit(c, sp);
	return v;
}
static inline uint32_t cpu_pop32(struct cpu *c)
{
	uint32_t sp = stack_sp(c);
	uint32_t v = pop32_at(c, &sp);
	stack_commit(c, sp);
	return v;
}

/* Frameless fast paths of a 32-bit push and pop (the cpu_fast_ptr pattern
 * of cpu/mmu.h): only with a 32-bit stack (SS.B), where ESP is the whole
 * pointer and needs no wrap. On false, nothing has changed and the caller
 * hands the instruction to its slow twin; on true it stores or loads at *p
 * and then commits ESP itself (sp for a push, ESP + 4 for a pop). */
static inline bool stack_fast_push32(struct cpu *c, uint32_t *sp, uint8_t **p)
{
	*sp = c->r[R_ESP].d - 4;
	return (c->seg[S_SS].ar & AR_DB) && cpu_fast_ptr(c, S_SS, *sp, 4, true, p);
}
static inline bool stack_fast_pop32(struct cpu *c, uint8_t **p)
{
	return (c->seg[S_SS].ar & AR_DB) && cpu_fast_ptr(c, S_SS, c->r[R_ESP].d, 4, false, p);
}

/* The same with a 16-bit stack (SS.B clear: real mode, boot loaders),
 * for the slow twins, so that the 32-bit fast paths above stay as they
 * are: SP wraps at 64 KiB and ESP's upper half stays, so *esp gets the
 * whole ESP to commit. A push or pop that would wrap inside its four
 * bytes fails the limit check and takes the generic path. */
static inline bool stack_fast_push32_sp16(struct cpu *c, uint32_t *esp, uint8_t **p)
{
	uint32_t sp = (c->r[R_ESP].d - 4) & 0xFFFF;
	*esp = (c->r[R_ESP].d & 0xFFFF0000u) | sp;
	return !(c->seg[S_SS].ar & AR_DB) && cpu_fast_ptr(c, S_SS, sp, 4, true, p);
}
static inline bool stack_fast_pop32_sp16(struct cpu *c, uint32_t *esp, uint8_t **p)
{
	uint32_t sp = c->r[R_ESP].d & 0xFFFF;
	*esp = (c->r[R_ESP].d & 0xFFFF0000u) | ((sp + 4) & 0xFFFF);
	return !(c->seg[S_SS].ar & AR_DB) && cpu_fast_ptr(c, S_SS, sp, 4, false, p);
}

#endif
