/* SPDX-License-Identifier: MIT */
/*
 * shared_seals: seals must follow the inode to every process that holds
 * it, the way the kernel's do. Checks the kernel's own answers natively, and
 * the shim's under LD_PRELOAD (tests/preload/run-shared.sh runs both).
 *
 *   shared_seals            every part below
 *   shared_seals fork       a forked child sees the parent's seals, and the
 *                           parent sees the seal the child adds
 *   shared_seals exec       after execve the new image sees the seals, on the
 *                           fd it inherited (a high number and a dup2'd
 *                           low one) and through a /proc/self/fd reopen
 *   shared_seals threads    threads create, seal and write memfds while the
 *                           main thread forks: every answer stays right
 *
 * Prints one line per check, "PASS what" or "FAIL what: why", and exits 1
 * when any check fails. Calls the libc wrappers (memfd_create, fcntl,
 * write, ...), the way most programs do.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

#define SGW (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

static int failures;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static void result(bool ok, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void result(bool ok, const char *what, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&out_lock);
	if (ok) {
		printf("PASS %s\n", what);
	} else {
		failures++;
		printf("FAIL %s: ", what);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	}
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

/* the call failed with exactly err */
static void expect_err(long rc, int err, const char *what)
{
	int e = errno;

	result(rc < 0 && e == err, what, "got %ld (%s), want %s", rc,
	       rc < 0 ? strerror(e) : "no error", strerror(err));
}

static void expect_seals(int fd, int want, const char *what)
{
	int s = fcntl(fd, F_GET_SEALS);

	result(s == want, what, "seals 0x%x, want 0x%x (%s)", s, want,
	       s < 0 ? strerror(errno) : "ok");
}

/* the writes a F_SEAL_WRITE|SHRINK|GROW memfd must refuse */
static void expect_sealed(int fd, const char *who)
{
	char what[128], buf[16] = "changed";
	void *m;

	snprintf(what, sizeof(what), "%s: write refused", who);
	expect_err(write(fd, buf, 7), EPERM, what);
	snprintf(what, sizeof(what), "%s: pwrite refused", who);
	expect_err(pwrite(fd, buf, 7, 0), EPERM, what);
	snprintf(what, sizeof(what), "%s: shrink refused", who);
	expect_err(ftruncate(fd, 100), EPERM, what);
	snprintf(what, sizeof(what), "%s: grow refused", who);
	expect_err(ftruncate(fd, 8192), EPERM, what);
	snprintf(what, sizeof(what), "%s: shared writable map refused", who);
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	expect_err(m == MAP_FAILED ? -1 : 0, EPERM, what);
	if (m != MAP_FAILED)
		munmap(m, 4096);
	snprintf(what, sizeof(what), "%s: punch hole refused", who);
	expect_err(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
			     100), EPERM, what);
}

static int sealed_memfd(const char *name, unsigned int seals)
{
	char page[4096];
	int fd = memfd_create(name, MFD_ALLOW_SEALING);

	if (fd < 0) {
		result(false, "memfd_create", "%s", strerror(errno));
		exit(1);
	}
	memset(page, 'A', sizeof(page));
	if (write(fd, page, sizeof(page)) != (ssize_t)sizeof(page) ||
	    (seals && fcntl(fd, F_ADD_SEALS, seals) < 0)) {
		result(false, "setup", "%s", strerror(errno));
		exit(1);
	}
	return fd;
}

static void part_fork(void)
{
	int fd = sealed_memfd("fork", SGW);
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		expect_seals(fd, SGW, "fork child: sees the parent's seals");
		expect_sealed(fd, "fork child");
		result(fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL) == 0,
		       "fork child: adds F_SEAL_SEAL", "%s", strerror(errno));
		_exit(failures ? 1 : 0);
	}
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		failures++;
	expect_seals(fd, SGW | F_SEAL_SEAL,
		     "fork parent: sees the child's F_SEAL_SEAL");
	expect_err(fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE), EPERM,
		   "fork parent: no more seals after F_SEAL_SEAL");
	close(fd);
}

/* the new image of part_exec */
static int exec_image(int high, int low)
{
	char path[64];
	int re;

	expect_seals(high, SGW, "exec: inherited fd sees the seals");
	expect_sealed(high, "exec inherited fd");
	expect_seals(low, SGW, "exec: inherited dup2'd fd sees the seals");
	expect_sealed(low, "exec dup2'd fd");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", high);
	re = open(path, O_RDWR | O_CLOEXEC);
	result(re >= 0, "exec: /proc/self/fd reopen", "%s", strerror(errno));
	if (re >= 0) {
		expect_seals(re, SGW, "exec: reopen sees the seals");
		expect_sealed(re, "exec reopen");
		expect_err(open(path, O_RDWR | O_TRUNC | O_CLOEXEC), EPERM,
			   "exec: O_TRUNC reopen refused");
	}
	return failures ? 1 : 0;
}

