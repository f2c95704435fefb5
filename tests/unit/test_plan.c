/* SPDX-License-Identifier: MIT */
/* Unit tests for emu/kfeatures.c and emu/plan.c. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "kcompat.h"
#include "plan.h"

/* A kernel "as of" version kv: every feature with since <= kv is present. */
static void kernel_as_of(struct sb_features *fs, int kv)
{
	sb_features_init(fs);
	for (int f = 0; f < SB_F_COUNT; f++)
		sb_features_set_probed(fs, (enum sb_feature)f,
				       sb_feature_info((enum sb_feature)f)->since
				       <= kv);
	fs->memfd_noexec = kv >= KV(6, 3) ? 0 : -1;
}

static void plan_for(int kernel, enum sb_emulate mode, int pretend,
		     struct sb_plan *p)
{
	struct sb_features fs;
	struct sb_options o;
	const char *why = NULL;

	kernel_as_of(&fs, kernel);
	sb_options_init(&o);
	o.emulate = mode;
	o.pretend = pretend;
	cr_assert_eq(sb_plan_make(&fs, &o, p, &why), 0, "plan failed: %s",
		     why ? why : "?");
}

Test(features, table_matches_enum_and_names_are_unique)
{
	for (int f = 0; f < SB_F_COUNT; f++) {
		const struct sb_feature_info *fi =
			sb_feature_info((enum sb_feature)f);

		cr_assert_not_null(fi);
		cr_expect_eq((int)fi->id, f, "table row %d out of order", f);
		cr_expect_eq(sb_feature_by_name(fi->name), f, "%s", fi->name);
		cr_expect_geq(fi->since, KV(3, 5));
		cr_expect_leq(fi->since, SB_REFERENCE_KERNEL);
	}
	cr_expect_null(sb_feature_info(SB_F_COUNT));
	cr_expect_eq(sb_feature_by_name("no_such_feature"), -1);
}

struct version_row {
	const char *text;
	int ret;
	int kv;
};

static const struct version_row version_rows[] = {
	{ "3.17", 0, KV(3, 17) },  { "5.10", 0, KV(5, 10) },
	{ "6.1.192", 0, KV(6, 1) }, { "6.18", 0, KV(6, 18) },
	{ "4.9", 0, KV(4, 9) },    { "10.0", 0, KV(10, 0) },
	{ "", -EINVAL, 0 },        { "6", -EINVAL, 0 },
	{ "6.", -EINVAL, 0 },      { ".6", -EINVAL, 0 },
	{ "6.x", -EINVAL, 0 },     { "6.1.", -EINVAL, 0 },
	{ "6.1-rc1", -EINVAL, 0 }, { "v6.1", -EINVAL, 0 },
	{ "1.0", -EINVAL, 0 },     { "6.1000", -EINVAL, 0 },
	{ "-3.17", -EINVAL, 0 },   { "3.17 ", -EINVAL, 0 },
};

Test(features, parse_kernel_version)
{
	for (size_t i = 0; i < sizeof(version_rows) / sizeof(version_rows[0]);
	     i++) {
		const struct version_row *r = &version_rows[i];
		int kv = -1;

		cr_expect_eq(sb_parse_kernel_version(r->text, &kv), r->ret,
			     "'%s'", r->text);
		if (r->ret == 0)
			cr_expect_eq(kv, r->kv, "'%s'", r->text);
	}
	char buf[16];
	cr_expect_str_eq(sb_format_kernel_version(KV(5, 10), buf, sizeof(buf)),
			 "5.10");
}

Test(features, overrides_force_and_survive_probing)
{
	struct sb_features fs;
	const char *bad = NULL;
	size_t bad_len = 0;

	sb_features_init(&fs);
	cr_expect_eq(fs.memfd_noexec, -1);
	cr_assert_eq(sb_features_override(&fs, "-addfd_send,+seal_exec,"
					  "memfd_create", &bad, &bad_len), 0);
	cr_expect_eq(fs.state[SB_F_ADDFD_SEND], SB_NO);
	cr_expect_eq(fs.state[SB_F_SEAL_EXEC], SB_YES);
	cr_expect_eq(fs.state[SB_F_MEMFD_CREATE], SB_NO, "bare name = off");
	sb_features_set_probed(&fs, SB_F_ADDFD_SEND, true);
	cr_expect_eq(fs.state[SB_F_ADDFD_SEND], SB_NO, "forced kept");
	sb_features_set_probed(&fs, SB_F_PIDFD_OPEN, true);
	cr_expect_eq(fs.state[SB_F_PIDFD_OPEN], SB_YES);
	cr_expect(sb_features_has(&fs, SB_F_PIDFD_OPEN));
	cr_expect_not(sb_features_has(&fs, SB_F_PIDFD_GETFD), "unknown");

	const char *spec = "seal_grow,bogus,seal_write";
	cr_expect_eq(sb_features_override(&fs, spec, &bad, &bad_len), -EINVAL);
	cr_expect_eq(bad, spec + 10);
	cr_expect_eq(bad_len, 5u);
	cr_expect_eq(sb_features_override(&fs, "-", &bad, &bad_len), -EINVAL);
	cr_expect_eq(sb_features_override(&fs, "", &bad, &bad_len), 0);
	cr_expect_eq(sb_features_override(&fs, ",,", &bad, &bad_len), 0);
}

