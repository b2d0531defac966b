/* SETcc, CMOVcc, MOVZX/MOVSX, BSWAP, XADD, CMPXCHG, CMPXCHG8B per the SDM
 * (vol. 2). */
#include <stdio.h>

#include "cpu/decode.h"
#include "tests/alu2_tm.h"
#include "tests/prot_util.h"

static struct machine *ext_new(const char *hex, uint32_t eax, uint32_t ecx, uint32_t flags)
{
	struct machine *m = tm_new(hex);
	struct cpu *c = tm_cpu(m);
	c->r[R_EAX].d = eax;
	c->r[R_ECX].d = ecx;
	c->r[R_EBX].d = T2_DATA;
	t2_flags(c, flags);
	return m;
}

/* Make ES a read-only data segment, as its descriptor cache would be after
 * loading a read-only selector in protected mode (check bits and the
 * fast path's write bound, which seg_update_chk would derive from them). */
static void es_read_only(struct machine *m)
{
	struct seg *es = &tm_cpu(m)->seg[S_ES];
	es->chk |= SEGCHK_NOWRITE;
	es->wr_max = -1;
}

Test(ext, setz_follows_zf)
{
	struct machine *m = ext_new("0f 94 c0 0f 95 c4 f4", 0xFFFFFFFFu, 0, F_ZF);
	t2_run(m);
	/* SETZ AL -> 1, SETNZ AH -> 0 */
	cr_assert_eq(tm_cpu(m)->r[R_EAX].d, 0xFFFF0001u);
	tm_free(m);
}

Test(ext, setl_memory_uses_sf_ne_of)
{
	struct machine *m = ext_new("0f 9c 07 f4", 0, 0, F_SF);
	tm_poke(m, T2_DATA, "55");
	t2_run(m);
	cr_assert_eq(tm_peek8(m, T2_DATA), 1);
	tm_free(m);
}

Test(ext, setnbe_false_when_cf)
{
	struct machine *m = ext_new("0f 97 c1 f4", 0, 0xFF, F_CF);
	t2_run(m);
	cr_assert_eq(tm_cpu(m)->r[R_ECX].d, 0);
	tm_free(m);
}

Test(ext, setcc_reads_lazy_flags)
{
	/* as after CMP 1, 2 (lazy SUB): below and less */
	struct machine *m = ext_new("0f 92 c0 0f 9f c4 f4", 0xFFFF, 0, 0);
	struct cpu *c = tm_cpu(m);
	lf_set(&c->lf, LF_SUB, 2, 0xFFFFFFFFu, 1, 2);
	t2_run(m);
	cr_assert_eq(c->r[R_EAX].d, 0x0001); /* SETB AL = 1, SETG AH = 0 */
	tm_free(m);
}

Test(ext, cmovz_taken_and_not_taken)
{
	struct machine *m = ext_new("0f 44 c1 f4", 0x11112222u, 0x33334444u, F_ZF);
	t2_run(m);
	cr_assert_eq(tm_cpu(m)->r[R_EAX].d, 0x11114444u);
	tm_free(m);
	m = ext_new("66 0f 44 c1 f4", 0x11112222u, 0x33334444u, 0);
	t2_run(m);
	cr_assert_eq(tm_cpu(m)->r[R_EAX].d, 0x11112222u);
	tm_free(m);
}

Test(ext, cmovnbe_dword_memory)
{
	struct machine *m = ext_new("66 0f 47 07 f4", 0, 0, 0);
	tm_poke(m, T2_DATA, "78 56 34 12");
	t2_run(m);
	cr_assert_eq(tm_cpu(m)->r[R_EAX].d, 0x12345678u);
	tm_free(m);
}

Test(ext, cmov_false_condition_still_reads_memory)
{
	/* a word at DS:FFFF is past the limit: #GP although no move happens */
	struct machine *m = ext_new("0f 44 07 f4", 0x1234, 0, 0);
	tm_cpu(m)->r[R_EBX].d = 0xFFFF;
	t2_run_fault(m, EXC_GP);
	cr_assert_eq(tm_cpu(m)->r[R_EAX].d, 0x1234);
	tm_free(m);
}

Test(ext, movzx_forms)
{
	struct machine *m = ext_new("0f b6 c1 66 0f b6 d1 66 0f b7 37 f4", 0xFFFFFFFFu, 0x80, 0);
	struct cpu *c = tm_cpu(m);
	c->r[R_EDX].d = 0xFFFFFFFFu;
	tm_poke(m, T2_DATA, "00 80");
	t2_run(m);
	cr_assert_eq(c->r[R_EAX].d, 0xFFFF0080u); /* movzx ax, cl */
	cr_assert_eq(c->r[R_EDX].d, 0x00000080u); /* movzx edx, cl */
	cr_assert_eq(c->r[R_ESI].d, 0x00008000u); /* movzx esi, word [bx] */
	tm_free(m);
}

