/* SPDX-License-Identifier: MIT */
/*
 * sealbox run [OPTIONS] -- PROG [ARGS]: run PROG with memfd_create() and
 * sealing as a current kernel has them, supervised through seccomp user
 * notification. Exit status and signals pass through as with env(1):
 * PROG's status, 128+N when killed by signal N, 125 for sealbox's own
 * errors, 126 when PROG cannot run, 127 when it is not found.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
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
#include <sys/un.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "emulator.h"
#include "fdpass.h"
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
/*
 * The supervisor keeps one open file per emulated memfd: give it the hard
 * limit, and give PROG back the limit it would have had (run_child).
 */
static struct rlimit prog_nofile;

static void raise_own_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &prog_nofile) < 0)
		return;
	rl = prog_nofile;
	rl.rlim_cur = rl.rlim_max;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
}

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
	if (prog_nofile.rlim_max)
		(void)setrlimit(RLIMIT_NOFILE, &prog_nofile);
	if (sb_drop_ptrace_cap() < 0)
		child_fail(err_pipe, 0, EPERM);
	listener = sb_filter_install(e, SB_FILTER_NOTIFY, wait_killable,
				     &installed);
	if (listener < 0)
		child_fail(err_pipe, 0, -listener);
	if (installed) {
		if (sb_send_fd(sock, listener) < 0)
			_exit(SB_EXIT_FAILURE);
		close(listener);
	}
	close(sock);
	execvp(argv[0], argv);
	child_fail(err_pipe, 1, errno);
}

/*
 * Read one signal from sigfd: true for SIGCHLD (time to reap). Any other
 * is passed on to `to`, unless the terminal sent it: it reaches PROG by
 * itself then.
 */
static bool take_signal(int sigfd, pid_t to)
{
	struct signalfd_siginfo si;

	if (read(sigfd, &si, sizeof(si)) != sizeof(si))
		return false;
	if (si.ssi_signo == SIGCHLD)
		return true;
	if (si.ssi_code != SI_KERNEL && to > 0)
		kill(to, (int)si.ssi_signo);
	return false;
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

/*
 * Sessions: the first `sealbox run --session NAME` supervises and listens on
 * an abstract Unix socket; a later one with the same NAME joins it: it
 * receives the plan, starts its PROG under the same filter and hands the
 * listener over, so every process of both trees shares one seal registry.
 */
#define SESSION_MAGIC "sealbox1"
#define MAX_NOTIFIERS 64

struct session_hello {
	char magic[8];
	uint32_t plan_size;
	int32_t fd_base;
	int32_t backing;
	struct sb_plan plan;
};

static int session_address(const char *name, struct sockaddr_un *sa,
			   socklen_t *len)
{
	int n;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	/* abstract: nothing to clean up, gone with the supervisor */
	n = snprintf(sa->sun_path + 1, sizeof(sa->sun_path) - 1,
		     "sealbox-session-%u-%s", (unsigned)getuid(), name);
	if (n < 0 || (size_t)n >= sizeof(sa->sun_path) - 1)
		return -ENAMETOOLONG;
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			   (size_t)n);
	return 0;
}

/* Only the same user (or root) may join or host a session. */
static int peer_allowed(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return neg_errno();
	if (cred.uid != getuid() && cred.uid != 0)
		return -EPERM;
	return 0;
}

struct supervisor {
	pid_t child;
	int sigfd;
	int session;        /* listening socket (host), or -1 */
	int upstream;       /* connection to the host (joined), or -1 */
	struct sb_emulator *emu;
	bool addfd_send, sync_wake_up;
	bool fifo;          /* notifications come oldest first (5.19) */
	struct sb_notify *notify[MAX_NOTIFIERS];
	int member[MAX_NOTIFIERS]; /* a member's connection, kept open so it
				    * sees the host die; -1 for our own */
	size_t nnotify;
	int life;           /* line to the sentinel: PROG's status comes up */
	int exec_err;       /* PROG's exec report, read while serving, or -1 */
	const char *prog;   /* argv[0], for that report */
};

