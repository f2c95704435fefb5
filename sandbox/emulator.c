/* SPDX-License-Identifier: MIT */
/*
 * emulator.c: one handler per syscall family, shared by every transport.
 *
 * Discipline: copy the caller's memory once, then decide; act on the exact
 * open file the caller holds (get_file), and for emulated memfds perform the
 * operation here rather than letting the kernel re-read arguments.
 */
#include "emulator.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kcompat.h"
#include "maps.h"
#include "memfd.h"
#include "paths.h"
#include "seals.h"
#include "util.h"

#define ANY_WRITE_SEAL (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)
/* the kernel caps one read/write at INT_MAX rounded down to a page */
#define MAX_RW_COUNT (INT_MAX & ~4095L)
#define RECLAIM_MIN 1024
#ifndef RWF_APPEND
#define RWF_APPEND 0x10
#endif
#define RWF_SUPPORTED 0x3f /* HIPRI DSYNC SYNC NOWAIT APPEND NOAPPEND */
#define SB_USERFAULTFD_IOC_NEW 0xaa00 /* _IO(0xAA, 0x00), 6.1 */

/* The open file behind a caller's fd, as the kernel would see it. */
struct efile {
	int fd;                   /* supervisor-side, same open file */
	struct stat st;
	int fl;                   /* F_GETFL */
	struct sb_inode_entry *e; /* NULL: not a file sealbox emulates */
	struct sb_inode_entry *layer; /* a kernel memfd's extra seals */
};

static void efile_release(struct efile *f)
{
	if (f->fd >= 0)
		close(f->fd);
}

#define auto_efile __attribute__((cleanup(efile_release)))

/* A file handle as name_to_handle_at gives it (handle_bytes 0: none). */
union fh_buf {
	struct file_handle h;
	unsigned char raw[sizeof(struct file_handle) + 128];
};

static bool handle_at(int dirfd, const char *path, int flags,
		      union fh_buf *fh)
{
	int mount_id;

	fh->h.handle_bytes = 128;
	if (name_to_handle_at(dirfd, path, &fh->h, &mount_id, flags) == 0 &&
	    fh->h.handle_bytes <= 128)
		return true;
	fh->h.handle_bytes = 0;
	return false;
}

static uint64_t fnv1a(uint64_t hash, const void *p, size_t len)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++)
		hash = (hash ^ b[i]) * 0x100000001b3ULL;
	return hash;
}

#define FNV_BASIS 0xcbf29ce484222325ULL

/*
 * statx, with name_to_handle_at's flags (it follows a link only when told).
 * False where statx cannot answer (before 4.11, or a policy forbids it).
 */
static bool statx_at(int dirfd, const char *path, int flags,
		     unsigned int mask, struct statx *sx)
{
	static bool no_statx;
	int sflags = (flags & AT_EMPTY_PATH) |
		     (flags & AT_SYMLINK_FOLLOW ? 0 : AT_SYMLINK_NOFOLLOW);

	if (no_statx)
		return false;
	/* the call itself: glibc's statx would stand in with fstatat */
	if (syscall(SYS_statx, dirfd, path, sflags | AT_STATX_SYNC_AS_STAT,
		    mask, sx) < 0) {
		no_statx = errno == ENOSYS || errno == EPERM;
		return false;
	}
	return true;
}

/*
 * The birth time of a tmpfs inode (statx; tmpfs has it since 5.18): with
 * the device and number, no two inodes share it, as a new inode would have
 * to get a freed one's number within the same clock tick. Cheaper to ask
 * than a file handle (a third of the time here), and it comes with the
 * stat. Where the kernel or the file system has none, never for the inode.
 */
static bool has_btime(const struct statx *sx)
{
	return (sx->stx_mask & (STATX_INO | STATX_BTIME)) ==
	       (STATX_INO | STATX_BTIME);
}

static struct sb_inode_key key_of_btime(const struct statx *sx)
{
	struct sb_inode_key k = {
		(uint64_t)makedev(sx->stx_dev_major, sx->stx_dev_minor),
		sx->stx_ino, 0
	};

	k.gen = fnv1a(fnv1a(FNV_BASIS ^ 1, &sx->stx_btime.tv_sec,
			    sizeof(sx->stx_btime.tv_sec)),
		      &sx->stx_btime.tv_nsec,
		      sizeof(sx->stx_btime.tv_nsec)) | 1;
	return k;
}

/* fstat's answer from statx's */
static void stat_of_statx(const struct statx *sx, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = makedev(sx->stx_dev_major, sx->stx_dev_minor);
	st->st_ino = sx->stx_ino;
	st->st_mode = sx->stx_mode;
	st->st_nlink = sx->stx_nlink;
	st->st_uid = sx->stx_uid;
	st->st_gid = sx->stx_gid;
	st->st_rdev = makedev(sx->stx_rdev_major, sx->stx_rdev_minor);
	st->st_size = (off_t)sx->stx_size;
	st->st_blksize = (blksize_t)sx->stx_blksize;
	st->st_blocks = (blkcnt_t)sx->stx_blocks;
	st->st_atim.tv_sec = sx->stx_atime.tv_sec;
	st->st_atim.tv_nsec = sx->stx_atime.tv_nsec;
	st->st_mtim.tv_sec = sx->stx_mtime.tv_sec;
	st->st_mtim.tv_nsec = sx->stx_mtime.tv_nsec;
	st->st_ctim.tv_sec = sx->stx_ctime.tv_sec;
	st->st_ctim.tv_nsec = sx->stx_ctime.tv_nsec;
}

/*
 * The inode's identity: device and number, and a generation: a hash of its
 * birth time (has_btime) where the file system gives one, else of its file
 * handle, which carries tmpfs's random i_generation. Either way an entry
 * of a freed inode never matches a new inode that got the same number.
 * Where there is neither (hugetlbfs, old kernels) the generation is 0; the
 * kernel's internal mounts hand out inode numbers from a counter, so reuse
 * needs billions of files, and a memfd_create meeting a stale entry
 * replaces it. The handle itself goes to *keep, when given (for
 * registry_add: reclaim opens it).
 */
static struct sb_inode_key key_of_handle(const struct stat *st,
					 const union fh_buf *fh)
{
	struct sb_inode_key k = { (uint64_t)st->st_dev, (uint64_t)st->st_ino,
				  0 };

	if (fh->h.handle_bytes > 0)
		k.gen = fnv1a(FNV_BASIS, fh->h.f_handle,
			      fh->h.handle_bytes) | 1; /* 0: none */
	return k;
}

static struct sb_inode_key key_at(int dirfd, const char *path, int flags,
				  const struct stat *st, union fh_buf *keep)
{
	union fh_buf local, *fh = keep ? keep : &local;
	struct statx sx;

	if (keep)
		(void)handle_at(dirfd, path, flags, keep);
	/* all from the one look: a path raced between the stat and this
	 * gives the key of one file, not a mix of two */
	if (statx_at(dirfd, path, flags, STATX_INO | STATX_BTIME, &sx) &&
	    has_btime(&sx))
		return key_of_btime(&sx);
	if (!keep)
		(void)handle_at(dirfd, path, flags, fh);
	return key_of_handle(st, fh);
}

static struct sb_inode_key key_of(int fd, const struct stat *st)
{
	return key_at(fd, "", AT_EMPTY_PATH, st, NULL);
}

/* key_of, keeping the handle for registry_add */
static struct sb_inode_key key_kept(int fd, const struct stat *st,
				    union fh_buf *fh)
{
	return key_at(fd, "", AT_EMPTY_PATH, st, fh);
}

/* Remember that dev holds files of ours (see efile_get). */
static void note_dev(struct sb_emulator *emu, uint64_t dev)
{
	for (unsigned int i = 0; i < emu->ndevs && i < SB_ARRAY_SIZE(emu->devs);
	     i++)
		if (emu->devs[i] == dev)
			return;
	if (emu->ndevs < SB_ARRAY_SIZE(emu->devs))
		emu->devs[emu->ndevs] = dev;
	if (emu->ndevs <= SB_ARRAY_SIZE(emu->devs))
		emu->ndevs++; /* one past the array: every device may */
}

static bool dev_may_hold(const struct sb_emulator *emu, uint64_t dev)
{
	if (emu->ndevs > SB_ARRAY_SIZE(emu->devs))
		return true;
	for (unsigned int i = 0; i < emu->ndevs; i++)
		if (emu->devs[i] == dev)
			return true;
	return false;
}

/*
 * sb_registry_insert, noting the device for efile_get's quick answer, and
 * keeping the inode's file handle fh (from key_kept) for reclaim.
 */
static int registry_add(struct sb_emulator *emu, const union fh_buf *fh,
			const struct sb_inode_key *k, unsigned int seals,
			unsigned int flags, const char *name,
			struct sb_inode_entry **out)
{
	int err;

	note_dev(emu, k->dev);
	err = sb_registry_insert(&emu->reg, k, seals, flags, name, out);
	if (err < 0)
		return err;
	if (fh->h.handle_bytes && fh->h.handle_bytes <= SB_FH_MAX) {
		(*out)->fh_type = fh->h.handle_type;
		(*out)->fh_len = (unsigned char)fh->h.handle_bytes;
		memcpy((*out)->fh, fh->h.f_handle, fh->h.handle_bytes);
	}
	return 0;
}

static void sort_entry(struct efile *f, struct sb_inode_entry *e)
{
	f->e = f->layer = NULL;
	if (e && (e->flags & SB_ENTRY_LAYER))
		f->layer = e;
	else
		f->e = e;
}

/* The kernel takes fds as unsigned int; a negative int is EBADF. */
static int efile_get(struct sb_call *c, uint64_t raw_fd, struct efile *f)
{
	int fd = (int)(unsigned int)raw_fd;
	struct sb_inode_key k;
	struct statx sx;
	bool looked;

	f->fd = -1;
	f->e = f->layer = NULL;
	if (fd < 0)
		return -EBADF;
	f->fd = c->ops->get_file(c, fd);
	if (f->fd < 0)
		return f->fd;
	/* the stat and, on tmpfs since 5.18, the key in one call */
	looked = statx_at(f->fd, "", AT_EMPTY_PATH,
			  STATX_BASIC_STATS | STATX_BTIME, &sx);
	if (looked)
		stat_of_statx(&sx, &f->st);
	else if (fstat(f->fd, &f->st) < 0)
		return neg_errno();
	f->fl = fcntl(f->fd, F_GETFL);
	if (f->fl < 0)
		return neg_errno();
	/*
	 * Under strict rules every write to a pipe or a socket comes here:
	 * a file on a device that holds none of ours needs no file handle.
	 */
	if (!dev_may_hold(c->emu, (uint64_t)f->st.st_dev))
		return 0;
	if (looked && has_btime(&sx)) {
		k = key_of_btime(&sx);
	} else if (looked) {
		/* no birth time here (before 5.18): the handle, without
		 * asking statx again */
		union fh_buf fh;

		(void)handle_at(f->fd, "", AT_EMPTY_PATH, &fh);
		k = key_of_handle(&f->st, &fh);
	} else {
		k = key_of(f->fd, &f->st);
	}
	sort_entry(f, sb_registry_lookup(&c->emu->reg, &k));
	return 0;
}

/* What a look at the caller's fd without fetching it told (efile_peek). */
enum peek {
	PEEK_UNKNOWN = -1, /* only a fetch can tell */
	PEEK_OURS,         /* f->e or f->layer, f->st and f->fl filled */
	PEEK_NOT_OURS,     /* on a device that holds none of ours */
};

/*
 * A look at the caller's fd through the transport's path for it (fd_path)
 * without fetching the file: f->fd stays -1. A file on a device that holds
 * none of ours is told by a stat; an entry of ours by its file handle, with
 * the open mode from the link's mode bits (f->fl: O_RDONLY, O_WRONLY or
 * O_RDWR; no more is known). Anything else (no path, an O_PATH fd, a file
 * of no entry on our device, an error) is the fetch's to tell.
 */
static enum peek efile_peek(struct sb_call *c, uint64_t raw_fd,
			    struct efile *f)
{
	int fd = (int)(unsigned int)raw_fd;
	struct stat link;
	char path[64];
	struct sb_inode_key k;

	f->fd = -1;
	f->fl = 0;
	f->e = f->layer = NULL;
	if (fd < 0 || !c->ops->fd_path ||
	    c->ops->fd_path(c, fd, path, sizeof(path)) < 0 ||
	    stat(path, &f->st) < 0)
		return PEEK_UNKNOWN;
	if (!dev_may_hold(c->emu, (uint64_t)f->st.st_dev))
		return PEEK_NOT_OURS;
	/* an O_PATH fd is open neither for reading nor for writing */
	if (lstat(path, &link) < 0 || !(link.st_mode & (S_IRUSR | S_IWUSR)))
		return PEEK_UNKNOWN;
	k = key_at(AT_FDCWD, path, AT_SYMLINK_FOLLOW, &f->st, NULL);
	sort_entry(f, sb_registry_lookup(&c->emu->reg, &k));
	f->fl = !(link.st_mode & S_IWUSR) ? O_RDONLY :
		!(link.st_mode & S_IRUSR) ? O_WRONLY : O_RDWR;
	return f->e || f->layer ? PEEK_OURS : PEEK_UNKNOWN;
}

/*
 * efile_get for a handler that lets the call run on any file not ours:
 * one efile_peek can tell it without the fetch (f->fd stays -1, f->fl 0).
 */
static int efile_get_or_pass(struct sb_call *c, uint64_t raw_fd,
			     struct efile *f)
{
	if (efile_peek(c, raw_fd, f) == PEEK_NOT_OURS)
		return 0;
	return efile_get(c, raw_fd, f);
}

/*
 * SB_CONTINUE after a look at the file behind args[arg]: where the
 * transport can, the kernel then uses that very file (see pin_fd_arg).
 */
static struct sb_verdict continue_pinned(struct sb_call *c, unsigned int arg,
					 const struct efile *f)
{
	if (c->emu->strict_fds && c->ops->pin_fd_arg && f->fd >= 0)
		(void)c->ops->pin_fd_arg(c, arg, f->fd);
	return sb_continue();
}

static bool fl_writable(int fl)
{
	int acc = fl & O_ACCMODE;

	return !(fl & O_PATH) && (acc == O_WRONLY || acc == O_RDWR);
}

static bool is_hugetlb(const struct sb_inode_entry *e)
{
	return e->flags & SB_ENTRY_HUGETLB;
}

/* ---- mapping accounting ---------------------------------------------- */

/* Shared mappings that existed when F_SEAL_FUTURE_WRITE was added keep
 * VM_MAYWRITE; later ones do not. */
struct premaps {
	size_t n;
	struct {
		pid_t pid;
		uint64_t start;
	} m[];
};

static bool premapped(const struct sb_inode_entry *e, pid_t pid,
		      uint64_t start)
{
	const struct premaps *p = e->aux;

	for (size_t i = 0; p && i < p->n; i++)
		if (p->m[i].pid == pid && p->m[i].start == start)
			return true;
	return false;
}

