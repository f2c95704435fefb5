/* SPDX-License-Identifier: MIT */
/*
 * attacks.c: the adversarial suite. Every attack makes a memfd
 * (MFD_ALLOW_SEALING), fills it with a known pattern, seals it, tries to
 * change its content, size or mode through one path, and then checks with
 * a fresh pread of the whole file and fstat whether anything changed.
 *
 *   attacks [--control] [--only PATTERN[,PATTERN...]] [--list]
 *           [--timeout SECONDS]
 *
 * One line per attack, "NAME VERDICT -- detail", VERDICT one of:
 *   held      the seals held
 *   bypass    content, size or mode changed (or a write provably landed
 *             after F_ADD_SEALS returned)
 *   known-gap a bypass the native kernel allows too (not counted)
 *   skip      the path is not available here
 *   n/a       meaningful only under sealbox
 *   hang      no answer within the time limit
 *   error     the attack itself could not be set up
 * and a summary "N passed, N failed" where failed = bypasses. Exit status:
 * 0 when nothing failed, hung or errored; 1 with bypasses; 2 otherwise.
 *
 * --control runs every attack against the same memfd WITHOUT sealing it
 * (a "seal" is then only a flag the racing threads look at): each attack
 * must then report "effective", which proves that the path really writes
 * and that the check would see it. Summary "N effective, N ineffective";
 * exit 0 only when every attack that ran was effective.
 *
 * Each attack runs in its own child process under alarm().
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <linux/aio_abi.h>
#include <linux/io_uring.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

/* ---- constants old headers may lack ------------------------------------ */

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif
#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING 0x0002U
#endif
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS (1024 + 9)
#define F_GET_SEALS (1024 + 10)
#endif
#ifndef F_SEAL_SEAL
#define F_SEAL_SEAL 0x0001
#define F_SEAL_SHRINK 0x0002
#define F_SEAL_GROW 0x0004
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
#ifndef MADV_REMOVE
#define MADV_REMOVE 9
#endif
#ifndef MAP_32BIT
#define MAP_32BIT 0x40
#endif
#ifndef O_TMPFILE
#define O_TMPFILE (020000000 | 0200000)
#endif
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
#ifndef SYS_pkey_mprotect
#define SYS_pkey_mprotect 329
#endif
#ifndef SYS_userfaultfd
#define SYS_userfaultfd 323
#endif
#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup 425
#endif
#ifndef SYS_io_uring_enter
#define SYS_io_uring_enter 426
#endif
#define X32_BIT 0x40000000L

/* ---- the file every attack works on ------------------------------------ */

#define PAGE 4096
#define DATA_PAGES 2          /* written with the pattern */
#define NPAGES 3              /* the last page is a hole */
#define FSIZE (NPAGES * PAGE)
#define DATA (DATA_PAGES * PAGE)

/* seal sets */
#define S_STD (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_EXEC)
#define S_FW (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_FUTURE_WRITE)
#define S_SIZE (F_SEAL_SHRINK | F_SEAL_GROW)
#define S_EXEC F_SEAL_EXEC

/* what the final check compares */
#define CHK_CONTENT 1
#define CHK_SIZE 2
#define CHK_MODE 4
#define CHK_ALL (CHK_CONTENT | CHK_SIZE | CHK_MODE)

/* attack results before the final check */
#define R_CHECK 0   /* look at the file */
#define R_BYPASS 1  /* evidence of a bypass besides the file */
#define R_SKIP 2
#define R_NA 3
#define R_ERROR 4

/* final verdicts */
#define V_HELD 0
#define V_BYPASS 1
#define V_GAP 2
#define V_SKIP 3
#define V_NA 4
#define V_HANG 5
#define V_ERROR 6

/* attack flags */
#define A_KERNEL_GAP 1   /* the native kernel allows it too */
#define A_SEALBOX_ONLY 2 /* meaningless without a supervisor */
#define A_DESTRUCTIVE 4  /* ends the run: only with --only */
#define A_OWN_SETUP 8    /* the attack makes and seals its file itself */

struct actx {
	int fd;                 /* the sealed memfd */
	bool control;
	bool vsealed;           /* control: the "seal" happened */
	bool exec_ok;           /* F_SEAL_EXEC was applied */
	bool self_report;       /* the attack printed its own line */
	unsigned int seals;     /* as applied */
	int check;              /* CHK_* */
	int64_t size;           /* expected */
	unsigned int mode;      /* expected (07777) */
	int verdict;
	pid_t helper;           /* a helper process to kill at the end */
	char cleanup[4][128];   /* paths to unlink at the end */
	unsigned char expect[FSIZE + PAGE];
	char detail[1024];
};

struct alias;

struct attack {
	char name[64];
	int (*fn)(struct actx *a, const struct attack *at);
	unsigned int seals;
	unsigned int flags;
	int check;
	const struct alias *alias;
	int op;
	long arg;
};

static struct {
	bool control;
	bool under_sealbox;
	unsigned int timeout;
	const char *only;
	bool list;
} opt = { false, false, 20, NULL, false };

/* ---- small helpers -------------------------------------------------------- */

static long rc(long r)
{
	return r < 0 ? -errno : r;
}

static const char *ename(long r)
{
	static __thread char buf[32];
	const char *n;

	if (r >= 0) {
		snprintf(buf, sizeof(buf), "%ld", r);
		return buf;
	}
	n = strerrorname_np((int)-r);
	if (n)
		return n;
	snprintf(buf, sizeof(buf), "E%ld", -r);
	return buf;
}

static pthread_mutex_t note_lock = PTHREAD_MUTEX_INITIALIZER;

__attribute__((format(printf, 2, 3)))
static void note(struct actx *a, const char *fmt, ...)
{
	size_t used;
	va_list ap;

	pthread_mutex_lock(&note_lock);
	used = strlen(a->detail);
	if (used + 2 < sizeof(a->detail)) {
		if (used)
			a->detail[used++] = ' ';
		va_start(ap, fmt);
		vsnprintf(a->detail + used, sizeof(a->detail) - used, fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&note_lock);
}

/* "what=result" */
static void res(struct actx *a, const char *what, long r)
{
	note(a, "%s=%s", what, ename(r));
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static unsigned char pattern_byte(size_t i)
{
	return (unsigned char)(0x30 + (i * 7 + i / 251) % 40);
}

static void spin(int n)
{
	for (int i = 0; i < n; i++)
		__asm__ volatile("" ::: "memory");
}

static void fill(char *buf, size_t len, char c)
{
	memset(buf, c, len);
}

/* writes through a mapping that may not be writable */
static __thread sigjmp_buf seg_jmp;
static __thread volatile int seg_armed;

static void on_segv(int sig)
{
	if (seg_armed)
		siglongjmp(seg_jmp, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int guarded_fill(void *p, char c, size_t len)
{
	int sig;

	seg_armed = 1;
	sig = sigsetjmp(seg_jmp, 1);
	if (sig == 0)
		memset(p, c, len);
	seg_armed = 0;
	return sig == 0 ? 0 : -EFAULT;
}

static bool mapped_ok(const void *p)
{
	return p != MAP_FAILED;
}

static void *low_mem(size_t len)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
}

static int send_fd(int sock, int fd)
{
	char dummy = 'F';
	struct iovec iov = { &dummy, 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg;
	struct cmsghdr *cm;

	memset(&u, 0, sizeof(u));
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

static int recv_fd(int sock)
{
	char dummy;
	struct iovec iov = { &dummy, 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg;
	struct cmsghdr *cm;
	int fd = -1;

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	if (recvmsg(sock, &msg, 0) != 1)
		return -errno ? -errno : -EPIPE;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -EPIPE;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

static pid_t ppid_of(pid_t pid)
{
	char path[64], line[256];
	FILE *f;
	int pp = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "PPid: %d", &pp) == 1)
			break;
	fclose(f);
	return (pid_t)pp;
}

static bool is_sealbox(pid_t pid)
{
	char path[64], exe[512];
	ssize_t n;
	const char *base;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n <= 0) {
		/* exe needs ptrace access to a process that is not
		 * dumpable; its command name does not */
		int fd;

		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return false;
		n = read(fd, exe, sizeof(exe) - 1);
		close(fd);
		if (n <= 0)
			return false;
	}
	exe[n] = '\0';
	base = strrchr(exe, '/');
	base = base ? base + 1 : exe;
	return strncmp(base, "sealbox", 7) == 0;
}

/* a child that dies with us */
static pid_t fork_child(void)
{
	pid_t parent = getpid();
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(99);
	}
	return pid;
}

static void reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, __WALL) < 0 && errno == EINTR)
		;
}

/* ---- i386 int 0x80 ------------------------------------------------------ */

#if defined(__x86_64__)
#define HAVE_COMPAT 1
static long sys32(long nr, long a1, long a2, long a3, long a4, long a5,
		  long a6)
{
	long ret;

	/* stay clear of the red zone; ebp carries the sixth argument */
	__asm__ volatile("sub $128, %%rsp\n\t"
			 "push %%rbp\n\t"
			 "mov %[a6], %%rbp\n\t"
			 "int $0x80\n\t"
			 "pop %%rbp\n\t"
			 "add $128, %%rsp"
			 : "=a"(ret)
			 : "a"(nr), "b"(a1), "c"(a2), "d"(a3), "S"(a4),
			   "D"(a5), [a6] "r"(a6)
			 : "memory", "cc", "r8", "r9", "r10", "r11");
	/* a 32-bit result in eax */
	if ((unsigned long)(int)ret >= (unsigned long)-4095L)
		return (int)ret;
	return (long)(unsigned int)ret;
}
#else
#define HAVE_COMPAT 0
static long sys32(long nr, long a1, long a2, long a3, long a4, long a5,
		  long a6)
{
	(void)nr; (void)a1; (void)a2; (void)a3; (void)a4; (void)a5; (void)a6;
	return -ENOSYS;
}
#endif

#define NR32_WRITE 4
#define NR32_OPEN 5
#define NR32_DUP 41
#define NR32_DUP2 63
#define NR32_FCNTL 55
#define NR32_OLD_MMAP 90
#define NR32_TRUNCATE 92
#define NR32_FTRUNCATE 93
#define NR32_FCHMOD 94
#define NR32_MPROTECT 125
#define NR32_WRITEV 146
#define NR32_PWRITE64 181
#define NR32_SENDFILE 187
#define NR32_MMAP2 192
#define NR32_TRUNCATE64 193
#define NR32_FTRUNCATE64 194
#define NR32_FCNTL64 221
#define NR32_SENDFILE64 239
#define NR32_OPENAT 295
#define NR32_SPLICE 313
#define NR32_FALLOCATE 324
#define NR32_DUP3 330
#define NR32_PWRITEV 334
#define NR32_COPY_FILE_RANGE 377
#define NR32_PWRITEV2 379
#define NR32_PKEY_MPROTECT 380

/* ---- the file: make, seal, check ------------------------------------------ */