Test(features, all_forces_every_provided_feature)
{
	struct sb_features fs;

	sb_features_init(&fs);
	cr_assert_eq(sb_features_override(&fs, "-all", NULL, NULL), 0);
	for (int f = 0; f < SB_F_COUNT; f++) {
		bool support = sb_feature_info((enum sb_feature)f)->kind ==
			       SB_FK_SUPPORT;
		cr_expect_eq(fs.forced[f], !support, "%s",
			     sb_feature_info((enum sb_feature)f)->name);
	}
}

/* expected action for every provided feature, per scenario */
struct plan_row {
	const char *what;
	int kernel;
	enum sb_emulate mode;
	int pretend;
	enum sb_feature feature;
	enum sb_action action;
};

static const struct plan_row plan_rows[] = {
	{ "6.18 auto", KV(6, 18), SB_EMULATE_AUTO, 0, SB_F_MEMFD_CREATE, SB_NATIVE },
	{ "6.18 auto", KV(6, 18), SB_EMULATE_AUTO, 0, SB_F_SEAL_EXEC, SB_NATIVE },
	{ "6.18 auto", KV(6, 18), SB_EMULATE_AUTO, 0, SB_F_MAP_RO_UNDER_WRITE, SB_NATIVE },
	{ "6.18 all", KV(6, 18), SB_EMULATE_ALL, 0, SB_F_MEMFD_CREATE, SB_EMULATED },
	{ "6.18 all", KV(6, 18), SB_EMULATE_ALL, 0, SB_F_SEAL_WRITE, SB_EMULATED },
	{ "6.18 all", KV(6, 18), SB_EMULATE_ALL, 0, SB_F_PIDFD_GETFD, SB_NATIVE },
	{ "6.1 auto", KV(6, 1), SB_EMULATE_AUTO, 0, SB_F_MFD_NOEXEC_SEAL, SB_EMULATED },
	{ "6.1 auto", KV(6, 1), SB_EMULATE_AUTO, 0, SB_F_MFD_EXEC, SB_EMULATED },
	{ "6.1 auto", KV(6, 1), SB_EMULATE_AUTO, 0, SB_F_SEAL_EXEC, SB_EMULATED },
	{ "6.1 auto", KV(6, 1), SB_EMULATE_AUTO, 0, SB_F_SEAL_WRITE, SB_NATIVE },
	{ "6.1 auto", KV(6, 1), SB_EMULATE_AUTO, 0, SB_F_MEMFD_CREATE, SB_NATIVE },
	{ "5.10 auto", KV(5, 10), SB_EMULATE_AUTO, 0, SB_F_SEAL_FUTURE_WRITE, SB_NATIVE },
	{ "5.10 auto", KV(5, 10), SB_EMULATE_AUTO, 0, SB_F_MAP_RO_UNDER_WRITE, SB_ABSENT },
	{ "5.10 all", KV(5, 10), SB_EMULATE_ALL, 0, SB_F_MAP_RO_UNDER_WRITE, SB_EMULATED },
	{ "6.1 auto", KV(6, 1), SB_EMULATE_AUTO, 0, SB_F_SEALS_ARG_INT, SB_ABSENT },
	{ "5.10 auto", KV(5, 10), SB_EMULATE_AUTO, 0, SB_F_ADDFD_SEND, SB_ABSENT },
	{ "3.10 auto", KV(3, 10), SB_EMULATE_AUTO, 0, SB_F_MEMFD_CREATE, SB_EMULATED },
	{ "3.10 auto", KV(3, 10), SB_EMULATE_AUTO, 0, SB_F_SEAL_SEAL, SB_EMULATED },
	{ "3.10 auto", KV(3, 10), SB_EMULATE_AUTO, 0, SB_F_O_TMPFILE, SB_ABSENT },
	{ "3.10 auto", KV(3, 10), SB_EMULATE_AUTO, 0, SB_F_PTRACE_SECCOMP, SB_NATIVE },
	/* no sealing in the kernel: the newest behaviour of the seals is ours */
	{ "3.10 auto", KV(3, 10), SB_EMULATE_AUTO, 0, SB_F_MAP_RO_UNDER_WRITE, SB_EMULATED },
	{ "3.10 auto", KV(3, 10), SB_EMULATE_AUTO, 0, SB_F_SEALS_ARG_INT, SB_EMULATED },
	{ "pretend 3.16", KV(6, 18), SB_EMULATE_AUTO, KV(3, 16), SB_F_MAP_RO_UNDER_WRITE, SB_HIDDEN },
	{ "pretend 3.16", KV(6, 18), SB_EMULATE_AUTO, KV(3, 16), SB_F_MEMFD_CREATE, SB_HIDDEN },
	{ "pretend 3.16", KV(6, 18), SB_EMULATE_AUTO, KV(3, 16), SB_F_SEAL_SEAL, SB_HIDDEN },
	{ "pretend 3.17", KV(6, 18), SB_EMULATE_AUTO, KV(3, 17), SB_F_MEMFD_CREATE, SB_NATIVE },
	{ "pretend 3.17", KV(6, 18), SB_EMULATE_AUTO, KV(3, 17), SB_F_MFD_HUGETLB, SB_HIDDEN },
	{ "pretend 4.14", KV(6, 18), SB_EMULATE_AUTO, KV(4, 14), SB_F_MFD_HUGETLB, SB_NATIVE },
	{ "pretend 4.14", KV(6, 18), SB_EMULATE_AUTO, KV(4, 14), SB_F_HUGETLB_SEALING, SB_HIDDEN },
	{ "pretend 5.0", KV(6, 18), SB_EMULATE_AUTO, KV(5, 0), SB_F_SEAL_FUTURE_WRITE, SB_HIDDEN },
	{ "pretend 5.1", KV(6, 18), SB_EMULATE_ALL, KV(5, 1), SB_F_SEAL_FUTURE_WRITE, SB_EMULATED },
	{ "pretend 6.2", KV(6, 18), SB_EMULATE_ALL, KV(6, 2), SB_F_SEAL_EXEC, SB_HIDDEN },
	{ "pretend 6.3", KV(6, 18), SB_EMULATE_ALL, KV(6, 3), SB_F_SEAL_EXEC, SB_EMULATED },
	{ "pretend 6.3 on 6.1", KV(6, 1), SB_EMULATE_AUTO, KV(6, 3), SB_F_SEAL_EXEC, SB_EMULATED },
	{ "pretend 6.4", KV(6, 18), SB_EMULATE_AUTO, KV(6, 4), SB_F_SEALS_ARG_INT, SB_HIDDEN },
	{ "pretend 6.6", KV(6, 18), SB_EMULATE_AUTO, KV(6, 6), SB_F_MAP_RO_UNDER_WRITE, SB_HIDDEN },
	{ "pretend 6.7", KV(6, 18), SB_EMULATE_AUTO, KV(6, 7), SB_F_MAP_RO_UNDER_WRITE, SB_NATIVE },
};

