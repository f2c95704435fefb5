#!/bin/bash
# SPDX-License-Identifier: MIT
#
# run-kernels.sh BUILD_DIR [KERNEL...]
#
# The real-kernel test stage: runs the steps of steps.conf on the host and
# on Debian's 6.1 and 5.10 kernels booted under qemu (TCG), judges them with
# check.py and prints a results table (kernel x step), also written to
# BUILD_DIR/kernels-results.txt. KERNEL is any of host, 6.1, 5.10 (default:
# all three). Exit status 0 when every cell passed (skips allowed unless
# SEALBOX_KERNELS_STRICT=1), 1 when one failed or timed out, 2 when the stage
# could not run at all (no static sealbox, no kernel images, no qemu).
#
# Uses from BUILD_DIR: sealbox-static (required); conform-static, the live
# conformance program built by tests/live, as `conform`; and, for the
# preload steps, the dynamically linked conform (as `conform-dynamic`) and
# libsealbox-preload.so, the adversarial suite's `attacks`, the kernel's
# `memfd_test` (built by ctest's third-party/memfd-selftest) and the demo's
# `shm-pool`, copied into the guest with the shared libraries they need. A step whose programs were not built is skipped and says so.
# Everything it writes goes under BUILD_DIR/kernels/ (initramfs, serial
# logs, per-step outputs and diffs), except the kernel cache.
#
# Environment:
#   SEALBOX_KERNEL_CACHE     kernel image cache (/var/cache/sealbox/kernels,
#                            or ~/.cache/sealbox/kernels when not root)
#   SEALBOX_KERNELS_TIMEOUT  hard limit per guest, seconds (480); a guest that
#                            is still running then is killed: TIMEOUT
#   SEALBOX_STEP_TIMEOUT     limit per step, seconds (200), guest and host
#   SEALBOX_KERNELS_JOBS     guests booted at once (2)
#   SEALBOX_KERNELS_STRICT   1: a skipped cell fails the stage too
#   SEALBOX_QEMU_SMP         guest CPUs (1)
#   SEALBOX_KERNELS_STEPS    another steps file instead of steps.conf (to try
#                            a new step, or run one step alone)
#   SEALBOX_KERNELS_EXPECTED another directory of expected outputs instead of
#                            tests/live/expected
set -uo pipefail

die() {
	printf 'sealbox: kernels: %s\n' "$*" >&2
	exit 2
}

[ $# -ge 1 ] || die "usage: run-kernels.sh BUILD_DIR [host|6.1|5.10 ...]"
[ -d "$1" ] || die "$1: no such build directory"
BUILD=$(cd "$1" && pwd)
shift
KERNELS=${*:-host 6.1 5.10}
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
if [ -n "${SEALBOX_KERNEL_CACHE:-}" ]; then
	CACHE=$SEALBOX_KERNEL_CACHE
elif [ "$(id -u)" = 0 ]; then
	CACHE=/var/cache/sealbox/kernels
else
	CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/sealbox/kernels
fi
GUEST_TIMEOUT=${SEALBOX_KERNELS_TIMEOUT:-480}
STEP_TIMEOUT=${SEALBOX_STEP_TIMEOUT:-200}
JOBS=${SEALBOX_KERNELS_JOBS:-2}
SMP=${SEALBOX_QEMU_SMP:-1}
STEPS=${SEALBOX_KERNELS_STEPS:-$HERE/steps.conf}
OUT=$BUILD/kernels
RESULTS=$BUILD/kernels-results.txt
stage_start=$(date +%s%N)

ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
is_static() { # a static ELF: ldd has nothing to say about it
	[ -x "$1" ] && ! ldd "$1" >/dev/null 2>&1
}

[ -f "$STEPS" ] || die "$STEPS: no such steps file"
STEPS=$(cd "$(dirname "$STEPS")" && pwd)/$(basename "$STEPS")
for k in $KERNELS; do
	case $k in host | 6.1 | 5.10) ;; *) die "$k: unknown kernel (host, 6.1, 5.10)" ;; esac
done
for tool in python3 timeout ldd; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is not installed"
done

# --- what goes into the guest ------------------------------------------------
SEALBOX=$BUILD/sealbox-static
is_static "$SEALBOX" ||
	die "$SEALBOX: missing or not static (configure with -DSEALBOX_STATIC=ON; it needs libseccomp-dev and libcap-ng-dev with their .a files)"
