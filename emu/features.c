/* SPDX-License-Identifier: MIT */
#include "kfeatures.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The table is indexed by enum sb_feature; keep both in the same order. */
static const struct sb_feature_info feature_table[SB_F_COUNT] = {
	{ SB_F_MEMFD_CREATE, "memfd_create", SB_FK_PROVIDED, KV(3, 17),
	  "the memfd_create() system call" },
	{ SB_F_MFD_CLOEXEC, "mfd_cloexec", SB_FK_PROVIDED, KV(3, 17),
	  "MFD_CLOEXEC" },
	{ SB_F_MFD_ALLOW_SEALING, "mfd_allow_sealing", SB_FK_PROVIDED, KV(3, 17),
	  "MFD_ALLOW_SEALING" },
	{ SB_F_MFD_HUGETLB, "mfd_hugetlb", SB_FK_PROVIDED, KV(4, 14),
	  "MFD_HUGETLB and the MFD_HUGE_* size field" },
	{ SB_F_MFD_NOEXEC_SEAL, "mfd_noexec_seal", SB_FK_PROVIDED, KV(6, 3),
	  "MFD_NOEXEC_SEAL" },
	{ SB_F_MFD_EXEC, "mfd_exec", SB_FK_PROVIDED, KV(6, 3), "MFD_EXEC" },
	{ SB_F_SEAL_SEAL, "seal_seal", SB_FK_PROVIDED, KV(3, 17),
	  "F_ADD_SEALS/F_GET_SEALS and F_SEAL_SEAL" },
	{ SB_F_SEAL_SHRINK, "seal_shrink", SB_FK_PROVIDED, KV(3, 17),
	  "F_SEAL_SHRINK" },
	{ SB_F_SEAL_GROW, "seal_grow", SB_FK_PROVIDED, KV(3, 17),
	  "F_SEAL_GROW" },
	{ SB_F_SEAL_WRITE, "seal_write", SB_FK_PROVIDED, KV(3, 17),
	  "F_SEAL_WRITE" },
	{ SB_F_SEAL_FUTURE_WRITE, "seal_future_write", SB_FK_PROVIDED, KV(5, 1),
	  "F_SEAL_FUTURE_WRITE" },
	{ SB_F_SEAL_EXEC, "seal_exec", SB_FK_PROVIDED, KV(6, 3),
	  "F_SEAL_EXEC" },
	{ SB_F_HUGETLB_SEALING, "hugetlb_sealing", SB_FK_PROVIDED, KV(4, 16),
	  "MFD_HUGETLB together with MFD_ALLOW_SEALING" },
	{ SB_F_MEMFD_NOEXEC_SYSCTL, "memfd_noexec_sysctl", SB_FK_PROVIDED,
	  KV(6, 3), "the vm.memfd_noexec sysctl" },
	{ SB_F_SEALS_ARG_INT, "seals_arg_int", SB_FK_BEHAVIOUR, KV(6, 5),
	  "F_ADD_SEALS ignores argument bits above 32 (older: EINVAL)" },
	{ SB_F_MAP_RO_UNDER_WRITE, "map_ro_under_write", SB_FK_BEHAVIOUR,
	  KV(6, 7), "read-only MAP_SHARED of a write-sealed memfd through an "
	  "O_RDWR fd is allowed (older: EPERM)" },
	{ SB_F_O_TMPFILE, "o_tmpfile", SB_FK_SUPPORT, KV(3, 11),
	  "O_TMPFILE on tmpfs (backing store)" },
	{ SB_F_SECCOMP_FILTER, "seccomp_filter", SB_FK_SUPPORT, KV(3, 5),
	  "seccomp-bpf filters" },
	{ SB_F_SECCOMP_USER_NOTIF, "seccomp_user_notif", SB_FK_SUPPORT, KV(5, 0),
	  "SECCOMP_RET_USER_NOTIF and a listener fd" },
	{ SB_F_USER_NOTIF_CONTINUE, "user_notif_continue", SB_FK_SUPPORT,
	  KV(5, 5), "SECCOMP_USER_NOTIF_FLAG_CONTINUE" },
	{ SB_F_USER_NOTIF_ADDFD, "user_notif_addfd", SB_FK_SUPPORT, KV(5, 9),
	  "SECCOMP_IOCTL_NOTIF_ADDFD (fd injection)" },
	{ SB_F_ADDFD_SEND, "addfd_send", SB_FK_SUPPORT, KV(5, 14),
	  "SECCOMP_ADDFD_FLAG_SEND (inject and reply at once)" },
	{ SB_F_WAIT_KILLABLE_RECV, "wait_killable_recv", SB_FK_SUPPORT,
	  KV(5, 19), "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" },
	{ SB_F_SYNC_WAKE_UP, "sync_wake_up", SB_FK_SUPPORT, KV(6, 6),
	  "SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP" },
	{ SB_F_PIDFD_OPEN, "pidfd_open", SB_FK_SUPPORT, KV(5, 3),
	  "pidfd_open()" },
	{ SB_F_PIDFD_GETFD, "pidfd_getfd", SB_FK_SUPPORT, KV(5, 6),
	  "pidfd_getfd()" },
	{ SB_F_PTRACE_SECCOMP, "ptrace_seccomp", SB_FK_SUPPORT, KV(3, 5),
	  "SECCOMP_RET_TRACE stops under ptrace (skip a call, fake its result)" },
	{ SB_F_PTRACE_EXITKILL, "ptrace_exitkill", SB_FK_SUPPORT, KV(3, 8),
	  "PTRACE_O_EXITKILL" },
};

