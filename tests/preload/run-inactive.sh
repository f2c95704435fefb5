#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run-inactive.sh LIB [SHARED_SEALS]
#
# A program that never uses a memfd pays next to nothing for the shim, and
# the shim needs none of its environment variables:
#  - it makes no table (nothing is created for a memfd-free program);
#  - under strace (`cat /proc/version`: an open of a /proc path, which the
#    shim looks at) it makes no system call beyond the loader mapping the
#    library and one failed open of the (absent) seal table: no probe, no
#    fork, no memfd. Without strace that part says SKIP in its line.
#  - with none of the SEALBOX_* variables set, a memfd-using program works.
set -u
lib=${1:?usage: run-inactive.sh LIB [SHARED_SEALS]}
prog=${2:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
table=$tmp/table

env LD_PRELOAD="$lib" SEALBOX_PRELOAD_TABLE="$table" \
	sh -c 'echo hello >"$1"; cat "$1" >/dev/null; ls / >/dev/null' sh \
	"$tmp/file"
if [ -e "$table" ]; then
	echo "FAIL: a memfd-free program made the seal table"
	failed=$((failed + 1))
else
	echo "PASS: a memfd-free program makes no table"
fi

if command -v strace >/dev/null; then
	trace() {
		strace -f -qq -o "$tmp/trace.$1" -e 'trace=!brk,rt_sigaction' \
			env "${@:2}" cat /proc/version >/dev/null 2>&1
		# the calls, without the pids and the results
		sed -E 's/^[0-9]+ +//; s/\(.*//' "$tmp/trace.$1" | sort | uniq -c |
			sort -k2 >"$tmp/calls.$1"
	}
	trace plain SEALBOX_PRELOAD_TABLE="$table"
	trace shim LD_PRELOAD="$lib" SEALBOX_PRELOAD_TABLE="$table"
	extra=$(grep -v -e "$lib" -e "${lib%/*}" "$tmp/trace.shim" |
		grep -E '(^|[^a-z_0-9])(memfd_create|clone3?|v?fork|prctl|seccomp|fsopen|ptrace)\(' |
		grep -v 'execve' || true)
	table_opens=$(grep -c "$table" "$tmp/trace.shim")
	if [ -n "$extra" ] || [ "$table_opens" -ne 1 ]; then
		echo "FAIL: the shim did work in a memfd-free program:"
		printf '%s\n' "$extra"
		grep "$table" "$tmp/trace.shim"
		failed=$((failed + 1))
	else
		echo "PASS: a memfd-free program: no probe, no fork, one look at the table; system calls that changed:"
		join -1 2 -2 2 -a 2 -e 0 -o 0,1.1,2.1 "$tmp/calls.plain" \
			"$tmp/calls.shim" | awk '$2 != $3 { printf "  %s: %d -> %d\n", $1, $2, $3 }'
	fi
else
	echo "SKIP (part): no strace, system calls not counted"
fi

# no SEALBOX_* variable at all: the defaults (auto, the per-user table)
if [ -n "$prog" ]; then
	if env -u SEALBOX_PRELOAD_TABLE -u SEALBOX_PRELOAD_EMULATE \
		-u SEALBOX_PRELOAD_ENFORCE -u SEALBOX_FEATURES \
		-u SEALBOX_PRELOAD_BACKING LD_PRELOAD="$lib" "$prog" \
		>"$tmp/out" 2>&1; then
		echo "PASS: no SEALBOX_* variable: $(tail -n 1 "$tmp/out")"
	else
		echo "FAIL: no SEALBOX_* variable:"
		grep -v '^PASS' "$tmp/out" | head -n 20
		failed=$((failed + 1))
	fi
fi
echo "$failed failed"
[ "$failed" -eq 0 ]