static void add_notifier(struct supervisor *s, int listener, int member)
{
	struct sb_notify *n = NULL;
	int err;

	if (s->nnotify == MAX_NOTIFIERS) {
		close(listener);
		sb_warn("session: too many members");
		return;
	}
	err = sb_notify_new(&n, listener, s->emu, s->addfd_send,
			    s->sync_wake_up, s->fifo);
	if (err < 0) {
		close(listener);
		sb_warn("listener: %s", strerror(-err));
		return;
	}
	s->member[s->nnotify] = member;
	s->notify[s->nnotify++] = n;
}

static void drop_notifier(struct supervisor *s, size_t k)
{
	sb_notify_free(s->notify[k]);
	if (s->member[k] >= 0)
		close(s->member[k]);
	s->nnotify--;
	s->notify[k] = s->notify[s->nnotify];
	s->member[k] = s->member[s->nnotify];
}

static void accept_member(struct supervisor *s)
{
	struct session_hello hello;
	int conn = accept4(s->session, NULL, NULL, SOCK_CLOEXEC), listener;

	if (conn < 0)
		return;
	if (peer_allowed(conn) < 0) {
		close(conn);
		return;
	}
	memset(&hello, 0, sizeof(hello));
	memcpy(hello.magic, SESSION_MAGIC, sizeof(hello.magic));
	hello.plan_size = sizeof(hello.plan);
	hello.fd_base = s->emu->fd_base;
	hello.backing = (int32_t)s->emu->backing.kind;
	hello.plan = s->emu->plan;
	if (send(conn, &hello, sizeof(hello), MSG_NOSIGNAL) == sizeof(hello)) {
		/* the member starts its program, then sends the listener;
		 * a member with nothing to supervise just hangs up */
		struct pollfd p = { conn, POLLIN, 0 };

		if (poll(&p, 1, 10000) == 1 &&
		    (listener = sb_recv_fd(conn)) >= 0) {
			add_notifier(s, listener, conn);
			return;
		}
	}
	close(conn);
}

/*
 * PROG's exec report: nothing (the pipe closed at exec) or the errno of a
 * failed exec, which we print; PROG's exit status (126, 127) follows
 * through the sentinel.
 */
static void read_exec_report(struct supervisor *s)
{
	int msg[2];

	if (read(s->exec_err, msg, sizeof(msg)) == sizeof(msg)) {
		if (msg[0] == 1)
			fprintf(stderr, "sealbox: %s: %s\n", s->prog,
				strerror(msg[1]));
		else
			sb_warn("run: %s", strerror(msg[1]));
	}
	close(s->exec_err);
	s->exec_err = -1;
}

/* PROG's wait status, from the sentinel that exited with `st`. */
static int sentinel_status(struct supervisor *s, int st)
{
	int prog_st;

	if (s->life >= 0 &&
	    read(s->life, &prog_st, sizeof(prog_st)) == sizeof(prog_st))
		st = prog_st;
	else if (WIFEXITED(st))
		st = SB_EXIT_FAILURE << 8; /* it could not say: our error */
	if (s->life >= 0)
		close(s->life);
	s->life = -1;
	return st;
}

/* Reap what has exited; PROG's status (from the sentinel) into *status. */
static void reap_children(struct supervisor *s, int *status, bool *child_done)
{
	for (;;) {
		int st;
		pid_t pid = waitpid(-1, &st, WNOHANG | __WALL);

		if (pid <= 0)
			break;
		if (pid == s->child && !*child_done) {
			*status = sentinel_status(s, st);
			*child_done = true;
		}
	}
}

static void handled_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	for (size_t i = 0; i < SB_ARRAY_SIZE(forwarded); i++)
		sigaddset(set, forwarded[i]);
}

