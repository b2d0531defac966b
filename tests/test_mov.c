/* Data movement (ops_mov.c): MOV in every form including moffs with
 * segment overrides, XCHG, LEA, CBW/CWDE/CWD/CDQ and the hint NOP. Expected
 * values come from the Intel SDM vol. 2 instruction pages. None of these
 * instructions changes a flag; several tests check that too. */
#include <criterion/criterion.h>

#include "cpu/interrupt.h"
#include "tests/tm.h"

#define ARITH(c) (cpu_get_eflags(c) & F_ARITH)
#define MEM 0x2000u /* DS = 0, so DS:MEM is physical MEM */

static struct machine *m;
static struct cpu *c;

static void load(const char *hex)
{
	m = tm_new(hex);
	c = tm_cpu(m);
	c->eflags = 0x2 | F_CF | F_ZF | F_OF;
	c->lf.kind = LF_NONE;
	c->r[R_EBX].d = MEM;
}

static void run_ok(unsigned len)
{
	cr_assert_eq(tm_run(m), MACHINE_HALTED);
	cr_assert_eq(c->seg[S_CS].sel, 0x1000, "an exception was raised (EIP %x)", c->eip);
	cr_assert_eq(c->eip, len);
	cr_assert_eq(ARITH(c), F_CF | F_ZF | F_OF, "flags changed");
}

static void run_exc(unsigned vector)
{
	cr_assert_eq(tm_run(m), MACHINE_HALTED);
	cr_assert_eq(c->seg[S_CS].sel, 0);
	cr_assert_eq(c->eip, TM_HANDLERS + vector + 1, "vector %u expected, EIP %x", vector,
		     c->eip);
}

static void done(void) { tm_free(m); }

TestSuite(mov, .fini = done);

/* ---- MOV 88-8B ---- */

Test(mov, mov_eb_gb_register_high_byte)
{
	load("88 c4 f4"); /* mov ah, al */
	c->r[R_EAX].d = 0x123456AB;
	run_ok(3);
	cr_assert_eq(c->r[R_EAX].d, 0x1234ABAB);
}

Test(mov, mov_eb_gb_memory)
{
	load("88 3f f4"); /* mov [bx], bh */
	run_ok(3);
	cr_assert_eq(tm_peek8(m, MEM), MEM >> 8);
}

Test(mov, mov_ew_gw_memory_and_register)
{
	load("89 1f 89 d9 f4"); /* mov [bx], bx; mov cx, bx */
	c->r[R_ECX].d = 0xFFFFFFFF;
	run_ok(5);
	cr_assert_eq(tm_peek16(m, MEM), MEM);
	cr_assert_eq(c->r[R_ECX].d, 0xFFFF0000 | MEM);
}

Test(mov, mov_ed_gd_memory_32bit)
{
	load("66 89 47 02 f4"); /* mov [bx+2], eax */
	c->r[R_EAX].d = 0xCAFEBABE;
	run_ok(5);
	cr_assert_eq(tm_peek32(m, MEM + 2), 0xCAFEBABE);
}

Test(mov, mov_gb_eb_memory)
{
	load("8a 27 f4"); /* mov ah, [bx] */
	tm_poke(m, MEM, "5a");
	c->r[R_EAX].d = 0xFFFFFFFF;
	run_ok(3);
	cr_assert_eq(c->r[R_EAX].d, 0xFFFF5AFF);
}

Test(mov, mov_gw_ew_register_keeps_upper_half)
{
	load("8b c3 f4"); /* mov ax, bx */
	c->r[R_EAX].d = 0x12345678;
	c->r[R_EBX].d = 0xAAAA9999;
	run_ok(3);
	cr_assert_eq(c->r[R_EAX].d, 0x12349999);
}

Test(mov, mov_gd_ed_memory_32bit_and_32bit_addressing)
{
	load("66 8b 07 67 66 8b 14 4b f4"); /* mov eax, [bx]; mov edx, [ebx+ecx*2] */
	tm_poke(m, MEM, "78 56 34 12");
	tm_poke(m, MEM + 0x10, "ef be ad de");
	c->r[R_ECX].d = 0x8;
	run_ok(9);
	cr_assert_eq(c->r[R_EAX].d, 0x12345678);
	cr_assert_eq(c->r[R_EDX].d, 0xDEADBEEF);
}

/* ---- MOV immediates ---- */

