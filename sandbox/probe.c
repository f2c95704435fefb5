/* SPDX-License-Identifier: MIT */
/*
 * probe.c: find out what the running kernel has, by behaviour.
 *
 * Each probe makes the real call and classifies the answer: yes, no, or a
 * failure of the prober itself. The rules that run through every probe:
 *
 *  - "no" means "not usable from here": ENOSYS and EINVAL from an old kernel,
 *    but also EPERM/EACCES from a seccomp policy or an LSM, because a program
 *    in the same place cannot use the feature either (sealbox(1) LIMITATIONS
 *    says so).
 *  - EMFILE, ENFILE and ENOMEM say nothing about the kernel, only about this
 *    moment. Recording "no" would be cached for the life of the process, so
 *    such a probe leaves the feature SB_UNKNOWN and returns the -errno; the
 *    caller decides (the CLI gives up, the cache treats unknown as absent).
 *    Timeouts and misbehaving probe children are handled the same way.
 *  - memfd_create and fcntl go through syscall(2), never libc: the preload
 *    shim interposes those wrappers and would answer for the kernel.
 *  - Probes that change the caller for good (a seccomp filter, a tracer)
 *    run in a forked child that only makes raw system calls (the caller may
 *    be multi-threaded), dies with its parent (PR_SET_PDEATHSIG), and is
 *    killed and reaped on every path; every wait is bounded (2 s).
 */
#include "probe.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__aarch64__)
#include <elf.h>
#endif

#include "kcompat.h"
#include "util.h"

#if defined(__aarch64__) && !defined(NT_ARM_SYSTEM_CALL)
#define NT_ARM_SYSTEM_CALL 0x404 /* include/uapi/linux/elf.h, 3.18+ */
#endif

/* The name every probe memfd gets: shows in /proc while a probe runs. */
#define PROBE_MEMFD_NAME "sealbox-probe"
/* Bound on every wait for a probe child. */
#define PROBE_TIMEOUT_MS 2000
/*
 * Probe filters match getppid() only with this first argument: getppid takes
 * none, so the kernel ignores it, and no libc code in the child passes it.
 */
#define PROBE_MAGIC 0x5ea1b0c5U
/* What the seccomp_filter probe's SECCOMP_RET_ERRNO returns: an errno
 * getppid() can never produce, so it can only come from the filter. */
#define PROBE_FILTER_ERRNO ENOTRECOVERABLE
/* The result the ptrace probe fakes for a skipped getppid(). */
#define PROBE_FAKE_RESULT 4242

/* Verdicts (and exit codes) of probe children. */
enum {
	CHILD_OK = 0,
	CHILD_SETUP = 1,     /* prctl, socket I/O: nothing learnt */
	CHILD_WRONG = 2,     /* the probed call answered something else */
	CHILD_INSTALL = 100, /* + errno: the filter could not be installed */
	CHILD_DIED = 255,    /* killed, or gone without a verdict */
};

/* -------------------------------------------------------------------------
 * Small helpers
 */

static bool is_transient(int err)
{
	return err == -EMFILE || err == -ENFILE || err == -ENOMEM;
}

static void set_all(struct sb_features *fs, const enum sb_feature *list,
		    size_t n, bool yes)
{
	for (size_t i = 0; i < n; i++)
		sb_features_set_probed(fs, list[i], yes);
}

static int raw_memfd(unsigned int flags)
{
#ifdef SYS_memfd_create
	long r = syscall(SYS_memfd_create, PROBE_MEMFD_NAME, flags);

	return r < 0 ? neg_errno() : (int)r;
#else
	/* headers older than 3.17 cannot name the call: nothing to probe */
	(void)flags;
	return -ENOSYS;
#endif
}

/*
 * memfd_create for a probe. 6.3 to 6.5 with vm.memfd_noexec=2 refuse a call
 * without MFD_EXEC or MFD_NOEXEC_SEAL with EINVAL; retrying with
 * MFD_NOEXEC_SEAL keeps that policy from being read as "flag unknown" (if a
 * flag in flags were unknown, the retry fails with EINVAL just the same).
 * Returns an fd or -errno.
 */
static int probe_memfd(unsigned int flags)
{
	int fd = raw_memfd(flags);

	if (fd == -EINVAL && !(flags & (MFD_EXEC | MFD_NOEXEC_SEAL))) {
		int again = raw_memfd(flags | MFD_NOEXEC_SEAL);

		if (again != -EINVAL)
			return again;
	}
	return fd;
}

static int raw_fcntl(int fd, int cmd, unsigned long arg)
{
	long r = syscall(SYS_fcntl, fd, cmd, arg);

	return r < 0 ? neg_errno() : (int)r;
}

/* seccomp(2) (3.17+); -ENOSYS where the headers cannot name it. */
static long raw_seccomp(unsigned int op, unsigned long flags, void *args)
{
#ifdef SYS_seccomp
	return syscall(SYS_seccomp, op, flags, args);
#else
	(void)op;
	(void)flags;
	(void)args;
	errno = ENOSYS;
	return -1;
#endif
}

/* A memfd the seal probes may seal: -errno when there is none. */
static int sealable_memfd(void)
{
	return probe_memfd(MFD_CLOEXEC | MFD_ALLOW_SEALING);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* poll() until deadline (CLOCK_MONOTONIC ms), riding out EINTR.
 * Returns > 0 when ready, -ETIMEDOUT, or -errno. */
static int poll_until(struct pollfd *pfd, nfds_t n, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - now_ms();
		int r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(pfd, n, (int)left);
		if (r > 0)
			return r;
		if (r == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return neg_errno();
	}
}

/*
 * waitpid() with a deadline, for the ptrace helper only, which keeps
 * SIGCHLD blocked: every stop and exit of its child raises SIGCHLD, so
 * sigtimedwait() wakes exactly when there is something to collect (pidfds
 * would do for exits, but they are 5.3+ and do not report ptrace stops).
 * Returns 0 with *status filled, -ETIMEDOUT, or -errno.
 */
static int wait_until(pid_t pid, int *status, int64_t deadline)
{
	sigset_t chld;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG | __WALL);

		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return neg_errno();
		int64_t left = deadline - now_ms();

		if (left <= 0)
			return -ETIMEDOUT;
		struct timespec ts = { (time_t)(left / 1000),
				       (long)(left % 1000) * 1000000 };
		(void)sigtimedwait(&chld, NULL, &ts); /* EAGAIN, EINTR: look */
	}
}

