/* SPDX-License-Identifier: MIT */
/*
 * legacy-kernel: run a program on a kernel that looks older than it is.
 *
 *   legacy-kernel [--except NAME,...] [--list] X.Y -- PROG [ARGS...]
 *
 * Installs a seccomp filter that answers every call, flag and ioctl added
 * after Linux X.Y the way X.Y would (ENOSYS for a missing call, EINVAL for
 * an unknown flag, EIO for an unknown ptrace request, EISDIR for
 * O_TMPFILE), then execs PROG. The filter is inherited by everything PROG
 * runs, sealbox included, so sealbox sees the old kernel when it probes,
 * picks its backend and backing store, and supervises programs there.
 *
 * memfd_create and the seal commands are not answered with ERRNO: seccomp
 * runs every stacked filter and the most severe action wins (KILL, TRAP,
 * ERRNO, USER_NOTIF, TRACE, ALLOW), so an ERRNO here would also beat the
 * TRACE or USER_NOTIF rule sealbox installs for the same call inside, and
 * sealbox could never emulate it. They get SECCOMP_RET_TRACE with data
 * LEGACY_TRACE_DATA instead: nobody traces a program run directly, and an
 * untraced RET_TRACE fails the call with ENOSYS; under sealbox, sealbox's
 * own rule (RET_TRACE with data 0, or USER_NOTIF) wins, and sealbox's
 * ptrace transport answers a stop carrying any other data with ENOSYS too,
 * as if no tracer were there.
 *
 * Differences from a real X.Y, all from that rule: a program run directly
 * gets ENOSYS, not EINVAL, for fcntl(F_ADD_SEALS/F_GET_SEALS) before 3.17,
 * for MFD_HUGETLB before 4.14, for MFD_HUGETLB|MFD_ALLOW_SEALING before
 * 4.16, for MFD_NOEXEC_SEAL/MFD_EXEC before 6.3, for F_SEAL_FUTURE_WRITE
 * before 5.1, F_SEAL_EXEC before 6.3 and high F_ADD_SEALS argument bits
 * before 6.5. (sealbox's probe reads ENOSYS as "absent" for all but
 * hugetlb sealing, which it reports as present on 4.14 and 4.15.)
 *
 * What a filter cannot hide, so X.Y still shows through: uname(2), the
 * contents of structures passed by pointer (SECCOMP_ADDFD_FLAG_SEND,
 * SECCOMP_USER_NOTIF_FLAG_CONTINUE, openat2's how), files in /proc and
 * /sys (vm.memfd_noexec), and behaviour changes of calls that exist (the
 * read-only shared mapping of a write-sealed memfd, 6.7).
 *
 * Calls libseccomp does not know by name are skipped (--list says so).
 * --except NAME,... leaves the named rules out (debugging: run sealbox on a
 * 3.10 that has seccomp(2), say). Exit status: PROG's, or 125 for an error
 * of legacy-kernel itself, 126/127 when PROG cannot be run / is not found.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define KV(a, b) ((a) * 1000 + (b))
#define LEGACY_TRACE_DATA 0x4c4b /* "LK": not sealbox's own (0) */

#define MFD_HUGETLB_ 0x0004U
#define MFD_ALLOW_SEALING_ 0x0002U
#define MFD_NOEXEC_SEAL_ 0x0008U
#define MFD_EXEC_ 0x0010U
#define F_ADD_SEALS_ 1033
#define F_GET_SEALS_ 1034
#define F_SEAL_FUTURE_WRITE_ 0x0010U
#define F_SEAL_EXEC_ 0x0020U
#define O_TMPFILE_BIT 020000000U /* __O_TMPFILE */
#define SECCOMP_SET_MODE_FILTER_ 1
#define SECCOMP_GET_ACTION_AVAIL_ 2
#define SECCOMP_GET_NOTIF_SIZES_ 3
#define SECCOMP_IOCTL_NOTIF_ADDFD_ 0x40182103U   /* _IOW('!', 3, 24 bytes) */
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS_ 0x40082104U /* _IOW('!', 4, u64) */
#define PTRACE_SETOPTIONS_ 0x4200
#define PTRACE_SEIZE_ 0x4206
#define PTRACE_INTERRUPT_ 0x4207
#define PTRACE_LISTEN_ 0x4208
#define PTRACE_GET_SYSCALL_INFO_ 0x420e
#define PTRACE_O_EXITKILL_ (1U << 20)
#define PTRACE_O_SUSPEND_SECCOMP_ (1U << 21)
#define CLONE_PIDFD_ 0x1000U
#define CLOSE_RANGE_CLOEXEC_ 4U
#define PIDFD_NONBLOCK_ 04000U  /* O_NONBLOCK */
#define PIDFD_THREAD_ 0200U     /* O_EXCL */

