/* SPDX-License-Identifier: MIT */
#include "seals.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kcompat.h"

#define ANY_WRITE_SEAL (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)
/* F_SEAL_EXEC on an executable file implies these (6.3 "W^X") */
#define EXEC_IMPLIED \
	(F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)
/* the VFS limit for a tmpfs file (MAX_LFS_FILESIZE on 64-bit) */
#define SB_MAX_FILESIZE INT64_MAX

int seals_add(const struct seal_rules *r, const struct seal_subject *s,
	      unsigned long arg, unsigned int *new_seals)
{
	unsigned long seals = arg;

	if (r->known == 0)
		return -EINVAL; /* F_ADD_SEALS is an unknown fcntl command */

	/* before 6.5 fcntl refused a wide argument before looking further */
	if (r->arg_int)
		seals &= 0xffffffffUL;
	else if (seals > 0xffffffffUL)
		return -EINVAL;
	if (r->type_check_first && !s->sealable)
		return -EINVAL;
	if (!s->fd_writable)
		return -EPERM;
	if (seals & ~(unsigned long)r->known)
		return -EINVAL;
	if (!s->sealable)
		return -EINVAL;
	if (s->seals & F_SEAL_SEAL)
		return -EPERM;

	/*
	 * A new F_SEAL_WRITE, asked for or implied by F_SEAL_EXEC on an
	 * executable file, must first deny writable shared mappings and wait
	 * out pinned pages; failing either adds nothing.
	 */
	if ((seals & F_SEAL_EXEC) && (s->mode & 0111))
		seals |= EXEC_IMPLIED;
	if ((seals & F_SEAL_WRITE) && !(s->seals & F_SEAL_WRITE)) {
		if (s->writable_maps > 0 || s->pinned)
			return -EBUSY;
	}

	*new_seals = s->seals | (unsigned int)seals;
	return 0;
}

int seals_get(const struct seal_rules *r, bool sealable, unsigned int seals)
{
	if (r->known == 0 || !sealable)
		return -EINVAL;
	return (int)seals;
}

int seals_check_truncate(unsigned int seals, int64_t size, int64_t new_size)
{
	if (new_size < 0)
		return -EINVAL;
	if (new_size < size && (seals & F_SEAL_SHRINK))
		return -EPERM;
	if (new_size > size && (seals & F_SEAL_GROW))
		return -EPERM;
	return 0;
}

int seals_check_open_trunc(unsigned int seals, int64_t size)
{
	return seals_check_truncate(seals, size, 0);
}

int64_t seals_check_write(const struct seal_rules *r, unsigned int seals,
			  bool hugetlb, int64_t size, int64_t pos, uint64_t len)
{
	uint64_t chunk = r->write_chunk ? r->write_chunk : 4096;
	uint64_t end;

	if (hugetlb)
		return -EINVAL; /* hugetlbfs has no write path */
	if (pos < 0)
		return -EINVAL; /* rw_verify_area, even for zero bytes */
	if (len == 0)
		return 0; /* the generic checks return before any seal check */
	if (seals & ANY_WRITE_SEAL)
		return -EPERM;
	if (!(seals & F_SEAL_GROW) || (uint64_t)pos + len <= (uint64_t)size)
		return (int64_t)len;

	/*
	 * write_iter copies chunk by chunk, each ending on a chunk boundary,
	 * and fails the first chunk that reaches past the size: the write is
	 * cut at the last boundary at or below the size.
	 */
	end = (uint64_t)size / chunk * chunk;
	if (end <= (uint64_t)pos)
		return -EPERM;
	return (int64_t)(end - (uint64_t)pos);
}

