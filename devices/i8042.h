/*
 * 8042 keyboard controller with a PS/2 keyboard and mouse, at ports 0x60
 * (data) and 0x64 (status / command), on ISA IRQ 1 (keyboard) and IRQ 12
 * (mouse). See i8042.c.
 */
#ifndef POPEK_I8042_H
#define POPEK_I8042_H

#include "devices/device.h"
#include "mem/types.h"

struct i8042;

extern const struct device_class i8042_class;

/* Pause has no break code; pass this as its key code (make only). */
#define I8042_KEY_PAUSE 0xE114u
/* Print Screen as an unmodified key: E0 12 E0 7C on make, the reverse on
 * break. (Alt+Print Screen is SysRq, plain code 0x84.) */
#define I8042_KEY_PRINT 0xE07Cu

#define I8042_BUTTON_LEFT 1u
#define I8042_BUTTON_RIGHT 2u
#define I8042_BUTTON_MIDDLE 4u

/*
 * Front-end input. A key is named by its scan code set 2 make code: a byte
 * (0x1C is A), or 0xE0xx for the E0-prefixed keys (0xE075 is cursor up),
 * or I8042_KEY_PAUSE / I8042_KEY_PRINT. The keyboard sends it in the scan
 * code set the guest selected; keys pressed while the keyboard is disabled
 * are dropped, as a disabled keyboard does not scan.
 */
void i8042_key(struct i8042 *k, uint16_t code, bool down);
/*
 * Mouse motion in mouse counts (dx right, dy up, as PS/2 reports them) and
 * the current buttons (I8042_BUTTON_*). Motion accumulates in the mouse's
 * counters; in stream mode with reporting enabled a packet goes out at
 * once (or as soon as the mouse's buffer has room).
 */
void i8042_mouse(struct i8042 *k, int dx, int dy, unsigned buttons);
/* The keyboard LEDs as the guest last set them: bit 0 Scroll Lock,
 * bit 1 Num Lock, bit 2 Caps Lock. */
uint8_t i8042_leds(const struct i8042 *k);

#endif
