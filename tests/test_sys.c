/* System and segment instructions: MOV CRn/DRn, LGDT/LIDT/SGDT/SIDT,
 * SMSW/LMSW, CLTS, INVLPG, CPUID, RDTSC, RDMSR/WRMSR, MOV Sreg, LxS, XLAT,
 * CLI/STI and their shadow, WAIT and ESC. Expected values follow the SDM
 * (and, for SGDT with 16-bit operands, the P6-family manual). The
 * real-mode runs that set up, run and check are rows of one table, each
 * keeping the name it had as a test of its own ("(i of n)" where one test
 * built several machines). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "cpu/interrupt.h"
#include "cpu/mmu.h"
#include "tests/ctrl_direct.h"
#include "tests/tm.h"

static uint32_t vector_of(struct cpu *c)
{
	return c->seg[S_CS].sel == 0 && c->eip > TM_HANDLERS ? c->eip - TM_HANDLERS - 1 : 0xFFFF;
}

/* ---- real-mode runs ---- */

/* What a row reads after its run. */
enum where {
	W_NONE, W_EAX, W_ECX, W_EDX, W_EBX, W_ESP, W_ESI, W_EDI,
	W_CX, W_BX, W_SI, W_DI, W_AL,
	W_CR0, W_CR0_TS, W_CR2, W_CR3, W_CR4, W_DR0, W_DR7,
	W_GDTR_LIMIT, W_GDTR_BASE, W_IDTR_LIMIT, W_IDTR_BASE,
	W_DS, W_DS_BASE, W_ES, W_FS, W_GS, W_SS,
	W_EIP, W_VECTOR, W_PROT, W_IF,
	W_M8, W_M16, W_M32 /* memory at .addr */
};

static const char *const where_name[] = {
	[W_EAX] = "EAX",		[W_ECX] = "ECX",
	[W_EDX] = "EDX",		[W_EBX] = "EBX",
	[W_ESP] = "ESP",		[W_ESI] = "ESI",
	[W_EDI] = "EDI",		[W_CX] = "CX",
	[W_BX] = "BX",			[W_SI] = "SI",
	[W_DI] = "DI",			[W_AL] = "AL",
	[W_CR0] = "CR0",		[W_CR0_TS] = "CR0.TS",
	[W_CR2] = "CR2",		[W_CR3] = "CR3",
	[W_CR4] = "CR4",		[W_DR0] = "DR0",
	[W_DR7] = "DR7",		[W_GDTR_LIMIT] = "GDTR limit",
	[W_GDTR_BASE] = "GDTR base",	[W_IDTR_LIMIT] = "IDTR limit",
	[W_IDTR_BASE] = "IDTR base",	[W_DS] = "DS",
	[W_DS_BASE] = "DS base",	[W_ES] = "ES",
	[W_FS] = "FS",			[W_GS] = "GS",
	[W_SS] = "SS",			[W_EIP] = "EIP",
	[W_VECTOR] = "vector taken",	[W_PROT] = "protected mode",
	[W_IF] = "IF",			[W_M8] = "byte",
	[W_M16] = "word",		[W_M32] = "dword",
};

/* One run of real-mode code to its end (its own HLT, or the HLT of the
 * handler of an exception; W_VECTOR reads which), then checks. Strings are
 * held in arrays, not pointed to: Criterion copies each row into the
 * test's own process, where a pointer into this one means nothing. */
struct sys_case {
	char name[64];
	char code[80];
	uint32_t r[8]; /* registers before, by R_* (ESP is left alone) */
	uint32_t cr0_or, cr4, eflags_or;
	uint16_t es; /* loaded as a real-mode segment if not 0 */
	struct {
		paddr_t at;
		char hex[40];
	} poke[3];
	struct tm_want out[8];
};

#define OUT(w, v) { W_##w, 0, v }
#define MEM(w, a, v) { W_##w, a, v }

