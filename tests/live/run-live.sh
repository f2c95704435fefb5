#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run-live.sh: run the live conformance program and compare every case with
# an expected-results file.
#
#   run-live.sh --conform PATH [--wrap 'CMD ARGS'] [--expect FILE] [--name LABEL]
#
#   --conform PATH   the conform binary (tests/live/conform.c)
#   --wrap 'CMD'     run conform as `CMD ARGS PATH` instead of `PATH`, e.g.
#                    --wrap 'sealbox run --emulate=all --'; split on blanks
#   --expect FILE    expected results (default: expected/6.18.txt beside this
#                    script). Lines are `CASE RESULT`; blank lines and lines
#                    starting with # are ignored, except `# requires:` lines
#   --name LABEL     label for the messages (default: native or wrapped)
#   --emulated       the wrapper provides the expected kernel's behaviour
#                    (sealbox run --emulate=all): skip the `requires` check
#                    and the cases listed as `# native-only: CASE`
#
# An expected file with a line `# base: FILE` (FILE beside it) is an overlay:
# FILE's cases, with the overlay's lines in place of FILE's for the same
# case. It states what a kernel without some system call gives where the
# emulation cannot help (expected/3.10.txt): each of its results must be an
# error (`ENOSYS`, `SETUP:open-tmpfile=EISDIR`), and each case must be one
# of FILE's, or the script stops with status 2.
#
# An expected file states the kernel feature level it was recorded on with
# lines `# requires: CASE RESULT`. Those cases are first run natively (no
# wrapper: the question is what the running kernel can do); if any answers
# differently, the file does not apply to this kernel and the script prints
# SKIP with the reason and exits 77 (ctest SKIP_RETURN_CODE).
#
# Otherwise conform runs (wrapped if asked) with its default case selection,
# and every case of the expected file and of the output is compared. Each
# mismatch is printed as `FAIL CASE: expected X, got Y`, then the counts as
# `N passed, N failed` alone on a line.
#
# Exit status: 0 all cases match, 1 a mismatch or conform failed, 2 usage,
# 77 the expected file is for another kernel feature level.
set -u

here=$(cd "$(dirname "$0")" && pwd)
conform=
wrap=
expect=$here/expected/6.18.txt
name=
emulated=0

usage() {
	sed -n '4,5p' "$0" | sed 's/^# *//' >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--conform) conform=${2:-}; shift 2 || usage ;;
	--conform=*) conform=${1#*=}; shift ;;
	--wrap) wrap=${2:-}; shift 2 || usage ;;
	--wrap=*) wrap=${1#*=}; shift ;;
	--expect) expect=${2:-}; shift 2 || usage ;;
	--expect=*) expect=${1#*=}; shift ;;
	--name) name=${2:-}; shift 2 || usage ;;
	--emulated) emulated=1; shift ;;
	--name=*) name=${1#*=}; shift ;;
	-h | --help) usage ;;
	*) echo "run-live: unknown argument: $1" >&2; usage ;;
	esac
done
[ -n "$conform" ] || usage
if [ -z "$name" ]; then
	if [ -n "$wrap" ]; then name=wrapped; else name=native; fi
fi
say() { echo "run-live[$name]: $*"; }

if [ ! -x "$conform" ]; then
	say "conform not executable: $conform" >&2
	exit 1
