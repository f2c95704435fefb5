/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for emu/memfd.c: the memfd_create(2) rules as tables.
 *
 * Every row comes from SPEC.md sections 1 and 9 (section 9 wins where they
 * differ), not from the implementation. Rows marked "live 6.18" were checked
 * with throwaway programs on the 6.18 kernel these tests were written on
 * (the vm.memfd_noexec rows inside a private pid namespace).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "kcompat.h"
#include "memfd.h"
#include "util.h"

/* The kernels the rules are parameterised for (SPEC.md 1.1, 1.4, 5.1). */
struct kernel {
	const char *name;
	struct memfd_rules r;
};

#define HUGE(log2) ((unsigned int)(log2) << MFD_HUGE_SHIFT)

/* 6.6+ design (reference 6.18), vm.memfd_noexec = 0, 1, 2. */
static const struct kernel k6_18 = { "6.18 (noexec 0)",
				     { true, true, true, true, 0, false } };
static const struct kernel k6_18_l1 = { "6.18 (noexec 1)",
					{ true, true, true, true, 1, false } };
static const struct kernel k6_18_l2 = { "6.18 (noexec 2)",
					{ true, true, true, true, 2, false } };
/* The first 6.3 design: a ratchet, level 2 fails no-flag calls with EINVAL. */
static const struct kernel k6_3 = { "6.3 ratchet (noexec 0)",
				    { true, true, true, true, 0, true } };
static const struct kernel k6_3_l1 = { "6.3 ratchet (noexec 1)",
				       { true, true, true, true, 1, true } };
static const struct kernel k6_3_l2 = { "6.3 ratchet (noexec 2)",
				       { true, true, true, true, 2, true } };
/* 4.16 .. 6.2: hugetlb with sealing, no exec flags. */
static const struct kernel k6_1 = { "6.1", { true, true, true, false, 0, false } };
static const struct kernel k5_10 = { "5.10", { true, true, true, false, 0, false } };
static const struct kernel k5_1 = { "5.1", { true, true, true, false, 0, false } };
static const struct kernel k4_16 = { "4.16", { true, true, true, false, 0, false } };
/* 4.14/4.15: HUGETLB but HUGETLB | ALLOW_SEALING is EINVAL. */
static const struct kernel k4_14 = { "4.14", { true, true, false, false, 0, false } };
/* 3.17 .. 4.13: CLOEXEC and ALLOW_SEALING only. */
static const struct kernel k3_17 = { "3.17", { true, false, false, false, 0, false } };
/* Before 3.17: no memfd_create at all. */
static const struct kernel k3_16 = { "3.16", { false, false, false, false, 0, false } };

/* ------------------------------------------------------------------------ */
/* Step 1: flag bits, as a matrix over kernel eras.                          */
/* ------------------------------------------------------------------------ */

enum era { ERA_6_3, ERA_4_16, ERA_4_14, ERA_3_17, ERA_COUNT };

struct flags_row {
	const char *desc;
	unsigned int flags;
	int ret[ERA_COUNT]; /* 6.3+, 4.16-6.2, 4.14-4.15, 3.17-4.13 */
};

#define ALL_OK { 0, 0, 0, 0 }
#define ALL_EINVAL { -EINVAL, -EINVAL, -EINVAL, -EINVAL }
/* accepted from 4.14 (MFD_HUGETLB) */
#define FROM_4_14 { 0, 0, 0, -EINVAL }
/* accepted from 4.16 (sealing on hugetlbfs) */
#define FROM_4_16 { 0, 0, -EINVAL, -EINVAL }
/* accepted from 6.3 (MFD_NOEXEC_SEAL, MFD_EXEC) */
#define FROM_6_3 { 0, -EINVAL, -EINVAL, -EINVAL }

