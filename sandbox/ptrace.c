/* SPDX-License-Identifier: MIT */
/*
 * ptrace.c: the ptrace + SECCOMP_RET_TRACE transport.
 *
 * The program runs under the same filter as with seccomp user notification,
 * with SECCOMP_RET_TRACE in place of USER_NOTIF; sealbox PTRACE_SEIZEs it and
 * every thread and process it makes, and each intercepted call arrives as a
 * PTRACE_EVENT_SECCOMP stop. The handlers are the notification backend's.
 *
 * What ptrace lacks, and how it is made up for:
 *
 *  - No pidfd_getfd before 5.6, no ADDFD before 5.9. The supervisor and every
 *    supervised process share a Unix socket, planted by sealbox just below
 *    the emulated fd range before exec (not close-on-exec, so children and
 *    execs keep it). To get the open file behind the caller's fd N, sealbox
 *    makes the stopped thread itself call sendmsg(planted, SCM_RIGHTS N); to
 *    give it a file, sealbox sends the file and makes the thread call
 *    recvmsg(planted), then dup3/F_DUPFD to the number wanted. Both give the
 *    exact open file description, as pidfd_getfd and ADDFD do.
 *
 *  - Injected calls. At a seccomp stop the thread sits at the entry of its
 *    call: the first injected call takes the call's place (change the number
 *    and arguments, PTRACE_SYSCALL, read the result at the exit stop).
 *    Further calls back the instruction pointer up over the syscall
 *    instruction and run it again. Scratch memory (a msghdr, a path) goes
 *    below the thread's stack pointer, past the red zone, where a signal
 *    frame could go at any moment anyway, and is put back as it was.
 *    Whenever the thread could reach user space (between injected calls), its
 *    registers say "about to run this call" and its memory is its own. Once
 *    done, the original registers come back, with the answer in the return
 *    register, or backed up over the instruction so the original call runs
 *    after all (its next seccomp stop is let through once, exactly: same
 *    number, arguments and address, and no signal delivered in between).
 *
 *  - Signals during injected calls are held back (their siginfo saved),
 *    raised again with tkill when the call is finished, and their siginfo
 *    put back at delivery: a handler never runs in the middle of an injected
 *    sequence. When the original call runs after all, they wait until it
 *    has passed its seccomp stop, so that it is not started over for every
 *    signal (defer_signals). A group stop that passes meanwhile is caught up
 *    with PTRACE_INTERRUPT + PTRACE_LISTEN.
 *
 *  - The planted socket can be closed by the program (closefrom, Python's
 *    close_fds). Then sealbox plants a new one: the thread creates a socket,
 *    connects it to an abstract listening socket of sealbox's (only a
 *    connection from that very process, that then carries our nonce and
 *    its own socket, is taken), and moves it to the planted number. Only if
 *    that fails too (the program left the network namespace, or put
 *    something else at that number), get_file opens /proc/PID/fd/N: a NEW
 *    open file description of the same inode, so a write at the file
 *    position starts at the supervisor's own offset (0) instead of the
 *    caller's and does not move the caller's (F_GETFL flags are copied);
 *    and install_fd makes the thread open /proc/SUPERVISOR/fd/M, which for
 *    a new memfd or a reopen is indistinguishable from the real thing (but
 *    needs CAP_SYS_PTRACE: the supervisor is not dumpable). Dups of a
 *    caller's own fd need neither: install_fd recognises the file get_file
 *    just fetched and makes the thread dup its own fd.
 *
 *  - Stops. A group stop is left in place with PTRACE_LISTEN (the real
 *    parent sees it; SIGCONT ends it). A stop the terminal caused (^Z,
 *    background tty access) also stops sealbox once the program has
 *    stopped, as its shell expects; sealbox ignores the terminal's stop
 *    signals itself, so it never stops first and resumes the program too
 *    late. PTRACE_O_EXITKILL: if sealbox dies, so does the whole tree.
 *
 *  - Races. A call let through after a check can find another thread has
 *    swapped its fd (dup2 onto the number): pin_fd_arg gives the thread the
 *    checked file at a spare number and the call runs on that, closed at
 *    the call's exit stop (only where another task shares the fd table). A
 *    call backed up over waits for its seccomp stop while other calls are
 *    handled: if an F_ADD_SEALS was among them, it is checked again.
 *
 *  - A RET_TRACE stop whose data is not sealbox's (0) comes from a filter
 *    someone else stacked: it is answered ENOSYS, as with no tracer.
 *
 *  - A copy from a program's memory that a userfaultfd holds up can wait for
 *    a thread in a ptrace stop only we could end: a watchdog thread kills
 *    that program after MEM_WATCHDOG_MS instead of letting sealbox hang.
 *
 * SEALBOX_PTRACE_STATS=1 prints what the transport did when the run ends.
 */
#include "ptrace.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "fdpass.h"
#include "filter.h"
#include "kcompat.h"
#include "ptrace_arch.h"
#include "util.h"

#ifndef PTRACE_SEIZE
#define PTRACE_SEIZE 0x4206
#endif
#ifndef PTRACE_INTERRUPT
#define PTRACE_INTERRUPT 0x4207
#endif
#ifndef PTRACE_LISTEN
#define PTRACE_LISTEN 0x4208
#endif
#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif
#define SB_PTRACE_GET_SYSCALL_INFO 0x420e /* 5.3 */
#define SB_SYSCALL_INFO_ENTRY 1
#define SB_SYSCALL_INFO_EXIT 2
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL /* 6.9 */
#endif
#define SB_KCMP_FILE 0
#define SB_KCMP_FILES 2

/*
 * sealbox's own SECCOMP_RET_TRACE rules carry data 0. A stop with other
 * data comes from a filter someone else stacked (tests/helpers/legacy-kernel
 * uses RET_TRACE to hide calls): nobody here traces for it, so it gets what
 * an untraced RET_TRACE gives, ENOSYS.
 */
#define SB_TRACE_DATA_OWN 0

#define PAGE 4096UL
#define TRACEE_BUCKETS 1024
#define MAX_HELD_SIGNALS 32
#define MAX_GOT 4
/* scratch space below the stack pointer: red zone, then a gap, then ours */
#define SCRATCH_GAP 256
#define SCRATCH_MAX 512
#define NONCE_LEN 16
#define MAX_PLANTS 256
#define MAX_CANDIDATES 8

struct tracee {
	struct tracee *next;  /* hash chain */
	pid_t tid;
	pid_t tgid;           /* 0: not looked up yet */
	int pidfd;            /* for pidfd_getfd; -1: none yet */
	pid_t pidfd_tgid;     /* > 0: pidfd is this group's (before 6.9) */
	unsigned int plant_hint; /* the plant its fd table held last time */
	/* the original call, backed up over after injected calls: its next
	 * seccomp stop is let through once */
	bool reexec;
	unsigned long reexec_seals; /* seal_seq when it was backed up */
	long reexec_nr;
	uint64_t reexec_args[6];
	uint64_t reexec_ip;
	/* signals held back during injected calls and raised again: the
	 * siginfo to put back when each is delivered (allocated on need) */
	unsigned int nredeliver;
	siginfo_t *redeliver;
	/* signals held until the backed-up original call has passed its
	 * seccomp stop (see defer_signals), and whether a group stop went
	 * by meanwhile (allocated on need) */
	unsigned int ndeferred;
	siginfo_t *deferred;
	bool deferred_group_stop;
	/* another task may use its fd table (a thread, CLONE_FILES): a
	 * checked fd can be swapped under a call, so pin_fd_arg must pin */
	bool shares_files;
	/* pin_fd_arg: the backed-up call runs on our copy of the file at
	 * pin_fd; at its exit stop that number is closed and argument
	 * pin_arg gets pin_val back */
	bool pin_exit;
	bool pin_saw_entry;    /* before 4.8: the entry stop came first */
	int pin_fd;            /* -1: no pinned copy */
	bool pin_reg;          /* argument pin_arg gets pin_val back */
	unsigned int pin_arg;
	uint64_t pin_val;
	/* pin_path_arg: the path's copy at pin_mem_addr; the bytes it
	 * covered go back at the exit stop (pin_mem_len 0: none) */
	uint64_t pin_mem_addr;
	size_t pin_mem_len;
	char pin_mem_saved[SCRATCH_MAX];
	/* swap_fd: at the exit stop (pin_exit), swap_saved goes back to
	 * swap_at; -1: no swap */
	int swap_at, swap_saved;
	bool swap_cloexec;
	bool exec_exit;        /* the exit stop to come ends an exec */
};

/* A socket shared with the programs: our end, and a copy of theirs (to
 * drain it, and for kcmp to recognise it in a program's fd table). */
struct plant {
	int mine;
	int theirs;
	dev_t dev;
	ino_t ino;
};

struct status_entry {
	pid_t pid;
	int status;
};

struct sb_ptrace {
	struct sb_emulator *emu;
	bool use_pidfd_getfd;
	/* plants[0] is the pair made at start; more are made when a program
	 * closed its end (re-planted through the listener) */
	struct plant plants[MAX_PLANTS];
	unsigned int nplants;
	int plant_fd;        /* the planted end's number in every tracee */
	int listener;        /* abstract socket for re-planting; -1: none yet */
	struct sockaddr_un addr;
	socklen_t addrlen;
	int kcmp;            /* 1 works, 0 does not, -1 not tried */
	pid_t self;          /* getpid(), for kcmp */
	/* where the seccomp stop sits relative to the syscall-entry stop:
	 * 1: after it (4.8+), 0: before it, -1: not learnt yet */
	int seccomp_after_entry;
	/* PTRACE_GET_SYSCALL_INFO (5.3): 1 works, 0 does not, -1 not tried */
	int syscall_info;
	/* F_ADD_SEALS calls handled so far: a call backed up before one may
	 * no longer be allowed, and is checked again (on_seccomp_stop) */
	unsigned long seal_seq;
	pid_t root;
	int root_status;
	bool root_done;
	/* a terminal stopped the program (^Z, background tty access): once
	 * it has stopped, sealbox stops too, as its shell expects */
	bool tty_stop;
	struct tracee *buckets[TRACEE_BUCKETS];
	/* wait statuses collected while waiting for one thread, for the loop */
	struct status_entry *pending;
	size_t npending, cap_pending;
	unsigned char nonce_key[8];
	uint64_t nonce_seq;
	/* waiting for stops: poll this long before sleeping (0: never), and
	 * when the last stop of the loop came (ns after its resume; -1: the
	 * loop has not resumed anyone yet) */
	int64_t spin_ns;
	int64_t resumed_at, last_gap;
	struct {
		unsigned long stops, seccomp, passed, foreign, injected;
		unsigned long get_pidfd, get_socket, get_proc;
		unsigned long put_dup, put_socket, put_open, replant;
		unsigned long held_signals, group_stops, pinned, rechecked;
		unsigned long spin_hits, spin_misses;
	} stats;
};

/* One intercepted call being handled: the transport of struct sb_call. */
struct pt_call {
	struct sb_ptrace *pt;
	struct tracee *t;
	/* the call as at the seccomp stop */
	long nr;
	uint64_t args[6];
	uint64_t ip, sp;
	bool native;           /* the native entry (not int 0x80, not x32) */
	unsigned long data;    /* SECCOMP_RET_DATA of the filter's answer */
	/* its registers, read only when something needs them (an answer, an
	 * injected call): a call let through needs none */
	struct sb_regs orig;
	bool have_regs;
	bool slot_used;        /* an injected call took the original's place:
				* the thread sits at a syscall-exit stop */
	bool dead;             /* the thread died under us */
	int64_t reply;         /* install_fd with reply: the call's answer */
	uint64_t scratch;      /* scratch address in the thread, 0: unknown */
	/* what the scratch bytes held before us (read once per call, put
	 * back after each injected call) */
	char scratch_saved[SCRATCH_MAX];
	bool scratch_known;
	uint64_t scratch_page; /* a page mapped for scratch, 0: the stack */
	struct {
		int mine, theirs;  /* get_file results: our fd, their fd */
	} got[MAX_GOT];
	unsigned int ngot;
	bool group_stop_seen;  /* a group stop passed during injected calls */
	bool have_pin;         /* pin_fd_arg: pin_fd replaces args[pin_arg] */
	bool have_ppin;        /* pin_path_arg: the copy of the path at
				* ppin_addr replaces args[ppin_arg] */
	unsigned int ppin_arg;
	uint64_t ppin_addr;
	size_t ppin_len;
	int pin_fd;
	unsigned int pin_arg;
	bool have_swap;        /* swap_fd: the thread's own file at swap_at
				* is kept at swap_saved meanwhile */
	int swap_at, swap_saved;
	bool swap_cloexec;
	unsigned int nheld;
	siginfo_t held[MAX_HELD_SIGNALS];
};