static int collect_premap(const struct sb_mapping *m, void *ctx)
{
	struct premaps **pp = ctx;
	struct premaps *p = *pp;
	size_t n = p ? p->n : 0;

	if (!m->shared)
		return 0;
	p = realloc(p, sizeof(*p) + (n + 1) * sizeof(p->m[0]));
	if (!p)
		return -ENOMEM;
	p->n = n + 1;
	p->m[n].pid = m->pid;
	p->m[n].start = m->start;
	*pp = p;
	return 0;
}

struct count_ctx {
	const struct sb_emulator *emu;
	const struct sb_inode_entry *e;
	long count;
};

static int count_writable(const struct sb_mapping *m, void *ctx)
{
	struct count_ctx *cc = ctx;

	if (!m->vm_shared)
		return 0; /* private, or shared through a read-only fd */
	if (!cc->emu->plan.seal.map_ro_under_write) {
		cc->count++; /* up to 6.6 every VM_SHARED mapping counts */
		return 0;
	}
	/* 6.7+: VM_SHARED and VM_MAYWRITE; after F_SEAL_FUTURE_WRITE new
	 * mappings lose VM_MAYWRITE, which our backing file cannot show */
	if (!m->vm_maywrite)
		return 0;
	if ((cc->e->seals & F_SEAL_FUTURE_WRITE) &&
	    !premapped(cc->e, m->pid, m->start))
		return 0;
	cc->count++;
	return 0;
}

static long writable_maps(const struct sb_emulator *emu,
			  const struct sb_inode_entry *e)
{
	struct count_ctx cc = { emu, e, 0 };
	int err = -EAGAIN;

	/*
	 * A walk fails with EAGAIN when mappings moved under it; three of
	 * them in a row, and a writable mapping may be among the movers:
	 * busy, as the kernel would say if one were there.
	 */
	for (int attempt = 0; attempt < 3 && err == -EAGAIN; attempt++) {
		cc.count = 0;
		err = sb_maps_walk_checked(e->key.dev, e->key.ino,
					   count_writable, &cc);
	}
	if (err == -EAGAIN)
		return 1;
	return err < 0 ? err : cc.count;
}

/*
 * Can the kernel's own seals on the backing file stand for ours? Yes for a
 * memfd backing on a kernel that seals, when the reproduced kernel counts
 * mappings as this one does (6.7+): then EBUSY, mprotect and MADV_REMOVE
 * are the kernel's own answers, and no /proc scan is needed.
 */
static bool kernel_decides(const struct sb_emulator *emu,
			   const struct sb_inode_entry *e)
{
	const unsigned int needed = F_SEAL_WRITE | F_SEAL_FUTURE_WRITE;

	return (e->flags & SB_ENTRY_MIRROR) &&
	       emu->plan.seal.map_ro_under_write && emu->native_map_ro &&
	       (emu->native_seals & needed) == needed;
}

/*
 * The seals to add to the backing file itself. Before 6.7 a kernel's
 * F_SEAL_WRITE also refuses read-only shared mappings through writable
 * fds, which the reproduced kernel allows: there F_SEAL_FUTURE_WRITE
 * stands in for it (it refuses every write and writable mapping, and no
 * writable mapping exists once sealbox has granted F_SEAL_WRITE).
 */
static unsigned int mirror_bits(const struct sb_emulator *emu,
				unsigned int old, unsigned int next)
{
	unsigned int bits = next & ~old;

	if ((bits & F_SEAL_WRITE) && emu->plan.seal.map_ro_under_write &&
	    !emu->native_map_ro) {
		bits &= ~F_SEAL_WRITE;
		if (!(old & F_SEAL_FUTURE_WRITE))
			bits |= F_SEAL_FUTURE_WRITE;
	}
	return bits & emu->native_seals;
}

/* ---- memfd_create ------------------------------------------------------ */

static int create_backing(struct sb_emulator *emu, const char *name,
			  const struct memfd_result *res)
{
	if (res->hugetlb) {
		unsigned int fl = MFD_CLOEXEC | MFD_HUGETLB |
				  (res->huge_log2 << MFD_HUGE_SHIFT);
		/* sealable where the kernel can (4.16), to mirror our seals */
		int fd = (int)syscall(SYS_memfd_create, name,
				      fl | MFD_ALLOW_SEALING);

		if (fd < 0 && errno == EINVAL)
			fd = (int)syscall(SYS_memfd_create, name, fl);

		if (fd < 0)
			return neg_errno();
		if (fchmod(fd, res->mode) < 0) {
			int err = neg_errno();
			close(fd);
			return err;
		}
		return fd;
	}
	return sb_backing_create(&emu->backing, name, res->mode);
}

/* The kernel's own seals start as ours: F_SEAL_SEAL for a memfd made
 * without MFD_ALLOW_SEALING, F_SEAL_EXEC for MFD_NOEXEC_SEAL. */
static int mirror_initial(const struct sb_emulator *emu, int fd,
			  unsigned int seals)
{
	unsigned int bits = seals & emu->native_seals;

	if (bits != seals)
		return -EOPNOTSUPP; /* a bit only we can hold: keep a pin */
	return bits && fcntl(fd, F_ADD_SEALS, bits) < 0 ? neg_errno() : 0;
}

/*
 * Can reclaim ask the kernel whether a kernel memfd's inode still lives
 * (open_by_handle_at on a handle of it, inode_lives)? Then such an inode
 * needs no pin of ours: the kernel frees it when the program lets go, and
 * no file in flight over a socket is taken for gone.
 */
static bool lives_askable(struct sb_emulator *e)
{
	union fh_buf fh;
	struct stat st;
	int fd;

	if (e->live_ok >= 0)
		return e->live_ok == 1;
	e->live_ok = 0;
	if (e->live_fd < 0)
		e->live_fd = (int)syscall(SYS_memfd_create, "sealbox-live",
					  MFD_CLOEXEC);
	if (e->live_fd < 0 || fstat(e->live_fd, &st) < 0 ||
	    !handle_at(e->live_fd, "", AT_EMPTY_PATH, &fh))
		return false;
	fd = open_by_handle_at(e->live_fd, &fh.h, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return false; /* EPERM: no CAP_DAC_READ_SEARCH */
	close(fd);
	e->live_dev = (uint64_t)st.st_dev;
	e->live_ok = 1;
	return true;
}

/* Each pinned entry holds an fd of ours: reclaim before running out. */
static bool pin_budget_low(const struct sb_emulator *emu)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return false;
	return (rlim_t)emu->pinned + 64 > rl.rlim_cur - rl.rlim_cur / 4;
}

/*
 * A kernel with memfds but without the 6.3 exec flags: the kernel makes the
 * memfd (sealable when MFD_NOEXEC_SEAL asks for it, mode set as the flag
 * says) and sealbox keeps F_SEAL_EXEC on top of the kernel's seals. The fd
 * number is the kernel's lowest free one, as for a native memfd.
 */
static struct sb_verdict memfd_layered(struct sb_call *c, const char *name,
				       const struct memfd_result *res)
{
	struct sb_emulator *emu = c->emu;
	unsigned int fl = res->flags & ~(MFD_NOEXEC_SEAL | MFD_EXEC);
	autoclose int fd = -1;
	struct sb_inode_entry *e = NULL;
	struct sb_inode_key k;
	union fh_buf fh;
	struct stat st;
	int nfd;

	if (res->flags & MFD_NOEXEC_SEAL)
		fl |= MFD_ALLOW_SEALING;
	fd = (int)syscall(SYS_memfd_create, name, fl | MFD_CLOEXEC);
	if (fd < 0)
		return sb_return(neg_errno());
	if (fchmod(fd, res->mode) < 0 || fstat(fd, &st) < 0)
		return sb_return(neg_errno());
	k = key_kept(fd, &st, &fh);
	if ((res->seals & F_SEAL_EXEC) &&
	    registry_add(emu, &fh, &k, F_SEAL_EXEC, SB_ENTRY_LAYER, NULL,
			 &e) < 0)
		return sb_return(-ENOMEM);
	nfd = c->ops->install_fd(c, fd, -1, 0, res->cloexec, true);
	if (nfd < 0) {
		if (e)
			sb_registry_remove(&emu->reg, &k);
		return sb_return(nfd);
	}
	return c->replied ? sb_done() : sb_return(nfd);
}

/*
 * The kernel has every flag and seal with the reproduced rules: the memfd
 * is made here with the caller's flags (after sealbox's own checks, the
 * emulated path) and handed over; the kernel keeps its seals and name.
 */
static struct sb_verdict memfd_kernel(struct sb_call *c, const char *name,
				      const struct memfd_result *res)
{
	autoclose int fd = -1;
	int nfd;

	/*
	 * The kernel has every flag and rule reproduced here, and applies
	 * the same vm.memfd_noexec policy (its own, or none was added): its
	 * own memfd_create, run by the caller, makes exactly the file we
	 * would make, at the number we would pick, and saves the fd
	 * hand-over (an ADDFD is a second round trip).
	 */
	if (res->flags == (unsigned int)c->args[1] ||
	    c->emu->plan.action[SB_F_MEMFD_NOEXEC_SYSCTL] == SB_NATIVE)
		return sb_continue();
	fd = (int)syscall(SYS_memfd_create, name, res->flags | MFD_CLOEXEC);
	if (fd < 0)
		return sb_return(neg_errno());
	nfd = c->ops->install_fd(c, fd, -1, 0, res->cloexec, true);
	if (nfd < 0)
		return sb_return(nfd);
	return c->replied ? sb_done() : sb_return(nfd);
}

static struct sb_verdict h_memfd_create(struct sb_call *c)
{
	struct sb_emulator *emu = c->emu;
	char name[MEMFD_NAME_READ];
	struct memfd_result res;
	struct sb_inode_entry *e = NULL;
	struct sb_inode_key k;
	union fh_buf fh;
	struct stat st;
	autoclose int fd = -1, pin = -1;
	char self[64];
	ssize_t n;
	int err, nfd;
	unsigned int flags;

	/* flags first: a bad flag is EINVAL whatever the name pointer */
	if (!emu->plan.memfd.have_memfd)
		return sb_return(-ENOSYS);
	/*
	 * The name only names a new file, which reaches the caller through
	 * install_fd alone (an ADDFD fails for a call that is gone, and the
	 * entry then goes): a name read from a thread that died meanwhile,
	 * its id reused, harms no one.
	 */
	c->read_unchecked = true;
	n = c->ops->read_mem(c, c->args[0], name, sizeof(name));
	c->read_unchecked = false;
	err = memfd_decide(&emu->plan.memfd, (unsigned int)c->args[1], name,
			   n < 0 ? 0 : (size_t)n, &res);
	if (err < 0)
		return sb_return(err);
	if (emu->plan.layered_exec)
		return memfd_layered(c, name, &res);
	if (emu->kernel_enforces)
		return memfd_kernel(c, name, &res);
	if (!emu->plan.emulated_files)
		return sb_continue(); /* only answering as an older kernel */

	fd = create_backing(emu, name, &res);
	if (fd < 0)
		return sb_return(fd);
	if (fstat(fd, &st) < 0)
		return sb_return(-ENOMEM);
	k = key_kept(fd, &st, &fh);
	flags = SB_ENTRY_EMULATED | (res.hugetlb ? SB_ENTRY_HUGETLB : 0);
	/* only a memfd (the backing, or a hugetlb one) can carry seals */
	if (emu->native_seals &&
	    (emu->backing.kind == SB_BACKING_MEMFD || res.hugetlb) &&
	    fcntl(fd, F_GET_SEALS) == 0 &&
	    mirror_initial(emu, fd, res.seals) == 0)
		flags |= SB_ENTRY_MIRROR;
	/*
	 * A file whose seals only we hold is pinned by our own open of it
	 * (a reopen, not a dup: a lease on it tells when nothing else holds
	 * the inode). A mirrored one is not: the kernel keeps its seals, and
	 * a pin would keep its memory alive after the program closed it.
	 */
	if (!(flags & SB_ENTRY_MIRROR) &&
	    !(emu->backing.kind == SB_BACKING_MEMFD && !res.hugetlb &&
	      lives_askable(emu))) {
		snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
		pin = open(self, O_RDONLY | O_CLOEXEC);
		if (pin < 0)
			return sb_return(-ENOMEM);
	}
	err = registry_add(emu, &fh, &k, res.seals, flags, name, &e);
	if (err == -EEXIST) {
		/* a stale entry: the inode number was freed and reused */
		int old = sb_registry_remove(&emu->reg, &k);

		if (old >= 0) {
			close(old);
			emu->pinned--;
		}
		err = registry_add(emu, &fh, &k, res.seals, flags, name, &e);
	}
	if (err < 0)
		return sb_return(-ENOMEM);

	if (emu->kernel_enforces && !(flags & SB_ENTRY_MIRROR)) {
		sb_registry_remove(&emu->reg, &k);
		return sb_return(-ENOMEM); /* cannot happen: say it loudly */
	}
	/*
	 * The fd goes where the kernel would put it where the kernel enforces
	 * the seals, and under strict rules, where any number would do (the
	 * fd rules match every fd). Else in the reserved range, where the
	 * filter looks. A low number is busy: the ptrace tests' signal storm
	 * calls F_GET_SEALS on fd 3 from its handler, which before 5.6 is
	 * answered from the inode (efile_peek) rather than by fetching the
	 * file with injected calls, or the program would never get on.
	 */
	nfd = c->ops->install_fd(c, fd, -1,
				 emu->kernel_enforces || emu->strict_fds ?
				 0 : emu->fd_base,
				 res.cloexec, true);
	if (nfd < 0) {
		sb_registry_remove(&emu->reg, &k);
		return sb_return(nfd);
	}
	e = sb_registry_lookup(&emu->reg, &k);
	if (e && pin >= 0) {
		e->pin_fd = steal_fd(&pin);
		emu->pinned++;
	}
	/* reclaim when the table has doubled since the last time, so the
	 * /proc look stays rare however many memfds come and go */
	if (sb_registry_count(&emu->reg) >= emu->reclaim_at ||
	    pin_budget_low(emu)) {
		sb_emulator_reclaim(emu);
		emu->reclaim_at = 2 * sb_registry_count(&emu->reg);
		if (emu->reclaim_at < RECLAIM_MIN)
			emu->reclaim_at = RECLAIM_MIN;
	}
	return c->replied ? sb_done() : sb_return(nfd);
}

/* ---- fcntl: sealing and dup ---------------------------------------------- */

/* A regular file on tmpfs or hugetlbfs (devtmpfs says tmpfs too, but its
 * device nodes have no seals). */
static bool on_sealable_fs(int fd, const struct stat *st)
{
	struct statfs sfs;

	return S_ISREG(st->st_mode) && fstatfs(fd, &sfs) == 0 &&
	       (sfs.f_type == SB_TMPFS_MAGIC ||
		(unsigned long)sfs.f_type == SB_HUGETLBFS_MAGIC);
}

