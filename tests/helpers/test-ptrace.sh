#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test-ptrace.sh [--part PART]... [--known FILE] SEALBOX [CONFORM]
#
# The ptrace transport, end to end, in parts (--part, repeatable; default:
# all of them, in this order; ctest runs them as separate tests):
#   ptrace     (a) with pidfd_getfd, and (c) for it
#   inject     (a) without pidfd_getfd
#   legacy     (b), and (c) for it
#   live       (d) under the ptrace backend (tests/live runs the same
#              variants as ctests of its own: live/ptrace-*)
#   live-3.10  (d) under legacy-kernel 3.10, against expected/3.10.txt
#   exec       (e)
#
# The parts:
#  (a) sealbox run --backend=ptrace --emulate=all --enforce=user -- PROG
#      (every check in sealbox, so every call goes through the transport)
#      for the programs of ptrace-cases.c: memfd and seal checks compared
#      with the native output, dup family, a threaded writer,
#      forks/SCM_RIGHTS/exec, a child that stops, a program that stops
#      itself, a signal storm during emulated calls, a program that closes
#      every inherited fd, a thread that execs, calls from a thread with
#      almost no stack left; then exit statuses, death by signal, make -j2
#      of a small C project, and terminal job control (^Z, fg) in a pty;
#      each twice: with pidfd_getfd, and without (the injection path; its
#      ctest sets SEALBOX_PTRACE_SPIN_US=0: the tracer sleeps in waitpid
#      instead of polling for stops);
#  (b) the same under `legacy-kernel 3.10 -- sealbox run --emulate=auto`:
#      sealbox must choose the ptrace backend and a tmpfs backing by itself;
#  (c) SIGKILL of the tracer kills the whole tree;
#  (d) with CONFORM (tests/live/conform), the live conformance suite under
#      the ptrace backend and under legacy-kernel 3.10 (mismatches listed;
#      3.10 against tests/live/expected/3.10.txt: 6.18's answers, but the
#      errors of the system calls 3.10 does not have);
#  (e) with CONFORM, its exec group under the ptrace backend on each tmpfs
#      store (detached, tmpfile, unlinked), as on 6.18: the exec runs on a
#      read-only copy of the file (a tmpfs file's own O_RDWR open is a
#      writer, ETXTBSY, where a memfd's is not).
#
# Known failures that belong to other parts of sealbox are listed, each with
# its reason, in FILE (default: known-failures.txt beside this script). A
# listed check that fails prints "KNOWN" and does not count as failed; one
# that passes is reported as "XPASS ... remove it from the list" and counts
# as failed, so the list only shrinks; an unlisted failure fails.
#
# The helpers (ptrace-cases.c, legacy-kernel.c) are compiled into a
# temporary directory with $CC (libseccomp for legacy-kernel), unless
# PTRACE_CASES and LEGACY_KERNEL name built ones.
#
# LEGACY_EXCEPT=NAME,... is passed to legacy-kernel --except. By default the
# legacy runs are strict (a 3.10 kernel has no seccomp(2)); when sealbox
# cannot install its filter there, that is one failure, and the remaining
# legacy runs go on with --except seccomp so they still test the transport.
#
# Prints "ok"/"FAIL" lines and "test-ptrace: N passed, N failed"; exit 0
# only when nothing failed. SKIP lines say why a part could not run.
set -u

here=$(cd "$(dirname "$0")" && pwd)
usage="usage: test-ptrace.sh [--part PART]... [--known FILE] SEALBOX [CONFORM]"
all_parts="ptrace inject legacy live live-3.10 exec"
parts=
KNOWN=$here/known-failures.txt
while [ $# -gt 0 ]; do
	case $1 in
	--part)
		case " $all_parts " in
		*" ${2:-} "*) parts="$parts ${2:-}" ;;
		*) echo "test-ptrace: unknown part '${2:-}' ($all_parts)" >&2
		   exit 2 ;;
		esac
		shift 2 ;;
	--known) KNOWN=${2:?$usage}; shift 2 ;;
	-*) echo "$usage" >&2; exit 2 ;;
	*) break ;;
	esac
