/* Paging and the TLB (SDM vol. 3, ch. 4 "Paging", 32-bit paging; 4.7
 * "Page-Fault Exceptions"; 4.10 "Caching Translation Information"). */
#include <criterion/criterion.h>

#include "cpu/mmu.h"
#include "cpu/seg.h"
#include "tests/prot_util.h"

#define PT0 (PU_PD + 0x1000)
#define PT1 (PU_PD + 0x2000)

/* Paging on: the first 4 MiB identity-mapped (user, writable); linear
 * 0x400000-0x7FFFFF through PT1, empty until a test fills it. */
static struct machine *setup(void)
{
	struct machine *m = pu_new("f4");
	struct cpu *c = tm_cpu(m);
	for (unsigned n = 0; n < 1024; n++)
		pu_poke32(m, PT0 + 4 * n, n << 12 | 7);
	pu_poke32(m, PU_PD, PT0 | 7);
	pu_poke32(m, PU_PD + 4, PT1 | 7);
	c->cr3 = PU_PD;
	c->cr0 |= CR0_PG;
	cpu_flush_tlb(c, false);
	return m;
}

Test(paging, four_kib_page_and_accessed_dirty_bits)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	pu_poke32(m, PT1, 0x123000 | 3);
	pu_poke32(m, 0x123010, 0xCAFEF00D);
	volatile uint32_t v = 0;
	PU_TRY(c, v = lin_rd32(c, 0x400010));
	cr_assert_eq(c->exc_vector, -1);
	cr_assert_eq(v, 0xCAFEF00D);
	cr_assert_eq(tm_peek32(m, PU_PD + 4) & 0x60, 0x20, "PDE accessed");
	cr_assert_eq(tm_peek32(m, PT1) & 0x60, 0x20, "PTE accessed, not dirty");
	PU_TRY(c, lin_wr32(c, 0x400020, 1));
	cr_assert_eq(tm_peek32(m, PT1) & 0x60, 0x60, "PTE dirty after a write");
	cr_assert_eq(tm_peek32(m, 0x123020), 1);
	tm_free(m);
}

Test(paging, four_mib_page)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	c->cr4 |= CR4_PSE;
	pu_poke32(m, PU_PD + 8, 0xC00000 | 0x83);
	PU_TRY(c, lin_wr32(c, 0x8ABCD4, 0x5A5A5A5A));
	cr_assert_eq(c->exc_vector, -1);
	cr_assert_eq(tm_peek32(m, 0xCABCD4), 0x5A5A5A5A);
	cr_assert_eq(tm_peek32(m, PU_PD + 8) & 0x60, 0x60, "PDE accessed and dirty");
	tm_free(m);
}

Test(paging, not_present_faults_with_cr2)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	PU_TRY(c, lin_rd8(c, 0x401234));
	cr_assert_eq(c->exc_vector, EXC_PF);
	cr_assert_eq(c->exc_error, 0, "read, supervisor, not present");
	cr_assert_eq(c->cr2, 0x401234);
	PU_TRY(c, lin_wr8(c, 0x402000, 0));
	cr_assert_eq(c->exc_error, 2, "write");
	cpu_set_cpl(c, 3);
	PU_TRY(c, lin_rd8(c, 0x403000));
	cr_assert_eq(c->exc_error, 4, "user read");
	PU_TRY(c, lin_rd8(c, 0xC00000));
	cr_assert_eq(c->exc_error, 4, "PDE not present");
	cr_assert_eq(c->cr2, 0xC00000);
	tm_free(m);
}

Test(paging, user_supervisor_and_write_protect)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	pu_poke32(m, PT1 + 0, 0x200000 | 3); /* supervisor, writable */
	pu_poke32(m, PT1 + 4, 0x201000 | 5); /* user, read-only */
	cpu_set_cpl(c, 3);
	PU_TRY(c, lin_rd8(c, 0x400000));
	cr_assert_eq(c->exc_vector, EXC_PF);
	cr_assert_eq(c->exc_error, 5, "user access to a supervisor page");
	PU_TRY(c, lin_rd8(c, 0x401000));
	cr_assert_eq(c->exc_vector, -1);
	PU_TRY(c, lin_wr8(c, 0x401000, 1));
	cr_assert_eq(c->exc_error, 7, "user write to a read-only page");
	cpu_set_cpl(c, 0);
	PU_TRY(c, lin_wr8(c, 0x401000, 1));
	cr_assert_eq(c->exc_vector, -1, "supervisor writes ignore R/W when CR0.WP = 0");
	c->cr0 |= CR0_WP;
	cpu_flush_tlb(c, false);
	PU_TRY(c, lin_wr8(c, 0x401001, 1));
	cr_assert_eq(c->exc_vector, EXC_PF);
	cr_assert_eq(c->exc_error, 3, "CR0.WP = 1");
	tm_free(m);
}