/*
 * Kill and reap a probe child (cleanup attribute). Skips the kill when the
 * child is no longer ours to wait for (reaped by a SIGCHLD handler of the
 * program), so a recycled pid is never signalled.
 */
static void kill_and_reap(pid_t *pidp)
{
	pid_t pid = *pidp;
	siginfo_t si;
	int saved = errno;

	if (pid <= 0)
		return;
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 &&
	    errno == ECHILD) {
		errno = saved;
		return;
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR)
		;
	*pidp = -1;
	errno = saved;
}

#define autoreap __attribute__((cleanup(kill_and_reap)))

/* In a probe child: die with the prober, and make sure it is still there
 * (it may have died between fork and prctl). */
static void child_tie_to_parent(pid_t prober)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 ||
	    getppid() != prober)
		_exit(CHILD_SETUP);
}

/*
 * A probe child's verdict: a byte on its socket, then its exit. The prober
 * reads the byte, not the exit status, which may not be ours to read (the
 * program ignores SIGCHLD, so children reap themselves, or its SIGCHLD
 * handler reaped this one first); and poll() on the socket wakes at once.
 */
static void child_exit(int sock, int code) __attribute__((noreturn));
static void child_exit(int sock, int code)
{
	unsigned char v = (unsigned char)code;

	(void)send(sock, &v, 1, MSG_NOSIGNAL);
	_exit(code);
}

/*
 * A filter answering getppid(PROBE_MAGIC) with action and letting every
 * other call through. The architecture is not checked: the child makes
 * native calls only, and a compat call with the same number would need the
 * magic argument too.
 */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG0_LO offsetof(struct sb_seccomp_data, args[0])
#else
#define ARG0_LO (offsetof(struct sb_seccomp_data, args[0]) + 4)
#endif

struct probe_filter {
	struct sock_filter insns[6];
	struct sock_fprog prog;
};

static void probe_filter_init(struct probe_filter *pf, uint32_t action)
{
	const struct sock_filter insns[6] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct sb_seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_LO),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PROBE_MAGIC, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, action),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};

	memcpy(pf->insns, insns, sizeof(insns));
	pf->prog.len = SB_ARRAY_SIZE(pf->insns);
	pf->prog.filter = pf->insns;
}

static long magic_getppid(void)
{
	long r = syscall(SYS_getppid, (unsigned long)PROBE_MAGIC);

	return r < 0 ? -(long)errno : r;
}

/* -------------------------------------------------------------------------
 * memfd_create and its flags
 */

static int probe_memfd_create(struct sb_features *fs, enum sb_feature f)
{
	autoclose int fd = probe_memfd(MFD_CLOEXEC);

	if (is_transient(fd))
		return fd;
	/* ENOSYS: before 3.17. EPERM and the like: a policy forbids it, and
	 * programs here have no native memfd either. */
	sb_features_set_probed(fs, f, fd >= 0);
	return 0;
}

static const struct {
	enum sb_feature f;
	unsigned int flag;
} mfd_flags[] = {
	{ SB_F_MFD_CLOEXEC, MFD_CLOEXEC },
	{ SB_F_MFD_ALLOW_SEALING, MFD_ALLOW_SEALING },
	{ SB_F_MFD_NOEXEC_SEAL, MFD_NOEXEC_SEAL },
	{ SB_F_MFD_EXEC, MFD_EXEC },
};

/* An unknown flag is EINVAL, checked before anything else. */
static int probe_mfd_flag(struct sb_features *fs, enum sb_feature f)
{
	unsigned int flag = 0;

	for (size_t i = 0; i < SB_ARRAY_SIZE(mfd_flags); i++)
		if (mfd_flags[i].f == f)
			flag = mfd_flags[i].flag;
	if (!flag)
		return -EINVAL;

	autoclose int fd = probe_memfd(MFD_CLOEXEC | flag);

	if (is_transient(fd))
		return fd;
	/* vm.memfd_noexec=2 refuses MFD_EXEC with EACCES (6.6+): the refusal
	 * is the flag being understood */
	sb_features_set_probed(fs, f, fd >= 0 ||
				      (flag == MFD_EXEC && fd == -EACCES));
	return 0;
}

/* mfd_hugetlb and hugetlb_sealing: the second only means something when
 * the kernel knows MFD_HUGETLB at all. */
static int probe_hugetlb(struct sb_features *fs, enum sb_feature f)
{
	(void)f;
	{
		autoclose int fd = probe_memfd(MFD_CLOEXEC | MFD_HUGETLB);

		/* ENOMEM here comes from the hugetlb setup, after the flag
		 * check, as ENODEV/ENOENT do when no huge page size is
		 * configured: the flag is known either way. EMFILE and ENFILE
		 * come earlier and say nothing. */
		if (fd == -EMFILE || fd == -ENFILE)
			return fd;
		if (fd < 0 && fd != -ENODEV && fd != -ENOENT &&
		    fd != -ENOMEM) {
			sb_features_set_probed(fs, SB_F_MFD_HUGETLB, false);
			sb_features_set_probed(fs, SB_F_HUGETLB_SEALING, false);
			return 0;
		}
		sb_features_set_probed(fs, SB_F_MFD_HUGETLB, true);
	}

	autoclose int fd = probe_memfd(MFD_CLOEXEC | MFD_HUGETLB |
				       MFD_ALLOW_SEALING);

	if (fd == -EMFILE || fd == -ENFILE)
		return fd;
	/* 4.14 and 4.15: "sealing not supported in hugetlbfs" is EINVAL;
	 * any other answer got past the flag check */
	sb_features_set_probed(fs, SB_F_HUGETLB_SEALING, fd != -EINVAL);
	return 0;
}

/* -------------------------------------------------------------------------
 * Seals and F_ADD_SEALS behaviours
 */

