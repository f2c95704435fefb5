#!/bin/sh
# SPDX-License-Identifier: MIT
#
# /init of the test guest (busybox sh, PID 1, in the initramfs; no disk, no
# modules). Sets up the few file systems the tests need, runs the steps with
# guest-steps.sh, prints the results on the serial console and powers off.
# The kernel being tested is named on the command line: sealbox.kernel=K.
export PATH=/sb/bin:/bin:/sbin
export HOME=/root TMPDIR=/tmp

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/shm /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp
ln -sfn /proc/self/fd /dev/fd
ln -sfn /proc/self/fd/0 /dev/stdin
ln -sfn /proc/self/fd/1 /dev/stdout
ln -sfn /proc/self/fd/2 /dev/stderr
# keep kernel messages off the console the results travel on
dmesg -n 1 2>/dev/null

kernel=unknown
# shellcheck disable=SC2013 # the command line is words
for arg in $(cat /proc/cmdline); do
	case $arg in
	sealbox.kernel=*) kernel=${arg#sealbox.kernel=} ;;
	sealbox.step_timeout=*) export STEP_TIMEOUT="${arg#sealbox.step_timeout=}" ;;
	esac
done

read -r up _ </proc/uptime
echo "SEALBOX-BOOTED kernel=$kernel release=$(uname -r) uptime=$up"
sh /sb/guest-steps.sh "$kernel" /sb/steps.conf
read -r up _ </proc/uptime
echo "SEALBOX-DONE kernel=$kernel uptime=$up"

sync
poweroff -f
# poweroff should not return; if it does, ask the kernel directly
echo 1 >/proc/sys/kernel/sysrq 2>/dev/null
echo o >/proc/sysrq-trigger
sleep 5
# init exiting panics the kernel; panic=-1 and qemu -no-reboot end the run
exit 1
