#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run-reuse.sh LIB REUSE_GUARD
#
# reuse_guard (see reuse_guard.c) preloaded on each path store whose files
# carry no generation in the table: a stale entry must not capture another
# file that got its inode number.
set -u
lib=${1:?usage: run-reuse.sh LIB REUSE_GUARD}
prog=${2:?usage}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
for store in tmpfile unlinked; do
	echo "== $store"
	env LD_PRELOAD="$lib" SEALBOX_PRELOAD_EMULATE=all SEALBOX_FEATURES=-all \
		SEALBOX_PRELOAD_BACKING="$store" \
		SEALBOX_PRELOAD_TABLE="$tmp/table-$store" "$prog"
	status=$?
	if [ "$status" -ne 0 ]; then
		echo "FAIL [$store]: exit $status"
		failed=$((failed + 1))
	fi
done
[ "$failed" -eq 0 ]
