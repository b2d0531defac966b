/*
 * String instructions: MOVS, CMPS, STOS, LODS, SCAS, INS, OUTS in byte,
 * word and dword forms, with REP/REPE/REPNE (Intel SDM vol. 2, the
 * instruction pages and "REP/REPE/REPZ/REPNE/REPNZ"; vol. 1, 7.3.9).
 *
 * The address size picks SI/DI/CX or ESI/EDI/ECX; the source segment is
 * i->seg (DS unless overridden), the destination always ES. A REP runs as a
 * sequence of iterations that each commit SI, DI and CX, so a fault or an
 * interruption leaves the completed ones in place; each iteration counts as
 * one retired instruction, and when the run loop's stop count is reached
 * the instruction leaves EIP on itself to resume later.
 *
 * REP MOVS and REP STOS copy or fill, and REPE/REPNE CMPS and SCAS compare,
 * a whole run of elements at once when
 * both ends are plain RAM in one page and inside their segment limits: the
 * host pointers come from the TLB, which never maps a page holding decoded
 * code or MMIO for writing, so such pages fall back to one element at a time
 * through the normal access path (which invalidates decoded code).
 *
 * Deviation: F2 (REPNE) on MOVS, STOS, LODS, INS and OUTS acts as REP, as
 * on Intel processors.
 */
#include "cpu/ops.h"

#include <stddef.h>
#include <string.h>

#include "cpu/mmu.h"
#include "cpu/seg.h"

/* ---- element access and index registers ---- */

static inline uint32_t size_mask(unsigned size)
{
	return size == 4 ? 0xFFFFFFFFu : (1u << (size * 8)) - 1;
}

static inline uint32_t str_rd(struct cpu *c, unsigned s, uint32_t off, unsigned size)
{
	if (size == 1)
		return cpu_rd8(c, s, off);
	if (size == 2)
		return cpu_rd16(c, s, off);
	return cpu_rd32(c, s, off);
}

static inline void str_wr(struct cpu *c, unsigned s, uint32_t off, uint32_t v, unsigned size)
{
	if (size == 1)
		cpu_wr8(c, s, off, (uint8_t)v);
	else if (size == 2)
		cpu_wr16(c, s, off, (uint16_t)v);
	else
		cpu_wr32(c, s, off, v);
}

static inline uint32_t idx(const struct cpu *c, unsigned r, const struct insn *i)
{
	return c->r[r].d & i->amask;
}

static inline void idx_set(struct cpu *c, unsigned r, uint32_t v, const struct insn *i)
{
	c->r[r].d = (c->r[r].d & ~i->amask) | (v & i->amask);
}

static inline uint32_t delta(const struct cpu *c, unsigned size)
{
	return (c->eflags & F_DF) ? (uint32_t)-size : size;
}

/* ---- single iterations: each commits its index registers ---- */

static inline void movs_once(struct cpu *c, const struct insn *i, unsigned size)
{
	uint32_t si = idx(c, R_ESI, i), di = idx(c, R_EDI, i), d = delta(c, size);
	str_wr(c, S_ES, di, str_rd(c, i->seg, si, size), size);
	idx_set(c, R_ESI, si + d, i);
	idx_set(c, R_EDI, di + d, i);
}

static inline void stos_once(struct cpu *c, const struct insn *i, unsigned size)
{
	uint32_t di = idx(c, R_EDI, i);
	str_wr(c, S_ES, di, c->r[R_EAX].d, size);
	idx_set(c, R_EDI, di + delta(c, size), i);
}

static inline void lods_once(struct cpu *c, const struct insn *i, unsigned size)
{
	uint32_t si = idx(c, R_ESI, i);
	uint32_t v = str_rd(c, i->seg, si, size);
	if (size == 1)
		c->r[R_EAX].b[0] = (uint8_t)v;
	else if (size == 2)
		c->r[R_EAX].w = (uint16_t)v;
	else
		c->r[R_EAX].d = v;
	idx_set(c, R_ESI, si + delta(c, size), i);
}

static inline void cmps_once(struct cpu *c, const struct insn *i, unsigned size)
{
	uint32_t si = idx(c, R_ESI, i), di = idx(c, R_EDI, i), d = delta(c, size);
	uint32_t a = str_rd(c, i->seg, si, size);
	uint32_t b = str_rd(c, S_ES, di, size);
	idx_set(c, R_ESI, si + d, i);
	idx_set(c, R_EDI, di + d, i);
	lf_set(&c->lf, LF_SUB, size >> 1, (a - b) & size_mask(size), a, b);
}

