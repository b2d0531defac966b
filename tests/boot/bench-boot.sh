#!/bin/sh
# Boot test: the shared benchmark guest (../shared/bench) booted through
# SeaBIOS from a hard disk (--hda) and from a 1.44 MB floppy (--fda), with
# paging off and on. The guest's "BENCH-END checksum=" on port 0xE9 must equal
# that of native32 (the same workload object run on the host; the shared
# README says the checksum for a given N is the same on every target) and,
# when qemu-system-i386 is installed, QEMU's. Every run uses --snapshot, and
# one uses --overlay; the base images' SHA-256 must not change. The guest
# also prints its markers on COM1, which must reach the --serial file.
# Run by make check from the build directory; exit 77 (SKIP) when ../shared,
# nasm, a 32-bit gcc or SeaBIOS is missing.
set -u
top=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd)
bench=$top/../shared/bench
popek=${POPEK:-$PWD/popek}
work=$PWD/boot-test/bench
iters=${BENCH_BOOT_ITERS:-3}
limit=400000000

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; status=1; }

[ -f "$bench/Makefile" ] || skip "no shared benchmark at $bench"
command -v nasm >/dev/null 2>&1 || skip "nasm is not installed"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
[ -f /usr/share/seabios/bios.bin ] || skip "SeaBIOS (/usr/share/seabios/bios.bin) is not installed"
[ -x "$popek" ] || skip "no popek binary at $popek"
echo 'int main(void){return 0;}' > "${TMPDIR:-/tmp}/popek-m32-$$.c"
if ! gcc -m32 -o "${TMPDIR:-/tmp}/popek-m32-$$" "${TMPDIR:-/tmp}/popek-m32-$$.c" 2>/dev/null; then
	rm -f "${TMPDIR:-/tmp}/popek-m32-$$.c"
	skip "gcc cannot build 32-bit programs (apt-get install gcc-multilib)"
fi
rm -f "${TMPDIR:-/tmp}/popek-m32-$$" "${TMPDIR:-/tmp}/popek-m32-$$.c"

# The shared tree is read-only: its Makefile writes only under B=.
mkdir -p "$work"
make -s -C "$bench" B="$work" "$work/boot.bin" "$work/payload.bin" "$work/native32" \
	> "$work/make.log" 2>&1 || { cat "$work/make.log"; fail "building the benchmark guest"; exit 1; }

status=0
checksum() { sed -n 's/.*BENCH-END checksum=\([0-9a-f]*\).*/\1/p' "$1" | head -n 1; }

"$work/native32" "$iters" > "$work/native32.txt" 2>&1 || fail "native32 $iters"
want=$(checksum "$work/native32.txt")
[ -n "$want" ] || { fail "native32 printed no checksum"; exit 1; }
echo "native32 checksum for N=$iters: $want"

for kind in hdd floppy; do
	for p in 0 1; do
		flag=; [ "$p" = 1 ] && flag=--paging
		python3 "$bench/tools/mkimage.py" "$work/boot.bin" "$work/payload.bin" \
			"$work/$kind-p$p.img" --iters "$iters" --kind "$kind" $flag || fail "mkimage $kind"
	done
done

sha() { sha256sum "$1" | cut -d' ' -f1; }

# run NAME EXPECTED-STATUS POPEK-ARGS...: boot, compare the checksum.
run() {
	name=$1; shift
	start=$(date +%s.%N)
	rm -f "$work/$name.com1"
	timeout 60 "$popek" --headless --debugcon "file:$work/$name.e9" \
		--serial "file:$work/$name.com1" --max-insns "$limit" "$@" \
		> "$work/$name.log" 2>&1
	rc=$?
	end=$(date +%s.%N)
	got=$(checksum "$work/$name.e9")
	wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
	# The guest powers off by writing 0x10 to QEMU's isa-debug-exit port:
	# popek exits with (0x10 << 1) | 1.
	if [ "$rc" != 33 ]; then
		fail "$name: popek exited with $rc, not 33 (log: $work/$name.log)"
	elif ! grep -q '^\[bs\]' "$work/$name.e9"; then
		fail "$name: no [bs] marker from the boot sector"
	elif [ "$got" != "$want" ]; then
		fail "$name: checksum '$got', native32 says '$want'"
	elif [ "$(checksum "$work/$name.com1")" != "$want" ]; then
		# The guest writes its markers to COM1 too: this checks --serial.
		fail "$name: no matching checksum on COM1 (--serial file:$work/$name.com1)"
	else
		echo "ok: $name checksum=$got wall=${wall}s"
	fi
}

for img in hdd-p0 hdd-p1 floppy-p0 floppy-p1; do
	before=$(sha "$work/$img.img")
	case $img in
	hdd*) run "$img" --hda "$work/$img.img" --snapshot ;;
	*) run "$img" --fda "$work/$img.img" --snapshot ;;
	esac
	[ "$(sha "$work/$img.img")" = "$before" ] || fail "$img: --snapshot modified the image"
done

# An overlay file takes the writes; the base image stays as it was.
before=$(sha "$work/hdd-p0.img")
rm -f "$work/hdd.overlay"
run hdd-overlay --hda "$work/hdd-p0.img" --overlay "hda=$work/hdd.overlay"
[ -f "$work/hdd.overlay" ] || fail "--overlay created no overlay file"
[ "$(sha "$work/hdd-p0.img")" = "$before" ] || fail "--overlay modified the base image"
# The same overlay opens again (it matches its base image).
run hdd-overlay2 --hda "$work/hdd-p0.img" --overlay "hda=$work/hdd.overlay"
[ "$(sha "$work/hdd-p0.img")" = "$before" ] || fail "--overlay (reopened) modified the base image"

if command -v qemu-system-i386 >/dev/null 2>&1; then
	for kind in hdd floppy; do
		drive="file=$work/$kind-p0.img,format=raw,snapshot=on"
		[ "$kind" = floppy ] && drive="$drive,if=floppy" || drive="$drive,if=ide"
		timeout 60 qemu-system-i386 -nodefaults -display none -no-reboot \
			-drive "$drive" -debugcon "file:$work/qemu-$kind.e9" \
			-device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial null > "$work/qemu-$kind.log" 2>&1
		got=$(checksum "$work/qemu-$kind.e9")
		if [ "$got" != "$want" ]; then
			fail "qemu $kind: checksum '$got', native32 says '$want'"
		else
			echo "ok: qemu-system-i386 $kind checksum=$got"
		fi
	done
else
	echo "note: qemu-system-i386 not installed; compared with native32 only"
fi

[ "$status" = 0 ] && echo "PASS: benchmark guest boots from hdd and floppy, checksum $want"
exit "$status"
