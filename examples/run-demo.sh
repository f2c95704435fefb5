#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run-demo.sh [--check] SEALBOX SHM_POOL [LEGACY_KERNEL]
#
# The bundled demo (`make demo`): examples/shm-pool, a client and a
# compositor passing sealed memfds, run natively and then under sealbox in
# each of its ways of working on this machine:
#   - as it is (a current kernel: sealbox gets out of the way),
#   - with everything emulated, through seccomp user notification,
#   - the same with every check made by sealbox (as before Linux 3.17),
#   - through the ptrace backend,
#   - as Linux 3.16 would answer (no memfd_create: the program's fallback),
#   - through the LD_PRELOAD shim,
#   - on a simulated Linux 3.10 (LEGACY_KERNEL, when given): no memfd, no
#     seccomp notification, no pidfd, no O_TMPFILE; sealbox picks ptrace
#     and a tmpfs backing by itself.
# Without --check every step's output is shown; with --check only failures
# are, and the exit status says whether every step held (0) or not (1).
# DEMO_SKIP=preload leaves the shim's step out (a sanitizer build, whose
# runtime must come before any preloaded library).
set -u

check=0
if [ "${1:-}" = --check ]; then
	check=1
	shift
fi
SB=${1:?usage: run-demo.sh [--check] SEALBOX SHM_POOL [LEGACY_KERNEL]}
POOL=${2:?usage: run-demo.sh [--check] SEALBOX SHM_POOL [LEGACY_KERNEL]}
LEGACY=${3:-}
failed=0

step() {
	local title=$1 out st
	shift
	out=$("$@" 2>&1)
	st=$?
	if [ "$check" = 0 ]; then
		printf '\n== %s\n$ %s\n%s\n' "$title" "$*" "$out"
	fi
	if [ "$st" -ne 0 ]; then
		failed=$((failed + 1))
		[ "$check" = 0 ] || printf '== %s: exit %d\n%s\n' "$title" "$st" "$out"
		[ "$check" = 1 ] || echo "(exit $st)"
	fi
}

step "natively, on $(uname -sr)" "$POOL"
step "under sealbox, as it is: nothing is missing here" "$SB" run -- "$POOL"
step "everything emulated (seccomp user notification)" \
	"$SB" run --emulate=all -- "$POOL"
step "everything emulated, every check made by sealbox" \
	"$SB" run --emulate=all --enforce=user -- "$POOL"
step "everything emulated, through ptrace" \
	"$SB" run --emulate=all --backend=ptrace -- "$POOL"
step "answering as Linux 3.16: the program's own fallback runs" \
	"$SB" run --pretend-kernel=3.16 -- "$POOL"
case ,${DEMO_SKIP:-}, in
*,preload,*) ;;
*)
	step "through the LD_PRELOAD shim, no supervisor" \
		"$SB" run --preload --emulate=all -- "$POOL"
	;;
esac
if [ -n "$LEGACY" ] && [ -x "$LEGACY" ]; then
	step "on a simulated Linux 3.10: sealbox picks ptrace and tmpfs" \
		"$LEGACY" 3.10 -- "$SB" run -- "$POOL"
fi

if [ "$check" = 0 ]; then
	echo
	if [ "$failed" -eq 0 ]; then
		echo "demo: every step held"
	else
		echo "demo: $failed step(s) did not hold"
	fi
fi
[ "$failed" -eq 0 ]
