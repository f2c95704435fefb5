/* SPDX-License-Identifier: MIT */
#include "paths.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

int sb_path_next(const char **rest, char *out, size_t size)
{
	const char *p = *rest, *start;
	size_t len;

	while (*p == '/')
		p++;
	start = p;
	while (*p && *p != '/')
		p++;
	len = (size_t)(p - start);
	if (len > SB_NAME_MAX || len >= size)
		return -ENAMETOOLONG;
	memcpy(out, start, len);
	out[len] = '\0';
	*rest = p;
	return (int)len;
}

bool sb_path_at_end(const char *rest)
{
	while (*rest == '/')
		rest++;
	return *rest == '\0';
}

int sb_path_splice(char *out, size_t size, const char *target,
		   const char *rest)
{
	size_t tlen = strlen(target), rlen;

	if (tlen == 0)
		return -ENOENT;
	while (*rest == '/')
		rest++;
	rlen = strlen(rest);
	if (tlen + (rlen ? 1 + rlen : 0) + 1 > size)
		return -ENAMETOOLONG;
	/* rest may live in out, after the part being replaced */
	if (rlen) {
		memmove(out + tlen + 1, rest, rlen + 1);
		out[tlen] = '/';
	} else {
		out[tlen] = '\0';
	}
	memmove(out, target, tlen);
	return 0;
}

enum sb_proc_self sb_proc_self_name(const char *component)
{
	if (strcmp(component, "self") == 0)
		return SB_PROC_SELF;
	if (strcmp(component, "thread-self") == 0)
		return SB_PROC_THREAD_SELF;
	return SB_PROC_OTHER;
}

/* A decimal number ending at a '/' or the end of the string: its value
 * (*p moved past it), or -1. */
static long number(const char **p, char end)
{
	char *stop;
	long v;

	if (**p < '0' || **p > '9')
		return -1;
	errno = 0;
	v = strtol(*p, &stop, 10);
	if (errno || *stop != end || v > INT_MAX)
		return -1;
	*p = stop;
	return v;
}

int sb_proc_fd_path(const char *path, pid_t self, pid_t *pid)
{
	const char *p;
	long v;

	if (strncmp(path, "/dev/fd/", 8) == 0) {
		*pid = self;
		p = path + 8;
	} else if (strncmp(path, "/proc/", 6) == 0) {
		p = path + 6;
		if (strncmp(p, "self/", 5) == 0) {
			*pid = self;
			p += 5;
		} else if (strncmp(p, "thread-self/", 12) == 0) {
			*pid = self;
			p += 12;
		} else {
			v = number(&p, '/');
			if (v <= 0)
				return -1;
			*pid = (pid_t)v;
			p++;
			if (strncmp(p, "task/", 5) == 0) {
				p += 5;
				if (number(&p, '/') <= 0)
					return -1;
				p++;
			}
		}
		if (strncmp(p, "fd/", 3) != 0)
			return -1;
		p += 3;
	} else {
		return -1;
	}
	v = number(&p, '\0');
	return v < 0 ? -1 : (int)v;
}