fi
if [ ! -r "$expect" ]; then
	say "expected file not readable: $expect" >&2
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- an overlay: FILE's cases, then the overlay's (a later line wins) ---
base=$(sed -n -E 's/^#[[:space:]]*base:[[:space:]]*([^[:space:]]+).*/\1/p' "$expect" | head -n 1)
if [ -n "$base" ]; then
	base=$(dirname "$expect")/$base
	if [ ! -r "$base" ]; then
		say "base of $(basename "$expect") not readable: $base" >&2
		exit 2
	fi
	bad=$(awk '
		NR == FNR { if ($0 !~ /^[[:space:]]*(#|$)/) known[$1] = 1; next }
		$0 ~ /^[[:space:]]*(#|$)/ { next }
		!($1 in known) { printf "%s: not a case of the base file; ", $1; next }
		$2 !~ /^(SETUP:[^=]+=)?E[A-Z0-9]+$/ || NF != 2 {
			printf "%s: %s is not an error; ", $1, substr($0, length($1) + 2)
		}' "$base" "$expect")
	if [ -n "$bad" ]; then
		say "$(basename "$expect"): bad overlay: ${bad%; }" >&2
		exit 2
	fi
	cat "$base" "$expect" >"$tmp/expect"
	expect_name=$(basename "$expect")
	expect=$tmp/expect
fi
expect_name=${expect_name:-$(basename "$expect")}

# a whole run takes well under a second natively; the limit only catches a
# wedged wrapper
limit=()
if command -v timeout >/dev/null 2>&1; then
	limit=(timeout -k 10 300)
fi

# --- does the expected file apply to this kernel? ---
grep -E '^#[[:space:]]*requires:' "$expect" |
	sed -E 's/^#[[:space:]]*requires:[[:space:]]*//' >"$tmp/requires"
if [ -s "$tmp/requires" ] && [ "$emulated" -eq 0 ]; then
	mapfile -t req_cases < <(awk '{ print $1 }' "$tmp/requires")
	if ! ${limit[@]+"${limit[@]}"} "$conform" "${req_cases[@]}" >"$tmp/probe" 2>"$tmp/probe.err"; then
		say "conform failed on the feature probe: $(head -c 300 "$tmp/probe.err")"
		exit 1
	fi
	reason=$(awk '
		NR == FNR { want[$1] = substr($0, length($1) + 2); next }
		{ got[$1] = substr($0, length($1) + 2) }
		END {
			for (c in want)
				if (!(c in got) || got[c] != want[c])
					printf "%s gives %s here, the expected file needs %s; ", c, (c in got) ? got[c] : "nothing", want[c]
		}' "$tmp/requires" "$tmp/probe")
	if [ -n "$reason" ]; then
		echo "SKIP: $expect_name is for another kernel feature level: ${reason%; }"
		exit 77
	fi
fi

# --- the run ---
cmd=()
if [ -n "$wrap" ]; then
	read -r -a cmd <<<"$wrap"
fi
cmd+=("$conform")

start=$SECONDS
${limit[@]+"${limit[@]}"} "${cmd[@]}" >"$tmp/out" 2>"$tmp/err" </dev/null
status=$?
elapsed=$((SECONDS - start))

# Cases about the running kernel itself, not about memfds (a /proc/sys
# file, a syscall of its own), are compared natively only: sealbox does not
# make them up. They are listed in the expected file as `# native-only: CASE`.
: >"$tmp/native-only"
if [ "$emulated" -eq 1 ]; then
	grep -E '^#[[:space:]]*native-only:' "$expect" |
		sed -E 's/^#[[:space:]]*native-only:[[:space:]]*//' >"$tmp/native-only"
fi

awk -v label="$name" '
	function result(line, first) { return substr(line, length(first) + 2) }
	FILENAME == ARGV[1] { skip[$1] = 1; next }
	FILENAME == ARGV[2] {
		if ($0 ~ /^[[:space:]]*(#|$)/) next
		if ($1 in skip) next
		if (!($1 in want)) order[n++] = $1
		want[$1] = result($0, $1)
		next
	}
	{
		if ($0 ~ /^[[:space:]]*$/) next
		if ($1 in skip) next
		if (!($1 in got)) gorder[gn++] = $1
		got[$1] = result($0, $1)
	}
	END {
		pass = fail = 0
		if (gn == 0) {
			printf "FAIL: conform printed no results (%d cases expected)\n", n
			printf "%d passed, %d failed\n", 0, n
			exit 1
		}
		for (i = 0; i < n; i++) {
			c = order[i]
			if (!(c in got)) {
				printf "FAIL %s: expected %s, got nothing (case missing from the output)\n", c, want[c]
				fail++
			} else if (got[c] != want[c]) {
				printf "FAIL %s: expected %s, got %s\n", c, want[c], got[c]
				fail++
			} else {
				pass++
			}
		}
		for (i = 0; i < gn; i++) {
			c = gorder[i]
			if (!(c in want)) {
				printf "FAIL %s: not in the expected file, got %s\n", c, got[c]
				fail++
			}
		}
		printf "%d passed, %d failed\n", pass, fail
		exit fail > 0
	}' "$tmp/native-only" "$expect" "$tmp/out"
compare=$?

if [ "$status" -ne 0 ]; then
	say "conform exited with status $status after ${elapsed}s"
	if [ -s "$tmp/err" ]; then
		say "its stderr (first lines):"
		head -n 20 "$tmp/err" | sed 's/^/    /'
	fi
	exit 1
fi
if [ "$compare" -ne 0 ]; then
	if [ -s "$tmp/err" ]; then
		say "stderr of the run (first lines):"
		head -n 20 "$tmp/err" | sed 's/^/    /'
	fi
	say "$expect_name: mismatches (command: ${cmd[*]})"
	exit 1
fi
say "$expect_name: all cases match in ${elapsed}s"
exit 0
