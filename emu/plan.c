/* SPDX-License-Identifier: MIT */
#include "plan.h"

#include <errno.h>
#include <string.h>

#include "kcompat.h"

void sb_options_init(struct sb_options *o)
{
	memset(o, 0, sizeof(*o));
	o->emulate = SB_EMULATE_AUTO;
	o->backend = SB_BACKEND_AUTO;
}

static bool can_notify(const struct sb_features *fs, const char **why)
{
	if (!sb_features_has(fs, SB_F_SECCOMP_USER_NOTIF)) {
		*why = "no seccomp user notification (Linux 5.0)";
		return false;
	}
	if (!sb_features_has(fs, SB_F_USER_NOTIF_CONTINUE)) {
		*why = "no SECCOMP_USER_NOTIF_FLAG_CONTINUE (Linux 5.5)";
		return false;
	}
	if (!sb_features_has(fs, SB_F_PIDFD_GETFD)) {
		*why = "no pidfd_getfd (Linux 5.6)";
		return false;
	}
	if (!sb_features_has(fs, SB_F_USER_NOTIF_ADDFD)) {
		*why = "no SECCOMP_IOCTL_NOTIF_ADDFD (Linux 5.9)";
		return false;
	}
	*why = sb_features_has(fs, SB_F_ADDFD_SEND) ?
		"seccomp user notification with ADDFD_FLAG_SEND" :
		"seccomp user notification with ADDFD (no FLAG_SEND: "
		"inject, then reply)";
	return true;
}

static bool can_ptrace(const struct sb_features *fs, const char **why)
{
	if (!sb_features_has(fs, SB_F_SECCOMP_FILTER)) {
		*why = "no seccomp filters (Linux 3.5)";
		return false;
	}
	if (!sb_features_has(fs, SB_F_PTRACE_SECCOMP)) {
		*why = "ptrace with SECCOMP_RET_TRACE does not work here";
		return false;
	}
	*why = "ptrace with SECCOMP_RET_TRACE";
	return true;
}

static int choose_backend(const struct sb_features *fs, enum sb_backend want,
			  struct sb_plan *plan, const char **why)
{
	const char *notify_why = NULL, *ptrace_why = NULL;
	bool notify = can_notify(fs, &notify_why);
	bool ptrace = can_ptrace(fs, &ptrace_why);

	switch (want) {
	case SB_BACKEND_NOTIFY:
		if (!notify) {
			*why = notify_why;
			return -EINVAL;
		}
		plan->backend = SB_BACKEND_NOTIFY;
		plan->backend_why = notify_why;
		return 0;
	case SB_BACKEND_PTRACE:
		if (!ptrace) {
			*why = ptrace_why;
			return -EINVAL;
		}
		plan->backend = SB_BACKEND_PTRACE;
		plan->backend_why = ptrace_why;
		return 0;
	case SB_BACKEND_PRELOAD:
		plan->backend = SB_BACKEND_PRELOAD;
		plan->backend_why = "requested: in-process LD_PRELOAD shim";
		return 0;
	case SB_BACKEND_AUTO:
	case SB_BACKEND_NONE:
		break;
	}
	if (notify) {
		plan->backend = SB_BACKEND_NOTIFY;
		plan->backend_why = notify_why;
	} else if (ptrace) {
		plan->backend = SB_BACKEND_PTRACE;
		plan->backend_why = notify_why; /* why not notify says it all */
	} else {
		plan->backend = SB_BACKEND_PRELOAD;
		plan->backend_why = ptrace_why;
	}
	return 0;
}

static enum sb_action decide(const struct sb_features *fs,
			     const struct sb_options *o, enum sb_feature f)
{
	const struct sb_feature_info *info = sb_feature_info(f);

	if (info->kind == SB_FK_SUPPORT)
		return sb_features_has(fs, f) ? SB_NATIVE : SB_ABSENT;
	if (o->pretend && info->since > o->pretend)
		return SB_HIDDEN;
	/* sealbox applies the host's policy; it does not make up the file */
	if (f == SB_F_MEMFD_NOEXEC_SYSCTL)
		return sb_features_has(fs, f) ? SB_NATIVE : SB_ABSENT;
	if (o->emulate == SB_EMULATE_ALL)
		return SB_EMULATED;
	if (sb_features_has(fs, f))
		return SB_NATIVE;
	/* auto lets the kernel keep the rules of the seals it enforces */
	return info->kind == SB_FK_BEHAVIOUR ? SB_ABSENT : SB_EMULATED;
}

static bool shown(const struct sb_plan *p, enum sb_feature f)
{
	return p->action[f] != SB_HIDDEN && p->action[f] != SB_ABSENT;
}

