/* SPDX-License-Identifier: MIT */
/*
 * write_bench: the price of the preload shim for writes that are not to an
 * emulated memfd (the "writes to unsealed files").
 *
 *   write_bench MODE [-n N]
 *
 *   file           pwrite 64 B at offset 0 of a file in /tmp, in a process
 *                  that never made a memfd (the shim is INACTIVE: one
 *                  branch, then libc)
 *   file-active    the same after making (and keeping) one memfd, so the
 *                  shim is ACTIVE and looks at the fd's mark first
 *   memfd          pwrite 64 B to an unsealed memfd (its mark says
 *                  emulated; the seals let the write through)
 *
 * Prints "PER_OP_NS ns/op N ops", like bench/memfd_ops.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "file";
	long n = argc > 3 && strcmp(argv[2], "-n") == 0 ? atol(argv[3]) : 200000;
	char path[] = "/tmp/write_bench.XXXXXX";
	char buf[64];
	int fd, keep = -1;
	double t0;

	memset(buf, 'w', sizeof(buf));
	if (strcmp(mode, "memfd") == 0) {
		fd = memfd_create("bench", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	} else {
		if (strcmp(mode, "file-active") == 0)
			keep = memfd_create("keep", MFD_CLOEXEC);
		fd = mkstemp(path);
		if (fd >= 0)
			unlink(path);
	}
	if (fd < 0 || (strcmp(mode, "file-active") == 0 && keep < 0)) {
		perror("write_bench: setup");
		return 1;
	}
	for (long i = 0; i < n / 10; i++) /* warm up */
		if (pwrite(fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf))
			return 1;
	t0 = now_ns();
	for (long i = 0; i < n; i++)
		if (pwrite(fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf)) {
			perror("write_bench: pwrite");
			return 1;
		}
	printf("%.1f ns/op %ld ops\n", (now_ns() - t0) / (double)n, n);
	return 0;
}
