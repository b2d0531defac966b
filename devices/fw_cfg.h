/* QEMU's firmware configuration interface (fw_cfg) at ports 0x510-0x511.
 * See fw_cfg.c. */
#ifndef POPEK_FW_CFG_H
#define POPEK_FW_CFG_H

#include "devices/device.h"

extern const struct device_class fw_cfg_class;

#endif