Test(plan, actions_table)
{
	for (size_t i = 0; i < sizeof(plan_rows) / sizeof(plan_rows[0]); i++) {
		const struct plan_row *r = &plan_rows[i];
		struct sb_plan p;

		plan_for(r->kernel, r->mode, r->pretend, &p);
		cr_expect_eq(p.action[r->feature], r->action,
			     "%s: %s is %s, expected %s", r->what,
			     sb_feature_info(r->feature)->name,
			     sb_action_name(p.action[r->feature]),
			     sb_action_name(r->action));
	}
}

Test(plan, native_kernel_in_auto_intercepts_nothing)
{
	struct sb_plan p;

	plan_for(KV(6, 18), SB_EMULATE_AUTO, 0, &p);
	cr_expect_not(p.intercept_memfd);
	cr_expect_not(p.intercept_seals);
	cr_expect_not(p.emulated_files);
	cr_expect_eq(p.backend, SB_BACKEND_NOTIFY);
	cr_expect_eq(p.reference, SB_REFERENCE_KERNEL);
}

Test(plan, old_kernels_intercept_what_is_missing)
{
	struct sb_plan p;

	plan_for(KV(6, 1), SB_EMULATE_AUTO, 0, &p);
	cr_expect(p.intercept_memfd);
	cr_expect(p.intercept_seals);
	/* only the 6.3 pieces are missing: the kernel keeps its memfds */
	cr_expect(p.layered_exec);
	cr_expect_not(p.emulated_files);
	cr_expect_eq(p.backend, SB_BACKEND_NOTIFY);

	plan_for(KV(6, 1), SB_EMULATE_ALL, 0, &p);
	cr_expect_not(p.layered_exec);
	cr_expect(p.emulated_files);
	plan_for(KV(6, 18), SB_EMULATE_AUTO, KV(6, 1), &p);
	cr_expect_not(p.layered_exec, "pretend 6.1: exec pieces hidden, not missing");
	plan_for(KV(6, 18), SB_EMULATE_AUTO, KV(5, 10), &p);
	cr_expect_not(p.layered_exec, "old behaviour needs sealbox's own files");
	cr_expect(p.emulated_files);

	plan_for(KV(5, 10), SB_EMULATE_AUTO, 0, &p);
	cr_expect_eq(p.backend, SB_BACKEND_NOTIFY);
	cr_expect(strstr(p.backend_why, "no FLAG_SEND") != NULL, "%s",
		  p.backend_why);

	plan_for(KV(5, 8), SB_EMULATE_AUTO, 0, &p);
	cr_expect_eq(p.backend, SB_BACKEND_PTRACE, "no ADDFD before 5.9");
	cr_expect(strstr(p.backend_why, "5.9") != NULL, "%s", p.backend_why);

	plan_for(KV(3, 10), SB_EMULATE_AUTO, 0, &p);
	cr_expect_eq(p.backend, SB_BACKEND_PTRACE);

	plan_for(KV(3, 4), SB_EMULATE_AUTO, 0, &p);
	cr_expect_eq(p.backend, SB_BACKEND_PRELOAD, "no seccomp filters");
}

