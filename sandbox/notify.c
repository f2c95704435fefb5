/* SPDX-License-Identifier: MIT */
#include "notify.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/kcmp.h>

#include "fdpass.h"
#include "kcompat.h"
#include "util.h"

#define PIDFD_CACHE 32
#define RECV_BATCH 32 /* notifications taken at once before 5.19 */
#define PAGE 4096UL

struct pidfd_slot {
	pid_t tgid; /* the thread id the pidfd was opened for */
	int fd;
	unsigned long used;
};

/*
 * Where to look first for a free fd >= fd_base in a thread's table: one past
 * the last number we gave it. A scan of /proc/TID/fd costs tens of
 * microseconds; a look at one number (kcmp) well under one.
 */
#define FD_HINTS 32
#define FD_HINT_PROBES 8   /* numbers tried from the hint before a scan */
#define FD_HINT_RESCAN 64  /* a scan once the hint is this far past min,
			    * to find numbers closed meanwhile */

struct fd_hint {
	pid_t tid;
	int next;
	unsigned long used;
};

struct sb_notify {
	int listener;
	struct sb_emulator *emu;
	bool addfd_send;
	struct sb_notif_sizes sizes;
	struct sb_notif *req;
	size_t req_size;    /* of each sb_notif: the kernel's, if larger */
	struct sb_notif_resp *resp;
	struct sb_notif *batch[RECV_BATCH]; /* oldest_first: taken at once */
	bool oldest_first;
	struct pidfd_slot pidfds[PIDFD_CACHE];
	bool no_pidfd_thread; /* before 6.9: pidfd_open knows no threads */
	struct fd_hint hints[FD_HINTS];
	unsigned long tick;
};

struct notify_call {
	struct sb_notify *n;
	uint64_t id;
};

static struct notify_call *nc_of(struct sb_call *c)
{
	return c->transport;
}

/*
 * An ioctl on the listener other than RECV. Each takes the listener's lock
 * with mutex_lock_interruptible: a signal that comes meanwhile makes it
 * fail with EINTR having done nothing, so it is made again. (The
 * supervisor takes signals while it serves from RECV, cmd_run.c; an ADDFD
 * is never interrupted later, addfd_ioctl.)
 */
static int listener_ioctl(int listener, unsigned long req, void *arg)
{
	int ret;

	do
		ret = ioctl(listener, req, arg);
	while (ret < 0 && errno == EINTR);
	return ret;
}

/*
 * ADDFD with signals held off. An ADDFD that a signal interrupts before
 * the caller took the fd is taken back, but with FLAG_SEND the
 * notification stays marked as answered: the caller's call returns 0, and
 * the ADDFD made again says EINPROGRESS (seen up to 6.18). So no signal may
 * reach the supervisor during one.
 */
static int addfd_ioctl(int listener, struct sb_notif_addfd *addfd)
{
	sigset_t all, old;
	int ret, err;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	ret = listener_ioctl(listener, SB_IOCTL_NOTIF_ADDFD, addfd);
	err = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = err;
	return ret;
}

static bool id_valid(struct sb_notify *n, uint64_t id)
{
	return listener_ioctl(n->listener, SB_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

/* ---- the caller's memory ------------------------------------------------ */

/*
 * process_vm_readv transfers whole iovec elements only, so split the remote
 * range at page boundaries: a fault then stops the copy at the first page
 * that cannot be read, as a kernel copy_from_user would.
 */
static ssize_t notify_read_mem(struct sb_call *c, uint64_t addr, void *buf,
			       size_t len)
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
		n = process_vm_readv(c->tid, &local, 1, remote,
				     (unsigned long)cnt, 0);
		if (n < 0) {
			if (done > 0 || errno == EFAULT)
				break;
			return -EFAULT;
		}
		done += (size_t)n;
		if ((size_t)n < chunk)
			break;
	}
	if (!c->read_unchecked && !id_valid(nc_of(c)->n, nc_of(c)->id))
		return -ESRCH; /* the thread is gone: this memory is not its */
	return done == 0 && len > 0 ? -EFAULT : (ssize_t)done;
}

