/*
 * The instruction decoder: pure, bytes and mode in, struct insn out. Drives
 * everything from the opcode table (opcodes.def). No memory access, no CPU
 * state: it can be fuzzed and tested in isolation.
 */
#ifndef POPEK_DECODE_H
#define POPEK_DECODE_H

#include "cpu/cpu.h"

/* Decoder flags in the opcode table (D_*). */
#define D_IB 0x0001    /* imm8, zero-extended */
#define D_IBS 0x0002   /* imm8, sign-extended */
#define D_IW 0x0004    /* imm16 */
#define D_IV 0x0008    /* imm16 or imm32 by operand size */
#define D_JB 0x0010    /* rel8 */
#define D_JV 0x0020    /* rel16 or rel32 by operand size */
#define D_AP 0x0040    /* far pointer: offset16/32 then selector */
#define D_MOFFS 0x0080 /* moffs: address-size offset, no ModR/M */
#define D_ENTER 0x0100 /* imm16 then imm8 */
#define D_LOCK 0x0200  /* LOCK allowed (memory destination) */
#define D_END 0x0400   /* ends a decoded block: control transfer or mode change */
#define D_REGLO 0x0800 /* register number in the opcode's low three bits */
#define D_STR 0x1000   /* string instruction (REP-prefixed ones end a block) */

enum op_kind { K_UD, K_OP, K_OPM, K_OPMM, K_OPMR, K_GRP, K_PFX };

struct opdesc {
	const char *mnem;
	const char *operands;
	insn_fn r16, m16, r32, m32;
	uint16_t flags;
	uint8_t kind;
	uint8_t group;
};

#define DECODE_NEED_MORE 0 /* the instruction runs past the bytes given */
#define DECODE_TOO_LONG (-1) /* over 15 bytes: #GP(0) */
#define INSN_MAX_LEN 15

/* Decode one instruction. d32 is the code segment's D bit. Returns its
 * length, DECODE_NEED_MORE or DECODE_TOO_LONG. *desc (if not NULL) gets the
 * table row, for the disassembler and the block builder. */
int decode_insn(const uint8_t *bytes, unsigned avail, bool d32, struct insn *out,
		const struct opdesc **desc);

/* Handler of undefined opcodes and invalid forms: raises #UD. */
void op_UD(struct cpu *c, const struct insn *i);

#endif