Test(ext, movsx_forms)
{
	struct machine *m = ext_new("0f be c1 66 0f be d1 66 0f bf 37 0f be fd f4", 0x12345678u,
				    0x7F80, 0);
	struct cpu *c = tm_cpu(m);
	c->r[R_EDI].d = 0xAAAAAAAAu;
	tm_poke(m, T2_DATA, "00 80");
	t2_run(m);
	cr_assert_eq(c->r[R_EAX].d, 0x1234FF80u); /* movsx ax, cl */
	cr_assert_eq(c->r[R_EDX].d, 0xFFFFFF80u); /* movsx edx, cl */
	cr_assert_eq(c->r[R_ESI].d, 0xFFFF8000u); /* movsx esi, word [bx] */
	cr_assert_eq(c->r[R_EDI].d, 0xAAAA007Fu); /* movsx di, ch */
	tm_free(m);
}

Test(ext, bswap_dword)
{
	struct machine *m = ext_new("66 0f c8 66 0f cb f4", 0x12345678u, 0, 0);
	struct cpu *c = tm_cpu(m);
	c->r[R_EBX].d = 0xAABBCCDDu;
	t2_run(m);
	cr_assert_eq(c->r[R_EAX].d, 0x78563412u);
	cr_assert_eq(c->r[R_EBX].d, 0xDDCCBBAAu);
	tm_free(m);
}

Test(ext, bswap_word_clears_low_half)
{
	struct machine *m = ext_new("0f c9 f4", 0, 0x12345678u, 0);
	t2_run(m);
	cr_assert_eq(tm_cpu(m)->r[R_ECX].d, 0x12340000u);
	tm_free(m);
}

Test(ext, xadd_registers)
{
	struct machine *m = ext_new("0f c1 c8 f4", 1, 2, F_CF);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 3);
	cr_assert_eq(c->r[R_ECX].d, 1);
	cr_assert_eq(t2_arith(c), F_PF);
	tm_free(m);
}

Test(ext, xadd_same_register_leaves_the_sum)
{
	struct machine *m = ext_new("66 0f c1 c0 f4", 5, 0, 0);
	t2_run(m);
	cr_assert_eq(tm_cpu(m)->r[R_EAX].d, 10);
	tm_free(m);
}

Test(ext, xadd_byte_memory_flags_as_add)
{
	struct machine *m = ext_new("0f c0 07 f4", 0x01, 0, 0);
	tm_poke(m, T2_DATA, "ff");
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(tm_peek8(m, T2_DATA), 0);
	cr_assert_eq(c->r[R_EAX].d, 0xFF);
	cr_assert_eq(t2_arith(c), F_CF | F_ZF | F_AF | F_PF);
	tm_free(m);
}

Test(ext, cmpxchg_word_memory_equal)
{
	struct machine *m = ext_new("0f b1 0f f4", 0x1234, 0x5678, 0);
	tm_poke(m, T2_DATA, "34 12");
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(tm_peek16(m, T2_DATA), 0x5678);
	cr_assert_eq(c->r[R_EAX].d, 0x1234);
	cr_assert_eq(t2_arith(c), F_ZF | F_PF);
	tm_free(m);
}

Test(ext, cmpxchg_word_memory_not_equal_loads_accumulator)
{
	struct machine *m = ext_new("0f b1 0f f4", 0xAAAA1111u, 0x5678, 0);
	tm_poke(m, T2_DATA, "34 12");
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(tm_peek16(m, T2_DATA), 0x1234);
	cr_assert_eq(c->r[R_EAX].d, 0xAAAA1234u);
	/* flags of CMP 1111h, 1234h: result FEDDh */
	cr_assert_eq(t2_arith(c), F_CF | F_SF | F_AF | F_PF);
	tm_free(m);
}

Test(ext, cmpxchg_byte_registers)
{
	struct machine *m = ext_new("0f b0 d1 f4", 0x05, 0x05, 0);
	tm_cpu(m)->r[R_EDX].d = 0x09;
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_ECX].d, 0x09);
	cr_assert_eq(t2_arith(c) & F_ZF, F_ZF);
	tm_free(m);
}

Test(ext, cmpxchg_dword_accumulator_with_itself)
{
	struct machine *m = ext_new("66 0f b1 c8 f4", 0x12345678u, 0xCAFEBABEu, 0);
	t2_run(m);
	cr_assert_eq(tm_cpu(m)->r[R_EAX].d, 0xCAFEBABEu);
	tm_free(m);
}

Test(ext, cmpxchg_read_only_destination_faults_even_when_unequal)
{
	struct machine *m = ext_new("26 0f b1 0f f4", 0x1111, 0x5678, 0);
	tm_poke(m, T2_DATA, "34 12");
	es_read_only(m);
	t2_run_fault(m, EXC_GP);
	cr_assert_eq(tm_cpu(m)->r[R_EAX].d, 0x1111);
	cr_assert_eq(tm_peek16(m, T2_DATA), 0x1234);
	tm_free(m);
}