Test(paging, supervisor_tlb_entry_does_not_serve_user)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	pu_poke32(m, PT1, 0x200000 | 3);
	PU_TRY(c, lin_rd8(c, 0x400000));
	cr_assert_eq(c->exc_vector, -1);
	cpu_set_cpl(c, 3);
	PU_TRY(c, lin_rd8(c, 0x400000));
	cr_assert_eq(c->exc_vector, EXC_PF);
	cr_assert_eq(c->exc_error, 5);
	tm_free(m);
}

/* The TLB table accesses use follows every CPL change, not only the
 * fixtures': a supervisor translation cached at CPL 0 must not serve ring 3
 * after an IRET to an outer level or into virtual-8086 mode. */
Test(paging, cpl_change_by_iret_switches_tlb_table)
{
	static const uint32_t vm_flags[] = { 0, F_VM };
	for (unsigned k = 0; k < 2; k++) {
		struct machine *m = setup();
		struct cpu *c = tm_cpu(m);
		pu_poke32(m, PT1, 0x200000 | 3); /* supervisor only */
		pu_tss_stack(m, PU_TSS, 0, PU_DS0, 0x7000);
		PU_TRY(c, lin_rd8(c, 0x400000));
		cr_assert_eq(c->exc_vector, -1);
		c->r[R_ESP].d = 0x7000;
		pu_poke32(m, 0x7000, 0x2222);
		pu_poke32(m, 0x7004, vm_flags[k] ? 0x100 : PU_CS3);
		pu_poke32(m, 0x7008, 0x2 | vm_flags[k]);
		pu_poke32(m, 0x700C, 0x9000);
		pu_poke32(m, 0x7010, vm_flags[k] ? 0x200 : PU_DS3);
		PU_TRY(c, cpu_iret(c, true));
		cr_assert_eq(c->exc_vector, -1);
		cr_assert_eq(c->cpl, 3);
		PU_TRY(c, lin_rd8(c, 0x400000));
		cr_assert_eq(c->exc_vector, EXC_PF, "VM=%u", k);
		cr_assert_eq(c->exc_error, 5);
		tm_free(m);
	}
}

/* A write by the instruction in bytes to a user read-only page whose read
 * translation is cached: #PF, and nothing changed. */
static void write_to_read_only_page(const char *bytes, unsigned n, unsigned k)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	pu_poke32(m, PT1, 0x200000 | 5); /* user, read-only */
	pu_poke32(m, 0x200100, 0x7FFF);
	pu_poke32(m, 0x200104, 0x7FFF);
	cpu_set_cpl(c, 3);
	c->r[R_EBX].d = 0x400100;
	c->r[R_EAX].d = 0x1234;
	c->eflags = 0x2 | F_CF | F_ZF;
	c->lf.kind = LF_NONE;
	volatile uint32_t v = 0;
	PU_TRY(c, v = lin_rd32(c, 0x400100));
	cr_assert_eq(v, 0x7FFF);
	cr_assert_eq(pu_run32(c, bytes, n), EXC_PF, "case %u", k);
	cr_assert_eq(c->exc_error, 7, "case %u", k);
	cr_assert_eq(tm_peek32(m, 0x200100), 0x7FFF, "case %u", k);
	cr_assert_eq(tm_peek32(m, 0x200104), 0x7FFF, "case %u", k);
	cr_assert_eq(c->r[R_EAX].d, 0x1234, "case %u", k);
	cr_assert_eq(cpu_get_eflags(c) & F_ARITH, F_CF | F_ZF, "case %u", k);
	tm_free(m);
}

/* The handlers' fast path (a host pointer from the TLB) must not serve a
 * write the page forbids even when the read translation is cached, nor an
 * access that crosses into another page; read-modify-write forms fault
 * before changing memory, registers or flags. */