enum answer {
	A_TRACE,  /* RET_TRACE: ENOSYS untraced, sealbox's rule wins */
	A_ENOSYS,
	A_EINVAL,
	A_EIO,
	A_EISDIR,
};

#define NONE { 0, 0, 0, 0 }
#define EQ(arg, v) { arg, SCMP_CMP_EQ, v, 0 }
#define BITS(arg, mask) { arg, SCMP_CMP_MASKED_EQ, mask, mask }
#define CMD(arg, v) { arg, SCMP_CMP_MASKED_EQ, 0xffffffffU, v }
#define ABOVE(arg, v) { arg, SCMP_CMP_GT, v, 0 }

struct rule {
	const char *name;      /* for --except and --list */
	const char *syscall;
	int since;             /* first kernel that has it */
	enum answer answer;
	unsigned int ncmp;
	struct scmp_arg_cmp cmp[2];
};

/* Rules with one MASKED_EQ(mask, mask) test need the whole mask set; a
 * rule per bit says "any of these bits". */
static const struct rule rules[] = {
	/* memfd and sealing: RET_TRACE (see the top of this file) */
	{ "memfd_create", "memfd_create", KV(3, 17), A_TRACE, 0, { NONE } },
	{ "seals", "fcntl", KV(3, 17), A_TRACE, 1, { CMD(1, F_ADD_SEALS_) } },
	{ "seals", "fcntl", KV(3, 17), A_TRACE, 1, { CMD(1, F_GET_SEALS_) } },
	{ "seals", "fcntl64", KV(3, 17), A_TRACE, 1, { CMD(1, F_ADD_SEALS_) } },
	{ "seals", "fcntl64", KV(3, 17), A_TRACE, 1, { CMD(1, F_GET_SEALS_) } },
	{ "mfd_hugetlb", "memfd_create", KV(4, 14), A_TRACE, 1,
	  { BITS(1, MFD_HUGETLB_) } },
	{ "hugetlb_sealing", "memfd_create", KV(4, 16), A_TRACE, 1,
	  { BITS(1, MFD_HUGETLB_ | MFD_ALLOW_SEALING_) } },
	{ "mfd_noexec_seal", "memfd_create", KV(6, 3), A_TRACE, 1,
	  { BITS(1, MFD_NOEXEC_SEAL_) } },
	{ "mfd_exec", "memfd_create", KV(6, 3), A_TRACE, 1,
	  { BITS(1, MFD_EXEC_) } },
	{ "seal_future_write", "fcntl", KV(5, 1), A_TRACE, 2,
	  { CMD(1, F_ADD_SEALS_), BITS(2, F_SEAL_FUTURE_WRITE_) } },
	{ "seal_exec", "fcntl", KV(6, 3), A_TRACE, 2,
	  { CMD(1, F_ADD_SEALS_), BITS(2, F_SEAL_EXEC_) } },
	{ "seals_arg_int", "fcntl", KV(6, 5), A_TRACE, 2,
	  { CMD(1, F_ADD_SEALS_), ABOVE(2, 0xffffffffULL) } },

	/* O_TMPFILE: older kernels ignore __O_TMPFILE, and the O_DIRECTORY
	 * in O_TMPFILE on a directory opened for writing gives EISDIR */
	{ "o_tmpfile", "open", KV(3, 11), A_EISDIR, 1,
	  { BITS(1, O_TMPFILE_BIT) } },
	{ "o_tmpfile", "openat", KV(3, 11), A_EISDIR, 1,
	  { BITS(2, O_TMPFILE_BIT) } },

	/* seccomp */
	{ "seccomp", "seccomp", KV(3, 17), A_ENOSYS, 0, { NONE } },
	{ "seccomp_log", "seccomp", KV(4, 14), A_EINVAL, 2,
	  { EQ(0, SECCOMP_SET_MODE_FILTER_), BITS(1, 2) } },
	{ "seccomp_spec_allow", "seccomp", KV(4, 17), A_EINVAL, 2,
	  { EQ(0, SECCOMP_SET_MODE_FILTER_), BITS(1, 4) } },
	{ "seccomp_user_notif", "seccomp", KV(5, 0), A_EINVAL, 2,
	  { EQ(0, SECCOMP_SET_MODE_FILTER_), BITS(1, 8) } },
	{ "seccomp_tsync_esrch", "seccomp", KV(5, 7), A_EINVAL, 2,
	  { EQ(0, SECCOMP_SET_MODE_FILTER_), BITS(1, 16) } },
	{ "wait_killable_recv", "seccomp", KV(5, 19), A_EINVAL, 2,
	  { EQ(0, SECCOMP_SET_MODE_FILTER_), BITS(1, 32) } },
	{ "seccomp_get_action_avail", "seccomp", KV(4, 14), A_EINVAL, 1,
	  { EQ(0, SECCOMP_GET_ACTION_AVAIL_) } },
	{ "seccomp_user_notif", "seccomp", KV(5, 0), A_EINVAL, 1,
	  { EQ(0, SECCOMP_GET_NOTIF_SIZES_) } },
	/* the listener's ioctl says EINVAL for a request it does not know */
	{ "user_notif_addfd", "ioctl", KV(5, 9), A_EINVAL, 1,
	  { CMD(1, SECCOMP_IOCTL_NOTIF_ADDFD_) } },
	{ "sync_wake_up", "ioctl", KV(6, 6), A_EINVAL, 1,
	  { CMD(1, SECCOMP_IOCTL_NOTIF_SET_FLAGS_) } },

	/* ptrace: unknown requests are EIO, unknown options EINVAL */
	{ "ptrace_seize", "ptrace", KV(3, 4), A_EIO, 1,
	  { CMD(0, PTRACE_SEIZE_) } },
	{ "ptrace_seize", "ptrace", KV(3, 4), A_EIO, 1,
	  { CMD(0, PTRACE_INTERRUPT_) } },
	{ "ptrace_seize", "ptrace", KV(3, 4), A_EIO, 1,
	  { CMD(0, PTRACE_LISTEN_) } },
	{ "ptrace_exitkill", "ptrace", KV(3, 8), A_EINVAL, 2,
	  { CMD(0, PTRACE_SEIZE_), BITS(3, PTRACE_O_EXITKILL_) } },
	{ "ptrace_exitkill", "ptrace", KV(3, 8), A_EINVAL, 2,
	  { CMD(0, PTRACE_SETOPTIONS_), BITS(3, PTRACE_O_EXITKILL_) } },
	{ "ptrace_suspend_seccomp", "ptrace", KV(4, 3), A_EINVAL, 2,
	  { CMD(0, PTRACE_SEIZE_), BITS(3, PTRACE_O_SUSPEND_SECCOMP_) } },
	{ "ptrace_get_syscall_info", "ptrace", KV(5, 3), A_EIO, 1,
	  { CMD(0, PTRACE_GET_SYSCALL_INFO_) } },

	/* flags of calls that exist */
	{ "clone_pidfd", "clone", KV(5, 2), A_EINVAL, 1,
	  { BITS(0, CLONE_PIDFD_) } },
	{ "close_range_cloexec", "close_range", KV(5, 11), A_EINVAL, 1,
	  { BITS(2, CLOSE_RANGE_CLOEXEC_) } },
	{ "pidfd_nonblock", "pidfd_open", KV(5, 10), A_EINVAL, 1,
	  { BITS(1, PIDFD_NONBLOCK_) } },
	{ "pidfd_thread", "pidfd_open", KV(6, 9), A_EINVAL, 1,
	  { BITS(1, PIDFD_THREAD_) } },

	/* system calls, by the release that added them */
	{ "kcmp", "kcmp", KV(3, 5), A_ENOSYS, 0, { NONE } },
	{ "finit_module", "finit_module", KV(3, 8), A_ENOSYS, 0, { NONE } },
	{ "sched_setattr", "sched_setattr", KV(3, 14), A_ENOSYS, 0, { NONE } },
	{ "sched_getattr", "sched_getattr", KV(3, 14), A_ENOSYS, 0, { NONE } },
	{ "renameat2", "renameat2", KV(3, 15), A_ENOSYS, 0, { NONE } },
	{ "getrandom", "getrandom", KV(3, 17), A_ENOSYS, 0, { NONE } },
	{ "bpf", "bpf", KV(3, 18), A_ENOSYS, 0, { NONE } },
	{ "execveat", "execveat", KV(3, 19), A_ENOSYS, 0, { NONE } },
	{ "userfaultfd", "userfaultfd", KV(4, 3), A_ENOSYS, 0, { NONE } },
	{ "membarrier", "membarrier", KV(4, 3), A_ENOSYS, 0, { NONE } },
	{ "mlock2", "mlock2", KV(4, 4), A_ENOSYS, 0, { NONE } },
	{ "copy_file_range", "copy_file_range", KV(4, 5), A_ENOSYS, 0,
	  { NONE } },
	{ "preadv2", "preadv2", KV(4, 6), A_ENOSYS, 0, { NONE } },
	{ "pwritev2", "pwritev2", KV(4, 6), A_ENOSYS, 0, { NONE } },
	{ "pkey_mprotect", "pkey_mprotect", KV(4, 9), A_ENOSYS, 0, { NONE } },
	{ "pkey_alloc", "pkey_alloc", KV(4, 9), A_ENOSYS, 0, { NONE } },
	{ "pkey_free", "pkey_free", KV(4, 9), A_ENOSYS, 0, { NONE } },
	{ "statx", "statx", KV(4, 11), A_ENOSYS, 0, { NONE } },
	{ "io_pgetevents", "io_pgetevents", KV(4, 18), A_ENOSYS, 0, { NONE } },
	{ "rseq", "rseq", KV(4, 18), A_ENOSYS, 0, { NONE } },
	{ "pidfd_send_signal", "pidfd_send_signal", KV(5, 1), A_ENOSYS, 0,
	  { NONE } },
	{ "io_uring", "io_uring_setup", KV(5, 1), A_ENOSYS, 0, { NONE } },
	{ "io_uring", "io_uring_enter", KV(5, 1), A_ENOSYS, 0, { NONE } },
	{ "io_uring", "io_uring_register", KV(5, 1), A_ENOSYS, 0, { NONE } },
	{ "mount_api", "open_tree", KV(5, 2), A_ENOSYS, 0, { NONE } },
	{ "mount_api", "move_mount", KV(5, 2), A_ENOSYS, 0, { NONE } },
	{ "mount_api", "fsopen", KV(5, 2), A_ENOSYS, 0, { NONE } },
	{ "mount_api", "fsconfig", KV(5, 2), A_ENOSYS, 0, { NONE } },
	{ "mount_api", "fsmount", KV(5, 2), A_ENOSYS, 0, { NONE } },
	{ "mount_api", "fspick", KV(5, 2), A_ENOSYS, 0, { NONE } },
	{ "pidfd_open", "pidfd_open", KV(5, 3), A_ENOSYS, 0, { NONE } },
	{ "clone3", "clone3", KV(5, 3), A_ENOSYS, 0, { NONE } },
	{ "openat2", "openat2", KV(5, 6), A_ENOSYS, 0, { NONE } },
	{ "pidfd_getfd", "pidfd_getfd", KV(5, 6), A_ENOSYS, 0, { NONE } },
	{ "faccessat2", "faccessat2", KV(5, 8), A_ENOSYS, 0, { NONE } },
	{ "close_range", "close_range", KV(5, 9), A_ENOSYS, 0, { NONE } },
	{ "process_madvise", "process_madvise", KV(5, 10), A_ENOSYS, 0,
	  { NONE } },
	{ "epoll_pwait2", "epoll_pwait2", KV(5, 11), A_ENOSYS, 0, { NONE } },
	{ "mount_setattr", "mount_setattr", KV(5, 12), A_ENOSYS, 0, { NONE } },
	{ "landlock", "landlock_create_ruleset", KV(5, 13), A_ENOSYS, 0,
	  { NONE } },
	{ "landlock", "landlock_add_rule", KV(5, 13), A_ENOSYS, 0, { NONE } },
	{ "landlock", "landlock_restrict_self", KV(5, 13), A_ENOSYS, 0,
	  { NONE } },
	{ "memfd_secret", "memfd_secret", KV(5, 14), A_ENOSYS, 0, { NONE } },
	{ "process_mrelease", "process_mrelease", KV(5, 15), A_ENOSYS, 0,
	  { NONE } },
	{ "futex_waitv", "futex_waitv", KV(5, 16), A_ENOSYS, 0, { NONE } },
	{ "set_mempolicy_home_node", "set_mempolicy_home_node", KV(5, 17),
	  A_ENOSYS, 0, { NONE } },
	{ "cachestat", "cachestat", KV(6, 5), A_ENOSYS, 0, { NONE } },
	{ "fchmodat2", "fchmodat2", KV(6, 6), A_ENOSYS, 0, { NONE } },
	{ "map_shadow_stack", "map_shadow_stack", KV(6, 6), A_ENOSYS, 0,
	  { NONE } },
	{ "futex2", "futex_wake", KV(6, 7), A_ENOSYS, 0, { NONE } },
	{ "futex2", "futex_wait", KV(6, 7), A_ENOSYS, 0, { NONE } },
	{ "futex2", "futex_requeue", KV(6, 7), A_ENOSYS, 0, { NONE } },
	{ "statmount", "statmount", KV(6, 8), A_ENOSYS, 0, { NONE } },
	{ "listmount", "listmount", KV(6, 8), A_ENOSYS, 0, { NONE } },
	{ "lsm", "lsm_get_self_attr", KV(6, 8), A_ENOSYS, 0, { NONE } },
	{ "lsm", "lsm_set_self_attr", KV(6, 8), A_ENOSYS, 0, { NONE } },
	{ "lsm", "lsm_list_modules", KV(6, 8), A_ENOSYS, 0, { NONE } },
	{ "mseal", "mseal", KV(6, 10), A_ENOSYS, 0, { NONE } },
	{ "xattrat", "setxattrat", KV(6, 13), A_ENOSYS, 0, { NONE } },
	{ "xattrat", "getxattrat", KV(6, 13), A_ENOSYS, 0, { NONE } },
	{ "xattrat", "listxattrat", KV(6, 13), A_ENOSYS, 0, { NONE } },
	{ "xattrat", "removexattrat", KV(6, 13), A_ENOSYS, 0, { NONE } },
	{ "open_tree_attr", "open_tree_attr", KV(6, 15), A_ENOSYS, 0,
	  { NONE } },
	{ "file_attr", "file_getattr", KV(6, 17), A_ENOSYS, 0, { NONE } },
	{ "file_attr", "file_setattr", KV(6, 17), A_ENOSYS, 0, { NONE } },
};