/*
 * Waiting in NOTIF_RECV. With one listener and nothing else to watch (no
 * session, PROG's exec reported), the supervisor waits in NOTIF_RECV
 * itself rather than in poll() first: a system call fewer per notification
 * (about 0.17 of a round trip here, bench/). Signals must then end that
 * wait. While the supervisor serves this way, the signals it handles are
 * unblocked (blocking them around each wait would cost as much as the
 * poll), with a handler that notes them and points the fd the wait uses
 * at /dev/null: a RECV under way ends (EINTR), one about to start fails
 * at once (ENOTTY), so no signal slips in between the last look and the
 * wait. Otherwise they stay blocked and go to the signalfd.
 */
static struct {
	volatile sig_atomic_t came[NSIG]; /* 1: came; 2: from a process */
	volatile sig_atomic_t recv_fd;    /* the wait's fd, or -1 */
	int null_fd;
	int ready;                        /* 1: handlers set; -1: cannot */
} waiting = { .recv_fd = -1, .null_fd = -1 };

static void note_signal(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;

	(void)uc;
	/* the terminal's signals reach PROG by themselves (take_signal) */
	if (sig > 0 && sig < NSIG && (si->si_code != SI_KERNEL ||
				      !waiting.came[sig]))
		waiting.came[sig] = si->si_code != SI_KERNEL ? 2 : 1;
	if (waiting.recv_fd >= 0)
		dup2(waiting.null_fd, waiting.recv_fd);
	errno = saved;
}

/* The handlers, set once: only after PROG and the sentinel were forked. */
static bool wait_ready(void)
{
	struct sigaction sa;

	if (waiting.ready)
		return waiting.ready > 0;
	waiting.ready = -1;
	waiting.null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (waiting.null_fd < 0)
		return false;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = note_signal;
	/*
	 * SA_RESTART for the calls made while a notification is handled;
	 * RECV itself is not restarted (its wait says EINTR), and a RECV
	 * that would be finds /dev/null at its fd. The listener's other
	 * ioctls are made again on EINTR (notify.c).
	 */
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	handled_signals(&sa.sa_mask);
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(&sa.sa_mask, sig) == 1 &&
		    sigaction(sig, &sa, NULL) < 0)
			return false; /* those set stay blocked: harmless */
	waiting.ready = 1;
	return true;
}

static bool may_wait_in_recv(const struct supervisor *s, bool child_done)
{
	return !child_done && s->fifo && s->nnotify == 1 && s->session < 0 &&
	       s->upstream < 0 && s->exec_err < 0 && wait_ready();
}

/* Serve from NOTIF_RECV until a signal comes; then do what it asks. */
static void serve_in_recv(struct supervisor *s, int *status, bool *child_done)
{
	enum { MAX_FAILS = 100 };
	struct sb_notify *n = s->notify[0];
	int fd = fcntl(sb_notify_fd(n), F_DUPFD_CLOEXEC, 0), err = 0, fails = 0;
	sigset_t set;

	if (fd < 0) {
		waiting.ready = -1; /* poll() it is, then */
		return;
	}
	handled_signals(&set);
	waiting.recv_fd = fd;
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	while (err != -EINTR) {
		err = sb_notify_wait_and_handle(n, fd);
		if (err < 0 && err != -EINTR) {
			sb_warn("notification: %s", strerror(-err));
			if (++fails == MAX_FAILS) {
				waiting.ready = -1; /* a RECV that keeps failing */
				break;
			}
		} else {
			fails = 0;
		}
	}
	sigprocmask(SIG_BLOCK, &set, NULL);
	waiting.recv_fd = -1;
	close(fd);
	for (int sig = 1; sig < NSIG; sig++) {
		int came = waiting.came[sig];

		if (!came)
			continue;
		waiting.came[sig] = 0;
		if (sig == SIGCHLD)
			reap_children(s, status, child_done);
		else if (came == 2 && s->child > 0)
			kill(s->child, sig);
	}
}

/* Serve until PROG exits (and, for a session host, every member's tree
 * has gone too). Returns PROG's exit status. */