static const struct flags_row flags_rows[] = {
	{ "no flags", 0, ALL_OK },
	{ "CLOEXEC", MFD_CLOEXEC, ALL_OK },
	{ "ALLOW_SEALING", MFD_ALLOW_SEALING, ALL_OK },
	{ "CLOEXEC|ALLOW_SEALING", MFD_CLOEXEC | MFD_ALLOW_SEALING, ALL_OK },

	{ "HUGETLB", MFD_HUGETLB, FROM_4_14 },
	{ "HUGETLB|CLOEXEC", MFD_HUGETLB | MFD_CLOEXEC, FROM_4_14 },
	{ "HUGETLB|HUGE_64KB", MFD_HUGETLB | HUGE(16), FROM_4_14 },
	{ "HUGETLB|HUGE_512KB", MFD_HUGETLB | HUGE(19), FROM_4_14 },
	{ "HUGETLB|HUGE_2MB", MFD_HUGETLB | MFD_HUGE_2MB, FROM_4_14 },
	{ "HUGETLB|HUGE_1GB", MFD_HUGETLB | MFD_HUGE_1GB, FROM_4_14 },
	{ "HUGETLB|HUGE_16GB (0x88000000)", MFD_HUGETLB | HUGE(34), FROM_4_14 },
	{ "HUGETLB|every size bit (26-31)", MFD_HUGETLB | HUGE(0x3f), FROM_4_14 },
	{ "HUGETLB|bit 31 (size field)", MFD_HUGETLB | 0x80000000U, FROM_4_14 },
	{ "HUGETLB|CLOEXEC|HUGE_2MB", MFD_HUGETLB | MFD_CLOEXEC | MFD_HUGE_2MB,
	  FROM_4_14 },

	{ "HUGETLB|ALLOW_SEALING", MFD_HUGETLB | MFD_ALLOW_SEALING, FROM_4_16 },
	{ "HUGETLB|ALLOW_SEALING|CLOEXEC",
	  MFD_HUGETLB | MFD_ALLOW_SEALING | MFD_CLOEXEC, FROM_4_16 },
	{ "HUGETLB|ALLOW_SEALING|HUGE_2MB",
	  MFD_HUGETLB | MFD_ALLOW_SEALING | MFD_HUGE_2MB, FROM_4_16 },

	{ "NOEXEC_SEAL", MFD_NOEXEC_SEAL, FROM_6_3 },
	{ "EXEC", MFD_EXEC, FROM_6_3 },
	{ "NOEXEC_SEAL|ALLOW_SEALING", MFD_NOEXEC_SEAL | MFD_ALLOW_SEALING,
	  FROM_6_3 },
	{ "EXEC|ALLOW_SEALING", MFD_EXEC | MFD_ALLOW_SEALING, FROM_6_3 },
	{ "NOEXEC_SEAL|CLOEXEC|ALLOW_SEALING",
	  MFD_NOEXEC_SEAL | MFD_CLOEXEC | MFD_ALLOW_SEALING, FROM_6_3 },
	{ "EXEC|CLOEXEC", MFD_EXEC | MFD_CLOEXEC, FROM_6_3 },
	{ "HUGETLB|NOEXEC_SEAL", MFD_HUGETLB | MFD_NOEXEC_SEAL, FROM_6_3 },
	{ "HUGETLB|EXEC|HUGE_2MB", MFD_HUGETLB | MFD_EXEC | MFD_HUGE_2MB,
	  FROM_6_3 },
	{ "every valid bit but EXEC, HUGE_1GB",
	  MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | MFD_NOEXEC_SEAL |
		  MFD_HUGE_1GB,
	  FROM_6_3 },

	/* EXEC and NOEXEC_SEAL together: EINVAL on 6.3+ [S,T]. */
	{ "EXEC|NOEXEC_SEAL", MFD_EXEC | MFD_NOEXEC_SEAL, ALL_EINVAL },
	{ "EXEC|NOEXEC_SEAL|ALLOW_SEALING",
	  MFD_EXEC | MFD_NOEXEC_SEAL | MFD_ALLOW_SEALING, ALL_EINVAL },
	{ "HUGETLB|EXEC|NOEXEC_SEAL", MFD_HUGETLB | MFD_EXEC | MFD_NOEXEC_SEAL,
	  ALL_EINVAL },

	/* The selftest's bad flags [T]. */
	{ "0x100", 0x100, ALL_EINVAL },
	{ "~MFD_CLOEXEC", ~MFD_CLOEXEC, ALL_EINVAL },
	{ "~MFD_ALLOW_SEALING", ~MFD_ALLOW_SEALING, ALL_EINVAL },
	{ "~0", ~0U, ALL_EINVAL },
	{ "0x80000000 alone", 0x80000000U, ALL_EINVAL },

	/* The size field without MFD_HUGETLB. */
	{ "HUGE_2MB without HUGETLB", MFD_HUGE_2MB, ALL_EINVAL },
	{ "HUGE_64KB (bit 30) without HUGETLB", HUGE(16), ALL_EINVAL },
	{ "bit 26 without HUGETLB", 1U << 26, ALL_EINVAL },
	{ "ALLOW_SEALING|HUGE_2MB", MFD_ALLOW_SEALING | MFD_HUGE_2MB, ALL_EINVAL },

	/* Bits that are never valid, with or without HUGETLB. */
	{ "0x20 (MFD_MF_KEEP_UE_MAPPED, not mainline)", 0x20, ALL_EINVAL },
	{ "0x40", 0x40, ALL_EINVAL },
	{ "0x80", 0x80, ALL_EINVAL },
	{ "0x200", 0x200, ALL_EINVAL },
	{ "bit 25", 1U << 25, ALL_EINVAL },
	{ "HUGETLB|0x20", MFD_HUGETLB | 0x20, ALL_EINVAL },
	{ "HUGETLB|0x100", MFD_HUGETLB | 0x100, ALL_EINVAL },
	{ "HUGETLB|bit 25", MFD_HUGETLB | (1U << 25), ALL_EINVAL },
	{ "HUGETLB|~valid", MFD_HUGETLB | 0x03ffffe0U, ALL_EINVAL },
	{ "~MFD_HUGETLB", ~MFD_HUGETLB, ALL_EINVAL },
	{ "CLOEXEC|0x100", MFD_CLOEXEC | 0x100, ALL_EINVAL },
};

struct era_kernel {
	const struct kernel *k;
	enum era era;
};

static const struct era_kernel era_kernels[] = {
	{ &k6_18, ERA_6_3 },    { &k6_18_l2, ERA_6_3 }, { &k6_3, ERA_6_3 },
	{ &k6_1, ERA_4_16 },    { &k5_10, ERA_4_16 },   { &k5_1, ERA_4_16 },
	{ &k4_16, ERA_4_16 },   { &k4_14, ERA_4_14 },   { &k3_17, ERA_3_17 },
};

Test(memfd_flags, table)
{
	for (size_t k = 0; k < SB_ARRAY_SIZE(era_kernels); k++) {
		const struct era_kernel *ek = &era_kernels[k];

		for (size_t i = 0; i < SB_ARRAY_SIZE(flags_rows); i++) {
			const struct flags_row *row = &flags_rows[i];

			cr_expect_eq(memfd_check_flags(&ek->k->r, row->flags),
				     row->ret[ek->era],
				     "%s: flags %s (%#x): want %d", ek->k->name,
				     row->desc, row->flags, row->ret[ek->era]);
		}
	}
}

