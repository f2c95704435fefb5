/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for emu/seals.c: F_ADD_SEALS, F_GET_SEALS and every sealed
 * operation, as tables with the kernel's exact result.
 *
 * Rows come from SPEC.md sections 2, 3 and 9 (section 9 wins where they
 * differ), not from the implementation. Rows marked "live 6.18" were run as
 * throwaway programs on the 6.18 kernel these tests were written on; where
 * the SPEC was silent or ambiguous the row follows that kernel and says so.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "kcompat.h"
#include "seals.h"
#include "util.h"

#define S_SEAL F_SEAL_SEAL
#define S_SHRINK F_SEAL_SHRINK
#define S_GROW F_SEAL_GROW
#define S_WRITE F_SEAL_WRITE
#define S_FW F_SEAL_FUTURE_WRITE
#define S_EXEC F_SEAL_EXEC
#define S_ALL 0x3fU
/* What F_SEAL_EXEC on an executable file leaves: EXEC + SHRINK|GROW|W|FW. */
#define S_WX 0x3eU

#define MiB (1024 * 1024)

struct kernel {
	const char *name;
	struct seal_rules r;
};

/* { known, arg_int, type_check_first, map_ro_under_write, write_chunk } */
static const struct kernel k6_18 = { "6.18", { SB_SEALS_6_3, true, false, true, 4096 } };
/* 6.3/6.4: F_SEAL_EXEC known, arg still unsigned long, old mmap rule. */
static const struct kernel k6_3 = { "6.3", { SB_SEALS_6_3, false, false, false, 4096 } };
static const struct kernel k6_1 = { "6.1", { SB_SEALS_5_1, false, false, false, 4096 } };
static const struct kernel k5_10 = { "5.10", { SB_SEALS_5_1, false, false, false, 4096 } };
static const struct kernel k5_1 = { "5.1", { SB_SEALS_5_1, false, false, false, 4096 } };
static const struct kernel k4_16 = { "4.16", { SB_SEALS_3_17, false, false, false, 4096 } };
static const struct kernel k3_17 = { "3.17", { SB_SEALS_3_17, false, true, false, 4096 } };
static const struct kernel k3_16 = { "3.16 (no sealing)", { 0, false, false, false, 4096 } };
/* A 6.18 with large shmem folios: write_iter chunks of 2 MiB. */
static const struct kernel k6_18_2m = { "6.18 (2 MiB folios)",
					{ SB_SEALS_6_3, true, false, true, 2 * MiB } };

/* ------------------------------------------------------------------------ */
/* F_ADD_SEALS                                                               */
/* ------------------------------------------------------------------------ */

struct add_row {
	const char *desc;
	const struct kernel *k;
	struct seal_subject s;
	unsigned long arg;
	int ret;
	unsigned int seals; /* the new seal set, checked when ret == 0 */
};

/* struct seal_subject, positionally: writable, sealable, seals, mode, maps, pinned */
#define RW(seals, mode) { true, true, (seals), (mode), 0, false }
#define RO(seals, mode) { false, true, (seals), (mode), 0, false }
#define RW_MAPS(seals, mode, n) { true, true, (seals), (mode), (n), false }
#define RW_PINNED(seals, mode) { true, true, (seals), (mode), 0, true }
#define RW_OTHER { true, false, 0, 0644, 0, false } /* ext4 file, pipe, ... */
#define RO_OTHER { false, false, 0, 0644, 0, false }

#define UPPER (1UL << 32)