CONFORM=""
for c in "$BUILD/tests/live/conform-static" \
	$(find "$BUILD" -maxdepth 3 -name conform-static -type f 2>/dev/null); do
	[ -e "$c" ] && { CONFORM=$c; break; }
done
if [ -n "$CONFORM" ]; then
	is_static "$CONFORM" || die "$CONFORM is not a static executable"
else
	echo "kernels: no conform-static in $BUILD: the steps that need it are skipped" >&2
fi

# optional, for the preload steps: they need shared libraries in the guest
CONFORM_DYN=""
[ -x "$BUILD/tests/live/conform" ] && CONFORM_DYN=$BUILD/tests/live/conform
PRELOAD=$(find "$BUILD" -maxdepth 3 -name libsealbox-preload.so -type f 2>/dev/null | head -n1)
# optional test programs, dynamically linked too, as NAME=PATH: the
# adversarial suite, the kernel's memfd selftest (built by ctest's
# third-party/memfd-selftest) and the demo
EXTRA=()
for p in attacks=tests/adversarial/attacks \
	memfd_test=tests/third-party/memfd_test shm-pool=examples/shm-pool; do
	[ -x "$BUILD/${p#*=}" ] && EXTRA+=("${p%%=*}=$BUILD/${p#*=}")
done

guests=""
for k in $KERNELS; do [ "$k" = host ] || guests="$guests $k"; done
if [ -n "$guests" ]; then
	command -v qemu-system-x86_64 >/dev/null 2>&1 ||
		die "qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"
	BUSYBOX=""
	for b in /bin/busybox /usr/bin/busybox; do
		is_static "$b" && { BUSYBOX=$b; break; }
	done
	[ -n "$BUSYBOX" ] || die "no static busybox (apt-get install busybox-static)"
	"$HERE/fetch-kernels.sh" "$CACHE" || exit 2
	# no disk and no modules: everything the guest needs must be built in
	for k in $guests; do
		for opt in BLK_DEV_INITRD RD_GZIP DEVTMPFS TMPFS PROC_FS SYSFS \
			SERIAL_8250_CONSOLE BINFMT_ELF BINFMT_SCRIPT UNIX SECCOMP_FILTER \
			MEMFD_CREATE SHMEM; do
			grep -qx "CONFIG_$opt=y" "$CACHE/$k/config" ||
				die "$k ($(cut -d' ' -f1,2 "$CACHE/$k/package")): CONFIG_$opt is not built in"
		done
	done
fi

rm -rf "$OUT"
mkdir -p "$OUT"

