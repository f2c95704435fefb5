/* SPDX-License-Identifier: MIT */
/*
 * memfd_ops: microbenchmarks of the calls sealbox emulates, and of the raw
 * seccomp user-notification round trip they are measured against.
 *
 *   memfd_ops MODE [-n N] [--poll] [--pin=same|split]
 *
 * Call loops (run natively, or under `sealbox run`, to compare):
 *   create         memfd_create(MFD_CLOEXEC|MFD_ALLOW_SEALING) + close;
 *                  with MEMFD_OPS_CREATE=unlinked in the environment, the
 *                  kernel calls alone of a tmpfs store that stands in for
 *                  it: open(O_CREAT|O_EXCL) + unlink + fstat + close in
 *                  MEMFD_OPS_DIR (default /dev/shm); =tmpfile: open
 *                  (O_TMPFILE) + fstat + close (the floor of the preload
 *                  shim's stores, bench-preload.sh)
 *   add_seals      F_ADD_SEALS(F_SEAL_SHRINK|F_SEAL_GROW) on one memfd
 *                  (adding seals already held succeeds and does the work)
 *   get_seals      F_GET_SEALS on one memfd
 *   refused_write  write(64 B) to an F_SEAL_WRITE memfd: EPERM every time
 *   write1m        pwrite(1 MiB, offset 0) to an unsealed memfd
 *   write64        pwrite(64 B, offset 0) to an unsealed memfd
 *   seal_write     memfd_create + F_ADD_SEALS(F_SEAL_WRITE) + close
 *                  (the EBUSY rule: the one seal that looks at mappings)
 *
 * The supervisor's side of a check, each call alone (run natively: what
 * sealbox must pay per emulated call on an fd, whatever it does):
 *   fetch          pidfd_getfd + close of another process's memfd (how a
 *                  supervisor gets the open file behind a caller's fd)
 *   kcmp           kcmp(KCMP_FILE) of that memfd against our own copy (the
 *                  cheapest way to tell a kept copy is still the caller's)
 *   statx          statx(AT_EMPTY_PATH) of a memfd, birth time included
 *                  (size, mode, and the inode's identity)
 *   getfl          fcntl(F_GETFL) (the open mode, O_APPEND, O_PATH)
 *
 * The baseline, measured by this program itself without sealbox:
 *   raw            a child's getppid() goes to a listener
 *                  (SECCOMP_FILTER_FLAG_NEW_LISTENER) and the parent
 *                  answers with a plain reply (NOTIF_RECV + NOTIF_SEND)
 *   raw-sync       the same with SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP set
 *                  on the listener (SECCOMP_IOCTL_NOTIF_SET_FLAGS, 6.6+)
 *   --poll         the parent waits in poll() before each NOTIF_RECV, as
 *                  an event loop does (sealbox's does)
 *   --pin=same     parent and child on CPU 0; --pin=split: parent on CPU
 *                  0, child on CPU 1 (every wake-up crosses CPUs)
 *
 * Each mode checks every result (a wrong answer stops the run with status
 * 1), warms up with N/10 calls, then prints one line:
 *   "PER_OP_NS ns/op N ops TOTAL_NS ns"
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/kcmp.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kcompat.h"

#define MIB (1024 * 1024)

static char *big; /* 1 MiB of data to write */

__attribute__((noreturn, format(printf, 1, 2)))
static void die(const char *fmt, ...);