static struct sb_verdict seals_emulated(struct sb_call *c, struct efile *f,
					int cmd, unsigned long arg)
{
	struct sb_emulator *emu = c->emu;
	struct sb_inode_entry *e = f->e;
	struct seal_subject s = {
		.fd_writable = fl_writable(f->fl),
		.sealable = true,
		.seals = e->seals,
		.mode = f->st.st_mode & 07777,
	};
	unsigned int next = 0;
	int err;

	if (cmd == F_GET_SEALS)
		return sb_return(seals_get(&emu->plan.seal, true, e->seals));

	err = seals_add(&emu->plan.seal, &s, arg, &next);
	if (err < 0)
		return sb_return(err);
	if (kernel_decides(emu, e)) {
		/* the kernel counts every mapping itself, atomically: its
		 * EBUSY is the answer, and a success leaves it enforcing */
		unsigned int bits = mirror_bits(emu, e->seals, next);

		if (bits && fcntl(f->fd, F_ADD_SEALS, bits) < 0)
			return sb_return(neg_errno());
		e->seals = next;
		return sb_return(0);
	}
	if ((next & F_SEAL_WRITE) && !(e->seals & F_SEAL_WRITE)) {
		long maps = writable_maps(emu, e);

		if (maps < 0)
			return sb_return(maps);
		s.writable_maps = maps;
		err = seals_add(&emu->plan.seal, &s, arg, &next);
		if (err < 0)
			return sb_return(err);
	}
	if ((next & F_SEAL_FUTURE_WRITE) && !(e->seals & F_SEAL_FUTURE_WRITE)) {
		struct premaps *p = NULL;

		if (sb_maps_walk(0, e->key.dev, e->key.ino, false,
				 collect_premap, &p) < 0) {
			free(p);
			return sb_return(-ENOMEM);
		}
		free(e->aux);
		e->aux = p;
	}
	if (e->flags & SB_ENTRY_MIRROR) {
		/* the kernel holds them too, for aliases sealbox cannot see */
		unsigned int bits = mirror_bits(emu, e->seals, next);

		if (bits && fcntl(f->fd, F_ADD_SEALS, bits) < 0)
			return sb_return(neg_errno());
	}
	e->seals = next;
	return sb_return(0);
}

/* A file sealbox did not create: the kernel's own seals where it has
 * sealing, with the pretended kernel's argument checks in front. */
static struct sb_verdict seals_native(struct sb_call *c, struct efile *f,
				      int cmd, unsigned long arg)
{
	struct sb_emulator *emu = c->emu;
	const struct seal_rules *rules = &emu->plan.seal;
	int native = fcntl(f->fd, F_GET_SEALS);
	unsigned int extra = f->layer ? f->layer->seals : 0;
	struct seal_subject s = {
		.fd_writable = fl_writable(f->fl),
		/* where the kernel seals, its own answer says what is
		 * sealable; before 3.17 every tmpfs file is (born sealed) */
		.sealable = native >= 0 ||
			    (!emu->native_seals &&
			     on_sealable_fs(f->fd, &f->st)),
		.seals = native >= 0 ? (unsigned int)native | extra :
			 F_SEAL_SEAL,
		.mode = f->st.st_mode & 07777,
	};
	unsigned int next = 0, kernel_bits, our_bits;
	int err;

	if (cmd == F_GET_SEALS)
		return sb_return(seals_get(rules, s.sealable, s.seals));
	err = seals_add(rules, &s, arg, &next);
	if (err < 0 || native < 0)
		return sb_return(err);
	/* the kernel adds what it knows (and decides EBUSY from its own
	 * counts); sealbox keeps the rest (F_SEAL_EXEC before 6.3) */
	kernel_bits = next & ~s.seals & emu->native_seals;
	our_bits = next & ~s.seals & ~emu->native_seals;
	if ((kernel_bits || !our_bits) &&
	    fcntl(f->fd, F_ADD_SEALS, kernel_bits) < 0)
		return sb_return(neg_errno());
	if (our_bits) {
		union fh_buf fh;
		struct sb_inode_key k = key_kept(f->fd, &f->st, &fh);
		struct sb_inode_entry *e = f->layer;

		if (!e && registry_add(emu, &fh, &k, 0, SB_ENTRY_LAYER,
				       NULL, &e) < 0)
			return sb_return(-ENOMEM);
		e->seals |= our_bits;
	}
	return sb_return(0);
}

static struct sb_verdict dup_into_range(struct sb_call *c, struct efile *f,
					int at, int min, bool cloexec)
{
	int nfd = c->ops->install_fd(c, f->fd, at, min, cloexec, true);

	if (nfd < 0)
		return sb_return(nfd);
	return c->replied ? sb_done() : sb_return(nfd);
}

static struct sb_verdict h_fcntl(struct sb_call *c)
{
	auto_efile struct efile f = { .fd = -1 };
	int cmd = (int)(unsigned int)c->args[1];
	int err;

	switch (cmd) {
	case F_GET_SEALS:
		/* ours, known without the file: the answer is the registry's */
		if (c->emu->plan.seal.known != 0 &&
		    efile_peek(c, c->args[0], &f) == PEEK_OURS && f.e)
			return seals_emulated(c, &f, cmd, c->args[2]);
		/* fall through */
	case F_ADD_SEALS:
		err = efile_get(c, c->args[0], &f);
		if (err < 0)
			return sb_return(err);
		if (c->emu->plan.seal.known == 0)
			return sb_return(-EINVAL); /* before 3.17 */
		if (f.fl & O_PATH)
			return sb_return(-EBADF);
		if (f.e)
			return seals_emulated(c, &f, cmd, c->args[2]);
		return seals_native(c, &f, cmd, c->args[2]);
	case F_DUPFD:
	case F_DUPFD_CLOEXEC: {
		long min = (long)c->args[2];

		err = efile_get(c, c->args[0], &f);
		if (err < 0)
			return sb_return(err);
		if (!f.e)
			return sb_continue();
		if (min < 0 || min > INT_MAX)
			return sb_return(-EINVAL);
		/* aliases of emulated memfds stay in sealbox's fd range */
		return dup_into_range(c, &f, -1,
				      min > c->emu->fd_base ? (int)min :
				      c->emu->fd_base, cmd == F_DUPFD_CLOEXEC);
	}
	default:
		return sb_continue();
	}
}

static struct sb_verdict h_dup(struct sb_call *c)
{
	auto_efile struct efile f = { .fd = -1 };
	int newfd = (int)(unsigned int)c->args[1];
	int flags = (int)c->args[2];
	int err;

	if (c->nr == __NR_dup3 && (flags & ~O_CLOEXEC))
		return sb_return(-EINVAL);
	err = efile_get(c, c->args[0], &f);
	if (err < 0)
		return sb_return(err);
	if (!f.e)
		return sb_continue();
	switch (c->nr) {
	case __NR_dup:
		return dup_into_range(c, &f, -1, c->emu->fd_base, false);
	case __NR_dup3:
		if (newfd == (int)(unsigned int)c->args[0])
			return sb_return(-EINVAL);
		if (newfd < 0)
			return sb_return(-EBADF);
		return dup_into_range(c, &f, newfd, 0, flags & O_CLOEXEC);
	default: /* dup2 */
		if (newfd == (int)(unsigned int)c->args[0])
			return sb_return(newfd);
		if (newfd < 0)
			return sb_return(-EBADF);
		return dup_into_range(c, &f, newfd, 0, false);
	}
}

/* ---- size changes -------------------------------------------------------- */

static struct sb_verdict h_ftruncate(struct sb_call *c)
{
	auto_efile struct efile f = { .fd = -1 };
	int64_t len = (int64_t)c->args[1];
	int err;

	if (len < 0)
		return sb_return(-EINVAL);
	err = efile_get_or_pass(c, c->args[0], &f);
	if (err < 0)
		return sb_return(err);
	if (!f.e)
		return continue_pinned(c, 0, &f);
	if (!fl_writable(f.fl))
		return sb_return(-EINVAL);
	err = seals_check_truncate(f.e->seals, f.st.st_size, len);
	if (err < 0)
		return sb_return(err);
	return sb_return(ftruncate(f.fd, len) < 0 ? neg_errno() : 0);
}

static struct sb_verdict h_fallocate(struct sb_call *c)
{
	auto_efile struct efile f = { .fd = -1 };
	int mode = (int)c->args[1];
	int64_t off = (int64_t)c->args[2], len = (int64_t)c->args[3];
	int err;

	err = efile_get_or_pass(c, c->args[0], &f);
	if (err < 0)
		return sb_return(err);
	if (!f.e)
		return continue_pinned(c, 0, &f);
	err = seals_check_fallocate(f.e->seals, fl_writable(f.fl), mode, off,
				    len, f.st.st_size);
	if (err < 0)
		return sb_return(err);
	return sb_return(fallocate(f.fd, mode, off, len) < 0 ? neg_errno() : 0);
}

/* ---- the write family ---------------------------------------------------- */

struct wreq {
	struct iovec iov[UIO_MAXIOV];
	int iovcnt;
	uint64_t total;
	int64_t pos;  /* -1: the file position */
	int rwf;      /* pwritev2 flags */
};

static int read_iovecs(struct sb_call *c, uint64_t addr, uint64_t cnt,
		       struct wreq *w)
{
	struct { uint64_t base, len; } raw[UIO_MAXIOV];
	ssize_t n;

	if (cnt > UIO_MAXIOV)
		return -EINVAL;
	w->iovcnt = (int)cnt;
	w->total = 0;
	if (cnt == 0)
		return 0;
	n = c->ops->read_mem(c, addr, raw, cnt * sizeof(raw[0]));
	if (n < (ssize_t)(cnt * sizeof(raw[0])))
		return -EFAULT;
	for (uint64_t i = 0; i < cnt; i++) {
		if ((int64_t)raw[i].len < 0)
			return -EINVAL;
		w->iov[i].iov_base = (void *)(uintptr_t)raw[i].base;
		w->iov[i].iov_len = raw[i].len;
		if (raw[i].len > (uint64_t)MAX_RW_COUNT - w->total)
			w->iov[i].iov_len = (size_t)(MAX_RW_COUNT - w->total);
		w->total += w->iov[i].iov_len;
	}
	return 0;
}

/*
 * Copy up to want bytes of the caller's buffers; a fault ends the copy
 * there, as in the kernel (a partial write, or EFAULT for nothing).
 */
static ssize_t gather(struct sb_call *c, const struct wreq *w, char *buf,
		      uint64_t want)
{
	uint64_t got = 0;

	for (int i = 0; i < w->iovcnt && got < want; i++) {
		uint64_t len = w->iov[i].iov_len;
		ssize_t n;

		if (len > want - got)
			len = want - got;
		if (len == 0)
			continue;
		n = c->ops->read_mem(c, (uint64_t)(uintptr_t)w->iov[i].iov_base,
				     buf + got, len);
		if (n > 0)
			got += (uint64_t)n;
		if (n < (ssize_t)len)
			break;
	}
	return got == 0 && want > 0 ? -EFAULT : (ssize_t)got;
}

/*
 * RLIMIT_FSIZE is the caller's, and the kernel checks it before any seal:
 * at or past the limit EFBIG and SIGXFSZ, below it the write is cut short.
 */
static int fsize_limit(struct sb_call *c, int64_t pos, uint64_t *len)
{
	struct rlimit rl;
	pid_t tgid;

	if (prlimit(c->tid, RLIMIT_FSIZE, NULL, &rl) < 0 ||
	    rl.rlim_cur == RLIM_INFINITY)
		return 0;
	if ((uint64_t)pos >= rl.rlim_cur) {
		tgid = c->ops->get_tgid(c);
		if (tgid > 0)
			syscall(SYS_tgkill, tgid, c->tid, SIGXFSZ);
		return -EFBIG;
	}
	if (*len > rl.rlim_cur - (uint64_t)pos)
		*len = rl.rlim_cur - (uint64_t)pos;
	return 0;
}

static struct sb_verdict do_write(struct sb_call *c, struct efile *f,
				  const struct wreq *w)
{
	autofree char *buf = NULL;
	int64_t pos = w->pos, allowed;
	uint64_t total;
	ssize_t n;
	int err;

	if (!fl_writable(f->fl))
		return sb_return(-EBADF);
	if (w->rwf & ~RWF_SUPPORTED)
		return sb_return(-EOPNOTSUPP);
	if (w->total == 0)
		return sb_return(0);
	if (pos < 0 && w->pos != -1)
		return sb_return(-EINVAL);
	if ((f->fl & O_APPEND) || (w->rwf & RWF_APPEND))
		pos = f->st.st_size;
	else if (pos == -1)
		pos = lseek(f->fd, 0, SEEK_CUR);
	if (pos < 0)
		return sb_return(-ESPIPE);

	total = w->total;
	err = fsize_limit(c, pos, &total);
	if (err < 0)
		return sb_return(err);
	allowed = seals_check_write(&c->emu->plan.seal, f->e->seals,
				    is_hugetlb(f->e), f->st.st_size, pos,
				    total);
	if (allowed <= 0)
		return sb_return(allowed);
	buf = malloc((size_t)allowed);
	if (!buf)
		return sb_return(-ENOMEM);
	n = gather(c, w, buf, (uint64_t)allowed);
	if (n < 0)
		return sb_return(n);
	/* the same open file: offset and O_APPEND behave as the caller's */
	if (w->pos == -1 && !w->rwf)
		n = write(f->fd, buf, (size_t)n);
	else {
		struct iovec one = { buf, (size_t)n };
		n = pwritev2(f->fd, &one, 1, w->pos, w->rwf);
	}
	return sb_return(n < 0 ? neg_errno() : n);
}

/*
 * write or pwrite64 of at least a byte on an emulated memfd a write seal
 * closes, told from the inode (efile_peek) without fetching the file: the
 * kernel's EPERM, after the checks that come before it (EBADF, EINVAL for
 * a negative offset, EFBIG past RLIMIT_FSIZE: then the whole way).
 */
static bool write_sealed_shut(struct sb_call *c, const struct efile *f)
{
	struct rlimit rl;
	int64_t pos = c->nr == __NR_pwrite64 ? (int64_t)c->args[3] : 0;

	if ((c->nr != __NR_write && c->nr != __NR_pwrite64) ||
	    c->args[2] == 0 || pos < 0 || !f->e ||
	    !(f->e->seals & ANY_WRITE_SEAL) || !fl_writable(f->fl))
		return false;
	if (prlimit(c->tid, RLIMIT_FSIZE, NULL, &rl) < 0 ||
	    rl.rlim_cur != RLIM_INFINITY)
		return false;
	return seals_check_write(&c->emu->plan.seal, f->e->seals,
				 is_hugetlb(f->e), f->st.st_size, pos,
				 c->args[2]) == -EPERM;
}

