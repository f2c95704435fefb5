/* SPDX-License-Identifier: MIT */
/*
 * interpose.c: the libc entry points libsealbox-preload.so exports, and
 * nothing else (libsealbox-preload.map lists them).
 *
 * Every one starts with the same test: while the process holds no emulated
 * memfd (shim_mode == SHIM_INACTIVE) the call goes to libc after one
 * predictable branch. In an ACTIVE process, fd-based calls look at one byte
 * (the fd's mark) and go to libc unless the fd is an emulated memfd.
 * Path-based calls look at the path only when it starts with /proc/ or
 * /dev/fd/. memfd_create, the sealing fcntl commands and recvmsg with
 * control data always take the slow path.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kcompat.h"
#include "shim.h"

/* include/uapi/linux/close_range.h (5.11) */
#define SB_CLOSE_RANGE_CLOEXEC (1U << 2)
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

/* ---- the tests every entry point starts with ---------------------------- */

static __attribute__((noinline)) void ensure_init(void)
{
	if (shim_mode == SHIM_UNINIT)
		shim_init();
}

static __attribute__((noinline)) bool pass_fd_slow(int fd)
{
	if (shim_busy)
		return true;
	ensure_init();
	return shim_mode != SHIM_ACTIVE || !shim_fd_marked(fd);
}

/* true: hand the call to libc untouched */
static inline bool pass_fd(int fd)
{
	if (SHIM_LIKELY(shim_mode == SHIM_INACTIVE))
		return true;
	return pass_fd_slow(fd);
}

/* the same for the write family: also when no seal can refuse the write */
static inline bool pass_write(int fd)
{
	if (SHIM_LIKELY(shim_mode == SHIM_INACTIVE))
		return true;
	return pass_fd_slow(fd) || shim_write_free_hint(fd);
}

/* A path that may name an fd (/proc/.../fd/N, /dev/fd/N). The pointer is
 * the caller's: looked at only when it can be a user-space address, so an
 * obviously bad one still gets the kernel's EFAULT. */
static inline bool fd_path(const char *path)
{
	uintptr_t p = (uintptr_t)path;

	return p >= 4096 && p < ((uintptr_t)1 << 47) && path[0] == '/' &&
	       (path[1] == 'p' || path[1] == 'd');
}

/* "" as a path (AT_EMPTY_PATH): the fd itself */
static inline bool empty_path(const char *path)
{
	return (uintptr_t)path >= 4096 && path[0] == '\0';
}

static inline bool pass_path(const char *path)
{
	if (SHIM_LIKELY(!fd_path(path)))
		return true;
	if (shim_busy)
		return true;
	ensure_init();
	return false;
}

