# Boot tests with real images (tests/boot/*.sh): each script builds its guest
# under the build directory from ../shared and exits 77 (SKIP) when ../shared
# or a tool it needs is missing.
TESTS += tests/boot/bench-boot.sh tests/boot/loaders-boot.sh
EXTRA_DIST += tests/boot/bench-boot.sh tests/boot/loaders-boot.sh

# FXSAVE/FXRSTOR without an x87, for boot code that runs them unconditionally
# (iPXE): found by the boot tests, see cpu/ops_fxsr.c.
libpopek_a_SOURCES += cpu/ops_fxsr.c
tests_unit_SOURCES += tests/test_fxsr.c
