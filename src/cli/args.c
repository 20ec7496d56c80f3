/*-------------------------------------------------------------------------
 *
 * args.c
 *		usrmgmt command-line tool: the argument parser, and what the
 *		command table (cmdlist.h) says about each command: its name,
 *		options and arguments, usage text and exit codes.
 *
 * Plain C with no libpq dependency, so that test/fuzz/cli_args_fuzzer.c
 * can drive um_parse_args() directly.  Options may come before or after the
 * command; "--opt=value" and "--opt value" both work; "--" ends options.
 *
 * src/cli/args.c
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

/* Further argument rules of a command (cmdlist.h's "check" field). */
typedef int (*um_args_check) (struct um_options *o, char *err, size_t errlen);

static int	check_init(struct um_options *o, char *err, size_t errlen);
static int	check_health(struct um_options *o, char *err, size_t errlen);

struct um_command_def
{
	enum um_command cmd;
	const char *name;
	enum um_needs needs;
	unsigned	options;		/* UM_OPT_* bits accepted */
	int			min_pos;		/* positional arguments */
	int			max_pos;
	um_args_check check;
	enum um_exit_rule exits;
	const char *line;			/* its line in the tool's usage */
	const char *usage;
};

static const struct um_command_def commands[] = {
#define UM_COMMAND(id, name, handler, needs, options, min_pos, max_pos, check, exits, line, usage) \
	{UM_CMD_##id, name, needs, options, min_pos, max_pos, check, exits, line, usage},
#include "cmdlist.h"
#undef UM_COMMAND
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/*
 * The exit-code rules: a handler's UM_ERROR and a bad command line become
 * these exit codes; any other outcome (0-2) is the exit code itself.
 */
static const struct
{
	int			usage;			/* bad command line */
	int			error;			/* UM_ERROR */
	int			stdout_report;	/* errors also reported on stdout */
}			exit_rules[] = {
	[UM_EXITS_PLAIN] = {UM_EXIT_USAGE, UM_EXIT_FAIL, 0},
	[UM_EXITS_VERDICT] = {UM_EXIT_USAGE, UM_EXIT_UNKNOWN, 0},
	[UM_EXITS_MONITOR] = {UM_EXIT_UNKNOWN, UM_EXIT_UNKNOWN, 1},
};

static const char tool_usage_head[] =
"usrmgmt - command-line tool of the usrmgmt PostgreSQL extension\n"
"\n"
"usage: usrmgmt [CONNECTION] [-v] [--json] COMMAND [ARGS]\n"
"       usrmgmt COMMAND --help | usrmgmt help [COMMAND] | usrmgmt --version\n"
"\n"
"Connection (first that is given): -d CONNINFO (a URI or key=value string),\n"
"the DATABASE_URL environment variable, libpq's PG* variables.\n"
"  -d, --dbname=CONNINFO  connection string\n"
"  -v, --verbose          print each SQL statement to stderr before sending it\n"
"      --json             machine-readable output (status, verify, stats,\n"
"                         health, migrations, list)\n"
"\n"
"Commands:\n";

static const char tool_usage_tail[] =
"\n"
"Exit status: 0 success, 1 failure, 2 bad usage; health: 0 healthy,\n"
"1 degraded, 2 unhealthy, 3 error; verify: 0 no problem, 1 problems, 3 error.\n";

static const struct um_command_def *
command_def(enum um_command cmd)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (commands[i].cmd == cmd)
			return &commands[i];
	return NULL;
}

const char *
um_command_name(enum um_command cmd)
{
	const struct um_command_def *def = command_def(cmd);

	return def ? def->name : NULL;
}

enum um_needs
um_command_needs(enum um_command cmd)
{
	const struct um_command_def *def = command_def(cmd);

	return def ? def->needs : UM_NEEDS_NOTHING;
}

void
um_print_usage(FILE *f, enum um_command cmd)
{
	const struct um_command_def *def = command_def(cmd);

	if (def != NULL)
	{
		fputs(def->usage, f);
		return;
	}
	fputs(tool_usage_head, f);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %s\n", commands[i].line);
	fputs(tool_usage_tail, f);
}

int
um_exit_code(enum um_command cmd, int outcome)
{
	const struct um_command_def *def = command_def(cmd);

	if (outcome != UM_ERROR)
		return outcome;
	return exit_rules[def ? def->exits : UM_EXITS_PLAIN].error;
}

int
um_usage_exit_code(enum um_command cmd)
{
	const struct um_command_def *def = command_def(cmd);

	return exit_rules[def ? def->exits : UM_EXITS_PLAIN].usage;
}

int
um_reports_errors_on_stdout(enum um_command cmd)
{
	const struct um_command_def *def = command_def(cmd);

	return def != NULL && exit_rules[def->exits].stdout_report;
}

static const struct um_command_def *
find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int
fail(char *err, size_t errlen, const char *fmt,...)
{
	if (errlen > 0)
	{
		va_list		ap;

		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
		/* arguments are quoted in the message: keep it one printable line */
		for (char *p = err; *p; p++)
			if ((unsigned char) *p < 0x20 || *p == 0x7f)
				*p = '?';
	}
	return -1;
}

/* A threshold: a finite decimal number of milliseconds, 0 or more. */
static int
parse_ms(const char *opt, const char *s, double *out, char *err, size_t errlen)
{
	char	   *end;
	double		v;

	errno = 0;
	v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || errno != 0 || !isfinite(v) || v < 0)
		return fail(err, errlen,
					"invalid value \"%.100s\" for %s: expected a number of milliseconds, 0 or more",
					s, opt);
	*out = v;
	return 0;
}