static inline long ret_long(long r)
{
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

/* ---- memfd_create ---------------------------------------------------------- */

SHIM_EXPORT int memfd_create(const char *name, unsigned int flags)
{
	if (shim_busy)
		return (int)shim_raw(SYS_memfd_create, (long)name, (long)flags,
				     0, 0, 0, 0);
	ensure_init();
	return (int)ret_long(shim_memfd_create(name, flags));
}

/* ---- fcntl ---------------------------------------------------------------- */

static int do_fcntl(int (*real)(int, int, ...), int fd, int cmd,
		    unsigned long arg)
{
	bool seals = cmd == F_ADD_SEALS || cmd == F_GET_SEALS;
	bool dupfd = cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC;

	if (SHIM_LIKELY(shim_mode == SHIM_INACTIVE) && !seals)
		return real(fd, cmd, arg);
	/* the plan sends seals to the kernel, and the fd is not ours */
	if (seals && shim_seals_native && shim_mode != SHIM_UNINIT &&
	    !shim_fd_marked(fd))
		return real(fd, cmd, arg);
	if (cmd == F_GETFL && !shim_busy && shim_fd_marked(fd))
		return (int)ret_long(shim_getfl(fd));
	if (shim_busy || !(seals || dupfd))
		return real(fd, cmd, arg);
	ensure_init();
	if (!seals && shim_mode != SHIM_ACTIVE)
		return real(fd, cmd, arg);
	return (int)ret_long(shim_fcntl(fd, (unsigned int)cmd, arg));
}

SHIM_EXPORT int fcntl(int fd, int cmd, ...)
{
	unsigned long arg;
	va_list ap;

	va_start(ap, cmd);
	arg = va_arg(ap, unsigned long);
	va_end(ap);
	return do_fcntl(shim_real.fcntl, fd, cmd, arg);
}

SHIM_EXPORT int fcntl64(int fd, int cmd, ...)
{
	unsigned long arg;
	va_list ap;

	va_start(ap, cmd);
	arg = va_arg(ap, unsigned long);
	va_end(ap);
	return do_fcntl(shim_real.fcntl64, fd, cmd, arg);
}

/* ---- dup family ------------------------------------------------------------- */

SHIM_EXPORT int dup(int fd)
{
	int r = shim_real.dup(fd);

	if (SHIM_UNLIKELY(shim_mode == SHIM_ACTIVE))
		shim_dup_done(fd, r);
	return r;
}

SHIM_EXPORT int dup2(int fd, int newfd)
{
	int r = shim_real.dup2(fd, newfd);

	if (SHIM_UNLIKELY(shim_mode == SHIM_ACTIVE))
		shim_dup_done(fd, r);
	return r;
}

SHIM_EXPORT int dup3(int fd, int newfd, int flags)
{
	int r = shim_real.dup3(fd, newfd, flags);

	if (SHIM_UNLIKELY(shim_mode == SHIM_ACTIVE))
		shim_dup_done(fd, r);
	return r;
}

/* ---- the close family -------------------------------------------------------- */

/*
 * A mark goes before the number is freed, so that no other thread can get
 * the number for a new file and find the old mark on it. With every close
 * seen, a mark names the fd's inode for sure (raw system calls aside), and
 * the seal commands need no fstat (ops.c, seals_by_mark). fcloseall and
 * the closes inside other libc functions (daemon's dup2 onto 0-2) are not
 * seen: preload/README.md lists them.
 */
SHIM_EXPORT int close(int fd)
{
	if (SHIM_UNLIKELY(shim_mode == SHIM_ACTIVE))
		shim_fd_unmark(fd);
	return shim_real.close(fd);
}

SHIM_EXPORT int fclose(FILE *stream)
{
	if (SHIM_UNLIKELY(shim_mode == SHIM_ACTIVE) && stream)
		shim_fd_unmark(fileno(stream));
	return shim_real.fclose(stream);
}

/* glibc keeps the fd number and puts the new file there (dup3) */
SHIM_EXPORT FILE *freopen(const char *path, const char *mode, FILE *stream)
{
	if (SHIM_UNLIKELY(shim_mode == SHIM_ACTIVE) && stream)
		shim_fd_unmark(fileno(stream));
	return shim_real.freopen(path, mode, stream);
}

SHIM_EXPORT FILE *freopen64(const char *path, const char *mode, FILE *stream)
{
	if (SHIM_UNLIKELY(shim_mode == SHIM_ACTIVE) && stream)
		shim_fd_unmark(fileno(stream));
	return shim_real.freopen64(path, mode, stream);
}

SHIM_EXPORT int close_range(unsigned int first, unsigned int last, int flags)
{
	if (SHIM_UNLIKELY(shim_mode == SHIM_ACTIVE) &&
	    !(flags & SB_CLOSE_RANGE_CLOEXEC) && first <= last)
		shim_fd_unmark_range(first, last);
	return shim_real.close_range(first, last, flags);
}

SHIM_EXPORT void closefrom(int lowfd)
{
	if (SHIM_UNLIKELY(shim_mode == SHIM_ACTIVE) && lowfd >= 0)
		shim_fd_unmark_range((unsigned int)lowfd, ~0U);
	shim_real.closefrom(lowfd);
}

/* ---- size changes ------------------------------------------------------------- */

SHIM_EXPORT int ftruncate(int fd, off_t len)
{
	long r;

	if (pass_fd(fd))
		return shim_real.ftruncate(fd, len);
	r = shim_ftruncate_check(fd, len);
	return r < 0 ? (int)ret_long(r) : shim_real.ftruncate(fd, len);
}

SHIM_EXPORT int ftruncate64(int fd, off64_t len)
{
	long r;

	if (pass_fd(fd))
		return shim_real.ftruncate64(fd, len);
	r = shim_ftruncate_check(fd, len);
	return r < 0 ? (int)ret_long(r) : shim_real.ftruncate64(fd, len);
}

SHIM_EXPORT int truncate(const char *path, off_t len)
{
	long r;

	if (pass_path(path))
		return shim_real.truncate(path, len);
	r = shim_truncate_check(path, len);
	return r < 0 ? (int)ret_long(r) : shim_real.truncate(path, len);
}

SHIM_EXPORT int truncate64(const char *path, off64_t len)
{
	long r;

	if (pass_path(path))
		return shim_real.truncate64(path, len);
	r = shim_truncate_check(path, len);
	return r < 0 ? (int)ret_long(r) : shim_real.truncate64(path, len);
}

SHIM_EXPORT int fallocate(int fd, int mode, off_t off, off_t len)
{
	long r;

	if (pass_fd(fd))
		return shim_real.fallocate(fd, mode, off, len);
	r = shim_fallocate_check(fd, mode, off, len);
	return r < 0 ? (int)ret_long(r) :
	       shim_real.fallocate(fd, mode, off, len);
}

SHIM_EXPORT int fallocate64(int fd, int mode, off64_t off, off64_t len)
{
	long r;

	if (pass_fd(fd))
		return shim_real.fallocate64(fd, mode, off, len);
	r = shim_fallocate_check(fd, mode, off, len);
	return r < 0 ? (int)ret_long(r) :
	       shim_real.fallocate64(fd, mode, off, len);
}

/* posix_fallocate returns the error number instead of setting errno */
SHIM_EXPORT int posix_fallocate(int fd, off_t off, off_t len)
{
	long r;

	if (pass_fd(fd))
		return shim_real.posix_fallocate(fd, off, len);
	r = shim_fallocate_check(fd, 0, off, len);
	return r < 0 ? (int)-r : shim_real.posix_fallocate(fd, off, len);
}

SHIM_EXPORT int posix_fallocate64(int fd, off64_t off, off64_t len)
{
	long r;

	if (pass_fd(fd))
		return shim_real.posix_fallocate64(fd, off, len);
	r = shim_fallocate_check(fd, 0, off, len);
	return r < 0 ? (int)-r : shim_real.posix_fallocate64(fd, off, len);
}

/* ---- opens ---------------------------------------------------------------------- */

static mode_t mode_arg(int flags, va_list ap)
{
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
		return (mode_t)va_arg(ap, unsigned int);
	return 0;
}

SHIM_EXPORT int open(const char *path, int flags, ...)
{
	mode_t mode;
	va_list ap;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	if (pass_path(path))
		return shim_real.open(path, flags, mode);
	return (int)ret_long(shim_open(AT_FDCWD, path, flags, mode, HOW_LIBC));
}

SHIM_EXPORT int open64(const char *path, int flags, ...)
{
	mode_t mode;
	va_list ap;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	if (pass_path(path))
		return shim_real.open64(path, flags, mode);
	return (int)ret_long(shim_open(AT_FDCWD, path, flags, mode,
				       HOW_LIBC64));
}

SHIM_EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode;
	va_list ap;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	if (pass_path(path))
		return shim_real.openat(dirfd, path, flags, mode);
	return (int)ret_long(shim_open(dirfd, path, flags, mode, HOW_LIBC));
}

