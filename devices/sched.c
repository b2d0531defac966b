/* Virtual-time scheduler: a sorted singly linked list of armed timers. */
#include "devices/sched.h"

void sched_init(struct sched *s, const uint64_t *icount, uint64_t ns_per_insn)
{
	*s = (struct sched){ .icount = icount, .ns_per_insn = ns_per_insn };
}

void timer_init(struct timer *t, timer_fn fn, void *opaque)
{
	*t = (struct timer){ .fn = fn, .opaque = opaque };
}

static void unlink_timer(struct sched *s, struct timer *t)
{
	for (struct timer **p = &s->head; *p; p = &(*p)->next) {
		if (*p == t) {
			*p = t->next;
			break;
		}
	}
	t->next = NULL;
	t->armed = false;
}

void timer_arm(struct sched *s, struct timer *t, vtime_t deadline)
{
	if (t->armed)
		unlink_timer(s, t);
	t->deadline = deadline;
	t->armed = true;
	struct timer **p = &s->head;
	/* Equal deadlines keep arming order, so runs are reproducible. */
	while (*p && (*p)->deadline <= deadline)
		p = &(*p)->next;
	t->next = *p;
	*p = t;
	if (s->head == t && s->deadline_changed)
		s->deadline_changed(s->deadline_opaque);
}

void timer_cancel(struct sched *s, struct timer *t)
{
	if (t->armed)
		unlink_timer(s, t);
}

void sched_run_expired(struct sched *s)
{
	vtime_t now = sched_now(s);
	while (s->head && s->head->deadline <= now) {
		struct timer *t = s->head;
		s->head = t->next;
		t->next = NULL;
		t->armed = false;
		t->fn(t->opaque, now);
	}
}

void sched_skip_to(struct sched *s, vtime_t when)
{
	vtime_t now = sched_now(s);
	if (when > now)
		s->idle_ns += when - now;
	sched_run_expired(s);
}
