/* System and segment instructions: MOV CRn/DRn, LGDT/LIDT/SGDT/SIDT,
 * SMSW/LMSW, CLTS, INVLPG, CPUID, RDTSC, RDMSR/WRMSR, MOV Sreg, LxS, XLAT,
 * CLI/STI and their shadow, WAIT and ESC. Expected values follow the SDM
 * (and, for SGDT with 16-bit operands, the P6-family manual). */
#include <criterion/criterion.h>

#include "cpu/interrupt.h"
#include "cpu/mmu.h"
#include "tests/ctrl_direct.h"
#include "tests/tm.h"

static uint32_t vector_of(struct cpu *c)
{
	return c->seg[S_CS].sel == 0 && c->eip > TM_HANDLERS ? c->eip - TM_HANDLERS - 1 : 0xFFFF;
}

/* ---- control and debug registers ---- */

Test(sys, mov_from_cr0_reads_the_reset_value)
{
	struct machine *m = tm_new("0f 20 c0 f4");
	tm_run(m);
	cr_assert_eq(tm_cpu(m)->r[R_EAX].d, CR0_ET | CR0_CD | CR0_NW);
	tm_free(m);
}

Test(sys, mov_to_cr0_in_real_mode)
{
	struct machine *m = tm_new("0f 22 c3 0f 20 c1 f4");
	struct cpu *c = tm_cpu(m);
	c->r[R_EBX].d = CR0_TS | CR0_MP; /* ET comes back set, CD/NW cleared */
	tm_run(m);
	cr_assert_eq(c->cr0, CR0_TS | CR0_MP | CR0_ET);
	cr_assert_eq(c->r[R_ECX].d, CR0_TS | CR0_MP | CR0_ET);
	tm_free(m);
}

Test(sys, mov_to_cr0_can_enter_protected_mode)
{
	struct machine *m = tm_new("0f 22 c0 90 f4");
	struct cpu *c = tm_cpu(m);
	c->r[R_EAX].d = CR0_PE | CR0_ET;
	tm_run(m);
	cr_assert(cpu_prot_mode(c));
	cr_assert_eq(c->eip, 5, "runs on with the cached CS");
	tm_free(m);
}

Test(sys, mov_to_cr0_invalid_combinations_raise_gp)
{
	struct machine *m = tm_new("0f 22 c0");
	tm_cpu(m)->r[R_EAX].d = CR0_NW | CR0_ET;
	tm_run(m);
	cr_assert_eq(vector_of(tm_cpu(m)), EXC_GP, "NW without CD");
	tm_free(m);

	m = tm_new("0f 22 c0");
	tm_cpu(m)->r[R_EAX].d = CR0_PG | CR0_ET;
	tm_run(m);
	cr_assert_eq(vector_of(tm_cpu(m)), EXC_GP, "PG without PE");
	cr_assert_eq(tm_cpu(m)->cr0, CR0_ET | CR0_CD | CR0_NW, "unchanged");
	tm_free(m);
}

Test(sys, cr2_cr3_cr4)
{
	struct machine *m = tm_new("0f 22 d0 0f 22 da 0f 22 e1 0f 20 d6 0f 20 df f4");
	struct cpu *c = tm_cpu(m);
	c->r[R_EAX].d = 0xDEADBEEF;
	c->r[R_EDX].d = 0x00123FFF; /* only the base, PCD and PWT stick */
	c->r[R_ECX].d = CR4_PSE | CR4_PGE | CR4_TSD;
	tm_run(m);
	cr_assert_eq(c->cr2, 0xDEADBEEF);
	cr_assert_eq(c->cr3, 0x00123018);
	cr_assert_eq(c->cr4, CR4_PSE | CR4_PGE | CR4_TSD);
	cr_assert_eq(c->r[R_ESI].d, 0xDEADBEEF);
	cr_assert_eq(c->r[R_EDI].d, 0x00123018);
	tm_free(m);
}

