#!/bin/sh
# Benchmark driver for popek (see bench/README.md).
#   bench/run.sh [BUILD_DIR]
# Environment: ITERS (two counts, default "20,100"), RUNS (repetitions of
# the side-by-side run, default 3), COMPARE (auto|yes|no: run the shared
# run-all.sh against Bochs and QEMU; auto = when popek accepts --hda),
# POPEK_ARGS (extra popek options, e.g. --bios FILE), POPEK (the binary,
# default BUILD_DIR/popek), BENCH_SRC (the shared benchmark, default
# ../shared/bench next to the source tree), QUIET / MAX_WAIT / RETRIES
# (the harness's load guard, see below), ONLY (targets, passed through).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
src=${BENCH_SRC:-$(cd "$top/../shared/bench" && pwd)}
iters=${ITERS:-20,100}
n1=${iters%,*}
n2=${iters#*,}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="$build/bench/results/$stamp"
mkdir -p "$out"
ln -sfn "$stamp" "$build/bench/results/latest"

make -C "$build" bench/popek-bench >/dev/null
guest="$build/bench/guest"
make -C "$src" B="$guest" "$guest/payload.bin" "$guest/native32" >/dev/null

# Part 1: stand-in loader (no BIOS, no disk), both paging modes, two sizes.
{
	echo "# popek benchmark, $stamp"
	echo
	echo "host: $(uname -m), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "popek: $(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)"
	echo
	echo "## Stand-in loader (bench/popek-bench: payload entered in flat 32-bit mode)"
	echo
	echo "| iters | paging | guest insns | wall s | MIPS (wall) | native32 us/iter | x native32 | checksum |"
	echo "|---|---|---|---|---|---|---|---|"
} > "$out/results.md"
for n in "$n1" "$n2"; do
	nat=$("$guest/native32" "$n" 2>&1 | sed -n 's/.* \([0-9.]*\) us\/iter.*/\1/p')
	for p in 0 1; do
		flag=; [ "$p" = 1 ] && flag=--paging
		log="$out/standin-$n-$p.txt"
		"$build/bench/popek-bench" "$guest/payload.bin" "$n" $flag > "$log"
		line=$(grep '^POPEK-BENCH' "$log")
		sum=$(sed -n 's/^BENCH-END checksum=\([0-9a-f]*\).*/\1/p' "$log")
		get() { echo "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
		wall=$(get wall)
		ratio=$(awk -v w="$wall" -v n="$n" -v u="$nat" 'BEGIN { if (u > 0) printf "%.1f", w * 1e6 / n / u; else print "-" }')
		echo "| $n | $p | $(get insns) | $wall | $(get mips_wall) | $nat | $ratio | $sum |" >> "$out/results.md"
	done
done

# Part 2: side by side with Bochs, QEMU and native through the shared
# run-all.sh, once popek boots disk images. The shared tree is read-only:
# run a copy.
compare=${COMPARE:-auto}
if [ "$compare" = auto ]; then
	if "$build/popek" --help 2>&1 | grep -q -- '--hda'; then compare=yes; else compare=no; fi
fi
if [ "$compare" = yes ]; then
	harness="$build/bench/harness"
	rm -rf "$harness"
	mkdir -p "$harness"
	(cd "$src" && tar cf - --exclude=./build --exclude=./results .) | (cd "$harness" && tar xf -)
	# Debian's Bochs 2.7 loads the ALSA sound driver by default and aborts
	# ("buffer overflow detected") on a host without a sound card: use the
	# dummy sound driver in the copy's configs.
	for f in "$harness"/configs/bochsrc-*.txt; do
		grep -q '^sound:' "$f" || printf 'sound: driver=dummy\n' >> "$f"
	done
	# The copy's load guard: QUIET (CPUs other processes may use, default
	# 0.3), MAX_WAIT (seconds to wait for that, default 600) and RETRIES
	# (re-runs of a disturbed run, default 4) for a busy shared host.
	sed -i -e "s/default=0\.3,/default=${QUIET:-0.3},/" \
		-e "s/\"--max-wait\", type=float, default=600/\"--max-wait\", type=float, default=${MAX_WAIT:-600}/" \
		-e "s/\"--retries\", type=int, default=4/\"--retries\", type=int, default=${RETRIES:-4}/" \
		"$harness/tools/bench.py"
	(cd "$harness" && RUNS=${RUNS:-3} NEWEMU_ITERS="$iters" \
		NEWEMU="${POPEK:-$build/popek} --headless --snapshot --hda {img} --debugcon stdio ${POPEK_ARGS:-}" \
		./run-all.sh) > "$out/run-all.log" 2>&1 || echo "run-all.sh failed: see $out/run-all.log" >&2
	if [ -f "$harness/results/latest/summary.md" ]; then
		cp -r "$harness/results/latest/." "$out/run-all"
		{ echo; echo "## Side by side (shared run-all.sh)"; echo; cat "$out/run-all/summary.md"; } >> "$out/results.md"
	fi
else
	{ echo; echo "(side-by-side run skipped: popek has no --hda yet, or COMPARE=no)"; } >> "$out/results.md"
fi
cat "$out/results.md"