/* ------------------------------------------------------------------------ */
/* Step 2: the vm.memfd_noexec policy.                                       */
/* ------------------------------------------------------------------------ */

struct policy_row {
	const char *desc;
	const struct kernel *k;
	unsigned int flags;
	int ret;
	unsigned int flags_out; /* checked only when ret == 0 */
};

static const struct policy_row policy_rows[] = {
	/* 6.6+ design, level 0: no flag acts as MFD_EXEC. */
	{ "no flag -> EXEC added", &k6_18, 0, 0, MFD_EXEC },
	{ "CLOEXEC -> EXEC added", &k6_18, MFD_CLOEXEC, 0,
	  MFD_CLOEXEC | MFD_EXEC },
	{ "ALLOW_SEALING -> EXEC added", &k6_18, MFD_ALLOW_SEALING, 0,
	  MFD_ALLOW_SEALING | MFD_EXEC },
	{ "HUGETLB|2MB -> EXEC added", &k6_18, MFD_HUGETLB | MFD_HUGE_2MB, 0,
	  MFD_HUGETLB | MFD_HUGE_2MB | MFD_EXEC },
	{ "explicit EXEC unchanged", &k6_18, MFD_EXEC, 0, MFD_EXEC },
	{ "explicit NOEXEC_SEAL unchanged", &k6_18, MFD_NOEXEC_SEAL, 0,
	  MFD_NOEXEC_SEAL },
	{ "NOEXEC_SEAL|ALLOW_SEALING unchanged", &k6_18,
	  MFD_NOEXEC_SEAL | MFD_ALLOW_SEALING, 0,
	  MFD_NOEXEC_SEAL | MFD_ALLOW_SEALING },

	/* 6.6+ level 1: no flag acts as MFD_NOEXEC_SEAL; EXEC still allowed. */
	{ "no flag -> NOEXEC_SEAL added", &k6_18_l1, 0, 0, MFD_NOEXEC_SEAL },
	{ "ALLOW_SEALING|CLOEXEC -> NOEXEC_SEAL added", &k6_18_l1,
	  MFD_ALLOW_SEALING | MFD_CLOEXEC, 0,
	  MFD_ALLOW_SEALING | MFD_CLOEXEC | MFD_NOEXEC_SEAL },
	{ "HUGETLB -> NOEXEC_SEAL added", &k6_18_l1, MFD_HUGETLB, 0,
	  MFD_HUGETLB | MFD_NOEXEC_SEAL },
	{ "explicit EXEC allowed", &k6_18_l1, MFD_EXEC, 0, MFD_EXEC },
	{ "explicit EXEC|ALLOW_SEALING allowed", &k6_18_l1,
	  MFD_EXEC | MFD_ALLOW_SEALING, 0, MFD_EXEC | MFD_ALLOW_SEALING },
	{ "explicit NOEXEC_SEAL unchanged", &k6_18_l1, MFD_NOEXEC_SEAL, 0,
	  MFD_NOEXEC_SEAL },

	/* 6.6+ level 2: no flag -> NOEXEC_SEAL and success; EXEC -> EACCES. */
	{ "no flag -> NOEXEC_SEAL added, success", &k6_18_l2, 0, 0,
	  MFD_NOEXEC_SEAL },
	{ "ALLOW_SEALING -> NOEXEC_SEAL added, success", &k6_18_l2,
	  MFD_ALLOW_SEALING, 0, MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL },
	{ "HUGETLB|1GB -> NOEXEC_SEAL added", &k6_18_l2,
	  MFD_HUGETLB | MFD_HUGE_1GB, 0,
	  MFD_HUGETLB | MFD_HUGE_1GB | MFD_NOEXEC_SEAL },
	{ "explicit EXEC -> EACCES", &k6_18_l2, MFD_EXEC, -EACCES, 0 },
	{ "explicit EXEC|ALLOW_SEALING -> EACCES", &k6_18_l2,
	  MFD_EXEC | MFD_ALLOW_SEALING, -EACCES, 0 },
	{ "explicit EXEC|CLOEXEC -> EACCES", &k6_18_l2, MFD_EXEC | MFD_CLOEXEC,
	  -EACCES, 0 },
	{ "HUGETLB|EXEC -> EACCES", &k6_18_l2, MFD_HUGETLB | MFD_EXEC, -EACCES,
	  0 },
	{ "explicit NOEXEC_SEAL allowed", &k6_18_l2, MFD_NOEXEC_SEAL, 0,
	  MFD_NOEXEC_SEAL },

	/* First 6.3 design (ratchet). */
	{ "no flag -> EXEC added", &k6_3, 0, 0, MFD_EXEC },
	{ "explicit EXEC unchanged", &k6_3, MFD_EXEC, 0, MFD_EXEC },
	{ "explicit NOEXEC_SEAL unchanged", &k6_3, MFD_NOEXEC_SEAL, 0,
	  MFD_NOEXEC_SEAL },
	{ "no flag -> NOEXEC_SEAL added", &k6_3_l1, 0, 0, MFD_NOEXEC_SEAL },
	{ "ALLOW_SEALING -> NOEXEC_SEAL added", &k6_3_l1, MFD_ALLOW_SEALING, 0,
	  MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL },
	{ "explicit EXEC allowed", &k6_3_l1, MFD_EXEC, 0, MFD_EXEC },
	{ "no flag -> EINVAL", &k6_3_l2, 0, -EINVAL, 0 },
	{ "ALLOW_SEALING|CLOEXEC, no exec flag -> EINVAL", &k6_3_l2,
	  MFD_ALLOW_SEALING | MFD_CLOEXEC, -EINVAL, 0 },
	{ "explicit EXEC allowed (ratchet only checks no-flag calls)",
	  &k6_3_l2, MFD_EXEC, 0, MFD_EXEC },
	{ "explicit EXEC|ALLOW_SEALING allowed", &k6_3_l2,
	  MFD_EXEC | MFD_ALLOW_SEALING, 0, MFD_EXEC | MFD_ALLOW_SEALING },
	{ "explicit NOEXEC_SEAL allowed", &k6_3_l2, MFD_NOEXEC_SEAL, 0,
	  MFD_NOEXEC_SEAL },

	/* Before 6.3 there is no policy: flags pass unchanged. */
	{ "no flag unchanged", &k6_1, 0, 0, 0 },
	{ "ALLOW_SEALING unchanged", &k5_10, MFD_ALLOW_SEALING, 0,
	  MFD_ALLOW_SEALING },
	{ "HUGETLB unchanged", &k4_14, MFD_HUGETLB, 0, MFD_HUGETLB },
	{ "CLOEXEC unchanged", &k3_17, MFD_CLOEXEC, 0, MFD_CLOEXEC },
};