static const struct sys_case runs[] = {
	/* control and debug registers */
	{ "mov_from_cr0_reads_the_reset_value", "0f 20 c0 f4",
	  .out = { OUT(EAX, CR0_ET | CR0_CD | CR0_NW) } },
	/* ET comes back set, CD/NW cleared */
	{ "mov_to_cr0_in_real_mode", "0f 22 c3 0f 20 c1 f4", .r = { [R_EBX] = CR0_TS | CR0_MP },
	  .out = { OUT(CR0, CR0_TS | CR0_MP | CR0_ET), OUT(ECX, CR0_TS | CR0_MP | CR0_ET) } },
	{ "mov_to_cr0_can_enter_protected_mode", "0f 22 c0 90 f4",
	  .r = { [R_EAX] = CR0_PE | CR0_ET },
	  .out = { OUT(PROT, 1), OUT(EIP, 5) } }, /* runs on with the cached CS */
	/* NW without CD */
	{ "mov_to_cr0_invalid_combinations_raise_gp (1 of 2)", "0f 22 c0",
	  .r = { [R_EAX] = CR0_NW | CR0_ET }, .out = { OUT(VECTOR, EXC_GP) } },
	/* PG without PE; CR0 unchanged */
	{ "mov_to_cr0_invalid_combinations_raise_gp (2 of 2)", "0f 22 c0",
	  .r = { [R_EAX] = CR0_PG | CR0_ET },
	  .out = { OUT(VECTOR, EXC_GP), OUT(CR0, CR0_ET | CR0_CD | CR0_NW) } },
	/* CR3: only the base, PCD and PWT stick */
	{ "cr2_cr3_cr4", "0f 22 d0 0f 22 da 0f 22 e1 0f 20 d6 0f 20 df f4",
	  .r = { [R_EAX] = 0xDEADBEEF, [R_EDX] = 0x00123FFF,
		 [R_ECX] = CR4_PSE | CR4_PGE | CR4_TSD },
	  .out = { OUT(CR2, 0xDEADBEEF), OUT(CR3, 0x00123018),
		   OUT(CR4, CR4_PSE | CR4_PGE | CR4_TSD), OUT(ESI, 0xDEADBEEF),
		   OUT(EDI, 0x00123018) } },
	/* PAE: not on this CPU */
	{ "cr4_reserved_bits_and_missing_crs (1 of 3)", "0f 22 e0", .r = { [R_EAX] = 0x20 },
	  .out = { OUT(VECTOR, EXC_GP) } },
	{ "cr4_reserved_bits_and_missing_crs (2 of 3)", "0f 20 c8", /* mov eax, cr1 */
	  .out = { OUT(VECTOR, EXC_UD) } },
	{ "cr4_reserved_bits_and_missing_crs (3 of 3)", "0f 22 e8", /* mov cr5, eax */
	  .out = { OUT(VECTOR, EXC_UD) } },
	/* EAX: DR7 L0 G0; DR7 bit 10 reads 1; DR4 reads DR6 without CR4.DE */
	{ "debug_registers_and_the_dr4_dr5_aliases (1 of 2)",
	  "0f 23 f8 0f 21 e1 0f 23 c2 0f 21 c3 f4",
	  .r = { [R_EAX] = 0x00000003, [R_EDX] = 0x12345678 },
	  .out = { OUT(DR7, 0x403), OUT(ECX, 0xFFFF0FF0), OUT(DR0, 0x12345678),
		   OUT(EBX, 0x12345678) } },
	/* DR4 with CR4.DE */
	{ "debug_registers_and_the_dr4_dr5_aliases (2 of 2)", "0f 21 e1", .cr4 = CR4_DE,
	  .out = { OUT(VECTOR, EXC_UD) } },

	/* descriptor tables, MSW */
	{ "lgdt_sgdt_round_trip_with_32bit_operands", "66 0f 01 16 00 20 66 0f 01 06 10 20 f4",
	  .poke = { { 0x2000, "34 12 ef cd ab 89" } },
	  .out = { OUT(GDTR_LIMIT, 0x1234), OUT(GDTR_BASE, 0x89ABCDEF), MEM(M16, 0x2010, 0x1234),
		   MEM(M32, 0x2012, 0x89ABCDEF) } },
	/* the top byte is stored as 0 (P6); six bytes only */
	{ "lgdt_sgdt_with_16bit_operands_use_24_bits_of_base", "0f 01 16 00 20 0f 01 06 10 20 f4",
	  .poke = { { 0x2000, "34 12 ef cd ab 89" }, { 0x2010, "ff ff ff ff ff ff ff" } },
	  .out = { OUT(GDTR_BASE, 0x00ABCDEF), MEM(M16, 0x2010, 0x1234),
		   MEM(M32, 0x2012, 0x00ABCDEF), MEM(M8, 0x2016, 0xFF) } },
	{ "lidt_sidt_and_sgdt_keeps_the_full_base_at_32bit",
	  "66 0f 01 1e 00 20 66 0f 01 0e 10 20 0f 01 0e 20 20 f4",
	  .poke = { { 0x2000, "ff 07 00 00 10 fe" } },
	  .out = { OUT(IDTR_LIMIT, 0x7FF), OUT(IDTR_BASE, 0xFE100000), MEM(M32, 0x2012, 0xFE100000),
		   MEM(M32, 0x2022, 0x00100000) } },
	/* lidt [0x2000] then int 0x10 through the table at 0x3000 */
	{ "lidt_moves_the_real_mode_ivt", "0f 01 1e 00 20 cd 10",
	  .poke = { { 0x2000, "ff 03 00 30 00 00" }, { 0x3000 + 0x10 * 4, "00 07 00 00" },
		    { 0x700, "f4" } },
	  .out = { OUT(EIP, 0x701) } },
	/* 16-bit: the low word of CR0; 32-bit register: all of CR0; memory: 16 bits */
	{ "smsw_register_and_memory_forms", "0f 01 e0 66 0f 01 e3 66 0f 01 26 00 20 f4",
	  .r = { [R_EAX] = 0xFFFFFFFF }, .poke = { { 0x2000, "ff ff ff ff" } },
	  .out = { OUT(EAX, 0xFFFF0010), OUT(EBX, CR0_ET | CR0_CD | CR0_NW),
		   MEM(M32, 0x2000, 0xFFFF0010) } },
	/* AX: PE, TS, and junk above bit 3; BX: MP only, PE stays */
	{ "lmsw_sets_pe_but_never_clears_it", "0f 01 f0 0f 01 f3 f4",
	  .r = { [R_EAX] = 0xFFF9, [R_EBX] = 0x0002 },
	  .out = { OUT(CR0, CR0_ET | CR0_CD | CR0_NW | CR0_PE | CR0_MP) } },
	{ "clts_clears_ts", "0f 06 f4", .cr0_or = CR0_TS, .out = { OUT(CR0_TS, 0) } },

	/* TSC and MSRs */
	/* rdtsc; push eax; nop; nop; rdtsc */
	{ "rdtsc_is_icount_and_monotonic", "0f 31 66 50 90 90 0f 31 f4",
	  .out = { MEM(M32, 0x7FFC, 0), OUT(EAX, 4), OUT(EDX, 0) } },
	/* wrmsr at icount 0; nop; rdtsc at icount 2 */
	{ "wrmsr_tsc_sets_the_low_32_bits_and_clears_the_high", "0f 30 90 0f 31 f4",
	  .r = { [R_ECX] = 0x10, [R_EDX] = 0x00000007, [R_EAX] = 0xFFFFFF00 },
	  .out = { OUT(EAX, 0xFFFFFF02), OUT(EDX, 0) } },

	/* segment registers */
	/* AX = 0x1234; ES is read through the new DS */
	{ "mov_sreg_from_register_and_memory", "8e d8 8e 06 00 20 f4", .r = { [R_EAX] = 0x1234 },
	  .poke = { { 0x12340 + 0x2000, "78 56" } },
	  .out = { OUT(DS, 0x1234), OUT(DS_BASE, 0x12340), OUT(ES, 0x5678) } },
	/* 16-bit: low word only; 32-bit register: zero-extended; memory: 16 bits */
	{ "mov_from_sreg_sizes", "8c c8 66 8c cb 66 8c 0e 00 20 f4",
	  .r = { [R_EAX] = 0xFFFFFFFF, [R_EBX] = 0xFFFFFFFF },
	  .poke = { { 0x2000, "ff ff ff ff" } },
	  .out = { OUT(EAX, 0xFFFF1000), OUT(EBX, 0x00001000), MEM(M32, 0x2000, 0xFFFF1000) } },
	/* the later loads read through the new DS (base 0x30000): all zero */
	{ "load_far_pointers_into_each_segment (1 of 2)",
	  "c5 36 00 20 c4 3e 00 20 0f b4 1e 00 20 0f b5 0e 00 20 66 0f b2 26 10 20 f4",
	  .poke = { { 0x2000, "34 12 00 30" }, { 0x2010, "00 90 00 00 00 00" } },
	  .out = { OUT(SI, 0x1234), OUT(DS, 0x3000), OUT(ES, 0), OUT(DI, 0) } },
	{ "load_far_pointers_into_each_segment (2 of 2)",
	  "0f b4 1e 00 20 0f b5 0e 04 20 66 0f b2 26 10 20 c4 3e 08 20 f4",
	  .poke = { { 0x2000, "11 11 00 40 22 22 00 50 33 33 00 60" },
		    { 0x2010, "00 90 01 00 00 70" } },
	  .out = { OUT(BX, 0x1111), OUT(FS, 0x4000), OUT(CX, 0x2222), OUT(GS, 0x5000),
		   OUT(ESP, 0x00019000), OUT(SS, 0x7000), OUT(DI, 0x3333), OUT(ES, 0x6000) } },
	{ "xlat_with_default_and_overridden_segment (1 of 2)", "d7 f4",
	  .r = { [R_EBX] = 0x2000, [R_EAX] = 0x1103 }, .poke = { { 0x2000, "a0 a1 a2 a3 a4" } },
	  .out = { OUT(EAX, 0x11A3) } },
	/* es: xlat; AL = 0xFF is unsigned */
	{ "xlat_with_default_and_overridden_segment (2 of 2)", "26 d7 f4", .es = 0x100,
	  .r = { [R_EBX] = 0x2000, [R_EAX] = 0xFF }, .poke = { { 0x1000 + 0x2000 + 0xFF, "5e" } },
	  .out = { OUT(AL, 0x5E) } },

	/* CLI */
	{ "cli_and_sti_real_mode", "fa f4", .eflags_or = F_IF, .out = { OUT(IF, 0) } },
};