static const struct {
	enum sb_feature f;
	unsigned int bit;
} seal_bits[] = {
	{ SB_F_SEAL_SEAL, F_SEAL_SEAL },
	{ SB_F_SEAL_SHRINK, F_SEAL_SHRINK },
	{ SB_F_SEAL_GROW, F_SEAL_GROW },
	{ SB_F_SEAL_WRITE, F_SEAL_WRITE },
	{ SB_F_SEAL_FUTURE_WRITE, F_SEAL_FUTURE_WRITE },
	{ SB_F_SEAL_EXEC, F_SEAL_EXEC },
};

/* One seal bit on a fresh sealable memfd: the kernel rejects bits it does
 * not know with EINVAL before looking at anything else. */
static int probe_seal(struct sb_features *fs, enum sb_feature f)
{
	unsigned int bit = 0;
	int r;

	for (size_t i = 0; i < SB_ARRAY_SIZE(seal_bits); i++)
		if (seal_bits[i].f == f)
			bit = seal_bits[i].bit;
	if (!bit)
		return -EINVAL;

	autoclose int fd = sealable_memfd();

	if (is_transient(fd))
		return fd;
	if (fd < 0) {
		sb_features_set_probed(fs, f, false);
		return 0;
	}
	r = 0;
	if (f == SB_F_SEAL_SEAL) /* F_GET_SEALS must work too */
		r = raw_fcntl(fd, F_GET_SEALS, 0);
	if (r >= 0)
		r = raw_fcntl(fd, F_ADD_SEALS, bit);
	/* EBUSY (mappings or pins, not possible on this fresh file) would
	 * still mean the bit was understood */
	sb_features_set_probed(fs, f, r >= 0 || r == -EBUSY);
	return 0;
}

static int probe_seals_arg_int(struct sb_features *fs, enum sb_feature f)
{
	autoclose int fd = sealable_memfd();

	if (is_transient(fd))
		return fd;
	if (fd < 0) {
		sb_features_set_probed(fs, f, false);
		return 0;
	}
#if ULONG_MAX > 0xffffffffUL
	/* no valid low bits: a no-op where the argument is cut to an int
	 * (about 6.5+), EINVAL where it was checked as a whole */
	sb_features_set_probed(fs, f,
			       raw_fcntl(fd, F_ADD_SEALS, 1UL << 32) == 0);
#else
	/* a 32-bit caller cannot pass high bits: nothing differs */
	sb_features_set_probed(fs, f, true);
#endif
	return 0;
}

static int probe_map_ro_under_write(struct sb_features *fs, enum sb_feature f)
{
	autoclose int fd = sealable_memfd();
	void *p;
	int err;

	if (is_transient(fd))
		return fd;
	if (fd < 0 || ftruncate(fd, 4096) < 0 ||
	    raw_fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE) < 0) {
		/* without a write-sealed memfd the question does not arise */
		sb_features_set_probed(fs, f, false);
		return 0;
	}
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		err = neg_errno();
		if (err == -ENOMEM || err == -EAGAIN)
			return err;
		/* EPERM: 6.6 and older, and the 6.12 regression */
		sb_features_set_probed(fs, f, false);
		return 0;
	}
	munmap(p, 4096);
	sb_features_set_probed(fs, f, true);
	return 0;
}

/* -------------------------------------------------------------------------
 * vm.memfd_noexec
 */

int sb_probe_memfd_noexec(void)
{
	autoclose int fd = open("/proc/sys/vm/memfd_noexec",
				O_RDONLY | O_CLOEXEC);
	char buf[16];
	ssize_t n;

	if (fd < 0)
		return neg_errno();
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return neg_errno();
	buf[n] = '\0';
	if (n < 1 || buf[0] < '0' || buf[0] > '2' ||
	    (buf[1] != '\0' && buf[1] != '\n'))
		return -EINVAL;
	return buf[0] - '0';
}

static int probe_memfd_noexec_sysctl(struct sb_features *fs,
				     enum sb_feature f)
{
	int v = sb_probe_memfd_noexec();

	if (is_transient(v))
		return v;
	/* ENOENT: before 6.3, or no /proc here; either way nothing to obey */
	sb_features_set_probed(fs, f, v >= 0);
	if (v >= 0)
		fs->memfd_noexec = v;
	return 0;
}

/* -------------------------------------------------------------------------
 * O_TMPFILE on tmpfs
 */

/* Returns 1 (yes), 0 (no: the kernel or tmpfs lacks it), -EAGAIN (this
 * directory cannot tell: try another) or a transient -errno. */
static int try_tmpfile(int dirfd, const char *path)
{
	autoclose int fd = openat(dirfd, path, O_TMPFILE | O_RDWR | O_CLOEXEC,
				  0600);

	if (fd >= 0)
		return 1; /* never linked: nothing is left behind */
	int err = neg_errno();

	/* before 3.11 the O_DIRECTORY inside O_TMPFILE gives EISDIR */
	if (err == -EISDIR || err == -EOPNOTSUPP || err == -EINVAL)
		return 0;
	if (is_transient(err))
		return err;
	return -EAGAIN; /* EACCES, EROFS, ENOENT... */
}

/* A tmpfs mounted nowhere (fsopen/fsmount, 5.2+, needs CAP_SYS_ADMIN in
 * the mount namespace's user namespace): it vanishes with the last fd. */
static int try_detached_tmpfile(void)
{
	autoclose int fsfd = -1;
	autoclose int mnt = -1;

	int r;

	/* ENOSYS before 5.2, EPERM without CAP_SYS_ADMIN: no answer here */
	fsfd = (int)syscall(SYS_fsopen, "tmpfs", SB_FSOPEN_CLOEXEC);
	if (fsfd < 0) {
		r = neg_errno();
		return is_transient(r) ? r : 0;
	}
	if (syscall(SYS_fsconfig, fsfd, SB_FSCONFIG_CMD_CREATE, NULL, NULL,
		    0) < 0) {
		r = neg_errno();
		return is_transient(r) ? r : 0;
	}
	mnt = (int)syscall(SYS_fsmount, fsfd, SB_FSMOUNT_CLOEXEC, 0);
	if (mnt < 0) {
		r = neg_errno();
		return is_transient(r) ? r : 0;
	}
	r = try_tmpfile(mnt, ".");
	return r == -EAGAIN ? 0 : r;
}

