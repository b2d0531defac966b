/* The decoder: bytes and mode in, decoded fields out (SDM vol. 2, ch. 2). */
#include <criterion/criterion.h>

#include "cpu/decode.h"
#include "cpu/ops.h"

static struct insn dec(const char *bytes, unsigned n, bool d32, int want_len)
{
	struct insn i;
	int len = decode_insn((const uint8_t *)bytes, n, d32, &i, NULL);
	cr_assert_eq(len, want_len, "length %d, want %d", len, want_len);
	return i;
}

Test(decode, modrm_16bit_bx_si_disp8)
{
	/* 00 40 05: add [bx+si+5], al */
	struct insn i = dec("\x00\x40\x05", 3, false, 3);
	cr_assert_eq(i.base, R_EBX);
	cr_assert_eq(i.index, R_ESI);
	cr_assert_eq(i.disp, 5);
	cr_assert_eq(i.seg, S_DS);
	cr_assert_eq(i.amask, 0xFFFF);
	cr_assert_eq(i.reg, 0);
	cr_assert_eq(i.fn, op_ADD_EbGb_m);
}

Test(decode, modrm_16bit_bp_defaults_to_ss_and_disp16_alone)
{
	struct insn i = dec("\x8b\x46\xfe", 3, false, 3); /* mov ax, [bp-2] */
	cr_assert_eq(i.base, R_EBP);
	cr_assert_eq(i.seg, S_SS);
	cr_assert_eq(i.disp, 0xFFFFFFFEu);
	cr_assert_eq(i.fn, op_MOV_GwEw_m);
	i = dec("\x8b\x06\x34\x12", 4, false, 4); /* mov ax, [0x1234] */
	cr_assert_eq(i.base, R_NONE);
	cr_assert_eq(i.index, R_NONE);
	cr_assert_eq(i.disp, 0x1234);
	cr_assert_eq(i.seg, S_DS);
}

Test(decode, segment_override_beats_the_bp_default)
{
	struct insn i = dec("\x26\x8b\x46\x00", 4, false, 4); /* mov ax, es:[bp+0] */
	cr_assert_eq(i.seg, S_ES);
	cr_assert(i.flags & I_SEGOVR);
	i = dec("\x65\x8a\x07", 3, false, 3); /* mov al, gs:[bx] */
	cr_assert_eq(i.seg, S_GS);
}

Test(decode, sib_with_scale_index_and_disp32)
{
	/* 8b 84 8b 78 56 34 12: mov eax, [ebx+ecx*4+0x12345678] (32-bit code) */
	struct insn i = dec("\x8b\x84\x8b\x78\x56\x34\x12", 7, true, 7);
	cr_assert_eq(i.base, R_EBX);
	cr_assert_eq(i.index, R_ECX);
	cr_assert_eq(i.scale, 2);
	cr_assert_eq(i.disp, 0x12345678);
	cr_assert_eq(i.amask, 0xFFFFFFFFu);
	cr_assert_eq(i.fn, op_MOV_GdEd_m);
}

Test(decode, sib_no_base_and_no_index)
{
	/* 8b 04 25 00 10 00 00: mov eax, [0x1000] via SIB base=5 mod=0, index=4 */
	struct insn i = dec("\x8b\x04\x25\x00\x10\x00\x00", 7, true, 7);
	cr_assert_eq(i.base, R_NONE);
	cr_assert_eq(i.index, R_NONE);
	cr_assert_eq(i.scale, 0);
	cr_assert_eq(i.disp, 0x1000);
	/* esp base defaults to SS */
	i = dec("\x8b\x04\x24", 3, true, 3);
	cr_assert_eq(i.base, R_ESP);
	cr_assert_eq(i.seg, S_SS);
}

Test(decode, size_prefixes_flip_operand_and_address_size)
{
	/* 66 67 8b 03 in 16-bit code: mov eax, [ebx] */
	struct insn i = dec("\x66\x67\x8b\x03", 4, false, 4);
	cr_assert(i.flags & I_O32);
	cr_assert(i.flags & I_A32);
	cr_assert_eq(i.base, R_EBX);
	cr_assert_eq(i.fn, op_MOV_GdEd_m);
	/* 66 b8 imm32 in 16-bit code */
	i = dec("\x66\xb8\x78\x56\x34\x12", 6, false, 6);
	cr_assert_eq(i.imm, 0x12345678);
	cr_assert_eq(i.reg, 0);
	cr_assert_eq(i.fn, op_MOV_RdId);
}

