/*
 * Mode-dependent machinery shared by many instructions: segment register
 * loads, far transfers, IRET and the I/O permission check. Each entry point
 * handles real and virtual-8086 mode itself (seg.c) and hands protected mode
 * to the *_prot functions (descriptor checks, gates, privilege changes,
 * tasks: SDM vol. 3, ch. 5-7).
 */
#ifndef POPEK_SEG_H
#define POPEK_SEG_H

#include "cpu/cpu.h"

/* MOV Sreg / POP Sreg / LxS: load with every check of the current mode. */
void cpu_load_seg(struct cpu *c, unsigned s, uint16_t sel);
/* After MOV SS or POP SS (not LSS): hold off interrupts and debug traps
 * until the next instruction has run (SDM vol. 2, MOV and POP). */
void cpu_ss_shadow(struct cpu *c);
/* JMP ptr16:16/32, CALL ptr, RETF [imm16], IRET. o32: operand size. */
void cpu_far_jmp(struct cpu *c, uint16_t sel, uint32_t off, bool o32);
void cpu_far_call(struct cpu *c, uint16_t sel, uint32_t off, bool o32);
void cpu_far_ret(struct cpu *c, bool o32, uint16_t pop_bytes);
void cpu_iret(struct cpu *c, bool o32);
/* IN/OUT/INS/OUTS: #GP(0) unless CPL <= IOPL or the TSS I/O bitmap allows
 * every byte of [port, port+size) (protected and virtual-8086 mode). */
void cpu_check_io(struct cpu *c, uint16_t port, unsigned size);
/* Recompute the segment check bits of all six registers (mode changes). */
void cpu_refresh_segs(struct cpu *c);

/* Protected-mode halves (prot_*.c). */
void seg_load_prot(struct cpu *c, unsigned s, uint16_t sel);
/* off is already masked to the operand size (cpu_far_jmp, cpu_far_call). */
void far_jmp_prot(struct cpu *c, uint16_t sel, uint32_t off);
void far_call_prot(struct cpu *c, uint16_t sel, uint32_t off, bool o32);
void far_ret_prot(struct cpu *c, bool o32, uint16_t pop_bytes);
void iret_prot(struct cpu *c, bool o32);
/* IRET in virtual-8086 mode (IOPL-sensitive). */
void iret_v86(struct cpu *c, bool o32);
bool io_allowed_prot(struct cpu *c, uint16_t port, unsigned size);
/* The I/O map base field of the current 32-bit TSS (the VME interrupt
 * redirection bitmap is the 32 bytes below it), or -1 when TR holds no
 * present 32-bit TSS. */
int32_t tss_io_map_base(struct cpu *c);

#endif