static void die(const char *fmt, ...)
{
	va_list ap;
	int err = errno;

	fputs("memfd_ops: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int sys_memfd_create(const char *name, unsigned int flags)
{
	return (int)syscall(SYS_memfd_create, name, flags);
}

static int new_memfd(void)
{
	int fd = sys_memfd_create("bench", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0)
		die("memfd_create");
	return fd;
}

/* ---- the call loops ------------------------------------------------------ */

static int store_dir = -1; /* MEMFD_OPS_CREATE: the store's directory */
static bool store_tmpfile;

static void op_create(int fd, uint64_t i)
{
	struct stat st;

	(void)i;
	if (store_dir < 0) {
		fd = new_memfd();
	} else if (store_tmpfile) {
		fd = openat(store_dir, ".", O_RDWR | O_TMPFILE | O_CLOEXEC,
			    0777);
		if (fd < 0 || fstat(fd, &st) < 0)
			die("open(O_TMPFILE) + fstat");
	} else {
		fd = openat(store_dir, "memfd:bench",
			    O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0777);
		if (fd < 0 || unlinkat(store_dir, "memfd:bench", 0) < 0 ||
		    fstat(fd, &st) < 0)
			die("open(O_CREAT|O_EXCL) + unlink + fstat");
	}
	close(fd);
}

/* MEMFD_OPS_CREATE=unlinked|tmpfile: create times a store's calls */
static int setup_create(void)
{
	const char *how = getenv("MEMFD_OPS_CREATE");
	const char *dir = getenv("MEMFD_OPS_DIR");

	if (!how || !*how)
		return -1;
	if (strcmp(how, "unlinked") != 0 && strcmp(how, "tmpfile") != 0)
		die("MEMFD_OPS_CREATE=%s: not unlinked or tmpfile", how);
	if (!dir || !*dir)
		dir = "/dev/shm";
	store_tmpfile = strcmp(how, "tmpfile") == 0;
	store_dir = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (store_dir < 0)
		die("open %s", dir);
	return -1;
}

static void op_add_seals(int fd, uint64_t i)
{
	(void)i;
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) != 0)
		die("F_ADD_SEALS");
}

static void op_get_seals(int fd, uint64_t i)
{
	(void)i;
	if (fcntl(fd, F_GET_SEALS) != F_SEAL_GROW)
		die("F_GET_SEALS: not F_SEAL_GROW");
}

static void op_refused_write(int fd, uint64_t i)
{
	(void)i;
	errno = 0;
	if (write(fd, big, 64) != -1 || errno != EPERM)
		die("write to an F_SEAL_WRITE memfd: expected EPERM");
}

static void op_write1m(int fd, uint64_t i)
{
	(void)i;
	if (pwrite(fd, big, MIB, 0) != MIB)
		die("pwrite 1 MiB");
}

static void op_write64(int fd, uint64_t i)
{
	(void)i;
	if (pwrite(fd, big, 64, 0) != 64)
		die("pwrite 64 B");
}

static void op_seal_write(int fd, uint64_t i)
{
	(void)i;
	fd = new_memfd();
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE) != 0)
		die("F_ADD_SEALS(F_SEAL_WRITE)");
	close(fd);
}

/* ---- the supervisor's side: a peer holds the memfd ------------------- */

static pid_t peer = -1;
static int peer_pidfd = -1;

static void kill_peer(void)
{
	if (peer > 0) {
		kill(peer, SIGKILL);
		waitpid(peer, NULL, 0);
	}
	peer = -1;
}

static void op_fetch(int fd, uint64_t i)
{
	int got = (int)syscall(SYS_pidfd_getfd, peer_pidfd, fd, 0);

	(void)i;
	if (got < 0)
		die("pidfd_getfd");
	close(got);
}

static void op_kcmp(int fd, uint64_t i)
{
	(void)i;
	if (syscall(SYS_kcmp, getpid(), peer, KCMP_FILE, fd, fd) != 0)
		die("kcmp(KCMP_FILE): not the same file");
}

static void op_statx(int fd, uint64_t i)
{
	struct statx sx;

	(void)i;
	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_BTIME,
		  &sx) != 0)
		die("statx");
}

static void op_getfl(int fd, uint64_t i)
{
	(void)i;
	if ((fcntl(fd, F_GETFL) & O_ACCMODE) != O_RDWR)
		die("F_GETFL: not O_RDWR");
}

/* setup: the memfd each loop works on */
static int setup_none(void)
{
	return -1;
}

static int setup_plain(void)
{
	return new_memfd();
}

static int setup_grow_sealed(void)
{
	int fd = new_memfd();

	if (fcntl(fd, F_ADD_SEALS, F_SEAL_GROW) != 0)
		die("F_ADD_SEALS(F_SEAL_GROW)");
	return fd;
}

static int setup_write_sealed(void)
{
	int fd = new_memfd();

	if (ftruncate(fd, 4096) != 0)
		die("ftruncate");
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE) != 0)
		die("F_ADD_SEALS(F_SEAL_WRITE)");
	return fd;
}

