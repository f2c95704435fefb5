#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run-conform.sh: the live conformance suite under the preload shim.
#
#   run-conform.sh LIB CONFORM VARIANT [HELPER]
#
# Runs tests/live/run-live.sh with conform preloaded with LIB, in the
# emulation VARIANT (below), against tests/live/expected/6.18.txt. A case
# that differs passes only when tests/preload/known-differences.txt lists it
# for this variant, with the reason a shim cannot give the kernel's answer
# there. Every run uses a seal table of its own.
#
# Variants:
#   auto           no SEALBOX_* setting: what the kernel lacks (here nothing)
#   all            SEALBOX_PRELOAD_EMULATE=all: on a kernel with every seal
#                  and rule, memfd_create is the shim's, the rest the kernel's
#   all-user       ... with SEALBOX_PRELOAD_ENFORCE=user: every check in the
#                  shim, on kernel memfds that carry the seals as well
#   all-nokernel   ... with SEALBOX_FEATURES=-all: as on a kernel without
#                  memfd or sealing (detached tmpfs files, nothing in the
#                  kernel), the whole emulation in user space
#   tmpfile, unlinked   the same on the other backing stores
#   layered-exec   auto mode on a kernel without the 6.3 exec pieces
#   legacy-3.10    EMULATE=all under HELPER (tests/helpers/legacy-kernel)
#                  3.10: memfd_create ENOSYS from the kernel, no O_TMPFILE,
#                  no fsopen
#   seccomp-eperm  auto mode under HELPER (tests/preload/deny_memfd): a
#                  seccomp policy answers memfd_create with EPERM, so the
#                  shim must find that out and emulate everything. Without
#                  a memfd the 6.5 and 6.7 behaviours cannot be probed and
#                  auto mode would keep the older rules for them: they are
#                  forced on (SEALBOX_FEATURES=+seals_arg_int,...)
#
# Exit status: 0 when every difference is a known one, 1 otherwise, 2 on
# usage errors, 77 when the variant cannot run here (SKIP).
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
lib=${1:?usage: run-conform.sh LIB CONFORM VARIANT [HELPER]}
conform=${2:?usage}
variant=${3:?usage}
helper=${4:-}
known=$here/known-differences.txt

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

env=(env LD_PRELOAD="$lib" SEALBOX_PRELOAD_TABLE="$tmp/table")
case $variant in
auto) ;;
all) env+=(SEALBOX_PRELOAD_EMULATE=all) ;;
all-user) env+=(SEALBOX_PRELOAD_EMULATE=all SEALBOX_PRELOAD_ENFORCE=user) ;;
all-nokernel) env+=(SEALBOX_PRELOAD_EMULATE=all SEALBOX_FEATURES=-all) ;;
tmpfile | unlinked)
	env+=(SEALBOX_PRELOAD_EMULATE=all SEALBOX_FEATURES=-all
	      SEALBOX_PRELOAD_BACKING=$variant) ;;
layered-exec)
	env+=(SEALBOX_FEATURES=-mfd_noexec_seal,-mfd_exec,-seal_exec,-memfd_noexec_sysctl) ;;
legacy-3.10 | seccomp-eperm)
	if [ -z "$helper" ] || [ ! -x "$helper" ]; then
		echo "SKIP: no helper for $variant"
		exit 77
	fi
	if [ "$variant" = legacy-3.10 ]; then
		env=("$helper" 3.10 -- "${env[@]}" SEALBOX_PRELOAD_EMULATE=all)
	else
		env=("$helper" "${env[@]}"
		     SEALBOX_FEATURES=+seals_arg_int,+map_ro_under_write)
	fi ;;
*) echo "run-conform: unknown variant $variant" >&2; exit 2 ;;
esac

# the emulation must be what runs: the shim says which plan it made
"${env[@]}" SEALBOX_PRELOAD_DEBUG=1 "$conform" create.flags.none \
	>/dev/null 2>"$tmp/plan"
echo "preload[$variant]: $(sed -n 's/^sealbox-preload: //p' "$tmp/plan" | head -n 1)"

"$root/tests/live/run-live.sh" --conform "$conform" --wrap "${env[*]}" \
	--expect "$root/tests/live/expected/6.18.txt" --emulated \
	--name "preload-$variant" >"$tmp/out" 2>&1
status=$?

# known differences for this variant: "VARIANT CASE-PATTERN  reason"
mapfile -t patterns < <(awk -v v="$variant" '
	/^[[:space:]]*(#|$)/ { next }
	$1 == v || $1 == "*" { print $2 }' "$known")

passed=$(sed -n 's/^\([0-9]*\) passed, [0-9]* failed$/\1/p' "$tmp/out")
unexpected=0
expected=0
while read -r line; do
	case=${line#FAIL }
	case=${case%%:*}
	ok=0
	for p in "${patterns[@]}"; do
		# shellcheck disable=SC2053 # the pattern is a glob on purpose
		if [[ $case == $p ]]; then ok=1; break; fi
	done
	if [ "$ok" -eq 1 ]; then
		expected=$((expected + 1))
		echo "known difference: ${line#FAIL }"
	else
		unexpected=$((unexpected + 1))
		echo "$line"
	fi
done < <(grep '^FAIL ' "$tmp/out")

if [ -z "$passed" ]; then
	echo "preload[$variant]: run-live did not finish (status $status):"
	head -n 30 "$tmp/out"
	exit 1
fi
echo "preload[$variant]: $passed passed, $expected known differences, $unexpected failed"
[ "$unexpected" -eq 0 ]