static ssize_t notify_write_mem(struct sb_call *c, uint64_t addr,
				const void *buf, size_t len)
{
	struct iovec local = { (void *)(uintptr_t)buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };

	if (!id_valid(nc_of(c)->n, nc_of(c)->id))
		return -ESRCH;
	if (process_vm_writev(c->tid, &local, 1, &remote, 1, 0) !=
	    (ssize_t)len)
		return -EFAULT;
	return (ssize_t)len;
}

/* ---- the caller's files ------------------------------------------------- */

static pid_t tgid_of(pid_t tid)
{
	char path[64], line[128];
	FILE *f;
	int tgid = -ESRCH;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -ESRCH;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}

static pid_t notify_get_tgid(struct sb_call *c)
{
	/* asked once per call: only handlers that name processes need it */
	if (c->tgid == 0)
		c->tgid = tgid_of(c->tid);
	return c->tgid;
}

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL /* 6.9 */
#endif

/*
 * A pidfd for the calling thread, cached by thread id, that names what that
 * id named when it was opened: a PIDFD_THREAD pidfd (6.9+) names the thread
 * itself, so pidfd_getfd reads the very fd table the call was made with.
 * Before 6.9 the id of a thread-group leader opens its process, which names
 * the same (the leader's id is not handed out again while the group lives).
 * Either way, a cached pidfd whose task has gone answers ESRCH (the id may
 * be someone else's by now) and is replaced; one that answers names the
 * caller. The id of any other thread before 6.9 is looked up in /proc and
 * its process pidfd used once (a later task may reuse the id while the
 * process lives). *opened: the pidfd is new, the id could have been reused
 * before it was opened, and only NOTIF_ID_VALID can tell.
 */
static int pidfd_for(struct sb_call *c, bool fresh, bool *opened)
{
	struct sb_notify *n = nc_of(c)->n;
	struct pidfd_slot *victim = &n->pidfds[0];

	*opened = false;
	for (int i = 0; i < PIDFD_CACHE; i++) {
		struct pidfd_slot *s = &n->pidfds[i];

		if (s->fd >= 0 && s->tgid == c->tid) {
			if (!fresh) {
				s->used = ++n->tick;
				return s->fd;
			}
			victim = s;
			break;
		}
		if (s->fd < 0 || s->used < victim->used)
			victim = s;
	}
	if (victim->fd >= 0)
		close(victim->fd);
	*opened = true;
	victim->fd = -1;
	victim->tgid = c->tid;
	if (!n->no_pidfd_thread) {
		victim->fd = (int)syscall(SYS_pidfd_open, c->tid,
					  PIDFD_THREAD);
		n->no_pidfd_thread = victim->fd < 0 && errno == EINVAL;
	}
	if (n->no_pidfd_thread)
		victim->fd = (int)syscall(SYS_pidfd_open, c->tid, 0);
	if (victim->fd < 0 && (errno == EINVAL || errno == ENOENT)) {
		/* before 6.9, a thread that does not lead its group (6.9+
		 * says ENOENT without PIDFD_THREAD: legacy-kernel) */
		pid_t tgid = notify_get_tgid(c);

		victim->fd = tgid < 0 ? -1 :
			     (int)syscall(SYS_pidfd_open, tgid, 0);
		victim->tgid = -1; /* never reused for a later call */
		/* the process pidfd reads the leader's fd table: not this
		 * thread's when it has one of its own (or kcmp cannot say) */
		if (victim->fd >= 0 &&
		    syscall(SYS_kcmp, tgid, c->tid, KCMP_FILES, 0, 0) != 0) {
			close(victim->fd);
			victim->fd = -1;
			victim->used = ++n->tick;
			return -EXDEV;
		}
	}
	victim->used = ++n->tick;
	return victim->fd < 0 ? neg_errno() : victim->fd;
}

/*
 * The caller's open file behind fd. NOTIF_ID_VALID only after a pidfd was
 * opened: a cached one names the caller or answers ESRCH (pidfd_for).
 * Before 6.9, a thread with an fd table of its own (unshare(CLONE_FILES))
 * gets its fd reopened through /proc instead: the same inode, but an open
 * file description of our own (its own offset; sealbox.1, LIMITATIONS).
 */
