/* SPDX-License-Identifier: MIT */
/*
 * probe.h: find out what the running kernel has, by behaviour.
 *
 * Every probe makes the real call and looks at the answer; nothing parses the
 * version string. Probes that would change the calling process for good
 * (installing a seccomp filter, being traced) run in a short-lived child.
 * Results go into a struct sb_features; features already forced by an
 * override are left alone.
 */
#ifndef SEALBOX_PROBE_H
#define SEALBOX_PROBE_H

#include "kfeatures.h"

/* Probe every feature not yet known. Returns 0 or -errno on a failure of the
 * prober itself (a feature that is simply absent is not a failure). */
int sb_probe_all(struct sb_features *fs);

/* Probe one feature (and, as a side effect, those probed together with it). */
int sb_probe_one(struct sb_features *fs, enum sb_feature f);

/* vm.memfd_noexec as this process sees it: 0..2, or -errno when absent. */
int sb_probe_memfd_noexec(void);

/*
 * The process-wide cache: probed once, then reused. SEALBOX_FEATURES in the
 * environment (the same syntax as sb_features_override) is applied first.
 */
const struct sb_features *sb_features_cached(void);

#endif /* SEALBOX_PROBE_H */
