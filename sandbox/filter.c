/* SPDX-License-Identifier: MIT */
#include "filter.h"

#include <errno.h>
#include <linux/filter.h>
#include <cap-ng.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kcompat.h"
#include "util.h"

static void release_ctx(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

#define auto_ctx __attribute__((cleanup(release_ctx)))

static int to_scmp(const struct sb_emulator *e, const struct sb_arg_cmp *in,
		   struct scmp_arg_cmp *out)
{
	memset(out, 0, sizeof(*out));
	out->arg = in->arg;
	switch (in->op) {
	case SB_CMP_EQ:
		out->op = SCMP_CMP_EQ;
		out->datum_a = in->a;
		return 0;
	case SB_CMP_GE:
		out->op = SCMP_CMP_GE;
		out->datum_a = in->a;
		return 0;
	case SB_CMP_GT:
		out->op = SCMP_CMP_GT;
		out->datum_a = in->a;
		return 0;
	case SB_CMP_GE_FD_BASE:
		/*
		 * The kernel reads fds as unsigned int; any upper bits only
		 * make the 64-bit value larger, so >= never lets an fd in
		 * the range slip through.
		 */
		out->op = SCMP_CMP_GE;
		out->datum_a = (uint64_t)e->fd_base;
		return 0;
	case SB_CMP_MASKED_EQ:
		out->op = SCMP_CMP_MASKED_EQ;
		out->datum_a = in->a;
		out->datum_b = in->b;
		return 0;
	case SB_CMP_NONE:
		break;
	}
	return -EINVAL;
}

/* Add h's rules with `action` to ctx (syscalls unknown to the arch are
 * skipped). Returns the number of rules added or -errno. */
static int add_rules(scmp_filter_ctx ctx, const struct sb_emulator *e,
		     const struct sb_handler *h, uint32_t action)
{
	int nr = seccomp_syscall_resolve_name(h->syscall);
	int added = 0, err;

	if (nr == __NR_SCMP_ERROR)
		return 0;
	if (h->nrules == 0) {
		err = seccomp_rule_add(ctx, action, nr, 0);
		return err == -EDOM || err == -EFAULT ? 0 : (err < 0 ? err : 1);
	}
	for (unsigned int r = 0; r < h->nrules; r++) {
		struct scmp_arg_cmp cmp[2];
		unsigned int ncmp = 0;

		for (unsigned int i = 0; i < h->rules[r].ncmp; i++) {
			/* strict: an alias of an emulated file may sit at
			 * any number, so the range says nothing */
			if (h->rules[r].cmp[i].op == SB_CMP_GE_FD_BASE &&
			    e->strict_fds)
				continue;
			err = to_scmp(e, &h->rules[r].cmp[i], &cmp[ncmp]);
			if (err < 0)
				return err;
			ncmp++;
		}
		err = seccomp_rule_add_array(ctx, action, nr, ncmp, cmp);
		/* EDOM/EFAULT: the syscall does not exist on this arch */
		if (err == -EDOM || err == -EFAULT)
			continue;
		if (err < 0)
			return err;
		added++;
	}
	return added;
}

/* Load ctx as BPF with our own flags (libseccomp 2.5 knows neither
 * WAIT_KILLABLE_RECV nor how to hand back a listener with them). */
static int load(scmp_filter_ctx ctx, unsigned long flags)
{
	int pipefd[2];
	struct sock_filter insns[4096];
	struct sock_fprog prog;
	ssize_t n, got = 0;
	int err;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return neg_errno();
	err = seccomp_export_bpf(ctx, pipefd[1]);
	close(pipefd[1]);
	if (err < 0) {
		close(pipefd[0]);
		return err;
	}
	while ((n = read(pipefd[0], (char *)insns + got,
			 sizeof(insns) - (size_t)got)) > 0)
		got += n;
	close(pipefd[0]);
	if (got <= 0 || got % sizeof(insns[0]))
		return -EINVAL;
	prog.len = (unsigned short)(got / sizeof(insns[0]));
	prog.filter = insns;
	err = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	/* 3.5 to 3.16 have filters but not seccomp(2) */
	if (err < 0 && errno == ENOSYS && flags == 0)
		err = prctl(PR_SET_SECCOMP, 2 /* SECCOMP_MODE_FILTER */, &prog,
			    0, 0);
	return err < 0 ? neg_errno() : err;
}

static int build_compat(const struct sb_emulator *e)
{
	auto_ctx scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	size_t n;
	const struct sb_handler *h = sb_handlers(&n);
	int total = 0;

	if (!ctx)
		return -ENOMEM;
#if defined(__x86_64__)
	if (seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE) < 0 ||
	    seccomp_arch_add(ctx, SCMP_ARCH_X86) < 0 ||
	    seccomp_arch_add(ctx, SCMP_ARCH_X32) < 0)
		return -EINVAL;
#else
	return 0; /* no compat entry points sealbox knows of here */
#endif
	if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW) < 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		struct sb_handler any;
		int err;

		if (!sb_handler_wanted(e, &h[i]))
			continue;
		/* an i386 exec runs on its own file (ETXTBSY for an emulated
		 * memfd on a tmpfs store), not failed: what it execs may be
		 * a native program */
		if (h[i].when == SB_WHEN_EXEC_COPY)
			continue;
		any = h[i];
		if (any.compat_any_args && e->strict_fds)
			any.nrules = 0;
		err = add_rules(ctx, e, &any, SCMP_ACT_ERRNO(ENOSYS));
		if (err < 0)
			return err;
		total += err;
	}
	if (total == 0)
		return 0;
	return load(ctx, 0);
}

