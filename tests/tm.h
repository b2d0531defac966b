/*
 * Test machine builder: code bytes in, machine out.
 *   struct machine *m = tm_new("b0ff 0401 f4");
 * builds a bare machine (CPU, 16 MiB RAM, debug ports, no firmware) in real
 * mode with the code at 1000:0000 (physical 0x10000), DS=ES=SS=0, SP=0x8000,
 * and an IVT whose every vector points at an F4 (HLT) at 0000:0500 + vector.
 */
#ifndef POPEK_TM_H
#define POPEK_TM_H

#include "cpu/cpu.h"
#include "devices/machine.h"

#define TM_CODE 0x10000u
#define TM_HANDLERS 0x500u /* vector n's handler is the HLT at TM_HANDLERS + n */

struct machine *tm_new(const char *hex);
/* The same set-up on a machine built from cfg (e.g. a full PC, not bare). */
struct machine *tm_new_cfg(const struct machine_config *cfg, const char *hex);
/* Write hex bytes at a physical address. */
void tm_poke(struct machine *m, paddr_t at, const char *hex);
/* Run until HLT (or 1,000,000 instructions). */
enum machine_stop tm_run(struct machine *m);
/* Helpers for table-driven tests; failure messages begin with the row's
 * name. tm_run_to_hlt: tm_run, which must end at an HLT in the test code
 * (CS still the code's, no exception). tm_run_expect: tm_run, then with len
 * the code's HLT at offset len - 1 (EIP len), with len 0 the HLT of
 * vector's handler. */
void tm_run_to_hlt(struct machine *m, const char *name);
void tm_run_expect(struct machine *m, const char *name, unsigned len, unsigned vector);
/* A row's expected value: what to read (the test's own code; 0 ends a
 * list), an address or offset for the reader, and the value. */
struct tm_want {
	unsigned at;
	paddr_t addr;
	uint32_t want;
};
typedef uint32_t tm_read_fn(struct machine *m, unsigned at, paddr_t addr);
/* Check want[0..n) up to the first with at 0, each read with read and
 * named names[at] in a failure message. */
void tm_check_wants(struct machine *m, const char *name, const struct tm_want *want, unsigned n,
		    tm_read_fn *read, const char *const *names);
/* EFLAGS & mask must be want; nothing is checked when mask is 0. */
void tm_check_flags(struct machine *m, const char *name, uint32_t mask, uint32_t want);
void tm_free(struct machine *m);
struct cpu *tm_cpu(struct machine *m);
/* Install an interrupt controller that ignores IRQ lines and answers every
 * INTA with *vector (which must outlive the machine): tests then drive the
 * CPU's INTR input directly with cpu_set_intr. */
void tm_fixed_intc(struct machine *m, const uint8_t *vector);
/* Raise INTR, run up to icount `until`, lower INTR: an interrupt pending
 * over exactly those instructions (after tm_fixed_intc). */
enum machine_stop tm_intr_pulse(struct machine *m, uint64_t until);
/* The interrupt-shadow probe: answer INTA with *vector, set IF, run up to
 * icount `first` with INTR low, then tm_intr_pulse(m, until). Returns how
 * the first run stopped. */
enum machine_stop tm_intr_after(struct machine *m, const uint8_t *vector, uint64_t first,
				uint64_t until);
/* Physical memory helpers */
uint8_t tm_peek8(struct machine *m, paddr_t at);
uint16_t tm_peek16(struct machine *m, paddr_t at);
uint32_t tm_peek32(struct machine *m, paddr_t at);

#endif