static const struct add_row add_rows[] = {
	/* 1. Not open for writing: EPERM before anything else (4.16+). */
	{ "O_RDONLY fd", &k6_18, RO(0, 0777), S_SHRINK, -EPERM, 0 },
	{ "O_RDONLY fd, arg 0", &k6_18, RO(0, 0777), 0, -EPERM, 0 },
	{ "O_RDONLY fd, unknown bit 0x40 (section 9)", &k6_18, RO(0, 0777),
	  0x40, -EPERM, 0 },
	{ "O_RDONLY fd, bit 31", &k6_18, RO(0, 0777), 0x80000000UL, -EPERM, 0 },
	{ "O_RDONLY fd, 0xffffffff", &k6_18, RO(0, 0777), 0xffffffffUL, -EPERM,
	  0 },
	{ "O_RDONLY fd on ext4 (not sealable)", &k6_18, RO_OTHER, S_SHRINK,
	  -EPERM, 0 },
	{ "pipe read end, unknown bits (section 9)", &k6_18, RO_OTHER, 0x40,
	  -EPERM, 0 },
	{ "O_RDONLY fd, SEAL set", &k6_18, RO(S_SEAL, 0777), S_SHRINK, -EPERM,
	  0 },
	{ "O_RDONLY fd, WRITE with maps", &k6_18,
	  { false, true, 0, 0777, 2, false }, S_WRITE, -EPERM, 0 },

	/* 2. Unknown bits: EINVAL, even with F_SEAL_SEAL set (section 9). */
	{ "unknown bit 0x40", &k6_18, RW(0, 0777), 0x40, -EINVAL, 0 },
	{ "unknown bit 0x80", &k6_18, RW(0, 0777), 0x80, -EINVAL, 0 },
	{ "bit 31 (reserved)", &k6_18, RW(0, 0777), 0x80000000UL, -EINVAL, 0 },
	{ "0xffffffff", &k6_18, RW(0, 0777), 0xffffffffUL, -EINVAL, 0 },
	{ "0x40|SHRINK", &k6_18, RW(0, 0777), 0x40 | S_SHRINK, -EINVAL, 0 },
	{ "unknown bit with SEAL set (section 9)", &k6_18, RW(S_SEAL, 0777),
	  0x40, -EINVAL, 0 },
	{ "unknown bit on a pipe write end", &k6_18, RW_OTHER, 0x40, -EINVAL,
	  0 },
	{ "unknown bit + WRITE with maps: EINVAL before EBUSY", &k6_18,
	  RW_MAPS(0, 0777, 1), 0x40 | S_WRITE, -EINVAL, 0 },

	/* 3. Not tmpfs/hugetlbfs: EINVAL. */
	{ "ext4 file, SHRINK", &k6_18, RW_OTHER, S_SHRINK, -EINVAL, 0 },
	{ "pipe write end, SEAL (section 9)", &k6_18, RW_OTHER, S_SEAL, -EINVAL,
	  0 },
	{ "ext4 file, arg 0", &k6_18, RW_OTHER, 0, -EINVAL, 0 },
	{ "ext4 file, WRITE", &k6_18, { true, false, 0, 0644, 1, true },
	  S_WRITE, -EINVAL, 0 },

	/* 4. F_SEAL_SEAL present: EPERM, even for arg 0 or repeats [T]. */
	{ "SEAL set, arg 0", &k6_18, RW(S_SEAL, 0777), 0, -EPERM, 0 },
	{ "SEAL set, SEAL again", &k6_18, RW(S_SEAL, 0777), S_SEAL, -EPERM, 0 },
	{ "SEAL set, SHRINK", &k6_18, RW(S_SEAL, 0777), S_SHRINK, -EPERM, 0 },
	{ "SEAL|GROW|SHRINK|WRITE set, GROW again [T test_basic]", &k6_18,
	  RW(0x0f, 0777), S_GROW, -EPERM, 0 },
	{ "SEAL|GROW|SHRINK|WRITE set, arg 0 [T test_basic]", &k6_18,
	  RW(0x0f, 0777), 0, -EPERM, 0 },
	{ "SEAL set, WRITE with maps: EPERM before EBUSY", &k6_18,
	  RW_MAPS(S_SEAL, 0777, 1), S_WRITE, -EPERM, 0 },
	{ "SEAL set, EXEC on 0777", &k6_18, RW(S_SEAL, 0777), S_EXEC, -EPERM,
	  0 },
	{ "plain /dev/shm file (born with SEAL, section 9)", &k6_18,
	  RW(S_SEAL, 0644), S_SHRINK, -EPERM, 0 },
	{ "memfd without ALLOW_SEALING, WRITE", &k6_18, RW(S_SEAL, 0777),
	  S_WRITE, -EPERM, 0 },

	/* 5. New F_SEAL_WRITE: EBUSY with writable shared maps or pins. */
	{ "WRITE, one writable shared map", &k6_18, RW_MAPS(0, 0777, 1),
	  S_WRITE, -EBUSY, 0 },
	{ "WRITE, three writable shared maps", &k6_18, RW_MAPS(0, 0777, 3),
	  S_WRITE, -EBUSY, 0 },
	{ "WRITE|SHRINK|GROW with a map: all or nothing", &k6_18,
	  RW_MAPS(0, 0777, 1), S_WRITE | S_SHRINK | S_GROW, -EBUSY, 0 },
	{ "WRITE|SEAL with a map: all or nothing", &k6_18, RW_MAPS(0, 0777, 1),
	  S_WRITE | S_SEAL, -EBUSY, 0 },
	{ "WRITE with a map on an FW-sealed file (live 6.18)", &k6_18,
	  RW_MAPS(S_FW, 0777, 1), S_WRITE, -EBUSY, 0 },
	{ "WRITE, pages pinned", &k6_18, RW_PINNED(0, 0777), S_WRITE, -EBUSY,
	  0 },
	{ "WRITE, pinned and mapped", &k6_18,
	  { true, true, 0, 0777, 1, true }, S_WRITE, -EBUSY, 0 },
	{ "WRITE, no maps, no pins", &k6_18, RW(0, 0777), S_WRITE, 0, S_WRITE },
	{ "WRITE, maps count 0 after munmap [T share_mmap]", &k6_18,
	  RW_MAPS(0, 0644, 0), S_WRITE | S_SHRINK, 0, S_WRITE | S_SHRINK },
	{ "SHRINK with a map [T share_mmap]", &k6_18, RW_MAPS(0, 0777, 1),
	  S_SHRINK, 0, S_SHRINK },
	{ "SHRINK|GROW|SEAL with maps", &k6_18, RW_MAPS(0, 0777, 2),
	  S_SHRINK | S_GROW | S_SEAL, 0, S_SHRINK | S_GROW | S_SEAL },
	{ "FUTURE_WRITE with a map: never EBUSY", &k6_18, RW_MAPS(0, 0777, 1),
	  S_FW, 0, S_FW },
	{ "FUTURE_WRITE, pinned: never EBUSY (live 6.18)", &k6_18,
	  RW_PINNED(0, 0777), S_FW, 0, S_FW },
	{ "FUTURE_WRITE|SHRINK, mapped and pinned", &k6_18,
	  { true, true, 0, 0777, 1, true }, S_FW | S_SHRINK, 0, S_FW | S_SHRINK },
	{ "WRITE already set: no pin check", &k6_18, RW_PINNED(S_WRITE, 0777),
	  S_WRITE, 0, S_WRITE },
	{ "WRITE already set, WRITE|SHRINK, pinned", &k6_18,
	  RW_PINNED(S_WRITE, 0777), S_WRITE | S_SHRINK, 0, S_WRITE | S_SHRINK },
	{ "SHRINK, pinned", &k6_18, RW_PINNED(0, 0777), S_SHRINK, 0, S_SHRINK },
	{ "FUTURE_WRITE on a WRITE-sealed file", &k6_18, RW(S_WRITE, 0777),
	  S_FW, 0, S_WRITE | S_FW },
	{ "WRITE on an FW-sealed file, no maps", &k6_18, RW(S_FW, 0777),
	  S_WRITE, 0, S_WRITE | S_FW },

	/* 6. F_SEAL_EXEC on an executable mode implies SHRINK|GROW|W|FW. */
	{ "EXEC on 0777 -> 0x3e [T, section 9]", &k6_18, RW(0, 0777), S_EXEC,
	  0, S_WX },
	{ "EXEC on 0700 [T test_exec_seal]", &k6_18, RW(0, 0700), S_EXEC, 0,
	  S_WX },
	{ "EXEC on 0755", &k6_18, RW(0, 0755), S_EXEC, 0, S_WX },
	{ "EXEC on 0100", &k6_18, RW(0, 0100), S_EXEC, 0, S_WX },
	{ "EXEC on 0010", &k6_18, RW(0, 0010), S_EXEC, 0, S_WX },
	{ "EXEC on 0001", &k6_18, RW(0, 0001), S_EXEC, 0, S_WX },
	{ "EXEC on 0644 adds EXEC alone [T]", &k6_18, RW(0, 0644), S_EXEC, 0,
	  S_EXEC },
	{ "EXEC on 0666", &k6_18, RW(0, 0666), S_EXEC, 0, S_EXEC },
	{ "EXEC on 0600", &k6_18, RW(0, 0600), S_EXEC, 0, S_EXEC },
	{ "EXEC on 0000", &k6_18, RW(0, 0000), S_EXEC, 0, S_EXEC },
	{ "EXEC on 04666 (setuid, no exec bit)", &k6_18, RW(0, 04666), S_EXEC,
	  0, S_EXEC },
	{ "EXEC|SEAL on 0777", &k6_18, RW(0, 0777), S_EXEC | S_SEAL, 0, S_ALL },
	{ "EXEC|SEAL on 0644", &k6_18, RW(0, 0644), S_EXEC | S_SEAL, 0,
	  S_EXEC | S_SEAL },
	{ "EXEC|SHRINK on 0644", &k6_18, RW(0, 0644), S_EXEC | S_SHRINK, 0,
	  S_EXEC | S_SHRINK },
	{ "EXEC on 0777, WRITE|SHRINK already set", &k6_18,
	  RW(S_WRITE | S_SHRINK, 0777), S_EXEC, 0, S_WX },
	{ "EXEC again on a NOEXEC_SEAL memfd (0666)", &k6_18, RW(S_EXEC, 0666),
	  S_EXEC, 0, S_EXEC },
	/*
	 * Section 9 (and live 6.18): EXEC while a writable shared mapping
	 * exists is EBUSY and adds nothing. This contradicts the [I] note in
	 * SPEC 2.3 step 6; section 9 wins. Live 6.18 also gives EBUSY for
	 * pinned pages, so the implied WRITE goes through both checks.
	 */
	{ "EXEC on 0777 with a writable shared map (section 9)", &k6_18,
	  RW_MAPS(0, 0777, 1), S_EXEC, -EBUSY, 0 },
	{ "EXEC|SEAL on 0700 with maps: nothing added", &k6_18,
	  RW_MAPS(0, 0700, 2), S_EXEC | S_SEAL, -EBUSY, 0 },
	{ "EXEC on 0777, FW set, pre-seal writable map (live 6.18)", &k6_18,
	  RW_MAPS(S_FW, 0777, 1), S_EXEC, -EBUSY, 0 },
	{ "EXEC on 0777, pinned (live 6.18, io_uring fixed buffer)", &k6_18,
	  RW_PINNED(0, 0777), S_EXEC, -EBUSY, 0 },
	{ "EXEC on 0644 with a writable map (live 6.18)", &k6_18,
	  RW_MAPS(0, 0644, 1), S_EXEC, 0, S_EXEC },
	{ "EXEC on 0644, pinned (live 6.18)", &k6_18, RW_PINNED(0, 0644),
	  S_EXEC, 0, S_EXEC },
	{ "EXEC on 0644, FW set, pinned (live 6.18)", &k6_18,
	  RW_PINNED(S_FW, 0644), S_EXEC, 0, S_EXEC | S_FW },

	/* 7. Re-adding and no-ops [T test_basic]. */
	{ "arg 0 on an unsealed file", &k6_18, RW(0, 0777), 0, 0, 0 },
	{ "arg 0 on 0x3e", &k6_18, RW(S_WX, 0777), 0, 0, S_WX },
	{ "SHRINK|WRITE", &k6_18, RW(0, 0777), S_SHRINK | S_WRITE, 0,
	  S_SHRINK | S_WRITE },
	{ "SHRINK|WRITE again: idempotent", &k6_18,
	  RW(S_SHRINK | S_WRITE, 0777), S_SHRINK | S_WRITE, 0,
	  S_SHRINK | S_WRITE },
	{ "GROW|SEAL after SHRINK|WRITE", &k6_18, RW(S_SHRINK | S_WRITE, 0777),
	  S_GROW | S_SEAL, 0, 0x0f },
	{ "SEAL alone", &k6_18, RW(0, 0777), S_SEAL, 0, S_SEAL },
	{ "every seal on 0644", &k6_18, RW(0, 0644), S_ALL, 0, S_ALL },
	{ "every seal on 0777", &k6_18, RW(0, 0777), S_ALL, 0, S_ALL },
	{ "GROW adds to existing SHRINK", &k6_18, RW(S_SHRINK, 0777), S_GROW, 0,
	  S_SHRINK | S_GROW },

	/* 8. Bits above 32: dropped on 6.18 (section 9, live). */
	{ "(1<<32)|SHRINK adds SHRINK", &k6_18, RW(0, 0777), UPPER | S_SHRINK,
	  0, S_SHRINK },
	{ "1<<40 alone: no-op success (live 6.18)", &k6_18, RW(0, 0777),
	  1UL << 40, 0, 0 },
	{ "1<<63 alone: no-op", &k6_18, RW(0, 0777), 1UL << 63, 0, 0 },
	{ "upper bits | WRITE", &k6_18, RW(0, 0777),
	  0xffffffff00000000UL | S_WRITE, 0, S_WRITE },
	{ "(1<<32)|GROW onto SHRINK (live 6.18)", &k6_18, RW(S_SHRINK, 0777),
	  UPPER | S_GROW, 0, S_SHRINK | S_GROW },
	{ "(1<<32) with SEAL set: EPERM (live 6.18)", &k6_18, RW(S_SEAL, 0777),
	  UPPER, -EPERM, 0 },
	{ "(1<<32)|0x40: low bits still checked", &k6_18, RW(0, 0777),
	  UPPER | 0x40, -EINVAL, 0 },
	{ "~0UL: low half has unknown bits (live 6.18)", &k6_18, RW(0, 0777),
	  ~0UL, -EINVAL, 0 },
	{ "O_RDONLY, (1<<32)|SHRINK (live 6.18)", &k6_18, RO(0, 0777),
	  UPPER | S_SHRINK, -EPERM, 0 },
	{ "(1<<32)|WRITE with a map", &k6_18, RW_MAPS(0, 0777, 1),
	  UPPER | S_WRITE, -EBUSY, 0 },
	{ "(1<<32)|EXEC on 0777", &k6_18, RW(0, 0777), UPPER | S_EXEC, 0,
	  S_WX },

	/* Bits above 32 before ~6.5: memfd_fcntl rejects them first [S]. */
	{ "(1<<32)|SHRINK", &k6_1, RW(0, 0777), UPPER | S_SHRINK, -EINVAL, 0 },
	{ "1<<63", &k6_1, RW(0, 0777), 1UL << 63, -EINVAL, 0 },
	{ "(1<<32) alone", &k5_10, RW(0, 0777), UPPER, -EINVAL, 0 },
	{ "(1<<32)|SHRINK, SEAL set", &k5_10, RW(S_SEAL, 0777),
	  UPPER | S_SHRINK, -EINVAL, 0 },
	{ "O_RDONLY, (1<<32)|SHRINK: EINVAL before EPERM [S memfd_fcntl]",
	  &k6_1, RO(0, 0777), UPPER | S_SHRINK, -EINVAL, 0 },
	{ "(1<<32)|SHRINK", &k6_3, RW(0, 0777), UPPER | S_SHRINK, -EINVAL, 0 },
	{ "(1<<32)|SHRINK", &k3_17, RW(0, 0777), UPPER | S_SHRINK, -EINVAL, 0 },
	{ "O_RDONLY ext4, (1<<32)", &k3_17, RO_OTHER, UPPER, -EINVAL, 0 },

	/* 5.1 - 6.2: known 0x1f. */
	{ "EXEC unknown", &k6_1, RW(0, 0777), S_EXEC, -EINVAL, 0 },
	{ "EXEC|SEAL unknown", &k6_1, RW(0, 0777), S_EXEC | S_SEAL, -EINVAL, 0 },
	{ "0x3f unknown", &k5_10, RW(0, 0777), S_ALL, -EINVAL, 0 },
	{ "EXEC with SEAL set: EINVAL first", &k5_10, RW(S_SEAL, 0777), S_EXEC,
	  -EINVAL, 0 },
	{ "O_RDONLY, EXEC: EPERM first", &k6_1, RO(0, 0777), S_EXEC, -EPERM, 0 },
	{ "FUTURE_WRITE known", &k6_1, RW(0, 0777), S_FW, 0, S_FW },
	{ "FUTURE_WRITE known", &k5_1, RW(0, 0777), S_FW, 0, S_FW },
	{ "0x1f", &k5_10, RW(0, 0777), 0x1f, 0, 0x1f },
	{ "WRITE with a map", &k5_10, RW_MAPS(0, 0777, 1), S_WRITE, -EBUSY, 0 },
	{ "WRITE, pinned", &k6_1, RW_PINNED(0, 0777), S_WRITE, -EBUSY, 0 },
	{ "SEAL set", &k6_1, RW(S_SEAL, 0777), S_SHRINK, -EPERM, 0 },
	{ "ext4, O_RDONLY", &k6_1, RO_OTHER, S_SHRINK, -EPERM, 0 },
	{ "ext4, writable", &k6_1, RW_OTHER, S_SHRINK, -EINVAL, 0 },

	/* 6.3: EXEC known; the W^X implication. */
	{ "EXEC on 0777", &k6_3, RW(0, 0777), S_EXEC, 0, S_WX },
	{ "EXEC on 0644", &k6_3, RW(0, 0644), S_EXEC, 0, S_EXEC },
	{ "0x40 unknown", &k6_3, RW(0, 0777), 0x40, -EINVAL, 0 },

	/* 3.17 - 5.0: known 0x0f. */
	{ "FUTURE_WRITE unknown", &k4_16, RW(0, 0777), S_FW, -EINVAL, 0 },
	{ "O_RDONLY, FUTURE_WRITE: EPERM first", &k4_16, RO(0, 0777), S_FW,
	  -EPERM, 0 },
	{ "O_RDONLY ext4: EPERM first (4.16+ order)", &k4_16, RO_OTHER,
	  S_SHRINK, -EPERM, 0 },
	{ "0x0f", &k4_16, RW(0, 0777), 0x0f, 0, 0x0f },

	/* 3.17 - 4.15: the file-type check comes first. */
	{ "O_RDONLY ext4: EINVAL first", &k3_17, RO_OTHER, S_SHRINK, -EINVAL,
	  0 },
	{ "O_RDONLY ext4, unknown bits", &k3_17, RO_OTHER, 0x40, -EINVAL, 0 },
	{ "O_RDONLY memfd: EPERM", &k3_17, RO(0, 0777), S_SHRINK, -EPERM, 0 },
	{ "O_RDONLY memfd, unknown bits: EPERM before EINVAL", &k3_17,
	  RO(0, 0777), 0x40, -EPERM, 0 },
	{ "writable memfd, FUTURE_WRITE unknown", &k3_17, RW(0, 0777), S_FW,
	  -EINVAL, 0 },
	{ "writable ext4", &k3_17, RW_OTHER, S_SHRINK, -EINVAL, 0 },
	{ "SEAL set", &k3_17, RW(S_SEAL, 0777), S_SHRINK, -EPERM, 0 },
	{ "SEAL set, unknown bits: EINVAL", &k3_17, RW(S_SEAL, 0777), 0x10,
	  -EINVAL, 0 },
	{ "WRITE with a map", &k3_17, RW_MAPS(0, 0777, 1), S_WRITE, -EBUSY, 0 },
	{ "WRITE, pinned", &k3_17, RW_PINNED(0, 0777), S_WRITE, -EBUSY, 0 },
	{ "SHRINK|GROW|WRITE", &k3_17, RW(0, 0777), 0x0e, 0, 0x0e },

	/* Before 3.17 the command does not exist: EINVAL, whatever the fd. */
	{ "SHRINK", &k3_16, RW(0, 0777), S_SHRINK, -EINVAL, 0 },
	{ "O_RDONLY", &k3_16, RO(0, 0777), S_SHRINK, -EINVAL, 0 },
	{ "arg 0", &k3_16, RW(0, 0777), 0, -EINVAL, 0 },
};

