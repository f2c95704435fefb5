/* SPDX-License-Identifier: MIT */
/*
 * seccomp_floor PROG [ARGS]: run PROG under the smallest seccomp filter
 * (one rule: memfd_create fails with ENOSYS; nothing else is looked at).
 *
 * The floor of any seccomp-based supervisor: on a kernel with the
 * filter action cache (5.11), no filter program runs for the calls the
 * rule does not name, yet every system call of a filtered task takes the
 * slow entry path. run-bench.sh compares syscall_mix under this with the
 * same under sealbox, to tell what sealbox adds from what seccomp costs.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	scmp_filter_ctx ctx;
	int nr = seccomp_syscall_resolve_name("memfd_create");

	if (argc < 2) {
		fprintf(stderr, "usage: seccomp_floor PROG [ARGS]\n");
		return 2;
	}
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx || nr == __NR_SCMP_ERROR ||
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0) < 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    seccomp_load(ctx) < 0) {
		fprintf(stderr, "seccomp_floor: cannot install the filter\n");
		return 125;
	}
	seccomp_release(ctx);
	execv(argv[1], argv + 1);
	perror("seccomp_floor: exec");
	return 127;
}
