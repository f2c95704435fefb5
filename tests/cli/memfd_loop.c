/* SPDX-License-Identifier: MIT */
/*
 * memfd_loop N: N times, memfd_create, write, F_SEAL_SHRINK|F_SEAL_GROW,
 * F_GET_SEALS, a refused ftruncate and close, each result checked (seals
 * that need no look at mappings: quick on every store). Exit 0, or 1 with
 * what went wrong. tests/cli/test-cli.sh runs it under sealbox while signals
 * rain on the supervisor: every call must still get its own answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SEALS (F_SEAL_SHRINK | F_SEAL_GROW)

static int fail(long i, const char *what)
{
	fprintf(stderr, "memfd_loop: call %ld: %s (%s)\n", i, what,
		strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000;

	for (long i = 0; i < n; i++) {
		int fd = (int)syscall(SYS_memfd_create, "loop",
				      MFD_CLOEXEC | MFD_ALLOW_SEALING);

		/* 0, 1 and 2 are open: a new fd is above them */
		if (fd < 3)
			return fail(i, fd < 0 ? "memfd_create failed" :
				       "memfd_create gave an fd already open");
		if (write(fd, "abc", 3) != 3)
			return fail(i, "write");
		if (fcntl(fd, F_ADD_SEALS, SEALS) != 0)
			return fail(i, "F_ADD_SEALS");
		if (fcntl(fd, F_GET_SEALS) != SEALS)
			return fail(i, "F_GET_SEALS");
		errno = 0;
		if (ftruncate(fd, 0) != -1 || errno != EPERM)
			return fail(i, "a sealed ftruncate was not EPERM");
		if (close(fd) != 0)
			return fail(i, "close");
	}
	return 0;
}
