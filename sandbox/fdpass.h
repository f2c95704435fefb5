/* SPDX-License-Identifier: MIT */
/*
 * fdpass.h: one open file over a Unix socket (SCM_RIGHTS), with a one-byte
 * message: the listener from PROG to the supervisor, a session member's
 * listener to its host, a detached tmpfs from the child that mounted it.
 * And a caller's fd reopened through /proc where no transfer is possible.
 */
#ifndef SEALBOX_FDPASS_H
#define SEALBOX_FDPASS_H

#include <sys/types.h>

/* 0, or -errno. Never raises SIGPIPE. */
int sb_send_fd(int sock, int fd);

/* The fd received (close-on-exec), or -EPIPE when none came. */
int sb_recv_fd(int sock);

/*
 * Thread tid's fd, by opening /proc/TID/fd/FD: a new open file description
 * of the same inode (its own offset), with the thread's flags from fdinfo,
 * never blocking on a FIFO. Close-on-exec. -EBADF when fd is not open or
 * cannot be opened so.
 */
int sb_reopen_fd(pid_t tid, int fd);

#endif /* SEALBOX_FDPASS_H */
