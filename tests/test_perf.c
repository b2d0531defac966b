/*
 * Tests for the hot-path shortcuts (speed work): the condition-code fast
 * paths of the lazy flags must agree with the SDM's definitions (vol. 1,
 * appendix B, table B-1), and decoded code must follow guest writes.
 */
#include <criterion/criterion.h>

#include <stdio.h>

#include "cpu/flags.h"

/* CMP a, b leaves LF_SUB with res = a - b masked to the size. */
static struct lazy_flags cmp(unsigned size, uint32_t a, uint32_t b)
{
	static const uint32_t mask[3] = { 0xFF, 0xFFFF, 0xFFFFFFFFu };
	struct lazy_flags lf;
	lf_set(&lf, LF_SUB, size, (a - b) & mask[size], a, b);
	return lf;
}

Test(perf_flags, cmp_signed_and_unsigned_8bit)
{
	struct lazy_flags lf = cmp(0, 0x80, 0x01); /* -128 vs 1; 128 vs 1 */
	cr_assert(!lf_cond(&lf, 0, 0x2));  /* B: 128 < 1 is false */
	cr_assert(lf_cond(&lf, 0, 0x7));   /* A */
	cr_assert(lf_cond(&lf, 0, 0xC));   /* L: -128 < 1 */
	cr_assert(lf_cond(&lf, 0, 0xE));   /* LE */
	cr_assert(!lf_cond(&lf, 0, 0xD));  /* GE */
	cr_assert(!lf_cond(&lf, 0, 0x8));  /* S: 0x7F is positive */
	cr_assert(lf_cond(&lf, 0, 0x0));   /* O: -128 - 1 overflows */
}

Test(perf_flags, cmp_16_and_32bit)
{
	struct lazy_flags lf = cmp(1, 0x7FFF, 0x8000);
	cr_assert(lf_cond(&lf, 0, 0x2));   /* B: 0x7FFF < 0x8000 */
	cr_assert(!lf_cond(&lf, 0, 0xC));  /* L: 32767 < -32768 is false */
	cr_assert(lf_cond(&lf, 0, 0xF));   /* G */
	cr_assert(lf_cond(&lf, 0, 0x8));   /* S: 0xFFFF */
	lf = cmp(2, 5, 5);
	cr_assert(lf_cond(&lf, 0, 0x4));   /* Z */
	cr_assert(lf_cond(&lf, 0, 0x6));   /* BE */
	cr_assert(lf_cond(&lf, 0, 0xE));   /* LE */
	cr_assert(lf_cond(&lf, 0, 0xD));   /* GE */
	cr_assert(!lf_cond(&lf, 0, 0x2));  /* B */
	lf = cmp(2, 0xFFFFFFFFu, 0);
	cr_assert(lf_cond(&lf, 0, 0xC));   /* L: -1 < 0 */
	cr_assert(lf_cond(&lf, 0, 0x7));   /* A: 0xFFFFFFFF > 0 */
	cr_assert(lf_cond(&lf, 0, 0xA));   /* P: low byte 0xFF has 8 ones */
}

Test(perf_flags, logic_results)
{
	struct lazy_flags lf;
	lf_set(&lf, LF_LOGIC, 0, 0x80, 0x80, 0xFF); /* TEST AL,0xFF with AL=0x80 */
	cr_assert(!lf_cond(&lf, 0, 0x0));  /* O cleared */
	cr_assert(!lf_cond(&lf, 0, 0x2));  /* B: CF cleared */
	cr_assert(!lf_cond(&lf, 0, 0x4));  /* Z */
	cr_assert(lf_cond(&lf, 0, 0x8));   /* S */
	cr_assert(lf_cond(&lf, 0, 0xC));   /* L: SF != OF */
	cr_assert(lf_cond(&lf, 0, 0xE));   /* LE */
	cr_assert(!lf_cond(&lf, 0, 0x6));  /* BE: CF=0, ZF=0 */
	lf_set(&lf, LF_LOGIC, 1, 0, 0x1234, 0);
	cr_assert(lf_cond(&lf, 0, 0x4));   /* Z */
	cr_assert(lf_cond(&lf, 0, 0x6));   /* BE */
	cr_assert(lf_cond(&lf, 0, 0xE));   /* LE */
	cr_assert(!lf_cond(&lf, 0, 0xC));  /* L */
	cr_assert(lf_cond(&lf, 0, 0xA));   /* P: zero has even parity */
}

/* ZF and SF read straight from the result of any producer (SDM vol. 1,
 * 3.4.3.1: ZF set if the result is zero, SF the result's most significant
 * bit), and from EFLAGS bits 6 and 7 when no lazy producer is pending. */
