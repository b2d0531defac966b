/*
 * The x86 CPU: architectural state, the decoded-instruction form, and the
 * interface the board uses (run, reset, interrupt line). Models a 32-bit
 * P6-family core without MMX/SSE (Intel SDM vol. 3 for system behaviour).
 *
 * Hot-path contract (../shared/STYLE.md): handlers receive the CPU and a decoded
 * struct insn; cpu->eip is the address of the current instruction and
 * cpu->next_eip the fall-through address, which control transfers overwrite.
 * A handler makes every access that can fault before its first architectural
 * write; faults longjmp back to the run loop, which restarts at cpu->eip.
 */
#ifndef POPEK_CPU_H
#define POPEK_CPU_H

#include <setjmp.h>

#include "cpu/debug.h"
#include "cpu/flags.h"
#include "cpu/tlb.h"
#include "mem/memmap.h"
#include "mem/types.h"

enum { R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI, R_NONE };
enum { S_ES, S_CS, S_SS, S_DS, S_FS, S_GS, S_NONE };

/* EFLAGS bits */
#define F_CF 0x1u
#define F_PF 0x4u
#define F_AF 0x10u
#define F_ZF 0x40u
#define F_SF 0x80u
#define F_TF 0x100u
#define F_IF 0x200u
#define F_DF 0x400u
#define F_OF 0x800u
#define F_IOPL 0x3000u
#define F_NT 0x4000u
#define F_RF 0x10000u
#define F_VM 0x20000u
#define F_AC 0x40000u
#define F_VIF 0x80000u
#define F_VIP 0x100000u
#define F_ID 0x200000u
#define F_ARITH (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)

#define CR0_PE 0x1u
#define CR0_MP 0x2u
#define CR0_EM 0x4u
#define CR0_TS 0x8u
#define CR0_ET 0x10u
#define CR0_NE 0x20u
#define CR0_WP 0x10000u
#define CR0_AM 0x40000u
#define CR0_NW 0x20000000u
#define CR0_CD 0x40000000u
#define CR0_PG 0x80000000u
#define CR4_VME 0x1u
#define CR4_PVI 0x2u
#define CR4_TSD 0x4u
#define CR4_DE 0x8u
#define CR4_PSE 0x10u
#define CR4_PGE 0x80u

/* Exception vectors */
enum {
	EXC_DE = 0, EXC_DB = 1, EXC_NMI = 2, EXC_BP = 3, EXC_OF = 4, EXC_BR = 5,
	EXC_UD = 6, EXC_NM = 7, EXC_DF = 8, EXC_TS = 10, EXC_NP = 11, EXC_SS = 12,
	EXC_GP = 13, EXC_PF = 14, EXC_MF = 16, EXC_AC = 17,
};
#define EXC_NO_ERROR (-1)

union gpr {
	uint32_t d;
	uint16_t w;
	uint8_t b[4];
};

/* A segment register with its descriptor cache. ar holds bits 8-23 of the
 * descriptor's high dword: type(0-3) S(4) DPL(5-6) P(7) AVL(12) D/B(14) G(15). */
struct seg {
	uint32_t base;
	uint32_t limit; /* byte-granular, already scaled by G */
	uint16_t sel;
	uint16_t ar;
	uint8_t chk; /* SEGCHK_*: reasons an access must take the slow checks */
	/* Highest last-byte offset (off + size - 1) a read or a write may take
	 * through the fast path: the limit, or -1 (nothing) when chk sends that
	 * kind of access to the slow checks. Set by seg_update_chk, which must
	 * run after every change to the cache or to the CPU mode. */
	int64_t rd_max, wr_max;
};
#define SEGCHK_NULL 0x01    /* null selector in protected mode: any access faults */
#define SEGCHK_NOREAD 0x02  /* execute-only code segment */
#define SEGCHK_NOWRITE 0x04 /* code or read-only data segment */
#define SEGCHK_EXPDOWN 0x08 /* expand-down: offsets must be above the limit */
#define AR_TYPE(ar) ((ar) & 0xF)
#define AR_S 0x10u
#define AR_DPL(ar) (((ar) >> 5) & 3)
#define AR_P 0x80u
#define AR_DB 0x4000u
#define AR_G 0x8000u

