/*
 * i440FX host bridge (82441FX) at PCI 00:00.0: PAM shadow-RAM routing of
 * 0xC0000-0xFFFFF and the SMRAM window. Needs the "pci" device.
 */
#ifndef POPEK_I440FX_H
#define POPEK_I440FX_H

#include "devices/device.h"

extern const struct device_class i440fx_class;

#endif
