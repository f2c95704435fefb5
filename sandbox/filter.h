/* SPDX-License-Identifier: MIT */
/*
 * filter.h: the seccomp filters `sealbox run` installs, built with
 * libseccomp from the handler table and the plan.
 *
 * Two filters: the native one sends intercepted calls to the supervisor
 * (SECCOMP_RET_USER_NOTIF, or SECCOMP_RET_TRACE for the ptrace backend)
 * and answers hidden features with their old errno in BPF; the compat one
 * (i386 via int 0x80, x32) fails the same calls with ENOSYS, so no other
 * entry point reaches an emulated file unchecked.
 */
#ifndef SEALBOX_FILTER_H
#define SEALBOX_FILTER_H

#include <stdbool.h>

#include "emulator.h"

enum sb_filter_action {
	SB_FILTER_NOTIFY,
	SB_FILTER_TRACE,
};

/*
 * Install both filters on the calling thread (which must be about to
 * exec the program). With SB_FILTER_NOTIFY, returns the listener fd; with
 * SB_FILTER_TRACE, 0. Returns -errno on failure. *installed tells whether
 * any rule needed the supervisor at all (no: nothing to supervise).
 */
int sb_filter_install(const struct sb_emulator *e, enum sb_filter_action act,
		      bool wait_killable, bool *installed);

/*
 * The supervisor is not dumpable, so no process of the tree can read or
 * write its memory (the registry is the seals) or trace it, except one
 * with CAP_SYS_PTRACE: drop that capability from the calling process (the
 * program about to be started), bounding set included where it can.
 * 0 or -EPERM.
 */
int sb_drop_ptrace_cap(void);

#endif /* SEALBOX_FILTER_H */