static struct pt_call *pc_of(struct sb_call *c)
{
	return c->transport;
}

/* The registers of the stopped thread as at its seccomp stop. */
static int orig_regs(struct pt_call *pc)
{
	if (!pc->have_regs) {
		if (sb_regs_get(pc->t->tid, &pc->orig) < 0) {
			pc->dead = true;
			return -ESRCH;
		}
		pc->have_regs = true;
	}
	return 0;
}

/* ---- the tracee table ---------------------------------------------------- */

static struct tracee **bucket_of(struct sb_ptrace *pt, pid_t tid)
{
	return &pt->buckets[(unsigned int)tid % TRACEE_BUCKETS];
}

static struct tracee *tracee_find(struct sb_ptrace *pt, pid_t tid)
{
	for (struct tracee *t = *bucket_of(pt, tid); t; t = t->next)
		if (t->tid == tid)
			return t;
	return NULL;
}

static struct tracee *tracee_add(struct sb_ptrace *pt, pid_t tid)
{
	struct tracee *t = tracee_find(pt, tid);

	if (t)
		return t;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->tid = tid;
	t->pidfd = -1;
	t->pidfd_tgid = 0;
	t->pin_fd = -1;
	t->swap_saved = -1;
	/* until its creation says otherwise (a stop can come first) */
	t->shares_files = true;
	t->next = *bucket_of(pt, tid);
	*bucket_of(pt, tid) = t;
	return t;
}

static void tracee_remove(struct sb_ptrace *pt, pid_t tid)
{
	for (struct tracee **pp = bucket_of(pt, tid); *pp; pp = &(*pp)->next) {
		struct tracee *t = *pp;

		if (t->tid != tid)
			continue;
		*pp = t->next;
		if (t->pidfd >= 0)
			close(t->pidfd);
		free(t->redeliver);
		free(t->deferred);
		free(t);
		return;
	}
}

static void push_status(struct sb_ptrace *pt, pid_t pid, int status)
{
	if (pt->npending == pt->cap_pending) {
		size_t cap = pt->cap_pending ? pt->cap_pending * 2 : 16;
		struct status_entry *p = realloc(pt->pending, cap * sizeof(*p));

		if (!p)
			return; /* out of memory: that news is lost */
		pt->pending = p;
		pt->cap_pending = cap;
	}
	pt->pending[pt->npending].pid = pid;
	pt->pending[pt->npending].status = status;
	pt->npending++;
}

static void resume(pid_t tid, long request, int sig)
{
	/* ESRCH: killed meanwhile; its death is reported by waitpid */
	(void)ptrace((enum __ptrace_request)request, tid, NULL,
		     (void *)(uintptr_t)sig);
}

/*
 * Waiting for the next stop. A thread that stops wakes us; asleep on
 * another CPU, that wake-up is the dearest part of a stop (an
 * inter-processor interrupt, and in a VM a halted vCPU the host must
 * schedule again: 40-90 us on the 2-CPU VMs this was measured on, against
 * 15 us for a whole stop with both on one CPU). So while stops come close
 * together (an injected call, a loop of intercepted calls), we poll for
 * the next one a while before sleeping, as an adaptive mutex spins: the
 * thread then finds us awake. The price is CPU time on our side, at most
 * spin_ns per stop and only while stops are that dense; sched_yield lets
 * anything waiting for our CPU (the program itself, under taskset) run.
 */
#define SPIN_NS_DEFAULT 100000

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void spin_setup(struct sb_ptrace *pt)
{
	const char *env = getenv("SEALBOX_PTRACE_SPIN_US");
	cpu_set_t cpus;

	pt->spin_ns = SPIN_NS_DEFAULT;
	pt->resumed_at = -1;
	pt->last_gap = 0;
	if (env && *env) {
		char *end;
		long us = strtol(env, &end, 10);

		if (end != env && *end == '\0' && us >= 0 && us <= 100000)
			pt->spin_ns = (int64_t)us * 1000;
		else
			sb_warn("SEALBOX_PTRACE_SPIN_US=%s: not 0 to 100000 "
				"microseconds; polling %d us", env,
				SPIN_NS_DEFAULT / 1000);
	}
	/* on one CPU, a stop can only come while we do not run */
	if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0 &&
	    CPU_COUNT(&cpus) < 2)
		pt->spin_ns = 0;
}

/*
 * waitpid(-1, status, __WALL), polling first for up to pt->spin_ns when
 * soon says a stop is due (the caller just resumed a thread into a call
 * that returns at once) or the loop's last stop came within that long.
 * (A sleeping wait's gap includes the wake-up, so stops 10 us apart can
 * measure 60-100 us once; then polling finds them and they measure 10.
 * Stops that come a little later than spin_ns, every time, cost a poll
 * of spin_ns for every other one: at most half a CPU.)
 */
static pid_t wait_stop(struct sb_ptrace *pt, int *status, bool soon)
{
	pid_t r;

	if (pt->spin_ns > 0 &&
	    (soon || (pt->resumed_at >= 0 && pt->last_gap <= pt->spin_ns))) {
		int64_t until = mono_ns() + pt->spin_ns;

		do {
			r = waitpid(-1, status, __WALL | WNOHANG);
			if (r != 0) {
				if (r > 0)
					pt->stats.spin_hits++;
				return r;
			}
			sched_yield();
		} while (mono_ns() < until);
		pt->stats.spin_misses++;
	}
	return waitpid(-1, status, __WALL);
}

static bool is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN ||
	       sig == SIGTTOU;
}

/* ---- the thread's memory ------------------------------------------------ */

/*
 * A copy from a program's memory can wait forever: a page registered with
 * userfaultfd (not UFFD_USER_MODE_ONLY) waits for the program's fault
 * handler thread, which may sit in a ptrace stop only this thread can end
 * (a new thread's first stop, a queued seccomp stop): a deadlock. No signal
 * interrupts the wait (it is killable only), and no other thread may make
 * ptrace requests. So a watchdog thread kills the program when one copy
 * has taken longer than MEM_WATCHDOG_MS; its exit releases the fault.
 */
#define MEM_WATCHDOG_MS 3000

static struct {
	pthread_t thread;
	bool running;
	int wake[2];            /* closing wake[1] ends the watchdog */
	int64_t since;          /* CLOCK_MONOTONIC ms of the copy; 0: none */
	pid_t target;
	unsigned long kills;
} watch = { .wake = { -1, -1 } };

static int64_t mono_ms(void)
{
	return mono_ns() / 1000000;
}

static void *watchdog(void *arg)
{
	struct pollfd p = { watch.wake[0], POLLIN, 0 };

	(void)arg;
	while (poll(&p, 1, MEM_WATCHDOG_MS / 4) == 0 ||
	       (p.revents == 0)) {
		int64_t since = __atomic_load_n(&watch.since, __ATOMIC_ACQUIRE);
		pid_t target = __atomic_load_n(&watch.target, __ATOMIC_ACQUIRE);

		if (since && target > 0 && mono_ms() - since > MEM_WATCHDOG_MS &&
		    __atomic_compare_exchange_n(&watch.since, &since, 0, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			kill(target, SIGKILL);
			__atomic_add_fetch(&watch.kills, 1, __ATOMIC_RELAXED);
		}
	}
	return NULL;
}

static void watchdog_start(void)
{
	sigset_t all, old;

	if (watch.running || pipe2(watch.wake, O_CLOEXEC) < 0)
		return;
	/* signals stay with the main thread */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	watch.running = pthread_create(&watch.thread, NULL, watchdog, NULL) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!watch.running) {
		close(watch.wake[0]);
		close(watch.wake[1]);
		watch.wake[0] = watch.wake[1] = -1;
	}
}

static void watchdog_stop(void)
{
	if (!watch.running)
		return;
	close(watch.wake[1]);
	pthread_join(watch.thread, NULL);
	close(watch.wake[0]);
	watch.wake[0] = watch.wake[1] = -1;
	watch.running = false;
}

static void watch_begin(pid_t tid)
{
	__atomic_store_n(&watch.target, tid, __ATOMIC_RELEASE);
	__atomic_store_n(&watch.since, mono_ms(), __ATOMIC_RELEASE);
}

static void watch_end(void)
{
	__atomic_store_n(&watch.since, 0, __ATOMIC_RELEASE);
}

/* process_vm_* works (1), does not (0: seccomp, old kernel), not tried (-1) */
static int vm_ok = -1;

/*
 * process_vm_readv transfers whole iovec elements only: split the range at
 * page boundaries so a fault stops the copy at the first unreadable page,
 * as copy_from_user would. Returns bytes copied, or -errno.
 */
static ssize_t vm_read(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local, remote[64];
	size_t done = 0;

	while (done < len) {
		size_t chunk = 0;
		int cnt = 0;
		ssize_t n;

		while (cnt < 64 && done + chunk < len) {
			uint64_t at = addr + done + chunk;
			size_t room = PAGE - (at & (PAGE - 1));

			if (room > len - done - chunk)
				room = len - done - chunk;
			remote[cnt].iov_base = (void *)(uintptr_t)at;
			remote[cnt].iov_len = room;
			chunk += room;
			cnt++;
		}
		local.iov_base = (char *)buf + done;
		local.iov_len = chunk;
		n = process_vm_readv(tid, &local, 1, remote,
				     (unsigned long)cnt, 0);
		if (n < 0) {
			if (done > 0)
				break;
			return neg_errno();
		}
		done += (size_t)n;
		if ((size_t)n < chunk)
			break;
	}
	return (ssize_t)done;
}