Test(mov, mov_rb_ib_all_byte_registers)
{
	load("b0 01 b1 02 b2 03 b3 04 b4 05 b5 06 b6 07 b7 08 f4");
	c->r[R_EAX].d = c->r[R_ECX].d = c->r[R_EDX].d = c->r[R_EBX].d = 0xFFFF0000;
	run_ok(17);
	cr_assert_eq(c->r[R_EAX].d, 0xFFFF0501);
	cr_assert_eq(c->r[R_ECX].d, 0xFFFF0602);
	cr_assert_eq(c->r[R_EDX].d, 0xFFFF0703);
	cr_assert_eq(c->r[R_EBX].d, 0xFFFF0804);
}

Test(mov, mov_rw_iw_and_rd_id)
{
	load("bf 34 12 66 bd 78 56 34 12 f4"); /* mov di, 0x1234; mov ebp, 0x12345678 */
	c->r[R_EDI].d = 0xFFFFFFFF;
	run_ok(10);
	cr_assert_eq(c->r[R_EDI].d, 0xFFFF1234);
	cr_assert_eq(c->r[R_EBP].d, 0x12345678);
}

Test(mov, mov_eb_ib_and_ev_iv)
{
	/* mov byte [bx], 0xaa; mov ax, 0x1234 (C7 register form);
	 * mov dword [bx+2], 0x12345678; mov word [bx+6], 0xbeef */
	load("c6 07 aa c7 c0 34 12 66 c7 47 02 78 56 34 12 c7 47 06 ef be f4");
	c->r[R_EAX].d = 0xFFFFFFFF;
	run_ok(21);
	cr_assert_eq(tm_peek8(m, MEM), 0xAA);
	cr_assert_eq(c->r[R_EAX].d, 0xFFFF1234);
	cr_assert_eq(tm_peek32(m, MEM + 2), 0x12345678);
	cr_assert_eq(tm_peek16(m, MEM + 6), 0xBEEF);
}

Test(mov, mov_eb_ib_register_form)
{
	load("c6 c7 99 66 c7 c6 01 00 00 80 f4"); /* mov bh, 0x99; mov esi, 0x80000001 */
	run_ok(11);
	cr_assert_eq(c->r[R_EBX].d, 0x9900 | (MEM & 0xFF));
	cr_assert_eq(c->r[R_ESI].d, 0x80000001);
}

Test(mov, c6_with_reg_field_not_zero_is_ud)
{
	load("c6 c8 01 f4"); /* C6 /1 */
	run_exc(EXC_UD);
}

/* ---- moffs ---- */

Test(mov, moffs_loads_and_stores_in_ds)
{
	/* mov al, [2000]; mov ax, [2001]; mov [3000], eax; mov [3008], al */
	load("a0 00 20 a1 01 20 66 a3 00 30 a2 08 30 f4");
	tm_poke(m, MEM, "11 22 33");
	c->r[R_EAX].d = 0xAABBCCDD;
	run_ok(14);
	cr_assert_eq(c->r[R_EAX].d, 0xAABB3322);
	cr_assert_eq(tm_peek32(m, 0x3000), 0xAABB3322);
	cr_assert_eq(tm_peek8(m, 0x3008), 0x22);
}

Test(mov, moffs_honours_segment_override)
{
	load("26 a1 10 00 64 66 a3 00 06 f4"); /* mov ax, es:[10]; mov fs:[600], eax */
	seg_load_real(c, S_ES, 0x100);
	seg_load_real(c, S_FS, 0x200);
	tm_poke(m, 0x1010, "cd ab");
	c->r[R_EAX].d = 0x12340000;
	run_ok(10);
	cr_assert_eq(c->r[R_EAX].d, 0x1234ABCD);
	cr_assert_eq(tm_peek32(m, 0x2600), 0x1234ABCD);
	cr_assert_eq(tm_peek32(m, 0x0600), 0);
}

Test(mov, moffs_with_32bit_address)
{
	load("67 66 a1 04 30 00 00 f4"); /* mov eax, [0x3004] with a 32-bit moffs */
	tm_poke(m, 0x3004, "01 02 03 04");
	run_ok(8);
	cr_assert_eq(c->r[R_EAX].d, 0x04030201);
}

Test(mov, moffs_word_at_ffff_raises_gp)
{
	load("a3 ff ff f4"); /* mov [ffff], ax */
	c->r[R_EAX].d = 0x5555;
	run_exc(EXC_GP);
	cr_assert_eq(tm_peek8(m, 0xFFFF), 0);
	cr_assert_eq(tm_peek16(m, 0x8000 - 6), 0);
}