static struct sb_verdict h_write(struct sb_call *c)
{
	auto_efile struct efile f = { .fd = -1 };
	static struct wreq w; /* large; the supervisor handles one call */
	enum peek peek;
	int err;

	/* one look without the fetch: a file not ours, or a write refused */
	peek = efile_peek(c, c->args[0], &f);
	if (peek == PEEK_OURS && write_sealed_shut(c, &f))
		return sb_return(-EPERM);
	if (peek != PEEK_NOT_OURS) {
		err = efile_get(c, c->args[0], &f);
		if (err < 0)
			return sb_return(err);
	}
	if (!f.e)
		return continue_pinned(c, 0, &f);
	memset(&w, 0, offsetof(struct wreq, iov) + sizeof(w.iov[0]));
	w.pos = -1;
	w.rwf = 0;
	switch (c->nr) {
	case __NR_write:
	case __NR_pwrite64:
		w.iovcnt = 1;
		w.iov[0].iov_base = (void *)(uintptr_t)c->args[1];
		w.iov[0].iov_len = c->args[2] > (uint64_t)MAX_RW_COUNT ?
				   (size_t)MAX_RW_COUNT : c->args[2];
		w.total = w.iov[0].iov_len;
		if (c->nr == __NR_pwrite64) {
			w.pos = (int64_t)c->args[3];
			if (w.pos < 0)
				return sb_return(-EINVAL);
		}
		break;
	case __NR_writev:
	case __NR_pwritev:
	case __NR_pwritev2:
		err = read_iovecs(c, c->args[1], c->args[2], &w);
		if (err < 0)
			return sb_return(err);
		if (c->nr == __NR_pwritev) {
			w.pos = (int64_t)c->args[3];
			if (w.pos < 0)
				return sb_return(-EINVAL);
		} else if (c->nr == __NR_pwritev2) {
			w.pos = (int64_t)c->args[3];
			w.rwf = (int)c->args[5];
			if (w.pos < -1)
				return sb_return(-EINVAL);
		}
		break;
	default:
		return sb_continue();
	}
	return do_write(c, &f, &w);
}

/* sendfile, splice and copy_file_range into an emulated memfd */
static struct sb_verdict h_copy_into(struct sb_call *c)
{
	auto_efile struct efile f = { .fd = -1 };
	unsigned int outarg = c->nr == __NR_sendfile ? 0 : 2;
	uint64_t outfd = c->args[outarg];
	int err;

	err = efile_get_or_pass(c, outfd, &f);
	if (err < 0)
		return sb_return(err);
	if (!f.e || !(f.e->seals & (ANY_WRITE_SEAL | F_SEAL_GROW)))
		return continue_pinned(c, outarg, &f);
	if (!fl_writable(f.fl))
		return sb_return(-EBADF);
	if (f.e->seals & ANY_WRITE_SEAL)
		return sb_return(-EPERM);
	if (f.e->flags & SB_ENTRY_MIRROR)
		/* the kernel cuts GROW short itself */
		return continue_pinned(c, outarg, &f);
	/*
	 * F_SEAL_GROW on a file the kernel does not seal: refuse a copy that
	 * would reach past the end (the kernel would stop at the last page
	 * boundary below it; refusing is stricter, never looser).
	 */
	int64_t pos = lseek(f.fd, 0, SEEK_CUR);
	uint64_t len = c->nr == __NR_sendfile ? c->args[3] : c->args[4];

	if (c->nr != __NR_sendfile && c->args[3]) {
		if (c->ops->read_mem(c, c->args[3], &pos, sizeof(pos)) <
		    (ssize_t)sizeof(pos))
			return sb_return(-EFAULT);
	}
	if ((f.fl & O_APPEND) || pos < 0 ||
	    (uint64_t)pos + len > (uint64_t)f.st.st_size)
		return sb_return(-EPERM);
	return continue_pinned(c, outarg, &f);
}

/* ---- mappings ------------------------------------------------------------ */

struct still_ctx {
	const struct sb_inode_entry *e;
	uint64_t start;
	bool found;
};

static int still_there(const struct sb_mapping *m, void *ctx)
{
	struct still_ctx *sc = ctx;

	if (m->start == sc->start && m->dev == sc->e->key.dev &&
	    m->ino == sc->e->key.ino && m->shared)
		sc->found = true;
	return sc->found;
}

/*
 * A new mapping of a file under F_SEAL_FUTURE_WRITE never keeps
 * VM_MAYWRITE, but premapped() knows the old ones only by process and
 * start address: forget those of the caller that are gone (unmapped,
 * moved) or that a MAP_FIXED mapping is about to replace, before the new
 * one can take their place.
 */
static void forget_premaps(struct sb_call *c, struct sb_inode_entry *e,
			   uint64_t addr, uint64_t len, bool fixed)
{
	struct premaps *p = e->aux;
	pid_t tgid = c->ops->get_tgid(c);
	size_t kept = 0;

	if (!p || tgid < 0)
		return;
	for (size_t i = 0; i < p->n; i++) {
		struct still_ctx sc = { e, p->m[i].start, false };
		bool keep = true;

		if (p->m[i].pid == tgid) {
			if (fixed && p->m[i].start >= addr &&
			    p->m[i].start - addr < len)
				keep = false;
			else if (sb_maps_walk_range(c->tid, p->m[i].start,
						    p->m[i].start + 1, false,
						    still_there, &sc) >= 0)
				keep = sc.found;
		}
		if (keep)
			p->m[kept++] = p->m[i];
	}
	p->n = kept;
}

static struct sb_verdict h_mmap(struct sb_call *c)
{
	auto_efile struct efile f = { .fd = -1 };
	struct seal_mmap_verdict v;
	int err;

	err = efile_get_or_pass(c, c->args[4], &f);
	if (err < 0)
		return sb_return(err);
	/* not emulated, or no read access (the kernel's EACCES comes first) */
	if (!f.e || (f.fl & O_ACCMODE) == O_WRONLY)
		return continue_pinned(c, 4, &f);
	v = seals_check_mmap(&c->emu->plan.seal, f.e->seals, (int)c->args[2],
			     (int)c->args[3], fl_writable(f.fl));
	if (v.err < 0)
		return sb_return(v.err);
	if (f.e->seals & F_SEAL_FUTURE_WRITE)
		forget_premaps(c, f.e, c->args[0], c->args[1],
			       c->args[3] & MAP_FIXED);
	return continue_pinned(c, 4, &f);
}

/*
 * The entry of a mapped file. /proc/PID/maps gives device and inode number
 * but no file handle, so this matches on those two; the entries of freed
 * inodes are dropped by reclaim, and a reused number on the kernel's
 * internal mounts needs billions of files.
 */
static struct sb_inode_entry *lookup_mapped(struct sb_emulator *emu,
					    const struct sb_mapping *m)
{
	struct sb_inode_entry *e;
	size_t pos = 0;

	while ((e = sb_registry_next(&emu->reg, &pos)) != NULL)
		if (e->key.dev == m->dev && e->key.ino == m->ino &&
		    !(e->flags & SB_ENTRY_LAYER))
			return e;
	return NULL;
}

struct prot_ctx {
	struct sb_emulator *emu;
	uint64_t start;
	int err;
	bool mapped_at_start; /* a mapping holds the range's first byte */
};

static int check_upgrade(const struct sb_mapping *m, void *ctx)
{
	struct prot_ctx *pc = ctx;
	struct sb_inode_entry *e;

	if (m->start <= pc->start && pc->start < m->end)
		pc->mapped_at_start = true;
	if (!m->shared || m->ino == 0)
		return 0;
	e = lookup_mapped(pc->emu, m);
	if (!e || !(e->seals & ANY_WRITE_SEAL) || kernel_decides(pc->emu, e))
		return 0;
	/* only mappings that kept VM_MAYWRITE (made before FUTURE_WRITE,
	 * which F_SEAL_WRITE never lets exist) may become writable */
	if ((e->seals & F_SEAL_WRITE) || !premapped(e, m->pid, m->start)) {
		pc->err = seals_check_mprotect(true, false, PROT_WRITE);
		return 1;
	}
	return 0;
}

static bool any_write_sealed(struct sb_emulator *emu)
{
	struct sb_inode_entry *e;
	size_t pos = 0;

	while ((e = sb_registry_next(&emu->reg, &pos)) != NULL)
		if ((e->seals & ANY_WRITE_SEAL) && !kernel_decides(emu, e))
			return true;
	return false;
}

/*
 * Would the kernel fail a call on [start, start + len) with ENOMEM for want
 * of a mapping at start, after its argument checks pass? (A page-aligned
 * start, a length that neither is 0 nor wraps.)
 */
static bool range_args_ok(uint64_t start, uint64_t len)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t alen = (len + page - 1) & ~(page - 1);

	return !(start & (page - 1)) && len != 0 && alen != 0 &&
	       start + alen > start;
}

#ifndef PROT_SEM
#define PROT_SEM 0x8
#endif
#define PROT_KNOWN (PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM)

static struct sb_verdict h_mprotect(struct sb_call *c)
{
	uint64_t start = c->args[0], len = c->args[1];
	struct prot_ctx pc = { c->emu, start, 0, false };
	int err;

	if (!(c->args[2] & PROT_WRITE) || !any_write_sealed(c->emu))
		return sb_continue();
	err = sb_maps_walk_range(c->tid, start, start + len, false,
				 check_upgrade, &pc);
	if (pc.err)
		return sb_return(pc.err);
	/*
	 * Nothing mapped at start: the kernel fails with ENOMEM and changes
	 * nothing, so answer that now, or a sealed mapping moved there
	 * (mremap) before the kernel acts would become writable. (Only with
	 * no pkey: a bad pkey is EINVAL first.)
	 */
	if (err >= 0 && !pc.mapped_at_start && range_args_ok(start, len) &&
	    !(c->args[2] & ~(uint64_t)PROT_KNOWN) &&
	    (c->nr == __NR_mprotect || (int)c->args[3] == -1))
		return sb_return(-ENOMEM);
	return sb_continue();
}

struct remove_ctx {
	struct sb_emulator *emu;
	uint64_t start, end;
	int err;
	bool done; /* sealbox punched the hole itself */
	bool any;  /* some mapping overlaps the range */
};

/*
 * Calls fn(pid, fd, ctx) for each descriptor of process pid open on (dev,
 * ino) until fn returns nonzero; returns that, or 0 (none, or no such
 * process).
 */
static int each_fd_on(pid_t pid, uint64_t dev, uint64_t ino,
		      int (*fn)(pid_t pid, int fd, void *ctx), void *ctx)
{
	char path[64];
	DIR *d;
	struct dirent *de;
	int ret = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		return 0;
	while (ret == 0 && (de = readdir(d)) != NULL) {
		struct stat st;

		if (de->d_name[0] != '.' &&
		    fstatat(dirfd(d), de->d_name, &st, 0) == 0 &&
		    (uint64_t)st.st_dev == dev && (uint64_t)st.st_ino == ino)
			ret = fn(pid, atoi(de->d_name), ctx);
	}
	closedir(d);
	return ret;
}

static int first_fd(pid_t pid, int fd, void *ctx)
{
	(void)pid;
	(void)ctx;
	return fd + 1;
}

/* A descriptor of process pid open on (dev, ino), or -1. */
static int fd_holding(pid_t pid, uint64_t dev, uint64_t ino)
{
	return each_fd_on(pid, dev, ino, first_fd, NULL) - 1;
}

static int punch_on_behalf(const struct sb_inode_entry *e,
			   const struct sb_mapping *m, uint64_t off,
			   uint64_t len)
{
	char self[96];
	autoclose int fd = -1;

	int held = -1;

	if (e->pin_fd >= 0)
		snprintf(self, sizeof(self), "/proc/self/fd/%d", e->pin_fd);
	else if ((held = fd_holding(m->pid, m->dev, m->ino)) >= 0)
		snprintf(self, sizeof(self), "/proc/%d/fd/%d", (int)m->pid, held);
	else /* the mapped file itself (needs CAP_SYS_ADMIN) */
		snprintf(self, sizeof(self), "/proc/%d/map_files/%llx-%llx",
			 (int)m->pid, (unsigned long long)m->start,
			 (unsigned long long)m->end);
	fd = open(self, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return neg_errno();
	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)off, (off_t)len) < 0)
		return neg_errno();
	return 0;
}

static int check_remove(const struct sb_mapping *m, void *ctx)
{
	struct remove_ctx *rc = ctx;
	struct sb_inode_entry *e = lookup_mapped(rc->emu, m);
	bool maywrite;
	uint64_t from, to;

	rc->any = true;
	if (!e || kernel_decides(rc->emu, e))
		return 0; /* the kernel's own answer is right */
	/*
	 * The reproduced kernel (6.7+) asks whether the mapping may write:
	 * mappings from before F_SEAL_FUTURE_WRITE kept VM_MAYWRITE, none
	 * survive F_SEAL_WRITE, and unsealed ones have it exactly when the
	 * kernel says "mw". Older kernels ask for VM_WRITE, so sealbox punches
	 * the hole itself rather than take their answer.
	 */
	if (e->seals & F_SEAL_WRITE)
		maywrite = false;
	else if (e->seals & F_SEAL_FUTURE_WRITE)
		maywrite = premapped(e, m->pid, m->start);
	else
		maywrite = rc->emu->plan.seal.map_ro_under_write ?
			   m->vm_maywrite : m->write;
	rc->err = seals_check_madv_remove(e->seals, m->shared && m->vm_shared,
					  maywrite, false);
	if (rc->err)
		return 1;
	from = m->start > rc->start ? m->start : rc->start;
	to = m->end < rc->end ? m->end : rc->end;
	rc->err = punch_on_behalf(e, m, m->offset + (from - m->start),
				  to - from);
	rc->done = true;
	return rc->err ? 1 : 0;
}

static struct sb_verdict h_madvise(struct sb_call *c)
{
	struct remove_ctx rc = { c->emu, c->args[0], c->args[0] + c->args[1],
				 0, false, false };
	int err;

	if ((int)c->args[2] != MADV_REMOVE)
		return sb_continue();
	err = sb_maps_walk_range(c->tid, rc.start, rc.end, true, check_remove,
				 &rc);
	if (rc.err)
		return sb_return(rc.err);
	if (rc.done)
		return sb_return(0);
	/* nothing mapped in the whole range: the kernel's ENOMEM, given
	 * now, before a sealed mapping can be moved in */
	if (err >= 0 && !rc.any && range_args_ok(rc.start, c->args[1]))
		return sb_return(-ENOMEM);
	return sb_continue();
}

/* ---- paths: resolved in the caller's context ---------------------------- */

#define SB_PROC_SUPER_MAGIC 0x9fa0
#define PROC_ROOT_INO 1

/* /proc/TGID/task/TID/WHAT (cwd, root) of the caller, opened O_PATH: the
 * kernel follows the magic link to the caller's own directory. */