static int probe_o_tmpfile(struct sb_features *fs, enum sb_feature f)
{
	char run_user[64];
	const char *candidates[4];
	size_t n = 0;
	const char *env = getenv("SEALBOX_TMPDIR");
	int r = -EAGAIN;

	/* the same directories, in the same order, as the backing store */
	if (env && *env)
		candidates[n++] = env;
	candidates[n++] = "/dev/shm";
	snprintf(run_user, sizeof(run_user), "/run/user/%u",
		 (unsigned)getuid());
	candidates[n++] = run_user;
	candidates[n++] = "/tmp";

	for (size_t i = 0; i < n && r == -EAGAIN; i++) {
		struct statfs sfs;

		if (statfs(candidates[i], &sfs) < 0 ||
		    sfs.f_type != SB_TMPFS_MAGIC)
			continue;
		r = try_tmpfile(AT_FDCWD, candidates[i]);
	}
	if (r == -EAGAIN)
		r = try_detached_tmpfile();
	if (r < 0)
		return r;
	sb_features_set_probed(fs, f, r == 1);
	return 0;
}

/* -------------------------------------------------------------------------
 * seccomp filters
 */

static void filter_child(int sock, pid_t prober) __attribute__((noreturn));
static void filter_child(int sock, pid_t prober)
{
	struct probe_filter pf;

	child_tie_to_parent(prober);
	probe_filter_init(&pf, SECCOMP_RET_ERRNO | PROBE_FILTER_ERRNO);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		child_exit(sock, CHILD_SETUP);
	/* prctl rather than seccomp(2): filters came in 3.5, seccomp(2)
	 * only in 3.17 */
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &pf.prog, 0, 0) < 0)
		child_exit(sock, CHILD_INSTALL + (errno & 0x7f));
	child_exit(sock, magic_getppid() == -PROBE_FILTER_ERRNO ?
		   CHILD_OK : CHILD_WRONG);
}

static int probe_seccomp_filter(struct sb_features *fs, enum sb_feature f)
{
	pid_t prober = getpid();
	int sv[2] = { -1, -1 };
	unsigned char verdict = CHILD_DIED;
	ssize_t n;
	int r;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return neg_errno();
	autoclose int sock = sv[0];
	autoclose int child_sock = sv[1];

	autoreap pid_t child = fork();
	if (child < 0)
		return neg_errno();
	if (child == 0)
		filter_child(child_sock, prober);
	close(steal_fd(&child_sock)); /* so the child's death shows as EOF */

	struct pollfd pfd = { .fd = sock, .events = POLLIN };

	r = poll_until(&pfd, 1, now_ms() + PROBE_TIMEOUT_MS);
	if (r < 0)
		return r;
	do
		n = recv(sock, &verdict, 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return neg_errno();
	/* EOF: killed before a verdict, e.g. by an inherited policy */
	if (verdict == CHILD_SETUP)
		return -EIO; /* learnt nothing */
	/* EINVAL from the install: no CONFIG_SECCOMP_FILTER or before 3.5 */
	sb_features_set_probed(fs, f, n == 1 && verdict == CHILD_OK);
	return 0;
}

/* -------------------------------------------------------------------------
 * seccomp user notification: one child, every notification feature.
 *
 * The child installs a listener filter for getppid(PROBE_MAGIC), hands the
 * listener over, and makes that call three times; the prober answers the
 * first with ADDFD then a plain reply, the second with ADDFD|SEND, the third
 * with FLAG_CONTINUE, and checks what the child's calls returned.
 */

static const enum sb_feature notif_features[] = {
	SB_F_SECCOMP_USER_NOTIF, SB_F_USER_NOTIF_CONTINUE,
	SB_F_USER_NOTIF_ADDFD,   SB_F_ADDFD_SEND,
	SB_F_WAIT_KILLABLE_RECV, SB_F_SYNC_WAKE_UP,
};

#define NOTIF_CALLS 3

/* First message from the child: how installing the listener went. */
struct notif_hello {
	int killable_err; /* errno with WAIT_KILLABLE_RECV, or 0 */
	int listener_err; /* errno of the install without it, or 0 */
};

/* Second message: what each getppid(PROBE_MAGIC) returned (or -errno). */
struct notif_results {
	long ret[NOTIF_CALLS];
};

static int send_with_fd(int sock, const void *data, size_t len, int fd)
{
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} cmsg;
	struct iovec iov = { (void *)(uintptr_t)data, len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		memset(&cmsg, 0, sizeof(cmsg));
		msg.msg_control = cmsg.buf;
		msg.msg_controllen = sizeof(cmsg.buf);
		cmsg.hdr.cmsg_level = SOL_SOCKET;
		cmsg.hdr.cmsg_type = SCM_RIGHTS;
		cmsg.hdr.cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(&cmsg.hdr), &fd, sizeof(int));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

/* Receive exactly len bytes and at most one fd (-1 when none came). */
static int recv_with_fd(int sock, void *data, size_t len, int *fd)
{
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} cmsg;
	struct iovec iov = { data, len };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cmsg.buf,
		.msg_controllen = sizeof(cmsg.buf),
	};
	ssize_t n;

	*fd = -1;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return neg_errno();
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c;
	     c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(fd, CMSG_DATA(c), sizeof(int));
	if ((size_t)n != len || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		if (*fd >= 0)
			close(steal_fd(fd));
		return -EIO; /* the child died or misbehaved */
	}
	return 0;
}

static void notif_child(int sock, pid_t prober) __attribute__((noreturn));
static void notif_child(int sock, pid_t prober)
{
	struct notif_hello hello = { 0, 0 };
	struct notif_results res;
	struct probe_filter pf;
	long fd;

	child_tie_to_parent(prober);
	probe_filter_init(&pf, SECCOMP_RET_USER_NOTIF);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		_exit(CHILD_SETUP);
	/*
	 * WAIT_KILLABLE_RECV is tried on this same filter rather than in a
	 * second child: an unknown flag is refused before anything is
	 * installed, and the flag only changes how a waiting call takes
	 * signals, which this probe never sends.
	 */
	fd = raw_seccomp(SECCOMP_SET_MODE_FILTER,
			 SECCOMP_FILTER_FLAG_NEW_LISTENER |
			 SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &pf.prog);
	if (fd < 0) {
		hello.killable_err = errno;
		fd = raw_seccomp(SECCOMP_SET_MODE_FILTER,
				 SECCOMP_FILTER_FLAG_NEW_LISTENER, &pf.prog);
		if (fd < 0)
			hello.listener_err = errno;
	}
	if (send_with_fd(sock, &hello, sizeof(hello), (int)fd) < 0)
		_exit(CHILD_SETUP);
	if (fd < 0)
		_exit(CHILD_OK);
	/* only the prober may hold the listener: if it dies, the calls below
	 * must fail (ENOSYS), not wait for an answer nobody can give */
	close((int)fd);
	for (int i = 0; i < NOTIF_CALLS; i++)
		res.ret[i] = magic_getppid();
	if (send_with_fd(sock, &res, sizeof(res), -1) < 0)
		_exit(CHILD_SETUP);
	_exit(CHILD_OK);
}