Test(perf_flags, zf_sf_of_other_producers)
{
	struct lazy_flags lf;
	lf_set(&lf, LF_INC, 0, 0x00, 0xFF, 0); /* INC AL with AL=FFh */
	cr_assert(lf_cond(&lf, 0, 0x4));   /* Z */
	cr_assert(!lf_cond(&lf, 0, 0x5));  /* NZ */
	cr_assert(!lf_cond(&lf, 0, 0x8));  /* S */
	lf_set(&lf, LF_ADD, 1, 0x0000, 0x8000, 0x8000); /* 16-bit wrap to 0 */
	cr_assert(lf_cond(&lf, 0, 0x4));
	cr_assert(lf_cond(&lf, 0, 0x9));   /* NS */
	lf_set(&lf, LF_DEC, 2, 0xFFFFFFFFu, 0, 0); /* DEC of 0 */
	cr_assert(lf_cond(&lf, 0, 0x5));
	cr_assert(lf_cond(&lf, 0, 0x8));
	lf_set(&lf, LF_SHL, 1, 0x8000, 0x4000, 1); /* SHL AX,1 with AX=4000h */
	cr_assert(!lf_cond(&lf, 0, 0x4));
	cr_assert(lf_cond(&lf, 0, 0x8));
	lf.kind = LF_NONE;
	cr_assert(lf_cond(&lf, 0x40, 0x4));  /* EFLAGS.ZF */
	cr_assert(!lf_cond(&lf, 0x80, 0x4));
	cr_assert(lf_cond(&lf, 0x80, 0x8));  /* EFLAGS.SF */
	cr_assert(lf_cond(&lf, 0x40, 0x9));
}

/* The fast condition paths of lf_cond agree with lf_cond_slow, which
 * reads each flag through the per-flag functions (themselves checked
 * against an eager reference in test_flags.c), for every producer kind,
 * size, condition and a spread of operands around the sign and carry
 * boundaries. The results are built as each instruction builds them. */
static uint32_t lazy_result(enum lf_kind kind, uint32_t a, uint32_t b, uint32_t mask)
{
	switch (kind) {
	case LF_ADD: return (a + b) & mask;
	case LF_ADC: return (a + b + 1) & mask;
	case LF_SUB: return (a - b) & mask;
	case LF_SBB: return (a - b - 1) & mask;
	case LF_LOGIC: return (a & b) & mask;
	case LF_INC: return (a + 1) & mask;
	case LF_DEC: return (a - 1) & mask;
	case LF_SHL: return (a << b) & mask;
	case LF_SHR: return (a >> b) & mask;
	default: return 0;
	}
}

Test(perf_flags, fast_conditions_agree_with_the_per_flag_reference)
{
	static const uint32_t values[] = { 0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF,
					   0x7FFFFFFF, 0x80000000u, 0xFFFFFFFFu, 0x1234, 0xFFFFFF80u };
	static const uint32_t mask[3] = { 0xFF, 0xFFFF, 0xFFFFFFFFu };
	static const enum lf_kind kinds[] = { LF_ADD, LF_ADC, LF_SUB, LF_SBB, LF_LOGIC,
					      LF_INC, LF_DEC, LF_SHL, LF_SHR };
	unsigned checked = 0;
	for (unsigned k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		for (unsigned size = 0; size < 3; size++)
			for (unsigned x = 0; x < sizeof values / sizeof values[0]; x++)
				for (unsigned y = 0; y < sizeof values / sizeof values[0]; y++) {
					enum lf_kind kind = kinds[k];
					uint32_t a = values[x] & mask[size], b = values[y] & mask[size];
					if (kind == LF_SHL || kind == LF_SHR)
						b = 1 + values[y] % ((8u << size) - 1);
					if (kind == LF_INC || kind == LF_DEC)
						b &= 1; /* the carry kept */
					struct lazy_flags lf;
					lf_set(&lf, kind, size, lazy_result(kind, a, b, mask[size]), a, b);
					for (unsigned cc = 0; cc < 16; cc++, checked++)
						cr_assert_eq(lf_cond(&lf, 0, cc), lf_cond_slow(&lf, 0, cc),
							     "kind %d size %u a %x b %x cc %x", kind, size, a, b, cc);
				}
	cr_assert_gt(checked, 10000);
}

/* ---- Jcc with a 32-bit operand size (per-condition handlers) ---- */

#include "tests/tm.h"
#include "cpu/cpu.h"

Test(perf_jcc, o32_taken_and_not_taken)
{
	struct machine *m = tm_new("31 db"                 /* xor bx, bx */
				   "b8 01 00"              /* mov ax, 1 */
				   "48"                    /* dec ax: ZF = 1 */
				   "66 0f 84 02 00 00 00"  /* jz +2 (o32) */
				   "b3 01"                 /* mov bl, 1: skipped */
				   "66 0f 85 02 00 00 00"  /* jnz +2: not taken */
				   "b7 02"                 /* mov bh, 2 */
				   "66 0f 82 02 00 00 00"  /* jb +2: CF = 0 after xor... */
				   "b3 03"                 /* ...and DEC keeps it: runs */
				   "f4");
	tm_run(m);
	cr_assert_eq(tm_cpu(m)->r[R_EBX].w, 0x0203);
	cr_assert_eq(tm_cpu(m)->seg[S_CS].sel, 0x1000);
	tm_free(m);
}

/* SDM vol. 2, Jcc: a target beyond the CS limit raises #GP(0) (real mode:
 * #GP), reported at the branch with state unchanged. */
Test(perf_jcc, o32_target_beyond_cs_limit_faults)
{
	struct machine *m = tm_new("31 c0"                 /* xor ax, ax: ZF = 1 */
				   "66 0f 84 00 00 01 00"  /* jz +10000h */
				   "f4");
	tm_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->seg[S_CS].sel, 0);
	cr_assert_eq(c->eip, TM_HANDLERS + 13 + 1);
	cr_assert_eq(tm_peek16(m, 0x7FFA), 2); /* IP of the JZ */
	tm_free(m);
}