/* /proc/TID/mem stops at the first page it cannot read, as we want. */
static ssize_t procmem_rw(pid_t tid, uint64_t addr, void *buf, size_t len,
			  bool write_it)
{
	char path[64];
	autoclose int fd = -1;
	size_t done = 0;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)tid);
	fd = open(path, (write_it ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return neg_errno();
	while (done < len) {
		ssize_t n = write_it ?
			pwrite(fd, (char *)buf + done, len - done,
			       (off_t)(addr + done)) :
			pread(fd, (char *)buf + done, len - done,
			      (off_t)(addr + done));

		if (n <= 0) {
			if (done > 0)
				break;
			return n < 0 && errno == ESRCH ? -ESRCH : -EFAULT;
		}
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/* The last resort: word by word. */
static ssize_t peek_read(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		uint64_t at = addr + done;
		uint64_t base = at & ~(uint64_t)(sizeof(long) - 1);
		size_t skip = (size_t)(at - base);
		size_t n = sizeof(long) - skip;
		long word;

		errno = 0;
		word = ptrace(PTRACE_PEEKDATA, tid, (void *)(uintptr_t)base,
			      NULL);
		if (errno)
			break;
		if (n > len - done)
			n = len - done;
		memcpy((char *)buf + done, (char *)&word + skip, n);
		done += n;
	}
	return done == 0 && len > 0 ? -EFAULT : (ssize_t)done;
}

static ssize_t mem_read_raw(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	ssize_t n;

	if (len == 0)
		return 0;
	if (vm_ok != 0) {
		n = vm_read(tid, addr, buf, len);
		if (n >= 0 || n == -ESRCH)
			return n;
		if (n != -ENOSYS && n != -EPERM)
			return n == -EFAULT || n == -ENOMEM ? -EFAULT : n;
		vm_ok = 0;
	}
	n = procmem_rw(tid, addr, buf, len, false);
	if (n >= 0 || n == -EFAULT || n == -ESRCH)
		return n;
	return peek_read(tid, addr, buf, len);
}

static ssize_t poke_write(pid_t tid, uint64_t addr, const void *buf,
			  size_t len);

static ssize_t mem_write_raw(pid_t tid, uint64_t addr, const void *buf,
			     size_t len)
{
	if (len == 0)
		return 0;
	if (vm_ok != 0) {
		struct iovec local = { (void *)(uintptr_t)buf, len };
		struct iovec remote = { (void *)(uintptr_t)addr, len };
		ssize_t n = process_vm_writev(tid, &local, 1, &remote, 1, 0);

		if (n == (ssize_t)len)
			return n;
		if (n >= 0 || errno == EFAULT || errno == ENOMEM)
			return -EFAULT;
		if (errno == ESRCH)
			return -ESRCH;
		if (errno != ENOSYS && errno != EPERM)
			return neg_errno();
		vm_ok = 0;
	}
	/* /proc/PID/mem writes even where the program could not: only a
	 * fallback, and used for scratch and answers the program asked for */
	{
		ssize_t n = procmem_rw(tid, addr, (void *)(uintptr_t)buf, len,
				       true);

		if (n == (ssize_t)len)
			return n;
		if (n == -ESRCH)
			return n;
	}
	return poke_write(tid, addr, buf, len);
}

/*
 * Write where the program itself cannot (its code: a copy-on-write page
 * of the mapping), as a debugger plants a breakpoint.
 */
static ssize_t text_write(pid_t tid, uint64_t addr, const void *buf,
			  size_t len)
{
	ssize_t n = procmem_rw(tid, addr, (void *)(uintptr_t)buf, len, true);

	if (n == (ssize_t)len || n == -ESRCH)
		return n;
	return poke_write(tid, addr, buf, len);
}

static ssize_t poke_write(pid_t tid, uint64_t addr, const void *buf,
			  size_t len)
{
	for (size_t done = 0; done < len; done += sizeof(long)) {
		long word = 0;
		size_t n = len - done < sizeof(long) ? len - done : sizeof(long);
		uint64_t at = addr + done;

		if (n < sizeof(long)) {
			errno = 0;
			word = ptrace(PTRACE_PEEKDATA, tid,
				      (void *)(uintptr_t)at, NULL);
			if (errno)
				return -EFAULT;
		}
		memcpy(&word, (const char *)buf + done, n);
		if (ptrace(PTRACE_POKEDATA, tid, (void *)(uintptr_t)at,
			   (void *)word) < 0)
			return -EFAULT;
	}
	return (ssize_t)len;
}

static ssize_t mem_read(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	ssize_t n;

	watch_begin(tid);
	n = mem_read_raw(tid, addr, buf, len);
	watch_end();
	return n;
}

static ssize_t mem_write(pid_t tid, uint64_t addr, const void *buf,
			 size_t len)
{
	ssize_t n;

	watch_begin(tid);
	n = mem_write_raw(tid, addr, buf, len);
	watch_end();
	return n;
}

/* ---- waiting for one thread during injected calls ----------------------- */

/*
 * Hold a signal back: the thread is in the middle of calls it did not
 * make, and a handler must not run (nor its frame land on our scratch).
 */
static void hold_signal(struct pt_call *pc, int sig)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (ptrace(PTRACE_GETSIGINFO, pc->t->tid, NULL, &si) < 0) {
		si.si_signo = sig;
		si.si_code = SI_KERNEL;
	}
	if (pc->nheld < MAX_HELD_SIGNALS)
		pc->held[pc->nheld++] = si;
	pc->pt->stats.held_signals++;
	/* beyond that (a flood of queued real-time signals): dropped */
}

/*
 * Resume the thread with PTRACE_SYSCALL and wait for its next syscall stop,
 * letting everything else pass: seccomp stops (the injected call, filtered
 * again), group stops (caught up with later), signals (held back). Returns
 * 0 at a syscall stop, -ESRCH if the thread died.
 *
 * (PTRACE_SINGLESTEP over the syscall instruction would end an injected
 * call in one stop instead of two, but the kernel reports the step with a
 * forced SIGTRAP: one the program blocks or ignores gets its handler reset
 * and unblocked, and one already pending swallows the report, leaving the
 * program running single-stepped. Not worth a stop.)
 */
static int next_syscall_stop(struct pt_call *pc)
{
	pid_t tid = pc->t->tid;

	for (;;) {
		int status;
		pid_t r;

		/* held signals are resumed without: 0. ESRCH (killed) is
		 * reported by waitpid */
		resume(tid, PTRACE_SYSCALL, 0);
	again:
		/*
		 * Wait for anyone, not just tid: an exec in another thread
		 * waits (in de_thread) until we reap the threads it killed,
		 * and only then reports, under this very id. Other news is
		 * the loop's, in order.
		 */
		do
			r = wait_stop(pc->pt, &status, true);
		while (r < 0 && errno == EINTR);
		if (r < 0) {
			pc->dead = true;
			return -ESRCH;
		}
		if (r != tid) {
			push_status(pc->pt, r, status);
			goto again;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			push_status(pc->pt, tid, status);
			pc->dead = true;
			return -ESRCH;
		}
		if (!WIFSTOPPED(status))
			continue;
		int stopsig = WSTOPSIG(status);
		unsigned int event = (unsigned int)status >> 16;

		if (stopsig == (SIGTRAP | 0x80) && event == 0)
			return 0;
		if (event == PTRACE_EVENT_STOP) {
			if (is_stop_signal(stopsig))
				pc->group_stop_seen = true;
			continue;
		}
		if (event == PTRACE_EVENT_EXEC) {
			/* another thread exec'd and took this thread's id:
			 * ours is gone, the new program is the loop's */
			push_status(pc->pt, tid, status);
			pc->dead = true;
			return -ESRCH;
		}
		if (event != 0)
			continue; /* PTRACE_EVENT_SECCOMP of the injected call */
		hold_signal(pc, stopsig);
	}
}

/* Is the thread at a syscall-entry stop (rather than an exit stop)? */
static bool at_entry_stop(struct pt_call *pc)
{
	unsigned char info[128];
	struct sb_regs regs;
	long n = ptrace((enum __ptrace_request)SB_PTRACE_GET_SYSCALL_INFO,
			pc->t->tid, (void *)sizeof(info), info);

	if (n > 0)
		return info[0] == SB_SYSCALL_INFO_ENTRY;
	/* before 5.3: the entry stop shows -ENOSYS in the return register;
	 * the calls sealbox injects never return ENOSYS themselves */
	return sb_regs_get(pc->t->tid, &regs) == 0 &&
	       sb_regs_looks_like_entry(&regs);
}

/* ---- injected calls ---------------------------------------------------- */

/*
 * Where scratch memory goes: below the stack pointer, past the red zone
 * and a gap, as a signal frame would. When that is not mapped (the stack
 * grows on faults, process_vm_writev does not make it grow) a page is
 * mapped for the call and unmapped at the end.
 */
static int inject(struct pt_call *pc, long nr, const uint64_t *args,
		  int nargs, const void *mem, size_t memlen, void *back,
		  size_t backlen, int64_t *ret);

static int scratch_addr(struct pt_call *pc, uint64_t *addr)
{
	uint64_t a;

	if (pc->scratch) {
		*addr = pc->scratch;
		return 0;
	}
	a = (pc->sp - SB_RED_ZONE - SCRATCH_GAP - SCRATCH_MAX) &
	    ~(uint64_t)63;
	if (mem_read(pc->t->tid, a, pc->scratch_saved, SCRATCH_MAX) ==
	    (ssize_t)SCRATCH_MAX) {
		pc->scratch = a;
		pc->scratch_known = true;
	} else {
		uint64_t args[6] = { 0, PAGE, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS,
				     (uint64_t)-1, 0 };
		int64_t r = 0;
		int err = inject(pc, SYS_mmap, args, 6, NULL, 0, NULL, 0, &r);

		if (err < 0)
			return err;
		if (r < 0 && r > -4096)
			return (int)r;
		pc->scratch = pc->scratch_page = (uint64_t)r;
	}
	*addr = pc->scratch;
	return 0;
}

/*
 * Make the stopped thread run nr(args) and give its result in *ret. mem is
 * written at the scratch address just before the call runs, back read from
 * it just after, and the scratch bytes are restored before the thread can
 * reach user space again. Returns 0, or -errno when the injection itself
 * failed (-ESRCH: the thread died).
 */
static int inject(struct pt_call *pc, long nr, const uint64_t *args,
		  int nargs, const void *mem, size_t memlen, void *back,
		  size_t backlen, int64_t *ret)
{
	pid_t tid = pc->t->tid;
	struct sb_regs regs;
	size_t span = memlen > backlen ? memlen : backlen;
	uint64_t at = pc->scratch;
	int err;

	if (pc->dead || orig_regs(pc) < 0)
		return -ESRCH;
	regs = pc->orig;
	if (span > SCRATCH_MAX || (span && !at))
		return -EINVAL;
	if (span && !pc->scratch_known) {
		/* a mapped page: ours for the call, nothing to put back */
		memset(pc->scratch_saved, 0, SCRATCH_MAX);
		pc->scratch_known = true;
	}
	pc->pt->stats.injected++;
	for (int i = 0; i < 6; i++)
		sb_regs_set_arg(&regs, i, i < nargs ? args[i] : 0);

	if (!pc->slot_used) {
		/* at the seccomp stop: this call takes the original's place */
		sb_regs_change_call(&regs, nr);
		if (memlen && mem_write(tid, at, mem, memlen) != (ssize_t)memlen)
			return -EFAULT;
		err = sb_regs_set(tid, &regs);
		if (err < 0)
			return err;
		pc->slot_used = true;
		err = next_syscall_stop(pc);
		if (err < 0)
			return err;
		/* before 4.8 the seccomp stop came before the entry stop */
		if (pc->pt->seccomp_after_entry < 0)
			pc->pt->seccomp_after_entry = !at_entry_stop(pc);
		if (!pc->pt->seccomp_after_entry) {
			err = next_syscall_stop(pc);
			if (err < 0)
				return err;
		}
	} else {
		/* at the exit stop of the previous one: run the instruction
		 * again as this call; memory is written at its entry stop,
		 * after any signal that could have clobbered it */
		sb_regs_rewind(&regs, nr);
		err = sb_regs_set(tid, &regs);
		if (err < 0)
			return err;
		err = next_syscall_stop(pc);
		if (err < 0)
			return err;
		if (memlen && mem_write(tid, at, mem, memlen) != (ssize_t)memlen)
			err = -EFAULT; /* run it anyway: it must come to its exit */
		if (next_syscall_stop(pc) < 0)
			return -ESRCH;
		if (err < 0)
			return err;
	}

	err = sb_regs_get(tid, &regs);
	if (err < 0) {
		pc->dead = true;
		return -ESRCH;
	}
	*ret = sb_regs_ret(&regs);
	if (backlen && mem_read(tid, at, back, backlen) != (ssize_t)backlen)
		memset(back, 0, backlen);
	if (span)
		(void)mem_write(tid, at, pc->scratch_saved, span);
	return 0;
}

/* One injected call without memory; returns its result or -errno. */
static int64_t inject_simple(struct pt_call *pc, long nr, uint64_t a0,
			     uint64_t a1, uint64_t a2)
{
	uint64_t args[3] = { a0, a1, a2 };
	int64_t r = 0;
	int err = inject(pc, nr, args, 3, NULL, 0, NULL, 0, &r);

	return err < 0 ? err : r;
}

/* ---- the planted sockets --------------------------------------------------- */

static pid_t tgid_of(struct tracee *t)
{
	if (t->tgid <= 0) {
		char path[64], line[128];
		FILE *f;
		int tgid = -ESRCH;

		snprintf(path, sizeof(path), "/proc/%d/status", (int)t->tid);
		f = fopen(path, "re");
		if (f) {
			while (fgets(line, sizeof(line), f))
				if (sscanf(line, "Tgid: %d", &tgid) == 1)
					break;
			fclose(f);
		}
		if (tgid < 0)
			return -ESRCH;
		t->tgid = tgid;
	}
	return t->tgid;
}

/*
 * Which of our sockets the thread holds at plant_fd: its index, -1 when
 * the number is free, -2 when something else is there.
 */
static int plant_find(struct pt_call *pc)
{
	struct sb_ptrace *pt = pc->pt;
	struct tracee *t = pc->t;
	unsigned int hint = t->plant_hint < pt->nplants ? t->plant_hint : 0;
	char path[64];
	struct stat st;

	if (pt->kcmp != 0) {
		for (unsigned int k = 0; k < pt->nplants; k++) {
			unsigned int i = (hint + k) % pt->nplants;
			long r = syscall(SYS_kcmp, pt->self, t->tid,
					 SB_KCMP_FILE, pt->plants[i].theirs,
					 pt->plant_fd);

			if (r == 0) {
				pt->kcmp = 1;
				t->plant_hint = i;
				return (int)i;
			}
			if (r > 0)
				continue;
			if (errno == EBADF)
				return -1;
			if (errno == ESRCH)
				return -2;
			/* ENOSYS (no CONFIG_CHECKPOINT_RESTORE), EPERM */
			pt->kcmp = 0;
			break;
		}
		if (pt->kcmp != 0)
			return -2;
	}
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)t->tid,
		 pt->plant_fd);
	if (stat(path, &st) < 0)
		return errno == ENOENT ? -1 : -2;
	for (unsigned int i = 0; i < pt->nplants; i++) {
		if (pt->plants[i].ino == st.st_ino &&
		    pt->plants[i].dev == st.st_dev) {
			t->plant_hint = i;
			return (int)i;
		}
	}
	return -2;
}