Test(plan, rules_follow_the_reference_kernel)
{
	struct sb_plan p;

	plan_for(KV(6, 18), SB_EMULATE_ALL, 0, &p);
	cr_expect(p.memfd.have_memfd && p.memfd.have_hugetlb &&
		  p.memfd.hugetlb_seals && p.memfd.have_exec);
	cr_expect_not(p.memfd.noexec_ratchet);
	cr_expect_eq(p.seal.known, SB_SEALS_6_3);
	cr_expect(p.seal.arg_int);
	cr_expect(p.seal.map_ro_under_write);
	cr_expect_not(p.seal.type_check_first);

	plan_for(KV(6, 18), SB_EMULATE_ALL, KV(5, 10), &p);
	cr_expect_not(p.memfd.have_exec);
	cr_expect_eq(p.seal.known, SB_SEALS_5_1);
	cr_expect_not(p.seal.arg_int);
	cr_expect_not(p.seal.map_ro_under_write);
	cr_expect_eq(p.reference, KV(5, 10));

	plan_for(KV(6, 18), SB_EMULATE_ALL, KV(4, 15), &p);
	cr_expect(p.memfd.have_hugetlb);
	cr_expect_not(p.memfd.hugetlb_seals);
	cr_expect(p.seal.type_check_first);
	cr_expect_eq(p.seal.known, SB_SEALS_3_17);

	plan_for(KV(6, 18), SB_EMULATE_ALL, KV(6, 3), &p);
	cr_expect(p.memfd.noexec_ratchet);
	plan_for(KV(6, 18), SB_EMULATE_ALL, KV(6, 6), &p);
	cr_expect_not(p.memfd.noexec_ratchet);

	plan_for(KV(6, 18), SB_EMULATE_AUTO, KV(3, 16), &p);
	cr_expect_not(p.memfd.have_memfd);
	cr_expect_eq(p.seal.known, 0u);
	cr_expect(p.intercept_memfd);
}

Test(plan, noexec_scope_comes_from_the_kernel_sysctl)
{
	struct sb_features fs;
	struct sb_options o;
	struct sb_plan p;
	const char *why = NULL;

	kernel_as_of(&fs, KV(6, 18));
	fs.memfd_noexec = 2;
	sb_options_init(&o);
	cr_assert_eq(sb_plan_make(&fs, &o, &p, &why), 0);
	cr_expect_eq(p.memfd.noexec_scope, 2);
	o.emulate = SB_EMULATE_ALL;
	cr_assert_eq(sb_plan_make(&fs, &o, &p, &why), 0);
	cr_expect_eq(p.memfd.noexec_scope, 2);
	o.pretend = KV(6, 1); /* no sysctl, no exec flags before 6.3 */
	cr_assert_eq(sb_plan_make(&fs, &o, &p, &why), 0);
	cr_expect_eq(p.memfd.noexec_scope, 0);

	kernel_as_of(&fs, KV(6, 1)); /* emulated exec flags: level 0 */
	sb_options_init(&o);
	cr_assert_eq(sb_plan_make(&fs, &o, &p, &why), 0);
	cr_expect_eq(p.memfd.noexec_scope, 0);
}

