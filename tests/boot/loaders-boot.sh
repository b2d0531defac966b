#!/bin/sh
# Boot test with real boot loaders: GRUB 2.06 and iPXE from Debian's packages,
# built by ../shared/images/build-extras.sh (run from a copy under the build
# directory: the shared tree is read-only; the .debs it fetches with
# apt-get download are kept in that copy's dl/ between runs).
#  - out/grub-serial-floppy.img (--fda): GRUB prints GRUB-OK and its E820
#    map and drives on COM1, then waits at "grub>" on COM1 and the screen.
#  - out/iso/grub-rescue-cdrom.iso (--cdrom --boot d, El Torito no-emulation
#    boot through ATAPI): GRUB's menu, "GNU GRUB  version 2.06" on the screen.
#  - out/ipxe-floppy.img (--fda): SYSLINUX loads ipxe.lkrn (Linux boot
#    protocol); iPXE runs "echo IPXE-OK && shell": "iPXE>" on the screen.
#    iPXE runs FXSAVE around every BIOS call without checking CPUID.
# Each run is stopped by --max-insns (exit status 4) after the prompt (the
# prompts appear at about 133M, 56M and 201M instructions). Exit 77 (SKIP)
# when ../shared, SeaBIOS, the host tools of build-extras.sh or the
# download of the .debs are unavailable.
set -u
top=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd)
shared=$top/../shared/images
popek=${POPEK:-$PWD/popek}
work=$PWD/boot-test/images

skip() { echo "SKIP: $*"; exit 77; }
status=0
fail() { echo "FAIL: $*"; status=1; }

[ -x "$shared/build-extras.sh" ] || skip "no shared image scripts at $shared"
[ -f /usr/share/seabios/bios.bin ] || skip "SeaBIOS (/usr/share/seabios/bios.bin) is not installed"
[ -x "$popek" ] || skip "no popek binary at $popek"
command -v apt-get >/dev/null 2>&1 || skip "no apt-get (the images are built from Debian packages)"
# build-extras.sh would apt-get install missing host tools: a test must not.
for p in mtools syslinux syslinux-common dosfstools grub-common xorriso; do
	dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		skip "host package $p is not installed (see .ci/run)"
done

# A fresh copy of the scripts; keep the downloaded .debs.
mkdir -p "$work"
(cd "$shared" && tar cf - --exclude=./dl --exclude=./build --exclude=./out --exclude=./results .) |
	(cd "$work" && tar xf -) || { fail "copying $shared"; exit 1; }
if ! (cd "$work" && ./build-extras.sh) > "$work/build-extras.log" 2>&1; then
	for p in memtest86+ ipxe grub-rescue-pc grub-pc-bin; do
		ls "$work/dl/${p}_"*.deb >/dev/null 2>&1 ||
			skip "could not download $p with apt-get download (offline?): see $work/build-extras.log"
	done
	cat "$work/build-extras.log"
	fail "build-extras.sh failed"
	exit 1
fi

sha() { sha256sum "$1" | cut -d' ' -f1; }

# boot NAME MAX-INSNS POPEK-ARGS...
boot() {
	name=$1 limit=$2; shift 2
	rm -f "$work/$name.com1" "$work/$name.screen"
	start=$(date +%s.%N)
	timeout 120 "$popek" --headless --snapshot --max-insns "$limit" \
		--serial "file:$work/$name.com1" --dump-screen "$work/$name.screen" "$@" \
		> "$work/$name.log" 2>&1
	rc=$?
	wall=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
	[ "$rc" = 4 ] || fail "$name: popek exited with $rc, not 4 (instruction limit; log: $work/$name.log)"
	echo "$name: $limit instructions in ${wall}s"
}

# expect NAME FILE-KIND TEXT
expect() {
	if grep -qF "$3" "$work/$1.$2" 2>/dev/null; then
		echo "ok: $1: '$3' on $2"
	else
		fail "$1: no '$3' on $2 ($work/$1.$2)"
	fi
}

img=$work/out/grub-serial-floppy.img
before=$(sha "$img")
boot grub-floppy 160000000 --fda "$img"
expect grub-floppy com1 "GRUB-OK i386-pc"
expect grub-floppy com1 "base_addr = 0x0, length = 0x9fc00, available RAM"
expect grub-floppy com1 "(memdisk) (fd0)"
expect grub-floppy com1 "grub>"
expect grub-floppy screen "GNU GRUB  version 2.06"
expect grub-floppy screen "grub>"
[ "$(sha "$img")" = "$before" ] || fail "grub-floppy: --snapshot modified the image"

iso=$work/out/iso/grub-rescue-cdrom.iso
boot grub-cdrom 80000000 --cdrom "$iso" --boot d
expect grub-cdrom screen "GNU GRUB  version 2.06"
expect grub-cdrom screen "Memtest86+"

img=$work/out/ipxe-floppy.img
boot ipxe-floppy 230000000 --fda "$img"
expect ipxe-floppy screen "SYSLINUX 6.04"
expect ipxe-floppy screen "IPXE-OK"
expect ipxe-floppy screen "iPXE>"

[ "$status" = 0 ] && echo "PASS: GRUB reaches its prompt from a floppy and its menu from a CD-ROM; iPXE its shell"
exit "$status"
