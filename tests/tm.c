/* Test machine builder (see tm.h). */
#include "tests/tm.h"

#include <criterion/criterion.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/interrupt.h"

void tm_poke(struct machine *m, paddr_t at, const char *hex)
{
	struct memmap *mem = machine_mem(m);
	int hi = -1;
	for (const char *p = hex; *p; p++) {
		if (!isxdigit((unsigned char)*p))
			continue;
		int v = isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10);
		if (hi < 0) {
			hi = v;
		} else {
			uint8_t b = (uint8_t)(hi << 4 | v);
			memmap_write(mem, at++, &b, 1);
			hi = -1;
		}
	}
}

struct machine *tm_new(const char *hex)
{
	struct machine_config cfg = { .ram_size = 16u << 20, .bare = true };
	return tm_new_cfg(&cfg, hex);
}

struct machine *tm_new_cfg(const struct machine_config *cfg, const char *hex)
{
	char err[256];
	struct machine *m = machine_new(cfg, err, sizeof(err));
	if (!m)
		abort();
	struct cpu *c = machine_cpu(m);
	for (unsigned v = 0; v < 256; v++) {
		uint16_t ip = (uint16_t)(TM_HANDLERS + v);
		uint8_t hlt = 0xF4;
		memmap_write(machine_mem(m), v * 4, &ip, 2);
		memmap_write(machine_mem(m), v * 4 + 2, "\0\0", 2);
		memmap_write(machine_mem(m), TM_HANDLERS + v, &hlt, 1);
	}
	tm_poke(m, TM_CODE, hex);
	seg_load_real(c, S_CS, TM_CODE >> 4);
	seg_load_real(c, S_DS, 0);
	seg_load_real(c, S_ES, 0);
	seg_load_real(c, S_SS, 0);
	c->eip = 0;
	c->r[R_ESP].d = 0x8000;
	c->r[R_EDX].d = 0;
	return m;
}

enum machine_stop tm_run(struct machine *m)
{
	return machine_run(m, machine_cpu(m)->icount + 1000000);
}

void tm_run_to_hlt(struct machine *m, const char *name)
{
	struct cpu *c = machine_cpu(m);
	cr_assert_eq(tm_run(m), MACHINE_HALTED, "%s: did not halt", name);
	cr_assert_eq(c->seg[S_CS].sel, TM_CODE >> 4, "%s: an exception was raised (EIP %x)", name,
		     c->eip);
}

void tm_run_expect(struct machine *m, const char *name, unsigned len, unsigned vector)
{
	struct cpu *c = machine_cpu(m);
	if (len) {
		tm_run_to_hlt(m, name);
		cr_assert_eq(c->eip, len, "%s: EIP %x, want %x", name, c->eip, len);
	} else {
		cr_assert_eq(tm_run(m), MACHINE_HALTED, "%s: did not halt", name);
		cr_assert_eq(c->seg[S_CS].sel, 0, "%s: no exception", name);
		cr_assert_eq(c->eip, TM_HANDLERS + vector + 1, "%s: vector %u expected, EIP %x", name,
			     vector, c->eip);
	}
}

void tm_check_wants(struct machine *m, const char *name, const struct tm_want *want, unsigned n,
		    tm_read_fn *read, const char *const *names)
{
	for (unsigned i = 0; i < n && want[i].at; i++) {
		uint32_t got = read(m, want[i].at, want[i].addr);
		cr_assert_eq(got, want[i].want, "%s: %s %x, want %x", name, names[want[i].at], got,
			     want[i].want);
	}
}

void tm_check_flags(struct machine *m, const char *name, uint32_t mask, uint32_t want)
{
	if (!mask)
		return;
	uint32_t got = cpu_get_eflags(machine_cpu(m)) & mask;
	cr_assert_eq(got, want, "%s: flags %x, want %x", name, got, want);
}

static void fixed_set_irq(void *opaque, unsigned irq, int level)
{
	(void)opaque;
	(void)irq;
	(void)level;
}

static uint8_t fixed_ack(void *opaque)
{
	return *(const uint8_t *)opaque;
}

static const struct intc_ops fixed_intc = { fixed_set_irq, fixed_ack };

void tm_fixed_intc(struct machine *m, const uint8_t *vector)
{
	machine_set_intc(m, &fixed_intc, (void *)(uintptr_t)vector);
}

enum machine_stop tm_intr_pulse(struct machine *m, uint64_t until)
{
	struct cpu *c = machine_cpu(m);
	cpu_set_intr(c, true);
	enum machine_stop stop = machine_run(m, until);
	cpu_set_intr(c, false);
	return stop;
}

enum machine_stop tm_intr_after(struct machine *m, const uint8_t *vector, uint64_t first,
				uint64_t until)
{
	tm_fixed_intc(m, vector);
	machine_cpu(m)->eflags |= F_IF;
	enum machine_stop stop = machine_run(m, first);
	tm_intr_pulse(m, until);
	return stop;
}

void tm_free(struct machine *m) { machine_free(m); }
struct cpu *tm_cpu(struct machine *m) { return machine_cpu(m); }

uint8_t tm_peek8(struct machine *m, paddr_t at)
{
	uint8_t v;
	memmap_read(machine_mem(m), at, &v, 1);
	return v;
}

uint16_t tm_peek16(struct machine *m, paddr_t at)
{
	uint16_t v;
	memmap_read(machine_mem(m), at, &v, 2);
	return v;
}

uint32_t tm_peek32(struct machine *m, paddr_t at)
{
	uint32_t v;
	memmap_read(machine_mem(m), at, &v, 4);
	return v;
}
