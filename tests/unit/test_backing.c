/* SPDX-License-Identifier: MIT */
/*
 * Tests for sandbox/backing.c on the running kernel: every strategy makes a
 * nameless regular file on tmpfs with the exact mode asked for, and none
 * leaves anything behind, even when its owner is SIGKILLed.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backing.h"
#include "kcompat.h"

static char base[64];

/* A private tmpfs-backed base for the path strategies: /dev/shm/... */
static void make_base(void)
{
	snprintf(base, sizeof(base), "/dev/shm/sealbox-test-%ld",
		 (long)getpid());
	cr_assert_eq(mkdir(base, 0700), 0, "mkdir %s: %s", base,
		     strerror(errno));
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	cr_assert_not_null(d, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void check_file(int fd, mode_t mode)
{
	struct stat st;
	struct statfs sfs;

	cr_assert_geq(fd, 0, "create: %s", strerror(-fd));
	cr_assert_eq(fstat(fd, &st), 0);
	cr_expect(S_ISREG(st.st_mode));
	cr_expect_eq(st.st_mode & 07777, mode, "mode %o, wanted %o",
		     st.st_mode & 07777, mode);
	cr_expect_eq(st.st_nlink, 0u, "the file must have no name");
	cr_expect_eq(st.st_size, 0);
	cr_assert_eq(fstatfs(fd, &sfs), 0);
	cr_expect_eq(sfs.f_type, SB_TMPFS_MAGIC);
	cr_expect_eq(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	cr_expect(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	cr_expect_eq(write(fd, "abc", 3), 3);
}

static void exercise(enum sb_backing_kind kind)
{
	struct sb_backing b;
	static const char long_name[] =
		"0123456789012345678901234567890123456789012345678901234567890"
		"1234567890123456789012345678901234567890123456789012345678901"
		"2345678901234567890123456789012345678901234567890123456789012"
		"3456789012345678901234567890123456789012345678901234567890123"
		"45678";
	const char *names[] = { "demo", "", "a/b", "..", long_name };

	cr_assert_eq(strlen(long_name), 249u);
	make_base();
	umask(022);
	int err = sb_backing_open(&b, NULL, kind, base);
	cr_assert_eq(err, 0, "%s: %s", sb_backing_name(kind), strerror(-err));
	cr_expect_eq(b.kind, kind);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int fd = sb_backing_create(&b, names[i], 0777);
		check_file(fd, 0777);
		close(fd);
		fd = sb_backing_create(&b, names[i], 0666);
		check_file(fd, 0666);
		close(fd);
	}
	sb_backing_close(&b);
	cr_expect_eq(count_entries(base), 0, "%s left files in %s",
		     sb_backing_name(kind), base);
	rmdir(base);
}

Test(backing, memfd) { exercise(SB_BACKING_MEMFD); }
Test(backing, detached) { exercise(SB_BACKING_DETACHED); }
Test(backing, tmpfile) { exercise(SB_BACKING_TMPFILE); }
Test(backing, unlinked) { exercise(SB_BACKING_UNLINKED); }

/* /proc shows the kernel's own text where the strategy can give it. */
Test(backing, proc_names_read_like_a_memfd)
{
	static const enum sb_backing_kind kinds[] = { SB_BACKING_MEMFD,
						      SB_BACKING_DETACHED };

	for (size_t i = 0; i < 2; i++) {
		struct sb_backing b;
		char link[64], target[512];

		cr_assert_eq(sb_backing_open(&b, NULL, kinds[i], NULL), 0);
		int fd = sb_backing_create(&b, "wl_shm", 0777);
		cr_assert_geq(fd, 0);
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		ssize_t n = readlink(link, target, sizeof(target) - 1);
		cr_assert_gt(n, 0);
		target[n] = '\0';
		cr_expect_str_eq(target, "/memfd:wl_shm (deleted)", "%s",
				 sb_backing_name(kinds[i]));
		close(fd);
		sb_backing_close(&b);
	}
}

Test(backing, best_available_is_memfd_here)
{
	struct sb_backing b;

	cr_assert_eq(sb_backing_open(&b, NULL, SB_BACKING_NONE, NULL), 0);
	cr_expect_eq(b.kind, SB_BACKING_MEMFD);
	sb_backing_close(&b);
}

Test(backing, features_without_memfd_skip_the_memfd_strategy)
{
	struct sb_features fs;
	struct sb_backing b;

	sb_features_init(&fs);
	sb_features_force(&fs, SB_F_MEMFD_CREATE, false);
	cr_assert_eq(sb_backing_open(&b, &fs, SB_BACKING_NONE, NULL), 0);
	cr_expect_eq(b.kind, SB_BACKING_DETACHED);
	sb_backing_close(&b);
	cr_expect_eq(sb_backing_open(&b, &fs, SB_BACKING_MEMFD, NULL), -ENOSYS);
}

/* The owner dies by SIGKILL holding an unlinked-strategy directory: the
 * next store to open on that base removes it; a live owner's stays. */
Test(backing, sweep_removes_only_dead_owners)
{
	int pipefd[2];
	char dead_dir[256] = "", live_dir[256] = "";
	struct sb_backing live, next;

	make_base();
	cr_assert_eq(pipe(pipefd), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct sb_backing b;

		close(pipefd[0]);
		if (sb_backing_open(&b, NULL, SB_BACKING_UNLINKED, base) < 0)
			_exit(1);
		/* a file caught between create and unlink */
		int fd = openat(b.dir_fd, "m999", O_CREAT | O_RDWR, 0600);
		(void)fd;
		if (write(pipefd[1], b.dir, strlen(b.dir)) < 0)
			_exit(1);
		raise(SIGKILL);
		_exit(1);
	}
	close(pipefd[1]);
	ssize_t n = read(pipefd[0], dead_dir, sizeof(dead_dir) - 1);
	cr_assert_gt(n, 0);
	close(pipefd[0]);
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status));
	struct stat st;
	cr_assert_eq(stat(dead_dir, &st), 0, "dead owner's dir should exist");

	cr_assert_eq(sb_backing_open(&live, NULL, SB_BACKING_UNLINKED, base), 0);
	snprintf(live_dir, sizeof(live_dir), "%s", live.dir);
	cr_expect_neq(stat(dead_dir, &st), 0, "%s was not swept", dead_dir);

	cr_assert_eq(sb_backing_open(&next, NULL, SB_BACKING_UNLINKED, base), 0);
	cr_expect_eq(stat(live_dir, &st), 0, "a live owner's dir was swept");
	sb_backing_close(&next);
	sb_backing_close(&live);
	cr_expect_eq(count_entries(base), 0);
	rmdir(base);
}

Test(backing, names_parse)
{
	enum sb_backing_kind k;

	cr_expect_eq(sb_backing_parse("tmpfile", &k), 0);
	cr_expect_eq(k, SB_BACKING_TMPFILE);
	cr_expect_eq(sb_backing_parse("none", &k), -EINVAL);
	cr_expect_eq(sb_backing_parse("", &k), -EINVAL);
	cr_expect_str_eq(sb_backing_name(SB_BACKING_DETACHED), "detached");
}
