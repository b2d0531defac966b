/* Stack instructions: PUSH/POP forms, segment registers and the POP SS
 * interrupt shadow, PUSHA/POPA, PUSHF/POPF in real, protected and
 * virtual-8086 mode, ENTER/LEAVE. Expected values follow the SDM. The
 * real-mode runs that set up, run and check are rows of one table, each
 * keeping the name it had as a test of its own ("(i of n)" where one test
 * built several machines). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "tests/ctrl_direct.h"
#include "tests/tm.h"

/* The vector every acknowledged interrupt gets. */
static const uint8_t intr_vector = 0x40;

/* What a row checks: a register (.d or .w), a segment register's selector
 * or base, a stack word or dword, or the whole EFLAGS image. */
enum kind { K_NONE, K_REG, K_REG16, K_SEL, K_BASE, K_M16, K_M32, K_EFLAGS };

/* One real-mode run, then checks. Strings are held in arrays, not pointed
 * to: Criterion copies each row into the test's own process, where a
 * pointer into this one means nothing. */
struct stack_case {
	char name[64];
	char code[48];
	uint32_t r[8];   /* registers before, by R_*; r[R_ESP] 0 keeps tm_new's 0x8000 */
	uint32_t eflags; /* EFLAGS before, if not 0 */
	struct {
		paddr_t at;
		char hex[48];
	} poke[2];
	unsigned steps; /* run this many instructions; 0: to the HLT */
	struct {
		enum kind kind;
		unsigned idx; /* R_* or S_*; for K_M16, K_M32 the address */
		uint32_t want;
	} out[10];
};

#define REG(r, v) { K_REG, R_##r, v }
#define REG16(r, v) { K_REG16, R_##r, v }
#define M16(a, v) { K_M16, a, v }
#define M32(a, v) { K_M32, a, v }

