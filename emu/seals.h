/* SPDX-License-Identifier: MIT */
/*
 * seals.h: F_ADD_SEALS, F_GET_SEALS and the check every sealed operation
 * makes (SPEC.md sections 2 and 3), each giving the kernel's exact errno.
 *
 * Pure functions: the caller gathers what the kernel would look at (the fd's
 * access mode, the inode's seals, size and mode, the count of writable shared
 * mappings) and acts on the answer.
 */
#ifndef SEALBOX_SEALS_H
#define SEALBOX_SEALS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define SB_SEALS_3_17 0x0fU /* SEAL SHRINK GROW WRITE */
#define SB_SEALS_5_1 0x1fU  /* + FUTURE_WRITE */
#define SB_SEALS_6_3 0x3fU  /* + EXEC */

/* How the reproduced kernel treats seals. */
struct seal_rules {
	unsigned int known;     /* valid seal bits; 0: no sealing (pre-3.17) */
	bool arg_int;           /* upper 32 bits of the F_ADD_SEALS arg ignored */
	bool type_check_first;  /* 3.17-4.15: EINVAL for non-tmpfs before EPERM */
	/*
	 * 6.7+: a read-only MAP_SHARED through a writable fd of a W-sealed file
	 * is allowed and is not counted as writable; up to 6.6 it is EPERM and
	 * every shared mapping through a writable fd counts.
	 */
	bool map_ro_under_write;
	size_t write_chunk;     /* write_iter works in chunks of this size */
};

/* What F_ADD_SEALS looks at. */
struct seal_subject {
	bool fd_writable;    /* the open file has FMODE_WRITE */
	bool sealable;       /* tmpfs or hugetlbfs (an emulated memfd) */
	unsigned int seals;  /* the inode's seals now */
	mode_t mode;         /* the inode's permission bits */
	long writable_maps;  /* shared mappings made through writable fds */
	bool pinned;         /* pages pinned past the ~150 ms wait */
};

/* Full F_ADD_SEALS: returns 0 and the new seal set, or -errno. */
int seals_add(const struct seal_rules *r, const struct seal_subject *s,
	      unsigned long arg, unsigned int *new_seals);

/* F_GET_SEALS: the seals (>= 0), or -EINVAL for a file that has none. */
int seals_get(const struct seal_rules *r, bool sealable, unsigned int seals);

/* ftruncate/truncate from size to new_size: 0, -EINVAL or -EPERM. */
int seals_check_truncate(unsigned int seals, int64_t size, int64_t new_size);

/* open(O_TRUNC) of a file of this size: 0 or -EPERM. */
int seals_check_open_trunc(unsigned int seals, int64_t size);

/*
 * A write of len bytes at pos (the file size is size; for O_APPEND and
 * RWF_APPEND pass pos = size). Returns how many bytes the kernel would write
 * (a short count under F_SEAL_GROW), or -EPERM / -EINVAL. A zero-length write
 * returns 0 whatever the seals (hugetlbfs: always -EINVAL; a negative pos:
 * -EINVAL even for zero bytes).
 */
int64_t seals_check_write(const struct seal_rules *r, unsigned int seals,
			  bool hugetlb, int64_t size, int64_t pos, uint64_t len);

/*
 * fallocate(mode, off, len) on an fd (writable or not) of a file of this
 * size, with the VFS checks that come before the seal checks.
 * 0 or -EINVAL, -EOPNOTSUPP, -EBADF, -EFBIG, -EPERM.
 */
int seals_check_fallocate(unsigned int seals, bool fd_writable, int mode,
			  int64_t off, int64_t len, int64_t size);

struct seal_mmap_verdict {
	int err;        /* 0, -EACCES or -EPERM */
	bool counts;    /* a writable shared mapping for the EBUSY rule */
	bool maywrite;  /* mprotect may add PROT_WRITE later */
};

/* mmap of a (sealable) file: flags are the mmap flags. */
struct seal_mmap_verdict seals_check_mmap(const struct seal_rules *r,
					  unsigned int seals, int prot,
					  int flags, bool fd_writable);

/* mprotect on a mapping made with that verdict: 0 or -EACCES. */
int seals_check_mprotect(bool shared, bool maywrite, int prot);

/*
 * madvise(MADV_REMOVE) on a mapping: 0, -EINVAL (locked), -EACCES (not a
 * shared mapping that may write: VM_SHARED and, from 6.7, VM_MAYWRITE, not
 * the current protection) or -EPERM (write-sealed).
 */
int seals_check_madv_remove(unsigned int seals, bool shared, bool maywrite,
			    bool locked);

/* chmod from old_mode to new_mode: 0 or -EPERM under F_SEAL_EXEC. */
int seals_check_chmod(unsigned int seals, bool hugetlb, mode_t old_mode,
		      mode_t new_mode);

/* "SEAL|SHRINK|..." for logs and probe output; returns buf. */
const char *seals_format(unsigned int seals, char *buf, size_t len);

#endif /* SEALBOX_SEALS_H */
