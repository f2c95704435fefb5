/* SPDX-License-Identifier: MIT */
/*
 * ptrace_arch.h: the registers of a thread stopped at a system call, for
 * the ptrace transport. Everything that differs between architectures is
 * here, in small functions; ptrace.c only speaks of "the syscall number",
 * "argument i", "the return value", "the stack pointer".
 *
 * x86_64 is implemented. For aarch64 the same functions are needed with
 * PTRACE_GETREGSET/NT_PRSTATUS for the registers, NT_ARM_SYSTEM_CALL for
 * the syscall number (write -1 there to skip a call), x0..x5 for the
 * arguments, x8 for the number when a call is re-executed, pc -= 4 for the
 * `svc #0` instruction, and no red zone. One trap there: x0 is both the
 * first argument and the return value, so the original x0 must be kept
 * from the seccomp stop (it is: pc->orig).
 */
#ifndef SEALBOX_PTRACE_ARCH_H
#define SEALBOX_PTRACE_ARCH_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/user.h>

#if defined(__x86_64__)

#define SB_PTRACE_ARCH_SUPPORTED 1

struct sb_regs {
	struct user_regs_struct r;
};

/* `syscall` (0f 05) and `int $0x80` (cd 80) are both two bytes long */
#define SB_SYSCALL_INSN_LEN 2
/* the native one, to plant where no syscall instruction is behind the
 * thread's address (the first stop of a new program) */
#define SB_SYSCALL_INSN "\x0f\x05"
/* the System V x86_64 ABI lets leaf code use 128 bytes below %rsp */
#define SB_RED_ZONE 128
/* x32 system calls carry this bit in their number */
#define SB_X32_BIT 0x40000000UL
/* the 64-bit user code segment (compat tasks run with 0x23) */
#define SB_USER_CS64 0x33

static inline int sb_regs_get(pid_t tid, struct sb_regs *regs)
{
	return ptrace(PTRACE_GETREGS, tid, NULL, &regs->r) < 0 ? -errno : 0;
}

static inline int sb_regs_set(pid_t tid, const struct sb_regs *regs)
{
	return ptrace(PTRACE_SETREGS, tid, NULL, &regs->r) < 0 ? -errno : 0;
}

/* AUDIT_ARCH_X86_64, as PTRACE_GET_SYSCALL_INFO reports a native call */
#define SB_AUDIT_ARCH_NATIVE 0xc000003eU

/* The same question from PTRACE_GET_SYSCALL_INFO's arch and number. */
static inline bool sb_info_native(uint32_t arch, uint64_t nr)
{
	return arch == SB_AUDIT_ARCH_NATIVE && !(nr & SB_X32_BIT);
}

/* Is this a call through the native 64-bit entry (not int 0x80, not x32)? */
static inline bool sb_regs_native(const struct sb_regs *regs)
{
	return regs->r.cs == SB_USER_CS64 &&
	       !(regs->r.orig_rax & SB_X32_BIT);
}

static inline long sb_regs_nr(const struct sb_regs *regs)
{
	return (long)regs->r.orig_rax;
}

static inline uint64_t sb_regs_arg(const struct sb_regs *regs, int i)
{
	switch (i) {
	case 0: return regs->r.rdi;
	case 1: return regs->r.rsi;
	case 2: return regs->r.rdx;
	case 3: return regs->r.r10;
	case 4: return regs->r.r8;
	default: return regs->r.r9;
	}
}

static inline void sb_regs_set_arg(struct sb_regs *regs, int i, uint64_t v)
{
	switch (i) {
	case 0: regs->r.rdi = v; break;
	case 1: regs->r.rsi = v; break;
	case 2: regs->r.rdx = v; break;
	case 3: regs->r.r10 = v; break;
	case 4: regs->r.r8 = v; break;
	default: regs->r.r9 = v; break;
	}
}

static inline int64_t sb_regs_ret(const struct sb_regs *regs)
{
	return (int64_t)regs->r.rax;
}

static inline uint64_t sb_regs_sp(const struct sb_regs *regs)
{
	return regs->r.rsp;
}

static inline uint64_t sb_regs_ip(const struct sb_regs *regs)
{
	return regs->r.rip;
}

static inline void sb_regs_set_ip(struct sb_regs *regs, uint64_t ip)
{
	regs->r.rip = ip;
}

/*
 * At a seccomp stop (syscall entry): run call nr instead. The kernel takes
 * the number from orig_rax after the stop (and re-runs the filters on it,
 * 4.8+).
 */
static inline void sb_regs_change_call(struct sb_regs *regs, long nr)
{
	regs->r.orig_rax = (unsigned long long)nr;
}

/*
 * At a syscall-exit stop: back up over the syscall instruction, so that on
 * resuming the thread executes it again, as call nr. orig_rax = -1 keeps
 * the kernel's restart logic away from this exit.
 */
static inline void sb_regs_rewind(struct sb_regs *regs, long nr)
{
	regs->r.rip -= SB_SYSCALL_INSN_LEN;
	regs->r.rax = (unsigned long long)nr;
	regs->r.orig_rax = (unsigned long long)-1;
}

/*
 * Make the call return ret without running (at a seccomp stop: the call is
 * skipped) or replace its result (at a syscall-exit stop).
 */
static inline void sb_regs_answer(struct sb_regs *regs, int64_t ret)
{
	regs->r.orig_rax = (unsigned long long)-1;
	regs->r.rax = (unsigned long long)ret;
}

/* At a syscall stop under 4.8-: the entry stop shows rax = -ENOSYS. */
static inline bool sb_regs_looks_like_entry(const struct sb_regs *regs)
{
	return (int64_t)regs->r.rax == -ENOSYS;
}

#else /* no register code for this architecture yet */

#define SB_PTRACE_ARCH_SUPPORTED 0

#endif

#endif /* SEALBOX_PTRACE_ARCH_H */
