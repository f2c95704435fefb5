/* SPDX-License-Identifier: MIT */
/*
 * conform: the live conformance cases for memfd_create() and file sealing.
 *
 * Every case runs the real system calls in its own forked child (so a crash
 * or SIGBUS is a result, not the end of the run) and prints one line,
 *
 *     CASE_NAME RESULT
 *
 * where RESULT is `ok`, `ok=VALUE`, an errno name (EPERM, EINVAL, ...),
 * `SIGNAL=SIGNAME`, `TIMEOUT`, or `SETUP:STEP=ERRNO` when the case could not
 * get as far as the call it tests. Results never contain pids, fd numbers
 * or addresses, so the output of a native run and of a run under
 * `sealbox run --emulate=all --` can be diffed line by line
 * (tests/live/run-live.sh does that against tests/live/expected/).
 *
 * Usage: conform [--list] [--all] [--group=G[,G...]] [CASE...]
 *   With no CASE and no --group, runs every group except `hugetlb`, whose
 *   results depend on the huge pages configured on the machine. A CASE
 *   ending in `*` selects every case with that prefix.
 *
 * Only libc: the program must also link with -static (for qemu guests).
 * memfd_create and fcntl are called through syscall() so the exact 64-bit
 * arguments reach the kernel (upper-32-bit cases), and every constant newer
 * than old headers is defined here with #ifndef.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- kernel constants that old headers may lack ---- */

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif
#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING 0x0002U
#endif
#ifndef MFD_HUGETLB
#define MFD_HUGETLB 0x0004U
#endif
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#define HUGE_SIZE_FLAG(log2) ((unsigned long)(log2) << 26)

#ifndef F_LINUX_SPECIFIC_BASE
#define F_LINUX_SPECIFIC_BASE 1024
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS (F_LINUX_SPECIFIC_BASE + 9)
#endif
#ifndef F_GET_SEALS
#define F_GET_SEALS (F_LINUX_SPECIFIC_BASE + 10)
#endif
#ifndef F_SEAL_SEAL
#define F_SEAL_SEAL 0x0001
#endif
#ifndef F_SEAL_SHRINK
#define F_SEAL_SHRINK 0x0002
#endif
#ifndef F_SEAL_GROW
#define F_SEAL_GROW 0x0004
#endif
#ifndef F_SEAL_WRITE
#define F_SEAL_WRITE 0x0008
#endif
#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 0x01
#endif
#ifndef FALLOC_FL_PUNCH_HOLE
#define FALLOC_FL_PUNCH_HOLE 0x02
#endif
#ifndef FALLOC_FL_COLLAPSE_RANGE
#define FALLOC_FL_COLLAPSE_RANGE 0x08
#endif
#ifndef FALLOC_FL_ZERO_RANGE
#define FALLOC_FL_ZERO_RANGE 0x10
#endif
#ifndef FALLOC_FL_INSERT_RANGE
#define FALLOC_FL_INSERT_RANGE 0x20
#endif
#ifndef FALLOC_FL_UNSHARE_RANGE
#define FALLOC_FL_UNSHARE_RANGE 0x40
#endif
/* 6.17 FALLOC_FL_WRITE_ZEROES; older kernels: an unknown mode bit */
#define FALLOC_MODE_0x80 0x80

#ifndef RWF_APPEND
#define RWF_APPEND 0x00000010
#endif
#ifndef MADV_REMOVE
#define MADV_REMOVE 9
#endif
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
#ifndef O_PATH
#define O_PATH 010000000
#endif
#ifndef O_TMPFILE
#define O_TMPFILE (020000000 | O_DIRECTORY)
#endif
#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif
#ifndef HUGETLBFS_MAGIC
#define HUGETLBFS_MAGIC 0x958458f6
#endif

/* syscall numbers: unified tables for the recent ones */
#ifndef __NR_memfd_create
#if defined(__x86_64__)
#define __NR_memfd_create 319
#elif defined(__i386__)
#define __NR_memfd_create 356
#elif defined(__aarch64__) || defined(__riscv) || defined(__loongarch__)
#define __NR_memfd_create 279
#else
#error "no __NR_memfd_create for this architecture"
#endif
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd 438
#endif
#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452
#endif
#ifndef __NR_execveat
#if defined(__x86_64__)
#define __NR_execveat 322
#elif defined(__i386__)
#define __NR_execveat 358
#else
#define __NR_execveat 281
#endif
#endif

/* the kernel's O_LARGEFILE bit as F_GETFL reports it (glibc says 0) */
#if defined(__aarch64__) || defined(__arm__)
#define KERNEL_O_LARGEFILE 0400000
#elif defined(__powerpc__) || defined(__powerpc64__)
#define KERNEL_O_LARGEFILE 0200000
#else
#define KERNEL_O_LARGEFILE 0100000
#endif

#define CASE_TIMEOUT 10	  /* seconds per case */
#define MAX_CASES 1024
#define RESULT_MAX 512
#define FILE_SIZE 4096	  /* the usual size of a case's memfd */
#define NAME_MAX_MEMFD 249 /* longest name memfd_create accepts */

extern char **environ;

/* ---- names for errnos and signals ---- */

struct code_name {
	int code;
	const char *name;
};

static const struct code_name errno_names[] = {
	{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { ESRCH, "ESRCH" },
	{ EINTR, "EINTR" }, { EIO, "EIO" }, { ENXIO, "ENXIO" },
	{ E2BIG, "E2BIG" }, { ENOEXEC, "ENOEXEC" }, { EBADF, "EBADF" },
	{ ECHILD, "ECHILD" }, { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" },
	{ EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { ENOTBLK, "ENOTBLK" },
	{ EBUSY, "EBUSY" }, { EEXIST, "EEXIST" }, { EXDEV, "EXDEV" },
	{ ENODEV, "ENODEV" }, { ENOTDIR, "ENOTDIR" }, { EISDIR, "EISDIR" },
	{ EINVAL, "EINVAL" }, { ENFILE, "ENFILE" }, { EMFILE, "EMFILE" },
	{ ENOTTY, "ENOTTY" }, { ETXTBSY, "ETXTBSY" }, { EFBIG, "EFBIG" },
	{ ENOSPC, "ENOSPC" }, { ESPIPE, "ESPIPE" }, { EROFS, "EROFS" },
	{ EMLINK, "EMLINK" }, { EPIPE, "EPIPE" }, { EDOM, "EDOM" },
	{ ERANGE, "ERANGE" }, { EDEADLK, "EDEADLK" },
	{ ENAMETOOLONG, "ENAMETOOLONG" }, { ENOLCK, "ENOLCK" },
	{ ENOSYS, "ENOSYS" }, { ENOTEMPTY, "ENOTEMPTY" }, { ELOOP, "ELOOP" },
	{ ENOMSG, "ENOMSG" }, { EIDRM, "EIDRM" }, { ENODATA, "ENODATA" },
	{ ETIME, "ETIME" }, { ENOLINK, "ENOLINK" }, { EPROTO, "EPROTO" },
	{ EBADMSG, "EBADMSG" }, { EOVERFLOW, "EOVERFLOW" },
	{ EBADFD, "EBADFD" }, { EILSEQ, "EILSEQ" }, { ENOTSOCK, "ENOTSOCK" },
	{ EDESTADDRREQ, "EDESTADDRREQ" }, { EMSGSIZE, "EMSGSIZE" },
	{ EPROTOTYPE, "EPROTOTYPE" }, { ENOPROTOOPT, "ENOPROTOOPT" },
	{ EPROTONOSUPPORT, "EPROTONOSUPPORT" },
	{ EOPNOTSUPP, "EOPNOTSUPP" }, { EAFNOSUPPORT, "EAFNOSUPPORT" },
	{ EADDRINUSE, "EADDRINUSE" }, { ENETDOWN, "ENETDOWN" },
	{ ECONNRESET, "ECONNRESET" }, { ENOBUFS, "ENOBUFS" },
	{ EISCONN, "EISCONN" }, { ENOTCONN, "ENOTCONN" },
	{ ETIMEDOUT, "ETIMEDOUT" }, { ECONNREFUSED, "ECONNREFUSED" },
	{ EALREADY, "EALREADY" }, { EINPROGRESS, "EINPROGRESS" },
	{ ESTALE, "ESTALE" }, { EDQUOT, "EDQUOT" },
	{ ENOMEDIUM, "ENOMEDIUM" }, { ECANCELED, "ECANCELED" },
	{ ENOKEY, "ENOKEY" }, { EOWNERDEAD, "EOWNERDEAD" },
	{ ENOTRECOVERABLE, "ENOTRECOVERABLE" }, { ERFKILL, "ERFKILL" },
	{ EHWPOISON, "EHWPOISON" },
};

static const struct code_name signal_names[] = {
	{ SIGHUP, "SIGHUP" }, { SIGINT, "SIGINT" }, { SIGQUIT, "SIGQUIT" },
	{ SIGILL, "SIGILL" }, { SIGTRAP, "SIGTRAP" }, { SIGABRT, "SIGABRT" },
	{ SIGBUS, "SIGBUS" }, { SIGFPE, "SIGFPE" }, { SIGKILL, "SIGKILL" },
	{ SIGUSR1, "SIGUSR1" }, { SIGSEGV, "SIGSEGV" }, { SIGUSR2, "SIGUSR2" },
	{ SIGPIPE, "SIGPIPE" }, { SIGALRM, "SIGALRM" }, { SIGTERM, "SIGTERM" },
	{ SIGCHLD, "SIGCHLD" }, { SIGCONT, "SIGCONT" }, { SIGSTOP, "SIGSTOP" },
	{ SIGTSTP, "SIGTSTP" }, { SIGTTIN, "SIGTTIN" }, { SIGTTOU, "SIGTTOU" },
	{ SIGURG, "SIGURG" }, { SIGXCPU, "SIGXCPU" }, { SIGXFSZ, "SIGXFSZ" },
	{ SIGVTALRM, "SIGVTALRM" }, { SIGPROF, "SIGPROF" },
	{ SIGWINCH, "SIGWINCH" }, { SIGIO, "SIGIO" }, { SIGPWR, "SIGPWR" },
	{ SIGSYS, "SIGSYS" },
};

static const char *code_name(const struct code_name *t, size_t n, int code,
			     char *buf, size_t len, const char *unknown)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].code == code)
			return t[i].name;
	snprintf(buf, len, "%s%d", unknown, code);
	return buf;
}

static const char *errno_name(int e)
{
	static char buf[32];

	return code_name(errno_names, sizeof(errno_names) / sizeof(errno_names[0]),
			 e, buf, sizeof(buf), "ERRNO=");
}

static const char *signal_name(int s)
{
	static char buf[32];

	return code_name(signal_names,
			 sizeof(signal_names) / sizeof(signal_names[0]), s, buf,
			 sizeof(buf), "SIG");
}

/* ---- reporting from inside a case ---- */

/* where report() writes: the pipe to whoever forked this process */
static int result_fd = -1;

static void report(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

static void report(const char *fmt, ...)
{
	char buf[RESULT_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	if (result_fd >= 0 && write(result_fd, buf, (size_t)n) < 0)
		_exit(3);
	_exit(0);
}

static void report_errno(int e) __attribute__((noreturn));
static void report_errno(int e)
{
	report("%s", errno_name(e));
}

/* rc < 0: the errno of the call that just returned; else plain ok */
static void report_rc(long rc) __attribute__((noreturn));
static void report_rc(long rc)
{
	int e = errno;

	if (rc < 0)
		report_errno(e);
	report("ok");
}

/* a step before the call under test failed */
static void setup_fail(const char *step) __attribute__((noreturn));
static void setup_fail(const char *step)
{
	int e = errno;

	report("SETUP:%s=%s", step, errno_name(e));
}

/* ---- raw calls ---- */

static long sys_memfd_create(const char *name, unsigned long flags)
{
	return syscall(__NR_memfd_create, name, flags);
}

static long add_seals(int fd, unsigned long seals)
{
	return syscall(SYS_fcntl, fd, F_ADD_SEALS, seals);
}

static long get_seals(int fd)
{
	return syscall(SYS_fcntl, fd, F_GET_SEALS, 0UL);
}

/* ---- setup helpers: each either succeeds or ends the case ---- */

static int mfd_new(unsigned long flags)
{
	long fd = sys_memfd_create("conform", flags);

	if (fd < 0)
		setup_fail("memfd_create");
	return (int)fd;
}

static void fill(int fd, size_t size, char c)
{
	char buf[4096];

	memset(buf, c, sizeof(buf));
	for (size_t done = 0; done < size;) {
		size_t n = size - done < sizeof(buf) ? size - done : sizeof(buf);
		ssize_t w = pwrite(fd, buf, n, (off_t)done);

		if (w <= 0)
			setup_fail("fill");
		done += (size_t)w;
	}
}

static void seal(int fd, unsigned long seals)
{
	if (add_seals(fd, seals) < 0)
		setup_fail("add_seals");
}

static void proc_fd_path(int fd, char *buf, size_t len)
{
	snprintf(buf, len, "/proc/self/fd/%d", fd);
}

static int reopen(int fd, int flags)
{
	char path[64];
	int nfd;

	proc_fd_path(fd, path, sizeof(path));
	nfd = open(path, flags);
	if (nfd < 0)
		setup_fail("reopen");
	return nfd;
}

static void *map(int fd, size_t len, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags, fd, 0);

	if (p == MAP_FAILED)
		setup_fail("mmap");
	return p;
}

static off_t file_size(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		setup_fail("fstat");
	return st.st_size;
}

static unsigned int file_mode(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		setup_fail("fstat");
	return st.st_mode & 07777;
}

static char byte_at(int fd, off_t off)
{
	char c = 0;

	if (pread(fd, &c, 1, off) != 1)
		setup_fail("pread");
	return c;
}

static void ignore_signal(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(sig, &sa, NULL);
}

/* text as a result: runs of 8+ equal bytes as C{N}, odd bytes as \xHH */
static void format_text(char *out, size_t outlen, const char *in, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 16 < outlen;) {
		unsigned char c = (unsigned char)in[i];
		size_t run = 1;
		int w;

		while (i + run < n && in[i + run] == in[i])
			run++;
		if (c < 0x20 || c >= 0x7f || c == '\\' || c == '{')
			w = snprintf(out + o, outlen - o, "\\x%02x", c);
		else
			w = snprintf(out + o, outlen - o, "%c", c);
		o += (size_t)w;
		if (run >= 8) {
			w = snprintf(out + o, outlen - o, "{%zu}", run);
			o += (size_t)w;
			i += run;
		} else {
			i++;
		}
	}
	out[o < outlen ? o : outlen - 1] = '\0';
}

static void report_text(const char *text, size_t n) __attribute__((noreturn));
static void report_text(const char *text, size_t n)
{
	char out[RESULT_MAX - 8];

	format_text(out, sizeof(out), text, n);
	report("ok=%s", out);
}

/* ---- sub-processes whose result comes back as text ---- */

struct sub {
	pid_t pid;
	int rfd;
};

typedef void sub_fn(void *ctx);

static void sub_start(struct sub *s, sub_fn *fn, void *ctx)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		setup_fail("pipe");
	s->pid = fork();
	if (s->pid < 0)
		setup_fail("fork");
	if (s->pid == 0) {
		close(p[0]);
		result_fd = p[1];
		fn(ctx);
		_exit(0); /* silent: the caller decides */
	}
	close(p[1]);
	s->rfd = p[0];
}