static int make_memfd(struct actx *a, unsigned int extra)
{
	unsigned char data[DATA];
	struct stat st;
	int fd;

	fd = (int)syscall(SYS_memfd_create, "adversarial",
			  MFD_ALLOW_SEALING | extra);
	if (fd < 0 && (extra & MFD_EXEC))
		fd = (int)syscall(SYS_memfd_create, "adversarial",
				  MFD_ALLOW_SEALING | (extra & ~MFD_EXEC));
	if (fd < 0)
		return -errno;
	for (size_t i = 0; i < DATA; i++)
		data[i] = pattern_byte(i);
	if (pwrite(fd, data, DATA, 0) != DATA || ftruncate(fd, FSIZE) < 0 ||
	    fstat(fd, &st) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	memset(a->expect, 0, sizeof(a->expect));
	memcpy(a->expect, data, DATA);
	a->fd = fd;
	a->size = FSIZE;
	a->mode = st.st_mode & 07777;
	return fd;
}

/*
 * A file with no name in dir: O_TMPFILE, or before Linux 3.11 (and under
 * legacy-kernel 3.10) a file made and unlinked at once.
 */
static int anon_file(const char *dir, mode_t mode)
{
	char path[PATH_MAX];
	int fd = open(dir, O_TMPFILE | O_RDWR, mode);

	if (fd >= 0 || (errno != EISDIR && errno != EOPNOTSUPP &&
			errno != EINVAL))
		return fd;
	snprintf(path, sizeof(path), "%s/sealbox-attack.XXXXXX", dir);
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	unlink(path);
	if (fchmod(fd, mode) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* a plain tmpfs file instead of a memfd (control of sealbox-only paths) */
static int make_tmpfile(struct actx *a)
{
	static const char *const dirs[] = { "/dev/shm", "/run/user/0", "/tmp" };
	unsigned char data[DATA];
	struct stat st;
	int fd = -1;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && fd < 0; i++)
		fd = anon_file(dirs[i], 0777);
	if (fd < 0)
		return -errno;
	for (size_t i = 0; i < DATA; i++)
		data[i] = pattern_byte(i);
	if (pwrite(fd, data, DATA, 0) != DATA || ftruncate(fd, FSIZE) < 0 ||
	    fchmod(fd, 0777) < 0 || fstat(fd, &st) < 0)
		return -errno;
	memset(a->expect, 0, sizeof(a->expect));
	memcpy(a->expect, data, DATA);
	a->fd = fd;
	a->size = FSIZE;
	a->mode = st.st_mode & 07777;
	return fd;
}

static long seal_fd(struct actx *a, int fd, unsigned int seals)
{
	long r;

	if (a->control) {
		__atomic_store_n(&a->vsealed, true, __ATOMIC_SEQ_CST);
		a->seals |= seals;
		a->exec_ok = true;
		return 0;
	}
	r = rc(fcntl(fd, F_ADD_SEALS, seals));
	if (r == -EINVAL && (seals & F_SEAL_EXEC)) {
		/* a kernel before 6.3: no F_SEAL_EXEC */
		seals &= ~(unsigned int)F_SEAL_EXEC;
		r = rc(fcntl(fd, F_ADD_SEALS, seals));
	} else if (r == 0 && (seals & F_SEAL_EXEC)) {
		a->exec_ok = true;
	}
	if (r == 0)
		a->seals |= seals;
	return r;
}

static long seal(struct actx *a, unsigned int seals)
{
	return seal_fd(a, a->fd, seals);
}

/* the expected content is what the file holds now */
static void snapshot(struct actx *a)
{
	struct stat st;

	if (fstat(a->fd, &st) == 0) {
		a->size = st.st_size;
		a->mode = st.st_mode & 07777;
	}
	memset(a->expect, 0, sizeof(a->expect));
	if (pread(a->fd, a->expect, sizeof(a->expect), 0) < 0)
		note(a, "snapshot=%s", ename(-errno));
}

static bool verify(struct actx *a)
{
	static unsigned char buf[FSIZE + 2 * PAGE];
	struct stat st;
	bool changed = false;
	ssize_t n;

	if (fstat(a->fd, &st) < 0) {
		note(a, "fstat=%s", ename(-errno));
		return false;
	}
	if ((a->check & CHK_SIZE) && st.st_size != a->size) {
		note(a, "[size %lld -> %lld]", (long long)a->size,
		     (long long)st.st_size);
		changed = true;
	}
	if ((a->check & CHK_MODE) && (st.st_mode & 07777) != a->mode) {
		note(a, "[mode %o -> %o]", a->mode,
		     (unsigned int)(st.st_mode & 07777));
		changed = true;
	}
	if (a->check & CHK_CONTENT) {
		memset(buf, 0, sizeof(buf));
		n = pread(a->fd, buf, sizeof(buf), 0);
		if (n < 0) {
			note(a, "pread=%s", ename(-errno));
			return changed;
		}
		for (ssize_t i = 0; i < n && i < a->size &&
		     i < (ssize_t)sizeof(a->expect); i++) {
			if (buf[i] != a->expect[i]) {
				note(a, "[content changed at offset %zd: "
				     "0x%02x -> 0x%02x]", i, a->expect[i],
				     buf[i]);
				changed = true;
				break;
			}
		}
	}
	return changed;
}

/* ---- operations on an fd ---------------------------------------------------- */

enum {
	OP_WRITE, OP_PWRITE, OP_WRITEV, OP_PWRITEV2, OP_FTRUNCATE,
	OP_FALLOCATE, OP_MMAP, OP_SENDFILE, OP_SPLICE, OP_COPY_FILE_RANGE,
	OP_FCHMOD, OP_FCHMODAT2_EMPTY,
	/* path operations (reopen aliases) */
	OP_OPEN_TRUNC, OP_TRUNCATE, OP_CHMOD,
	OP_COUNT
};

static const struct {
	const char *name;
	unsigned int needs; /* the seal it tests */
	bool path;
} ops[OP_COUNT] = {
	[OP_WRITE] = { "write", F_SEAL_WRITE, false },
	[OP_PWRITE] = { "pwrite", F_SEAL_WRITE, false },
	[OP_WRITEV] = { "writev", F_SEAL_WRITE, false },
	[OP_PWRITEV2] = { "pwritev2", F_SEAL_WRITE, false },
	[OP_FTRUNCATE] = { "ftruncate", F_SEAL_SHRINK, false },
	[OP_FALLOCATE] = { "fallocate", F_SEAL_WRITE, false },
	[OP_MMAP] = { "mmap", F_SEAL_WRITE, false },
	[OP_SENDFILE] = { "sendfile", F_SEAL_WRITE, false },
	[OP_SPLICE] = { "splice", F_SEAL_WRITE, false },
	[OP_COPY_FILE_RANGE] = { "copy_file_range", F_SEAL_WRITE, false },
	[OP_FCHMOD] = { "fchmod", F_SEAL_EXEC, false },
	[OP_FCHMODAT2_EMPTY] = { "fchmodat2_empty", F_SEAL_EXEC, false },
	[OP_OPEN_TRUNC] = { "open_trunc", F_SEAL_SHRINK, true },
	[OP_TRUNCATE] = { "truncate", F_SEAL_SHRINK, true },
	[OP_CHMOD] = { "chmod", F_SEAL_EXEC, true },
};

/* a source file holding 'S' bytes for sendfile and copy_file_range */
static int source_file(void)
{
	char buf[PAGE];
	int fd = (int)syscall(SYS_memfd_create, "source", 0);

	if (fd < 0)
		fd = anon_file("/tmp", 0600);
	if (fd < 0)
		return -1;
	fill(buf, sizeof(buf), 'S');
	if (pwrite(fd, buf, sizeof(buf), 0) != PAGE) {
		close(fd);
		return -1;
	}
	return fd;
}

static void do_op(struct actx *a, int op, int t)
{
	static char xbuf[PAGE];
	struct iovec iov[2];
	long r;

	fill(xbuf, sizeof(xbuf), 'X');
	switch (op) {
	case OP_WRITE:
		lseek(t, 0, SEEK_SET);
		res(a, "write", rc(write(t, xbuf, PAGE)));
		break;
	case OP_PWRITE:
		res(a, "pwrite", rc(pwrite(t, xbuf, PAGE, 0)));
		break;
	case OP_WRITEV:
		lseek(t, 0, SEEK_SET);
		iov[0].iov_base = xbuf;
		iov[0].iov_len = 100;
		iov[1].iov_base = xbuf + 100;
		iov[1].iov_len = 100;
		res(a, "writev", rc(writev(t, iov, 2)));
		break;
	case OP_PWRITEV2:
		iov[0].iov_base = xbuf;
		iov[0].iov_len = PAGE;
		res(a, "pwritev2", rc(pwritev2(t, iov, 1, 0, 0)));
		break;
	case OP_FTRUNCATE:
		res(a, "shrink", rc(ftruncate(t, PAGE)));
		res(a, "grow", rc(ftruncate(t, FSIZE + PAGE)));
		break;
	case OP_FALLOCATE:
		res(a, "punch", rc(fallocate(t, FALLOC_FL_PUNCH_HOLE |
					     FALLOC_FL_KEEP_SIZE, 0, PAGE)));
		res(a, "grow", rc(fallocate(t, 0, 0, FSIZE + PAGE)));
		break;
	case OP_MMAP: {
		char *p = mmap(NULL, FSIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			       t, 0);

		if (!mapped_ok(p)) {
			res(a, "mmap", -errno);
			break;
		}
		res(a, "mmap", 0);
		res(a, "store", guarded_fill(p, 'X', 64));
		munmap(p, FSIZE);
		break;
	}
	case OP_SENDFILE: {
		int src = source_file();
		off_t off = 0;

		if (src < 0) {
			note(a, "no source file");
			break;
		}
		lseek(t, 0, SEEK_SET);
		res(a, "sendfile", rc(sendfile(t, src, &off, PAGE)));
		close(src);
		break;
	}
	case OP_SPLICE: {
		int p[2];
		loff_t off = 0;

		if (pipe(p) < 0) {
			res(a, "pipe", -errno);
			break;
		}
		if (write(p[1], xbuf, PAGE) != PAGE)
			note(a, "pipe write failed");
		r = rc(splice(p[0], NULL, t, &off, PAGE, 0));
		res(a, "splice", r);
		close(p[0]);
		close(p[1]);
		break;
	}
	case OP_COPY_FILE_RANGE: {
		int src = source_file();
		loff_t o1 = 0, o2 = 0;

		if (src < 0) {
			note(a, "no source file");
			break;
		}
		res(a, "copy_file_range",
		    rc(copy_file_range(src, &o1, t, &o2, PAGE, 0)));
		close(src);
		break;
	}
	case OP_FCHMOD:
		res(a, "fchmod", rc(fchmod(t, a->mode ^ 0111)));
		break;
	case OP_FCHMODAT2_EMPTY:
		r = rc(syscall(SYS_fchmodat2, t, "", a->mode ^ 0111,
			       AT_EMPTY_PATH));
		res(a, "fchmodat2", r);
		break;
	default:
		note(a, "bad op %d", op);
		break;
	}
}

/* ---- aliases: other ways to reach the same file ------------------------------ */

#define AL_FD 0       /* a new fd for the same open file */
#define AL_REOPEN 1   /* a new open of the same inode through a path */

#define AF_FORK_CHILD 1    /* the operation runs in a forked child */
#define AF_SCM_CHILD 2     /* ... in a child that gets the fd by SCM_RIGHTS */
#define AF_FW 4            /* F_SEAL_FUTURE_WRITE instead of F_SEAL_WRITE */
#define AF_TMPFILE_CONTROL 8 /* control: a plain tmpfs file */

struct alias {
	const char *name;
	int kind;
	unsigned int flags;
	int (*get)(struct actx *a, const struct alias *al, int flags);
	int (*path)(struct actx *a, char *buf, size_t len);
};

static int g_direct(struct actx *a, const struct alias *al, int fl)
{
	(void)al;
	(void)fl;
	return a->fd;
}

static int g_dup(struct actx *a, const struct alias *al, int fl)
{
	(void)al;
	(void)fl;
	return (int)rc(dup(a->fd));
}

static int g_dupfd0(struct actx *a, const struct alias *al, int fl)
{
	(void)al;
	(void)fl;
	return (int)rc(fcntl(a->fd, F_DUPFD, 0));
}

static int g_dupfd_cloexec0(struct actx *a, const struct alias *al, int fl)
{
	(void)al;
	(void)fl;
	return (int)rc(fcntl(a->fd, F_DUPFD_CLOEXEC, 0));
}

static int g_dup2_low(struct actx *a, const struct alias *al, int fl)
{
	(void)al;
	(void)fl;
	return (int)rc(dup2(a->fd, 100));
}

static int g_dup3_low(struct actx *a, const struct alias *al, int fl)
{
	(void)al;
	(void)fl;
	return (int)rc(dup3(a->fd, 101, O_CLOEXEC));
}

static int g_dup2_high(struct actx *a, const struct alias *al, int fl)
{
	(void)al;
	(void)fl;
	return (int)rc(dup2(a->fd, a->fd + 40));
}

static int g_scm_self(struct actx *a, const struct alias *al, int fl)
{
	int sv[2], r;

	(void)al;
	(void)fl;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return -errno;
	r = send_fd(sv[0], a->fd);
	if (r == 0)
		r = recv_fd(sv[1]);
	close(sv[0]);
	close(sv[1]);
	return r;
}

static int g_pidfd_getfd(struct actx *a, const struct alias *al, int fl)
{
	int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	int r;

	(void)al;
	(void)fl;
	if (pidfd < 0)
		return -errno;
	r = (int)rc(syscall(SYS_pidfd_getfd, pidfd, a->fd, 0));
	close(pidfd);
	return r;
}

static int g_compat_fcntl64_dupfd(struct actx *a, const struct alias *al,
				  int fl)
{
	(void)al;
	(void)fl;
	return (int)sys32(NR32_FCNTL64, a->fd, F_DUPFD, 0, 0, 0, 0);
}

static int g_compat_fcntl_dupfd(struct actx *a, const struct alias *al,
				int fl)
{
	(void)al;
	(void)fl;
	return (int)sys32(NR32_FCNTL, a->fd, F_DUPFD, 0, 0, 0, 0);
}

static int g_compat_dup(struct actx *a, const struct alias *al, int fl)
{
	(void)al;
	(void)fl;
	return (int)sys32(NR32_DUP, a->fd, 0, 0, 0, 0, 0);
}

static int g_compat_dup2(struct actx *a, const struct alias *al, int fl)
{
	(void)al;
	(void)fl;
	return (int)sys32(NR32_DUP2, a->fd, 102, 0, 0, 0, 0);
}

/* paths */
static int p_proc_self(struct actx *a, char *buf, size_t len)
{
	return snprintf(buf, len, "/proc/self/fd/%d", a->fd) > 0 ? 0 : -EINVAL;
}

static int p_dev_fd(struct actx *a, char *buf, size_t len)
{
	return snprintf(buf, len, "/dev/fd/%d", a->fd) > 0 ? 0 : -EINVAL;
}

static int p_proc_pid(struct actx *a, char *buf, size_t len)
{
	return snprintf(buf, len, "/proc/%d/fd/%d", (int)getpid(), a->fd) > 0 ?
	       0 : -EINVAL;
}

static int p_thread_self(struct actx *a, char *buf, size_t len)
{
	return snprintf(buf, len, "/proc/thread-self/fd/%d", a->fd) > 0 ?
	       0 : -EINVAL;
}

static int p_self_task(struct actx *a, char *buf, size_t len)
{
	return snprintf(buf, len, "/proc/self/task/%d/fd/%d", (int)gettid(),
			a->fd) > 0 ? 0 : -EINVAL;
}

static int p_dotdot(struct actx *a, char *buf, size_t len)
{
	return snprintf(buf, len, "/proc/self/../self/fd/%d", a->fd) > 0 ?
	       0 : -EINVAL;
}

static int p_dslash(struct actx *a, char *buf, size_t len)
{
	return snprintf(buf, len, "//proc/self/fd/%d", a->fd) > 0 ? 0 : -EINVAL;
}

static int p_fd_dot(struct actx *a, char *buf, size_t len)
{
	return snprintf(buf, len, "/proc/self/fd/./%d", a->fd) > 0 ?
	       0 : -EINVAL;
}

static void add_cleanup(struct actx *a, const char *path)
{
	for (size_t i = 0; i < sizeof(a->cleanup) / sizeof(a->cleanup[0]); i++) {
		if (!a->cleanup[i][0]) {
			snprintf(a->cleanup[i], sizeof(a->cleanup[i]), "%s",
				 path);
			return;
		}
	}
}

static int p_symlink(struct actx *a, char *buf, size_t len)
{
	char target[64];

	snprintf(target, sizeof(target), "/proc/self/fd/%d", a->fd);
	snprintf(buf, len, "/tmp/sealbox-adv-sym-%d", (int)getpid());
	unlink(buf);
	if (symlink(target, buf) < 0)
		return -errno;
	add_cleanup(a, buf);
	return 0;
}

static int proc_fd_dir(void)
{
	static int dirfd = -1;

	if (dirfd < 0)
		dirfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY);
	return dirfd;
}

static int p_dirfd(struct actx *a, char *buf, size_t len)
{
	int d = proc_fd_dir();

	if (d < 0)
		return -errno;
	/* the same directory, named through itself */
	return snprintf(buf, len, "/proc/self/fd/%d/%d", d, a->fd) > 0 ?
	       0 : -EINVAL;
}

static int p_cwd(struct actx *a, char *buf, size_t len)
{
	if (chdir("/proc/self/fd") < 0)
		return -errno;
	return snprintf(buf, len, "%d", a->fd) > 0 ? 0 : -EINVAL;
}

static int p_child_pid(struct actx *a, char *buf, size_t len)
{
	if (a->helper <= 0) {
		a->helper = fork_child();
		if (a->helper < 0)
			return -errno;
		if (a->helper == 0) {
			for (;;)
				pause();
		}
	}
	return snprintf(buf, len, "/proc/%d/fd/%d", (int)a->helper, a->fd) > 0 ?
	       0 : -EINVAL;
}

static int p_map_files(struct actx *a, char *buf, size_t len)
{
	static char *m;

	if (!m) {
		m = mmap(NULL, FSIZE, PROT_READ, MAP_SHARED, a->fd, 0);
		if (!mapped_ok(m)) {
			m = NULL;
			return -errno;
		}
	}
	return snprintf(buf, len, "/proc/self/map_files/%lx-%lx",
			(unsigned long)(uintptr_t)m,
			(unsigned long)(uintptr_t)m + FSIZE) > 0 ? 0 : -EINVAL;
}

static int p_linkat(struct actx *a, char *buf, size_t len)
{
	static const char *const dirs[] = { "/dev/shm", "/run/user/0", "/tmp" };
	char self[64];
	int err = -ENOENT;

	snprintf(self, sizeof(self), "/proc/self/fd/%d", a->fd);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(buf, len, "%s/sealbox-adv-link-%d", dirs[i],
			 (int)getpid());
		unlink(buf);
		if (linkat(AT_FDCWD, self, AT_FDCWD, buf,
			   AT_SYMLINK_FOLLOW) == 0 ||
		    linkat(a->fd, "", AT_FDCWD, buf, AT_EMPTY_PATH) == 0) {
			add_cleanup(a, buf);
			return 0;
		}
		err = -errno;
	}
	return err;
}