/* What an option sets in struct um_options (at its offset). */
enum opt_kind
{
	OPT_FLAG,					/* int, set to 1 */
	OPT_STRING,					/* const char *, the value */
	OPT_NONEMPTY,				/* const char *, the value, which must not be "" */
	OPT_MS						/* double, a number of milliseconds, 0 or more */
};

struct opt_def
{
	const char *longname;
	char		shortname;
	enum opt_kind kind;
	size_t		offset;			/* of the field in struct um_options */
	unsigned	bit;			/* UM_OPT_* bit, 0: accepted everywhere */
};

#define FIELD(f) offsetof(struct um_options, f)

static const struct opt_def opts[] = {
	{"dbname", 'd', OPT_STRING, FIELD(conninfo), 0},
	{"verbose", 'v', OPT_FLAG, FIELD(verbose), 0},
	{"json", 0, OPT_FLAG, FIELD(json), UM_OPT_JSON},
	{"help", 'h', OPT_FLAG, FIELD(show_help), 0},
	{"version", 'V', OPT_FLAG, FIELD(show_version), 0},
	{"force", 0, OPT_FLAG, FIELD(force), UM_OPT_FORCE},
	{"sample-data", 0, OPT_FLAG, FIELD(sample_data), UM_OPT_SAMPLE},
	{"confirm", 0, OPT_FLAG, FIELD(confirm), UM_OPT_CONFIRM},
	{"dir", 0, OPT_NONEMPTY, FIELD(dir), UM_OPT_DIR},
	{"exact", 0, OPT_FLAG, FIELD(exact), UM_OPT_EXACT},
	{"no-owner", 0, OPT_FLAG, FIELD(no_owner), UM_OPT_NO_OWNER},
	{"dry-run", 0, OPT_FLAG, FIELD(dry_run), UM_OPT_DRY_RUN},
	{"warn-connect-ms", 0, OPT_MS, FIELD(warn_connect_ms), UM_OPT_THRESHOLDS},
	{"crit-connect-ms", 0, OPT_MS, FIELD(crit_connect_ms), UM_OPT_THRESHOLDS},
	{"warn-roundtrip-ms", 0, OPT_MS, FIELD(warn_roundtrip_ms), UM_OPT_THRESHOLDS},
	{"crit-roundtrip-ms", 0, OPT_MS, FIELD(crit_roundtrip_ms), UM_OPT_THRESHOLDS},
};

#define NOPTS (sizeof(opts) / sizeof(opts[0]))

