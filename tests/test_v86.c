/* Virtual-8086 mode: entry by IRET, interrupts out of it, the IOPL-
 * sensitive IRET inside it (SDM vol. 3, 20.2-20.3), and the TSS I/O
 * permission bitmap (SDM vol. 1, 19.5.2). */
#include <criterion/criterion.h>

#include "cpu/interrupt.h"
#include "cpu/mmu.h"
#include "cpu/ops.h"
#include "cpu/seg.h"
#include "tests/prot_util.h"

/* Build the 9-dword frame of an IRET to virtual-8086 mode at 0x7000. */
static void v86_frame(struct machine *m, uint16_t cs, uint32_t eip, uint32_t flags)
{
	static const uint32_t rest[] = { 0xFFFE, 0x2000, 0x3000, 0x4000, 0x5000, 0x6000 };
	pu_poke32(m, 0x7000, eip);
	pu_poke32(m, 0x7004, cs);
	pu_poke32(m, 0x7008, flags);
	for (unsigned k = 0; k < 6; k++)
		pu_poke32(m, 0x700C + 4 * k, rest[k]);
}

static struct machine *enter_v86(uint32_t flags)
{
	struct machine *m = pu_new("f4");
	struct cpu *c = tm_cpu(m);
	pu_tss_stack(m, PU_TSS, 0, PU_DS0, 0x7000);
	c->r[R_ESP].d = 0x7000;
	v86_frame(m, 0x1000, 0x0010, flags | F_VM | 2);
	PU_TRY(c, cpu_iret(c, true));
	return m;
}

Test(v86, iret_from_ring0_enters_v86)
{
	struct machine *m = enter_v86(F_IF);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->exc_vector, -1);
	cr_assert(cpu_v86_mode(c));
	cr_assert_eq(c->cpl, 3);
	cr_assert_eq(c->next_eip, 0x10);
	cr_assert_eq(c->seg[S_CS].base, 0x10000);
	cr_assert_eq(c->seg[S_SS].sel, 0x2000);
	cr_assert_eq(c->seg[S_SS].base, 0x20000);
	cr_assert_eq(c->seg[S_ES].sel, 0x3000);
	cr_assert_eq(c->seg[S_DS].sel, 0x4000);
	cr_assert_eq(c->seg[S_FS].sel, 0x5000);
	cr_assert_eq(c->seg[S_GS].base, 0x60000);
	cr_assert_eq(c->seg[S_CS].limit, 0xFFFF);
	cr_assert_eq(c->r[R_ESP].d, 0xFFFE);
	tm_free(m);
}

Test(v86, interrupt_leaves_v86_and_saves_segments)
{
	struct machine *m = enter_v86(F_IF);
	struct cpu *c = tm_cpu(m);
	c->eip = c->next_eip;
	PU_TRY(c, cpu_interrupt(c, 0x21, INT_HARDWARE, EXC_NO_ERROR, 0x10));
	cr_assert_eq(c->exc_vector, -1);
	cr_assert(!cpu_v86_mode(c));
	cr_assert_eq(c->cpl, 0);
	cr_assert_eq(c->eip, TM_HANDLERS + 0x21);
	cr_assert_eq(c->r[R_ESP].d, 0x7000 - 36);
	cr_assert_eq(tm_peek32(m, 0x7000 - 4), 0x6000, "GS");
	cr_assert_eq(tm_peek32(m, 0x7000 - 8), 0x5000, "FS");
	cr_assert_eq(tm_peek32(m, 0x7000 - 12), 0x4000, "DS");
	cr_assert_eq(tm_peek32(m, 0x7000 - 16), 0x3000, "ES");
	cr_assert_eq(tm_peek32(m, 0x7000 - 20), 0x2000, "SS");
	cr_assert_eq(tm_peek32(m, 0x7000 - 24), 0xFFFE, "ESP");
	cr_assert_eq(tm_peek32(m, 0x7000 - 28), F_VM | F_IF | 2, "EFLAGS with VM");
	cr_assert_eq(tm_peek32(m, 0x7000 - 32), 0x1000, "CS");
	cr_assert_eq(tm_peek32(m, 0x7000 - 36), 0x10, "EIP");
	for (unsigned s = 0; s < 6; s++)
		if (s != S_CS && s != S_SS)
			cr_assert_eq(c->seg[s].sel, 0);
	cr_assert_eq(c->eflags & (F_VM | F_IF), 0);
	tm_free(m);
}