/* waits for the sub-process; its text (maybe empty) into buf; wait status */
static int sub_finish(struct sub *s, char *buf, size_t len)
{
	size_t got = 0;
	int status = 0;

	for (;;) {
		ssize_t n = read(s->rfd, buf + got, len - 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got == len - 1)
			break;
	}
	buf[got] = '\0';
	close(s->rfd);
	while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

/* ---- SCM_RIGHTS ---- */

static int send_fd(int sock, int fd)
{
	char data = 'F';
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { 0 };
	struct cmsghdr *cm;

	memset(&u, 0, sizeof(u));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char data;
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { 0 };
	struct cmsghdr *cm;
	int fd;

	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) {
		errno = EPROTO;
		return -1;
	}
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* ---- the case table ---- */

struct conform_case;
typedef void case_fn(const struct conform_case *c);

/* one operation of a matrix: run on a prepared memfd, then report */
struct op {
	const char *name;
	void (*run)(int fd);
	size_t init_size; /* bytes of 'a' written before the seals are added */
};

/* seals a matrix case adds after filling the file */
struct sealset {
	const char *label;
	unsigned int seals;
};

enum via { VIA_LOCAL, VIA_SCM };

struct conform_case {
	char name[96];
	const char *group;
	case_fn *fn;
	long a, b, c;	   /* parameters of single cases */
	const struct op *op; /* matrix cases */
	const struct sealset *ss;
	int via;
};

/* single cases: name, group, function, parameters */
struct single {
	const char *name;
	const char *group;
	case_fn *fn;
	long a, b, c;
};

/* ====================================================================
 * group create: memfd_create flags, names, initial state
 * ==================================================================== */

static void case_create_flags(const struct conform_case *c)
{
	report_rc(sys_memfd_create("conform", (unsigned long)c->a));
}

/* a = flags: F_GET_SEALS of the new memfd */
static void case_create_seals(const struct conform_case *c)
{
	int fd = mfd_new((unsigned long)c->a);
	long s = get_seals(fd);

	if (s < 0)
		report_errno(errno);
	report("ok=0x%lx", s);
}

/* a = flags, b = umask (or -1): st_mode & 07777 */
static void case_create_mode(const struct conform_case *c)
{
	int fd;

	if (c->b >= 0)
		umask((mode_t)c->b);
	fd = mfd_new((unsigned long)c->a);
	report("ok=0%o", file_mode(fd));
}

static void case_create_getfl(const struct conform_case *c)
{
	int fd = mfd_new((unsigned long)c->a);
	int fl = fcntl(fd, F_GETFL);
	const char *acc;

	if (fl < 0)
		report_errno(errno);
	acc = (fl & O_ACCMODE) == O_RDWR     ? "O_RDWR"
	      : (fl & O_ACCMODE) == O_RDONLY ? "O_RDONLY"
	      : (fl & O_ACCMODE) == O_WRONLY ? "O_WRONLY"
					     : "O_ACCMODE";
	fl &= ~O_ACCMODE;
	if (fl & KERNEL_O_LARGEFILE) {
		fl &= ~KERNEL_O_LARGEFILE;
		if (fl)
			report("ok=%s|O_LARGEFILE|0x%x", acc, (unsigned)fl);
		report("ok=%s|O_LARGEFILE", acc);
	}
	if (fl)
		report("ok=%s|0x%x", acc, (unsigned)fl);
	report("ok=%s", acc);
}

static void case_create_cloexec(const struct conform_case *c)
{
	int fd = mfd_new((unsigned long)c->a);
	int fl = fcntl(fd, F_GETFD);

	if (fl < 0)
		report_errno(errno);
	report("ok=%d", fl & FD_CLOEXEC);
}

/* a: 0 size, 1 nlink, 2 type, 3 owner, 4 blksize, 5 statfs type */
static void case_create_stat(const struct conform_case *c)
{
	int fd = mfd_new(0);
	struct stat st;
	struct statfs sfs;

	if (fstat(fd, &st) < 0)
		report_errno(errno);
	switch (c->a) {
	case 0:
		report("ok=%lld", (long long)st.st_size);
	case 1:
		report("ok=%lu", (unsigned long)st.st_nlink);
	case 2:
		report("ok=%s", S_ISREG(st.st_mode) ? "S_IFREG" : "other");
	case 3:
		report("ok=%s", st.st_uid == geteuid() && st.st_gid == getegid()
					? "caller"
					: "other");
	case 4:
		if (st.st_blksize == sysconf(_SC_PAGESIZE))
			report("ok=pagesize");
		report("ok=%ld", (long)st.st_blksize);
	default:
		if (fstatfs(fd, &sfs) < 0)
			report_errno(errno);
		report("ok=0x%lx", (unsigned long)sfs.f_type);
	}
}

/* two memfds: same st_dev, different st_ino */
static void case_create_two(const struct conform_case *c)
{
	int a = mfd_new(0), b = mfd_new(0);
	struct stat sa, sb;

	(void)c;
	if (fstat(a, &sa) < 0 || fstat(b, &sb) < 0)
		setup_fail("fstat");
	report("ok=%s-dev,%s-ino", sa.st_dev == sb.st_dev ? "same" : "other",
	       sa.st_ino == sb.st_ino ? "same" : "other");
}

/*
 * Many memfds come and go (a third closed after each round of 40): every
 * one still open holds its own content, no two share a descriptor, and
 * the numbers of closed ones come back (sealbox picks numbers for emulated
 * memfds and reclaims what nothing holds).
 */
static void case_create_churn(const struct conform_case *c)
{
	int fds[400], tags[400], n = 0, bad = 0;

	(void)c;
	for (int round = 0; round < 20; round++) {
		int kept = 0;

		/* at most 120 open: the reserved range of a supervised
		 * program with RLIMIT_NOFILE 1024 holds 256 */
		for (int i = 0; i < 40; i++) {
			int fd = mfd_new(0), tag = round * 1000 + i;

			if (pwrite(fd, &tag, sizeof(tag), 0) != sizeof(tag))
				setup_fail("pwrite");
			fds[n] = fd;
			tags[n++] = tag;
		}
		for (int i = 0; i < n; i++) {
			if ((i + round) % 3 == 0) {
				close(fds[i]);
				continue;
			}
			fds[kept] = fds[i];
			tags[kept++] = tags[i];
		}
		n = kept;
		for (int i = 0; i < n; i++) {
			int got = -1;

			if (pread(fds[i], &got, sizeof(got), 0) != sizeof(got) ||
			    got != tags[i])
				bad++;
		}
	}
	report("ok=%d-open,%d-wrong", n, bad);
}

static void case_create_sysctl(const struct conform_case *c)
{
	char buf[32] = "";
	int fd = open("/proc/sys/vm/memfd_noexec", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	(void)c;
	if (fd < 0)
		report_errno(errno);
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		report_errno(errno);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	report("ok=%s", buf);
}

/* a = flags, b = 1: NULL name, 2: bad flags: at RLIMIT_NOFILE */
static void case_create_emfile(const struct conform_case *c)
{
	struct rlimit rl = { 32, 32 };
	const char *name = c->b == 1 ? NULL : "conform";

	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		setup_fail("setrlimit");
	while (open("/dev/null", O_RDONLY) >= 0)
		;
	if (errno != EMFILE)
		setup_fail("fill-fd-table");
	report_rc(sys_memfd_create(name, (unsigned long)c->a));
}

/* a = length of a name of 'n', terminated */
static void case_name_len(const struct conform_case *c)
{
	char name[4096];

	memset(name, 'n', sizeof(name));
	name[c->a] = '\0';
	report_rc(sys_memfd_create(name, 0));
}

static void case_name_ff2048(const struct conform_case *c)
{
	char name[2049];

	memset(name, 0xff, sizeof(name));
	if (c->a)
		name[2048] = '\0';
	report_rc(sys_memfd_create(name, 0));
}

/* a = bytes before the page edge, b = 1 to put a NUL as the last one,
 * c = 0: the next page is PROT_NONE, 1: unmapped */
static void case_name_edge(const struct conform_case *c)
{
	long page = sysconf(_SC_PAGESIZE);
	char *base = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *name;

	if (base == MAP_FAILED)
		setup_fail("mmap");
	if (c->c == 0 && mprotect(base + page, (size_t)page, PROT_NONE) < 0)
		setup_fail("mprotect");
	if (c->c == 1 && munmap(base + page, (size_t)page) < 0)
		setup_fail("munmap");
	name = base + page - c->a;
	memset(name, 'u', (size_t)c->a);
	if (c->b)
		name[c->a - 1] = '\0';
	report_rc(sys_memfd_create(name, 0));
}

/* a = 0 NULL, 1 (char *)1, 2 kernel address, 3 unmapped page; b = flags */
static void case_name_bad_ptr(const struct conform_case *c)
{
	const char *name = NULL;

	if (c->a == 1)
		name = (const char *)(uintptr_t)1;
	if (c->a == 2)
		name = (const char *)(uintptr_t)(sizeof(void *) == 8
							? 0xffff888000000000ULL
							: 0xc0000000UL);
	if (c->a == 3) {
		long page = sysconf(_SC_PAGESIZE);
		char *p = mmap(NULL, (size_t)page, PROT_READ,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED || munmap(p, (size_t)page) < 0)
			setup_fail("mmap");
		name = p;
	}
	report_rc(sys_memfd_create(name, (unsigned long)c->b));
}

static const char *const odd_names[] = {
	"conform", "", "/", "..", "a b", "\xff\xfe", "tab\tnl\nend", "x/../y",
};

/* a = index into odd_names: create, then report the readlink text */
static void case_proc_readlink(const struct conform_case *c)
{
	const char *name = odd_names[c->a];
	char path[64], buf[PATH_MAX];
	long fd = sys_memfd_create(name, 0);
	ssize_t n;

	if (fd < 0)
		report_errno(errno);
	proc_fd_path((int)fd, path, sizeof(path));
	n = readlink(path, buf, sizeof(buf));
	if (n < 0)
		report_errno(errno);
	report_text(buf, (size_t)n);
}

static void case_proc_readlink_long(const struct conform_case *c)
{
	char name[NAME_MAX_MEMFD + 1], path[64], buf[PATH_MAX];
	long fd;
	ssize_t n;

	(void)c;
	memset(name, 'n', NAME_MAX_MEMFD);
	name[NAME_MAX_MEMFD] = '\0';
	fd = sys_memfd_create(name, 0);
	if (fd < 0)
		report_errno(errno);
	proc_fd_path((int)fd, path, sizeof(path));
	n = readlink(path, buf, sizeof(buf));
	if (n < 0)
		report_errno(errno);
	report_text(buf, (size_t)n);
}

/* the path column of the /proc/self/maps line that starts at addr */
static void report_maps_name(void *addr) __attribute__((noreturn));
static void report_maps_name(void *addr)
{
	char want[32], line[1024];
	FILE *f = fopen("/proc/self/maps", "re");

	if (!f)
		setup_fail("open-maps");
	snprintf(want, sizeof(want), "%lx-", (unsigned long)(uintptr_t)addr);
	while (fgets(line, sizeof(line), f)) {
		char *p = line;

		if (strncmp(line, want, strlen(want)) != 0)
			continue;
		line[strcspn(line, "\n")] = '\0';
		/* address perms offset dev inode path */
		for (int field = 0; field < 5 && p; field++) {
			p = strchr(p, ' ');
			while (p && *p == ' ')
				p++;
		}
		report_text(p ? p : "", p ? strlen(p) : 0);
	}
	report("NOTFOUND");
}

/* a = index into odd_names, b = mmap flags,
 * c = 1: map through an O_RDONLY reopen */
static void case_proc_maps(const struct conform_case *c)
{
	long fd = sys_memfd_create(odd_names[c->a], 0);
	int mfd;
	void *p;

	if (fd < 0)
		report_errno(errno);
	fill((int)fd, FILE_SIZE, 'a');
	mfd = c->c ? reopen((int)fd, O_RDONLY) : (int)fd;
	p = map(mfd, FILE_SIZE, PROT_READ, (int)c->b);
	report_maps_name(p);
}

/* a = memfd flags, b = 1: O_RDONLY reopen: the flags: line of fdinfo */
static void case_proc_fdinfo(const struct conform_case *c)
{
	int fd = mfd_new((unsigned long)c->a);
	char path[64], line[256];
	FILE *f;

	if (c->b)
		fd = reopen(fd, O_RDONLY);
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		setup_fail("open-fdinfo");
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags:", 6) == 0) {
			char *v = line + 6;

			v += strspn(v, " \t");
			v[strcspn(v, "\n")] = '\0';
			report("ok=%s", v);
		}
	}
	report("NOTFOUND");
}

/* a: 0 stat() mode, 1 stat() nlink, 2 statfs() type, 3 O_PATH fstat mode */
static void case_proc_stat(const struct conform_case *c)
{
	int fd = mfd_new(0);
	char path[64];
	struct stat st;
	struct statfs sfs;

	proc_fd_path(fd, path, sizeof(path));
	if (c->a == 2) {
		if (statfs(path, &sfs) < 0)
			report_errno(errno);
		report("ok=0x%lx", (unsigned long)sfs.f_type);
	}
	if (c->a == 3) {
		int pfd = open(path, O_PATH | O_CLOEXEC);

		if (pfd < 0)
			report_errno(errno);
		if (fstat(pfd, &st) < 0)
			report_errno(errno);
	} else if (stat(path, &st) < 0) {
		report_errno(errno);
	}
	if (c->a == 1)
		report("ok=%lu", (unsigned long)st.st_nlink);
	report("ok=0%o", (unsigned)(st.st_mode & 07777));
}

/* reopen via /proc/self/fd with flags a; report ok=same-inode */
static void case_proc_reopen(const struct conform_case *c)
{
	int fd = mfd_new(MFD_ALLOW_SEALING);
	char path[64];
	struct stat s1, s2;
	int nfd;

	proc_fd_path(fd, path, sizeof(path));
	nfd = open(path, (int)c->a | O_CLOEXEC);
	if (nfd < 0)
		report_errno(errno);
	if (fstat(fd, &s1) < 0 || fstat(nfd, &s2) < 0)
		setup_fail("fstat");
	report("ok=%s-inode", s1.st_ino == s2.st_ino && s1.st_dev == s2.st_dev
				      ? "same"
				      : "other");
}

/* writing through an O_RDONLY reopen */
static void case_proc_reopen_ro_write(const struct conform_case *c)
{
	int fd = reopen(mfd_new(0), O_RDONLY);

	(void)c;
	report_rc(write(fd, "x", 1));
}

/* linkat of the /proc link into /dev/shm */
static void case_proc_linkat(const struct conform_case *c)
{
	int fd = mfd_new(0);
	char path[64], dst[64];
	long rc;
	int e;

	(void)c;
	proc_fd_path(fd, path, sizeof(path));
	snprintf(dst, sizeof(dst), "/dev/shm/conform-link-%d", (int)getpid());
	rc = linkat(AT_FDCWD, path, AT_FDCWD, dst, AT_SYMLINK_FOLLOW);
	e = errno;
	if (rc == 0)
		unlink(dst);
	errno = e;
	report_rc(rc);
}

/* ====================================================================
 * group seals: F_ADD_SEALS / F_GET_SEALS
 * ==================================================================== */

/* a = memfd flags, b = first seals (or -1), c = seals to add:
 * report the result and, when ok, the seals */
static void case_seals_add(const struct conform_case *c)
{
	int fd = mfd_new((unsigned long)c->a);
	long s;

	if (c->b >= 0)
		seal(fd, (unsigned long)c->b);
	if (add_seals(fd, (unsigned long)c->c) < 0)
		report_errno(errno);
	s = get_seals(fd);
	if (s < 0)
		report_errno(errno);
	report("ok=0x%lx", s);
}

/* a = memfd flags, b = chmod mode before, c = seals to add */
static void case_seals_chmod_add(const struct conform_case *c)
{
	int fd = mfd_new((unsigned long)c->a);
	long s;

	if (fchmod(fd, (mode_t)c->b) < 0)
		setup_fail("fchmod");
	if (add_seals(fd, (unsigned long)c->c) < 0)
		report_errno(errno);
	s = get_seals(fd);
	if (s < 0)
		report_errno(errno);
	report("ok=0x%lx", s);
}

/* a = reopen flags, b = seals to add through the reopened fd, c = 1: GET */
static void case_seals_reopen(const struct conform_case *c)
{
	int fd = mfd_new(MFD_ALLOW_SEALING);
	int nfd = reopen(fd, (int)c->a | O_CLOEXEC);
	long s = -1;

	seal(fd, F_SEAL_SHRINK);
	if (c->c)
		s = get_seals(nfd);
	else if (add_seals(nfd, (unsigned long)c->b) < 0)
		report_errno(errno);
	else
		s = get_seals(fd);
	if (s < 0)
		report_errno(errno);
	report("ok=0x%lx", s);
}

/* upper bits on fd or cmd of the raw fcntl call: a = 0 fd, 1 cmd */
static void case_seals_wide_args(const struct conform_case *c)
{
	int fd = mfd_new(MFD_ALLOW_SEALING);
	unsigned long wide = 1UL << 32;
	long s;

	if (sizeof(long) < 8)
		report("ok=n/a");
	seal(fd, F_SEAL_GROW);
	if (c->a == 0)
		s = syscall(SYS_fcntl, wide | (unsigned long)fd, F_GET_SEALS, 0UL);
	else
		s = syscall(SYS_fcntl, fd, wide | F_GET_SEALS, 0UL);
	if (s < 0)
		report_errno(errno);
	report("ok=0x%lx", s);
}

/* a = 0 pipe read end, 1 write end, 2 socket, 3 /dev/null, 4 directory,
 * 5 O_PATH of a memfd, 6 closed fd; b = 0 add, 1 get */
static void case_seals_other_file(const struct conform_case *c)
{
	int fds[2], fd = -1;

	switch (c->a) {
	case 0:
	case 1:
		if (pipe2(fds, O_CLOEXEC) < 0)
			setup_fail("pipe");
		fd = fds[c->a];
		break;
	case 2:
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
			setup_fail("socketpair");
		fd = fds[0];
		break;
	case 3:
		fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		break;
	case 4:
		fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		break;
	case 5:
		fd = reopen(mfd_new(MFD_ALLOW_SEALING), O_PATH | O_CLOEXEC);
		break;
	default:
		fd = mfd_new(MFD_ALLOW_SEALING);
		close(fd);
		break;
	}
	if (c->a != 6 && fd < 0)
		setup_fail("open");
	if (c->b)
		report_rc(get_seals(fd) < 0 ? -1 : 0);
	report_rc(add_seals(fd, F_SEAL_SHRINK));
}

/* a regular file outside tmpfs: a = open flags, b = 0 add, 1 get */
static void case_seals_disk_file(const struct conform_case *c)
{
	static const char *const dirs[] = { "/var/tmp", "/tmp", "." };
	char path[PATH_MAX];
	int fd = -1;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && fd < 0; i++) {
		struct statfs sfs;

		if (statfs(dirs[i], &sfs) < 0 || sfs.f_type == TMPFS_MAGIC)
			continue;
		snprintf(path, sizeof(path), "%s/conform-disk-%d", dirs[i],
			 (int)getpid());
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			int nfd = open(path, (int)c->a | O_CLOEXEC);

			unlink(path);
			close(fd);
			fd = nfd;
			if (fd < 0)
				setup_fail("reopen");
		}
	}
	if (fd < 0)
		report("SKIP:no-writable-non-tmpfs-dir");
	if (c->b) {
		long s = get_seals(fd);

		if (s < 0)
			report_errno(errno);
		report("ok=0x%lx", s);
	}
	report_rc(add_seals(fd, F_SEAL_SHRINK));
}

