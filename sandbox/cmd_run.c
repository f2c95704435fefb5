/* SPDX-License-Identifier: MIT */
/*
 * sealbox run [OPTIONS] -- PROG [ARGS]: run PROG with memfd_create() and
 * sealing as a current kernel has them, supervised through seccomp user
 * notification. Exit status and signals pass through as with env(1):
 * PROG's status, 128+N when killed by signal N, 125 for sealbox's own
 * errors, 126 when PROG cannot run, 127 when it is not found.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "emulator.h"
#include "filter.h"
#include "kcompat.h"
#include "notify.h"
#include "ptrace.h"
#include "util.h"

/* Signals sealbox passes on to PROG when they are sent to sealbox. */
static const int forwarded[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1,
				 SIGUSR2, SIGALRM, SIGWINCH, SIGCONT };

/*
 * Emulated memfds live at fds >= base. Keep the range below RLIMIT_NOFILE
 * (fd injection cannot go past it) and low enough that the kernel's fd
 * table stays small.
 */
static int pick_fd_base(void)
{
	struct rlimit rl;
	rlim_t soft;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return 4096;
	soft = rl.rlim_cur;
	if (soft > 4096 + 256)
		return 4096;
	return (int)(soft - soft / 4);
}

static int send_fd(int sock, int fd)
{
	char dummy = 'L';
	struct iovec iov = { &dummy, 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
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
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : neg_errno();
}

static int recv_fd(int sock)
{
	char dummy;
	struct iovec iov = { &dummy, 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg = { 0 };
	struct cmsghdr *cm;
	int fd = -1;

	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -EPIPE;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -EPIPE;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

static int exec_status(int err)
{
	return err == ENOENT || err == ENOTDIR ? SB_EXIT_NOT_FOUND :
	       SB_EXIT_CANNOT_EXEC;
}

/* Report an exec failure through the CLOEXEC pipe and leave. */
__attribute__((noreturn)) static void child_fail(int pipe_fd, int stage,
						 int err)
{
	int msg[2] = { stage, err };

	if (write(pipe_fd, msg, sizeof(msg)) < 0)
		_exit(SB_EXIT_FAILURE);
	_exit(stage == 1 ? exec_status(err) : SB_EXIT_FAILURE);
}

static void unblock_all(void)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

__attribute__((noreturn)) static void run_child(struct sb_emulator *e,
						bool wait_killable,
						int sock, int err_pipe,
						pid_t parent, char **argv)
{
	bool installed = false;
	int listener;

	/* if the supervisor dies, so does the program */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(SB_EXIT_FAILURE);
	unblock_all();
	listener = sb_filter_install(e, SB_FILTER_NOTIFY, wait_killable,
				     &installed);
	if (listener < 0)
		child_fail(err_pipe, 0, -listener);
	if (installed) {
		if (send_fd(sock, listener) < 0)
			_exit(SB_EXIT_FAILURE);
		close(listener);
	}
	close(sock);
	execvp(argv[0], argv);
	child_fail(err_pipe, 1, errno);
}

/* Kill and reap whatever of the tree is left (we are its subreaper). */
static void reap_everything(pid_t except)
{
	for (;;) {
		char path[64], buf[4096];
		int fd;
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/self/task/%d/children",
			 (int)getpid());
		fd = open(path, O_RDONLY | O_CLOEXEC);
		n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (n > 0) {
			char *p = buf, *end;

			buf[n] = '\0';
			for (long pid; (pid = strtol(p, &end, 10)) > 0; p = end)
				if ((pid_t)pid != except)
					kill((pid_t)pid, SIGKILL);
		}
		if (waitpid(-1, NULL, __WALL) < 0 && errno == ECHILD)
			return;
	}
}

static int status_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return SB_EXIT_FAILURE;
}

struct supervisor {
	pid_t child;
	int sigfd;
	struct sb_notify *notify; /* NULL: nothing to supervise */
};

/* Returns the program's exit status. */
static int supervise(struct supervisor *s)
{
	int status = 0;
	bool child_done = false;

	while (!child_done) {
		struct pollfd p[2] = {
			{ s->sigfd, POLLIN, 0 },
			{ s->notify ? sb_notify_fd(s->notify) : -1, POLLIN, 0 },
		};

		if (poll(p, s->notify ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			sb_die("poll: %s", strerror(errno));
		}
		if (s->notify && p[1].revents) {
			int err = sb_notify_handle(s->notify);

			if (err == -EPIPE) {
				sb_notify_free(s->notify);
				s->notify = NULL; /* nobody left to supervise */
			} else if (err < 0) {
				sb_warn("notification: %s", strerror(-err));
			}
		}
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(s->sigfd, &si, sizeof(si)) != sizeof(si))
				continue;
			if (si.ssi_signo != SIGCHLD) {
				/* a terminal's signals reach PROG by itself */
				if (si.ssi_code != SI_KERNEL)
					kill(s->child, (int)si.ssi_signo);
				continue;
			}
			for (;;) {
				int st;
				pid_t pid = waitpid(-1, &st, WNOHANG | __WALL);

				if (pid <= 0)
					break;
				if (pid == s->child) {
					status = st;
					child_done = true;
				}
			}
		}
	}
	return status_code(status);
}