/* The 16-bit forms (per-condition handlers too): the target wraps at
 * 64 KiB (SDM vol. 2, Jcc: "EIP <- EIP + rel; IF OperandSize = 16 THEN
 * EIP <- EIP AND 0000FFFFH"). */
Test(perf_jcc, o16_target_wraps_at_64k)
{
	struct machine *m = tm_new("b3 07 f4");           /* 0: mov bl, 7; hlt */
	tm_poke(m, TM_CODE + 0xFFE0, "31 c0"               /* xor ax, ax: ZF = 1 */
				     "75 10"               /* jnz: not taken */
				     "0f 84 18 00");       /* jz +18h: FFE8h + 18h wraps to 0 */
	struct cpu *c = tm_cpu(m);
	c->eip = 0xFFE0;
	tm_run(m);
	cr_assert_eq(c->r[R_EBX].b[0], 7);
	cr_assert_eq(c->eip, 3);
	cr_assert_eq(c->seg[S_CS].sel, 0x1000);
	tm_free(m);
}

/* ---- 32-bit PUSH/POP of a register with a 16-bit stack (real mode) ---- */

/* SP wraps at 64 KiB and ESP's upper half stays (SDM vol. 2, PUSH and POP:
 * the stack-address size is SS.B's). */
Test(perf_stack, o32_push_pop_with_a_16bit_stack)
{
	/* push eax; push dword 5; pop ebx; pop ecx; hlt */
	struct machine *m = tm_new("66 50 66 6a 05 66 5b 66 59 f4");
	struct cpu *c = tm_cpu(m);
	c->r[R_EAX].d = 0x11223344;
	c->r[R_ESP].d = 0xABCD0002; /* the first push wraps SP below 0 */
	tm_run(m);
	cr_assert_eq(c->seg[S_CS].sel, 0, "the push wrapping inside its bytes faults (#SS)");
	cr_assert_eq(c->eip, TM_HANDLERS + EXC_SS + 1);
	tm_free(m);
	m = tm_new("66 50 66 6a 05 66 5b 66 59 f4");
	c = tm_cpu(m);
	/* Twice: the second run finds the stack page in the TLB (fast paths). */
	for (unsigned run = 0; run < 2; run++) {
		c->r[R_EAX].d = 0x11223344 + run;
		c->r[R_ESP].d = 0xABCD0000;
		c->eip = 0;
		c->halted = false;
		tm_run(m);
		cr_assert_eq(c->eip, 10, "ran to the HLT");
		cr_assert_eq(tm_peek32(m, 0xFFFC), 0x11223344 + run, "pushed at SS:FFFC");
		cr_assert_eq(tm_peek32(m, 0xFFF8), 5);
		cr_assert_eq(c->r[R_EBX].d, 5);
		cr_assert_eq(c->r[R_ECX].d, 0x11223344 + run);
		cr_assert_eq(c->r[R_ESP].d, 0xABCD0000, "SP wrapped back, the upper half untouched");
	}
	tm_free(m);
}

/* ---- base + displacement MOV/MOVZX/LEA forms (32-bit addressing) ---- */

Test(perf_mov, base_disp_forms)
{
	struct machine *m = tm_new("b8 00 20 8e d8"            /* mov ax, 2000h; mov ds, ax */
				   "66 bb 00 01 00 00"         /* mov ebx, 100h */
				   "66 b8 78 56 34 12"         /* mov eax, 12345678h */
				   "67 66 89 43 04"            /* mov [ebx+4], eax */
				   "67 66 8b 4b 04"            /* mov ecx, [ebx+4] */
				   "67 66 0f b6 53 05"         /* movzx edx, byte [ebx+5] */
				   "67 88 63 08"               /* mov [ebx+8], ah */
				   "67 8a 63 07"               /* mov ah, [ebx+7] */
				   "67 66 c7 43 0c ef be ad de" /* mov dword [ebx+0Ch], DEADBEEFh */
				   "67 66 8d 73 10"            /* lea esi, [ebx+10h] */
				   "f4");
	tm_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(tm_peek32(m, 0x20104), 0x12345678u);
	cr_assert_eq(c->r[R_ECX].d, 0x12345678u);
	cr_assert_eq(c->r[R_EDX].d, 0x56u);
	cr_assert_eq(tm_peek8(m, 0x20108), 0x56);
	cr_assert_eq(c->r[R_EAX].d, 0x12341278u);
	cr_assert_eq(tm_peek32(m, 0x2010C), 0xDEADBEEFu);
	cr_assert_eq(c->r[R_ESI].d, 0x110u);
	tm_free(m);
}

/* SDM vol. 2, MOV, real-address mode exceptions: #GP when an operand lies
 * outside the segment limit (FFFFh); the load leaves EAX unchanged. */
Test(perf_mov, base_disp_beyond_the_limit_faults)
{
	struct machine *m = tm_new("66 bb fe ff 00 00"  /* mov ebx, FFFEh */
				   "66 31 c0"           /* xor eax, eax */
				   "48"                 /* dec ax: EAX = FFFFh */
				   "67 66 8b 43 00"     /* mov eax, [ebx+0]: bytes FFFEh-10001h */
				   "f4");
	tm_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->eip, TM_HANDLERS + 13 + 1);
	cr_assert_eq(c->r[R_EAX].d, 0xFFFFu);
	cr_assert_eq(tm_peek16(m, 0x7FFA), 10); /* IP of the MOV */
	tm_free(m);
}

