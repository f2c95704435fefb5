/* SPDX-License-Identifier: MIT */
/*
 * ptrace-cases: small programs that exercise a sealbox transport the way
 * real programs do (threads, forks, signals, stops, fd juggling), for
 * tests/helpers/test-ptrace.sh. Each case prints one line per check, the
 * same natively and under sealbox when sealbox is right, and exits 0 when
 * every check it can judge by itself passed.
 *
 *   ptrace-cases memfd        memfd_create, seals, writes, truncate, mmap
 *   ptrace-cases dup          dup family and shared file offsets
 *   ptrace-cases threads N    N threads writing one memfd, then sealed
 *   ptrace-cases fork         fork, SCM_RIGHTS and exec with a sealed memfd
 *   ptrace-cases thread-exec  a thread execs (exit 9) while others are in
 *                             intercepted calls
 *   ptrace-cases child-stop   a child stops (SIGSTOP), its parent sees it
 *   ptrace-cases self-stop    stop ourselves; someone else continues us
 *   ptrace-cases signals      a timer signal storm during memfd calls
 *   ptrace-cases closefds     close every fd >= 3, then use memfds
 *   ptrace-cases lowstack     intercepted calls from a thread with ~200
 *                             bytes of stack left above a guard page
 *   ptrace-cases bench N      time emulated calls (us per call)
 *   ptrace-cases rawtrace N [spin]   time a bare ptrace stop-and-rewrite round
 *                             trip (spin: the tracer polls with WNOHANG
 *                             instead of sleeping in waitpid)
 *   ptrace-cases check-seals FD WANT   (used by the fork case after exec)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <alloca.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
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
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#define MFD_ALLOW_SEALING 0x0002U
#endif
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_GET_SEALS 1034
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

static int failures;

/* "name: value" where value is a number or an errno name */
static const char *ename(long r)
{
	static char buf[32];

	if (r >= 0) {
		snprintf(buf, sizeof(buf), "%ld", r);
		return buf;
	}
	switch (-r) {
	case EPERM: return "EPERM";
	case EINVAL: return "EINVAL";
	case EBADF: return "EBADF";
	case EBUSY: return "EBUSY";
	case EACCES: return "EACCES";
	case ENOSYS: return "ENOSYS";
	case EFAULT: return "EFAULT";
	case EMFILE: return "EMFILE";
	case ENOENT: return "ENOENT";
	case ESPIPE: return "ESPIPE";
	default:
		snprintf(buf, sizeof(buf), "errno%ld", -r);
		return buf;
	}
}

static void check(const char *what, long got, long want)
{
	printf("%s: %s", what, ename(got));
	if (got != want) {
		printf("  FAIL (want %s)", ename(want));
		failures++;
	}
	printf("\n");
	fflush(stdout);
}

/* evaluate once: -errno on failure */
#define R(expr) ({ long r_ = (long)(expr); r_ < 0 ? -(long)errno : r_; })

static int mfd(const char *name, unsigned int flags)
{
	return (int)syscall(SYS_memfd_create, name, flags);
}

static long mfd_r(const char *name, unsigned int flags)
{
	long r = syscall(SYS_memfd_create, name, flags);

	if (r >= 0) {
		close((int)r);
		return 0;
	}
	return -(long)errno;
}

static long seals(int fd)
{
	return R(fcntl(fd, F_GET_SEALS));
}

static long add(int fd, int s)
{
	return R(fcntl(fd, F_ADD_SEALS, s));
}

/* ---- memfd ------------------------------------------------------------- */