static int supervise(struct supervisor *s)
{
	int status = 0;
	bool child_done = false, hosting = s->session >= 0;

	for (;;) {
		struct pollfd p[MAX_NOTIFIERS + 3];
		size_t np = 0, first_notify;

		if (child_done && s->child > 0) {
			/* PROG is gone: so is the rest of its tree; a session
			 * host then serves its members until they are done */
			reap_everything(s->child);
			s->child = -1;
			if (s->session >= 0) {
				close(s->session);
				s->session = -1;
			}
		}
		if (child_done && (!hosting || s->nnotify == 0))
			break;
		if (may_wait_in_recv(s, child_done)) {
			serve_in_recv(s, &status, &child_done);
			continue;
		}

		p[np++] = (struct pollfd){ s->sigfd, POLLIN, 0 };
		p[np++] = (struct pollfd){ s->session, POLLIN, 0 };
		p[np++] = (struct pollfd){ s->upstream, POLLIN, 0 };
		p[np++] = (struct pollfd){ s->exec_err, POLLIN, 0 };
		first_notify = np;
		for (size_t i = 0; i < s->nnotify; i++)
			p[np++] = (struct pollfd){ sb_notify_fd(s->notify[i]),
						   POLLIN, 0 };
		if (poll(p, np, -1) < 0) {
			if (errno == EINTR)
				continue;
			sb_die("poll: %s", strerror(errno));
		}
		for (size_t i = np; i-- > first_notify;) {
			size_t k = i - first_notify;
			int err;

			if (!p[i].revents)
				continue;
			err = sb_notify_handle(s->notify[k], p[i].revents);
			if (err == -EPIPE) {
				/* nobody left behind this listener */
				drop_notifier(s, k);
			} else if (err < 0) {
				sb_warn("notification: %s", strerror(-err));
			}
		}
		if (p[3].revents)
			read_exec_report(s);
		if (p[1].revents & POLLIN)
			accept_member(s);
		if (p[2].revents) {
			/* the session's supervisor is gone: so is our tree
			 * (unless PROG has just finished by itself) */
			if (s->life >= 0)
				(void)send(s->life, "k", 1, MSG_NOSIGNAL);
			else if (s->child > 0)
				kill(s->child, SIGKILL);
			close(s->upstream);
			s->upstream = -1;
		}
		if ((p[0].revents & POLLIN) && take_signal(s->sigfd, s->child))
			reap_children(s, &status, &child_done);
	}
	return status_code(status);
}

/* Where libsealbox-preload.so is: $SEALBOX_PRELOAD_LIB, beside the sealbox
 * binary (or in its build tree's preload/), or the installed library dir. */
static bool find_preload(char *out, size_t len)
{
	char exe[PATH_MAX], *slash;
	const char *env = getenv("SEALBOX_PRELOAD_LIB");
	static const char *const rel[] = {
		"libsealbox-preload.so", "preload/libsealbox-preload.so",
		"../lib/libsealbox-preload.so",
	};
	ssize_t n;

	if (env && *env) {
		snprintf(out, len, "%s", env);
		return access(out, R_OK) == 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		for (size_t i = 0; i < SB_ARRAY_SIZE(rel); i++) {
			int k = snprintf(out, len, "%s/%s", exe, rel[i]);

			if (k > 0 && (size_t)k < len && access(out, R_OK) == 0)
				return true;
		}
	}
	snprintf(out, len, "%s/libsealbox-preload.so", SEALBOX_LIBDIR);
	return access(out, R_OK) == 0;
}