/* IMUL replaces CF and OF (SDM vol. 2, IMUL: set when the result was
 * truncated) whatever the pending lazy producer left, and keeps the
 * non-arithmetic flags. */
Test(perf_mov, imul_flags_replace_a_pending_borrow)
{
	struct machine *m = tm_new("fd"                    /* std */
				   "31 c0"                 /* xor ax, ax */
				   "3c 01"                 /* cmp al, 1: CF = 1 (lazy) */
				   "66 b9 07 00 00 00"     /* mov ecx, 7 */
				   "66 6b c1 03"           /* imul eax, ecx, 3: no overflow */
				   "9c"                    /* pushf */
				   "f4");
	tm_run(m);
	uint16_t f = tm_peek16(m, 0x7FFE);
	cr_assert_eq(tm_cpu(m)->r[R_EAX].d, 21u);
	cr_assert_eq(f & 0x0801, 0);      /* OF, CF clear */
	cr_assert_eq(f & 0x0400, 0x0400); /* DF kept */
	cr_assert_eq(f & 0x0002, 0x0002); /* reserved bit 1 */
	tm_free(m);
}

/* ---- self-modifying code: decoded blocks must follow every write ---- */

#include "tests/prot_util.h"

/* A store over the next instruction of the running block takes effect
 * (SDM vol. 3, 11.6 "Self-Modifying Code": P6 and later detect it). */
Test(perf_smc, store_into_the_same_block)
{
	struct machine *m = tm_new("2e c6 06 07 00 22" /* mov byte [cs:7], 22h */
				   "b0 11"             /* mov al, 11h (imm at 7) */
				   "f4");
	tm_run(m);
	cr_assert_eq(tm_cpu(m)->r[R_EAX].b[0], 0x22);
	tm_free(m);
}

/* The first pass runs the block at 0, then patches it and jumps back. */
Test(perf_smc, store_into_an_earlier_block)
{
	struct machine *m = tm_new("b0 11"                /* 0: mov al, 11h */
				   "43"                   /* 2: inc bx */
				   "80 fb 02"             /* 3: cmp bl, 2 */
				   "74 08"                /* 6: je 10h */
				   "2e c6 06 01 00 22"    /* 8: mov byte [cs:1], 22h */
				   "eb f0"                /* e: jmp 0 */
				   "f4");                 /* 10: hlt */
	struct cpu *c = tm_cpu(m);
	c->r[R_EBX].d = 0;
	tm_run(m);
	cr_assert_eq(c->r[R_EBX].d, 2, "the loop ran twice");
	cr_assert_eq(c->r[R_EAX].b[0], 0x22, "the second pass ran the new code");
	tm_free(m);
}

/* Dropping blocks leaves the links to them (exec.c): a link made before
 * the drop must lead to the new code. The first pass links the block at
 * 15h to the one at 0; the second patches the block at 0 and then jumps
 * to it through that link. */
Test(perf_smc, link_to_a_block_patched_since)
{
	struct machine *m = tm_new("b0 11"                /* 0: mov al, 11h */
				   "43"                   /* 2: inc bx */
				   "80 fb 03"             /* 3: cmp bl, 3 */
				   "74 0f"                /* 6: je 17h */
				   "80 fb 02"             /* 8: cmp bl, 2 */
				   "75 08"                /* b: jne 15h */
				   "2e c6 06 01 00 22"    /* d: mov byte [cs:1], 22h */
				   "eb 00"                /* 13: jmp 15h */
				   "eb e9"                /* 15: jmp 0 */
				   "f4");                 /* 17: hlt */
	struct cpu *c = tm_cpu(m);
	c->r[R_EBX].d = 0;
	tm_run(m);
	cr_assert_eq(c->r[R_EBX].d, 3, "the loop ran three times");
	cr_assert_eq(c->eip, 0x18);
	cr_assert_eq(c->icount, 7 + 9 + 5, "the dropped block retired nothing");
	cr_assert_eq(c->r[R_EAX].b[0], 0x22, "the linked jump ran the new code");
	tm_free(m);
}

/* Code written by a device (DMA goes through memmap_write) over code that
 * already ran. */
Test(perf_smc, dma_over_executed_code)
{
	struct machine *m = tm_new("b0 11 f4");
	struct cpu *c = tm_cpu(m);
	tm_run(m);
	cr_assert_eq(c->r[R_EAX].b[0], 0x11);
	memmap_write(machine_mem(m), TM_CODE + 1, "\x22", 1);
	c->eip = 0;
	c->halted = false;
	tm_run(m);
	cr_assert_eq(c->r[R_EAX].b[0], 0x22);
	tm_free(m);
}

#define SMC_PT0 (PU_PD + 0x1000)
#define SMC_PT1 (PU_PD + 0x2000)
#define SMC_OLD 0x123000u /* physical page first mapped at linear 0x400000 */
#define SMC_NEW 0x124000u /* the page the guest maps there instead */

/* Paging on, first 4 MiB identity-mapped, linear 0x400000 -> SMC_OLD.
 * Each page holds "mov eax, imm32; hlt" with a different immediate. The
 * code at TM_CODE is remap, then jumps to 0x400000. */
