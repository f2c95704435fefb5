#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""check.py OUT_DIR SRC_DIR KERNEL...

Judges the runs of run-kernels.sh and prints the results table.

OUT_DIR/<kernel>/ holds, per kernel (the host row is "host"):
  log        the serial log (or, for the host, guest-steps.sh's output)
  meta       key=value lines written by run-kernels.sh: version (X.Y, whose
             expectations apply), release, wall_ms, rc, timeout (1 when the
             hard timeout killed qemu), boot_ms (uptime when /init began)
For each step this writes OUT_DIR/<kernel>/<step>.out, .err and, when it
failed, .diff (or .why), then the table to OUT_DIR/../kernels-results.txt
(path given by --results) and stdout.

Cell values: pass, FAIL, skip, n/a (a step for booted kernels only, on the
host row), TIMEOUT (the step or the whole guest ran out of time), NORUN (the
guest stopped before the step: crash, panic). Exit
status 1 when a cell is FAIL, TIMEOUT or NORUN (or skip, with --strict).
"""
import argparse
import difflib
import json
import os
import re
import sys

BAD = ("FAIL", "TIMEOUT", "NORUN")


def read_steps(path):
    steps = []
    for raw in open(path):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        f = line.split(None, 3)
        if len(f) < 4:
            sys.exit("check.py: %s: bad step line %r" % (path, raw))
        steps.append({"name": f[0], "needs": f[1], "check": f[2], "cmd": f[3]})
    return steps


def read_features(path):
    """{column: {feature: value}} from kernel-features.conf."""
    cols, table = None, {}
    for raw in open(path):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            words = line[1:].split()
            if words and words[0] in ("feature", "top-level") and cols is None:
                cols = [w for w in words if re.match(r"^\d+\.\d+$", w)]
            continue
        f = line.split()
        if cols is None or len(f) != len(cols) + 1:
            sys.exit("check.py: %s: bad line %r" % (path, raw))
        for col, val in zip(cols, f[1:]):
            table.setdefault(col, {})[f[0]] = val
    return table


def kv_version(s):
    m = re.match(r"^(\d+)\.(\d+)", s or "")
    return (int(m.group(1)), int(m.group(2))) if m else None


def parse_log(path):
    """-> (booted line fields or None, {step: {"out": [...], "err": [...],
    "result": {...} or None}}, done)"""
    steps, booted, done = {}, None, False
    cur = None
    try:
        data = open(path, "rb").read().decode("utf-8", "replace")
    except OSError:
        return None, {}, False
    for raw in data.split("\n"):
        line = raw.rstrip("\r")
        # the console may glue an escape sequence before our first line
        m = re.search(r"(SEALBOX-[A-Z]+) (.*)$", line)
        if m and not line.startswith("@"):
            tag = m.group(1)
            fields = dict(re.findall(r"(\w+)=(\S+)", m.group(2).split(" why=")[0]))
            if " why=" in m.group(2):
                fields["why"] = m.group(2).split(" why=", 1)[1]
            if tag == "SEALBOX-BOOTED":
                booted = fields
            elif tag == "SEALBOX-STEP":
                cur = fields.get("step")
                steps[cur] = {"out": [], "err": [], "result": None}
            elif tag == "SEALBOX-RESULT":
                s = steps.setdefault(fields.get("step"), {"out": [], "err": [], "result": None})
                s["result"] = fields
            elif tag == "SEALBOX-DONE":
                done = True
            continue
        m = re.match(r"^@([OE]) ([a-z0-9-]+)\| ?(.*)$", line)
        if m and m.group(2) in steps:
            steps[m.group(2)]["out" if m.group(1) == "O" else "err"].append(m.group(3))
    return booted, steps, done


def check_probe(lines, version, features):
    """-> list of problems (empty: pass)"""
    text = "\n".join(lines)
    try:
        d = json.loads(text)
    except ValueError as e:
        return ["stdout is not one JSON object: %s" % e]
    probs = []
    if d.get("schema") != "sealbox-probe/1":
        probs.append("schema %r, expected 'sealbox-probe/1'" % d.get("schema"))
    col = features.get(version)
    kv = kv_version(version)
    seen = set()
    for f in d.get("features", []):
        name = f.get("name")
        seen.add(name)
        native = f.get("native")
        if col is not None and name in col:
            want = col[name] == "yes"
        elif col is not None:
            probs.append("%s: not in kernel-features.conf" % name)
            continue
        else:  # unknown kernel: mainline "since" versions
            want = kv is not None and kv >= kv_version(f.get("since"))
        if native is not want:
            probs.append("%s: native=%s, this kernel %s it" % (
                name, json.dumps(native), "has" if want else "lacks"))
        if name == "memfd_noexec_sysctl" and native is not None:
            # sealbox applies the host's policy; it does not make up the file
            want_action = "native" if native else "absent"
            for mode in ("auto", "all"):
                if f.get(mode) != want_action:
                    probs.append("%s: %s=%r with native=%s" % (name, mode, f.get(mode), json.dumps(native)))
        elif f.get("kind") in ("provided", "behaviour") and native is not None:
            # auto leaves the kernel's own rules for the seals it has
            missing = "emulated" if f.get("kind") == "provided" else "absent"
            if f.get("auto") != ("native" if native else missing):
                probs.append("%s: auto=%r with native=%s" % (name, f.get("auto"), json.dumps(native)))
            if f.get("all") != "emulated":
                probs.append("%s: all=%r, expected 'emulated'" % (name, f.get("all")))
    if col is not None:
        for name in col:
            if not name.startswith("top:") and name not in seen:
                probs.append("%s: missing from the probe" % name)
        for name, want in col.items():
            if not name.startswith("top:"):
                continue
            v = d
            for k in name[4:].split("."):
                v = v.get(k) if isinstance(v, dict) else None
            if want == "null":
                ok = v is None
            elif want == "int":
                ok = isinstance(v, int) and not isinstance(v, bool)
            else:
                ok = v == want
            if not ok:
                probs.append("%s = %s, expected %s" % (name[4:], json.dumps(v), want))
    return probs


def norm(lines):
    return [l.rstrip() for l in lines if l.strip() and not l.startswith("#")]


def check_expected(lines, exp_path, regex, src, emulated=False):
    """-> (status, why, diff lines)"""
    if not os.path.isfile(exp_path):
        shown = os.path.relpath(exp_path, src)
        if shown.startswith(".."):
            shown = exp_path
        return "skip", "no expected file %s (output kept)" % shown, []
    text = open(exp_path, errors="replace").read().split("\n")
    want = norm(text)
    got = norm(lines)
    if emulated:
        # `# native-only: CASE` cases are about the kernel itself (a /proc
        # file, a syscall of its own): sealbox does not make them up
        skip = {l.split(":", 1)[1].split()[0] for l in text
                if re.match(r"#\s*native-only:", l)}
        want = [l for l in want if l.split()[0] not in skip]
        got = [l for l in got if l.split()[0] not in skip]
    if regex:
        r = re.compile(regex)
        # on the case name: the first word of a line
        want = [l for l in want if r.search(l.split()[0])]
        got = [l for l in got if r.search(l.split()[0])]
        if not want:
            return "FAIL", "regex %r selects no line of %s" % (regex, os.path.basename(exp_path)), []
    if want == got:
        return "pass", "%d lines match %s" % (len(want), os.path.basename(exp_path)), []
    diff = list(difflib.unified_diff(want, got, os.path.basename(exp_path), "output", lineterm="", n=1))
    nchg = sum(1 for l in diff if l[:1] in "+-" and l[:3] not in ("+++", "---"))
    return "FAIL", "%d lines differ from %s" % (nchg, os.path.basename(exp_path)), diff


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("src")
    ap.add_argument("kernels", nargs="+")
    ap.add_argument("--results", required=True)
    ap.add_argument("--steps", help="steps file (default: tests/kernels/steps.conf)")
    ap.add_argument("--expected", help="expected outputs (default: tests/live/expected)")
    ap.add_argument("--strict", action="store_true", help="a skip fails too")
    a = ap.parse_args()

    kdir = os.path.join(a.src, "tests", "kernels")
    expdir = a.expected or os.path.join(a.src, "tests", "live", "expected")
    steps = read_steps(a.steps or os.path.join(kdir, "steps.conf"))
    features = read_features(os.path.join(kdir, "kernel-features.conf"))

    rows, notes, bad, nskip = [], [], 0, 0
    for k in a.kernels:
        d = os.path.join(a.out, k)
        meta = {}
        try:
            for l in open(os.path.join(d, "meta")):
                if "=" in l:
                    key, v = l.rstrip("\n").split("=", 1)
                    meta[key] = v
        except OSError:
            pass
        version = meta.get("version", k)
        booted, got, done = parse_log(os.path.join(d, "log"))
        label = k if k != "host" else "host (%s)" % version
        row = {"kernel": label, "cells": {}}
        wall = int(meta.get("wall_ms", "0") or 0)
        if k == "host":
            row["boot"] = "-"
        elif booted:
            row["boot"] = "%.1fs" % float(booted.get("uptime", "0"))
        else:
            row["boot"] = "TIMEOUT" if meta.get("timeout") == "1" else "NOBOOT"
        row["wall"] = "%.1fs" % (wall / 1000.0)
        if k != "host" and not booted:
            bad += 1
            qerr = ""
            try:
                qerr = open(os.path.join(d, "qemu.err"), errors="replace").read().strip().split("\n")[0]
            except OSError:
                pass
            notes.append("%s: the guest never reached /init (qemu rc=%s%s%s); see %s" % (
                k, meta.get("rc"), ", killed by the hard timeout" if meta.get("timeout") == "1" else "",
                ", qemu said: " + qerr if qerr else "", os.path.join(d, "log")))
        for st in steps:
            name = st["name"]
            s = got.get(name)
            r = s and s["result"]
            base = os.path.join(d, name)
            if s:
                open(base + ".out", "w").write("\n".join(s["out"]) + ("\n" if s["out"] else ""))
                open(base + ".err", "w").write("\n".join(s["err"]) + ("\n" if s["err"] else ""))
            secs = ""
            if not r:
                status = "TIMEOUT" if meta.get("timeout") == "1" else "NORUN"
                why = ("the hard timeout killed the guest" if status == "TIMEOUT"
                       else "the guest stopped before this step finished")
            elif r.get("status") == "skip":
                status, why = "skip", r.get("why", "")
            elif r.get("status") == "n/a":
                # a `guest` step on the host row: not a skip, nothing missing
                status, why = "n/a", r.get("why", "")
            else:
                secs = "%.1fs" % (int(r.get("ms", "0")) / 1000.0)
                rc = r.get("rc")
                status, why, diff = "pass", "", []
                if r.get("why", "").startswith("step timeout"):
                    status, why = "TIMEOUT", r["why"]
                elif st["check"] == "probe":
                    probs = check_probe(s["out"], version, features)
                    if rc != "0":
                        probs.insert(0, "exit status %s" % rc)
                    if probs:
                        status, why, diff = "FAIL", "; ".join(probs[:4]) + (
                            " (+%d more)" % (len(probs) - 4) if len(probs) > 4 else ""), probs
                    else:
                        why = "matches kernel-features.conf[%s]" % (
                            version if version in features else "since")
                elif st["check"] == "status":
                    if rc != "0":
                        status, why = "FAIL", "exit status %s" % rc
                elif st["check"].startswith("expected:"):
                    _, kname, *rest = st["check"].split(":", 2)
                    emulated = kname != "KERNEL"
                    if kname == "KERNEL":
                        kname = version
                    status, why, diff = check_expected(
                        s["out"], os.path.join(expdir, kname + ".txt"), rest[0] if rest else None, a.src,
                        emulated=emulated)
                    if rc != "0":
                        why += "; exit status %s" % rc
                else:
                    status, why = "FAIL", "unknown check %r in steps.conf" % st["check"]
                if diff:
                    open(base + ".diff", "w").write("\n".join(diff) + "\n")
            row["cells"][name] = (status, secs)
            if status in BAD or (a.strict and status == "skip"):
                bad += 1
            if status == "skip":
                nskip += 1
            if status != "pass":
                where = ""
                if status == "FAIL" and os.path.exists(base + ".diff"):
                    where = "  [%s.diff]" % base
                elif s and status in ("skip", "TIMEOUT") and r and r.get("status") == "ran":
                    where = "  [%s.out]" % base
                notes.append("%s %s: %s: %s%s" % (label, name, status, why, where))
            elif why:
                notes.append("%s %s: pass: %s" % (label, name, why))
        rows.append(row)

    cols = ["kernel", "boot"] + [s["name"] for s in steps] + ["wall"]
    table = []
    for row in rows:
        line = [row["kernel"], row["boot"]]
        for s in steps:
            st, secs = row["cells"][s["name"]]
            line.append(st + (" " + secs if secs else ""))
        line.append(row["wall"])
        table.append(line)
    widths = [max(len(c), *(len(l[i]) for l in table)) for i, c in enumerate(cols)]
    fmt = "  ".join("%%-%ds" % w for w in widths)
    out = ["sealbox real-kernel results (tests/kernels; boot = guest uptime when /init "
           "started, wall = whole run incl. qemu)", "",
           fmt % tuple(cols), fmt % tuple("-" * w for w in widths)]
    out += [fmt % tuple(l) for l in table]
    out += ["", "details:"] + ["  " + n for n in notes]
    verdict = "kernels: %s (%d bad cell%s, %d skipped%s)" % (
        "FAILED" if bad else "passed", bad, "" if bad == 1 else "s", nskip,
        ", skips fail (--strict)" if a.strict else "")
    out += ["", verdict]
    text = "\n".join(out) + "\n"
    with open(a.results, "w") as f:
        f.write(text)
    sys.stdout.write(text)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