static void derive_rules(const struct sb_features *fs, struct sb_plan *p)
{
	static const struct {
		enum sb_feature f;
		unsigned int bit;
	} seal_bits[] = {
		{ SB_F_SEAL_SEAL, F_SEAL_SEAL },
		{ SB_F_SEAL_SHRINK, F_SEAL_SHRINK },
		{ SB_F_SEAL_GROW, F_SEAL_GROW },
		{ SB_F_SEAL_WRITE, F_SEAL_WRITE },
		{ SB_F_SEAL_FUTURE_WRITE, F_SEAL_FUTURE_WRITE },
		{ SB_F_SEAL_EXEC, F_SEAL_EXEC },
	};

	p->memfd.have_memfd = shown(p, SB_F_MEMFD_CREATE);
	p->memfd.have_hugetlb = shown(p, SB_F_MFD_HUGETLB);
	p->memfd.hugetlb_seals = shown(p, SB_F_HUGETLB_SEALING);
	p->memfd.have_exec = shown(p, SB_F_MFD_NOEXEC_SEAL) &&
			     shown(p, SB_F_MFD_EXEC);
	/*
	 * The policy is the kernel's own sysctl where it has one (emulated
	 * or not, the administrator's choice holds), else level 0.
	 */
	p->memfd.noexec_scope = 0;
	if (p->memfd.have_exec && shown(p, SB_F_MEMFD_NOEXEC_SYSCTL) &&
	    fs->memfd_noexec > 0)
		p->memfd.noexec_scope = fs->memfd_noexec > 2 ?
			2 : fs->memfd_noexec;
	p->memfd.noexec_ratchet = p->reference >= KV(6, 3) &&
				  p->reference < KV(6, 6);

	p->seal.known = 0;
	if (shown(p, SB_F_SEAL_SEAL))
		for (size_t i = 0; i < sizeof(seal_bits) / sizeof(seal_bits[0]);
		     i++)
			if (shown(p, seal_bits[i].f))
				p->seal.known |= seal_bits[i].bit;
	p->seal.arg_int = shown(p, SB_F_SEALS_ARG_INT);
	p->seal.type_check_first = p->reference < KV(4, 16);
	p->seal.map_ro_under_write = shown(p, SB_F_MAP_RO_UNDER_WRITE);
	p->seal.write_chunk = 4096;
}

/* Only the 6.3 exec pieces are missing, and nothing asks for old
 * behaviour the kernel no longer has: the kernel can keep everything else. */
static bool layered_exec_suffices(const struct sb_plan *p)
{
	static const enum sb_feature exec_side[] = {
		SB_F_MFD_NOEXEC_SEAL, SB_F_MFD_EXEC, SB_F_SEAL_EXEC,
		SB_F_MEMFD_NOEXEC_SYSCTL,
	};
	bool missing = false;

	for (size_t i = 0; i < SB_F_COUNT; i++) {
		const struct sb_feature_info *fi =
			sb_feature_info((enum sb_feature)i);
		bool exec_piece = false;

		if (fi->kind == SB_FK_SUPPORT || p->action[i] == SB_NATIVE ||
		    p->action[i] == SB_ABSENT)
			continue;
		for (size_t k = 0; k < sizeof(exec_side) / sizeof(exec_side[0]);
		     k++)
			if (exec_side[k] == (enum sb_feature)i)
				exec_piece = true;
		if (p->action[i] == SB_EMULATED && exec_piece)
			missing = true;
		else if (p->action[i] == SB_EMULATED)
			return false;
		else if (fi->kind == SB_FK_BEHAVIOUR && p->emulated_files)
			return false; /* an old behaviour needs our own files */
	}
	return missing;
}

/* Each behaviour feature and the seal feature whose rules it changes. */
static const struct {
	enum sb_feature behaviour, seal;
} behaviour_of[] = {
	{ SB_F_SEALS_ARG_INT, SB_F_SEAL_SEAL },      /* F_ADD_SEALS itself */
	{ SB_F_MAP_RO_UNDER_WRITE, SB_F_SEAL_WRITE },
};

int sb_plan_make(const struct sb_features *fs, const struct sb_options *o,
		 struct sb_plan *plan, const char **why)
{
	static const enum sb_feature memfd_side[] = {
		SB_F_MEMFD_CREATE, SB_F_MFD_CLOEXEC, SB_F_MFD_ALLOW_SEALING,
		SB_F_MFD_HUGETLB, SB_F_MFD_NOEXEC_SEAL, SB_F_MFD_EXEC,
		SB_F_HUGETLB_SEALING, SB_F_MEMFD_NOEXEC_SYSCTL,
	};
	static const enum sb_feature seal_side[] = {
		SB_F_SEAL_SEAL, SB_F_SEAL_SHRINK, SB_F_SEAL_GROW,
		SB_F_SEAL_WRITE, SB_F_SEAL_FUTURE_WRITE, SB_F_SEAL_EXEC,
		SB_F_SEALS_ARG_INT, SB_F_MAP_RO_UNDER_WRITE,
	};
	int err;