done
parts=${parts:-$all_parts}
SEALBOX=${1:?$usage}
CONFORM=${2:-}
want_part() { case " $parts " in *" $1 "*) return 0 ;; esac; return 1; }
case $SEALBOX in /*) ;; *) SEALBOX=$PWD/$SEALBOX ;; esac
case $CONFORM in /* | "") ;; *) CONFORM=$PWD/$CONFORM ;; esac
CC=${CC:-cc}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sealbox-ptrace.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok $*"; }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }
skip() { echo "SKIP $*"; }

# The known failures of the parts that run: "PART<TAB>KEY" per entry.
: >"$tmp/known"
: >"$tmp/known-hit"
if [ -r "$KNOWN" ]; then
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' "$KNOWN" |
		awk -v parts=" $parts " 'NF >= 2 && index(parts, " " $1 " ") {
			key = $0; sub(/^[^[:space:]]+[[:space:]]+/, "", key)
			print $1 "\t" key }' >"$tmp/known"
elif [ "$KNOWN" != "$here/known-failures.txt" ]; then
	echo "test-ptrace: cannot read $KNOWN" >&2
	exit 2
fi
# is_known PART KEY: listed (and now seen failing)?
is_known() {
	if grep -qxF "$1	$2" "$tmp/known"; then
		printf '%s\t%s\n' "$1" "$2" >>"$tmp/known-hit"
		return 0
	fi
	return 1
}
# bad_check PART KEY WHY...: a failure, unless it is a known one
bad_check() {
	local part=$1 key=$2
	shift 2
	if is_known "$part" "$key"; then
		known=$((known + 1))
		echo "KNOWN $key: $* (listed in $(basename "$KNOWN"))"
	else
		bad "$key${*:+: $*}"
	fi
}
known=0

# a zombie is dead for our purposes
alive() {
	local st
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ]
}

# prebuilt helpers (the CMake build) or compile them here
CASES=${PTRACE_CASES:-}
LEGACY=${LEGACY_KERNEL:-}
if [ -z "$CASES" ]; then
	if ! "$CC" -O1 -g -pthread -o "$tmp/cases" "$here/ptrace-cases.c" \
		2>"$tmp/cc.err"; then
		cat "$tmp/cc.err"
		bad "build ptrace-cases"
		echo "test-ptrace: $passed passed, $failed failed"
		exit 1
	fi
	CASES=$tmp/cases
fi
if [ -z "$LEGACY" ]; then
	if "$CC" -O1 -g -o "$tmp/legacy-kernel" "$here/legacy-kernel.c" \
		-lseccomp 2>"$tmp/cc.err"; then
		LEGACY=$tmp/legacy-kernel
	else
		cat "$tmp/cc.err"
		bad "build legacy-kernel (libseccomp development files?)"
	fi
fi

# the native answers: what sealbox must reproduce
for c in memfd dup; do
	"$CASES" "$c" >"$tmp/native-$c.txt" 2>&1 ||
		bad "native $c does not pass on this kernel"
done

# run_case LABEL WANT_STATUS CMD...: run, compare the status, report
# (the part that runs is in $part)
run_case() {
	local label=$1 want=$2
	shift 2
	timeout 120 "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	local got=$?
	if [ "$got" -ne "$want" ]; then
		bad_check "$part" "$label" "exit $got, wanted $want"
		grep -h FAIL "$tmp/out" | head -5 | sed 's/^/    /'
		head -c 300 "$tmp/err" | sed 's/^/    /'
		return 1
	fi
	if grep -q FAIL "$tmp/out"; then
		bad_check "$part" "$label"
		grep -h FAIL "$tmp/out" | head -5 | sed 's/^/    /'
		return 1
	fi
	ok "$label"
}

same_as_native() {
	local label=$1 c=$2
	if diff -u "$tmp/native-$c.txt" "$tmp/out" >"$tmp/diff"; then
		ok "$label: same output as native"
	else
		bad_check "$part" "$label: same output as native" \
			"output differs from native"
		head -20 "$tmp/diff" | sed 's/^/    /'
	fi
}

# A small C project, built with make -j2.
mkdir -p "$tmp/proj"
for i in 1 2 3 4 5 6; do
	printf 'int f%d(void) { return %d; }\n' "$i" "$i" >"$tmp/proj/f$i.c"
done
cat >"$tmp/proj/main.c" <<'EOF'
#include <stdio.h>
int f1(void), f2(void), f3(void), f4(void), f5(void), f6(void);
int main(void) { printf("%d\n", f1() + f2() + f3() + f4() + f5() + f6()); return 0; }
EOF
printf 'OBJS = main.o f1.o f2.o f3.o f4.o f5.o f6.o\nprog: $(OBJS)\n\t$(CC) -o $@ $(OBJS)\n%%.o: %%.c\n\t$(CC) -O2 -c $< -o $@\n' \
	>"$tmp/proj/Makefile"

# Terminal job control through a pty: ^Z stops the job, fg finishes it.
cat >"$tmp/jobctl.py" <<'EOF'
import os, pty, select, sys, time
cmd = sys.argv[1]
pid, fd = pty.fork()
if pid == 0:
    os.execvp("bash", ["bash", "--norc", "--noprofile", "-i"])
seen = ""
def read_until(text, t):
    # wait for text (no fixed sleeps: a loaded machine is slow to start)
    global seen
    end = time.time() + t
    while text not in seen and time.time() < end:
        if select.select([fd], [], [], 0.05)[0]:
            try:
                seen += os.read(fd, 4096).decode(errors="replace")
            except OSError:
                break
    return text in seen
def sleeping(arg, t):
    # a process `sleep ARG` that has exec'd and sleeps: ^Z before that
    # could land in the window where sh waits for its vfork child to exec,
    # and a stopped vfork child holds its parent (natively too, but the
    # window is far wider when every call is traced)
    end = time.time() + t
    while time.time() < end:
        for p in os.listdir("/proc"):
            try:
                with open("/proc/%s/cmdline" % p, "rb") as f:
                    if f.read() != b"sleep\0" + arg.encode() + b"\0":
                        continue
                with open("/proc/%s/stat" % p) as f:
                    if f.read().rsplit(")", 1)[1].split()[0] == "S":
                        return True
            except (OSError, IndexError):
                pass
        time.sleep(0.05)
    return False
arg = "2.%03d" % (os.getpid() % 1000)
read_until("$", 5)
os.write(fd, (cmd + " sh -c 'sleep " + arg + "; echo DONE-$((6*7))'\n").encode())
ok = sleeping(arg, 20)
os.write(fd, b"\x1a")
ok = read_until("Stopped", 10) and ok
os.write(fd, b"fg\n")
ok = read_until("DONE-42", 20) and ok
os.write(fd, b"exit\n")
read_until("\0", 0.3)
if ok:
    sys.exit(0)
sys.stderr.write("    terminal: %r\n" % seen[-400:])
sys.exit(1)
EOF

# suite PREFIX WRAP...: the programs, run as WRAP... PROG
suite() {
	local p=$1
	shift
	local run=("$@")

	run_case "$p memfd" 0 "${run[@]}" "$CASES" memfd &&
		same_as_native "$p memfd" memfd
	run_case "$p dup" 0 "${run[@]}" "$CASES" dup &&
		same_as_native "$p dup" dup
	run_case "$p threads" 0 "${run[@]}" "$CASES" threads 8
	run_case "$p fork" 0 "${run[@]}" "$CASES" fork
	run_case "$p child-stop" 0 "${run[@]}" "$CASES" child-stop
	run_case "$p signals" 0 "${run[@]}" "$CASES" signals
	run_case "$p closefds" 0 "${run[@]}" "$CASES" closefds
	run_case "$p lowstack" 0 "${run[@]}" "$CASES" lowstack
	run_case "$p thread-exec" 9 "${run[@]}" "$CASES" thread-exec
	run_case "$p exit 42" 42 "${run[@]}" sh -c 'exit 42'
	run_case "$p killed by SIGTERM" 143 "${run[@]}" sh -c 'kill -TERM $$'
	run_case "$p killed by SIGSEGV" 139 "${run[@]}" sh -c 'kill -SEGV $$'
	run_case "$p not found" 127 "${run[@]}" /nonexistent/prog

	# stops itself; SIGCONT sent to sealbox (forwarded) continues it
	"${run[@]}" "$CASES" self-stop >"$tmp/ss" 2>&1 &
	local sb=$! st= prog rc
	(sleep 30 && kill -KILL "$sb") 2>/dev/null &
	local watchdog=$!
	for _ in $(seq 100); do grep -q stopping "$tmp/ss" && break; sleep 0.05; done
	sleep 0.5
	# sealbox's own child: ctest may run another part at the same time
	prog=$(pgrep -n -P "$sb" -f "$CASES self-stop")
	[ -n "$prog" ] && [ "$prog" != "$sb" ] &&
		st=$(awk '{print $3}' "/proc/$prog/stat" 2>/dev/null)
	kill -CONT "$sb" 2>/dev/null
	wait "$sb"
	rc=$?
	kill "$watchdog" 2>/dev/null
	wait "$watchdog" 2>/dev/null
	if [ "$st" != t ] && [ "$st" != T ]; then
		bad_check "$part" "$p self-stop" "state '$st' while stopped"
	elif [ "$rc" -ne 0 ] || grep -q FAIL "$tmp/ss"; then
		bad_check "$part" "$p self-stop" "exit $rc: $(grep FAIL "$tmp/ss")"
	else
		ok "$p self-stop (state $st, continued by SIGCONT to sealbox)"
	fi

	# make -j2
	(cd "$tmp/proj" && rm -f ./*.o prog &&
		timeout 120 "${run[@]}" make -j2 >"$tmp/make.out" 2>&1 &&
		[ "$(./prog)" = 21 ]) && ok "$p make -j2" ||
		bad_check "$part" "$p make -j2" "$(tail -3 "$tmp/make.out")"

	if command -v python3 >/dev/null 2>&1 && command -v bash >/dev/null; then
		if timeout 60 python3 "$tmp/jobctl.py" "${run[*]}"; then
			ok "$p job control (^Z, fg)"
		else
			bad_check "$part" "$p job control (^Z, fg)"
		fi
	else
		skip "$p job control: no python3"
	fi
}

# --enforce=user: every check in sealbox, so every call goes through the
# transport (with the default, a memfd backing lets the kernel hold them)
run_ptrace=("$SEALBOX" run --backend=ptrace --emulate=all --enforce=user --)

# kill_tracer LABEL CMD...: SIGKILL of the tracer kills the whole tree
kill_tracer() {
	local label=$1 sb sup left p
	shift
	rm -f "$tmp/p1" "$tmp/p2"
	"$@" sh -c 'sleep 60 & echo $! >'"$tmp/p1"'; echo $$ >'"$tmp/p2"'; wait' &
	sb=$!
	for _ in $(seq 100); do
		[ -s "$tmp/p1" ] && [ -s "$tmp/p2" ] && break
		sleep 0.05
	done
	# the supervisor is the process that traces the shell
	sup=$(awk '/TracerPid/ {print $2}' "/proc/$(cat "$tmp/p2")/status" 2>/dev/null)
	kill -KILL "${sup:-$sb}" 2>/dev/null
	wait "$sb" 2>/dev/null
	sleep 0.3
	left=
	for p in $(cat "$tmp/p1" "$tmp/p2" 2>/dev/null); do
		alive "$p" && left="$left $p"
	done
	if [ -s "$tmp/p1" ] && [ -z "$left" ]; then
		ok "$label tree died with the tracer"
	else
		bad_check "$part" "$label tree died with the tracer" \
			"survivors of a SIGKILLed tracer:$left"
		[ -n "$left" ] && kill -KILL $left 2>/dev/null
	fi
}

if want_part ptrace; then
	part=ptrace
	echo "# (a) --backend=ptrace --emulate=all --enforce=user"
	suite "[ptrace]" "${run_ptrace[@]}"
	echo "# (c) SIGKILL of the tracer"
	kill_tracer "[ptrace]" "${run_ptrace[@]}"
fi
if want_part inject; then
	part=inject
	echo "# (a) the same without pidfd_getfd (syscall injection)"
	export SEALBOX_FEATURES=-pidfd_getfd
	suite "[ptrace,inject]" "${run_ptrace[@]}"
	unset SEALBOX_FEATURES
fi

# (b) a 3.10 kernel
legacy=()
if [ -n "$LEGACY" ]; then
	except=${LEGACY_EXCEPT:-}
	legacy=("$LEGACY" ${except:+--except "$except"} 3.10 --)
fi
if want_part legacy && [ -n "$LEGACY" ]; then
	part=legacy
	echo "# (b) legacy-kernel 3.10 -- sealbox run --emulate=auto"
	"${legacy[@]}" "$SEALBOX" probe --json >"$tmp/probe.json" 2>"$tmp/err"
	if python3 - "$tmp/probe.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
f = {x["name"]: x for x in d["features"]}
want = {"memfd_create": False, "seccomp_user_notif": False,
        "pidfd_open": False, "pidfd_getfd": False, "o_tmpfile": False,
        "ptrace_seccomp": True}
bad = [k for k, v in want.items() if f[k]["native"] is not v]
assert not bad, bad
assert d["backend"]["name"] == "ptrace", d["backend"]
assert d["backing"] in ("detached", "unlinked", "tmpfile"), d["backing"]
EOF
	then ok "[3.10] probe: no memfd, notif, pidfd, O_TMPFILE; ptrace and tmpfs chosen"
	else bad "[3.10] probe: $(head -c 300 "$tmp/probe.json")"
	fi

	SEALBOX_PTRACE_STATS=1 "${legacy[@]}" "$SEALBOX" run --emulate=auto -- \
		"$CASES" memfd >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 0 ] && grep -q "seccomp filter: Function not implemented" \
		"$tmp/err" && [ -z "$except" ]; then
		bad "[3.10] sealbox cannot install its filter without seccomp(2) (3.17): filter.c needs a prctl(PR_SET_SECCOMP) fallback; going on with --except seccomp"
		legacy=("$LEGACY" --except seccomp 3.10 --)
		SEALBOX_PTRACE_STATS=1 "${legacy[@]}" "$SEALBOX" run \
			--emulate=auto -- "$CASES" memfd >"$tmp/out" 2>"$tmp/err"
		rc=$?
	fi
	if grep -q "sealbox: ptrace: stops [0-9]* seccomp [1-9]" "$tmp/err"; then
		ok "[3.10] the ptrace transport ran the calls"
	else
		bad "[3.10] no ptrace statistics: $(head -c 300 "$tmp/err")"
	fi
	run_lg=("${legacy[@]}" "$SEALBOX" run --emulate=auto --)
	suite "[3.10]" "${run_lg[@]}"
	echo "# (c) SIGKILL of the tracer"
	kill_tracer "[legacy]" "${run_lg[@]}"
elif [ -z "$LEGACY" ] && { want_part legacy || want_part live-3.10; }; then
	skip "(b) legacy-kernel could not be built"
fi

# (d) the live conformance suite
L=$here/../live/run-live.sh
# live_run LABEL ARGS...: run-live.sh ARGS, one check
live_run() {
	local label=$1
	shift
	if "$L" --conform "$CONFORM" --emulated "$@" >"$tmp/live" 2>&1; then
		ok "$label live conformance: $(tail -2 "$tmp/live" | head -1)"
	else
		bad "$label live conformance"
		grep FAIL "$tmp/live" | sed 's/^/    /'
		tail -3 "$tmp/live" | sed 's/^/    /'
	fi
}
if [ -n "$CONFORM" ] && want_part live; then
	part=live
	echo "# (d) live conformance under the ptrace backend"
	live_run "[ptrace]" --name ptrace --wrap "${run_ptrace[*]}"
	live_run "[ptrace,enforce=auto]" --name ptrace-enforce-auto \
		--wrap "$SEALBOX run --backend=ptrace --emulate=all --"
	export SEALBOX_FEATURES=-pidfd_getfd
	live_run "[ptrace,inject]" --name ptrace-inject --wrap "${run_ptrace[*]}"
	unset SEALBOX_FEATURES
fi
if [ -n "$CONFORM" ] && want_part live-3.10 && [ ${#legacy[@]} -gt 0 ]; then
	part=live-3.10
	echo "# (d) live conformance under legacy-kernel 3.10"
	"$L" --conform "$CONFORM" --emulated --name legacy-3.10 \
		--expect "$here/../live/expected/3.10.txt" \
		--wrap "${legacy[*]} $SEALBOX run --emulate=auto --" \
		>"$tmp/live" 2>&1
	rc=$?
	# every mismatch is a known one, or a failure
	before=$failed
	while IFS= read -r line; do
		c=${line#FAIL }
		c=${c%%:*}
		bad_check live-3.10 "$c" "${line#FAIL "$c": }"
	done < <(grep '^FAIL ' "$tmp/live")
	summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$tmp/live")
	if [ -z "$summary" ] ||
		{ [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$tmp/live"; }; then
		bad "[3.10] live conformance did not run: exit $rc"
		tail -5 "$tmp/live" | sed 's/^/    /'
	elif [ "$failed" -eq "$before" ]; then
		ok "[3.10] live conformance against 3.10.txt: $summary, every failure a known one"
	fi
fi

if [ -n "$CONFORM" ] && want_part exec; then
	part=exec
	echo "# (e) exec of an emulated memfd on each tmpfs store"
	# A tmpfs file opened O_RDWR is a writer, a memfd's own fd is not:
	# exec of an emulated memfd on a tmpfs store runs on a read-only copy
	# swapped in for the call. The exec group, as on 6.18, on each store.
	grep -E '^exec\.' "$here/../live/expected/6.18.txt" >"$tmp/exec-want"
	for b in detached tmpfile unlinked; do
		"$SEALBOX" run --backend=ptrace --emulate=all --backing=$b -- \
			"$CONFORM" --group=exec >"$tmp/exec-got" 2>"$tmp/exec-err"
		if diff "$tmp/exec-want" "$tmp/exec-got" >"$tmp/exec-diff"; then
			ok "[ptrace,$b] exec group: $(wc -l <"$tmp/exec-got") cases as on 6.18"
		else
			bad "[ptrace,$b] exec group differs from 6.18"
			sed 's/^/    /' "$tmp/exec-diff" "$tmp/exec-err" | head -20
		fi
	done
fi

# a known failure that did not happen: the list must shrink
while IFS=$'\t' read -r kp kk; do
	grep -qxF "$kp	$kk" "$tmp/known-hit" && continue
	bad "XPASS $kk: listed in $(basename "$KNOWN") (part $kp) but passes now: remove it from the list"
done <"$tmp/known"

echo "test-ptrace: $passed passed, $failed failed, $known known failures"
[ "$failed" -eq 0 ]
