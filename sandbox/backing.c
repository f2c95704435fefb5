/* SPDX-License-Identifier: MIT */
#include "backing.h"

#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "fdpass.h"
#include "kcompat.h"
#include "memfd.h"
#include "util.h"

#define OWNER_PREFIX SB_BACKING_OWNER_PREFIX

#ifndef GRND_NONBLOCK
#define GRND_NONBLOCK 0x0001
#endif

/* The xattr form of a POSIX ACL (include/uapi/linux/posix_acl_xattr.h):
 * little-endian, version 2, entries of (tag, perm, id). */
#define ACL_XATTR_DEFAULT "system.posix_acl_default"
#define ACL_XATTR_VERSION 2U
#define ACL_TAG_USER_OBJ 0x01U
#define ACL_TAG_GROUP_OBJ 0x04U
#define ACL_TAG_OTHER 0x20U
#define ACL_PERM_RWX 7U
#define ACL_ID_UNDEFINED 0xffffffffU

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

/*
 * Before fsmount (5.2), the same tmpfs reached by no path, where we may
 * mount (CAP_SYS_ADMIN): a child mounts it in a mount namespace of its own
 * and sends us its root directory. When the child exits, its namespace
 * goes and the mount is detached from every tree, but lives on while an
 * open file holds it; /proc/PID/maps then shows a file in it from its own
 * root, "/memfd:NAME (deleted)", as a kernel memfd. An fd, or -errno.
 */