SHIM_EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	mode_t mode;
	va_list ap;

	va_start(ap, flags);
	mode = mode_arg(flags, ap);
	va_end(ap);
	if (pass_path(path))
		return shim_real.openat64(dirfd, path, flags, mode);
	return (int)ret_long(shim_open(dirfd, path, flags, mode, HOW_LIBC64));
}

SHIM_EXPORT int creat(const char *path, mode_t mode)
{
	if (pass_path(path))
		return shim_real.creat(path, mode);
	return (int)ret_long(shim_open(AT_FDCWD, path, 0, mode, HOW_CREAT));
}

SHIM_EXPORT int creat64(const char *path, mode_t mode)
{
	if (pass_path(path))
		return shim_real.creat64(path, mode);
	return (int)ret_long(shim_open(AT_FDCWD, path, 0, mode, HOW_CREAT64));
}

/* _FORTIFY_SOURCE turns open() without a mode into these */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

SHIM_EXPORT int __open_2(const char *path, int flags)
{
	if (pass_path(path))
		return shim_real.open_2(path, flags);
	return (int)ret_long(shim_open(AT_FDCWD, path, flags, 0, HOW_FORTIFY));
}

SHIM_EXPORT int __open64_2(const char *path, int flags)
{
	if (pass_path(path))
		return shim_real.open64_2(path, flags);
	return (int)ret_long(shim_open(AT_FDCWD, path, flags, 0,
				       HOW_FORTIFY64));
}

SHIM_EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
	if (pass_path(path))
		return shim_real.openat_2(dirfd, path, flags);
	return (int)ret_long(shim_open(dirfd, path, flags, 0, HOW_FORTIFY));
}

SHIM_EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
	if (pass_path(path))
		return shim_real.openat64_2(dirfd, path, flags);
	return (int)ret_long(shim_open(dirfd, path, flags, 0, HOW_FORTIFY64));
}

/* ---- the write family ------------------------------------------------------------ */

/* The call, cut to `allowed` bytes when a seal makes it short. */
static __attribute__((noinline)) ssize_t
write_cut(int fd, const struct iovec *iov, int cnt, int64_t pos, int rwf,
	  int kind, long allowed)
{
	struct iovec cut[UIO_MAXIOV];
	size_t left = (size_t)allowed;
	int n = 0;

	for (int i = 0; i < cnt && left; i++) {
		cut[n] = iov[i];
		if (cut[n].iov_len > left)
			cut[n].iov_len = left;
		left -= cut[n].iov_len;
		n++;
	}
	switch (kind) {
	case W_WRITE:
		return shim_real.write(fd, iov[0].iov_base, (size_t)allowed);
	case W_PWRITE:
		return shim_real.pwrite64(fd, iov[0].iov_base, (size_t)allowed,
					  pos);
	case W_WRITEV:
		return shim_real.writev(fd, cut, n);
	case W_PWRITEV:
		return shim_real.pwritev64(fd, cut, n, pos);
	default:
		return shim_real.pwritev64v2(fd, cut, n, pos, rwf);
	}
}

