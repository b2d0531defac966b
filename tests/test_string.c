/* String instructions: MOVS/STOS/LODS/CMPS/SCAS with and without REP, both
 * directions, 16- and 32-bit addressing, overlap, page crossing, a fault in
 * the middle, interruption and resumption, segment override, and writes
 * over decoded code. Expected values follow the SDM (REP and each string
 * instruction's operation section). */
#include <criterion/criterion.h>

#include "cpu/interrupt.h"
#include "cpu/seg.h"
#include "tests/tm.h"

static void set_seg(struct machine *m, unsigned s, uint16_t sel)
{
	seg_load_real(tm_cpu(m), s, sel);
}

static uint8_t pattern(uint32_t k) { return (uint8_t)(k * 7 + (k >> 8) + 1); }

static void fill_pattern(struct machine *m, paddr_t at, uint32_t len)
{
	for (uint32_t k = 0; k < len; k++) {
		uint8_t b = pattern(k);
		memmap_write(machine_mem(m), at + k, &b, 1);
	}
}

/* Index of the first byte at at..at+len that is not pattern(k), or len. */
static uint32_t check_pattern(struct machine *m, paddr_t at, uint32_t len)
{
	for (uint32_t k = 0; k < len; k++)
		if (tm_peek8(m, at + k) != pattern(k))
			return k;
	return len;
}

Test(string, movsb_single_forward_then_backward)
{
	struct machine *m = tm_new("a4 a4 f4");
	struct cpu *c = tm_cpu(m);
	tm_poke(m, 0x2000, "11 22");
	c->r[R_ESI].d = 0x2000;
	c->r[R_EDI].d = 0x3000;
	machine_run(m, 1);
	cr_assert_eq(tm_peek8(m, 0x3000), 0x11);
	cr_assert_eq(c->r[R_ESI].d, 0x2001);
	cr_assert_eq(c->r[R_EDI].d, 0x3001);
	c->eflags |= F_DF;
	tm_run(m);
	cr_assert_eq(tm_peek8(m, 0x3001), 0x22);
	cr_assert_eq(c->r[R_ESI].d, 0x2000);
	cr_assert_eq(c->r[R_EDI].d, 0x3000);
	tm_free(m);
}

Test(string, rep_movsb_forward)
{
	struct machine *m = tm_new("f3 a4 f4");
	struct cpu *c = tm_cpu(m);
	fill_pattern(m, 0x2000, 100);
	c->r[R_ESI].d = 0x2000;
	c->r[R_EDI].d = 0x5000;
	c->r[R_ECX].d = 0xABCD0000 | 100;
	tm_run(m);
	cr_assert_eq(check_pattern(m, 0x5000, 100), 100);
	cr_assert_eq(tm_peek8(m, 0x5000 + 100), 0, "nothing past the count");
	cr_assert_eq(c->r[R_ECX].d, 0xABCD0000, "CX counted down, upper half kept");
	cr_assert_eq(c->r[R_ESI].d, 0x2000 + 100);
	cr_assert_eq(c->r[R_EDI].d, 0x5000 + 100);
	cr_assert_eq(c->icount, 101, "one per iteration, plus HLT");
	tm_free(m);
}

Test(string, rep_movsw_backward)
{
	struct machine *m = tm_new("f3 a5 f4");
	struct cpu *c = tm_cpu(m);
	fill_pattern(m, 0x2000, 64);
	c->eflags |= F_DF;
	c->r[R_ESI].d = 0x2000 + 62;
	c->r[R_EDI].d = 0x5000 + 62;
	c->r[R_ECX].d = 32;
	tm_run(m);
	cr_assert_eq(check_pattern(m, 0x5000, 64), 64);
	cr_assert_eq(c->r[R_ESI].w, 0x2000 - 2);
	cr_assert_eq(c->r[R_EDI].w, 0x5000 - 2);
	cr_assert_eq(c->r[R_ECX].d, 0);
	tm_free(m);
}

Test(string, rep_movsd_with_32bit_addressing_uses_esi_edi_ecx)
{
	struct machine *m = tm_new("67 f3 66 a5 f4");
	struct cpu *c = tm_cpu(m);
	set_seg(m, S_DS, 0);
	set_seg(m, S_ES, 0);
	c->seg[S_DS].limit = c->seg[S_ES].limit = 0xFFFFFFFFu; /* unreal mode */
	cpu_refresh_segs(c);
	fill_pattern(m, 0x123000, 0x40);
	c->r[R_ESI].d = 0x123000;
	c->r[R_EDI].d = 0x140000;
	c->r[R_ECX].d = 0x10;
	tm_run(m);
	cr_assert_eq(check_pattern(m, 0x140000, 0x40), 0x40);
	cr_assert_eq(c->r[R_ESI].d, 0x123040);
	cr_assert_eq(c->r[R_EDI].d, 0x140040);
	cr_assert_eq(c->r[R_ECX].d, 0);
	tm_free(m);
}