struct notif_session {
	int listener;
	int sock;
	int64_t deadline;
	void *req;        /* sized by SECCOMP_GET_NOTIF_SIZES */
	size_t req_size;
	void *resp;
	size_t resp_size;
};

/* Wait for the child's next call and receive it; returns its id in *id. */
static int notif_recv(struct notif_session *s, uint64_t *id)
{
	struct pollfd pfd[2] = {
		{ .fd = s->listener, .events = POLLIN },
		{ .fd = s->sock, .events = POLLIN },
	};
	int r = poll_until(pfd, 2, s->deadline);

	if (r < 0)
		return r;
	/* the child only talks on the socket after its last call: anything
	 * there now means it died or gave up */
	if (!(pfd[0].revents & POLLIN))
		return -EIO;
	/* 5.5+ refuse a buffer that is not zeroed */
	memset(s->req, 0, s->req_size);
	do
		r = ioctl(s->listener, SB_IOCTL_NOTIF_RECV, s->req);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno == ENOENT ? -EIO : neg_errno();

	const struct sb_notif *n = s->req;

	if (n->data.nr != SYS_getppid ||
	    (uint32_t)n->data.args[0] != PROBE_MAGIC)
		return -EIO;
	*id = n->id;
	return 0;
}

/* NOTIF_SEND; returns 0 or -errno. */
static int notif_send(struct notif_session *s, uint64_t id, int64_t val,
		      uint32_t flags)
{
	struct sb_notif_resp resp = { .id = id, .val = val, .flags = flags };
	int r;

	memset(s->resp, 0, s->resp_size);
	memcpy(s->resp, &resp, sizeof(resp));
	r = ioctl(s->listener, SB_IOCTL_NOTIF_SEND, s->resp);
	return r < 0 ? neg_errno() : 0;
}

/* NOTIF_ADDFD of our end of the socket (any fd will do); returns the fd
 * number in the child or -errno. */
static int notif_addfd(struct notif_session *s, uint64_t id, uint32_t flags)
{
	struct sb_notif_addfd add = {
		.id = id,
		.flags = flags,
		.srcfd = (uint32_t)s->sock,
		.newfd = 0,
		.newfd_flags = O_CLOEXEC,
	};
	int r = ioctl(s->listener, SB_IOCTL_NOTIF_ADDFD, &add);

	return r < 0 ? neg_errno() : r;
}

