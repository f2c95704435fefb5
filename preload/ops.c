/* SPDX-License-Identifier: MIT */
/*
 * ops.c: the shim's slow paths, one per syscall family.
 *
 * They mirror sandbox/emulator.c and take every decision from the emu/
 * rules (memfd_decide, seals_add, seals_check_*), so the shim, the
 * notification supervisor and the ptrace supervisor give the same answers.
 * What differs is where the state lives: the supervisor keeps a registry in
 * its own memory, the shim keeps the per-user shared table (table.h), and it
 * acts in the caller's own process, with the caller's credentials and on
 * the caller's own fd.
 *
 * Conventions: a *_check function returns 0 (or a byte count) to let the
 * real call go ahead and -errno to refuse it; the others make the real call
 * themselves and return its result as >= 0 or -errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kcompat.h"
#include "maps.h"
#include "memfd.h"
#include "paths.h"
#include "seals.h"
#include "shim.h"
#include "table.h"
#include "util.h"

#define ANY_WRITE_SEAL (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)
/* the kernel caps one read/write at INT_MAX rounded down to a page */
#define MAX_RW_COUNT (INT_MAX & ~4095L)
#ifndef RWF_APPEND
#define RWF_APPEND 0x10
#endif
#define RWF_SUPPORTED 0x3f /* HIPRI DSYNC SYNC NOWAIT APPEND NOAPPEND */
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

static long errno_of(long r)
{
	return r < 0 ? neg_errno() : r;
}

/* ---- the file behind an fd --------------------------------------------- */

struct efile {
	int fd;
	int idx;
	struct sbt *t;
	struct sbt_slot *s;
	struct stat st;
	bool writable;
};

static unsigned int seals_of(const struct sbt_slot *s)
{
	return __atomic_load_n(&s->seals, __ATOMIC_ACQUIRE);
}

static unsigned int flags_of(const struct sbt_slot *s)
{
	return __atomic_load_n(&s->flags, __ATOMIC_ACQUIRE);
}

/* The LIVE slot a marked fd pointed at when it was marked, or NULL. */
static struct sbt_slot *marked_slot(int fd)
{
	struct sbt *t = shim_table(false);
	struct sbt_slot *s;
	uint32_t idx;

	if (!t || !shim_fd_marked(fd))
		return NULL;
	idx = shim_fd_slot[fd];
	if (idx > t->mask)
		return NULL;
	s = &t->slot[idx];
	if (sbt_state_of(__atomic_load_n(&s->state, __ATOMIC_ACQUIRE)) !=
	    SBT_LIVE)
		return NULL;
	return s;
}

/*
 * The seals of that slot, without a system call. A hint only: good for
 * letting a call through (a stale mark means the fd is some other file now,
 * which the kernel handles), never for refusing one. False when there is
 * no usable hint.
 */
static bool hint_seals(int fd, unsigned int *seals, unsigned int *flags)
{
	const struct sbt_slot *s = marked_slot(fd);

	if (!s)
		return false;
	*seals = seals_of(s);
	*flags = flags_of(s);
	return true;
}

/*
 * Is fd (still) an emulated memfd? fstat says which inode it is now; the
 * table says whether that inode is emulated. 1 with f filled, 0 when it is
 * not (its mark is dropped), or -errno (EBADF).
 */
static int ef_get(int fd, struct efile *f)
{
	struct sbt *t;
	int idx;

	memset(f, 0, sizeof(*f));
	f->fd = fd;
	f->idx = -1;
	if (fd < 0)
		return -EBADF;
	if (shim_fstat(fd, &f->st) < 0)
		return neg_errno();
	t = shim_table(false);
	if (!t) {
		shim_fd_unmark(fd);
		return 0;
	}
	idx = shim_fd_marked(fd) ? (int)shim_fd_slot[fd] : -1;
	if (idx < 0 || !sbt_slot_is(t, idx, (uint64_t)f->st.st_dev,
				   (uint64_t)f->st.st_ino)) {
		shim_fd_unmark(fd);
		if (!S_ISREG(f->st.st_mode) || f->st.st_nlink != 0)
			return 0;
		idx = shim_adopt(fd);
		if (idx < 0)
			return 0;
	}
	f->t = t;
	f->idx = idx;
	f->s = &t->slot[idx];
	if ((unsigned int)fd < SHIM_FD_MAX) {
		f->writable = shim_fd_kind[fd] & SHIM_FD_WRITABLE;
	} else { /* beyond the marks: ask */
		int fl = shim_real.fcntl(fd, F_GETFL);

		f->writable = fl >= 0 && !(fl & O_PATH) &&
			      ((fl & O_ACCMODE) == O_WRONLY ||
			       (fl & O_ACCMODE) == O_RDWR);
	}
	return 1;
}

static bool fl_writable(int fl)
{
	int acc = fl & O_ACCMODE;

	return !(fl & O_PATH) && (acc == O_WRONLY || acc == O_RDWR);
}

/* Can the kernel's own seals on the backing memfd stand for ours? As in
 * the supervisor: then EBUSY, mprotect and MADV_REMOVE are its answers. */
static bool kernel_decides(const struct shim_plan *p, unsigned int sflags)
{
	const unsigned int needed = F_SEAL_WRITE | F_SEAL_FUTURE_WRITE;

	return (sflags & SBT_F_MIRROR) && p->plan.seal.map_ro_under_write &&
	       p->native_map_ro && (p->native_seals & needed) == needed;
}

/* The seals to add to the backing memfd itself (see the supervisor's
 * mirror_bits: FUTURE_WRITE stands in for WRITE on kernels whose WRITE
 * refuses read-only shared maps the reproduced kernel allows). */
static unsigned int mirror_bits(const struct shim_plan *p, unsigned int old,
				unsigned int next)
{
	unsigned int bits = next & ~old;

	if ((bits & F_SEAL_WRITE) && p->plan.seal.map_ro_under_write &&
	    !p->native_map_ro) {
		bits &= ~F_SEAL_WRITE;
		if (!(old & F_SEAL_FUTURE_WRITE))
			bits |= F_SEAL_FUTURE_WRITE;
	}
	return bits & p->native_seals;
}

/* ---- memfd_create ------------------------------------------------------- */

/* Does the kernel's memfd_create work at all here? */
static bool memfd_works(void)
{
	long fd = shim_raw(SYS_memfd_create, (long)"sealbox-check",
			   MFD_CLOEXEC, 0, 0, 0, 0);

	if (fd < 0)
		return false;
	close((int)fd);
	return true;
}

/*
 * A kernel memfd as the backing file, made with the caller's own name
 * pointer: the kernel reads the name, so EFAULT, EINVAL and EMFILE come in
 * the kernel's own order. Sealable, so the seals can be mirrored onto it.
 */
