/* SPDX-License-Identifier: MIT */
/*
 * deny_memfd: run a program under a seccomp policy that refuses
 * memfd_create with EPERM (as some container runtimes' policies do), to
 * test that the preload shim then emulates it, in auto mode.
 *
 *   deny_memfd PROG [ARGS...]
 *
 * Only memfd_create is filtered (by number, native ABI); every other call
 * is allowed. Exit status: PROG's, or 125 when the filter cannot be set.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_memfd_create, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(insns) / sizeof(insns[0]), insns };

	if (argc < 2) {
		fprintf(stderr, "usage: deny_memfd PROG [ARGS...]\n");
		return 125;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0) {
		fprintf(stderr, "deny_memfd: seccomp: %s\n", strerror(errno));
		return 125;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "deny_memfd: %s: %s\n", argv[1], strerror(errno));
	return 127;
}