Test(memfd_policy, table)
{
	for (size_t i = 0; i < SB_ARRAY_SIZE(policy_rows); i++) {
		const struct policy_row *row = &policy_rows[i];
		unsigned int flags = row->flags;

		cr_expect_eq(memfd_apply_policy(&row->k->r, &flags), row->ret,
			     "%s: %s: want %d", row->k->name, row->desc,
			     row->ret);
		if (row->ret == 0)
			cr_expect_eq(flags, row->flags_out,
				     "%s: %s: flags %#x, want %#x",
				     row->k->name, row->desc, flags,
				     row->flags_out);
	}
}

Test(memfd_policy, scope_ignored_without_exec_flags)
{
	/* noexec_scope only means something with have_exec (memfd.h). */
	struct memfd_rules r = k6_1.r;
	unsigned int flags = MFD_ALLOW_SEALING;

	r.noexec_scope = 2;
	cr_expect_eq(memfd_apply_policy(&r, &flags), 0);
	cr_expect_eq(flags, MFD_ALLOW_SEALING);
}

/* ------------------------------------------------------------------------ */
/* Step 3: the name.                                                         */
/* ------------------------------------------------------------------------ */

/*
 * The name buffer of a row: `text` (text_len bytes, may hold any byte), then
 * fill_n copies of `fill`, then a NUL if `nul`. Everything after that is 'z',
 * so a NUL can only be found where the row puts one. `readable` says how much
 * of it the caller could read from the target.
 */
struct name_row {
	const char *desc;
	const char *text;
	size_t text_len;
	char fill;
	size_t fill_n;
	bool nul;
	size_t readable;
	int ret;
	size_t len; /* checked only when ret == 0 */
};

#define TXT(s) s, sizeof(s) - 1

static const struct name_row name_rows[] = {
	{ "short name", TXT("abc"), 0, 0, true, 4, 0, 3 },
	{ "short name, more readable after it", TXT("abc"), 0, 0, true, 250, 0,
	  3 },
	{ "short name, 10 readable", TXT("abc"), 0, 0, true, 10, 0, 3 },
	{ "empty name", TXT(""), 0, 0, true, 1, 0, 0 },
	{ "empty name, 250 readable", TXT(""), 0, 0, true, 250, 0, 0 },
	{ "NUL first, garbage after", TXT("\0garbage"), 'q', 300, false, 250, 0,
	  0 },
	{ "249 bytes + NUL (longest legal)", TXT(""), 'a', 249, true, 250, 0,
	  249 },
	{ "248 bytes + NUL", TXT(""), 'a', 248, true, 249, 0, 248 },
	{ "10 bytes + NUL", TXT(""), 'a', 10, true, 11, 0, 10 },
	{ "249 x 0xff + NUL", TXT(""), (char)0xff, 249, true, 250, 0, 249 },

	/* Unreadable before a NUL: EFAULT (section 9). */
	{ "NULL pointer (0 readable)", TXT(""), 0, 0, false, 0, -EFAULT, 0 },
	{ "1 readable byte, no NUL", TXT("a"), 0, 0, false, 1, -EFAULT, 0 },
	{ "100 readable, no NUL", TXT(""), 'a', 100, false, 100, -EFAULT, 0 },
	{ "249 readable, no NUL (runs into unmapped page)", TXT(""), 'a', 249,
	  false, 249, -EFAULT, 0 },
	{ "249 readable, NUL just past the readable part", TXT(""), 'a', 249,
	  true, 249, -EFAULT, 0 },
	{ "NUL just past 3 readable bytes", TXT("abc"), 0, 0, true, 3, -EFAULT,
	  0 },

	/* No NUL within 250 bytes: EINVAL, readable or not beyond. */
	{ "250 bytes, no NUL", TXT(""), 'a', 250, false, 250, -EINVAL, 0 },
	{ "250 bytes at the end of a mapping", TXT(""), 'a', 250, false, 250,
	  -EINVAL, 0 },
	{ "250 bytes + NUL (one too long)", TXT(""), 'a', 250, true, 251,
	  -EINVAL, 0 },
	{ "300 bytes + NUL", TXT(""), 'a', 300, true, 301, -EINVAL, 0 },
	{ "250 bytes, 4096 readable", TXT(""), 'a', 250, false, 4096, -EINVAL,
	  0 },
	/* The selftest: 2048 x 0xff, with or without a final NUL [T]. */
	{ "2048 x 0xff, no NUL", TXT(""), (char)0xff, 2048, false, 2048,
	  -EINVAL, 0 },
	{ "2047 x 0xff + NUL", TXT(""), (char)0xff, 2047, true, 2048, -EINVAL,
	  0 },

	/* No character validation [I; section 9: "", "/", ".." pass]. */
	{ "slash", TXT("/"), 0, 0, true, 2, 0, 1 },
	{ "dot-dot", TXT(".."), 0, 0, true, 3, 0, 2 },
	{ "path-like", TXT("a/b/../c"), 0, 0, true, 9, 0, 8 },
	{ "0xff 0xfe", TXT("\xff\xfe"), 0, 0, true, 3, 0, 2 },
	{ "spaces", TXT(" with spaces "), 0, 0, true, 14, 0, 13 },
	{ "control characters", TXT("\n\t\x01"), 0, 0, true, 4, 0, 3 },
	{ "UTF-8", TXT("\xc3\xa9t\xc3\xa9"), 0, 0, true, 6, 0, 5 },
	{ "memfd: prefix inside the name", TXT("memfd:x"), 0, 0, true, 8, 0,
	  7 },
	{ "(deleted) suffix", TXT("x (deleted)"), 0, 0, true, 12, 0, 11 },
};