/* >= 0: go ahead with the whole call; else the result to return */
static ssize_t write_slow(int fd, const struct iovec *iov, int cnt,
			  int64_t pos, int rwf, int kind, bool *whole)
{
	long allowed = shim_write_check(fd, iov, cnt, pos, rwf, kind);
	uint64_t total = 0;

	*whole = false;
	if (allowed < 0)
		return ret_long(allowed);
	for (int i = 0; i < cnt; i++)
		total += iov[i].iov_len;
	if ((uint64_t)allowed >= total) {
		*whole = true;
		return 0;
	}
	return write_cut(fd, iov, cnt, pos, rwf, kind, allowed);
}

SHIM_EXPORT ssize_t write(int fd, const void *buf, size_t n)
{
	struct iovec one = { (void *)(uintptr_t)buf, n };
	bool whole;
	ssize_t r;

	if (pass_write(fd))
		return shim_real.write(fd, buf, n);
	r = write_slow(fd, &one, 1, -1, 0, W_WRITE, &whole);
	return whole ? shim_real.write(fd, buf, n) : r;
}

SHIM_EXPORT ssize_t pwrite(int fd, const void *buf, size_t n, off_t pos)
{
	struct iovec one = { (void *)(uintptr_t)buf, n };
	bool whole;
	ssize_t r;

	if (pass_write(fd))
		return shim_real.pwrite(fd, buf, n, pos);
	r = write_slow(fd, &one, 1, pos, 0, W_PWRITE, &whole);
	return whole ? shim_real.pwrite(fd, buf, n, pos) : r;
}

SHIM_EXPORT ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t pos)
{
	struct iovec one = { (void *)(uintptr_t)buf, n };
	bool whole;
	ssize_t r;

	if (pass_write(fd))
		return shim_real.pwrite64(fd, buf, n, pos);
	r = write_slow(fd, &one, 1, pos, 0, W_PWRITE, &whole);
	return whole ? shim_real.pwrite64(fd, buf, n, pos) : r;
}

SHIM_EXPORT ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	bool whole;
	ssize_t r;

	if (pass_write(fd))
		return shim_real.writev(fd, iov, cnt);
	r = write_slow(fd, iov, cnt, -1, 0, W_WRITEV, &whole);
	return whole ? shim_real.writev(fd, iov, cnt) : r;
}

SHIM_EXPORT ssize_t pwritev(int fd, const struct iovec *iov, int cnt,
			    off_t pos)
{
	bool whole;
	ssize_t r;

	if (pass_write(fd))
		return shim_real.pwritev(fd, iov, cnt, pos);
	r = write_slow(fd, iov, cnt, pos, 0, W_PWRITEV, &whole);
	return whole ? shim_real.pwritev(fd, iov, cnt, pos) : r;
}

SHIM_EXPORT ssize_t pwritev64(int fd, const struct iovec *iov, int cnt,
			      off64_t pos)
{
	bool whole;
	ssize_t r;

	if (pass_write(fd))
		return shim_real.pwritev64(fd, iov, cnt, pos);
	r = write_slow(fd, iov, cnt, pos, 0, W_PWRITEV, &whole);
	return whole ? shim_real.pwritev64(fd, iov, cnt, pos) : r;
}

SHIM_EXPORT ssize_t pwritev2(int fd, const struct iovec *iov, int cnt,
			     off_t pos, int flags)
{
	bool whole;
	ssize_t r;

	if (pass_write(fd))
		return shim_real.pwritev2(fd, iov, cnt, pos, flags);
	r = write_slow(fd, iov, cnt, pos, flags, W_PWRITEV2, &whole);
	return whole ? shim_real.pwritev2(fd, iov, cnt, pos, flags) : r;
}

SHIM_EXPORT ssize_t pwritev64v2(int fd, const struct iovec *iov, int cnt,
				off64_t pos, int flags)
{
	bool whole;
	ssize_t r;

	if (pass_write(fd))
		return shim_real.pwritev64v2(fd, iov, cnt, pos, flags);
	r = write_slow(fd, iov, cnt, pos, flags, W_PWRITEV2, &whole);
	return whole ? shim_real.pwritev64v2(fd, iov, cnt, pos, flags) : r;
}

/* ---- copies into a file ------------------------------------------------------------ */

SHIM_EXPORT ssize_t sendfile(int out, int in, off_t *off, size_t n)
{
	long r;

	if (pass_fd(out))
		return shim_real.sendfile(out, in, off, n);
	r = shim_copy_check(out, NULL, n);
	return r < 0 ? ret_long(r) : shim_real.sendfile(out, in, off, n);
}

