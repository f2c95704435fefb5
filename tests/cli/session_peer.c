/* SPDX-License-Identifier: MIT */
/*
 * session_peer: the seed's two cross-process cases. "send" creates a
 * memfd, seals it and passes it over a Unix socket; "recv" receives it and
 * tries every way to change it. Both print one line per attempt, so the
 * output under sealbox can be compared with the kernel's own.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef F_ADD_SEALS
#define F_ADD_SEALS 1033
#define F_GET_SEALS 1034
#define F_SEAL_SHRINK 0x2
#define F_SEAL_GROW 0x4
#define F_SEAL_WRITE 0x8
#endif

static void report(const char *what, long r)
{
	if (r < 0)
		printf("%s %s\n", what, strerrorname_np(errno));
	else
		printf("%s ok=%ld\n", what, r);
}

static void try_changes(const char *who, int fd)
{
	char buf[16] = "changed";
	char line[64];
	struct iovec iov = { buf, 7 };
	void *m;

	snprintf(line, sizeof(line), "%s-write", who);
	report(line, write(fd, buf, 7));
	snprintf(line, sizeof(line), "%s-pwrite", who);
	report(line, pwrite(fd, buf, 7, 0));
	snprintf(line, sizeof(line), "%s-writev", who);
	report(line, writev(fd, &iov, 1));
	snprintf(line, sizeof(line), "%s-shrink", who);
	report(line, ftruncate(fd, 100));
	snprintf(line, sizeof(line), "%s-grow", who);
	report(line, ftruncate(fd, 8192));
	snprintf(line, sizeof(line), "%s-fallocate-grow", who);
	report(line, fallocate(fd, 0, 0, 8192));
	snprintf(line, sizeof(line), "%s-punch", who);
	report(line, fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			       0, 100));
	snprintf(line, sizeof(line), "%s-mmap-shared-write", who);
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	report(line, m == MAP_FAILED ? -1 : 0);
	snprintf(line, sizeof(line), "%s-seals", who);
	report(line, fcntl(fd, F_GET_SEALS));
}

static int unix_socket(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path, sizeof(sa->sun_path), "%s", path);
	return socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
}

static int do_send(const char *path)
{
	struct sockaddr_un sa;
	int sock = unix_socket(path, &sa);
	int fd = (int)syscall(SYS_memfd_create, "wl_shm", MFD_ALLOW_SEALING);
	char page[4096];
	char dummy = 'F';
	struct iovec iov = { &dummy, 1 };
	union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } u;
	struct msghdr msg = { 0 };

	memset(page, 'A', sizeof(page));
	if (fd < 0 || write(fd, page, sizeof(page)) != sizeof(page))
		return 1;
	report("send-seal", fcntl(fd, F_ADD_SEALS,
				  F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE));
	for (int i = 0; connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0;
	     i++) {
		if (i > 200)
			return 1;
		usleep(20000);
	}
	memset(&u, 0, sizeof(u));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.b;
	msg.msg_controllen = sizeof(u.b);
	CMSG_FIRSTHDR(&msg)->cmsg_level = SOL_SOCKET;
	CMSG_FIRSTHDR(&msg)->cmsg_type = SCM_RIGHTS;
	CMSG_FIRSTHDR(&msg)->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(CMSG_FIRSTHDR(&msg)), &fd, sizeof(int));
	if (sendmsg(sock, &msg, 0) != 1)
		return 1;
	/* after sending, the sender tries to change what it sealed */
	try_changes("send", fd);
	/* wait for the receiver to finish before exiting */
	if (read(sock, &dummy, 1) < 0)
		return 1;
	return 0;
}

static int do_recv(const char *path)
{
	struct sockaddr_un sa;
	int sock = unix_socket(path, &sa), conn, fd = -1;
	char dummy;
	struct iovec iov = { &dummy, 1 };
	union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } u;
	struct msghdr msg = { 0 };
	char content[4096];

	unlink(path);
	if (bind(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(sock, 1) < 0)
		return 1;
	conn = accept(sock, NULL, NULL);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.b;
	msg.msg_controllen = sizeof(u.b);
	if (conn < 0 || recvmsg(conn, &msg, 0) != 1 || !CMSG_FIRSTHDR(&msg))
		return 1;
	memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));
	try_changes("recv", fd);
	/* nothing may have changed, whoever tried */
	report("recv-size", lseek(fd, 0, SEEK_END));
	report("recv-intact", pread(fd, content, sizeof(content), 0) ==
	       sizeof(content) && content[0] == 'A' &&
	       content[sizeof(content) - 1] == 'A' ? 1 : 0);
	if (write(conn, "x", 1) < 0)
		return 1;
	unlink(path);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && strcmp(argv[1], "send") == 0)
		return do_send(argv[2]);
	if (argc == 3 && strcmp(argv[1], "recv") == 0)
		return do_recv(argv[2]);
	fprintf(stderr, "usage: session_peer send|recv SOCKET\n");
	return 2;
}