static int create_on_memfd(const char *name, const struct memfd_result *res)
{
	unsigned int fl = MFD_ALLOW_SEALING | (res->cloexec ? MFD_CLOEXEC : 0);
	long fd;

	if (res->hugetlb)
		fl |= MFD_HUGETLB | (res->huge_log2 << MFD_HUGE_SHIFT);
	else if (res->mode & 0111)
		fl |= MFD_EXEC; /* keep vm.memfd_noexec from sealing it */
	fd = shim_raw(SYS_memfd_create, (long)name, fl, 0, 0, 0, 0);
	if (fd < 0 && errno == EINVAL && (fl & MFD_EXEC)) {
		fl &= ~MFD_EXEC; /* before 6.3 */
		fd = shim_raw(SYS_memfd_create, (long)name, fl, 0, 0, 0, 0);
	}
	if (fd < 0 && errno == EINVAL && res->hugetlb) {
		fl &= ~MFD_ALLOW_SEALING; /* 4.14 and 4.15 */
		fd = shim_raw(SYS_memfd_create, (long)name, fl, 0, 0, 0, 0);
	}
	if (fd < 0)
		return neg_errno();
	/* a memfd is born 0777; MFD_NOEXEC_SEAL makes it 0666 */
	if (res->mode != 0777 && fchmod((int)fd, res->mode) < 0) {
		int err = neg_errno();

		close((int)fd);
		return err;
	}
	return (int)fd;
}

/* A file of the backing store (or, for hugetlb, the kernel's memfd).
 * *have_st says whether *st is already the new file's fstat, *own_dir
 * whether the file was made in a directory of the shim's own. */
static int create_on_store(const char *name, const struct memfd_result *res,
			   enum sb_backing_kind *kind, struct stat *st,
			   bool *have_st, bool *own_dir)
{
	struct sb_backing *b = NULL;
	int fd, err;

	if (res->hugetlb) {
		/* hugetlbfs has no other door than memfd_create */
		*kind = SB_BACKING_MEMFD;
		return create_on_memfd(name, res);
	}
	err = shim_backing(&b);
	if (err < 0)
		return err;
	*kind = b->kind;
	if (b->kind == SB_BACKING_MEMFD)
		return create_on_memfd(name, res);
	fd = shim_backing_create(b, name, res->mode, st);
	*have_st = fd >= 0;
	*own_dir = b->dir_private;
	if (fd >= 0 && !res->cloexec &&
	    shim_real.fcntl(fd, F_SETFD, 0) < 0) {
		err = neg_errno();
		close(fd);
		return err;
	}
	return fd;
}

/*
 * The kernel's own seals start as ours where it can hold them: F_SEAL_SEAL
 * for a memfd made without MFD_ALLOW_SEALING, F_SEAL_EXEC for
 * MFD_NOEXEC_SEAL. 0 when the kernel holds exactly our seals now.
 */
static int mirror_initial(const struct shim_plan *p, int fd,
			  unsigned int seals)
{
	int cur = shim_real.fcntl(fd, F_GET_SEALS);
	unsigned int bits;

	if (cur < 0 || ((unsigned int)cur & ~seals))
		return -EOPNOTSUPP;
	bits = seals & ~(unsigned int)cur;
	if ((bits & p->native_seals) != bits)
		return -EOPNOTSUPP; /* a bit only we can hold */
	if (bits && shim_real.fcntl(fd, F_ADD_SEALS, bits) < 0)
		return neg_errno();
	return 0;
}

/* known: the new file's fstat, or NULL; own_dir: see create_on_store */
static int enter_table(const struct shim_plan *p, int fd,
		       const struct memfd_result *res,
		       enum sb_backing_kind kind, const char *name, size_t len,
		       const struct stat *known, bool own_dir)
{
	static int warned_full, warned_none;
	unsigned int sflags = res->hugetlb ? SBT_F_HUGETLB : 0;
	struct stat st;
	struct sbt *t;
	int idx;

	if (known)
		st = *known;
	else if (shim_fstat(fd, &st) < 0) {
		close(fd);
		return -ENOMEM;
	}
	/* tmpfile and unlinked files show their own path in /proc; a
	 * detached file "memfd:NAME" cannot hold a '/' of NAME */
	if (kind == SB_BACKING_TMPFILE || kind == SB_BACKING_UNLINKED ||
	    (kind == SB_BACKING_DETACHED && memchr(name, '/', len)))
		sflags |= SBT_F_NAME;
	if (kind == SB_BACKING_MEMFD && p->native_seals &&
	    mirror_initial(p, fd, res->seals) == 0)
		sflags |= SBT_F_MIRROR;
	t = shim_table(true);
	if (!t) {
		shim_warn_once(&warned_none, "no seal table: memfd_create "
			       "fails with ENOMEM");
		close(fd);
		return -ENOMEM;
	}
	/*
	 * Nothing but the shim makes files on its detached mount: a reused
	 * inode number there is always a new memfd, which retires or
	 * shadows the old entry, so no generation is needed (and
	 * name_to_handle_at costs a sixth of a memfd_create). A file made in
	 * a store directory of ours has none either: its /proc path tells it
	 * from another file that got the number (shim_same_inode).
	 */
	if (own_dir && (kind == SB_BACKING_TMPFILE ||
			kind == SB_BACKING_UNLINKED))
		sflags |= SBT_F_OWNDIR;
	idx = sbt_insert(t, (uint64_t)st.st_dev, (uint64_t)st.st_ino,
			 kind == SB_BACKING_DETACHED ||
			 (sflags & SBT_F_OWNDIR) ? 0 : shim_inode_gen(fd),
			 res->seals, sflags, name, len);
	if (idx < 0) {
		shim_warn_once(&warned_full, "seal table %s is full (%llu of "
			       "%u entries hold memfds that are still open): "
			       "memfd_create fails with ENFILE; "
			       "SEALBOX_PRELOAD_TABLE_SIZE sets the size of a "
			       "new table", t->path,
			       (unsigned long long)__atomic_load_n(
				       &t->h->live, __ATOMIC_RELAXED),
			       t->h->slots);
		close(fd);
		return -ENFILE;
	}
	shim_fd_mark(fd, (uint32_t)idx, true);
	return fd;
}

/*
 * The kernel has every flag and seal with the reproduced rules: it makes
 * the memfd with the caller's flags (after the shim's own checks) and keeps
 * its seals; nothing of it is the shim's business afterwards.
 */
static int create_kernel(const char *name, const struct memfd_result *res)
{
	long fd = shim_raw(SYS_memfd_create, (long)name, res->flags, 0, 0, 0,
			   0);

	return fd < 0 ? neg_errno() : (int)fd;
}

/*
 * A kernel with memfds but without the 6.3 exec flags: the kernel makes
 * the memfd (sealable when MFD_NOEXEC_SEAL asks for it, mode set as the
 * flag says) and the shim keeps F_SEAL_EXEC on top of the kernel's seals,
 * in a LAYER entry.
 */
