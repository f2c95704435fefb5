#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test-ptrace.sh SEALBOX [CONFORM]
#
# The ptrace transport, end to end:
#  (a) sealbox run --backend=ptrace --emulate=all --enforce=user -- PROG
#      (every check in sealbox, so every call goes through the transport)
#      for the programs of ptrace-cases.c: memfd and seal checks compared
#      with the native output, dup family, a threaded writer,
#      forks/SCM_RIGHTS/exec, a child that stops, a program that stops
#      itself, a signal storm during emulated calls, a program that closes
#      every inherited fd, a thread that execs, calls from a thread with
#      almost no stack left; then exit statuses, death by signal, make -j2
#      of a small C project, and terminal job control (^Z, fg) in a pty;
#      each twice: with pidfd_getfd, and without (the injection path);
#  (b) the same under `legacy-kernel 3.10 -- sealbox run --emulate=auto`:
#      sealbox must choose the ptrace backend and a tmpfs backing by itself;
#  (c) SIGKILL of the tracer kills the whole tree;
#  (d) with CONFORM (tests/live/conform), the live conformance suite under
#      the ptrace backend and under legacy-kernel 3.10 (mismatches listed).
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

SEALBOX=${1:?usage: test-ptrace.sh SEALBOX [CONFORM]}
CONFORM=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
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
run_case() {
	local label=$1 want=$2
	shift 2
	timeout 120 "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	local got=$?
	if [ "$got" -ne "$want" ]; then
		bad "$label: exit $got, wanted $want"
		grep -h FAIL "$tmp/out" | head -5 | sed 's/^/    /'
		head -c 300 "$tmp/err" | sed 's/^/    /'
		return 1
	fi
	if grep -q FAIL "$tmp/out"; then
		bad "$label"
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
		bad "$label: output differs from native"
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
def read_for(t):
    out, end = b"", time.time() + t
    while time.time() < end:
        if select.select([fd], [], [], 0.05)[0]:
            try:
                out += os.read(fd, 4096)
            except OSError:
                break
    return out.decode(errors="replace")
read_for(0.5)
os.write(fd, (cmd + " sh -c 'sleep 1; echo DONE-$((6*7))'\n").encode())
time.sleep(0.5)
os.write(fd, b"\x1a")
o1 = read_for(1.5)
os.write(fd, b"jobs\n")
o2 = read_for(0.5)
os.write(fd, b"fg\n")
o3 = read_for(3)
os.write(fd, b"exit\n")
read_for(0.3)
sys.exit(0 if ("Stopped" in o1 + o2 and "DONE-42" in o3) else 1)
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
	prog=$(pgrep -n -f "$CASES self-stop")
	[ -n "$prog" ] && [ "$prog" != "$sb" ] &&
		st=$(awk '{print $3}' "/proc/$prog/stat" 2>/dev/null)
	kill -CONT "$sb" 2>/dev/null
	wait "$sb"
	rc=$?
	kill "$watchdog" 2>/dev/null
	wait "$watchdog" 2>/dev/null
	if [ "$st" != t ] && [ "$st" != T ]; then
		bad "$p self-stop: state '$st' while stopped"
	elif [ "$rc" -ne 0 ] || grep -q FAIL "$tmp/ss"; then
		bad "$p self-stop: exit $rc: $(grep FAIL "$tmp/ss")"
	else
		ok "$p self-stop (state $st, continued by SIGCONT to sealbox)"
	fi

	# make -j2
	(cd "$tmp/proj" && rm -f ./*.o prog &&
		timeout 120 "${run[@]}" make -j2 >"$tmp/make.out" 2>&1 &&
		[ "$(./prog)" = 21 ]) && ok "$p make -j2" ||
		bad "$p make -j2: $(tail -3 "$tmp/make.out")"

	if command -v python3 >/dev/null 2>&1 && command -v bash >/dev/null; then
		if timeout 30 python3 "$tmp/jobctl.py" "${run[*]}"; then
			ok "$p job control (^Z, fg)"
		else
			bad "$p job control (^Z, fg)"
		fi
	else
		skip "$p job control: no python3"
	fi
}

# --enforce=user: every check in sealbox, so every call goes through the
# transport (with the default, a memfd backing lets the kernel hold them)
run_ptrace=("$SEALBOX" run --backend=ptrace --emulate=all --enforce=user --)

echo "# (a) --backend=ptrace --emulate=all --enforce=user"
suite "[ptrace]" "${run_ptrace[@]}"
echo "# (a) the same without pidfd_getfd (syscall injection)"
export SEALBOX_FEATURES=-pidfd_getfd
suite "[ptrace,inject]" "${run_ptrace[@]}"
unset SEALBOX_FEATURES

# (b) a 3.10 kernel
legacy=()
if [ -n "$LEGACY" ]; then
	echo "# (b) legacy-kernel 3.10 -- sealbox run --emulate=auto"
	except=${LEGACY_EXCEPT:-}
	legacy=("$LEGACY" ${except:+--except "$except"} 3.10 --)
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
assert d["backing"] in ("unlinked", "tmpfile"), d["backing"]
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
else
	skip "(b) legacy-kernel could not be built"
fi

# (c) SIGKILL of the tracer kills the tree
echo "# (c) SIGKILL of the tracer"
for mode in ptrace legacy; do
	if [ $mode = ptrace ]; then
		cmd=("${run_ptrace[@]}")
	elif [ ${#legacy[@]} -gt 0 ]; then
		cmd=("${legacy[@]}" "$SEALBOX" run --emulate=auto --)
	else
		continue
	fi
	rm -f "$tmp/p1" "$tmp/p2"
	"${cmd[@]}" sh -c 'sleep 60 & echo $! >'"$tmp/p1"'; echo $$ >'"$tmp/p2"'; wait' &
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
		ok "[$mode] tree died with the tracer"
	else
		bad "[$mode] survivors of a SIGKILLed tracer:$left"
		[ -n "$left" ] && kill -KILL $left 2>/dev/null
	fi
done

# (d) the live conformance suite
if [ -n "$CONFORM" ]; then
	echo "# (d) live conformance"
	L=$here/../live/run-live.sh
	"$L" --conform "$CONFORM" --emulated --name ptrace \
		--wrap "${run_ptrace[*]}" >"$tmp/live" 2>&1 &&
		ok "[ptrace] live conformance: $(tail -2 "$tmp/live" | head -1)" ||
		{ bad "[ptrace] live conformance"; grep FAIL "$tmp/live" | sed 's/^/    /'; }
	"$L" --conform "$CONFORM" --emulated --name ptrace-enforce-auto \
		--wrap "$SEALBOX run --backend=ptrace --emulate=all --" \
		>"$tmp/live" 2>&1 &&
		ok "[ptrace,enforce=auto] live conformance: $(tail -2 "$tmp/live" | head -1)" ||
		{ bad "[ptrace,enforce=auto] live conformance"; grep FAIL "$tmp/live" | sed 's/^/    /'; }
	SEALBOX_FEATURES=-pidfd_getfd "$L" --conform "$CONFORM" --emulated \
		--name ptrace-inject --wrap "${run_ptrace[*]}" >"$tmp/live" 2>&1 &&
		ok "[ptrace,inject] live conformance: $(tail -2 "$tmp/live" | head -1)" ||
		{ bad "[ptrace,inject] live conformance"; grep FAIL "$tmp/live" | sed 's/^/    /'; }
	if [ ${#legacy[@]} -gt 0 ]; then
		"$L" --conform "$CONFORM" --emulated --name legacy-3.10 \
			--wrap "${legacy[*]} $SEALBOX run --emulate=auto --" \
			>"$tmp/live" 2>&1 &&
			ok "[3.10] live conformance" ||
			{ bad "[3.10] live conformance: $(grep -c FAIL "$tmp/live") mismatches"
			  grep FAIL "$tmp/live" | sed 's/^/    /'; }
	fi
fi

echo "test-ptrace: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
