/* SPDX-License-Identifier: MIT */
/*
 * backing.h: the file behind an emulated memfd.
 *
 * Strategies, best first:
 *   memfd    a native memfd (created without MFD_ALLOW_SEALING, so the kernel
 *            itself never seals it: sealbox does); exact /proc names.
 *   detached a file on a tmpfs mounted with fsopen/fsmount and never attached
 *            anywhere: unreachable by path, gone with its last reference, and
 *            /proc shows "/memfd:NAME (deleted)" like the kernel.
 *   tmpfile  O_TMPFILE|O_EXCL on a tmpfs directory: never has a name at all,
 *            and linkat(2) cannot give it one. The directory is a private
 *            one made for the store and removed at once (only its fd stays
 *            open), where the kernel allows that.
 *   unlinked create "memfd:NAME" in a private 0700 directory on tmpfs and
 *            unlink it at once; directories of dead owners are swept away
 *            when the next backing store opens, so even a SIGKILL in the
 *            window leaves nothing behind for long.
 * Every strategy yields an O_RDWR, O_CLOEXEC fd on a regular file on tmpfs
 * whose mode is set as asked (no umask).
 */
#ifndef SEALBOX_BACKING_H
#define SEALBOX_BACKING_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "kfeatures.h"

enum sb_backing_kind {
	SB_BACKING_MEMFD,
	SB_BACKING_DETACHED,
	SB_BACKING_TMPFILE,
	SB_BACKING_UNLINKED,
	SB_BACKING_NONE,
};

struct sb_backing {
	enum sb_backing_kind kind;
	int mnt_fd;        /* detached: the mount's root; else -1 */
	int dir_fd;        /* tmpfile/unlinked: the directory; else -1 */
	char dir[256];     /* tmpfile/unlinked: its path (for messages) */
	bool dir_owned;    /* unlinked: we made dir and remove it on close */
	unsigned long seq; /* unlinked: unique file names */
	dev_t dev;         /* path strategies: the file system files land on */
	bool dir_private;  /* tmpfile/unlinked: files are made in a directory
			    * of ours, named SB_BACKING_OWNER_PREFIX..., which
			    * /proc/PID/fd shows in their paths */
};

/* The start of the name of every directory a store makes. */
#define SB_BACKING_OWNER_PREFIX "sealbox-"

/*
 * Open a backing store. want is the strategy to insist on, or SB_BACKING_NONE
 * to take the best that works here. base is the tmpfs directory for the
 * tmpfile/unlinked strategies (NULL: $SEALBOX_TMPDIR, else /dev/shm, else
 * /run/user/UID, else /tmp, first one on tmpfs that allows exec).
 * Returns 0 or -errno.
 */
int sb_backing_open(struct sb_backing *b, const struct sb_features *fs,
		    enum sb_backing_kind want, const char *base);
void sb_backing_close(struct sb_backing *b);

/*
 * Create one file: name is the memfd name (any bytes, at most 249), mode its
 * permission bits. Returns an fd (O_RDWR, O_CLOEXEC) or -errno.
 */
int sb_backing_create(struct sb_backing *b, const char *name, mode_t mode);

/*
 * The same, and *st is the new file's fstat (callers that key state by
 * inode need it anyway: one system call instead of two). For the path
 * strategies a file that did not land on the store's file system (the
 * store's directory fd was closed and its number reused: a program's
 * close-everything loop) is closed again and the answer is -ESTALE, as it
 * is -EBADF or -ENOTDIR when the number is free or not a directory: the
 * caller then opens the store anew.
 */
int sb_backing_create_stat(struct sb_backing *b, const char *name,
			   mode_t mode, struct stat *st);

const char *sb_backing_name(enum sb_backing_kind k);
int sb_backing_parse(const char *s, enum sb_backing_kind *k);

/* Remove unlinked-strategy directories under base whose owner is dead. */
void sb_backing_sweep(const char *base);

#endif /* SEALBOX_BACKING_H */