Test(seals_add, table)
{
	for (size_t i = 0; i < SB_ARRAY_SIZE(add_rows); i++) {
		const struct add_row *row = &add_rows[i];
		unsigned int out = 0xdead;
		int ret = seals_add(&row->k->r, &row->s, row->arg, &out);

		cr_expect_eq(ret, row->ret, "add %s: %s (arg %#lx): %d, want %d",
			     row->k->name, row->desc, row->arg, ret, row->ret);
		if (row->ret == 0 && ret == 0)
			cr_expect_eq(out, row->seals,
				     "add %s: %s: seals %#x, want %#x",
				     row->k->name, row->desc, out, row->seals);
		/* A failed call adds nothing (EBUSY is all-or-nothing). */
		if (row->ret != 0 && ret != 0)
			cr_expect(out == 0xdead || out == row->s.seals,
				  "add %s: %s: failed but reported seals %#x",
				  row->k->name, row->desc, out);
	}
}

/* The selftest's test_basic, run as a sequence through seals_add. */
Test(seals_add, selftest_basic_sequence)
{
	struct seal_subject s = RW(0, 0777);
	unsigned int out = 0;

	cr_assert_eq(seals_add(&k6_18.r, &s, S_SHRINK | S_WRITE, &out), 0);
	s.seals = out;
	cr_assert_eq(seals_add(&k6_18.r, &s, S_SHRINK | S_WRITE, &out), 0);
	cr_expect_eq(out, S_SHRINK | S_WRITE);
	s.seals = out;
	cr_assert_eq(seals_add(&k6_18.r, &s, S_GROW | S_SEAL, &out), 0);
	cr_expect_eq(out, 0x0fU);
	s.seals = out;
	cr_expect_eq(seals_add(&k6_18.r, &s, S_GROW, &out), -EPERM);
	cr_expect_eq(seals_add(&k6_18.r, &s, 0, &out), -EPERM);
}

/* ------------------------------------------------------------------------ */
/* F_GET_SEALS                                                               */
/* ------------------------------------------------------------------------ */

struct get_row {
	const char *desc;
	const struct kernel *k;
	bool sealable;
	unsigned int seals;
	int ret;
};

static const struct get_row get_rows[] = {
	{ "memfd with ALLOW_SEALING", &k6_18, true, 0, 0 },
	{ "memfd without ALLOW_SEALING", &k6_18, true, S_SEAL, 1 },
	/* SPEC 2.2 / section 9: every tmpfs file answers 1 (sealable, SEAL). */
	{ "plain /dev/shm or O_TMPFILE file", &k6_18, true, S_SEAL, 1 },
	{ "NOEXEC_SEAL memfd", &k6_18, true, S_EXEC, 0x20 },
	{ "EXEC-implied seals", &k6_18, true, S_WX, 0x3e },
	{ "every seal", &k6_18, true, S_ALL, 0x3f },
	{ "SHRINK|WRITE", &k6_18, true, S_SHRINK | S_WRITE, 0x0a },
	{ "ext4 file", &k6_18, false, 0, -EINVAL },
	{ "pipe (section 9)", &k6_18, false, 0, -EINVAL },
	{ "not sealable, stale seals passed", &k6_18, false, S_SEAL, -EINVAL },
	{ "0x1f", &k6_1, true, 0x1f, 0x1f },
	{ "ext4", &k5_10, false, 0, -EINVAL },
	{ "SEAL", &k3_17, true, S_SEAL, 1 },
	{ "no sealing: unknown command", &k3_16, true, S_SEAL, -EINVAL },
	{ "no sealing, ext4", &k3_16, false, 0, -EINVAL },
};

Test(seals_get, table)
{
	for (size_t i = 0; i < SB_ARRAY_SIZE(get_rows); i++) {
		const struct get_row *row = &get_rows[i];

		cr_expect_eq(seals_get(&row->k->r, row->sealable, row->seals),
			     row->ret, "get %s: %s: want %d", row->k->name,
			     row->desc, row->ret);
	}
}

/* ------------------------------------------------------------------------ */
/* ftruncate / truncate and open(O_TRUNC) (SPEC 3.1)                         */
/* ------------------------------------------------------------------------ */

struct trunc_row {
	const char *desc;
	unsigned int seals;
	int64_t size;
	int64_t new_size;
	int ret;
};

