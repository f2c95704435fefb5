/* SPDX-License-Identifier: MIT */
/*
 * plan.h: from what the kernel has and what the user asked, decide for each
 * provided feature whether the kernel handles it (native), sealbox does
 * (emulated), or programs must see an old kernel's answer (hidden). Also
 * derives the rule sets the memfd and seal modules run with, and the backend
 * `sealbox run` would use.
 */
#ifndef SEALBOX_PLAN_H
#define SEALBOX_PLAN_H

#include "kfeatures.h"
#include "memfd.h"
#include "seals.h"

enum sb_emulate {
	SB_EMULATE_AUTO, /* only what the kernel lacks */
	SB_EMULATE_ALL,  /* everything, in user space */
};

enum sb_backend {
	SB_BACKEND_AUTO,
	SB_BACKEND_NOTIFY,
	SB_BACKEND_PTRACE,
	SB_BACKEND_PRELOAD,
	SB_BACKEND_NONE, /* nothing can run here */
};

enum sb_action {
	SB_NATIVE,   /* the kernel does it */
	SB_EMULATED, /* sealbox does it */
	SB_HIDDEN,   /* refused as the pretended kernel would */
	SB_ABSENT,   /* neither the kernel nor sealbox can provide it */
};

struct sb_options {
	enum sb_emulate emulate;
	int pretend;             /* KV() of --pretend-kernel, 0 when not given */
	enum sb_backend backend; /* what the user asked for */
	bool enforce_user;       /* --enforce=user: never let the kernel
				  * enforce emulated seals */
};

struct sb_plan {
	enum sb_action action[SB_F_COUNT];
	/* the kernel whose answers programs get: pretend, else newest known */
	int reference;
	enum sb_backend backend;  /* chosen, never AUTO */
	const char *backend_why;  /* one line for people */
	bool intercept_memfd;     /* memfd_create goes through sealbox */
	bool intercept_seals;     /* F_ADD_SEALS/F_GET_SEALS go through sealbox */
	bool emulated_files;      /* sealbox tracks seals on its own files */
	/*
	 * auto mode on a kernel that has memfds and every seal but the 6.3
	 * ones: memfd_create is intercepted only with MFD_NOEXEC_SEAL or
	 * MFD_EXEC, the kernel makes every memfd, and sealbox adds
	 * F_SEAL_EXEC on top of the kernel's seals (emulated_files is false).
	 */
	bool layered_exec;
	bool enforce_user;        /* from the options */
	struct memfd_rules memfd;
	struct seal_rules seal;
};

/* The newest kernel whose behaviour sealbox reproduces. */
#define SB_REFERENCE_KERNEL KV(6, 18)

void sb_options_init(struct sb_options *o);
/* Returns 0, or -EINVAL if the options cannot be honoured (*why says why). */
int sb_plan_make(const struct sb_features *fs, const struct sb_options *o,
		 struct sb_plan *plan, const char **why);

/*
 * Where sealbox alone will hold the seals (its store is not a kernel memfd
 * carrying them), a call let through after a check can be raced onto
 * another file: another thread dup2()s a sealed memfd onto the number, or
 * rewrites the path. The ptrace backend runs such a call on the very file
 * (and path string) it checked; a notification cannot. So --backend=auto
 * takes ptrace there when it can. Returns true when the plan changed.
 */
bool sb_plan_prefer_ptrace(struct sb_plan *plan, const struct sb_features *fs,
			   const struct sb_options *o);

const char *sb_action_name(enum sb_action a);
const char *sb_backend_name(enum sb_backend b);
const char *sb_emulate_name(enum sb_emulate e);
int sb_backend_parse(const char *s, enum sb_backend *b);
int sb_emulate_parse(const char *s, enum sb_emulate *e);

#endif /* SEALBOX_PLAN_H */
