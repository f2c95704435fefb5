/* SPDX-License-Identifier: MIT */
/*
 * util.h: ownership helpers used everywhere.
 *
 * Owned resources are declared with a cleanup attribute and always
 * initialised; ownership is handed on explicitly with steal_fd()/steal_ptr().
 */
#ifndef SEALBOX_UTIL_H
#define SEALBOX_UTIL_H

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define SB_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void sb_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void sb_freep(void *p)
{
	free(*(void **)p);
}

#define autoclose __attribute__((cleanup(sb_closep)))
#define autofree __attribute__((cleanup(sb_freep)))

static inline int steal_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}

static inline void *steal_ptr(void *pp)
{
	void **p = (void **)pp;
	void *r = *p;
	*p = NULL;
	return r;
}

/* -errno of the last failed call, never 0 (for "return >= 0 or -errno"). */
static inline int neg_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}

#endif /* SEALBOX_UTIL_H */
