#!/usr/bin/env bash
# The sealbox command line as people and scripts use it: exit statuses,
# signals, stdin/stdout pass-through, error messages, the tree dying with
# the supervisor, signals raining on the supervisor, and probe's JSON. Run
# as: test-cli.sh SEALBOX [--memfd-loop PROGRAM] [MODE...] where each MODE
# is a set of run options (default: native and all).
set -u

SEALBOX=${1:?usage: test-cli.sh SEALBOX}
shift
MEMFD_LOOP=
if [ "${1:-}" = --memfd-loop ]; then
	MEMFD_LOOP=${2:?usage: --memfd-loop PROGRAM}
	shift 2
fi
if [ $# -eq 0 ]; then
	set -- "--emulate=auto" "--emulate=all"
fi

passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { passed=$((passed + 1)); }
# a zombie waiting for a busy init to reap it is dead for our purposes
alive() {
	local st
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ]
}
printf 'plain text\n' >"$tmp/not-executable"
chmod 0644 "$tmp/not-executable"
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }

# expect_status WANT DESCRIPTION -- COMMAND...
expect_status() {
	local want=$1 what=$2
	shift 3
	"$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	local got=$?
	if [ "$got" -eq "$want" ]; then ok; else
		bad "$what: exit $got, wanted $want ($(head -c 200 "$tmp/err"))"
	fi
}

expect_stderr() {
	local pattern=$1 what=$2
	if grep -q -- "$pattern" "$tmp/err"; then ok; else
		bad "$what: stderr lacks '$pattern': $(head -c 200 "$tmp/err")"
	fi
}

for mode in "$@"; do
	read -r -a opts <<<"$mode"
	run=("$SEALBOX" run "${opts[@]}" --)

	expect_status 0 "[$mode] true" -- "${run[@]}" true
	expect_status 1 "[$mode] false" -- "${run[@]}" false
	expect_status 42 "[$mode] exit 42" -- "${run[@]}" sh -c 'exit 42'
	expect_status 143 "[$mode] killed by SIGTERM" -- \
		"${run[@]}" sh -c 'kill -TERM $$'
	expect_status 137 "[$mode] killed by SIGKILL" -- \
		"${run[@]}" sh -c 'kill -KILL $$'
	expect_status 127 "[$mode] not found" -- "${run[@]}" /nonexistent/prog
	expect_stderr "sealbox: /nonexistent/prog: No such file or directory" \
		"[$mode] not found message"
	expect_status 126 "[$mode] not executable" -- "${run[@]}" "$tmp/not-executable"
	expect_stderr "Permission denied" "[$mode] not executable message"

	# stdin and stdout are PROG's own
	got=$(printf 'through\n' | "${run[@]}" cat)
	[ "$got" = "through" ] && ok || bad "[$mode] stdin/stdout: '$got'"

	# a signal sent to sealbox reaches PROG; sealbox reports it
	"${run[@]}" sleep 30 &
	sb=$!
	sleep 0.3
	kill -TERM "$sb"
	wait "$sb"
	got=$?
	[ "$got" -eq 143 ] && ok || bad "[$mode] forwarded SIGTERM: exit $got"

	# when nothing needs supervising sealbox execs PROG (like env(1));
	# the tree tests are for supervised runs
	case "$mode" in *--emulate=all*|*--pretend-kernel*|*--without*) ;; *) continue ;; esac

	# signals at the supervisor while PROG creates and seals memfds: each
	# call still gets its own answer (an ADDFD|SEND that a signal cuts
	# short leaves the call answered 0, up to 6.18 at least)
	if [ -n "$MEMFD_LOOP" ]; then
		"${run[@]}" "$MEMFD_LOOP" 2000 >"$tmp/out" 2>"$tmp/err" </dev/null &
		sb=$!
		storm=0
		while kill -WINCH "$sb" 2>/dev/null; do storm=$((storm + 1)); done
		wait "$sb"
		got=$?
		if [ "$got" -eq 0 ] && ! grep -q . "$tmp/err"; then ok; else
			bad "[$mode] memfd_loop under $storm signals: exit $got ($(head -c 200 "$tmp/err"))"
		fi
	fi

	# nothing of the tree outlives the run
	"${run[@]}" sh -c 'sleep 60 & echo $! > '"$tmp/orphan"'; exit 0' \
		>/dev/null 2>&1
	sleep 0.2
	if [ -s "$tmp/orphan" ] && alive "$(cat "$tmp/orphan")"; then
		bad "[$mode] background child outlived sealbox"
		kill "$(cat "$tmp/orphan")" 2>/dev/null
	else ok; fi
	rm -f "$tmp/orphan"

	# if the supervisor dies, the whole tree dies: PROG, a grandchild,
	# and an orphan whose parent already exited
	"${run[@]}" sh -c '(sleep 61 & echo $! > '"$tmp/orphan"') &
		sh -c "sleep 62 & echo \$! > '"$tmp/grandchild"'; wait" &
		echo $$ > '"$tmp/prog"'; exec sleep 60' &
	sb=$!
	for _ in $(seq 100); do
		[ -s "$tmp/prog" ] && [ -s "$tmp/orphan" ] &&
			[ -s "$tmp/grandchild" ] && break
		sleep 0.05
	done
	kill -KILL "$sb"
	wait "$sb" 2>/dev/null
	for what in prog orphan grandchild; do
		gone=0
		for _ in $(seq 40); do
			if [ -s "$tmp/$what" ] && alive "$(cat "$tmp/$what")"; then
				sleep 0.05
			else
				gone=1
				break
			fi
		done
		if [ "$gone" = 1 ]; then ok; else
			bad "[$mode] $what outlived a SIGKILLed sealbox"
			kill -KILL "$(cat "$tmp/$what")" 2>/dev/null
		fi
		rm -f "$tmp/$what"
	done