static uint32_t action_of(enum answer a)
{
	switch (a) {
	case A_TRACE:
		return SCMP_ACT_TRACE(LEGACY_TRACE_DATA);
	case A_ENOSYS:
		return SCMP_ACT_ERRNO(ENOSYS);
	case A_EINVAL:
		return SCMP_ACT_ERRNO(EINVAL);
	case A_EIO:
		return SCMP_ACT_ERRNO(EIO);
	case A_EISDIR:
		return SCMP_ACT_ERRNO(EISDIR);
	}
	return SCMP_ACT_ALLOW;
}

static const char *answer_name(enum answer a)
{
	switch (a) {
	case A_TRACE:
		return "TRACE (untraced: ENOSYS)";
	case A_ENOSYS:
		return "ENOSYS";
	case A_EINVAL:
		return "EINVAL";
	case A_EIO:
		return "EIO";
	case A_EISDIR:
		return "EISDIR";
	}
	return "?";
}

__attribute__((noreturn, format(printf, 1, 2)))
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("legacy-kernel: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(125);
}

static void usage(void)
{
	die("usage: legacy-kernel [--except NAME,...] [--list] X.Y -- PROG "
	    "[ARGS...]");
}

static bool excepted(const char *list, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = list; p && *p;) {
		size_t n = strcspn(p, ",");

		if (n == len && strncmp(p, name, n) == 0)
			return true;
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

static bool known_name(const char *name)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (strcmp(rules[i].name, name) == 0)
			return true;
	return false;
}