static int notify_get_file(struct sb_call *c, int fd)
{
	struct sb_notify *n = nc_of(c)->n;
	bool opened = false;
	int pidfd, got = -1;

	for (int attempt = 0; attempt < 2; attempt++) {
		pidfd = pidfd_for(c, attempt > 0, &opened);
		if (pidfd == -EXDEV) {
			got = sb_reopen_fd(c->tid, fd);
			if (got < 0)
				return got;
			opened = true;
			break;
		}
		if (pidfd < 0)
			return -EBADF;
		got = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
		if (got >= 0 || errno != ESRCH)
			break;
	}
	if (got < 0)
		return errno == EBADF ? -EBADF : neg_errno();
	if (opened && !id_valid(n, nc_of(c)->id)) {
		close(got);
		return -ESRCH;
	}
	return got;
}

/* The lowest fd number >= min that the caller's table does not use. */
static int scan_free_fd(pid_t tid, int min)
{
	char path[64];
	DIR *d;
	struct dirent *de;
	unsigned char used[512];
	int best = -1;

	/* numbers in [min, min + 4096) tracked in a bitmap, then beyond */
	memset(used, 0, sizeof(used));
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)tid);
	d = opendir(path);
	if (!d)
		return neg_errno();
	while ((de = readdir(d)) != NULL) {
		char *end = NULL;
		long v = strtol(de->d_name, &end, 10);

		if (*end || end == de->d_name || v < min)
			continue;
		if (v - min < (long)sizeof(used) * 8)
			used[(v - min) / 8] |= (unsigned char)(1U << ((v - min) % 8));
	}
	closedir(d);
	for (int i = 0; i < (int)sizeof(used) * 8; i++) {
		if (!(used[i / 8] & (1U << (i % 8)))) {
			best = min + i;
			break;
		}
	}
	return best < 0 ? -EMFILE : best;
}

static struct fd_hint *hint_for(struct sb_notify *n, pid_t tid)
{
	struct fd_hint *victim = &n->hints[0];

	for (int i = 0; i < FD_HINTS; i++) {
		struct fd_hint *h = &n->hints[i];

		if (h->tid == tid) {
			h->used = ++n->tick;
			return h;
		}
		if (h->used < victim->used)
			victim = h;
	}
	victim->tid = tid;
	victim->next = -1;
	victim->used = ++n->tick;
	return victim;
}

/*
 * A free fd >= min in the caller's table: the number after the last one we
 * gave this thread when kcmp says it is free (EBADF: not open), else the
 * lowest free one from a scan. Numbers are only ever taken in the range by
 * us, so the hint is nearly always right; a scan now and then brings back
 * numbers the program closed.
 */
static int free_fd_at_least(struct sb_notify *n, pid_t tid, int min)
{
	struct fd_hint *h = hint_for(n, tid);
	int got = -1;

	if (h->next >= min && h->next - min < FD_HINT_RESCAN) {
		for (int fd = h->next; fd < h->next + FD_HINT_PROBES; fd++) {
			if (syscall(SYS_kcmp, tid, tid, KCMP_FILE, fd, fd) == 0)
				continue; /* in use */
			if (errno == EBADF)
				got = fd;
			break; /* free, or kcmp cannot tell: scan */
		}
	}
	if (got < 0)
		got = scan_free_fd(tid, min);
	h->next = got < 0 ? -1 : got + 1;
	return got;
}

