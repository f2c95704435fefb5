/* SPDX-License-Identifier: MIT */
#include "table.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "shim.h"
#include "util.h"

/* A sweep lease older than this belongs to a process that died mid-sweep. */
#define SWEEP_LEASE_S 30
/*
 * An inode that moved between processes (sent over a socket, or held by a
 * process that forked) less than this long ago is kept even when no process
 * shows it: it may be in flight in a socket queue, or in a child /proc did
 * not list yet.
 */
#define MOVED_GRACE_NS (10ULL * 1000000000ULL)

uint64_t sbt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static size_t table_size(uint32_t slots)
{
	return SBT_HEADER_SIZE + (size_t)slots * sizeof(struct sbt_slot) +
	       (size_t)slots * SBT_NAME_SIZE;
}

uint32_t sbt_wanted_slots(void)
{
	const char *env = secure_getenv("SEALBOX_PRELOAD_TABLE_SIZE");
	unsigned long n;
	uint32_t p = SBT_MIN_SLOTS;
	char *end = NULL;

	if (!env || !*env)
		return SBT_DEFAULT_SLOTS;
	n = strtoul(env, &end, 10);
	if (*end || n < SBT_MIN_SLOTS)
		n = end && *end ? SBT_DEFAULT_SLOTS : SBT_MIN_SLOTS;
	if (n > SBT_MAX_SLOTS)
		n = SBT_MAX_SLOTS;
	while (p < n)
		p <<= 1;
	return p;
}

static void table_path(char *buf, size_t len)
{
	const char *env = secure_getenv("SEALBOX_PRELOAD_TABLE");

	if (env && *env)
		snprintf(buf, len, "%s", env);
	else
		snprintf(buf, len, "/dev/shm/sealbox-preload-v%d-%u",
			 SBT_VERSION, (unsigned int)geteuid());
}

static void set_geometry(struct sbt *t, void *base, size_t size)
{
	t->h = base;
	t->slot = (struct sbt_slot *)((char *)base + SBT_HEADER_SIZE);
	t->names = (char *)(t->slot + t->h->slots);
	t->mask = t->h->slots - 1;
	t->map_size = size;
}

static void fill_header(struct sbt_header *h, uint32_t slots)
{
	memset(h, 0, sizeof(*h));
	h->version = SBT_VERSION;
	h->header_size = SBT_HEADER_SIZE;
	h->slots = slots;
	h->slot_size = sizeof(struct sbt_slot);
	h->name_size = SBT_NAME_SIZE;
	h->uid = (uint32_t)geteuid();
	h->sweep_at = slots / 2;
	/* the magic last: whoever sees it sees a complete header */
	__atomic_store_n(&h->magic, SBT_MAGIC, __ATOMIC_RELEASE);
}

/* Map an existing table file, checking it is ours and well formed. */
static int map_existing(struct sbt *t, int fd)
{
	struct stat st;
	struct sbt_header hdr;
	void *base;

	if (fstat(fd, &st) < 0)
		return neg_errno();
	/* someone else's file in a shared directory is never trusted */
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077) || st.st_size < (off_t)SBT_HEADER_SIZE)
		return -EPERM;
	if (pread(fd, &hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr))
		return -EIO;
	if (hdr.magic != SBT_MAGIC || hdr.version != SBT_VERSION ||
	    hdr.header_size != SBT_HEADER_SIZE ||
	    hdr.slot_size != sizeof(struct sbt_slot) ||
	    hdr.name_size != SBT_NAME_SIZE || hdr.slots < SBT_MIN_SLOTS ||
	    hdr.slots > SBT_MAX_SLOTS || (hdr.slots & (hdr.slots - 1)) ||
	    st.st_size != (off_t)table_size(hdr.slots))
		return -EPROTO;
	base = shim_real.mmap(NULL, table_size(hdr.slots),
			      PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED)
		return neg_errno();
	set_geometry(t, base, table_size(hdr.slots));
	return 0;
}

/* Make the file under a private name, then link it into place. */
static int create_table(struct sbt *t)
{
	uint32_t slots = sbt_wanted_slots();
	size_t size = table_size(slots);
	char tmp[sizeof(t->path) + 48];
	autoclose int fd = -1;
	void *base;
	int err;

	snprintf(tmp, sizeof(tmp), "%s.%ld.%lx", t->path, (long)getpid(),
		 (unsigned long)sbt_now_ns());
	fd = shim_real.open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
			    O_CLOEXEC, 0600);
	if (fd < 0)
		return neg_errno();
	/* the umask may have taken bits away, never added any */
	if (fchmod(fd, 0600) < 0 || shim_real.ftruncate(fd, (off_t)size) < 0) {
		err = neg_errno();
		unlink(tmp);
		return err;
	}
	base = shim_real.mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			      fd, 0);
	if (base == MAP_FAILED) {
		err = neg_errno();
		unlink(tmp);
		return err;
	}
	fill_header(base, slots);
	err = link(tmp, t->path) < 0 ? neg_errno() : 0;
	unlink(tmp);
	if (err < 0) {
		munmap(base, size);
		return err; /* -EEXIST: another process won, use its table */
	}
	set_geometry(t, base, size);
	return 0;
}