static const struct stack_case runs[] = {
	/* ---- PUSH / POP ---- */
	{ "push_sp_pushes_the_value_before_the_push", "54 f4",
	  .out = { M16(0x7FFE, 0x8000), REG(ESP, 0x7FFE) } },
	{ "push_pop_register_round_trip_16_and_32", "53 5a 66 56 66 5f f4",
	  .r = { [R_EBX] = 0xAAAA1234, [R_EDX] = 0x55550000, [R_ESI] = 0xDEADBEEF },
	  .out = { REG(EDX, 0x55551234), /* 16-bit POP keeps the upper half */
		   REG(EDI, 0xDEADBEEF), REG(ESP, 0x8000) } },
	{ "pop_sp_loads_the_popped_value", "5c f4", .r = { [R_ESP] = 0x7FFE },
	  .poke = { { 0x7FFE, "34 12" } }, .out = { REG(ESP, 0x1234) } },
	{ "push_immediates_sign_extend_imm8", "68 34 12 6a fe 66 6a 80 66 68 78 56 34 12 f4",
	  .out = { M16(0x7FFE, 0x1234), M16(0x7FFC, 0xFFFE), M32(0x7FF8, 0xFFFFFF80),
		   M32(0x7FF4, 0x12345678), REG(ESP, 0x7FF4) } },
	/* push word [0x2000]; pop word [0x2002] */
	{ "push_and_pop_memory_operands", "ff 36 00 20 8f 06 02 20 f4",
	  .poke = { { 0x2000, "cd ab" } }, .out = { M16(0x2002, 0xABCD), REG(ESP, 0x8000) } },
	/* pop word [esp] (67 prefix for 32-bit addressing, SIB base ESP) */
	{ "pop_to_esp_based_memory_uses_the_incremented_esp", "67 8f 04 24 f4",
	  .r = { [R_ESP] = 0x7FFC }, .poke = { { 0x7FFC, "11 22 33 44" } },
	  .out = { M16(0x7FFE, 0x2211), REG(ESP, 0x7FFE) } },
	/* push cs; pop ds; push ds (32-bit); pop fs (32-bit) */
	{ "push_and_pop_segment_registers", "0e 1f 66 1e 66 0f a1 f4",
	  .poke = { { 0x7FF8, "ff ff ff ff" } },
	  .out = { { K_SEL, S_DS, 0x1000 },
		   { K_BASE, S_DS, 0x10000 },
		   { K_SEL, S_FS, 0x1000 },
		   { K_BASE, S_FS, 0x10000 },
		   M16(0x7FFC, 0x1000), /* 32-bit push of DS: selector in the low word */
		   REG(ESP, 0x8000) } },

	/* ---- PUSHA / POPA ---- */
	/* every register but ESP holds 0x1110 * (its number + 1) */
	{ "pusha_layout_and_popa_skips_sp (1 of 2)", "60 f4",
	  .r = { [R_EAX] = 0x1110, [R_ECX] = 0x2220, [R_EDX] = 0x3330, [R_EBX] = 0x4440,
		 [R_EBP] = 0x6660, [R_ESI] = 0x7770, [R_EDI] = 0x8880 },
	  .out = { M16(0x7FFE, 0x1110), M16(0x7FFC, 0x2220), M16(0x7FFA, 0x3330),
		   M16(0x7FF8, 0x4440), M16(0x7FF6, 0x8000), M16(0x7FF4, 0x6660),
		   M16(0x7FF2, 0x7770), M16(0x7FF0, 0x8880), REG(ESP, 0x7FF0) } },
	{ "pusha_layout_and_popa_skips_sp (2 of 2)", "61 f4", .r = { [R_ESP] = 0x7FF0 },
	  .poke = { { 0x7FF0, "07 00 06 00 05 00 99 99 04 00 03 00 02 00 01 00" } },
	  .out = { REG16(EDI, 7), REG16(ESI, 6), REG16(EBP, 5), REG16(EBX, 4), REG16(EDX, 3),
		   REG16(ECX, 2), REG16(EAX, 1), REG(ESP, 0x8000) } }, /* SP slot skipped */
	{ "pushad_popad_round_trip", "66 60 66 61 f4",
	  .r = { [R_EAX] = 0x01020304, [R_EDI] = 0xA0B0C0D0 },
	  .out = { M32(0x7FFC, 0x01020304), M32(0x7FEC, 0x8000), /* ESP slot */
		   M32(0x7FE0, 0xA0B0C0D0), REG(EAX, 0x01020304), REG(EDI, 0xA0B0C0D0),
		   REG(ESP, 0x8000) } },

	/* ---- PUSHF / POPF in real mode ---- */
	{ "pushf_images", "9c 66 9c f4", .eflags = 0x2 | F_CF | F_IF | F_RF | F_AC,
	  .out = { M16(0x7FFE, 0x0203), M32(0x7FFA, 0x40203) } }, /* RF is not stored */
	/* bits 3, 5, 15 stay 0; the upper half stays */
	{ "popf16_real_mode_writes_the_non_reserved_low_bits", "9d f4", .eflags = 0x2 | F_AC,
	  .r = { [R_ESP] = 0x7FFE }, .poke = { { 0x7FFE, "ff ff" } }, .steps = 1,
	  .out = { { K_EFLAGS, 0, 0x7FD7 | F_AC } } },
	{ "popf32_real_mode_keeps_vm_vif_vip_and_clears_rf", "66 9d f4",
	  .eflags = 0x2 | F_VIF | F_RF, .r = { [R_ESP] = 0x7FFC },
	  .poke = { { 0x7FFC, "ff ff ff ff" } }, .steps = 1,
	  .out = { { K_EFLAGS, 0, 0x247FD7 | F_VIF }, REG(ESP, 0x8000) } },

	/* ---- ENTER ---- */
	{ "enter_level_1_pushes_the_frame_pointer", "c8 04 00 01 f4", .r = { [R_EBP] = 0x9000 },
	  .out = { M16(0x7FFE, 0x9000), M16(0x7FFC, 0x7FFE), REG(EBP, 0x7FFE),
		   REG(ESP, 0x7FFC - 4) } },
	{ "enter_level_3_copies_outer_frame_pointers", "c8 04 00 03 f4",
	  .r = { [R_EBP] = 0x9000 }, .poke = { { 0x8FFE, "11 11" }, { 0x8FFC, "22 22" } },
	  .out = { M16(0x7FFE, 0x9000), M16(0x7FFC, 0x1111), M16(0x7FFA, 0x2222),
		   M16(0x7FF8, 0x7FFE), REG(EBP, 0x7FFE), REG(ESP, 0x7FF4) } },
	/* level 33 acts as level 1 */
	{ "enter_level_is_taken_modulo_32", "c8 00 00 21 f4", .r = { [R_EBP] = 0x9000 },
	  .out = { M16(0x7FFC, 0x7FFE), REG(ESP, 0x7FFC) } },
};