Test(sys, cr4_reserved_bits_and_missing_crs)
{
	struct machine *m = tm_new("0f 22 e0");
	tm_cpu(m)->r[R_EAX].d = 0x20; /* PAE: not on this CPU */
	tm_run(m);
	cr_assert_eq(vector_of(tm_cpu(m)), EXC_GP);
	tm_free(m);

	m = tm_new("0f 20 c8"); /* mov eax, cr1 */
	tm_run(m);
	cr_assert_eq(vector_of(tm_cpu(m)), EXC_UD);
	tm_free(m);

	m = tm_new("0f 22 e8"); /* mov cr5, eax */
	tm_run(m);
	cr_assert_eq(vector_of(tm_cpu(m)), EXC_UD);
	tm_free(m);
}

Test(sys, privileged_instructions_fault_outside_cpl0)
{
	static const uint8_t insns[][3] = {
		{ 0x0F, 0x20, 0xC0 }, /* mov eax, cr0 */
		{ 0x0F, 0x22, 0xD8 }, /* mov cr3, eax */
		{ 0x0F, 0x21, 0xF8 }, /* mov eax, dr7 */
		{ 0x0F, 0x06, 0x90 }, /* clts */
		{ 0x0F, 0x09, 0x90 }, /* wbinvd */
		{ 0x0F, 0x32, 0x90 }, /* rdmsr */
		{ 0x0F, 0x01, 0xF0 }, /* lmsw ax */
	};
	for (unsigned k = 0; k < ARRAY_SIZE(insns); k++) {
		struct machine *m = tm_new("");
		struct cpu *c = tm_cpu(m);
		direct_enter_prot(c, 3);
		c->r[R_ECX].d = 0x10;
		cr_assert_eq(direct_exec(c, insns[k], 3), EXC_GP, "insn %u at CPL 3", k);
		tm_free(m);
		m = tm_new("");
		c = tm_cpu(m);
		direct_enter_v86(c, 3);
		cr_assert_eq(direct_exec(c, insns[k], 3), EXC_GP, "insn %u in v86", k);
		tm_free(m);
	}
}

Test(sys, debug_registers_and_the_dr4_dr5_aliases)
{
	struct machine *m = tm_new("0f 23 f8 0f 21 e1 0f 23 c2 0f 21 c3 f4");
	struct cpu *c = tm_cpu(m);
	c->r[R_EAX].d = 0x00000003; /* DR7: L0 G0 */
	c->r[R_EDX].d = 0x12345678;
	tm_run(m);
	cr_assert_eq(c->dr[7], 0x403, "bit 10 reads 1");
	cr_assert_eq(c->r[R_ECX].d, 0xFFFF0FF0, "DR4 reads DR6 without CR4.DE");
	cr_assert_eq(c->dr[0], 0x12345678);
	cr_assert_eq(c->r[R_EBX].d, 0x12345678);
	tm_free(m);

	m = tm_new("0f 21 e1");
	tm_cpu(m)->cr4 = CR4_DE;
	tm_run(m);
	cr_assert_eq(vector_of(tm_cpu(m)), EXC_UD, "DR4 with CR4.DE");
	tm_free(m);
}

/* ---- descriptor tables, MSW ---- */

Test(sys, lgdt_sgdt_round_trip_with_32bit_operands)
{
	struct machine *m = tm_new("66 0f 01 16 00 20 66 0f 01 06 10 20 f4");
	struct cpu *c = tm_cpu(m);
	tm_poke(m, 0x2000, "34 12 ef cd ab 89");
	tm_run(m);
	cr_assert_eq(c->gdtr.limit, 0x1234);
	cr_assert_eq(c->gdtr.base, 0x89ABCDEF);
	cr_assert_eq(tm_peek16(m, 0x2010), 0x1234);
	cr_assert_eq(tm_peek32(m, 0x2012), 0x89ABCDEF);
	tm_free(m);
}