static int create_layered(const char *name, const struct memfd_result *res)
{
	unsigned int fl = res->flags & ~(MFD_NOEXEC_SEAL | MFD_EXEC);
	struct stat st;
	struct sbt *t;
	long fd;
	int idx = -1;

	if (res->flags & MFD_NOEXEC_SEAL)
		fl |= MFD_ALLOW_SEALING;
	fd = shim_raw(SYS_memfd_create, (long)name, fl, 0, 0, 0, 0);
	if (fd < 0)
		return neg_errno();
	if ((res->mode != 0777 && fchmod((int)fd, res->mode) < 0) ||
	    fstat((int)fd, &st) < 0) {
		int err = neg_errno();

		close((int)fd);
		return err;
	}
	if (!(res->seals & F_SEAL_EXEC))
		return (int)fd;
	t = shim_table(true);
	if (t)
		idx = sbt_insert(t, (uint64_t)st.st_dev, (uint64_t)st.st_ino,
				 shim_inode_gen((int)fd), F_SEAL_EXEC,
				 SBT_F_LAYER, NULL, 0);
	if (idx < 0) {
		close((int)fd);
		return t ? -ENFILE : -ENOMEM;
	}
	shim_fd_mark((int)fd, (uint32_t)idx, true);
	return (int)fd;
}

long shim_memfd_create(const char *name, unsigned long lflags)
{
	SHIM_BUSY_SCOPE;
	const struct shim_plan *p = shim_plan();
	unsigned int flags = (unsigned int)lflags; /* the kernel's type */
	char buf[MEMFD_NAME_READ];
	struct memfd_result res;
	enum sb_backing_kind kind;
	struct stat st;
	bool have_st = false, own_dir = false;
	size_t len = 0;
	int fd, err;

	if (!p->plan.intercept_memfd) {
		long r = shim_raw(SYS_memfd_create, (long)name, (long)flags, 0,
				  0, 0, 0);

		if (r >= 0)
			return r;
		err = errno;
		/* ENOSYS (WSL1, an old kernel) or EPERM from a seccomp policy:
		 * emulate from now on, if the call itself is what is refused */
		if ((err != ENOSYS && err != EPERM) || memfd_works())
			return -err;
		shim_plan_lose_memfd();
		p = shim_plan();
	}
	/* flags and the vm.memfd_noexec policy come before the name */
	err = memfd_decide(&p->plan.memfd, flags, "", 1, &res);
	if (err < 0)
		return err;
	if (p->plan.layered_exec || p->kernel_enforces) {
		fd = p->plan.layered_exec ? create_layered(name, &res) :
		     create_kernel(name, &res);
		if ((fd != -ENOSYS && fd != -EPERM) || memfd_works())
			return fd;
		/* refused after all: the shim's own files from now on */
		shim_plan_lose_memfd();
		p = shim_plan();
		err = memfd_decide(&p->plan.memfd, flags, "", 1, &res);
		if (err < 0)
			return err;
	}
	if (!p->plan.emulated_files)
		return errno_of(shim_raw(SYS_memfd_create, (long)name,
					 (long)flags, 0, 0, 0, 0));
	kind = shim_backing_kind(p);
	if (kind == SB_BACKING_MEMFD) {
		fd = create_on_memfd(name, &res);
		if (fd != -ENOSYS && fd != -EPERM)
			goto made;
		shim_plan_lose_memfd();
		p = shim_plan();
	}
	len = shim_read_name(name, buf, sizeof(buf));
	err = memfd_decide(&p->plan.memfd, flags, buf, len, &res);
	if (err < 0)
		return err;
	len = res.name_len;
	fd = create_on_store(buf, &res, &kind, &st, &have_st, &own_dir);
made:
	if (fd < 0)
		return fd;
	return enter_table(p, fd, &res, kind, buf, len,
			   have_st ? &st : NULL, own_dir);
}

/* ---- fcntl: sealing and dup ------------------------------------------------ */

struct count_ctx {
	const struct shim_plan *p;
	long count;
};

static int count_writable(const struct sb_mapping *m, void *ctx)
{
	struct count_ctx *cc = ctx;

	if (!m->vm_shared)
		return 0; /* private, or shared through a read-only fd */
	/* up to 6.6 every VM_SHARED mapping counts; 6.7+ only those that may
	 * write (mappings the shim made after WRITE or FUTURE_WRITE went
	 * through a read-only open and never may) */
	if (cc->p->plan.seal.map_ro_under_write && !m->vm_maywrite)
		return 0;
	cc->count++;
	return 0;
}

static long writable_maps(const struct shim_plan *p, const struct efile *f)
{
	struct count_ctx cc = { p, 0 };
	int err;

	/* never mapped shared through a writable fd by a preloaded process */
	if (!(flags_of(f->s) & SBT_F_SHARED_W))
		return 0;
	err = sb_maps_walk(0, (uint64_t)f->st.st_dev, (uint64_t)f->st.st_ino,
			   true, count_writable, &cc);
	return err < 0 ? err : cc.count;
}