#define NAME_BUF 4096

static void build_name(const struct name_row *row, char *buf)
{
	size_t at = 0;

	memset(buf, 'z', NAME_BUF);
	memcpy(buf, row->text, row->text_len);
	at = row->text_len;
	memset(buf + at, row->fill, row->fill_n);
	at += row->fill_n;
	if (row->nul)
		buf[at] = '\0';
}

Test(memfd_name, table)
{
	static char buf[NAME_BUF];

	for (size_t i = 0; i < SB_ARRAY_SIZE(name_rows); i++) {
		const struct name_row *row = &name_rows[i];
		size_t len = 12345;

		build_name(row, buf);
		cr_expect_eq(memfd_check_name(buf, row->readable, &len),
			     row->ret, "name %s (readable %zu): want %d",
			     row->desc, row->readable, row->ret);
		if (row->ret == 0)
			cr_expect_eq(len, row->len, "name %s: len %zu, want %zu",
				     row->desc, len, row->len);
	}
}

/* Kept apart so that a NULL dereference names itself. */
Test(memfd_name, null_buffer_is_efault)
{
	size_t len = 0;

	cr_expect_eq(memfd_check_name(NULL, 0, &len), -EFAULT,
		     "NULL buffer, 0 readable");
}

Test(memfd_name, constants)
{
	cr_expect_eq(MEMFD_NAME_READ, 250);
	cr_expect_eq(MEMFD_NAME_MAX, 249);
	cr_expect_str_eq(MEMFD_NAME_PREFIX, "memfd:");
}

/* ------------------------------------------------------------------------ */
/* Initial seals and mode (SPEC.md 1.2, section 9).                          */
/* ------------------------------------------------------------------------ */

struct state_row {
	const char *desc;
	unsigned int flags; /* final flags, after the policy */
	unsigned int seals;
	mode_t mode;
};

static const struct state_row state_rows[] = {
	{ "no flags", 0, F_SEAL_SEAL, 0777 },
	{ "CLOEXEC", MFD_CLOEXEC, F_SEAL_SEAL, 0777 },
	{ "EXEC", MFD_EXEC, F_SEAL_SEAL, 0777 },
	{ "EXEC|CLOEXEC", MFD_EXEC | MFD_CLOEXEC, F_SEAL_SEAL, 0777 },
	{ "ALLOW_SEALING", MFD_ALLOW_SEALING, 0, 0777 },
	{ "ALLOW_SEALING|CLOEXEC", MFD_ALLOW_SEALING | MFD_CLOEXEC, 0, 0777 },
	{ "EXEC|ALLOW_SEALING", MFD_EXEC | MFD_ALLOW_SEALING, 0, 0777 },
	/* NOEXEC_SEAL implies ALLOW_SEALING: no F_SEAL_SEAL [S,T, section 9]. */
	{ "NOEXEC_SEAL", MFD_NOEXEC_SEAL, F_SEAL_EXEC, 0666 },
	{ "NOEXEC_SEAL|ALLOW_SEALING", MFD_NOEXEC_SEAL | MFD_ALLOW_SEALING,
	  F_SEAL_EXEC, 0666 },
	{ "NOEXEC_SEAL|CLOEXEC", MFD_NOEXEC_SEAL | MFD_CLOEXEC, F_SEAL_EXEC,
	  0666 },
	{ "HUGETLB", MFD_HUGETLB, F_SEAL_SEAL, 0777 },
	{ "HUGETLB|HUGE_2MB", MFD_HUGETLB | MFD_HUGE_2MB, F_SEAL_SEAL, 0777 },
	{ "HUGETLB|ALLOW_SEALING", MFD_HUGETLB | MFD_ALLOW_SEALING, 0, 0777 },
	{ "HUGETLB|NOEXEC_SEAL|HUGE_2MB (live 6.18)",
	  MFD_HUGETLB | MFD_NOEXEC_SEAL | MFD_HUGE_2MB, F_SEAL_EXEC, 0666 },
	{ "HUGETLB|EXEC|ALLOW_SEALING|HUGE_1GB",
	  MFD_HUGETLB | MFD_EXEC | MFD_ALLOW_SEALING | MFD_HUGE_1GB, 0, 0777 },
	{ "CLOEXEC|ALLOW_SEALING|HUGETLB|NOEXEC_SEAL",
	  MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | MFD_NOEXEC_SEAL,
	  F_SEAL_EXEC, 0666 },
};

