/* System BIOS placement (see rom.h). */
#include "bios/rom.h"

#include <stdio.h>

int bios_check_size(size_t len, char *err, size_t errlen)
{
	if (len == 0 || len % PAGE_SIZE || len > BIOS_MAX_SIZE) {
		snprintf(err, errlen, "BIOS image size %zu is not a multiple of 4 KiB up to 16 MiB", len);
		return -1;
	}
	return 0;
}

void bios_map(struct memmap *mem, const uint8_t *rom, size_t len)
{
	memmap_map_rom(mem, (paddr_t)(0x100000000ull - len), (uint32_t)len, rom);
	size_t low = len < BIOS_LOW_WINDOW ? len : BIOS_LOW_WINDOW;
	memmap_map_rom(mem, 0x100000 - (paddr_t)low, (uint32_t)low, rom + len - low);
}