static const struct trunc_row trunc_rows[] = {
	{ "unsealed shrink", 0, 8192, 4096, 0 },
	{ "unsealed grow", 0, 8192, 16384, 0 },
	{ "unsealed same", 0, 8192, 8192, 0 },
	{ "unsealed to 0", 0, 8192, 0, 0 },
	{ "SHRINK: shrink", S_SHRINK, 8192, 4096, -EPERM },
	{ "SHRINK: shrink by one byte", S_SHRINK, 8192, 8191, -EPERM },
	{ "SHRINK: to 0", S_SHRINK, 8192, 0, -EPERM },
	{ "SHRINK: grow [T]", S_SHRINK, 8192, 16384, 0 },
	{ "SHRINK: same", S_SHRINK, 8192, 8192, 0 },
	{ "SHRINK: 0 to 0", S_SHRINK, 0, 0, 0 },
	{ "GROW: grow", S_GROW, 8192, 16384, -EPERM },
	{ "GROW: grow by one byte", S_GROW, 8192, 8193, -EPERM },
	{ "GROW: from 0", S_GROW, 0, 1, -EPERM },
	{ "GROW: to INT64_MAX", S_GROW, 0, INT64_MAX, -EPERM },
	{ "GROW: shrink [T]", S_GROW, 8192, 4096, 0 },
	{ "GROW: same", S_GROW, 8192, 8192, 0 },
	{ "SHRINK|GROW: shrink [T resize]", S_SHRINK | S_GROW, 8192, 4096,
	  -EPERM },
	{ "SHRINK|GROW: grow", S_SHRINK | S_GROW, 8192, 16384, -EPERM },
	{ "SHRINK|GROW: same size always ok", S_SHRINK | S_GROW, 8192, 8192,
	  0 },
	{ "WRITE alone: shrink [T seal_write]", S_WRITE, 8192, 4096, 0 },
	{ "WRITE alone: grow [T seal_write]", S_WRITE, 8192, 16384, 0 },
	{ "FUTURE_WRITE: shrink", S_FW, 8192, 4096, 0 },
	{ "FUTURE_WRITE: grow", S_FW, 8192, 16384, 0 },
	{ "EXEC: shrink", S_EXEC, 8192, 0, 0 },
	{ "SEAL: grow", S_SEAL, 8192, 16384, 0 },
	{ "every seal: same", S_ALL, 8192, 8192, 0 },
	{ "every seal: shrink", S_ALL, 8192, 4096, -EPERM },
	{ "every seal: grow", S_ALL, 8192, 16384, -EPERM },
	{ "0x3e (EXEC-implied): shrink", S_WX, 4096, 0, -EPERM },
	{ "0x3e: grow", S_WX, 4096, 8192, -EPERM },
	{ "WRITE|SHRINK: grow", S_WRITE | S_SHRINK, 100, 200, 0 },
	{ "WRITE|GROW: shrink", S_WRITE | S_GROW, 200, 100, 0 },
	/* Negative length: EINVAL, before any seal check. */
	{ "negative, unsealed", 0, 8192, -1, -EINVAL },
	{ "negative, SHRINK", S_SHRINK, 8192, -1, -EINVAL },
	{ "negative, GROW", S_GROW, 8192, -1, -EINVAL },
	{ "negative from 0", 0, 0, -4096, -EINVAL },
	{ "INT64_MIN, every seal", S_ALL, 8192, INT64_MIN, -EINVAL },
};

Test(seals_truncate, table)
{
	for (size_t i = 0; i < SB_ARRAY_SIZE(trunc_rows); i++) {
		const struct trunc_row *row = &trunc_rows[i];

		cr_expect_eq(seals_check_truncate(row->seals, row->size,
						  row->new_size),
			     row->ret, "truncate %s (%lld -> %lld): want %d",
			     row->desc, (long long)row->size,
			     (long long)row->new_size, row->ret);
	}
}

struct otrunc_row {
	const char *desc;
	unsigned int seals;
	int64_t size;
	int ret;
};

static const struct otrunc_row otrunc_rows[] = {
	{ "SHRINK, non-empty [T]", S_SHRINK, 8192, -EPERM },
	{ "SHRINK, one byte", S_SHRINK, 1, -EPERM },
	{ "SHRINK, empty [I]", S_SHRINK, 0, 0 },
	{ "unsealed, non-empty", 0, 8192, 0 },
	{ "GROW, non-empty", S_GROW, 8192, 0 },
	{ "WRITE, non-empty (section 9)", S_WRITE, 8192, 0 },
	{ "FUTURE_WRITE, non-empty", S_FW, 8192, 0 },
	{ "EXEC, non-empty", S_EXEC, 8192, 0 },
	{ "SEAL, non-empty", S_SEAL, 8192, 0 },
	{ "GROW|WRITE|SEAL, non-empty", S_GROW | S_WRITE | S_SEAL, 8192, 0 },
	{ "every seal, non-empty", S_ALL, 8192, -EPERM },
	{ "every seal, empty", S_ALL, 0, 0 },
	{ "0x3e, non-empty", S_WX, 4096, -EPERM },
};

Test(seals_open_trunc, table)
{
	for (size_t i = 0; i < SB_ARRAY_SIZE(otrunc_rows); i++) {
		const struct otrunc_row *row = &otrunc_rows[i];

		cr_expect_eq(seals_check_open_trunc(row->seals, row->size),
			     row->ret, "O_TRUNC %s: want %d", row->desc,
			     row->ret);
	}
}

/* ------------------------------------------------------------------------ */
/* write / pwrite (SPEC 3.2); every G row was run on live 6.18               */
/* ------------------------------------------------------------------------ */

struct write_row {
	const char *desc;
	const struct kernel *k;
	unsigned int seals;
	bool hugetlb;
	int64_t size;
	int64_t pos;
	uint64_t len;
	int64_t ret;
};

static const struct write_row write_rows[] = {
	/* Zero-length writes return 0 whatever the seals (live 6.18). */
	{ "zero length, WRITE", &k6_18, S_WRITE, false, 100, 0, 0, 0 },
	{ "zero length, WRITE, past EOF", &k6_18, S_WRITE, false, 100, 5000, 0,
	  0 },
	{ "zero length, FUTURE_WRITE", &k6_18, S_FW, false, 100, 0, 0, 0 },
	{ "zero length, GROW at EOF", &k6_18, S_GROW, false, 100, 100, 0, 0 },
	{ "zero length, GROW past EOF", &k6_18, S_GROW, false, 100, 5000, 0,
	  0 },
	{ "zero length, every seal", &k6_18, S_ALL, false, 100, 0, 0, 0 },
	{ "zero length, unsealed", &k6_18, 0, false, 0, 0, 0, 0 },

	/* WRITE / FUTURE_WRITE: EPERM, nothing written. */
	{ "WRITE", &k6_18, S_WRITE, false, 100, 0, 10, -EPERM },
	{ "WRITE, past EOF", &k6_18, S_WRITE, false, 100, 5000, 10, -EPERM },
	{ "WRITE, empty file", &k6_18, S_WRITE, false, 0, 0, 10, -EPERM },
	{ "FUTURE_WRITE", &k6_18, S_FW, false, 100, 0, 10, -EPERM },
	{ "FUTURE_WRITE, big", &k6_18, S_FW, false, 65536, 0, 65536, -EPERM },
	{ "WRITE|GROW (live 6.18)", &k6_18, S_WRITE | S_GROW, false, 100, 0, 10,
	  -EPERM },
	{ "FUTURE_WRITE|GROW past EOF", &k6_18, S_FW | S_GROW, false, 100, 4000,
	  200, -EPERM },
	{ "0x3e (EXEC-implied)", &k6_18, S_WX, false, 4096, 0, 1, -EPERM },
	{ "every seal", &k6_18, S_ALL, false, 4096, 0, 1, -EPERM },
	{ "WRITE on 5.10", &k5_10, S_WRITE, false, 100, 0, 10, -EPERM },
	{ "FUTURE_WRITE on 5.1", &k5_1, S_FW, false, 100, 0, 10, -EPERM },

	/* SHRINK, EXEC, SEAL: no effect on writes. */
	{ "SHRINK, within", &k6_18, S_SHRINK, false, 100, 0, 10, 10 },
	{ "SHRINK, growing (live 6.18)", &k6_18, S_SHRINK, false, 100, 0, 1000,
	  1000 },
	{ "SHRINK, past EOF", &k6_18, S_SHRINK, false, 0, 8192, 100, 100 },
	{ "EXEC", &k6_18, S_EXEC, false, 0, 0, 100, 100 },
	{ "SEAL", &k6_18, S_SEAL, false, 0, 0, 100, 100 },
	{ "unsealed, grow", &k6_18, 0, false, 0, 0, 100, 100 },
	{ "unsealed, past EOF", &k6_18, 0, false, 100, 5000, 10, 10 },
	{ "unsealed, 1 MiB", &k6_18, 0, false, 0, 0, MiB, MiB },

	/* GROW: chunks of 4096 aligned to the file; short writes. */
	{ "GROW: 200 at 4000 on 4096 -> 96 (section 9)", &k6_18, S_GROW, false,
	  4096, 4000, 200, 96 },
	{ "GROW: 8192 at 0 on 5000 -> 4096 (chunk model, live)", &k6_18,
	  S_GROW, false, 5000, 0, 8192, 4096 },
	{ "GROW: 10000 at 100 on 5000 -> 3996 (live)", &k6_18, S_GROW, false,
	  5000, 100, 10000, 3996 },
	{ "GROW: 8192 at 0 on 8191 -> 4096 (live)", &k6_18, S_GROW, false, 8191,
	  0, 8192, 4096 },
	{ "GROW: 12288 at 0 on 8192 -> 8192 (live)", &k6_18, S_GROW, false,
	  8192, 0, 12288, 8192 },
	{ "GROW: 65536 at 1000 on 65536 -> 64536 (live)", &k6_18, S_GROW, false,
	  65536, 1000, 65536, 64536 },
	{ "GROW: 20000 at 1 on 20000 -> 16383 (live)", &k6_18, S_GROW, false,
	  20000, 1, 20000, 16383 },
	{ "GROW: entirely within", &k6_18, S_GROW, false, 8192, 4096, 4096,
	  4096 },
	{ "GROW: ending exactly at EOF", &k6_18, S_GROW, false, 100, 0, 100,
	  100 },
	{ "GROW: one byte past EOF in the first chunk", &k6_18, S_GROW, false,
	  100, 0, 101, -EPERM },
	{ "GROW: append at EOF (O_APPEND: pos = size)", &k6_18, S_GROW, false,
	  100, 100, 1, -EPERM },
	{ "GROW: entirely beyond EOF", &k6_18, S_GROW, false, 100, 5000, 10,
	  -EPERM },
	{ "GROW: empty file", &k6_18, S_GROW, false, 0, 0, 3, -EPERM },
	{ "GROW|SHRINK: 200 at 4000 on 4096", &k6_18, S_GROW | S_SHRINK, false,
	  4096, 4000, 200, 96 },
	{ "GROW|SHRINK: within", &k6_18, S_GROW | S_SHRINK, false, 8192, 0,
	  8192, 8192 },
	{ "GROW|SEAL|EXEC: short", &k6_18, S_GROW | S_SEAL | S_EXEC, false,
	  5000, 0, 8192, 4096 },
	{ "GROW on 5.10: 200 at 4000 on 4096", &k5_10, S_GROW, false, 4096,
	  4000, 200, 96 },
	{ "GROW on 3.17: 8192 at 0 on 5000", &k3_17, S_GROW, false, 5000, 0,
	  8192, 4096 },
	/* Chunk model with 2 MiB folios (derived from generic_perform_write). */
	{ "GROW, 2 MiB chunks: 8192 at 0 on 5000", &k6_18_2m, S_GROW, false,
	  5000, 0, 8192, -EPERM },
	{ "GROW, 2 MiB chunks: 200 at 4000 on 4096", &k6_18_2m, S_GROW, false,
	  4096, 4000, 200, -EPERM },
	{ "GROW, 2 MiB chunks: 4 MiB at 0 on 3 MiB", &k6_18_2m, S_GROW, false,
	  3 * MiB, 0, 4 * MiB, 2 * MiB },
	{ "GROW, 2 MiB chunks: within", &k6_18_2m, S_GROW, false, 3 * MiB, 4096,
	  8192, 8192 },

	/* hugetlbfs memfd: no write path at all, EINVAL (live 6.18). */
	{ "hugetlb, unsealed", &k6_18, 0, true, 0, 0, 10, -EINVAL },
	{ "hugetlb, zero length (live 6.18)", &k6_18, 0, true, 0, 0, 0,
	  -EINVAL },
	{ "hugetlb, WRITE (live 6.18)", &k6_18, S_WRITE, true, 2 * MiB, 0, 10,
	  -EINVAL },
	{ "hugetlb, GROW past EOF", &k6_18, S_GROW, true, 0, 0, 10, -EINVAL },
	{ "hugetlb, 5.10", &k5_10, 0, true, 0, 0, 10, -EINVAL },

	/* Negative position: EINVAL from the syscall, even for 0 bytes. */
	{ "pwrite at -1, 0 bytes (live 6.18)", &k6_18, 0, false, 100, -1, 0,
	  -EINVAL },
	{ "pwrite at -1, 10 bytes (live 6.18)", &k6_18, 0, false, 100, -1, 10,
	  -EINVAL },
	{ "pwrite at -1, 0 bytes, WRITE (live 6.18)", &k6_18, S_WRITE, false,
	  100, -1, 0, -EINVAL },
};