/* a file on /dev/shm: a = 0 named, 1 O_TMPFILE; b = 0 add, 1 get,
 * c = open flags of the fd used */
static void case_seals_devshm(const struct conform_case *c)
{
	char path[64];
	int fd;

	if (c->a) {
		fd = open("/dev/shm", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (fd < 0)
			setup_fail("open-tmpfile");
	} else {
		snprintf(path, sizeof(path), "/dev/shm/conform-%d", (int)getpid());
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			setup_fail("open");
		unlink(path);
	}
	if (c->c != O_RDWR)
		fd = reopen(fd, (int)c->c | O_CLOEXEC);
	if (c->b) {
		long s = get_seals(fd);

		if (s < 0)
			report_errno(errno);
		report("ok=0x%lx", s);
	}
	report_rc(add_seals(fd, F_SEAL_SHRINK));
}

/* a = seals to add while a mapping exists; b & 0xff = mapping kind:
 * 0 shared RW, 1 shared RO via O_RDWR, 2 shared RO via O_RDONLY reopen,
 * 3 private RW, 4 shared RW then munmap, 5 shared RW and close(fd) through a
 * dup (the mapping stays), 6 shared RW mprotected to RO;
 * c = memfd chmod mode before (0 = leave); b & 0x100: report the seals
 * after the attempt (EBUSY is all-or-nothing) instead of its result */
static void case_seals_with_map(const struct conform_case *c)
{
	int fd = mfd_new(MFD_ALLOW_SEALING);
	int mfd = fd, sfd = fd;
	int prot = PROT_READ | PROT_WRITE, flags = MAP_SHARED;
	int kind = (int)(c->b & 0xff);
	long rc;
	void *p;

	fill(fd, FILE_SIZE, 'a');
	if (c->c && fchmod(fd, (mode_t)c->c) < 0)
		setup_fail("fchmod");
	if (kind == 1)
		prot = PROT_READ;
	if (kind == 2) {
		prot = PROT_READ;
		mfd = reopen(fd, O_RDONLY | O_CLOEXEC);
	}
	if (kind == 3)
		flags = MAP_PRIVATE;
	if (kind == 5) {
		mfd = dup(fd);
		if (mfd < 0)
			setup_fail("dup");
	}
	p = map(mfd, FILE_SIZE, prot, flags);
	if (kind == 4 && munmap(p, FILE_SIZE) < 0)
		setup_fail("munmap");
	if (kind == 5)
		close(mfd);
	if (kind == 6 && mprotect(p, FILE_SIZE, PROT_READ) < 0)
		setup_fail("mprotect");
	rc = add_seals(sfd, (unsigned long)c->a);
	if (rc < 0 && !(c->b & 0x100))
		report_errno(errno);
	report("ok=0x%lx", get_seals(fd));
}

/* an RW shared mapping inherited by a forked child: a = 0 seal while the
 * child lives (parent has unmapped), 1 after the child exited */
static void case_seals_fork_map(const struct conform_case *c)
{
	int fd = mfd_new(MFD_ALLOW_SEALING);
	int sync[2];
	char x;
	pid_t pid;
	void *p;

	fill(fd, FILE_SIZE, 'a');
	p = map(fd, FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED);
	if (pipe2(sync, O_CLOEXEC) < 0)
		setup_fail("pipe");
	pid = fork();
	if (pid < 0)
		setup_fail("fork");
	if (pid == 0) {
		close(sync[1]);
		while (read(sync[0], &x, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(sync[0]);
	if (munmap(p, FILE_SIZE) < 0)
		setup_fail("munmap");
	if (c->a == 1) {
		close(sync[1]);
		waitpid(pid, NULL, 0);
	}
	if (add_seals(fd, F_SEAL_WRITE) < 0)
		report_errno(errno);
	report("ok=0x%lx", get_seals(fd));
}

/* FUTURE_WRITE then WRITE: a = 0 RW shared mapping made before FW,
 * 1 RO shared mapping through O_RDWR made after FW */
static void case_seals_fw_then_w(const struct conform_case *c)
{
	int fd = mfd_new(MFD_ALLOW_SEALING);

	fill(fd, FILE_SIZE, 'a');
	if (c->a == 0)
		map(fd, FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED);
	seal(fd, F_SEAL_FUTURE_WRITE);
	if (c->a == 1)
		map(fd, FILE_SIZE, PROT_READ, MAP_SHARED);
	if (add_seals(fd, F_SEAL_WRITE) < 0)
		report_errno(errno);
	report("ok=0x%lx", get_seals(fd));
}

/* ====================================================================
 * matrix operations: write family
 * ==================================================================== */

static char buf_b[8192];

static void report_written(int fd, ssize_t n) __attribute__((noreturn));
static void report_written(int fd, ssize_t n)
{
	int e = errno;

	if (n < 0)
		report_errno(e);
	report("ok=%zd,size=%lld", n, (long long)file_size(fd));
}

static void op_write(int fd)
{
	if (lseek(fd, 0, SEEK_SET) < 0)
		setup_fail("lseek");
	report_written(fd, write(fd, buf_b, 100));
}

static void op_pwrite(int fd)
{
	report_written(fd, pwrite(fd, buf_b, 100, 100));
}

static void op_writev(int fd)
{
	struct iovec iov[2] = { { buf_b, 50 }, { buf_b, 50 } };

	if (lseek(fd, 0, SEEK_SET) < 0)
		setup_fail("lseek");
	report_written(fd, writev(fd, iov, 2));
}

static void op_pwritev(int fd)
{
	struct iovec iov[2] = { { buf_b, 50 }, { buf_b, 50 } };

	report_written(fd, pwritev(fd, iov, 2, 0));
}

static void op_pwritev2(int fd)
{
	struct iovec iov[2] = { { buf_b, 50 }, { buf_b, 50 } };

	report_written(fd, pwritev2(fd, iov, 2, 0, 0));
}

static void op_pwritev2_append(int fd)
{
	struct iovec iov[2] = { { buf_b, 50 }, { buf_b, 50 } };

	report_written(fd, pwritev2(fd, iov, 2, 0, RWF_APPEND));
}

static void op_append(int fd)
{
	int afd = reopen(fd, O_WRONLY | O_APPEND | O_CLOEXEC);

	report_written(fd, write(afd, buf_b, 100));
}

static void op_grow(int fd)
{
	report_written(fd, pwrite(fd, buf_b, 100, FILE_SIZE));
}

static void op_straddle(int fd)
{
	report_written(fd, pwrite(fd, buf_b, 200, FILE_SIZE - 96));
}

static void op_zero(int fd)
{
	report_written(fd, write(fd, buf_b, 0));
}

static void op_zero_past_eof(int fd)
{
	report_written(fd, pwrite(fd, buf_b, 0, 2 * FILE_SIZE));
}

static int source_memfd(void)
{
	int src = mfd_new(MFD_CLOEXEC);

	fill(src, 100, 'c');
	return src;
}

static void op_sendfile_at(int fd, off_t pos)
{
	int src = source_memfd();
	off_t off = 0;

	if (lseek(fd, pos, SEEK_SET) < 0)
		setup_fail("lseek");
	report_written(fd, sendfile(fd, src, &off, 100));
}

static void op_sendfile(int fd)
{
	op_sendfile_at(fd, 0);
}

static void op_sendfile_grow(int fd)
{
	op_sendfile_at(fd, FILE_SIZE);
}

static void op_splice(int fd)
{
	int p[2];
	loff_t off = 0;

	if (pipe2(p, O_CLOEXEC) < 0)
		setup_fail("pipe");
	if (write(p[1], buf_b, 100) != 100)
		setup_fail("write-pipe");
	report_written(fd, splice(p[0], NULL, fd, &off, 100, 0));
}

static void op_copy_range_at(int fd, loff_t pos)
{
	int src = source_memfd();
	loff_t in = 0;

	report_written(fd, copy_file_range(src, &in, fd, &pos, 100, 0));
}

static void op_copy_range(int fd)
{
	op_copy_range_at(fd, 0);
}

static void op_copy_range_grow(int fd)
{
	op_copy_range_at(fd, FILE_SIZE);
}

static void op_read(int fd)
{
	char buf[100];

	report_written(fd, pread(fd, buf, sizeof(buf), 0));
}

static const struct op write_ops[] = {
	{ "write", op_write, FILE_SIZE },
	{ "pwrite", op_pwrite, FILE_SIZE },
	{ "writev", op_writev, FILE_SIZE },
	{ "pwritev", op_pwritev, FILE_SIZE },
	{ "pwritev2", op_pwritev2, FILE_SIZE },
	{ "pwritev2_append", op_pwritev2_append, FILE_SIZE },
	{ "o_append", op_append, FILE_SIZE },
	{ "pwrite_at_eof", op_grow, FILE_SIZE },
	{ "pwrite_straddle", op_straddle, FILE_SIZE },
	{ "write_zero", op_zero, FILE_SIZE },
	{ "pwrite_zero_past_eof", op_zero_past_eof, FILE_SIZE },
	{ "sendfile", op_sendfile, FILE_SIZE },
	{ "sendfile_at_eof", op_sendfile_grow, FILE_SIZE },
	{ "splice", op_splice, FILE_SIZE },
	{ "copy_file_range", op_copy_range, FILE_SIZE },
	{ "copy_file_range_at_eof", op_copy_range_grow, FILE_SIZE },
	{ "pread", op_read, FILE_SIZE },
};

/* ---- matrix operations: size changes ---- */

static void report_sized(int fd, long rc) __attribute__((noreturn));
static void report_sized(int fd, long rc)
{
	int e = errno;

	if (rc < 0)
		report_errno(e);
	report("ok=size=%lld", (long long)file_size(fd));
}

static void op_ftruncate_shrink(int fd)
{
	report_sized(fd, ftruncate(fd, 100));
}

static void op_ftruncate_grow(int fd)
{
	report_sized(fd, ftruncate(fd, 2 * FILE_SIZE));
}

static void op_ftruncate_same(int fd)
{
	report_sized(fd, ftruncate(fd, file_size(fd)));
}

static void op_ftruncate_zero(int fd)
{
	report_sized(fd, ftruncate(fd, 0));
}

static void op_ftruncate_negative(int fd)
{
	report_sized(fd, ftruncate(fd, -1));
}

static void op_ftruncate_rdonly(int fd)
{
	report_sized(fd, ftruncate(reopen(fd, O_RDONLY | O_CLOEXEC), 100));
}

static void op_truncate_path(int fd, off_t len)
{
	char path[64];

	proc_fd_path(fd, path, sizeof(path));
	report_sized(fd, truncate(path, len));
}

static void op_truncate_shrink(int fd)
{
	op_truncate_path(fd, 100);
}

static void op_truncate_grow(int fd)
{
	op_truncate_path(fd, 2 * FILE_SIZE);
}

static void op_truncate_same(int fd)
{
	op_truncate_path(fd, file_size(fd));
}

static void op_otrunc(int fd, int flags)
{
	char path[64];

	proc_fd_path(fd, path, sizeof(path));
	report_sized(fd, open(path, flags | O_TRUNC | O_CLOEXEC));
}

static void op_otrunc_rdwr(int fd)
{
	op_otrunc(fd, O_RDWR);
}

static void op_otrunc_rdonly(int fd)
{
	op_otrunc(fd, O_RDONLY);
}

static void op_otrunc_wronly(int fd)
{
	op_otrunc(fd, O_WRONLY);
}

static const struct op truncate_ops[] = {
	{ "ftruncate_shrink", op_ftruncate_shrink, FILE_SIZE },
	{ "ftruncate_grow", op_ftruncate_grow, FILE_SIZE },
	{ "ftruncate_same", op_ftruncate_same, FILE_SIZE },
	{ "ftruncate_zero", op_ftruncate_zero, FILE_SIZE },
	{ "ftruncate_grow_empty", op_ftruncate_grow, 0 },
	{ "ftruncate_negative", op_ftruncate_negative, FILE_SIZE },
	{ "ftruncate_rdonly_fd", op_ftruncate_rdonly, FILE_SIZE },
	{ "truncate_shrink", op_truncate_shrink, FILE_SIZE },
	{ "truncate_grow", op_truncate_grow, FILE_SIZE },
	{ "truncate_same", op_truncate_same, FILE_SIZE },
	{ "o_trunc_rdwr", op_otrunc_rdwr, FILE_SIZE },
	{ "o_trunc_rdonly", op_otrunc_rdonly, FILE_SIZE },
	{ "o_trunc_wronly", op_otrunc_wronly, FILE_SIZE },
	{ "o_trunc_rdwr_empty", op_otrunc_rdwr, 0 },
	{ "o_trunc_rdonly_empty", op_otrunc_rdonly, 0 },
};

/* ---- matrix operations: fallocate ---- */

static void op_fallocate(int fd, int mode, off_t off, off_t len)
{
	report_sized(fd, fallocate(fd, mode, off, len));
}

static void op_falloc_within(int fd)
{
	op_fallocate(fd, 0, 0, FILE_SIZE);
}

static void op_falloc_grow(int fd)
{
	op_fallocate(fd, 0, 0, 2 * FILE_SIZE);
}

static void op_falloc_keep_within(int fd)
{
	op_fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, FILE_SIZE);
}

static void op_falloc_keep_past(int fd)
{
	op_fallocate(fd, FALLOC_FL_KEEP_SIZE, FILE_SIZE, FILE_SIZE);
}

static void op_falloc_punch(int fd)
{
	op_fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, FILE_SIZE);
}

static void op_falloc_punch_past(int fd)
{
	op_fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		     2 * FILE_SIZE, FILE_SIZE);
}

static void op_falloc_punch_nokeep(int fd)
{
	op_fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, FILE_SIZE);
}

static void op_falloc_zero_range(int fd)
{
	op_fallocate(fd, FALLOC_FL_ZERO_RANGE, 0, FILE_SIZE);
}

static void op_falloc_collapse(int fd)
{
	op_fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, FILE_SIZE);
}

static void op_falloc_insert(int fd)
{
	op_fallocate(fd, FALLOC_FL_INSERT_RANGE, 0, FILE_SIZE);
}

static void op_falloc_unshare(int fd)
{
	op_fallocate(fd, FALLOC_FL_UNSHARE_RANGE, 0, FILE_SIZE);
}

static void op_falloc_mode80(int fd)
{
	op_fallocate(fd, FALLOC_MODE_0x80, 0, FILE_SIZE);
}

static void op_falloc_bad_offset(int fd)
{
	op_fallocate(fd, 0, -1, FILE_SIZE);
}

static void op_falloc_zero_len(int fd)
{
	op_fallocate(fd, 0, 0, 0);
}

static void op_falloc_overflow(int fd)
{
	op_fallocate(fd, 0, INT64_MAX - 100, FILE_SIZE);
}

static void op_falloc_rdonly(int fd)
{
	int rfd = reopen(fd, O_RDONLY | O_CLOEXEC);

	report_sized(fd, fallocate(rfd, 0, 0, 2 * FILE_SIZE));
}

static void op_falloc_rdonly_punch_nokeep(int fd)
{
	int rfd = reopen(fd, O_RDONLY | O_CLOEXEC);

	report_sized(fd, fallocate(rfd, FALLOC_FL_PUNCH_HOLE, 0, FILE_SIZE));
}

static const struct op fallocate_ops[] = {
	{ "alloc_within", op_falloc_within, FILE_SIZE },
	{ "alloc_grow", op_falloc_grow, FILE_SIZE },
	{ "keep_size_within", op_falloc_keep_within, FILE_SIZE },
	{ "keep_size_past_eof", op_falloc_keep_past, FILE_SIZE },
	{ "punch_hole", op_falloc_punch, FILE_SIZE },
	{ "punch_hole_past_eof", op_falloc_punch_past, FILE_SIZE },
	{ "punch_hole_no_keep_size", op_falloc_punch_nokeep, FILE_SIZE },
	{ "zero_range", op_falloc_zero_range, FILE_SIZE },
	{ "collapse_range", op_falloc_collapse, FILE_SIZE },
	{ "insert_range", op_falloc_insert, FILE_SIZE },
	{ "unshare_range", op_falloc_unshare, FILE_SIZE },
	{ "mode_0x80", op_falloc_mode80, FILE_SIZE },
	{ "negative_offset", op_falloc_bad_offset, FILE_SIZE },
	{ "zero_length", op_falloc_zero_len, FILE_SIZE },
	{ "past_max_size", op_falloc_overflow, FILE_SIZE },
	{ "rdonly_fd", op_falloc_rdonly, FILE_SIZE },
	{ "rdonly_fd_punch_no_keep", op_falloc_rdonly_punch_nokeep, FILE_SIZE },
};

/* ---- matrix operations: mmap, mprotect, madvise, /proc/self/mem ---- */

static void op_mmap(int fd, int prot, int flags, int reopen_flags)
{
	int mfd = reopen_flags < 0 ? fd : reopen(fd, reopen_flags | O_CLOEXEC);
	void *p = mmap(NULL, FILE_SIZE, prot, flags, mfd, 0);

	if (p == MAP_FAILED)
		report_errno(errno);
	report("ok");
}