static bool applies(const struct rule *ru, int kv, const char *except)
{
	return kv < ru->since && !excepted(except, ru->name);
}

/* A call that does not exist at all answers ENOSYS whatever its flags. */
static bool shadowed(const struct rule *ru, int kv, const char *except)
{
	if (ru->ncmp == 0)
		return false;
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rules[i].ncmp == 0 &&
		    strcmp(rules[i].syscall, ru->syscall) == 0 &&
		    applies(&rules[i], kv, except))
			return true;
	return false;
}

static void print_rule(const struct rule *ru)
{
	printf("%-26s %-24s %s", ru->name, ru->syscall,
	       answer_name(ru->answer));
	for (unsigned int c = 0; c < ru->ncmp; c++) {
		const struct scmp_arg_cmp *cmp = &ru->cmp[c];

		printf("%s arg%u ", c ? " and" : " if", cmp->arg);
		if (cmp->op == SCMP_CMP_EQ)
			printf("== 0x%llx", (unsigned long long)cmp->datum_a);
		else if (cmp->op == SCMP_CMP_GT)
			printf("> 0x%llx", (unsigned long long)cmp->datum_a);
		else if (cmp->datum_a == 0xffffffffU)
			printf("== 0x%llx", (unsigned long long)cmp->datum_b);
		else
			printf("has bits 0x%llx",
			       (unsigned long long)cmp->datum_a);
	}
	printf("\n");
}