static int setup_sized(void)
{
	int fd = new_memfd();

	/* allocate the pages once: later writes overwrite, never grow */
	if (pwrite(fd, big, MIB, 0) != MIB)
		die("pwrite 1 MiB");
	return fd;
}

/* a memfd that a child holds too (fork), and a pidfd of that child */
static int setup_peer(void)
{
	int fd = new_memfd();

	peer = fork();
	if (peer < 0)
		die("fork");
	if (peer == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		pause();
		_exit(0);
	}
	atexit(kill_peer);
	peer_pidfd = (int)syscall(SYS_pidfd_open, peer, 0);
	if (peer_pidfd < 0)
		die("pidfd_open");
	return fd;
}

struct loop {
	const char *name;
	int (*setup)(void);
	void (*op)(int fd, uint64_t i);
	uint64_t default_n;
};

static const struct loop loops[] = {
	{ "create", setup_create, op_create, 20000 },
	{ "add_seals", setup_plain, op_add_seals, 20000 },
	{ "get_seals", setup_grow_sealed, op_get_seals, 20000 },
	{ "refused_write", setup_write_sealed, op_refused_write, 20000 },
	{ "write1m", setup_sized, op_write1m, 1000 },
	{ "write64", setup_sized, op_write64, 20000 },
	{ "seal_write", setup_none, op_seal_write, 5000 },
	{ "fetch", setup_peer, op_fetch, 20000 },
	{ "kcmp", setup_peer, op_kcmp, 20000 },
	{ "statx", setup_plain, op_statx, 20000 },
	{ "getfl", setup_plain, op_getfl, 20000 },
};

static void report(uint64_t n, uint64_t ns)
{
	printf("%.1f ns/op %llu ops %llu ns\n", (double)ns / (double)n,
	       (unsigned long long)n, (unsigned long long)ns);
	fflush(stdout);
}

static void run_loop(const struct loop *l, uint64_t n)
{
	int fd = l->setup();
	uint64_t warm = n / 10 ? n / 10 : 1, t0, t1;

	for (uint64_t i = 0; i < warm; i++)
		l->op(fd, i);
	t0 = now_ns();
	for (uint64_t i = 0; i < n; i++)
		l->op(fd, i);
	t1 = now_ns();
	if (fd >= 0)
		close(fd);
	report(n, t1 - t0);
}

/* ---- the raw user-notification round trip ----------------------------- */

static void pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		die("sched_setaffinity(%d)", cpu);
}

static int send_fd(int sock, int fd)
{
	char byte = 'L';
	struct iovec iov = { &byte, 1 };
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
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char byte;
	struct iovec iov = { &byte, 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg;
	struct cmsghdr *cm;
	int fd;

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/*
 * getppid goes to the listener, everything else is allowed. No arch
 * check: this filter only has to be fast and right for this program.
 */
static int install_listener(void)
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct sb_seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, 0x7fff0000U /* ALLOW */),
	};
	struct sock_fprog prog = { sizeof(insns) / sizeof(insns[0]), insns };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			    SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
}

/* the supervised child: getppid warm + n times, then the timing */
__attribute__((noreturn)) static void raw_child(int sock, uint64_t warm,
						uint64_t n, int cpu)
{
	int listener;
	uint64_t t0, t1, ns;
	char go;
	pid_t parent = getppid();

	if (cpu >= 0)
		pin_to(cpu);
	listener = install_listener();
	if (listener < 0 || send_fd(sock, listener) < 0)
		_exit(3);
	close(listener);
	if (read(sock, &go, 1) != 1)
		_exit(3);
	for (uint64_t i = 0; i < warm; i++)
		if (getppid() != parent)
			_exit(4);
	t0 = now_ns();
	for (uint64_t i = 0; i < n; i++)
		if (getppid() != parent)
			_exit(4);
	t1 = now_ns();
	ns = t1 - t0;
	if (write(sock, &ns, sizeof(ns)) != (ssize_t)sizeof(ns))
		_exit(3);
	_exit(0);
}

