/*
 * The run loop's lazy EIP and icount (cpu/exec.c, cpu.h): inside a block
 * only the last instruction sees an exact EIP, so everything that can
 * observe EIP or the instruction count part-way through a block is checked
 * here against what one-instruction-at-a-time execution gives: faults,
 * timer deadlines and budgets, RDTSC, port writes that stop the CPU, and
 * branches (which end blocks) in 32-bit and 16-bit code.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "tests/prot_util.h"

/* Run to HLT one instruction per cpu_run, the way a single step or a
 * deadline at every instruction runs it: the exact reference. */
static void run_stepwise(struct cpu *c)
{
	for (unsigned n = 0; n < 100000 && !c->halted; n++)
		cpu_run(c, c->icount + 1);
}

static void assert_same_state(const struct cpu *a, const struct cpu *b)
{
	for (unsigned r = 0; r < 8; r++)
		cr_assert_eq(a->r[r].d, b->r[r].d, "register %u: %08x vs %08x", r, a->r[r].d, b->r[r].d);
	cr_assert_eq(a->eip, b->eip, "EIP %08x vs %08x", a->eip, b->eip);
	cr_assert_eq(a->icount, b->icount, "icount %lu vs %lu", (unsigned long)a->icount,
		     (unsigned long)b->icount);
}

/* The same code run whole and stepwise ends in the same state. */
static void check_against_stepwise(struct machine *(*build)(const char *), const char *hex)
{
	struct machine *whole = build(hex), *step = build(hex);
	tm_run(whole);
	run_stepwise(tm_cpu(step));
	cr_assert(tm_cpu(whole)->halted && tm_cpu(step)->halted);
	assert_same_state(tm_cpu(whole), tm_cpu(step));
	tm_free(whole);
	tm_free(step);
}

/* inc eax; inc eax; div ecx (ECX = 0): #DE at the third instruction of a
 * block. The IDT's handler is the HLT at TM_HANDLERS + 0. */
Test(runloop, fault_inside_a_32bit_block_reports_its_own_eip_and_count)
{
	struct machine *m = pu_new("40 40 f7 f1 43 43 f4");
	struct cpu *c = tm_cpu(m);
	uint64_t start = c->icount;
	tm_run(m);
	cr_assert_eq(c->r[R_EAX].d, 2);
	cr_assert_eq(c->r[R_EBX].d, 0, "nothing after the fault ran");
	cr_assert_eq(tm_peek32(m, c->r[R_ESP].d), TM_CODE + 2, "pushed EIP is the DIV's");
	/* two INCs, the delivery (counted as one), the handler's HLT */
	cr_assert_eq(c->icount - start, 4);
	tm_free(m);
	check_against_stepwise(pu_new, "40 40 f7 f1 43 43 f4");
}

Test(runloop, fault_inside_a_16bit_block_reports_its_own_ip)
{
	/* inc ax; inc ax; div cx (CX = 0) in real mode: the IVT handler HLTs. */
	struct machine *m = tm_new("40 40 f7 f1 43 f4");
	struct cpu *c = tm_cpu(m);
	tm_run(m);
	cr_assert_eq(c->r[R_EAX].w, 2);
	cr_assert_eq(c->r[R_EBX].w, 0);
	cr_assert_eq(tm_peek16(m, 0x8000 - 6), 2, "pushed IP is the DIV's");
	tm_free(m);
	check_against_stepwise(tm_new, "40 40 f7 f1 43 f4");
}

/* A budget that ends inside a block stops after exactly that many
 * instructions, with EIP at the next one, and the rest runs on later. */
Test(runloop, budget_inside_a_block_is_exact)
{
	struct machine *m = pu_new("40 40 40 40 40 40 40 40 f4");
	struct cpu *c = tm_cpu(m);
	uint64_t start = c->icount;
	for (unsigned k = 1; k <= 8; k += 3) {
		cr_assert_eq(cpu_run(c, start + k), CPU_EXIT_BUDGET);
		cr_assert_eq(c->icount, start + k);
		cr_assert_eq(c->r[R_EAX].d, k);
		cr_assert_eq(c->eip, TM_CODE + k);
	}
	tm_run(m);
	cr_assert_eq(c->r[R_EAX].d, 8);
	cr_assert_eq(c->eip, TM_CODE + 9);
	tm_free(m);
}

/* RDTSC counts retired instructions: two RDTSCs four instructions apart in
 * one block read values four apart, as they do one instruction at a time. */
Test(runloop, rdtsc_inside_a_block_reads_the_exact_count)
{
	const char *code = "0f 31"    /* rdtsc */
			   "89 c3"    /* mov ebx, eax */
			   "90 90"    /* nop; nop */
			   "0f 31"    /* rdtsc */
			   "29 d8"    /* sub eax, ebx */
			   "f4";
	struct machine *m = pu_new(code);
	tm_run(m);
	cr_assert_eq(tm_cpu(m)->r[R_EAX].d, 4);
	tm_free(m);
	check_against_stepwise(pu_new, code);
}

