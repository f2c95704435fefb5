/* SPDX-License-Identifier: MIT */
/* Unit tests for emu/registry.c: identity, bounded size, flat memory. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "registry.h"

static struct sb_inode_key key(uint64_t dev, uint64_t ino, uint64_t gen)
{
	struct sb_inode_key k = { dev, ino, gen };
	return k;
}

Test(registry, insert_lookup_remove)
{
	struct sb_registry reg;
	struct sb_inode_entry *e = NULL;
	struct sb_inode_key k = key(1, 42, 7);

	cr_assert_eq(sb_registry_init(&reg, 0), 0);
	cr_expect_null(sb_registry_lookup(&reg, &k));
	cr_assert_eq(sb_registry_insert(&reg, &k, 0x1, 0, "demo", &e), 0);
	cr_expect_eq(e->seals, 0x1u);
	cr_expect_eq(e->pin_fd, -1);
	cr_expect_str_eq(e->name, "demo");
	cr_expect_eq(e->writable_maps, 0);
	cr_expect_eq(sb_registry_count(&reg), 1u);
	e->pin_fd = 99;

	e = sb_registry_lookup(&reg, &k);
	cr_assert_not_null(e);
	cr_expect_eq(e->seals, 0x1u);
	cr_expect_eq(sb_registry_remove(&reg, &k), 99);
	cr_expect_null(sb_registry_lookup(&reg, &k));
	cr_expect_eq(sb_registry_remove(&reg, &k), -1);
	cr_expect_eq(sb_registry_count(&reg), 0u);
	sb_registry_destroy(&reg);
}

Test(registry, duplicate_insert_is_eexist_and_returns_existing)
{
	struct sb_registry reg;
	struct sb_inode_entry *e = NULL, *again = NULL;
	struct sb_inode_key k = key(3, 5, 0);

	cr_assert_eq(sb_registry_init(&reg, 0), 0);
	cr_assert_eq(sb_registry_insert(&reg, &k, 0x2, 0, NULL, &e), 0);
	cr_expect_null(e->name);
	cr_expect_eq(sb_registry_insert(&reg, &k, 0x4, 0, NULL, &again),
		     -EEXIST);
	cr_expect_eq(again, e);
	cr_expect_eq(again->seals, 0x2u, "existing entry must be untouched");
	sb_registry_destroy(&reg);
}

Test(registry, recycled_inode_number_is_a_different_identity)
{
	struct sb_registry reg;
	struct sb_inode_entry *e = NULL;
	struct sb_inode_key old = key(9, 100, 1), reused = key(9, 100, 2);
	struct sb_inode_key other_dev = key(10, 100, 1);

	cr_assert_eq(sb_registry_init(&reg, 0), 0);
	cr_assert_eq(sb_registry_insert(&reg, &old, 0xf, 0, NULL, &e), 0);
	cr_expect_null(sb_registry_lookup(&reg, &reused));
	cr_expect_null(sb_registry_lookup(&reg, &other_dev));
	cr_assert_eq(sb_registry_insert(&reg, &reused, 0, 0, NULL, &e), 0);
	cr_expect_eq(sb_registry_lookup(&reg, &old)->seals, 0xfu);
	cr_expect_eq(sb_registry_lookup(&reg, &reused)->seals, 0u);
	sb_registry_destroy(&reg);
}

Test(registry, hard_limit_gives_enomem)
{
	struct sb_registry reg;
	struct sb_inode_entry *e = NULL;

	cr_assert_eq(sb_registry_init(&reg, 3), 0);
	for (uint64_t i = 0; i < 3; i++) {
		struct sb_inode_key k = key(1, i, 0);
		cr_assert_eq(sb_registry_insert(&reg, &k, 0, 0, NULL, &e), 0);
	}
	struct sb_inode_key k4 = key(1, 3, 0);
	cr_expect_eq(sb_registry_insert(&reg, &k4, 0, 0, NULL, &e), -ENOMEM);
	cr_expect_eq(sb_registry_count(&reg), 3u);
	/* room again after a removal */
	struct sb_inode_key k0 = key(1, 0, 0);
	sb_registry_remove(&reg, &k0);
	cr_expect_eq(sb_registry_insert(&reg, &k4, 0, 0, NULL, &e), 0);
	sb_registry_destroy(&reg);
}

/* Many entries with colliding probe runs; remove every other one and make
 * sure backward-shift deletion kept every survivor reachable. */
