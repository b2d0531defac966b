# Boot tests with real images (tests/boot/*.sh): each script builds its guest
# under the build directory from ../shared and exits 77 (SKIP) when ../shared
# or a tool it needs is missing.
TESTS += tests/boot/bench-boot.sh tests/boot/grub-boot.sh
EXTRA_DIST += tests/boot/bench-boot.sh tests/boot/grub-boot.sh
