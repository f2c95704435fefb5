/* SPDX-License-Identifier: MIT */
/*
 * emulator.h: the syscall handlers every transport shares, the state they
 * share (plan, inode registry, backing store), and the handler table that
 * says which calls to intercept and with which argument conditions.
 *
 * Emulated memfds live at fd numbers >= fd_base in every supervised
 * process, and aliases made with dup() stay there, so the write family and
 * the other fd-based calls can be filtered on that range in the kernel:
 * calls on other files never reach the supervisor. That holds only while
 * the kernel backs the seals up (a mirrored memfd backing): an alias can
 * land anywhere (dup2 onto a low number, SCM_RIGHTS, pidfd_getfd), and the
 * kernel then refuses what the seals forbid. Where it cannot, the rules
 * are strict: the fd-based calls are intercepted on every fd, and the
 * supervisor tells emulated files by inode, whatever the number; emulated
 * memfds then take the lowest free number, as from the kernel.
 */
#ifndef SEALBOX_EMULATOR_H
#define SEALBOX_EMULATOR_H

#include <stdbool.h>
#include <stdint.h>

#include "backing.h"
#include "plan.h"
#include "registry.h"
#include "target.h"

struct sb_emulator {
	struct sb_plan plan;
	struct sb_registry reg;
	struct sb_backing backing;
	int fd_base;   /* emulated memfds get numbers >= fd_base */
	unsigned int native_seals; /* seals the kernel itself can enforce */
	bool native_map_ro;  /* the kernel allows RO shared maps under WRITE */
	bool native_arg_int; /* the kernel ignores wide F_ADD_SEALS bits */
	bool native_exec_flags; /* the kernel has MFD_NOEXEC_SEAL/MFD_EXEC */
	/*
	 * Every emulated memfd is a kernel memfd carrying the same seals, and
	 * the kernel's rules are the reproduced ones: the kernel enforces them
	 * on every path, and only memfd_create and the seal fcntls reach
	 * sealbox. Off with --enforce=user, and where the kernel cannot.
	 */
	bool kernel_enforces;
	/*
	 * The backing file carries none (or not all) of the seals in the
	 * kernel: fd-based rules match every fd, not only the reserved range.
	 */
	bool strict_fds;
	/*
	 * The transport can let a call run with one of the caller's fds
	 * swapped for another file (target ops swap_fd): exec of an emulated
	 * memfd on a tmpfs backing runs on a copy with no writers.
	 */
	bool exec_copies;
	/* devices that hold emulated files: a file on another one is not
	 * ours, and needs no file handle or registry look-up */
	uint64_t devs[8];
	unsigned int ndevs; /* SB_ARRAY_SIZE(devs) + 1: any device */
	size_t reclaim_at; /* look for unreferenced entries at this count */
	size_t pinned;     /* entries holding an fd of ours */
	/* a memfd of ours, the mount for open_by_handle_at on the kernel's
	 * memfd inodes (reclaim: does an inode still live?); -1: none yet.
	 * live_ok: that works (1), does not (0: no CAP_DAC_READ_SEARCH),
	 * not tried (-1) */
	int live_fd;
	int live_ok;
	uint64_t live_dev; /* its device, where live_ok is 1 */
	bool verbose;
};

/* When a rule applies, from the plan. */
enum sb_rule_when {
	SB_WHEN_MEMFD,    /* plan.intercept_memfd */
	SB_WHEN_SEALS,    /* plan.intercept_seals */
	SB_WHEN_FILES,    /* plan.emulated_files: calls on our fds */
	SB_WHEN_FILES_RANGE, /* as FILES, only while fds stay in the range
			      * (not strict_fds): keeping aliases there */
	SB_WHEN_ALL_MODE, /* --emulate=all only (paths that cannot be checked) */
	SB_WHEN_STRICT,   /* strict_fds: sealbox alone holds the seals */
	SB_WHEN_EXEC_COPY, /* strict, a tmpfs backing, and a transport that
			    * can run exec on a copy (exec_copies) */
	SB_WHEN_NAMES,    /* the backing store cannot show /memfd:NAME itself */
	SB_WHEN_EXEC_SEAL, /* F_SEAL_EXEC is ours: chmod must be checked */
	SB_WHEN_MEMFD_EXEC_FLAGS, /* layered: only MFD_NOEXEC_SEAL/MFD_EXEC */
};

enum sb_cmp {
	SB_CMP_NONE,
	SB_CMP_EQ,
	SB_CMP_GE,        /* unsigned >= */
	SB_CMP_GE_FD_BASE, /* arg (as int, >= 0) >= fd_base; always true
			    * under strict_fds (dropped from the rule) */
	SB_CMP_MASKED_EQ, /* (arg & a) == b */
	SB_CMP_GT,
};

struct sb_arg_cmp {
	unsigned int arg;
	enum sb_cmp op;
	uint64_t a, b;
};

#define SB_MAX_RULES 4

struct sb_handler {
	const char *syscall;   /* resolved with libseccomp, per arch */
	struct sb_verdict (*fn)(struct sb_call *c);
	enum sb_rule_when when;
	int err;               /* fn == NULL: answer -err in the filter itself */
	/* the call is intercepted when any rule matches (a rule: all of its
	 * comparisons hold); no rules: always */
	unsigned int nrules;
	struct {
		unsigned int ncmp;
		struct sb_arg_cmp cmp[2];
	} rules[SB_MAX_RULES];
	/*
	 * The compat (i386) call of this name takes its arguments elsewhere
	 * (old mmap reads them from memory): under strict rules the compat
	 * filter fails it whatever they are.
	 */
	bool compat_any_args;
};

int sb_emulator_init(struct sb_emulator *e, const struct sb_plan *plan,
		     const struct sb_features *fs, enum sb_backing_kind backing,
		     int fd_base);
void sb_emulator_destroy(struct sb_emulator *e);
/* Would sealbox alone hold the seals (strict_fds) with this plan, these
 * features and this store? (sealbox probe: without opening anything) */
bool sb_emulator_strict(const struct sb_plan *plan,
			const struct sb_features *fs,
			enum sb_backing_kind backing);

/* The handler table, and the rules that are pure errno answers given the
 * plan (pretend-kernel: ENOSYS, EINVAL), ready for a filter builder. */
const struct sb_handler *sb_handlers(size_t *count);
bool sb_handler_wanted(const struct sb_emulator *e, const struct sb_handler *h);
/* The errno the filter itself can answer for h under this plan (a hidden
 * feature whose answer needs no look at memory or files), or 0. */
int sb_handler_filter_errno(const struct sb_emulator *e,
			    const struct sb_handler *h);

/* Dispatch one intercepted call to its handler by syscall number. */
struct sb_verdict sb_emulator_dispatch(struct sb_call *c);
/* Register the syscall numbers of the handler table (native arch). */
int sb_emulator_resolve(void);

/* Drop registry entries of inodes nothing refers to any more. */
void sb_emulator_reclaim(struct sb_emulator *e);

#endif /* SEALBOX_EMULATOR_H */