static void part_exec(const char *self)
{
	int fd = sealed_memfd("exec", SGW);
	int high = fcntl(fd, F_DUPFD, 200);
	char a_high[16], a_low[16];
	int status = 0;
	pid_t pid;

	if (high < 0 || dup2(fd, 5) != 5) {
		result(false, "exec setup", "%s", strerror(errno));
		return;
	}
	snprintf(a_high, sizeof(a_high), "%d", high);
	snprintf(a_low, sizeof(a_low), "%d", 5);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execl(self, self, "--image", a_high, a_low, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	result(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "exec: new image saw every seal", "status 0x%x", status);
	close(high);
	close(5);
	close(fd);
}

/* ---- threads ---------------------------------------------------------------- */

#define THREADS 4
#define ROUNDS 300

static void *thread_main(void *arg)
{
	long id = (long)arg;
	char what[64];
	bool ok = true;

	for (int i = 0; i < ROUNDS && ok; i++) {
		int fd = memfd_create("thread", MFD_ALLOW_SEALING | MFD_CLOEXEC);
		char c = 'x';

		if (fd < 0 || write(fd, &c, 1) != 1 ||
		    fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE) < 0 ||
		    fcntl(fd, F_GET_SEALS) != F_SEAL_WRITE ||
		    write(fd, &c, 1) != -1 || errno != EPERM ||
		    pwrite(fd, &c, 1, 0) != -1 || errno != EPERM)
			ok = false;
		/* a dup made in this thread must keep its seals too */
		if (ok) {
			int d = dup(fd);

			ok = d >= 0 && write(d, &c, 1) == -1 && errno == EPERM;
			close(d);
		}
		close(fd);
	}
	snprintf(what, sizeof(what), "threads: thread %ld", id);
	result(ok, what, "a seal check gave a wrong answer (%s)",
	       strerror(errno));
	return NULL;
}

static void part_threads(void)
{
	pthread_t t[THREADS];
	int forks_ok = 1;

	for (long i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, thread_main, (void *)i);
	/* fork while the other threads are inside the shim */
	for (int i = 0; i < 20; i++) {
		int fd = sealed_memfd("forking", SGW);
		pid_t pid = fork();
		int status = 0;

		if (pid == 0) {
			char c = 'x';

			_exit(write(fd, &c, 1) == -1 && errno == EPERM &&
			      fcntl(fd, F_GET_SEALS) == SGW ? 0 : 1);
		}
		waitpid(pid, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			forks_ok = 0;
		close(fd);
	}
	result(forks_ok, "threads: forks while threads seal", "a child saw "
	       "wrong seals");
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
}

enum closer { BY_CLOSE, BY_FCLOSE, BY_FREOPEN, BY_SYSCALL, BY_CLOSE_RANGE };

/*
 * A sealed memfd closed in one of the ways a program closes fds, and a
 * plain file opened at the same number: the seal commands on that number
 * must answer for the plain file (as on ref, another fd of it), not for
 * the memfd that was there.
 */
static void reuse_after(enum closer how, const char *what)
{
	char path[] = "/tmp/sealbox-reuse-XXXXXX";
	int ref = mkstemp(path), fd, num, r1, e1, r2, e2;
	FILE *fp = NULL;

	if (ref < 0) {
		result(false, what, "mkstemp: %s", strerror(errno));
		return;
	}
	num = sealed_memfd("reuse", F_SEAL_SHRINK | F_SEAL_GROW);
	switch (how) {
	case BY_CLOSE:
		close(num);
		break;
	case BY_FCLOSE:
		fp = fdopen(num, "r+");
		if (fp)
			fclose(fp);
		fp = NULL;
		break;
	case BY_FREOPEN:
		/* glibc puts the new file at the stream's old number */
		fp = fdopen(num, "r+");
		if (fp)
			fp = freopen(path, "r+", fp);
		break;
	case BY_SYSCALL:
		syscall(SYS_close, num);
		break;
	case BY_CLOSE_RANGE:
		if (syscall(SYS_close_range, num, num, 0) < 0 &&
		    errno == ENOSYS) {
			printf("skip %s: no close_range (5.9) here\n", what);
			close(num);
			close(ref);
			unlink(path);
			return;
		}
		break;
	}
	fd = fp ? fileno(fp) : open(path, O_RDWR | O_CLOEXEC);
	if (fd != num) {
		result(false, what, "the plain file got fd %d, not %d", fd,
		       num);
	} else {
		errno = 0;
		r1 = fcntl(fd, F_GET_SEALS);
		e1 = errno;
		errno = 0;
		r2 = fcntl(ref, F_GET_SEALS);
		e2 = errno;
		result(r1 == r2 && e1 == e2, what,
		       "F_GET_SEALS %d (%s), on another fd of it %d (%s)", r1,
		       strerror(e1), r2, strerror(e2));
		errno = 0;
		r1 = fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE);
		e1 = errno;
		errno = 0;
		r2 = fcntl(ref, F_ADD_SEALS, F_SEAL_WRITE);
		e2 = errno;
		result(r1 == r2 && e1 == e2, what,
		       "F_ADD_SEALS %d (%s), on another fd of it %d (%s)", r1,
		       strerror(e1), r2, strerror(e2));
	}
	if (fp)
		fclose(fp);
	else if (fd >= 0)
		close(fd);
	close(ref);
	unlink(path);
}

static void part_reuse(void)
{
	reuse_after(BY_CLOSE, "reuse: after close");
	reuse_after(BY_FCLOSE, "reuse: after fclose");
	reuse_after(BY_FREOPEN, "reuse: after freopen");
	reuse_after(BY_SYSCALL, "reuse: after syscall(SYS_close)");
	reuse_after(BY_CLOSE_RANGE, "reuse: after close_range");
}

int main(int argc, char **argv)
{
	const char *part = argc > 1 ? argv[1] : "all";
	bool all = strcmp(part, "all") == 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(part, "--image") == 0 && argc == 4)
		return exec_image(atoi(argv[2]), atoi(argv[3]));
	if (all || strcmp(part, "fork") == 0)
		part_fork();
	if (all || strcmp(part, "exec") == 0)
		part_exec("/proc/self/exe");
	if (all || strcmp(part, "threads") == 0)
		part_threads();
	if (all || strcmp(part, "reuse") == 0)
		part_reuse();
	printf("%s: %d failed\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
