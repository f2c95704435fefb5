/* SPDX-License-Identifier: MIT */
/*
 * cli.h: what the sealbox commands share: option parsing, messages, exit
 * codes. die() lives here and only here: the core never exits.
 */
#ifndef SEALBOX_CLI_H
#define SEALBOX_CLI_H

#include <stdbool.h>

#include "backing.h"
#include "kfeatures.h"
#include "plan.h"

/* like env(1) and timeout(1) */
#define SB_EXIT_FAILURE 125
#define SB_EXIT_CANNOT_EXEC 126
#define SB_EXIT_NOT_FOUND 127

struct sb_cli {
	struct sb_options opt;
	struct sb_features features;
	enum sb_backing_kind backing; /* SB_BACKING_NONE: best available */
	bool json;
	bool env_applied;  /* SEALBOX_FEATURES taken into account */
};

/* "sealbox: WHAT: WHY" on stderr, then exit(SB_EXIT_FAILURE). */
__attribute__((noreturn, format(printf, 1, 2)))
void sb_die(const char *fmt, ...);
__attribute__((format(printf, 1, 2)))
void sb_warn(const char *fmt, ...);

/*
 * Parse the options shared by every command (--emulate, --pretend-kernel,
 * --backend, --backing, --without, --json) from argv[*i], advancing *i.
 * Returns true when argv[*i] was one of them. Dies on a bad value.
 */
bool sb_cli_common_option(struct sb_cli *cli, int argc, char **argv, int *i);

/* Probe the kernel (honouring --without and SEALBOX_FEATURES). */
void sb_cli_probe(struct sb_cli *cli);
/* Probe only the features programs are given; true when all are native. */
bool sb_cli_probe_provided(struct sb_cli *cli);
void sb_cli_apply_env(struct sb_cli *cli);

int sb_cmd_probe(int argc, char **argv);
int sb_cmd_run(int argc, char **argv);

#endif /* SEALBOX_CLI_H */