/* Is our fd `mine` the very open file the thread holds as `theirs`? */
static int same_file(struct pt_call *pc, int mine, int theirs)
{
	long r;

	if (pc->pt->kcmp == 0)
		return -ENOSYS;
	r = syscall(SYS_kcmp, pc->pt->self, pc->t->tid, SB_KCMP_FILE, mine,
		    theirs);
	if (r < 0)
		return errno == EBADF ? 0 : -ENOSYS;
	return r == 0;
}

static void drain(int sock)
{
	for (;;) {
		char buf[64];
		union {
			struct cmsghdr h;
			char b[CMSG_SPACE(sizeof(int) * 16)];
		} u;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh;
		struct cmsghdr *cm;

		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = u.b;
		mh.msg_controllen = sizeof(u.b);
		if (recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) < 0)
			return;
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level != SOL_SOCKET ||
			    cm->cmsg_type != SCM_RIGHTS)
				continue;
			for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) /
			     sizeof(int); i++) {
				int fd;

				memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
				       sizeof(fd));
				close(fd);
			}
		}
	}
}

static void make_nonce(struct sb_ptrace *pt, unsigned char out[NONCE_LEN])
{
	uint64_t seq = ++pt->nonce_seq;

	memcpy(out, pt->nonce_key, 8);
	memcpy(out + 8, &seq, 8);
}

/* What sealbox writes into the thread for sendmsg/recvmsg on a socket. */
struct wire_msg {
	struct msghdr mh;
	struct iovec iov;
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} cm;
	unsigned char payload[NONCE_LEN];
};

static void wire_init(struct wire_msg *w, uint64_t at)
{
	memset(w, 0, sizeof(*w));
	w->mh.msg_iov = (struct iovec *)(uintptr_t)
			(at + offsetof(struct wire_msg, iov));
	w->mh.msg_iovlen = 1;
	w->mh.msg_control = (void *)(uintptr_t)
			    (at + offsetof(struct wire_msg, cm));
	w->mh.msg_controllen = sizeof(w->cm.b);
	w->iov.iov_base = (void *)(uintptr_t)
			  (at + offsetof(struct wire_msg, payload));
	w->iov.iov_len = NONCE_LEN;
}

/* A message carrying the thread's fd `fd` and the nonce. */
static void wire_send_fd(struct wire_msg *w, uint64_t at,
			 const unsigned char *nonce, int fd)
{
	struct cmsghdr *cm = &w->cm.h;

	wire_init(w, at);
	memcpy(w->payload, nonce, NONCE_LEN);
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
}

/*
 * Take the message with our nonce off sock. A sibling thread may have read
 * the nonce and sent one of its own first: kcmp tells the real one (the
 * very file at `theirs`) apart, where it works.
 */
static int take_file(struct pt_call *pc, int sock,
		     const unsigned char *nonce, int theirs)
{
	for (;;) {
		unsigned char buf[NONCE_LEN];
		union {
			struct cmsghdr h;
			char b[CMSG_SPACE(sizeof(int) * 4)];
		} u;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh;
		struct cmsghdr *cm;
		int fd = -1;
		ssize_t n;

		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = u.b;
		mh.msg_controllen = sizeof(u.b);
		n = recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0)
			return -EAGAIN;
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level != SOL_SOCKET ||
			    cm->cmsg_type != SCM_RIGHTS)
				continue;
			for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) /
			     sizeof(int); i++) {
				int got;

				memcpy(&got, CMSG_DATA(cm) + i * sizeof(int),
				       sizeof(got));
				if (fd < 0)
					fd = got;
				else
					close(got);
			}
		}
		if (fd < 0)
			continue;
		if (n == NONCE_LEN && memcmp(buf, nonce, NONCE_LEN) == 0 &&
		    same_file(pc, fd, theirs) != 0)
			return fd;
		close(fd);
	}
}

static void plant_close(struct plant *p)
{
	close(p->mine);
	close(p->theirs);
}

static int plant_add(struct sb_ptrace *pt, int mine, int theirs)
{
	struct stat st;

	if (fstat(theirs, &st) < 0)
		return neg_errno();
	if (pt->nplants == MAX_PLANTS) {
		/* the oldest re-planted socket goes (never the first one):
		 * programs still holding it fall back to /proc */
		plant_close(&pt->plants[1]);
		memmove(&pt->plants[1], &pt->plants[2],
			(MAX_PLANTS - 2) * sizeof(pt->plants[0]));
		pt->nplants--;
	}
	pt->plants[pt->nplants].mine = mine;
	pt->plants[pt->nplants].theirs = theirs;
	pt->plants[pt->nplants].dev = st.st_dev;
	pt->plants[pt->nplants].ino = st.st_ino;
	return (int)pt->nplants++;
}

/*
 * An abstract Unix socket the programs can connect to, to get a socket
 * shared with sealbox again. Anyone in the network namespace can connect;
 * only connections from the process being re-planted are taken, and only
 * the one that then carries our nonce and its own socket.
 */
static int listener_open(struct sb_ptrace *pt)
{
	int fd, n;

	if (pt->listener >= 0)
		return 0;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return neg_errno();
	memset(&pt->addr, 0, sizeof(pt->addr));
	pt->addr.sun_family = AF_UNIX;
	n = snprintf(pt->addr.sun_path + 1, sizeof(pt->addr.sun_path) - 1,
		     "sealbox-%d-%02x%02x%02x%02x%02x%02x%02x%02x",
		     (int)getpid(), pt->nonce_key[0], pt->nonce_key[1],
		     pt->nonce_key[2], pt->nonce_key[3], pt->nonce_key[4],
		     pt->nonce_key[5], pt->nonce_key[6], pt->nonce_key[7]);
	pt->addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
				  (size_t)n);
	if (bind(fd, (struct sockaddr *)&pt->addr, pt->addrlen) < 0 ||
	    listen(fd, MAX_CANDIDATES) < 0) {
		int err = neg_errno();

		close(fd);
		return err;
	}
	pt->listener = fd;
	return 0;
}

/*
 * The program closed the socket (closefrom, close_fds): make the thread
 * create a new one, connect it to our listener, send it to us over
 * itself (so kcmp knows it later), and move it to plant_fd, inheritable.
 * Returns the plant's index or -errno.
 */
static int replant(struct pt_call *pc)
{
	struct sb_ptrace *pt = pc->pt;
	struct wire_msg w;
	unsigned char nonce[NONCE_LEN];
	int cand[MAX_CANDIDATES], ncand = 0, mine = -1, copy = -1, tmp, err;
	uint64_t at, args[3];
	int64_t r = 0;
	pid_t tgid = tgid_of(pc->t);

	if (tgid < 0)
		return tgid;
	err = listener_open(pt);
	if (err < 0)
		return err;
	err = scratch_addr(pc, &at);
	if (err < 0)
		return err;
	for (int fd; (fd = accept4(pt->listener, NULL, NULL, SOCK_CLOEXEC)) >= 0;)
		close(fd); /* stale connections: not from this attempt */
	/* non-blocking: a connect to a flooded backlog fails, never waits */
	r = inject_simple(pc, SYS_socket, AF_UNIX,
			  SOCK_SEQPACKET | SOCK_NONBLOCK, 0);
	if (r < 0)
		return (int)r;
	tmp = (int)r;
	args[0] = (uint64_t)tmp;
	args[1] = at;
	args[2] = pt->addrlen;
	err = inject(pc, SYS_connect, args, 3, &pt->addr, pt->addrlen, NULL, 0,
		     &r);
	if (err == 0 && r < 0)
		err = (int)r;
	if (err == 0) {
		for (int fd; ncand < MAX_CANDIDATES &&
		     (fd = accept4(pt->listener, NULL, NULL, SOCK_CLOEXEC)) >= 0;) {
			struct ucred uc;
			socklen_t len = sizeof(uc);

			if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc,
				       &len) == 0 && uc.pid == tgid)
				cand[ncand++] = fd;
			else
				close(fd);
		}
		if (ncand == 0)
			err = -ECONNREFUSED;
	}
	if (err == 0) {
		make_nonce(pt, nonce);
		wire_send_fd(&w, at, nonce, tmp);
		args[0] = (uint64_t)tmp;
		args[1] = at;
		args[2] = MSG_DONTWAIT | MSG_NOSIGNAL;
		err = inject(pc, SYS_sendmsg, args, 3, &w, sizeof(w), NULL, 0,
			     &r);
		if (err == 0 && r != NONCE_LEN)
			err = r < 0 ? (int)r : -EIO;
	}
	for (int i = 0; i < ncand; i++) {
		if (err == 0 && mine < 0) {
			copy = take_file(pc, cand[i], nonce, tmp);
			if (copy >= 0) {
				mine = cand[i];
				continue;
			}
		}
		close(cand[i]);
	}
	if (err == 0 && mine < 0)
		err = -ECONNREFUSED;
	if (err == 0 && tmp != pt->plant_fd) {
		r = inject_simple(pc, SYS_dup3, (uint64_t)tmp,
				  (uint64_t)pt->plant_fd, 0);
		if (r != pt->plant_fd)
			err = r < 0 ? (int)r : -EBUSY;
	}
	if (tmp != pt->plant_fd || err < 0)
		(void)inject_simple(pc, SYS_close, (uint64_t)tmp, 0, 0);
	if (err == 0)
		err = plant_add(pt, mine, copy);
	if (err < 0) {
		if (mine >= 0)
			close(mine);
		if (copy >= 0)
			close(copy);
		return err;
	}
	pt->stats.replant++;
	pc->t->plant_hint = (unsigned int)err;
	return err;
}

/* The plant the thread holds, re-planted if need be; -ENOTSOCK: none. */
static int plant_get(struct pt_call *pc)
{
	int i = plant_find(pc);

	if (i >= 0)
		return i;
	if (i == -1 && !pc->dead) {
		i = replant(pc);
		if (i >= 0)
			return i;
	}
	return pc->dead ? -ESRCH : -ENOTSOCK;
}

/* get_file through a planted socket; -ENOTSOCK when there is none. */
static int get_file_by_socket(struct pt_call *pc, int fd)
{
	struct sb_ptrace *pt = pc->pt;
	struct wire_msg w;
	unsigned char nonce[NONCE_LEN];
	uint64_t at, args[3];
	int64_t r = 0;
	int err, i;

	i = plant_get(pc);
	if (i < 0)
		return i;
	err = scratch_addr(pc, &at);
	if (err < 0)
		return err;
	/* strays on our end are skipped by take_file */
	make_nonce(pt, nonce);
	wire_send_fd(&w, at, nonce, fd);
	args[0] = (uint64_t)pt->plant_fd;
	args[1] = at;
	args[2] = MSG_DONTWAIT | MSG_NOSIGNAL;
	err = inject(pc, SYS_sendmsg, args, 3, &w, sizeof(w), NULL, 0, &r);
	if (err == 0 && r == -EAGAIN) {
		/* our end is full of strays (a program sent them): empty it */
		drain(pt->plants[i].mine);
		err = inject(pc, SYS_sendmsg, args, 3, &w, sizeof(w), NULL, 0,
			     &r);
	}
	if (err < 0)
		return err;
	if (r == -EBADF)
		return -EBADF; /* the socket was there: fd is not open */
	if (r != NONCE_LEN)
		return -ENOTSOCK; /* refused: take the /proc way */
	err = take_file(pc, pt->plants[i].mine, nonce, fd);
	if (err >= 0)
		pt->stats.get_socket++;
	return err == -EAGAIN ? -ENOTSOCK : err;
}

/* ---- the target operations ------------------------------------------------ */

static ssize_t pt_read_mem(struct sb_call *c, uint64_t addr, void *buf,
			   size_t len)
{
	struct pt_call *pc = pc_of(c);
	ssize_t n;

	if (pc->dead)
		return -ESRCH;
	n = mem_read(pc->t->tid, addr, buf, len);
	if (n == -ESRCH)
		return n;
	return n <= 0 && len > 0 ? -EFAULT : n;
}

