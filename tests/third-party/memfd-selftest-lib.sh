# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# memfd-selftest-lib.sh: sourced by the scripts that run the kernel's own
# memfd selftest (tools/testing/selftests/memfd from Debian's
# linux-source-6.1 package) natively and under sealbox:
#   tests/third-party/run-memfd-selftest.sh   sealbox run (every backend)
#   tests/preload/run-selftest.sh             the LD_PRELOAD shim
#
#   selftest_fetch             the source into $SELFTEST_SRC (cached)
#   selftest_build WORK        $WORK/memfd_test, as the kernel's Makefile
#   selftest_run LABEL CMD...  one run; the selftest's exit status decides
#   selftest_hugetlbfs FUNC    FUNC with 8 huge pages reserved (root only)
#   selftest_summary NAME      the tally; false when anything failed
#
# The source package is fetched once with apt-get download and cached in
# ${SEALBOX_THIRD_PARTY_CACHE:-/var/cache/sealbox/third-party}; only the
# selftest's files are kept. Without network and without a cache the fetch
# fails with a message (no silent skip).

SELFTEST_PKG=linux-source-6.1
SELFTEST_CACHE=${SEALBOX_THIRD_PARTY_CACHE:-/var/cache/sealbox/third-party}
SELFTEST_SRC=$SELFTEST_CACHE/memfd-selftest-6.1
selftest_passed=0
selftest_failed=0

selftest_fetch() {
	local dl pkg=$SELFTEST_PKG

	[ -f "$SELFTEST_SRC/memfd_test.c" ] && return 0
	mkdir -p "$SELFTEST_CACHE" || return 1
	dl=$(mktemp -d) && chmod 0777 "$dl" || return 1
	if ! (cd "$dl" && apt-get download -q "$pkg" >/dev/null 2>"$dl/err"); then
		echo "sealbox: third-party: cannot download Debian's $pkg: $(tail -n 2 "$dl/err")"
		rm -rf "$dl"
		return 1
	fi
	if ! { mkdir -p "$dl/x" &&
		dpkg-deb --fsys-tarfile "$dl"/"$pkg"_*.deb |
		tar -x -O "./usr/src/$pkg.tar.xz" | xz -dc |
		tar -x -C "$dl/x" --wildcards "$pkg/tools/testing/selftests/memfd/*"; }; then
		echo "sealbox: third-party: cannot unpack $pkg"
		rm -rf "$dl"
		return 1
	fi
	rm -rf "$SELFTEST_SRC" && mkdir -p "$SELFTEST_SRC" &&
		cp "$dl/x/$pkg/tools/testing/selftests/memfd/"* "$SELFTEST_SRC/"
	find "$dl" -maxdepth 1 -name "${pkg}_*.deb" -printf '%f\n' |
		sed 's/.*_\(.*\)_all.deb/\1/' >"$SELFTEST_SRC/VERSION"
	rm -rf "$dl"
}

selftest_build() {
	local work=$1

	mkdir -p "$work" || return 1
	# as the kernel's Makefile does, against this machine's headers
	if ! cc -O2 -D_GNU_SOURCE -w -o "$work/memfd_test" \
		"$SELFTEST_SRC/memfd_test.c" "$SELFTEST_SRC/common.c" \
		2>"$work/build.err"; then
		echo "sealbox: third-party: memfd_test does not build:"
		head "$work/build.err"
		return 1
	fi
	echo "memfd selftest from $SELFTEST_PKG $(cat "$SELFTEST_SRC/VERSION" 2>/dev/null)"
}

# Output goes to $SELFTEST_WORK/LABEL.out.
selftest_run() {
	local label=$1 status
	shift
	"$@" >"$SELFTEST_WORK/$label.out" 2>&1
	status=$?
	if [ "$status" -eq 0 ]; then
		selftest_passed=$((selftest_passed + 1))
		echo "pass: $label"
	else
		selftest_failed=$((selftest_failed + 1))
		echo "FAIL: $label (exit $status); last lines:"
		tail -n 5 "$SELFTEST_WORK/$label.out" | sed 's/^/    /'
	fi
}

# hugetlbfs mode, as run_hugetlbfs_test.sh does it: 8 huge pages, the old
# value put back afterwards
selftest_hugetlbfs() {
	local func=$1 old

	if [ "$(id -u)" -ne 0 ] || [ ! -w /proc/sys/vm/nr_hugepages ]; then
		echo "note: not root: hugetlbfs mode not run"
		return 0
	fi
	old=$(cat /proc/sys/vm/nr_hugepages)
	echo 8 >/proc/sys/vm/nr_hugepages
	if [ "$(cat /proc/sys/vm/nr_hugepages)" -ge 8 ]; then
		"$func"
	else
		echo "note: could not reserve 8 huge pages: hugetlbfs mode not run"
	fi
	echo "$old" >/proc/sys/vm/nr_hugepages
}

selftest_summary() {
	echo "$1: $selftest_passed passed, $selftest_failed failed"
	[ "$selftest_failed" -eq 0 ]
}