/* A statically linked program has no PT_INTERP: no shim can reach it. */
static bool is_static_elf(const char *prog)
{
	char path[PATH_MAX];
	const char *p = prog;
	FILE *f;
	unsigned char hdr[64];
	bool dynamic = false;

	if (!strchr(prog, '/')) {
		/* the same PATH search execvp will make */
		const char *dirs = getenv("PATH");
		char *copy = strdup(dirs ? dirs : "/usr/bin:/bin"), *save = NULL;

		for (char *d = strtok_r(copy, ":", &save); d;
		     d = strtok_r(NULL, ":", &save)) {
			snprintf(path, sizeof(path), "%s/%s", d, prog);
			if (access(path, X_OK) == 0) {
				p = path;
				break;
			}
		}
		free(copy);
	}
	f = fopen(p, "re");
	if (!f)
		return false;
	if (fread(hdr, 1, sizeof(hdr), f) == sizeof(hdr) &&
	    memcmp(hdr, "\177ELF", 4) == 0 && hdr[4] == 2 /* 64-bit */) {
		uint64_t phoff;
		uint16_t phentsize, phnum;

		memcpy(&phoff, hdr + 32, 8);
		memcpy(&phentsize, hdr + 54, 2);
		memcpy(&phnum, hdr + 56, 2);
		for (uint16_t i = 0; i < phnum; i++) {
			uint32_t type;

			if (fseek(f, (long)(phoff + (uint64_t)i * phentsize),
				  SEEK_SET) != 0 ||
			    fread(&type, 4, 1, f) != 1)
				break;
			if (type == 3 /* PT_INTERP */)
				dynamic = true;
		}
	} else {
		dynamic = true; /* a script, or not ELF64: not our call */
	}
	fclose(f);
	return !dynamic;
}

/* sealbox run --preload: no supervisor; the shim in PROG does the work. */
static int run_preload(const struct sb_cli *cli, const char *without,
		       char **argv)
{
	char lib[PATH_MAX], pre[PATH_MAX * 2];
	const char *old = getenv("LD_PRELOAD");
	int err;

	if (!find_preload(lib, sizeof(lib)))
		sb_die("run: --preload: libsealbox-preload.so not found "
		       "(set SEALBOX_PRELOAD_LIB)");
	if (is_static_elf(argv[0]))
		sb_warn("%s is statically linked: the preload shim cannot "
			"reach it", argv[0]);
	snprintf(pre, sizeof(pre), "%s%s%s", lib, old && *old ? ":" : "",
		 old && *old ? old : "");
	setenv("LD_PRELOAD", pre, 1);
	setenv("SEALBOX_PRELOAD_EMULATE", sb_emulate_name(cli->opt.emulate), 1);
	setenv("SEALBOX_PRELOAD_ENFORCE", cli->opt.enforce_user ? "user" :
	       "auto", 1);
	if (without && *without)
		setenv("SEALBOX_FEATURES", without, 1);
	execvp(argv[0], argv);
	err = errno;
	fprintf(stderr, "sealbox: %s: %s\n", argv[0], strerror(err));
	return exec_status(err);
}

static void usage_run(void)
{
	sb_die("run: usage: sealbox run [OPTIONS] -- PROG [ARGS...]");
}

/*
 * Fork PROG under the filter. Returns 0 with *listener (-1 when nothing
 * needs a supervisor), or the exit status to report when PROG could not be
 * started (after saying why).
 */
/*
 * The sentinel stands between the supervisor and PROG, as the subreaper of
 * PROG's tree. Should the supervisor die (its end of the life line closes:
 * SIGKILL, a crash), the sentinel kills the whole tree, so nothing goes on
 * running with calls that nobody answers. When PROG exits, it kills what is
 * left of the tree, sends PROG's wait status up the line and leaves.
 * Signals the supervisor forwards reach PROG through it, and a byte down
 * the line ends the tree (a session member whose host has gone).
 */
