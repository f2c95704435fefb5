/* SPDX-License-Identifier: MIT */
#include "maps.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "util.h"

/* "start-end perms offset maj:min inode path" */
static bool parse_line(const char *line, struct sb_mapping *m)
{
	char perms[8];
	unsigned int maj, min;

	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %x:%x %" SCNu64,
		   &m->start, &m->end, perms, &m->offset, &maj, &min,
		   &m->ino) != 7)
		return false;
	m->read = perms[0] == 'r';
	m->write = perms[1] == 'w';
	m->exec = perms[2] == 'x';
	m->shared = perms[3] == 's';
	m->dev = makedev(maj, min);
	m->vm_shared = m->vm_maywrite = false;
	return true;
}

/* In smaps, "VmFlags: rd wr sh mr mw me ms ..." follows each mapping. */
static void parse_vmflags(const char *line, struct sb_mapping *m)
{
	const char *p = line + strlen("VmFlags:");

	while (*p) {
		while (*p == ' ')
			p++;
		if (strncmp(p, "sh", 2) == 0 && (p[2] == ' ' || p[2] == '\n'))
			m->vm_shared = true;
		if (strncmp(p, "mw", 2) == 0 && (p[2] == ' ' || p[2] == '\n'))
			m->vm_maywrite = true;
		while (*p && *p != ' ')
			p++;
	}
}

struct walk {
	bool by_inode;
	uint64_t dev, ino;
	uint64_t start, end;
	bool vmflags;
	sb_mapping_fn fn;
	void *ctx;
};

static bool wanted(const struct walk *w, const struct sb_mapping *m)
{
	if (w->by_inode)
		return m->ino == w->ino && m->dev == w->dev;
	return m->start < w->end && m->end > w->start;
}

static int walk_pid(pid_t pid, const struct walk *w)
{
	char path[64], line[512];
	struct sb_mapping m, pending;
	bool have_pending = false;
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid,
		 w->vmflags ? "smaps" : "maps");
	f = fopen(path, "re");
	if (!f)
		return neg_errno();
	while (fgets(line, sizeof(line), f)) {
		if (w->vmflags && strncmp(line, "VmFlags:", 8) == 0) {
			if (have_pending) {
				parse_vmflags(line, &pending);
				ret = w->fn(&pending, w->ctx);
				have_pending = false;
				if (ret)
					break;
			}
			continue;
		}
		if (!isxdigit((unsigned char)line[0]) || !parse_line(line, &m))
			continue;
		m.pid = pid;
		if (!wanted(w, &m))
			continue;
		if (w->vmflags) {
			pending = m;
			have_pending = true;
			continue;
		}
		ret = w->fn(&m, w->ctx);
		if (ret)
			break;
	}
	fclose(f);
	return ret;
}

int sb_maps_walk(pid_t pid, uint64_t dev, uint64_t ino, bool vmflags,
		 sb_mapping_fn fn, void *ctx)
{
	struct walk w = { true, dev, ino, 0, 0, vmflags, fn, ctx };
	DIR *d;
	struct dirent *de;
	int ret = 0;

	if (pid > 0)
		return walk_pid(pid, &w);
	d = opendir("/proc");
	if (!d)
		return neg_errno();
	while ((de = readdir(d)) != NULL) {
		char *end = NULL;
		long p = strtol(de->d_name, &end, 10);

		if (p <= 0 || *end)
			continue;
		ret = walk_pid((pid_t)p, &w);
		if (ret > 0)
			break;
		ret = 0; /* a process that went away, or a kernel thread */
	}
	closedir(d);
	return ret;
}

int sb_maps_walk_range(pid_t pid, uint64_t start, uint64_t end,
		       bool vmflags, sb_mapping_fn fn, void *ctx)
{
	struct walk w = { false, 0, 0, start, end, vmflags, fn, ctx };

	return walk_pid(pid, &w);
}