static struct machine *c8b_new(const char *prefix, uint32_t eax, uint32_t edx)
{
	char hex[64];
	snprintf(hex, sizeof(hex), "%s 0f c7 0c f4", prefix); /* cmpxchg8b [si] */
	struct machine *m = ext_new(hex, eax, 0xBBBBBBBBu, F_CF);
	struct cpu *c = tm_cpu(m);
	c->r[R_EDX].d = edx;
	c->r[R_EBX].d = 0xAAAAAAAAu;
	c->r[R_ESI].d = T2_DATA;
	tm_poke(m, T2_DATA, "22 22 22 22 11 11 11 11");
	return m;
}

Test(ext, cmpxchg8b_equal_stores_ecx_ebx)
{
	struct machine *m = c8b_new("", 0x22222222u, 0x11111111u);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(tm_peek32(m, T2_DATA), 0xAAAAAAAAu);
	cr_assert_eq(tm_peek32(m, T2_DATA + 4), 0xBBBBBBBBu);
	cr_assert_eq(c->r[R_EAX].d, 0x22222222u);
	cr_assert_eq(t2_arith(c), F_ZF | F_CF, "ZF set, the other flags kept");
	tm_free(m);
}

Test(ext, cmpxchg8b_not_equal_loads_edx_eax)
{
	struct machine *m = c8b_new("", 0x22222222u, 0x11111112u);
	t2_flags(tm_cpu(m), F_ZF);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(tm_peek32(m, T2_DATA), 0x22222222u);
	cr_assert_eq(tm_peek32(m, T2_DATA + 4), 0x11111111u);
	cr_assert_eq(c->r[R_EAX].d, 0x22222222u);
	cr_assert_eq(c->r[R_EDX].d, 0x11111111u);
	cr_assert_eq(t2_arith(c), 0);
	tm_free(m);
}

Test(ext, cmpxchg8b_read_only_destination_faults_even_when_unequal)
{
	struct machine *m = c8b_new("26", 0, 0);
	es_read_only(m);
	t2_run_fault(m, EXC_GP);
	cr_assert_eq(tm_cpu(m)->r[R_EAX].d, 0);
	cr_assert_eq(tm_cpu(m)->r[R_EDX].d, 0);
	tm_free(m);
}

Test(ext, cmpxchg8b_register_operand_is_undefined)
{
	struct machine *m = tm_new("0f c7 c8 f4");
	t2_run_fault(m, EXC_UD);
	tm_free(m);
}

/* CMOVcc r32,r32 and SETcc r8 have one handler per condition code
 * (ops_fast_pick): each must agree with the generic handler for every
 * condition over lazy-flag states of several producers and sizes. */
Test(ext, per_condition_cmov_and_setcc_match_the_generic_handlers)
{
	static const struct lazy_flags states[] = {
		{ .kind = LF_SUB, .size = 2, .a = 5, .b = 7, .res = 0xFFFFFFFEu },
		{ .kind = LF_SUB, .size = 2, .a = 7, .b = 7, .res = 0 },
		{ .kind = LF_SUB, .size = 0, .a = 0x80, .b = 0x01, .res = 0x7F },
		{ .kind = LF_LOGIC, .size = 1, .res = 0x8000 },
		{ .kind = LF_LOGIC, .size = 2, .res = 0 },
		{ .kind = LF_ADD, .size = 2, .a = 0x7FFFFFFF, .b = 1, .res = 0x80000000u },
		{ .kind = LF_INC, .size = 0, .a = 0xFF, .b = 1, .res = 0 },
		{ .kind = LF_NONE },
	};
	static const uint32_t eflags[] = { 0x2, 0x2 | F_ARITH };
	struct machine *m = pu_new("f4");
	struct cpu *c = tm_cpu(m);
	for (unsigned cc = 0; cc < 16; cc++) {
		const char cmov[] = { 0x0f, (char)(0x40 + cc), (char)0xc1 }; /* cmovcc eax, ecx */
		const char setcc[] = { 0x0f, (char)(0x90 + cc), (char)0xc4 }; /* setcc ah */
		struct insn gc, gs;
		cr_assert_eq(decode_insn((const uint8_t *)cmov, 3, true, &gc, NULL), 3);
		cr_assert_eq(decode_insn((const uint8_t *)setcc, 3, true, &gs, NULL), 3);
		for (unsigned k = 0; k < sizeof(states) / sizeof(states[0]); k++) {
			for (unsigned e = 0; e < 2; e++) {
				uint32_t want[2], got[2];
				for (unsigned pass = 0; pass < 2; pass++) {
					c->lf = states[k];
					c->eflags = eflags[e];
					c->r[R_EAX].d = 0x11111111u;
					c->r[R_ECX].d = 0x22222222u;
					if (pass == 0) {
						gc.fn(c, &gc);
						gs.fn(c, &gs);
					} else {
						cr_assert_eq(pu_run32(c, cmov, 3), -1);
						cr_assert_eq(pu_run32(c, setcc, 3), -1);
					}
					(pass ? got : want)[0] = c->r[R_EAX].d;
					(pass ? got : want)[1] = cpu_get_eflags(c);
				}
				cr_assert_eq(got[0], want[0], "cc %u state %u eflags %u", cc, k, e);
				cr_assert_eq(got[1], want[1], "cc %u state %u eflags %u", cc, k, e);
			}
		}
	}
	tm_free(m);
}
