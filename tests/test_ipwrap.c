/* Run-loop behaviour the 80286 captures exposed (shared/testdata). */
#include <criterion/criterion.h>

#include "tests/tm.h"

/* RET/JMP to FFFFh with a HLT there: the 286 captures end with IP = 0000h,
 * the 16-bit instruction pointer wrapping past the HLT. */
Test(ipwrap, ip_wraps_at_64k_in_16_bit_code)
{
	struct machine *m = tm_new("");
	tm_poke(m, TM_CODE + 0xFFFF, "f4");
	tm_cpu(m)->eip = 0xFFFF;
	cr_assert_eq(tm_run(m), MACHINE_HALTED);
	cr_assert_eq(tm_cpu(m)->eip, 0);
	cr_assert_eq(tm_cpu(m)->seg[S_CS].sel, TM_CODE >> 4);
	tm_free(m);
}
