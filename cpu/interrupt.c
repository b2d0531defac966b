/* Real-mode interrupt delivery through the IVT (SDM vol. 3, 20.1.4). */
#include "cpu/interrupt.h"

#include "cpu/mmu.h"
#include "cpu/stack.h"

void seg_load_real(struct cpu *c, unsigned s, uint16_t sel)
{
	c->seg[s].sel = sel;
	c->seg[s].base = (uint32_t)sel << 4;
	if (cpu_v86_mode(c)) {
		/* Virtual-8086 segments are always 64 KiB, writable, DPL 3. */
		c->seg[s].limit = 0xFFFF;
		c->seg[s].ar = s == S_CS ? 0xFB : 0xF3;
	}
	seg_update_chk(c, s);
}

static void interrupt_real(struct cpu *c, unsigned vector, uint32_t return_eip)
{
	if (vector * 4 + 3 > c->idtr.limit)
		cpu_raise(c, EXC_GP, (int32_t)(vector * 8 + 2));
	laddr_t entry = c->idtr.base + vector * 4;
	uint16_t ip = lin_rd16(c, entry);
	uint16_t cs = lin_rd16(c, entry + 2);
	uint32_t sp = stack_sp(c);
	sp = push16_at(c, sp, (uint16_t)cpu_get_eflags(c));
	sp = push16_at(c, sp, c->seg[S_CS].sel);
	sp = push16_at(c, sp, (uint16_t)return_eip);
	stack_commit(c, sp);
	c->eflags &= ~(F_IF | F_TF | F_AC | F_RF);
	seg_load_real(c, S_CS, cs);
	c->eip = ip;
	c->next_eip = ip;
}

void cpu_interrupt(struct cpu *c, unsigned vector, enum int_kind kind, int32_t error,
		   uint32_t return_eip)
{
	c->halted = false;
	/* INT n, INT3 and INTO clear TF and take no single-step trap
	 * themselves (SDM vol. 3, 17.3.1.4: debuggers must emulate them). */
	if (kind == INT_SOFTWARE)
		c->dbg.step = false;
	if (cpu_real_mode(c))
		interrupt_real(c, vector, return_eip);
	else
		cpu_interrupt_prot(c, vector, kind, error, return_eip);
	cpu_kick(c); /* IF changed, and the block ends here */
}
