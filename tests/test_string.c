/* String instructions: MOVS/STOS/LODS/CMPS/SCAS with and without REP, both
 * directions, 16- and 32-bit addressing, overlap, page crossing, a fault in
 * the middle, interruption and resumption, segment override, and writes
 * over decoded code. Expected values follow the SDM (REP and each string
 * instruction's operation section). The runs that set up, run once to the
 * end and check are rows of one table; each row keeps the name it had as a
 * test of its own. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>

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

/* Where a row reads a result after the run. */
enum where { W_NONE, W_ESI, W_EDI, W_ECX, W_SI, W_DI, W_AL, W_EIP, W_ICOUNT, W_M8, W_M16 };

/* One run of string code to the end (HLT or an exception handler's HLT).
 * Strings are held in arrays, not pointed to: Criterion copies each row into
 * the test's own process, where a pointer into this one means nothing. */
struct str_case {
	char name[64];
	char code[16];
	uint16_t ds, es; /* real-mode segments (tm_new's are 0) */
	bool unreal;     /* DS and ES limits 4 GiB */
	bool df;
	paddr_t fill_at; /* pattern(k) bytes at fill_at + k, k < fill_len */
	uint32_t fill_len;
	struct {
		paddr_t at;
		char hex[56];
	} poke[2];
	uint8_t al;
	uint32_t esi, edi, ecx;
	/* after: pattern(k) at pattern_at + k for k < pattern_len, and ... */
	paddr_t pattern_at;
	uint32_t pattern_len;
	struct {
		paddr_t at;
		char hex[56];
	} bytes; /* ... exactly these bytes at bytes.at, and ... */
	struct tm_want out[6]; /* ... these values (.addr for W_M8, W_M16), and ... */
	uint32_t fmask, fwant; /* ... EFLAGS & fmask is fwant (fmask 0: not read) */
};

static const char *const where_name[] = { "-", "ESI", "EDI", "ECX", "SI", "DI", "AL", "EIP",
					   "icount", "byte", "word" };

