#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run-table.sh LIB TABLE_CYCLES [CYCLES]
#
# The seal table is bounded: tests/preload/table_cycles with a private
# table of 256 slots, in the emulations that give every memfd an entry.
# Many create/close cycles must all succeed with flat memory; holding more
# memfds than the table has slots must end in ENFILE, with one line on
# stderr saying which table is full and what to do.
set -u
lib=${1:?usage: run-table.sh LIB TABLE_CYCLES [CYCLES]}
prog=${2:?usage}
cycles=${3:-20000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
# In a sanitizer build the freed memory of every reclaim (the shim's and
# libc's) waits in ASan's quarantine, which would look like growth.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0

for v in "all-user|SEALBOX_PRELOAD_ENFORCE=user" \
	 "all-nokernel|SEALBOX_FEATURES=-all"; do
	name=${v%%|*}
	read -r -a settings <<<"${v#*|}"
	table=$tmp/table-$name
	if env LD_PRELOAD="$lib" SEALBOX_PRELOAD_EMULATE=all \
		SEALBOX_PRELOAD_TABLE="$table" SEALBOX_PRELOAD_TABLE_SIZE=256 \
		"${settings[@]}" "$prog" "$table" "$cycles" >"$tmp/out" \
		2>"$tmp/err"; then
		sed "s/^/[$name] /" "$tmp/out"
	else
		echo "FAIL [$name]:"
		cat "$tmp/out" "$tmp/err" | head -n 40
		failed=$((failed + 1))
		continue
	fi
	# the full table is reported once, clearly
	if [ "$(grep -c 'seal table .*ENFILE' "$tmp/err")" -ne 1 ]; then
		echo "FAIL [$name]: want one 'seal table ... ENFILE' line on stderr, got:"
		cat "$tmp/err"
		failed=$((failed + 1))
	else
		echo "[$name] PASS stderr: $(cat "$tmp/err")"
	fi
done
[ "$failed" -eq 0 ]
