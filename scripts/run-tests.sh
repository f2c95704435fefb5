#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run-tests.sh: every test sealbox has, with one verdict at the end.
#
#   scripts/run-tests.sh [PHASE...]     PHASE: main asan man (default: all)
#
#   main  ctest in $BUILD_DIR (already built: `make build`)
#   asan  configure and build $ASAN_BUILD_DIR with -DSEALBOX_SANITIZE=ON
#         (ASan + UBSan), then its ctest
#   man   mandoc -T lint -W warning sealbox.1 must print nothing (and groff
#         -ww, where groff is installed)
#
# Whatever the phases, two checks always run:
#   - no file under tests/unit calls cr_skip*() or disables a Criterion test:
#     unit tests never skip;
#   - every ctest test that was skipped (SKIP_RETURN_CODE,
#     SKIP_REGULAR_EXPRESSION, DISABLED) is listed in tests/allowed-skips.txt.
# And a test that passed but printed a sanitizer report counts as failed.
#
# Every phase runs even when an earlier one failed, so one run shows every
# problem. The last line is "N passed, N failed" (", N skipped" follows
# when some were) summed over the ctest runs; the exit status is 0 only when
# no test failed and every check passed.
#
# Environment: BUILD_DIR (build), ASAN_BUILD_DIR ($BUILD_DIR-asan),
# JOBS (2, for building), CTEST_PARALLEL_LEVEL (read by ctest itself),
# ASAN_OPTIONS and UBSAN_OPTIONS (defaults below when unset).
set -euo pipefail

cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
ASAN_BUILD_DIR=${ASAN_BUILD_DIR:-${BUILD_DIR%/}-asan}
JOBS=${JOBS:-2}
ALLOWED_SKIPS=tests/allowed-skips.txt
MAN_PAGE=sealbox.1

passed=0
failed=0
skipped=0
problems=()     # one line per failed phase or check
skips=()        # "RUN<TAB>NAME<TAB>REASON" for every skipped test

say() { printf '\n==> %s\n' "$*"; }

# Print "pass NAME", "fail NAME [WHY]" or "skip NAME REASON" (tab-separated)
# for each <testcase> of a ctest JUnit file. A test ctest could not start (no
# executable, failed fixture) appears there as "notrun" too, with a message
# that does not start with SKIP_: that one failed. A test that passed but
# printed a sanitizer report failed too: Criterion ignores how its workers
# exit after a test has reported, so a LeakSanitizer report at a worker's
# exit does not fail the test by itself. The report goes to stderr.
junit_results() {
	awk '
	function unxml(s) {
		gsub(/&lt;/, "<", s); gsub(/&gt;/, ">", s)
		gsub(/&quot;/, "\"", s); gsub(/&apos;/, "\047", s)
		gsub(/&amp;/, "\\&", s)
		return s
	}
	function attr(line, key,    re, v) {
		re = key "=\"[^\"]*\""
		if (!match(line, re))
			return ""
		v = substr(line, RSTART + length(key) + 2, RLENGTH - length(key) - 3)
		return unxml(v)
	}
	function flush() {
		if (name == "")
			return
		if (status == "run" && san != "") {
			printf "\n%s passed, but its output has a sanitizer report:\n%s", name, san > "/dev/stderr"
			print "fail\t" name "\tsanitizer report in its output"
		} else if (status == "run")
			print "pass\t" name
		else if (status == "disabled")
			print "skip\t" name "\tDISABLED in CMake"
		else if (status == "notrun" && message ~ /^SKIP_/)
			print "skip\t" name "\t" (reason != "" ? reason : message)
		else
			print "fail\t" name
		name = ""
	}
	/<testcase / {
		flush()
		name = attr($0, "name"); status = attr($0, "status")
		message = ""; reason = ""; inout = 0
		san = ""; insan = 0; sanlines = 0
	}
	/<skipped / { message = attr($0, "message") }
	{
		line = $0
		if (sub(/.*<system-out>/, "", line))
			inout = 1
		if (inout) {
			if (sub(/<\/system-out>.*/, "", line))
				inout = 0
			# the test says why it skipped: keep its last SKIP line
			if (line ~ /SKIP/) {
				gsub(/[\t\r]/, " ", line)
				reason = unxml(line)
			}
			# ASan, LSan, UBSan: keep each report, up to its SUMMARY
			if (line ~ /(ERROR|WARNING): [A-Za-z]*Sanitizer|:[0-9]+: runtime error: /)
				insan = 1
			if (insan && sanlines < 80) {
				san = san "    " unxml(line) "\n"
				sanlines++
			}
			if (line ~ /^SUMMARY: /)
				insan = 0
		}
	}
	/<\/testcase>/ { flush() }
	END { flush() }
	' "$1"
}