static int case_memfd(void)
{
	char buf[8192], link[256], path[64], name[300];
	int fd, fd2, p[2];
	void *map;
	struct stat st;
	ssize_t n;

	fd = mfd("test", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	check("memfd_create", fd >= 0 ? 0 : -errno, 0);
	if (fd < 0)
		return 1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	printf("readlink: %s\n", link);
	if (strcmp(link, "/memfd:test (deleted)") != 0)
		failures++;
	check("cloexec", fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	check("F_GET_SEALS new", seals(fd), 0);
	fstat(fd, &st);
	check("mode", st.st_mode & 07777, 0777);
	memset(buf, 'a', sizeof(buf));
	check("write 4096", R(write(fd, buf, 4096)), 4096);
	check("lseek cur", R(lseek(fd, 0, SEEK_CUR)), 4096);
	check("ftruncate 8192", R(ftruncate(fd, 8192)), 0);
	fstat(fd, &st);
	check("size", st.st_size, 8192);
	map = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	check("mmap shared rw", map == MAP_FAILED ? -errno : 0, 0);
	if (map != MAP_FAILED) {
		memcpy((char *)map + 100, "hello", 5);
		check("pread via map", R(pread(fd, buf, 5, 100)), 5);
		check("content", memcmp(buf, "hello", 5), 0);
		check("F_SEAL_WRITE while mapped", add(fd, F_SEAL_WRITE),
		      -EBUSY);
		munmap(map, 8192);
	}
	check("F_SEAL_WRITE", add(fd, F_SEAL_WRITE), 0);
	check("write sealed", R(write(fd, "x", 1)), -EPERM);
	check("pwrite sealed", R(pwrite(fd, "x", 1, 0)), -EPERM);
	check("write 0 sealed", R(write(fd, "", 0)), 0);
	map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	check("mmap shared rw sealed", map == MAP_FAILED ? -errno : 0, -EPERM);
	map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	check("mmap private rw sealed", map == MAP_FAILED ? -errno : 0, 0);
	if (map != MAP_FAILED)
		munmap(map, 4096);
	check("ftruncate shrink", R(ftruncate(fd, 4096)), 0);
	check("F_SEAL_SHRINK|GROW", add(fd, F_SEAL_SHRINK | F_SEAL_GROW), 0);
	check("ftruncate 100", R(ftruncate(fd, 100)), -EPERM);
	check("ftruncate 9000", R(ftruncate(fd, 9000)), -EPERM);
	check("ftruncate same", R(ftruncate(fd, 4096)), 0);
	check("F_SEAL_SEAL", add(fd, F_SEAL_SEAL), 0);
	check("add after SEAL", add(fd, F_SEAL_GROW), -EPERM);
	check("F_GET_SEALS", seals(fd), 0xf);
	/* another open of the same inode sees the same seals */
	fd2 = open(path, O_RDWR);
	check("reopen rw", fd2 >= 0 ? 0 : -errno, 0);
	if (fd2 >= 0) {
		check("reopen seals", seals(fd2), 0xf);
		check("reopen write", R(write(fd2, "x", 1)), -EPERM);
		close(fd2);
	}
	close(fd);

	/* GROW makes writes short at the end of the file */
	fd = mfd("grow", MFD_ALLOW_SEALING);
	check("ftruncate 4096", R(ftruncate(fd, 4096)), 0);
	check("F_SEAL_GROW", add(fd, F_SEAL_GROW), 0);
	check("pwrite straddling EOF", R(pwrite(fd, buf, 200, 4000)), 96);
	check("pwrite past EOF", R(pwrite(fd, buf, 10, 4096)), -EPERM);
	check("fallocate keep-size past EOF",
	      R(fallocate(fd, FALLOC_FL_KEEP_SIZE, 4096, 4096)), -EPERM);
	close(fd);

	/* FUTURE_WRITE: no new writable mappings, no writes */
	fd = mfd("fw", MFD_ALLOW_SEALING);
	check("ftruncate fw", R(ftruncate(fd, 4096)), 0);
	check("F_SEAL_FUTURE_WRITE", add(fd, F_SEAL_FUTURE_WRITE), 0);
	check("write fw", R(write(fd, "x", 1)), -EPERM);
	map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	check("mmap shared ro fw", map == MAP_FAILED ? -errno : 0, 0);
	if (map != MAP_FAILED) {
		check("mprotect +w fw", R(mprotect(map, 4096,
					   PROT_READ | PROT_WRITE)), -EACCES);
		munmap(map, 4096);
	}
	close(fd);

	/* without MFD_ALLOW_SEALING the file is born sealed */
	fd = mfd("nosealing", 0);
	check("F_GET_SEALS no-sealing", seals(fd), F_SEAL_SEAL);
	check("F_ADD_SEALS no-sealing", add(fd, F_SEAL_WRITE), -EPERM);
	check("cloexec off", fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	close(fd);

	/* MFD_NOEXEC_SEAL (6.3+) */
	fd = mfd("noexec", MFD_NOEXEC_SEAL);
	check("noexec seals", seals(fd), F_SEAL_EXEC);
	fstat(fd, &st);
	check("noexec mode", st.st_mode & 07777, 0666);
	check("fchmod +x noexec", R(fchmod(fd, 0777)), -EPERM);
	close(fd);

	/* names and flags */
	memset(name, 'n', sizeof(name));
	name[249] = '\0';
	check("name 249", mfd_r(name, 0), 0);
	name[249] = 'n';
	name[250] = '\0';
	check("name 250", mfd_r(name, 0), -EINVAL);
	check("bad flag", mfd_r("x", 0x100), -EINVAL);
	check("name NULL", mfd_r(NULL, 0), -EFAULT);

	/* F_ADD_SEALS on a pipe */
	if (pipe(p) == 0) {
		check("pipe read end", add(p[0], F_SEAL_WRITE), -EPERM);
		check("pipe write end", add(p[1], F_SEAL_WRITE), -EINVAL);
		close(p[0]);
		close(p[1]);
	}
	/* read-only reopen cannot add seals */
	fd = mfd("ro", MFD_ALLOW_SEALING);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	fd2 = open(path, O_RDONLY);
	check("seal via O_RDONLY", add(fd2, F_SEAL_WRITE), -EPERM);
	check("unknown seal bit", add(fd, 0x100), -EINVAL);
	close(fd2);
	close(fd);
	return failures ? 1 : 0;
}

/* ---- dup --------------------------------------------------------------- */

static int case_dup(void)
{
	int fd = mfd("dup", MFD_ALLOW_SEALING), d1, d2, d3;
	char c;

	check("write", R(write(fd, "0123456789", 10)), 10);
	d1 = dup(fd);
	check("dup", d1 >= 0 ? 0 : -errno, 0);
	check("dup offset shared", R(lseek(d1, 0, SEEK_CUR)), 10);
	check("lseek via dup", R(lseek(d1, 2, SEEK_SET)), 2);
	check("offset moved", R(lseek(fd, 0, SEEK_CUR)), 2);
	check("read via orig", R(read(fd, &c, 1)), 1);
	check("byte", c, '2');
	d2 = fcntl(fd, F_DUPFD_CLOEXEC, 10);
	check("F_DUPFD_CLOEXEC >= 10", d2 >= 10 ? 0 : -1, 0);
	check("dupfd cloexec", fcntl(d2, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	check("dupfd offset", R(lseek(d2, 0, SEEK_CUR)), 3);
	d3 = dup3(fd, 200, O_CLOEXEC);
	check("dup3 to 200", d3, 200);
	check("dup3 cloexec", fcntl(d3, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	check("dup2 to 201", R(dup2(fd, 201)), 201);
	check("dup2 cloexec", fcntl(201, F_GETFD) & FD_CLOEXEC, 0);
	check("dup2 same is fd", R(dup2(fd, fd)) == fd ? 0 : -1, 0);
	check("dup3 same", R(dup3(fd, fd, 0)), -EINVAL);
	check("seal via dup", add(d1, F_SEAL_WRITE), 0);
	check("seals via orig", seals(fd), F_SEAL_WRITE);
	check("write via 201", R(write(201, "x", 1)), -EPERM);
	check("write via 200", R(write(200, "x", 1)), -EPERM);
	check("write via dupfd", R(write(d2, "x", 1)), -EPERM);
	check("dup bad fd", R(dup(9999)), -EBADF);
	return failures ? 1 : 0;
}

/* ---- threads ----------------------------------------------------------- */

struct worker {
	int fd;
	int idx;
	int iters;
	int errors;
	int eperm;
	long first_error; /* what the first failed write gave */
};

static volatile int sealed_now;
static int writers_done; /* workers past their first loop (atomic) */

static void *writer(void *arg)
{
	struct worker *w = arg;
	char block[64];

	memset(block, 'A' + w->idx, sizeof(block));
	for (int i = 0; i < w->iters; i++) {
		off_t at = (off_t)(w->idx * w->iters + i) * 64;
		ssize_t n = pwrite(w->fd, block, sizeof(block), at);

		if (n != (ssize_t)sizeof(block) && w->errors++ == 0)
			w->first_error = n < 0 ? -errno : n;
	}
	__atomic_add_fetch(&writers_done, 1, __ATOMIC_RELEASE);
	while (!sealed_now)
		usleep(1000);
	for (int i = 0; i < 10; i++)
		if (pwrite(w->fd, block, 1, 0) < 0 && errno == EPERM)
			w->eperm++;
	return NULL;
}

static int case_threads(int nthreads)
{
	int fd = mfd("threads", MFD_ALLOW_SEALING);
	int iters = 200, errors = 0, eperm = 0, bad = 0;
	pthread_t tid[64];
	struct worker w[64];
	char *all;
	size_t size;

	if (nthreads > 64)
		nthreads = 64;
	for (int i = 0; i < nthreads; i++) {
		w[i] = (struct worker){ fd, i, iters, 0, 0, 0 };
		pthread_create(&tid[i], NULL, writer, &w[i]);
	}
	/* the main thread works too: truncate and seal races */
	for (int i = 0; i < 50; i++)
		(void)seals(fd);
	usleep(200000);
	size = (size_t)nthreads * (size_t)iters * 64;
	/* wait until every block was written before sealing (the size is
	 * complete as soon as the last thread's blocks are: not enough) */
	for (int spins = 0; spins < 6000; spins++) {
		if (__atomic_load_n(&writers_done, __ATOMIC_ACQUIRE) >=
		    nthreads)
			break;
		usleep(10000);
	}
	check("seal write", add(fd, F_SEAL_WRITE), 0);
	sealed_now = 1;
	for (int i = 0; i < nthreads; i++) {
		pthread_join(tid[i], NULL);
		errors += w[i].errors;
		eperm += w[i].eperm;
	}
	all = malloc(size);
	check("read back", R(pread(fd, all, size, 0)), (long)size);
	for (int i = 0; i < nthreads; i++)
		for (size_t b = 0; b < (size_t)iters * 64; b++)
			if (all[(size_t)i * iters * 64 + b] != 'A' + i)
				bad++;
	free(all);
	check("write errors", errors, 0);
	for (int i = 0; i < nthreads; i++)
		if (w[i].errors)
			printf("  thread %d: %d failed writes, the first: %s\n",
			       i, w[i].errors, ename(w[i].first_error));
	check("content errors", bad, 0);
	check("EPERM after seal", eperm, nthreads * 10);
	return failures ? 1 : 0;
}

/* one thread execs while the others are in intercepted calls */
static int exec_fd = -1;

static void *hammer(void *arg)
{
	(void)arg;
	for (;;)
		(void)fcntl(exec_fd, F_GET_SEALS);
	return NULL;
}

static void *exec_later(void *arg)
{
	(void)arg;
	usleep(50000);
	execl("/bin/sh", "sh", "-c", "exit 9", (char *)NULL);
	_exit(1);
}

static int case_thread_exec(void)
{
	pthread_t t[4];

	exec_fd = mfd("thread-exec", MFD_ALLOW_SEALING);
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, hammer, NULL);
	pthread_create(&t[3], NULL, exec_later, NULL);
	hammer(NULL);
	return 1;
}

/* ---- fork, SCM_RIGHTS, exec ------------------------------------------------ */

static int send_fd(int sock, int fd)
{
	char c = 'F';
	struct iovec iov = { &c, 1 };
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr mh = { 0 };
	struct cmsghdr *cm;

	memset(&u, 0, sizeof(u));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.b;
	mh.msg_controllen = sizeof(u.b);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &mh, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char c;
	struct iovec iov = { &c, 1 };
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr mh = { 0 };
	struct cmsghdr *cm;
	int fd = -1;

	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.b;
	mh.msg_controllen = sizeof(u.b);
	if (recvmsg(sock, &mh, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&mh);
	if (cm && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

static int wait_code(pid_t pid)
{
	int st = 0;

	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int case_fork(const char *self)
{
	int fd = mfd("forked", MFD_ALLOW_SEALING), sv[2];
	pid_t pid;
	char arg[16];

	check("write", R(write(fd, "abc", 3)), 3);
	/* a child inherits the fd and sees seals added later */
	pid = fork();
	if (pid == 0) {
		usleep(100000);
		_exit(write(fd, "x", 1) < 0 && errno == EPERM ? 0 : 1);
	}
	check("parent seals", add(fd, F_SEAL_WRITE | F_SEAL_SHRINK), 0);
	check("child saw seal", wait_code(pid), 0);

	/* SCM_RIGHTS to a child: the seals travel with the file */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pid = fork();
	if (pid == 0) {
		int got = recv_fd(sv[1]);

		if (got < 0)
			_exit(2);
		if (fcntl(got, F_GET_SEALS) != (F_SEAL_WRITE | F_SEAL_SHRINK))
			_exit(3);
		if (write(got, "x", 1) >= 0 || errno != EPERM)
			_exit(4);
		if (ftruncate(got, 1) >= 0 || errno != EPERM)
			_exit(5);
		_exit(0);
	}
	check("send fd", send_fd(sv[0], fd), 0);
	check("receiver checks", wait_code(pid), 0);

	/* across exec */
	pid = fork();
	if (pid == 0) {
		snprintf(arg, sizeof(arg), "%d", fd);
		execl(self, self, "check-seals", arg, "10", (char *)NULL);
		_exit(127);
	}
	check("exec'd child checks", wait_code(pid), 0);

	/* a grandchild through vfork */
	pid = vfork();
	if (pid == 0) {
		snprintf(arg, sizeof(arg), "%d", fd);
		execl(self, self, "check-seals", arg, "10", (char *)NULL);
		_exit(127);
	}
	check("vfork'd child checks", wait_code(pid), 0);

	/* exit statuses and signals of children */
	pid = fork();
	if (pid == 0)
		_exit(7);
	check("child exit 7", wait_code(pid), 7);
	pid = fork();
	if (pid == 0) {
		raise(SIGUSR1);
		_exit(0);
	}
	check("child killed by SIGUSR1", wait_code(pid), 128 + SIGUSR1);
	return failures ? 1 : 0;
}

static int case_check_seals(int fd, int want)
{
	long s = seals(fd);

	if (s != want) {
		fprintf(stderr, "check-seals: %ld, want %d\n", s, want);
		return 1;
	}
	if (write(fd, "x", 1) >= 0 || errno != EPERM) {
		fprintf(stderr, "check-seals: write allowed\n");
		return 1;
	}
	return 0;
}

/* ---- stops -------------------------------------------------------------- */

static int case_child_stop(void)
{
	int st = 0, go[2];
	pid_t pid;
	char byte;

	if (pipe(go) < 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		int fd = mfd("stop", MFD_ALLOW_SEALING);

		close(go[1]);
		raise(SIGSTOP);
		/* exit only once the parent has seen the continue: an exit
		 * would take the place of that news */
		if (read(go[0], &byte, 1) != 1)
			_exit(2);
		/* continued: still fully working */
		_exit(write(fd, "x", 1) == 1 && add(fd, F_SEAL_WRITE) == 0 &&
		      write(fd, "x", 1) < 0 ? 7 : 1);
	}
	close(go[0]);
	check("waitpid WUNTRACED", R(waitpid(pid, &st, WUNTRACED)), pid);
	check("stopped", WIFSTOPPED(st) ? WSTOPSIG(st) : -1, SIGSTOP);
	/* it stays stopped */
	usleep(200000);
	check("still stopped", R(waitpid(pid, &st, WNOHANG | WCONTINUED)), 0);
	kill(pid, SIGCONT);
	check("waitpid WCONTINUED", R(waitpid(pid, &st, WCONTINUED)), pid);
	check("continued", WIFCONTINUED(st) ? 1 : 0, 1);
	check("go", R(write(go[1], "g", 1)), 1);
	close(go[1]);
	check("exit after stop", wait_code(pid), 7);
	return failures ? 1 : 0;
}

static int case_self_stop(void)
{
	int fd = mfd("selfstop", MFD_ALLOW_SEALING);
	struct timespec a, b;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &a);
	printf("stopping\n");
	fflush(stdout);
	raise(SIGSTOP);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	/* the test continues us after about 500 ms */
	check("stopped long enough", ms >= 300 ? 1 : 0, 1);
	check("write after stop", R(write(fd, "x", 1)), 1);
	return failures ? 1 : 0;
}

/* ---- signals during emulated calls ---------------------------------------- */

static volatile sig_atomic_t ticks;

static void on_tick(int sig)
{
	int saved = errno;

	(void)sig;
	ticks++;
	/* a handler that makes intercepted calls itself */
	(void)fcntl(3, F_GET_SEALS);
	errno = saved;
}

/*
 * The timer's period: 200 us, or four times what one round of the loop
 * (a pwrite, a dup, an F_GET_SEALS, a close) and the handler's own call
 * cost here, if that is more. Signals must keep landing in the middle of
 * emulated calls; but when a signal comes sooner than a call can finish,
 * every call is interrupted and started again and the program never gets
 * on, under any supervisor (a sanitizer build, a loaded machine, fd
 * fetches by injected calls before pidfd_getfd).
 */
static long signal_period_us(int fd)
{
	struct timespec a, b;
	char buf[64];
	long us;

	memset(buf, 'z', sizeof(buf));
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < 10; i++) {
		int d;

		(void)pwrite(fd, buf, sizeof(buf), (off_t)i * 64);
		d = dup(fd);
		(void)seals(d);
		close(d);
		(void)fcntl(3, F_GET_SEALS);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	us = ((b.tv_sec - a.tv_sec) * 1000000L +
	      (b.tv_nsec - a.tv_nsec) / 1000L) / 10;
	if (us > 100000)
		us = 100000; /* it_interval.tv_usec stays below a second */
	return us * 4 > 200 ? us * 4 : 200;
}

static int case_signals(void)
{
	struct sigaction sa;
	struct itimerval it = { { 0, 200 }, { 0, 200 } };
	int fd = mfd("signals", MFD_ALLOW_SEALING), bad = 0, d;
	char buf[64];

	it.it_interval.tv_usec = it.it_value.tv_usec = signal_period_us(fd);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_tick;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	memset(buf, 'z', sizeof(buf));
	for (int i = 0; i < 2000; i++) {
		if (pwrite(fd, buf, sizeof(buf), (off_t)i * 64) != 64)
			bad++;
		d = dup(fd);
		if (d < 0 || seals(d) != 0)
			bad++;
		close(d);
	}
	it.it_interval.tv_usec = it.it_value.tv_usec = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	check("calls right under signals", bad, 0);
	check("handler ran", ticks > 0 ? 1 : 0, 1);
	check("size", R(lseek(fd, 0, SEEK_END)), 2000 * 64);
	return failures ? 1 : 0;
}

/* ---- a program that closes every inherited fd ------------------------------ */

static int case_closefds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int fds[256], n = 0, fd, d1;
	struct dirent *de;
	char c;

	while (d && (de = readdir(d)) != NULL) {
		int v = atoi(de->d_name);

		if (v > 2 && v != dirfd(d) && n < 256)
			fds[n++] = v;
	}
	if (d)
		closedir(d);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	fd = mfd("closefds", MFD_ALLOW_SEALING);
	check("memfd_create", fd >= 0 ? 0 : -errno, 0);
	check("write", R(write(fd, "hello", 5)), 5);
	check("position", R(lseek(fd, 0, SEEK_CUR)), 5);
	d1 = dup(fd);
	check("dup offset", R(lseek(d1, 0, SEEK_CUR)), 5);
	check("lseek", R(lseek(fd, 1, SEEK_SET)), 1);
	check("write at 1", R(write(fd, "E", 1)), 1);
	check("pread", R(pread(fd, &c, 1, 1)), 1);
	check("byte", c, 'E');
	check("seal", add(fd, F_SEAL_WRITE), 0);
	check("write sealed", R(write(d1, "x", 1)), -EPERM);
	return failures ? 1 : 0;
}

/* ---- a thread whose stack pointer is near the end of its stack ----------- */

static long low_results[4];
static int low_fd;
static char *low_base;

static void *low_worker(void *arg)
{
	char here;
	/* leave about 500 bytes of stack above the guard page: sealbox's
	 * scratch place (about 900 bytes below the stack pointer) is not
	 * mapped, so it must find another; raw syscall()s (bound in main)
	 * keep the stack use small */
	size_t room = (size_t)(&here - low_base);
	volatile char *eat = alloca(room > 1000 ? room - 500 : 1);
	long r;

	(void)arg;
	eat[0] = 0;
	r = syscall(SYS_fcntl, low_fd, F_GET_SEALS, 0);
	low_results[0] = r < 0 ? -errno : r;
	r = syscall(SYS_fcntl, low_fd, F_ADD_SEALS, F_SEAL_GROW);
	low_results[1] = r < 0 ? -errno : r;
	r = syscall(SYS_pwrite64, low_fd, "abc", 3, 0);
	low_results[2] = r < 0 ? -errno : r;
	r = syscall(SYS_dup, low_fd);
	low_results[3] = r >= 0;
	return NULL;
}

static int case_lowstack(void)
{
	size_t size = 64 * 1024;
	char *mem = mmap(NULL, size + 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pthread_attr_t attr;
	pthread_t t;

	if (mem == MAP_FAILED)
		return 2;
	mprotect(mem, 4096, PROT_NONE); /* the guard below the stack */
	low_base = mem + 4096;
	low_fd = mfd("lowstack", MFD_ALLOW_SEALING);
	check("ftruncate", R(ftruncate(low_fd, 10)), 0);
	(void)syscall(SYS_getppid); /* bind syscall() now */
	pthread_attr_init(&attr);
	pthread_attr_setstack(&attr, low_base, size);
	if (pthread_create(&t, &attr, low_worker, NULL) != 0)
		return 2;
	pthread_join(t, NULL);
	check("F_GET_SEALS low stack", low_results[0], 0);
	check("F_ADD_SEALS low stack", low_results[1], 0);
	check("pwrite low stack", low_results[2], 3);
	check("dup low stack", low_results[3], 1);
	return failures ? 1 : 0;
}

/* ---- timing --------------------------------------------------------------- */

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int case_bench(int n)
{
	int fd = mfd("bench", MFD_ALLOW_SEALING), c;
	char buf[64];
	double t0;

	memset(buf, 'b', sizeof(buf));
	t0 = now_us();
	for (int i = 0; i < n; i++)
		(void)syscall(SYS_getppid);
	printf("getppid %.2f\n", (now_us() - t0) / n);
	{
		/* trapped (PROT_WRITE), answered CONTINUE at once while no
		 * file is write-sealed: the transport's own cost */
		void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		t0 = now_us();
		for (int i = 0; i < n; i++)
			(void)mprotect(p, 4096, PROT_READ | PROT_WRITE);
		printf("mprotect(+W) continue %.2f\n", (now_us() - t0) / n);
		munmap(p, 4096);
	}
	t0 = now_us();
	for (int i = 0; i < n; i++)
		(void)fcntl(fd, F_GET_SEALS);
	printf("F_GET_SEALS %.2f\n", (now_us() - t0) / n);
	t0 = now_us();
	for (int i = 0; i < n; i++)
		(void)pwrite(fd, buf, sizeof(buf), 0);
	printf("pwrite64 %.2f\n", (now_us() - t0) / n);
	t0 = now_us();
	for (int i = 0; i < n; i++) {
		c = mfd("b", 0);
		close(c);
	}
	printf("memfd_create+close %.2f\n", (now_us() - t0) / n);
	return 0;
}

/*
 * The bare cost the ptrace backend is measured against: a child traps
 * getppid with SECCOMP_RET_TRACE, the parent reads the registers, skips
 * the call with a made-up result, writes them back and resumes.
 */
static int case_rawtrace(int n, bool spin)
{
	int go[2];
	pid_t pid;
	int st;

	if (pipe(go) < 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		struct sock_filter f[] = {
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
				 offsetof(struct seccomp_data, nr)),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		};
		struct sock_fprog prog = { 4, f };
		char c;
		double t0;
		long r = 0;

		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
			_exit(2);
		t0 = now_us();
		for (int i = 0; i < n; i++)
			r = syscall(SYS_getppid);
		printf("raw ptrace stop+rewrite %.2f (result %ld)\n",
		       (now_us() - t0) / n, r);
		fflush(stdout);
		_exit(r == 4242 ? 0 : 3);
	}
	close(go[0]);
	if (ptrace(PTRACE_SEIZE, pid, NULL,
		   (void *)(long)(PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL)) < 0)
		return 1;
	if (write(go[1], "g", 1) != 1)
		return 1;
	for (;;) {
		int sig = 0;

		pid_t r;

		do
			r = waitpid(pid, &st, __WALL | (spin ? WNOHANG : 0));
		while (r == 0);
		if (r < 0)
			return 1;
		if (WIFEXITED(st) || WIFSIGNALED(st))
			break;
		if ((st >> 8) == (SIGTRAP | (PTRACE_EVENT_SECCOMP << 8))) {
#if defined(__x86_64__)
			struct user_regs_struct regs;

			ptrace(PTRACE_GETREGS, pid, NULL, &regs);
			regs.orig_rax = (unsigned long long)-1;
			regs.rax = 4242;
			ptrace(PTRACE_SETREGS, pid, NULL, &regs);
#endif
		} else if ((st >> 16) == 0) {
			sig = WSTOPSIG(st);
		}
		ptrace(PTRACE_CONT, pid, NULL, (void *)(long)sig);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(c, "memfd") == 0)
		return case_memfd();
	if (strcmp(c, "dup") == 0)
		return case_dup();
	if (strcmp(c, "threads") == 0)
		return case_threads(argc > 2 ? atoi(argv[2]) : 4);
	if (strcmp(c, "fork") == 0)
		return case_fork(argv[0]);
	if (strcmp(c, "thread-exec") == 0)
		return case_thread_exec();
	if (strcmp(c, "check-seals") == 0 && argc > 3)
		return case_check_seals(atoi(argv[2]), atoi(argv[3]));
	if (strcmp(c, "child-stop") == 0)
		return case_child_stop();
	if (strcmp(c, "self-stop") == 0)
		return case_self_stop();
	if (strcmp(c, "signals") == 0)
		return case_signals();
	if (strcmp(c, "closefds") == 0)
		return case_closefds();
	if (strcmp(c, "lowstack") == 0)
		return case_lowstack();
	if (strcmp(c, "bench") == 0)
		return case_bench(argc > 2 ? atoi(argv[2]) : 10000);
	if (strcmp(c, "rawtrace") == 0)
		return case_rawtrace(argc > 2 ? atoi(argv[2]) : 10000,
				     argc > 3 && strcmp(argv[3], "spin") == 0);
	fprintf(stderr, "usage: ptrace-cases CASE [ARGS] (see the source)\n");
	return 2;
}
