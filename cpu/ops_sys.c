/*
 * System instructions: MOV to and from control and debug registers,
 * LGDT/LIDT/SGDT/SIDT, SMSW/LMSW, CLTS, INVD, WBINVD, INVLPG, CPUID, RDTSC,
 * RDMSR/WRMSR (Intel SDM vol. 2, the instruction pages of each; vol. 3,
 * 2.5 "Control Registers" and ch. 17 for the debug registers; for the
 * P6-era choices, the Pentium II manual vol. 2, order 243191).
 *
 * Choices and deviations:
 * - SGDT/SIDT with 16-bit operand size store 24 bits of base and a zero top
 *   byte, as the P6-family manual's SGDT operation section says (later
 *   manuals store the whole base); 32-bit operand size stores all of it.
 * - CPUID describes a Pentium II-like core (family 6, model 3, stepping 3)
 *   without x87, MMX, APIC, MTRR or SYSENTER; leaf 2 carries Pentium II
 *   cache and TLB descriptors; leaves past 2 return leaf 2, as Intel parts do.
 * - A WRMSR to the TSC sets only its low 32 bits and clears the high ones,
 *   as on Pentium Pro and Pentium II.
 * - Debug registers are stored but no breakpoint fires, and DR7.GD does not
 *   trap; caches are not modelled, so INVD and WBINVD do nothing.
 */
#include "cpu/ops.h"

#include "cpu/mmu.h"
#include "cpu/seg.h"

#define CR0_VALID (CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | \
		   CR0_NW | CR0_CD | CR0_PG)
#define CR3_VALID 0xFFFFF018u /* page-directory base, PCD, PWT */
#define CR4_VALID (CR4_VME | CR4_PVI | CR4_TSD | CR4_DE | CR4_PSE | CR4_PGE)

/* CPUID leaf 1 EDX: VME, DE, PSE, TSC, MSR, CX8, PGE, CMOV. No FPU until one is modelled. */
#define CPUID_FEATURES ((1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 8) | \
			(1u << 13) | (1u << 15))

#define MSR_TSC 0x10u
#define MSR_APIC_BASE 0x1Bu
#define MSR_SYSENTER_CS 0x174u
#define MSR_SYSENTER_ESP 0x175u
#define MSR_SYSENTER_EIP 0x176u

/* Privileged instructions: CPL 0 only; virtual-8086 mode runs at CPL 3. */
static void need_cpl0(struct cpu *c)
{
	if (c->cpl != 0 || cpu_v86_mode(c))
		cpu_raise(c, EXC_GP, 0);
}

/* ---- control registers ---- */

/* After CR0 changes from old: segment checks depend on PE, translations
 * on PG and WP (SDM vol. 3, 4.10.4.1: a MOV to CR0 that changes PG
 * invalidates the TLBs). The TLB holds nothing else from CR0, so a PE
 * switch alone (a BIOS call from protected mode through real mode) keeps
 * it and the block links that rely on it. */
static void cr0_changed(struct cpu *c, uint32_t old)
{
	cpu_refresh_segs(c);
	if ((old ^ c->cr0) & (CR0_PG | CR0_WP))
		cpu_flush_tlb(c, false);
	cpu_kick(c);
}

static void write_cr0(struct cpu *c, uint32_t v)
{
	v = (v & CR0_VALID) | CR0_ET; /* ET is hardwired to 1 on P6 */
	if ((v & CR0_PG) && !(v & CR0_PE))
		cpu_raise(c, EXC_GP, 0);
	if ((v & CR0_NW) && !(v & CR0_CD))
		cpu_raise(c, EXC_GP, 0);
	uint32_t old = c->cr0;
	c->cr0 = v;
	cr0_changed(c, old);
}

static void write_cr4(struct cpu *c, uint32_t v)
{
	if (v & ~CR4_VALID)
		cpu_raise(c, EXC_GP, 0);
	bool flush = (v ^ c->cr4) & (CR4_PSE | CR4_PGE);
	c->cr4 = v;
	if (flush)
		cpu_flush_tlb(c, false);
	cpu_kick(c);
}

/* CR1, CR5, CR6 and CR7 do not exist. */
static void check_cr(struct cpu *c, unsigned n)
{
	if (n == 1 || n > 4)
		cpu_raise(c, EXC_UD, EXC_NO_ERROR);
	need_cpl0(c);
}