Test(seals_write, table)
{
	for (size_t i = 0; i < SB_ARRAY_SIZE(write_rows); i++) {
		const struct write_row *row = &write_rows[i];
		int64_t ret = seals_check_write(&row->k->r, row->seals,
						row->hugetlb, row->size,
						row->pos, row->len);

		cr_expect_eq(ret, row->ret,
			     "write %s: %s (size %lld, pos %lld, len %llu): "
			     "%lld, want %lld",
			     row->k->name, row->desc, (long long)row->size,
			     (long long)row->pos, (unsigned long long)row->len,
			     (long long)ret, (long long)row->ret);
	}
}

/* ------------------------------------------------------------------------ */
/* fallocate (SPEC 3.1, 3.3; order from 6.18 vfs_fallocate, all rows live)   */
/* ------------------------------------------------------------------------ */

#define FA_KEEP FALLOC_FL_KEEP_SIZE
#define FA_PUNCH FALLOC_FL_PUNCH_HOLE
#define FA_COLLAPSE FALLOC_FL_COLLAPSE_RANGE
#define FA_ZERO FALLOC_FL_ZERO_RANGE
#define FA_INSERT FALLOC_FL_INSERT_RANGE
#define FA_UNSHARE FALLOC_FL_UNSHARE_RANGE
#define FA_WRITE_ZEROES 0x80 /* FALLOC_FL_WRITE_ZEROES, 6.17 */

struct falloc_row {
	const char *desc;
	unsigned int seals;
	bool fd_writable;
	int mode;
	int64_t off;
	int64_t len;
	int64_t size;
	int ret;
};

