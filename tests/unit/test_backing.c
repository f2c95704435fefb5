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
#include <sys/xattr.h>
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

/*
 * A tmpfile backing file must never get a name: with O_TMPFILE alone,
 * anyone holding the fd could linkat(2) it into a directory (through
 * /proc/self/fd/N, which needs no privilege), and the memfd would then
 * outlive its last fd under a path. The control proves the method works.
 */
Test(backing, tmpfile_files_cannot_be_linked)
{
	struct sb_backing b;
	char proc[64], target[320];
	struct stat st;

	make_base();
	cr_assert_eq(sb_backing_open(&b, NULL, SB_BACKING_TMPFILE, base), 0);

	/* control: a plain O_TMPFILE file on the same tmpfs can be linked */
	int plain = open(base, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	cr_assert_geq(plain, 0, "O_TMPFILE: %s", strerror(errno));
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", plain);
	snprintf(target, sizeof(target), "%s/control", base);
	cr_assert_eq(linkat(AT_FDCWD, proc, AT_FDCWD, target,
			    AT_SYMLINK_FOLLOW), 0,
		     "control link: %s", strerror(errno));
	cr_assert_eq(unlink(target), 0);
	close(plain);

	int fd = sb_backing_create(&b, "secret", 0777);
	cr_assert_geq(fd, 0);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	snprintf(target, sizeof(target), "%s/stolen", base);
	errno = 0;
	cr_expect_eq(linkat(AT_FDCWD, proc, AT_FDCWD, target,
			    AT_SYMLINK_FOLLOW), -1);
	cr_expect_eq(errno, ENOENT, "linkat through /proc: %s",
		     strerror(errno));
	errno = 0;
	cr_expect_eq(linkat(fd, "", AT_FDCWD, target, AT_EMPTY_PATH), -1);
	cr_expect(errno == ENOENT || errno == EPERM, "linkat AT_EMPTY_PATH: %s",
		  strerror(errno));
	cr_expect_neq(stat(target, &st), 0, "%s exists", target);
	/* and reopening it read-only (the shim's exec copy) still works */
	int ro = open(proc, O_RDONLY | O_CLOEXEC);
	cr_expect_geq(ro, 0, "reopen: %s", strerror(errno));
	if (ro >= 0)
		close(ro);
	close(fd);
	sb_backing_close(&b);
	cr_expect_eq(count_entries(base), 0);
	rmdir(base);
}

/* The tmpfile store's directory is gone as soon as the store is open. */
Test(backing, tmpfile_store_leaves_no_directory)
{
	struct sb_backing b;

	make_base();
	cr_assert_eq(sb_backing_open(&b, NULL, SB_BACKING_TMPFILE, base), 0);
	cr_expect_eq(count_entries(base), 0, "the store left its directory");
	int fd = sb_backing_create(&b, "x", 0666);
	check_file(fd, 0666);
	close(fd);
	sb_backing_close(&b);
	rmdir(base);
}

/* Whatever the umask, the mode asked for; and the stat handed back is the
 * file's. */
Test(backing, create_stat_gives_the_exact_mode_under_any_umask)
{
	static const enum sb_backing_kind kinds[] = {
		SB_BACKING_MEMFD, SB_BACKING_DETACHED, SB_BACKING_TMPFILE,
		SB_BACKING_UNLINKED,
	};
	static const mode_t masks[] = { 0, 022, 077, 0777 };

	make_base();
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct sb_backing b;

		umask(022);
		cr_assert_eq(sb_backing_open(&b, NULL, kinds[i], base), 0,
			     "%s", sb_backing_name(kinds[i]));
		for (size_t m = 0; m < sizeof(masks) / sizeof(masks[0]); m++) {
			struct stat st, again;

			umask(masks[m]);
			int fd = sb_backing_create_stat(&b, "m", 0777, &st);
			cr_assert_geq(fd, 0, "%s: %s", sb_backing_name(kinds[i]),
				      strerror(-fd));
			cr_assert_eq(fstat(fd, &again), 0);
			cr_expect_eq(again.st_mode & 07777, 0777,
				     "%s umask %o: mode %o",
				     sb_backing_name(kinds[i]), masks[m],
				     again.st_mode & 07777);
			cr_expect_eq(st.st_mode, again.st_mode);
			cr_expect_eq(st.st_ino, again.st_ino);
			cr_expect_eq(st.st_dev, again.st_dev);
			/* no ACL of its own: the mode says everything */
			cr_expect_leq(fgetxattr(fd, "system.posix_acl_access",
						NULL, 0), 0);
			close(fd);
		}
		umask(022);
		sb_backing_close(&b);
	}
	cr_expect_eq(count_entries(base), 0);
	rmdir(base);
}

/*
 * A program closed the store's directory fd and the number went elsewhere:
 * create says so (-EBADF, -ENOTDIR, or -ESTALE when the file landed on
 * another file system, where it is gone again) instead of making a file
 * somewhere else.
 */
Test(backing, create_notices_a_stolen_directory_fd)
{
	struct sb_backing b;
	struct stat st, other;
	char elsewhere[] = "/tmp/sealbox-test-XXXXXX";

	make_base();
	cr_assert_eq(sb_backing_open(&b, NULL, SB_BACKING_UNLINKED, base), 0);
	int num = b.dir_fd;

	cr_assert_eq(close(num), 0);
	cr_expect_eq(sb_backing_create_stat(&b, "m", 0777, &st), -EBADF);
	int file = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	cr_assert_geq(file, 0);
	cr_assert_eq(dup2(file, num), num);
	if (file != num)
		close(file);
	int r = sb_backing_create_stat(&b, "m", 0777, &st);

	cr_expect_eq(r, -ENOTDIR, "%d %s", r, strerror(-r));
	cr_assert_neq(mkdtemp(elsewhere), NULL);
	cr_assert_eq(stat(elsewhere, &other), 0);
	if (other.st_dev != b.dev) {
		int dir = open(elsewhere, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		cr_assert_geq(dir, 0);
		cr_assert_eq(dup2(dir, num), num);
		if (dir != num)
			close(dir);
		r = sb_backing_create_stat(&b, "m", 0777, &st);
		cr_expect_eq(r, -ESTALE, "%d %s", r, strerror(-r));
		cr_expect_eq(count_entries(elsewhere), 0);
	}
	close(num);
	b.dir_fd = -1;
	rmdir(elsewhere);
	sb_backing_close(&b);
	cr_expect_eq(count_entries(base), 0);
	rmdir(base);
}

/* Directory names others can see carry unpredictable bits, not a counter
 * or the output of an unseeded random(). */
Test(backing, private_directory_names_differ)
{
	struct sb_backing a, b;
	const char *ra, *rb;

	make_base();
	cr_assert_eq(sb_backing_open(&a, NULL, SB_BACKING_UNLINKED, base), 0);
	cr_assert_eq(sb_backing_open(&b, NULL, SB_BACKING_UNLINKED, base), 0);
	ra = strrchr(a.dir, '-');
	rb = strrchr(b.dir, '-');
	cr_assert(ra && rb);
	cr_expect_eq(strlen(ra + 1), 16u, "%s", a.dir);
	cr_expect_str_neq(ra, rb);
	/* an unseeded random() gives the same first value in every process */
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct sb_backing c;

		if (sb_backing_open(&c, NULL, SB_BACKING_UNLINKED, base) < 0)
			_exit(2);
		int same = strcmp(strrchr(c.dir, '-'), ra) == 0;

		sb_backing_close(&c);
		_exit(same);
	}
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	sb_backing_close(&b);
	sb_backing_close(&a);
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
