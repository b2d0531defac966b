/*
 * 82077AA-style floppy disk controller at 0x3F0-0x3F5 and 0x3F7 (device
 * name "fdc"), ISA IRQ 6 and DMA channel 2, with drives A and B taken from
 * machine_config.drives[DRIVE_FDA/FDB]. See fdc.c.
 */
#ifndef POPEK_FDC_H
#define POPEK_FDC_H

#include "devices/device.h"
#include "mem/types.h"

extern const struct device_class fdc_class;

/* A floppy format: tracks per side, sides, sectors per track (512-byte
 * sectors), the CMOS drive type that reads it (0x10: 1 = 360K, 2 = 1.2M,
 * 3 = 720K, 4 = 1.44M, 5 = 2.88M) and its data rate code (CCR bits 0-1). */
struct fdc_geometry {
	uint8_t tracks, heads, spt;
	uint8_t cmos_type;
	uint8_t rate;
};

/* The format of a raw image of size bytes; false when none matches. */
bool fdc_geometry_for_size(uint64_t size, struct fdc_geometry *g);

#endif