static int notify_install_fd(struct sb_call *c, int file, int at, int min,
			     bool cloexec, bool reply)
{
	struct sb_notify *n = nc_of(c)->n;
	struct sb_notif_addfd addfd;
	int ret;

	memset(&addfd, 0, sizeof(addfd));
	addfd.id = nc_of(c)->id;
	addfd.srcfd = (uint32_t)file;
	addfd.newfd_flags = cloexec ? O_CLOEXEC : 0;
	addfd.flags = SECCOMP_ADDFD_FLAG_SETFD;
	if (at >= 0) {
		addfd.newfd = (uint32_t)at;
	} else if (min == 0) {
		addfd.flags = 0; /* the kernel's own lowest free number */
	} else {
		ret = free_fd_at_least(n, c->tid, min);
		if (ret < 0)
			return ret;
		addfd.newfd = (uint32_t)ret;
	}
	if (reply && n->addfd_send)
		addfd.flags |= SECCOMP_ADDFD_FLAG_SEND;
	ret = addfd_ioctl(n->listener, &addfd);
	if (ret < 0 && errno == EBADF && at < 0 && min > 0) {
		/* past RLIMIT_NOFILE: a hint ran ahead of a closed number? */
		int low = scan_free_fd(c->tid, min);

		if (low >= 0 && (uint32_t)low < addfd.newfd) {
			addfd.newfd = (uint32_t)low;
			hint_for(n, c->tid)->next = low + 1;
			ret = addfd_ioctl(n->listener, &addfd);
		} else {
			errno = EBADF;
		}
	}
	if (ret < 0) {
		ret = neg_errno();
		/* past RLIMIT_NOFILE replace_fd says EBADF; a new fd says EMFILE */
		return ret == -EBADF && at < 0 ? -EMFILE : ret;
	}
	if (addfd.flags & SECCOMP_ADDFD_FLAG_SEND)
		c->replied = true;
	return ret;
}

static bool notify_still_valid(struct sb_call *c)
{
	return id_valid(nc_of(c)->n, nc_of(c)->id);
}

static const struct sb_target_ops notify_ops = {
	.read_mem = notify_read_mem,
	.write_mem = notify_write_mem,
	.get_file = notify_get_file,
	.install_fd = notify_install_fd,
	.get_tgid = notify_get_tgid,
	.still_valid = notify_still_valid,
};

/* ---- the loop ----------------------------------------------------------- */

int sb_notify_new(struct sb_notify **out, int listener, struct sb_emulator *e,
		  bool addfd_send, bool sync_wake_up, bool fifo)
{
	struct sb_notify *n = calloc(1, sizeof(*n));

	if (!n)
		return -ENOMEM;
	n->listener = listener;
	n->emu = e;
	n->addfd_send = addfd_send;
	for (int i = 0; i < PIDFD_CACHE; i++)
		n->pidfds[i].fd = -1;
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &n->sizes) < 0) {
		free(n);
		return neg_errno();
	}
	/* the kernel's structures may be larger than the ones we know */
	n->req_size = n->sizes.seccomp_notif > sizeof(*n->req) ?
		      n->sizes.seccomp_notif : sizeof(*n->req);
	n->req = calloc(1, n->req_size);
	n->resp = calloc(1, n->sizes.seccomp_notif_resp > sizeof(*n->resp) ?
			 n->sizes.seccomp_notif_resp : sizeof(*n->resp));
	if (!n->req || !n->resp) {
		sb_notify_free(n);
		return -ENOMEM;
	}
	n->oldest_first = !fifo;
	for (int i = 0; n->oldest_first && i < RECV_BATCH; i++) {
		n->batch[i] = calloc(1, n->req_size);
		if (!n->batch[i]) {
			sb_notify_free(n);
			return -ENOMEM;
		}
	}
	if (sync_wake_up) {
		uint64_t fl = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;

		/* wake the caller on our CPU: a round trip without an IPI */
		(void)listener_ioctl(listener, SB_IOCTL_NOTIF_SET_FLAGS,
				     (void *)(uintptr_t)fl);
	}
	*out = n;
	return 0;
}

void sb_notify_free(struct sb_notify *n)
{
	if (!n)
		return;
	for (int i = 0; i < PIDFD_CACHE; i++)
		if (n->pidfds[i].fd >= 0)
			close(n->pidfds[i].fd);
	for (int i = 0; i < RECV_BATCH; i++)
		free(n->batch[i]);
	free(n->req);
	free(n->resp);
	free(n);
}

int sb_notify_fd(const struct sb_notify *n)
{
	return n->listener;
}

/*
 * RECV on fd (the listener, or a dup of it) into *req: 1, 0 when there was
 * none after all (ENOENT: the caller died or was interrupted meanwhile),
 * or -errno.
 */