done

# no_new_privs only where it is needed: root (CAP_SYS_ADMIN) keeps
# set-user-ID programs working; anyone else gets the flag
nnp=$("$SEALBOX" run --emulate=all -- sh -c 'grep NoNewPrivs /proc/self/status')
if [ "$(id -u)" -eq 0 ]; then want=0; else want=1; fi
case "$nnp" in *"$want") ok ;; *) bad "NoNewPrivs: '$nnp', wanted $want" ;; esac
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	nnp=$(setpriv --inh-caps=-all --bounding-set=-all \
		"$SEALBOX" run --emulate=all -- sh -c 'grep NoNewPrivs /proc/self/status')
	case "$nnp" in *1) ok ;; *) bad "NoNewPrivs without CAP_SYS_ADMIN: '$nnp'" ;; esac
fi

# help: exit 0, on stdout, also after a command; PROG's own --help is PROG's
for h in "--help" "run --help" "run --emulate=all -h" "probe --help"; do
	# shellcheck disable=SC2086 # h is a word list on purpose
	out=$("$SEALBOX" $h 2>/dev/null)
	st=$?
	case "$st:$out" in 0:Usage:*) ok ;; *) bad "sealbox $h: exit $st, '$(printf '%s' "$out" | head -n 1)'" ;; esac
done
got=$("$SEALBOX" run --emulate=all -- printf '%s' --help)
[ "$got" = "--help" ] && ok || bad "PROG's --help: '$got'"

# the tree runs without CAP_SYS_PTRACE (bit 19), so not even root can
# read or write the supervisor's memory; under either backend
for b in notify ptrace; do
	eff=$("$SEALBOX" run --emulate=all --backend=$b -- \
		sh -c 'sed -n "s/^CapEff:[[:space:]]*//p" /proc/self/status')
	if [ -n "$eff" ] && [ $(( 0x$eff & (1 << 19) )) -eq 0 ]; then ok; else
		bad "[$b] CAP_SYS_PTRACE kept: CapEff $eff"
	fi
done