Test(sys, lgdt_sgdt_with_16bit_operands_use_24_bits_of_base)
{
	struct machine *m = tm_new("0f 01 16 00 20 0f 01 06 10 20 f4");
	struct cpu *c = tm_cpu(m);
	tm_poke(m, 0x2000, "34 12 ef cd ab 89");
	tm_poke(m, 0x2010, "ff ff ff ff ff ff ff");
	tm_run(m);
	cr_assert_eq(c->gdtr.base, 0x00ABCDEF);
	cr_assert_eq(tm_peek16(m, 0x2010), 0x1234);
	cr_assert_eq(tm_peek32(m, 0x2012), 0x00ABCDEF, "top byte stored as 0 (P6)");
	cr_assert_eq(tm_peek8(m, 0x2016), 0xFF, "six bytes only");
	tm_free(m);
}

Test(sys, lidt_sidt_and_sgdt_keeps_the_full_base_at_32bit)
{
	struct machine *m = tm_new("66 0f 01 1e 00 20 66 0f 01 0e 10 20 0f 01 0e 20 20 f4");
	struct cpu *c = tm_cpu(m);
	tm_poke(m, 0x2000, "ff 07 00 00 10 fe");
	tm_run(m);
	cr_assert_eq(c->idtr.limit, 0x7FF);
	cr_assert_eq(c->idtr.base, 0xFE100000);
	cr_assert_eq(tm_peek32(m, 0x2012), 0xFE100000);
	cr_assert_eq(tm_peek32(m, 0x2022), 0x00100000);
	tm_free(m);
}

Test(sys, lidt_moves_the_real_mode_ivt)
{
	/* lidt [0x2000] then int 0x10 through the table at 0x3000 */
	struct machine *m = tm_new("0f 01 1e 00 20 cd 10");
	struct cpu *c = tm_cpu(m);
	tm_poke(m, 0x2000, "ff 03 00 30 00 00");
	tm_poke(m, 0x3000 + 0x10 * 4, "00 07 00 00");
	tm_poke(m, 0x700, "f4");
	tm_run(m);
	cr_assert_eq(c->eip, 0x701);
	tm_free(m);
}

Test(sys, smsw_register_and_memory_forms)
{
	struct machine *m = tm_new("0f 01 e0 66 0f 01 e3 66 0f 01 26 00 20 f4");
	struct cpu *c = tm_cpu(m);
	c->r[R_EAX].d = 0xFFFFFFFF;
	tm_poke(m, 0x2000, "ff ff ff ff");
	tm_run(m);
	cr_assert_eq(c->r[R_EAX].d, 0xFFFF0010, "16-bit: low word of CR0");
	cr_assert_eq(c->r[R_EBX].d, CR0_ET | CR0_CD | CR0_NW, "32-bit register: all of CR0");
	cr_assert_eq(tm_peek32(m, 0x2000), 0xFFFF0010, "memory: 16 bits");
	tm_free(m);
}

Test(sys, lmsw_sets_pe_but_never_clears_it)
{
	struct machine *m = tm_new("0f 01 f0 0f 01 f3 f4");
	struct cpu *c = tm_cpu(m);
	c->r[R_EAX].d = 0xFFF9; /* PE, TS, and junk above bit 3 */
	c->r[R_EBX].d = 0x0002; /* MP only: PE stays */
	tm_run(m);
	cr_assert_eq(c->cr0, CR0_ET | CR0_CD | CR0_NW | CR0_PE | CR0_MP);
	tm_free(m);
}

Test(sys, clts_clears_ts)
{
	struct machine *m = tm_new("0f 06 f4");
	tm_cpu(m)->cr0 |= CR0_TS;
	tm_run(m);
	cr_assert_eq(tm_cpu(m)->cr0 & CR0_TS, 0);
	tm_free(m);
}

Test(sys, invlpg_drops_only_that_page_in_both_halves)
{
	struct machine *m = tm_new("0f 01 3e 00 20 f4");
	struct cpu *c = tm_cpu(m);
	mmu_translate(c, 0x2000, ACC_READ);
	mmu_translate(c, 0x3000, ACC_READ);
	c->cpl = 3;
	mmu_translate(c, 0x2000, ACC_READ);
	c->cpl = 0;
	cr_assert_eq(tlb_entry_for(c, 0x2000, 1)->tag_read, 0x2000);
	tm_run(m);
	cr_assert_eq(tlb_entry_for(c, 0x2000, 0)->tag_read, TLB_INVALID);
	cr_assert_eq(tlb_entry_for(c, 0x2000, 1)->tag_read, TLB_INVALID);
	cr_assert_eq(tlb_entry_for(c, 0x3000, 0)->tag_read, 0x3000);
	tm_free(m);
}

