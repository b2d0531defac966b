/*
 * x86 instruction decoder (Intel SDM vol. 2, ch. 2 "Instruction Format").
 * Prefixes, one- and two-byte opcodes, ModR/M and SIB for 16- and 32-bit
 * addressing, displacements and immediates; the handler is chosen here by
 * operand size and by register/memory form so that handlers never test them.
 */
#include "cpu/decode.h"

#include "cpu/ops.h"

enum {
	G_80, G_81, G_83, G_8F, G_C0, G_C1, G_C6, G_C7, G_D0, G_D1, G_D2, G_D3,
	G_F6, G_F7, G_FE, G_FF, G_0F00, G_0F01, G_0FBA, G_0FC7, G_0FAE, NGROUPS
};

#define ROW(k, mn, ops, r16, m16, r32, m32, fl) \
	{ mn, ops, r16, m16, r32, m32, (uint16_t)(fl), k, 0 }
#define OPC_OP(idx, mn, ops, h16, h32, fl) [idx] = ROW(K_OP, mn, ops, h16, h16, h32, h32, fl),
#define OPC_OPMR(idx, mn, ops, h16, h32, fl) [idx] = ROW(K_OPMR, mn, ops, h16, h16, h32, h32, fl),
#define OPC_OPM(idx, mn, ops, h16, h32, fl) \
	[idx] = ROW(K_OPM, mn, ops, h16##_r, h16##_m, h32##_r, h32##_m, fl),
#define OPC_OPMM(idx, mn, ops, h16, h32, fl) \
	[idx] = ROW(K_OPMM, mn, ops, op_UD, h16##_m, op_UD, h32##_m, fl),
#define OPC_GRP(idx, mn, ops, h16, h32, fl) \
	[idx] = { "", "", NULL, NULL, NULL, NULL, 0, K_GRP, h16 },
#define OPC_PFX(idx, mn, ops, h16, h32, fl) \
	[idx] = { mn, "", NULL, NULL, NULL, NULL, 0, K_PFX, 0 },
#define OPC(kind, idx, mn, ops, h16, h32, fl) OPC_##kind(idx, mn, ops, h16, h32, fl)
#define GROW(g, reg, kind, mn, ops, h16, h32, fl)

static const struct opdesc optab[512] = {
#include "cpu/opcodes.def"
};

#undef OPC
#undef GROW
#define OPC(kind, idx, mn, ops, h16, h32, fl)
#define GROW(g, reg, kind, mn, ops, h16, h32, fl) [g][reg] = OPC_##kind##_G(mn, ops, h16, h32, fl),
#define OPC_OPM_G(mn, ops, h16, h32, fl) ROW(K_OPM, mn, ops, h16##_r, h16##_m, h32##_r, h32##_m, fl)
#define OPC_OPMM_G(mn, ops, h16, h32, fl) ROW(K_OPMM, mn, ops, op_UD, h16##_m, op_UD, h32##_m, fl)

static const struct opdesc grptab[NGROUPS][8] = {
#include "cpu/opcodes.def"
};

static const struct opdesc undefined_row = ROW(K_UD, "(bad)", "", op_UD, op_UD, op_UD, op_UD, 0);

void op_UD(struct cpu *c, const struct insn *i)
{
	(void)i;
	cpu_raise(c, EXC_UD, EXC_NO_ERROR);
}

struct cursor {
	const uint8_t *b;
	unsigned n, avail;
	unsigned need; /* when bytes ran out: the length they had to reach */
};

static bool have(struct cursor *k, unsigned more)
{
	if (k->n + more <= k->avail)
		return true;
	k->need = k->n + more;
	return false;
}
static uint32_t take(struct cursor *k, unsigned size)
{
	uint32_t v = 0;
	for (unsigned s = 0; s < size; s++)
		v |= (uint32_t)k->b[k->n + s] << (8 * s);
	k->n += size;
	return v;
}

/* ModR/M memory operand, 16-bit addressing (SDM vol. 2, table 2-1). */
static bool decode_ea16(struct cursor *k, struct insn *i, unsigned mod, unsigned rm)
{
	static const uint8_t base16[8] = { R_EBX, R_EBX, R_EBP, R_EBP, R_NONE, R_NONE, R_EBP, R_EBX };
	static const uint8_t index16[8] = { R_ESI, R_EDI, R_ESI, R_EDI, R_ESI, R_EDI, R_NONE, R_NONE };
	i->base = base16[rm];
	i->index = index16[rm];
	if (mod == 0 && rm == 6) {
		i->base = R_NONE;
		if (!have(k, 2))
			return false;
		i->disp = take(k, 2);
	} else if (mod == 1) {
		if (!have(k, 1))
			return false;
		i->disp = (uint32_t)(int32_t)(int8_t)take(k, 1);
	} else if (mod == 2) {
		if (!have(k, 2))
			return false;
		i->disp = take(k, 2);
	}
	if (i->base == R_EBP && !(i->flags & I_SEGOVR))
		i->seg = S_SS;
	return true;
}

/* ModR/M memory operand, 32-bit addressing with SIB (SDM vol. 2, tables 2-2, 2-3). */
static bool decode_ea32(struct cursor *k, struct insn *i, unsigned mod, unsigned rm)
{
	i->base = (uint8_t)rm;
	i->index = R_NONE;
	bool disp32 = mod == 2;
	if (rm == 4) {
		if (!have(k, 1))
			return false;
		uint8_t sib = (uint8_t)take(k, 1);
		unsigned idx = (sib >> 3) & 7, base = sib & 7;
		i->scale = sib >> 6;
		i->index = idx == 4 ? R_NONE : (uint8_t)idx;
		i->base = (uint8_t)base;
		if (base == 5 && mod == 0) {
			i->base = R_NONE;
			disp32 = true;
		}
	} else if (rm == 5 && mod == 0) {
		i->base = R_NONE;
		disp32 = true;
	}
	if (i->index == R_NONE)
		i->scale = 0;
	if (disp32) {
		if (!have(k, 4))
			return false;
		i->disp = take(k, 4);
	} else if (mod == 1) {
		if (!have(k, 1))
			return false;
		i->disp = (uint32_t)(int32_t)(int8_t)take(k, 1);
	}
	if ((i->base == R_EBP || i->base == R_ESP) && !(i->flags & I_SEGOVR))
		i->seg = S_SS;
	return true;
}

static bool decode_imm(struct cursor *k, struct insn *i, unsigned fl)
{
	bool o32 = i->flags & I_O32, a32 = i->flags & I_A32;
	if (fl & (D_IB | D_IBS | D_JB)) {
		if (!have(k, 1))
			return false;
		uint32_t v = take(k, 1);
		i->imm = (fl & D_IB) ? v : (uint32_t)(int32_t)(int8_t)v;
	} else if (fl & D_IW) {
		if (!have(k, 2))
			return false;
		i->imm = take(k, 2);
	} else if (fl & (D_IV | D_JV | D_AP)) {
		unsigned sz = o32 ? 4 : 2;
		if (!have(k, sz))
			return false;
		i->imm = take(k, sz);
		if ((fl & D_JV) && !o32)
			i->imm = (uint32_t)(int32_t)(int16_t)i->imm;
		if (fl & D_AP) {
			if (!have(k, 2))
				return false;
			i->imm2 = (uint16_t)take(k, 2);
		}
	} else if (fl & D_MOFFS) {
		unsigned sz = a32 ? 4 : 2;
		if (!have(k, sz))
			return false;
		i->disp = take(k, sz);
	} else if (fl & D_ENTER) {
		if (!have(k, 3))
			return false;
		i->imm = take(k, 2);
		i->imm2 = (uint16_t)take(k, 1);
	}
	return true;
}

/* Consume prefixes; returns false when the bytes run out. */
static bool decode_prefixes(struct cursor *k, struct insn *i, bool d32)
{
	bool o32 = d32, a32 = d32;
	for (;;) {
		if (!have(k, 1))
			return false;
		uint8_t b = k->b[k->n];
		switch (b) {
		case 0x26: case 0x2E: case 0x36: case 0x3E:
			i->seg = (uint8_t)((b >> 3) & 3);
			i->flags |= I_SEGOVR;
			break;
		case 0x64: case 0x65:
			i->seg = (uint8_t)(S_FS + (b & 1));
			i->flags |= I_SEGOVR;
			break;
		case 0x66: o32 = !d32; break;
		case 0x67: a32 = !d32; break;
		case 0xF0: i->flags |= I_LOCK; break;
		case 0xF2: i->flags = (uint8_t)((i->flags & ~I_REP) | I_REPNE); break;
		case 0xF3: i->flags = (uint8_t)((i->flags & ~I_REPNE) | I_REP); break;
		default:
			i->flags |= (uint8_t)((o32 ? I_O32 : 0) | (a32 ? I_A32 : 0));
			i->amask = a32 ? 0xFFFFFFFFu : 0xFFFFu;
			return true;
		}
		k->n++;
		if (k->n >= INSN_MAX_LEN)
			return true; /* the length check below reports it */
	}
}

/* Decode at k; the caller maps running out of bytes past 15 to too long. */
static int decode_one(struct cursor *k, bool d32, struct insn *i, const struct opdesc **desc)
{
	*i = (struct insn){ .base = R_NONE, .index = R_NONE, .seg = S_DS, .rm = R_NONE };
	bool ok = decode_prefixes(k, i, d32);
	if (k->n >= INSN_MAX_LEN)
		return DECODE_TOO_LONG;
	if (!ok || !have(k, 1))
		return DECODE_NEED_MORE;
	unsigned idx = take(k, 1);
	i->op = (uint8_t)idx;
	if (idx == 0x0F) {
		if (!have(k, 1))
			return DECODE_NEED_MORE;
		idx = 0x100 | take(k, 1);
		i->op = (uint8_t)idx;
	}
	const struct opdesc *d = &optab[idx];
	bool regform = true;
	if (d->kind == K_OPM || d->kind == K_OPMM || d->kind == K_OPMR || d->kind == K_GRP) {
		if (!have(k, 1))
			return DECODE_NEED_MORE;
		i->modrm = (uint8_t)take(k, 1);
		unsigned mod = i->modrm >> 6, reg = (i->modrm >> 3) & 7, rm = i->modrm & 7;
		i->reg = (uint8_t)reg;
		if (d->kind == K_GRP)
			d = &grptab[d->group][reg];
		if (mod == 3 || d->kind == K_OPMR) {
			i->rm = (uint8_t)rm;
		} else {
			regform = false;
			bool okea = (i->flags & I_A32) ? decode_ea32(k, i, mod, rm)
						       : decode_ea16(k, i, mod, rm);
			if (!okea)
				return DECODE_NEED_MORE;
		}
	} else {
		i->reg = (uint8_t)((d->flags & D_REGLO) ? (idx & 7) : ((idx >> 3) & 7));
	}
	if (d->kind == K_UD || d->kind == K_PFX || !d->r16)
		d = &undefined_row;
	if (!decode_imm(k, i, d->flags))
		return DECODE_NEED_MORE;
	if (k->n > INSN_MAX_LEN)
		return DECODE_TOO_LONG;
	bool o32 = i->flags & I_O32;
	i->fn = regform ? (o32 ? d->r32 : d->r16) : (o32 ? d->m32 : d->m16);
	if ((i->flags & I_LOCK) && (!(d->flags & D_LOCK) || regform))
		i->fn = op_UD;
	i->len = (uint8_t)k->n;
	if (desc)
		*desc = d;
	return (int)k->n;
}

int decode_insn(const uint8_t *bytes, unsigned avail, bool d32, struct insn *i,
		const struct opdesc **desc)
{
	struct cursor k = { bytes, 0, avail, 0 };
	int r = decode_one(&k, d32, i, desc);
	/* Short of bytes, but already past 15 with the ones it lacks: no more
	 * bytes can make it decodable, so it is #GP(0) now. Asking for more
	 * would leave a caller that gave 15 bytes with nothing decoded. */
	if (r == DECODE_NEED_MORE && k.need > INSN_MAX_LEN)
		return DECODE_TOO_LONG;
	return r;
}