Test(memfd_initial_state, table)
{
	for (size_t i = 0; i < SB_ARRAY_SIZE(state_rows); i++) {
		const struct state_row *row = &state_rows[i];
		unsigned int seals = 0xdead;
		mode_t mode = 01234;

		memfd_initial_state(row->flags, &seals, &mode);
		cr_expect_eq(seals, row->seals, "state %s: seals %#x, want %#x",
			     row->desc, seals, row->seals);
		cr_expect_eq(mode, row->mode, "state %s: mode %#o, want %#o",
			     row->desc, (unsigned int)mode,
			     (unsigned int)row->mode);
	}
}

/* ------------------------------------------------------------------------ */
/* memfd_decide: steps 1 to 3 in order, and the result.                      */
/* ------------------------------------------------------------------------ */

enum name_kind {
	N_NULL,       /* NULL pointer: nothing readable */
	N_X,          /* "x" */
	N_EMPTY,      /* "" */
	N_249,        /* 249 bytes + NUL */
	N_250,        /* 250 bytes, no NUL */
	N_249_UNTERM, /* 249 readable bytes then an unmapped page */
};

struct decide_row {
	const char *desc;
	const struct kernel *k;
	unsigned int flags;
	enum name_kind name;
	int ret;
	/* checked only when ret == 0 */
	unsigned int flags_out;
	unsigned int seals;
	mode_t mode;
	bool cloexec;
	bool hugetlb;
	unsigned int huge_log2;
	size_t name_len;
};

/* The result fields of a row that expects an error. */
#define NO_RESULT 0, 0, 0, false, false, 0, 0

