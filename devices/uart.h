/*
 * Two 16550A UARTs: COM1 (0x3F8, IRQ 4) and COM2 (0x2F8, IRQ 3), wired to
 * the board's serial byte sinks and sources (machine_config serial[],
 * serial_in[]). Device name "uart".
 */
#ifndef POPEK_UART_H
#define POPEK_UART_H

#include "devices/device.h"

extern const struct device_class uart_class;

#endif
