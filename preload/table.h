/* SPDX-License-Identifier: MIT */
/*
 * table.h: the per-user seal table every preloaded process shares.
 *
 * A file (default /dev/shm/sealbox-preload-v1-UID, 0600, owned by the user)
 * mapped MAP_SHARED by every preloaded process of that user, so seals follow
 * an inode across fork, exec and SCM_RIGHTS. Keyed by inode identity:
 * (st_dev, st_ino) to find a slot, plus a generation (a hash of the file
 * handle, which carries tmpfs's random i_generation) that tells a recycled
 * inode number apart.
 *
 * No locks: a process killed at any instruction leaves the table usable.
 *  - A slot's state word holds (version << 2 | state); every change is a
 *    compare-and-swap on it, so a slot is claimed by one inserter, and a
 *    reclaim can never hit a slot that was reused in the meantime.
 *  - Seal bits only grow: they change by compare-and-swap too, so a check
 *    (F_SEAL_SEAL, EBUSY) and the update are one atomic step.
 *  - Open addressing with linear probing inside a fixed window: lookups and
 *    inserts touch at most SBT_PROBE_MAX slots. Dead slots are tombstones
 *    that the next insert reuses.
 *  - The file is created under a temporary name, filled in, then linked
 *    into place, so nobody ever maps a half-written header.
 *
 * Bounded: the table has a fixed number of slots. Entries of inodes nobody
 * holds any more are reclaimed by a sweep (a look at every fd and mapping in
 * /proc) when the table fills up; when even that finds no room, inserting
 * fails with -ENFILE, the errno memfd_create then returns (see
 * preload/README.md).
 */
#ifndef SEALBOX_PRELOAD_TABLE_H
#define SEALBOX_PRELOAD_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SBT_MAGIC 0x3176646c72706273ULL /* "sbprldv1" */
#define SBT_VERSION 1
#define SBT_DEFAULT_SLOTS 16384U
#define SBT_MIN_SLOTS 64U
#define SBT_MAX_SLOTS (1U << 22)
#define SBT_PROBE_MAX 64U
#define SBT_NAME_SIZE 256U /* "memfd:" names are at most 249 bytes */
#define SBT_HEADER_SIZE 4096U

enum sbt_state {
	SBT_EMPTY = 0,
	SBT_BUSY = 1, /* being filled in by an inserter */
	SBT_LIVE = 2,
	SBT_DEAD = 3, /* a tombstone, reusable */
};

enum {
	SBT_F_HUGETLB = 1U << 0,  /* a hugetlbfs memfd */
	SBT_F_MIRROR = 1U << 1,   /* the kernel holds the seals too */
	SBT_F_NAME = 1U << 2,     /* readlink must be answered from the name */
	SBT_F_SHARED_W = 1U << 3, /* was mapped shared through a writable fd */
	SBT_F_REOPENED_W = 1U << 4, /* reopened for writing through /proc */
	/* a kernel memfd: seals holds only what the kernel cannot (F_SEAL_EXEC
	 * before 6.3), on top of the kernel's own */
	SBT_F_LAYER = 1U << 5,
	/* made in a store directory of the shim's own: with no generation,
	 * the path /proc shows for the inode tells it from a reused number */
	SBT_F_OWNDIR = 1U << 6,
};

struct sbt_slot {
	uint32_t state;     /* version << 2 | enum sbt_state */
	uint32_t seals;     /* only grows */
	uint64_t dev;
	uint64_t ino;
	uint64_t gen;       /* file handle hash, 0 when there is none */
	uint32_t flags;     /* SBT_F_*, only grows */
	uint32_t creator;   /* pid, for people reading the table */
	uint64_t created_ns; /* CLOCK_MONOTONIC */
	uint64_t moved_ns;  /* last sent over a socket or forked */
	uint64_t reserved;
};

struct sbt_header {
	uint64_t magic;
	uint32_t version;
	uint32_t header_size;
	uint32_t slots;        /* a power of two */
	uint32_t slot_size;
	uint32_t name_size;
	uint32_t uid;
	uint64_t live;         /* LIVE slots */
	uint64_t sweep_at;     /* sweep when live reaches this */
	uint64_t sweep_owner;  /* pid << 32 | start time (s): a lease */
	uint64_t inserts, reclaimed, sweeps, full; /* statistics */
};

struct sbt {
	struct sbt_header *h;
	struct sbt_slot *slot;
	char *names;
	uint32_t mask;
	size_t map_size;
	bool shared;           /* false: a private fallback table */
	char path[256];
};

/*
 * Attach this user's table. create: make it when it does not exist yet.
 * Returns 0, -ENOENT (absent and !create) or another -errno; with create,
 * a table that cannot be shared (no tmpfs, a file owned by someone else)
 * becomes a private one (t->shared false) and the call returns 0.
 */
int sbt_attach(struct sbt *t, bool create);

/* Size of a new table: SEALBOX_PRELOAD_TABLE_SIZE or the default. */
uint32_t sbt_wanted_slots(void);

/* Where the probe window of (dev, ino) starts (masked by the caller). */
static inline uint32_t sbt_hash(uint64_t dev, uint64_t ino)
{
	uint64_t h = dev * 0x9e3779b97f4a7c15ULL ^ ino * 0xc2b2ae3d27d4eb4fULL;

	h ^= h >> 31;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 29;
	return (uint32_t)h;
}

static inline uint32_t sbt_state_of(uint32_t word)
{
	return word & 3U;
}

static inline uint32_t sbt_version_of(uint32_t word)
{
	return word >> 2;
}

/* The LIVE slot of (dev, ino), or -1. */
int sbt_lookup(const struct sbt *t, uint64_t dev, uint64_t ino);

/*
 * A new inode: a LIVE slot with these seals and flags (and a name when
 * flags has SBT_F_NAME), the first free one in its probe window. A stale
 * slot of the same (dev, ino) (the number was reused) met before it is
 * retired; one after it is shadowed (lookups meet the new one first) until
 * a sweep reclaims both. Sweeps when the table is full.
 * Returns the slot index or -ENFILE.
 */
int sbt_insert(struct sbt *t, uint64_t dev, uint64_t ino, uint64_t gen,
	       unsigned int seals, unsigned int flags, const char *name,
	       size_t name_len);

/* The slot still holds (dev, ino) and is LIVE. */
bool sbt_slot_is(const struct sbt *t, int idx, uint64_t dev, uint64_t ino);

/* Stamp a slot: its inode is moving between processes. */
void sbt_touch_moved(struct sbt *t, int idx);

/* The stored name of a slot with SBT_F_NAME (NUL-terminated). */
const char *sbt_name(const struct sbt *t, int idx);

/*
 * Reclaim the slots of inodes no process holds (open or mapped) any more.
 * Only one process sweeps at a time (a lease that expires, not a lock).
 * Returns how many slots were reclaimed, or -EBUSY when another process is
 * sweeping.
 */
int sbt_sweep(struct sbt *t);

uint64_t sbt_now_ns(void);

#endif /* SEALBOX_PRELOAD_TABLE_H */