void op_MOV_RdCd(struct cpu *c, const struct insn *i)
{
	check_cr(c, i->reg);
	const uint32_t *cr[5] = { &c->cr0, NULL, &c->cr2, &c->cr3, &c->cr4 };
	c->r[i->rm].d = *cr[i->reg];
}

void op_MOV_CdRd(struct cpu *c, const struct insn *i)
{
	check_cr(c, i->reg);
	uint32_t v = c->r[i->rm].d;
	switch (i->reg) {
	case 0:
		write_cr0(c, v);
		break;
	case 2:
		c->cr2 = v;
		break;
	case 3:
		c->cr3 = v & CR3_VALID;
		cpu_flush_tlb(c, true);
		cpu_kick(c);
		break;
	default:
		write_cr4(c, v);
		break;
	}
}

/* ---- debug registers: DR4/DR5 alias DR6/DR7 unless CR4.DE ---- */

static unsigned dr_index(struct cpu *c, unsigned n)
{
	if (n == 4 || n == 5) {
		if (c->cr4 & CR4_DE)
			cpu_raise(c, EXC_UD, EXC_NO_ERROR);
		n += 2;
	}
	need_cpl0(c);
	return n & 7;
}

void op_MOV_RdDd(struct cpu *c, const struct insn *i)
{
	c->r[i->rm].d = c->dr[dr_index(c, i->reg)];
}

void op_MOV_DdRd(struct cpu *c, const struct insn *i)
{
	unsigned n = dr_index(c, i->reg);
	uint32_t v = c->r[i->rm].d;
	if (n == 6)
		v = (v & 0xE00Fu) | 0xFFFF0FF0u; /* reserved bits read as on P6 */
	else if (n == 7)
		v = (v & 0xFFFF23FFu) | 0x400u;
	c->dr[n] = v;
	/* The run loop rereads breakpoints only at attention: a new DR0-DR3 or
	 * DR7 must apply from the next instruction on. */
	cpu_kick(c);
}

/* ---- descriptor-table registers ---- */

/* Limit then base; 16-bit operand size keeps 24 bits of base. */
static void load_dtr(struct cpu *c, const struct insn *i, struct dtr *t, bool o32)
{
	need_cpl0(c);
	uint32_t ea = insn_ea(c, i);
	uint16_t limit = cpu_rd16(c, i->seg, ea);
	uint32_t base = cpu_rd32(c, i->seg, (ea + 2) & i->amask);
	t->limit = limit;
	t->base = o32 ? base : base & 0x00FFFFFFu;
}

void op_LGDT_Ms16_m(struct cpu *c, const struct insn *i) { load_dtr(c, i, &c->gdtr, false); }
void op_LGDT_Ms32_m(struct cpu *c, const struct insn *i) { load_dtr(c, i, &c->gdtr, true); }
void op_LIDT_Ms16_m(struct cpu *c, const struct insn *i) { load_dtr(c, i, &c->idtr, false); }
void op_LIDT_Ms32_m(struct cpu *c, const struct insn *i) { load_dtr(c, i, &c->idtr, true); }

/* Six bytes, checked as a whole before either part is written. */
static void store_dtr(struct cpu *c, const struct insn *i, const struct dtr *t)
{
	uint32_t base = (i->flags & I_O32) ? t->base : t->base & 0x00FFFFFFu;
	laddr_t la = seg_linear(c, i->seg, insn_ea(c, i), 6, SEG_DENY_WRITE);
	mmu_probe_write(c, la, 6);
	lin_wr16(c, la, t->limit);
	lin_wr32(c, la + 2, base);
}

void op_SGDT_Ms_m(struct cpu *c, const struct insn *i) { store_dtr(c, i, &c->gdtr); }
void op_SIDT_Ms_m(struct cpu *c, const struct insn *i) { store_dtr(c, i, &c->idtr); }

/* ---- machine status word ---- */

void op_SMSW_Ew_r(struct cpu *c, const struct insn *i) { c->r[i->rm].w = (uint16_t)c->cr0; }
void op_SMSW_Ed_r(struct cpu *c, const struct insn *i) { c->r[i->rm].d = c->cr0; }

void op_SMSW_Ew_m(struct cpu *c, const struct insn *i)
{
	cpu_wr16(c, i->seg, insn_ea(c, i), (uint16_t)c->cr0);
}

void op_SMSW_Ed_m(struct cpu *c, const struct insn *i) { op_SMSW_Ew_m(c, i); }

