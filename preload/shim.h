/* SPDX-License-Identifier: MIT */
/*
 * shim.h: the inside of libsealbox-preload.so (nothing here is exported).
 *
 * Layout of the shim:
 *   interpose.c  the exported libc entry points: a fast path of one
 *                predictable branch, then a call into ops.c
 *   real.c       the next definition of every interposed function
 *                (dlsym(RTLD_NEXT)), resolved lazily, one at a time
 *   state.c      per-process state: the mode, the per-fd marks, the plan
 *                (features, rules), the backing store
 *   table.c      the per-user seal table in shared memory
 *   ops.c        the slow paths, one per syscall family, mirroring
 *                sandbox/emulator.c with the emu/ rules
 *
 * Every slow path returns >= 0 or -errno (STYLE rule 3); the exported
 * function turns that into the libc convention.
 */
#ifndef SEALBOX_PRELOAD_SHIM_H
#define SEALBOX_PRELOAD_SHIM_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/uio.h>

#include "backing.h"
#include "kfeatures.h"
#include "plan.h"

#define SHIM_EXPORT __attribute__((visibility("default")))
#define SHIM_LIKELY(x) __builtin_expect(!!(x), 1)
#define SHIM_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* ---- real.c: the functions the shim stands in front of ---------------- */

struct shim_real {
	int (*memfd_create)(const char *, unsigned int);
	long (*syscall)(long, ...);
	int (*fcntl)(int, int, ...);
	int (*fcntl64)(int, int, ...);
	int (*dup)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	int (*ftruncate)(int, off_t);
	int (*ftruncate64)(int, off64_t);
	int (*truncate)(const char *, off_t);
	int (*truncate64)(const char *, off64_t);
	int (*open)(const char *, int, ...);
	int (*open64)(const char *, int, ...);
	int (*openat)(int, const char *, int, ...);
	int (*openat64)(int, const char *, int, ...);
	int (*creat)(const char *, mode_t);
	int (*creat64)(const char *, mode_t);
	int (*open_2)(const char *, int);
	int (*open64_2)(const char *, int);
	int (*openat_2)(int, const char *, int);
	int (*openat64_2)(int, const char *, int);
	ssize_t (*write)(int, const void *, size_t);
	ssize_t (*pwrite)(int, const void *, size_t, off_t);
	ssize_t (*pwrite64)(int, const void *, size_t, off64_t);
	ssize_t (*writev)(int, const struct iovec *, int);
	ssize_t (*pwritev)(int, const struct iovec *, int, off_t);
	ssize_t (*pwritev64)(int, const struct iovec *, int, off64_t);
	ssize_t (*pwritev2)(int, const struct iovec *, int, off_t, int);
	ssize_t (*pwritev64v2)(int, const struct iovec *, int, off64_t, int);
	int (*fallocate)(int, int, off_t, off_t);
	int (*fallocate64)(int, int, off64_t, off64_t);
	int (*posix_fallocate)(int, off_t, off_t);
	int (*posix_fallocate64)(int, off64_t, off64_t);
	ssize_t (*sendfile)(int, int, off_t *, size_t);
	ssize_t (*sendfile64)(int, int, off64_t *, size_t);
	ssize_t (*splice)(int, loff_t *, int, loff_t *, size_t, unsigned int);
	ssize_t (*copy_file_range)(int, loff_t *, int, loff_t *, size_t,
				   unsigned int);
	void *(*mmap)(void *, size_t, int, int, int, off_t);
	void *(*mmap64)(void *, size_t, int, int, int, off64_t);
	int (*madvise)(void *, size_t, int);
	int (*fchmod)(int, mode_t);
	int (*chmod)(const char *, mode_t);
	int (*fchmodat)(int, const char *, mode_t, int);
	ssize_t (*readlink)(const char *, char *, size_t);
	ssize_t (*readlinkat)(int, const char *, char *, size_t);
	ssize_t (*readlink_chk)(const char *, char *, size_t, size_t);
	ssize_t (*readlinkat_chk)(int, const char *, char *, size_t, size_t);
	ssize_t (*recvmsg)(int, struct msghdr *, int);
	int (*execve)(const char *, char *const[], char *const[]);
	int (*fexecve)(int, char *const[], char *const[]);
	int (*execveat)(int, const char *, char *const[], char *const[], int);
	int (*linkat)(int, const char *, int, const char *, int);
	int (*setrlimit)(int, const struct rlimit *);
	int (*setrlimit64)(int, const struct rlimit64 *);
	int (*prlimit)(pid_t, int, const struct rlimit *, struct rlimit *);
	int (*prlimit64)(pid_t, int, const struct rlimit64 *,
			 struct rlimit64 *);
	ssize_t (*sendmsg)(int, const struct msghdr *, int);
	int (*close)(int);
	int (*fclose)(FILE *);
	FILE *(*freopen)(const char *, const char *, FILE *);
	FILE *(*freopen64)(const char *, const char *, FILE *);
	int (*close_range)(unsigned int, unsigned int, int);
	void (*closefrom)(int);
};