static int g_path_open(struct actx *a, const struct alias *al, int fl)
{
	char path[256];
	int err = al->path(a, path, sizeof(path));

	if (err < 0)
		return err;
	return (int)rc(open(path, fl));
}

static int g_openat_dirfd(struct actx *a, const struct alias *al, int fl)
{
	char name[32];
	int d = proc_fd_dir();

	(void)al;
	if (d < 0)
		return -errno;
	snprintf(name, sizeof(name), "%d", a->fd);
	return (int)rc(openat(d, name, fl));
}

struct open_how_compat {
	uint64_t flags, mode, resolve;
};

static int g_openat2_proc(struct actx *a, const struct alias *al, int fl)
{
	struct open_how_compat how = { (uint64_t)fl, 0, 0 };
	char path[64];

	(void)al;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", a->fd);
	return (int)rc(syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how)));
}

static int g_openat2_dirfd(struct actx *a, const struct alias *al, int fl)
{
	struct open_how_compat how = { (uint64_t)fl, 0, 0 };
	char name[32];
	int d = proc_fd_dir();

	(void)al;
	if (d < 0)
		return -errno;
	snprintf(name, sizeof(name), "%d", a->fd);
	return (int)rc(syscall(SYS_openat2, d, name, &how, sizeof(how)));
}

static int g_open_by_handle(struct actx *a, const struct alias *al, int fl)
{
	union {
		struct file_handle fh;
		char buf[sizeof(struct file_handle) + 128];
	} h;
	int mnt;

	(void)al;
	h.fh.handle_bytes = 128;
	if (name_to_handle_at(a->fd, "", &h.fh, &mnt, AT_EMPTY_PATH) < 0)
		return -errno;
	/* the file itself serves as the mount fd */
	return (int)rc(open_by_handle_at(a->fd, &h.fh, fl));
}

static int g_compat_open(struct actx *a, const struct alias *al, int fl)
{
	char *p = low_mem(PAGE);
	int r;

	(void)al;
	if (!mapped_ok(p))
		return -errno;
	snprintf(p, PAGE, "/proc/self/fd/%d", a->fd);
	r = (int)sys32(NR32_OPEN, (long)(uintptr_t)p, fl, 0, 0, 0, 0);
	munmap(p, PAGE);
	return r;
}

static const struct alias aliases[] = {
	/* new fds for the same open file */
	{ "direct", AL_FD, 0, g_direct, NULL },
	{ "direct_fw", AL_FD, AF_FW, g_direct, NULL },
	{ "dup", AL_FD, 0, g_dup, NULL },
	{ "dupfd0", AL_FD, 0, g_dupfd0, NULL },
	{ "dupfd_cloexec0", AL_FD, 0, g_dupfd_cloexec0, NULL },
	{ "dup2_low", AL_FD, 0, g_dup2_low, NULL },
	{ "dup3_low", AL_FD, 0, g_dup3_low, NULL },
	{ "dup2_high", AL_FD, 0, g_dup2_high, NULL },
	{ "dup2_low_fw", AL_FD, AF_FW, g_dup2_low, NULL },
	{ "scm_rights_self", AL_FD, 0, g_scm_self, NULL },
	{ "pidfd_getfd_self", AL_FD, 0, g_pidfd_getfd, NULL },
	{ "fork_child", AL_FD, AF_FORK_CHILD, g_direct, NULL },
	{ "scm_rights_child", AL_FD, AF_SCM_CHILD, g_direct, NULL },
	{ "compat_fcntl64_dupfd", AL_FD, 0, g_compat_fcntl64_dupfd, NULL },
	{ "compat_fcntl_dupfd", AL_FD, 0, g_compat_fcntl_dupfd, NULL },
	{ "compat_dup", AL_FD, 0, g_compat_dup, NULL },
	{ "compat_dup2", AL_FD, 0, g_compat_dup2, NULL },
	/* new opens of the same inode */
	{ "proc_self", AL_REOPEN, 0, g_path_open, p_proc_self },
	{ "dev_fd", AL_REOPEN, 0, g_path_open, p_dev_fd },
	{ "proc_pid", AL_REOPEN, 0, g_path_open, p_proc_pid },
	{ "proc_thread_self", AL_REOPEN, 0, g_path_open, p_thread_self },
	{ "proc_self_task", AL_REOPEN, 0, g_path_open, p_self_task },
	{ "proc_dotdot", AL_REOPEN, 0, g_path_open, p_dotdot },
	{ "proc_double_slash", AL_REOPEN, 0, g_path_open, p_dslash },
	{ "proc_fd_dot", AL_REOPEN, 0, g_path_open, p_fd_dot },
	{ "symlink", AL_REOPEN, 0, g_path_open, p_symlink },
	{ "openat_dirfd", AL_REOPEN, 0, g_openat_dirfd, p_dirfd },
	{ "cwd_relative", AL_REOPEN, 0, g_path_open, p_cwd },
	{ "openat2_proc", AL_REOPEN, 0, g_openat2_proc, NULL },
	{ "openat2_dirfd", AL_REOPEN, 0, g_openat2_dirfd, NULL },
	{ "proc_child_pid", AL_REOPEN, 0, g_path_open, p_child_pid },
	{ "map_files", AL_REOPEN, 0, g_path_open, p_map_files },
	{ "open_by_handle", AL_REOPEN, 0, g_open_by_handle, NULL },
	{ "linkat_name", AL_REOPEN, AF_TMPFILE_CONTROL, g_path_open, p_linkat },
	{ "compat_open", AL_REOPEN, 0, g_compat_open, NULL },
};

/* ops tried through each kind of alias */
static const int fd_ops[] = {
	OP_WRITE, OP_PWRITE, OP_WRITEV, OP_PWRITEV2, OP_FTRUNCATE,
	OP_FALLOCATE, OP_MMAP, OP_SENDFILE, OP_SPLICE, OP_COPY_FILE_RANGE,
	OP_FCHMOD, OP_FCHMODAT2_EMPTY,
};
static const int reopen_ops[] = {
	OP_WRITE, OP_FTRUNCATE, OP_FALLOCATE, OP_MMAP, OP_FCHMOD,
	OP_OPEN_TRUNC, OP_TRUNCATE, OP_CHMOD,
};

static void path_op(struct actx *a, const struct alias *al, int op)
{
	char path[256];
	int err, fd;

	if (op == OP_OPEN_TRUNC) {
		fd = al->get(a, al, O_RDWR | O_TRUNC);
		res(a, "open(O_RDWR|O_TRUNC)", fd);
		if (fd >= 0)
			close(fd);
		return;
	}
	err = al->path(a, path, sizeof(path));
	if (err < 0) {
		res(a, "path", err);
		return;
	}
	if (op == OP_TRUNCATE)
		res(a, "truncate", rc(truncate(path, 0)));
	else
		res(a, "chmod", rc(chmod(path, a->mode ^ 0111)));
}

static int atk_alias(struct actx *a, const struct attack *at)
{
	const struct alias *al = at->alias;
	int t, sv[2] = { -1, -1 };
	pid_t pid;

	if (ops[at->op].needs == F_SEAL_EXEC && !a->exec_ok) {
		note(a, "kernel without F_SEAL_EXEC");
		return R_SKIP;
	}
	if (ops[at->op].path) {
		path_op(a, al, at->op);
		return R_CHECK;
	}
	if (al->flags & (AF_FORK_CHILD | AF_SCM_CHILD)) {
		if ((al->flags & AF_SCM_CHILD) &&
		    socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
			return R_ERROR;
		pid = fork_child();
		if (pid < 0)
			return R_ERROR;
		if (pid == 0) {
			t = a->fd;
			if (al->flags & AF_SCM_CHILD) {
				close(a->fd);
				t = recv_fd(sv[1]);
				note(a, "received fd %d", t);
			}
			if (t >= 0)
				do_op(a, at->op, t);
			_exit(0);
		}
		if (al->flags & AF_SCM_CHILD)
			send_fd(sv[0], a->fd);
		reap(pid);
		return R_CHECK;
	}
	t = al->get(a, al, O_RDWR);
	if (t < 0) {
		res(a, al->kind == AL_FD ? "alias" : "reopen", t);
		return R_CHECK;
	}
	if (t != a->fd)
		note(a, "fd %d", t);
	do_op(a, at->op, t);
	return R_CHECK;
}

/*
 * Create and close many memfds: a supervisor that keeps per-file state
 * reclaims the state of files it believes nobody holds any more.
 */
#define CHURN 1500

static void churn(void)
{
	for (int i = 0; i < CHURN; i++) {
		int f = (int)syscall(SYS_memfd_create, "churn", 0);

		if (f >= 0)
			close(f);
	}
}

/* ---- mappings ------------------------------------------------------------- */

/* a read-only shared mapping; control: a writable one where the attack
 * needs the write permission the seal takes away */
static char *map_ro(struct actx *a, bool control_rw)
{
	int prot = PROT_READ;

	if (a->control && control_rw)
		prot |= PROT_WRITE;
	return mmap(NULL, FSIZE, prot, MAP_SHARED, a->fd, 0);
}

static int atk_mprotect(struct actx *a, const struct attack *at)
{
	char *m = map_ro(a, false), *t;
	long r;

	if (!mapped_ok(m)) {
		res(a, "mmap(PROT_READ)", -errno);
		return R_CHECK;
	}
	switch (at->arg) {
	case 0:
		r = rc(mprotect(m, FSIZE, PROT_READ | PROT_WRITE));
		res(a, "mprotect", r);
		break;
	case 1:
		r = rc(syscall(SYS_pkey_mprotect, m, FSIZE,
			       PROT_READ | PROT_WRITE, -1));
		res(a, "pkey_mprotect", r);
		break;
	default: /* mremap, then mprotect */
		t = mremap(m, FSIZE, FSIZE, MREMAP_MAYMOVE);
		if (!mapped_ok(t)) {
			res(a, "mremap", -errno);
			return R_CHECK;
		}
		m = t;
		r = rc(mprotect(m, FSIZE, PROT_READ | PROT_WRITE));
		res(a, "mprotect", r);
		break;
	}
	if (r == 0)
		res(a, "store", guarded_fill(m, 'X', 64));
	return R_CHECK;
}

/* FUTURE_WRITE: a read-only mapping made after the seal never becomes
 * writable */
static int atk_fw_new_map(struct actx *a, const struct attack *at)
{
	char *m = map_ro(a, false);
	long r;

	(void)at;
	if (!mapped_ok(m)) {
		res(a, "mmap(PROT_READ)", -errno);
		return R_CHECK;
	}
	r = rc(mprotect(m, FSIZE, PROT_READ | PROT_WRITE));
	res(a, "mprotect", r);
	if (r == 0)
		res(a, "store", guarded_fill(m, 'X', 64));
	return R_CHECK;
}

/* FUTURE_WRITE with a writable mapping from before the seal at A: unmap
 * it, map the file read-only at the same address, upgrade that */
static int atk_fw_premap_swap(struct actx *a, const struct attack *at)
{
	char *pre, *m;
	long r;

	(void)at;
	if (make_memfd(a, MFD_EXEC) < 0)
		return R_ERROR;
	pre = mmap(NULL, FSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, a->fd, 0);
	if (!mapped_ok(pre))
		return R_ERROR;
	r = seal(a, S_FW);
	res(a, "seal(FUTURE_WRITE)", r);
	if (r < 0)
		return R_ERROR;
	munmap(pre, FSIZE);
	m = mmap(pre, FSIZE, PROT_READ, MAP_SHARED | MAP_FIXED, a->fd, 0);
	if (!mapped_ok(m)) {
		res(a, "mmap(PROT_READ, same address)", -errno);
		return R_CHECK;
	}
	r = rc(mprotect(m, FSIZE, PROT_READ | PROT_WRITE));
	res(a, "mprotect", r);
	if (r == 0)
		res(a, "store", guarded_fill(m, 'X', 64));
	return R_CHECK;
}

/* userfaultfd: UFFDIO_COPY fills a hole of the file through a read-only
 * shared mapping (the kernel refuses to register a VMA without
 * VM_MAYWRITE) */
static int atk_uffd_copy(struct actx *a, const struct attack *at)
{
	struct uffdio_api api = { .api = UFFD_API, .features = 0 };
	struct uffdio_register reg;
	struct uffdio_copy cp;
	char *m = map_ro(a, false), *src;
	int u;
	long r;

	(void)at;
	if (!mapped_ok(m)) {
		res(a, "mmap(PROT_READ)", -errno);
		return R_CHECK;
	}
	u = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	if (u < 0) {
		res(a, "userfaultfd", -errno);
		return a->control ? R_SKIP : R_CHECK;
	}
	if (ioctl(u, UFFDIO_API, &api) < 0) {
		res(a, "UFFDIO_API", -errno);
		return R_SKIP;
	}
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (uintptr_t)m;
	reg.range.len = FSIZE;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	r = rc(ioctl(u, UFFDIO_REGISTER, &reg));
	res(a, "UFFDIO_REGISTER", r);
	if (r < 0)
		return R_CHECK;
	src = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!mapped_ok(src))
		return R_ERROR;
	fill(src, PAGE, 'U');
	memset(&cp, 0, sizeof(cp));
	cp.dst = (uintptr_t)m + (NPAGES - 1) * PAGE; /* the hole */
	cp.src = (uintptr_t)src;
	cp.len = PAGE;
	res(a, "UFFDIO_COPY", rc(ioctl(u, UFFDIO_COPY, &cp)));
	return R_CHECK;
}

