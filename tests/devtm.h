/*
 * Device test machine: a full (non-bare) PC board without firmware, with a
 * stub interrupt controller in place of the 8259A pair that records each
 * ISA line's level and counts its rising edges. Tests drive devices through
 * their ports only.
 */
#ifndef POPEK_DEVTM_H
#define POPEK_DEVTM_H

#include "devices/machine.h"

struct devtm {
	struct machine *m;
	int level[16];
	unsigned edges[16];
};

/* cfg may be NULL (32 MiB); the caller's config is copied. */
struct devtm *devtm_new(const struct machine_config *cfg);
void devtm_free(struct devtm *t);
uint8_t devtm_in(struct devtm *t, uint16_t port);
void devtm_out(struct devtm *t, uint16_t port, uint8_t v);
/* Skip virtual time forward to an absolute time, firing timers. */
void devtm_skip_to(struct devtm *t, vtime_t when);
vtime_t devtm_now(struct devtm *t);

#endif