static struct machine *smc_paging_setup(const char *remap)
{
	char code[256];
	snprintf(code, sizeof(code), "c7 05 00 20 04 00 03 40 12 00" /* mov dword [PT1], SMC_NEW|3 */
		 "%s"
		 "bb 00 00 40 00 ff e3", /* mov ebx, 400000h; jmp ebx */
		 remap);
	struct machine *m = pu_new(code);
	struct cpu *c = tm_cpu(m);
	for (unsigned n = 0; n < 1024; n++)
		pu_poke32(m, SMC_PT0 + 4 * n, n << 12 | 3);
	pu_poke32(m, PU_PD, SMC_PT0 | 3);
	pu_poke32(m, PU_PD + 4, SMC_PT1 | 3);
	pu_poke32(m, SMC_PT1, SMC_OLD | 3);
	tm_poke(m, SMC_OLD, "b8 11 11 11 11 f4");
	tm_poke(m, SMC_NEW, "b8 22 22 22 22 f4");
	c->cr3 = PU_PD;
	c->cr0 |= CR0_PG;
	cpu_flush_tlb(c, false);
	/* Run the old page's code first, so its block is decoded and cached. */
	uint32_t start = c->eip;
	c->eip = 0x400000;
	tm_run(m);
	cr_assert_eq(c->r[R_EAX].d, 0x11111111);
	c->eip = start;
	c->halted = false;
	return m;
}

Test(perf_smc, remap_with_invlpg)
{
	struct machine *m = smc_paging_setup("0f 01 3d 00 00 40 00"); /* invlpg [400000h] */
	tm_run(m);
	cr_assert_eq(tm_cpu(m)->r[R_EAX].d, 0x22222222);
	tm_free(m);
}

Test(perf_smc, remap_with_cr3_reload)
{
	struct machine *m = smc_paging_setup("0f 20 d8 0f 22 d8"); /* mov eax, cr3; mov cr3, eax */
	tm_run(m);
	cr_assert_eq(tm_cpu(m)->r[R_EAX].d, 0x22222222);
	tm_free(m);
}

/* ---- REPE/REPNE CMPS and SCAS run in bulk over RAM (SDM vol. 2, CMPS,
 * SCAS and REP pages: the repeat ends after the element that fails the
 * condition; CX, SI, DI and the flags are those of that last iteration) ---- */

static void fill(struct machine *m, paddr_t at, uint8_t v, unsigned n)
{
	for (unsigned k = 0; k < n; k++)
		memmap_write(machine_mem(m), at + k, &v, 1);
}

Test(perf_string, repe_cmpsb_stops_after_the_first_difference)
{
	struct machine *m = tm_new("be 00 20 bf 00 30 b9 2c 01 fc f3 a6 f4");
	fill(m, 0x2000, 0x10, 300);
	fill(m, 0x3000, 0x10, 300);
	fill(m, 0x3000 + 200, 0x20, 1);
	tm_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_ECX].w, 99);
	cr_assert_eq(c->r[R_ESI].w, 0x2000 + 201);
	cr_assert_eq(c->r[R_EDI].w, 0x3000 + 201);
	uint32_t f = cpu_get_eflags(c);
	cr_assert_eq(f & (F_ZF | F_CF | F_SF), F_CF | F_SF, "10h - 20h: borrow, negative, not zero");
	tm_free(m);
}

Test(perf_string, repne_scasb_finds_the_byte)
{
	struct machine *m = tm_new("b0 5a bf 00 30 b9 2c 01 fc f2 ae f4");
	fill(m, 0x3000, 0x00, 300);
	fill(m, 0x3000 + 77, 0x5A, 1);
	tm_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_ECX].w, 300 - 78);
	cr_assert_eq(c->r[R_EDI].w, 0x3000 + 78);
	cr_assert(cpu_get_eflags(c) & F_ZF);
	tm_free(m);
}

Test(perf_string, repe_cmpsw_backwards_runs_out)
{
	struct machine *m = tm_new("be 12 20 bf 12 30 b9 0a 00 fd f3 a7 f4");
	fill(m, 0x2000, 0x33, 20);
	fill(m, 0x3000, 0x33, 20);
	tm_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_ECX].w, 0);
	cr_assert_eq(c->r[R_ESI].w, 0x1FFE);
	cr_assert_eq(c->r[R_EDI].w, 0x2FFE);
	cr_assert(cpu_get_eflags(c) & F_ZF);
	tm_free(m);
}

/* Block links (exec.c) remember which block ran after which at a linear
 * address. A link made at CPL 0 must not carry CPL 3 into a supervisor
 * page: the jump must raise #PF with U/S set in the error code (SDM vol. 3,
 * 4.6 "Access Rights", 4.7). */
static void smc_run_at(struct machine *m, uint32_t ebx)
{
	struct cpu *c = tm_cpu(m);
	c->r[R_EBX].d = ebx;
	c->eip = TM_CODE;
	c->halted = false;
	tm_run(m);
}

