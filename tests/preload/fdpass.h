/* SPDX-License-Identifier: MIT */
/*
 * fdpass.h: one fd over an AF_UNIX socket (SCM_RIGHTS), for the preload
 * tests that move memfds between processes.
 */
#ifndef SEALBOX_TESTS_FDPASS_H
#define SEALBOX_TESTS_FDPASS_H

/* Send fd with one byte of data: 0 or -1 (errno set). */
int send_fd(int sock, int fd);
/* The fd of the next message, or -1. */
int recv_fd(int sock);

#endif /* SEALBOX_TESTS_FDPASS_H */
