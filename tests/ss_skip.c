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
	/* Prefix-only files (26, 2E... F0-F3; F1 is a do-nothing prefix on the
	 * 286 but INT1 on the 386), FPU escapes (what ESC does depends on
	 * whether and how a coprocessor answers, not on the CPU core) and 0F
	 * extensions (two_byte below) are not run. "undefined" and
	 * "undocumented" are run: Intel's "Undocumented iAPX 286 Test
	 * Instruction" describes them as a 386 does them (undefined group
	 * members raise #UD; D0/D1 /6 is SHL; D6 is a one-byte instruction),
	 * and the captures of C0-D3 /6 agree. */
	uint8_t st = ii->meta ? ii->meta->status : SS_ST_ABSENT;
	return st == SS_ST_PREFIX || st == SS_ST_FPU || st == SS_ST_EXTENSION || st == SS_ST_OTHER;
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

static bool no_fs_gs(const struct ss_insn_info *ii, const struct moo_test *t)
{
	(void)t;
	/* MOV Ew,Sw / MOV Sw,Ew with reg 4 or 5 name FS and GS on the 386
	 * [SDM vol. 2, MOV]; the 286 has four segment registers and raises #UD
	 * for reg 4-7 [286PRM, MOV]. */
	return (ii->opcode == 0x8C || ii->opcode == 0x8E) && (ii->reg == 4 || ii->reg == 5);
}

static bool string_overrun(const struct ss_insn_info *ii, const struct moo_test *t)
{
	/* A string instruction that overruns its segment (a word at offset
	 * FFFFh) raises exception 13 on the 286 after SI/DI (and CX) already
	 * moved: the handler must undo them to restart it (Intel, "Undocumented
	 * iAPX 286 Test Instruction", restart rules for string instructions).
	 * The 386 faults with the registers as before the iteration [SDM vol. 3
	 * 6.5, faults are restartable]. */
	unsigned op = ii->opcode;
	bool string = (op >= 0x6C && op <= 0x6F) || (op >= 0xA4 && op <= 0xA7) ||
		      (op >= 0xAA && op <= 0xAF);
	return string && t->has_excp && t->excp_vector == 13;
}

struct skip_rule {
	const char *reason;
	bool (*applies)(const struct ss_insn_info *ii, const struct moo_test *t);
};

static const struct skip_rule skip_rules[] = {
	{ "metadata status prefix, fpu or extension", not_normal },
	{ "0F opcode (286 system instruction)", two_byte },
	{ "over 10 bytes (#GP on the 286)", over_ten_bytes },
	{ "LOCK on an instruction the 386 rejects", lock_not_386 },
	{ "MOV to/from FS or GS (#UD on the 286)", no_fs_gs },
	{ "string instruction segment overrun (286 moves SI/DI first)", string_overrun },
};

/* In real mode the 286 reports every segment overrun, of SS as of the
 * others, as exception 13 ("Interrupt 13 for a word operand at offset
 * 0FFFFH" under PUSH, POP, LEAVE... in [286PRM]'s real address mode
 * exceptions); the 386 raises #SS for an SS-relative overrun [SDM vol. 2,
 * "Real-Address Mode Exceptions" of those instructions]. For a test whose
 * 286 result is exception 13, the runner points vector 12 at vector 13's
 * handler: the frame is the same (no error code in real mode), so the rest
 * of the state is still compared. */
bool ss_ss_overrun_is_gp(const struct moo_test *t) { return t->has_excp && t->excp_vector == 13; }

const char *ss_skip_reason(const struct ss_insn_info *ii, const struct moo_test *t)
{
	for (size_t n = 0; n < sizeof(skip_rules) / sizeof(skip_rules[0]); n++)
		if (skip_rules[n].applies(ii, t))
			return skip_rules[n].reason;
	return NULL;
}
