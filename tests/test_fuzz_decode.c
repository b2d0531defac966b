/*
 * The decoder on every short byte string: all 1-, 2- and 3-byte prefixes of
 * an instruction (padded with fixed and random tails) in both code sizes,
 * and every opcode behind 0-15 prefix bytes. The contract decode_insn
 * (cpu/decode.h) keeps with the run loop:
 * - with 15 or more bytes it never asks for more: the result is a length of
 *   1-15 or DECODE_TOO_LONG;
 * - every decoded instruction has a handler;
 * - given exactly its length it decodes the same instruction; given fewer
 *   bytes it asks for more (DECODE_NEED_MORE) unless 15 would not be enough.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "cpu/decode.h"

static bool same(const struct insn *a, const struct insn *b)
{
	return a->fn == b->fn && a->disp == b->disp && a->imm == b->imm && a->amask == b->amask &&
	       a->imm2 == b->imm2 && a->len == b->len && a->op == b->op && a->reg == b->reg &&
	       a->rm == b->rm && a->base == b->base && a->index == b->index && a->scale == b->scale &&
	       a->seg == b->seg && a->flags == b->flags && a->modrm == b->modrm;
}

/* Checks b (16 bytes readable) and reports the first broken rule. */
static const char *check(const uint8_t *b, bool d32, unsigned short_len)
{
	struct insn full, exact, cut;
	int len = decode_insn(b, 16, d32, &full, NULL);
	if (len == DECODE_NEED_MORE)
		return "asks for more than 16 bytes";
	if (len == DECODE_TOO_LONG) {
		/* Too long whatever follows: no shorter read may decode. */
		if (decode_insn(b, short_len, d32, &cut, NULL) > 0)
			return "too long, yet decodes from fewer bytes";
		return NULL;
	}
	if (len < 1 || len > INSN_MAX_LEN)
		return "length out of range";
	if (!full.fn)
		return "no handler";
	if (decode_insn(b, (unsigned)len, d32, &exact, NULL) != len || !same(&full, &exact))
		return "differs when given exactly its length";
	if (decode_insn(b, (unsigned)len - 1, d32, &cut, NULL) != DECODE_NEED_MORE)
		return "one byte short, does not ask for more";
	if (short_len < (unsigned)len && decode_insn(b, short_len, d32, &cut, NULL) != DECODE_NEED_MORE)
		return "cut short, does not ask for more";
	return NULL;
}

static uint32_t rnd(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* Every 3-byte string (so every 1- and 2-byte one as a prefix of it), in
 * both modes, with a tail of zeros, of 0xFF or of random bytes in turn. */
Test(fuzz_decode, every_three_byte_prefix_in_both_modes, .timeout = 120)
{
	uint32_t x = 2463534242u;
	uint8_t b[16];
	for (uint32_t v = 0; v < 1u << 24; v++) {
		b[0] = (uint8_t)v;
		b[1] = (uint8_t)(v >> 8);
		b[2] = (uint8_t)(v >> 16);
		unsigned kind = v % 3;
		for (unsigned n = 3; n < 16; n++)
			b[n] = kind == 0 ? 0 : kind == 1 ? 0xFF : (uint8_t)rnd(&x);
		for (unsigned d32 = 0; d32 < 2; d32++) {
			const char *why = check(b, d32, 1 + v % 3);
			cr_assert_null(why, "%02x %02x %02x (tail %u, %s): %s", b[0], b[1], b[2], kind,
				       d32 ? "32-bit" : "16-bit", why);
		}
	}
}

/* Every one- and two-byte opcode and ModR/M behind 0-15 prefix bytes: at
 * the 15-byte limit an instruction that needs one byte more is too long,
 * not short of bytes (a run loop given 15 bytes has nothing more to give). */
Test(fuzz_decode, every_opcode_behind_every_prefix_count)
{
	static const uint8_t pfx[] = { 0x66, 0x67, 0x26, 0xF3, 0xF2, 0x64, 0x2E, 0xF0 };
	uint8_t b[32];
	for (unsigned np = 0; np <= 15; np++) {
		for (unsigned op = 0; op < 512; op++) {
			for (unsigned modrm = 0; modrm < 256; modrm += 7) {
				unsigned n = 0;
				while (n < np) {
					b[n] = pfx[(n + op) % sizeof(pfx)];
					n++;
				}
				if (op >= 256)
					b[n++] = 0x0F;
				b[n++] = (uint8_t)op;
				memset(b + n, modrm, sizeof(b) - n);
				for (unsigned d32 = 0; d32 < 2; d32++) {
					const char *why = check(b, d32, np + 1);
					cr_assert_null(why, "%u prefixes, opcode %#x, modrm %#x, %s: %s", np,
						       op, modrm, d32 ? "32-bit" : "16-bit", why);
				}
			}
		}
	}
}
