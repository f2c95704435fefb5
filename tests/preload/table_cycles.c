/* SPDX-License-Identifier: MIT */
/*
 * table_cycles: the shim's seal table stays bounded, and says so clearly
 * when it is full. Run under LD_PRELOAD=libsealbox-preload.so with
 * SEALBOX_PRELOAD_ENFORCE=user (so every memfd gets a table entry),
 * SEALBOX_PRELOAD_TABLE=PATH (a private table) and a small
 * SEALBOX_PRELOAD_TABLE_SIZE (tests/preload/run-table.sh does).
 *
 *   table_cycles TABLE CYCLES
 *
 * 1. CYCLES times: memfd_create, write, seal, close. Every create must
 *    succeed (the table reclaims entries of closed memfds), the table's
 *    LIVE count must stay within its slots, and this process's resident
 *    memory and fd count must not grow. Meanwhile two sealed memfds this
 *    process no longer holds must keep their entries through every
 *    reclaim: one held by a child, one in flight in a socket nobody has
 *    read yet; both still refuse writes afterwards.
 * 2. Hold memfds open until memfd_create fails: it must fail with ENFILE,
 *    no later than the table's size.
 * 3. Close them: memfd_create works again.
 *
 * Prints "PASS ..." / "FAIL ..." lines; exit status 1 on any failure.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdpass.h"
#include "table.h"

static int failures;

static void result(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void result(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s ", ok ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failures += !ok;
}

static long rss_kib(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "re");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own fd */
}

/* The table's header, read through a mapping of the file. */
static const struct sbt_header *map_header(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	void *p;

	if (fd < 0)
		return NULL;
	p = mmap(NULL, SBT_HEADER_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

static int one_memfd(void);

static int one_memfd_for_holder(void)
{
	return one_memfd();
}

static int one_memfd(void)
{
	int fd = memfd_create("cycle", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	char c = 'c';

	if (fd < 0)
		return -1;
	if (write(fd, &c, 1) != 1 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SEAL) < 0 ||
	    write(fd, &c, 1) != -1 || errno != EPERM) {
		close(fd);
		errno = EPROTO; /* a seal that did not hold */
		return -1;
	}
	return fd;
}

/* still sealed: F_SEAL_WRITE|F_SEAL_SEAL, a write refused */
static bool still_sealed(int fd)
{
	char c = 'x';

	return fcntl(fd, F_GET_SEALS) == (F_SEAL_WRITE | F_SEAL_SEAL) &&
	       write(fd, &c, 1) == -1 && errno == EPERM;
}

/*
 * A child that holds a sealed memfd its parent closed, and a socket with a
 * sealed memfd in flight: at the end the child receives that one too and
 * reports on both (exit 0: both still sealed).
 */
static pid_t start_holder(int *go, int *inflight_sock)
{
	int pipefd[2], sv[2];
	int held = one_memfd_for_holder(), flying = one_memfd_for_holder();
	pid_t pid;

	if (held < 0 || flying < 0 || pipe(pipefd) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		char x;
		int got;

		close(pipefd[1]);
		close(sv[0]);
		close(flying);
		if (read(pipefd[0], &x, 1) != 1)
			_exit(3);
		got = recv_fd(sv[1]);
		_exit(still_sealed(held) ? (got >= 0 && still_sealed(got) ?
					    0 : 2) : 1);
	}
	close(pipefd[0]);
	close(sv[1]);
	close(held);
	if (send_fd(sv[0], flying) < 0)
		return -1;
	close(flying);
	*go = pipefd[1];
	*inflight_sock = sv[0];
	return pid;
}

int main(int argc, char **argv)
{
	const struct sbt_header *h;
	long cycles, rss0 = 0, rss1;
	uint64_t max_live = 0;
	int fds0 = 0, fds1, held = 0, err = 0, go = -1, inflight = -1;
	pid_t holder;
	int *hold;
	struct stat st0, st1;

	if (argc != 3) {
		fprintf(stderr, "usage: table_cycles TABLE CYCLES\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	cycles = atol(argv[2]);

	/* the first create makes the table */
	close(one_memfd());
	h = map_header(argv[1]);
	if (!h || stat(argv[1], &st0) < 0) {
		result(false, "the table %s exists after memfd_create (%s)",
		       argv[1], strerror(errno));
		return 1;
	}
	printf("table: %u slots, %lld bytes\n", h->slots,
	       (long long)st0.st_size);

	/* 1. create/close cycles, with two memfds held elsewhere */
	holder = start_holder(&go, &inflight);
	if (holder < 0) {
		result(false, "setting up the holder child: %s",
		       strerror(errno));
		return 1;
	}
	for (long i = 0; i < cycles; i++) {
		int fd = one_memfd();

		if (fd < 0) {
			err = errno;
			result(false, "cycle %ld: memfd_create: %s", i,
			       strerror(err));
			break;
		}
		close(fd);
		if (__atomic_load_n(&h->live, __ATOMIC_RELAXED) > max_live)
			max_live = __atomic_load_n(&h->live, __ATOMIC_RELAXED);
		if (i == cycles / 10) { /* after warming up */
			rss0 = rss_kib();
			fds0 = open_fds();
		}
	}
	rss1 = rss_kib();
	fds1 = open_fds();
	{
		int status = 0;

		if (write(go, "g", 1) != 1)
			status = -1;
		waitpid(holder, &status, 0);
		result(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		       "after %llu reclaims, a memfd held by another process "
		       "and one in flight in a socket are still sealed (child "
		       "status 0x%x)", (unsigned long long)h->sweeps, status);
		close(go);
		close(inflight);
	}
	stat(argv[1], &st1);
	if (!err)
		result(true, "%ld create/seal/close cycles", cycles);
	result(max_live <= h->slots, "table never over its %u slots (most "
	       "entries at once: %llu; sweeps: %llu, reclaimed: %llu)",
	       h->slots, (unsigned long long)max_live,
	       (unsigned long long)h->sweeps,
	       (unsigned long long)h->reclaimed);
	result(st1.st_size == st0.st_size, "table file size unchanged "
	       "(%lld bytes)", (long long)st1.st_size);
	result(rss1 - rss0 < 1024, "resident memory flat: %ld KiB after "
	       "warm-up, %ld KiB at the end", rss0, rss1);
	result(fds1 == fds0, "no fd leaked: %d open after warm-up, %d at "
	       "the end", fds0, fds1);

	/* 2. fill the table with memfds that stay open */
	hold = calloc(h->slots + 16, sizeof(int));
	if (!hold)
		return 1;
	for (uint32_t i = 0; i < h->slots + 16; i++) {
		hold[held] = one_memfd();
		if (hold[held] < 0) {
			err = errno;
			break;
		}
		held++;
	}
	result(held <= (int)h->slots && err == ENFILE, "a full table: "
	       "memfd_create fails with ENFILE after %d memfds held open "
	       "(got: %s)", held, err ? strerror(err) : "no failure");

	/* 3. free them: room again */
	while (held > 0)
		close(hold[--held]);
	free(hold);
	{
		int fd = one_memfd();

		result(fd >= 0, "room again after closing them (%s)",
		       fd >= 0 ? "ok" : strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	printf("%s: %d failed\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
