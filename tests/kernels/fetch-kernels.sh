#!/bin/bash
# SPDX-License-Identifier: MIT
#
# fetch-kernels.sh [CACHE_DIR]
#
# Puts Debian's kernel images for the real-kernel test stage into a cache:
#   CACHE/6.1/   bookworm's 6.1 (the cloud flavour when there is one)
#   CACHE/5.10/  bullseye's 5.10 (same)
# each holding vmlinuz, config (the kernel's .config, for checks) and
# package ("NAME VERSION SIZE_OF_DEB SHA256_OF_VMLINUZ"). CACHE_DIR defaults
# to $SEALBOX_KERNEL_CACHE, else /var/cache/sealbox/kernels for root and
# ~/.cache/sealbox/kernels for anyone else.
#
# When both are cached this does nothing and never touches the network.
#
# 6.1 comes from the machine's own apt configuration (apt-cache and
# apt-get download). 5.10 comes from the bullseye suite of the same Debian
# mirror the machine already uses: the mirror URI is read at run time from
# /etc/apt/sources.list and /etc/apt/sources.list.d/*.{list,sources}, and the
# suite is added through a private apt configuration (source list, lists
# directory) in a temporary directory, so the machine's apt configuration
# and package lists are left as they were. No mirror host name is written in
# this project.
#
# Exit status: 0 when both images are cached on return; 1 otherwise, with
# "sealbox: kernels: cannot download Debian's 6.1/5.10 kernel images: ..."
# on stderr. There is no silent skip.
set -euo pipefail

if [ -n "${1:-}" ]; then
	CACHE=$1
elif [ -n "${SEALBOX_KERNEL_CACHE:-}" ]; then
	CACHE=$SEALBOX_KERNEL_CACHE
elif [ "$(id -u)" = 0 ]; then
	CACHE=/var/cache/sealbox/kernels
else
	CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/sealbox/kernels
fi
KERNELS="6.1 5.10"

log() { printf 'kernels: %s\n' "$*" >&2; }
fail() {
	printf "sealbox: kernels: cannot download Debian's 6.1/5.10 kernel images: %s\n" "$*" >&2
	exit 1
}

cached() { # cached VER: the image, its config and the marker, and the image intact
	[ -s "$CACHE/$1/vmlinuz" ] && [ -s "$CACHE/$1/package" ] && [ -s "$CACHE/$1/config" ] &&
		[ "$(cut -d' ' -f4 "$CACHE/$1/package")" = "$(sha256sum <"$CACHE/$1/vmlinuz" | cut -d' ' -f1)" ]
}

all_cached() {
	missing=""
	for k in $KERNELS; do
		cached "$k" || missing="$missing $k"
	done
	if [ -z "$missing" ]; then
		for k in $KERNELS; do
			log "$k cached: $(cut -d' ' -f1,2 "$CACHE/$k/package")"
		done
		return 0
	fi
	return 1
}
all_cached && exit 0

for tool in apt-get apt-cache dpkg-deb python3 sha256sum; do
	command -v "$tool" >/dev/null 2>&1 || fail "$tool is not installed (the harness needs Debian's apt tools)"
done
mkdir -p "$CACHE" 2>/dev/null || fail "cannot create the cache directory $CACHE"
[ -w "$CACHE" ] || fail "the cache directory $CACHE is not writable (set SEALBOX_KERNEL_CACHE)"
# one download at a time per cache (two test runs may start together)
exec 9>"$CACHE/.lock"
if command -v flock >/dev/null 2>&1; then
	flock 9
	all_cached && exit 0
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sealbox-kernels.XXXXXX")
trap 'rm -rf -- "$WORK"' EXIT
# apt-get download drops to the _apt user when it can; give it a place to write
chmod 0755 "$WORK"
mkdir -p "$WORK/dl"
if id _apt >/dev/null 2>&1; then chown _apt "$WORK/dl" 2>/dev/null || true; fi

