/*-------------------------------------------------------------------------
 *
 * args.c
 *		usrmgmt command-line tool: command table, usage texts and the
 *		argument parser.
 *
 * Plain C with no libpq dependency, so that test/fuzz/fuzz_cli_args.c can
 * drive um_parse_args() directly.  Options may come before or after the
 * command; "--opt=value" and "--opt value" both work; "--" ends options.
 *
 * src/cli/args.c
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

struct um_command_def
{
	enum um_command cmd;
	const char *name;
	unsigned	options;		/* UM_OPT_* bits accepted */
	int			min_pos;		/* positional arguments */
	int			max_pos;
	const char *usage;
};

static const struct um_command_def commands[] = {
	{UM_CMD_INIT, "init", UM_OPT_FORCE | UM_OPT_SAMPLE | UM_OPT_CONFIRM, 0, 0,
		"usage: usrmgmt [CONNECTION] init [--force [--confirm]] [--sample-data]\n"
		"\n"
		"Create the usrmgmt extension in the connected database.  When it is\n"
		"already installed, say so and change nothing.\n"
		"\n"
		"  --force        drop the extension (and every row of its tables) and\n"
		"                 create it again; needs --confirm, or typing \"yes\"\n"
		"                 when standard input is a terminal\n"
		"  --confirm      confirm --force without asking\n"
		"  --sample-data  then load the sample data set (usrmgmt.load_sample_data())\n"},
	{UM_CMD_STATUS, "status", UM_OPT_JSON, 0, 0,
		"usage: usrmgmt [CONNECTION] status [--json]\n"
		"\n"
		"Print usrmgmt.status(): installed version, table row estimates,\n"
		"applied migrations, open sessions.\n"},
	{UM_CMD_VERIFY, "verify", UM_OPT_JSON, 0, 0,
		"usage: usrmgmt [CONNECTION] verify [--json]\n"
		"\n"
		"Print usrmgmt.verify(): schema drift and data integrity problems.\n"
		"Exit 0 when there are none, 1 when there are, 3 on error.\n"},
	{UM_CMD_STATS, "stats", UM_OPT_JSON | UM_OPT_EXACT, 0, 0,
		"usage: usrmgmt [CONNECTION] stats [--exact] [--json]\n"
		"\n"
		"Print usrmgmt.database_stats(): rows, sizes, scans, vacuum and analyze\n"
		"times per table.\n"
		"\n"
		"  --exact        count rows (reads every table) instead of estimating\n"},
	{UM_CMD_HEALTH, "health", UM_OPT_JSON | UM_OPT_THRESHOLDS, 0, 0,
		"usage: usrmgmt [CONNECTION] health [--json] [THRESHOLDS]\n"
		"\n"
		"Measure the connection time and a query round trip, add\n"
		"usrmgmt.health(), and print a Nagios-style status line followed by the\n"
		"details (or, with --json, the health() object with connect_ms and\n"
		"roundtrip_ms added).\n"
		"Exit 0 healthy, 1 degraded, 2 unhealthy, 3 error.\n"
		"\n"
		"  --warn-connect-ms=MS    degraded above this connection time (default 1000)\n"
		"  --crit-connect-ms=MS    unhealthy above this connection time (default 5000)\n"
		"  --warn-roundtrip-ms=MS  degraded above this round trip (default 200)\n"
		"  --crit-roundtrip-ms=MS  unhealthy above this round trip (default 1000)\n"},
	{UM_CMD_MIGRATE, "migrate", 0, 0, 1,
		"usage: usrmgmt [CONNECTION] migrate [DIR]\n"
		"\n"
		"Update the extension to its default version (ALTER EXTENSION usrmgmt\n"
		"UPDATE), then apply every DIR/*.sql not yet applied, in name order, each\n"
		"in its own transaction through usrmgmt.apply_migration().  A migration\n"
		"is named after its file without \".sql\"; a line \"-- down\" starts the\n"
		"SQL that undoes it.  Stops at the first failure.\n"},
	{UM_CMD_MIGRATIONS, "migrations", UM_OPT_JSON, 0, 0,
		"usage: usrmgmt [CONNECTION] migrations [--json]\n"
		"\n"
		"List usrmgmt.migration_history: extension versions and application\n"
		"migrations, oldest first.\n"},
	{UM_CMD_ROLLBACK, "rollback", 0, 1, 1,
		"usage: usrmgmt [CONNECTION] rollback NAME\n"
		"\n"
		"Undo application migration NAME with its stored down SQL\n"
		"(usrmgmt.rollback_migration()).\n"},
	{UM_CMD_BACKUP, "backup", UM_OPT_DIR, 0, 0,
		"usage: usrmgmt [CONNECTION] backup [--dir DIR]\n"
		"\n"
		"Dump the connected database with pg_dump -Fc into\n"
		"DIR/db_backup_YYYYMMDD_HHMMSS.dump (default DIR: ./backups).\n"},
	{UM_CMD_LIST, "list", UM_OPT_DIR | UM_OPT_JSON, 0, 0,
		"usage: usrmgmt list [--dir DIR] [--json]\n"
		"\n"
		"List the backups in DIR (default ./backups) with size and date.\n"
		"Needs no connection.\n"},
	{UM_CMD_RESTORE, "restore", UM_OPT_CONFIRM | UM_OPT_NO_OWNER, 1, 1,
		"usage: usrmgmt [CONNECTION] restore FILE --confirm [--no-owner]\n"
		"\n"
		"Restore backup FILE (a pg_dump custom archive) into the connected\n"
		"database with pg_restore --clean --if-exists --single-transaction:\n"
		"the objects in the backup are replaced, all or nothing.\n"
		"\n"
		"  --confirm      required: the current data is replaced\n"
		"  --no-owner     do not restore object ownership\n"},
	{UM_CMD_SAMPLE_DATA, "sample-data", 0, 0, 0,
		"usage: usrmgmt [CONNECTION] sample-data\n"
		"\n"
		"Load the sample data set (usrmgmt.load_sample_data()); loading it\n"
		"twice changes nothing.\n"},
	{UM_CMD_RESET, "reset", UM_OPT_CONFIRM, 0, 0,
		"usage: usrmgmt [CONNECTION] reset --confirm\n"
		"\n"
		"Empty every usrmgmt table and restart identities (usrmgmt.reset()).\n"},
	{UM_CMD_DROP, "drop", UM_OPT_CONFIRM, 0, 0,
		"usage: usrmgmt [CONNECTION] drop --confirm\n"
		"\n"
		"DROP EXTENSION usrmgmt: removes its tables and every row in them.\n"
		"Refused by the server while other objects depend on it.\n"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char tool_usage[] =
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
"Commands:\n"
"  init [--force [--confirm]] [--sample-data]   create the extension\n"
"  status                       version, tables, migrations, sessions\n"
"  verify                       schema drift and data integrity problems\n"
"  stats [--exact]              per-table statistics\n"
"  health [THRESHOLDS]          monitoring check: exit 0/1/2/3\n"
"  migrate [DIR]                update the extension, apply DIR/*.sql\n"
"  migrations                   migration history\n"
"  rollback NAME                undo one application migration\n"
"  backup [--dir DIR]           pg_dump -Fc into DIR (default ./backups)\n"
"  list [--dir DIR]             list backups\n"
"  restore FILE --confirm       restore a backup into the database\n"
"  sample-data                  load the sample data set\n"
"  reset --confirm              empty every usrmgmt table\n"
"  drop --confirm               drop the extension and its data\n"
"\n"
"Exit status: 0 success, 1 failure, 2 bad usage; health: 0 healthy,\n"
"1 degraded, 2 unhealthy, 3 error; verify: 0 no problem, 1 problems, 3 error.\n";

const char *
um_command_name(enum um_command cmd)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (commands[i].cmd == cmd)
			return commands[i].name;
	return NULL;
}

const char *
um_usage_text(enum um_command cmd)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (commands[i].cmd == cmd)
			return commands[i].usage;
	return tool_usage;
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
	va_list		ap;

	if (errlen > 0)
	{
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

/* Options that take a value; the rest are flags. */
enum opt_id
{
	O_DBNAME, O_VERBOSE, O_JSON, O_HELP, O_VERSION, O_FORCE, O_SAMPLE,
	O_CONFIRM, O_DIR, O_EXACT, O_NO_OWNER, O_WARN_CONN, O_CRIT_CONN,
	O_WARN_RT, O_CRIT_RT
};

struct opt_def
{
	const char *longname;
	char		shortname;
	int			takes_value;
	enum opt_id id;
	unsigned	bit;			/* UM_OPT_* bit, 0: accepted everywhere */
};

static const struct opt_def opts[] = {
	{"dbname", 'd', 1, O_DBNAME, 0},
	{"verbose", 'v', 0, O_VERBOSE, 0},
	{"json", 0, 0, O_JSON, UM_OPT_JSON},
	{"help", 'h', 0, O_HELP, 0},
	{"version", 'V', 0, O_VERSION, 0},
	{"force", 0, 0, O_FORCE, UM_OPT_FORCE},
	{"sample-data", 0, 0, O_SAMPLE, UM_OPT_SAMPLE},
	{"confirm", 0, 0, O_CONFIRM, UM_OPT_CONFIRM},
	{"dir", 0, 1, O_DIR, UM_OPT_DIR},
	{"exact", 0, 0, O_EXACT, UM_OPT_EXACT},
	{"no-owner", 0, 0, O_NO_OWNER, UM_OPT_NO_OWNER},
	{"warn-connect-ms", 0, 1, O_WARN_CONN, UM_OPT_THRESHOLDS},
	{"crit-connect-ms", 0, 1, O_CRIT_CONN, UM_OPT_THRESHOLDS},
	{"warn-roundtrip-ms", 0, 1, O_WARN_RT, UM_OPT_THRESHOLDS},
	{"crit-roundtrip-ms", 0, 1, O_CRIT_RT, UM_OPT_THRESHOLDS},
};

#define NOPTS (sizeof(opts) / sizeof(opts[0]))

int
um_parse_args(int argc, char **argv, struct um_options *out,
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
			if (eq && !od->takes_value)
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
				if (!od->takes_value)
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

		if (od->takes_value && value == NULL)
		{
			if (i + 1 >= argc || argv[i + 1] == NULL)
				return fail(err, errlen, "option \"%s\" needs a value", shown);
			value = argv[++i];
		}

		switch (od->id)
		{
			case O_DBNAME:
				out->conninfo = value;
				break;
			case O_VERBOSE:
				out->verbose = 1;
				break;
			case O_JSON:
				out->json = 1;
				break;
			case O_HELP:
				out->show_help = 1;
				break;
			case O_VERSION:
				out->show_version = 1;
				break;
			case O_FORCE:
				out->force = 1;
				break;
			case O_SAMPLE:
				out->sample_data = 1;
				break;
			case O_CONFIRM:
				out->confirm = 1;
				break;
			case O_DIR:
				if (value[0] == '\0')
					return fail(err, errlen, "option \"--dir\" needs a non-empty value");
				out->dir = value;
				break;
			case O_EXACT:
				out->exact = 1;
				break;
			case O_NO_OWNER:
				out->no_owner = 1;
				break;
			case O_WARN_CONN:
				if (parse_ms(shown, value, &out->warn_connect_ms, err, errlen) < 0)
					return -1;
				break;
			case O_CRIT_CONN:
				if (parse_ms(shown, value, &out->crit_connect_ms, err, errlen) < 0)
					return -1;
				break;
			case O_WARN_RT:
				if (parse_ms(shown, value, &out->warn_roundtrip_ms, err, errlen) < 0)
					return -1;
				break;
			case O_CRIT_RT:
				if (parse_ms(shown, value, &out->crit_roundtrip_ms, err, errlen) < 0)
					return -1;
				break;
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

	if (out->confirm && def->cmd == UM_CMD_INIT && !out->force)
		return fail(err, errlen, "init: --confirm only applies with --force");

	/*
	 * Thresholds: fill defaults (a default warning level never exceeds a
	 * given critical one), then check warn <= crit.
	 */
	if (out->crit_connect_ms < 0)
		out->crit_connect_ms = out->warn_connect_ms > UM_DEFAULT_CRIT_CONNECT_MS ?
			out->warn_connect_ms : UM_DEFAULT_CRIT_CONNECT_MS;
	if (out->warn_connect_ms < 0)
		out->warn_connect_ms = out->crit_connect_ms < UM_DEFAULT_WARN_CONNECT_MS ?
			out->crit_connect_ms : UM_DEFAULT_WARN_CONNECT_MS;
	if (out->crit_roundtrip_ms < 0)
		out->crit_roundtrip_ms = out->warn_roundtrip_ms > UM_DEFAULT_CRIT_ROUNDTRIP_MS ?
			out->warn_roundtrip_ms : UM_DEFAULT_CRIT_ROUNDTRIP_MS;
	if (out->warn_roundtrip_ms < 0)
		out->warn_roundtrip_ms = out->crit_roundtrip_ms < UM_DEFAULT_WARN_ROUNDTRIP_MS ?
			out->crit_roundtrip_ms : UM_DEFAULT_WARN_ROUNDTRIP_MS;
	if (out->warn_connect_ms > out->crit_connect_ms)
		return fail(err, errlen,
					"health: --warn-connect-ms (%g) is above --crit-connect-ms (%g)",
					out->warn_connect_ms, out->crit_connect_ms);
	if (out->warn_roundtrip_ms > out->crit_roundtrip_ms)
		return fail(err, errlen,
					"health: --warn-roundtrip-ms (%g) is above --crit-roundtrip-ms (%g)",
					out->warn_roundtrip_ms, out->crit_roundtrip_ms);
	return 0;
}
