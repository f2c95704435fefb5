/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for emu/paths.c: path splitting as the kernel's walk does it
 * (fs/namei.c: slashes collapse, "." and ".." are components like any
 * other, a component is at most NAME_MAX bytes), symlink splicing, and the
 * /proc names that reach a process's fds.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "paths.h"
#include "util.h"

struct split_case {
	const char *path;
	const char *parts[6]; /* NULL-terminated */
	bool trailing_slash;  /* slashes after the last component */
};

static const struct split_case splits[] = {
	{ "/proc/self/fd/3", { "proc", "self", "fd", "3", NULL }, false },
	{ "//proc///self/fd//3", { "proc", "self", "fd", "3", NULL }, false },
	{ "a/./b/../c", { "a", ".", "b", "..", "c", NULL }, false },
	{ "dir/", { "dir", NULL }, true },
	{ "dir//", { "dir", NULL }, true },
	{ "/", { NULL }, true },
	{ "", { NULL }, false },
	{ "x", { "x", NULL }, false },
};

Test(paths, split)
{
	for (size_t i = 0; i < SB_ARRAY_SIZE(splits); i++) {
		const struct split_case *t = &splits[i];
		const char *rest = t->path;
		char comp[SB_NAME_MAX + 1];
		size_t n = 0;
		int len;

		while ((len = sb_path_next(&rest, comp, sizeof(comp))) > 0) {
			cr_assert_not_null(t->parts[n], "%s: extra %s", t->path,
					   comp);
			cr_assert_str_eq(comp, t->parts[n], "%s: part %zu",
					 t->path, n);
			cr_assert_eq((size_t)len, strlen(comp));
			n++;
			if (t->parts[n] == NULL)
				cr_assert(sb_path_at_end(rest), "%s", t->path);
			else
				cr_assert(!sb_path_at_end(rest), "%s", t->path);
		}
		cr_assert_eq(len, 0, "%s", t->path);
		cr_assert_null(t->parts[n], "%s: missing %s", t->path,
			       t->parts[n]);
		cr_assert(sb_path_at_end(rest));
	}
}

Test(paths, trailing_slash_is_seen)
{
	for (size_t i = 0; i < SB_ARRAY_SIZE(splits); i++) {
		const char *rest = splits[i].path;
		char comp[SB_NAME_MAX + 1];
		const char *before = rest;

		while (sb_path_next(&rest, comp, sizeof(comp)) > 0)
			before = rest;
		/* what follows the last component: slashes or nothing */
		cr_assert_eq(*before == '/', splits[i].trailing_slash, "%s",
			     splits[i].path);
	}
}

Test(paths, name_too_long)
{
	char path[SB_NAME_MAX + 8], comp[SB_NAME_MAX + 1];
	const char *rest = path;

	memset(path, 'a', SB_NAME_MAX);
	strcpy(path + SB_NAME_MAX, "/b");
	cr_assert_eq(sb_path_next(&rest, comp, sizeof(comp)), SB_NAME_MAX);
	memset(path, 'a', SB_NAME_MAX + 1);
	strcpy(path + SB_NAME_MAX + 1, "/b");
	rest = path;
	cr_assert_eq(sb_path_next(&rest, comp, sizeof(comp)), -ENAMETOOLONG);
	/* a buffer smaller than the name */
	rest = "abcdef";
	cr_assert_eq(sb_path_next(&rest, comp, 4), -ENAMETOOLONG);
}

Test(paths, splice)
{
	char buf[64];

	strcpy(buf, "link/rest/of/it");
	/* the walk took "link": rest points into the same buffer */
	cr_assert_eq(sb_path_splice(buf, sizeof(buf), "../target",
				    buf + 4), 0);
	cr_assert_str_eq(buf, "../target/rest/of/it");
	strcpy(buf, "link");
	cr_assert_eq(sb_path_splice(buf, sizeof(buf), "/abs", buf + 4), 0);
	cr_assert_str_eq(buf, "/abs");
	strcpy(buf, "l//tail");
	cr_assert_eq(sb_path_splice(buf, sizeof(buf), "a-much-longer-target",
				    buf + 1), 0);
	cr_assert_str_eq(buf, "a-much-longer-target/tail");
	cr_assert_eq(sb_path_splice(buf, sizeof(buf), "", "x"), -ENOENT);
	cr_assert_eq(sb_path_splice(buf, 8, "12345678", ""), -ENAMETOOLONG);
	cr_assert_eq(sb_path_splice(buf, 9, "12345678", ""), 0);
	cr_assert_eq(sb_path_splice(buf, 10, "1234", "5678"), 0);
	cr_assert_str_eq(buf, "1234/5678");
	cr_assert_eq(sb_path_splice(buf, 9, "1234", "5678"), -ENAMETOOLONG);
}

Test(paths, proc_self_names)
{
	cr_assert_eq(sb_proc_self_name("self"), SB_PROC_SELF);
	cr_assert_eq(sb_proc_self_name("thread-self"), SB_PROC_THREAD_SELF);
	cr_assert_eq(sb_proc_self_name("selff"), SB_PROC_OTHER);
	cr_assert_eq(sb_proc_self_name("1"), SB_PROC_OTHER);
	cr_assert_eq(sb_proc_self_name(""), SB_PROC_OTHER);
}

struct fd_case {
	const char *path;
	int fd;      /* -1: not one of the forms */
	pid_t pid;   /* with self = 100 */
};

static const struct fd_case fd_paths[] = {
	{ "/proc/self/fd/3", 3, 100 },
	{ "/proc/thread-self/fd/17", 17, 100 },
	{ "/dev/fd/0", 0, 100 },
	{ "/proc/42/fd/5", 5, 42 },
	{ "/proc/42/task/43/fd/5", 5, 42 },
	{ "/proc/self/fd/", -1, 0 },
	{ "/proc/self/fd/3/", -1, 0 },
	{ "/proc/self/fd/3x", -1, 0 },
	{ "/proc/self/fd/-1", -1, 0 },
	{ "/proc/self/fd/+1", -1, 0 },
	{ "/proc/0/fd/1", -1, 0 },
	{ "/proc/x/fd/1", -1, 0 },
	{ "/proc/42/task/x/fd/5", -1, 0 },
	{ "/proc/self/fdinfo/3", -1, 0 },
	{ "/proc/self/fd/99999999999", -1, 0 },
	{ "proc/self/fd/3", -1, 0 },
	{ "/tmp/x", -1, 0 },
};

Test(paths, proc_fd_path)
{
	for (size_t i = 0; i < SB_ARRAY_SIZE(fd_paths); i++) {
		const struct fd_case *t = &fd_paths[i];
		pid_t pid = 0;

		cr_assert_eq(sb_proc_fd_path(t->path, 100, &pid), t->fd, "%s",
			     t->path);
		if (t->fd >= 0)
			cr_assert_eq(pid, t->pid, "%s", t->path);
	}
}