static int atk_proc_mem(struct actx *a, const struct attack *at)
{
	char *m = map_ro(a, true), buf[64];
	int f;

	(void)at;
	if (!mapped_ok(m)) {
		res(a, "mmap", -errno);
		return R_CHECK;
	}
	f = open("/proc/self/mem", O_RDWR);
	if (f < 0) {
		res(a, "open(/proc/self/mem)", -errno);
		return R_SKIP;
	}
	fill(buf, sizeof(buf), 'M');
	res(a, "pwrite(/proc/self/mem)",
	    rc(pwrite(f, buf, sizeof(buf), (off_t)(uintptr_t)m)));
	close(f);
	return R_CHECK;
}

static int atk_process_vm_writev(struct actx *a, const struct attack *at)
{
	char *m = map_ro(a, true);
	pid_t parent = getpid(), pid;

	(void)at;
	if (!mapped_ok(m)) {
		res(a, "mmap", -errno);
		return R_CHECK;
	}
	pid = fork_child();
	if (pid < 0)
		return R_ERROR;
	if (pid == 0) {
		char buf[64];
		struct iovec l = { buf, sizeof(buf) }, r = { m, sizeof(buf) };

		fill(buf, sizeof(buf), 'P');
		res(a, "process_vm_writev",
		    rc(process_vm_writev(parent, &l, 1, &r, 1, 0)));
		_exit(0);
	}
	reap(pid);
	return R_CHECK;
}

/* MADV_REMOVE: a read-only mapping after F_SEAL_WRITE (arg 0), or a
 * writable mapping from before F_SEAL_FUTURE_WRITE (arg 1) */
static int atk_madv_remove(struct actx *a, const struct attack *at)
{
	char *m;
	long r;

	if (at->arg == 0) {
		m = map_ro(a, true);
		if (!mapped_ok(m)) {
			res(a, "mmap", -errno);
			return R_CHECK;
		}
	} else {
		if (make_memfd(a, MFD_EXEC) < 0)
			return R_ERROR;
		m = mmap(NULL, FSIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			 a->fd, 0);
		if (!mapped_ok(m))
			return R_ERROR;
		r = seal(a, S_FW);
		res(a, "seal(FUTURE_WRITE)", r);
		if (r < 0)
			return R_ERROR;
	}
	res(a, "madvise(MADV_REMOVE)", rc(madvise(m, PAGE, MADV_REMOVE)));
	return R_CHECK;
}

/* F_SEAL_WRITE must fail with EBUSY while a writable-capable shared
 * mapping exists; if it succeeds, the mapping writes to a sealed file */
static int atk_seal_ebusy(struct actx *a, const struct attack *at)
{
	int prot = at->arg == 1 ? PROT_READ : PROT_READ | PROT_WRITE;
	int go[2], done[2];
	char *m = NULL;
	pid_t pid = -1;
	long r;
	char c = 0;

	if (make_memfd(a, MFD_EXEC) < 0 || pipe(go) < 0 || pipe(done) < 0)
		return R_ERROR;
	switch (at->arg) {
	case 0: /* our own writable mapping */
	case 1: /* our own PROT_READ mapping through an O_RDWR fd */
		m = mmap(NULL, FSIZE, prot, MAP_SHARED, a->fd, 0);
		if (!mapped_ok(m))
			return R_ERROR;
		break;
	case 2: /* a child's own writable mapping */
	case 3: /* a writable mapping the child inherited; ours is gone */
		if (at->arg == 3) {
			m = mmap(NULL, FSIZE, PROT_READ | PROT_WRITE,
				 MAP_SHARED, a->fd, 0);
			if (!mapped_ok(m))
				return R_ERROR;
		}
		pid = fork_child();
		if (pid < 0)
			return R_ERROR;
		if (pid == 0) {
			char *cm = m;

			if (!cm)
				cm = mmap(NULL, FSIZE, PROT_READ | PROT_WRITE,
					  MAP_SHARED, a->fd, 0);
			if (!mapped_ok(cm))
				_exit(1);
			if (write(done[1], "m", 1) != 1 ||
			    read(go[0], &c, 1) != 1)
				_exit(1);
			if (c == 'w')
				res(a, "child store",
				    guarded_fill(cm, 'C', 64));
			_exit(0);
		}
		if (read(done[0], &c, 1) != 1)
			return R_ERROR;
		if (m) {
			munmap(m, FSIZE);
			m = NULL;
		}
		break;
	default:
		return R_ERROR;
	}
	r = seal(a, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
	res(a, "seal(WRITE)", r);
	if (pid > 0) {
		c = r == 0 ? 'w' : 'n';
		if (write(go[1], &c, 1) != 1)
			return R_ERROR;
		reap(pid);
		return R_CHECK;
	}
	if (r == 0) {
		/* sealed with a mapping alive: try to write through it */
		if (at->arg == 1) {
			long p = rc(mprotect(m, FSIZE, PROT_READ | PROT_WRITE));

			res(a, "mprotect", p);
			if (p < 0)
				return R_CHECK;
		}
		res(a, "store", guarded_fill(m, 'X', 64));
	}
	return R_CHECK;
}

/* ---- races ------------------------------------------------------------------ */

struct race {
	struct actx *a;
	volatile int stop;
	volatile int won;
	volatile int where;  /* 0: at A, 1: at T */
	char *A, *T;
	size_t len;
	int x;               /* the contested fd number */
	int reg;             /* a plain file */
	int op;
	long count;
	volatile char *path;
	int path_at;
	char path_good, path_bad;
	struct iovec *iov;
	size_t len_small, len_big;
};

/* move a mapping between A and T as fast as possible */
static void *mover(void *p)
{
	struct race *r = p;

	while (!r->stop) {
		if (mremap(r->A, r->len, r->len, MREMAP_MAYMOVE | MREMAP_FIXED,
			   r->T) != MAP_FAILED)
			r->where = 1;
		if (r->stop)
			break;
		if (mremap(r->T, r->len, r->len, MREMAP_MAYMOVE | MREMAP_FIXED,
			   r->A) != MAP_FAILED)
			r->where = 0;
		r->count++;
	}
	return NULL;
}

/* two free address ranges */
static int two_ranges(struct race *r, size_t len)
{
	char *base = mmap(NULL, 4 * len, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (!mapped_ok(base))
		return -errno;
	r->len = len;
	r->A = base;
	r->T = base + 2 * len;
	munmap(base, 4 * len);
	return 0;
}

/*
 * mprotect (arg 0) or madvise(MADV_REMOVE) (arg 1) on an address range
 * that is empty when the supervisor looks and holds the sealed file's
 * mapping when the kernel acts.
 */
static int atk_remap_race(struct actx *a, const struct attack *at)
{
	struct race r;
	pthread_t th;
	uint64_t end;
	long tries = 0, ret = -1, last = 0;
	char *m;

	memset(&r, 0, sizeof(r));
	r.a = a;
	if (two_ranges(&r, FSIZE) < 0)
		return R_ERROR;
	if (at->arg == 0) {
		/* F_SEAL_WRITE: a read-only mapping */
		m = mmap(r.A, FSIZE, PROT_READ, MAP_SHARED | MAP_FIXED, a->fd,
			 0);
	} else {
		/* FUTURE_WRITE with a writable mapping from before the seal */
		if (make_memfd(a, MFD_EXEC) < 0)
			return R_ERROR;
		m = mmap(r.A, FSIZE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, a->fd, 0);
		if (mapped_ok(m) && seal(a, S_FW) < 0)
			return R_ERROR;
	}
	if (!mapped_ok(m)) {
		int e = errno;

		res(a, "mmap", -e);
		if (at->arg == 0 && e == EPERM) {
			/* before 6.7 (and its backports) not even a read-only
			 * shared map of a write-sealed file: nothing to race */
			note(a, "no read-only shared map of a sealed file here");
			return R_NA;
		}
		return R_ERROR;
	}
	if (pthread_create(&th, NULL, mover, &r) != 0)
		return R_ERROR;
	end = now_ms() + 3000;
	while (now_ms() < end) {
		if (at->arg == 0)
			ret = rc(mprotect(r.T, FSIZE, PROT_READ | PROT_WRITE));
		else
			ret = rc(madvise(r.T, PAGE, MADV_REMOVE));
		tries++;
		if (ret == 0)
			break;
		if (ret != -ENOMEM)
			last = ret;
	}
	r.stop = 1;
	pthread_join(th, NULL);
	note(a, "%ld tries, %ld moves, last refusal %s", tries, r.count,
	     ename(last));
	if (ret == 0) {
		res(a, at->arg == 0 ? "mprotect" : "madvise(MADV_REMOVE)", 0);
		if (at->arg == 0)
			res(a, "store", guarded_fill(r.where ? r.T : r.A,
						     'X', 64));
	}
	return R_CHECK;
}

/* thread A: the contested fd number X is the sealed file or a plain one */
static void *flipper(void *p)
{
	struct race *r = p;

	while (!r->stop) {
		dup2(r->a->fd, r->x);
		dup2(r->reg, r->x);
		r->count++;
	}
	return NULL;
}

/* thread B: an operation on X; the check and the act may see different
 * files */
static int atk_dup2_race(struct actx *a, const struct attack *at)
{
	static char xbuf[64];
	struct race r;
	pthread_t th;
	uint64_t end;
	long n = 0;
	char *m;

	memset(&r, 0, sizeof(r));
	r.a = a;
	r.x = a->fd + 64;
	r.reg = anon_file("/tmp", 0666);
	if (r.reg < 0)
		return R_ERROR;
	if (ftruncate(r.reg, FSIZE) < 0)
		return R_ERROR;
	fill(xbuf, sizeof(xbuf), 'X');
	if (pthread_create(&th, NULL, flipper, &r) != 0)
		return R_ERROR;
	end = now_ms() + 2500;
	while (now_ms() < end && !r.won) {
		switch (at->op) {
		case OP_WRITE:
			if (pwrite(r.x, xbuf, sizeof(xbuf), 0) < 0)
				break;
			break;
		case OP_FTRUNCATE:
			if (ftruncate(r.x, PAGE) == 0)
				if (ftruncate(r.reg, FSIZE) < 0)
					break;
			break;
		case OP_FALLOCATE:
			if (fallocate(r.x, FALLOC_FL_PUNCH_HOLE |
				      FALLOC_FL_KEEP_SIZE, 0, PAGE) < 0)
				break;
			break;
		case OP_MMAP:
			m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
				 MAP_SHARED, r.x, 0);
			if (mapped_ok(m)) {
				memset(m, 'X', 64);
				munmap(m, PAGE);
			}
			break;
		case OP_FCHMOD:
			if (fchmod(r.x, a->mode ^ 0111) == 0)
				if (fchmod(r.reg, 0666) < 0)
					break;
			break;
		default:
			break;
		}
		if ((++n & 63) == 0) {
			struct stat st;
			char c;

			if (fstat(a->fd, &st) == 0 &&
			    (st.st_size != a->size ||
			     (st.st_mode & 07777) != a->mode))
				r.won = 1;
			if (pread(a->fd, &c, 1, 0) == 1 &&
			    (unsigned char)c != a->expect[0])
				r.won = 1;
		}
	}
	r.stop = 1;
	pthread_join(th, NULL);
	note(a, "%ld operations, %ld flips", n, r.count);
	return R_CHECK;
}

/* F_ADD_SEALS while another thread's mmap (arg 0) or splice (arg 1) on
 * the unsealed file is between the supervisor's check and the kernel */
struct sealrace {
	struct actx *a;
	int fd;
	volatile int sealed;
	volatile int stop;
	volatile int after;   /* stores made knowing the file was sealed */
	long ops;
};

static void *mmap_writer(void *p)
{
	struct sealrace *s = p;
	uint64_t counter = 0;

	while (!s->stop) {
		char *m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
			       s->fd, 0);

		s->ops++;
		if (!mapped_ok(m)) {
			if (s->sealed)
				break;
			continue;
		}
		memcpy(m, &counter, sizeof(counter));
		counter++;
		/* hold the mapping for a moment: natively the seal cannot
		 * succeed meanwhile */
		for (int i = 0; i < 2000 && !s->sealed; i++)
			spin(1);
		if (s->sealed) {
			memset(m + 1024, 'Z', 64);
			s->after++;
			munmap(m, PAGE);
			break;
		}
		munmap(m, PAGE);
		/* and leave the sealer a window as long */
		for (int i = 0; i < 2000 && !s->sealed; i++)
			spin(1);
	}
	return NULL;
}