const struct sb_feature_info *sb_feature_info(enum sb_feature f)
{
	if ((unsigned)f >= SB_F_COUNT)
		return NULL;
	return &feature_table[f];
}

int sb_feature_by_name(const char *name)
{
	for (size_t i = 0; i < SB_F_COUNT; i++)
		if (strcmp(feature_table[i].name, name) == 0)
			return (int)i;
	return -1;
}

void sb_features_init(struct sb_features *fs)
{
	memset(fs, 0, sizeof(*fs));
	fs->memfd_noexec = -1;
}

void sb_features_set_probed(struct sb_features *fs, enum sb_feature f, bool yes)
{
	if ((unsigned)f >= SB_F_COUNT || fs->forced[f])
		return;
	fs->state[f] = yes ? SB_YES : SB_NO;
}

void sb_features_force(struct sb_features *fs, enum sb_feature f, bool yes)
{
	if ((unsigned)f >= SB_F_COUNT)
		return;
	fs->state[f] = yes ? SB_YES : SB_NO;
	fs->forced[f] = true;
}

bool sb_features_has(const struct sb_features *fs, enum sb_feature f)
{
	return (unsigned)f < SB_F_COUNT && fs->state[f] == SB_YES;
}

static int override_one(struct sb_features *fs, const char *item, size_t len)
{
	bool on = false;
	char name[64];

	if (len > 0 && (item[0] == '-' || item[0] == '+')) {
		on = item[0] == '+';
		item++;
		len--;
	}
	if (len == 0 || len >= sizeof(name))
		return -EINVAL;
	memcpy(name, item, len);
	name[len] = '\0';

	if (strcmp(name, "all") == 0) {
		for (size_t i = 0; i < SB_F_COUNT; i++)
			if (feature_table[i].kind != SB_FK_SUPPORT)
				sb_features_force(fs, (enum sb_feature)i, on);
		return 0;
	}
	int f = sb_feature_by_name(name);
	if (f < 0)
		return -EINVAL;
	sb_features_force(fs, (enum sb_feature)f, on);
	return 0;
}

int sb_features_override(struct sb_features *fs, const char *spec,
			 const char **bad, size_t *bad_len)
{
	const char *p = spec;

	while (p && *p) {
		size_t len = strcspn(p, ",");
		if (len > 0 && override_one(fs, p, len) < 0) {
			if (bad)
				*bad = p;
			if (bad_len)
				*bad_len = len;
			return -EINVAL;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

int sb_parse_kernel_version(const char *s, int *kv)
{
	char *end = NULL;
	long major, minor;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	major = strtol(s, &end, 10);
	if (errno || *end != '.' || major < 2 || major > 99)
		return -EINVAL;
	s = end + 1;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	minor = strtol(s, &end, 10);
	if (errno || minor < 0 || minor > 999)
		return -EINVAL;
	if (*end == '.') { /* a patch level is accepted and ignored */
		s = end + 1;
		if (*s < '0' || *s > '9')
			return -EINVAL;
		(void)strtol(s, &end, 10);
		if (errno)
			return -EINVAL;
	}
	if (*end != '\0')
		return -EINVAL;
	*kv = KV((int)major, (int)minor);
	return 0;
}

const char *sb_format_kernel_version(int kv, char *buf, size_t len)
{
	snprintf(buf, len, "%d.%d", kv / 1000, kv % 1000);
	return buf;
}