static bool may_filter_without_nnp(void)
{
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_get_caps_process() < 0)
		return false;
	return capng_have_capability(CAPNG_EFFECTIVE, CAP_SYS_ADMIN);
}

int sb_drop_ptrace_cap(void)
{
	bool bounding;

	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_get_caps_process() < 0)
		return -EPERM;
	/* without CAP_SETPCAP the bounding set stays (and with no_new_privs
	 * nothing can bring the capability back through it) */
	bounding = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP) &&
		   capng_have_capability(CAPNG_BOUNDING_SET, CAP_SYS_PTRACE);
	if (!bounding &&
	    !capng_have_capability(CAPNG_PERMITTED, CAP_SYS_PTRACE) &&
	    !capng_have_capability(CAPNG_INHERITABLE, CAP_SYS_PTRACE))
		return 0;
	if (capng_update(CAPNG_DROP, CAPNG_EFFECTIVE | CAPNG_PERMITTED |
			 CAPNG_INHERITABLE | (bounding ? CAPNG_BOUNDING_SET : 0),
			 CAP_SYS_PTRACE) < 0 ||
	    capng_apply(bounding ? CAPNG_SELECT_BOTH : CAPNG_SELECT_CAPS) < 0)
		return -EPERM;
	return 0;
}

int sb_filter_install(const struct sb_emulator *e, enum sb_filter_action act,
		      bool wait_killable, bool *installed)
{
	auto_ctx scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	uint32_t intercept = act == SB_FILTER_NOTIFY ? SCMP_ACT_NOTIFY :
			     SCMP_ACT_TRACE(0);
	unsigned long flags = 0;
	size_t n;
	const struct sb_handler *h = sb_handlers(&n);
	int notified = 0, err;

	*installed = false;
	if (!ctx)
		return -ENOMEM;
	if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW) < 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		int errno_answer;

		if (!sb_handler_wanted(e, &h[i]))
			continue;
		errno_answer = sb_handler_filter_errno(e, &h[i]);
		err = add_rules(ctx, e, &h[i], errno_answer ?
				SCMP_ACT_ERRNO((uint32_t)errno_answer) :
				intercept);
		if (err < 0)
			return err;
		if (!errno_answer)
			notified += err;
	}
	/*
	 * Installing a filter needs no_new_privs, or CAP_SYS_ADMIN: with it
	 * (root), set-user-ID programs in the tree keep working as usual.
	 */
	if (!may_filter_without_nnp() &&
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return neg_errno();
	err = build_compat(e);
	if (err < 0)
		return err;
	if (act == SB_FILTER_NOTIFY && notified > 0) {
		flags = SECCOMP_FILTER_FLAG_NEW_LISTENER;
		if (wait_killable)
			flags |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	}
	err = load(ctx, flags);
	if (err < 0)
		return err;
	*installed = notified > 0;
	return act == SB_FILTER_NOTIFY && notified > 0 ? err : 0;
}