Test(v86, round_trip_through_the_run_loop)
{
	/* v86 code at 1000:0010 is UD2; #UD goes to ring 0 with a v86 frame */
	struct machine *m = enter_v86(0);
	struct cpu *c = tm_cpu(m);
	tm_poke(m, 0x10010, "0f0b");
	c->eip = c->next_eip;
	tm_run(m);
	cr_assert_eq(c->eip, TM_HANDLERS + EXC_UD + 1);
	cr_assert_eq(tm_peek32(m, 0x7000 - 36), 0x10);
	cr_assert_eq(tm_peek32(m, 0x7000 - 28), F_VM | F_RF | 2);
	tm_free(m);
}

Test(v86, gate_to_non_ring0_code_is_gp)
{
	struct machine *m = enter_v86(0);
	struct cpu *c = tm_cpu(m);
	pu_gate(m, PU_IDT, 0x21, PU_CS3, 0x100, 0xEE, 0);
	PU_TRY(c, cpu_interrupt(c, 0x21, INT_SOFTWARE, EXC_NO_ERROR, 0x12));
	cr_assert_eq(c->exc_vector, EXC_GP);
	cr_assert_eq(c->exc_error, PU_CS3 & ~3);
	cr_assert(cpu_v86_mode(c));
	tm_free(m);
}

Test(v86, iret_inside_v86_needs_iopl3)
{
	struct machine *m = enter_v86(0);
	struct cpu *c = tm_cpu(m);
	PU_TRY(c, cpu_iret(c, false));
	cr_assert_eq(c->exc_vector, EXC_GP);
	cr_assert_eq(c->exc_error, 0);
	tm_free(m);
}

Test(v86, iret_inside_v86_keeps_iopl)
{
	struct machine *m = enter_v86(F_IOPL);
	struct cpu *c = tm_cpu(m);
	/* SS:SP = 2000:FFFE; a 16-bit frame at 2000:FFF0 */
	c->r[R_ESP].d = 0xFFF0;
	pu_poke16(m, 0x2FFF0, 0x0100);
	pu_poke16(m, 0x2FFF2, 0x0800);
	pu_poke16(m, 0x2FFF4, F_IF | F_CF);
	PU_TRY(c, cpu_iret(c, false));
	cr_assert_eq(c->exc_vector, -1);
	cr_assert_eq(c->next_eip, 0x100);
	cr_assert_eq(c->seg[S_CS].base, 0x8000);
	cr_assert_eq(c->r[R_ESP].d, 0xFFF6);
	cr_assert_eq(cpu_get_eflags(c), F_VM | F_IOPL | F_IF | F_CF | 2);
	tm_free(m);
}

Test(v86, io_bitmap_decides_in_v86)
{
	struct machine *m = enter_v86(F_IOPL); /* IOPL does not matter in v86 */
	struct cpu *c = tm_cpu(m);
	tm_poke(m, PU_TSS + 0x68 + 0x60 / 8, "01"); /* port 0x60 denied */
	PU_TRY(c, cpu_check_io(c, 0x61, 1));
	cr_assert_eq(c->exc_vector, -1);
	PU_TRY(c, cpu_check_io(c, 0x60, 1));
	cr_assert_eq(c->exc_vector, EXC_GP);
	cr_assert_eq(c->exc_error, 0);
	PU_TRY(c, cpu_check_io(c, 0x5E, 4));
	cr_assert_eq(c->exc_vector, EXC_GP, "a dword access covering 0x60");
	tm_free(m);
}

Test(v86, io_bitmap_across_bytes_and_limit)
{
	struct machine *m = pu_new("f4");
	struct cpu *c = tm_cpu(m);
	pu_ring3(c, 0x9000);
	tm_poke(m, PU_TSS + 0x68 + 0x400 / 8, "01"); /* port 0x400 */
	PU_TRY(c, cpu_check_io(c, 0x3FE, 2));
	cr_assert_eq(c->exc_vector, -1);
	PU_TRY(c, cpu_check_io(c, 0x3FF, 2));
	cr_assert_eq(c->exc_vector, EXC_GP, "word at 0x3FF covers 0x400");
	/* The processor reads two bitmap bytes: both must be within the limit. */
	c->tr.limit = 0x68 + 0x10;
	PU_TRY(c, cpu_check_io(c, 0x78, 1));
	cr_assert_eq(c->exc_vector, -1, "bytes 0x77-0x78");
	PU_TRY(c, cpu_check_io(c, 0x80, 1));
	cr_assert_eq(c->exc_vector, EXC_GP, "bytes 0x78-0x79");
	cpu_set_cpl(c, 0);
	PU_TRY(c, cpu_check_io(c, 0x400, 1));
	cr_assert_eq(c->exc_vector, -1, "CPL <= IOPL needs no bitmap");
	tm_free(m);
}