static void op_map_shared_rw(int fd)
{
	op_mmap(fd, PROT_READ | PROT_WRITE, MAP_SHARED, -1);
}

static void op_map_shared_ro(int fd)
{
	op_mmap(fd, PROT_READ, MAP_SHARED, -1);
}

static void op_map_shared_wo(int fd)
{
	op_mmap(fd, PROT_WRITE, MAP_SHARED, -1);
}

static void op_map_shared_ro_rdonly(int fd)
{
	op_mmap(fd, PROT_READ, MAP_SHARED, O_RDONLY);
}

static void op_map_shared_rw_rdonly(int fd)
{
	op_mmap(fd, PROT_READ | PROT_WRITE, MAP_SHARED, O_RDONLY);
}

static void op_map_shared_rw_wronly(int fd)
{
	op_mmap(fd, PROT_READ | PROT_WRITE, MAP_SHARED, O_WRONLY);
}

static void op_map_shared_exec(int fd)
{
	op_mmap(fd, PROT_READ | PROT_EXEC, MAP_SHARED, -1);
}

/* private RW mapping, written: does the file change? */
static void op_map_private_write(int fd)
{
	char *p = mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);

	if (p == MAP_FAILED)
		report_errno(errno);
	p[0] = 'z';
	report("ok=file-%s", byte_at(fd, 0) == 'a' ? "unchanged" : "changed");
}

static void op_mprotect_rw(int fd)
{
	void *p = map(fd, FILE_SIZE, PROT_READ, MAP_SHARED);

	report_rc(mprotect(p, FILE_SIZE, PROT_READ | PROT_WRITE));
}

static void op_madvise_remove_ro(int fd)
{
	void *p = map(fd, FILE_SIZE, PROT_READ, MAP_SHARED);

	report_rc(madvise(p, FILE_SIZE, MADV_REMOVE));
}

static void op_madvise_remove_private(int fd)
{
	void *p = map(fd, FILE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE);

	report_rc(madvise(p, FILE_SIZE, MADV_REMOVE));
}

/* write one byte through /proc/self/mem into a mapping of the file */
static void procmem_write(int fd, void *p)
{
	int mem = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	ssize_t n;
	int e;

	if (mem < 0)
		setup_fail("open-mem");
	n = pwrite(mem, "z", 1, (off_t)(uintptr_t)p);
	e = errno;
	if (n < 0)
		report_errno(e);
	report("ok=%zd,file-%s", n, byte_at(fd, 0) == 'a' ? "unchanged" : "changed");
}

static void op_procmem_shared_ro(int fd)
{
	procmem_write(fd, map(fd, FILE_SIZE, PROT_READ, MAP_SHARED));
}

static void op_procmem_private_ro(int fd)
{
	procmem_write(fd, map(fd, FILE_SIZE, PROT_READ, MAP_PRIVATE));
}

static const struct op mmap_ops[] = {
	{ "shared_rw", op_map_shared_rw, FILE_SIZE },
	{ "shared_ro", op_map_shared_ro, FILE_SIZE },
	{ "shared_wo", op_map_shared_wo, FILE_SIZE },
	{ "shared_ro_rdonly_fd", op_map_shared_ro_rdonly, FILE_SIZE },
	{ "shared_rw_rdonly_fd", op_map_shared_rw_rdonly, FILE_SIZE },
	{ "shared_rw_wronly_fd", op_map_shared_rw_wronly, FILE_SIZE },
	{ "shared_rx", op_map_shared_exec, FILE_SIZE },
	{ "private_rw_write", op_map_private_write, FILE_SIZE },
	{ "mprotect_shared_ro_to_rw", op_mprotect_rw, FILE_SIZE },
	{ "madvise_remove_shared_ro", op_madvise_remove_ro, FILE_SIZE },
	{ "madvise_remove_private", op_madvise_remove_private, FILE_SIZE },
	{ "proc_mem_write_shared_ro", op_procmem_shared_ro, FILE_SIZE },
	{ "proc_mem_write_private_ro", op_procmem_private_ro, FILE_SIZE },
};

/* ---- matrix operations for the SCM_RIGHTS receiver ---- */

static void op_get_seals(int fd)
{
	long s = get_seals(fd);

	if (s < 0)
		report_errno(errno);
	report("ok=0x%lx", s);
}

static const struct op scm_ops[] = {
	{ "get_seals", op_get_seals, FILE_SIZE },
	{ "write", op_write, FILE_SIZE },
	{ "pwrite", op_pwrite, FILE_SIZE },
	{ "writev", op_writev, FILE_SIZE },
	{ "pwritev", op_pwritev, FILE_SIZE },
	{ "pwritev2", op_pwritev2, FILE_SIZE },
	{ "pwritev2_append", op_pwritev2_append, FILE_SIZE },
	{ "o_append", op_append, FILE_SIZE },
	{ "pwrite_at_eof", op_grow, FILE_SIZE },
	{ "write_zero", op_zero, FILE_SIZE },
	{ "sendfile", op_sendfile, FILE_SIZE },
	{ "splice", op_splice, FILE_SIZE },
	{ "copy_file_range", op_copy_range, FILE_SIZE },
	{ "ftruncate_shrink", op_ftruncate_shrink, FILE_SIZE },
	{ "ftruncate_grow", op_ftruncate_grow, FILE_SIZE },
	{ "ftruncate_same", op_ftruncate_same, FILE_SIZE },
	{ "truncate_shrink", op_truncate_shrink, FILE_SIZE },
	{ "o_trunc_rdwr", op_otrunc_rdwr, FILE_SIZE },
	{ "fallocate_grow", op_falloc_grow, FILE_SIZE },
	{ "fallocate_keep_size_past_eof", op_falloc_keep_past, FILE_SIZE },
	{ "punch_hole", op_falloc_punch, FILE_SIZE },
	{ "mmap_shared_rw", op_map_shared_rw, FILE_SIZE },
	{ "mmap_shared_ro", op_map_shared_ro, FILE_SIZE },
	{ "mprotect_shared_ro_to_rw", op_mprotect_rw, FILE_SIZE },
	{ "madvise_remove_shared_ro", op_madvise_remove_ro, FILE_SIZE },
	{ "proc_mem_write_shared_ro", op_procmem_shared_ro, FILE_SIZE },
	{ "pread", op_read, FILE_SIZE },
};

static const struct op scm_shrink_ops[] = {
	{ "get_seals", op_get_seals, FILE_SIZE },
	{ "ftruncate_shrink", op_ftruncate_shrink, FILE_SIZE },
	{ "ftruncate_grow", op_ftruncate_grow, FILE_SIZE },
	{ "o_trunc_rdwr", op_otrunc_rdwr, FILE_SIZE },
	{ "pwrite", op_pwrite, FILE_SIZE },
};

/* ---- seal sets ---- */

static const struct sealset ss_none = { "none", 0 };
static const struct sealset ss_s = { "S", F_SEAL_SHRINK };
static const struct sealset ss_g = { "G", F_SEAL_GROW };
static const struct sealset ss_w = { "W", F_SEAL_WRITE };
static const struct sealset ss_fw = { "FW", F_SEAL_FUTURE_WRITE };
static const struct sealset ss_sg = { "SG", F_SEAL_SHRINK | F_SEAL_GROW };
static const struct sealset ss_sgw = { "SGW",
				       F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE };
/* F_SEAL_EXEC on a 0777 memfd: implies S, G, W and FW */
static const struct sealset ss_x = { "X", F_SEAL_EXEC };

static const struct sealset *const write_sets[] = { &ss_none, &ss_s, &ss_g,
						     &ss_w, &ss_fw };
static const struct sealset *const truncate_sets[] = { &ss_none, &ss_s, &ss_g,
							&ss_w, &ss_sg };
static const struct sealset *const fallocate_sets[] = { &ss_none, &ss_s, &ss_g,
							 &ss_w, &ss_fw };
static const struct sealset *const mmap_sets[] = { &ss_none, &ss_w, &ss_fw,
						    &ss_sg, &ss_x };
static const struct sealset *const scm_sets[] = { &ss_sgw };
static const struct sealset *const scm_shrink_sets[] = { &ss_s };

static int prepared_memfd(const struct op *op, const struct sealset *ss)
{
	int fd = mfd_new(MFD_ALLOW_SEALING | MFD_CLOEXEC);

	fill(fd, op->init_size, 'a');
	if (ss->seals)
		seal(fd, ss->seals);
	return fd;
}

struct scm_sender {
	const struct op *op;
	const struct sealset *ss;
	int sock;
};

static void scm_send_prepared(void *ctx)
{
	struct scm_sender *s = ctx;
	int fd = prepared_memfd(s->op, s->ss);

	if (send_fd(s->sock, fd) < 0)
		setup_fail("sendmsg");
}

/* a forked child prepares and seals the memfd and passes it over SCM_RIGHTS */
static int scm_receive_prepared(const struct op *op, const struct sealset *ss)
{
	struct scm_sender ctx = { op, ss, -1 };
	char buf[RESULT_MAX];
	int sv[2], fd;
	struct sub s;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		setup_fail("socketpair");
	ctx.sock = sv[1];
	sub_start(&s, scm_send_prepared, &ctx);
	close(sv[1]);
	fd = recv_fd(sv[0]);
	if (sub_finish(&s, buf, sizeof(buf)) != 0 || buf[0] || fd < 0) {
		if (buf[0])
			report("%s", buf);
		setup_fail("recvmsg");
	}
	return fd;
}

static void case_matrix(const struct conform_case *c)
{
	int fd;

	if (c->via == VIA_SCM)
		fd = scm_receive_prepared(c->op, c->ss);
	else
		fd = prepared_memfd(c->op, c->ss);
	c->op->run(fd);
	report("NORESULT");
}

/* ====================================================================
 * single cases: write
 * ==================================================================== */

/* a = file size, b = seals, c = (offset << 20) | length of one pwrite */
static void case_write_short(const struct conform_case *c)
{
	int fd = mfd_new(MFD_ALLOW_SEALING);
	size_t len = (size_t)(c->c & 0xfffff);
	off_t off = (off_t)(c->c >> 20);
	static char big[65536];

	fill(fd, (size_t)c->a, 'a');
	seal(fd, (unsigned long)c->b);
	report_written(fd, pwrite(fd, big, len, off));
}

/* a failed write leaves the content alone: a = seals */
static void case_write_unchanged(const struct conform_case *c)
{
	int fd = mfd_new(MFD_ALLOW_SEALING);

	fill(fd, FILE_SIZE, 'a');
	seal(fd, (unsigned long)c->a);
	if (pwrite(fd, buf_b, 100, 0) == 100)
		report("ok=written");
	report("ok=file-%s", byte_at(fd, 0) == 'a' ? "unchanged" : "changed");
}

/* RLIMIT_FSIZE vs seals: a = seals, b = offset of a 100-byte pwrite */
static void case_write_fsize(const struct conform_case *c)
{
	int fd = mfd_new(MFD_ALLOW_SEALING);
	struct rlimit rl = { FILE_SIZE, FILE_SIZE };

	fill(fd, FILE_SIZE, 'a');
	seal(fd, (unsigned long)c->a);
	ignore_signal(SIGXFSZ);
	if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
		setup_fail("setrlimit");
	report_written(fd, pwrite(fd, buf_b, 100, (off_t)c->b));
}

/* a = seals; the raw write() call with bit 32 set in the fd argument */
static void case_write_wide_fd(const struct conform_case *c)
{
	int fd = mfd_new(MFD_ALLOW_SEALING);

	if (sizeof(long) < 8)
		report("ok=n/a");
	fill(fd, FILE_SIZE, 'a');
	seal(fd, (unsigned long)c->a);
	if (lseek(fd, 0, SEEK_SET) < 0)
		setup_fail("lseek");
	report_written(fd, syscall(SYS_write, (1UL << 32) | (unsigned long)fd,
				   buf_b, 100UL));
}

/* a = seals: the fd is an O_RDONLY / O_WRONLY reopen (b = flags) */
static void case_write_reopened(const struct conform_case *c)
{
	int fd = mfd_new(MFD_ALLOW_SEALING);
	int wfd;

	fill(fd, FILE_SIZE, 'a');
	seal(fd, (unsigned long)c->a);
	wfd = reopen(fd, (int)c->b | O_CLOEXEC);
	report_written(fd, pwrite(wfd, buf_b, 100, 0));
}

/* a = seals: pwrite at a negative offset */
static void case_write_negative(const struct conform_case *c)
{
	int fd = mfd_new(MFD_ALLOW_SEALING);

	fill(fd, FILE_SIZE, 'a');
	seal(fd, (unsigned long)c->a);
	report_written(fd, pwrite(fd, buf_b, 100, -1));
}

/* ====================================================================
 * single cases: mmap with a mapping made before the seal
 * ==================================================================== */

/* RW shared mapping made before FUTURE_WRITE: a = 0 write through it,
 * 1 mprotect RO then RW, 2 MADV_REMOVE, 3 /proc/self/mem write into it,
 * 4 munmap and map RW again */
static void case_mmap_fw_prior(const struct conform_case *c)
{
	int fd = mfd_new(MFD_ALLOW_SEALING);
	char *p;

	fill(fd, FILE_SIZE, 'a');
	p = map(fd, FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED);
	seal(fd, F_SEAL_FUTURE_WRITE);
	switch (c->a) {
	case 0:
		p[0] = 'z';
		report("ok=file-%s", byte_at(fd, 0) == 'z' ? "changed" : "unchanged");
	case 1:
		if (mprotect(p, FILE_SIZE, PROT_READ) < 0)
			report_errno(errno);
		report_rc(mprotect(p, FILE_SIZE, PROT_READ | PROT_WRITE));
	case 2:
		report_rc(madvise(p, FILE_SIZE, MADV_REMOVE));
	case 3:
		procmem_write(fd, p);
		break;
	default:
		if (munmap(p, FILE_SIZE) < 0)
			setup_fail("munmap");
		op_map_shared_rw(fd);
	}
	report("NORESULT");
}