Test(registry, survivors_reachable_after_interleaved_removal)
{
	struct sb_registry reg;
	struct sb_inode_entry *e = NULL;
	const uint64_t n = 5000;

	cr_assert_eq(sb_registry_init(&reg, 0), 0);
	for (uint64_t i = 0; i < n; i++) {
		struct sb_inode_key k = key(7, i * 4096, i & 3);
		cr_assert_eq(sb_registry_insert(&reg, &k, (unsigned)(i & 0x3f),
						0, NULL, &e), 0);
	}
	for (uint64_t i = 0; i < n; i += 2) {
		struct sb_inode_key k = key(7, i * 4096, i & 3);
		cr_assert_eq(sb_registry_remove(&reg, &k), -1);
	}
	cr_expect_eq(sb_registry_count(&reg), n / 2);
	for (uint64_t i = 0; i < n; i++) {
		struct sb_inode_key k = key(7, i * 4096, i & 3);
		struct sb_inode_entry *got = sb_registry_lookup(&reg, &k);

		if (i % 2 == 0)
			cr_assert_null(got, "entry %llu should be gone",
				       (unsigned long long)i);
		else {
			cr_assert_not_null(got, "entry %llu lost",
					   (unsigned long long)i);
			cr_assert_eq(got->seals, (unsigned)(i & 0x3f));
		}
	}
	sb_registry_destroy(&reg);
}

/* A million create/close cycles: the table must not grow with history. */
Test(registry, memory_flat_over_a_million_cycles)
{
	struct sb_registry reg;
	struct sb_inode_entry *e = NULL;
	size_t cap_after_warmup = 0;

	cr_assert_eq(sb_registry_init(&reg, 0), 0);
	for (uint64_t i = 0; i < 1000000; i++) {
		/* up to 16 live entries at once, inode numbers ever growing */
		struct sb_inode_key k = key(1, i, 0);
		cr_assert_eq(sb_registry_insert(&reg, &k, 0, 0, "x", &e), 0);
		if (i >= 16) {
			struct sb_inode_key old = key(1, i - 16, 0);
			sb_registry_remove(&reg, &old);
		}
		if (i == 1000)
			cap_after_warmup = reg.cap;
	}
	cr_expect_eq(sb_registry_count(&reg), 16u);
	cr_expect_eq(reg.cap, cap_after_warmup, "table grew from %zu to %zu",
		     cap_after_warmup, reg.cap);
	sb_registry_destroy(&reg);
}

Test(registry, shrinks_after_mass_removal)
{
	struct sb_registry reg;
	struct sb_inode_entry *e = NULL;

	cr_assert_eq(sb_registry_init(&reg, 0), 0);
	for (uint64_t i = 0; i < 100000; i++) {
		struct sb_inode_key k = key(2, i, 0);
		cr_assert_eq(sb_registry_insert(&reg, &k, 0, 0, NULL, &e), 0);
	}
	size_t big = reg.cap;
	for (uint64_t i = 0; i < 100000; i++) {
		struct sb_inode_key k = key(2, i, 0);
		sb_registry_remove(&reg, &k);
	}
	cr_expect_lt(reg.cap, big / 64, "cap %zu did not shrink from %zu",
		     reg.cap, big);
	sb_registry_destroy(&reg);
}

Test(registry, iteration_visits_each_entry_once)
{
	struct sb_registry reg;
	struct sb_inode_entry *e = NULL;
	unsigned seen[200] = { 0 };
	size_t pos = 0, count = 0;

	cr_assert_eq(sb_registry_init(&reg, 0), 0);
	for (uint64_t i = 0; i < 200; i++) {
		struct sb_inode_key k = key(4, i, 0);
		cr_assert_eq(sb_registry_insert(&reg, &k, 0, 0, NULL, &e), 0);
	}
	while ((e = sb_registry_next(&reg, &pos)) != NULL) {
		cr_assert_lt(e->key.ino, 200u);
		seen[e->key.ino]++;
		count++;
	}
	cr_expect_eq(count, 200u);
	for (size_t i = 0; i < 200; i++)
		cr_expect_eq(seen[i], 1u, "inode %zu seen %u times", i,
			     seen[i]);
	sb_registry_destroy(&reg);
}

Test(registry, names_are_copied)
{
	struct sb_registry reg;
	struct sb_inode_entry *e = NULL;
	char name[] = "wayland-shm";
	struct sb_inode_key k = key(1, 1, 1);

	cr_assert_eq(sb_registry_init(&reg, 0), 0);
	cr_assert_eq(sb_registry_insert(&reg, &k, 0, 0, name, &e), 0);
	name[0] = 'X';
	cr_expect_str_eq(sb_registry_lookup(&reg, &k)->name, "wayland-shm");
	sb_registry_destroy(&reg);
}