Test(perf_smc, link_made_at_cpl0_does_not_serve_cpl3)
{
	struct machine *m = pu_new("ff e3 f4"); /* jmp ebx; hlt */
	struct cpu *c = tm_cpu(m);
	for (unsigned n = 0; n < 1024; n++)
		pu_poke32(m, SMC_PT0 + 4 * n, n << 12 | 7);
	pu_poke32(m, PU_PD, SMC_PT0 | 7);
	pu_poke32(m, PU_PD + 4, SMC_PT1 | 7);
	pu_poke32(m, SMC_PT1, SMC_OLD | 3); /* supervisor only */
	tm_poke(m, SMC_OLD, "b8 11 11 11 11 f4");
	pu_tss_stack(m, PU_TSS, 0, PU_DS0, 0x9000);
	c->cr3 = PU_PD;
	c->cr0 |= CR0_PG;
	cpu_flush_tlb(c, false);
	/* Warm the user TLB for the code page, so the last run fills nothing. */
	pu_ring3(c, 0x8000);
	smc_run_at(m, TM_CODE + 2);
	pu_seg(c, S_CS, PU_CS0);
	pu_seg(c, S_SS, PU_DS0);
	pu_seg(c, S_DS, PU_DS0);
	pu_seg(c, S_ES, PU_DS0);
	/* Twice: the first run fills the TLB, the second records the link. */
	smc_run_at(m, 0x400000);
	smc_run_at(m, 0x400000);
	cr_assert_eq(c->r[R_EAX].d, 0x11111111, "CPL 0 runs the supervisor page");
	c->r[R_EAX].d = 0;
	pu_ring3(c, 0x8000);
	smc_run_at(m, 0x400000);
	cr_assert_eq(c->r[R_EAX].d, 0, "CPL 3 must not run it");
	cr_assert_eq(c->eip, TM_HANDLERS + EXC_PF + 1, "#PF delivered");
	cr_assert_eq(c->cr2, 0x400000);
	tm_free(m);
}

/* The same call at the same linear address before and after the guest
 * remaps the target page with INVLPG: the second call runs the new page
 * (SDM vol. 3, 4.10.4.1: INVLPG invalidates the page's translation). */
Test(perf_smc, linked_call_follows_invlpg_remap)
{
	struct machine *m = pu_new("bb 00 00 40 00 ff d3 f4"); /* mov ebx, 400000h; call ebx; hlt */
	struct cpu *c = tm_cpu(m);
	for (unsigned n = 0; n < 1024; n++)
		pu_poke32(m, SMC_PT0 + 4 * n, n << 12 | 3);
	pu_poke32(m, PU_PD, SMC_PT0 | 3);
	pu_poke32(m, PU_PD + 4, SMC_PT1 | 3);
	pu_poke32(m, SMC_PT1, SMC_OLD | 3);
	tm_poke(m, SMC_OLD, "b8 11 11 11 11 c3"); /* mov eax, 11111111h; ret */
	tm_poke(m, SMC_NEW, "b8 22 22 22 22 c3");
	/* At +200h: rewrite the PTE unchanged (so its page is in the TLB), jmp 0. */
	tm_poke(m, TM_CODE + 0x200, "c7 05 00 20 04 00 03 30 12 00 e9 f1 fd ff ff");
	/* At +100h: map SMC_NEW instead, invlpg [400000h], jmp 0. */
	tm_poke(m, TM_CODE + 0x100, "c7 05 00 20 04 00 03 40 12 00 0f 01 3d 00 00 40 00 e9 ea fe ff ff");
	c->cr3 = PU_PD;
	c->cr0 |= CR0_PG;
	cpu_flush_tlb(c, false);
	for (unsigned run = 0; run < 2; run++) {
		c->eip = TM_CODE + 0x200;
		c->halted = false;
		tm_run(m);
		cr_assert_eq(c->r[R_EAX].d, 0x11111111);
	}
	c->eip = TM_CODE + 0x100;
	c->halted = false;
	tm_run(m);
	cr_assert_eq(c->r[R_EAX].d, 0x22222222);
	tm_free(m);
}

/* Code marks are per 128-byte chunk; a write to data that shares a chunk
 * with code reaches the block cache, which must keep its blocks (the byte
 * map says no block covers the bytes written) and still drop a block when
 * one of its own bytes is written, also after a rebuild of the map. */
#include "cpu/icache.h"

static struct block *insert_block(struct icache *ic, paddr_t at, unsigned nbytes)
{
	struct block *b = icache_alloc(ic, 1);
	cr_assert_not_null(b);
	b->paddr = at;
	b->n = 1;
	b->nbytes = (uint16_t)nbytes;
	b->mode = 1;
	icache_insert(ic, b);
	return b;
}

Test(perf_smc, data_beside_code_keeps_the_blocks)
{
	struct machine *m = tm_new("f4");
	struct icache *ic = tm_cpu(m)->icache;
	paddr_t page = 0x200000;
	insert_block(ic, page + 0x100, 16);
	insert_block(ic, page + 0x120, 16);
	cr_assert_eq(icache_invalidate(ic, page + 0x110, 4), 0, "bytes after the first block");
	cr_assert_eq(icache_invalidate(ic, page + 0x130, 2), 0, "bytes after the second");
	cr_assert_not_null(icache_lookup(ic, page + 0x100, 1));
	cr_assert_not_null(icache_lookup(ic, page + 0x120, 1));
	cr_assert_eq(icache_invalidate(ic, page + 0x10F, 1), 1, "the first block's last byte");
	cr_assert_null(icache_lookup(ic, page + 0x100, 1));
	cr_assert_eq(icache_invalidate(ic, page + 0x100, 4), 0, "its bytes are free now");
	cr_assert_eq(icache_invalidate(ic, page + 0x11E, 4), 1, "overlaps the second block");
	cr_assert_null(icache_lookup(ic, page + 0x120, 1));
	cr_assert_eq(memmap_page(machine_mem(m), page)->code, 0, "no code left on the page");
	/* A block with unaligned ends, 0x233-0x24A: its first and last bytes
	 * count, the bytes just outside do not. */
	for (unsigned run = 0; run < 2; run++) {
		insert_block(ic, page + 0x233, 0x18);
		cr_assert_eq(icache_invalidate(ic, page + 0x232, 1), 0);
		cr_assert_eq(icache_invalidate(ic, page + 0x24B, 1), 0);
		cr_assert_eq(icache_invalidate(ic, run ? page + 0x24A : page + 0x233, 1), 1);
	}
	/* Overlapping blocks (code that jumps into an instruction): dropping
	 * one leaves the other's bytes marked, in the map and the chunk mask. */
	insert_block(ic, page + 0x300, 0x10);
	insert_block(ic, page + 0x308, 0x10);
	cr_assert_eq(icache_invalidate(ic, page + 0x301, 1), 1);
	cr_assert_not_null(icache_lookup(ic, page + 0x308, 1));
	cr_assert_eq(memmap_page(machine_mem(m), page)->code, 1u << (0x300 >> CODE_CHUNK_SHIFT));
	cr_assert_eq(icache_invalidate(ic, page + 0x30A, 1), 1, "the second block's bytes stay marked");
	cr_assert_eq(memmap_page(machine_mem(m), page)->code, 0);
	tm_free(m);
}