__attribute__((noreturn)) static void run_sentinel(int life, pid_t prog)
{
	sigset_t mask;
	int sigfd;

	sigprocmask(SIG_BLOCK, NULL, &mask);
	sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sigfd < 0) {
		kill(prog, SIGKILL);
		reap_everything(-1);
		_exit(SB_EXIT_FAILURE);
	}
	for (;;) {
		struct pollfd p[2] = { { sigfd, POLLIN, 0 }, { life, POLLIN, 0 } };
		char c;

		if (poll(p, 2, -1) < 0)
			continue;
		if (p[1].revents) {
			if (read(life, &c, 1) <= 0) {
				/* the supervisor is gone */
				reap_everything(-1);
				_exit(SB_EXIT_FAILURE);
			}
			/* asked to end the tree: PROG's death says the rest */
			kill(prog, SIGKILL);
		}
		if (!(p[0].revents & POLLIN) || !take_signal(sigfd, prog))
			continue;
		for (;;) {
			int st;
			pid_t pid = waitpid(-1, &st, WNOHANG | __WALL);

			if (pid <= 0)
				break;
			if (pid == prog) {
				reap_everything(-1);
				if (send(life, &st, sizeof(st), MSG_NOSIGNAL) !=
				    sizeof(st))
					_exit(SB_EXIT_FAILURE);
				_exit(0);
			}
		}
	}
}

static int launch(struct sb_emulator *e, bool wait_killable, char **argv,
		  struct supervisor *s, int *listener)
{
	int sock[2], err_pipe[2], life[2], msg[2];
	ssize_t n;

	s->exec_err = -1;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sock) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, life) < 0 ||
	    pipe2(err_pipe, O_CLOEXEC) < 0)
		sb_die("run: %s", strerror(errno));
	fflush(NULL);
	s->child = fork(); /* the sentinel, which starts PROG */
	if (s->child < 0)
		sb_die("run: fork: %s", strerror(errno));
	if (s->child == 0) {
		pid_t sentinel = getpid(), prog;

		close(life[0]);
		close(sock[0]);
		close(err_pipe[0]);
		if (s->sigfd >= 0)
			close(s->sigfd);
		/* no PDEATHSIG here: outliving the supervisor is its job */
		if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
			_exit(SB_EXIT_FAILURE);
		prog = fork();
		if (prog < 0)
			child_fail(err_pipe[1], 0, errno);
		if (prog == 0) {
			close(life[1]);
			run_child(e, wait_killable, sock[1], err_pipe[1],
				  sentinel, argv);
		}
		close(sock[1]);
		close(err_pipe[1]);
		run_sentinel(life[1], prog);
	}
	close(life[1]);
	s->life = life[0];
	close(sock[1]);
	close(err_pipe[1]);
	*listener = sb_recv_fd(sock[0]);
	close(sock[0]);
	s->prog = argv[0];
	if (*listener >= 0) {
		/*
		 * PROG runs under the filter now: its report of a failed
		 * exec is a write() that may itself wait for an answer from
		 * us (strict rules stop writes on every fd). Read it while
		 * serving (supervise).
		 */
		s->exec_err = err_pipe[0];
		return 0;
	}
	/* the exec either happened (pipe closed, nothing read) or not */
	n = read(err_pipe[0], msg, sizeof(msg));
	close(err_pipe[0]);
	if (n == sizeof(msg)) {
		waitpid(s->child, NULL, 0);
		close(s->life);
		s->life = -1;
		if (*listener >= 0)
			close(*listener);
		if (msg[0] == 1) {
			fprintf(stderr, "sealbox: %s: %s\n", argv[0],
				strerror(msg[1]));
			return exec_status(msg[1]);
		}
		sb_die("run: seccomp filter: %s", strerror(msg[1]));
	}
	return 0;
}

/* Block the signals sealbox handles through a signalfd. */
static int take_signals(void)
{
	sigset_t mask;
	int fd;

	handled_signals(&mask);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	fd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (fd < 0)
		sb_die("run: signalfd: %s", strerror(errno));
	return fd;
}

/*
 * Join a running session: take its plan, start PROG under it, hand the
 * listener to the session's supervisor and wait for PROG. Returns -1 when
 * there is no such session (the caller becomes its host).
 */