static int parse_version(const char *s, int *kv)
{
	char *end;
	long major = strtol(s, &end, 10), minor;

	if (end == s || *end != '.')
		return -1;
	s = end + 1;
	minor = strtol(s, &end, 10);
	if (end == s || (*end && *end != '.') || major < 2 || major > 99 ||
	    minor < 0 || minor > 999)
		return -1;
	*kv = KV((int)major, (int)minor);
	return 0;
}

int main(int argc, char **argv)
{
	const char *except = NULL;
	bool list = false;
	int kv = 0, i, err, added = 0;
	scmp_filter_ctx ctx;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--except") == 0 && i + 1 < argc) {
			except = argv[++i];
		} else if (strncmp(argv[i], "--except=", 9) == 0) {
			except = argv[i] + 9;
		} else if (strcmp(argv[i], "--list") == 0) {
			list = true;
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (argv[i][0] == '-') {
			usage();
		} else if (!kv) {
			if (parse_version(argv[i], &kv) < 0)
				die("%s: expected a version such as 3.10",
				    argv[i]);
		} else {
			break;
		}
	}
	if (!kv || (!list && i >= argc))
		usage();
	for (const char *p = except; p && *p;) {
		size_t n = strcspn(p, ",");
		char name[64];

		snprintf(name, sizeof(name), "%.*s", (int)n, p);
		if (!known_name(name))
			die("--except: unknown rule '%s' (see --list)", name);
		p += n;
		if (*p == ',')
			p++;
	}

	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		die("seccomp_init failed");
