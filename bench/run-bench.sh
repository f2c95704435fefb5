#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run-bench.sh SEALBOX BENCH_BUILD_DIR
#
# The speed figures of issue 3, as ratios measured in one run: every
# workload runs natively and under sealbox, interleaved (in a new random
# order each round), ROUNDS times; each ratio is the median of the per-round
# ratios. Everything runs twice: with the default CPU placement (the one
# the targets are judged on) and with supervisor and program pinned to
# CPU 0 (taskset -c 0). Times on a shared 2-CPU machine are noisy: read
# the ratios, not the absolute numbers, and never turn them into tests.
#
# Writes the table to BENCH_BUILD_DIR/bench-results.txt and every sample
# to BENCH_BUILD_DIR/bench-samples.txt. Takes about eight minutes.
#
# Environment: ROUNDS (default 15), PIN_ROUNDS (default 7), SPAWN_REPS
# (default 50: runs per start-up sample), PINNED=0 to skip the pinned pass,
# SEED (default 1) for the random job order,
# CC (default cc) and CC_REPS (default 4: compiles per sample) for the
# small-compile row, which is left out when there is no compiler.

set -u
export LC_ALL=C

if [ $# -ne 2 ]; then
	echo "usage: $0 SEALBOX BENCH_BUILD_DIR" >&2
	exit 2
fi
SB=$(readlink -f -- "$1")
DIR=$(readlink -f -- "$2")
ROUNDS=${ROUNDS:-15}
PIN_ROUNDS=${PIN_ROUNDS:-7}
SPAWN_REPS=${SPAWN_REPS:-50}
PINNED=${PINNED:-1}
MIX="$DIR/syscall_mix"
OPS="$DIR/memfd_ops"
FLOOR="$DIR/seccomp_floor"
OUT="$DIR/bench-results.txt"
SAMPLES="$DIR/bench-samples.txt"
TRUE=$(type -P true)

case "$SB$DIR" in
*[[:space:]]*)
	echo "run-bench: paths with white space are not supported" >&2
	exit 2
	;;
esac
for f in "$SB" "$MIX" "$OPS" "$FLOOR"; do
	if [ ! -x "$f" ]; then
		echo "run-bench: $f: not built" >&2
		exit 2
	fi
done
if ! "$OPS" raw-sync -n 100 >/dev/null 2>&1; then
	echo "run-bench: no seccomp user notification with SYNC_WAKE_UP here" >&2
	exit 2
fi
if ! command -v taskset >/dev/null; then
	PINNED=0
fi
# A small compile: the issue's "building a small C project", one cc -c.
CC_BIN=$(type -P "${CC:-cc}" || true)
CC_REPS=${CC_REPS:-4}
CC_SRC="$DIR/bench-cc.c"
CC_ARGS="-O2 -c $CC_SRC -o $DIR/bench-cc.o"
cat >"$CC_SRC" <<'EOF_CC'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
struct node { struct node *next; char key[32]; int value; };
static unsigned hash(const char *s) { unsigned h = 5381; while (*s) h = h * 33 + (unsigned char)*s++; return h; }
int lookup(struct node **tab, unsigned n, const char *k)
{
	for (struct node *e = tab[hash(k) % n]; e; e = e->next)
		if (strcmp(e->key, k) == 0)
			return e->value;
	return -1;
}
int insert(struct node **tab, unsigned n, const char *k, int v)
{
	struct node *e = calloc(1, sizeof(*e));
	if (!e)
		return -1;
	snprintf(e->key, sizeof(e->key), "%s", k);
	e->value = v;
	e->next = tab[hash(k) % n];
	tab[hash(k) % n] = e;
	return 0;
}
EOF_CC
# shellcheck disable=SC2086 # a word list on purpose
if [ -n "$CC_BIN" ] && ! "$CC_BIN" $CC_ARGS >/dev/null 2>&1; then
	CC_BIN=
fi

