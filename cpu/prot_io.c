/*
 * The I/O permission bitmap of the 32-bit TSS (Intel SDM vol. 1, 19.5.2
 * "I/O Permission Bit Map"; vol. 3, 20.2.8.1 for virtual-8086 mode): an
 * access to [port, port + size) is allowed when every bit for those ports
 * is clear. A 16-bit TSS, or a bitmap beyond the TSS limit, denies it. The
 * two bytes holding the bits are always read, as the processor does.
 */
#include "cpu/desc.h"
#include "cpu/mmu.h"
#include "cpu/seg.h"

int32_t tss_io_map_base(struct cpu *c)
{
	const struct seg *tr = &c->tr;
	unsigned type = AR_TYPE(tr->ar);
	if (!(tr->ar & AR_P) || (type != DT_TSS32 && type != DT_TSS32_BUSY) || tr->limit < 0x67)
		return -1;
	return lin_rd16_acc(c, tr->base + 0x66, ACC_SYS);
}

bool io_allowed_prot(struct cpu *c, uint16_t port, unsigned size)
{
	const struct seg *tr = &c->tr;
	int32_t base = tss_io_map_base(c);
	if (base < 0)
		return false;
	uint32_t at = (uint32_t)base + port / 8;
	if ((uint64_t)at + 1 > tr->limit)
		return false;
	uint32_t bits = lin_rd16_acc(c, tr->base + at, ACC_SYS);
	uint32_t mask = ((1u << (size & 7)) - 1) << (port & 7);
	return (bits & mask) == 0;
}
