/* Port I/O: IN/OUT with immediate and DX ports at 8, 16 and 32 bits, and
 * INS/OUTS with REP, against a stub device registered in the test. */
#include <criterion/criterion.h>

#include "cpu/mmu.h"
#include "tests/ctrl_direct.h"
#include "tests/tm.h"

#define STUB_PORT 0x300

struct stub_dev {
	uint32_t last_off, last_val;
	unsigned last_size, writes, reads;
	uint8_t seq; /* INS source: successive byte values */
	uint8_t log[64];
};

static uint32_t stub_read(void *opaque, uint32_t off, unsigned size)
{
	struct stub_dev *d = opaque;
	d->reads++;
	if (off == 3) /* a byte stream for INS */
		return d->seq++;
	static const uint32_t v[5] = { 0, 0x5A, 0x1234, 0, 0xCAFEBABE };
	return v[size] + off;
}

static void stub_write(void *opaque, uint32_t off, uint32_t value, unsigned size)
{
	struct stub_dev *d = opaque;
	d->last_off = off;
	d->last_val = value;
	d->last_size = size;
	if (d->writes < sizeof(d->log))
		d->log[d->writes] = (uint8_t)value;
	d->writes++;
}

static const struct io_ops stub_ops = { stub_read, stub_write };

static struct machine *io_machine(const char *hex, struct stub_dev *d)
{
	struct machine *m = tm_new(hex);
	*d = (struct stub_dev){ .seq = 0x10 };
	cr_assert_eq(ioport_register(machine_io(m), STUB_PORT, 8, &stub_ops, d), 0);
	tm_cpu(m)->r[R_EDX].d = STUB_PORT;
	return m;
}

Test(io, in_from_dx_at_three_sizes)
{
	struct stub_dev d;
	struct machine *m = io_machine("ec f4", &d);
	struct cpu *c = tm_cpu(m);
	c->r[R_EAX].d = 0xFFFFFFFF;
	tm_run(m);
	cr_assert_eq(c->r[R_EAX].d, 0xFFFFFF5A);
	tm_free(m);

	m = io_machine("ed f4", &d);
	c = tm_cpu(m);
	c->r[R_EAX].d = 0xFFFFFFFF;
	tm_run(m);
	cr_assert_eq(c->r[R_EAX].d, 0xFFFF1234);
	tm_free(m);

	m = io_machine("66 ed f4", &d);
	c = tm_cpu(m);
	tm_run(m);
	cr_assert_eq(c->r[R_EAX].d, 0xCAFEBABE);
	cr_assert_eq(d.reads, 1);
	tm_free(m);
}

Test(io, in_from_immediate_port)
{
	struct stub_dev d;
	/* in al, 0xe9 reads the board's debug port signature */
	struct machine *m = io_machine("e4 e9 f4", &d);
	tm_run(m);
	cr_assert_eq(tm_cpu(m)->r[R_EAX].b[0], 0xE9);
	tm_free(m);

	m = io_machine("e4 80 f4", &d); /* unclaimed: floats high */
	tm_run(m);
	cr_assert_eq(tm_cpu(m)->r[R_EAX].b[0], 0xFF);
	tm_free(m);
}

Test(io, out_to_dx_at_three_sizes)
{
	struct stub_dev d;
	struct machine *m = io_machine("ee ef 66 ef f4", &d);
	struct cpu *c = tm_cpu(m);
	c->r[R_EAX].d = 0x89ABCDEF;
	machine_run(m, 1);
	cr_assert_eq(d.last_size, 1);
	cr_assert_eq(d.last_val, 0xEF);
	cr_assert_eq(d.last_off, 0);
	c->r[R_EDX].d = STUB_PORT + 2;
	machine_run(m, 2);
	cr_assert_eq(d.last_size, 2);
	cr_assert_eq(d.last_val, 0xCDEF);
	cr_assert_eq(d.last_off, 2);
	c->r[R_EDX].d = STUB_PORT + 4;
	tm_run(m);
	cr_assert_eq(d.last_size, 4);
	cr_assert_eq(d.last_val, 0x89ABCDEF);
	cr_assert_eq(d.last_off, 4);
	cr_assert_eq(d.writes, 3);
	tm_free(m);
}