/* The three rounds; features are recorded as soon as they are known. */
static int notif_rounds(struct sb_features *fs, struct notif_session *s,
			pid_t prober)
{
	struct notif_results res;
	uint64_t id = 0;
	int added, sent, cont, r, fd = -1;

	/* 1: ADDFD without SEND, then an ordinary reply. Before 5.9 the
	 * ioctl is unknown: EINVAL (ENOTTY from anything else). */
	r = notif_recv(s, &id);
	if (r < 0)
		return r;
	sb_features_set_probed(fs, SB_F_SECCOMP_USER_NOTIF, true);
	added = notif_addfd(s, id, 0);
	if (added == -ENOENT)
		return -EIO;
	if (is_transient(added))
		return added;
	r = notif_send(s, id, added >= 0 ? added : 0, 0);
	if (r < 0)
		return r == -ENOENT ? -EIO : r;

	/* 2: ADDFD with SEND answers the call with the new fd (5.14+; an
	 * unknown flag is EINVAL). Without ADDFD there is nothing to try. */
	r = notif_recv(s, &id);
	if (r < 0)
		return r;
	sent = -EINVAL;
	if (added >= 0)
		sent = notif_addfd(s, id, SECCOMP_ADDFD_FLAG_SEND);
	if (sent == -ENOENT)
		return -EIO;
	if (is_transient(sent))
		return sent;
	if (sent < 0) {
		r = notif_send(s, id, 0, 0);
		if (r < 0)
			return r == -ENOENT ? -EIO : r;
	}

	/* 3: FLAG_CONTINUE lets the real getppid() run (5.5+; before, any
	 * flag is EINVAL and the notification is still pending). */
	r = notif_recv(s, &id);
	if (r < 0)
		return r;
	cont = notif_send(s, id, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
	if (cont == -EINVAL) {
		r = notif_send(s, id, 0, 0);
		if (r < 0)
			return r == -ENOENT ? -EIO : r;
	} else if (cont < 0) {
		return cont == -ENOENT ? -EIO : cont;
	}

	/* what the child saw decides */
	struct pollfd pfd = { .fd = s->sock, .events = POLLIN };

	r = poll_until(&pfd, 1, s->deadline);
	if (r < 0)
		return r;
	r = recv_with_fd(s->sock, &res, sizeof(res), &fd);
	if (fd >= 0)
		close(fd);
	if (r < 0)
		return r;
	sb_features_set_probed(fs, SB_F_USER_NOTIF_ADDFD,
			       added >= 0 && res.ret[0] == added);
	sb_features_set_probed(fs, SB_F_ADDFD_SEND,
			       sent >= 0 && res.ret[1] == sent);
	sb_features_set_probed(fs, SB_F_USER_NOTIF_CONTINUE,
			       cont == 0 && res.ret[2] == prober);
	return 0;
}

static int probe_notif(struct sb_features *fs, enum sb_feature f)
{
	struct sb_notif_sizes sizes;
	struct notif_hello hello;
	struct notif_session s;
	pid_t prober = getpid();
	int sv[2] = { -1, -1 };
	int r;

	(void)f;
	memset(&sizes, 0, sizeof(sizes));
	/* EINVAL before 5.0, ENOSYS before 3.17: no notification, and no
	 * child needed to find out */
	if (raw_seccomp(SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0) {
		set_all(fs, notif_features, SB_ARRAY_SIZE(notif_features),
			false);
		return 0;
	}
	s.req_size = sizes.seccomp_notif > sizeof(struct sb_notif) ?
		sizes.seccomp_notif : sizeof(struct sb_notif);
	s.resp_size = sizes.seccomp_notif_resp > sizeof(struct sb_notif_resp) ?
		sizes.seccomp_notif_resp : sizeof(struct sb_notif_resp);
	autofree void *req = calloc(1, s.req_size);
	autofree void *resp = calloc(1, s.resp_size);
	if (!req || !resp)
		return -ENOMEM;
	s.req = req;
	s.resp = resp;

	/* SEQPACKET keeps the two messages apart */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return neg_errno();
	autoclose int sock = sv[0];
	autoclose int child_sock = sv[1];

	autoreap pid_t child = fork();
	if (child < 0)
		return neg_errno();
	if (child == 0)
		notif_child(child_sock, prober);
	close(steal_fd(&child_sock)); /* so the child's death shows as HUP */

	s.sock = sock;
	s.deadline = now_ms() + PROBE_TIMEOUT_MS;
	struct pollfd pfd = { .fd = sock, .events = POLLIN };

	r = poll_until(&pfd, 1, s.deadline);
	if (r < 0)
		return r;
	autoclose int listener = -1;

	r = recv_with_fd(sock, &hello, sizeof(hello), &listener);
	if (r < 0)
		return r;
	if (hello.listener_err || listener < 0) {
		int err = hello.listener_err ? -hello.listener_err : -EIO;

		if (is_transient(err) || err == -EIO)
			return err;
		/* EINVAL: no NEW_LISTENER. EBUSY: a filter above us already
		 * has a listener (we run under a notifying supervisor), and
		 * there can be only one per task. Either way unusable. */
		set_all(fs, notif_features, SB_ARRAY_SIZE(notif_features),
			false);
		return 0;
	}
	s.listener = listener;
	sb_features_set_probed(fs, SB_F_WAIT_KILLABLE_RECV,
			       hello.killable_err == 0);

	/* 6.6+; before, the ioctl is unknown (EINVAL) */
	r = ioctl(listener, SB_IOCTL_NOTIF_SET_FLAGS,
		  (unsigned long)SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
	sb_features_set_probed(fs, SB_F_SYNC_WAKE_UP, r == 0);

	return notif_rounds(fs, &s, prober);
}

/* -------------------------------------------------------------------------
 * ptrace with SECCOMP_RET_TRACE, and PTRACE_O_EXITKILL
 */

/*
 * At a seccomp stop: skip the call (syscall number -1) and make it return
 * PROBE_FAKE_RESULT, as the ptrace backend will. Returns 0, -errno, or
 * -EOPNOTSUPP on an architecture this file has no register code for.
 */
static int skip_and_fake(pid_t pid)
{
#if defined(__x86_64__)
	struct user_regs_struct regs;

	if (ptrace(PTRACE_GETREGS, pid, NULL, &regs) < 0)
		return neg_errno();
	regs.orig_rax = (unsigned long long)-1;
	regs.rax = PROBE_FAKE_RESULT;
	if (ptrace(PTRACE_SETREGS, pid, NULL, &regs) < 0)
		return neg_errno();
	return 0;
#elif defined(__i386__)
	struct user_regs_struct regs;

	if (ptrace(PTRACE_GETREGS, pid, NULL, &regs) < 0)
		return neg_errno();
	regs.orig_eax = -1;
	regs.eax = PROBE_FAKE_RESULT;
	if (ptrace(PTRACE_SETREGS, pid, NULL, &regs) < 0)
		return neg_errno();
	return 0;
#elif defined(__aarch64__)
	struct user_regs_struct regs;
	struct iovec iov = { &regs, sizeof(regs) };
	int nr = -1;

	/* arm64 keeps x0 as set here when the call is skipped */
	if (ptrace(PTRACE_GETREGSET, pid, (void *)NT_PRSTATUS, &iov) < 0)
		return neg_errno();
	regs.regs[0] = PROBE_FAKE_RESULT;
	if (ptrace(PTRACE_SETREGSET, pid, (void *)NT_PRSTATUS, &iov) < 0)
		return neg_errno();
	iov.iov_base = &nr;
	iov.iov_len = sizeof(nr);
	if (ptrace(PTRACE_SETREGSET, pid, (void *)NT_ARM_SYSTEM_CALL,
		   &iov) < 0)
		return neg_errno();
	return 0;
#else
	(void)pid;
	return -EOPNOTSUPP;
#endif
}

static void trace_child(int sock, pid_t prober) __attribute__((noreturn));
static void trace_child(int sock, pid_t prober)
{
	struct probe_filter pf;
	char go;
	ssize_t n;

	child_tie_to_parent(prober);
	probe_filter_init(&pf, SECCOMP_RET_TRACE);
	/* the filter must not run before the tracer is attached: untraced,
	 * SECCOMP_RET_TRACE just fails the call with ENOSYS */
	do
		n = read(sock, &go, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(CHILD_SETUP);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		_exit(CHILD_SETUP);
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &pf.prog, 0, 0) < 0)
		_exit(CHILD_INSTALL + (errno & 0x7f));
	_exit(magic_getppid() == PROBE_FAKE_RESULT ? CHILD_OK : CHILD_WRONG);
}

/* Trace a child of our own; runs in the helper below. */
static int ptrace_direct(struct sb_features *fs)
{
	unsigned long opts = PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL;
	pid_t prober = getpid();
	bool stopped = false, faked = false;
	int sv[2] = { -1, -1 };
	int64_t deadline;
	int status = 0, r;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return neg_errno();
	autoclose int sock = sv[0];
	autoclose int child_sock = sv[1];

	autoreap pid_t child = fork();
	if (child < 0)
		return neg_errno();
	if (child == 0)
		trace_child(child_sock, prober);
	close(steal_fd(&child_sock));

	/* EXITKILL came in 3.8, TRACESECCOMP in 3.5: an unknown option is
	 * EINVAL, so try without EXITKILL to tell the two apart */
	if (ptrace(PTRACE_SEIZE, child, NULL, (void *)opts) < 0) {
		r = neg_errno();
		if (r == -EINVAL) {
			opts &= ~(unsigned long)PTRACE_O_EXITKILL;
			if (ptrace(PTRACE_SEIZE, child, NULL,
				   (void *)opts) < 0)
				r = neg_errno();
			else
				r = 0;
		}
		if (r < 0) {
			/* EPERM: ptrace forbidden here (Yama, a container
			 * policy, or we are traced by strace -f and the
			 * child already is too); EIO: no PTRACE_SEIZE
			 * (before 3.4); EINVAL: no TRACESECCOMP */
			sb_features_set_probed(fs, SB_F_PTRACE_SECCOMP, false);
			sb_features_set_probed(fs, SB_F_PTRACE_EXITKILL,
					       false);
			return 0;
		}
	}
	sb_features_set_probed(fs, SB_F_PTRACE_EXITKILL,
			       opts & PTRACE_O_EXITKILL);

	if (send(sock, "g", 1, MSG_NOSIGNAL) != 1)
		return -EIO;
	deadline = now_ms() + PROBE_TIMEOUT_MS;
	for (;;) {
		r = wait_until(child, &status, deadline);
		if (r < 0)
			return r;
		if (WIFEXITED(status) || WIFSIGNALED(status))
			break;
		if (!WIFSTOPPED(status))
			continue;
		int sig = 0;

		if ((status >> 8) == (SIGTRAP | (PTRACE_EVENT_SECCOMP << 8))) {
			stopped = true;
			r = skip_and_fake(child);
			if (r == -EOPNOTSUPP)
				return 0; /* no register code: stays unknown */
			if (r < 0)
				return r;
			faked = true;
		} else if ((status >> 16) == 0) {
			/* a signal for the child: pass it on */
			sig = WSTOPSIG(status);
		}
		/* any other event stop (a group stop under SEIZE): resume */
		if (ptrace(PTRACE_CONT, child, NULL,
			   (void *)(uintptr_t)sig) < 0)
			return neg_errno();
	}
	child = -1; /* reaped */
	if (WIFEXITED(status) && WEXITSTATUS(status) == CHILD_SETUP)
		return -EIO;
	sb_features_set_probed(fs, SB_F_PTRACE_SECCOMP,
			       stopped && faked && WIFEXITED(status) &&
			       WEXITSTATUS(status) == CHILD_OK);
	return 0;
}

/* What the ptrace helper found out. */
struct ptrace_verdict {
	int err; /* 0, or -errno of a failure of the prober */
	enum sb_tristate seccomp, exitkill;
};

static void ptrace_helper(int sock, pid_t prober) __attribute__((noreturn));
static void ptrace_helper(int sock, pid_t prober)
{
	struct sigaction dfl;
	sigset_t chld;
	struct sb_features mine;
	struct ptrace_verdict v;

	child_tie_to_parent(prober);
	/* the tracee's stops must reach our waitpid(), whatever the program
	 * does with SIGCHLD (our copy of its handler would reap them) */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	/* blocked, so that wait_until() can sleep in sigtimedwait() */
	if (sigaction(SIGCHLD, &dfl, NULL) < 0 ||
	    sigprocmask(SIG_BLOCK, &chld, NULL) < 0)
		_exit(CHILD_SETUP);
	sb_features_init(&mine);
	v.err = ptrace_direct(&mine);
	v.seccomp = mine.state[SB_F_PTRACE_SECCOMP];
	v.exitkill = mine.state[SB_F_PTRACE_EXITKILL];
	_exit(send(sock, &v, sizeof(v), MSG_NOSIGNAL) == (ssize_t)sizeof(v) ?
	      CHILD_OK : CHILD_SETUP);
}

/*
 * The tracer is a helper process, not the caller: in the caller, a SIGCHLD
 * handler of the program that reaps with waitpid(-1) would take the
 * tracee's stops, and the probe would wait for nothing.
 */
static int probe_ptrace(struct sb_features *fs, enum sb_feature f)
{
	struct ptrace_verdict v;
	pid_t prober = getpid();
	int sv[2] = { -1, -1 };
	int r, fd = -1;

	(void)f;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return neg_errno();
	autoclose int sock = sv[0];
	autoclose int helper_sock = sv[1];

	autoreap pid_t helper = fork();
	if (helper < 0)
		return neg_errno();
	if (helper == 0)
		ptrace_helper(helper_sock, prober);
	close(steal_fd(&helper_sock));

	/* the helper bounds its own waits: allow for them */
	struct pollfd pfd = { .fd = sock, .events = POLLIN };

	r = poll_until(&pfd, 1, now_ms() + PROBE_TIMEOUT_MS + 1000);
	if (r < 0)
		return r;
	r = recv_with_fd(sock, &v, sizeof(v), &fd);
	if (fd >= 0)
		close(fd);
	if (r < 0)
		return r;
	if (v.seccomp != SB_UNKNOWN)
		sb_features_set_probed(fs, SB_F_PTRACE_SECCOMP,
				       v.seccomp == SB_YES);
	if (v.exitkill != SB_UNKNOWN)
		sb_features_set_probed(fs, SB_F_PTRACE_EXITKILL,
				       v.exitkill == SB_YES);
	return v.err;
}

/* -------------------------------------------------------------------------
 * pidfds
 */

static int probe_pidfd(struct sb_features *fs, enum sb_feature f)
{
	(void)f;
	autoclose int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);

	if (pidfd < 0) {
		int err = neg_errno();

		if (is_transient(err))
			return err;
		/* ENOSYS before 5.3; pidfd_getfd (5.6) needs a pidfd */
		sb_features_set_probed(fs, SB_F_PIDFD_OPEN, false);
		sb_features_set_probed(fs, SB_F_PIDFD_GETFD, false);
		return 0;
	}
	sb_features_set_probed(fs, SB_F_PIDFD_OPEN, true);

	autoclose int copy = (int)syscall(SYS_pidfd_getfd, pidfd, pidfd, 0);
	int err = copy < 0 ? neg_errno() : 0;

	if (is_transient(err))
		return err;
	/*
	 * EPERM cannot come from the ptrace access check on ourselves, only
	 * from a policy; the call exists, and the supervisor must handle
	 * EPERM per target anyway (its access check differs per target).
	 */
	sb_features_set_probed(fs, SB_F_PIDFD_GETFD,
			       copy >= 0 || err == -EPERM);
	return 0;
}

/* -------------------------------------------------------------------------
 * The table and the entry points
 */

typedef int (*probe_fn)(struct sb_features *fs, enum sb_feature f);

enum probe_group {
	G_NONE = 0, /* the function sets only the feature it is given */
	G_HUGETLB,
	G_NOTIF,
	G_PTRACE,
	G_PIDFD,
	G_COUNT
};

static const struct {
	probe_fn run;
	enum probe_group group;
} probe_table[SB_F_COUNT] = {
	[SB_F_MEMFD_CREATE] = { probe_memfd_create, G_NONE },
	[SB_F_MFD_CLOEXEC] = { probe_mfd_flag, G_NONE },
	[SB_F_MFD_ALLOW_SEALING] = { probe_mfd_flag, G_NONE },
	[SB_F_MFD_HUGETLB] = { probe_hugetlb, G_HUGETLB },
	[SB_F_MFD_NOEXEC_SEAL] = { probe_mfd_flag, G_NONE },
	[SB_F_MFD_EXEC] = { probe_mfd_flag, G_NONE },
	[SB_F_SEAL_SEAL] = { probe_seal, G_NONE },
	[SB_F_SEAL_SHRINK] = { probe_seal, G_NONE },
	[SB_F_SEAL_GROW] = { probe_seal, G_NONE },
	[SB_F_SEAL_WRITE] = { probe_seal, G_NONE },
	[SB_F_SEAL_FUTURE_WRITE] = { probe_seal, G_NONE },
	[SB_F_SEAL_EXEC] = { probe_seal, G_NONE },
	[SB_F_HUGETLB_SEALING] = { probe_hugetlb, G_HUGETLB },
	[SB_F_MEMFD_NOEXEC_SYSCTL] = { probe_memfd_noexec_sysctl, G_NONE },
	[SB_F_SEALS_ARG_INT] = { probe_seals_arg_int, G_NONE },
	[SB_F_MAP_RO_UNDER_WRITE] = { probe_map_ro_under_write, G_NONE },
	[SB_F_O_TMPFILE] = { probe_o_tmpfile, G_NONE },
	[SB_F_SECCOMP_FILTER] = { probe_seccomp_filter, G_NONE },
	[SB_F_SECCOMP_USER_NOTIF] = { probe_notif, G_NOTIF },
	[SB_F_USER_NOTIF_CONTINUE] = { probe_notif, G_NOTIF },
	[SB_F_USER_NOTIF_ADDFD] = { probe_notif, G_NOTIF },
	[SB_F_ADDFD_SEND] = { probe_notif, G_NOTIF },
	[SB_F_WAIT_KILLABLE_RECV] = { probe_notif, G_NOTIF },
	[SB_F_SYNC_WAKE_UP] = { probe_notif, G_NOTIF },
	[SB_F_PIDFD_OPEN] = { probe_pidfd, G_PIDFD },
	[SB_F_PIDFD_GETFD] = { probe_pidfd, G_PIDFD },
	[SB_F_PTRACE_SECCOMP] = { probe_ptrace, G_PTRACE },
	[SB_F_PTRACE_EXITKILL] = { probe_ptrace, G_PTRACE },
};

int sb_probe_one(struct sb_features *fs, enum sb_feature f)
{
	if ((unsigned)f >= SB_F_COUNT || !probe_table[f].run)
		return -EINVAL;
	return probe_table[f].run(fs, f);
}

int sb_probe_all(struct sb_features *fs)
{
	bool group_ran[G_COUNT] = { false };
	int first_err = 0;

	for (size_t i = 0; i < SB_F_COUNT; i++) {
		enum sb_feature f = (enum sb_feature)i;
		enum probe_group g = probe_table[f].group;
		int r;

		if (fs->state[f] != SB_UNKNOWN)
			continue;
		/* a group that failed once would fail (and wait) again */
		if (g != G_NONE && group_ran[g])
			continue;
		group_ran[g] = true;
		r = sb_probe_one(fs, f);
		if (r < 0 && first_err == 0)
			first_err = r;
	}
	if (fs->memfd_noexec < 0) {
		int v = sb_probe_memfd_noexec();

		if (v >= 0)
			fs->memfd_noexec = v;
	}
	return first_err;
}

/* -------------------------------------------------------------------------
 * The process-wide cache
 */

static struct sb_features cached_features;
static pthread_once_t cached_once = PTHREAD_ONCE_INIT;
/*
 * Set while this thread fills the cache. The preload shim's interposers may
 * be reached from inside the probes (libc calls such as close or mmap); a
 * nested sb_features_cached() must not wait on the pthread_once it is
 * running under (a deadlock), so it gets the partly filled cache, in which
 * features not yet probed read as absent.
 */
static _Thread_local bool cached_filling;

/* SEALBOX_FEATURES as the CLI reads it, but a bad entry is skipped rather
 * than fatal: a library has no one to report it to. */
static void apply_env_overrides(struct sb_features *fs, const char *spec)
{
	const char *p = spec;

	while (p && *p) {
		const char *bad = NULL;
		size_t bad_len = 0;

		if (sb_features_override(fs, p, &bad, &bad_len) == 0 || !bad)
			break;
		/* what came before the bad entry is applied already */
		p = bad + bad_len;
		if (*p == ',')
			p++;
	}
}

static void cached_fill(void)
{
	cached_filling = true;
	sb_features_init(&cached_features);
	/* secure_getenv: a set-id program's invoker must not be able to
	 * force features on */
	apply_env_overrides(&cached_features, secure_getenv("SEALBOX_FEATURES"));
	/* a prober failure leaves some features unknown, read as absent: the
	 * safe side, since absent means emulated */
	(void)sb_probe_all(&cached_features);
	cached_filling = false;
}

const struct sb_features *sb_features_cached(void)
{
	if (cached_filling)
		return &cached_features;
	pthread_once(&cached_once, cached_fill);
	return &cached_features;
}
