/* SPDX-License-Identifier: MIT */
/*
 * kfeatures.h: what the running kernel has.
 *
 * Each feature is three-state (unknown until probed, then yes or no), cached
 * once probed, and overridable: a test or an option can force any feature
 * off (or on) before or after probing. The probing itself talks to the kernel
 * and lives in sandbox/probe.c; this module only holds the table and the
 * state, so it can be unit-tested without a kernel.
 */
#ifndef SEALBOX_KFEATURES_H
#define SEALBOX_KFEATURES_H

#include <stdbool.h>
#include <stddef.h>

/* A kernel version as one comparable number: KV(5, 10) == 5010. */
#define KV(major, minor) ((major) * 1000 + (minor))

enum sb_feature {
	/* what sealbox provides (memfd and sealing) */
	SB_F_MEMFD_CREATE,
	SB_F_MFD_CLOEXEC,
	SB_F_MFD_ALLOW_SEALING,
	SB_F_MFD_HUGETLB,
	SB_F_MFD_NOEXEC_SEAL,
	SB_F_MFD_EXEC,
	SB_F_SEAL_SEAL,
	SB_F_SEAL_SHRINK,
	SB_F_SEAL_GROW,
	SB_F_SEAL_WRITE,
	SB_F_SEAL_FUTURE_WRITE,
	SB_F_SEAL_EXEC,
	SB_F_HUGETLB_SEALING,
	SB_F_MEMFD_NOEXEC_SYSCTL,
	SB_F_SEALS_ARG_INT,     /* F_ADD_SEALS drops arg bits above 32 */
	SB_F_MAP_RO_UNDER_WRITE, /* RO MAP_SHARED of a W-sealed memfd via O_RDWR fd */
	/* what sealbox needs (transports and backing store) */
	SB_F_O_TMPFILE,
	SB_F_SECCOMP_FILTER,
	SB_F_SECCOMP_USER_NOTIF,
	SB_F_USER_NOTIF_CONTINUE,
	SB_F_USER_NOTIF_ADDFD,
	SB_F_ADDFD_SEND,
	SB_F_WAIT_KILLABLE_RECV,
	SB_F_SYNC_WAKE_UP,
	SB_F_PIDFD_OPEN,
	SB_F_PIDFD_GETFD,
	SB_F_PTRACE_SECCOMP,    /* SECCOMP_RET_TRACE stops, skip and fake result */
	SB_F_PTRACE_EXITKILL,
	SB_F_COUNT
};

/* Which side of sealbox a feature belongs to. */
enum sb_feature_kind {
	SB_FK_PROVIDED, /* sealbox can provide it to programs */
	SB_FK_BEHAVIOUR, /* a kernel behaviour that changed between versions */
	SB_FK_SUPPORT,  /* sealbox itself uses it */
};

enum sb_tristate {
	SB_UNKNOWN = 0,
	SB_NO,
	SB_YES,
};

struct sb_feature_info {
	enum sb_feature id;
	const char *name;        /* stable key, used in JSON and overrides */
	enum sb_feature_kind kind;
	int since;               /* first mainline kernel with it, KV() */
	const char *what;        /* one line for people */
};

/* The state of every feature, as probed and overridden. */
struct sb_features {
	enum sb_tristate state[SB_F_COUNT];
	bool forced[SB_F_COUNT]; /* set by an override, probing leaves it alone */
	int memfd_noexec;        /* vm.memfd_noexec, -1 when absent or unknown */
};

const struct sb_feature_info *sb_feature_info(enum sb_feature f);
/* Look a feature up by its name; -1 when unknown. */
int sb_feature_by_name(const char *name);

void sb_features_init(struct sb_features *fs);
/* Record a probe result; a forced state is kept. */
void sb_features_set_probed(struct sb_features *fs, enum sb_feature f, bool yes);
void sb_features_force(struct sb_features *fs, enum sb_feature f, bool yes);
bool sb_features_has(const struct sb_features *fs, enum sb_feature f);

/*
 * Apply an override list: comma-separated names, each optionally prefixed by
 * '-' (force off) or '+' (force on). "-all" forces off every provided and
 * behaviour feature. Returns 0, or -EINVAL naming the bad entry in *bad
 * (pointing into spec) when a name is unknown.
 */
int sb_features_override(struct sb_features *fs, const char *spec,
			 const char **bad, size_t *bad_len);

/* Parse "X.Y" (or "X.Y.Z", patch ignored) into KV(); -EINVAL on bad input. */
int sb_parse_kernel_version(const char *s, int *kv);
/* Format a KV() number; returns buf. */
const char *sb_format_kernel_version(int kv, char *buf, size_t len);

#endif /* SEALBOX_KFEATURES_H */