	memset(plan, 0, sizeof(*plan));
	if (o->pretend && (o->pretend < KV(3, 0) ||
			   o->pretend > SB_REFERENCE_KERNEL)) {
		*why = "--pretend-kernel must lie between 3.0 and 6.18";
		return -EINVAL;
	}
	plan->reference = o->pretend ? o->pretend : SB_REFERENCE_KERNEL;
	plan->enforce_user = o->enforce_user;
	err = choose_backend(fs, o->backend, plan, why);
	if (err < 0)
		return err;

	for (size_t i = 0; i < SB_F_COUNT; i++)
		plan->action[i] = decide(fs, o, (enum sb_feature)i);
	/*
	 * auto leaves a newer behaviour of the seals to the kernel that
	 * enforces them; where sealbox holds the seal itself (no sealing in
	 * the kernel at all, before 3.17), the behaviour is sealbox's to give,
	 * as the reference kernel has it.
	 */
	for (size_t i = 0; i < sizeof(behaviour_of) / sizeof(behaviour_of[0]); i++)
		if (plan->action[behaviour_of[i].behaviour] == SB_ABSENT &&
		    plan->action[behaviour_of[i].seal] == SB_EMULATED)
			plan->action[behaviour_of[i].behaviour] = SB_EMULATED;

	for (size_t i = 0; i < sizeof(memfd_side) / sizeof(memfd_side[0]); i++)
		if (plan->action[memfd_side[i]] != SB_NATIVE)
			plan->intercept_memfd = true;
	for (size_t i = 0; i < sizeof(seal_side) / sizeof(seal_side[0]); i++)
		if (plan->action[seal_side[i]] != SB_NATIVE)
			plan->intercept_seals = true;
	for (size_t i = 0; i < SB_F_COUNT; i++) {
		if (plan->action[i] == SB_EMULATED)
			plan->emulated_files = true;
		/*
		 * An older behaviour the kernel no longer has (RO shared maps
		 * under F_SEAL_WRITE refused, wide F_ADD_SEALS arguments
		 * refused) can only be shown on files sealbox emulates.
		 */
		if (plan->action[i] == SB_HIDDEN &&
		    sb_feature_info((enum sb_feature)i)->kind ==
		    SB_FK_BEHAVIOUR && sb_features_has(fs, (enum sb_feature)i))
			plan->emulated_files = plan->intercept_memfd = true;
	}

	plan->layered_exec = layered_exec_suffices(plan);
	if (plan->layered_exec)
		plan->emulated_files = false;
	derive_rules(fs, plan);
	return 0;
}

bool sb_plan_prefer_ptrace(struct sb_plan *plan, const struct sb_features *fs,
			   const struct sb_options *o)
{
	const char *why;

	if (o->backend != SB_BACKEND_AUTO ||
	    plan->backend != SB_BACKEND_NOTIFY || !can_ptrace(fs, &why))
		return false;
	plan->backend = SB_BACKEND_PTRACE;
	plan->backend_why = "ptrace with SECCOMP_RET_TRACE: sealbox alone "
			    "holds the seals here, and only ptrace runs a "
			    "checked call on the file it checked";
	return true;
}

const char *sb_action_name(enum sb_action a)
{
	switch (a) {
	case SB_NATIVE:
		return "native";
	case SB_EMULATED:
		return "emulated";
	case SB_HIDDEN:
		return "hidden";
	case SB_ABSENT:
		return "absent";
	}
	return "?";
}

static const char *const backend_names[] = {
	[SB_BACKEND_AUTO] = "auto",
	[SB_BACKEND_NOTIFY] = "notify",
	[SB_BACKEND_PTRACE] = "ptrace",
	[SB_BACKEND_PRELOAD] = "preload",
	[SB_BACKEND_NONE] = "none",
};

const char *sb_backend_name(enum sb_backend b)
{
	if ((unsigned)b >= sizeof(backend_names) / sizeof(backend_names[0]))
		return "?";
	return backend_names[b];
}

int sb_backend_parse(const char *s, enum sb_backend *b)
{
	/* "none" is an outcome, never a request */
	for (unsigned i = 0; i < SB_BACKEND_NONE; i++) {
		if (strcmp(s, backend_names[i]) == 0) {
			*b = (enum sb_backend)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *sb_emulate_name(enum sb_emulate e)
{
	return e == SB_EMULATE_ALL ? "all" : "auto";
}

int sb_emulate_parse(const char *s, enum sb_emulate *e)
{
	if (strcmp(s, "auto") == 0)
		*e = SB_EMULATE_AUTO;
	else if (strcmp(s, "all") == 0)
		*e = SB_EMULATE_ALL;
	else
		return -EINVAL;
	return 0;
}
