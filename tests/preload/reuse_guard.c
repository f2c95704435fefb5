/* SPDX-License-Identifier: MIT */
/*
 * reuse_guard: a table entry whose inode died must not make another file
 * that got the same inode number look like an emulated memfd (issue 5:
 * "tolerant of inode number reuse").
 *
 * Run preloaded on a path store (tmpfile or unlinked), with
 * SEALBOX_PRELOAD_TABLE naming the table. tmpfs hands out inode numbers
 * from a counter, so a reuse cannot be waited for: the program forges the
 * stale entry itself, a LIVE slot with F_SEAL_WRITE keyed by the inode of a
 * plain O_TMPFILE file of its own, and passes that file through a socket
 * (where the shim adopts the emulated memfds it receives):
 *   legit    a real emulated memfd passed the same way keeps its seals
 *            (the store's files carry no generation: the path /proc shows
 *            for them is what tells them apart)
 *   owndir   a forged entry that claims a store directory: refused, the
 *            plain file stays writable
 *   control  a forged entry without that claim and without a generation
 *            (as the detached store makes them): adopted, its write
 *            refused. This shows the forgery reaches the shim, so the
 *            owndir case can fail.
 * Exit 0 when all hold, 1 otherwise, 2 on a setup error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdpass.h"
#include "table.h"

#ifndef F_SEAL_WRITE
#define F_ADD_SEALS 1033
#define F_GET_SEALS 1034
#define F_SEAL_WRITE 0x0008
#endif

static int failures;

static void check(bool ok, const char *what)
{
	printf("%s: %s\n", ok ? "pass" : "FAIL", what);
	if (!ok)
		failures++;
}

static void setup_error(const char *what)
{
	fprintf(stderr, "reuse_guard: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* fd through an AF_UNIX socketpair: what arrives is a new fd */
static int pass_fd(int fd)
{
	int sv[2], got;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		setup_error("socketpair");
	if (send_fd(sv[0], fd) < 0)
		setup_error("sendmsg");
	got = recv_fd(sv[1]);
	if (got < 0)
		setup_error("recvmsg");
	close(sv[0]);
	close(sv[1]);
	return got;
}

static struct sbt_slot *map_slots(struct sbt_header **hp)
{
	const char *path = getenv("SEALBOX_PRELOAD_TABLE");
	struct sbt_header *h;
	struct stat st;
	int fd;

	if (!path || !*path) {
		errno = EINVAL;
		setup_error("SEALBOX_PRELOAD_TABLE is not set");
	}
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		setup_error(path);
	h = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 fd, 0);
	close(fd);
	if (h == MAP_FAILED)
		setup_error("mmap of the table");
	if (h->magic != SBT_MAGIC || h->header_size != SBT_HEADER_SIZE ||
	    h->slot_size != sizeof(struct sbt_slot)) {
		errno = EPROTO;
		setup_error("not a table of this layout");
	}
	*hp = h;
	return (struct sbt_slot *)((char *)h + SBT_HEADER_SIZE);
}

/* A LIVE slot for fd's inode where the shim's lookup will meet it. */
static void forge(int fd, uint32_t flags)
{
	struct sbt_header *h;
	struct sbt_slot *slot = map_slots(&h);
	uint32_t mask = h->slots - 1;
	struct stat st;

	if (fstat(fd, &st) < 0)
		setup_error("fstat");
	for (uint32_t i = 0; i < SBT_PROBE_MAX; i++) {
		struct sbt_slot *s =
			&slot[(sbt_hash((uint64_t)st.st_dev,
					(uint64_t)st.st_ino) + i) & mask];
		uint32_t word = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);

		if (sbt_state_of(word) != SBT_EMPTY &&
		    sbt_state_of(word) != SBT_DEAD)
			continue;
		s->dev = (uint64_t)st.st_dev;
		s->ino = (uint64_t)st.st_ino;
		s->gen = 0;
		s->seals = F_SEAL_WRITE;
		s->flags = flags;
		__atomic_store_n(&s->state,
				 ((sbt_version_of(word) + 1) << 2) | SBT_LIVE,
				 __ATOMIC_RELEASE);
		return;
	}
	errno = ENFILE;
	setup_error("no free slot to forge");
}

static int plain_file(void)
{
	int fd = open("/dev/shm", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0)
		setup_error("O_TMPFILE on /dev/shm");
	return fd;
}

static bool writes(int fd)
{
	return write(fd, "x", 1) == 1;
}

int main(void)
{
	int fd, got;

	/* legit: a memfd of the store, sealed, sent and received */
	fd = memfd_create("legit", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (fd < 0 || fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE) < 0)
		setup_error("memfd_create and F_SEAL_WRITE under the shim");
	got = pass_fd(fd);
	check(fcntl(got, F_GET_SEALS) == F_SEAL_WRITE && !writes(got) &&
	      errno == EPERM,
	      "legit: a store file received keeps F_SEAL_WRITE");
	close(got);
	close(fd);

	/* owndir: the stale entry claims a store directory; this file was
	 * made in /dev/shm itself */
	fd = plain_file();
	forge(fd, SBT_F_OWNDIR);
	got = pass_fd(fd);
	check(writes(got) && fcntl(got, F_GET_SEALS) != F_SEAL_WRITE,
	      "owndir: another file with the number is not taken for it");
	close(got);
	close(fd);

	/* control: no claim, no generation: taken for the memfd */
	fd = plain_file();
	forge(fd, 0);
	got = pass_fd(fd);
	check(!writes(got) && errno == EPERM,
	      "control: without the claim the forged entry is believed");
	close(got);
	close(fd);
	return failures ? 1 : 0;
}
