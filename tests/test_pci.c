/* PCI configuration mechanism #1, BAR sizing and placement, INTx routing
 * (PCI Local Bus Specification 2.1, 3.7.4.1 and 6.2.5; PIIX3 PIRQRC). */
#include <criterion/criterion.h>

#include "devices/pci.h"
#include "tests/bus_util.h"

#define DEVFN(dev, fn) ((dev) << 3 | (fn))

Test(pci, chipset_ids_and_classes)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	cr_assert_eq(cfg_read(m, DEVFN(0, 0), 0, 4), 0x12378086);
	cr_assert_eq(cfg_read(m, DEVFN(0, 0), 0x0A, 2), 0x0600);
	cr_assert_eq(cfg_read(m, DEVFN(1, 0), 0, 4), 0x70008086);
	cr_assert_eq(cfg_read(m, DEVFN(1, 0), 0x08, 4) >> 8, 0x060100);
	cr_assert_eq(cfg_read(m, DEVFN(1, 0), 0x0E, 1), 0x80, "PIIX3 is multi-function");
	cr_assert_eq(cfg_read(m, DEVFN(1, 1), 0, 4), 0x70108086);
	cr_assert_eq(cfg_read(m, DEVFN(1, 1), 0x08, 4) >> 8, 0x010180);
	cr_assert_eq(cfg_read(m, DEVFN(1, 3), 0, 4), 0x71138086);
	cr_assert_eq(cfg_read(m, DEVFN(1, 3), 0x08, 4) >> 8, 0x068000);
	machine_free(m);
}

Test(pci, absent_devices_and_other_buses_read_all_ones)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	cr_assert_eq(cfg_read(m, DEVFN(3, 0), 0, 4), 0xFFFFFFFF);
	cr_assert_eq(cfg_read(m, DEVFN(1, 2), 0, 2), 0xFFFF);
	io_out(m, 0xCF8, 0x80010000, 4); /* bus 1, 00.0 */
	cr_assert_eq(io_in(m, 0xCFC, 4), 0xFFFFFFFF);
	io_out(m, 0xCF8, 0x00000000, 4); /* enable bit clear */
	cr_assert_eq(io_in(m, 0xCFC, 4), 0xFFFFFFFF);
	machine_free(m);
}

Test(pci, config_address_reserved_bits_read_zero)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	io_out(m, 0xCF8, 0xFFFFFFFF, 4);
	cr_assert_eq(io_in(m, 0xCF8, 4), 0x80FFFFFC);
	machine_free(m);
}

Test(pci, data_port_byte_lanes)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	io_out(m, 0xCF8, 0x80000000, 4);
	cr_assert_eq(io_in(m, 0xCFC, 1), 0x86);
	cr_assert_eq(io_in(m, 0xCFD, 1), 0x80);
	cr_assert_eq(io_in(m, 0xCFE, 2), 0x1237);
	cr_assert_eq(io_in(m, 0xCFF, 1), 0x12);
	machine_free(m);
}

Test(pci, byte_access_to_cf8_is_not_config_address)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	io_out(m, 0xCF8, 0x80000800, 4);
	io_out(m, 0xCF8, 0x00, 1);
	io_out(m, 0xCFA, 0x1234, 2);
	cr_assert_eq(io_in(m, 0xCF8, 4), 0x80000800);
	machine_free(m);
}

Test(pci, read_only_header_fields_ignore_writes)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	cfg_write(m, DEVFN(1, 0), 0, 0xFFFFFFFF, 4);
	cfg_write(m, DEVFN(1, 0), 0x08, 0, 4);
	cr_assert_eq(cfg_read(m, DEVFN(1, 0), 0, 4), 0x70008086);
	cr_assert_eq(cfg_read(m, DEVFN(1, 0), 0x08, 4) >> 8, 0x060100);
	cfg_write(m, DEVFN(1, 0), 0x3C, 0x0B, 1); /* interrupt line is storage */
	cr_assert_eq(cfg_read(m, DEVFN(1, 0), 0x3C, 1), 0x0B);
	machine_free(m);
}

Test(pci, ide_bar4_sizes_as_16_byte_io)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	cr_assert_eq(cfg_read(m, DEVFN(1, 1), 0x20, 4), 0x00000001);
	cfg_write(m, DEVFN(1, 1), 0x20, 0xFFFFFFFF, 4);
	cr_assert_eq(cfg_read(m, DEVFN(1, 1), 0x20, 4), 0xFFFFFFF1);
	cfg_write(m, DEVFN(1, 1), 0x20, 0xC000, 4);
	cr_assert_eq(cfg_read(m, DEVFN(1, 1), 0x20, 4), 0xC001);
	cr_assert_eq(cfg_read(m, DEVFN(1, 1), 0x10, 4), 0, "BAR0 is not implemented");
	machine_free(m);
}

