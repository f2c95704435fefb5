/* SPDX-License-Identifier: MIT */
/*
 * real.c: the definitions the shim's exported functions stand in front of.
 *
 * Every pointer of shim_real starts at a resolver: the first call looks the
 * next definition up with dlsym(RTLD_NEXT), stores it and calls it; later
 * calls go straight to libc. Nothing runs at load time. Two threads may
 * resolve the same function at once; both store the same pointer.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <unistd.h>

#include "shim.h"

static void *lookup(const char *sym)
{
	return dlsym(RTLD_NEXT, sym);
}

#define FAIL_ERRNO  \
	errno = ENOSYS; \
	return -1
#define FAIL_MAP    \
	errno = ENOSYS; \
	return MAP_FAILED
#define FAIL_RETURN return ENOSYS

/* r_NAME(PARAMS): resolve shim_real.NAME from SYM, then call it with ARGS */
#define RESOLVER(ret, name, sym, params, args, fail)        \
	static ret r_##name params                          \
	{                                                   \
		void *p = lookup(sym);                      \
		if (!p) {                                   \
			fail;                               \
		}                                           \
		memcpy(&shim_real.name, &p, sizeof(p));     \
		return shim_real.name args;                 \
	}

RESOLVER(int, memfd_create, "memfd_create", (const char *a, unsigned int b),
	 (a, b), FAIL_ERRNO)
RESOLVER(int, dup, "dup", (int a), (a), FAIL_ERRNO)
RESOLVER(int, dup2, "dup2", (int a, int b), (a, b), FAIL_ERRNO)
RESOLVER(int, dup3, "dup3", (int a, int b, int c), (a, b, c), FAIL_ERRNO)
RESOLVER(int, ftruncate, "ftruncate", (int a, off_t b), (a, b), FAIL_ERRNO)
RESOLVER(int, ftruncate64, "ftruncate64", (int a, off64_t b), (a, b),
	 FAIL_ERRNO)
RESOLVER(int, truncate, "truncate", (const char *a, off_t b), (a, b),
	 FAIL_ERRNO)
RESOLVER(int, truncate64, "truncate64", (const char *a, off64_t b), (a, b),
	 FAIL_ERRNO)
RESOLVER(int, creat, "creat", (const char *a, mode_t b), (a, b), FAIL_ERRNO)
RESOLVER(int, creat64, "creat64", (const char *a, mode_t b), (a, b),
	 FAIL_ERRNO)
RESOLVER(int, open_2, "__open_2", (const char *a, int b), (a, b), FAIL_ERRNO)
RESOLVER(int, open64_2, "__open64_2", (const char *a, int b), (a, b),
	 FAIL_ERRNO)
RESOLVER(int, openat_2, "__openat_2", (int a, const char *b, int c),
	 (a, b, c), FAIL_ERRNO)
RESOLVER(int, openat64_2, "__openat64_2", (int a, const char *b, int c),
	 (a, b, c), FAIL_ERRNO)
RESOLVER(ssize_t, write, "write", (int a, const void *b, size_t c),
	 (a, b, c), FAIL_ERRNO)
RESOLVER(ssize_t, pwrite, "pwrite", (int a, const void *b, size_t c, off_t d),
	 (a, b, c, d), FAIL_ERRNO)
RESOLVER(ssize_t, pwrite64, "pwrite64",
	 (int a, const void *b, size_t c, off64_t d), (a, b, c, d), FAIL_ERRNO)
RESOLVER(ssize_t, writev, "writev", (int a, const struct iovec *b, int c),
	 (a, b, c), FAIL_ERRNO)
RESOLVER(ssize_t, pwritev, "pwritev",
	 (int a, const struct iovec *b, int c, off_t d), (a, b, c, d),
	 FAIL_ERRNO)
RESOLVER(ssize_t, pwritev64, "pwritev64",
	 (int a, const struct iovec *b, int c, off64_t d), (a, b, c, d),
	 FAIL_ERRNO)
RESOLVER(ssize_t, pwritev2, "pwritev2",
	 (int a, const struct iovec *b, int c, off_t d, int e),
	 (a, b, c, d, e), FAIL_ERRNO)
RESOLVER(ssize_t, pwritev64v2, "pwritev64v2",
	 (int a, const struct iovec *b, int c, off64_t d, int e),
	 (a, b, c, d, e), FAIL_ERRNO)
RESOLVER(int, fallocate, "fallocate", (int a, int b, off_t c, off_t d),
	 (a, b, c, d), FAIL_ERRNO)
RESOLVER(int, fallocate64, "fallocate64",
	 (int a, int b, off64_t c, off64_t d),
	 (a, b, c, d), FAIL_ERRNO)
RESOLVER(int, posix_fallocate, "posix_fallocate", (int a, off_t b, off_t c),
	 (a, b, c), FAIL_RETURN)
RESOLVER(int, posix_fallocate64, "posix_fallocate64",
	 (int a, off64_t b, off64_t c), (a, b, c), FAIL_RETURN)
RESOLVER(ssize_t, sendfile, "sendfile", (int a, int b, off_t *c, size_t d),
	 (a, b, c, d), FAIL_ERRNO)