# sealbox's own errors: 125 and "sealbox: WHAT: WHY"
expect_status 125 "unknown option" -- "$SEALBOX" run --bogus -- true
expect_stderr "^sealbox: run: --bogus: unknown option" "unknown option message"
expect_status 125 "no program" -- "$SEALBOX" run --emulate=all
expect_status 125 "bad --emulate" -- "$SEALBOX" run --emulate=some -- true
expect_status 125 "bad --pretend-kernel" -- "$SEALBOX" run --pretend-kernel=x -- true
expect_status 125 "old --pretend-kernel" -- "$SEALBOX" run --pretend-kernel=2.6 -- true
expect_status 125 "unknown feature" -- "$SEALBOX" probe --without=nonsense
expect_stderr "unknown feature 'nonsense'" "unknown feature message"
expect_status 125 "unknown command" -- "$SEALBOX" frobnicate
expect_status 0 "--help" -- "$SEALBOX" --help
expect_status 0 "--version" -- "$SEALBOX" --version

# probe --json is valid JSON with the documented keys
if "$SEALBOX" probe --json >"$tmp/probe.json" &&
	python3 - "$tmp/probe.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "sealbox-probe/1"
for k in ("version", "kernel", "options", "features", "memfd_noexec",
          "backend", "backing", "reference"):
    assert k in d, k
names = {f["name"] for f in d["features"]}
assert "memfd_create" in names and "addfd_send" in names
for f in d["features"]:
    assert f["kind"] in ("provided", "behaviour", "support")
    if f["kind"] == "support":
        assert f["auto"] is None and f["all"] is None
    else:
        assert f["auto"] in ("native", "emulated", "hidden", "absent")
        assert f["all"] in ("native", "emulated", "hidden", "absent")
EOF
then ok; else bad "probe --json schema"; fi

# overrides show up in probe and change the plan
"$SEALBOX" probe --json --without=memfd_create,seal_exec >"$tmp/p2.json"
if python3 - "$tmp/p2.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
f = {x["name"]: x for x in d["features"]}
assert f["memfd_create"]["native"] is False and f["memfd_create"]["forced"]
assert f["memfd_create"]["auto"] == "emulated"
assert f["seal_exec"]["auto"] == "emulated"
EOF
then ok; else bad "probe --without"; fi
"$SEALBOX" probe --json --pretend-kernel=3.16 >"$tmp/p3.json"
if python3 - "$tmp/p3.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
f = {x["name"]: x for x in d["features"]}
assert d["options"]["pretend"] == "3.16" and d["reference"] == "3.16"
assert f["memfd_create"]["auto"] == "hidden" and f["seal_write"]["all"] == "hidden"
EOF
then ok; else bad "probe --pretend-kernel"; fi

# where sealbox alone holds the seals (a tmpfs store), auto takes ptrace:
# only it runs a checked call on the file it checked (sealbox.1, --backend)
backend_of() { # PROBE-ARGS... -> the backend probe --json names
	"$SEALBOX" probe --json "$@" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["backend"]["name"])'
}
if "$SEALBOX" probe --backend=ptrace >/dev/null 2>&1 &&
   "$SEALBOX" probe --backend=notify >/dev/null 2>&1; then
	if [ "$(backend_of --emulate=all --backing=tmpfile)" = ptrace ] &&
	   [ "$(backend_of --emulate=all --backing=tmpfile --backend=notify)" = notify ] &&
	   [ "$(backend_of --emulate=all --backing=memfd)" = notify ]; then
		ok
	else
		bad "probe: auto backend for a tmpfs store"
	fi
	if SEALBOX_PTRACE_STATS=1 "$SEALBOX" run --emulate=all --backing=tmpfile \
		-- true 2>&1 | grep -q '^sealbox: ptrace: stops'; then
		ok
	else
		bad "run: auto backend for a tmpfs store is ptrace"
	fi
else
	echo "SKIP auto backend for a tmpfs store: notify or ptrace unavailable"
fi

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