# The Debian mirror the machine uses: "URI<TAB>signed-by-or-empty" for the
# entry that carries the machine's own release (e.g. bookworm); failing that,
# the first entry whose path ends in /debian.
mirror_entry() {
	python3 - <<'PY'
import glob, os, re, sys

codename = ""
try:
    for line in open("/etc/os-release"):
        if line.startswith("VERSION_CODENAME="):
            codename = line.split("=", 1)[1].strip().strip('"')
except OSError:
    pass

entries = []  # (uri, suites, signed_by)

def one_line(path):
    for raw in open(path, errors="replace"):
        line = raw.split("#", 1)[0].strip()
        if not line.startswith("deb "):
            continue
        rest = line[4:].strip()
        opts = {}
        m = re.match(r"\[([^\]]*)\]\s*(.*)", rest)
        if m:
            for kv in m.group(1).split():
                if "=" in kv:
                    k, v = kv.split("=", 1)
                    opts[k.lower()] = v
            rest = m.group(2)
        f = rest.split()
        if len(f) >= 2:
            entries.append((f[0], [f[1]], opts.get("signed-by", "")))

def deb822(path):
    text = open(path, errors="replace").read()
    for para in re.split(r"\n\s*\n", text):
        fields, key = {}, None
        for raw in para.splitlines():
            if raw.startswith("#"):
                continue
            if raw[:1] in (" ", "\t") and key:
                fields[key] += " " + raw.strip()
                continue
            if ":" in raw:
                key, v = raw.split(":", 1)
                key = key.strip().lower()
                fields[key] = v.strip()
        if "deb" not in fields.get("types", "").split():
            continue
        if fields.get("enabled", "yes").lower() == "no":
            continue
        signed = fields.get("signed-by", "")
        if "\n" in signed or signed.startswith("-----"):
            signed = ""  # an inline key cannot go into a one-line entry
        for uri in fields.get("uris", "").split():
            entries.append((uri, fields.get("suites", "").split(), signed))

paths = ["/etc/apt/sources.list"]
paths += sorted(glob.glob("/etc/apt/sources.list.d/*.list"))
paths += sorted(glob.glob("/etc/apt/sources.list.d/*.sources"))
for p in paths:
    if not os.path.isfile(p):
        continue
    try:
        (deb822 if p.endswith(".sources") else one_line)(p)
    except OSError:
        pass

pick = None
for uri, suites, signed in entries:
    if codename and codename in suites:
        pick = (uri, signed)
        break
if pick is None:
    for uri, suites, signed in entries:
        if uri.rstrip("/").endswith("/debian"):
            pick = (uri, signed)
            break
if pick is None:
    sys.exit(1)
print(pick[0] + "\t" + pick[1])
PY
}

# install VER DEB: extract vmlinuz and config from DEB into CACHE/VER
install_deb() {
	local ver=$1 deb=$2 x="$WORK/x-$1" name version size vmlinuz config dest
	rm -rf "$x"
	dpkg-deb -x "$deb" "$x" || fail "$deb: dpkg-deb -x failed"
	vmlinuz=$(find "$x/boot" -maxdepth 1 -name 'vmlinuz-*' | head -n1)
	config=$(find "$x/boot" -maxdepth 1 -name 'config-*' | head -n1)
	[ -n "$vmlinuz" ] || fail "$deb holds no /boot/vmlinuz-*"
	[ -n "$config" ] || fail "$deb holds no /boot/config-*"
	name=$(dpkg-deb -f "$deb" Package)
	version=$(dpkg-deb -f "$deb" Version)
	size=$(stat -c %s "$deb")
	dest="$CACHE/$ver"
	rm -rf "$dest.new"
	mkdir -p "$dest.new"
	cp "$vmlinuz" "$dest.new/vmlinuz"
	cp "$config" "$dest.new/config"
	printf '%s %s %s %s\n' "$name" "$version" "$size" \
		"$(sha256sum "$dest.new/vmlinuz" | cut -d' ' -f1)" >"$dest.new/package"
	rm -rf "$dest"
	mv "$dest.new" "$dest"
	rm -rf "$x"
	log "$ver cached: $name $version (.deb $size bytes) in $dest"
}

# apt_errors < LOG: the first error lines of an apt log, on one line
apt_errors() {
	grep -E '^(E:|W:|Err:)' | head -n3 | tr '\n' ' '
}

# resolve META [APT_OPTS...]: the versioned image package behind a
# metapackage (linux-image-cloud-amd64 -> linux-image-6.1.0-NN-cloud-amd64)
resolve() {
	local meta=$1
	shift
	apt-cache "$@" depends "$meta" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1
}

