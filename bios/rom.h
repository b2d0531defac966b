/*
 * System BIOS placement (PC/AT memory map): the image ends at 4 GiB, where
 * the CPU's first fetch (CS base 0xFFFF0000 + IP 0xFFF0) lands, and its last
 * 128 KiB are also visible below 1 MiB (0xE0000-0xFFFFF), where real-mode
 * code jumps after the reset vector's far jump. Shadowing into RAM is the
 * i440FX PAM registers' business (devices/i440fx.c).
 */
#ifndef POPEK_BIOS_ROM_H
#define POPEK_BIOS_ROM_H

#include "mem/memmap.h"

#define BIOS_MAX_SIZE (16u << 20)
#define BIOS_LOW_WINDOW 0x20000u /* bytes visible below 1 MiB */

/* Check the image size: 0, or -1 with a one-line reason in err. */
int bios_check_size(size_t len, char *err, size_t errlen);
/* Map rom (len bytes, kept alive by the caller) at both places. */
void bios_map(struct memmap *mem, const uint8_t *rom, size_t len);

#endif
