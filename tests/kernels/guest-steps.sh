#!/bin/sh
# SPDX-License-Identifier: MIT
#
# guest-steps.sh KERNEL STEPS_FILE
#
# Runs every step of STEPS_FILE (see steps.conf) and prints, for each, a
# framed record that check.py reads back from the serial log (or, for the
# host row, from this script's output):
#
#   SEALBOX-STEP kernel=K step=S
#   @O S| a line of the step's stdout
#   @E S| a line of the step's stderr
#   SEALBOX-RESULT kernel=K step=S status=ran|skip|n/a rc=N ms=N [why=...]
#
# Every output line is prefixed so kernel messages that reach the console in
# between cannot be taken for the step's output. POSIX sh: it runs under
# busybox sh in the guest and under /bin/sh on the host. The programs are
# found through PATH, LD_PRELOAD libraries in $SB_LIB.
set -u

KERNEL=$1
STEPS=$2
STEP_TIMEOUT=${STEP_TIMEOUT:-200}
# shared libraries meant for LD_PRELOAD (the preload shim): $SB_LIB/NAME
SB_LIB=${SB_LIB:-/sb/lib}
export SB_LIB
TMP=${TMPDIR:-/tmp}/sealbox-steps.$$
mkdir -p "$TMP" || exit 1

now_ms() { # milliseconds since boot, 10 ms resolution
	read -r up _ </proc/uptime
	s=${up%.*}
	c=${up#*.}
	echo $((s * 1000 + ${c#0} * 10))
}

emit() { # emit TAG STEP FILE
	# a last line without a newline is printed too
	while IFS= read -r line || [ -n "$line" ]; do
		printf '%s %s| %s\n' "$1" "$2" "$line"
	done <"$3"
}

# the third field (how the host judges the step) is not used here
while read -r name needs _check cmd; do
	case $name in '' | '#'*) continue ;; esac
	echo "SEALBOX-STEP kernel=$KERNEL step=$name"
	missing=""
	old_ifs=$IFS
	IFS=,
	onhost=""
	for prog in $needs; do
		if [ "$prog" = guest ]; then
			[ "$KERNEL" = host ] && onhost=1
			continue
		fi
		command -v "$prog" >/dev/null 2>&1 || [ -e "$SB_LIB/$prog" ] ||
			missing="$missing $prog"
	done
	IFS=$old_ifs
	if [ -n "$onhost" ]; then
		echo "SEALBOX-RESULT kernel=$KERNEL step=$name status=n/a rc=- ms=0 why=booted kernels only (ctest runs it here)"
		continue
	fi
	if [ -n "$missing" ]; then
		echo "SEALBOX-RESULT kernel=$KERNEL step=$name status=skip rc=- ms=0 why=not built:$missing"
		continue
	fi
	t0=$(now_ms)
	timeout "$STEP_TIMEOUT" sh -c "$cmd" </dev/null >"$TMP/out" 2>"$TMP/err"
	rc=$?
	t1=$(now_ms)
	emit @O "$name" "$TMP/out"
	emit @E "$name" "$TMP/err"
	why=""
	[ "$rc" = 124 ] || [ "$rc" = 143 ] && why=" why=step timeout ${STEP_TIMEOUT}s"
	echo "SEALBOX-RESULT kernel=$KERNEL step=$name status=ran rc=$rc ms=$((t1 - t0))$why"
done <"$STEPS"
rm -rf "$TMP"