/* FW + private mapping: parent writes 22, a child writes 33, parent sees? */
static void case_mmap_fw_private_fork(const struct conform_case *c)
{
	int fd = mfd_new(MFD_ALLOW_SEALING);
	char *p;
	pid_t pid;

	(void)c;
	fill(fd, FILE_SIZE, 'a');
	seal(fd, F_SEAL_FUTURE_WRITE);
	p = map(fd, FILE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	p[0] = 22;
	pid = fork();
	if (pid < 0)
		setup_fail("fork");
	if (pid == 0) {
		p[0] = 33;
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	report("ok=parent-%d,file-%s", p[0],
	       byte_at(fd, 0) == 'a' ? "unchanged" : "changed");
}

/* a = seals, b = mapping length in pages of a 1-page file: touch page b-1 */
static void case_mmap_past_eof(const struct conform_case *c)
{
	long page = sysconf(_SC_PAGESIZE);
	int fd = mfd_new(MFD_ALLOW_SEALING);
	volatile char *p;

	fill(fd, (size_t)page, 'a');
	seal(fd, (unsigned long)c->a);
	p = map(fd, (size_t)(page * c->b), PROT_READ | PROT_WRITE, MAP_PRIVATE);
	p[page * (c->b - 1)] = 'z';
	report("ok");
}

/* PROT_EXEC shared mapping of a memfd created with flags a */
static void case_mmap_exec(const struct conform_case *c)
{
	int fd = mfd_new((unsigned long)c->a);

	fill(fd, FILE_SIZE, 'a');
	op_mmap(fd, PROT_READ | PROT_EXEC, (int)c->b, -1);
}

/* ====================================================================
 * group chmod: F_SEAL_EXEC
 * ==================================================================== */

enum { CHMOD_FCHMOD, CHMOD_PATH, CHMOD_AT, CHMOD_AT2_EMPTY, CHMOD_RDONLY };
#define MODE_AFTER 0x8000L

/* a = memfd flags | (mode before << 32) (0: leave),
 * b = seals to add (0: none), c = how << 16 | new mode, plus MODE_AFTER:
 * report the mode after the attempt instead of its result */
static void case_chmod(const struct conform_case *c)
{
	int fd = mfd_new((unsigned long)c->a & 0xffffffffUL);
	mode_t before = (mode_t)((unsigned long)c->a >> 32);
	mode_t mode = (mode_t)(c->c & 07777);
	int how = (int)((c->c & ~MODE_AFTER) >> 16);
	char path[64];
	long rc;

	if (before && fchmod(fd, before) < 0)
		setup_fail("fchmod");
	if (c->b)
		seal(fd, (unsigned long)c->b);
	proc_fd_path(fd, path, sizeof(path));
	switch (how) {
	case CHMOD_PATH:
		rc = chmod(path, mode);
		break;
	case CHMOD_AT:
		rc = fchmodat(AT_FDCWD, path, mode, 0);
		break;
	case CHMOD_AT2_EMPTY:
		rc = syscall(__NR_fchmodat2, fd, "", (unsigned long)mode,
			     (unsigned long)AT_EMPTY_PATH);
		break;
	case CHMOD_RDONLY:
		rc = fchmod(reopen(fd, O_RDONLY | O_CLOEXEC), mode);
		break;
	default:
		rc = fchmod(fd, mode);
		break;
	}
	if (rc < 0 && !(c->c & MODE_AFTER))
		report_errno(errno);
	report("ok=0%o", file_mode(fd));
}

/*
 * chmod of files that are not memfds, where the kernel's own walk and
 * checks give the answer (sealbox makes some of these calls itself before
 * 6.3, to close the F_SEAL_EXEC races: it must answer exactly as the
 * kernel). In a fresh directory D holding a regular file f (0600) and a
 * symlink l -> f. a = how, b = the mode; reports the result, and for a
 * success the mode of what was changed.
 */
enum {
	CO_PATH, CO_PATH_MISSING, CO_PATH_NOTDIR, CO_PATH_EMPTY, CO_PATH_LONG,
	CO_PATH_EFAULT, CO_PATH_SYMLINK, CO_PATH_DIR, CO_PATH_PROC_FD,
	CO_AT_RELATIVE, CO_AT_NOTDIR_DIRFD, CO_AT_BADFD, CO_FCHMOD,
	CO_FCHMOD_OPATH, CO_FCHMOD_CLOSED, CO_AT2_BADFLAGS,
	CO_AT2_NOFOLLOW_LINK, CO_AT2_NOFOLLOW_FILE,
};

static void case_chmod_other(const struct conform_case *c)
{
	char dir[] = "/tmp/conform-chmod-XXXXXX";
	char f[64], l[64], p[80], *longp = NULL;
	mode_t mode = (mode_t)c->b;
	struct stat st;
	int fd, dfd, e = 0, opath;
	long rc;

	if (!mkdtemp(dir))
		setup_fail("mkdtemp");
	snprintf(f, sizeof(f), "%s/f", dir);
	snprintf(l, sizeof(l), "%s/l", dir);
	fd = open(f, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	opath = open(f, O_PATH | O_CLOEXEC);
	if (fd < 0 || dfd < 0 || opath < 0 || fchmod(fd, 0600) < 0 ||
	    symlink(f, l) < 0)
		setup_fail("files");
	switch (c->a) {
	case CO_PATH_MISSING:
		snprintf(p, sizeof(p), "%s/missing", dir);
		rc = chmod(p, mode);
		break;
	case CO_PATH_NOTDIR:
		snprintf(p, sizeof(p), "%s/x", f);
		rc = chmod(p, mode);
		break;
	case CO_PATH_EMPTY:
		rc = chmod("", mode);
		break;
	case CO_PATH_LONG:
		longp = malloc(PATH_MAX + 64);
		if (!longp)
			setup_fail("malloc");
		memset(longp, 'a', PATH_MAX + 63);
		longp[PATH_MAX + 63] = '\0';
		rc = chmod(longp, mode);
		break;
	case CO_PATH_EFAULT:
		rc = syscall(__NR_chmod, (const char *)1, (unsigned long)mode);
		break;
	case CO_PATH_SYMLINK:
		rc = chmod(l, mode);
		break;
	case CO_PATH_DIR:
		rc = chmod(dir, mode);
		break;
	case CO_PATH_PROC_FD:
		proc_fd_path(fd, p, sizeof(p));
		rc = chmod(p, mode);
		break;
	case CO_AT_RELATIVE:
		rc = syscall(__NR_fchmodat, dfd, "f", (unsigned long)mode);
		break;
	case CO_AT_NOTDIR_DIRFD:
		rc = syscall(__NR_fchmodat, fd, "f", (unsigned long)mode);
		break;
	case CO_AT_BADFD:
		rc = syscall(__NR_fchmodat, -1, "f", (unsigned long)mode);
		break;
	case CO_FCHMOD_OPATH:
		rc = fchmod(opath, mode);
		break;
	case CO_FCHMOD_CLOSED: {
		int gone = dup(fd);

		close(gone);
		rc = fchmod(gone, mode);
		break;
	}
	case CO_AT2_BADFLAGS:
		rc = syscall(__NR_fchmodat2, AT_FDCWD, f, (unsigned long)mode,
			     0x8000UL);
		break;
	case CO_AT2_NOFOLLOW_LINK:
		rc = syscall(__NR_fchmodat2, AT_FDCWD, l, (unsigned long)mode,
			     (unsigned long)AT_SYMLINK_NOFOLLOW);
		break;
	case CO_AT2_NOFOLLOW_FILE:
		rc = syscall(__NR_fchmodat2, AT_FDCWD, f, (unsigned long)mode,
			     (unsigned long)AT_SYMLINK_NOFOLLOW);
		break;
	case CO_FCHMOD:
		rc = fchmod(fd, mode);
		break;
	default:
		rc = chmod(f, mode);
		break;
	}
	if (rc < 0)
		e = errno;
	if (stat(c->a == CO_PATH_DIR ? dir : f, &st) < 0)
		setup_fail("stat");
	free(longp);
	unlink(l);
	unlink(f);
	rmdir(dir);
	if (e)
		report_errno(e);
	report("ok=0%o", (unsigned int)(st.st_mode & 07777));
}

/*
 * A thread with an fd table of its own (unshare(CLONE_FILES)): its fd
 * UNSHARED_FD is an MFD_NOEXEC_SEAL memfd, the leader's a plain file. The
 * thread's fchmod must meet its own file (before 6.9 a pidfd cannot name
 * the thread, and sealbox once changed the leader's file instead). Reports
 * the result and both modes after.
 */
#define UNSHARED_FD 100

struct unshared {
	int rc, err;
	unsigned int mode;
};

static void *unshared_thread(void *p)
{
	struct unshared *u = p;
	int m;

	if (unshare(CLONE_FILES) < 0) {
		u->rc = -2;
		u->err = errno;
		return NULL;
	}
	m = (int)sys_memfd_create("conform", MFD_NOEXEC_SEAL);
	if (m < 0 || dup2(m, UNSHARED_FD) < 0) {
		u->rc = -3;
		u->err = errno;
		return NULL;
	}
	u->rc = fchmod(UNSHARED_FD, 0755);
	u->err = errno;
	u->mode = file_mode(UNSHARED_FD);
	return NULL;
}

static void case_share_unshared_thread(const struct conform_case *c)
{
	char path[] = "/tmp/conform-unshared-XXXXXX";
	struct unshared u = { 0, 0, 0 };
	pthread_t t;
	int f = mkstemp(path);

	(void)c;
	if (f < 0)
		setup_fail("mkstemp");
	unlink(path);
	if (fchmod(f, 0600) < 0 || dup2(f, UNSHARED_FD) < 0)
		setup_fail("file");
	if (pthread_create(&t, NULL, unshared_thread, &u) != 0 ||
	    pthread_join(t, NULL) != 0)
		setup_fail("thread");
	if (u.rc == -2)
		report("SETUP:unshare=%s", errno_name(u.err));
	if (u.rc == -3)
		report("SETUP:memfd_create=%s", errno_name(u.err));
	report("%s,memfd=0%o,other=0%o", u.rc < 0 ? errno_name(u.err) : "ok",
	       u.mode, file_mode(UNSHARED_FD));
}

#define CH(flags, before) ((long)(flags) | ((long)(before) << 32))
#define HOW(how, mode) (((long)(how) << 16) | (mode))

/* ====================================================================
 * group share: seals belong to the inode
 * ==================================================================== */

/* a: 0 dup, 1 F_DUPFD_CLOEXEC, 2 dup3, 3 O_RDWR reopen; seal through the
 * copy, read through the original; b = 1: SEAL first, then add via copy */
static void case_share_copy(const struct conform_case *c)
{
	int fd = mfd_new(MFD_ALLOW_SEALING);
	int copy;
	long s;

	if (c->a == 0)
		copy = dup(fd);
	else if (c->a == 1)
		copy = fcntl(fd, F_DUPFD_CLOEXEC, 100);
	else if (c->a == 2)
		copy = dup3(fd, 200, O_CLOEXEC);
	else
		copy = reopen(fd, O_RDWR | O_CLOEXEC);
	if (copy < 0)
		setup_fail("dup");
	if (c->b) {
		seal(fd, F_SEAL_SEAL);
		report_rc(add_seals(copy, F_SEAL_SHRINK));
	}
	if (add_seals(copy, F_SEAL_SHRINK | F_SEAL_GROW) < 0)
		report_errno(errno);
	s = get_seals(fd);
	report("ok=0x%lx", s);
}

/* seals added in the parent, seen by a forked child; and the other way
 * round. a = 0 child reads, 1 child adds, parent reads, 2 child adds after
 * the parent set F_SEAL_SEAL */
struct fork_ctx {
	int fd;
	long which;
};

static void fork_child_seals(void *ctx)
{
	struct fork_ctx *f = ctx;
	long s;

	if (f->which == 0) {
		s = get_seals(f->fd);
		if (s < 0)
			report_errno(errno);
		report("ok=0x%lx", s);
	}
	report_rc(add_seals(f->fd, F_SEAL_GROW));
}

static void case_share_fork(const struct conform_case *c)
{
	struct fork_ctx f = { mfd_new(MFD_ALLOW_SEALING), c->a };
	char buf[RESULT_MAX];
	struct sub s;

	if (c->a == 0)
		seal(f.fd, F_SEAL_SHRINK);
	if (c->a == 2)
		seal(f.fd, F_SEAL_SEAL);
	sub_start(&s, fork_child_seals, &f);
	sub_finish(&s, buf, sizeof(buf));
	if (c->a == 1 && strcmp(buf, "ok") == 0)
		report("ok=0x%lx", get_seals(f.fd));
	report("%s", buf[0] ? buf : "NORESULT");
}

/* SCM_RIGHTS from parent to child: the child reports what it sees;
 * a = 0 F_GET_SEALS, 1 F_ADD_SEALS(GROW) then the parent reads */
struct scm_peer {
	int sock;
	long which;
};

static void scm_receiver(void *ctx)
{
	struct scm_peer *p = ctx;
	int fd = recv_fd(p->sock);
	long s;

	if (fd < 0)
		setup_fail("recvmsg");
	if (p->which == 0) {
		s = get_seals(fd);
		if (s < 0)
			report_errno(errno);
		report("ok=0x%lx", s);
	}
	report_rc(add_seals(fd, F_SEAL_GROW));
}

static void case_share_scm_to_child(const struct conform_case *c)
{
	int fd = mfd_new(MFD_ALLOW_SEALING | MFD_CLOEXEC);
	struct scm_peer peer = { -1, c->a };
	char buf[RESULT_MAX];
	int sv[2];
	struct sub s;

	seal(fd, F_SEAL_SHRINK);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		setup_fail("socketpair");
	peer.sock = sv[1];
	sub_start(&s, scm_receiver, &peer);
	close(sv[1]);
	if (send_fd(sv[0], fd) < 0)
		setup_fail("sendmsg");
	sub_finish(&s, buf, sizeof(buf));
	if (c->a == 1 && strcmp(buf, "ok") == 0)
		report("ok=0x%lx", get_seals(fd));
	report("%s", buf[0] ? buf : "NORESULT");
}

/* pidfd_getfd of a child's memfd: seals visible; a = 1 add via the copy */
struct pidfd_ctx {
	int fd;
	int sync;
	int sync_w;
};

static void pidfd_holder(void *ctx)
{
	struct pidfd_ctx *p = ctx;
	char x;

	close(p->sync_w);
	while (read(p->sync, &x, 1) < 0 && errno == EINTR)
		;
	report("0x%lx", get_seals(p->fd));
}

static void case_share_pidfd_getfd(const struct conform_case *c)
{
	struct pidfd_ctx ctx = { mfd_new(MFD_ALLOW_SEALING | MFD_CLOEXEC), -1,
				 -1 };
	char buf[RESULT_MAX];
	int sync[2], pidfd, copy;
	struct sub s;
	long seals;

	seal(ctx.fd, F_SEAL_SHRINK);
	if (pipe2(sync, O_CLOEXEC) < 0)
		setup_fail("pipe");
	ctx.sync = sync[0];
	ctx.sync_w = sync[1];
	sub_start(&s, pidfd_holder, &ctx);
	close(sync[0]);
	close(ctx.fd); /* only the child holds it now */
	pidfd = (int)syscall(__NR_pidfd_open, s.pid, 0);
	if (pidfd < 0)
		setup_fail("pidfd_open");
	copy = (int)syscall(__NR_pidfd_getfd, pidfd, ctx.fd, 0);
	if (copy < 0)
		setup_fail("pidfd_getfd");
	seals = get_seals(copy);
	if (c->a == 1 && add_seals(copy, F_SEAL_GROW) < 0)
		setup_fail("add_seals");
	close(sync[1]);
	sub_finish(&s, buf, sizeof(buf));
	report("ok=0x%lx,holder=%s", seals, buf);
}

/* the seals outlive every fd but a /proc reopen taken earlier */
static void case_share_reopen_after_close(const struct conform_case *c)
{
	int fd = mfd_new(MFD_ALLOW_SEALING);
	int nfd = reopen(fd, O_RDWR | O_CLOEXEC);

	(void)c;
	seal(fd, F_SEAL_SHRINK | F_SEAL_WRITE);
	close(fd);
	report("ok=0x%lx", get_seals(nfd));
}

/* ====================================================================
 * exec: fexecve / execveat / execve of /proc/self/fd/N
 * ==================================================================== */

static const char script[] = "#!/bin/sh\nexit 7\n";
static char self_exe[PATH_MAX];

struct exec_ctx {
	int fd;
	int how; /* 0 execveat AT_EMPTY_PATH, 1 execve /proc/self/fd/N */
	int elf;
};

static void exec_child(void *ctx)
{
	struct exec_ctx *x = ctx;
	static char a0[] = "conform", a1[] = "--helper", a2[] = "exit", a3[] = "5";
	char *argv_elf[] = { a0, a1, a2, a3, NULL };
	char *argv_sh[] = { a0, NULL };
	char **argv = x->elf ? argv_elf : argv_sh;
	char path[64];

	if (x->how == 0) {
		syscall(__NR_execveat, x->fd, "", argv, environ, AT_EMPTY_PATH);
	} else {
		proc_fd_path(x->fd, path, sizeof(path));
		execve(path, argv, environ);
	}
	report_errno(errno);
}

static void report_exec(struct exec_ctx *x) __attribute__((noreturn));
static void report_exec(struct exec_ctx *x)
{
	char buf[RESULT_MAX];
	struct sub s;
	int status;

	sub_start(&s, exec_child, x);
	status = sub_finish(&s, buf, sizeof(buf));
	if (buf[0])
		report("%s", buf);
	if (WIFSIGNALED(status))
		report("SIGNAL=%s", signal_name(WTERMSIG(status)));
	report("ok=exit%d", WEXITSTATUS(status));
}

/* the program image in a memfd: a = memfd flags, b = 1 ELF copy of this
 * program (else the script), c = bits: 1 execve of /proc/self/fd/N,
 * 2 chmod 0644 first, 4 add F_SEAL_EXEC, 8 exec through an O_RDONLY
 * reopen with the writable fd closed, 16 keep an extra O_RDWR reopen open,
 * 32 add F_SEAL_WRITE|SHRINK|GROW */
static void case_exec(const struct conform_case *c)
{
	int fd = mfd_new((unsigned long)c->a);
	struct exec_ctx x = { fd, (c->c & 1) ? 1 : 0, c->b ? 1 : 0 };

	if (c->b) {
		int exe = open(self_exe, O_RDONLY | O_CLOEXEC);
		char buf[65536];
		ssize_t n;

		if (exe < 0)
			setup_fail("open-self");
		while ((n = read(exe, buf, sizeof(buf))) > 0)
			if (write(fd, buf, (size_t)n) != n)
				setup_fail("copy-self");
		if (n < 0)
			setup_fail("read-self");
		close(exe);
	} else if (write(fd, script, sizeof(script) - 1) != sizeof(script) - 1) {
		setup_fail("write-script");
	}
	if ((c->c & 2) && fchmod(fd, 0644) < 0)
		setup_fail("fchmod");
	if (c->c & 4)
		seal(fd, F_SEAL_EXEC);
	if (c->c & 32)
		seal(fd, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
	if (c->c & 16)
		reopen(fd, O_RDWR);
	if (c->c & 8) {
		x.fd = reopen(fd, O_RDONLY);
		close(fd);
	}
	report_exec(&x);
}

/* ====================================================================
 * group hugetlb: depends on the huge pages the machine has configured
 * ==================================================================== */

/* a = flags: create; b: 0 just ok, 1 seals, 2 mode, 3 readlink, 4 statfs
 * type, 5 st_blksize */
static void case_huge_create(const struct conform_case *c)
{
	long fd = sys_memfd_create("conform", (unsigned long)c->a);
	char path[64], buf[PATH_MAX];
	struct statfs sfs;
	struct stat st;
	ssize_t n;

	if (fd < 0)
		report_errno(errno);
	switch (c->b) {
	case 1:
		report("ok=0x%lx", get_seals((int)fd));
	case 2:
		report("ok=0%o", file_mode((int)fd));
	case 3:
		proc_fd_path((int)fd, path, sizeof(path));
		n = readlink(path, buf, sizeof(buf));
		if (n < 0)
			report_errno(errno);
		report_text(buf, (size_t)n);
	case 4:
		if (fstatfs((int)fd, &sfs) < 0)
			report_errno(errno);
		report("ok=0x%lx", (unsigned long)sfs.f_type);
	case 5:
		if (fstat((int)fd, &st) < 0)
			report_errno(errno);
		report("ok=%ld", (long)st.st_blksize);
	default:
		report("ok");
	}
}

/* hugetlb memfd of one huge page (size from st_blksize), seals b, then:
 * a = 0 write, 1 ftruncate 2 pages, 2 ftruncate 0, 3 ftruncate unaligned,
 * 4 fchmod 0777 after chmod 0644 + seal, 5 fallocate grow, 6 punch hole,
 * 7 add seals c and report them, 8 pwrite */
static void case_huge_op(const struct conform_case *c)
{
	int fd = mfd_new(MFD_HUGETLB | MFD_ALLOW_SEALING | MFD_CLOEXEC);
	struct stat st;
	off_t hp;

	if (fstat(fd, &st) < 0)
		setup_fail("fstat");
	hp = st.st_blksize;
	if (ftruncate(fd, hp) < 0)
		setup_fail("ftruncate");
	if (c->a == 4 && fchmod(fd, 0644) < 0)
		setup_fail("fchmod");
	if (c->b)
		seal(fd, (unsigned long)c->b);
	switch (c->a) {
	case 0:
		report_rc(write(fd, "x", 1));
	case 1:
		report_rc(ftruncate(fd, 2 * hp));
	case 2:
		report_rc(ftruncate(fd, 0));
	case 3:
		report_rc(ftruncate(fd, hp + 4096));
	case 4:
		report_rc(fchmod(fd, 0777));
	case 5:
		report_rc(fallocate(fd, 0, 0, 2 * hp));
	case 6:
		report_rc(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				    0, hp));
	case 7:
		if (add_seals(fd, (unsigned long)c->c) < 0)
			report_errno(errno);
		report("ok=0x%lx", get_seals(fd));
	default:
		report_rc(pwrite(fd, "x", 1, 0));
	}
}

/* ====================================================================
 * the table
 * ==================================================================== */

#define NO_SEALS (-1L)
#define ALL_SEALS 0x3fL
#define FW F_SEAL_FUTURE_WRITE
#define HUGE_FLAGS(log2) ((long)(MFD_HUGETLB | HUGE_SIZE_FLAG(log2)))

static const struct single singles[] = {
	/* --- create: flags --- */
	{ "create.flags.none", "create", case_create_flags, 0 },
	{ "create.flags.cloexec", "create", case_create_flags, MFD_CLOEXEC },
	{ "create.flags.allow_sealing", "create", case_create_flags,
	  MFD_ALLOW_SEALING },
	{ "create.flags.cloexec_allow_sealing", "create", case_create_flags,
	  MFD_CLOEXEC | MFD_ALLOW_SEALING },
	{ "create.flags.noexec_seal", "create", case_create_flags, MFD_NOEXEC_SEAL },
	{ "create.flags.exec", "create", case_create_flags, MFD_EXEC },
	{ "create.flags.exec_allow_sealing", "create", case_create_flags,
	  MFD_EXEC | MFD_ALLOW_SEALING },
	{ "create.flags.noexec_seal_allow_sealing_cloexec", "create",
	  case_create_flags, MFD_NOEXEC_SEAL | MFD_ALLOW_SEALING | MFD_CLOEXEC },
	{ "create.flags.exec_and_noexec_seal", "create", case_create_flags,
	  MFD_EXEC | MFD_NOEXEC_SEAL },
	{ "create.flags.0x20", "create", case_create_flags, 0x20 },
	{ "create.flags.0x40", "create", case_create_flags, 0x40 },
	{ "create.flags.0x100", "create", case_create_flags, 0x100 },
	{ "create.flags.not_cloexec", "create", case_create_flags,
	  (long)(~MFD_CLOEXEC & 0xffffffffU) },
	{ "create.flags.not_allow_sealing", "create", case_create_flags,
	  (long)(~MFD_ALLOW_SEALING & 0xffffffffU) },
	{ "create.flags.all_ones", "create", case_create_flags, 0xffffffffL },
	{ "create.flags.0x80000000", "create", case_create_flags, 0x80000000L },
	{ "create.flags.huge_2mb_without_hugetlb", "create", case_create_flags,
	  (long)HUGE_SIZE_FLAG(21) },
	{ "create.flags.huge_mask_without_hugetlb", "create", case_create_flags,
	  (long)HUGE_SIZE_FLAG(0x3f) },
	{ "create.flags.hugetlb_0x100", "create", case_create_flags,
	  MFD_HUGETLB | 0x100 },
	{ "create.flags.hugetlb_0x02000000", "create", case_create_flags,
	  MFD_HUGETLB | 0x02000000 },
	{ "create.flags.hugetlb_exec_and_noexec_seal", "create", case_create_flags,
	  MFD_HUGETLB | MFD_EXEC | MFD_NOEXEC_SEAL },
	{ "create.flags.upper32_ignored", "create", case_create_flags,
	  (long)(sizeof(long) == 8 ? (1UL << 32) | MFD_ALLOW_SEALING
				   : MFD_ALLOW_SEALING) },
	{ "create.flags.upper32_with_bad_low", "create", case_create_flags,
	  (long)(sizeof(long) == 8 ? (1UL << 32) | 0x100 : 0x100) },
	/* --- create: names --- */
	{ "create.name.empty", "create", case_name_len, 0 },
	{ "create.name.1", "create", case_name_len, 1 },
	{ "create.name.249", "create", case_name_len, 249 },
	{ "create.name.250", "create", case_name_len, 250 },
	{ "create.name.255", "create", case_name_len, 255 },
	{ "create.name.4095", "create", case_name_len, 4095 },
	{ "create.name.ff2048_unterminated", "create", case_name_ff2048, 0 },
	{ "create.name.ff2048_terminated", "create", case_name_ff2048, 1 },
	{ "create.name.unterminated_249_before_prot_none", "create",
	  case_name_edge, 249, 0, 0 },
	{ "create.name.unterminated_250_before_prot_none", "create",
	  case_name_edge, 250, 0, 0 },
	{ "create.name.unterminated_249_before_unmapped", "create",
	  case_name_edge, 249, 0, 1 },
	{ "create.name.unterminated_250_before_unmapped", "create",
	  case_name_edge, 250, 0, 1 },
	{ "create.name.249_nul_at_page_end", "create", case_name_edge, 250, 1, 0 },
	{ "create.name.0_nul_at_page_end", "create", case_name_edge, 1, 1, 0 },
	{ "create.name.null", "create", case_name_bad_ptr, 0, 0 },
	{ "create.name.ptr_1", "create", case_name_bad_ptr, 1, 0 },
	{ "create.name.kernel_address", "create", case_name_bad_ptr, 2, 0 },
	{ "create.name.unmapped", "create", case_name_bad_ptr, 3, 0 },
	{ "create.name.null_with_bad_flags", "create", case_name_bad_ptr, 0,
	  0x100 },
	{ "create.name.null_with_exec_and_noexec", "create", case_name_bad_ptr,
	  0, MFD_EXEC | MFD_NOEXEC_SEAL },
	/* --- create: fd table --- */
	{ "create.emfile", "create", case_create_emfile, 0, 0 },
	{ "create.emfile_null_name", "create", case_create_emfile, 0, 1 },
	{ "create.emfile_bad_flags", "create", case_create_emfile, 0x100, 0 },
	/* --- create: initial state --- */
	{ "create.seals.none", "create", case_create_seals, 0 },
	{ "create.seals.cloexec", "create", case_create_seals, MFD_CLOEXEC },
	{ "create.seals.allow_sealing", "create", case_create_seals,
	  MFD_ALLOW_SEALING },
	{ "create.seals.noexec_seal", "create", case_create_seals,
	  MFD_NOEXEC_SEAL },
	{ "create.seals.noexec_seal_allow_sealing", "create", case_create_seals,
	  MFD_NOEXEC_SEAL | MFD_ALLOW_SEALING },
	{ "create.seals.exec", "create", case_create_seals, MFD_EXEC },
	{ "create.seals.exec_allow_sealing", "create", case_create_seals,
	  MFD_EXEC | MFD_ALLOW_SEALING },
	{ "create.mode.none", "create", case_create_mode, 0, -1 },
	{ "create.mode.allow_sealing", "create", case_create_mode,
	  MFD_ALLOW_SEALING, -1 },
	{ "create.mode.noexec_seal", "create", case_create_mode, MFD_NOEXEC_SEAL,
	  -1 },
	{ "create.mode.exec", "create", case_create_mode, MFD_EXEC, -1 },
	{ "create.mode.umask_077", "create", case_create_mode, 0, 077 },
	{ "create.mode.noexec_seal_umask_077", "create", case_create_mode,
	  MFD_NOEXEC_SEAL, 077 },
	{ "create.getfl", "create", case_create_getfl, 0 },
	{ "create.getfl.cloexec_allow_sealing", "create", case_create_getfl,
	  MFD_CLOEXEC | MFD_ALLOW_SEALING },
	{ "create.fd_cloexec.none", "create", case_create_cloexec, 0 },
	{ "create.fd_cloexec.cloexec", "create", case_create_cloexec, MFD_CLOEXEC },
	{ "create.stat.size", "create", case_create_stat, 0 },
	{ "create.stat.nlink", "create", case_create_stat, 1 },
	{ "create.stat.type", "create", case_create_stat, 2 },
	{ "create.stat.owner", "create", case_create_stat, 3 },
	{ "create.stat.blksize", "create", case_create_stat, 4 },
	{ "create.statfs.type", "create", case_create_stat, 5 },
	{ "create.two_memfds", "create", case_create_two, 0 },
	{ "create.churn", "create", case_create_churn, 0 },
	{ "create.sysctl.memfd_noexec", "create", case_create_sysctl, 0 },

	/* --- seals --- */
	{ "seals.add.shrink", "seals", case_seals_add, MFD_ALLOW_SEALING, NO_SEALS,
	  F_SEAL_SHRINK },
	{ "seals.add.grow", "seals", case_seals_add, MFD_ALLOW_SEALING, NO_SEALS,
	  F_SEAL_GROW },
	{ "seals.add.write", "seals", case_seals_add, MFD_ALLOW_SEALING, NO_SEALS,
	  F_SEAL_WRITE },
	{ "seals.add.future_write", "seals", case_seals_add, MFD_ALLOW_SEALING,
	  NO_SEALS, FW },
	{ "seals.add.seal", "seals", case_seals_add, MFD_ALLOW_SEALING, NO_SEALS,
	  F_SEAL_SEAL },
	{ "seals.add.exec_on_0777", "seals", case_seals_add, MFD_ALLOW_SEALING,
	  NO_SEALS, F_SEAL_EXEC },
	{ "seals.add.exec_seal_on_0777", "seals", case_seals_add,
	  MFD_ALLOW_SEALING, NO_SEALS, F_SEAL_EXEC | F_SEAL_SEAL },
	{ "seals.add.all", "seals", case_seals_add, MFD_ALLOW_SEALING, NO_SEALS,
	  ALL_SEALS },
	{ "seals.add.zero", "seals", case_seals_add, MFD_ALLOW_SEALING, NO_SEALS,
	  0 },
	{ "seals.add.repeat", "seals", case_seals_add, MFD_ALLOW_SEALING,
	  F_SEAL_SHRINK | F_SEAL_WRITE, F_SEAL_SHRINK | F_SEAL_WRITE },
	{ "seals.add.more", "seals", case_seals_add, MFD_ALLOW_SEALING,
	  F_SEAL_SHRINK | F_SEAL_WRITE, F_SEAL_GROW },
	{ "seals.add.after_seal", "seals", case_seals_add, MFD_ALLOW_SEALING,
	  F_SEAL_SEAL | F_SEAL_GROW, F_SEAL_GROW },
	{ "seals.add.zero_after_seal", "seals", case_seals_add, MFD_ALLOW_SEALING,
	  F_SEAL_SEAL, 0 },
	{ "seals.add.unknown_after_seal", "seals", case_seals_add,
	  MFD_ALLOW_SEALING, F_SEAL_SEAL, 0x40 },
	{ "seals.add.not_sealable", "seals", case_seals_add, 0, NO_SEALS,
	  F_SEAL_SHRINK },
	{ "seals.add.not_sealable_zero", "seals", case_seals_add, 0, NO_SEALS, 0 },
	{ "seals.add.not_sealable_unknown_bit", "seals", case_seals_add, 0,
	  NO_SEALS, 0x40 },
	{ "seals.add.exec_flag_not_sealable", "seals", case_seals_add, MFD_EXEC,
	  NO_SEALS, F_SEAL_SHRINK },
	{ "seals.add.noexec_seal_without_allow", "seals", case_seals_add,
	  MFD_NOEXEC_SEAL, NO_SEALS, F_SEAL_SHRINK | F_SEAL_WRITE },
	{ "seals.add.noexec_seal_exec_again", "seals", case_seals_add,
	  MFD_NOEXEC_SEAL, NO_SEALS, F_SEAL_EXEC },
	{ "seals.add.unknown_0x40", "seals", case_seals_add, MFD_ALLOW_SEALING,
	  NO_SEALS, 0x40 },
	{ "seals.add.unknown_0x40_with_shrink", "seals", case_seals_add,
	  MFD_ALLOW_SEALING, NO_SEALS, 0x40 | F_SEAL_SHRINK },
	{ "seals.add.bit31", "seals", case_seals_add, MFD_ALLOW_SEALING, NO_SEALS,
	  0x80000000L },
	{ "seals.add.0xffffffff", "seals", case_seals_add, MFD_ALLOW_SEALING,
	  NO_SEALS, 0xffffffffL },
	{ "seals.add.upper32_only", "seals", case_seals_add, MFD_ALLOW_SEALING,
	  NO_SEALS, (long)(sizeof(long) == 8 ? 1UL << 32 : 0) },
	{ "seals.add.upper32_with_shrink", "seals", case_seals_add,
	  MFD_ALLOW_SEALING, NO_SEALS,
	  (long)(sizeof(long) == 8 ? (1UL << 32) | F_SEAL_SHRINK : F_SEAL_SHRINK) },
	{ "seals.add.upper32_with_unknown_low", "seals", case_seals_add,
	  MFD_ALLOW_SEALING, NO_SEALS,
	  (long)(sizeof(long) == 8 ? (1UL << 32) | 0x40 : 0x40) },
	{ "seals.add.minus_one", "seals", case_seals_add, MFD_ALLOW_SEALING,
	  NO_SEALS, -1L },
	{ "seals.add.upper32_on_sealed", "seals", case_seals_add, 0, NO_SEALS,
	  (long)(sizeof(long) == 8 ? 1UL << 32 : 0) },
	{ "seals.exec.on_0644", "seals", case_seals_chmod_add, MFD_ALLOW_SEALING,
	  0644, F_SEAL_EXEC },
	{ "seals.exec.on_0700", "seals", case_seals_chmod_add, MFD_ALLOW_SEALING,
	  0700, F_SEAL_EXEC },
	{ "seals.exec.on_0001", "seals", case_seals_chmod_add, MFD_ALLOW_SEALING,
	  0001, F_SEAL_EXEC },
	{ "seals.exec.on_0666_with_write", "seals", case_seals_chmod_add,
	  MFD_ALLOW_SEALING, 0666, F_SEAL_EXEC | F_SEAL_WRITE },
	{ "seals.exec.exec_flag_on_0777", "seals", case_seals_chmod_add,
	  MFD_EXEC | MFD_ALLOW_SEALING, 0777, F_SEAL_EXEC },
	{ "seals.reopen.rdonly_add", "seals", case_seals_reopen, O_RDONLY,
	  F_SEAL_GROW, 0 },
	{ "seals.reopen.rdonly_add_unknown", "seals", case_seals_reopen, O_RDONLY,
	  0x40, 0 },
	{ "seals.reopen.rdonly_add_zero", "seals", case_seals_reopen, O_RDONLY, 0,
	  0 },
	{ "seals.reopen.rdonly_get", "seals", case_seals_reopen, O_RDONLY, 0, 1 },
	{ "seals.reopen.wronly_add", "seals", case_seals_reopen, O_WRONLY,
	  F_SEAL_GROW, 0 },
	{ "seals.reopen.rdwr_add", "seals", case_seals_reopen, O_RDWR,
	  F_SEAL_GROW, 0 },
	{ "seals.reopen.rdwr_get", "seals", case_seals_reopen, O_RDWR, 0, 1 },
	{ "seals.wide_fd_arg", "seals", case_seals_wide_args, 0 },
	{ "seals.wide_cmd_arg", "seals", case_seals_wide_args, 1 },
	{ "seals.other.pipe_read_add", "seals", case_seals_other_file, 0, 0 },
	{ "seals.other.pipe_write_add", "seals", case_seals_other_file, 1, 0 },
	{ "seals.other.pipe_get", "seals", case_seals_other_file, 0, 1 },
	{ "seals.other.socket_add", "seals", case_seals_other_file, 2, 0 },
	{ "seals.other.socket_get", "seals", case_seals_other_file, 2, 1 },
	{ "seals.other.dev_null_add", "seals", case_seals_other_file, 3, 0 },
	{ "seals.other.dev_null_get", "seals", case_seals_other_file, 3, 1 },
	{ "seals.other.directory_add", "seals", case_seals_other_file, 4, 0 },
	{ "seals.other.directory_get", "seals", case_seals_other_file, 4, 1 },
	{ "seals.other.o_path_add", "seals", case_seals_other_file, 5, 0 },
	{ "seals.other.o_path_get", "seals", case_seals_other_file, 5, 1 },
	{ "seals.other.closed_fd_add", "seals", case_seals_other_file, 6, 0 },
	{ "seals.other.closed_fd_get", "seals", case_seals_other_file, 6, 1 },
	{ "seals.disk_file.rdwr_add", "seals", case_seals_disk_file, O_RDWR, 0 },
	{ "seals.disk_file.rdonly_add", "seals", case_seals_disk_file, O_RDONLY,
	  0 },
	{ "seals.disk_file.get", "seals", case_seals_disk_file, O_RDWR, 1 },
	{ "seals.dev_shm.get", "seals", case_seals_devshm, 0, 1, O_RDWR },
	{ "seals.dev_shm.add", "seals", case_seals_devshm, 0, 0, O_RDWR },
	{ "seals.dev_shm.rdonly_add", "seals", case_seals_devshm, 0, 0, O_RDONLY },
	{ "seals.dev_shm.tmpfile_get", "seals", case_seals_devshm, 1, 1, O_RDWR },
	{ "seals.dev_shm.tmpfile_add", "seals", case_seals_devshm, 1, 0, O_RDWR },
	{ "seals.map.shared_rw_write", "seals", case_seals_with_map, F_SEAL_WRITE,
	  0 },
	{ "seals.map.shared_rw_shrink_write", "seals", case_seals_with_map,
	  F_SEAL_SHRINK | F_SEAL_WRITE, 0 },
	{ "seals.map.shared_rw_shrink", "seals", case_seals_with_map,
	  F_SEAL_SHRINK, 0 },
	{ "seals.map.shared_rw_future_write", "seals", case_seals_with_map, FW, 0 },
	{ "seals.map.shared_rw_exec_on_0777", "seals", case_seals_with_map,
	  F_SEAL_EXEC, 0 },
	{ "seals.map.shared_rw_exec_on_0644", "seals", case_seals_with_map,
	  F_SEAL_EXEC, 0, 0644 },
	{ "seals.map.shared_rw_all", "seals", case_seals_with_map, ALL_SEALS, 0 },
	{ "seals.map.shared_rw_write.seals_after", "seals", case_seals_with_map,
	  F_SEAL_WRITE, 0x100 },
	{ "seals.map.shared_rw_shrink_write.seals_after", "seals",
	  case_seals_with_map, F_SEAL_SHRINK | F_SEAL_WRITE, 0x100 },
	{ "seals.map.shared_rw_exec_on_0777.seals_after", "seals",
	  case_seals_with_map, F_SEAL_EXEC, 0x100 },
	{ "seals.map.shared_rw_all.seals_after", "seals", case_seals_with_map,
	  ALL_SEALS, 0x100 },
	{ "seals.map.shared_ro_rdwr_fd_write", "seals", case_seals_with_map,
	  F_SEAL_WRITE, 1 },
	{ "seals.map.shared_ro_rdwr_fd_exec_on_0777", "seals",
	  case_seals_with_map, F_SEAL_EXEC, 1 },
	{ "seals.map.shared_ro_rdonly_fd_write", "seals", case_seals_with_map,
	  F_SEAL_WRITE, 2 },
	{ "seals.map.private_rw_write", "seals", case_seals_with_map,
	  F_SEAL_WRITE, 3 },
	{ "seals.map.unmapped_write", "seals", case_seals_with_map, F_SEAL_WRITE,
	  4 },
	{ "seals.map.fd_closed_map_alive_write", "seals", case_seals_with_map,
	  F_SEAL_WRITE, 5 },
	{ "seals.map.mprotected_ro_write", "seals", case_seals_with_map,
	  F_SEAL_WRITE, 6 },
	{ "seals.map.fork_inherited_write", "seals", case_seals_fork_map, 0 },
	{ "seals.map.fork_child_exited_write", "seals", case_seals_fork_map, 1 },
	{ "seals.map.fw_prior_rw_then_write", "seals", case_seals_fw_then_w, 0 },
	{ "seals.map.fw_then_ro_map_then_write", "seals", case_seals_fw_then_w,
	  1 },

	/* --- write: single cases --- */
	{ "write.G.short_5000_pwrite_8192_at_0", "write", case_write_short, 5000,
	  F_SEAL_GROW, 8192 },
	{ "write.G.pwrite_200_at_4950_of_5000", "write", case_write_short, 5000,
	  F_SEAL_GROW, (4950L << 20) | 200 },
	{ "write.G.pwrite_20000_at_0_of_16384", "write", case_write_short, 16384,
	  F_SEAL_GROW, 20000 },
	{ "write.G.pwrite_8192_at_100_of_4096", "write", case_write_short, 4096,
	  F_SEAL_GROW, (100L << 20) | 8192 },
	{ "write.G.pwrite_100_at_5000_of_4096", "write", case_write_short, 4096,
	  F_SEAL_GROW, (5000L << 20) | 100 },
	{ "write.W.failed_write_leaves_content", "write", case_write_unchanged,
	  F_SEAL_WRITE },
	{ "write.FW.failed_write_leaves_content", "write", case_write_unchanged,
	  FW },
	{ "write.G.fsize_limit_at_eof", "write", case_write_fsize, F_SEAL_GROW,
	  FILE_SIZE },
	{ "write.W.fsize_limit_past_eof", "write", case_write_fsize,
	  F_SEAL_WRITE, 2 * FILE_SIZE },
	{ "write.W.fd_upper32", "write", case_write_wide_fd, F_SEAL_WRITE },
	{ "write.none.fd_upper32", "write", case_write_wide_fd, 0 },
	{ "write.W.rdonly_fd", "write", case_write_reopened, F_SEAL_WRITE,
	  O_RDONLY },
	{ "write.W.wronly_reopen", "write", case_write_reopened, F_SEAL_WRITE,
	  O_WRONLY },
	{ "write.S.wronly_reopen", "write", case_write_reopened, F_SEAL_SHRINK,
	  O_WRONLY },
	{ "write.W.negative_offset", "write", case_write_negative, F_SEAL_WRITE },

	/* --- mmap: single cases --- */
	{ "mmap.FW.prior_shared_rw_still_writes", "mmap", case_mmap_fw_prior, 0 },
	{ "mmap.FW.prior_shared_rw_mprotect_toggle", "mmap", case_mmap_fw_prior,
	  1 },
	{ "mmap.FW.prior_shared_rw_madvise_remove", "mmap", case_mmap_fw_prior,
	  2 },
	{ "mmap.FW.prior_shared_rw_proc_mem_write", "mmap", case_mmap_fw_prior,
	  3 },
	{ "mmap.FW.prior_shared_rw_remap", "mmap", case_mmap_fw_prior, 4 },
	{ "mmap.FW.private_fork_cow", "mmap", case_mmap_fw_private_fork, 0 },
	{ "mmap.none.touch_past_eof", "mmap", case_mmap_past_eof, 0, 2 },
	{ "mmap.SG.touch_past_eof", "mmap", case_mmap_past_eof,
	  F_SEAL_SHRINK | F_SEAL_GROW, 2 },
	{ "mmap.SG.touch_inside", "mmap", case_mmap_past_eof,
	  F_SEAL_SHRINK | F_SEAL_GROW, 1 },
	{ "mmap.noexec_seal.shared_rx", "mmap", case_mmap_exec, MFD_NOEXEC_SEAL,
	  MAP_SHARED },
	{ "mmap.noexec_seal.private_rx", "mmap", case_mmap_exec, MFD_NOEXEC_SEAL,
	  MAP_PRIVATE },

	/* --- chmod --- */
	/* 0644, then F_SEAL_EXEC: only EXEC is added */
	{ "chmod.x_on_0644.fchmod_0600", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0644), F_SEAL_EXEC, HOW(CHMOD_FCHMOD, 0600) },
	{ "chmod.x_on_0644.fchmod_0666", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0644), F_SEAL_EXEC, HOW(CHMOD_FCHMOD, 0666) },
	{ "chmod.x_on_0644.fchmod_0644", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0644), F_SEAL_EXEC, HOW(CHMOD_FCHMOD, 0644) },
	{ "chmod.x_on_0644.fchmod_04644", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0644), F_SEAL_EXEC, HOW(CHMOD_FCHMOD, 04644) },
	{ "chmod.x_on_0644.fchmod_0777", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0644), F_SEAL_EXEC, HOW(CHMOD_FCHMOD, 0777) },
	{ "chmod.x_on_0644.fchmod_0670", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0644), F_SEAL_EXEC, HOW(CHMOD_FCHMOD, 0670) },
	{ "chmod.x_on_0644.fchmod_0605", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0644), F_SEAL_EXEC, HOW(CHMOD_FCHMOD, 0605) },
	{ "chmod.x_on_0644.fchmod_0700", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0644), F_SEAL_EXEC, HOW(CHMOD_FCHMOD, 0700) },
	{ "chmod.x_on_0644.fchmod_0100", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0644), F_SEAL_EXEC, HOW(CHMOD_FCHMOD, 0100) },
	{ "chmod.x_on_0644.fchmod_0777.mode_after", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0644), F_SEAL_EXEC,
	  HOW(CHMOD_FCHMOD, 0777) | MODE_AFTER },
	{ "chmod.x_on_0644.fchmod_0700.mode_after", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0644), F_SEAL_EXEC,
	  HOW(CHMOD_FCHMOD, 0700) | MODE_AFTER },
	{ "chmod.x_on_0644.chmod_path_0755", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0644), F_SEAL_EXEC, HOW(CHMOD_PATH, 0755) },
	{ "chmod.x_on_0644.chmod_path_0640", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0644), F_SEAL_EXEC, HOW(CHMOD_PATH, 0640) },
	{ "chmod.x_on_0644.fchmodat_0755", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0644), F_SEAL_EXEC, HOW(CHMOD_AT, 0755) },
	{ "chmod.x_on_0644.fchmodat_0640", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0644), F_SEAL_EXEC, HOW(CHMOD_AT, 0640) },
	{ "chmod.x_on_0644.fchmodat2_empty_path_0755", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0644), F_SEAL_EXEC, HOW(CHMOD_AT2_EMPTY, 0755) },
	{ "chmod.x_on_0644.fchmodat2_empty_path_0640", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0644), F_SEAL_EXEC, HOW(CHMOD_AT2_EMPTY, 0640) },
	{ "chmod.x_on_0644.rdonly_fd_fchmod_0755", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0644), F_SEAL_EXEC, HOW(CHMOD_RDONLY, 0755) },
	{ "chmod.x_on_0644.rdonly_fd_fchmod_0600", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0644), F_SEAL_EXEC, HOW(CHMOD_RDONLY, 0600) },
	/* 0777, then F_SEAL_EXEC (implies S, G, W, FW) */
	{ "chmod.x_on_0777.fchmod_0711", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0), F_SEAL_EXEC, HOW(CHMOD_FCHMOD, 0711) },
	{ "chmod.x_on_0777.fchmod_0600", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0), F_SEAL_EXEC, HOW(CHMOD_FCHMOD, 0600) },
	{ "chmod.x_on_0777.fchmod_0600.mode_after", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0), F_SEAL_EXEC,
	  HOW(CHMOD_FCHMOD, 0600) | MODE_AFTER },
	{ "chmod.x_on_0700.fchmod_0711", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0700), F_SEAL_EXEC, HOW(CHMOD_FCHMOD, 0711) },
	{ "chmod.x_on_0700.fchmod_0600", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0700), F_SEAL_EXEC, HOW(CHMOD_FCHMOD, 0600) },
	{ "chmod.x_on_0700.fchmod_0500", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0700), F_SEAL_EXEC, HOW(CHMOD_FCHMOD, 0500) },
	{ "chmod.x_on_0777.fchmod_0766", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0), F_SEAL_EXEC, HOW(CHMOD_FCHMOD, 0766) },
	{ "chmod.x_on_0777.fchmod_0555", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0), F_SEAL_EXEC, HOW(CHMOD_FCHMOD, 0555) },
	{ "chmod.x_on_0777.fchmod_0777", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0), F_SEAL_EXEC, HOW(CHMOD_FCHMOD, 0777) },
	{ "chmod.x_on_0777.fchmod_02777", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0), F_SEAL_EXEC, HOW(CHMOD_FCHMOD, 02777) },
	/* MFD_NOEXEC_SEAL: 0666 and F_SEAL_EXEC from the start */
	{ "chmod.noexec_seal.fchmod_0777", "chmod", case_chmod,
	  CH(MFD_NOEXEC_SEAL, 0), 0, HOW(CHMOD_FCHMOD, 0777) },
	{ "chmod.noexec_seal.fchmod_0777.mode_after", "chmod", case_chmod,
	  CH(MFD_NOEXEC_SEAL, 0), 0, HOW(CHMOD_FCHMOD, 0777) | MODE_AFTER },
	{ "chmod.noexec_seal.fchmod_0766", "chmod", case_chmod,
	  CH(MFD_NOEXEC_SEAL, 0), 0, HOW(CHMOD_FCHMOD, 0766) },
	{ "chmod.noexec_seal.fchmod_0600", "chmod", case_chmod,
	  CH(MFD_NOEXEC_SEAL, 0), 0, HOW(CHMOD_FCHMOD, 0600) },
	{ "chmod.noexec_seal.fchmod_0444", "chmod", case_chmod,
	  CH(MFD_NOEXEC_SEAL, 0), 0, HOW(CHMOD_FCHMOD, 0444) },
	{ "chmod.noexec_seal.chmod_path_0755", "chmod", case_chmod,
	  CH(MFD_NOEXEC_SEAL, 0), 0, HOW(CHMOD_PATH, 0755) },
	/* no F_SEAL_EXEC: anything goes */
	{ "chmod.allow_sealing.fchmod_0644", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0), 0, HOW(CHMOD_FCHMOD, 0644) },
	{ "chmod.allow_sealing.0644_then_0755", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0644), 0, HOW(CHMOD_FCHMOD, 0755) },
	{ "chmod.exec.fchmod_0666", "chmod", case_chmod, CH(MFD_EXEC, 0), 0,
	  HOW(CHMOD_FCHMOD, 0666) },
	{ "chmod.none.fchmod_0600", "chmod", case_chmod, CH(0, 0), 0,
	  HOW(CHMOD_FCHMOD, 0600) },
	{ "chmod.W.fchmod_0600", "chmod", case_chmod,
	  CH(MFD_ALLOW_SEALING, 0), F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW,
	  HOW(CHMOD_FCHMOD, 0600) },
	/* files that are not memfds: the kernel's own walk and checks */
	{ "chmod.other.path", "chmod", case_chmod_other, CO_PATH, 0640 },
	{ "chmod.other.path_missing", "chmod", case_chmod_other,
	  CO_PATH_MISSING, 0640 },
	{ "chmod.other.path_notdir", "chmod", case_chmod_other,
	  CO_PATH_NOTDIR, 0640 },
	{ "chmod.other.path_empty", "chmod", case_chmod_other, CO_PATH_EMPTY,
	  0640 },
	{ "chmod.other.path_too_long", "chmod", case_chmod_other,
	  CO_PATH_LONG, 0640 },
	{ "chmod.other.path_efault", "chmod", case_chmod_other,
	  CO_PATH_EFAULT, 0640 },
	{ "chmod.other.path_symlink", "chmod", case_chmod_other,
	  CO_PATH_SYMLINK, 0640 },
	{ "chmod.other.path_dir", "chmod", case_chmod_other, CO_PATH_DIR,
	  0750 },
	{ "chmod.other.path_proc_fd", "chmod", case_chmod_other,
	  CO_PATH_PROC_FD, 0640 },
	{ "chmod.other.fchmodat_relative", "chmod", case_chmod_other,
	  CO_AT_RELATIVE, 0640 },
	{ "chmod.other.fchmodat_file_dirfd", "chmod", case_chmod_other,
	  CO_AT_NOTDIR_DIRFD, 0640 },
	{ "chmod.other.fchmodat_bad_dirfd", "chmod", case_chmod_other,
	  CO_AT_BADFD, 0640 },
	{ "chmod.other.fchmod", "chmod", case_chmod_other, CO_FCHMOD, 0640 },
	{ "chmod.other.fchmod_o_path", "chmod", case_chmod_other,
	  CO_FCHMOD_OPATH, 0640 },
	{ "chmod.other.fchmod_closed", "chmod", case_chmod_other,
	  CO_FCHMOD_CLOSED, 0640 },
	{ "chmod.other.fchmodat2_bad_flags", "chmod", case_chmod_other,
	  CO_AT2_BADFLAGS, 0640 },
	{ "chmod.other.fchmodat2_nofollow_symlink", "chmod", case_chmod_other,
	  CO_AT2_NOFOLLOW_LINK, 0640 },
	{ "chmod.other.fchmodat2_nofollow_file", "chmod", case_chmod_other,
	  CO_AT2_NOFOLLOW_FILE, 0640 },

	/* --- share --- */
	{ "share.unshared_thread.fchmod_noexec", "share",
	  case_share_unshared_thread, 0, 0 },
	{ "share.dup", "share", case_share_copy, 0, 0 },
	{ "share.f_dupfd_cloexec", "share", case_share_copy, 1, 0 },
	{ "share.dup3", "share", case_share_copy, 2, 0 },
	{ "share.proc_reopen_rdwr", "share", case_share_copy, 3, 0 },
	{ "share.dup_after_seal", "share", case_share_copy, 0, 1 },
	{ "share.proc_reopen_after_seal", "share", case_share_copy, 3, 1 },
	{ "share.fork.child_sees_parent_seals", "share", case_share_fork, 0 },
	{ "share.fork.parent_sees_child_seals", "share", case_share_fork, 1 },
	{ "share.fork.child_add_after_seal", "share", case_share_fork, 2 },
	{ "share.scm_rights.child_sees_seals", "share", case_share_scm_to_child,
	  0 },
	{ "share.scm_rights.sender_sees_receiver_seals", "share",
	  case_share_scm_to_child, 1 },
	{ "share.pidfd_getfd.get", "share", case_share_pidfd_getfd, 0 },
	{ "share.pidfd_getfd.add_seen_by_holder", "share", case_share_pidfd_getfd,
	  1 },
	{ "share.reopen_outlives_original", "share", case_share_reopen_after_close,
	  0 },

	/* --- proc --- */
	{ "proc.readlink.name", "proc", case_proc_readlink, 0 },
	{ "proc.readlink.empty", "proc", case_proc_readlink, 1 },
	{ "proc.readlink.slash", "proc", case_proc_readlink, 2 },
	{ "proc.readlink.dotdot", "proc", case_proc_readlink, 3 },
	{ "proc.readlink.space", "proc", case_proc_readlink, 4 },
	{ "proc.readlink.non_utf8", "proc", case_proc_readlink, 5 },
	{ "proc.readlink.tab_newline", "proc", case_proc_readlink, 6 },
	{ "proc.readlink.path_like", "proc", case_proc_readlink, 7 },
	{ "proc.readlink.249", "proc", case_proc_readlink_long, 0 },
	{ "proc.maps.shared", "proc", case_proc_maps, 0, MAP_SHARED, 0 },
	{ "proc.maps.private", "proc", case_proc_maps, 0, MAP_PRIVATE, 0 },
	{ "proc.maps.shared_rdonly_reopen", "proc", case_proc_maps, 0, MAP_SHARED,
	  1 },
	{ "proc.maps.empty_name", "proc", case_proc_maps, 1, MAP_SHARED, 0 },
	{ "proc.maps.space", "proc", case_proc_maps, 4, MAP_SHARED, 0 },
	{ "proc.maps.tab_newline", "proc", case_proc_maps, 6, MAP_SHARED, 0 },
	{ "proc.fdinfo.flags", "proc", case_proc_fdinfo, 0, 0 },
	{ "proc.fdinfo.flags_cloexec", "proc", case_proc_fdinfo, MFD_CLOEXEC, 0 },
	{ "proc.fdinfo.flags_rdonly_reopen", "proc", case_proc_fdinfo, 0, 1 },
	{ "proc.stat_path.mode", "proc", case_proc_stat, 0 },
	{ "proc.stat_path.nlink", "proc", case_proc_stat, 1 },
	{ "proc.statfs_path.type", "proc", case_proc_stat, 2 },
	{ "proc.o_path.fstat_mode", "proc", case_proc_stat, 3 },
	{ "proc.reopen.rdwr", "proc", case_proc_reopen, O_RDWR },
	{ "proc.reopen.rdonly", "proc", case_proc_reopen, O_RDONLY },
	{ "proc.reopen.wronly", "proc", case_proc_reopen, O_WRONLY },
	{ "proc.reopen.creat_excl", "proc", case_proc_reopen,
	  O_RDWR | O_CREAT | O_EXCL },
	{ "proc.reopen.directory", "proc", case_proc_reopen,
	  O_RDONLY | O_DIRECTORY },
	{ "proc.reopen.rdonly_write", "proc", case_proc_reopen_ro_write, 0 },
	{ "proc.linkat_to_dev_shm", "proc", case_proc_linkat, 0 },

	/* --- exec --- */
	{ "exec.script.execveat", "exec", case_exec, 0, 0, 0 },
	{ "exec.script.proc_path", "exec", case_exec, 0, 0, 1 },
	{ "exec.script.cloexec_execveat", "exec", case_exec, MFD_CLOEXEC, 0, 0 },
	{ "exec.script.exec_flag", "exec", case_exec, MFD_EXEC, 0, 0 },
	{ "exec.script.noexec_seal", "exec", case_exec, MFD_NOEXEC_SEAL, 0, 0 },
	{ "exec.script.noexec_seal_proc_path", "exec", case_exec, MFD_NOEXEC_SEAL,
	  0, 1 },
	{ "exec.script.chmod_0644", "exec", case_exec, MFD_ALLOW_SEALING, 0, 2 },
	{ "exec.script.x_sealed_0777", "exec", case_exec, MFD_ALLOW_SEALING, 0,
	  4 },
	{ "exec.script.sgw_sealed", "exec", case_exec, MFD_ALLOW_SEALING, 0, 32 },
	{ "exec.script.rdonly_reopen", "exec", case_exec, 0, 0, 8 },
	{ "exec.script.extra_rdwr_reopen_open", "exec", case_exec, 0, 0, 16 },
	{ "exec.elf.execveat", "exec", case_exec, 0, 1, 0 },
	{ "exec.elf.proc_path", "exec", case_exec, 0, 1, 1 },
	{ "exec.elf.cloexec_execveat", "exec", case_exec, MFD_CLOEXEC, 1, 0 },
	{ "exec.elf.noexec_seal", "exec", case_exec, MFD_NOEXEC_SEAL, 1, 0 },
	{ "exec.elf.x_sealed_0777", "exec", case_exec, MFD_ALLOW_SEALING, 1, 4 },
	{ "exec.elf.extra_rdwr_reopen_open", "exec", case_exec, 0, 1, 16 },

	/* --- hugetlb (only when asked: depends on configured huge pages) --- */
	{ "hugetlb.create.default", "hugetlb", case_huge_create, MFD_HUGETLB, 0 },
	{ "hugetlb.create.2mb", "hugetlb", case_huge_create, HUGE_FLAGS(21), 0 },
	{ "hugetlb.create.1gb", "hugetlb", case_huge_create, HUGE_FLAGS(30), 0 },
	{ "hugetlb.create.64kb", "hugetlb", case_huge_create, HUGE_FLAGS(16), 0 },
	{ "hugetlb.create.16gb", "hugetlb", case_huge_create, HUGE_FLAGS(34), 0 },
	{ "hugetlb.create.log2_63", "hugetlb", case_huge_create, HUGE_FLAGS(63),
	  0 },
	{ "hugetlb.create.allow_sealing", "hugetlb", case_huge_create,
	  MFD_HUGETLB | MFD_ALLOW_SEALING, 0 },
	{ "hugetlb.create.noexec_seal", "hugetlb", case_huge_create,
	  MFD_HUGETLB | MFD_NOEXEC_SEAL, 0 },
	{ "hugetlb.create.exec", "hugetlb", case_huge_create,
	  MFD_HUGETLB | MFD_EXEC, 0 },
	{ "hugetlb.seals.none", "hugetlb", case_huge_create, MFD_HUGETLB, 1 },
	{ "hugetlb.seals.allow_sealing", "hugetlb", case_huge_create,
	  MFD_HUGETLB | MFD_ALLOW_SEALING, 1 },
	{ "hugetlb.seals.noexec_seal", "hugetlb", case_huge_create,
	  MFD_HUGETLB | MFD_NOEXEC_SEAL, 1 },
	{ "hugetlb.mode.none", "hugetlb", case_huge_create, MFD_HUGETLB, 2 },
	{ "hugetlb.mode.noexec_seal", "hugetlb", case_huge_create,
	  MFD_HUGETLB | MFD_NOEXEC_SEAL, 2 },
	{ "hugetlb.readlink", "hugetlb", case_huge_create, MFD_HUGETLB, 3 },
	{ "hugetlb.statfs.type", "hugetlb", case_huge_create, MFD_HUGETLB, 4 },
	{ "hugetlb.stat.blksize", "hugetlb", case_huge_create, MFD_HUGETLB, 5 },
	{ "hugetlb.none.write", "hugetlb", case_huge_op, 0, 0 },
	{ "hugetlb.none.pwrite", "hugetlb", case_huge_op, 8, 0 },
	{ "hugetlb.W.write", "hugetlb", case_huge_op, 0, F_SEAL_WRITE },
	{ "hugetlb.none.ftruncate_grow", "hugetlb", case_huge_op, 1, 0 },
	{ "hugetlb.G.ftruncate_grow", "hugetlb", case_huge_op, 1, F_SEAL_GROW },
	{ "hugetlb.S.ftruncate_zero", "hugetlb", case_huge_op, 2, F_SEAL_SHRINK },
	{ "hugetlb.none.ftruncate_unaligned", "hugetlb", case_huge_op, 3, 0 },
	{ "hugetlb.G.ftruncate_unaligned", "hugetlb", case_huge_op, 3,
	  F_SEAL_GROW },
	{ "hugetlb.X.fchmod_0777", "hugetlb", case_huge_op, 4, F_SEAL_EXEC },
	{ "hugetlb.G.fallocate_grow", "hugetlb", case_huge_op, 5, F_SEAL_GROW },
	{ "hugetlb.W.punch_hole", "hugetlb", case_huge_op, 6, F_SEAL_WRITE },
	{ "hugetlb.FW.punch_hole", "hugetlb", case_huge_op, 6, FW },
	{ "hugetlb.exec_on_0777", "hugetlb", case_huge_op, 7, 0, F_SEAL_EXEC },
};

