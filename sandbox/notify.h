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

#endif /* SEALBOX_NOTIFY_H */
