/*
 * The device interface. Each chip is one file with a const device_class;
 * the board (machine.c) creates the devices of a PC from a list of classes.
 * A device registers its ports (ioport_register) and MMIO (memmap_map_mmio)
 * in create, gets its interrupt lines from machine_isa_irq, arms timers on
 * machine_sched, and keeps all of its state in the struct it allocates.
 */
#ifndef POPEK_DEVICE_H
#define POPEK_DEVICE_H

#include "mem/types.h"

struct machine;

/* One field of a device's saved state (for snapshots): offset and size
 * within the device struct. Lists end with a zeroed entry. */
struct state_field {
	const char *name;
	size_t offset;
	size_t size;
};
#define STATE_FIELD(type, member) { #member, offsetof(type, member), sizeof(((type *)0)->member) }

struct device_class {
	const char *name;
	/* Allocate and wire the device; NULL (with a message from
	 * machine_error) when it cannot be created. */
	void *(*create)(struct machine *m);
	void (*reset)(void *dev);   /* hardware reset (power-on and PC reset) */
	void (*destroy)(void *dev); /* free everything create allocated */
	const struct state_field *fields;
	void (*post_load)(void *dev);
};

#endif