static int join_session(const char *name, const struct sb_cli *cli,
			char **argv)
{
	struct supervisor s = { -1, -1, -1, -1, NULL, false, false, false,
				{ NULL }, { 0 }, 0 };
	struct session_hello hello;
	struct sb_emulator view;
	struct sockaddr_un sa;
	socklen_t len;
	int conn, listener, ret;

	if (session_address(name, &sa, &len) < 0)
		sb_die("run: --session=%s: name too long", name);
	conn = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (conn < 0)
		sb_die("run: socket: %s", strerror(errno));
	if (connect(conn, (struct sockaddr *)&sa, len) < 0) {
		close(conn);
		return -1;
	}
	if (peer_allowed(conn) < 0)
		sb_die("run: --session=%s: held by another user", name);
	if (recv(conn, &hello, sizeof(hello), 0) != sizeof(hello) ||
	    memcmp(hello.magic, SESSION_MAGIC, sizeof(hello.magic)) != 0 ||
	    hello.plan_size != sizeof(hello.plan))
		sb_die("run: --session=%s: not a session of this sealbox",
		       name);
	/* the filter is built from the host's plan: one set of rules */
	memset(&view, 0, sizeof(view));
	view.plan = hello.plan;
	view.fd_base = hello.fd_base;
	view.backing.kind = (enum sb_backing_kind)hello.backing;
	s.sigfd = take_signals();
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	ret = launch(&view, sb_features_has(&cli->features,
					    SB_F_WAIT_KILLABLE_RECV),
		     argv, &s, &listener);
	if (ret > 0)
		return ret;
	if (listener >= 0) {
		if (sb_send_fd(conn, listener) < 0)
			sb_die("run: --session=%s: hand-over failed", name);
		close(listener);
	}
	s.upstream = conn;
	return supervise(&s);
}

/* Become the host of a new session: listen on its name. */
static int host_session(const char *name)
{
	struct sockaddr_un sa;
	socklen_t len;
	int fd;

	if (session_address(name, &sa, &len) < 0)
		sb_die("run: --session=%s: name too long", name);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		sb_die("run: socket: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&sa, len) < 0 || listen(fd, 16) < 0) {
		int err = errno;

		close(fd);
		return err == EADDRINUSE ? -EADDRINUSE : -err;
	}
	return fd;
}