static void *splice_writer(void *p)
{
	struct sealrace *s = p;
	uint64_t counter = 1;
	int pp[2];
	int extra = 0;

	if (pipe2(pp, O_NONBLOCK) < 0)
		return NULL;
	while (!s->stop) {
		loff_t off = 0;

		if (write(pp[1], &counter, sizeof(counter)) < 0)
			break;
		counter++;
		s->ops++;
		if (splice(pp[0], NULL, s->fd, &off, sizeof(counter),
			   SPLICE_F_NONBLOCK) < 0) {
			/* drain what did not go */
			char junk[64];

			if (read(pp[0], junk, sizeof(junk)) < 0)
				break;
		}
		if (s->sealed && ++extra > 1)
			break;
	}
	close(pp[0]);
	close(pp[1]);
	return NULL;
}

static int atk_seal_race(struct actx *a, const struct attack *at)
{
	uint64_t end = now_ms() + 3000;
	int rounds = 0;
	long nops = 0;

	while (now_ms() < end) {
		struct sealrace s;
		pthread_t th;
		long r = -1;

		memset(&s, 0, sizeof(s));
		a->detail[0] = '\0';
		a->seals = 0;
		a->vsealed = false;
		if (rounds > 0)
			close(a->fd);
		if (make_memfd(a, MFD_EXEC) < 0)
			return R_ERROR;
		s.a = a;
		s.fd = a->fd;
		if (pthread_create(&th, NULL, at->arg == 0 ? mmap_writer :
				   splice_writer, &s) != 0)
			return R_ERROR;
		usleep((useconds_t)(rand() % 300));
		for (int i = 0; i < 20000 && r != 0; i++) {
			r = seal(a, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
			if (r != -EBUSY)
				break;
		}
		snapshot(a);
		s.sealed = 1;
		usleep(2000);
		s.stop = 1;
		pthread_join(th, NULL);
		rounds++;
		nops += s.ops;
		if (r != 0)
			continue; /* the writer never let go: another round */
		if (s.after || verify(a)) {
			note(a, "round %d: %s after F_ADD_SEALS returned",
			     rounds, s.after ? "a store through a writable "
			     "mapping" : "file content changed");
			return R_BYPASS;
		}
	}
	note(a, "%d rounds, %ld operations", rounds, nops);
	return R_CHECK;
}

/* a write whose source buffer stalls on userfaultfd while F_ADD_SEALS
 * runs: the write must not land after the seal returned */
struct stall {
	struct actx *a;
	int uffd;
	char *buf;
	volatile int fault_seen;
	volatile int seal_done;
	volatile int resolved;
	volatile int seal_first; /* the seal returned before the write resumed */
	long wret;
};

/* while the write is stalled: how long does an unrelated F_GET_SEALS on
 * another memfd take? (natively it takes no lock the write holds) */
struct bystander {
	struct stall *s;
	int fd;
	uint64_t waited;
	bool done;
};

static void *stall_bystander(void *p)
{
	struct bystander *b = p;
	uint64_t t0;

	while (!b->s->fault_seen && !b->s->seal_done)
		usleep(1000);
	usleep(100000);
	t0 = now_ms();
	(void)fcntl(b->fd, F_GET_SEALS);
	b->waited = now_ms() - t0;
	b->done = true;
	return NULL;
}

static void *stall_writer(void *p)
{
	struct stall *s = p;

	s->wret = rc(pwrite(s->a->fd, s->buf, PAGE, 0));
	return NULL;
}

static void *stall_handler(void *p)
{
	struct stall *s = p;
	struct pollfd pfd = { s->uffd, POLLIN, 0 };
	struct uffd_msg msg;
	struct uffdio_copy cp;
	char *src;
	uint64_t end;

	if (poll(&pfd, 1, 3000) <= 0 ||
	    read(s->uffd, &msg, sizeof(msg)) != sizeof(msg))
		return NULL;
	s->fault_seen = 1;
	end = now_ms() + 2000;
	while (!s->seal_done && now_ms() < end)
		usleep(1000);
	s->seal_first = s->seal_done;
	src = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!mapped_ok(src))
		return NULL;
	fill(src, PAGE, 'W');
	memset(&cp, 0, sizeof(cp));
	cp.dst = msg.arg.pagefault.address & ~(uint64_t)(PAGE - 1);
	cp.src = (uintptr_t)src;
	cp.len = PAGE;
	ioctl(s->uffd, UFFDIO_COPY, &cp);
	s->resolved = 1;
	return NULL;
}

static int atk_uffd_stall(struct actx *a, const struct attack *at)
{
	struct uffdio_api api = { .api = UFFD_API, .features = 0 };
	struct uffdio_register reg;
	struct stall s;
	struct bystander by;
	pthread_t w, h, b;
	uint64_t t0, t1, end;
	long r;

	(void)at;
	memset(&s, 0, sizeof(s));
	memset(&by, 0, sizeof(by));
	s.a = a;
	if (make_memfd(a, MFD_EXEC) < 0)
		return R_ERROR;
	s.uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	if (s.uffd < 0) {
		res(a, "userfaultfd", -errno);
		return R_SKIP;
	}
	if (ioctl(s.uffd, UFFDIO_API, &api) < 0)
		return R_SKIP;
	s.buf = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!mapped_ok(s.buf))
		return R_ERROR;
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (uintptr_t)s.buf;
	reg.range.len = PAGE;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(s.uffd, UFFDIO_REGISTER, &reg) < 0) {
		res(a, "UFFDIO_REGISTER", -errno);
		return R_SKIP;
	}
	by.s = &s;
	by.fd = (int)syscall(SYS_memfd_create, "bystander", MFD_ALLOW_SEALING);
	if (by.fd < 0)
		return R_ERROR;
	if (pthread_create(&h, NULL, stall_handler, &s) != 0 ||
	    pthread_create(&w, NULL, stall_writer, &s) != 0 ||
	    pthread_create(&b, NULL, stall_bystander, &by) != 0)
		return R_ERROR;
	end = now_ms() + 3000;
	while (!s.fault_seen && now_ms() < end)
		usleep(1000);
	if (!s.fault_seen)
		note(a, "the write never faulted");
	usleep(50000);
	t0 = now_ms();
	r = seal(a, S_STD);
	t1 = now_ms();
	s.seal_done = 1;
	pthread_join(w, NULL);
	pthread_join(h, NULL);
	pthread_join(b, NULL);
	res(a, "seal", r);
	note(a, "(returned after %llu ms, %s the stalled write resumed)",
	     (unsigned long long)(t1 - t0),
	     s.seal_first ? "before" : "only after");
	res(a, "write", s.wret);
	if (!s.seal_first && t1 - t0 >= 1500)
		note(a, "[F_ADD_SEALS blocked while the fault was pending]");
	if (by.done && by.waited >= 500)
		note(a, "[DoS: an unrelated F_GET_SEALS on another memfd "
		     "waited %llu ms: the supervisor itself was stalled]",
		     (unsigned long long)by.waited);
	/* the file must hold the pre-seal content, or the write's if it
	 * landed before the seal returned */
	if (s.wret == PAGE && !s.seal_first)
		snapshot(a);
	return R_CHECK;
}

/* writev whose iovec another thread rewrites: a write inside the file
 * under F_SEAL_GROW becomes one past its end */
static void *iov_flipper(void *p)
{
	struct race *r = p;

	volatile size_t *len = &r->iov->iov_len;

	while (!r->stop) {
		*len = r->len_big;
		spin(200);
		*len = r->len_small;
		spin(200);
		r->count++;
	}
	return NULL;
}

static int atk_iovec_race(struct actx *a, const struct attack *at)
{
	static char big[8 * PAGE];
	struct iovec iov;
	struct race r;
	pthread_t th;
	uint64_t end;
	long n = 0, landed = 0;

	(void)at;
	memset(&r, 0, sizeof(r));
	fill(big, sizeof(big), 'V');
	iov.iov_base = big;
	iov.iov_len = 100;
	r.iov = &iov;
	r.len_small = 100;
	r.len_big = sizeof(big);
	if (pthread_create(&th, NULL, iov_flipper, &r) != 0)
		return R_ERROR;
	end = now_ms() + 2000;
	while (now_ms() < end) {
		struct stat st;

		if (pwritev(a->fd, &iov, 1, FSIZE - 100) > 100)
			landed++;
		if ((++n & 63) == 0 && fstat(a->fd, &st) == 0 &&
		    st.st_size != a->size)
			break;
	}
	r.stop = 1;
	pthread_join(th, NULL);
	note(a, "%ld writevs, %ld longer than 100 bytes, %ld flips", n, landed,
	     r.count);
	return R_CHECK;
}

/* a path another thread rewrites between the supervisor's read and the
 * kernel's: open(O_RDWR|O_TRUNC) (arg 0), truncate (1), chmod (2) */
static void *path_flipper(void *p)
{
	struct race *r = p;

	while (!r->stop) {
		r->path[r->path_at] = r->path_bad;
		spin(200);
		r->path[r->path_at] = r->path_good;
		spin(200);
		r->count++;
	}
	return NULL;
}

static int atk_path_race(struct actx *a, const struct attack *at)
{
	static char path[64];
	struct race r;
	pthread_t th;
	uint64_t end;
	long n = 0, ok = 0;
	char *fd_at;

	if (at->arg == 2 && !a->exec_ok) {
		note(a, "kernel without F_SEAL_EXEC");
		return R_SKIP;
	}
	memset(&r, 0, sizeof(r));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", a->fd);
	fd_at = strstr(path, "/fd/");
	r.path = path;
	r.path_at = (int)(fd_at - path) + 2; /* the 'd' of "fd" */
	r.path_good = 'd';
	r.path_bad = 'X'; /* "/proc/self/fX/N": no such file */
	if (pthread_create(&th, NULL, path_flipper, &r) != 0)
		return R_ERROR;
	end = now_ms() + 2000;
	while (now_ms() < end) {
		struct stat st;
		long ret;

		switch (at->arg) {
		case 0:
			ret = open(path, O_RDWR | O_TRUNC);
			if (ret >= 0)
				close((int)ret);
			break;
		case 1:
			ret = truncate(path, 0);
			break;
		default:
			ret = chmod(path, a->mode ^ 0111);
			break;
		}
		if (ret >= 0)
			ok++;
		if ((++n & 15) == 0 && fstat(a->fd, &st) == 0 &&
		    (st.st_size != a->size || (st.st_mode & 07777) != a->mode))
			break;
	}
	r.stop = 1;
	pthread_join(th, NULL);
	note(a, "%ld calls, %ld succeeded, %ld flips", n, ok, r.count);
	return R_CHECK;
}

/*
 * F_SEAL_WRITE while a writable mapping hops between a low and a high
 * address: a reader of /proc/PID/smaps, which drops the mmap lock
 * between reads, can miss it. Many small mappings make smaps long.
 */