/* The byte map is read up to 57 bits at a time: ranges longer than that,
 * at any alignment, and ranges that run past the page's end. */
Test(perf_smc, long_writes_beside_code)
{
	struct machine *m = tm_new("f4");
	struct icache *ic = tm_cpu(m)->icache;
	paddr_t page = 0x200000;
	insert_block(ic, page + 0x400, 0x10);
	insert_block(ic, page + 0xFF0, 0x10);
	cr_assert_eq(icache_invalidate(ic, page + 0x381, 0x7F), 0, "127 bytes up to the block");
	cr_assert_eq(icache_invalidate(ic, page + 0x410, 0x100), 0, "256 bytes after it");
	cr_assert_eq(icache_invalidate(ic, page + 0xF00, 0xF0), 0, "up to the last block");
	cr_assert_eq(icache_invalidate(ic, page + 0x397, 0x6A), 1, "its first byte, 106 bytes on");
	cr_assert_null(icache_lookup(ic, page + 0x400, 1));
	cr_assert_eq(icache_invalidate(ic, page + 0xF03, 0x200), 1, "past the page's end");
	cr_assert_null(icache_lookup(ic, page + 0xFF0, 1));
	tm_free(m);
}

/* ---- TLB flushes clear what was filled (a list, or everything when it overflows) ---- */

#include "cpu/mmu.h"

static unsigned live_entries(struct cpu *c, bool global)
{
	unsigned n = 0;
	for (unsigned u = 0; u < 2; u++)
		for (unsigned k = 0; k < TLB_SIZE; k++)
			if (c->tlb.e[u][k].tag_read != TLB_INVALID && c->tlb.e[u][k].global == global)
				n++;
	return n;
}

/* Fill `pages` entries (odd pages global, SDM vol. 3, 4.10.2.4), then
 * flush: a CR3-style flush keeps the global ones, a full one keeps none. */
static void fill_and_flush(unsigned pages)
{
	struct machine *m = pu_new("f4");
	struct cpu *c = tm_cpu(m);
	for (unsigned n = 0; n < 1024; n++)
		pu_poke32(m, SMC_PT0 + 4 * n, n << 12 | 3 | (n & 1 ? 0x100 : 0));
	pu_poke32(m, PU_PD, SMC_PT0 | 3);
	c->cr3 = PU_PD;
	c->cr4 |= CR4_PGE;
	c->cr0 |= CR0_PG;
	cpu_flush_tlb(c, false);
	cr_assert_eq(live_entries(c, false) + live_entries(c, true), 0);
	for (unsigned n = 256; n < 256 + pages; n++) /* RAM above 1 MiB: no MMIO holes */
		mmu_translate(c, n << 12, ACC_READ);
	cr_assert_eq(live_entries(c, true), pages / 2, "%u pages filled", pages);
	cpu_flush_tlb(c, true);
	cr_assert_eq(live_entries(c, false), 0, "non-global entries left after %u fills", pages);
	cr_assert_eq(live_entries(c, true), pages / 2, "global entries lost after %u fills", pages);
	cpu_flush_tlb(c, false);
	cr_assert_eq(live_entries(c, true), 0, "global entries left after a full flush");
	tm_free(m);
}

Test(perf_tlb, flush_after_a_few_fills) { fill_and_flush(20); }
Test(perf_tlb, flush_after_more_fills_than_the_list_holds) { fill_and_flush(700); }

/* Block links are made under a stamp naming the CS base, limit, D bit and
 * CPL (cpu/tlb.h), so code going back and forth between code segments
 * finds its links again. These check that a kept link never runs the
 * wrong code. */
#include "cpu/seg.h"

/* Run from 1000:0000 with a far return address 0:7FFC = seg:ip on the stack. */
static void far_run(struct machine *m, uint16_t seg, uint16_t ip)
{
	struct cpu *c = tm_cpu(m);
	char hex[16];
	snprintf(hex, sizeof(hex), "%02x %02x %02x %02x", ip & 0xFF, ip >> 8, seg & 0xFF, seg >> 8);
	tm_poke(m, 0x7FFC, hex);
	c->r[R_ESP].d = 0x7FFC;
	cpu_load_seg(c, S_CS, 0x1000);
	c->eip = 0;
	c->halted = false;
	tm_run(m);
}