static int make_private(struct sbt *t)
{
	uint32_t slots = sbt_wanted_slots();
	size_t size = table_size(slots);
	/* MAP_SHARED: forked children still share it with us */
	void *base = shim_real.mmap(NULL, size, PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (base == MAP_FAILED)
		return neg_errno();
	fill_header(base, slots);
	set_geometry(t, base, size);
	t->shared = false;
	return 0;
}

int sbt_attach(struct sbt *t, bool create)
{
	static int warned;
	int err = -ENOENT;

	memset(t, 0, sizeof(*t));
	table_path(t->path, sizeof(t->path));
	for (int attempt = 0; attempt < 4; attempt++) {
		autoclose int fd = shim_real.open(t->path, O_RDWR | O_NOFOLLOW |
						  O_CLOEXEC);

		if (fd >= 0) {
			err = map_existing(t, fd);
			if (err == 0) {
				t->shared = true;
				return 0;
			}
			break;
		}
		err = neg_errno();
		if (err != -ENOENT || !create)
			break;
		err = create_table(t);
		if (err == 0) {
			t->shared = true;
			return 0;
		}
		if (err != -EEXIST)
			break;
	}
	if (!create)
		return err;
	shim_warn_once(&warned, "cannot share the seal table %s (%s): seals "
		       "hold in this process and its forks only", t->path,
		       strerror(-err));
	return make_private(t);
}

/* ---- slots ----------------------------------------------------------------- */

static uint32_t load_state(const struct sbt_slot *s)
{
	return __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
}

static bool cas_state(struct sbt_slot *s, uint32_t old, uint32_t new)
{
	return __atomic_compare_exchange_n(&s->state, &old, new, false,
					   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

static uint32_t next_word(uint32_t old, uint32_t state)
{
	return ((sbt_version_of(old) + 1) << 2) | state;
}

int sbt_lookup(const struct sbt *t, uint64_t dev, uint64_t ino)
{
	uint32_t h = sbt_hash(dev, ino);

	for (uint32_t i = 0; i < SBT_PROBE_MAX && i <= t->mask; i++) {
		uint32_t idx = (h + i) & t->mask;
		const struct sbt_slot *s = &t->slot[idx];
		uint32_t st = sbt_state_of(load_state(s));

		if (st == SBT_EMPTY)
			return -1;
		if (st == SBT_LIVE && s->dev == dev && s->ino == ino)
			return (int)idx;
	}
	return -1;
}

bool sbt_slot_is(const struct sbt *t, int idx, uint64_t dev, uint64_t ino)
{
	const struct sbt_slot *s;

	if (idx < 0 || (uint32_t)idx > t->mask)
		return false;
	s = &t->slot[idx];
	return sbt_state_of(load_state(s)) == SBT_LIVE && s->dev == dev &&
	       s->ino == ino;
}

static void retire(struct sbt *t, struct sbt_slot *s, uint32_t word)
{
	if (cas_state(s, word, next_word(word, SBT_DEAD))) {
		__atomic_fetch_sub(&t->h->live, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&t->h->reclaimed, 1, __ATOMIC_RELAXED);
	}
}

static int try_insert(struct sbt *t, uint64_t dev, uint64_t ino, uint64_t gen,
		      unsigned int seals, unsigned int flags, const char *name,
		      size_t name_len)
{
	uint32_t h = sbt_hash(dev, ino);

	for (int again = 0; again < 8; again++) {
		int free_idx = -1;
		uint32_t free_word = 0;

		for (uint32_t i = 0; i < SBT_PROBE_MAX && i <= t->mask; i++) {
			uint32_t idx = (h + i) & t->mask;
			struct sbt_slot *s = &t->slot[idx];
			uint32_t word = load_state(s);
			uint32_t st = sbt_state_of(word);

			if (st == SBT_LIVE && s->dev == dev && s->ino == ino) {
				/* the number was reused: that inode is gone */
				retire(t, s, word);
				word = load_state(s);
				st = sbt_state_of(word);
			}
			/*
			 * The first free slot will do: a stale entry of the
			 * same key further on is shadowed by the new one
			 * (lookups meet it first) and a sweep reclaims both
			 * together (they name the same inode). Probing on to
			 * the end of the cluster would touch up to
			 * SBT_PROBE_MAX cache lines per insert once
			 * tombstones fill the table.
			 */
			if (st == SBT_EMPTY || st == SBT_DEAD) {
				free_idx = (int)idx;
				free_word = word;
				break;
			}
		}
		if (free_idx < 0)
			return -ENFILE;

		struct sbt_slot *s = &t->slot[free_idx];
		uint32_t busy = next_word(free_word, SBT_BUSY);

		if (!cas_state(s, free_word, busy))
			continue; /* another inserter took it: probe again */
		s->dev = dev;
		s->ino = ino;
		s->gen = gen;
		__atomic_store_n(&s->seals, seals, __ATOMIC_RELAXED);
		__atomic_store_n(&s->flags, flags, __ATOMIC_RELAXED);
		s->creator = (uint32_t)shim_pid();
		s->created_ns = sbt_now_ns();
		s->moved_ns = 0;
		if ((flags & SBT_F_NAME) && name) {
			char *dst = t->names + (size_t)free_idx * SBT_NAME_SIZE;
			size_t n = name_len < SBT_NAME_SIZE - 1 ?
				   name_len : SBT_NAME_SIZE - 1;

			memcpy(dst, name, n);
			dst[n] = '\0';
		}
		__atomic_store_n(&s->state, (busy & ~3U) | SBT_LIVE,
				 __ATOMIC_RELEASE);
		__atomic_fetch_add(&t->h->live, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&t->h->inserts, 1, __ATOMIC_RELAXED);
		return free_idx;
	}
	return -ENFILE;
}

int sbt_insert(struct sbt *t, uint64_t dev, uint64_t ino, uint64_t gen,
	       unsigned int seals, unsigned int flags, const char *name,
	       size_t name_len)
{
	int idx;

	if (__atomic_load_n(&t->h->live, __ATOMIC_RELAXED) >=
	    __atomic_load_n(&t->h->sweep_at, __ATOMIC_RELAXED))
		(void)sbt_sweep(t);
	idx = try_insert(t, dev, ino, gen, seals, flags, name, name_len);
	if (idx != -ENFILE)
		return idx;
	/*
	 * The probe window is full: make room. Another process may be
	 * sweeping already; give it a moment (its lease expires if it died).
	 */
	for (int wait = 0; wait < 200; wait++) {
		int r = sbt_sweep(t);

		if (r != -EBUSY)
			break;
		usleep(10000);
	}
	idx = try_insert(t, dev, ino, gen, seals, flags, name, name_len);
	if (idx == -ENFILE)
		__atomic_fetch_add(&t->h->full, 1, __ATOMIC_RELAXED);
	return idx;
}

void sbt_touch_moved(struct sbt *t, int idx)
{
	if (idx >= 0 && (uint32_t)idx <= t->mask)
		__atomic_store_n(&t->slot[idx].moved_ns, sbt_now_ns(),
				 __ATOMIC_RELAXED);
}

const char *sbt_name(const struct sbt *t, int idx)
{
	return t->names + (size_t)idx * SBT_NAME_SIZE;
}

/* ---- reclaim --------------------------------------------------------------- */

struct candidate {
	uint64_t dev, ino;
	uint32_t idx;
	uint32_t word; /* the state word seen: reclaim only if unchanged */
	bool alive;
};

struct candidates {
	struct candidate *c;
	size_t n;
};

static int cmp_candidate(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return 0;
}

static void mark_alive(struct candidates *cs, uint64_t dev, uint64_t ino)
{
	size_t lo = 0, hi = cs->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct candidate *c = &cs->c[mid];

		if (c->dev == dev && c->ino == ino) {
			/* equal keys sit next to each other */
			for (size_t i = mid; i < cs->n && cs->c[i].dev == dev &&
			     cs->c[i].ino == ino; i++)
				cs->c[i].alive = true;
			for (size_t i = mid; i-- > 0 && cs->c[i].dev == dev &&
			     cs->c[i].ino == ino;)
				cs->c[i].alive = true;
			return;
		}
		if (c->dev < dev || (c->dev == dev && c->ino < ino))
			lo = mid + 1;
		else
			hi = mid;
	}
}

static bool ends_deleted(const char *s, size_t n)
{
	static const char tail[] = " (deleted)";

	return n >= sizeof(tail) - 1 &&
	       memcmp(s + n - (sizeof(tail) - 1), tail, sizeof(tail) - 1) == 0;
}

/* Every open fd of pid whose file is unlinked (emulated memfds all are). */
static void scan_fds(struct candidates *cs, int procfd, const char *pid)
{
	char path[64], link[PATH_MAX];
	DIR *d;
	struct dirent *de;
	int dfd;

	snprintf(path, sizeof(path), "%s/fd", pid);
	dfd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		/* only unlinked files: never stat a socket or a network file */
		n = readlinkat(dirfd(d), de->d_name, link, sizeof(link));
		if (n <= 0 || !ends_deleted(link, (size_t)n))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, 0) == 0 &&
		    S_ISREG(st.st_mode))
			mark_alive(cs, (uint64_t)st.st_dev, (uint64_t)st.st_ino);
	}
	closedir(d);
}