RESOLVER(ssize_t, sendfile64, "sendfile64",
	 (int a, int b, off64_t *c, size_t d), (a, b, c, d), FAIL_ERRNO)
RESOLVER(ssize_t, splice, "splice",
	 (int a, loff_t *b, int c, loff_t *d, size_t e, unsigned int f),
	 (a, b, c, d, e, f), FAIL_ERRNO)
RESOLVER(ssize_t, copy_file_range, "copy_file_range",
	 (int a, loff_t *b, int c, loff_t *d, size_t e, unsigned int f),
	 (a, b, c, d, e, f), FAIL_ERRNO)
RESOLVER(void *, mmap, "mmap",
	 (void *a, size_t b, int c, int d, int e, off_t f),
	 (a, b, c, d, e, f), FAIL_MAP)
RESOLVER(void *, mmap64, "mmap64",
	 (void *a, size_t b, int c, int d, int e, off64_t f),
	 (a, b, c, d, e, f), FAIL_MAP)
RESOLVER(int, madvise, "madvise", (void *a, size_t b, int c), (a, b, c),
	 FAIL_ERRNO)
RESOLVER(int, fchmod, "fchmod", (int a, mode_t b), (a, b), FAIL_ERRNO)
RESOLVER(int, chmod, "chmod", (const char *a, mode_t b), (a, b), FAIL_ERRNO)
RESOLVER(int, fchmodat, "fchmodat", (int a, const char *b, mode_t c, int d),
	 (a, b, c, d), FAIL_ERRNO)
RESOLVER(ssize_t, readlink, "readlink", (const char *a, char *b, size_t c),
	 (a, b, c), FAIL_ERRNO)
RESOLVER(ssize_t, readlinkat, "readlinkat",
	 (int a, const char *b, char *c, size_t d), (a, b, c, d), FAIL_ERRNO)
RESOLVER(ssize_t, readlink_chk, "__readlink_chk",
	 (const char *a, char *b, size_t c, size_t d), (a, b, c, d),
	 FAIL_ERRNO)
RESOLVER(ssize_t, readlinkat_chk, "__readlinkat_chk",
	 (int a, const char *b, char *c, size_t d, size_t e), (a, b, c, d, e),
	 FAIL_ERRNO)
RESOLVER(ssize_t, recvmsg, "recvmsg", (int a, struct msghdr *b, int c),
	 (a, b, c), FAIL_ERRNO)
RESOLVER(ssize_t, sendmsg, "sendmsg", (int a, const struct msghdr *b, int c),
	 (a, b, c), FAIL_ERRNO)

RESOLVER(int, execve, "execve",
	 (const char *a, char *const b[], char *const c[]), (a, b, c),
	 FAIL_ERRNO)
RESOLVER(int, fexecve, "fexecve", (int a, char *const b[], char *const c[]),
	 (a, b, c), FAIL_ERRNO)
RESOLVER(int, execveat, "execveat",
	 (int a, const char *b, char *const c[], char *const d[], int e),
	 (a, b, c, d, e), FAIL_ERRNO)
RESOLVER(int, linkat, "linkat",
	 (int a, const char *b, int c, const char *d, int e), (a, b, c, d, e),
	 FAIL_ERRNO)

RESOLVER(int, setrlimit, "setrlimit", (int a, const struct rlimit *b), (a, b),
	 FAIL_ERRNO)
RESOLVER(int, setrlimit64, "setrlimit64", (int a, const struct rlimit64 *b),
	 (a, b), FAIL_ERRNO)
RESOLVER(int, prlimit, "prlimit",
	 (pid_t a, int b, const struct rlimit *c, struct rlimit *d),
	 (a, b, c, d), FAIL_ERRNO)
RESOLVER(int, prlimit64, "prlimit64",
	 (pid_t a, int b, const struct rlimit64 *c, struct rlimit64 *d),
	 (a, b, c, d), FAIL_ERRNO)

/* ---- the variadic ones ---------------------------------------------------- */

