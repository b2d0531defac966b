/*
 * Single-step and debug-register breakpoints (Intel SDM vol. 3, ch. 17
 * "Debug, Branch Profile, TSC"). The run loop pays nothing while no
 * breakpoint is enabled and TF and RF are clear: the state below is
 * recomputed at every boundary the loop already stops at, and while it is
 * active the loop stops after every instruction. Pages holding a watched
 * linear address get no TLB entry, so data accesses to them take the slow
 * path, which reports hits here.
 */
#ifndef POPEK_DEBUG_H
#define POPEK_DEBUG_H

#include "mem/types.h"

struct cpu;

struct cpu_debug {
	uint32_t hits;       /* DR6 B0-B3 of data breakpoints hit by this instruction */
	uint32_t seen[5];    /* DR0-DR3 and DR7 the TLB was last set up for */
	bool active;         /* stop after every instruction */
	bool data;           /* some data breakpoint is enabled */
	bool step;           /* TF was set at the start of this instruction */
};

#define DR6_BS 0x4000u /* single step */
#define DR6_BD 0x2000u /* debug-register access detected */
#define DR7_GD 0x2000u

/* Run loop, at an instruction boundary: deliver the trap the previous
 * instruction earned, if any (before external interrupts). */
void debug_after(struct cpu *c);
/* Run loop, before the next instruction: instruction breakpoints (a fault),
 * RF, and arming single step. Returns true if the loop must stop after
 * one instruction. */
bool debug_before(struct cpu *c);
/* An exception interrupted the instruction: it earns no trap. */
void debug_cancel(struct cpu *c);
/* Slow-path data access (mmu.c): record data breakpoint hits. */
void debug_data_access(struct cpu *c, laddr_t la, unsigned size, unsigned acc);
/* A data breakpoint watches an address in this linear page (tlb_fill). */
bool debug_page_watched(const struct cpu *c, laddr_t page);

#endif