/*
 * Each pointer starts at a resolver that looks the real function up, stores
 * it and calls it: the fast path is one indirect call, with no "resolved
 * yet?" test and no constructor.
 */
extern struct shim_real shim_real;

/* A raw system call through libc's own syscall(), never the shim's. */
long shim_raw(long nr, long a, long b, long c, long d, long e, long f);

/* ---- state.c: the process --------------------------------------------- */

enum shim_mode {
	SHIM_UNINIT = 0,   /* nothing looked at yet */
	SHIM_INACTIVE = 1, /* this process holds no emulated memfd */
	SHIM_ACTIVE = 2,   /* it may: look at the per-fd marks */
};

/* Read on every interposed call: one predictable branch. */
extern volatile int shim_mode;
/* Set once the plan is made: F_ADD_SEALS/F_GET_SEALS on an fd the shim
 * did not mark go straight to the kernel. */
extern volatile int shim_seals_native;

/* RLIMIT_FSIZE, kept by the setrlimit and prlimit interposers (which see
 * every change the process makes to it). */
rlim_t shim_fsize_limit(void);
void shim_fsize_changed(void);

/* Per-fd marks, for fds below SHIM_FD_MAX. */
#define SHIM_FD_MAX 65536
enum {
	SHIM_FD_EMU = 1U << 0,      /* refers to an emulated inode (a hint) */
	SHIM_FD_WRITABLE = 1U << 1, /* opened for writing */
};
extern uint8_t shim_fd_kind[SHIM_FD_MAX];
extern uint32_t shim_fd_slot[SHIM_FD_MAX];

/* Set while this thread runs shim code: libc calls made by the shim (and
 * by the emu/ and sandbox/ code it runs) go straight to the real ones. */
extern __thread int shim_busy __attribute__((tls_model("initial-exec")));

/* First call of the process: look for inherited emulated fds. */
void shim_init(void);

/* Slow paths run with shim_busy set, so the libc calls they (and the emu/
 * and sandbox/ code) make reach libc, not the shim again. */
static inline int shim_busy_enter(void)
{
	int old = shim_busy;

	shim_busy = 1;
	return old;
}

static inline void shim_busy_restore(int *old)
{
	shim_busy = *old;
}

#define SHIM_BUSY_SCOPE                                             \
	int shim_busy_saved_ __attribute__((cleanup(shim_busy_restore))) = \
		shim_busy_enter()

static inline bool shim_fd_marked(int fd)
{
	return (unsigned int)fd < SHIM_FD_MAX &&
	       (__atomic_load_n(&shim_fd_kind[fd], __ATOMIC_RELAXED) &
		SHIM_FD_EMU);
}

/* The table's slots, for the inline hint below (NULL: no table yet). */
struct sbt;
extern struct sbt *shim_table_ptr;
/* A marked fd whose slot says no seal can refuse a write (no WRITE,
 * FUTURE_WRITE or GROW, not hugetlbfs): the write goes to libc at once.
 * A hint (the mark may be stale): it may only ever let a call through. */
bool shim_write_free_hint(int fd);

void shim_fd_mark(int fd, uint32_t slot, bool writable);
void shim_fd_unmark(int fd);
/* fds first..last are being closed (close_range, closefrom) */
void shim_fd_unmark_range(unsigned int first, unsigned int last);
/* newfd now refers to what oldfd refers to (dup family). */
void shim_fd_copy(int oldfd, int newfd);

/* The plan the process runs with: probed once. */
struct shim_plan {
	struct sb_features fs;
	struct sb_plan plan;
	unsigned int native_seals; /* seals the kernel itself enforces */
	bool native_map_ro;        /* kernel: RO shared map under WRITE ok */
	bool native_arg_int;       /* kernel: wide F_ADD_SEALS bits ignored */
	bool native_exec_flags;    /* kernel: MFD_NOEXEC_SEAL and MFD_EXEC */
	bool emulate_all;          /* SEALBOX_PRELOAD_EMULATE=all */
	bool enforce_user;         /* SEALBOX_PRELOAD_ENFORCE=user */
	/*
	 * The kernel can hold every seal with the reproduced rules (as the
	 * supervisor's enforce=auto): memfd_create still runs the emulated
	 * flag and policy checks, then makes a kernel memfd with the caller's
	 * flags, and nothing else is the shim's business.
	 */
	bool kernel_enforces;
};
const struct shim_plan *shim_plan(void);
/* memfd_create turned out to be refused at run time (ENOSYS or a seccomp
 * EPERM): emulate it from now on. */