Test(string, rep_movsb_overlapping_forward_replicates_like_element_copies)
{
	/* dst = src + 1: every store feeds the next load, so the first byte
	 * spreads over the whole range (SDM: one element at a time). */
	struct machine *m = tm_new("f3 a4 f4");
	struct cpu *c = tm_cpu(m);
	tm_poke(m, 0x2000, "ab 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10");
	c->r[R_ESI].d = 0x2000;
	c->r[R_EDI].d = 0x2001;
	c->r[R_ECX].d = 16;
	tm_run(m);
	for (unsigned k = 0; k <= 16; k++)
		cr_assert_eq(tm_peek8(m, 0x2000 + k), 0xAB, "byte %u", k);
	tm_free(m);
}

Test(string, rep_movsw_overlapping_forward_by_three_bytes)
{
	/* words from 0x2000 to 0x2003: store k lands on bytes 3+2k, 4+2k, which
	 * later loads read back. */
	struct machine *m = tm_new("f3 a5 f4");
	struct cpu *c = tm_cpu(m);
	tm_poke(m, 0x2000, "a1 a2 a3 00 00 00 00 00 00");
	c->r[R_ESI].d = 0x2000;
	c->r[R_EDI].d = 0x2003;
	c->r[R_ECX].d = 3;
	tm_run(m);
	/* k=0: [3,4]=a1 a2; k=1: [5,6]=[2,3]=a3 a1; k=2: [7,8]=[4,5]=a2 a3 */
	static const uint8_t want[9] = { 0xa1, 0xa2, 0xa3, 0xa1, 0xa2, 0xa3, 0xa1, 0xa2, 0xa3 };
	for (unsigned k = 0; k < 9; k++)
		cr_assert_eq(tm_peek8(m, 0x2000 + k), want[k], "byte %u", k);
	tm_free(m);
}

Test(string, rep_movsb_overlapping_backward_moves_the_block_up)
{
	/* DF=1 from the top with dst above src is a correct overlapping move. */
	struct machine *m = tm_new("f3 a4 f4");
	struct cpu *c = tm_cpu(m);
	fill_pattern(m, 0x2000, 32);
	c->eflags |= F_DF;
	c->r[R_ESI].d = 0x2000 + 31;
	c->r[R_EDI].d = 0x2004 + 31;
	c->r[R_ECX].d = 32;
	tm_run(m);
	cr_assert_eq(check_pattern(m, 0x2004, 32), 32);
	tm_free(m);
}

Test(string, rep_movsb_overlapping_backward_replicates_downward)
{
	struct machine *m = tm_new("f3 a4 f4");
	struct cpu *c = tm_cpu(m);
	tm_poke(m, 0x2000, "00 00 00 00 00 00 00 00 5a");
	c->eflags |= F_DF;
	c->r[R_ESI].d = 0x2008;
	c->r[R_EDI].d = 0x2007;
	c->r[R_ECX].d = 8;
	tm_run(m);
	for (unsigned k = 0; k <= 8; k++)
		cr_assert_eq(tm_peek8(m, 0x2000 + k), 0x5A, "byte %u", k);
	tm_free(m);
}

Test(string, rep_movsd_large_copy_across_pages_and_unaligned)
{
	struct machine *m = tm_new("f3 66 a5 f4");
	struct cpu *c = tm_cpu(m);
	set_seg(m, S_DS, 0x2000);
	set_seg(m, S_ES, 0x3000);
	fill_pattern(m, 0x20801, 0x4000);
	c->r[R_ESI].d = 0x0801; /* dwords straddle every page boundary */
	c->r[R_EDI].d = 0x0406;
	c->r[R_ECX].d = 0x1000;
	tm_run(m);
	cr_assert_eq(check_pattern(m, 0x30406, 0x4000), 0x4000);
	cr_assert_eq(c->r[R_ESI].d, 0x4801);
	cr_assert_eq(c->r[R_EDI].d, 0x4406);
	cr_assert_eq(c->icount, 0x1001);
	tm_free(m);
}