#if defined(__x86_64__)
	/* the same answers through int 0x80 and the x32 entry */
	if (seccomp_arch_add(ctx, SCMP_ARCH_X86) < 0 ||
	    seccomp_arch_add(ctx, SCMP_ARCH_X32) < 0)
		die("seccomp_arch_add failed");
#endif
	for (size_t r = 0; r < sizeof(rules) / sizeof(rules[0]); r++) {
		const struct rule *ru = &rules[r];
		int nr;

		if (!applies(ru, kv, except) || shadowed(ru, kv, except))
			continue;
		nr = seccomp_syscall_resolve_name(ru->syscall);
		if (nr == __NR_SCMP_ERROR) {
			if (list)
				printf("%-26s %-24s skipped: unknown to "
				       "libseccomp\n", ru->name, ru->syscall);
			continue;
		}
		err = seccomp_rule_add_array(ctx, action_of(ru->answer), nr,
					     ru->ncmp, ru->cmp);
		if (err == -EDOM || err == -EFAULT)
			continue; /* not on this architecture */
		if (err < 0)
			die("rule %s (%s): %s", ru->name, ru->syscall,
			    strerror(-err));
		added++;
		if (list)
			print_rule(ru);
	}
	if (list) {
		seccomp_release(ctx);
		return 0;
	}
	/* an unprivileged filter needs no_new_privs; sealbox sets it anyway */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1) < 0)
		die("no_new_privs attribute failed");
	if (added > 0) {
		err = seccomp_load(ctx);
		if (err < 0)
			die("loading the filter: %s", strerror(-err));
	}
	seccomp_release(ctx);
	execvp(argv[i], argv + i);
	err = errno;
	fprintf(stderr, "legacy-kernel: %s: %s\n", argv[i], strerror(err));
	return err == ENOENT || err == ENOTDIR ? 127 : 126;
}