static int atk_smaps_race(struct actx *a, const struct attack *at)
{
	struct race r;
	pthread_t th;
	char *region;
	long tries = 0, ret = -EBUSY;
	uint64_t end;
	size_t nmaps = 400, span = nmaps * 2 * PAGE;

	(void)at;
	memset(&r, 0, sizeof(r));
	if (make_memfd(a, MFD_EXEC) < 0)
		return R_ERROR;
	/* [A][ 400 small mappings ][T] */
	region = mmap(NULL, span + 4 * FSIZE, PROT_NONE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!mapped_ok(region))
		return R_ERROR;
	r.len = FSIZE;
	r.A = region;
	r.T = region + FSIZE * 2 + span;
	munmap(r.A, 2 * FSIZE);
	munmap(r.T, 2 * FSIZE);
	for (size_t i = 0; i < nmaps; i++) {
		/* alternate protections so nothing merges */
		char *p = region + 2 * FSIZE + i * 2 * PAGE;

		mprotect(p, PAGE, (i & 1) ? PROT_READ : PROT_READ | PROT_EXEC);
	}
	if (!mapped_ok(mmap(r.A, FSIZE, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_FIXED, a->fd, 0)))
		return R_ERROR;
	if (pthread_create(&th, NULL, mover, &r) != 0)
		return R_ERROR;
	end = now_ms() + 4000;
	while (now_ms() < end) {
		ret = seal(a, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
		tries++;
		if (ret != -EBUSY)
			break;
	}
	r.stop = 1;
	pthread_join(th, NULL);
	note(a, "%ld seal attempts, %ld moves", tries, r.count);
	res(a, "seal(WRITE)", ret);
	if (ret == 0)
		res(a, "store", guarded_fill(r.where ? r.T : r.A, 'X', 64));
	return R_CHECK;
}

/*
 * Create and drop many memfds (a supervisor may reclaim the state of files
 * it thinks nobody holds any more), then use the sealed file again.
 */
#define CHURN_DUPFD 100

static int atk_churn(struct actx *a, const struct attack *at)
{
	int before = fcntl(a->fd, F_GET_SEALS), after, t = a->fd;

	churn();
	after = fcntl(a->fd, F_GET_SEALS);
	if (after != before)
		note(a, "[F_GET_SEALS %d -> %d]", before, after);
	if (at->arg == CHURN_DUPFD) {
		t = (int)rc(fcntl(a->fd, F_DUPFD, 0));
		res(a, "F_DUPFD", t);
		if (t < 0)
			return R_CHECK;
		do_op(a, OP_WRITE, t);
		return R_CHECK;
	}
	do_op(a, at->op, t);
	return R_CHECK;
}

/* a hugetlb memfd (2 MiB pages; the file needs no huge pages to be
 * resized): arg 0 resizes through the fd, arg 1 through a dup2 at 100,
 * arg 2 through the fd after many memfds came and went */
#define HUGE_2M (2UL << 20)
#ifndef MFD_HUGETLB
#define MFD_HUGETLB 0x0004U
#endif

static int atk_hugetlb(struct actx *a, const struct attack *at)
{
	struct stat st;
	int fd, t;
	long r;

	fd = (int)syscall(SYS_memfd_create, "adversarial-huge",
			  MFD_ALLOW_SEALING | MFD_HUGETLB | (21U << 26));
	if (fd < 0) {
		res(a, "memfd_create(MFD_HUGETLB)", -errno);
		return R_SKIP;
	}
	if (ftruncate(fd, (off_t)HUGE_2M) < 0 || fstat(fd, &st) < 0) {
		res(a, "ftruncate(2 MiB)", -errno);
		return R_SKIP;
	}
	a->fd = fd;
	a->size = st.st_size;
	a->mode = st.st_mode & 07777;
	r = seal(a, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
	res(a, "seal", r);
	if (r < 0)
		return R_ERROR;
	t = fd;
	if (at->arg == 2) {
		/* let the supervisor reclaim what it thinks is unused */
		churn();
		note(a, "F_GET_SEALS=%s after the churn",
		     ename(rc(fcntl(fd, F_GET_SEALS))));
	}
	if (at->arg == 1) {
		t = (int)rc(dup2(fd, 100));
		res(a, "dup2", t);
		if (t < 0)
			return R_CHECK;
	}
	res(a, "grow", rc(ftruncate(t, (off_t)(2 * HUGE_2M))));
	res(a, "shrink", rc(ftruncate(t, 0)));
	return R_CHECK;
}

/*
 * Hide the sealed file from a /proc/PID/fd scan while the churn runs:
 * arg 0 holds it only in an SCM_RIGHTS message in flight, arg 1 only in
 * the private fd table of a thread (unshare(CLONE_FILES); /proc/PID/fd
 * shows the leader's table). Then use it through an fd in sealbox's range.
 * at->op: OP_WRITE on a normal sealed memfd; OP_FCHMOD on an
 * MFD_NOEXEC_SEAL one (whose F_SEAL_EXEC only sealbox holds).
 */
struct hidden {
	struct actx *a;
	int fd;
	int op;
	int sv[2];
	int want;              /* F_GET_SEALS while sealbox remembers */
	volatile int ready, go, done, stop;
	int rounds;
};

/* true when the seals were forgotten (and the operation was tried) */
static bool hidden_op(struct hidden *h, int t)
{
	int now = fcntl(t, F_GET_SEALS);

	if (now == h->want && !h->a->control)
		return false;
	note(h->a, "round %d: F_GET_SEALS=%s (was %d)", h->rounds,
	     ename(now < 0 ? -errno : now), h->want);
	if (h->op == OP_FCHMOD)
		res(h->a, "fchmod(0777)", rc(fchmod(t, 0777)));
	else
		do_op(h->a, h->op, t);
	return true;
}

static void *hidden_thread(void *p)
{
	struct hidden *h = p;

	if (unshare(CLONE_FILES) < 0) {
		res(h->a, "unshare(CLONE_FILES)", -errno);
		h->ready = -1;
		return NULL;
	}
	h->ready = 1;
	for (;;) {
		while (!h->go && !h->stop)
			usleep(500);
		if (h->stop)
			break;
		h->go = 0;
		if (hidden_op(h, h->fd))
			break;
		h->done = 1;
	}
	h->done = 2;
	/* hand the file back for the final check */
	send_fd(h->sv[0], h->fd);
	return NULL;
}

static int atk_hidden(struct actx *a, const struct attack *at)
{
	uint64_t end = now_ms() + 4000;
	struct hidden h;
	pthread_t th;
	int r, x;

	memset(&h, 0, sizeof(h));
	h.a = a;
	h.op = at->op;
	if (at->op == OP_FCHMOD) {
		if (make_memfd(a, a->control ? 0 : MFD_NOEXEC_SEAL) < 0)
			return R_SKIP;
		if (a->control && fchmod(a->fd, 0666) == 0)
			a->mode = 0666;
	} else {
		if (make_memfd(a, MFD_EXEC) < 0 || seal(a, S_STD) < 0)
			return R_ERROR;
	}
	h.want = fcntl(a->fd, F_GET_SEALS);
	h.fd = a->fd;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, h.sv) < 0)
		return R_ERROR;
	if (at->arg == 0) {
		/* in flight only, then back into sealbox's range, where every
		 * call is checked */
		x = a->fd + 80;
		do {
			h.rounds++;
			if (send_fd(h.sv[0], a->fd) < 0)
				return R_ERROR;
			close(a->fd);
			churn();
			r = recv_fd(h.sv[1]);
			if (r < 0 || dup2(r, x) < 0)
				return R_ERROR;
			close(r);
			a->fd = x;
		} while (!hidden_op(&h, x) && now_ms() < end);
		note(a, "%d rounds", h.rounds);
		return R_CHECK;
	}
	if (pthread_create(&th, NULL, hidden_thread, &h) != 0)
		return R_ERROR;
	while (!h.ready)
		usleep(1000);
	if (h.ready < 0) {
		pthread_join(th, NULL);
		return R_SKIP;
	}
	close(a->fd);
	while (h.done != 2 && now_ms() < end) {
		h.rounds++;
		churn();
		h.done = 0;
		h.go = 1;
		while (!h.done)
			usleep(500);
	}
	h.stop = 1;
	pthread_join(th, NULL);
	note(a, "%d rounds", h.rounds);
	r = recv_fd(h.sv[1]);
	if (r < 0)
		return R_ERROR;
	a->fd = r;
	return R_CHECK;
}

/* ---- asynchronous writers ------------------------------------------------- */

static int atk_io_uring(struct actx *a, const struct attack *at)
{
	static char xbuf[PAGE];
	struct io_uring_params p;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	char *sq, *cq;
	size_t sqsz, cqsz;
	unsigned int tail, idx, head;
	int ring;
	long r;

	(void)at;
	memset(&p, 0, sizeof(p));
	ring = (int)syscall(SYS_io_uring_setup, 4, &p);
	if (ring < 0) {
		res(a, "io_uring_setup", -errno);
		return a->control ? R_SKIP : R_CHECK;
	}
	res(a, "io_uring_setup", 0);
	sqsz = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	cqsz = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (p.features & IORING_FEAT_SINGLE_MMAP)
		sqsz = cqsz = sqsz > cqsz ? sqsz : cqsz;
	sq = mmap(NULL, sqsz, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQ_RING);
	if (!mapped_ok(sq))
		return R_ERROR;
	cq = (p.features & IORING_FEAT_SINGLE_MMAP) ? sq :
	     mmap(NULL, cqsz, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_CQ_RING);
	sqes = mmap(NULL, p.sq_entries * sizeof(*sqes), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQES);
	if (!mapped_ok(cq) || !mapped_ok(sqes))
		return R_ERROR;
	fill(xbuf, sizeof(xbuf), 'X');
	tail = *(unsigned int *)(void *)(sq + p.sq_off.tail);
	idx = tail & *(unsigned int *)(void *)(sq + p.sq_off.ring_mask);
	memset(&sqes[idx], 0, sizeof(sqes[idx]));
	sqes[idx].opcode = IORING_OP_WRITE;
	sqes[idx].fd = a->fd;
	sqes[idx].addr = (uintptr_t)xbuf;
	sqes[idx].len = PAGE;
	sqes[idx].off = 0;
	((unsigned int *)(void *)(sq + p.sq_off.array))[idx] = idx;
	__atomic_store_n((unsigned int *)(void *)(sq + p.sq_off.tail),
			 tail + 1, __ATOMIC_RELEASE);
	r = rc(syscall(SYS_io_uring_enter, ring, 1, 1,
		       IORING_ENTER_GETEVENTS, NULL, 0));
	res(a, "io_uring_enter", r);
	if (r < 0)
		return R_CHECK;
	head = __atomic_load_n((unsigned int *)(void *)(cq + p.cq_off.head),
			       __ATOMIC_ACQUIRE);
	cqes = (struct io_uring_cqe *)(void *)(cq + p.cq_off.cqes);
	res(a, "IORING_OP_WRITE",
	    cqes[head & *(unsigned int *)(void *)(cq + p.cq_off.ring_mask)].res);
	return R_CHECK;
}

static int atk_aio(struct actx *a, const struct attack *at)
{
	static char xbuf[PAGE];
	aio_context_t ctx = 0;
	struct iocb cb, *cbs[1] = { &cb };
	struct io_event ev;
	long r;

	(void)at;
	if (syscall(SYS_io_setup, 4, &ctx) < 0) {
		res(a, "io_setup", -errno);
		return a->control ? R_SKIP : R_CHECK;
	}
	fill(xbuf, sizeof(xbuf), 'X');
	memset(&cb, 0, sizeof(cb));
	cb.aio_fildes = (uint32_t)a->fd;
	cb.aio_lio_opcode = IOCB_CMD_PWRITE;
	cb.aio_buf = (uintptr_t)xbuf;
	cb.aio_nbytes = PAGE;
	cb.aio_offset = 0;
	r = rc(syscall(SYS_io_submit, ctx, 1, cbs));
	res(a, "io_submit", r);
	if (r == 1) {
		r = rc(syscall(SYS_io_getevents, ctx, 1, 1, &ev, NULL));
		if (r == 1)
			res(a, "IOCB_CMD_PWRITE", (long)ev.res);
	}
	syscall(SYS_io_destroy, ctx);
	return R_CHECK;
}

/* ---- compat entry points ------------------------------------------------------ */

enum {
	C_WRITE, C_PWRITE64, C_WRITEV, C_PWRITEV, C_PWRITEV2, C_FTRUNCATE,
	C_FTRUNCATE64, C_TRUNCATE, C_TRUNCATE64, C_FALLOCATE, C_MMAP2,
	C_OLD_MMAP, C_SENDFILE, C_SENDFILE64, C_SPLICE, C_COPY_FILE_RANGE,
	C_FCHMOD, C_MPROTECT, C_PKEY_MPROTECT,
	X32_WRITE, X32_FTRUNCATE,
};

static int atk_compat(struct actx *a, const struct attack *at)
{
	char *lm = low_mem(4 * PAGE), *buf, *aux;
	uint32_t *u32;
	int fd = a->fd, src = -1, pp[2];
	long r = -ENOSYS;
	char *ro;

	if (!HAVE_COMPAT) {
		note(a, "no i386 compat here");
		return R_SKIP;
	}
	if (!mapped_ok(lm))
		return R_ERROR;
	buf = lm;               /* one page of 'X' */
	aux = lm + PAGE;        /* paths, iovecs, offsets, mmap args */
	fill(buf, PAGE, 'X');
	memset(aux, 0, PAGE);
	u32 = (uint32_t *)(void *)aux;
	lseek(fd, 0, SEEK_SET);
	switch (at->op) {
	case C_WRITE:
		r = sys32(NR32_WRITE, fd, (long)(uintptr_t)buf, PAGE, 0, 0, 0);
		break;
	case C_PWRITE64:
		r = sys32(NR32_PWRITE64, fd, (long)(uintptr_t)buf, PAGE, 0, 0,
			  0);
		break;
	case C_WRITEV:
	case C_PWRITEV:
	case C_PWRITEV2:
		u32[0] = (uint32_t)(uintptr_t)buf;
		u32[1] = 200;
		r = sys32(at->op == C_WRITEV ? NR32_WRITEV :
			  at->op == C_PWRITEV ? NR32_PWRITEV : NR32_PWRITEV2,
			  fd, (long)(uintptr_t)aux, 1, 0, 0, 0);
		break;
	case C_FTRUNCATE:
		r = sys32(NR32_FTRUNCATE, fd, 0, 0, 0, 0, 0);
		break;
	case C_FTRUNCATE64:
		r = sys32(NR32_FTRUNCATE64, fd, 0, 0, 0, 0, 0);
		break;
	case C_TRUNCATE:
	case C_TRUNCATE64:
		snprintf(aux, PAGE, "/proc/self/fd/%d", fd);
		r = sys32(at->op == C_TRUNCATE ? NR32_TRUNCATE :
			  NR32_TRUNCATE64, (long)(uintptr_t)aux, 0, 0, 0, 0, 0);
		break;
	case C_FALLOCATE:
		r = sys32(NR32_FALLOCATE, fd,
			  FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 0,
			  PAGE, 0);
		break;
	case C_MMAP2:
	case C_OLD_MMAP:
		if (at->op == C_MMAP2) {
			r = sys32(NR32_MMAP2, 0, PAGE, PROT_READ | PROT_WRITE,
				  MAP_SHARED, fd, 0);
		} else {
			u32[0] = 0;
			u32[1] = PAGE;
			u32[2] = PROT_READ | PROT_WRITE;
			u32[3] = MAP_SHARED;
			u32[4] = (uint32_t)fd;
			u32[5] = 0;
			r = sys32(NR32_OLD_MMAP, (long)(uintptr_t)aux, 0, 0, 0,
				  0, 0);
		}
		res(a, at->op == C_MMAP2 ? "mmap2" : "old_mmap",
		    r < 0 ? r : 0);
		if (r >= 0)
			res(a, "store", guarded_fill((void *)(uintptr_t)r, 'X',
						     64));
		return R_CHECK;
	case C_SENDFILE:
	case C_SENDFILE64:
		src = source_file();
		if (src < 0)
			return R_ERROR;
		r = sys32(at->op == C_SENDFILE ? NR32_SENDFILE : NR32_SENDFILE64,
			  fd, src, (long)(uintptr_t)aux, PAGE, 0, 0);
		break;
	case C_SPLICE:
		if (pipe(pp) < 0 || write(pp[1], buf, PAGE) != PAGE)
			return R_ERROR;
		r = sys32(NR32_SPLICE, pp[0], 0, fd, (long)(uintptr_t)aux, PAGE,
			  0);
		break;
	case C_COPY_FILE_RANGE:
		src = source_file();
		if (src < 0)
			return R_ERROR;
		r = sys32(NR32_COPY_FILE_RANGE, src, (long)(uintptr_t)aux, fd,
			  (long)(uintptr_t)(aux + 64), PAGE, 0);
		break;
	case C_FCHMOD:
		if (!a->exec_ok)
			return R_SKIP;
		r = sys32(NR32_FCHMOD, fd, a->mode ^ 0111, 0, 0, 0, 0);
		break;
	case C_MPROTECT:
	case C_PKEY_MPROTECT:
		ro = mmap(NULL, FSIZE, PROT_READ, MAP_SHARED | MAP_32BIT, fd,
			  0);
		if (!mapped_ok(ro)) {
			res(a, "mmap(PROT_READ)", -errno);
			return R_CHECK;
		}
		r = at->op == C_MPROTECT ?
		    sys32(NR32_MPROTECT, (long)(uintptr_t)ro, FSIZE,
			  PROT_READ | PROT_WRITE, 0, 0, 0) :
		    sys32(NR32_PKEY_MPROTECT, (long)(uintptr_t)ro, FSIZE,
			  PROT_READ | PROT_WRITE, -1, 0, 0);
		res(a, at->op == C_MPROTECT ? "mprotect" : "pkey_mprotect", r);
		if (r == 0)
			res(a, "store", guarded_fill(ro, 'X', 64));
		return R_CHECK;
	case X32_WRITE:
	case X32_FTRUNCATE:
		if (syscall(X32_BIT | SYS_getpid) < 0 && errno == ENOSYS) {
			note(a, "the kernel has no x32 ABI");
			return R_SKIP;
		}
		r = at->op == X32_WRITE ?
		    rc(syscall(X32_BIT | SYS_write, fd, buf, PAGE)) :
		    rc(syscall(X32_BIT | SYS_ftruncate, fd, 0));
		break;
	default:
		return R_ERROR;
	}
	res(a, at->name + (strncmp(at->name, "compat_", 7) == 0 ? 7 : 0), r);
	if (src >= 0)
		close(src);
	return R_CHECK;
}