Test(string, rep_movsw_backward_across_a_page_boundary)
{
	struct machine *m = tm_new("f3 a5 f4");
	struct cpu *c = tm_cpu(m);
	fill_pattern(m, 0x2F00, 0x300);
	c->eflags |= F_DF;
	c->r[R_ESI].d = 0x2F00 + 0x2FE;
	c->r[R_EDI].d = 0x6F01 + 0x2FE;
	c->r[R_ECX].d = 0x180;
	tm_run(m);
	cr_assert_eq(check_pattern(m, 0x6F01, 0x300), 0x300);
	tm_free(m);
}

Test(string, fault_in_the_middle_keeps_the_completed_iterations)
{
	/* Word elements from DS:FFF1 up: the 8th, at FFFF, runs past the 64 KiB
	 * limit and raises #GP(0); seven are done. */
	struct machine *m = tm_new("f3 a5 f4");
	struct cpu *c = tm_cpu(m);
	set_seg(m, S_DS, 0x2000);
	fill_pattern(m, 0x2FFF1, 14);
	c->r[R_ESI].d = 0xFFF1;
	c->r[R_EDI].d = 0x4000;
	c->r[R_ECX].d = 16;
	tm_run(m);
	cr_assert_eq(c->eip, TM_HANDLERS + EXC_GP + 1);
	cr_assert_eq(tm_peek16(m, 0x8000 - 6), 0, "frame IP is the REP MOVSW");
	cr_assert_eq(c->r[R_ECX].d, 9);
	cr_assert_eq(c->r[R_ESI].d, 0xFFFF);
	cr_assert_eq(c->r[R_EDI].d, 0x4000 + 14);
	cr_assert_eq(check_pattern(m, 0x4000, 14), 14);
	cr_assert_eq(tm_peek8(m, 0x4000 + 14), 0);
	tm_free(m);
}

Test(string, rep_is_interrupted_by_the_budget_and_resumes)
{
	struct machine *m = tm_new("f3 aa f4");
	struct cpu *c = tm_cpu(m);
	c->r[R_EAX].b[0] = 0x77;
	c->r[R_EDI].d = 0x3000;
	c->r[R_ECX].d = 1000;
	cr_assert_eq(machine_run(m, 100), MACHINE_INSN_LIMIT);
	cr_assert_eq(c->icount, 100);
	cr_assert_eq(c->eip, 0, "still on the REP STOSB");
	cr_assert_eq(c->r[R_ECX].d, 900);
	cr_assert_eq(c->r[R_EDI].d, 0x3000 + 100);
	cr_assert_eq(tm_peek8(m, 0x3000 + 99), 0x77);
	cr_assert_eq(tm_peek8(m, 0x3000 + 100), 0);
	tm_run(m);
	cr_assert_eq(c->r[R_ECX].d, 0);
	cr_assert_eq(c->eip, 3);
	cr_assert_eq(c->icount, 1001);
	cr_assert_eq(tm_peek8(m, 0x3000 + 999), 0x77);
	cr_assert_eq(tm_peek8(m, 0x3000 + 1000), 0);
	tm_free(m);
}

Test(string, rep_with_zero_count_does_nothing)
{
	struct machine *m = tm_new("f3 a4 f4");
	struct cpu *c = tm_cpu(m);
	c->r[R_ESI].d = 0x2000;
	c->r[R_EDI].d = 0x3000;
	tm_poke(m, 0x2000, "99");
	tm_run(m);
	cr_assert_eq(tm_peek8(m, 0x3000), 0);
	cr_assert_eq(c->r[R_ESI].d, 0x2000);
	cr_assert_eq(c->icount, 2);
	tm_free(m);
}

Test(string, rep_stosw_and_stosd_fill)
{
	struct machine *m = tm_new("f3 ab 66 f3 ab f4");
	struct cpu *c = tm_cpu(m);
	c->r[R_EAX].d = 0x12345678;
	c->r[R_EDI].d = 0x2FF8; /* crosses into the next page */
	c->r[R_ECX].d = 8;
	machine_run(m, 8);
	for (unsigned k = 0; k < 8; k++)
		cr_assert_eq(tm_peek16(m, 0x2FF8 + 2 * k), 0x5678);
	cr_assert_eq(c->r[R_EDI].d, 0x3008);
	c->r[R_ECX].d = 3;
	tm_run(m);
	for (unsigned k = 0; k < 3; k++)
		cr_assert_eq(tm_peek32(m, 0x3008 + 4 * k), 0x12345678);
	cr_assert_eq(c->r[R_EDI].d, 0x3014);
	tm_free(m);
}