static inline void scas_once(struct cpu *c, const struct insn *i, unsigned size)
{
	uint32_t di = idx(c, R_EDI, i);
	uint32_t a = c->r[R_EAX].d & size_mask(size);
	uint32_t b = str_rd(c, S_ES, di, size);
	idx_set(c, R_EDI, di + delta(c, size), i);
	lf_set(&c->lf, LF_SUB, size >> 1, (a - b) & size_mask(size), a, b);
}

/* INS probes the destination before reading the port, so a fault does not
 * consume device data. */
static inline void ins_once(struct cpu *c, const struct insn *i, unsigned size)
{
	uint16_t port = c->r[R_EDX].w;
	uint32_t di = idx(c, R_EDI, i);
	cpu_check_io(c, port, size);
	laddr_t la = seg_linear(c, S_ES, di, size, SEG_DENY_WRITE);
	mmu_probe_write(c, la, size);
	cpu_sync_icount(c);
	uint32_t v = c->cb.io_read(c->cb.opaque, port, size);
	if (size == 1)
		lin_wr8(c, la, (uint8_t)v);
	else if (size == 2)
		lin_wr16(c, la, (uint16_t)v);
	else
		lin_wr32(c, la, v);
	idx_set(c, R_EDI, di + delta(c, size), i);
}

static inline void outs_once(struct cpu *c, const struct insn *i, unsigned size)
{
	uint16_t port = c->r[R_EDX].w;
	uint32_t si = idx(c, R_ESI, i);
	cpu_check_io(c, port, size);
	uint32_t v = str_rd(c, i->seg, si, size);
	cpu_sync_icount(c);
	c->cb.io_write(c->cb.opaque, port, v, size);
	idx_set(c, R_ESI, si + delta(c, size), i);
}

/* ---- bulk runs for REP MOVS / REP STOS ---- */

/* How many of up to max elements, starting at off and going in the DF
 * direction, stay inside the segment limit, the address-size wrap and one
 * page. 0 when the segment needs the slow checks or the first element
 * does not fit. */
static uint32_t run_len(const struct cpu *c, const struct insn *i, unsigned s, uint32_t off,
			unsigned size, uint32_t max)
{
	const struct seg *sg = &c->seg[s];
	uint32_t top = sg->limit < i->amask ? sg->limit : i->amask;
	if (sg->chk || (uint64_t)off + size - 1 > top)
		return 0;
	uint32_t pg = (sg->base + off) & (PAGE_SIZE - 1);
	if (pg + size > PAGE_SIZE)
		return 0;
	uint64_t n;
	if (c->eflags & F_DF) {
		n = (off < pg ? off : pg) / size + 1;
	} else {
		uint64_t room = (uint64_t)top - off + 1;
		uint64_t page_room = PAGE_SIZE - pg;
		n = (room < page_room ? room : page_room) / size;
	}
	return n < max ? (uint32_t)n : max;
}

/* Host address of linear la for a read or write, through the TLB; NULL
 * when the page is not plain RAM that this access may use directly. */
static uint8_t *host_at(struct cpu *c, laddr_t la, bool write)
{
	struct tlb_entry *e = tlb_entry_acc(c, la, write ? ACC_WRITE : ACC_READ);
	laddr_t page = la & PAGE_MASK;
	if ((write ? e->tag_write : e->tag_read) != page) {
		mmu_translate(c, la, write ? ACC_WRITE : ACC_READ);
		if ((write ? e->tag_write : e->tag_read) != page)
			return NULL;
	}
	return (uint8_t *)(e->addend + la);
}

/* Lowest byte of a run of n elements whose first element is at p. */
static inline uint8_t *run_low(const struct cpu *c, uint8_t *p, uint32_t n, unsigned size)
{
	return (c->eflags & F_DF) ? p - (size_t)(n - 1) * size : p;
}

/* Copy n elements as the string instruction would, one after the other:
 * when the ranges overlap, earlier stores feed later loads. */
static void copy_run(const struct cpu *c, uint8_t *dst, const uint8_t *src, uint32_t n, unsigned size)
{
	size_t len = (size_t)n * size;
	if (dst + len <= src || src + len <= dst) {
		memcpy(dst, src, len);
		return;
	}
	if (c->eflags & F_DF) {
		for (size_t k = len; k > 0; k -= size)
			memmove(dst + k - size, src + k - size, size);
	} else {
		for (size_t k = 0; k < len; k += size)
			memmove(dst + k, src + k, size);
	}
}

