/* SPDX-License-Identifier: MIT */
/*
 * sealbox: memfd_create() and file sealing where the kernel lacks them.
 * This file is the command dispatcher and the options every command shares.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "probe.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "probe", sb_cmd_probe,
	  "show what the kernel has and what sealbox would do" },
	{ "run", sb_cmd_run,
	  "run a program with memfd_create() and sealing emulated" },
};

void sb_die(const char *fmt, ...)
{
	va_list ap;

	fputs("sealbox: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(SB_EXIT_FAILURE);
}

void sb_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("sealbox: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* "--name=value" or "--name value"; NULL when argv[*i] is not --name. */
static const char *option_value(const char *name, int argc, char **argv,
				int *i)
{
	size_t len = strlen(name);
	const char *arg = argv[*i];

	if (strncmp(arg, name, len) != 0)
		return NULL;
	if (arg[len] == '=')
		return arg + len + 1;
	if (arg[len] != '\0')
		return NULL;
	if (*i + 1 >= argc)
		sb_die("%s: a value is required", name);
	return argv[++*i];
}

bool sb_cli_common_option(struct sb_cli *cli, int argc, char **argv, int *i)
{
	const char *v;

	if (strcmp(argv[*i], "--json") == 0) {
		cli->json = true;
		return true;
	}
	if ((v = option_value("--emulate", argc, argv, i))) {
		if (sb_emulate_parse(v, &cli->opt.emulate) < 0)
			sb_die("--emulate=%s: expected auto or all", v);
		return true;
	}
	if ((v = option_value("--pretend-kernel", argc, argv, i))) {
		if (sb_parse_kernel_version(v, &cli->opt.pretend) < 0)
			sb_die("--pretend-kernel=%s: expected a version such as "
			       "4.19", v);
		if (cli->opt.pretend < KV(3, 0) ||
		    cli->opt.pretend > SB_REFERENCE_KERNEL)
			sb_die("--pretend-kernel=%s: must lie between 3.0 and "
			       "6.18", v);
		return true;
	}
	if ((v = option_value("--enforce", argc, argv, i))) {
		if (strcmp(v, "user") == 0)
			cli->opt.enforce_user = true;
		else if (strcmp(v, "auto") == 0)
			cli->opt.enforce_user = false;
		else
			sb_die("--enforce=%s: expected auto or user", v);
		return true;
	}
	if ((v = option_value("--backend", argc, argv, i))) {
		if (sb_backend_parse(v, &cli->opt.backend) < 0)
			sb_die("--backend=%s: expected auto, notify, ptrace or "
			       "preload", v);
		return true;
	}
	if ((v = option_value("--backing", argc, argv, i))) {
		if (sb_backing_parse(v, &cli->backing) < 0)
			sb_die("--backing=%s: expected memfd, detached, tmpfile "
			       "or unlinked", v);
		return true;
	}
	if ((v = option_value("--without", argc, argv, i))) {
		/* every name is forced off, with or without a leading '-' */
		char spec[1024];
		const char *bad = NULL;
		size_t bad_len = 0, used = 0;

		for (const char *p = v; *p;) {
			size_t len = strcspn(p, ",");
			int n = snprintf(spec + used, sizeof(spec) - used,
					 "%s-%.*s", used ? "," : "", (int)len,
					 *p == '-' ? p + 1 : p);

			if (n < 0 || (size_t)n >= sizeof(spec) - used)
				sb_die("--without: list too long");
			used += (size_t)n;
			p += len;
			if (*p == ',')
				p++;
		}
		if (sb_features_override(&cli->features, spec, &bad,
					 &bad_len) < 0)
			sb_die("--without: unknown feature '%.*s' (see sealbox "
			       "probe)", (int)bad_len - 1, bad + 1);
		return true;
	}
	return false;
}

/*
 * Only what programs are given (memfd flags, seals, behaviours): cheap
 * calls, no children. Returns true when the kernel has all of it natively.
 */
bool sb_cli_probe_provided(struct sb_cli *cli)
{
	bool all = true;

	sb_cli_apply_env(cli);
	for (size_t f = 0; f < SB_F_COUNT; f++) {
		if (sb_feature_info((enum sb_feature)f)->kind == SB_FK_SUPPORT)
			continue;
		if (cli->features.state[f] == SB_UNKNOWN &&
		    sb_probe_one(&cli->features, (enum sb_feature)f) < 0)
			return false;
		if (cli->features.state[f] != SB_YES)
			all = false;
	}
	return all;
}

void sb_cli_probe(struct sb_cli *cli)
{
	int err;

	sb_cli_apply_env(cli);
	err = sb_probe_all(&cli->features);
	if (err < 0)
		sb_die("probe: %s", strerror(-err));
	cli->features.memfd_noexec = sb_probe_memfd_noexec();
	if (cli->features.memfd_noexec < 0)
		cli->features.memfd_noexec = -1;
}

/* SEALBOX_FEATURES, under what the command line forced (applied once). */
void sb_cli_apply_env(struct sb_cli *cli)
{
	const char *env = getenv("SEALBOX_FEATURES");

	if (cli->env_applied)
		return;
	cli->env_applied = true;
	if (env && *env) {
		/* the command line wins: apply the environment to a scratch
		 * copy first, then re-apply what the command line forced */
		struct sb_features mine = cli->features;
		const char *bad = NULL;
		size_t bad_len = 0;

		if (sb_features_override(&cli->features, env, &bad,
					 &bad_len) < 0)
			sb_die("SEALBOX_FEATURES: unknown feature '%.*s'",
			       (int)bad_len, bad);
		for (size_t f = 0; f < SB_F_COUNT; f++)
			if (mine.forced[f])
				sb_features_force(&cli->features,
						  (enum sb_feature)f,
						  mine.state[f] == SB_YES);
	}
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: sealbox COMMAND [OPTIONS]\n"
		"       sealbox run [OPTIONS] -- PROG [ARGS...]\n"
		"memfd_create() and file sealing where the kernel lacks them.\n"
		"\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(out,
		"\nOptions (every command):\n"
		"  --emulate=auto|all        emulate what is missing, or all\n"
		"  --pretend-kernel=X.Y      answer as kernel X.Y would\n"
		"  --backend=auto|notify|ptrace|preload\n"
		"  --enforce=auto|user       (run) let the kernel hold emulated seals\n"
		"                            where it can, or always check them here\n"
		"  --backing=memfd|detached|tmpfile|unlinked\n"
		"  --without=FEATURE,...     act as if the kernel lacked these\n"
		"  --session=NAME            (run) share one supervisor by name\n"
		"  --preload                 (run) the LD_PRELOAD shim, no supervisor\n"
		"  --json                    machine-readable output (probe)\n"
		"  -h, --help                this text\n"
		"  --version                 sealbox's version\n"
		"\nSee sealbox(1).\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return SB_EXIT_FAILURE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("sealbox %s\n", SEALBOX_VERSION);
		return 0;
	}
	/* `sealbox run --help`: help among a command's own options */
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0 || argv[i][0] != '-')
			break;
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		}
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	sb_die("%s: unknown command (try sealbox --help)", argv[1]);
}