/* ---- exec seal --------------------------------------------------------------- */

struct acl_xattr {
	uint32_t version;
	struct {
		uint16_t tag, perm;
		uint32_t id;
	} e[3];
};

/* a POSIX access ACL equivalent to a mode of perm for everyone */
static long set_acl(int fd, unsigned int perm)
{
	struct acl_xattr acl = { 2, {
		{ 0x01, (uint16_t)perm, 0xffffffffU },  /* USER_OBJ */
		{ 0x04, (uint16_t)perm, 0xffffffffU },  /* GROUP_OBJ */
		{ 0x20, (uint16_t)perm, 0xffffffffU },  /* OTHER */
	} };

	return rc(fsetxattr(fd, "system.posix_acl_access", &acl, sizeof(acl),
			    0));
}

/* arg 0: F_SEAL_EXEC on 0777, ACL takes x away; 1: MFD_NOEXEC_SEAL, ACL
 * adds x; 2: MFD_NOEXEC_SEAL, fchmod adds x; 3: MFD_NOEXEC_SEAL, chmod
 * through a symlink to /proc/self/fd/N; 4: MFD_NOEXEC_SEAL,
 * fchmodat(open("/proc/self/fd"), "N"); 5: MFD_NOEXEC_SEAL, fchmod after
 * many memfds came and went */
static int atk_exec_seal(struct actx *a, const struct attack *at)
{
	long r;

	if (a->control) {
		if (make_memfd(a, at->arg == 0 ? MFD_EXEC : 0) < 0)
			return R_ERROR;
		if (at->arg != 0 && fchmod(a->fd, 0666) == 0)
			a->mode = 0666;
		a->exec_ok = true;
	} else if (at->arg == 0) {
		if (make_memfd(a, MFD_EXEC) < 0)
			return R_ERROR;
		r = seal(a, S_STD);
		if (r < 0 || !a->exec_ok) {
			note(a, "no F_SEAL_EXEC: %s", ename(r));
			return R_SKIP;
		}
	} else {
		if (make_memfd(a, MFD_NOEXEC_SEAL) < 0) {
			note(a, "no MFD_NOEXEC_SEAL");
			return R_SKIP;
		}
		a->exec_ok = true;
	}
	note(a, "mode %o", a->mode);
	switch (at->arg) {
	case 0:
		res(a, "setxattr(posix_acl_access rw-rw-rw-)", set_acl(a->fd, 6));
		break;
	case 1:
		res(a, "setxattr(posix_acl_access rwxrwxrwx)", set_acl(a->fd, 7));
		break;
	case 2:
		res(a, "fchmod(0777)", rc(fchmod(a->fd, 0777)));
		break;
	case 3: {
		char path[128];
		int err = p_symlink(a, path, sizeof(path));

		if (err < 0) {
			res(a, "symlink", err);
			return R_ERROR;
		}
		res(a, "chmod(symlink, 0777)", rc(chmod(path, 0777)));
		break;
	}
	case 5:
		churn();
		note(a, "F_GET_SEALS=%s after the churn",
		     ename(rc(fcntl(a->fd, F_GET_SEALS))));
		res(a, "fchmod(0777)", rc(fchmod(a->fd, 0777)));
		break;
	default: {
		char name[32];
		int d = proc_fd_dir();

		snprintf(name, sizeof(name), "%d", a->fd);
		res(a, "fchmodat(/proc/self/fd, N, 0777)",
		    rc(fchmodat(d, name, 0777, 0)));
		break;
	}
	}
	return R_CHECK;
}

/* ---- the supervisor ------------------------------------------------------- */

/*
 * The supervisor of the run: the topmost sealbox among our ancestors (a
 * sentinel process may stand between it and the program), or -1.
 */
static pid_t find_supervisor(void)
{
	pid_t sup = ppid_of(getppid());

	if (sup <= 1 || !is_sealbox(sup))
		return -1;
	while (ppid_of(sup) > 1 && is_sealbox(ppid_of(sup)))
		sup = ppid_of(sup);
	return sup;
}

static int atk_kill_supervisor(struct actx *a, const struct attack *at)
{
	static char xbuf[PAGE];
	pid_t prog = getppid(), sup = find_supervisor();
	char path[64], *ro, *m;
	bool prog_gone = false;
	uint64_t end;
	int fd;

	(void)at;
	if (!opt.under_sealbox || a->control || sup <= 1) {
		note(a, "not under sealbox");
		return R_NA;
	}
	/*
	 * The best outcome ends this process too, before it can say so:
	 * the runner then checks that this pid is gone (run-adversarial.sh).
	 */
	printf("kill_supervisor pending pid=%d\n", (int)getpid());
	fflush(stdout);
	ro = mmap(NULL, FSIZE, PROT_READ, MAP_SHARED, a->fd, 0);
	/* we must outlive our parent, which dies with the supervisor */
	prctl(PR_SET_PDEATHSIG, 0);
	a->self_report = true;
	note(a, "kill -9 %d (sealbox)", (int)sup);
	if (kill(sup, SIGKILL) < 0) {
		res(a, "kill", -errno);
		return R_ERROR;
	}
	end = now_ms() + 3000;
	while (now_ms() < end) {
		if (kill(prog, 0) < 0 || ppid_of(prog) != sup) {
			prog_gone = kill(prog, 0) < 0 || ppid_of(prog) <= 1;
			if (prog_gone)
				break;
		}
		usleep(10000);
	}
	usleep(100000);
	note(a, "program %s;", prog_gone ? "killed" : "STILL RUNNING");
	note(a, "this grandchild survived;");
	fill(xbuf, sizeof(xbuf), 'K');
	res(a, "pwrite", rc(pwrite(a->fd, xbuf, PAGE, 0)));
	res(a, "ftruncate", rc(ftruncate(a->fd, 0)));
	res(a, "punch", rc(fallocate(a->fd, FALLOC_FL_PUNCH_HOLE |
				     FALLOC_FL_KEEP_SIZE, 0, PAGE)));
	m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, a->fd, 0);
	res(a, "mmap(RW)", mapped_ok(m) ? 0 : -errno);
	if (mapped_ok(m))
		res(a, "store", guarded_fill(m, 'K', 64));
	if (mapped_ok(ro)) {
		long r = rc(mprotect(ro, FSIZE, PROT_READ | PROT_WRITE));

		res(a, "mprotect", r);
		if (r == 0)
			res(a, "store", guarded_fill(ro, 'K', 64));
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", a->fd);
	fd = (int)rc(open(path, O_RDWR));
	res(a, "reopen", fd);
	if (fd >= 0)
		res(a, "write(reopened)", rc(write(fd, xbuf, PAGE)));
	return R_CHECK;
}

/*
 * The supervisor is a process like any other: the supervised program (here
 * root, or the same user) may write into its memory. Find the seal state
 * of our file there (an inode key: st_dev, st_ino, a generation, then the
 * seal bits F_GET_SEALS reports) and clear it, then write.
 */
static int atk_supervisor_memory(struct actx *a, const struct attack *at)
{
	static uint64_t chunk[(1 << 20) / sizeof(uint64_t)];
	pid_t sup = find_supervisor();
	char path[64], line[512];
	struct stat st;
	int patched = 0, regions = 0, want;
	FILE *maps;

	(void)at;
	if (!opt.under_sealbox || a->control || sup <= 1) {
		note(a, "not under sealbox");
		return R_NA;
	}
	if (fstat(a->fd, &st) < 0)
		return R_ERROR;
	want = fcntl(a->fd, F_GET_SEALS);
	if (want <= 0 || !(want & F_SEAL_WRITE))
		return R_ERROR;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)sup);
	maps = fopen(path, "re");
	if (!maps) {
		res(a, "open(maps)", -errno);
		return R_CHECK;
	}
	while (fgets(line, sizeof(line), maps)) {
		unsigned long lo, hi;
		char perms[8];

		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 ||
		    strncmp(perms, "rw", 2) != 0)
			continue;
		regions++;
		for (unsigned long at_ = lo; at_ < hi; at_ += sizeof(chunk)) {
			size_t len = hi - at_ < sizeof(chunk) ? hi - at_ :
				     sizeof(chunk);
			struct iovec l = { chunk, len };
			struct iovec r = { (void *)at_, len };
			ssize_t n = process_vm_readv(sup, &l, 1, &r, 1, 0);

			if (n <= 0) {
				if (patched == 0 && regions == 1)
					res(a, "process_vm_readv", -errno);
				break;
			}
			for (size_t i = 0; i + 6 <= (size_t)n / 8; i++) {
				uint32_t *w;

				if (chunk[i] != (uint64_t)st.st_dev ||
				    chunk[i + 1] != (uint64_t)st.st_ino)
					continue;
				/* the seal word follows the key (whose third
				 * member, a generation, may be anything) */
				w = (uint32_t *)(void *)&chunk[i + 2];
				for (int k = 2; k < 8; k++) {
					uint32_t zero = 0;
					struct iovec lz = { &zero, sizeof(zero) };
					struct iovec rz;

					if (w[k] != (uint32_t)want)
						continue;
					rz.iov_base = (void *)(at_ +
						(i + 2) * 8 + (size_t)k * 4);
					rz.iov_len = sizeof(zero);
					if (process_vm_writev(sup, &lz, 1, &rz,
							      1, 0) == 4)
						patched++;
					break;
				}
			}
		}
	}
	fclose(maps);
	note(a, "cleared the seals of %d registry entr%s in sealbox (pid %d);",
	     patched, patched == 1 ? "y" : "ies", (int)sup);
	note(a, "F_GET_SEALS=%s", ename(rc(fcntl(a->fd, F_GET_SEALS))));
	do_op(a, OP_PWRITE, a->fd);
	do_op(a, OP_FTRUNCATE, a->fd);
	return R_CHECK;
}

/* ---- the table ----------------------------------------------------------------- */

static struct attack table[600];
static int ntable;

static void add(const char *name, int (*fn)(struct actx *, const struct attack *),
		unsigned int seals, unsigned int flags, int check, long arg)
{
	struct attack *at = &table[ntable++];

	memset(at, 0, sizeof(*at));
	snprintf(at->name, sizeof(at->name), "%s", name);
	at->fn = fn;
	at->seals = seals;
	at->flags = flags;
	at->check = check;
	at->arg = arg;
	at->op = (int)arg;
}