static const struct str_case runs[] = {
	/* ---- MOVS copies ---- */
	{ "rep_movsb_forward", "f3 a4 f4", .fill_at = 0x2000, .fill_len = 100,
	  .esi = 0x2000, .edi = 0x5000, .ecx = 0xABCD0000 | 100,
	  .pattern_at = 0x5000, .pattern_len = 100,
	  .out = { { W_M8, 0x5000 + 100, 0 },         /* nothing past the count */
		   { W_ECX, 0, 0xABCD0000 },          /* CX counted down, upper half kept */
		   { W_ESI, 0, 0x2000 + 100 },
		   { W_EDI, 0, 0x5000 + 100 },
		   { W_ICOUNT, 0, 101 } } },          /* one per iteration, plus HLT */
	{ "rep_movsw_backward", "f3 a5 f4", .df = true, .fill_at = 0x2000, .fill_len = 64,
	  .esi = 0x2000 + 62, .edi = 0x5000 + 62, .ecx = 32,
	  .pattern_at = 0x5000, .pattern_len = 64,
	  .out = { { W_SI, 0, 0x2000 - 2 }, { W_DI, 0, 0x5000 - 2 }, { W_ECX, 0, 0 } } },
	{ "rep_movsd_with_32bit_addressing_uses_esi_edi_ecx", "67 f3 66 a5 f4", .unreal = true,
	  .fill_at = 0x123000, .fill_len = 0x40, .esi = 0x123000, .edi = 0x140000, .ecx = 0x10,
	  .pattern_at = 0x140000, .pattern_len = 0x40,
	  .out = { { W_ESI, 0, 0x123040 }, { W_EDI, 0, 0x140040 }, { W_ECX, 0, 0 } } },
	/* dst = src + 1: every store feeds the next load, so the first byte
	 * spreads over the whole range (SDM: one element at a time). */
	{ "rep_movsb_overlapping_forward_replicates_like_element_copies", "f3 a4 f4",
	  .poke = { { 0x2000, "ab 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10" } },
	  .esi = 0x2000, .edi = 0x2001, .ecx = 16,
	  .bytes = { 0x2000, "ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab" } },
	/* words from 0x2000 to 0x2003: store k lands on bytes 3+2k, 4+2k, which
	 * later loads read back.
	 * k=0: [3,4]=a1 a2; k=1: [5,6]=[2,3]=a3 a1; k=2: [7,8]=[4,5]=a2 a3 */
	{ "rep_movsw_overlapping_forward_by_three_bytes", "f3 a5 f4",
	  .poke = { { 0x2000, "a1 a2 a3 00 00 00 00 00 00" } },
	  .esi = 0x2000, .edi = 0x2003, .ecx = 3,
	  .bytes = { 0x2000, "a1 a2 a3 a1 a2 a3 a1 a2 a3" } },
	/* DF=1 from the top with dst above src is a correct overlapping move. */
	{ "rep_movsb_overlapping_backward_moves_the_block_up", "f3 a4 f4", .df = true,
	  .fill_at = 0x2000, .fill_len = 32, .esi = 0x2000 + 31, .edi = 0x2004 + 31, .ecx = 32,
	  .pattern_at = 0x2004, .pattern_len = 32 },
	{ "rep_movsb_overlapping_backward_replicates_downward", "f3 a4 f4", .df = true,
	  .poke = { { 0x2000, "00 00 00 00 00 00 00 00 5a" } },
	  .esi = 0x2008, .edi = 0x2007, .ecx = 8,
	  .bytes = { 0x2000, "5a 5a 5a 5a 5a 5a 5a 5a 5a" } },
	/* SI 0801: dwords straddle every page boundary */
	{ "rep_movsd_large_copy_across_pages_and_unaligned", "f3 66 a5 f4",
	  .ds = 0x2000, .es = 0x3000, .fill_at = 0x20801, .fill_len = 0x4000,
	  .esi = 0x0801, .edi = 0x0406, .ecx = 0x1000,
	  .pattern_at = 0x30406, .pattern_len = 0x4000,
	  .out = { { W_ESI, 0, 0x4801 }, { W_EDI, 0, 0x4406 }, { W_ICOUNT, 0, 0x1001 } } },
	{ "rep_movsw_backward_across_a_page_boundary", "f3 a5 f4", .df = true,
	  .fill_at = 0x2F00, .fill_len = 0x300,
	  .esi = 0x2F00 + 0x2FE, .edi = 0x6F01 + 0x2FE, .ecx = 0x180,
	  .pattern_at = 0x6F01, .pattern_len = 0x300 },
	/* Word elements from DS:FFF1 up: the 8th, at FFFF, runs past the 64 KiB
	 * limit and raises #GP(0); seven are done. */
	{ "fault_in_the_middle_keeps_the_completed_iterations", "f3 a5 f4",
	  .ds = 0x2000, .fill_at = 0x2FFF1, .fill_len = 14,
	  .esi = 0xFFF1, .edi = 0x4000, .ecx = 16,
	  .pattern_at = 0x4000, .pattern_len = 14,
	  .out = { { W_EIP, 0, TM_HANDLERS + EXC_GP + 1 },
		   { W_M16, 0x8000 - 6, 0 }, /* frame IP is the REP MOVSW */
		   { W_ECX, 0, 9 },
		   { W_ESI, 0, 0xFFFF },
		   { W_EDI, 0, 0x4000 + 14 },
		   { W_M8, 0x4000 + 14, 0 } } },
	{ "rep_with_zero_count_does_nothing", "f3 a4 f4", .poke = { { 0x2000, "99" } },
	  .esi = 0x2000, .edi = 0x3000,
	  .out = { { W_M8, 0x3000, 0 }, { W_ESI, 0, 0x2000 }, { W_ICOUNT, 0, 2 } } },
	{ "lodsb_with_cs_override_reads_code", "2e ac f4", .esi = 2,
	  .out = { { W_AL, 0, 0xF4 } } },
	/* es: movsb reads ES:SI; the destination stays ES:DI. */
	{ "movsb_source_override_but_destination_always_es", "26 a4 f4",
	  .ds = 0x4000, .es = 0x5000, .poke = { { 0x50010, "3c" }, { 0x40010, "99" } },
	  .esi = 0x10, .edi = 0x20, .out = { { W_M8, 0x50020, 0x3C } } },

	/* ---- CMPS / SCAS ---- */
	/* 0x43 - 0x58 borrows: CF and SF */
	{ "repe_cmpsb_stops_at_the_first_difference", "f3 a6 f4",
	  .poke = { { 0x2000, "41 42 43 44 45" }, { 0x3000, "41 42 58 44 45" } },
	  .esi = 0x2000, .edi = 0x3000, .ecx = 5,
	  .out = { { W_ECX, 0, 2 }, { W_ESI, 0, 0x2003 }, { W_EDI, 0, 0x3003 } },
	  .fmask = F_ZF | F_CF | F_SF, .fwant = F_CF | F_SF },
	{ "repe_cmpsw_equal_runs_to_the_end", "f3 a7 f4",
	  .poke = { { 0x2000, "01 02 03 04" }, { 0x3000, "01 02 03 04" } },
	  .esi = 0x2000, .edi = 0x3000, .ecx = 2,
	  .out = { { W_ECX, 0, 0 } }, .fmask = F_ZF, .fwant = F_ZF },
	{ "repne_scasb_finds_a_byte", "f2 ae f4", .poke = { { 0x3000, "41 42 43 44 45" } },
	  .al = 0x44, .edi = 0x3000, .ecx = 5,
	  .out = { { W_ECX, 0, 1 }, { W_EDI, 0, 0x3004 } }, .fmask = F_ZF, .fwant = F_ZF },
	{ "scasb_single_sets_flags_of_al_minus_memory", "ae f4", .poke = { { 0x3000, "20" } },
	  .al = 0x10, .edi = 0x3000, .out = { { W_EDI, 0, 0x3001 } },
	  .fmask = F_ZF | F_CF | F_SF, .fwant = F_CF | F_SF },
};

