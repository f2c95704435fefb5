// SPDX-License-Identifier: MIT
/*
 * shm-pool: the two uses of sealed memfds that sealbox exists for, acted
 * out by two processes that do not trust each other.
 *
 *  1. A Wayland-style buffer. The client creates a memfd, draws into it,
 *     seals it against shrinking and passes it to the compositor over
 *     SCM_RIGHTS. The compositor checks the seal, maps the buffer without
 *     fearing SIGBUS, and the client's later ftruncate fails.
 *  2. A zero-copy message. The sender writes a message, seals it
 *     SHRINK|GROW|WRITE|SEAL and passes it; the receiver checks the seals
 *     and reads it in place, and every write path the sender tries
 *     afterwards fails.
 *
 * With no memfd_create (a kernel before 3.17, or `sealbox run
 * --pretend-kernel=3.16`), the client falls back the way real programs do:
 * an unlinked file in /dev/shm, no seals, and a compositor that must guard
 * every access against SIGBUS. The program says which path it took.
 *
 * Exit status: 0 when every check held, 1 when one did not, 2 on a setup
 * failure. Each check prints one line: "ok ..." or "FAIL ...".
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_GET_SEALS 1034
#define F_SEAL_SEAL 0x0001
#define F_SEAL_SHRINK 0x0002
#define F_SEAL_GROW 0x0004
#define F_SEAL_WRITE 0x0008
#endif
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#define MFD_ALLOW_SEALING 0x0002U
#endif

#define POOL_SIZE (64 * 1024)
#define MSG_SIZE 4096
static const char message[] = "sealed message: read me in place";

static int failures;

static void check(bool held, const char *who, const char *what, int err)
{
	if (held) {
		printf("ok   %-10s %s\n", who, what);
	} else {
		printf("FAIL %-10s %s (%s)\n", who, what,
		       err ? strerror(err) : "succeeded");
		failures++;
	}
	fflush(stdout);
}

/* A call that must fail with one of the given errnos: say so. */
static void must_fail(const char *who, const char *what, long r, int want,
		      int also)
{
	int err = r < 0 ? errno : 0;
	char line[160];

	snprintf(line, sizeof(line), "%s refused: %s", what,
		 err ? strerror(err) : "-");
	check(r < 0 && (err == want || (also && err == also)), who, line, err);
}

static int memfd_create_raw(const char *name, unsigned int flags)
{
	return (int)syscall(SYS_memfd_create, name, flags);
}

/* The fallback programs use without memfd_create: no seals at all. */
static int unlinked_shm_file(void)
{
	char path[] = "/dev/shm/shm-pool-XXXXXX";
	int fd = mkostemp(path, O_CLOEXEC);

	if (fd >= 0)
		unlink(path);
	return fd;
}

/* Send the one-byte tag, with fd attached when fd >= 0. */
static int send_fd(int sock, int fd, char tag)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &tag, 1 };
	struct msghdr msg = { 0 };
	struct cmsghdr *cm;

	memset(cbuf, 0, sizeof(cbuf));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (fd < 0)
		return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

/* Receive a tag and the fd attached to it: the fd, -1 when none came,
 * -2 when nothing came. */