static int recv_on(struct sb_notify *n, int fd, struct sb_notif *req)
{
	memset(req, 0, n->req_size);
	if (ioctl(fd, SB_IOCTL_NOTIF_RECV, req) < 0)
		return errno == ENOENT ? 0 : neg_errno();
	return 1;
}

/* recv_on the listener, after poll() said one waits: EINTR is none */
static int recv_one(struct sb_notify *n, struct sb_notif *req)
{
	int r = recv_on(n, n->listener, req);

	return r == -EINTR ? 0 : r;
}

static int serve(struct sb_notify *n, const struct sb_notif *req)
{
	struct notify_call nc = { n, req->id };
	struct sb_call call;
	struct sb_verdict v;

	memset(&call, 0, sizeof(call));
	call.ops = &notify_ops;
	call.transport = &nc;
	call.emu = n->emu;
	call.tid = (pid_t)req->pid;
	call.nr = req->data.nr;
	memcpy(call.args, req->data.args, sizeof(call.args));
	v = sb_emulator_dispatch(&call);
	if (v.kind == SB_DONE)
		return 0;

	memset(n->resp, 0, n->sizes.seccomp_notif_resp > sizeof(*n->resp) ?
	       n->sizes.seccomp_notif_resp : sizeof(*n->resp));
	n->resp->id = nc.id;
	if (v.kind == SB_CONTINUE) {
		n->resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	} else if (v.val < 0) {
		n->resp->error = (int32_t)v.val;
	} else {
		n->resp->val = v.val;
	}
	if (listener_ioctl(n->listener, SB_IOCTL_NOTIF_SEND, n->resp) < 0 &&
	    errno != ENOENT)
		return neg_errno();
	return 0;
}

static bool more_pending(const struct sb_notify *n)
{
	struct pollfd p = { n->listener, POLLIN, 0 };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

/*
 * Before 5.19 the kernel hands out the newest notification first: a thread
 * calling in a loop is answered, calls again and is first again, and
 * another thread's call waits for as long as that goes on (a dup2 loop
 * held a fchmod for over 20 s on 5.10). So take every notification that
 * is pending (one per thread at most: each waits for its answer), and
 * answer them oldest first: the kernel numbers them in the order of the
 * calls.
 */
static int handle_batch(struct sb_notify *n)
{
	struct sb_notif *t;
	int got = 0, err = 0, r;

	do {
		r = recv_one(n, n->batch[got]);
		if (r < 0) {
			err = r; /* those taken already are answered still */
			break;
		}
		got += r;
	} while (got < RECV_BATCH && more_pending(n));
	for (int i = 1; i < got; i++)
		for (int j = i; j > 0 && n->batch[j]->id < n->batch[j - 1]->id;
		     j--) {
			t = n->batch[j];
			n->batch[j] = n->batch[j - 1];
			n->batch[j - 1] = t;
		}
	for (int i = 0; i < got; i++) {
		r = serve(n, n->batch[i]);
		if (r < 0 && !err)
			err = r; /* the others are still answered */
	}
	return err;
}

int sb_notify_wait_and_handle(struct sb_notify *n, int recv_fd)
{
	int r;

	if (n->oldest_first)
		return -EINVAL;
	r = recv_on(n, recv_fd, n->req);
	/* ENOTTY, EBADF: recv_fd was pointed elsewhere to end the wait */
	if (r == -ENOTTY || r == -EBADF)
		return -EINTR;
	return r <= 0 ? r : serve(n, n->req);
}

int sb_notify_handle(struct sb_notify *n, short revents)
{
	/*
	 * One notification per wake-up of the caller's poll: looking again
	 * at once would only find the listener empty (with SYNC_WAKE_UP the
	 * caller we answered runs on this CPU once we sleep), and cost a
	 * system call per round trip. Before 5.19, all that are pending.
	 */
	if (revents & POLLIN) {
		int r;

		if (n->oldest_first)
			return handle_batch(n);
		r = recv_one(n, n->req);
		return r <= 0 ? r : serve(n, n->req);
	}
	if (revents & (POLLHUP | POLLERR))
		return -EPIPE;
	return 0;
}