/* CR4.VME software-interrupt redirection (SDM vol. 3, 20.3.3, table 20-2):
 * the TSS's I/O map base moves to 0x88 so that the redirection bitmap sits
 * at 0x68-0x87. INT 0x21 is redirected (bit clear), INT 0x22 is not. */
static struct machine *enter_v86_vme(uint32_t flags)
{
	struct machine *m = enter_v86(flags);
	struct cpu *c = tm_cpu(m);
	c->cr4 |= CR4_VME;
	pu_poke16(m, PU_TSS + 0x66, 0x88);
	for (unsigned b = 0; b < 32; b++)
		tm_poke(m, PU_TSS + 0x68 + b, "ff");
	tm_poke(m, PU_TSS + 0x68 + 0x21 / 8, "fd"); /* clear bit 0x21 & 7 = 1 */
	pu_poke16(m, 0x21 * 4, 0x0123);              /* the v86 task's IVT at linear 0 */
	pu_poke16(m, 0x21 * 4 + 2, 0x0800);
	c->eip = 0x10;
	c->next_eip = 0x12;
	return m;
}

static void int_n(struct cpu *c, unsigned n)
{
	struct insn i = { .imm = n, .len = 2 };
	PU_TRY(c, op_INT_Ib(c, &i));
}

Test(v86, vme_redirects_int_n_to_the_v86_ivt_with_iopl3)
{
	struct machine *m = enter_v86_vme(F_IF | F_IOPL);
	struct cpu *c = tm_cpu(m);
	int_n(c, 0x21);
	cr_assert_eq(c->exc_vector, -1);
	cr_assert(cpu_v86_mode(c), "stays in virtual-8086 mode (method 4)");
	cr_assert_eq(c->seg[S_CS].sel, 0x0800);
	cr_assert_eq(c->seg[S_CS].base, 0x8000);
	cr_assert_eq(c->next_eip, 0x0123);
	cr_assert_eq(c->r[R_ESP].d, 0xFFFE - 6);
	cr_assert_eq(tm_peek16(m, 0x20000 + 0xFFFC), F_IF | F_IOPL | 2, "FLAGS image");
	cr_assert_eq(tm_peek16(m, 0x20000 + 0xFFFA), 0x1000, "CS");
	cr_assert_eq(tm_peek16(m, 0x20000 + 0xFFF8), 0x12, "IP of the next instruction");
	cr_assert_eq(c->eflags & F_IF, 0, "IF cleared");
	tm_free(m);
}

Test(v86, vme_redirect_with_iopl0_uses_vif)
{
	struct machine *m = enter_v86_vme(F_VIF);
	struct cpu *c = tm_cpu(m);
	int_n(c, 0x21);
	cr_assert_eq(c->exc_vector, -1);
	cr_assert(cpu_v86_mode(c), "method 6");
	cr_assert_eq(c->next_eip, 0x0123);
	cr_assert_eq(tm_peek16(m, 0x20000 + 0xFFFC), F_IF | F_IOPL | 2, "VIF shown as IF, IOPL 3");
	cr_assert_eq(c->eflags & F_VIF, 0, "VIF cleared");
	cr_assert_eq(c->eflags & F_IOPL, 0, "real IOPL unchanged");
	tm_free(m);
}

Test(v86, vme_unredirected_int_follows_iopl)
{
	struct machine *m = enter_v86_vme(0);
	struct cpu *c = tm_cpu(m);
	int_n(c, 0x22); /* bit set, IOPL 0: method 5, #GP(0) */
	cr_assert_eq(c->exc_vector, EXC_GP);
	cr_assert_eq(c->exc_error, 0);
	tm_free(m);
	m = enter_v86_vme(F_IOPL);
	c = tm_cpu(m);
	pu_gate(m, PU_IDT, 0x22, PU_CS0, TM_HANDLERS + 0x22, 0xEE, 0); /* DPL 3 */
	int_n(c, 0x22); /* bit set, IOPL 3: method 3, the protected-mode handler */
	cr_assert_eq(c->exc_vector, -1);
	cr_assert(!cpu_v86_mode(c));
	cr_assert_eq(c->next_eip, TM_HANDLERS + 0x22);
	tm_free(m);
}
