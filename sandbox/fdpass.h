/* SPDX-License-Identifier: MIT */
/*
 * fdpass.h: one open file over a Unix socket (SCM_RIGHTS), with a one-byte
 * message: the listener from PROG to the supervisor, a session member's
 * listener to its host, a detached tmpfs from the child that mounted it.
 */
#ifndef SEALBOX_FDPASS_H
#define SEALBOX_FDPASS_H

/* 0, or -errno. Never raises SIGPIPE. */
int sb_send_fd(int sock, int fd);

/* The fd received (close-on-exec), or -EPIPE when none came. */
int sb_recv_fd(int sock);

#endif /* SEALBOX_FDPASS_H */