int sb_cmd_run(int argc, char **argv)
{
	struct sb_cli cli;
	struct sb_plan plan;
	struct sb_emulator emu;
	struct supervisor sup = { -1, -1, -1, -1, NULL, false, false, false,
				  { NULL }, { 0 }, 0 };
	const char *why = NULL, *session = NULL, *without = NULL;
	bool preload = false;
	int i, err, status, listener = -1;

	memset(&cli, 0, sizeof(cli));
	sb_options_init(&cli.opt);
	sb_features_init(&cli.features);
	cli.backing = SB_BACKING_NONE;
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		if (arg[0] != '-')
			break;
		if (strncmp(arg, "--session=", 10) == 0) {
			session = arg + 10;
			continue;
		}
		if (strcmp(arg, "--session") == 0 && i + 1 < argc) {
			session = argv[++i];
			continue;
		}
		if (strcmp(arg, "--preload") == 0) {
			preload = true;
			continue;
		}
		if (strncmp(arg, "--without=", 10) == 0)
			without = arg + 10;
		if (sb_cli_common_option(&cli, argc, argv, &i))
			continue;
		sb_die("run: %s: unknown option", arg);
	}
	if (i >= argc)
		usage_run();
	argv += i;
	if (session && (!*session || strchr(session, '/')))
		sb_die("run: --session=%s: expected a plain name", session);

	if (preload || cli.opt.backend == SB_BACKEND_PRELOAD) {
		char spec[512] = "";

		/* the shim's own override syntax: -name forces off */
		if (without) {
			size_t used = 0;

			for (const char *p = without; *p;) {
				size_t l = strcspn(p, ",");
				int k = snprintf(spec + used, sizeof(spec) - used,
						 "%s-%.*s", used ? "," : "",
						 (int)l, p);

				if (k < 0 || (size_t)k >= sizeof(spec) - used)
					break;
				used += (size_t)k;
				p += l;
				if (*p == ',')
					p++;
			}
		}
		return run_preload(&cli, spec, argv);
	}
	/*
	 * The common case on a current kernel: nothing to provide. Find that
	 * out with the cheap probes alone and get out of the way at once.
	 */
	if (!session && cli.opt.emulate == SB_EMULATE_AUTO && !cli.opt.pretend &&
	    cli.opt.backend == SB_BACKEND_AUTO && sb_cli_probe_provided(&cli)) {
		execvp(argv[0], argv);
		err = errno;
		fprintf(stderr, "sealbox: %s: %s\n", argv[0], strerror(err));
		return exec_status(err);
	}
	sb_cli_probe(&cli);
	if (session) {
		/* two may start at once: whoever binds first hosts */
		for (int attempt = 0; attempt < 20; attempt++) {
			status = join_session(session, &cli, argv);
			if (status >= 0)
				return status;
			sup.session = host_session(session);
			if (sup.session >= 0)
				break;
			if (sup.session != -EADDRINUSE)
				sb_die("run: --session=%s: %s", session,
				       strerror(-sup.session));
			usleep(10000);
		}
		if (sup.session < 0)
			sb_die("run: --session=%s: cannot join or host", session);
		/* a session always has a supervisor, even with nothing to
		 * emulate here, so members can join */
	}
	if (sb_plan_make(&cli.features, &cli.opt, &plan, &why) < 0)
		sb_die("run: --backend=%s: not possible here: %s",
		       sb_backend_name(cli.opt.backend), why);
	if (!session && !plan.intercept_memfd && !plan.intercept_seals &&
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
	if (session && plan.backend != SB_BACKEND_NOTIFY)
		sb_die("run: --session needs the notify backend (%s)",
		       plan.backend_why);

	err = sb_emulator_init(&emu, &plan, &cli.features, cli.backing,
			       pick_fd_base());
	raise_own_nofile();
	/* the registry is the seals: no supervised process may read or
	 * write our memory (process_vm_*, /proc/PID/mem, ptrace) */
	prctl(PR_SET_DUMPABLE, 0);
	if (err < 0)
		sb_die("run: backing store: %s", strerror(-err));
	/* a session's members join through a listener: notify only */
	if (emu.strict_fds && !session &&
	    sb_plan_prefer_ptrace(&plan, &cli.features, &cli.opt))
		emu.plan.backend = plan.backend;
	if (plan.backend == SB_BACKEND_PTRACE) {
		status = sb_ptrace_run(&emu, &cli.features, argv);
		if (status < 0)
			sb_die("run: ptrace backend: %s", strerror(-status));
		sb_emulator_destroy(&emu);
		return status;
	}

	sup.emu = &emu;
	sup.addfd_send = sb_features_has(&cli.features, SB_F_ADDFD_SEND);
	sup.sync_wake_up = sb_features_has(&cli.features, SB_F_SYNC_WAKE_UP);
	/* FIFO notification order came with WAIT_KILLABLE_RECV, in 5.19 */
	sup.fifo = sb_features_has(&cli.features, SB_F_WAIT_KILLABLE_RECV);
	sup.sigfd = take_signals();
	/* orphans of the tree come to us, so none outlives the run */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	status = launch(&emu, sb_features_has(&cli.features,
					      SB_F_WAIT_KILLABLE_RECV),
			argv, &sup, &listener);
	if (status > 0) {
		sb_emulator_destroy(&emu);
		return status;
	}
	if (listener >= 0)
		add_notifier(&sup, listener, -1);

	status = supervise(&sup);
	while (sup.nnotify > 0)
		drop_notifier(&sup, 0);
	if (sup.session >= 0)
		close(sup.session);
	sb_emulator_destroy(&emu);
	return status;
}
