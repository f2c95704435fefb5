/* SPDX-License-Identifier: MIT */
#include "memfd.h"

#include <errno.h>
#include <string.h>

#include "kcompat.h"

#define MFD_BASE_FLAGS (MFD_CLOEXEC | MFD_ALLOW_SEALING)
#define MFD_HUGE_FIELD (MFD_HUGE_MASK << MFD_HUGE_SHIFT)

int memfd_check_flags(const struct memfd_rules *r, unsigned int flags)
{
	unsigned int valid = MFD_BASE_FLAGS;

	if (r->have_hugetlb)
		valid |= MFD_HUGETLB;
	if (r->have_exec)
		valid |= MFD_NOEXEC_SEAL | MFD_EXEC;
	/* the huge page size field only means something with MFD_HUGETLB */
	if (r->have_hugetlb && (flags & MFD_HUGETLB))
		valid |= MFD_HUGE_FIELD;
	if (flags & ~valid)
		return -EINVAL;

	/* 4.14 and 4.15: "sealing not supported in hugetlbfs" */
	if ((flags & MFD_HUGETLB) && (flags & MFD_ALLOW_SEALING) &&
	    !r->hugetlb_seals)
		return -EINVAL;

	if ((flags & MFD_EXEC) && (flags & MFD_NOEXEC_SEAL))
		return -EINVAL;
	return 0;
}

int memfd_apply_policy(const struct memfd_rules *r, unsigned int *flags)
{
	if (!r->have_exec)
		return 0;

	if (r->noexec_ratchet) {
		/* 6.3: level 2 refuses a caller that did not choose */
		if (!(*flags & (MFD_EXEC | MFD_NOEXEC_SEAL))) {
			if (r->noexec_scope >= 2)
				return -EINVAL;
			*flags |= r->noexec_scope >= 1 ? MFD_NOEXEC_SEAL : MFD_EXEC;
		}
		return 0;
	}

	/* 6.6+: old callers get a non-executable memfd, explicit EXEC fails */
	if (!(*flags & (MFD_EXEC | MFD_NOEXEC_SEAL)))
		*flags |= r->noexec_scope >= 1 ? MFD_NOEXEC_SEAL : MFD_EXEC;
	if (!(*flags & MFD_NOEXEC_SEAL) && r->noexec_scope >= 2)
		return -EACCES;
	return 0;
}

int memfd_check_name(const char *buf, size_t readable, size_t *len)
{
	size_t limit = readable < MEMFD_NAME_READ ? readable : MEMFD_NAME_READ;
	const char *nul = buf ? memchr(buf, '\0', limit) : NULL;

	if (nul) {
		*len = (size_t)(nul - buf);
		return 0;
	}
	/* no terminator: either the copy faulted first, or the name is long */
	return readable < MEMFD_NAME_READ ? -EFAULT : -EINVAL;
}

void memfd_initial_state(unsigned int flags, unsigned int *seals, mode_t *mode)
{
	/* every shmem inode is born sealed; ALLOW_SEALING lifts that */
	*seals = (flags & MFD_ALLOW_SEALING) ? 0 : F_SEAL_SEAL;
	*mode = 0777;
	if (flags & MFD_NOEXEC_SEAL) {
		/* implies sealability even without ALLOW_SEALING (6.3 .. 6.18) */
		*seals = F_SEAL_EXEC;
		*mode = 0666;
	}
}

int memfd_decide(const struct memfd_rules *r, unsigned int flags,
		 const char *name, size_t readable, struct memfd_result *res)
{
	int err;

	if (!r->have_memfd)
		return -ENOSYS;
	err = memfd_check_flags(r, flags);
	if (err < 0)
		return err;
	err = memfd_apply_policy(r, &flags);
	if (err < 0)
		return err;

	memset(res, 0, sizeof(*res));
	err = memfd_check_name(name, readable, &res->name_len);
	if (err < 0)
		return err;

	res->flags = flags;
	res->cloexec = flags & MFD_CLOEXEC;
	res->hugetlb = flags & MFD_HUGETLB;
	res->huge_log2 = res->hugetlb ?
		(flags >> MFD_HUGE_SHIFT) & MFD_HUGE_MASK : 0;
	memfd_initial_state(flags, &res->seals, &res->mode);
	return 0;
}
