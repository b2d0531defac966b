/* Address and time types shared by the whole emulator. */
#ifndef POPEK_TYPES_H
#define POPEK_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint32_t paddr_t; /* guest physical address (32-bit PC, no PAE) */
typedef uint32_t laddr_t; /* guest linear address */
typedef uint64_t vtime_t; /* virtual time in nanoseconds since machine creation */

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
