/*
 * MC146818A real-time clock and CMOS RAM at ports 0x70 (index, bit 7 = NMI
 * mask) and 0x71 (data), interrupting on ISA IRQ 8. See rtc.c.
 */
#ifndef POPEK_RTC_H
#define POPEK_RTC_H

#include "devices/device.h"
#include "mem/types.h"

struct rtc;

extern const struct device_class rtc_class;

/* Set a CMOS byte from the board or firmware setup (disk and floppy types,
 * equipment byte...). index is masked to 7 bits; the clock registers
 * (0x00-0x0D) are not reachable this way. Writing a byte in 0x10-0x2D
 * recomputes the standard checksum at 0x2E (high) / 0x2F (low). */
void rtc_set_nvram(struct rtc *r, unsigned index, uint8_t value);
uint8_t rtc_nvram(const struct rtc *r, unsigned index);

#endif
