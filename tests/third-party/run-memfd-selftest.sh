#!/usr/bin/env bash
# The kernel's own memfd selftest (tools/testing/selftests/memfd from
# Debian's linux-source-6.1 package) run natively and under sealbox: what
# passes natively must pass unchanged under every emulation mode.
#
#   run-memfd-selftest.sh SEALBOX WORKDIR
#
# The source package is fetched once with apt-get download and cached in
# ${SEALBOX_THIRD_PARTY_CACHE:-/var/cache/sealbox/third-party}; only the
# selftest's files are kept. Without network and without a cache the run
# fails with a message (no silent skip). The hugetlbfs variant reserves 8
# huge pages for its run (root only) and puts the old value back.
set -u
SEALBOX=${1:?usage: run-memfd-selftest.sh SEALBOX WORKDIR}
WORK=${2:?usage: run-memfd-selftest.sh SEALBOX WORKDIR}
CACHE=${SEALBOX_THIRD_PARTY_CACHE:-/var/cache/sealbox/third-party}
PKG=linux-source-6.1
SRC=$CACHE/memfd-selftest-6.1

mkdir -p "$WORK" "$CACHE" || exit 1
if [ ! -f "$SRC/memfd_test.c" ]; then
	dl=$(mktemp -d) && chmod 0777 "$dl"
	if ! (cd "$dl" && apt-get download -q "$PKG" >/dev/null 2>"$dl/err"); then
		echo "sealbox: third-party: cannot download Debian's $PKG: $(tail -n 2 "$dl/err")"
		rm -rf "$dl"
		exit 1
	fi
	mkdir -p "$dl/x" &&
	dpkg-deb --fsys-tarfile "$dl"/"$PKG"_*.deb |
		tar -x -O "./usr/src/$PKG.tar.xz" | xz -dc |
		tar -x -C "$dl/x" --wildcards "$PKG/tools/testing/selftests/memfd/*" ||
		{ echo "sealbox: third-party: cannot unpack $PKG"; rm -rf "$dl"; exit 1; }
	rm -rf "$SRC" && mkdir -p "$SRC" &&
		cp "$dl/x/$PKG/tools/testing/selftests/memfd/"* "$SRC/"
	ls "$dl"/"$PKG"_*.deb | sed 's/.*_\(.*\)_all.deb/\1/' >"$SRC/VERSION"
	rm -rf "$dl"
fi

# build it as the kernel's Makefile does, against this machine's headers
if ! cc -O2 -D_GNU_SOURCE -w -o "$WORK/memfd_test" "$SRC/memfd_test.c" \
	"$SRC/common.c" 2>"$WORK/build.err"; then
	echo "sealbox: third-party: memfd_test does not build:"
	head "$WORK/build.err"
	exit 1
fi

passed=0
failed=0
run() { # LABEL ARGS... -- the selftest's own exit status is the verdict
	local label=$1
	shift
	if "$@" >"$WORK/$label.out" 2>&1; then
		passed=$((passed + 1))
		echo "pass: $label"
	else
		failed=$((failed + 1))
		echo "FAIL: $label (exit $?); last lines:"
		tail -n 5 "$WORK/$label.out" | sed 's/^/    /'
	fi
}

echo "memfd selftest from $PKG $(cat "$SRC/VERSION" 2>/dev/null)"
run native "$WORK/memfd_test"
run emulate-all "$SEALBOX" run --emulate=all -- "$WORK/memfd_test"
run emulate-all-nosend "$SEALBOX" run --emulate=all --without=addfd_send -- "$WORK/memfd_test"
run ptrace-all "$SEALBOX" run --backend=ptrace --emulate=all -- "$WORK/memfd_test"

# hugetlbfs mode, as run_hugetlbfs_test.sh does it
if [ "$(id -u)" -eq 0 ] && [ -w /proc/sys/vm/nr_hugepages ]; then
	old=$(cat /proc/sys/vm/nr_hugepages)
	echo 8 >/proc/sys/vm/nr_hugepages
	if [ "$(cat /proc/sys/vm/nr_hugepages)" -ge 8 ]; then
		run hugetlbfs-native "$WORK/memfd_test" hugetlbfs
		run hugetlbfs-emulate-all "$SEALBOX" run --emulate=all -- "$WORK/memfd_test" hugetlbfs
	else
		echo "note: could not reserve 8 huge pages: hugetlbfs mode not run"
	fi
	echo "$old" >/proc/sys/vm/nr_hugepages
fi
echo "memfd-selftest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