static int open_detached_by_namespace(void)
{
	static const char *const mount_points[] = { "/tmp", "/dev", "/mnt" };
	int sv[2], fd = -1, status;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return neg_errno();
	pid = fork();
	if (pid < 0) {
		int err = neg_errno();

		close(sv[0]);
		close(sv[1]);
		return err;
	}
	if (pid == 0) {
		close(sv[0]);
		if (unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(1);
		for (size_t i = 0; i < SB_ARRAY_SIZE(mount_points); i++) {
			if (mount("tmpfs", mount_points[i], "tmpfs",
				  MS_NOSUID | MS_NODEV, "mode=0700") < 0)
				continue;
			fd = open(mount_points[i],
				  O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			break;
		}
		_exit(fd >= 0 && sb_send_fd(sv[1], fd) == 0 ? 0 : 1);
	}
	close(sv[1]);
	fd = sb_recv_fd(sv[0]);
	close(sv[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return fd >= 0 ? fd : -EPERM;
}

/* A tmpfs that no path reaches: it vanishes with its last reference. */
static int open_detached(void)
{
	autoclose int fsfd = -1;
	long mnt;

	fsfd = (int)syscall(SYS_fsopen, "tmpfs", SB_FSOPEN_CLOEXEC);
	if (fsfd < 0 && errno == ENOSYS)
		return open_detached_by_namespace();
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

/* splitmix64: spreads a weak seed over every bit */
static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/*
 * Unpredictable bits for the name of a directory made where other users
 * can look (a name known in advance invites a planted directory or
 * symlink). getrandom(2) first; before 3.17 (ENOSYS), under a policy that
 * refuses it, or before the pool is ready, /dev/urandom; where even that
 * cannot be read (no /dev in a chroot), the clock, the pid, a counter and
 * an address, which then only the EEXIST retry of the caller protects.
 */
static uint64_t random_u64(void)
{
	static uint64_t counter;
	struct timespec ts = { 0, 0 };
	uint64_t v = 0;
	int fd;

#ifdef SYS_getrandom
	if (syscall(SYS_getrandom, &v, sizeof(v), GRND_NONBLOCK) ==
	    (long)sizeof(v))
		return v;
#endif
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd >= 0) {
		ssize_t n = read(fd, &v, sizeof(v));

		close(fd);
		if (n == (ssize_t)sizeof(v))
			return v;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	v = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	v ^= (uint64_t)getpid() << 40;
	v ^= (uint64_t)(uintptr_t)&ts;
	v += __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
	return mix64(v);
}

/*
 * A default ACL of rwx for owner, group and others on a directory of the
 * store: files made in it then get exactly the mode asked for, without the
 * umask (posix_acl_create applies the ACL mask instead and, since the
 * result is a plain mode, gives the file no ACL of its own). Saves the
 * fchmod of every create. False where tmpfs has no ACLs: the fchmod stays.
 */
static bool set_default_acl(int dirfd)
{
	struct {
		uint32_t version;
		struct {
			uint16_t tag;
			uint16_t perm;
			uint32_t id;
		} __attribute__((packed)) e[3];
	} __attribute__((packed)) acl = {
		.version = htole32(ACL_XATTR_VERSION),
		.e = {
			{ htole16(ACL_TAG_USER_OBJ), htole16(ACL_PERM_RWX),
			  htole32(ACL_ID_UNDEFINED) },
			{ htole16(ACL_TAG_GROUP_OBJ), htole16(ACL_PERM_RWX),
			  htole32(ACL_ID_UNDEFINED) },
			{ htole16(ACL_TAG_OTHER), htole16(ACL_PERM_RWX),
			  htole32(ACL_ID_UNDEFINED) },
		},
	};

	return fsetxattr(dirfd, ACL_XATTR_DEFAULT, &acl, sizeof(acl), 0) == 0;
}

/*
 * A new 0700 directory OWNER_PREFIX "PID-RANDOM" under base (the sweep
 * finds those of dead owners), opened, with the default ACL above. Its path
 * goes to path. Returns the fd or -errno.
 */
static int make_private_dir(const char *base, char *path, size_t len)
{
	for (int attempt = 0; attempt < 16; attempt++) {
		int n = snprintf(path, len, "%s/" OWNER_PREFIX "%ld-%016llx",
				 base, (long)getpid(),
				 (unsigned long long)random_u64());
		int fd;

		if (n < 0 || (size_t)n >= len)
			return -ENAMETOOLONG;
		if (mkdir(path, 0700) < 0) {
			if (errno != EEXIST)
				return neg_errno();
			continue;
		}
		fd = open_dir(path);
		if (fd < 0) {
			rmdir(path);
			return fd;
		}
		set_default_acl(fd);
		return fd;
	}
	return -EEXIST;
}

static int make_owned_dir(struct sb_backing *b, const char *base)
{
	int fd = make_private_dir(base, b->dir, sizeof(b->dir));

	if (fd < 0)
		return fd;
	b->dir_fd = fd;
	b->dir_owned = true;
	b->dir_private = true;
	return 0;
}

/* Does O_TMPFILE work in dirfd? 0, -EOPNOTSUPP, or the kernel's -errno. */
static int probe_tmpfile(int dirfd)
{
	int fd = openat(dirfd, ".", O_TMPFILE | O_EXCL | O_RDWR | O_CLOEXEC,
			0600);

	if (fd < 0) {
		int err = neg_errno();

		/* O_TMPFILE missing (before 3.11) or refused */
		return err == -EISDIR ? -EOPNOTSUPP : err;
	}
	close(fd);
	return 0;
}

/*
 * The directory of the tmpfile strategy: a private one, removed at once
 * (only our fd keeps it; O_TMPFILE still works in it), so it needs no
 * sweeping and its default ACL spares the fchmod; else base itself.
 */
static int open_tmpfile_dir(const char *base, bool *private_dir)
{
	char path[sizeof(((struct sb_backing *)0)->dir)];
	int fd = make_private_dir(base, path, sizeof(path)), err;

	*private_dir = false;
	if (fd >= 0) {
		rmdir(path);
		if (probe_tmpfile(fd) == 0) {
			*private_dir = true;
			return fd;
		}
		close(fd);
	}
	fd = open_dir(base);
	if (fd < 0)
		return fd;
	err = probe_tmpfile(fd);
	if (err < 0) {
		close(fd);
		return err;
	}
	return fd;
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
		/* fsmount gives an O_PATH fd: the ACL needs a real open */
		err = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (err >= 0) {
			set_default_acl(err);
			close(err);
		}
		break;
	case SB_BACKING_TMPFILE:
		err = pick_base(base, dir, sizeof(dir));
		if (err < 0)
			return err;
		fd = open_tmpfile_dir(dir, &b->dir_private);
		if (fd < 0)
			return fd;
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
	b->dev = 0;
	fd = b->mnt_fd >= 0 ? b->mnt_fd : b->dir_fd;
	if (fd >= 0) {
		struct stat st;

		if (fstat(fd, &st) < 0) {
			err = neg_errno();
			sb_backing_close(b);
			return err;
		}
		b->dev = st.st_dev;
	}
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

/* fstat(2) itself: glibc's fstat may be a path walk (fstatat with "") */
static int file_stat(int fd, struct stat *st)
{
#ifdef SYS_fstat
	return (int)syscall(SYS_fstat, fd, st);
#else
	return fstat(fd, st);
#endif
}

int sb_backing_create_stat(struct sb_backing *b, const char *name,
			   mode_t mode, struct stat *st)
{
	char fname[MEMFD_NAME_READ + sizeof(MEMFD_NAME_PREFIX) + 24];
	autoclose int fd = -1;

	mode &= 07777;
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
		/* before 6.3: EINVAL, or ENOSYS from a policy that filters
		 * the flag (tests/helpers/legacy-kernel does) */
		if (fd < 0 && (errno == EINVAL || errno == ENOSYS) &&
		    (flags & MFD_EXEC))
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
		/* O_EXCL: linkat(2) can never give the file a name, not even
		 * through /proc/self/fd/N */
		fd = openat(b->dir_fd, ".", O_TMPFILE | O_EXCL | O_RDWR |
			    O_CLOEXEC, mode);
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
	if (file_stat(fd, st) < 0)
		return neg_errno();
	/*
	 * Our directory fd is no longer ours (a program closed it and the
	 * number went to one of its directories): the file landed elsewhere,
	 * and goes again with fd. The store fds sit high (see the shim), so
	 * this is rare; a fstat per create to rule it out would cost more.
	 */
	if (b->dev && st->st_dev != b->dev)
		return -ESTALE;
	/* the umask must not apply: a memfd is born 0777 or 0666 (the store's
	 * default ACL usually sees to it already) */
	if ((st->st_mode & 07777) != mode) {
		if (fchmod(fd, mode) < 0)
			return neg_errno();
		st->st_mode = (st->st_mode & ~(mode_t)07777) | mode;
	}
	return steal_fd(&fd);
}

int sb_backing_create(struct sb_backing *b, const char *name, mode_t mode)
{
	struct stat st;

	return sb_backing_create_stat(b, name, mode, &st);
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