SHIM_EXPORT ssize_t sendfile64(int out, int in, off64_t *off, size_t n)
{
	long r;

	if (pass_fd(out))
		return shim_real.sendfile64(out, in, off, n);
	r = shim_copy_check(out, NULL, n);
	return r < 0 ? ret_long(r) : shim_real.sendfile64(out, in, off, n);
}

SHIM_EXPORT ssize_t splice(int in, loff_t *off_in, int out, loff_t *off_out,
			   size_t n, unsigned int flags)
{
	long r;

	if (pass_fd(out))
		return shim_real.splice(in, off_in, out, off_out, n, flags);
	r = shim_copy_check(out, off_out, n);
	return r < 0 ? ret_long(r) :
	       shim_real.splice(in, off_in, out, off_out, n, flags);
}

SHIM_EXPORT ssize_t copy_file_range(int in, loff_t *off_in, int out,
				    loff_t *off_out, size_t n,
				    unsigned int flags)
{
	long r;

	if (pass_fd(out))
		return shim_real.copy_file_range(in, off_in, out, off_out, n,
						 flags);
	r = shim_copy_check(out, off_out, n);
	return r < 0 ? ret_long(r) :
	       shim_real.copy_file_range(in, off_in, out, off_out, n, flags);
}

/* ---- mappings ---------------------------------------------------------------------- */

SHIM_EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd,
		       off_t off)
{
	void *m;
	int err;

	if ((flags & MAP_ANONYMOUS) || pass_fd(fd))
		return shim_real.mmap(addr, len, prot, flags, fd, off);
	m = shim_mmap(addr, len, prot, flags, fd, off, &err);
	if (m == MAP_FAILED && err)
		errno = err;
	return m;
}

SHIM_EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd,
			 off64_t off)
{
	void *m;
	int err;

	if ((flags & MAP_ANONYMOUS) || pass_fd(fd))
		return shim_real.mmap64(addr, len, prot, flags, fd, off);
	m = shim_mmap(addr, len, prot, flags, fd, off, &err);
	if (m == MAP_FAILED && err)
		errno = err;
	return m;
}

SHIM_EXPORT int madvise(void *addr, size_t len, int advice)
{
	if (SHIM_LIKELY(shim_mode == SHIM_INACTIVE) || advice != MADV_REMOVE ||
	    shim_busy)
		return shim_real.madvise(addr, len, advice);
	ensure_init();
	if (shim_mode != SHIM_ACTIVE)
		return shim_real.madvise(addr, len, advice);
	return (int)ret_long(shim_madvise(addr, len, advice));
}

/* ---- modes ------------------------------------------------------------------------- */

SHIM_EXPORT int fchmod(int fd, mode_t mode)
{
	long r;

	if (pass_fd(fd))
		return shim_real.fchmod(fd, mode);
	r = shim_fchmod_check(fd, mode);
	return r < 0 ? (int)ret_long(r) : shim_real.fchmod(fd, mode);
}

SHIM_EXPORT int chmod(const char *path, mode_t mode)
{
	long r;

	if (pass_path(path))
		return shim_real.chmod(path, mode);
	r = shim_chmod_check(AT_FDCWD, path, mode, 0);
	return r < 0 ? (int)ret_long(r) : shim_real.chmod(path, mode);
}

SHIM_EXPORT int fchmodat(int dirfd, const char *path, mode_t mode, int flags)
{
	long r;

	if (pass_path(path))
		return shim_real.fchmodat(dirfd, path, mode, flags);
	r = shim_chmod_check(dirfd, path, mode, flags);
	return r < 0 ? (int)ret_long(r) :
	       shim_real.fchmodat(dirfd, path, mode, flags);
}

/* ---- names --------------------------------------------------------------------------- */

SHIM_EXPORT ssize_t readlink(const char *path, char *buf, size_t size)
{
	long r;

	if (pass_path(path))
		return shim_real.readlink(path, buf, size);
	r = shim_readlink(AT_FDCWD, path, buf, size);
	return r == SHIM_PASS ? shim_real.readlink(path, buf, size) :
	       ret_long(r);
}

SHIM_EXPORT ssize_t readlinkat(int dirfd, const char *path, char *buf,
			       size_t size)
{
	long r;

	if (pass_path(path))
		return shim_real.readlinkat(dirfd, path, buf, size);
	r = shim_readlink(dirfd, path, buf, size);
	return r == SHIM_PASS ? shim_real.readlinkat(dirfd, path, buf, size) :
	       ret_long(r);
}

/* and readlink() into a buffer of known size into these */
ssize_t __readlink_chk(const char *path, char *buf, size_t size,
		       size_t buflen);
ssize_t __readlinkat_chk(int dirfd, const char *path, char *buf, size_t size,
			 size_t buflen);