# fetch VER PREFIX [APT_OPTS...]: download the current PREFIX* image (cloud
# flavour first) and install it; returns non-zero with a reason in $why
why=""
fetch() {
	local ver=$1 prefix=$2 pkg="" meta deb
	shift 2
	for meta in linux-image-cloud-amd64 linux-image-amd64; do
		pkg=$(resolve "$meta" "$@")
		case "$pkg" in "$prefix"*) break ;; *) pkg="" ;; esac
	done
	if [ -z "$pkg" ]; then
		why="apt knows no $prefix* package (linux-image-cloud-amd64 / linux-image-amd64)"
		if [ $# -gt 0 ] && [ -s "$WORK/apt-update.log" ]; then
			why="$why; apt-get update said: $(apt_errors <"$WORK/apt-update.log")"
		fi
		return 1
	fi
	log "$ver: apt-get download $pkg"
	rm -f "$WORK/dl/"*.deb
	if ! (cd "$WORK/dl" && apt-get -q "$@" download "$pkg") >"$WORK/apt-dl.log" 2>&1; then
		why="apt-get download $pkg failed: $(apt_errors < "$WORK/apt-dl.log" | head -n3 | tr '\n' ' ')"
		return 1
	fi
	deb=$(find "$WORK/dl" -maxdepth 1 -name "${pkg}_*.deb" | head -n1)
	[ -n "$deb" ] || { why="apt-get download $pkg left no .deb"; return 1; }
	install_deb "$ver" "$deb"
}

# A private apt configuration: our own source list and lists directory.
# Caches are not written (pkgcache ""), the machine's files are only read.
# private_apt NAME SOURCE_LIST SOURCE_PARTS -> prints the apt options, one a line
private_apt() {
	local d="$WORK/apt-$1"
	mkdir -p "$d/lists/partial"
	if id _apt >/dev/null 2>&1; then chown -R _apt "$d/lists/partial" 2>/dev/null || true; fi
	printf '%s\n' "-o" "Dir::Etc::SourceList=$2" \
		"-o" "Dir::Etc::SourceParts=$3" \
		"-o" "Dir::State::Lists=$d/lists" \
		"-o" "Dir::Cache::pkgcache=" "-o" "Dir::Cache::srcpkgcache=" \
		"-o" "APT::Get::List-Cleanup=0"
}

errors=""
for k in $missing; do
	case $k in
	6.1)
		# the machine's own apt, as configured
		if fetch 6.1 linux-image-6.1; then continue; fi
		log "6.1 from the machine's package lists: $why"
		# stale lists: refresh a private copy of the machine's own sources
		mapfile -t opts < <(private_apt own /etc/apt/sources.list /etc/apt/sources.list.d)
		if apt-get -q "${opts[@]}" update >"$WORK/apt-update.log" 2>&1 &&
			fetch 6.1 linux-image-6.1 "${opts[@]}"; then
			continue
		fi
		errors="$errors [6.1: ${why:-apt-get update failed: $(apt_errors < "$WORK/apt-update.log" | head -n3 | tr '\n' ' ')}]"
		;;
	5.10)
		if ! entry=$(mirror_entry); then
			errors="$errors [5.10: no Debian mirror found in /etc/apt/sources.list or /etc/apt/sources.list.d/]"
			continue
		fi
		uri=${entry%%$'\t'*}
		signed=${entry#*$'\t'}
		line="deb${signed:+ [signed-by=$signed]} $uri bullseye main"
		log "5.10: temporary source (private apt configuration): $line"
		printf '%s\n' "$line" >"$WORK/bullseye.list"
		mapfile -t opts < <(private_apt bullseye "$WORK/bullseye.list" /dev/null)
		if ! apt-get -q "${opts[@]}" update >"$WORK/apt-update.log" 2>&1; then
			errors="$errors [5.10: apt-get update of bullseye failed: $(apt_errors < "$WORK/apt-update.log" | head -n3 | tr '\n' ' ')]"
			continue
		fi
		if fetch 5.10 linux-image-5.10 "${opts[@]}"; then continue; fi
		errors="$errors [5.10: $why]"
		;;
	esac
done

still=""
for k in $KERNELS; do
	cached "$k" || still="$still $k"
done
[ -z "$still" ] || fail "missing:$still;$errors (cache: $CACHE)"
exit 0
