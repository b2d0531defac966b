/*
 * Protected-mode test fixtures: a tm_new machine switched to protected mode
 * with a flat GDT, an IDT whose every vector is a 32-bit interrupt gate to
 * the HLT at TM_HANDLERS + vector (ring 0), and a 32-bit TSS. Tests add
 * descriptors, gates and page tables in guest memory with these helpers
 * and call the protected-mode entry points inside PU_TRY.
 */
#ifndef POPEK_PROT_UTIL_H
#define POPEK_PROT_UTIL_H

#include <setjmp.h>

#include "tests/tm.h"

#define PU_GDT 0x30000u
#define PU_IDT 0x31000u
#define PU_TSS 0x32000u  /* 32-bit TSS, limit 0x2067 (I/O bitmap at 0x68) */
#define PU_LDT 0x34000u
#define PU_TSS2 0x35000u /* room for a second task */
#define PU_PD 0x40000u   /* page directory for paging tests */

/* GDT selectors of the fixture */
enum {
	PU_CS0 = 0x08,  /* flat 32-bit code, DPL 0 */
	PU_DS0 = 0x10,  /* flat 32-bit data, DPL 0 */
	PU_CS3 = 0x1B,  /* flat 32-bit code, DPL 3 (RPL 3) */
	PU_DS3 = 0x23,  /* flat 32-bit data, DPL 3 (RPL 3) */
	PU_TSS_SEL = 0x28,
	PU_LDT_SEL = 0x30,
	PU_FREE = 0x38, /* first index tests may use: 7 */
};

/* Descriptor access bytes */
#define PU_CODE 0x9Au /* present, DPL 0, code, readable */
#define PU_DATA 0x92u /* present, DPL 0, data, writable */
#define PU_G32 0xCu   /* flags nibble: G and D/B */

struct machine *pu_new(const char *hex);
/* Switch a tm_new-style machine to that protected-mode set-up; returns m. */
struct machine *pu_enter(struct machine *m);
/* Write a segment descriptor at table + 8 * index. flags: G D/B L AVL nibble. */
void pu_desc(struct machine *m, paddr_t table, unsigned index, uint32_t base, uint32_t limit,
	     uint8_t access, uint8_t flags);
/* Write a gate: access is the P/DPL/type byte (0x8E interrupt gate...). */
void pu_gate(struct machine *m, paddr_t table, unsigned index, uint16_t sel, uint32_t off,
	     uint8_t access, unsigned params);
/* Load a segment register cache straight from the GDT/LDT (no checks), as
 * a fixture; loading CS sets CPL to the selector's RPL. */
void pu_seg(struct cpu *c, unsigned s, uint16_t sel);
/* Switch to ring 3: CS=PU_CS3, SS=DS=ES=PU_DS3, ESP=esp. */
void pu_ring3(struct cpu *c, uint32_t esp);
/* Set ring n's SS:ESP in the 32-bit TSS at tss. */
void pu_tss_stack(struct machine *m, paddr_t tss, unsigned ring, uint16_t ss, uint32_t esp);
void pu_poke32(struct machine *m, paddr_t at, uint32_t v);
void pu_poke16(struct machine *m, paddr_t at, uint16_t v);

/* Decode the 32-bit instruction in bytes (n bytes long) and run the handler
 * the block builder would pick (ops_fast_pick) once, at c->eip, with
 * next_eip = eip + n, under its own setjmp: the vector raised, or -1. */
int pu_run32(struct cpu *c, const char *bytes, unsigned n);

/* Run stmt; afterwards c->exc_vector is the vector it raised, or -1. */
#define PU_TRY(c, stmt)                                      \
	do {                                                 \
		(c)->exc_vector = -1;                        \
		(c)->exc_error = -1;                         \
		if (setjmp((c)->jmp) == 0) {                 \
			stmt;                                \
		}                                            \
	} while (0)

#endif