Test(string, lodsb_lodsw_lodsd)
{
	struct machine *m = tm_new("ac ad 66 ad f4");
	struct cpu *c = tm_cpu(m);
	tm_poke(m, 0x2000, "11 22 33 44 55 66 77");
	c->r[R_EAX].d = 0xFFFFFFFF;
	c->r[R_ESI].d = 0x2000;
	machine_run(m, 1);
	cr_assert_eq(c->r[R_EAX].d, 0xFFFFFF11);
	machine_run(m, 2);
	cr_assert_eq(c->r[R_EAX].d, 0xFFFF3322);
	tm_run(m);
	cr_assert_eq(c->r[R_EAX].d, 0x77665544);
	cr_assert_eq(c->r[R_ESI].d, 0x2007);
	tm_free(m);
}

Test(string, lodsb_with_cs_override_reads_code)
{
	struct machine *m = tm_new("2e ac f4");
	struct cpu *c = tm_cpu(m);
	c->r[R_ESI].d = 2;
	tm_run(m);
	cr_assert_eq(c->r[R_EAX].b[0], 0xF4);
	tm_free(m);
}

Test(string, movsb_source_override_but_destination_always_es)
{
	/* es: movsb reads ES:SI; the destination stays ES:DI. */
	struct machine *m = tm_new("26 a4 f4");
	struct cpu *c = tm_cpu(m);
	set_seg(m, S_DS, 0x4000);
	set_seg(m, S_ES, 0x5000);
	tm_poke(m, 0x50010, "3c");
	tm_poke(m, 0x40010, "99");
	c->r[R_ESI].d = 0x10;
	c->r[R_EDI].d = 0x20;
	tm_run(m);
	cr_assert_eq(tm_peek8(m, 0x50020), 0x3C);
	tm_free(m);
}

Test(string, repe_cmpsb_stops_at_the_first_difference)
{
	struct machine *m = tm_new("f3 a6 f4");
	struct cpu *c = tm_cpu(m);
	tm_poke(m, 0x2000, "41 42 43 44 45");
	tm_poke(m, 0x3000, "41 42 58 44 45");
	c->r[R_ESI].d = 0x2000;
	c->r[R_EDI].d = 0x3000;
	c->r[R_ECX].d = 5;
	tm_run(m);
	cr_assert_eq(c->r[R_ECX].d, 2);
	cr_assert_eq(c->r[R_ESI].d, 0x2003);
	cr_assert_eq(c->r[R_EDI].d, 0x3003);
	uint32_t f = cpu_get_eflags(c);
	cr_assert_eq(f & F_ZF, 0);
	cr_assert_eq(f & F_CF, F_CF, "0x43 - 0x58 borrows");
	cr_assert_eq(f & F_SF, F_SF);
	tm_free(m);
}

Test(string, repe_cmpsw_equal_runs_to_the_end)
{
	struct machine *m = tm_new("f3 a7 f4");
	struct cpu *c = tm_cpu(m);
	tm_poke(m, 0x2000, "01 02 03 04");
	tm_poke(m, 0x3000, "01 02 03 04");
	c->r[R_ESI].d = 0x2000;
	c->r[R_EDI].d = 0x3000;
	c->r[R_ECX].d = 2;
	tm_run(m);
	cr_assert_eq(c->r[R_ECX].d, 0);
	cr_assert_eq(cpu_get_eflags(c) & F_ZF, F_ZF);
	tm_free(m);
}

/* Long REPE CMPS runs, compared in 8-byte blocks by the bulk path: the
 * stop position, the registers and the flags of the last comparison must
 * be those of element-by-element execution, wherever the difference falls. */
