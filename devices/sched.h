/*
 * Virtual-time scheduler. Time is derived from executed instructions
 * (plus time skipped while the CPU halts), never from the host clock, so a
 * run is deterministic. Devices embed a struct timer in their state, arm it
 * for the next edge they care about, and compute counters from sched_now()
 * when the guest reads them.
 */
#ifndef POPEK_SCHED_H
#define POPEK_SCHED_H

#include "mem/types.h"

struct sched;
typedef void (*timer_fn)(void *opaque, vtime_t now);

struct timer {
	vtime_t deadline;
	timer_fn fn;
	void *opaque;
	struct timer *next;
	bool armed;
};

struct sched {
	const uint64_t *icount; /* the CPU's retired-instruction counter */
	uint64_t ns_per_insn;   /* virtual nanoseconds per instruction */
	vtime_t idle_ns;        /* time skipped while halted or advanced by tests */
	struct timer *head;     /* armed timers, earliest first */
	void (*deadline_changed)(void *opaque); /* tells the CPU to re-check its budget */
	void *deadline_opaque;
};

void sched_init(struct sched *s, const uint64_t *icount, uint64_t ns_per_insn);
static inline vtime_t sched_now(const struct sched *s)
{
	return *s->icount * s->ns_per_insn + s->idle_ns;
}
void timer_init(struct timer *t, timer_fn fn, void *opaque);
void timer_arm(struct sched *s, struct timer *t, vtime_t deadline);
void timer_cancel(struct sched *s, struct timer *t);
/* Earliest armed deadline, or UINT64_MAX when none. */
static inline vtime_t sched_next_deadline(const struct sched *s)
{
	return s->head ? s->head->deadline : UINT64_MAX;
}
/* Fire every timer whose deadline is <= now. */
void sched_run_expired(struct sched *s);
/* Skip virtual time forward without executing instructions (HLT, tests). */
void sched_skip_to(struct sched *s, vtime_t when);

#endif
