/* SPDX-License-Identifier: MIT */
/*
 * target.h: what a syscall handler may ask of the transport that delivered
 * the call (seccomp notification, ptrace stop, or the preload shim).
 *
 * Handlers are written once against this interface. A transport fills in
 * struct sb_call for each intercepted call and supplies the operations.
 */
#ifndef SEALBOX_TARGET_H
#define SEALBOX_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct sb_call;

struct sb_target_ops {
	/*
	 * Copy up to len bytes at addr out of the caller's memory. Returns
	 * how many bytes were copied: fewer than len when the range runs
	 * into memory that cannot be read (then at least one byte short of
	 * the fault), or -EFAULT when not even the first byte can be read.
	 */
	ssize_t (*read_mem)(struct sb_call *c, uint64_t addr, void *buf,
			    size_t len);
	/* Copy len bytes into the caller's memory: len, or -EFAULT. */
	ssize_t (*write_mem)(struct sb_call *c, uint64_t addr, const void *buf,
			     size_t len);
	/*
	 * A supervisor-side fd for the exact open file the caller holds as
	 * fd (same open file description: same offset and flags), or -EBADF.
	 * The caller owns the returned fd.
	 */
	int (*get_file)(struct sb_call *c, int fd);
	/*
	 * Give the caller the open file behind `file` as a new fd: at exactly
	 * `at` (replacing what is there, like dup2) when at >= 0, else the
	 * lowest free number >= min. With `reply`, the new fd number is also
	 * the call's return value and the call is answered (the handler then
	 * returns SB_DONE). Returns the number, or -errno (EMFILE...).
	 */
	int (*install_fd)(struct sb_call *c, int file, int at, int min,
			  bool cloexec, bool reply);
	/* The caller's process id (thread group), or -ESRCH. */
	pid_t (*get_tgid)(struct sb_call *c);
	/* Is the call still pending (the caller alive, not interrupted)? */
	bool (*still_valid)(struct sb_call *c);

	/*
	 * Optional operations: NULL where the transport cannot (seccomp
	 * notification never can: the kernel re-reads the caller's registers
	 * and memory after SECCOMP_USER_NOTIF_FLAG_CONTINUE). They close the
	 * window between a handler's check and the kernel's own look when the
	 * handler answers SB_CONTINUE on a file that is not sealbox's.
	 */
	/*
	 * Let the call run with its fd argument args[arg] naming `file` (a
	 * supervisor-side fd of the open file the handler checked), not what
	 * the caller's number refers to by the time the kernel looks (another
	 * thread may dup2 a sealed file onto it). ptrace: put `file` at a
	 * spare number in the tracee, rewrite the argument register, and at
	 * syscall exit close that number and restore the register. The
	 * transport may skip it (return 0) when no other task shares the
	 * caller's fd table. Returns 0, or -errno (the handler then lets the
	 * call run unpinned, as without the operation).
	 */
	int (*pin_fd_arg)(struct sb_call *c, unsigned int arg, int file);
	/*
	 * Let the call run with its path argument args[arg] pointing at a copy
	 * of `path` (the string the handler decided on) that the caller cannot
	 * change (ptrace: the tracee's scratch memory, the register restored
	 * at syscall exit). Returns 0 or -errno, as pin_fd_arg.
	 */
	int (*pin_path_arg)(struct sb_call *c, unsigned int arg,
			    const char *path);
	/*
	 * Let the call run with the caller's fd `at` naming `file` instead
	 * of its own file, and put its own file back at `at` when the call
	 * returns, whether it failed or not (after an exec, where `at` is not
	 * close-on-exec and so survives it). The close-on-exec flag of `at`
	 * stays. Returns 0, or -errno (then nothing changed).
	 */
	int (*swap_fd)(struct sb_call *c, int at, int file);
	/*
	 * A path, in the supervisor's view, that names the open file the
	 * caller holds as fd, for a look without fetching the file (ptrace
	 * before pidfd_getfd fetches with injected calls): /proc/TID/fd/N.
	 * Returns 0, or -errno where the transport needs the file itself
	 * (another task shares the fd table: the call must be pinned).
	 */
	int (*fd_path)(struct sb_call *c, int fd, char *buf, size_t size);
};

/* A handler's answer. */
enum sb_verdict_kind {
	SB_RETURN,   /* the call returns val (>= 0) or fails with -val */
	SB_CONTINUE, /* let the kernel run the call as made */
	SB_DONE,     /* already answered (install_fd with reply) */
};

struct sb_verdict {
	enum sb_verdict_kind kind;
	int64_t val;
};

struct sb_emulator;

struct sb_call {
	const struct sb_target_ops *ops;
	void *transport;        /* the transport's own state for this call */
	struct sb_emulator *emu;
	pid_t tid;              /* the calling thread */
	pid_t tgid;             /* its process; 0 until get_tgid asks */
	int nr;                 /* syscall number (native arch) */
	uint64_t args[6];
	bool replied;           /* install_fd answered the call already */
	/*
	 * Set by a handler whose only acts on what it reads are its verdict
	 * and install_fd (which the transport checks against the call
	 * itself): read_mem may then skip its check that the caller is still
	 * the thread it read (seccomp's NOTIF_ID_VALID, a system call).
	 */
	bool read_unchecked;
};

static inline struct sb_verdict sb_return(int64_t val)
{
	struct sb_verdict v = { SB_RETURN, val };
	return v;
}

static inline struct sb_verdict sb_continue(void)
{
	struct sb_verdict v = { SB_CONTINUE, 0 };
	return v;
}

static inline struct sb_verdict sb_done(void)
{
	struct sb_verdict v = { SB_DONE, 0 };
	return v;
}

#endif /* SEALBOX_TARGET_H */