static ssize_t pt_write_mem(struct sb_call *c, uint64_t addr,
			    const void *buf, size_t len)
{
	struct pt_call *pc = pc_of(c);
	ssize_t n;

	if (pc->dead)
		return -ESRCH;
	n = mem_write(pc->t->tid, addr, buf, len);
	if (n == -ESRCH)
		return n;
	return n == (ssize_t)len ? n : -EFAULT;
}

static pid_t pt_get_tgid(struct sb_call *c)
{
	pid_t tgid = tgid_of(pc_of(c)->t);

	if (tgid > 0)
		c->tgid = tgid;
	return tgid;
}

/*
 * A pidfd for pidfd_getfd, kept for the thread's life (sealbox sees every
 * thread die, so a cached pidfd never outlives the thread it names). A
 * PIDFD_THREAD pidfd (6.9+) reads the calling thread's own fd table.
 */
static int pidfd_of(struct pt_call *pc)
{
	struct tracee *t = pc->t;

	if (t->pidfd < 0) {
		t->pidfd = (int)syscall(SYS_pidfd_open, t->tid, PIDFD_THREAD);
		if (t->pidfd < 0 && errno == EINVAL) {
			pid_t tgid = tgid_of(t);

			if (tgid > 0)
				t->pidfd = (int)syscall(SYS_pidfd_open, tgid,
							0);
			if (t->pidfd >= 0 && tgid != t->tid)
				t->pidfd_tgid = tgid;
		}
		if (t->pidfd < 0)
			return neg_errno();
	}
	/*
	 * Before 6.9 the group's pidfd reads the leader's fd table: not this
	 * thread's once it has one of its own (unshare(CLONE_FILES)), asked
	 * each time as that can happen at any moment; the injected calls
	 * then fetch the file from the thread itself.
	 */
	if (t->pidfd_tgid > 0 &&
	    syscall(SYS_kcmp, t->pidfd_tgid, t->tid, SB_KCMP_FILES, 0, 0) != 0) {
		errno = EXDEV;
		return -EXDEV;
	}
	return t->pidfd;
}

static void remember(struct pt_call *pc, int mine, int theirs)
{
	if (pc->ngot < MAX_GOT) {
		pc->got[pc->ngot].mine = mine;
		pc->got[pc->ngot].theirs = theirs;
		pc->ngot++;
	}
}

/*
 * Is fd open in the thread's table? kcmp against a file of ours that is
 * surely open answers without running anything in the thread: 1 yes, 0 no,
 * -ENOSYS cannot tell. An injected call costs four more context switches,
 * and a signal handler that makes such a call (fcntl on a closed fd) under
 * a fast timer would then take longer than the timer's period: the program
 * would run its handler for ever and never get back to its main code.
 */
static int fd_is_open(struct pt_call *pc, int fd)
{
	struct sb_ptrace *pt = pc->pt;
	long r;

	if (pt->kcmp == 0)
		return -ENOSYS;
	r = syscall(SYS_kcmp, pt->self, pc->t->tid, SB_KCMP_FILE,
		    pt->plants[0].mine, fd);
	if (r >= 0) {
		pt->kcmp = 1;
		return 1;
	}
	if (errno == EBADF)
		return 0;
	if (errno == ENOSYS || errno == EPERM)
		pt->kcmp = 0;
	return -ENOSYS;
}

static int pt_get_file(struct sb_call *c, int fd)
{
	struct pt_call *pc = pc_of(c);
	int got;

	if (pc->dead)
		return -ESRCH;
	if (fd < 0)
		return -EBADF;
	if (pc->pt->use_pidfd_getfd) {
		int pidfd = pidfd_of(pc);

		if (pidfd >= 0) {
			got = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
			if (got >= 0) {
				pc->pt->stats.get_pidfd++;
				remember(pc, got, fd);
				return got;
			}
			if (errno == EBADF)
				return -EBADF;
		}
		if (errno == ENOSYS)
			pc->pt->use_pidfd_getfd = false;
		/* EPERM (a policy), ESRCH: try the ways that need no pidfd */
	}
	if (fd_is_open(pc, fd) == 0)
		return -EBADF;
	got = get_file_by_socket(pc, fd);
	if (got == -ENOTSOCK) {
		/* a new open file description of the same inode, with the
		 * caller's flags (see the top of this file) */
		got = sb_reopen_fd(pc->t->tid, fd);
		if (got >= 0)
			pc->pt->stats.get_proc++;
	}
	if (got >= 0)
		remember(pc, got, fd);
	return got;
}

static int theirs_of(const struct pt_call *pc, int mine)
{
	for (unsigned int i = 0; i < pc->ngot; i++)
		if (pc->got[i].mine == mine)
			return pc->got[i].theirs;
	return -1;
}

/*
 * The thread holds the file as fd tmp (close-on-exec): move it where it
 * was asked to go, with the flag asked for. Returns the final number.
 */
static int move_fd(struct pt_call *pc, int tmp, int at, int min,
		   bool cloexec)
{
	int64_t r;

	if (at >= 0 && tmp == at) {
		if (!cloexec)
			(void)inject_simple(pc, SYS_fcntl, (uint64_t)tmp,
					    F_SETFD, 0);
		return at;
	}
	if (at < 0 && tmp >= min) {
		/* the lowest free number overall is >= min: it is the one
		 * (received without close-on-exec when min is 0) */
		if (!cloexec && min > 0)
			(void)inject_simple(pc, SYS_fcntl, (uint64_t)tmp,
					    F_SETFD, 0);
		return tmp;
	}
	if (at >= 0)
		r = inject_simple(pc, SYS_dup3, (uint64_t)tmp, (uint64_t)at,
				  cloexec ? O_CLOEXEC : 0);
	else
		r = inject_simple(pc, SYS_fcntl, (uint64_t)tmp,
				  cloexec ? F_DUPFD_CLOEXEC : F_DUPFD,
				  (uint64_t)min);
	(void)inject_simple(pc, SYS_close, (uint64_t)tmp, 0, 0);
	return (int)r;
}

/* install_fd through a planted socket; -ENOTSOCK when there is none. */
static int install_by_socket(struct pt_call *pc, int file, int at, int min,
			     bool cloexec)
{
	struct sb_ptrace *pt = pc->pt;
	struct wire_msg w, back;
	unsigned char nonce[NONCE_LEN];
	char payload[NONCE_LEN];
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = { payload, sizeof(payload) };
	struct msghdr mh;
	struct cmsghdr *cm;
	uint64_t at_mem, args[3];
	int64_t r = 0;
	int err, tmp, i;

	i = plant_get(pc);
	if (i < 0)
		return i;
	err = scratch_addr(pc, &at_mem);
	if (err < 0)
		return err;
	drain(pt->plants[i].theirs); /* nothing stale may come first */
	make_nonce(pt, nonce);
	memcpy(payload, nonce, NONCE_LEN);
	memset(&mh, 0, sizeof(mh));
	memset(&u, 0, sizeof(u));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.b;
	mh.msg_controllen = sizeof(u.b);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	memcpy(CMSG_DATA(cm), &file, sizeof(int));
	if (sendmsg(pt->plants[i].mine, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) !=
	    NONCE_LEN)
		return -ENOTSOCK;

	wire_init(&w, at_mem);
	args[0] = (uint64_t)pt->plant_fd;
	args[1] = at_mem;
	/* close-on-exec until it is where it goes, unless it stays there */
	args[2] = MSG_DONTWAIT |
		  (cloexec || at >= 0 || min > 0 ? MSG_CMSG_CLOEXEC : 0);
	err = inject(pc, SYS_recvmsg, args, 3, &w, sizeof(w), &back,
		     sizeof(back), &r);
	if (err < 0)
		return err;
	if (r == -EAGAIN)
		return -ENOTSOCK; /* a sibling took it: take the /proc way */
	if (r < 0)
		return (int)r;
	if (back.mh.msg_flags & MSG_CTRUNC)
		return -EMFILE; /* no room in its table for the fd */
	cm = &back.cm.h;
	if (r != NONCE_LEN || memcmp(back.payload, nonce, NONCE_LEN) != 0 ||
	    cm->cmsg_len != CMSG_LEN(sizeof(int)) ||
	    cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
		return -EIO;
	memcpy(&tmp, CMSG_DATA(cm), sizeof(int));
	/* the number came back through its memory: check it names our file */
	if (tmp < 0 || same_file(pc, file, tmp) == 0)
		return -EIO;
	pt->stats.put_socket++;
	return move_fd(pc, tmp, at, min, cloexec);
}

/* install_fd by making the thread open /proc/SUPERVISOR/fd/FILE. */
static int install_by_open(struct pt_call *pc, int file, int at, int min,
			   bool cloexec)
{
	char path[64];
	uint64_t at_mem, args[4];
	int64_t r = 0;
	int fl = fcntl(file, F_GETFL), err, n;

	if (fl < 0)
		return neg_errno();
	n = snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)getpid(),
		     file);
	err = scratch_addr(pc, &at_mem);
	if (err < 0)
		return err;
	args[0] = (uint64_t)(int64_t)AT_FDCWD;
	args[1] = at_mem;
	args[2] = (uint64_t)((fl & (O_ACCMODE | O_APPEND)) | O_CLOEXEC |
			     O_NOCTTY);
	args[3] = 0;
	err = inject(pc, SYS_openat, args, 4, path, (size_t)n + 1, NULL, 0,
		     &r);
	if (err < 0)
		return err;
	if (r < 0)
		return (int)r;
	pc->pt->stats.put_open++;
	return move_fd(pc, (int)r, at, min, cloexec);
}

static int pt_install_fd(struct sb_call *c, int file, int at, int min,
			 bool cloexec, bool reply)
{
	struct pt_call *pc = pc_of(c);
	int theirs = theirs_of(pc, file);
	int nfd;

	if (pc->dead)
		return -ESRCH;
	if (theirs >= 0) {
		/* a dup of the caller's own fd: the thread dups it itself */
		int64_t r;

		if (at >= 0)
			r = inject_simple(pc, SYS_dup3, (uint64_t)theirs,
					  (uint64_t)at,
					  cloexec ? O_CLOEXEC : 0);
		else
			r = inject_simple(pc, SYS_fcntl, (uint64_t)theirs,
					  cloexec ? F_DUPFD_CLOEXEC : F_DUPFD,
					  (uint64_t)min);
		nfd = (int)r;
		pc->pt->stats.put_dup++;
	} else {
		nfd = install_by_socket(pc, file, at, min, cloexec);
		if (nfd == -ENOTSOCK)
			nfd = install_by_open(pc, file, at, min, cloexec);
	}
	/* F_DUPFD says EINVAL when min is past RLIMIT_NOFILE: for a new fd
	 * that is "no room", as with the notification transport */
	if (nfd == -EINVAL && at < 0)
		nfd = -EMFILE;
	if (nfd >= 0 && reply) {
		pc->reply = nfd;
		c->replied = true;
	}
	return nfd;
}

static bool pt_still_valid(struct sb_call *c)
{
	struct pt_call *pc = pc_of(c);
	unsigned long msg;

	/* a tracee that is no longer in its stop was killed */
	return !pc->dead &&
	       ptrace(PTRACE_GETEVENTMSG, pc->t->tid, NULL, &msg) == 0;
}

/*
 * The call is to run on the very file the handler checked: give the thread
 * that file at a spare number (never a dup of its own fd: that number is
 * what another thread could have swapped), and have the call use it; the
 * number is closed and the register put back at the call's exit (see
 * finish and on_pin_exit). Not needed when no other task shares the fd
 * table.
 */
static int pt_pin_fd_arg(struct sb_call *c, unsigned int arg, int file)
{
	struct pt_call *pc = pc_of(c);
	int nfd;

	if (pc->dead)
		return -ESRCH;
	if (arg >= 6 || file < 0)
		return -EINVAL;
	if (!pc->t->shares_files)
		return 0;
	if (pc->have_pin)
		return -EBUSY;
	nfd = install_by_socket(pc, file, -1, 0, true);
	if (nfd == -ENOTSOCK)
		nfd = install_by_open(pc, file, -1, 0, true);
	if (nfd < 0)
		return nfd;
	pc->have_pin = true;
	pc->pin_fd = nfd;
	pc->pin_arg = arg;
	pc->pt->stats.pinned++;
	return 0;
}

/*
 * The call is to run on the very path string the handler read: a copy in
 * the thread's scratch memory (below its stack pointer, where no other
 * thread looks), the argument pointed at it, both put back at the call's
 * exit. The call then runs again after an injected one (finish), at an
 * exit stop, where its registers can be changed.
 */
