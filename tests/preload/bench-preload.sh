#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# bench-preload.sh LIB MEMFD_OPS WRITE_BENCH [SYSCALL_MIX]
#
# The speed figures of issue 5 (the preload shim), as ratios measured in
# one run: each workload runs natively and preloaded, interleaved in a new
# random order every round, ROUNDS times; a ratio is the median of the
# per-round ratios (quartiles beside it). Nothing here is a test: the
# machines are shared 2-CPU VMs, read the ratios, not the times.
#
# Emulations:
#   all        SEALBOX_PRELOAD_EMULATE=all on this kernel (memfd and every
#              seal with 6.18 rules): memfd_create is the shim's, the kernel
#              holds and enforces the seals
#   user       ... SEALBOX_PRELOAD_ENFORCE=user: every check in the shim,
#              the seals mirrored onto kernel memfds
#   nokernel   ... SEALBOX_FEATURES=-all: what a kernel without memfd and
#              sealing gets: tmpfs files, every check in the shim (the
#              store is the first that works here: "detached" as root on
#              5.2+, where the fsopen mount API exists)
#   nok-tmpfile  the same on the tmpfile store (O_TMPFILE), what a
#              3.11-3.16 kernel gets, and any kernel without the mount API
#   nok-unlinked the same on the unlinked store (create + unlink), what a
#              3.10 kernel (no O_TMPFILE) gets
#   floor-unlinked, floor-tmpfile (memfd_create row only): no shim, the
#              kernel calls alone that a store makes for one memfd
#              (memfd_ops create with MEMFD_OPS_CREATE: open O_CREAT|O_EXCL
#              + unlink + fstat + close, or open O_TMPFILE + fstat + close,
#              on /dev/shm): the least a shim can cost there, before any
#              work of its own (the detached store makes the unlinked
#              store's calls, on a mount of its own)
#
# Targets (issue 5): emulated memfd_create, F_ADD_SEALS and a refused write
# <= 2x the native call; writes to unsealed files <= 1.05x native.
#
# Environment: ROUNDS (default 9), N (calls per sample, default 100000),
# ONLY (a pattern: run only the rows whose label matches it).
set -u
export LC_ALL=C
lib=${1:?usage: bench-preload.sh LIB MEMFD_OPS WRITE_BENCH [SYSCALL_MIX]}
ops=${2:?usage}
wb=${3:?usage}
mix=${4:-}
ROUNDS=${ROUNDS:-9}
N=${N:-100000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

declare -A envs=(
	[native]=""
	[all]="LD_PRELOAD=$lib SEALBOX_PRELOAD_EMULATE=all SEALBOX_PRELOAD_TABLE=$tmp/t-all"
	[user]="LD_PRELOAD=$lib SEALBOX_PRELOAD_EMULATE=all SEALBOX_PRELOAD_ENFORCE=user SEALBOX_PRELOAD_TABLE=$tmp/t-user"
	[nokernel]="LD_PRELOAD=$lib SEALBOX_PRELOAD_EMULATE=all SEALBOX_FEATURES=-all SEALBOX_PRELOAD_TABLE=$tmp/t-nok"
	[nok-tmpfile]="LD_PRELOAD=$lib SEALBOX_PRELOAD_EMULATE=all SEALBOX_FEATURES=-all SEALBOX_PRELOAD_BACKING=tmpfile SEALBOX_PRELOAD_TABLE=$tmp/t-nok-tmpfile"
	[nok-unlinked]="LD_PRELOAD=$lib SEALBOX_PRELOAD_EMULATE=all SEALBOX_FEATURES=-all SEALBOX_PRELOAD_BACKING=unlinked SEALBOX_PRELOAD_TABLE=$tmp/t-nok-unlinked"
	[inactive]="LD_PRELOAD=$lib SEALBOX_PRELOAD_TABLE=$tmp/t-none"
	[floor-unlinked]="MEMFD_OPS_CREATE=unlinked"
	[floor-tmpfile]="MEMFD_OPS_CREATE=tmpfile"
)

# rows: label|command (run in each emulation of the row's list)|emulations
rows=(
	"memfd_create+close|$ops create -n $((N / 10))|all user nokernel nok-tmpfile nok-unlinked floor-unlinked floor-tmpfile"
	"F_ADD_SEALS|$ops add_seals -n $N|all user nokernel"
	"F_GET_SEALS|$ops get_seals -n $N|all user nokernel"
	"refused write (EPERM)|$ops refused_write -n $N|all user nokernel"
	"pwrite 64 B, unsealed memfd|$ops write64 -n $N|all user nokernel"
	"pwrite 1 MiB, unsealed memfd|$ops write1m -n $((N / 100))|all user nokernel"
	"pwrite 64 B, file, no memfd in process|$wb file -n $N|inactive all"
	"pwrite 64 B, file, memfd in process|$wb file-active -n $N|all nokernel"
)
if [ -n "$mix" ]; then
	rows+=("syscall_mix (no memfd)|$mix -n 20000|inactive all")
fi

sample() { # emulation command... -> ns per op (first number printed)
	local e=$1
	shift
	# shellcheck disable=SC2086 # the environment is a list of words
	env ${envs[$e]} "$@" 2>/dev/null | awk '{ print $1; exit }'
}

printf '%-40s %-9s %8s %8s %8s\n' "row" "emulation" "median" "q1" "q3"
for row in "${rows[@]}"; do
	label=${row%%|*}
	if [ -n "${ONLY:-}" ] && ! grep -q -e "$ONLY" <<<"$label"; then
		continue
	fi
	rest=${row#*|}
	read -r -a cmd <<<"${rest%%|*}"
	read -r -a emus <<<"${rest#*|}"
	: >"$tmp/ratios"
	for _ in $(seq "$ROUNDS"); do
		# one native run per round, the emulations in a random order
		order=$(printf '%s\n' native "${emus[@]}" | shuf)
		declare -A t=()
		for e in $order; do
			t[$e]=$(sample "$e" "${cmd[@]}")
		done
		for e in "${emus[@]}"; do
			awk -v e="$e" -v a="${t[$e]}" -v b="${t[native]}" \
				'BEGIN { if (a > 0 && b > 0) printf "%s %.4f\n", e, a / b }' \
				>>"$tmp/ratios"
		done
		unset t
	done
	for e in "${emus[@]}"; do
		awk -v e="$e" '$1 == e { print $2 }' "$tmp/ratios" | sort -g >"$tmp/r"
		awk -v label="$label" -v e="$e" '
			{ v[NR] = $1 }
			END {
				if (NR == 0) { printf "%-40s %-9s %8s\n", label, e, "n/a"; exit }
				m = v[int((NR + 1) / 2)]; q1 = v[int((NR + 3) / 4)]
				q3 = v[int((3 * NR + 3) / 4)]
				printf "%-40s %-9s %7.2fx %7.2fx %7.2fx\n", label, e, m, q1, q3
			}' "$tmp/r"
	done
done