# --- the initramfs -----------------------------------------------------------
if [ -n "$guests" ]; then
	t0=$(date +%s%N)
	specs=("char:dev/console=5,1" dir:proc dir:sys dir:dev dir:tmp dir:root
		dir:var/tmp dir:sbin dir:usr/bin dir:usr/sbin
		"file:bin/busybox=$BUSYBOX:0755"
		"file:init=$HERE/init.sh:0755"
		"file:sb/guest-steps.sh=$HERE/guest-steps.sh:0755"
		"file:sb/steps.conf=$STEPS:0644"
		"file:sb/bin/sealbox=$SEALBOX:0755")
	[ -n "$CONFORM" ] && specs+=("file:sb/bin/conform=$CONFORM:0755")
	# dynamic programs: each shared library at the path ldd shows (the
	# guest gets the host's libc, which is what they were linked against)
	libs=()
	[ -n "$CONFORM_DYN" ] && specs+=("file:sb/bin/conform-dynamic=$CONFORM_DYN:0755") &&
		libs+=("$CONFORM_DYN")
	[ -n "$PRELOAD" ] && specs+=("file:sb/lib/libsealbox-preload.so=$PRELOAD:0755") &&
		libs+=("$PRELOAD")
	for e in "${EXTRA[@]}"; do
		specs+=("file:sb/bin/${e%%=*}=${e#*=}:0755")
		libs+=("${e#*=}")
	done
	if [ ${#libs[@]} -gt 0 ]; then
		for lib in $(ldd "${libs[@]}" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p' | sort -u); do
			specs+=("file:${lib#/}=$(readlink -f "$lib"):0755")
		done
	fi
	# every applet as /bin/NAME (busybox sh, cat, mount, ...)
	for applet in $("$BUSYBOX" --list); do
		[ "$applet" = busybox ] || specs+=("link:bin/$applet=busybox")
	done
	python3 "$HERE/mkinitramfs.py" "$OUT/initrd.gz" "${specs[@]}" ||
		die "building the initramfs failed"
	echo "kernels: initramfs $OUT/initrd.gz, $(stat -c %s "$OUT/initrd.gz") bytes, in $(ms_since "$t0") ms" >&2
fi

# --- the host row: the same steps, no qemu -----------------------------------
run_host() {
	local d="$OUT/host" t0 rc=0 to=0
	mkdir -p "$d/bin"
	ln -s "$SEALBOX" "$d/bin/sealbox"
	[ -n "$CONFORM" ] && ln -s "$CONFORM" "$d/bin/conform"
	[ -n "$CONFORM_DYN" ] && ln -s "$CONFORM_DYN" "$d/bin/conform-dynamic"
	for e in "${EXTRA[@]}"; do ln -s "${e#*=}" "$d/bin/${e%%=*}"; done
	mkdir -p "$d/lib"
	[ -n "$PRELOAD" ] && ln -s "$PRELOAD" "$d/lib/libsealbox-preload.so"
	t0=$(date +%s%N)
	PATH="$d/bin:$PATH" SB_LIB="$d/lib" STEP_TIMEOUT=$STEP_TIMEOUT TMPDIR=$d \
		timeout --kill-after=10 "$GUEST_TIMEOUT" \
		sh "$HERE/guest-steps.sh" host "$STEPS" >"$d/log" 2>&1 || rc=$?
	[ "$rc" = 124 ] || [ "$rc" = 137 ] && to=1
	printf 'version=%s\nrelease=%s\nrc=%s\ntimeout=%s\nwall_ms=%s\n' \
		"$(uname -r | sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p')" "$(uname -r)" \
		"$rc" "$to" "$(ms_since "$t0")" >"$d/meta"
	echo "kernels: host ($(uname -r)): steps done in $(ms_since "$t0") ms" >&2
}

# --- one guest ---------------------------------------------------------------
run_guest() {
	local k=$1 d="$OUT/$1" t0 rc=0 to=0
	mkdir -p "$d"
	t0=$(date +%s%N)
	timeout --kill-after=10 "$GUEST_TIMEOUT" \
		qemu-system-x86_64 -accel tcg -m 512M -smp "$SMP" -nographic \
		-no-reboot -net none \
		-kernel "$CACHE/$k/vmlinuz" -initrd "$OUT/initrd.gz" \
		-append "console=ttyS0 panic=-1 quiet rootfstype=ramfs sealbox.kernel=$k sealbox.step_timeout=$STEP_TIMEOUT" \
		</dev/null >"$d/log" 2>"$d/qemu.err" || rc=$?
	[ "$rc" = 124 ] || [ "$rc" = 137 ] && to=1
	printf 'version=%s\nrelease=%s\nrc=%s\ntimeout=%s\nwall_ms=%s\n' \
		"$k" "$(cut -d' ' -f1,2 "$CACHE/$k/package")" "$rc" "$to" \
		"$(ms_since "$t0")" >"$d/meta"
	echo "kernels: $k: qemu exited ($rc$([ $to = 1 ] && echo ", TIMEOUT after ${GUEST_TIMEOUT}s")) after $(ms_since "$t0") ms" >&2
}

for k in $KERNELS; do
	[ "$k" = host ] && run_host
done
running=0
for k in $guests; do
	if [ "$running" -ge "$JOBS" ]; then
		wait -n
		running=$((running - 1))
	fi
	echo "kernels: booting $k ($(cut -d' ' -f1,2 "$CACHE/$k/package"))" >&2
	run_guest "$k" &
	running=$((running + 1))
done
wait

opts=()
[ "${SEALBOX_KERNELS_STRICT:-0}" = 1 ] && opts+=(--strict)
[ -n "${SEALBOX_KERNELS_EXPECTED:-}" ] && opts+=(--expected "$SEALBOX_KERNELS_EXPECTED")
# shellcheck disable=SC2086 # one argument per kernel
python3 "$HERE/check.py" "$OUT" "$SRC" $KERNELS --steps "$STEPS" \
	--results "$RESULTS" "${opts[@]}"
rc=$?
echo "kernels: stage took $(ms_since "$stage_start") ms; table in $RESULTS, logs and outputs in $OUT/" | tee -a "$RESULTS"
exit $rc
