#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# deps.sh: make sure what sealbox needs to build and test is installed.
#
# Each Debian package is checked twice: dpkg must call it installed, and the
# thing it provides (a command, a pkg-config module) must be there. When
# something is missing and we are root on a system with apt-get, exactly the
# missing packages are installed; otherwise the missing packages are named and
# the script fails. With everything present it runs no package tool but
# dpkg-query, so it is quick enough to run before every build.
#
# SEALBOX_NO_DEPS=1 skips the whole check (for a system where the
# dependencies came from somewhere other than Debian packages).
set -euo pipefail

if [[ "${SEALBOX_NO_DEPS:-}" == 1 ]]; then
	exit 0
fi

# package  how to tell it works ("cmd:NAME" or "pc:MODULE", comma-separated)
REQUIRED=(
	"build-essential  cmd:cc,cmd:make"
	"cmake            cmd:cmake,cmd:ctest"
	"pkg-config       cmd:pkg-config"
	"libseccomp-dev   pc:libseccomp"
	"libcap-ng-dev    pc:libcap-ng"
	"libcriterion-dev pc:criterion"
	"mandoc           cmd:mandoc"
	"strace           cmd:strace"
	"python3          cmd:python3"    # tests/cli checks the probe JSON with it
	"qemu-system-x86  cmd:qemu-system-x86_64"  # tests/kernels boots old kernels
	"busybox-static   cmd:busybox"             # ... with a busybox initramfs
)

# `deps.sh bench`: also what make bench compares sealbox with
REQUIRED_BENCH=(
	"proot            cmd:proot"  # issue 4's ptrace comparison
)
if [[ "${1:-}" == bench ]]; then
	REQUIRED+=("${REQUIRED_BENCH[@]}")
fi

die() {
	echo "sealbox: deps: $*" >&2
	exit 1
}

# Packages dpkg reports as fully installed, one per line.
installed_packages() {
	command -v dpkg-query >/dev/null 2>&1 || return 0
	dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "$@" 2>/dev/null |
		awk '$2 == "ii" { print $1 }' || true
}

probe_ok() {
	local probe kind what
	local -a probes
	IFS=, read -r -a probes <<<"$1"
	for probe in "${probes[@]}"; do
		kind=${probe%%:*}
		what=${probe#*:}
		case $kind in
		cmd)
			command -v "$what" >/dev/null 2>&1 || return 1
			;;
		pc)
			command -v pkg-config >/dev/null 2>&1 || return 1
			pkg-config --exists "$what" 2>/dev/null || return 1
			;;
		*)
			die "bad probe '$probe'"
			;;
		esac
	done
}

missing_packages() {
	local line pkg probes
	local -a names=()
	local -A have=()
	local have_dpkg=0

	for line in "${REQUIRED[@]}"; do
		read -r pkg probes <<<"$line"
		names+=("$pkg")
	done
	if command -v dpkg-query >/dev/null 2>&1; then
		have_dpkg=1
		while read -r pkg; do
			[[ -n $pkg ]] && have[$pkg]=1
		done < <(installed_packages "${names[@]}")
	fi
	for line in "${REQUIRED[@]}"; do
		read -r pkg probes <<<"$line"
		if ((have_dpkg)) && [[ -z ${have[$pkg]:-} ]]; then
			echo "$pkg"
		elif ! probe_ok "$probes"; then
			echo "$pkg"
		fi
	done
}

mapfile -t missing < <(missing_packages)
if ((${#missing[@]} == 0)); then
	exit 0
fi

list="${missing[*]}"
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
	echo "sealbox: missing packages: $list; run: sudo apt-get install $list" >&2
	exit 1
fi

echo "sealbox: installing missing packages: $list" >&2
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-q -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=300)
apt-get "${apt_opts[@]}" update ||
	echo "sealbox: deps: apt-get update failed; trying the install anyway" >&2
apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}" ||
	die "apt-get install $list failed"

mapfile -t still < <(missing_packages)
if ((${#still[@]} != 0)); then
	die "still missing after apt-get install: ${still[*]}"
fi
echo "sealbox: installed: $list" >&2
