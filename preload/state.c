/* SPDX-License-Identifier: MIT */
/*
 * state.c: what the shim knows about this process.
 *
 *  - shim_mode: UNINIT until the first interposed call, then INACTIVE (no
 *    emulated memfd here: every call goes straight to libc after one
 *    branch) or ACTIVE (look at the per-fd marks). A process becomes
 *    ACTIVE when it creates, receives, reopens or inherits an emulated
 *    memfd; it never goes back.
 *  - per-fd marks: a byte per fd number saying "this fd referred to an
 *    emulated inode when the shim last saw it", and the table slot. They
 *    are hints: a decision that refuses a call or changes state first checks
 *    with fstat that the fd still is that inode.
 *  - the plan (features probed once, SEALBOX_FEATURES applied, the emu/
 *    rules derived as for `sealbox run`), and the backing store.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "kcompat.h"
#include "probe.h"
#include "shim.h"
#include "table.h"
#include "util.h"

volatile int shim_mode = SHIM_UNINIT;
volatile int shim_seals_native;
uint8_t shim_fd_kind[SHIM_FD_MAX];
uint32_t shim_fd_slot[SHIM_FD_MAX];
__thread int shim_busy __attribute__((tls_model("initial-exec")));

/* highest fd ever marked: bounds the walks over the marks */
static int fd_high = -1;

/* getpid() is a system call in glibc: the shim's own bookkeeping reads
 * this copy, refreshed in every child by an atfork handler (a child made
 * with a raw clone() keeps the parent's: nothing that depends on it for
 * correctness uses it). */
static pid_t cached_pid;
static void watch_forks(void);

pid_t shim_pid(void)
{
	pid_t p = __atomic_load_n(&cached_pid, __ATOMIC_RELAXED);

	if (SHIM_UNLIKELY(p == 0)) {
		watch_forks();
		p = getpid();
		__atomic_store_n(&cached_pid, p, __ATOMIC_RELAXED);
	}
	return p;
}

/* ---- messages ---------------------------------------------------------- */

void shim_warn_once(int *once, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	if (__atomic_exchange_n(once, 1, __ATOMIC_RELAXED))
		return;
	n = snprintf(buf, sizeof(buf), "sealbox-preload: ");
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	(void)!shim_real.write(STDERR_FILENO, buf, (size_t)n);
}

/* ---- the table --------------------------------------------------------- */

struct sbt *shim_table_ptr;

/*
 * This user's table: attached once and kept (the mapping survives fork).
 * Without create, a process that finds none looks again next time (rare
 * calls only: path-based ones, received fds).
 */
struct sbt *shim_table(bool create)
{
	struct sbt *t = __atomic_load_n(&shim_table_ptr, __ATOMIC_ACQUIRE);
	struct sbt *mine, *expected = NULL;