static int open_caller_link(struct sb_call *c, const char *what)
{
	char path[96];
	pid_t tgid = c->ops->get_tgid(c);
	int fd;

	if (tgid < 0)
		return -ESRCH;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/%s", (int)tgid,
		 (int)c->tid, what);
	fd = open(path, O_PATH | O_CLOEXEC);
	return fd < 0 ? neg_errno() : fd;
}

static bool same_file(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Where the walk stands: procfs (and whether its root directory). */
static int proc_place(int fd, bool *root)
{
	struct statfs sfs;
	struct stat st;

	*root = false;
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != SB_PROC_SUPER_MAGIC)
		return 0;
	*root = fstat(fd, &st) == 0 && st.st_ino == PROC_ROOT_INO &&
		S_ISDIR(st.st_mode);
	return 1;
}

enum {
	WALK_FOLLOW = 1 << 0,   /* follow a symlink in the last component */
};

/* What a walk crossed: openat2's RESOLVE_ flags forbid some of it. */
struct walk_seen {
	bool symlink;   /* a plain symlink */
	bool magic;     /* a /proc magic link (fd/N, map_files, cwd, ...) */
};

/*
 * Resolve path as the kernel would for the caller: relative to dirfd (the
 * caller's, AT_FDCWD: its cwd) or its root, one component at a time,
 * symlinks followed (at most SB_MAX_LINKS), "/proc/self" and
 * "/proc/thread-self" read as the caller's, /proc magic links followed by
 * the kernel itself (they name the file, whoever opens them). Returns an
 * O_PATH fd of the file reached, or -errno (the caller then lets the
 * kernel give its own answer).
 */
static int walk_path(struct sb_call *c, int dirfd, const char *path,
		     int flags, struct walk_seen *seen)
{
	char rest[2 * PATH_MAX], comp[SB_NAME_MAX + 1], target[PATH_MAX];
	autoclose int root = -1, cur = -1;
	const char *p = rest;
	int links = 0, n;
	bool trailing, want_dir = false;
	struct stat st;

	memset(seen, 0, sizeof(*seen));
	if (strlen(path) >= PATH_MAX)
		return -ENAMETOOLONG;
	if (!path[0])
		return -ENOENT;
	snprintf(rest, sizeof(rest), "%s", path);
	root = open_caller_link(c, "root");
	if (root < 0)
		return root;
	if (path[0] == '/') {
		cur = fcntl(root, F_DUPFD_CLOEXEC, 0);
	} else if (dirfd == AT_FDCWD) {
		cur = open_caller_link(c, "cwd");
	} else {
		cur = c->ops->get_file(c, dirfd);
		if (cur >= 0 && (fstat(cur, &st) < 0 || !S_ISDIR(st.st_mode)))
			return -ENOTDIR;
	}
	if (cur < 0)
		return cur;
	for (;;) {
		autoclose int next = -1;
		bool in_proc, proc_root, last;

		n = sb_path_next(&p, comp, sizeof(comp));
		if (n <= 0)
			break;
		last = sb_path_at_end(p);
		trailing = last && *p == '/';
		want_dir = trailing;
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			if (same_file(cur, root))
				continue; /* ".." of the root is the root */
			next = openat(cur, "..", O_PATH | O_CLOEXEC);
			if (next < 0)
				return neg_errno();
			close(cur);
			cur = steal_fd(&next);
			continue;
		}
		in_proc = proc_place(cur, &proc_root);
		if (proc_root) {
			enum sb_proc_self self = sb_proc_self_name(comp);
			pid_t tgid = c->ops->get_tgid(c);

			if (self != SB_PROC_OTHER && tgid < 0)
				return -ESRCH;
			if (self != SB_PROC_OTHER)
				snprintf(comp, sizeof(comp), "%d", (int)tgid);
			if (self == SB_PROC_THREAD_SELF) {
				char task[32];

				snprintf(task, sizeof(task), "task/%d",
					 (int)c->tid);
				n = sb_path_splice(rest, sizeof(rest), task, p);
				if (n < 0)
					return n;
				p = rest;
				last = false;
			}
		}
		next = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0)
			return neg_errno();
		if (fstat(next, &st) < 0)
			return neg_errno();
		if (!S_ISLNK(st.st_mode) ||
		    (last && !trailing && !(flags & WALK_FOLLOW))) {
			close(cur);
			cur = steal_fd(&next);
			continue;
		}
		if (++links > SB_MAX_LINKS)
			return -ELOOP;
		if (in_proc && !proc_root) {
			/* a magic link: the kernel's own jump, as for the
			 * caller (the link names a file, not a path) */
			close(next);
			next = openat(cur, comp, O_PATH | O_CLOEXEC);
			if (next < 0)
				return neg_errno();
			seen->magic = true;
			close(cur);
			cur = steal_fd(&next);
			continue;
		}
		seen->symlink = true;
		n = (int)readlinkat(next, "", target, sizeof(target) - 1);
		if (n < 0)
			return neg_errno();
		target[n] = '\0';
		n = sb_path_splice(rest, sizeof(rest), target, p);
		if (n < 0)
			return n;
		p = rest;
		if (target[0] == '/') {
			close(cur);
			cur = fcntl(root, F_DUPFD_CLOEXEC, 0);
			if (cur < 0)
				return neg_errno();
		}
	}
	if (n < 0)
		return n;
	if (fstat(cur, &st) < 0)
		return neg_errno();
	if (want_dir && !S_ISDIR(st.st_mode))
		return -ENOTDIR;
	return steal_fd(&cur);
}

/*
 * SB_CONTINUE for a path that reached no file of ours: where the transport
 * can, the kernel then reads the very string that was resolved.
 */
static struct sb_verdict continue_path(struct sb_call *c, unsigned int arg,
				       const char *path)
{
	if (c->emu->strict_fds && c->ops->pin_path_arg && path[0])
		(void)c->ops->pin_path_arg(c, arg, path);
	return sb_continue();
}

/*
 * The emulated file a path reaches for the caller, resolved as above:
 * 0 with f filled (f->fl O_PATH), or -1 (not ours, or the walk failed: the
 * kernel answers).
 */
static int efile_walk(struct sb_call *c, int dirfd, uint64_t addr,
		      int flags, struct efile *f, struct walk_seen *seen,
		      char path[PATH_MAX])
{
	ssize_t n = c->ops->read_mem(c, addr, path, PATH_MAX);
	struct sb_inode_key k;

	f->fd = -1;
	f->e = f->layer = NULL;
	if (n <= 0 || !memchr(path, '\0', (size_t)n)) {
		path[0] = '\0';
		return -1; /* EFAULT, ENAMETOOLONG: the kernel's own */
	}
	f->fd = walk_path(c, dirfd, path, flags, seen);
	if (f->fd < 0 || fstat(f->fd, &f->st) < 0 ||
	    !dev_may_hold(c->emu, (uint64_t)f->st.st_dev))
		return -1;
	f->fl = O_PATH;
	k = key_of(f->fd, &f->st);
	sort_entry(f, sb_registry_lookup(&c->emu->reg, &k));
	return f->e || f->layer ? 0 : -1;
}

/* The emulated file a path names, or NULL (f->fd stays -1). */
static int efile_from_path(struct sb_call *c, uint64_t addr, struct efile *f,
			   char *path, size_t len)
{
	ssize_t n = c->ops->read_mem(c, addr, path, len);
	pid_t pid = 0;
	int fd;

	f->fd = -1;
	f->e = f->layer = NULL;
	if (n <= 0 || !memchr(path, '\0', (size_t)n))
		return -1; /* let the kernel give its own error */
	fd = sb_proc_fd_path(path, 0, &pid);
	if (fd < 0)
		return -1;
	if (pid == 0 || pid == c->tid || pid == c->ops->get_tgid(c)) {
		if (efile_get(c, (uint64_t)fd, f) < 0)
			return -1;
	} else {
		char other[64];
		struct sb_inode_key k;

		snprintf(other, sizeof(other), "/proc/%d/fd/%d", (int)pid, fd);
		f->fd = open(other, O_PATH | O_CLOEXEC);
		if (f->fd < 0 || fstat(f->fd, &f->st) < 0)
			return -1;
		k = key_of(f->fd, &f->st);
		sort_entry(f, sb_registry_lookup(&c->emu->reg, &k));
		f->fl = O_PATH;
	}
	return f->e ? 0 : -1;
}

/* The caller's file-system credentials, from /proc/TID/status. */
struct creds {
	unsigned int fsuid, fsgid;
	unsigned int groups[64];
	size_t ngroups;
	uint64_t cap_eff;
};

#define CAP_BIT(n) (1ULL << (n))
#define SB_CAP_DAC_OVERRIDE 1
#define SB_CAP_DAC_READ_SEARCH 2
#define SB_CAP_FOWNER 3
#define SB_CAP_FSETID 4

/* /proc/TID/WHAT, or /proc/thread-self/WHAT for tid 0 (our own) */
static void tid_proc_path(char *buf, size_t size, pid_t tid, const char *what)
{
	if (tid)
		snprintf(buf, size, "/proc/%d/%s", (int)tid, what);
	else
		snprintf(buf, size, "/proc/thread-self/%s", what);
}

/* The credentials of thread tid (0: our own) that the kernel judges file
 * access and chmod by, from /proc. */
static int creds_of(pid_t tid, struct creds *cr)
{
	char path[64], line[1024];
	unsigned int ids[4];
	unsigned long long caps;
	FILE *fp;
	bool uid = false, gid = false;

	memset(cr, 0, sizeof(*cr));
	tid_proc_path(path, sizeof(path), tid, "status");
	fp = fopen(path, "re");
	if (!fp)
		return -ESRCH;
	while (fgets(line, sizeof(line), fp)) {
		if (sscanf(line, "Uid: %u %u %u %u", &ids[0], &ids[1], &ids[2],
			   &ids[3]) == 4) {
			cr->fsuid = ids[3];
			uid = true;
		} else if (sscanf(line, "Gid: %u %u %u %u", &ids[0], &ids[1],
				  &ids[2], &ids[3]) == 4) {
			cr->fsgid = ids[3];
			gid = true;
		} else if (strncmp(line, "Groups:", 7) == 0) {
			char *q = line + 7, *end;

			while (cr->ngroups < SB_ARRAY_SIZE(cr->groups)) {
				unsigned long g = strtoul(q, &end, 10);

				if (end == q)
					break;
				cr->groups[cr->ngroups++] = (unsigned int)g;
				q = end;
			}
		} else if (sscanf(line, "CapEff: %llx", &caps) == 1) {
			cr->cap_eff = caps;
		}
	}
	fclose(fp);
	return uid && gid ? 0 : -ESRCH;
}

static int caller_creds(struct sb_call *c, struct creds *cr)
{
	return creds_of(c->tid, cr);
}

/*
 * Where the kernel judges a chmod by: ids, groups, the two capabilities
 * chmod asks for, the user namespace, the LSM label.
 */
struct chmod_ctx {
	struct creds cr;
	struct stat userns;
	char label[256];
	ssize_t label_len; /* -errno when there is none to read */
};

static int chmod_ctx_of(pid_t tid, struct chmod_ctx *x)
{
	char path[64];
	int fd, err;

	memset(x, 0, sizeof(*x));
	err = creds_of(tid, &x->cr);
	if (err < 0)
		return err;
	x->cr.cap_eff &= CAP_BIT(SB_CAP_FOWNER) | CAP_BIT(SB_CAP_FSETID);
	tid_proc_path(path, sizeof(path), tid, "ns/user");
	if (stat(path, &x->userns) < 0)
		return -ESRCH;
	tid_proc_path(path, sizeof(path), tid, "attr/current");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		x->label_len = -errno;
	} else {
		x->label_len = read(fd, x->label, sizeof(x->label));
		if (x->label_len < 0)
			x->label_len = -errno;
		close(fd);
	}
	return 0;
}

static bool same_groups(const struct creds *a, const struct creds *b)
{
	if (a->ngroups != b->ngroups)
		return false;
	for (size_t i = 0; i < a->ngroups; i++) {
		size_t j = 0;

		while (j < b->ngroups && b->groups[j] != a->groups[i])
			j++;
		if (j == b->ngroups)
			return false;
	}
	return true;
}

/*
 * Would the kernel judge a chmod by the caller exactly as one by us? Then
 * sealbox can make a chmod of a file that is not its own itself, on the
 * very file it looked at, instead of letting the call through after the
 * look (a dup2 onto the number, or a path changed in between, could land
 * it on a file sealed with F_SEAL_EXEC). The usual case: sealbox run by
 * the user whose program it runs.
 */
static bool chmod_judged_as_us(struct sb_call *c)
{
	static struct chmod_ctx self;
	static int self_ok = -1;
	struct chmod_ctx x;

	if (self_ok < 0)
		self_ok = chmod_ctx_of(0, &self) == 0;
	if (!self_ok || chmod_ctx_of(c->tid, &x) < 0)
		return false;
	return x.cr.fsuid == self.cr.fsuid && x.cr.fsgid == self.cr.fsgid &&
	       x.cr.cap_eff == self.cr.cap_eff &&
	       same_groups(&x.cr, &self.cr) &&
	       x.userns.st_dev == self.userns.st_dev &&
	       x.userns.st_ino == self.userns.st_ino &&
	       x.label_len == self.label_len &&
	       (x.label_len <= 0 ||
		memcmp(x.label, self.label, (size_t)x.label_len) == 0);
}

static bool in_group(const struct creds *cr, gid_t gid)
{
	if (cr->fsgid == gid)
		return true;
	for (size_t i = 0; i < cr->ngroups; i++)
		if (cr->groups[i] == gid)
			return true;
	return false;
}

/* May the caller open a file of this mode for this access? (The caller's
 * credentials, as an open through /proc checks them against the inode.) */
static int may_open(struct sb_call *c, const struct stat *st, int acc)
{
	struct creds cr;
	mode_t bits;
	int err = caller_creds(c, &cr);

	if (err < 0)
		return err;
	if (cr.cap_eff & CAP_BIT(SB_CAP_DAC_OVERRIDE))
		return 0;
	if (cr.fsuid == st->st_uid)
		bits = (st->st_mode >> 6) & 07;
	else if (in_group(&cr, st->st_gid))
		bits = (st->st_mode >> 3) & 07;
	else
		bits = st->st_mode & 07;
	if ((acc == O_RDONLY || acc == O_RDWR) && !(bits & 04))
		return -EACCES;
	if ((acc == O_WRONLY || acc == O_RDWR) && !(bits & 02))
		return -EACCES;
	return 0;
}

/* Our own path to the file behind one of our fds (an O_PATH one too). */
static void self_path(char *buf, size_t size, int fd)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
}

/*
 * The caller's open of an emulated file, made here: the seal decided on
 * the very file opened, and no second look at the path by the kernel.
 */