Test(decode, immediates_and_relative_branches)
{
	struct insn i = dec("\x83\xc3\xff", 3, false, 3); /* add bx, -1 */
	cr_assert_eq(i.imm, 0xFFFFFFFFu);
	cr_assert_eq(i.rm, R_EBX);
	cr_assert_eq(i.fn, op_ADD_EwIb_r);
	i = dec("\x74\xfe", 2, false, 2); /* jz $ */
	cr_assert_eq(i.imm, 0xFFFFFFFEu);
	cr_assert_eq(i.op, 0x74);
	i = dec("\x0f\x85\x00\x80", 4, false, 4); /* jnz rel16 -0x8000 */
	cr_assert_eq(i.imm, 0xFFFF8000u);
	i = dec("\xea\x00\x7c\x00\x00", 5, false, 5); /* jmp 0000:7c00 */
	cr_assert_eq(i.imm, 0x7C00);
	cr_assert_eq(i.imm2, 0);
	i = dec("\xc8\x10\x00\x02", 4, false, 4); /* enter 16, 2 */
	cr_assert_eq(i.imm, 16);
	cr_assert_eq(i.imm2, 2);
	i = dec("\xa1\x34\x12", 3, false, 3); /* mov ax, [moffs16] */
	cr_assert_eq(i.disp, 0x1234);
	cr_assert_eq(i.base, R_NONE);
}

Test(decode, groups_select_by_reg_field)
{
	struct insn i = dec("\xf7\xf1", 2, false, 2); /* div cx */
	cr_assert_eq(i.fn, op_DIV_Ew_r);
	i = dec("\xf6\x06\x00\x10\x55", 5, false, 5); /* test byte [0x1000], 0x55 */
	cr_assert_eq(i.fn, op_TEST_EbIb_m);
	cr_assert_eq(i.imm, 0x55);
	i = dec("\xf7\xd0", 2, false, 2); /* not ax: no immediate */
	cr_assert_eq(i.fn, op_NOT_Ew_r);
}

Test(decode, undefined_forms_decode_to_ud)
{
	cr_assert_eq(dec("\x0f\x0b", 2, false, 2).fn, op_UD);       /* UD2 */
	cr_assert_eq(dec("\x8d\xc0", 2, false, 2).fn, op_UD);       /* LEA with a register */
	cr_assert_eq(dec("\xfe\xd0", 2, false, 2).fn, op_UD);       /* FE /2 */
	cr_assert_eq(dec("\xf0\x01\xc0", 3, false, 3).fn, op_UD);   /* LOCK on a register */
	cr_assert_eq(dec("\xf0\x8b\x07", 3, false, 3).fn, op_UD);   /* LOCK MOV */
	cr_assert_neq(dec("\xf0\x01\x07", 3, false, 3).fn, op_UD);  /* LOCK ADD [bx], ax */
}

Test(decode, rep_prefixes_last_one_wins)
{
	struct insn i = dec("\xf2\xf3\xa4", 3, false, 3);
	cr_assert(i.flags & I_REP);
	cr_assert(!(i.flags & I_REPNE));
	i = dec("\xf3\xf2\xa6", 3, false, 3);
	cr_assert(i.flags & I_REPNE);
}

Test(decode, truncated_input_asks_for_more_and_fifteen_bytes_is_the_limit)
{
	struct insn i;
	cr_assert_eq(decode_insn((const uint8_t *)"\x8b\x84\x8b", 3, true, &i, NULL), DECODE_NEED_MORE);
	cr_assert_eq(decode_insn((const uint8_t *)"\x66", 1, false, &i, NULL), DECODE_NEED_MORE);
	uint8_t b[16];
	for (unsigned n = 0; n < 14; n++)
		b[n] = 0x66;
	b[14] = 0x90; /* 15 bytes: legal */
	cr_assert_eq(decode_insn(b, 15, false, &i, NULL), 15);
	b[14] = 0x66;
	b[15] = 0x90; /* 16 bytes */
	cr_assert_eq(decode_insn(b, 16, false, &i, NULL), DECODE_TOO_LONG);
}

Test(decode, every_byte_sequence_decodes_without_crashing)
{
	/* All one- and two-byte opcodes with every ModR/M byte, in both modes:
	 * the result is a length in range or a request for more bytes. */
	uint8_t b[16] = { 0 };
	struct insn i;
	for (unsigned op = 0; op < 512; op++) {
		for (unsigned modrm = 0; modrm < 256; modrm++) {
			unsigned n = 0;
			if (op >= 256)
				b[n++] = 0x0F;
			b[n++] = (uint8_t)op;
			b[n++] = (uint8_t)modrm;
			for (unsigned d32 = 0; d32 < 2; d32++) {
				int len = decode_insn(b, 15, d32, &i, NULL);
				cr_assert(len > 0 && len <= 15, "op %#x modrm %#x: %d", op, modrm, len);
				cr_assert_not_null(i.fn);
			}
		}
	}
}