/* Every mapping of pid whose file is unlinked. */
static void scan_maps(struct candidates *cs, int procfd, const char *pid)
{
	char path[64], line[512];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/maps", pid);
	fd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	f = fdopen(fd, "re");
	if (!f) {
		close(fd);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned int maj, min;
		unsigned long long ino;
		size_t n = strcspn(line, "\n");

		if (!ends_deleted(line, n))
			continue;
		if (sscanf(line, "%*x-%*x %*s %*x %x:%x %llu", &maj, &min,
			   &ino) == 3 && ino)
			mark_alive(cs, (uint64_t)makedev(maj, min),
				   (uint64_t)ino);
	}
	fclose(f);
}

static bool take_lease(struct sbt *t)
{
	uint64_t me = ((uint64_t)getpid() << 32) |
		      (uint32_t)(sbt_now_ns() / 1000000000ULL);
	uint64_t cur = __atomic_load_n(&t->h->sweep_owner, __ATOMIC_ACQUIRE);

	if (cur) {
		pid_t owner = (pid_t)(cur >> 32);
		uint32_t since = (uint32_t)cur;
		uint32_t now_s = (uint32_t)me;

		/* a live sweeper keeps it; a dead or stuck one loses it */
		if (now_s - since < SWEEP_LEASE_S &&
		    (kill(owner, 0) == 0 || errno == EPERM))
			return false;
	}
	return __atomic_compare_exchange_n(&t->h->sweep_owner, &cur, me, false,
					   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

int sbt_sweep(struct sbt *t)
{
	struct candidates cs = { NULL, 0 };
	uint64_t start, live;
	size_t cap = 0;
	int reclaimed = 0;
	int procfd;
	DIR *d;
	struct dirent *de;

	if (!take_lease(t))
		return -EBUSY;
	__atomic_fetch_add(&t->h->sweeps, 1, __ATOMIC_RELAXED);
	start = sbt_now_ns();

	/* candidates: LIVE slots made before the scan that did not move lately */
	for (uint32_t i = 0; i <= t->mask; i++) {
		struct sbt_slot *s = &t->slot[i];
		uint32_t word = load_state(s);
		uint64_t moved;

		if (sbt_state_of(word) != SBT_LIVE || s->created_ns >= start)
			continue;
		moved = __atomic_load_n(&s->moved_ns, __ATOMIC_RELAXED);
		if (moved && start - moved < MOVED_GRACE_NS)
			continue;
		if (cs.n == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct candidate *nc = realloc(cs.c, ncap * sizeof(*nc));

			if (!nc)
				break;
			cs.c = nc;
			cap = ncap;
		}
		cs.c[cs.n++] = (struct candidate){ s->dev, s->ino, i, word,
						   false };
	}
	if (cs.n == 0)
		goto done;
	qsort(cs.c, cs.n, sizeof(cs.c[0]), cmp_candidate);

	/* who still holds them: every process /proc lets us look at */
	procfd = shim_real.open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = procfd >= 0 ? fdopendir(dup(procfd)) : NULL;
	if (!d) {
		if (procfd >= 0)
			close(procfd);
		goto done; /* no /proc: cannot tell, keep everything */
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		scan_fds(&cs, procfd, de->d_name);
		scan_maps(&cs, procfd, de->d_name);
	}
	closedir(d);
	close(procfd);

	for (size_t i = 0; i < cs.n; i++) {
		struct sbt_slot *s = &t->slot[cs.c[i].idx];

		if (cs.c[i].alive)
			continue;
		if (cas_state(s, cs.c[i].word,
			      next_word(cs.c[i].word, SBT_DEAD))) {
			__atomic_fetch_sub(&t->h->live, 1, __ATOMIC_RELAXED);
			reclaimed++;
		}
	}
	__atomic_fetch_add(&t->h->reclaimed, (uint64_t)reclaimed,
			   __ATOMIC_RELAXED);
done:
	free(cs.c);
	/* sweep again when the table has filled as much again */
	live = __atomic_load_n(&t->h->live, __ATOMIC_RELAXED);
	__atomic_store_n(&t->h->sweep_at,
			 live * 2 > t->h->slots / 2 ? live * 2 : t->h->slots / 2,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&t->h->sweep_owner, 0, __ATOMIC_RELEASE);
	return reclaimed;
}
