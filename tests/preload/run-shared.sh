#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run-shared.sh LIB SHARED_SEALS [LEGACY_KERNEL]
#
# tests/preload/shared_seals (fork, exec, threads) natively, where it checks
# the kernel's own answers, then preloaded in every emulation.
set -u
lib=${1:?usage: run-shared.sh LIB SHARED_SEALS [LEGACY_KERNEL]}
prog=${2:?usage}
legacy=${3:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

run() {
	local name=$1
	shift
	if "$@" "$prog" >"$tmp/out" 2>&1; then
		echo "PASS [$name]: $(tail -n 1 "$tmp/out")"
	else
		echo "FAIL [$name]:"
		grep -v '^PASS' "$tmp/out" | head -n 40
		failed=$((failed + 1))
	fi
}

run native env
for v in "all|SEALBOX_PRELOAD_EMULATE=all" \
	 "all-user|SEALBOX_PRELOAD_EMULATE=all SEALBOX_PRELOAD_ENFORCE=user" \
	 "all-nokernel|SEALBOX_PRELOAD_EMULATE=all SEALBOX_FEATURES=-all" \
	 "tmpfile|SEALBOX_PRELOAD_EMULATE=all SEALBOX_FEATURES=-all SEALBOX_PRELOAD_BACKING=tmpfile" \
	 "unlinked|SEALBOX_PRELOAD_EMULATE=all SEALBOX_FEATURES=-all SEALBOX_PRELOAD_BACKING=unlinked"; do
	read -r -a settings <<<"${v#*|}"
	run "${v%%|*}" env LD_PRELOAD="$lib" \
		SEALBOX_PRELOAD_TABLE="$tmp/table-${v%%|*}" "${settings[@]}"
done
if [ -n "$legacy" ] && [ -x "$legacy" ]; then
	run legacy-3.10 "$legacy" 3.10 -- env LD_PRELOAD="$lib" \
		SEALBOX_PRELOAD_TABLE="$tmp/table-legacy" \
		SEALBOX_PRELOAD_EMULATE=all
fi
[ "$failed" -eq 0 ]