static void run_raw(bool sync_wake, bool use_poll, const char *pin,
		    uint64_t n)
{
	struct sb_notif_sizes sizes;
	size_t req_size, resp_size;
	struct sb_notif *req;
	struct sb_notif_resp *resp;
	uint64_t warm = n / 10 ? n / 10 : 1, ns = 0;
	int sock[2], listener, status, child_cpu = -1;
	pid_t child;

	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
		die("SECCOMP_GET_NOTIF_SIZES");
	req_size = sizes.seccomp_notif > sizeof(*req) ? sizes.seccomp_notif :
		   sizeof(*req);
	resp_size = sizes.seccomp_notif_resp > sizeof(*resp) ?
		    sizes.seccomp_notif_resp : sizeof(*resp);
	req = calloc(1, req_size);
	resp = calloc(1, resp_size);
	if (!req || !resp)
		die("calloc");
	if (pin && strcmp(pin, "same") == 0) {
		pin_to(0);
	} else if (pin && strcmp(pin, "split") == 0) {
		pin_to(0);
		child_cpu = 1;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock) < 0)
		die("socketpair");
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		close(sock[0]);
		raw_child(sock[1], warm, n, child_cpu);
	}
	close(sock[1]);
	listener = recv_fd(sock[0]);
	if (listener < 0) {
		kill(child, SIGKILL);
		die("no listener from the child (seccomp user notification)");
	}
	if (sync_wake) {
		uint64_t fl = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;

		if (ioctl(listener, SB_IOCTL_NOTIF_SET_FLAGS, fl) < 0) {
			kill(child, SIGKILL);
			die("SECCOMP_IOCTL_NOTIF_SET_FLAGS(SYNC_WAKE_UP)");
		}
	}
	if (write(sock[0], "g", 1) != 1)
		die("write");
	for (uint64_t i = 0; i < warm + n; i++) {
		if (use_poll) {
			struct pollfd p = { listener, POLLIN, 0 };

			if (poll(&p, 1, -1) != 1 || !(p.revents & POLLIN))
				die("poll on the listener");
		}
		memset(req, 0, req_size);
		if (ioctl(listener, SB_IOCTL_NOTIF_RECV, req) < 0)
			die("SECCOMP_IOCTL_NOTIF_RECV");
		memset(resp, 0, resp_size);
		resp->id = req->id;
		resp->val = getpid();
		if (ioctl(listener, SB_IOCTL_NOTIF_SEND, resp) < 0)
			die("SECCOMP_IOCTL_NOTIF_SEND");
	}
	if (read(sock[0], &ns, sizeof(ns)) != (ssize_t)sizeof(ns))
		die("no timing from the child");
	if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		die("child failed (status 0x%x)", status);
	close(listener);
	close(sock[0]);
	free(req);
	free(resp);
	report(n, ns);
}

/* ---- the command line ------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr, "usage: memfd_ops MODE [-n N] [--poll] "
		"[--pin=same|split]\nmodes:");
	for (size_t i = 0; i < sizeof(loops) / sizeof(loops[0]); i++)
		fprintf(stderr, " %s", loops[i].name);
	fprintf(stderr, " raw raw-sync\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *mode, *pin = NULL;
	uint64_t n = 0;
	bool use_poll = false;

	if (argc < 2)
		usage();
	mode = argv[1];
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
			char *end = NULL;

			n = strtoull(argv[++i], &end, 10);
			if (!end || *end || n == 0)
				usage();
		} else if (strcmp(argv[i], "--poll") == 0) {
			use_poll = true;
		} else if (strncmp(argv[i], "--pin=", 6) == 0) {
			pin = argv[i] + 6;
			if (strcmp(pin, "same") != 0 && strcmp(pin, "split") != 0)
				usage();
		} else {
			usage();
		}
	}
	big = malloc(MIB);
	if (!big)
		die("malloc");
	memset(big, 'b', MIB);

	if (strcmp(mode, "raw") == 0 || strcmp(mode, "raw-sync") == 0) {
		run_raw(strcmp(mode, "raw-sync") == 0, use_poll, pin,
			n ? n : 20000);
		return 0;
	}
	if (use_poll)
		usage();
	if (pin) {
		if (strcmp(pin, "same") != 0)
			usage();
		pin_to(0);
	}
	for (size_t i = 0; i < sizeof(loops) / sizeof(loops[0]); i++)
		if (strcmp(mode, loops[i].name) == 0) {
			run_loop(&loops[i], n ? n : loops[i].default_n);
			return 0;
		}
	usage();
}
