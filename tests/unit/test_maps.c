/* SPDX-License-Identifier: MIT */
/*
 * Tests for sandbox/maps.c on the running kernel: sb_maps_walk_checked()
 * never misses a shared mapping of the inode in a process under a seccomp
 * filter, even one that moves while smaps is read, and mapping churn of
 * other files in such a process does not make the walk fail.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "maps.h"

#define PAGE 4096
#define WALKS 100

enum churn { CHURN_OTHER, CHURN_OTHER_AND_MAP, MOVE_OURS };

static pid_t child = -1;

static void reap(void)
{
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	child = -1;
}

static int make_file(const char *name)
{
	int fd = (int)syscall(SYS_memfd_create, name, 0);

	cr_assert_geq(fd, 0, "memfd_create: %s", strerror(errno));
	cr_assert_eq(ftruncate(fd, 4 * PAGE), 0);
	return fd;
}

/* The walk snapshots only processes under a filter: an allow-all one. */
static void install_filter(void)
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K,
					    SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { 1, &allow };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		_exit(2);
}

/*
 * A child under a filter that maps and unmaps the other file without
 * pause; with CHURN_OTHER_AND_MAP it holds a shared writable mapping of
 * ours too, with MOVE_OURS it moves that mapping between two places.
 */
static void start_child(enum churn how, int ours, int other)
{
	int ready[2];
	char byte = 0;

	cr_assert_eq(pipe(ready), 0);
	child = fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		char *m = NULL, *a, *b;

		close(ready[0]);
		install_filter();
		if (how != CHURN_OTHER) {
			m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
				 ours, 0);
			if (m == MAP_FAILED)
				_exit(2);
		}
		/* two places far apart, so smaps reads them at different
		 * times */
		a = mmap(NULL, 64 * PAGE, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		b = mmap(NULL, 64 * PAGE, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (a == MAP_FAILED || b == MAP_FAILED)
			_exit(2);
		if (write(ready[1], &byte, 1) != 1)
			_exit(2);
		for (unsigned long i = 0;; i++) {
			if (how == MOVE_OURS) {
				char *to = (i & 1) ? a : b;

				m = mremap(m, PAGE, PAGE,
					   MREMAP_MAYMOVE | MREMAP_FIXED, to);
				if (m == MAP_FAILED)
					_exit(2);
				continue;
			}
			char *p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED,
				       other, 0);

			if (p != MAP_FAILED)
				munmap(p, PAGE);
		}
	}
	close(ready[1]);
	cr_assert_eq(read(ready[0], &byte, 1), 1, "child did not start");
	close(ready[0]);
}

struct tally {
	long shared;
};

static int count_child(const struct sb_mapping *m, void *ctx)
{
	struct tally *t = ctx;

	if (m->pid == child && m->vm_shared)
		t->shared++;
	return 0;
}

/* smaps shows a mapping that moves from a part already read to one not yet
 * read twice: at least want, then, for a mover */
static void walks(int ours, long want, bool mover)
{
	struct stat st;
	int failed = 0;

	cr_assert_eq(fstat(ours, &st), 0);
	for (int i = 0; i < WALKS; i++) {
		struct tally t = { 0 };
		int err = sb_maps_walk_checked(st.st_dev, st.st_ino,
					       count_child, &t);

		if (err == -EAGAIN && mover) {
			failed++;
			continue;
		}
		cr_assert_eq(err, 0, "walk %d: %s", i, strerror(-err));
		if (mover)
			cr_assert_geq(t.shared, want, "walk %d: %ld mappings",
				      i, t.shared);
		else
			cr_assert_eq(t.shared, want,
				     "walk %d: %ld mappings, not %ld", i,
				     t.shared, want);
	}
	cr_log_info("%d of %d walks failed", failed, WALKS);
}

TestSuite(maps, .fini = reap);

/* Churn of another file's mappings is no reason to fail. */
Test(maps, churn_of_other_files_does_not_fail)
{
	int ours = make_file("ours"), other = make_file("other");

	start_child(CHURN_OTHER, ours, other);
	walks(ours, 0, false);
}

Test(maps, mapping_found_in_busy_process)
{
	int ours = make_file("ours"), other = make_file("other");

	start_child(CHURN_OTHER_AND_MAP, ours, other);
	walks(ours, 1, false);
}

/* A mapping that moves under the walk is found, or the walk fails:
 * never a walk that succeeds without it. */
Test(maps, moving_mapping_never_missed)
{
	int ours = make_file("ours"), other = make_file("other");

	start_child(MOVE_OURS, ours, other);
	walks(ours, 1, true);
}