static const struct decide_row decide_rows[] = {
	/* ENOSYS before anything else. */
	{ "no memfd_create", &k3_16, 0, N_X, -ENOSYS, NO_RESULT },
	{ "no memfd_create, bad flags", &k3_16, 0x100, N_X, -ENOSYS, NO_RESULT },
	{ "no memfd_create, bad flags, NULL name", &k3_16,
	  MFD_EXEC | MFD_NOEXEC_SEAL, N_NULL, -ENOSYS, NO_RESULT },
	{ "no memfd_create, overlong name", &k3_16, 0, N_250, -ENOSYS, NO_RESULT },

	/* Flags before policy before name. */
	{ "bad flags, NULL name", &k6_18, 0x100, N_NULL, -EINVAL, NO_RESULT },
	{ "0x80000000, NULL name", &k6_18, 0x80000000U, N_NULL, -EINVAL, NO_RESULT },
	{ "EXEC|NOEXEC_SEAL, NULL name", &k6_18, MFD_EXEC | MFD_NOEXEC_SEAL,
	  N_NULL, -EINVAL, NO_RESULT },
	{ "EXEC|NOEXEC_SEAL at level 2 (flags before policy)", &k6_18_l2,
	  MFD_EXEC | MFD_NOEXEC_SEAL, N_X, -EINVAL, NO_RESULT },
	{ "bad flags at level 2", &k6_18_l2, MFD_EXEC | 0x100, N_NULL,
	  -EINVAL, NO_RESULT },
	{ "EXEC at level 2, NULL name: EACCES, not EFAULT (live 6.18)",
	  &k6_18_l2, MFD_EXEC, N_NULL, -EACCES, NO_RESULT },
	{ "EXEC at level 2, 250-byte name: EACCES (live 6.18)", &k6_18_l2,
	  MFD_EXEC, N_250, -EACCES, NO_RESULT },
	{ "EXEC|ALLOW_SEALING at level 2", &k6_18_l2,
	  MFD_EXEC | MFD_ALLOW_SEALING, N_X, -EACCES, NO_RESULT },
	{ "no flag at level 2, NULL name: policy passes, then EFAULT",
	  &k6_18_l2, 0, N_NULL, -EFAULT, NO_RESULT },
	{ "EXEC at level 1, NULL name", &k6_18_l1, MFD_EXEC, N_NULL, -EFAULT, NO_RESULT },
	{ "NULL name", &k6_18, 0, N_NULL, -EFAULT, NO_RESULT },
	{ "unterminated 249 bytes", &k6_18, 0, N_249_UNTERM, -EFAULT, NO_RESULT },
	{ "250 bytes, no NUL", &k6_18, MFD_ALLOW_SEALING, N_250, -EINVAL, NO_RESULT },
	{ "HUGE_2MB without HUGETLB", &k6_18, MFD_HUGE_2MB, N_X, -EINVAL, NO_RESULT },

	/* Successes on 6.18. */
	{ "no flags, level 0: EXEC added", &k6_18, 0, N_X, 0, MFD_EXEC,
	  F_SEAL_SEAL, 0777, false, false, 0, 1 },
	{ "CLOEXEC", &k6_18, MFD_CLOEXEC, N_X, 0, MFD_CLOEXEC | MFD_EXEC,
	  F_SEAL_SEAL, 0777, true, false, 0, 1 },
	{ "ALLOW_SEALING|CLOEXEC", &k6_18, MFD_ALLOW_SEALING | MFD_CLOEXEC,
	  N_X, 0, MFD_ALLOW_SEALING | MFD_CLOEXEC | MFD_EXEC, 0, 0777, true,
	  false, 0, 1 },
	{ "NOEXEC_SEAL", &k6_18, MFD_NOEXEC_SEAL, N_X, 0, MFD_NOEXEC_SEAL,
	  F_SEAL_EXEC, 0666, false, false, 0, 1 },
	{ "NOEXEC_SEAL|ALLOW_SEALING, 249-byte name", &k6_18,
	  MFD_NOEXEC_SEAL | MFD_ALLOW_SEALING, N_249, 0,
	  MFD_NOEXEC_SEAL | MFD_ALLOW_SEALING, F_SEAL_EXEC, 0666, false, false,
	  0, 249 },
	{ "EXEC|ALLOW_SEALING, empty name", &k6_18,
	  MFD_EXEC | MFD_ALLOW_SEALING, N_EMPTY, 0,
	  MFD_EXEC | MFD_ALLOW_SEALING, 0, 0777, false, false, 0, 0 },
	{ "HUGETLB (default size)", &k6_18, MFD_HUGETLB, N_X, 0,
	  MFD_HUGETLB | MFD_EXEC, F_SEAL_SEAL, 0777, false, true, 0, 1 },
	{ "HUGETLB|ALLOW_SEALING|HUGE_2MB", &k6_18,
	  MFD_HUGETLB | MFD_ALLOW_SEALING | MFD_HUGE_2MB, N_X, 0,
	  MFD_HUGETLB | MFD_ALLOW_SEALING | MFD_HUGE_2MB | MFD_EXEC, 0, 0777,
	  false, true, 21, 1 },
	{ "HUGETLB|HUGE_1GB|CLOEXEC", &k6_18,
	  MFD_HUGETLB | MFD_HUGE_1GB | MFD_CLOEXEC, N_X, 0,
	  MFD_HUGETLB | MFD_HUGE_1GB | MFD_CLOEXEC | MFD_EXEC, F_SEAL_SEAL,
	  0777, true, true, 30, 1 },
	/* Any size field passes step 1; ENODEV for it is the backing's. */
	{ "HUGETLB|size field 63", &k6_18, MFD_HUGETLB | HUGE(63), N_X, 0,
	  MFD_HUGETLB | HUGE(63) | MFD_EXEC, F_SEAL_SEAL, 0777, false, true, 63,
	  1 },
	{ "no flag at level 1: NOEXEC_SEAL added", &k6_18_l1, 0, N_X, 0,
	  MFD_NOEXEC_SEAL, F_SEAL_EXEC, 0666, false, false, 0, 1 },
	{ "EXEC at level 1", &k6_18_l1, MFD_EXEC, N_X, 0, MFD_EXEC,
	  F_SEAL_SEAL, 0777, false, false, 0, 1 },
	{ "no flag at level 2: NOEXEC_SEAL added, success", &k6_18_l2, 0, N_X,
	  0, MFD_NOEXEC_SEAL, F_SEAL_EXEC, 0666, false, false, 0, 1 },
	{ "ALLOW_SEALING at level 2, empty name", &k6_18_l2,
	  MFD_ALLOW_SEALING, N_EMPTY, 0, MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL,
	  F_SEAL_EXEC, 0666, false, false, 0, 0 },
	{ "HUGETLB|ALLOW_SEALING at level 2 (live 6.18)", &k6_18_l2,
	  MFD_HUGETLB | MFD_ALLOW_SEALING, N_X, 0,
	  MFD_HUGETLB | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL, F_SEAL_EXEC, 0666,
	  false, true, 0, 1 },

	/* 6.3 ratchet. */
	{ "no flag at level 2: EINVAL", &k6_3_l2, 0, N_X, -EINVAL, NO_RESULT },
	{ "no flag at level 2, NULL name: EINVAL first", &k6_3_l2, 0, N_NULL,
	  -EINVAL, NO_RESULT },
	{ "EXEC at level 2: allowed", &k6_3_l2, MFD_EXEC, N_X, 0, MFD_EXEC,
	  F_SEAL_SEAL, 0777, false, false, 0, 1 },
	{ "EXEC at level 2, NULL name: EFAULT", &k6_3_l2, MFD_EXEC, N_NULL,
	  -EFAULT, NO_RESULT },
	{ "no flag at level 1: NOEXEC_SEAL", &k6_3_l1, 0, N_X, 0,
	  MFD_NOEXEC_SEAL, F_SEAL_EXEC, 0666, false, false, 0, 1 },
	{ "no flag at level 0: EXEC", &k6_3, MFD_ALLOW_SEALING, N_X, 0,
	  MFD_ALLOW_SEALING | MFD_EXEC, 0, 0777, false, false, 0, 1 },

	/* Older kernels. */
	{ "no flags", &k6_1, 0, N_X, 0, 0, F_SEAL_SEAL, 0777, false, false, 0,
	  1 },
	{ "NOEXEC_SEAL", &k6_1, MFD_NOEXEC_SEAL, N_X, -EINVAL, NO_RESULT },
	{ "EXEC, NULL name", &k5_10, MFD_EXEC, N_NULL, -EINVAL, NO_RESULT },
	{ "HUGETLB|ALLOW_SEALING", &k5_10, MFD_HUGETLB | MFD_ALLOW_SEALING,
	  N_X, 0, MFD_HUGETLB | MFD_ALLOW_SEALING, 0, 0777, false, true, 0, 1 },
	{ "ALLOW_SEALING, 249-byte name", &k5_1, MFD_ALLOW_SEALING, N_249, 0,
	  MFD_ALLOW_SEALING, 0, 0777, false, false, 0, 249 },
	{ "HUGETLB|ALLOW_SEALING", &k4_14, MFD_HUGETLB | MFD_ALLOW_SEALING,
	  N_X, -EINVAL, NO_RESULT },
	{ "HUGETLB|ALLOW_SEALING, NULL name", &k4_14,
	  MFD_HUGETLB | MFD_ALLOW_SEALING, N_NULL, -EINVAL, NO_RESULT },
	{ "HUGETLB", &k4_14, MFD_HUGETLB | MFD_HUGE_2MB, N_X, 0,
	  MFD_HUGETLB | MFD_HUGE_2MB, F_SEAL_SEAL, 0777, false, true, 21, 1 },
	{ "HUGETLB", &k3_17, MFD_HUGETLB, N_X, -EINVAL, NO_RESULT },
	{ "ALLOW_SEALING|CLOEXEC", &k3_17, MFD_ALLOW_SEALING | MFD_CLOEXEC, N_X,
	  0, MFD_ALLOW_SEALING | MFD_CLOEXEC, 0, 0777, true, false, 0, 1 },
	{ "NULL name", &k3_17, 0, N_NULL, -EFAULT, NO_RESULT },
	{ "250-byte name", &k3_17, 0, N_250, -EINVAL, NO_RESULT },
};