static const char *const reg_name[8] = { "EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI" };
static const char *const seg_name[6] = { "ES", "CS", "SS", "DS", "FS", "GS" };

ParameterizedTestParameters(stack, runs)
{
	return cr_make_param_array(struct stack_case, runs, sizeof(runs) / sizeof(runs[0]));
}

ParameterizedTest(const struct stack_case *k, stack, runs)
{
	struct machine *m = tm_new(k->code);
	struct cpu *c = tm_cpu(m);
	for (unsigned r = 0; r < 8; r++)
		if (r != R_ESP || k->r[r])
			c->r[r].d = k->r[r];
	if (k->eflags)
		c->eflags = k->eflags;
	for (unsigned i = 0; i < 2; i++)
		tm_poke(m, k->poke[i].at, k->poke[i].hex);
	if (k->steps)
		machine_run(m, k->steps);
	else
		tm_run(m);
	for (unsigned i = 0; i < 10 && k->out[i].kind != K_NONE; i++) {
		unsigned idx = k->out[i].idx;
		uint32_t got, want = k->out[i].want;
		switch (k->out[i].kind) {
		case K_REG:
			got = c->r[idx].d;
			cr_assert_eq(got, want, "%s: %s %x, want %x", k->name, reg_name[idx], got,
				     want);
			break;
		case K_REG16:
			got = c->r[idx].w;
			cr_assert_eq(got, want, "%s: %s.w %x, want %x", k->name, reg_name[idx], got,
				     want);
			break;
		case K_SEL:
		case K_BASE:
			got = k->out[i].kind == K_SEL ? c->seg[idx].sel : c->seg[idx].base;
			cr_assert_eq(got, want, "%s: %s %s %x, want %x", k->name, seg_name[idx],
				     k->out[i].kind == K_SEL ? "selector" : "base", got, want);
			break;
		case K_M16:
		case K_M32:
			got = k->out[i].kind == K_M16 ? tm_peek16(m, idx) : tm_peek32(m, idx);
			cr_assert_eq(got, want, "%s: [%x] %x, want %x", k->name, idx, got, want);
			break;
		default:
			got = cpu_get_eflags(c);
			cr_assert_eq(got, want, "%s: EFLAGS %x, want %x", k->name, got, want);
			break;
		}
	}
	tm_free(m);
}

Test(stack, pop_ss_holds_off_interrupts_for_one_instruction)
{
	struct machine *m = tm_new("17 90 f4");
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(tm_intr_after(m, &intr_vector, 1, 3), MACHINE_INSN_LIMIT); /* POP SS only */
	cr_assert_eq(c->seg[S_CS].sel, 0);
	cr_assert_eq(c->eip, TM_HANDLERS + 0x40 + 1, "in the handler, past its HLT");
	cr_assert_eq(tm_peek16(m, 0x8002 - 6), 2, "taken after the NOP, not after POP SS");
	tm_free(m);
}

/* LSS loads SS without the shadow: only MOV SS and POP SS have it (SDM
 * vol. 2, MOV and POP: the shadow exists so that SS and ESP can be loaded
 * by two instructions; LSS loads both at once). */
Test(stack, lss_does_not_hold_off_interrupts)
{
	/* 0f b2 26 00 10: lss sp, [0x1000] (SP = 0x7000, SS = 0) */
	struct machine *m = tm_new("0f b2 26 00 10 90 f4");
	struct cpu *c = tm_cpu(m);
	tm_poke(m, 0x1000, "00 70 00 00");
	cr_assert_eq(tm_intr_after(m, &intr_vector, 1, 3), MACHINE_INSN_LIMIT); /* LSS only */
	cr_assert_eq(c->eip, TM_HANDLERS + 0x40 + 1, "in the handler, past its HLT");
	cr_assert_eq(tm_peek16(m, 0x7000 - 6), 5, "taken right after LSS, before the NOP");
	tm_free(m);
}

