/* System control port A (0x92): fast A20 gate and fast reset. See port92.c. */
#ifndef POPEK_PORT92_H
#define POPEK_PORT92_H

#include "devices/device.h"

extern const struct device_class port92_class;

#endif
