/* SPDX-License-Identifier: MIT */
#include "maps.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* "start-end perms offset maj:min inode path" */
static bool parse_line(const char *line, struct sb_mapping *m)
{
	char perms[8];
	unsigned int maj, min;

	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %x:%x %" SCNu64,
		   &m->start, &m->end, perms, &m->offset, &maj, &min,
		   &m->ino) != 7)
		return false;
	m->read = perms[0] == 'r';
	m->write = perms[1] == 'w';
	m->exec = perms[2] == 'x';
	m->shared = perms[3] == 's';
	m->dev = makedev(maj, min);
	m->vm_shared = m->vm_maywrite = false;
	return true;
}

/* In smaps, "VmFlags: rd wr sh mr mw me ms ..." follows each mapping. */
static void parse_vmflags(const char *line, struct sb_mapping *m)
{
	const char *p = line + strlen("VmFlags:");

	while (*p) {
		while (*p == ' ')
			p++;
		if (strncmp(p, "sh", 2) == 0 && (p[2] == ' ' || p[2] == '\n'))
			m->vm_shared = true;
		if (strncmp(p, "mw", 2) == 0 && (p[2] == ' ' || p[2] == '\n'))
			m->vm_maywrite = true;
		while (*p && *p != ' ')
			p++;
	}
}

struct walk {
	bool by_inode;
	uint64_t dev, ino;
	uint64_t start, end;
	bool vmflags;
	sb_mapping_fn fn;
	void *ctx;
	/* optional: told of every mapping, wanted or not */
	void (*every)(const struct sb_mapping *m, void *ctx);
	void *every_ctx;
};

static bool wanted(const struct walk *w, const struct sb_mapping *m)
{
	if (w->by_inode)
		return m->ino == w->ino && m->dev == w->dev;
	return m->start < w->end && m->end > w->start;
}

static int walk_pid(pid_t pid, const struct walk *w)
{
	char path[64], line[512];
	struct sb_mapping m, pending;
	bool have_pending = false;
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid,
		 w->vmflags ? "smaps" : "maps");
	f = fopen(path, "re");
	if (!f)
		return neg_errno();
	while (fgets(line, sizeof(line), f)) {
		if (w->vmflags && strncmp(line, "VmFlags:", 8) == 0) {
			if (have_pending) {
				parse_vmflags(line, &pending);
				ret = w->fn(&pending, w->ctx);
				have_pending = false;
				if (ret)
					break;
			}
			continue;
		}
		if (!isxdigit((unsigned char)line[0]) || !parse_line(line, &m))
			continue;
		m.pid = pid;
		if (w->every)
			w->every(&m, w->every_ctx);
		if (!wanted(w, &m))
			continue;
		if (w->vmflags) {
			pending = m;
			have_pending = true;
			continue;
		}
		ret = w->fn(&m, w->ctx);
		if (ret)
			break;
	}
	fclose(f);
	return ret;
}

int sb_maps_walk(pid_t pid, uint64_t dev, uint64_t ino, bool vmflags,
		 sb_mapping_fn fn, void *ctx)
{
	struct walk w = { true, dev, ino, 0, 0, vmflags, fn, ctx };
	DIR *d;
	struct dirent *de;
	int ret = 0;

	if (pid > 0)
		return walk_pid(pid, &w);
	d = opendir("/proc");
	if (!d)
		return neg_errno();
	while ((de = readdir(d)) != NULL) {
		char *end = NULL;
		long p = strtol(de->d_name, &end, 10);

		if (p <= 0 || *end)
			continue;
		ret = walk_pid((pid_t)p, &w);
		if (ret > 0)
			break;
		ret = 0; /* a process that went away, or a kernel thread */
	}
	closedir(d);
	return ret;
}

int sb_maps_walk_range(pid_t pid, uint64_t start, uint64_t end,
		       bool vmflags, sb_mapping_fn fn, void *ctx)
{
	struct walk w = { false, 0, 0, start, end, vmflags, fn, ctx };

	return walk_pid(pid, &w);
}

/* ---- a walk that no mapping can dodge --------------------------------- */

/* What a listed range held just after the listing (see snapshot_take). */
enum held { HELD_OTHER, HELD_OURS, HELD_UNKNOWN };

struct range {
	uint64_t start, end;
	bool seen;
	enum held held;
};

struct snapshot {
	struct range *r;
	size_t n;
	int dirfd;       /* /proc/PID/map_files */
};

/*
 * The longest entry a getdents of map_files can return ("%lx-%lx" of two
 * 64-bit addresses): a listing that left at least this much of the buffer
 * unused was not cut short for want of room.
 */