static uint32_t movs_chunk(struct cpu *c, const struct insn *i, uint32_t max, unsigned size)
{
	uint32_t si = idx(c, R_ESI, i), di = idx(c, R_EDI, i);
	uint32_t n = run_len(c, i, i->seg, si, size, max);
	if (n > 1)
		n = run_len(c, i, S_ES, di, size, n);
	if (n > 1) {
		uint8_t *src = host_at(c, c->seg[i->seg].base + si, false);
		uint8_t *dst = src ? host_at(c, c->seg[S_ES].base + di, true) : NULL;
		if (dst) {
			copy_run(c, run_low(c, dst, n, size), run_low(c, src, n, size), n, size);
			uint32_t d = delta(c, size) * n;
			idx_set(c, R_ESI, si + d, i);
			idx_set(c, R_EDI, di + d, i);
			return n;
		}
	}
	movs_once(c, i, size);
	return 1;
}

/* REPE/REPNE CMPS and SCAS over plain RAM in one page: compare in place,
 * stopping after the first element that ends the repeat, as the single
 * iterations would; the flags are those of the last comparison. */
static inline uint32_t load_le(const uint8_t *p, unsigned size)
{
	uint8_t v[4] = { 0 };
	memcpy(v, p, size);
	return (uint32_t)v[0] | (uint32_t)v[1] << 8 | (uint32_t)v[2] << 16 | (uint32_t)v[3] << 24;
}

static inline uint32_t compare_run(struct cpu *c, const struct insn *i, const uint8_t *src,
				   const uint8_t *dst, uint32_t a, uint32_t n, unsigned size)
{
	bool stop_equal = i->flags & I_REPNE;
	ptrdiff_t step = (c->eflags & F_DF) ? -(ptrdiff_t)size : (ptrdiff_t)size;
	uint32_t b = 0, k = 0;
	if (src && !stop_equal && step > 0) {
		/* REPE CMPS upwards (memcmp): skip equal 8-byte blocks, whose
		 * elements all compare equal, leaving at least one element for
		 * the loop so that the flags come from the last one compared. */
		uint32_t per = 8 / size;
		while (n - k > per) {
			uint64_t x, y;
			memcpy(&x, src, 8);
			memcpy(&y, dst, 8);
			if (x != y)
				break;
			src += 8;
			dst += 8;
			k += per;
		}
	}
	while (k < n) {
		if (src) {
			a = load_le(src, size);
			src += step;
		}
		b = load_le(dst, size);
		dst += step;
		k++;
		if ((a == b) == stop_equal)
			break;
	}
	lf_set(&c->lf, LF_SUB, size >> 1, (a - b) & size_mask(size), a, b);
	return k;
}

static inline uint32_t cmps_chunk(struct cpu *c, const struct insn *i, uint32_t max, unsigned size)
{
	uint32_t si = idx(c, R_ESI, i), di = idx(c, R_EDI, i);
	uint32_t n = run_len(c, i, i->seg, si, size, max);
	if (n > 1)
		n = run_len(c, i, S_ES, di, size, n);
	if (n > 1) {
		const uint8_t *src = host_at(c, c->seg[i->seg].base + si, false);
		const uint8_t *dst = src ? host_at(c, c->seg[S_ES].base + di, false) : NULL;
		if (dst) {
			uint32_t k = compare_run(c, i, src, dst, 0, n, size);
			uint32_t d = delta(c, size) * k;
			idx_set(c, R_ESI, si + d, i);
			idx_set(c, R_EDI, di + d, i);
			return k;
		}
	}
	cmps_once(c, i, size);
	return 1;
}

static inline uint32_t scas_chunk(struct cpu *c, const struct insn *i, uint32_t max, unsigned size)
{
	uint32_t di = idx(c, R_EDI, i);
	uint32_t n = run_len(c, i, S_ES, di, size, max);
	if (n > 1) {
		const uint8_t *dst = host_at(c, c->seg[S_ES].base + di, false);
		if (dst) {
			uint32_t a = c->r[R_EAX].d & size_mask(size);
			uint32_t k = compare_run(c, i, NULL, dst, a, n, size);
			idx_set(c, R_EDI, di + delta(c, size) * k, i);
			return k;
		}
	}
	scas_once(c, i, size);
	return 1;
}

static void fill_run(uint8_t *dst, uint32_t v, uint32_t n, unsigned size)
{
	if (size == 1) {
		memset(dst, (int)(v & 0xFF), n);
		return;
	}
	for (uint32_t k = 0; k < n; k++)
		memcpy(dst + (size_t)k * size, &v, size);
}

static uint32_t stos_chunk(struct cpu *c, const struct insn *i, uint32_t max, unsigned size)
{
	uint32_t di = idx(c, R_EDI, i);
	uint32_t n = run_len(c, i, S_ES, di, size, max);
	if (n > 1) {
		uint8_t *dst = host_at(c, c->seg[S_ES].base + di, true);
		if (dst) {
			fill_run(run_low(c, dst, n, size), c->r[R_EAX].d, n, size);
			idx_set(c, R_EDI, di + delta(c, size) * n, i);
			return n;
		}
	}
	stos_once(c, i, size);
	return 1;
}