static void build_table(void)
{
	static const struct {
		const char *name;
		int op;
	} compat[] = {
		{ "compat_write", C_WRITE },
		{ "compat_pwrite64", C_PWRITE64 },
		{ "compat_writev", C_WRITEV },
		{ "compat_pwritev", C_PWRITEV },
		{ "compat_pwritev2", C_PWRITEV2 },
		{ "compat_ftruncate", C_FTRUNCATE },
		{ "compat_ftruncate64", C_FTRUNCATE64 },
		{ "compat_truncate", C_TRUNCATE },
		{ "compat_truncate64", C_TRUNCATE64 },
		{ "compat_fallocate", C_FALLOCATE },
		{ "compat_mmap2", C_MMAP2 },
		{ "compat_old_mmap", C_OLD_MMAP },
		{ "compat_sendfile", C_SENDFILE },
		{ "compat_sendfile64", C_SENDFILE64 },
		{ "compat_splice", C_SPLICE },
		{ "compat_copy_file_range", C_COPY_FILE_RANGE },
		{ "compat_fchmod", C_FCHMOD },
		{ "compat_mprotect", C_MPROTECT },
		{ "compat_pkey_mprotect", C_PKEY_MPROTECT },
		{ "x32_write", X32_WRITE },
		{ "x32_ftruncate", X32_FTRUNCATE },
	};
	char name[64];

	/* every alias with every operation */
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		const struct alias *al = &aliases[i];
		const int *list = al->kind == AL_FD ? fd_ops : reopen_ops;
		size_t n = al->kind == AL_FD ?
			   sizeof(fd_ops) / sizeof(fd_ops[0]) :
			   sizeof(reopen_ops) / sizeof(reopen_ops[0]);

		for (size_t j = 0; j < n; j++) {
			int op = list[j];
			unsigned int seals = (al->flags & AF_FW) ? S_FW : S_STD;

			if ((ops[op].needs & seals) == 0 &&
			    !(ops[op].needs == F_SEAL_WRITE &&
			      (seals & F_SEAL_FUTURE_WRITE)))
				continue;
			if (ops[op].path && op != OP_OPEN_TRUNC && !al->path)
				continue;
			snprintf(name, sizeof(name), "%s/%s", al->name,
				 ops[op].name);
			add(name, atk_alias, seals, 0, CHK_ALL, op);
			table[ntable - 1].alias = al;
		}
	}

	add("mprotect_upgrade", atk_mprotect, S_STD, 0, CHK_ALL, 0);
	add("pkey_mprotect_upgrade", atk_mprotect, S_STD, 0, CHK_ALL, 1);
	add("mremap_mprotect", atk_mprotect, S_STD, 0, CHK_ALL, 2);
	add("mprotect_race_mremap", atk_remap_race, S_STD, 0, CHK_ALL, 0);
	add("fw_new_map_mprotect", atk_fw_new_map, S_FW, 0, CHK_ALL, 0);
	add("fw_premap_swap", atk_fw_premap_swap, 0, A_OWN_SETUP, CHK_ALL, 0);
	add("uffd_copy_into_hole", atk_uffd_copy, S_STD, 0, CHK_ALL, 0);
	add("proc_self_mem", atk_proc_mem, S_STD, 0, CHK_ALL, 0);
	add("process_vm_writev", atk_process_vm_writev, S_STD, 0, CHK_ALL, 0);
	add("madv_remove_ro_map", atk_madv_remove, S_STD, 0, CHK_ALL, 0);
	add("madv_remove_fw_premap", atk_madv_remove, 0, A_OWN_SETUP, CHK_ALL,
	    1);
	add("madv_remove_race_mremap", atk_remap_race, 0, A_OWN_SETUP,
	    CHK_ALL, 1);
	add("seal_ebusy_rw_map", atk_seal_ebusy, 0, A_OWN_SETUP, CHK_ALL, 0);
	add("seal_ebusy_ro_map_rdwr_fd", atk_seal_ebusy, 0, A_OWN_SETUP,
	    CHK_ALL, 1);
	add("seal_ebusy_child_map", atk_seal_ebusy, 0, A_OWN_SETUP, CHK_ALL,
	    2);
	add("seal_ebusy_inherited_map", atk_seal_ebusy, 0, A_OWN_SETUP,
	    CHK_ALL, 3);
	add("seal_ebusy_smaps_race", atk_smaps_race, 0, A_OWN_SETUP, CHK_ALL,
	    0);
	/*
	 * Reproduces natively on 6.18 (about one run in four, no sealbox):
	 * a store through a shared writable mapping shows up after
	 * F_ADD_SEALS(F_SEAL_WRITE) returned 0. Either a kernel race or an
	 * ordering flaw in this attack; to be investigated. Counted as a
	 * kernel gap until then, like the ACL cases.
	 */
	add("seal_race_mmap", atk_seal_race, 0, A_OWN_SETUP | A_KERNEL_GAP,
	    CHK_ALL, 0);
	add("seal_race_splice", atk_seal_race, 0, A_OWN_SETUP, CHK_ALL, 1);
	add("dup2_race/write", atk_dup2_race, S_STD, 0, CHK_ALL, OP_WRITE);
	add("dup2_race/ftruncate", atk_dup2_race, S_STD, 0, CHK_ALL,
	    OP_FTRUNCATE);
	add("dup2_race/fallocate", atk_dup2_race, S_STD, 0, CHK_ALL,
	    OP_FALLOCATE);
	add("dup2_race/mmap", atk_dup2_race, S_STD, 0, CHK_ALL, OP_MMAP);
	add("dup2_race/fchmod", atk_dup2_race, S_STD, 0, CHK_ALL, OP_FCHMOD);
	add("uffd_stalled_write_vs_seal", atk_uffd_stall, 0, A_OWN_SETUP,
	    CHK_ALL, 0);
	add("writev_iovec_race_grow", atk_iovec_race, S_SIZE, 0, CHK_SIZE, 0);
	add("path_race/open_trunc", atk_path_race, S_STD, 0, CHK_ALL, 0);
	add("path_race/truncate", atk_path_race, S_STD, 0, CHK_ALL, 1);
	add("path_race/chmod", atk_path_race, S_STD, 0, CHK_ALL, 2);
	add("reclaim_churn/write", atk_churn, S_STD, 0, CHK_ALL, OP_WRITE);
	add("reclaim_churn/ftruncate", atk_churn, S_STD, 0, CHK_ALL,
	    OP_FTRUNCATE);
	add("reclaim_churn/mmap", atk_churn, S_STD, 0, CHK_ALL, OP_MMAP);
	add("reclaim_churn/fchmod", atk_churn, S_STD, 0, CHK_ALL, OP_FCHMOD);
	add("reclaim_churn/dupfd0_write", atk_churn, S_STD, 0, CHK_ALL,
	    CHURN_DUPFD);
	add("reclaim_scm_inflight/write", atk_hidden, 0, A_OWN_SETUP, CHK_ALL,
	    0);
	table[ntable - 1].op = OP_WRITE;
	add("reclaim_scm_inflight/noexec_fchmod", atk_hidden, 0, A_OWN_SETUP,
	    CHK_MODE, 0);
	table[ntable - 1].op = OP_FCHMOD;
	add("reclaim_thread_fdtable/write", atk_hidden, 0, A_OWN_SETUP,
	    CHK_ALL, 1);
	table[ntable - 1].op = OP_WRITE;
	add("reclaim_thread_fdtable/noexec_fchmod", atk_hidden, 0,
	    A_OWN_SETUP, CHK_MODE, 1);
	table[ntable - 1].op = OP_FCHMOD;
	add("hugetlb/ftruncate", atk_hugetlb, 0, A_OWN_SETUP, CHK_SIZE, 0);
	add("hugetlb_dup2_low/ftruncate", atk_hugetlb, 0, A_OWN_SETUP,
	    CHK_SIZE, 1);
	add("hugetlb_reclaim_churn/ftruncate", atk_hugetlb, 0, A_OWN_SETUP,
	    CHK_SIZE, 2);
	add("io_uring_write", atk_io_uring, S_STD, 0, CHK_ALL, 0);
	add("aio_io_submit_write", atk_aio, S_STD, 0, CHK_ALL, 0);
	for (size_t i = 0; i < sizeof(compat) / sizeof(compat[0]); i++)
		add(compat[i].name, atk_compat, S_STD, 0, CHK_ALL, compat[i].op);
	add("exec_seal_acl", atk_exec_seal, 0, A_OWN_SETUP | A_KERNEL_GAP,
	    CHK_MODE, 0);
	add("noexec_seal_acl", atk_exec_seal, 0, A_OWN_SETUP | A_KERNEL_GAP,
	    CHK_MODE, 1);
	add("noexec_seal_fchmod", atk_exec_seal, 0, A_OWN_SETUP, CHK_MODE, 2);
	add("noexec_seal_symlink_chmod", atk_exec_seal, 0, A_OWN_SETUP,
	    CHK_MODE, 3);
	add("noexec_seal_fchmodat_dirfd", atk_exec_seal, 0, A_OWN_SETUP,
	    CHK_MODE, 4);
	add("noexec_seal_reclaim_churn/fchmod", atk_exec_seal, 0, A_OWN_SETUP,
	    CHK_MODE, 5);
	add("supervisor_memory", atk_supervisor_memory, S_STD, A_SEALBOX_ONLY,
	    CHK_ALL, 0);
	add("kill_supervisor", atk_kill_supervisor, S_STD,
	    A_SEALBOX_ONLY | A_DESTRUCTIVE, CHK_ALL, 0);
}

/* ---- running --------------------------------------------------------------------- */

static const char *verdict_word(int v)
{
	static const char *const normal[] = {
		[V_HELD] = "held", [V_BYPASS] = "bypass",
		[V_GAP] = "known-gap", [V_SKIP] = "skip", [V_NA] = "n/a",
		[V_HANG] = "hang", [V_ERROR] = "error",
	};
	static const char *const control[] = {
		[V_HELD] = "ineffective", [V_BYPASS] = "effective",
		[V_GAP] = "effective", [V_SKIP] = "skip", [V_NA] = "n/a",
		[V_HANG] = "hang", [V_ERROR] = "error",
	};

	return opt.control ? control[v] : normal[v];
}

static void print_result(const struct attack *at, int v, const char *detail)
{
	printf("%s %s%s%s%s\n", at->name, verdict_word(v),
	       (at->flags & A_KERNEL_GAP) && v == V_GAP ?
	       " (the native kernel allows it too; not counted)" : "",
	       detail[0] ? " -- " : "", detail);
	fflush(stdout);
}

static int run_attack(const struct attack *at, struct actx *a)
{
	struct sigaction sa;
	int r;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_segv;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	a->control = opt.control;
	a->check = at->check;
	a->fd = -1;
	a->helper = -1;
	if ((at->flags & A_SEALBOX_ONLY) && !opt.under_sealbox) {
		note(a, "meaningful only under sealbox");
		return V_NA;
	}
	if (!(at->flags & A_OWN_SETUP)) {
		if (at->alias && (at->alias->flags & AF_TMPFILE_CONTROL) &&
		    a->control)
			r = make_tmpfile(a);
		else
			r = make_memfd(a, MFD_EXEC);
		if (r < 0) {
			note(a, "setup: %s", ename(r));
			return V_ERROR;
		}
		r = (int)seal(a, at->seals);
		if (r < 0) {
			struct stat st;

			fstat(a->fd, &st);
			note(a, "seal: %s (fd %d, inode %llu, F_GETFL 0%o, "
			     "F_GET_SEALS %s)", ename(r), a->fd,
			     (unsigned long long)st.st_ino,
			     (unsigned int)fcntl(a->fd, F_GETFL),
			     ename(rc(fcntl(a->fd, F_GET_SEALS))));
			return V_ERROR;
		}
	}
	r = at->fn(a, at);
	if (a->helper > 0) {
		kill(a->helper, SIGKILL);
		reap(a->helper);
	}
	for (size_t i = 0; i < sizeof(a->cleanup) / sizeof(a->cleanup[0]); i++)
		if (a->cleanup[i][0])
			unlink(a->cleanup[i]);
	switch (r) {
	case R_SKIP:
		return V_SKIP;
	case R_NA:
		return V_NA;
	case R_ERROR:
		return V_ERROR;
	default:
		break;
	}
	if (a->fd < 0)
		return V_ERROR;
	if (verify(a) || r == R_BYPASS)
		return (at->flags & A_KERNEL_GAP) ? V_GAP : V_BYPASS;
	return V_HELD;
}

static int run_one(const struct attack *at, char *detail, size_t len)
{
	struct actx *a;
	pid_t pid;
	int st, v;

	a = mmap(NULL, sizeof(*a), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!mapped_ok(a)) {
		snprintf(detail, len, "mmap: %s", strerror(errno));
		return V_ERROR;
	}
	memset(a, 0, sizeof(*a));
	a->verdict = V_ERROR;
	pid = fork_child();
	if (pid < 0) {
		snprintf(detail, len, "fork: %s", strerror(errno));
		munmap(a, sizeof(*a));
		return V_ERROR;
	}
	if (pid == 0) {
		alarm(opt.timeout);
		srand((unsigned int)getpid());
		a->verdict = run_attack(at, a);
		if (a->self_report) {
			print_result(at, a->verdict, a->detail);
			printf("%d passed, %d failed\n",
			       a->verdict == V_HELD ? 1 : 0,
			       a->verdict == V_BYPASS ? 1 : 0);
			fflush(stdout);
			_exit(a->verdict == V_BYPASS ? 1 : 0);
		}
		_exit(0);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	snprintf(detail, len, "%s", a->detail);
	v = a->verdict;
	if (WIFSIGNALED(st)) {
		if (WTERMSIG(st) == SIGALRM) {
			v = V_HANG;
			snprintf(detail, len, "no answer within %u s; %s",
				 opt.timeout, a->detail);
		} else {
			v = V_ERROR;
			snprintf(detail, len, "killed by signal %d; %s",
				 WTERMSIG(st), a->detail);
		}
	}
	munmap(a, sizeof(*a));
	return v;
}

static bool selected(const char *name, bool *explicit_match)
{
	char pats[1024], *save = NULL, *p;

	*explicit_match = false;
	if (!opt.only)
		return true;
	snprintf(pats, sizeof(pats), "%s", opt.only);
	for (p = strtok_r(pats, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		if (strcmp(p, name) == 0) {
			*explicit_match = true;
			return true;
		}
		if (fnmatch(p, name, 0) == 0)
			return true;
	}
	return false;
}

static void usage(void)
{
	fprintf(stderr, "usage: attacks [--control] [--only PATTERN,...] "
		"[--list] [--timeout SECONDS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int count[V_ERROR + 1] = { 0 };
	char detail[sizeof(((struct actx *)NULL)->detail) + 128];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--control") == 0)
			opt.control = true;
		else if (strcmp(argv[i], "--list") == 0)
			opt.list = true;
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
			opt.only = argv[++i];
		else if (strncmp(argv[i], "--only=", 7) == 0)
			opt.only = argv[i] + 7;
		else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
			opt.timeout = (unsigned int)atoi(argv[++i]);
		else
			usage();
	}
	if (opt.timeout == 0)
		opt.timeout = 20;
	setvbuf(stdout, NULL, _IOLBF, 0);
	opt.under_sealbox = is_sealbox(getppid());
	build_table();

	for (int i = 0; i < ntable; i++) {
		const struct attack *at = &table[i];
		bool exact;
		int v;

		if (!selected(at->name, &exact))
			continue;
		if (opt.list) {
			printf("%s\n", at->name);
			continue;
		}
		if ((at->flags & A_DESTRUCTIVE) && !exact &&
		    opt.under_sealbox) {
			print_result(at, V_SKIP, "ends the run: run it alone "
				     "with --only kill_supervisor");
			count[V_SKIP]++;
			continue;
		}
		v = run_one(at, detail, sizeof(detail));
		print_result(at, v, detail);
		count[v]++;
	}
	if (opt.list)
		return 0;
	if (opt.control) {
		printf("%d effective, %d ineffective (%d skipped, %d n/a, "
		       "%d hung, %d errors)\n",
		       count[V_BYPASS] + count[V_GAP], count[V_HELD],
		       count[V_SKIP], count[V_NA], count[V_HANG],
		       count[V_ERROR]);
		return count[V_HELD] || count[V_HANG] || count[V_ERROR] ? 1 : 0;
	}
	printf("%d passed, %d failed (%d known kernel gaps, %d skipped, "
	       "%d n/a, %d hung, %d errors)\n",
	       count[V_HELD], count[V_BYPASS], count[V_GAP], count[V_SKIP],
	       count[V_NA], count[V_HANG], count[V_ERROR]);
	if (count[V_BYPASS])
		return 1;
	return count[V_HANG] || count[V_ERROR] ? 2 : 0;
}
