/* The chips of the PC board, in the order the board creates them: the
 * interrupt controller first, since the others take its lines. */
#include "devices/i8042.h"
#include "devices/machine.h"
#include "devices/pic.h"
#include "devices/pit.h"
#include "devices/port92.h"
#include "devices/rtc.h"

const struct device_class *const pc_device_classes[] = {
	&pic_device_class,
	&pit_device_class,
	&rtc_class,
	&i8042_class,
	&port92_class,
	NULL,
};
