#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# check-symbols.sh LIB MAPFILE
#
# libsealbox-preload.so exports exactly the functions its version script
# lists (the interposed libc entry points), all of them, and nothing else:
# the emu/ and sandbox/ code inside it stays hidden. No text relocations.
set -u
lib=${1:?usage: check-symbols.sh LIB MAPFILE}
map=${2:?usage}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

if ! command -v nm >/dev/null; then
	echo "SKIP: no nm"
	exit 77
fi
nm -D --defined-only "$lib" | awk '{ print $2, $3 }' | sort -k2 >"$tmp/defined"
awk '{ print $2 }' "$tmp/defined" >"$tmp/names"
sed -e 's,/\*.*\*/,,' -e '/^[[:space:]]*\//,/\*\//d' "$map" |
	sed -n '/global:/,/local:/p' | tr ';' '\n' |
	sed -e 's/global://' -e 's/local://' -e 's/[[:space:]]//g' |
	grep -v '^$' | sort >"$tmp/wanted"

if ! diff -u "$tmp/wanted" "$tmp/names" >"$tmp/diff"; then
	echo "FAIL: exported symbols differ from $map (- missing, + extra):"
	cat "$tmp/diff"
	status=1
fi
if awk '$1 != "T" && $1 != "W" { bad = 1; print "FAIL: not a function:", $0 }
	END { exit bad }' "$tmp/defined"; then :; else status=1; fi
if readelf -d "$lib" 2>/dev/null | grep -q TEXTREL; then
	echo "FAIL: text relocations"
	status=1
fi
if [ "$status" -eq 0 ]; then
	echo "PASS: exactly the $(wc -l <"$tmp/names") interposed functions are exported"
fi
exit "$status"