/* ---- CPUID, TSC, MSRs ---- */

static void cpuid(uint32_t leaf, uint32_t out[4])
{
	struct machine *m = tm_new("0f a2 f4");
	struct cpu *c = tm_cpu(m);
	c->r[R_EAX].d = leaf;
	tm_run(m);
	out[0] = c->r[R_EAX].d;
	out[1] = c->r[R_EBX].d;
	out[2] = c->r[R_ECX].d;
	out[3] = c->r[R_EDX].d;
	tm_free(m);
}

Test(sys, cpuid_vendor_version_features_caches)
{
	uint32_t r[4];
	cpuid(0, r);
	cr_assert_eq(r[0], 2);
	cr_assert_eq(memcmp(&r[1], "Genu", 4), 0);
	cr_assert_eq(memcmp(&r[3], "ineI", 4), 0);
	cr_assert_eq(memcmp(&r[2], "ntel", 4), 0);
	cpuid(1, r);
	cr_assert_eq(r[0], 0x633, "family 6 model 3 stepping 3");
	/* VME DE PSE TSC MSR CX8 PGE CMOV; no FPU, PAE, APIC, SEP, MTRR, MMX */
	cr_assert_eq(r[3], 0x0000A13E);
	cpuid(2, r);
	cr_assert_eq(r[0], 0x03020101);
	cr_assert_eq(r[1], 0);
	cr_assert_eq(r[2], 0);
	cr_assert_eq(r[3], 0x0C040843);
	uint32_t hi[4];
	cpuid(0x80000000u, hi);
	cr_assert_eq(memcmp(hi, r, sizeof(r)), 0, "past the maximum: the highest basic leaf");
}

Test(sys, rdtsc_is_icount_and_monotonic)
{
	/* rdtsc; push eax; nop; nop; rdtsc */
	struct machine *m = tm_new("0f 31 66 50 90 90 0f 31 f4");
	struct cpu *c = tm_cpu(m);
	tm_run(m);
	cr_assert_eq(tm_peek32(m, 0x7FFC), 0);
	cr_assert_eq(c->r[R_EAX].d, 4);
	cr_assert_eq(c->r[R_EDX].d, 0);
	tm_free(m);
}

Test(sys, rdtsc_with_cr4_tsd_faults_above_cpl0)
{
	static const uint8_t rdtsc[] = { 0x0F, 0x31 };
	struct machine *m = tm_new("");
	struct cpu *c = tm_cpu(m);
	c->cr4 = CR4_TSD;
	direct_enter_prot(c, 3);
	cr_assert_eq(direct_exec(c, rdtsc, 2), EXC_GP);
	c->cpl = 0;
	cr_assert_eq(direct_exec(c, rdtsc, 2), DIRECT_NO_FAULT);
	c->cr4 = 0;
	c->cpl = 3;
	cr_assert_eq(direct_exec(c, rdtsc, 2), DIRECT_NO_FAULT);
	tm_free(m);
}

Test(sys, wrmsr_tsc_sets_the_low_32_bits_and_clears_the_high)
{
	/* wrmsr at icount 0; nop; rdtsc at icount 2 */
	struct machine *m = tm_new("0f 30 90 0f 31 f4");
	struct cpu *c = tm_cpu(m);
	c->r[R_ECX].d = 0x10;
	c->r[R_EDX].d = 0x00000007;
	c->r[R_EAX].d = 0xFFFFFF00;
	tm_run(m);
	cr_assert_eq(c->r[R_EAX].d, 0xFFFFFF02);
	cr_assert_eq(c->r[R_EDX].d, 0);
	tm_free(m);
}

