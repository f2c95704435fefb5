/* SPDX-License-Identifier: MIT */
/*
 * syscall_mix: a fixed workload that never touches a memfd, for measuring
 * what sealbox costs a program that does not use what it emulates.
 *
 *   syscall_mix [-n ITER] [-m EVERY] [-w EVERY] [-p EVERY] [-d DIR]
 *               [--only=PART]
 *
 * One iteration of the default mix (roughly the shape of `strace -c` of a
 * compiler run, somewhat heavier on writes and mprotect):
 *   stat of a file, stat of a missing name (ENOENT), getppid x2,
 *   open O_RDONLY + read 4 KiB + close, pwrite 512 B on a long-lived fd;
 * every EVERY iterations (-m, default 4; 0: never):
 *   mmap 64 KiB anonymous + touch one page + munmap;
 * every EVERY iterations (-w, default 16; 0: never):
 *   open O_WRONLY|O_CREAT (no O_TRUNC) + pwrite 4 KiB at 0 + close
 *   (an open for writing: the kind sealbox's filter looks at);
 * every EVERY iterations (-p, default 16; 0: never):
 *   mprotect PROT_READ then PROT_READ|PROT_WRITE of an anonymous mapping
 *   (adding PROT_WRITE: the other kind sealbox's filter looks at).
 * No O_TRUNC: truncating a file with blocks costs ~0.3 ms on this ext4
 * (discard), which would bury everything else.
 *
 * --only=PART runs one part alone, ITER times, to price it per call:
 *   stat, enoent, getppid, open_ro, pwrite, mmap, open_wr, mprotect_w.
 *
 * Prints one line: "TOTAL_NS ns ITER iters PER_ITER_NS ns/iter". The
 * timed span excludes process start-up and the setup of the files.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define READ_SIZE 4096
#define PWRITE_SIZE 512
#define OUT_SIZE 4096
#define MAP_SIZE (64 * 1024)

enum part {
	PART_MIX,
	PART_STAT,
	PART_ENOENT,
	PART_GETPPID,
	PART_OPEN_RO,
	PART_PWRITE,
	PART_MMAP,
	PART_OPEN_WR,
	PART_MPROTECT_W,
};

static const struct {
	const char *name;
	enum part part;
} parts[] = {
	{ "mix", PART_MIX },
	{ "stat", PART_STAT },
	{ "enoent", PART_ENOENT },
	{ "getppid", PART_GETPPID },
	{ "open_ro", PART_OPEN_RO },
	{ "pwrite", PART_PWRITE },
	{ "mmap", PART_MMAP },
	{ "open_wr", PART_OPEN_WR },
	{ "mprotect_w", PART_MPROTECT_W },
};

struct ctx {
	char dir[256];
	char in_path[300];
	char out_path[300];
	char missing[300];
	char scratch_path[300];
	int scratch_fd;
	void *prot_map;
	char buf[READ_SIZE];
	volatile uint64_t sink;
};

static void die(const char *what)
{
	fprintf(stderr, "syscall_mix: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void setup(struct ctx *c, const char *base)
{
	int fd;

	snprintf(c->dir, sizeof(c->dir), "%s/syscall_mix.XXXXXX", base);
	if (!mkdtemp(c->dir))
		die("mkdtemp");
	snprintf(c->in_path, sizeof(c->in_path), "%s/input", c->dir);
	snprintf(c->out_path, sizeof(c->out_path), "%s/output", c->dir);
	snprintf(c->missing, sizeof(c->missing), "%s/missing", c->dir);
	snprintf(c->scratch_path, sizeof(c->scratch_path), "%s/scratch",
		 c->dir);
	memset(c->buf, 'x', sizeof(c->buf));
	fd = open(c->in_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		die("create input");
	for (int i = 0; i < 4; i++)
		if (write(fd, c->buf, sizeof(c->buf)) != (ssize_t)sizeof(c->buf))
			die("write input");
	close(fd);
	c->scratch_fd = open(c->scratch_path,
			     O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (c->scratch_fd < 0)
		die("create scratch");
	c->prot_map = mmap(NULL, MAP_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->prot_map == MAP_FAILED)
		die("mmap");
	memset(c->prot_map, 1, MAP_SIZE);
}

static void teardown(struct ctx *c)
{
	close(c->scratch_fd);
	munmap(c->prot_map, MAP_SIZE);
	unlink(c->in_path);
	unlink(c->out_path);
	unlink(c->scratch_path);
	rmdir(c->dir);
}

static void do_stat(struct ctx *c)
{
	struct stat st;

	if (stat(c->in_path, &st) < 0)
		die("stat");
	c->sink += (uint64_t)st.st_size;
}

static void do_enoent(struct ctx *c)
{
	struct stat st;

	if (stat(c->missing, &st) == 0 || errno != ENOENT)
		die("stat of a missing file");
}

static void do_getppid(struct ctx *c)
{
	c->sink += (uint64_t)getppid();
}

static void do_open_ro(struct ctx *c)
{
	int fd = open(c->in_path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die("open O_RDONLY");
	if (read(fd, c->buf, READ_SIZE) != READ_SIZE)
		die("read");
	close(fd);
}

static void do_pwrite(struct ctx *c, uint64_t i)
{
	off_t off = (off_t)((i % 64) * PWRITE_SIZE);

	if (pwrite(c->scratch_fd, c->buf, PWRITE_SIZE, off) != PWRITE_SIZE)
		die("pwrite");
}

static void do_mmap(struct ctx *c)
{
	char *p = mmap(NULL, MAP_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	p[0] = 1;
	c->sink += (uint64_t)(unsigned char)p[0];
	munmap(p, MAP_SIZE);
}

static void do_open_wr(struct ctx *c)
{
	int fd = open(c->out_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		die("open O_WRONLY");
	if (pwrite(fd, c->buf, OUT_SIZE, 0) != OUT_SIZE)
		die("pwrite");
	close(fd);
}

static void do_mprotect_w(struct ctx *c)
{
	if (mprotect(c->prot_map, MAP_SIZE, PROT_READ) < 0 ||
	    mprotect(c->prot_map, MAP_SIZE, PROT_READ | PROT_WRITE) < 0)
		die("mprotect");
	((volatile char *)c->prot_map)[0] = 2;
}

struct every {
	uint64_t mmap, wr, prot;
};

static bool due(uint64_t every, uint64_t i, uint64_t phase)
{
	return every && i % every == phase % every;
}

static void run(struct ctx *c, enum part part, uint64_t iters,
		const struct every *ev)
{
	for (uint64_t i = 0; i < iters; i++) {
		switch (part) {
		case PART_MIX:
			do_stat(c);
			do_enoent(c);
			do_getppid(c);
			do_getppid(c);
			do_open_ro(c);
			do_pwrite(c, i);
			if (due(ev->mmap, i, 1))
				do_mmap(c);
			if (due(ev->wr, i, ev->wr - 1))
				do_open_wr(c);
			if (due(ev->prot, i, ev->prot / 2))
				do_mprotect_w(c);
			break;
		case PART_STAT:
			do_stat(c);
			break;
		case PART_ENOENT:
			do_enoent(c);
			break;
		case PART_GETPPID:
			do_getppid(c);
			break;
		case PART_OPEN_RO:
			do_open_ro(c);
			break;
		case PART_PWRITE:
			do_pwrite(c, i);
			break;
		case PART_MMAP:
			do_mmap(c);
			break;
		case PART_OPEN_WR:
			do_open_wr(c);
			break;
		case PART_MPROTECT_W:
			do_mprotect_w(c);
			break;
		}
	}
}

static void usage(void)
{
	fprintf(stderr,
		"usage: syscall_mix [-n ITER] [-m EVERY] [-w EVERY] [-p EVERY] "
		"[-d DIR] [--only=PART]\n"
		"parts: stat enoent getppid open_ro pwrite mmap open_wr "
		"mprotect_w\n");
	exit(2);
}

static uint64_t parse_count(const char *s)
{
	char *end = NULL;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || !end || *end || end == s)
		usage();
	return (uint64_t)v;
}

int main(int argc, char **argv)
{
	static struct ctx c;
	struct every ev = { 4, 16, 16 };
	uint64_t iters = 20000, t0, t1;
	uint64_t warmup;
	const char *base = "/tmp";
	enum part part = PART_MIX;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-n") == 0 && i + 1 < argc) {
			iters = parse_count(argv[++i]);
		} else if (strcmp(a, "-w") == 0 && i + 1 < argc) {
			ev.wr = parse_count(argv[++i]);
		} else if (strcmp(a, "-m") == 0 && i + 1 < argc) {
			ev.mmap = parse_count(argv[++i]);
		} else if (strcmp(a, "-p") == 0 && i + 1 < argc) {
			ev.prot = parse_count(argv[++i]);
		} else if (strcmp(a, "-d") == 0 && i + 1 < argc) {
			base = argv[++i];
		} else if (strncmp(a, "--only=", 7) == 0) {
			size_t k;

			for (k = 0; k < sizeof(parts) / sizeof(parts[0]); k++)
				if (strcmp(parts[k].name, a + 7) == 0)
					break;
			if (k == sizeof(parts) / sizeof(parts[0]))
				usage();
			part = parts[k].part;
		} else {
			usage();
		}
	}
	if (iters == 0)
		usage();

	setup(&c, base);
	/* warm the caches (page cache, dentries, the supervisor's state) */
	warmup = iters / 10 > 0 ? iters / 10 : 1;
	run(&c, part, warmup, &ev);
	t0 = now_ns();
	run(&c, part, iters, &ev);
	t1 = now_ns();
	teardown(&c);
	printf("%llu ns %llu iters %.1f ns/iter\n",
	       (unsigned long long)(t1 - t0), (unsigned long long)iters,
	       (double)(t1 - t0) / (double)iters);
	return 0;
}