#define MAP_FILES_RECLEN_MAX \
	((offsetof(struct dirent64, d_name) + \
	  sizeof("ffffffffffffffff-ffffffffffffffff") + 7) & ~(size_t)7)

static enum held held_by(int dirfd, const char *name, uint64_t dev,
			 uint64_t ino)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, 0) < 0)
		return HELD_UNKNOWN;
	if ((uint64_t)st.st_dev == dev && (uint64_t)st.st_ino == ino)
		return HELD_OURS;
	return HELD_OTHER;
}

/*
 * One listing of /proc/PID/map_files into *buf (*got bytes). The kernel fills
 * a getdents of it from a list it takes under the mmap lock, in one go: an
 * instant, unless the call was cut short, by a full buffer (a bigger one is
 * tried) or by a pending signal. Every signal that can be blocked is, for the
 * call; SIGSTOP cannot be, but the SIGCONT that ends the stop stays pending,
 * blocked, and shows it: -EAGAIN. What else cuts a listing short (a cgroup
 * freezer, a ptrace stop, SIGKILL) needs a power over the supervisor that no
 * process it supervises has (it is not dumpable).
 */
static int list_map_files(int dirfd, char **buf, long *got)
{
	size_t size = 64 << 10;
	sigset_t all, old, pending;
	int err = 0;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (;;) {
		char *b = realloc(*buf, size);

		if (!b) {
			err = -ENOMEM;
			break;
		}
		*buf = b;
		if (lseek(dirfd, 0, SEEK_SET) < 0) {
			err = neg_errno();
			break;
		}
		*got = syscall(SYS_getdents64, dirfd, b, size);
		if (*got < 0) {
			err = neg_errno();
			break;
		}
		if ((size_t)*got + MAP_FILES_RECLEN_MAX <= size)
			break;
		/* vm.max_map_count (65530) entries take under 4 MiB */
		if (size >= (64 << 20)) {
			err = -EAGAIN;
			break;
		}
		size *= 4;
	}
	if (err == 0 && sigpending(&pending) == 0 &&
	    sigismember(&pending, SIGCONT) && !sigismember(&old, SIGCONT))
		err = -EAGAIN; /* stopped: perhaps during the listing */
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}

/*
 * The file-backed mappings of pid at one instant, each range's file looked
 * up right away, so that one which is gone by the end of the walk
 * (unmapped, or moved) can be judged by what it held. Mappings made after
 * the instant do not matter: a busy process maps and unmaps files all the
 * time, and that must not fail the walk. Returns 0, -ENOENT where there is
 * no such directory (no mm, or a kernel without it), -EAGAIN, or -errno.
 */
static int snapshot_take(pid_t pid, uint64_t dev, uint64_t ino,
			 struct snapshot *s)
{
	char path[64];
	autofree char *buf = NULL;
	size_t cap = 0;
	long got = 0;
	int err;

	s->r = NULL;
	s->n = 0;
	snprintf(path, sizeof(path), "/proc/%d/map_files", (int)pid);
	s->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0)
		return neg_errno();
	err = list_map_files(s->dirfd, &buf, &got);
	if (err < 0)
		return err;
	for (long off = 0; off < got;) {
		struct dirent64 *de = (struct dirent64 *)(void *)(buf + off);
		struct range one;

		off += de->d_reclen;
		if (sscanf(de->d_name, "%" SCNx64 "-%" SCNx64, &one.start,
			   &one.end) != 2)
			continue;
		if (s->n == cap) {
			struct range *r;

			cap = cap ? 2 * cap : 64;
			r = realloc(s->r, cap * sizeof(*r));
			if (!r)
				return -ENOMEM;
			s->r = r;
		}
		one.seen = false;
		one.held = held_by(s->dirfd, de->d_name, dev, ino);
		s->r[s->n++] = one;
	}
	return 0;
}

static void snapshot_free(struct snapshot *s)
{
	free(s->r);
	s->r = NULL;
	if (s->dirfd >= 0)
		close(s->dirfd);
	s->dirfd = -1;
}

static void snapshot_mark(struct snapshot *s, uint64_t start, uint64_t end)
{
	size_t lo = 0, hi = s->n;

	/* getdents lists the mappings in address order */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->r[mid].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->n && s->r[lo].start == start && s->r[lo].end == end)
		s->r[lo].seen = true;
}

/*
 * Could a mapping of (dev, ino) have moved out of smaps' sight? Only one
 * that smaps did not show where the snapshot had it. Such a range that now
 * holds another file, or that is gone but held another file just after the
 * snapshot, was not ours (a mapping elsewhere that moved onto it is one the
 * snapshot listed at its old place). Unmapped ranges of other files are
 * what a busy process leaves behind, and must not fail the walk.
 */
