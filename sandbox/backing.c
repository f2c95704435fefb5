/* SPDX-License-Identifier: MIT */
#include "backing.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kcompat.h"
#include "memfd.h"
#include "util.h"

#define OWNER_PREFIX "sealbox-"

static const char *const backing_names[] = {
	[SB_BACKING_MEMFD] = "memfd",
	[SB_BACKING_DETACHED] = "detached",
	[SB_BACKING_TMPFILE] = "tmpfile",
	[SB_BACKING_UNLINKED] = "unlinked",
	[SB_BACKING_NONE] = "none",
};

const char *sb_backing_name(enum sb_backing_kind k)
{
	if ((unsigned)k >= SB_ARRAY_SIZE(backing_names))
		return "?";
	return backing_names[k];
}

int sb_backing_parse(const char *s, enum sb_backing_kind *k)
{
	for (unsigned i = 0; i < SB_BACKING_NONE; i++) {
		if (strcmp(s, backing_names[i]) == 0) {
			*k = (enum sb_backing_kind)i;
			return 0;
		}
	}
	return -EINVAL;
}

static bool is_tmpfs(const char *path, bool *noexec)
{
	struct statfs sfs;
	struct statvfs svfs;

	if (statfs(path, &sfs) < 0 || sfs.f_type != SB_TMPFS_MAGIC)
		return false;
	*noexec = statvfs(path, &svfs) == 0 && (svfs.f_flag & ST_NOEXEC);
	return true;
}

/*
 * The tmpfs directory for path-based strategies: the first candidate on
 * tmpfs that allows exec (a memfd is executable unless sealed), else the
 * first on tmpfs at all.
 */
static int pick_base(const char *base, char *out, size_t len)
{
	char run_user[64];
	const char *candidates[4];
	size_t n = 0;
	const char *fallback = NULL;

	if (base) {
		candidates[n++] = base;
	} else {
		const char *env = getenv("SEALBOX_TMPDIR");

		if (env && *env)
			candidates[n++] = env;
		candidates[n++] = "/dev/shm";
		snprintf(run_user, sizeof(run_user), "/run/user/%u",
			 (unsigned)getuid());
		candidates[n++] = run_user;
		candidates[n++] = "/tmp";
	}
	for (size_t i = 0; i < n; i++) {
		bool noexec = false;

		if (!is_tmpfs(candidates[i], &noexec))
			continue;
		if (!noexec) {
			snprintf(out, len, "%s", candidates[i]);
			return 0;
		}
		if (!fallback)
			fallback = candidates[i];
	}
	if (!fallback)
		return -ENOENT;
	snprintf(out, len, "%s", fallback);
	return 0;
}

/* A tmpfs that no path reaches: it vanishes with its last reference. */
static int open_detached(void)
{
	autoclose int fsfd = -1;
	long mnt;

	fsfd = (int)syscall(SYS_fsopen, "tmpfs", SB_FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return neg_errno();
	if (syscall(SYS_fsconfig, fsfd, SB_FSCONFIG_SET_STRING, "mode", "0700",
		    0) < 0)
		return neg_errno();
	if (syscall(SYS_fsconfig, fsfd, SB_FSCONFIG_CMD_CREATE, NULL, NULL,
		    0) < 0)
		return neg_errno();
	mnt = syscall(SYS_fsmount, fsfd, SB_FSMOUNT_CLOEXEC, 0);
	if (mnt < 0)
		return neg_errno();
	return (int)mnt;
}

static int open_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? neg_errno() : fd;
}

static int make_owned_dir(struct sb_backing *b, const char *base)
{
	for (int attempt = 0; attempt < 16; attempt++) {
		unsigned long r = ((unsigned long)random() << 16) ^
				  (unsigned long)attempt;

		int n = snprintf(b->dir, sizeof(b->dir),
				 "%s/" OWNER_PREFIX "%ld-%lx", base,
				 (long)getpid(), r & 0xffffffUL);

		if (n < 0 || (size_t)n >= sizeof(b->dir))
			return -ENAMETOOLONG;
		if (mkdir(b->dir, 0700) == 0) {
			int fd = open_dir(b->dir);

			if (fd < 0) {
				rmdir(b->dir);
				return fd;
			}
			b->dir_fd = fd;
			b->dir_owned = true;
			return 0;
		}
		if (errno != EEXIST)
			return neg_errno();
	}
	return -EEXIST;
}

static int try_open(struct sb_backing *b, const struct sb_features *fs,
		    enum sb_backing_kind kind, const char *base)
{
	char dir[sizeof(b->dir)];
	int fd, err;

	switch (kind) {
	case SB_BACKING_MEMFD:
		if (fs && !sb_features_has(fs, SB_F_MEMFD_CREATE))
			return -ENOSYS;
		fd = (int)syscall(SYS_memfd_create, "sealbox-check",
				  MFD_CLOEXEC);
		if (fd < 0)
			return neg_errno();
		close(fd);
		break;
	case SB_BACKING_DETACHED:
		fd = open_detached();
		if (fd < 0)
			return fd;
		b->mnt_fd = fd;
		break;
	case SB_BACKING_TMPFILE:
		err = pick_base(base, dir, sizeof(dir));
		if (err < 0)
			return err;
		fd = open_dir(dir);
		if (fd < 0)
			return fd;
		/* O_TMPFILE may be missing (before 3.11) or refused */
		err = openat(fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (err < 0) {
			err = neg_errno();
			close(fd);
			return err == -EISDIR ? -EOPNOTSUPP : err;
		}
		close(err);
		b->dir_fd = fd;
		snprintf(b->dir, sizeof(b->dir), "%s", dir);
		break;
	case SB_BACKING_UNLINKED:
		err = pick_base(base, dir, sizeof(dir));
		if (err < 0)
			return err;
		sb_backing_sweep(dir);
		err = make_owned_dir(b, dir);
		if (err < 0)
			return err;
		break;
	case SB_BACKING_NONE:
		return -EINVAL;
	}
	b->kind = kind;
	return 0;
}

int sb_backing_open(struct sb_backing *b, const struct sb_features *fs,
		    enum sb_backing_kind want, const char *base)
{
	static const enum sb_backing_kind order[] = {
		SB_BACKING_MEMFD, SB_BACKING_DETACHED, SB_BACKING_TMPFILE,
		SB_BACKING_UNLINKED,
	};
	int err = -ENOENT;

