#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run-session.sh LIB PEER [LEGACY_KERNEL]
#
# Two unrelated preloaded processes (tests/cli/session_peer): the sender
# creates a memfd, seals it (SHRINK|GROW|WRITE), passes it over a Unix
# socket and then tries to change it; the receiver tries every way to
# change it too. Their output must be the kernel's, line for line, in every
# emulation: the seals live in the shared table (and, where the kernel can
# hold them, in the kernel too).
set -u
lib=${1:?usage: run-session.sh LIB PEER [LEGACY_KERNEL]}
peer=${2:?usage}
legacy=${3:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# run_pair OUT PREFIX...: receiver first, then the sender, same environment
run_pair() {
	local out=$1 r s rs
	shift
	"$@" "$peer" recv "$tmp/sock" >"$out.recv" 2>"$out.err" &
	r=$!
	for _ in $(seq 100); do
		[ -S "$tmp/sock" ] && break
		sleep 0.05
	done
	"$@" "$peer" send "$tmp/sock" >"$out.send" 2>>"$out.err"
	s=$?
	wait "$r"
	rs=$?
	rm -f "$tmp/sock"
	cat "$out.send" "$out.recv" >"$out"
	[ "$s" -eq 0 ] && [ "$rs" -eq 0 ]
}

run_pair "$tmp/native" env || { echo "FAIL: native run"; exit 1; }

variants=(
	"all|SEALBOX_PRELOAD_EMULATE=all"
	"all-user|SEALBOX_PRELOAD_EMULATE=all SEALBOX_PRELOAD_ENFORCE=user"
	"all-nokernel|SEALBOX_PRELOAD_EMULATE=all SEALBOX_FEATURES=-all"
	"tmpfile|SEALBOX_PRELOAD_EMULATE=all SEALBOX_FEATURES=-all SEALBOX_PRELOAD_BACKING=tmpfile"
	"unlinked|SEALBOX_PRELOAD_EMULATE=all SEALBOX_FEATURES=-all SEALBOX_PRELOAD_BACKING=unlinked"
)
[ -n "$legacy" ] && [ -x "$legacy" ] &&
	variants+=("legacy-3.10|SEALBOX_PRELOAD_EMULATE=all")
for v in "${variants[@]}"; do
	name=${v%%|*}
	read -r -a settings <<<"${v#*|}"
	prefix=(env LD_PRELOAD="$lib" SEALBOX_PRELOAD_TABLE="$tmp/table-$name"
		"${settings[@]}")
	[ "$name" = legacy-3.10 ] && prefix=("$legacy" 3.10 -- "${prefix[@]}")
	if ! run_pair "$tmp/shim" "${prefix[@]}"; then
		echo "FAIL [$name]: exit status ($(head -c 300 "$tmp/shim.err"))"
		failed=$((failed + 1))
	elif diff -u "$tmp/native" "$tmp/shim" >"$tmp/diff"; then
		echo "PASS [$name]: both processes see the kernel's answers"
		passed=$((passed + 1))
	else
		echo "FAIL [$name]: results differ from the kernel's:"
		cat "$tmp/diff"
		failed=$((failed + 1))
	fi
done
echo "session: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
