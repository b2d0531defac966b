/* BT BTS BTR BTC (register and immediate offsets, register and memory
 * operands) and BSF/BSR, per the SDM (vol. 2A). */
#include "tests/alu2_tm.h"

static struct machine *bit_new(const char *hex, uint32_t eax, uint32_t ecx, uint32_t flags)
{
	struct machine *m = tm_new(hex);
	struct cpu *c = tm_cpu(m);
	c->r[R_EAX].d = eax;
	c->r[R_ECX].d = ecx;
	c->r[R_EBX].d = T2_DATA + 0x10;
	t2_flags(c, flags);
	return m;
}

#define KEPT (F_ZF | F_SF | F_OF)

Test(bit, bt_register_offset_modulo_16)
{
	struct machine *m = bit_new("0f a3 c8 f4", 0x0010, 20, KEPT);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0x0010);
	cr_assert_eq(t2_arith(c), F_CF | KEPT, "only CF may change");
	tm_free(m);
}

Test(bit, bt_clear_bit_clears_cf)
{
	struct machine *m = bit_new("66 0f a3 c8 f4", 0xFFFFFFFEu, 32, F_CF);
	t2_run(m);
	cr_assert_eq(t2_arith(tm_cpu(m)) & F_CF, 0);
	tm_free(m);
}

Test(bit, bts_eax_imm_31)
{
	struct machine *m = bit_new("66 0f ba e8 1f f4", 0, 0, F_CF);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0x80000000u);
	cr_assert_eq(t2_arith(c) & F_CF, 0);
	tm_free(m);
}

Test(bit, btr_word_memory_imm)
{
	struct machine *m = bit_new("0f ba 37 03 f4", 0, 0, 0);
	tm_poke(m, T2_DATA + 0x10, "0f 00");
	t2_run(m);
	cr_assert_eq(tm_peek16(m, T2_DATA + 0x10), 0x0007);
	cr_assert_eq(t2_arith(tm_cpu(m)) & F_CF, F_CF);
	tm_free(m);
}

Test(bit, btc_imm_is_masked_to_operand_size)
{
	/* imm 33 on a word: bit 1 */
	struct machine *m = bit_new("0f ba f8 21 f4", 0x12340000u, 0, 0);
	t2_run(m);
	cr_assert_eq(tm_cpu(m)->r[R_EAX].d, 0x12340002u);
	tm_free(m);
}

Test(bit, btc_imm_memory_does_not_move)
{
	/* imm 17 on a word in memory: bit 1 of the word itself, not the next */
	struct machine *m = bit_new("0f ba 3f 11 f4", 0, 0, 0);
	tm_poke(m, T2_DATA + 0x10, "00 00 00 00");
	t2_run(m);
	cr_assert_eq(tm_peek32(m, T2_DATA + 0x10), 0x00000002u);
	tm_free(m);
}

Test(bit, bt_memory_negative_register_offset)
{
	/* offset -1: the word 2 bytes below, bit 15 */
	struct machine *m = bit_new("0f a3 0f f4", 0, 0xFFFF, 0);
	tm_poke(m, T2_DATA + 0x0E, "00 80 00 00");
	t2_run(m);
	cr_assert_eq(t2_arith(tm_cpu(m)) & F_CF, F_CF);
	tm_free(m);
}

Test(bit, bts_dword_memory_negative_register_offset)
{
	/* offset -33: the dword 8 bytes below, bit 31 */
	struct machine *m = bit_new("66 0f ab 0f f4", 0, (uint32_t)-33, F_CF);
	tm_poke(m, T2_DATA + 0x08, "00 00 00 00 00 00 00 00 00 00 00 00");
	t2_run(m);
	cr_assert_eq(tm_peek32(m, T2_DATA + 0x08), 0x80000000u);
	cr_assert_eq(tm_peek32(m, T2_DATA + 0x0C), 0);
	cr_assert_eq(tm_peek32(m, T2_DATA + 0x10), 0);
	cr_assert_eq(t2_arith(tm_cpu(m)) & F_CF, 0);
	tm_free(m);
}

Test(bit, btc_word_memory_positive_register_offset)
{
	/* offset 35: the word 4 bytes above, bit 3 */
	struct machine *m = bit_new("0f bb 0f f4", 0, 35, 0);
	tm_poke(m, T2_DATA + 0x14, "08 00");
	t2_run(m);
	cr_assert_eq(tm_peek16(m, T2_DATA + 0x14), 0);
	cr_assert_eq(t2_arith(tm_cpu(m)) & F_CF, F_CF);
	tm_free(m);
}

Test(bit, bsf_word)
{
	struct machine *m = bit_new("0f bc c1 f4", 0xFFFFFFFFu, 0x0108, F_ZF);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0xFFFF0003u);
	cr_assert_eq(t2_arith(c) & F_ZF, 0);
	tm_free(m);
}

Test(bit, bsr_dword)
{
	struct machine *m = bit_new("66 0f bd c1 f4", 0, 0x00010100, 0);
	t2_run(m);
	cr_assert_eq(tm_cpu(m)->r[R_EAX].d, 16);
	tm_free(m);
}

Test(bit, bsf_zero_source_sets_zf_keeps_destination)
{
	struct machine *m = bit_new("66 0f bc c1 f4", 0x12345678, 0, 0);
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0x12345678);
	cr_assert_eq(t2_arith(c) & F_ZF, F_ZF);
	tm_free(m);
}

Test(bit, bsr_zero_memory_source_sets_zf_keeps_destination)
{
	struct machine *m = bit_new("0f bd 07 f4", 0xABCD, 0, 0);
	tm_poke(m, T2_DATA + 0x10, "00 00");
	t2_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_EAX].d, 0xABCD);
	cr_assert_eq(t2_arith(c) & F_ZF, F_ZF);
	tm_free(m);
}

Test(bit, bsr_word_memory)
{
	struct machine *m = bit_new("0f bd 07 f4", 0, 0, F_ZF);
	tm_poke(m, T2_DATA + 0x10, "00 80");
	t2_run(m);
	cr_assert_eq(tm_cpu(m)->r[R_EAX].d, 15);
	cr_assert_eq(t2_arith(tm_cpu(m)) & F_ZF, 0);
	tm_free(m);
}