/* A device on slot 5 with a 4 KiB memory BAR, a 32-byte I/O BAR and a
 * 64 KiB expansion ROM, logging the bus's placement calls. */
struct probe {
	struct pci_device pci;
	unsigned calls;
	unsigned bar[8];
	uint32_t addr[8];
};

static void probe_mapped(struct pci_device *d, unsigned bar, uint32_t addr)
{
	struct probe *p = d->opaque;
	if (p->calls < 8) {
		p->bar[p->calls] = bar;
		p->addr[p->calls] = addr;
	}
	p->calls++;
}

static void probe_add(struct machine *m, struct probe *p, unsigned slot)
{
	*p = (struct probe){ 0 };
	p->pci.name = "probe";
	p->pci.devfn = (uint8_t)DEVFN(slot, 0);
	p->pci.opaque = p;
	p->pci.bar_mapped = probe_mapped;
	pci_set_ids(&p->pci, 0x1234, 0x5678, 0x02000000, 0);
	pci_set_bar(&p->pci, 0, 0x1000, 0);
	pci_set_bar(&p->pci, 1, 32, PCI_BAR_IO);
	pci_set_bar(&p->pci, PCI_BAR_ROM, 0x10000, 0);
	p->pci.config[PCI_INTERRUPT_PIN] = 1;
	cr_assert_eq(pci_register(pci_machine_bus(m), &p->pci), 0);
}

Test(pci, bar_sizing_reads_back_size_masks)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	struct probe p;
	probe_add(m, &p, 5);
	cfg_write(m, DEVFN(5, 0), 0x10, 0xFFFFFFFF, 4);
	cr_assert_eq(cfg_read(m, DEVFN(5, 0), 0x10, 4), 0xFFFFF000);
	cfg_write(m, DEVFN(5, 0), 0x14, 0xFFFFFFFF, 4);
	cr_assert_eq(cfg_read(m, DEVFN(5, 0), 0x14, 4), 0xFFFFFFE1);
	cfg_write(m, DEVFN(5, 0), 0x30, 0xFFFFF800, 4);
	cr_assert_eq(cfg_read(m, DEVFN(5, 0), 0x30, 4), 0xFFFF0000);
	cfg_write(m, DEVFN(5, 0), 0x30, 0xFFFFFFFF, 4);
	cr_assert_eq(cfg_read(m, DEVFN(5, 0), 0x30, 4), 0xFFFF0001);
	cr_assert_eq(cfg_read(m, DEVFN(5, 0), 0x18, 4), 0, "unused BAR reads 0");
	cr_assert_eq(p.calls, 0, "decoding is off: nothing is placed");
	cr_assert_eq(pci_register(pci_machine_bus(m), &p.pci), -1, "devfn is taken");
	machine_free(m);
}

Test(pci, command_decode_bits_gate_bar_mapping)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	struct probe p;
	probe_add(m, &p, 5);
	cfg_write(m, DEVFN(5, 0), 0x10, 0xFEB00000, 4);
	cfg_write(m, DEVFN(5, 0), 0x14, 0xC100, 4);
	cr_assert_eq(p.calls, 0);
	cfg_write(m, DEVFN(5, 0), PCI_COMMAND, PCI_CMD_MEM, 2);
	cr_assert_eq(p.calls, 1);
	cr_assert_eq(p.bar[0], 0);
	cr_assert_eq(p.addr[0], 0xFEB00000);
	cfg_write(m, DEVFN(5, 0), PCI_COMMAND, PCI_CMD_MEM | PCI_CMD_IO, 2);
	cr_assert_eq(p.calls, 2);
	cr_assert_eq(p.bar[1], 1);
	cr_assert_eq(p.addr[1], 0xC100);
	/* A move is an unmap of the old place, then a map of the new one. */
	cfg_write(m, DEVFN(5, 0), 0x10, 0xFEC00000, 4);
	cr_assert_eq(p.calls, 4);
	cr_assert_eq(p.addr[2], PCI_UNMAPPED);
	cr_assert_eq(p.addr[3], 0xFEC00000);
	cfg_write(m, DEVFN(5, 0), PCI_COMMAND, PCI_CMD_MEM, 2);
	cr_assert_eq(p.calls, 5);
	cr_assert_eq(p.bar[4], 1);
	cr_assert_eq(p.addr[4], PCI_UNMAPPED);
	machine_free(m);
}