Test(paging, handler_fast_path_respects_page_rights_and_boundaries)
{
	static const struct {
		const char *bytes;
		unsigned n;
	} writes[] = {
		{ "\x01\x03", 2 },         /* add [ebx], eax */
		{ "\x83\x2b\x01", 3 },     /* sub dword [ebx], 1 */
		{ "\xff\x03", 2 },         /* inc dword [ebx] */
		{ "\xf7\x13", 2 },         /* not dword [ebx] */
		{ "\x87\x03", 2 },         /* xchg [ebx], eax */
		{ "\x89\x03", 2 },         /* mov [ebx], eax */
		{ "\x89\x43\x04", 3 },     /* mov [ebx+4], eax (base + disp form) */
		{ "\xc7\x03\x01\x00\x00\x00", 6 }, /* mov dword [ebx], 1 */
	};
	for (unsigned k = 0; k < sizeof(writes) / sizeof(writes[0]); k++)
		write_to_read_only_page(writes[k].bytes, writes[k].n, k);
	/* A dword across two pages mapped to unrelated frames. */
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	pu_poke32(m, PT1, 0x200000 | 7);
	pu_poke32(m, PT1 + 4, 0x300000 | 7);
	pu_poke32(m, 0x200FFC, 0x2211FFFF);
	pu_poke32(m, 0x300000, 0xFFFF4433);
	c->r[R_EBX].d = 0x400FFE;
	PU_TRY(c, lin_rd8(c, 0x400000));
	PU_TRY(c, lin_rd8(c, 0x401000));
	cr_assert_eq(pu_run32(c, "\x8b\x03", 2), -1); /* mov eax, [ebx] */
	cr_assert_eq(c->r[R_EAX].d, 0x44332211);
	cr_assert_eq(pu_run32(c, "\x8b\x4b\x00", 3), -1); /* mov ecx, [ebx+0] */
	cr_assert_eq(c->r[R_ECX].d, 0x44332211);
	cr_assert_eq(pu_run32(c, "\x33\x03", 2), -1); /* xor eax, [ebx] */
	cr_assert_eq(c->r[R_EAX].d, 0);
	tm_free(m);
}

Test(paging, global_pages_survive_cr3_flush)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	c->cr4 |= CR4_PGE;
	pu_poke32(m, PT1 + 0, 0x200000 | 0x103); /* global */
	pu_poke32(m, PT1 + 4, 0x201000 | 0x003);
	pu_poke32(m, 0x200000, 0x11);
	pu_poke32(m, 0x201000, 0x22);
	pu_poke32(m, 0x300000, 0x33);
	PU_TRY(c, lin_rd32(c, 0x400000));
	PU_TRY(c, lin_rd32(c, 0x401000));
	pu_poke32(m, PT1 + 0, 0x300000 | 0x103);
	pu_poke32(m, PT1 + 4, 0x300000 | 0x003);
	cpu_flush_tlb(c, true); /* what a CR3 load does */
	volatile uint32_t g = 0, ng = 0;
	PU_TRY(c, g = lin_rd32(c, 0x400000));
	PU_TRY(c, ng = lin_rd32(c, 0x401000));
	cr_assert_eq(g, 0x11, "global translation kept");
	cr_assert_eq(ng, 0x33, "non-global translation re-walked");
	cpu_flush_tlb(c, false);
	PU_TRY(c, g = lin_rd32(c, 0x400000));
	cr_assert_eq(g, 0x33, "a full flush drops global pages too");
	tm_free(m);
}

Test(paging, page_crossing_write_faults_before_writing)
{
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	pu_poke32(m, PT1, 0x200000 | 3);
	pu_poke32(m, 0x200FFC, 0xAAAAAAAA);
	PU_TRY(c, lin_wr32(c, 0x400FFE, 0x12345678));
	cr_assert_eq(c->exc_vector, EXC_PF);
	cr_assert_eq(c->cr2, 0x401000, "CR2: the first byte not mapped");
	cr_assert_eq(c->exc_error, 2);
	cr_assert_eq(tm_peek32(m, 0x200FFC), 0xAAAAAAAA, "no partial write");
	pu_poke32(m, PT1 + 4, 0x205000 | 3);
	PU_TRY(c, lin_wr32(c, 0x400FFE, 0x12345678));
	cr_assert_eq(c->exc_vector, -1);
	cr_assert_eq(tm_peek16(m, 0x200FFE), 0x5678);
	cr_assert_eq(tm_peek16(m, 0x205000), 0x1234);
	tm_free(m);
}

Test(paging, fault_through_the_run_loop_reaches_the_idt)
{
	/* mov-free: jump into an unmapped page by pointing EIP there */
	struct machine *m = setup();
	struct cpu *c = tm_cpu(m);
	c->eip = 0x405000;
	tm_run(m);
	cr_assert_eq(c->eip, TM_HANDLERS + EXC_PF + 1);
	cr_assert_eq(c->cr2, 0x405000);
	cr_assert_eq(tm_peek32(m, 0x8000 - 16), 0, "instruction fetch, supervisor, not present");
	cr_assert_eq(tm_peek32(m, 0x8000 - 12), 0x405000);
	tm_free(m);
}