Test(io, out_to_immediate_port)
{
	/* port 0xF4 is the board's debug exit: the write stops the machine */
	struct stub_dev d;
	struct machine *m = io_machine("e6 f4 f4", &d);
	tm_cpu(m)->r[R_EAX].b[0] = 0x21;
	cr_assert_eq(tm_run(m), MACHINE_DEBUG_EXIT);
	cr_assert_eq(machine_exit_code(m), (0x21 << 1) | 1);
	cr_assert_eq(d.writes, 0);
	tm_free(m);
}

Test(io, rep_outsb_sends_every_byte_in_order)
{
	struct stub_dev d;
	struct machine *m = io_machine("f3 6e f4", &d);
	struct cpu *c = tm_cpu(m);
	tm_poke(m, 0x2000, "48 65 6c 6c 6f");
	c->r[R_ESI].d = 0x2000;
	c->r[R_ECX].d = 5;
	tm_run(m);
	cr_assert_eq(d.writes, 5);
	cr_assert_eq(memcmp(d.log, "Hello", 5), 0);
	cr_assert_eq(c->r[R_ESI].d, 0x2005);
	cr_assert_eq(c->r[R_ECX].d, 0);
	tm_free(m);
}

Test(io, outsw_and_outsd_single)
{
	struct stub_dev d;
	struct machine *m = io_machine("6f 66 6f f4", &d);
	struct cpu *c = tm_cpu(m);
	tm_poke(m, 0x2000, "01 02 03 04 05 06");
	c->r[R_ESI].d = 0x2000;
	machine_run(m, 1);
	cr_assert_eq(d.last_size, 2);
	cr_assert_eq(d.last_val, 0x0201);
	tm_run(m);
	cr_assert_eq(d.last_size, 4);
	cr_assert_eq(d.last_val, 0x06050403);
	cr_assert_eq(c->r[R_ESI].d, 0x2006);
	tm_free(m);
}

Test(io, rep_insb_stores_successive_port_reads)
{
	struct stub_dev d;
	struct machine *m = io_machine("f3 6c f4", &d);
	struct cpu *c = tm_cpu(m);
	c->r[R_EDX].d = STUB_PORT + 3;
	c->r[R_EDI].d = 0x3000;
	c->r[R_ECX].d = 4;
	tm_run(m);
	cr_assert_eq(tm_peek32(m, 0x3000), 0x13121110);
	cr_assert_eq(c->r[R_EDI].d, 0x3004);
	cr_assert_eq(d.reads, 4);
	tm_free(m);
}

Test(io, insw_backward)
{
	struct stub_dev d;
	struct machine *m = io_machine("6d f4", &d);
	struct cpu *c = tm_cpu(m);
	c->eflags |= F_DF;
	c->r[R_EDI].d = 0x3000;
	tm_run(m);
	cr_assert_eq(tm_peek16(m, 0x3000), 0x1234);
	cr_assert_eq(c->r[R_EDI].d, 0x2FFE);
	tm_free(m);
}

Test(io, ins_faulting_destination_does_not_consume_the_port)
{
	struct stub_dev d;
	struct machine *m = io_machine("6c f4", &d);
	struct cpu *c = tm_cpu(m);
	c->r[R_EDX].d = STUB_PORT + 3;
	c->seg[S_ES].limit = 0xFFF;
	seg_update_chk(c, S_ES);
	c->r[R_EDI].d = 0x1000; /* past the ES limit: #GP(0) */
	tm_run(m);
	cr_assert_eq(c->eip, TM_HANDLERS + EXC_GP + 1);
	cr_assert_eq(d.reads, 0);
	tm_free(m);
}

Test(io, in_needs_io_permission_outside_real_mode)
{
	/* A TSS too short to hold an I/O bitmap offset denies every port
	 * (SDM vol. 1, 19.5.2). */
	struct stub_dev d;
	struct machine *m = io_machine("", &d);
	struct cpu *c = tm_cpu(m);
	static const uint8_t in_al_dx[] = { 0xEC };
	direct_enter_v86(c, 0);
	c->tr.limit = 0;
	cr_assert_eq(direct_exec(c, in_al_dx, 1), EXC_GP);
	cr_assert_eq(d.reads, 0);
	tm_free(m);

	m = io_machine("", &d);
	c = tm_cpu(m);
	direct_enter_prot(c, 0);
	cr_assert_eq(direct_exec(c, in_al_dx, 1), DIRECT_NO_FAULT, "CPL 0 <= IOPL 0");
	cr_assert_eq(c->r[R_EAX].b[0], 0x5A);
	tm_free(m);
}