static int
parse_args(int argc, char **argv, struct um_options *out,
		   char *err, size_t errlen)
{
	const struct um_command_def *def = NULL;
	const char *positional[2];
	int			npos = 0;
	int			help_command = 0;	/* "usrmgmt help [COMMAND]" */
	int			options_done = 0;
	unsigned	seen = 0;
	const char *seen_name[8] = {0};

	memset(out, 0, sizeof(*out));
	out->warn_connect_ms = out->crit_connect_ms = -1;
	out->warn_roundtrip_ms = out->crit_roundtrip_ms = -1;
	if (errlen > 0)
		err[0] = '\0';

	for (int i = 1; i < argc; i++)
	{
		const char *a = argv[i];
		const struct opt_def *od = NULL;
		const char *value = NULL;
		char		shown[64];

		if (a == NULL)
			break;
		if (!options_done && strcmp(a, "--") == 0)
		{
			options_done = 1;
			continue;
		}
		if (!options_done && a[0] == '-' && a[1] == '-' && a[2] != '\0')
		{
			const char *name = a + 2;
			const char *eq = strchr(name, '=');
			size_t		nlen = eq ? (size_t) (eq - name) : strlen(name);

			for (size_t k = 0; k < NOPTS; k++)
				if (strlen(opts[k].longname) == nlen &&
					strncmp(opts[k].longname, name, nlen) == 0)
					od = &opts[k];
			if (od == NULL)
				return fail(err, errlen, "unknown option \"--%.*s\"",
							(int) (nlen > 100 ? 100 : nlen), name);
			if (eq && od->kind == OPT_FLAG)
				return fail(err, errlen, "option \"--%s\" takes no value",
							od->longname);
			if (eq)
				value = eq + 1;
			snprintf(shown, sizeof(shown), "--%s", od->longname);
		}
		else if (!options_done && a[0] == '-' && a[1] != '\0' && a[1] != '-')
		{
			for (size_t k = 0; k < NOPTS; k++)
				if (opts[k].shortname != 0 && opts[k].shortname == a[1])
					od = &opts[k];
			if (od == NULL)
				return fail(err, errlen, "unknown option \"-%c\"", a[1]);
			if (a[2] != '\0')
			{
				if (od->kind == OPT_FLAG)
					return fail(err, errlen, "unknown option \"%.100s\"", a);
				value = a + 2;
			}
			snprintf(shown, sizeof(shown), "-%c", od->shortname);
		}
		else
		{
			/* a command or a positional argument */
			if (def == NULL && !help_command)
			{
				if (strcmp(a, "help") == 0)
				{
					help_command = 1;
					continue;
				}
				def = find_command(a);
				if (def == NULL)
					return fail(err, errlen,
								"unknown command \"%.100s\" (try \"usrmgmt --help\")", a);
				out->command = def->cmd;
				continue;
			}
			if (help_command && def == NULL)
			{
				def = find_command(a);
				if (def == NULL)
					return fail(err, errlen, "unknown command \"%.100s\"", a);
				continue;
			}
			if (npos < 2)
				positional[npos++] = a;
			continue;
		}

		if (od->kind != OPT_FLAG && value == NULL)
		{
			if (i + 1 >= argc || argv[i + 1] == NULL)
				return fail(err, errlen, "option \"%s\" needs a value", shown);
			value = argv[++i];
		}

		{
			/* the field at od->offset, of the type od->kind says */
			char	   *field = (char *) out + od->offset;
			int			one = 1;
			double		ms = 0;

			switch (od->kind)
			{
				case OPT_FLAG:
					memcpy(field, &one, sizeof(one));
					break;
				case OPT_NONEMPTY:
					if (value[0] == '\0')
						return fail(err, errlen, "option \"%s\" needs a non-empty value", shown);
					/* FALLTHROUGH */
				case OPT_STRING:
					memcpy(field, &value, sizeof(value));
					break;
				case OPT_MS:
					if (parse_ms(shown, value, &ms, err, errlen) < 0)
						return -1;
					memcpy(field, &ms, sizeof(ms));
					break;
			}
		}
		if (od->bit != 0)
		{
			seen |= od->bit;
			for (int b = 0; b < 8; b++)
				if (od->bit == (1u << b))
					seen_name[b] = od->longname;
		}
	}

	if (help_command)
		out->show_help = 1;
	if (def != NULL)
		out->command = def->cmd;
	if (out->show_help || out->show_version)
		return 0;
	if (def == NULL)
		return fail(err, errlen, "no command given (try \"usrmgmt --help\")");

	/* options the command does not take */
	for (int b = 0; b < 8; b++)
		if ((seen & (1u << b)) && !(def->options & (1u << b)))
			return fail(err, errlen, "%s: option \"--%s\" does not apply to this command",
						def->name, seen_name[b]);

	if (npos > def->max_pos)
		return fail(err, errlen, "%s: unexpected argument \"%.100s\"", def->name,
					positional[def->max_pos]);
	if (npos < def->min_pos)
		return fail(err, errlen, "%s: missing argument (try \"usrmgmt %s --help\")",
					def->name, def->name);
	if (npos > 0)
	{
		if (positional[0][0] == '\0')
			return fail(err, errlen, "%s: empty argument", def->name);
		out->arg = positional[0];
	}

	if (def->check != NULL)
		return def->check(out, err, errlen);
	return 0;
}