Test(mov, mov_word_at_ffff_raises_gp_without_changes)
{
	load("8b 07 f4"); /* mov ax, [bx] */
	c->r[R_EBX].d = 0xFFFF;
	c->r[R_EAX].d = 0x1111;
	run_exc(EXC_GP);
	cr_assert_eq(c->r[R_EAX].d, 0x1111);
	cr_assert_eq(ARITH(c), F_CF | F_ZF | F_OF);
	tm_free(m);
	load("66 c7 07 01 02 03 04 f4"); /* mov dword [bx], imm at FFFE */
	c->r[R_EBX].d = 0xFFFE;
	run_exc(EXC_GP);
	cr_assert_eq(tm_peek16(m, 0xFFFE), 0);
}

/* ---- XCHG ---- */

Test(mov, xchg_eb_gb_register)
{
	load("86 c4 f4"); /* xchg ah, al */
	c->r[R_EAX].d = 0x12345678;
	run_ok(3);
	cr_assert_eq(c->r[R_EAX].d, 0x12347856);
}

Test(mov, xchg_ew_gw_memory)
{
	load("87 07 f4"); /* xchg [bx], ax */
	tm_poke(m, MEM, "34 12");
	c->r[R_EAX].d = 0xFFFFABCD;
	run_ok(3);
	cr_assert_eq(c->r[R_EAX].d, 0xFFFF1234);
	cr_assert_eq(tm_peek16(m, MEM), 0xABCD);
}

Test(mov, xchg_ed_gd_register_and_memory_32bit)
{
	load("66 87 d9 66 87 0f f4"); /* xchg ecx, ebx; xchg [bx], ecx */
	tm_poke(m, 0x3000, "78 56 34 12");
	c->r[R_ECX].d = 0x3000;
	c->r[R_EBX].d = 0xDEADBEEF;
	run_ok(7);
	cr_assert_eq(c->r[R_EBX].d, 0x3000);
	cr_assert_eq(c->r[R_ECX].d, 0x12345678);
	cr_assert_eq(tm_peek32(m, 0x3000), 0xDEADBEEF);
}

Test(mov, xchg_eb_gb_memory_with_lock)
{
	load("f0 86 37 f4"); /* lock xchg [bx], dh */
	tm_poke(m, MEM, "aa");
	c->r[R_EDX].d = 0x5500;
	run_ok(4);
	cr_assert_eq(c->r[R_EDX].d, 0xAA00);
	cr_assert_eq(tm_peek8(m, MEM), 0x55);
}

Test(mov, xchg_with_lock_on_registers_is_ud)
{
	load("f0 86 c4 f4");
	run_exc(EXC_UD);
}

Test(mov, xchg_word_at_ffff_raises_gp_without_changes)
{
	load("87 07 f4"); /* xchg [bx], ax */
	c->r[R_EBX].d = 0xFFFF;
	c->r[R_EAX].d = 0x4242;
	run_exc(EXC_GP);
	cr_assert_eq(c->r[R_EAX].d, 0x4242);
	cr_assert_eq(tm_peek8(m, 0xFFFF), 0);
}

Test(mov, xchg_ax_with_register)
{
	load("93 96 f4"); /* xchg ax, bx; xchg ax, si */
	c->r[R_EAX].d = 0x11112222;
	c->r[R_EBX].d = 0x33334444;
	c->r[R_ESI].d = 0x55556666;
	run_ok(3);
	cr_assert_eq(c->r[R_EBX].d, 0x33332222);
	cr_assert_eq(c->r[R_EAX].d, 0x11116666);
	cr_assert_eq(c->r[R_ESI].d, 0x55554444);
}

Test(mov, xchg_eax_with_register_32bit)
{
	load("66 97 f4"); /* xchg eax, edi */
	c->r[R_EAX].d = 0x11112222;
	c->r[R_EDI].d = 0x33334444;
	run_ok(3);
	cr_assert_eq(c->r[R_EAX].d, 0x33334444);
	cr_assert_eq(c->r[R_EDI].d, 0x11112222);
}

/* ---- LEA ---- */

Test(mov, lea_16bit_address)
{
	load("8d 40 05 f4"); /* lea ax, [bx+si+5] */
	c->r[R_EAX].d = 0xFFFFFFFF;
	c->r[R_EBX].d = 0x10;
	c->r[R_ESI].d = 0x20;
	run_ok(4);
	cr_assert_eq(c->r[R_EAX].d, 0xFFFF0035);
}