struct matrix {
	const char *group;
	const char *prefix;
	const struct op *ops;
	size_t nops;
	const struct sealset *const *sets;
	size_t nsets;
	int via;
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct matrix matrices[] = {
	{ "write", "write", write_ops, N(write_ops), write_sets, N(write_sets),
	  VIA_LOCAL },
	{ "truncate", "truncate", truncate_ops, N(truncate_ops), truncate_sets,
	  N(truncate_sets), VIA_LOCAL },
	{ "fallocate", "fallocate", fallocate_ops, N(fallocate_ops),
	  fallocate_sets, N(fallocate_sets), VIA_LOCAL },
	{ "mmap", "mmap", mmap_ops, N(mmap_ops), mmap_sets, N(mmap_sets),
	  VIA_LOCAL },
	{ "share", "share.scm_sender_sealed", scm_ops, N(scm_ops), scm_sets,
	  N(scm_sets), VIA_SCM },
	{ "share", "share.scm_sender_sealed", scm_shrink_ops, N(scm_shrink_ops),
	  scm_shrink_sets, N(scm_shrink_sets), VIA_SCM },
};

static const char *const group_order[] = {
	"create", "seals", "write", "truncate", "fallocate", "mmap",
	"chmod", "share", "proc", "exec", "hugetlb",
};

static struct conform_case cases[MAX_CASES];
static size_t ncases;

static void add_case(const struct conform_case *c)
{
	if (ncases == MAX_CASES) {
		fprintf(stderr, "conform: too many cases\n");
		exit(2);
	}
	cases[ncases++] = *c;
}

/* every case, grouped in group_order; singles before matrices in a group */
static void build_cases(void)
{
	for (size_t g = 0; g < N(group_order); g++) {
		const char *group = group_order[g];

		for (size_t i = 0; i < N(singles); i++) {
			const struct single *s = &singles[i];
			struct conform_case c = { .group = s->group, .fn = s->fn,
						  .a = s->a, .b = s->b, .c = s->c };

			if (strcmp(s->group, group) != 0)
				continue;
			snprintf(c.name, sizeof(c.name), "%s", s->name);
			add_case(&c);
		}
		for (size_t m = 0; m < N(matrices); m++) {
			const struct matrix *mx = &matrices[m];

			if (strcmp(mx->group, group) != 0)
				continue;
			for (size_t si = 0; si < mx->nsets; si++)
				for (size_t oi = 0; oi < mx->nops; oi++) {
					struct conform_case c = {
						.group = mx->group,
						.fn = case_matrix,
						.op = &mx->ops[oi],
						.ss = mx->sets[si],
						.via = mx->via,
					};

					snprintf(c.name, sizeof(c.name), "%s.%s.%s",
						 mx->prefix, mx->sets[si]->label,
						 mx->ops[oi].name);
					add_case(&c);
				}
		}
	}
}

/* ====================================================================
 * running
 * ==================================================================== */

static void reset_signals(void)
{
	static const int sigs[] = { SIGBUS, SIGSEGV, SIGPIPE, SIGXFSZ, SIGALRM,
				    SIGCHLD };
	struct sigaction sa;
	sigset_t none;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (size_t i = 0; i < N(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static void run_case(const struct conform_case *c, char *out, size_t len)
{
	int p[2], status = 0;
	ssize_t n = 0;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(out, len, "RUNNER:pipe=%s", errno_name(errno));
		return;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		snprintf(out, len, "RUNNER:fork=%s", errno_name(errno));
		close(p[0]);
		close(p[1]);
		return;
	}
	if (pid == 0) {
		setpgid(0, 0);
		close(p[0]);
		result_fd = p[1];
		reset_signals();
		umask(022);
		alarm(CASE_TIMEOUT);
		c->fn(c);
		report("NORESULT");
	}
	setpgid(pid, pid);
	close(p[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* anything the case left behind in its process group */
	kill(-pid, SIGKILL);
	while (waitpid(-pid, NULL, 0) > 0 || errno == EINTR)
		;
	/* the case wrote its result before exiting: no need to wait for EOF
	 * (which a leftover grandchild could delay) */
	if (fcntl(p[0], F_SETFL, O_NONBLOCK) == 0)
		n = read(p[0], out, len - 1);
	close(p[0]);
	if (n < 0)
		n = 0;
	out[n] = '\0';
	if (WIFSIGNALED(status)) {
		if (WTERMSIG(status) == SIGALRM)
			snprintf(out, len, "TIMEOUT");
		else
			snprintf(out, len, "SIGNAL=%s", signal_name(WTERMSIG(status)));
	} else if (n == 0) {
		snprintf(out, len, "NORESULT:exit=%d", WEXITSTATUS(status));
	}
}

static int in_groups(const char *group, char **groups, size_t ngroups)
{
	for (size_t i = 0; i < ngroups; i++)
		if (strcmp(groups[i], group) == 0)
			return 1;
	return 0;
}

static int name_matches(const char *pattern, const char *name)
{
	size_t n = strlen(pattern);

	if (n && pattern[n - 1] == '*')
		return strncmp(pattern, name, n - 1) == 0;
	return strcmp(pattern, name) == 0;
}

/* conform --helper exit N: used by the exec cases (an ELF memfd) */
static int helper(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[2], "exit") == 0)
		return atoi(argv[3]);
	return 126;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: conform [--list] [--all] [--group=G[,G...]] [CASE...]\n"
		   "groups:");
	for (size_t g = 0; g < N(group_order); g++)
		fprintf(f, " %s", group_order[g]);
	fprintf(f, "\nwithout CASE or --group: every group but hugetlb\n");
}

int main(int argc, char **argv)
{
	static char *groups[64];
	size_t ngroups = 0;
	int list = 0, all = 0, npatterns = 0;
	char **patterns;
	static char result[RESULT_MAX + 64];
	ssize_t n;

	if (argc >= 2 && strcmp(argv[1], "--helper") == 0)
		return helper(argc, argv);
	patterns = calloc((size_t)argc + 1, sizeof(char *));
	if (!patterns)
		return 2;
	memset(buf_b, 'b', sizeof(buf_b));
	n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	if (n > 0)
		self_exe[n] = '\0';
	build_cases();

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--list") == 0) {
			list = 1;
		} else if (strcmp(argv[i], "--all") == 0) {
			all = 1;
		} else if (strncmp(argv[i], "--group=", 8) == 0) {
			char *save = NULL;

			for (char *g = strtok_r(argv[i] + 8, ",", &save);
			     g && ngroups < N(groups); g = strtok_r(NULL, ",", &save)) {
				int known = 0;

				for (size_t k = 0; k < N(group_order); k++)
					known |= strcmp(g, group_order[k]) == 0;
				if (!known) {
					fprintf(stderr, "conform: unknown group %s\n", g);
					usage(stderr);
					free(patterns);
					return 2;
				}
				groups[ngroups++] = g;
			}
		} else if (strcmp(argv[i], "--help") == 0 ||
			   strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			free(patterns);
			return 0;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "conform: unknown option %s\n", argv[i]);
			usage(stderr);
			free(patterns);
			return 2;
		} else {
			patterns[npatterns++] = argv[i];
		}
	}
	for (int p = 0; p < npatterns; p++) {
		int found = 0;

		for (size_t i = 0; i < ncases && !found; i++)
			found = name_matches(patterns[p], cases[i].name);
		if (!found) {
			fprintf(stderr, "conform: no case %s\n", patterns[p]);
			free(patterns);
			return 2;
		}
	}

	/* orphaned grandchildren of a case come back to us to be reaped */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	setvbuf(stdout, NULL, _IOLBF, 0);

	for (size_t i = 0; i < ncases; i++) {
		const struct conform_case *c = &cases[i];
		int selected;

		if (npatterns || ngroups) {
			selected = in_groups(c->group, groups, ngroups);
			for (int p = 0; p < npatterns && !selected; p++)
				selected = name_matches(patterns[p], c->name);
		} else {
			selected = all || strcmp(c->group, "hugetlb") != 0;
		}
		if (!selected)
			continue;
		if (list) {
			printf("%s %s\n", c->name, c->group);
			continue;
		}
		run_case(c, result, sizeof(result));
		printf("%s %s\n", c->name, result);
	}
	free(patterns);
	return 0;
}