static int pt_pin_path_arg(struct sb_call *c, unsigned int arg,
			   const char *path)
{
	struct pt_call *pc = pc_of(c);
	size_t len = strlen(path) + 1;
	uint64_t at;
	int err;

	if (pc->dead)
		return -ESRCH;
	if (arg >= 6)
		return -EINVAL;
	if (pc->have_pin || pc->have_ppin)
		return -EBUSY;
	if (len > SCRATCH_MAX)
		return -ENAMETOOLONG;
	if (!pc->slot_used && inject_simple(pc, SYS_getpid, 0, 0, 0) < 0)
		return -ESRCH;
	err = scratch_addr(pc, &at);
	if (err < 0)
		return err;
	if (pc->scratch_page)
		return -ENOMEM; /* a page of ours goes before the call runs */
	if (mem_write(pc->t->tid, at, path, len) != (ssize_t)len)
		return -EFAULT;
	pc->have_ppin = true;
	pc->ppin_arg = arg;
	pc->ppin_addr = at;
	pc->ppin_len = len;
	pc->pt->stats.pinned++;
	return 0;
}

/* Put the thread's own file back where swap_fd took it from. */
static void swap_back(struct pt_call *pc, int at, int saved, bool cloexec)
{
	/* after an exec both are gone when they were close-on-exec: EBADF */
	(void)inject_simple(pc, SYS_dup3, (uint64_t)saved, (uint64_t)at,
			    cloexec ? O_CLOEXEC : 0);
	(void)inject_simple(pc, SYS_close, (uint64_t)saved, 0, 0);
}

/*
 * The call is to run with the thread's fd `at` naming `file`: its own file
 * goes to a spare number (with the same close-on-exec flag, so that it
 * outlives an exec exactly when `at` does), `file` takes its place, and at
 * the call's exit (see on_pin_exit) the two change back.
 */
static int pt_swap_fd(struct sb_call *c, int at, int file)
{
	struct pt_call *pc = pc_of(c);
	int64_t fdfl, saved;
	bool cloexec;
	int nfd;

	if (pc->dead)
		return -ESRCH;
	if (at < 0 || file < 0)
		return -EINVAL;
	if (pc->have_swap)
		return -EBUSY;
	fdfl = inject_simple(pc, SYS_fcntl, (uint64_t)at, F_GETFD, 0);
	if (fdfl < 0)
		return (int)fdfl;
	cloexec = (fdfl & FD_CLOEXEC) != 0;
	saved = inject_simple(pc, SYS_fcntl, (uint64_t)at,
			      cloexec ? F_DUPFD_CLOEXEC : F_DUPFD, 0);
	if (saved < 0)
		return (int)saved;
	nfd = install_by_socket(pc, file, at, 0, cloexec);
	if (nfd == -ENOTSOCK)
		nfd = install_by_open(pc, file, at, 0, cloexec);
	if (nfd < 0) {
		swap_back(pc, at, (int)saved, cloexec);
		return nfd;
	}
	pc->have_swap = true;
	pc->swap_at = at;
	pc->swap_saved = (int)saved;
	pc->swap_cloexec = cloexec;
	return 0;
}

/*
 * /proc/TID/fd/N: the tracer may follow it. Not where another task shares
 * the fd table (a call on a file not ours is then pinned, which needs the
 * file), and not with pidfd_getfd, whose fetch costs no more than the walk.
 */
static int pt_fd_path(struct sb_call *c, int fd, char *buf, size_t size)
{
	struct pt_call *pc = pc_of(c);

	if (pc->dead)
		return -ESRCH;
	if (pc->t->shares_files || pc->pt->use_pidfd_getfd)
		return -EOPNOTSUPP;
	snprintf(buf, size, "/proc/%d/fd/%d", (int)pc->t->tid, fd);
	return 0;
}

static const struct sb_target_ops ptrace_ops = {
	.read_mem = pt_read_mem,
	.write_mem = pt_write_mem,
	.get_file = pt_get_file,
	.install_fd = pt_install_fd,
	.get_tgid = pt_get_tgid,
	.still_valid = pt_still_valid,
	.pin_fd_arg = pt_pin_fd_arg,
	.pin_path_arg = pt_pin_path_arg,
	.swap_fd = pt_swap_fd,
	.fd_path = pt_fd_path,
};

/* Resume a thread from a stop of its own: to its pinned call's exit stop,
 * if one is pending, else on. */
static void resume_tracee(struct tracee *t, int sig)
{
	/* until the backed-up call has passed its seccomp stop, it runs on
	 * with PTRACE_CONT: its syscall stops would come before that one */
	resume(t->tid, t->pin_exit && !t->reexec ? PTRACE_SYSCALL :
		       PTRACE_CONT, sig);
}

/* ---- answering the call ------------------------------------------------ */

/*
 * Raise signals again for a stopped thread: queued now, they are delivered
 * (and stopped for, where their siginfo is put back) before the thread
 * runs any code of its own. A group stop that went by while they were
 * held is caught up with PTRACE_INTERRUPT.
 */
static void raise_signals(struct tracee *t, const siginfo_t *sigs,
			  unsigned int n, bool group_stop)
{
	if (n && !t->redeliver)
		t->redeliver = calloc(MAX_HELD_SIGNALS, sizeof(*t->redeliver));
	for (unsigned int i = 0; i < n; i++) {
		if (t->redeliver && t->nredeliver < MAX_HELD_SIGNALS)
			t->redeliver[t->nredeliver++] = sigs[i];
		(void)syscall(SYS_tkill, t->tid, sigs[i].si_signo);
	}
	if (group_stop)
		(void)ptrace((enum __ptrace_request)PTRACE_INTERRUPT, t->tid,
			     NULL, NULL);
}

/* Signals held back during injected calls go to the thread again. */
static void release_signals(struct pt_call *pc)
{
	raise_signals(pc->t, pc->held, pc->nheld, pc->group_stop_seen);
	pc->nheld = 0;
	pc->group_stop_seen = false;
}

static void defer_signal(struct tracee *t, const siginfo_t *si)
{
	if (!t->deferred)
		t->deferred = calloc(MAX_HELD_SIGNALS, sizeof(*t->deferred));
	if (t->deferred && t->ndeferred < MAX_HELD_SIGNALS)
		t->deferred[t->ndeferred++] = *si;
	/* beyond that (a flood of queued real-time signals): dropped */
}

/*
 * The original call is backed up over, to run after injected calls: the
 * signals held meanwhile wait until it has passed its seccomp stop (and so
 * do any that come before it gets there: on_signal). Delivered first, a
 * handler would run before the call, the call would start over, be handled
 * again with injected calls, and a signal coming more often than that takes
 * (a timer storm) would hold the thread in that loop for ever. Raised at
 * the call's stop, they find it running in the kernel, as a signal that
 * comes during a call does.
 */
static void defer_signals(struct pt_call *pc)
{
	struct tracee *t = pc->t;

	for (unsigned int i = 0; i < pc->nheld; i++)
		defer_signal(t, &pc->held[i]);
	t->deferred_group_stop |= pc->group_stop_seen;
	pc->nheld = 0;
	pc->group_stop_seen = false;
}

static void release_deferred(struct tracee *t)
{
	raise_signals(t, t->deferred, t->ndeferred, t->deferred_group_stop);
	t->ndeferred = 0;
	t->deferred_group_stop = false;
}

static void finish(struct pt_call *pc, struct sb_verdict v)
{
	struct tracee *t = pc->t;
	struct sb_regs regs;

	if (pc->have_pin && v.kind != SB_CONTINUE && !pc->dead) {
		/* pinned, then answered after all: the copy goes */
		(void)inject_simple(pc, SYS_close, (uint64_t)pc->pin_fd, 0, 0);
		pc->have_pin = false;
	}
	if (pc->have_swap && v.kind != SB_CONTINUE && !pc->dead) {
		swap_back(pc, pc->swap_at, pc->swap_saved, pc->swap_cloexec);
		pc->have_swap = false;
	}
	if (pc->have_ppin && v.kind != SB_CONTINUE && !pc->dead) {
		(void)mem_write(t->tid, pc->ppin_addr, pc->scratch_saved,
				pc->ppin_len);
		pc->have_ppin = false;
	}
	if (pc->scratch_page && !pc->dead)
		(void)inject_simple(pc, SYS_munmap, pc->scratch_page, PAGE, 0);
	if (pc->dead)
		return;
	if (v.kind == SB_CONTINUE && !pc->slot_used) {
		/* the cheapest answer: the thread sits at its call, as made */
		release_signals(pc);
		resume(t->tid, PTRACE_CONT, 0);
		return;
	}
	if (orig_regs(pc) < 0)
		return;
	regs = pc->orig;
	switch (v.kind) {
	case SB_CONTINUE:
		/* run the original call after all: back up over the
		 * instruction; its seccomp stop is let through once */
		sb_regs_rewind(&regs, pc->nr);
		t->reexec = true;
		t->reexec_seals = pc->pt->seal_seq;
		t->reexec_nr = pc->nr;
		memcpy(t->reexec_args, pc->args, sizeof(t->reexec_args));
		t->reexec_ip = pc->ip;
		t->pin_fd = -1;
		t->pin_reg = false;
		t->pin_mem_len = 0;
		t->swap_saved = -1;
		if (pc->have_pin) {
			sb_regs_set_arg(&regs, (int)pc->pin_arg,
					(uint64_t)pc->pin_fd);
			t->reexec_args[pc->pin_arg] = (uint64_t)pc->pin_fd;
			t->pin_fd = pc->pin_fd;
			t->pin_reg = true;
			t->pin_arg = pc->pin_arg;
			t->pin_val = pc->args[pc->pin_arg];
		}
		if (pc->have_ppin) {
			sb_regs_set_arg(&regs, (int)pc->ppin_arg,
					pc->ppin_addr);
			t->reexec_args[pc->ppin_arg] = pc->ppin_addr;
			t->pin_reg = true;
			t->pin_arg = pc->ppin_arg;
			t->pin_val = pc->args[pc->ppin_arg];
			t->pin_mem_addr = pc->ppin_addr;
			t->pin_mem_len = pc->ppin_len;
			memcpy(t->pin_mem_saved, pc->scratch_saved,
			       pc->ppin_len);
		}
		if (pc->have_swap) {
			t->swap_at = pc->swap_at;
			t->swap_saved = pc->swap_saved;
			t->swap_cloexec = pc->swap_cloexec;
		}
		if (pc->have_pin || pc->have_ppin || pc->have_swap) {
			t->pin_exit = true;
			t->pin_saw_entry = false;
		}
		if (sb_regs_set(t->tid, &regs) < 0)
			return;
		defer_signals(pc);
		resume(t->tid, PTRACE_CONT, 0);
		return;
	case SB_DONE:
		sb_regs_answer(&regs, pc->reply);
		break;
	case SB_RETURN:
		sb_regs_answer(&regs, v.val);
		break;
	}
	if (sb_regs_set(t->tid, &regs) < 0)
		return;
	release_signals(pc);
	resume(t->tid, PTRACE_CONT, 0);
}

static bool reexec_matches(const struct tracee *t, const struct pt_call *pc)
{
	return pc->nr == t->reexec_nr && pc->ip == t->reexec_ip &&
	       memcmp(pc->args, t->reexec_args, sizeof(pc->args)) == 0;
}

/* struct ptrace_syscall_info (5.3), as far as a seccomp stop fills it */
struct sb_syscall_info {
	uint8_t op;
	uint8_t pad[3];
	uint32_t arch;
	uint64_t instruction_pointer;
	uint64_t stack_pointer;
	uint64_t nr;
	uint64_t args[6];
	uint32_t ret_data;
	uint32_t pad2;
};
#define SB_SYSCALL_INFO_SECCOMP 3

/*
 * What the call is, at its seccomp stop. PTRACE_GET_SYSCALL_INFO (5.3)
 * gives the number, arguments, addresses and the filter's data in one
 * request, and the registers are read only if an answer needs them; before
 * it, PTRACE_GETEVENTMSG and PTRACE_GETREGS. Returns 0, or -ESRCH.
 */