static struct sb_verdict reopen(struct sb_call *c, struct efile *f, int flags)
{
	int acc = flags & O_ACCMODE;
	char self[64];
	autoclose int fd = -1;
	int err;

	/*
	 * O_PATH ignores O_TRUNC, O_DIRECTORY fails on a memfd and
	 * O_CREAT|O_EXCL on any file that exists: none of them can truncate,
	 * whatever the kernel's own walk finds, so the kernel answers.
	 */
	if (flags & O_PATH)
		return sb_continue();
	if ((flags & O_DIRECTORY) || ((flags & O_CREAT) && (flags & O_EXCL)))
		return sb_continue();
	err = may_open(c, &f->st, acc);
	if (err < 0)
		return sb_return(err);
	/* even O_RDONLY|O_TRUNC truncates, so SHRINK refuses it */
	if (flags & O_TRUNC) {
		err = seals_check_open_trunc(f->e->seals, f->st.st_size);
		if (err < 0)
			return sb_return(err);
	}
	/* a new open file of the same inode, as the caller's open makes */
	self_path(self, sizeof(self), f->fd);
	fd = open(self, (flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_CLOEXEC |
				   O_NOFOLLOW)) | O_CLOEXEC);
	if (fd < 0)
		return sb_return(neg_errno());
	/* strict rules check an alias wherever it is: the kernel's number */
	return dup_into_range(c, &(struct efile){ .fd = fd }, -1,
			      c->emu->strict_fds ? 0 : c->emu->fd_base,
			      flags & O_CLOEXEC);
}

#ifndef RESOLVE_NO_XDEV
#define RESOLVE_NO_XDEV 0x01
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS 0x04
#define RESOLVE_BENEATH 0x08
#define RESOLVE_IN_ROOT 0x10
#endif

static struct sb_verdict h_open(struct sb_call *c)
{
	auto_efile struct efile f = { .fd = -1 };
	struct walk_seen seen;
	char path[PATH_MAX];
	uint64_t addr, flags, resolve = 0;
	unsigned int arg = 1;
	int dirfd = AT_FDCWD;

	switch (c->nr) {
	case __NR_open:
		arg = 0;
		addr = c->args[0];
		flags = c->args[1];
		break;
	case __NR_creat:
		arg = 0;
		addr = c->args[0];
		flags = O_CREAT | O_WRONLY | O_TRUNC;
		break;
	case __NR_openat2: {
		uint64_t how[3];

		if (c->args[3] < sizeof(how) ||
		    c->ops->read_mem(c, c->args[2], how, sizeof(how)) <
		    (ssize_t)sizeof(how))
			return sb_continue();
		dirfd = (int)c->args[0];
		addr = c->args[1];
		flags = how[0];
		resolve = how[2];
		break;
	}
	default: /* openat */
		dirfd = (int)c->args[0];
		addr = c->args[1];
		flags = c->args[2];
		break;
	}
	/* strict rules check every later use of a new fd: only a
	 * truncation needs deciding now */
	if (c->emu->strict_fds && !(flags & O_TRUNC))
		return sb_continue();
	if (efile_walk(c, dirfd, addr, (flags & O_NOFOLLOW) ? 0 : WALK_FOLLOW,
		       &f, &seen, path) < 0 || !f.e)
		return continue_path(c, arg, path);
	/*
	 * openat2 refuses magic links under any of these (and symlinks under
	 * NO_SYMLINKS), whatever the path holds by the time the kernel
	 * walks it: its own error is the answer.
	 */
	if ((resolve & (RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS |
			RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH |
			RESOLVE_IN_ROOT)) && seen.magic)
		return sb_continue();
	if ((resolve & RESOLVE_NO_SYMLINKS) && seen.symlink)
		return sb_continue();
	return reopen(c, &f, (int)flags);
}

#ifndef MAX_HANDLE_SZ
#define MAX_HANDLE_SZ 128
#endif

/*
 * open_by_handle_at: the handle copied once and opened here (O_PATH); an
 * emulated file is then opened as by a path, with CAP_DAC_READ_SEARCH as
 * the kernel asks of the caller.
 */
static struct sb_verdict h_open_by_handle(struct sb_call *c)
{
	auto_efile struct efile f = { .fd = -1 };
	union {
		struct file_handle fh;
		unsigned char raw[sizeof(struct file_handle) + MAX_HANDLE_SZ];
	} h;
	int flags = (int)c->args[2];
	autoclose int mnt = -1;
	struct sb_inode_key k;
	struct creds cr;
	size_t len;
	int err;

	if (c->emu->strict_fds && !(flags & O_TRUNC))
		return sb_continue();
	if (c->ops->read_mem(c, c->args[1], &h.fh, sizeof(h.fh)) <
	    (ssize_t)sizeof(h.fh))
		return sb_continue();
	len = h.fh.handle_bytes;
	if (len == 0 || len > MAX_HANDLE_SZ ||
	    c->ops->read_mem(c, c->args[1] + sizeof(h.fh), h.raw + sizeof(h.fh),
			     len) < (ssize_t)len)
		return sb_continue(); /* the kernel's EINVAL or EFAULT */
	mnt = (int)c->args[0] == AT_FDCWD ? open_caller_link(c, "cwd") :
	      c->ops->get_file(c, (int)c->args[0]);
	if (mnt < 0)
		return sb_continue();
	f.fd = open_by_handle_at(mnt, &h.fh, O_PATH | O_CLOEXEC);
	if (f.fd < 0 || fstat(f.fd, &f.st) < 0 ||
	    !dev_may_hold(c->emu, (uint64_t)f.st.st_dev))
		return sb_continue();
	f.fl = O_PATH;
	k = key_of(f.fd, &f.st);
	sort_entry(&f, sb_registry_lookup(&c->emu->reg, &k));
	if (!f.e)
		return sb_continue();
	err = caller_creds(c, &cr);
	if (err < 0)
		return sb_return(err);
	if (!(cr.cap_eff & CAP_BIT(SB_CAP_DAC_READ_SEARCH)))
		return sb_return(-EPERM);
	return reopen(c, &f, flags);
}

static struct sb_verdict h_truncate(struct sb_call *c)
{
	auto_efile struct efile f = { .fd = -1 };
	struct walk_seen seen;
	char self[64], path[PATH_MAX];
	int64_t len = (int64_t)c->args[1];
	autoclose int fd = -1;
	int err;

	if (efile_walk(c, AT_FDCWD, c->args[0], WALK_FOLLOW, &f, &seen,
		       path) < 0 || !f.e)
		return continue_path(c, 0, path);
	if (len < 0)
		return sb_return(-EINVAL);
	err = may_open(c, &f.st, O_WRONLY);
	if (err < 0)
		return sb_return(err);
	err = seals_check_truncate(f.e->seals, f.st.st_size, len);
	if (err < 0)
		return sb_return(err);
	/* on the file the walk reached, not on the path again */
	self_path(self, sizeof(self), f.fd);
	fd = open(self, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return sb_return(neg_errno());
	return sb_return(ftruncate(fd, len) < 0 ? neg_errno() : 0);
}

/*
 * chmod of an emulated file (or one whose F_SEAL_EXEC is ours), made here
 * once the seals allow it: with the caller's rights, not the supervisor's
 * (owner or CAP_FOWNER; set-group-ID dropped as the kernel drops it).
 */
static struct sb_verdict chmod_file(struct sb_call *c, struct efile *f,
				    mode_t mode)
{
	const struct sb_inode_entry *e = f->e ? f->e : f->layer;
	char self[64];
	struct creds cr;
	int err;

	if (!e)
		return sb_continue();
	err = seals_check_chmod(e->seals, is_hugetlb(e), f->st.st_mode & 07777,
				mode & 07777);
	if (err < 0)
		return sb_return(err);
	err = caller_creds(c, &cr);
	if (err < 0)
		return sb_return(err);
	if (cr.fsuid != f->st.st_uid && !(cr.cap_eff & CAP_BIT(SB_CAP_FOWNER)))
		return sb_return(-EPERM);
	mode &= 07777;
	if ((mode & S_ISGID) && !in_group(&cr, f->st.st_gid) &&
	    !(cr.cap_eff & CAP_BIT(SB_CAP_FSETID)))
		mode &= ~(mode_t)S_ISGID;
	self_path(self, sizeof(self), f->fd);
	return sb_return(chmod(self, mode) < 0 ? neg_errno() : 0);
}

#ifndef AT_SYMLINK_NOFOLLOW
#define AT_SYMLINK_NOFOLLOW 0x100
#endif

/*
 * fchmod (or fchmodat2 with AT_EMPTY_PATH) of a file that is not ours:
 * made here, on the very file looked at, where the kernel would judge the
 * caller as us; else let through, where a dup2 in between could land it
 * on a file sealed with F_SEAL_EXEC (sealbox.1, LIMITATIONS).
 */
static struct sb_verdict fchmod_elsewhere(struct sb_call *c, struct efile *f,
					  mode_t mode)
{
	if (f->fd >= 0 && chmod_judged_as_us(c))
		return sb_return(fchmod(f->fd, mode) < 0 ? neg_errno() : 0);
	return continue_pinned(c, 0, f);
}

/*
 * A chmod path that reached no file of ours (f->fd >= 0), or whose walk
 * failed (f->fd the walk's -errno, -1 for a string not read). Where the
 * kernel would judge the caller as us, the chmod is made here on the file
 * the walk reached, and a path that names nothing gets the walk's ENOENT
 * or ENOTDIR: the kernel never reads the string again, so one rewritten
 * meanwhile (a torn read of it included) cannot land on a sealed file.
 * A symlink itself (AT_SYMLINK_NOFOLLOW) is the kernel's to answer.
 */
static struct sb_verdict chmod_elsewhere(struct sb_call *c, struct efile *f,
					 unsigned int arg, const char *path,
					 mode_t mode)
{
	char self[64];

	if (f->fd >= 0 && !S_ISLNK(f->st.st_mode) && chmod_judged_as_us(c)) {
		self_path(self, sizeof(self), f->fd);
		return sb_return(chmod(self, mode) < 0 ? neg_errno() : 0);
	}
	if ((f->fd == -ENOENT || f->fd == -ENOTDIR) && path[0] &&
	    chmod_judged_as_us(c))
		return sb_return(f->fd);
	return continue_path(c, arg, path);
}

static struct sb_verdict h_chmod(struct sb_call *c)
{
	auto_efile struct efile f = { .fd = -1 };
	struct walk_seen seen;
	char first, path[PATH_MAX];
	mode_t mode;
	int err;

	switch (c->nr) {
	case __NR_fchmod:
		err = efile_get(c, c->args[0], &f);
		if (err < 0)
			return sb_return(err);
		if (f.fl & O_PATH)
			return sb_return(-EBADF);
		if (!f.e && !f.layer)
			return fchmod_elsewhere(c, &f, (mode_t)c->args[1]);
		return chmod_file(c, &f, (mode_t)c->args[1]);
	case __NR_chmod:
		if (efile_walk(c, AT_FDCWD, c->args[0], WALK_FOLLOW, &f,
			       &seen, path) < 0)
			return chmod_elsewhere(c, &f, 0, path,
					       (mode_t)c->args[1]);
		return chmod_file(c, &f, (mode_t)c->args[1]);
	default: /* fchmodat, fchmodat2 */
		mode = (mode_t)c->args[2];
		/* the kernel's first check, before the path is read */
		if (c->nr != __NR_fchmodat &&
		    (c->args[3] & ~(uint64_t)(AT_SYMLINK_NOFOLLOW |
					      AT_EMPTY_PATH)))
			return sb_return(-EINVAL);
		if (c->nr != __NR_fchmodat && (c->args[3] & AT_EMPTY_PATH) &&
		    c->ops->read_mem(c, c->args[1], &first, 1) == 1 &&
		    first == '\0') {
			/* fchmodat2(fd, "", mode, AT_EMPTY_PATH): the fd itself */
			err = efile_get(c, c->args[0], &f);
			if (err < 0)
				return sb_return(err);
			if (!f.e && !f.layer)
				return fchmod_elsewhere(c, &f, mode);
			return chmod_file(c, &f, mode);
		}
		if (efile_walk(c, (int)c->args[0], c->args[1],
			       c->nr != __NR_fchmodat &&
			       (c->args[3] & AT_SYMLINK_NOFOLLOW) ? 0 :
			       WALK_FOLLOW, &f, &seen, path) < 0)
			return chmod_elsewhere(c, &f, 1, path, mode);
		return chmod_file(c, &f, mode);
	}
}

/*
 * readlink("/proc/self/fd/N") of an emulated memfd reads
 * "/memfd:NAME (deleted)", as for a kernel memfd, when the backing file
 * itself cannot show that (tmpfile and unlinked strategies).
 */
static struct sb_verdict h_readlink(struct sb_call *c)
{
	auto_efile struct efile f = { .fd = -1 };
	char path[PATH_MAX], text[MEMFD_NAME_READ + 32];
	bool at = c->nr == __NR_readlinkat;
	uint64_t buf = c->args[at ? 2 : 1], size = c->args[at ? 3 : 2];
	size_t len;

	if (efile_from_path(c, c->args[at ? 1 : 0], &f, path,
			    sizeof(path)) < 0 || !f.e->name)
		return sb_continue();
	if ((int64_t)size <= 0)
		return sb_return(-EINVAL);
	len = (size_t)snprintf(text, sizeof(text), "/" MEMFD_NAME_PREFIX
			       "%s (deleted)", f.e->name);
	if (len > size)
		len = (size_t)size; /* readlink truncates silently */
	if (c->ops->write_mem(c, buf, text, len) < 0)
		return sb_return(-EFAULT);
	return sb_return((int64_t)len);
}

/* ---- exec of an emulated file on a tmpfs backing ------------------------ */

#ifndef KCMP_FILE
#define KCMP_FILE 0
#endif

/* Is this fd of process tgid open for writing (its fdinfo flags)? */
static bool fd_writable(pid_t tgid, int fd)
{
	char path[64], text[256];
	autoclose int in = -1;
	unsigned int flags;
	const char *p;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)tgid, fd);
	in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return false;
	n = read(in, text, sizeof(text) - 1);
	if (n <= 0)
		return false;
	text[n] = '\0';
	p = strstr(text, "flags:");
	return p && sscanf(p + 6, "%o", &flags) == 1 && fl_writable((int)flags);
}

struct writable_ctx {
	int seen[8];
	int nseen, most;
};

static int count_writable_open(pid_t tgid, int fd, void *ctx)
{
	struct writable_ctx *wc = ctx;
	int i;

	if (!fd_writable(tgid, fd))
		return 0;
	for (i = 0; i < wc->nseen; i++) {
		long r = syscall(SYS_kcmp, tgid, tgid, KCMP_FILE, wc->seen[i],
				 fd);

		if (r != 1 && r != 2)
			break; /* the same open file (or no kcmp) */
	}
	if (i == wc->nseen)
		wc->seen[wc->nseen++] = fd;
	return wc->nseen >= wc->most;
}