SHIM_EXPORT ssize_t __readlink_chk(const char *path, char *buf, size_t size,
				   size_t buflen)
{
	long r;

	/* a buffer smaller than it says: libc's own check reports it */
	if (pass_path(path) || size > buflen)
		return shim_real.readlink_chk(path, buf, size, buflen);
	r = shim_readlink(AT_FDCWD, path, buf, size);
	return r == SHIM_PASS ?
	       shim_real.readlink_chk(path, buf, size, buflen) : ret_long(r);
}

SHIM_EXPORT ssize_t __readlinkat_chk(int dirfd, const char *path, char *buf,
				     size_t size, size_t buflen)
{
	long r;

	if (pass_path(path) || size > buflen)
		return shim_real.readlinkat_chk(dirfd, path, buf, size, buflen);
	r = shim_readlink(dirfd, path, buf, size);
	return r == SHIM_PASS ?
	       shim_real.readlinkat_chk(dirfd, path, buf, size, buflen) :
	       ret_long(r);
}

/* ---- exec ------------------------------------------------------------------------------ */

/*
 * Exec of an emulated memfd that the kernel refused: ETXTBSY (the backing
 * file's O_RDWR open counts as a writer, a kernel memfd's does not), or
 * ENOSYS from execveat (before 3.19). Runs a read-only copy instead, or
 * goes through /proc/self/fd/N as glibc's fexecve does. Returns only when
 * that fails too (errno set), or -2 when the shim has nothing to add.
 */
static int exec_again(int fd, int err, char *const argv[], char *const envp[],
		      bool empty_path)
{
	char self[64];
	int copy = -1, r, e;

	if (empty_path && shim_exec_cloexec_script(fd)) {
		errno = ENOENT;
		return -1;
	}
	if (err == ETXTBSY) {
		copy = shim_exec_copy(fd);
		if (copy < 0) {
			errno = copy == -ENOENT ? err : -copy;
			return -1;
		}
		fd = copy;
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	r = shim_real.execve(self, argv, envp);
	e = errno;
	if (r < 0 && e == ETXTBSY && copy < 0) {
		/* execveat was missing, and the path is refused the same way */
		copy = shim_exec_copy(fd);
		if (copy >= 0) {
			snprintf(self, sizeof(self), "/proc/self/fd/%d", copy);
			r = shim_real.execve(self, argv, envp);
			e = errno;
		} else if (copy != -ENOENT) {
			e = -copy;
		}
	}
	if (copy >= 0)
		close(copy);
	errno = e;
	return r;
}

SHIM_EXPORT int execve(const char *path, char *const argv[],
		       char *const envp[])
{
	int r = shim_real.execve(path, argv, envp);
	int e = errno, fd;

	if (e != ETXTBSY || !fd_path(path) || shim_busy)
		return r;
	ensure_init();
	fd = shim_exec_target(AT_FDCWD, path, 0);
	if (fd < 0) {
		errno = e;
		return r;
	}
	return exec_again(fd, e, argv, envp, false);
}

SHIM_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	int r = shim_real.fexecve(fd, argv, envp);
	int e = errno;

	if (e != ETXTBSY || shim_busy)
		return r;
	ensure_init();
	if (shim_exec_target(fd, "", AT_EMPTY_PATH) < 0) {
		errno = e;
		return r;
	}
	return exec_again(fd, e, argv, envp, true);
}

static int execveat_again(int r, int dirfd, const char *path,
			  char *const argv[], char *const envp[], int flags)
{
	int e = errno;
	bool empty = (flags & AT_EMPTY_PATH) && empty_path(path);
	int fd;

	if ((e != ETXTBSY && e != ENOSYS) || shim_busy ||
	    (!empty && !fd_path(path)))
		return r;
	ensure_init();
	fd = shim_exec_target(dirfd, path, flags);
	if (fd < 0) {
		errno = e;
		return r;
	}
	return exec_again(fd, e, argv, envp, empty);
}

SHIM_EXPORT int execveat(int dirfd, const char *path, char *const argv[],
			 char *const envp[], int flags)
{
	int r = shim_real.execveat(dirfd, path, argv, envp, flags);

	return execveat_again(r, dirfd, path, argv, envp, flags);
}

/* A memfd lives on the kernel's internal mount: linking it anywhere is
 * EXDEV. A backing file on /dev/shm would be ENOENT (no links left) or,
 * for O_TMPFILE, would even succeed. */
SHIM_EXPORT int linkat(int olddirfd, const char *oldpath, int newdirfd,
		       const char *newpath, int flags)
{
	bool empty = (flags & AT_EMPTY_PATH) && empty_path(oldpath);

	if ((!empty && (pass_path(oldpath) || !(flags & AT_SYMLINK_FOLLOW))) ||
	    (empty && pass_fd(olddirfd)))
		return shim_real.linkat(olddirfd, oldpath, newdirfd, newpath,
					flags);
	if (shim_exec_target(olddirfd, oldpath, flags) >= 0) {
		errno = EXDEV;
		return -1;
	}
	return shim_real.linkat(olddirfd, oldpath, newdirfd, newpath, flags);
}