# Issue 4's rows: the ptrace backend beside strace and proot, and a
# simulated Linux 3.10 (tests/helpers, built with the tests)
PCASES="$DIR/../tests/ptrace-cases"
LEGACY="$DIR/../tests/legacy-kernel"
[ -x "$PCASES" ] || PCASES=
[ -x "$LEGACY" ] || LEGACY=
STRACE_BIN=$(type -P strace || true)
PROOT_BIN=$(type -P proot || true)

declare -A S # key -> space-separated samples

# sample KEY FIELD CMD...: run CMD, keep field FIELD of its last line
# (FIELD with a k suffix: that field times 1000, microseconds to ns)
sample() {
	local key=$1 field=$2 out v
	shift 2
	if out=$("$@" 2>/dev/null | tail -n 1); then
		v=$(awk -v f="${field%k}" -v k="${field//[0-9]/}" \
			'{ print k == "k" ? $f * 1000 : $f }' <<<"$out")
	fi
	if [ -z "${v:-}" ]; then
		v=NA
		echo "run-bench: failed: $*" >&2
	fi
	S[$key]="${S[$key]:-} $v"
	echo "$key $v" >>"$SAMPLES"
}

# sample_cpu KEY FIELD CMD...: as sample, and also the CPU time (user +
# system, ms) of CMD and all its descendants as KEY.cpu: steadier than
# wall time on a shared machine, and it counts the supervisor's work
sample_cpu() {
	local key=$1 field=$2 t u sy v=
	shift 2
	local TIMEFORMAT='%3U %3S'
	if t=$({ time "$@" >"$DIR/bench-out.txt" 2>/dev/null; } 2>&1); then
		v=$(tail -n 1 "$DIR/bench-out.txt" | awk -v f="$field" '{ print $f }')
	fi
	read -r u sy <<<"$t"
	if [ -z "$v" ]; then
		v=NA
		echo "run-bench: failed: $*" >&2
	fi
	S[$key]="${S[$key]:-} $v"
	echo "$key $v" >>"$SAMPLES"
	if [ "$v" = NA ]; then
		v=NA
	else
		v=$(awk -v a="$u" -v b="$sy" 'BEGIN { printf "%.3f", (a + b) * 1000 }')
	fi
	S[$key.cpu]="${S[$key.cpu]:-} $v"
	echo "$key.cpu $v" >>"$SAMPLES"
}

# spawn KEY CMD...: mean milliseconds per run of CMD over SPAWN_REPS runs
# (NA when any run fails: a quick failure must not pass for a fast start)
spawn() {
	local key=$1 t0 t1 i ok=1 v
	shift
	t0=$EPOCHREALTIME
	for ((i = 0; i < SPAWN_REPS; i++)); do
		"$@" >/dev/null 2>&1 || ok=0
	done
	t1=$EPOCHREALTIME
	if [ "$ok" = 1 ]; then
		v=$(awk -v a="$t0" -v b="$t1" -v n="$SPAWN_REPS" \
			'BEGIN { printf "%.4f", (b - a) * 1000 / n }')
	else
		v=NA
		echo "run-bench: failed: $*" >&2
	fi
	S[$key]="${S[$key]:-} $v"
	echo "$key $v" >>"$SAMPLES"
}