static const char *decide_name(enum name_kind kind, size_t *readable)
{
	static char n249[MEMFD_NAME_READ];
	static char n250[MEMFD_NAME_READ];

	memset(n249, 'b', sizeof(n249));
	n249[249] = '\0';
	memset(n250, 'c', sizeof(n250));
	switch (kind) {
	case N_NULL:
		*readable = 0;
		return NULL;
	case N_X:
		*readable = 2;
		return "x";
	case N_EMPTY:
		*readable = 1;
		return "";
	case N_249:
		*readable = 250;
		return n249;
	case N_250:
		*readable = 250;
		return n250;
	case N_249_UNTERM:
		*readable = 249;
		return n250;
	}
	*readable = 0;
	return NULL;
}

Test(memfd_decide, table)
{
	for (size_t i = 0; i < SB_ARRAY_SIZE(decide_rows); i++) {
		const struct decide_row *row = &decide_rows[i];
		struct memfd_result res;
		size_t readable = 0;
		const char *name = decide_name(row->name, &readable);
		int ret;

		memset(&res, 0, sizeof(res));
		ret = memfd_decide(&row->k->r, row->flags, name, readable, &res);
		cr_expect_eq(ret, row->ret, "decide %s: %s: %d, want %d",
			     row->k->name, row->desc, ret, row->ret);
		if (row->ret != 0 || ret != 0)
			continue;
		cr_expect_eq(res.flags, row->flags_out,
			     "decide %s: %s: flags %#x, want %#x", row->k->name,
			     row->desc, res.flags, row->flags_out);
		cr_expect_eq(res.seals, row->seals,
			     "decide %s: %s: seals %#x, want %#x", row->k->name,
			     row->desc, res.seals, row->seals);
		cr_expect_eq(res.mode, row->mode,
			     "decide %s: %s: mode %#o, want %#o", row->k->name,
			     row->desc, (unsigned int)res.mode,
			     (unsigned int)row->mode);
		cr_expect_eq(res.cloexec, row->cloexec,
			     "decide %s: %s: cloexec %d", row->k->name,
			     row->desc, res.cloexec);
		cr_expect_eq(res.hugetlb, row->hugetlb,
			     "decide %s: %s: hugetlb %d", row->k->name,
			     row->desc, res.hugetlb);
		cr_expect_eq(res.huge_log2, row->huge_log2,
			     "decide %s: %s: huge_log2 %u, want %u",
			     row->k->name, row->desc, res.huge_log2,
			     row->huge_log2);
		cr_expect_eq(res.name_len, row->name_len,
			     "decide %s: %s: name_len %zu, want %zu",
			     row->k->name, row->desc, res.name_len,
			     row->name_len);
	}
}

/*
 * The steps agree with memfd_decide: for every flag value of the flags
 * table, on every kernel, decide with a good name fails exactly when step 1
 * or step 2 does.
 */
Test(memfd_decide, agrees_with_the_steps)
{
	static const struct kernel *const kernels[] = {
		&k6_18, &k6_18_l1, &k6_18_l2, &k6_3, &k6_3_l1, &k6_3_l2,
		&k6_1,  &k5_10,    &k5_1,     &k4_16, &k4_14, &k3_17,
	};

	for (size_t k = 0; k < SB_ARRAY_SIZE(kernels); k++) {
		for (size_t i = 0; i < SB_ARRAY_SIZE(flags_rows); i++) {
			const struct memfd_rules *r = &kernels[k]->r;
			unsigned int flags = flags_rows[i].flags;
			struct memfd_result res;
			int want = memfd_check_flags(r, flags);

			if (want == 0)
				want = memfd_apply_policy(r, &flags);
			memset(&res, 0, sizeof(res));
			cr_expect_eq(memfd_decide(r, flags_rows[i].flags, "n", 2,
						  &res),
				     want, "%s: flags %s", kernels[k]->name,
				     flags_rows[i].desc);
			if (want == 0)
				cr_expect_eq(res.flags, flags,
					     "%s: flags %s: result flags",
					     kernels[k]->name,
					     flags_rows[i].desc);
		}
	}
}
