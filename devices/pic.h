/*
 * The two cascaded 8259A programmable interrupt controllers of a PC/AT:
 * master at ports 0x20-0x21 (IRQ 0-7), slave at 0xA0-0xA1 (IRQ 8-15) wired
 * to master IR2, plus the PIIX3 edge/level control registers (ELCR) at
 * 0x4D0-0x4D1. The device registers itself as the board's interrupt
 * controller (machine_set_intc) and drives the CPU's INTR input.
 */
#ifndef POPEK_PIC_H
#define POPEK_PIC_H

#include "devices/machine.h"

struct pic;

extern const struct device_class pic_device_class;

/* The INTA cycle as the CPU performs it: returns the vector to deliver and
 * moves the request into service. The board reaches it through intc_ops;
 * it is public so that tests can see spurious vectors, which the CPU
 * cannot race into. */
uint8_t pic_intack(struct pic *p);

#endif