static int recv_fd(int sock, char *tag)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { tag, 1 };
	struct msghdr msg = { 0 };
	struct cmsghdr *cm;
	int fd = -1;

	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -2;
	cm = CMSG_FIRSTHDR(&msg);
	if (cm && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

static uint32_t checksum(const unsigned char *p, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static void draw(unsigned char *pixels, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pixels[i] = (unsigned char)(i * 7 + 3);
}

/* ---- the compositor (and message receiver) ------------------------------- */

static int compositor(int sock)
{
	unsigned char *map;
	uint32_t sum;
	char tag;
	int fd, seals;

	/* 1. the client's buffer */
	fd = recv_fd(sock, &tag);
	if (fd < 0)
		return 2;
	seals = fcntl(fd, F_GET_SEALS);
	if (tag == 'u') {
		/* no sealing here: a client could truncate under our feet */
		check(true, "compositor", "buffer without seals (fallback): "
		      "every access must be guarded against SIGBUS", 0);
	} else {
		check(seals >= 0 && (seals & F_SEAL_SHRINK), "compositor",
		      "buffer is sealed against shrinking", seals < 0 ? errno : 0);
	}
	map = mmap(NULL, POOL_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return 2;
	if (write(sock, "m", 1) != 1) /* mapped: now try to pull it away */
		return 2;
	if (read(sock, &tag, 1) != 1)
		return 2;
	/* still all there: no SIGBUS on the last page */
	sum = checksum(map, POOL_SIZE);
	if (write(sock, &sum, sizeof(sum)) != sizeof(sum))
		return 2;
	munmap(map, POOL_SIZE);
	close(fd);

	/* 2. the sealed message */
	fd = recv_fd(sock, &tag);
	if (tag == 'n')
		return 0; /* the fallback sends none */
	if (fd < 0)
		return 2;
	{
		seals = fcntl(fd, F_GET_SEALS);
		check(seals >= 0 && (seals & (F_SEAL_SHRINK | F_SEAL_GROW |
					      F_SEAL_WRITE | F_SEAL_SEAL)) ==
			      (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE |
			       F_SEAL_SEAL),
		      "receiver", "message sealed SHRINK|GROW|WRITE|SEAL",
		      seals < 0 ? errno : 0);
		map = mmap(NULL, MSG_SIZE, PROT_READ, MAP_SHARED, fd, 0);
		if (map == MAP_FAILED && errno == EPERM)
			/* before 6.7 not even a read-only shared map of a
			 * write-sealed file: a private one sees the same
			 * pages (read-only, it never copies them) */
			map = mmap(NULL, MSG_SIZE, PROT_READ, MAP_PRIVATE, fd,
				   0);
		check(map != MAP_FAILED &&
			      strcmp((char *)map, message) == 0,
		      "receiver", "message read in place",
		      map == MAP_FAILED ? errno : 0);
		/* the receiver cannot change it either */
		must_fail("receiver", "write", write(fd, "x", 1), EPERM, 0);
		must_fail("receiver", "mmap(PROT_WRITE, MAP_SHARED)",
			  (long)(intptr_t)mmap(NULL, MSG_SIZE, PROT_WRITE,
					       MAP_SHARED, fd, 0) == -1 ? -1 : 0,
			  EPERM, 0);
		if (write(sock, "r", 1) != 1)
			return 2;
		/* the sender's attempts are over: is it intact? */
		if (read(sock, &tag, 1) != 1)
			return 2;
		check(map != MAP_FAILED && strcmp((char *)map, message) == 0,
		      "receiver", "message unchanged after the sender's tries",
		      0);
	}
	close(fd);
	return 0;
}

/* ---- the client (and message sender) -------------------------------------- */

static int client(int sock, bool have_memfd)
{
	static const char junk[MSG_SIZE] = { 'X' };
	unsigned char *pixels;
	uint32_t sum, theirs;
	char tag;
	int fd;

	/* 1. a buffer */
	fd = have_memfd ?
		memfd_create_raw("shm-pool", MFD_CLOEXEC | MFD_ALLOW_SEALING) :
		unlinked_shm_file();
	if (fd < 0 || ftruncate(fd, POOL_SIZE) < 0)
		return 2;
	pixels = mmap(NULL, POOL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		      fd, 0);
	if (pixels == MAP_FAILED)
		return 2;
	draw(pixels, POOL_SIZE);
	sum = checksum(pixels, POOL_SIZE);
	if (have_memfd)
		check(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) == 0, "client",
		      "sealed the buffer against shrinking", errno);
	if (send_fd(sock, fd, have_memfd ? 's' : 'u') < 0)
		return 2;
	if (read(sock, &tag, 1) != 1) /* the compositor has mapped it */
		return 2;
	if (have_memfd)
		must_fail("client", "ftruncate(0) of the shared buffer",
			  ftruncate(fd, 0), EPERM, 0);
	if (write(sock, "t", 1) != 1 ||
	    read(sock, &theirs, sizeof(theirs)) != sizeof(theirs))
		return 2;
	if (have_memfd)
		check(theirs == sum, "compositor",
		      "read every pixel, no SIGBUS", 0);
	munmap(pixels, POOL_SIZE);
	close(fd);

	/* 2. a sealed message */
	if (!have_memfd) {
		check(true, "sender", "no sealed messages without memfd "
		      "(fallback: copy through the socket instead)", 0);
		return send_fd(sock, -1, 'n') < 0 ? 2 : 0;
	}
	fd = memfd_create_raw("message", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0 || ftruncate(fd, MSG_SIZE) < 0 ||
	    pwrite(fd, message, sizeof(message), 0) != sizeof(message))
		return 2;
	check(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
				      F_SEAL_WRITE | F_SEAL_SEAL) == 0,
	      "sender", "sealed the message", errno);
	if (send_fd(sock, fd, 'm') < 0 || read(sock, &tag, 1) != 1)
		return 2;
	/* a hostile sender changes its mind: every path must fail */
	must_fail("sender", "write", write(fd, junk, sizeof(junk)), EPERM, 0);
	must_fail("sender", "pwrite", pwrite(fd, junk, 16, 0), EPERM, 0);
	must_fail("sender", "ftruncate(shrink)", ftruncate(fd, 1), EPERM, 0);
	must_fail("sender", "ftruncate(grow)", ftruncate(fd, 2 * MSG_SIZE),
		  EPERM, 0);
	must_fail("sender", "fallocate(punch hole)",
		  fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
			    16),
		  EPERM, 0);
	must_fail("sender", "mmap(PROT_WRITE, MAP_SHARED)",
		  mmap(NULL, MSG_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       0) == MAP_FAILED ? -1 : 0,
		  EPERM, 0);
	must_fail("sender", "F_ADD_SEALS after F_SEAL_SEAL",
		  fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EPERM, 0);
	close(fd);
	return write(sock, "d", 1) == 1 ? 0 : 2;
}

int main(void)
{
	int sv[2], st = 0, own, fd;
	bool have_memfd;
	pid_t pid;

	/* what this kernel (or the one sealbox pretends to be) offers */
	fd = memfd_create_raw("probe", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	have_memfd = fd >= 0;
	if (fd >= 0)
		close(fd);
	printf("memfd_create: %s\n", have_memfd ? "yes, with sealing" :
	       errno == ENOSYS ? "no (ENOSYS): falling back to /dev/shm" :
				 strerror(errno));
	if (!have_memfd && errno != ENOSYS)
		return 2;
	fflush(stdout);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return 2;
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		close(sv[0]);
		_exit(compositor(sv[1]) ? 2 : (failures ? 1 : 0));
	}
	close(sv[1]);
	own = client(sv[0], have_memfd);
	close(sv[0]);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return 2;
	if (own == 2 || WEXITSTATUS(st) == 2)
		return 2;
	printf("%s\n", failures || WEXITSTATUS(st) ? "some checks FAILED" :
						     "every check held");
	return failures || WEXITSTATUS(st) ? 1 : 0;
}