# run_ctest LABEL DIR: run ctest in DIR and add its results to the totals.
run_ctest() {
	local label=$1 dir=$2 junit rc=0 kind name reason n_fail=0 start

	if [[ ! -f $dir/CTestTestfile.cmake ]]; then
		problems+=("ctest ($label): $dir is not a configured build")
		failed=$((failed + 1))
		return 0
	fi
	junit="$(cd "$dir" && pwd)/ctest-junit.xml"
	rm -f "$junit"
	say "ctest ($label) in $dir"
	start=$SECONDS
	# passed tests keep their whole output too (ctest keeps 1 KiB by
	# default): a sanitizer report in it is looked for below
	(cd "$dir" && ctest --output-on-failure --no-tests=error \
		--test-output-size-passed 1048576 \
		--test-output-size-failed 1048576 \
		--output-junit "$junit") || rc=$?
	echo "ctest ($label): exit $rc after $((SECONDS - start)) s;" \
		"JUnit results in $junit"

	if [[ ! -s $junit ]]; then
		problems+=("ctest ($label): exit $rc and no JUnit results")
		failed=$((failed + 1))
		return 0
	fi
	while IFS=$'\t' read -r kind name reason; do
		case $kind in
		pass) passed=$((passed + 1)) ;;
		fail)
			failed=$((failed + 1))
			n_fail=$((n_fail + 1))
			problems+=("ctest ($label): $name failed${reason:+ ($reason)}")
			;;
		skip)
			skipped=$((skipped + 1))
			skips+=("$label"$'\t'"$name"$'\t'"$reason")
			;;
		esac
	done < <(junit_results "$junit")
	if ((rc != 0 && n_fail == 0)); then
		problems+=("ctest ($label): exit $rc with no failed test recorded")
		failed=$((failed + 1))
	fi
	return 0
}

phase_main() {
	run_ctest main "$BUILD_DIR"
}

phase_asan() {
	local start=$SECONDS

	say "ASan+UBSan build in $ASAN_BUILD_DIR"
	if ! cmake -S . -B "$ASAN_BUILD_DIR" -DCMAKE_BUILD_TYPE=Debug \
		-DSEALBOX_SANITIZE=ON; then
		problems+=("asan: cmake configure failed")
		failed=$((failed + 1))
		return 0
	fi
	if ! cmake --build "$ASAN_BUILD_DIR" -j"$JOBS"; then
		problems+=("asan: build failed")
		failed=$((failed + 1))
		return 0
	fi
	echo "asan: built in $((SECONDS - start)) s"
	# leaks count; any UBSan report stops the program (it is built with
	# -fno-sanitize-recover=all) and so fails its test
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
		run_ctest asan "$ASAN_BUILD_DIR"
}

# Debian's 6.1 and 5.10 kernels under qemu (tests/kernels): the matrix of
# conformance steps on real old kernels. Images are cached after the first
# download; without network and without a cache this phase fails.
phase_kernels() {
	say "real kernels (tests/kernels)"
	if SEALBOX_KERNELS_STRICT=1 bash tests/kernels/run-kernels.sh "$BUILD_DIR"; then
		passed=$((passed + 1))
	else
		problems+=("kernels: see $BUILD_DIR/kernels-results.txt")
		failed=$((failed + 1))
	fi
}