Test(pci, expansion_rom_needs_enable_bit_and_memory_decode)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	struct probe p;
	probe_add(m, &p, 5);
	cfg_write(m, DEVFN(5, 0), PCI_COMMAND, PCI_CMD_MEM, 2);
	cfg_write(m, DEVFN(5, 0), 0x30, 0xFEB80000, 4);
	cr_assert_eq(p.calls, 0, "enable bit clear");
	cfg_write(m, DEVFN(5, 0), 0x30, 0xFEB80001, 4);
	cr_assert_eq(p.calls, 1);
	cr_assert_eq(p.bar[0], PCI_BAR_ROM);
	cr_assert_eq(p.addr[0], 0xFEB80000);
	cfg_write(m, DEVFN(5, 0), PCI_COMMAND, 0, 2);
	cr_assert_eq(p.calls, 2);
	cr_assert_eq(p.addr[1], PCI_UNMAPPED);
	machine_free(m);
}

Test(pci, reset_clears_command_and_bars)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	struct probe p;
	probe_add(m, &p, 5);
	cfg_write(m, DEVFN(5, 0), 0x14, 0xC100, 4);
	cfg_write(m, DEVFN(5, 0), PCI_COMMAND, PCI_CMD_IO, 2);
	cr_assert_eq(p.calls, 1);
	machine_reset(m);
	cr_assert_eq(cfg_read(m, DEVFN(5, 0), PCI_COMMAND, 2), 0);
	cr_assert_eq(cfg_read(m, DEVFN(5, 0), 0x14, 4), 0x1);
	cr_assert_eq(p.calls, 2);
	cr_assert_eq(p.addr[1], PCI_UNMAPPED);
	machine_free(m);
}

Test(pci, intx_is_routed_through_piix3_pirq_registers)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	struct irq_log log;
	bus_log_irqs(m, &log);
	struct probe p;
	probe_add(m, &p, 5); /* slot 5 INTA: PIRQ (5 + 1 - 2) & 3 = A */
	pci_set_irq(&p.pci, 1);
	for (unsigned i = 0; i < 16; i++)
		cr_assert_eq(log.level[i], 0, "PIRQRC reset value 0x80 disables routing");
	cfg_write(m, DEVFN(1, 0), 0x60, 11, 1);
	cr_assert_eq(log.level[11], 1);
	pci_set_irq(&p.pci, 0);
	cr_assert_eq(log.level[11], 0);
	pci_set_irq(&p.pci, 1);
	cfg_write(m, DEVFN(1, 0), 0x60, 10, 1);
	cr_assert_eq(log.level[11], 0, "rerouting releases the old IRQ");
	cr_assert_eq(log.level[10], 1);
	cfg_write(m, DEVFN(1, 0), 0x60, 0x8A, 1);
	cr_assert_eq(log.level[10], 0);
	machine_free(m);
}

Test(pci, devices_sharing_a_pirq_are_wired_or)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	struct irq_log log;
	bus_log_irqs(m, &log);
	struct probe a, b;
	probe_add(m, &a, 5); /* INTA of slot 5 -> PIRQA */
	probe_add(m, &b, 9); /* INTA of slot 9 -> PIRQ (9 + 1 - 2) & 3 = A */
	cfg_write(m, DEVFN(1, 0), 0x60, 5, 1);
	pci_set_irq(&a.pci, 1);
	pci_set_irq(&b.pci, 1);
	pci_set_irq(&a.pci, 0);
	cr_assert_eq(log.level[5], 1, "b still holds PIRQA");
	pci_set_irq(&b.pci, 0);
	cr_assert_eq(log.level[5], 0);
	machine_free(m);
}

Test(pci, pirq_swizzle_follows_slot_and_pin)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	struct irq_log log;
	bus_log_irqs(m, &log);
	struct probe p;
	probe_add(m, &p, 6);
	p.pci.config[PCI_INTERRUPT_PIN] = 2; /* INTB of slot 6: PIRQ (6 + 2 - 2) & 3 = C */
	cfg_write(m, DEVFN(1, 0), 0x60, 3, 1);
	cfg_write(m, DEVFN(1, 0), 0x62, 9, 1);
	pci_set_irq(&p.pci, 1);
	cr_assert_eq(log.level[3], 0);
	cr_assert_eq(log.level[9], 1);
	machine_free(m);
}

Test(pci, ide_timing_registers_are_storage_and_reset)
{
	struct machine *m = bus_machine(NULL, 0, NULL);
	cfg_write(m, DEVFN(1, 1), 0x40, 0xA307E307, 4);
	cr_assert_eq(cfg_read(m, DEVFN(1, 1), 0x40, 4), 0xA307E307);
	machine_reset(m);
	cr_assert_eq(cfg_read(m, DEVFN(1, 1), 0x40, 4), 0);
	machine_free(m);
}
