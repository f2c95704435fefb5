/* SPDX-License-Identifier: MIT */
/*
 * registry.h: seal state per inode.
 *
 * Seals belong to the inode, so the key is the inode's identity: device,
 * inode number, and a generation that tells a recycled inode number apart
 * (the generation from the file handle where the filesystem has one; a
 * transport that pins each inode with its own open file may leave it 0).
 *
 * An open-addressing table with backward-shift deletion: no tombstones, so
 * memory stays flat over any number of insert/remove cycles, and a hard cap
 * on entries so a hostile program cannot grow it without bound.
 */
#ifndef SEALBOX_REGISTRY_H
#define SEALBOX_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct sb_inode_key {
	uint64_t dev;
	uint64_t ino;
	uint64_t gen;
};

enum {
	SB_ENTRY_HUGETLB = 1U << 0, /* a hugetlbfs memfd */
	SB_ENTRY_EMULATED = 1U << 1, /* sealbox enforces every seal on it */
	SB_ENTRY_MIRROR = 1U << 2,  /* the kernel can hold the seals too */
	SB_ENTRY_LAYER = 1U << 3,   /* a kernel memfd: seals holds only the
				     * bits the kernel lacks (F_SEAL_EXEC) */
};

/* file handles up to this long are kept (tmpfs and memfd ones take 12) */
#define SB_FH_MAX 24

struct sb_inode_entry {
	struct sb_inode_key key;
	unsigned int seals;
	unsigned int flags;     /* SB_ENTRY_* */
	long writable_maps;     /* shared mappings made through writable fds */
	int pin_fd;             /* transport's own open of the inode, or -1 */
	char *name;             /* memfd name (owned), NULL when unknown */
	void *aux;              /* transport data (owned, freed with entry) */
	/* the inode's file handle, to ask the kernel whether it still lives
	 * (open_by_handle_at); fh_len 0: none kept */
	int fh_type;
	unsigned char fh_len;
	unsigned char fh[SB_FH_MAX];
};

struct sb_registry {
	struct sb_inode_entry *slots;
	bool *used;
	size_t cap;     /* power of two */
	size_t count;
	size_t max;     /* hard limit on entries */
};

/* max: most entries ever held (0 picks SB_REGISTRY_DEFAULT_MAX). */
#define SB_REGISTRY_DEFAULT_MAX (1U << 20)

int sb_registry_init(struct sb_registry *reg, size_t max);
void sb_registry_destroy(struct sb_registry *reg);

bool sb_inode_key_equal(const struct sb_inode_key *a,
			const struct sb_inode_key *b);

/* The entry for key, or NULL. The pointer is valid until the next insert or
 * remove. */
struct sb_inode_entry *sb_registry_lookup(struct sb_registry *reg,
					  const struct sb_inode_key *key);

/*
 * Add an entry for key with the given seals and flags (name copied, may be
 * NULL). 0 and *out set; -EEXIST (with *out set to the existing entry) or
 * -ENOMEM when the table is full or allocation fails.
 */
int sb_registry_insert(struct sb_registry *reg, const struct sb_inode_key *key,
		       unsigned int seals, unsigned int flags, const char *name,
		       struct sb_inode_entry **out);

/* Remove key; returns the entry's pin_fd (for the caller to close) or -1
 * when absent or unpinned. */
int sb_registry_remove(struct sb_registry *reg, const struct sb_inode_key *key);

size_t sb_registry_count(const struct sb_registry *reg);

/* Iterate: start with *pos = 0; returns NULL at the end. The table must not
 * change during an iteration: collect keys first, then remove. */
struct sb_inode_entry *sb_registry_next(struct sb_registry *reg, size_t *pos);

#endif /* SEALBOX_REGISTRY_H */