static void usage_run(void)
{
	sb_die("run: usage: sealbox run [OPTIONS] -- PROG [ARGS...]");
}

int sb_cmd_run(int argc, char **argv)
{
	struct sb_cli cli;
	struct sb_plan plan;
	struct sb_emulator emu;
	struct supervisor sup = { -1, -1, NULL };
	const char *why = NULL;
	int sock[2], err_pipe[2], msg[2], i, err, status;
	sigset_t mask;
	pid_t parent = getpid();
	ssize_t n;

	memset(&cli, 0, sizeof(cli));
	sb_options_init(&cli.opt);
	sb_features_init(&cli.features);
	cli.backing = SB_BACKING_NONE;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (argv[i][0] != '-')
			break;
		if (sb_cli_common_option(&cli, argc, argv, &i))
			continue;
		sb_die("run: %s: unknown option", argv[i]);
	}
	if (i >= argc)
		usage_run();
	argv += i;

	sb_cli_probe(&cli);
	if (sb_plan_make(&cli.features, &cli.opt, &plan, &why) < 0)
		sb_die("run: --backend=%s: not possible here: %s",
		       sb_backend_name(cli.opt.backend), why);
	if (!plan.intercept_memfd && !plan.intercept_seals &&
	    !plan.emulated_files) {
		/* the kernel has everything: get out of the way entirely */
		execvp(argv[0], argv);
		err = errno;
		fprintf(stderr, "sealbox: %s: %s\n", argv[0], strerror(err));
		return exec_status(err);
	}
	if (plan.backend != SB_BACKEND_NOTIFY &&
	    plan.backend != SB_BACKEND_PTRACE)
		sb_die("run: the %s backend is not available yet (%s)",
		       sb_backend_name(plan.backend), plan.backend_why);

	err = sb_emulator_init(&emu, &plan, &cli.features, cli.backing,
			       pick_fd_base());
	if (err < 0)
		sb_die("run: backing store: %s", strerror(-err));
	if (plan.backend == SB_BACKEND_PTRACE) {
		status = sb_ptrace_run(&emu, &cli.features, argv);
		if (status < 0)
			sb_die("run: ptrace backend: %s", strerror(-status));
		sb_emulator_destroy(&emu);
		return status;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock) < 0 ||
	    pipe2(err_pipe, O_CLOEXEC) < 0)
		sb_die("run: %s", strerror(errno));

	/* signals arrive through a signalfd; PROG gets a clean mask */
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	for (size_t s = 0; s < SB_ARRAY_SIZE(forwarded); s++)
		sigaddset(&mask, forwarded[s]);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sup.sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sup.sigfd < 0)
		sb_die("run: signalfd: %s", strerror(errno));
	/* orphans of the tree come to us, so none outlives the run */
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	fflush(NULL);
	sup.child = fork();
	if (sup.child < 0)
		sb_die("run: fork: %s", strerror(errno));
	if (sup.child == 0) {
		close(sock[0]);
		close(err_pipe[0]);
		run_child(&emu, sb_features_has(&cli.features,
						SB_F_WAIT_KILLABLE_RECV),
			  sock[1], err_pipe[1], parent, argv);
	}
	close(sock[1]);
	close(err_pipe[1]);

	int listener = recv_fd(sock[0]);
	close(sock[0]);
	if (listener >= 0) {
		err = sb_notify_new(&sup.notify, listener, &emu,
				    sb_features_has(&cli.features,
						    SB_F_ADDFD_SEND),
				    sb_features_has(&cli.features,
						    SB_F_SYNC_WAKE_UP));
		if (err < 0)
			sb_die("run: listener: %s", strerror(-err));
	}
	/* the exec either happened (pipe closed, nothing read) or not */
	n = read(err_pipe[0], msg, sizeof(msg));
	close(err_pipe[0]);
	if (n == sizeof(msg)) {
		waitpid(sup.child, NULL, 0);
		if (msg[0] == 1) {
			fprintf(stderr, "sealbox: %s: %s\n", argv[0],
				strerror(msg[1]));
			return exec_status(msg[1]);
		}
		sb_die("run: seccomp filter: %s", strerror(msg[1]));
	}

	status = supervise(&sup);
	reap_everything(sup.child);
	sb_notify_free(sup.notify);
	sb_emulator_destroy(&emu);
	return status;
}