static uint32_t read_at(struct machine *m, unsigned at, paddr_t addr)
{
	struct cpu *c = tm_cpu(m);
	static const unsigned reg[] = { [W_EAX] = R_EAX, [W_ECX] = R_ECX, [W_EDX] = R_EDX,
					[W_EBX] = R_EBX, [W_ESP] = R_ESP, [W_ESI] = R_ESI,
					[W_EDI] = R_EDI, [W_CX] = R_ECX,  [W_BX] = R_EBX,
					[W_SI] = R_ESI,	 [W_DI] = R_EDI };
	switch (at) {
	case W_EAX: case W_ECX: case W_EDX: case W_EBX: case W_ESP: case W_ESI: case W_EDI:
		return c->r[reg[at]].d;
	case W_CX: case W_BX: case W_SI: case W_DI: return c->r[reg[at]].w;
	case W_AL: return c->r[R_EAX].b[0];
	case W_CR0: return c->cr0;
	case W_CR0_TS: return c->cr0 & CR0_TS;
	case W_CR2: return c->cr2;
	case W_CR3: return c->cr3;
	case W_CR4: return c->cr4;
	case W_DR0: return c->dr[0];
	case W_DR7: return c->dr[7];
	case W_GDTR_LIMIT: return c->gdtr.limit;
	case W_GDTR_BASE: return c->gdtr.base;
	case W_IDTR_LIMIT: return c->idtr.limit;
	case W_IDTR_BASE: return c->idtr.base;
	case W_DS: return c->seg[S_DS].sel;
	case W_DS_BASE: return c->seg[S_DS].base;
	case W_ES: return c->seg[S_ES].sel;
	case W_FS: return c->seg[S_FS].sel;
	case W_GS: return c->seg[S_GS].sel;
	case W_SS: return c->seg[S_SS].sel;
	case W_EIP: return c->eip;
	case W_VECTOR: return vector_of(c);
	case W_PROT: return cpu_prot_mode(c) ? 1 : 0;
	case W_IF: return c->eflags & F_IF;
	case W_M8: return tm_peek8(m, addr);
	case W_M16: return tm_peek16(m, addr);
	default: return tm_peek32(m, addr);
	}
}

