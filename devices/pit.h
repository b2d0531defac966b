/*
 * The 8254 programmable interval timer at ports 0x40-0x43 (channel 0 on
 * IRQ 0, channel 1 the DRAM refresh timer, channel 2 the speaker timer)
 * and system control port B at 0x61 (channel 2 gate, speaker enable,
 * refresh toggle, channel 2 output).
 */
#ifndef POPEK_PIT_H
#define POPEK_PIT_H

#include "devices/machine.h"

extern const struct device_class pit_device_class;

#define PIT_HZ 1193182u /* input clock of all three channels */

#endif