void shim_plan_lose_memfd(void);

/* The backing store of this process (opened on first use, again after
 * fork or when the program closed its fds). */
int shim_backing(struct sb_backing **out);
/* sb_backing_create_stat, one thread at a time (and again on a store
 * opened anew when the program took its fd away). */
int shim_backing_create(struct sb_backing *b, const char *name, mode_t mode,
			struct stat *st);
/* The store the next memfd gets, known without opening it: MEMFD, the
 * forced one, or NONE for "one of the path-based ones". */
enum sb_backing_kind shim_backing_kind(const struct shim_plan *p);

/* This user's seal table (attached once); NULL when there is none (and
 * create is false) or it cannot be made at all. */
struct sbt;
struct sbt *shim_table(bool create);

/* fd is an emulated memfd the shim did not see arrive (inherited over
 * exec, received over a socket, a /proc reopen): mark it. The slot or -1. */
int shim_adopt(int fd);

/* Read up to len bytes at p, stopping at the first unreadable byte. */
size_t shim_read_user(const void *p, void *buf, size_t len);
/* The same for a NUL-terminated name: may stop after the NUL. */
size_t shim_read_name(const char *p, char *buf, size_t len);

/* getpid(), without a system call (see state.c) */
pid_t shim_pid(void);
/* fstat(2) itself (glibc's is a path walk) */
int shim_fstat(int fd, struct stat *st);

/* A generation for (dev, ino): a hash of the file handle, 0 when none. */
uint64_t shim_inode_gen(int fd);
/* fd is the very inode table slot idx was made for (see state.c). */
bool shim_same_inode(const struct sbt *t, int idx, int fd);

/* A one-line message on stderr, at most once per process and key. */
void shim_warn_once(int *once, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- ops.c: slow paths ---------------------------------------------------- */

/* shim_readlink: the kernel's own answer is the right one */
#define SHIM_PASS (-100000L)

/* These make the real call themselves: >= 0 or -errno. */
long shim_memfd_create(const char *name, unsigned long flags);
long shim_fcntl(int fd, unsigned int cmd, unsigned long arg);
long shim_getfl(int fd);
long shim_open(int dirfd, const char *path, int flags, mode_t mode, int how);
long shim_madvise(void *addr, size_t len, int advice);
/* MAP_FAILED with *err set (0: errno already set by libc) */
void *shim_mmap(void *addr, size_t len, int prot, int flags, int fd,
		off64_t off, int *err);
/* the length, -errno, or SHIM_PASS */
long shim_readlink(int dirfd, const char *path, char *buf, size_t size);

/* These decide only: 0 lets the real call go ahead, -errno refuses it. */
long shim_ftruncate_check(int fd, int64_t len);
long shim_truncate_check(const char *path, int64_t len);
long shim_fallocate_check(int fd, int mode, int64_t off, int64_t len);
long shim_copy_check(int outfd, const loff_t *off_out, size_t len);
long shim_fchmod_check(int fd, mode_t mode);
long shim_chmod_check(int dirfd, const char *path, mode_t mode, int flags);
/* how many bytes of the write may go (a seal can make it short), or -errno */
long shim_write_check(int fd, const struct iovec *iov, int iovcnt,
		      int64_t pos, int rwf, int kind);

/* exec of an emulated memfd (see ops.c) */
int shim_exec_target(int dirfd, const char *path, int flags);
bool shim_exec_cloexec_script(int fd);
int shim_exec_copy(int fd);

/* Bookkeeping around calls that move fds. */
void shim_dup_done(int oldfd, long newfd);
void shim_received(struct msghdr *msg);
void shim_sending(const struct msghdr *msg);

/* `how` values: which entry point a slow path stands in for */
enum shim_how {
	HOW_LIBC = 0, /* the plain libc function */
	HOW_LIBC64,   /* its *64 twin */
	HOW_FORTIFY,  /* __open_2 and friends */
	HOW_FORTIFY64,
	HOW_CREAT,
	HOW_CREAT64,
};

/* which write-family call shim_write stands in for */
enum shim_write_kind {
	W_WRITE,
	W_PWRITE,
	W_WRITEV,
	W_PWRITEV,
	W_PWRITEV2,
};

#endif /* SEALBOX_PRELOAD_SHIM_H */
