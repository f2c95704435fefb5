/* SPDX-License-Identifier: MIT */
/*
 * memfd.h: the rules of memfd_create(2), as a current kernel applies them
 * (SPEC.md section 1), parameterised by the kernel being reproduced.
 *
 * Nothing here touches the kernel: the caller copies the name out of the
 * target's memory (as many bytes as it could read, up to MEMFD_NAME_READ)
 * and hands over the buffer and how much of it was readable.
 */
#ifndef SEALBOX_MEMFD_H
#define SEALBOX_MEMFD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* NAME_MAX minus "memfd:" plus the NUL: the kernel reads at most this much. */
#define MEMFD_NAME_READ 250
#define MEMFD_NAME_MAX (MEMFD_NAME_READ - 1)
#define MEMFD_NAME_PREFIX "memfd:"

struct memfd_rules {
	bool have_memfd;     /* false: the call is ENOSYS (before 3.17) */
	bool have_hugetlb;   /* MFD_HUGETLB and the size field (4.14) */
	bool hugetlb_seals;  /* HUGETLB | ALLOW_SEALING accepted (4.16) */
	bool have_exec;      /* MFD_NOEXEC_SEAL and MFD_EXEC (6.3) */
	/*
	 * vm.memfd_noexec, effective value 0..2 (only with have_exec).
	 * noexec_ratchet selects the first 6.3 design, in which level 2 made a
	 * call with neither flag fail with EINVAL; otherwise the 6.6+ design.
	 */
	int noexec_scope;
	bool noexec_ratchet;
};

/* What a successful memfd_create produces. */
struct memfd_result {
	unsigned int flags;  /* the flags after the sysctl policy */
	unsigned int seals;  /* initial seals */
	mode_t mode;         /* 0777 or 0666, umask not applied */
	bool cloexec;
	bool hugetlb;
	unsigned int huge_log2; /* 0: default huge page size */
	size_t name_len;     /* strlen of the name */
};

/* Step 1: flag bits. 0 or -EINVAL (ENOSYS is the caller's: have_memfd). */
int memfd_check_flags(const struct memfd_rules *r, unsigned int flags);

/*
 * Step 2: the vm.memfd_noexec policy; may add NOEXEC_SEAL or EXEC to *flags.
 * 0, -EACCES (6.6+ level 2 with explicit MFD_EXEC) or -EINVAL (6.3 ratchet).
 */
int memfd_apply_policy(const struct memfd_rules *r, unsigned int *flags);

/*
 * Step 3: the name. buf holds the first `readable` bytes at the name pointer
 * (readable < MEMFD_NAME_READ means the next byte could not be read).
 * 0 with *len set, -EFAULT, or -EINVAL.
 */
int memfd_check_name(const char *buf, size_t readable, size_t *len);

/* Initial seals and mode for the final flags (SPEC.md 1.2). */
void memfd_initial_state(unsigned int flags, unsigned int *seals, mode_t *mode);

/*
 * Steps 1 to 3 in the kernel's order, filling *res. Returns 0 or the
 * kernel's -errno: -ENOSYS, -EINVAL, -EACCES, -EFAULT.
 */
int memfd_decide(const struct memfd_rules *r, unsigned int flags,
		 const char *name, size_t readable, struct memfd_result *res);

#endif /* SEALBOX_MEMFD_H */
