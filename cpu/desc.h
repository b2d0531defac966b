/*
 * Segment descriptors (Intel SDM vol. 3, 3.4-3.5 and 5.8-5.12): fetching
 * them from the GDT or LDT with table-limit checks, decoding them into a
 * segment register cache, the accessed and busy bits, selector error codes,
 * and helpers shared by the protected-mode files (prot_*.c, task.c,
 * interrupt_prot.c): privileged stack access before a stack is loaded and
 * CS loads with a CPL change.
 */
#ifndef POPEK_DESC_H
#define POPEK_DESC_H

#include "cpu/cpu.h"

/* A raw descriptor: the two dwords as stored in the table. */
struct desc {
	uint32_t lo, hi;
};

/* System descriptor and gate types (S = 0). */
enum {
	DT_TSS16 = 1, DT_LDT = 2, DT_TSS16_BUSY = 3, DT_CALL16 = 4, DT_TASK = 5,
	DT_INT16 = 6, DT_TRAP16 = 7, DT_TSS32 = 9, DT_TSS32_BUSY = 11, DT_CALL32 = 12,
	DT_INT32 = 14, DT_TRAP32 = 15,
};

static inline unsigned desc_type(const struct desc *d) { return (d->hi >> 8) & 0xF; }
static inline bool desc_s(const struct desc *d) { return (d->hi & 0x1000) != 0; }
static inline unsigned desc_dpl(const struct desc *d) { return (d->hi >> 13) & 3; }
static inline bool desc_present(const struct desc *d) { return (d->hi & 0x8000) != 0; }
static inline bool desc_code(const struct desc *d) { return desc_s(d) && (d->hi & 0x800); }
static inline bool desc_data(const struct desc *d) { return desc_s(d) && !(d->hi & 0x800); }
static inline bool desc_conforming(const struct desc *d) { return desc_code(d) && (d->hi & 0x400); }
/* Readable code or any data segment. */
static inline bool desc_readable(const struct desc *d) { return desc_s(d) && (!(d->hi & 0x800) || (d->hi & 0x200)); }
static inline bool desc_writable_data(const struct desc *d) { return desc_data(d) && (d->hi & 0x200); }
/* Gate fields */
static inline uint16_t gate_sel(const struct desc *d) { return (uint16_t)(d->lo >> 16); }
static inline uint32_t gate_off(const struct desc *d)
{
	uint32_t off = d->lo & 0xFFFF;
	return (desc_type(d) & 8) ? off | (d->hi & 0xFFFF0000u) : off;
}
static inline unsigned gate_params(const struct desc *d) { return d->hi & 0x1F; }

/* Byte-granular limit (scaled when G = 1). */
static inline uint32_t desc_limit(const struct desc *d)
{
	uint32_t limit = (d->lo & 0xFFFF) | (d->hi & 0xF0000);
	return (d->hi & 0x800000) ? (limit << 12) | 0xFFF : limit;
}

/* Selector-based error code: index and TI, RPL replaced by EXT. */
static inline int32_t sel_err(uint16_t sel, bool ext) { return (int32_t)((sel & 0xFFFC) | ext); }
static inline bool sel_null(uint16_t sel) { return (sel & 0xFFFC) == 0; }

/* Read the descriptor sel names; false when the index is beyond the GDT or
 * LDT limit (or TI = 1 with no usable LDT). Does not look at the null index. */
bool desc_fetch(struct cpu *c, uint16_t sel, struct desc *d);
/* Same, raising vector(sel_err(sel, ext)) when out of limits. */
void desc_fetch_or_raise(struct cpu *c, uint16_t sel, struct desc *d, int vector, bool ext);
/* Fill a segment cache from a code, data or system-segment descriptor. */
void desc_to_seg(const struct desc *d, uint16_t sel, struct seg *s);
/* Set the accessed bit in the table (and in *d) if it is clear. */
void desc_set_accessed(struct cpu *c, uint16_t sel, struct desc *d);
/* Set or clear the busy bit of the TSS descriptor sel names in the GDT. */
void desc_set_busy(struct cpu *c, uint16_t sel, bool busy);

/* Load CS from a checked code descriptor, RPL and CPL becoming cpl. */
void prot_load_cs(struct cpu *c, uint16_t sel, struct desc *d, unsigned cpl);
/* Load SS from a checked descriptor. */
void prot_load_ss(struct cpu *c, uint16_t sel, struct desc *d);
/* Load a null selector into a data segment register (unusable cache). */
void prot_load_null(struct cpu *c, unsigned s, uint16_t sel);
/* After a return to an outer level: DS ES FS GS whose DPL is below the new
 * CPL (data or non-conforming code) become null (SDM RET, IRET). */
void prot_invalidate_outer(struct cpu *c);

/* A stack addressed before its segment is loaded, so that every push can
 * fault before the CPU state changes. Pushes and pops check the segment
 * limit (expand-down too) and raise vector(err) on a violation. */
struct pstack {
	struct seg seg;
	uint32_t sp;
	uint32_t top;  /* ESP bits above the mask, kept on commit */
	uint32_t mask; /* 0xFFFF or 0xFFFFFFFF from the B bit */
	int vector;
	int32_t err;
	unsigned acc; /* ACC_SYS for inner-level stacks */
};
void pstack_init(struct pstack *st, const struct seg *seg, uint32_t esp, int vector, int32_t err,
		 unsigned acc);
/* The current SS:ESP; faults raise #SS(0). */
void pstack_current(struct cpu *c, struct pstack *st);
void pstack_push(struct cpu *c, struct pstack *st, uint32_t v, unsigned size);
uint32_t pstack_pop(struct cpu *c, struct pstack *st, unsigned size);
/* Check that n bytes below (or from, for reads) sp fit in the segment. */
void pstack_room(struct cpu *c, const struct pstack *st, unsigned n);
void pstack_avail(struct cpu *c, const struct pstack *st, unsigned n);
/* Set ESP from the stack pointer (its segment is now in SS). */
void pstack_commit(struct cpu *c, const struct pstack *st);

/* Inner-level stack pointer for privilege level dpl from the current TSS;
 * a TSS too short raises #TS(TR selector + ext). */
void tss_inner_stack(struct cpu *c, unsigned dpl, bool ext, uint16_t *ss, uint32_t *esp);
/* Check and fetch the stack segment for an inner-level transfer to a code
 * segment of privilege dpl (SDM CALL and INT pseudo-code). */
void prot_check_inner_ss(struct cpu *c, uint16_t ss, unsigned dpl, bool ext, struct desc *d);

/* RET and IRET: check the popped CS per the SDM pseudo-code; raise
 * #GP(sel) or #NP(sel). (prot_far.c) */
void prot_check_ret_cs(struct cpu *c, uint16_t cs, struct desc *d);
/* An SS selector for privilege level cpl (MOV/POP SS, task switches, and
 * RET/IRET to an outer level with vec #GP): null, unreadable, not writable
 * data or a DPL/RPL other than cpl raise vec(sel), not present #SS(sel).
 * (prot_seg.c) */
void prot_check_ss(struct cpu *c, uint16_t sel, struct desc *d, unsigned cpl, int vec, bool ext);

#endif
