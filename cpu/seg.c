/*
 * Segment loads and far transfers in real mode (SDM vol. 3, ch. 20 "8086
 * Emulation"): base = selector << 4, limit and attributes kept (so "unreal"
 * mode works as on hardware), far transfers push and pop plain CS:IP.
 * Protected mode goes to the *_prot functions.
 */
#include "cpu/seg.h"

#include "cpu/interrupt.h"
#include "cpu/mmu.h"
#include "cpu/stack.h"

void cpu_refresh_segs(struct cpu *c)
{
	for (unsigned s = 0; s < 6; s++)
		seg_update_chk(c, s);
}

void cpu_load_seg(struct cpu *c, unsigned s, uint16_t sel)
{
	if (cpu_prot_mode(c))
		seg_load_prot(c, s, sel);
	else
		seg_load_real(c, s, sel);
	if (s == S_SS || s == S_CS)
		cpu_kick(c);
}

void cpu_ss_shadow(struct cpu *c)
{
	c->shadow_icount = cpu_icount(c) + 1;
	cpu_kick(c);
}

static uint32_t ip_mask(bool o32) { return o32 ? 0xFFFFFFFFu : 0xFFFFu; }

void cpu_far_jmp(struct cpu *c, uint16_t sel, uint32_t off, bool o32)
{
	off &= ip_mask(o32);
	if (cpu_prot_mode(c)) {
		far_jmp_prot(c, sel, off);
		return;
	}
	if (off > c->seg[S_CS].limit)
		cpu_raise(c, EXC_GP, 0);
	seg_load_real(c, S_CS, sel);
	c->next_eip = off;
}

void cpu_far_call(struct cpu *c, uint16_t sel, uint32_t off, bool o32)
{
	off &= ip_mask(o32);
	if (cpu_prot_mode(c)) {
		far_call_prot(c, sel, off, o32);
		return;
	}
	if (off > c->seg[S_CS].limit)
		cpu_raise(c, EXC_GP, 0);
	uint32_t sp = stack_sp(c);
	if (o32) {
		sp = push32_at(c, sp, c->seg[S_CS].sel);
		sp = push32_at(c, sp, c->next_eip);
	} else {
		sp = push16_at(c, sp, c->seg[S_CS].sel);
		sp = push16_at(c, sp, (uint16_t)c->next_eip);
	}
	stack_commit(c, sp);
	seg_load_real(c, S_CS, sel);
	c->next_eip = off;
}

void cpu_far_ret(struct cpu *c, bool o32, uint16_t pop_bytes)
{
	if (cpu_prot_mode(c)) {
		far_ret_prot(c, o32, pop_bytes);
		return;
	}
	uint32_t sp = stack_sp(c);
	uint32_t off = o32 ? pop32_at(c, &sp) : pop16_at(c, &sp);
	uint16_t sel = (uint16_t)(o32 ? pop32_at(c, &sp) : pop16_at(c, &sp));
	if (off > c->seg[S_CS].limit)
		cpu_raise(c, EXC_GP, 0);
	stack_commit(c, sp + pop_bytes);
	seg_load_real(c, S_CS, sel);
	c->next_eip = off;
}

void cpu_iret(struct cpu *c, bool o32)
{
	if (cpu_v86_mode(c)) {
		iret_v86(c, o32);
		return;
	}
	if (cpu_prot_mode(c)) {
		iret_prot(c, o32);
		return;
	}
	uint32_t sp = stack_sp(c);
	uint32_t off, flags;
	uint16_t sel;
	if (o32) {
		off = pop32_at(c, &sp);
		sel = (uint16_t)pop32_at(c, &sp);
		flags = pop32_at(c, &sp);
	} else {
		off = pop16_at(c, &sp);
		sel = pop16_at(c, &sp);
		flags = pop16_at(c, &sp);
	}
	if (off > c->seg[S_CS].limit)
		cpu_raise(c, EXC_GP, 0);
	stack_commit(c, sp);
	seg_load_real(c, S_CS, sel);
	c->next_eip = off;
	/* Real mode: every flag but VM and RF-class bits is writable; a 16-bit
	 * IRET leaves the upper half alone. VIF/VIP are kept (SDM IRET). */
	uint32_t writable = o32 ? (0x257FD5u & ~(F_VM | F_VIF | F_VIP)) : 0x7FD5u;
	cpu_set_eflags(c, flags, writable);
}

void cpu_check_io(struct cpu *c, uint16_t port, unsigned size)
{
	if (cpu_real_mode(c))
		return;
	unsigned iopl = (c->eflags & F_IOPL) >> 12;
	if (!cpu_v86_mode(c) && c->cpl <= iopl)
		return;
	if (!io_allowed_prot(c, port, size))
		cpu_raise(c, EXC_GP, 0);
}