static const struct falloc_row falloc_rows[] = {
	/* offset < 0 or len <= 0: EINVAL before anything. */
	{ "offset -1", 0, true, 0, -1, 10, 100, -EINVAL },
	{ "len 0", 0, true, 0, 0, 0, 100, -EINVAL },
	{ "len -5, GROW", S_GROW, true, 0, 0, -5, 100, -EINVAL },
	{ "len 0, O_RDONLY", 0, false, 0, 0, 0, 100, -EINVAL },
	{ "offset -1, unknown mode", 0, true, 0x100, -1, 10, 100, -EINVAL },
	{ "len 0, PUNCH_HOLE without KEEP_SIZE", 0, true, FA_PUNCH, 0, 0, 100,
	  -EINVAL },
	{ "offset -1, ZERO_RANGE, O_RDONLY", 0, false, FA_ZERO, -1, 10, 100,
	  -EINVAL },

	/* Mode checks (EOPNOTSUPP) before the fd check, whatever the fd. */
	{ "unknown mode bit 0x100", 0, true, 0x100, 0, 10, 100, -EOPNOTSUPP },
	{ "unknown mode bit 0x100, O_RDONLY", 0, false, 0x100, 0, 10, 100,
	  -EOPNOTSUPP },
	{ "NO_HIDE_STALE (0x4)", 0, true, FALLOC_FL_NO_HIDE_STALE, 0, 10, 100,
	  -EOPNOTSUPP },
	{ "NO_HIDE_STALE|KEEP_SIZE, O_RDONLY", 0, false,
	  FALLOC_FL_NO_HIDE_STALE | FA_KEEP, 0, 10, 100, -EOPNOTSUPP },
	{ "PUNCH_HOLE without KEEP_SIZE", 0, true, FA_PUNCH, 0, 10, 100,
	  -EOPNOTSUPP },
	{ "PUNCH_HOLE without KEEP_SIZE, O_RDONLY", 0, false, FA_PUNCH, 0, 10,
	  100, -EOPNOTSUPP },
	{ "PUNCH_HOLE without KEEP_SIZE, WRITE (section 9)", S_WRITE, true,
	  FA_PUNCH, 0, 10, 100, -EOPNOTSUPP },
	{ "PUNCH_HOLE without KEEP_SIZE, overflow", 0, true, FA_PUNCH,
	  INT64_MAX, 1, 100, -EOPNOTSUPP },
	{ "PUNCH_HOLE|ZERO_RANGE", 0, true, FA_PUNCH | FA_ZERO, 0, 10, 100,
	  -EOPNOTSUPP },
	{ "PUNCH_HOLE|ZERO_RANGE|KEEP_SIZE, O_RDONLY", 0, false,
	  FA_PUNCH | FA_ZERO | FA_KEEP, 0, 10, 100, -EOPNOTSUPP },
	{ "PUNCH_HOLE|COLLAPSE", 0, true, FA_PUNCH | FA_COLLAPSE, 0, 10, 100,
	  -EOPNOTSUPP },
	{ "PUNCH_HOLE|INSERT, O_RDONLY", 0, false, FA_PUNCH | FA_INSERT, 0, 10,
	  100, -EOPNOTSUPP },
	{ "COLLAPSE|KEEP_SIZE, O_RDONLY", 0, false, FA_COLLAPSE | FA_KEEP, 0,
	  10, 100, -EOPNOTSUPP },
	{ "INSERT|KEEP_SIZE, O_RDONLY", 0, false, FA_INSERT | FA_KEEP, 0, 10,
	  100, -EOPNOTSUPP },
	{ "WRITE_ZEROES|KEEP_SIZE, O_RDONLY", 0, false, FA_WRITE_ZEROES | FA_KEEP,
	  0, 10, 100, -EOPNOTSUPP },
	{ "COLLAPSE|KEEP_SIZE, overflow", 0, true, FA_COLLAPSE | FA_KEEP,
	  INT64_MAX, 1, 100, -EOPNOTSUPP },

	/* Then the fd: EBADF for modes the VFS accepts. */
	{ "mode 0, O_RDONLY", 0, false, 0, 0, 10, 100, -EBADF },
	{ "KEEP_SIZE, O_RDONLY", 0, false, FA_KEEP, 0, 10, 100, -EBADF },
	{ "PUNCH_HOLE|KEEP_SIZE, O_RDONLY", 0, false, FA_PUNCH | FA_KEEP, 0, 10,
	  100, -EBADF },
	{ "PUNCH_HOLE|KEEP_SIZE, O_RDONLY, WRITE", S_WRITE, false,
	  FA_PUNCH | FA_KEEP, 0, 10, 100, -EBADF },
	{ "mode 0 past EOF, O_RDONLY, GROW", S_GROW, false, 0, 0, 1000, 100,
	  -EBADF },
	{ "ZERO_RANGE, O_RDONLY (live 6.18)", 0, false, FA_ZERO, 0, 10, 100,
	  -EBADF },
	{ "ZERO_RANGE|KEEP_SIZE, O_RDONLY", 0, false, FA_ZERO | FA_KEEP, 0, 10,
	  100, -EBADF },
	{ "COLLAPSE, O_RDONLY (live 6.18)", 0, false, FA_COLLAPSE, 0, 10, 100,
	  -EBADF },
	{ "INSERT, O_RDONLY", 0, false, FA_INSERT, 0, 10, 100, -EBADF },
	{ "UNSHARE, O_RDONLY", 0, false, FA_UNSHARE, 0, 10, 100, -EBADF },
	{ "UNSHARE|KEEP_SIZE, O_RDONLY", 0, false, FA_UNSHARE | FA_KEEP, 0, 10,
	  100, -EBADF },
	{ "WRITE_ZEROES, O_RDONLY (6.17+)", 0, false, FA_WRITE_ZEROES, 0, 10,
	  100, -EBADF },
	{ "mode 0, O_RDONLY, overflow: EBADF before EFBIG", 0, false, 0,
	  INT64_MAX, 1, 100, -EBADF },

	/* Then offset + len overflow: EFBIG. */
	{ "offset + len overflows", 0, true, 0, INT64_MAX, 1, 100, -EFBIG },
	{ "KEEP_SIZE, overflows", 0, true, FA_KEEP, INT64_MAX, 1, 100, -EFBIG },
	{ "PUNCH_HOLE|KEEP_SIZE, overflows", 0, true, FA_PUNCH | FA_KEEP,
	  INT64_MAX, 1, 100, -EFBIG },
	{ "ZERO_RANGE, overflows", 0, true, FA_ZERO, INT64_MAX, 1, 100,
	  -EFBIG },
	{ "COLLAPSE, overflows", 0, true, FA_COLLAPSE, INT64_MAX, 1, 100,
	  -EFBIG },
	{ "GROW, overflows: EFBIG before EPERM (live 6.18)", S_GROW, true, 0,
	  INT64_MAX - 10, 11, 100, -EFBIG },
	{ "WRITE, PUNCH_HOLE|KEEP_SIZE, overflows", S_WRITE, true,
	  FA_PUNCH | FA_KEEP, INT64_MAX, 1, 100, -EFBIG },
	{ "ending at INT64_MAX (no overflow)", 0, true, 0, INT64_MAX - 10, 10,
	  100, 0 },
	{ "GROW, ending at INT64_MAX", S_GROW, true, 0, INT64_MAX - 10, 10, 100,
	  -EPERM },

	/* tmpfs itself: only allocate and PUNCH_HOLE|KEEP_SIZE. */
	{ "ZERO_RANGE", 0, true, FA_ZERO, 0, 10, 100, -EOPNOTSUPP },
	{ "ZERO_RANGE|KEEP_SIZE", 0, true, FA_ZERO | FA_KEEP, 0, 10, 100,
	  -EOPNOTSUPP },
	{ "ZERO_RANGE, WRITE", S_WRITE, true, FA_ZERO, 0, 10, 100,
	  -EOPNOTSUPP },
	{ "ZERO_RANGE past EOF, GROW", S_GROW, true, FA_ZERO, 0, 1000, 100,
	  -EOPNOTSUPP },
	{ "COLLAPSE", 0, true, FA_COLLAPSE, 0, 10, 100, -EOPNOTSUPP },
	{ "COLLAPSE, WRITE", S_WRITE, true, FA_COLLAPSE, 0, 10, 100,
	  -EOPNOTSUPP },
	{ "INSERT", 0, true, FA_INSERT, 0, 10, 100, -EOPNOTSUPP },
	{ "INSERT past EOF, GROW", S_GROW, true, FA_INSERT, 0, 1000, 100,
	  -EOPNOTSUPP },
	{ "UNSHARE", 0, true, FA_UNSHARE, 0, 10, 100, -EOPNOTSUPP },
	{ "UNSHARE|KEEP_SIZE, WRITE", S_WRITE, true, FA_UNSHARE | FA_KEEP, 0,
	  10, 100, -EOPNOTSUPP },
	{ "WRITE_ZEROES", 0, true, FA_WRITE_ZEROES, 0, 10, 100, -EOPNOTSUPP },

	/* Allocation and GROW (even with KEEP_SIZE). */
	{ "allocate within", 0, true, 0, 0, 10, 100, 0 },
	{ "allocate past EOF", 0, true, 0, 0, 1000, 100, 0 },
	{ "KEEP_SIZE past EOF", 0, true, FA_KEEP, 0, 1000, 100, 0 },
	{ "GROW: allocate past EOF", S_GROW, true, 0, 0, 1000, 100, -EPERM },
	{ "GROW: one byte past EOF", S_GROW, true, 0, 50, 51, 100, -EPERM },
	{ "GROW: KEEP_SIZE past EOF (section 9)", S_GROW, true, FA_KEEP, 50, 51,
	  100, -EPERM },
	{ "GROW: KEEP_SIZE entirely beyond EOF", S_GROW, true, FA_KEEP, 100, 1,
	  100, -EPERM },
	{ "GROW: ending exactly at EOF", S_GROW, true, 0, 50, 50, 100, 0 },
	{ "GROW: KEEP_SIZE within", S_GROW, true, FA_KEEP, 0, 100, 100, 0 },
	{ "GROW|SHRINK: past EOF", S_GROW | S_SHRINK, true, 0, 0, 4096, 100,
	  -EPERM },
	{ "0x3e: allocate past EOF", S_WX, true, 0, 0, 4096, 100, -EPERM },
	{ "WRITE: allocate within [T grow under SEAL_WRITE]", S_WRITE, true, 0,
	  0, 10, 100, 0 },
	{ "WRITE: allocate past EOF (section 9)", S_WRITE, true, 0, 0, 1000,
	  100, 0 },
	{ "WRITE: KEEP_SIZE past EOF", S_WRITE, true, FA_KEEP, 0, 1000, 100, 0 },
	{ "FUTURE_WRITE: allocate past EOF", S_FW, true, 0, 0, 1000, 100, 0 },
	{ "SHRINK: allocate past EOF", S_SHRINK, true, 0, 0, 1000, 100, 0 },
	{ "EXEC|SEAL: allocate past EOF", S_EXEC | S_SEAL, true, 0, 0, 1000,
	  100, 0 },

	/* PUNCH_HOLE|KEEP_SIZE: W and FW only. */
	{ "punch, unsealed", 0, true, FA_PUNCH | FA_KEEP, 0, 10, 100, 0 },
	{ "punch, WRITE", S_WRITE, true, FA_PUNCH | FA_KEEP, 0, 10, 100,
	  -EPERM },
	{ "punch, FUTURE_WRITE", S_FW, true, FA_PUNCH | FA_KEEP, 0, 10, 100,
	  -EPERM },
	{ "punch past EOF, WRITE", S_WRITE, true, FA_PUNCH | FA_KEEP, 5000, 10,
	  100, -EPERM },
	{ "punch, 0x3e", S_WX, true, FA_PUNCH | FA_KEEP, 0, 10, 100, -EPERM },
	{ "punch, SHRINK", S_SHRINK, true, FA_PUNCH | FA_KEEP, 0, 10, 100, 0 },
	{ "punch, GROW", S_GROW, true, FA_PUNCH | FA_KEEP, 0, 10, 100, 0 },
	{ "punch past EOF, GROW (live 6.18)", S_GROW, true, FA_PUNCH | FA_KEEP,
	  0, 1000, 100, 0 },
	{ "punch, SHRINK|GROW|SEAL|EXEC", S_SHRINK | S_GROW | S_SEAL | S_EXEC,
	  true, FA_PUNCH | FA_KEEP, 0, 10, 100, 0 },
};

Test(seals_fallocate, table)
{
	for (size_t i = 0; i < SB_ARRAY_SIZE(falloc_rows); i++) {
		const struct falloc_row *row = &falloc_rows[i];

		cr_expect_eq(seals_check_fallocate(row->seals, row->fd_writable,
						   row->mode, row->off,
						   row->len, row->size),
			     row->ret,
			     "fallocate %s (mode %#x, off %lld, len %lld, "
			     "size %lld, %s): want %d",
			     row->desc, (unsigned int)row->mode,
			     (long long)row->off, (long long)row->len,
			     (long long)row->size,
			     row->fd_writable ? "O_RDWR" : "O_RDONLY", row->ret);
	}
}

/* ------------------------------------------------------------------------ */
/* mmap verdicts (SPEC 3.5, 2.4; 6.18 rows live)                              */
/* ------------------------------------------------------------------------ */

#define P_R PROT_READ
#define P_W PROT_WRITE
#define P_RW (PROT_READ | PROT_WRITE)
#define P_RX (PROT_READ | PROT_EXEC)
#define P_NONE PROT_NONE

struct mmap_row {
	const char *desc;
	const struct kernel *k;
	unsigned int seals;
	int prot;
	int flags;
	bool fd_writable;
	int err;
	bool counts;   /* checked when err == 0 */
	bool maywrite; /* checked when err == 0 */
};