Test(sys, msr_sysenter_round_trip_and_unknown_msr)
{
	struct machine *m = tm_new("0f 30 0f 32 f4");
	struct cpu *c = tm_cpu(m);
	c->r[R_ECX].d = 0x175;
	c->r[R_EAX].d = 0x00C0FFEE;
	c->r[R_EDX].d = 0;
	machine_run(m, 1);
	c->r[R_EAX].d = 0;
	c->r[R_EDX].d = 0xFFFFFFFF;
	tm_run(m);
	cr_assert_eq(c->r[R_EDX].d, 0);
	cr_assert_eq(c->sysenter_esp, 0x00C0FFEE);
	cr_assert_eq(c->r[R_EAX].d, 0x00C0FFEE);
	tm_free(m);

	m = tm_new("0f 32");
	tm_cpu(m)->r[R_ECX].d = 0x8B; /* not modelled */
	tm_run(m);
	cr_assert_eq(vector_of(tm_cpu(m)), EXC_GP);
	tm_free(m);
}

/* ---- segment registers ---- */

Test(sys, mov_sreg_from_register_and_memory)
{
	struct machine *m = tm_new("8e d8 8e 06 00 20 f4");
	struct cpu *c = tm_cpu(m);
	c->r[R_EAX].w = 0x1234;
	tm_poke(m, 0x12340 + 0x2000, "78 56");
	tm_run(m);
	cr_assert_eq(c->seg[S_DS].sel, 0x1234);
	cr_assert_eq(c->seg[S_DS].base, 0x12340);
	cr_assert_eq(c->seg[S_ES].sel, 0x5678, "read through the new DS");
	tm_free(m);
}

Test(sys, mov_to_cs_and_to_sreg_6_7_are_undefined)
{
	static const char *const codes[] = { "8e c8", "8e f0", "8e f8", "8c f0" };
	for (unsigned k = 0; k < ARRAY_SIZE(codes); k++) {
		struct machine *m = tm_new(codes[k]);
		tm_run(m);
		cr_assert_eq(vector_of(tm_cpu(m)), EXC_UD, "%s", codes[k]);
		cr_assert_eq(tm_peek16(m, 0x7FFA), 0);
		tm_free(m);
	}
}

Test(sys, mov_from_sreg_sizes)
{
	struct machine *m = tm_new("8c c8 66 8c cb 66 8c 0e 00 20 f4");
	struct cpu *c = tm_cpu(m);
	c->r[R_EAX].d = 0xFFFFFFFF;
	c->r[R_EBX].d = 0xFFFFFFFF;
	tm_poke(m, 0x2000, "ff ff ff ff");
	tm_run(m);
	cr_assert_eq(c->r[R_EAX].d, 0xFFFF1000, "16-bit: low word only");
	cr_assert_eq(c->r[R_EBX].d, 0x00001000, "32-bit register: zero-extended");
	cr_assert_eq(tm_peek32(m, 0x2000), 0xFFFF1000, "memory: 16 bits");
	tm_free(m);
}

Test(sys, mov_ss_holds_off_interrupts_for_one_instruction)
{
	struct machine *m = tm_new("8e d0 90 f4");
	struct cpu *c = tm_cpu(m);
	c->eflags |= F_IF;
	machine_run(m, 1);
	cr_assert_eq(c->shadow_icount, 1);
	tm_free(m);
}

Test(sys, load_far_pointers_into_each_segment)
{
	struct machine *m = tm_new("c5 36 00 20 c4 3e 00 20 0f b4 1e 00 20 0f b5 0e 00 20 "
				   "66 0f b2 26 10 20 f4");
	struct cpu *c = tm_cpu(m);
	tm_poke(m, 0x2000, "34 12 00 30");
	tm_poke(m, 0x2010, "00 90 00 00 00 00");
	tm_run(m);
	cr_assert_eq(c->r[R_ESI].w, 0x1234);
	cr_assert_eq(c->seg[S_DS].sel, 0x3000);
	/* the later loads read through the new DS (base 0x30000): all zero */
	cr_assert_eq(c->seg[S_ES].sel, 0);
	cr_assert_eq(c->r[R_EDI].w, 0);
	tm_free(m);

	m = tm_new("0f b4 1e 00 20 0f b5 0e 04 20 66 0f b2 26 10 20 c4 3e 08 20 f4");
	c = tm_cpu(m);
	tm_poke(m, 0x2000, "11 11 00 40 22 22 00 50 33 33 00 60");
	tm_poke(m, 0x2010, "00 90 01 00 00 70");
	tm_run(m);
	cr_assert_eq(c->r[R_EBX].w, 0x1111);
	cr_assert_eq(c->seg[S_FS].sel, 0x4000);
	cr_assert_eq(c->r[R_ECX].w, 0x2222);
	cr_assert_eq(c->seg[S_GS].sel, 0x5000);
	cr_assert_eq(c->r[R_ESP].d, 0x00019000);
	cr_assert_eq(c->seg[S_SS].sel, 0x7000);
	cr_assert_eq(c->r[R_EDI].w, 0x3333);
	cr_assert_eq(c->seg[S_ES].sel, 0x6000);
	tm_free(m);
}

