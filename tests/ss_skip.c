/*
 * The one list of 80286-versus-386 differences the SingleStepTests 80286
 * suite runs into. popek models a 386-and-later CPU; the tests were captured
 * on a Harris 80C286 in real mode. Every entry cites why the 286 result is
 * not what a 386 does, from the Intel manuals:
 *   [286PRM]  iAPX 286 / 80286 Programmer's Reference Manual
 *   [386PRM]  80386 Programmer's Reference Manual, ch. 14-15 (real mode,
 *             differences from the 80286)
 *   [SDM]     Intel 64 and IA-32 Architectures SDM
 * A rule here must never hide a popek bug: each applies only to the cases
 * the manuals describe as different.
 */
#include "tests/ss_run.h"

/* FLAGS bits 12-15 (IOPL, NT, reserved) are always 0 on the 286 in real
 * mode: POPF and IRET cannot set them there [286PRM, FLAGS register], which
 * is how software tells a 286 from a 386; a 386 keeps IOPL and NT
 * writable in real mode [SDM vol. 1 3.4.3].
 * INIT values still carry them (the capture rig's loader), so they are
 * cleared when loaded and never compared, in the register or in a FLAGS
 * word an exception pushed. */
#define FLAGS_286_REAL 0x0FFFu

uint16_t ss_init_flags(uint16_t flags) { return (uint16_t)((flags & FLAGS_286_REAL) | 0x2); }

uint16_t ss_flags_mask(const struct ss_insn_info *ii)
{
	uint16_t m = ii->meta ? ii->meta->flags_mask : 0xFFFF;
	return (uint16_t)(m & FLAGS_286_REAL);
}

static bool not_normal(const struct ss_insn_info *ii, const struct moo_test *t)
{
	(void)t;
	/* Prefix-only, FPU escape, undefined, undocumented and 0F-extension
	 * opcodes: their 286 behaviour is not the 386's (e.g. D6 SALC, C0 /6,
	 * 8F /1-7, C6/C7 /1-7 do not #UD on the 286; 64-67 are no prefixes there;
	 * ESC without a coprocessor follows MP/EM of the MSW [286PRM]). */
	uint8_t st = ii->meta ? ii->meta->status : SS_ST_ABSENT;
	return st != SS_ST_NORMAL && st != SS_ST_ALIAS && st != SS_ST_ABSENT;
}

static bool two_byte(const struct ss_insn_info *ii, const struct moo_test *t)
{
	(void)t;
	/* 0F xx: the 286 system instructions (LMSW, SMSW, LGDT, LAR...) differ
	 * in real mode (LAR/LSL/VERR/VERW fault differently, LOADALL 0F 05, SGDT
	 * stores FFh in byte 5 [SDM vol. 3 SGDT, "IA-32 architecture
	 * compatibility"]) and the 386 0F map is unknown to the 286. */
	return ii->opcode == 0x0F;
}

static bool over_ten_bytes(const struct ss_insn_info *ii, const struct moo_test *t)
{
	(void)t;
	/* The 286 limits an instruction, prefixes included, to 10 bytes and
	 * raises exception 13 beyond [286PRM, exception 13 causes]; the 386
	 * and later allow 15 [SDM vol. 3 6.15, interrupt 13]. The suite's
	 * 11-byte tests (five prefixes on 81 /n) show the 286's #GP. */
	return ii->len > 10 || ii->len == -1;
}

static bool lock_not_386(const struct ss_insn_info *ii, const struct moo_test *t)
{
	(void)t;
	/* The 286 accepts LOCK on any instruction [286PRM, LOCK]; the 386
	 * raises #UD unless the instruction is one of the listed
	 * read-modify-write forms with a memory destination [SDM vol. 2,
	 * LOCK]. The suite has "lock pop ax", "lock push es"... that complete
	 * normally on the 286. */
	return ii->lock && !ii->lockable_386;
}

struct skip_rule {
	const char *reason;
	bool (*applies)(const struct ss_insn_info *ii, const struct moo_test *t);
};

static const struct skip_rule skip_rules[] = {
	{ "metadata status is not normal/alias", not_normal },
	{ "0F opcode (286 system instruction)", two_byte },
	{ "over 10 bytes (#GP on the 286)", over_ten_bytes },
	{ "LOCK on an instruction the 386 rejects", lock_not_386 },
};

const char *ss_skip_reason(const struct ss_insn_info *ii, const struct moo_test *t)
{
	for (size_t n = 0; n < sizeof(skip_rules) / sizeof(skip_rules[0]); n++)
		if (skip_rules[n].applies(ii, t))
			return skip_rules[n].reason;
	return NULL;
}
