/* SPDX-License-Identifier: MIT */
/*
 * notify.h: the seccomp user-notification transport. Receives intercepted
 * calls on a listener fd, hands them to the emulator's handlers, and
 * answers; gives handlers the caller's memory (process_vm_readv), files
 * (pidfd_getfd) and fd injection (SECCOMP_IOCTL_NOTIF_ADDFD).
 */
#ifndef SEALBOX_NOTIFY_H
#define SEALBOX_NOTIFY_H

#include <stdbool.h>
#include <sys/types.h>

#include "emulator.h"

struct sb_notify;

/*
 * addfd_send: the kernel has SECCOMP_ADDFD_FLAG_SEND (5.14). fifo: it hands
 * out notifications oldest first (5.19; else sealbox takes all pending and
 * orders them itself).
 */
int sb_notify_new(struct sb_notify **out, int listener, struct sb_emulator *e,
		  bool addfd_send, bool sync_wake_up, bool fifo);
void sb_notify_free(struct sb_notify *n);

/*
 * The listener polled with these revents: handle one waiting notification.
 * Returns 0, or -EPIPE once no process uses the filter any more (POLLHUP).
 */
int sb_notify_handle(struct sb_notify *n, short revents);
int sb_notify_fd(const struct sb_notify *n);

/*
 * Wait in NOTIF_RECV on recv_fd (a dup of the listener) and handle the
 * notification, without a poll() first; only where notifications come
 * oldest first. Returns 0 (handled, or its caller had gone), -EINTR when
 * the wait was ended from outside (a signal, or recv_fd no longer the
 * listener), or another -errno.
 */
int sb_notify_wait_and_handle(struct sb_notify *n, int recv_fd);

#endif /* SEALBOX_NOTIFY_H */
