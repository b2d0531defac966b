/*
 * Memory access for instruction handlers: segmentation (limit and rights
 * checks, SDM vol. 3 ch. 5), then the software TLB, falling back to the page
 * walk in mmu.c. Every function here may raise an exception (longjmp),
 * except cpu_fast_ptr and the host_* loads and stores, which never fault:
 * they are the call-free fast path of the frameless handlers.
 */
#ifndef POPEK_MMU_H
#define POPEK_MMU_H

#include <string.h>

#include "cpu/cpu.h"

/* Access kinds for the slow path and the page walk. */
#define ACC_READ 0u
#define ACC_WRITE 1u
#define ACC_EXEC 2u
#define ACC_SYS 4u /* supervisor access whatever the CPL (descriptor tables, TSS) */

laddr_t seg_linear_slow(struct cpu *c, unsigned s, uint32_t off, unsigned size, unsigned deny);
uint32_t mmu_read_slow(struct cpu *c, laddr_t la, unsigned size, unsigned acc);
void mmu_write_slow(struct cpu *c, laddr_t la, uint32_t v, unsigned size, unsigned acc);
/* Translate a linear address (page walk, #PF, A20); fills the TLB. */
paddr_t mmu_translate(struct cpu *c, laddr_t la, unsigned acc);
/* Check that [la, la+len) can be written, faulting now if not (multi-part writes). */
void mmu_probe_write(struct cpu *c, laddr_t la, unsigned len);
/* Set up the segment's check bits after its cache was loaded. */
void seg_update_chk(struct cpu *c, unsigned s);

static inline unsigned mmu_user(const struct cpu *c) { return c->cpl == 3; }

/* The deny argument of seg_linear: the SEGCHK_* bits that make an access
 * of that kind take the slow checks. */
#define SEG_DENY_READ (SEGCHK_NULL | SEGCHK_NOREAD | SEGCHK_EXPDOWN)
#define SEG_DENY_WRITE (SEGCHK_NULL | SEGCHK_NOWRITE | SEGCHK_EXPDOWN)

static inline laddr_t seg_linear(struct cpu *c, unsigned s, uint32_t off, unsigned size,
				 unsigned deny)
{
	/* One signed compare against the precomputed bound does both the rights
	 * and the limit check; the slow path redoes them to pick the fault. */
	const struct seg *sg = &c->seg[s];
	int64_t max = (deny & SEGCHK_NOWRITE) ? sg->wr_max : sg->rd_max;
	if (unlikely((int64_t)off + (int64_t)size - 1 > max))
		return seg_linear_slow(c, s, off, size, deny);
	return sg->base + off;
}

static inline struct tlb_entry *tlb_entry_for(struct cpu *c, laddr_t la, unsigned user)
{
	return &c->tlb.e[user][(la >> PAGE_SHIFT) & (TLB_SIZE - 1)];
}

/* The entry an access of kind acc uses: table 0 for ACC_SYS, else the
 * current CPL's table (c->tlb_cur, so no CPL test on the hot path). */
static inline struct tlb_entry *tlb_entry_acc(struct cpu *c, laddr_t la, unsigned acc)
{
	/* Byte offset of the entry: 32-byte entries, so one shift and mask. */
	uint32_t at = (la >> (PAGE_SHIFT - 5)) & ((TLB_SIZE - 1) << 5);
	_Static_assert(sizeof(struct tlb_entry) == 1u << 5, "entry size");
	struct tlb_entry *table = (acc & ACC_SYS) ? c->tlb.e[0] : c->tlb_cur;
	return (struct tlb_entry *)((uint8_t *)table + at);
}

/* The tag an access of size bytes at la must match: the page of its last
 * byte. The entry is picked by the page of its first byte, and two
 * consecutive pages never share an entry, so one compare also rejects an
 * access that crosses into the next page (it takes the slow path). */
static inline uint32_t tlb_tag_of(laddr_t la, unsigned size)
{
	return (uint32_t)(la + size - 1) & PAGE_MASK;
}