phase_man() {
	local out

	say "man page lint: $MAN_PAGE"
	if [[ ! -f $MAN_PAGE ]]; then
		problems+=("man: $MAN_PAGE does not exist")
		return 0
	fi
	if ! command -v mandoc >/dev/null 2>&1; then
		problems+=("man: mandoc is not installed (make deps)")
		return 0
	fi
	if ! out=$(mandoc -T lint -W warning "$MAN_PAGE" 2>&1) || [[ -n $out ]]; then
		printf '%s\n' "$out"
		problems+=("man: mandoc -T lint -W warning $MAN_PAGE is not clean")
	else
		echo "mandoc -T lint -W warning: clean"
	fi
	if command -v groff >/dev/null 2>&1; then
		if ! out=$(groff -ww -mdoc -z "$MAN_PAGE" 2>&1) || [[ -n $out ]]; then
			printf '%s\n' "$out"
			problems+=("man: groff -ww -mdoc -z $MAN_PAGE is not clean")
		else
			echo "groff -ww -mdoc -z: clean"
		fi
	fi
}

# Unit tests must never skip: Criterion reports a skipped test as passing
# to ctest, so the only place to catch one is the source.
check_unit_skips() {
	local hits

	[[ -d tests/unit ]] || return 0
	hits=$(grep -rnE --include='*.c' --include='*.h' \
		'cr_skip[a-z_]*[[:space:]]*\(|\.disabled[[:space:]]*=[[:space:]]*(true|1)\>' \
		tests/unit || true)
	if [[ -n $hits ]]; then
		say "unit tests that can skip (not allowed)"
		printf '%s\n' "$hits"
		problems+=("tests/unit: a unit test uses cr_skip or .disabled")
		return 1
	fi
	return 0
}

# Every skip must be listed in tests/allowed-skips.txt ("NAME  reason").
check_skips() {
	local -A allowed=()
	local line name reason label entry unexpected=0

	if [[ -f $ALLOWED_SKIPS ]]; then
		while IFS= read -r line || [[ -n $line ]]; do
			line=${line%%#*}
			read -r name _ <<<"$line" || true
			[[ -n ${name:-} ]] && allowed[$name]=1
		done <"$ALLOWED_SKIPS"
	fi
	((${#skips[@]} == 0)) && return 0

	say "skipped tests"
	for entry in "${skips[@]}"; do
		IFS=$'\t' read -r label name reason <<<"$entry"
		if [[ -n ${allowed[$name]:-} ]]; then
			echo "  allowed     ($label) $name: $reason"
		else
			echo "  UNEXPECTED  ($label) $name: $reason"
			unexpected=$((unexpected + 1))
		fi
	done
	if ((unexpected)); then
		problems+=("$unexpected unexpected skip(s): list them in $ALLOWED_SKIPS with a reason, or make them run")
		return 1
	fi
	return 0
}

phases=("$@")
((${#phases[@]})) || phases=(main asan man kernels)
for phase in "${phases[@]}"; do
	case $phase in
	main | asan | man | kernels) ;;
	*)
		echo "sealbox: run-tests: $phase: unknown phase (main, asan, man, kernels)" >&2
		exit 2
		;;
	esac
done

started=$SECONDS
for phase in "${phases[@]}"; do
	"phase_$phase"
done

say "summary ($((SECONDS - started)) s)"
skip_check=ok
unit_check=ok
check_unit_skips || unit_check=FAILED
check_skips || skip_check=FAILED
echo "unit tests never skip: $unit_check"
echo "skips: $skipped, all listed in $ALLOWED_SKIPS: $skip_check"
if ((${#problems[@]})); then
	echo "problems:"
	printf '  %s\n' "${problems[@]}"
	echo "RESULT: FAIL"
else
	echo "RESULT: OK"
fi
summary="$passed passed, $failed failed"
((skipped)) && summary+=", $skipped skipped"
echo "$summary"
((${#problems[@]} == 0))
