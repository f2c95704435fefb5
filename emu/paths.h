/* SPDX-License-Identifier: MIT */
/*
 * paths.h: the pure half of resolving a path as the kernel does (for a
 * caller sealbox supervises): splitting into components, putting a
 * symlink's target in front of what is left, and naming the /proc forms
 * that reach another process's open files.
 *
 * The other half (opening each component, in the caller's root, cwd and
 * /proc) talks to the kernel and lives in sandbox/emulator.c. The preload
 * shim can use sb_proc_fd_path for its /proc/self/fd/N reopens.
 */
#ifndef SEALBOX_PATHS_H
#define SEALBOX_PATHS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The kernel's limits: a component, and symlinks followed in one walk. */
#define SB_NAME_MAX 255
#define SB_MAX_LINKS 40

/*
 * The next component of *rest: leading slashes skipped, the name copied
 * into out (size bytes, NUL-terminated), *rest moved past it. Returns the
 * length, 0 when nothing is left, -ENAMETOOLONG past SB_NAME_MAX (or size).
 */
int sb_path_next(const char **rest, char *out, size_t size);

/* Nothing but slashes is left: the component just taken was the last. */
bool sb_path_at_end(const char *rest);

/*
 * A symlink's target in front of the rest of the walk: out becomes
 * "TARGET/REST" (or TARGET alone when rest is empty). rest may point into
 * out. Returns 0, -ENOENT for an empty target, -ENAMETOOLONG past size.
 */
int sb_path_splice(char *out, size_t size, const char *target,
		   const char *rest);

/* Names in the root of procfs that mean the caller itself. */
enum sb_proc_self {
	SB_PROC_OTHER,       /* any other name */
	SB_PROC_SELF,        /* "self": the caller's thread group */
	SB_PROC_THREAD_SELF, /* "thread-self": the calling thread */
};

enum sb_proc_self sb_proc_self_name(const char *component);

/*
 * Which process and fd a path names in the plain forms /proc/self/fd/N,
 * /proc/thread-self/fd/N, /proc/PID[/task/TID]/fd/N and /dev/fd/N: the fd
 * number, with *pid set (to self for the self forms), or -1 for any other
 * path. A string test only: a path that reaches an fd in other ways
 * (symlinks, "..", a dirfd) needs a real walk.
 */
int sb_proc_fd_path(const char *path, pid_t self, pid_t *pid);

#endif /* SEALBOX_PATHS_H */
