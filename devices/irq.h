/*
 * An interrupt line as a small value: whoever drives it calls irq_set();
 * the board decides where it goes (PIC input, CPU INTR). Level semantics:
 * edge-triggered receivers look at the 0->1 transitions themselves.
 */
#ifndef POPEK_IRQ_H
#define POPEK_IRQ_H

typedef void (*irq_handler)(void *opaque, int n, int level);

struct irq_line {
	irq_handler handler;
	void *opaque;
	int n;
};

static inline void irq_set(struct irq_line l, int level)
{
	if (l.handler)
		l.handler(l.opaque, l.n, level);
}

#endif