static bool snapshot_resolved(const struct snapshot *s, uint64_t dev,
			      uint64_t ino)
{
	for (size_t i = 0; i < s->n; i++) {
		char name[48];
		enum held now;

		if (s->r[i].seen)
			continue;
		snprintf(name, sizeof(name), "%" PRIx64 "-%" PRIx64,
			 s->r[i].start, s->r[i].end);
		now = held_by(s->dirfd, name, dev, ino);
		if (now == HELD_OURS)
			return false;
		if (now == HELD_UNKNOWN && s->r[i].held != HELD_OTHER)
			return false;
	}
	return true;
}

/*
 * Is pid under a seccomp filter? Every process sealbox supervises is; the
 * others' files are none of its business (they write to them unchecked
 * anyway), so their mappings need no instant listing, and their own
 * comings and goings cannot make a walk fail.
 */
static bool under_filter(pid_t pid)
{
	char path[64], line[128];
	bool yes = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "Seccomp:", 8) == 0) {
			yes = atoi(line + 8) == 2; /* SECCOMP_MODE_FILTER */
			break;
		}
	fclose(f);
	return yes;
}

/* The mappings of the inode one look at a process found. */
struct found {
	struct sb_mapping *m;
	size_t n, cap;
};

static int found_add(struct found *hits, const struct sb_mapping *m)
{
	if (hits->n == hits->cap) {
		size_t cap = hits->cap ? 2 * hits->cap : 8;
		struct sb_mapping *p = realloc(hits->m, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		hits->m = p;
		hits->cap = cap;
	}
	hits->m[hits->n++] = *m;
	return 0;
}

static int add_found(const struct sb_mapping *m, void *ctx)
{
	return found_add(ctx, m);
}

static void mark_seen(const struct sb_mapping *m, void *ctx)
{
	snapshot_mark(ctx, m->start, m->end);
}

/*
 * One look at pid: its smaps, against a snapshot when snap. Returns 0 with
 * the mappings of (dev, ino) in *hits, -EAGAIN when one may have moved out of
 * sight, or -errno (-ENOENT/-ESRCH: the process is gone).
 */
static int look_pid(pid_t pid, bool snap, uint64_t dev, uint64_t ino,
		    struct found *hits)
{
	struct snapshot s = { NULL, 0, -1 };
	struct walk w = { true, dev, ino, 0, 0, true, add_found, hits,
			  NULL, &s };
	int ret, err = -ENOENT;

	hits->n = 0;
	if (snap)
		err = snapshot_take(pid, dev, ino, &s);
	if (err < 0 && err != -ENOENT) {
		snapshot_free(&s);
		return err;
	}
	if (err == 0)
		w.every = mark_seen;
	ret = walk_pid(pid, &w);
	if (ret == 0 && err == 0 && !snapshot_resolved(&s, dev, ino))
		ret = -EAGAIN;
	snapshot_free(&s);
	return ret;
}

/*
 * Looks at one process until one passes its check. Its mappings go to the
 * callback only then, so a failed look costs a look at this process alone,
 * not the walk so far; a short pause between looks lets a burst of
 * mapping changes (a process starting or exiting, an allocator at work)
 * pass.
 */
static int walk_pid_checked(pid_t pid, uint64_t dev, uint64_t ino,
			    sb_mapping_fn fn, void *ctx)
{
	enum { LOOKS = 8 };
	struct found hits = { NULL, 0, 0 };
	bool snap = under_filter(pid);
	int ret = -EAGAIN;

	for (int look = 0; look < LOOKS && ret == -EAGAIN; look++) {
		if (look > 0) {
			struct timespec pause = { 0, look * 100000L };

			nanosleep(&pause, NULL);
		}
		ret = look_pid(pid, snap, dev, ino, &hits);
	}
	for (size_t i = 0; ret == 0 && i < hits.n; i++)
		ret = fn(&hits.m[i], ctx);
	free(hits.m);
	return ret;
}

int sb_maps_walk_checked(uint64_t dev, uint64_t ino, sb_mapping_fn fn,
			 void *ctx)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int ret = 0;

	if (!d)
		return neg_errno();
	while ((de = readdir(d)) != NULL) {
		char *end = NULL;
		long p = strtol(de->d_name, &end, 10);

		if (p <= 0 || *end)
			continue;
		ret = walk_pid_checked((pid_t)p, dev, ino, fn, ctx);
		if (ret > 0 || ret == -EAGAIN || ret == -ENOMEM)
			break;
		ret = 0; /* a process that went away, or a kernel thread */
	}
	closedir(d);
	return ret;
}