static const struct mmap_row mmap_rows[] = {
	/* Unsealed. */
	{ "SHARED RW via O_RDWR", &k6_18, 0, P_RW, MAP_SHARED, true, 0, true,
	  true },
	{ "SHARED R via O_RDWR counts (section 9)", &k6_18, 0, P_R, MAP_SHARED,
	  true, 0, true, true },
	{ "SHARED W-only via O_RDWR", &k6_18, 0, P_W, MAP_SHARED, true, 0, true,
	  true },
	{ "SHARED PROT_NONE via O_RDWR", &k6_18, 0, P_NONE, MAP_SHARED, true, 0,
	  true, true },
	{ "SHARED R|X via O_RDWR", &k6_18, 0, P_RX, MAP_SHARED, true, 0, true,
	  true },
	{ "SHARED_VALIDATE RW via O_RDWR", &k6_18, 0, P_RW, MAP_SHARED_VALIDATE,
	  true, 0, true, true },
	{ "SHARED RW via O_RDONLY: EACCES", &k6_18, 0, P_RW, MAP_SHARED, false,
	  -EACCES, false, false },
	{ "SHARED W-only via O_RDONLY: EACCES", &k6_18, 0, P_W, MAP_SHARED,
	  false, -EACCES, false, false },
	{ "SHARED R via O_RDONLY does not count (section 9)", &k6_18, 0, P_R,
	  MAP_SHARED, false, 0, false, false },
	{ "PRIVATE RW via O_RDWR", &k6_18, 0, P_RW, MAP_PRIVATE, true, 0, false,
	  true },
	{ "PRIVATE RW via O_RDONLY", &k6_18, 0, P_RW, MAP_PRIVATE, false, 0,
	  false, true },
	{ "PRIVATE R via O_RDONLY, mprotect(+W) works (live)", &k6_18, 0, P_R,
	  MAP_PRIVATE, false, 0, false, true },

	/* F_SEAL_WRITE, 6.7+ (map_ro_under_write). */
	{ "WRITE: SHARED RW via O_RDWR: EPERM", &k6_18, S_WRITE, P_RW,
	  MAP_SHARED, true, -EPERM, false, false },
	{ "WRITE: SHARED W-only (live 6.18)", &k6_18, S_WRITE, P_W, MAP_SHARED,
	  true, -EPERM, false, false },
	{ "WRITE: SHARED_VALIDATE RW (live 6.18)", &k6_18, S_WRITE, P_RW,
	  MAP_SHARED_VALIDATE, true, -EPERM, false, false },
	{ "WRITE: SHARED R via O_RDWR allowed [T map_read_shared]", &k6_18,
	  S_WRITE, P_R, MAP_SHARED, true, 0, false, false },
	{ "WRITE: SHARED_VALIDATE R via O_RDWR (live 6.18)", &k6_18, S_WRITE,
	  P_R, MAP_SHARED_VALIDATE, true, 0, false, false },
	{ "WRITE: SHARED PROT_NONE via O_RDWR (live 6.18)", &k6_18, S_WRITE,
	  P_NONE, MAP_SHARED, true, 0, false, false },
	{ "WRITE: SHARED R|X via O_RDWR", &k6_18, S_WRITE, P_RX, MAP_SHARED,
	  true, 0, false, false },
	{ "WRITE: SHARED RW via O_RDONLY: EACCES first (section 9)", &k6_18,
	  S_WRITE, P_RW, MAP_SHARED, false, -EACCES, false, false },
	{ "WRITE: SHARED R via O_RDONLY", &k6_18, S_WRITE, P_R, MAP_SHARED,
	  false, 0, false, false },
	{ "WRITE: PRIVATE RW always allowed", &k6_18, S_WRITE, P_RW,
	  MAP_PRIVATE, true, 0, false, true },
	{ "WRITE: PRIVATE R via O_RDONLY", &k6_18, S_WRITE, P_R, MAP_PRIVATE,
	  false, 0, false, true },

	/* F_SEAL_FUTURE_WRITE. */
	{ "FW: SHARED RW via O_RDWR: EPERM", &k6_18, S_FW, P_RW, MAP_SHARED,
	  true, -EPERM, false, false },
	{ "FW: SHARED R via O_RDWR (live 6.18: later WRITE seal works)",
	  &k6_18, S_FW, P_R, MAP_SHARED, true, 0, false, false },
	{ "FW: SHARED RW via O_RDONLY: EACCES first", &k6_18, S_FW, P_RW,
	  MAP_SHARED, false, -EACCES, false, false },
	{ "FW: SHARED R via O_RDONLY", &k6_18, S_FW, P_R, MAP_SHARED, false, 0,
	  false, false },
	{ "FW: PRIVATE RW (5.5+ CoW fix)", &k6_18, S_FW, P_RW, MAP_PRIVATE,
	  true, 0, false, true },
	{ "WRITE|FW: SHARED R via O_RDWR", &k6_18, S_WRITE | S_FW, P_R,
	  MAP_SHARED, true, 0, false, false },
	{ "0x3e: SHARED RW via O_RDWR", &k6_18, S_WX, P_RW, MAP_SHARED, true,
	  -EPERM, false, false },
	{ "0x3e: SHARED R via O_RDWR", &k6_18, S_WX, P_R, MAP_SHARED, true, 0,
	  false, false },
	{ "every seal: SHARED R via O_RDONLY", &k6_18, S_ALL, P_R, MAP_SHARED,
	  false, 0, false, false },

	/* SHRINK / GROW / EXEC / SEAL only: like unsealed. */
	{ "SHRINK: SHARED RW", &k6_18, S_SHRINK, P_RW, MAP_SHARED, true, 0, true,
	  true },
	{ "GROW: SHARED RW", &k6_18, S_GROW, P_RW, MAP_SHARED, true, 0, true,
	  true },
	{ "SHRINK|GROW|SEAL: SHARED R", &k6_18, S_SHRINK | S_GROW | S_SEAL, P_R,
	  MAP_SHARED, true, 0, true, true },
	{ "EXEC: SHARED RW (NOEXEC_SEAL memfd)", &k6_18, S_EXEC, P_RW,
	  MAP_SHARED, true, 0, true, true },
	{ "EXEC: SHARED R via O_RDONLY", &k6_18, S_EXEC, P_R, MAP_SHARED, false,
	  0, false, false },

	/* Up to 6.6: every shared mapping through a writable fd counts. */
	{ "WRITE: SHARED R via O_RDWR: EPERM (section 9)", &k5_10, S_WRITE, P_R,
	  MAP_SHARED, true, -EPERM, false, false },
	{ "WRITE: SHARED PROT_NONE via O_RDWR: EPERM", &k5_10, S_WRITE, P_NONE,
	  MAP_SHARED, true, -EPERM, false, false },
	{ "WRITE: SHARED RW via O_RDWR", &k5_10, S_WRITE, P_RW, MAP_SHARED, true,
	  -EPERM, false, false },
	{ "WRITE: SHARED RW via O_RDONLY: EACCES", &k5_10, S_WRITE, P_RW,
	  MAP_SHARED, false, -EACCES, false, false },
	{ "WRITE: SHARED R via O_RDONLY", &k5_10, S_WRITE, P_R, MAP_SHARED,
	  false, 0, false, false },
	{ "WRITE: PRIVATE RW", &k5_10, S_WRITE, P_RW, MAP_PRIVATE, true, 0,
	  false, true },
	{ "FW: SHARED R via O_RDWR counts (section 9)", &k5_10, S_FW, P_R,
	  MAP_SHARED, true, 0, true, false },
	{ "FW: SHARED RW via O_RDWR", &k5_10, S_FW, P_RW, MAP_SHARED, true,
	  -EPERM, false, false },
	{ "FW: PRIVATE RW", &k5_10, S_FW, P_RW, MAP_PRIVATE, true, 0, false,
	  true },
	{ "WRITE|FW: SHARED R via O_RDWR", &k6_1, S_WRITE | S_FW, P_R,
	  MAP_SHARED, true, -EPERM, false, false },
	{ "unsealed SHARED R via O_RDWR", &k6_1, 0, P_R, MAP_SHARED, true, 0,
	  true, true },
	{ "unsealed SHARED R via O_RDONLY", &k6_1, 0, P_R, MAP_SHARED, false, 0,
	  false, false },
	{ "SHRINK|GROW: SHARED RW", &k6_1, S_SHRINK | S_GROW, P_RW, MAP_SHARED,
	  true, 0, true, true },
	{ "WRITE: SHARED R via O_RDWR", &k6_3, S_WRITE, P_R, MAP_SHARED, true,
	  -EPERM, false, false },
	{ "WRITE: SHARED R via O_RDWR", &k3_17, S_WRITE, P_R, MAP_SHARED, true,
	  -EPERM, false, false },
	{ "unsealed SHARED RW", &k3_17, 0, P_RW, MAP_SHARED, true, 0, true,
	  true },
};

Test(seals_mmap, table)
{
	for (size_t i = 0; i < SB_ARRAY_SIZE(mmap_rows); i++) {
		const struct mmap_row *row = &mmap_rows[i];
		struct seal_mmap_verdict v =
			seals_check_mmap(&row->k->r, row->seals, row->prot,
					 row->flags, row->fd_writable);

		cr_expect_eq(v.err, row->err, "mmap %s: %s: err %d, want %d",
			     row->k->name, row->desc, v.err, row->err);
		if (row->err != 0 || v.err != 0)
			continue;
		cr_expect_eq(v.counts, row->counts,
			     "mmap %s: %s: counts %d, want %d", row->k->name,
			     row->desc, v.counts, row->counts);
		cr_expect_eq(v.maywrite, row->maywrite,
			     "mmap %s: %s: maywrite %d, want %d", row->k->name,
			     row->desc, v.maywrite, row->maywrite);
	}
}

/* ------------------------------------------------------------------------ */
/* mprotect and madvise(MADV_REMOVE)                                          */
/* ------------------------------------------------------------------------ */

struct mprotect_row {
	const char *desc;
	bool shared;
	bool maywrite;
	int prot;
	int ret;
};

static const struct mprotect_row mprotect_rows[] = {
	{ "shared, no maywrite, +RW: EACCES (section 9)", true, false, P_RW,
	  -EACCES },
	{ "shared, no maywrite, W-only: EACCES (live 6.18)", true, false, P_W,
	  -EACCES },
	{ "shared, no maywrite, RWX: EACCES", true, false, P_RW | PROT_EXEC,
	  -EACCES },
	{ "shared, no maywrite, R", true, false, P_R, 0 },
	{ "shared, no maywrite, R|X (live 6.18)", true, false, P_RX, 0 },
	{ "shared, no maywrite, NONE", true, false, P_NONE, 0 },
	{ "shared, maywrite, RW (pre-FW map keeps toggling, live)", true, true,
	  P_RW, 0 },
	{ "shared, maywrite, R", true, true, P_R, 0 },
	{ "private, maywrite, RW (live 6.18)", false, true, P_RW, 0 },
	{ "private, maywrite, NONE", false, true, P_NONE, 0 },
	{ "private, no maywrite given, RW: private is ok", false, false, P_RW,
	  0 },
};

Test(seals_mprotect, table)
{
	for (size_t i = 0; i < SB_ARRAY_SIZE(mprotect_rows); i++) {
		const struct mprotect_row *row = &mprotect_rows[i];

		cr_expect_eq(seals_check_mprotect(row->shared, row->maywrite,
						  row->prot),
			     row->ret, "mprotect %s: want %d", row->desc,
			     row->ret);
	}
}

/*
 * `writable` is whether the mapping may be written through: on 6.18
 * madvise_remove() tests VM_SHARED|VM_MAYWRITE (live: a PROT_READ shared
 * map through an O_RDWR fd of an unsealed memfd is accepted).
 */
struct madv_row {
	const char *desc;
	unsigned int seals;
	bool shared;
	bool writable;
	bool locked;
	int ret;
};

