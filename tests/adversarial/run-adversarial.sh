#!/bin/sh
# SPDX-License-Identifier: MIT
#
# run-adversarial.sh SEALBOX ATTACKS [MODE...]
#
# The adversarial suite: every attack in ATTACKS against
#   1. the native kernel, unsealed (--control): every attack must change
#      the file, which proves that it can fail;
#   2. the native kernel, sealed: no bypass;
#   3. sealbox run MODE -- ATTACKS for each MODE (default: --emulate=all
#      with each backing store, and with a memfd backing that the kernel
#      does not seal; --backend=auto takes ptrace for all but the first,
#      where sealbox alone holds the seals): no bypass, no hang, no error;
#   4. kill_supervisor alone under each MODE: the program dies, and the
#      survivor's writes fail.
# Exit 0 only when no run found a bypass (or hung, or broke).
# Set ADV_ONLY=PATTERN,... to run a subset; ADV_KEEP=DIR keeps the logs;
# ADV_SKIP_NATIVE=1 leaves out step 2 (a minute of the kernel's own seals,
# which do not depend on MODE: for a second ctest of other modes);
# ADV_WRAP='CMD ARGS' runs `CMD ARGS SEALBOX run ...` in steps 3 and 4
# (tests/helpers/legacy-kernel 3.10 --: sealbox on a simulated 3.10).
set -u

if [ $# -lt 2 ]; then
	echo "usage: $0 SEALBOX ATTACKS [MODE...]" >&2
	exit 2
fi
SEALBOX=$1
ATTACKS=$2
shift 2
# as on a kernel that cannot seal: no mirroring onto a memfd backing
NO_KERNEL_SEALS=seal_seal,seal_shrink,seal_grow,seal_write,seal_future_write,seal_exec
if [ $# -eq 0 ]; then
	set -- "--emulate=all" \
	       "--emulate=all --backing=memfd --without=$NO_KERNEL_SEALS" \
	       "--emulate=all --backing=detached" \
	       "--emulate=all --backing=tmpfile" \
	       "--emulate=all --backing=unlinked"
fi

ONLY=${ADV_ONLY:-}
WRAP=${ADV_WRAP:-}
LOGS=${ADV_KEEP:-$(mktemp -d "${TMPDIR:-/tmp}/sealbox-adv.XXXXXX")}
mkdir -p "$LOGS"
[ -n "${ADV_KEEP:-}" ] || trap 'rm -rf "$LOGS"' EXIT

status=0
summary=""

only_args() {
	if [ -n "$ONLY" ]; then
		printf '%s\n' "--only=$ONLY"
	fi
}

# run NAME CMD...: run CMD, keep its output, print what did not hold
run() {
	name=$1
	shift
	log="$LOGS/$(printf '%s' "$name" | tr -c 'A-Za-z0-9_.-' '_').log"
	# a pipe: the reader waits for every process that holds it, including
	# survivors of a killed supervisor
	"$@" 2>&1 | cat >"$log"
	last=$(grep -E '^[0-9]+ (passed|effective)' "$log" | tail -n 1)
	echo "== $name: ${last:-no summary}"
	grep -E ' (bypass|hang|error|ineffective) ' "$log" | sed 's/^/   /'
	summary="$summary
$name: ${last:-no summary}"
}

# 1. the attacks work
run "native, unsealed (control)" "$ATTACKS" --control $(only_args)
if ! grep -qE '^[0-9]+ effective, 0 ineffective .* 0 hung, 0 errors' "$log"; then
	echo "   the control run shows attacks that cannot fail (see above)"
	status=1
fi

# 2. the native kernel holds
if [ "${ADV_SKIP_NATIVE:-0}" = 1 ]; then
	echo "== native: left out (ADV_SKIP_NATIVE=1)"
else
	run "native" "$ATTACKS" $(only_args)
	if ! grep -qE '^[0-9]+ passed, 0 failed .* 0 hung, 0 errors' "$log"; then
		status=1
	fi
fi

# 3. sealbox holds
for mode in "$@"; do
	# shellcheck disable=SC2086 # MODE is a list of options
	run "sealbox run $mode" $WRAP "$SEALBOX" run $mode -- "$ATTACKS" \
		$(only_args)
	if ! grep -qE '^[0-9]+ passed, 0 failed .* 0 hung, 0 errors' "$log"; then
		status=1
	fi
done

# 4. killing the supervisor
if [ -z "$ONLY" ] || printf '%s' "$ONLY" | grep -q kill_supervisor; then
	for mode in "$@"; do
		# shellcheck disable=SC2086
		run "sealbox run $mode (kill_supervisor)" \
			$WRAP "$SEALBOX" run $mode -- "$ATTACKS" \
			--only=kill_supervisor
		# held: the survivor's writes all failed, or (better) nothing
		# of the tree survived, the attacker included
		if ! grep -qE '^kill_supervisor held' "$log"; then
			pid=$(sed -n 's/^kill_supervisor pending pid=\([0-9]*\)$/\1/p' "$log")
			gone=0
			for _ in $(seq 30); do
				if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
					gone=1
					break
				fi
				sleep 0.1
			done
			if [ "$gone" = 1 ] && ! grep -qE ' (bypass|hang|error) ' "$log"; then
				echo "   kill_supervisor: the whole tree died with the supervisor"
			else
				echo "   kill_supervisor: a process survived the supervisor"
				status=1
			fi
		fi
	done
fi

echo
echo "summary:$summary"
if [ $status -eq 0 ]; then
	echo "adversarial: no bypass"
else
	echo "adversarial: FAILED"
fi
exit $status