/* ---- the REP driver ---- */

enum rep_kind { REP_PLAIN, REP_COND };

/* Run chunk (which performs 1..max iterations and returns how many) until
 * the count runs out, a REPE/REPNE condition ends it, or the run loop must
 * stop. The run loop adds one to icount after the handler, hence the -1. */
static void rep_run(struct cpu *c, const struct insn *i, enum rep_kind kind,
		    uint32_t (*chunk)(struct cpu *c, const struct insn *i, uint32_t max))
{
	uint64_t start = c->icount;
	for (;;) {
		uint32_t cx = idx(c, R_ECX, i);
		if (cx == 0)
			break;
		uint64_t budget = c->stop_icount > c->icount ? c->stop_icount - c->icount : 1;
		uint32_t n = chunk(c, i, budget < cx ? (uint32_t)budget : cx);
		idx_set(c, R_ECX, cx - n, i);
		c->icount += n;
		if (kind == REP_COND && lf_zf(&c->lf, c->eflags) != !(i->flags & I_REPNE))
			break;
		if (n == cx)
			break;
		if (c->icount >= c->stop_icount) {
			c->next_eip = c->eip;
			break;
		}
	}
	if (c->icount > start)
		c->icount--;
}

#define REP_PREFIX (I_REP | I_REPNE)

/* One chunk function and one handler per instruction and size. Elements
 * that cannot take the bulk path run one at a time. */
#define STRING_OP(name, kind, once, chunk_body, size)                                    \
	static uint32_t name##_rep(struct cpu *c, const struct insn *i, uint32_t max)    \
	{                                                                               \
		(void)max;                                                              \
		chunk_body;                                                             \
	}                                                                               \
	void op_##name(struct cpu *c, const struct insn *i)                             \
	{                                                                               \
		if (i->flags & REP_PREFIX)                                              \
			rep_run(c, i, kind, name##_rep);                                \
		else                                                                    \
			once(c, i, size);                                               \
	}

#define ONE(once, size) once(c, i, size); return 1

STRING_OP(MOVSB, REP_PLAIN, movs_once, return movs_chunk(c, i, max, 1), 1)
STRING_OP(MOVSW, REP_PLAIN, movs_once, return movs_chunk(c, i, max, 2), 2)
STRING_OP(MOVSD, REP_PLAIN, movs_once, return movs_chunk(c, i, max, 4), 4)
STRING_OP(STOSB, REP_PLAIN, stos_once, return stos_chunk(c, i, max, 1), 1)
STRING_OP(STOSW, REP_PLAIN, stos_once, return stos_chunk(c, i, max, 2), 2)
STRING_OP(STOSD, REP_PLAIN, stos_once, return stos_chunk(c, i, max, 4), 4)
STRING_OP(LODSB, REP_PLAIN, lods_once, ONE(lods_once, 1), 1)
STRING_OP(LODSW, REP_PLAIN, lods_once, ONE(lods_once, 2), 2)
STRING_OP(LODSD, REP_PLAIN, lods_once, ONE(lods_once, 4), 4)
STRING_OP(CMPSB, REP_COND, cmps_once, return cmps_chunk(c, i, max, 1), 1)
STRING_OP(CMPSW, REP_COND, cmps_once, return cmps_chunk(c, i, max, 2), 2)
STRING_OP(CMPSD, REP_COND, cmps_once, return cmps_chunk(c, i, max, 4), 4)
STRING_OP(SCASB, REP_COND, scas_once, return scas_chunk(c, i, max, 1), 1)
STRING_OP(SCASW, REP_COND, scas_once, return scas_chunk(c, i, max, 2), 2)
STRING_OP(SCASD, REP_COND, scas_once, return scas_chunk(c, i, max, 4), 4)
STRING_OP(INSB, REP_PLAIN, ins_once, ONE(ins_once, 1), 1)
STRING_OP(INSW, REP_PLAIN, ins_once, ONE(ins_once, 2), 2)
STRING_OP(INSD, REP_PLAIN, ins_once, ONE(ins_once, 4), 4)
STRING_OP(OUTSB, REP_PLAIN, outs_once, ONE(outs_once, 1), 1)
STRING_OP(OUTSW, REP_PLAIN, outs_once, ONE(outs_once, 2), 2)
STRING_OP(OUTSD, REP_PLAIN, outs_once, ONE(outs_once, 4), 4)