static const struct madv_row madv_rows[] = {
	{ "mlocked: EINVAL (live 6.18)", 0, true, true, true, -EINVAL },
	{ "mlocked, private", 0, false, false, true, -EINVAL },
	{ "mlocked, WRITE", S_WRITE, true, false, true, -EINVAL },
	{ "mlocked, FW, shared writable", S_FW, true, true, true, -EINVAL },
	{ "private (live 6.18)", 0, false, true, false, -EACCES },
	{ "private, read-only", 0, false, false, false, -EACCES },
	{ "shared read-only (O_RDONLY map, live 6.18)", 0, true, false, false,
	  -EACCES },
	{ "WRITE: read-only shared map: EACCES (section 9)", S_WRITE, true,
	  false, false, -EACCES },
	{ "FW: read-only shared map (live 6.18)", S_FW, true, false, false,
	  -EACCES },
	{ "WRITE, private", S_WRITE, false, true, false, -EACCES },
	{ "shared writable, unsealed", 0, true, true, false, 0 },
	{ "shared writable, WRITE", S_WRITE, true, true, false, -EPERM },
	{ "shared writable, FW (pre-seal map, live 6.18)", S_FW, true, true,
	  false, -EPERM },
	{ "shared writable, WRITE|FW", S_WRITE | S_FW, true, true, false,
	  -EPERM },
	{ "shared writable, 0x3e", S_WX, true, true, false, -EPERM },
	{ "shared writable, SHRINK", S_SHRINK, true, true, false, 0 },
	{ "shared writable, GROW", S_GROW, true, true, false, 0 },
	{ "shared writable, SHRINK|GROW|SEAL|EXEC",
	  S_SHRINK | S_GROW | S_SEAL | S_EXEC, true, true, false, 0 },
};

Test(seals_madv_remove, table)
{
	for (size_t i = 0; i < SB_ARRAY_SIZE(madv_rows); i++) {
		const struct madv_row *row = &madv_rows[i];

		cr_expect_eq(seals_check_madv_remove(row->seals, row->shared,
						     row->writable, row->locked),
			     row->ret, "MADV_REMOVE %s: want %d", row->desc,
			     row->ret);
	}
}

/* ------------------------------------------------------------------------ */
/* chmod under F_SEAL_EXEC (SPEC 3.4) [T test_exec_seal]                      */
/* ------------------------------------------------------------------------ */

struct chmod_row {
	const char *desc;
	unsigned int seals;
	bool hugetlb;
	mode_t old_mode;
	mode_t new_mode;
	int ret;
};

static const struct chmod_row chmod_rows[] = {
	{ "EXEC: 0644 -> 0600", S_EXEC, false, 0644, 0600, 0 },
	{ "EXEC: 0600 -> 0666", S_EXEC, false, 0600, 0666, 0 },
	{ "EXEC: 0666 -> 0600", S_EXEC, false, 0666, 0600, 0 },
	{ "EXEC: 0644 -> 0644", S_EXEC, false, 0644, 0644, 0 },
	{ "EXEC: 0600 -> 0000", S_EXEC, false, 0600, 0000, 0 },
	{ "EXEC: 0600 -> 0777", S_EXEC, false, 0600, 0777, -EPERM },
	{ "EXEC: 0600 -> 0670", S_EXEC, false, 0600, 0670, -EPERM },
	{ "EXEC: 0600 -> 0605", S_EXEC, false, 0600, 0605, -EPERM },
	{ "EXEC: 0600 -> 0700", S_EXEC, false, 0600, 0700, -EPERM },
	{ "EXEC: 0600 -> 0100", S_EXEC, false, 0600, 0100, -EPERM },
	{ "EXEC: 0666 -> 0777 (NOEXEC_SEAL memfd)", S_EXEC, false, 0666, 0777,
	  -EPERM },
	{ "EXEC: 0777 -> 0666", S_EXEC, false, 0777, 0666, -EPERM },
	{ "EXEC: 0700 -> 0711", S_WX, false, 0700, 0711, -EPERM },
	{ "EXEC: 0700 -> 0600", S_WX, false, 0700, 0600, -EPERM },
	{ "EXEC: 0700 -> 0000", S_WX, false, 0700, 0000, -EPERM },
	{ "EXEC: 0777 -> 0777", S_WX, false, 0777, 0777, 0 },
	{ "EXEC: 0755 -> 0775 (exec bits unchanged)", S_WX, false, 0755, 0775,
	  0 },
	{ "EXEC: 0711 -> 0700", S_EXEC, false, 0711, 0700, -EPERM },
	{ "EXEC: 04755 -> 0755 (only setuid changes)", S_EXEC, false, 04755,
	  0755, 0 },
	{ "EXEC: 0644 -> 02644 (setgid, no exec bit)", S_EXEC, false, 0644,
	  02644, 0 },
	{ "EXEC|SEAL: 0666 -> 0667", S_EXEC | S_SEAL, false, 0666, 0667,
	  -EPERM },
	{ "every seal: 0666 -> 0644", S_ALL, false, 0666, 0644, 0 },
	{ "every seal: 0666 -> 0766", S_ALL, false, 0666, 0766, -EPERM },
	{ "no EXEC: 0666 -> 0777", 0, false, 0666, 0777, 0 },
	{ "no EXEC: 0777 -> 0644", 0, false, 0777, 0644, 0 },
	{ "WRITE|SHRINK|GROW|FW|SEAL, no EXEC: 0644 -> 0755", 0x1f, false,
	  0644, 0755, 0 },
	/* hugetlbfs setattr has no EXEC check (section 9, live 6.18). */
	{ "hugetlb, EXEC: 0666 -> 0777 (kernel gap)", S_EXEC, true, 0666, 0777,
	  0 },
	{ "hugetlb, 0x3e: 0777 -> 0666", S_WX, true, 0777, 0666, 0 },
	{ "hugetlb, unsealed: 0666 -> 0777", 0, true, 0666, 0777, 0 },
};

Test(seals_chmod, table)
{
	for (size_t i = 0; i < SB_ARRAY_SIZE(chmod_rows); i++) {
		const struct chmod_row *row = &chmod_rows[i];

		cr_expect_eq(seals_check_chmod(row->seals, row->hugetlb,
					       row->old_mode, row->new_mode),
			     row->ret, "chmod %s: want %d", row->desc, row->ret);
	}
}

/* ------------------------------------------------------------------------ */
/* seals_format                                                              */
/* ------------------------------------------------------------------------ */

struct format_row {
	unsigned int seals;
	const char *text;
};

static const struct format_row format_rows[] = {
	{ S_SEAL, "SEAL" },
	{ S_SHRINK, "SHRINK" },
	{ S_GROW, "GROW" },
	{ S_WRITE, "WRITE" },
	{ S_FW, "FUTURE_WRITE" },
	{ S_EXEC, "EXEC" },
	{ S_SEAL | S_SHRINK, "SEAL|SHRINK" },
	{ S_SHRINK | S_WRITE, "SHRINK|WRITE" },
	{ 0x0f, "SEAL|SHRINK|GROW|WRITE" },
	{ 0x1f, "SEAL|SHRINK|GROW|WRITE|FUTURE_WRITE" },
	{ S_WX, "SHRINK|GROW|WRITE|FUTURE_WRITE|EXEC" },
	{ S_ALL, "SEAL|SHRINK|GROW|WRITE|FUTURE_WRITE|EXEC" },
	{ S_SEAL | S_EXEC, "SEAL|EXEC" },
};

Test(seals_format, table)
{
	for (size_t i = 0; i < SB_ARRAY_SIZE(format_rows); i++) {
		const struct format_row *row = &format_rows[i];
		char buf[128];

		memset(buf, 'x', sizeof(buf));
		cr_expect_eq(seals_format(row->seals, buf, sizeof(buf)), buf,
			     "format %#x: returns buf", row->seals);
		cr_expect_str_eq(buf, row->text, "format %#x: \"%s\", want \"%s\"",
				 row->seals, buf, row->text);
	}
}

/*
 * What 0 and unknown bits look like is not specified: only that the result
 * is a terminated string, the known names come first, and nothing is
 * written past len.
 */
Test(seals_format, edges_stay_in_bounds)
{
	static const unsigned int odd[] = { 0, 0x40, 0x41, 0x80000000U,
					    0xffffffffU };
	static const size_t lens[] = { 1, 2, 5, 13, 64 };
	char buf[80];

	for (size_t i = 0; i < SB_ARRAY_SIZE(odd); i++) {
		memset(buf, 'x', sizeof(buf));
		cr_expect_eq(seals_format(odd[i], buf, 64), buf, "%#x", odd[i]);
		cr_expect_lt(strnlen(buf, 64), (size_t)64, "%#x: terminated",
			     odd[i]);
		cr_expect_eq(buf[64], 'x', "%#x: wrote past len", odd[i]);
	}
	seals_format(0x41, buf, 64);
	cr_expect_eq(strncmp(buf, "SEAL", 4), 0, "0x41: \"%s\"", buf);
	seals_format(0xffffffffU, buf, 64);
	cr_expect_eq(strncmp(buf, "SEAL|SHRINK|GROW|WRITE|FUTURE_WRITE|EXEC",
			     40),
		     0, "0xffffffff: \"%s\"", buf);

	for (size_t i = 0; i < SB_ARRAY_SIZE(lens); i++) {
		memset(buf, 'x', sizeof(buf));
		seals_format(S_ALL, buf, lens[i]);
		cr_expect_lt(strnlen(buf, lens[i]), lens[i],
			     "len %zu: terminated", lens[i]);
		cr_expect_eq(buf[lens[i]], 'x', "len %zu: wrote past len",
			     lens[i]);
	}
}

/* ------------------------------------------------------------------------ */
/* Constants the tables rely on                                              */
/* ------------------------------------------------------------------------ */

Test(seals_constants, match_spec)
{
	cr_expect_eq(F_ADD_SEALS, 1033);
	cr_expect_eq(F_GET_SEALS, 1034);
	cr_expect_eq(SB_SEALS_3_17, 0x0fU);
	cr_expect_eq(SB_SEALS_5_1, 0x1fU);
	cr_expect_eq(SB_SEALS_6_3, 0x3fU);
	cr_expect_eq(F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE |
			     F_SEAL_FUTURE_WRITE | F_SEAL_EXEC,
		     0x3f);
}