static long seals_emulated(const struct shim_plan *p, struct efile *f,
			   unsigned int cmd, unsigned long arg)
{
	const struct seal_rules *rules = &p->plan.seal;
	unsigned int sflags = flags_of(f->s);
	long maps = -1;

	if (cmd == F_GET_SEALS)
		return seals_get(rules, true, seals_of(f->s));
	for (int attempt = 0; attempt < 64; attempt++) {
		unsigned int old = seals_of(f->s), next = 0, bits;
		struct seal_subject s = {
			.fd_writable = f->writable,
			.sealable = true,
			.seals = old,
			.mode = f->st.st_mode & 07777,
		};
		int err = seals_add(rules, &s, arg, &next);

		if (err < 0)
			return err;
		if ((next & F_SEAL_WRITE) && !(old & F_SEAL_WRITE) &&
		    !kernel_decides(p, sflags)) {
			if (maps < 0)
				maps = writable_maps(p, f);
			if (maps < 0)
				return maps;
			s.writable_maps = maps;
			err = seals_add(rules, &s, arg, &next);
			if (err < 0)
				return err;
		}
		if (sflags & SBT_F_MIRROR) {
			/* the kernel holds them too, for what the shim cannot
			 * see; where it decides, its EBUSY is the answer */
			bits = mirror_bits(p, old, next);
			if (bits && shim_real.fcntl(f->fd, F_ADD_SEALS, bits) < 0)
				return neg_errno();
		}
		if (__atomic_compare_exchange_n(&f->s->seals, &old, next, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			return 0;
		/* another process added seals meanwhile: decide again */
	}
	return -EBUSY;
}

/* A tmpfs or hugetlbfs regular file (devtmpfs says tmpfs too, but its
 * device nodes have no seals). */
static bool on_sealable_fs(int fd, const struct stat *st)
{
	struct statfs sfs;

	return S_ISREG(st->st_mode) && fstatfs(fd, &sfs) == 0 &&
	       (sfs.f_type == SB_TMPFS_MAGIC ||
		(unsigned long)sfs.f_type == SB_HUGETLBFS_MAGIC);
}

/*
 * A file the shim did not create: the kernel's own seals where it has
 * sealing, with the reproduced kernel's argument checks in front, plus the
 * seals of its LAYER entry (layer, or NULL) the kernel cannot hold.
 */
static long seals_native(const struct shim_plan *p, int fd,
			 const struct stat *st, unsigned int cmd,
			 unsigned long arg, struct sbt_slot *layer)
{
	const struct seal_rules *rules = &p->plan.seal;
	int fl = shim_real.fcntl(fd, F_GETFL);
	unsigned int extra = layer ? seals_of(layer) : 0;
	unsigned int next = 0, kernel_bits, our_bits;
	struct seal_subject s;
	int native, err;

	if (fl < 0)
		return neg_errno();
	if (fl & O_PATH)
		return -EBADF;
	native = shim_real.fcntl(fd, F_GET_SEALS);
	s = (struct seal_subject){
		.fd_writable = fl_writable(fl),
		/* where the kernel seals, its answer says what is sealable;
		 * before 3.17 every tmpfs file is (born sealed) */
		.sealable = native >= 0 ||
			    (!p->native_seals && on_sealable_fs(fd, st)),
		.seals = native >= 0 ? (unsigned int)native | extra :
			 F_SEAL_SEAL,
		.mode = st->st_mode & 07777,
	};
	if (cmd == F_GET_SEALS)
		return seals_get(rules, s.sealable, s.seals);
	err = seals_add(rules, &s, arg, &next);
	if (err < 0 || native < 0)
		return err;
	/* the kernel adds what it knows (and decides EBUSY from its own
	 * counts); the shim keeps the rest (F_SEAL_EXEC before 6.3) */
	kernel_bits = next & ~s.seals & p->native_seals;
	our_bits = next & ~s.seals & ~p->native_seals;
	if ((kernel_bits || !our_bits) &&
	    shim_real.fcntl(fd, F_ADD_SEALS, kernel_bits) < 0)
		return neg_errno();
	if (our_bits) {
		struct sbt *t = shim_table(true);
		int idx;

		if (!t)
			return -ENOMEM;
		if (!layer) {
			idx = sbt_insert(t, (uint64_t)st->st_dev,
					 (uint64_t)st->st_ino,
					 shim_inode_gen(fd), 0, SBT_F_LAYER,
					 NULL, 0);
			if (idx < 0)
				return idx;
			layer = &t->slot[idx];
			shim_fd_mark(fd, (uint32_t)idx, fl_writable(fl));
		}
		__atomic_fetch_or(&layer->seals, our_bits, __ATOMIC_ACQ_REL);
	}
	return 0;
}

/*
 * A marked fd whose kernel memfd carries exactly the shim's seals (every
 * seal native, WRITE not stood in for by FUTURE_WRITE): the kernel's
 * F_GET_SEALS is the answer, and it is right even when the mark is stale
 * (it is then about whatever file the fd is now), so no fstat is needed.
 */
static bool mirror_exact(const struct shim_plan *p, int fd)
{
	unsigned int seals, sflags;

	return hint_seals(fd, &seals, &sflags) && (sflags & SBT_F_MIRROR) &&
	       !(sflags & SBT_F_LAYER) &&
	       (p->plan.seal.known & ~p->native_seals) == 0 &&
	       (p->native_map_ro || !p->plan.seal.map_ro_under_write);
}

/* seals_by_mark: the full way (ef_get) must decide */
#define BY_MARK_NO (-200000L)

/*
 * F_GET_SEALS and F_ADD_SEALS on a marked fd of a shim-held inode, from the
 * mark alone: every close goes through the shim (interpose.c), so the mark
 * names the fd's inode, and fstat would only repeat it. The cases that need
 * the file itself take the full way: F_SEAL_EXEC (the mode decides what it
 * implies), a new F_SEAL_WRITE (the mappings are counted by inode), and
 * kernel memfds whose seals are the kernel's plus a layer (LAYER). Where
 * the kernel holds a copy (MIRROR), it gets the new bits as in
 * seals_emulated.
 */
static long seals_by_mark(const struct shim_plan *p, int fd, unsigned int cmd,
			  unsigned long arg)
{
	const struct seal_rules *rules = &p->plan.seal;
	struct sbt_slot *s = marked_slot(fd);

	if (!s || (flags_of(s) & SBT_F_LAYER))
		return BY_MARK_NO;
	if (cmd == F_GET_SEALS)
		return seals_get(rules, true, seals_of(s));
	if (arg & F_SEAL_EXEC)
		return BY_MARK_NO;
	for (int attempt = 0; attempt < 64; attempt++) {
		unsigned int old = seals_of(s), next = 0;
		struct seal_subject subj = {
			.fd_writable = shim_fd_kind[fd] & SHIM_FD_WRITABLE,
			.sealable = true,
			.seals = old,
		};
		int err = seals_add(rules, &subj, arg, &next);

		if (err < 0)
			return err;
		if ((next & F_SEAL_WRITE) && !(old & F_SEAL_WRITE))
			return BY_MARK_NO;
		if (flags_of(s) & SBT_F_MIRROR) {
			unsigned int bits = mirror_bits(p, old, next);

			if (bits && shim_real.fcntl(fd, F_ADD_SEALS, bits) < 0)
				return neg_errno();
		}
		if (__atomic_compare_exchange_n(&s->seals, &old, next, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			return 0;
	}
	return BY_MARK_NO;
}

long shim_fcntl(int fd, unsigned int cmd, unsigned long arg)
{
	SHIM_BUSY_SCOPE;
	const struct shim_plan *p;
	struct efile f;
	long r;

	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		r = errno_of(shim_real.fcntl(fd, (int)cmd, arg));
		if (r >= 0)
			shim_fd_copy(fd, (int)r);
		return r;
	case F_ADD_SEALS:
	case F_GET_SEALS:
		break;
	default:
		return errno_of(shim_real.fcntl(fd, (int)cmd, arg));
	}
	p = shim_plan();
	if (!shim_fd_marked(fd) &&
	    (!p->plan.intercept_seals || p->kernel_enforces))
		return errno_of(shim_real.fcntl(fd, (int)cmd, arg));
	if (cmd == F_GET_SEALS && mirror_exact(p, fd))
		return errno_of(shim_real.fcntl(fd, F_GET_SEALS));
	r = seals_by_mark(p, fd, cmd, arg);
	if (r != BY_MARK_NO)
		return r;
	r = ef_get(fd, &f);
	if (r < 0)
		return r;
	if (r > 0 && !(flags_of(f.s) & SBT_F_LAYER))
		return seals_emulated(p, &f, cmd, arg);
	if (p->plan.intercept_seals || r > 0) {
		if (p->plan.seal.known == 0)
			return -EINVAL; /* before 3.17 */
		return seals_native(p, fd, &f.st, cmd, arg, r > 0 ? f.s : NULL);
	}
	return errno_of(shim_real.fcntl(fd, (int)cmd, arg));
}

/* An O_TMPFILE backing file keeps __O_TMPFILE|O_DIRECTORY in its flags; a
 * memfd has neither. */
long shim_getfl(int fd)
{
	SHIM_BUSY_SCOPE;
	long fl = errno_of(shim_real.fcntl(fd, F_GETFL));
	struct efile f;

	if (fl >= 0 && (fl & O_TMPFILE) == O_TMPFILE && ef_get(fd, &f) > 0)
		fl &= ~(long)O_TMPFILE;
	return fl;
}

void shim_dup_done(int oldfd, long newfd)
{
	if (newfd >= 0 && newfd != oldfd)
		shim_fd_copy(oldfd, (int)newfd);
}

/* ---- size changes ---------------------------------------------------------- */

long shim_ftruncate_check(int fd, int64_t len)
{
	SHIM_BUSY_SCOPE;
	unsigned int seals, sflags;
	struct efile f;
	int r;

	if (len < 0)
		return -EINVAL; /* before the fd is even looked at */
	if (hint_seals(fd, &seals, &sflags) &&
	    !(seals & (F_SEAL_SHRINK | F_SEAL_GROW)))
		return 0;
	r = ef_get(fd, &f);
	if (r <= 0)
		return r;
	if (!f.writable)
		return -EINVAL;
	/* hugetlbfs refuses a size that is not a multiple of its page size
	 * (EINVAL) before it looks at the seals: its answer, then */
	if ((flags_of(f.s) & SBT_F_HUGETLB) && f.st.st_blksize > 0 &&
	    len % f.st.st_blksize)
		return 0;
	return seals_check_truncate(seals_of(f.s), f.st.st_size, len);
}

long shim_fallocate_check(int fd, int mode, int64_t off, int64_t len)
{
	SHIM_BUSY_SCOPE;
	unsigned int seals, sflags;
	struct efile f;
	int r;

	if (hint_seals(fd, &seals, &sflags) &&
	    !(seals & (ANY_WRITE_SEAL | F_SEAL_GROW)))
		return 0;
	r = ef_get(fd, &f);
	if (r <= 0)
		return r;
	return seals_check_fallocate(seals_of(f.s), f.writable, mode, off, len,
				     f.st.st_size);
}

/* ---- the write family ------------------------------------------------------ */

/*
 * RLIMIT_FSIZE of the process, read once and kept: the shim's setrlimit
 * and prlimit see every change this process makes (another process
 * changing it with prlimit(2) is not seen).
 */
static rlim_t fsize_cache;
static int fsize_known; /* 0 unknown, 1 known */

rlim_t shim_fsize_limit(void)
{
	struct rlimit rl;
	rlim_t lim;

	if (__atomic_load_n(&fsize_known, __ATOMIC_ACQUIRE))
		return __atomic_load_n(&fsize_cache, __ATOMIC_RELAXED);
	lim = getrlimit(RLIMIT_FSIZE, &rl) == 0 ? rl.rlim_cur : RLIM_INFINITY;
	__atomic_store_n(&fsize_cache, lim, __ATOMIC_RELAXED);
	__atomic_store_n(&fsize_known, 1, __ATOMIC_RELEASE);
	return lim;
}

void shim_fsize_changed(void)
{
	__atomic_store_n(&fsize_known, 0, __ATOMIC_RELEASE);
}

static int fsize_limit(rlim_t *lim)
{
	*lim = shim_fsize_limit();
	return 0;
}

/*
 * RLIMIT_FSIZE is checked before any seal: at or past the limit EFBIG and
 * SIGXFSZ to the calling thread, below it the write is cut short.
 */
static int fsize_check(rlim_t lim, int64_t pos, uint64_t *len)
{
	if (lim == RLIM_INFINITY)
		return 0;
	if ((uint64_t)pos >= lim) {
		shim_raw(SYS_tgkill, getpid(), shim_raw(SYS_gettid, 0, 0, 0, 0,
							0, 0), SIGXFSZ, 0, 0,
			 0);
		return -EFBIG;
	}
	if (*len > lim - (uint64_t)pos)
		*len = lim - (uint64_t)pos;
	return 0;
}

long shim_write_check(int fd, const struct iovec *iov, int iovcnt,
		      int64_t pos, int rwf, int kind)
{
	SHIM_BUSY_SCOPE;
	const struct shim_plan *p;
	unsigned int seals, sflags;
	uint64_t total = 0;
	int64_t at, allowed;
	rlim_t fsize;
	struct efile f;
	int r, err;

	/* the count the caller asked for, as the kernel would cap it */
	if (iovcnt < 0 || iovcnt > UIO_MAXIOV)
		return -EINVAL;
	for (int i = 0; i < iovcnt; i++) {
		if ((ssize_t)iov[i].iov_len < 0)
			return -EINVAL;
		total += iov[i].iov_len;
		if (total > (uint64_t)MAX_RW_COUNT)
			total = (uint64_t)MAX_RW_COUNT;
	}
	if (hint_seals(fd, &seals, &sflags) &&
	    !(seals & (ANY_WRITE_SEAL | F_SEAL_GROW)) &&
	    !(sflags & SBT_F_HUGETLB))
		return (long)total;
	r = ef_get(fd, &f);
	if (r < 0)
		return r;
	if (r == 0)
		return (long)total;
	p = shim_plan();
	seals = seals_of(f.s);
	if (!f.writable)
		return -EBADF;
	if (kind == W_PWRITEV2 && (rwf & ~RWF_SUPPORTED))
		return -EOPNOTSUPP;
	if ((kind == W_PWRITE || kind == W_PWRITEV) && pos < 0)
		return -EINVAL;
	if (kind == W_PWRITEV2 && pos < -1)
		return -EINVAL;
	if (total == 0)
		return 0;

	/* where the write lands: only GROW and RLIMIT_FSIZE care */
	err = fsize_limit(&fsize);
	at = pos >= 0 ? pos : 0;
	if ((seals & F_SEAL_GROW) || fsize != RLIM_INFINITY) {
		at = kind == W_WRITE || kind == W_WRITEV ? -1 : pos;
		if (rwf & RWF_APPEND) {
			at = f.st.st_size;
		} else {
			int fl = shim_real.fcntl(fd, F_GETFL);

			if (fl >= 0 && (fl & O_APPEND))
				at = f.st.st_size;
			else if (at == -1)
				at = lseek(fd, 0, SEEK_CUR);
		}
		if (at < 0)
			return -ESPIPE;
	}
	if (err == 0)
		err = fsize_check(fsize, at, &total);
	if (err < 0)
		return err;
	allowed = seals_check_write(&p->plan.seal, seals,
				    flags_of(f.s) & SBT_F_HUGETLB,
				    f.st.st_size, at, total);
	return (long)allowed;
}

/* sendfile, splice and copy_file_range into an emulated memfd */
long shim_copy_check(int outfd, const loff_t *off_out, size_t len)
{
	SHIM_BUSY_SCOPE;
	unsigned int seals, sflags;
	struct efile f;
	int64_t pos;
	int r, fl;

	if (hint_seals(outfd, &seals, &sflags) &&
	    !(seals & (ANY_WRITE_SEAL | F_SEAL_GROW)))
		return 0;
	r = ef_get(outfd, &f);
	if (r <= 0)
		return r;
	seals = seals_of(f.s);
	if (!(seals & (ANY_WRITE_SEAL | F_SEAL_GROW)))
		return 0;
	if (!f.writable)
		return -EBADF;
	if (seals & ANY_WRITE_SEAL)
		return -EPERM;
	if (flags_of(f.s) & SBT_F_MIRROR)
		return 0; /* the kernel cuts GROW short itself */
	/*
	 * F_SEAL_GROW on a file the kernel does not seal: refuse a copy that
	 * would reach past the end (the kernel would stop at the last page
	 * boundary below it; refusing is stricter, never looser).
	 */
	fl = shim_real.fcntl(outfd, F_GETFL);
	pos = off_out ? *off_out : lseek(outfd, 0, SEEK_CUR);
	if ((fl >= 0 && (fl & O_APPEND)) || pos < 0 ||
	    (uint64_t)pos + len > (uint64_t)f.st.st_size)
		return -EPERM;
	return 0;
}

/* ---- mappings ---------------------------------------------------------------- */

void *shim_mmap(void *addr, size_t len, int prot, int flags, int fd,
		off64_t off, int *err)
{
	SHIM_BUSY_SCOPE;
	const struct shim_plan *p;
	unsigned int seals = 0, sflags = 0;
	int type = flags & MAP_TYPE;
	bool shared = type == MAP_SHARED || type == MAP_SHARED_VALIDATE;
	struct seal_mmap_verdict v;
	struct efile f;
	int r, fl;
	void *m;

	*err = 0;
	if (hint_seals(fd, &seals, &sflags) && !(seals & ANY_WRITE_SEAL)) {
		/* remember: a writable shared mapping may exist (EBUSY) */
		if (shared && (shim_fd_kind[fd] & SHIM_FD_WRITABLE))
			__atomic_fetch_or(&shim_table(false)->slot[shim_fd_slot[fd]]
					  .flags, SBT_F_SHARED_W,
					  __ATOMIC_RELAXED);
		return shim_real.mmap64(addr, len, prot, flags, fd, off);
	}
	r = ef_get(fd, &f);
	if (r < 0) {
		*err = -r;
		return MAP_FAILED;
	}
	if (r == 0)
		return shim_real.mmap64(addr, len, prot, flags, fd, off);
	p = shim_plan();
	fl = shim_real.fcntl(fd, F_GETFL);
	/* no read access: the kernel's EACCES comes first */
	if (fl < 0 || (fl & O_ACCMODE) == O_WRONLY)
		return shim_real.mmap64(addr, len, prot, flags, fd, off);
	v = seals_check_mmap(&p->plan.seal, seals_of(f.s), prot, flags,
			     fl_writable(fl));
	if (v.err < 0) {
		*err = -v.err;
		return MAP_FAILED;
	}
	if (shared && fl_writable(fl) && !v.maywrite) {
		/*
		 * A read-only shared mapping that must never become writable
		 * (the kernel clears VM_MAYWRITE). Made through a read-only
		 * open of the same file, the kernel itself then refuses
		 * mprotect(PROT_WRITE) with EACCES and MADV_REMOVE with
		 * EACCES, and the mapping does not count for F_SEAL_WRITE.
		 */
		char self[64];
		int rfd;

		snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
		rfd = shim_real.open(self, O_RDONLY | O_CLOEXEC);
		if (rfd >= 0) {
			m = shim_real.mmap64(addr, len, prot, flags, rfd, off);
			if (m == MAP_FAILED)
				*err = errno;
			close(rfd);
			return m;
		}
	}
	if (v.counts || (shared && fl_writable(fl)))
		__atomic_fetch_or(&f.s->flags, SBT_F_SHARED_W,
				  __ATOMIC_RELAXED);
	return shim_real.mmap64(addr, len, prot, flags, fd, off);
}

struct remove_ctx {
	const struct shim_plan *p;
	struct sbt *t;
	int err;
	int n;
	struct {
		uint64_t dev, ino, off, len;
	} punch[8];
};

static int check_remove(const struct sb_mapping *m, void *ctx)
{
	struct remove_ctx *rc = ctx;
	unsigned int seals, sflags;
	bool maywrite;
	int idx;

	if (!m->shared || m->ino == 0)
		return 0; /* private: the kernel's own EACCES */
	idx = sbt_lookup(rc->t, m->dev, m->ino);
	if (idx < 0)
		return 0;
	seals = seals_of(&rc->t->slot[idx]);
	sflags = flags_of(&rc->t->slot[idx]);
	if (kernel_decides(rc->p, sflags) || (sflags & SBT_F_LAYER))
		return 0;
	/*
	 * 6.7+ asks whether the mapping may write: mappings the shim made
	 * after WRITE or FUTURE_WRITE went through a read-only open (no
	 * VM_MAYWRITE), those from before FUTURE_WRITE kept it, and smaps
	 * shows which is which.
	 */
	if (seals & F_SEAL_WRITE)
		maywrite = false;
	else
		maywrite = rc->p->plan.seal.map_ro_under_write ?
			   m->vm_maywrite : m->write;
	rc->err = seals_check_madv_remove(seals, m->shared && m->vm_shared,
					  maywrite, false);
	if (rc->err)
		return 1;
	if (rc->n < (int)SB_ARRAY_SIZE(rc->punch)) {
		rc->punch[rc->n].dev = m->dev;
		rc->punch[rc->n].ino = m->ino;
		rc->punch[rc->n].off = m->offset;
		rc->punch[rc->n].len = m->end - m->start;
		rc->n++;
	}
	return 0;
}

/* A writable open of (dev, ino) through one of this process's fds. */
static int reopen_inode(uint64_t dev, uint64_t ino)
{
	int high = SHIM_FD_MAX;

	for (int fd = 0; fd < high; fd++) {
		struct stat st;
		char self[64];

		if (!shim_fd_marked(fd) || fstat(fd, &st) < 0 ||
		    (uint64_t)st.st_dev != dev || (uint64_t)st.st_ino != ino)
			continue;
		snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
		return shim_real.open(self, O_WRONLY | O_CLOEXEC);
	}
	return -1;
}

long shim_madvise(void *addr, size_t len, int advice)
{
	SHIM_BUSY_SCOPE;
	struct remove_ctx rc = { NULL, NULL, 0, 0, { { 0 } } };
	uint64_t start = (uint64_t)(uintptr_t)addr;
	int r;

	if (advice != MADV_REMOVE || !(rc.t = shim_table(false)))
		return errno_of(shim_real.madvise(addr, len, advice));
	rc.p = shim_plan();
	sb_maps_walk_range(getpid(), start, start + len, true, check_remove,
			   &rc);
	if (rc.err)
		return rc.err;
	r = shim_real.madvise(addr, len, advice);
	if (r == 0 || errno != EACCES || rc.n == 0)
		return errno_of(r);
	/*
	 * Older kernels ask for VM_WRITE where 6.7+ asks for VM_MAYWRITE: a
	 * read-only shared mapping that may write is refused there. Punch
	 * the hole as 6.7+ would.
	 */
	for (int i = 0; i < rc.n; i++) {
		autoclose int fd = reopen_inode(rc.punch[i].dev, rc.punch[i].ino);

		if (fd < 0 || fallocate(fd, FALLOC_FL_PUNCH_HOLE |
					FALLOC_FL_KEEP_SIZE,
					(off_t)rc.punch[i].off,
					(off_t)rc.punch[i].len) < 0)
			return -EACCES;
	}
	return 0;
}

/* ---- paths: /proc/PID/fd/N, /dev/fd/N ------------------------------------- */

/*
 * Which process and fd a path names, for the forms that reach a memfd
 * (emu/paths.c): the fd number, *pid 0 for this process, or -1.
 */
static int proc_fd_path(const char *path, pid_t *pid)
{
	pid_t self = shim_pid();
	int fd;

	*pid = 0;
	fd = sb_proc_fd_path(path, self, pid);
	if (fd < 0 || *pid == self)
		*pid = 0;
	return fd;
}

/*
 * The emulated file a path names, with an fd to act on. Returns 1 (f->fd
 * is ours to close when *owned), 0 when the path names no emulated memfd.
 */
static int ef_from_path(int dirfd, const char *path, struct efile *f,
			bool *owned)
{
	pid_t pid;
	int fd, r;

	*owned = false;
	if (!path || (path[0] != '/' && dirfd != AT_FDCWD))
		return 0;
	fd = proc_fd_path(path, &pid);
	if (fd < 0 || !shim_table(false))
		return 0;
	if (pid == 0)
		return ef_get(fd, f) > 0;
	/* another process's fd: look at the file without opening it for
	 * anything (O_PATH never truncates, never counts as a writer) */
	fd = shim_real.open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return 0;
	memset(f, 0, sizeof(*f));
	f->fd = fd;
	*owned = true;
	if (fstat(fd, &f->st) < 0 || !S_ISREG(f->st.st_mode) ||
	    f->st.st_nlink != 0)
		goto not_ours;
	f->t = shim_table(false);
	r = sbt_lookup(f->t, (uint64_t)f->st.st_dev, (uint64_t)f->st.st_ino);
	if (r < 0 || !shim_same_inode(f->t, r, fd))
		goto not_ours;
	f->idx = r;
	f->s = &f->t->slot[r];
	return 1;
not_ours:
	close(fd);
	*owned = false;
	return 0;
}

/* May the caller open a file of this mode for this access? The kernel asks
 * the same when the real call runs; the seal checks must not answer EPERM
 * where the kernel would say EACCES first. */
static int may_open(const struct stat *st, int acc)
{
	uid_t euid = geteuid();
	mode_t bits;

	if (euid == 0)
		return 0;
	bits = euid == st->st_uid ? (st->st_mode >> 6) :
	       getegid() == st->st_gid ? (st->st_mode >> 3) : st->st_mode;
	if ((acc == O_RDONLY || acc == O_RDWR) && !(bits & 04))
		return -EACCES;
	if ((acc == O_WRONLY || acc == O_RDWR) && !(bits & 02))
		return -EACCES;
	return 0;
}

static long real_open(int dirfd, const char *path, int flags, mode_t mode,
		      int how)
{
	switch (how) {
	case HOW_LIBC64:
		return errno_of(dirfd == AT_FDCWD ?
				shim_real.open64(path, flags, mode) :
				shim_real.openat64(dirfd, path, flags, mode));
	case HOW_CREAT:
		return errno_of(shim_real.creat(path, mode));
	case HOW_CREAT64:
		return errno_of(shim_real.creat64(path, mode));
	case HOW_FORTIFY:
		return errno_of(dirfd == AT_FDCWD ?
				shim_real.open_2(path, flags) :
				shim_real.openat_2(dirfd, path, flags));
	case HOW_FORTIFY64:
		return errno_of(dirfd == AT_FDCWD ?
				shim_real.open64_2(path, flags) :
				shim_real.openat64_2(dirfd, path, flags));
	default:
		return errno_of(dirfd == AT_FDCWD ?
				shim_real.open(path, flags, mode) :
				shim_real.openat(dirfd, path, flags, mode));
	}
}

long shim_open(int dirfd, const char *path, int flags, mode_t mode, int how)
{
	SHIM_BUSY_SCOPE;
	struct efile f;
	bool owned = false;
	int idx, acc = flags & O_ACCMODE;
	long r;

	if (how == HOW_CREAT || how == HOW_CREAT64)
		flags = O_CREAT | O_WRONLY | O_TRUNC;
	if ((flags & O_PATH) || (flags & O_DIRECTORY) ||
	    ((flags & O_CREAT) && (flags & O_EXCL)) ||
	    ef_from_path(dirfd, path, &f, &owned) <= 0)
		return real_open(dirfd, path, flags, mode, how);
	idx = f.idx;
	r = may_open(&f.st, acc);
	/* even O_RDONLY|O_TRUNC truncates, so SHRINK refuses it */
	if (r == 0 && (flags & O_TRUNC))
		r = seals_check_open_trunc(seals_of(f.s), f.st.st_size);
	if (owned)
		close(f.fd);
	if (r < 0)
		return r;
	r = real_open(dirfd, path, flags, mode, how);
	if (r >= 0) {
		bool writable = acc == O_WRONLY || acc == O_RDWR;

		shim_fd_mark((int)r, (uint32_t)idx, writable);
		/* a writer besides the memfd's own file: exec is ETXTBSY */
		if (writable)
			__atomic_fetch_or(&f.t->slot[idx].flags,
					  SBT_F_REOPENED_W, __ATOMIC_RELAXED);
	}
	return r;
}

long shim_truncate_check(const char *path, int64_t len)
{
	SHIM_BUSY_SCOPE;
	struct efile f;
	bool owned = false;
	long r;

	if (ef_from_path(AT_FDCWD, path, &f, &owned) <= 0)
		return 0;
	r = len < 0 ? -EINVAL : may_open(&f.st, O_WRONLY);
	if (r == 0)
		r = seals_check_truncate(seals_of(f.s), f.st.st_size, len);
	if (owned)
		close(f.fd);
	return r;
}

static long chmod_check(const struct efile *f, mode_t mode)
{
	return seals_check_chmod(seals_of(f->s),
				 flags_of(f->s) & SBT_F_HUGETLB,
				 f->st.st_mode & 07777, mode & 07777);
}

long shim_fchmod_check(int fd, mode_t mode)
{
	SHIM_BUSY_SCOPE;
	unsigned int seals, sflags;
	struct efile f;
	int r;

	if (hint_seals(fd, &seals, &sflags) && !(seals & F_SEAL_EXEC))
		return 0;
	r = ef_get(fd, &f);
	if (r <= 0)
		return r;
	return chmod_check(&f, mode);
}

long shim_chmod_check(int dirfd, const char *path, mode_t mode, int flags)
{
	SHIM_BUSY_SCOPE;
	struct efile f;
	bool owned = false;
	long r;

	/* fchmodat2(fd, "", mode, AT_EMPTY_PATH): the fd itself */
	if ((flags & AT_EMPTY_PATH) && path && path[0] == '\0' &&
	    dirfd >= 0) {
		if (ef_get(dirfd, &f) <= 0)
			return 0;
		return chmod_check(&f, mode);
	}
	if (ef_from_path(dirfd, path, &f, &owned) <= 0)
		return 0;
	r = chmod_check(&f, mode);
	if (owned)
		close(f.fd);
	return r;
}

/*
 * readlink("/proc/self/fd/N") of an emulated memfd reads
 * "/memfd:NAME (deleted)", as for a kernel memfd, when the backing file
 * itself cannot show that (tmpfile and unlinked stores). SHIM_PASS when
 * the kernel's own answer is right.
 */
long shim_readlink(int dirfd, const char *path, char *buf, size_t size)
{
	SHIM_BUSY_SCOPE;
	char text[MEMFD_NAME_READ + 32];
	struct efile f;
	bool owned = false;
	size_t len;

	if (ef_from_path(dirfd, path, &f, &owned) <= 0)
		return SHIM_PASS;
	if (owned)
		close(f.fd);
	if (!(flags_of(f.s) & SBT_F_NAME))
		return SHIM_PASS;
	if ((ssize_t)size <= 0)
		return -EINVAL;
	len = (size_t)snprintf(text, sizeof(text), "/" MEMFD_NAME_PREFIX
			       "%s (deleted)", sbt_name(f.t, f.idx));
	if (len > size)
		len = size; /* readlink truncates silently */
	memcpy(buf, text, len);
	return (long)len;
}

/* ---- exec ----------------------------------------------------------------------- */

/*
 * The fd of this process an exec names (execveat(fd, "", AT_EMPTY_PATH),
 * or /proc/self/fd/N, /dev/fd/N), when it is an emulated memfd; else -1.
 */
int shim_exec_target(int dirfd, const char *path, int flags)
{
	SHIM_BUSY_SCOPE;
	struct efile f;
	pid_t pid;
	int fd;

	if ((flags & AT_EMPTY_PATH) && path && path[0] == '\0')
		fd = dirfd;
	else if (!path || (fd = proc_fd_path(path, &pid)) < 0 || pid != 0)
		return -1;
	return ef_get(fd, &f) > 0 ? fd : -1;
}

/* A script ("#!") in a close-on-exec fd: the interpreter could not open
 * /dev/fd/N after the exec, and the kernel says ENOENT at once. */
bool shim_exec_cloexec_script(int fd)
{
	char head[2];
	int fdfl = shim_real.fcntl(fd, F_GETFD);

	return fdfl >= 0 && (fdfl & FD_CLOEXEC) &&
	       pread(fd, head, 2, 0) == 2 && head[0] == '#' && head[1] == '!';
}

/*
 * A kernel memfd's own open file does not count as a writer, so it can be
 * exec'd; a backing file opened O_RDWR does, and exec fails with ETXTBSY.
 * The way out: a copy in the backing store, reopened read-only, with no
 * writer at all. -ETXTBSY when the memfd was reopened for writing through
 * /proc (the kernel refuses that exec too), else the copy's fd (close-on-
 * exec exactly when fd is) or -errno.
 */
int shim_exec_copy(int fd)
{
	SHIM_BUSY_SCOPE;
	char self[64], buf[65536], name[MEMFD_NAME_READ + 32];
	struct sb_backing *b = NULL;
	struct stat wst;
	autoclose int w = -1;
	struct efile f;
	off_t off = 0;
	ssize_t n;
	int rfd, fdfl, err;

	if (ef_get(fd, &f) <= 0)
		return -ENOENT;
	if (flags_of(f.s) & SBT_F_REOPENED_W)
		return -ETXTBSY;
	err = shim_backing(&b);
	if (err < 0)
		return err;
	/* the same name, so /proc/PID/exe reads the same */
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	n = readlink(self, name, sizeof(name) - 1);
	name[n > 0 ? n : 0] = '\0';
	if (strncmp(name, "/" MEMFD_NAME_PREFIX, 7) == 0) {
		char *end = strstr(name, " (deleted)");

		if (end)
			*end = '\0';
		memmove(name, name + 7, strlen(name + 7) + 1);
	} else {
		snprintf(name, sizeof(name), "exec");
	}
	w = b->kind == SB_BACKING_MEMFD ?
	    (int)shim_raw(SYS_memfd_create, (long)name, MFD_CLOEXEC, 0, 0, 0,
			  0) :
	    shim_backing_create(b, name, f.st.st_mode & 07777, &wst);
	if (w < 0)
		return w;
	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
		if (shim_real.pwrite64(w, buf, (size_t)n, off) != n)
			return -EIO;
		off += n;
	}
	if (n < 0 || fchmod(w, f.st.st_mode & 07777) < 0)
		return neg_errno();
	fdfl = shim_real.fcntl(fd, F_GETFD);
	snprintf(self, sizeof(self), "/proc/self/fd/%d", w);
	rfd = shim_real.open(self, O_RDONLY |
			     (fdfl >= 0 && (fdfl & FD_CLOEXEC) ? O_CLOEXEC : 0));
	return rfd < 0 ? neg_errno() : rfd;
}

/* ---- fds that move between processes --------------------------------------- */

void shim_received(struct msghdr *msg)
{
	SHIM_BUSY_SCOPE;

	if (!shim_table(false))
		return;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c;
	     c = CMSG_NXTHDR(msg, c)) {
		size_t n;
		int fd;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			shim_adopt(fd);
		}
	}
}

void shim_sending(const struct msghdr *msg)
{
	struct sbt *t = shim_table(false);
	struct msghdr m = *msg; /* the CMSG macros want it writable */

	if (!t)
		return;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		size_t n;
		int fd;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			/* in flight: a sweep must not take it for dead */
			if (shim_fd_marked(fd))
				sbt_touch_moved(t, (int)shim_fd_slot[fd]);
		}
	}
}