/* ---- limits ------------------------------------------------------------------------ */

/* RLIMIT_FSIZE decides EFBIG before any seal: the shim keeps a copy. */
SHIM_EXPORT int setrlimit(__rlimit_resource_t res, const struct rlimit *rl)
{
	int r = shim_real.setrlimit(res, rl);

	if (res == RLIMIT_FSIZE)
		shim_fsize_changed();
	return r;
}

SHIM_EXPORT int setrlimit64(__rlimit_resource_t res,
			    const struct rlimit64 *rl)
{
	int r = shim_real.setrlimit64(res, rl);

	if (res == RLIMIT_FSIZE)
		shim_fsize_changed();
	return r;
}

SHIM_EXPORT int prlimit(pid_t pid, __rlimit_resource_t res,
			const struct rlimit *rl, struct rlimit *old)
{
	int r = shim_real.prlimit(pid, res, rl, old);

	if (res == RLIMIT_FSIZE && rl)
		shim_fsize_changed();
	return r;
}

SHIM_EXPORT int prlimit64(pid_t pid, __rlimit_resource_t res,
			  const struct rlimit64 *rl, struct rlimit64 *old)
{
	int r = shim_real.prlimit64(pid, res, rl, old);

	if (res == RLIMIT_FSIZE && rl)
		shim_fsize_changed();
	return r;
}

/* ---- fds that move between processes ----------------------------------------------- */

SHIM_EXPORT ssize_t recvmsg(int sock, struct msghdr *msg, int flags)
{
	ssize_t r = shim_real.recvmsg(sock, msg, flags);

	/* only messages that carried control data can have brought fds */
	if (r >= 0 && msg && msg->msg_control && msg->msg_controllen &&
	    !shim_busy) {
		int saved = errno;

		ensure_init();
		shim_received(msg);
		errno = saved;
	}
	return r;
}

SHIM_EXPORT ssize_t sendmsg(int sock, const struct msghdr *msg, int flags)
{
	if (SHIM_UNLIKELY(shim_mode == SHIM_ACTIVE) && msg &&
	    msg->msg_control && msg->msg_controllen && !shim_busy)
		shim_sending(msg);
	return shim_real.sendmsg(sock, msg, flags);
}

/* ---- syscall(2) ---------------------------------------------------------------------- */

/* The numbers the shim looks at; everything else goes to libc at once. */
static inline bool syscall_wanted(long nr)
{
	switch (nr) {
	case SYS_memfd_create:
	case SYS_fcntl:
	case SYS_close:
	case SYS_close_range:
	case SYS_write:
	case SYS_pwrite64:
	case SYS_writev:
	case SYS_pwritev:
	case SYS_pwritev2:
	case SYS_ftruncate:
	case SYS_fallocate:
	case SYS_fchmod:
	case SYS_fchmodat:
	case SYS_fchmodat2:
	case SYS_dup:
	case SYS_dup3:
	case SYS_openat:
	case SYS_truncate:
	case SYS_readlinkat:
	case SYS_sendfile:
	case SYS_splice:
	case SYS_copy_file_range:
	case SYS_mmap:
	case SYS_pidfd_getfd:
	case SYS_execveat:
	case SYS_linkat:
	case SYS_prlimit64:
#ifdef SYS_setrlimit
	case SYS_setrlimit:
#endif
#ifdef SYS_open
	case SYS_open:
	case SYS_creat:
	case SYS_dup2:
	case SYS_readlink:
#endif
		return true;
	default:
		return false;
	}
}