Test(mov, lea_16bit_address_wraps_and_32bit_operand_zero_extends)
{
	load("66 8d 00 f4"); /* lea eax, [bx+si] */
	c->r[R_EAX].d = 0xFFFFFFFF;
	c->r[R_EBX].d = 0xFFFF;
	c->r[R_ESI].d = 2;
	run_ok(4);
	cr_assert_eq(c->r[R_EAX].d, 1);
}

Test(mov, lea_32bit_address_truncated_to_16bit_operand)
{
	load("67 8d 04 4b f4"); /* lea ax, [ebx+ecx*2] */
	c->r[R_EAX].d = 0xABCD0000;
	c->r[R_EBX].d = 0x12340000;
	c->r[R_ECX].d = 0x8;
	run_ok(5);
	cr_assert_eq(c->r[R_EAX].d, 0xABCD0010);
}

Test(mov, lea_32bit_full)
{
	load("67 66 8d 84 4b 00 01 00 00 f4"); /* lea eax, [ebx+ecx*2+0x100] */
	c->r[R_EBX].d = 0x12340000;
	c->r[R_ECX].d = 0x8;
	run_ok(10);
	cr_assert_eq(c->r[R_EAX].d, 0x12340110);
}

Test(mov, lea_accesses_no_memory)
{
	load("8d 07 f4"); /* lea ax, [bx] at FFFF: a word read there would fault */
	c->r[R_EBX].d = 0xFFFF;
	run_ok(3);
	cr_assert_eq(c->r[R_EAX].w, 0xFFFF);
}

Test(mov, lea_register_form_is_ud)
{
	load("8d c0 f4");
	run_exc(EXC_UD);
}

/* ---- CBW/CWDE/CWD/CDQ ---- */

Test(mov, cbw_sign_extends_al)
{
	load("98 f4");
	c->r[R_EAX].d = 0x12345680;
	run_ok(2);
	cr_assert_eq(c->r[R_EAX].d, 0x1234FF80);
	tm_free(m);
	load("98 f4");
	c->r[R_EAX].d = 0x1234FF7F;
	run_ok(2);
	cr_assert_eq(c->r[R_EAX].d, 0x1234007F);
}

Test(mov, cwde_sign_extends_ax)
{
	load("66 98 f4");
	c->r[R_EAX].d = 0x00008000;
	run_ok(3);
	cr_assert_eq(c->r[R_EAX].d, 0xFFFF8000);
	tm_free(m);
	load("66 98 f4");
	c->r[R_EAX].d = 0xFFFF7FFF;
	run_ok(3);
	cr_assert_eq(c->r[R_EAX].d, 0x00007FFF);
}

Test(mov, cwd_fills_dx)
{
	load("99 f4");
	c->r[R_EAX].d = 0x00008000;
	c->r[R_EDX].d = 0x12340000;
	run_ok(2);
	cr_assert_eq(c->r[R_EDX].d, 0x1234FFFF);
	tm_free(m);
	load("99 f4");
	c->r[R_EAX].d = 0xFFFF7FFF;
	c->r[R_EDX].d = 0x1234FFFF;
	run_ok(2);
	cr_assert_eq(c->r[R_EDX].d, 0x12340000);
}

Test(mov, cdq_fills_edx)
{
	load("66 99 f4");
	c->r[R_EAX].d = 0x80000000;
	run_ok(3);
	cr_assert_eq(c->r[R_EDX].d, 0xFFFFFFFF);
	tm_free(m);
	load("66 99 f4");
	c->r[R_EAX].d = 0x7FFFFFFF;
	c->r[R_EDX].d = 0xFFFFFFFF;
	run_ok(3);
	cr_assert_eq(c->r[R_EDX].d, 0);
}

/* ---- hint NOP ---- */

Test(mov, hint_nop_decodes_its_operand_and_accesses_nothing)
{
	/* nop word [bx] at FFFF (would fault if read); nop dword [bx+si+0x1234];
	 * nop ax (register form) */
	load("0f 1f 07 66 0f 1f 80 34 12 0f 1f c0 f4");
	c->r[R_EBX].d = 0xFFFF;
	c->r[R_EAX].d = 0x1234;
	run_ok(13);
	cr_assert_eq(c->r[R_EBX].d, 0xFFFF);
	cr_assert_eq(c->r[R_EAX].d, 0x1234);
}