static uint32_t read_at(struct machine *m, unsigned at, paddr_t addr)
{
	struct cpu *c = tm_cpu(m);
	switch (at) {
	case W_ESI: return c->r[R_ESI].d;
	case W_EDI: return c->r[R_EDI].d;
	case W_ECX: return c->r[R_ECX].d;
	case W_SI: return c->r[R_ESI].w;
	case W_DI: return c->r[R_EDI].w;
	case W_AL: return c->r[R_EAX].b[0];
	case W_EIP: return c->eip;
	case W_ICOUNT: return (uint32_t)c->icount;
	case W_M8: return tm_peek8(m, addr);
	default: return tm_peek16(m, addr);
	}
}

ParameterizedTestParameters(string, runs)
{
	return cr_make_param_array(struct str_case, runs, sizeof(runs) / sizeof(runs[0]));
}

ParameterizedTest(const struct str_case *k, string, runs)
{
	struct machine *m = tm_new(k->code);
	struct cpu *c = tm_cpu(m);
	set_seg(m, S_DS, k->ds);
	set_seg(m, S_ES, k->es);
	if (k->unreal) {
		c->seg[S_DS].limit = c->seg[S_ES].limit = 0xFFFFFFFFu;
		cpu_refresh_segs(c); /* the precomputed access bounds follow */
	}
	if (k->df)
		c->eflags |= F_DF;
	fill_pattern(m, k->fill_at, k->fill_len);
	for (unsigned i = 0; i < 2; i++)
		tm_poke(m, k->poke[i].at, k->poke[i].hex);
	c->r[R_EAX].b[0] = k->al;
	c->r[R_ESI].d = k->esi;
	c->r[R_EDI].d = k->edi;
	c->r[R_ECX].d = k->ecx;
	tm_run(m);
	uint32_t at = check_pattern(m, k->pattern_at, k->pattern_len);
	cr_assert_eq(at, k->pattern_len, "%s: copy differs at byte %u of %u", k->name, at,
		     k->pattern_len);
	const char *p = k->bytes.hex;
	for (unsigned i = 0;; i++) {
		char *end;
		unsigned long want = strtoul(p, &end, 16);
		if (end == p)
			break;
		p = end;
		uint8_t got = tm_peek8(m, k->bytes.at + i);
		cr_assert_eq(got, want, "%s: byte %u is %02x, want %02lx", k->name, i, got, want);
	}
	tm_check_wants(m, k->name, k->out, 6, read_at, where_name);
	tm_check_flags(m, k->name, k->fmask, k->fwant);
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