static int read_call(struct sb_ptrace *pt, struct pt_call *pc)
{
	pid_t tid = pc->t->tid;

	if (pt->syscall_info != 0) {
		struct sb_syscall_info si;
		long n;

		memset(&si, 0, sizeof(si));
		n = ptrace((enum __ptrace_request)SB_PTRACE_GET_SYSCALL_INFO,
			   tid, (void *)sizeof(si), &si);
		if (n >= (long)offsetof(struct sb_syscall_info, pad2) &&
		    si.op == SB_SYSCALL_INFO_SECCOMP) {
			pt->syscall_info = 1;
			pc->nr = (long)si.nr;
			memcpy(pc->args, si.args, sizeof(pc->args));
			pc->ip = si.instruction_pointer;
			pc->sp = si.stack_pointer;
			pc->native = sb_info_native(si.arch, si.nr);
			pc->data = si.ret_data;
			return 0;
		}
		if (n < 0 && errno == ESRCH)
			return -ESRCH;
		/* EIO (before 5.3, or hidden): the old way from now on */
		if (n < 0)
			pt->syscall_info = 0;
	}
	if (ptrace(PTRACE_GETEVENTMSG, tid, NULL, &pc->data) < 0 ||
	    orig_regs(pc) < 0)
		return -ESRCH;
	pc->nr = sb_regs_nr(&pc->orig);
	for (int i = 0; i < 6; i++)
		pc->args[i] = sb_regs_arg(&pc->orig, i);
	pc->ip = sb_regs_ip(&pc->orig);
	pc->sp = sb_regs_sp(&pc->orig);
	pc->native = sb_regs_native(&pc->orig);
	return 0;
}

/*
 * Undo what a call ran on (see finish): close the pinned copy of its file,
 * put a swapped fd back, put back the bytes a pinned path covered. The
 * argument register is the caller's to restore (pin_reg, pin_arg, pin_val).
 */
static void undo_pins(struct pt_call *pc, struct tracee *t)
{
	if (t->pin_fd >= 0)
		(void)inject_simple(pc, SYS_close, (uint64_t)t->pin_fd, 0, 0);
	t->pin_fd = -1;
	if (t->swap_saved >= 0 && !pc->dead)
		swap_back(pc, t->swap_at, t->swap_saved, t->swap_cloexec);
	t->swap_saved = -1;
	if (t->pin_mem_len)
		(void)mem_write(t->tid, t->pin_mem_addr, t->pin_mem_saved,
				t->pin_mem_len);
	t->pin_mem_len = 0;
}

/*
 * The exit stop of a call that ran on a pinned copy of its file: close the
 * copy and give the argument register its value back. The result, and the
 * state the kernel's restart logic reads (an interrupted call runs again,
 * with the program's own argument, and is checked again), stay as they are.
 */
static void on_pin_exit(struct sb_ptrace *pt, struct tracee *t)
{
	struct pt_call pc;
	struct sb_regs regs;
	char insn[SB_SYSCALL_INSN_LEN];
	bool planted = false;

	if (pt->seccomp_after_entry == 0 && !t->pin_saw_entry) {
		/* before 4.8 the seccomp stop came before the entry stop */
		t->pin_saw_entry = true;
		resume(t->tid, PTRACE_SYSCALL, 0);
		return;
	}
	t->pin_exit = false;
	memset(&pc, 0, sizeof(pc));
	pc.pt = pt;
	pc.t = t;
	if (orig_regs(&pc) < 0)
		return;
	pc.nr = sb_regs_nr(&pc.orig);
	pc.sp = sb_regs_sp(&pc.orig);
	pc.ip = sb_regs_ip(&pc.orig);
	/* at an exit stop: an injected call backs up over the instruction */
	pc.slot_used = true;
	if (t->exec_exit && t->swap_saved >= 0) {
		/*
		 * The first stop of the new program: no syscall instruction
		 * is behind its address. One is planted at the address for
		 * the injected calls, and the bytes put back after them. Only
		 * for a native program (a compat one keeps the copy at N).
		 */
		if (!sb_regs_native(&pc.orig) ||
		    mem_read(t->tid, pc.ip, insn, SB_SYSCALL_INSN_LEN) !=
		    SB_SYSCALL_INSN_LEN ||
		    text_write(t->tid, pc.ip, SB_SYSCALL_INSN,
			       SB_SYSCALL_INSN_LEN) != SB_SYSCALL_INSN_LEN) {
			t->swap_saved = -1;
		} else {
			planted = true;
			sb_regs_set_ip(&pc.orig, pc.ip + SB_SYSCALL_INSN_LEN);
		}
	}
	t->exec_exit = false;
	undo_pins(&pc, t);
	if (planted)
		(void)text_write(t->tid, pc.ip, insn, SB_SYSCALL_INSN_LEN);
	if (pc.dead)
		return;
	regs = pc.orig;
	sb_regs_set_ip(&regs, pc.ip);
	if (t->pin_reg)
		sb_regs_set_arg(&regs, (int)t->pin_arg, t->pin_val);
	t->pin_reg = false;
	if (sb_regs_set(t->tid, &regs) < 0)
		return;
	release_signals(&pc);
	resume_tracee(t, 0);
}

static void on_seccomp_stop(struct sb_ptrace *pt, struct tracee *t)
{
	struct pt_call pc;
	struct sb_call call;
	struct sb_verdict v;

	memset(&pc, 0, sizeof(pc));
	pc.pt = pt;
	pc.t = t;
	if (read_call(pt, &pc) < 0)
		return; /* killed meanwhile */
	if (t->reexec) {
		bool same = reexec_matches(t, &pc);

		t->reexec = false;
		release_deferred(t);
		if (same && t->reexec_seals == pt->seal_seq) {
			pt->stats.passed++;
			/* pinned: on to its exit stop (on_pin_exit) */
			resume_tracee(t, 0);
			return;
		}
		/*
		 * A seal was added while the call waited to run again (or, which
		 * cannot happen, the thread made another call): it is checked
		 * again from the start, on the program's own argument, and our
		 * pinned copy goes.
		 */
		if (t->pin_exit) {
			t->pin_exit = false;
			if (same && t->pin_reg && orig_regs(&pc) == 0) {
				sb_regs_set_arg(&pc.orig, (int)t->pin_arg,
						t->pin_val);
				pc.args[t->pin_arg] = t->pin_val;
			}
			undo_pins(&pc, t);
			t->pin_reg = false;
			if (pc.dead)
				return;
		}
		pt->stats.rechecked++;
	}
	if (pc.data != SB_TRACE_DATA_OWN || !pc.native) {
		pt->stats.foreign++;
		finish(&pc, sb_return(-ENOSYS));
		return;
	}
	pt->stats.seccomp++;
	if (pc.nr == SYS_fcntl && (int)pc.args[1] == F_ADD_SEALS)
		pt->seal_seq++;
	memset(&call, 0, sizeof(call));
	call.ops = &ptrace_ops;
	call.transport = &pc;
	call.emu = pt->emu;
	call.tid = t->tid;
	call.nr = (int)pc.nr;
	memcpy(call.args, pc.args, sizeof(call.args));
	v = sb_emulator_dispatch(&call);
	if (v.kind == SB_DONE && !call.replied)
		v = sb_return(pc.reply);
	finish(&pc, v);
}

/* ---- the event loop --------------------------------------------------- */

static void on_exec(struct sb_ptrace *pt, struct tracee *t)
{
	unsigned long former = 0;

	/* a thread other than the leader exec'd: it now has the leader's
	 * id, and its old id is gone */
	if (ptrace(PTRACE_GETEVENTMSG, t->tid, NULL, &former) == 0 &&
	    (pid_t)former != t->tid) {
		struct tracee *old = tracee_find(pt, (pid_t)former);

		/* the thread that exec'd may have a swap to undo */
		t->swap_saved = -1;
		if (old && old->pin_exit && old->swap_saved >= 0) {
			t->swap_at = old->swap_at;
			t->swap_saved = old->swap_saved;
			t->swap_cloexec = old->swap_cloexec;
		}
		tracee_remove(pt, (pid_t)former);
	}
	t->tgid = t->tid;
	t->reexec = false;
	/* held for a thread the exec killed: gone with it */
	t->ndeferred = 0;
	t->deferred_group_stop = false;
	/* exec unshares the fd table; a pinned copy was close-on-exec; a
	 * swapped fd is put back at the exit stop that follows */
	t->shares_files = false;
	t->pin_fd = -1;
	t->pin_reg = false;      /* the old program's registers and memory */
	t->pin_mem_len = 0;
	t->pin_exit = t->swap_saved >= 0;
	t->pin_saw_entry = true;
	t->exec_exit = true;
	if (t->pidfd >= 0) {
		close(t->pidfd);
		t->pidfd = -1;
	}
}

static void on_signal(struct sb_ptrace *pt, struct tracee *t, int sig)
{
	siginfo_t si;
	bool raised_again = false;

	memset(&si, 0, sizeof(si));
	if (ptrace(PTRACE_GETSIGINFO, t->tid, NULL, &si) < 0) {
		si.si_signo = sig;
		si.si_code = SI_KERNEL;
	}
	/* one we held and raised again: its own siginfo, not tkill's */
	for (unsigned int i = 0; i < t->nredeliver; i++) {
		if (t->redeliver[i].si_signo != sig)
			continue;
		si = t->redeliver[i];
		t->redeliver[i] = t->redeliver[--t->nredeliver];
		raised_again = true;
		break;
	}
	if (t->reexec) {
		/* the backed-up call has not reached its stop yet: it goes
		 * first (see defer_signals) */
		defer_signal(t, &si);
		resume_tracee(t, 0);
		return;
	}
	if ((sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) &&
	    si.si_code == SI_KERNEL && tgid_of(t) == pt->root)
		pt->tty_stop = true;
	if (raised_again)
		(void)ptrace(PTRACE_SETSIGINFO, t->tid, NULL, &si);
	resume_tracee(t, sig);
}

static void handle_status(struct sb_ptrace *pt, pid_t pid, int status)
{
	struct tracee *t = tracee_find(pt, pid);
	unsigned long msg = 0;
	unsigned int event;
	int sig;

	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		if (pid == pt->root) {
			pt->root_status = status;
			pt->root_done = true;
		}
		tracee_remove(pt, pid);
		return;
	}
	if (!WIFSTOPPED(status))
		return;
	pt->stats.stops++;
	if (!t) {
		/* its parent's fork event has not been seen yet */
		t = tracee_add(pt, pid);
		if (!t) {
			resume(pid, PTRACE_CONT, 0);
			return;
		}
	}
	sig = WSTOPSIG(status);
	event = (unsigned int)status >> 16;
	switch (event) {
	case PTRACE_EVENT_SECCOMP:
		on_seccomp_stop(pt, t);
		return;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		if (ptrace(PTRACE_GETEVENTMSG, pid, NULL, &msg) == 0) {
			struct tracee *child = tracee_add(pt, (pid_t)msg);
			long r = pt->kcmp == 0 ? -1 :
				 syscall(SYS_kcmp, pid, (pid_t)msg,
					 SB_KCMP_FILES, 0, 0);

			/* a thread or CLONE_FILES child: one fd table for
			 * both (kcmp cannot tell: assume so) */
			if (child && r != 1 && r != 2) {
				child->shares_files = true;
				t->shares_files = true;
			} else if (child) {
				child->shares_files = false;
			}
		}
		resume_tracee(t, 0);
		return;
	case PTRACE_EVENT_EXEC:
		on_exec(pt, t);
		resume_tracee(t, 0);
		return;
	case PTRACE_EVENT_STOP:
		/* a group stop: stay stopped, yet report SIGCONT to us */
		if (is_stop_signal(sig) &&
		    ptrace((enum __ptrace_request)PTRACE_LISTEN, pid, NULL,
			   NULL) == 0) {
			pt->stats.group_stops++;
			if (pt->tty_stop && tgid_of(t) == pt->root) {
				/* our shell waits for us to stop; SIGCONT
				 * wakes us and the program alike */
				pt->tty_stop = false;
				kill(getpid(), SIGSTOP);
			}
			return;
		}
		/* a new tracee's first stop, our PTRACE_INTERRUPT, the end
		 * of a group stop */
		resume_tracee(t, 0);
		return;
	case 0:
		if (sig == (SIGTRAP | 0x80)) {
			if (t->pin_exit && !t->reexec)
				on_pin_exit(pt, t);
			else
				resume_tracee(t, 0); /* a stray syscall stop */
			return;
		}
		on_signal(pt, t, sig);
		return;
	default:
		resume_tracee(t, 0);
		return;
	}
}