static long r_syscall(long nr, ...)
{
	void *p = lookup("syscall");
	long a[6];
	va_list ap;

	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (!p) {
		errno = ENOSYS;
		return -1;
	}
	memcpy(&shim_real.syscall, &p, sizeof(p));
	return shim_real.syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

#define FCNTL_RESOLVER(name, sym)                                  \
	static int r_##name(int fd, int cmd, ...)                  \
	{                                                          \
		void *p = lookup(sym);                             \
		void *arg;                                         \
		va_list ap;                                        \
		va_start(ap, cmd);                                 \
		arg = va_arg(ap, void *);                          \
		va_end(ap);                                        \
		if (!p) {                                          \
			errno = ENOSYS;                            \
			return -1;                                 \
		}                                                  \
		memcpy(&shim_real.name, &p, sizeof(p));            \
		return shim_real.name(fd, cmd, arg);               \
	}

FCNTL_RESOLVER(fcntl, "fcntl")
FCNTL_RESOLVER(fcntl64, "fcntl64")

static mode_t mode_arg(int flags, va_list ap)
{
	/* like libc: the mode is there only with O_CREAT or O_TMPFILE */
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
		return (mode_t)va_arg(ap, unsigned int);
	return 0;
}

#define OPEN_RESOLVER(name, sym)                                   \
	static int r_##name(const char *path, int flags, ...)      \
	{                                                          \
		void *p = lookup(sym);                             \
		mode_t mode;                                       \
		va_list ap;                                        \
		va_start(ap, flags);                               \
		mode = mode_arg(flags, ap);                        \
		va_end(ap);                                        \
		if (!p) {                                          \
			errno = ENOSYS;                            \
			return -1;                                 \
		}                                                  \
		memcpy(&shim_real.name, &p, sizeof(p));            \
		return shim_real.name(path, flags, mode);          \
	}

#define OPENAT_RESOLVER(name, sym)                                        \
	static int r_##name(int dirfd, const char *path, int flags, ...) \
	{                                                                 \
		void *p = lookup(sym);                                    \
		mode_t mode;                                              \
		va_list ap;                                               \
		va_start(ap, flags);                                      \
		mode = mode_arg(flags, ap);                               \
		va_end(ap);                                               \
		if (!p) {                                                 \
			errno = ENOSYS;                                   \
			return -1;                                        \
		}                                                         \
		memcpy(&shim_real.name, &p, sizeof(p));                   \
		return shim_real.name(dirfd, path, flags, mode);          \
	}

OPEN_RESOLVER(open, "open")
OPEN_RESOLVER(open64, "open64")
OPENAT_RESOLVER(openat, "openat")
OPENAT_RESOLVER(openat64, "openat64")

RESOLVER(int, close, "close", (int a), (a), FAIL_ERRNO)
RESOLVER(int, fclose, "fclose", (FILE *a), (a), FAIL_ERRNO)
RESOLVER(FILE *, freopen, "freopen", (const char *a, const char *b, FILE *c),
	 (a, b, c), errno = ENOSYS; return NULL)
RESOLVER(FILE *, freopen64, "freopen64",
	 (const char *a, const char *b, FILE *c), (a, b, c),
	 errno = ENOSYS; return NULL)
RESOLVER(int, close_range, "close_range",
	 (unsigned int a, unsigned int b, int c), (a, b, c), FAIL_ERRNO)
/* before glibc 2.34 there is none: the program cannot be calling it */
static void r_closefrom(int a)
{
	void *p = lookup("closefrom");

	if (!p)
		return;
	memcpy(&shim_real.closefrom, &p, sizeof(p));
	shim_real.closefrom(a);
}

struct shim_real shim_real = {
	.memfd_create = r_memfd_create,
	.syscall = r_syscall,
	.fcntl = r_fcntl,
	.fcntl64 = r_fcntl64,
	.dup = r_dup,
	.dup2 = r_dup2,
	.dup3 = r_dup3,
	.ftruncate = r_ftruncate,
	.ftruncate64 = r_ftruncate64,
	.truncate = r_truncate,
	.truncate64 = r_truncate64,
	.open = r_open,
	.open64 = r_open64,
	.openat = r_openat,
	.openat64 = r_openat64,
	.creat = r_creat,
	.creat64 = r_creat64,
	.open_2 = r_open_2,
	.open64_2 = r_open64_2,
	.openat_2 = r_openat_2,
	.openat64_2 = r_openat64_2,
	.write = r_write,
	.pwrite = r_pwrite,
	.pwrite64 = r_pwrite64,
	.writev = r_writev,
	.pwritev = r_pwritev,
	.pwritev64 = r_pwritev64,
	.pwritev2 = r_pwritev2,
	.pwritev64v2 = r_pwritev64v2,
	.fallocate = r_fallocate,
	.fallocate64 = r_fallocate64,
	.posix_fallocate = r_posix_fallocate,
	.posix_fallocate64 = r_posix_fallocate64,
	.sendfile = r_sendfile,
	.sendfile64 = r_sendfile64,
	.splice = r_splice,
	.copy_file_range = r_copy_file_range,
	.mmap = r_mmap,
	.mmap64 = r_mmap64,
	.madvise = r_madvise,
	.fchmod = r_fchmod,
	.chmod = r_chmod,
	.fchmodat = r_fchmodat,
	.readlink = r_readlink,
	.readlinkat = r_readlinkat,
	.readlink_chk = r_readlink_chk,
	.readlinkat_chk = r_readlinkat_chk,
	.recvmsg = r_recvmsg,
	.execve = r_execve,
	.fexecve = r_fexecve,
	.execveat = r_execveat,
	.linkat = r_linkat,
	.setrlimit = r_setrlimit,
	.setrlimit64 = r_setrlimit64,
	.prlimit = r_prlimit,
	.prlimit64 = r_prlimit64,
	.sendmsg = r_sendmsg,
	.close = r_close,
	.fclose = r_fclose,
	.freopen = r_freopen,
	.freopen64 = r_freopen64,
	.close_range = r_close_range,
	.closefrom = r_closefrom,
};

long shim_raw(long nr, long a, long b, long c, long d, long e, long f)
{
	return shim_real.syscall(nr, a, b, c, d, e, f);
}