Test(stack, mov_ss_holds_off_interrupts_for_one_instruction)
{
	/* 8e d0: mov ss, ax (AX = 0) */
	struct machine *m = tm_new("8e d0 90 f4");
	cr_assert_eq(tm_intr_after(m, &intr_vector, 1, 3), MACHINE_INSN_LIMIT);
	cr_assert_eq(tm_peek16(m, 0x8000 - 6), 3, "taken after the NOP, not after MOV SS");
	tm_free(m);
}

Test(stack, interrupt_after_an_ordinary_instruction_is_taken_at_once)
{
	struct machine *m = tm_new("90 90 f4");
	tm_intr_after(m, &intr_vector, 1, 2);
	cr_assert_eq(tm_peek16(m, 0x8000 - 6), 1);
	tm_free(m);
}

static int popf_prot(unsigned cpl, unsigned iopl, uint16_t image, uint32_t *flags)
{
	static const uint8_t popf[] = { 0x9D };
	struct machine *m = tm_new("");
	struct cpu *c = tm_cpu(m);
	c->eflags = 0x2 | ((uint32_t)iopl << 12);
	c->r[R_ESP].d = 0x7FFE;
	memmap_write(machine_mem(m), 0x7FFE, &image, 2);
	direct_enter_prot(c, cpl);
	int v = direct_exec(c, popf, 1);
	*flags = cpu_get_eflags(c);
	tm_free(m);
	return v;
}

Test(stack, popf_protected_mode_if_and_iopl_rules)
{
	uint32_t f;
	cr_assert_eq(popf_prot(0, 0, 0x3201, &f), DIRECT_NO_FAULT);
	cr_assert_eq(f, 0x3203, "CPL 0 writes IF and IOPL");
	cr_assert_eq(popf_prot(3, 0, 0x3201, &f), DIRECT_NO_FAULT);
	cr_assert_eq(f, 0x0003, "CPL > IOPL: IF and IOPL silently kept");
	cr_assert_eq(popf_prot(3, 3, 0x0201, &f), DIRECT_NO_FAULT);
	cr_assert_eq(f, 0x3203, "CPL <= IOPL: IF written, IOPL kept");
	cr_assert_eq(popf_prot(1, 2, 0x0201, &f), DIRECT_NO_FAULT);
	cr_assert_eq(f, 0x2203);
}

static int run_v86(unsigned iopl, uint32_t cr4, uint32_t extra, const uint8_t *code, unsigned len,
		   uint32_t *flags, uint32_t *top)
{
	struct machine *m = tm_new("");
	struct cpu *c = tm_cpu(m);
	c->eflags = 0x2 | extra;
	c->cr4 = cr4;
	c->r[R_ESP].d = 0x7FFC;
	memmap_write(machine_mem(m), 0x7FFC, "\x01\x03\x00\x00", 4); /* image 0x0301: CF, TF, IF */
	direct_enter_v86(c, iopl);
	int v = direct_exec(c, code, len);
	*flags = c->eflags;
	memmap_read(machine_mem(m), c->r[R_ESP].d & 0xFFFF, top, 4);
	tm_free(m);
	return v;
}

Test(stack, pushf_popf_in_v86_mode_trap_when_iopl_below_3)
{
	static const uint8_t pushf[] = { 0x9C }, pushfd[] = { 0x66, 0x9C };
	static const uint8_t popf[] = { 0x9D }, popfd[] = { 0x66, 0x9D };
	uint32_t f, top;
	cr_assert_eq(run_v86(0, 0, 0, pushf, 1, &f, &top), EXC_GP);
	cr_assert_eq(run_v86(2, 0, 0, popf, 1, &f, &top), EXC_GP);
	cr_assert_eq(run_v86(0, CR4_VME, 0, pushfd, 2, &f, &top), EXC_GP, "VME covers 16-bit only");
	cr_assert_eq(run_v86(0, CR4_VME, 0, popfd, 2, &f, &top), EXC_GP);
	cr_assert_eq(run_v86(3, 0, 0, pushf, 1, &f, &top), DIRECT_NO_FAULT);
	cr_assert_eq(top & 0xFFFF, 0x3002, "IOPL 3: plain image");
	cr_assert_eq(run_v86(3, 0, 0, popfd, 2, &f, &top), DIRECT_NO_FAULT);
}

