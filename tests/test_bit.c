/* BT BTS BTR BTC (register and immediate offsets, register and memory
 * operands) and BSF/BSR, per the SDM (vol. 2A). Each case is a row of one
 * table: registers, flags and memory around [EBX] before; EAX, memory and
 * flags after. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "tests/alu2_tm.h"

#define KEPT (F_ZF | F_SF | F_OF)
#define BX (T2_DATA + 0x10) /* EBX: the memory operand; offsets below are from T2_DATA */

enum where { W_NONE, W_EAX, W_M16, W_M32 };

/* Strings are held in arrays, not pointed to: Criterion copies each row into
 * the test's own process, where a pointer into this one means nothing. */
struct bit_case {
	char name[56];
	char code[24]; /* ends in the HLT */
	uint32_t eax, ecx;
	uint32_t flags; /* arithmetic flags before */
	struct {
		uint32_t off; /* from T2_DATA */
		char hex[40];
	} mem;
	struct tm_want out[3]; /* .addr: W_M16, W_M32 at T2_DATA + addr */
	uint32_t fmask, fwant; /* arithmetic flags & fmask after; fmask 0: not read */
};

static const struct bit_case runs[] = {
	/* only CF may change */
	{ "bt_register_offset_modulo_16", "0f a3 c8 f4",
	  .eax = 0x0010, .ecx = 20, .flags = KEPT, .out = { { W_EAX, 0, 0x0010 } },
	  .fmask = F_ARITH, .fwant = F_CF | KEPT },
	{ "bt_clear_bit_clears_cf", "66 0f a3 c8 f4",
	  .eax = 0xFFFFFFFEu, .ecx = 32, .flags = F_CF, .fmask = F_CF, .fwant = 0 },
	{ "bts_eax_imm_31", "66 0f ba e8 1f f4",
	  .flags = F_CF, .out = { { W_EAX, 0, 0x80000000u } }, .fmask = F_CF, .fwant = 0 },
	{ "btr_word_memory_imm", "0f ba 37 03 f4",
	  .mem = { 0x10, "0f 00" }, .out = { { W_M16, 0x10, 0x0007 } },
	  .fmask = F_CF, .fwant = F_CF },
	/* imm 33 on a word: bit 1 */
	{ "btc_imm_is_masked_to_operand_size", "0f ba f8 21 f4",
	  .eax = 0x12340000u, .out = { { W_EAX, 0, 0x12340002u } } },
	/* imm 17 on a word in memory: bit 1 of the word itself, not the next */
	{ "btc_imm_memory_does_not_move", "0f ba 3f 11 f4",
	  .mem = { 0x10, "00 00 00 00" }, .out = { { W_M32, 0x10, 0x00000002u } } },
	/* offset -1: the word 2 bytes below, bit 15 */
	{ "bt_memory_negative_register_offset", "0f a3 0f f4",
	  .ecx = 0xFFFF, .mem = { 0x0E, "00 80 00 00" },
	  .fmask = F_CF, .fwant = F_CF },
	/* offset -33: the dword 8 bytes below, bit 31 */
	{ "bts_dword_memory_negative_register_offset", "66 0f ab 0f f4",
	  .ecx = (uint32_t)-33, .flags = F_CF,
	  .mem = { 0x08, "00 00 00 00 00 00 00 00 00 00 00 00" },
	  .out = { { W_M32, 0x08, 0x80000000u }, { W_M32, 0x0C, 0 }, { W_M32, 0x10, 0 } },
	  .fmask = F_CF, .fwant = 0 },
	/* offset 35: the word 4 bytes above, bit 3 */
	{ "btc_word_memory_positive_register_offset", "0f bb 0f f4",
	  .ecx = 35, .mem = { 0x14, "08 00" }, .out = { { W_M16, 0x14, 0 } },
	  .fmask = F_CF, .fwant = F_CF },
	{ "bsf_word", "0f bc c1 f4",
	  .eax = 0xFFFFFFFFu, .ecx = 0x0108, .flags = F_ZF, .out = { { W_EAX, 0, 0xFFFF0003u } },
	  .fmask = F_ZF, .fwant = 0 },
	{ "bsr_dword", "66 0f bd c1 f4",
	  .ecx = 0x00010100, .out = { { W_EAX, 0, 16 } } },
	{ "bsf_zero_source_sets_zf_keeps_destination", "66 0f bc c1 f4",
	  .eax = 0x12345678, .out = { { W_EAX, 0, 0x12345678 } }, .fmask = F_ZF, .fwant = F_ZF },
	{ "bsr_zero_memory_source_sets_zf_keeps_destination", "0f bd 07 f4",
	  .eax = 0xABCD, .mem = { 0x10, "00 00" }, .out = { { W_EAX, 0, 0xABCD } },
	  .fmask = F_ZF, .fwant = F_ZF },
	{ "bsr_word_memory", "0f bd 07 f4",
	  .flags = F_ZF, .mem = { 0x10, "00 80" }, .out = { { W_EAX, 0, 15 } },
	  .fmask = F_ZF, .fwant = 0 },
};

static const char *const where_name[] = { "-", "EAX", "word", "dword" };

static uint32_t read_at(struct machine *m, unsigned at, paddr_t off)
{
	switch (at) {
	case W_EAX: return tm_cpu(m)->r[R_EAX].d;
	case W_M16: return tm_peek16(m, T2_DATA + off);
	default: return tm_peek32(m, T2_DATA + off);
	}
}

ParameterizedTestParameters(bit, runs)
{
	return cr_make_param_array(struct bit_case, runs, sizeof(runs) / sizeof(runs[0]));
}

ParameterizedTest(const struct bit_case *k, bit, runs)
{
	struct machine *m = tm_new(k->code);
	struct cpu *c = tm_cpu(m);
	c->r[R_EAX].d = k->eax;
	c->r[R_ECX].d = k->ecx;
	c->r[R_EBX].d = BX;
	t2_flags(c, k->flags);
	tm_poke(m, T2_DATA + k->mem.off, k->mem.hex);
	tm_run_to_hlt(m, k->name);
	tm_check_wants(m, k->name, k->out, 3, read_at, where_name);
	tm_check_flags(m, k->name, k->fmask, k->fwant); /* every fmask lies within F_ARITH */
	tm_free(m);
}