static void repe_cmps_long(const char *code, unsigned size, uint32_t count, int diff_at,
			   uint32_t want_flags)
{
	struct machine *m = tm_new(code);
	struct cpu *c = tm_cpu(m);
	fill_pattern(m, 0x2000, count * size);
	fill_pattern(m, 0x3000, count * size);
	if (diff_at >= 0) {
		tm_poke(m, 0x2000 + (uint32_t)diff_at, "10");
		tm_poke(m, 0x3000 + (uint32_t)diff_at, "20");
	}
	c->r[R_ESI].d = 0x2000;
	c->r[R_EDI].d = 0x3000;
	c->r[R_ECX].d = count;
	tm_run(m);
	uint32_t done = diff_at >= 0 ? (uint32_t)diff_at / size + 1 : count;
	cr_assert_eq(c->r[R_ECX].d, count - done, "size %u diff %d", size, diff_at);
	cr_assert_eq(c->r[R_ESI].d, 0x2000 + done * size);
	cr_assert_eq(c->r[R_EDI].d, 0x3000 + done * size);
	cr_assert_eq(cpu_get_eflags(c) & (F_ZF | F_CF | F_SF), want_flags, "size %u diff %d", size,
		     diff_at);
	cr_assert_eq(c->icount, done + 1, "one per iteration, plus HLT");
	tm_free(m);
}

Test(string, repe_cmps_long_runs)
{
	repe_cmps_long("f3 a6 f4", 1, 37, 29, F_CF | F_SF); /* 0x10 - 0x20 */
	repe_cmps_long("f3 a6 f4", 1, 37, 8, F_CF | F_SF);
	repe_cmps_long("f3 a6 f4", 1, 40, -1, F_ZF);
	repe_cmps_long("f3 a6 f4", 1, 9, 8, F_CF | F_SF); /* the last element differs */
	repe_cmps_long("f3 a7 f4", 2, 21, 33, F_CF | F_SF); /* high byte of word 16 */
	repe_cmps_long("66 f3 a7 f4", 4, 10, 27, F_CF | F_SF); /* top byte of dword 6 */
	repe_cmps_long("66 f3 a7 f4", 4, 10, -1, F_ZF);
}

Test(string, repne_scasb_finds_a_byte)
{
	struct machine *m = tm_new("f2 ae f4");
	struct cpu *c = tm_cpu(m);
	tm_poke(m, 0x3000, "41 42 43 44 45");
	c->r[R_EAX].b[0] = 0x44;
	c->r[R_EDI].d = 0x3000;
	c->r[R_ECX].d = 5;
	tm_run(m);
	cr_assert_eq(c->r[R_ECX].d, 1);
	cr_assert_eq(c->r[R_EDI].d, 0x3004);
	cr_assert_eq(cpu_get_eflags(c) & F_ZF, F_ZF);
	tm_free(m);
}

Test(string, scasb_single_sets_flags_of_al_minus_memory)
{
	struct machine *m = tm_new("ae f4");
	struct cpu *c = tm_cpu(m);
	tm_poke(m, 0x3000, "20");
	c->r[R_EAX].b[0] = 0x10;
	c->r[R_EDI].d = 0x3000;
	tm_run(m);
	uint32_t f = cpu_get_eflags(c);
	cr_assert_eq(f & (F_ZF | F_CF | F_SF), F_CF | F_SF);
	cr_assert_eq(c->r[R_EDI].d, 0x3001);
	tm_free(m);
}

Test(string, rep_movsb_over_upcoming_code_is_seen_by_the_next_fetch)
{
	/* Copy an F4 over the NOP that follows the REP MOVSB. */
	struct machine *m = tm_new("f3 a4 90 f4");
	struct cpu *c = tm_cpu(m);
	set_seg(m, S_ES, 0x1000);
	tm_poke(m, 0x2000, "f4");
	c->r[R_ESI].d = 0x2000;
	c->r[R_EDI].d = 2;
	c->r[R_ECX].d = 1;
	tm_run(m);
	cr_assert_eq(c->eip, 3, "the new HLT at offset 2 ran");
	tm_free(m);
}

Test(string, rep_stosb_over_the_decoded_block_it_runs_in)
{
	/* At 0x700: REP STOSB; HLT. The fill turns that HLT (already decoded in
	 * the same block) into a NOP, so execution slides to the HLT at 0x720. */
	struct machine *m = tm_new("e9 fd 06");
	struct cpu *c = tm_cpu(m);
	tm_poke(m, TM_CODE + 0x700, "f3 aa f4");
	for (unsigned k = 0x703; k < 0x720; k++)
		tm_poke(m, TM_CODE + k, "90");
	tm_poke(m, TM_CODE + 0x720, "f4");
	set_seg(m, S_ES, 0x1000);
	c->r[R_EAX].b[0] = 0x90;
	c->r[R_EDI].d = 0x702;
	c->r[R_ECX].d = 0x10;
	tm_run(m);
	cr_assert_eq(c->eip, 0x721);
	cr_assert_eq(c->r[R_ECX].d, 0);
	tm_free(m);
}
