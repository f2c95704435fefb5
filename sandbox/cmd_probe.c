/* SPDX-License-Identifier: MIT */
/*
 * sealbox probe: what the running kernel has, and what sealbox would do
 * about each feature in each mode. The JSON form is documented in
 * docs/probe-json.md; keep the two in step.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "cli.h"
#include "emulator.h"

struct probe_report {
	struct sb_cli cli;
	struct sb_plan plan[2]; /* [SB_EMULATE_AUTO], [SB_EMULATE_ALL] */
	struct utsname uts;
	enum sb_backing_kind backing;
	int backing_err;
};

static const char *kind_name(enum sb_feature_kind k)
{
	switch (k) {
	case SB_FK_PROVIDED:
		return "provided";
	case SB_FK_BEHAVIOUR:
		return "behaviour";
	case SB_FK_SUPPORT:
		return "support";
	}
	return "?";
}

static const char *native_word(enum sb_tristate t)
{
	switch (t) {
	case SB_YES:
		return "yes";
	case SB_NO:
		return "no";
	case SB_UNKNOWN:
		break;
	}
	return "unknown";
}

static void print_text(const struct probe_report *r)
{
	const struct sb_cli *cli = &r->cli;
	const struct sb_plan *chosen = &r->plan[cli->opt.emulate];
	char ver[16];

	printf("sealbox %s on Linux %s %s\n", SEALBOX_VERSION, r->uts.release,
	       r->uts.machine);
	printf("programs get the answers of Linux %s%s\n\n",
	       sb_format_kernel_version(chosen->reference, ver, sizeof(ver)),
	       cli->opt.pretend ? " (--pretend-kernel)" : "");

	printf("%-22s %-6s %-8s %-9s %s\n", "FEATURE", "SINCE", "KERNEL",
	       "AUTO", "ALL");
	for (size_t i = 0; i < SB_F_COUNT; i++) {
		const struct sb_feature_info *fi =
			sb_feature_info((enum sb_feature)i);

		if (fi->kind == SB_FK_SUPPORT)
			continue;
		printf("%-22s %-6s %-8s %-9s %s%s\n", fi->name,
		       sb_format_kernel_version(fi->since, ver, sizeof(ver)),
		       native_word(cli->features.state[i]),
		       sb_action_name(r->plan[SB_EMULATE_AUTO].action[i]),
		       sb_action_name(r->plan[SB_EMULATE_ALL].action[i]),
		       cli->features.forced[i] ? "  (forced)" : "");
	}
	printf("\n%-22s %-6s %s\n", "SEALBOX NEEDS", "SINCE", "KERNEL");
	for (size_t i = 0; i < SB_F_COUNT; i++) {
		const struct sb_feature_info *fi =
			sb_feature_info((enum sb_feature)i);

		if (fi->kind != SB_FK_SUPPORT)
			continue;
		printf("%-22s %-6s %s%s\n", fi->name,
		       sb_format_kernel_version(fi->since, ver, sizeof(ver)),
		       native_word(cli->features.state[i]),
		       cli->features.forced[i] ? "  (forced)" : "");
	}
	printf("\nvm.memfd_noexec: ");
	if (cli->features.memfd_noexec >= 0)
		printf("%d\n", cli->features.memfd_noexec);
	else
		printf("absent\n");
	printf("backend: %s (%s)\n", sb_backend_name(chosen->backend),
	       chosen->backend_why);
	if (r->backing_err)
		printf("backing: none (%s)\n", strerror(-r->backing_err));
	else
		printf("backing: %s\n", sb_backing_name(r->backing));
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void print_json(const struct probe_report *r)
{
	const struct sb_cli *cli = &r->cli;
	const struct sb_plan *chosen = &r->plan[cli->opt.emulate];
	char ver[16];

	printf("{\"schema\":\"sealbox-probe/1\",\"version\":");
	json_string(SEALBOX_VERSION);
	printf(",\"kernel\":{\"release\":");
	json_string(r->uts.release);
	printf(",\"machine\":");
	json_string(r->uts.machine);
	printf("},\"options\":{\"emulate\":\"%s\",\"pretend\":",
	       sb_emulate_name(cli->opt.emulate));
	if (cli->opt.pretend)
		printf("\"%s\"", sb_format_kernel_version(cli->opt.pretend, ver,
							   sizeof(ver)));
	else
		printf("null");
	printf(",\"backend\":\"%s\"},\"features\":[",
	       sb_backend_name(cli->opt.backend));
	for (size_t i = 0; i < SB_F_COUNT; i++) {
		const struct sb_feature_info *fi =
			sb_feature_info((enum sb_feature)i);
		bool support = fi->kind == SB_FK_SUPPORT;

		printf("%s{\"name\":\"%s\",\"kind\":\"%s\",\"since\":\"%s\","
		       "\"native\":", i ? "," : "", fi->name,
		       kind_name(fi->kind),
		       sb_format_kernel_version(fi->since, ver, sizeof(ver)));
		if (cli->features.state[i] == SB_UNKNOWN)
			printf("null");
		else
			printf("%s", cli->features.state[i] == SB_YES ?
			       "true" : "false");
		printf(",\"forced\":%s", cli->features.forced[i] ?
		       "true" : "false");
		if (support)
			printf(",\"auto\":null,\"all\":null}");
		else
			printf(",\"auto\":\"%s\",\"all\":\"%s\"}",
			       sb_action_name(r->plan[SB_EMULATE_AUTO].action[i]),
			       sb_action_name(r->plan[SB_EMULATE_ALL].action[i]));
	}
	printf("],\"memfd_noexec\":");
	if (cli->features.memfd_noexec >= 0)
		printf("%d", cli->features.memfd_noexec);
	else
		printf("null");
	printf(",\"backend\":{\"name\":\"%s\",\"why\":",
	       sb_backend_name(chosen->backend));
	json_string(chosen->backend_why);
	printf("},\"backing\":\"%s\",\"reference\":\"%s\"}\n",
	       r->backing_err ? "none" : sb_backing_name(r->backing),
	       sb_format_kernel_version(chosen->reference, ver, sizeof(ver)));
}

int sb_cmd_probe(int argc, char **argv)
{
	struct probe_report r;
	struct sb_backing b;

	memset(&r, 0, sizeof(r));
	sb_options_init(&r.cli.opt);
	sb_features_init(&r.cli.features);
	r.cli.backing = SB_BACKING_NONE;
	for (int i = 1; i < argc; i++) {
		if (sb_cli_common_option(&r.cli, argc, argv, &i))
			continue;
		sb_die("probe: %s: unknown option", argv[i]);
	}
	if (uname(&r.uts) < 0)
		sb_die("uname: %s", strerror(errno));
	sb_cli_probe(&r.cli);

	for (int mode = SB_EMULATE_AUTO; mode <= SB_EMULATE_ALL; mode++) {
		struct sb_options o = r.cli.opt;
		const char *why = NULL;

		o.emulate = (enum sb_emulate)mode;
		if (sb_plan_make(&r.cli.features, &o, &r.plan[mode], &why) < 0)
			sb_die("--backend=%s: not possible here: %s",
			       sb_backend_name(o.backend), why);
	}

	r.backing_err = sb_backing_open(&b, &r.cli.features, r.cli.backing,
					NULL);
	if (r.backing_err == 0) {
		r.backing = b.kind;
		sb_backing_close(&b);
	} else if (r.cli.backing != SB_BACKING_NONE) {
		sb_die("--backing=%s: not possible here: %s",
		       sb_backing_name(r.cli.backing), strerror(-r.backing_err));
	}
	/* as sealbox run decides once its store is open */
	for (int mode = SB_EMULATE_AUTO; mode <= SB_EMULATE_ALL; mode++)
		if (r.backing_err == 0 &&
		    sb_emulator_strict(&r.plan[mode], &r.cli.features,
				       r.backing))
			(void)sb_plan_prefer_ptrace(&r.plan[mode],
						    &r.cli.features,
						    &r.cli.opt);

	if (r.cli.json)
		print_json(&r);
	else
		print_text(&r);
	return 0;
}