/* A port write that stops the CPU (the debug exit port) takes effect after
 * that instruction even in the middle of a block: what follows does not run. */
Test(runloop, port_write_that_stops_the_cpu_ends_the_block_there)
{
	struct machine *m = pu_new("b0 01"    /* mov al, 1 */
				   "e6 f4"    /* out 0F4h, al */
				   "43 43"    /* inc ebx; inc ebx */
				   "f4");
	struct cpu *c = tm_cpu(m);
	tm_run(m);
	cr_assert_eq(c->r[R_EBX].d, 0);
	cr_assert_eq(c->eip, TM_CODE + 4);
	tm_free(m);
}

/* Conditional branches, taken and not, each ending its block, against
 * one-at-a-time execution. */
Test(runloop, branches_match_stepwise)
{
	const char *code = "31 db"             /* xor ebx, ebx */
			   "b9 03 00 00 00"    /* mov ecx, 3 */
			   "43"                /* L: inc ebx */
			   "49"                /* dec ecx */
			   "75 fc"             /* jnz L: taken twice */
			   "0f 84 03 00 00 00" /* jz +3: taken, skips the add */
			   "83 c3 64"          /* add ebx, 100 */
			   "78 03"             /* js +3: not taken */
			   "83 c3 10"          /* add ebx, 16 */
			   "f4";
	struct machine *m = pu_new(code);
	tm_run(m);
	cr_assert_eq(tm_cpu(m)->r[R_EBX].d, 3 + 16);
	tm_free(m);
	check_against_stepwise(pu_new, code);
}

/* Every budget from 1 to the program's length, cut through the blocks and
 * the branches, ends in the state stepwise execution reaches. */
Test(runloop, every_budget_matches_stepwise)
{
	const char *code = "31 db b9 04 00 00 00 43 49 75 fc 0f 84 03 00 00 00 83 c3 64 f4";
	struct machine *ref = pu_new(code);
	struct cpu *r = tm_cpu(ref);
	uint64_t start = r->icount;
	run_stepwise(r);
	uint64_t len = r->icount - start;
	for (uint64_t k = 1; k < len; k++) {
		struct machine *m = pu_new(code), *s = pu_new(code);
		cpu_run(tm_cpu(m), start + k);
		for (uint64_t n = 1; n <= k; n++)
			cpu_run(tm_cpu(s), start + n);
		assert_same_state(tm_cpu(m), tm_cpu(s));
		tm_free(m);
		tm_free(s);
	}
	tm_free(ref);
}

/* SDM vol. 2, Jcc: a target beyond the CS limit raises #GP(0) at the
 * branch, after other instructions of its block ran lazily. */
Test(runloop, branch_beyond_the_limit_faults_at_the_branch)
{
	struct machine *m = pu_new("31 c0"              /* xor eax, eax: ZF = 1 */
				   "0f 84 00 10 00 00"  /* jz +1000h: beyond the limit */
				   "43"                 /* inc ebx */
				   "f4");
	struct cpu *c = tm_cpu(m);
	pu_desc(m, PU_GDT, 7, 0, TM_CODE + 0xFF, PU_CODE, 0x4); /* 32-bit, byte limit */
	pu_seg(c, S_CS, PU_FREE);
	tm_run(m);
	cr_assert_eq(c->eip, TM_HANDLERS + EXC_GP + 1, "#GP delivered");
	cr_assert_eq(tm_peek32(m, c->r[R_ESP].d + 4), TM_CODE + 2, "at the JZ");
	cr_assert_eq(c->r[R_EBX].d, 0);
	tm_free(m);
}

/* The same in real mode, with 16-bit Jcc: taken, not taken, and a taken
 * backward branch whose target wraps below offset 0 to the top of the
 * 64 KiB segment (SDM vol. 2, Jcc: the target is masked to 16 bits). */
Test(runloop, branches_in_16bit_code)
{
	const char *code = "31 db"          /* xor bx, bx */
			   "b9 03 00"       /* mov cx, 3 */
			   "43"             /* L: inc bx */
			   "49"             /* dec cx */
			   "75 fc"          /* jnz L */
			   "74 03"          /* jz +3: taken */
			   "83 c3 64"       /* add bx, 100 */
			   "78 03"          /* js +3: not taken */
			   "83 c3 10"       /* add bx, 16 */
			   "f4";
	struct machine *m = tm_new(code);
	tm_run(m);
	cr_assert_eq(tm_cpu(m)->r[R_EBX].w, 3 + 16);
	tm_free(m);
	check_against_stepwise(tm_new, code);

	m = tm_new("31 c0"    /* xor ax, ax: ZF = 1 */
		   "74 f8"    /* jz -8: from 0004h to FFFCh */
		   "43 f4");  /* inc bx; hlt */
	tm_poke(m, TM_CODE + 0xFFFC, "41 f4"); /* inc cx; hlt */
	tm_run(m);
	struct cpu *c = tm_cpu(m);
	cr_assert_eq(c->r[R_ECX].w, 1);
	cr_assert_eq(c->r[R_EBX].w, 0);
	cr_assert_eq(c->eip, 0xFFFE);
	tm_free(m);
}