ParameterizedTestParameters(sys, runs)
{
	return cr_make_param_array(struct sys_case, runs, ARRAY_SIZE(runs));
}

ParameterizedTest(const struct sys_case *k, sys, runs)
{
	struct machine *m = tm_new(k->code);
	struct cpu *c = tm_cpu(m);
	for (unsigned r = 0; r < 8; r++)
		if (r != R_ESP)
			c->r[r].d = k->r[r];
	c->cr0 |= k->cr0_or;
	if (k->cr4)
		c->cr4 = k->cr4;
	c->eflags |= k->eflags_or;
	if (k->es)
		seg_load_real(c, S_ES, k->es);
	for (unsigned i = 0; i < ARRAY_SIZE(k->poke); i++)
		tm_poke(m, k->poke[i].at, k->poke[i].hex);
	tm_run(m);
	tm_check_wants(m, k->name, k->out, ARRAY_SIZE(k->out), read_at, where_name);
	tm_free(m);
}

/* ---- control and debug registers ---- */

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

/* ---- descriptor tables, MSW ---- */

Test(sys, invlpg_drops_only_that_page_in_both_halves)
{
	struct machine *m = tm_new("0f 01 3e 00 20 f4");
	struct cpu *c = tm_cpu(m);
	mmu_translate(c, 0x2000, ACC_READ);
	mmu_translate(c, 0x3000, ACC_READ);
	cpu_set_cpl(c, 3);
	mmu_translate(c, 0x2000, ACC_READ);
	cpu_set_cpl(c, 0);
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

Test(sys, rdtsc_with_cr4_tsd_faults_above_cpl0)
{
	static const uint8_t rdtsc[] = { 0x0F, 0x31 };
	struct machine *m = tm_new("");
	struct cpu *c = tm_cpu(m);
	c->cr4 = CR4_TSD;
	direct_enter_prot(c, 3);
	cr_assert_eq(direct_exec(c, rdtsc, 2), EXC_GP);
	cpu_set_cpl(c, 0);
	cr_assert_eq(direct_exec(c, rdtsc, 2), DIRECT_NO_FAULT);
	c->cr4 = 0;
	cpu_set_cpl(c, 3);
	cr_assert_eq(direct_exec(c, rdtsc, 2), DIRECT_NO_FAULT);
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

Test(sys, mov_ss_holds_off_interrupts_for_one_instruction)
{
	struct machine *m = tm_new("8e d0 90 f4");
	struct cpu *c = tm_cpu(m);
	c->eflags |= F_IF;
	machine_run(m, 1);
	cr_assert_eq(c->shadow_icount, 1);
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
