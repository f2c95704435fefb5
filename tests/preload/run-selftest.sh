#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run-selftest.sh LIB WORKDIR [LEGACY_KERNEL]
#
# The kernel's own memfd selftest (tools/testing/selftests/memfd from
# Debian's linux-source-6.1, as tests/third-party/run-memfd-selftest.sh
# fetches and caches it), built dynamically, natively and preloaded in each
# emulation: what passes natively must pass under the shim. The hugetlbfs
# mode runs too as root (8 huge pages reserved for it, the old value put
# back afterwards).
set -u
lib=${1:?usage: run-selftest.sh LIB WORKDIR [LEGACY_KERNEL]}
work=${2:?usage}
legacy=${3:-}
src=${SEALBOX_THIRD_PARTY_CACHE:-/var/cache/sealbox/third-party}/memfd-selftest-6.1

if [ ! -f "$src/memfd_test.c" ]; then
	echo "sealbox: preload selftest: no cached selftest source in $src" \
	     "(tests/third-party/run-memfd-selftest.sh fetches it)"
	exit 1
fi
mkdir -p "$work" || exit 1
if ! cc -O2 -D_GNU_SOURCE -w -o "$work/memfd_test" "$src/memfd_test.c" \
	"$src/common.c" 2>"$work/build.err"; then
	echo "sealbox: preload selftest: memfd_test does not build:"
	head "$work/build.err"
	exit 1
fi

passed=0
failed=0
run() { # LABEL COMMAND... -- the selftest's own exit status is the verdict
	local label=$1
	shift
	if "$@" >"$work/$label.out" 2>&1; then
		passed=$((passed + 1))
		echo "pass: $label"
	else
		failed=$((failed + 1))
		echo "FAIL: $label (exit $?); last lines:"
		tail -n 5 "$work/$label.out" | sed 's/^/    /'
	fi
}

shim() { # TABLE SETTINGS... -- COMMAND...
	local table=$1
	shift
	env LD_PRELOAD="$lib" SEALBOX_PRELOAD_TABLE="$work/table-$table" "$@"
}

echo "memfd selftest from linux-source-6.1 $(cat "$src/VERSION" 2>/dev/null)"
run native "$work/memfd_test"
run all shim all SEALBOX_PRELOAD_EMULATE=all "$work/memfd_test"
run all-user shim user SEALBOX_PRELOAD_EMULATE=all \
	SEALBOX_PRELOAD_ENFORCE=user "$work/memfd_test"
run all-nokernel shim nok SEALBOX_PRELOAD_EMULATE=all SEALBOX_FEATURES=-all \
	"$work/memfd_test"
run unlinked shim unl SEALBOX_PRELOAD_EMULATE=all SEALBOX_FEATURES=-all \
	SEALBOX_PRELOAD_BACKING=unlinked "$work/memfd_test"
if [ -n "$legacy" ] && [ -x "$legacy" ]; then
	run legacy-3.10 "$legacy" 3.10 -- env LD_PRELOAD="$lib" \
		SEALBOX_PRELOAD_TABLE="$work/table-legacy" \
		SEALBOX_PRELOAD_EMULATE=all "$work/memfd_test"
fi

if [ "$(id -u)" -eq 0 ] && [ -w /proc/sys/vm/nr_hugepages ]; then
	old=$(cat /proc/sys/vm/nr_hugepages)
	echo 8 >/proc/sys/vm/nr_hugepages
	if [ "$(cat /proc/sys/vm/nr_hugepages)" -ge 8 ]; then
		run hugetlbfs-native "$work/memfd_test" hugetlbfs
		run hugetlbfs-all-user shim huser SEALBOX_PRELOAD_EMULATE=all \
			SEALBOX_PRELOAD_ENFORCE=user "$work/memfd_test" hugetlbfs
	else
		echo "note: could not reserve 8 huge pages: hugetlbfs mode not run"
	fi
	echo "$old" >/proc/sys/vm/nr_hugepages
fi
echo "preload memfd-selftest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