	if (t)
		return t;
	mine = malloc(sizeof(*mine));
	if (!mine)
		return NULL;
	if (sbt_attach(mine, create) < 0) {
		free(mine);
		return NULL;
	}
	if (!__atomic_compare_exchange_n(&shim_table_ptr, &expected, mine, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		munmap(mine->h, mine->map_size);
		free(mine);
		return expected;
	}
	return mine;
}

/* ---- marks ------------------------------------------------------------- */

bool shim_write_free_hint(int fd)
{
	const struct sbt *t = __atomic_load_n(&shim_table_ptr, __ATOMIC_ACQUIRE);
	const struct sbt_slot *s;
	uint32_t idx = shim_fd_slot[fd];

	if (!t || idx > t->mask)
		return false;
	s = &t->slot[idx];
	return sbt_state_of(__atomic_load_n(&s->state, __ATOMIC_ACQUIRE)) ==
	       SBT_LIVE &&
	       !(__atomic_load_n(&s->seals, __ATOMIC_ACQUIRE) &
		 (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | F_SEAL_GROW)) &&
	       !(__atomic_load_n(&s->flags, __ATOMIC_RELAXED) & SBT_F_HUGETLB);
}

static void prepare_fork(void)
{
	struct sbt *t = __atomic_load_n(&shim_table_ptr, __ATOMIC_ACQUIRE);
	int high = __atomic_load_n(&fd_high, __ATOMIC_RELAXED);

	/* the child may outlive our copy of each fd: a sweep that runs while
	 * it does not show up in /proc yet must keep the entries */
	if (!t)
		return;
	for (int fd = 0; fd <= high && fd < SHIM_FD_MAX; fd++)
		if (shim_fd_marked(fd))
			sbt_touch_moved(t, (int)shim_fd_slot[fd]);
}

static pid_t backing_pid;

static void child_after_fork(void)
{
	__atomic_store_n(&cached_pid, 0, __ATOMIC_RELAXED);
	/* the backing store is the parent's: open our own when needed */
	__atomic_store_n(&backing_pid, 0, __ATOMIC_RELEASE);
}

/* Once per process (and inherited by fork): keep the pid copy right. */
static void watch_forks(void)
{
	static int once;

	if (!__atomic_exchange_n(&once, 1, __ATOMIC_ACQ_REL))
		pthread_atfork(prepare_fork, NULL, child_after_fork);
}

static void activate(void)
{
	if (shim_mode == SHIM_ACTIVE)
		return;
	watch_forks();
	__atomic_store_n(&shim_mode, SHIM_ACTIVE, __ATOMIC_RELEASE);
}

void shim_fd_mark(int fd, uint32_t slot, bool writable)
{
	int high;

	if ((unsigned int)fd >= SHIM_FD_MAX)
		return;
	__atomic_store_n(&shim_fd_slot[fd], slot, __ATOMIC_RELAXED);
	__atomic_store_n(&shim_fd_kind[fd],
			 (uint8_t)(SHIM_FD_EMU | (writable ? SHIM_FD_WRITABLE : 0)),
			 __ATOMIC_RELEASE);
	high = __atomic_load_n(&fd_high, __ATOMIC_RELAXED);
	while (fd > high &&
	       !__atomic_compare_exchange_n(&fd_high, &high, fd, false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	activate();
}

void shim_fd_unmark(int fd)
{
	if ((unsigned int)fd < SHIM_FD_MAX)
		__atomic_store_n(&shim_fd_kind[fd], 0, __ATOMIC_RELAXED);
}

void shim_fd_unmark_range(unsigned int first, unsigned int last)
{
	int high = __atomic_load_n(&fd_high, __ATOMIC_RELAXED);

	if (high < 0)
		return;
	if (last > (unsigned int)high)
		last = (unsigned int)high;
	for (unsigned int fd = first; fd <= last && fd < SHIM_FD_MAX; fd++)
		shim_fd_unmark((int)fd);
}

void shim_fd_copy(int oldfd, int newfd)
{
	if ((unsigned int)newfd >= SHIM_FD_MAX)
		return;
	if (shim_fd_marked(oldfd))
		shim_fd_mark(newfd, shim_fd_slot[oldfd],
			     shim_fd_kind[oldfd] & SHIM_FD_WRITABLE);
	else
		shim_fd_unmark(newfd);
}

/* ---- identity ---------------------------------------------------------- */

uint64_t shim_inode_gen(int fd)
{
	union {
		struct file_handle h;
		unsigned char raw[sizeof(struct file_handle) + 128];
	} fh;
	const unsigned char *bytes = fh.raw + sizeof(struct file_handle);
	uint64_t hash = 0xcbf29ce484222325ULL;
	int mount_id;

	/* the same hash as the supervisor's key_of() */
	fh.h.handle_bytes = 128;
	if (name_to_handle_at(fd, "", &fh.h, &mount_id, AT_EMPTY_PATH) < 0 ||
	    fh.h.handle_bytes > 128)
		return 0;
	for (unsigned int i = 0; i < fh.h.handle_bytes; i++)
		hash = (hash ^ bytes[i]) * 0x100000001b3ULL;
	return hash | 1;
}

/*
 * Is fd the inode slot idx was made for, not another that got its number
 * since? The file handle's hash where the slot has one; for a file made in
 * a store directory of ours, the path /proc shows: "DIR/sealbox-.../NAME
 * (deleted)" (the directory's name stays in the path after it is
 * removed). Only ever asked for an fd the shim did not see arrive.
 */
bool shim_same_inode(const struct sbt *t, int idx, int fd)
{
	static const char deleted[] = " (deleted)";
	const struct sbt_slot *s = &t->slot[idx];
	char link[64], path[PATH_MAX];
	const char *dir;
	ssize_t n;

	if (s->gen)
		return shim_inode_gen(fd) == s->gen;
	if (!(__atomic_load_n(&s->flags, __ATOMIC_ACQUIRE) & SBT_F_OWNDIR))
		return true;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = shim_real.readlink(link, path, sizeof(path) - 1);
	if (n <= (ssize_t)sizeof(deleted) - 1)
		return false;
	path[n] = '\0';
	if (strcmp(path + n - (sizeof(deleted) - 1), deleted) != 0)
		return false;
	path[n - (sizeof(deleted) - 1)] = '\0';
	dir = strrchr(path, '/');
	if (!dir || dir == path)
		return false;
	path[dir - path] = '\0';
	dir = strrchr(path, '/');
	return dir && strncmp(dir + 1, SB_BACKING_OWNER_PREFIX,
			      sizeof(SB_BACKING_OWNER_PREFIX) - 1) == 0;
}

/* ---- first call: inherited fds ------------------------------------------ */

/*
 * Is fd an emulated memfd this process did not see arrive (inherited over
 * exec, received over a socket)? If so, mark it. Returns the slot or -1.
 */
int shim_fstat(int fd, struct stat *st)
{
#ifdef SYS_fstat
	/* glibc's fstat is newfstatat(fd, "", AT_EMPTY_PATH): a path walk */
	return (int)shim_raw(SYS_fstat, fd, (long)st, 0, 0, 0, 0);
#else
	return fstat(fd, st);
#endif
}

int shim_adopt(int fd)
{
	struct sbt *t;
	struct stat st;
	int idx, fl;

	if (shim_fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_nlink != 0)
		return -1;
	t = shim_table(false);
	if (!t)
		return -1;
	idx = sbt_lookup(t, (uint64_t)st.st_dev, (uint64_t)st.st_ino);
	if (idx < 0 || !shim_same_inode(t, idx, fd))
		return -1;
	fl = shim_real.fcntl(fd, F_GETFL);
	if (fl < 0 || (fl & O_PATH))
		return -1;
	shim_fd_mark(fd, (uint32_t)idx,
		     (fl & O_ACCMODE) == O_WRONLY || (fl & O_ACCMODE) == O_RDWR);
	return idx;
}

static void discover_inherited(void)
{
	struct sbt *t = shim_table(false);
	DIR *d;
	struct dirent *de;

	/* no table, or nothing in it: nothing can have been inherited */
	if (!t || __atomic_load_n(&t->h->live, __ATOMIC_RELAXED) == 0)
		return;
	d = opendir("/proc/self/fd");
	if (!d) {
		for (int fd = 0; fd < 1024; fd++)
			shim_adopt(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		char *end = NULL;
		long fd = strtol(de->d_name, &end, 10);

		if (end == de->d_name || *end || fd == dirfd(d))
			continue;
		shim_adopt((int)fd);
	}
	closedir(d);
}

void shim_init(void)
{
	static int state;      /* 0 not yet, 1 running, 2 done */
	static pid_t owner;    /* the process running it */
	static __thread int running;
	int expected = 0, busy;

	if (running)
		return; /* called again from inside: let the call through */
	while (!__atomic_compare_exchange_n(&state, &expected, 1, false,
					    __ATOMIC_ACQ_REL,
					    __ATOMIC_ACQUIRE)) {
		pid_t o;

		if (expected == 2)
			return;
		/* a fork while another thread was initialising leaves the
		 * child with nobody to finish: take it over */
		o = __atomic_load_n(&owner, __ATOMIC_ACQUIRE);
		if (o && o != getpid())
			__atomic_compare_exchange_n(&state, &expected, 0,
						    false, __ATOMIC_ACQ_REL,
						    __ATOMIC_ACQUIRE);
		else
			sched_yield();
		expected = 0;
	}
	__atomic_store_n(&owner, getpid(), __ATOMIC_RELEASE);
	running = 1;
	busy = shim_busy;
	shim_busy = 1;
	discover_inherited();
	if (shim_mode == SHIM_UNINIT)
		__atomic_store_n(&shim_mode, SHIM_INACTIVE, __ATOMIC_RELEASE);
	shim_busy = busy;
	running = 0;
	__atomic_store_n(&state, 2, __ATOMIC_RELEASE);
}

/* ---- the plan ------------------------------------------------------------ */

static struct shim_plan plans[2];
static struct shim_plan *plan_cur;
static pthread_once_t plan_once = PTHREAD_ONCE_INIT;

/* SEALBOX_FEATURES as `sealbox run` reads it; a bad entry is skipped. */
static void apply_overrides(struct sb_features *fs, const char *spec)
{
	const char *p = spec;

	while (p && *p) {
		const char *bad = NULL;
		size_t bad_len = 0;

		if (sb_features_override(fs, p, &bad, &bad_len) == 0 || !bad)
			break;
		p = bad + bad_len;
		if (*p == ',')
			p++;
	}
}

static void derive(struct shim_plan *p)
{
	static const struct {
		enum sb_feature f;
		unsigned int bit;
	} natives[] = {
		{ SB_F_SEAL_SEAL, F_SEAL_SEAL },
		{ SB_F_SEAL_SHRINK, F_SEAL_SHRINK },
		{ SB_F_SEAL_GROW, F_SEAL_GROW },
		{ SB_F_SEAL_WRITE, F_SEAL_WRITE },
		{ SB_F_SEAL_FUTURE_WRITE, F_SEAL_FUTURE_WRITE },
		{ SB_F_SEAL_EXEC, F_SEAL_EXEC },
	};
	struct sb_options o;
	const char *why = NULL;

	sb_options_init(&o);
	o.backend = SB_BACKEND_PRELOAD;
	o.emulate = p->emulate_all ? SB_EMULATE_ALL : SB_EMULATE_AUTO;
	o.enforce_user = p->enforce_user;
	if (sb_plan_make(&p->fs, &o, &p->plan, &why) < 0) {
		/* cannot happen without --pretend-kernel; be safe anyway */
		o.emulate = SB_EMULATE_ALL;
		(void)sb_plan_make(&p->fs, &o, &p->plan, &why);
	}
	p->native_seals = 0;
	for (size_t i = 0; i < SB_ARRAY_SIZE(natives); i++)
		if (sb_features_has(&p->fs, natives[i].f))
			p->native_seals |= natives[i].bit;
	p->native_map_ro = sb_features_has(&p->fs, SB_F_MAP_RO_UNDER_WRITE);
	p->native_arg_int = sb_features_has(&p->fs, SB_F_SEALS_ARG_INT);
	p->native_exec_flags = sb_features_has(&p->fs, SB_F_MFD_NOEXEC_SEAL) &&
			       sb_features_has(&p->fs, SB_F_MFD_EXEC);
	/* the supervisor's kernel_can_enforce(), with the store the next
	 * memfd would get */
	p->kernel_enforces =
		p->plan.emulated_files && !p->plan.enforce_user &&
		shim_backing_kind(p) == SB_BACKING_MEMFD &&
		(p->plan.seal.known & ~p->native_seals) == 0 &&
		p->plan.seal.map_ro_under_write == p->native_map_ro &&
		p->plan.seal.map_ro_under_write &&
		!p->plan.seal.type_check_first &&
		p->plan.seal.arg_int == p->native_arg_int &&
		p->plan.memfd.have_exec == p->native_exec_flags;
}

/* The sealing fcntls of fds the shim did not mark go to the kernel as
 * they are: tell the fast path, so it need not ask the plan. */
static void publish_seals_native(const struct shim_plan *p)
{
	__atomic_store_n(&shim_seals_native,
			 !p->plan.intercept_seals || p->kernel_enforces,
			 __ATOMIC_RELEASE);
}

/* SEALBOX_PRELOAD_DEBUG: what the process runs with, on stderr. */
static void debug_plan(const struct shim_plan *p)
{
	static int once;
	char line[1024];
	size_t n = 0;

	for (int i = 0; i < SB_F_COUNT && n < sizeof(line) - 64; i++) {
		const struct sb_feature_info *info = sb_feature_info(i);

		if (info->kind == SB_FK_SUPPORT && i != SB_F_O_TMPFILE)
			continue;
		n += (size_t)snprintf(line + n, sizeof(line) - n, " %s=%s",
				      info->name,
				      sb_action_name(p->plan.action[i]));
	}
	shim_warn_once(&once, "plan:%s; emulate=%s enforce=%s%s%s known=0x%x "
		       "arg_int=%d map_ro=%d native_seals=0x%x", line,
		       p->emulate_all ? "all" : "auto",
		       p->enforce_user ? "user" : "auto",
		       p->kernel_enforces ? " kernel-enforces" : "",
		       p->plan.layered_exec ? " layered-exec" : "",
		       p->plan.seal.known, p->plan.seal.arg_int,
		       p->plan.seal.map_ro_under_write, p->native_seals);
}

/*
 * Only the features the shim needs, and only the probes that stay in this
 * process: sb_features_cached() also probes the supervisor's features,
 * which forks (seccomp and ptrace probe children), and a library must not
 * fork behind its program's back (SIGCHLD, atfork handlers).
 */
static void plan_fill(void)
{
	struct shim_plan *p = &plans[0];
	const char *emulate = secure_getenv("SEALBOX_PRELOAD_EMULATE");
	const char *enforce = secure_getenv("SEALBOX_PRELOAD_ENFORCE");
	int busy = shim_busy;

	shim_busy = 1;
	sb_features_init(&p->fs);
	apply_overrides(&p->fs, secure_getenv("SEALBOX_FEATURES"));
	for (int i = 0; i < SB_F_COUNT; i++) {
		const struct sb_feature_info *info = sb_feature_info(i);

		if (p->fs.state[i] != SB_UNKNOWN)
			continue;
		if (info->kind == SB_FK_SUPPORT && i != SB_F_O_TMPFILE)
			continue;
		(void)sb_probe_one(&p->fs, (enum sb_feature)i);
	}
	if (p->fs.memfd_noexec < 0) {
		int v = sb_probe_memfd_noexec();

		if (v >= 0)
			p->fs.memfd_noexec = v;
	}
	p->emulate_all = emulate && strcmp(emulate, "all") == 0;
	p->enforce_user = enforce && strcmp(enforce, "user") == 0;
	derive(p);
	__atomic_store_n(&plan_cur, p, __ATOMIC_RELEASE);
	publish_seals_native(p);
	if (secure_getenv("SEALBOX_PRELOAD_DEBUG"))
		debug_plan(p);
	shim_busy = busy;
}

const struct shim_plan *shim_plan(void)
{
	struct shim_plan *p = __atomic_load_n(&plan_cur, __ATOMIC_ACQUIRE);

	if (SHIM_LIKELY(p != NULL))
		return p;
	pthread_once(&plan_once, plan_fill);
	return __atomic_load_n(&plan_cur, __ATOMIC_ACQUIRE);
}

void shim_plan_lose_memfd(void)
{
	static int once;
	struct shim_plan *p = &plans[1];

	if (__atomic_exchange_n(&once, 1, __ATOMIC_ACQ_REL))
		return;
	*p = *shim_plan();
	sb_features_force(&p->fs, SB_F_MEMFD_CREATE, false);
	derive(p);
	__atomic_store_n(&plan_cur, p, __ATOMIC_RELEASE);
	publish_seals_native(p);
}

/* ---- the backing store --------------------------------------------------- */

static struct sb_backing backing;
static int backing_lock;          /* pid of the holder, 0 when free */

static void lock_backing(void)
{
	pid_t me = shim_pid();

	for (;;) {
		int cur = 0;

		if (__atomic_compare_exchange_n(&backing_lock, &cur, (int)me,
						false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return;
		/* the threads of a process share its pid: another pid means
		 * the parent held it when it forked us, and nobody here does */
		if (cur != (int)me &&
		    __atomic_compare_exchange_n(&backing_lock, &cur, (int)me,
						false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return;
		sched_yield();
	}
}

static void unlock_backing(void)
{
	__atomic_store_n(&backing_lock, 0, __ATOMIC_RELEASE);
}

/* Out of the way of programs that expect the lowest free fds. */
static int move_high(int fd)
{
	struct rlimit rl;
	long min;
	int nfd;

	if (fd < 0 || getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return fd;
	min = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 4096 ?
	      2048 : (long)rl.rlim_cur / 2;
	if (fd >= min)
		return fd;
	nfd = shim_real.fcntl(fd, F_DUPFD_CLOEXEC, (int)min);
	if (nfd < 0)
		return fd;
	close(fd);
	return nfd;
}

/*
 * An fd of a directory of the store that fgetxattr(2) accepts (the
 * detached mount's own fd is O_PATH): shim_read_name lets the kernel look
 * at a name through it. -1 when there is none.
 */
static int name_probe_fd = -1;
static pid_t name_probe_pid;

static int open_backing(const struct shim_plan *p)
{
	const char *env = secure_getenv("SEALBOX_PRELOAD_BACKING");
	enum sb_backing_kind want = SB_BACKING_NONE;
	int err;

	if (env && *env && sb_backing_parse(env, &want) < 0)
		want = SB_BACKING_NONE;
	/* a forked child drops the parent's store without touching it (the
	 * parent still uses the fds and owns the directory); so does a
	 * process whose store fds the program closed (they are not ours
	 * any more) */
	memset(&backing, 0, sizeof(backing));
	backing.kind = SB_BACKING_NONE;
	backing.mnt_fd = backing.dir_fd = -1;
	__atomic_store_n(&name_probe_pid, 0, __ATOMIC_RELEASE);
	err = sb_backing_open(&backing, &p->fs, want, NULL);
	if (err < 0)
		return err;
	backing.mnt_fd = move_high(backing.mnt_fd);
	backing.dir_fd = move_high(backing.dir_fd);
	if (backing.dir_fd >= 0) {
		name_probe_fd = backing.dir_fd;
	} else if (backing.mnt_fd >= 0) {
		/* ours alone, like the mount fd: it lives as long as the
		 * process (a child that reopens its store makes its own) */
		name_probe_fd = move_high(openat(backing.mnt_fd, ".",
						 O_RDONLY | O_DIRECTORY |
						 O_CLOEXEC));
	} else {
		name_probe_fd = -1;
	}
	__atomic_store_n(&name_probe_pid, shim_pid(), __ATOMIC_RELEASE);
	__atomic_store_n(&backing_pid, shim_pid(), __ATOMIC_RELEASE);
	watch_forks();
	return 0;
}

/*
 * The kind of store the next memfd will get, without opening it: a memfd
 * store needs no fd of its own, the others need one (and the name must be
 * checked before that can fail with EMFILE).
 */
enum sb_backing_kind shim_backing_kind(const struct shim_plan *p)
{
	/* SEALBOX_PRELOAD_BACKING, read once: 0 unread, else kind + 1 */
	static int forced;
	int f = __atomic_load_n(&forced, __ATOMIC_ACQUIRE);

	if (!f) {
		const char *env = secure_getenv("SEALBOX_PRELOAD_BACKING");
		enum sb_backing_kind want = SB_BACKING_NONE;

		if (!env || !*env || sb_backing_parse(env, &want) < 0)
			want = SB_BACKING_NONE;
		f = (int)want + 1;
		__atomic_store_n(&forced, f, __ATOMIC_RELEASE);
	}
	if (f - 1 != (int)SB_BACKING_NONE)
		return (enum sb_backing_kind)(f - 1);
	if (sb_features_has(&p->fs, SB_F_MEMFD_CREATE))
		return SB_BACKING_MEMFD;
	return SB_BACKING_NONE; /* one of the others: decided when opened */
}

/*
 * No fstat of the store's fd here: the program may have closed it (a
 * daemon's close-everything loop) and got the number back, but creating
 * a file then fails or lands on another file system, which
 * sb_backing_create_stat reports, and shim_backing_create reopens.
 */
int shim_backing(struct sb_backing **out)
{
	const struct shim_plan *p = shim_plan();
	int err = 0;

	lock_backing();
	if (__atomic_load_n(&backing_pid, __ATOMIC_ACQUIRE) != shim_pid() ||
	    backing.kind == SB_BACKING_NONE)
		err = open_backing(p);
	unlock_backing();
	*out = &backing;
	return err;
}

/* Serialises sb_backing_create (the unlinked strategy counts names), and
 * opens the store anew when its fd turns out not to be ours any more. */
int shim_backing_create(struct sb_backing *b, const char *name, mode_t mode,
			struct stat *st)
{
	int fd;

	lock_backing();
	fd = sb_backing_create_stat(b, name, mode, st);
	if ((fd == -ESTALE || fd == -EBADF || fd == -ENOTDIR) &&
	    b == &backing && b->kind != SB_BACKING_MEMFD &&
	    open_backing(shim_plan()) == 0)
		fd = sb_backing_create_stat(b, name, mode, st);
	unlock_backing();
	return fd;
}

/* ---- reading the caller's memory ----------------------------------------- */

/* process_vm_readv stops at the first iovec it cannot read whole: one
 * element per page finds the exact edge. */
static ssize_t read_by_pages(const void *p, void *buf, size_t len)
{
	long page = sysconf(_SC_PAGESIZE);
	struct iovec local = { buf, len };
	struct iovec remote[4];
	uintptr_t at = (uintptr_t)p, end = at + len;
	unsigned long n = 0;

	while (at < end && n < SB_ARRAY_SIZE(remote)) {
		uintptr_t next = (at | (uintptr_t)(page - 1)) + 1;

		if (next > end || next < at)
			next = end;
		remote[n].iov_base = (void *)at;
		remote[n].iov_len = next - at;
		n++;
		at = next;
	}
	return process_vm_readv(shim_pid(), &local, 1, remote, n, 0);
}

/* Without process_vm_readv (a seccomp policy): a pipe copies what it can. */
static size_t read_by_pipe(const void *p, void *buf, size_t len)
{
	int fds[2];
	size_t got = 0;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return 0;
	while (got < len) {
		/* byte by byte near the edge would be exact; a page is one
		 * write: the kernel copies nothing from a faulting page */
		ssize_t n = shim_real.write(fds[1], (const char *)p + got, 1);

		if (n != 1 || read(fds[0], (char *)buf + got, 1) != 1)
			break;
		got++;
	}
	close(fds[0]);
	close(fds[1]);
	return got;
}

size_t shim_read_user(const void *p, void *buf, size_t len)
{
	ssize_t n;

	if (!p)
		return 0;
	n = read_by_pages(p, buf, len);
	if (n >= 0)
		return (size_t)n;
	if (errno == EFAULT)
		return 0;
	return read_by_pipe(p, buf, len);
}

struct name_copy {
	uintptr_t at;
	char *buf;
	size_t len;
	size_t got; /* bytes copied, the NUL included; 0: not found */
};

/*
 * dl_iterate_phdr callback: when the name lies in a readable segment of a
 * loaded object (a string literal, the usual case), copy it from there,
 * up to its NUL, len bytes at most, never past the segment. The loader's
 * lock is held meanwhile, so no dlclose can unmap it under us.
 */
static int copy_from_object(struct dl_phdr_info *info, size_t size,
			    void *data)
{
	struct name_copy *nc = data;

	(void)size;
	for (unsigned int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t start = info->dlpi_addr + ph->p_vaddr;
		uintptr_t end = start + ph->p_memsz;
		const char *s = (const char *)nc->at;
		size_t n = 0;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_R) ||
		    nc->at < start || nc->at >= end)
			continue;
		while (n < nc->len && n < end - nc->at) {
			nc->buf[n] = s[n];
			if (s[n++] == '\0')
				break;
		}
		/* ran into the segment's end first: the exact way decides */
		if (n == nc->len || nc->buf[n - 1] == '\0')
			nc->got = n;
		return 1;
	}
	return 0;
}

/*
 * A memfd name, without process_vm_readv (which pins the pages: a third
 * of a memfd_create) where it can be done safely: from a loaded object
 * (above), else through the kernel, which reads it in fgetxattr(2) on a
 * directory of the store. The kernel copies an xattr name up to its NUL
 * (at most 256 bytes) before anything else, so ENODATA, EOPNOTSUPP or a
 * size mean every byte up to the NUL is readable, and the shim copies
 * them itself. Anything else (EFAULT, ERANGE for "" or no NUL within 256
 * bytes, a policy's EPERM, no store yet) goes the exact way.
 */
size_t shim_read_name(const char *p, char *buf, size_t len)
{
	struct name_copy nc = { (uintptr_t)p, buf, len, 0 };
	int fd = name_probe_fd;
	ssize_t r;
	size_t n;

	if (p && dl_iterate_phdr(copy_from_object, &nc) && nc.got)
		return nc.got;
	if (!p || fd < 0 ||
	    __atomic_load_n(&name_probe_pid, __ATOMIC_ACQUIRE) != shim_pid())
		return shim_read_user(p, buf, len);
	r = fgetxattr(fd, p, NULL, 0);
	if (r < 0 && errno != ENODATA && errno != EOPNOTSUPP)
		return shim_read_user(p, buf, len);
	n = strnlen(p, len);
	n += n < len; /* the NUL too */
	memcpy(buf, p, n);
	return n;
}
