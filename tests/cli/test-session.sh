#!/usr/bin/env bash
# Two programs started separately share one supervisor with --session:
# a sealed memfd passed over SCM_RIGHTS holds for the sender and the
# receiver exactly as the kernel's would. Usage: test-session.sh SEALBOX PEER
set -u
SEALBOX=${1:?usage: test-session.sh SEALBOX PEER}
PEER=${2:?usage: test-session.sh SEALBOX PEER}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# run_pair OUT RECV_PREFIX SEND_PREFIX: receiver first, then the sender
run_pair() {
	local out=$1 recv=$2 send=$3
	$recv "$PEER" recv "$tmp/sock" >"$out.recv" 2>"$out.err" &
	local r=$!
	sleep 0.3
	$send "$PEER" send "$tmp/sock" >"$out.send" 2>>"$out.err"
	local s=$?
	wait "$r"
	local rs=$?
	cat "$out.send" "$out.recv" >"$out"
	[ "$s" -eq 0 ] && [ "$rs" -eq 0 ]
}

run_pair "$tmp/native" "" "" || { echo "FAIL: native run"; exit 1; }
# The memfd backing (the default) lets the kernel hold the seals too, so
# the receiver's fd (a low number sealbox never filters) is held as well.
# Other backings cannot do that: see LIMITATIONS in sealbox.1.
for mode in "--emulate=all" "--emulate=all --enforce=user --without=addfd_send" \
	    "--pretend-kernel=5.10 --emulate=all"; do
	name=s$$-$RANDOM
	if ! run_pair "$tmp/sb" "$SEALBOX run $mode --session=$name --" \
		"$SEALBOX run $mode --session=$name --"; then
		echo "FAIL [$mode]: exit status ($(head -c 300 "$tmp/sb.err"))"
		failed=$((failed + 1))
		continue
	fi
	if diff -u "$tmp/native" "$tmp/sb" >"$tmp/diff"; then
		passed=$((passed + 1))
	else
		echo "FAIL [$mode]: results differ from the kernel's:"
		cat "$tmp/diff"
		failed=$((failed + 1))
	fi
done
echo "session: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
