#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run-selftest.sh LIB WORKDIR [LEGACY_KERNEL]
#
# The kernel's own memfd selftest (tools/testing/selftests/memfd from
# Debian's linux-source-6.1), built dynamically, natively and preloaded in
# each emulation: what passes natively must pass under the shim. The
# hugetlbfs mode runs too as root. Fetching, building and tallying:
# tests/third-party/memfd-selftest-lib.sh.
set -u
lib=${1:?usage: run-selftest.sh LIB WORKDIR [LEGACY_KERNEL]}
SELFTEST_WORK=${2:?usage}
legacy=${3:-}
# shellcheck source=../third-party/memfd-selftest-lib.sh
. "$(dirname "$0")/../third-party/memfd-selftest-lib.sh"

selftest_fetch || exit 1
selftest_build "$SELFTEST_WORK" || exit 1
t=$SELFTEST_WORK/memfd_test

shim() { # TABLE SETTINGS... -- COMMAND...
	local table=$1
	shift
	env LD_PRELOAD="$lib" SEALBOX_PRELOAD_TABLE="$SELFTEST_WORK/table-$table" "$@"
}

selftest_run native "$t"
selftest_run all shim all SEALBOX_PRELOAD_EMULATE=all "$t"
selftest_run all-user shim user SEALBOX_PRELOAD_EMULATE=all \
	SEALBOX_PRELOAD_ENFORCE=user "$t"
selftest_run all-nokernel shim nok SEALBOX_PRELOAD_EMULATE=all \
	SEALBOX_FEATURES=-all "$t"
selftest_run tmpfile shim tmp SEALBOX_PRELOAD_EMULATE=all \
	SEALBOX_FEATURES=-all SEALBOX_PRELOAD_BACKING=tmpfile "$t"
selftest_run unlinked shim unl SEALBOX_PRELOAD_EMULATE=all \
	SEALBOX_FEATURES=-all SEALBOX_PRELOAD_BACKING=unlinked "$t"
if [ -n "$legacy" ] && [ -x "$legacy" ]; then
	selftest_run legacy-3.10 "$legacy" 3.10 -- env LD_PRELOAD="$lib" \
		SEALBOX_PRELOAD_TABLE="$SELFTEST_WORK/table-legacy" \
		SEALBOX_PRELOAD_EMULATE=all "$t"
fi

hugetlbfs() {
	selftest_run hugetlbfs-native "$t" hugetlbfs
	selftest_run hugetlbfs-all-user shim huser SEALBOX_PRELOAD_EMULATE=all \
		SEALBOX_PRELOAD_ENFORCE=user "$t" hugetlbfs
}
selftest_hugetlbfs hugetlbfs
selftest_summary "preload memfd-selftest"