median() { # numbers on stdin (NA skipped) -> median, or NA
	tr ' ' '\n' | grep -E '^[0-9.eE+-]+$' | sort -g |
		awk '{ a[NR] = $1 } END {
			if (NR == 0) { print "NA"; exit }
			if (NR % 2) print a[(NR + 1) / 2];
			else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

quartiles() { # numbers on stdin (NA skipped) -> "P25 MEDIAN P75", or NA NA NA
	tr ' ' '\n' | grep -E '^[0-9.eE+-]+$' | sort -g |
		awk '{ a[NR] = $1 }
		function q(p,   h, l) { h = 1 + (NR - 1) * p; l = int(h);
			return l >= NR ? a[NR] : a[l] + (h - l) * (a[l + 1] - a[l]) }
		END { if (NR == 0) print "NA NA NA";
			else printf "%.4f %.4f %.4f\n", q(0.25), q(0.5), q(0.75) }'
}

med() { median <<<"${S[$1]:-}"; }

# pairwise KEY_A KEY_B OP: per round, A/B (OP=div) or A-B (sub)
pairwise() {
	local -a a b
	read -r -a a <<<"${S[$1]:-}"
	read -r -a b <<<"${S[$2]:-}"
	local i out=""
	for ((i = 0; i < ${#a[@]} && i < ${#b[@]}; i++)); do
		out+=" $(awk -v x="${a[$i]}" -v y="${b[$i]}" -v op="$3" 'BEGIN {
			if (x == "NA" || y == "NA" || (op == "div" && y == 0)) print "NA";
			else if (op == "div") printf "%.4f", x / y;
			else printf "%.4f", x - y }')"
	done
	echo "$out"
}

# excess KEY_EMU KEY_NATIVE KEY_RAW: per round, (emu - native) / raw
excess() {
	local -a e n r
	read -r -a e <<<"${S[$1]:-}"
	read -r -a n <<<"${S[$2]:-}"
	read -r -a r <<<"${S[$3]:-}"
	local i out=""
	for ((i = 0; i < ${#e[@]} && i < ${#n[@]} && i < ${#r[@]}; i++)); do
		out+=" $(awk -v x="${e[$i]}" -v y="${n[$i]}" -v z="${r[$i]}" 'BEGIN {
			if (x == "NA" || y == "NA" || z == "NA" || z == 0) print "NA";
			else printf "%.4f", (x - y) / z }')"
	done
	echo "$out"
}

# floor RAW KEY...: per round, (RAW + the sum of the KEYs) / RAW
floor() {
	local k
	for k in "$@"; do echo "${S[$k]:-}"; done | awk '
		{ for (i = 1; i <= NF; i++) v[NR, i] = $i
		  if (NR == 1 || NF < n) n = NF }
		END {
			out = ""
			for (i = 1; i <= n; i++) {
				s = 0; bad = v[1, i] == "NA" || v[1, i] == 0
				for (r = 1; r <= NR; r++) {
					if (v[r, i] == "NA") bad = 1
					s += v[r, i]
				}
				out = out " " (bad ? "NA" : sprintf("%.4f", s / v[1, i]))
			}
			print out
		}'
}

# mixcall ALL NATIVE ALL0 NATIVE0 RAW: per round, what one intercepted call
# costs inside syscall_mix, in raw round trips, from CPU times (ms, whole
# runs): the extra beyond the nothing-intercepted mix's, over the 1374
# intercepted calls of a run (-n 10000 plus 1000 warm-up iterations, 2
# every 16), over the raw round trip (ns)
MIX_CALLS=1374
mixcall() {
	local -a a b c d r
	read -r -a a <<<"${S[$1]:-}"
	read -r -a b <<<"${S[$2]:-}"
	read -r -a c <<<"${S[$3]:-}"
	read -r -a d <<<"${S[$4]:-}"
	read -r -a r <<<"${S[$5]:-}"
	local i out=""
	for ((i = 0; i < ${#a[@]} && i < ${#b[@]} && i < ${#c[@]} &&
		i < ${#d[@]} && i < ${#r[@]}; i++)); do
		out+=" $(awk -v a="${a[$i]}" -v b="${b[$i]}" -v c="${c[$i]}" \
			-v d="${d[$i]}" -v r="${r[$i]}" -v n="$MIX_CALLS" 'BEGIN {
			if (a == "NA" || b == "NA" || c == "NA" || d == "NA" ||
			    r == "NA" || r == 0) print "NA";
			else printf "%.4f", ((a - b) - (c - d)) * 1e6 / n / r }')"
	done
	echo "$out"
}

# One round: every job once, in a random order.
# $1: key prefix, $2...: command prefix (empty, or taskset -c 0).
round() {
	local prefix=$1
	shift
	local -a pin=("$@")
	local -a jobs=(
		"mix.native|5cpu|${pin[*]} $MIX -n 10000"
		"mix.native2|5cpu|${pin[*]} $MIX -n 10000"
		"mix.auto|5cpu|${pin[*]} $SB run --emulate=auto -- $MIX -n 10000"
		"mix.all|5cpu|${pin[*]} $SB run --emulate=all -- $MIX -n 10000"
		"mix0.native|5cpu|${pin[*]} $MIX -n 10000 -w 0 -p 0"
		"mix0.floor|5cpu|${pin[*]} $FLOOR $MIX -n 10000 -w 0 -p 0"
		"mix0.all|5cpu|${pin[*]} $SB run --emulate=all -- $MIX -n 10000 -w 0 -p 0"
		"raw.sync|1|${pin[*]} $OPS raw-sync -n 10000"
		"raw.plain|1|${pin[*]} $OPS raw -n 5000"
		"raw.poll|1|${pin[*]} $OPS raw-sync --poll -n 10000"
		"create.native|1|${pin[*]} $OPS create -n 5000"
		"create.all|1|${pin[*]} $SB run --emulate=all -- $OPS create -n 3000"
		"add_seals.native|1|${pin[*]} $OPS add_seals -n 20000"
		"add_seals.all|1|${pin[*]} $SB run --emulate=all -- $OPS add_seals -n 5000"
		"get_seals.native|1|${pin[*]} $OPS get_seals -n 20000"
		"get_seals.all|1|${pin[*]} $SB run --emulate=all -- $OPS get_seals -n 5000"
		"refused_write.native|1|${pin[*]} $OPS refused_write -n 20000"
		"refused_write.all|1|${pin[*]} $SB run --emulate=all -- $OPS refused_write -n 5000"
		"create.user|1|${pin[*]} $SB run --emulate=all --enforce=user -- $OPS create -n 3000"
		"add_seals.user|1|${pin[*]} $SB run --emulate=all --enforce=user -- $OPS add_seals -n 5000"
		"get_seals.user|1|${pin[*]} $SB run --emulate=all --enforce=user -- $OPS get_seals -n 5000"
		"refused_write.user|1|${pin[*]} $SB run --emulate=all --enforce=user -- $OPS refused_write -n 5000"
		"fetch.native|1|${pin[*]} $OPS fetch -n 20000"
		"kcmp.native|1|${pin[*]} $OPS kcmp -n 20000"
		"statx.native|1|${pin[*]} $OPS statx -n 20000"
		"getfl.native|1|${pin[*]} $OPS getfl -n 20000"
		"write1m.native|1|${pin[*]} $OPS write1m -n 300"
		"write1m.all|1|${pin[*]} $SB run --emulate=all -- $OPS write1m -n 300"
		"write64.native|1|${pin[*]} $OPS write64 -n 20000"
		"write64.all|1|${pin[*]} $SB run --emulate=all -- $OPS write64 -n 5000"
		"open_wr.native|5|${pin[*]} $MIX --only=open_wr -n 3000"
		"open_wr.all|5|${pin[*]} $SB run --emulate=all -- $MIX --only=open_wr -n 3000"
		"mprotect_w.native|5|${pin[*]} $MIX --only=mprotect_w -n 3000"
		"mprotect_w.all|5|${pin[*]} $SB run --emulate=all -- $MIX --only=mprotect_w -n 3000"
		"seal_write.native|1|${pin[*]} $OPS seal_write -n 2000"
		"seal_write.all|1|${pin[*]} $SB run --emulate=all -- $OPS seal_write -n 20"
		"spawn.true|spawn|${pin[*]} $TRUE"
		"spawn.auto|spawn|${pin[*]} $SB run --emulate=auto -- $TRUE"
		"spawn.all|spawn|${pin[*]} $SB run --emulate=all -- $TRUE"
	)
	jobs+=(
		"mix.ptrace|5cpu|${pin[*]} $SB run --backend=ptrace --emulate=all -- $MIX -n 10000"
		"create.ptuser|1|${pin[*]} $SB run --backend=ptrace --emulate=all --enforce=user -- $OPS create -n 1000"
		"add_seals.ptuser|1|${pin[*]} $SB run --backend=ptrace --emulate=all --enforce=user -- $OPS add_seals -n 2000"
		"get_seals.ptuser|1|${pin[*]} $SB run --backend=ptrace --emulate=all --enforce=user -- $OPS get_seals -n 2000"
		"refused_write.ptuser|1|${pin[*]} $SB run --backend=ptrace --emulate=all --enforce=user -- $OPS refused_write -n 2000"
		"get_seals.ptnospin|1|${pin[*]} env SEALBOX_PTRACE_SPIN_US=0 $SB run --backend=ptrace --emulate=all --enforce=user -- $OPS get_seals -n 2000"
	)
	if [ -n "$PCASES" ]; then
		jobs+=("rawtrace|4k|${pin[*]} $PCASES rawtrace 3000"
		       "rawtrace.spin|4k|${pin[*]} $PCASES rawtrace 3000 spin")
	fi
	if [ -n "$STRACE_BIN" ]; then
		# the calls sealbox's ptrace filter stops here, traced the same way
		jobs+=("mix.strace|5cpu|${pin[*]} $STRACE_BIN -f --seccomp-bpf -qq -e trace=memfd_create,fcntl -o /dev/null $MIX -n 10000")
	fi
	if [ -n "$PROOT_BIN" ]; then
		jobs+=("mix.proot|5cpu|${pin[*]} $PROOT_BIN -r / $MIX -n 10000")
	fi
	if [ -n "$LEGACY" ]; then
		jobs+=("mix.legacy|5cpu|${pin[*]} $LEGACY 3.10 -- $MIX -n 10000"
		       "mix.legacysb|5cpu|${pin[*]} $LEGACY 3.10 -- $SB run -- $MIX -n 10000"
		       "mix.legacysb0|5cpu|${pin[*]} env SEALBOX_PTRACE_SPIN_US=0 $LEGACY 3.10 -- $SB run -- $MIX -n 10000"
		       "create.legacy|1|${pin[*]} $LEGACY 3.10 -- $SB run -- $OPS create -n 1000"
		       "get_seals.legacy|1|${pin[*]} $LEGACY 3.10 -- $SB run -- $OPS get_seals -n 2000"
		       "refused_write.legacy|1|${pin[*]} $LEGACY 3.10 -- $SB run -- $OPS refused_write -n 2000")
	fi
	if [ -n "$CC_BIN" ]; then
		jobs+=("cc.native|cc|${pin[*]} $CC_BIN $CC_ARGS"
		       "cc.all|cc|${pin[*]} $SB run --emulate=all -- $CC_BIN $CC_ARGS")
	fi
	if [ ${#pin[@]} -eq 0 ]; then
		# forced cross-CPU wake-ups: only meaningful unpinned
		jobs+=("raw.split|1|$OPS raw-sync --pin=split -n 1000")
	fi
	# a fresh random order every round (Fisher-Yates on RANDOM, seeded
	# below): a job's time depends on what ran just before it (with a
	# fixed order, a native run that always followed another one came out
	# 12% faster than it), so no job may always follow the same one
	local njobs=${#jobs[@]} i j t key field cmd
	local -a order=()
	for ((i = 0; i < njobs; i++)); do order+=("$i"); done
	for ((i = njobs - 1; i > 0; i--)); do
		j=$((RANDOM % (i + 1)))
		t=${order[$i]}
		order[i]=${order[$j]}
		order[j]=$t
	done
	for ((i = 0; i < njobs; i++)); do
		IFS='|' read -r key field cmd <<<"${jobs[${order[$i]}]}"
		# shellcheck disable=SC2086 # cmd is a word list on purpose
		if [ "$field" = spawn ]; then
			spawn "$prefix$key" $cmd
		elif [ "$field" = 5cpu ]; then
			sample_cpu "$prefix$key" 5 $cmd
		elif [ "$field" = cc ]; then
			SPAWN_REPS=$CC_REPS spawn "$prefix$key" $cmd
		else
			sample "$prefix$key" "$field" $cmd
		fi
	done
}

: >"$SAMPLES"
RANDOM=${SEED:-1} # the same job orders every run, unless SEED says otherwise
start=$SECONDS
echo "run-bench: $ROUNDS rounds, default placement" >&2
for ((r = 0; r < ROUNDS; r++)); do
	round ""
	printf '.' >&2
done
echo >&2
if [ "$PINNED" = 1 ]; then
	echo "run-bench: $PIN_ROUNDS rounds, taskset -c 0" >&2
	for ((r = 0; r < PIN_ROUNDS; r++)); do
		round "pin." taskset -c 0
		printf '.' >&2
	done
	echo >&2
fi

# verdict P25 MEDIAN P75 TARGET: judged on the median; "(noisy)" when the
# target lies between the quartiles of the per-round ratios
verdict() {
	awk -v lo="$1" -v v="$2" -v hi="$3" -v t="$4" 'BEGIN {
		if (v == "NA") { print "n/a"; exit }
		s = v + 0 <= t + 0 ? "meets" : "MISSES";
		if (lo + 0 <= t + 0 && t + 0 <= hi + 0) s = s " (noisy)";
		print s }'
}

fmt() { # a number to 2 decimals, NA stays
	awk -v v="$1" 'BEGIN { if (v == "NA") print "NA"; else printf "%.2f", v }'
}

line() { printf '%-48s %8s %13s %8s %8s  %s\n' "$@"; }

# row LABEL TARGET FUNCTION ARGS...: the median of the per-round values
# (with their quartiles) at the default placement, the median pinned
# (keys, the arguments with a dot, get the pin. prefix), target, verdict
row() {
	local label=$1 target=$2 f=$3
	shift 3
	local -a a=("$@") b=()
	local x lo mid hi pinned
	for x in "${a[@]}"; do
		case $x in *.*) b+=("pin.$x") ;; *) b+=("$x") ;; esac
	done
	read -r lo mid hi <<<"$("$f" "${a[@]}" | quartiles)"
	pinned=-
	if [ "$PINNED" = 1 ] && [ -n "${S[${b[0]}]:-}" ]; then
		pinned=$(fmt "$("$f" "${b[@]}" | median)")
	fi
	if [ "$target" = - ]; then
		line "$label" "$(fmt "$mid")" \
			"$(fmt "$lo")-$(fmt "$hi")" "$pinned" "-" "(info)"
	else
		line "$label" "$(fmt "$mid")" \
			"$(fmt "$lo")-$(fmt "$hi")" "$pinned" "<= $target" \
			"$(verdict "$lo" "$mid" "$hi" "$target")"
	fi
}

us() { awk -v v="$1" 'BEGIN { if (v == "NA") print "NA"; else printf "%.2f", v / 1000 }'; }

{
	echo "sealbox bench: $(uname -sr), $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "sealbox: $SB"
	echo "rounds: $ROUNDS default placement, $([ "$PINNED" = 1 ] && echo "$PIN_ROUNDS" || echo 0) pinned; median of per-round ratios"
	echo "raw = the benchmark's own getppid round trip (NEW_LISTENER, plain"
	echo "reply, SYNC_WAKE_UP, blocking NOTIF_RECV), measured in the same rounds"
	echo
	line "ratio (median of per-round ratios)" "default" "(quartiles)" "cpu0" "target" "verdict"
	line "----------------------------------" "-------" "-----------" "----" "------" "-------"
	row "syscall_mix  all / native" 1.10 pairwise mix.all mix.native div
	row "syscall_mix  auto / native" 1.02 pairwise mix.auto mix.native div
	row "memfd_create+close  all / raw" 1.3 pairwise create.all raw.sync div
	row "F_ADD_SEALS  all / raw" 1.3 pairwise add_seals.all raw.sync div
	row "F_GET_SEALS  all / raw" 1.3 pairwise get_seals.all raw.sync div
	row "refused write (EPERM)  all / raw" 1.3 pairwise refused_write.all raw.sync div
	row "pwrite 1 MiB  all / native" 1.10 pairwise write1m.all write1m.native div
	row "sealbox run true - true  (ms)" 3 pairwise spawn.auto spawn.true sub
	echo
	echo "every check in sealbox (--enforce=user: the pre-3.17 path, no kernel"
	echo "seals relied on, an ADDFD per memfd_create)"
	row "memfd_create+close  user / raw" 1.3 pairwise create.user raw.sync div
	row "F_ADD_SEALS  user / raw" 1.3 pairwise add_seals.user raw.sync div
	row "F_GET_SEALS  user / raw" 1.3 pairwise get_seals.user raw.sync div
	row "refused write (EPERM)  user / raw" 1.3 pairwise refused_write.user raw.sync div
	row "memfd_create+close  (user - native) / raw" - excess create.user create.native raw.sync
	echo "the least a check on a caller's fd costs the supervisor, each call"
	echo "alone over the raw round trip (run natively; informational)"
	row "pidfd_getfd + close  / raw" - pairwise fetch.native raw.sync div
	row "kcmp(KCMP_FILE)  / raw" - pairwise kcmp.native raw.sync div
	row "statx (AT_EMPTY_PATH, BTIME)  / raw" - pairwise statx.native raw.sync div
	row "fcntl(F_GETFL)  / raw" - pairwise getfl.native raw.sync div
	row "poll() before RECV  (raw.poll - raw) / raw" - excess raw.poll raw.sync raw.sync
	row "raw + fetch + statx + F_GETFL  / raw" - floor raw.sync fetch.native statx.native getfl.native
	echo
	echo "the ptrace backend (issue 4; raw = ptrace-cases rawtrace: RET_TRACE stop,"
	echo "GETREGS, skip, SETREGS, resume, measured in the same rounds)"
	row "syscall_mix  ptrace all / native" 1.15 pairwise mix.ptrace mix.native div
	row "syscall_mix  strace -f --seccomp-bpf / native" - pairwise mix.strace mix.native div
	row "syscall_mix  proot / native" - pairwise mix.proot mix.native div
	row "memfd_create+close  ptrace user / raw ptrace" 1.3 pairwise create.ptuser rawtrace div
	row "F_ADD_SEALS  ptrace user / raw ptrace" 1.3 pairwise add_seals.ptuser rawtrace div
	row "F_GET_SEALS  ptrace user / raw ptrace" 1.3 pairwise get_seals.ptuser rawtrace div
	row "refused write  ptrace user / raw ptrace" 1.3 pairwise refused_write.ptuser rawtrace div
	row "syscall_mix  sealbox on legacy 3.10 / 3.10" - pairwise mix.legacysb mix.legacy div
	row "memfd_create+close  on legacy 3.10 / raw ptrace" - pairwise create.legacy rawtrace div
	row "F_GET_SEALS  on legacy 3.10 / raw ptrace" - pairwise get_seals.legacy rawtrace div
	row "refused write  on legacy 3.10 / raw ptrace" - pairwise refused_write.legacy rawtrace div
	echo "(sealbox's tracer polls for the next stop while stops come close"
	echo "together, SEALBOX_PTRACE_SPIN_US; the same against a raw tracer that"
	echo "polls too, and sealbox with polling off)"
	row "raw ptrace, tracer polling / raw ptrace" - pairwise rawtrace.spin rawtrace div
	row "memfd_create+close  ptrace user / raw polling" - pairwise create.ptuser rawtrace.spin div
	row "F_ADD_SEALS  ptrace user / raw polling" - pairwise add_seals.ptuser rawtrace.spin div
	row "F_GET_SEALS  ptrace user / raw polling" - pairwise get_seals.ptuser rawtrace.spin div
	row "refused write  ptrace user / raw polling" - pairwise refused_write.ptuser rawtrace.spin div
	row "F_GET_SEALS  ptrace user, no polling / raw ptrace" - pairwise get_seals.ptnospin rawtrace div
	row "syscall_mix  ptrace all / native, CPU time" - pairwise mix.ptrace.cpu mix.native.cpu div
	row "syscall_mix  on legacy 3.10, no polling / 3.10" - pairwise mix.legacysb0 mix.legacy div
	row "the same, CPU time: polling / no polling" - pairwise mix.legacysb.cpu mix.legacysb0.cpu div
	echo
	echo "where the time goes (no targets)"
	row "noise: syscall_mix native / native" - pairwise mix.native2 mix.native div
	row "syscall_mix, nothing intercepted  all / native" - pairwise mix0.all mix0.native div
	row "the same, a one-rule seccomp filter / native" - pairwise mix0.floor mix0.native div
	row "the same, all / a one-rule seccomp filter" - pairwise mix0.all mix0.floor div
	row "syscall_mix  all / native, CPU time" - pairwise mix.all.cpu mix.native.cpu div
	row "syscall_mix  auto / native, CPU time" - pairwise mix.auto.cpu mix.native.cpu div
	row "the same, nothing intercepted, CPU time" - pairwise mix0.all.cpu mix0.native.cpu div
	row "cc -c small.c  all / native" - pairwise cc.all cc.native div
	row "memfd_create+close  (all - native) / raw" - excess create.all create.native raw.sync
	row "F_ADD_SEALS  (all - native) / raw" - excess add_seals.all add_seals.native raw.sync
	row "F_GET_SEALS  (all - native) / raw" - excess get_seals.all get_seals.native raw.sync
	row "refused write  (all - native) / raw" - excess refused_write.all refused_write.native raw.sync
	row "pwrite 64 B  all / raw" - pairwise write64.all raw.sync div
	row "pwrite 64 B  all / native" - pairwise write64.all write64.native div
	row "pwrite 1 MiB  (all - native) / raw" - excess write1m.all write1m.native raw.sync
	row "open O_WRONLY+pwrite+close  (all-nat) / raw" - excess open_wr.all open_wr.native raw.sync
	row "one intercepted call in the mix / raw, CPU" - mixcall mix.all.cpu mix.native.cpu mix0.all.cpu mix0.native.cpu raw.sync
	row "mprotect RO,RW  (all - native) / raw" - excess mprotect_w.all mprotect_w.native raw.sync
	row "F_ADD_SEALS(SEAL_WRITE) fresh  all / native" - pairwise seal_write.all seal_write.native div
	row "raw, no SYNC_WAKE_UP / raw" - pairwise raw.plain raw.sync div
	row "raw, poll() before RECV / raw" - pairwise raw.poll raw.sync div
	row "raw, forced cross-CPU / raw" - pairwise raw.split raw.sync div
	row "sealbox run --emulate=all true - true (ms)" - pairwise spawn.all spawn.true sub
	echo
	echo "medians for scale (us; noisy, not for comparison across runs)"
	printf '  raw round trip %s (no SYNC_WAKE_UP %s, cross-CPU %s)\n' \
		"$(us "$(med raw.sync)")" "$(us "$(med raw.plain)")" "$(us "$(med raw.split)")"
	printf '  syscall_mix iteration: native %s, auto %s, all %s\n' \
		"$(us "$(med mix.native)")" "$(us "$(med mix.auto)")" "$(us "$(med mix.all)")"
	printf '  the same, nothing intercepted (-w 0 -p 0): native %s, all %s\n' \
		"$(us "$(med mix0.native)")" "$(us "$(med mix0.all)")"
	printf '  cc -c (ms): native %s, all %s\n' \
		"$(fmt "$(med cc.native)")" "$(fmt "$(med cc.all)")"
	for k in create add_seals get_seals refused_write write64 write1m open_wr mprotect_w seal_write; do
		printf '  %-14s native %9s  all %9s  user %9s\n' "$k" "$(us "$(med $k.native)")" \
			"$(us "$(med $k.all)")" "$(us "$(med $k.user)")"
	done
	printf '  start-up (ms): true %s, sealbox run true %s, --emulate=all %s\n' \
		"$(fmt "$(med spawn.true)")" "$(fmt "$(med spawn.auto)")" "$(fmt "$(med spawn.all)")"
	echo
	echo "took $((SECONDS - start)) s; samples in $SAMPLES"
} | tee "$OUT"