int seals_check_fallocate(unsigned int seals, bool fd_writable, int mode,
			  int64_t off, int64_t len, int64_t size)
{
	const int mode_mask = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE |
			      FALLOC_FL_ZERO_RANGE | FALLOC_FL_INSERT_RANGE |
			      FALLOC_FL_UNSHARE_RANGE | FALLOC_FL_WRITE_ZEROES;

	/* vfs_fallocate, 6.13+ order */
	if (off < 0 || len <= 0)
		return -EINVAL;
	if (mode & ~(mode_mask | FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	switch (mode & mode_mask) {
	case 0:
	case FALLOC_FL_UNSHARE_RANGE:
	case FALLOC_FL_ZERO_RANGE:
		break;
	case FALLOC_FL_PUNCH_HOLE:
		if (!(mode & FALLOC_FL_KEEP_SIZE))
			return -EOPNOTSUPP;
		break;
	case FALLOC_FL_COLLAPSE_RANGE:
	case FALLOC_FL_INSERT_RANGE:
	case FALLOC_FL_WRITE_ZEROES: /* 6.17 */
		if (mode & FALLOC_FL_KEEP_SIZE)
			return -EOPNOTSUPP;
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (!fd_writable)
		return -EBADF;
	if (off > SB_MAX_FILESIZE - len)
		return -EFBIG;

	/* shmem_fallocate: only allocation and hole punching */
	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE))
		return -EOPNOTSUPP;
	if (mode & FALLOC_FL_PUNCH_HOLE)
		return (seals & ANY_WRITE_SEAL) ? -EPERM : 0;
	/* even KEEP_SIZE, which would not change the size */
	if ((seals & F_SEAL_GROW) && off + len > size)
		return -EPERM;
	return 0;
}

struct seal_mmap_verdict seals_check_mmap(const struct seal_rules *r,
					  unsigned int seals, int prot,
					  int flags, bool fd_writable)
{
	struct seal_mmap_verdict v = { 0, false, false };
	int type = flags & MAP_TYPE;
	bool shared = type == MAP_SHARED || type == MAP_SHARED_VALIDATE;

	if (!shared) {
		v.maywrite = true; /* private: copy-on-write, never counted */
		return v;
	}
	if (!fd_writable) {
		/* VM_SHARED is set only for fds opened for writing */
		v.err = (prot & PROT_WRITE) ? -EACCES : 0;
		return v;
	}
	if (seals & ANY_WRITE_SEAL) {
		if (prot & PROT_WRITE) {
			v.err = -EPERM;
			return v;
		}
		if ((seals & F_SEAL_WRITE) && !r->map_ro_under_write) {
			/* up to 6.6 the mapping counter is already negative */
			v.err = -EPERM;
			return v;
		}
		/* VM_MAYWRITE is cleared; up to 6.6 every VM_SHARED counts */
		v.counts = !r->map_ro_under_write;
		return v;
	}
	v.counts = true;
	v.maywrite = true;
	return v;
}

int seals_check_mprotect(bool shared, bool maywrite, int prot)
{
	if (shared && (prot & PROT_WRITE) && !maywrite)
		return -EACCES;
	return 0;
}

int seals_check_madv_remove(unsigned int seals, bool shared, bool maywrite,
			    bool locked)
{
	if (locked)
		return -EINVAL;
	if (!shared || !maywrite)
		return -EACCES;
	if (seals & ANY_WRITE_SEAL)
		return -EPERM;
	return 0;
}

int seals_check_chmod(unsigned int seals, bool hugetlb, mode_t old_mode,
		      mode_t new_mode)
{
	/* hugetlbfs setattr has no F_SEAL_EXEC check: a kernel gap we keep */
	if (hugetlb)
		return 0;
	if ((seals & F_SEAL_EXEC) && ((old_mode ^ new_mode) & 0111))
		return -EPERM;
	return 0;
}

const char *seals_format(unsigned int seals, char *buf, size_t len)
{
	static const struct {
		unsigned int bit;
		const char *name;
	} names[] = {
		{ F_SEAL_SEAL, "SEAL" },
		{ F_SEAL_SHRINK, "SHRINK" },
		{ F_SEAL_GROW, "GROW" },
		{ F_SEAL_WRITE, "WRITE" },
		{ F_SEAL_FUTURE_WRITE, "FUTURE_WRITE" },
		{ F_SEAL_EXEC, "EXEC" },
	};
	size_t used = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(seals & names[i].bit))
			continue;
		seals &= ~names[i].bit;
		int n = snprintf(buf + used, len - used, "%s%s",
				 used ? "|" : "", names[i].name);
		if (n < 0 || (size_t)n >= len - used)
			return buf;
		used += (size_t)n;
	}
	if (seals)
		snprintf(buf + used, len - used, "%s0x%x", used ? "|" : "",
			 seals);
	else if (used == 0)
		snprintf(buf, len, "0");
	return buf;
}
