/*
 * Hardware task switching (Intel SDM vol. 3, ch. 7) and the checked segment
 * load it shares with MOV Sreg.
 */
#ifndef POPEK_TASK_H
#define POPEK_TASK_H

#include "cpu/desc.h"

enum task_reason { TASK_JMP, TASK_CALL, TASK_IRET, TASK_INT };

/* Load data or stack segment register s (not CS) with the checks of MOV
 * Sreg at privilege cpl; check failures raise vec (#GP or #TS). */
void prot_seg_load(struct cpu *c, unsigned s, uint16_t sel, unsigned cpl, int vec, bool ext);

/* Switch to the task whose TSS descriptor (sel, *d) the caller fetched and
 * checked for privilege and type. Checks presence and the TSS limit, saves
 * the current task with save_eip as its EIP, loads the new one. ext: EXT bit
 * for error codes (interrupts and exceptions). */
void task_switch(struct cpu *c, uint16_t sel, struct desc *d, enum task_reason why,
		 uint32_t save_eip, bool ext);
/* Task gate or TSS named by sel as a JMP/CALL target (SDM JMP, CALL). */
void task_far(struct cpu *c, uint16_t sel, struct desc *d, enum task_reason why);

#endif
