/* SPDX-License-Identifier: MIT */
/*
 * maps.h: find the mappings of one inode in /proc/PID/maps, for the
 * F_SEAL_WRITE EBUSY rule and for mprotect checks. The kernel keeps a
 * per-inode count of writable shared mappings across all processes; sealbox
 * sees every mmap of its files but not every munmap, so at seal time it
 * looks at what really exists.
 */
#ifndef SEALBOX_MAPS_H
#define SEALBOX_MAPS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct sb_mapping {
	pid_t pid;
	uint64_t start, end;
	uint64_t offset;  /* file offset of start */
	bool read, write, exec, shared;
	bool vm_shared;   /* VmFlags "sh": mapped shared through a writable fd */
	bool vm_maywrite; /* VmFlags "mw" */
	uint64_t dev, ino;
};

/* Called for each mapping found; return nonzero to stop the walk. */
typedef int (*sb_mapping_fn)(const struct sb_mapping *m, void *ctx);

/*
 * Walk the mappings of (dev, ino) in process pid (0: every process).
 * With vmflags, /proc/PID/smaps is read so vm_shared/vm_maywrite are set
 * (slower). Returns 0, the callback's nonzero value, or -errno.
 */
int sb_maps_walk(pid_t pid, uint64_t dev, uint64_t ino, bool vmflags,
		 sb_mapping_fn fn, void *ctx);

/*
 * Walk every mapping (any file) overlapping [start, end) in pid.
 */
int sb_maps_walk_range(pid_t pid, uint64_t start, uint64_t end,
		       bool vmflags, sb_mapping_fn fn, void *ctx);

/*
 * As sb_maps_walk(0, dev, ino, true, ...), but no mapping can move out of
 * sight while /proc/PID/smaps is read (the kernel drops the mmap lock
 * between reads, so a mapping moved from a part not yet read to a part
 * already read is never shown): each process's file mappings are first
 * listed at one instant (one getdents of /proc/PID/map_files, which the
 * kernel fills under the mmap lock), and a listed range that smaps did not
 * show and that does not now hold another file makes the walk fail with
 * -EAGAIN (the caller may try again). A process without map_files (no
 * mm; before 4.3 a kernel without CONFIG_CHECKPOINT_RESTORE) is walked as
 * by sb_maps_walk. The callback may run for a walk that then fails.
 */
int sb_maps_walk_checked(uint64_t dev, uint64_t ino, sb_mapping_fn fn,
			 void *ctx);

#endif /* SEALBOX_MAPS_H */