struct dtr {
	uint32_t base;
	uint16_t limit;
};

struct cpu;
struct insn;
typedef void (*insn_fn)(struct cpu *cpu, const struct insn *i);

/* insn.flags */
#define I_O32 0x01   /* 32-bit operand size */
#define I_A32 0x02   /* 32-bit address size */
#define I_REP 0x04   /* F3: REP / REPE */
#define I_REPNE 0x08 /* F2: REPNE */
#define I_LOCK 0x10
#define I_SEGOVR 0x20 /* a segment override prefix was present */

/* One decoded instruction. Register and memory forms have separate
 * handlers, chosen at decode time together with the operand size. */
struct insn {
	insn_fn fn;
	uint32_t disp;  /* memory displacement, or moffs for MOV A0-A3 */
	uint32_t imm;   /* immediate, or sign-extended relative branch offset */
	uint32_t amask; /* 0xFFFF or 0xFFFFFFFF: effective-address wrap */
	uint16_t imm2;  /* far pointer selector, ENTER nesting level */
	uint8_t len;
	uint8_t op;     /* last opcode byte (conditions, register in opcode) */
	uint8_t reg;    /* ModR/M reg field, or register encoded in the opcode */
	uint8_t rm;     /* ModR/M rm register (register form) */
	uint8_t base, index, scale; /* memory form; R_NONE when absent */
	uint8_t seg;    /* segment of the memory operand after overrides */
	uint8_t flags;  /* I_* */
	uint8_t modrm;  /* raw ModR/M byte (disassembler, debug) */
	uint8_t idx;    /* position in its block (the run loop's lazy icount) */
	uint16_t eoff;  /* offset of its first byte from the block's start (lazy EIP) */
};

/* Why cpu_run returned. */
enum cpu_exit {
	CPU_EXIT_BUDGET,   /* reached the instruction budget or a timer deadline */
	CPU_EXIT_HALT,     /* HLT and nothing to wake it */
	CPU_EXIT_SHUTDOWN, /* triple fault: the board resets the machine */
	CPU_EXIT_REQUEST,  /* the board asked the CPU to stop (cpu_request_exit) */
};

struct cpu_callbacks {
	void *opaque;
	/* I/O space (IN/OUT, INS/OUTS) */
	uint32_t (*io_read)(void *opaque, uint16_t port, unsigned size);
	void (*io_write)(void *opaque, uint16_t port, uint32_t value, unsigned size);
	/* Interrupt acknowledge: returns the vector of the pending INTR. */
	uint8_t (*intr_ack)(void *opaque);
};

struct icache;

struct cpu {
	/* General registers, EIP and flags first: the hottest cache line. */
	union gpr r[9]; /* r[R_NONE] is always 0 so address arithmetic needs no branch */
	uint32_t eip;
	uint32_t next_eip;
	uint32_t eflags; /* arithmetic bits are stale while lf.kind != LF_NONE */
	struct lazy_flags lf;
	uint64_t icount;      /* retired instructions (a REP counts once per iteration) */
	uint64_t stop_icount; /* run loop leaves at this count; 0 requests attention */
	uint64_t until;       /* the budget cpu_run was given */
	/* Inside a block the run loop keeps EIP and icount lazily: EIP holds
	 * the block's start address and blk_icount its count, and cur points
	 * at the instruction running; cur is NULL whenever EIP and icount are
	 * exact (outside blocks, and for a block's last instruction, the only
	 * one that may read or move EIP). run_end bounds the loop: cpu_kick
	 * clears it to stop a block after the instruction running. */
	const struct insn *cur;
	const struct insn *run_end;
	uint64_t blk_icount;

	struct seg seg[6];
	struct dtr gdtr, idtr;
	struct seg ldtr, tr;
	uint32_t cr0, cr2, cr3, cr4;
	uint32_t dr[8];
	uint8_t cpl;
	bool halted;
	bool intr;          /* INTR line level from the interrupt controller */
	bool nmi_pending;
	bool exit_request;
	bool shutdown;
	uint64_t shadow_icount; /* interrupts held off until icount passes this (STI, MOV SS) */
	uint32_t a20_mask;      /* 0xFFFFFFFF, or ~(1 << 20) when the A20 gate is closed */
	uint64_t tsc_offset;
	uint64_t apic_base;
	uint32_t sysenter_cs, sysenter_esp, sysenter_eip;