/*
 * After a bad command line: which command was meant (the first word that
 * names one, "help" aside) and whether --json was given, read leniently
 * (a value-taking option given as "--opt VALUE" skips VALUE).
 */
static void
salvage(int argc, char **argv, struct um_options *out)
{
	for (int i = 1; i < argc && argv[i] != NULL; i++)
	{
		const char *a = argv[i];
		const struct um_command_def *def;

		if (strcmp(a, "--") == 0)
			break;
		if (strcmp(a, "--json") == 0)
			out->json = 1;
		else if (a[0] == '-' && a[1] != '\0')
		{
			const char *name = a + (a[1] == '-' ? 2 : 1);

			for (size_t k = 0; k < NOPTS; k++)
				if (opts[k].kind != OPT_FLAG && strchr(a, '=') == NULL &&
					(a[1] == '-' ? strcmp(opts[k].longname, name) == 0 :
					 (name[0] == opts[k].shortname && name[1] == '\0')))
				{
					i++;
					break;
				}
		}
		else if (out->command == UM_CMD_NONE && (def = find_command(a)) != NULL)
			out->command = def->cmd;
	}
}

int
um_parse_args(int argc, char **argv, struct um_options *out,
			  char *err, size_t errlen)
{
	if (parse_args(argc, argv, out, err, errlen) == 0)
		return 0;
	out->command = UM_CMD_NONE;
	out->json = 0;
	salvage(argc, argv, out);
	return -1;
}

/* init: --confirm confirms --force and nothing else. */
static int
check_init(struct um_options *o, char *err, size_t errlen)
{
	if (o->confirm && !o->force)
		return fail(err, errlen, "init: --confirm only applies with --force");
	return 0;
}

/*
 * A pair of thresholds, negative when not given: fill in the defaults, a
 * default warning level never above a given critical one.
 */
static void
fill_thresholds(double *warn, double *crit, double default_warn, double default_crit)
{
	if (*crit < 0)
		*crit = *warn > default_crit ? *warn : default_crit;
	if (*warn < 0)
		*warn = *crit < default_warn ? *crit : default_warn;
}

/* health: fill the thresholds not given, then check warn <= crit. */
static int
check_health(struct um_options *o, char *err, size_t errlen)
{
	fill_thresholds(&o->warn_connect_ms, &o->crit_connect_ms,
					UM_DEFAULT_WARN_CONNECT_MS, UM_DEFAULT_CRIT_CONNECT_MS);
	fill_thresholds(&o->warn_roundtrip_ms, &o->crit_roundtrip_ms,
					UM_DEFAULT_WARN_ROUNDTRIP_MS, UM_DEFAULT_CRIT_ROUNDTRIP_MS);
	if (o->warn_connect_ms > o->crit_connect_ms)
		return fail(err, errlen,
					"health: --warn-connect-ms (%g) is above --crit-connect-ms (%g)",
					o->warn_connect_ms, o->crit_connect_ms);
	if (o->warn_roundtrip_ms > o->crit_roundtrip_ms)
		return fail(err, errlen,
					"health: --warn-roundtrip-ms (%g) is above --crit-roundtrip-ms (%g)",
					o->warn_roundtrip_ms, o->crit_roundtrip_ms);
	return 0;
}