Test(sys, xlat_with_default_and_overridden_segment)
{
	struct machine *m = tm_new("d7 f4");
	struct cpu *c = tm_cpu(m);
	tm_poke(m, 0x2000, "a0 a1 a2 a3 a4");
	c->r[R_EBX].d = 0x2000;
	c->r[R_EAX].d = 0x1103;
	tm_run(m);
	cr_assert_eq(c->r[R_EAX].d, 0x11A3);
	tm_free(m);

	m = tm_new("26 d7 f4");
	c = tm_cpu(m);
	seg_load_real(c, S_ES, 0x100);
	tm_poke(m, 0x1000 + 0x2000 + 0xFF, "5e");
	c->r[R_EBX].d = 0x2000;
	c->r[R_EAX].b[0] = 0xFF; /* AL is unsigned */
	tm_run(m);
	cr_assert_eq(c->r[R_EAX].b[0], 0x5E);
	tm_free(m);
}

/* ---- CLI / STI ---- */

/* The vector every acknowledged interrupt gets. */
static const uint8_t intr_vector = 0x30;

Test(sys, sti_holds_off_a_pending_interrupt_for_one_instruction)
{
	struct machine *m = tm_new("fb 90 f4");
	struct cpu *c = tm_cpu(m);
	tm_fixed_intc(m, &intr_vector);
	tm_intr_pulse(m, 3); /* IF is clear until the STI */
	cr_assert_eq(c->eip, TM_HANDLERS + 0x30 + 1);
	cr_assert_eq(tm_peek16(m, 0x7FFA), 2, "taken after the NOP");
	cr_assert_eq(tm_peek16(m, 0x7FFE) & F_IF, F_IF);
	tm_free(m);
}

Test(sys, sti_with_if_already_set_has_no_shadow)
{
	struct machine *m = tm_new("fb 90 f4");
	tm_intr_after(m, &intr_vector, 1, 2);
	cr_assert_eq(tm_peek16(m, 0x7FFA), 1, "taken right after STI");
	tm_free(m);
}

Test(sys, cli_and_sti_real_mode)
{
	struct machine *m = tm_new("fa f4");
	tm_cpu(m)->eflags |= F_IF;
	tm_run(m);
	cr_assert_eq(tm_cpu(m)->eflags & F_IF, 0);
	tm_free(m);
}

static int cli_sti_direct(bool v86, unsigned cpl, unsigned iopl, uint32_t cr4, uint32_t flags,
			  uint8_t opcode, uint32_t *out)
{
	uint8_t code[1] = { opcode };
	struct machine *m = tm_new("");
	struct cpu *c = tm_cpu(m);
	c->eflags = 0x2 | flags;
	c->cr4 = cr4;
	if (v86) {
		direct_enter_v86(c, iopl);
	} else {
		c->eflags |= (uint32_t)iopl << 12;
		direct_enter_prot(c, cpl);
	}
	int v = direct_exec(c, code, 1);
	*out = c->eflags & (F_IF | F_VIF);
	tm_free(m);
	return v;
}