	/* Exception in flight (set by cpu_raise, delivered by the run loop). */
	int exc_vector;
	int32_t exc_error;
	int exc_nest; /* 0 normal, 1 delivering, 2 delivering #DF */
	int exc_first; /* vector being delivered when exc_nest is 1 */
	struct cpu_debug dbg; /* single step and breakpoints (debug.c) */

	/* The TLB table for the current CPL (tlb.e[0] or tlb.e[1]), kept by
	 * cpu_set_cpl so that the access fast path need not test the CPL. It
	 * points into this struct, which is never copied (machine.c embeds it). */
	struct tlb_entry *tlb_cur;
	struct tlb tlb;
	struct icache *icache;
	struct memmap *mem;
	struct cpu_callbacks cb;
	jmp_buf jmp;
};

/* Lifecycle */
int cpu_init(struct cpu *c, struct memmap *mem, const struct cpu_callbacks *cb);
void cpu_destroy(struct cpu *c);
void cpu_reset(struct cpu *c); /* power-on / RESET state: F000:FFF0 */

/* Execute until icount reaches until, HLT, shutdown or an exit request. */
enum cpu_exit cpu_run(struct cpu *c, uint64_t until);
/* Make the run loop look at pending events at the next instruction boundary. */
static inline void cpu_kick(struct cpu *c)
{
	c->stop_icount = 0;
	c->run_end = NULL;
}
/* The exact retired-instruction count, also in the middle of a block. */
static inline uint64_t cpu_icount(const struct cpu *c)
{
	return c->cur ? c->blk_icount + c->cur->idx : c->icount;
}
/* Bring icount up to the running instruction for readers outside the CPU
 * (the board's clock reads it through a pointer at port and MMIO accesses). */
static inline void cpu_sync_icount(struct cpu *c) { c->icount = cpu_icount(c); }
void cpu_set_intr(struct cpu *c, bool level);
void cpu_request_exit(struct cpu *c);
void cpu_set_a20(struct cpu *c, bool enabled);
/* Forget translations and decoded code (mapping changes). */
void cpu_flush_tlb(struct cpu *c, bool keep_global);
/* Forget the translation of linear page la (INVLPG). */
void cpu_invlpg(struct cpu *c, laddr_t la);
void cpu_invalidate_code(struct cpu *c, paddr_t addr, unsigned len);

/* Raise an exception from a handler or the MMU: never returns. */
_Noreturn void cpu_raise(struct cpu *c, int vector, int32_t error);

/* EFLAGS with the lazy arithmetic bits folded in, and its inverse. */
uint32_t cpu_get_eflags(struct cpu *c);
void cpu_set_eflags(struct cpu *c, uint32_t value, uint32_t writable);

static inline bool cpu_real_mode(const struct cpu *c) { return !(c->cr0 & CR0_PE); }
static inline bool cpu_v86_mode(const struct cpu *c) { return (c->eflags & F_VM) != 0; }
static inline bool cpu_prot_mode(const struct cpu *c) { return (c->cr0 & CR0_PE) && !(c->eflags & F_VM); }

/* Every CPL change goes through here: it also selects the TLB table that
 * non-ACC_SYS accesses use (supervisor for CPL 0-2, user for CPL 3). */
/* After CS or the CPL changed: the block links to use (cpu/tlb.h). */
void mmu_cs_changed(struct cpu *c);
static inline void cpu_set_cpl(struct cpu *c, unsigned cpl)
{
	bool changed = c->cpl != cpl;
	c->cpl = (uint8_t)cpl;
	c->tlb_cur = c->tlb.e[cpl == 3];
	if (changed)
		mmu_cs_changed(c);
}

/* Register access */
static inline uint8_t *cpu_reg8(struct cpu *c, unsigned n) { return &c->r[n & 3].b[n >> 2]; }

#endif