static int event_loop(struct sb_ptrace *pt)
{
	while (!pt->root_done) {
		int status;
		pid_t pid;

		if (pt->npending) {
			pid = pt->pending[0].pid;
			status = pt->pending[0].status;
			memmove(pt->pending, pt->pending + 1,
				--pt->npending * sizeof(pt->pending[0]));
		} else {
			pid = wait_stop(pt, &status, false);
			if (pid < 0) {
				if (errno == EINTR)
					continue;
				if (errno == ECHILD)
					return -ECHILD; /* cannot happen */
				return neg_errno();
			}
			if (pt->resumed_at >= 0)
				pt->last_gap = mono_ns() - pt->resumed_at;
		}
		handle_status(pt, pid, status);
		if (pt->spin_ns > 0)
			pt->resumed_at = mono_ns();
	}
	return 0;
}

/* ---- start and end -------------------------------------------------------- */

/* Signals sealbox passes on to PROG when they are sent to sealbox. */
static const int forwarded[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1,
				 SIGUSR2, SIGALRM, SIGWINCH, SIGCONT };
static const int tty_stops[] = { SIGTSTP, SIGTTIN, SIGTTOU };
static volatile sig_atomic_t forward_to;

static void forward_signal(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;

	(void)uc;
	/* a terminal's signals reach PROG by themselves */
	if (si->si_code != SI_KERNEL && forward_to > 0)
		kill((pid_t)forward_to, sig);
	errno = saved;
}

static int exec_status(int err)
{
	return err == ENOENT || err == ENOTDIR ? SB_EXIT_NOT_FOUND :
	       SB_EXIT_CANNOT_EXEC;
}

__attribute__((noreturn)) static void child_fail(int pipe_fd, int stage,
						 int err)
{
	int msg[2] = { stage, err };

	if (write(pipe_fd, msg, sizeof(msg)) < 0)
		_exit(SB_EXIT_FAILURE);
	_exit(stage == 1 ? exec_status(err) : SB_EXIT_FAILURE);
}

/*
 * The program's side: plant the socket, wait until the supervisor has
 * seized us (an untraced RET_TRACE would answer ENOSYS), install the
 * filter, exec.
 */
__attribute__((noreturn)) static void run_tracee(struct sb_emulator *e,
						 int plant, int plant_fd,
						 int err_pipe, int go,
						 pid_t parent, char **argv)
{
	bool installed = false;
	sigset_t none;
	char byte;
	ssize_t n;
	int err;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(SB_EXIT_FAILURE);
	/* dup2 leaves the new number without close-on-exec */
	if (dup2(plant, plant_fd) < 0)
		child_fail(err_pipe, 0, errno);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	do
		n = read(go, &byte, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(SB_EXIT_FAILURE);
	close(go);
	if (sb_drop_ptrace_cap() < 0)
		child_fail(err_pipe, 0, EPERM);
	err = sb_filter_install(e, SB_FILTER_TRACE, false, &installed);
	if (err < 0)
		child_fail(err_pipe, 0, -err);
	execvp(argv[0], argv);
	child_fail(err_pipe, 1, errno);
}

static void kill_the_rest(struct sb_ptrace *pt)
{
	for (size_t b = 0; b < TRACEE_BUCKETS; b++)
		for (struct tracee *t = pt->buckets[b]; t; t = t->next)
			kill(t->tid, SIGKILL);
	/* stops already collected (never reported again), maybe of tracees
	 * the table has not seen yet */
	for (size_t i = 0; i < pt->npending; i++)
		if (WIFSTOPPED(pt->pending[i].status))
			kill(pt->pending[i].pid, SIGKILL);
	pt->npending = 0;
	/* reap everything: tracees, and orphans handed to us as subreaper */
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, __WALL);

		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (WIFSTOPPED(status)) {
			kill(pid, SIGKILL);
			resume(pid, PTRACE_CONT, 0);
			continue;
		}
		tracee_remove(pt, pid);
	}
	for (size_t b = 0; b < TRACEE_BUCKETS; b++)
		while (pt->buckets[b])
			tracee_remove(pt, pt->buckets[b]->tid);
}

static void nonce_key(struct sb_ptrace *pt)
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	struct timespec ts;

	if (fd < 0 || read(fd, pt->nonce_key, sizeof(pt->nonce_key)) !=
	    (ssize_t)sizeof(pt->nonce_key)) {
		uint64_t mix;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		mix = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
		      ((uint64_t)getpid() << 40);
		memcpy(pt->nonce_key, &mix, sizeof(mix));
	}
	if (fd >= 0)
		close(fd);
}

static void ptrace_free(struct sb_ptrace *pt)
{
	for (unsigned int i = 0; i < pt->nplants; i++)
		plant_close(&pt->plants[i]);
	if (pt->listener >= 0)
		close(pt->listener);
	free(pt->pending);
	free(pt);
}

/* SEALBOX_PTRACE_STATS=1: what the transport did, for tests and tuning. */
static void print_stats(const struct sb_ptrace *pt)
{
	const char *env = getenv("SEALBOX_PTRACE_STATS");

	if (!env || !*env || strcmp(env, "0") == 0)
		return;
	fprintf(stderr, "sealbox: ptrace: stops %lu seccomp %lu passed %lu "
		"foreign %lu injected %lu get_file pidfd %lu socket %lu "
		"proc %lu install_fd dup %lu socket %lu open %lu replant %lu "
		"held_signals %lu group_stops %lu pinned %lu rechecked %lu "
		"watchdog_kills %lu spin_hits %lu spin_misses %lu\n",
		pt->stats.stops,
		pt->stats.seccomp, pt->stats.passed, pt->stats.foreign,
		pt->stats.injected, pt->stats.get_pidfd, pt->stats.get_socket,
		pt->stats.get_proc, pt->stats.put_dup, pt->stats.put_socket,
		pt->stats.put_open, pt->stats.replant, pt->stats.held_signals,
		pt->stats.group_stops, pt->stats.pinned, pt->stats.rechecked,
		watch.kills, pt->stats.spin_hits, pt->stats.spin_misses);
}

int sb_ptrace_run(struct sb_emulator *e, const struct sb_features *fs,
		  char **argv)
{
	struct sb_ptrace *pt;
	struct sigaction sa, old_sa[SB_ARRAY_SIZE(forwarded)], old_chld;
	struct sigaction old_tty[SB_ARRAY_SIZE(tty_stops)];
	unsigned long opts = PTRACE_O_EXITKILL | PTRACE_O_TRACESECCOMP |
			     PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
			     PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC |
			     PTRACE_O_TRACESYSGOOD;
	int sv[2], err_pipe[2], go[2], msg[2], err, code;
	pid_t parent = getpid(), child;
	ssize_t n;

	if (!SB_PTRACE_ARCH_SUPPORTED)
		return -EOPNOTSUPP;
	if (e->fd_base < 4)
		return -EINVAL;
	pt = calloc(1, sizeof(*pt));
	if (!pt)
		return -ENOMEM;
	pt->emu = e;
	/* exec of a memfd on a tmpfs backing runs on a copy (swap_fd) */
	e->exec_copies = true;
	pt->use_pidfd_getfd = sb_features_has(fs, SB_F_PIDFD_GETFD);
	pt->plant_fd = e->fd_base - 1;
	pt->kcmp = -1;
	pt->self = getpid();
	pt->seccomp_after_entry = -1;
	pt->syscall_info = -1;
	nonce_key(pt);
	spin_setup(pt);

	pt->listener = -1;
	/* SEQPACKET: one message per call, and our copy of the planted end
	 * keeps it alive even when every program has closed it */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		err = neg_errno();
		ptrace_free(pt);
		return err;
	}
	err = plant_add(pt, sv[0], sv[1]);
	if (err < 0) {
		close(sv[0]);
		close(sv[1]);
		ptrace_free(pt);
		return err;
	}
	if (pipe2(err_pipe, O_CLOEXEC) < 0) {
		err = neg_errno();
		ptrace_free(pt);
		return err;
	}
	if (pipe2(go, O_CLOEXEC) < 0) {
		err = neg_errno();
		close(err_pipe[0]);
		close(err_pipe[1]);
		ptrace_free(pt);
		return err;
	}
	/* waitpid must see our children: SIGCHLD ignored would reap them */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, &old_chld);
	/* orphans of the tree come to us, so none outlives the run */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	/*
	 * Programs of the same user must not read or write our memory (the
	 * registry) through /proc/PID/mem or process_vm_writev: not dumpable.
	 * (CAP_SYS_PTRACE still can; and install_by_open, the last fallback,
	 * then works only for such programs.) The child is made dumpable
	 * again by its exec.
	 */
	prctl(PR_SET_DUMPABLE, 0);

	fflush(NULL);
	child = fork();
	if (child < 0) {
		err = neg_errno();
		close(err_pipe[0]);
		close(err_pipe[1]);
		close(go[0]);
		close(go[1]);
		goto out_fds;
	}
	if (child == 0) {
		close(sv[0]);
		close(err_pipe[0]);
		close(go[1]);
		run_tracee(e, sv[1], pt->plant_fd, err_pipe[1], go[0], parent,
			   argv);
	}
	close(err_pipe[1]);
	close(go[0]);
	pt->root = child;

	if (!sb_features_has(fs, SB_F_PTRACE_EXITKILL))
		opts &= ~(unsigned long)PTRACE_O_EXITKILL;
	if (ptrace((enum __ptrace_request)PTRACE_SEIZE, child, NULL,
		   (void *)opts) < 0 && (errno != EINVAL ||
		   ptrace((enum __ptrace_request)PTRACE_SEIZE, child, NULL,
			  (void *)(opts & ~(unsigned long)PTRACE_O_EXITKILL))
		   < 0)) {
		/* before 3.8 there is no EXITKILL: the tree then dies with
		 * sealbox only through PR_SET_PDEATHSIG of the first child */
		err = neg_errno();
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		close(go[1]);
		close(err_pipe[0]);
		goto out_fds;
	}
	if (!tracee_add(pt, child)) {
		err = -ENOMEM;
		kill(child, SIGKILL);
		waitpid(child, NULL, __WALL);
		close(go[1]);
		close(err_pipe[0]);
		goto out_fds;
	}
	/* forked, not cloned: its fd table is its own */
	tracee_find(pt, child)->shares_files = false;
	/* the tracee may go on */
	if (write(go[1], "g", 1) != 1) {
		err = neg_errno();
		kill(child, SIGKILL);
		kill_the_rest(pt);
		close(go[1]);
		close(err_pipe[0]);
		goto out_fds;
	}
	close(go[1]);

	forward_to = child;
	/* the terminal's stop signals must not stop sealbox before the
	 * program has stopped (it would then stop after the SIGCONT) */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	for (size_t i = 0; i < SB_ARRAY_SIZE(tty_stops); i++)
		sigaction(tty_stops[i], &sa, &old_tty[i]);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = forward_signal;
	sa.sa_flags = SA_SIGINFO; /* no SA_RESTART: waitpid sees EINTR */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < SB_ARRAY_SIZE(forwarded); i++)
		sigaction(forwarded[i], &sa, &old_sa[i]);

	watchdog_start();
	err = event_loop(pt);
	watchdog_stop();
	forward_to = 0;
	kill_the_rest(pt);
	for (size_t i = 0; i < SB_ARRAY_SIZE(forwarded); i++)
		sigaction(forwarded[i], &old_sa[i], NULL);
	for (size_t i = 0; i < SB_ARRAY_SIZE(tty_stops); i++)
		sigaction(tty_stops[i], &old_tty[i], NULL);

	/* the exec either happened (pipe closed, nothing read) or not */
	n = read(err_pipe[0], msg, sizeof(msg));
	close(err_pipe[0]);
	if (n == (ssize_t)sizeof(msg)) {
		if (msg[0] == 1) {
			fprintf(stderr, "sealbox: %s: %s\n", argv[0],
				strerror(msg[1]));
			code = exec_status(msg[1]);
		} else {
			fprintf(stderr, "sealbox: run: seccomp filter: %s\n",
				strerror(msg[1]));
			code = SB_EXIT_FAILURE;
		}
	} else if (err < 0) {
		code = err;
	} else if (WIFEXITED(pt->root_status)) {
		code = WEXITSTATUS(pt->root_status);
	} else if (WIFSIGNALED(pt->root_status)) {
		code = 128 + WTERMSIG(pt->root_status);
	} else {
		code = SB_EXIT_FAILURE;
	}
	print_stats(pt);
	ptrace_free(pt);
	sigaction(SIGCHLD, &old_chld, NULL);
	return code;

out_fds:
	ptrace_free(pt);
	sigaction(SIGCHLD, &old_chld, NULL);
	return err;
}
