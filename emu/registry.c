/* SPDX-License-Identifier: MIT */
#include "registry.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MIN_CAP 64

static uint64_t mix(uint64_t x)
{
	/* splitmix64 finaliser: inode numbers are dense, spread them */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static size_t slot_of(const struct sb_registry *reg,
		      const struct sb_inode_key *key)
{
	uint64_t h = mix(key->ino ^ mix(key->dev) ^ mix(key->gen + 1));
	return (size_t)h & (reg->cap - 1);
}

bool sb_inode_key_equal(const struct sb_inode_key *a,
			const struct sb_inode_key *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->gen == b->gen;
}

int sb_registry_init(struct sb_registry *reg, size_t max)
{
	memset(reg, 0, sizeof(*reg));
	reg->max = max ? max : SB_REGISTRY_DEFAULT_MAX;
	reg->cap = MIN_CAP;
	reg->slots = calloc(reg->cap, sizeof(*reg->slots));
	reg->used = calloc(reg->cap, sizeof(*reg->used));
	if (!reg->slots || !reg->used) {
		sb_registry_destroy(reg);
		return -ENOMEM;
	}
	return 0;
}

void sb_registry_destroy(struct sb_registry *reg)
{
	if (reg->slots && reg->used)
		for (size_t i = 0; i < reg->cap; i++)
			if (reg->used[i]) {
				free(reg->slots[i].name);
				free(reg->slots[i].aux);
			}
	free(reg->slots);
	free(reg->used);
	memset(reg, 0, sizeof(*reg));
}

static struct sb_inode_entry *find(struct sb_registry *reg,
				   const struct sb_inode_key *key, size_t *at)
{
	size_t i = slot_of(reg, key);

	while (reg->used[i]) {
		if (sb_inode_key_equal(&reg->slots[i].key, key)) {
			*at = i;
			return &reg->slots[i];
		}
		i = (i + 1) & (reg->cap - 1);
	}
	*at = i;
	return NULL;
}

struct sb_inode_entry *sb_registry_lookup(struct sb_registry *reg,
					  const struct sb_inode_key *key)
{
	size_t at;

	if (reg->count == 0)
		return NULL;
	return find(reg, key, &at);
}

/* Rehash into a table of new_cap slots (a power of two above count). */
static int resize(struct sb_registry *reg, size_t new_cap)
{
	struct sb_registry next = *reg;

	next.cap = new_cap;
	next.slots = calloc(new_cap, sizeof(*next.slots));
	next.used = calloc(new_cap, sizeof(*next.used));
	if (!next.slots || !next.used) {
		free(next.slots);
		free(next.used);
		return -ENOMEM;
	}
	for (size_t i = 0; i < reg->cap; i++) {
		size_t at;

		if (!reg->used[i])
			continue;
		find(&next, &reg->slots[i].key, &at);
		next.slots[at] = reg->slots[i];
		next.used[at] = true;
	}
	free(reg->slots);
	free(reg->used);
	*reg = next;
	return 0;
}

int sb_registry_insert(struct sb_registry *reg, const struct sb_inode_key *key,
		       unsigned int seals, unsigned int flags, const char *name,
		       struct sb_inode_entry **out)
{
	struct sb_inode_entry *e;
	char *copy = NULL;
	size_t at;

	e = find(reg, key, &at);
	if (e) {
		*out = e;
		return -EEXIST;
	}
	if (reg->count >= reg->max)
		return -ENOMEM;
	if (name) {
		copy = strdup(name);
		if (!copy)
			return -ENOMEM;
	}
	/* keep the load at or below 1/2 so probes stay short */
	if ((reg->count + 1) * 2 > reg->cap) {
		if (resize(reg, reg->cap * 2) < 0) {
			free(copy);
			return -ENOMEM;
		}
		find(reg, key, &at);
	}
	e = &reg->slots[at];
	memset(e, 0, sizeof(*e));
	e->key = *key;
	e->seals = seals;
	e->flags = flags;
	e->pin_fd = -1;
	e->name = copy;
	reg->used[at] = true;
	reg->count++;
	*out = e;
	return 0;
}

int sb_registry_remove(struct sb_registry *reg, const struct sb_inode_key *key)
{
	size_t hole, i;
	int pin;

	if (reg->count == 0 || !find(reg, key, &hole))
		return -1;
	pin = reg->slots[hole].pin_fd;
	free(reg->slots[hole].name);
	free(reg->slots[hole].aux);
	reg->used[hole] = false;
	reg->count--;

	/* backward-shift: pull later members of the probe run into the hole */
	i = hole;
	for (;;) {
		size_t home;

		i = (i + 1) & (reg->cap - 1);
		if (!reg->used[i])
			break;
		home = slot_of(reg, &reg->slots[i].key);
		/* can the entry at i live at hole? (hole lies in [home, i)) */
		if (((i - home) & (reg->cap - 1)) >=
		    ((i - hole) & (reg->cap - 1))) {
			reg->slots[hole] = reg->slots[i];
			reg->used[hole] = true;
			reg->used[i] = false;
			hole = i;
		}
	}

	/* shrink so memory follows the live count back down */
	if (reg->cap > MIN_CAP && reg->count * 8 < reg->cap)
		(void)resize(reg, reg->cap / 2);
	return pin;
}

size_t sb_registry_count(const struct sb_registry *reg)
{
	return reg->count;
}

struct sb_inode_entry *sb_registry_next(struct sb_registry *reg, size_t *pos)
{
	while (*pos < reg->cap) {
		size_t i = (*pos)++;

		if (reg->used[i])
			return &reg->slots[i];
	}
	return NULL;
}
