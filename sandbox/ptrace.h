/* SPDX-License-Identifier: MIT */
/*
 * ptrace.h: the ptrace + SECCOMP_RET_TRACE transport, for kernels without
 * seccomp user notification or fd injection (3.5 to 5.8). Same handlers,
 * same filter table as the notification transport.
 */
#ifndef SEALBOX_PTRACE_H
#define SEALBOX_PTRACE_H

#include "emulator.h"
#include "kfeatures.h"

/*
 * Run argv[0] (PATH search) under the ptrace transport and supervise the
 * whole tree until it exits. Returns PROG's exit status the way
 * `sealbox run` reports it (status, 128+N for signal N, 126/127 when it
 * cannot be executed / is not found), or -errno when the transport itself
 * could not start (the caller then says why and exits 125).
 */
int sb_ptrace_run(struct sb_emulator *e, const struct sb_features *fs,
		  char **argv);

#endif /* SEALBOX_PTRACE_H */