#define DEFINE_LIN_ACCESS(bits, type)                                                    \
	static inline type lin_rd##bits##_acc(struct cpu *c, laddr_t la, unsigned acc)  \
	{                                                                                \
		struct tlb_entry *e = tlb_entry_acc(c, la, acc);                         \
		if (likely(e->tag_read == tlb_tag_of(la, sizeof(type)))) {              \
			type v;                                                          \
			memcpy(&v, (const uint8_t *)(e->addend + la), sizeof(type));    \
			return v;                                                        \
		}                                                                        \
		return (type)mmu_read_slow(c, la, sizeof(type), acc);                    \
	}                                                                                \
	static inline void lin_wr##bits##_acc(struct cpu *c, laddr_t la, type v, unsigned acc) \
	{                                                                                \
		struct tlb_entry *e = tlb_entry_acc(c, la, acc);                         \
		if (likely(e->tag_write == tlb_tag_of(la, sizeof(type)))) {             \
			memcpy((uint8_t *)(e->addend + la), &v, sizeof(type));           \
			return;                                                          \
		}                                                                        \
		mmu_write_slow(c, la, v, sizeof(type), acc | ACC_WRITE);                 \
	}                                                                                \
	static inline type lin_rd##bits(struct cpu *c, laddr_t la)                      \
	{                                                                                \
		return lin_rd##bits##_acc(c, la, ACC_READ);                              \
	}                                                                                \
	static inline void lin_wr##bits(struct cpu *c, laddr_t la, type v)              \
	{                                                                                \
		lin_wr##bits##_acc(c, la, v, ACC_WRITE);                                 \
	}                                                                                \
	/* Segmented access: seg:off with limit and rights checks. */                    \
	static inline type cpu_rd##bits(struct cpu *c, unsigned s, uint32_t off)        \
	{                                                                                \
		return lin_rd##bits(c, seg_linear(c, s, off, sizeof(type), SEG_DENY_READ)); \
	}                                                                                \
	static inline void cpu_wr##bits(struct cpu *c, unsigned s, uint32_t off, type v) \
	{                                                                                \
		lin_wr##bits(c, seg_linear(c, s, off, sizeof(type), SEG_DENY_WRITE), v); \
	}

DEFINE_LIN_ACCESS(8, uint8_t)
DEFINE_LIN_ACCESS(16, uint16_t)
DEFINE_LIN_ACCESS(32, uint32_t)

/*
 * The frameless handler pattern. cpu_fast_ptr is the whole fast path of a
 * data access with no call in it: it sets *p to the host address of size
 * bytes at s:off and returns true, or returns false whenever anything needs
 * the slow path (segment rights or limit, TLB miss, MMIO or code page, an
 * access crossing a page). It neither faults nor changes any state, so a
 * handler that gets false before its first architectural write can hand
 * the whole instruction to a noinline slow twin, as a tail call:
 *
 *	uint8_t *p;
 *	if (unlikely(!cpu_fast_ptr(c, i->seg, insn_ea(c, i), 4, true, &p))) {
 *		op_X_slow(c, i);
 *		return;
 *	}
 *
 * and the fast path then needs no stack frame. (A bool and an out pointer
 * rather than NULL: the compiler cannot assume addend + la is not NULL.)
 * A write pointer also serves reads of the same bytes (read-modify-write):
 * a segment with a write bound is writable data, which is always readable,
 * and a TLB write tag is only ever set together with the read tag.
 */
/* GCC's IPA-SRA would otherwise give the twin a new signature, and the tail
 * call would become a call with a frame around it. */
#if defined(__GNUC__) && !defined(__clang__)
#define MMU_SLOW __attribute__((noinline, noipa))
#else
#define MMU_SLOW __attribute__((noinline))
#endif

static inline bool cpu_fast_ptr(struct cpu *c, unsigned s, uint32_t off, unsigned size, bool write,
				uint8_t **p)
{
	const struct seg *sg = &c->seg[s];
	if (unlikely((int64_t)off + (int64_t)size - 1 > (write ? sg->wr_max : sg->rd_max)))
		return false;
	laddr_t la = sg->base + off;
	const struct tlb_entry *e = tlb_entry_acc(c, la, write ? ACC_WRITE : ACC_READ);
	if (unlikely((write ? e->tag_write : e->tag_read) != tlb_tag_of(la, size)))
		return false;
	*p = (uint8_t *)(e->addend + la);
	return true;
}

/* Loads and stores at a host pointer from cpu_fast_ptr (any alignment). */
static inline uint8_t host_ld8(const uint8_t *p) { return *p; }
static inline uint16_t host_ld16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}
static inline uint32_t host_ld32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}
static inline void host_st8(uint8_t *p, uint8_t v) { *p = v; }
static inline void host_st16(uint8_t *p, uint16_t v) { memcpy(p, &v, sizeof(v)); }
static inline void host_st32(uint8_t *p, uint32_t v) { memcpy(p, &v, sizeof(v)); }

/* Effective address of a decoded memory operand (offset within its segment). */
struct insn;
static inline uint32_t insn_ea(const struct cpu *c, const struct insn *i)
{
	return (c->r[i->base].d + (c->r[i->index].d << i->scale) + i->disp) & i->amask;
}

#endif