/*
 * How many open files (descriptions, not descriptors: a dup is the same
 * one) process tgid holds writable on the inode of st, up to `most`.
 */
static int writable_opens(pid_t tgid, const struct stat *st, int most)
{
	struct writable_ctx wc = { .nseen = 0, .most = most };

	if (wc.most > (int)SB_ARRAY_SIZE(wc.seen))
		wc.most = (int)SB_ARRAY_SIZE(wc.seen);
	(void)each_fd_on(tgid, (uint64_t)st->st_dev, (uint64_t)st->st_ino,
			 count_writable_open, &wc);
	return wc.nseen;
}

/*
 * A read-only copy of f's file: same content, mode, owner and name, on the
 * backing store, with no writer left (the file the new program runs).
 */
static int exec_copy(struct sb_emulator *emu, const struct efile *f)
{
	char self[64], buf[65536];
	autoclose int src = -1, rw = -1;
	off_t off = 0;
	ssize_t n;
	int ro;

	self_path(self, sizeof(self), f->fd);
	src = open(self, O_RDONLY | O_CLOEXEC);
	if (src < 0)
		return neg_errno();
	rw = sb_backing_create(&emu->backing, f->e->name ? f->e->name : "",
			       f->st.st_mode & 07777);
	if (rw < 0)
		return rw;
	while ((n = pread(src, buf, sizeof(buf), off)) > 0) {
		if (write(rw, buf, (size_t)n) != n)
			return -ENOMEM;
		off += n;
	}
	if (n < 0)
		return neg_errno();
	/* the mode as it is now (the store applies a umask-free mode, but
	 * say it once more), and the owner where ours differs */
	(void)fchmod(rw, f->st.st_mode & 07777);
	(void)fchown(rw, f->st.st_uid, f->st.st_gid);
	self_path(self, sizeof(self), rw);
	ro = open(self, O_RDONLY | O_CLOEXEC);
	return ro < 0 ? neg_errno() : ro;
}

/*
 * execve/execveat of an emulated memfd on a tmpfs backing (where only the
 * ptrace transport can help: swap_fd). A memfd's own open file is not a
 * writer, so a program may exec the memfd it wrote (fexecve); the open of
 * a tmpfs file that stands in for it is one, and the kernel would say
 * ETXTBSY. So the call runs with the caller's fd N swapped for a read-only
 * copy (same content, mode and name), and N gets its file back when the
 * call returns (or after the exec, where N survives it). ETXTBSY is then
 * ours to give, where the kernel would: another writable open of the file
 * in the caller besides the memfd's own (say, an O_RDWR reopen).
 */
static struct sb_verdict h_exec(struct sb_call *c)
{
	auto_efile struct efile f = { .fd = -1 };
	bool at = c->nr == __NR_execveat;
	uint64_t flags = at ? c->args[4] : 0;
	char path[PATH_MAX];
	pid_t pid = 0, tgid;
	ssize_t n;
	int fd, copy, err;

	if (!c->ops->swap_fd)
		return sb_continue();
	n = c->ops->read_mem(c, c->args[at ? 1 : 0], path, sizeof(path));
	if (n <= 0 || !memchr(path, '\0', (size_t)n))
		return sb_continue(); /* EFAULT, ENAMETOOLONG: the kernel's */
	if (at && path[0] == '\0' && (flags & AT_EMPTY_PATH))
		fd = (int)c->args[0];
	else if ((path[0] == '/' || !at || (int)c->args[0] == AT_FDCWD) &&
		 (fd = sb_proc_fd_path(path, 0, &pid)) >= 0 &&
		 (pid == 0 || pid == c->tid || pid == c->ops->get_tgid(c)))
		; /* /proc/self/fd/N, /dev/fd/N: the caller's fd N */
	else
		return sb_continue();
	if (efile_get(c, (uint64_t)(unsigned int)fd, &f) < 0 || !f.e ||
	    (f.fl & O_PATH) || !S_ISREG(f.st.st_mode) || is_hugetlb(f.e) ||
	    c->emu->backing.kind == SB_BACKING_MEMFD)
		return sb_continue();
	/* not executable at all: the kernel's EACCES comes before ETXTBSY */
	if (!(f.st.st_mode & 0111))
		return sb_continue();
	tgid = c->ops->get_tgid(c);
	if (tgid > 0 && writable_opens(tgid, &f.st, 2) >= 2)
		return sb_return(-ETXTBSY);
	copy = exec_copy(c->emu, &f);
	if (copy < 0)
		return sb_continue(); /* the kernel's ETXTBSY, as before */
	err = c->ops->swap_fd(c, fd, copy);
	close(copy);
	(void)err; /* failed: the call runs on its own file (ETXTBSY) */
	return sb_continue();
}

/* ---- the table --------------------------------------------------------- */

#define RULE1(a0, op0, x0, y0) \
	{ 1, { { a0, op0, x0, y0 } } }
#define RULE2(a0, op0, x0, y0, a1, op1, x1, y1) \
	{ 2, { { a0, op0, x0, y0 }, { a1, op1, x1, y1 } } }
#define FD_IN_RANGE(arg) RULE1(arg, SB_CMP_GE_FD_BASE, 0, 0)

static const struct sb_handler handlers[] = {
	{ "memfd_create", h_memfd_create, SB_WHEN_MEMFD, 0, 0, { { 0 } } },
	{ "memfd_create", h_memfd_create, SB_WHEN_MEMFD_EXEC_FLAGS, 0, 2, {
		RULE1(1, SB_CMP_MASKED_EQ, MFD_NOEXEC_SEAL, MFD_NOEXEC_SEAL),
		RULE1(1, SB_CMP_MASKED_EQ, MFD_EXEC, MFD_EXEC) } },
	{ "fcntl", h_fcntl, SB_WHEN_SEALS, 0, 2, {
		RULE1(1, SB_CMP_MASKED_EQ, 0xffffffffU, F_ADD_SEALS),
		RULE1(1, SB_CMP_MASKED_EQ, 0xffffffffU, F_GET_SEALS) } },
	/*
	 * Names only compat entry points have (i386): the native filter
	 * skips them, the compat one fails them like their native twins.
	 */
	{ "fcntl64", h_fcntl, SB_WHEN_SEALS, 0, 2, {
		RULE1(1, SB_CMP_MASKED_EQ, 0xffffffffU, F_ADD_SEALS),
		RULE1(1, SB_CMP_MASKED_EQ, 0xffffffffU, F_GET_SEALS) } },
	{ "fcntl64", h_fcntl, SB_WHEN_FILES_RANGE, 0, 2, {
		RULE2(0, SB_CMP_GE_FD_BASE, 0, 0,
		      1, SB_CMP_MASKED_EQ, 0xffffffffU, F_DUPFD),
		RULE2(0, SB_CMP_GE_FD_BASE, 0, 0,
		      1, SB_CMP_MASKED_EQ, 0xffffffffU, F_DUPFD_CLOEXEC) } },
	{ "ftruncate64", h_ftruncate, SB_WHEN_FILES, 0, 1, { FD_IN_RANGE(0) } },
	{ "truncate64", h_truncate, SB_WHEN_FILES, 0, 0, { { 0 } } },
	{ "sendfile64", h_copy_into, SB_WHEN_FILES, 0, 1, { FD_IN_RANGE(0) } },
	{ "mmap2", h_mmap, SB_WHEN_FILES, 0, 1, {
		RULE2(4, SB_CMP_GE_FD_BASE, 0, 0,
		      3, SB_CMP_MASKED_EQ, MAP_SHARED | MAP_ANONYMOUS,
		      MAP_SHARED) } },
	/* aliases of emulated memfds stay in the range (not strict) */
	{ "fcntl", h_fcntl, SB_WHEN_FILES_RANGE, 0, 2, {
		RULE2(0, SB_CMP_GE_FD_BASE, 0, 0,
		      1, SB_CMP_MASKED_EQ, 0xffffffffU, F_DUPFD),
		RULE2(0, SB_CMP_GE_FD_BASE, 0, 0,
		      1, SB_CMP_MASKED_EQ, 0xffffffffU, F_DUPFD_CLOEXEC) } },
	{ "dup", h_dup, SB_WHEN_FILES_RANGE, 0, 1, { FD_IN_RANGE(0) } },
	{ "dup2", h_dup, SB_WHEN_FILES_RANGE, 0, 1, { FD_IN_RANGE(0) } },
	{ "dup3", h_dup, SB_WHEN_FILES_RANGE, 0, 1, { FD_IN_RANGE(0) } },
	{ "ftruncate", h_ftruncate, SB_WHEN_FILES, 0, 1, { FD_IN_RANGE(0) } },
	{ "fallocate", h_fallocate, SB_WHEN_FILES, 0, 1, { FD_IN_RANGE(0) } },
	{ "write", h_write, SB_WHEN_FILES, 0, 1, { FD_IN_RANGE(0) } },
	{ "pwrite64", h_write, SB_WHEN_FILES, 0, 1, { FD_IN_RANGE(0) } },
	{ "writev", h_write, SB_WHEN_FILES, 0, 1, { FD_IN_RANGE(0) } },
	{ "pwritev", h_write, SB_WHEN_FILES, 0, 1, { FD_IN_RANGE(0) } },
	{ "pwritev2", h_write, SB_WHEN_FILES, 0, 1, { FD_IN_RANGE(0) } },
	{ "sendfile", h_copy_into, SB_WHEN_FILES, 0, 1, { FD_IN_RANGE(0) } },
	{ "splice", h_copy_into, SB_WHEN_FILES, 0, 1, { FD_IN_RANGE(2) } },
	{ "copy_file_range", h_copy_into, SB_WHEN_FILES, 0, 1,
	  { FD_IN_RANGE(2) } },
	/* shared file mappings (MAP_SHARED and MAP_SHARED_VALIDATE both
	 * have bit 0): a private one never writes the file */
	{ "mmap", h_mmap, SB_WHEN_FILES, 0, 1, {
		RULE2(4, SB_CMP_GE_FD_BASE, 0, 0,
		      3, SB_CMP_MASKED_EQ, MAP_SHARED | MAP_ANONYMOUS,
		      MAP_SHARED) }, true },
	{ "mprotect", h_mprotect, SB_WHEN_FILES, 0, 1, {
		RULE1(2, SB_CMP_MASKED_EQ, PROT_WRITE, PROT_WRITE) } },
	{ "pkey_mprotect", h_mprotect, SB_WHEN_FILES, 0, 1, {
		RULE1(2, SB_CMP_MASKED_EQ, PROT_WRITE, PROT_WRITE) } },
	{ "madvise", h_madvise, SB_WHEN_FILES, 0, 1, {
		RULE1(2, SB_CMP_MASKED_EQ, 0xffffffffU, MADV_REMOVE) } },
	/*
	 * Opens that truncate; and where fds stay in the range, opens that
	 * can write (a /proc/PID/fd/N reopen would give a writable alias
	 * outside it). Under strict rules such an alias is checked at use.
	 */
	{ "open", h_open, SB_WHEN_FILES, 0, 1, {
		RULE1(1, SB_CMP_MASKED_EQ, O_TRUNC, O_TRUNC) } },
	{ "open", h_open, SB_WHEN_FILES_RANGE, 0, 2, {
		RULE1(1, SB_CMP_MASKED_EQ, O_WRONLY, O_WRONLY),
		RULE1(1, SB_CMP_MASKED_EQ, O_RDWR, O_RDWR) } },
	{ "openat", h_open, SB_WHEN_FILES, 0, 1, {
		RULE1(2, SB_CMP_MASKED_EQ, O_TRUNC, O_TRUNC) } },
	{ "openat", h_open, SB_WHEN_FILES_RANGE, 0, 2, {
		RULE1(2, SB_CMP_MASKED_EQ, O_WRONLY, O_WRONLY),
		RULE1(2, SB_CMP_MASKED_EQ, O_RDWR, O_RDWR) } },
	{ "openat2", h_open, SB_WHEN_FILES, 0, 0, { { 0 } } },
	{ "open_by_handle_at", h_open_by_handle, SB_WHEN_FILES, 0, 1, {
		RULE1(2, SB_CMP_MASKED_EQ, O_TRUNC, O_TRUNC) } },
	{ "open_by_handle_at", h_open_by_handle, SB_WHEN_FILES_RANGE, 0, 2, {
		RULE1(2, SB_CMP_MASKED_EQ, O_WRONLY, O_WRONLY),
		RULE1(2, SB_CMP_MASKED_EQ, O_RDWR, O_RDWR) } },
	{ "creat", h_open, SB_WHEN_FILES, 0, 0, { { 0 } } },
	{ "truncate", h_truncate, SB_WHEN_FILES, 0, 0, { { 0 } } },
	{ "fchmod", h_chmod, SB_WHEN_EXEC_SEAL, 0, 0, { { 0 } } },
	{ "chmod", h_chmod, SB_WHEN_EXEC_SEAL, 0, 0, { { 0 } } },
	{ "fchmodat", h_chmod, SB_WHEN_EXEC_SEAL, 0, 0, { { 0 } } },
	{ "fchmodat2", h_chmod, SB_WHEN_EXEC_SEAL, 0, 0, { { 0 } } },
	{ "execve", h_exec, SB_WHEN_EXEC_COPY, 0, 0, { { 0 } } },
	{ "execveat", h_exec, SB_WHEN_EXEC_COPY, 0, 0, { { 0 } } },
	{ "readlink", h_readlink, SB_WHEN_NAMES, 0, 0, { { 0 } } },
	{ "readlinkat", h_readlink, SB_WHEN_NAMES, 0, 0, { { 0 } } },
	/* asynchronous writers sealbox cannot check: absent, as on an old
	 * kernel (io_uring 5.1, AIO's io_submit everywhere) */
	{ "io_uring_setup", NULL, SB_WHEN_ALL_MODE, ENOSYS, 0, { { 0 } } },
	{ "io_submit", NULL, SB_WHEN_ALL_MODE, ENOSYS, 0, { { 0 } } },
	/*
	 * userfaultfd fills holes of a shared mapping (UFFDIO_COPY) through
	 * no write access sealbox sees. Where sealbox alone holds the seals,
	 * absent as on a kernel without memfds (userfaultfd is 4.3, the
	 * /dev/userfaultfd ioctl 6.1).
	 */
	{ "userfaultfd", NULL, SB_WHEN_STRICT, ENOSYS, 0, { { 0 } } },
	{ "ioctl", NULL, SB_WHEN_STRICT, ENOTTY, 1, {
		RULE1(1, SB_CMP_MASKED_EQ, 0xffffffffU,
		      SB_USERFAULTFD_IOC_NEW) } },
};

const struct sb_handler *sb_handlers(size_t *count)
{
	*count = SB_ARRAY_SIZE(handlers);
	return handlers;
}