Test(stack, v86_iopl3_popf_writes_if_but_not_iopl_or_vm)
{
	static const uint8_t popf[] = { 0x9D };
	uint32_t f, top;
	cr_assert_eq(run_v86(3, 0, 0, popf, 1, &f, &top), DIRECT_NO_FAULT);
	/* image 0x0301: CF, TF, IF; IOPL 0 in the image is ignored */
	cr_assert_eq(f, 0x2 | F_CF | F_TF | F_IF | F_IOPL | F_VM);
}

Test(stack, v86_vme_pushf_shows_vif_as_if_and_popf_sets_vif)
{
	static const uint8_t pushf[] = { 0x9C }, popf[] = { 0x9D };
	uint32_t f, top;
	cr_assert_eq(run_v86(0, CR4_VME, F_VIF, pushf, 1, &f, &top), DIRECT_NO_FAULT);
	cr_assert_eq(top & 0xFFFF, 0x3202, "IF from VIF, IOPL reads 3");
	/* image 0x0301 has TF set: #GP */
	cr_assert_eq(run_v86(0, CR4_VME, 0, popf, 1, &f, &top), EXC_GP);
}

Test(stack, v86_vme_popf_moves_if_into_vif)
{
	static const uint8_t popf[] = { 0x9D };
	struct machine *m = tm_new("");
	struct cpu *c = tm_cpu(m);
	c->eflags = 0x2;
	c->cr4 = CR4_VME;
	c->r[R_ESP].d = 0x7FFE;
	tm_poke(m, 0x7FFE, "01 02"); /* CF | IF */
	direct_enter_v86(c, 0);
	cr_assert_eq(direct_exec(c, popf, 1), DIRECT_NO_FAULT);
	cr_assert_eq(c->eflags, 0x2 | F_CF | F_VIF | F_VM, "IF itself unchanged");
	c->eflags |= F_VIP;
	c->r[R_ESP].d = 0x7FFE;
	cr_assert_eq(direct_exec(c, popf, 1), EXC_GP, "IF=1 with VIP pending traps");
	tm_free(m);
}

Test(stack, enter_level_0_and_leave)
{
	struct machine *m = tm_new("c8 08 00 00 f4 c9 f4");
	struct cpu *c = tm_cpu(m);
	c->r[R_EBP].d = 0x9000;
	machine_run(m, 1);
	cr_assert_eq(tm_peek16(m, 0x7FFE), 0x9000);
	cr_assert_eq(c->r[R_EBP].d, 0x7FFE);
	cr_assert_eq(c->r[R_ESP].d, 0x7FFE - 8);
	c->eip = 5;
	tm_run(m);
	cr_assert_eq(c->r[R_EBP].d, 0x9000);
	cr_assert_eq(c->r[R_ESP].d, 0x8000);
	tm_free(m);
}

Test(stack, enter32_level_2_and_leave32)
{
	struct machine *m = tm_new("66 c8 10 00 02 66 c9 f4");
	struct cpu *c = tm_cpu(m);
	c->r[R_EBP].d = 0x9000;
	tm_poke(m, 0x8FFC, "44 33 22 11");
	machine_run(m, 1);
	cr_assert_eq(tm_peek32(m, 0x7FFC), 0x9000);
	cr_assert_eq(tm_peek32(m, 0x7FF8), 0x11223344);
	cr_assert_eq(tm_peek32(m, 0x7FF4), 0x7FFC);
	cr_assert_eq(c->r[R_EBP].d, 0x7FFC);
	cr_assert_eq(c->r[R_ESP].d, 0x7FF4 - 0x10);
	tm_run(m);
	cr_assert_eq(c->r[R_EBP].d, 0x9000);
	cr_assert_eq(c->r[R_ESP].d, 0x8000);
	tm_free(m);
}
