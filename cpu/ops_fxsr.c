/*
 * FXSAVE and FXRSTOR (0F AE /0 and /1) for a CPU whose x87 and SSE units are
 * absent: FXSAVE stores the image of the initialised state, FXRSTOR checks its
 * operand and discards it. Intel SDM vol. 2A, FXSAVE and FXRSTOR, table 3-53
 * (legacy 512-byte layout); vol. 1 table 9-1 (x87 state after FINIT) and
 * 10.2.3 (MXCSR default 1F80H); vol. 1 11.6.6 (MXCSR_MASK).
 *
 * Why at all: boot code that preserves FPU/SSE state around BIOS calls runs
 * FXSAVE without checking CPUID (iPXE's librm with its default
 * TIVOLI_VMM_WORKAROUND), and #UD there loops forever in the BIOS's IRET.
 *
 * Deviations: CPUID does not report FXSR (bit 24), and CR4.OSFXSR does not
 * exist, so an OS that checks never uses these. The x87 is modelled as absent
 * (D8-DF are no-ops), so FXSAVE always stores FCW 037FH, FSW 0, an all-empty
 * abridged tag word, zero pointers and registers, MXCSR 1F80H; bytes 288-511
 * (reserved and software-available) are not written.
 */
#include "cpu/cpu.h"
#include "cpu/mmu.h"
#include "cpu/ops.h"

#define FX_FCW_INIT 0x037Fu
#define FX_MXCSR_INIT 0x1F80u
#define FX_MXCSR_MASK 0xFFBFu /* no DAZ, as on the first SSE processors */
#define FX_WRITTEN 288u        /* header, ST0-7, XMM0-7 */
#define FX_SIZE 512u

/* #UD with CR0.EM, #NM with CR0.TS, #GP(0) unless 16-byte aligned (linear). */
static uint32_t fx_operand(struct cpu *c, const struct insn *i)
{
	if (c->cr0 & CR0_EM)
		cpu_raise(c, EXC_UD, EXC_NO_ERROR);
	if (c->cr0 & CR0_TS)
		cpu_raise(c, EXC_NM, EXC_NO_ERROR);
	uint32_t off = insn_ea(c, i);
	if ((c->seg[i->seg].base + off) & 15u)
		cpu_raise(c, EXC_GP, 0);
	return off;
}

void op_FXSAVE_m(struct cpu *c, const struct insn *i)
{
	uint32_t off = fx_operand(c, i);
	/* Highest address first: a limit or page fault on the far end comes
	 * before any byte is stored. */
	for (uint32_t k = FX_WRITTEN - 4;; k -= 4) {
		uint32_t v = 0;
		if (k == 0)
			v = FX_FCW_INIT; /* FSW in the high half is 0 */
		else if (k == 24)
			v = FX_MXCSR_INIT;
		else if (k == 28)
			v = FX_MXCSR_MASK;
		cpu_wr32(c, i->seg, off + k, v);
		if (k == 0)
			break;
	}
}

void op_FXRSTOR_m(struct cpu *c, const struct insn *i)
{
	uint32_t off = fx_operand(c, i);
	/* The 512 aligned bytes span at most two pages: reading both ends
	 * raises the limit and page faults a full load would. The operand
	 * does not wrap at 64 KiB: past the limit is #GP, as for any access. */
	(void)cpu_rd8(c, i->seg, off + FX_SIZE - 1);
	(void)cpu_rd8(c, i->seg, off);
	if (cpu_rd32(c, i->seg, off + 24) & ~FX_MXCSR_MASK)
		cpu_raise(c, EXC_GP, 0);
}