Test(sys, cli_sti_protected_mode_iopl_and_pvi)
{
	uint32_t f;
	cr_assert_eq(cli_sti_direct(false, 3, 0, 0, F_IF, 0xFA, &f), EXC_GP);
	cr_assert_eq(cli_sti_direct(false, 3, 3, 0, F_IF, 0xFA, &f), DIRECT_NO_FAULT);
	cr_assert_eq(f, 0);
	cr_assert_eq(cli_sti_direct(false, 1, 2, 0, 0, 0xFB, &f), DIRECT_NO_FAULT);
	cr_assert_eq(f, F_IF);
	cr_assert_eq(cli_sti_direct(false, 2, 1, 0, 0, 0xFB, &f), EXC_GP);
	cr_assert_eq(cli_sti_direct(false, 3, 0, CR4_PVI, F_IF | F_VIF, 0xFA, &f), DIRECT_NO_FAULT);
	cr_assert_eq(f, F_IF, "PVI: CLI clears VIF only");
	cr_assert_eq(cli_sti_direct(false, 3, 0, CR4_PVI, 0, 0xFB, &f), DIRECT_NO_FAULT);
	cr_assert_eq(f, F_VIF);
	cr_assert_eq(cli_sti_direct(false, 3, 0, CR4_PVI, F_VIP, 0xFB, &f), EXC_GP, "VIP pending");
	cr_assert_eq(cli_sti_direct(false, 2, 0, CR4_PVI, 0, 0xFA, &f), EXC_GP, "PVI is for CPL 3");
}

Test(sys, cli_sti_v86_mode_iopl_and_vme)
{
	uint32_t f;
	cr_assert_eq(cli_sti_direct(true, 3, 0, 0, F_IF, 0xFA, &f), EXC_GP);
	cr_assert_eq(cli_sti_direct(true, 3, 3, 0, F_IF, 0xFA, &f), DIRECT_NO_FAULT);
	cr_assert_eq(f, 0);
	cr_assert_eq(cli_sti_direct(true, 3, 0, CR4_VME, F_IF | F_VIF, 0xFA, &f), DIRECT_NO_FAULT);
	cr_assert_eq(f, F_IF, "VME: VIF only");
	cr_assert_eq(cli_sti_direct(true, 3, 1, CR4_VME, 0, 0xFB, &f), DIRECT_NO_FAULT);
	cr_assert_eq(f, F_VIF);
	cr_assert_eq(cli_sti_direct(true, 3, 1, CR4_VME, F_VIP, 0xFB, &f), EXC_GP);
}

Test(sys, int_n_in_v86_mode_is_iopl_sensitive)
{
	static const uint8_t int21[] = { 0xCD, 0x21 };
	struct machine *m = tm_new("");
	struct cpu *c = tm_cpu(m);
	direct_enter_v86(c, 0);
	cr_assert_eq(direct_exec(c, int21, 2), EXC_GP);
	tm_free(m);
}

/* ---- WAIT and ESC without an FPU ---- */

Test(sys, esc_raises_nm_with_em_or_ts_and_is_ignored_otherwise)
{
	struct machine *m = tm_new("d9 c0 dd 06 00 20 f4");
	tm_run(m);
	cr_assert_eq(tm_cpu(m)->eip, 7);
	tm_free(m);

	m = tm_new("dd 06 00 20");
	tm_cpu(m)->cr0 |= CR0_EM;
	tm_run(m);
	cr_assert_eq(vector_of(tm_cpu(m)), EXC_NM);
	tm_free(m);

	m = tm_new("d9 c0");
	tm_cpu(m)->cr0 |= CR0_TS;
	tm_run(m);
	cr_assert_eq(vector_of(tm_cpu(m)), EXC_NM);
	tm_free(m);
}

Test(sys, wait_raises_nm_only_with_mp_and_ts)
{
	struct machine *m = tm_new("9b f4");
	tm_cpu(m)->cr0 |= CR0_TS;
	tm_run(m);
	cr_assert_eq(tm_cpu(m)->eip, 2);
	tm_free(m);

	m = tm_new("9b f4");
	tm_cpu(m)->cr0 |= CR0_TS | CR0_MP;
	tm_run(m);
	cr_assert_eq(vector_of(tm_cpu(m)), EXC_NM);
	tm_free(m);
}