/* LMSW writes PE, MP, EM and TS only, and can set PE but never clear it. */
static void lmsw(struct cpu *c, uint16_t v)
{
	need_cpl0(c);
	uint32_t old = c->cr0;
	c->cr0 = (c->cr0 & ~(CR0_MP | CR0_EM | CR0_TS)) | (v & (CR0_PE | CR0_MP | CR0_EM | CR0_TS));
	cr0_changed(c, old);
}

void op_LMSW_Ew_r(struct cpu *c, const struct insn *i) { lmsw(c, c->r[i->rm].w); }

void op_LMSW_Ew_m(struct cpu *c, const struct insn *i)
{
	lmsw(c, cpu_rd16(c, i->seg, insn_ea(c, i)));
}

void op_CLTS(struct cpu *c, const struct insn *i)
{
	(void)i;
	need_cpl0(c);
	c->cr0 &= ~CR0_TS;
}

void op_INVD(struct cpu *c, const struct insn *i)
{
	(void)i;
	need_cpl0(c);
}

void op_WBINVD(struct cpu *c, const struct insn *i)
{
	(void)i;
	need_cpl0(c);
}

void op_INVLPG_M_m(struct cpu *c, const struct insn *i)
{
	need_cpl0(c);
	cpu_invlpg(c, c->seg[i->seg].base + insn_ea(c, i));
}

/* ---- identification, time stamp, model-specific registers ---- */

static void set_edx_eax(struct cpu *c, uint64_t v)
{
	c->r[R_EAX].d = (uint32_t)v;
	c->r[R_EDX].d = (uint32_t)(v >> 32);
}

void op_CPUID(struct cpu *c, const struct insn *i)
{
	(void)i;
	static const uint32_t leaves[3][4] = {
		/* EAX, EBX, ECX, EDX: "Genu" "ntel" "ineI" */
		{ 2, 0x756E6547u, 0x6C65746Eu, 0x49656E69u },
		{ 0x633, 0, 0, CPUID_FEATURES },
		/* ITLB 4K/4M, DTLB 4K; L2 512K, L1I 16K, DTLB 4M, L1D 16K */
		{ 0x03020101u, 0, 0, 0x0C040843u },
	};
	uint32_t leaf = c->r[R_EAX].d;
	const uint32_t *v = leaves[leaf < 2 ? leaf : 2];
	c->r[R_EAX].d = v[0];
	c->r[R_EBX].d = v[1];
	c->r[R_ECX].d = v[2];
	c->r[R_EDX].d = v[3];
}

static uint64_t tsc(const struct cpu *c) { return cpu_icount(c) + c->tsc_offset; }

void op_RDTSC(struct cpu *c, const struct insn *i)
{
	(void)i;
	if ((c->cr4 & CR4_TSD) && (c->cpl != 0 || cpu_v86_mode(c)))
		cpu_raise(c, EXC_GP, 0);
	set_edx_eax(c, tsc(c));
}

void op_RDMSR(struct cpu *c, const struct insn *i)
{
	(void)i;
	need_cpl0(c);
	uint64_t v;
	switch (c->r[R_ECX].d) {
	case MSR_TSC: v = tsc(c); break;
	case MSR_APIC_BASE: v = c->apic_base; break;
	case MSR_SYSENTER_CS: v = c->sysenter_cs; break;
	case MSR_SYSENTER_ESP: v = c->sysenter_esp; break;
	case MSR_SYSENTER_EIP: v = c->sysenter_eip; break;
	default: cpu_raise(c, EXC_GP, 0);
	}
	set_edx_eax(c, v);
}

void op_WRMSR(struct cpu *c, const struct insn *i)
{
	(void)i;
	need_cpl0(c);
	uint32_t lo = c->r[R_EAX].d, hi = c->r[R_EDX].d;
	switch (c->r[R_ECX].d) {
	case MSR_TSC: c->tsc_offset = (uint64_t)lo - cpu_icount(c); break;
	case MSR_APIC_BASE: c->apic_base = ((uint64_t)(hi & 0xF) << 32) | (lo & 0xFFFFF900u); break;
	case MSR_SYSENTER_CS: c->sysenter_cs = lo; break;
	case MSR_SYSENTER_ESP: c->sysenter_esp = lo; break;
	case MSR_SYSENTER_EIP: c->sysenter_eip = lo; break;
	default: cpu_raise(c, EXC_GP, 0);
	}
}
