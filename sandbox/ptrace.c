/* SPDX-License-Identifier: MIT */
#include "ptrace.h"

#include <errno.h>

int sb_ptrace_run(struct sb_emulator *e, const struct sb_features *fs,
		  char **argv)
{
	(void)e;
	(void)fs;
	(void)argv;
	return -ENOSYS; /* the transport is being written */
}