/* ---- random code: whole blocks against one instruction at a time ---- */

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Fill the code area with n random bytes, as hex for tm_new. */
static void random_hex(char *hex, unsigned n, uint32_t seed)
{
	uint32_t s = seed * 2654435761u + 1;
	for (unsigned k = 0; k < n; k++)
		snprintf(hex + 3 * k, 4, "%02x ", xorshift(&s) & 0xFF);
}

/* Run to HLT, shutdown or `budget` instructions, whole blocks at a time. */
static void run_whole(struct cpu *c, uint64_t budget)
{
	uint64_t end = c->icount + budget;
	for (unsigned n = 0; n < 1000 && !c->halted && !c->shutdown && c->icount < end; n++) {
		c->exit_request = false;
		cpu_run(c, end);
	}
}

static void run_steps(struct cpu *c, uint64_t budget)
{
	uint64_t end = c->icount + budget;
	for (unsigned n = 0; n < 100000 && !c->halted && !c->shutdown && c->icount < end; n++) {
		c->exit_request = false;
		cpu_run(c, c->icount + 1);
	}
}

static void check_random_code(struct machine *(*build)(const char *), uint32_t seed)
{
	char hex[3 * 256 + 1];
	random_hex(hex, 256, seed);
	struct machine *a = build(hex), *b = build(hex);
	run_whole(tm_cpu(a), 400);
	run_steps(tm_cpu(b), 400);
	struct cpu *x = tm_cpu(a), *y = tm_cpu(b);
	for (unsigned r = 0; r < 8; r++)
		cr_assert_eq(x->r[r].d, y->r[r].d, "seed %u: register %u", seed, r);
	cr_assert_eq(x->eip, y->eip, "seed %u: EIP %x vs %x", seed, x->eip, y->eip);
	cr_assert_eq(x->icount, y->icount, "seed %u: icount", seed);
	cr_assert_eq(cpu_get_eflags(x), cpu_get_eflags(y), "seed %u: EFLAGS", seed);
	for (unsigned s = 0; s < 6; s++)
		cr_assert_eq(x->seg[s].sel, y->seg[s].sel, "seed %u: segment %u", seed, s);
	cr_assert_eq(x->halted, y->halted, "seed %u: halted", seed);
	const struct memmap *ma = machine_mem(a), *mb = machine_mem(b);
	cr_assert(memcmp(ma->ram, mb->ram, ma->ram_size) == 0, "seed %u: memory differs", seed);
	tm_free(a);
	tm_free(b);
}

/* Random bytes as code (prefixes, faults, self-modifying stores, string
 * instructions, far transfers through whatever the IVT holds...): running
 * them a block at a time must give exactly the state one instruction at a
 * time gives, in real mode and in flat 32-bit protected mode. */
Test(runloop, random_code_runs_the_same_whole_and_stepwise)
{
	for (uint32_t seed = 1; seed <= 300; seed++) {
		check_random_code(tm_new, seed);
		check_random_code(pu_new, seed);
	}
}

/* Fourteen prefixes and an opcode that still needs its ModR/M and
 * immediate: the fifteenth byte does not end the instruction, so it is
 * longer than 15 bytes and raises #GP(0) (SDM vol. 2, 2.3.11), in real and
 * protected mode. The decoder once asked for more bytes than the 15 the
 * run loop gives and the CPU called a null handler. */
Test(runloop, instruction_past_fifteen_bytes_raises_gp)
{
	const char *code = "66 66 66 66 66 66 66 66 66 66 66 66 66 66 81 c0 01 00 00 00 f4";
	struct machine *m = tm_new(code);
	tm_run_expect(m, "real mode", 0, EXC_GP);
	tm_free(m);
	m = pu_new("67 67 67 67 67 67 67 67 67 67 67 67 67 0f 84 00 00 00 00 f4");
	cr_assert_eq(tm_run(m), MACHINE_HALTED);
	cr_assert_eq(tm_cpu(m)->eip, TM_HANDLERS + EXC_GP + 1, "protected mode: EIP %x",
		     tm_cpu(m)->eip);
	tm_free(m);
}