Test(perf_smc, retf_to_the_same_ip_in_another_segment)
{
	struct machine *m = tm_new("cb"); /* retf */
	struct cpu *c = tm_cpu(m);
	tm_poke(m, 0x20100, "b8 11 11 f4"); /* 2000:0100 mov ax, 1111h; hlt */
	tm_poke(m, 0x30100, "b8 22 22 f4"); /* 3000:0100 mov ax, 2222h; hlt */
	far_run(m, 0x2000, 0x100);
	far_run(m, 0x2000, 0x100); /* through the link the first run made */
	cr_assert_eq(c->r[R_EAX].w, 0x1111);
	far_run(m, 0x3000, 0x100);
	cr_assert_eq(c->r[R_EAX].w, 0x2222, "same IP, another CS base: another block");
	cr_assert_eq(c->seg[S_CS].sel, 0x3000);
	far_run(m, 0x2000, 0x100);
	cr_assert_eq(c->r[R_EAX].w, 0x1111, "and back");
	tm_free(m);
}

Test(perf_smc, real_mode_far_calls_keep_the_link_stamp)
{
	/* 1000:0000 mov cx, 100; call far 2000:0000; loop -7; hlt, and at
	 * 2000:0000 inc ax; retf: one far call and one far return a turn. */
	struct machine *m = tm_new("b9 64 00 9a 00 00 00 20 e2 f9 f4");
	struct cpu *c = tm_cpu(m);
	tm_poke(m, 0x20000, "40 cb");
	c->r[R_EAX].d = 0;
	tm_run(m); /* the first round makes the links */
	cr_assert_eq(c->r[R_EAX].w, 100);
	uint64_t stamp = c->tlb.stamp;
	c->eip = 0;
	c->halted = false;
	tm_run(m);
	cr_assert_eq(c->r[R_EAX].w, 200, "a far call and return into the same code");
	cr_assert_eq(c->tlb.stamp, stamp, "back in 1000h, under the same stamp");
	tm_free(m);
}

/* A link made under one CS limit must not serve a smaller one: the block
 * at 0x6F0 runs past 0x6F8, so with that limit its fetch must fault
 * (#GP, SDM vol. 3, 20.1.1 and the limit check on every fetch). */
Test(perf_smc, link_made_under_a_larger_cs_limit_is_not_used)
{
	struct machine *m = tm_new("ff e3"); /* jmp bx */
	struct cpu *c = tm_cpu(m);
	/* 1000:06F0 mov ax, 1111h; 12 nops; hlt: 16 bytes in one block. */
	tm_poke(m, TM_CODE + 0x6F0, "b8 11 11 90 90 90 90 90 90 90 90 90 90 90 90 f4");
	c->r[R_EBX].d = 0x6F0;
	for (unsigned run = 0; run < 2; run++) {
		c->eip = 0;
		c->halted = false;
		tm_run(m);
		cr_assert_eq(c->eip, 0x700, "the block ran whole");
	}
	c->r[R_EAX].d = 0;
	c->seg[S_CS].limit = 0x6F8;
	seg_update_chk(c, S_CS);
	c->eip = 0;
	c->halted = false;
	tm_run(m);
	cr_assert_eq(c->seg[S_CS].sel, 0, "in the #GP handler");
	cr_assert_eq(c->eip, TM_HANDLERS + EXC_GP + 1);
	cr_assert_eq(c->r[R_EAX].w, 0x1111, "the instructions within the limit ran");
	tm_free(m);
}

/* More CS states in one epoch than the stamp names: the epoch moves, and
 * every state still runs its own code. */
Test(perf_smc, many_code_segments_in_one_epoch)
{
	struct machine *m = tm_new("cb"); /* retf */
	struct cpu *c = tm_cpu(m);
	for (unsigned round = 0; round < 2; round++) {
		for (unsigned n = 0; n < TLB_CS_MAX + 8; n++) {
			uint16_t seg = (uint16_t)(0x2000 + 0x10 * n);
			char hex[16];
			snprintf(hex, sizeof(hex), "b8 %02x 00 f4", n); /* mov ax, n; hlt */
			tm_poke(m, (paddr_t)seg * 16 + 0x100, hex);
			far_run(m, seg, 0x100);
			cr_assert_eq(c->r[R_EAX].w, n, "segment %u", n);
		}
	}
	tm_free(m);
}

/* Only PG and WP changes flush the TLB (and so the block links, exec.c):
 * a protected-mode round trip with paging off keeps both. */
Test(perf_smc, pe_round_trip_keeps_the_tlb)
{
	struct machine *m = tm_new("0f 20 c0"  /* mov eax, cr0 */
				   "0c 01"     /* or al, 1 */
				   "0f 22 c0"  /* mov cr0, eax */
				   "24 fe"     /* and al, 0FEh */
				   "0f 22 c0"  /* mov cr0, eax */
				   "f4");
	struct cpu *c = tm_cpu(m);
	uint64_t epoch = c->tlb.epoch;
	tm_run(m);
	cr_assert_eq(c->eip, 14, "ran to the HLT");
	cr_assert_eq(c->cr0 & CR0_PE, 0);
	cr_assert_eq(c->tlb.epoch, epoch, "no flush");
	tm_free(m);
}
