#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The kernel's own memfd selftest (tools/testing/selftests/memfd from
# Debian's linux-source-6.1 package) run natively and under sealbox: what
# passes natively must pass unchanged under every emulation mode.
#
#   run-memfd-selftest.sh SEALBOX WORKDIR
#
# Fetching, building and tallying: memfd-selftest-lib.sh (shared with
# tests/preload/run-selftest.sh).
set -u
SEALBOX=${1:?usage: run-memfd-selftest.sh SEALBOX WORKDIR}
SELFTEST_WORK=${2:?usage: run-memfd-selftest.sh SEALBOX WORKDIR}
# shellcheck source=memfd-selftest-lib.sh
. "$(dirname "$0")/memfd-selftest-lib.sh"

selftest_fetch || exit 1
selftest_build "$SELFTEST_WORK" || exit 1
t=$SELFTEST_WORK/memfd_test

selftest_run native "$t"
selftest_run emulate-all "$SEALBOX" run --emulate=all -- "$t"
selftest_run emulate-all-nosend "$SEALBOX" run --emulate=all \
	--without=addfd_send -- "$t"
selftest_run ptrace-all "$SEALBOX" run --backend=ptrace --emulate=all -- "$t"

hugetlbfs() {
	selftest_run hugetlbfs-native "$t" hugetlbfs
	selftest_run hugetlbfs-emulate-all "$SEALBOX" run --emulate=all -- \
		"$t" hugetlbfs
}
selftest_hugetlbfs hugetlbfs
selftest_summary memfd-selftest