	memset(b, 0, sizeof(*b));
	b->kind = SB_BACKING_NONE;
	b->mnt_fd = -1;
	b->dir_fd = -1;
	if (want != SB_BACKING_NONE)
		return try_open(b, fs, want, base);
	for (size_t i = 0; i < SB_ARRAY_SIZE(order); i++) {
		err = try_open(b, fs, order[i], base);
		if (err == 0)
			return 0;
	}
	return err;
}

void sb_backing_close(struct sb_backing *b)
{
	if (b->mnt_fd >= 0)
		close(b->mnt_fd);
	if (b->dir_fd >= 0)
		close(b->dir_fd);
	if (b->dir_owned)
		rmdir(b->dir);
	b->mnt_fd = b->dir_fd = -1;
	b->dir_owned = false;
	b->kind = SB_BACKING_NONE;
}

/*
 * "memfd:NAME" as a file name: a '/' cannot appear in one, so it becomes
 * a '_' (the supervisor answers readlink from its registry anyway).
 */
static void file_name(char *out, size_t len, const char *name)
{
	size_t n = snprintf(out, len, MEMFD_NAME_PREFIX "%s", name);

	if (n >= len)
		n = len - 1;
	for (size_t i = sizeof(MEMFD_NAME_PREFIX) - 1; i < n; i++)
		if (out[i] == '/')
			out[i] = '_';
}

/* create, then unlink at once: the file only ever lives in a private dir */
static int create_unlinked(int dirfd, const char *fname, mode_t mode)
{
	for (int attempt = 0; attempt < 8; attempt++) {
		/* O_EXCL already refuses a planted symlink; O_NOFOLLOW would
		 * stay in the file's flags and show in F_GETFL */
		int fd = openat(dirfd, fname, O_RDWR | O_CREAT | O_EXCL |
				O_CLOEXEC, mode & 0777);

		if (fd >= 0) {
			if (unlinkat(dirfd, fname, 0) < 0) {
				int err = neg_errno();

				close(fd);
				return err;
			}
			return fd;
		}
		if (errno != EEXIST)
			return neg_errno();
		/* another thread holds the same name for a moment */
		sched_yield();
	}
	return -EEXIST;
}

int sb_backing_create(struct sb_backing *b, const char *name, mode_t mode)
{
	char fname[MEMFD_NAME_READ + sizeof(MEMFD_NAME_PREFIX) + 24];
	autoclose int fd = -1;

	switch (b->kind) {
	case SB_BACKING_MEMFD: {
		/*
		 * Sealable, so sealbox can mirror the seals it emulates onto
		 * the kernel's own: then even an alias sealbox never sees
		 * (an fd received over SCM_RIGHTS) is held by the kernel.
		 */
		unsigned int flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;

		/* keep vm.memfd_noexec from sealing an executable file */
		if (mode & 0111)
			flags |= MFD_EXEC;
		fd = (int)syscall(SYS_memfd_create, name, flags);
		if (fd < 0 && errno == EINVAL && (flags & MFD_EXEC))
			fd = (int)syscall(SYS_memfd_create, name,
					  flags & ~MFD_EXEC);
		break;
	}
	case SB_BACKING_DETACHED:
		file_name(fname, sizeof(fname), name);
		fd = create_unlinked(b->mnt_fd, fname, mode);
		if (fd < 0)
			return fd;
		break;
	case SB_BACKING_TMPFILE:
		fd = openat(b->dir_fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC,
			    mode & 0777);
		break;
	case SB_BACKING_UNLINKED:
		snprintf(fname, sizeof(fname), "m%lu", ++b->seq);
		fd = create_unlinked(b->dir_fd, fname, mode);
		if (fd < 0)
			return fd;
		break;
	case SB_BACKING_NONE:
		return -EINVAL;
	}
	if (fd < 0)
		return neg_errno();
	/* the umask must not apply: a memfd is born 0777 or 0666 */
	if (fchmod(fd, mode & 07777) < 0)
		return neg_errno();
	return steal_fd(&fd);
}

static void remove_tree(int parent, const char *name)
{
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			O_CLOEXEC);
	DIR *d;
	struct dirent *de;

	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
	unlinkat(parent, name, AT_REMOVEDIR);
}

void sb_backing_sweep(const char *base)
{
	DIR *d = opendir(base);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		char *end = NULL;
		long pid;

		if (strncmp(de->d_name, OWNER_PREFIX,
			    sizeof(OWNER_PREFIX) - 1) != 0)
			continue;
		pid = strtol(de->d_name + sizeof(OWNER_PREFIX) - 1, &end, 10);
		if (pid <= 0 || !end || *end != '-')
			continue;
		/* only our own directories, and only when their owner is gone */
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode) || st.st_uid != getuid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		remove_tree(dirfd(d), de->d_name);
	}
	closedir(d);
}