Test(plan, impossible_requests_are_refused_with_a_reason)
{
	struct sb_features fs;
	struct sb_options o;
	struct sb_plan p;
	const char *why = NULL;

	kernel_as_of(&fs, KV(4, 19));
	sb_options_init(&o);
	o.backend = SB_BACKEND_NOTIFY;
	cr_expect_eq(sb_plan_make(&fs, &o, &p, &why), -EINVAL);
	cr_expect(why && strstr(why, "5.0"), "%s", why ? why : "(null)");

	o.backend = SB_BACKEND_PTRACE;
	cr_expect_eq(sb_plan_make(&fs, &o, &p, &why), 0);
	cr_expect_eq(p.backend, SB_BACKEND_PTRACE);

	o.backend = SB_BACKEND_PRELOAD;
	cr_expect_eq(sb_plan_make(&fs, &o, &p, &why), 0);
	cr_expect_eq(p.backend, SB_BACKEND_PRELOAD);

	sb_options_init(&o);
	o.pretend = KV(2, 6);
	cr_expect_eq(sb_plan_make(&fs, &o, &p, &why), -EINVAL);
	o.pretend = KV(7, 0);
	cr_expect_eq(sb_plan_make(&fs, &o, &p, &why), -EINVAL);
}

/* where sealbox alone will hold the seals, auto trades notify for ptrace
 * (sb_plan_prefer_ptrace); never what was asked for by name */
Test(plan, auto_prefers_ptrace_where_sealbox_alone_holds_the_seals)
{
	struct sb_features fs;
	struct sb_options o;
	struct sb_plan p;
	const char *why = NULL;

	kernel_as_of(&fs, KV(6, 18));
	sb_options_init(&o);
	o.emulate = SB_EMULATE_ALL;
	cr_assert_eq(sb_plan_make(&fs, &o, &p, &why), 0);
	cr_assert_eq(p.backend, SB_BACKEND_NOTIFY);
	cr_expect(sb_plan_prefer_ptrace(&p, &fs, &o));
	cr_expect_eq(p.backend, SB_BACKEND_PTRACE);
	cr_expect(p.backend_why && strstr(p.backend_why, "alone"));
	/* once is enough: ptrace stays ptrace */
	cr_expect(!sb_plan_prefer_ptrace(&p, &fs, &o));
	cr_expect_eq(p.backend, SB_BACKEND_PTRACE);

	/* asked for by name: kept */
	o.backend = SB_BACKEND_NOTIFY;
	cr_assert_eq(sb_plan_make(&fs, &o, &p, &why), 0);
	cr_expect(!sb_plan_prefer_ptrace(&p, &fs, &o));
	cr_expect_eq(p.backend, SB_BACKEND_NOTIFY);

	/* no ptrace here: notify stays */
	sb_options_init(&o);
	o.emulate = SB_EMULATE_ALL;
	sb_features_set_probed(&fs, SB_F_PTRACE_SECCOMP, false);
	cr_assert_eq(sb_plan_make(&fs, &o, &p, &why), 0);
	cr_expect(!sb_plan_prefer_ptrace(&p, &fs, &o));
	cr_expect_eq(p.backend, SB_BACKEND_NOTIFY);
}

Test(plan, names_round_trip)
{
	enum sb_backend b;
	enum sb_emulate e;

	cr_expect_eq(sb_backend_parse("ptrace", &b), 0);
	cr_expect_eq(b, SB_BACKEND_PTRACE);
	cr_expect_eq(sb_backend_parse("none", &b), -EINVAL);
	cr_expect_eq(sb_backend_parse("Notify", &b), -EINVAL);
	cr_expect_eq(sb_emulate_parse("all", &e), 0);
	cr_expect_eq(e, SB_EMULATE_ALL);
	cr_expect_eq(sb_emulate_parse("some", &e), -EINVAL);
	cr_expect_str_eq(sb_action_name(SB_HIDDEN), "hidden");
	cr_expect_str_eq(sb_backend_name(SB_BACKEND_NOTIFY), "notify");
}