static long raw_passthrough(long nr, const long *a)
{
	return shim_real.syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/*
 * A system call made through syscall(2) that the shim looks at. The kernel
 * takes fds as unsigned int (a raw call may set the upper bits: the kernel
 * ignores them, and so does the shim). The libc wrappers it calls make the
 * same system call and follow the same -1/errno convention.
 */
static long raw_call(long nr, const long *a)
{
	int fd = (int)(unsigned int)a[0];
	long r;

	switch (nr) {
	case SYS_memfd_create:
		ensure_init();
		return ret_long(shim_memfd_create((const char *)a[0],
						  (unsigned long)a[1]));
	case SYS_close:
		if (SHIM_UNLIKELY(shim_mode == SHIM_ACTIVE))
			shim_fd_unmark(fd);
		return raw_passthrough(nr, a);
	case SYS_close_range:
		if (SHIM_UNLIKELY(shim_mode == SHIM_ACTIVE) &&
		    !((unsigned int)a[2] & SB_CLOSE_RANGE_CLOEXEC) &&
		    (unsigned int)a[0] <= (unsigned int)a[1])
			shim_fd_unmark_range((unsigned int)a[0],
					     (unsigned int)a[1]);
		return raw_passthrough(nr, a);
	case SYS_fcntl:
		return do_fcntl(shim_real.fcntl, fd, (int)(unsigned int)a[1],
				(unsigned long)a[2]);
	case SYS_write:
		return write(fd, (const void *)a[1], (size_t)a[2]);
	case SYS_pwrite64:
		return pwrite64(fd, (const void *)a[1], (size_t)a[2],
				(off64_t)a[3]);
	case SYS_writev:
		return writev(fd, (const struct iovec *)a[1], (int)a[2]);
	case SYS_pwritev:
		return pwritev64(fd, (const struct iovec *)a[1], (int)a[2],
				 (off64_t)a[3]);
	case SYS_pwritev2:
		return pwritev64v2(fd, (const struct iovec *)a[1], (int)a[2],
				   (off64_t)a[3], (int)a[5]);
	case SYS_ftruncate:
		return ftruncate64(fd, (off64_t)a[1]);
	case SYS_fallocate:
		return fallocate64(fd, (int)a[1], (off64_t)a[2], (off64_t)a[3]);
	case SYS_fchmod:
		return fchmod(fd, (mode_t)a[1]);
	case SYS_fchmodat:
		return fchmodat((int)a[0], (const char *)a[1], (mode_t)a[2], 0);
	case SYS_fchmodat2:
		/* fchmodat2(fd, "", mode, AT_EMPTY_PATH) names the fd itself */
		if (pass_path((const char *)a[1]) &&
		    (!((int)a[3] & AT_EMPTY_PATH) || pass_fd((int)a[0])))
			return raw_passthrough(nr, a);
		r = shim_chmod_check((int)a[0], (const char *)a[1],
				     (mode_t)a[2], (int)a[3]);
		return r < 0 ? ret_long(r) : raw_passthrough(nr, a);
	case SYS_dup:
	case SYS_dup3:
#ifdef SYS_dup2
	case SYS_dup2:
#endif
		r = raw_passthrough(nr, a);
		if (SHIM_UNLIKELY(shim_mode == SHIM_ACTIVE))
			shim_dup_done(fd, r);
		return r;
	case SYS_openat:
		return openat((int)a[0], (const char *)a[1], (int)a[2],
			      (mode_t)a[3]);
	case SYS_truncate:
		return truncate64((const char *)a[0], (off64_t)a[1]);
	case SYS_readlinkat:
		return readlinkat((int)a[0], (const char *)a[1], (char *)a[2],
				  (size_t)a[3]);
	case SYS_sendfile:
		return sendfile64(fd, (int)a[1], (off64_t *)a[2], (size_t)a[3]);
	case SYS_splice:
		return splice((int)a[0], (loff_t *)a[1], (int)a[2],
			      (loff_t *)a[3], (size_t)a[4], (unsigned int)a[5]);
	case SYS_copy_file_range:
		return copy_file_range((int)a[0], (loff_t *)a[1], (int)a[2],
				       (loff_t *)a[3], (size_t)a[4],
				       (unsigned int)a[5]);
	case SYS_mmap: {
		void *m = mmap64((void *)a[0], (size_t)a[1], (int)a[2],
				 (int)a[3], (int)a[4], (off64_t)a[5]);

		return m == MAP_FAILED ? -1 : (long)m;
	}
	case SYS_pidfd_getfd:
		r = raw_passthrough(nr, a);
		if (r >= 0) {
			int saved = errno;

			ensure_init();
			shim_adopt((int)r);
			errno = saved;
		}
		return r;
	case SYS_execveat:
		r = raw_passthrough(nr, a);
		return execveat_again((int)r, (int)a[0], (const char *)a[1],
				      (char *const *)a[2], (char *const *)a[3],
				      (int)a[4]);
	case SYS_linkat:
		return linkat((int)a[0], (const char *)a[1], (int)a[2],
			      (const char *)a[3], (int)a[4]);
	case SYS_prlimit64:
		r = raw_passthrough(nr, a);
		if ((int)a[1] == RLIMIT_FSIZE && a[2])
			shim_fsize_changed();
		return r;
#ifdef SYS_setrlimit
	case SYS_setrlimit:
		r = raw_passthrough(nr, a);
		if ((int)a[0] == RLIMIT_FSIZE)
			shim_fsize_changed();
		return r;
#endif
#ifdef SYS_open
	case SYS_open:
		return open((const char *)a[0], (int)a[1], (mode_t)a[2]);
	case SYS_creat:
		return creat((const char *)a[0], (mode_t)a[1]);
	case SYS_readlink:
		return readlink((const char *)a[0], (char *)a[1], (size_t)a[2]);
#endif
	default:
		break;
	}
	return raw_passthrough(nr, a);
}

SHIM_EXPORT long syscall(long nr, ...)
{
	long a[6];
	va_list ap;

	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (SHIM_LIKELY(!syscall_wanted(nr)) || shim_busy)
		return raw_passthrough(nr, a);
	return raw_call(nr, a);
}