bool sb_handler_wanted(const struct sb_emulator *e, const struct sb_handler *h)
{
	/*
	 * The kernel holds the seals with the reproduced rules: only the
	 * creation of memfds is ours, and only where it must differ from the
	 * kernel's (an emulated vm.memfd_noexec policy). Else the kernel's
	 * own memfd_create, with its own checks in the same order, is the
	 * call memfd_kernel would let run (SB_CONTINUE) or answer with the
	 * same error, and a stop for it would only cost a round trip.
	 */
	if (e->kernel_enforces)
		return h->when == SB_WHEN_MEMFD && e->plan.intercept_memfd &&
		       !e->plan.layered_exec &&
		       e->plan.action[SB_F_MEMFD_NOEXEC_SYSCTL] != SB_NATIVE;
	switch (h->when) {
	case SB_WHEN_MEMFD:
		return e->plan.intercept_memfd && !e->plan.layered_exec;
	case SB_WHEN_MEMFD_EXEC_FLAGS:
		return e->plan.layered_exec;
	case SB_WHEN_EXEC_SEAL:
		return e->plan.emulated_files || e->plan.layered_exec;
	case SB_WHEN_SEALS:
		return e->plan.intercept_seals;
	case SB_WHEN_FILES:
		return e->plan.emulated_files;
	case SB_WHEN_FILES_RANGE:
		return e->plan.emulated_files && !e->strict_fds;
	case SB_WHEN_STRICT:
		return e->strict_fds;
	case SB_WHEN_EXEC_COPY:
		return e->strict_fds && e->exec_copies &&
		       e->backing.kind != SB_BACKING_MEMFD;
	case SB_WHEN_ALL_MODE:
		return e->plan.emulated_files &&
		       e->plan.action[SB_F_MEMFD_CREATE] == SB_EMULATED;
	case SB_WHEN_NAMES:
		/* a detached store shows "/memfd:NAME" itself, but a '/' in
		 * NAME cannot be in a file name: readlink answers from the
		 * registry there too */
		return e->plan.emulated_files &&
		       (e->backing.kind == SB_BACKING_TMPFILE ||
			e->backing.kind == SB_BACKING_UNLINKED ||
			e->backing.kind == SB_BACKING_DETACHED);
	}
	return false;
}

int sb_handler_filter_errno(const struct sb_emulator *e,
			    const struct sb_handler *h)
{
	if (!h->fn)
		return h->err;
	/* before 3.17 the call does not exist, whatever its arguments */
	if (h->fn == h_memfd_create && !e->plan.memfd.have_memfd)
		return ENOSYS;
	return 0;
}

/* syscall number -> handler, filled by sb_emulator_resolve() */
#define MAX_NR 1024
static struct sb_verdict (*by_nr[MAX_NR])(struct sb_call *c);

int sb_emulator_resolve(void)
{
	for (size_t i = 0; i < SB_ARRAY_SIZE(handlers); i++) {
		int nr = seccomp_syscall_resolve_name(handlers[i].syscall);

		if (nr < 0 || nr >= MAX_NR || !handlers[i].fn)
			continue; /* unknown to this libseccomp: not filtered */
		by_nr[nr] = handlers[i].fn;
	}
	return 0;
}

struct sb_verdict sb_emulator_dispatch(struct sb_call *c)
{
	c->replied = false;
	if (c->nr < 0 || c->nr >= MAX_NR || !by_nr[c->nr])
		return sb_continue();
	return by_nr[c->nr](c);
}

/*
 * Can the kernel enforce every seal the reproduced kernel knows, with the
 * same rules? Then sealbox's own files are kernel memfds carrying the same
 * seals and nothing but the memfd API needs a supervisor.
 */
static bool kernel_can_enforce(const struct sb_emulator *e)
{
	const struct sb_plan *p = &e->plan;

	return p->emulated_files && !p->enforce_user &&
	       e->backing.kind == SB_BACKING_MEMFD &&
	       (p->seal.known & ~e->native_seals) == 0 &&
	       p->seal.map_ro_under_write == e->native_map_ro &&
	       p->seal.map_ro_under_write && !p->seal.type_check_first &&
	       p->seal.arg_int == e->native_arg_int &&
	       p->memfd.have_exec == e->native_exec_flags;
}

/*
 * Does every emulated file carry, in the kernel, each seal that limits what
 * an fd can do (write, size)? Then an alias sealbox does not see is still
 * held by the kernel, and fd-based calls need checking only in the range.
 */
static bool mirror_covers(const struct sb_emulator *e)
{
	const unsigned int fd_seals = F_SEAL_SHRINK | F_SEAL_GROW |
				      F_SEAL_WRITE | F_SEAL_FUTURE_WRITE;

	return e->backing.kind == SB_BACKING_MEMFD &&
	       (e->plan.seal.known & fd_seals & ~e->native_seals) == 0;
}

/* What the kernel itself can do with seals, from the probed features. */
static void set_natives(struct sb_emulator *e, const struct sb_features *fs)
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

	for (size_t i = 0; i < SB_ARRAY_SIZE(natives); i++)
		if (sb_features_has(fs, natives[i].f))
			e->native_seals |= natives[i].bit;
	e->native_map_ro = sb_features_has(fs, SB_F_MAP_RO_UNDER_WRITE);
	e->native_arg_int = sb_features_has(fs, SB_F_SEALS_ARG_INT);
	e->native_exec_flags = sb_features_has(fs, SB_F_MFD_NOEXEC_SEAL) &&
			       sb_features_has(fs, SB_F_MFD_EXEC);
}

/* Who holds the seals, once the plan, the natives and the store are set. */
static void set_rules(struct sb_emulator *e)
{
	e->kernel_enforces = kernel_can_enforce(e);
	e->strict_fds = e->plan.emulated_files && !e->kernel_enforces &&
			!mirror_covers(e);
}

int sb_emulator_init(struct sb_emulator *e, const struct sb_plan *plan,
		     const struct sb_features *fs, enum sb_backing_kind backing,
		     int fd_base)
{
	int err;

	memset(e, 0, sizeof(*e));
	e->plan = *plan;
	e->fd_base = fd_base;
	set_natives(e, fs);
	e->reclaim_at = RECLAIM_MIN;
	e->live_fd = -1;
	e->live_ok = -1;
	e->backing.mnt_fd = e->backing.dir_fd = -1;
	err = sb_registry_init(&e->reg, 0);
	if (err < 0)
		return err;
	if (plan->emulated_files) {
		err = sb_backing_open(&e->backing, fs, backing, NULL);
		if (err < 0) {
			sb_registry_destroy(&e->reg);
			return err;
		}
	}
	set_rules(e);
	return sb_emulator_resolve();
}

bool sb_emulator_strict(const struct sb_plan *plan,
			const struct sb_features *fs,
			enum sb_backing_kind backing)
{
	struct sb_emulator *e = calloc(1, sizeof(*e));
	bool strict;

	if (!e)
		return false;
	e->plan = *plan;
	set_natives(e, fs);
	e->backing.kind = backing;
	set_rules(e);
	strict = e->strict_fds;
	free(e);
	return strict;
}

void sb_emulator_destroy(struct sb_emulator *e)
{
	struct sb_inode_entry *ent;
	size_t pos = 0;

	while ((ent = sb_registry_next(&e->reg, &pos)) != NULL)
		if (ent->pin_fd >= 0)
			close(ent->pin_fd);
	sb_registry_destroy(&e->reg);
	if (e->live_fd >= 0)
		close(e->live_fd);
	e->live_fd = -1;
	sb_backing_close(&e->backing);
}

/*
 * A write lease is granted only when no other open file counts as a writer
 * or reader of the inode. Some kernels do not count a memfd's own open file
 * (it is made without FMODE_WRITER), so a granted lease only makes an inode
 * a candidate; a look through /proc confirms it.
 */
static bool lease_free(int pin)
{
	if (fcntl(pin, F_SETLEASE, F_WRLCK) < 0)
		return false;
	fcntl(pin, F_SETLEASE, F_UNLCK);
	return true;
}

/* The candidates of one reclaim, sorted by (dev, ino) for the look-ups of
 * a scan of every fd and mapping of the system. */
struct live_ctx {
	struct sb_inode_key *keys;
	bool *alive;
	size_t n;
};

static int cmp_dev_ino(uint64_t dev_a, uint64_t ino_a, uint64_t dev_b,
		       uint64_t ino_b)
{
	if (dev_a != dev_b)
		return dev_a < dev_b ? -1 : 1;
	if (ino_a != ino_b)
		return ino_a < ino_b ? -1 : 1;
	return 0;
}

static int cmp_keys(const void *a, const void *b)
{
	const struct sb_inode_key *x = a, *y = b;

	return cmp_dev_ino(x->dev, x->ino, y->dev, y->ino);
}

/* Every candidate with this dev and ino (generations may differ). */
static void mark_alive(struct live_ctx *lc, uint64_t dev, uint64_t ino)
{
	size_t lo = 0, hi = lc->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_dev_ino(lc->keys[mid].dev, lc->keys[mid].ino, dev,
				ino) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < lc->n && lc->keys[lo].dev == dev &&
	       lc->keys[lo].ino == ino; lo++)
		lc->alive[lo] = true;
}

static int mark_mapped(const struct sb_mapping *m, void *ctx)
{
	mark_alive(ctx, m->dev, m->ino);
	return 0;
}

static void mark_fds(struct live_ctx *lc, DIR *fds)
{
	struct dirent *fe;

	while ((fe = readdir(fds)) != NULL) {
		struct stat st;

		if (fe->d_name[0] != '.' &&
		    fstatat(dirfd(fds), fe->d_name, &st, 0) == 0)
			mark_alive(lc, st.st_dev, st.st_ino);
	}
}

#ifndef KCMP_FILES
#define KCMP_FILES 2
#endif

/*
 * /proc/PID/fd is the thread group leader's table: a thread that
 * unshared its own (unshare(CLONE_FILES)) is looked at on its own. kcmp
 * tells which do; where it cannot (no kcmp), every thread is.
 */
static void scan_own_tables(struct live_ctx *lc, pid_t pid)
{
	char path[64];
	DIR *tasks, *fds;
	struct dirent *te;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	tasks = opendir(path);
	if (!tasks)
		return;
	while ((te = readdir(tasks)) != NULL) {
		char *end = NULL;
		long tid = strtol(te->d_name, &end, 10);

		if (tid <= 0 || *end || tid == pid ||
		    syscall(SYS_kcmp, pid, (pid_t)tid, KCMP_FILES, 0, 0) == 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%ld/fd", (int)pid,
			 tid);
		fds = opendir(path);
		if (fds) {
			mark_fds(lc, fds);
			closedir(fds);
		}
	}
	closedir(tasks);
}

/* Mark every candidate some other process has open or mapped. */
static void scan_holders(struct live_ctx *lc)
{
	DIR *proc = opendir("/proc");
	struct dirent *de;
	pid_t self = getpid();

	if (!proc) {
		for (size_t i = 0; i < lc->n; i++)
			lc->alive[i] = true; /* cannot tell: keep them all */
		return;
	}
	while ((de = readdir(proc)) != NULL) {
		char path[64];
		char *end = NULL;
		long pid = strtol(de->d_name, &end, 10);
		DIR *fds;

		if (pid <= 0 || *end || pid == self)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/fd", pid);
		fds = opendir(path);
		if (fds) {
			mark_fds(lc, fds);
			closedir(fds);
		}
		scan_own_tables(lc, (pid_t)pid);
		sb_maps_walk_range((pid_t)pid, 0, UINT64_MAX, false,
				   mark_mapped, lc);
	}
	closedir(proc);
}

/*
 * Does the inode of an unpinned entry still live? The kernel knows: a
 * file handle opens only an inode that still exists, whoever holds it: an
 * fd, a mapping, or a file in flight in an SCM_RIGHTS message, which no
 * look through /proc can see (dropped then, its seals would be lost while
 * it travels). Needs CAP_DAC_READ_SEARCH and a mount of the inode's
 * filesystem: for kernel memfds (the memfd backing) a memfd of ours.
 * 1: lives, 0: gone, -1: cannot tell.
 */
static int inode_lives(struct sb_emulator *e, const struct sb_inode_entry *ent)
{
	union fh_buf fh;
	int fd;

	if (!ent->fh_len || (ent->flags & SB_ENTRY_HUGETLB) ||
	    !lives_askable(e) || e->live_dev != ent->key.dev)
		return -1; /* no handle, or another filesystem (a tmpfs store) */
	fh.h.handle_bytes = ent->fh_len;
	fh.h.handle_type = ent->fh_type;
	memcpy(fh.h.f_handle, ent->fh, ent->fh_len);
	fd = open_by_handle_at(e->live_fd, &fh.h, O_PATH | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	return errno == ESTALE ? 0 : -1;
}

/*
 * Drop the entries of inodes nothing holds any more. An unpinned (kernel
 * memfd) entry is asked of the kernel where it can be (inode_lives). The
 * other candidates are pinned files a lease says no one else has open and
 * the unpinned ones the kernel was not asked about; one look through /proc
 * (every fd and mapping of every process) decides for all of them at once.
 * That look cannot see a file in flight in an SCM_RIGHTS message, and the
 * lease does not count a kernel memfd's own open file (no FMODE_WRITER):
 * see sealbox.1, LIMITATIONS.
 */
void sb_emulator_reclaim(struct sb_emulator *e)
{
	size_t count = sb_registry_count(&e->reg), pos = 0, ngone = 0;
	struct live_ctx lc = { NULL, NULL, 0 };
	struct sb_inode_key *gone = NULL;
	struct sb_inode_entry *ent;

	if (count == 0)
		return;
	lc.keys = calloc(count, sizeof(*lc.keys));
	lc.alive = calloc(count, sizeof(*lc.alive));
	gone = calloc(count, sizeof(*gone));
	if (!lc.keys || !lc.alive || !gone)
		goto out; /* try again at the next reclaim */
	while ((ent = sb_registry_next(&e->reg, &pos)) != NULL &&
	       lc.n < count) {
		if (ent->pin_fd >= 0) {
			if (lease_free(ent->pin_fd))
				lc.keys[lc.n++] = ent->key;
			continue;
		}
		switch (inode_lives(e, ent)) {
		case 1:
			break;
		case 0:
			gone[ngone++] = ent->key;
			break;
		default:
			lc.keys[lc.n++] = ent->key;
		}
	}
	for (size_t i = 0; i < ngone; i++)
		sb_registry_remove(&e->reg, &gone[i]); /* unpinned: no fd */
	if (lc.n == 0)
		goto out;
	qsort(lc.keys, lc.n, sizeof(*lc.keys), cmp_keys);
	scan_holders(&lc);
	for (size_t i = 0; i < lc.n; i++) {
		int pin;

		if (lc.alive[i])
			continue;
		pin = sb_registry_remove(&e->reg, &lc.keys[i]);
		if (pin >= 0) {
			close(pin);
			e->pinned--;
		}
	}
out:
	free(lc.keys);
	free(lc.alive);
	free(gone);
}
