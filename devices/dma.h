/*
 * The two 8237A DMA controllers and page registers of a PC/AT (device name
 * "dma"). ISA devices (floppy, sound) move data through a channel with
 * dma_transfer(); the guest programs address, count and mode through ports.
 */
#ifndef POPEK_DMA_H
#define POPEK_DMA_H

#include "devices/device.h"
#include "mem/types.h"

struct machine;
struct dma;

extern const struct device_class dma_class;

/* The machine's DMA controller pair, or NULL on a board without one. */
struct dma *dma_machine(struct machine *m);

/* Move up to len bytes between buf and guest memory on channel 0-3 (bytes)
 * or 5-7 (words: len is rounded down to even). to_memory is the device's
 * direction (true: device to memory); data moves only when the channel's mode
 * agrees. Stops at terminal count, after which the channel reloads (auto-init)
 * or masks itself; the status register shows TC. Returns the bytes counted,
 * 0 when the channel is masked or the controller disabled. */
size_t dma_transfer(struct dma *d, unsigned channel, void *buf, size_t len, bool to_memory);
/* Bytes the channel will move before terminal count (0 if it cannot run). */
size_t dma_remaining(const struct dma *d, unsigned channel);
/* The device's DREQ line, as shown in status bits 4-7. */
void dma_set_dreq(struct dma *d, unsigned channel, bool active);

#endif
